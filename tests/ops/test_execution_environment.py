"""execution-environment.yml: ansible-builder accepts it and builds a context whose Python comes
from the wheelhouse (every requirement has its wheel there) and whose collections are the pinned ones."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from prakan import __version__
from prakan.paths import ROOT

BIN = Path(sys.executable).parent


def test_ansible_builder_creates_the_context(wheelhouse: Path, tmp_path: Path) -> None:
    builder = BIN / "ansible-builder"
    if not builder.exists():
        pytest.skip("ansible-builder is not installed (the dev extra pins it)")
    project = tmp_path / "project"
    (project / "requirements").mkdir(parents=True)
    shutil.copy(ROOT / "execution-environment.yml", project)
    shutil.copy(ROOT / "requirements" / "collections.yml", project / "requirements")
    shutil.copytree(wheelhouse, project / "dist" / "wheelhouse")
    proc = subprocess.run(
        [
            str(builder),
            "create",
            "-f",
            "execution-environment.yml",
            "-c",
            str(tmp_path / "ctx"),
            "--output-filename",
            "Containerfile",
        ],
        capture_output=True,
        text=True,
        cwd=project,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    ctx = tmp_path / "ctx"
    containerfile = (ctx / "Containerfile").read_text()
    assert "COPY _build/wheelhouse /prakan-wheelhouse" in containerfile
    assert "prakan checks test" in containerfile
    requirements = (ctx / "_build" / "requirements.txt").read_text().split()
    assert f"prakan=={__version__}" in requirements
    wheels = {
        p.name.split("-")[0].lower().replace("_", "-"): p.name.split("-")[1]
        for p in (ctx / "_build" / "wheelhouse").glob("*.whl")
    }
    for req in requirements:  # every Python requirement is pinned and has its wheel in the wheelhouse
        name, _, version = req.partition("==")
        assert version, f"{req} is not pinned"
        assert wheels.get(name.lower()) == version, req
    ee = yaml.safe_load((ROOT / "execution-environment.yml").read_text())
    core = ee["dependencies"]["ansible_core"]["package_pip"].partition("==")[2]
    assert wheels["ansible-core"] == core
    galaxy = yaml.safe_load((ctx / "_build" / "requirements.yml").read_text())
    tarballs = {p.name for p in (wheelhouse / "collections").glob("*.tar.gz")}
    for c in galaxy["collections"]:
        assert f"{c['name'].replace('.', '-')}-{c['version']}.tar.gz" in tarballs, c

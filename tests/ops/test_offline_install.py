"""Offline install: the wheelhouse (scripts/build-wheelhouse.sh) installs into a fresh venv outside
the checkout with every package index unreachable, and the installed wheel works on its own.

This is also the packaging test of the wheel: everything Prakan reads at run time (catalog,
schemas) must be inside it. The wheelhouse is built once per test session and cached on disk by the
hash of what goes into it (pyproject.toml, constraints, collections, the scripts, the package).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from evidence_helpers import SAMPLE_EVALUATE
from ops_fixtures import OFFLINE_ENV
from prakan.paths import ROOT, SAMPLE_INVENTORY


@pytest.fixture(scope="session")
def offline_venv(wheelhouse: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(venv, a working directory outside the checkout) after an install with the network shut."""
    base = tmp_path_factory.mktemp("offline")
    assert not base.resolve().is_relative_to(ROOT.resolve())
    venv = base / "venv"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")} | OFFLINE_ENV
    proc = subprocess.run(
        ["bash", str(wheelhouse / "install-offline.sh"), str(wheelhouse), str(venv)],
        capture_output=True,
        text=True,
        env=env,
        cwd=base,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    work = base / "work"
    work.mkdir()
    return venv, work


def _run(venv: Path, work: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")} | OFFLINE_ENV
    env["XDG_CONFIG_HOME"] = str(work / "config")
    return subprocess.run(
        [str(venv / "bin" / args[0]), *args[1:]], capture_output=True, text=True, env=env, cwd=work, timeout=600
    )


def test_wheel_carries_the_catalog_and_schemas(wheelhouse: Path) -> None:
    (wheel,) = wheelhouse.glob("prakan-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "prakan/checks/sources.yml" in names
    assert "prakan/schemas/evidence.schema.json" in names and "prakan/schemas/results.schema.json" in names
    assert "prakan/py.typed" in names
    shipped = {n for n in names if n.startswith("prakan/checks/") and n.endswith(".yml")}
    in_tree = {
        f"prakan/{p.relative_to(ROOT / 'scanner' / 'prakan')}"
        for p in (ROOT / "scanner" / "prakan" / "checks").rglob("*.yml")
    }
    assert shipped == in_tree


def test_wheelhouse_holds_every_pinned_runtime_dependency_and_the_collections(wheelhouse: Path) -> None:
    wheels = {p.name.split("-")[0].lower().replace("_", "-") for p in wheelhouse.glob("*.whl")}
    for dep in (
        "ansible-core",
        "click",
        "jinja2",
        "jsonschema",
        "netmiko",
        "ntc-templates",
        "paramiko",
        "pyyaml",
        "textfsm",
        "cryptography",
        "bcrypt",
        "ansible-pylibssh",
    ):
        assert dep in wheels, dep
    tarballs = {p.name for p in (wheelhouse / "collections").glob("*.tar.gz")}
    assert {"cisco-ios-11.1.1.tar.gz", "ansible-netcommon-8.2.0.tar.gz", "ansible-utils-6.0.0.tar.gz"} <= tarballs


def test_wheel_installs_offline_and_runs_outside_the_checkout(offline_venv: tuple[Path, Path]) -> None:
    venv, work = offline_venv
    where = _run(
        venv, work, "python", "-c", "import prakan, prakan.paths as p; print(prakan.__file__); print(p.CHECKS_DIR)"
    )
    assert where.returncode == 0, where.stderr
    for line in where.stdout.split():
        assert Path(line).resolve().is_relative_to(venv.resolve()), line
        assert not Path(line).resolve().is_relative_to(ROOT.resolve()), line

    version = _run(venv, work, "prakan", "--version")
    assert version.returncode == 0 and "prakan, version" in version.stdout

    selftest = _run(venv, work, "prakan", "checks", "test")
    assert selftest.returncode == 0, selftest.stdout[-2000:] + selftest.stderr[-2000:]
    assert ", 0 failed" in selftest.stdout

    lint = _run(venv, work, "prakan", "lint", str(SAMPLE_INVENTORY))
    assert lint.returncode == 0, lint.stdout[-2000:] + lint.stderr[-2000:]

    out = work / "results.json"
    ev = _run(
        venv,
        work,
        "prakan",
        "evaluate",
        *SAMPLE_EVALUATE,
        "-o",
        str(out),
    )  # the signed sample
    assert ev.returncode == 0, ev.stderr[-2000:]
    installed = json.loads(out.read_text())
    # the same catalog as the checkout: same version and SHA-256, same number of results
    from prakan.catalog import load_catalog

    cat = load_catalog()
    assert installed["run"]["catalog"]["sha256"] == cat.sha256
    assert installed["summary"]["hosts"] == 208
    assert installed["summary"]["by_status"]["pass"] > 0 and installed["summary"]["by_status"]["fail"] > 0


def test_collections_install_offline_where_ansible_finds_them(offline_venv: tuple[Path, Path]) -> None:
    venv, work = offline_venv
    proc = _run(venv, work, "ansible-doc", "-t", "module", "cisco.ios.ios_command", "--json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "cisco.ios.ios_command" in proc.stdout
    listed = _run(venv, work, "ansible-galaxy", "collection", "list", "--format", "json")
    found = {name for paths in json.loads(listed.stdout).values() for name in paths}
    assert {"cisco.ios", "ansible.netcommon", "ansible.utils", "ansible.posix", "community.general"} <= found


def test_an_altered_wheelhouse_is_refused(wheelhouse: Path, tmp_path: Path) -> None:
    copy = tmp_path / "wh"
    shutil.copytree(wheelhouse, copy)
    (wheel,) = copy.glob("click-*.whl")
    wheel.write_bytes(wheel.read_bytes() + b"\0")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")} | OFFLINE_ENV
    proc = subprocess.run(
        ["bash", str(copy / "install-offline.sh"), str(copy), str(tmp_path / "venv")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 2
    assert "SHA256SUMS does not match" in proc.stderr
    assert not (tmp_path / "venv").exists()

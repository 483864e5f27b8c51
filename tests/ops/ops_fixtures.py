"""Fixtures of the operations tests: the wheelhouse, built once per session and cached on disk."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from prakan.paths import ROOT

# Anything that could reach an index is pointed at nothing (a closed port on loopback).
OFFLINE_ENV = {
    "PIP_NO_INDEX": "1",
    "PIP_CONFIG_FILE": os.devnull,
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "ALL_PROXY": "http://127.0.0.1:9",
    "http_proxy": "http://127.0.0.1:9",
    "https_proxy": "http://127.0.0.1:9",
    "NO_PROXY": "",
}


def _key() -> str:
    h = hashlib.sha256()
    inputs = [
        ROOT / "pyproject.toml",
        ROOT / "requirements" / "constraints.txt",
        ROOT / "requirements" / "collections.yml",
        ROOT / "scripts" / "build-wheelhouse.sh",
        ROOT / "scripts" / "install-offline.sh",
    ]
    package = ROOT / "scanner" / "prakan"
    inputs += sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for p in inputs:
        h.update(str(p.relative_to(ROOT)).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:16]


@pytest.fixture(scope="session")
def wheelhouse() -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "prakan-tests"
    target = cache / f"wheelhouse-{_key()}"
    if not (target / "SHA256SUMS").exists():
        for old in cache.glob("wheelhouse-*"):
            shutil.rmtree(old, ignore_errors=True)
        env = {**os.environ, "PYTHON": sys.executable}
        proc = subprocess.run(
            ["bash", str(ROOT / "scripts" / "build-wheelhouse.sh"), str(target)],
            capture_output=True,
            text=True,
            env=env,
            timeout=1200,
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
    return target

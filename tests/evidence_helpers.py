"""Helpers for tests that build an evidence directory by hand."""

from __future__ import annotations

import hashlib
from pathlib import Path

from prakan.evidence import MANIFEST, write_manifest


def seal(directory: Path, key: bytes | None = None) -> None:
    """Write a signed manifest listing every `*.json` evidence file now in `directory`, as a
    collection run would (key: the environment's manifest key unless given)."""
    files = {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.glob("*.json"))
        if p.name not in (MANIFEST, "results.json")
    }
    write_manifest(directory, {"run": directory.name, "kind": "test", "files": files}, key)

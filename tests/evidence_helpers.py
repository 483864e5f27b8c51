"""Helpers for tests that build an evidence directory by hand."""

from __future__ import annotations

import hashlib
from pathlib import Path

from prakan.evidence import MANIFEST, write_manifest
from prakan.paths import SAMPLE_EVIDENCE, SAMPLE_INVENTORY, SAMPLE_MANIFEST_KEY

# `prakan evaluate` options for the bundled sample department: its signed evidence (demo key), any age
SAMPLE_EVALUATE = (
    "--evidence-dir",
    str(SAMPLE_EVIDENCE),
    "-i",
    str(SAMPLE_INVENTORY),
    "--manifest-key",
    str(SAMPLE_MANIFEST_KEY),
    "--max-age",
    "0",
)


def seal(directory: Path, key: bytes | None = None) -> None:
    """Write a signed manifest listing every `*.json` evidence file now in `directory`, as a
    collection run would (key: the environment's manifest key unless given)."""
    files = {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.glob("*.json"))
        if p.name not in (MANIFEST, "results.json")
    }
    write_manifest(directory, {"run": directory.name, "kind": "test", "files": files}, key)

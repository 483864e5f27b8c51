"""Build a later run's evidence from the sample department's: copy, edit outputs, re-hash.

Every edit goes through this module, so when the manifest format changes (e.g. a signature over the
manifest) only `write_host_doc` and `rehash_manifest` need to follow it.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from prakan.evidence import MANIFEST, atomic_write, sha256_text, write_manifest
from prakan.paths import SAMPLE_MANIFEST_KEY
from prakan.trust import read_key_file


def _sign(directory: Path, manifest: dict[str, Any]) -> None:
    """Re-sign the manifest with the sample's public demo key, as the sample itself is signed."""
    write_manifest(directory, manifest, read_key_file(SAMPLE_MANIFEST_KEY))


def copy_evidence(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def read_host(directory: Path, host: str) -> dict[str, Any]:
    return json.loads((directory / f"{host}.json").read_text(encoding="utf-8"))


def write_host_doc(directory: Path, doc: dict[str, Any]) -> None:
    """Write a host document exactly as prakan.evidence.write_host does, and record its hash in the manifest."""
    data = (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    atomic_write(directory / f"{doc['host']}.json", data)
    rehash_manifest(directory)


def rehash_manifest(directory: Path) -> None:
    import hashlib

    path = directory / MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for name, entry in manifest["hosts"].items():
        f = directory / entry.get("file", f"{name}.json")
        if f.exists():
            entry["sha256"] = hashlib.sha256(f.read_bytes()).hexdigest()
    _sign(directory, manifest)


def edit_source(directory: Path, host: str, source: str, edit: Callable[[str], str]) -> None:
    doc = read_host(directory, host)
    src = doc["sources"][source]
    new = edit(src["output"])
    assert new != src["output"], f"edit of {host}/{source} changed nothing"
    src["output"] = new
    src["sha256"] = sha256_text(new)
    write_host_doc(directory, doc)


def remove_host(directory: Path, host: str) -> None:
    (directory / f"{host}.json").unlink()
    path = directory / MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8"))
    del manifest["hosts"][host]
    _sign(directory, manifest)


def set_collected_at(directory: Path, when: str) -> None:
    """Move the whole run to another collection time (the next night)."""
    for f in sorted(directory.glob("*.json")):
        if f.name == MANIFEST:
            continue
        doc = json.loads(f.read_text(encoding="utf-8"))
        doc["collected_at"] = when
        for src in doc["sources"].values():
            src["collected_at"] = when
        atomic_write(f, (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    path = directory / MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["started_at"] = manifest["finished_at"] = when
    _sign(directory, manifest)
    rehash_manifest(directory)


def replace_line(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert old in text, f"{old!r} not in the output"
        return text.replace(old, new, 1)

    return edit


def inventory_without(src: Path, dst: Path, host: str) -> Path:
    """A copy of an inventory with one host removed everywhere it is listed."""
    shutil.copytree(src, dst)
    hosts = dst / "hosts.yml"
    out, skip_indent = [], None
    for line in hosts.read_text(encoding="utf-8").splitlines(keepends=True):
        indent = len(line) - len(line.lstrip(" "))
        if skip_indent is not None:
            if line.strip() and indent > skip_indent:
                continue
            skip_indent = None
        if line.strip() == f"{host}:":
            skip_indent = indent
            continue
        out.append(line)
    hosts.write_text("".join(out), encoding="utf-8")
    return dst

"""Evidence files: one JSON document per host, written atomically, listed in a hashed manifest.

Format `prakan-evidence` version 1 (schema: scanner/prakan/schemas/evidence.schema.json):

    {"format": "prakan-evidence", "version": 1, "host": "...", "platform": "linux",
     "collected_at": "2026-11-22T03:00:00Z", "collector": {"tool": "prakan", "version": "...", "method": "ssh"},
     "error": null,                       # host-level failure (unreachable, bad host key, ...)
     "sources": {"sshd_effective": {"command": "sshd -T", "rc": 0, "output": "...", "collected_at": "...",
                                     "sha256": "<of output>", "truncated": false, "error": null}}}
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from prakan import __version__
from prakan.clock import utc_text

FORMAT = "prakan-evidence"
VERSION = 1
MANIFEST = "manifest.json"
RESULTS = "results.json"  # `prakan scan` writes results beside the evidence by default
SUMMARY = "summary.json"  # and `prakan report` its summary beside the results


def now() -> str:
    return utc_text()


def sha256_text(text: str) -> str:
    # surrogatepass: a lone surrogate in odd output must hash, not crash the run
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class EvidenceFormatError(ValueError):
    """An evidence file is not valid prakan evidence."""


@dataclass(slots=True)
class SourceResult:
    command: str
    output: str
    rc: int | None = 0
    collected_at: str = field(default_factory=now)
    truncated: bool = False
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "rc": self.rc,
            "output": self.output,
            "collected_at": self.collected_at,
            "sha256": sha256_text(self.output),
            "truncated": self.truncated,
            "error": self.error,
        }


@dataclass(slots=True)
class HostEvidence:
    host: str
    platform: str
    sources: dict[str, SourceResult] = field(default_factory=dict)
    collected_at: str = field(default_factory=now)
    method: str = "ssh"
    error: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "host": self.host,
            "platform": self.platform,
            "collected_at": self.collected_at,
            "collector": {"tool": "prakan", "version": __version__, "method": self.method},
            "error": self.error,
            "facts": self.facts,
            "sources": {name: src.to_json() for name, src in sorted(self.sources.items())},
        }


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temps(path: Path) -> None:
    """Temp files of `path` left by a process that was killed (SIGKILL, power loss): their names
    carry the writer's pid, and a writer that no longer runs will never finish them."""
    with contextlib.suppress(OSError):
        for tmp in path.parent.glob(f".{path.name}.*.tmp"):
            pid = tmp.name[len(path.name) + 2 :].split(".", 1)[0]
            if pid.isdigit() and int(pid) != os.getpid() and not _pid_alive(int(pid)):
                tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_file(path: Path, mode: str = "w") -> Iterator[IO[Any]]:
    """A file written beside `path`, fsynced, and renamed over it only if the block succeeds:
    readers never see half a file. `mode` is "w" (UTF-8 text) or "wb". A temp file left by a
    killed writer is removed by the next write to the same path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, encoding=None if "b" in mode else "utf-8") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o640)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write(path: Path, data: bytes) -> None:
    with atomic_file(path, "wb") as fh:
        fh.write(data)


def write_host(directory: Path, evidence: HostEvidence) -> tuple[Path, str]:
    """Write one host's evidence; returns its path and SHA-256."""
    data = (json.dumps(evidence.to_json(), ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    path = directory / f"{evidence.host}.json"
    atomic_write(path, data)
    return path, hashlib.sha256(data).hexdigest()


def write_manifest(directory: Path, manifest: Mapping[str, Any], key: bytes | None = None) -> Path:
    """Write the run's manifest, signed with the manifest key (`key`, else the installation's key,
    created on first use: see prakan.trust)."""
    from prakan.trust import manifest_key, sign

    key = key or manifest_key(create=True)
    assert key is not None
    path = directory / MANIFEST
    atomic_write(path, (json.dumps(sign(manifest, key), ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    return path


@functools.cache
def _validator() -> Any:
    """evidence.schema.json compiled once: evaluation validates every host's file, so it must be cheap
    (fastjsonschema: about 0.06 ms a host, against 1.6 ms interpreted)."""
    import fastjsonschema

    from prakan.paths import SCHEMAS_DIR

    return fastjsonschema.compile(json.loads((SCHEMAS_DIR / "evidence.schema.json").read_text(encoding="utf-8")))


def validate(doc: Any, where: str) -> dict[str, Any]:
    """Validate against evidence.schema.json (the one definition of the format); the message names
    the file and the field that is wrong."""
    import fastjsonschema

    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise EvidenceFormatError(f'{where}: not a prakan evidence file (missing "format": "{FORMAT}")')
    if doc.get("version") != VERSION:
        raise EvidenceFormatError(f"{where}: evidence version {doc.get('version')!r} is not supported ({VERSION})")
    try:
        _validator()(doc)
    except fastjsonschema.JsonSchemaValueException as exc:
        raise EvidenceFormatError(f"{where}: {exc.message[:200]}") from None
    return doc


def load_host(path: Path) -> tuple[dict[str, Any], str]:
    """Load and validate one evidence file; returns the document and the file's SHA-256."""
    from prakan.trust import MAX_EVIDENCE_BYTES, TrustError, read_regular

    try:
        raw = read_regular(path, MAX_EVIDENCE_BYTES)
    except TrustError as exc:
        raise EvidenceFormatError(f"{path}: {exc}") from exc
    try:
        doc = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise EvidenceFormatError(f"{path}: not valid JSON: {exc}") from exc
    return validate(doc, str(path)), hashlib.sha256(raw).hexdigest()


def host_files(directory: Path) -> Iterator[Path]:
    """Evidence files of a run directory, in name order, skipping the manifest and temp files."""
    for path in sorted(directory.glob("*.json")):
        if path.name not in (MANIFEST, RESULTS, SUMMARY) and not path.name.startswith("."):
            yield path

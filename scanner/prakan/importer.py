"""Configuration backups as evidence: RANCID / Oxidized / plain `show running-config` files.

Network teams keep backups and auditors often receive only those. Each file becomes one host's
evidence with a single `running_config` source, redacted exactly like live collection. A file that
is empty, binary or not a configuration still becomes evidence: evaluation then says `error`.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prakan.clock import utc_from_timestamp
from prakan.evidence import HostEvidence, SourceResult, now, write_host, write_manifest
from prakan.trust import TrustError, read_regular

MAX_BACKUP_BYTES = 64 * 1024 * 1024  # a configuration backup larger than this is refused, not read

SUPPORTED = {"cisco_ios": ("running_config", "show running-config")}
_SUFFIXES = (".cfg", ".conf", ".config", ".txt", ".ios", ".running", ".bak")
_HOSTNAME = re.compile(r"^hostname (\S+)", re.MULTILINE)
# RANCID prefixes its own metadata with `!RANCID-CONTENT-TYPE:` and comments with `!Chassis` etc.
_RANCID_TYPE = re.compile(r"^!RANCID-CONTENT-TYPE:", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Imported:
    path: Path
    host: str
    matched_by: str  # file-name | hostname | address | unmatched
    evidence_path: Path
    sha256: str
    problem: str | None


def config_files(paths: Iterable[Path]) -> Iterator[Path]:
    for p in paths:
        if p.is_dir():
            yield from (
                f
                for f in sorted(p.rglob("*"))
                if (f.is_file() or f.is_symlink()) and not any(part.startswith(".") for part in f.relative_to(p).parts)
            )
        else:
            yield p


def _stem(path: Path) -> str:
    name = path.name
    for suffix in _SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def _decode(raw: bytes) -> tuple[str, str | None]:
    if b"\0" in raw[:8192]:
        return "", "binary file (contains NUL bytes), not a configuration"
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        return raw.decode("latin-1"), None  # old IOS banners are often Latin-1; every byte maps


def match_host(path: Path, text: str, inventory: Any | None) -> tuple[str, str]:
    """Name the host: file name, then `hostname` line, then management address, else the file name."""
    stem = _stem(path)
    if inventory is None:
        return stem, "file-name"
    hosts: Mapping[str, Any] = inventory.hosts
    lowered = {name.lower(): name for name in hosts}
    for candidate in (stem, stem.split(".")[0]):
        if candidate.lower() in lowered:
            return lowered[candidate.lower()], "file-name"
    m = _HOSTNAME.search(text)
    if m and m.group(1).lower() in lowered:
        return lowered[m.group(1).lower()], "hostname"
    try:
        ip = str(ipaddress.ip_address(stem))
        for name, host in hosts.items():
            if host.address == ip:
                return name, "address"
    except ValueError:
        pass
    return stem, "unmatched"


def import_configs(
    paths: Iterable[Path],
    platform: str,
    out_dir: Path,
    inventory: Any | None = None,
    key: bytes | None = None,
    manifest_key: bytes | None = None,
) -> list[Imported]:
    from prakan.redact import redact_text, redaction_key

    source, command = SUPPORTED[platform]
    key = key or redaction_key()
    out_dir.mkdir(parents=True, exist_ok=True)
    started = now()
    done: list[Imported] = []
    taken: dict[str, Path] = {}
    for path in config_files(paths):
        try:
            raw = read_regular(path, MAX_BACKUP_BYTES)
            text, problem = _decode(raw)
        except TrustError as exc:
            text, problem = "", f"{path} {exc}"
        host, how = match_host(path, text, inventory)
        if host in taken:
            problem = f"{path} and {taken[host]} both map to host {host}; keeping the first"
            done.append(Imported(path, host, how, out_dir / f"{host}.json", "", problem))
            continue
        taken[host] = path
        if _RANCID_TYPE.search(text):
            text = "\n".join(ln for ln in text.splitlines() if not ln.startswith("!RANCID-"))
        redacted, _count = redact_text(text, platform, key, scope=source)
        mtime = utc_from_timestamp(path.lstat().st_mtime)
        result = SourceResult(command=command, output=redacted, rc=0, collected_at=mtime, error=problem)
        ev = HostEvidence(
            host=host,
            platform=platform,
            sources={source: result},
            collected_at=mtime,
            method="import",
            facts={"imported_from": path.name},
        )
        ev_path, digest = write_host(out_dir, ev)
        done.append(Imported(path, host, how, ev_path, digest, problem))
    write_manifest(
        out_dir,
        {
            "run": out_dir.name,
            "kind": "import",
            "platform": platform,
            "started_at": started,
            "finished_at": now(),
            "hosts": {
                i.host: {
                    "status": "error" if i.problem else "ok",
                    "source_file": str(i.path),
                    "matched_by": i.matched_by,
                    "sha256": i.sha256,
                    "reason": i.problem,
                }
                for i in done
            },
        },
        manifest_key,
    )
    return done

"""Evidence gathered by Ansible (playbooks/collect_evidence.yml, e.g. AWX job slices), in the
`prakan-evidence` format: the same sources, command lines, output checks, redaction, hashing and
manifest as `prakan collect`, so `prakan evaluate` cannot tell the two apart, except by the
collector method recorded in each file.

The playbook's action plugins (playbooks/action_plugins/prakan_*.py) are thin wrappers around
these functions: `plan` says what to run on a host (only catalog sources: the same allow-list),
`host_evidence` turns the registered task results into redacted evidence and writes it, and
`finish_run` writes the run manifest through `prakan.evidence.write_manifest`, the one function
every collector uses to record a run.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prakan.catalog import Catalog, load_catalog
from prakan.collect.base import MAX_OUTPUT
from prakan.collect.linux import _PRELUDE, UnsafeCommand
from prakan.collect.netdev import _check_output, refusal
from prakan.collect.runner import MANIFEST_FORMAT, bad_host_names
from prakan.evidence import HostEvidence, SourceResult, host_files, now, sha256_file, write_host, write_manifest
from prakan.redact import redact_evidence, redaction_key
from prakan.sources import Source

log = logging.getLogger(__name__)
METHOD = "ansible"
SUPPORTED = ("linux", "cisco_ios")


class PlanError(ValueError):
    """A host that cannot be collected (unknown platform, unusable name)."""


@dataclass(frozen=True, slots=True)
class PlannedSource:
    name: str
    command: str  # the exact command the catalog names
    argv: list[str]  # what Ansible runs (Linux: sh -c with Prakan's prelude); IOS: [command]
    become: bool

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "command": self.command, "argv": self.argv, "become": self.become}


def plan(host: str, platform: str | None, catalog: Catalog | None = None) -> list[PlannedSource]:
    """The sources to gather on `host`, from the catalog only; refuses anything a read-only
    collector must not send (multi-line commands, non-`show` commands on a device)."""
    if not platform:
        raise PlanError(f"{host}: prakan_platform is not set")
    if platform not in SUPPORTED:
        raise PlanError(f"{host}: no collector for platform {platform!r} (supported: {', '.join(SUPPORTED)})")
    bad = bad_host_names([host])
    if bad:
        raise PlanError(f"{host}: {bad[host]}")
    catalog = catalog or load_catalog()
    planned = []
    for src in catalog.sources_for(platform):
        _refuse_unsafe(src, platform)
        argv = ["sh", "-c", _PRELUDE + src.command] if platform == "linux" else [src.command]
        planned.append(PlannedSource(src.name, src.command, argv, src.become))
    return planned


def _refuse_unsafe(src: Source, platform: str) -> None:
    if any(c in src.command for c in "\n\r\0"):
        raise UnsafeCommand(f"refused to send `{src.name}`: its command is not a single line")
    if platform != "linux" and refusal(src):
        raise UnsafeCommand(refusal(src) or "")


def _skipped(src: PlannedSource, why: str | None) -> SourceResult:
    return SourceResult(src.command, "", rc=None, error=why or "the source was not run")


def _linux_result(src: PlannedSource, res: Mapping[str, Any]) -> SourceResult:
    started = now()
    output = str(res.get("stdout") or "")
    truncated = len(output.encode("utf-8", "surrogatepass")) > MAX_OUTPUT
    if truncated:
        output = output.encode("utf-8", "surrogatepass")[:MAX_OUTPUT].decode("utf-8", "replace")
    rc = res.get("rc")
    error = None
    if res.get("unreachable"):
        error = f"connection lost: {res.get('msg', 'unreachable')}"
        rc = None
    elif truncated:
        error = f"output exceeded {MAX_OUTPUT // (1024 * 1024)} MiB and was cut"
    elif not isinstance(rc, int):
        error = f"the command did not run: {res.get('msg') or 'no exit status'}"
        rc = None
    elif rc != 0:
        detail = str(res.get("stderr") or "").strip().splitlines()
        error = f"exit status {rc}" + (f": {detail[-1][:300]}" if detail else "")
    return SourceResult(
        command=src.command, output=output, rc=rc, collected_at=started, truncated=truncated, error=error
    )


def _ios_result(src: PlannedSource, res: Mapping[str, Any], catalog: Catalog) -> SourceResult:
    started = now()
    stdout = res.get("stdout")
    if res.get("failed") or res.get("unreachable") or not isinstance(stdout, list) or not stdout:
        msg = str(res.get("msg") or "no output").strip().splitlines()
        return SourceResult(
            src.command,
            "",
            rc=None,
            collected_at=started,
            error=f"`{src.command}` failed: {msg[0][:300] if msg else 'no output'}",
        )
    output = str(stdout[0])
    error, truncated = _check_output(catalog.sources[src.name], output)
    return SourceResult(src.command, output, rc=None, collected_at=started, truncated=truncated, error=error)


def unreachable(registered: Sequence[Mapping[str, Any]]) -> str | None:
    """The host-level failure in registered task results: unreachable, or a connection that failed
    before any command ran (then Ansible returns no per-item results)."""
    for reg in registered:
        if reg.get("unreachable") and not reg.get("results"):
            return f"unreachable: {str(reg.get('msg') or 'no connection').strip()[:500]}"
        for item in reg.get("results") or ():
            if item.get("unreachable"):
                return f"unreachable: {str(item.get('msg') or 'no connection').strip()[:500]}"
    return None


def loop_results(registered: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Every per-item result of the registered collection loops (a skipped loop has none)."""
    return [item for reg in registered for item in (reg.get("results") or ()) if isinstance(item, Mapping)]


def host_evidence(
    host: str,
    platform: str,
    results: Sequence[Mapping[str, Any]],
    *,
    directory: Path,
    address: str | None = None,
    user: str | None = None,
    host_error: str | None = None,
    privileged_error: str | None = None,
    key: bytes | None = None,
    catalog: Catalog | None = None,
) -> tuple[str, str, int]:
    """Redact and write one host's evidence from Ansible's per-item loop results (each with the
    planned source as its `item`). Returns (file name, SHA-256, secrets redacted).

    A source that was planned but has no result is an error for that source, never silence; a
    privileged source skipped because the sudo check failed carries `privileged_error`.
    """
    catalog = catalog or load_catalog()
    key = key if key is not None else redaction_key()
    planned = {p.name: p for p in plan(host, platform, catalog)}
    by_name: dict[str, Mapping[str, Any]] = {}
    for r in results:
        item = r.get("item")
        if isinstance(item, Mapping) and item.get("name") in planned:
            name = str(item["name"])
            # a loop skipped for this platform (e.g. the IOS task on a Linux host) names the same
            # sources: a result that ran wins over one that was skipped
            if name not in by_name or by_name[name].get("skipped"):
                by_name[name] = r
    ev = HostEvidence(host=host, platform=platform, method=METHOD, facts={"address": address, "user": user})
    if host_error:
        ev.error = host_error
    else:
        for name, src in planned.items():
            res = by_name.get(name)
            if res is None:
                ev.sources[name] = _skipped(src, "no result from Ansible for this source")
            elif res.get("skipped"):
                ev.sources[name] = _skipped(src, privileged_error if src.become else None)
            elif platform == "linux":
                ev.sources[name] = _linux_result(src, res)
            else:
                ev.sources[name] = _ios_result(src, res, catalog)
    if not ev.error:
        ev.error = _connection_failure(ev)
        if ev.error:
            ev.sources = {}
    redactions = redact_evidence(ev, key)
    path, digest = write_host(directory, ev)
    return path.name, digest, redactions


_CONNECTION_WORDS = ("connect", "timed out", "timeout", "unreachable", "authentication", "host key", "denied")


def _connection_failure(ev: HostEvidence) -> str | None:
    """Every source failed before any output, for a connection reason (network_cli reports a
    device it cannot reach as failed commands): a host-level error, as `prakan collect` records it."""
    srcs = list(ev.sources.values())
    if not srcs or any(s.output or s.rc is not None or not s.error for s in srcs):
        return None
    first = srcs[0].error or ""
    if not any(w in first.lower() for w in _CONNECTION_WORDS):
        return None
    return "connection failed: " + first.split("failed: ", 1)[-1]


def finish_run(
    directory: Path,
    hosts: Sequence[str],
    run: str,
    meta: Mapping[str, Any] | None = None,
    catalog: Catalog | None = None,
) -> dict[str, Any]:
    """Write the run manifest of an Ansible collection (one job or one job slice): every host file
    with its SHA-256, and the hosts that were expected but left no file (they become `error`)."""
    catalog = catalog or load_catalog()
    files = {p.name: sha256_file(p) for p in host_files(directory)}
    expected = sorted(set(hosts))
    missing = [h for h in expected if f"{h}.json" not in files]
    manifest = {
        "format": MANIFEST_FORMAT,
        "version": 1,
        "kind": "collect",
        "collector": {"tool": "prakan", "method": METHOD},
        "run": run,
        "finished_at": now(),
        "complete": not missing,
        "catalog": {"version": catalog.version, "sha256": catalog.sha256},
        **dict(meta or {}),
        "attempted": expected,
        "failed": {h: "no evidence file was written for this host" for h in missing},
        "files": dict(sorted(files.items())),
    }
    write_manifest(directory, manifest)
    return manifest

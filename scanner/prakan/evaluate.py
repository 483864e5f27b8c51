"""Evaluation: evidence + catalog + inventory -> results. Pure and offline.

Each evidence source is parsed at most once per host, each rule was compiled once with the catalog,
and hosts stream through one at a time, so memory stays flat however large the fleet.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from prakan import __version__
from prakan.catalog import Catalog, Check
from prakan.evidence import MANIFEST, EvidenceFormatError, host_files, load_host, sha256_text
from prakan.parse import KeyValues, ParseError
from prakan.rules import Context, EvidenceUnavailable, Outcome
from prakan.waivers import Waiver

RESULTS_FORMAT = "prakan-results"
RESULTS_VERSION = 1
STATUSES = ("pass", "fail", "error", "not_applicable", "manual", "waived")


@dataclass(frozen=True, slots=True)
class HostInfo:
    """What evaluation needs to know about a host beyond its evidence (from the inventory)."""

    name: str
    platform: str
    role: str | None = None
    site: str | None = None
    os_family: str | None = None
    category: str | None = None
    groups: tuple[str, ...] = ()
    vars: Mapping[str, Any] = field(default_factory=dict)


class SourceCache:
    """Parses a host's sources lazily, once each; failures are remembered as reasons."""

    def __init__(self, doc: Mapping[str, Any], catalog: Catalog, platform: str) -> None:
        self._doc = doc.get("sources", {})
        self._catalog = catalog
        self._platform = platform
        self._parsed: dict[str, Any] = {}
        self._failed: dict[str, str] = {}

    def __call__(self, name: str) -> Any:
        if name in self._parsed:
            return self._parsed[name]
        if name not in self._failed:
            try:
                self._parsed[name] = self._parse(name)
                return self._parsed[name]
            except (ParseError, EvidenceUnavailable) as exc:
                self._failed[name] = f"evidence `{name}`: {exc}"
        raise EvidenceUnavailable(self._failed[name])

    def _parse(self, name: str) -> Any:
        entry = self._doc.get(name)
        if entry is None:
            raise EvidenceUnavailable("was not collected")
        if entry.get("error"):
            raise EvidenceUnavailable(f"collection failed: {entry['error']}")
        if entry.get("truncated"):
            raise EvidenceUnavailable("output was truncated")
        rc = entry.get("rc", 0)
        if rc is None and self._platform == "linux":
            raise EvidenceUnavailable(f"`{entry.get('command', name)}` has no recorded exit status")
        if rc not in (0, None):
            raise EvidenceUnavailable(f"`{entry.get('command', name)}` exited with status {rc}")
        output = entry["output"]
        recorded = entry.get("sha256")
        if not recorded:
            raise EvidenceUnavailable("output has no recorded SHA-256: it cannot be trusted")
        if recorded != sha256_text(output):
            raise EvidenceUnavailable("output does not match its recorded SHA-256 (altered or corrupted)")
        return self._catalog.sources[name].parse(output, self._platform)


def _os_family(cache: SourceCache) -> str | None:
    try:
        kv = cache("os_release")
    except EvidenceUnavailable:
        return None
    if not isinstance(kv, KeyValues):
        return None
    ids = " ".join((kv.get("ID") or []) + (kv.get("ID_LIKE") or [])).lower()
    if any(x in ids for x in ("debian", "ubuntu")):
        return "debian"
    if any(x in ids for x in ("rhel", "fedora", "centos", "rocky", "almalinux")):
        return "redhat"
    return None


def _result(check: Check, status: str, out: Outcome | None = None, reason: str = "") -> dict[str, Any]:
    res: dict[str, Any] = {"check": check.id, "status": status, "severity": check.severity}
    if out is not None:
        res.update(expected=out.expected, actual=out.actual, evidence=out.lines)
        reason = reason or out.reason
    if reason:
        res["reason"] = reason
    res["refs"] = check.refs
    return res


def apply_waiver(res: dict[str, Any], waivers: list[Waiver], info: HostInfo, today: date) -> None:
    """A failing result covered by a waiver becomes `waived`; an expired waiver keeps it `fail`."""
    if res["status"] != "fail":
        return
    for w in waivers:
        if w.matches(res["check"], info.name, info.groups):
            res["waiver"] = w.to_json()
            if w.expires < today:
                res["reason"] = f"waiver expired on {w.expires.isoformat()} ({w.where}); the check still fails"
            else:
                res["status"] = "waived"
            return


def evaluate_host(doc: Mapping[str, Any], catalog: Catalog, info: HostInfo, waivers: list[Waiver] = (),  # type: ignore[assignment]
                  today: date | None = None) -> dict[str, Any]:  # fmt: skip
    today = today or datetime.now(UTC).date()
    if not doc.get("error") and not catalog.for_platform(info.platform):
        doc = {"error": f"platform {info.platform!r} is not supported by the catalog", "sources": {}}
    cache = SourceCache(doc, catalog, info.platform)
    os_family = info.os_family or (_os_family(cache) if info.platform == "linux" else None)
    ctx = Context(info.name, info.vars, cache)
    host_error = doc.get("error")
    results = []
    for check in catalog.for_platform(info.platform):
        if check.rule is None:
            continue
        if "roles" in check.applies_to and info.role is None and not host_error:
            results.append(_result(check, "error", reason="the check depends on the host's role, which is unknown "
                                   "(host not in the inventory, or no prakan_role)"))  # fmt: skip
            continue
        if not check.applies(info.platform, info.role, os_family, info.category):
            results.append(_result(check, "not_applicable", reason=_why_not(check, info, os_family)))
            continue
        if host_error:
            results.append(_result(check, "error", reason=f"host was not collected: {host_error}"))
            continue
        try:
            out = check.rule(ctx)
        except Exception as exc:  # a defect in one check must not pass, nor stop the fleet
            out = Outcome("error", reason=f"internal error in the check: {type(exc).__name__}: {exc}")
        res = _result(check, out.status, out)
        apply_waiver(res, list(waivers), info, today)
        results.append(res)
    return {
        "name": info.name,
        "platform": info.platform,
        "role": info.role,
        "site": info.site,
        "os_family": os_family,
        "category": info.category,
        "collected_at": doc.get("collected_at"),
        "error": host_error,
        "summary": dict(Counter(r["status"] for r in results)),
        "results": results,
    }


def _why_not(check: Check, info: HostInfo, os_family: str | None) -> str:
    a = check.applies_to
    if "roles" in a and info.role not in a["roles"]:
        return f"applies only to roles {', '.join(a['roles'])}"
    if "os_family" in a and os_family not in a["os_family"]:
        return f"applies only to {', '.join(a['os_family'])} systems"
    if "min_category" in a:
        return f"applies from security category {a['min_category']} (host: {info.category})"
    return f"not for role {info.role}"


@dataclass
class EvidenceItem:
    path: Path
    doc: dict[str, Any] | None
    sha256: str | None
    problem: str | None = None


def manifest_hashes(directory: Path) -> dict[str, str] | None:
    """File name -> SHA-256 from the run's manifest (collect, import and sample shapes); None without one."""
    path = directory / MANIFEST
    if not path.exists():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EvidenceFormatError(f"{path}: unreadable manifest: {exc}") from exc
    if isinstance(manifest.get("files"), dict):
        return {str(k): str(v) for k, v in manifest["files"].items()}
    hosts = manifest.get("hosts") if isinstance(manifest.get("hosts"), dict) else {}
    return {str(h.get("file") or f"{name}.json"): str(h["sha256"])
            for name, h in hosts.items() if isinstance(h, dict) and h.get("sha256")}  # fmt: skip


def iter_evidence(directory: Path) -> Iterator[EvidenceItem]:
    """Each evidence file, validated: its name, its hash in the manifest, its structure."""
    listed = manifest_hashes(directory)
    for path in host_files(directory):
        try:
            doc, digest = load_host(path)
        except (EvidenceFormatError, OSError) as exc:
            yield EvidenceItem(path, None, None, str(exc))
            continue
        if doc["host"] != path.stem:
            yield EvidenceItem(path, None, digest, f"{path.name} holds evidence of host {doc['host']!r}: "
                               "an evidence file is named after its host")  # fmt: skip
        elif listed is not None and listed.get(path.name) != digest:
            why = "is not listed in" if path.name not in listed else "does not match its SHA-256 in"
            yield EvidenceItem(path, None, digest, f"{path.name} {why} the run's {MANIFEST} (altered or added)")
        else:
            yield EvidenceItem(path, doc, digest)


class ShardError(EvidenceFormatError):
    """Evidence directories (shards) that cannot be evaluated together: the same host in two of them."""


def _as_dirs(evidence: Path | Sequence[Path]) -> list[Path]:
    return [evidence] if isinstance(evidence, Path) else list(evidence)


def check_shards(directories: Sequence[Path]) -> None:
    """Refuse shards that overlap: a directory given twice, or a host with an evidence file in two
    directories (which of the two is the truth cannot be decided, so nothing is evaluated)."""
    seen_dirs: dict[Path, Path] = {}
    for d in directories:
        real = d.resolve()
        if real in seen_dirs:
            raise ShardError(f"evidence directory {d} is given twice (as {seen_dirs[real]} and {d})")
        seen_dirs[real] = d
    if len(directories) < 2:
        return
    owner: dict[str, Path] = {}
    for d in directories:
        for path in host_files(d):
            first = owner.setdefault(path.stem, path)
            if first is not path:
                raise ShardError(f"host {path.stem!r} appears in two evidence shards: {first} and {path}; "
                                 "each host must be collected in exactly one shard")  # fmt: skip


class ResultsWriter:
    """Streams results.json: run metadata, then one host at a time, then the summary."""

    def __init__(self, fh: IO[str], meta: Mapping[str, Any]) -> None:
        self.fh = fh
        self.counts: Counter[str] = Counter()
        self.by_severity: Counter[tuple[str, str]] = Counter()
        self.hosts: Counter[str] = Counter()
        self.evidence: dict[str, str | None] = {}
        self._first = True
        head = json.dumps({"format": RESULTS_FORMAT, "version": RESULTS_VERSION, "run": meta}, ensure_ascii=False)
        fh.write(head[:-1] + ', "hosts": [\n')

    def add(self, host: Mapping[str, Any], evidence_sha256: str | None) -> None:
        self.fh.write(("" if self._first else ",\n") + json.dumps(host, ensure_ascii=False))
        self._first = False
        self.evidence[host["name"]] = evidence_sha256
        self.counts.update(r["status"] for r in host["results"])
        self.by_severity.update((r["status"], r["severity"]) for r in host["results"])
        self.hosts["error" if host.get("error") else "evaluated"] += 1

    def close(self, organisation: list[dict[str, Any]]) -> dict[str, Any]:
        by_severity: dict[str, dict[str, int]] = {}
        for (status, severity), n in sorted(self.by_severity.items()):
            by_severity.setdefault(status, {})[severity] = n
        summary = {"hosts": sum(self.hosts.values()), "hosts_in_error": self.hosts["error"],
                   "by_status": {s: self.counts.get(s, 0) for s in STATUSES}, "by_severity": by_severity}  # fmt: skip
        tail = {"organisation": organisation, "evidence_sha256": self.evidence, "summary": summary}
        self.fh.write("\n], " + json.dumps(tail, ensure_ascii=False)[1:] + "\n")
        return summary


def organisation_results(catalog: Catalog) -> list[dict[str, Any]]:
    """Manual controls: an auditor must see evidence; they are listed once for the organisation."""
    return [
        {"check": c.id, "status": "manual", "severity": c.severity, "title": dict(c.title),
         "evidence_required": dict(c.evidence_required), "refs": c.refs}
        for c in catalog.checks.values() if c.kind == "manual"
    ]  # fmt: skip


def run_metadata(catalog: Catalog, evidence_dir: Path | Sequence[Path], inventory: str | None) -> dict[str, Any]:
    dirs = _as_dirs(evidence_dir)
    shards = {"evidence_dirs": [str(d) for d in dirs]} if len(dirs) > 1 else {}
    return {
        "tool": "prakan",
        "version": __version__,
        "started_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "catalog": {"version": catalog.version, "sha256": catalog.sha256, "checks": len(catalog.checks)},
        "evidence_dir": str(dirs[0]) if len(dirs) == 1 else ", ".join(str(d) for d in dirs),
        **shards,
        "inventory": inventory,
        "checks": {
            c.id: {"title": dict(c.title), "severity": c.severity, "kind": c.kind,
                   "remediation": dict(c.remediation)}
            for c in catalog.checks.values()
        },
    }  # fmt: skip


def host_info_from_inventory(inv: Any, name: str, platform: str) -> HostInfo:
    host = inv.hosts[name]
    return HostInfo(
        name=name,
        platform=host.platform or platform,
        role=host.role,
        site=host.site,
        os_family=host.vars.get("prakan_os_family"),
        category=inv.category_of(host),
        groups=tuple(host.groups),
        vars=host.vars,
    )


def evaluate_run(
    evidence_dir: Path | Sequence[Path],
    catalog: Catalog,
    out: IO[str],
    inventory: Any | None = None,
    waivers: list[Waiver] | None = None,
    today: date | None = None,
    only_inventory_hosts: bool = False,
) -> dict[str, Any]:
    """Evaluate every evidence file in `evidence_dir` and stream results.json to `out`.

    `evidence_dir` may be several directories (shards collected separately, e.g. by AWX job
    slices): they are evaluated as one run, and a host with evidence in two of them is refused
    (ShardError, before anything is written).

    With an inventory, hosts in it but without evidence are reported as errors (nothing collected
    is never a pass); hosts with evidence but not in the inventory are evaluated without
    inventory values, so checks that need those values are errors (unless `only_inventory_hosts`,
    as with `--limit`, skips them).
    """
    waivers = waivers or []
    dirs = _as_dirs(evidence_dir)
    check_shards(dirs)
    writer = ResultsWriter(out, run_metadata(catalog, evidence_dir, str(inventory.path) if inventory else None))
    seen: set[str] = set()
    for item in (item for d in dirs for item in iter_evidence(d)):
        if item.doc is None:
            name = item.path.stem
            platform = inventory.hosts[name].platform if inventory and name in inventory.hosts else "unknown"
            doc: dict[str, Any] = {"error": item.problem, "sources": {}}
        else:
            doc, name, platform = item.doc, item.doc["host"], item.doc["platform"]
        if inventory is not None and name not in inventory.hosts:
            if only_inventory_hosts:
                continue  # outside --limit
            if item.doc is not None:
                info = HostInfo(name=name, platform=platform)
                writer.add(evaluate_host(doc, catalog, info, waivers, today) | {"note": "not in the inventory"},
                           item.sha256)  # fmt: skip
            continue
        seen.add(name)
        info = host_info_from_inventory(inventory, name, platform) if inventory else HostInfo(name, platform)
        if item.doc is not None and info.platform != platform:
            doc = {"error": f"evidence is for platform {platform}, the inventory says {info.platform}", "sources": {}}
        writer.add(evaluate_host(doc, catalog, info, waivers, today), item.sha256)
    if inventory is not None:
        for name in sorted(set(inventory.hosts) - seen):
            info = host_info_from_inventory(inventory, name, "unknown")
            where = ", ".join(str(d) for d in dirs)
            doc = {"error": f"no evidence file for this host in {where}", "sources": {}}
            writer.add(evaluate_host(doc, catalog, info, waivers, today), None)
    return writer.close(organisation_results(catalog))

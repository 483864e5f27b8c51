"""Evaluation: evidence + catalog + inventory -> results. Pure and offline.

Each evidence source is parsed at most once per host, each rule was compiled once with the catalog,
and hosts stream through one at a time, so memory stays flat however large the fleet.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from prakan import __version__
from prakan.catalog import Catalog, Check
from prakan.clock import utc_text
from prakan.evidence import MANIFEST, EvidenceFormatError, host_files, load_host, sha256_text
from prakan.parse import KeyValues, ParseError
from prakan.rules import Context, EvidenceUnavailable, Outcome
from prakan.trust import MAX_MANIFEST_BYTES, TrustError, Verification, read_regular, verify
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

    def __init__(self, doc: Mapping[str, Any], catalog: Catalog, platform: str, fragments: bool = False) -> None:
        self._fragments = fragments  # the catalog's samples: configuration fragments are allowed
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
        if "rc" not in entry and self._platform == "linux":
            raise EvidenceUnavailable(f"`{entry.get('command', name)}` has no `rc` (exit status) recorded")
        rc = entry.get("rc")
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
        return self._catalog.sources[name].parse(output, self._platform, fragments=self._fragments)


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


def evaluate_host(
    doc: Mapping[str, Any],
    catalog: Catalog,
    info: HostInfo,
    waivers: list[Waiver] = (),  # type: ignore[assignment]
    today: date | None = None,
) -> dict[str, Any]:
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
            results.append(
                _result(
                    check,
                    "error",
                    reason="the check depends on the host's role, which is unknown "
                    "(host not in the inventory, or no prakan_role)",
                )
            )
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
        # each source's recorded SHA-256, so a report can show the hash of the evidence behind a verdict
        "sources": {
            name: src.get("sha256") for name, src in sorted(doc.get("sources", {}).items()) if isinstance(src, Mapping)
        },
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
    platform: str | None = None  # as the file claims, when the file itself cannot be trusted
    host: str | None = None


@dataclass
class Manifest:
    """What the run's manifest vouches for: file name -> SHA-256, the hosts it lists (with the file
    each should have, and why not), and how far the manifest itself can be trusted. `problem` set:
    nothing in the directory can be trusted, every host is `error`."""

    files: dict[str, str]
    hosts: dict[str, tuple[str | None, str | None, str | None]]  # host -> (file, platform, reason)
    verification: Verification
    problem: str | None = None


def load_manifest(directory: Path, key: bytes | None, trust_unsigned: bool = False) -> Manifest:
    """Read and verify the run's manifest. Never raises for bad content: the problem is recorded."""
    path = directory / MANIFEST
    if not path.exists() and not path.is_symlink():
        why = (
            f"no {MANIFEST} in {directory}: the evidence cannot be verified (the manifest was removed, or the "
            "run was killed before writing it)"
        )
        return Manifest({}, {}, Verification("missing", why), why)
    try:
        manifest = json.loads(read_regular(path, MAX_MANIFEST_BYTES))
    except (TrustError, ValueError, RecursionError) as exc:
        why = f"{path}: unreadable manifest: {exc}"
        return Manifest({}, {}, Verification("unreadable", why), why)
    if not isinstance(manifest, dict):
        why = f"{path}: the manifest is a JSON {type(manifest).__name__}, not an object"
        return Manifest({}, {}, Verification("unreadable", why), why)
    check = verify(manifest, key)
    problem = None
    if check.state == "bad-signature" or (check.state in ("unsigned", "no-key") and not trust_unsigned):
        hint = "" if check.state == "bad-signature" else " (evaluate with --trust-unsigned to accept it unverified)"
        problem = f"{path}: {check.detail}{hint}"
    elif not check.verified:
        check = Verification(check.state, f"{check.detail}; accepted unverified (--trust-unsigned)", check.key_id)
    files: dict[str, str] = {}
    hosts: dict[str, tuple[str | None, str | None, str | None]] = {}
    raw_files = manifest.get("files")
    if isinstance(raw_files, dict):
        files = {str(k): str(v) for k, v in raw_files.items()}
    raw_hosts = manifest.get("hosts")
    if isinstance(raw_hosts, dict):
        for name, h in raw_hosts.items():
            if not isinstance(h, dict):
                continue
            file = h.get("file") or (f"{name}.json" if h.get("sha256") else None)
            if file and h.get("sha256") and not isinstance(raw_files, dict):
                files[str(file)] = str(h["sha256"])
            hosts[str(name)] = (str(file) if file else None, h.get("platform"), h.get("reason"))
    if not isinstance(raw_files, dict) and not isinstance(raw_hosts, dict) and problem is None:
        problem = f"{path}: the manifest lists no files (neither `files` nor `hosts`)"
    return Manifest(files, hosts, check, problem)


def manifest_hashes(directory: Path) -> dict[str, str] | None:
    """File name -> SHA-256 from the run's manifest, unverified; None without a readable one."""
    m = load_manifest(directory, None, trust_unsigned=True)
    return None if m.verification.state in ("missing", "unreadable") else m.files


def iter_evidence(directory: Path, manifest: Manifest | None = None) -> Iterator[EvidenceItem]:
    """Each evidence file, validated: its name, its hash in the (verified) manifest, its structure;
    then every host the manifest lists whose evidence file is gone."""
    manifest = manifest or load_manifest(directory, None, trust_unsigned=True)
    seen: set[str] = set()
    for path in host_files(directory):
        seen.add(path.name)
        try:
            doc, digest = load_host(path)
        except (EvidenceFormatError, OSError) as exc:  # the manifest may still say which platform it was
            yield EvidenceItem(path, None, None, str(exc), platform=manifest.hosts.get(path.stem, (None, None))[1])
            continue
        if doc["host"] != path.stem:
            yield EvidenceItem(
                path,
                None,
                digest,
                f"{path.name} holds evidence of host {doc['host']!r}: an evidence file is named after its host",
            )
        elif manifest.problem:
            yield EvidenceItem(path, None, digest, manifest.problem, platform=doc["platform"])
        elif manifest.files.get(path.name) != digest:
            why = "is not listed in" if path.name not in manifest.files else "does not match its SHA-256 in"
            yield EvidenceItem(
                path,
                None,
                digest,
                f"{path.name} {why} the run's {MANIFEST} (altered or added)",
                platform=doc["platform"],
            )
        else:
            yield EvidenceItem(path, doc, digest)
    listed: dict[str, tuple[str | None, str | None]] = {
        **{f: (None, None) for f in manifest.files},
        **{f: (p, r) for _, (f, p, r) in manifest.hosts.items() if f},
    }
    for file, (platform, _reason) in sorted(listed.items()):
        if file not in seen and not file.startswith(".") and "/" not in file:
            yield EvidenceItem(
                directory / file,
                None,
                None,
                f"the run's {MANIFEST} lists {file}, but it is not in {directory} (deleted?)",
                platform=platform,
            )
    for name, (host_file, platform, reason) in sorted(manifest.hosts.items()):
        if host_file is None:
            yield EvidenceItem(
                directory / f"{name}.json",
                None,
                None,
                f"the run's {MANIFEST} lists host {name} without an evidence file" + (f": {reason}" if reason else ""),
                platform=platform,
                host=name,
            )


MAX_AGE_DAYS = 7.0  # default maximum evidence age (evaluate/scan --max-age)
CLOCK_SKEW = timedelta(minutes=5)  # a timestamp this far in the future is tolerated (clock drift)
_HOSTNAME = re.compile(r"^hostname (\S+)", re.MULTILINE)


def _timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else None


def evidence_problem(
    doc: Mapping[str, Any], info: HostInfo, now: datetime, max_age: timedelta | None
) -> tuple[str | None, float | None]:
    """Why a host's (hash-verified) evidence still cannot be trusted, and its age in days: no or a
    bad timestamp, older than `max_age`, from the future, or a configuration of another device."""
    if doc.get("error"):
        return None, None
    stamps = {"collected_at": doc.get("collected_at")}
    for name, src in (doc.get("sources") or {}).items():
        stamps[f"source `{name}` collected_at"] = src.get("collected_at")
    parsed: list[datetime] = []
    for what, value in stamps.items():
        t = _timestamp(value)
        if t is None:
            return f"evidence {what} {value!r} is not a UTC timestamp: its age cannot be known", None
        parsed.append(t)
    oldest, newest = min(parsed), max(parsed)
    age = round((now - oldest).total_seconds() / 86400, 3)
    if newest - now > CLOCK_SKEW:
        return (
            f"evidence is dated in the future ({newest.strftime('%Y-%m-%dT%H:%M:%SZ')}, now "
            f"{now.strftime('%Y-%m-%dT%H:%M:%SZ')}): a wrong clock or forged evidence"
        ), age
    if max_age is not None and now - oldest > max_age:
        return (
            f"evidence is {age:.1f} days old (collected at {oldest.strftime('%Y-%m-%dT%H:%M:%SZ')}), older than "
            f"the maximum of {max_age.total_seconds() / 86400:g} days (--max-age)"
        ), age
    if info.platform == "cisco_ios":
        src = (doc.get("sources") or {}).get("running_config") or {}
        m = _HOSTNAME.search(src.get("output") or "")
        if m and not _same_device(m.group(1), info):
            return (
                f"the running-config names hostname {m.group(1)!r}, not this host ({info.name}"
                + (f", prakan_hostname {info.vars['prakan_hostname']!r}" if info.vars.get("prakan_hostname") else "")
                + "): evidence of another device"
            ), age
    return None, age


def _same_device(hostname: str, info: HostInfo) -> bool:
    names = {info.name.lower(), info.name.lower().split(".")[0]}
    if info.vars.get("prakan_hostname"):
        names.add(str(info.vars["prakan_hostname"]).lower())
    h = hostname.lower()
    return h in names or h.split(".")[0] in names


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
                raise ShardError(
                    f"host {path.stem!r} appears in two evidence shards: {first} and {path}; "
                    "each host must be collected in exactly one shard"
                )


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
        summary = {
            "hosts": sum(self.hosts.values()),
            "hosts_in_error": self.hosts["error"],
            "by_status": {s: self.counts.get(s, 0) for s in STATUSES},
            "by_severity": by_severity,
        }
        tail = {"organisation": organisation, "evidence_sha256": self.evidence, "summary": summary}
        self.fh.write("\n], " + json.dumps(tail, ensure_ascii=False)[1:] + "\n")
        return summary


def organisation_results(catalog: Catalog) -> list[dict[str, Any]]:
    """Manual controls: an auditor must see evidence; they are listed once for the organisation."""
    return [
        {
            "check": c.id,
            "status": "manual",
            "severity": c.severity,
            "title": dict(c.title),
            "evidence_required": dict(c.evidence_required),
            "refs": c.refs,
        }
        for c in catalog.checks.values()
        if c.kind == "manual"
    ]


def run_metadata(catalog: Catalog, evidence_dir: Path | Sequence[Path], inventory: str | None) -> dict[str, Any]:
    dirs = _as_dirs(evidence_dir)
    shards = {"evidence_dirs": [str(d) for d in dirs]} if len(dirs) > 1 else {}
    return {
        "tool": "prakan",
        "version": __version__,
        "started_at": utc_text(),
        "catalog": {"version": catalog.version, "sha256": catalog.sha256, "checks": len(catalog.checks)},
        "evidence_dir": str(dirs[0]) if len(dirs) == 1 else ", ".join(str(d) for d in dirs),
        **shards,
        "inventory": inventory,
        "checks": {
            c.id: {"title": dict(c.title), "severity": c.severity, "kind": c.kind, "remediation": dict(c.remediation)}
            for c in catalog.checks.values()
        },
    }


def run_context(evidence_dir: Path, inventory: Any | None) -> dict[str, Any]:
    """What a report needs beyond the verdicts: the manifest's hash, the organisation and its sites."""
    from prakan.evidence import sha256_file

    ctx: dict[str, Any] = {"manifest_sha256": None}
    if (evidence_dir / MANIFEST).is_file():
        ctx["manifest_sha256"] = sha256_file(evidence_dir / MANIFEST)
    if inventory is None:
        return ctx
    org = inventory.org.get("prakan_org")
    ctx["org"] = {k: v for k, v in org.items() if isinstance(v, str)} if isinstance(org, Mapping) else {}
    ctx["sites"] = {
        code: _plain(dict(site.vars)) | {"category": site.category} for code, site in sorted(inventory.sites.items())
    }
    return ctx


def _plain(value: Any) -> Any:
    """Inventory values as plain JSON (vaulted or odd values become strings; owner contacts are left out)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items() if k != "owner"}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or type(value) in (bool, int, float, str):
        return value
    return "<vaulted>" if "Encrypted" in type(value).__name__ else str(value)


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
    manifest_key: bytes | None = None,
    trust_unsigned: bool = False,
    max_age: timedelta | None = timedelta(days=MAX_AGE_DAYS),
    now: datetime | None = None,
) -> dict[str, Any]:
    """Evaluate every evidence file in `evidence_dir` and stream results.json to `out`.

    The run's manifest must be there and signed with `manifest_key` (or, with `trust_unsigned`,
    unsigned: accepted but marked unverified); otherwise every host is `error`. Each file must
    match its hash in the manifest, be no older than `max_age`, not dated in the future, and (IOS)
    name this device in its running-config. With an inventory, hosts in it but without evidence are
    reported as errors (nothing collected is never a pass); hosts with evidence but not in the
    inventory are evaluated without inventory values, so checks that need those values are errors
    (unless `only_inventory_hosts`, as with `--limit`, skips them).

    `evidence_dir` may be several directories (shards collected separately, e.g. by AWX job slices),
    each with its own signed manifest: they are evaluated as one run, and a host with evidence in two
    of them is refused (ShardError, before anything is written).
    """
    waivers = waivers or []
    now = now or datetime.now(UTC)
    today = today or now.date()
    dirs = _as_dirs(evidence_dir)
    for d in dirs:  # an unreadable directory would otherwise look empty: no hosts, "0 in error"
        try:
            os.listdir(d)
        except OSError as exc:
            raise EvidenceFormatError(f"{d}: cannot read the evidence directory: {exc.strerror or exc}") from exc
    check_shards(dirs)
    shard_manifests = [(d, load_manifest(d, manifest_key, trust_unsigned)) for d in dirs]
    meta = run_metadata(catalog, evidence_dir, str(inventory.path) if inventory else None)
    meta.update(run_context(dirs[0], inventory))
    meta["evidence_trust"] = shard_manifests[0][1].verification.to_json() | {
        "max_age_days": None if max_age is None else max_age.total_seconds() / 86400,
        "evaluated_at": utc_text(now),
    }
    if len(dirs) > 1:  # each shard has its own manifest, verified on its own
        meta["evidence_trust"]["shards"] = {str(d): m.verification.to_json() for d, m in shard_manifests}
    writer = ResultsWriter(out, meta)
    verified = False  # of the shard being read

    def add(doc: Mapping[str, Any], info: HostInfo, sha: str | None, note: str | None = None) -> None:
        problem, age = evidence_problem(doc, info, now, max_age)
        if problem:
            doc = {"error": problem, "collected_at": doc.get("collected_at"), "sources": {}}
        host = evaluate_host(doc, catalog, info, waivers, today)
        host["evidence_verified"] = verified and not doc.get("error")
        host["evidence_age_days"] = age
        writer.add(host | ({"note": note} if note else {}), sha)

    seen: set[str] = set()
    shards = ((m, item) for d, m in shard_manifests for item in iter_evidence(d, m))  # streamed
    for manifest, item in shards:
        verified = manifest.verification.verified and manifest.problem is None
        if item.doc is None:
            name = item.host or item.path.stem
            if name in seen:
                continue
            claimed = item.platform or "unknown"
            platform = inventory.hosts[name].platform if inventory and name in inventory.hosts else claimed
            doc: dict[str, Any] = {"error": item.problem, "sources": {}}
        else:
            doc, name, platform = item.doc, item.doc["host"], item.doc["platform"]
        if inventory is not None and name not in inventory.hosts:
            if only_inventory_hosts:
                continue  # outside --limit
            seen.add(name)
            add(doc, HostInfo(name=name, platform=platform), item.sha256, "not in the inventory")
            continue
        seen.add(name)
        info = host_info_from_inventory(inventory, name, platform) if inventory else HostInfo(name, platform)
        if item.doc is not None and info.platform != platform:
            doc = {"error": f"evidence is for platform {platform}, the inventory says {info.platform}", "sources": {}}
        add(doc, info, item.sha256)
    if inventory is not None:
        for name in sorted(set(inventory.hosts) - seen):
            info = host_info_from_inventory(inventory, name, "unknown")
            where = ", ".join(str(d) for d in dirs)
            add({"error": f"no evidence file for this host in {where}", "sources": {}}, info, None)
    return writer.close(organisation_results(catalog))

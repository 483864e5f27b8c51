"""The data behind every section of the report, built in one pass over results.json.

Plain functions and small typed records; nothing here renders. `ReportBuilder.add_host` is called for
each host as it streams in; `ReportBuilder.finish` returns a `ReportData` with the cover, the framework
views, sites, findings by check, waivers, the manual checklist and the compact per-host table the page
pages through. `history` (first-seen dates, trends) is an optional context a later stage may pass; the
report works without it.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

STATUSES = ("pass", "fail", "error", "not_applicable", "manual", "waived")
SEVERITIES = ("critical", "high", "medium", "low", "info")
ASSESSED = frozenset({"pass", "fail", "error", "waived"})  # applicable, automated results
BAD = frozenset({"fail", "error"})
LIMIT_INLINE = 20  # at most this many hosts in an ansible --limit written on the page
GIN_END = "2027-09-30"  # GIN service ends 2570 B.E. (standards: the inventory model)
_REASON_SPLIT = re.compile(r"; (?=evidence `)")
ISO_THEMES = ("organizational", "people", "physical", "technological")


def score(counts: Mapping[str, int]) -> float | None:
    """Pass share (percent, one decimal) of assessed results: pass / (pass + fail + error).

    Waived results are left out (an approved exception is neither a pass nor a fail); an `error` counts
    against the score (fail closed). None when nothing was assessed.
    """
    denom = counts.get("pass", 0) + counts.get("fail", 0) + counts.get("error", 0)
    return None if denom == 0 else round(100.0 * counts.get("pass", 0) / denom, 1)


def share(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100.0 * part / whole, 1)


@dataclass(slots=True)
class ClauseRow:
    """One framework clause: its checks and how the hosts they apply to fare."""

    id: str
    title: Mapping[str, str]
    depth: int
    automation: str
    automated: list[str]
    manual: list[str]
    hosts_applicable: int = 0
    hosts_passing: int = 0
    results: Counter[str] = field(default_factory=Counter)
    theme: str | None = None
    label_th: str | None = None

    @property
    def status(self) -> str:
        if self.automated:
            return "automated"
        return "manual" if self.manual else "not_covered"

    @property
    def host_share(self) -> float | None:
        return share(self.hosts_passing, self.hosts_applicable)

    @property
    def result_share(self) -> float | None:
        return score(self.results)


@dataclass(slots=True)
class TierMeasure:
    id: str
    title: Mapping[str, str]
    tier: str  # the tier that introduces it
    row: ClauseRow


@dataclass(slots=True)
class Tier:
    id: str
    title: Mapping[str, str]
    sites: list[str]
    hosts: int
    measures: list[TierMeasure]


@dataclass(slots=True)
class SiteRow:
    code: str
    info: Mapping[str, Any]
    hosts: int = 0
    hosts_in_error: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    failing: Counter[str] = field(default_factory=Counter)  # check -> hosts failing it

    @property
    def score(self) -> float | None:
        return score(self.counts)

    def worst(self, severity_of: Mapping[str, str], n: int = 5) -> list[tuple[str, int]]:
        rank = {s: i for i, s in enumerate(SEVERITIES)}
        items = sorted(
            self.failing.items(), key=lambda kv: (rank.get(severity_of.get(kv[0], "info"), 9), -kv[1], kv[0])
        )
        return items[:n]


@dataclass(slots=True)
class Finding:
    check: str
    severity: str
    counts: Counter[str]
    failing: list[str]
    erroring: list[str]
    waived: list[str]
    refs: Mapping[str, Any]
    limit: str | None  # the --limit argument, None when nothing to fix or no automated remediation
    limit_file: list[str] | None  # hosts for limits/<check>.txt when too many to write inline


@dataclass(slots=True)
class WaiverRow:
    check: str
    ticket: str
    approver: str
    expires: str
    reason: str
    where: str
    expired: bool
    hosts: list[str]


@dataclass(slots=True)
class UnassessedHost:
    name: str
    site: str | None
    platform: str
    role: str | None
    host_error: str | None  # the whole host could not be assessed
    errors: int  # results in error
    reasons: list[tuple[str, int]]  # distinct reasons, most frequent first


@dataclass(slots=True)
class ReportData:
    head: Mapping[str, Any]
    run: Mapping[str, Any]
    checks: Mapping[str, Mapping[str, Any]]
    org: Mapping[str, Any]
    title: Mapping[str, str]
    generated_at: str
    totals: dict[str, int]
    by_severity: dict[str, dict[str, int]]  # severity -> status -> count
    hosts: int
    hosts_by_platform: dict[str, int]
    hosts_by_role: dict[str, int]
    collected: tuple[str | None, str | None]
    unassessed: list[UnassessedHost]
    iso: list[ClauseRow]
    iso_themes: list[tuple[str, float | None, Counter[str]]]
    ncsa: list[ClauseRow]
    ncsa_groups: list[tuple[ClauseRow, float | None]]
    tiers: list[Tier]
    min_std: Mapping[str, Any]
    sites: list[SiteRow]
    findings: list[Finding]
    waivers: list[WaiverRow]
    manual: list[Mapping[str, Any]]
    catalog_diff: Mapping[str, Any] | None
    table: dict[str, Any]  # the compact per-host data for the page's own script
    history: Any = None


class Interner:
    """Strings and repeated records to small integers, so the page's data stays small at 10,000 hosts."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self._index: dict[Any, int] = {}

    def __call__(self, value: Any) -> int:
        i = self._index.get(value)
        if i is None:
            i = self._index[value] = len(self.items)
            self.items.append(value)
        return i


def _titles(run: Mapping[str, Any], check: str) -> Mapping[str, str]:
    c = run.get("checks", {}).get(check) or {}
    t = c.get("title")
    return t if isinstance(t, Mapping) else {"en": check, "th": check}


class ReportBuilder:
    """Accumulates everything the report shows while hosts stream past."""

    def __init__(
        self,
        head: Mapping[str, Any],
        frameworks: Mapping[str, Any],
        current_catalog: Any | None = None,
        history: Any | None = None,
    ) -> None:
        self.head = head
        self.run: Mapping[str, Any] = head["run"]
        self.frameworks = frameworks
        self.current_catalog = current_catalog
        self.history = history
        self.check_info: Mapping[str, Mapping[str, Any]] = self.run.get("checks", {})
        self.sites_info: Mapping[str, Any] = self.run.get("sites") or {}
        self.totals: Counter[str] = Counter()
        self.by_severity: dict[str, Counter[str]] = defaultdict(Counter)
        self.per_check: dict[str, Counter[str]] = defaultdict(Counter)
        self.check_hosts: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        self.refs: dict[str, Mapping[str, Any]] = {}
        self.sites: dict[str, SiteRow] = {}
        self.platforms: Counter[str] = Counter()
        self.roles: Counter[str] = Counter()
        self.signatures: Counter[tuple[str | None, frozenset[str], frozenset[str]]] = Counter()
        self.unassessed: list[UnassessedHost] = []
        self.waivers: dict[tuple[str, str, str], WaiverRow] = {}
        self.collected: list[str] = []
        self.hosts = 0
        # compact table
        self.strings = Interner()
        self.details = Interner()
        self.rows: list[list[Any]] = []
        self._check_idx = Interner()
        self._raw: dict[tuple[Any, ...], int] = {}
        self._meta: list[tuple[str, str, bool, bool]] = []  # per detail: check, status, assessed, bad
        self._sev: list[str] = []
        self.detail_counts: Counter[int] = Counter()
        self.last_ids: list[int] = []
        self._sev_idx = {s: i for i, s in enumerate(SEVERITIES)}
        self._status_idx = {s: i for i, s in enumerate(STATUSES)}
        for cid in sorted(self.check_info):
            self._check_idx(cid)

    # -- per result -----------------------------------------------------------------------------------
    def _detail_id(self, r: Mapping[str, Any]) -> int:
        """The id of a result's (check, status, values, evidence lines); identical results share one."""
        ev = r.get("evidence") or ()
        w = r.get("waiver")
        try:
            key = (
                r.get("check"),
                r.get("status"),
                r.get("severity"),
                r.get("expected"),
                r.get("actual"),
                r.get("reason"),
                tuple((e.get("source"), e.get("line"), e.get("text")) for e in ev) if ev else (),
                _waiver_text(w) if w else None,
            )
            did = self._raw.get(key)
        except (TypeError, AttributeError):  # odd values (lists, objects): the slow path only
            key, did = None, None
        if did is not None:
            return did
        cid = str(r.get("check", "?"))
        status = r.get("status", "error")
        if status not in self._status_idx:
            status = "error"
        sev = str(r.get("severity", "info"))
        if cid not in self.refs and isinstance(r.get("refs"), Mapping):
            self.refs[cid] = r["refs"]
        s = self.strings
        evs = tuple(
            (s(str(e.get("source", ""))), int(e.get("line") or 0), s(str(e.get("text", ""))))
            for e in ev
            if isinstance(e, Mapping)
        )
        did = self.details(
            (
                self._check_idx(cid),
                self._status_idx[status],
                self._sev_idx.get(sev, 4),
                s(str(r.get("expected", ""))),
                s(str(r.get("actual", ""))),
                s(str(r.get("reason", ""))),
                evs,
                s(_waiver_text(w)) if isinstance(w, Mapping) else -1,
            )
        )
        if did == len(self._meta):
            self._meta.append((cid, status, status in ASSESSED, status in BAD))
            self._sev.append(sev)
        if key is not None:
            if len(self._raw) > 200_000:  # bound the memory of a fleet whose results never repeat
                self._raw.clear()
            self._raw[key] = did
        return did

    # -- per host -------------------------------------------------------------------------------------
    def add_host(self, host: Mapping[str, Any]) -> None:
        self.hosts += 1
        name = host["name"]
        site = host.get("site")
        platform = str(host.get("platform") or "unknown")
        role = host.get("role")
        self.platforms[platform] += 1
        self.roles[str(role or "-")] += 1
        if host.get("collected_at"):
            self.collected.append(str(host["collected_at"]))
        srow = None
        if site is not None:
            srow = self.sites.get(site)
            if srow is None:
                srow = self.sites[site] = SiteRow(site, self.sites_info.get(site) or {})
            srow.hosts += 1
        ids = [self._detail_id(r) for r in host["results"]]
        self.detail_counts.update(ids)
        host_counts: Counter[str] = Counter()
        errors: Counter[str] = Counter()
        applicable: list[str] = []
        bad: list[str] = []
        meta = self._meta
        for did, r in zip(ids, host["results"], strict=True):
            cid, status, assessed, is_bad = meta[did]
            host_counts[status] += 1
            if assessed:
                applicable.append(cid)
                if is_bad:
                    bad.append(cid)
            if status == "pass" or not assessed:
                continue
            self.check_hosts[cid][status].append(name)
            if status == "error":  # one count per distinct problem, even when a check names several
                errors.update(set(_REASON_SPLIT.split(str(r.get("reason") or "no reason recorded"))))
            elif status == "fail" and srow is not None:
                srow.failing[cid] += 1
            w = r.get("waiver")
            if isinstance(w, Mapping):
                key = (cid, str(w.get("ticket") or ""), str(w.get("expires") or ""))
                row = self.waivers.get(key)
                if row is None:
                    row = self.waivers[key] = WaiverRow(
                        cid,
                        key[1],
                        str(w.get("approver") or ""),
                        key[2],
                        str(w.get("reason") or ""),
                        str(w.get("where") or ""),
                        status != "waived",
                        [],
                    )
                row.hosts.append(name)
        self.last_ids = ids
        self.totals.update(host_counts)
        category = host.get("category") or ((self.sites_info.get(site) or {}).get("category") if site else None)
        self.signatures[(category, frozenset(applicable), frozenset(bad))] += 1
        if srow is not None:
            srow.counts.update(host_counts)
            if host.get("error"):
                srow.hosts_in_error += 1
        if host.get("error") or errors:
            self.unassessed.append(
                UnassessedHost(
                    name,
                    site,
                    platform,
                    role,
                    host.get("error"),
                    host_counts["error"],
                    sorted(errors.items(), key=lambda kv: (-kv[1], kv[0])),
                )
            )
        raw_sources = host.get("sources")
        sources: Mapping[str, Any] = raw_sources if isinstance(raw_sources, Mapping) else {}
        s = self.strings
        self.rows.append(
            [
                s(name),
                s(site or ""),
                s(platform),
                s(str(role or "")),
                s(str(host.get("error") or "")),
                s(str(host.get("collected_at") or "")),
                [host_counts.get(k, 0) for k in STATUSES],
                ids,
                [[s(str(k)), s(str(v or ""))] for k, v in sources.items()],
            ]
        )

    # -- at the end -----------------------------------------------------------------------------------
    def finish(self, tail: Mapping[str, Any], title: Mapping[str, str] | None, generated_at: str) -> ReportData:
        run = self.run
        for did, n in self.detail_counts.items():
            cid, status, _, _ = self._meta[did]
            self.per_check[cid][status] += n
            self.by_severity[self._sev[did]][status] += n
        org = run.get("org") or {}
        if title is None:
            title = {"en": org.get("name_en") or "Compliance report", "th": org.get("name_th") or "รายงานการตรวจสอบ"}
        evidence = tail.get("evidence_sha256") or {}
        for row in self.rows:
            row.insert(5, self.strings(str(evidence.get(self.strings.items[row[0]]) or "")))
        severity_of = {c: str(i.get("severity", "info")) for c, i in self.check_info.items()}
        kinds = {c: str(i.get("kind", "automated")) for c, i in self.check_info.items()}
        manual = [m for m in tail.get("organisation") or [] if isinstance(m, Mapping)]
        for m in manual:
            if isinstance(m.get("refs"), Mapping):
                self.refs.setdefault(str(m.get("check")), m["refs"])
        iso = self._framework_rows("iso27001_2022", kinds)
        ncsa = self._framework_rows("ncsa_cop_2564", kinds)
        theme_rows = []
        for theme in ISO_THEMES:
            checks = {c for row in iso if row.theme == theme for c in row.automated}
            counts = _sum_counts(self.per_check, checks)
            theme_rows.append((theme, score(counts), counts))
        groups = [(row, row.result_share) for row in ncsa if row.depth <= 1 and row.automated]
        collected = sorted(self.collected)
        unassessed = sorted(self.unassessed, key=lambda u: (u.host_error is None, -u.errors, u.name))
        sites = [self.sites.get(code) or SiteRow(code, info) for code, info in sorted(self.sites_info.items())]
        sites += [row for code, row in sorted(self.sites.items()) if code not in self.sites_info]
        table = {
            "strings": self.strings.items,
            "checks": [
                [
                    cid,
                    self._sev_idx.get(severity_of.get(cid, "info"), 4),
                    _titles(run, cid).get("en", cid),
                    _titles(run, cid).get("th", cid),
                ]
                for cid in self._check_idx.items
            ],
            "details": [[*d[:6], [list(e) for e in d[6]], d[7]] for d in self.details.items],
            "hosts": self.rows,
        }
        return ReportData(
            head=self.head,
            run=run,
            checks=self.check_info,
            org=org,
            title=title,
            generated_at=generated_at,
            totals={s: self.totals.get(s, 0) for s in STATUSES},
            by_severity={sev: {s: self.by_severity[sev].get(s, 0) for s in STATUSES} for sev in SEVERITIES},
            hosts=self.hosts,
            hosts_by_platform=dict(sorted(self.platforms.items())),
            hosts_by_role=dict(sorted(self.roles.items())),
            collected=(collected[0] if collected else None, collected[-1] if collected else None),
            unassessed=unassessed,
            iso=iso,
            iso_themes=theme_rows,
            ncsa=ncsa,
            ncsa_groups=groups,
            tiers=self._tiers(kinds),
            min_std=self.frameworks.get("ncsa_min_std_2566") or {},
            sites=sites,
            findings=self._findings(severity_of),
            waivers=sorted(self.waivers.values(), key=lambda w: (not w.expired, w.expires, w.check)),
            manual=manual,
            catalog_diff=self._catalog_diff(),
            table=table,
            history=self.history,
        )

    def _clause_stats(self, row: ClauseRow, category: str | None = None) -> None:
        checks = set(row.automated)
        if not checks:
            return
        for (cat, applicable, bad), n in self.signatures.items():
            if category is not None and cat != category:
                continue
            if applicable & checks:
                row.hosts_applicable += n
                if not bad & checks:
                    row.hosts_passing += n
        row.results = _sum_counts(self.per_check, checks)

    def _framework_rows(self, fw_id: str, kinds: Mapping[str, str]) -> list[ClauseRow]:
        fw = self.frameworks.get(fw_id) or {}
        clauses = [c for c in fw.get("clauses", []) if isinstance(c, Mapping)]
        parent = {str(c["id"]): c.get("parent") for c in clauses}
        cited = cited_by(self.refs, kinds, fw_id, parent)
        rows = []
        for c in clauses:
            cid = str(c["id"])
            got = cited.get(cid, {"automated": set(), "manual": set()})
            row = ClauseRow(
                cid,
                c.get("title") or {},
                _depth(cid, parent),
                str(c.get("automation", "")),
                sorted(got["automated"]),
                sorted(got["manual"]),
                theme=c.get("theme"),
                label_th=c.get("label_th"),
            )
            self._clause_stats(row)
            rows.append(row)
        return rows

    def _tiers(self, kinds: Mapping[str, str]) -> list[Tier]:
        fw = self.frameworks.get("ncsa_min_std_2566") or {}
        cop = self.frameworks.get("ncsa_cop_2564") or {}
        parent = {str(c["id"]): c.get("parent") for c in cop.get("clauses", []) if isinstance(c, Mapping)}
        cited = cited_by(self.refs, kinds, "ncsa_cop_2564", parent)
        by_id = {str(t["id"]): t for t in fw.get("clauses", []) if isinstance(t, Mapping)}
        tiers = []
        for tid, tier in by_id.items():
            chain: list[Mapping[str, Any]] = []
            node: Mapping[str, Any] | None = tier
            while node is not None:
                chain.insert(0, node)
                node = by_id.get(str(node.get("parent"))) if node.get("parent") else None
            sites = sorted(code for code, info in self.sites_info.items() if (info or {}).get("category") == tid)
            hosts = sum(self.sites[c].hosts for c in sites if c in self.sites)
            measures = []
            for level in chain:
                for m in level.get("measures", []):
                    auto: set[str] = set()
                    man: set[str] = set()
                    for cop_id in m.get("cop_clauses", []):
                        got = cited.get(str(cop_id), {"automated": set(), "manual": set()})
                        auto |= got["automated"]
                        man |= got["manual"]
                    row = ClauseRow(str(m["id"]), m.get("title") or {}, 0, "", sorted(auto), sorted(man))
                    self._clause_stats(row, category=tid)
                    measures.append(TierMeasure(str(m["id"]), m.get("title") or {}, str(level["id"]), row))
            tiers.append(Tier(tid, tier.get("title") or {}, sites, hosts, measures))
        return tiers

    def _findings(self, severity_of: Mapping[str, str]) -> list[Finding]:
        rank = {s: i for i, s in enumerate(SEVERITIES)}
        out = []
        for cid, counts in self.per_check.items():
            if not (counts["fail"] or counts["error"] or counts["waived"]):
                continue
            hosts = self.check_hosts.get(cid, {})
            failing = sorted(hosts.get("fail", []))
            remediation = (self.check_info.get(cid) or {}).get("remediation") or {}
            limit = None
            limit_file = None
            if failing and not remediation.get("not_automated"):
                if len(failing) <= LIMIT_INLINE:
                    limit = ",".join(failing)
                else:
                    limit, limit_file = f"@limits/{cid}.txt", failing
            out.append(
                Finding(
                    cid,
                    severity_of.get(cid, "info"),
                    counts,
                    failing,
                    sorted(hosts.get("error", [])),
                    sorted(hosts.get("waived", [])),
                    self.refs.get(cid) or {},
                    limit,
                    limit_file,
                )
            )
        out.sort(key=lambda f: (rank.get(f.severity, 9), -f.counts["fail"], -f.counts["error"], f.check))
        return out

    def _catalog_diff(self) -> Mapping[str, Any] | None:
        cur = self.current_catalog
        if cur is None:
            return None
        old = self.run.get("catalog") or {}
        if old.get("sha256") == cur.sha256:
            return None
        ids = set(self.check_info)
        now = set(cur.checks)
        return {
            "results_version": old.get("version"),
            "results_sha256": old.get("sha256"),
            "current_version": cur.version,
            "current_sha256": cur.sha256,
            "only_in_results": sorted(ids - now),
            "only_in_catalog": sorted(now - ids),
        }


def cited_by(
    refs: Mapping[str, Mapping[str, Any]], kinds: Mapping[str, str], fw_id: str, parent: Mapping[str, Any]
) -> dict[str, dict[str, set[str]]]:
    """Clause id -> the checks citing it or a clause below it, split into automated and manual."""
    cited: dict[str, dict[str, set[str]]] = defaultdict(lambda: {"automated": set(), "manual": set()})
    for cid, r in refs.items():
        ids = r.get(fw_id) if isinstance(r, Mapping) else None
        if not isinstance(ids, list):
            continue
        kind = "manual" if kinds.get(cid) == "manual" else "automated"
        for clause in ids:
            node: Any = str(clause)
            seen = 0
            while node is not None and seen < 32:
                cited[str(node)][kind].add(cid)
                node = parent.get(str(node))
                seen += 1
    return cited


def _depth(cid: str, parent: Mapping[str, Any]) -> int:
    d = 0
    node = parent.get(cid)
    while node is not None and d < 32:
        d += 1
        node = parent.get(str(node))
    return d


def _sum_counts(per_check: Mapping[str, Counter[str]], checks: Iterable[str]) -> Counter[str]:
    total: Counter[str] = Counter()
    for c in checks:
        total.update(per_check.get(c, Counter()))
    return total


def _waiver_text(w: Mapping[str, Any]) -> str:
    return " · ".join(str(w.get(k) or "") for k in ("ticket", "approver", "expires", "reason"))


def site_transports(info: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    t = info.get("transports")
    return [x for x in t if isinstance(x, Mapping)] if isinstance(t, list) else []

"""The files beside index.html: results.csv, junit.xml and summary.json.

CSV and JUnit are written host by host while results stream in (one row / test case per host and
check); summary.json from the finished `ReportData`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from typing import IO, Any

from prakan.report.data import STATUSES, ReportData

CSV_COLUMNS = (
    "host",
    "site",
    "platform",
    "role",
    "check",
    "title_en",
    "title_th",
    "severity",
    "status",
    "expected",
    "actual",
    "reason",
    "evidence",
    "iso27001_2022",
    "ncsa_cop_2564",
    "cis",
    "waiver_ticket",
    "waiver_expires",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# XML 1.0 forbids most control characters even escaped; device text may hold them.
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def inert(value: str) -> str:
    """A CSV cell that a spreadsheet shows as text: one that could start a formula gets a leading quote."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _refs(refs: Any, key: str) -> str:
    v = refs.get(key) if isinstance(refs, Mapping) else None
    if isinstance(v, list):
        return " ".join(map(str, v))
    if isinstance(v, Mapping):
        return " ".join(f"{k}:{x}" for k, x in v.items())
    return "" if v is None else str(v)


class CsvWriter:
    """results.csv: UTF-8 with a byte-order mark (Excel then shows Thai), RFC 4180 quoting, CRLF rows."""

    def __init__(self, fh: IO[str], checks: Mapping[str, Mapping[str, Any]]) -> None:
        fh.write("\ufeff")
        self._w = csv.writer(fh, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        self._w.writerow(CSV_COLUMNS)
        self._checks = checks
        self._cache: dict[int, str] = {}
        self._fh = fh
        self._buf = io.StringIO()
        self._lw = csv.writer(self._buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)

    def add_host(self, host: Mapping[str, Any], ids: Sequence[int] | None = None) -> None:
        """One row per result; `ids` (the builder's detail ids) let identical results share their CSV text."""
        base = self._line([inert(str(host.get(k) or "")) for k in ("name", "site", "platform", "role")])[:-2]
        cache = self._cache
        out = []
        for i, r in enumerate(host["results"]):
            did = ids[i] if ids is not None else None
            tail = cache.get(did) if did is not None else None
            if tail is None:
                tail = self._line(self._cells(r))
                if did is not None:
                    if len(cache) > 100_000:
                        cache.clear()
                    cache[did] = tail
            out.append(base)
            out.append(",")
            out.append(tail)
        self._fh.write("".join(out))

    def _line(self, cells: list[str]) -> str:
        """Cells as one RFC 4180 line (with its CRLF)."""
        self._buf.seek(0)
        self._buf.truncate()
        self._lw.writerow(cells)
        return self._buf.getvalue()

    def _cells(self, r: Mapping[str, Any]) -> list[str]:
        title = (self._checks.get(r.get("check", "")) or {}).get("title") or {}
        ev = "\n".join(
            f"{e.get('source')}:{e.get('line')}: {e.get('text')}"
            for e in r.get("evidence") or ()
            if isinstance(e, Mapping)
        )
        waiver = r.get("waiver")
        w: Mapping[str, Any] = waiver if isinstance(waiver, Mapping) else {}
        refs = r.get("refs")
        row = [
            r.get("check", ""),
            title.get("en", ""),
            title.get("th", ""),
            r.get("severity", ""),
            r.get("status", ""),
            r.get("expected", ""),
            r.get("actual", ""),
            r.get("reason", ""),
            ev,
            _refs(refs, "iso27001_2022"),
            _refs(refs, "ncsa_cop_2564"),
            _refs(refs, "cis"),
            w.get("ticket", ""),
            w.get("expires", ""),
        ]
        return [inert(str(c)) for c in row]


def _x(text: Any) -> str:
    s = _XML_BAD.sub("\ufffd", str(text))
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


class JunitWriter:
    """junit.xml: one <testsuite> per host, one <testcase> per check (GitLab and Jenkins display it).

    fail -> <failure>, error -> <error>, not_applicable / waived / manual -> <skipped>.
    """

    def __init__(self, fh: IO[str], checks: Mapping[str, Mapping[str, Any]], name: str) -> None:
        self.fh = fh
        self._checks = checks
        self.counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        self._cache: dict[int, tuple[str, str]] = {}
        fh.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        fh.write(f'<testsuites name="{_x(name)}">\n')

    def add_host(self, host: Mapping[str, Any], ids: Sequence[int] | None = None) -> None:
        name = _x(host["name"])
        cache = self._cache
        cases = []
        n = {"fail": 0, "error": 0, "skipped": 0, "pass": 0}
        for i, r in enumerate(host["results"]):
            did = ids[i] if ids is not None else None
            got = cache.get(did) if did is not None else None
            if got is None:
                got = self._case(r)
                if did is not None:
                    if len(cache) > 100_000:
                        cache.clear()
                    cache[did] = got
            kind, tail = got
            n[kind] += 1
            cases.append(f'  <testcase classname="{name}" {tail}')
        tests = len(host["results"])
        self.counts["tests"] += tests
        self.counts["failures"] += n["fail"]
        self.counts["errors"] += n["error"]
        self.counts["skipped"] += n["skipped"]
        self.fh.write(
            f'<testsuite name="{name}" tests="{tests}" failures="{n["fail"]}" errors="{n["error"]}" '
            f'skipped="{n["skipped"]}">\n'
        )
        self.fh.write("\n".join(cases) + ("\n" if cases else ""))
        self.fh.write("</testsuite>\n")

    def _case(self, r: Mapping[str, Any]) -> tuple[str, str]:
        """(kind, the test case after its classname) for one result."""
        cid = r.get("check", "")
        title = ((self._checks.get(cid) or {}).get("title") or {}).get("en", "")
        status = r.get("status")
        head = f'name="{_x(cid)}: {_x(title)}"'
        if status == "pass":
            return "pass", head + "/>"
        body = f"expected: {r.get('expected', '')}\nactual: {r.get('actual', '')}"
        for e in r.get("evidence") or ():
            if isinstance(e, Mapping):
                body += f"\n{e.get('source')}:{e.get('line')}: {e.get('text')}"
        if status == "fail":
            msg = r.get("reason") or f"{r.get('severity', '')}: {title}"
            kind = _x(r.get("severity", ""))
            return "fail", f'{head}><failure type="{kind}" message="{_x(msg)}">{_x(body)}</failure></testcase>'
        if status == "error":
            return "error", f'{head}><error message="{_x(r.get("reason", ""))}">{_x(body)}</error></testcase>'
        why = r.get("reason") or status
        return "skipped", f'{head}><skipped message="{_x(status)}: {_x(why)}"/></testcase>'

    def close(self) -> None:
        self.fh.write("</testsuites>\n")


def summary(data: ReportData) -> dict[str, Any]:
    """summary.json: totals, per severity, per framework clause, per site, for dashboards."""

    def clause(row: Any) -> dict[str, Any]:
        return {
            "id": row.id,
            "status": row.status,
            "automated": row.automated,
            "manual": row.manual,
            "hosts_applicable": row.hosts_applicable,
            "hosts_passing": row.hosts_passing,
            "host_pass_share": row.host_share,
            "result_pass_share": row.result_share,
            "results": {s: row.results.get(s, 0) for s in STATUSES},
        }

    run = data.run
    return {
        "format": "prakan-report-summary",
        "version": 1,
        "generated_at": data.generated_at,
        "organisation": dict(data.org),
        "prakan_version": run.get("version"),
        "catalog": run.get("catalog"),
        "evidence_manifest_sha256": run.get("manifest_sha256"),
        "collected": {"first": data.collected[0], "last": data.collected[1]},
        "hosts": data.hosts,
        "hosts_by_platform": data.hosts_by_platform,
        "hosts_by_role": data.hosts_by_role,
        "hosts_not_assessed": [u.name for u in data.unassessed if u.host_error],
        "hosts_with_errors": [u.name for u in data.unassessed if not u.host_error],
        "totals": data.totals,
        "by_severity": data.by_severity,
        "frameworks": {
            "iso27001_2022": [clause(r) for r in data.iso],
            "ncsa_cop_2564": [clause(r) for r in data.ncsa],
            "ncsa_min_std_2566": {
                "status": data.min_std.get("status"),
                "tiers": [
                    {
                        "id": t.id,
                        "sites": t.sites,
                        "hosts": t.hosts,
                        "measures": [clause(m.row) | {"tier": m.tier} for m in t.measures],
                    }
                    for t in data.tiers
                ],
            },
        },
        "sites": [
            {
                "code": s.code,
                "name_en": s.info.get("name_en"),
                "name_th": s.info.get("name_th"),
                "region": s.info.get("region"),
                "province": s.info.get("province"),
                "category": s.info.get("category"),
                "hosts": s.hosts,
                "hosts_in_error": s.hosts_in_error,
                "score": s.score,
                "results": {k: s.counts.get(k, 0) for k in STATUSES},
            }
            for s in data.sites
        ],
        "findings": [
            {
                "check": f.check,
                "severity": f.severity,
                "failing_hosts": len(f.failing),
                "error_hosts": len(f.erroring),
                "waived_hosts": len(f.waived),
            }
            for f in data.findings
        ],
        "waivers": [
            {"check": w.check, "ticket": w.ticket, "expires": w.expires, "expired": w.expired, "hosts": w.hosts}
            for w in data.waivers
        ],
    }


def write_summary(fh: IO[str], data: ReportData) -> None:
    json.dump(summary(data), fh, ensure_ascii=False, indent=1, sort_keys=False)
    fh.write("\n")

"""The data behind each section, from small hand-made results: framework aggregation, site scores,
findings, waivers, hosts that could not be assessed, the compact page table."""

from __future__ import annotations

from typing import Any

import pytest
from prakan.report.data import ReportBuilder, ReportData, score

FRAMEWORKS: dict[str, Any] = {
    "iso27001_2022": {
        "clauses": [
            {"id": "5.1", "parent": None, "theme": "organizational", "automation": "manual", "title": {"en": "Pol"}},
            {"id": "8.5", "parent": None, "theme": "technological", "automation": "auto", "title": {"en": "Auth"}},
            {"id": "8.9", "parent": None, "theme": "technological", "automation": "auto", "title": {"en": "Conf"}},
            {"id": "8.20", "parent": None, "theme": "technological", "automation": "partial", "title": {"en": "Net"}},
        ]
    },
    "ncsa_cop_2564": {
        "clauses": [
            {"id": "22", "parent": None, "title": {"en": "Protect"}},
            {"id": "22.1", "parent": "22", "title": {"en": "Access"}},
            {"id": "22.1.1", "parent": "22.1", "title": {"en": "Acc 1"}},
            {"id": "22.2", "parent": "22", "title": {"en": "Hardening"}},
        ]
    },
    "ncsa_min_std_2566": {
        "status": "unverified",
        "clauses": [
            {
                "id": "low",
                "parent": None,
                "title": {"en": "Low"},
                "measures": [{"id": "access", "title": {"en": "Access"}, "cop_clauses": ["22.1"]}],
            },
            {
                "id": "high",
                "parent": "low",
                "title": {"en": "High"},
                "measures": [{"id": "hardening", "title": {"en": "Hard"}, "cop_clauses": ["22.2"]}],
            },
        ],
    },
}

CHECKS = {
    "A-1": {
        "title": {"en": "one", "th": "หนึ่ง"},
        "severity": "high",
        "kind": "automated",
        "remediation": {"en": "fix", "th": "แก้", "ansible_tags": ["A-1"]},
    },
    "A-2": {"title": {"en": "two", "th": "สอง"}, "severity": "critical", "kind": "automated", "remediation": {}},
    "M-1": {"title": {"en": "manual", "th": "เอกสาร"}, "severity": "medium", "kind": "manual"},
}
REFS = {
    "A-1": {"iso27001_2022": ["8.5"], "ncsa_cop_2564": ["22.1.1"]},
    "A-2": {"iso27001_2022": ["8.9"], "ncsa_cop_2564": ["22.2"]},
    "M-1": {"iso27001_2022": ["5.1"]},
}
SITES = {
    "S-LOW": {"name_en": "Low site", "name_th": "ต่ำ", "region": "north", "category": "low"},
    "S-HIGH": {"name_en": "High site", "name_th": "สูง", "region": "south", "category": "high"},
}


def res(check: str, status: str, **extra: Any) -> dict[str, Any]:
    return {"check": check, "status": status, "severity": CHECKS[check]["severity"], "refs": REFS[check]} | extra


def host(name: str, site: str, results: list[dict[str, Any]], error: str | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "platform": "linux",
        "role": "web",
        "site": site,
        "error": error,
        "results": results,
        "collected_at": "2026-11-21T19:00:00Z",
        "sources": {"sshd_effective": "ab" * 32},
    }


WAIVER = {"reason": "legacy", "approver": "Director", "ticket": "CHG-1", "expires": "2026-01-01", "where": "x"}


def build(hosts: list[dict[str, Any]]) -> ReportData:
    head = {
        "format": "prakan-results",
        "version": 1,
        "run": {"checks": CHECKS, "catalog": {"version": "v", "sha256": "0" * 64}, "sites": SITES},
    }
    b = ReportBuilder(head, FRAMEWORKS)
    for h in hosts:
        b.add_host(h)
    manual = [
        {
            "check": "M-1",
            "status": "manual",
            "severity": "medium",
            "title": CHECKS["M-1"]["title"],
            "evidence_required": {"en": "the policy", "th": "นโยบาย"},
            "refs": REFS["M-1"],
        }
    ]
    return b.finish(
        {"organisation": manual, "evidence_sha256": {"h1": "f" * 64}, "summary": {}}, None, "2026-11-28T00:00:00Z"
    )


@pytest.fixture
def data() -> ReportData:
    return build(
        [
            host("h1", "S-LOW", [res("A-1", "pass"), res("A-2", "pass")]),
            host(
                "h2",
                "S-LOW",
                [
                    res("A-1", "fail", evidence=[{"source": "sshd_effective", "line": 3, "text": "x"}]),
                    res("A-2", "pass"),
                ],
            ),
            host("h3", "S-HIGH", [res("A-1", "pass"), res("A-2", "error", reason="sshd -T exited 255")]),
            host(
                "h4",
                "S-HIGH",
                [
                    res("A-1", "error", reason="host was not collected: timeout"),
                    res("A-2", "error", reason="host was not collected: timeout"),
                ],
                error="timeout",
            ),
            host("h5", "S-HIGH", [res("A-1", "not_applicable"), res("A-2", "waived", waiver=WAIVER)]),
            host(
                "h6",
                "S-HIGH",
                [res("A-1", "fail", waiver=WAIVER | {"check": "A-1"}, reason="waiver expired"), res("A-2", "pass")],
            ),
        ]
    )


def test_score_counts_errors_against_and_leaves_waived_out() -> None:
    assert score({"pass": 3, "fail": 1}) == 75.0
    assert score({"pass": 3, "error": 1, "waived": 10, "not_applicable": 5}) == 75.0
    assert score({"waived": 2, "not_applicable": 1}) is None
    assert score({"pass": 1, "fail": 2}) == 33.3


def test_iso_rows_share_of_hosts_passing(data: ReportData) -> None:
    rows = {r.id: r for r in data.iso}
    assert list(rows) == ["5.1", "8.5", "8.9", "8.20"]
    assert rows["5.1"].status == "manual" and rows["5.1"].manual == ["M-1"] and rows["5.1"].host_share is None
    assert rows["8.20"].status == "not_covered"
    # A-1 applies to h1, h2, h3, h4, h6 (h5 not applicable); passes on h1 and h3
    assert (rows["8.5"].hosts_passing, rows["8.5"].hosts_applicable) == (2, 5)
    assert rows["8.5"].host_share == 40.0
    # h1 h2 h6 pass, h3 h4 error, h5 waived (applicable, not failing)
    assert (rows["8.9"].hosts_passing, rows["8.9"].hosts_applicable) == (4, 6)
    themes = {t: sc for t, sc, _ in data.iso_themes}
    assert themes["technological"] == score({"pass": 5, "fail": 2, "error": 3})
    assert themes["organizational"] is None


def test_ncsa_clauses_roll_up_to_parents(data: ReportData) -> None:
    rows = {r.id: r for r in data.ncsa}
    assert rows["22.1.1"].automated == ["A-1"] and rows["22.1.1"].depth == 2
    assert rows["22.1"].automated == ["A-1"]
    assert rows["22"].automated == ["A-1", "A-2"]
    # a host passes clause 22 only if it passes both checks: h1 only; h5 waived n/a -> passes
    assert (rows["22"].hosts_passing, rows["22"].hosts_applicable) == (2, 6)


def test_min_std_tiers_by_site_category(data: ReportData) -> None:
    tiers = {t.id: t for t in data.tiers}
    assert tiers["low"].sites == ["S-LOW"] and tiers["low"].hosts == 2
    assert [m.id for m in tiers["high"].measures] == ["access", "hardening"]  # high includes low's measures
    access_low = tiers["low"].measures[0].row
    assert (access_low.hosts_passing, access_low.hosts_applicable) == (1, 2)  # h1 passes, h2 fails A-1
    hardening_high = tiers["high"].measures[1].row
    assert (hardening_high.hosts_passing, hardening_high.hosts_applicable) == (2, 4)  # h5 waived, h6 pass


def test_site_scores_and_worst_findings(data: ReportData) -> None:
    sites = {s.code: s for s in data.sites}
    assert sites["S-LOW"].score == 75.0  # 3 pass, 1 fail
    assert sites["S-HIGH"].score == score({"pass": 2, "fail": 1, "error": 3})
    assert sites["S-HIGH"].hosts_in_error == 1
    assert sites["S-LOW"].worst({"A-1": "high", "A-2": "critical"}) == [("A-1", 1)]


def test_findings_waivers_and_unassessed(data: ReportData) -> None:
    f = {x.check: x for x in data.findings}
    assert [x.check for x in data.findings] == ["A-2", "A-1"]  # critical first
    assert f["A-1"].failing == ["h2", "h6"] and f["A-1"].limit == "h2,h6"
    assert f["A-2"].failing == [] and f["A-2"].erroring == ["h3", "h4"] and f["A-2"].limit is None
    assert f["A-2"].waived == ["h5"]
    w = {(x.check, x.expired): x.hosts for x in data.waivers}
    assert w == {("A-1", True): ["h6"], ("A-2", False): ["h5"]}
    assert [(u.name, u.host_error is not None, u.errors) for u in data.unassessed] == [
        ("h4", True, 2),
        ("h3", False, 1),
    ]
    assert data.unassessed[1].reasons == [("sshd -T exited 255", 1)]
    assert data.totals["error"] == 3 and data.totals["waived"] == 1 and data.by_severity["critical"]["error"] == 2


def test_many_failing_hosts_go_to_a_limit_file() -> None:
    hosts = [host(f"h{i:03d}", "S-LOW", [res("A-1", "fail"), res("A-2", "pass")]) for i in range(25)]
    f = build(hosts).findings[0]
    assert f.limit == "@limits/A-1.txt" and f.limit_file is not None and len(f.limit_file) == 25


def test_page_table_shares_identical_results(data: ReportData) -> None:
    t = data.table
    assert len(t["hosts"]) == 6
    strings = t["strings"]
    h2 = t["hosts"][1]
    assert strings[h2[0]] == "h2" and strings[h2[1]] == "S-LOW" and h2[7] == [1, 1, 0, 0, 0, 0]
    assert strings[t["hosts"][0][5]] == "f" * 64  # evidence file hash from the results' tail
    detail = t["details"][h2[8][0]]
    assert t["checks"][detail[0]][0] == "A-1" and [strings[i] if j != 1 else i for j, i in enumerate(detail[6][0])] == [
        "sshd_effective",
        3,
        "x",
    ]
    # h1 and h3 both pass A-1 identically: one detail
    assert t["hosts"][0][8][0] == t["hosts"][2][8][0]

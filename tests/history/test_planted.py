"""Two nights of the sample department with planted changes: what diff, candidates and drafts report."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from planted import GONE, NEW_TACACS_TOKEN, NIGHT2, Nights, build
from prakan.cli import cli
from prakan.history import open_history, read_results, report_context

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> Nights:
    return build(tmp_path_factory.mktemp("nights"))


@pytest.fixture(scope="module")
def db(nights: Nights, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("db") / "history.db"
    for r in (nights.r1, nights.r2):
        res = run("history", "record", str(r), "--history", str(path))
        assert res.exit_code == 0, res.output
    return path


def run(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), env={"PRAKAN_HISTORY": "", **(env or {})})


def diff_json(db: Path, *args: str) -> dict[str, Any]:
    res = run("diff", "--history", str(db), "--format", "json", *args)
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def test_diff_reports_exactly_the_planted_changes(db: Path) -> None:
    d = diff_json(db)
    assert (d["old"]["id"], d["new"]["id"]) == (1, 2)
    assert d["new"]["collected_to"] == NIGHT2
    regressions = {(c["host"], c["check"]) for c in d["regressions"]}
    assert regressions == {
        ("bkk-hq-web1", "LNX-ACCT-001"),  # the UID 0 account
        ("bkk-hq-web1", "LNX-ACCT-005"),  # its password never expires
        ("bkk-hq-web1", "LNX-ACCT-006"),  # a system-range account with a shell
        ("bkk-hq-r1", "IOS-LOG-001"),  # remote logging turned off
    }
    assert [c["severity"] for c in d["regressions"]][:2] == ["critical", "high"]  # most severe first
    assert {(c["host"], c["check"], c["old"], c["new"]) for c in d["fixes"]} == {
        ("bkk-hq-web1", "LNX-PAM-006", "fail", "pass")
    }
    assert [h["host"] for h in d["hosts_vanished"]] == [GONE]
    assert d["hosts_appeared"] == [] and d["new_errors"] == [] and d["waivers_expired"] == []
    drift = {(x["host"], x["source"]): x for x in d["drift"]}
    assert set(drift) == {
        ("bkk-hq-r1", "running_config"),
        ("bkk-hq-web1", "pam"),
        ("bkk-hq-web1", "passwd"),
        ("bkk-hq-web1", "shadow"),
    }
    r1 = drift[("bkk-hq-r1", "running_config")]
    assert set(r1["removed"]) == {
        " 30 deny   ip 10.10.0.0 0.0.255.255 any log",
        "logging host 10.10.0.31",
        " key 7 <redacted:prakan:6e8abb2a7de505ff>",
    }
    assert set(r1["added"]) == {
        "username backup privilege 15 secret 9 <redacted:prakan:5eed5eed5eed5eed>",
        f" key 7 {NEW_TACACS_TOKEN}",
    }
    assert "-logging host 10.10.0.31" in r1["unified_diff"].splitlines()
    assert drift[("bkk-hq-web1", "passwd")]["added"] == ["svc-backup:x:0:0::/root:/bin/bash"]
    assert d["counts"]["hosts_drifted"] == 2 and d["counts"]["regressions"] == 4


def test_diff_hashes_are_those_of_the_evidence(db: Path, nights: Nights) -> None:
    d = diff_json(db)
    x = next(x for x in d["drift"] if x["source"] == "running_config")
    for ev, key in ((nights.ev1, "old_sha256"), (nights.ev2, "new_sha256")):
        src = json.loads((ev / "bkk-hq-r1.json").read_text(encoding="utf-8"))["sources"]["running_config"]
        assert x[key] == src["sha256"] == hashlib.sha256(src["output"].encode()).hexdigest()


def test_diff_exit_status_text_and_html(db: Path, tmp_path: Path) -> None:
    assert run("diff", "--history", str(db)).exit_code == 0
    gate = run("diff", "--history", str(db), "--fail-on-regression")
    assert gate.exit_code == 1
    assert "REGRESSIONS (pass -> fail) (4)" in gate.output and "HOSTS VANISHED (1)" in gate.output
    assert "-logging host 10.10.0.31" in gate.output
    th = run("diff", "--history", str(db), "--lang", "th")
    assert "แย่ลง 4" in th.output
    html = tmp_path / "diff.html"
    assert run("diff", "--history", str(db), "--format", "html", "-o", str(html)).exit_code == 0
    page = html.read_text(encoding="utf-8")
    assert "IOS-LOG-001" in page and "logging host 10.10.0.31" in page and GONE in page
    for args in (["1", "1"], ["2", "1"], ["7"], ["1", "9"]):
        bad = run("diff", "--history", str(db), *args)
        assert bad.exit_code == 3 and "Traceback" not in bad.output, (args, bad.output)


def candidates(db: Path, inventory: Path) -> list[dict[str, Any]]:
    res = run("incident", "candidates", "--history", str(db), "-i", str(inventory), "--format", "json")
    assert res.exit_code == 0, res.output
    return json.loads(res.output)  # type: ignore[no-any-return]


def test_incident_candidates(db: Path, nights: Nights) -> None:
    cands = candidates(db, nights.inv2)
    kinds = {(c["host"], c["kind"]) for c in cands}
    assert kinds == {
        ("bkk-hq-r1", "accounts"),  # username backup privilege 15
        ("bkk-hq-r1", "firewall"),  # ACL-WAN-IN entry 30 removed
        ("bkk-hq-r1", "logging"),  # logging host removed
        ("bkk-hq-r1", "aaa"),  # the TACACS key changed (its token)
        ("bkk-hq-r1", "regression"),  # IOS-LOG-001 is high
        ("bkk-hq-web1", "accounts"),  # svc-backup with UID 0
        ("bkk-hq-web1", "aaa"),  # PAM changed
        ("bkk-hq-web1", "regression"),  # LNX-ACCT-001 is critical
    }
    assert [c["id"] for c in cands] == [f"C2-{n}" for n in range(1, 9)]
    by = {(c["host"], c["kind"]): c for c in cands}
    acl = by[("bkk-hq-r1", "firewall")]
    assert acl["evidence"][0]["removed"] == [" 30 deny   ip 10.10.0.0 0.0.255.255 any log"]
    assert acl["evidence"][0]["added"] == []
    assert acl["window"] == {"from": "2026-11-21T19:00:00Z", "to": NIGHT2} and acl["site"] == "BKK-HQ"
    assert by[("bkk-hq-r1", "logging")]["evidence"][0]["removed"] == ["logging host 10.10.0.31"]
    web = by[("bkk-hq-web1", "accounts")]
    assert {e["source"] for e in web["evidence"]} == {"passwd", "shadow"}
    assert "svc-backup" in web["summary"] and "UID 0" in web["summary"]
    assert 6 in web["suggested_categories"] and "privilege_escalation" in web["indicators"]
    assert [r["check"] for r in by[("bkk-hq-web1", "regression")]["regressions"]] == ["LNX-ACCT-001"]
    # medium regressions (LNX-ACCT-005/006) are in the diff, not in the regression candidates
    assert all(r["severity"] in ("critical", "high") for c in cands for r in c["regressions"])
    text = run("incident", "candidates", "--history", str(db), "-i", str(nights.inv2))
    assert "+ username backup privilege 15" in text.output and "C2-8" in text.output


def test_draft_fills_what_a_scan_knows(db: Path, nights: Nights) -> None:
    res = run("incident", "draft", "C2-6", "C2-1", "--history", str(db), "-i", str(nights.inv2), "--format", "json")
    assert res.exit_code == 0, res.output
    draft = json.loads(res.stdout)
    with open_history(db) as h:
        run2 = h.run(2)
    assert run2 is not None
    detected = datetime.fromisoformat(run2.started_at.replace("Z", "+00:00"))
    assert draft["deadline"]["detected_at"] == run2.started_at
    due = datetime.fromisoformat(draft["deadline"]["k2_due"].replace("Z", "+00:00"))
    assert due - detected == timedelta(hours=24)
    assert (
        draft["deadline"]["k2_due_th"].endswith("น. (UTC+7)") and str(due.year + 543) in draft["deadline"]["k2_due_th"]
    )
    k = draft["k"]
    assert k["organisation"]["name_th"] == "กรมประชาสัมพันธ์สาธิต"
    assert k["organisation"]["parent_th"] == "สำนักนายกรัฐมนตรี"
    assert k["affected_unit"]["th"] == "สำนักงานใหญ่และศูนย์ข้อมูลกลาง กรมประชาสัมพันธ์สาธิต"
    assert k["contact"]["name"] == "สมชาย ใจดี (Somchai Jaidee)" and k["contact"]["phone_office"] == "+66 2 555 0100"
    assert k["threat_level"] == "undetermined" and k["mission_critical"] is None
    kh = draft["kh"]
    assert kh["occurred"]["after_th"] == "22 พฤศจิกายน 2569 เวลา 02:00 น. (UTC+7)"
    assert kh["occurred"]["before_th"] == "23 พฤศจิกายน 2569 เวลา 02:00 น. (UTC+7)"
    systems = {s["host"]: s for s in kh["systems"]}
    assert set(systems) == {"bkk-hq-web1", "bkk-hq-r1"}
    assert systems["bkk-hq-r1"]["province"] == "Bangkok"
    assert systems["bkk-hq-r1"]["hardware"] == "Cisco ISR4451-X/K9"
    assert "Version 17." in systems["bkk-hq-r1"]["software"]
    assert systems["bkk-hq-web1"]["software"].startswith(("Debian", "Ubuntu", "Red Hat", "Rocky"))
    assert "NT (National Telecom)" in systems["bkk-hq-r1"]["providers"]
    assert [c["code"] for c in kh["categories"]] == [5, 6, 8]
    assert kh["clock"]["trustworthy"] is True  # headquarters' NTP checks pass on both
    assert draft["ng"]["indicators"]["new_accounts"] and draft["ng"]["indicators"]["privilege_escalation"]
    assert not draft["ng"]["indicators"]["dos"]
    for blank in (
        "k.tracking_unit",
        "k.mission",
        "k.contact.position",
        "kh.regulator_informed",
        "ng.narrative",
        "kh.systems[0].building",
    ):
        assert blank in draft["for_a_person"]
    assert "k.reference_no" not in draft["for_a_person"]
    assert "deadline" in res.stderr or "due by" in res.stderr


def test_draft_clock_untrusted_when_time_checks_fail(db: Path, nights: Nights) -> None:
    from prakan.history.forms import clock_statement

    with open_history(db) as h:
        st = clock_statement(h, ["prv-acr-r1"], 2)  # a provincial router without authenticated NTP
    assert st["trustworthy"] is False and "IOS-NTP-" in st["en"] and "ยังเชื่อถือเวลา" in st["th"]


def test_draft_html_is_printable_in_chromium(db: Path, nights: Nights, tmp_path: Path) -> None:
    out = tmp_path / "draft.html"
    res = run("incident", "draft", "C2-6", "--history", str(db), "-i", str(nights.inv2), "-o", str(out))
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    for text in (
        "แบบ ก1",
        "แบบ ก2",
        "หมวด ก",
        "หมวด ข",
        "หมวด ค",
        "หมวด ง",
        "กำหนดส่งแบบ ก2",
        "svc-backup:x:0:0::/root:/bin/bash",
        "ต้องกรอกโดยเจ้าหน้าที่",
    ):
        assert text in page, text
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed")
    pdf = tmp_path / "draft.pdf"
    dom = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            out.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert "กำหนดส่งแบบ ก2" in dom and "☑" in dom
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--print-to-pdf={pdf}",
            "--no-pdf-header-footer",
            out.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 10_000


def test_report_context(db: Path, nights: Nights) -> None:
    ctx = report_context(db, nights.r2)
    assert ctx["recorded"] and ctx["run"]["id"] == 2 and ctx["previous"]["id"] == 1
    new = ctx["first_seen"]["bkk-hq-web1"]["LNX-ACCT-001"]
    assert new == {"status": "fail", "since": NIGHT2, "since_run": 2, "runs": 1}
    old = ctx["first_seen"]["prv-acr-r1"]["IOS-NTP-001"]
    assert old["since_run"] == 1 and old["runs"] == 2 and old["since"] == "2026-11-21T19:00:00Z"
    assert "LNX-PAM-006" not in ctx["first_seen"]["bkk-hq-web1"]  # fixed: passes now
    assert ctx["new_since_last"]["counts"]["regressions"] == 4
    assert {(x["host"], x["source"]) for x in ctx["new_since_last"]["drift"]} >= {("bkk-hq-r1", "running_config")}
    assert [t["run"] for t in ctx["trend"]] == [1, 2]
    assert ctx["trend"][1]["by_status"] == read_results(nights.r2).tail["summary"]["by_status"]
    first = report_context(db, nights.r1)
    assert first["new_since_last"] is None and [t["run"] for t in first["trend"]] == [1]
    assert first["first_seen"]["bkk-hq-web1"]["LNX-PAM-006"]["since_run"] == 1


def test_recording_twice_is_a_noop(db: Path, nights: Nights) -> None:
    before = db.read_bytes()
    res = run("history", "record", str(nights.r2), "--history", str(db))
    assert res.exit_code == 0 and "already recorded as run 2" in res.output
    with open_history(db) as h:
        assert [r.id for r in h.runs()] == [1, 2]
    assert len(db.read_bytes()) == len(before)


def test_history_list(db: Path) -> None:
    res = run("history", "list", "--history", str(db), "--format", "json")
    runs = json.loads(res.output)
    assert [r["id"] for r in runs] == [1, 2] and runs[1]["hosts"] == 207
    assert "2026-11-22T19:00:00Z" in run("history", "list", "--history", str(db)).output


def test_statuses_at_each_run_are_the_results(db: Path, nights: Nights) -> None:
    """Stored as intervals, read back per run: exactly each results file."""
    with open_history(db) as h:
        for run_id, path in ((1, nights.r1), (2, nights.r2)):
            for host in read_results(path).hosts():
                want = {r["check"]: r["status"] for r in host["results"]}
                assert h.statuses_at(host["name"], run_id) == want, (run_id, host["name"])


def test_change_windows(db: Path, nights: Nights, tmp_path: Path) -> None:
    """A change between two scans with no window open in between is a candidate; one with a window is not."""
    inv = tmp_path / "inv"
    shutil.copytree(nights.inv2, inv)
    site = inv / "group_vars" / "site_bkk_hq.yml"
    base = site.read_text(encoding="utf-8")
    # night 1 -> night 2 is Sun 02:00 -> Mon 02:00 Bangkok time: a Tuesday evening window is not in it
    site.write_text(base + "prakan_change_windows:\n  - {days: [tue], start: '20:00', end: '23:00'}\n")
    lint = run("lint", str(inv))
    assert "prakan_change_windows" not in lint.output, lint.output
    kinds = {(c["host"], c["kind"]) for c in candidates(db, inv)}
    assert ("bkk-hq-r1", "outside_window") in kinds and ("bkk-hq-web1", "outside_window") in kinds
    site.write_text(base + "prakan_change_windows:\n  - {days: [sun], start: '22:00', end: '01:00'}\n")
    kinds = {(c["host"], c["kind"]) for c in candidates(db, inv)}
    assert not any(k == "outside_window" for _, k in kinds)
    site.write_text(base + "prakan_change_windows:\n  - {days: [sunday], start: '25:00', end: '01:00'}\n")
    lint = run("lint", str(inv))
    assert lint.exit_code != 0 and "prakan_change_windows" in lint.output

"""The report with the history: "new since the last scan", first-seen dates and the trend, in real Chromium.

Two recorded nights of the sample department (tests/history/planted.py: night 2 has planted regressions,
a fix, drift and a vanished host), then `prakan report --history DB` on night 2's results.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from prakan.cli import cli
from prakan.report.history_view import history_view, trend_bars
from report.support import WHEN

HISTORY_TESTS = str(Path(__file__).resolve().parents[1] / "history")
if HISTORY_TESTS not in sys.path:
    sys.path.insert(0, HISTORY_TESTS)

from planted import GONE, NIGHT2, Nights, build  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
NIGHT1 = "2026-11-21T19:00:00Z"
REGRESSIONS = {
    ("bkk-hq-web1", "LNX-ACCT-001"),
    ("bkk-hq-web1", "LNX-ACCT-005"),
    ("bkk-hq-web1", "LNX-ACCT-006"),
    ("bkk-hq-r1", "IOS-LOG-001"),
}


def run(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), env={"PRAKAN_HISTORY": "", **(env or {})})


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


@pytest.fixture(scope="module")
def with_history(nights: Nights, db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("with")
    res = run("report", str(nights.r2), "--history", str(db), "-o", str(out), "--generated-at", WHEN)
    assert res.exit_code == 0, res.output
    return out / "index.html"


def test_new_since_first_seen_and_trend_in_chromium(with_history: Path, open_page: Any) -> None:
    p = open_page(with_history)
    page = p.page
    # the section comes first after the cover's not-assessed box, before the totals
    order = page.evaluate("() => [...document.querySelectorAll('#not-assessed, #new-since, #totals')].map(e => e.id)")
    assert order == ["not-assessed", "new-since", "totals"]
    assert "ใหม่ตั้งแต่การตรวจครั้งก่อน" in page.inner_text("#new-since h2")
    listed = {
        (r.get_attribute("data-host"), r.get_attribute("data-check"))
        for r in page.query_selector_all("#ns-regressions tr.change")
    }
    assert listed == REGRESSIONS
    assert page.inner_text("#new-since-counts td[data-count=regressions]") == "4"
    fixes = [r.get_attribute("data-check") for r in page.query_selector_all("#ns-fixes tr.change")]
    assert fixes == ["LNX-PAM-006"]
    assert GONE in page.inner_text("#ns-hosts_vanished")
    drift = {
        (r.get_attribute("data-host"), r.get_attribute("data-source")) for r in page.query_selector_all("#ns-drift tr")
    }
    assert ("bkk-hq-r1", "running_config") in drift
    # a finding failing on both nights: failing since night 1, two runs (Thai: Buddhist era)
    ntp = page.query_selector("#check-IOS-NTP-001 p.history .since")
    assert ntp is not None
    assert ntp.get_attribute("data-since") == NIGHT1 and ntp.get_attribute("data-runs") == "2"
    assert "ไม่ผ่านตั้งแต่ 21 พฤศจิกายน 2569" in ntp.inner_text()
    # a planted regression on a check that already failed elsewhere: its one new host is counted
    assert "ใหม่ในการตรวจครั้งนี้ 1 เครื่อง" in page.inner_text("#check-LNX-ACCT-001 p.history")
    page.click("#lang-en")
    assert f"failing since {NIGHT1} (2 runs)" in page.inner_text("#check-IOS-NTP-001 p.history")
    # the host view: the failing result shows its first-seen date
    page.fill("#f-text", "bkk-hq-web1")
    page.click("#host-rows button.host-toggle")
    since = page.inner_text("#host-rows tr.s-row-fail:has(code:text-is('LNX-ACCT-001')) .since")
    assert since == f"failing since {NIGHT2} (1 run)"
    # the trend: one bar per recorded run, its numbers as text
    page.click("#lang-th")
    assert "ไม่ผ่านตั้งแต่ 22 พฤศจิกายน 2569" in page.inner_text(
        "#host-rows tr.s-row-fail:has(code:text-is('LNX-ACCT-001')) .since"
    )
    assert [g.get_attribute("data-run") for g in page.query_selector_all("#trend svg g.trend-run")] == ["1", "2"]
    assert len(page.query_selector_all("#trend-numbers tbody tr")) == 2
    assert page.text_content("#trend svg g.trend-run[data-run='2'] tspan.th") == "22 พ.ย. 2569"
    assert all(len(g.query_selector_all("rect")) >= 2 for g in page.query_selector_all("#trend g.trend-run"))
    assert p.other_requests() == [] and p.errors == []


def test_device_text_in_history_stays_text(nights: Nights, db: Path, tmp_path: Path) -> None:
    """A status detail from a device is escaped in the new-since section, like everywhere else."""
    copy = tmp_path / "h.db"
    shutil.copy(db, copy)
    ctx_res = run("report", str(nights.r2), "--history", str(copy), "-o", str(tmp_path / "o"), "--generated-at", WHEN)
    assert ctx_res.exit_code == 0, ctx_res.output
    from prakan.history.context import report_context
    from prakan.report import write_report

    ctx = report_context(copy, nights.r2)
    ctx["new_since_last"]["regressions"][0]["detail"] = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    files = write_report(nights.r2, tmp_path / "x", when=WHEN, history=ctx)
    html = files.index.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_without_history_the_page_is_as_before(nights: Nights, db: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    off = tmp_path / "off"
    none = tmp_path / "none"
    assert run("report", str(nights.r2), "-o", str(plain), "--generated-at", WHEN).exit_code == 0
    res = run("report", str(nights.r2), "--history", str(db), "--no-history", "-o", str(off), "--generated-at", WHEN)
    assert res.exit_code == 0, res.output
    # a database that does not hold this run: the report is as without history
    other = tmp_path / "other.db"
    assert run("history", "record", str(nights.r1), "--history", str(other)).exit_code == 0
    res = run("report", str(nights.r2), "--history", str(other), "-o", str(none), "--generated-at", WHEN)
    assert res.exit_code == 0, res.output
    html = (plain / "index.html").read_bytes()
    assert (off / "index.html").read_bytes() == html and (none / "index.html").read_bytes() == html
    text = html.decode("utf-8")
    for marker in ('id="new-since"', 'id="trend"', 'class="since"', '"history":'):
        assert marker not in text
    # $PRAKAN_HISTORY is the default
    env_out = tmp_path / "env"
    res = run("report", str(nights.r2), "-o", str(env_out), "--generated-at", WHEN, env={"PRAKAN_HISTORY": str(db)})
    assert res.exit_code == 0 and 'id="new-since"' in (env_out / "index.html").read_text(encoding="utf-8")


def test_first_run_has_trend_but_no_new_since(nights: Nights, db: Path, tmp_path: Path) -> None:
    res = run("report", str(nights.r1), "--history", str(db), "-o", str(tmp_path), "--generated-at", WHEN)
    assert res.exit_code == 0, res.output
    text = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert 'id="new-since"' not in text and text.count('class="trend-run"') == 1 and 'class="since"' in text


def test_damaged_or_foreign_history_is_a_usage_error(nights: Nights, tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not a database at all" * 100)
    res = run("report", str(nights.r2), "--history", str(bad), "-o", str(tmp_path / "o"))
    assert res.exit_code == 3 and str(bad) in res.output
    assert bad.read_bytes() == b"this is not a database at all" * 100
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as c:
        c.execute("CREATE TABLE notes (x TEXT)")
    res = run("report", str(nights.r2), "--history", str(foreign), "-o", str(tmp_path / "o2"))
    assert res.exit_code == 3 and str(foreign) in res.output
    assert not (tmp_path / "o" / "index.html").exists()


# -- data shaping -----------------------------------------------------------------------------------------


def test_trend_bars_scale_stack_and_order() -> None:
    trend = [
        {"run": 1, "when": NIGHT1, "by_status": {"pass": 60, "fail": 30, "error": 10, "not_applicable": 500}},
        {"run": 2, "when": NIGHT2, "by_status": {"pass": 80, "fail": 20}},
    ]
    bars, width = trend_bars(trend, height=100.0, width=200.0)
    assert [b.run for b in bars] == [1, 2] and 0 < width <= 70
    first, second = bars
    assert [s["status"] for s in first.segments] == ["pass", "fail", "error"]  # bottom to top
    assert [s["h"] for s in first.segments] == [60.0, 30.0, 10.0] and first.top == 0.0  # 100 is the tallest
    assert first.segments[0]["y"] == 40.0 and first.segments[2]["y"] == 0.0
    assert second.counts == {"pass": 80, "fail": 20, "error": 0} and second.top == 0.0
    assert [s["status"] for s in second.segments] == ["pass", "fail"]  # no zero-height error segment
    assert second.x > first.x
    assert trend_bars([]) == ([], 0.0)


def test_history_view_lookups() -> None:
    ctx = {
        "recorded": True,
        "run": {"id": 3},
        "previous": {"id": 2},
        "first_seen": {
            "a": {"C-1": {"status": "fail", "since": "2026-01-01T00:00:00Z", "since_run": 1, "runs": 3}},
            "b": {
                "C-1": {"status": "fail", "since": "2026-01-03T00:00:00Z", "since_run": 3, "runs": 1},
                "C-2": {"status": "waived", "since": "2026-01-02T00:00:00Z", "since_run": 2, "runs": 2},
            },
        },
        "new_since_last": {
            "counts": {"regressions": 1},
            "regressions": [{"host": "b"}],
            "drift": [{"host": "z", "source": "s1"}, {"host": "a", "source": "s2"}, {"host": "z", "source": "s0"}],
        },
        "trend": [{"run": 3, "when": "2026-01-03T00:00:00Z", "by_status": {"pass": 1}}],
    }
    v = history_view(ctx)
    assert v is not None
    oldest = v.oldest("C-1", ["a", "b", "missing"])
    assert oldest is not None and (oldest.when, oldest.runs) == ("2026-01-01T00:00:00Z", 3)
    assert v.new_hosts("C-1", ["a", "b"]) == 1
    assert v.oldest("C-9", ["a"]) is None
    assert [h for h, _ in v.drift()] == ["a", "z"]
    data = v.page_data()
    assert data["since"] == {"a": {"C-1": [1, 3]}, "b": {"C-1": [3, 1]}}  # waived results left out
    assert data["whens"] == {"1": "2026-01-01T00:00:00Z", "3": "2026-01-03T00:00:00Z"}
    assert json.loads(json.dumps(data)) == data
    assert next(k for k, *_ in v.sections()) == "regressions"
    assert history_view(None) is None and history_view({**ctx, "recorded": False}) is None
    assert history_view({**ctx, "previous": None}).new_since is None  # type: ignore[union-attr]

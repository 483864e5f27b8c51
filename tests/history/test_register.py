"""The incident register and form ก3: counts checked against a register built here."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from prakan.cli import cli
from prakan.history import open_history
from prakan.history.incidents import (
    ASSET_TYPES,
    THREAT_LEVELS,
    annual_summary,
    common_era,
    get_incident,
    open_incident,
    update_incident,
)
from prakan.history.store import HistoryError


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), env={"PRAKAN_HISTORY": ""})


def test_annual_counts_match_the_register(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    rnd = random.Random(2569)
    expected_cat: Counter[int] = Counter()
    expected_asset: Counter[str] = Counter()
    expected_level: Counter[str] = Counter()
    n_2026 = 0
    with open_history(db) as h:
        for i in range(60):
            year = rnd.choice([2025, 2026, 2026, 2027])
            month, day = rnd.randint(1, 12), rnd.randint(1, 28)
            cats = sorted(rnd.sample(range(10), rnd.randint(1, 3)))
            level = rnd.choice(list(THREAT_LEVELS))
            asset = rnd.choice(list(ASSET_TYPES))
            open_incident(h, f"incident {i}", f"{year}-{month:02d}-{day:02d}T03:00:00Z", cats, level, asset)
            if year == 2026:
                n_2026 += 1
                expected_cat.update(cats)
                expected_asset[asset] += 1
                expected_level[level] += 1
        # the year is Bangkok's: 31 Dec 2026 23:30 (UTC+7) is 2026, 1 Jan 2027 00:30 (UTC+7) is 2027
        open_incident(h, "new year's eve", "2026-12-31T16:30:00Z", [2], "critical", "website")
        open_incident(h, "new year's day", "2026-12-31T17:30:00Z", [2], "critical", "website")
        expected_cat[2] += 1
        expected_asset["website"] += 1
        expected_level["critical"] += 1
        n_2026 += 1
        for year in (2026, 2569):
            s = annual_summary(h, year)
            assert s["year"] == {"ce": 2026, "be": 2569} and s["due"] == "2027-01-31"
            assert s["incidents"] == n_2026 == len(s["register"])
            assert s["by_category"] == {str(c): expected_cat[c] for c in range(10)}
            assert s["by_asset_type"] == {a: expected_asset[a] for a in ASSET_TYPES}
            assert s["by_threat_level"] == {lv: expected_level[lv] for lv in THREAT_LEVELS}
    res = run("incident", "annual", "--year", "2569", "--history", str(db), "--format", "json")
    assert res.exit_code == 0 and json.loads(res.output)["incidents"] == n_2026
    text = run("incident", "annual", "--year", "2026", "--history", str(db))
    assert f"year 2569 BE (2026 CE): {n_2026} incident(s), due 2027-01-31" in text.output
    html = tmp_path / "k3.html"
    res = run("incident", "annual", "--year", "2569", "--history", str(db), "--format", "html", "-o", str(html))
    assert res.exit_code == 0, res.output
    page = html.read_text(encoding="utf-8")
    assert "แบบ ก3" in page and "31 มกราคม 2570" in page and "Root Level Intrusion" in page


def test_register_lifecycle(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    with open_history(db):
        pass
    res = run(
        "incident",
        "open",
        "--title",
        "defaced portal",
        "--detected-at",
        "2026-11-23T01:15:00Z",
        "--category",
        "5",
        "--category",
        "8",
        "--asset-type",
        "website",
        "--history",
        str(db),
    )
    assert res.exit_code == 0, res.output
    assert "opened INC-2569-0001" in res.output and "due by 2026-11-24T01:15:00Z" in res.output
    assert (
        run(
            "incident",
            "update",
            "INC-2569-0001",
            "--status",
            "investigating",
            "--level",
            "critical",
            "--note",
            "web team informed",
            "--history",
            str(db),
        ).exit_code
        == 0
    )
    assert (
        run(
            "incident",
            "close",
            "INC-2569-0001",
            "--at",
            "2026-11-24T09:00:00Z",
            "--note",
            "restored",
            "--history",
            str(db),
        ).exit_code
        == 0
    )
    again = run("incident", "close", "INC-2569-0001", "--history", str(db))
    assert again.exit_code == 3 and "already closed" in again.output
    listed = json.loads(run("incident", "list", "--history", str(db), "--format", "json").output)
    assert len(listed) == 1
    inc = listed[0]
    assert inc["status"] == "closed" and inc["threat_level"] == "critical" and inc["categories"] == [5, 8]
    assert inc["closed_at"] == "2026-11-24T09:00:00Z" and inc["ก2_due"] == "2026-11-24T01:15:00Z"
    assert [e["what"] for e in inc["events"]] == ["opened", "updated", "closed"]
    assert inc["events"][1]["note"] == "web team informed"
    assert run("incident", "list", "--year", "2568", "--history", str(db)).output == ""
    with open_history(db) as h:
        second = open_incident(h, "second", "2026-12-01T00:00:00Z")
        assert second.ref == "INC-2569-0002" and second.categories == [8]
        with pytest.raises(HistoryError):
            update_incident(h, second.ref, threat_level="apocalyptic")
        assert get_incident(h, "INC-2569-0002") is not None


def test_open_from_candidate(tmp_path: Path) -> None:
    """An incident opened from candidates takes their host, categories and the scan's detection time."""
    from test_bad_input import results_file

    db = tmp_path / "h.db"
    run("history", "record", str(results_file(tmp_path / "a.json")), "--history", str(db))
    run(
        "history",
        "record",
        str(results_file(tmp_path / "b.json", started="2026-11-22T19:05:00Z", status="fail")),
        "--history",
        str(db),
    )
    with open_history(db) as h:
        h.conn.execute("UPDATE checks SET severity = 'high'")
    cands = json.loads(run("incident", "candidates", "--history", str(db), "--format", "json").output)
    assert [(c["id"], c["kind"]) for c in cands] == [("C2-1", "regression")]
    res = run("incident", "open", "--candidate", "C2-1", "--history", str(db))
    assert res.exit_code == 0, res.output
    inc = json.loads(run("incident", "list", "--history", str(db), "--format", "json").output)[0]
    assert inc["hosts"] == ["h1"] and inc["categories"] == [3] and inc["asset_type"] == "website"
    assert inc["detected_at"] == "2026-11-22T19:05:00Z" and inc["candidates"] == ["C2-1"]


def test_years() -> None:
    assert common_era(2569) == 2026 and common_era(2026) == 2026
    with pytest.raises(HistoryError):
        common_era(69)

"""Bad input: a clear usage error (exit 3) naming the file; a database is never overwritten."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from prakan.cli import cli
from prakan.history.store import SCHEMA_VERSION

SAMPLE_RESULTS_HEAD = {
    "format": "prakan-results",
    "version": 1,
    "run": {
        "tool": "prakan",
        "version": "0.1.0",
        "started_at": "2026-11-21T19:05:00Z",
        "checks": {},
        "catalog": {"version": "1", "sha256": "0" * 64, "checks": 0},
        "evidence_dir": "nowhere",
        "org": {"short": "PRD-DEMO", "name_th": "กรมประชาสัมพันธ์สาธิต", "name_en": "Demo"},
    },
}


def results_file(
    path: Path,
    org: str | None = "PRD-DEMO",
    version: int = 1,
    started: str = "2026-11-21T19:05:00Z",
    status: str = "pass",
) -> Path:
    doc: dict[str, Any] = json.loads(json.dumps(SAMPLE_RESULTS_HEAD))
    doc["version"] = version
    doc["run"]["started_at"] = started
    if org is None:
        del doc["run"]["org"]
    else:
        doc["run"]["org"]["short"] = org
    doc["hosts"] = [
        {
            "name": "h1",
            "platform": "linux",
            "role": "web",
            "site": "S1",
            "category": "low",
            "error": None,
            "summary": {status: 1},
            "results": [{"check": "LNX-X-1", "status": status, "severity": "high", "refs": {}}],
        }
    ]
    doc["organisation"] = []
    doc["evidence_sha256"] = {"h1": None}
    doc["summary"] = {"hosts": 1, "hosts_in_error": 0, "by_status": {status: 1}, "by_severity": {}}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), env={"PRAKAN_HISTORY": ""})


def assert_usage(res: Any, *words: str) -> None:
    assert res.exit_code == 3, res.output
    assert "Traceback" not in res.output and isinstance(res.exception, SystemExit), res.exception
    for w in words:
        assert w in res.output, (w, res.output)


@pytest.mark.parametrize(
    "content",
    [b"this is not a database\n" * 100, b"SQLite format 3\x00" + b"\xff" * 4000, bytes(range(256)) * 64],
    ids=["text", "damaged-sqlite", "binary"],
)
def test_corrupt_database_is_refused_and_left_alone(tmp_path: Path, content: bytes) -> None:
    db = tmp_path / "history.db"
    db.write_bytes(content)
    r = results_file(tmp_path / "r.json")
    for args in (
        ["history", "record", str(r)],
        ["history", "list"],
        ["diff"],
        ["incident", "list"],
        ["incident", "annual", "--year", "2569"],
    ):
        assert_usage(run(*args, "--history", str(db)), str(db))
    assert db.read_bytes() == content
    assert not list(tmp_path.glob("history.db-*"))  # no WAL or journal left beside it


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "other.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE invoices(id INTEGER PRIMARY KEY, total REAL)")
        conn.execute("INSERT INTO invoices(total) VALUES (42.0)")
    before = db.read_bytes()
    res = run("history", "record", str(results_file(tmp_path / "r.json")), "--history", str(db))
    assert_usage(res, str(db), "another program")
    assert db.read_bytes() == before


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    assert run("history", "record", str(results_file(tmp_path / "r.json")), "--history", str(db)).exit_code == 0
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    assert_usage(run("history", "list", "--history", str(db)), "newer", "upgrade prakan")


def test_results_of_another_organisation_or_format(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    assert run("history", "record", str(results_file(tmp_path / "a.json")), "--history", str(db)).exit_code == 0
    before = db.read_bytes()
    other = results_file(tmp_path / "other.json", org="MOF-IT", started="2026-11-22T19:05:00Z")
    assert_usage(run("history", "record", str(other), "--history", str(db)), str(other), "MOF-IT", "PRD-DEMO")
    anonymous = results_file(tmp_path / "anon.json", org=None, started="2026-11-22T19:06:00Z")
    assert_usage(run("history", "record", str(anonymous), "--history", str(db)), "no organisation")
    v2 = results_file(tmp_path / "v2.json", version=2, started="2026-11-22T19:07:00Z")
    assert_usage(run("history", "record", str(v2), "--history", str(db)), str(v2), "version 2")
    junk = tmp_path / "junk.json"
    junk.write_text('{"format": "something-else"}', encoding="utf-8")
    assert_usage(run("history", "record", str(junk), "--history", str(db)), str(junk), "not a Prakan results file")
    half = tmp_path / "half.json"
    half.write_text(results_file(tmp_path / "x.json").read_text()[:300], encoding="utf-8")
    assert_usage(run("history", "record", str(half), "--history", str(db)), str(half))
    assert db.read_bytes() == before  # nothing was recorded by any refused file
    assert json.loads(run("history", "list", "--history", str(db), "--format", "json").output)[0]["id"] == 1


def test_unknown_runs_candidates_and_incidents(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    assert_usage(run("diff", "--history", str(db)), "no history database")
    assert not db.exists()  # reading never creates a database
    run("history", "record", str(results_file(tmp_path / "a.json")), "--history", str(db))
    assert_usage(run("diff", "--history", str(db)), "no run before run 1")
    run(
        "history",
        "record",
        str(results_file(tmp_path / "b.json", started="2026-11-22T19:05:00Z", status="fail")),
        "--history",
        str(db),
    )
    assert run("diff", "--history", str(db), "--fail-on-regression").exit_code == 1
    assert_usage(run("incident", "draft", "C2-99", "--history", str(db)), "C2-99")
    assert_usage(run("incident", "draft", "banana", "--history", str(db)), "banana")
    assert_usage(run("incident", "draft", "C1-1", "--history", str(db)), "run 1")
    assert_usage(run("incident", "update", "INC-2569-0042", "--history", str(db)), "INC-2569-0042")
    assert_usage(run("incident", "open", "--history", str(db)), "--candidate")
    assert_usage(
        run("incident", "open", "--title", "x", "--detected-at", "yesterday", "--history", str(db)), "yesterday"
    )
    assert_usage(
        run(
            "incident",
            "open",
            "--title",
            "x",
            "--detected-at",
            "2026-11-22T01:00:00Z",
            "--category",
            "12",
            "--history",
            str(db),
        ),
        "category 12",
    )
    assert_usage(run("incident", "annual", "--year", "95", "--history", str(db)), "Buddhist Era")
    assert_usage(run("diff", "--history", str(db), "--format", "pdf"), "pdf")


def test_a_new_database_is_private(tmp_path: Path) -> None:
    db = tmp_path / "sub" / "h.db"
    assert run("history", "record", str(results_file(tmp_path / "a.json")), "--history", str(db)).exit_code == 0
    assert db.stat().st_mode & 0o777 == 0o600

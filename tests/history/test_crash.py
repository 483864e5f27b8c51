"""Crash consistency and concurrent recording, with real processes killed at random moments."""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from planted import Nights, build
from prakan.history import open_history, read_results

TRIALS = 24


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> Nights:
    return build(tmp_path_factory.mktemp("nights"))


def record_cmd(results: Path, db: Path) -> list[str]:
    return [sys.executable, "-m", "prakan", "history", "record", str(results), "--history", str(db)]


def env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "PRAKAN_HISTORY"}


def integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def assert_run_whole(db: Path, run_id: int, results: Path) -> None:
    """Every host's statuses at `run_id` are exactly those of `results`, and the run's totals are its summary."""
    res = read_results(results)
    with open_history(db) as h:
        info = h.run_by_sha(res.sha256)
        assert info is not None and info.id == run_id
        assert info.by_status == res.tail["summary"]["by_status"]
        for host in res.hosts():
            want = {r["check"]: r["status"] for r in host["results"]}
            assert h.statuses_at(host["name"], run_id) == want, host["name"]
        n = h.conn.execute(
            "SELECT count(*) FROM source_states WHERE first_run <= ? AND (last_run IS NULL OR last_run >= ?)",
            (run_id, run_id),
        ).fetchone()[0]
        assert n > 1000  # the evidence of the run is there too


def assert_only_run_1(db: Path, r1: Path) -> None:
    with open_history(db) as h:
        assert [r.id for r in h.runs()] == [1]
        for table in ("statuses", "host_states", "source_states"):
            assert (
                h.conn.execute(f"SELECT count(*) FROM {table} WHERE first_run > 1 OR last_run IS NOT NULL").fetchone()[
                    0
                ]
                == 0
            ), table
    assert_run_whole(db, 1, r1)


def test_killed_recorders_leave_the_run_whole_or_absent(nights: Nights, tmp_path: Path) -> None:
    base = tmp_path / "base.db"
    subprocess.run(record_cmd(nights.r1, base), check=True, capture_output=True, env=env())
    timing = tmp_path / "timing.db"
    shutil.copy(base, timing)
    start = time.monotonic()
    subprocess.run(record_cmd(nights.r2, timing), check=True, capture_output=True, env=env())
    full = time.monotonic() - start
    rnd = random.Random(11)
    outcomes = []
    for trial in range(TRIALS):
        db = tmp_path / f"trial{trial}.db"
        shutil.copy(base, db)
        # spread over the whole recording, from before the database is opened to after the commit
        delay = full * (0.1 + 1.1 * (trial + rnd.random()) / TRIALS)
        proc = subprocess.Popen(
            record_cmd(nights.r2, db), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env()
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert integrity(db) == "ok", trial
        with open_history(db) as h:
            runs = [r.id for r in h.runs()]
        assert runs in ([1], [1, 2]), (trial, runs)
        if runs == [1, 2]:
            assert_run_whole(db, 2, nights.r2)
        else:
            assert_only_run_1(db, nights.r1)
        outcomes.append(len(runs))
        again = subprocess.run(record_cmd(nights.r2, db), capture_output=True, text=True, env=env())
        assert again.returncode == 0, again.stderr
        assert ("already recorded" in again.stderr) == (runs == [1, 2])
        assert_run_whole(db, 2, nights.r2)
        assert integrity(db) == "ok"
        db.unlink()
        for side in tmp_path.glob(f"trial{trial}.db-*"):
            side.unlink()
    assert 2 in outcomes  # some trials were killed after the commit...
    assert 1 in outcomes  # ...and some before it


def test_two_recorders_at_once(nights: Nights, tmp_path: Path) -> None:
    db = tmp_path / "h.db"  # empty: both also race to create the schema
    procs = [
        subprocess.Popen(record_cmd(r, db), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env())
        for r in (nights.r1, nights.r2)
    ]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    assert integrity(db) == "ok"
    with open_history(db) as h:
        order = {r.results_sha256: r.id for r in h.runs()}
    assert sorted(order.values()) == [1, 2]
    for r in (nights.r1, nights.r2):
        assert_run_whole(db, order[read_results(r).sha256], r)


RACE = """
import multiprocessing, sys
from pathlib import Path
from prakan.history import HistoryError, open_history

def open_close(path, results):
    try:
        open_history(Path(path)).conn.close()
        results.put("ok")
    except HistoryError as exc:
        results.put(str(exc))

if __name__ == "__main__":
    for i in range(int(sys.argv[2])):
        results = multiprocessing.Queue()
        procs = [multiprocessing.Process(target=open_close, args=(f"{sys.argv[1]}/h{i}.db", results)) for _ in range(3)]
        [p.start() for p in procs]
        [p.join() for p in procs]
        for _ in procs:
            print(results.get())
"""


def test_processes_creating_one_database_at_once_never_call_it_damaged(tmp_path: Path) -> None:
    """Three processes open the same new database at once, 60 times over: one creates the schema while
    the others wait. SQLite answers some of those moments "database is locked" without waiting (once
    reported as a damaged database), and reading the header apart from the tables once mistook a
    half-created database for another program's."""
    script = tmp_path / "race.py"
    script.write_text(RACE, encoding="utf-8")
    cmd = [sys.executable, str(script), str(tmp_path), "60"]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    answers = res.stdout.splitlines()
    assert len(answers) == 180 and set(answers) == {"ok"}, [a for a in answers if a != "ok"][:3]
    for i in range(60):
        assert integrity(tmp_path / f"h{i}.db") == "ok"

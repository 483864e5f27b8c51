"""`prakan scan` records each run; a bad history database stops it before anything is collected."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from prakan.history import open_history

# a host on loopback with nothing listening: collection fails fast, the run completes with it in error
INVENTORY = (
    "all:\n  hosts:\n    lnx1: {ansible_host: 127.0.0.1, ansible_port: 1, prakan_platform: linux, "
    "prakan_role: web, prakan_os_family: debian}\n"
)


def scan(tmp: Path, *args: str, data_home: Path | None = None) -> subprocess.CompletedProcess[str]:
    inv = tmp / "inv.yml"
    inv.write_text(INVENTORY, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("PRAKAN_HISTORY", "PRAKAN_INVENTORY")}
    env.update(XDG_CONFIG_HOME=str(tmp / "config"), XDG_DATA_HOME=str(data_home or tmp / "data"))
    return subprocess.run(
        [sys.executable, "-m", "prakan", "scan", "-i", str(inv), "--timeout", "5", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_scan_records_each_run(tmp_path: Path) -> None:
    first = scan(tmp_path, "--evidence-dir", str(tmp_path / "ev1"))
    assert first.returncode == 2, first.stderr  # the host is in error
    db = tmp_path / "data" / "prakan" / "history.db"  # $XDG_DATA_HOME/prakan/history.db
    assert "recorded run 1" in first.stderr and db.exists()
    second = scan(tmp_path, "--evidence-dir", str(tmp_path / "ev2"), "--history", str(tmp_path / "h.db"))
    assert "recorded run 1 in" in second.stderr and (tmp_path / "h.db").exists()
    third = scan(tmp_path, "--evidence-dir", str(tmp_path / "ev3"))
    assert "recorded run 2" in third.stderr and "since run 1: 0 regression(s)" in third.stderr
    with open_history(db) as h:
        assert [r.hosts_in_error for r in h.runs()] == [1, 1]
    off = scan(tmp_path, "--evidence-dir", str(tmp_path / "ev4"), "--no-history")
    assert "recorded" not in off.stderr and (tmp_path / "ev4" / "results.json").exists()
    with open_history(db) as h:
        assert len(h.runs()) == 2
    # the report beside each results.json shows the history the scan recorded into (and none without it)
    pages = {n: (tmp_path / n / "index.html").read_text(encoding="utf-8") for n in ("ev1", "ev2", "ev3", "ev4")}
    assert [pages[n].count('class="trend-run"') for n in ("ev1", "ev2", "ev3", "ev4")] == [1, 1, 2, 0]
    assert ['id="new-since"' in pages[n] for n in ("ev1", "ev2", "ev3", "ev4")] == [False, False, True, False]


def test_a_bad_history_stops_the_scan_before_collecting(tmp_path: Path) -> None:
    bad = tmp_path / "h.db"
    bad.write_bytes(b"not a database at all" * 50)
    res = scan(tmp_path, "--evidence-dir", str(tmp_path / "ev"), "--history", str(bad))
    assert res.returncode == 3 and str(bad) in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "ev").exists()
    assert bad.read_bytes() == b"not a database at all" * 50

"""What the report shows from the history: first seen, "new since the last scan", the trend.

`report_context(db, results)` returns (all times ISO 8601 UTC, run times as `RunInfo.when`):

    {
      "recorded": true,                # false: this results file is not in the history (then only "trend")
      "run": {...} | None,             # RunInfo.to_json() of this run
      "previous": {...} | None,        # the run before it, if any
      "first_seen": {                  # every fail / error / waived result of this run
        "<host>": {"<check>": {"status": "fail", "since": "<when>", "since_run": 3, "runs": 5}}
      },                               # runs: how many recorded runs in a row it has held, this one included
      "new_since_last": None | {       # None for the first run
        "counts": {...},               # Diff.counts()
        "regressions": [...], "fixes": [...], "new_errors": [...], "recoveries": [...],
        "waivers_expired": [...],      # StatusChange.to_json() each
        "hosts_appeared": [...], "hosts_vanished": [...], "hosts_new_error": [...], "hosts_recovered": [...],
        "drift": [{"host", "source", "removed": n, "added": n, "old_sha256", "new_sha256"}],
        "drift_unknown": None | "why"
      },
      "trend": [{"run": 2, "when": "...", "hosts": n, "hosts_in_error": n, "by_status": {...}}]  # oldest first
    }
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prakan.history.diff import compute_diff
from prakan.history.store import History, Results, open_history, read_results


def report_context(db: History | Path, results: Results | Path, trend_runs: int = 30) -> dict[str, Any]:
    history = open_history(db, create=False) if isinstance(db, Path) else db
    try:
        res = read_results(results) if isinstance(results, Path) else results
        trend: list[dict[str, Any]] = [
            {
                "run": r.id,
                "when": r.when,
                "hosts": r.hosts,
                "hosts_in_error": r.hosts_in_error,
                "by_status": r.by_status,
            }
            for r in history.runs(trend_runs)
        ]
        run = history.run_by_sha(res.sha256)
        if run is None:
            return {
                "recorded": False,
                "run": None,
                "previous": None,
                "first_seen": {},
                "new_since_last": None,
                "trend": trend,
            }
        trend = [t for t in trend if t["run"] <= run.id]
        first_seen: dict[str, dict[str, dict[str, Any]]] = {}
        whens = {r: w for r, w in history.conn.execute("SELECT id, coalesce(collected_to, started_at) FROM runs")}
        for host, check, status, first in history.conn.execute(
            "SELECT h.name, c.check_id, s.status, s.first_run FROM statuses s JOIN hosts h ON h.id = s.host "
            "JOIN checks c ON c.id = s.chk WHERE s.first_run <= ? AND (s.last_run IS NULL OR s.last_run >= ?) "
            "AND s.status IN ('fail', 'error', 'waived')",
            (run.id, run.id),
        ):
            first_seen.setdefault(host, {})[check] = {
                "status": status,
                "since": whens[first],
                "since_run": first,
                "runs": run.id - first + 1,
            }
        previous = history.previous_run(run.id)
        new_since: dict[str, Any] | None = None
        if previous is not None:
            d = compute_diff(history, previous, run)
            full = d.to_json()
            new_since = {
                k: full[k]
                for k in (
                    "counts",
                    "regressions",
                    "fixes",
                    "new_errors",
                    "recoveries",
                    "waivers_expired",
                    "hosts_appeared",
                    "hosts_vanished",
                    "hosts_new_error",
                    "hosts_recovered",
                    "drift_unknown",
                )
            }
            new_since["drift"] = [
                {
                    "host": x.host,
                    "source": x.source,
                    "removed": len(x.removed),
                    "added": len(x.added),
                    "old_sha256": x.old_sha256,
                    "new_sha256": x.new_sha256,
                }
                for x in d.drift
            ]
        return {
            "recorded": True,
            "run": run.to_json(),
            "previous": previous.to_json() if previous else None,
            "first_seen": first_seen,
            "new_since_last": new_since,
            "trend": trend,
        }
    finally:
        if isinstance(db, Path):
            history.close()

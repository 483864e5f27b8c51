"""Benchmark: the history database with the 10,000-host benchmark fleet of bench/evaluate_bench.py.

    .venv/bin/python bench/history_bench.py [--hosts 10000] [--nights 365] [--change 0.01] [--keep DIR]

1. Records one run of the fleet with `prakan history record` (a real process: results.json streamed,
   every evidence file re-hashed and its redacted sources stored) and prints the wall time. Goal < 10 s.
2. Simulates `--nights` nightly runs in which about `--change` of the results change status and the
   same share of hosts change one evidence source (a line added to the running-config or sshd -T),
   recorded through the same recorder; only reading the unchanged evidence files again is skipped
   (their digests are reused; it costs time, not space). Prints the database size. Goal < 1 GiB.
3. Times the point queries: "regressions since the last run" and "since when has this check been
   failing on this host" (first seen). Goal: milliseconds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import evaluate_bench
from prakan.history import store
from prakan.history.diff import _changed, compute_diff


def prepare(directory: Path, hosts: int) -> Path:
    evidence, inventory, results = directory / "evidence", directory / "inventory", directory / "results.json"
    if not evidence.exists() or not any(evidence.glob("*.json")):
        start = time.perf_counter()
        evaluate_bench.generate(evidence, hosts)
        print(f"generated {hosts} evidence files in {time.perf_counter() - start:.1f} s")
    if not inventory.exists():
        evaluate_bench.write_inventory(inventory, hosts)
    if not results.exists():
        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "prakan",
                "evaluate",
                "--evidence",
                str(evidence),
                "-i",
                str(inventory),
                "-o",
                str(results),
            ],
            check=True,
            stderr=subprocess.DEVNULL,
        )
        print(f"evaluated in {time.perf_counter() - start:.1f} s")
    return results


class SimulatedResults(store.Results):
    """A night's results held in memory (the recorder reads hosts() and tail exactly as from a file)."""

    def __init__(self, base: store.Results, night: int, hosts: list[dict[str, Any]], when: str) -> None:
        run = dict(base.run, started_at=when)
        counts: dict[str, int] = {}
        for h in hosts:
            for r in h["results"]:
                counts[r["status"]] = counts.get(r["status"], 0) + 1
        summary = dict(base.tail["summary"], by_status=counts)
        tail = dict(base.tail, summary=summary)
        super().__init__(base.path, hashlib.sha256(f"night {night}".encode()).hexdigest(), run, tail)
        self._hosts = hosts

    def hosts(self) -> Iterator[dict[str, Any]]:
        for h in self._hosts:
            yield dict(h, collected_at=self.run["started_at"])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hosts", type=int, default=10_000)
    ap.add_argument("--nights", type=int, default=365)
    ap.add_argument(
        "--change", type=float, default=0.01, help="Share of results (and hosts' sources) changing a night."
    )
    ap.add_argument("--keep", type=Path, help="Use (or create) the fleet, results and database in this directory.")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="prakan-history-bench-")
    directory = args.keep or Path(tmp.name)
    directory.mkdir(parents=True, exist_ok=True)
    results_path = prepare(directory, args.hosts)
    evidence = directory / "evidence"
    db = directory / "history.db"
    for p in directory.glob("history.db*"):
        p.unlink()

    # 1. one real run, recorded by a real process
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [sys.executable, "-m", "prakan", "history", "record", str(results_path), "--history", str(db)],
        check=True,
        stderr=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    base = store.read_results(results_path)
    n_results = sum(len(h["results"]) for h in base.hosts())
    size1 = db.stat().st_size
    print(
        f"record one run: {args.hosts} hosts, {n_results} results, {results_path.stat().st_size / 2**20:.0f} MiB "
        f"results.json, {sum(p.stat().st_size for p in evidence.glob('*.json')) / 2**20:.0f} MiB evidence: "
        f"{wall:.1f} s wall (recorder process CPU {cpu:.1f} s + evidence workers); database {size1 / 2**20:.0f} MiB"
    )

    # 1b. the next night, nothing changed (the steady state): the same fleet, a new results.json
    night2 = directory / "results-night2.json"
    with results_path.open("rb") as src, night2.open("wb") as dst:
        head = src.readline()
        dst.write(head.replace(base.run["started_at"].encode(), b"2026-11-23T19:05:00Z", 1))
        shutil.copyfileobj(src, dst, 1 << 22)
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [sys.executable, "-m", "prakan", "history", "record", str(night2), "--history", str(db)],
        check=True,
        stderr=subprocess.DEVNULL,
    )
    wall2 = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu2 = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    night2.unlink()
    print(
        f"record the next night (nothing changed): {wall2:.1f} s wall (recorder process CPU {cpu2:.1f} s + "
        f"evidence workers); database {db.stat().st_size / 2**20:.0f} MiB"
    )
    if args.nights <= 2:
        return

    # 2. the nights
    rnd = random.Random(365)
    hosts: list[dict[str, Any]] = [
        {k: h.get(k) for k in ("name", "platform", "role", "site", "category", "error")}
        | {
            "results": [
                {k: r[k] for k in ("check", "status", "severity") if k in r}
                | ({"reason": r.get("reason") or r.get("actual") or ""} if r["status"] != "pass" else {})
                for r in h["results"]
            ]
        }
        for h in base.hosts()
    ]
    digests: dict[str, store.Digest] = {}
    with store.open_history(db) as h:
        hid = dict(h.conn.execute("SELECT name, id FROM hosts"))
        for name, source, sha in h.conn.execute(
            "SELECT h.name, s.source, s.sha256 FROM source_states s "
            "JOIN hosts h ON h.id = s.host WHERE s.last_run IS NULL"
        ):
            digests.setdefault(name, (name, None, {}, []))[2][source] = sha
    texts: dict[tuple[str, str], str] = {}
    plan: dict[str, store.Digest] = {}

    def fake_digests(self: Any, stack: Any, evidence_sha: Any, open_sources: Any) -> list[store.Digest]:
        return [plan.get(name, digests[name]) for name in evidence_sha if name in digests]

    store._Recorder._digests = fake_digests  # type: ignore[method-assign]
    t0 = datetime(2026, 1, 1, 19, 0, tzinfo=UTC)
    flat = [(i, j) for i, hh in enumerate(hosts) for j in range(len(hh["results"]))]
    per_night = max(1, int(len(flat) * args.change))
    host_changes = max(1, int(len(hosts) * args.change))
    start = time.perf_counter()
    night_times = []
    with store.open_history(db) as h:
        for night in range(2, args.nights):
            for i, j in rnd.sample(flat, per_night):
                r = hosts[i]["results"][j]
                r["status"] = "fail" if r["status"] == "pass" else "pass"
                if r["status"] == "fail":
                    r["reason"] = f"changed on night {night}"
            plan = {}
            for i in rnd.sample(range(len(hosts)), host_changes):
                name = hosts[i]["name"]
                source = "running_config" if hosts[i]["platform"] == "cisco_ios" else "sshd_effective"
                key = (name, source)
                if key not in texts:
                    doc = json.loads((evidence / f"{name}.json").read_text(encoding="utf-8"))
                    texts[key] = doc["sources"][source]["output"]
                texts[key] += f"! changed on night {night}\n" if source == "running_config" else f"night{night} yes\n"
                data = texts[key].encode()
                sha = hashlib.sha256(data).hexdigest()
                found = dict(digests[name][2], **{source: sha})
                digests[name] = (name, None, found, [])
                plan[name] = (name, None, found, [(sha, len(data), zlib.compress(data, 1))])
            when = (t0 + timedelta(days=night)).strftime("%Y-%m-%dT%H:%M:%SZ")
            s = time.perf_counter()
            h.record(SimulatedResults(base, night, hosts, when), evidence)
            night_times.append(time.perf_counter() - s)
            if night % 50 == 0:
                print(
                    f"  night {night}: {sum(night_times) / len(night_times):.2f} s per night so far, "
                    f"database {db.stat().st_size / 2**20:.0f} MiB",
                    flush=True,
                )
        h.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    total = time.perf_counter() - start
    size = sum(p.stat().st_size for p in directory.glob("history.db*"))
    print(
        f"{args.nights} nightly runs ({per_night} results = {args.change:.0%} and {host_changes} hosts' sources "
        f"changing a night): database {size / 2**20:.0f} MiB ({size / 2**30:.2f} GiB; goal < 1 GiB); "
        f"{total / max(1, args.nights - 2):.2f} s per simulated night"
    )

    # 3. point queries
    with store.open_history(db) as h:
        latest = h.latest_run()
        prev = h.previous_run(latest.id) if latest else None
        assert latest and prev
        some = rnd.sample(hosts, 50)
        times = []
        for hh in some:
            r = rnd.choice(hh["results"])
            s = time.perf_counter()
            h.status_since(hh["name"], r["check"])
            times.append(time.perf_counter() - s)
        times.sort()
        s = time.perf_counter()
        changed = _changed(h, "statuses", "host, chk", "status, detail", prev.id, latest.id)
        regressions = [k for k, (b, a) in changed.items() if a and a[0] == "fail" and (b is None or b[0] != "fail")]
        t_reg = time.perf_counter() - s
        s = time.perf_counter()
        d = compute_diff(h, prev, latest)
        t_diff = time.perf_counter() - s
        s = time.perf_counter()
        first = h.run(1)
        assert first is not None
        d_year = compute_diff(h, first, latest)
        t_year = time.perf_counter() - s
        host_id = hid[hosts[0]["name"]]
        s = time.perf_counter()
        h.conn.execute("SELECT count(*) FROM statuses WHERE host = ? AND last_run IS NULL", (host_id,)).fetchone()
        t_host = time.perf_counter() - s
    print(
        f"first seen (status_since) of one host and check: median {times[len(times) // 2] * 1000:.2f} ms, "
        f"max {times[-1] * 1000:.2f} ms"
    )
    print(
        f"regressions since the last run: {len(regressions)} in {t_reg * 1000:.1f} ms; the whole diff of the last "
        f"two runs (statuses, hosts, {len(d.drift)} sources' unified diffs): {t_diff * 1000:.0f} ms; "
        f"one host's current statuses: {t_host * 1000:.2f} ms"
    )
    print(
        f"diff of the first and the last run ({len(d_year.regressions)} regressions, {len(d_year.drift)} sources "
        f"changed): {t_year:.1f} s"
    )
    if args.keep is None:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()

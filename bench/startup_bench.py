"""Benchmark: start-up of `prakan --help`, `prakan checks list` and `prakan evaluate` of one host.

    .venv/bin/python bench/startup_bench.py [--rounds 7] [--host samples/evidence/bkk-hq-saraban1.json]

Each command runs `--rounds` times as a fresh process; prints the median wall time and the median
CPU time (user + system of the child: the better figure on a busy machine), with the catalog cache
warm (a scratch XDG_CACHE_HOME filled by a first run) and with it off (PRAKAN_NO_CACHE=1).
Byte-code caching is on, as in an installed package.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRAKAN = [sys.executable, "-m", "prakan"]


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(cmd: list[str], env: dict[str, str], rounds: int) -> tuple[float, float]:
    run(cmd, env)  # warm the byte-code and catalog caches
    walls, cpus = zip(*(run(cmd, env) for _ in range(rounds)), strict=True)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--host", type=Path, default=ROOT / "samples" / "evidence" / "bkk-hq-saraban1.json")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="prakan-startup-") as tmp:
        evidence = Path(tmp) / "evidence"
        evidence.mkdir()
        shutil.copy(args.host, evidence)
        base = {k: v for k, v in os.environ.items() if k not in ("PRAKAN_NO_CACHE", "PYTHONDONTWRITEBYTECODE")}
        base |= {"XDG_CACHE_HOME": str(Path(tmp) / "cache"), "PYTHONPYCACHEPREFIX": str(Path(tmp) / "pyc")}
        commands = {
            "prakan --help": [*PRAKAN, "--help"],
            "prakan checks list": [*PRAKAN, "checks", "list"],
            "prakan evaluate (1 host)": [*PRAKAN, "evaluate", "--evidence", str(evidence), "-o", f"{tmp}/r.json"],
        }
        print(f"{'command':28} {'cache':>6} {'wall s':>8} {'cpu s':>8}   (median of {args.rounds})")
        for label, cmd in commands.items():
            for cache, env in (("warm", base), ("off", base | {"PRAKAN_NO_CACHE": "1"})):
                wall, cpu = measure(cmd, env, args.rounds)
                print(f"{label:28} {cache:>6} {wall:8.3f} {cpu:8.3f}")
        print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()

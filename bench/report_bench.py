"""Benchmark: `prakan report` on the 10,000-host results of bench/evaluate_bench.py, and the page in Chromium.

    .venv/bin/python bench/report_bench.py [--hosts 10000] [--keep DIR]

Generates the evaluation benchmark's synthetic fleet (5,000 IOS routers with ~1,000-line configurations,
5,000 Linux servers, 100 sites) and evaluates it once (not timed here; --keep DIR reuses
DIR/evidence, DIR/inventory and DIR/results.json). Then prints the wall time, CPU time and peak memory
of `prakan report`, the size of each file it writes, and, with Debian's chromium installed, how long
the page takes to open from disk until its host list is usable and how long a search and a status
filter take. Goals: report < 15 s and < 1 GiB, index.html < 20 MB, page usable < 5 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import evaluate_bench  # noqa: E402  (the evaluation benchmark's fleet generator)


def prepare(root: Path, hosts: int) -> Path:
    evidence, inventory, results = root / "evidence", root / "inventory", root / "results.json"
    if not evidence.exists() or not any(evidence.glob("*.json")):
        start = time.perf_counter()
        evaluate_bench.generate(evidence, hosts)
        evaluate_bench.seal(evidence)  # signed, as a collection run would be
        print(f"generated {hosts} evidence files in {time.perf_counter() - start:.1f} s")
    if not inventory.exists():
        evaluate_bench.write_inventory(inventory, hosts)
    if not results.exists():
        start = time.perf_counter()
        cmd = [
            "-m",
            "prakan.cli",
            "evaluate",
            "--evidence-dir",
            str(evidence),
            "-i",
            str(inventory),
            "-o",
            str(results),
            "--max-age",
            "0",
        ]
        env = os.environ | {"PRAKAN_MANIFEST_KEY": evaluate_bench.BENCH_KEY}
        subprocess.run([sys.executable, *cmd], check=True, stderr=subprocess.DEVNULL, env=env)
        print(f"evaluated in {time.perf_counter() - start:.1f} s (not part of the figures below)")
    return results


def time_report(results: Path, out: Path) -> None:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    cmd = [
        sys.executable,
        "-m",
        "prakan.cli",
        "report",
        str(results),
        "-o",
        str(out),
        "--generated-at",
        "2026-11-28T00:00:00Z",
    ]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    print(f"results.json: {results.stat().st_size / 2**20:.0f} MiB")
    peak = after.ru_maxrss / 1024
    print(f"prakan report: {wall:.1f} s wall, {cpu:.1f} s CPU, peak {peak:.0f} MiB (goal < 15 s, < 1 GiB)")
    for name in ("index.html", "results.csv", "junit.xml", "summary.json"):
        print(f"  {name}: {(out / name).stat().st_size / 1e6:.1f} MB")


def wait_for(page: Any, done: Callable[[str], bool]) -> None:
    """Poll the host count from outside the page (its CSP forbids the evaluated predicates Playwright uses)."""
    for _ in range(6000):
        if done(page.inner_text("#host-count")):
            return
        time.sleep(0.005)
    raise TimeoutError("the host list did not update")


def time_page(index: Path) -> None:
    exe = shutil.which("chromium")
    if exe is None:
        print("chromium not installed: page figures skipped (scripts/report-deps.sh installs it)")
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        start = time.perf_counter()
        page.goto(index.resolve().as_uri(), wait_until="commit")
        page.wait_for_selector("#host-rows tr.host-row", timeout=60_000)
        usable = time.perf_counter() - start
        page.wait_for_load_state("load")
        loaded = time.perf_counter() - start
        rows = page.locator("#host-rows tr.host-row").count()
        start = time.perf_counter()
        page.fill("#f-text", "r00999")
        wait_for(page, lambda text: text.startswith("1 /"))
        search = time.perf_counter() - start
        page.fill("#f-text", "")
        start = time.perf_counter()
        page.select_option("#f-status", "fail")
        page.fill("#f-check", "LNX-SSH-004")
        wait_for(page, lambda text: not text.startswith("10000 /"))
        filt = time.perf_counter() - start
        count = page.inner_text("#host-count")
        browser.close()
    print(
        f"page usable (host list drawn, {rows} rows of a page) {usable:.2f} s after opening; load event {loaded:.2f} s"
    )
    print(f"search by host name {search * 1000:.0f} ms; filter by check + status {filt * 1000:.0f} ms ({count})")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hosts", type=int, default=10_000)
    ap.add_argument("--keep", type=Path, help="Use (or create) this directory for evidence, inventory and results.")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="prakan-report-bench-")
    root = args.keep or Path(tmp.name)
    root.mkdir(parents=True, exist_ok=True)
    results = prepare(root, args.hosts)
    out = root / "report"
    time_report(results, out)
    time_page(out / "index.html")


if __name__ == "__main__":
    main()

"""Hostile simulated IOS devices on the loopback: a config that never ends, one byte a second, a
TCP port that never speaks SSH, a session that stops mid-output. Each is an `error` for its host
with a reason that says what happened; no library traceback reaches the terminal; the endless
device is cut at the 32 MiB cap instead of growing memory until the timeout.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from lab import fakeios

ROOT = Path(__file__).resolve().parents[2]
CONFIG = (ROOT / "tests" / "checks" / "data" / "ios_xe17_hardened.cfg").read_text(encoding="utf-8")
BEHAVIOURS = ("endless", "trickle", "silent", "hang")


@pytest.fixture(scope="module")
def devices() -> Iterator[dict[str, fakeios.Device]]:
    started = fakeios.start(
        [fakeios.DeviceSpec(name=f"bkk-hq-rtr01-{b}", config=CONFIG, behaviour=b) for b in BEHAVIOURS]
    )
    try:
        yield dict(zip(BEHAVIOURS, started, strict=True))
    finally:
        for dev in started:
            dev.stop()


@pytest.fixture(scope="module")
def run(devices: dict[str, fakeios.Device], tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("hostile")
    (base / "known_hosts").write_text("".join(d.known_hosts_line() + "\n" for d in devices.values()))
    hosts = {
        b: {
            "ansible_host": d.address,
            "ansible_port": d.port,
            "prakan_platform": "cisco_ios",
            "ansible_user": "admin",
            "ansible_password": "admin",
            "ansible_become": True,
        }
        for b, d in devices.items()
    }
    (base / "inv").mkdir()
    (base / "inv" / "hosts.yml").write_text(yaml.safe_dump({"all": {"hosts": hosts}}), encoding="utf-8")
    env = {**os.environ, "XDG_CONFIG_HOME": str(base / "config"), "PRAKAN_REDACTION_KEY": "k" * 32}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "prakan",
            "collect",
            "-i",
            str(base / "inv"),
            "--evidence-dir",
            str(base / "ev"),
            "--known-hosts",
            str(base / "known_hosts"),
            "--timeout",
            "12",
            "--forks",
            "4",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    manifest = json.loads((base / "ev" / "manifest.json").read_text(encoding="utf-8"))
    return {"proc": proc, "manifest": manifest, "dir": base / "ev"}


def test_each_hostile_device_is_an_error_saying_what_happened(run: dict) -> None:
    failed = run["manifest"]["failed"]
    expected = {
        "endless": r"`show running-config`: output passed 32 MiB and the device kept sending \(not kept\)",
        "trickle": r"^`show running-config` did not complete: no prompt within \d+ s \(output still arriving: "
        r"\d+ bytes in \d+ s, too slow for the timeout\)$",
        "silent": r"^127\.0\.0\.1:\d+ accepted the TCP connection but sent no SSH banner within \d+ s",
        "hang": r"^`show running-config` did not complete: no prompt within \d+ s \(output stopped mid-way: "
        r"\d+ bytes, then nothing for \d+ s\)$",
    }
    assert set(failed) == set(expected), failed
    for name, pattern in expected.items():
        assert re.search(pattern, failed[name]), (name, failed[name])
    assert "No existing session" not in run["proc"].stderr


def test_no_library_traceback_reaches_the_terminal(run: dict) -> None:
    assert "Traceback" not in run["proc"].stderr, run["proc"].stderr
    assert "SSH protocol banner" not in run["proc"].stderr


def test_the_endless_output_is_an_error_for_its_source_and_not_kept(run: dict) -> None:
    doc = json.loads((run["dir"] / "endless.json").read_text(encoding="utf-8"))
    src = doc["sources"]["running_config"]
    assert src["truncated"] is True and "32 MiB" in src["error"] and src["output"] == ""
    assert sum(p.stat().st_size for p in run["dir"].iterdir()) < 1_000_000

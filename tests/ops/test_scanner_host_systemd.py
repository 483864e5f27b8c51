"""playbooks/scanner_host.yml against a host whose init is systemd (systemd-nspawn --boot): check
mode, for real, again (idempotent); then the timer is enabled and active, and the service, started
the way the timer starts it, runs a real scan inside its sandbox against a simulated device on
127.0.0.1, logs to the journal and leaves the unit `succeeded` with the scan's exit status 1.
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
from lab import MINIMAL_IOS, fakeios
from lab.inventory import write_inventory
from lab.keys import KeyPair
from prakan.paths import ROOT
from systemd_host import SystemdHost, unavailable

pytest_plugins = ["lab.fixtures"]
pytestmark = pytest.mark.lab

BIN = Path(sys.executable).parent
PLAYBOOK = ROOT / "playbooks" / "scanner_host.yml"


@pytest.fixture
def scanner(tmp_path: Path, lab_keypair: KeyPair) -> Iterator[SystemdHost]:
    reason = unavailable()
    if reason:
        pytest.skip(reason)
    with SystemdHost(tmp_path / "scanner", lab_keypair.public) as host:
        yield host


def _playbook(inv: Path, extra: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "ANSIBLE_DEPRECATION_WARNINGS": "False",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_LOCAL_TEMP": str(extra.parent / "ansible-tmp"),
    }
    return subprocess.run(
        [str(BIN / "ansible-playbook"), "-i", str(inv), str(PLAYBOOK), "-e", f"@{extra}", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
        cwd=ROOT,
    )


def _recap(out: str) -> dict[str, int]:
    m = re.search(r"^scanner\s+:\s+(.*)$", out, re.M)
    assert m, out[-3000:]
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(1))}


def test_nightly_job_on_a_systemd_host(
    scanner: SystemdHost, lab_keypair: KeyPair, tmp_path: Path, wheelhouse: Path
) -> None:
    (dev,) = fakeios.start([fakeios.DeviceSpec("R-NIGHT", MINIMAL_IOS.format(name="R-NIGHT"))])
    try:
        scanned = write_inventory(tmp_path / "scanned", [], [dev], lab_keypair)
        inventory_dir = tmp_path / "inventory"  # what the service scans: the inventory alone
        inventory_dir.mkdir()
        (inventory_dir / "hosts.yml").write_text(scanned.read_text())
        known = tmp_path / "controller-known_hosts"
        known.write_text(scanner.known_hosts_line() + "\n")
        controller = tmp_path / "controller.yml"
        ssh_args = f"-o UserKnownHostsFile={known} -o StrictHostKeyChecking=yes"
        controller.write_text(
            yaml.safe_dump(
                {
                    "all": {
                        "hosts": {
                            "scanner": {
                                "ansible_host": "127.0.0.1",
                                "ansible_port": scanner.port,
                                "ansible_user": "root",
                                "ansible_ssh_private_key_file": str(lab_keypair.private),
                                "ansible_python_interpreter": "/usr/bin/python3",
                                "ansible_ssh_common_args": ssh_args,
                            }
                        }
                    }
                }
            )
        )
        extra = tmp_path / "vars.json"
        extra.write_text(
            json.dumps(
                {
                    "prakan_scanner_hosts": "scanner",
                    "prakan_scanner_wheelhouse_src": str(wheelhouse),
                    "prakan_scanner_inventory_src": str(inventory_dir),
                    "prakan_scanner_known_hosts": (scanned.parent / "known_hosts").read_text(),
                }
            )
        )

        check = _playbook(controller, extra, "--check")
        assert check.returncode == 0, check.stdout[-4000:] + check.stderr[-2000:]
        assert not (scanner.root / "opt/prakan").exists()

        real = _playbook(controller, extra)
        assert real.returncode == 0, real.stdout[-4000:] + real.stderr[-2000:]
        # systemd-analyze verify ran on the host itself
        assert re.search(r"TASK \[prakan_scanner : Verify the units\] \**\nok: \[scanner\]", real.stdout), real.stdout
        again = _playbook(controller, extra)
        assert again.returncode == 0 and _recap(again.stdout)["changed"] == 0, again.stdout[-4000:]

        assert scanner.exec("systemctl", "is-enabled", "prakan-scan.timer").stdout.strip() == "enabled"
        assert scanner.exec("systemctl", "is-active", "prakan-scan.timer").stdout.strip() == "active"
        started = scanner.exec("systemctl", "start", "prakan-scan.service", check=False)
        journal = scanner.exec("journalctl", "-u", "prakan-scan", "--no-pager", "-o", "cat").stdout
        assert started.returncode == 0, started.stderr + journal[-3000:]
        show = scanner.exec("systemctl", "show", "prakan-scan.service", "-p", "Result,ExecMainStatus").stdout
        assert "Result=success" in show and "ExecMainStatus=1" in show, show  # checks fail: exit 1, unit fine
        assert "prakan-nightly: scan" in journal and "[1/1] ok     R-NIGHT" in journal, journal[-2000:]
        runs = scanner.root / "var/lib/prakan/runs"
        latest = runs / os.readlink(runs / "latest")
        results = json.loads((latest / "results.json").read_text())
        assert results["summary"]["hosts"] == 1 and results["summary"]["hosts_in_error"] == 0
        security = scanner.exec("systemd-analyze", "security", "prakan-scan.service", "--no-pager", check=False)
        m = re.search(r"Overall exposure level for prakan-scan.service: ([0-9.]+)", security.stdout)
        assert m and float(m.group(1)) <= 1.5, security.stdout[-1500:]
        print(f"\nexposure of the running unit on the booted host: {m.group(1)}")
    finally:
        dev.stop()

"""playbooks/scanner_host.yml against a lab host: check mode first (nothing changes), then for real,
then again (idempotent), then the installed nightly job runs a scan as the service user.

The lab host is a network namespace running real sshd over Debian 12 (tests/lab), not a systemd
machine: its init is sshd, so the units are installed and checked as files, the timer is not
enabled, and the job is started by hand the way systemd would start it (as the `prakan` user, with
the redaction key handed over as a credential). What this does not show: systemd's sandbox
around a real scan, and the timer firing (the units themselves are verified in test_scanner_units).
"""

from __future__ import annotations

import json
import os
import pwd
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from lab import HostFactory
from lab.hosts import Host
from lab.inventory import write_inventory
from lab.keys import KeyPair
from prakan.paths import ROOT

pytest_plugins = ["lab.fixtures"]
pytestmark = pytest.mark.lab

BIN = Path(sys.executable).parent
PLAYBOOK = ROOT / "playbooks" / "scanner_host.yml"


def _scanned_inventory(directory: Path, host: Host) -> Path:
    """What the scanning host will scan: itself, over SSH, with the key the role deploys."""
    directory.mkdir(parents=True)
    site = {
        "code": "LAB-NS",
        "name_th": "ห้องทดลอง",
        "name_en": "Lab",
        "kind": "hq",
        "province": "Bangkok",
        "region": "bangkok",
        "mgmt_subnet": "10.203.0.0/16",
        "subnets": ["10.203.0.0/16"],
        "transports": [{"type": "mpls", "provider": "Lab", "circuit_id": "LAB-1", "bandwidth_mbps": 100}],
        "owner": {"name": "Lab", "email": "lab@example.org", "phone": "+66 2 000 0000"},
        "security_category": {"confidentiality": "medium", "integrity": "medium", "availability": "low"},
    }
    inv = {
        "all": {
            "children": {
                "site_lab_ns": {"hosts": {host.name: None}, "vars": {"prakan_site": site}},
                "role_web": {"hosts": {host.name: None}},
                "platform_linux": {
                    "hosts": {
                        host.name: {
                            "ansible_host": host.address,
                            "ansible_port": host.port,
                            "ansible_user": "lab",
                            "ansible_become": True,
                            "ansible_ssh_private_key_file": "/etc/prakan/ssh/id_ed25519",
                            "prakan_platform": "linux",
                            "prakan_role": "web",
                            "prakan_os_family": "debian",
                            "prakan_os": "debian12",
                        }
                    }
                },
            }
        }
    }
    (directory / "hosts.yml").write_text(yaml.safe_dump(inv, allow_unicode=True, sort_keys=False))
    return directory


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


def _recap(out: str, host: str) -> dict[str, int]:
    m = re.search(rf"^{re.escape(host)}\s+:\s+(.*)$", out, re.M)
    assert m, out[-3000:]
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(1))}


def _owner(path: Path, uid_map: dict[int, str]) -> str:
    return uid_map.get(path.stat().st_uid, str(path.stat().st_uid))


def _passwd(root: Path) -> dict[str, list[str]]:
    return {ln.split(":")[0]: ln.split(":") for ln in (root / "etc/passwd").read_text().splitlines() if ln}


def test_scanner_host_playbook_on_a_lab_host(
    lab_hosts: HostFactory, lab_keypair: KeyPair, tmp_path: Path, wheelhouse: Path
) -> None:
    (host,) = lab_hosts(1)
    inv = write_inventory(tmp_path / "controller", [host], [], lab_keypair)
    scanned = _scanned_inventory(tmp_path / "scanned", host)
    extra = tmp_path / "vars.json"
    extra.write_text(
        json.dumps(
            {
                "prakan_scanner_hosts": host.name,
                "prakan_scanner_wheelhouse_src": str(wheelhouse),
                "prakan_scanner_inventory_src": str(scanned),
                "prakan_scanner_known_hosts": host.known_hosts_line() + "\n",
                "prakan_scanner_ssh_private_key": lab_keypair.private.read_text(),
                "prakan_scanner_keep_runs": 2,
            }
        )
    )

    # 1. check mode: reports what it would do, changes nothing on the host
    check = _playbook(inv, extra, "--check")
    assert check.returncode == 0, check.stdout[-4000:] + check.stderr[-2000:]
    assert _recap(check.stdout, host.name)["changed"] > 0
    assert not (host.root / "opt/prakan").exists() and not (host.root / "etc/prakan").exists()
    assert "prakan" not in _passwd(host.root)

    # 2. for real
    real = _playbook(inv, extra)
    assert real.returncode == 0, real.stdout[-4000:] + real.stderr[-2000:]
    assert "the service manager here is" in real.stdout  # not systemd: units installed, timer not enabled
    users = _passwd(host.root)
    assert users["prakan"][6] == "/usr/sbin/nologin" and int(users["prakan"][2]) < 1000  # system user, no shell
    uid_map = {int(f[2]): n for n, f in users.items()}
    r = host.root
    for path, owner, mode in (
        ("etc/prakan/redaction.key", "root", 0o600),
        ("etc/prakan/known_hosts", "root", 0o640),
        ("etc/prakan/ssh/id_ed25519", "prakan", 0o400),
        ("etc/prakan", "root", 0o750),
        ("var/lib/prakan", "prakan", 0o750),
        ("etc/prakan/inventory/hosts.yml", "root", 0o640),
        ("opt/prakan/bin/prakan-nightly", "root", 0o755),
    ):
        assert (r / path).exists(), path
        assert _owner(r / path, uid_map) == owner, path
        assert (r / path).stat().st_mode & 0o777 == mode, (path, oct((r / path).stat().st_mode))
    assert len((r / "etc/prakan/redaction.key").read_text().strip()) == 64
    svc = (r / "etc/systemd/system/prakan-scan.service").read_text()
    assert "ProtectSystem=strict" in svc and "ExecStart=/opt/prakan/bin/prakan-nightly" in svc
    assert (r / "etc/systemd/system/prakan-scan.timer").is_file()
    version = host.exec("/opt/prakan/venv/bin/prakan", "--version")
    assert "prakan, version" in version.stdout
    ios = host.exec("/opt/prakan/venv/bin/ansible-doc", "-t", "module", "cisco.ios.ios_command", "--json", check=False)
    assert ios.returncode == 0, ios.stderr[-1000:]  # the collections came along, offline

    # 3. again: nothing changes (the key is not regenerated, the install not repeated)
    key_before = (r / "etc/prakan/redaction.key").read_text()
    again = _playbook(inv, extra)
    assert again.returncode == 0, again.stdout[-4000:]
    assert _recap(again.stdout, host.name)["changed"] == 0, again.stdout[-4000:]
    assert (r / "etc/prakan/redaction.key").read_text() == key_before

    # 4. the job, as systemd would start it: user prakan, the key as a credential (LoadCredential=)
    creds = "/run/credentials/prakan-scan.service"
    host.exec("sh", "-c", f"mkdir -p {creds} && install -m 0400 -o prakan /etc/prakan/redaction.key {creds}/")
    run = host.exec(
        "runuser",
        "-u",
        "prakan",
        "--",
        "env",
        f"CREDENTIALS_DIRECTORY={creds}",
        "PRAKAN_STATE_DIR=/var/lib/prakan",
        "HOME=/var/lib/prakan",
        "/opt/prakan/bin/prakan-nightly",
        check=False,
    )
    # a stock lab Debian fails checks (1); its package lists were never fetched, so pending updates are an
    # error result (2); the host itself is never in error
    assert run.returncode in (0, 1, 2), run.stderr[-3000:]
    assert "0 host(s) in error" in run.stderr
    run_id = re.search(r"scan (\d{8}T\d{6}Z) starting", run.stderr).group(1)  # type: ignore[union-attr]
    results = json.loads((r / "var/lib/prakan/runs" / run_id / "results.json").read_text())
    (h,) = results["hosts"]
    assert h["name"] == host.name and h["error"] is None, h.get("error")
    assert h["summary"].get("pass", 0) > 0 and h["summary"].get("fail", 0) > 0
    assert all(r.get("reason") for r in h["results"] if r["status"] == "error")
    assert _owner(r / "var/lib/prakan/runs" / run_id / "results.json", uid_map) == "prakan"
    assert os.readlink(r / "var/lib/prakan/runs/latest") == run_id
    # the job cannot read the key file itself: without the credential it refuses to collect
    refused = host.exec(
        "runuser",
        "-u",
        "prakan",
        "--",
        "env",
        "PRAKAN_STATE_DIR=/var/lib/prakan",
        "/opt/prakan/bin/prakan-nightly",
        check=False,
    )
    assert refused.returncode == 2 and "no redaction key" in refused.stderr
    assert pwd.getpwuid(0).pw_name == "root"  # the machine itself was never touched (no prakan user here)
    assert "prakan" not in {p.pw_name for p in pwd.getpwall()}

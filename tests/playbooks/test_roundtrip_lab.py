"""The round trip in the lab: scan (the seeded gaps fail) -> site.yml -> scan (they pass) -> site.yml again
(changed=0) -> --check on fresh hosts changes nothing; SSH still works with the same credentials.

Linux hosts boot systemd in systemd-nspawn (tests/lab/nspawn.py) and install packages from the lab's
local Debian repository; IOS devices are the simulated ones (tests/lab/fakeios.py). One waiver and
one per-check toggle are in the inventory, so the test also proves that a waived or turned-off check
is left alone. What a container cannot show (kernel.* / fs.* sysctls applied) is asserted
precisely: the host's sysctl.d file has the value, and the machine's own kernel has not.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paramiko
import pytest
import yaml
from lab import fakeios
from lab.fixtures import lab_unavailable
from lab.hosts import Host, HostSpec
from lab.inventory import LAB_APPROVED, write_inventory
from lab.keys import KeyPair
from lab.nspawn import REPO_LINE, NspawnLab, ensure_golden, nspawn_unavailable
from netmiko import ConnectHandler

pytest_plugins = ["lab.fixtures"]
pytestmark = pytest.mark.lab

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(os.environ.get("VIRTUAL_ENV", ROOT / ".venv")) / "bin"
WAIVED = ("lnx-b", "LNX-SSH-011")  # an active waiver: lnx-b keeps TCP forwarding (a bastion-like host)
TOGGLED = ("r2", "IOS-SVC-006")  # ios_baseline_ios_svc_006: false on r2
# kernel.* / fs.* belong to the machine, not to a container: persisted in sysctl.d, not applied.
KERNEL_SYSCTLS = {
    "LNX-KERN-001": {"kernel.randomize_va_space": {"2"}},
    "LNX-KERN-002": {"fs.suid_dumpable": {"0"}},
    "LNX-KERN-003": {"kernel.dmesg_restrict": {"1"}},
    "LNX-KERN-004": {"kernel.kptr_restrict": {"1", "2"}},
    "LNX-KERN-005": {"fs.protected_hardlinks": {"1"}, "fs.protected_symlinks": {"1"}},
    "LNX-KERN-006": {"kernel.yama.ptrace_scope": {"1", "2", "3"}},
    "LNX-KERN-007": {"kernel.unprivileged_bpf_disabled": {"1", "2"}},
    "LNX-KERN-008": {"net.core.bpf_jit_harden": {"2"}},  # not per network namespace: the machine's
    "LNX-KERN-009": {"kernel.perf_event_paranoid": {"2", "3"}},
    "LNX-KERN-010": {"kernel.sysrq": {"0"}},
    "LNX-KERN-011": {"kernel.kexec_load_disabled": {"1"}},
    "LNX-KERN-012": {"dev.tty.ldisc_autoload": {"0"}},
}
# Checks a container cannot evaluate once the hardening is in place: unknown (error), never passed.
CONTAINER_UNKNOWN = {
    "LNX-AUD-018": "auditd cannot run in a container: `auditctl -l` cannot open the audit socket",
}

LEGACY_SSHD = "PermitRootLogin yes\nPasswordAuthentication yes\nX11Forwarding yes\nMaxAuthTries 10\n"
LEGACY_SYSCTL = (
    "net.ipv4.ip_forward = 1\nnet.ipv4.conf.all.accept_redirects = 1\nnet.ipv4.conf.all.send_redirects = 1\n"
)
AVAHI_STANDIN = """\
[Unit]
Description=Stand-in for avahi-daemon (a service a server must not run)
[Service]
ExecStart=/bin/sleep infinity
[Install]
WantedBy=multi-user.target
"""


def seed_linux(extra_uid0: bool) -> Any:
    """Gaps of the sample department: legacy sshd and sysctl files, an account with an empty
    password, a system account with a shell, an enabled mDNS daemon (and on one host a second UID 0)."""

    def seed(root: Path) -> None:
        with (root / "etc/passwd").open("a") as f:
            f.write("legacy:x:1001:1001::/home/legacy:/bin/bash\nsvcapp:x:998:998::/var/lib/svcapp:/bin/bash\n")
            if extra_uid0:
                f.write("toor:x:0:0::/root:/bin/bash\n")
        with (root / "etc/shadow").open("a") as f:
            f.write("legacy::19000:0:99999:7:::\nsvcapp:!:19000:0:99999:7:::\n")
            if extra_uid0:
                f.write("toor:!:19000:0:99999:7:::\n")
        with (root / "etc/group").open("a") as f:
            f.write("legacy:x:1001:\nsvcapp:x:998:\n")
        unit = root / "etc/systemd/system/avahi-daemon.service"
        unit.write_text(AVAHI_STANDIN)
        wants = root / "etc/systemd/system/multi-user.target.wants"
        wants.mkdir(parents=True, exist_ok=True)
        (wants / "avahi-daemon.service").symlink_to("/etc/systemd/system/avahi-daemon.service")

    return seed


def linux_spec(name: str, extra_uid0: bool = False) -> HostSpec:
    return HostSpec(
        name=name,
        files={"/etc/ssh/sshd_config.d/50-legacy.conf": LEGACY_SSHD, "/etc/sysctl.d/99-legacy.conf": LEGACY_SYSCTL},
        seed=seed_linux(extra_uid0),
    )


GAPPY_IOS = """\
version 17.9
service timestamps debug datetime msec
service timestamps log datetime msec
hostname {name}
!
enable secret 5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0
username admin privilege 15 secret 9 $9$nhEmQVczB7dqsO$X.HsgL6x1il0RxkOSSvyQYwucySCt7qFm4v7pqCxkKM
ip domain name lab.example
service tcp-small-servers
service udp-small-servers
ip http server
ip finger
!
interface Loopback0
 ip address 192.0.2.254 255.255.255.255
!
interface GigabitEthernet1
 ip address 198.51.100.1 255.255.255.0
!
interface GigabitEthernet2
 ip address 192.0.2.1 255.255.255.0
!
snmp-server community public RO
snmp-server community n0c-rw RW
logging host 192.0.2.99
ntp server 192.0.2.123
no logging trap
!
line con 0
 exec-timeout 0 0
line aux 0
line vty 0 4
 login local
 transport input telnet ssh
line vty 5 15
 login local
 transport input all
!
end
"""


@dataclass
class Scan:
    results: dict[str, dict[str, dict[str, Any]]]  # host -> check -> result
    checks: dict[str, Any]

    def status(self, host: str, status: str) -> set[str]:
        return {c for c, r in self.results[host].items() if r["status"] == status}

    def automated(self, check: str) -> bool:
        return bool(self.checks[check]["remediation"].get("ansible_tags"))


class Lab:
    def __init__(self, tmp: Path, keypair: KeyPair, hosts: list[Host], devices: list[fakeios.Device]) -> None:
        self.tmp, self.keypair, self.hosts, self.devices = tmp, keypair, hosts, devices
        self.inventory = write_inventory(tmp / "inventory", hosts, devices, keypair)
        self.known_hosts = self.inventory.parent / "known_hosts"
        # network_cli (libssh) checks host keys only against ~/.ssh/known_hosts, which a test must not
        # touch: the simulated devices' keys are checked by `prakan scan` and netmiko below instead.
        doc = yaml.safe_load(self.inventory.read_text())
        doc["all"]["children"]["platform_cisco_ios"]["vars"]["ansible_host_key_checking"] = False
        self.inventory.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))
        gv = self.inventory.parent / "group_vars"
        gv.mkdir(exist_ok=True)
        (gv / "all.yml").write_text(
            yaml.safe_dump(
                {
                    "prakan_approved": LAB_APPROVED,
                    "linux_baseline_apt_repository": REPO_LINE,
                    # In the lab only; a department keeps these as vaulted values.
                    "ios_baseline_tacacs_key": "lab-tacacs-key",
                    "ios_baseline_ntp_key": "lab-ntp-key",
                    "prakan_waivers": [
                        {
                            "check": WAIVED[1],
                            "hosts": [WAIVED[0]],
                            "reason": "bastion-like lab host",
                            "approver": "lab",
                            "expires": "2099-12-31",
                        }
                    ],
                },
                allow_unicode=True,
            )
        )
        hv = self.inventory.parent / "host_vars"
        hv.mkdir(exist_ok=True)
        (hv / f"{TOGGLED[0]}.yml").write_text(f"ios_baseline_{TOGGLED[1].lower().replace('-', '_')}: false\n")
        self.env = {
            **os.environ,
            "XDG_CONFIG_HOME": str(tmp / "config"),
            "PRAKAN_REDACTION_KEY": "",
            "ANSIBLE_LOCAL_TEMP": str(tmp / "ansible-tmp"),
            "ANSIBLE_PIPELINING": "1",
            "ANSIBLE_NETWORK_CLI_SSH_TYPE": "libssh",
            "ANSIBLE_HOST_KEY_CHECKING": "True",
            "ANSIBLE_PERSISTENT_COMMAND_TIMEOUT": "60",
            "ANSIBLE_STDOUT_CALLBACK": "ansible.builtin.json",
            "ANSIBLE_FORKS": "6",
            "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '')}",
        }
        self.scans = 0

    def scan(self, limit: str) -> Scan:
        self.scans += 1
        ev = self.tmp / f"evidence-{self.scans}"
        out = self.tmp / f"results-{self.scans}.json"
        proc = subprocess.run(
            [
                str(VENV_BIN / "prakan"),
                "scan",
                "-i",
                str(self.inventory),
                "--limit",
                limit,
                "--evidence-dir",
                str(ev),
                "--known-hosts",
                str(self.known_hosts),
                "-o",
                str(out),
                "-q",
                "--fail-on",
                "critical",
            ],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=600,
        )
        assert out.exists(), f"scan {self.scans} wrote no results (exit {proc.returncode}): {proc.stderr[-3000:]}"
        doc = json.loads(out.read_text())
        hosts = {h["name"]: h for h in doc["hosts"]}
        errors = {n: h["error"] for n, h in hosts.items() if h.get("error")}
        assert not errors, f"hosts in error in scan {self.scans}: {errors}"
        return Scan({n: {r["check"]: r for r in h["results"]} for n, h in hosts.items()}, doc["run"]["checks"])

    def playbook(self, limit: str, *extra: str) -> tuple[dict[str, dict[str, int]], float, Path]:
        t0 = time.monotonic()
        proc = subprocess.run(
            [
                str(VENV_BIN / "ansible-playbook"),
                "-i",
                str(self.inventory),
                str(ROOT / "playbooks/site.yml"),
                "--limit",
                limit,
                *extra,
            ],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=1500,
        )
        took = time.monotonic() - t0
        log = self.tmp / f"playbook-{len(list(self.tmp.glob('playbook-*.json')))}.json"
        log.write_text(proc.stdout + "\n" + proc.stderr)
        try:
            stats = json.loads(proc.stdout)["stats"]
        except (json.JSONDecodeError, KeyError):
            pytest.fail(
                f"ansible-playbook {' '.join(extra)} gave no JSON (exit {proc.returncode}): "
                f"{proc.stdout[-2000:]} {proc.stderr[-2000:]}"
            )
        failed = {h: s for h, s in stats.items() if s["failures"] or s["unreachable"]}
        assert proc.returncode == 0 and not failed, f"playbook failed on {failed}; see {log}: {_failures(proc.stdout)}"
        return stats, took, log


def _failures(stdout: str) -> str:
    try:
        doc = json.loads(stdout)
    except json.JSONDecodeError:
        return stdout[-2000:]
    msgs = []
    for play in doc.get("plays", []):
        for task in play.get("tasks", []):
            for host, res in task.get("hosts", {}).items():
                if res.get("failed") or res.get("unreachable"):
                    msgs.append(f"{host} / {task['task']['name']}: {str(res.get('msg'))[:500]}")
    return "; ".join(msgs)


@pytest.fixture
def lab(lab_keypair: KeyPair, tmp_path: Path) -> Iterator[Lab]:
    for why in (lab_unavailable(), nspawn_unavailable()):
        if why:
            pytest.skip(why)
    golden, repo = ensure_golden()
    net = NspawnLab(golden, repo)
    devices: list[fakeios.Device] = []
    try:
        hosts = net.up(
            [linux_spec("lnx-a", extra_uid0=True), linux_spec("lnx-b"), linux_spec("lnx-c")], lab_keypair.public
        )
        devices = fakeios.start([fakeios.DeviceSpec(n, GAPPY_IOS.format(name=n)) for n in ("r1", "r2", "r3")])
        yield Lab(tmp_path, lab_keypair, hosts, devices)
    finally:
        for d in devices:
            d.stop()
        net.down()


def _machine_sysctl(key: str) -> str:
    """The machine's value; "" where its kernel has no such key (the container cannot show it either)."""
    path = Path("/proc/sys", *key.split("."))
    return path.read_text().strip() if path.exists() else ""


def test_scan_playbook_scan_playbook(lab: Lab) -> None:
    hardened, fresh = "lnx-a,lnx-b,r1,r2", "lnx-c,r3"
    before = lab.scan("all")

    # The seeded gaps fail before, on every host.
    seeded = {
        "LNX-SSH-004",
        "LNX-SSH-006",
        "LNX-SSH-010",
        "LNX-NET-001",
        "LNX-NET-002",
        "LNX-NET-003",
        "LNX-ACCT-002",
        "LNX-ACCT-006",
        "LNX-SVC-004",
        "LNX-PKG-001",
        "LNX-LOG-001",
        "LNX-LOG-002",
        "LNX-AUD-001",
        "LNX-AUD-002",
        "LNX-TIME-001",
        "LNX-PAM-003",
        "LNX-LOGIN-001",
    }
    seeded_ios = {
        "IOS-MGMT-010",
        "IOS-MGMT-016",
        "IOS-SNMP-001",
        "IOS-SNMP-002",
        "IOS-SNMP-005",
        "IOS-LOG-001",
        "IOS-LOG-002",
        "IOS-NTP-001",
        "IOS-NTP-002",
        "IOS-MGMT-017",
        "IOS-SVC-001",
        "IOS-SVC-002",
        "IOS-PWD-001",
        "IOS-AAA-001",
        "IOS-BAN-001",
    }
    for h in ("lnx-a", "lnx-b", "lnx-c"):
        assert seeded <= before.status(h, "fail"), (
            f"{h}: seeded gaps that did not fail: {seeded - before.status(h, 'fail')}"
        )
    for d in ("r1", "r2", "r3"):
        assert seeded_ios <= before.status(d, "fail"), f"{d}: {seeded_ios - before.status(d, 'fail')}"
    assert "LNX-ACCT-001" in before.status("lnx-a", "fail")  # the second UID 0: not automated
    assert WAIVED[1] in before.status(WAIVED[0], "waived")
    # Before hardening, the only unknowns are the sources of what is not installed yet (no nft) and
    # pending updates (no apt source, so no package lists, until the playbook sets the lab's repository).
    assert {h: before.status(h, "error") for h in ("lnx-a", "lnx-b")} == {
        h: {"LNX-FW-001", "LNX-PATCH-001"} for h in ("lnx-a", "lnx-b")
    }

    # --- harden -----------------------------------------------------------------------------
    first, wall, _ = lab.playbook(hardened)
    assert all(first[h]["changed"] > 0 for h in hardened.split(",")), first
    after = lab.scan("all")

    figures: dict[str, Any] = {"playbook_wall_s": round(wall, 1)}
    for host in hardened.split(","):
        fail_before = before.status(host, "fail")
        fixable = {c for c in fail_before if before.automated(c)}
        by_hand = fail_before - fixable
        still = after.status(host, "fail")
        toggled = {TOGGLED[1]} if host == TOGGLED[0] else set()
        container = set()
        for check, keys in KERNEL_SYSCTLS.items():
            if check in still and any(_machine_sysctl(k) not in ok for k, ok in keys.items()):
                container.add(check)
                conf = next(x for x in lab.hosts if x.name == host).root / "etc/sysctl.d/60-prakan.conf"
                text = conf.read_text().replace(" ", "")
                assert all(any(f"{k}={v}" in text for v in ok) for k, ok in keys.items()), (host, check)
        linux = next((x for x in lab.hosts if x.name == host), None)  # None for a simulated IOS device
        unknown = {c for c in by_hand & set(CONTAINER_UNKNOWN) if after.results[host][c]["status"] == "error"}
        assert all("audit_loaded" in str(after.results[host][c].get("reason")) for c in unknown), (host, unknown)
        # The lab's own repository is unsigned ([trusted=yes] in REPO_LINE): LNX-PKG-007 rightly says so.
        lab_repo = {"LNX-PKG-007"} & still if "trusted=yes" in REPO_LINE else set()
        if lab_repo:
            assert (
                linux is not None and "trusted=yes" in (linux.root / "etc/apt/sources.list.d/prakan.list").read_text()
            )
        passed = fixable - still
        assert passed == fixable - toggled - container, f"{host}: fixable but still failing: {fixable & still}"
        assert still == (by_hand - unknown) | (toggled & fail_before) | container | lab_repo, (
            f"{host}: after hardening, failing {sorted(still)}; expected exactly the not-automatable "
            f"{sorted(by_hand - unknown)} plus turned off {sorted(toggled)} plus container-only {sorted(container)}"
            f" plus the lab repository's {sorted(lab_repo)}"
        )
        regressions = {c for c in after.status(host, "fail") - lab_repo if before.results[host][c]["status"] == "pass"}
        assert not regressions, f"{host}: passed before, fails after: {regressions}"
        figures[host] = {"fail_before": len(fail_before), "fixed": len(passed), "remaining": sorted(still)}
    assert WAIVED[1] in after.status(WAIVED[0], "waived")  # left alone: still failing underneath, still waived
    assert "LNX-SSH-011" in after.status("lnx-a", "pass")
    assert "LNX-ACCT-001" in after.status("lnx-a", "fail")

    # --- idempotent ---------------------------------------------------------------------------
    second, wall2, _ = lab.playbook(hardened)
    assert {h: s["changed"] for h, s in second.items()} == dict.fromkeys(hardened.split(","), 0)
    figures["second_run_wall_s"] = round(wall2, 1)

    # --- --check on fresh hosts changes nothing -------------------------------------------------
    snap = {h.name: _tree(h.root / "etc") for h in lab.hosts if h.name == "lnx-c"}
    r3 = next(d for d in lab.devices if d.name == "r3")
    r3_config = r3.running_config()
    checked, _, _ = lab.playbook(fresh, "--check", "--diff")
    assert checked["lnx-c"]["changed"] > 10 and checked["r3"]["changed"] > 5, checked
    again = lab.scan(fresh)
    # apt writes its own planner log (/var/log/apt/eipp.log.xz) even when it only simulates an
    # install, so the log-permission check sees one more file: same verdict, one more row
    apt_log = {"LNX-LOG-003"}

    def seen(scan: Any, host: str) -> dict[str, Any]:
        return {c: (r["status"], None if c in apt_log else r.get("actual")) for c, r in scan.results[host].items()}

    for host in fresh.split(","):
        assert seen(again, host) == seen(before, host), f"{host}: --check changed what the scan sees"
    assert _tree(next(h for h in lab.hosts if h.name == "lnx-c").root / "etc") == snap["lnx-c"]
    assert r3.running_config() == r3_config

    # --- the same credentials still log in ------------------------------------------------------
    for host in (h for h in lab.hosts if h.name in hardened):
        client = paramiko.SSHClient()
        client.load_host_keys(str(lab.known_hosts))
        client.connect(
            host.address,
            username="lab",
            key_filename=str(lab.keypair.private),
            timeout=10,
            allow_agent=False,
            look_for_keys=False,
        )
        _, out, _ = client.exec_command("sudo -n true && echo ok")
        assert out.read().decode().strip() == "ok"
        client.close()
        with pytest.raises(paramiko.AuthenticationException):  # and root no longer logs in
            root = paramiko.SSHClient()
            root.load_host_keys(str(lab.known_hosts))
            root.connect(
                host.address,
                username="root",
                key_filename=str(lab.keypair.private),
                timeout=10,
                allow_agent=False,
                look_for_keys=False,
            )
    for dev in (d for d in lab.devices if d.name in hardened):
        c = ConnectHandler(
            device_type="cisco_ios",
            host=dev.address,
            port=dev.port,
            username="admin",
            password="admin",
            ssh_strict=True,
            alt_host_keys=True,
            alt_key_file=str(lab.known_hosts),
        )
        c.enable()
        assert "transport input ssh" in c.send_command("show running-config | section line vty")
        c.disconnect()
        assert dev.startup == dev.lines  # saved, once something changed
    print(f"\nround trip figures: {json.dumps(figures)}")
    (Path(os.environ.get("PRAKAN_ROUNDTRIP_FIGURES", lab.tmp / "figures.json"))).write_text(json.dumps(figures))


def _tree(root: Path) -> dict[str, bytes]:
    """Every regular file and link under `root` with its content (or target)."""
    out: dict[str, bytes] = {}
    for p in sorted(root.rglob("*")):
        rel = str(p.relative_to(root))
        if p.is_symlink():
            out[rel] = os.readlink(p).encode()
        elif p.is_file():
            out[rel] = p.read_bytes()
    return out


def test_bad_inventory_value_stops_before_any_change(lab_keypair: KeyPair, tmp_path: Path) -> None:
    """Argument specs: a banner that is not text stops the play before any task, naming the variable."""
    if shutil.which("ssh") is None:
        pytest.skip("no ssh client")
    devices = fakeios.start([fakeios.DeviceSpec("rbad", GAPPY_IOS.format(name="rbad"))])
    try:
        inv = write_inventory(tmp_path / "inventory", [], devices, lab_keypair)
        gv = inv.parent / "group_vars"
        gv.mkdir()
        bad = {**LAB_APPROVED, "banner": {"th": ["not", "text"], "en": "x"}}
        (gv / "all.yml").write_text(yaml.safe_dump({"prakan_approved": bad}, allow_unicode=True))
        env = {
            **os.environ,
            "ANSIBLE_LOCAL_TEMP": str(tmp_path / "t"),
            "ANSIBLE_HOST_KEY_CHECKING": "False",
            "ANSIBLE_NETWORK_CLI_SSH_TYPE": "libssh",
        }
        before = devices[0].running_config()
        proc = subprocess.run(
            [str(VENV_BIN / "ansible-playbook"), "-i", str(inv), str(ROOT / "playbooks/site.yml")],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        assert proc.returncode != 0
        assert "prakan_approved" in proc.stdout and "banner" in proc.stdout and "rbad" in proc.stdout, proc.stdout
        assert devices[0].running_config() == before
    finally:
        for d in devices:
            d.stop()

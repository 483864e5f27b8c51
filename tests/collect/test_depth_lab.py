"""The Linux depth checks against real lab hosts (sshd in namespaces over a Debian 12 rootfs).

Two hosts are seeded, one with each weakness the new checks look for and one with its fix; both are
collected live with `prakan collect` and evaluated, and the verdicts are asserted. What a namespace
host cannot show (its own kernel command line, kernel modules, AppArmor, loaded audit rules, mounts
other than the ones the lab makes) is asserted as what the real machine gives, or left out.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from collect.test_collect_lab import add_org_vars, collect, env_for, prakan
from lab.golden import LAB_PASSWORD
from lab.hosts import Host, HostSpec, Lab
from lab.inventory import write_inventory
from lab.keys import KeyPair

pytest_plugins = ["lab.fixtures"]
pytestmark = pytest.mark.lab

REDIRECTS = (
    "net.ipv4.conf.all.accept_redirects = 0\nnet.ipv4.conf.default.accept_redirects = 0\n"
    "net.ipv4.conf.all.secure_redirects = 0\nnet.ipv4.conf.default.secure_redirects = 0\n"
    "net.ipv6.conf.all.accept_redirects = 0\nnet.ipv6.conf.default.accept_redirects = 0\n"
)
AUDIT = """\
-a always,exit -F arch=b64 -S chmod,fchmod,fchmodat -F auid>=1000 -F auid!=unset -k perm_mod
-a always,exit -F arch=b64 -S chown,fchown,lchown,fchownat -F auid>=1000 -F auid!=unset -k perm_mod
-a always,exit -F arch=b64 -S setxattr,lsetxattr,fsetxattr,removexattr,lremovexattr,fremovexattr -k perm_mod
-a always,exit -F arch=b64 -S rename,unlink,unlinkat,renameat -F auid>=1000 -F auid!=unset -k delete
-a always,exit -F arch=b64 -S creat,open,openat,truncate,ftruncate -F exit=-EACCES -k access
-a always,exit -F arch=b64 -S creat,open,openat,truncate,ftruncate -F exit=-EPERM -k access
-a always,exit -F arch=b64 -S init_module,finit_module,delete_module -k kernel_modules
-a always,exit -F arch=b64 -S mount -F auid>=1000 -F auid!=unset -k mounts
-a always,exit -F arch=b64 -S sethostname,setdomainname -k system-locale
-w /etc/hosts -p wa -k system-locale
-w /etc/network/ -p wa -k system-locale
-w /etc/apparmor/ -p wa -k MAC-policy
-w /etc/apparmor.d/ -p wa -k MAC-policy
"""
MODULES = ("dccp", "sctp", "rds", "tipc", "cramfs", "freevxfs", "hfs", "hfsplus", "jffs2", "udf")
GRUB_HASH = "grub.pbkdf2.sha512.10000.9C3B1F0E5D7A2468ACE0BDF13579.7E5D3C1B0A9F8E7D6C5B4A392817"
GOOD_FILES = {
    "/etc/sysctl.d/60-prakan.conf": REDIRECTS,
    "/etc/sudoers.d/lab": "lab ALL=(ALL) ALL\n",  # replaces the golden NOPASSWD rule
    "/etc/sudoers.d/10-prakan": 'Defaults logfile="/var/log/sudo.log"\nDefaults timestamp_timeout=5\n',
    "/etc/audit/rules.d/50-prakan.rules": AUDIT,
    "/boot/grub/grub.cfg": f'set superusers="root"\npassword_pbkdf2 root {GRUB_HASH}\n'
    "menuentry 'Debian GNU/Linux' --unrestricted {\n\tlinux\t/vmlinuz root=/dev/vda ro quiet audit=1\n}\n",
    "/etc/modprobe.d/prakan-cis.conf": "".join(f"install {m} /bin/false\nblacklist {m}\n" for m in MODULES),
    "/etc/profile.d/99-prakan-session.sh": "TMOUT=900\nreadonly TMOUT\nexport TMOUT\numask 027\n",
    "/etc/systemd/logind.conf.d/60-prakan.conf": "[Login]\nStopIdleSessionSec=900\n",
    "/etc/logrotate.conf": "weekly\nrotate 13\ncreate\ninclude /etc/logrotate.d\n",
    "/etc/systemd/journald.conf.d/60-prakan.conf": "[Journal]\nStorage=persistent\n",
    "/etc/rsyslog.d/60-prakan-remote.conf": '*.* action(type="omfwd" target="10.10.0.31" port="6514" protocol="tcp"'
    ' StreamDriver="gtls" StreamDriverMode="1" StreamDriverAuthMode="x509/name")\n',
    "/etc/security/limits.d/60-prakan.conf": "* hard core 0\n",
}
WEAK_FILES = {
    "/etc/sysctl.d/60-prakan.conf": REDIRECTS,  # compliant at boot of the lab host ...
    "/etc/sudoers.d/zz-weak": "Defaults !use_pty\nDefaults timestamp_timeout=-1\nDefaults:lab !authenticate\n"
    "helpdesk ALL=(ALL) ALL, !/usr/bin/su\n",
    "/etc/apt/sources.list.d/internal.list": "deb [trusted=yes] http://10.20.0.40/repo ./\n",
    "/etc/apt/apt.conf.d/99local": 'APT::Get::AllowUnauthenticated "true";\n',
}
# ... and weakened for the next boot only after it started (the running value stays compliant)
WEAKENING = ("/etc/sysctl.d/99-zz-local.conf", "net.ipv4.conf.all.accept_redirects = 1\n")


def _seed_good(root: Path) -> None:
    su = root / "etc/pam.d/su"
    su.write_text(
        su.read_text().replace(
            "# auth       required   pam_wheel.so\n", "auth       required   pam_wheel.so use_uid\n", 1
        )
    )
    for path in (root / "var/log").rglob("*"):
        if path.is_file() and not path.is_symlink():
            path.chmod(path.stat().st_mode & 0o770)


def _seed_weak(root: Path) -> None:
    (root / "etc/logrotate.conf").unlink(missing_ok=True)  # no rotation configured
    (root / "srv/share").mkdir(parents=True)
    (root / "srv/share/app.conf").write_text("shared=1\n")
    (root / "srv/share/app.conf").chmod(0o666)
    (root / "srv/share/orphan.dat").write_text("left by a deleted account\n")
    os.chown(root / "srv/share/orphan.dat", 4242, 4242)
    (root / "usr/local/bin/backup.sh").write_text("#!/bin/sh\n")
    (root / "usr/local/bin/backup.sh").chmod(0o775)
    shadow = root / "etc/shadow"
    lines = shadow.read_text().splitlines()
    lines = [
        (
            "root:$y$j9T$Q2FtcGxlU2FsdA$0123456789abcdefghijklmnopqrstuvwxyzABCD:19000:0:99999:7:::"
            if ln.startswith("root:")
            else ln
        )
        for ln in lines
    ]
    shadow.write_text("\n".join(lines) + "\n")


@dataclass
class DepthRun:
    results: dict[str, dict[str, dict[str, Any]]]
    evidence: Path


@pytest.fixture(scope="module")
def depth(lab_net: Lab, lab_keypair: KeyPair, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DepthRun]:
    tmp = tmp_path_factory.mktemp("depth-lab")
    hosts = lab_net.up(
        [
            HostSpec(name="lnx-deep-good", files=GOOD_FILES, seed=_seed_good),
            HostSpec(name="lnx-deep-weak", files=WEAK_FILES, seed=_seed_weak),
        ],
        lab_keypair.public,
    )
    try:
        weak: Host = hosts[1]
        (weak.root / WEAKENING[0].lstrip("/")).write_text(WEAKENING[1])
        inv = write_inventory(tmp / "inventory", hosts, [], lab_keypair)
        add_org_vars(inv)
        doc = yaml.safe_load(inv.read_text())  # sudo on the good host asks for the password
        doc["all"]["children"]["platform_linux"]["hosts"]["lnx-deep-good"]["ansible_become_password"] = LAB_PASSWORD
        inv.write_text(yaml.safe_dump(doc, sort_keys=False))
        env = env_for(tmp)
        run = collect(inv, tmp / "evidence", inv.parent / "known_hosts", "--timeout", "60", env=env)
        assert run.proc.returncode == 0, run.proc.stderr
        ev = prakan(
            "evaluate", "--evidence", str(run.evidence), "-i", str(inv), "-o", str(tmp / "results.json"), env=env
        )
        assert ev.returncode in (0, 1), ev.stderr
        res = json.loads((tmp / "results.json").read_text())
        yield DepthRun({h["name"]: {r["check"]: r for r in h["results"]} for h in res["hosts"]}, run.evidence)
    finally:
        lab_net.remove(hosts)


FIXED_AND_WEAK = [
    "LNX-NET-003",  # sysctl.d weakened after boot on the weak host
    *(f"LNX-SUDO-00{i}" for i in range(1, 7)),
    *(f"LNX-AUD-0{i}" for i in range(11, 18)),
    "LNX-BOOT-001",
    *(f"LNX-MOD-0{i:02d}" for i in range(1, 11)),
    "LNX-SESS-001",
    "LNX-SESS-002",
    "LNX-SESS-003",
    "LNX-SESS-004",
    "LNX-LOG-003",
    "LNX-LOG-004",
    "LNX-LOG-005",
    "LNX-LOG-007",
    "LNX-ACCT-007",
    "LNX-ACCT-008",
    "LNX-CORE-001",
    "LNX-FILE-007",
    "LNX-FILE-014",
    "LNX-FILE-015",
    "LNX-PKG-007",
    "LNX-PKG-008",
]


@pytest.mark.parametrize("check", FIXED_AND_WEAK)
def test_each_weakness_fails_and_its_fix_passes(depth: DepthRun, check: str) -> None:
    good, weak = depth.results["lnx-deep-good"][check], depth.results["lnx-deep-weak"][check]
    assert good["status"] == "pass", good
    assert weak["status"] == "fail", weak


def test_a_sysctl_d_file_weakening_the_next_boot_fails_although_the_running_value_complies(depth: DepthRun) -> None:
    result = depth.results["lnx-deep-weak"]["LNX-NET-003"]
    shown = {(e["source"], e["text"]) for e in result["evidence"]}
    assert ("sysctl_persistent", "/etc/sysctl.d/99-zz-local.conf: net.ipv4.conf.all.accept_redirects = 1") in shown
    assert ("sysctl", "net.ipv4.conf.all.accept_redirects = 0") in shown  # what the kernel runs with now


def test_what_the_lab_hosts_really_are(depth: DepthRun) -> None:
    for name in ("lnx-deep-good", "lnx-deep-weak"):
        got = {c: r["status"] for c, r in depth.results[name].items()}
        assert got["LNX-AIDE-001"] == "fail"  # no AIDE package in the lab image
        assert got["LNX-MNT-001"] == "fail"  # / is one overlay; /tmp is not separate
        # the lab's /dev/shm is a tmpfs mounted nosuid,nodev without noexec
        assert (got["LNX-MNT-005"], got["LNX-MNT-006"], got["LNX-MNT-007"]) == ("pass", "pass", "fail")
        assert got["LNX-FILE-011"] == "pass" and got["LNX-FILE-012"] == "pass"  # the host keys the lab made
        # capabilities are dropped in a lab host: auditctl cannot list rules, which is unknown, never a pass
        assert got["LNX-AUD-018"] == "error"


def test_the_grub_password_hash_never_reaches_disk(depth: DepthRun) -> None:
    text = (depth.evidence / "lnx-deep-good.json").read_text()
    assert GRUB_HASH not in text and "password_pbkdf2 root <redacted:prakan:" in text


def test_no_source_of_the_depth_checks_failed_except_auditctl(depth: DepthRun) -> None:
    for name in ("lnx-deep-good", "lnx-deep-weak"):
        doc = json.loads((depth.evidence / f"{name}.json").read_text())
        failed = {n: s.get("error") for n, s in doc["sources"].items() if s.get("error")}
        assert set(failed) <= {"audit_loaded", "pending_updates"}, failed

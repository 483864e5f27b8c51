"""playbooks/collect_evidence.yml (collection through Ansible, as on AWX) against the lab: the
same statuses as `prakan collect` for the same hosts and devices, no secret on disk, shards split by
--limit that evaluate together to the whole, and evidence that is unredacted or incomplete refused
by evaluate like any other.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from lab import MINIMAL_IOS, fakeios
from lab.golden import LAB_PASSWORD
from lab.hosts import HostSpec, Lab
from lab.inventory import write_inventory
from lab.keys import KeyPair
from prakan.collect.ansible_evidence import finish_run
from prakan.paths import ROOT

pytest_plugins = ["lab.fixtures"]

BIN = Path(sys.executable).parent
PLAYBOOK = ROOT / "playbooks" / "collect_evidence.yml"
KEY = "ops-test-redaction-key-0123456789abcdef"
SECRETS = {
    "enable": "Ena8leCl3arOps",
    "user": "Adm1nCl3arOps",
    "community": "Wr1teS3cretOps",
    "tacacs": "TacacsCl3arOps",
    "ntp": "NtpK3yOps",
}
BAD_IOS = f"""\
!
version 17.9
hostname R-BAD
!
enable password 0 {SECRETS["enable"]}
username admin privilege 15 password 0 {SECRETS["user"]}
!
interface GigabitEthernet1
 ip address 192.0.2.1 255.255.255.0
!
tacacs-server host 10.10.0.41
tacacs-server key {SECRETS["tacacs"]}
ip http server
snmp-server community public RO
snmp-server community {SECRETS["community"]} RW
ntp authentication-key 1 md5 {SECRETS["ntp"]} 7
!
line vty 0 4
 login
 transport input telnet ssh
!
end
"""
GOOD_SSHD = "PermitRootLogin no\nPasswordAuthentication no\nX11Forwarding no\nMaxAuthTries 4\n"
BAD_SSHD = "PermitRootLogin yes\nPasswordAuthentication yes\nX11Forwarding yes\n"


def _env() -> dict[str, str]:
    # network_cli's libssh client does not read the lab's known_hosts file; Linux hosts keep
    # StrictHostKeyChecking=yes through the inventory's ansible_ssh_common_args.
    return {
        **os.environ,
        "PRAKAN_REDACTION_KEY": KEY,
        "ANSIBLE_HOST_KEY_CHECKING": "False",
        "ANSIBLE_DEPRECATION_WARNINGS": "False",
        "ANSIBLE_NOCOLOR": "1",
    }


def playbook(inv: Path, dest: Path, *args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [str(BIN / "ansible-playbook"), "-i", str(inv), str(PLAYBOOK), "-e", f"prakan_evidence_dir={dest}", *args],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=900,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-3000:]
    return proc


def collect(inv: Path, dest: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(BIN / "prakan"),
            "collect",
            "-i",
            str(inv),
            "-q",
            "--evidence-dir",
            str(dest),
            "--known-hosts",
            str(inv.parent / "known_hosts"),
            *args,
        ],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=600,
    )


def evaluate(inv: Path, out: Path, *dirs: Path) -> dict[str, Any]:
    args = [a for d in dirs for a in ("--evidence-dir", str(d))]
    proc = subprocess.run(
        [str(BIN / "prakan"), "evaluate", "-i", str(inv), "-o", str(out), *args],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(out.read_text())


def statuses(results: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {(h["name"], r["check"]): r["status"] for h in results["hosts"] for r in h["results"]}


def no_secrets(directory: Path, secrets: list[str]) -> None:
    for path in directory.rglob("*"):
        if path.is_file():
            data = path.read_text(errors="replace")
            for s in secrets:
                assert s not in data, f"{s!r} leaked into {path}"


# --- simulated devices only (no namespaces needed) ----------------------------------------------


def test_devices_playbook_evidence_equals_prakan_collect(tmp_path: Path, lab_keypair: KeyPair) -> None:
    devs = fakeios.start(
        [fakeios.DeviceSpec("R-BAD", BAD_IOS), fakeios.DeviceSpec("R-MIN", MINIMAL_IOS.format(name="R-MIN"))]
    )
    try:
        inv = write_inventory(tmp_path / "inv", [], devs, lab_keypair)
        playbook(inv, tmp_path / "ansible")
        assert collect(inv, tmp_path / "prakan").returncode == 0
    finally:
        for d in devs:
            d.stop()
    a, p = tmp_path / "ansible", tmp_path / "prakan"
    for name in ("R-BAD", "R-MIN"):
        ea, ep = json.loads((a / f"{name}.json").read_text()), json.loads((p / f"{name}.json").read_text())
        assert ea["collector"]["method"] == "ansible" and ep["collector"]["method"] == "ssh"
        assert set(ea["sources"]) == set(ep["sources"])
        for src in ea["sources"]:  # byte for byte the same outputs, redaction tokens included
            assert ea["sources"][src]["output"] == ep["sources"][src]["output"], (name, src)
            assert ea["sources"][src]["sha256"] == ep["sources"][src]["sha256"]
    assert "<redacted:prakan:" in (a / "R-BAD.json").read_text()
    no_secrets(a, list(SECRETS.values()))
    manifest = json.loads((a / "manifest.json").read_text())
    assert set(manifest["files"]) == {"R-BAD.json", "R-MIN.json"} and manifest["complete"]
    ra, rp = evaluate(inv, tmp_path / "ra.json", a), evaluate(inv, tmp_path / "rp.json", p)
    assert statuses(ra) == statuses(rp)
    assert statuses(ra)[("R-BAD", "IOS-SNMP-002")] == "fail"


def test_an_unreachable_device_is_an_error_with_a_file(tmp_path: Path, lab_keypair: KeyPair) -> None:
    (dev,) = fakeios.start([fakeios.DeviceSpec("R-GONE", MINIMAL_IOS.format(name="R-GONE"))])
    inv = write_inventory(tmp_path / "inv", [], [dev], lab_keypair)
    dev.stop()  # the port now refuses connections
    playbook(inv, tmp_path / "ev")
    doc = json.loads((tmp_path / "ev" / "R-GONE.json").read_text())
    assert doc["error"] and doc["sources"] == {}
    res = evaluate(inv, tmp_path / "r.json", tmp_path / "ev")
    (host,) = res["hosts"]
    assert host["error"] and set(host["summary"]) <= {"error", "not_applicable"}


# --- the lab: namespace Linux hosts and simulated devices ----------------------------------------


@dataclass
class Fleet:
    inventory: Path
    work: Path
    secrets: list[str]


@pytest.fixture(scope="module")
def fleet(lab_net: Lab, lab_keypair: KeyPair, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    work = tmp_path_factory.mktemp("awx-fleet")
    hosts = lab_net.up(
        [
            HostSpec(name="lnx-good", files={"/etc/ssh/sshd_config.d/10-prakan.conf": GOOD_SSHD}),
            HostSpec(
                name="lnx-bad",
                files={"/etc/ssh/sshd_config.d/10-bad.conf": BAD_SSHD, "/etc/sudoers.d/lab": "lab ALL=(ALL) ALL\n"},
            ),  # sudo asks a password
        ],
        lab_keypair.public,
    )
    devices = fakeios.start(
        [fakeios.DeviceSpec("R-BAD", BAD_IOS), fakeios.DeviceSpec("R-MIN", MINIMAL_IOS.format(name="R-MIN"))]
    )
    try:
        inv = write_inventory(work / "inventory", hosts, devices, lab_keypair)
        doc = yaml.safe_load(inv.read_text())
        doc["all"]["children"]["platform_linux"]["hosts"]["lnx-bad"]["ansible_become_password"] = LAB_PASSWORD
        inv.write_text(yaml.safe_dump(doc, sort_keys=False))
        shadow = [
            ln.split(":")[1]
            for h in hosts
            for ln in (h.root / "etc/shadow").read_text().splitlines()
            if ln.split(":")[1].startswith("$")
        ]
        yield Fleet(inv, work, [*SECRETS.values(), *shadow, LAB_PASSWORD])
    finally:
        for d in devices:
            d.stop()
        lab_net.remove(hosts)


@pytest.mark.lab
def test_lab_playbook_statuses_equal_prakan_collect(fleet: Fleet) -> None:
    w = fleet.work
    proc = collect(fleet.inventory, w / "prakan")
    assert proc.returncode == 0, proc.stderr[-3000:]
    playbook(fleet.inventory, w / "ansible")
    no_secrets(w / "ansible", fleet.secrets)
    rp = evaluate(fleet.inventory, w / "rp.json", w / "prakan")
    ra = evaluate(fleet.inventory, w / "ra.json", w / "ansible")
    sp, sa = statuses(rp), statuses(ra)
    assert sa == sp, {k: (sp.get(k), sa.get(k)) for k in set(sp) | set(sa) if sp.get(k) != sa.get(k)}
    assert ra["summary"]["hosts"] == 4 and ra["summary"]["hosts_in_error"] == 0
    assert sa[("lnx-bad", "LNX-SSH-004")] == "fail" and sa[("lnx-good", "LNX-SSH-004")] == "pass"
    # lnx-bad's root-only sources came through sudo with its password
    bad = json.loads((w / "ansible" / "lnx-bad.json").read_text())
    assert (
        bad["sources"]["sshd_effective"]["rc"] == 0
        and "permitrootlogin yes" in bad["sources"]["sshd_effective"]["output"]
    )
    assert "$prakan$" in bad["sources"]["shadow"]["output"]  # shadow hashes redacted like prakan collect does


@pytest.mark.lab
def test_lab_shards_by_limit_equal_the_whole(fleet: Fleet) -> None:
    w = fleet.work
    if not (w / "prakan" / "manifest.json").exists():
        assert collect(fleet.inventory, w / "prakan").returncode == 0
    whole = statuses(evaluate(fleet.inventory, w / "whole.json", w / "prakan"))
    # prakan collect in two runs, split by --limit
    for i, limit in enumerate(("platform_linux", "platform_cisco_ios")):
        proc = collect(fleet.inventory, w / f"pshard{i}", "--limit", limit)
        assert proc.returncode == 0, proc.stderr[-2000:]
    sharded = evaluate(fleet.inventory, w / "sharded.json", w / "pshard0", w / "pshard1")
    assert statuses(sharded) == whole
    assert sharded["summary"]["hosts"] == 4 and sharded["summary"]["hosts_in_error"] == 0
    # the playbook sliced the same way, as AWX job slices would be
    for i, limit in enumerate(("platform_linux", "platform_cisco_ios")):
        playbook(fleet.inventory, w / f"slice{i}", "--limit", limit)
        manifest = json.loads((w / f"slice{i}" / "manifest.json").read_text())
        assert len(manifest["files"]) == 2
    assert statuses(evaluate(fleet.inventory, w / "slices.json", w / "slice0", w / "slice1")) == whole


@pytest.mark.lab
def test_lab_unredacted_or_incomplete_playbook_evidence_is_refused(fleet: Fleet) -> None:
    w = fleet.work
    if not (w / "ansible" / "manifest.json").exists():
        playbook(fleet.inventory, w / "ansible")
    # unredacted: a secret put back in place of its token
    un = w / "unredacted"
    shutil.copytree(w / "ansible", un)
    doc = json.loads((un / "R-BAD.json").read_text())
    cfg = doc["sources"]["running_config"]["output"]
    doc["sources"]["running_config"]["output"] = cfg.replace(
        cfg.split("snmp-server community ")[2].split()[0], SECRETS["community"], 1
    )
    (un / "R-BAD.json").write_text(json.dumps(doc))
    res = evaluate(fleet.inventory, w / "un.json", un)
    host = next(h for h in res["hosts"] if h["name"] == "R-BAD")
    assert host["error"] and "manifest" in host["error"]
    assert "pass" not in host["summary"]
    # incomplete: a source missing, even with a consistent manifest
    inc = w / "incomplete"
    shutil.copytree(w / "ansible", inc)
    doc = json.loads((inc / "lnx-good.json").read_text())
    del doc["sources"]["sshd_effective"]
    (inc / "lnx-good.json").write_text(json.dumps(doc))
    finish_run(inc, ["lnx-good", "lnx-bad", "R-BAD", "R-MIN"], "rewritten")
    res = evaluate(fleet.inventory, w / "inc.json", inc)
    ssh = [r for h in res["hosts"] if h["name"] == "lnx-good" for r in h["results"] if r["check"].startswith("LNX-SSH")]
    assert ssh and all(r["status"] == "error" for r in ssh)

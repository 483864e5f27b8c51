"""Benchmark: `prakan collect` beside Ansible ad-hoc commands gathering the same outputs.

    sudo .venv/bin/python bench/collect_bench.py [--hosts 20] [--devices 20] [--forks 10]

Needs root (the lab's network-namespace hosts). Brings up N Linux hosts and M simulated IOS devices
(tests/lab), then times, at the same --forks:
  * `prakan collect` (every source the catalog needs, redacted, written atomically);
  * Ansible, one ad-hoc `-m raw` run per Linux source (each output captured separately, as
    evidence needs; `--become` where the source needs root), plus one `cisco.ios.ios_command` run
    (network_cli, libssh) with every device command;
  * Ansible's floor: one `-m raw` run with all Linux commands joined into one shell script.
Prints wall time, the ratio, and CPU time (user+sys, all processes) per host. Goal: faster than Ansible.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from lab import MINIMAL_IOS, fakeios  # noqa: E402
from lab.golden import ensure_golden  # noqa: E402
from lab.hosts import HostSpec, Lab  # noqa: E402
from lab.inventory import write_inventory  # noqa: E402
from lab.keys import make_keypair  # noqa: E402
from prakan.catalog import load_catalog  # noqa: E402

BIN = Path(sys.executable).parent


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Wall seconds and CPU seconds (user+sys of the command and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=1800)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hosts", type=int, default=20)
    ap.add_argument("--devices", type=int, default=20)
    ap.add_argument("--forks", type=int, default=10)
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root: the lab's Linux hosts are network namespaces")

    catalog = load_catalog()
    linux_sources = catalog.sources_for("linux")
    ios_sources = catalog.sources_for("cisco_ios")
    work = Path(tempfile.mkdtemp(prefix="prakan-collect-bench-"))
    keys = make_keypair(work / "keys")
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(work / "config"),
        "ANSIBLE_GATHERING": "explicit",
        "ANSIBLE_LOCAL_TEMP": str(work / "ansible-tmp"),
        "ANSIBLE_STDOUT_CALLBACK": "json",
        "ANSIBLE_NETWORK_CLI_SSH_TYPE": "libssh",
        "ANSIBLE_PERSISTENT_COMMAND_TIMEOUT": "60",
        "ANSIBLE_HOST_KEY_CHECKING": "False",
        "ANSIBLE_SSH_PIPELINING": "True",
    }
    devices: list[fakeios.Device] = []
    with Lab(ensure_golden()) as lab:
        try:
            t0 = time.perf_counter()
            hosts = lab.up([HostSpec(name=f"bench{i:02d}") for i in range(args.hosts)], keys.public)
            devices = fakeios.start(
                [fakeios.DeviceSpec(f"BR{i:02d}", MINIMAL_IOS.format(name=f"BR{i:02d}")) for i in range(args.devices)]
            )
            inv = write_inventory(work / "inventory", hosts, devices, keys)
            print(f"lab up: {len(hosts)} hosts, {len(devices)} devices in {time.perf_counter() - t0:.1f} s")
            n = len(hosts) + len(devices)

            wall_p, cpu_p, proc = timed(
                [
                    str(BIN / "prakan"),
                    "collect",
                    "-i",
                    str(inv),
                    "-q",
                    "--forks",
                    str(args.forks),
                    "--evidence-dir",
                    str(work / "evidence"),
                    "--known-hosts",
                    str(inv.parent / "known_hosts"),
                ],
                env,
            )
            manifest = json.loads((work / "evidence" / "manifest.json").read_text())
            if proc.returncode or manifest["failed"]:
                sys.exit(f"prakan collect failed: {proc.stderr[-2000:]}")

            wall_a = cpu_a = 0.0
            ansible_runs = 0
            for src in linux_sources:
                cmd = [
                    str(BIN / "ansible"),
                    "platform_linux",
                    "-i",
                    str(inv),
                    "-f",
                    str(args.forks),
                    "-m",
                    "raw",
                    "-a",
                    f"LC_ALL=C sh -c {shlex.quote(src.command)}",
                ]
                if src.become:
                    cmd.append("--become")
                w, c, p = timed(cmd, env)
                wall_a, cpu_a, ansible_runs = wall_a + w, cpu_a + c, ansible_runs + 1
                # 2: the command failed on some host; 4: Ansible calls a remote exit status 255 (as
                # `auditctl -l` gives where auditd cannot run) "unreachable": the output is still there
                if p.returncode not in (0, 2, 4):
                    sys.exit(f"ansible {src.name} failed: {p.stdout[-2000:]}{p.stderr[-2000:]}")
            commands = json.dumps({"commands": [s.command for s in ios_sources]})
            w, c, p = timed(
                [
                    str(BIN / "ansible"),
                    "platform_cisco_ios",
                    "-i",
                    str(inv),
                    "-f",
                    str(args.forks),
                    "-m",
                    "cisco.ios.ios_command",
                    "-a",
                    commands,
                ],
                env,
            )
            if p.returncode:
                sys.exit(f"ansible ios_command failed: {p.stdout[-2000:]}{p.stderr[-2000:]}")
            wall_a, cpu_a, ansible_runs = wall_a + w, cpu_a + c, ansible_runs + 1

            script = "; ".join(f"echo '### {s.name}'; sh -c {shlex.quote(s.command)}" for s in linux_sources)
            floor = [
                str(BIN / "ansible"),
                "platform_linux",
                "-i",
                str(inv),
                "-f",
                str(args.forks),
                "-m",
                "raw",
                "-a",
                f"LC_ALL=C sh -c {shlex.quote(script)}",
                "--become",
            ]
            wall_f, _, p = timed(floor, env)
            wall_f += w  # plus the device run, which has no cheaper form

            print(f"sources: {len(linux_sources)} per Linux host, {len(ios_sources)} per device; forks {args.forks}")
            print(f"{'':34}{'wall s':>9}{'CPU s/host':>12}")
            print(f"{'prakan collect':34}{wall_p:9.2f}{cpu_p / n:12.3f}")
            print(f"{f'ansible ad-hoc ({ansible_runs} runs)':34}{wall_a:9.2f}{cpu_a / n:12.3f}")
            print(f"{'ansible floor (1 linux + 1 ios run)':34}{wall_f:9.2f}{'':>12}")
            print(
                f"ratio ansible/prakan: {wall_a / wall_p:.1f}x (floor {wall_f / wall_p:.1f}x); "
                f"prakan per host {wall_p / n * args.forks:.2f} s at forks {args.forks}"
            )
        finally:
            for d in devices:
                d.stop()


if __name__ == "__main__":
    main()

"""Benchmark: collection from a large simulated fleet (>= 200 IOS devices on loopback).

    .venv/bin/python bench/collect_fleet_bench.py [--devices 220] [--forks 10,25,50,100]
                                                  [--servers 4] [--config-lines 600]
                                                  [--ansible-devices 40] [--ansible-forks 25]

The devices are tests/lab/fakeios.py SSH servers (a real paramiko SSH server with a real
running-config per device), spread over --servers processes so their GIL is not the client's
limit. For each --forks value, `prakan collect` gathers every device (redacted, hashed, written
atomically); the benchmark prints wall time, hosts per second and the client's CPU per host (user +
sys of the `prakan collect` process only, not of the simulated devices). Optionally the same for
playbooks/collect_evidence.yml on a subset (what an AWX execution node does per host).

The simulated devices answer at once and share this machine's cores with the client, so these are
the client's costs, not a WAN's latency: see the README for the arithmetic of a national fleet.
No root needed, nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from lab import MINIMAL_IOS, fakeios  # noqa: E402
from lab.inventory import write_inventory  # noqa: E402
from lab.keys import make_keypair  # noqa: E402

BIN = Path(sys.executable).parent


def device_config(name: str, lines: int) -> str:
    """A plausible access-router configuration of about `lines` lines."""
    base = MINIMAL_IOS.format(name=name).replace("end\n", "")
    blocks: list[str] = []
    i = 0
    while len(base.splitlines()) + 5 * len(blocks) < lines:
        blocks.append(
            f"interface GigabitEthernet0/0/{i}\n description link {i} of {name}\n"
            f" ip address 10.{i // 250}.{i % 250}.1 255.255.255.252\n no ip redirects\n!"
        )
        i += 1
    return base + "\n".join(blocks) + "\nsnmp-server community public RO\nntp server 10.10.0.21\nend\n"


def serve(first: int, count: int, lines: int) -> None:
    """Child process: start `count` devices, print them as JSON lines, run until stdin closes."""
    devs = fakeios.start(
        [fakeios.DeviceSpec(f"R{n:04d}", device_config(f"R{n:04d}", lines)) for n in range(first, first + count)]
    )
    for d in devs:
        print(
            json.dumps(
                {
                    "name": d.name,
                    "address": d.address,
                    "port": d.port,
                    "key": d.known_hosts_line(),
                    "username": d.spec.username,
                    "password": d.spec.password,
                }
            ),
            flush=True,
        )
    print("ready", flush=True)
    sys.stdin.read()
    for d in devs:
        d.stop()


@dataclass
class _Spec:
    username: str
    password: str
    enable_password: str | None = None


@dataclass
class RemoteDevice:
    """What write_inventory needs of a device that runs in a server process."""

    name: str
    address: str
    port: int
    key: str
    spec: _Spec = field(default_factory=lambda: _Spec("admin", "admin"))

    def known_hosts_line(self) -> str:
        return self.key


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=3600)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), proc


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--devices", type=int, default=220)
    ap.add_argument("--forks", default="10,25,50,100")
    ap.add_argument("--servers", type=int, default=4, help="processes the simulated devices run in")
    ap.add_argument("--config-lines", type=int, default=600)
    ap.add_argument("--ansible-devices", type=int, default=40, help="0: skip the Ansible playbook run")
    ap.add_argument("--ansible-forks", type=int, default=25)
    ap.add_argument("--serve", nargs=3, type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(*args.serve)
        return

    work = Path(tempfile.mkdtemp(prefix="prakan-fleet-bench-"))
    per = -(-args.devices // args.servers)
    servers: list[subprocess.Popen[str]] = []
    devices: list[RemoteDevice] = []
    t0 = time.perf_counter()
    server_log = (work / "devices.log").open("w")  # paramiko's notes on sessions the client closed
    try:
        for s in range(args.servers):
            count = min(per, args.devices - s * per)
            if count > 0:
                servers.append(
                    subprocess.Popen(
                        [sys.executable, __file__, "--serve", str(s * per), str(count), str(args.config_lines)],
                        stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE,
                        stderr=server_log,
                        text=True,
                    )
                )
        for server in servers:
            assert server.stdout is not None
            for line in server.stdout:
                if line.strip() == "ready":
                    break
                d = json.loads(line)
                devices.append(RemoteDevice(d["name"], d["address"], d["port"], d["key"]))
        print(
            f"{len(devices)} simulated IOS devices up in {time.perf_counter() - t0:.1f} s "
            f"({args.servers} server processes, ~{args.config_lines}-line configs); "
            f"{os.cpu_count()} CPU cores shared by client and devices"
        )
        keys = make_keypair(work / "keys")
        inv = write_inventory(work / "inventory", [], devices, keys)  # type: ignore[arg-type]
        env = {
            **os.environ,
            "PRAKAN_REDACTION_KEY": "bench-" + "0" * 32,
            "ANSIBLE_HOST_KEY_CHECKING": "False",
            "ANSIBLE_DEPRECATION_WARNINGS": "False",
            "ANSIBLE_LOCAL_TEMP": str(work / "ansible-tmp"),
        }
        rows: list[tuple[str, int, int, float, float]] = []
        for forks in [int(f) for f in args.forks.split(",")]:
            dest = work / f"evidence-f{forks}"
            wall, cpu, proc = timed(
                [
                    str(BIN / "prakan"),
                    "collect",
                    "-i",
                    str(inv),
                    "-q",
                    "--forks",
                    str(forks),
                    "--timeout",
                    "300",
                    "--evidence-dir",
                    str(dest),
                    "--known-hosts",
                    str(inv.parent / "known_hosts"),
                ],
                env,
            )
            manifest: dict[str, Any] = json.loads((dest / "manifest.json").read_text())
            if proc.returncode or manifest["failed"]:
                sys.exit(f"prakan collect --forks {forks} failed: {proc.stderr[-2000:]} {manifest['failed']}")
            rows.append(("prakan collect", forks, len(devices), wall, cpu))
            print(f"  prakan collect --forks {forks}: {wall:.1f} s", flush=True)
        if args.ansible_devices:
            subset = devices[: args.ansible_devices]
            sinv = write_inventory(work / "inventory-subset", [], subset, keys)  # type: ignore[arg-type]
            dest = work / "evidence-ansible"
            wall, cpu, proc = timed(
                [
                    str(BIN / "ansible-playbook"),
                    "-i",
                    str(sinv),
                    "-f",
                    str(args.ansible_forks),
                    str(ROOT / "playbooks" / "collect_evidence.yml"),
                    "-e",
                    f"prakan_evidence_dir={dest}",
                ],
                env,
            )
            manifest = json.loads((dest / "manifest.json").read_text()) if (dest / "manifest.json").exists() else {}
            if proc.returncode or len(manifest.get("files", {})) != len(subset):
                sys.exit(f"collect_evidence.yml failed: {proc.stdout[-2000:]}")
            rows.append(("collect_evidence.yml", args.ansible_forks, len(subset), wall, cpu))
        print(f"\n{'collector':24}{'forks':>6}{'hosts':>7}{'wall s':>9}{'hosts/s':>9}{'CPU ms/host':>13}")
        for name, forks, n, wall, cpu in rows:
            print(f"{name:24}{forks:6d}{n:7d}{wall:9.1f}{n / wall:9.1f}{cpu / n * 1000:13.0f}")
    finally:
        for server in servers:
            if server.stdin:
                server.stdin.close()
        for server in servers:
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()


if __name__ == "__main__":
    main()

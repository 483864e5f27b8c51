"""Benchmark `prakan lint` on a national-scale inventory: 2,000 sites, 20,000 hosts.

Generates an inventory shaped like the sample (hosts.yml with site / transport / region / sitetype /
role / platform groups, one group_vars file per site, organisation and platform group_vars) into a
temporary directory, runs `prakan lint` on it in a child process and prints wall time and the
child's peak RSS. Goal: under 10 s and under 1 GiB.

It also times `load_inventory` (the same loader without positions, as collect / evaluate use it).

    .venv/bin/python bench/lint_bench.py [--sites 2000] [--keep]
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REGIONS = ["bangkok", "central", "north", "northeast", "east", "west", "south"]
# (suffix, platform, role) for the ten hosts of a site
HOSTS = [
    ("r1", "cisco_ios", "wan_router"),
    ("core1", "cisco_ios", "core_switch"),
    ("sw1", "cisco_ios", "access_switch"),
    ("sw2", "cisco_ios", "access_switch"),
    ("web1", "linux", "web"),
    ("dns1", "linux", "dns"),
    ("file1", "linux", "file"),
    ("ntp1", "linux", "ntp"),
    ("log1", "linux", "syslog"),
    ("db1", "linux", "database"),
]
ALL_YML = """\
prakan_org: {name_th: กรมทดสอบขนาดใหญ่, name_en: Large Test Department, short: BENCH}
prakan_approved:
  ntp_servers: [10.0.0.8]
  syslog_servers: [10.0.0.9]
  aaa_servers: [10.0.0.41]
  dns_servers: [10.0.0.6]
  management_ranges: [10.0.0.0/26]
  banner: {th: ใช้งานเฉพาะผู้ได้รับอนุญาตเท่านั้น, en: Authorised use only.}
"""
PLATFORM_IOS = """\
ansible_connection: ansible.netcommon.network_cli
ansible_network_os: cisco.ios.ios
ansible_user: prakan-audit
ansible_password: !vault |
  $ANSIBLE_VAULT;1.1;AES256
  3030666539356239363239366336313933393732343861656230396238306633
"""
PLATFORM_LINUX = "ansible_user: prakan\nansible_ssh_private_key_file: ~/.ssh/prakan_ed25519\n"


def site_file(i: int, code: str, net: ipaddress.IPv4Network, transport: str, region: str) -> str:
    gin = '\n      migration_target: gsi\n      migration_due: "2027-06-30"' if transport == "gin" else ""
    kind = "regional" if transport == "mpls" else "provincial"
    return f"""\
prakan_site:
  code: {code}
  name_th: สำนักงานทดสอบที่ {i}
  name_en: Test office {i}
  kind: {kind}
  province: Province {i % 77}
  region: {region}
  mgmt_subnet: {next(net.subnets(new_prefix=26))}
  subnets: [{net}]
  transports:
    - type: {transport}
      provider: TOT
      circuit_id: CIR-{i:05d}
      bandwidth_mbps: 100{gin}
  owner: {{name: Owner {i}, email: owner{i}@bench.example, phone: +66 2 555 {i % 10000:04d}}}
  security_category: {{confidentiality: medium, integrity: medium, availability: low}}
"""


def generate(root: Path, n_sites: int) -> int:
    (root / "group_vars").mkdir(parents=True)
    (root / "group_vars" / "all.yml").write_text(ALL_YML, encoding="utf-8")
    (root / "group_vars" / "platform_cisco_ios.yml").write_text(PLATFORM_IOS, encoding="utf-8")
    (root / "group_vars" / "platform_linux.yml").write_text(PLATFORM_LINUX, encoding="utf-8")
    lines = ["all:", "  children:"]
    by: dict[str, list[str]] = {}
    n_hosts = 0
    for i in range(n_sites):
        group = f"site_s{i:05d}"
        net = ipaddress.IPv4Network((int(ipaddress.IPv4Address("10.0.0.0")) + i * 1024, 22))
        transport = "mpls" if i < 10 else ("gin" if i % 4 == 0 else "dg_link")
        region = REGIONS[i % len(REGIONS)]
        for key in (f"transport_{transport}", f"region_{region}", f"sitetype_{'regional' if i < 10 else 'provincial'}"):
            by.setdefault(key, []).append(group)
        (root / "group_vars" / f"{group}.yml").write_text(
            site_file(i, f"S{i:05d}", net, transport, region), encoding="utf-8"
        )
        lines += [f"    {group}:", "      hosts:"]
        for n, (suffix, platform, role) in enumerate(HOSTS, start=1):
            name = f"s{i:05d}-{suffix}"
            lines += [
                f"        {name}:",
                f"          ansible_host: {net.network_address + n}",
                f"          prakan_platform: {platform}",
                f"          prakan_role: {role}",
            ]
            if role == "wan_router":
                lines.append("          prakan_wan_interfaces: [GigabitEthernet0/0/0]")
            if platform == "linux":
                lines += ["          prakan_os_family: debian", "          prakan_os: debian12"]
            by.setdefault(f"role_{role}", []).append(name)
            by.setdefault(f"platform_{platform}", []).append(name)
            n_hosts += 1
    for group, members in by.items():
        section = "children" if group.split("_")[0] in ("transport", "region", "sitetype") else "hosts"
        lines += [f"    {group}:", f"      {section}:", *(f"        {m}:" for m in members)]
    (root / "hosts.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return n_hosts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=2000)
    parser.add_argument("--keep", action="store_true", help="keep the generated inventory")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="prakan-lint-bench-"))
    try:
        inventory = tmp / "inventory"
        started = time.perf_counter()
        n_hosts = generate(inventory, args.sites)
        print(f"generated {args.sites} sites, {n_hosts} hosts in {time.perf_counter() - started:.1f} s: {inventory}")
        prakan = Path(sys.executable).parent / "prakan"
        out = tmp / "findings.json"
        started = time.perf_counter()
        proc = subprocess.run(
            [str(prakan), "lint", str(inventory), "--format", "json", "--output", str(out)],
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - started
        peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
        if proc.returncode not in (0, 1):
            sys.exit(f"prakan lint failed ({proc.returncode}): {proc.stderr}")
        summary = json.loads(out.read_text(encoding="utf-8"))["summary"]
        print(f"prakan lint: exit {proc.returncode}, findings {summary}")
        print(f"wall time: {wall:.2f} s (goal < 10 s)")
        print(f"peak RSS:  {peak_mib:.0f} MiB (goal < 1024 MiB)")
        # the same loader without positions, as collect / evaluate / scan use it
        probe = (
            "import sys, time; from prakan.inventory import load_inventory; t = time.perf_counter(); "
            "inv = load_inventory(sys.argv[1]); print(len(inv.hosts), round(time.perf_counter() - t, 2))"
        )
        loaded = subprocess.run(
            [sys.executable, "-c", probe, str(inventory)], capture_output=True, text=True, check=True
        ).stdout.split()
        print(f"load_inventory (scanner model, no positions): {loaded[0]} hosts in {loaded[1]} s")
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp)


if __name__ == "__main__":
    main()

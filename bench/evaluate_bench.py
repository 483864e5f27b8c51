"""Benchmark: evaluate a synthetic fleet with the full catalog, beside the floor of reading and parsing.

    .venv/bin/python bench/evaluate_bench.py [--hosts 10000] [--keep DIR]

Half the hosts are Cisco IOS WAN routers with ~1,000-line configurations, half Linux web servers
with every source, in an inventory of one site per 100 hosts (so inventory values and applicability
are exercised). Prints hosts per second, wall time and peak memory of `prakan evaluate -i INVENTORY`
(inventory load included), and the wall time of just reading and parsing every source of the same
evidence files once (the floor). Goal: within 3x of the floor and under 1 GiB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from prakan.evidence import MANIFEST, HostEvidence, SourceResult, sha256_file, write_host, write_manifest

ROOT = Path(__file__).resolve().parent.parent

FLOOR = """
import json, sys
from pathlib import Path
from prakan.catalog import load_catalog
from prakan.evidence import host_files
cat = load_catalog()
n = 0
for path in host_files(Path(sys.argv[1])):
    doc = json.loads(path.read_bytes())
    for name, src in doc["sources"].items():
        try:
            cat.sources[name].parse(src["output"], doc["platform"])
        except Exception:
            pass
    n += 1
print(n)
"""


def ios_config(i: int, rnd: random.Random) -> str:
    lines = [
        "Building configuration...",
        "",
        "Current configuration : 31337 bytes",
        "!",
        "version 17.9",
        "service timestamps debug datetime msec",
        "service timestamps log datetime msec",
        "service password-encryption",
        f"hostname r{i:05d}",
        "!",
        "aaa new-model",
        "aaa authentication login default group tacacs+ local",
        "aaa accounting exec default start-stop group tacacs+",
        "enable secret 9 <redacted:prakan:0011223344556677>",
        "!",
        "ip ssh version 2",
        "no ip http server",
        "login block-for 120 attempts 3 within 60",
        "!",
    ]
    if rnd.random() < 0.3:
        lines += ["snmp-server community public RO", "ip http server"]
    for n in range(48):
        lines += [
            f"interface GigabitEthernet1/0/{n}",
            f" description access port {n}",
            " switchport mode access",
            f" switchport access vlan {10 + n % 8}",
            " spanning-tree portfast",
            " no cdp enable",
            "!",
        ]
    lines += [
        "interface GigabitEthernet0/0/0",
        " description WAN MPLS",
        " ip address 10.0.0.1 255.255.255.252",
        " ip verify unicast source reachable-via rx",
        " no cdp enable",
        "!",
    ]
    lines += ["ip access-list extended MGMT"] + [f" permit tcp 10.{n}.0.0 0.0.255.255 any eq 22" for n in range(500)]
    lines += [
        "router ospf 1",
        " area 0 authentication message-digest",
        " network 10.0.0.0 0.0.0.3 area 0",
        "!",
        "logging buffered 64000",
        "logging trap informational",
        "logging host 10.10.0.31",
        "ntp authenticate",
        "ntp authentication-key 1 hmac-sha2-256 7 <redacted:prakan:aabbccddeeff0011>",
        "ntp trusted-key 1",
        "ntp server 10.10.0.21 key 1",
        "archive",
        " log config",
        "  logging enable",
        "  notify syslog",
        "banner motd ^C",
        "Authorised use only",
        "^C",
        "line con 0",
        " exec-timeout 5 0",
        "line vty 0 4",
        " access-class MGMT in",
        " exec-timeout 5 0",
        " transport input ssh",
        "line vty 5 15",
        " transport input ssh" if rnd.random() < 0.8 else " transport input telnet ssh",
        "!",
        "end",
    ]
    return "\n".join(lines) + "\n"


SHOW_VERSION = (
    "Cisco IOS XE Software, Version 17.09.04a\nCisco IOS Software [Cupertino], ISR Software "
    "(X86_64_LINUX_IOSD-UNIVERSALK9-M), Version 17.9.4a, RELEASE SOFTWARE (fc3)\nROM: 16.12(2r)\n"
    '{host} uptime is 5 weeks, 2 days, 3 hours, 1 minute\nSystem image file is "bootflash:isr4300.bin"\n'
    "cisco ISR4331/K9 (1RU) processor with 1795999K/6147K bytes of memory.\nProcessor board ID FDO1234\n"
    "Configuration register is 0x2102\n"
)


def linux_sources(i: int, rnd: random.Random) -> dict[str, str]:
    root = "no" if rnd.random() < 0.8 else "yes"
    sshd = "\n".join(
        [
            "port 22",
            f"permitrootlogin {root}",
            "passwordauthentication no",
            "maxauthtries 4",
            "logingracetime 60",
            "x11forwarding no",
            "ciphers aes256-gcm@openssh.com,aes128-ctr",
            "macs hmac-sha2-512-etm@openssh.com",
            "clientaliveinterval 300",
            "clientalivecountmax 3",
            "banner /etc/issue.net",
            "loglevel VERBOSE",
            "permitemptypasswords no",
            "ignorerhosts yes",
            "hostbasedauthentication no",
            "permituserenvironment no",
            "allowtcpforwarding no",
            "maxstartups 10:30:60",
            "maxsessions 10",
        ]
        + [f"hostkey /etc/ssh/key{n}" for n in range(3)]
        + [f"option{n} value{n}" for n in range(80)]
    )
    sysctl = "\n".join(
        [
            "net.ipv4.ip_forward = 0",
            "kernel.randomize_va_space = 2",
            "net.ipv4.conf.all.send_redirects = 0",
            "net.ipv4.conf.all.accept_redirects = 0",
            "net.ipv4.tcp_syncookies = 1",
            "fs.suid_dumpable = 0",
            "kernel.dmesg_restrict = 1",
        ]
        + [f"net.ipv4.conf.eth{n % 4}.param{n} = {n}" for n in range(600)]
    )
    passwd = "root:x:0:0:root:/root:/bin/bash\n" + "".join(
        f"user{n}:x:{1000 + n}:{1000 + n}::/home/user{n}:/bin/bash\n" for n in range(40)
    )
    shadow = "root:$prakan$0011:19000:0:99999:7:::\n" + "".join(
        f"user{n}:$prakan${n:04x}:19000:1:90:7:::\n" for n in range(40)
    )
    pkgs = "".join(f"pkg{n} 1.{n}-1 ii\n" for n in range(600))
    return {
        "os_release": 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n',
        "sshd_effective": sshd + "\n",
        "sysctl": sysctl + "\n",
        "login_defs": "### /etc/login.defs\nPASS_MAX_DAYS 90\nPASS_MIN_DAYS 1\nPASS_WARN_AGE 7\n"
        "UMASK 027\nENCRYPT_METHOD YESCRYPT\n",
        "pwquality": "### /etc/security/pwquality.conf\nminlen = 14\nminclass = 4\n",
        "pam": "### /etc/pam.d/common-password\npassword requisite pam_pwquality.so retry=3\n"
        "password [success=1 default=ignore] pam_unix.so obscure yescrypt remember=5\n",
        "passwd": passwd,
        "shadow": shadow,
        "file_permissions": "/etc/passwd 644 root root\n/etc/shadow 640 root shadow\n"
        "/etc/ssh/sshd_config 600 root root\n",
        "audit_rules": "### /etc/audit/rules.d/50-identity.rules\n-w /etc/passwd -p wa -k identity\n",
        "auditd_conf": "### /etc/audit/auditd.conf\nmax_log_file_action = keep_logs\n",
        "syslog_config": "### /etc/rsyslog.d/50-remote.conf\n*.* @@10.10.0.31:514\n",
        "time_sync": "### /etc/chrony/chrony.conf\nserver 10.10.0.21 iburst\n",
        "firewall": "table inet filter {\n chain input {\n  type filter hook input priority 0; policy drop;\n }\n}\n",
        "enabled_services": "ssh.service\nrsyslog.service\nchrony.service\nauditd.service\n",
        "packages": pkgs,
        "modprobe": "### /etc/modprobe.d/usb.conf\ninstall usb-storage /bin/false\n",
        "pending_updates": "manager apt\nlists 12\nlists_age_days 1\n",
        "faillock_conf": "### /etc/security/faillock.conf\ndeny = 5\nunlock_time = 900\n",
        "pwhistory_conf": "### /etc/security/pwhistory.conf\nremember = 24\n",
    } | DEPTH_SOURCES


# The Linux depth sources (AIDE, MAC, sudo, boot, mounts, persistent sysctls, ...) as the sample
# department's hardened web server answers them.
_SAMPLE_HOST = ROOT / "samples" / "evidence" / "bkk-hq-saraban1.json"
DEPTH_SOURCES = {
    name: src["output"]
    for name, src in json.loads(_SAMPLE_HOST.read_text(encoding="utf-8"))["sources"].items()
    if name
    in (
        "sysctl_persistent",
        "aide_state",
        "mac_state",
        "kernel_cmdline",
        "grub_config",
        "sudoers",
        "audit_loaded",
        "mounts",
        "system_file_modes",
        "local_file_findings",
        "log_files",
        "logrotate",
        "journald_conf",
        "shell_profiles",
        "logind_conf",
        "loaded_modules",
        "package_sources",
        "root_access",
        "pam_su",
        "coredump_config",
    )
}


ALL_YML = """\
prakan_org: {name_th: กรมทดสอบ, name_en: Benchmark Department, short: BENCH}
prakan_approved:
  ntp_servers: [10.10.0.21]
  syslog_servers: [10.10.0.31]
  aaa_servers: [10.10.0.41]
  dns_servers: [10.10.0.11]
  management_ranges: [10.0.0.0/8]
  banner: {th: สำหรับผู้ได้รับอนุญาตเท่านั้น, en: Authorised use only}
"""


def write_inventory(root: Path, hosts: int) -> None:
    """One site per 100 hosts; routers are WAN routers, servers web servers (so every check applies)."""
    (root / "group_vars").mkdir(parents=True)
    (root / "group_vars" / "all.yml").write_text(ALL_YML, encoding="utf-8")
    lines = ["all:", "  children:"]
    for site in range(0, hosts, 100):
        code = f"S{site // 100:04d}"
        net = f"10.{site // 100 // 256}.{site // 100 % 256}"
        (root / "group_vars" / f"site_{code.lower()}.yml").write_text(
            f"prakan_site: {{code: {code}, name_th: ไซต์ {code}, name_en: Site {code}, kind: provincial,"
            f" region: central, province: P, mgmt_subnet: {net}.0/24, subnets: [{net}.0/24],"
            f" security_category: {{confidentiality: high, integrity: medium, availability: low}}}}\n",
            encoding="utf-8",
        )
        lines += [f"    site_{code.lower()}:", "      hosts:"]
        for i in range(site, min(site + 100, hosts)):
            if i % 2:
                lines.append(
                    f"        r{i:05d}: {{ansible_host: {net}.{i % 100 + 1}, prakan_platform: cisco_ios,"
                    " prakan_role: wan_router, prakan_wan_interfaces: [GigabitEthernet0/0/0]}"
                )
            else:
                lines.append(
                    f"        s{i:05d}: {{ansible_host: {net}.{i % 100 + 1}, prakan_platform: linux,"
                    " prakan_role: web, prakan_os_family: debian}"
                )
    (root / "hosts.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def generate(directory: Path, hosts: int) -> None:
    rnd = random.Random(2569)
    for i in range(hosts):
        if i % 2:
            name = f"r{i:05d}"
            srcs = {"running_config": ios_config(i, rnd), "show_version": SHOW_VERSION.format(host=name)}
            platform = "cisco_ios"
        else:
            name, srcs, platform = f"s{i:05d}", linux_sources(i, rnd), "linux"
        ev = HostEvidence(name, platform, {k: SourceResult(k, v) for k, v in srcs.items()}, method="sample")
        write_host(directory, ev)


BENCH_KEY = "prakan-bench-manifest-key-not-a-secret"  # signs the generated run, as a collection would


def seal(directory: Path) -> None:
    files = {p.name: sha256_file(p) for p in sorted(directory.glob("*.json")) if p.name != MANIFEST}
    write_manifest(directory, {"run": "bench", "kind": "bench", "files": files}, BENCH_KEY.encode())


def timed(cmd: list[str]) -> tuple[float, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    return wall, max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hosts", type=int, default=10_000)
    ap.add_argument("--keep", type=Path, help="Use (or create) this evidence directory instead of a temporary one.")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="prakan-bench-")
    directory = args.keep or Path(tmp.name) / "evidence"
    if not directory.exists() or not any(directory.glob("*.json")):
        start = time.perf_counter()
        generate(directory, args.hosts)
        print(f"generated {args.hosts} evidence files in {time.perf_counter() - start:.1f} s")
    seal(directory)
    os.environ["PRAKAN_MANIFEST_KEY"] = BENCH_KEY
    size = sum(p.stat().st_size for p in directory.glob("*.json"))
    py = sys.executable
    floor, floor_rss = timed([py, "-c", FLOOR, str(directory)])
    inventory = Path(tmp.name) / "inventory"
    write_inventory(inventory, args.hosts)
    out = Path(tmp.name) / "results.json"
    cmd = [
        py,
        "-m",
        "prakan.cli",
        "evaluate",
        "--evidence-dir",
        str(directory),
        "-i",
        str(inventory),
        "-o",
        str(out),
        "--max-age",
        "0",
    ]
    wall, rss = timed(cmd)
    from prakan.catalog import load_catalog

    checks = len([c for c in load_catalog().checks.values() if c.kind == "automated"])
    print(f"hosts: {args.hosts} ({size / 2**20:.0f} MiB of evidence), automated checks: {checks}")
    print(
        f"floor (read + parse once): {floor:.1f} s, {args.hosts / floor:.0f} hosts/s, peak {floor_rss / 1024:.0f} MiB"
    )
    print(f"prakan evaluate:           {wall:.1f} s, {args.hosts / wall:.0f} hosts/s, peak {rss / 1024:.0f} MiB")
    print(f"ratio to floor: {wall / floor:.2f}x (goal <= 3x); results.json {out.stat().st_size / 2**20:.0f} MiB")
    with out.open("rb") as fh:  # the summary is the last line: a bench whose hosts are all in error measures nothing
        fh.seek(max(0, out.stat().st_size - (4 << 20)))
        tail = fh.read().decode("utf-8").rsplit("\n], ", 1)[1]
    summary = json.loads("{" + tail)["summary"]
    print(f"hosts in error: {summary['hosts_in_error']}; by status: {summary['by_status']}")


if __name__ == "__main__":
    main()

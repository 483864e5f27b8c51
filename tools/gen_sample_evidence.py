#!/usr/bin/env python3
# ruff: noqa: E501  (the realistic device and server outputs below are long lines by nature)
"""Generate sample evidence for every host of the sample department (`inventory/`).

Deterministic (seeded per host) so the committed `samples/evidence/` can be regenerated exactly.
Each host gets the raw outputs of every source of `checks/sources.yml` for its platform, as a
read-only collection would have written them: secrets already redacted, so nothing secret-looking
is committed. The picture is meant to look like a real department: headquarters, the data centre
and the cloud are hardened, regional offices partly, provincial offices show the usual gaps (telnet
on the VTY lines, SNMP `public`, no remote logging, unauthenticated NTP, CDP on the WAN ...).

Four hosts are deliberately untrustworthy, to show fail-closed evaluation:
  * TRUNCATED_ROUTER: its running-config stops mid-way (no closing `end`);
  * BROKEN_SSHD: `sshd -T` exited with status 255 (a bad sshd_config line);
  * MISSING_HOST: no evidence file at all;
  * STALE_LISTS: its package lists are months old, so pending security updates are unknown.

Usage: python tools/gen_sample_evidence.py [-i inventory] [-o samples/evidence]
"""

from __future__ import annotations

import argparse
import hashlib
import ipaddress
import random
import shutil
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from prakan.evidence import HostEvidence, SourceResult, write_host, write_manifest  # noqa: E402
from prakan.inventory import Host, Inventory, load_inventory  # noqa: E402
from prakan.paths import SAMPLE_MANIFEST_KEY  # noqa: E402
from prakan.redact import redact_text  # noqa: E402
from prakan.sources import Source, load_sources  # noqa: E402
from prakan.trust import read_key_file  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sample_linux_depth as depth  # noqa: E402

SEED = "prakan-sample-department-2026"
COLLECTED_AT = "2026-11-21T19:00:00Z"
REDACTION_KEY = SEED.encode()
TRUNCATED_ROUTER = "prv-nan-r1"
BROKEN_SSHD = "reg3-cmi-file1"
MISSING_HOST = "prv-pyo-sw1"
STALE_LISTS = "reg4-plk-news1"  # apt lists 97 days old: nobody can say which updates are pending

# Probability of each gap by kind of site; a host's gaps are drawn once from its own seeded RNG.
IOS_GAPS: dict[str, dict[str, float]] = {
    #                    hq    regional provincial cloud
    "telnet_vty": {"hq": 0.0, "regional": 0.15, "provincial": 0.55, "cloud": 0.0},
    "snmp_public": {"hq": 0.0, "regional": 0.25, "provincial": 0.6, "cloud": 0.0},
    "no_remote_log": {"hq": 0.0, "regional": 0.2, "provincial": 0.5, "cloud": 0.0},
    "ntp_noauth": {"hq": 0.0, "regional": 0.4, "provincial": 0.7, "cloud": 0.0},
    "no_ntp": {"hq": 0.0, "regional": 0.0, "provincial": 0.15, "cloud": 0.0},
    "http_server": {"hq": 0.0, "regional": 0.25, "provincial": 0.6, "cloud": 0.0},
    "cdp_wan": {"hq": 0.0, "regional": 0.3, "provincial": 0.6, "cloud": 0.0},
    "no_login_block": {"hq": 0.0, "regional": 0.4, "provincial": 0.75, "cloud": 0.0},
    "enable_type5": {"hq": 0.0, "regional": 0.25, "provincial": 0.55, "cloud": 0.0},
    "no_aaa": {"hq": 0.0, "regional": 0.1, "provincial": 0.35, "cloud": 0.0},
    "no_vty_acl": {"hq": 0.0, "regional": 0.15, "provincial": 0.45, "cloud": 0.0},
    "long_exec_timeout": {"hq": 0.0, "regional": 0.2, "provincial": 0.5, "cloud": 0.0},
    "no_banner": {"hq": 0.0, "regional": 0.0, "provincial": 0.3, "cloud": 0.0},
    "no_pw_encryption": {"hq": 0.0, "regional": 0.1, "provincial": 0.35, "cloud": 0.0},
    "no_archive_log": {"hq": 0.0, "regional": 0.4, "provincial": 0.8, "cloud": 0.1},
    "ssh_v1": {"hq": 0.0, "regional": 0.05, "provincial": 0.25, "cloud": 0.0},
    "no_urpf": {"hq": 0.0, "regional": 0.3, "provincial": 0.7, "cloud": 0.0},
    "no_wan_acl": {"hq": 0.0, "regional": 0.05, "provincial": 0.3, "cloud": 0.0},
    "wan_defaults": {"hq": 0.0, "regional": 0.1, "provincial": 0.4, "cloud": 0.0},  # proxy-arp, redirects left on
    "ssh_defaults": {"hq": 0.0, "regional": 0.15, "provincial": 0.5, "cloud": 0.0},  # time-out 120 s, 5 retries
    "small_log_buffer": {"hq": 0.0, "regional": 0.1, "provincial": 0.35, "cloud": 0.0},
    "ospf_noauth": {"hq": 0.0, "regional": 0.25, "provincial": 0.0, "cloud": 0.0},
    "service_pad": {"hq": 0.0, "regional": 0.1, "provincial": 0.4, "cloud": 0.0},
    "no_tcp_keepalive": {"hq": 0.0, "regional": 0.3, "provincial": 0.5, "cloud": 0.0},
    "no_timestamps": {"hq": 0.0, "regional": 0.0, "provincial": 0.25, "cloud": 0.0},
    "syslog_wrong_host": {"hq": 0.0, "regional": 0.1, "provincial": 0.1, "cloud": 0.0},
    "ip_source_route": {"hq": 0.0, "regional": 0.2, "provincial": 0.5, "cloud": 0.0},
    "aux_exec": {"hq": 0.0, "regional": 0.1, "provincial": 0.4, "cloud": 0.0},
}
LINUX_GAPS: dict[str, dict[str, float]] = {
    "root_login": {"hq": 0.05, "regional": 0.35, "cloud": 0.0},
    "password_auth": {"hq": 0.1, "regional": 0.5, "cloud": 0.0},
    "ssh_weak_misc": {"hq": 0.1, "regional": 0.6, "cloud": 0.1},  # X11, MaxAuthTries 6, no idle timeout
    "no_remote_log": {"hq": 0.1, "regional": 0.4, "cloud": 0.0},
    "pending_updates": {"hq": 0.25, "regional": 0.7, "cloud": 0.2},
    "usb_storage": {"hq": 0.15, "regional": 0.7, "cloud": 0.1},
    "weak_login_defs": {"hq": 0.1, "regional": 0.6, "cloud": 0.1},
    "no_pwquality": {"hq": 0.05, "regional": 0.5, "cloud": 0.0},
    "no_faillock": {"hq": 0.1, "regional": 0.5, "cloud": 0.0},
    "nullok": {"hq": 0.1, "regional": 0.6, "cloud": 0.1},
    "no_auditd": {"hq": 0.05, "regional": 0.5, "cloud": 0.0},
    "ntp_default_pool": {"hq": 0.0, "regional": 0.4, "cloud": 0.1},
    "no_firewall": {"hq": 0.05, "regional": 0.4, "cloud": 0.0},
    "sysctl_defaults": {"hq": 0.1, "regional": 0.5, "cloud": 0.1},
    "loose_perms": {"hq": 0.05, "regional": 0.4, "cloud": 0.0},
    "legacy_services": {"hq": 0.0, "regional": 0.35, "cloud": 0.0},
    "legacy_packages": {"hq": 0.05, "regional": 0.4, "cloud": 0.0},
    "compilers": {"hq": 0.1, "regional": 0.3, "cloud": 0.0},
    "ssh_cbc": {"hq": 0.0, "regional": 0.15, "cloud": 0.0},  # kept for an old backup appliance
    "no_pw_aging": {"hq": 0.1, "regional": 0.6, "cloud": 0.1},
}
# A few hard-wired gaps so that tests can name hosts that are known to fail specific checks.
FORCED: dict[str, set[str]] = {
    "prv-msn-r1": {
        "telnet_vty",
        "snmp_public",
        "no_remote_log",
        "ntp_noauth",
        "http_server",
        "cdp_wan",
        "no_login_block",
        "enable_type5",
    },
    "prv-cmi-r1": {"telnet_vty", "http_server", "cdp_wan"},
    "reg5-cti-news1": {"root_login", "no_remote_log", "usb_storage", "pending_updates"},
    "reg8-kri-file1": {"root_login", "uid0_backdoor", "empty_password"},
    STALE_LISTS: {"stale_lists", "pending_updates"},
}
# Hosts that must stay clean whatever the dice say (the reference "good" hosts of the tests).
CLEAN = {"bkk-hq-r1", "bkk-hq-core1", "bkk-hq-bastion1", "bkk-hq-saraban1", "gdcc-prod-db1"}


# --------------------------------------------------------------------------------------------
# helpers


def rng_for(host: str) -> random.Random:
    return random.Random(int.from_bytes(hashlib.sha256(f"{SEED}|{host}".encode()).digest()[:8], "big"))


def token(host: str, what: str, n: int = 16) -> str:
    """A stable stand-in for a secret: the form collection leaves after redaction."""
    return hashlib.sha256(f"{SEED}|{host}|{what}".encode()).hexdigest()[:n]


def red(host: str, what: str) -> str:
    return f"<redacted:prakan:{token(host, what)}>"


def shadow_hash(host: str, user: str) -> str:
    return f"$prakan${token(host, 'shadow:' + user, 16)}"


def site_kind(inv: Inventory, host: Host) -> str:
    site = inv.sites.get(host.site or "")
    return (site.kind if site else None) or "provincial"


def draw_gaps(host: Host, kind: str, table: Mapping[str, Mapping[str, float]], rng: random.Random) -> set[str]:
    gaps = {g for g, p in table.items() if rng.random() < p.get(kind, 0.0)}
    if host.name in CLEAN:
        gaps = set()
    return gaps | FORCED.get(host.name, set())


def net(cidr: str) -> ipaddress.IPv4Network:
    return ipaddress.IPv4Network(cidr, strict=False)


def mask(n: ipaddress.IPv4Network) -> str:
    return f"{n.network_address} {n.netmask}"


def wildcard(n: ipaddress.IPv4Network) -> str:
    return f"{n.network_address} {n.hostmask}"


# --------------------------------------------------------------------------------------------
# Cisco IOS / IOS-XE


@dataclass
class Device:
    host: Host
    kind: str
    site: Mapping[str, Any]
    org: Mapping[str, Any]
    gaps: set[str]
    rng: random.Random

    @property
    def xe(self) -> bool:
        return self.host.vars.get("prakan_os") == "iosxe17"

    @property
    def approved(self) -> Mapping[str, Any]:
        return self.org.get("prakan_approved", {})

    def has(self, gap: str) -> bool:
        return gap in self.gaps


def ios_header(d: Device, size: int) -> list[str]:
    when = f"{d.rng.randint(0, 23):02d}:{d.rng.randint(0, 59):02d}:{d.rng.randint(0, 59):02d}"
    day = d.rng.randint(1, 20)
    who = "netadmin" if d.kind in ("hq", "cloud") else d.rng.choice(["netadmin", "admin", "cisco", "somsak"])
    out = [
        "Building configuration...",
        "",
        f"Current configuration : {size} bytes",
        "!",
        f"! Last configuration change at {when} ICT Thu Nov {day} 2026 by {who}",
        f"! NVRAM config last updated at {when} ICT Thu Nov {day} 2026 by {who}",
        "!",
    ]
    out.append("version 17.9" if d.xe else "version 15.7" if d.host.role == "wan_router" else "version 15.2")
    if d.has("no_timestamps"):
        out += ["service timestamps debug uptime", "service timestamps log uptime"]
    else:
        out += [
            "service timestamps debug datetime msec localtime show-timezone",
            "service timestamps log datetime msec localtime show-timezone",
        ]
    out.append("no service password-encryption" if d.has("no_pw_encryption") else "service password-encryption")
    if not d.has("no_tcp_keepalive"):
        out += ["service tcp-keepalives-in", "service tcp-keepalives-out"]
    if not d.has("service_pad"):
        out.append("no service pad")
    if d.kind in ("hq", "cloud"):
        out.append("service sequence-numbers")
    if d.xe and d.host.role == "wan_router":
        out += ["platform qfp utilization monitor load 80", "platform punt-keepalive disable-kernel-core"]
    out += ["!", f"hostname {d.host.name}", "!", "boot-start-marker"]
    if not d.xe:
        image = (
            "flash0:c2900-universalk9-mz.SPA.157-3.M8.bin"
            if d.host.role == "wan_router"
            else "flash:c2960x-universalk9-mz.152-7.E8.bin"
        )
        out.append(f"boot system {image}")
    out += ["boot-end-marker", "!"]
    if d.xe and d.host.role == "wan_router" and d.kind != "cloud":
        out += [
            "vrf definition Mgmt-intf",
            " !",
            " address-family ipv4",
            " exit-address-family",
            " !",
            " address-family ipv6",
            " exit-address-family",
            "!",
        ]
    out += [
        "logging buffered 4096 warnings" if d.has("small_log_buffer") else "logging buffered 64000 informational",
        "logging console critical",
    ]
    if d.has("enable_type5"):
        out.append(f"enable secret 5 {red(d.host.name, 'enable')}")
    else:
        out.append(f"enable secret 9 {red(d.host.name, 'enable')}")
    out.append("!")
    return out


def ios_aaa(d: Device) -> list[str]:
    if d.has("no_aaa"):
        return ["no aaa new-model", "!"]
    return [
        "aaa new-model",
        "!",
        "!",
        "aaa group server tacacs+ PRD-TACACS",
        " server name TACACS-1",
        " server name TACACS-2",
        " ip tacacs source-interface Loopback0"
        if d.host.role == "wan_router"
        else f" ip tacacs source-interface Vlan{MGMT_VLAN}",
        "!",
        "aaa authentication login default group PRD-TACACS local",
        "aaa authentication login VTY-AUTH group PRD-TACACS local",
        "aaa authentication enable default group PRD-TACACS enable",
        "aaa authorization console",
        "aaa authorization exec default group PRD-TACACS local if-authenticated",
        "aaa authorization commands 15 default group PRD-TACACS local if-authenticated",
        "aaa accounting exec default start-stop group PRD-TACACS",
        "aaa accounting commands 1 default start-stop group PRD-TACACS",
        "aaa accounting commands 15 default start-stop group PRD-TACACS",
        "aaa accounting connection default start-stop group PRD-TACACS",
        "aaa accounting system default start-stop group PRD-TACACS",
        "!",
        "!",
        "!",
        "!",
        "!",
        "aaa session-id common",
    ]


MGMT_VLAN = 99


def ios_common_top(d: Device) -> list[str]:
    site = d.site
    dns = d.approved.get("dns_servers", [])
    out = [*ios_aaa(d), "clock timezone ICT 7 0"]
    if d.xe and d.host.role == "wan_router":
        out += ["!", "!", "!", "!", "!", "!"]
    out.append("ip source-route" if d.has("ip_source_route") else "no ip source-route")
    if d.kind in ("hq", "cloud") or not d.has("service_pad"):
        out.append("no ip bootp server")
    if d.host.role != "access_switch":
        out.append("no ip gratuitous-arps")
    out += ["!", "!", "!", f"ip domain name {site.get('code', 'site').lower()}.prd-demo.example"]
    if dns:
        out.append("ip name-server " + " ".join(dns))
    out.append("!")
    if not d.has("no_login_block"):
        out += [
            "login block-for 120 attempts 5 within 60",
            "login delay 2",
            "login on-failure log",
            "login on-success log",
            "!",
        ]
    if d.host.role == "access_switch":
        out += ["ip dhcp snooping vlan 10,20", "no ip dhcp snooping information option", "ip dhcp snooping", "!"]
    if d.xe:
        out += ["subscriber templating", "!", "!", "multilink bundle-name authenticated", "!"]
    trust = f"TP-self-signed-{int(token(d.host.name, 'tp', 8), 16) % 4294967295}"
    out += [
        f"crypto pki trustpoint {trust}",
        " enrollment selfsigned",
        f" subject-name cn=IOS-Self-Signed-Certificate-{trust.rsplit('-', 1)[1]}",
        " revocation-check none",
        f" rsakeypair {trust}",
        "!",
        "!",
        f"crypto pki certificate chain {trust}",
        " certificate self-signed 01",
    ]
    cert = hashlib.sha512(f"{SEED}|cert|{d.host.name}".encode()).hexdigest().upper()
    out += ["  " + " ".join(cert[i + j * 8 : i + j * 8 + 8] for j in range(8)) for i in range(0, 128, 64)]
    out += ["  \tquit", "!"]
    return out


def ios_users(d: Device) -> list[str]:
    n = d.host.name
    out = [
        f"username netadmin privilege 15 secret 9 {red(n, 'user:netadmin')}",
        f"username prakan-audit privilege 15 secret 9 {red(n, 'user:prakan-audit')}",
    ]
    if d.kind == "provincial" and d.rng.random() < 0.4:
        out.append(f"username admin privilege 15 password 7 {red(n, 'user:admin')}")
    out.append("!")
    return out


def ios_ssh(d: Device, source: str) -> list[str]:
    out = [] if d.has("ssh_v1") else ["ip ssh version 2"]
    if d.has("ssh_defaults"):
        out.append("ip ssh authentication-retries 5")
    else:
        out += ["ip ssh time-out 60", "ip ssh authentication-retries 3"]
    out.append(f"ip ssh source-interface {source}")
    if d.xe:
        out += [
            "ip ssh server algorithm encryption aes256-gcm aes256-ctr aes128-ctr",
            "ip ssh server algorithm mac hmac-sha2-512 hmac-sha2-256",
            "ip ssh server algorithm kex ecdh-sha2-nistp384 ecdh-sha2-nistp256 diffie-hellman-group14-sha256",
        ]
    return out


def wan_peer(d: Device, idx: int) -> tuple[str, str, str]:
    """(local address, mask, provider peer) on a /30 out of 100.64.0.0/10 (carrier-grade NAT space)."""
    h = int(token(d.host.name, f"wan{idx}", 6), 16) % (1 << 20)
    base = ipaddress.IPv4Address("100.64.0.0") + (h << 2)
    return str(base + 2), "255.255.255.252", str(base + 1)


def router_interfaces(d: Device) -> list[str]:
    wans: list[str] = list(d.host.vars.get("prakan_wan_interfaces") or [])
    transports = list(d.site.get("transports") or [{"type": "mpls", "provider": "?", "circuit_id": "?"}])
    mgmt = net(d.site.get("mgmt_subnet") or "10.255.0.0/24")
    out = [
        "!",
        "!",
        "!",
        "!",
        "!",
        "!",
        "interface Loopback0",
        " description Routing identity",
        f" ip address {loopback(d)} 255.255.255.255",
        "!",
    ]
    if d.kind == "cloud":
        out += [
            "interface Tunnel100",
            " description IPsec to BKK-HQ over GDCC internet VPN",
            f" ip address 172.31.{int(token(d.host.name, 'tun', 2), 16)}.2 255.255.255.252",
            " ip mtu 1400",
            " ip tcp adjust-mss 1360",
            f" tunnel source {wans[0] if wans else 'GigabitEthernet1'}",
            " tunnel mode ipsec ipv4",
            " tunnel destination 203.0.113.10",
            " tunnel protection ipsec profile PRD-IPSEC",
            "!",
        ]
    for i, wan in enumerate(wans):
        t = transports[i % len(transports)]
        local, msk, _peer = wan_peer(d, i)
        out += [
            f"interface {wan}",
            f" description WAN {t['type'].upper().replace('_', '-')} {t.get('provider', '')} circuit {t.get('circuit_id', '')}",
            f" bandwidth {int(t.get('bandwidth_mbps', 10)) * 1000}",
            f" ip address {local} {msk}",
        ]
        if not d.has("no_wan_acl"):
            out.append(" ip access-group ACL-WAN-IN in")
        if not d.has("no_urpf"):
            out.append(" ip verify unicast source reachable-via rx")
        if not d.has("wan_defaults"):
            out += [" no ip redirects", " no ip unreachables", " no ip proxy-arp"]
        if not d.has("cdp_wan"):
            out.append(" no cdp enable")
        if d.xe:
            out.append(" negotiation auto")
        else:
            out += [" duplex auto", " speed auto"]
        out.append("!")
    # the remaining physical ports: LAN towards the switch, then unused ones shut
    ports = router_ports(d)
    lan_done = False
    for port in ports:
        if port in wans:
            continue
        if not lan_done:
            # the management address Prakan connects to is the router's LAN address
            out += [
                f"interface {port}",
                " description LAN to site switch",
                f" ip address {d.host.address} {mgmt.netmask}",
                " no ip redirects",
                " no ip unreachables",
                " no ip proxy-arp",
            ]
            out += [" negotiation auto"] if d.xe else [" duplex auto", " speed auto"]
            out.append("!")
            lan_done = True
        else:
            out += [f"interface {port}", " no ip address", " shutdown"]
            out += [" negotiation auto"] if d.xe else [" duplex auto", " speed auto"]
            out.append("!")
    if d.xe and d.kind != "cloud":
        out += [
            "interface GigabitEthernet0",
            " vrf forwarding Mgmt-intf",
            " no ip address",
            " shutdown",
            " negotiation auto",
            "!",
        ]
    return out


def router_ports(d: Device) -> list[str]:
    return (
        ["GigabitEthernet1", "GigabitEthernet2", "GigabitEthernet3"]
        if d.kind == "cloud"
        else ["GigabitEthernet0/0/0", "GigabitEthernet0/0/1", "GigabitEthernet0/0/2"]
        if d.xe
        else ["GigabitEthernet0/0", "GigabitEthernet0/1", "GigabitEthernet0/2"]
    )


def lan_port(d: Device) -> str:
    """The first port not facing the WAN: the LAN towards the site switch, where OSPF neighbours are."""
    wans = set(d.host.vars.get("prakan_wan_interfaces") or [])
    return next(p for p in router_ports(d) if p not in wans)


def loopback(d: Device) -> str:
    """A /32 out of the department's router-id range 10.255.0.0/16, stable per router."""
    return str(ipaddress.IPv4Address("10.255.0.0") + 1 + int(token(d.host.name, "loopback", 4), 16) % 65000)


def router_routing(d: Device) -> list[str]:
    site = d.site
    lan_net = net((site.get("subnets") or ["10.255.0.0/16"])[0])
    rid = loopback(d)
    asn = 65000 + int(token(d.host.name, "asn", 4), 16) % 500
    wans: list[str] = list(d.host.vars.get("prakan_wan_interfaces") or [])
    out: list[str] = []
    if d.kind in ("hq", "regional"):
        out += [
            "router ospf 10",
            f" router-id {rid}",
            " auto-cost reference-bandwidth 10000",
            *([] if d.has("ospf_noauth") else [" area 0 authentication message-digest"]),
            " passive-interface default",
        ]
        out += [f" no passive-interface {lan_port(d)}"]
        out += [f" network {wildcard(lan_net)} area 0", " default-information originate", "!"]
    if d.kind in ("hq", "regional") or any(t.get("type") == "mpls" for t in site.get("transports") or []):
        _l, _m, peer = wan_peer(d, 0)
        out += [
            f"router bgp {asn}",
            f" bgp router-id {rid}",
            " bgp log-neighbor-changes",
            f" neighbor {peer} remote-as 64600",
            f" neighbor {peer} description NT MPLS PE",
            f" neighbor {peer} password 7 {red(d.host.name, 'bgp')}",
            " !",
            " address-family ipv4",
            f"  network {lan_net.network_address} mask {lan_net.netmask}",
            f"  neighbor {peer} activate",
            f"  neighbor {peer} send-community",
            f"  neighbor {peer} prefix-list PL-MPLS-OUT out",
            f"  neighbor {peer} maximum-prefix 500 80",
            " exit-address-family",
            "!",
        ]
    if d.kind == "cloud":
        out += [
            f"router bgp {asn}",
            f" bgp router-id {rid}",
            " bgp log-neighbor-changes",
            " neighbor 172.31.0.1 remote-as 65010",
            " neighbor 172.31.0.1 description BKK-HQ over IPsec",
            f" neighbor 172.31.0.1 password 7 {red(d.host.name, 'bgp')}",
            " !",
            " address-family ipv4",
            f"  network {lan_net.network_address} mask {lan_net.netmask}",
            "  neighbor 172.31.0.1 activate",
            "  neighbor 172.31.0.1 prefix-list PL-CLOUD-OUT out",
            " exit-address-family",
            "!",
        ]
    out += ["ip forward-protocol nd"]
    if d.has("http_server"):
        out += ["ip http server", "ip http authentication local", "ip http secure-server"]
    else:
        out += ["no ip http server", "no ip http secure-server"]
    if d.xe:
        out.append("ip http client source-interface Loopback0")
    if d.kind == "provincial":
        for i, _wan in enumerate(wans):
            _l, _m, peer = wan_peer(d, i)
            ttype = (site.get("transports") or [{}])[0].get("type", "gin").upper().replace("_", "-")
            out.append(f"ip route 0.0.0.0 0.0.0.0 {peer} name DEFAULT-{ttype}")
        out.append(f"ip route 10.0.0.0 255.0.0.0 {wan_peer(d, 0)[2]} name PRD-INTRANET")
    out.append("!")
    return out


def acls(d: Device) -> list[str]:
    ranges = [net(r) for r in d.approved.get("management_ranges", ["10.10.0.0/24"])]
    out = ["ip access-list standard ACL-MGMT"]
    out += [f" {10 * (i + 1)} permit {r.network_address} {r.hostmask}" for i, r in enumerate(ranges)]
    out += [
        f" {10 * (len(ranges) + 1)} permit {net(d.site.get('mgmt_subnet', '10.255.0.0/24')).network_address} "
        f"{net(d.site.get('mgmt_subnet', '10.255.0.0/24')).hostmask}",
        " 90 deny   any log",
        "ip access-list standard ACL-SNMP",
        " 10 permit 10.10.0.31",
        " 20 deny   any log",
    ]
    if d.host.role == "wan_router":
        lan = net((d.site.get("subnets") or ["10.255.0.0/16"])[0])
        out += [
            "!",
            "ip access-list extended ACL-WAN-IN",
            " 10 deny   ip 0.0.0.0 0.255.255.255 any log",
            " 20 deny   ip 127.0.0.0 0.255.255.255 any log",
            f" 30 deny   ip {wildcard(lan)} any log",
            " 40 deny   ip 169.254.0.0 0.0.255.255 any log",
            " 50 deny   ip 224.0.0.0 31.255.255.255 any log",
            " 60 permit tcp any any eq bgp",
            " 70 permit tcp any eq bgp any",
            " 80 permit esp any any",
            " 90 permit udp any any eq isakmp",
            " 100 permit udp any any eq non500-isakmp",
            " 110 permit icmp any any echo-reply",
            " 120 permit icmp any any ttl-exceeded",
            " 130 permit icmp any any unreachable",
            " 140 permit ip 10.0.0.0 0.255.255.255 any",
            " 150 deny   ip any any log",
            "!",
            f"ip prefix-list PL-MPLS-OUT seq 5 permit {lan}",
            "ip prefix-list PL-MPLS-OUT seq 100 deny 0.0.0.0/0 le 32",
        ]
        if d.kind == "cloud":
            out.append(f"ip prefix-list PL-CLOUD-OUT seq 5 permit {lan}")
    out.append("!")
    return out


def logging_snmp(d: Device, source: str) -> list[str]:
    n = d.host.name
    out: list[str] = []
    if not d.has("no_remote_log"):
        out += [f"logging source-interface {source}"]
        if d.has("syslog_wrong_host"):
            out.append("logging host 192.168.1.250")  # the old provincial syslog box, long gone
        else:
            out += [f"logging host {h}" for h in d.approved.get("syslog_servers", [])]
        out.append("logging trap informational")
    out += ["!", "!"]
    if d.has("snmp_public"):
        out += ["snmp-server community public RO", "snmp-server community private RW"]
    else:
        out += [
            "snmp-server group PRD-SNMP v3 priv read SNMP-RO access ACL-SNMP",
            "snmp-server view SNMP-RO iso included",
        ]
    out += [
        f"snmp-server location {d.site.get('province', '')}, {d.site.get('name_en', '')}",
        f"snmp-server contact {d.site.get('owner', {}).get('email', 'noc@prd-demo.example')}",
        "snmp-server ifindex persist",
        "snmp-server enable traps snmp authentication linkdown linkup coldstart warmstart",
        "snmp-server enable traps config",
        "snmp-server enable traps syslog",
    ]
    if d.has("snmp_public"):
        out.append("snmp-server host 10.10.0.31 version 2c public")
    else:
        # the redactor cannot tell a v3 user name from a v2c community here, so it hides it too
        out.append(f"snmp-server host 10.10.0.31 version 3 priv {red(n, 'snmp-user')}")
    out.append("!")
    if not d.has("no_aaa"):
        for i, srv in enumerate(d.approved.get("aaa_servers", []), 1):
            out += [f"tacacs server TACACS-{i}", f" address ipv4 {srv}", f" key 7 {red(n, f'tacacs{i}')}", " timeout 5"]
        out.append("!")
    return out


def banner(d: Device) -> list[str]:
    if d.has("no_banner"):
        return []
    b = d.approved.get("banner", {})
    text = [*wrap(b.get("th", ""), 70), "", *wrap(b.get("en", ""), 70)]
    out = []
    if d.kind in ("hq", "cloud") or d.rng.random() < 0.5:
        out += [
            "banner exec ^C",
            f"{d.host.name}: {d.site.get('name_en', '')}. Changes need an approved change request.",
            "^C",
        ]
    if d.kind != "provincial" or d.rng.random() < 0.3:
        out += ["banner login ^C", *text, "^C"]
    return [*out, "banner motd ^C", *text, "^C", "!"]


def wrap(text: str, width: int) -> list[str]:
    words, lines, cur = text.split(), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    return [*lines, cur] if cur else lines


def lines_ntp_archive(d: Device, source: str) -> list[str]:
    n = d.host.name
    out = [
        "line con 0",
        " exec-timeout 0 0" if d.has("long_exec_timeout") else " exec-timeout 5 0",
        " logging synchronous",
        " stopbits 1",
    ]
    if d.host.role == "wan_router" and d.kind != "cloud":
        out += ["line aux 0"] + (
            ["  exec-timeout 0 0"]
            if d.has("aux_exec")
            else [" no exec", " transport input none", " transport output none"]
        )
    out.append("line vty 0 4")
    vty_body = []
    if not d.has("no_vty_acl"):
        vty_body.append(" access-class ACL-MGMT in" + (" vrf-also" if d.xe else ""))
    vty_body.append(" exec-timeout 30 0" if d.has("long_exec_timeout") else " exec-timeout 10 0")
    if d.has("no_aaa"):
        vty_body.append(f" password 7 {red(n, 'vty')}")
        vty_body.append(" login local" if d.rng.random() < 0.6 else " login")
    else:
        vty_body.append(" login authentication VTY-AUTH")
    vty_body.append(" logging synchronous")
    vty_body.append(" transport preferred none")
    telnet = d.has("telnet_vty")
    vty_body.append(" transport input telnet ssh" if telnet else " transport input ssh")
    vty_body.append(" transport output none")
    out += vty_body
    out += ["line vty 5 15"] + [ln for ln in vty_body if "transport input" not in ln]
    out.append(
        " transport input all"
        if telnet and d.rng.random() < 0.5
        else " transport input telnet ssh"
        if telnet
        else " transport input ssh"
    )
    out.append("!")
    if not d.has("no_ntp"):
        auth = not d.has("ntp_noauth")
        if auth:
            out += [f"ntp authentication-key 1 md5 {red(n, 'ntp1')} 7", "ntp authenticate", "ntp trusted-key 1"]
        out.append(f"ntp source {source}")
        for i, srv in enumerate(d.approved.get("ntp_servers", [])):
            out.append(f"ntp server {srv}" + (" key 1" if auth else "") + (" prefer" if i == 0 else ""))
        out.append("!")
    if not d.has("no_archive_log"):
        out += [
            "archive",
            " log config",
            "  logging enable",
            "  logging size 500",
            "  notify syslog contenttype plaintext",
            "  hidekeys",
            f" path {'bootflash' if d.xe else 'flash'}:archive/$h-",
            " write-memory",
            " time-period 1440",
            "!",
        ]
    out += ["!", "!", "end"]
    return out


def ios_router(d: Device) -> str:
    src = "Loopback0"
    body = (
        ios_common_top(d)
        + ["license udi pid " + router_model(d)[0] + " sn " + serial(d)]
        + (
            ["license boot level network-advantage addon dna-advantage"]
            if d.xe
            else ["license boot module c2900 technology-package securityk9"]
        )
        + [
            "memory free low-watermark processor 68484",
            "!",
            "diagnostic bootup level minimal",
            "!",
            "spanning-tree extend system-id",
            "!",
        ]
        + ios_users(d)
        + (["redundancy", " mode none", "!"] if d.xe else [])
        + crypto_ipsec(d)
        + ios_ssh(d, src)
        + router_interfaces(d)
        + router_routing(d)
        + ios_ssh_tail(d)
        + acls(d)
        + logging_snmp(d, src)
        + ["control-plane", "!"]
        + banner(d)
        + lines_ntp_archive(d, src)
    )
    head = ios_header(d, 0)
    return render(head, body)


def ios_ssh_tail(d: Device) -> list[str]:
    return ["ip ssh logging events", "!"] if d.xe else ["!"]


def crypto_ipsec(d: Device) -> list[str]:
    if d.kind != "cloud":
        return []
    n = d.host.name
    return [
        "crypto ikev2 proposal PRD-IKEV2",
        " encryption aes-gcm-256",
        " prf sha384",
        " group 20",
        "!",
        "crypto ikev2 policy PRD-IKEV2",
        " proposal PRD-IKEV2",
        "!",
        "crypto ikev2 keyring PRD-KEYRING",
        " peer BKK-HQ",
        "  address 203.0.113.10",
        f"  pre-shared-key local {red(n, 'psk-local')}",
        f"  pre-shared-key remote {red(n, 'psk-remote')}",
        " !",
        "!",
        "crypto ikev2 profile PRD-IKEV2",
        " match identity remote address 203.0.113.10 255.255.255.255",
        " authentication remote pre-share",
        " authentication local pre-share",
        " keyring local PRD-KEYRING",
        "!",
        "crypto ipsec transform-set PRD-TS esp-gcm 256",
        " mode tunnel",
        "!",
        "crypto ipsec profile PRD-IPSEC",
        " set transform-set PRD-TS",
        " set ikev2-profile PRD-IKEV2",
        "!",
    ]


def render(head: list[str], body: list[str]) -> str:
    text = "\n".join(head[2:] + body) + "\n"
    size = len(text.encode())
    head[2] = f"Current configuration : {size} bytes"
    return "\n".join(head + body) + "\n"


def ios_switch(d: Device) -> str:
    core = d.host.role == "core_switch"
    mgmt = net(d.site.get("mgmt_subnet") or "10.255.0.0/24")
    lan = net((d.site.get("subnets") or ["10.255.0.0/16"])[0])
    src = f"Vlan{MGMT_VLAN}"
    body = ios_common_top(d) + ios_users(d)
    if d.xe:
        body += [
            "!",
            "license boot level network-advantage addon dna-advantage",
            "!",
            "diagnostic bootup level minimal",
            "!",
        ]
    body += [
        "spanning-tree mode rapid-pvst",
        "spanning-tree portfast bpduguard default",
        "spanning-tree extend system-id",
        "!",
        "!",
        "vlan internal allocation policy ascending",
        "!",
    ]
    vlans = [(10, "STAFF"), (20, "VOICE"), (30, "PRINTERS"), (MGMT_VLAN, "MGMT"), (999, "PARKING")]
    if core:
        vlans += [(100, "SERVERS-DMZ"), (110, "SERVERS-APP"), (120, "SERVERS-DB")]
    for vid, name in sorted(vlans):
        body += [f"vlan {vid}", f" name {name}", "!"]
    body += [*ios_ssh(d, src), "!", "!", "!"]
    ports = 48 if core else 24
    prefix = "TenGigabitEthernet1/0/" if core else "GigabitEthernet1/0/"
    for p in range(1, ports + 1):
        iface = f"{prefix}{p}"
        if p <= (4 if core else 2):
            body += [
                f"interface {iface}",
                f" description {'Uplink to router' if p == 1 else 'Trunk'}",
                " switchport trunk allowed vlan 10,20,30,99" + (",100,110,120" if core else ""),
                " switchport mode trunk",
                " ip dhcp snooping trust",
                "!",
            ]
        elif p > ports - 4 and not core:
            body += [
                f"interface {iface}",
                " description UNUSED",
                " switchport access vlan 999",
                " switchport mode access",
                " shutdown",
                "!",
            ]
        else:
            vlan = (100 + 10 * (p % 3)) if core else (10 if p % 6 else 30)
            body += [f"interface {iface}", f" switchport access vlan {vlan}", " switchport mode access"]
            if not core and p % 6:
                body.append(" switchport voice vlan 20")
            body += [" spanning-tree portfast", "!"] if not core else ["!"]
    if not core:
        body += [
            "interface GigabitEthernet1/0/25",
            " shutdown",
            "!",
            "interface GigabitEthernet1/0/26",
            " shutdown",
            "!",
            "interface GigabitEthernet1/0/27",
            " shutdown",
            "!",
            "interface GigabitEthernet1/0/28",
            " shutdown",
            "!",
        ]
    body += [
        "interface Vlan1",
        " no ip address",
        " shutdown",
        "!",
        f"interface Vlan{MGMT_VLAN}",
        " description Management",
        f" ip address {d.host.address} {mgmt.netmask}",
        " no ip redirects",
        " no ip proxy-arp",
        "!",
    ]
    if core:
        for vid, _ in vlans[:3] + vlans[5:]:
            gw = ipaddress.IPv4Address(int(lan.network_address) + (vid << 8) + 1)
            body += [
                f"interface Vlan{vid}",
                f" ip address {gw} 255.255.255.0",
                " no ip redirects",
                " no ip unreachables",
                " no ip proxy-arp",
                "!",
            ]
        body += [
            "router ospf 10",
            f" router-id {d.host.address}",
            " area 0 authentication message-digest",
            " passive-interface default",
            " no passive-interface TenGigabitEthernet1/0/1",
            f" network {wildcard(lan)} area 0",
            "!",
        ]
    else:
        body += [f"ip default-gateway {mgmt.network_address + 1}"]
    body += ["ip forward-protocol nd"]
    body += (
        ["ip http server", "ip http secure-server"]
        if d.has("http_server")
        else ["no ip http server", "no ip http secure-server"]
    )
    body += ["!", *acls(d), *logging_snmp(d, src), "!", "control-plane", "!", *banner(d), *lines_ntp_archive(d, src)]
    return render(ios_header(d, 0), body)


def router_model(d: Device) -> tuple[str, str]:
    if d.kind == "cloud":
        return "C8000V", "c8000v"
    if d.xe:
        return ("ISR4451-X/K9", "isr4400") if d.kind == "hq" else ("ISR4331/K9", "isr4300")
    return "CISCO2901/K9", "c2900"


def serial(d: Device) -> str:
    prefix = "FOC" if d.host.role != "wan_router" else "FDO" if d.xe else "FGL"
    return prefix + str(2000 + int(token(d.host.name, "sn-y", 3), 16) % 500) + token(d.host.name, "sn", 4).upper()


def uptime(d: Device) -> str:
    r = d.rng
    parts = []
    if years := r.choice([0, 0, 0, 1, 2]):
        parts.append(f"{years} year{'s' if years > 1 else ''}")
    parts += [
        f"{r.randint(1, 51)} weeks",
        f"{r.randint(1, 6)} days",
        f"{r.randint(1, 23)} hours",
        f"{r.randint(2, 59)} minutes",
    ]
    return ", ".join(parts)


def show_version(d: Device) -> str:
    n = d.host.name
    up = uptime(d)
    sn = serial(d)
    if d.xe:
        model, fam = (
            router_model(d)
            if d.host.role == "wan_router"
            else (("C9500-24Y4C", "cat9k") if d.host.role == "core_switch" else ("C9200L-24P-4G", "cat9k_lite"))
        )
        image = (
            f"bootflash:{fam}-universalk9.17.09.05.SPA.bin" if d.host.role == "wan_router" else "flash:packages.conf"
        )
        train = (
            "ISR Software (X86_64_LINUX_IOSD-UNIVERSALK9-M)"
            if d.host.role == "wan_router"
            else (
                "Catalyst L3 Switch Software (CAT9K_IOSXE)"
                if d.host.role == "core_switch"
                else "Catalyst L3 Switch Software (CAT9K_LITE_IOSXE)"
            )
        )
        if d.kind == "cloud":
            train = "Virtual XE Software (X86_64_LINUX_IOSD-UNIVERSALK9-M)"
        return f"""Cisco IOS XE Software, Version 17.09.05
Cisco IOS Software [Cupertino], {train}, Version 17.9.5, RELEASE SOFTWARE (fc4)
Technical Support: http://www.cisco.com/techsupport
Copyright (c) 1986-2024 by Cisco Systems, Inc.
Compiled Wed 24-Jan-24 06:41 by mcpre


Cisco IOS-XE software, Copyright (c) 2005-2024 by cisco Systems, Inc.
All rights reserved.  Certain components of Cisco IOS-XE software are
licensed under the GNU General Public License ("GPL") Version 2.0.  The
software code licensed under GPL Version 2.0 is free software that comes
with ABSOLUTELY NO WARRANTY.  You can redistribute and/or modify such
GPL code under the terms of GPL Version 2.0.  For more details, see the
documentation or "License Notice" file accompanying the IOS-XE software,
or the applicable URL provided on the flyer accompanying the IOS-XE
software.


ROM: 17.3(1r)

{n} uptime is {up}
Uptime for this control processor is {up}
System returned to ROM by Reload Command
System image file is "{image}"
Last reload reason: Reload Command



This product contains cryptographic features and is subject to United
States and local country laws governing import, export, transfer and
use. Delivery of Cisco cryptographic products does not imply
third-party authority to import, export, distribute or use encryption.
Importers, exporters, distributors and users are responsible for
compliance with U.S. and local country laws. By using this product you
agree to comply with applicable laws and regulations. If you are unable
to comply with U.S. and local laws, return this product immediately.


Technology Package License Information:

-----------------------------------------------------------------
Technology    Type         Technology-package   Technology-package
                           Current              Next Reboot
-----------------------------------------------------------------
network-advantage   Smart License   network-advantage    network-advantage
dna-advantage       Subscription Smart License  dna-advantage  dna-advantage


Smart Licensing Using Policy: Status: ENABLED

cisco {model} (1RU) processor with 1795979K/6147K bytes of memory.
Processor board ID {sn}
Router operating mode: Autonomous
4 Gigabit Ethernet interfaces
32768K bytes of non-volatile configuration memory.
4194304K bytes of physical memory.
3223551K bytes of flash memory at bootflash:.

Configuration register is 0x2102
"""
    if d.host.role == "wan_router":
        return f"""Cisco IOS Software, C2900 Software (C2900-UNIVERSALK9-M), Version 15.7(3)M8, RELEASE SOFTWARE (fc2)
Technical Support: http://www.cisco.com/techsupport
Copyright (c) 1986-2021 by Cisco Systems, Inc.
Compiled Thu 07-Jan-21 04:29 by prod_rel_team

ROM: System Bootstrap, Version 15.0(1r)M16, RELEASE SOFTWARE (fc1)

{n} uptime is {up}
System returned to ROM by power-on
System image file is "flash0:c2900-universalk9-mz.SPA.157-3.M8.bin"
Last reload type: Normal Reload
Last reload reason: power-on



This product contains cryptographic features and is subject to United
States and local country laws governing import, export, transfer and
use. Delivery of Cisco cryptographic products does not imply
third-party authority to import, export, distribute or use encryption.
Importers, exporters, distributors and users are responsible for
compliance with U.S. and local country laws. By using this product you
agree to comply with applicable laws and regulations. If you are unable
to comply with U.S. and local laws, return this product immediately.

Cisco CISCO2901/K9 (revision 1.0) with 483328K/40960K bytes of memory.
Processor board ID {sn}
2 Gigabit Ethernet interfaces
1 Virtual Private Network (VPN) Module
DRAM configuration is 64 bits wide with parity enabled.
255K bytes of non-volatile configuration memory.
250880K bytes of ATA System CompactFlash 0 (Read/Write)


License Info:

License UDI:

-------------------------------------------------
Device#   PID                   SN
-------------------------------------------------
*1        CISCO2901/K9          {sn}



Technology Package License Information for Module:'c2900'

-----------------------------------------------------------------
Technology    Technology-package           Technology-package
              Current       Type           Next reboot
------------------------------------------------------------------
ipbase        ipbasek9      Permanent      ipbasek9
security      securityk9    Permanent      securityk9
uc            None          None           None
data          None          None           None

Configuration register is 0x2102
"""
    mac = ":".join(token(n, "mac", 12)[i : i + 2].upper() for i in range(0, 12, 2))
    return f"""Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version 15.2(7)E8, RELEASE SOFTWARE (fc1)
Technical Support: http://www.cisco.com/techsupport
Copyright (c) 1986-2023 by Cisco Systems, Inc.
Compiled Thu 09-Mar-23 02:46 by mcpre

ROM: Bootstrap program is C2960X boot loader
BOOTLDR: C2960X Boot Loader (C2960X-HBOOT-M) Version 15.2(7r)E, RELEASE SOFTWARE (fc1)

{n} uptime is {up}
System returned to ROM by power-on
System image file is "flash:c2960x-universalk9-mz.152-7.E8.bin"
Last reload reason: power-on



This product contains cryptographic features and is subject to United
States and local country laws governing import, export, transfer and
use. Delivery of Cisco cryptographic products does not imply
third-party authority to import, export, distribute or use encryption.
Importers, exporters, distributors and users are responsible for
compliance with U.S. and local country laws. By using this product you
agree to comply with applicable laws and regulations. If you are unable
to comply with U.S. and local laws, return this product immediately.

cisco WS-C2960X-24PS-L (APM86XXX) processor (revision V05) with 524288K bytes of memory.
Processor board ID {sn}
Last reset from power-on
1 Virtual Ethernet interface
1 FastEthernet interface
28 Gigabit Ethernet interfaces
The password-recovery mechanism is enabled.

512K bytes of flash-simulated non-volatile configuration memory.
Base ethernet MAC Address       : {mac}
Motherboard assembly number     : 73-16622-05
Power supply part number        : 341-0528-03
Motherboard serial number       : {sn}
Power supply serial number      : LIT{token(n, "psu", 8).upper()}
Model revision number           : V05
Motherboard revision number     : A0
Model number                    : WS-C2960X-24PS-L
System serial number            : {sn}
Top Assembly Part Number        : 68-100475-04
Top Assembly Revision Number    : A0
Version ID                      : V05
CLEI Code Number                : CMM1T00ARB
Hardware Board Revision Number  : 0x04


Switch Ports Model                     SW Version            SW Image
------ ----- -----                     ----------            ----------
*    1 28    WS-C2960X-24PS-L          15.2(7)E8             C2960X-UNIVERSALK9-M


Configuration register is 0xF
"""


def ios_sources(d: Device) -> dict[str, str]:
    cfg = ios_router(d) if d.host.role == "wan_router" else ios_switch(d)
    return {"running_config": cfg, "show_version": show_version(d)}


# --------------------------------------------------------------------------------------------
# Linux


@dataclass
class Server:
    host: Host
    kind: str
    org: Mapping[str, Any]
    gaps: set[str]
    rng: random.Random

    @property
    def os(self) -> str:
        return str(self.host.vars.get("prakan_os") or "debian12")

    @property
    def debian(self) -> bool:
        return self.host.vars.get("prakan_os_family", "debian") == "debian"

    @property
    def role(self) -> str:
        return self.host.role or ""

    @property
    def approved(self) -> Mapping[str, Any]:
        return self.org.get("prakan_approved", {})

    def has(self, gap: str) -> bool:
        return gap in self.gaps


OS_RELEASE = {
    "debian12": """PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
""",
    "ubuntu22.04": """PRETTY_NAME="Ubuntu 22.04.5 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.5 LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
UBUNTU_CODENAME=jammy
""",
    "rhel9": """NAME="Red Hat Enterprise Linux"
VERSION="9.4 (Plow)"
ID="rhel"
ID_LIKE="fedora"
VERSION_ID="9.4"
PLATFORM_ID="platform:el9"
PRETTY_NAME="Red Hat Enterprise Linux 9.4 (Plow)"
ANSI_COLOR="0;31"
LOGO="fedora-logo-icon"
CPE_NAME="cpe:/o:redhat:enterprise_linux:9::baseos"
HOME_URL="https://www.redhat.com/"
DOCUMENTATION_URL="https://access.redhat.com/documentation/en-us/red_hat_enterprise_linux/9"
BUG_REPORT_URL="https://bugzilla.redhat.com/"

REDHAT_BUGZILLA_PRODUCT="Red Hat Enterprise Linux 9"
REDHAT_BUGZILLA_PRODUCT_VERSION=9.4
REDHAT_SUPPORT_PRODUCT="Red Hat Enterprise Linux"
REDHAT_SUPPORT_PRODUCT_VERSION="9.4"
""",
    "rocky9": """NAME="Rocky Linux"
VERSION="9.4 (Blue Onyx)"
ID="rocky"
ID_LIKE="rhel centos fedora"
VERSION_ID="9.4"
PLATFORM_ID="platform:el9"
PRETTY_NAME="Rocky Linux 9.4 (Blue Onyx)"
ANSI_COLOR="0;32"
LOGO="fedora-logo-icon"
CPE_NAME="cpe:/o:rocky:rocky:9::baseos"
HOME_URL="https://rockylinux.org/"
BUG_REPORT_URL="https://bugs.rockylinux.org/"
SUPPORT_END="2032-05-31"
ROCKY_SUPPORT_PRODUCT="Rocky-Linux-9"
ROCKY_SUPPORT_PRODUCT_VERSION="9.4"
REDHAT_SUPPORT_PRODUCT="Rocky Linux"
REDHAT_SUPPORT_PRODUCT_VERSION="9.4"
""",
}

_KEX_92 = (
    "sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,"
    "ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,"
    "diffie-hellman-group18-sha512,diffie-hellman-group14-sha256"
)
_KEX_RH = (
    "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,"
    "diffie-hellman-group-exchange-sha256,diffie-hellman-group14-sha256,diffie-hellman-group16-sha512,"
    "diffie-hellman-group18-sha512"
)
_KEX_HARD = (
    "sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,"
    "diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group-exchange-sha256"
)
_CIPHERS = (
    "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com"
)
_CIPHERS_RH = "aes256-gcm@openssh.com,chacha20-poly1305@openssh.com,aes256-ctr,aes128-gcm@openssh.com,aes128-ctr"
_CIPHERS_HARD = "aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,aes192-ctr,aes128-ctr"
_MACS = (
    "umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,"
    "hmac-sha1-etm@openssh.com,umac-64@openssh.com,umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1"
)
_MACS_RH = (
    "hmac-sha2-256-etm@openssh.com,hmac-sha1-etm@openssh.com,umac-128-etm@openssh.com,"
    "hmac-sha2-512-etm@openssh.com,hmac-sha2-256,hmac-sha1,umac-128@openssh.com,hmac-sha2-512"
)
_MACS_HARD = "hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512,hmac-sha2-256"
_ALGS = (
    "ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,"
    "ecdsa-sha2-nistp384-cert-v01@openssh.com,ecdsa-sha2-nistp521-cert-v01@openssh.com,"
    "sk-ssh-ed25519-cert-v01@openssh.com,sk-ecdsa-sha2-nistp256-cert-v01@openssh.com,"
    "rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,ssh-ed25519,ecdsa-sha2-nistp256,"
    "ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,"
    "rsa-sha2-512,rsa-sha2-256"
)


def sshd_t(s: Server) -> str:
    """`sshd -T`: every effective keyword, lower-case, in OpenSSH's own order."""
    hard = not s.has("ssh_weak_misc")
    rh = not s.debian
    bastion = s.role == "bastion"
    root = "yes" if s.has("root_login") else "no" if (hard or s.kind != "regional") else "without-password"
    if rh and not hard and not s.has("root_login"):
        root = "no"
    kv: list[tuple[str, str]] = [
        ("port", "22"),
        ("addressfamily", "any" if not hard else "inet"),
        ("listenaddress", "[::]:22"),
        ("listenaddress", "0.0.0.0:22"),
        ("usepam", "yes"),
        ("logingracetime", "60" if hard else "120"),
        ("x11displayoffset", "10"),
        ("maxauthtries", "4" if hard else "6"),
        ("maxsessions", "10"),
        ("clientaliveinterval", "300" if hard else "0"),
        ("clientalivecountmax", "3"),
        ("streamlocalbindmask", "0177"),
        ("permitrootlogin", root),
        ("ignorerhosts", "yes"),
        ("ignoreuserknownhosts", "no"),
        ("hostbasedauthentication", "no"),
        ("hostbasedusesnamefrompacketonly", "no"),
        ("pubkeyauthentication", "yes"),
        ("kerberosauthentication", "no"),
        ("kerberosorlocalpasswd", "yes"),
        ("kerberosticketcleanup", "yes"),
        ("gssapiauthentication", "yes" if rh else "no"),
    ]
    if s.debian or rh:
        kv += [("gssapikeyexchange", "no")]
    kv += [
        ("gssapicleanupcredentials", "no" if rh else "yes"),
        ("gssapistrictacceptorcheck", "yes"),
        ("gssapistorecredentialsonrekey", "no"),
        ("passwordauthentication", "yes" if s.has("password_auth") else "no"),
        ("kbdinteractiveauthentication", "no"),
        ("printmotd", "no"),
        ("printlastlog", "yes"),
        ("x11forwarding", "no" if hard else "yes"),
        ("x11uselocalhost", "yes"),
        ("permittty", "yes"),
        ("permituserrc", "yes"),
        ("strictmodes", "yes"),
        ("tcpkeepalive", "yes"),
        ("permitemptypasswords", "no"),
        ("compression", "no" if hard else "yes"),
        ("gatewayports", "no"),
        ("usedns", "no"),
        ("allowtcpforwarding", "no" if hard and not bastion else "yes"),
        ("allowagentforwarding", "no" if hard else "yes"),
        ("disableforwarding", "yes" if hard and not bastion else "no"),
        ("allowstreamlocalforwarding", "no" if hard else "yes"),
        ("streamlocalbindunlink", "no"),
        ("fingerprinthash", "SHA256"),
        ("exposeauthinfo", "no"),
        ("pidfile", "/run/sshd.pid" if s.debian else "/var/run/sshd.pid"),
        ("modulifile", "/etc/ssh/moduli"),
        ("xauthlocation", "/usr/bin/xauth"),
        (
            "ciphers",
            (_CIPHERS_HARD if hard else _CIPHERS_RH if rh else _CIPHERS)
            + (",aes256-cbc,aes128-cbc" if s.has("ssh_cbc") else ""),
        ),
        ("macs", _MACS_HARD if hard else _MACS_RH if rh else _MACS),
        ("banner", "/etc/issue.net" if hard else "none"),
        ("forcecommand", "none"),
        ("chrootdirectory", "none"),
        ("trustedusercakeys", "none"),
        ("revokedkeys", "none"),
        ("securitykeyprovider", "internal"),
        ("authorizedprincipalsfile", "none"),
        ("versionaddendum", "none"),
        ("authorizedkeyscommand", "none"),
        ("authorizedkeyscommanduser", "none"),
        ("authorizedprincipalscommand", "none"),
        ("authorizedprincipalscommanduser", "none"),
        ("hostkeyagent", "none"),
        ("kexalgorithms", _KEX_HARD if hard else _KEX_RH if rh else _KEX_92),
        (
            "casignaturealgorithms",
            "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,"
            "sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,rsa-sha2-256",
        ),
        ("hostbasedacceptedalgorithms", _ALGS),
        ("hostkeyalgorithms", _ALGS),
        ("pubkeyacceptedalgorithms", _ALGS),
        ("loglevel", "VERBOSE" if hard else "INFO"),
        ("syslogfacility", "AUTHPRIV" if rh else "AUTH"),
        ("authorizedkeysfile", ".ssh/authorized_keys .ssh/authorized_keys2" if s.debian else ".ssh/authorized_keys"),
        ("hostkey", "/etc/ssh/ssh_host_rsa_key"),
        ("hostkey", "/etc/ssh/ssh_host_ecdsa_key"),
        ("hostkey", "/etc/ssh/ssh_host_ed25519_key"),
    ]
    if hard:
        kv += [("allowgroups", "sshusers")]
    kv += [("acceptenv", "LANG"), ("acceptenv", "LC_*")]
    if rh:
        kv += [("acceptenv", "LC_CTYPE"), ("acceptenv", "XMODIFIERS")]
    kv += [
        ("authenticationmethods", "any"),
        ("subsystem", "sftp /usr/lib/openssh/sftp-server" if s.debian else "sftp /usr/libexec/openssh/sftp-server"),
        ("maxstartups", "10:30:60" if hard else "10:30:100"),
        ("persourcemaxstartups", "none"),
        ("persourcenetblocksize", "32:128"),
        ("permittunnel", "no"),
        ("ipqos", "lowdelay throughput"),
        ("rekeylimit", "0 0"),
        ("permitopen", "any"),
        ("permitlisten", "any"),
        ("permituserenvironment", "no"),
        ("pubkeyauthoptions", "none"),
    ]
    if s.os == "debian12":
        kv += [("requiredrsasize", "1024"), ("channeltimeout", "none"), ("unusedconnectiontimeout", "none")]
    return "".join(f"{k} {v}\n" for k, v in kv)


def sysctl(s: Server) -> str:
    weak = s.has("sysctl_defaults")
    values: dict[str, str] = {
        "abi.vsyscall32": "1",
        "crypto.fips_enabled": "0",
        "dev.tty.ldisc_autoload": "0" if not weak else "1",
        "fs.file-max": "9223372036854775807",
        "fs.inotify.max_user_watches": "122425",
        "fs.protected_fifos": "2" if not weak else "1",
        "fs.protected_hardlinks": "1",
        "fs.protected_regular": "2",
        "fs.protected_symlinks": "1",
        "fs.suid_dumpable": "0" if not weak else "2" if not s.debian else "0",
        "kernel.core_pattern": "|/lib/systemd/systemd-coredump %P %u %g %s %t 9223372036854775808 %h"
        if not s.debian
        else "core",
        "kernel.core_uses_pid": "1",
        "kernel.ctrl-alt-del": "0",
        "kernel.dmesg_restrict": "1",
        "kernel.hostname": s.host.name,
        "kernel.kexec_load_disabled": "1" if not weak else "0",
        "kernel.kptr_restrict": "1" if weak else "2",
        "kernel.modules_disabled": "0",
        "kernel.ngroups_max": "65536",
        "kernel.osrelease": {"debian12": "6.1.0-27-amd64", "ubuntu22.04": "5.15.0-125-generic"}.get(
            s.os, "5.14.0-427.42.1.el9_4.x86_64"
        ),
        "kernel.panic": "0",
        "kernel.perf_event_paranoid": "3" if s.debian else "2",
        "kernel.pid_max": "4194304",
        "kernel.printk": "4\t4\t1\t7",
        "kernel.randomize_va_space": "2",
        "kernel.sysrq": "0" if not weak else "438" if s.debian else "16",
        "kernel.unprivileged_bpf_disabled": "2",
        "kernel.yama.ptrace_scope": "1" if not weak else "0" if not s.debian else "1",
        "net.core.bpf_jit_harden": "2" if not weak else "0",
        "net.core.default_qdisc": "fq_codel",
        "net.core.netdev_max_backlog": "1000",
        "net.core.rmem_max": "212992",
        "net.core.somaxconn": "4096",
        "net.core.wmem_max": "212992",
    }
    for scope in ("all", "default", "lo", "ens192"):
        values |= {
            f"net.ipv4.conf.{scope}.accept_redirects": "1" if weak and scope != "all" else "0",
            f"net.ipv4.conf.{scope}.accept_source_route": "0",
            f"net.ipv4.conf.{scope}.arp_ignore": "0",
            f"net.ipv4.conf.{scope}.forwarding": "0",
            f"net.ipv4.conf.{scope}.log_martians": "0" if weak else "1",
            f"net.ipv4.conf.{scope}.rp_filter": ("2" if weak else "1") if scope != "lo" else "0",
            f"net.ipv4.conf.{scope}.secure_redirects": "1" if weak else "0",
            f"net.ipv4.conf.{scope}.send_redirects": "1" if weak else "0",
        }
    values |= {
        "net.ipv4.icmp_echo_ignore_broadcasts": "1",
        "net.ipv4.icmp_ignore_bogus_error_responses": "1",
        "net.ipv4.icmp_ratelimit": "1000",
        "net.ipv4.ip_default_ttl": "64",
        "net.ipv4.ip_forward": "0",  # none of the sample servers routes packets
        "net.ipv4.ip_local_port_range": "32768\t60999",
        "net.ipv4.tcp_congestion_control": "cubic",
        "net.ipv4.tcp_fin_timeout": "60",
        "net.ipv4.tcp_keepalive_time": "7200",
        "net.ipv4.tcp_max_syn_backlog": "512",
        "net.ipv4.tcp_rfc1337": "1" if not weak else "0",
        "net.ipv4.tcp_syncookies": "1",
        "net.ipv4.tcp_timestamps": "1",
    }
    for scope in ("all", "default", "ens192"):
        values |= {
            f"net.ipv6.conf.{scope}.accept_ra": "1" if weak else "0",
            f"net.ipv6.conf.{scope}.accept_redirects": "1" if weak else "0",
            f"net.ipv6.conf.{scope}.accept_source_route": "0",
            f"net.ipv6.conf.{scope}.disable_ipv6": "0",
            f"net.ipv6.conf.{scope}.forwarding": "0",
        }
    values |= {
        "net.ipv6.route.max_size": "2147483647",
        "user.max_user_namespaces": "15089",
        "vm.max_map_count": "65530",
        "vm.mmap_min_addr": "65536",
        "vm.overcommit_memory": "0",
        "vm.swappiness": "10" if s.role == "database" else "60",
    }
    return "".join(f"{k} = {v}\n" for k, v in sorted(values.items()))


def files(parts: Mapping[str, str]) -> str:
    """The `files:` source format: each existing file under a `### path` header."""
    return "".join(f"### {path}\n{body.rstrip(chr(10))}\n" for path, body in parts.items())


def login_defs(s: Server) -> str:
    weak = s.has("weak_login_defs") or s.has("no_pw_aging")
    max_days, min_days = ("99999", "0") if weak else ("90", "1")
    umask = "022" if s.has("weak_login_defs") else "027"
    enc = "SHA512" if not s.debian else "YESCRYPT" if s.os == "debian12" else "SHA512"
    if s.has("weak_login_defs") and s.rng.random() < 0.4:
        enc = "MD5"
    body = f"""#
# /etc/login.defs - Configuration control definitions for the login package.
#
MAIL_DIR        /var/mail
FAILLOG_ENAB		yes
LOG_UNKFAIL_ENAB	no
LOG_OK_LOGINS		{"yes" if not weak else "no"}
SYSLOG_SU_ENAB		yes
SYSLOG_SG_ENAB		yes
FTMP_FILE	/var/log/btmp
SU_NAME		su
HUSHLOGIN_FILE	.hushlogin
ENV_SUPATH	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
ENV_PATH	PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games
TTYGROUP	tty
TTYPERM		0600
ERASECHAR	0177
KILLCHAR	025
UMASK		{umask}
HOME_MODE	0700
#
# Password aging controls:
#
PASS_MAX_DAYS	{max_days}
PASS_MIN_DAYS	{min_days}
PASS_WARN_AGE	7
UID_MIN			 1000
UID_MAX			60000
SYS_UID_MIN		  100
SYS_UID_MAX		  999
GID_MIN			 1000
GID_MAX			60000
SYS_GID_MIN		  100
SYS_GID_MAX		  999
LOGIN_RETRIES		5
LOGIN_TIMEOUT		60
CHFN_RESTRICT		rwh
DEFAULT_HOME	yes
USERGROUPS_ENAB yes
ENCRYPT_METHOD {enc}
"""
    if enc == "SHA512":
        body += "SHA_CRYPT_MIN_ROUNDS 5000\n" if weak else "SHA_CRYPT_MIN_ROUNDS 65536\n"
    if not s.debian:
        body = (
            body.replace("MAIL_DIR        /var/mail", "MAIL_DIR        /var/spool/mail")
            .replace("SYS_UID_MIN		  100", "SYS_UID_MIN		  201")
            .replace("SYS_GID_MIN		  100", "SYS_GID_MIN		  201")
        )
        body += "CREATE_HOME	yes\nHMAC_CRYPTO_ALGO SHA512\n"
    return files({"/etc/login.defs": body})


def pwquality(s: Server) -> str:
    if s.has("no_pwquality"):
        if s.debian:
            return ""  # libpam-pwquality not installed: no file at all
        return files(
            {
                "/etc/security/pwquality.conf": "# Configuration for systemwide password quality limits\n"
                "# minlen = 8\n# minclass = 0\n# dictcheck = 1\n"
            }
        )
    body = "# Configuration for systemwide password quality limits\n# Defaults:\n#\n# difok = 1\n# minlen = 8\n"
    return files(
        {
            "/etc/security/pwquality.conf": body,
            "/etc/security/pwquality.conf.d/50-prakan.conf": "# Managed by Ansible (role linux_hardening)\nminlen = 14\nminclass = 4\nmaxrepeat = 3\n"
            "maxsequence = 3\ndifok = 2\ndictcheck = 1\nenforcing = 1\nenforce_for_root\nretry = 3\n",
        }
    )


def faillock_conf(s: Server) -> str:
    body = (
        "# Configuration for locking the user after multiple failed\n# authentication attempts.\n#\n"
        "# The directory where the user files with the failure records are kept.\n# dir = /var/run/faillock\n"
        "#\n# Will log the user name into the system log if the user is not found.\n# audit\n#\n"
        "# Don't print informative messages.\n# silent\n#\n# deny = 3\n# fail_interval = 900\n"
        "# unlock_time = 600\n# even_deny_root\n# root_unlock_time = 900\n"
    )
    if not s.has("no_faillock"):
        body += "audit\nsilent\ndeny = 5\nfail_interval = 900\nunlock_time = 900\n"
    return files({"/etc/security/faillock.conf": body})


def pwhistory_conf(s: Server) -> str:
    body = (
        "# Configuration for remembering the last passwords used by a user.\n#\n"
        "# Enable this option to also enforce the history for the root user.\n# enforce_for_root\n#\n"
        "# The number of last passwords to remember.\n# remember = 10\n#\n# retry = 1\n"
    )
    if not s.has("no_faillock"):
        body += "enforce_for_root\nremember = 24\n"
    return files({"/etc/security/pwhistory.conf": body})


def pam(s: Server) -> str:
    nullok = " nullok" if s.has("nullok") else ""
    faillock = not s.has("no_faillock")
    pwq = not s.has("no_pwquality")
    if s.debian:
        pw = []
        if pwq:
            pw.append("password\trequisite\t\t\tpam_pwquality.so retry=3")
        if not s.has("no_faillock"):
            pw.append("password\trequired\t\t\tpam_pwhistory.so remember=24 enforce_for_root use_authtok")
        algo = "yescrypt" if s.os == "debian12" else "sha512"
        pw += [
            f"password\t[success=1 default=ignore]\tpam_unix.so obscure{' use_authtok try_first_pass' if pwq else ''} {algo}",
            "password\trequisite\t\t\tpam_deny.so",
            "password\trequired\t\t\tpam_permit.so",
        ]
        auth = []
        if faillock:
            auth.append("auth\trequired\t\t\tpam_faillock.so preauth silent deny=5 unlock_time=900")
        auth.append(f"auth\t[success={'2' if faillock else '1'} default=ignore]\tpam_unix.so{nullok}")
        if faillock:
            auth.append("auth\t[default=die]\t\t\tpam_faillock.so authfail deny=5 unlock_time=900")
        auth += ["auth\trequisite\t\t\tpam_deny.so", "auth\trequired\t\t\tpam_permit.so"]
        if faillock:
            auth.append("auth\toptional\t\t\tpam_faillock.so authsucc")
        head = (
            "#\n# /etc/pam.d/common-{0} - {0}-related modules common to all services\n#\n"
            '# here are the per-package modules (the "Primary" block)\n'
        )
        return files(
            {
                "/etc/pam.d/common-password": head.format("password") + "\n".join(pw) + "\n",
                "/etc/pam.d/common-auth": head.format("auth") + "\n".join(auth) + "\n",
            }
        )
    out: dict[str, str] = {}
    for name in ("system-auth", "password-auth"):
        lines = [
            "# Generated by authselect",
            "# Do not modify this file manually, use authselect instead.",
            "",
            "auth        required                                     pam_env.so",
            "auth        required                                     pam_faildelay.so delay=2000000",
        ]
        if faillock:
            lines.append("auth        required                                     pam_faillock.so preauth silent")
        lines += [
            "auth        [default=1 ignore=ignore success=ok]         pam_usertype.so isregular",
            "auth        [default=1 ignore=ignore success=ok]         pam_localuser.so",
            f"auth        sufficient                                   pam_unix.so{nullok}",
            "auth        [default=1 ignore=ignore success=ok]         pam_usertype.so isregular",
            "auth        sufficient                                   pam_sss.so forward_pass",
        ]
        if faillock:
            lines.append("auth        required                                     pam_faillock.so authfail")
        lines += ["auth        required                                     pam_deny.so", ""]
        if faillock:
            lines.append("account     required                                     pam_faillock.so")
        lines += [
            "account     required                                     pam_unix.so",
            "account     sufficient                                   pam_localuser.so",
            "account     sufficient                                   pam_usertype.so issystem",
            "account     [default=bad success=ok user_unknown=ignore] pam_sss.so",
            "account     required                                     pam_permit.so",
            "",
        ]
        if pwq:
            lines.append("password    requisite                                    pam_pwquality.so local_users_only")
            lines.append(
                "password    required                                     pam_pwhistory.so use_authtok remember=24 enforce_for_root"
            )
        lines += [
            f"password    sufficient                                   pam_unix.so sha512 shadow{nullok} use_authtok",
            "password    [success=1 default=ignore]                   pam_localuser.so",
            "password    sufficient                                   pam_sss.so use_authtok",
            "password    required                                     pam_deny.so",
            "",
            "session     optional                                     pam_keyinit.so revoke",
            "session     required                                     pam_limits.so",
            "-session    optional                                     pam_systemd.so",
            "session     [success=1 default=ignore]                   pam_succeed_if.so service in crond quiet use_uid",
            "session     required                                     pam_unix.so",
            "session     optional                                     pam_sss.so",
        ]
        out[f"/etc/pam.d/{name}"] = "\n".join(lines) + "\n"
    return files(out)


def _users(s: Server) -> list[tuple[str, str, str, str, str, str]]:
    """(name, uid, gid, gecos, home, shell) of the host's accounts."""
    nologin = "/usr/sbin/nologin" if s.debian else "/sbin/nologin"
    if s.debian:
        sys_users = [
            ("root", "0", "0", "root", "/root", "/bin/bash"),
            ("daemon", "1", "1", "daemon", "/usr/sbin", nologin),
            ("bin", "2", "2", "bin", "/bin", nologin),
            ("sys", "3", "3", "sys", "/dev", nologin),
            ("sync", "4", "65534", "sync", "/bin", "/bin/sync"),
            ("games", "5", "60", "games", "/usr/games", nologin),
            ("man", "6", "12", "man", "/var/cache/man", nologin),
            ("lp", "7", "7", "lp", "/var/spool/lpd", nologin),
            ("mail", "8", "8", "mail", "/var/mail", nologin),
            ("news", "9", "9", "news", "/var/spool/news", nologin),
            ("uucp", "10", "10", "uucp", "/var/spool/uucp", nologin),
            ("proxy", "13", "13", "proxy", "/bin", nologin),
            ("www-data", "33", "33", "www-data", "/var/www", nologin),
            ("backup", "34", "34", "backup", "/var/backups", nologin),
            ("list", "38", "38", "Mailing List Manager", "/var/list", nologin),
            ("irc", "39", "39", "ircd", "/run/ircd", nologin),
            ("_apt", "42", "65534", "", "/nonexistent", nologin),
            ("nobody", "65534", "65534", "nobody", "/nonexistent", nologin),
            ("systemd-network", "998", "998", "systemd Network Management", "/", nologin),
            ("messagebus", "100", "107", "", "/nonexistent", nologin),
            ("sshd", "101", "65534", "", "/run/sshd", nologin),
            ("_chrony", "102", "109", "Chrony daemon,,,", "/var/lib/chrony", nologin),
        ]
    else:
        sys_users = [
            ("root", "0", "0", "root", "/root", "/bin/bash"),
            ("bin", "1", "1", "bin", "/bin", nologin),
            ("daemon", "2", "2", "daemon", "/sbin", nologin),
            ("adm", "3", "4", "adm", "/var/adm", nologin),
            ("lp", "4", "7", "lp", "/var/spool/lpd", nologin),
            ("sync", "5", "0", "sync", "/sbin", "/bin/sync"),
            ("shutdown", "6", "0", "shutdown", "/sbin", "/sbin/shutdown"),
            ("halt", "7", "0", "halt", "/sbin", "/sbin/halt"),
            ("mail", "8", "12", "mail", "/var/spool/mail", nologin),
            ("operator", "11", "0", "operator", "/root", nologin),
            ("games", "12", "100", "games", "/usr/games", nologin),
            ("ftp", "14", "50", "FTP User", "/var/ftp", nologin),
            ("nobody", "65534", "65534", "Kernel Overflow User", "/", nologin),
            ("systemd-coredump", "999", "997", "systemd Core Dumper", "/", nologin),
            ("dbus", "81", "81", "System message bus", "/", nologin),
            ("polkitd", "998", "996", "User for polkitd", "/", nologin),
            ("tss", "59", "59", "Account used for TPM access", "/dev/null", nologin),
            ("sssd", "997", "994", "User for sssd", "/", nologin),
            ("chrony", "996", "993", "chrony system user", "/var/lib/chrony", nologin),
            ("sshd", "74", "74", "Privilege-separated SSH", "/usr/share/empty.sshd", nologin),
        ]
    role_users = {
        "database": [("mysql", "27", "27", "MySQL Server", "/var/lib/mysql", nologin)],
        "web": [],
        "syslog": [],
        "file": [("nfsnobody", "65533", "65533", "", "/var/lib/nfs", nologin)],
    }
    people = [
        ("netadmin", "1000", "1000", "Network administrators (shared break-glass),,,", "/home/netadmin", "/bin/bash"),
        ("prakan", "1001", "1001", "Prakan compliance scanner,,,", "/home/prakan", "/bin/bash"),
        ("somchai.j", "1002", "1002", "Somchai Jaidee,IT Centre,,", "/home/somchai.j", "/bin/bash"),
    ]
    extra: list[tuple[str, str, str, str, str, str]] = []
    if s.has("uid0_backdoor"):
        extra.append(("oper", "0", "0", "old backup operator", "/root", "/bin/bash"))
    if s.has("empty_password"):
        extra.append(("guest", "1003", "1003", "guest", "/home/guest", "/bin/bash"))
    return sys_users + role_users.get(s.role, []) + people + extra


def passwd(s: Server) -> str:
    return "".join(f"{n}:x:{u}:{g}:{c}:{h}:{sh}\n" for n, u, g, c, h, sh in _users(s))


def shadow(s: Server) -> str:
    aging = not s.has("no_pw_aging")
    out = []
    for name, uid, *_ in _users(s):
        if name == "root":
            out.append(f"root:{'*' if not s.debian else '!'}:20011:0:99999:7:::")
        elif int(uid) < 1000 and name not in ("oper", "nobody"):
            out.append(f"{name}:{'*' if s.debian else '!!'}:20011:0:99999:7:::")
        elif name == "nobody":
            out.append(f"{name}:*:20011:0:99999:7:::")
        elif name == "guest":
            out.append("guest::19870:0:99999:7:::")
        else:
            mx, mn, inactive = ("90", "1", "30") if aging else ("99999", "0", "")
            last = 20340 - int(token(s.host.name, "chg" + name, 2), 16) % 80
            out.append(f"{name}:{shadow_hash(s.host.name, name)}:{last}:{mn}:{mx}:7:{inactive}::")
    return "\n".join(out) + "\n"


def file_permissions(s: Server) -> str:
    loose = s.has("loose_perms")
    shadow_grp = "shadow" if s.debian else "root"
    shadow_mode = ("640" if s.debian else "0") if not loose else "644"
    rows = [
        ("/etc/passwd", "644"),
        ("/etc/shadow", shadow_mode),
        ("/etc/group", "644"),
        ("/etc/gshadow", shadow_mode),
        ("/etc/ssh/sshd_config", "644" if loose else "600"),
        ("/etc/crontab", "644" if loose else "600"),
        ("/etc/sudoers", "440"),
        (
            "/boot/grub/grub.cfg" if s.debian else "/boot/grub2/grub.cfg",
            ("444" if s.debian else "600") if loose else "400" if s.debian else "600",
        ),
        ("/etc/login.defs", "644"),
        ("/etc/security/opasswd", "600"),
    ]
    out = []
    for path, mode in rows:
        group = shadow_grp if path in ("/etc/shadow", "/etc/gshadow") else "root"
        out.append(f"{path} {mode} root {group}")
    return "\n".join(out) + "\n"


AUDIT_RULES = """## Managed by Ansible (role linux_hardening): CIS 6.3.3 / NCSA logging of privileged actions
-w /etc/sudoers -p wa -k scope
-w /etc/sudoers.d -p wa -k scope
-a always,exit -F arch=b64 -C euid!=uid -F auid!=unset -S execve -k user_emulation
-a always,exit -F arch=b32 -C euid!=uid -F auid!=unset -S execve -k user_emulation
-w /var/log/sudo.log -p wa -k sudo_log_file
-a always,exit -F arch=b64 -S adjtimex,settimeofday,clock_settime -k time-change
-a always,exit -F arch=b32 -S adjtimex,settimeofday,clock_settime -k time-change
-w /etc/localtime -p wa -k time-change
-a always,exit -F arch=b64 -S sethostname,setdomainname -k system-locale
-a always,exit -F arch=b32 -S sethostname,setdomainname -k system-locale
-w /etc/issue -p wa -k system-locale
-w /etc/issue.net -p wa -k system-locale
-w /etc/hosts -p wa -k system-locale
-w /etc/hostname -p wa -k system-locale
-w /etc/network/ -p wa -k system-locale
-w /etc/NetworkManager/ -p wa -k system-locale
-w /etc/group -p wa -k identity
-w /etc/passwd -p wa -k identity
-w /etc/gshadow -p wa -k identity
-w /etc/shadow -p wa -k identity
-w /etc/security/opasswd -p wa -k identity
-w /etc/nsswitch.conf -p wa -k identity
-w /etc/pam.conf -p wa -k identity
-w /etc/pam.d -p wa -k identity
-w /var/log/lastlog -p wa -k logins
-w /var/run/faillock -p wa -k logins
-w /var/run/utmp -p wa -k session
-w /var/log/wtmp -p wa -k session
-w /var/log/btmp -p wa -k session
-a always,exit -F arch=b64 -S chmod,fchmod,fchmodat -F auid>=1000 -F auid!=unset -F key=perm_mod
-a always,exit -F arch=b64 -S chown,fchown,lchown,fchownat -F auid>=1000 -F auid!=unset -F key=perm_mod
-a always,exit -F arch=b64 -S setxattr,lsetxattr,fsetxattr,removexattr,lremovexattr,fremovexattr -F auid>=1000 -F auid!=unset -F key=perm_mod
-a always,exit -F arch=b64 -S creat,open,openat,truncate,ftruncate -F exit=-EACCES -F auid>=1000 -F auid!=unset -k access
-a always,exit -F arch=b64 -S creat,open,openat,truncate,ftruncate -F exit=-EPERM -F auid>=1000 -F auid!=unset -k access
-a always,exit -F arch=b64 -S mount -F auid>=1000 -F auid!=unset -k mounts
-a always,exit -F arch=b64 -S unlink,unlinkat,rename,renameat -F auid>=1000 -F auid!=unset -k delete
-w /etc/apparmor/ -p wa -k MAC-policy
-w /etc/selinux -p wa -k MAC-policy
-a always,exit -F path=/usr/bin/chcon -F perm=x -F auid>=1000 -F auid!=unset -k perm_chng
-a always,exit -F path=/usr/bin/setfacl -F perm=x -F auid>=1000 -F auid!=unset -k perm_chng
-a always,exit -F path=/usr/bin/chacl -F perm=x -F auid>=1000 -F auid!=unset -k perm_chng
-a always,exit -F path=/usr/sbin/usermod -F perm=x -F auid>=1000 -F auid!=unset -k usermod
-a always,exit -F path=/usr/bin/sudo -F perm=x -F auid>=1000 -F auid!=unset -k privileged
-a always,exit -F path=/usr/bin/su -F perm=x -F auid>=1000 -F auid!=unset -k privileged
-a always,exit -F path=/usr/bin/passwd -F perm=x -F auid>=1000 -F auid!=unset -k privileged
-a always,exit -F path=/usr/bin/chage -F perm=x -F auid>=1000 -F auid!=unset -k privileged
-a always,exit -F path=/usr/bin/gpasswd -F perm=x -F auid>=1000 -F auid!=unset -k privileged
-a always,exit -F path=/usr/bin/newgrp -F perm=x -F auid>=1000 -F auid!=unset -k privileged
-a always,exit -F path=/usr/bin/mount -F perm=x -F auid>=1000 -F auid!=unset -k privileged
-a always,exit -F path=/usr/bin/crontab -F perm=x -F auid>=1000 -F auid!=unset -k privileged
-a always,exit -F arch=b64 -S init_module,finit_module,delete_module,create_module,query_module -F auid>=1000 -F auid!=unset -k kernel_modules
-a always,exit -F path=/usr/bin/kmod -F perm=x -F auid>=1000 -F auid!=unset -k kernel_modules
"""


def audit_rules(s: Server) -> str:
    if s.has("no_auditd"):
        if s.debian:
            return ""  # auditd not installed
        return files(
            {
                "/etc/audit/rules.d/audit.rules": "## First rule - delete all\n-D\n-b 8192\n-f 1\n"
                "--backlog_wait_time 60000\n",
                "/etc/audit/audit.rules": "## This file is automatically generated from /etc/audit/rules.d\n"
                "-D\n-b 8192\n-f 1\n--backlog_wait_time 60000\n",
            }
        )
    base = (
        "## First rule - delete all\n-D\n## Increase the buffers to survive stress events.\n-b 8192\n"
        "--backlog_wait_time 60000\n-f 1\n"
    )
    compiled = (
        "## This file is automatically generated from /etc/audit/rules.d\n-D\n-b 8192\n-f 1\n"
        "--backlog_wait_time 60000\n"
        + "\n".join(ln for ln in AUDIT_RULES.splitlines() if not ln.startswith("#"))
        + "\n-e 2\n"
    )
    return files(
        {
            "/etc/audit/rules.d/10-base-config.rules": base,
            "/etc/audit/rules.d/50-prakan-cis.rules": AUDIT_RULES,
            "/etc/audit/rules.d/99-finalize.rules": "## Make the configuration immutable\n-e 2\n",
            "/etc/audit/audit.rules": compiled,
        }
    )


def auditd_conf(s: Server) -> str:
    if s.has("no_auditd") and s.debian:
        return ""
    hard = not s.has("no_auditd")
    return files(
        {
            "/etc/audit/auditd.conf": f"""#
# This file controls the configuration of the audit daemon
#

local_events = yes
write_logs = yes
log_file = /var/log/audit/audit.log
log_group = {"adm" if s.debian else "root"}
log_format = ENRICHED
flush = INCREMENTAL_ASYNC
freq = 50
max_log_file = {"32" if hard else "8"}
num_logs = 5
priority_boost = 4
name_format = NONE
##name = mydomain
max_log_file_action = {"keep_logs" if hard else "ROTATE"}
space_left = 75
space_left_action = {"email" if hard else "SYSLOG"}
verify_email = yes
action_mail_acct = root
admin_space_left = 50
admin_space_left_action = {"single" if hard else "SUSPEND"}
disk_full_action = {"halt" if hard else "SUSPEND"}
disk_error_action = {"syslog" if hard else "SUSPEND"}
use_libwrap = yes
##tcp_listen_port = 60
tcp_listen_queue = 5
tcp_max_per_addr = 1
##tcp_client_ports = 1024-65535
tcp_client_max_idle = 0
transport = TCP
krb5_principal = auditd
##krb5_key_file = /etc/audit/audit.key
distribute_network = no
q_depth = 2000
overflow_action = SYSLOG
max_restarts = 10
plugin_dir = /etc/audit/plugins.d
end_of_event_timeout = 2
"""
        }
    )


def syslog_config(s: Server) -> str:
    main = """# /etc/rsyslog.conf configuration file for rsyslog
#
# For more information install rsyslog-doc and see
# /usr/share/doc/rsyslog-doc/html/configuration/index.html

#################
#### MODULES ####
#################

module(load="imuxsock") # provides support for local system logging
module(load="imklog")   # provides kernel logging support
"""
    if s.role == "syslog":
        main += 'module(load="imtcp")\ninput(type="imtcp" port="514")\nmodule(load="imudp")\ninput(type="imudp" port="514")\n'
    main += """
###########################
#### GLOBAL DIRECTIVES ####
###########################

$FileOwner root
$FileGroup adm
$FileCreateMode 0640
$DirCreateMode 0755
$Umask 0022
$WorkDirectory /var/spool/rsyslog
$IncludeConfig /etc/rsyslog.d/*.conf

###############
#### RULES ####
###############

*.*;auth,authpriv.none		-/var/log/syslog
auth,authpriv.*			/var/log/auth.log
cron.*				-/var/log/cron.log
kern.*				-/var/log/kern.log
mail.*				-/var/log/mail.log
user.*				-/var/log/user.log
*.emerg				:omusrmsg:*
"""
    if not s.debian:
        main = main.replace("/var/log/syslog", "/var/log/messages").replace("/var/log/auth.log", "/var/log/secure")
    parts = {"/etc/rsyslog.conf": main}
    if s.role == "syslog":
        parts["/etc/rsyslog.d/10-remote-hosts.conf"] = (
            'template(name="PerHost" type="string" '
            'string="/srv/log/%HOSTNAME%/%$YEAR%-%$MONTH%-%$DAY%.log")\n'
            'if $fromhost-ip != "127.0.0.1" then { action(type="omfile" '
            'dynaFile="PerHost") stop }\n'
        )
    elif tls := depth.syslog_tls(s):
        parts["/etc/rsyslog.d/60-prakan-remote.conf"] = tls
    elif not s.has("no_remote_log"):
        target = s.approved.get("syslog_servers", ["10.10.0.31"])[0]
        parts["/etc/rsyslog.d/60-prakan-remote.conf"] = (
            "# Managed by Ansible (role linux_hardening): forward everything to the central log server\n"
            f'*.* action(type="omfwd" target="{target}" port="514" protocol="tcp"\n'
            '         action.resumeRetryCount="-1" queue.type="LinkedList" queue.size="10000"\n'
            '         queue.filename="fwd_central" queue.saveOnShutdown="on")\n'
        )
    return files(parts)


def time_sync(s: Server) -> str:
    ntp = list(s.approved.get("ntp_servers", []))
    if s.role == "ntp":
        body = (
            "# Managed by Ansible: stratum-2 servers of the department, upstream NIMT (Thailand)\n"
            "server time1.nimt.or.th iburst\nserver time2.nimt.or.th iburst\nserver time3.nimt.or.th iburst\n"
            "allow 10.0.0.0/8\nlocal stratum 10\nkeyfile /etc/chrony/chrony.keys\n"
            "driftfile /var/lib/chrony/chrony.drift\nntsdumpdir /var/lib/chrony\nlogdir /var/log/chrony\n"
            "maxupdateskew 100.0\nrtcsync\nmakestep 1 3\nleapsectz right/UTC\n"
        )
        return files({"/etc/chrony/chrony.conf" if s.debian else "/etc/chrony.conf": body})
    if s.has("ntp_default_pool"):
        if s.os == "ubuntu22.04":
            return files(
                {
                    "/etc/systemd/timesyncd.conf": "#  This file is part of systemd.\n[Time]\n#NTP=\n"
                    "#FallbackNTP=ntp.ubuntu.com\n#RootDistanceMaxSec=5\n"
                }
            )
        if s.debian:
            return files(
                {
                    "/etc/chrony/chrony.conf": "# Welcome to the chrony configuration file.\n"
                    "confdir /etc/chrony/conf.d\npool 2.debian.pool.ntp.org iburst\n"
                    "sourcedir /run/chrony-dhcp\nsourcedir /etc/chrony/sources.d\n"
                    "keyfile /etc/chrony/chrony.keys\ndriftfile /var/lib/chrony/chrony.drift\n"
                    "ntsdumpdir /var/lib/chrony\nlogdir /var/log/chrony\nmaxupdateskew 100.0\nrtcsync\n"
                    "makestep 1 3\nleapsectz right/UTC\n"
                }
            )
        return files(
            {
                "/etc/chrony.conf": "# Use public servers from the pool.ntp.org project.\n"
                "pool 2.rhel.pool.ntp.org iburst\nsourcedir /run/chrony-dhcp\n"
                "driftfile /var/lib/chrony/drift\nmakestep 1.0 3\nrtcsync\nkeyfile /etc/chrony.keys\n"
                "ntsdumpdir /var/lib/chrony\nleapsectz right/UTC\nlogdir /var/log/chrony\n"
            }
        )
    servers = "".join(f"server {h} iburst\n" for h in ntp)
    if s.debian:
        return files(
            {
                "/etc/chrony/chrony.conf": "# Welcome to the chrony configuration file.\n"
                "confdir /etc/chrony/conf.d\nsourcedir /etc/chrony/sources.d\nkeyfile /etc/chrony/chrony.keys\n"
                "driftfile /var/lib/chrony/chrony.drift\nntsdumpdir /var/lib/chrony\nlogdir /var/log/chrony\n"
                "maxupdateskew 100.0\nrtcsync\nmakestep 1 3\nleapsectz right/UTC\n",
                "/etc/chrony/sources.d/prakan.sources": "# Managed by Ansible: the department's NTP servers\n"
                + servers,
            }
        )
    return files(
        {
            "/etc/chrony.conf": "# Managed by Ansible: the department's NTP servers\n"
            + servers
            + "sourcedir /run/chrony-dhcp\ndriftfile /var/lib/chrony/drift\nmakestep 1.0 3\nrtcsync\n"
            "keyfile /etc/chrony.keys\nntsdumpdir /var/lib/chrony\nleapsectz right/UTC\nlogdir /var/log/chrony\n"
        }
    )


ROLE_PORTS = {
    "web": [80, 443],
    "dns": [53],
    "ntp": [123],
    "syslog": [514],
    "database": [3306],
    "file": [2049, 445],
    "news": [443],
    "saraban": [443, 8443],
    "bastion": [],
}


def firewall(s: Server) -> str:
    ports = ROLE_PORTS.get(s.role, [])
    if s.has("no_firewall"):
        return ""
    mgmt = ", ".join(s.approved.get("management_ranges", ["10.10.0.0/24"]))
    if not s.debian:
        svc = "".join(f"\t\ttcp dport {p} accept\n" for p in ports if p not in (53, 123, 514))
        svc += "".join(f"\t\tudp dport {p} accept\n" for p in ports if p in (53, 123, 514))
        return (
            "table inet firewalld {\n\tchain filter_INPUT {\n"
            "\t\ttype filter hook input priority filter + 10; policy accept;\n"
            "\t\tct state { established, related } accept\n\t\tct status dnat accept\n"
            '\t\tiifname "lo" accept\n\t\tct state invalid drop\n\t\tjump filter_INPUT_ZONES\n'
            "\t\treject with icmpx admin-prohibited\n\t}\n\n\tchain filter_FORWARD {\n"
            "\t\ttype filter hook forward priority filter + 10; policy accept;\n"
            "\t\tct state { established, related } accept\n\t\tct state invalid drop\n"
            "\t\treject with icmpx admin-prohibited\n\t}\n\n\tchain filter_INPUT_ZONES {\n"
            '\t\tiifname "ens192" goto filter_IN_public\n\t\tgoto filter_IN_public\n\t}\n\n'
            "\tchain filter_IN_public {\n\t\tjump filter_IN_public_pre\n\t\tjump filter_IN_public_log\n"
            "\t\tjump filter_IN_public_deny\n\t\tjump filter_IN_public_allow\n\t\tjump filter_IN_public_post\n"
            "\t\tmeta l4proto { icmp, ipv6-icmp } accept\n\t}\n\n\tchain filter_IN_public_allow {\n"
            f"\t\tip saddr {{ {mgmt} }} tcp dport 22 accept\n"
            + svc
            + "\t\tip6 daddr fe80::/64 udp dport 546 accept\n\t}\n}\n"
        )
    lines = [
        "table inet filter {",
        "\tchain input {",
        "\t\ttype filter hook input priority filter; policy drop;",
        "\t\tct state established,related accept",
        "\t\tct state invalid drop",
        '\t\tiif "lo" accept',
        '\t\tip saddr 127.0.0.0/8 iif != "lo" drop',
        "\t\tip protocol icmp icmp type { echo-request, destination-unreachable, time-exceeded } accept",
        "\t\tmeta l4proto ipv6-icmp accept",
        f"\t\tip saddr {{ {mgmt} }} tcp dport 22 accept",
    ]
    for p in ports:
        proto = "udp" if p in (123, 514) else "tcp"
        lines.append(f"\t\t{proto} dport {p} accept")
        if p == 53:
            lines.append("\t\tudp dport 53 accept")
        if p == 514:
            lines.append("\t\ttcp dport 514 accept")
    lines += [
        '\t\tlog prefix "nft-drop: " limit rate 10/minute',
        "\t}",
        "",
        "\tchain forward {",
        "\t\ttype filter hook forward priority filter; policy drop;",
        "\t}",
        "",
        "\tchain output {",
        "\t\ttype filter hook output priority filter; policy accept;",
        "\t}",
        "}",
    ]
    return "\n".join(lines) + "\n"


def enabled_services(s: Server) -> str:
    units = {
        "ssh.service" if s.debian else "sshd.service",
        "cron.service" if s.debian else "crond.service",
        "rsyslog.service",
        "chrony.service" if s.debian else "chronyd.service",
        "getty@tty1.service",
        "remote-fs.target",
        "systemd-timesyncd.service" if s.os == "ubuntu22.04" and s.has("ntp_default_pool") else "",
        "apt-daily.timer" if s.debian else "dnf-makecache.timer",
        "logrotate.timer",
        "fstrim.timer",
        "man-db.timer" if s.debian else "",
        "e2scrub_reap.service" if s.debian else "",
        "unattended-upgrades.service" if s.debian else "",
        "networking.service" if s.os == "debian12" else "",
        "NetworkManager.service" if not s.debian else "",
        "irqbalance.service" if not s.debian else "",
        "firewalld.service" if not s.debian and not s.has("no_firewall") else "",
        "nftables.service" if s.debian and not s.has("no_firewall") else "",
        "auditd.service" if not s.has("no_auditd") or not s.debian else "",
        "sssd.service" if not s.debian else "",
        "tuned.service" if not s.debian else "",
    }
    units |= {
        "web": {"nginx.service"},
        "dns": {"named.service"},
        "database": {"mysqld.service"},
        "file": {"nfs-server.service", "smb.service" if not s.debian else "smbd.service"},
        "news": {"nginx.service", "php8.2-fpm.service" if s.os == "debian12" else "php8.1-fpm.service"},
        "saraban": {"httpd.service", "php-fpm.service"},
        "syslog": set(),
        "ntp": set(),
        "bastion": {"fail2ban.service"},
    }.get(s.role, set())
    if s.has("legacy_services"):
        units |= {"avahi-daemon.service", "cups.service", "rpcbind.service", "vsftpd.service"}
    if s.os == "ubuntu22.04":
        units |= {"snapd.service", "ufw.service", "systemd-resolved.service"}
    return "".join(f"{u}\n" for u in sorted(u for u in units if u))


DEB_PACKAGES = [
    ("adduser", "3.134"),
    ("apt", "2.6.1"),
    ("base-files", "12.4+deb12u8"),
    ("bash", "5.2.15-2+b7"),
    ("ca-certificates", "20230311"),
    ("coreutils", "9.1-1"),
    ("cron", "3.0pl1-162"),
    ("dbus", "1.14.10-1~deb12u1"),
    ("debconf", "1.5.82"),
    ("dpkg", "1.21.22"),
    ("e2fsprogs", "1.47.0-2"),
    ("grub-pc", "2.06-13+deb12u1"),
    ("iproute2", "6.1.0-3"),
    ("less", "590-2.1~deb12u2"),
    ("libc6", "2.36-9+deb12u9"),
    ("libpam-modules", "1.5.2-6+deb12u1"),
    ("libpam-runtime", "1.5.2-6+deb12u1"),
    ("libssl3", "3.0.15-1~deb12u1"),
    ("linux-image-amd64", "6.1.119-1"),
    ("login", "1:4.13+dfsg1-1+b1"),
    ("logrotate", "3.21.0-1"),
    ("nano", "7.2-1+deb12u1"),
    ("nftables", "1.0.6-2+deb12u2"),
    ("openssh-client", "1:9.2p1-2+deb12u3"),
    ("openssh-server", "1:9.2p1-2+deb12u3"),
    ("openssl", "3.0.15-1~deb12u1"),
    ("passwd", "1:4.13+dfsg1-1+b1"),
    ("procps", "2:4.0.2-3"),
    ("python3", "3.11.2-1+b1"),
    ("rsyslog", "8.2302.0-1"),
    ("sudo", "1.9.13p3-1+deb12u1"),
    ("systemd", "252.31-1~deb12u1"),
    ("tzdata", "2024a-0+deb12u1"),
    ("unattended-upgrades", "2.9.1+nmu3"),
    ("vim-tiny", "2:9.0.1378-2"),
    ("chrony", "4.3-2+deb12u1"),
    ("sed", "4.9-1"),
    ("tar", "1.34+dfsg-1.2+deb12u1"),
    ("util-linux", "2.38.1-5+deb12u2"),
    ("zlib1g", "1:1.2.13.dfsg-1"),
]
RPM_PACKAGES = [
    ("audit", "3.1.2-2.el9"),
    ("bash", "5.1.8-9.el9"),
    ("chrony", "4.5-1.el9"),
    ("coreutils", "8.32-35.el9"),
    ("cronie", "1.5.7-11.el9"),
    ("crypto-policies", "20240202-1.git283706d.el9"),
    ("dnf", "4.14.0-9.el9"),
    ("firewalld", "1.3.4-1.el9"),
    ("glibc", "2.34-100.el9_4.4"),
    ("grub2-pc", "2.06-82.el9_4"),
    ("kernel", "5.14.0-427.42.1.el9_4"),
    ("libpwquality", "1.4.4-8.el9"),
    ("libselinux", "3.6-1.el9"),
    ("logrotate", "3.18.0-8.el9"),
    ("NetworkManager", "1.46.0-19.el9_4"),
    ("nftables", "1.0.9-1.el9"),
    ("openssh", "8.7p1-38.el9_4.4"),
    ("openssh-server", "8.7p1-38.el9_4.4"),
    ("openssl", "3.0.7-27.el9"),
    ("pam", "1.5.1-19.el9"),
    ("policycoreutils", "3.6-2.1.el9"),
    ("python3", "3.9.18-3.el9_4.6"),
    ("rsyslog", "8.2310.0-4.el9"),
    ("selinux-policy-targeted", "38.1.35-2.el9_4.2"),
    ("shadow-utils", "4.9-8.el9"),
    ("sssd-client", "2.9.4-6.el9_4.1"),
    ("sudo", "1.9.5p2-10.el9_3"),
    ("systemd", "252-32.el9_4.7"),
    ("tar", "1.34-6.el9_4.1"),
    ("tzdata", "2024b-2.el9"),
    ("util-linux", "2.37.4-18.el9"),
    ("vim-minimal", "8.2.2637-20.el9_1"),
    ("authselect", "1.2.6-2.el9"),
]


def packages(s: Server) -> str:
    if s.debian:
        pkgs = list(DEB_PACKAGES)
        if s.os == "ubuntu22.04":
            pkgs = [
                (n, v.replace("deb12", "ubuntu22.04")) for n, v in pkgs if n not in ("linux-image-amd64", "grub-pc")
            ]
            pkgs += [
                ("linux-image-generic", "5.15.0.125.123"),
                ("snapd", "2.63+22.04ubuntu0.1"),
                ("ufw", "0.36.1-4ubuntu0.1"),
            ]
        if not s.has("no_auditd"):
            pkgs.append(("auditd", "1:3.0.9-1"))
        if not s.has("no_pwquality"):
            pkgs.append(("libpam-pwquality", "1.4.5-1+b1"))
        role = {
            "web": [("nginx", "1.22.1-9")],
            "dns": [("bind9", "1:9.18.28-1~deb12u2")],
            "syslog": [],
            "news": [("nginx", "1.22.1-9"), ("php8.2-fpm", "8.2.24-1~deb12u1")],
            "bastion": [("fail2ban", "1.0.2-2")],
            "ntp": [],
        }.get(s.role, [])
        pkgs += role
        if s.has("legacy_packages"):
            pkgs += [
                ("telnet", "0.17+2.4-2+deb12u1"),
                ("rsh-client", "0.17-24"),
                ("nis", "4.17"),
                ("ftp", "20230507-2"),
                ("talk", "0.17-17"),
            ]
        if s.has("compilers"):
            pkgs += [("gcc", "4:12.2.0-3"), ("gcc-12", "12.2.0-14"), ("make", "4.3-4.1"), ("build-essential", "12.9")]
        status = "ii"
    else:
        pkgs = list(RPM_PACKAGES)
        pkgs += {
            "database": [("mysql-server", "8.0.36-1.el9_3")],
            "file": [("nfs-utils", "2.5.4-25.el9"), ("samba", "4.19.4-105.el9_4")],
            "saraban": [("httpd", "2.4.57-11.el9_4.1"), ("php-fpm", "8.1.27-1.el9_4")],
            "dns": [("bind", "9.16.23-18.el9_4.6")],
            "ntp": [],
        }.get(s.role, [])
        if s.has("legacy_packages"):
            pkgs += [
                ("telnet", "0.17-85.el9"),
                ("tftp-server", "5.2-37.el9"),
                ("ypbind", "2.7.2-9.el9"),
                ("ftp", "0.17-89.el9"),
            ]
        if s.has("compilers"):
            pkgs += [("gcc", "11.4.1-3.el9"), ("make", "4.3-8.el9"), ("cpp", "11.4.1-3.el9")]
        status = "ii"
    return "".join(f"{n} {v} {status}\n" for n, v in sorted(pkgs))


MODULES = ["cramfs", "freevxfs", "hfs", "hfsplus", "jffs2", "squashfs", "udf", "dccp", "rds", "sctp", "tipc"]


def modprobe(s: Server) -> str:
    parts: dict[str, str] = {}
    if s.debian:
        parts["/lib/modprobe.d/aliases.conf"] = (
            "# These are the standard aliases for devices and kernel drivers.\n"
            "alias ip6_tables off\nalias net-pf-3 off\nalias net-pf-6 off\n"
        )
        parts["/lib/modprobe.d/systemd.conf"] = "options bonding max_bonds=0\noptions dummy numdummies=0\n"
    else:
        parts["/usr/lib/modprobe.d/dist-blacklist.conf"] = (
            "# framebuffer drivers\nblacklist aty128fb\nblacklist atyfb\n"
        )
        parts["/etc/modprobe.d/firewalld-sysctls.conf"] = (
            "install nf_conntrack /usr/sbin/modprobe --ignore-install nf_conntrack $CMDLINE_OPTS && /usr/sbin/sysctl --quiet --pattern 'net[.]netfilter[.]nf_conntrack.*' --system\n"
        )
    hard = not s.has("sysctl_defaults")
    body = "# Managed by Ansible (role linux_hardening): unused filesystems and protocols\n" if hard else ""
    if hard:
        body += "".join(f"install {m} /bin/false\nblacklist {m}\n" for m in MODULES)
    if not s.has("usb_storage"):
        body += "install usb-storage /bin/false\nblacklist usb-storage\n"
    if body:
        parts["/etc/modprobe.d/prakan-cis.conf"] = body
    return files(parts)


def pending_updates(s: Server) -> str:
    pending = s.has("pending_updates")
    age = 97 if s.has("stale_lists") else s.rng.randint(0, 1)
    if s.debian:
        suite = "Debian-Security:12/stable-security" if s.os == "debian12" else "Ubuntu:22.04/jammy-security"
        out = f"manager apt\nlists {8 if s.os == 'debian12' else 12}\nlists_age_days {age}\n"
        if pending:
            items = [
                ("openssl", "3.0.15-1~deb12u1", "3.0.16-1~deb12u1"),
                ("libssl3", "3.0.15-1~deb12u1", "3.0.16-1~deb12u1"),
                ("openssh-server", "1:9.2p1-2+deb12u3", "1:9.2p1-2+deb12u5"),
                ("libc6", "2.36-9+deb12u9", "2.36-9+deb12u10"),
                ("linux-image-amd64", "6.1.119-1", "6.1.129-1"),
            ]
            for name, cur, new in items[: s.rng.randint(2, len(items))]:
                out += f"pending Inst {name} [{cur}] ({new} {suite} [amd64])\n"
        return out
    out = f"manager dnf\nlists 1\nlists_age_days {age}\n"
    if pending:
        items = [
            ("RHSA-2026:0412", "Important/Sec.", "openssl-1:3.0.7-28.el9_4.x86_64"),
            ("RHSA-2026:0388", "Important/Sec.", "openssh-server-8.7p1-38.el9_4.5.x86_64"),
            ("RHSA-2026:0519", "Moderate/Sec.", "glibc-2.34-100.el9_4.5.x86_64"),
            ("RHSA-2026:0601", "Important/Sec.", "kernel-5.14.0-427.50.1.el9_4.x86_64"),
        ]
        for adv, sev, pkg in items[: s.rng.randint(2, len(items))]:
            out += f"pending {adv} {sev} {pkg}\n"
    return out


def linux_sources(s: Server) -> dict[str, str]:
    makers: dict[str, Callable[[Server], str]] = {
        "os_release": lambda x: OS_RELEASE.get(x.os, OS_RELEASE["debian12"]),
        "sshd_effective": sshd_t,
        "sysctl": sysctl,
        "login_defs": login_defs,
        "pwquality": pwquality,
        "faillock_conf": faillock_conf,
        "pwhistory_conf": pwhistory_conf,
        "pam": pam,
        "passwd": passwd,
        "shadow": shadow,
        "file_permissions": file_permissions,
        "audit_rules": audit_rules,
        "auditd_conf": auditd_conf,
        "syslog_config": syslog_config,
        "time_sync": time_sync,
        "firewall": firewall,
        "enabled_services": enabled_services,
        "packages": packages,
        "modprobe": modprobe,
        "pending_updates": pending_updates,
    }
    out = {name: make(s) for name, make in makers.items()}
    return out | depth_sources(s, out)


def _persistent_keys() -> list[str]:
    """The kernel parameters that checks read from sysctl_persistent (the role's sysctl.d file sets them)."""
    global _PERSISTENT_KEYS
    if _PERSISTENT_KEYS is None:
        from prakan.catalog import load_catalog

        keys: list[str] = []
        for check in load_catalog().checks.values():
            for part in (check.raw.get("rule") or {}).get("all", []):
                if isinstance(part, dict) and part.get("source") == "sysctl_persistent" and part["key"] not in keys:
                    keys.append(part["key"])
        _PERSISTENT_KEYS = keys
    return _PERSISTENT_KEYS


_PERSISTENT_KEYS: list[str] | None = None


def depth_sources(s: Server, base: Mapping[str, str]) -> dict[str, str]:
    """The Linux depth sources (tools/sample_linux_depth.py), consistent with the base outputs."""
    running = dict(line.split(" = ", 1) for line in base["sysctl"].splitlines() if " = " in line)
    return {
        "sysctl_persistent": depth.sysctl_persistent(s, running, _persistent_keys()),
        "aide_state": depth.aide_state(s),
        "mac_state": depth.mac_state(s),
        "kernel_cmdline": depth.kernel_cmdline(s),
        "grub_config": depth.grub_config(s, lambda what: red(s.host.name, what)),
        "sudoers": depth.sudoers(s),
        "audit_loaded": depth.audit_loaded(s, base["audit_rules"]),
        "mounts": depth.mounts(s),
        "system_file_modes": depth.system_file_modes(s),
        "local_file_findings": depth.local_file_findings(s),
        "log_files": depth.log_files(s),
        "logrotate": depth.logrotate(s),
        "journald_conf": depth.journald_conf(s),
        "shell_profiles": depth.shell_profiles(s),
        "logind_conf": depth.logind_conf(s),
        "loaded_modules": depth.loaded_modules(s),
        "package_sources": depth.package_sources(s),
        "root_access": depth.root_access(s),
        "pam_su": depth.pam_su(s),
        "coredump_config": depth.coredump_config(s),
    }


# --------------------------------------------------------------------------------------------
# driver


def host_sources(inv: Inventory, host: Host) -> tuple[dict[str, str], set[str]]:
    kind = site_kind(inv, host)
    rng = rng_for(host.name)
    site = inv.sites[host.site].vars if host.site in inv.sites else {}
    if host.platform == "cisco_ios":
        d = Device(host, kind, site, inv.org, draw_gaps(host, kind, IOS_GAPS, rng), rng)
        return ios_sources(d), d.gaps
    s = Server(host, kind, inv.org, draw_gaps(host, kind, LINUX_GAPS, rng), rng)
    s.gaps |= depth.draw_depth_gaps(SEED, host.name, kind, host.name in CLEAN)
    return linux_sources(s), s.gaps


def build(inv: Inventory, sources: Mapping[str, Source], host: Host) -> tuple[HostEvidence, set[str]]:
    outputs, gaps = host_sources(inv, host)
    ev = HostEvidence(
        host=host.name,
        platform=host.platform,
        collected_at=COLLECTED_AT,
        method="sample",
        facts={"sample": True, "gaps": sorted(gaps)},
    )
    for name, src in sources.items():
        if host.platform not in src.platforms:
            continue
        if name not in outputs:
            raise SystemExit(f"source {name!r} of checks/sources.yml has no sample generator: add one")
        output = outputs[name]
        rc, error = 0, None
        if host.name == TRUNCATED_ROUTER and name == "running_config":
            output = output[: len(output) * 3 // 5].rsplit("\n", 1)[0] + "\n"  # the session dropped mid-transfer
        if host.name == BROKEN_SSHD and name == "sshd_effective":
            output = (
                "/etc/ssh/sshd_config.d/50-local.conf line 3: Bad configuration option: PermitRootLogn\n"
                "/etc/ssh/sshd_config.d/50-local.conf: terminating, 1 bad configuration options\n"
            )
            rc, error = 255, "`sshd -T` exited with status 255"
        if redact_text(output, host.platform, REDACTION_KEY)[1]:  # the collector's redactor must find nothing left
            raise SystemExit(f"{host.name}/{name}: the sample holds an unredacted secret")
        ev.sources[name] = SourceResult(
            command=src.command, output=output, rc=rc, collected_at=COLLECTED_AT, error=error
        )
    return ev, gaps


def generate(inventory: Path, out: Path) -> dict[str, Any]:
    inv = load_inventory(inventory)
    sources = load_sources()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    hosts: dict[str, Any] = {}
    for name in sorted(inv.hosts):
        if name == MISSING_HOST:
            continue  # collection never reached it: evaluation must report it, not skip it
        ev, _gaps = build(inv, sources, inv.hosts[name])
        path, digest = write_host(out, ev)
        hosts[name] = {"status": "ok", "sha256": digest, "file": path.name}
    manifest = {
        "run": "sample-department",
        "kind": "sample",
        "started_at": COLLECTED_AT,
        "finished_at": COLLECTED_AT,
        "inventory": _shown(inventory),
        "hosts": hosts,
    }
    write_manifest(out, manifest, read_key_file(SAMPLE_MANIFEST_KEY))  # the public DEMO key: see samples/README.md
    return manifest


def _shown(path: Path) -> str:
    """The inventory path as recorded in the manifest: relative to the repository, so any clone reproduces it."""
    resolved = path.resolve()
    return str(resolved.relative_to(ROOT)) if resolved.is_relative_to(ROOT) else str(path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-i", "--inventory", type=Path, default=ROOT / "inventory")
    ap.add_argument("-o", "--out", type=Path, default=ROOT / "samples" / "evidence")
    args = ap.parse_args()
    manifest = generate(args.inventory, args.out)
    size = sum(p.stat().st_size for p in args.out.iterdir())
    print(f"wrote {len(manifest['hosts'])} evidence files ({size / 1e6:.1f} MB) to {args.out}")


if __name__ == "__main__":
    main()

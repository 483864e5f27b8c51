"""Write an Ansible inventory (YAML, docs/inventory-model.md) describing a running lab.

Namespace hosts and loopback devices sit in two sites, because a site's management subnet must
contain its hosts' addresses: LAB-NS (10.203.0.0/16) and LAB-LO (127.0.0.0/8).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from .fakeios import Device
from .hosts import Host
from .keys import KeyPair, write_known_hosts

# Approved values for hardening lab hosts (group_vars/all.yml of a lab inventory).
LAB_APPROVED = {
    # Addresses inside the lab's range that nothing answers on (hosts have no route there).
    "ntp_servers": ["10.203.255.21"],
    "syslog_servers": ["10.203.255.31"],
    "aaa_servers": ["10.203.255.41"],
    "dns_servers": ["10.203.255.53"],
    "management_ranges": ["127.0.0.0/8", "10.203.0.0/16"],
    "banner": {
        "th": "ระบบนี้เป็นของห้องทดลอง Prakan ใช้ได้เฉพาะผู้ได้รับอนุญาต การใช้งานทุกครั้งถูกบันทึก",
        "en": "Prakan lab system. Authorised use only. All activity is logged.",
    },
}


def _site(code: str, name_en: str, subnet: str, circuit: str) -> dict[str, Any]:
    return {
        "code": code,
        "name_th": f"ห้องทดลอง {name_en}",
        "name_en": name_en,
        "kind": "hq",
        "province": "Bangkok",
        "region": "bangkok",
        "mgmt_subnet": subnet,
        "subnets": [subnet],
        "transports": [{"type": "mpls", "provider": "Lab", "circuit_id": circuit, "bandwidth_mbps": 100}],
        "owner": {"name": "Prakan lab", "email": "lab@example.org", "phone": "+66 2 000 0000"},
        "security_category": {"confidentiality": "medium", "integrity": "medium", "availability": "low"},
    }


def write_inventory(
    directory: Path,
    hosts: Sequence[Host],
    devices: Sequence[Device],
    key: KeyPair,
    host_role: str = "web",
    device_role: str = "wan_router",
) -> Path:
    """Write `directory/hosts.yml` plus the known_hosts it points at; returns the hosts.yml path."""
    directory.mkdir(parents=True, exist_ok=True)
    known_hosts = write_known_hosts(
        directory / "known_hosts", [h.known_hosts_line() for h in hosts] + [d.known_hosts_line() for d in devices]
    )
    linux = {
        h.name: {
            "ansible_host": h.address,
            "ansible_port": h.port,
            "prakan_platform": "linux",
            "prakan_role": host_role,
            "prakan_os_family": "debian",
            "prakan_os": "debian12",
        }
        for h in hosts
    }
    ios = {
        d.name: {
            "ansible_host": d.address,
            "ansible_port": d.port,
            "ansible_user": d.spec.username,
            "ansible_password": d.spec.password,
            "prakan_platform": "cisco_ios",
            "prakan_role": device_role,
            "prakan_os": "iosxe17",
            "prakan_wan_interfaces": ["GigabitEthernet1"],
            **({"ansible_become_password": d.spec.enable_password} if d.spec.enable_password else {}),
        }
        for d in devices
    }
    groups: dict[str, Any] = {
        "site_lab_ns": {
            "hosts": {n: None for n in linux},
            "vars": {"prakan_site": _site("LAB-NS", "Lab namespaces", "10.203.0.0/16", "LAB-NS-1")},
        },
        "site_lab_lo": {
            "hosts": {n: None for n in ios},
            "vars": {"prakan_site": _site("LAB-LO", "Lab loopback", "127.0.0.0/8", "LAB-LO-1")},
        },
        "transport_mpls": {"children": {"site_lab_ns": None, "site_lab_lo": None}},
        "region_bangkok": {"children": {"site_lab_ns": None, "site_lab_lo": None}},
        "sitetype_hq": {"children": {"site_lab_ns": None, "site_lab_lo": None}},
        f"role_{host_role}": {"hosts": {n: None for n in linux}},
        f"role_{device_role}": {"hosts": {n: None for n in ios}},
        "platform_linux": {
            "hosts": linux,
            "vars": {
                "ansible_user": "lab",
                "ansible_become": True,
                "ansible_ssh_private_key_file": str(key.private),
                "ansible_python_interpreter": "/usr/bin/python3",
                "ansible_ssh_common_args": f"-o UserKnownHostsFile={known_hosts} -o StrictHostKeyChecking=yes",
            },
        },
        "platform_cisco_ios": {
            "hosts": ios,
            "vars": {
                "ansible_connection": "ansible.netcommon.network_cli",
                "ansible_network_os": "cisco.ios.ios",
                "ansible_become": True,
                "ansible_become_method": "enable",
            },
        },
    }
    path = directory / "hosts.yml"
    path.write_text(yaml.safe_dump({"all": {"children": groups}}, allow_unicode=True, sort_keys=False))
    return path

"""The playbooks' filter plugins: which checks a host skips, and which IOS lines fix what."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from ansible.errors import AnsibleFilterError
from prakan_filters import (
    prakan_ios_line_fixes,
    prakan_ios_sections,
    prakan_ios_wan_fixes,
    prakan_skipped,
    prakan_wildcard,
)

SITE = {"security_category": {"confidentiality": "medium", "integrity": "low", "availability": "low"}}


def host_vars(**kw: Any) -> dict[str, Any]:
    return {"prakan_role": "web", "prakan_os_family": "debian", "prakan_site": SITE, **kw}


def waiver(check: str, hosts: list[str], expires: date) -> dict[str, Any]:
    return {"check": check, "hosts": hosts, "reason": "r", "approver": "a", "expires": expires.isoformat()}


def test_nothing_skipped_by_default() -> None:
    assert prakan_skipped(host_vars(), "linux", "linux_baseline", "web1", ["site_x"]) == {
        # not applicable to a web server of category medium:
        "LNX-PKG-006": "not applicable to this host (role, OS family or security category)",
        # DNF's gpgcheck: Red Hat family only, not a Debian host:
        "LNX-PKG-009": "not applicable to this host (role, OS family or security category)",
    }


def test_toggle_waiver_tags_and_role() -> None:
    today = date.today()
    v = host_vars(
        linux_baseline_lnx_ssh_004=False,
        prakan_role="syslog",
        prakan_waivers=[
            waiver("LNX-PAM-*", ["site_*"], today + timedelta(days=30)),
            waiver("LNX-SSH-010", ["web1"], today - timedelta(days=1)),
        ],  # expired: not waived
    )
    skip = prakan_skipped(v, "linux", "linux_baseline", "web1", ["site_x"])
    assert skip["LNX-SSH-004"] == "turned off (linux_baseline_lnx_ssh_004: false)"
    assert skip["LNX-LOG-001"].startswith("not applicable")  # a syslog server does not forward to itself
    assert {k for k, r in skip.items() if r.startswith("waived until")} == {f"LNX-PAM-00{i}" for i in range(1, 8)}
    assert "LNX-SSH-010" not in skip
    assert "LNX-PATCH-001" not in skip and "LNX-ACCT-001" not in skip  # not automated: no task to skip
    only = prakan_skipped(host_vars(), "linux", "linux_baseline", "web1", [], run_tags=["LNX-SSH-004"])
    assert "LNX-SSH-004" not in only and only["LNX-SSH-001"] == "not selected (--tags / --skip-tags)"
    minus = prakan_skipped(host_vars(), "linux", "linux_baseline", "web1", [], skip_tags=["LNX-SSH-004"])
    assert minus["LNX-SSH-004"] == "not selected (--tags / --skip-tags)" and "LNX-SSH-001" not in minus


def test_bad_toggle_and_bad_waiver_are_errors_naming_them() -> None:
    with pytest.raises(AnsibleFilterError, match="linux_baseline_lnx_ssh_004 must be true or false"):
        prakan_skipped(host_vars(linux_baseline_lnx_ssh_004="no"), "linux", "linux_baseline", "h", [])
    with pytest.raises(AnsibleFilterError, match=r"waiver #1: .*required"):
        prakan_skipped(host_vars(prakan_waivers=[{"check": "X"}]), "linux", "linux_baseline", "h", [])


def test_wildcard() -> None:
    assert prakan_wildcard("10.10.0.0/24") == "10.10.0.0 0.0.0.255"
    assert prakan_wildcard("10.10.0.5/32") == "host 10.10.0.5"
    with pytest.raises(AnsibleFilterError):
        prakan_wildcard("2001:db8::/32")


CFG = """\
hostname R1
interface GigabitEthernet1
 ip address 192.0.2.1 255.255.255.0
 ip access-group WAN-IN in
interface GigabitEthernet2
 no ip redirects
line con 0
 exec-timeout 0 0
line aux 0
 transport output telnet
line vty 0 4
 access-class MGMT in
 exec-timeout 5 0
 login local
 transport input ssh
 transport output ssh
line vty 5 15
 no login
 transport input telnet ssh
 transport preferred telnet
end
"""


def test_line_fixes_send_only_what_is_missing() -> None:
    fixes = {f["parents"][0]: f for f in prakan_ios_line_fixes(CFG, [], 10, "PRAKAN-MGMT", "default")}
    assert "line vty 0 4" not in fixes  # already compliant: nothing to send, nothing changes
    assert fixes["line vty 5 15"]["lines"] == [
        "transport input ssh",
        "access-class PRAKAN-MGMT in vrf-also",
        "exec-timeout 10 0",
        "login authentication default",
        "transport preferred none",
        "transport output ssh",  # no `transport output`: IOS's default is telnet
    ]
    assert fixes["line con 0"]["lines"] == ["exec-timeout 10 0", "transport output none"]  # 0 0 never times out
    assert fixes["line aux 0"] == {
        "checks": ["IOS-MGMT-015", "IOS-MGMT-016"],
        "parents": ["line aux 0"],
        "lines": ["no exec", "transport input none", "transport output none"],
    }
    off = prakan_ios_line_fixes(CFG, ["IOS-MGMT-011", "IOS-MGMT-012", "IOS-MGMT-013", "IOS-MGMT-016"], 10, "A", "d")
    assert {f["parents"][0]: f["lines"] for f in off}["line vty 5 15"] == ["transport input ssh"]


def test_wan_fixes() -> None:
    fixes = prakan_ios_wan_fixes(CFG, ["GigabitEthernet1", "GigabitEthernet2"], ["IOS-WAN-001"])
    assert fixes == [
        {
            "checks": ["IOS-WAN-002", "IOS-WAN-003", "IOS-WAN-004"],
            "parents": ["interface GigabitEthernet1"],
            "lines": ["no ip proxy-arp", "no ip redirects", "no ip unreachables"],
        },  # the inbound ACL filters already
        {
            "checks": ["IOS-WAN-002", "IOS-WAN-004", "IOS-WAN-005"],
            "parents": ["interface GigabitEthernet2"],
            "lines": ["no ip proxy-arp", "no ip unreachables", "ip verify unicast source reachable-via rx"],
        },
    ]
    assert prakan_ios_sections(CFG, "^line vty ")[1]["lines"][0] == "no login"

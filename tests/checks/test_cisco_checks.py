"""The Cisco IOS / IOS-XE checks: their embedded samples, references, rule functions, and three full configs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from lab.fakeios import SHOW_VERSION as FAKE_SHOW_VERSION
from prakan.catalog import Catalog
from prakan.checkfuncs import BUILTIN
from prakan.checktest import default_sample_vars, run_all
from prakan.evaluate import HostInfo, evaluate_host
from prakan.evidence import SourceResult
from prakan.rules import Context, EvidenceUnavailable, Outcome, compile_rule
from prakan.sources import load_sources

DATA = Path(__file__).parent / "data"
PLATFORM = "cisco_ios"


@pytest.fixture(scope="module")
def ios_checks(catalog: Catalog) -> list[Any]:
    return [c for c in catalog.for_platform(PLATFORM) if c.kind == "automated"]


# --- the catalog ---------------------------------------------------------------------------


def test_at_least_40_automated_checks_with_pass_and_fail_samples(ios_checks: list[Any]) -> None:
    assert len(ios_checks) >= 40
    for check in ios_checks:
        assert check.samples.get("pass"), check.id
        assert check.samples.get("fail"), check.id


def test_every_sample_agrees(catalog: Catalog, ios_checks: list[Any]) -> None:
    results = run_all(catalog, ios_checks)
    assert len(results) >= 3 * 40
    bad = [f"{r.check} {r.expected} #{r.index}: got {r.got} ({r.detail})" for r in results if not r.ok]
    assert not bad, "\n".join(bad)
    assert {r.expected for r in results} == {"pass", "fail", "error"}


def test_ids_tags_titles_and_file_layout(ios_checks: list[Any]) -> None:
    for check in ios_checks:
        assert re.fullmatch(r"IOS-[A-Z]{2,5}-\d{3}", check.id), check.id
        assert check.remediation.get("ansible_tags") == [check.id] or check.remediation.get("not_automated"), check.id
        for text in (check.title, check.remediation):
            assert re.search(r"[\u0e00-\u0e7f]", text["th"]), f"{check.id}: Thai text is missing"
            assert text["en"].strip(), check.id
        assert check.path.parent.parent.name == PLATFORM
        assert check.path.parent.name.upper() == check.id.split("-")[1], check.id


def test_refs_point_into_the_frameworks(catalog: Catalog, ios_checks: list[Any]) -> None:
    for check in ios_checks:
        assert check.refs.get("iso27001_2022") and check.refs.get("ncsa_cop_2564"), check.id
        cis = check.refs.get("cis", {})
        assert set(cis) <= {"ios_xe_17"}, check.id
        assert all(re.fullmatch(r"\d+(\.\d+)+", v) for v in cis.values()), check.id
    for fw in ("iso27001_2022", "ncsa_cop_2564"):
        if fw not in catalog.frameworks:
            continue  # written by another helper; checked once it exists
        known = {c["id"] for c in catalog.frameworks[fw]["clauses"]}
        unknown = [(c.id, ref) for c in ios_checks for ref in c.refs.get(fw, []) if ref not in known]
        assert not unknown, f"{fw}: {unknown}"


def test_wan_checks_apply_to_wan_routers_only(ios_checks: list[Any]) -> None:
    wan = [c for c in ios_checks if c.id.startswith("IOS-WAN-")]
    assert len(wan) >= 5
    for check in wan:
        assert check.applies(PLATFORM, "wan_router", None, "high")
        assert not check.applies(PLATFORM, "access_switch", None, "high")


def test_ios_sources_are_read_only_show_commands() -> None:
    for src in load_sources().values():
        if PLATFORM in src.platforms:
            assert src.command.startswith("show "), src.name


# --- rule functions ------------------------------------------------------------------------


def _run(name: str, config: str, variables: Mapping[str, Any] | None = None, **args: Any) -> Outcome:
    from prakan.parse import parse_ios_config

    def load(source: str) -> Any:
        if source != "running_config":
            raise EvidenceUnavailable(f"{source} was not collected")
        return parse_ios_config(config)

    # Compiled as the catalog compiles it, so missing evidence or variables become `error` outcomes.
    rule = compile_rule(
        {"function": name, "args": args},
        source="running_config",
        source_kinds={"running_config": "config"},
        functions=BUILTIN,
        where="test",
    )
    return rule(Context("unit", variables or {}, load))


def _cfg(*lines: str) -> str:
    return "\n".join(["!", "hostname r1", *lines, "!", "end"])


BANNER_VARS = {
    "prakan_approved": {
        "banner": {
            "en": "Authorised use only. Activity is logged and monitored.",
            "th": "สำหรับผู้ได้รับอนุญาตเท่านั้น การใช้งานทั้งหมดถูกบันทึกและตรวจสอบ",
        }
    }
}


def test_banner_text_ignores_wrapping_case_and_thai_sara_am_encoding() -> None:
    # The Thai text typed with NIKHAHIT + SARA AA instead of SARA AM, wrapped mid-word.
    thai = "สำหรับผู้ได้รับอนุญาตเท่านั้น การใช้งานทั้งหมดถูกบันทึก\nและตรวจสอบ".replace("ำ", "\u0e4d\u0e32")
    cfg = _cfg("banner login ^C", thai, "AUTHORISED USE ONLY.", "Activity is logged and monitored.", "^C")
    out = _run("ios_banner_text", cfg, BANNER_VARS)
    assert out.status == "pass", out
    assert out.lines and out.lines[0]["text"] == "banner login ^C"


@pytest.mark.parametrize(
    "body, status",
    [
        ("Authorised use only. Activity is logged and monitored.", "fail"),  # English only
        ("สำหรับผู้ได้รับอนุญาตเท่านั้น การใช้งานทั้งหมดถูกบันทึกและตรวจสอบ", "fail"),  # Thai only
    ],
)
def test_banner_text_needs_both_languages(body: str, status: str) -> None:
    out = _run("ios_banner_text", _cfg("banner motd ^C", body, "^C"), BANNER_VARS)
    assert out.status == status
    assert "lacks the approved" in out.actual


def test_banner_text_without_approved_text_is_an_error() -> None:
    cfg = _cfg("banner login ^CAuthorised use only.^C")
    assert _run("ios_banner_text", cfg, {}).status == "error"
    assert _run("ios_banner_text", cfg, {"prakan_approved": {"banner": {"en": "x", "th": ""}}}).status == "error"


@pytest.mark.parametrize(
    "lines, status",
    [
        (["enable secret 9 <redacted:prakan:1a2b3c4d>"], "pass"),
        (["enable secret 8 <redacted:prakan:1a2b3c4d>"], "pass"),
        (["enable secret level 15 9 <redacted:prakan:1a2b3c4d>"], "pass"),
        (["enable secret 5 <redacted:prakan:1a2b3c4d>"], "fail"),
        (["enable secret 4 <redacted:prakan:1a2b3c4d>"], "fail"),
        (["enable secret 9 <redacted:prakan:1>", "enable password <redacted:prakan:2>"], "fail"),
        (["enable password 7 <redacted:prakan:2>"], "fail"),
        ([], "fail"),
    ],
)
def test_enable_secret_type(lines: list[str], status: str) -> None:
    assert _run("ios_enable_secret_type", _cfg(*lines), allowed=[8, 9]).status == status


def test_user_secret_type_reports_each_account() -> None:
    cfg = _cfg(
        "username a privilege 15 secret 9 <redacted:prakan:1>",
        "username b password 7 <redacted:prakan:2>",
        "username c secret 5 <redacted:prakan:3>",
        "username d nopassword",
    )
    out = _run("ios_user_secret_type", cfg, allowed=[8, 9])
    assert out.status == "fail"
    assert "b: password type 7" in out.actual and "c: secret type 5" in out.actual and "d: nopassword" in out.actual
    assert [ln["line"] for ln in out.lines] == [4, 5, 6]
    assert _run("ios_user_secret_type", _cfg("username a secret 9 <redacted:prakan:1>")).status == "pass"
    assert _run("ios_user_secret_type", _cfg("ip ssh version 2")).status == "pass"  # no local accounts


@pytest.mark.parametrize(
    "line, acl",
    [
        ("snmp-server community <redacted:prakan:1> RO SNMP-ACL", True),
        ("snmp-server community <redacted:prakan:1> RO 99", True),
        ("snmp-server community <redacted:prakan:1> view V RW ipv6 V6ACL 98", True),
        ("snmp-server community <redacted:prakan:1> SNMP-ACL", True),
        ("snmp-server community <redacted:prakan:1> RO", False),
        ("snmp-server community <redacted:prakan:1> view V RO ipv6 V6ACL", False),
        ("snmp-server community <redacted:prakan:1>", False),
    ],
)
def test_snmp_community_acl(line: str, acl: bool) -> None:
    assert _run("ios_snmp_community_acl", _cfg(line)).status == ("pass" if acl else "fail")


def test_snmp_community_names_fail_closed_on_redaction() -> None:
    run = "ios_snmp_community_names"
    assert _run(run, _cfg("snmp-server community Public RO 99"), forbidden=["public"]).status == "fail"
    assert _run(run, _cfg("snmp-server community s3cr3t-Str RO 99"), forbidden=["public"]).status == "pass"
    assert _run(run, _cfg("snmp-server group G v3 priv"), forbidden=["public"]).status == "pass"
    hidden = _run(run, _cfg("snmp-server community <redacted:prakan:9f> RO 99"), forbidden=["public"])
    assert hidden.status == "error" and "redacted" in hidden.reason


@pytest.mark.parametrize(
    "lines, status",
    [
        ([" exec-timeout 10 0"], "pass"),
        ([" exec-timeout 0 30"], "pass"),
        ([" exec-timeout 9"], "pass"),
        ([], "pass"),  # IOS default: 10 minutes
        ([" exec-timeout 0 0"], "fail"),
        ([" exec-timeout 0"], "fail"),
        ([" exec-timeout 10 1"], "fail"),
        ([" exec-timeout 35791 0"], "fail"),
    ],
)
def test_line_exec_timeout(lines: list[str], status: str) -> None:
    cfg = _cfg("line vty 0 4", *lines, " transport input ssh")
    assert _run("ios_line_exec_timeout", cfg, section="^line vty ", max_minutes=10).status == status


def test_line_exec_timeout_without_the_line() -> None:
    cfg = _cfg("line con 0", " exec-timeout 5 0")
    assert _run("ios_line_exec_timeout", cfg, section="^line vty ").status == "fail"
    assert _run("ios_line_exec_timeout", cfg, section="^line aux ", if_no_section="pass").status == "pass"


def test_ntp_server_keys() -> None:
    keys = [
        "ntp authentication-key 1 md5 <redacted:prakan:1> 7",
        "ntp authentication-key 2 md5 <redacted:prakan:2> 7",
        "ntp authenticate",
        "ntp trusted-key 1 - 2",
    ]
    run = "ios_ntp_server_keys"
    good = _cfg(*keys, "ntp server 10.0.0.1 key 1", "ntp server vrf M 10.0.0.2 key 2 prefer")
    assert _run(run, good).status == "pass"
    out = _run(run, _cfg(*keys, "ntp server 10.0.0.1 key 3", "ntp server 10.0.0.2"))
    assert out.status == "fail" and "key 3 not defined" in out.actual and "10.0.0.2: no key" in out.actual
    untrusted = _run(run, _cfg(keys[0], "ntp trusted-key 2", "ntp server 10.0.0.1 key 1"))
    assert untrusted.status == "fail" and "not trusted" in untrusted.actual
    assert _run(run, _cfg(*keys)).status == "fail"  # no server at all


def test_bgp_neighbor_passwords_follow_peer_groups_and_templates() -> None:
    run = "ios_bgp_neighbor_passwords"
    cfg = _cfg(
        "router bgp 65010",
        " template peer-session PE",
        "  remote-as 4651",
        "  password 7 <redacted:prakan:1>",
        " exit-peer-session",
        " neighbor IBGP peer-group",
        " neighbor IBGP password 7 <redacted:prakan:2>",
        " neighbor 10.0.0.2 peer-group IBGP",
        " neighbor 172.16.0.1 inherit peer-session PE",
        " neighbor 172.16.0.5 remote-as 4651",
        " neighbor 172.16.0.5 password 7 <redacted:prakan:3>",
    )
    assert _run(run, cfg).status == "pass"
    bad = _run(run, cfg.replace(" neighbor IBGP password 7 <redacted:prakan:2>\n", ""))
    assert bad.status == "fail" and bad.actual == "neighbor 10.0.0.2 has no password"
    assert _run(run, _cfg("ip route 0.0.0.0 0.0.0.0 10.0.0.1")).status == "pass"


def test_bgp_neighbors_in_vrf_address_families_need_passwords() -> None:
    run = "ios_bgp_neighbor_passwords"
    vrf = [
        "router bgp 65010",
        " neighbor PE peer-group",
        " neighbor PE password 7 <redacted:prakan:1>",
        " neighbor 172.16.0.1 remote-as 4651",
        " neighbor 172.16.0.1 password 7 <redacted:prakan:2>",
        " address-family ipv4",
        "  neighbor 172.16.0.1 activate",
        "  neighbor PE activate",
        " exit-address-family",
        " address-family ipv4 vrf GIN",
        "  neighbor PE activate",
        "  neighbor 10.1.1.5 remote-as 65001",
        "  neighbor 10.1.1.5 peer-group PE",
    ]
    assert _run(run, _cfg(*vrf)).status == "pass"
    out = _run(run, _cfg(*vrf, "  neighbor 10.1.1.1 remote-as 65001", "  neighbor 10.1.1.1 activate"))
    assert out.status == "fail" and out.actual == "neighbor 10.1.1.1 (vrf GIN) has no password", out
    assert [ln["text"] for ln in out.lines] == ["neighbor 10.1.1.1 remote-as 65001"]
    # the global session to the same address does not cover the VRF one
    same = _run(run, _cfg(*vrf, "  neighbor 172.16.0.1 remote-as 65001"))
    assert same.status == "fail" and "172.16.0.1 (vrf GIN)" in same.actual
    assert (
        _run(
            run, _cfg(*vrf, "  neighbor 10.1.1.1 remote-as 65001", "  neighbor 10.1.1.1 password 7 <redacted:prakan:3>")
        ).status
        == "pass"
    )


def test_bgp_templates_inherit_passwords_from_templates() -> None:
    cfg = _cfg(
        "router bgp 65010",
        " template peer-session BASE",
        "  password 7 <redacted:prakan:1>",
        " exit-peer-session",
        " template peer-session PE",
        "  remote-as 4651",
        "  inherit peer-session BASE",
        " exit-peer-session",
        " neighbor 172.16.0.1 inherit peer-session PE",
    )
    assert _run("ios_bgp_neighbor_passwords", cfg).status == "pass"
    unset = cfg.replace("  password 7 <redacted:prakan:1>\n", "")
    assert _run("ios_bgp_neighbor_passwords", unset).status == "fail"


KEY_CHAIN = ["key chain KC", " key 1", "  key-string 7 <redacted:prakan:1>"]


def _ospf(*interfaces: list[str], router: tuple[str, ...] = (), chains: bool = True) -> str:
    body = [ln for itf in interfaces for ln in itf]
    return _cfg(*(KEY_CHAIN if chains else []), *body, "router ospf 10", *router)


def test_ospf_every_adjacent_interface_must_authenticate() -> None:
    run = "ios_ospf_authentication"
    lan1 = ["interface GigabitEthernet0/1", " ip address 10.0.1.1 255.255.255.0"]
    lan2 = ["interface GigabitEthernet0/2", " ip address 10.0.2.1 255.255.255.0"]
    nets = (" network 10.0.0.0 0.0.255.255 area 0",)
    one = _run(run, _ospf([*lan1, " ip ospf authentication key-chain KC"], lan2, router=nets))
    assert one.status == "fail" and one.actual == "GigabitEthernet0/2: area 0 is not authenticated", one
    assert [ln["text"] for ln in one.lines] == ["interface GigabitEthernet0/2"]
    both = _run(
        run,
        _ospf(
            [*lan1, " ip ospf authentication key-chain KC"],
            [*lan2, " ip ospf authentication message-digest"],
            router=nets,
        ),
    )
    assert both.status == "pass" and "2 OSPF interface(s)" in both.actual
    # area authentication covers both; `null` on one interface opts it out again
    area = (" area 0.0.0.0 authentication message-digest", *nets)
    assert _run(run, _ospf(lan1, lan2, router=area)).status == "pass"
    out = _run(run, _ospf(lan1, [*lan2, " ip ospf authentication null"], router=area))
    assert out.status == "fail" and "`ip ospf authentication null`" in out.actual
    plain = _run(run, _ospf(lan1, [*lan2, " ip ospf authentication"], router=area))
    assert plain.status == "fail" and "(no digest)" in plain.actual


def test_ospf_membership_by_interface_line_passive_and_loopback() -> None:
    run = "ios_ospf_authentication"
    lo = ["interface Loopback0", " ip address 10.0.255.1 255.255.255.255"]
    wan = ["interface GigabitEthernet0/0", " ip address 172.16.0.2 255.255.255.252", " ip ospf 10 area 1"]
    lan = ["interface GigabitEthernet0/1", " ip address 10.0.1.1 255.255.255.0"]
    router = (
        " passive-interface default",
        " no passive-interface GigabitEthernet0/0",
        " network 10.0.0.0 0.0.255.255 area 0",
    )
    out = _run(run, _ospf(lo, wan, lan, router=router))
    assert out.status == "fail" and out.actual == "GigabitEthernet0/0: area 1 is not authenticated", out
    assert _run(run, _ospf(lo, wan, lan, router=(" area 1 authentication message-digest", *router))).status == "pass"
    # the key chain an interface names must exist
    undefined = _run(run, _ospf(lo, [*wan, " ip ospf authentication key-chain KC"], lan, router=router, chains=False))
    assert undefined.status == "fail" and "key chain KC is not defined" in undefined.actual


def test_ospf_network_without_a_visible_interface_needs_area_authentication() -> None:
    run = "ios_ospf_authentication"
    unnumbered = ["interface Serial0/0", " ip unnumbered Loopback0"]
    out = _run(run, _ospf(unnumbered, router=(" network 192.168.9.0 0.0.0.255 area 2",)))
    assert out.status == "fail" and "covers no interface seen" in out.actual
    ok = (" area 2 authentication message-digest", " network 192.168.9.0 0.0.0.255 area 2")
    assert _run(run, _ospf(unnumbered, router=ok)).status == "pass"
    # an unnumbered interface runs OSPF on the address it borrows: the loopback's network takes it in
    lo = ["interface Loopback0", " ip address 10.0.255.1 255.255.255.255"]
    borrowed = _run(run, _ospf(lo, unnumbered, router=(" network 10.0.255.1 0.0.0.0 area 0",)))
    assert borrowed.status == "fail" and borrowed.actual == "Serial0/0: area 0 is not authenticated", borrowed
    assert _run(run, _cfg("router ospfv3 1", " area 0 normal")).status == "pass"  # OSPFv3 is not judged


def test_eigrp_classic_every_interface_needs_md5_and_a_defined_key_chain() -> None:
    run = "ios_eigrp_authentication"
    good = [" ip authentication mode eigrp 100 md5", " ip authentication key-chain eigrp 100 KC"]
    lan1 = ["interface GigabitEthernet0/1", " ip address 10.0.1.1 255.255.255.0"]
    lan2 = ["interface GigabitEthernet0/2", " ip address 10.0.2.1 255.255.255.0"]
    router = ["router eigrp 100", " network 10.0.0.0"]  # classful: covers both
    assert _run(run, _cfg(*KEY_CHAIN, *lan1, *good, *lan2, *good, *router)).status == "pass"
    out = _run(run, _cfg(*KEY_CHAIN, *lan1, *good, *lan2, *router))
    assert out.status == "fail" and out.actual == "GigabitEthernet0/2 (AS 100): no `ip authentication mode eigrp md5`"
    assert (
        _run(run, _cfg(*KEY_CHAIN, *lan1, *good, *lan2, *router, " passive-interface GigabitEthernet0/2")).status
        == "pass"
    )
    no_chain = _run(run, _cfg(*KEY_CHAIN, *lan1, good[0], "router eigrp 100", " network 10.0.1.0 0.0.0.255"))
    assert no_chain.status == "fail" and "no `ip authentication key-chain eigrp`" in no_chain.actual
    undefined = _run(run, _cfg(*lan1, *good, "router eigrp 100", " network 10.0.1.0 0.0.0.255"))
    assert undefined.status == "fail" and "key chain KC is not defined" in undefined.actual
    # a mode line outside any network statement still needs its key chain
    stray = _run(run, _cfg(*lan1, good[0], "router eigrp 100", " network 172.16.0.0"))
    assert stray.status == "fail" and "GigabitEthernet0/1 (AS 100)" in stray.actual
    assert _run(run, _cfg("ip route 0.0.0.0 0.0.0.0 10.0.0.1")).status == "pass"


def test_eigrp_named_mode_interface_blocks_override_the_default() -> None:
    run = "ios_eigrp_authentication"

    def named(*af_lines: str) -> str:
        return _cfg(
            *KEY_CHAIN,
            "interface GigabitEthernet0/1",
            " ip address 10.0.1.1 255.255.255.0",
            "router eigrp PRD",
            " address-family ipv4 unicast autonomous-system 100",
            *af_lines,
            "  network 10.0.1.0 0.0.0.255",
            " exit-address-family",
        )

    sha = ("  af-interface default", "   authentication mode hmac-sha-256 7 <redacted:prakan:2>", "  exit-af-interface")
    assert _run(run, named(*sha)).status == "pass"
    md5 = ("  af-interface GigabitEthernet0/1", "   authentication mode md5", "  exit-af-interface")
    out = _run(run, named(*sha, *md5))
    assert out.status == "fail" and "md5 without `authentication key-chain`" in out.actual
    with_chain = (*md5[:2], "   authentication key-chain KC", md5[2])
    assert _run(run, named(*sha, *with_chain)).status == "pass"
    assert _run(run, named()).status == "fail"
    passive = ("  af-interface GigabitEthernet0/1", "   passive-interface", "  exit-af-interface")
    assert _run(run, named(*passive)).status == "pass"


def test_functions_fail_closed_on_unusable_evidence() -> None:
    def missing(source: str) -> Any:
        raise EvidenceUnavailable("was not collected")

    ctx = Context("unit", BANNER_VARS, missing)
    names = [n for n in BUILTIN.names() if n.startswith("ios_")]
    assert len(names) >= 7
    for name in names:
        rule = compile_rule(
            {"function": name},
            source="running_config",
            source_kinds={"running_config": "config"},
            functions=BUILTIN,
            where="test",
        )
        out = rule(ctx)
        assert out.status == "error" and "was not collected" in out.reason, name


# --- three full configurations ---------------------------------------------------------------

# The simulated device's IOS XE 17.9.4a `show version`: one text for the lab and the checks
SHOW_VERSION_179 = FAKE_SHOW_VERSION.format(hostname="bkk-hq-rtr01", serial="9ABCDEF1234")
SHOW_VERSION_157 = """\
Cisco IOS Software, C2900 Software (C2900-UNIVERSALK9-M), Version 15.7(3)M8, RELEASE SOFTWARE (fc1)
Technical Support: http://www.cisco.com/techsupport
Copyright (c) 1986-2021 by Cisco Systems, Inc.
Compiled Thu 25-Feb-21 19:01 by prod_rel_team

ROM: System Bootstrap, Version 15.0(1r)M16, RELEASE SOFTWARE (fc1)

ubn-prov-rtr01 uptime is 2 years, 10 weeks, 3 days, 4 hours, 11 minutes
System returned to ROM by power-on
System image file is "flash0:c2900-universalk9-mz.SPA.157-3.M8.bin"
Last reload reason: power-on

Cisco CISCO2911/K9 (revision 1.0) with 483328K/40960K bytes of memory.
Processor board ID FGL1234567A
3 Gigabit Ethernet interfaces
255K bytes of non-volatile configuration memory.

Configuration register is 0x2102
"""

CONFIGS = {
    # file: (WAN interfaces, show version, {check: expected status})
    "ios_xe17_hardened.cfg": (["GigabitEthernet0/0/0"], SHOW_VERSION_179, {}),  # every check passes
    "ios15_defaultish.cfg": (
        ["GigabitEthernet0/0"],
        SHOW_VERSION_157,
        {
            "IOS-AAA-001": "fail",
            "IOS-PWD-001": "fail",
            "IOS-PWD-002": "fail",
            "IOS-MGMT-010": "fail",
            "IOS-MGMT-014": "fail",
            "IOS-MGMT-016": "fail",
            "IOS-MGMT-017": "fail",
            "IOS-SNMP-002": "fail",
            "IOS-SNMP-003": "fail",
            "IOS-SNMP-005": "fail",
            "IOS-LOG-001": "fail",
            "IOS-NTP-001": "fail",
            "IOS-RTG-002": "fail",
            "IOS-WAN-001": "fail",
            "IOS-SW-001": "fail",
            "IOS-BAN-001": "fail",
            "IOS-MGMT-012": "pass",
            "IOS-SSH-003": "pass",
            "IOS-RTG-001": "pass",
            "IOS-RTG-003": "pass",
            "IOS-SVC-001": "pass",
        },
    ),
    "ios_xe17_thai_banners.cfg": (
        ["GigabitEthernet0/0/0"],
        SHOW_VERSION_179.replace("17.9.4a", "17.12.4"),
        {
            "IOS-BAN-001": "pass",
            "IOS-BAN-002": "pass",
            "IOS-BAN-003": "pass",
            "IOS-BAN-004": "pass",
            "IOS-PWD-001": "pass",
            "IOS-AAA-002": "pass",
            "IOS-AAA-009": "pass",
            "IOS-RTG-001": "pass",
            "IOS-RTG-003": "fail",
            "IOS-MGMT-012": "fail",
            "IOS-MGMT-018": "fail",
            "IOS-NTP-005": "fail",
            "IOS-WAN-004": "fail",
            "IOS-SNMP-001": "fail",
            "IOS-SNMP-002": "error",
            "IOS-SW-001": "pass",
        },
    ),
}


def _evaluate(catalog: Catalog, name: str, role: str = "wan_router") -> dict[str, dict[str, Any]]:
    wan, version, _ = CONFIGS[name]
    doc = {
        "sources": {
            "running_config": SourceResult("show running-config", (DATA / name).read_text("utf-8")).to_json(),
            "show_version": SourceResult("show version", version).to_json(),
        }
    }
    variables = default_sample_vars(catalog) | {"prakan_wan_interfaces": wan}
    host = evaluate_host(doc, catalog, HostInfo(name, PLATFORM, role=role, category="high", vars=variables))
    return {r["check"]: r for r in host["results"]}


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_full_configs_evaluate_with_expected_statuses(catalog: Catalog, ios_checks: list[Any], name: str) -> None:
    results = _evaluate(catalog, name)
    assert set(results) == {c.id for c in ios_checks}
    expected = CONFIGS[name][2]
    for check_id, status in expected.items():
        assert results[check_id]["status"] == status, (check_id, results[check_id])
    if not expected:
        assert {r["check"]: r["status"] for r in results.values() if r["status"] != "pass"} == {}
    for r in results.values():  # a failure always shows its evidence or says why there is none
        if r["status"] == "fail":
            assert r["evidence"] or r["actual"], r


def test_full_config_on_an_access_switch_skips_wan_checks(catalog: Catalog) -> None:
    results = _evaluate(catalog, "ios15_defaultish.cfg", role="access_switch")
    assert results["IOS-WAN-001"]["status"] == "not_applicable"
    assert results["IOS-MGMT-010"]["status"] == "fail"


def test_thai_banner_config_keeps_banner_bodies_out_of_the_tree(catalog: Catalog) -> None:
    from prakan.parse import parse_ios_config

    tree = parse_ios_config((DATA / "ios_xe17_thai_banners.cfg").read_text("utf-8"))
    assert set(tree.banners) == {"exec", "login", "motd"}
    assert tree.banners["motd"] == "ปิดปรับปรุงระบบทุกวันอาทิตย์ 02:00-04:00 น."
    assert "WARNING: Authorised use only." in tree.banners["login"]
    assert not any(n.text.startswith("WARNING") for n in tree.roots)


def test_truncated_full_config_is_an_error_for_every_config_check(catalog: Catalog) -> None:
    text = (DATA / "ios_xe17_hardened.cfg").read_text("utf-8").rsplit("end", 1)[0]
    doc = {
        "sources": {
            "running_config": SourceResult("show running-config", text).to_json(),
            "show_version": SourceResult("show version", SHOW_VERSION_179).to_json(),
        }
    }
    host = evaluate_host(
        doc, catalog, HostInfo("t", PLATFORM, role="wan_router", category="high", vars=default_sample_vars(catalog))
    )
    statuses = {r["check"]: r["status"] for r in host["results"]}
    assert statuses.pop("IOS-SW-001") == "pass"
    assert set(statuses.values()) == {"error"}

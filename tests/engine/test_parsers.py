import pytest
from prakan.parse import ParseError, parse_delimited, parse_flat_config, parse_ios_config, parse_kv, parse_textfsm

IOS = """Building configuration...

Current configuration : 512 bytes
!
version 17.3
hostname r1
!
banner motd ^C
สำหรับผู้ได้รับอนุญาตเท่านั้น
Authorised use only
^C
interface GigabitEthernet0/0/0
 description WAN MPLS
 ip address 10.0.0.1 255.255.255.252
 no cdp enable
!
router ospf 1
 area 0 authentication message-digest
line vty 0 4
 transport input ssh
end
"""


def test_ios_tree_sections_banners_and_index() -> None:
    tree = parse_ios_config(IOS)
    assert [n.text for n in tree.candidates("interface")] == ["interface GigabitEthernet0/0/0"]
    wan = next(iter(tree.candidates("interface")))
    assert [c.text for c in wan.children] == [
        "description WAN MPLS",
        "ip address 10.0.0.1 255.255.255.252",
        "no cdp enable",
    ]
    assert wan.line.no == 12
    assert "สำหรับผู้ได้รับอนุญาตเท่านั้น" in tree.banners["motd"]
    # banner body lines are not configuration
    assert not list(tree.candidates("Authorised"))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (IOS.replace("end\n", ""), "truncated"),
        ("", "empty"),
        ("% Invalid input detected at '^' marker.\nend\n", "error"),
        ("<html><body>502 Bad Gateway</body></html>\nend\n", "does not look like"),
        (IOS.replace("^C\ninterface", "interface").replace("end\n", "") + "end\n", "banner"),
    ],
)
def test_ios_refuses_untrustworthy_text(text: str, reason: str) -> None:
    with pytest.raises(ParseError, match=reason):
        parse_ios_config(text)


def test_kv_sshd_and_expected_keys() -> None:
    kv = parse_kv("Port 22\nPermitRootLogin no\nhostkey /a\nhostkey /b\n", lower_keys=True, expect_keys=["port"])
    assert kv.get("hostkey") == ["/a", "/b"]
    assert kv.lines_of("permitrootlogin")[0].no == 2
    with pytest.raises(ParseError, match="'port' is missing"):
        parse_kv("permitrootlogin no\n", expect_keys=["port"])


def test_kv_rejects_error_text() -> None:
    with pytest.raises(ParseError):
        parse_kv("sysctl: permission denied\nbash: oops\n", sep="=")


def test_delimited_counts_fields() -> None:
    t = parse_delimited(
        "root:x:0:0:root:/root:/bin/bash\n", ["name", "password", "uid", "gid", "gecos", "home", "shell"], ":"
    )
    assert t.rows[0]["uid"] == "0"
    with pytest.raises(ParseError, match="expected 3 fields"):
        parse_delimited("a b\n", ["x", "y", "z"])


def test_flat_skips_comments() -> None:
    tree = parse_flat_config("# comment\n*.* @@10.0.0.1:514\n")
    assert [n.text for n in tree.roots] == ["*.* @@10.0.0.1:514"]


def test_textfsm_show_version() -> None:
    text = (
        "Cisco IOS XE Software, Version 17.09.04a\n"
        "Cisco IOS Software [Cupertino], ISR Software (X86_64_LINUX_IOSD-UNIVERSALK9-M), Version 17.9.4a, "
        "RELEASE SOFTWARE (fc3)\n"
        "ROM: 16.12(2r)\nr1 uptime is 5 weeks, 2 days, 3 hours, 1 minute\n"
        'System image file is "bootflash:isr4300-universalk9.17.09.04a.SPA.bin"\n'
        "cisco ISR4331/K9 (1RU) processor with 1795999K/6147K bytes of memory.\n"
        "Processor board ID FDO12345678\n"
        "Configuration register is 0x2102\n"
    )
    table = parse_textfsm(text, "cisco_ios", "show version")
    assert table.rows[0]["HOSTNAME"] == "r1"
    with pytest.raises(ParseError):
        parse_textfsm("garbage", "cisco_ios", "show version")


def test_ios_refuses_a_config_without_hostname_or_far_shorter_than_announced() -> None:
    with pytest.raises(ParseError, match="no `hostname` line"):
        parse_ios_config("Building configuration...\n\nCurrent configuration : 12000 bytes\n!\nend\n")
    short = "Building configuration...\n\nCurrent configuration : 12000 bytes\n!\nhostname r1\n!\nend\n"
    with pytest.raises(ParseError, match="far fewer than the 12000"):
        parse_ios_config(short)


def test_ios_tab_indented_lines_stay_inside_their_section() -> None:
    tree = parse_ios_config("!\nhostname r1\nline vty 0 4\n\ttransport input telnet\nend\n")
    (vty,) = tree.candidates("line")
    assert [c.text for c in vty.children] == ["transport input telnet"]
    assert not list(tree.candidates("transport"))

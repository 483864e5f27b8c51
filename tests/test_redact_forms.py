"""Secret forms found in review: each must leave no trace in evidence, and stay idempotent."""

import pytest

from scanner.redact import redact_text

KEY = b"review-key"

CASES = [
    ("cisco_ios", "snmp-server host 10.1.1.1 vrf Mgmt-intf version 2c VrfComm1", "VrfComm1"),
    ("cisco_ios", "  pre-shared-key hostname peer1 key HostPsk2", "HostPsk2"),
    ("cisco_ios", " authentication local pre-share key Ikev2Local3", "Ikev2Local3"),
    ("cisco_ios", " authentication remote pre-share key 6 Ikev2Remote4", "Ikev2Remote4"),
    ("cisco_ios", " bind authenticate root-dn CN=svc,DC=gov password 7 LdapBind5", "LdapBind5"),
    ("cisco_ios", " path scp://backup:ArchivePw6@10.0.0.5/$h-$t", "ArchivePw6"),
    ("cisco_ios", "glbp 1 authentication text GlbpText7", "GlbpText7"),
    ("cisco_ios", " ipv6 ospf authentication ipsec spi 256 md5 Ospf3Key8", "Ospf3Key8"),
    ("linux", 'action(type="ommysql" server="db" uid="rsyslog" pwd="MysqlPw9")', "MysqlPw9"),
    ("linux", '*.* action(type="omhttp" url="https://u:HttpPw10@es.example/")', "HttpPw10"),
    ("linux", "net.ipv4.tcp_fastopen_key = 00000000-00000000-00000000-FastOpen11", "FastOpen11"),
    ("linux", "bob:!$6$salt$Sha512Hash12", "Sha512Hash12"),  # a shadow line without all 9 fields
    ("linux", "old:aBcDeFgHiJkL3:1", "aBcDeFgHiJkL3"),  # a 13-character DES crypt hash
]


@pytest.mark.parametrize(("platform", "line", "secret"), CASES)
def test_redacted_and_idempotent(platform: str, line: str, secret: str) -> None:
    once, n = redact_text(line + "\n", platform, KEY)
    assert secret not in once and n == 1
    twice, again = redact_text(once, platform, KEY)
    assert twice == once and again == 0


def test_ordinary_lines_are_left_alone() -> None:
    text = "libssl3:amd64 3.0.11-1 ii\nroot:x:0:0:root:/root:/bin/bash\nsvc:*:19000::::::\n"
    assert redact_text(text, "linux", KEY) == (text, 0)

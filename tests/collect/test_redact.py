"""Redaction without the lab: every secret form, keyed-hash stability, IOS type numbers kept."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from prakan.redact import redact_text, redaction_key, token

KEY = b"unit-test-key"

# (config line, the secret it holds, what must stay visible)
IOS_CASES = [
    ("enable secret 9 $9$nhEmQVczB7dqsO$X.HsgL6x1il0RxkOSSvyQYwucySCt7qFm4", "$9$nhEmQVczB7dqsO", "enable secret 9 "),
    ("enable secret 5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0", "$1$mERr$hx5rVt7rPNoS4wqbXKX7m0", "enable secret 5 "),
    ("enable password Cl3arEnable", "Cl3arEnable", "enable password "),
    ("enable password 7 0822455D0A16", "0822455D0A16", "enable password 7 "),
    ("username admin privilege 15 secret 9 $9$abcDEF$ghiJKL", "$9$abcDEF$ghiJKL", "privilege 15 secret 9 "),
    ("username ops password 0 PlainUserPw", "PlainUserPw", "username ops password 0 "),
    ("username ops privilege 1 algorithm-type scrypt secret 9 $9$x$y", "$9$x$y", "algorithm-type scrypt secret 9 "),
    ("snmp-server community N3tw0rkRO RO 99", "N3tw0rkRO", " RO 99"),
    ("snmp-server community Wr1teC0mm view V RW SNMP-ACL", "Wr1teC0mm", " view V RW SNMP-ACL"),
    ("snmp-server user nms NMS v3 auth sha AuthK3yX priv aes 128 PrivK3yY", "AuthK3yX", "auth sha "),
    ("snmp-server user nms NMS v3 auth sha AuthK3yX priv aes 128 PrivK3yY", "PrivK3yY", " priv aes 128 "),
    ("snmp-server host 10.10.0.50 version 2c TrapC0mm", "TrapC0mm", "snmp-server host 10.10.0.50 version 2c "),
    ("tacacs-server key 7 TacKeyType7", "TacKeyType7", "tacacs-server key 7 "),
    ("tacacs-server host 10.10.0.41 key Tac Key With Spaces", "Tac Key With Spaces", "host 10.10.0.41 key "),
    ("radius-server key 0 RadiusK3y", "RadiusK3y", "radius-server key 0 "),
    ("ntp authentication-key 1 md5 NtpMd5K3y 7", "NtpMd5K3y", "ntp authentication-key 1 md5 "),
    ("crypto isakmp key IsakmpPsk address 203.0.113.9", "IsakmpPsk", " address 203.0.113.9"),
    (" pre-shared-key local Ikev2L0cal", "Ikev2L0cal", " pre-shared-key local "),
    (" pre-shared-key address 203.0.113.9 key KeyringPsk", "KeyringPsk", "pre-shared-key address 203.0.113.9 key "),
    ("  key-string 7 KeyChainStr", "KeyChainStr", "  key-string 7 "),
    (" neighbor 10.0.0.2 password 7 BgpNeighPw", "BgpNeighPw", " neighbor 10.0.0.2 password 7 "),
    (" ip ospf message-digest-key 1 md5 7 OspfMd5K", "OspfMd5K", " ip ospf message-digest-key 1 md5 7 "),
    (" ip ospf authentication-key OspfAuthK", "OspfAuthK", " ip ospf authentication-key "),
    (" ppp chap password 0 ChapSecret", "ChapSecret", " ppp chap password 0 "),
    (" password 7 VtyLinePw", "VtyLinePw", " password 7 "),
    (" vrrp 1 authentication text VrrpClear", "VrrpClear", " vrrp 1 authentication text "),
    (" standby 1 authentication HsrpClear", "HsrpClear", " standby 1 authentication "),
    (" ip nhrp authentication NhrpK3y", "NhrpK3y", " ip nhrp authentication "),
    ("ip ftp password FtpPassw0rd", "FtpPassw0rd", "ip ftp password "),
    (" wpa-psk ascii 7 WpaPsk", "WpaPsk", " wpa-psk ascii 7 "),
    (" area-password IsisArea", "IsisArea", " area-password "),
    (" isis password IsisIf", "IsisIf", " isis password "),
    ("mpls ldp neighbor 10.0.0.9 password 7 LdpPw", "LdpPw", "mpls ldp neighbor 10.0.0.9 password 7 "),
    (" client 10.10.0.42 server-key 7 CoaKey", "CoaKey", " client 10.10.0.42 server-key 7 "),
]


@pytest.mark.parametrize(("line", "secret", "kept"), IOS_CASES)
def test_ios_secret_forms(line: str, secret: str, kept: str) -> None:
    out, n = redact_text(line + "\n", "cisco_ios", KEY)
    assert secret not in out
    assert kept in out
    assert "<redacted:prakan:" in out and n >= 1
    assert out.endswith("\n")


def test_aaa_server_block_keys_only_inside_the_block() -> None:
    cfg = (
        "tacacs server TAC1\n address ipv4 10.10.0.41\n key 7 TacBlockKey\n"
        "radius server RAD1\n address ipv4 10.10.0.42 auth-port 1812\n key RadBlockKey\n pac key 7 PacKey1\n"
        "key chain OSPF\n key 1\n  key-string KcStr\n"
        "interface Gi1\n description key 7 not-a-secret\n"
    )
    out, n = redact_text(cfg, "cisco_ios", KEY)
    for secret in ("TacBlockKey", "RadBlockKey", "PacKey1", "KcStr"):
        assert secret not in out
    assert " key 7 <redacted:prakan:" in out and " key 1\n" in out  # key chain index is not a secret
    assert "description key 7 not-a-secret" in out
    assert n == 4


def test_non_secrets_stay() -> None:
    cfg = (
        "password encryption aes\nservice password-encryption\nsecurity passwords min-length 12\n"
        "snmp-server community public RO\nsnmp-server community private RW\nline vty 0 4\n login local\n"
    )
    out, n = redact_text(cfg, "cisco_ios", KEY)
    assert out == cfg and n == 0  # factory-default communities stay visible for the checks about them


def test_keyed_hash_is_stable_and_keyed() -> None:
    a, _ = redact_text("enable secret 9 $9$same\n", "cisco_ios", KEY)
    b, _ = redact_text("username x secret 9 $9$same\n", "cisco_ios", KEY)
    c, _ = redact_text("enable secret 9 $9$other\n", "cisco_ios", KEY)
    d, _ = redact_text("enable secret 9 $9$same\n", "cisco_ios", b"another-installation")
    again, _ = redact_text("enable secret 9 $9$same\n", "cisco_ios", KEY)
    assert a == again  # same field, same secret, same token on every run: drift stays visible
    tok_a, tok_b = a.split()[-1], b.split()[-1]
    # the same value in an unrelated field gets an unrelated token: one leak does not reveal both
    assert tok_a.startswith("<redacted:prakan:") and tok_b.startswith("<redacted:prakan:") and tok_a != tok_b
    assert tok_a not in c and tok_a not in d
    assert token("$9$same", KEY) not in a  # tokens are scoped to their field
    assert len(tok_a) == len("<redacted:prakan:>") + 16


def test_idempotent() -> None:
    cfg = "enable secret 9 $9$x\ntacacs-server key K1\nroot:$6$salt$hash:19000:0:99999:7:::\n"
    once, n1 = redact_text(cfg, "cisco_ios", KEY)
    twice, n2 = redact_text(once, "cisco_ios", KEY)
    assert once == twice and n1 == 2 and n2 == 0


def test_pem_private_keys_any_platform() -> None:
    pem = (
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU\nAAAAAAAAAAEAAAAz\n"
        "-----END OPENSSH PRIVATE KEY-----\n"
    )
    for platform in ("linux", "cisco_ios", "other"):
        out, n = redact_text("before\n" + pem + "after\n", platform, KEY)
        assert "b3BlbnNzaC1rZXktdjEAAAAABG5vbmU" not in out and n == 1
        assert "-----BEGIN OPENSSH PRIVATE KEY-----\n<redacted:prakan:" in out and out.endswith("after\n")
    rsa = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----"
    assert "MIIEowIBAAKCAQEA" not in redact_text(rsa, "linux", KEY)[0]
    cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    assert redact_text(cert, "linux", KEY) == (cert, 0)


def test_shadow_hashes() -> None:
    shadow = (
        "root:$y$j9T$abc$def:19800:0:99999:7:::\n"
        "lab:!$6$salt$lockedhash:19800:0:99999:7:::\n"
        "old:*!$6$s$h2:19800::::::\n"
        "daemon:*:19800:0:99999:7:::\n"
        "nologin:!:19800::::::\n"
        "never:!!:19800::::::\n"
        "empty::19800:0:99999:7:::\n"
    )
    out, n = redact_text(shadow, "linux", KEY)
    lines = out.splitlines()
    assert n == 3 and "$y$j9T" not in out and "lockedhash" not in out and "h2" not in out
    assert lines[0].startswith("root:$prakan$") and lines[0].endswith(":19800:0:99999:7:::")
    assert lines[1].startswith("lab:!$prakan$")
    assert lines[2].startswith("old:*!$prakan$")
    assert lines[3:] == shadow.splitlines()[3:]  # no hash, nothing to hide
    assert len(lines[0].split(":")) == 9  # still parses as /etc/shadow
    passwd = "root:x:0:0:root:/root:/bin/bash\n"
    assert redact_text(passwd, "linux", KEY) == (passwd, 0)


def test_redaction_key_file_created_0600(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PRAKAN_REDACTION_KEY", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    k1 = redaction_key()
    path = tmp_path / "prakan" / "redaction.key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600 and len(k1) == 64
    assert redaction_key() == k1
    monkeypatch.setenv("PRAKAN_REDACTION_KEY", "from-env")
    assert redaction_key() == b"from-env"


MORE_CASES = [  # (platform, line, secret): forms found in review, each also checked for idempotence
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


@pytest.mark.parametrize(("platform", "line", "secret"), MORE_CASES)
def test_redacted_and_idempotent(platform: str, line: str, secret: str) -> None:
    once, n = redact_text(line + "\n", platform, KEY)
    assert secret not in once and n == 1
    twice, again = redact_text(once, platform, KEY)
    assert twice == once and again == 0


def test_ordinary_lines_are_left_alone() -> None:
    text = "libssl3:amd64 3.0.11-1 ii\nroot:x:0:0:root:/root:/bin/bash\nsvc:*:19000::::::\n"
    assert redact_text(text, "linux", KEY) == (text, 0)


# ---- the corpus: many more forms than the catalog's own (tests/collect/data/redaction_corpus.yml)
def _corpus() -> list[tuple[str, dict]]:
    import yaml

    data = yaml.safe_load((Path(__file__).parent / "data" / "redaction_corpus.yml").read_text(encoding="utf-8"))
    return [(platform, case) for platform in ("ios", "linux") for case in data[platform]]


CORPUS = _corpus()


@pytest.mark.parametrize(("platform", "case"), CORPUS, ids=[f"{p}-{i}" for i, (p, _) in enumerate(CORPUS)])
def test_redaction_corpus(platform: str, case: dict) -> None:
    name = {"ios": "cisco_ios", "linux": "linux"}[platform]
    if "unchanged" in case:
        text = case["unchanged"] + "\n"
        assert redact_text(text, name, KEY) == (text, 0)
        return
    text = case["text"] + "\n"
    out, n = redact_text(text, name, KEY, scope="running_config")
    for secret in case["secrets"]:
        assert secret not in out, out
    for kept in case.get("keep", []):
        assert kept in out, out
    assert n >= min(1, len(case["secrets"]))
    assert redact_text(out, name, KEY, scope="running_config") == (out, 0)  # idempotent


def test_the_corpus_is_large() -> None:
    assert len(CORPUS) >= 140

"""Secret redaction: applied to every output before anything touches disk.

A secret is replaced by a keyed hash token `<redacted:prakan:HEX16>` (HMAC-SHA256 under a
per-installation key), so the same secret always gives the same token and a changed secret shows as
drift, while the evidence never holds the secret or an offline-guessable hash of it. IOS type numbers
(0/5/6/7/8/9) stay visible: checks need to tell `password 7` from `secret 9`. /etc/shadow hashes
become `$prakan$HEX16` (no colons, so the file still parses), keeping `!`/`*` lock markers.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Callable
from pathlib import Path

KEY_ENV = "PRAKAN_REDACTION_KEY"
# Factory-default SNMP communities are not secrets (every scanner tries them) and the checks for
# them need to see them, so they stay in clear; any other community is redacted.
DEFAULT_COMMUNITIES = frozenset({"public", "private"})
TOKEN = re.compile(r"^(?:<redacted:prakan:[0-9a-f]{16}>|\$prakan\$[0-9a-f]{16})$")
_T = r"(?:[0-9] (?=\S))?"  # an optional IOS type number before the secret

# (pattern, group holding the secret). The group runs to the end of the secret word; `.+` where IOS
# takes the rest of the line (keys may contain spaces).
_Rule = tuple[re.Pattern[str], str]
_IOS_LINE: list[_Rule] = [
    (re.compile(rf"^\s*enable (?:secret|password)(?: level \d+)? {_T}(?P<s>\S+)"), "s"),
    (re.compile(rf"^\s*username \S+ (?:.* )?(?:secret|password) {_T}(?P<s>\S+)"), "s"),
    (re.compile(rf"^\s*(?:tacacs|radius)-server (?:.* )?key {_T}(?P<s>\S.*?)\s*$"), "s"),
    (re.compile(r"^\s*ntp authentication-key \d+ \S+ (?P<s>\S+)"), "s"),
    (re.compile(rf"^\s*crypto isakmp key {_T}(?P<s>\S+)"), "s"),
    (re.compile(rf"\bpre-shared-key (?:(?:local|remote) )?(?:(?:address|hostname) \S+ (?:\S+ )?key )?{_T}(?P<s>\S+)"),
     "s"),
    (re.compile(rf"\bauthentication (?:local|remote) pre-share key {_T}(?P<s>\S+)"), "s"),  # IKEv2 profiles
    (re.compile(rf"\bkey-string {_T}(?P<s>\S+)"), "s"),
    (re.compile(rf"^\s*neighbor \S+ password {_T}(?P<s>\S+)"), "s"),
    (re.compile(rf"^\s*ip ospf message-digest-key \d+ md5 {_T}(?P<s>\S+)"), "s"),
    (re.compile(rf"^\s*ip ospf authentication-key {_T}(?P<s>\S+)"), "s"),
    (re.compile(rf"^\s*ppp (?:chap|pap sent-username \S+) password {_T}(?P<s>\S+)"), "s"),
    (re.compile(rf"^\s*key config-key password-encrypt {_T}(?P<s>\S+)"), "s"),
    (re.compile(rf"^\s+password {_T}(?P<s>\S+)\s*$"), "s"),  # line vty/con passwords
    # first-hop redundancy and tunnel authentication in clear text (md5 forms use key-string above)
    (re.compile(r"^\s*(?:vrrp|standby)(?: \d+)? authentication (?:text )?(?!md5 )(?P<s>\S+)"), "s"),
    (re.compile(r"^\s*ip nhrp authentication (?P<s>\S+)"), "s"),
    (re.compile(rf"^\s*ip (?:ftp|http client) password {_T}(?P<s>\S+)"), "s"),
    (re.compile(rf"^\s*wpa-psk (?:ascii|hex) {_T}(?P<s>\S+)"), "s"),
    (re.compile(rf"^\s*(?:area-password|domain-password|isis password) {_T}(?P<s>\S+)"), "s"),
    (re.compile(rf"^\s*mpls ldp neighbor (?:vrf \S+ )?\S+ password {_T}(?P<s>\S+)"), "s"),
    (re.compile(rf"^\s*l2tp tunnel password {_T}(?P<s>\S+)"), "s"),
    (re.compile(rf"\bserver-key {_T}(?P<s>\S+)"), "s"),  # RADIUS dynamic-author clients
    (re.compile(r"^\s*glbp \d+ authentication text (?P<s>\S+)"), "s"),
    (re.compile(rf"\bipsec spi \d+ (?:md5|sha1) {_T}(?P<s>\S+)"), "s"),  # OSPFv3 / IPv6 authentication
    (re.compile(rf"^\s*bind authenticate .*\bpassword {_T}(?P<s>\S+)"), "s"),  # LDAP server blocks
]
# Credentials inside URLs (archive paths, copy targets, rsyslog/HTTP endpoints): scheme://user:SECRET@host
_URL_CREDENTIALS = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^:/\s@]+:(?P<s>[^@\s]+)@")
# Linux configuration files: pwd="x" / password="x" (rsyslog ommysql, omelasticsearch, ...)
_LINUX_ASSIGNED = re.compile(r"\b(?:pwd|passwd|password|secret|token)\s*=\s*\"(?P<s>[^\"]+)\"", re.IGNORECASE)
_LINUX_SYSCTL_KEY = re.compile(r"^\s*net\.ipv4\.tcp_fastopen_key\s*=\s*(?P<s>\S.*?)\s*$")
# GRUB boot passwords: `password_pbkdf2 USER HASH`, RHEL's user.cfg `GRUB2_PASSWORD=HASH`, and a plain
# `password USER SECRET` (never a PAM `password <control> module` line, whose second word is a control)
_LINUX_GRUB = re.compile(
    r"^\s*(?:password_pbkdf2\s+\S+\s+|GRUB2?_PASSWORD="
    r"|password\s+(?!\[)(?!(?:required|requisite|sufficient|optional|include|substack)\s)\S+\s+(?!\S*pam_))(?P<s>\S+)"
)
_SNMP_COMMUNITY = re.compile(r"^\s*snmp-server community (?P<s>\S+)")
_SNMP_USER_AUTH = re.compile(r"(?<=\sauth )(?:md5|sha\S*) (?P<s>\S+)")
_SNMP_USER_PRIV = re.compile(r"(?<=\spriv )(?:des|3des|aes(?: \d+)?) (?P<s>\S+)")
# `snmp-server host ADDR [informs|traps] [version 1|2c|3 [auth|noauth|priv]] COMMUNITY ...`
_SNMP_HOST = re.compile(
    r"^\s*snmp-server host \S+ (?:vrf \S+ )?(?:(?:informs|traps) )?(?:version (?:1|2c|3 (?:auth|noauth|priv)) )?"
    r"(?:vrf \S+ )?(?P<s>\S+)"
)
# `key [type] X` (and `pac key`, `server-private ... key`) inside AAA server blocks
_AAA_BLOCK = re.compile(r"^(?:tacacs server|radius server|aaa group server|crypto isakmp client configuration group) ")
_AAA_KEY = re.compile(rf"^\s+(?:pac |server-private \S+ (?:.* )?)?key {_T}(?P<s>\S.*?)\s*$")
_PEM = re.compile(
    r"(?P<head>-----BEGIN (?P<kind>[A-Z0-9 ]*)PRIVATE KEY-----)(?P<body>.*?)"
    r"(?P<tail>-----END (?P=kind)PRIVATE KEY-----)",
    re.DOTALL,
)
_SHADOW = re.compile(r"^(?P<name>[^:\s]+):(?P<hash>[^:]*)(?P<tail>:[0-9]*:[0-9]*:[0-9]*:[0-9]*:[0-9]*:[0-9]*:[^:]*)$")
# Any other line whose second field is a crypt(3) hash ($id$...) or a 13-character DES hash
_SHADOW_LOOSE = re.compile(r"^(?P<name>[^:\s]+):(?P<hash>[!*]*(?:\$[^:\s]+|[./0-9A-Za-z]{13}))(?P<tail>:.*)?$")


def token(secret: str, key: bytes) -> str:
    return f"<redacted:prakan:{_digest(secret, key)}>"


def _digest(secret: str, key: bytes) -> str:
    return hmac.new(key, secret.encode("utf-8", "surrogateescape"), hashlib.sha256).hexdigest()[:16]


def key_path() -> Path:
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "prakan" / "redaction.key"


def redaction_key() -> bytes:
    """The per-installation key: $PRAKAN_REDACTION_KEY, else a 0600 key file created on first use."""
    env = os.environ.get(KEY_ENV)
    if env:
        return env.encode("utf-8")
    path = key_path()
    try:
        data = path.read_bytes().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fresh = secrets.token_hex(32).encode()
        try:  # O_EXCL: two concurrent first runs must not end with two different keys
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return redaction_key()
        with os.fdopen(fd, "wb") as fh:
            fh.write(fresh + b"\n")
        return fresh
    if not data:
        raise ValueError(f"{path}: redaction key file is empty")
    return data


def _sub_group(
    line: str, rx: re.Pattern[str], key: bytes, counter: list[int], keep: frozenset[str] = frozenset()
) -> str:
    def repl(m: re.Match[str]) -> str:
        secret = m.group("s")
        if TOKEN.match(secret) or secret.casefold() in keep:
            return m.group(0)
        counter[0] += 1
        start, end = m.start("s") - m.start(), m.end("s") - m.start()
        whole = m.group(0)
        return whole[:start] + token(secret, key) + whole[end:]

    return rx.sub(repl, line)


def _redact_ios(text: str, key: bytes, counter: list[int]) -> str:
    out: list[str] = []
    in_aaa = False
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        nl = line[len(body) :]
        if body and not body[0].isspace():
            in_aaa = bool(_AAA_BLOCK.match(body))
        if in_aaa and body[:1].isspace():
            body = _sub_group(body, _AAA_KEY, key, counter)
        elif body.lstrip().startswith("snmp-server user "):
            body = _sub_group(_sub_group(body, _SNMP_USER_AUTH, key, counter), _SNMP_USER_PRIV, key, counter)
        elif body.lstrip().startswith("snmp-server host "):
            body = _sub_group(body, _SNMP_HOST, key, counter, DEFAULT_COMMUNITIES)
        elif body.lstrip().startswith("snmp-server community "):
            body = _sub_group(body, _SNMP_COMMUNITY, key, counter, DEFAULT_COMMUNITIES)
        else:
            for rx, _ in _IOS_LINE:
                new = _sub_group(body, rx, key, counter)
                if new != body:
                    body = new
                    break
        body = _sub_group(body, _URL_CREDENTIALS, key, counter)
        out.append(body + nl)
    return "".join(out)


def _redact_linux(text: str, key: bytes, counter: list[int]) -> str:
    """Shadow-style hash fields, quoted passwords in config files, URL credentials, TCP Fast Open keys."""
    out: list[str] = []
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        m = _SHADOW.match(body) or _SHADOW_LOOSE.match(body)
        if m:
            field = m.group("hash")
            value = field.lstrip("!*")
            marker = field[: len(field) - len(value)]
            # empty, `*`, `!`, `!!` carry no secret; a hash (locked or not) does
            if value and not TOKEN.match(value):
                counter[0] += 1
                body = f"{m.group('name')}:{marker}$prakan${_digest(value, key)}{m.group('tail') or ''}"
        for rx in (_LINUX_ASSIGNED, _URL_CREDENTIALS, _LINUX_SYSCTL_KEY, _LINUX_GRUB):
            body = _sub_group(body, rx, key, counter)
        out.append(body + line[len(line.rstrip("\r\n")) :])
    return "".join(out)


def _redact_pem(text: str, key: bytes, counter: list[int]) -> str:
    def repl(m: re.Match[str]) -> str:
        body = m.group("body").strip()
        if TOKEN.match(body):
            return m.group(0)
        counter[0] += 1
        return f"{m.group('head')}\n{token(''.join(body.split()), key)}\n{m.group('tail')}"

    return _PEM.sub(repl, text)


_PLATFORM: dict[str, Callable[[str, bytes, list[int]], str]] = {
    "cisco_ios": _redact_ios,
    "linux": _redact_linux,
}


def redact_text(text: str, platform: str, key: bytes) -> tuple[str, int]:
    """Redact every known secret form of `platform` (and PEM private keys on any platform).

    Returns the redacted text and the number of secrets replaced. Idempotent: tokens are left alone.
    """
    counter = [0]
    text = _redact_pem(text, key, counter)
    step = _PLATFORM.get(platform)
    if step is not None:
        text = step(text, key, counter)
    return text, counter[0]

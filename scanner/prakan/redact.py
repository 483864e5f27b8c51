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
from typing import TYPE_CHECKING

from prakan.paths import config_dir

if TYPE_CHECKING:
    from prakan.evidence import HostEvidence

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
    (re.compile(rf"^\s*ntp authentication-key \d+ \S+ {_T}(?P<s>\S+)"), "s"),
    (re.compile(rf"^\s*crypto isakmp key {_T}(?P<s>\S+)"), "s"),
    (
        re.compile(
            rf"\bpre-shared-key (?:(?:local|remote) )?(?:(?:address|hostname) \S+ (?:\S+ )?key )?{_T}(?P<s>\S+)"
        ),
        "s",
    ),
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
# Any key whose name says secret, with `=` or `:` (quoted or not): password=x, pwd='x', apikey="x",
# "client_secret": "x", X-Auth-Token: x, stable_secret = x ...
_LINUX_KEYWORD = re.compile(
    # a whole key (not the tail of a word), and never sudoers' NOPASSWD: / PASSWD: tags, which checks read
    r"(?i)(?<![\w.-])(?P<k>(?!(?-i:(?:NO)?PASSWD)\s*:)"
    r"[\w.-]*(?:passw(?:or)?d|passphrase|pwd|secret|token|api[_-]?key|credentials?|psk|private[_-]?key|"
    r"auth[_-]?key|access[_-]?key)[\w.-]*)[\"']?\s*[:=]\s*(?P<q>[\"']?)(?P<s>(?(q)[^\"'\n]+|[^\s,;)}\]\"']+))"
)
_LINUX_NOT_SECRET = frozenset(
    {
        "yes",
        "no",
        "true",
        "false",
        "on",
        "off",
        "none",
        "null",
        "*",
        "0",
        "1",
        "required",
        "optional",
        "disabled",
        "enabled",
    }
)
_LINUX_AUTH_HEADER = re.compile(
    r"(?i)\b(?:proxy-)?authorization\s*[:=]\s*(?:(?:bearer|basic|token|digest|negotiate) )?"
    r"\s*(?P<s>[^\s\"']+)"
)
# rsyslog database outputs: :ommysql:host,db,user,PASSWORD (and ompgsql)
_LINUX_DB_ACTION = re.compile(r":om(?:mysql|pgsql):[^,\s]*,[^,\s]*,[^,\s]*,(?P<s>[^;\s]+)")
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
# PEM and PGP private keys, also when the text is cut before the END line (a truncated output)
_PEM = re.compile(
    r"(?P<head>-----BEGIN (?P<kind>[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?)-----)(?P<body>.*?)"
    r"(?P<tail>-----END (?P=kind)-----|\Z)",
    re.DOTALL,
)
_SHADOW = re.compile(r"^(?P<name>[^:\s]+):(?P<hash>[^:]*)(?P<tail>:[0-9]*:[0-9]*:[0-9]*:[0-9]*:[0-9]*:[0-9]*:[^:]*)$")
# Any other line whose second field is a crypt(3) hash ($id$...) or a 13-character DES hash
_SHADOW_LOOSE = re.compile(r"^(?P<name>[^:\s]+):(?P<hash>[!*]*(?:\$[^:\s]+|[./0-9A-Za-z]{13}))(?P<tail>:.*)?$")


def token(secret: str, key: bytes, scope: str = "") -> str:
    return f"<redacted:prakan:{_digest(secret, key, scope)}>"


def _digest(secret: str, key: bytes, scope: str = "") -> str:
    """HMAC of the secret within its scope (source and field): the same value in two unrelated
    fields gets two unrelated tokens, so one leaked value does not reveal every field sharing it,
    while the same field keeps its token from run to run (drift stays visible)."""
    data = (scope + "\0" + secret if scope else secret).encode("utf-8", "surrogateescape")
    return hmac.new(key, data, hashlib.sha256).hexdigest()[:16]


def _context(prefix: str) -> str:
    """A field's name for scoping: the words before the secret, lower-cased, spaces collapsed."""
    return " ".join(prefix.lower().split())[-120:]


def key_path() -> Path:
    return config_dir() / "redaction.key"


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
    line: str,
    rx: re.Pattern[str],
    key: bytes,
    counter: list[int],
    keep: frozenset[str] = frozenset(),
    scope: str = "",
) -> str:
    def repl(m: re.Match[str]) -> str:
        secret = m.group("s")
        if TOKEN.match(secret) or secret.casefold() in keep:
            return m.group(0)
        counter[0] += 1
        start, end = m.start("s") - m.start(), m.end("s") - m.start()
        whole = m.group(0)
        field = scope + "|" + _context(line[: m.start("s")])
        return whole[:start] + token(secret, key, field) + whole[end:]

    return rx.sub(repl, line)


# The generic rule: any value after a secret-bearing keyword, on any line, whatever the command.
# IOS keywords are whole words; between keyword and value may come modifiers (a type number,
# `ascii`/`hex`, a hash name); a value that is itself one of the words below is structure, not a
# secret (`password encryption aes`, `key chain NAME`, `crypto key generate rsa`).
_IOS_SECRET_WORDS = frozenset(
    {
        "password",
        "passwd",
        "secret",
        "key",
        "key-string",
        "pre-shared-key",
        "psk",
        "set-key",
        "community",
        "authentication-key",
        "message-digest-key",
        "server-key",
        "auth-key",
        "shared-secret",
        "passphrase",
        "token",
        "api-key",
        "md5-key",
        "wpa-psk",
        "ascii-key",
        "hex-key",
    }
)
_IOS_MODIFIERS = frozenset(
    {
        "ascii",
        "hex",
        "md5",
        "sha",
        "sha1",
        "sha256",
        "sha512",
        "sha2",
        "hmac-sha1",
        "hmac-sha2-256",
        "hmac-sha256",
        "cmac-aes-128",
        "encrypted",
        "unencrypted",
        "clear",
        "cleartext",
        "plain",
        "text",
        "level",
        "type",
        "hidden",
        "local",
        "remote",
        "fallback",
    }
)
_IOS_MODIFIERS_WITH_ARG = frozenset({"address", "hostname", "host", "vrf", "ipv4", "ipv6", "identity", "size"})
_IOS_NOT_SECRET = frozenset(
    {
        "encryption",
        "chain",
        "config-key",
        "generate",
        "zeroize",
        "import",
        "export",
        "storage",
        "pubkey-chain",
        "password-encrypt",
        "rsa",
        "ec",
        "ecdsa",
        "recovery",
        "min-length",
        "ssh",
        "none",
        "nopassword",
        "prompt",
        "private-config",
        "masked",
        "algorithm-type",
        # prose: error messages pass through redaction too (`host key for r1 changed`, `a password is required`)
        "for",
        "is",
        "was",
        "are",
        "of",
        "in",
        "on",
        "to",
        "the",
        "a",
        "an",
        "and",
        "or",
        "not",
        "changed",
        "file",
        "from",
        "with",
        "required",
        "incorrect",
        "invalid",
        "expired",
        "missing",
        "failed",
        "mismatch",
    }
)
_WORD = re.compile(r"\S+")
# Free text, and lines whose `key` is a key number (NTP associations), are left to the known forms.
_FREE_TEXT = re.compile(r"^\s*(?:description|remark|alias|banner-text|ntp (?:server|peer)|ntp trusted-key)\b")
_BANNER = re.compile(r"^banner \S+ (?P<d>\^C|\S)")


def _generic_ios(body: str, key: bytes, counter: list[int], scope: str, keep: frozenset[str]) -> str:
    words = list(_WORD.finditer(body))
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        w = words[i].group(0).lower()
        if w not in _IOS_SECRET_WORDS:
            i += 1
            continue
        j = i + 1
        while j < len(words):
            nxt = words[j].group(0)
            low = nxt.lower()
            if low in _IOS_SECRET_WORDS:  # `psk set-key ascii 0 X`: the inner keyword leads
                break
            more = j + 1 < len(words)
            if low in _IOS_MODIFIERS_WITH_ARG and j + 2 < len(words):
                j += 2
                continue
            if more and (low in _IOS_MODIFIERS or (nxt.isdigit() and len(nxt) <= 2)):
                j += 1
                continue
            break
        if j >= len(words) or words[j].group(0).lower() in _IOS_SECRET_WORDS:
            i = j if j > i + 1 else i + 1
            continue
        value = words[j].group(0)
        low = value.lower()
        lone_index = w == "key" and value.isdigit() and len(words) == 2  # ` key 1` inside `key chain`
        if not (TOKEN.match(value) or low in _IOS_NOT_SECRET or low in keep or lone_index):
            spans.append((words[j].start(), words[j].end()))
        i = j + 1
        # `pre-shared-key local X remote Y`: a second side's secret follows the first
        if i + 1 < len(words) and words[i].group(0).lower() in ("local", "remote"):
            value = words[i + 1].group(0)
            if not TOKEN.match(value):
                spans.append((words[i + 1].start(), words[i + 1].end()))
            i += 2
    for start, end in reversed(spans):
        counter[0] += 1
        field = scope + "|" + _context(body[:start])
        body = body[:start] + token(body[start:end], key, field) + body[end:]
    return body


def _redact_ios(text: str, key: bytes, counter: list[int], scope: str = "") -> str:
    out: list[str] = []
    block = ""
    in_aaa = False
    banner_end: str | None = None
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        nl = line[len(body) :]
        if banner_end is not None:  # banner text is free text that checks read: left as it is
            if banner_end in body:
                banner_end = None
            out.append(line)
            continue
        banner = _BANNER.match(body)
        if banner:
            rest = body[banner.end() :]
            if banner.group("d") not in rest:
                banner_end = banner.group("d")
            out.append(line)
            continue
        if body and not body[0].isspace():
            block = _context(body)
            in_aaa = bool(_AAA_BLOCK.match(body))
        here = f"{scope}|{block}" if body[:1].isspace() else scope
        if in_aaa and body[:1].isspace():
            body = _sub_group(body, _AAA_KEY, key, counter, scope=here)
        elif body.lstrip().startswith("snmp-server user "):
            body = _sub_group(
                _sub_group(body, _SNMP_USER_AUTH, key, counter, scope=here), _SNMP_USER_PRIV, key, counter, scope=here
            )
        elif body.lstrip().startswith("snmp-server host "):
            body = _sub_group(body, _SNMP_HOST, key, counter, DEFAULT_COMMUNITIES, scope=here)
        elif body.lstrip().startswith("snmp-server community "):
            body = _sub_group(body, _SNMP_COMMUNITY, key, counter, DEFAULT_COMMUNITIES, scope=here)
        else:
            for rx, _ in _IOS_LINE:
                new = _sub_group(body, rx, key, counter, scope=here)
                if new != body:
                    body = new
                    break
        body = _sub_group(body, _URL_CREDENTIALS, key, counter, scope=here)
        if not _FREE_TEXT.match(body):
            body = _generic_ios(body, key, counter, here, DEFAULT_COMMUNITIES)
        out.append(body + nl)
    return "".join(out)


def _redact_linux(text: str, key: bytes, counter: list[int], scope: str = "") -> str:
    """Shadow-style hash fields, any value assigned to a secret-named key (`password=`, `pwd='x'`,
    `apikey: "x"`, `"token": "x"`), Authorization headers, database outputs of rsyslog, URL
    credentials, TCP Fast Open keys."""
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
                digest = _digest(value, key, f"{scope}|shadow:{m.group('name')}")
                body = f"{m.group('name')}:{marker}$prakan${digest}{m.group('tail') or ''}"
        linux_forms = (
            _LINUX_ASSIGNED,
            _LINUX_AUTH_HEADER,
            _LINUX_DB_ACTION,
            _URL_CREDENTIALS,
            _LINUX_SYSCTL_KEY,
            _LINUX_GRUB,
        )
        for rx in linux_forms:
            body = _sub_group(body, rx, key, counter, scope=scope)
        body = _sub_group(body, _LINUX_KEYWORD, key, counter, _LINUX_NOT_SECRET, scope=scope)
        out.append(body + line[len(line.rstrip("\r\n")) :])
    return "".join(out)


_CUT = "(cut before its END line)"


def _redact_pem(text: str, key: bytes, counter: list[int], scope: str = "") -> str:
    def repl(m: re.Match[str]) -> str:
        body = m.group("body").strip()
        if TOKEN.match(body.removesuffix(_CUT).strip()) or not body:
            return m.group(0)
        counter[0] += 1
        tail = m.group("tail") or _CUT + "\n"
        return f"{m.group('head')}\n{token(''.join(body.split()), key, scope + '|pem')}\n{tail}"

    return _PEM.sub(repl, text)


_PLATFORM: dict[str, Callable[[str, bytes, list[int], str], str]] = {
    "cisco_ios": _redact_ios,
    "linux": _redact_linux,
}


def redact_text(text: str, platform: str, key: bytes, scope: str = "") -> tuple[str, int]:
    """Redact every secret of `platform` (and PEM / PGP private keys on any platform): the known
    forms, then any value after a secret-bearing keyword. `scope` (the source name) is part of
    every token, with the field's own words, so equal values in unrelated places do not match.

    Returns the redacted text and the number of secrets replaced. Idempotent: tokens are left alone.
    """
    counter = [0]
    text = _redact_pem(text, key, counter, scope)
    step = _PLATFORM.get(platform)
    if step is not None:
        text = step(text, key, counter, scope)
    return text, counter[0]


def redact_evidence(ev: HostEvidence, key: bytes) -> int:
    """Redact a host's evidence in place before anything touches disk (every collector does this
    one way: each source's output and error scoped by the source's name); returns the count."""
    count = 0
    for name, src in ev.sources.items():
        src.output, n = redact_text(src.output, ev.platform, key, scope=name)
        count += n
        if src.error:
            src.error, n = redact_text(src.error, ev.platform, key, scope=name)
            count += n
    if ev.error:
        ev.error, n = redact_text(ev.error, ev.platform, key)
        count += n
    return count

"""Rule functions for Cisco IOS / IOS-XE evidence: what the declarative primitives cannot say.

Secrets are redacted at collection to a keyed-hash token (`<redacted:prakan:1a2b3c4d>`) but the
type number in front of them is kept, so these functions judge the type, never the secret.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address

from prakan.parse import ConfigTree, Line
from prakan.parse.ios import Node
from prakan.redact import DEFAULT_COMMUNITIES, TOKEN
from prakan.rules.functions import Registry
from prakan.rules.model import Context, EvidenceUnavailable, Outcome, evidence_lines

FUNCTIONS = Registry()

REDACTED = re.compile(r"^<(?:redacted|removed|secret)[^>]*>$")  # Prakan, Oxidized and RANCID placeholders


def _tree(ctx: Context, source: str | None) -> ConfigTree:
    data = ctx.load(source or "running_config")
    if not isinstance(data, ConfigTree):
        raise EvidenceUnavailable(f"source `{source}` is not a configuration tree")
    return data


def _lines(tree: ConfigTree, pattern: str) -> list[tuple[Node, re.Match[str]]]:
    rx = re.compile(pattern)
    return [(n, m) for n in tree.roots if (m := rx.search(n.text))]


def _outcome(ok: bool, expected: str, actual: str, source: str | None, lines: Iterable[Line]) -> Outcome:
    return Outcome("pass" if ok else "fail", expected, actual, evidence_lines(source or "running_config", list(lines)))


# --- banners -----------------------------------------------------------------------------


def _squash(text: str) -> str:
    """Compare banner text regardless of line wrapping, spacing, case and Thai vowel encoding.

    NFKC makes SARA AM (U+0E33) equal to NIKHAHIT + SARA AA, both of which Thai keyboards produce;
    all whitespace goes because a wrapped Thai line breaks where the approved text has no space.
    """
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


@FUNCTIONS.register("ios_banner_text", sources=("running_config",))
def ios_banner_text(
    ctx: Context,
    *,
    source: str | None,
    banners: Sequence[str] = ("login", "motd"),
    text_var: str = "prakan_approved.banner",
    languages: Sequence[str] = ("th", "en"),
) -> Outcome:
    """Some banner in `banners` contains the approved text in every language of `languages`."""
    tree = _tree(ctx, source)
    approved = ctx.var(text_var)
    wanted: dict[str, str] = {}
    for lang in languages:
        text = approved.get(lang) if isinstance(approved, dict) else None
        if not isinstance(text, str) or not _squash(text):
            return Outcome("error", reason=f"inventory variable `{text_var}.{lang}` is not set for {ctx.host}")
        wanted[lang] = _squash(text)
    expected = f"banner {' or '.join(banners)} contains the approved {'/'.join(languages)} text ({{{text_var}}})"
    notes, lines = [], []
    for name in banners:
        body = tree.banners.get(name)
        heads = [n.line for n, _ in _lines(tree, rf"^banner {re.escape(name)} ")]
        if body is None:
            notes.append(f"no banner {name}")
            continue
        lines += heads
        missing = [lang for lang, text in wanted.items() if text not in _squash(body)]
        if not missing:
            return _outcome(True, expected, f"banner {name} contains the approved text", source, heads)
        notes.append(f"banner {name} lacks the approved {'/'.join(missing)} text")
    return _outcome(False, expected, "; ".join(notes), source, lines)


# --- secrets -----------------------------------------------------------------------------

_ENABLE = re.compile(r"^enable (secret|password)(?: level \d+)?(?: (\d+))? (\S+)$")
_USER = re.compile(r"^username (\S+)\b(.*)$")
_USER_SECRET = re.compile(r"\b(secret|password)(?: (\d+))? (\S+)$")
_TYPES = {
    "0": "plain text",
    "4": "SHA-256 (broken)",
    "5": "MD5",
    "7": "Vigenère (reversible)",
    "8": "PBKDF2-SHA-256",
    "9": "scrypt",
}


def _kind(word: str, type_no: str | None) -> str:
    t = type_no or "0"
    return f"{word} type {t} ({_TYPES.get(t, 'unknown')})"


@FUNCTIONS.register("ios_enable_secret_type", sources=("running_config",))
def ios_enable_secret_type(ctx: Context, *, source: str | None, allowed: Sequence[int] = (8, 9)) -> Outcome:
    """`enable secret` is set with a strong hash type and no `enable password` exists."""
    tree = _tree(ctx, source)
    ok_types = {str(t) for t in allowed}
    expected = f"enable secret of type {'/'.join(sorted(ok_types))} and no enable password"
    found = [(n, m) for n in tree.candidates("enable") if (m := _ENABLE.match(n.text))]
    if not found:
        return _outcome(False, expected, "no enable secret", source, [])
    bad = [(n, m) for n, m in found if m.group(1) == "password" or m.group(2) not in ok_types]
    actual = "; ".join(_kind(m.group(1), m.group(2)) for _, m in found)
    has_secret = any(m.group(1) == "secret" for _, m in found)
    return _outcome(has_secret and not bad, expected, actual, source, [n.line for n, _ in (bad or found)])


@FUNCTIONS.register("ios_user_secret_type", sources=("running_config",))
def ios_user_secret_type(ctx: Context, *, source: str | None, allowed: Sequence[int] = (8, 9)) -> Outcome:
    """Every local account stores a `secret` of a strong hash type (no `password`, no `nopassword`)."""
    tree = _tree(ctx, source)
    ok_types = {str(t) for t in allowed}
    expected = f"every username has a secret of type {'/'.join(sorted(ok_types))}"
    users, bad = [], []
    for node in tree.candidates("username"):
        m = _USER.match(node.text)
        if not m:
            continue
        rest = m.group(2)
        cred = _USER_SECRET.search(rest)
        if re.search(r"\bnopassword\b", rest):
            users.append(f"{m.group(1)}: nopassword")
            bad.append(node.line)
        elif cred:
            users.append(f"{m.group(1)}: {_kind(cred.group(1), cred.group(2))}")
            if cred.group(1) != "secret" or cred.group(2) not in ok_types:
                bad.append(node.line)
    if not users:
        return _outcome(True, expected, "no local accounts", source, [])
    return _outcome(not bad, expected, "; ".join(users), source, bad)


# --- SNMP --------------------------------------------------------------------------------

_COMMUNITY = re.compile(r"^snmp-server community (\S+)(.*)$")


def _community_acl(rest: str) -> str | None:
    """The IPv4 ACL of `snmp-server community STR [view V] [RO|RW] [ipv6 ACL6] [ACL]`."""
    words = rest.split()
    i = 0
    while i < len(words):
        w = words[i]
        if w in ("view", "ipv6"):
            i += 2
            continue
        if w.upper() in ("RO", "RW"):
            i += 1
            continue
        return w
    return None


@FUNCTIONS.register("ios_snmp_community_acl", sources=("running_config",))
def ios_snmp_community_acl(ctx: Context, *, source: str | None) -> Outcome:
    """Every SNMP community is restricted by an IPv4 access list."""
    tree = _tree(ctx, source)
    expected = "every snmp-server community has an access list"
    found = _lines(tree, _COMMUNITY.pattern)
    if not found:
        return _outcome(True, expected, "no SNMP communities", source, [])
    bad = [n for n, m in found if _community_acl(m.group(2)) is None]
    return _outcome(
        not bad,
        expected,
        f"{len(bad)} of {len(found)} communities without an access list",
        source,
        [n.line for n in (bad or [n for n, _ in found])],
    )


@FUNCTIONS.register("ios_snmp_community_names", sources=("running_config",))
def ios_snmp_community_names(ctx: Context, *, source: str | None, forbidden: Sequence[str] = ("public",)) -> Outcome:
    """No SNMP community is one of the well-known defaults in `forbidden`.

    Prakan's redaction keeps the well-known defaults (prakan.redact.DEFAULT_COMMUNITIES) visible,
    so a Prakan token is known not to be one of them. Any other redaction (another tool's, or a
    forbidden name Prakan does not keep) cannot be told apart from a default: that is `error`.
    """
    tree = _tree(ctx, source)
    names = frozenset(f.casefold() for f in forbidden)
    expected = f"no snmp-server community {'/'.join(forbidden)}"
    found = _lines(tree, _COMMUNITY.pattern)
    bad = [n for n, m in found if m.group(1).casefold() in names]
    if bad:
        return _outcome(False, expected, f"{len(bad)} default communities", source, [n.line for n in bad])
    ours_known = names <= DEFAULT_COMMUNITIES
    hidden = [n for n, m in found if REDACTED.match(m.group(1)) and not (ours_known and TOKEN.match(m.group(1)))]
    if hidden:
        return Outcome(
            "error",
            expected,
            f"{len(hidden)} redacted communities",
            evidence_lines(source or "running_config", [n.line for n in hidden]),
            "community strings are redacted in the evidence: cannot tell whether one is a default",
        )
    return _outcome(True, expected, f"{len(found)} communities, none a default", source, [n.line for n, _ in found])


# --- lines -------------------------------------------------------------------------------

_EXEC_TIMEOUT = re.compile(r"^exec-timeout (\d+)(?: (\d+))?$")


@FUNCTIONS.register("ios_line_exec_timeout", sources=("running_config",))
def ios_line_exec_timeout(
    ctx: Context,
    *,
    source: str | None,
    section: str = "^line vty ",
    max_minutes: int = 10,
    default_minutes: int = 10,
    if_no_section: str = "fail",
) -> Outcome:
    """Every matching `line` has an idle timeout, non-zero and at most `max_minutes` (IOS default 10 0)."""
    tree = _tree(ctx, source)
    expected = f"every /{section}/: exec-timeout non-zero and at most {max_minutes} min (default {default_minutes})"
    sections = _lines(tree, section)
    if not sections:
        status = if_no_section if if_no_section in ("pass", "fail", "error") else "fail"
        return Outcome(status, expected, f"no section matches /{section}/", [], f"no section matches /{section}/")  # type: ignore[arg-type]
    notes, bad = [], []
    for sec, _ in sections:
        found = [(c, m) for c in sec.children if (m := _EXEC_TIMEOUT.match(c.text))]
        if found:
            node, m = found[-1]
            seconds, shown = int(m.group(1)) * 60 + int(m.group(2) or 0), node.text
        else:
            node, seconds, shown = None, default_minutes * 60, f"default exec-timeout {default_minutes} 0"
        notes.append(f"[{sec.text}] {shown}")
        if seconds == 0 or seconds > max_minutes * 60:
            bad += [sec.line] + ([node.line] if node else [])
    return _outcome(not bad, expected, "; ".join(notes), source, bad or [s.line for s, _ in sections])


# --- NTP ---------------------------------------------------------------------------------


def _trusted(tree: ConfigTree) -> set[int]:
    """`ntp trusted-key 1`, `ntp trusted-key 1 - 3`."""
    keys: set[int] = set()
    for _, m in _lines(tree, r"^ntp trusted-key (\d+)(?: - (\d+))?$"):
        low = int(m.group(1))
        keys.update(range(low, int(m.group(2) or low) + 1))
    return keys


@FUNCTIONS.register("ios_ntp_server_keys", sources=("running_config",))
def ios_ntp_server_keys(ctx: Context, *, source: str | None) -> Outcome:
    """Every `ntp server` names a key that is defined (`ntp authentication-key`) and trusted."""
    tree = _tree(ctx, source)
    expected = "every ntp server uses `key N` with N defined by ntp authentication-key and listed in ntp trusted-key"
    servers = _lines(tree, r"^ntp server (?:vrf \S+ )?(?:ip )?(\S+)")
    if not servers:
        return _outcome(False, expected, "no ntp server", source, [])
    defined = {int(m.group(1)) for _, m in _lines(tree, r"^ntp authentication-key (\d+) ")}
    trusted = _trusted(tree)
    notes, bad = [], []
    for node, m in servers:
        key = re.search(r"\bkey (\d+)\b", node.text)
        if key is None:
            notes.append(f"{m.group(1)}: no key")
        elif int(key.group(1)) not in defined:
            notes.append(f"{m.group(1)}: key {key.group(1)} not defined")
        elif int(key.group(1)) not in trusted:
            notes.append(f"{m.group(1)}: key {key.group(1)} not trusted")
        else:
            continue
        bad.append(node.line)
    actual = "; ".join(notes) or f"{len(servers)} servers with trusted keys"
    return _outcome(not bad, expected, actual, source, bad or [n.line for n, _ in servers])


# --- OSPF / EIGRP ------------------------------------------------------------------------

_IP_ADDRESS = re.compile(r"^ip address (\d+\.\d+\.\d+\.\d+) \d+\.\d+\.\d+\.\d+(?: secondary)?$")


@dataclass(slots=True)
class _Interface:
    node: Node
    name: str
    addresses: list[int]
    lines: list[str]  # the lines under `interface`, stripped

    @property
    def loopback(self) -> bool:  # a loopback never forms an adjacency
        return self.name.lower().startswith("loopback")


def _interfaces(tree: ConfigTree) -> list[_Interface]:
    """Interfaces with their static IPv4 addresses; `ip unnumbered X` borrows X's (and runs the protocol on it)."""
    out = []
    for node, m in _lines(tree, r"^interface (\S+)$"):
        texts = [c.text for c in node.children]
        addrs = [int(IPv4Address(a.group(1))) for t in texts if (a := _IP_ADDRESS.match(t))]
        out.append(_Interface(node, m.group(1), addrs, texts))
    by_name = {i.name: i.addresses for i in out}
    for itf in out:
        lent = [by_name.get(u.group(1), []) for t in itf.lines if (u := re.match(r"^ip unnumbered (\S+)$", t))]
        itf.addresses = itf.addresses + [a for addrs in lent for a in addrs]
    return out


def _wildcard_covers(network: str, wildcard: str | None, addr: int) -> bool:
    """`network A W` covers addr; without W (classful EIGRP) the class of A decides."""
    try:
        net = int(IPv4Address(network))
        if wildcard is None:
            wildcard = "0.255.255.255" if net >> 31 == 0 else "0.0.255.255" if net >> 30 == 2 else "0.0.0.255"
        keep = ~int(IPv4Address(wildcard)) & 0xFFFFFFFF
    except ValueError:
        return False
    return addr & keep == net & keep


def _passive(texts: list[str], name: str) -> bool:
    """`passive-interface default` (minus `no passive-interface X`) or `passive-interface X`."""
    if "passive-interface default" in texts:
        return f"no passive-interface {name}" not in texts
    return f"passive-interface {name}" in texts


def _key_chains(tree: ConfigTree) -> set[str]:
    """Key chains that hold at least one key with a key string."""
    return {
        m.group(1)
        for n, m in _lines(tree, r"^key chain (\S+)")
        if any(d.text.startswith("key-string ") for d in n.walk())
    }


def _area(area: str) -> str:
    """`area 0` and `area 0.0.0.0` are the same area."""
    try:
        return str(int(IPv4Address(area))) if "." in area else area
    except ValueError:
        return area


@dataclass(slots=True)
class _Network:
    node: Node
    network: str
    wildcard: str | None
    group: str  # OSPF area or EIGRP autonomous system
    used: bool = False

    def covers(self, itf: _Interface) -> bool:
        hit = any(_wildcard_covers(self.network, self.wildcard, a) for a in itf.addresses)
        self.used = self.used or hit
        return hit


_OSPF_NET = re.compile(r"^network (\S+) (\S+) area (\S+)$")
_OSPF_IF_AUTH = re.compile(r"^ip ospf authentication(?: (message-digest|key-chain (\S+)|null))?$")


@FUNCTIONS.register("ios_ospf_authentication", sources=("running_config",))
def ios_ospf_authentication(ctx: Context, *, source: str | None) -> Outcome:
    """Every interface that can form an OSPF adjacency authenticates with message digest or a key chain.

    An interface is in OSPF by its `ip ospf PID area A` line, else by the first `network` statement that
    covers one of its static `ip address`es; loopbacks and passive interfaces form no adjacency. It is
    authenticated by its own `ip ospf authentication message-digest` / `key-chain K` (K defined with a key),
    or else by `area A authentication message-digest` of its process. A `network` that covers no interface
    seen (DHCP, PPP) must be in an authenticated area. OSPFv3 is not judged. No OSPF is a pass.
    """
    tree = _tree(ctx, source)
    expected = "every OSPF interface authenticated: area message-digest or interface message-digest/key-chain"
    procs = _lines(tree, r"^router ospf (\d+)\b")
    if not procs:
        return _outcome(True, expected, "OSPF is not configured", source, [])
    chains = _key_chains(tree)
    by_pid = {m.group(1): p for p, m in procs}
    area_auth = {
        pid: {
            _area(m.group(1))
            for c in p.children
            if (m := re.match(r"^area (\S+) authentication message-digest$", c.text))
        }
        for pid, p in by_pid.items()
    }
    nets = [
        (pid, _Network(c, m.group(1), m.group(2), _area(m.group(3))))
        for pid, p in by_pid.items()
        for c in p.children
        if (m := _OSPF_NET.match(c.text))
    ]
    notes, bad, members = [], [], 0
    for itf in _interfaces(tree):
        covering = [(pid, n.group) for pid, n in nets if n.covers(itf)]
        own = [(m.group(1), _area(m.group(2))) for t in itf.lines if (m := re.match(r"^ip ospf (\d+) area (\S+)$", t))]
        member = (own or covering)[0] if own or covering else None
        if member is None or itf.loopback or member[0] not in by_pid:
            continue
        pid, area = member
        if _passive([c.text for c in by_pid[pid].children], itf.name):
            continue
        members += 1
        auth = [m for t in itf.lines if (m := _OSPF_IF_AUTH.match(t))]
        mode = auth[-1] if auth else None
        if mode is None:
            problem = "" if area in area_auth[pid] else f"area {area} is not authenticated"
        elif mode.group(1) == "message-digest":
            problem = ""
        elif mode.group(2):
            problem = "" if mode.group(2) in chains else f"key chain {mode.group(2)} is not defined"
        else:
            problem = f"`{mode.group(0)}` (no digest)"
        if problem:
            notes.append(f"{itf.name}: {problem}")
            bad.append(itf.node.line)
    for pid, n in nets:
        if not n.used and n.group not in area_auth[pid]:
            notes.append(f"`{n.node.text}` covers no interface seen and area {n.group} is not authenticated")
            bad.append(n.node.line)
    actual = "; ".join(notes) or f"{members} OSPF interface(s), all authenticated"
    return _outcome(not bad, expected, actual, source, bad or [p.line for p, _ in procs])


_EIGRP_NET = re.compile(r"^network (\d+\.\d+\.\d+\.\d+)(?: (\d+\.\d+\.\d+\.\d+))?$")
_EIGRP_AF = re.compile(r"^address-family ipv4 (?:unicast )?(?:vrf \S+ )?autonomous-system (\d+)$")


def _classic_eigrp(tree: ConfigTree, chains: set[str], notes: list[str], bad: list[Line]) -> int:
    """`router eigrp AS`: each interface in AS has `ip authentication mode eigrp AS md5` and a defined key chain."""
    procs = {m.group(1): p for p, m in _lines(tree, r"^router eigrp (\d+)$")}
    nets = [
        _Network(c, m.group(1), m.group(2), asn)
        for asn, p in procs.items()
        for c in p.children
        if (m := _EIGRP_NET.match(c.text))
    ]
    members = 0
    for itf in _interfaces(tree):
        covering = {n.group for n in nets if n.covers(itf)}
        modes = {
            m.group(1): m.group(2)
            for t in itf.lines
            if (m := re.match(r"^ip authentication mode eigrp (\d+) (\S+)$", t))
        }
        keys = {
            m.group(1): m.group(2)
            for t in itf.lines
            if (m := re.match(r"^ip authentication key-chain eigrp (\d+) (\S+)$", t))
        }
        adjacent = {
            a
            for a in covering
            if a in procs and not itf.loopback and not _passive([c.text for c in procs[a].children], itf.name)
        }
        for asn in sorted(adjacent | set(modes)):
            members += 1
            if modes.get(asn) != "md5":
                problem = "no `ip authentication mode eigrp md5`"
            elif keys.get(asn) is None:
                problem = "no `ip authentication key-chain eigrp`"
            elif keys[asn] not in chains:
                problem = f"key chain {keys[asn]} is not defined"
            else:
                continue
            notes.append(f"{itf.name} (AS {asn}): {problem}")
            bad.append(itf.node.line)
    for n in nets:
        if not n.used:
            notes.append(f"router eigrp {n.group} `{n.node.text}` covers no interface seen")
            bad.append(n.node.line)
    return members


def _af_interface_settings(af: Node) -> dict[str, list[str]]:
    return {
        m.group(1): [c.text for c in n.children]
        for n in af.children
        if (m := re.match(r"^af-interface (\S+)$", n.text))
    }


def _named_auth_problem(texts: list[str], chains: set[str]) -> str:
    mode = [t for t in texts if t.startswith("authentication mode ")]
    if mode and mode[-1].startswith("authentication mode hmac-sha-256"):
        return ""
    if not mode or mode[-1] != "authentication mode md5":
        return "no `authentication mode`"
    chain = [t.split()[-1] for t in texts if t.startswith("authentication key-chain ")]
    if not chain:
        return "md5 without `authentication key-chain`"
    return "" if chain[-1] in chains else f"key chain {chain[-1]} is not defined"


def _named_eigrp(tree: ConfigTree, chains: set[str], notes: list[str], bad: list[Line]) -> int:
    """`router eigrp NAME`: per address family, `af-interface X` settings override `af-interface default`."""
    members = 0
    itfs = _interfaces(tree)
    for router, _ in _lines(tree, r"^router eigrp \D\S*$"):
        for af in router.children:
            if not (m := _EIGRP_AF.match(af.text)):
                continue
            per_if = _af_interface_settings(af)
            default = per_if.get("default", [])
            nets = [
                _Network(c, n.group(1), n.group(2), m.group(1)) for c in af.children if (n := _EIGRP_NET.match(c.text))
            ]
            for itf in itfs:
                if not [n for n in nets if n.covers(itf)] or itf.loopback:
                    continue
                own = per_if.get(itf.name, [])
                # a setting on the interface's own block replaces the default's
                eff = [t for t in default if not any(o.split()[:2] == t.split()[:2] for o in own)] + own
                if "passive-interface" in eff and "no passive-interface" not in own:
                    continue
                members += 1
                if problem := _named_auth_problem(eff, chains):
                    notes.append(f"{itf.name} (AS {m.group(1)}): {problem}")
                    bad.append(itf.node.line)
            default_problem = _named_auth_problem(default, chains)
            for net in nets:
                if not net.used and default_problem:
                    notes.append(
                        f"AS {m.group(1)} `{net.node.text}` covers no interface seen: af-interface default "
                        f"has {default_problem}"
                    )
                    bad.append(net.node.line)
    return members


@FUNCTIONS.register("ios_eigrp_authentication", sources=("running_config",))
def ios_eigrp_authentication(ctx: Context, *, source: str | None) -> Outcome:
    """Every interface that can form an EIGRP adjacency authenticates with a key chain (or HMAC-SHA-256).

    Classic mode: an interface covered by a `network` of `router eigrp AS` (not a loopback, not passive),
    or carrying `ip authentication mode eigrp AS`, needs `ip authentication mode eigrp AS md5` and
    `ip authentication key-chain eigrp AS K` with K defined with a key. Named mode: the interface's
    `af-interface` block over `af-interface default` needs `authentication mode hmac-sha-256`, or
    `authentication mode md5` with a defined `authentication key-chain`. A `network` that covers no interface
    seen (DHCP, PPP) cannot be judged: it fails unless named mode's default authenticates. No EIGRP
    is a pass.
    """
    tree = _tree(ctx, source)
    expected = "every EIGRP interface authenticated: md5 with a defined key chain, or hmac-sha-256"
    procs = _lines(tree, r"^router eigrp \S+$")
    if not procs:
        return _outcome(True, expected, "EIGRP is not configured", source, [])
    chains = _key_chains(tree)
    notes: list[str] = []
    bad: list[Line] = []
    members = _classic_eigrp(tree, chains, notes, bad) + _named_eigrp(tree, chains, notes, bad)
    actual = "; ".join(notes) or f"{members} EIGRP interface(s), all authenticated"
    return _outcome(not bad, expected, actual, source, bad or [p.line for p, _ in procs])


# --- BGP ---------------------------------------------------------------------------------

_NEIGHBOR = re.compile(r"^neighbor (\S+) (.*)$")
_VRF = re.compile(r"\bvrf (\S+)")
_INHERIT = re.compile(r"^inherit peer-session (\S+)")

# Neighbour statements of one scope: name -> [(options, line)].
_Scope = dict[str, list[tuple[str, Node]]]


def _bgp_scopes(router: Node) -> dict[str, _Scope]:
    """Neighbour statements by scope: "" is the global table (`router bgp` and its plain address
    families, which only refer to global neighbours); a VRF name holds the neighbours defined inside
    `address-family ... vrf NAME`, which are separate sessions even when an address repeats."""
    scopes: dict[str, _Scope] = {"": {}}

    def add(scope: str, node: Node) -> None:
        if m := _NEIGHBOR.match(node.text):
            scopes.setdefault(scope, {}).setdefault(m.group(1), []).append((m.group(2), node))

    for child in router.children:
        if child.text.startswith("address-family "):
            vrf = _VRF.search(child.text)
            for node in child.children:
                add(vrf.group(1) if vrf else "", node)
        elif not child.text.startswith("template "):
            add("", child)
    return scopes


def _session_templates(router: Node) -> dict[str, bool]:
    """Peer-session template name -> whether it sets a password, itself or through `inherit peer-session`."""
    texts = {
        m.group(1): [c.text for c in n.walk()]
        for n in router.children
        if (m := re.match(r"^template peer-session (\S+)$", n.text))
    }

    def has(name: str, seen: frozenset[str]) -> bool:
        if name in seen or name not in texts:
            return False
        inherited = [m.group(1) for t in texts[name] if (m := _INHERIT.match(t))]
        return any(t.startswith("password ") for t in texts[name]) or any(has(i, seen | {name}) for i in inherited)

    return {name: has(name, frozenset()) for name in texts}


def _has_password(opts: list[str], groups: list[_Scope], templates: dict[str, bool]) -> bool:
    """A neighbour's own `password`, or one inherited from its peer-group or peer-session template."""
    if any(o.startswith("password ") for o in opts):
        return True
    for o in opts:
        pg = re.match(r"^peer-group (\S+)$", o)
        if pg and any(x.startswith("password ") for scope in groups for x, _ in scope.get(pg.group(1), [])):
            return True
        tpl = _INHERIT.match(o)
        if tpl and templates.get(tpl.group(1)):
            return True
    return False


@FUNCTIONS.register("ios_bgp_neighbor_passwords", sources=("running_config",))
def ios_bgp_neighbor_passwords(ctx: Context, *, source: str | None) -> Outcome:
    """Every BGP neighbour authenticates with a password: its own, its peer-group's or its session template's.

    Neighbours are read in the global table and in every `address-family ... vrf` block.
    No `router bgp` at all is a pass: there is nothing to authenticate.
    """
    tree = _tree(ctx, source)
    expected = "every BGP neighbor (global and per-VRF) has a password (directly, by peer-group or by template)"
    routers = _lines(tree, r"^router bgp \d")
    if not routers:
        return _outcome(True, expected, "BGP is not configured", source, [])
    notes, bad = [], []
    for rt, _ in routers:
        templates = _session_templates(rt)
        scopes = _bgp_scopes(rt)
        groups = {n for scope in scopes.values() for n, st in scope.items() if any(o == "peer-group" for o, _ in st)}
        for vrf, scope in scopes.items():
            for name, statements in scope.items():
                if name in groups:
                    continue
                if not _has_password([o for o, _ in statements], [scope, scopes[""]], templates):
                    notes.append(f"neighbor {name}{f' (vrf {vrf})' if vrf else ''} has no password")
                    bad.append(statements[0][1].line)
    actual = "; ".join(notes) or "every neighbor has a password"
    return _outcome(not bad, expected, actual, source, bad or [r.line for r, _ in routers])

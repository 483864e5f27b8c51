"""Rule functions for Cisco IOS / IOS-XE evidence: what the declarative primitives cannot say.

Secrets are redacted at collection to a keyed-hash token (`<redacted:prakan:1a2b3c4d>`) but the
type number in front of them is kept, so these functions judge the type, never the secret.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from scanner.parse import ConfigTree, Line
from scanner.parse.ios import Node
from scanner.redact import DEFAULT_COMMUNITIES, TOKEN
from scanner.rules.functions import register
from scanner.rules.model import Context, EvidenceUnavailable, Outcome, evidence_lines

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


@register("ios_banner_text", sources=("running_config",))
def ios_banner_text(ctx: Context, *, source: str | None, banners: Sequence[str] = ("login", "motd"),
                    text_var: str = "prakan_approved.banner",
                    languages: Sequence[str] = ("th", "en")) -> Outcome:  # fmt: skip
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
_TYPES = {"0": "plain text", "4": "SHA-256 (broken)", "5": "MD5", "7": "Vigenère (reversible)",
          "8": "PBKDF2-SHA-256", "9": "scrypt"}  # fmt: skip


def _kind(word: str, type_no: str | None) -> str:
    t = type_no or "0"
    return f"{word} type {t} ({_TYPES.get(t, 'unknown')})"


@register("ios_enable_secret_type", sources=("running_config",))
def ios_enable_secret_type(ctx: Context, *, source: str | None, allowed: Sequence[int] = (8, 9)) -> Outcome:
    """`enable secret` is set with a strong hash type and no `enable password` exists."""
    tree = _tree(ctx, source)
    ok_types = {str(t) for t in allowed}
    expected = f"enable secret of type {'/'.join(sorted(ok_types))} and no enable password"
    found = [(n, _ENABLE.match(n.text)) for n in tree.candidates("enable")]
    found = [(n, m) for n, m in found if m]
    if not found:
        return _outcome(False, expected, "no enable secret", source, [])
    bad = [(n, m) for n, m in found if m.group(1) == "password" or m.group(2) not in ok_types]
    actual = "; ".join(_kind(m.group(1), m.group(2)) for _, m in found)
    has_secret = any(m.group(1) == "secret" for _, m in found)
    return _outcome(has_secret and not bad, expected, actual, source, [n.line for n, _ in (bad or found)])


@register("ios_user_secret_type", sources=("running_config",))
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


@register("ios_snmp_community_acl", sources=("running_config",))
def ios_snmp_community_acl(ctx: Context, *, source: str | None) -> Outcome:
    """Every SNMP community is restricted by an IPv4 access list."""
    tree = _tree(ctx, source)
    expected = "every snmp-server community has an access list"
    found = _lines(tree, _COMMUNITY.pattern)
    if not found:
        return _outcome(True, expected, "no SNMP communities", source, [])
    bad = [n for n, m in found if _community_acl(m.group(2)) is None]
    return _outcome(not bad, expected, f"{len(bad)} of {len(found)} communities without an access list",
                    source, [n.line for n in (bad or [n for n, _ in found])])  # fmt: skip


@register("ios_snmp_community_names", sources=("running_config",))
def ios_snmp_community_names(ctx: Context, *, source: str | None, forbidden: Sequence[str] = ("public",)) -> Outcome:
    """No SNMP community is one of the well-known defaults in `forbidden`.

    Prakan's redaction keeps the well-known defaults (scanner.redact.DEFAULT_COMMUNITIES) visible,
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
        return Outcome("error", expected, f"{len(hidden)} redacted communities", evidence_lines(
            source or "running_config", [n.line for n in hidden]),
            "community strings are redacted in the evidence: cannot tell whether one is a default")  # fmt: skip
    return _outcome(True, expected, f"{len(found)} communities, none a default", source, [n.line for n, _ in found])


# --- lines -------------------------------------------------------------------------------

_EXEC_TIMEOUT = re.compile(r"^exec-timeout (\d+)(?: (\d+))?$")


@register("ios_line_exec_timeout", sources=("running_config",))
def ios_line_exec_timeout(ctx: Context, *, source: str | None, section: str = "^line vty ", max_minutes: int = 10,
                          default_minutes: int = 10, if_no_section: str = "fail") -> Outcome:  # fmt: skip
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


@register("ios_ntp_server_keys", sources=("running_config",))
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


# --- BGP ---------------------------------------------------------------------------------

_NEIGHBOR = re.compile(r"^neighbor (\S+) (.*)$")


def _has_password(opts: list[str], settings: dict[str, list[str]], templates: dict[str, bool]) -> bool:
    """A neighbour's own `password`, or one inherited from its peer-group or peer-session template."""
    if any(o.startswith("password ") for o in opts):
        return True
    for o in opts:
        pg = re.match(r"^peer-group (\S+)$", o)
        if pg and any(x.startswith("password ") for x in settings.get(pg.group(1), [])):
            return True
        tpl = re.match(r"^inherit peer-session (\S+)", o)
        if tpl and templates.get(tpl.group(1)):
            return True
    return False


@register("ios_bgp_neighbor_passwords", sources=("running_config",))
def ios_bgp_neighbor_passwords(ctx: Context, *, source: str | None) -> Outcome:
    """Every BGP neighbour authenticates with a password: its own, its peer-group's or its session template's.

    No `router bgp` at all is a pass: there is nothing to authenticate.
    """
    tree = _tree(ctx, source)
    expected = "every BGP neighbor has a password (directly, by peer-group or by peer-session template)"
    routers = _lines(tree, r"^router bgp \d")
    if not routers:
        return _outcome(True, expected, "BGP is not configured", source, [])
    templates = {m.group(1): any(c.text.startswith("password ") for c in n.walk())
                 for rt, _ in routers for n in rt.children
                 if (m := re.match(r"^template peer-session (\S+)$", n.text))}  # fmt: skip
    notes, bad = [], []
    for rt, _ in routers:
        settings: dict[str, list[str]] = {}
        first: dict[str, Node] = {}
        for child in rt.children:  # neighbours are defined directly under `router bgp`
            m = _NEIGHBOR.match(child.text)
            if m:
                settings.setdefault(m.group(1), []).append(m.group(2))
                first.setdefault(m.group(1), child)
        groups = {n for n, opts in settings.items() if "peer-group" in opts}
        for name, opts in settings.items():
            if name in groups:
                continue
            if not _has_password(opts, settings, templates):
                notes.append(f"neighbor {name} has no password")
                bad.append(first[name].line)
    actual = "; ".join(notes) or "every neighbor has a password"
    return _outcome(not bad, expected, actual, source, bad or [r.line for r, _ in routers])

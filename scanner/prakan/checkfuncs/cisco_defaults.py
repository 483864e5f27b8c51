"""IOS checks where a missing line means something: the platform's default applies.

`show running-config` prints only what differs from the default, so a check that reads only the
lines present passes where the default is the weakness. These functions decide what a missing
line means, by release where the default changed:

* `transport output` missing on any line: the default is `telnet` (every IOS and IOS-XE release),
  so outbound telnet is allowed;
* `transport input` missing on a vty: classic IOS (before 16.x, or no `version` line) accepts all
  protocols, telnet included; IOS-XE 16.x and later do not document one default across releases,
  so a vty that does not say `transport input ssh|none` is not proven free of telnet either;
* a vty without a `login` line under `aaa new-model` uses the `default` login list (if none is
  defined, the local user database): authenticated, so it passes; without `aaa new-model`, no
  `login` line means the line's own password, or none.
"""

from __future__ import annotations

import re

from prakan.checkfuncs.cisco import _tree
from prakan.parse import ConfigTree, Line
from prakan.parse.ios import Node
from prakan.rules.functions import Registry
from prakan.rules.model import Context, Outcome, evidence_lines

FUNCTIONS = Registry()

_VERSION = re.compile(r"^version (\d+)\.(\d+)")
_TELNET = re.compile(r"^transport (input|output|preferred) (?:.* )?(telnet|all)(?: |$)")
_LOGIN = re.compile(r"^login(?: (authentication) (\S+)| (local))?$")


def release(tree: ConfigTree) -> tuple[int, int] | None:
    """The release from the `version X.Y` line, or None when the configuration does not say."""
    for node in tree.candidates("version"):
        m = _VERSION.match(node.text)
        if m:
            return int(m.group(1)), int(m.group(2))
    return None


def _lines(tree: ConfigTree) -> list[Node]:
    return [n for n in tree.candidates("line") if n.text.startswith("line ")]


def _child(node: Node, prefix: str) -> list[Node]:
    return [c for c in node.children if c.text.startswith(prefix)]


@FUNCTIONS.register("ios_lines_no_telnet", sources=("running_config",))
def ios_lines_no_telnet(ctx: Context, *, source: str | None) -> Outcome:
    """No line accepts or opens telnet, counting the defaults of lines that do not say."""
    tree = _tree(ctx, source)
    src = source or "running_config"
    lines = _lines(tree)
    if not lines:
        return Outcome("error", "line sections", "none", reason="no `line` sections: not a complete configuration")
    rel = release(tree)
    classic = rel is None or rel[0] < 16
    bad: list[Line] = []
    why: list[str] = []
    for line in lines:
        for child in line.children:
            m = _TELNET.match(child.text)
            if m:
                bad.append(child.line)
                why.append(f"{line.text}: `{child.text}`")
        if not _child(line, "transport output "):
            bad.append(line.line)
            why.append(f"{line.text}: no `transport output` (the default is telnet)")
        if line.text.startswith("line vty ") and not _child(line, "transport input "):
            bad.append(line.line)
            default = (
                "classic IOS accepts all protocols, telnet included"
                if classic
                else "the IOS-XE default differs by release, so telnet is not excluded"
            )
            why.append(f"{line.text}: no `transport input` ({default})")
    expected = "every line: `transport input ssh|none` (vty) and `transport output ssh|none`"
    if not bad:
        return Outcome("pass", expected, "no line allows telnet", evidence_lines(src, [n.line for n in lines]))
    return Outcome("fail", expected, "; ".join(why), evidence_lines(src, bad))


@FUNCTIONS.register("ios_vty_login", sources=("running_config",))
def ios_vty_login(ctx: Context, *, source: str | None) -> Outcome:
    """Every vty authenticates against accounts: `login local`, a login list (under `aaa new-model`),
    or, under `aaa new-model`, no `login` line at all (the default list applies); never `no login`
    nor a bare line password."""
    tree = _tree(ctx, source)
    src = source or "running_config"
    vtys = [n for n in _lines(tree) if n.text.startswith("line vty ")]
    if not vtys:
        return Outcome(
            "error", "line vty sections", "none", reason="no `line vty` sections: not a complete configuration"
        )
    new_model = any(n.text == "aaa new-model" for n in tree.candidates("aaa"))
    lists = {
        m.group(1): n for n in tree.candidates("aaa") if (m := re.match(r"^aaa authentication login (\S+) \S", n.text))
    }
    good: list[Line] = []
    bad: list[Line] = []
    why: list[str] = []
    for vty in vtys:
        if any(c.text == "no login" for c in vty.children):
            bad.append(vty.line)
            why.append(f"{vty.text}: `no login` (no authentication at all)")
            continue
        logins = [(c, m) for c in vty.children if (m := _LOGIN.match(c.text))]
        if not logins:
            if new_model:  # the default login list applies (or, without one, the local user database)
                good.append(vty.line)
                if "default" in lists:
                    good.append(lists["default"].line)
                continue
            bad.append(vty.line)
            why.append(f"{vty.text}: no `login` line without `aaa new-model`")
            continue
        node, m = logins[-1]
        if m.group(3):  # login local
            good.append(node.line)
        elif m.group(1):
            name = m.group(2)
            if new_model and (name in lists or name == "default"):
                good.append(node.line)
                if name in lists:
                    good.append(lists[name].line)
            else:
                bad.append(node.line)
                why.append(
                    f"{vty.text}: login list {name} is not defined"
                    + ("" if new_model else " (and `aaa new-model` is off)")
                )
        elif new_model:  # a bare `login` under aaa new-model is not shown by IOS; treat it like the default
            good.append(node.line)
        else:
            bad.append(node.line)
            why.append(f"{vty.text}: `login` with the line password (a shared password, no account)")
    expected = "every vty: `login local`, a defined login list, or the default list under `aaa new-model`"
    if bad:
        return Outcome("fail", expected, "; ".join(why), evidence_lines(src, bad))
    return Outcome("pass", expected, "every vty authenticates accounts", evidence_lines(src, good))

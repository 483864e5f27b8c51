"""Rule functions for the Linux depth checks: loaded audit rules and the root password's age."""

from __future__ import annotations

import re

from prakan.parse import ConfigTree, KeyValues, Line
from prakan.rules.functions import Registry
from prakan.rules.model import Context, EvidenceUnavailable, Outcome, evidence_lines

FUNCTIONS = Registry()

# `-k KEY` or `-F key=KEY` in a rules file; `auditctl -l` prints `-F key=KEY` or `-k KEY` depending on version.
_KEY = re.compile(r"(?:^|\s)(?:-k\s+|-F\s+key=)(\S+)")
_RULE = re.compile(r"^-[aAwW]\s")


def _keys(tree: ConfigTree) -> dict[str, Line]:
    found: dict[str, Line] = {}
    for node in tree.roots:
        if _RULE.match(node.text):
            for key in _KEY.findall(node.text):
                found.setdefault(key, node.line)
    return found


@FUNCTIONS.register("audit_rules_loaded", sources=("audit_rules", "audit_loaded"))
def audit_rules_loaded(ctx: Context, *, source: str | None) -> Outcome:
    """Every rule key written in the audit rules files is also loaded in the running kernel.

    A rule written but not loaded (augenrules never run, a syntax error further up the file, an
    immutable `-e 2` configuration changed without a reboot) audits nothing. Rules are compared by
    their `-k` key, which survives auditctl's rewriting of the rule text.
    """
    written_tree = ctx.load("audit_rules")
    loaded_tree = ctx.load("audit_loaded")
    if not isinstance(written_tree, ConfigTree) or not isinstance(loaded_tree, ConfigTree):
        raise EvidenceUnavailable("audit rule sources are not configuration lines")
    expected = "every key written in /etc/audit/rules.d is loaded (auditctl -l)"
    loaded_lines = [n for n in loaded_tree.roots if _RULE.match(n.text)]
    nothing = ("no rules", "auditctl not installed")  # the source prints the latter when there is no auditctl
    if not loaded_lines and not any(n.text.lower() in nothing for n in loaded_tree.roots):
        first = loaded_tree.roots[0].text[:60] if loaded_tree.roots else ""
        raise EvidenceUnavailable(f"`auditctl -l` printed neither rules nor `No rules` ({first!r})")
    written = _keys(written_tree)
    loaded = _keys(loaded_tree)
    if not written:
        return Outcome("fail", expected, "no keyed audit rule is written", [])
    missing = sorted(k for k in written if k not in loaded)
    if missing:
        return Outcome(
            "fail",
            expected,
            f"{len(missing)} written key(s) not loaded: {', '.join(missing[:20])}",
            evidence_lines("audit_rules", [written[k] for k in missing]),
        )
    return Outcome(
        "pass",
        expected,
        f"all {len(written)} written key(s) loaded ({len(loaded_lines)} rules loaded)",
        evidence_lines("audit_loaded", [n.line for n in loaded_lines[:5]]),
    )


@FUNCTIONS.register("root_password_age", sources=("root_access",))
def root_password_age(ctx: Context, *, source: str | None, max_days: int = 365) -> Outcome:
    """root's password is locked, or was changed at most `max_days` days ago (never empty)."""
    src = source or "root_access"
    kv = ctx.load(src)
    if not isinstance(kv, KeyValues):
        raise EvidenceUnavailable(f"source `{src}` is not key/value data")
    expected = f"root password locked, or changed within {max_days} days"
    state = (kv.get("root_password") or [""])[-1]
    lines = evidence_lines(src, kv.lines_of("root_password") + kv.lines_of("root_lastchg"))
    if state == "locked":
        return Outcome("pass", expected, "root password locked (no password login as root)", lines)
    if state == "empty":
        return Outcome("fail", expected, "root has an EMPTY password", lines)
    if state != "set":
        raise EvidenceUnavailable(f"source `{src}` has no root entry (root_password {state or 'missing'})")
    try:
        now = int((kv.get("now_days") or [""])[-1])
        changed = int((kv.get("root_lastchg") or [""])[-1])
    except ValueError:
        return Outcome("error", expected, "", lines, "now_days or root_lastchg is not a number")
    if changed == 0:
        return Outcome("fail", expected, "root password must be changed at next login (lastchg 0)", lines)
    age = now - changed
    status = "pass" if 0 <= age <= max_days else "fail"
    return Outcome(status, expected, f"root password changed {age} days ago", lines)  # type: ignore[arg-type]

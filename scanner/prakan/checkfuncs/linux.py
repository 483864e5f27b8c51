"""Rule functions for Linux evidence: what the declarative primitives cannot say."""

from __future__ import annotations

import re
from dataclasses import dataclass

from prakan.parse import ConfigTree, KeyValues, Line
from prakan.rules.functions import Registry
from prakan.rules.model import Context, EvidenceUnavailable, Outcome, evidence_lines

FUNCTIONS = Registry()

# apt names the origin of each candidate version in parentheses; only security suites count there.
_APT_ORIGIN = re.compile(r"\(([^)]*)\)")
_SECURITY_SUITE = re.compile(r"[-/ ]security\b|\bDebian-Security\b", re.IGNORECASE)
# `Inst openssl [3.0.11-1~deb12u1] (3.0.13-1~deb12u2 Debian-Security:12/stable-security [amd64])`
_APT_INST = re.compile(r"^Inst\s+(\S+)")


def _int_value(kv: KeyValues, key: str, source: str) -> int:
    values = kv.get(key)
    if not values:
        raise EvidenceUnavailable(f"source `{source}` has no `{key}` line")
    try:
        return int(values[-1])
    except ValueError:
        raise EvidenceUnavailable(f"source `{source}`: `{key}` is not a number: {values[-1]!r}") from None


def _pending_name(manager: str, text: str) -> str:
    if manager == "apt":
        m = _APT_INST.match(text)
        return m.group(1) if m else text
    parts = text.split()  # dnf: ADVISORY SEVERITY/Sec. PACKAGE-VERSION.ARCH
    return parts[-1] if len(parts) >= 3 else text


@FUNCTIONS.register("pending_security_updates", sources=("pending_updates",))
def pending_security_updates(ctx: Context, *, source: str | None, max_age_days: int = 7) -> Outcome:
    """No security update is pending, judged from package lists that are present and fresh.

    Lists never fetched, or older than `max_age_days`, cannot show what is missing: that is an
    `error` (unknown), never a pass.
    """
    src = source or "pending_updates"
    kv = ctx.load(src)
    if not isinstance(kv, KeyValues):
        raise EvidenceUnavailable(f"source `{src}` is not key/value data")
    expected = f"no pending security update (package lists at most {max_age_days} days old)"
    manager = (kv.get("manager") or [""])[-1]
    if manager not in ("apt", "dnf"):
        return Outcome("error", expected, "", [], f"unknown package manager {manager!r}")
    lists = _int_value(kv, "lists", src)
    age = _int_value(kv, "lists_age_days", src)
    meta = evidence_lines(src, kv.lines_of("lists") + kv.lines_of("lists_age_days"))
    if lists <= 0:
        return Outcome(
            "error",
            expected,
            "no package lists",
            meta,
            "the package lists were never fetched: pending updates are unknown",
        )
    if age > max_age_days:
        return Outcome(
            "error",
            expected,
            f"package lists {age} days old",
            meta,
            f"package lists are stale ({age} days old): pending updates are unknown",
        )
    pending: list[tuple[str, Line]] = []
    for value, line in zip(kv.get("pending") or [], kv.lines_of("pending"), strict=True):
        origin = _APT_ORIGIN.search(value)
        if manager == "apt" and not (origin and _SECURITY_SUITE.search(origin.group(1))):
            continue
        pending.append((_pending_name(manager, value), line))
    if not pending:
        return Outcome("pass", expected, f"no pending security update ({manager}, lists {age} days old)", meta)
    names = sorted({name for name, _ in pending})
    shown = ", ".join(names[:20]) + (f" and {len(names) - 20} more" if len(names) > 20 else "")
    return Outcome(
        "fail",
        expected,
        f"{len(names)} package(s) with pending security updates: {shown}",
        evidence_lines(src, [ln for _, ln in pending]),
    )


# nft list ruleset: `table inet filter {` / `chain input {` / `type filter hook input ...; policy drop;` / `}`
_TABLE = re.compile(r"^table\s+(\S+)\s+\S+\s*\{$")
_CHAIN = re.compile(r"^chain\s+\S+\s*\{$")
_HOOK = re.compile(r"\bhook\s+input\b.*\bpolicy\s+(accept|drop)\b", re.IGNORECASE)
# A rule with no match expression, only statements (counter, log) and a verdict: it decides every packet
# that reaches it, so the first such rule ends the chain (firewalld ends its input chain with `reject`).
_LOG_OPTS = r"(?:\s+(?:prefix\s+\"[^\"]*\"|level\s+\S+|flags\s+\S+(?:\s*,\s*\S+)*|group\s+\d+|snaplen\s+\d+))*"
_UNCONDITIONAL = re.compile(
    rf"^(?:counter(?:\s+packets\s+\d+\s+bytes\s+\d+)?\s+)?(?:log{_LOG_OPTS}\s+)?(accept|drop|reject)\b"
)
# The address families a base chain filters.
_FAMILIES = {"inet": ("IPv4", "IPv6"), "ip": ("IPv4",), "ip6": ("IPv6",)}


@dataclass(slots=True)
class _Chain:
    family: str
    policy: str = ""
    hook: Line | None = None
    verdict: str = ""  # of the first unconditional rule; rules after it are never reached

    @property
    def denies(self) -> bool:
        ends = self.verdict or self.policy
        return self.family in _FAMILIES and ends in ("drop", "reject")

    @property
    def summary(self) -> str:
        return f"{self.family} policy {self.policy or '?'}" + (f", ends in `{self.verdict}`" if self.verdict else "")


def _input_chains(tree: ConfigTree, source: str) -> list[_Chain]:
    """The base chains attached to the input hook, in ruleset order; unbalanced text is not a ruleset."""
    if not _TABLE.match(tree.roots[0].text):
        raise EvidenceUnavailable(f"source `{source}` is not an nftables ruleset (line 1: {tree.roots[0].text[:60]!r})")
    chains: list[_Chain] = []
    stack: list[str | _Chain] = []  # open blocks: table family, chain, or "set" (sets, maps, flowtables)
    for node in tree.roots:
        text = node.text
        if text == "}":
            if not stack:
                raise EvidenceUnavailable(f"source `{source}` has an unbalanced `}}` at line {node.line.no}")
            block = stack.pop()
            if isinstance(block, _Chain) and block.hook is not None:
                chains.append(block)
        elif (m := _TABLE.match(text)) and not stack:
            stack.append(m.group(1))
        elif _CHAIN.match(text) and len(stack) == 1 and isinstance(stack[0], str):
            stack.append(_Chain(stack[0]))
        elif text.endswith("{"):
            stack.append("set")
        elif stack and isinstance(stack[-1], _Chain):
            chain = stack[-1]
            if m := _HOOK.search(text):
                chain.policy, chain.hook = m.group(1).lower(), node.line
            elif not chain.verdict and (m := _UNCONDITIONAL.match(text)):
                chain.verdict = m.group(1)
    if stack:
        raise EvidenceUnavailable(f"source `{source}` is truncated: {len(stack)} block(s) not closed")
    return chains


@FUNCTIONS.register("nft_input_default_deny", sources=("firewall",))
def nft_input_default_deny(ctx: Context, *, source: str | None) -> Outcome:
    """Both IPv4 and IPv6 input are denied by default by some input base chain.

    nftables evaluates every base chain on a hook; a packet must be accepted by all of them, so one
    denying chain per address family is enough: an `inet` chain covers both, `ip` only IPv4 and `ip6`
    only IPv6. A chain denies when `policy drop` is not undone by an unconditional `accept` rule, or
    when it ends in an unconditional drop/reject (as firewalld writes it).
    """
    src = source or "firewall"
    tree = ctx.load(src)
    if not isinstance(tree, ConfigTree):
        raise EvidenceUnavailable(f"source `{src}` is not configuration lines")
    expected = "IPv4 and IPv6 input chains (inet, or ip and ip6) with `policy drop` or a final catch-all drop/reject"
    if not tree.roots:
        return Outcome("fail", expected, "no nftables ruleset is loaded", [])
    chains = _input_chains(tree, src)
    if not chains:
        return Outcome("fail", expected, "no chain is attached to the input hook", [])
    deny = [c for c in chains if c.denies]
    covered = {fam for c in deny for fam in _FAMILIES[c.family]}
    open_families = [fam for fam in ("IPv4", "IPv6") if fam not in covered]
    if not open_families:
        shown = ", ".join(c.summary for c in deny)
        return Outcome(
            "pass",
            expected,
            f"{len(deny)} default-deny input chain(s): {shown}",
            evidence_lines(src, [c.hook for c in deny if c.hook]),
        )
    summary = "; ".join(c.summary for c in chains)
    return Outcome(
        "fail",
        expected,
        f"{' and '.join(open_families)} input accepted by default ({summary})",
        evidence_lines(src, [c.hook for c in chains if c.hook]),
    )

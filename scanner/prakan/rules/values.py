"""Value tests shared by every primitive: `equals`, `in`, `min`, `matches`, ... on one string.

Any expected value may come from the inventory: `{var: prakan_approved.ntp_servers}`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from prakan.rules.model import Context


class RuleError(ValueError):
    """A rule in the catalog is malformed (raised when the catalog is compiled)."""


class NotComparable(ValueError):
    """The evidence value cannot be compared (a number that is not a number): an `error`."""


Test = Callable[[str, Context], bool]

_SPLIT = re.compile(r"[\s,]+")


def resolve(value: Any, ctx: Context) -> Any:
    if isinstance(value, dict) and set(value) == {"var"}:
        return ctx.var(value["var"])
    return value


def _as_set(value: Any) -> set[str]:
    if isinstance(value, list | tuple | set):
        return {str(v) for v in value}
    return {str(value)}


def _number(text: str) -> float:
    try:
        return float(text.strip())
    except ValueError:
        raise NotComparable(f"{text!r} is not a number") from None


def _mode(text: str) -> int:
    try:
        return int(text.strip(), 8)
    except ValueError:
        raise NotComparable(f"{text!r} is not an octal file mode") from None


def _items(text: str) -> set[str]:
    return {item for item in _SPLIT.split(text.strip()) if item}


def _describe(op: str, value: Any) -> str:
    if isinstance(value, dict) and "var" in value:
        return f"{op} {{{value['var']}}}"
    return f"{op} {value}"


def _build(op: str, raw: Any) -> Test:
    def val(ctx: Context) -> Any:
        return resolve(raw, ctx)

    match op:
        case "equals":
            return lambda v, c: v == str(val(c))
        case "in":
            return lambda v, c: v in _as_set(val(c))
        case "not_in":
            return lambda v, c: v not in _as_set(val(c))
        case "matches":
            rx = re.compile(raw)
            return lambda v, c: rx.search(v) is not None
        case "not_matches":
            rx = re.compile(raw)
            return lambda v, c: rx.search(v) is None
        case "min":
            return lambda v, c: _number(v) >= float(val(c))
        case "max":
            return lambda v, c: _number(v) <= float(val(c))
        case "mode_at_most":
            return lambda v, c: _mode(v) & ~_mode(str(val(c))) == 0
        case "items_subset_of":
            return lambda v, c: _items(v) <= _as_set(val(c))
        case "items_exclude":
            return lambda v, c: not (_items(v) & _as_set(val(c)))
        case "items_include":
            return lambda v, c: _as_set(val(c)) <= _items(v)
    raise RuleError(f"unknown comparison `{op}`")


TEST_OPS = (
    "equals",
    "in",
    "not_in",
    "matches",
    "not_matches",
    "min",
    "max",
    "mode_at_most",
    "items_subset_of",
    "items_exclude",
    "items_include",
)


@dataclass(slots=True)
class ValueTest:
    """All the comparisons given in one mapping; a value passes when it passes every one."""

    tests: list[tuple[str, Any, Test]]
    _regex: re.Pattern[str] | None = None

    def __call__(self, value: str, ctx: Context) -> bool:
        return all(test(value, ctx) for _, _, test in self.tests)

    def describe(self) -> str:
        return " and ".join(_describe(op, raw) for op, raw, _ in self.tests)

    def lone_regex(self) -> re.Pattern[str] | None:
        """The compiled pattern when this test is a single `matches` (lets hot loops skip the wrapper)."""
        if len(self.tests) == 1 and self.tests[0][0] == "matches":
            return self._regex
        return None


def compile_value_test(spec: dict[str, Any] | str, *, where: str) -> ValueTest:
    """`spec` is a mapping of comparisons, or a bare string meaning `matches`."""
    if isinstance(spec, str):
        spec = {"matches": spec}
    tests = []
    for op in TEST_OPS:
        if op in spec:
            try:
                tests.append((op, spec[op], _build(op, spec[op])))
            except re.error as exc:
                raise RuleError(f"{where}: bad regular expression for `{op}`: {exc}") from exc
    if not tests:
        raise RuleError(f"{where}: no comparison given (one of {', '.join(TEST_OPS)})")
    return ValueTest(tests, re.compile(spec["matches"]) if "matches" in spec else None)

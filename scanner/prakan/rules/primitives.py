"""The three data primitives: key/value, configuration lines, table rows."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from prakan.parse import ConfigTree, KeyValues, Line, Table
from prakan.parse.ios import Node
from prakan.rules.model import Context, EvidenceUnavailable, Outcome, evidence_lines
from prakan.rules.values import NotComparable, RuleError, ValueTest, compile_value_test

# The literal first word of a pattern, used to pick candidate lines; only when whitespace MUST follow it
# (`^Storage\s*=` also matches `Storage=none`, whose first word is not `Storage`).
_LITERAL_HEAD = re.compile(r"\^([A-Za-z][\w-]*)(?= (?![*?{])|\\s(?![*?{])|\$|$)")
_TEMPLATE = re.compile(r"\$\{([\w.]+)\}")


def _load(ctx: Context, source: str, kind: type) -> Any:
    data = ctx.load(source)
    if not isinstance(data, kind):
        raise EvidenceUnavailable(f"source `{source}` is not {kind.__name__} data")
    return data


# --- key / value -------------------------------------------------------------------------


@dataclass(slots=True)
class KeyRule:
    source: str
    key: str
    test: ValueTest
    default: str | None
    missing: str

    def __call__(self, ctx: Context) -> Outcome:
        kv: KeyValues = _load(ctx, self.source, KeyValues)
        values = kv.get(self.key)
        expected = f"{self.key} {self.test.describe()}"
        lines = evidence_lines(self.source, kv.lines_of(self.key))
        if values is None:
            if self.default is None:
                status = {"pass": "pass", "error": "error"}.get(self.missing, "fail")
                return Outcome(status, expected, f"{self.key} not set", [], f"`{self.key}` is not set")  # type: ignore[arg-type]
            values = [self.default]
        try:
            ok = all(self.test(v, ctx) for v in values)
        except NotComparable as exc:
            return Outcome("error", expected, "; ".join(values), lines, str(exc))
        return Outcome("pass" if ok else "fail", expected, f"{self.key} {'; '.join(values)}", lines)


def compile_key(spec: dict[str, Any], source: str, where: str) -> KeyRule:
    missing = spec.get("missing", "fail")
    if missing not in ("fail", "pass", "error"):
        raise RuleError(f"{where}: `missing` must be fail, pass or error")
    default = spec.get("default")
    return KeyRule(
        source,
        str(spec["key"]),
        compile_value_test(spec, where=where),
        None if default is None else str(default),
        missing,
    )


# --- configuration lines -----------------------------------------------------------------


class Pattern:
    """A regex, possibly with `${var.path}` inventory templates, plus its literal first word."""

    def __init__(self, pattern: str, where: str) -> None:
        self.pattern = pattern
        self.templated = bool(_TEMPLATE.search(pattern))
        head = _LITERAL_HEAD.match(pattern)
        self.first_word = head.group(1) if head else None
        self._cache: dict[str, re.Pattern[str]] = {}
        try:
            self._static = None if self.templated else re.compile(pattern)
        except re.error as exc:
            raise RuleError(f"{where}: bad regular expression {pattern!r}: {exc}") from exc

    def compiled(self, ctx: Context) -> re.Pattern[str]:
        if self._static is not None:
            return self._static

        def expand(m: re.Match[str]) -> str:
            value = ctx.var(m.group(1))
            items = value if isinstance(value, list | tuple) else [value]
            return "|".join(re.escape(str(i)) for i in items) or "(?!)"

        text = _TEMPLATE.sub(expand, self.pattern)
        if text not in self._cache:
            self._cache[text] = re.compile(text)
        return self._cache[text]

    def __str__(self) -> str:
        return self.pattern


def _matching(nodes: Iterable[Node], rx: re.Pattern[str]) -> list[Node]:
    return [n for n in nodes if rx.search(n.text)]


@dataclass(slots=True)
class ConfigRule:
    source: str
    present: list[Pattern]
    absent: list[Pattern]
    capture: Pattern | None
    test: ValueTest | None
    min_count: int
    default: str | None
    section: Pattern | None
    quantifier: str  # every | any
    if_no_section: str
    any_depth: bool

    def _scope(self, tree: ConfigTree, ctx: Context) -> list[tuple[Node | None, list[Node]]]:
        """The groups of lines each check applies to: one group per matching section."""
        if self.section is None:
            if self.any_depth:
                return [(None, tree.all_nodes())]
            return [(None, tree.roots)]
        rx = self.section.compiled(ctx)
        return [(s, s.walk()) for s in _matching(tree.candidates(self.section.first_word), rx)]

    def _lines_for(self, pattern: Pattern, nodes: list[Node], tree: ConfigTree, top: bool, ctx: Context) -> list[Node]:
        rx = pattern.compiled(ctx)
        pool = tree.candidates(pattern.first_word) if top else nodes
        return _matching(pool, rx)

    def _check_group(
        self, section: Node | None, nodes: list[Node], tree: ConfigTree, ctx: Context
    ) -> tuple[bool, list[Line], list[str]]:
        top = section is None and not self.any_depth
        ok, lines, notes = True, [] if section is None else [section.line], []
        for p in self.present:
            found = self._lines_for(p, nodes, tree, top, ctx)
            lines += [n.line for n in found]
            if not found:
                ok = False
                notes.append(f"missing /{p}/")
        for p in self.absent:
            found = self._lines_for(p, nodes, tree, top, ctx)
            if found:
                ok = False
                lines += [n.line for n in found]
                notes.append(f"found /{p}/")
        if self.capture is not None:
            rx = self.capture.compiled(ctx)
            pool = tree.candidates(self.capture.first_word) if top else nodes
            values: list[str] = []
            for n in pool:
                m = rx.search(n.text)
                if m:
                    values.append(m.group(1) if m.groups() else m.group(0))
                    lines.append(n.line)
            if not values and self.default is not None:
                values = [self.default]
                notes.append(f"default {self.default}")
            if len(values) < self.min_count:
                ok = False
                notes.append(f"{len(values)} of at least {self.min_count} /{self.capture}/")
            assert self.test is not None
            bad = [v for v in values if not self.test(v, ctx)]
            if bad:
                ok = False
            notes.append("values: " + (", ".join(values) or "none"))
        return ok, lines, notes

    def __call__(self, ctx: Context) -> Outcome:
        tree: ConfigTree = _load(ctx, self.source, ConfigTree)
        expected = self.describe()
        groups = self._scope(tree, ctx)
        if not groups:
            status = self.if_no_section
            reason = f"no section matches /{self.section}/"
            return Outcome(status, expected, reason, [], reason)  # type: ignore[arg-type]
        try:
            results = [self._check_group(s, nodes, tree, ctx) for s, nodes in groups]
        except NotComparable as exc:
            return Outcome("error", expected, "", [], str(exc))
        oks = [ok for ok, _, _ in results]
        passed = all(oks) if self.quantifier == "every" else any(oks)
        shown = [r for r in results if not r[0]] if not passed else results
        lines = [ln for _, group_lines, _ in shown for ln in group_lines]
        actual = "; ".join(
            (f"[{s.text}] " if s is not None else "") + ", ".join(notes)
            for (s, _), (ok, _, notes) in zip(groups, results, strict=True)
            if (not ok) or passed
        )
        return Outcome(
            "pass" if passed else "fail", expected, actual or "as expected", evidence_lines(self.source, lines)
        )

    def describe(self) -> str:
        parts = [f"line /{p}/ present" for p in self.present]
        parts += [f"no line /{p}/" for p in self.absent]
        if self.capture is not None and self.test is not None:
            parts.append(f"at least {self.min_count} /{self.capture}/, each {self.test.describe()}")
        text = " and ".join(parts)
        if self.section is not None:
            return f"{self.quantifier} section /{self.section}/: {text}"
        return text


def _patterns(value: Any, where: str) -> list[Pattern]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [Pattern(str(v), where) for v in items]


def compile_config(spec: dict[str, Any], source: str, where: str) -> ConfigRule:
    capture = spec.get("capture")
    test = None
    if capture is not None:
        comparisons = {k: v for k, v in spec.items() if k not in _CONFIG_KEYS}
        test = compile_value_test(comparisons or {"matches": ""}, where=where)
    quantifier = spec.get("sections", "every")
    if quantifier not in ("every", "any"):
        raise RuleError(f"{where}: `sections` must be every or any")
    if_none = spec.get("if_no_section", "fail")
    if if_none not in ("pass", "fail", "error"):
        raise RuleError(f"{where}: `if_no_section` must be pass, fail or error")
    default = spec.get("default")
    return ConfigRule(
        source=source,
        present=_patterns(spec.get("present"), where),
        absent=_patterns(spec.get("absent"), where),
        capture=Pattern(str(capture), where) if capture is not None else None,
        test=test,
        min_count=int(spec.get("min_count", 1 if capture is not None else 0)),
        default=None if default is None else str(default),
        section=Pattern(str(spec["section"]), where) if "section" in spec else None,
        quantifier=quantifier,
        if_no_section=if_none,
        any_depth=bool(spec.get("any_depth", False)),
    )


_CONFIG_KEYS = {
    "source",
    "present",
    "absent",
    "capture",
    "min_count",
    "default",
    "section",
    "sections",
    "if_no_section",
    "any_depth",
}


# --- table rows --------------------------------------------------------------------------


@dataclass(slots=True)
class RowsRule:
    source: str
    where: dict[str, ValueTest]
    match: dict[str, ValueTest]
    expect: str  # all | any | none
    count_min: int | None
    count_max: int | None
    if_none: str

    @staticmethod
    def _ok(row: dict[str, Any], tests: dict[str, ValueTest], ctx: Context) -> bool:
        return all(col in row and test(str(row[col]), ctx) for col, test in tests.items())

    def _filter(self, table: Table, ctx: Context) -> list[tuple[dict[str, Any], Line | None]]:
        """Rows passing `where`; a lone regex per column (the common case) is searched directly."""
        rows = list(zip(table.rows, table.lines, strict=True))
        for col, test in self.where.items():
            rx = test.lone_regex()
            if rx is not None:
                search = rx.search
                rows = [
                    (r, ln)
                    for r, ln in rows
                    if (v := r.get(col)) is not None and search(v if v.__class__ is str else str(v))
                ]
            else:
                rows = [(r, ln) for r, ln in rows if col in r and test(str(r[col]), ctx)]
        return rows

    def __call__(self, ctx: Context) -> Outcome:
        table: Table = _load(ctx, self.source, Table)
        try:
            picked = self._filter(table, ctx)
            flags = [self._ok(r, self.match, ctx) for r, _ in picked]
        except NotComparable as exc:
            return Outcome("error", self.describe(), "", [], str(exc))
        good = [p for p, f in zip(picked, flags, strict=True) if f]
        bad = [p for p, f in zip(picked, flags, strict=True) if not f]
        n = len(picked)
        if self.expect == "none":
            ok, shown = not good, good
        elif self.expect == "any":
            ok, shown = bool(good), good
        else:
            ok, shown = (not bad) and (n > 0 or self.if_none == "pass"), bad
        if self.count_min is not None and n < self.count_min:
            ok = False
        if self.count_max is not None and n > self.count_max:
            ok, shown = False, picked
        lines = [ln for _, ln in shown if ln is not None]
        actual = f"{n} matching row(s)"
        if shown:
            actual += ": " + "; ".join(_row_text(r) for r, _ in shown[:10])
        return Outcome("pass" if ok else "fail", self.describe(), actual, evidence_lines(self.source, lines))

    def describe(self) -> str:
        where = " and ".join(f"{c} {t.describe()}" for c, t in self.where.items()) or "every row"
        match = " and ".join(f"{c} {t.describe()}" for c, t in self.match.items())
        text = {
            "all": f"rows where {where}: all have {match}",
            "any": f"some row where {where} has {match}",
            "none": f"no row where {where}" + (f" has {match}" if match else ""),
        }[self.expect]
        if self.count_min is not None or self.count_max is not None:
            upper = "any" if self.count_max is None else self.count_max
            text += f" (count between {self.count_min or 0} and {upper})"
        return text


def _row_text(row: dict[str, Any]) -> str:
    return " ".join(f"{k}={v}" for k, v in list(row.items())[:6])


def compile_rows(spec: dict[str, Any], source: str, where: str) -> RowsRule:
    expect = spec.get("expect", "all")
    if expect not in ("all", "any", "none"):
        raise RuleError(f"{where}: `expect` must be all, any or none")
    count = spec.get("count", {})

    def tests(key: str) -> dict[str, ValueTest]:
        return {c: compile_value_test(t, where=f"{where}.{key}.{c}") for c, t in (spec.get(key) or {}).items()}

    return RowsRule(
        source, tests("where"), tests("match"), expect, count.get("min"), count.get("max"), spec.get("if_none", "fail")
    )


Compiler = Callable[[dict[str, Any], str, str], Any]

"""Compile a rule mapping into a callable; combinators and the function escape hatch live here."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from prakan.rules.functions import Registry
from prakan.rules.model import Context, EvidenceUnavailable, Outcome, Rule, VarMissing
from prakan.rules.primitives import compile_config, compile_key, compile_rows
from prakan.rules.values import RuleError

# Which parsed kind each primitive needs; sources declare their kind in checks/sources.yml.
_NEEDS = {"key": "kv", "config": "config", "rows": "table"}


def _primitive(spec: Mapping[str, Any]) -> str:
    if "key" in spec:
        return "key"
    if any(k in spec for k in ("present", "absent", "capture")):
        return "config"
    if "rows" in spec:
        return "rows"
    raise RuleError("unknown rule: expected key, present/absent/capture, rows, all, any, not or function")


@dataclass(slots=True)
class Guarded:
    """Turns missing evidence and missing inventory values into `error` outcomes with the reason."""

    inner: Rule

    def __call__(self, ctx: Context) -> Outcome:
        try:
            return self.inner(ctx)
        except (EvidenceUnavailable, VarMissing) as exc:
            return Outcome("error", reason=str(exc))


@dataclass(slots=True)
class AllOf:
    rules: list[Rule]

    def __call__(self, ctx: Context) -> Outcome:
        outs = [r(ctx) for r in self.rules]
        # One failure decides `all` even when another part could not be evaluated.
        for status in ("fail", "error"):
            if any(o.status == status for o in outs):
                merged = _merge(status, [o for o in outs if o.status == status], outs)
                # Also show what the passing parts read from OTHER sources (the running value of a
                # sysctl beside the persistent one that fails), after the lines that decided.
                seen = {ln.get("source") for ln in merged.lines}
                passing = [ln for o in outs if o.status == "pass" for ln in o.lines]
                merged.lines += [ln for ln in passing if ln.get("source") not in seen]
                return merged
        return _merge("pass", outs, outs)


@dataclass(slots=True)
class AnyOf:
    rules: list[Rule]

    def __call__(self, ctx: Context) -> Outcome:
        outs = [r(ctx) for r in self.rules]
        for status in ("pass", "error"):
            if any(o.status == status for o in outs):
                return _merge(status, [o for o in outs if o.status == status], outs, " or ")
        return _merge("fail", outs, outs, " or ")


@dataclass(slots=True)
class Not:
    rule: Rule

    def __call__(self, ctx: Context) -> Outcome:
        out = self.rule(ctx)
        flipped = {"pass": "fail", "fail": "pass"}.get(out.status, out.status)
        return Outcome(flipped, f"not ({out.expected})", out.actual, out.lines, out.reason)  # type: ignore[arg-type]


def _merge(status: str, deciding: list[Outcome], all_outs: list[Outcome], joiner: str = " and ") -> Outcome:
    return Outcome(
        status,  # type: ignore[arg-type]
        joiner.join(f"({o.expected})" for o in all_outs if o.expected),
        "; ".join(o.actual for o in deciding if o.actual),
        [ln for o in deciding for ln in o.lines],
        "; ".join(o.reason for o in deciding if o.reason),
    )


def compile_rule(
    spec: Mapping[str, Any],
    *,
    source: str | None,
    source_kinds: Mapping[str, str],
    functions: Registry,
    where: str,
) -> Rule:
    """Compile `spec` (the `rule:` of a check); `source` is the check's default evidence source."""
    if not isinstance(spec, Mapping):
        raise RuleError(f"{where}: a rule must be a mapping")
    if "all" in spec or "any" in spec:
        op = "all" if "all" in spec else "any"
        parts = spec[op]
        if not isinstance(parts, list) or not parts:
            raise RuleError(f"{where}: `{op}` needs a non-empty list of rules")
        src = spec.get("source", source)
        rules = [
            compile_rule(p, source=src, source_kinds=source_kinds, functions=functions, where=f"{where}.{op}[{i}]")
            for i, p in enumerate(parts)
        ]
        return AllOf(rules) if op == "all" else AnyOf(rules)
    if "not" in spec:
        return Not(
            compile_rule(
                spec["not"],
                source=spec.get("source", source),
                source_kinds=source_kinds,
                functions=functions,
                where=f"{where}.not",
            )
        )
    if "function" in spec:
        fn = functions.get(spec["function"], where)
        args = dict(spec.get("args") or {})
        src = spec.get("source", source)
        for needed in fn.sources:
            if needed not in source_kinds:
                raise RuleError(f"{where}: function `{fn.name}` needs unknown source `{needed}`")
        return Guarded(_bound(fn.func, args, src))
    kind = _primitive(spec)
    src = spec.get("source", source)
    if src is None:
        raise RuleError(f"{where}: no evidence `source` given")
    if src not in source_kinds:
        raise RuleError(f"{where}: unknown evidence source `{src}`")
    if source_kinds[src] != _NEEDS[kind]:
        raise RuleError(f"{where}: a `{kind}` rule needs a {_NEEDS[kind]} source; `{src}` is {source_kinds[src]}")
    body = dict(spec)
    if kind == "rows":
        body = dict(spec["rows"] or {})
    rule: Callable[[Context], Outcome]
    if kind == "key":
        rule = compile_key(body, src, where)
    elif kind == "config":
        rule = compile_config(body, src, where)
    else:
        rule = compile_rows(body, src, where)
    return Guarded(rule)


def _bound(func: Callable[..., Outcome], args: dict[str, Any], source: str | None) -> Rule:
    def call(ctx: Context) -> Outcome:
        return func(ctx, source=source, **args)

    return call

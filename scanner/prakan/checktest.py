"""Run every check's embedded pass / fail / error samples, the way ComplianceAsCode tests its rules."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from prakan.catalog import Catalog, Check
from prakan.evaluate import SourceCache
from prakan.evidence import sha256_text
from prakan.rules import Context

EXPECTED = ("pass", "fail", "error")


@dataclass(frozen=True, slots=True)
class SampleResult:
    check: str
    expected: str
    index: int
    got: str
    detail: str
    name: str = ""

    @property
    def ok(self) -> bool:
        return self.got == self.expected


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in override.items():
        out[k] = _merge(out[k], v) if isinstance(v, Mapping) and isinstance(out.get(k), Mapping) else v
    return out


def default_sample_vars(catalog: Catalog) -> dict[str, Any]:
    """Inventory values that samples evaluate against (`checks/sample_vars.yml`)."""
    path = catalog.root / "sample_vars.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {} if path.exists() else {}


def sample_parts(sample: Any) -> tuple[str, Any]:
    """A sample's name (may be empty) and its evidence: `{name: ..., evidence: ...}` or the evidence alone."""
    if isinstance(sample, Mapping) and set(sample) == {"name", "evidence"}:
        return str(sample["name"]), sample["evidence"]
    return "", sample


def run_samples(check: Check, base_vars: Mapping[str, Any], catalog: Catalog) -> list[SampleResult]:
    if check.rule is None:
        return []
    variables = _merge(base_vars, check.samples.get("vars", {}))
    platform = check.platforms[0]
    results = []
    for expected in EXPECTED:
        for i, sample in enumerate(check.samples.get(expected, []) or [], 1):
            name, evidence = sample_parts(sample)
            texts = evidence if isinstance(evidence, Mapping) else {check.source: evidence}
            doc = {
                "sources": {
                    name: {"command": name, "rc": 0, "output": text, "sha256": sha256_text(text)}
                    for name, text in texts.items()
                }
            }
            out = check.rule(
                Context(f"sample-{expected}-{i}", variables, SourceCache(doc, catalog, platform, fragments=True))
            )
            detail = out.reason or f"expected {out.expected}; actual {out.actual}"
            results.append(SampleResult(check.id, expected, i, out.status, detail, name))
    return results


def run_all(catalog: Catalog, checks: Iterable[Check] | None = None) -> list[SampleResult]:
    base = default_sample_vars(catalog)
    return [r for c in (checks or catalog.checks.values()) for r in run_samples(c, base, catalog)]

"""Coverage: for every framework clause, the automated and manual checks behind it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from prakan.catalog import Catalog


@dataclass(slots=True)
class ClauseCoverage:
    framework: str
    id: str
    title: dict[str, str]
    automated: list[str] = field(default_factory=list)
    manual: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.automated:
            return "automated"
        return "manual" if self.manual else "not_covered"

    def to_json(self) -> dict[str, Any]:
        return {
            "framework": self.framework,
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "automated": self.automated,
            "manual": self.manual,
        }


def _cited(catalog: Catalog, fw_id: str, parent: dict[str, str | None]) -> dict[str, dict[str, set[str]]]:
    """Clause id -> checks citing it or any clause below it, split by kind."""
    cited: dict[str, dict[str, set[str]]] = defaultdict(lambda: {"automated": set(), "manual": set()})
    for check in catalog.checks.values():
        refs = check.refs.get(fw_id, [])
        # CIS refs map benchmark -> recommendation id; the benchmark is the clause.
        for cid in list(refs):
            node: str | None = cid
            while node is not None:
                cited[node][check.kind].add(check.id)
                node = parent.get(node)
    return cited


def _union(row: ClauseCoverage, automated: Iterable[str], manual: Iterable[str]) -> None:
    row.automated = sorted(set(row.automated) | set(automated))
    row.manual = sorted(set(row.manual) | set(manual))


def _tiers(fw: dict[str, Any], cop: dict[str, dict[str, set[str]]]) -> list[ClauseCoverage]:
    """Minimum Standards tiers are covered through the CoP clauses their measures name."""
    rows = []
    for tier in fw.get("clauses", []):
        total = ClauseCoverage(fw["id"], tier["id"], tier.get("title", {}))
        measures = []
        for m in tier.get("measures", []):
            row = ClauseCoverage(fw["id"], f"{tier['id']}/{m['id']}", m.get("title", {}))
            for cop_id in m.get("cop_clauses", []):
                got = cop.get(cop_id, {"automated": set(), "manual": set()})
                _union(row, got["automated"], got["manual"])
            _union(total, row.automated, row.manual)
            measures.append(row)
        rows += [total, *measures]
    return rows


def coverage(catalog: Catalog, framework: str | None = None) -> list[ClauseCoverage]:
    """A clause counts as covered by checks that cite it or any clause below it.

    Minimum Standards tiers cite no checks themselves: their measures point at CoP clauses.
    """
    rows: list[ClauseCoverage] = []
    cop_fw = catalog.frameworks.get("ncsa_cop_2564", {})
    cop = _cited(catalog, "ncsa_cop_2564", {c["id"]: c.get("parent") for c in cop_fw.get("clauses", [])})
    for fw_id, fw in sorted(catalog.frameworks.items()):
        if framework and fw_id != framework:
            continue
        clauses = fw.get("clauses", [])
        if any("measures" in c for c in clauses):
            rows += _tiers(fw, cop)
            continue
        cited = _cited(catalog, fw_id, {c["id"]: c.get("parent") for c in clauses})
        for c in clauses:
            got = cited.get(c["id"], {"automated": set(), "manual": set()})
            rows.append(
                ClauseCoverage(fw_id, c["id"], c.get("title", {}), sorted(got["automated"]), sorted(got["manual"]))
            )
    return rows


def unknown_refs(catalog: Catalog) -> list[str]:
    """References to clause ids that the framework files do not define."""
    known = {fw_id: {c["id"] for c in fw.get("clauses", [])} for fw_id, fw in catalog.frameworks.items()}
    problems = []
    for check in catalog.checks.values():
        for fw_id, ids in check.refs.items():
            if fw_id not in known or not isinstance(ids, list):
                continue
            problems += [
                f"{check.id}: {fw_id} {cid} is not a clause of {fw_id}" for cid in ids if cid not in known[fw_id]
            ]
    return problems

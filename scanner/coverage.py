"""Coverage: for every framework clause, the automated and manual checks behind it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from scanner.catalog import Catalog


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
        return {"framework": self.framework, "id": self.id, "title": self.title, "status": self.status,
                "automated": self.automated, "manual": self.manual}  # fmt: skip


def coverage(catalog: Catalog, framework: str | None = None) -> list[ClauseCoverage]:
    """A clause counts as covered by checks that cite it or any clause below it."""
    rows: list[ClauseCoverage] = []
    for fw_id, fw in sorted(catalog.frameworks.items()):
        if framework and fw_id != framework:
            continue
        clauses = fw.get("clauses", [])
        parent = {c["id"]: c.get("parent") for c in clauses}
        direct: dict[str, dict[str, set[str]]] = defaultdict(lambda: {"automated": set(), "manual": set()})
        for check in catalog.checks.values():
            refs = check.refs.get(fw_id, [])
            for cid in refs if isinstance(refs, list) else []:
                node: str | None = cid
                while node is not None:
                    direct[node][check.kind].add(check.id)
                    node = parent.get(node)
        for c in clauses:
            got = direct.get(c["id"], {"automated": set(), "manual": set()})
            rows.append(ClauseCoverage(fw_id, c["id"], c.get("title", {}), sorted(got["automated"]),
                                       sorted(got["manual"])))  # fmt: skip
    return rows


def unknown_refs(catalog: Catalog) -> list[str]:
    """References to clause ids that the framework files do not define."""
    known = {fw_id: {c["id"] for c in fw.get("clauses", [])} for fw_id, fw in catalog.frameworks.items()}
    problems = []
    for check in catalog.checks.values():
        for fw_id, ids in check.refs.items():
            if fw_id not in known or not isinstance(ids, list):
                continue
            problems += [f"{check.id}: {fw_id} {cid} is not a clause of {fw_id}" for cid in ids
                         if cid not in known[fw_id]]  # fmt: skip
    return problems

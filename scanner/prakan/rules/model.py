from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from prakan.parse.base import Line

Status = Literal["pass", "fail", "error"]


class EvidenceUnavailable(Exception):
    """The source a rule needs is missing, failed, truncated or unparseable."""


class VarMissing(Exception):
    """A rule refers to an inventory variable the host does not have."""


@dataclass(slots=True)
class Outcome:
    status: Status
    expected: str = ""
    actual: str = ""
    lines: list[dict[str, Any]] = field(default_factory=list)
    reason: str = ""


def evidence_lines(source: str, lines: list[Line], limit: int = 20) -> list[dict[str, Any]]:
    return [{"source": source, "line": ln.no, "text": ln.text.strip()} for ln in lines[:limit]]


@dataclass(slots=True)
class Context:
    """What a rule sees: the host's variables and a loader of its parsed sources."""

    host: str
    vars: Mapping[str, Any]
    load: Callable[[str], Any]  # source name -> parsed object, or raises EvidenceUnavailable

    def var(self, path: str) -> Any:
        node: Any = self.vars
        for part in path.split("."):
            if not isinstance(node, Mapping) or part not in node:
                raise VarMissing(f"inventory variable `{path}` is not set for {self.host}")
            node = node[part]
        return node


Rule = Callable[[Context], Outcome]

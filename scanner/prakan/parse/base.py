from __future__ import annotations

from dataclasses import dataclass


class ParseError(ValueError):
    """The evidence text cannot be trusted: checks that depend on it are `error`."""


@dataclass(frozen=True, slots=True)
class Line:
    """One line of evidence, with its 1-based line number in the raw output."""

    no: int
    text: str

    def as_dict(self) -> dict[str, object]:
        return {"line": self.no, "text": self.text}

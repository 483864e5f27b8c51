"""Several files gathered in one source, each introduced by a `### /path` header line."""

from __future__ import annotations

from dataclasses import dataclass, field

from prakan.parse.base import Line, ParseError

HEADER = "### "


@dataclass(slots=True)
class FileSet:
    """File path to its non-comment lines; a file that was absent is simply not there."""

    files: dict[str, list[Line]] = field(default_factory=dict)

    def all_lines(self) -> list[Line]:
        return [line for lines in self.files.values() for line in lines]


def parse_files(text: str, comment: str = "#") -> FileSet:
    fs = FileSet()
    current: list[Line] | None = None
    for no, raw in enumerate(text.splitlines(), 1):
        if raw.startswith(HEADER):
            current = fs.files.setdefault(raw[len(HEADER) :].strip(), [])
            continue
        stripped = raw.strip()
        if current is None and stripped:
            raise ParseError(f"line {no}: text before the first `### /path` header")
        if current is None or not stripped or (comment and stripped.startswith(comment)):
            continue
        current.append(Line(no, raw))
    if not fs.files and text.strip():
        raise ParseError("expected `### /path` file headers, found other text")
    return fs

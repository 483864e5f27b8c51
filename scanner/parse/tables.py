"""Tables: TextFSM (ntc-templates) for show commands, and delimited files such as /etc/passwd."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scanner.parse.base import Line, ParseError


@dataclass(slots=True)
class Table:
    rows: list[dict[str, Any]] = field(default_factory=list)
    lines: list[Line | None] = field(default_factory=list)  # the raw line of each row, when known


def parse_textfsm(text: str, platform: str, command: str) -> Table:
    """Parse with the ntc-templates index; no template or no rows is a ParseError."""
    from ntc_templates.parse import parse_output

    try:
        rows = parse_output(platform=platform, command=command, data=text)
    except Exception as exc:  # ntc_templates raises bare Exception for a missing template
        raise ParseError(f"TextFSM could not parse `{command}`: {exc}") from exc
    if not rows:
        raise ParseError(f"TextFSM found no rows in `{command}` output")
    return Table(rows=[{k.upper(): v for k, v in row.items()} for row in rows], lines=[None] * len(rows))


def parse_delimited(text: str, columns: list[str], sep: str | None = None, comment: str = "#") -> Table:
    """Fixed-column records (`/etc/passwd` with sep=':', `stat -c` output with sep=None)."""
    table = Table()
    for no, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not stripped or (comment and stripped.startswith(comment)):
            continue
        parts = stripped.split(sep, len(columns) - 1) if sep else stripped.split(None, len(columns) - 1)
        if len(parts) != len(columns):
            raise ParseError(f"line {no}: expected {len(columns)} fields, found {len(parts)}: {raw[:80]!r}")
        table.rows.append(dict(zip(columns, parts, strict=True)))
        table.lines.append(Line(no, raw))
    if not table.rows:
        raise ParseError("no records found")
    return table

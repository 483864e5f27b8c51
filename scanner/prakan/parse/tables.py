"""Tables: TextFSM (ntc-templates) for show commands, and delimited files such as /etc/passwd."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import textfsm
from textfsm import clitable

from prakan.parse.base import Line, ParseError


@dataclass(slots=True)
class Table:
    rows: list[dict[str, Any]] = field(default_factory=list)
    lines: list[Line | None] = field(default_factory=list)  # the raw line of each row, when known


@functools.cache
def _template(platform: str, command: str) -> textfsm.TextFSM:
    """Find the ntc-templates template once; reading the index on every parse is the slow part."""
    from ntc_templates.parse import _get_template_dir

    table = clitable.CliTable("index", _get_template_dir())
    row = table.index.GetRowMatch({"Platform": platform, "Command": command})
    if row == 0:
        raise ParseError(f"no TextFSM template for {platform} `{command}`")
    name = table.index.index[row]["Template"].split(":")[0]
    with open(Path(_get_template_dir()) / name, encoding="utf-8") as fh:
        return textfsm.TextFSM(fh)


def parse_textfsm(text: str, platform: str, command: str) -> Table:
    """Parse with the ntc-templates template for the command; no rows or a template error is a ParseError."""
    fsm = _template(platform, command)
    fsm.Reset()
    try:
        records = fsm.ParseText(text)
    except textfsm.TextFSMError as exc:
        raise ParseError(f"TextFSM could not parse `{command}`: {exc}") from exc
    if not records:
        raise ParseError(f"TextFSM found no rows in `{command}` output")
    header = [h.upper() for h in fsm.header]
    rows = [dict(zip(header, rec, strict=True)) for rec in records]
    return Table(rows=rows, lines=[None] * len(rows))


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

"""Evidence sources: the named, read-only commands the catalog may ask a host for.

`checks/sources.yml` is the only place commands come from, so collection is read-only by
construction: a collector can send nothing that is not named here.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from prakan.parse import (
    ParseError,
    parse_delimited,
    parse_files,
    parse_flat_config,
    parse_ios_config,
    parse_kv,
    parse_textfsm,
)
from prakan.parse.sysctl_d import parse_sysctl_files
from prakan.paths import CHECKS_DIR

# Parser name -> the kind of data it yields, which rule primitives are checked against.
PARSER_KINDS = {
    "kv": "kv",
    "ios_config": "config",
    "flat": "config",
    "textfsm": "table",
    "delimited": "table",
    "files": "files",
    "text": "text",
    "sysctl_files": "kv",
}
UNREADABLE = "#!unreadable "


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    platforms: tuple[str, ...]
    command: str
    parser: str
    options: Mapping[str, Any] = field(default_factory=dict)
    become: bool = False
    empty_ok: bool = False
    never_empty: bool = False  # empty output cannot come from a real host: it is `error`, never "nothing found"
    slow: bool = False  # walks file systems: sent first, so the host's other commands run beside it
    description: str = ""

    @property
    def kind(self) -> str:
        return PARSER_KINDS[self.parser]

    def parse(self, text: str, platform: str, fragments: bool = False) -> Any:
        """Parse raw output into the source's kind; ParseError when it cannot be trusted.

        `fragments`: the catalog's own samples, which are configuration fragments by design."""
        if not text.strip() and self.never_empty:
            raise ParseError("output is empty, which it never is on a real host (never_empty in sources.yml)")
        if not text.strip() and not self.empty_ok:
            raise ParseError("output is empty")
        for line in text.splitlines():
            if line.startswith(UNREADABLE):
                raise ParseError(f"file {line[len(UNREADABLE) :]} exists but could not be read")
        opts = dict(self.options)
        match self.parser:
            case "kv":
                return parse_kv(text, allow_empty=self.empty_ok, **opts)
            case "ios_config":
                return parse_ios_config(text, complete=not fragments)
            case "flat":
                return parse_flat_config(text, **opts)
            case "textfsm":
                return parse_textfsm(text, opts.get("platform", platform), opts.get("command", self.command))
            case "delimited":
                if not text.strip():
                    from prakan.parse import Table

                    return Table()
                return parse_delimited(text, list(opts["columns"]), opts.get("sep"))
            case "files":
                return parse_files(text)
            case "sysctl_files":
                return parse_sysctl_files(text)
            case _:
                return text


def files_command(paths: list[str]) -> str:
    """A read-only shell loop printing each existing file under a `### path` header."""
    quoted = " ".join(p if "*" in p else shlex.quote(p) for p in paths)
    return (
        f'for f in {quoted}; do if [ -f "$f" ]; then if [ -r "$f" ]; then echo "### $f"; cat "$f"; '
        f'else echo "{UNREADABLE}$f"; fi; fi; done; exit 0'
    )


_SHOW = re.compile(r"^show \S")


def _check_read_only(path: Path, name: str, command: str, platforms: tuple[str, ...]) -> None:
    """Refuse what could change a device: one line only, and on a network CLI `show` commands only."""
    if "\n" in command or "\r" in command:
        raise ValueError(f"{path}: source {name}: the command must be one line")
    if any(p != "linux" for p in platforms) and not _SHOW.match(command):
        raise ValueError(f"{path}: source {name}: a network device source may only run `show` commands")


def load_sources(path: Path | None = None) -> dict[str, Source]:
    path = path or CHECKS_DIR / "sources.yml"
    return sources_from_data(yaml.safe_load(path.read_text(encoding="utf-8")) or {}, path)


def sources_from_data(data: Mapping[str, Any], path: Path) -> dict[str, Source]:
    """Sources from the parsed `sources.yml` (`path` names it in errors)."""
    sources: dict[str, Source] = {}
    for name, spec in data.get("sources", {}).items():
        parser = spec.get("parser", "text")
        options: dict[str, Any] = {}
        if isinstance(parser, dict):
            ((parser, options),) = parser.items()
            options = options or {}
        if parser not in PARSER_KINDS:
            raise ValueError(f"{path}: source {name}: unknown parser {parser!r}")
        command = files_command(list(spec["files"])) if "files" in spec else str(spec["command"])
        _check_read_only(path, name, command, tuple(spec["platforms"]))
        if spec.get("empty_ok") and spec.get("never_empty"):
            raise ValueError(f"{path}: source {name}: empty_ok and never_empty contradict each other")
        sources[name] = Source(
            name=name,
            platforms=tuple(spec["platforms"]),
            command=command,
            parser=parser,
            options=options,
            become=bool(spec.get("become", False)),
            empty_ok=bool(spec.get("empty_ok", False)),
            never_empty=bool(spec.get("never_empty", False)),
            slow=bool(spec.get("slow", False)),
            description=str(spec.get("description", "")),
        )
    return sources

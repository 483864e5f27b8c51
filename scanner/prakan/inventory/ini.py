"""Positions in an INI inventory: the file rewritten as the node tree a YAML inventory would give.

Ansible's ini plugin reads the data; this only finds where each group, host and variable is
written, so every rule that points at YAML nodes (positions, INV016, INV018) works on INI too.
The tree is {group: {hosts: {host: {var: value}}, vars: {var: value}, children: {group: null}}},
with marks on the INI lines and columns. Line syntax follows ansible-core's ini plugin.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from ansible.inventory.group import to_safe_group_name
from ansible.parsing.utils.addresses import parse_address
from ansible.plugins.inventory import detect_range, expand_hostname_range
from yaml import Mark
from yaml.nodes import MappingNode, Node, ScalarNode

from prakan.inventory.positions import Document

_SECTION = re.compile(r"^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$")
_GROUP_NAME = re.compile(r"^([^:\]\s]+)\s*(?:#.*)?$")
_TOKEN = re.compile(r"""(?:[^\s"']|"[^"]*"|'[^']*')+""")  # a shell word as written, quotes kept
_STR, _MAP, _NULL = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:null"
Pair = tuple[Node, Node]


@dataclass
class _Group:
    key: ScalarNode
    hosts: list[Pair] = field(default_factory=list)
    vars: list[Pair] = field(default_factory=list)
    children: list[Pair] = field(default_factory=list)


class _Marks:
    def __init__(self, path: str) -> None:
        self.path = path

    def scalar(self, value: str, line: int, col: int, tag: str = _STR) -> ScalarNode:
        mark = Mark(self.path, 0, line, col, None, None)  # type: ignore[arg-type]  # no buffer: PyYAML allows None
        return ScalarNode(tag, value, mark, mark)

    def mapping(self, pairs: list[Pair], at: Node) -> MappingNode:
        return MappingNode(_MAP, pairs, at.start_mark, at.end_mark)


def _unquote(raw: str) -> str:
    try:
        words = shlex.split(raw)
    except ValueError:
        return raw
    return words[0] if len(words) == 1 else raw


def _hostnames(pattern: str) -> list[str]:
    try:
        name, _ = parse_address(pattern, allow_ranges=True)
    except Exception:  # Ansible's own fallback: not an address, take it as written
        name = pattern
    return expand_hostname_range(name) if detect_range(name) else [name]


def _host_line(m: _Marks, line: str, lineno: int) -> list[Pair]:
    """`name [k=v ...]`: a pair per host name (a range gives several), all sharing the vars."""
    words = []
    for match in _TOKEN.finditer(line):
        if match.group().startswith(("#", ";")):
            break  # a comment to the end of the line
        words.append(match)
    if not words:
        return []
    variables: list[Pair] = []
    for word in words[1:]:
        key, sep, value = word.group().partition("=")
        if sep:
            variables.append((m.scalar(key, lineno, word.start()), m.scalar(_unquote(value), lineno, word.start())))
    first = words[0]
    try:
        names = _hostnames(first.group())
    except Exception:  # a malformed range: Ansible reports it (INV020)
        names = [first.group()]
    keys = [m.scalar(name, lineno, first.start()) for name in names]
    return [(key, m.mapping(variables, key)) for key in keys]


def document(path: Path, shown: str) -> Document | None:
    """The INI file at `path` as a Document, or None when it is not text (e.g. a binary script)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    m = _Marks(shown)
    groups: dict[str, _Group] = {}
    name, state = "ungrouped", "hosts"
    for lineno, raw in enumerate(text.splitlines()):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        col = len(raw) - len(raw.lstrip())
        if section := _SECTION.match(line):
            name, state = to_safe_group_name(section.group(1)), section.group(2) or "hosts"
            groups.setdefault(name, _Group(m.scalar(name, lineno, col + 1)))
            continue
        group = groups.setdefault(name, _Group(m.scalar(name, lineno, col)))
        if state == "hosts":
            group.hosts.extend(_host_line(m, raw, lineno))
        elif state == "vars" and "=" in line:
            key, _, value = line.partition("=")
            group.vars.append((m.scalar(key.strip(), lineno, col), m.scalar(_unquote(value.strip()), lineno, col)))
        elif state == "children" and (child := _GROUP_NAME.match(line)):
            child_name = to_safe_group_name(child.group(1))
            group.children.append((m.scalar(child_name, lineno, col), m.scalar("", lineno, col, _NULL)))
    if not groups:
        return None
    top: list[Pair] = []
    for group in groups.values():
        body: list[Pair] = [
            (m.scalar(section, group.key.start_mark.line, group.key.start_mark.column), m.mapping(pairs, group.key))
            for section, pairs in (("hosts", group.hosts), ("vars", group.vars), ("children", group.children))
            if pairs
        ]
        top.append((group.key, m.mapping(body, group.key)))
    return Document(shown, m.mapping(top, top[0][0]))

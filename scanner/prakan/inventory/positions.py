"""Where things are written: YAML node trees (PyYAML's C composer) mapped to file:line:col.

Ansible's loaders give values, not positions of keys, so each file is composed a second time
with libyaml; nodes carry start marks, which is all the linter needs to point at a key.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Pos = tuple[str, int, int]  # (file, line, column), both 1-based
VAULT_TAG = "!vault"


@dataclass
class YamlSyntaxError(Exception):
    line: int
    col: int
    problem: str


def compose(text: str) -> Node | None:
    """Compose one YAML document into nodes; raise YamlSyntaxError with its position."""
    try:
        return yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlSyntaxError(line, col, problem) from None
    except yaml.YAMLError as exc:  # reader errors (bad bytes) carry no mark
        raise YamlSyntaxError(1, 1, str(exc).splitlines()[0]) from None


@dataclass
class Document:
    """One YAML file as written: its node tree, or None when it is empty."""

    path: str
    root: Node | None
    encrypted: bool = False  # whole file vaulted: positions inside it mean nothing to the reader

    def pos(self, node: Node | None) -> Pos:
        if node is None or self.encrypted:
            return (self.path, 1, 1)
        return (self.path, node.start_mark.line + 1, node.start_mark.column + 1)


def items(node: Node | None) -> list[tuple[ScalarNode, Node]]:
    """Key/value pairs of a mapping node with scalar keys (others are no concern of the linter)."""
    if not isinstance(node, MappingNode):
        return []
    return [(k, v) for k, v in node.value if isinstance(k, ScalarNode)]


def get(node: Node | None, key: str) -> tuple[ScalarNode, Node] | None:
    """The pair for `key` in a mapping; the last one, as YAML keeps the last duplicate."""
    found = None
    for k, v in items(node):
        if k.value == key:
            found = (k, v)
    return found


def locate(node: Node, path: Sequence[str | int]) -> Node:
    """The deepest node on `path`: the key node for a mapping key, the item for a list index."""
    here: Node = node
    target: Node = node
    for step in path:
        if isinstance(step, int) and isinstance(here, SequenceNode) and 0 <= step < len(here.value):
            here = target = here.value[step]
        elif isinstance(step, str) and (pair := get(here, step)):
            target, here = pair
        else:
            break
    return target


def is_null(node: Node | None) -> bool:
    return node is None or (isinstance(node, ScalarNode) and node.tag.endswith(":null"))


@dataclass
class Occurrence:
    """One place where an inventory file names a host or a group."""

    doc: Document
    key: ScalarNode
    vars: Node | None  # a host's inline vars, or a group's `vars:` mapping
    parent: str | None = None  # the group it is written under


@dataclass
class InventoryIndex:
    hosts: dict[str, list[Occurrence]] = field(default_factory=dict)
    groups: dict[str, list[Occurrence]] = field(default_factory=dict)

    def add_document(self, doc: Document) -> None:
        """Walk an Ansible YAML inventory: top-level groups with hosts / vars / children."""
        for key, value in items(doc.root):
            self._group(doc, key, value, None)

    def _group(self, doc: Document, key: ScalarNode, body: Node, parent: str | None) -> None:
        section = {k.value: v for k, v in items(body)}
        self.groups.setdefault(key.value, []).append(Occurrence(doc, key, section.get("vars"), parent))
        for hkey, hvars in items(section.get("hosts")):
            self.hosts.setdefault(hkey.value, []).append(Occurrence(doc, hkey, hvars, key.value))
        for ckey, cbody in items(section.get("children")):
            self._group(doc, ckey, cbody, key.value)


def walk_mappings(node: Node | None) -> Iterator[MappingNode]:
    """Every mapping node in a tree, depth first (iterative: inventories can be large)."""
    stack = [node] if node is not None else []
    while stack:
        here = stack.pop()
        if isinstance(here, MappingNode):
            yield here
            stack.extend(v for _, v in here.value)
        elif isinstance(here, SequenceNode):
            stack.extend(here.value)

"""Reading inventory files as untrusted input: regular files only, bounded size, depth and aliases.

An inventory arrives in CI from a merge request, so a file may be a FIFO (a read that never ends), a
link to /dev/zero, a YAML alias bomb (a few lines that expand to gigabytes), or nesting deep enough
to exhaust the stack. Each is refused here, in bounded time and memory, with the reason.
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

MAX_FILE_BYTES = 64 << 20  # far above a national inventory's largest file (20,000 hosts: about 6 MiB)
MAX_DEPTH = 64  # an inventory nests groups and vars a few levels deep
MAX_EXPANDED_NODES = 5_000_000  # nodes after aliases are expanded; a 20,000-host hosts.yml has ~1 M


class UnsafeInput(ValueError):
    """A file that is not read (or not built into data), with the reason."""


def read_regular(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file; FIFOs, devices, sockets and oversized files are refused unopened
    or unread (O_NONBLOCK: opening a FIFO must not wait for a writer)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise UnsafeInput(f"cannot read: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeInput(f"not a regular file ({_kind(info.st_mode)})")
        if info.st_size > limit:
            raise UnsafeInput(f"{info.st_size} bytes, more than the {limit} allowed")
        chunks, total = [], 0
        while chunk := os.read(fd, 1 << 20):
            total += len(chunk)
            if total > limit:  # grew while read
                raise UnsafeInput(f"more than the {limit} bytes allowed")
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "a special file")


def check_tree(root: Node | None, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_EXPANDED_NODES) -> None:
    """Refuse a composed YAML tree that nests too deep, refers to itself, or whose aliases expand
    past `max_nodes`.

    Aliases share nodes, so height and expanded size are memoised per distinct node: linear in the
    file however large the expansion it describes. Iterative: no recursion limit to hit.
    """
    if root is None:
        return
    done: dict[int, tuple[int, int]] = {}  # id -> (height, expanded size)
    open_: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        kids = _children(node)
        if children_done:
            open_.discard(id(node))
            height = 1 + max((done[id(k)][0] for k in kids), default=0)
            total = 1 + sum(done[id(k)][1] for k in kids)
            if height > max_depth:
                raise UnsafeInput(f"line {_line(node)}: nested more than {max_depth} levels deep")
            if total > max_nodes:
                raise UnsafeInput(f"aliases expand to more than {max_nodes} values (an alias bomb?)")
            done[id(node)] = (height, total)
            continue
        if id(node) in done:
            continue
        if len(open_) > max_depth:
            raise UnsafeInput(f"line {_line(node)}: nested more than {max_depth} levels deep")
        open_.add(id(node))
        stack.append((node, True))
        for k in kids:
            if id(k) in open_:
                raise UnsafeInput(f"line {_line(k)}: an alias refers to a value that contains it")
            if id(k) not in done:
                stack.append((k, False))


def _line(node: Node) -> int:
    return node.start_mark.line + 1 if node.start_mark else 0


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


def check_data_depth(value: Any, max_depth: int = MAX_DEPTH) -> None:
    """Depth of already-built data (the INI plugin's values never nest; YAML was checked as nodes)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        here, depth = stack.pop()
        if depth > max_depth:
            raise UnsafeInput(f"nested more than {max_depth} levels deep")
        if isinstance(here, dict):
            stack.extend((v, depth + 1) for v in here.values())
        elif isinstance(here, list):
            stack.extend((v, depth + 1) for v in here)


FLOW_SCAN_ABOVE = 100_000  # more brackets than this: measure their nesting before composing


def check_flow_depth(text: str, max_depth: int = MAX_DEPTH) -> None:
    """Refuse flow nesting (`[[[[...`) too deep to compose before libyaml's recursive composer sees it.

    Block nesting needs indentation, so the file-size limit bounds it; flow nesting costs one byte a
    level, so a large count of brackets is measured exactly on the event stream (no recursion).
    """
    if text.count("[") + text.count("{") <= FLOW_SCAN_ABOVE:
        return
    depth = 0
    for event in yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > max_depth:
                line = event.start_mark.line + 1 if event.start_mark else 0
                raise UnsafeInput(f"line {line}: nested more than {max_depth} levels deep")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


T = TypeVar("T")
_STACK_BYTES = 128 << 20  # libyaml composes recursively; this stack holds every depth check_flow_depth lets through


def with_large_stack(fn: Callable[[], T]) -> T:
    """Run `fn` in a thread with a large stack and return (or raise) what it does."""
    result: list[T] = []
    error: list[BaseException] = []

    def run() -> None:
        try:
            result.append(fn())
        except BaseException as exc:  # re-raised in the caller's thread
            error.append(exc)

    previous = threading.stack_size(_STACK_BYTES)
    try:
        worker = threading.Thread(target=run, name="prakan-inventory", daemon=True)
        worker.start()
    finally:
        threading.stack_size(previous)
    worker.join()
    if error:
        raise error[0]
    return result[0]

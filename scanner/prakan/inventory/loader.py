"""The one inventory loader: what Ansible makes of an inventory, and where each value is written.

Hosts, groups, membership and inline vars come from ansible-core's InventoryManager (its yaml and
ini plugins only: see ansible_api.py); vault decryption from ansible's VaultLib; group_vars/ and
host_vars/ files are found with DataLoader.find_vars_files and merged in Ansible's precedence order
(tests compare the result with ansible-core's own VariableManager, host by host).

Each YAML file is read once (a regular file, bounded: files.py) and parsed once with libyaml. With
`positions=True` (the linter) the node tree gives file:line:col for every key; the runtime model
(model.py) skips it. The parsed data is handed to InventoryManager through the DataLoader instead
of letting it parse the file again: ansible-core's own constructor tags every value with its origin
and the plugin deep-copies the result, which costs seconds per 10,000 hosts.
Load problems become findings, never exceptions.
"""

from __future__ import annotations

import difflib
import os
import pickle
import re
import stat
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from ansible.errors import AnsibleError
from ansible.inventory.helpers import sort_groups
from ansible.parsing.dataloader import DataLoader
from ansible.parsing.vault import (
    EncryptedString,
    VaultHelper,
    VaultLib,
    VaultSecret,
    get_file_vault_secret,
    is_encrypted,
)
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from prakan.inventory import ini
from prakan.inventory.ansible_api import IGNORED_NAMES, SafeInventoryManager, deferred_warnings, processed_sources
from prakan.inventory.files import (
    UnsafeInput,
    check_flow_depth,
    check_tree,
    read_regular,
    with_large_stack,
)
from prakan.inventory.model import Vaulted
from prakan.inventory.positions import (
    Document,
    InventoryIndex,
    Occurrence,
    Pos,
    YamlSyntaxError,
    compose,
    get,
    locate,
)
from prakan.lint.findings import Finding, finding

YAML_EXTS = (".yml", ".yaml", ".json")
FORK_ABOVE_BYTES = 1 << 20  # below this, one process is quicker than a fork and a pipe
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MAGIC = frozenset({"inventory_file", "inventory_dir"})  # set by Ansible, not written by the user


class _Constructor(SafeConstructor):
    """PyYAML's safe constructor plus Ansible's two tags: `!vault` (kept opaque) and `!unsafe`."""

    def construct_vault(self, node: Node) -> EncryptedString:
        # Ansible's own type: InventoryManager stores no other; to_plain() makes it a Vaulted
        return EncryptedString(ciphertext=node.value if isinstance(node, ScalarNode) else "")

    def construct_timestamp(self, node: Node) -> Any:
        """An impossible date (2027-02-30) is an error at its node, as Ansible refuses the file."""
        assert isinstance(node, ScalarNode)  # the timestamp tag is resolved on scalars only
        try:
            return SafeConstructor.construct_yaml_timestamp(self, node)
        except ValueError as exc:
            problem = f"{node.value!r} is not a valid date ({exc}); quote it if it is meant as text"
            raise ConstructorError(None, None, problem, node.start_mark) from None

    def construct_unsafe(self, node: Node) -> Any:
        if isinstance(node, MappingNode):
            return self.construct_mapping(node, deep=True)
        if isinstance(node, SequenceNode):
            return self.construct_sequence(node, deep=True)
        return self.construct_scalar(node) if isinstance(node, ScalarNode) else None


_Constructor.add_constructor("!vault", _Constructor.construct_vault)  # type: ignore[type-var]
_Constructor.add_constructor("!unsafe", _Constructor.construct_unsafe)  # type: ignore[type-var]
_Constructor.add_constructor(_TIMESTAMP, _Constructor.construct_timestamp)  # type: ignore[type-var]


class _DataLoaderYaml(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml straight to data (no node tree kept), with the same two Ansible tags and the same
    limits on depth and alias expansion (checked on the nodes, before any value is built)."""

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        check_tree(node)
        return None if node is None else self.construct_document(node)


_DataLoaderYaml.add_constructor("!vault", _Constructor.construct_vault)
_DataLoaderYaml.add_constructor("!unsafe", _Constructor.construct_unsafe)
_DataLoaderYaml.add_constructor(_TIMESTAMP, _Constructor.construct_timestamp)


def construct(node: Node | None) -> Any:
    return None if node is None else _Constructor().construct_document(node)


class _ParsedLoader(DataLoader):
    """A DataLoader that returns the data of files the linter has already parsed."""

    def __init__(self) -> None:
        super().__init__()
        self.parsed: dict[str, Any] = {}

    def load_from_file(
        self,
        file_name: str,
        cache: str = "all",
        unsafe: bool = False,
        json_only: bool = False,
        trusted_as_template: bool = False,
    ) -> Any:
        path = os.path.realpath(self.path_dwim(file_name))
        if path in self.parsed:
            return self.parsed[path]
        return super().load_from_file(file_name, cache, unsafe, json_only, trusted_as_template)


_SCALARS = frozenset({str, int, float, bool, type(None)})


def to_plain(value: Any) -> Any:
    """Ansible's tagged values as builtins, for jsonschema and comparisons."""
    kind = type(value)
    if kind in _SCALARS or kind is Vaulted:
        return value
    if kind is dict:
        return {k if type(k) is str else str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, EncryptedString):  # a value Ansible built itself (an INI source)
        return Vaulted(VaultHelper.get_ciphertext(value, with_tags=False) or "")
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    for builtin in (bool, str, int, float):  # tagged subclasses of builtins
        if isinstance(value, builtin):
            return builtin(value)
    return value  # e.g. an unquoted date: kept, the schema wants a string


@dataclass
class Layer:
    """Variables written in one place (a host's or group's inline vars, or one vars file)."""

    data: dict[str, Any]
    nodes: list[tuple[Document, Node]] = field(default_factory=list)  # later ones win

    def where(self, path: Sequence[str | int]) -> Pos | None:
        for doc, node in reversed(self.nodes):
            if get(node, str(path[0])):
                return doc.pos(locate(node, path))
        return None


@dataclass
class Entity:
    """A host or a group: where it is named and the layers of variables it owns."""

    name: str
    occurrences: list[Occurrence]
    inline: Layer
    files: list[Layer] = field(default_factory=list)

    @property
    def pos(self) -> Pos | None:
        occ = self.occurrences[0] if self.occurrences else None
        return occ.doc.pos(occ.key) if occ else None

    def own_layers(self) -> list[Layer]:
        return [self.inline, *self.files]


@dataclass
class Group(Entity):
    @property
    def vars(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for layer in self.own_layers():
            merged.update(layer.data)
        return merged

    def locate(self, path: Sequence[str | int]) -> Pos | None:
        for layer in reversed(self.own_layers()):
            if path[0] in layer.data and (pos := layer.where(path)):
                return pos
        return self.pos


@dataclass
class Host(Entity):
    groups: list[str] = field(default_factory=list)  # in Ansible's merge order, `all` first
    layers: list[Layer] = field(default_factory=list)  # every layer that applies, low → high precedence
    vars: dict[str, Any] = field(default_factory=dict)  # the effective variables

    def source(self, key: str) -> Layer | None:
        """The layer whose value of `key` wins (dict variables replace, they do not merge)."""
        for layer in reversed(self.layers):
            if key in layer.data:
                return layer
        return None

    def locate(self, path: Sequence[str | int]) -> Pos | None:
        layer = self.source(str(path[0]))
        return (layer.where(path) if layer else None) or self.pos


@dataclass
class Inventory:
    root: Path
    root_pos: Pos
    hosts: dict[str, Host] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    documents: list[Document] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    vault: VaultLib | None = None
    selected: list[str] | None = None  # the hosts `limit` selects, in Ansible's order (None: no limit)


def display_path(path: Path) -> str:
    """Relative to the working directory (the repository root in CI) when inside it. A link is shown
    where it is written, not where it points."""
    full = Path(os.path.abspath(path))
    full = Path(os.path.realpath(full.parent)) / full.name
    try:
        return full.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return full.as_posix()


def _inventory_files(path: Path) -> tuple[list[Path], list[Finding]]:
    """The files Ansible reads as inventory sources for `path` (same ignore rules), and findings for
    what cannot be read: special files, unreadable directories, symbolic-link loops."""
    found: list[Path] = []
    problems: list[Finding] = []
    seen: set[str] = set()

    def walk(here: Path) -> None:
        real = os.path.realpath(here)
        if real in seen:
            problems.append(finding("INV000", (display_path(here), 1, 1), problem="a directory link loops back"))
            return
        seen.add(real)
        try:
            entries = sorted(os.listdir(here))
        except OSError as exc:
            problems.append(finding("INV000", (display_path(here), 1, 1), problem=f"cannot list: {exc.strerror}"))
            return
        for entry in entries:
            if IGNORED_NAMES.search(entry.encode()):
                continue
            full = here / entry
            try:
                info = full.stat()
            except OSError as exc:  # a dangling link, or a link loop
                problems.append(finding("INV000", (display_path(full), 1, 1), problem=f"cannot read: {exc.strerror}"))
                continue
            if stat.S_ISDIR(info.st_mode):
                walk(full)
            elif stat.S_ISREG(info.st_mode):
                found.append(full)
            else:
                problems.append(finding("INV000", (display_path(full), 1, 1), problem="not a regular file"))

    if path.is_dir():
        walk(path)
    elif path.is_file():  # a single inventory file; special files are refused when read
        found.append(path)
    else:
        problems.append(finding("INV000", (display_path(path), 1, 1), problem="not a regular file"))
    return found, problems


class Loader:
    """Load once: `positions` for the linter (file:line:col of every key), `limit` as Ansible's."""

    def __init__(
        self, path: Path, vault_password_file: Path | None = None, positions: bool = True, limit: str | None = None
    ) -> None:
        self.path = path
        self.base = path if path.is_dir() else path.parent
        self.positions = positions
        self.limit = limit
        self.dl = _ParsedLoader()
        secrets: list[tuple[str, VaultSecret]] = []
        if vault_password_file:
            secret = get_file_vault_secret(filename=str(vault_password_file), vault_id="default", loader=self.dl)
            secret.load()
            secrets = [("default", secret)]
        self.dl.set_vault_secrets(secrets)
        self.vault = VaultLib(secrets) if secrets else None
        self.inv = Inventory(path, (display_path(path), 1, 1), vault=self.vault)
        self._preparsed: dict[str, tuple[Any, Any, Finding | None]] = {}

    def _preparse_vars_files(self) -> None:
        for kind in ("group", "host"):
            for dirpath, dirnames, filenames in os.walk(self.base / f"{kind}_vars"):
                dirnames[:] = [d for d in dirnames if not d.startswith(".")]
                for name in filenames:
                    path = Path(dirpath) / name
                    if not name.startswith(".") and not name.endswith("~") and path.suffix in ("", *YAML_EXTS):
                        self._preparsed[os.path.realpath(path)] = parse_file(path, self.vault)

    def _read(self, path: Path, keep_data: bool = True) -> Document | None:
        """Parse one file (positions if wanted, and data); a problem becomes a finding and None."""
        cached = self._preparsed.pop(os.path.realpath(path), None)
        if cached is None:
            cached = parse_file(path, self.vault, nodes=self.positions, data=keep_data)
        doc, data, problem = cached
        if problem is not None:
            self.inv.findings.append(problem)
            return None
        doc = doc or Document(display_path(path), None)
        self.inv.documents.append(doc)
        self.dl.parsed[os.path.realpath(path)] = data
        return doc

    def load(self) -> Inventory:
        """Load in a thread with a large stack: libyaml composes nested values recursively."""
        if not self.path.exists():
            self.inv.findings.append(finding("INV000", self.inv.root_pos, problem="inventory not found"))
            return self.inv
        return with_large_stack(self._load)

    def _load(self) -> Inventory:
        files, unreadable = _inventory_files(self.path)
        self.inv.findings.extend(unreadable)
        yaml_bytes = sum(p.stat().st_size for p in files if p.suffix in YAML_EXTS)
        # a large inventory: Ansible's side runs in a forked child while this process maps positions
        fork = self.positions and yaml_bytes > FORK_ABOVE_BYTES and hasattr(os, "fork")
        pending = self._snapshot_in_child(files) if fork else None
        docs: dict[str, Document] = {}  # source -> where its groups and hosts are written
        ini_sources: set[str] = set()
        sources: list[str] = []
        for path in files:
            if path.suffix not in YAML_EXTS:  # INI: Ansible's plugin reads it (positions: ini.py)
                sources.append(str(path))
                if self.positions and (doc := ini.document(path, display_path(path))):
                    docs[str(path)] = doc
                    ini_sources.add(str(path))
                continue
            doc = self._read(path, keep_data=pending is None)
            if doc is None or (doc.root is None and self.dl.parsed.get(os.path.realpath(path)) is None):
                continue  # unusable (a finding already) or empty (reported below if nothing has hosts)
            docs[str(path)] = doc
            sources.append(str(path))
        if pending:  # use the wait: parse group_vars/ and host_vars/ now
            self._preparse_vars_files()
        if pending:
            snapshot, unreadable_data = pending()
        else:
            snapshot, unreadable_data = (_snapshot(self.dl, sources, self.limit) if sources else None), []
        for source, problem in unreadable_data:  # built only by the child (e.g. an impossible date)
            if (doc := docs.pop(source, None)) is not None:
                self.inv.findings.append(problem)
                self.inv.documents.remove(doc)
        refused = {s for s, _ in snapshot.failed} if snapshot else set()
        index = InventoryIndex()
        for source, doc in docs.items():
            if source in ini_sources and source not in refused:  # refused (INV020): maybe not INI at all
                self.inv.documents.append(doc)
            if doc.root is not None:
                index.add_document(doc)  # Ansible may have kept the groups it read before refusing the file
        if snapshot is not None:
            for source, why in snapshot.failed:
                self.inv.findings.append(finding("INV020", (display_path(Path(source)), 1, 1), problem=why))
            self.inv.selected = snapshot.selected
            self._build(snapshot, index)
        if not self.inv.hosts and not any(f.rule_id in ("INV000", "INV002", "INV020") for f in self.inv.findings):
            self.inv.findings.append(finding("INV001", self.inv.root_pos))
        return self.inv

    def _snapshot_in_child(self, files: list[Path]) -> Callable[[], tuple[Snapshot | None, list[tuple[str, Finding]]]]:
        """Fork: the child parses the sources for data only and runs InventoryManager.

        It also returns the problems it met building data, which the parent (nodes only) cannot see.
        """
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # child: never returns
            status = 1
            try:
                os.close(read_fd)
                sources, problems = [], []
                for path in files:
                    if path.suffix in YAML_EXTS:
                        _, data, problem = parse_file(path, self.vault, nodes=False)
                        if problem is not None:
                            problems.append((str(path), problem))
                        if problem is not None or data is None:
                            continue
                        self.dl.parsed[os.path.realpath(path)] = data
                    sources.append(str(path))
                snapshot = _snapshot(self.dl, sources, self.limit) if sources else None
                with os.fdopen(write_fd, "wb") as out:
                    pickle.dump((snapshot, problems), out, protocol=pickle.HIGHEST_PROTOCOL)
                status = 0
            finally:
                os._exit(status)
        os.close(write_fd)

        def result() -> tuple[Snapshot | None, list[tuple[str, Finding]]]:
            with os.fdopen(read_fd, "rb") as pipe:
                payload = pipe.read()  # read all before waiting: the child blocks on a full pipe
            _, status = os.waitpid(pid, 0)
            if status != 0 or not payload:
                raise RuntimeError("the inventory loader child process failed")
            return pickle.loads(payload)  # our own child, over a private pipe

        return result

    def _vars_layers(self, kind: str, names: set[str]) -> dict[str, list[Layer]]:
        """group_vars/ or host_vars/ files by the name they belong to, loaded by DataLoader."""
        directory = self.base / f"{kind}_vars"
        layers: dict[str, list[Layer]] = {}
        if not directory.is_dir():
            return layers
        seen: set[str] = set()
        for entry in sorted(os.listdir(directory)):
            if entry.startswith(".") or entry.endswith("~"):
                continue
            stem, ext = os.path.splitext(entry)
            name = stem if ext in YAML_EXTS else entry
            if name in seen:
                continue
            seen.add(name)
            if name not in names:
                self._unknown_name(kind, name, directory / entry, names)
                continue
            for file in self.dl.find_vars_files(str(directory), name):
                if (layer := self._vars_file(Path(file))) is not None:
                    layers.setdefault(name, []).append(layer)
        return layers

    def _vars_file(self, path: Path) -> Layer | None:
        doc = self._read(path)
        if doc is None:
            return None
        data = self.dl.parsed[os.path.realpath(path)]
        if data is None:
            return Layer({})
        if not isinstance(data, Mapping):
            self.inv.findings.append(
                finding("INV004", doc.pos(doc.root), key=doc.path, problem="a variables file must be a mapping")
            )
            return None
        return Layer(to_plain(data), [(doc, doc.root)] if doc.root is not None else [])

    def _unknown_name(self, kind: str, name: str, path: Path, names: set[str]) -> None:
        close = difflib.get_close_matches(name, names, n=1)
        self.inv.findings.append(
            finding(
                "INV019",
                (display_path(path), 1, 1),
                kind=kind,
                kind_th={"group": "กลุ่ม", "host": "โฮสต์"}[kind],
                name=name,
                hint=f"; did you mean '{close[0]}'?" if close else "",
                hint_th=f" หมายถึง '{close[0]}' หรือไม่" if close else "",
            )
        )

    def _build(self, snapshot: Snapshot, index: InventoryIndex) -> None:
        group_files = self._vars_layers("group", set(snapshot.groups))
        host_files = self._vars_layers("host", set(snapshot.hosts))
        for name, inline_vars in snapshot.groups.items():
            occ = index.groups.get(name, [])
            inline = Layer(inline_vars, [(o.doc, o.vars) for o in occ if o.vars is not None])
            self.inv.groups[name] = Group(name, occ, inline, group_files.get(name, []))
        for name, (inline_vars, ordered) in snapshot.hosts.items():
            occ = index.hosts.get(name, [])
            inline = Layer(inline_vars, [(o.doc, o.vars) for o in occ if o.vars is not None])
            groups = [self.inv.groups[g] for g in ordered if g in self.inv.groups]
            # Ansible's VARIABLE_PRECEDENCE: all_inventory, groups_inventory, all_plugins_inventory,
            # groups_plugins_inventory (groups in sort_groups order), then the host's own vars
            layers = [
                *(g.inline for g in groups),
                *(layer for g in groups if g.name == "all" for layer in g.files),
                *(layer for g in groups if g.name != "all" for layer in g.files),
                inline,
                *host_files.get(name, []),
            ]
            merged: dict[str, Any] = {}
            for layer in layers:
                merged.update(layer.data)
            self.inv.hosts[name] = Host(name, occ, inline, host_files.get(name, []), ordered, layers, merged)


@dataclass
class Snapshot:
    """What InventoryManager made of the sources, as plain data (it may come from a child process)."""

    groups: dict[str, dict[str, Any]]  # name -> inline vars
    hosts: dict[str, tuple[dict[str, Any], list[str]]]  # name -> (inline vars, its groups in merge order)
    failed: list[tuple[str, str]]  # (source, why) for sources Ansible refused
    selected: list[str] | None = None  # hosts matching the limit pattern (None: no limit given)


def _snapshot(dl: DataLoader, sources: list[str], limit: str | None = None) -> Snapshot:
    """Run InventoryManager, keeping the warnings it would print about bad sources as reasons."""
    with deferred_warnings() as warnings:
        manager = SafeInventoryManager(loader=dl, sources=sources)
    parsed = {os.path.realpath(s) for s in processed_sources(manager)}
    failed = [(s, _source_problem(warnings, s)) for s in sources if os.path.realpath(s) not in parsed]
    groups = {name: to_plain(group.get_vars()) for name, group in manager.groups.items()}
    hosts = {
        name: (
            to_plain({k: v for k, v in host.vars.items() if k not in _MAGIC}),
            [g.name for g in sort_groups(host.get_groups())],
        )
        for name, host in manager.hosts.items()
    }
    selected = None
    if limit:
        manager.subset(limit)
        selected = [h.name for h in manager.get_hosts("all")]
    return Snapshot(groups, hosts, failed, selected)


def parse_file(
    path: Path, vault: VaultLib | None, nodes: bool = True, data: bool = True
) -> tuple[Any, Any, Finding | None]:
    """(Document, data, None), or (None, None, finding) for a file that is not usable YAML.

    Whole-file vault is decrypted first; positions inside a decrypted file are reported as 1:1.
    `nodes=False` builds only the data, `data=False` only the node tree (each half is seconds
    for a hosts.yml of 20,000 hosts).
    """
    shown = display_path(path)
    try:
        raw = read_regular(path)
    except UnsafeInput as exc:
        return None, None, finding("INV000", (shown, 1, 1), problem=str(exc))
    encrypted = is_encrypted(raw)
    if encrypted:
        if not vault:
            return None, None, finding("INV002", (shown, 1, 1), "file", reason="no vault password given")
        try:
            raw = vault.decrypt(raw)
        except AnsibleError as exc:
            return None, None, finding("INV002", (shown, 1, 1), "file", reason=_first_line(exc).rstrip("."))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, None, finding("INV000", (shown, 1, 1), problem=f"not UTF-8 text ({exc.reason})")
    try:
        check_flow_depth(text)
        if not nodes:
            return None, yaml.load(text, Loader=_DataLoaderYaml), None  # a SafeLoader subclass
        root = compose(text)
        check_tree(root)
        value = construct(root) if data else None
    except UnsafeInput as exc:
        return None, None, finding("INV000", (shown, 1, 1), problem=str(exc))
    except YamlSyntaxError as exc:
        line, col = (1, 1) if encrypted else (exc.line, exc.col)
        return None, None, finding("INV000", (shown, line, col), problem=exc.problem)
    except yaml.MarkedYAMLError as exc:  # composed, but a value cannot be built (e.g. an impossible date)
        mark = exc.problem_mark
        line, col = (mark.line + 1, mark.column + 1) if mark and not encrypted else (1, 1)
        return None, None, finding("INV000", (shown, line, col), problem=str(exc.problem))
    except yaml.YAMLError as exc:
        return None, None, finding("INV000", (shown, 1, 1), problem=str(exc).splitlines()[0])
    except (ValueError, RecursionError) as exc:  # e.g. an integer of 100,000 digits
        return None, None, finding("INV000", (shown, 1, 1), problem=f"a value cannot be read ({exc})")
    return Document(shown, root, encrypted), value, None


def _first_line(exc: BaseException) -> str:
    text = getattr(exc, "message", None) or str(exc)
    return str(text).strip().splitlines()[0] if str(text).strip() else type(exc).__name__


_CLASS_REPR = re.compile(r"<class '(?:[\w.]+\.)?(?:_AnsibleTagged)?(\w+)'>")  # "<class '..._AnsibleTaggedList'>"


def _source_problem(warnings: list[Any], source: str) -> str:
    """The reason the plugin meant for this kind of file gave for refusing it."""
    plugin = "yaml" if source.endswith(YAML_EXTS) else "ini"
    reason = "no inventory plugin accepted the file"
    for warning in warnings:
        head = warning.event
        inner = head.chain.event if head.chain else None
        if inner is None or source not in str(inner.formatted_source_context or ""):
            continue
        reason = _CLASS_REPR.sub(lambda m: m.group(1).lower(), str(inner.msg).strip().splitlines()[0])
        if f"'{plugin}' plugin" in str(head.msg):
            break
    return reason

"""The control catalog: checks (one YAML file each), evidence sources and frameworks."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from prakan import catalog_cache
from prakan.checkfuncs import BUILTIN
from prakan.paths import CHECKS_DIR, SCHEMAS_DIR
from prakan.rules import RuleError, compile_rule
from prakan.rules.model import Rule
from prakan.sources import Source, sources_from_data

log = logging.getLogger(__name__)

SEVERITIES = ("critical", "high", "medium", "low", "info")
CATEGORIES = ("low", "medium", "high")


class CatalogError(ValueError):
    """A check file is malformed; the message names the file and the problem."""


@dataclass(frozen=True, slots=True)
class Check:
    id: str
    kind: str  # automated | manual
    title: Mapping[str, str]
    severity: str
    platforms: tuple[str, ...]
    refs: Mapping[str, Any]
    path: Path
    source: str | None = None
    rule: Rule | None = None
    applies_to: Mapping[str, Any] = field(default_factory=dict)
    remediation: Mapping[str, Any] = field(default_factory=dict)
    samples: Mapping[str, Any] = field(default_factory=dict)
    evidence_required: Mapping[str, str] = field(default_factory=dict)
    description: Mapping[str, str] = field(default_factory=dict)
    raw: Mapping[str, Any] = field(default_factory=dict)

    def applies(self, platform: str, role: str | None, os_family: str | None, category: str | None) -> bool:
        """Whether the check applies to a host; an unknown category counts as the highest (fail closed)."""
        if platform not in self.platforms:
            return False
        a = self.applies_to
        if "roles" in a and role not in a["roles"]:
            return False
        if role is not None and role in a.get("not_roles", ()):
            return False
        if "os_family" in a and os_family is not None and os_family not in a["os_family"]:
            return False
        if "min_category" in a and category is not None:
            return CATEGORIES.index(category) >= CATEGORIES.index(a["min_category"])
        return True

    def sources_used(self) -> set[str]:
        """Every evidence source the check reads (its own, its parts', its functions')."""
        return _sources_of(self.raw)


_C = hasattr(yaml, "CSafeLoader")  # libyaml: parsing in C, about ten times faster


class _Loader(yaml.CSafeLoader if _C else yaml.SafeLoader):  # type: ignore[misc]
    """SafeLoader with YAML 1.2 booleans: `no`, `yes`, `on`, `off` stay strings (sshd values)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_yaml(path: Path, text: bytes | None = None) -> Any:
    try:
        return yaml.load((path.read_bytes() if text is None else text).decode("utf-8"), Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise CatalogError(f"{where}: YAML syntax error: {getattr(exc, 'problem', exc)}") from exc


def _schema_error(path: Path, err: Any) -> CatalogError:  # a jsonschema.ValidationError
    loc = "/".join(str(p) for p in err.absolute_path) or "(top)"
    return CatalogError(f"{path}: {loc}: {err.message}")


@dataclass
class Catalog:
    checks: dict[str, Check]
    sources: dict[str, Source]
    frameworks: dict[str, dict[str, Any]]
    root: Path
    sha256: str

    def for_platform(self, platform: str) -> list[Check]:
        return [c for c in self.checks.values() if platform in c.platforms]

    @cached_property
    def version(self) -> str:
        return self.sha256[:12]

    def sources_for(self, platform: str) -> list[Source]:
        """The sources that the platform's checks need (what a collector gathers)."""
        needed = {s for c in self.for_platform(platform) for s in c.sources_used()}
        return [s for name, s in sorted(self.sources.items()) if name in needed and platform in s.platforms]


def _check_files(root: Path) -> Iterable[Path]:
    for path in sorted(root.rglob("*.yml")):
        rel = path.relative_to(root).parts
        if rel[0] == "frameworks" or path.name in ("sources.yml", "sample_vars.yml"):
            continue
        yield path


@dataclass(frozen=True, slots=True)
class _Files:
    """The catalog's files as bytes, and the SHA-256 that identifies the catalog."""

    checks: list[tuple[Path, bytes]]
    frameworks: list[tuple[Path, bytes]]
    sources: bytes
    sha256: str


def _read_files(root: Path) -> _Files:
    digest = hashlib.sha256()
    checks = []
    for path in _check_files(root):
        text = path.read_bytes()
        digest.update(str(path.relative_to(root)).encode() + b"\0" + text)
        checks.append((path, text))
    frameworks = []
    for path in sorted((root / "frameworks").glob("*.yml")):
        text = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + text)
        frameworks.append((path, text))
    sources = (root / "sources.yml").read_bytes()
    digest.update(sources)
    return _Files(checks, frameworks, sources, digest.hexdigest())


def load_catalog(root: Path | None = None, *, use_cache: bool = True) -> Catalog:
    """Load, validate and compile the whole catalog; the first bad file raises CatalogError.

    The parsed and validated data is cached per user (prakan.catalog_cache), keyed by the catalog's
    SHA-256: an unchanged catalog skips YAML parsing and schema validation, and rules are compiled
    from the cached plain data by the same code either way.
    """
    root = root or CHECKS_DIR
    files = _read_files(root)
    schema_text = (SCHEMAS_DIR / "check.schema.json").read_bytes()
    schema_sha = hashlib.sha256(schema_text).hexdigest()
    if use_cache:
        cached = catalog_cache.load(files.sha256, schema_sha)
        if cached is not None:
            try:
                return _build(root, files.sha256, cached)
            except (CatalogError, KeyError, TypeError, ValueError) as exc:  # cannot happen for an entry we wrote
                log.warning("catalog cache entry unusable (%s); loading the catalog files", exc)
    data = _parse(root, files, json.loads(schema_text))
    catalog = _build(root, files.sha256, data)
    if use_cache:
        catalog_cache.store(files.sha256, schema_sha, data)
    return catalog


def _parse(root: Path, files: _Files, schema: Any) -> dict[str, Any]:
    """YAML to validated plain data: {"sources": ..., "checks": [[relative path, data]], "frameworks": [...]}."""
    import jsonschema  # only needed when the cache misses

    validator = jsonschema.Draft202012Validator(schema)
    sources_path = root / "sources.yml"
    try:
        sources = yaml.load(files.sources.decode("utf-8"), Loader=yaml.CSafeLoader if _C else yaml.SafeLoader) or {}
    except yaml.YAMLError as exc:
        raise CatalogError(f"{sources_path}: YAML syntax error: {exc}") from exc
    checks = []
    for path, text in files.checks:
        data = load_yaml(path, text)
        errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
        if errors:
            raise _schema_error(path, errors[0])
        checks.append([str(path.relative_to(root)), data])
    frameworks = [load_yaml(path, text) for path, text in files.frameworks]
    return {"sources": sources, "checks": checks, "frameworks": frameworks}


def _build(root: Path, sha256: str, data: Mapping[str, Any]) -> Catalog:
    """Sources, compiled checks and frameworks from validated plain data."""
    try:
        sources = sources_from_data(data["sources"], root / "sources.yml")
    except (ValueError, KeyError, TypeError) as exc:
        raise CatalogError(f"{root / 'sources.yml'}: {exc}") from exc
    kinds = {name: s.kind for name, s in sources.items()}
    checks: dict[str, Check] = {}
    for rel, data_ in data["checks"]:
        path = root / rel
        check_id = data_["id"]
        if check_id in checks:
            raise CatalogError(f"{path}: duplicate check id {check_id} (also in {checks[check_id].path})")
        rule = None
        if data_.get("kind", "automated") == "automated":
            try:
                rule = compile_rule(
                    data_["rule"], source=data_.get("source"), source_kinds=kinds, functions=BUILTIN, where=check_id
                )
            except RuleError as exc:
                raise CatalogError(f"{path}: {exc}") from exc
            for name in _sources_of(data_):
                src = sources.get(name)
                if src is not None and not set(data_["platforms"]) <= set(src.platforms):
                    raise CatalogError(f"{path}: source `{name}` is not collected on {', '.join(data_['platforms'])}")
        checks[check_id] = Check(
            id=check_id,
            kind=data_.get("kind", "automated"),
            title=data_["title"],
            severity=data_["severity"],
            platforms=tuple(data_["platforms"]),
            refs=data_["refs"],
            path=path,
            source=data_.get("source"),
            rule=rule,
            applies_to=data_.get("applies_to", {}),
            remediation=data_.get("remediation", {}),
            samples=data_.get("samples", {}),
            evidence_required=data_.get("evidence_required", {}),
            description=data_.get("description", {}),
            raw=data_,
        )
    frameworks = {fw["id"]: fw for fw in data["frameworks"]}
    return Catalog(checks=checks, sources=sources, frameworks=frameworks, root=root, sha256=sha256)


def _sources_of(data: Mapping[str, Any]) -> set[str]:
    found = {data["source"]} if data.get("source") else set()

    def walk(node: Any) -> None:
        if isinstance(node, Mapping):
            if isinstance(node.get("source"), str):
                found.add(node["source"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(data.get("rule"))
    for name in _function_names(data.get("rule")):
        found.update(BUILTIN.get(name, str(data.get("id"))).sources)
    return found


def _function_names(node: Any) -> list[str]:
    if isinstance(node, Mapping):
        own = [str(node["function"])] if "function" in node else []
        return own + [n for v in node.values() for n in _function_names(v)]
    if isinstance(node, list):
        return [n for v in node for n in _function_names(v)]
    return []

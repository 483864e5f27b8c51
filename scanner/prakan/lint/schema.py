"""Schema findings: scanner/prakan/schemas/inventory.schema.json, reported where each key is written.

Every layer (one vars file, one host's or group's inline vars) is validated on its own against
$defs/vars, so a wrong type or unknown key points at the file that holds it. Each host's merged
variables are then checked only for what merging decides: required fields ($defs/host).
"""

from __future__ import annotations

import copy
import difflib
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator, ValidationError

from prakan.inventory.loader import Host, Inventory, Layer
from prakan.lint.findings import Finding, finding
from prakan.lint.rules import is_secret_name
from prakan.paths import SCHEMAS_DIR

SCHEMA_PATH = SCHEMAS_DIR / "inventory.schema.json"

# value checks that a semantic rule already reports with a sharper message (INV011, INV013)
_SEMANTIC = re.compile(
    r"^(ansible_host|prakan_platform|prakan_site\.mgmt_subnet|prakan_site\.subnets\.\d+"
    r"|prakan_approved\.\w+_(servers|ranges)\.\d+)$"
)
_SEMANTIC_VALIDATORS = {"pattern", "enum", "format"}
_SEMANTIC_KEYS = {"ansible_host", "prakan_platform"}


@dataclass
class Validators:
    """Compiled once. Validation is memoised: 20,000 hosts repeat a few shapes and values."""

    vars: Draft202012Validator  # $defs/vars, for one layer
    host: Draft202012Validator  # $defs/host without its allOf (the layers' types are checked per layer)
    free: list[re.Pattern[str]]  # top-level keys the vars schema accepts unchecked (patternProperties: true)
    props: set[str]
    by_key: bool  # the vars schema constrains each top-level key on its own: validate key by key
    host_keys: set[str] | None  # keys whose values the host schema reads; None: do not memoise
    memo: dict[Any, list[ValidationError]] = field(default_factory=dict)


@cache
def validators() -> Validators:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    defs = schema["$defs"]
    host = copy.deepcopy(defs["host"])
    host.pop("allOf", None)
    top = defs["vars"]
    # keys other than these would relate top-level keys to each other (required, if, ...)
    by_key = set(top) <= {"type", "properties", "patternProperties", "additionalProperties", "description", "title"}
    text = json.dumps(host)
    host_keys = (
        None
        if any(k in text for k in ("patternProperties", "propertyNames", 'Properties"'))
        else {name for name in re.findall(r'"(\w+)"\s*:', text) if name in top.get("properties", {})}
    )
    return Validators(
        Draft202012Validator({"$defs": defs, "$ref": "#/$defs/vars"}),
        Draft202012Validator({"$defs": defs, **host}),
        [re.compile(p) for p, sub in top.get("patternProperties", {}).items() if sub is True],
        set(top.get("properties", {})),
        by_key,
        host_keys,
    )


def _fingerprint(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=repr)


def _memo(v: Validators, validator: Draft202012Validator, key: Any, data: Any) -> list[ValidationError]:
    if key not in v.memo:
        v.memo[key] = list(_errors(validator, data))
    return v.memo[key]


def _layer_errors(data: dict[str, Any]) -> Iterator[ValidationError]:
    v = validators()
    if not v.by_key:
        yield from _errors(v.vars, data)
        return
    for key, value in data.items():
        if key not in v.props and any(p.search(key) for p in v.free):
            continue
        if key in _SEMANTIC_KEYS and isinstance(value, str):
            continue  # a string there is judged by INV011 / INV013, with a sharper message
        yield from _memo(v, v.vars, ("vars", key, _fingerprint(value)), {key: value})


def _host_errors(data: dict[str, Any]) -> list[ValidationError]:
    v = validators()
    if v.host_keys is None:
        return list(_errors(v.host, data))
    shape = (frozenset(data), tuple(_fingerprint(data[k]) for k in sorted(v.host_keys) if k in data))
    return _memo(v, v.host, ("host", shape), data)


def _dotted(path: Sequence[str | int]) -> str:
    return ".".join(str(p) for p in path)


def _shown(value: Any, secret: bool) -> str:
    if secret:
        return "value"  # never print a secret, not even a wrong one
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _problem(error: ValidationError, secret: bool) -> str:
    v, value = error.validator, error.instance
    expected: Any = error.validator_value
    if v == "type":
        kinds = expected if isinstance(expected, list) else [expected]
        return f"expected {' or '.join(kinds)}, found {_type_name(value)}"
    if v == "enum":
        return f"{_shown(value, secret)} is not one of: {', '.join(map(str, expected))}"
    if v == "const" or v is None:
        return "not allowed here"
    if v == "pattern":
        return f"{_shown(value, secret)} does not match the expected form {expected}"
    if secret:
        return f"invalid value ({v})"
    message = error.message
    return message if len(message) <= 160 else message[:157] + "..."


def _type_name(value: Any) -> str:
    names = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object"}
    if value is None:
        return "null"
    return next((n for t, n in names.items() if type(value) is t), type(value).__name__)


def _where(path: Sequence[str | int], owner: str) -> str:
    return f"'{_dotted(path)}'" if path else owner


def _errors(validator: Draft202012Validator, data: Any) -> Iterator[ValidationError]:
    """Leaf errors: combinators (allOf, $ref, if/then) are unwrapped to what actually failed."""
    stack = list(validator.iter_errors(data))
    while stack:
        error = stack.pop()
        if error.context:
            stack.extend(error.context)
        else:
            yield error


def _findings(error: ValidationError, locate: Any, owner: str) -> Iterator[Finding]:
    path = list(error.absolute_path)
    secret = any(isinstance(p, str) and is_secret_name(p) for p in path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        schema: Mapping[str, Any] = error.schema if isinstance(error.schema, Mapping) else {}
        props = schema.get("properties", {})
        patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
        for key in error.instance:
            if key in props or any(p.search(key) for p in patterns):
                continue
            close = difflib.get_close_matches(key, list(props), n=1)
            yield finding(
                "INV003",
                locate([*path, key]),
                key=key,
                where=_where(path, owner),
                hint=f"; did you mean '{close[0]}'?" if close else "",
                hint_th=f" หมายถึง '{close[0]}' หรือไม่" if close else "",
            )
    elif error.validator == "required" and isinstance(error.instance, dict):
        required: list[str] = list(error.validator_value)  # type: ignore[arg-type]  # `required` is a list
        for key in required:
            if key not in error.instance:
                yield finding("INV005", locate(path), where=_where(path, owner), key=key)
    elif error.validator in _SEMANTIC_VALIDATORS and _SEMANTIC.match(_dotted(path)):
        return
    else:
        yield finding("INV004", locate(path), key=_dotted(path) or owner, problem=_problem(error, secret))


def _layer_findings(layer: Layer, owner: str, fallback: tuple[str, int, int]) -> Iterator[Finding]:
    for error in _layer_errors(layer.data):
        yield from _findings(error, lambda p: (layer.where(p) if p else None) or fallback, owner)


def _host_findings(host: Host, fallback: tuple[str, int, int]) -> Iterator[Finding]:
    for error in _host_errors(host.vars):
        path = list(error.absolute_path)
        # a required field missing from the merged variables: point at the host's definition
        yield from _findings(
            error, lambda p, path=path: (host.locate(p) if p else None) or host.pos or fallback, f"host '{host.name}'"
        )


def run_schema(inv: Inventory) -> list[Finding]:
    found: list[Finding] = []
    for group in inv.groups.values():
        for layer in group.own_layers():
            found.extend(_layer_findings(layer, f"group '{group.name}' variables", group.pos or inv.root_pos))
    for host in inv.hosts.values():
        for layer in host.own_layers():
            found.extend(_layer_findings(layer, f"host '{host.name}' variables", host.pos or inv.root_pos))
        found.extend(_host_findings(host, inv.root_pos))
    return found

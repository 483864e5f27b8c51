"""Waivers: approved exceptions (check, hosts, reason, approver, expiry) kept in the inventory.

`inventory/exceptions.yml` is an ordinary Ansible inventory file that sets one variable on `all`,
so Ansible reads it without complaint and Prakan finds the waivers in the inventory's variables:

    all:
      vars:
        prakan_waivers:
          - check: LNX-SSH-004                 # a check id (glob allowed: LNX-SSH-*)
            hosts: [bkk-hq-web1, site_reg1_*]  # host or group names (globs)
            reason: Vendor support needs root login until the 2027 upgrade
            approver: Director, ICT Centre
            expires: "2027-03-31"

A separate file given with `--waivers` may hold the same, or a top-level `waivers:` list.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from prakan.paths import SCHEMAS_DIR

if TYPE_CHECKING:
    import jsonschema


class WaiverError(ValueError):
    """The exceptions file is malformed; the message names the file, the entry and the problem."""


@dataclass(frozen=True, slots=True)
class Waiver:
    check: str
    hosts: tuple[str, ...]
    reason: str
    approver: str
    expires: date
    where: str
    ticket: str | None = None

    def matches(self, check_id: str, host: str, groups: tuple[str, ...]) -> bool:
        if not fnmatch.fnmatchcase(check_id, self.check):
            return False
        return any(fnmatch.fnmatchcase(name, pat) for pat in self.hosts for name in (host, *groups))

    def to_json(self) -> dict[str, Any]:
        doc = {
            "reason": self.reason,
            "approver": self.approver,
            "expires": self.expires.isoformat(),
            "where": self.where,
        }
        return doc | ({"ticket": self.ticket} if self.ticket else {})


@cache
def _validator() -> jsonschema.protocols.Validator:
    """The inventory schema's `$defs/waivers`: the one definition of a waiver (lint validates the same)."""
    import jsonschema  # 30 ms to import: only when there are waivers to validate

    schema = json.loads((SCHEMAS_DIR / "inventory.schema.json").read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls({"$ref": "#/$defs/waivers", "$defs": schema["$defs"]}, format_checker=cls.FORMAT_CHECKER)


def expiry_date(value: Any) -> date:
    """The day a waiver ends (a YAML date, a datetime's day, or YYYY-MM-DD); ValueError says why not."""
    if isinstance(value, datetime):  # `2027-03-31T00:00:00` in YAML: the day is what counts
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a valid date ({exc})") from None


def load_waivers(path: Path) -> list[Waiver]:
    """Waivers from a file: a top-level `waivers:` list, or the inventory shape (all: vars: prakan_waivers)."""
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        data = yaml.safe_load(text) or {}
    except OSError as exc:
        raise WaiverError(f"{path}: cannot read: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise WaiverError(f"{path}: YAML syntax error: {exc}") from exc
    nodes = _entry_nodes(root)
    if isinstance(data, dict) and "all" in data:
        group = data["all"] if isinstance(data["all"], dict) else {}
        variables = group.get("vars")
        data = {"waivers": variables.get("prakan_waivers", []) if isinstance(variables, dict) else []}
    entries = data.get("waivers", []) if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise WaiverError(f"{path}: expected a `waivers:` list (or all: vars: prakan_waivers:)")
    lines = [n.start_mark.line + 1 for n in nodes] if len(nodes) == len(entries) else None
    return parse_waivers(entries, str(path), lines)


def _entry_nodes(root: yaml.Node | None) -> list[yaml.Node]:
    """The YAML nodes of the waiver entries (for line numbers), in either file shape."""

    def get(node: yaml.Node | None, key: str) -> yaml.Node | None:
        if isinstance(node, yaml.MappingNode):
            return next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)
        return None

    seq = get(root, "waivers") or get(get(get(root, "all"), "vars"), "prakan_waivers")
    return list(seq.value) if isinstance(seq, yaml.SequenceNode) else []


def _as_text(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    return value.isoformat() if isinstance(value, date) else str(value)


def parse_waivers(entries: Any, source: str, lines: list[int] | None = None) -> list[Waiver]:
    """Validate waiver entries against the schema; messages name `source`, the entry and its line."""

    def where(i: int) -> str:
        return f"{source}:{lines[i]}: waiver #{i + 1}" if lines else f"{source}: waiver #{i + 1}"

    if isinstance(entries, list) and not entries:
        return []
    plain = json.loads(json.dumps(entries, default=_as_text))  # YAML dates as text, as the schema expects
    errors = sorted(_validator().iter_errors(plain), key=lambda e: list(e.path))
    if errors:
        err = errors[0]
        path = list(err.path)
        at = where(path[0]) if path and isinstance(path[0], int) else source
        field = ".".join(str(p) for p in path[1:])
        problem = f"{err.instance!r} is not a date (YYYY-MM-DD)" if field == "expires" else err.message
        raise WaiverError(f"{at}: {field + ': ' if field else ''}{problem}")
    waivers = []
    for i, entry in enumerate(entries):
        try:
            expires = expiry_date(entry["expires"])
        except ValueError as exc:
            raise WaiverError(f"{where(i)}: expires: {exc}") from None
        hosts = entry["hosts"] if isinstance(entry["hosts"], list) else [entry["hosts"]]
        waivers.append(
            Waiver(
                str(entry["check"]),
                tuple(map(str, hosts)),
                str(entry["reason"]),
                str(entry["approver"]),
                expires,
                f"{Path(source).name}#{i + 1}",
                str(entry["ticket"]) if entry.get("ticket") else None,
            )
        )
    return waivers


def active_waiver(
    waivers: list[Waiver], check_id: str, host: str, groups: tuple[str, ...], today: date
) -> Waiver | None:
    """The waiver that makes `check_id` waived on `host` today, or None.

    The same rule as evaluation: the first waiver that matches decides; if it has expired, the
    check is not waived. The hardening playbooks use this too (a waived check is not changed).
    """
    for w in waivers:
        if w.matches(check_id, host, groups):
            return w if w.expires >= today else None
    return None

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
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

KEYS = ("check", "hosts", "reason", "approver", "expires", "ticket")


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
        doc = {"reason": self.reason, "approver": self.approver, "expires": self.expires.isoformat(),
               "where": self.where}  # fmt: skip
        return doc | ({"ticket": self.ticket} if self.ticket else {})


def load_waivers(path: Path) -> list[Waiver]:
    """Waivers from a file: a top-level `waivers:` list, or the inventory shape (all: vars: prakan_waivers)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise WaiverError(f"{path}: cannot read: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise WaiverError(f"{path}: YAML syntax error: {exc}") from exc
    if isinstance(data, dict) and "all" in data:
        group = data["all"] if isinstance(data["all"], dict) else {}
        variables = group.get("vars") if isinstance(group.get("vars"), dict) else {}
        data = {"waivers": variables.get("prakan_waivers", [])}
    entries = data.get("waivers", []) if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise WaiverError(f"{path}: expected a `waivers:` list (or all: vars: prakan_waivers:)")
    return parse_waivers(entries, str(path))


def parse_waivers(entries: Any, source: str) -> list[Waiver]:
    """Validate waiver entries; `source` names where they came from, for messages."""
    if not isinstance(entries, list):
        raise WaiverError(f"{source}: prakan_waivers must be a list")
    waivers = []
    for i, entry in enumerate(entries, 1):
        where = f"{source}: waiver #{i}"
        if not isinstance(entry, dict):
            raise WaiverError(f"{where}: must be a mapping")
        unknown = sorted(set(entry) - set(KEYS))
        if unknown:
            raise WaiverError(f"{where}: unknown key {unknown[0]!r} (keys: {', '.join(KEYS)})")
        missing = [k for k in ("check", "hosts", "reason", "approver", "expires") if not entry.get(k)]
        if missing:
            raise WaiverError(f"{where}: missing {', '.join(missing)}")
        expires = entry["expires"]
        if isinstance(expires, datetime):  # `2027-03-31T00:00:00` in YAML: the day is what counts
            expires = expires.date()
        if not isinstance(expires, date):
            try:
                expires = date.fromisoformat(str(expires))
            except ValueError:
                raise WaiverError(f"{where}: expires {expires!r} is not a date (YYYY-MM-DD)") from None
        hosts = entry["hosts"] if isinstance(entry["hosts"], list) else [entry["hosts"]]
        waivers.append(Waiver(str(entry["check"]), tuple(map(str, hosts)), str(entry["reason"]),
                              str(entry["approver"]), expires, f"{Path(source).name}#{i}",
                              str(entry["ticket"]) if entry.get("ticket") else None))  # fmt: skip
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

"""Waivers: approved exceptions (check, hosts, reason, approver, expiry) kept in the inventory.

`inventory/exceptions.yml`:

    waivers:
      - check: LNX-SSH-004          # a check id (glob allowed: LNX-SSH-*)
        hosts: [bkk-hq-web01, site_r01_*]   # host names or group names (globs)
        reason: Vendor support needs root login until the 2027 upgrade
        approver: Director, ICT Centre
        expires: 2027-03-31
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml


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

    def matches(self, check_id: str, host: str, groups: tuple[str, ...]) -> bool:
        if not fnmatch.fnmatchcase(check_id, self.check):
            return False
        return any(fnmatch.fnmatchcase(name, pat) for pat in self.hosts for name in (host, *groups))

    def to_json(self) -> dict[str, Any]:
        return {"reason": self.reason, "approver": self.approver, "expires": self.expires.isoformat(),
                "where": self.where}  # fmt: skip


def load_waivers(path: Path) -> list[Waiver]:
    if not path.exists():
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise WaiverError(f"{path}: YAML syntax error: {exc}") from exc
    entries = data.get("waivers", []) if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise WaiverError(f"{path}: expected a mapping with a `waivers:` list")
    waivers = []
    for i, entry in enumerate(entries, 1):
        where = f"{path}: waiver #{i}"
        if not isinstance(entry, dict):
            raise WaiverError(f"{where}: must be a mapping")
        missing = [k for k in ("check", "hosts", "reason", "approver", "expires") if not entry.get(k)]
        if missing:
            raise WaiverError(f"{where}: missing {', '.join(missing)}")
        expires = entry["expires"]
        if not isinstance(expires, date):
            try:
                expires = date.fromisoformat(str(expires))
            except ValueError:
                raise WaiverError(f"{where}: expires {expires!r} is not a date (YYYY-MM-DD)") from None
        hosts = entry["hosts"] if isinstance(entry["hosts"], list) else [entry["hosts"]]
        waivers.append(Waiver(str(entry["check"]), tuple(map(str, hosts)), str(entry["reason"]),
                              str(entry["approver"]), expires, f"{path.name}#{i}"))  # fmt: skip
    return waivers

"""The inventory as the scanner uses it: hosts, sites and organisation values, as Ansible sees them.

Built on the one loader (loader.py, shared with `prakan lint`) without positions: hosts, groups,
`--limit` patterns and variable precedence are ansible-core's; vault values are decrypted only
when a vault password file is given, and stay `Vaulted` (opaque ciphertext) otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

LEVELS = ("low", "medium", "high")
SITE_PREFIX = "site_"
# Load problems that make the inventory unusable for a scan (the linter reports them all).
_FATAL = ("INV000", "INV002", "INV004", "INV020")


class Vaulted(str):
    """A `!vault` value: the text is its ciphertext. Opaque to the linter (validated as a string,
    never decrypted); decrypted by the runtime model only when a vault password is given."""

    __slots__ = ()


class InventoryError(Exception):
    """The inventory cannot be loaded; the message names the file and the problem."""


def highest_category(category: Any) -> str | None:
    """NCSA category: the highest of C, I and A; None when absent or malformed (never a guess)."""
    if not isinstance(category, Mapping):
        return None
    values = [category.get(k) for k in ("confidentiality", "integrity", "availability")]
    if not all(v in LEVELS for v in values):
        return None
    return max(values, key=LEVELS.index)


def site_group(code: str) -> str:
    """The group name of a site code: BKK-HQ -> site_bkk_hq."""
    return SITE_PREFIX + code.lower().replace("-", "_")


@dataclass(frozen=True)
class Site:
    code: str
    group: str
    vars: Mapping[str, Any]  # the prakan_site mapping ({} when missing or not a mapping)

    @property
    def name_en(self) -> str | None:
        return self.vars.get("name_en")

    @property
    def name_th(self) -> str | None:
        return self.vars.get("name_th")

    @property
    def kind(self) -> str | None:
        return self.vars.get("kind")

    @property
    def category(self) -> str | None:
        return highest_category(self.vars.get("security_category"))


@dataclass(frozen=True)
class Host:
    name: str
    address: str  # ansible_host, else the inventory name (as Ansible connects)
    platform: str  # prakan_platform; "" when missing, which no collector accepts
    role: str | None
    site: str | None  # site code; None unless the host is in exactly one site group
    groups: tuple[str, ...]  # every group but `all`, in Ansible's precedence order
    vars: Mapping[str, Any]  # merged by Ansible precedence; vault values stay encrypted without a password


@dataclass
class Inventory:
    path: Path
    hosts: dict[str, Host]
    sites: dict[str, Site]  # by site code
    org: Mapping[str, Any]  # merged vars of group `all`: prakan_org, prakan_approved, ...

    def category_of(self, host: Host) -> str | None:
        """The host's own category override, else its site's; None when unknown."""
        override = host.vars.get("prakan_security_category")
        if override is not None:
            return highest_category(override)
        site = self.sites.get(host.site) if host.site else None
        return site.category if site else None


def load_inventory(
    path: Path | str,
    limit: str | None = None,
    vault_password_file: Path | None = None,
) -> Inventory:
    """Load the inventory at `path` (a directory or a file) as Ansible would.

    `limit` is an Ansible host pattern (e.g. `site_bkk_hq:&platform_linux`); sites are then those of
    the selected hosts. Without `vault_password_file`, vault values stay encrypted (`Vaulted`); with
    it, they are decrypted (a wrong password is an InventoryError).
    """
    from ansible.errors import AnsibleError

    from prakan.inventory.loader import Loader

    path = Path(path)
    if not path.exists():
        raise InventoryError(f"{path}: inventory not found")
    try:
        loaded = Loader(path, vault_password_file, positions=False, limit=limit).load()
    except (AnsibleError, OSError) as exc:
        raise InventoryError(f"{vault_password_file}: cannot read vault password ({exc})") from exc
    fatal = [f for f in loaded.findings if f.rule_id in _FATAL]
    if fatal:
        first = fatal[0]
        more = f" (and {len(fatal) - 1} more problem(s): run `prakan lint`)" if len(fatal) > 1 else ""
        raise InventoryError(f"{first.file}:{first.line}:{first.col}: {first.message()}{more}")
    names = loaded.selected if loaded.selected is not None else list(loaded.hosts)
    if limit and not names:
        raise InventoryError(f"{path}: --limit {limit!r} matches no host")
    vault = loaded.vault
    sites = _sites(loaded)
    hosts: dict[str, Host] = {}
    for name in names:
        h = loaded.hosts[name]
        merged = _decrypt(h.vars, vault, f"host {name}") if vault else h.vars
        groups = [g for g in h.groups if g != "all"]
        site_groups = [g for g in groups if g in sites]
        role = merged.get("prakan_role")
        hosts[name] = Host(
            name=name,
            address=str(merged.get("ansible_host") or name),
            platform=str(merged.get("prakan_platform") or ""),
            role=str(role) if role is not None else None,
            site=sites[site_groups[0]].code if len(site_groups) == 1 else None,
            groups=tuple(groups),
            vars=MappingProxyType(merged),
        )
    if limit:
        wanted = {h.site for h in hosts.values()}
        sites = {g: s for g, s in sites.items() if s.code in wanted}
    all_group = loaded.groups.get("all")
    org = all_group.vars if all_group else {}
    return Inventory(
        path=path,
        hosts=hosts,
        sites={s.code: s for s in sites.values()},
        org=MappingProxyType(_decrypt(org, vault, "group all") if vault else org),
    )


def _sites(loaded: Any) -> dict[str, Site]:
    sites: dict[str, Site] = {}
    seen: dict[str, str] = {}
    for name in sorted(loaded.groups):
        if not name.startswith(SITE_PREFIX):
            continue
        data = loaded.groups[name].vars.get("prakan_site")
        data = data if isinstance(data, Mapping) else {}
        code = data.get("code")
        if not isinstance(code, str) or not code:
            code = name[len(SITE_PREFIX) :].upper().replace("_", "-")  # the linter reports the gap
        if code in seen:
            raise InventoryError(f"site code {code!r} is used by both {seen[code]} and {name}")
        seen[code] = name
        sites[name] = Site(code=code, group=name, vars=MappingProxyType(dict(data)))
    return sites


def _decrypt(value: Any, vault: Any, where: str) -> Any:
    """Decrypt `!vault` values (only when a vault password was given)."""
    if isinstance(value, Vaulted):
        try:
            return vault.decrypt(str(value)).decode("utf-8")
        except Exception as exc:
            raise InventoryError(f"{where}: cannot decrypt a vault value ({exc})") from exc
    if isinstance(value, Mapping):
        return {k: _decrypt(v, vault, where) for k, v in value.items()}
    if isinstance(value, list):
        return [_decrypt(v, vault, where) for v in value]
    return value

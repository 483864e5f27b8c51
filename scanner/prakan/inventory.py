"""Load an Ansible inventory through ansible-core's own API.

Parsing, groups, patterns (`--limit`), vault and the group_vars/host_vars plugins are ansible-core's,
so the scanner sees exactly what `ansible-playbook` would. Two things are done here instead of in
`VariableManager.get_vars`, for speed at national scale (measured: docs/inventory-model.md):

* each inventory file is parsed once: ansible-core's `auto` and `yaml` plugins both parse every
  `.yml` source and deep-copy the result, which is most of the load time of a large inventory;
* group variables are read once per group and merged per host in Ansible's precedence order
  (`VARIABLE_PRECEDENCE`, `sort_groups`, `combine_vars`), instead of once per host and group.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ansible import constants as C
from ansible.errors import AnsibleError
from ansible.inventory.group import Group
from ansible.inventory.helpers import sort_groups
from ansible.inventory.host import Host as AnsibleHost
from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible.parsing.vault import EncryptedString, VaultHelper, VaultLib, get_file_vault_secret
from ansible.plugins.vars import host_group_vars
from ansible.utils.vars import combine_vars
from ansible.vars.plugins import get_vars_from_inventory_sources

LEVELS = ("low", "medium", "high")
SITE_PREFIX = "site_"
# The inventory-side entries of Ansible's variable precedence; the *_play ones need a playbook.
_INVENTORY_PRECEDENCE = ("all_inventory", "groups_inventory", "all_plugins_inventory", "groups_plugins_inventory")


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


class _ParseOnceLoader(DataLoader):
    """A DataLoader that parses each uncached file once per load and skips the defensive deep copy.

    ansible-core's `auto` plugin parses a `.yml` source only to look for a `plugin:` key, then the
    `yaml` plugin parses it again; each result is deep-copied although nothing else holds it.
    Neither plugin mutates the data, so sharing one parse is safe within one load.
    """

    def __init__(self) -> None:
        super().__init__()
        self._parsed: dict[str, Any] = {}

    def load_from_file(
        self,
        file_name: str,
        cache: str = "all",
        unsafe: bool = False,
        json_only: bool = False,
        trusted_as_template: bool = False,
    ) -> Any:
        if cache != "none" or json_only:
            return super().load_from_file(file_name, cache, unsafe, json_only, trusted_as_template)
        path = self.path_dwim(file_name)
        if path not in self._parsed:
            # parse as the yaml plugin does (trusted); `auto` only reads the `plugin` key
            self._parsed[path] = super().load_from_file(path, "none", True, False, True)
        return self._parsed[path]


class _StrictInventoryManager(InventoryManager):
    """Fail closed: a file no inventory plugin can parse is an error, not a warning."""

    def parse_source(self, source: str, cache: bool = False) -> bool:
        parsed = bool(super().parse_source(source, cache=cache))
        if not parsed and Path(source).is_file():
            raise InventoryError(f"{source}: not a valid inventory file ({_parse_reason(self._loader, source)})")
        return parsed


def _parse_reason(loader: DataLoader, source: str) -> str:
    try:
        data = loader.load_from_file(source, cache="none")
    except Exception as exc:
        return _message(exc)
    if not isinstance(data, Mapping):
        return "expected a mapping of groups at the top level"
    return "no inventory plugin accepted it"


def _message(exc: BaseException) -> str:
    """One line for an Ansible exception: `file:line:col: problem` when Ansible knows the place."""
    where, text, seen = None, None, set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        obj = getattr(current, "obj", None)
        if where is None and getattr(obj, "path", None):  # an Origin: path, line_num, col_num
            where = str(obj)
        if text is None:
            first = str(getattr(current, "_original_message", None) or current).strip().splitlines()
            text = first[0] if first else None
        current = current.__cause__ or current.__context__
    text = text or type(exc).__name__
    return f"{where}: {text}" if where else text


def _decrypt(value: Any, vault: VaultLib, where: str) -> Any:
    """Decrypt inline vault values (only when a vault password was given).

    VaultLib directly, not `str(value)`: that needs Ansible's process-wide VaultSecretsContext,
    which can be initialised only once per process.
    """
    if isinstance(value, EncryptedString):
        try:
            return vault.decrypt(VaultHelper.get_ciphertext(value, with_tags=False)).decode("utf-8")
        except Exception as exc:
            raise InventoryError(f"{where}: cannot decrypt a vault value ({_message(exc)})") from exc
    if isinstance(value, dict):
        return {k: _decrypt(v, vault, where) for k, v in value.items()}
    if isinstance(value, list):
        return [_decrypt(v, vault, where) for v in value]
    return value


def _site_of(group: Group, own_vars: Mapping[str, Any]) -> Site:
    data = own_vars.get("prakan_site")
    data = data if isinstance(data, Mapping) else {}
    code = data.get("code")
    if not isinstance(code, str) or not code:
        code = group.name[len(SITE_PREFIX):].upper().replace("_", "-")  # the linter reports the gap
    return Site(code=code, group=group.name, vars=MappingProxyType(dict(data)))


def load_inventory(
    path: Path | str,
    limit: str | None = None,
    vault_password_file: Path | None = None,
) -> Inventory:
    """Load the inventory at `path` (a directory or a file) as Ansible would.

    `limit` is an Ansible host pattern (e.g. `site_bkk_hq:&platform_linux`); sites are then those of
    the selected hosts. Without `vault_password_file`, vault values stay encrypted and are never
    decrypted; with it, they are decrypted (a wrong password is an InventoryError).
    """
    path = Path(path)
    if not path.exists():
        raise InventoryError(f"{path}: inventory not found")
    _forget_vars_files()
    loader = _ParseOnceLoader()
    vault = _vault(loader, vault_password_file) if vault_password_file is not None else None
    sources = [str(path.resolve())]
    try:
        manager = _StrictInventoryManager(loader=loader, sources=sources)
        if limit:
            manager.subset(limit)
        selected: list[AnsibleHost] = manager.get_hosts("all")
        group_vars = _group_vars(manager, loader, sources)
        host_vars = {
            h.name: combine_vars(h.get_vars(), _plugin_vars(loader, sources, h, f"host_vars of host {h.name!r}"))
            for h in selected
        }
    except AnsibleError as exc:
        raise InventoryError(f"{path}: {_message(exc)}") from exc
    if limit and not selected:
        raise InventoryError(f"{path}: --limit {limit!r} matches no host")
    if vault is not None:
        group_vars = {
            name: (_decrypt(own, vault, f"group {name}"), _decrypt(files, vault, f"group_vars of {name}"))
            for name, (own, files) in group_vars.items()
        }
        host_vars = {name: _decrypt(v, vault, f"host {name}") for name, v in host_vars.items()}

    sites = _sites(manager, group_vars)
    all_vars = {"all_inventory": [group_vars["all"][0]], "all_plugins_inventory": [group_vars["all"][1]]}
    hosts: dict[str, Host] = {}
    for h in selected:
        groups = [g.name for g in sort_groups(h.get_groups()) if g.name != "all"]
        merged = _merge({
            **all_vars,
            "groups_inventory": [group_vars[g][0] for g in groups],
            "groups_plugins_inventory": [group_vars[g][1] for g in groups],
        })
        merged = combine_vars(merged, host_vars[h.name])  # host vars beat group vars
        site_groups = [g for g in groups if g in sites]
        role = merged.get("prakan_role")
        hosts[h.name] = Host(
            name=h.name,
            address=str(merged.get("ansible_host") or h.name),
            platform=str(merged.get("prakan_platform") or ""),
            role=str(role) if role is not None else None,
            site=sites[site_groups[0]].code if len(site_groups) == 1 else None,
            groups=tuple(groups),
            vars=MappingProxyType(merged),
        )

    if limit:
        wanted = {h.site for h in hosts.values()}
        sites = {g: s for g, s in sites.items() if s.code in wanted}
    return Inventory(
        path=path,
        hosts=hosts,
        sites={s.code: s for s in sites.values()},
        org=MappingProxyType(_merge(all_vars)),
    )


def _forget_vars_files() -> None:
    """Drop the host_group_vars plugin's process-wide file lookups, so that each load sees the
    group_vars/ and host_vars/ files as they are now (a long-lived process would miss new files)."""
    for cache in (host_group_vars.FOUND, host_group_vars.NAK, host_group_vars.CANONICAL_PATHS):
        cache.clear()


def _vault(loader: DataLoader, password_file: Path) -> VaultLib:
    """Vault secret from a password file (or a client script, as Ansible allows)."""
    try:
        secret = get_file_vault_secret(filename=str(password_file), loader=loader)
        secret.load()
    except (AnsibleError, OSError) as exc:
        raise InventoryError(f"{password_file}: cannot read vault password ({_message(exc)})") from exc
    loader.set_vault_secrets([("default", secret)])  # for vars files encrypted as a whole
    return VaultLib([("default", secret)])


def _group_vars(
    manager: InventoryManager, loader: DataLoader, sources: list[str]
) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Per group: (vars written in the inventory file, vars from group_vars/ via the vars plugins)."""
    return {
        name: (group.get_vars(), _plugin_vars(loader, sources, group, f"group_vars of group {name!r}"))
        for name, group in manager.groups.items()
    }


def _plugin_vars(loader: DataLoader, sources: list[str], entity: Group | AnsibleHost, what: str) -> dict[str, Any]:
    """Vars of one group or host from the vars plugins (group_vars/, host_vars/), errors named."""
    try:
        return get_vars_from_inventory_sources(loader, sources, [entity], "task")
    except AnsibleError as exc:
        raise InventoryError(f"{sources[0]}: {what}: {_message(exc)}") from exc


def _sites(
    manager: InventoryManager, group_vars: Mapping[str, tuple[dict[str, Any], dict[str, Any]]]
) -> dict[str, Site]:
    sites: dict[str, Site] = {}
    seen: dict[str, str] = {}
    for name in sorted(manager.groups):
        if not name.startswith(SITE_PREFIX):
            continue
        site = _site_of(manager.groups[name], combine_vars(*group_vars[name]))
        if site.code in seen:
            raise InventoryError(f"site code {site.code!r} is used by both {seen[site.code]} and {name}")
        seen[site.code] = name
        sites[name] = site
    return sites


def _merge(layers: Mapping[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Combine variable layers in Ansible's configured precedence order."""
    result: dict[str, Any] = {}
    for entry in C.VARIABLE_PRECEDENCE:
        if entry in _INVENTORY_PRECEDENCE:
            for layer in layers.get(entry, ()):
                if layer:
                    result = combine_vars(result, layer)
    return result

"""Semantic rules over a loaded inventory: what a schema cannot say."""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from ansible.errors import AnsibleError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from prakan.inventory import SITE_PREFIX
from prakan.inventory.loader import Group, Host, Inventory, Layer
from prakan.inventory.positions import VAULT_TAG, Pos, is_null, items, walk_mappings
from prakan.lint.findings import Finding, finding
from prakan.waivers import expiry_date

SUPPORTED_PLATFORMS = ("linux", "cisco_ios")
KNOWN_UNSUPPORTED_PLATFORMS = ("fortios", "huawei_vrp")


@dataclass
class Site:
    group: Group
    data: dict[str, Any]  # prakan_site, {} when absent or not a mapping
    hosts: list[Host]

    @property
    def name(self) -> str:
        code = self.data.get("code")
        return code if isinstance(code, str) and code else self.group.name

    @property
    def pos(self) -> Pos:
        return self.group.locate(["prakan_site"]) or self.group.pos or ("", 1, 1)

    def locate(self, *path: str | int) -> Pos:
        return self.group.locate(["prakan_site", *path]) or self.pos


def sites(inv: Inventory) -> list[Site]:
    members: dict[str, list[Host]] = {}
    for host in inv.hosts.values():
        for group in host.groups:
            if group.startswith(SITE_PREFIX):
                members.setdefault(group, []).append(host)
    found = []
    for name, site_group in inv.groups.items():
        if name.startswith(SITE_PREFIX):
            data = site_group.vars.get("prakan_site")
            found.append(Site(site_group, data if isinstance(data, dict) else {}, members.get(name, [])))
    return found


def host_pos(host: Host, *path: str | int, inv: Inventory) -> Pos:
    """Where the host's `path` is written; its definition, or the inventory, when not found."""
    return (host.locate(list(path)) if path else None) or host.pos or inv.root_pos


def _ip(value: Any) -> ipaddress.IPv4Address | None:
    try:
        return ipaddress.IPv4Address(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _net(value: Any) -> ipaddress.IPv4Network | None:
    try:
        return ipaddress.IPv4Network(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _site_of(host: Host) -> list[str]:
    return [g for g in host.groups if g.startswith(SITE_PREFIX)]


# --- hosts -------------------------------------------------------------------------------------


def duplicate_hosts(inv: Inventory, _: list[Site]) -> Iterator[Finding]:
    """INV006: a host written twice with different inline values, or under two site groups."""
    for host in inv.hosts.values():
        first = host.occurrences[0] if host.occurrences else None
        for occ in host.occurrences[1:]:
            seen = {k.value: v for k, v in items(first.vars)} if first else {}
            for key, value in items(occ.vars):
                if key.value in seen and _node_value(seen[key.value]) != _node_value(value):
                    other = first.doc.pos(first.key) if first else inv.root_pos
                    yield finding(
                        "INV006",
                        occ.doc.pos(key),
                        "conflict",
                        host=host.name,
                        key=key.value,
                        other=f"{other[0]}:{other[1]}",
                    )
        site_groups = _site_of(host)
        if len(site_groups) > 1:
            later = [o for o in host.occurrences if o.parent in site_groups[1:]]
            pos = later[0].doc.pos(later[0].key) if later else host_pos(host, inv=inv)
            yield finding("INV006", pos, "sites", host=host.name, sites=", ".join(site_groups))


def _node_value(node: Node | None) -> Any:
    if isinstance(node, ScalarNode):
        return (node.tag, node.value)
    if isinstance(node, SequenceNode):
        return tuple(_node_value(n) for n in node.value)
    if isinstance(node, MappingNode):
        return tuple(sorted((str(_node_value(k)), _node_value(v)) for k, v in node.value))
    return None


def host_addresses(inv: Inventory, site_list: list[Site]) -> Iterator[Finding]:
    """INV011 invalid ansible_host, INV007 duplicates, INV009 outside the site's mgmt subnet."""
    by_group = {s.group.name: s for s in site_list}
    owner: dict[ipaddress.IPv4Address, str] = {}
    for host in inv.hosts.values():
        raw = host.vars.get("ansible_host")
        if raw is None or not isinstance(raw, str):
            continue  # missing or mistyped: the schema's finding
        ip = _ip(raw)
        pos = host_pos(host, "ansible_host", inv=inv)
        if ip is None:
            yield finding("INV011", pos, "address", key="ansible_host", value=raw)
            continue
        if ip in owner:
            yield finding("INV007", pos, ip=ip, host=host.name, other=owner[ip])
        else:
            owner[ip] = host.name
        site_groups = _site_of(host)
        site = by_group.get(site_groups[0]) if len(site_groups) == 1 else None
        subnet = _net(site.data.get("mgmt_subnet")) if site else None
        if site and subnet is not None and ip not in subnet:
            yield finding("INV009", pos, ip=ip, host=host.name, site=site.name, subnet=subnet)


def host_site(inv: Inventory, _: list[Site]) -> Iterator[Finding]:
    """INV012: every host belongs to a site."""
    for host in inv.hosts.values():
        if not _site_of(host):
            yield finding("INV012", host_pos(host, inv=inv), host=host.name)


def platforms(inv: Inventory, _: list[Site]) -> Iterator[Finding]:
    """INV013: the scanner collects only from platforms it supports."""
    supported = ", ".join(SUPPORTED_PLATFORMS)
    for host in inv.hosts.values():
        platform = host.vars.get("prakan_platform")
        if not isinstance(platform, str) or platform in SUPPORTED_PLATFORMS:
            continue  # missing or mistyped: the schema's finding
        pos = host_pos(host, "prakan_platform", inv=inv)
        if platform in KNOWN_UNSUPPORTED_PLATFORMS:
            yield finding("INV013", pos, "known", host=host.name, platform=platform, supported=supported)
        else:
            close = difflib.get_close_matches(platform, SUPPORTED_PLATFORMS + KNOWN_UNSUPPORTED_PLATFORMS, n=1)
            yield finding(
                "INV013",
                pos,
                "unknown",
                host=host.name,
                platform=platform,
                supported=supported,
                hint=f"; did you mean '{close[0]}'?" if close else "",
                hint_th=f" หมายถึง '{close[0]}' หรือไม่" if close else "",
            )


# --- sites -------------------------------------------------------------------------------------


def site_networks(inv: Inventory, site_list: list[Site]) -> Iterator[Finding]:
    """INV011 invalid site CIDRs, INV010 subnets of two sites that overlap."""
    nets: list[tuple[ipaddress.IPv4Network, Site, int]] = []
    for site in site_list:
        mgmt = site.data.get("mgmt_subnet")
        if isinstance(mgmt, str):
            problem = _cidr_problem(mgmt)
            if problem:
                yield finding(
                    "INV011", site.locate("mgmt_subnet"), "network", key="mgmt_subnet", value=mgmt, problem=problem
                )
        subnets = site.data.get("subnets")
        for i, value in enumerate(subnets if isinstance(subnets, list) else []):
            if not isinstance(value, str):
                continue
            if problem := _cidr_problem(value):
                yield finding(
                    "INV011", site.locate("subnets", i), "network", key="subnets", value=value, problem=problem
                )
            else:
                nets.append((ipaddress.IPv4Network(value), site, i))
    # sweep by start address: an overlap is a network starting before the widest one so far ends
    nets.sort(key=lambda n: (int(n[0].network_address), n[0].prefixlen))
    widest: tuple[ipaddress.IPv4Network, Site, int] | None = None
    for net, site, i in nets:
        if widest and int(net.network_address) <= int(widest[0].broadcast_address) and widest[1] is not site:
            yield finding(
                "INV010",
                site.locate("subnets", i),
                subnet=net,
                site=site.name,
                other_subnet=widest[0],
                other=widest[1].name,
            )
        if widest is None or int(net.broadcast_address) > int(widest[0].broadcast_address):
            widest = (net, site, i)


def _cidr_problem(value: str) -> str:
    if "/" not in value:
        return "no prefix length"
    try:
        ipaddress.IPv4Network(value)
    except ValueError as exc:
        return str(exc)
    return ""


def approved_addresses(inv: Inventory, _: list[Site]) -> Iterator[Finding]:
    """INV011 for organisation-wide approved servers (addresses) and management ranges (networks)."""
    for group in inv.groups.values():
        approved = group.vars.get("prakan_approved")
        if not isinstance(approved, dict):
            continue
        for key, values in approved.items():
            if not isinstance(values, list) or not (key.endswith("_servers") or key.endswith("_ranges")):
                continue
            for i, value in enumerate(values):
                if not isinstance(value, str):
                    continue
                pos = group.locate(["prakan_approved", key, i]) or inv.root_pos
                if key.endswith("_ranges") and (problem := _cidr_problem(value)):
                    yield finding("INV011", pos, "network", key=key, value=value, problem=problem)
                elif key.endswith("_servers") and _ip(value) is None:
                    yield finding("INV011", pos, "address", key=key, value=value)


def circuits(inv: Inventory, site_list: list[Site]) -> Iterator[Finding]:
    """INV008 duplicate circuit ids, INV015 sites still on GIN."""
    owner: dict[str, str] = {}
    for site in site_list:
        transports = site.data.get("transports")
        for i, link in enumerate(transports if isinstance(transports, list) else []):
            if not isinstance(link, dict):
                continue
            circuit = link.get("circuit_id")
            if isinstance(circuit, str) and circuit:
                if circuit in owner:
                    yield finding(
                        "INV008",
                        site.locate("transports", i, "circuit_id"),
                        circuit=circuit,
                        site=site.name,
                        other=owner[circuit],
                    )
                else:
                    owner[circuit] = site.name
            if link.get("type") == "gin":
                target, due = link.get("migration_target"), link.get("migration_due")
                pos = site.locate("transports", i, "type")
                if target:
                    yield finding(
                        "INV015",
                        pos,
                        "target",
                        site=site.name,
                        target=target,
                        due=f" by {due}" if due else "",
                        due_th=f" ภายใน {due}" if due else "",
                    )
                else:
                    yield finding("INV015", pos, "none", site=site.name)


def wan_routers(inv: Inventory, site_list: list[Site]) -> Iterator[Finding]:
    """INV014: every site reaches the WAN through a router the inventory knows."""
    for site in site_list:
        if not any(h.vars.get("prakan_role") == "wan_router" for h in site.hosts):
            yield finding("INV014", site.pos, site=site.name)


def security_category(inv: Inventory, site_list: list[Site]) -> Iterator[Finding]:
    """INV017: servers are hardened to the site's security category, so it must be stated."""
    for site in site_list:
        if site.data.get("security_category"):
            continue
        servers = [
            h.name
            for h in site.hosts
            if h.vars.get("prakan_platform") == "linux" and not h.vars.get("prakan_security_category")
        ]
        if servers:
            shown = ", ".join(servers[:3]) + (f" +{len(servers) - 3}" if len(servers) > 3 else "")
            yield finding("INV017", site.pos, site=site.name, hosts=shown)


# --- waivers -----------------------------------------------------------------------------------

_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")  # the schema's form; the calendar is checked here


def _blanket(pattern: Any) -> bool:
    return isinstance(pattern, str) and (pattern == "all" or set(pattern) <= {"*"})


def _expiry(value: Any) -> date | str | None:
    """The day a waiver ends; a problem text for a YYYY-MM-DD that is no date; None otherwise."""
    if not isinstance(value, date | datetime) and not (isinstance(value, str) and _DAY.match(value)):
        return None  # missing or malformed: the schema's finding
    try:
        return expiry_date(value)
    except ValueError as exc:
        return str(exc)


def waivers(inv: Inventory, _: list[Site]) -> Iterator[Finding]:
    """INV004 an expiry that is no date, INV021 blanket waivers, INV022 expired ones (as prakan.evaluate)."""
    today = datetime.now(UTC).date()
    owners: list[Group | Host] = [*inv.groups.values(), *inv.hosts.values()]
    for owner in owners:
        for layer in owner.own_layers():
            yield from _waiver_findings(layer, owner.pos or inv.root_pos, today)


def _waiver_findings(layer: Layer, fallback: Pos, today: date) -> Iterator[Finding]:
    entries = layer.data.get("prakan_waivers")
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        if not isinstance(entry, dict):
            continue  # the schema's finding
        at: list[str | int] = ["prakan_waivers", i]
        check, hosts = entry.get("check"), entry.get("hosts")
        host_list = hosts if isinstance(hosts, list) else [hosts]
        shown = {"n": str(i + 1), "check": str(check), "hosts": ", ".join(map(str, host_list))}
        every_check, every_host = _blanket(check), any(_blanket(h) for h in host_list)
        if every_check and every_host:
            yield finding("INV021", layer.where(at) or fallback, "both", **shown)
        elif every_check:
            yield finding("INV021", layer.where([*at, "check"]) or fallback, "checks", **shown)
        elif every_host:
            yield finding("INV021", layer.where([*at, "hosts"]) or fallback, "hosts", **shown)
        expires = _expiry(entry.get("expires"))
        where = layer.where([*at, "expires"]) or fallback
        if isinstance(expires, str):
            yield finding("INV004", where, key=f"prakan_waivers.{i}.expires", problem=expires)
        elif expires is not None and expires < today:
            yield finding("INV022", where, expires=expires.isoformat(), **shown)


# --- every YAML file as written ----------------------------------------------------------------

# bare names (`db: {password: x}`) and suffixes (`vpn_psk`, `github_token`); a bare `key` is too common
_SECRET_WORDS = r"password|passwd|pass|passphrase|secret|community|token|psk"
_SECRET_NAMES = re.compile(rf"^({_SECRET_WORDS})$|_({_SECRET_WORDS}|key)$")
_NOT_SECRET = re.compile(r"(_file|_path|public_key)$")
_PATHLIKE = re.compile(r"^(/|~/|\./|\.\./)")


@cache  # a few dozen distinct names, asked about hundreds of thousands of times
def is_secret_name(name: str) -> bool:
    return bool(_SECRET_NAMES.search(name)) and not _NOT_SECRET.search(name)


def _plaintext(node: Node) -> bool:
    """A literal value (not vaulted, not a template, not a path) anywhere under `node`."""
    if isinstance(node, ScalarNode):
        if node.tag == VAULT_TAG or is_null(node) or not node.value:
            return False
        return "{{" not in node.value and not _PATHLIKE.match(node.value)
    if isinstance(node, SequenceNode):
        return any(_plaintext(n) for n in node.value)
    return False  # a mapping under a secret-like name is structure, checked key by key


def written(inv: Inventory, _: list[Site]) -> Iterator[Finding]:
    """INV016 plaintext secrets, INV018 duplicate keys, INV002 undecryptable inline vault values."""
    for doc in inv.documents:
        for mapping in walk_mappings(doc.root):
            first_line: dict[str, int] = {}
            for key, value in mapping.value:
                if not isinstance(key, ScalarNode):
                    continue
                name = key.value
                if name in first_line:
                    yield finding("INV018", doc.pos(key), key=name, other=first_line[name])
                first_line.setdefault(name, key.start_mark.line + 1)
                if is_secret_name(name) and _plaintext(value) and not doc.encrypted:
                    yield finding("INV016", doc.pos(key), key=name)
                if inv.vault and isinstance(value, ScalarNode) and value.tag == VAULT_TAG:
                    try:
                        inv.vault.decrypt(value.value)
                    except AnsibleError as exc:
                        yield finding("INV002", doc.pos(key), "value", key=name, reason=str(exc).splitlines()[0])


SEMANTIC_RULES: list[Callable[[Inventory, list[Site]], Iterator[Finding]]] = [
    duplicate_hosts,
    host_addresses,
    host_site,
    platforms,
    site_networks,
    approved_addresses,
    circuits,
    wan_routers,
    security_category,
    waivers,
    written,
]


def run_semantic(inv: Inventory) -> list[Finding]:
    site_list = sites(inv)
    return [f for rule in SEMANTIC_RULES for f in rule(inv, site_list)]

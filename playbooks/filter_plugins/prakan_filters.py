"""Filters the hardening roles share: which checks a host skips, and IOS wildcard masks.

A check is skipped on a host when its toggle variable (``<role>_<check id in snake case>``, on by
default) is false, or when the inventory's ``prakan_waivers`` hold an active waiver for it on that
host. Waiver matching is Prakan's own (prakan.waivers), so the playbook and the scanner agree on
what is waived; run the playbooks from Prakan's Python environment.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from ansible.errors import AnsibleFilterError

try:
    from prakan.catalog import CatalogError, load_catalog
    from prakan.inventory import highest_category
    from prakan.waivers import WaiverError, active_waiver, parse_waivers
except ImportError as exc:  # pragma: no cover - a wrong Python environment
    raise AnsibleFilterError(
        "the hardening playbooks need the `prakan` package (run ansible-playbook from Prakan's .venv)"
    ) from exc


def toggle_name(check_id: str, prefix: str) -> str:
    """`LNX-SSH-004`, `linux_baseline` -> `linux_baseline_lnx_ssh_004`."""
    return f"{prefix}_{check_id.lower().replace('-', '_')}"


def _category(variables: Mapping[str, Any]) -> str | None:
    override = variables.get("prakan_security_category")
    if override is not None:
        return highest_category(override)
    site = variables.get("prakan_site")
    return highest_category(site.get("security_category")) if isinstance(site, Mapping) else None


def prakan_skipped(
    variables: Mapping[str, Any],
    platform: str,
    prefix: str,
    host: str,
    groups: Iterable[str],
    run_tags: Iterable[str] = ("all",),
    skip_tags: Iterable[str] = (),
    today: str | None = None,
) -> dict[str, str]:
    """Check id -> why this host must not be changed for it: not applicable, turned off, or waived.

    The checks are the catalog's automated checks of `platform`; applicability (role, OS family,
    security category) is the catalog's own rule, the one evaluation uses. A task that serves
    several checks (a loop) thus changes only what `--tags` selected.
    """
    try:
        catalog = load_catalog()
    except CatalogError as exc:
        raise AnsibleFilterError(f"Prakan's catalog does not load: {exc}") from exc
    try:
        waivers = parse_waivers(list(variables.get("prakan_waivers") or []), "prakan_waivers")
    except WaiverError as exc:
        raise AnsibleFilterError(str(exc)) from exc
    day = date.fromisoformat(today) if today else date.today()
    role, family, category = variables.get("prakan_role"), variables.get("prakan_os_family"), _category(variables)
    skipped: dict[str, str] = {}
    run, skip = set(run_tags or ("all",)), set(skip_tags or ())
    for check in catalog.for_platform(platform):
        if check.rule is None or not (check.remediation or {}).get("ansible_tags"):
            continue  # manual, or not automated (the catalog says why): no task to skip
        if check.id in skip or ("all" not in run and check.id not in run):
            skipped[check.id] = "not selected (--tags / --skip-tags)"
            continue
        name = toggle_name(check.id, prefix)
        on = variables.get(name, True)
        if not isinstance(on, bool):
            raise AnsibleFilterError(f"{host}: {name} must be true or false, not {on!r}")
        if not on:
            skipped[check.id] = f"turned off ({name}: false)"
        elif not check.applies(platform, role, family, category):
            skipped[check.id] = "not applicable to this host (role, OS family or security category)"
        elif w := active_waiver(waivers, check.id, host, tuple(groups), day):
            skipped[check.id] = f"waived until {w.expires.isoformat()} ({w.where})"
    return skipped


def prakan_wildcard(cidr: str) -> str:
    """`10.10.0.0/24` -> `10.10.0.0 0.0.0.255` (an IOS standard ACL entry's address and wildcard)."""
    try:
        net = ipaddress.ip_network(str(cidr), strict=False)
    except ValueError as exc:
        raise AnsibleFilterError(f"{cidr!r} is not an IPv4 network: {exc}") from exc
    if net.version != 4:
        raise AnsibleFilterError(f"{cidr!r} is not an IPv4 network")
    if net.prefixlen == 32:
        return f"host {net.network_address}"
    return f"{net.network_address} {net.hostmask}"


def prakan_ios_sections(config: str, header: str) -> list[dict[str, Any]]:
    """Top-level blocks of an IOS configuration whose first line matches `header` (a regex).

    Each is {"header": "line vty 0 4", "lines": ["transport input telnet", ...]} with the child lines
    stripped of their indentation (nested children included, in order).
    """
    try:
        rx = re.compile(header)
    except re.error as exc:
        raise AnsibleFilterError(f"bad section pattern {header!r}: {exc}") from exc
    sections: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    for raw in str(config).replace("\r\n", "\n").split("\n"):
        line = raw.rstrip()
        if not line or line.startswith("!"):
            continue
        if not line.startswith(" "):
            current = {"header": line, "lines": []} if rx.search(line) else None
            if current is not None:
                sections.append(current)
        elif current is not None:
            current["lines"].append(line.strip())
    return sections


_TELNET = re.compile(r"^transport (input|output|preferred) (?:.* )?(?:telnet|all)(?: |$)")


def _timeout_ok(lines: list[str], max_minutes: int) -> bool:
    m = next((re.match(r"^exec-timeout (\d+)(?: (\d+))?$", ln) for ln in lines if ln.startswith("exec-timeout ")), None)
    if m is None:
        return False  # the IOS default (10 minutes) is not shown: set it explicitly
    seconds = int(m.group(1)) * 60 + int(m.group(2) or 0)
    return 0 < seconds <= max_minutes * 60


def prakan_ios_line_fixes(
    config: str,
    skip: Iterable[str],
    timeout_minutes: int,
    acl: str,
    login_list: str,
) -> list[dict[str, Any]]:
    """Per `line` section, the lines that fix it, with the checks they serve (IOS-MGMT-010..016).

    Only what is missing or wrong is sent, so a second run sends nothing. Telnet is never left as
    the only way in: on vty lines it is replaced by SSH, elsewhere by `none`.
    """
    off = set(skip)
    fixes: list[dict[str, Any]] = []
    for sec in prakan_ios_sections(config, r"^line "):
        header, lines = sec["header"], sec["lines"]
        vty, aux, con = header.startswith("line vty "), header.startswith("line aux "), header == "line con 0"
        todo: list[tuple[str, str]] = []
        if vty and "IOS-MGMT-010" not in off and not any(re.match(r"^transport input (ssh|none)$", ln) for ln in lines):
            todo.append(("IOS-MGMT-010", "transport input ssh"))
        if vty and "IOS-MGMT-011" not in off and not any(re.match(r"^access-class \S+ in\b", ln) for ln in lines):
            todo.append(("IOS-MGMT-011", f"access-class {acl} in vrf-also"))
        if vty and "IOS-MGMT-012" not in off and not _timeout_ok(lines, timeout_minutes):
            todo.append(("IOS-MGMT-012", f"exec-timeout {timeout_minutes} 0"))
        if (
            vty
            and "IOS-MGMT-013" not in off
            and ("no login" in lines or not any(re.match(r"^login (authentication \S+|local)$", ln) for ln in lines))
        ):
            todo.append(("IOS-MGMT-013", f"login authentication {login_list}"))
        if con and "IOS-MGMT-014" not in off and not _timeout_ok(lines, timeout_minutes):
            todo.append(("IOS-MGMT-014", f"exec-timeout {timeout_minutes} 0"))
        if aux and "IOS-MGMT-015" not in off:
            if "no exec" not in lines:
                todo.append(("IOS-MGMT-015", "no exec"))
            if "transport input none" not in lines:
                todo.append(("IOS-MGMT-015", "transport input none"))
        if "IOS-MGMT-016" not in off:
            for ln in lines:
                m = _TELNET.match(ln)
                if not m:
                    continue
                kind = m.group(1)
                new = f"transport {kind} ssh" if vty and kind != "preferred" else f"transport {kind} none"
                if all(new != t for _, t in todo):
                    todo.append(("IOS-MGMT-016", new))
            # a line that does not say `transport output` opens telnet: IOS's default
            if not any(ln.startswith("transport output ") for ln in lines):
                todo.append(("IOS-MGMT-016", "transport output ssh" if vty else "transport output none"))
        if todo:
            fixes.append({"checks": sorted({c for c, _ in todo}), "parents": [header], "lines": [t for _, t in todo]})
    return fixes


_WAN = (
    ("IOS-WAN-001", "no cdp enable"),
    ("IOS-WAN-002", "no ip proxy-arp"),
    ("IOS-WAN-003", "no ip redirects"),
    ("IOS-WAN-004", "no ip unreachables"),
)
_FILTERED = re.compile(r"^(ip verify unicast source reachable-via rx( .*)?|ip access-group \S+ in)$")


def prakan_ios_wan_fixes(config: str, interfaces: Iterable[str], skip: Iterable[str]) -> list[dict[str, Any]]:
    """Per WAN interface, the lines that fix IOS-WAN-001..005 (strict uRPF unless an inbound ACL filters)."""
    off, wanted = set(skip), set(interfaces or ())
    fixes: list[dict[str, Any]] = []
    for sec in prakan_ios_sections(config, r"^interface "):
        if sec["header"].removeprefix("interface ") not in wanted:
            continue
        todo = [(c, ln) for c, ln in _WAN if c not in off and ln not in sec["lines"]]
        if "IOS-WAN-005" not in off and not any(_FILTERED.match(ln) for ln in sec["lines"]):
            todo.append(("IOS-WAN-005", "ip verify unicast source reachable-via rx"))
        if todo:
            fixes.append(
                {"checks": sorted({c for c, _ in todo}), "parents": [sec["header"]], "lines": [ln for _, ln in todo]}
            )
    return fixes


class FilterModule:
    def filters(self) -> dict[str, Any]:
        return {
            "prakan_skipped": prakan_skipped,
            "prakan_wildcard": prakan_wildcard,
            "prakan_ios_sections": prakan_ios_sections,
            "prakan_ios_line_fixes": prakan_ios_line_fixes,
            "prakan_ios_wan_fixes": prakan_ios_wan_fixes,
        }

"""Drafts of the NCSA report forms ก1 (initial notice) and ก2 (report), and form ก3 (annual summary).

The fields follow the 2566 notice on cyber-threat reporting as summarised in standards.md §4.3
[PRIMARY field list]; the Thai labels of the HTML are our wording [INFERRED] and the Gazette form
stays authoritative. A draft fills what a scan can know (organisation and contact from the inventory,
location, hardware and software from the evidence, the time window, whether the clocks were
trustworthy, suggested categories and indicators, the 24-hour deadline) and leaves everything else
blank and marked for a person (`None` in JSON, listed in `for_a_person`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import jinja2

from prakan.clock import THAI_MONTHS
from prakan.history.incidents import (
    ASSET_TYPES,
    CATEGORIES,
    INDICATORS,
    KINDS,
    REPORTABLE,
    THREAT_LEVELS,
    Candidate,
)
from prakan.history.store import History, RunInfo, now
from prakan.template_cache import SignedBytecodeCache

BANGKOK = ZoneInfo("Asia/Bangkok")
TIME_CHECK_PREFIXES = ("IOS-NTP-", "LNX-TIME-")  # the time-synchronisation checks of the catalog


def _parse(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(UTC)


def thai_time(iso: str | None) -> str | None:
    """2026-11-22T19:00:00Z -> '23 พฤศจิกายน 2569 เวลา 02:00 น. (UTC+7)'."""
    if not iso:
        return None
    t = _parse(iso).astimezone(BANGKOK)
    return f"{t.day} {THAI_MONTHS[t.month - 1]} {t.year + 543} เวลา {t:%H:%M} น. (UTC+7)"


def asset_type_of(platform: str | None, role: str | None) -> str:
    """The ก3 asset bucket of a host, from its platform and role."""
    role = (role or "").lower()
    if platform == "cisco_ios" or role in ("wan_router", "core_switch", "access_switch", "router", "switch"):
        return "network"
    if role in ("web", "website"):
        return "website"
    if role in ("workstation", "desktop"):
        return "workstation"
    if platform == "linux":
        return "server"
    return "other"


def _hardware_software(history: History, host: str, run: int, platform: str | None) -> dict[str, str | None]:
    sources = history.sources_at(host, run)
    out: dict[str, str | None] = {"hardware": None, "software": None}
    if "show_version" in sources:
        text = history.blob(sources["show_version"]) or ""
        model = re.search(r"^cisco (\S+) .*processor", text, re.M | re.I)
        version = re.search(r"^(Cisco IOS[^\n]*?Software[^\n]*?), Version ([^,\s]+)", text, re.M)
        out["hardware"] = f"Cisco {model.group(1)}" if model else None
        out["software"] = f"{version.group(1)}, Version {version.group(2)}" if version else None
    if "os_release" in sources:
        text = history.blob(sources["os_release"]) or ""
        pretty = re.search(r'^PRETTY_NAME="?([^"\n]+)"?', text, re.M)
        out["software"] = pretty.group(1) if pretty else None
    return out


def clock_statement(history: History, hosts: Sequence[str], run: int) -> dict[str, Any]:
    """Whether the times in the draft can be trusted: every time-sync check passed on every affected host."""
    per_host: dict[str, dict[str, str]] = {}
    for h in hosts:
        per_host[h] = {
            c: s for c, s in sorted(history.statuses_at(h, run).items()) if c.startswith(TIME_CHECK_PREFIXES)
        }
    failing = {h: [c for c, s in checks.items() if s != "pass"] for h, checks in per_host.items()}
    unknown = [h for h, checks in per_host.items() if not checks]
    trustworthy = not unknown and not any(failing.values())
    bad = sorted({f"{h}: {', '.join(c)}" for h, c in failing.items() if c} | {f"{h}: not assessed" for h in unknown})
    if trustworthy:
        en = "The clocks of the affected hosts were synchronised: every time-synchronisation check passed in the scan."
        th = "นาฬิกาของระบบที่ได้รับผลกระทบเทียบเวลาถูกต้อง: ผ่านการตรวจการเทียบเวลาทุกข้อในการสแกน"
    else:
        en = (
            "The clocks of the affected hosts cannot be trusted: time-synchronisation checks did not pass ("
            + "; ".join(bad)
            + "). Times taken from these hosts' logs need confirming."
        )
        th = (
            "ยังเชื่อถือเวลาของระบบที่ได้รับผลกระทบไม่ได้: การตรวจการเทียบเวลาไม่ผ่าน ("
            + "; ".join(bad)
            + ") เวลาที่อ้างจากบันทึกของเครื่องเหล่านี้ต้องตรวจยืนยัน"
        )
    return {"trustworthy": trustworthy, "checks": per_host, "en": en, "th": th}


def _site(inventory: Any, code: str | None) -> Mapping[str, Any]:
    if inventory is None or code is None:
        return {}
    site = inventory.sites.get(code)
    return site.vars if site is not None else {}


def build_draft(
    history: History, candidates: Sequence[Candidate], inventory: Any | None, generated_at: str | None = None
) -> dict[str, Any]:
    """Forms ก1 and ก2 for one incident made of one or more candidates (of the same run or not)."""
    assert candidates
    runs: dict[int, RunInfo] = {}
    for c in candidates:
        r = history.run(c.run)
        assert r is not None
        runs[c.run] = r
    detected = max(r.started_at for r in runs.values())
    deadline = (_parse(detected) + timedelta(hours=24)).strftime("%Y-%m-%dT%H:%M:%SZ")
    window_from = min(c.window_from for c in candidates)
    window_to = max(c.window_to for c in candidates)
    hosts = list(dict.fromkeys(c.host for c in candidates))
    latest = max(runs)
    org = dict(inventory.org.get("prakan_org") or {}) if inventory is not None else {}
    first_site = _site(inventory, candidates[0].site)
    owner = first_site.get("owner") or {}
    systems = []
    asset_types = []
    for h in hosts:
        state = history.host_at(h, latest) or {}
        site = _site(inventory, state.get("site"))
        inv_host = inventory.hosts.get(h) if inventory is not None else None
        hw = _hardware_software(history, h, latest, state.get("platform"))
        asset_types.append(asset_type_of(state.get("platform"), state.get("role")))
        systems.append(
            {
                "host": h,
                "platform": state.get("platform"),
                "role": state.get("role"),
                "site": state.get("site"),
                "site_name_th": site.get("name_th"),
                "site_name_en": site.get("name_en"),
                "province": site.get("province"),
                "sub_district": None,
                "building": None,
                "room": None,
                "address": inv_host.address if inv_host is not None else None,
                "providers": sorted(
                    {str(t.get("provider")) for t in site.get("transports") or [] if t.get("provider")}
                ),
                "system": inv_host.vars.get("prakan_system") if inv_host is not None else None,
                "security_category": state.get("category"),
                **hw,
            }
        )
    categories = sorted({n for c in candidates for n in c.categories})
    indicators = {k: any(k in c.indicators for c in candidates) for k in INDICATORS}
    evidence = [
        {
            "candidate": c.id,
            "host": c.host,
            "kind": c.kind,
            "summary": c.summary,
            "evidence": [e.to_json() for e in c.evidence],
            "regressions": c.regressions,
        }
        for c in candidates
    ]
    draft: dict[str, Any] = {
        "format": "prakan-ncsa-draft",
        "version": 1,
        "generated_at": generated_at or now(),
        "forms": ["ก1", "ก2"],
        "candidates": [c.id for c in candidates],
        "deadline": {
            "detected_at": detected,
            "detected_at_th": thai_time(detected),
            "k2_due": deadline,
            "k2_due_th": thai_time(deadline),
            "basis": "notice 2566 ข้อ 5: form ก2 within 24 hours of detection for a significant incident; ก1 "
            "'promptly' after detection (ข้อ 4). If the form cannot be completed in 24 hours, send what is known "
            "and update it.",
        },
        "k": {
            "reference_no": None,  # NCSA Office use
            "tracking_unit": None,
            "notified_at": None,
            "mission": None,
            "organisation": {k: org.get(k) for k in ("name_th", "name_en", "parent_th", "parent_en", "short")},
            "affected_unit": {"th": first_site.get("name_th"), "en": first_site.get("name_en")},
            "address": None,
            "contact": {
                "name": owner.get("name"),
                "position": None,
                "organisation": org.get("name_th"),
                "email": owner.get("email"),
                "phone_office": owner.get("phone"),
                "phone_mobile": None,
            },
            "continuity": "new",
            "mission_critical": None,
            "threat_level": "undetermined",
        },
        "kh": {
            "occurred": {
                "after": window_from,
                "before": window_to,
                "after_th": thai_time(window_from),
                "before_th": thai_time(window_to),
            },
            "learned_at": detected,
            "learned_at_th": thai_time(detected),
            "regulator_informed": None,
            "categories": [{"code": n, "name": CATEGORIES[n], "reportable": n in REPORTABLE} for n in categories],
            "systems": systems,
            "asset_type": max(set(asset_types), key=asset_types.count) if asset_types else "other",
            "service": None,
            "communications_impact": None,
            "clock": clock_statement(history, hosts, latest),
        },
        "kho": {"status": ["just_found"], "actions": None, "other": None},
        "ng": {
            "first_access": None,
            "source": None,
            "detected_by": "scan (Prakan nightly configuration scan)",
            "impact": None,
            "cve": None,
            "indicators": indicators,
            "evidence": evidence,
            "narrative": None,
            "remediation": None,
            "recovery_forecast": None,
            "ended_at": None,
            "prevention": None,
            "lessons": None,
        },
    }
    draft["for_a_person"] = sorted(_blank_paths(draft))
    return draft


_NEVER_BLANK = {"k.reference_no"}  # the Office fills it


def _blank_paths(doc: Any, prefix: str = "") -> list[str]:
    out: list[str] = []
    if isinstance(doc, Mapping):
        for k, v in doc.items():
            out += _blank_paths(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _blank_paths(v, f"{prefix}[{i}]")
    elif doc is None and prefix not in _NEVER_BLANK and prefix.split(".")[0] in ("k", "kh", "kho", "ng"):
        out.append(prefix)
    return out


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(
            lambda name: resources.files("prakan.history").joinpath("templates", name).read_text(encoding="utf-8")
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=SignedBytecodeCache(),
    )
    env.globals.update(
        CATEGORIES=CATEGORIES,
        THREAT_LEVELS=THREAT_LEVELS,
        ASSET_TYPES=ASSET_TYPES,
        INDICATORS=INDICATORS,
        KINDS=KINDS,
        thai_time=thai_time,
    )
    return env


def render_draft_html(draft: Mapping[str, Any]) -> str:
    return _env().get_template("ncsa_k1_k2.html.j2").render(d=draft)


def render_annual_html(summary: Mapping[str, Any], org: Mapping[str, Any] | None = None) -> str:
    return _env().get_template("ncsa_k3.html.j2").render(s=summary, org=org or {})

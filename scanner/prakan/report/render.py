"""index.html from `ReportData`: Jinja2 with autoescaping, everything inline, no network.

The page's CSS (with the Sarabun subset as base64), its script and its data (one JSON blob in a
`<script type="application/json">`, escaped so no device text can close the element) are all inside the
file. The Content-Security-Policy allows no request at all: fonts only from `data:`, styles inline, and
only the one script whose SHA-256 is in the policy.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup

from prakan.clock import THAI_MONTHS
from prakan.report.data import ISO_THEMES, SEVERITIES, STATUSES, ReportData, site_transports
from prakan.report.history_view import history_view
from prakan.template_cache import SignedBytecodeCache

STATUS_COLOURS = {
    "pass": "#2e7d32",
    "fail": "#c62828",
    "error": "#6a1b9a",
    "not_applicable": "#9e9e9e",
    "manual": "#1565c0",
    "waived": "#ef6c00",
}
REGIONS = ("bangkok", "central", "north", "northeast", "east", "west", "south")


def _parse(iso: str | None) -> datetime | None:
    if not iso:
        return None
    try:
        return datetime.fromisoformat(str(iso).replace("Z", "+00:00"))
    except ValueError:
        return None


def date_th(iso: str | None, with_time: bool = True) -> str:
    """28 พฤศจิกายน 2569 (Buddhist Era), with the UTC time when there is one."""
    d = _parse(iso)
    if d is None:
        return str(iso or "—")
    text = f"{d.day} {THAI_MONTHS[d.month - 1]} {d.year + 543}"
    return text + (f" เวลา {d:%H:%M} น. (UTC)" if with_time and "T" in str(iso) else "")


TH_MONTHS_SHORT = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")


def date_th_short(iso: str | None) -> str:
    """22 พ.ย. 2569: a chart label (Buddhist Era)."""
    d = _parse(iso)
    return str(iso or "—") if d is None else f"{d.day} {TH_MONTHS_SHORT[d.month - 1]} {d.year + 543}"


def date_en(iso: str | None) -> str:
    """ISO 8601 as recorded (UTC)."""
    return str(iso) if iso else "—"


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def colour_for(score: float | None) -> str:
    """Red (0) through amber to green (100); grey when nothing was assessed."""
    if score is None:
        return "#bdbdbd"
    stops = ((0, (198, 40, 40)), (60, (239, 108, 0)), (85, (253, 216, 53)), (100, (46, 125, 50)))
    for (a, ca), (b, cb) in itertools.pairwise(stops):
        if score <= b:
            f = (score - a) / (b - a) if b > a else 0
            return "#" + "".join(f"{round(x + (y - x) * f):02x}" for x, y in zip(ca, cb, strict=True))
    return "#2e7d32"


def json_blob(value: Any) -> Markup:
    """JSON for a `<script type="application/json">`: `<`, `>` and `&` as \\u escapes, so `</script>` in
    device text cannot end the element, and U+2028/2029 escaped too."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return Markup(text)


def _asset(name: str) -> bytes:
    return (resources.files("prakan.report") / "templates" / name).read_bytes()


def font_css() -> str:
    out = []
    for weight, file in ((400, "fonts/sarabun-regular.woff2"), (700, "fonts/sarabun-bold.woff2")):
        b64 = base64.b64encode(_asset(file)).decode("ascii")
        out.append(
            f"@font-face{{font-family:'Sarabun';font-style:normal;font-weight:{weight};font-display:block;"
            f"src:url(data:font/woff2;base64,{b64}) format('woff2');}}"
        )
    return "\n".join(out)


def status_bars(by_severity: Mapping[str, Mapping[str, int]], width: int = 560) -> list[dict[str, Any]]:
    """Stacked horizontal bars: one per severity, segments per status (not_applicable left out)."""
    shown = ("pass", "fail", "error", "waived")
    total_max = max([sum(by_severity.get(s, {}).get(k, 0) for k in shown) for s in SEVERITIES] + [1])
    bars = []
    for i, sev in enumerate(SEVERITIES):
        x = 0.0
        segs: list[dict[str, Any]] = []
        for k in shown:
            n = by_severity.get(sev, {}).get(k, 0)
            w = width * n / total_max
            if n:
                segs.append(
                    {"x": round(x, 2), "w": round(max(w, 0.5), 2), "status": k, "n": n, "colour": STATUS_COLOURS[k]}
                )
            x += w
        bars.append(
            {"y": i * 26, "severity": sev, "segments": segs, "total": sum(s["n"] for s in segs), "end": round(x, 2)}
        )
    return bars


def tile_map(data: ReportData) -> dict[str, Any]:
    """The estate at a glance: one tile per site, grouped by region, coloured by the site's score."""
    by_region: dict[str, list[Any]] = {}
    for s in data.sites:
        by_region.setdefault(str(s.info.get("region") or "other"), []).append(s)
    order = [r for r in REGIONS if r in by_region] + sorted(r for r in by_region if r not in REGIONS)
    cols, size, gap = 12, 34, 3
    groups, y = [], 0
    for region in order:
        sites = sorted(by_region[region], key=lambda s: s.code)
        tiles = []
        for i, s in enumerate(sites):
            label = s.code.split("-")[-1][:4]
            tiles.append(
                {
                    "x": (i % cols) * (size + gap),
                    "y": y + 18 + (i // cols) * (size + gap),
                    "site": s,
                    "label": label,
                    "colour": colour_for(s.score),
                }
            )
        rows = (len(sites) + cols - 1) // cols
        groups.append({"region": region, "y": y, "tiles": tiles})
        y += 18 + rows * (size + gap) + 8
    return {"groups": groups, "height": y, "width": cols * (size + gap), "size": size}


def _template_env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("prakan.report", "templates"),
        autoescape=True,  # every template, whatever its name: device text is escaped everywhere
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=SignedBytecodeCache(),
    )
    env.filters.update(date_th=date_th, date_th_short=date_th_short, date_en=date_en, pct=pct, colour=colour_for)
    env.globals.update(
        SEVERITIES=SEVERITIES,
        STATUSES=STATUSES,
        STATUS_COLOURS=STATUS_COLOURS,
        ISO_THEMES=ISO_THEMES,
        site_transports=site_transports,
    )
    return env


LABELS: dict[str, dict[str, str]] = {
    "pass": {"en": "pass", "th": "ผ่าน"},
    "fail": {"en": "fail", "th": "ไม่ผ่าน"},
    "error": {"en": "error", "th": "ข้อผิดพลาด"},
    "not_applicable": {"en": "not applicable", "th": "ไม่เกี่ยวข้อง"},
    "manual": {"en": "manual", "th": "ตรวจด้วยเอกสาร"},
    "waived": {"en": "waived", "th": "ได้รับการยกเว้น"},
    "critical": {"en": "critical", "th": "วิกฤต"},
    "high": {"en": "high", "th": "สูง"},
    "medium": {"en": "medium", "th": "ปานกลาง"},
    "low": {"en": "low", "th": "ต่ำ"},
    "info": {"en": "info", "th": "ข้อมูล"},
    "automated": {"en": "automated", "th": "ตรวจอัตโนมัติ"},
    "not_covered": {"en": "not covered", "th": "ยังไม่ครอบคลุม"},
    "organizational": {"en": "Organizational (A.5)", "th": "มาตรการด้านองค์กร (ก.5)"},
    "people": {"en": "People (A.6)", "th": "มาตรการด้านบุคลากร (ก.6)"},
    "physical": {"en": "Physical (A.7)", "th": "มาตรการด้านกายภาพ (ก.7)"},
    "technological": {"en": "Technological (A.8)", "th": "มาตรการด้านเทคโนโลยี (ก.8)"},
    "bangkok": {"en": "Bangkok", "th": "กรุงเทพมหานคร"},
    "central": {"en": "Central", "th": "ภาคกลาง"},
    "north": {"en": "North", "th": "ภาคเหนือ"},
    "northeast": {"en": "Northeast", "th": "ภาคตะวันออกเฉียงเหนือ"},
    "east": {"en": "East", "th": "ภาคตะวันออก"},
    "west": {"en": "West", "th": "ภาคตะวันตก"},
    "south": {"en": "South", "th": "ภาคใต้"},
    "other": {"en": "Other", "th": "อื่น ๆ"},
}


def render_html(data: ReportData, lang: str = "th") -> str:
    env = _template_env()
    script = _asset("report.js").decode("utf-8")
    script_hash = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    css = font_css() + "\n" + _asset("report.css").decode("utf-8")
    csp = (
        "default-src 'none'; style-src 'unsafe-inline'; font-src data:; "
        f"script-src 'sha256-{script_hash}'; base-uri 'none'; form-action 'none'"
    )
    hist = history_view(data.history)
    ranked = sorted((s for s in data.sites if s.score is not None), key=lambda s: (s.score, s.code))
    page_data = {
        "lang": lang,
        "labels": LABELS,
        "statuses": list(STATUSES),
        "severities": list(SEVERITIES),
        "sites": {
            s.code: {"en": s.info.get("name_en") or s.code, "th": s.info.get("name_th") or s.code} for s in data.sites
        },
        **data.table,
    }
    if hist is not None:
        page_data["history"] = hist.page_data()
    tpl = env.get_template("report.html.j2")
    return tpl.render(
        d=data,
        lang=lang,
        L=LABELS,
        css=Markup(css),
        script=Markup(script),
        csp=csp,
        blob=json_blob(page_data),
        bars=status_bars(data.by_severity),
        tiles=tile_map(data),
        ranked=ranked,
        severity_of={c: i.get("severity", "info") for c, i in data.checks.items()},
        pct=pct,
        hist=hist,
    )


def limits_files(findings: Sequence[Any]) -> dict[str, str]:
    """limits/<CHECK>.txt for the findings with too many hosts to put on one --limit."""
    return {f"{f.check}.txt": "\n".join(f.limit_file) + "\n" for f in findings if f.limit_file}

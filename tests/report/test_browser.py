"""The sample department's report in a real headless Chromium, opened from disk with no network.

Asserts what a reader sees: the 93 ISO controls, the four untrustworthy hosts listed as not assessed
with their reasons, the expired waiver, a finding's evidence lines; the Thai and English views; the
filters; no network request and no console error; a screenshot kept as an artifact; a PDF print with
several pages whose Thai text pdftotext can extract.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from report.support import ARTIFACTS, need

BROKEN = {"prv-pyo-sw1", "prv-nan-r1", "reg3-cmi-file1", "reg4-plk-news1"}
HEX64 = re.compile(r"\b[0-9a-f]{64}\b")


def visible_text(page: Any, selector: str) -> str:
    return str(page.locator(selector).first.inner_text())


def test_cover_frameworks_waivers_and_no_network(sample_report: Path, open_page: Any) -> None:
    p = open_page(sample_report)
    page = p.page
    assert page.evaluate("document.documentElement.lang") == "th"
    # the cover, Thai first: organisation, scope, dates in the Buddhist Era
    cover = visible_text(page, "#cover")
    assert "กรมประชาสัมพันธ์สาธิต" in cover
    assert "87 หน่วยงาน 208 เครื่อง" in cover
    assert "21 พฤศจิกายน 2569" in cover and "2026-11-21T19:00:00Z" not in cover
    assert len(HEX64.findall(cover)) >= 2  # catalog and evidence manifest SHA-256
    # before anything else: the hosts that could not be assessed, and why
    rows = page.locator("#not-assessed tr.unassessed")
    assert {rows.nth(i).get_attribute("data-host") for i in range(rows.count())} == BROKEN
    why = visible_text(page, "#not-assessed")
    for reason in ("no evidence file", "truncated", "exited with status 255", "stale"):
        assert reason in why
    # ISO/IEC 27001:2022 Annex A: all 93 controls
    controls = page.locator("#iso-table tr.iso-control")
    assert controls.count() == 93
    ids = [controls.nth(i).get_attribute("data-control") for i in range(controls.count())]
    assert ids[0] == "5.1" and ids[-1] == "8.34"
    assert "ภาคผนวก ก" in visible_text(page, "#iso h2")
    # waivers: the expired one says the check fails, the active one is waived
    expired = visible_text(page, "#waiver-table tr.expired")
    assert "LNX-PAM-006" in expired and "CHG-2568-0977" in expired and "หมดอายุ" in expired
    assert "IOS-SW-001" in visible_text(page, "#waiver-table tr.active")
    # Minimum Standards carry the data's unverified mark
    assert "ยังไม่ได้ตรวจสอบ" in visible_text(page, "#minstd .unverified")
    # a GIN site shows its migration deadline
    assert "GIN ยุติ 30 กันยายน 2570" in visible_text(page, "#site-PRV-ACR")
    # fonts: the embedded Sarabun is loaded and used for Thai
    assert page.evaluate("document.fonts.check('16px Sarabun', 'กรมประชาสัมพันธ์')")
    loaded = page.evaluate("[...document.fonts].filter(f => f.family.includes('Sarabun') && f.status == 'loaded')")
    assert len(loaded) >= 1
    assert p.other_requests() == [] and p.errors == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-cover-th.png"))


def test_language_switch_to_english_and_back(sample_report: Path, open_page: Any) -> None:
    p = open_page(sample_report)
    page = p.page
    page.click("#lang-en")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert "ISO/IEC 27001:2022 Annex A" in visible_text(page, "#iso h2")
    assert "ภาคผนวก" not in visible_text(page, "#iso h2")
    cover = visible_text(page, "#cover")
    assert "Demonstration Public Relations Department" in cover and "2026-11-21T19:00:00Z" in cover
    assert "พฤศจิกายน" not in cover
    assert "hosts match" in visible_text(page, "#host-count")
    page.screenshot(path=str(ARTIFACTS / "report-cover-en.png"))
    page.click("#lang-th")
    assert "เครื่องที่ตรงเงื่อนไข" in visible_text(page, "#host-count")
    assert "กรมประชาสัมพันธ์สาธิต" in visible_text(page, "#cover h1")
    assert p.errors == [] and p.other_requests() == []


def test_filters_and_a_findings_evidence_lines(sample_report: Path, open_page: Any) -> None:
    p = open_page(sample_report)
    page = p.page
    assert "208 / 208" in visible_text(page, "#host-count")
    assert page.locator("#host-rows tr.host-row").count() == 50  # paged, not 208 rows at once
    page.fill("#f-text", "prv-nan")
    names = page.locator("#host-rows tr.host-row").evaluate_all("rs => rs.map(r => r.dataset.host)")
    assert names == ["prv-nan-r1", "prv-nan-sw1"]
    page.fill("#f-text", "")
    page.select_option("#f-status", "error")
    names = page.locator("#host-rows tr.host-row").evaluate_all("rs => rs.map(r => r.dataset.host)")
    assert set(names) == BROKEN
    page.select_option("#f-status", "")
    page.select_option("#f-site", "BKK-HQ")
    page.select_option("#f-sev", "critical")
    page.fill("#f-check", "LNX-ACCT-005")
    assert page.locator("#host-rows tr.host-row").count() == 0  # LNX-ACCT-005 is medium, not critical
    assert "0 / 208" in visible_text(page, "#host-count")
    # from a finding to its hosts and the evidence lines that decided it
    page.select_option("#f-site", "")
    page.select_option("#f-sev", "")
    page.click("a.check-link[data-check='LNX-ACCT-005']")
    rows = page.locator("#host-rows tr.host-row")
    assert rows.count() == 8
    rows.first.locator("button.host-toggle").click()
    detail = page.locator("#host-rows tr.detail-row").first
    text = detail.inner_text()
    assert "LNX-ACCT-005" in text and "shadow:" in text and "$prakan$" in text
    shas = detail.locator(".ev-sha").all_inner_texts()
    assert shas and all(HEX64.search(s) for s in shas)
    assert detail.locator("tr.result").count() == 1  # only the matching result until "show every result"
    detail.locator("button.show-all").click()
    assert page.locator("#host-rows tr.detail-row").first.locator("tr.result").count() > 50
    assert p.errors == [] and p.other_requests() == []


@pytest.mark.parametrize("lang", ["th", "en"])
def test_print_to_pdf(sample_report: Path, open_page: Any, tmp_path: Path, lang: str) -> None:
    pdftotext = need("pdftotext")
    pdfinfo = need("pdfinfo")
    p = open_page(sample_report)
    if lang == "en":
        p.page.click("#lang-en")
    pdf = tmp_path / f"report-{lang}.pdf"
    p.page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    info = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    assert pages >= 10
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert f"2 / {pages}" in text  # page numbers from the print stylesheet
    if lang == "th":
        assert "กรมประชาสัมพันธ์สาธิต" in text
        assert "เครื่องที่ประเมินไม่ได้" in text
    else:
        assert "Hosts that could not be assessed" in text
        assert "Demonstration Public Relations Department" in text
    (ARTIFACTS / f"report-{lang}.pdf").parent.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"report-{lang}.pdf").write_bytes(pdf.read_bytes())


MARK_THAI = """() => { let n = 0; for (const el of document.querySelectorAll('body *')) {
  let c = 0;
  for (const t of el.childNodes) if (t.nodeType === 3) c += (t.data.match(/[\\u0e00-\\u0e7f]/g) || []).length;
  if (c && el.checkVisibility()) { el.setAttribute('data-thai', String(c)); n++; } } return n; }"""


def test_thai_renders_with_no_missing_glyph(sample_report: Path, open_page: Any) -> None:
    """Every visible element with Thai text draws at least that many glyphs from the embedded Sarabun
    (Chromium's own account of the fonts it used); a Thai character drawn by a font without it fails."""
    p = open_page(sample_report)
    page = p.page
    page.fill("#f-text", "prv-nan-r1")
    page.locator("button.host-toggle").first.click()  # evidence lines and reasons, in monospace
    assert page.evaluate(MARK_THAI) > 1000
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    missing = []
    for node in cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": "[data-thai]"})["nodeIds"]:
        attrs = cdp.send("DOM.getAttributes", {"nodeId": node})["attributes"]
        want = int(attrs[attrs.index("data-thai") + 1])
        fonts = {
            f["familyName"]: f["glyphCount"] for f in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        }
        if fonts.get("Sarabun", 0) < want:
            missing.append((cdp.send("DOM.getOuterHTML", {"nodeId": node})["outerHTML"][:120], fonts))
    assert missing == []

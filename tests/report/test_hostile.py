"""Hostile text from a device stays text: evidence whose sshd output holds `<script>`, an `onerror` image,
`</style>` and `</script>` goes through the real evaluate and report, and nothing from it runs."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from evidence_helpers import seal
from prakan.evidence import sha256_text
from report.support import EVIDENCE, run

HOSTILE = {
    "permitrootlogin": "<script>window.__pwned=1</script>",
    "banner": '"><img src=x onerror="window.__pwned=2">',
    "ciphers": "</style><style>body{display:none}</style>",
    "loglevel": "</script><script>window.__pwned=4</script>",
    "maxauthtries": "=1+2",
}
TITLE = "<script>window.__pwned=5</script>"


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    evidence = root / "evidence"
    evidence.mkdir()
    doc = json.loads((EVIDENCE / "bkk-hq-web1.json").read_text(encoding="utf-8"))
    src = doc["sources"]["sshd_effective"]
    lines = []
    for line in src["output"].split("\n"):
        key = line.split(" ", 1)[0]
        lines.append(f"{key} {HOSTILE[key]}" if key in HOSTILE else line)
    src["output"] = "\n".join(lines)
    src["sha256"] = sha256_text(src["output"])
    (evidence / "bkk-hq-web1.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    results = root / "results.json"
    seal(evidence)  # a collection run's signed manifest, as if collected so
    run("evaluate", "--evidence-dir", str(evidence), "-o", str(results), "--max-age", "0")
    text = results.read_text(encoding="utf-8")
    for value in HOSTILE.values():  # the hostile text really reaches the results
        assert json.dumps(value)[1:-1] in text, value
    res = run("report", str(results), "--title", TITLE, "--generated-at", "2026-11-28T00:00:00Z")
    assert res.exit_code == 0, res.output
    return root / "index.html"


def test_nothing_runs_in_the_browser(hostile_report: Path, open_page: Any) -> None:
    html = hostile_report.read_text(encoding="utf-8")
    for value in HOSTILE.values():
        assert value not in html or value == "=1+2"  # never verbatim in the markup
    p = open_page(hostile_report)
    page = p.page
    page.fill("#f-text", "bkk-hq-web1")
    page.locator("button.host-toggle").first.click()
    detail = page.locator("#host-rows tr.detail-row").first.inner_text()
    for key in ("permitrootlogin", "banner", "ciphers", "loglevel"):
        assert f"{key} {HOSTILE[key]}" in detail  # shown as the characters they are
    assert TITLE in page.locator("#cover h1").inner_text()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert page.evaluate("document.scripts.length") == 2  # the data blob and the report's own script
    assert page.locator("body").is_visible() and page.locator("#cover").is_visible()
    assert p.dialogs == [] and p.other_requests() == [] and p.errors == []


def test_csv_cells_are_inert(hostile_report: Path) -> None:
    raw = (hostile_report.parent / "results.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw, newline="")))
    cells = [c for r in rows for c in r]
    assert "'=1+2" in cells and "=1+2" not in cells
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert any(HOSTILE["permitrootlogin"] in c for c in cells)  # text kept, quoted by RFC 4180


def test_junit_is_well_formed(hostile_report: Path) -> None:
    import xml.etree.ElementTree as ET

    root = ET.parse(hostile_report.parent / "junit.xml").getroot()
    texts = "".join(e.text or "" for e in root.iter("failure"))
    assert HOSTILE["permitrootlogin"] in texts

"""results.csv, junit.xml and summary.json."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from prakan.report.exports import CSV_COLUMNS, inert
from report.support import run


def test_inert_cells() -> None:
    for bad in ("=1+2", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"):
        assert inert(bad) == "'" + bad
    assert inert("ok=1") == "ok=1" and inert("") == ""


def test_sample_exports(sample_results: Path, sample_report: Path) -> None:
    out = sample_report.parent
    results = json.loads(sample_results.read_text(encoding="utf-8"))
    n_results = sum(len(h["results"]) for h in results["hosts"])
    raw = (out / "results.csv").read_bytes()
    assert raw.startswith("\ufeff".encode()) and b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS and len(rows) == n_results + 1
    by = {(r[0], r[4]): r for r in rows[1:]}
    row = by[("bkk-hq-web1", "LNX-PAM-006")]
    assert row[8] == "fail" and row[16] == "CHG-2568-0977" and "waiver expired" in row[11]
    assert row[6] == results["run"]["checks"]["LNX-PAM-006"]["title"]["th"] and any(
        "\u0e01" <= ch <= "\u0e7f" for ch in row[6]
    )
    assert all(not c.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows[1:] for c in r)
    # junit: one suite per host, one case per check
    root = ET.parse(out / "junit.xml").getroot()
    suites = root.findall("testsuite")
    assert len(suites) == len(results["hosts"])
    s = next(x for x in suites if x.get("name") == "prv-pyo-sw1")
    assert int(s.get("errors", 0)) == len(s.findall("testcase/error")) > 0
    web = next(x for x in suites if x.get("name") == "bkk-hq-web1")
    fails = [c.get("name", "") for c in web.findall("testcase") if c.find("failure") is not None]
    assert any(n.startswith("LNX-PAM-006") for n in fails)
    assert sum(len(x.findall("testcase")) for x in suites) == n_results
    sw2 = next(x for x in suites if x.get("name") == "bkk-hq-sw2")
    skipped = [c for c in sw2.findall("testcase") if c.get("name", "").startswith("IOS-SW-001")]
    assert skipped[0].find("skipped") is not None
    # summary.json
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["totals"] == results["summary"]["by_status"]
    assert summary["hosts"] == 208 and summary["hosts_not_assessed"] == ["prv-pyo-sw1"]
    assert set(summary["hosts_with_errors"]) == {"prv-nan-r1", "reg3-cmi-file1", "reg4-plk-news1"}
    assert len(summary["frameworks"]["iso27001_2022"]) == 93
    assert summary["frameworks"]["ncsa_min_std_2566"]["status"] == "unverified"
    assert len(summary["sites"]) == 87 and all("score" in s for s in summary["sites"])
    assert {w["ticket"]: w["expired"] for w in summary["waivers"]} == {"CHG-2568-0977": True, "CHG-2569-0142": False}


def test_same_inputs_same_bytes(sample_results: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    assert run("report", str(sample_results), "-o", str(a), "--generated-at", "2026-11-28T03:00:00Z").exit_code == 0
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795834800")  # 2026-11-28T03:00:00Z
    assert run("report", str(sample_results), "-o", str(b)).exit_code == 0
    for name in ("index.html", "results.csv", "junit.xml", "summary.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert '"generated_at": "2026-11-28T03:00:00Z"' in (a / "summary.json").read_text(encoding="utf-8")

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from evidence_helpers import SAMPLE_EVALUATE
from prakan.cli import cli
from prakan.waivers import WaiverError, load_waivers


def test_sample_inventory_waivers_apply_and_expire(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    result = CliRunner().invoke(
        cli,
        [
            "evaluate",
            *SAMPLE_EVALUATE,
            "--limit",
            "bkk-hq-sw2:bkk-hq-web1",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    by = {(h["name"], r["check"]): r for h in json.loads(out.read_text())["hosts"] for r in h["results"]}
    active = by[("bkk-hq-sw2", "IOS-SW-001")]
    assert active["status"] == "waived" and active["waiver"]["ticket"] == "CHG-2569-0142"
    expired = by[("bkk-hq-web1", "LNX-PAM-006")]
    assert expired["status"] == "fail" and "expired on 2026-06-30" in expired["reason"]


def test_waivers_file_shapes_and_errors(tmp_path: Path) -> None:
    flat = tmp_path / "flat.yml"
    flat.write_text("waivers:\n  - {check: LNX-*, hosts: web*, reason: r, approver: a, expires: 2027-01-31}\n")
    (w,) = load_waivers(flat)
    assert w.matches("LNX-SSH-004", "web1", ()) and not w.matches("IOS-SSH-001", "web1", ())
    assert w.matches("LNX-SSH-004", "db1", ("webservers",))
    bad = tmp_path / "bad.yml"
    entry = "{check: X, hosts: h, reason: r, approver: a, expires: soon}"
    bad.write_text(f"all:\n  vars:\n    prakan_waivers:\n      - {entry}\n")
    with pytest.raises(WaiverError, match=r"bad.yml:4: waiver #1: expires: 'soon' is not a date"):
        load_waivers(bad)
    bad.write_text("waivers:\n  - {check: X, hosts: h, reason: r, expires: 2027-01-01}\n")
    with pytest.raises(WaiverError, match=r"bad.yml:2: waiver #1: 'approver' is a required property"):
        load_waivers(bad)


def test_waivers_odd_shapes_are_clear_errors_or_understood(tmp_path: Path) -> None:
    odd = tmp_path / "odd.yml"
    odd.write_text("all: [1]\n")
    assert load_waivers(odd) == []
    odd.write_text("waivers:\n  - {check: X, hosts: h, reason: r, approver: a, expires: 2027-03-31T00:00:00}\n")
    assert load_waivers(odd)[0].expires.isoformat() == "2027-03-31"
    odd.write_text("waivers: {check: X}\n")
    with pytest.raises(WaiverError, match="expected a `waivers:` list"):
        load_waivers(odd)

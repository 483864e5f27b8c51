"""`prakan remediate`: from results to the smallest set of playbook runs, and clear errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from evidence_helpers import SAMPLE_EVALUATE
from prakan.cli import cli

CHECKS = {
    "LNX-SSH-004": {"remediation": {"en": "x", "th": "x", "ansible_tags": ["LNX-SSH-004"]}},
    "LNX-NET-001": {"remediation": {"en": "x", "th": "x", "ansible_tags": ["LNX-NET-001"]}},
    "LNX-PATCH-001": {"remediation": {"en": "x", "th": "x", "not_automated": {"en": "patch window", "th": "ช่วงแพตช์"}}},
    "IOS-MGMT-010": {"remediation": {"en": "x", "th": "x", "ansible_tags": ["IOS-MGMT-010"]}},
    "IOS-SW-001": {"remediation": {"en": "x", "th": "x", "not_automated": {"en": "reload", "th": "รีโหลด"}}},
}


def results(hosts: list[dict[str, Any]]) -> dict[str, Any]:
    return {"format": "prakan-results", "version": 1, "run": {"checks": CHECKS}, "hosts": hosts}


def host(name: str, platform: str, **statuses: str) -> dict[str, Any]:
    res = [{"check": c.replace("_", "-"), "status": s} for c, s in statuses.items()]
    for r in res:
        if r["status"] == "waived":
            r["waiver"] = {"expires": "2027-01-31", "where": "exceptions.yml#1"}
    return {"name": name, "platform": platform, "error": None, "results": res}


def invoke(tmp_path: Path, doc: Any, *args: str) -> Any:
    f = tmp_path / "results.json"
    f.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return CliRunner().invoke(cli, ["remediate", str(f), "-i", "inv", *args])


FLEET = [
    host("web1", "linux", LNX_SSH_004="fail", LNX_NET_001="fail", LNX_PATCH_001="fail"),
    host("web2", "linux", LNX_SSH_004="fail", LNX_NET_001="fail"),
    host("db1", "linux", LNX_SSH_004="waived", LNX_NET_001="fail"),
    host("ok1", "linux", LNX_SSH_004="pass", LNX_NET_001="pass"),
    host("r1", "cisco_ios", IOS_MGMT_010="fail", IOS_SW_001="fail"),
    host("r2", "cisco_ios", IOS_MGMT_010="error"),
    {"name": "down1", "platform": "linux", "error": "connection refused", "results": []},
]


def test_runs_group_hosts_that_fail_the_same_checks(tmp_path: Path) -> None:
    out = invoke(tmp_path, results(FLEET), "--format", "json")
    assert out.exit_code == 0, out.output
    plan = json.loads(out.output)
    runs = [(r["playbook"], r["hosts"], r["tags"]) for r in plan["runs"]]
    assert runs == [
        ("playbooks/harden_ios.yml", ["r1"], ["IOS-MGMT-010"]),
        ("playbooks/harden_linux.yml", ["web1", "web2"], ["LNX-NET-001", "LNX-SSH-004"]),
        ("playbooks/harden_linux.yml", ["db1"], ["LNX-NET-001"]),  # its SSH-004 is waived
    ]
    assert plan["runs"][1]["command"] == (
        "ansible-playbook -i inv playbooks/harden_linux.yml --limit web1,web2 --tags LNX-NET-001,LNX-SSH-004"
    )
    skipped = {(s["host"], s["check"]): s for s in plan["skipped"]}
    assert set(skipped) == {
        ("web1", "LNX-PATCH-001"),
        ("db1", "LNX-SSH-004"),
        ("r1", "IOS-SW-001"),
        ("r2", "IOS-MGMT-010"),
        ("down1", "*"),
    }
    assert skipped["web1", "LNX-PATCH-001"]["reason"] == "not automated: patch window"
    assert skipped["db1", "LNX-SSH-004"]["reason"] == "waived until 2027-01-31 (exceptions.yml#1)"
    assert skipped["r2", "IOS-MGMT-010"]["status"] == "error"
    assert "connection refused" in skipped["down1", "*"]["reason"]


def test_many_distinct_sets_merge_into_one_run_per_playbook(tmp_path: Path) -> None:
    fleet = [
        host("a", "linux", LNX_SSH_004="fail"),
        host("b", "linux", LNX_NET_001="fail"),
        host("c", "linux", LNX_SSH_004="fail", LNX_NET_001="fail"),
    ]
    plan = json.loads(invoke(tmp_path, results(fleet), "--format", "json", "--max-runs", "2").output)
    assert [(r["hosts"], r["tags"]) for r in plan["runs"]] == [(["a", "b", "c"], ["LNX-NET-001", "LNX-SSH-004"])]


def test_text_and_yaml_and_thai(tmp_path: Path) -> None:
    text = invoke(tmp_path, results(FLEET)).output
    assert text.startswith("3 playbook run(s)")
    assert "ansible-playbook -i inv playbooks/harden_ios.yml --limit r1 --tags IOS-MGMT-010" in text
    assert "web1  LNX-PATCH-001  [fail] not automated: patch window" in text
    doc = yaml.safe_load(invoke(tmp_path, results(FLEET), "--format", "yaml").output)
    assert doc["format"] == "prakan-remediation" and len(doc["runs"]) == 3
    assert "not automated: รีโหลด" in invoke(tmp_path, results(FLEET), "--lang", "th").output
    clean = invoke(tmp_path, results([host("ok1", "linux", LNX_SSH_004="pass")]))
    assert clean.exit_code == 0 and clean.output.startswith("Nothing for the playbooks to fix.")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ('{"format": "prakan-results", "hosts": [', "results.json:1:"),
        ('{"format": "other"}', "not a Prakan results file"),
        ('{"format": "prakan-results", "hosts": {}}', "malformed results"),
    ],
)
def test_bad_results_file_is_a_usage_error_naming_it(tmp_path: Path, content: str | None, message: str) -> None:
    f = tmp_path / "results.json"
    if content is not None:
        f.write_text(content)
    out = CliRunner().invoke(cli, ["remediate", str(f)])
    assert out.exit_code == 3
    assert str(f) in out.output and message in out.output


def test_on_the_sample_department(tmp_path: Path) -> None:
    """Real results (the bundled sample evidence): every failing automated result is in exactly one run."""

    res = tmp_path / "r.json"
    ev = CliRunner().invoke(
        cli,
        [
            "evaluate",
            *SAMPLE_EVALUATE,
            "-o",
            str(res),
        ],
    )
    assert res.exists(), ev.output
    doc = json.loads(res.read_text())
    plan = json.loads(CliRunner().invoke(cli, ["remediate", str(res), "--format", "json"]).output)
    covered = {(h, t) for r in plan["runs"] for h in r["hosts"] for t in r["tags"]}
    checks = doc["run"]["checks"]
    failing = {
        (h["name"], r["check"])
        for h in doc["hosts"]
        for r in h["results"]
        if r["status"] == "fail" and checks[r["check"]]["remediation"].get("ansible_tags")
    }
    assert failing and failing <= covered
    assert len(plan["runs"]) <= 2 * 5
    by_hand = {s["check"] for s in plan["skipped"] if s["reason"].startswith("not automated")}
    assert "IOS-SW-001" in by_hand

"""prakan.collect.ansible_evidence on its own: Ansible's registered results -> evidence files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from prakan.catalog import load_catalog
from prakan.collect.ansible_evidence import PlanError, finish_run, host_evidence, loop_results, plan, unreachable
from prakan.evaluate import iter_evidence

CATALOG = load_catalog()
KEY = b"unit-test-key"


def _ran(item: dict[str, Any], **res: Any) -> dict[str, Any]:
    return {"item": item, "changed": False, **res}


def _skipped(item: dict[str, Any]) -> dict[str, Any]:
    return {"item": item, "skipped": True, "changed": False}


def test_plan_is_the_catalog_allow_list() -> None:
    linux = plan("web1", "linux", CATALOG)
    assert [p.name for p in linux] == [s.name for s in CATALOG.sources_for("linux")]
    assert all(p.argv[:2] == ["sh", "-c"] and p.argv[2].endswith(p.command) for p in linux)
    ios = plan("r1", "cisco_ios", CATALOG)
    assert ios and all(p.argv == [p.command] and p.command.startswith("show ") for p in ios)
    with pytest.raises(PlanError, match="no collector for platform 'fortios'"):
        plan("fw1", "fortios", CATALOG)
    with pytest.raises(PlanError, match="prakan_platform is not set"):
        plan("x", None, CATALOG)
    with pytest.raises(PlanError, match=r"manifest\.json"):
        plan("manifest", "linux", CATALOG)


def test_linux_results_sudo_failure_truncation_and_skipped_loops(tmp_path: Path) -> None:
    planned = {p.name: p.to_json() for p in plan("web1", "linux", CATALOG)}
    plain = [n for n, p in planned.items() if not p["become"]]
    root = [n for n, p in planned.items() if p["become"]]
    registered = [
        {
            "results": [_ran(planned[n], rc=0, stdout="ID=debian\n", stderr="") for n in plain[:-1]]
            + [_ran(planned[plain[-1]], rc=2, stdout="", stderr="cat: x: No such file\nlast line")]
        },
        {"results": [_skipped(planned[n]) for n in root]},  # sudo check failed: not run
        {"results": [_skipped(planned[n]) for n in planned]},  # the IOS task, skipped on Linux
    ]
    name, _digest, _ = host_evidence(
        "web1",
        "linux",
        loop_results(registered),
        directory=tmp_path,
        privileged_error="sudo authentication failed",
        key=KEY,
        catalog=CATALOG,
    )
    doc = json.loads((tmp_path / name).read_text())
    assert doc["collector"]["method"] == "ansible" and doc["error"] is None
    first = doc["sources"][plain[0]]
    assert first["rc"] == 0 and first["output"] == "ID=debian\n" and first["error"] is None
    assert doc["sources"][plain[-1]]["error"] == "exit status 2: last line"
    for n in root:
        assert doc["sources"][n]["error"] == "sudo authentication failed" and doc["sources"][n]["rc"] is None


def test_unreachable_and_connection_failures_are_host_errors(tmp_path: Path) -> None:
    assert unreachable([{"unreachable": True, "msg": "ssh: connect to host 10.0.0.1 port 22: No route"}]) == (
        "unreachable: ssh: connect to host 10.0.0.1 port 22: No route"
    )
    assert unreachable([{"results": [{"rc": 0}]}]) is None
    planned = [p.to_json() for p in plan("r1", "cisco_ios", CATALOG)]
    failed = [
        {
            "results": [
                _ran(p, failed=True, msg="ssh connection failed: ssh connect failed: Connection refused")
                for p in planned
            ]
        }
    ]
    name, _, _ = host_evidence("r1", "cisco_ios", loop_results(failed), directory=tmp_path, key=KEY, catalog=CATALOG)
    doc = json.loads((tmp_path / name).read_text())
    assert doc["error"].startswith("connection failed: ") and doc["sources"] == {}
    # a device that answers but rejects a command: that source is an error, the host is not
    rejected = [
        {
            "results": [_ran(planned[0], failed=True, msg="% Invalid input detected at '^' marker.")]
            + [_ran(p, stdout=["hostname r1\nend"]) for p in planned[1:]]
        }
    ]
    name, _, _ = host_evidence("r2", "cisco_ios", loop_results(rejected), directory=tmp_path, key=KEY, catalog=CATALOG)
    doc = json.loads((tmp_path / name).read_text())
    assert doc["error"] is None and "Invalid input" in doc["sources"][planned[0]["name"]]["error"]


def test_ios_output_is_redacted_and_checked_like_prakan_collect(tmp_path: Path) -> None:
    planned = {p.name: p.to_json() for p in plan("r1", "cisco_ios", CATALOG)}
    cut = "hostname r1\nenable password 0 Sup3rSecretEnable\nsnmp-server community Wr1te RW\ninterface G1\n"
    results = [_ran(planned["running_config"], stdout=[cut]), _ran(planned["show_version"], stdout=["IOS XE 17.9"])]
    name, _, redacted = host_evidence("r1", "cisco_ios", results, directory=tmp_path, key=KEY, catalog=CATALOG)
    text = (tmp_path / name).read_text()
    assert "Sup3rSecretEnable" not in text and "Wr1te" not in text and redacted == 2
    doc = json.loads(text)
    assert doc["sources"]["running_config"]["truncated"] is True  # no final `end`
    assert "no final `end`" in doc["sources"]["running_config"]["error"]


def test_missing_results_are_errors_and_the_manifest_lists_every_file(tmp_path: Path) -> None:
    name, digest, _ = host_evidence("web1", "linux", [], directory=tmp_path, key=KEY, catalog=CATALOG)
    doc = json.loads((tmp_path / name).read_text())
    assert doc["sources"] and all(
        s["error"] == "no result from Ansible for this source" for s in doc["sources"].values()
    )
    manifest = finish_run(tmp_path, ["web1", "web2"], "run-1", {"awx_job_id": 7}, catalog=CATALOG)
    assert manifest["files"] == {"web1.json": digest}
    assert manifest["failed"] == {"web2": "no evidence file was written for this host"} and not manifest["complete"]
    assert [i.problem for i in iter_evidence(tmp_path)] == [None]  # evaluate accepts what it wrote

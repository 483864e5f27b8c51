"""The sample department end to end: committed sample evidence + sample inventory -> results.json.

Evaluated through the real CLI. The sample is meant to look like a real department (hardened
headquarters, provincial offices with the usual gaps) and holds four deliberately untrustworthy
hosts, which must come out as `error`, never as `pass` (tools/gen_sample_evidence.py).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from prakan.catalog import Catalog, load_catalog
from prakan.cli import cli
from prakan.inventory import load_inventory
from prakan.paths import SAMPLE_MANIFEST_KEY, SCHEMAS_DIR

ROOT = Path(__file__).resolve().parent.parent
EVIDENCE = ROOT / "samples" / "evidence"
INVENTORY = ROOT / "inventory"
SCHEMA = SCHEMAS_DIR / "results.schema.json"


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("gen_sample_evidence", ROOT / "tools" / "gen_sample_evidence.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("gen_sample_evidence", mod)
    spec.loader.exec_module(mod)
    return mod


GEN = _generator()


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("sample") / "results.json"
    res = CliRunner().invoke(
        cli,
        [
            "evaluate",
            "--evidence-dir",
            str(EVIDENCE),
            "-i",
            str(INVENTORY),
            "-o",
            str(out),
            "--manifest-key",
            str(SAMPLE_MANIFEST_KEY),
            "--max-age",
            "0",
        ],
    )
    assert res.exit_code == 0, res.output
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def hosts(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {h["name"]: h for h in results["hosts"]}


def by_check(host: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["check"]: r for r in host["results"]}


def reading(catalog: Catalog, source: str) -> set[str]:
    return {c.id for c in catalog.checks.values() if c.rule is not None and source in c.sources_used()}


def test_every_inventory_host_is_in_the_results(hosts: dict[str, dict[str, Any]]) -> None:
    inventory = load_inventory(INVENTORY)
    assert set(hosts) == set(inventory.hosts)
    assert len(hosts) > 200
    for name, host in hosts.items():
        assert host["results"], f"{name}: no check was evaluated"


def test_a_host_without_evidence_is_an_error_not_skipped(hosts: dict[str, dict[str, Any]]) -> None:
    host = hosts[GEN.MISSING_HOST]
    assert not (EVIDENCE / f"{GEN.MISSING_HOST}.json").exists()
    assert "no evidence file" in host["error"]
    statuses = Counter(r["status"] for r in host["results"])
    assert statuses["error"] > 20 and statuses["pass"] == 0 and statuses["fail"] == 0


def test_truncated_running_config_is_error_never_pass(hosts: dict[str, dict[str, Any]], catalog: Catalog) -> None:
    results = by_check(hosts[GEN.TRUNCATED_ROUTER])
    dependent = reading(catalog, "running_config") & set(results)
    assert len(dependent) > 30
    for cid in dependent:
        res = results[cid]
        if res["status"] == "not_applicable":
            continue
        assert res["status"] == "error", (cid, res)
        assert "truncated" in res["reason"] and "running_config" in res["reason"], res["reason"]
    # show version was collected intact: the checks that read only it are still evaluated
    only_version = reading(catalog, "show_version") - reading(catalog, "running_config")
    assert only_version and all(results[c]["status"] in ("pass", "fail") for c in only_version & set(results))


def test_failed_sshd_t_is_error_never_pass(hosts: dict[str, dict[str, Any]], catalog: Catalog) -> None:
    results = by_check(hosts[GEN.BROKEN_SSHD])
    dependent = reading(catalog, "sshd_effective") & set(results)
    assert len(dependent) > 10
    for cid in dependent:
        res = results[cid]
        if res["status"] == "not_applicable":
            continue
        assert res["status"] == "error", (cid, res)
        assert "sshd_effective" in res["reason"] and "255" in res["reason"], res["reason"]
    others = [r for cid, r in results.items() if cid not in dependent]
    assert sum(r["status"] == "pass" for r in others) > 20, "the host's other sources are still evaluated"


def test_stale_package_lists_are_error_not_pass(hosts: dict[str, dict[str, Any]], catalog: Catalog) -> None:
    results = by_check(hosts[GEN.STALE_LISTS])
    dependent = reading(catalog, "pending_updates") & set(results)
    assert dependent
    for cid in dependent:
        assert results[cid]["status"] == "error", (cid, results[cid])
        assert "stale" in results[cid]["reason"], results[cid]["reason"]


def test_errors_only_where_intended(hosts: dict[str, dict[str, Any]]) -> None:
    broken = {GEN.MISSING_HOST, GEN.TRUNCATED_ROUTER, GEN.BROKEN_SSHD, GEN.STALE_LISTS}
    unexpected = [
        (name, r["check"], r.get("reason"))
        for name, h in hosts.items()
        if name not in broken
        for r in h["results"]
        if r["status"] == "error"
    ]
    assert not unexpected, unexpected[:10]


@pytest.mark.parametrize(
    ("host", "checks"),
    [
        # provincial router with every usual gap
        (
            "prv-msn-r1",
            [
                "IOS-MGMT-010",
                "IOS-MGMT-016",
                "IOS-SNMP-002",
                "IOS-SNMP-003",
                "IOS-LOG-001",
                "IOS-NTP-002",
                "IOS-MGMT-017",
                "IOS-WAN-001",
                "IOS-AAA-010",
                "IOS-PWD-001",
            ],
        ),
        ("prv-cmi-r1", ["IOS-MGMT-010", "IOS-MGMT-017", "IOS-WAN-001"]),
        ("reg5-cti-news1", ["LNX-SSH-004", "LNX-LOG-001", "LNX-USB-001"]),
        ("reg8-kri-file1", ["LNX-SSH-004", "LNX-ACCT-001", "LNX-ACCT-002"]),
        ("prv-msn-sw1", ["IOS-SW-001"]),  # a Catalyst 2960-X on IOS 15.2: out of the supported releases
    ],
)
def test_known_gaps_fail(hosts: dict[str, dict[str, Any]], catalog: Catalog, host: str, checks: list[str]) -> None:
    results = by_check(hosts[host])
    for cid in checks:
        assert cid in catalog.checks, f"{cid} is no longer in the catalog"
        assert results[cid]["status"] == "fail", (host, cid, results[cid])


def test_hardened_hosts_pass(hosts: dict[str, dict[str, Any]]) -> None:
    for name in sorted(GEN.CLEAN):
        statuses = Counter(r["status"] for r in hosts[name]["results"])
        decided = statuses["pass"] + statuses["fail"]
        assert statuses["error"] == 0 and decided > 30, (name, statuses)
        assert statuses["pass"] >= 0.9 * decided, (name, statuses)


def test_department_picture_is_realistic(hosts: dict[str, dict[str, Any]]) -> None:
    inventory = load_inventory(INVENTORY)
    rate: dict[str, Counter[str]] = {}
    for name, host in hosts.items():
        kind = inventory.sites[inventory.hosts[name].site].kind
        rate.setdefault(kind, Counter()).update(host["summary"])

    def pass_rate(kind: str) -> float:
        c = rate[kind]
        return c["pass"] / (c["pass"] + c["fail"])

    assert pass_rate("hq") > 0.95 and pass_rate("cloud") > 0.95
    assert pass_rate("hq") > pass_rate("regional") > pass_rate("provincial") > 0.4


def test_results_validate_against_the_schema(results: dict[str, Any]) -> None:
    import jsonschema

    jsonschema.validate(results, json.loads(SCHEMA.read_text(encoding="utf-8")))


def test_sample_evidence_is_what_the_generator_writes(tmp_path: Path) -> None:
    """The committed files are reproducible: regenerate and compare byte for byte."""
    GEN.generate(INVENTORY, tmp_path / "evidence")
    fresh = {p.name: p.read_bytes() for p in (tmp_path / "evidence").iterdir()}
    committed = {p.name: p.read_bytes() for p in EVIDENCE.iterdir()}
    assert fresh.keys() == committed.keys()
    stale = sorted(name for name in fresh if fresh[name] != committed[name])
    assert not stale, f"samples/evidence is stale ({len(stale)} files): run tools/gen_sample_evidence.py"
    assert sum(len(b) for b in committed.values()) < 15_000_000


def test_sample_evidence_follows_the_evidence_schema() -> None:
    import jsonschema

    schema = json.loads((SCHEMAS_DIR / "evidence.schema.json").read_text(encoding="utf-8"))
    files = [p for p in EVIDENCE.glob("*.json") if p.name != "manifest.json"]
    assert len(files) == len(load_inventory(INVENTORY).hosts) - 1  # all but the host never collected
    for path in files:
        doc = json.loads(path.read_text(encoding="utf-8"))
        jsonschema.validate(doc, schema)
        assert doc["collector"]["method"] == "sample" and doc["collected_at"] == GEN.COLLECTED_AT

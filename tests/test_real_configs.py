"""Real configurations that no one here wrote, imported as backups, then evaluated.

The configurations are the IOS fixtures of a public PyPI source distribution (fetched by
scripts/fetch-real-configs.sh into a cache outside the repository; never committed). Each one,
and a copy cut off half-way, goes through `prakan evidence import` and `prakan evaluate`:

* nothing crashes and every imported host is evaluated;
* `show version` was never collected from a backup: the checks reading it are `error`;
* a configuration the parser refuses (no closing `end`, partial snippet) and every truncated copy
  give `error` for every check that reads the running-config, never `pass` (nor `fail`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from lab import unavailable
from prakan.catalog import Catalog, load_catalog
from prakan.cli import cli
from prakan.parse import ParseError, parse_ios_config

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("PRAKAN_CACHE") or Path.home() / ".cache" / "prakan") / "real-configs"
FETCH = "scripts/fetch-real-configs.sh"


def real_configs() -> list[Path]:
    found = sorted(p for d in CACHE.glob("*/") if (d / ".complete").exists() for p in d.glob("*.ios"))
    if not found:
        unavailable(f"no real configurations in {CACHE}: run {FETCH} (downloads a pinned PyPI sdist)")
    return found


def truncate(text: str) -> str:
    """Cut a configuration half-way, as a dropped session or a full disk would."""
    lines = text.splitlines()[: max(1, len(text.splitlines()) // 2)]
    while lines and lines[-1].strip() in ("end", ""):
        lines.pop()
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Import every real config and its truncated copy into one evidence directory, then evaluate."""
    configs = real_configs()
    base = tmp_path_factory.mktemp("real")
    backups = base / "backups"
    backups.mkdir()
    for path in configs:
        shutil.copyfile(path, backups / path.name)
        text = path.read_bytes().decode("utf-8", "replace")
        (backups / f"{path.stem}-truncated{path.suffix}").write_text(truncate(text), encoding="utf-8")
    names = sorted(p.stem for p in backups.iterdir())
    # a minimal inventory: the organisation's approved values, each device a WAN router
    inv = base / "inventory"
    (inv / "group_vars").mkdir(parents=True)
    shutil.copyfile(ROOT / "inventory" / "group_vars" / "all.yml", inv / "group_vars" / "all.yml")
    hosts = {
        n: {"ansible_host": f"192.0.2.{i + 1}", "prakan_platform": "cisco_ios", "prakan_role": "wan_router"}
        for i, n in enumerate(names)
    }
    for n in names:  # the device calls itself what its `hostname` line says: the inventory records that
        found = re.search(r"(?m)^hostname (\S+)", next(backups.glob(f"{n}.*")).read_text("utf-8", "replace"))
        if found:
            hosts[n]["prakan_hostname"] = found.group(1)
    (inv / "hosts.yml").write_text(yaml.safe_dump({"all": {"hosts": hosts}}), encoding="utf-8")

    runner = CliRunner(env={"PRAKAN_REDACTION_KEY": "real-configs-test"})
    evidence = base / "evidence"
    res = runner.invoke(
        cli,
        [
            "evidence",
            "import",
            "--platform",
            "cisco_ios",
            "-i",
            str(inv),
            "--evidence-dir",
            str(evidence),
            str(backups),
        ],
    )
    assert res.exit_code == 0, res.output
    out = base / "results.json"
    # the backups are as old as the package that ships them: no age limit for this corpus
    res = runner.invoke(
        cli, ["evaluate", "--evidence-dir", str(evidence), "-i", str(inv), "-o", str(out), "--max-age", "0"]
    )
    assert res.exit_code == 0, res.output
    results = json.loads(out.read_text(encoding="utf-8"))
    accepted: dict[str, bool] = {}
    reasons: dict[str, str] = {}
    for name in names:
        doc = json.loads((evidence / f"{name}.json").read_text(encoding="utf-8"))
        try:
            parse_ios_config(doc["sources"]["running_config"]["output"], complete=True)
            accepted[name] = True
        except ParseError as exc:
            accepted[name], reasons[name] = False, str(exc)
    return {"names": names, "hosts": {h["name"]: h for h in results["hosts"]}, "accepted": accepted, "reasons": reasons}


def reading(catalog: Catalog, source: str) -> set[str]:
    return {c.id for c in catalog.checks.values() if c.rule is not None and source in c.sources_used()}


def test_every_config_is_imported_and_evaluated(run: dict[str, Any]) -> None:
    assert set(run["hosts"]) == set(run["names"])
    for name, host in run["hosts"].items():
        assert host["results"], name
        assert host.get("note") != "not in the inventory", name


def test_the_corpus_exercises_both_paths(run: dict[str, Any]) -> None:
    originals = [n for n in run["names"] if not n.endswith("-truncated")]
    assert any(run["accepted"][n] for n in originals), "no real configuration was accepted"
    assert not any(run["accepted"][n] for n in run["names"] if n.endswith("-truncated"))


def test_show_version_was_not_collected(run: dict[str, Any], catalog: Catalog) -> None:
    dependent = reading(catalog, "show_version")
    assert dependent
    for name, host in run["hosts"].items():
        for r in host["results"]:
            if r["check"] in dependent and r["status"] != "not_applicable":
                assert r["status"] == "error", (name, r)
                assert "show_version" in r["reason"], (name, r["reason"])


def test_untrustworthy_configs_never_pass(run: dict[str, Any], catalog: Catalog) -> None:
    dependent = reading(catalog, "running_config")
    refused = [n for n, ok in run["accepted"].items() if not ok]
    for name in refused:
        statuses = Counter(r["status"] for r in run["hosts"][name]["results"] if r["check"] in dependent)
        assert statuses["error"] > 10, (name, statuses)
        assert set(statuses) <= {"error", "not_applicable"}, (name, run["reasons"][name], statuses)
        for r in run["hosts"][name]["results"]:
            if r["check"] in dependent and r["status"] == "error":
                assert "running_config" in r["reason"], (name, r)


def test_accepted_configs_are_really_evaluated(run: dict[str, Any], catalog: Catalog) -> None:
    dependent = reading(catalog, "running_config")
    for name in (n for n, ok in run["accepted"].items() if ok):
        statuses = Counter(r["status"] for r in run["hosts"][name]["results"] if r["check"] in dependent)
        assert statuses["pass"] + statuses["fail"] > 10, (name, statuses)


# Verdicts hand-checked against the configuration text (ciscoconfparse2 0.9.18 fixtures).
HAND_CHECKED = {
    # aaa new-model, `aaa authentication login default local`, vty 0 4 without a login line: the
    # default list applies (authenticated); `transport input telnet ssh` on the vty
    "sample_01": {"IOS-MGMT-013": ("pass", ""), "IOS-MGMT-016": ("fail", "transport input telnet ssh")},
    "sample_08": {"IOS-MGMT-013": ("pass", ""), "IOS-MGMT-016": ("fail", "transport input telnet ssh")},
    # version 12.2, vty 0 4 holds only an access-class: classic IOS accepts telnet by default
    "sample_03": {"IOS-MGMT-016": ("fail", "classic IOS accepts all protocols")},
    # version 12.0, no aaa new-model, vty `login` with the line password
    "sample_02": {"IOS-MGMT-013": ("fail", "line password")},
}


@pytest.mark.parametrize("name", sorted(HAND_CHECKED))
def test_hand_checked_verdicts(run: dict[str, Any], name: str) -> None:
    results = {r["check"]: r for r in run["hosts"][name]["results"]}
    for check, (status, says) in HAND_CHECKED[name].items():
        r = results[check]
        assert r["status"] == status, (name, check, r)
        assert says in (r.get("actual") or ""), (name, check, r)


def test_a_fragment_ending_in_end_is_refused(run: dict[str, Any]) -> None:
    """sample_09 is 68 lines ending in `end`, without `version` or `line` sections."""
    assert run["accepted"]["sample_09"] is False
    assert "a fragment, not a complete running-config" in run["reasons"]["sample_09"]

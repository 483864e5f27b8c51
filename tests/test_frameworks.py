"""The compliance frameworks (checks/frameworks/*.yml) and the manual catalog entries (checks/manual/)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from prakan.paths import CHECKS_DIR, SCHEMAS_DIR

FRAMEWORKS_DIR = CHECKS_DIR / "frameworks"
MANUAL_DIR = CHECKS_DIR / "manual"
FRAMEWORK_FILES = sorted(FRAMEWORKS_DIR.glob("*.yml"))
MANUAL_FILES = sorted(MANUAL_DIR.rglob("*.yml"))
TH_LETTERS = "กขคงจฉชซฌ"  # Thai clause letters, written a..i in ids


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@cache
def framework(fw_id: str) -> dict[str, Any]:
    return _load(FRAMEWORKS_DIR / f"{fw_id}.yml")


def clauses(fw_id: str) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in framework(fw_id)["clauses"]}


def ancestors(fw_id: str, clause_id: str) -> Iterator[str]:
    by_id = clauses(fw_id)
    parent = by_id[clause_id]["parent"]
    while parent is not None:
        yield parent
        parent = by_id[parent]["parent"]


def catalog_entries() -> Iterator[tuple[Path, dict[str, Any]]]:
    """Every check file in the catalog (automated and manual), read as plain YAML."""
    for path in sorted(CHECKS_DIR.rglob("*.yml")):
        if path.parent == FRAMEWORKS_DIR or path.name == "sources.yml":
            continue
        yield path, _load(path)


def covered(fw_id: str, entries: list[dict[str, Any]]) -> set[str]:
    """Clauses referenced by an entry, plus their ancestors (a parent is covered through its children)."""
    direct = {ref for e in entries for ref in e.get("refs", {}).get(fw_id, [])}
    return direct | {a for ref in direct if ref in clauses(fw_id) for a in ancestors(fw_id, ref)}


# --- schema -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMAS_DIR / "framework.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_expected_framework_files_exist() -> None:
    names = {p.stem for p in FRAMEWORK_FILES}
    assert {"iso27001_2022", "ncsa_cop_2564", "ncsa_min_std_2566", "etc_2553"} <= names


@pytest.mark.parametrize("path", FRAMEWORK_FILES, ids=lambda p: p.stem)
def test_framework_file_validates(path: Path, validator: jsonschema.Draft202012Validator) -> None:
    data = _load(path)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]
    assert errors == []
    assert data["id"] == path.stem


@pytest.mark.parametrize("path", FRAMEWORK_FILES, ids=lambda p: p.stem)
def test_clause_ids_unique_and_parents_exist(path: Path) -> None:
    items = _load(path)["clauses"]
    ids = [c["id"] for c in items]
    assert len(ids) == len(set(ids)), "duplicate clause ids"
    seen: set[str] = set()
    for c in items:  # parents come first, which also rules out cycles
        assert c["parent"] is None or c["parent"] in seen, f"{c['id']}: parent {c['parent']} not defined before it"
        seen.add(c["id"])


def test_schema_rejects_a_cop_clause_without_automation(validator: jsonschema.Draft202012Validator) -> None:
    data = json.loads(json.dumps(framework("ncsa_cop_2564")))
    del data["clauses"][0]["automation"]
    assert not validator.is_valid(data)


def test_schema_rejects_min_std_without_status(validator: jsonschema.Draft202012Validator) -> None:
    data = json.loads(json.dumps(framework("ncsa_min_std_2566")))
    del data["status"]
    assert not validator.is_valid(data)


# --- ISO/IEC 27001:2022 ---------------------------------------------------------------------------

ISO_THEMES = {5: ("organizational", 37), 6: ("people", 8), 7: ("physical", 14), 8: ("technological", 34)}


def test_iso_has_exactly_the_93_annex_a_controls() -> None:
    expected = [f"{major}.{minor}" for major, (_, n) in ISO_THEMES.items() for minor in range(1, n + 1)]
    assert len(expected) == 93
    assert [c["id"] for c in framework("iso27001_2022")["clauses"]] == expected


def test_iso_themes_and_titles() -> None:
    by_id = clauses("iso27001_2022")
    for cid, c in by_id.items():
        assert c["theme"] == ISO_THEMES[int(cid.split(".")[0])][0], cid
        assert c["parent"] is None
        assert re.search(r"[\u0E00-\u0E7F]", c["title"]["th"]), f"{cid}: Thai title has no Thai text"
    assert by_id["5.1"]["title"]["en"] == "Policies for information security"
    assert by_id["8.34"]["title"]["en"] == "Protection of information systems during audit testing"
    assert framework("iso27001_2022")["title_th_source"] == "translation"


# --- NCSA Code of Practice 2564 --------------------------------------------------------------------


def test_cop_ids_follow_the_gazette_numbering() -> None:
    by_id = clauses("ncsa_cop_2564")
    for cid in (
        "17.1",
        "17.3(b)",
        "18.1(c)",
        "19.1(g)",
        "19.1(i)",
        "21.1.1(f)",
        "21.2.2(h)",
        "21.3.10",
        "22.2.2(c)",
        "22.3.2(a)",
        "22.3.2(e)",
        "22.4.1(c)",
        "22.6",
        "23.1.1(c)",
        "24.3.2",
        "25.1.2",
    ):
        assert cid in by_id, cid
    assert {c for c in by_id if c.count(".") == 0} == {"16", "17", "18", "19", "20", "21", "22", "23", "24", "25"}
    # 20 is the overview: 5 main topics and the 15 sub-topics that clauses 21.1-25.1 detail
    assert len([c for c in by_id if re.fullmatch(r"20\.\d", c)]) == 5
    subtopics = [c for c in by_id if re.fullmatch(r"20\.\d\.\d", c)]
    details = [c for c in by_id if re.fullmatch(r"2[1-5]\.\d", c)]
    assert len(subtopics) == len(details) == 15


def test_cop_parent_is_the_id_prefix() -> None:
    for cid, c in clauses("ncsa_cop_2564").items():
        if c["parent"] is None:
            continue
        expected = cid[: cid.index("(")] if "(" in cid else cid.rsplit(".", 1)[0]
        if cid in {"17", "18", "19"}:
            expected = "16"  # the three components hang under paragraph 16
        assert c["parent"] == expected, cid


def test_cop_letters_map_to_thai_letters() -> None:
    for cid, c in clauses("ncsa_cop_2564").items():
        m = re.fullmatch(r"(.+)\(([a-i])\)", cid)
        if m:
            assert c["label_th"] == f"{m[1]} ({TH_LETTERS['abcdefghi'.index(m[2])]})", cid
        else:
            assert "label_th" not in c, cid


def test_cop_automation_follows_standards_md() -> None:
    by_id = clauses("ncsa_cop_2564")
    for cid in ("22.1.1", "22.1.2", "22.1.3", "22.2.1", "22.2.2(h)", "22.3.2(c)", "22.4.1(a)", "21.3.1", "21.3.9"):
        assert by_id[cid]["automation"] == "automatable", cid
    for cid in ("21.1.2", "22.1.4", "22.2.5", "22.4.2", "23.1.1(a)"):
        assert by_id[cid]["automation"] == "partial", cid
    for cid in ("17.1", "18", "19.1(g)", "21.1.3", "21.3.4", "22.5.1", "22.6", "24.2.4", "25.1.2"):
        assert by_id[cid]["automation"] == "manual", cid
    assert {c["evidence"] for c in by_id.values()} == {"primary"}


# --- Minimum Standards 2566 -------------------------------------------------------------------------


def tier_clauses(tier: str) -> set[str]:
    """CoP clause ids that apply at a tier: its own measures plus its ancestors'."""
    by_id = clauses("ncsa_min_std_2566")
    chain = [tier, *ancestors("ncsa_min_std_2566", tier)]
    return {cop for t in chain for m in by_id[t]["measures"] for cop in m["cop_clauses"]}


def test_min_std_declares_it_is_unverified() -> None:
    fw = framework("ncsa_min_std_2566")
    assert fw["status"] == "unverified"
    assert fw["source_status"] == "inferred"
    assert "official annex not obtained" in fw["tier_source"]
    assert {c["evidence"] for c in fw["clauses"]} == {"inferred"}


def test_min_std_tiers_are_nested_and_point_at_cop_clauses() -> None:
    by_id = clauses("ncsa_min_std_2566")
    assert list(by_id) == ["low", "medium", "high"]
    assert (by_id["medium"]["parent"], by_id["high"]["parent"]) == ("low", "medium")
    low, medium, high = (tier_clauses(t) for t in ("low", "medium", "high"))
    assert low < medium < high
    assert {"18", "19", "22.1", "22.2"} <= low  # risk assessment, IR plan, technical baseline
    assert {"17", "22.3", "22.4"} <= medium - low
    assert {"21.3", "21.4", "22.6", "25.1"} <= high - medium
    cop = clauses("ncsa_cop_2564")
    assert high <= cop.keys()
    measure_ids = [m["id"] for c in by_id.values() for m in c["measures"]]
    assert len(measure_ids) == len(set(measure_ids))


# --- manual entries ------------------------------------------------------------------------------


def manual_entries() -> list[dict[str, Any]]:
    return [_load(p) for p in MANUAL_FILES]


def test_manual_entries_are_well_formed() -> None:
    check_schema = json.loads((SCHEMAS_DIR / "check.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(check_schema)
    assert 40 <= len(MANUAL_FILES) <= 80
    ids: set[str] = set()
    for path in MANUAL_FILES:
        e = _load(path)
        assert [err.message for err in validator.iter_errors(e)] == [], path
        assert re.fullmatch(r"ORG-[A-Z]{2,3}-\d{3}", e["id"]), path
        assert e["id"] not in ids, f"duplicate id {e['id']}"
        ids.add(e["id"])
        assert e["kind"] == "manual" and e["platforms"] == ["organisation"], path
        assert len(e["evidence_required"]["en"]) >= 80, f"{path}: evidence text too thin"
        assert re.search(r"[\u0E00-\u0E7F]", e["evidence_required"]["th"]), path


def test_every_ref_points_to_an_existing_clause() -> None:
    known = {p.stem: {c["id"] for c in _load(p)["clauses"]} for p in FRAMEWORK_FILES}
    dangling = []
    for path, entry in catalog_entries():
        for fw_id, refs in entry.get("refs", {}).items():
            if fw_id == "ssg":  # ComplianceAsCode rule ids: a peer's names, not a framework of the catalog
                continue
            targets = refs.keys() if isinstance(refs, dict) else refs  # cis refs: {benchmark: recommendation}
            dangling += [
                f"{path.relative_to(CHECKS_DIR)}: {fw_id} {r}" for r in targets if r not in known.get(fw_id, set())
            ]
    assert dangling == []


@pytest.mark.parametrize("fw_id", ["iso27001_2022", "ncsa_cop_2564"])
def test_manual_clauses_are_covered_by_manual_entries(fw_id: str) -> None:
    """What the scanner cannot see must have an auditor-evidence entry."""
    done = covered(fw_id, manual_entries())
    missing = [cid for cid, c in clauses(fw_id).items() if c["automation"] == "manual" and cid not in done]
    assert missing == []


@pytest.mark.parametrize("fw_id", ["iso27001_2022", "ncsa_cop_2564"])
def test_every_clause_is_covered_by_the_catalog(fw_id: str) -> None:
    """Every ISO control and every CoP clause has an automated check or a manual entry behind it."""
    done = covered(fw_id, [e for _, e in catalog_entries()])
    assert [cid for cid in clauses(fw_id) if cid not in done] == []


def test_every_check_file_is_named_by_its_id() -> None:
    """An auditor looking for IOS-SSH-001 opens IOS-SSH-001.yml."""
    wrong = [
        f"{path}: id {entry['id']}"
        for path, entry in catalog_entries()
        if path.name != "sample_vars.yml" and path.stem != entry.get("id")
    ]
    assert not wrong, wrong

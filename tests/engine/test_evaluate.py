import json
from datetime import date
from pathlib import Path

import jsonschema
from click.testing import CliRunner
from evidence_helpers import SAMPLE_EVALUATE, seal
from prakan.catalog import load_catalog
from prakan.cli import cli
from prakan.evaluate import HostInfo, evaluate_host
from prakan.evidence import HostEvidence, SourceResult, write_host
from prakan.paths import SCHEMAS_DIR
from prakan.waivers import Waiver

SSHD_OK = "port 22\npermitrootlogin no\npasswordauthentication no\n"
SSHD_BAD = "port 22\npermitrootlogin yes\npasswordauthentication yes\n"


def statuses(doc: dict, info: HostInfo, **kw: object) -> dict[str, str]:
    res = evaluate_host(doc, load_catalog(), info, **kw)  # type: ignore[arg-type]
    return {r["check"]: r["status"] for r in res["results"]}


def doc(**sources: str) -> dict:
    ev = HostEvidence("h1", "linux", {k: SourceResult(k, v) for k, v in sources.items()})
    return ev.to_json()


def test_pass_fail_and_missing_source() -> None:
    info = HostInfo("h1", "linux", os_family="debian")
    assert statuses(doc(sshd_effective=SSHD_OK), info)["LNX-SSH-004"] == "pass"
    assert statuses(doc(sshd_effective=SSHD_BAD), info)["LNX-SSH-004"] == "fail"
    res = evaluate_host(doc(), load_catalog(), info)
    r = next(r for r in res["results"] if r["check"] == "LNX-SSH-004")
    assert r["status"] == "error" and "not collected" in r["reason"]


def test_tampered_failed_and_truncated_sources_are_errors() -> None:
    info = HostInfo("h1", "linux")
    d = doc(sshd_effective=SSHD_OK)
    d["sources"]["sshd_effective"]["output"] = SSHD_OK.replace("no", "yes", 1)  # hash no longer matches
    assert statuses(d, info)["LNX-SSH-004"] == "error"
    d = doc(sshd_effective=SSHD_OK)
    d["sources"]["sshd_effective"]["rc"] = 255
    assert statuses(d, info)["LNX-SSH-004"] == "error"
    d = doc(sshd_effective=SSHD_OK)
    d["sources"]["sshd_effective"]["truncated"] = True
    assert statuses(d, info)["LNX-SSH-004"] == "error"
    d = doc(sshd_effective=SSHD_OK)
    d["error"] = "connection refused"
    assert set(statuses(d, info).values()) <= {"error", "not_applicable"}


def test_waivers_and_expiry() -> None:
    info = HostInfo("h1", "linux", groups=("site_bkk_hq",))
    w = Waiver("LNX-SSH-*", ("site_bkk_*",), "vendor access", "CIO", date(2027, 1, 1), "exceptions.yml#1")
    assert statuses(doc(sshd_effective=SSHD_BAD), info, waivers=[w], today=date(2026, 12, 1))["LNX-SSH-004"] == "waived"
    res = evaluate_host(doc(sshd_effective=SSHD_BAD), load_catalog(), info, [w], date(2027, 2, 1))
    r = next(r for r in res["results"] if r["check"] == "LNX-SSH-004")
    assert r["status"] == "fail" and "expired" in r["reason"]
    # a waiver never turns an error into anything else
    assert statuses(doc(), info, waivers=[w], today=date(2026, 12, 1))["LNX-SSH-004"] == "error"


def test_evaluate_cli_writes_valid_results(tmp_path: Path) -> None:
    ev = tmp_path / "ev"
    write_host(ev, HostEvidence("h1", "linux", {"sshd_effective": SourceResult("sshd -T", SSHD_BAD)}))
    (ev / "broken.json").write_text("{not json", encoding="utf-8")
    seal(ev)
    out = tmp_path / "results.json"
    result = CliRunner().invoke(cli, ["evaluate", "--evidence-dir", str(ev), "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(data, json.loads((SCHEMAS_DIR / "results.schema.json").read_text(encoding="utf-8")))
    by_host = {h["name"]: h for h in data["hosts"]}
    assert by_host["broken"]["error"] and "not valid JSON" in by_host["broken"]["error"]
    r = next(r for r in by_host["h1"]["results"] if r["check"] == "LNX-SSH-004")
    assert r["status"] == "fail" and r["evidence"][0]["text"] == "permitrootlogin yes"
    assert data["run"]["catalog"]["sha256"] and data["evidence_sha256"]["h1"]


def test_evidence_files_match_schema(tmp_path: Path) -> None:
    path, _ = write_host(tmp_path, HostEvidence("h1", "linux", {"os_release": SourceResult("cat", "ID=debian\n")}))
    schema = json.loads((SCHEMAS_DIR / "evidence.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(json.loads(path.read_text(encoding="utf-8")), schema)


def test_platform_mismatch_with_the_inventory_is_a_host_error(tmp_path: Path) -> None:
    from prakan.paths import SAMPLE_INVENTORY

    ev = tmp_path / "ev"
    # bkk-hq-r1 is a cisco_ios router in the sample inventory: Linux evidence under its name is not trusted
    write_host(ev, HostEvidence("bkk-hq-r1", "linux", {"sshd_effective": SourceResult("sshd -T", SSHD_OK)}))
    seal(ev)
    out = tmp_path / "results.json"
    result = CliRunner().invoke(
        cli,
        ["evaluate", "--evidence-dir", str(ev), "-i", str(SAMPLE_INVENTORY), "--limit", "bkk-hq-r1", "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    (host,) = json.loads(out.read_text(encoding="utf-8"))["hosts"]
    assert "inventory says cisco_ios" in host["error"]
    assert {r["status"] for r in host["results"]} <= {"error", "not_applicable"}


def test_unhashed_or_unstatused_sources_are_errors() -> None:
    info = HostInfo("h1", "linux")
    d = doc(sshd_effective=SSHD_OK)
    del d["sources"]["sshd_effective"]["sha256"]  # whoever edited the output also dropped the hash
    assert statuses(d, info)["LNX-SSH-004"] == "error"
    d = doc(sshd_effective=SSHD_OK)
    d["sources"]["sshd_effective"]["rc"] = None  # only a CLI has no exit status
    assert statuses(d, info)["LNX-SSH-004"] == "error"


def _evaluate_dir(ev: Path, *extra: str) -> dict:
    out = ev.parent / "results.json"
    result = CliRunner().invoke(cli, ["evaluate", "--evidence-dir", str(ev), "-o", str(out), *extra])
    assert result.exit_code == 0, result.output
    return {h["name"]: h for h in json.loads(out.read_text(encoding="utf-8"))["hosts"]}


def test_manifest_names_and_platforms_are_enforced(tmp_path: Path) -> None:
    from prakan.evidence import write_manifest

    ev = tmp_path / "ev"
    _, good = write_host(ev, HostEvidence("h1", "linux", {"sshd_effective": SourceResult("sshd -T", SSHD_OK)}))
    write_host(ev, HostEvidence("h2", "linux", {"sshd_effective": SourceResult("sshd -T", SSHD_OK)}))
    write_host(ev, HostEvidence("fw1", "fortios", {}))
    write_manifest(ev, {"files": {"h1.json": good, "h2.json": "0" * 64}})
    (ev / "h3.json").write_text((ev / "h1.json").read_text())  # a copy under another name
    hosts = _evaluate_dir(ev)
    assert hosts["h1"]["error"] is None
    assert "does not match its SHA-256 in the run's manifest.json" in hosts["h2"]["error"]
    assert "holds evidence of host 'h1'" in hosts["h3"]["error"]
    assert "not listed in the run's manifest.json" in hosts["fw1"]["error"]
    (ev / "manifest.json").unlink()  # without a manifest nothing is trusted
    assert "no manifest.json" in _evaluate_dir(ev)["fw1"]["error"]
    seal(ev)
    assert "'fortios' is not supported" in _evaluate_dir(ev)["fw1"]["error"]


def test_limit_skips_evidence_outside_the_selection(tmp_path: Path) -> None:

    target = tmp_path / "r.json"
    result = CliRunner().invoke(
        cli,
        [
            "evaluate",
            *SAMPLE_EVALUATE,
            "--limit",
            "bkk-hq-r1",
            "-o",
            str(target),
        ],
    )
    assert result.exit_code == 0, result.output
    assert [h["name"] for h in json.loads(target.read_text(encoding="utf-8"))["hosts"]] == ["bkk-hq-r1"]


def test_role_gated_checks_need_a_known_role() -> None:
    from prakan.catalog import load_catalog as lc

    gated = next(c for c in lc().checks.values() if "roles" in c.applies_to and "cisco_ios" in c.platforms)
    res = evaluate_host({"sources": {}}, lc(), HostInfo("r9", "cisco_ios"))
    r = next(r for r in res["results"] if r["check"] == gated.id)
    assert r["status"] == "error" and "role" in r["reason"]


def test_odd_output_does_not_crash_the_run() -> None:
    d = doc(sshd_effective=SSHD_OK + "banner \udc80\n")
    assert statuses(d, HostInfo("h1", "linux"))["LNX-SSH-004"] == "pass"


def test_old_option_spellings_still_work_and_say_what_replaces_them(tmp_path: Path) -> None:
    from prakan.paths import SAMPLE_EVIDENCE

    out = tmp_path / "r.json"
    res = CliRunner().invoke(cli, ["evaluate", "--evidence", str(SAMPLE_EVIDENCE), "-o", str(out), "--max-age", "0"])
    assert res.exit_code == 0, res.output
    assert "--evidence is now --evidence-dir" in res.output and json.loads(out.read_text())["summary"]["hosts"] > 200
    res = CliRunner().invoke(cli, ["checks", "list", "--format", "table", "--platform", "cisco_ios"])
    assert res.exit_code == 0 and "IOS-AAA-001" in res.output


def test_evidence_is_validated_by_its_schema_naming_the_field(tmp_path: Path) -> None:
    import pytest
    from prakan.evidence import EvidenceFormatError, validate

    doc = json.loads((Path(__file__).resolve().parents[2] / "samples" / "evidence" / "bkk-hq-web1.json").read_text())
    assert validate(doc, "ok.json") is doc
    doc["sources"]["sshd_effective"]["rc"] = "0"
    with pytest.raises(EvidenceFormatError, match=r"bad.json: data.sources.sshd_effective.rc must be integer or null"):
        validate(doc, "bad.json")
    doc["sources"]["sshd_effective"]["rc"] = 0
    doc["collector"]["method"] = "telepathy"
    with pytest.raises(EvidenceFormatError, match=r"data.collector.method must be one of"):
        validate(doc, "bad.json")

"""Sharded evaluation: several evidence directories (e.g. AWX job slices) evaluated as one run."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from prakan.evidence import host_files, sha256_file
from prakan.paths import SAMPLE_EVIDENCE, SAMPLE_INVENTORY

PRAKAN = str(Path(sys.executable).parent / "prakan")


def _evaluate(out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PRAKAN, "evaluate", "-i", str(SAMPLE_INVENTORY), "-o", str(out), *args],
        capture_output=True,
        text=True,
        timeout=600,
    )


def _statuses(results: Path) -> dict[tuple[str, str], str]:
    doc = json.loads(results.read_text())
    return {(h["name"], r["check"]): r["status"] for h in doc["hosts"] for r in h["results"]}


def _shard(files: list[Path], directory: Path) -> Path:
    """A shard as a collector writes it: the host files and a manifest listing their SHA-256."""
    directory.mkdir()
    for f in files:
        shutil.copy2(f, directory / f.name)
    manifest = {"kind": "collect", "files": {f.name: sha256_file(directory / f.name) for f in files}}
    (directory / "manifest.json").write_text(json.dumps(manifest))
    return directory


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("whole") / "results.json"
    proc = _evaluate(out, "--evidence-dir", str(SAMPLE_EVIDENCE))
    assert proc.returncode == 0, proc.stderr
    return {"statuses": _statuses(out), "summary": json.loads(out.read_text())["summary"]}


def test_two_shards_equal_the_whole_run(tmp_path: Path, whole: dict[str, Any]) -> None:
    files = list(host_files(SAMPLE_EVIDENCE))
    a = _shard(files[::2], tmp_path / "slice1")
    b = _shard(files[1::2], tmp_path / "slice2")
    out = tmp_path / "results.json"
    proc = _evaluate(out, "--evidence-dir", str(a), "--evidence-dir", str(b))
    assert proc.returncode == 0, proc.stderr
    statuses = _statuses(out)
    assert statuses == whole["statuses"]
    doc = json.loads(out.read_text())
    assert doc["summary"] == whole["summary"]
    assert doc["run"]["evidence_dirs"] == [str(a), str(b)]
    # the switch without evidence is still an error, and the message names both shards
    missing = [h for h in doc["hosts"] if h["error"] and "no evidence file" in h["error"]]
    assert missing and str(a) in missing[0]["error"] and str(b) in missing[0]["error"]


def test_a_shard_missing_hosts_makes_them_errors_not_passes(tmp_path: Path) -> None:
    files = list(host_files(SAMPLE_EVIDENCE))
    a = _shard(files[:100], tmp_path / "slice1")
    out = tmp_path / "results.json"
    proc = _evaluate(out, "--evidence-dir", str(a))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    absent = {f.stem for f in files[100:]}
    by_name = {h["name"]: h for h in doc["hosts"]}
    for name in absent:
        assert by_name[name]["error"], name
        assert "pass" not in by_name[name]["summary"]


def test_a_host_in_two_shards_is_refused_naming_both_files(tmp_path: Path) -> None:
    files = list(host_files(SAMPLE_EVIDENCE))
    a = _shard(files[:60], tmp_path / "slice1")
    b = _shard(files[50:], tmp_path / "slice2")  # ten hosts overlap
    out = tmp_path / "results.json"
    proc = _evaluate(out, "--evidence-dir", str(a), "--evidence-dir", str(b))
    assert proc.returncode != 0
    assert proc.returncode not in (0, 1)
    dup = files[50].name
    assert str(a / dup) in proc.stderr and str(b / dup) in proc.stderr, proc.stderr
    assert "two evidence shards" in proc.stderr
    assert not out.exists()  # nothing half-written


def test_the_same_directory_twice_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    proc = _evaluate(out, "--evidence-dir", str(SAMPLE_EVIDENCE), "--evidence-dir", str(SAMPLE_EVIDENCE) + "/")
    assert proc.returncode not in (0, 1)
    assert "given twice" in proc.stderr
    assert not out.exists()


def test_old_spelling_evidence_still_works(tmp_path: Path, whole: dict[str, Any]) -> None:
    out = tmp_path / "results.json"
    proc = _evaluate(out, "--evidence", str(SAMPLE_EVIDENCE))
    assert proc.returncode == 0, proc.stderr
    assert _statuses(out) == whole["statuses"]
    help_text = subprocess.run([PRAKAN, "evaluate", "--help"], capture_output=True, text=True).stdout
    assert "--evidence-dir" in help_text and "--evidence " not in help_text


def test_no_evidence_dir_is_a_usage_error(tmp_path: Path) -> None:
    proc = _evaluate(tmp_path / "r.json")
    assert proc.returncode not in (0, 1)
    assert "--evidence-dir" in proc.stderr

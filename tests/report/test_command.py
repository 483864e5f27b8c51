"""`prakan report` on bad input (exit 3, the file and the problem named, no partial report), on results
from an older catalog (the difference on the cover), and with a title of its own."""

from __future__ import annotations

import json
from html import unescape
from pathlib import Path

import pytest
from report.support import run

OUTPUTS = ("index.html", "results.csv", "junit.xml", "summary.json")
HEAD = '{"format": "prakan-results", "version": 1, "run": {"checks": {}, "catalog": {}}, "hosts": [\n'


def _no_report(directory: Path) -> None:
    left = sorted(p.name for p in directory.iterdir() if p.name != "results.json")
    assert left == [], left


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "no such results file"),
        ("", "the file is empty"),
        ("not json at all", "not valid JSON"),
        ('{"format": "something-else", "version": 1}', "not a Prakan results file"),
        ('{"format": "prakan-results", "version": 99, "run": {}}', "version 99 is not supported"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (HEAD + '{"name": "h1", "results": [42]}\n], "summary": {}}', "has a result that is not a check result"),
        (HEAD + '{"name": "h1"}\n], "summary": {}}', "has no name or results"),
        (HEAD + '{"name": "h1", "results": []}\n], "organisation": []}', "no closing summary"),
    ],
)
def test_bad_results_are_usage_errors(tmp_path: Path, content: str | bytes | None, problem: str) -> None:
    path = tmp_path / "results.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    res = run("report", str(path))
    assert res.exit_code == 3
    assert str(path) in res.output and problem in res.output
    _no_report(tmp_path)


def test_truncated_results_leave_no_partial_report(sample_results: Path, tmp_path: Path) -> None:
    text = sample_results.read_text(encoding="utf-8")
    for cut in (len(text) // 2, len(text) - 40, text.index("\n") + 5):
        path = tmp_path / "results.json"
        path.write_text(text[:cut], encoding="utf-8")
        res = run("report", str(path))
        assert res.exit_code == 3, res.output
        assert str(path) in res.output and "truncated" in res.output
        _no_report(tmp_path)


def test_failed_run_keeps_the_previous_report(sample_results: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("report", str(sample_results), "-o", str(out), "--generated-at", "2026-01-01T00:00:00Z").exit_code == 0
    before = {n: (out / n).read_bytes() for n in OUTPUTS}
    broken = tmp_path / "results.json"
    broken.write_text(sample_results.read_text(encoding="utf-8")[:-200], encoding="utf-8")
    assert run("report", str(broken), "-o", str(out)).exit_code == 3
    assert {n: (out / n).read_bytes() for n in OUTPUTS} == before
    assert sorted(p.name for p in out.iterdir()) == sorted([*OUTPUTS, "limits"])


def test_bad_generated_at_is_a_usage_error(sample_results: Path, tmp_path: Path) -> None:
    res = run("report", str(sample_results), "-o", str(tmp_path / "o"), "--generated-at", "yesterday")
    assert res.exit_code == 3 and "--generated-at" in res.output


def test_older_catalog_shows_the_difference(sample_results: Path, tmp_path: Path) -> None:
    lines = sample_results.read_text(encoding="utf-8").split("\n")
    head = json.loads(lines[0][: -len(', "hosts": [')] + "}")
    head["run"]["catalog"] = {"version": "0ldc4t4l0g00", "sha256": "0" * 64, "checks": 1}
    head["run"]["checks"]["LNX-OLD-001"] = {
        "title": {"en": "Retired", "th": "เลิกใช้"},
        "severity": "low",
        "kind": "automated",
    }
    del head["run"]["checks"]["LNX-SSH-004"]
    old = tmp_path / "old.json"
    old.write_text(
        json.dumps(head, ensure_ascii=False)[:-1] + ', "hosts": [\n' + "\n".join(lines[1:]), encoding="utf-8"
    )
    res = run("report", str(old), "-o", str(tmp_path / "out"))
    assert res.exit_code == 0, res.output
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    section = html[html.index('id="catalog-diff"') :][:3000]
    assert "0ldc4t4l0g00" in section and "LNX-OLD-001" in section and "LNX-SSH-004" in section


def test_title_and_language(sample_results: Path, tmp_path: Path) -> None:
    res = run("report", str(sample_results), "-o", str(tmp_path), "--lang", "en", "--title", "Audit <FY2570> & co")
    assert res.exit_code == 0 and res.output.strip() == str(tmp_path / "index.html")
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en" class="lang-en">' in html
    assert "Audit &lt;FY2570&gt; &amp; co" in html and "<FY2570>" not in html
    csp = unescape(html[html.index('http-equiv="Content-Security-Policy"') :][:400])
    assert "default-src 'none'" in csp and "script-src 'sha256-" in csp and "unsafe-eval" not in csp


def _junos_inventory(tmp_path: Path) -> Path:
    """A host on a platform no collector supports: it becomes an error host, nothing is contacted."""
    path = tmp_path / "hosts.yml"
    path.write_text("all:\n  hosts:\n    j1:\n      ansible_host: 127.0.0.1\n      prakan_platform: junos\n")
    return path


@pytest.mark.parametrize("no_report", [False, True])
def test_scan_writes_the_report_unless_told_not_to(tmp_path: Path, no_report: bool) -> None:
    from click.testing import CliRunner
    from prakan.cli import cli

    ev = tmp_path / "ev"
    args = [
        "scan",
        "-q",
        "-i",
        str(_junos_inventory(tmp_path)),
        "--evidence-dir",
        str(ev),
        "--known-hosts",
        str(tmp_path / "kh"),
    ] + (["--no-report"] if no_report else [])
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "PRAKAN_REDACTION_KEY": "k" * 64}
    res = CliRunner().invoke(cli, args, env=env)
    assert res.exit_code == 2, res.output  # the host is in error
    assert (ev / "results.json").exists()
    assert all((ev / n).exists() != no_report for n in OUTPUTS)
    if not no_report:
        assert f"report: {ev / 'index.html'}" in res.output
        assert "j1" in json.loads((ev / "summary.json").read_text(encoding="utf-8"))["hosts_not_assessed"]
        # the report's summary.json beside the evidence is not taken for a host's evidence
        again = tmp_path / "again.json"
        run("evaluate", "--evidence", str(ev), "-o", str(again))
        assert [h["name"] for h in json.loads(again.read_text(encoding="utf-8"))["hosts"]] == ["j1"]


def test_results_without_hosts(tmp_path: Path) -> None:
    (tmp_path / "ev").mkdir()
    results = tmp_path / "results.json"
    run("evaluate", "--evidence-dir", str(tmp_path / "ev"), "-o", str(results))
    res = run("report", str(results))
    assert res.exit_code == 0, res.output
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["hosts"] == 0 and summary["totals"]["pass"] == 0
    assert len(summary["frameworks"]["iso27001_2022"]) == 93

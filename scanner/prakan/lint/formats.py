"""Render findings for people and for CI: text, json, SARIF 2.1.0, JUnit XML, GitHub annotations."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from xml.etree import ElementTree as ET

from prakan import __version__
from prakan.lint.findings import RULES, Finding, Rule, Severity

TOOL = "prakan-lint"
SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
GITHUB_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def summary(findings: Sequence[Finding]) -> dict[str, int]:
    counts = {s.value: 0 for s in Severity}
    for f in findings:
        counts[f.severity.value] += 1
    return counts


def text(findings: Sequence[Finding], lang: str) -> str:
    return "".join(f"{f.file}:{f.line}:{f.col}: {f.severity.value} {f.rule_id} {f.message(lang)}\n" for f in findings)


def as_json(findings: Sequence[Finding], lang: str) -> str:
    doc = {
        "tool": TOOL,
        "version": __version__,
        "summary": summary(findings),
        "findings": [
            {
                "rule": f.rule_id,
                "name": f.rule.name,
                "severity": f.severity.value,
                "file": f.file,
                "line": f.line,
                "column": f.col,
                "message": f.message("en"),
                "message_th": f.message("th"),
            }
            for f in findings
        ],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _uri(file: str) -> dict[str, str]:
    """Repository-relative URIs are what code scanning matches against the checkout."""
    path = Path(file)
    if path.is_absolute():
        return {"uri": path.as_uri()}
    return {"uri": path.as_posix(), "uriBaseId": "%SRCROOT%"}


def _fingerprint(f: Finding) -> str:
    # no line number: an alert survives lines being inserted above it
    return hashlib.sha256(f"{f.rule_id}|{f.file}|{f.message('en')}".encode()).hexdigest()[:32]


def _sarif_rule(rule: Rule) -> dict[str, object]:
    example = next(iter(rule.messages.values()))[0]
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.title_en},
        "fullDescription": {"text": f"{rule.title_en} ({rule.title_th})"},
        "help": {
            "text": rule.help_en,
            "markdown": f"**{rule.title_en}** ({rule.title_th})\n\n{rule.help_en}\n\nMessage: `{example}`\n\n"
            "See docs/lint-rules.md.",
        },
        "defaultConfiguration": {"level": SARIF_LEVEL[rule.severity]},
        "properties": {
            "tags": ["inventory", "ansible", "prakan"],
            "precision": "very-high",
            "problem.severity": rule.severity.value if rule.severity != Severity.INFO else "recommendation",
            "title_th": rule.title_th,
        },
    }


def sarif(findings: Sequence[Finding], lang: str) -> str:
    ids = list(RULES)
    results = [
        {
            "ruleId": f.rule_id,
            "ruleIndex": ids.index(f.rule_id),
            "level": SARIF_LEVEL[f.severity],
            "message": {"text": f.message(lang)},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": _uri(f.file),
                        "region": {"startLine": f.line, "startColumn": f.col},
                    }
                }
            ],
            "partialFingerprints": {"prakanFindingHash/v1": _fingerprint(f)},
        }
        for f in findings
    ]
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL,
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [_sarif_rule(RULES[i]) for i in ids],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def junit(findings: Sequence[Finding], lang: str, strict: bool = False) -> str:
    """One testcase per rule; a rule with error findings (or warnings under --strict) fails."""
    suite = ET.Element("testsuite", name=TOOL)
    failures = 0
    for rule in RULES.values():
        mine = [f for f in findings if f.rule_id == rule.id]
        case = ET.SubElement(
            suite, "testcase", classname=f"{TOOL}.{rule.name}", name=f"{rule.id} {rule.title_en}", time="0"
        )
        if not mine:
            continue
        body = text(mine, lang)
        if rule.severity == Severity.ERROR or (strict and rule.severity == Severity.WARNING):
            failures += 1
            first = mine[0]
            failure = ET.SubElement(
                case,
                "failure",
                message=f"{len(mine)} finding(s), first at {first.file}:{first.line}",
                type=rule.severity.value,
            )
            failure.text = body
        else:
            ET.SubElement(case, "system-out").text = body
    suite.set("tests", str(len(RULES)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", "0")
    suite.set("time", "0")
    root = ET.Element("testsuites", name=TOOL, tests=str(len(RULES)), failures=str(failures), errors="0")
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _gh_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(value: str) -> str:
    return _gh_data(value).replace(":", "%3A").replace(",", "%2C")


def github(findings: Sequence[Finding], lang: str) -> str:
    """Workflow commands: GitHub turns them into annotations on the changed files."""
    return "".join(
        f"::{GITHUB_COMMAND[f.severity]} file={_gh_prop(f.file)},line={f.line},col={f.col},"
        f"title={f.rule_id}::{_gh_data(f.message(lang))}\n"
        for f in findings
    )


FORMATS: dict[str, Callable[..., str]] = {
    "text": text,
    "json": as_json,
    "sarif": sarif,
    "junit": junit,
    "github": github,
}

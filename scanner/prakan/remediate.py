"""From a scan's results, the `ansible-playbook` runs that fix what failed.

Every automated check names, in its remediation, the tags of the playbook tasks that fix it
(`ansible_tags`); a check that must not be automated says why (`not_automated`). A plan has one
run per platform playbook and per set of failing checks: hosts that failed the same checks share a
run (`--limit` the hosts, `--tags` the checks). When that would give more than `max_runs` runs for
one playbook, the hosts are merged into one run with every tag: the tasks are idempotent and skip
what is waived or turned off, so a host only changes for what it fails. Results that no playbook
should touch are listed with the reason: waived, not automated, or unknown (`error`: scan again).
"""

from __future__ import annotations

import json
import shlex
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from prakan.catalog import Check

PLAYBOOKS = {"linux": "playbooks/harden_linux.yml", "cisco_ios": "playbooks/harden_ios.yml"}
MAX_RUNS = 5


class ResultsError(ValueError):
    """The results file cannot be used; the message names the file."""


def fix_kind(check: Check) -> str:
    """`playbook`, `by-hand` (not automated, with a reason in the catalog) or `-` (manual checks)."""
    rem = check.remediation or {}
    if rem.get("ansible_tags"):
        return "playbook"
    if rem.get("not_automated"):
        return "by-hand"
    return "-"


@dataclass
class Run:
    playbook: str
    hosts: list[str]
    tags: list[str]
    command: str = ""


@dataclass
class Skipped:
    host: str
    check: str
    status: str
    reason: str


@dataclass
class Plan:
    results: str
    runs: list[Run] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": "prakan-remediation",
            "version": 1,
            "results": self.results,
            "runs": [asdict(r) for r in self.runs],
            "skipped": [asdict(s) for s in self.skipped],
        }


def load_results(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ResultsError(f"{path}: no such file") from None
    except OSError as exc:
        raise ResultsError(f"{path}: cannot read: {exc.strerror}") from exc
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ResultsError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from exc
    if not isinstance(doc, dict) or doc.get("format") != "prakan-results":
        raise ResultsError(f"{path}: not a Prakan results file (format prakan-results), e.g. from `prakan evaluate`")
    if not isinstance(doc.get("hosts"), list) or not isinstance(doc.get("run", {}).get("checks", {}), dict):
        raise ResultsError(f"{path}: malformed results: `hosts` must be a list and `run.checks` a mapping")
    return doc


def _why_by_hand(rem: Mapping[str, Any], lang: str) -> str:
    reason = rem.get("not_automated") or {}
    text = reason.get(lang) or reason.get("en") if isinstance(reason, Mapping) else None
    return f"not automated: {text}" if text else "no playbook task fixes it in the catalog of this scan"


def plan(
    doc: Mapping[str, Any],
    results_path: str,
    inventory: str,
    lang: str = "en",
    max_runs: int = MAX_RUNS,
    playbooks: Mapping[str, str] = PLAYBOOKS,
) -> Plan:
    """The runs that fix the failing checks of `doc` (a results document), and what is left alone."""
    checks: Mapping[str, Any] = doc["run"].get("checks", {})
    out = Plan(results=results_path)
    wanted: dict[str, dict[str, set[str]]] = defaultdict(dict)  # playbook -> host -> tags
    for host in doc["hosts"]:
        name, platform = str(host.get("name")), str(host.get("platform"))
        if host.get("error"):
            out.skipped.append(Skipped(name, "*", "error", f"host was not assessed ({host['error']}): scan it again"))
            continue
        for res in host.get("results", []):
            status, check = res.get("status"), str(res.get("check"))
            rem = (checks.get(check) or {}).get("remediation") or {}
            if status == "waived":
                w = res.get("waiver") or {}
                out.skipped.append(
                    Skipped(name, check, status, f"waived until {w.get('expires', '?')} ({w.get('where', '?')})")
                )
            elif status == "error":
                out.skipped.append(
                    Skipped(name, check, status, "unknown: the evidence was missing or unreadable; scan again")
                )
            elif status == "fail":
                tags = rem.get("ansible_tags") or []
                if not tags:
                    out.skipped.append(Skipped(name, check, status, _why_by_hand(rem, lang)))
                elif platform not in playbooks:
                    out.skipped.append(Skipped(name, check, status, f"no hardening playbook for platform {platform}"))
                else:
                    wanted[playbooks[platform]].setdefault(name, set()).update(tags)
    for playbook in sorted(wanted):
        out.runs += _group(playbook, wanted[playbook], max_runs)
    for run in out.runs:
        run.command = command(run, inventory)
    return out


def _group(playbook: str, hosts: Mapping[str, set[str]], max_runs: int) -> list[Run]:
    by_tags: dict[frozenset[str], list[str]] = defaultdict(list)
    for host, tags in hosts.items():
        by_tags[frozenset(tags)].append(host)
    if len(by_tags) > max_runs:
        every = sorted(set().union(*hosts.values()))
        return [Run(playbook, sorted(hosts), every)]
    runs = [Run(playbook, sorted(h), sorted(t)) for t, h in by_tags.items()]
    return sorted(runs, key=lambda r: (-len(r.hosts), r.tags))


def command(run: Run, inventory: str) -> str:
    return shlex.join(
        [
            "ansible-playbook",
            "-i",
            inventory,
            run.playbook,
            "--limit",
            ",".join(run.hosts),
            "--tags",
            ",".join(run.tags),
        ]
    )


def render_text(p: Plan, lang: str = "en") -> str:
    lines: list[str] = []
    if not p.runs:
        lines.append("Nothing for the playbooks to fix.")
    else:
        lines.append(
            f"{len(p.runs)} playbook run(s) fix the failing automated checks. Try each with --check --diff first:"
        )
        for r in p.runs:
            lines.append("")
            lines.append(f"# {len(r.hosts)} host(s), {len(r.tags)} check(s)")
            lines.append(r.command)
    if p.skipped:
        lines.append("")
        lines.append(f"Left alone ({len(p.skipped)}):")
        for s in sorted(p.skipped, key=lambda s: (s.status, s.host, s.check)):
            lines.append(f"  {s.host}  {s.check}  [{s.status}] {s.reason}")
    return "\n".join(lines) + "\n"


def count_by_status(skipped: Iterable[Skipped]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for s in skipped:
        counts[s.status] += 1
    return dict(counts)

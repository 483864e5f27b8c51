"""`prakan checks`: list, show, test and map the control catalog."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from prakan.checktest import run_all
from prakan.commands.common import UsageFailure, catalog_option, catalog_or_fail, lang_option
from prakan.coverage import coverage, unknown_refs

# "table" is the old spelling of "text", kept for one release
fmt_option = click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "table"]), default="text", show_default=True
)


@click.group()
def checks() -> None:
    """List, show, test and map the control catalog."""


@checks.command("list")
@click.option("--platform", help="Only checks for this platform (linux, cisco_ios, organisation).")
@click.option("--framework", help="Only checks citing this framework (iso27001_2022, ncsa_cop_2564, ...).")
@click.option("--kind", type=click.Choice(["automated", "manual"]))
@fmt_option
@catalog_option
@lang_option
def list_checks(
    platform: str | None, framework: str | None, kind: str | None, fmt: str, catalog_path: Path | None, lang: str
) -> None:
    """List checks, one per line: id, severity, kind, platforms, fix, title.

    The fix column says how a failing check is fixed: `playbook` (the hardening playbooks carry a task
    tagged with the check id: `--tags ID`), `by-hand` (the catalog says why it is not automated: a
    reboot, a secret, an organisational decision, a risk of cutting access) or `-` (manual checks).
    """
    from prakan.remediate import fix_kind

    cat = catalog_or_fail(catalog_path)
    rows = [
        c
        for c in sorted(cat.checks.values(), key=lambda c: c.id)
        if (not platform or platform in c.platforms)
        and (not framework or framework in c.refs)
        and (not kind or c.kind == kind)
    ]
    if fmt == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "id": c.id,
                        "kind": c.kind,
                        "severity": c.severity,
                        "platforms": list(c.platforms),
                        "fix": fix_kind(c),
                        "title": dict(c.title),
                        "refs": c.refs,
                    }
                    for c in rows
                ],
                ensure_ascii=False,
                indent=1,
            )
        )
        return
    for c in rows:
        fix = fix_kind(c)
        click.echo(f"{c.id:<13} {c.severity:<8} {c.kind:<9} {','.join(c.platforms):<12} {fix:<8} {c.title[lang]}")
    click.echo(f"{len(rows)} checks", err=True)


@checks.command("show")
@click.argument("check_id")
@fmt_option
@catalog_option
def show(check_id: str, fmt: str, catalog_path: Path | None) -> None:
    """Show one check in full (its YAML file as written, or JSON), with the commands it reads."""
    cat = catalog_or_fail(catalog_path)
    check = cat.checks.get(check_id.upper())
    if check is None:
        raise UsageFailure(f"no check {check_id!r}; try `prakan checks list`")
    commands = {src: cat.sources[src].command for src in sorted(check.sources_used())}
    if fmt == "json":
        click.echo(
            json.dumps(dict(check.raw) | {"evidence_commands": commands}, ensure_ascii=False, indent=1, default=str)
        )
        return
    shown = check.path.relative_to(cat.root.parent) if check.path.is_relative_to(cat.root.parent) else check.path
    click.echo(f"# {shown}")
    click.echo(check.path.read_text(encoding="utf-8").rstrip())
    for src, command in commands.items():
        click.echo(f"# evidence source {src}: `{command}`")


@checks.command("test")
@click.argument("check_ids", nargs=-1)
@click.option("--platform", help="Only checks for this platform.")
@click.option("-v", "--verbose", is_flag=True, help="Print every sample, not only failures.")
@fmt_option
@catalog_option
def test(check_ids: tuple[str, ...], platform: str | None, verbose: bool, fmt: str, catalog_path: Path | None) -> None:
    """Run every check's embedded pass/fail/error samples; exit 1 if any sample disagrees."""
    cat = catalog_or_fail(catalog_path)
    wanted = [
        c
        for c in cat.checks.values()
        if c.kind == "automated"
        and (not check_ids or c.id in {i.upper() for i in check_ids})
        and (not platform or platform in c.platforms)
    ]
    if check_ids and not wanted:
        raise UsageFailure(f"no automated check among {', '.join(check_ids)}")
    results = run_all(cat, wanted)
    bad = [r for r in results if not r.ok]
    problems = unknown_refs(cat)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "samples": [
                        {
                            "check": r.check,
                            "expected": r.expected,
                            "index": r.index,
                            "got": r.got,
                            "name": r.name,
                            "ok": r.ok,
                            "detail": r.detail,
                        }
                        for r in results
                    ],
                    "reference_problems": problems,
                },
                ensure_ascii=False,
                indent=1,
            )
        )
        sys.exit(1 if bad or problems else 0)
    for r in results:
        if verbose or not r.ok:
            mark = "ok  " if r.ok else "FAIL"
            label = f"#{r.index}" + (f" ({r.name})" if r.name else "")
            click.echo(
                f"{mark} {r.check} {r.expected} sample {label}: got {r.got}" + ("" if r.ok else f" ({r.detail})")
            )
    for p in problems:
        click.echo(f"FAIL {p}")
    click.echo(f"{len(results) - len(bad)} passed, {len(bad)} failed ({len(wanted)} checks, {len(results)} samples)")
    if bad or problems:
        sys.exit(1)


@checks.command("coverage")
@click.option("--framework", help="Only this framework (iso27001_2022, ncsa_cop_2564, ...).")
@click.option("--status", type=click.Choice(["automated", "manual", "not_covered"]), help="Only clauses in this state.")
@fmt_option
@catalog_option
@lang_option
def coverage_cmd(framework: str | None, status: str | None, fmt: str, catalog_path: Path | None, lang: str) -> None:
    """For every framework clause: the automated and manual checks behind it, or `not_covered`."""
    cat = catalog_or_fail(catalog_path)
    if framework and framework not in cat.frameworks:
        raise UsageFailure(f"unknown framework {framework!r} (known: {', '.join(sorted(cat.frameworks))})")
    rows = [r for r in coverage(cat, framework) if not status or r.status == status]
    if fmt == "json":
        click.echo(json.dumps([r.to_json() for r in rows], ensure_ascii=False, indent=1))
        return
    width = max((len(r.id) for r in rows), default=8)
    for r in rows:
        checks_txt = ", ".join(r.automated + r.manual) or "-"
        title = (r.title.get(lang) or r.title.get("en", ""))[:50]
        click.echo(f"{r.framework:<17} {r.id:<{width}} {r.status:<12} {title:<50} {checks_txt}")
    totals: dict[str, int] = {}
    for r in rows:
        totals[r.status] = totals.get(r.status, 0) + 1
    click.echo(", ".join(f"{k}: {v}" for k, v in sorted(totals.items())), err=True)

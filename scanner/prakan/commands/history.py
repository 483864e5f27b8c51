"""`prakan history`, `prakan diff` and `prakan incident`: what changed since last night, and the NCSA forms.

Exit status (the one table all commands share): 0 ok; 1 `diff --fail-on-regression` found regressions;
3 usage error (a corrupt or foreign database, an unknown results format, results of another
organisation, an unknown run or candidate). A database is never overwritten.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from prakan.commands.common import UsageFailure, history_option


def usage(message: str) -> UsageFailure:
    return UsageFailure(message)


format_text_json = click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
lang_option = click.option(
    "--lang", type=click.Choice(["en", "th"]), default="en", show_default=True, help="Language of text output."
)
output_option = click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write to this file instead of standard output.",
)
inventory_option = click.option(
    "-i",
    "--inventory",
    "inventory_path",
    type=click.Path(path_type=Path),
    help="Ansible inventory for sites, owners and change windows (default: $PRAKAN_INVENTORY, else ./inventory, "
    "if it exists).",
)


@contextmanager
def opened(path: Path | None, create: bool = False) -> Iterator[Any]:
    """The history database, with every database problem a usage error naming the file."""
    from prakan.history.store import HistoryError, default_path, open_history

    path = path or default_path()
    try:
        history = open_history(path, create=create)
    except HistoryError as exc:
        raise usage(str(exc)) from exc
    try:
        yield history
    except HistoryError as exc:
        raise usage(str(exc)) from exc
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc) and "busy" not in str(exc):
            raise usage(
                f"{path}: the history database is damaged or unreadable ({exc}); it was left as it is. "
                "Restore it from a backup, or give another file with --history"
            ) from exc
        raise usage(
            f"{path}: the history database stayed locked by another prakan for too long ({exc}); try again"
        ) from exc
    except sqlite3.DatabaseError as exc:
        raise usage(
            f"{path}: the history database is damaged ({exc}); it was left as it is. Restore it from a "
            "backup, or give another file with --history"
        ) from exc
    finally:
        history.close()


def emit(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    from prakan.evidence import atomic_write

    try:
        atomic_write(output, text.encode("utf-8"))
    except OSError as exc:
        raise usage(f"cannot write {output}: {exc.strerror or exc}") from exc
    click.echo(f"wrote {output}", err=True)


def load_inventory_opt(path: Path | None) -> Any | None:
    """The inventory when given, else the default one if it exists (forms and windows need it; diffs do not)."""
    from prakan.commands.common import inventory_or_fail

    explicit = path is not None or bool(os.environ.get("PRAKAN_INVENTORY"))
    path = path or Path(os.environ.get("PRAKAN_INVENTORY") or "inventory")
    if not explicit and not path.exists():
        click.echo(
            f"note: no inventory at {path}: sites, owners and change windows are left blank (-i INVENTORY)", err=True
        )
        return None
    try:
        return inventory_or_fail(path)
    except UsageFailure as exc:
        raise usage(exc.message) from exc


def record_results(history: Any, results_path: Path, evidence_dir: Path | None) -> Any:
    """Record one results.json; prints the outcome and what changed since the run before."""
    from prakan.history.diff import compute_diff
    from prakan.history.store import HistoryError, read_results

    try:
        results = read_results(results_path)
        outcome = history.record(results, evidence_dir, results_path.resolve())
    except HistoryError as exc:
        raise usage(str(exc)) from exc
    for notice in outcome.notices[:20]:
        click.echo(f"note: {notice}", err=True)
    if len(outcome.notices) > 20:
        click.echo(f"note: ... and {len(outcome.notices) - 20} more", err=True)
    if outcome.new:
        line = f"recorded run {outcome.run.id} in {history.path}"
        prev = history.previous_run(outcome.run.id)
        if prev is not None:
            c = compute_diff(history, prev, outcome.run).counts()
            line += (
                f"; since run {prev.id}: {c['regressions']} regression(s), {c['fixes']} fix(es), "
                f"{c['new_errors']} new error(s), {c['hosts_appeared']} host(s) appeared, "
                f"{c['hosts_vanished']} vanished, {c['sources_changed']} source(s) changed "
                f"(prakan diff; prakan incident candidates)"
            )
        click.echo(line, err=True)
    return outcome


# ------------------------------------------------------------------------------------------------ history


@click.group()
def history() -> None:
    """The run history: record runs and list them (`prakan scan` records each run itself)."""


@history.command("record")
@click.argument("results", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@history_option()
@click.option(
    "--evidence-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="The run's evidence (default: as recorded in results.json, else beside it).",
)
def history_record(results: Path, history_path: Path | None, evidence_dir: Path | None) -> None:
    """Record RESULTS (a results.json from `prakan evaluate`) in the history. Recording it twice does nothing."""
    with opened(history_path, create=True) as h:
        record_results(h, results, evidence_dir)


@history.command("list")
@history_option()
@click.option("-n", "--last", type=click.IntRange(min=1), help="Only the last N runs.")
@format_text_json
def history_list(history_path: Path | None, last: int | None, fmt: str) -> None:
    """The recorded runs, oldest first."""
    with opened(history_path) as h:
        runs = h.runs(last)
        if fmt == "json":
            click.echo(json.dumps([r.to_json() for r in runs], ensure_ascii=False, indent=1))
            return
        click.echo(
            f"{'run':>4}  {'collected':<20}  {'hosts':>6} {'error':>6}  {'pass':>7} {'fail':>7} {'err':>6}"
            f" {'waived':>6}  drift"
        )
        for r in runs:
            b = r.by_status
            click.echo(
                f"{r.id:>4}  {r.when:<20}  {r.hosts:>6} {r.hosts_in_error:>6}  {b.get('pass', 0):>7} "
                f"{b.get('fail', 0):>7} {b.get('error', 0):>6} {b.get('waived', 0):>6}  "
                f"{'yes' if r.sources_recorded else 'no'}"
            )


# ------------------------------------------------------------------------------------------------ diff


@click.command("diff")
@click.argument("old", type=int, required=False)
@click.argument("new", type=int, required=False)
@history_option()
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True)
@click.option("--fail-on-regression", is_flag=True, help="Exit 1 when a check regressed or a waiver expired.")
@click.option(
    "-U",
    "--context",
    "context_lines",
    type=click.IntRange(min=0),
    default=2,
    show_default=True,
    help="Lines of context in configuration diffs.",
)
@output_option
@lang_option
def diff(
    old: int | None,
    new: int | None,
    history_path: Path | None,
    fmt: str,
    fail_on_regression: bool,
    context_lines: int,
    output: Path | None,
    lang: str,
) -> None:
    """What changed between run OLD and run NEW (default: the last two runs; one number: that run and the one
    before): regressions, fixes, new errors and recoveries, hosts that appeared or vanished, waivers that
    expired, and the configuration drift of each host as a unified diff of the redacted text.

    \b
    Exit status: 0; 1 with --fail-on-regression when something regressed; 3 usage error.
    """
    from prakan.history.diff import compute_diff, render_text, resolve_runs

    with opened(history_path) as h:
        o, n = resolve_runs(h, old, new)
        d = compute_diff(h, o, n, context_lines)
        if fmt == "json":
            emit(json.dumps(d.to_json(), ensure_ascii=False, indent=1) + "\n", output)
        elif fmt == "html":
            from prakan.history.forms import _env

            emit(_env().get_template("diff.html.j2").render(d=d.to_json()), output)
        else:
            emit(render_text(d, lang), output)
    if fail_on_regression and d.has_regressions:
        raise SystemExit(1)


# ------------------------------------------------------------------------------------------------ incidents


def _windows(inventory: Any | None) -> dict[str, Any]:
    from prakan.history.incidents import parse_windows
    from prakan.history.store import HistoryError

    if inventory is None:
        return {}
    out = {}
    for name, host in inventory.hosts.items():
        value = host.vars.get("prakan_change_windows")
        if value is not None:
            try:
                out[name] = parse_windows(value, f"{inventory.path}: host {name}")
            except HistoryError as exc:
                raise usage(str(exc)) from exc
    return out


def candidates_for(h: Any, old: int | None, new: int | None, inventory: Any | None) -> list[Any]:
    from prakan.history.diff import compute_diff, resolve_runs
    from prakan.history.incidents import candidates_from_diff

    o, n = resolve_runs(h, old, new)
    d = compute_diff(h, o, n)
    platforms = {x: (h.host_at(x, n.id) or {}).get("platform") for x in {c.host for c in d.drift}}
    return candidates_from_diff(d, platforms, _windows(inventory))


def resolve_candidates(h: Any, ids: tuple[str, ...], inventory: Any | None) -> list[Any]:
    import re

    out = []
    cache: dict[int, list[Any]] = {}
    for cid in ids:
        m = re.fullmatch(r"C?(\d+)-(\d+)", cid.strip(), re.I)
        if not m:
            raise usage(f"{cid!r} is not a candidate id (C<run>-<n>, as `prakan incident candidates` lists them)")
        run = int(m.group(1))
        if run not in cache:
            if h.run(run) is None or h.previous_run(run) is None:
                raise usage(f"{h.path}: no candidate {cid}: run {run} is not recorded or has no run before it")
            cache[run] = candidates_for(h, None, run, inventory)
        found = [c for c in cache[run] if c.id == f"C{run}-{m.group(2)}"]
        if not found:
            raise usage(f"{h.path}: no candidate {cid} (run {run} has {len(cache[run])})")
        out.append(found[0])
    return out


@click.group()
def incident() -> None:
    """Incident candidates from the history, NCSA form drafts (ก1, ก2), the register and form ก3."""


@incident.command("candidates")
@click.argument("old", type=int, required=False)
@click.argument("new", type=int, required=False)
@history_option()
@inventory_option
@format_text_json
@lang_option
def incident_candidates(
    old: int | None, new: int | None, history_path: Path | None, inventory_path: Path | None, fmt: str, lang: str
) -> None:
    """Changes between two runs (default: the last two) that may be incidents: accounts, firewall/ACL and
    routing lines, logging or NTP turned off or pointed elsewhere, AAA, critical/high regressions, and
    configuration changed outside the inventory's change windows."""
    from prakan.history.incidents import KINDS

    inventory = load_inventory_opt(inventory_path)
    with opened(history_path) as h:
        cands = candidates_for(h, old, new, inventory)
    if fmt == "json":
        click.echo(json.dumps([c.to_json() for c in cands], ensure_ascii=False, indent=1))
        return
    if not cands:
        click.echo("ไม่พบเหตุที่ควรตรวจสอบ" if lang == "th" else "no incident candidates")
        return
    for c in cands:
        what = KINDS[c.kind][lang]
        click.echo(f"{c.id:<8} {c.host:<20} {c.site or '-':<10} {what}")
        click.echo(f"         {c.summary}")
        click.echo(
            f"         window {c.window_from} .. {c.window_to}; suggested categories "
            f"{', '.join(map(str, c.categories))}"
        )
        for e in c.evidence:
            click.echo(f"         {e.source} {(e.old_sha256 or '-')[:12]} -> {(e.new_sha256 or '-')[:12]}")
            for ln in e.removed[:8]:
                click.echo(f"           - {ln}")
            for ln in e.added[:8]:
                click.echo(f"           + {ln}")
    click.echo(f"\ndraft the NCSA forms: prakan incident draft {cands[0].id} [more ids] -o draft.html")


@incident.command("draft")
@click.argument("candidate_ids", nargs=-1, required=True, metavar="CANDIDATE...")
@history_option()
@inventory_option
@click.option("--format", "fmt", type=click.Choice(["html", "json"]), default="html", show_default=True)
@output_option
def incident_draft(
    candidate_ids: tuple[str, ...],
    history_path: Path | None,
    inventory_path: Path | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Draft forms ก1 (initial notice) and ก2 (report) for one incident made of CANDIDATE ids, filled as far
    as a scan can know; everything else is blank and marked for a person. Prints the 24-hour deadline."""
    from prakan.history.forms import build_draft, render_draft_html

    inventory = load_inventory_opt(inventory_path)
    with opened(history_path) as h:
        cands = resolve_candidates(h, candidate_ids, inventory)
        draft = build_draft(h, cands, inventory)
    if fmt == "json":
        emit(json.dumps(draft, ensure_ascii=False, indent=1) + "\n", output)
    else:
        emit(render_draft_html(draft), output)
    dl = draft["deadline"]
    click.echo(
        f"detected {dl['detected_at']}; form ก2 due by {dl['k2_due']} ({dl['k2_due_th']}); "
        f"{len(draft['for_a_person'])} field(s) left for a person",
        err=True,
    )


def _categories(values: tuple[str, ...]) -> list[int] | None:
    if not values:
        return None
    out = []
    for v in values:
        for part in v.split(","):
            try:
                out.append(int(part))
            except ValueError:
                raise usage(f"incident category {part!r} is not a number 0-9") from None
    return out


level_choice = click.Choice(["non_critical", "critical", "crisis_a", "crisis_b", "undetermined"])
asset_choice = click.Choice(["server", "workstation", "network", "website", "other"])


@incident.command("open")
@click.option("--candidate", "candidate_ids", multiple=True, help="Candidate id(s) this incident is made of.")
@click.option("--title", help="Short title (default: from the candidates).")
@click.option("--detected-at", help="Detection time, ISO 8601 (default: the scan that found the candidates).")
@click.option("--category", "categories", multiple=True, help="Incident category 0-9 (repeat, or 2,5).")
@click.option("--level", type=level_choice, default="undetermined", show_default=True, help="Threat level (s.60).")
@click.option("--asset-type", type=asset_choice, help="Form ก3 asset type (default: from the hosts).")
@history_option()
@inventory_option
def incident_open(
    candidate_ids: tuple[str, ...],
    title: str | None,
    detected_at: str | None,
    categories: tuple[str, ...],
    level: str,
    asset_type: str | None,
    history_path: Path | None,
    inventory_path: Path | None,
) -> None:
    """Open an incident in the register (from candidates, or by hand with --title and --detected-at)."""
    from prakan.history.forms import asset_type_of
    from prakan.history.incidents import open_incident

    with opened(history_path) as h:
        cands = resolve_candidates(h, candidate_ids, None) if candidate_ids else []
        if not cands and not (title and detected_at):
            raise usage("give --candidate ID, or --title and --detected-at")
        hosts = list(dict.fromkeys(c.host for c in cands))
        if detected_at is None:
            detected_at = max(h.run(c.run).started_at for c in cands)
        if title is None:
            title = "; ".join(c.summary for c in cands)[:200]
        if asset_type is None:
            types = [
                asset_type_of(*(lambda s: (s.get("platform"), s.get("role")))(h.host_at(x, cands[0].run) or {}))
                for x in hosts
            ]
            asset_type = max(set(types), key=types.count) if types else "other"
        cats = _categories(categories) or sorted({n for c in cands for n in c.categories}) or [8]
        inc = open_incident(h, title, detected_at, cats, level, asset_type, hosts, [c.to_json() for c in cands])
    click.echo(f"opened {inc.ref}: {inc.title}")
    click.echo(f"detected {inc.detected_at}; form ก2 due by {inc.deadline}")


@incident.command("update")
@click.argument("ref")
@click.option("--status", type=click.Choice(["open", "investigating", "contained"]))
@click.option("--level", type=level_choice, help="Threat level (s.60).")
@click.option("--category", "categories", multiple=True, help="Replace the categories (0-9).")
@click.option("--asset-type", type=asset_choice)
@click.option("--note", help="What happened (kept with the time in the register).")
@history_option()
def incident_update(
    ref: str,
    status: str | None,
    level: str | None,
    categories: tuple[str, ...],
    asset_type: str | None,
    note: str | None,
    history_path: Path | None,
) -> None:
    """Update incident REF (status, threat level, categories, a note)."""
    from prakan.history.incidents import update_incident

    with opened(history_path) as h:
        inc = update_incident(h, ref, status, level, _categories(categories), asset_type, note)
    click.echo(f"{inc.ref}: {inc.status}, level {inc.threat_level}, categories {inc.categories}")


@incident.command("close")
@click.argument("ref")
@click.option("--note", help="How it ended (kept in the register).")
@click.option("--at", "at", help="When it ended, ISO 8601 (default: now).")
@history_option()
def incident_close(ref: str, note: str | None, at: str | None, history_path: Path | None) -> None:
    """Close incident REF."""
    from prakan.history.incidents import update_incident

    with opened(history_path) as h:
        inc = update_incident(h, ref, note=note, at=at, close=True)
    click.echo(f"closed {inc.ref} at {inc.closed_at}")


@incident.command("list")
@click.option("--year", type=int, help="Only incidents detected in this year (Buddhist or Common Era).")
@history_option()
@format_text_json
def incident_list(year: int | None, history_path: Path | None, fmt: str) -> None:
    """The incident register."""
    from prakan.history.incidents import common_era, list_incidents
    from prakan.history.store import HistoryError

    try:
        ce = common_era(year) if year is not None else None
    except HistoryError as exc:
        raise usage(str(exc)) from exc
    with opened(history_path) as h:
        incs = list_incidents(h, ce)
    if fmt == "json":
        click.echo(json.dumps([i.to_json() for i in incs], ensure_ascii=False, indent=1))
        return
    for i in incs:
        click.echo(
            f"{i.ref}  {i.status:<13} {i.threat_level:<12} cat {','.join(map(str, i.categories)):<6} "
            f"{i.asset_type:<8} detected {i.detected_at}  {i.title}"
        )


@incident.command("annual")
@click.option("--year", type=int, required=True, help="The year (Buddhist Era 2569 or Common Era 2026).")
@history_option()
@inventory_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True)
@output_option
def incident_annual(
    year: int, history_path: Path | None, inventory_path: Path | None, fmt: str, output: Path | None
) -> None:
    """Form ก3: the year's incidents counted by category, asset type and threat level (due 31 January)."""
    from prakan.history.forms import render_annual_html
    from prakan.history.incidents import ASSET_TYPES, CATEGORIES, THREAT_LEVELS, annual_summary

    with opened(history_path) as h:
        s = annual_summary(h, year)
    if fmt == "json":
        emit(json.dumps(s, ensure_ascii=False, indent=1) + "\n", output)
    elif fmt == "html":
        inventory = load_inventory_opt(inventory_path)
        org = dict(inventory.org.get("prakan_org") or {}) if inventory is not None else {}
        emit(render_annual_html(s, org), output)
    else:
        lines = [
            f"form ก3, year {s['year']['be']} BE ({s['year']['ce']} CE): {s['incidents']} incident(s), "
            f"due {s['due']}" + (f"; {s['open']} still open" if s["open"] else ""),
            "by category:",
        ]
        lines += [f"  {k} {CATEGORIES[int(k)]:<32} {v:>4}" for k, v in s["by_category"].items()]
        lines += ["by asset type:"] + [f"  {ASSET_TYPES[k]['en']:<34} {v:>4}" for k, v in s["by_asset_type"].items()]
        lines += ["by threat level:"] + [
            f"  {THREAT_LEVELS[k]['en']:<34} {v:>4}" for k, v in s["by_threat_level"].items()
        ]
        emit("\n".join(lines) + "\n", output)

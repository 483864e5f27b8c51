"""`prakan evaluate`: evidence + catalog (+ inventory) -> results.json, offline."""

from __future__ import annotations

from pathlib import Path

import click

from prakan.commands.common import (
    UsageFailure,
    catalog_option,
    catalog_or_fail,
    evaluate_to,
    inventory_or_fail,
    summary_line,
    waivers_or_fail,
)

_EVIDENCE_DIR = click.Path(path_type=Path, file_okay=False, exists=True)


@click.command()
@click.option("--evidence-dir", "evidence_dirs", multiple=True, type=_EVIDENCE_DIR,
              help="Evidence directory of a run; repeat it to evaluate shards (e.g. AWX job slices) as one run.")
@click.option("--evidence", "legacy_evidence_dirs", multiple=True, type=_EVIDENCE_DIR, hidden=True,
              help="Old spelling of --evidence-dir.")
@click.option("-i", "--inventory", "inventory_path", type=click.Path(path_type=Path, exists=True),
              help="Ansible inventory: roles, sites, categories and approved values (NTP, syslog, AAA).")
@click.option("--limit", help="Ansible host pattern to restrict the inventory.")
@click.option("--waivers", "waivers_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Waivers file (default: the inventory's prakan_waivers, kept in inventory/exceptions.yml).")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=Path("results.json"),
              show_default=True, help="Where to write results.json ('-' for standard output).")
@catalog_option
def evaluate(evidence_dirs: tuple[Path, ...], legacy_evidence_dirs: tuple[Path, ...], inventory_path: Path | None,
             limit: str | None, waivers_path: Path | None,
             output: Path, catalog_path: Path | None) -> None:  # fmt: skip
    """Evaluate collected evidence against the control catalog (never touches the network).

    Without an inventory, checks that need inventory values (approved servers, WAN interfaces,
    roles, security category) are `error` or apply as if the category were the highest.

    Several --evidence-dir options (shards) give one results.json; a host with evidence in two
    shards is refused.
    """
    dirs = [*evidence_dirs, *legacy_evidence_dirs]
    if not dirs:
        raise UsageFailure("Missing option '--evidence-dir': the evidence directory of a run")
    cat = catalog_or_fail(catalog_path)
    inv = inventory_or_fail(inventory_path, limit) if inventory_path else None
    waivers = waivers_or_fail(waivers_path, inv)
    summary = evaluate_to(output, dirs, cat, inv, waivers, limited=bool(limit))
    click.echo(summary_line(summary) + (f" -> {output}" if str(output) != "-" else ""), err=True)

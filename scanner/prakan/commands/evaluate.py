"""`prakan evaluate`: evidence + catalog (+ inventory) -> results.json, offline."""

from __future__ import annotations

from pathlib import Path

import click

from prakan.commands.common import (
    catalog_option,
    catalog_or_fail,
    evaluate_to,
    inventory_or_fail,
    summary_line,
    waivers_or_fail,
)


@click.command()
@click.option("--evidence", "evidence_dir", required=True,
              type=click.Path(path_type=Path, file_okay=False, exists=True), help="Evidence directory of a run.")
@click.option("-i", "--inventory", "inventory_path", type=click.Path(path_type=Path, exists=True),
              help="Ansible inventory: roles, sites, categories and approved values (NTP, syslog, AAA).")
@click.option("--limit", help="Ansible host pattern to restrict the inventory.")
@click.option("--waivers", "waivers_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Waivers file (default: the inventory's prakan_waivers, kept in inventory/exceptions.yml).")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=Path("results.json"),
              show_default=True, help="Where to write results.json ('-' for standard output).")
@catalog_option
def evaluate(evidence_dir: Path, inventory_path: Path | None, limit: str | None, waivers_path: Path | None,
             output: Path, catalog_path: Path | None) -> None:  # fmt: skip
    """Evaluate collected evidence against the control catalog (never touches the network).

    Without an inventory, checks that need inventory values (approved servers, WAN interfaces,
    roles, security category) are `error` or apply as if the category were the highest.
    """
    cat = catalog_or_fail(catalog_path)
    inv = inventory_or_fail(inventory_path, limit) if inventory_path else None
    waivers = waivers_or_fail(waivers_path, inv)
    summary = evaluate_to(output, evidence_dir, cat, inv, waivers, limited=bool(limit))
    click.echo(summary_line(summary) + (f" -> {output}" if str(output) != "-" else ""), err=True)

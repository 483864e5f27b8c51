"""`prakan evaluate`: evidence + catalog (+ inventory) -> results.json, offline."""

from __future__ import annotations

from pathlib import Path

import click

from prakan.commands.common import (
    catalog_option,
    catalog_or_fail,
    evaluate_to,
    inventory_option,
    inventory_or_fail,
    lang_option,
    limit_option,
    renamed,
    summary_line,
    vault_option,
    waivers_or_fail,
)


@click.command()
@renamed("--evidence", "evidence_dir", "--evidence-dir")  # outermost: it wraps the declared options
@click.option("--evidence-dir", "evidence_dir", type=click.Path(path_type=Path, file_okay=False, exists=True),
              help="Evidence directory of a run.")  # fmt: skip
@inventory_option("Ansible inventory: roles, sites, categories and approved values (NTP, syslog, AAA).")
@limit_option
@vault_option
@click.option("--waivers", "waivers_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Waivers file (default: the inventory's prakan_waivers, kept in inventory/exceptions.yml).")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=Path("results.json"),
              show_default=True, help="Where to write results.json ('-' for standard output).")
@catalog_option
@lang_option
def evaluate(evidence_dir: Path | None, inventory_path: Path | None, limit: str | None,
             vault_password_file: Path | None, waivers_path: Path | None, output: Path,
             catalog_path: Path | None, lang: str) -> None:  # fmt: skip
    """Evaluate collected evidence against the control catalog (never touches the network).

    Without an inventory, checks that need inventory values (approved servers, WAN interfaces,
    roles, security category) are `error` or apply as if the category were the highest.
    """
    if evidence_dir is None:
        raise click.UsageError("Missing option '--evidence-dir'.")
    cat = catalog_or_fail(catalog_path)
    inv = inventory_or_fail(inventory_path, limit, vault_password_file) if inventory_path else None
    waivers = waivers_or_fail(waivers_path, inv)
    summary = evaluate_to(output, evidence_dir, cat, inv, waivers, limited=bool(limit))
    click.echo(summary_line(summary, lang) + (f" -> {output}" if str(output) != "-" else ""), err=True)

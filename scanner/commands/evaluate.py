"""`prakan evaluate`: evidence + catalog (+ inventory) -> results.json, offline."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import click

from scanner.commands.common import UsageFailure, catalog_option, catalog_or_fail, inventory_or_fail
from scanner.evaluate import evaluate_run
from scanner.evidence import atomic_write
from scanner.waivers import WaiverError, load_waivers


@click.command()
@click.option("--evidence", "evidence_dir", required=True,
              type=click.Path(path_type=Path, file_okay=False, exists=True), help="Evidence directory of a run.")
@click.option("-i", "--inventory", "inventory_path", type=click.Path(path_type=Path, exists=True),
              help="Ansible inventory: roles, sites, categories and approved values (NTP, syslog, AAA).")
@click.option("--limit", help="Ansible host pattern to restrict the inventory.")
@click.option("--waivers", "waivers_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Exceptions file (default: exceptions.yml inside the inventory directory).")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=Path("results.json"),
              show_default=True, help="Where to write results.json ('-' for standard output).")
@catalog_option
def evaluate(evidence_dir: Path, inventory_path: Path | None, limit: str | None, waivers_path: Path | None,
             output: Path, catalog_path: Path | None) -> None:  # fmt: skip
    """Evaluate collected evidence against the control catalog (never touches the network)."""
    cat = catalog_or_fail(catalog_path)
    inv = inventory_or_fail(inventory_path, limit) if inventory_path else None
    if waivers_path is None and inventory_path is not None:
        base = inventory_path if inventory_path.is_dir() else inventory_path.parent
        waivers_path = base / "exceptions.yml"
    try:
        waivers = load_waivers(waivers_path) if waivers_path else []
    except WaiverError as exc:
        raise UsageFailure(str(exc)) from exc
    buf = io.StringIO()
    summary = evaluate_run(evidence_dir, cat, buf, inventory=inv, waivers=waivers)
    if str(output) == "-":
        sys.stdout.write(buf.getvalue())
    else:
        atomic_write(output, buf.getvalue().encode("utf-8"))
    by = summary["by_status"]
    click.echo(
        f"{summary['hosts']} hosts ({summary['hosts_in_error']} in error): "
        + ", ".join(f"{k} {v}" for k, v in by.items())
        + (f" -> {output}" if str(output) != "-" else ""),
        err=True,
    )

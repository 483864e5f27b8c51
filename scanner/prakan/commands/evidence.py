"""`prakan evidence import`: configuration backups (RANCID, Oxidized, plain files) as evidence."""

from __future__ import annotations

from pathlib import Path

import click

from prakan.clock import run_id
from prakan.commands.common import UsageFailure, inventory_option, inventory_or_fail
from prakan.evidence import MANIFEST
from prakan.importer import SUPPORTED, import_configs
from prakan.trust import LockedError, TrustError, directory_lock, manifest_key, refuse_output_inside


@click.group()
def evidence() -> None:
    """Work with evidence files."""


@evidence.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
@click.option("--platform", required=True, type=click.Choice(sorted(SUPPORTED)), help="Platform of the configurations.")
@inventory_option("Match files to inventory hosts (by file name, `hostname` line, or management address).")
@click.option(
    "--evidence-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Where to write evidence (default: evidence/import-<timestamp>).",
)
def import_cmd(paths: tuple[Path, ...], platform: str, inventory_path: Path | None, evidence_dir: Path | None) -> None:
    """Turn configuration backup files (one per device) into evidence, redacting secrets."""
    inv = inventory_or_fail(inventory_path) if inventory_path else None
    out = evidence_dir or Path("evidence") / f"import-{run_id()}"
    clash = refuse_output_inside(out, *paths, inventory_path) or next(
        (
            f"the input {p} lies inside the evidence directory {out}"
            for p in paths
            if p.resolve().is_relative_to(out.resolve())
        ),
        None,
    )
    if clash:
        raise UsageFailure(clash)
    if (out / MANIFEST).exists():
        raise UsageFailure(f"{out} already holds an evidence run ({MANIFEST}); choose a new --evidence-dir")
    try:
        signing_key = manifest_key(create=True)
        with directory_lock(out):
            done = import_configs(paths, platform, out, inventory=inv, manifest_key=signing_key)
    except (LockedError, TrustError) as exc:
        raise UsageFailure(str(exc)) from exc
    if not done:
        raise UsageFailure("no files found to import")
    for item in done:
        note = f" ({item.problem})" if item.problem else ""
        click.echo(f"{item.path} -> {item.host} [{item.matched_by}]{note}", err=True)
    unmatched = sum(1 for i in done if i.matched_by == "unmatched")
    click.echo(f"imported {len(done)} file(s) into {out}" + (f"; {unmatched} not in the inventory" if inv else ""))

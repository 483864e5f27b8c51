"""Options and helpers shared by the subcommands."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from prakan.catalog import Catalog, CatalogError, load_catalog


class UsageFailure(click.ClickException):
    """A clear error about the user's input; exit status 2 (3 for `scan`, which sets it)."""

    exit_code = 2


def catalog_or_fail(path: Path | None) -> Catalog:
    try:
        return load_catalog(path)
    except (CatalogError, OSError) as exc:
        raise UsageFailure(f"control catalog: {exc}") from exc


def inventory_or_fail(path: Path, limit: str | None = None, vault_password_file: Path | None = None) -> Any:
    from prakan.inventory import InventoryError, load_inventory

    try:
        return load_inventory(path, limit=limit, vault_password_file=vault_password_file)
    except InventoryError as exc:
        raise UsageFailure(f"inventory: {exc}") from exc


def waivers_or_fail(path: Path | None, inventory: Any | None) -> list[Any]:
    """Waivers from `--waivers FILE`, else the inventory's `prakan_waivers` (inventory/exceptions.yml)."""
    from prakan.waivers import WaiverError, load_waivers, parse_waivers

    try:
        if path is not None:
            return load_waivers(path)
        if inventory is not None and "prakan_waivers" in inventory.org:
            return parse_waivers(inventory.org["prakan_waivers"], f"{inventory.path}: prakan_waivers")
    except WaiverError as exc:
        raise UsageFailure(str(exc)) from exc
    return []


def evaluate_to(
    output: Path, evidence_dir: Path, catalog: Catalog, inventory: Any, waivers: list[Any], limited: bool = False,
    **trust: Any,
) -> dict[str, Any]:
    """Evaluate and stream results.json to `output` ('-' = stdout); returns the summary.

    `limited` (an inventory `--limit`): evidence of hosts outside the selection is skipped.
    `trust`: manifest_key, trust_unsigned, max_age (see prakan.evaluate.evaluate_run).
    An output that would overwrite an input (an evidence file, the manifest, the inventory) is
    refused; `<evidence-dir>/results.json` is the one name inside the evidence allowed.
    """
    from prakan.evaluate import evaluate_run
    from prakan.evidence import RESULTS, EvidenceFormatError, atomic_file
    from prakan.trust import refuse_output_inside

    if str(output) != "-" and Path(output).resolve() != (evidence_dir / RESULTS).resolve():
        why = refuse_output_inside(output, evidence_dir, getattr(inventory, "path", None))
        if why:
            raise UsageFailure(why)
    try:
        if str(output) == "-":
            return evaluate_run(evidence_dir, catalog, sys.stdout, inventory, waivers, only_inventory_hosts=limited,
                                **trust)  # fmt: skip
        with atomic_file(output) as fh:
            return evaluate_run(evidence_dir, catalog, fh, inventory, waivers, only_inventory_hosts=limited, **trust)
    except EvidenceFormatError as exc:  # an unreadable evidence directory: the whole run cannot be trusted
        raise UsageFailure(str(exc)) from exc


def trust_options(f: Any) -> Any:
    """--manifest-key, --trust-unsigned, --max-age: what evaluation accepts as evidence."""
    for d in reversed([
        click.option("--manifest-key", "manifest_key_path", type=click.Path(path_type=Path, dir_okay=False),
                     help="Key that signed the run's manifest (default: $PRAKAN_MANIFEST_KEY, else "
                     "~/.config/prakan/manifest.key)."),
        click.option("--trust-unsigned", is_flag=True,
                     help="Accept a manifest without a verifiable signature (results say: not verified)."),
        click.option("--max-age", type=click.FloatRange(0), default=7.0, show_default=True,
                     help="Maximum evidence age in days; older evidence is `error` (0: no limit)."),
    ]):  # fmt: skip
        f = d(f)
    return f


def trust_settings(manifest_key_path: Path | None, trust_unsigned: bool, max_age: float) -> dict[str, Any]:
    """The keyword arguments of evaluate_to from the trust options; a bad key file is a usage error."""
    from datetime import timedelta

    from prakan.trust import TrustError, manifest_key

    try:
        key = manifest_key(path=manifest_key_path)
    except TrustError as exc:
        raise UsageFailure(str(exc)) from exc
    return {"manifest_key": key, "trust_unsigned": trust_unsigned,
            "max_age": timedelta(days=max_age) if max_age else None}  # fmt: skip


def summary_line(summary: dict[str, Any]) -> str:
    by = summary["by_status"]
    return f"{summary['hosts']} hosts ({summary['hosts_in_error']} in error): " + ", ".join(
        f"{k} {v}" for k, v in by.items())


catalog_option = click.option(
    "--catalog", "catalog_path", type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Control catalog directory (default: the bundled checks/).",
)  # fmt: skip

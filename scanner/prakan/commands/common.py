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
    output: Path, evidence_dir: Path | list[Path], catalog: Catalog, inventory: Any, waivers: list[Any],
    limited: bool = False,
) -> dict[str, Any]:
    """Evaluate and stream results.json to `output` ('-' = stdout); returns the summary.

    `limited` (an inventory `--limit`): evidence of hosts outside the selection is skipped.
    """
    from prakan.evaluate import evaluate_run
    from prakan.evidence import EvidenceFormatError, atomic_file

    try:
        if str(output) == "-":
            return evaluate_run(evidence_dir, catalog, sys.stdout, inventory, waivers, only_inventory_hosts=limited)
        with atomic_file(output) as fh:
            return evaluate_run(evidence_dir, catalog, fh, inventory, waivers, only_inventory_hosts=limited)
    except EvidenceFormatError as exc:  # an unreadable manifest: the whole run cannot be trusted
        raise UsageFailure(str(exc)) from exc


def summary_line(summary: dict[str, Any]) -> str:
    by = summary["by_status"]
    return f"{summary['hosts']} hosts ({summary['hosts_in_error']} in error): " + ", ".join(
        f"{k} {v}" for k, v in by.items())


catalog_option = click.option(
    "--catalog", "catalog_path", type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Control catalog directory (default: the bundled checks/).",
)  # fmt: skip

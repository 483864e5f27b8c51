"""Options and helpers shared by the subcommands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from scanner.catalog import Catalog, CatalogError, load_catalog


class UsageFailure(click.ClickException):
    """A clear error about the user's input; exit status 2 (3 for `scan`, which sets it)."""

    exit_code = 2


def catalog_or_fail(path: Path | None) -> Catalog:
    try:
        return load_catalog(path)
    except (CatalogError, OSError) as exc:
        raise UsageFailure(f"control catalog: {exc}") from exc


def inventory_or_fail(path: Path, limit: str | None = None, vault_password_file: Path | None = None) -> Any:
    from scanner.inventory import InventoryError, load_inventory

    try:
        return load_inventory(path, limit=limit, vault_password_file=vault_password_file)
    except InventoryError as exc:
        raise UsageFailure(f"inventory: {exc}") from exc


catalog_option = click.option(
    "--catalog", "catalog_path", type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Control catalog directory (default: the bundled checks/).",
)  # fmt: skip

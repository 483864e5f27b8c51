"""The inventory: one loader (ansible-core's API, positions for the linter) and the scanner's model."""

from prakan.inventory.model import (
    LEVELS,
    SITE_PREFIX,
    Host,
    Inventory,
    InventoryError,
    Site,
    highest_category,
    load_inventory,
    site_group,
)

__all__ = [
    "LEVELS",
    "SITE_PREFIX",
    "Host",
    "Inventory",
    "InventoryError",
    "Site",
    "highest_category",
    "load_inventory",
    "site_group",
]

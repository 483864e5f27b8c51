"""Every use of ansible-core that is not its documented public API, in one place.

Each is here because Prakan must read an inventory exactly as Ansible does; each has a test in
tests/test_inventory.py (`test_ansible_internals_*`) that fails loudly when a new ansible-core
changes it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ansible.inventory.manager import IGNORED as _IGNORED
from ansible.inventory.manager import InventoryManager
from ansible.plugins.inventory import BaseInventoryPlugin
from ansible.plugins.loader import inventory_loader

# The inventory plugins Prakan lets Ansible use. `script` would run an executable file found in the
# inventory directory, and `auto` hands a YAML file to whatever plugin it names (cloud plugins,
# `constructed` with its Jinja): an inventory from a merge request must never run code.
SAFE_PLUGINS = ("yaml", "ini")

# Why: the file names Ansible skips in an inventory directory (backups, .retry, ...); Prakan lists
# the directory itself (to read each file once, safely) and must skip the same ones.
IGNORED_NAMES: re.Pattern[bytes] = _IGNORED


class SafeInventoryManager(InventoryManager):
    """InventoryManager with only the data-only plugins (SAFE_PLUGINS)."""

    # Why: `_fetch_inventory_plugins` is how InventoryManager picks its plugins; the public way
    # (ANSIBLE_INVENTORY_ENABLED) is process-wide configuration a user's ansible.cfg can widen.
    def _fetch_inventory_plugins(self) -> list[BaseInventoryPlugin]:
        plugins = [inventory_loader.get(name) for name in SAFE_PLUGINS]
        return [p for p in plugins if p is not None]


def processed_sources(manager: InventoryManager) -> list[str]:
    """The sources a plugin accepted. Why: the public API logs refused sources as warnings only."""
    return list(manager._inventory.processed_sources)


@contextmanager
def deferred_warnings() -> Iterator[list[Any]]:
    """Collect the warnings InventoryManager would print (reasons a source was refused).

    Why: ansible-core 2.19 prints them straight to the terminal; its DeferredWarningContext is the only
    way to receive them as data. Without it (a newer ansible-core) they print as usual.
    """
    found: list[Any] = []
    try:
        from ansible._internal._display_utils import DeferredWarningContext
    except ImportError:
        yield found
        return
    with DeferredWarningContext(variables={}) as ctx:
        yield found
    found.extend(ctx.get_warnings())

"""Where Prakan's data lives.

The catalog and schemas are package data, read through `importlib.resources`, so an installed wheel
works anywhere. The sample department (inventory and evidence) is repository data, used by the
quick start and the tests only.
"""

import os
from importlib.resources import as_file, files
from pathlib import Path

_PACKAGE = files("prakan")
# Installed wheels and editable checkouts both unpack package data as real files.
with as_file(_PACKAGE) as _root:
    PACKAGE_DIR = Path(_root)

CHECKS_DIR = PACKAGE_DIR / "checks"
SCHEMAS_DIR = PACKAGE_DIR / "schemas"

# The repository checkout (two levels above scanner/prakan/); meaningful only in a clone.
ROOT = PACKAGE_DIR.parent.parent
SAMPLE_INVENTORY = ROOT / "inventory"
SAMPLE_EVIDENCE = ROOT / "samples" / "evidence"


def _xdg(variable: str, default: str) -> Path:
    return Path(os.environ.get(variable) or Path.home() / default) / "prakan"


def config_dir() -> Path:
    """Keys and known_hosts: $XDG_CONFIG_HOME/prakan, else ~/.config/prakan."""
    return _xdg("XDG_CONFIG_HOME", ".config")


def data_dir() -> Path:
    """History and other state: $XDG_DATA_HOME/prakan, else ~/.local/share/prakan."""
    return _xdg("XDG_DATA_HOME", ".local/share")


def cache_dir() -> Path:
    """What can be rebuilt: $XDG_CACHE_HOME/prakan, else ~/.cache/prakan."""
    return _xdg("XDG_CACHE_HOME", ".cache")


# DEMO key (public, not a secret) that signs the bundled sample evidence's manifest
SAMPLE_MANIFEST_KEY = ROOT / "samples" / "demo-manifest.key"

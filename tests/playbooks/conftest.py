"""Make the lab package (tests/lab) and the playbooks' filter plugins importable from these tests."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for p in (str(ROOT / "tests"), str(ROOT / "playbooks" / "filter_plugins")):  # filters: prakan_filters
    if p not in sys.path:
        sys.path.insert(0, p)

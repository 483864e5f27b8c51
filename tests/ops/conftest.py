"""Make the lab package and the shared ops fixtures importable; load the wheelhouse fixture."""

import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
for p in (str(TESTS), str(Path(__file__).resolve().parent)):
    if p not in sys.path:
        sys.path.insert(0, p)

from ops_fixtures import wheelhouse  # noqa: E402, F401

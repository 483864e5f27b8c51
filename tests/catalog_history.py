"""What the catalog held when the real-host data under tests/checks/data/ was captured."""

from __future__ import annotations

from pathlib import Path

_FILE = Path(__file__).parent / "checks" / "data" / "linux_checks_at_capture.txt"

# The Linux checks before the depth areas: the captured hardened host was hardened for these.
CHECKS_AT_CAPTURE = frozenset(
    line for line in _FILE.read_text(encoding="utf-8").split() if line and not line.startswith("#")
)

"""Where the project's data lives, relative to the repository root."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKS_DIR = ROOT / "checks"
SCHEMAS_DIR = Path(__file__).resolve().parent / "schemas"
SAMPLE_INVENTORY = ROOT / "inventory"
SAMPLE_EVIDENCE = ROOT / "samples" / "evidence"

"""Regenerate the Sarabun subset embedded in the HTML report (Thai + Latin, WOFF2).

    .venv/bin/python tools/subset_font.py [--from DIR]

Sarabun (SIL Open Font Licence 1.1, Copyright 2018 The Sarabun Project Authors) comes from the
`fontpkg-sarabun` package on the Python package index (the Google Fonts copy, redistributed
unmodified). Without --from, the pinned wheel is downloaded with pip into a temporary directory.
Writes scanner/prakan/report/templates/fonts/sarabun-{regular,bold}.woff2 and OFL.txt beside them.
Needs fonttools and brotli (the dev extra).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from fontTools import subset

PACKAGE = "fontpkg-sarabun==1.0"
OUT = Path(__file__).resolve().parent.parent / "scanner" / "prakan" / "report" / "templates" / "fonts"
WEIGHTS = {"regular": "Sarabun-Regular.ttf", "bold": "Sarabun-Bold.ttf"}
# Basic Latin, Latin-1, Thai, general punctuation (dashes, quotes, ellipsis), the baht sign, arrows,
# and the few symbols the report itself prints.
UNICODES = "U+0020-007E,U+00A0-00FF,U+0E01-0E5B,U+2000-206F,U+20AC,U+20BF,U+2190-2193,U+2212,U+2713,U+2715,U+25A1"


def fetch(directory: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(directory), PACKAGE], check=True
    )
    wheel = next(directory.glob("fontpkg_sarabun-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(directory / "wheel")
    return directory / "wheel" / "fontpkg_sarabun"


def build(source: Path) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for weight, name in WEIGHTS.items():
        out = OUT / f"sarabun-{weight}.woff2"
        subset.main(
            [
                str(source / "files" / name),
                f"--unicodes={UNICODES}",
                "--flavor=woff2",
                "--layout-features=*",
                "--no-hinting",
                "--desubroutinize",
                f"--output-file={out}",
            ]
        )
        print(f"{out}: {out.stat().st_size} bytes")
    (OUT / "OFL.txt").write_text((source / "LICENSE").read_text(encoding="utf-8"), encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--from", dest="source", type=Path, help="An unpacked fontpkg_sarabun directory.")
    args = ap.parse_args()
    if args.source:
        build(args.source)
        return
    with tempfile.TemporaryDirectory(prefix="prakan-font-") as tmp:
        build(fetch(Path(tmp)))


if __name__ == "__main__":
    main()

"""The embedded Sarabun subset covers every Thai character the report can show, so Thai never falls back."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from prakan.catalog import load_catalog

FONTS = resources.files("prakan.report") / "templates" / "fonts"
THAI = re.compile("[\u0e00-\u0e7f]")


@pytest.fixture(scope="module", params=["sarabun-regular.woff2", "sarabun-bold.woff2"])
def cmap(request: pytest.FixtureRequest) -> set[int]:
    with resources.as_file(FONTS / request.param) as path:
        font = TTFont(path)
    assert font["name"].getDebugName(1) == "Sarabun"
    return set(font.getBestCmap())


def test_subset_is_small_and_licensed() -> None:
    for name in ("sarabun-regular.woff2", "sarabun-bold.woff2"):
        assert (FONTS / name).read_bytes()[:4] == b"wOF2"
        assert len((FONTS / name).read_bytes()) < 40_000
    assert "SIL Open Font License" in (FONTS / "OFL.txt").read_text(encoding="utf-8")


def test_every_thai_character_of_the_page_and_catalog(cmap: set[int], sample_report: Path) -> None:
    text = sample_report.read_text(encoding="utf-8")
    for check in load_catalog().checks.values():
        for field in (check.title, check.remediation, check.evidence_required):
            text += " ".join(str(v) for v in field.values())
    thai = set(THAI.findall(text))
    assert len(thai) > 40
    missing = sorted(c for c in thai if ord(c) not in cmap)
    assert missing == []
    latin = {c for c in text if " " <= c <= "~"}
    assert sorted(c for c in latin if ord(c) not in cmap) == []

"""Fixtures for the report tests (helpers in support.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prakan.paths import SAMPLE_MANIFEST_KEY
from report.support import EVIDENCE, INVENTORY, WHEN, Page, need, run


@pytest.fixture(scope="session", autouse=True)
def no_default_history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The report reads the default history database when it exists: keep the user's out of the tests."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("PRAKAN_HISTORY", raising=False)
        mp.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data")))
        yield


@pytest.fixture(scope="session")
def sample_results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "results.json"
    res = run(
        "evaluate",
        "--evidence-dir",
        str(EVIDENCE),
        "-i",
        str(INVENTORY),
        "-o",
        str(out),
        "--manifest-key",
        str(SAMPLE_MANIFEST_KEY),
        "--max-age",
        "0",
    )  # the signed, fixed sample
    assert out.exists(), res.output
    return out


@pytest.fixture(scope="session")
def sample_report(sample_results: Path) -> Path:
    res = run("report", str(sample_results), "--lang", "th", "--generated-at", WHEN)
    assert res.exit_code == 0, res.output
    return sample_results.parent / "index.html"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    exe = need("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, args=["--no-sandbox", "--disable-gpu"])
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    pages: list[Page] = []

    def opener(path: Path, width: int = 1280) -> Page:
        p = Page(browser, path, width)
        pages.append(p)
        return p

    yield opener
    for p in pages:
        p.close()

"""Helpers for the report tests: the sample department's report, and a real headless Chromium.

The browser is Debian's `chromium` (installed by scripts/report-deps.sh), driven through Playwright's
Python API with `executable_path` (Playwright's own browser downloads are never used). Where the browser
or pdftotext is missing the browser tests skip, except under CI=true, where they fail.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from prakan.cli import cli

ROOT = Path(__file__).resolve().parents[2]
EVIDENCE = ROOT / "samples" / "evidence"
INVENTORY = ROOT / "inventory"
ARTIFACTS = Path(os.environ.get("PRAKAN_TEST_ARTIFACTS", ROOT / "reports" / "out" / "test-artifacts"))
WHEN = "2026-11-28T03:00:00Z"


def need(tool: str) -> str:
    """The path of a program the test needs: a skip on a developer's machine, a failure in CI."""
    path = shutil.which(tool)
    if path is None:
        msg = f"{tool} is not installed (scripts/report-deps.sh installs it as root)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    return path


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


class Page:
    """A page opened from disk that records every request and every console error."""

    def __init__(self, browser: Any, path: Path, width: int = 1280) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": 1600})
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.uri = path.resolve().as_uri()
        self.page.goto(self.uri)
        self.page.wait_for_selector("#host-rows tr")

    def other_requests(self) -> list[str]:
        return [u for u in self.requests if u != self.uri]

    def close(self) -> None:
        self.context.close()

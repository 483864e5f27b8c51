"""Every test gets its own manifest signing key in the environment, so nothing writes a key file
under the real home directory and subprocesses (`prakan collect` then `prakan evaluate`) agree."""

from __future__ import annotations

import pytest

TEST_MANIFEST_KEY = "prakan-test-manifest-key-0123456789abcdef"


@pytest.fixture(autouse=True)
def _manifest_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRAKAN_MANIFEST_KEY", TEST_MANIFEST_KEY)

"""Every test gets its own manifest signing key in the environment, so nothing writes a key file
under the real home directory and subprocesses (`prakan collect` then `prakan evaluate`) agree."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

TEST_MANIFEST_KEY = "prakan-test-manifest-key-0123456789abcdef"


@pytest.fixture(autouse=True, scope="session")
def _manifest_key() -> Iterator[None]:
    # session scope: module-scoped fixtures that run `prakan collect` must see the same key as the
    # tests that later run `prakan evaluate`
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PRAKAN_MANIFEST_KEY", TEST_MANIFEST_KEY)
        yield

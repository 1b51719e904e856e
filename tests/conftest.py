"""Fixtures shared by every test package."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

#: The project's real public data, read-only, beside the checkout (see ../shared/data/README.md).
SHARED_DATA = Path(
    os.environ.get(
        "FOODSHED_SHARED_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data"
    )
)


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Empty every cache of the process (``optimize.caches.CACHES``: remembered HiGHS bases,
    Atlas classifications, the dashboard's built problems) before each test, so no answer
    depends on what an earlier test solved."""
    from optimize.caches import reset_caches

    reset_caches()
    yield


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path of ``../shared/data``; skips the test with a clear reason where it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(
            f"public data folder {SHARED_DATA} is absent (set FOODSHED_SHARED_DATA to "
            "point at a copy of shared/data)"
        )
    return SHARED_DATA

"""Fixtures of the campaign's modules."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def quiet_dask():
    """The sweep's local cluster logs to stderr; the campaign reads stderr."""
    import logging

    for name in ("distributed", "tornado", "bokeh"):
        logging.getLogger(name).setLevel(logging.CRITICAL)

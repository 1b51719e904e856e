"""Fixtures of the allocator tests: tiny hand-checkable regions (``tests.helpers.line_region``).

Areas are 100 m squares on a line (UTM 17N); their centres sit at x = 0, 1000, 3000 m, so
distances can be read off by hand.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from equity import Region
from tests.helpers import line_region as make_region


@pytest.fixture
def region_factory() -> Callable[..., Region]:
    return make_region


@pytest.fixture
def line_region() -> Region:
    """2 sites, 3 areas, 1 commodity. S1 at x=0, S2 at x=3000; areas A 0, B 1000, C 3000.

    Supply 10 kg each; need 6 kg each. At $1/kg-km the least-cost plan is S1->A 6 (0 km),
    S2->C 6 (0 km), S1->B 4 kg (1 km, $4), S2->B 2 kg (2 km, $4): $8 in all.
    """
    return make_region(
        {"A": 0, "B": 1000, "C": 3000},
        {"S1": 0, "S2": 3000},
        [("S1", "veg", 10), ("S2", "veg", 10)],
        [("A", "veg", 6), ("B", "veg", 6), ("C", "veg", 6)],
        kinds={"S1": "garden", "S2": "hub"},
        low_income={"B": True},
    )


@pytest.fixture(scope="module")
def client():
    """One LocalCluster of two worker processes for the module; a task that kills its worker
    fails at once (allowed-failures 0) instead of being retried three times."""
    dask = pytest.importorskip("dask")
    from dask.distributed import Client

    from optimize.sweep import local_cluster

    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        cluster = local_cluster(2)
        cl = Client(cluster)
        try:
            yield cl
        finally:
            cl.close()
            cluster.close()

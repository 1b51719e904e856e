"""Fixtures of the dashboard tests: the reports' grid, the app's tiny town and a finished
sweep; the regions themselves are built by ``tests.helpers``."""

from __future__ import annotations

import pytest

from equity import Region
from tests.helpers import grid_region, line4_region, town_region


@pytest.fixture(scope="session")
def grid() -> Region:
    """``tests.helpers.grid_region``: nine WGS84 squares, two stores, a hub and a garden."""
    return grid_region()


@pytest.fixture(scope="session")
def tiny_region() -> Region:
    """``tests.helpers.town_region``: a 3 x 3 town of 1 km blocks, two hubs and a garden."""
    return town_region()


# ---------------------------------------------------------------------- a tiny finished sweep
SWEEP_SPEC = {
    "name": "tiny-sweep",
    "base": {"objective": "balanced", "network": {"max_distance_m": 4000}},
    "vary": {"equity_weight": [1.0], "yield_factor.hub": [1.0, 0.0]},
    "resilience": {"flag": "low_income", "threshold": 0.75},
}


@pytest.fixture(scope="session")
def tiny_sweep(tmp_path_factory):
    """A finished two-scenario sweep, solved by ``run_sweep`` on an in-process Dask client.

    With the hub at full yield all 28 kg of need is met (every area 100%); with the hub's yield
    at 0 only the gardens' 20 kg is, spread evenly: every area gets 20/28 = 71.4%, so both
    low-income areas (C, D) fall below the 75% threshold in one scenario of two.
    """
    pytest.importorskip("dask.distributed")
    from dask.distributed import Client

    from optimize.sweep import SweepSpec, run_sweep

    out = tmp_path_factory.mktemp("sweeps") / "tiny"
    with Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=None) as cl:
        res = run_sweep(
            SweepSpec.from_dict(SWEEP_SPEC), out, region=line4_region(), client=cl, batch_size=1
        )
    assert res.complete
    return out

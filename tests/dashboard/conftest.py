"""Fixtures of the dashboard tests: hand-checkable fake regions and plans (reports), a tiny
synthetic region, a live server and a headless browser (the dashboard)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from equity import Region


def grid_region() -> Region:
    """Nine 0.01-degree squares; 100 residents each except area a4 (900); one supermarket."""
    cells, ids, pops = [], [], []
    for i in range(3):
        for j in range(3):
            cells.append(
                box(-80 + 0.01 * j, 40 + 0.01 * i, -80 + 0.01 * (j + 1), 40 + 0.01 * (i + 1))
            )
            ids.append(f"a{3 * i + j}")
            pops.append(900 if 3 * i + j == 4 else 100)
    areas = gpd.GeoDataFrame(
        {
            "area_id": ids,
            "population": pops,
            "name": [f"Ward {k}" for k in range(9)],
            "poverty_rate": [0.3, 0.1, 0.1, 0.25, 0.05, 0.1, 0.1, 0.1, 0.1],
            "urban": [True] * 9,
        },
        geometry=cells,
        crs=4326,
    )
    stores = gpd.GeoDataFrame(
        {
            "store_id": ["s1", "s2"],
            "kind": ["supermarket", "convenience"],
            "name": ["Big <i>Market</i>", "Corner Shop"],
        },
        geometry=[Point(-79.975, 40.025), Point(-79.995, 40.005)],
        crs=4326,
    )
    sites = gpd.GeoDataFrame(
        {
            "site_id": ["h1", "g1"],
            "kind": ["hub", "garden"],
            "name": ["Eastside Hub", "Elm Garden"],
            "throughput_kg": [1000.0, 100.0],
        },
        geometry=[Point(-79.975, 40.015), Point(-79.995, 40.025)],
        crs=4326,
    )
    commodities = pd.DataFrame(
        {
            "commodity": ["tomato", "rice"],
            "unit": ["kg", "bag"],
            "kg_per_unit": [1.0, 2.0],
            "name": ["Tomatoes", "Rice"],
        }
    )
    supply = pd.DataFrame(
        {
            "site_id": ["h1", "h1", "g1"],
            "commodity": ["rice", "tomato", "tomato"],
            "quantity": [50.0, 30.0, 10.0],
        }
    )
    need = pd.DataFrame(
        {
            "area_id": [a for a in ids for _ in range(2)],
            "commodity": ["tomato", "rice"] * 9,
            "quantity": [10.0, 5.0] * 9,
        }
    )
    return Region.from_frames(
        areas,
        stores,
        sites,
        commodities,
        supply,
        need,
        name="Grid City",
        provenance={"source": "test grid"},
    )


def fake_analyze(region: Region) -> pd.DataFrame:
    """Atlas-like flags: a0 and a3 are low income; a0, a1 and a3 are low access."""
    ids = region.areas["area_id"].tolist()
    li = [a in ("a0", "a3") for a in ids]
    la = [a in ("a0", "a1", "a3") for a in ids]
    return pd.DataFrame(
        {
            "area_id": ids,
            "LowIncomeTracts": li,
            "LATracts1": la,
            "LILATracts_1And10": [x and y for x, y in zip(li, la, strict=False)],
            "LILATracts_halfAnd10": [x and y for x, y in zip(li, la, strict=False)],
            "dist_supermarket_m": [2000.0, 1700.0, 1500.0, 1800.0, 500.0, 900.0, 1000, 600, 800],
            "need_index": [0.9, 0.3, 0.2, 0.8, 0.1, 0.2, 0.2, 0.2, 0.2],
        }
    )


@dataclass
class FakeSolution:
    """The attributes of optimize.AllocationSolution that reports read."""

    flows: pd.DataFrame
    fulfilment: pd.DataFrame
    kpis: dict[str, Any]
    binding: pd.DataFrame = field(default_factory=pd.DataFrame)
    status: str = "optimal"
    objective: str = "maxmin"
    manifest: dict[str, Any] = field(default_factory=dict)
    shocks: list[Any] = field(default_factory=list)


def fake_solution(region: Region, *, tomato_to_a0: float = 10.0) -> FakeSolution:
    """h1 sends 5 rice bags to a0..a8 minus a8 (40 bags) and tomatoes to a0; g1 tomato to a1."""
    flows = pd.DataFrame(
        {
            "site_id": ["h1"] * 8 + ["h1", "g1"],
            "area_id": [f"a{k}" for k in range(8)] + ["a0", "a1"],
            "commodity": ["rice"] * 8 + ["tomato", "tomato"],
            "quantity": [5.0] * 8 + [tomato_to_a0, 10.0],
        }
    )
    need = region.need.copy()
    got = flows.groupby(["area_id", "commodity"])["quantity"].sum()
    need["met"] = [
        got.get((a, c), 0.0) for a, c in zip(need["area_id"], need["commodity"], strict=False)
    ]
    fulfilment = need.rename(columns={"quantity": "need"})
    kpis = {
        "need_met_share": 0.456,
        "min_fulfilment": 0.0,
        "transport_cost_usd": 1234.5,
        "gini_fulfilment": 0.31,
        "status_note": "ok",
    }
    binding = pd.DataFrame(
        {
            "constraint": ["supply", "throughput", "supply"],
            "site_id": ["h1", "g1", "g1"],
            "commodity": ["rice", None, "tomato"],
            "value_per_unit": [2.5, 0.75, 0.0],
            "binding": [True, True, False],
            "explanation": ["", "one more kg of throughput at Elm Garden would save $0.75", ""],
        }
    )
    return FakeSolution(
        flows=flows,
        fulfilment=fulfilment,
        kpis=kpis,
        binding=binding,
        manifest={"inputs": {"region": "grid"}, "solver": "highs", "seed": 1},
        shocks=[{"kind": "site_outage", "site_ids": ["g2"]}],
    )


@pytest.fixture(scope="session")
def grid() -> Region:
    return grid_region()


# ---------------------------------------------------------------- dashboard app and browser
CRS = "EPSG:32616"
X0, Y0 = 440_000.0, 4_420_000.0


def make_tiny_region():
    """A 3 x 3 grid of 1 km square areas, one supermarket, two hubs and a garden.

    Everything is checkable by hand: area ``a{r}{c}`` is row r, column c; the supermarket sits in
    the centre of ``a00``; hub ``H1`` is in ``a00``, hub ``H2`` in ``a22``, garden ``G1`` in
    ``a11``. Each area has 1,000 residents (poverty 30% in row 2) and needs 100 kg of each of two
    foods; hubs hold 300 kg of each food, the garden 150 kg of produce.
    """
    from equity import Region

    cells, rows = [], []
    for r in range(3):
        for c in range(3):
            x, y = X0 + c * 1000, Y0 + r * 1000
            cells.append(box(x, y, x + 1000, y + 1000))
            rows.append(
                {
                    "area_id": f"a{r}{c}",
                    "name": f"Block {r}{c}",
                    "population": 1000.0,
                    "households": 400.0,
                    "households_no_vehicle": 40.0 * (r + 1),
                    "poverty_rate": 0.3 if r == 2 else 0.1,
                    "urban": True,
                }
            )
    areas = gpd.GeoDataFrame(rows, geometry=cells, crs=CRS)
    stores = gpd.GeoDataFrame(
        {"store_id": ["S1", "S2"], "kind": ["supermarket", "convenience"], "name": ["Big", "Mini"]},
        geometry=[Point(X0 + 500, Y0 + 500), Point(X0 + 2500, Y0 + 2500)],
        crs=CRS,
    )
    sites = gpd.GeoDataFrame(
        {
            "site_id": ["H1", "H2", "G1"],
            "kind": ["hub", "hub", "garden"],
            "name": ["Westside hub", "Eastside hub", "Centre garden"],
            "throughput_kg": [1000.0, 1000.0, 500.0],
        },
        geometry=[
            Point(X0 + 400, Y0 + 400),
            Point(X0 + 2600, Y0 + 2600),
            Point(X0 + 1500, Y0 + 1500),
        ],
        crs=CRS,
    )
    commodities = pd.DataFrame(
        {
            "commodity": ["greens", "rice"],
            "unit": ["kg", "kg"],
            "kg_per_unit": [1.0, 1.0],
            "group": ["produce", "grains"],
        }
    )
    supply = pd.DataFrame(
        {
            "site_id": ["H1", "H1", "H2", "H2", "G1"],
            "commodity": ["greens", "rice", "greens", "rice", "greens"],
            "quantity": [300.0, 300.0, 300.0, 300.0, 150.0],
        }
    )
    need = pd.DataFrame(
        [
            {"area_id": f"a{r}{c}", "commodity": k, "quantity": 100.0}
            for r in range(3)
            for c in range(3)
            for k in ("greens", "rice")
        ]
    )
    return Region.from_frames(
        areas, stores, sites, commodities, supply, need, name="Tiny town", crs=CRS
    )


@pytest.fixture(scope="session")
def tiny_region():
    return make_tiny_region()


# ---------------------------------------------------------------------- a tiny finished sweep
SWEEP_SPEC = {
    "name": "tiny-sweep",
    "base": {"objective": "balanced", "network": {"max_distance_m": 4000}},
    "vary": {"equity_weight": [1.0], "yield_factor.hub": [1.0, 0.0]},
    "resilience": {"flag": "low_income", "threshold": 0.75},
}


def _line4_region() -> Region:
    """The optimizer tests' line of four areas (A 0, B 1000, C 3000, D 5000 m; C and D low
    income; 7 kg each) and three sites (gardens G1 at 0 and G2 at 3000 m with 10 kg, hub H at
    5000 m with 8 kg)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parents[1] / "optimize" / "conftest.py"
    spec = importlib.util.spec_from_file_location("_optimize_conftest", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.make_region(
        {"A": 0, "B": 1000, "C": 3000, "D": 5000},
        {"G1": 0, "G2": 3000, "H": 5000},
        [("G1", "veg", 10), ("G2", "veg", 10), ("H", "veg", 8)],
        [(a, "veg", 7) for a in "ABCD"],
        kinds={"G1": "garden", "G2": "garden", "H": "hub"},
        low_income={"C": True, "D": True},
    )


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
            SweepSpec.from_dict(SWEEP_SPEC), out, region=_line4_region(), client=cl, batch_size=1
        )
    assert res.complete
    return out

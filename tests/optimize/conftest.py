"""Tiny hand-checkable regions for the allocator tests.

Areas are 100 m squares on a line (UTM 17N); their centres sit at x = 0, 1000, 3000 m, so
distances can be read off by hand.
"""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from equity import Region

CRS = "EPSG:32617"
X0, Y0 = 500_000.0, 4_000_000.0


def make_region(
    area_x: dict[str, float],
    site_x: dict[str, float],
    supply: list[tuple[str, str, float]],
    need: list[tuple[str, str, float]],
    *,
    commodities: tuple[str, ...] = ("veg",),
    substitutes: list[tuple[str, str, float]] | None = None,
    throughput: dict[str, float] | None = None,
    kinds: dict[str, str] | None = None,
    population: dict[str, float] | None = None,
    low_income: dict[str, bool] | None = None,
) -> Region:
    areas = gpd.GeoDataFrame(
        {
            "area_id": list(area_x),
            "population": [float((population or {}).get(a, 100.0)) for a in area_x],
            "low_income": [bool((low_income or {}).get(a, False)) for a in area_x],
        },
        geometry=[box(X0 + x - 50, Y0 - 50, X0 + x + 50, Y0 + 50) for x in area_x.values()],
        crs=CRS,
    )
    sites = gpd.GeoDataFrame(
        {
            "site_id": list(site_x),
            "kind": [(kinds or {}).get(s, "garden") for s in site_x],
            "name": [f"Site {s}" for s in site_x],
            "throughput_kg": [(throughput or {}).get(s, float("nan")) for s in site_x],
        },
        geometry=[Point(X0 + x, Y0) for x in site_x.values()],
        crs=CRS,
    )
    comm = pd.DataFrame({"commodity": list(commodities), "unit": "kg", "kg_per_unit": 1.0})
    sup = pd.DataFrame(supply, columns=["site_id", "commodity", "quantity"])
    nd = pd.DataFrame(need, columns=["area_id", "commodity", "quantity"])
    subs = pd.DataFrame(substitutes or [], columns=["commodity", "substitute", "acceptability"])
    return Region.from_frames(
        areas, None, sites, comm, sup, nd, subs if len(subs) else None, name="tiny", crs=CRS
    )


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

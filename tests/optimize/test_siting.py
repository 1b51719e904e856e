"""Siting MILP against enumeration on a case small enough to check every choice."""

from __future__ import annotations

import itertools

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from optimize import allocate, site_new
from tests.helpers import LINE_CRS as CRS
from tests.helpers import LINE_X0 as X0
from tests.helpers import LINE_Y0 as Y0


def candidates(xs: dict[str, float]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"site_id": list(xs), "kind": "garden", "throughput_kg": float("nan")},
        geometry=[Point(X0 + x, Y0) for x in xs.values()],
        crs=CRS,
    )


def test_site_new_matches_enumeration(region_factory):
    region = region_factory(
        {"A": 0, "B": 4000, "C": 8000, "D": 12000},
        {"S1": 0},
        [("S1", "veg", 10)],
        [("A", "veg", 10), ("B", "veg", 10), ("C", "veg", 30), ("D", "veg", 10)],
    )
    cands = candidates({"N1": 4000, "N2": 8000, "N3": 12000})
    supply = pd.DataFrame(
        {"site_id": ["N1", "N2", "N3"], "commodity": "veg", "quantity": [25.0, 25.0, 25.0]}
    )
    res = site_new(region, cands, 1, candidate_supply=supply, max_distance_m=2500)
    # with 2.5 km reach each new site serves only its own area: C needs the most (30)
    assert res.chosen == ["N2"]
    # enumerate every single choice and compare need met
    best = {}
    for pick in itertools.combinations(["N1", "N2", "N3"], 1):
        reg = region.with_tables(
            sites=pd.concat([region.sites, cands[cands.site_id.isin(pick)]], ignore_index=True),
            supply=pd.concat([region.supply, supply[supply.site_id.isin(pick)]], ignore_index=True),
        )
        best[pick[0]] = allocate(reg, objective="coverage", max_distance_m=2500).kpis["need_met_kg"]
    assert res.solution.kpis["need_met_kg"] == pytest.approx(max(best.values()))
    two = site_new(region, cands, 2, candidate_supply=supply, max_distance_m=2500)
    assert len(two.chosen) == 2 and "N2" in two.chosen
    assert two.solution.kpis["need_met_kg"] == pytest.approx(10 + 25 + 10)


def test_site_new_rejects_clashing_ids(line_region):
    from equity import FoodshedError

    with pytest.raises(FoodshedError, match="already sites"):
        site_new(line_region, candidates({"S1": 500}), 1)

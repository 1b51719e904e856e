"""2SFCA, E2SFCA and gravity access on a 2-supply / 3-demand line, computed by hand.

Demand A (x=0, 100 people), B (x=1000, 200 people), C (x=3000, 100 people); supply S1 (x=500,
capacity 10) and S2 (x=2500, capacity 30).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from equity.fca import (
    cost_matrix,
    distance_matrix,
    enhanced_two_step_fca,
    gravity_access,
    two_step_fca,
)

CRS = "EPSG:32617"
DEMAND = gpd.GeoDataFrame(
    {"area_id": ["A", "B", "C"], "population": [100, 200, 100]},
    geometry=[Point(0, 0), Point(1000, 0), Point(3000, 0)],
    crs=CRS,
)
SUPPLY = gpd.GeoDataFrame(
    {"store_id": ["S1", "S2"], "capacity": [10.0, 30.0]},
    geometry=[Point(500, 0), Point(2500, 0)],
    crs=CRS,
)


def test_two_step_fca_by_hand() -> None:
    # Catchment 1 km: S1 serves A and B (R1 = 10/300); S2 serves C only (R2 = 30/100).
    a = two_step_fca(DEMAND, SUPPLY, catchment_m=1000, supply_col="capacity")
    assert a.tolist() == pytest.approx([10 / 300, 10 / 300, 0.3])


def test_enhanced_two_step_fca_by_hand() -> None:
    # Catchment 1.5 km in bands of 500 m, weights 1 / 0.68 / 0.22. B is 1,500 m from S2 (band 3).
    a = enhanced_two_step_fca(DEMAND, SUPPLY, catchment_m=1500, supply_col="capacity")
    r1, r2 = 10 / 300, 30 / (100 + 200 * 0.22)
    assert a.tolist() == pytest.approx([r1, r1 + 0.22 * r2, r2])


def test_enhanced_with_custom_bands() -> None:
    a = enhanced_two_step_fca(
        DEMAND,
        SUPPLY,
        catchment_m=0,
        bands_m=[500, 1500],
        weights=[1.0, 0.5],
        supply_col="capacity",
    )
    r2 = 30 / (100 + 200 * 0.5)
    assert a.tolist() == pytest.approx([10 / 300, 10 / 300 + 0.5 * r2, r2])


def test_gravity_by_hand() -> None:
    # Demand at 0 and 2 km, one store of capacity 1 at 1 km, beta 1 (km): V = 100/1 + 300/1.
    d = gpd.GeoDataFrame(
        {"population": [100, 300]}, geometry=[Point(0, 0), Point(2000, 0)], crs=CRS
    )
    s = gpd.GeoDataFrame(geometry=[Point(1000, 0)], crs=CRS)
    assert gravity_access(d, s, max_distance_m=5000).tolist() == pytest.approx([1 / 400] * 2)


def test_total_access_equals_total_supply_when_everyone_is_served() -> None:
    a = two_step_fca(DEMAND, SUPPLY, catchment_m=1000, supply_col="capacity")
    assert (a * DEMAND["population"]).sum() == pytest.approx(40)


def test_zero_distance_pairs_are_kept() -> None:
    m = distance_matrix(DEMAND, DEMAND, 10)
    assert m.nnz == 3


def test_cost_table_instead_of_distance() -> None:
    cost = pd.DataFrame(
        {
            "origin": ["A", "B", "C", "X"],
            "destination": ["S1", "S1", "S2", "S1"],
            "cost": [5, 5, 5, 1],
        }
    )
    m = cost_matrix(cost, DEMAND["area_id"], SUPPLY["store_id"], 10)
    assert m.nnz == 3
    a = two_step_fca(DEMAND, SUPPLY, catchment_m=10, supply_col="capacity", cost=cost)
    assert a.tolist() == pytest.approx([10 / 300, 10 / 300, 0.3])


def test_no_supply_in_reach_is_zero_access() -> None:
    a = two_step_fca(DEMAND, SUPPLY, catchment_m=100)
    assert a.tolist() == [0.0, 0.0, 0.0]


def test_mismatched_bands() -> None:
    with pytest.raises(ValueError, match="one edge per weight"):
        enhanced_two_step_fca(DEMAND, SUPPLY, catchment_m=1, bands_m=[1, 2])


def test_matches_the_access_package() -> None:
    access = pytest.importorskip("access", reason="the PySAL `access` package (bench extra)")
    cost = pd.DataFrame(
        {
            "origin": ["A", "A", "B", "B", "C"],
            "dest": ["S1", "S2", "S1", "S2", "S2"],
            "cost": [500.0, 2500.0, 500.0, 1500.0, 500.0],
        }
    )
    a = access.Access(
        demand_df=pd.DataFrame(DEMAND[["area_id", "population"]]).set_index("area_id"),
        demand_value="population",
        supply_df=pd.DataFrame({"store_id": ["S1", "S2"], "capacity": [10.0, 30.0]}).set_index(
            "store_id"
        ),
        supply_value="capacity",
        cost_df=cost,
        cost_origin="origin",
        cost_dest="dest",
        cost_name="cost",
    )
    theirs = a.two_stage_fca(max_cost=1500).iloc[:, 0].reindex(["A", "B", "C"]).to_numpy()
    ours = two_step_fca(DEMAND, SUPPLY, catchment_m=1500, supply_col="capacity")
    assert ours.tolist() == pytest.approx(theirs.tolist())

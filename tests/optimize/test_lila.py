"""Need met in low-income, low-access (LILA) areas: the ``*_lila`` KPIs, by hand."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point

from equity import FoodshedError
from optimize import AllocationProblem, allocate
from optimize.problem import lila_mask
from tests.helpers import LINE_CRS as CRS
from tests.helpers import LINE_X0 as X0
from tests.helpers import LINE_Y0 as Y0
from tests.helpers import line_region as make_region


def _two_areas(**areas_extra):
    """S1 at x=0 holds 6 kg; A (x=0, 100 people) and B (x=1000, 300 people) need 6 kg each."""
    r = make_region(
        {"A": 0, "B": 1000},
        {"S1": 0},
        [("S1", "veg", 6)],
        [("A", "veg", 6), ("B", "veg", 6)],
        population={"A": 100, "B": 300},
    )
    areas = r.areas.assign(**areas_extra)
    return r.with_tables(areas=areas)


def test_lila_kpis_from_areas_column():
    r = _two_areas(LILATracts_1And10=[False, True])
    # least cost: all 6 kg to A (0 km); B, the LILA area, gets nothing
    sol = allocate(r, cost_per_kg_km=1.0)
    k = sol.kpis
    assert k["need_met_share"] == pytest.approx(0.5)
    assert k["need_met_share_lila"] == pytest.approx(0.0)
    assert k["need_lila_kg"] == pytest.approx(6.0)
    assert k["min_fulfilment_lila"] == pytest.approx(0.0)
    assert k["areas_lila"] == 1 and k["people_lila"] == pytest.approx(300.0)
    assert k["people_lila_below_50pct"] == pytest.approx(300.0)
    assert k["lila_source"].startswith("LILATracts_1And10 (areas column)")
    # max-min: 3 kg each, so the LILA area gets half its need
    fair = allocate(r, objective="maxmin").kpis
    assert fair["need_met_share_lila"] == pytest.approx(0.5)
    assert fair["min_fulfilment_lila"] == pytest.approx(0.5)


def test_lila_col_is_configurable_and_none_leaves_kpis_out():
    r = _two_areas(desert=[1, 0])
    k = allocate(r, cost_per_kg_km=1.0, lila_col="desert").kpis
    assert k["need_met_share_lila"] == pytest.approx(1.0)
    assert k["people_lila"] == pytest.approx(100.0)
    k = allocate(r, lila_col=None).kpis
    assert np.isnan(k["need_met_share_lila"]) and k["lila_source"] == ""
    # no such column and no stores to compute it from: unknown, not an error
    assert np.isnan(allocate(r).kpis["need_met_share_lila"])


def test_bad_lila_values_are_named():
    r = _two_areas(LILATracts_1And10=["yes", "no"])
    with pytest.raises(FoodshedError, match=r"'LILATracts_1And10' must be a yes/no flag.*row 1"):
        allocate(r)


def test_lila_computed_with_the_atlas_method():
    """Urban tracts; one supermarket at x=0. A (x=0) is low income but near the store; B
    (x=5000, 5 km > 1 mile) is low income and far: LILA; C (x=6000) is far but not poor."""
    r = make_region(
        {"A": 0, "B": 5000, "C": 6000},
        {"S1": 0},
        [("S1", "veg", 30)],
        [("A", "veg", 6), ("B", "veg", 6), ("C", "veg", 6)],
        population={"A": 1000, "B": 800, "C": 900},
    )
    areas = r.areas.assign(poverty_rate=[0.3, 0.25, 0.05], urban=True)
    stores = gpd.GeoDataFrame(
        {"store_id": ["M1"], "kind": ["supermarket"]}, geometry=[Point(X0, Y0)], crs=CRS
    )
    r = r.with_tables(areas=areas, stores=stores)
    mask, source = lila_mask(r)
    assert mask.tolist() == [False, True, False]
    assert "Atlas" in source
    assert lila_mask(r)[0] is mask  # computed once per region tables
    p = AllocationProblem.from_region(r)
    assert p.area_lila.tolist() == [False, True, False]
    assert p.with_budget(1.0).area_lila.tolist() == [False, True, False]  # survives changes
    k = allocate(r).kpis
    assert k["need_met_share_lila"] == pytest.approx(1.0)
    assert k["people_lila"] == pytest.approx(800.0)
    with pytest.raises(FoodshedError, match="LILATracts_halfAnd10"):
        lila_mask(r, "no_such_flag")

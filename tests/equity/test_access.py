"""Distances, counts and population points on a 3x3 grid of 1-km squares with one store."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from equity import ValidationError
from equity.access import (
    M_PER_MILE,
    access_table,
    area_points,
    count_within,
    nearest_distance,
    population_beyond,
    population_points,
)
from tests.helpers import GRID_CRS as CRS
from tests.helpers import GRID_X0 as X0
from tests.helpers import GRID_Y0 as Y0
from tests.helpers import grid3
from tests.helpers import grid_stores as stores

CENTRE = stores((1500, 1500, "supermarket"), (500, 500, "convenience"))


def test_distance_from_area_centres() -> None:
    t = access_table(grid3(), CENTRE, kinds=["supermarket"])
    d = dict(zip(t["area_id"], t["dist_supermarket_m"], strict=True))
    assert d["r1c1"] == pytest.approx(0)
    assert d["r0c1"] == pytest.approx(1000)
    assert d["r0c0"] == pytest.approx(1000 * math.sqrt(2))
    assert t["dist_supermarket_mi"].max() == pytest.approx(1000 * math.sqrt(2) / M_PER_MILE)


def test_counts_within_radius() -> None:
    t = access_table(grid3(), CENTRE, radii_mi=(0.5,))
    n = dict(zip(t["area_id"], t["n_convenience_halfmi"], strict=True))
    # 0.5 mi = 804.7 m: only the corner square's own centre is that close to (500, 500).
    assert n == {k: int(k == "r0c0") for k in n}
    assert count_within(gpd.GeoSeries([Point(X0, Y0)], crs=CRS), CENTRE, 707.2).tolist() == [1]


def test_no_store_of_a_kind_gives_inf_not_nan() -> None:
    d, i = nearest_distance(grid3().geometry, CENTRE.iloc[0:0])
    assert np.isinf(d).all() and (i == -1).all()


def test_pop_lon_lat_used_when_given() -> None:
    areas = grid3()
    lonlat = gpd.GeoSeries([Point(X0 + 1500, Y0 + 1500)] * 9, crs=CRS).to_crs(4326)
    areas["pop_lon"], areas["pop_lat"] = lonlat.x.to_numpy(), lonlat.y.to_numpy()
    t = access_table(areas, CENTRE, kinds=["supermarket"])
    assert t["dist_supermarket_m"].max() < 1e-3


def test_grid_method_splits_each_square_into_four_cells() -> None:
    pts = population_points(grid3(), method="grid", cell_m=500)
    assert len(pts) == 36
    assert set(pts["method"]) == {"grid"}
    assert pts.groupby("area_id")["population"].sum().tolist() == [1000.0] * 9
    assert pts["population"].tolist() == [250.0] * 36


def test_points_method_rescales_and_falls_back() -> None:
    sub = gpd.GeoDataFrame(
        {"point_id": ["a", "b"], "area_id": ["r0c0", "r0c0"], "population": [1, 3]},
        geometry=[Point(X0 + 100, Y0 + 100), Point(X0 + 900, Y0 + 900)],
        crs=CRS,
    )
    pts = population_points(grid3(), sub, method="points")
    own = pts[pts["area_id"] == "r0c0"]
    assert own["population"].tolist() == [250.0, 750.0]
    assert (pts[pts["area_id"] != "r0c0"]["method"] == "grid").all()
    # Distances averaged over people: 250 at 1979.9 m and 750 at 848.5 m from the centre store.
    t = access_table(grid3(), CENTRE, kinds=["supermarket"], points=pts)
    d = t.set_index("area_id")["dist_supermarket_m"]
    assert d["r0c0"] == pytest.approx(0.25 * math.hypot(1400, 1400) + 0.75 * math.hypot(600, 600))


def test_grid_points_weights_cells_by_nearest_point() -> None:
    sub = gpd.GeoDataFrame(
        {"point_id": ["a", "b"], "area_id": ["r0c0", "r0c0"], "population": [0, 8]},
        geometry=[Point(X0 + 100, Y0 + 100), Point(X0 + 700, Y0 + 700)],
        crs=CRS,
    )
    pts = population_points(grid3(), sub, method="grid_points", cell_m=500)
    own = pts[pts["area_id"] == "r0c0"].sort_values("population")
    # Three of the four cells are nearer to b; b's people spread over them equally.
    assert own["population"].tolist() == pytest.approx([0.0, 1000 / 3, 1000 / 3, 1000 / 3])
    assert set(own["method"]) == {"grid_points"}


def test_centroid_method() -> None:
    pts = population_points(grid3(), method="centroid")
    assert len(pts) == 9 and set(pts["method"]) == {"centroid"}
    assert area_points(grid3()).x.iloc[0] == pytest.approx(X0 + 500)


def test_cost_table_replaces_distance() -> None:
    cost = pd.DataFrame(
        {"origin": ["r0c0", "r0c0", "r1c1"], "destination": ["s0", "s1", "s0"], "cost": [9, 4, 2]}
    )
    t = access_table(grid3(), CENTRE, cost=cost)
    c = t.set_index("area_id")
    assert c.loc["r0c0", "cost_supermarket"] == 9
    assert c.loc["r0c0", "cost_convenience"] == 4
    assert np.isinf(c.loc["r2c2", "cost_supermarket"])


def test_geographic_crs_is_a_clear_error() -> None:
    with pytest.raises(ValidationError, match="geographic CRS"):
        access_table(grid3().to_crs(4326), CENTRE)


def test_unknown_method() -> None:
    with pytest.raises(ValueError, match="not one of"):
        population_points(grid3(), method="blocks")


def test_population_beyond_on_the_grid() -> None:
    pts = population_points(grid3(), method="grid", cell_m=500)
    sup = CENTRE[CENTRE["kind"] == "supermarket"]
    b = population_beyond(pts, sup, [0.5, 1.0])
    # Edge squares: 2 of 4 cells (500 people) beyond 1/2 mile; corners: all 4, one beyond 1 mile.
    assert b.loc["r0c1", "pop_beyond_halfmi"] == 500
    assert b.loc["r0c0", "pop_beyond_halfmi"] == 1000
    assert b.loc["r0c0", "pop_beyond_1mi"] == 250
    assert b.loc["r1c1"].tolist() == [0.0, 0.0]
    nobody = population_beyond(pts, sup.iloc[0:0], [20.0])
    assert nobody["pop_beyond_20mi"].tolist() == [1000.0] * 9

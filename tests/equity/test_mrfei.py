"""CDC mRFEI: 100 x healthy / (healthy + less healthy) within the area plus 1/2 mile."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon

from equity import Region
from equity.access import M_PER_MILE
from equity.mrfei import HEALTHY_KINDS, LESS_HEALTHY_KINDS, mrfei
from tests.helpers import grid3
from tests.helpers import grid_stores as stores


def test_mrfei_by_hand() -> None:
    s = stores(
        (500, 500, "supermarket"),
        (600, 600, "convenience"),
        (700, 700, "fast_food"),
        (2900, 2900, "farmers_market"),
    )
    m = mrfei(grid3(), s).set_axis(grid3()["area_id"])
    # r0c0 holds 1 healthy and 2 less healthy; the farmers market at (2900, 2900) is 2.6 km
    # away (more than 1/2 mile from r0c0's edge).
    assert m.loc["r0c0", "mrfei"] == pytest.approx(100 / 3)
    assert m.loc["r2c2", "mrfei"] == pytest.approx(100.0)
    # r1c1's corner (1000, 1000) is 707 m from the supermarket and 566 m from the convenience
    # store (within 804.7 m), but 1,273 m from the farmers market at (2900, 2900).
    assert m.loc["r1c1", ["n_healthy", "n_less_healthy"]].tolist() == [1, 2]


def test_no_stores_is_undefined_not_zero() -> None:
    s = stores((500, 500, "convenience"))
    m = mrfei(grid3(), s).set_axis(grid3()["area_id"])
    assert m.loc["r0c0", "mrfei"] == 0.0  # only less-healthy stores: 0
    assert np.isnan(m.loc["r2c2", "mrfei"])  # no store at all: undefined


def test_kinds_in_both_groups_are_refused() -> None:
    with pytest.raises(ValueError, match="both healthy and less healthy"):
        mrfei(grid3(), stores((0, 0, "grocery")), healthy=["grocery"], less_healthy=["grocery"])


def _buffer_counts(areas, st, buffer_m=0.5 * M_PER_MILE) -> np.ndarray:
    """The earlier implementation: stores intersecting ``shapely.buffer(area, buffer_m)``."""
    zones = shapely.buffer(areas.geometry.values, buffer_m)
    zi, si = shapely.STRtree(st.geometry.values).query(zones, predicate="intersects")
    return np.bincount(zi, minlength=len(areas))


def _exact_counts(areas, st, buffer_m=0.5 * M_PER_MILE) -> np.ndarray:
    """The definition by brute force: every (area, store) pair's GEOS distance."""
    d = shapely.distance(np.asarray(areas.geometry)[:, None], np.asarray(st.geometry)[None, :])
    return (d <= buffer_m).sum(axis=1)


def _random_case(seed: int, n_areas: int = 60, n_stores: int = 3000):
    """Irregular polygons (random convex hulls and stars, some far apart) and random stores."""
    rng = np.random.default_rng(seed)
    polys = []
    for _ in range(n_areas):
        cx, cy = rng.uniform(0, 20_000, 2)
        k = rng.integers(5, 40)
        ang = np.sort(rng.uniform(0, 2 * np.pi, k))
        rad = rng.uniform(100, 1500, k)
        polys.append(Polygon(np.column_stack([cx + rad * np.cos(ang), cy + rad * np.sin(ang)])))
    areas = gpd.GeoDataFrame({"area_id": [f"a{i}" for i in range(n_areas)]}, geometry=polys)
    areas = areas.set_crs(32617)
    areas["geometry"] = areas.geometry.make_valid()
    xy = rng.uniform(-1000, 21_000, (n_stores, 2))
    kinds = rng.choice(["supermarket", "convenience", "farmers_market", "fast_food"], n_stores)
    st = gpd.GeoDataFrame({"kind": kinds}, geometry=gpd.points_from_xy(*xy.T), crs=32617)
    return areas, st


def _band(areas, st, buffer_m=0.5 * M_PER_MILE, width_m=4.0) -> np.ndarray:
    """Per area, stores within ``width_m`` inside the half mile (where a buffer polygon's
    chords can leave them out)."""
    d = shapely.distance(np.asarray(areas.geometry)[:, None], np.asarray(st.geometry)[None, :])
    return ((d <= buffer_m) & (d > buffer_m - width_m)).sum(axis=1)


@pytest.mark.parametrize("seed", [1, 2, 3], ids=lambda s: f"seed{s}")
def test_counts_are_exactly_the_stores_within_half_a_mile(seed: int) -> None:
    areas, st = _random_case(seed)
    m = mrfei(areas, st)
    assert (m["n_healthy"] + m["n_less_healthy"]).to_numpy().tolist() == _exact_counts(
        areas, st
    ).tolist()
    # The earlier buffer method agrees except for stores in the 4-m band inside the half mile
    # that the buffer polygon's chords cut off (it can only miss stores, never add them).
    ours = (m["n_healthy"] + m["n_less_healthy"]).to_numpy()
    old = _buffer_counts(areas, st)
    assert (ours >= old).all()
    assert (ours - old <= _band(areas, st)).all()
    assert (ours - old).sum() > 0  # the case does put stores in that band (7-14 of them)


def test_demo_region_matches_the_definition_and_the_buffer_method() -> None:
    region = Region.demo()
    m = mrfei(region.areas, region.stores)
    counted = region.stores[region.stores["kind"].isin(HEALTHY_KINDS + LESS_HEALTHY_KINDS)]
    total = (m["n_healthy"] + m["n_less_healthy"]).to_numpy()
    assert total.tolist() == _exact_counts(region.areas, counted).tolist()
    old = _buffer_counts(region.areas, counted)
    assert (total >= old).all() and (total - old <= _band(region.areas, counted)).all()
    # 4 of the demo's 305 tracts gain one store 0.7-1.9 m inside the half mile
    assert int((total != old).sum()) == 4


def test_a_store_just_inside_half_a_mile_of_a_corner_counts() -> None:
    # 804 m from r0c0's corner (0, 0) at 185.625 degrees: within 1/2 mile (804.672 m) of the
    # tract, but outside shapely.buffer's corner arc, whose chords every 11.25 degrees sag
    # 3.87 m at their middle (804.672 * (1 - cos(5.625 deg))).
    t = np.radians(185.625)
    a = grid3().iloc[[0]]
    s = stores((804 * np.cos(t), 804 * np.sin(t), "supermarket"))
    assert _buffer_counts(a, s).tolist() == [0]
    assert mrfei(a, s)["n_healthy"].tolist() == [1]
    far = stores((805 * np.cos(t), 805 * np.sin(t), "supermarket"))
    assert mrfei(a, far)["n_healthy"].tolist() == [0]


def test_areas_without_geometry_and_stores_of_other_kinds_count_nothing() -> None:
    a = grid3()
    a.loc[4, "geometry"] = None
    s = stores((1500, 1500, "supermarket"), (1500, 1500, "pharmacy"))
    m = mrfei(a, s).set_axis(a["area_id"])
    assert m.loc["r1c1", "n_healthy"] == 0 and m.loc["r0c0", "n_healthy"] == 1
    assert m["n_less_healthy"].sum() == 0
    assert mrfei(a, s.iloc[:0])["mrfei"].isna().all()

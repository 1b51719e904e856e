"""People placed from block populations (the Atlas's own method), checked by hand.

Two 1 km square tracts side by side (UTM 17N), 1,000 people each, on a 500 m grid:

- tract ``a`` (x 0-1 km) is two blocks: ``homes``, its western half (x 0-500 m), where
  everyone lives, and ``river``, its eastern half, with nobody;
- tract ``b`` (x 1-2 km) has no blocks and keeps the even grid: 250 people in each cell.

A supermarket 300 m west of tract ``a``, at y 500 m. The cell centres of ``a`` lie at
x 250 m and 750 m, y 250 m and 750 m, so the western cells are hypot(550, 250) = 604.2 m from
the store and the eastern ones hypot(1050, 250) = 1,079.4 m. Half a mile is 804.7 m. Spread
evenly, 500 of ``a``'s people (50%) live beyond half a mile: low access at 1/2 mile. Placed by
their blocks, everyone lives in the western cells, nobody beyond half a mile: not low access.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, box

from equity import Region, ValidationError, analyze
from equity.access import assign_blocks, population_points
from equity.atlas import atlas_classify
from equity.partition import atlas_by_partition
from tests.helpers import GRID_CRS as CRS
from tests.helpers import GRID_X0 as X0
from tests.helpers import GRID_Y0 as Y0

HALF_MILE_M = 804.672


def sq(x0: float, y0: float, x1: float, y1: float):
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def tracts(**cols: object) -> gpd.GeoDataFrame:
    data = {"area_id": ["a", "b"], "population": [1000.0, 1000.0], **cols}
    return gpd.GeoDataFrame(data, geometry=[sq(0, 0, 1000, 1000), sq(1000, 0, 2000, 1000)], crs=CRS)


def blocks(homes: float = 1000.0, river: float = 0.0, col: str = "POP10") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"GEOID10": ["homes", "river"], col: [homes, river]},
        geometry=[sq(0, 0, 500, 1000), sq(500, 0, 1000, 1000)],
        crs=CRS,
    )


def store() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"store_id": ["s0"], "kind": ["supermarket"]},
        geometry=[Point(X0 - 300, Y0 + 500)],
        crs=CRS,
    )


def cells(pts: gpd.GeoDataFrame, area_id: str) -> dict[tuple[float, float], float]:
    own = pts[pts["area_id"] == area_id]
    xy = zip(own.geometry.x - X0, own.geometry.y - Y0, strict=True)
    return dict(zip(xy, own["population"], strict=True))


# ------------------------------------------------------------------------------ placement
def test_nobody_is_placed_on_the_river_block() -> None:
    pts = population_points(tracts(), population_blocks=blocks(), block_population_col="POP10")
    assert cells(pts, "a") == {(250, 250): 500, (750, 250): 0, (250, 750): 500, (750, 750): 0}
    assert set(pts.loc[pts["area_id"] == "a", "method"]) == {"grid_blocks"}
    # tract b has no blocks: today's even grid
    assert cells(pts, "b") == {
        (1250, 250): 250,
        (1750, 250): 250,
        (1250, 750): 250,
        (1750, 750): 250,
    }
    assert set(pts.loc[pts["area_id"] == "b", "method"]) == {"grid"}


def test_block_counts_are_rescaled_to_the_tract_total() -> None:
    # Blocks of another count (400 people) only say where the tract's 1,000 live.
    pts = population_points(
        tracts(), population_blocks=blocks(homes=400), block_population_col="POP10"
    )
    assert cells(pts, "a")[(250, 250)] == 500


def test_a_block_across_cells_is_shared_by_area() -> None:
    # A 500 x 500 m block with 60 people straddling the two bottom cells (x 250-750 m), the
    # rest of the tract (750,000 m2) one block with 40: each bottom cell gets 30 of the strip
    # and 40 * 125,000 / 750,000 = 6.67 of the rest; each top cell 40 * 250,000 / 750,000.
    strip = sq(250, 0, 750, 500)
    rest = sq(0, 0, 1000, 1000).difference(strip)
    b = gpd.GeoDataFrame({"population": [60, 40]}, geometry=[strip, rest], crs=CRS)
    one = tracts(population=[100.0, 1000.0])
    got = cells(population_points(one, population_blocks=b), "a")
    assert got == pytest.approx(
        {(250, 250): 30 + 20 / 3, (750, 250): 30 + 20 / 3, (250, 750): 40 / 3, (750, 750): 40 / 3}
    )


def test_blocks_in_another_crs_are_projected() -> None:
    wgs = blocks().to_crs("EPSG:4326")
    pts = population_points(tracts(), population_blocks=wgs, block_population_col="POP10")
    got = cells(pts, "a")
    assert [got[k] for k in sorted(got)] == pytest.approx([500, 500, 0, 0], abs=0.5)


def test_blocks_with_nobody_keep_the_even_grid() -> None:
    pts = population_points(
        tracts(), population_blocks=blocks(homes=0), block_population_col="POP10"
    )
    assert set(cells(pts, "a").values()) == {250}
    assert set(pts.loc[pts["area_id"] == "a", "method"]) == {"grid"}


def test_blocks_win_over_the_method_asked_for() -> None:
    pts = population_points(
        tracts(), method="centroid", population_blocks=blocks(), block_population_col="POP10"
    )
    assert set(pts.loc[pts["area_id"] == "a", "method"]) == {"grid_blocks"}
    assert pts.loc[pts["area_id"] == "b", "method"].tolist() == ["centroid"]


# ------------------------------------------------------------------------------ the flags
def classify(**kw):
    areas = tracts(urban=[True, True], poverty_rate=[0.25, 0.25])
    return atlas_classify(areas, store(), state_median_income=60_000, **kw).set_index("area_id")


def test_the_distances_by_hand() -> None:
    west, east = math.hypot(550, 250), math.hypot(1050, 250)
    assert west < HALF_MILE_M < east


def test_block_placement_changes_the_half_mile_flag() -> None:
    even = classify()
    placed = classify(population_blocks=blocks(), block_population_col="POP10")
    assert even.loc["a", "lapophalf"] == pytest.approx(500)
    assert bool(even.loc["a", "LAhalfand10"]) and bool(even.loc["a", "LILATracts_halfAnd10"])
    assert placed.loc["a", "lapophalf"] == 0
    assert not placed.loc["a", "LAhalfand10"] and not placed.loc["a", "LILATracts_halfAnd10"]
    assert placed.loc["a", "pop_method"] == "grid_blocks"
    # tract b is unchanged: all its cells are more than half a mile from the store
    assert placed.loc["b", "lapophalf"] == even.loc["b", "lapophalf"] == pytest.approx(1000)


def test_analyze_passes_the_blocks_on() -> None:
    region = Region.from_frames(tracts(urban=[True, True], poverty_rate=[0.25, 0.25]), store())
    out = analyze(
        region,
        population_blocks=blocks(),
        block_population_col="POP10",
        state_median_income=60_000,
    ).set_index("area_id")
    assert out.loc["a", "lapophalf"] == 0
    assert out.loc["a", "pop_method"] == "grid_blocks"
    assert out.loc["b", "pop_method"] == "grid"


def test_partitions_get_their_own_blocks() -> None:
    areas = tracts(urban=[True, True], poverty_rate=[0.25, 0.25], part=["x", "y"])
    kw = {"population_blocks": blocks(), "block_population_col": "POP10"}
    whole = atlas_classify(areas, store(), state_median_income=60_000, **kw)
    parts = atlas_by_partition(areas, store(), by="part", state_median_income=60_000, **kw)
    assert parts.attrs["partitions"] == 2
    pd.testing.assert_frame_equal(parts, whole, check_like=True)
    assert parts.set_index("area_id").loc["a", "lapophalf"] == 0


# ------------------------------------------------------------------------------ bad input
def bad_blocks(case: str) -> tuple[gpd.GeoDataFrame, str]:
    b = blocks()
    if case == "missing column":
        return b.rename(
            columns={"POP10": "people"}
        ), r"missing column 'POP10'.*block_population_col="
    if case == "text":
        b["POP10"] = pd.Series(["1000", "many"], dtype=object)
        return b, r"not finite numbers \(first: 'many'\) at rows 2 \(index 1\)"
    if case == "missing value":
        b["POP10"] = [1000.0, np.nan]
        return b, r"1 value\(s\) that are not finite numbers .* rows 2"
    if case == "negative":
        b["POP10"] = [1000, -1]
        return b, r"1 negative value\(s\) \(first: -1\) at rows 2 .*0 or more"
    if case == "outside":
        far = gpd.GeoDataFrame(
            {"POP10": [5]}, geometry=[sq(5000, 5000, 5100, 5100)], crs=CRS, index=[7]
        )
        return pd.concat(
            [b, far]
        ), r"1 of 3 block\(s\) lie outside every area, at rows 3 \(index 7\)"
    if case == "no crs":
        return b.set_crs(None, allow_override=True), r"`population_blocks` has no CRS.*set_crs"
    if case == "not a polygon":
        b = b.copy()
        b.loc[1, "geometry"] = LineString([(X0, Y0), (X0 + 10, Y0)])
        return b, r"not a polygon, at rows 2 \(index 1\); give each block"
    raise AssertionError(case)


@pytest.mark.parametrize(
    "case",
    ["missing column", "text", "missing value", "negative", "outside", "no crs", "not a polygon"],
    ids=lambda c: c.replace(" ", "-"),
)
def test_bad_blocks_are_refused_in_plain_words(case: str) -> None:
    b, match = bad_blocks(case)
    with pytest.raises(ValidationError, match=match):
        population_points(tracts(), population_blocks=b, block_population_col="POP10")


def test_every_value_problem_is_reported_at_once() -> None:
    b = blocks()
    b["POP10"] = pd.Series(["x", -3], dtype=object)
    with pytest.raises(ValidationError) as err:
        assign_blocks(tracts(), b, population_col="POP10")
    assert len(err.value.problems) == 2
    assert {p.column for p in err.value.problems} == {"POP10"}

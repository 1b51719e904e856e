"""Every contract rule, triggered by a bad input, with the exact message it gives."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon, box

from equity import Problem, Region, ValidationError
from equity.validate import check_table

# A 2 x 2 grid of 1 km squares in UTM zone 17N (Pittsburgh's zone), x 500-502 km, y 4,400 km.
X0, Y0 = 500_000.0, 4_400_000.0
UTM = "EPSG:32617"


def grid_areas() -> gpd.GeoDataFrame:
    cells = [
        box(X0 + i * 1000, Y0 + j * 1000, X0 + (i + 1) * 1000, Y0 + (j + 1) * 1000)
        for j in range(2)
        for i in range(2)
    ]
    return gpd.GeoDataFrame(
        {
            "area_id": ["a1", "a2", "a3", "a4"],
            "population": [100, 200, 300, 400],
            "poverty_rate": [0.1, 0.2, 0.3, 0.05],
        },
        geometry=cells,
        crs=UTM,
    )


def pts(ids: list[str], xy: list[tuple[float, float]], **cols: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {**cols}, geometry=[Point(X0 + x, Y0 + y) for x, y in xy], crs=UTM
    ).assign(**{"_id": ids})


def stores(**over: list) -> gpd.GeoDataFrame:
    g = gpd.GeoDataFrame(
        {"store_id": ["s1", "s2"], "kind": ["supermarket", "convenience"]},
        geometry=[Point(X0 + 500, Y0 + 500), Point(X0 + 1500, Y0 + 1500)],
        crs=UTM,
    )
    for k, v in over.items():
        g[k] = v
    return g


def sites() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"site_id": ["g1", "h1"], "kind": ["garden", "hub"], "throughput_kg": [50, 5000]},
        geometry=[Point(X0 + 200, Y0 + 1800), Point(X0 + 1800, Y0 + 200)],
        crs=UTM,
    )


def commodities() -> pd.DataFrame:
    return pd.DataFrame(
        {"commodity": ["kale", "rice"], "unit": ["bunch", "kg"], "kg_per_unit": [0.3, 1.0]}
    )


def supply() -> pd.DataFrame:
    return pd.DataFrame(
        {"site_id": ["g1", "h1"], "commodity": ["kale", "rice"], "quantity": [10, 100]}
    )


def build(**tables: object) -> Region:
    base = {
        "areas": grid_areas(),
        "stores": stores(),
        "sites": sites(),
        "commodities": commodities(),
        "supply": supply(),
    }
    base.update(tables)
    return Region.from_frames(**base)


def refused(**tables: object) -> list[str]:
    """The problems ``build(**tables)`` is refused with, as a user reads them."""
    with pytest.raises(ValidationError) as exc:
        build(**tables)
    return [str(p) for p in exc.value.problems]


def test_valid_region_builds_in_the_given_metric_crs() -> None:
    region = build()
    assert region.crs.to_epsg() == 32617
    assert region.areas["area_id"].tolist() == ["a1", "a2", "a3", "a4"]
    assert region.summary()["population"] == 1000
    assert region.problems == ()


def test_utm_zone_is_estimated_from_wgs84_areas() -> None:
    areas = grid_areas().to_crs(4326)
    region = Region.from_frames(areas)
    assert region.crs.to_epsg() == 32617
    # Geometry is held in metres: each cell is 1 km^2.
    assert region.areas.area.round(-3).tolist() == [1_000_000.0] * 4


def test_missing_column_suggests_the_close_match() -> None:
    areas = grid_areas().rename(columns={"population": "pop"})
    assert refused(areas=areas) == [
        "error: areas, column 'population': `areas` is missing column 'population'; found "
        "['area_id', 'pop', 'poverty_rate']. Did you mean 'pop'? Rename it or map it with "
        "columns={'pop': 'population'}."
    ]


def test_column_mapping_renames_and_reports_unknown_names() -> None:
    areas = grid_areas().rename(columns={"population": "POP100"})
    region = Region.from_frames(areas, columns={"areas": {"POP100": "population"}})
    assert region.areas["population"].sum() == 1000
    with pytest.raises(ValidationError, match=r"column mapping names 'POPX', which is not in"):
        Region.from_frames(grid_areas(), columns={"areas": {"POPX": "population"}})


def test_column_names_match_case_insensitively() -> None:
    areas = grid_areas().rename(columns={"population": "Population", "area_id": "AREA_ID"})
    assert Region.from_frames(areas).areas["population"].sum() == 1000


def test_every_problem_is_reported_at_once() -> None:
    areas = grid_areas()
    areas["population"] = [100, -5, "many", None]
    bad_stores = stores(store_id=["s1", "s1"], kind=["supermarket", "grocry"])
    with pytest.raises(ValidationError) as exc:
        build(areas=areas, stores=bad_stores)
    assert [str(p) for p in exc.value.problems] == [
        "error: areas, row 3, column 'population': 'population' must be a number; found 'many'",
        "error: areas, row 4, column 'population': 'population' is missing (NaN); a number is "
        "required",
        "error: areas, row 2, column 'population': 'population' must be at least 0; found -5 "
        "(negative)",
        "error: stores, row 2, column 'kind': 'kind' 'grocry' is not a known kind; use one of "
        "supermarket, grocery, convenience, farmers_market, dollar_store, pharmacy, specialty, "
        "fast_food, other. Did you mean 'grocery'?",
        "error: stores, row 2, column 'store_id': duplicate 'store_id' 's1', first seen at row 1; "
        "ids must be unique",
    ]
    assert "5 problem(s) in the input data:" in str(exc.value)
    assert isinstance(exc.value, ValueError)


def test_share_given_as_percentage_gets_a_hint() -> None:
    areas = grid_areas()
    areas["poverty_rate"] = [10.0, 20.0, 0.3, 0.05]
    assert refused(areas=areas)[0] == (
        "error: areas, row 1, column 'poverty_rate': 'poverty_rate' must be at most 1; found 10. "
        "It looks like a percentage (0-100): divide the column by 100."
    )


def test_unknown_references_name_the_row_and_suggest() -> None:
    bad = supply()
    bad.loc[1, "site_id"] = "h2"
    bad.loc[0, "commodity"] = "kael"
    assert refused(supply=bad) == [
        "error: supply, row 2, column 'site_id': 'site_id' 'h2' is not in `sites`. Known ids "
        "start ['g1', 'h1'].",
        "error: supply, row 1, column 'commodity': 'commodity' 'kael' is not in `commodities`. "
        "Did you mean 'kale'?",
    ]


def test_duplicate_composite_key() -> None:
    bad = pd.concat([supply(), supply().iloc[[0]]], ignore_index=True)
    assert refused(supply=bad) == [
        "error: supply, row 3, column 'site_id': duplicate (site_id, commodity) ('g1', 'kale'), "
        "first seen at row 1; ids must be unique"
    ]


def test_kg_per_unit_must_be_positive() -> None:
    bad = commodities()
    bad.loc[0, "kg_per_unit"] = 0
    assert refused(commodities=bad) == [
        "error: commodities, row 1, column 'kg_per_unit': 'kg_per_unit' must be greater than 0; "
        "found 0"
    ]


def test_substitute_for_itself_is_an_error() -> None:
    subs = pd.DataFrame({"commodity": ["kale"], "substitute": ["kale"], "acceptability": [0.5]})
    with pytest.raises(ValidationError, match="a commodity cannot substitute for itself"):
        build(substitutes=subs)


def test_invalid_geometry_is_repaired_with_a_warning() -> None:
    areas = grid_areas()
    bowtie = Polygon([(X0, Y0), (X0 + 1000, Y0 + 1000), (X0 + 1000, Y0), (X0, Y0 + 1000)])
    areas.loc[0, "geometry"] = bowtie
    region = build(areas=areas)
    assert [str(p) for p in region.problems] == [
        "warning: areas, row 1, column 'geometry': geometry was invalid (Self-intersection"
        "[500500 4400500]); repaired with make_valid"
    ]
    assert region.areas.geometry.iloc[0].is_valid
    assert region.areas.geometry.iloc[0].area == pytest.approx(500_000)


def test_empty_and_wrong_type_geometries() -> None:
    areas = grid_areas()
    areas.loc[1, "geometry"] = Polygon()
    areas.loc[2, "geometry"] = Point(X0, Y0)
    assert [m for m in refused(areas=areas) if m.startswith("error")] == [
        "error: areas, row 2, column 'geometry': geometry is empty or missing",
        "error: areas, row 3, column 'geometry': geometry is a Point; areas need Polygon or "
        "MultiPolygon geometry",
    ]


def test_missing_crs_is_an_error() -> None:
    areas = grid_areas().set_crs(None, allow_override=True)
    with pytest.raises(
        ValidationError,
        match=r"`areas` has no CRS; add a .prj/CRS to the file "
        r"or pass crs= when loading",
    ):
        Region.from_frames(areas)


def test_mixed_crs_are_reprojected_with_a_warning() -> None:
    region = build(stores=stores().to_crs(4326))
    assert [p.message for p in region.problems] == [
        "tables come in different CRSs (areas in EPSG:32617, stores in EPSG:4326, sites in "
        "EPSG:32617); all were reprojected to EPSG:32617 (WGS 84 / UTM zone 17N)"
    ]
    assert region.stores.geometry.iloc[0].x == pytest.approx(X0 + 500, abs=1e-3)


def test_geographic_target_crs_is_refused() -> None:
    with pytest.raises(ValidationError, match="is geographic; distances need a projected"):
        Region.from_frames(grid_areas(), crs="EPSG:4326")


def test_points_outside_every_area() -> None:
    near = stores()
    near.loc[1, "geometry"] = Point(X0 + 3000, Y0 + 500)  # 1 km east of the grid: a warning
    region = build(stores=near)
    assert [str(p) for p in region.problems] == [
        "warning: stores, column 'geometry': 1 point(s) lie outside every area but within 20 "
        "miles (rows 2); they are kept, since they can still serve the region"
    ]
    far = stores()
    far.loc[0, "geometry"] = Point(X0 + 100_000, Y0)  # 98 km = 60.9 miles away: an error
    assert refused(stores=far) == [
        "error: stores, row 1, column 'geometry': point lies 60.9 miles from every area; check "
        "its coordinates (swapped longitude/latitude, or a wrong CRS?)"
    ]


def test_bool_and_empty_id_rules() -> None:
    areas = grid_areas()
    areas["urban"] = ["yes", "N", "maybe", True]
    areas["area_id"] = ["a1", "a2", "a3", " "]
    assert refused(areas=areas) == [
        "error: areas, row 4, column 'area_id': 'area_id' is empty; every row needs one",
        "error: areas, row 3, column 'urban': 'urban' must be true/false (or 1/0, yes/no); found "
        "'maybe'",
    ]


def test_numeric_ids_become_text_without_decimals() -> None:
    areas = grid_areas()
    areas["area_id"] = [42003010300.0, 42003010400.0, 42003010500.0, 42003010600.0]
    region = Region.from_frames(areas)
    assert region.areas["area_id"].tolist()[0] == "42003010300"


def test_need_is_derived_from_a_per_capita_basket() -> None:
    comm = commodities().assign(per_capita=[0.5, np.nan])
    region = build(commodities=comm)
    assert region.need["commodity"].unique().tolist() == ["kale"]
    assert region.need["quantity"].tolist() == [50.0, 100.0, 150.0, 200.0]
    assert region.provenance["need"] == "derived: population x commodities.per_capita"


def test_periods_select_and_default() -> None:
    seasonal = pd.DataFrame(
        {
            "site_id": ["g1", "g1", "h1"],
            "commodity": ["kale"] * 2 + ["rice"],
            "quantity": [10, 2, 100],
            "period": ["summer", "winter", None],
        }
    )
    region = build(supply=seasonal)
    assert region.periods == ["summer", "winter"]
    assert region.default_period == "summer"
    winter = region.select_period("winter")
    assert winter.supply["quantity"].tolist() == [2.0, 100.0]
    assert "period" not in winter.supply.columns
    with pytest.raises(ValueError, match=r"period 'spring' is not in this region; known periods"):
        region.select_period("spring")


def test_check_table_does_not_modify_its_input() -> None:
    areas = grid_areas()
    areas["population"] = ["1", "2", "3", "4"]
    before = areas.copy()
    cleaned, problems = check_table("areas", areas)
    pd.testing.assert_frame_equal(areas, before)
    assert problems == []
    assert cleaned is not None and cleaned["population"].dtype == float


def test_problem_location_formatting() -> None:
    p = Problem("stores", "bad", file="stores.csv", row=3, column="kind")
    assert str(p) == "error: stores.csv, row 3, column 'kind': bad"


def test_nullable_boolean_column_with_missing_values() -> None:
    areas = grid_areas()
    areas["urban"] = pd.array([True, pd.NA, False, True], dtype="boolean")
    region = Region.from_frames(areas)
    assert region.areas["urban"].tolist()[0] is True
    assert pd.isna(region.areas["urban"].tolist()[1])

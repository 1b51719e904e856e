"""The bundled demo region (Riverton): it loads cleanly, holds what data/README.md says, and
``data/make_demo.py`` regenerates it."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.spatial import cKDTree

from equity import Region
from equity.access import M_PER_MILE
from equity.region import demo_dir

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = ROOT / "data" / "make_demo.py"
MILE_M = M_PER_MILE
SEASONS = ["spring", "summer", "fall", "winter"]


@pytest.fixture(scope="module")
def demo() -> Region:
    return Region.demo()


@pytest.fixture(scope="module")
def make_demo():
    if not GENERATOR.exists():
        pytest.skip("data/make_demo.py is only in a source checkout")
    spec = importlib.util.spec_from_file_location("make_demo", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _kg(region: Region, table: str, period: str) -> float:
    kg = region.commodities.set_index("commodity")["kg_per_unit"]
    df = getattr(region, table)
    df = df[df["period"] == period]
    return float((df["quantity"] * df["commodity"].map(kg)).sum())


def _supermarket_distance_m(region: Region) -> np.ndarray:
    """Distance from each area's population centre to the nearest supermarket."""
    pts = gpd.GeoSeries(
        gpd.points_from_xy(region.areas["pop_lon"], region.areas["pop_lat"]), crs="EPSG:4326"
    ).to_crs(region.crs)
    sup = region.stores.loc[region.stores["kind"] == "supermarket"].geometry
    dist, _ = cKDTree(np.c_[sup.x, sup.y]).query(np.c_[pts.x, pts.y])
    return dist


def _low_income(region: Region) -> np.ndarray:
    area_mfi = float(region.provenance["area_median_family_income"])
    a = region.areas
    return ((a["poverty_rate"] >= 0.20) | (a["median_family_income"] <= 0.8 * area_mfi)).to_numpy()


# ------------------------------------------------------------------------------ loading
def test_demo_loads_without_problems(demo: Region) -> None:
    assert demo.name == "Riverton (fictional demo city)"
    assert demo.problems == ()
    assert demo_dir().joinpath("region.toml").exists()


def test_crs_is_utm_16n_in_metres(demo: Region) -> None:
    assert demo.crs.to_epsg() == 32616
    assert demo.crs.axis_info[0].unit_name == "metre"
    # Riverton sits in west-central Indiana.
    lon, lat = demo.areas["pop_lon"].mean(), demo.areas["pop_lat"].mean()
    assert -87.6 < lon < -86.9
    assert 40.1 < lat < 40.7


def test_periods_and_default(demo: Region) -> None:
    assert demo.periods == SEASONS
    assert demo.default_period == "summer"
    summer = demo.select_period("summer")
    assert len(summer.need) == len(demo.areas) * len(demo.commodities)


# ------------------------------------------------------------------------------ invariants
@pytest.mark.parametrize(
    ("table", "key"),
    [
        ("areas", ["area_id"]),
        ("stores", ["store_id"]),
        ("sites", ["site_id"]),
        ("commodities", ["commodity"]),
        ("supply", ["site_id", "commodity", "period"]),
        ("need", ["area_id", "commodity", "period"]),
        ("substitutes", ["commodity", "substitute"]),
    ],
    ids=lambda v: v if isinstance(v, str) else "+".join(v),
)
def test_keys_unique(demo: Region, table: str, key: list[str]) -> None:
    df = getattr(demo, table)
    assert len(df) > 0
    assert not df.duplicated(key).any()


def test_references_resolve(demo: Region) -> None:
    commodities = set(demo.commodities["commodity"])
    assert set(demo.supply["site_id"]) <= set(demo.sites["site_id"])
    assert set(demo.supply["commodity"]) <= commodities
    assert set(demo.need["area_id"]) == set(demo.areas["area_id"])
    assert set(demo.need["commodity"]) == commodities
    assert set(demo.substitutes["commodity"]) | set(demo.substitutes["substitute"]) <= commodities
    assert (demo.substitutes["commodity"] != demo.substitutes["substitute"]).all()


def test_areas_tile_without_overlap(demo: Region) -> None:
    geom = demo.areas.geometry
    assert geom.is_valid.all()
    assert set(geom.geom_type) <= {"Polygon", "MultiPolygon"}
    union = shapely.union_all(geom.to_numpy())
    assert geom.area.sum() == pytest.approx(union.area, rel=1e-4)
    assert 1500 < union.area / 1e6 < 3000  # km2: a county-sized city region
    # Two river banks, each covered without holes.
    banks = shapely.get_parts(union)
    assert len(banks) == 2
    assert all(len(b.interiors) == 0 for b in banks)


def test_population_centres_inside_their_areas(demo: Region) -> None:
    pts = gpd.GeoSeries(
        gpd.points_from_xy(demo.areas["pop_lon"], demo.areas["pop_lat"]), crs="EPSG:4326"
    ).to_crs(demo.crs)
    assert demo.areas.geometry.buffer(1).contains(pts, align=False).all()


def test_population_points_add_up_to_their_areas(demo: Region) -> None:
    pts = demo.population_points
    assert len(pts) == 6 * len(demo.areas)
    sums = pts.groupby("area_id")[["population", "households", "households_no_vehicle"]].sum()
    a = demo.areas.set_index("area_id")
    for col in sums.columns:
        assert (sums[col] == a.loc[sums.index, col]).all(), col
    assert (pts["households_no_vehicle"] <= pts["households"]).all()
    polys = a.loc[pts["area_id"]].geometry.to_numpy()
    assert shapely.contains(polys, pts.geometry.to_numpy()).all()


def test_area_attributes_consistent(demo: Region) -> None:
    a = demo.areas
    assert (a["households_no_vehicle"] <= a["households"]).all()
    assert (a["snap_households"] <= a["households"]).all()
    assert (a["households"] < a["population"]).all()
    assert a["poverty_rate"].between(0, 1).all()
    assert a["food_insecurity_rate"].between(0, 1).all()
    assert a["median_family_income"].between(15_000, 250_000).all()
    assert a["urban"].any() and not a["urban"].all()


def test_totals_and_counts(demo: Region) -> None:
    assert 250 <= len(demo.areas) <= 350
    assert 500_000 <= demo.areas["population"].sum() <= 800_000
    assert 300 <= len(demo.stores) <= 400
    stores = demo.stores["kind"].value_counts()
    assert 55 <= stores["supermarket"] <= 90
    assert stores["convenience"] > stores["grocery"] > stores["farmers_market"] >= 8
    sites = demo.sites["kind"].value_counts()
    assert 24 <= sites["garden"] <= 48
    assert 3 <= sites["hub"] <= 8
    assert 10 <= sites["pantry"] <= 30
    assert 10 <= len(demo.commodities) <= 20
    assert set(demo.commodities["group"]) == {"produce", "grains", "protein", "dairy"}
    for item in ("collard_greens", "callaloo", "bok_choy", "masa_harina", "plantains"):
        assert item in set(demo.commodities["commodity"])


def test_income_gradient(demo: Region) -> None:
    a = demo.areas
    east = a[a["name"].str.endswith("Eastside")]
    northwest = a[a["name"].str.endswith("Northwest Hills")]
    assert len(east) >= 5 and len(northwest) >= 5
    assert east["poverty_rate"].mean() > 0.25 > 0.08 > northwest["poverty_rate"].mean()
    assert east["median_family_income"].mean() < 0.6 * northwest["median_family_income"].mean()


# ------------------------------------------------------------------------------ seasons, supply
def test_gardens_produce_only_in_season(demo: Region) -> None:
    kind = demo.sites.set_index("site_id")["kind"]
    s = demo.supply.assign(kind=demo.supply["site_id"].map(kind))
    gardens = s[s["kind"] == "garden"]
    assert "winter" not in set(gardens["period"])
    produce = set(demo.commodities.loc[demo.commodities["group"] == "produce", "commodity"])
    assert set(gardens["commodity"]) <= produce
    hubs = s[s["kind"] == "hub"]
    for hub, rows in hubs.groupby("site_id"):
        assert set(rows["period"]) == set(SEASONS), hub


def test_supply_covers_part_of_need(demo: Region) -> None:
    ratio = {p: _kg(demo, "supply", p) / _kg(demo, "need", p) for p in SEASONS}
    assert 0.5 <= ratio["summer"] <= 0.8
    assert ratio["summer"] == max(ratio.values())
    assert all(0.4 <= r < 1 for r in ratio.values())


def test_throughput_is_not_exceeded_by_supply(demo: Region) -> None:
    kg = demo.commodities.set_index("commodity")["kg_per_unit"]
    s = demo.supply.assign(kg=demo.supply["quantity"] * demo.supply["commodity"].map(kg))
    weekly = s.groupby(["site_id", "period"])["kg"].sum().groupby("site_id").max()
    cap = demo.sites.set_index("site_id")["throughput_kg"]
    assert (weekly <= cap.loc[weekly.index] + 1e-6).all()


# ------------------------------------------------------------------------------ food access
def test_food_deserts_and_served_low_income_areas(demo: Region) -> None:
    dist = _supermarket_distance_m(demo)
    li = _low_income(demo)
    urban = demo.areas["urban"].to_numpy(dtype=bool)
    density = (demo.areas["population"] / (demo.areas.geometry.area / 1e6)).to_numpy()
    far = np.where(urban, dist > MILE_M, dist > 10 * MILE_M)
    assert 60 <= li.sum() <= 140
    # Genuine food deserts: urban low-income tracts more than a mile from any supermarket.
    assert (li & urban & far).sum() >= 10
    # And dense low-income tracts that are *not* deserts.
    assert (li & urban & (density >= 1500) & (dist <= MILE_M)).sum() >= 8
    # The east-side belt has no supermarket at all; its deserts are more than a mile out.
    east = demo.areas["name"].str.endswith("Eastside").to_numpy()
    assert (li & east & far).sum() >= 4


def test_figures_match_an_independent_count(demo: Region, make_demo) -> None:
    fig = make_demo.figures(demo)
    dist = _supermarket_distance_m(demo)
    li = _low_income(demo)
    urban = demo.areas["urban"].to_numpy(dtype=bool)
    far = np.where(urban, dist > MILE_M, dist > 10 * MILE_M)
    assert fig["areas"] == len(demo.areas)
    assert fig["low_income_areas"] == li.sum()
    assert fig["food_desert_areas"] == (li & far).sum()


def test_readme_quotes_current_figures(demo: Region, make_demo) -> None:
    readme = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    fig = make_demo.figures(demo)
    stores = fig["stores_by_kind"]
    ratio = fig["supply_need_ratio_kg"]
    expected = [
        f"| tracts | {fig['areas']} ({fig['urban_areas']} urban, "
        f"{fig['areas'] - fig['urban_areas']} rural) |",
        f"| population | {fig['population']:,} (",
        f"| stores | {len(demo.stores)}: {stores['supermarket']} supermarket, "
        f"{stores['grocery']} grocery, {stores['convenience']} convenience,",
        f"| low-income tracts (poverty >= 20% or MFI <= 80% of the area median) | "
        f"{fig['low_income_areas']} |",
        f"| **{fig['food_desert_areas']}** ({fig['food_desert_population']:,} people) |",
        f"| {fig['low_access_areas_atlas']} / {fig['food_desert_areas_atlas']} |",
        f"| {fig['dense_low_income_within_1_mile']} |",
        f"summer {ratio['summer']:.2f}",
    ]
    for text in expected:
        assert text in readme, f"data/README.md is stale: expected {text!r}"


# ------------------------------------------------------------------------------ regeneration
def _compare(a: pd.DataFrame, b: pd.DataFrame) -> None:
    a = pd.DataFrame(a.drop(columns=a.geometry.name) if isinstance(a, gpd.GeoDataFrame) else a)
    b = pd.DataFrame(b.drop(columns=b.geometry.name) if isinstance(b, gpd.GeoDataFrame) else b)
    pd.testing.assert_frame_equal(a, b, check_dtype=False, check_exact=False, rtol=1e-6, atol=1e-6)


@pytest.mark.slow
def test_generator_reproduces_the_bundled_files(demo: Region, make_demo, tmp_path: Path) -> None:
    make_demo.write(tmp_path / "demo")
    again = Region.from_dir(tmp_path / "demo")
    assert again.problems == ()
    assert again.name == demo.name
    assert again.provenance == demo.provenance
    for table in ("areas", "stores", "sites", "commodities", "supply", "need", "substitutes"):
        _compare(getattr(again, table), getattr(demo, table))
    for table in ("areas", "stores", "sites"):
        a = getattr(again, table).geometry.to_numpy()
        b = getattr(demo, table).geometry.to_numpy()
        assert (shapely.hausdorff_distance(a, b) < 1.0).all(), table  # metres
    # the roads' layer is named, not after the temporary file the write went through
    roads = json.loads((tmp_path / "demo" / "roads.geojson").read_text(encoding="utf-8"))
    assert roads["name"] == "roads"

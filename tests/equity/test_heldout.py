"""Regions without tract polygons, SNAP lists of several years, and the held-out proxies
(Fulton and DeKalb Counties, GA; Honolulu County, HI) checked against the Atlas 2019."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from equity import ValidationError, analyze
from equity._sources_common import utm_crs
from equity.region import metric_crs
from equity.sources import (
    assemble_us_region,
    county_region,
    read_snap_retailers,
    tracts_from_points,
)

HISTORY = (
    "Record ID,Store Name,Store Type,City,State,County,Latitude,Longitude,"
    "Authorization Date,End Date\n"
    "1,Ended Mart,Convenience Store,Honolulu,HI,HONOLULU,21.30,-157.85,01/05/2004,03/01/2018\n"
    "2,Open Foods,Supermarket,Honolulu,HI,HONOLULU,21.31,-157.86,02/11/2008,\n"
    "3,Later Market,Super Store,Honolulu,HI,HONOLULU,21.32,-157.84,07/01/2019,\n"
    "4,Spell Two,Small Grocery Store,Hilo,HI,HAWAII,19.69,-155.07,01/01/2015,12/31/2019\n"
)


def test_active_on_keeps_the_stores_authorised_that_day(tmp_path: Path) -> None:
    p = tmp_path / "hawaii_history.csv"
    p.write_text(HISTORY)
    got = read_snap_retailers(p, active_on="2019-06-30")
    assert sorted(got["name"]) == ["Open Foods", "Spell Two"]  # ended 2018; starts July 2019
    assert "2 of 4 rows authorised on 2019-06-30" in got.attrs["notes"]
    assert len(read_snap_retailers(p)) == 4  # no date: every row, as before
    assert sorted(read_snap_retailers(p, active_on="2020-01-01")["name"]) == [
        "Later Market",
        "Open Foods",
    ]


def test_a_store_whose_authorisation_changes_that_day_is_one_store(tmp_path: Path) -> None:
    """FNS lists a store once per authorisation: on the day one ends and the next begins
    (here as a Super Store), both are active; the store counts once, as what it became."""
    p = tmp_path / "spells.csv"
    p.write_text(
        HISTORY
        + "5,Corner Foods,Convenience Store,Hilo,HI,HAWAII,19.70,-155.08,01/01/2010,06/30/2019\n"
        + "6,CORNER FOODS ,Super Store,Hilo,HI,HAWAII,19.70,-155.08,06/30/2019,\n"
        + "7,Corner Foods,Convenience Store,Hilo,HI,HAWAII,19.71,-155.08,01/01/2010,\n"
    )
    got = read_snap_retailers(p, active_on="2019-06-30")
    corner = got[got["name"].str.strip().str.upper().eq("CORNER FOODS")]
    # the store at 19.70 once, as the Super Store; the one at 19.71 is another store
    assert len(corner) == 2
    assert corner.loc[corner.geometry.y.round(2).eq(19.70), "kind"].tolist() == ["supermarket"]
    assert "1 store(s) with two authorisations on 2019-06-30" in " ".join(got.attrs["notes"])
    # a day later only the new authorisation is active: the same store, nothing to merge
    later = read_snap_retailers(p, active_on="2019-07-01")
    assert len(later[later["name"].str.strip().str.upper().eq("CORNER FOODS")]) == 2
    assert not any("two authorisations" in n for n in later.attrs["notes"])


def test_active_on_errors_name_the_row_and_the_columns(tmp_path: Path) -> None:
    p = tmp_path / "bad_date.csv"
    p.write_text(HISTORY.replace("02/11/2008", "sometime"))
    with pytest.raises(ValidationError, match=r"Authorization Date must be a date.*row 2"):
        read_snap_retailers(p, active_on="2019-06-30")
    plain = tmp_path / "one_date.csv"
    plain.write_text("Store_Name,Longitude,Latitude\nA,-80,40\n")
    with pytest.raises(ValidationError, match=r"'Authorization Date'.*'Y2019'.*found"):
        read_snap_retailers(plain, active_on="2019-06-30")
    with pytest.raises(ValidationError, match="is not a date"):
        read_snap_retailers(p, active_on="mid-2019")
    good = tmp_path / "hawaii_history.csv"
    good.write_text(HISTORY)
    with pytest.raises(ValidationError, match=r"active_on='2001-01-01' matches none of the 4"):
        read_snap_retailers(good, active_on="2001-01-01")


def test_a_yearly_panel_and_repeated_rows(tmp_path: Path) -> None:
    p = tmp_path / "panel.csv"
    row = "st_1,KROGER 1,Super Store,GA,1,1,-84.39,33.75\n"
    p.write_text(
        "store_id,store_name,store_type,state,Y2018,Y2019,X,Y\n"
        + row * 3  # a panel joined to addresses repeats rows
        + "st_2,CORNER MART,Convenience Store,GA,1,0,-84.38,33.76\n"
        + "st_3,NEW GROCER,Small Grocery Store,GA,0,1,-84.37,33.77\n"
    )
    got = read_snap_retailers(p, active_on="2019-06-30")
    assert sorted(got["name"]) == ["KROGER 1", "NEW GROCER"]
    assert got.loc[got["name"].eq("KROGER 1"), "kind"].item() == "supermarket"
    assert any("2 repeated row(s)" in n for n in got.attrs["notes"])
    assert got["store_id"].tolist() == ["snap-st_1", "snap-st_3"]


def _centres() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Two tracts of two block groups each 2 km apart on a line, and an empty far tract."""
    tr = gpd.GeoDataFrame(
        {"area_id": ["15003000100", "15003000200", "15003981200"], "population": [200, 100, 0]},
        geometry=gpd.points_from_xy([-157.85, -157.83, -175.86], [21.30, 21.30, 23.0]),
        crs=4326,
    )
    bg = gpd.GeoDataFrame(
        {
            "point_id": ["150030001001", "150030001002", "150030002001", "150030002002"],
            "area_id": ["15003000100", "15003000100", "15003000200", "15003000200"],
            "population": [150, 50, 60, 40],
        },
        geometry=gpd.points_from_xy([-157.86, -157.84, -157.83, -157.82], [21.3] * 4),
        crs=4326,
    )
    return tr, bg


def test_tracts_from_points_draws_disjoint_cells_around_each_tracts_points() -> None:
    tr, bg = _centres()
    t = tracts_from_points(tr, bg, reach_m=1_000.0)
    assert t["area_id"].tolist() == tr["area_id"].tolist()
    assert t.is_valid.all() and not t.geometry.is_empty.any()
    utm = t.to_crs(32604)
    for _, p in bg.to_crs(32604).iterrows():  # every point inside its own tract only
        inside = utm.contains(p.geometry).to_numpy()
        assert utm["area_id"].to_numpy()[inside].tolist() == [p["area_id"]]
    # The empty far tract is a disc of about 1 km around its centre (no more: never the ocean
    # between; drawn in Oahu's zone, 17 degrees away, so about 5% smaller in its own zone).
    far = t.set_index("area_id").loc[["15003981200"]].to_crs(32603).area.item()
    assert 0.9 * np.pi * 1_000.0**2 < far < np.pi * 1_000.0**2
    # The two tracts meet halfway between their nearest block groups (-157.84, -157.83).
    probe = gpd.GeoSeries(gpd.points_from_xy([-157.8355, -157.8345], [21.3, 21.3]), crs=4326)
    a = t.set_index("area_id").geometry
    assert a["15003000100"].contains(probe[0]) and not a["15003000200"].contains(probe[0])
    assert a["15003000200"].contains(probe[1]) and not a["15003000100"].contains(probe[1])


def test_a_region_without_polygons_places_people_at_the_points_and_says_so() -> None:
    tr, bg = _centres()
    tr = tr.assign(pop_lon=tr.geometry.x, pop_lat=tr.geometry.y)
    stores = gpd.GeoDataFrame(
        {"store_id": ["s1"], "kind": ["supermarket"], "name": ["Open Foods"]},
        geometry=gpd.points_from_xy([-157.86], [21.3]),
        crs=4326,
    )
    region = assemble_us_region(popcenters=tr, population_points=bg, stores=stores)
    assert "not tract boundaries" in region.provenance["approximate_areas"]
    out = analyze(region)
    assert out.attrs["population_method"] == "points"
    assert any(
        "people placed by population_method='points'" in w for w in out.attrs["data_warnings"]
    )
    # 150 people at the store, 50 at 1.86 km (1.16 mi): 50 of 200 beyond a mile.
    row = out.set_index("area_id").loc["15003000100"]
    assert row["lapop1"] == pytest.approx(50.0)
    asked = analyze(region, population_method="grid")
    assert asked.attrs["population_method"] == "grid"
    assert any("only 'points'" in w for w in asked.attrs["data_warnings"])
    with pytest.raises(Exception, match="popcenters"):
        assemble_us_region(population_points=bg)


def test_the_stand_in_note_survives_a_region_folder(tmp_path: Path) -> None:
    from equity import Region

    tr, bg = _centres()
    tr = tr.assign(pop_lon=tr.geometry.x, pop_lat=tr.geometry.y)
    region = assemble_us_region(popcenters=tr, population_points=bg)
    region.to_dir(tmp_path / "r")
    again = Region.from_dir(tmp_path / "r")  # what `foodshed analyze r/` reads
    out = analyze(again)
    assert out.attrs["population_method"] == "points"
    assert any("not tract boundaries" in w for w in out.attrs["data_warnings"])


def test_metric_crs_follows_the_people_when_the_bounds_cross_a_zone() -> None:
    tr, _ = _centres()  # Oahu in UTM zone 4; the empty Northwestern Hawaiian Islands in zone 3
    areas = tr.assign(geometry=tr.to_crs(32604).buffer(500).to_crs(4326))
    assert metric_crs(areas).to_epsg() == 32604
    assert utm_crs(areas) == "EPSG:32604"  # the readers' own zone (stores near the region)
    assert areas.estimate_utm_crs().to_epsg() == 32603  # the bounds' centre: the old answer
    one_zone = areas.iloc[:2]
    assert metric_crs(one_zone).to_epsg() == 32604


def _agreement(out: pd.DataFrame, flag: str) -> tuple[float, float]:
    have = out["in_atlas"].to_numpy(bool)
    a = out[flag].to_numpy(bool)[have]
    b = out[f"{flag}_input"].to_numpy()[have].astype(bool)
    po = float(np.mean(a == b))
    pe = a.mean() * b.mean() + (1 - a.mean()) * (1 - b.mean())
    return po, (po - pe) / (1 - pe)


HELD_OUT = {
    # county: (SNAP list, floors (accuracy, kappa) of 1And10, halfAnd10, LA1and10; measured)
    "13121": ("snap_retailers_georgia_2008_2020.csv", (0.93, 0.80), (0.96, 0.93), (0.82, 0.65)),
    "13089": ("snap_retailers_georgia_2008_2020.csv", (0.93, 0.81), (0.95, 0.91), (0.86, 0.72)),
    "15003": (
        "usda_snap_retailers_hawaii_historical_2004_2024.csv",
        (0.99, 0.93),
        (0.97, 0.88),
        (0.93, 0.85),
    ),
}


@pytest.mark.shared_data
@pytest.mark.parametrize("county", sorted(HELD_OUT))
def test_held_out_counties_match_the_atlas(shared_data: Path, county: str) -> None:
    # Built as docs/data-sources.md tells a new user, defaults only, nothing tuned to these
    # counties: Fulton 93.1%/0.812, 97.0%/0.940, 82.7%/0.654; DeKalb 93.1%/0.818, 95.8%/0.916,
    # 86.1%/0.722; Honolulu 99.2%/0.940, 97.5%/0.886, 93.3%/0.852 (docs/equity.md).
    folder = shared_data / "snap_retailers_hawaii_georgia"
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent (the 2019 SNAP lists with store types)")
    file, *floors = HELD_OUT[county]
    snap = read_snap_retailers(folder / file, active_on="2019-06-30")
    out = analyze(county_region(county, snap, shared_data))
    assert out.attrs["population_method"] == "points"
    for flag, (acc_min, kappa_min) in zip(
        ("LILATracts_1And10", "LILATracts_halfAnd10", "LA1and10"), floors, strict=True
    ):
        acc, kappa = _agreement(out, flag)
        assert acc >= acc_min and kappa >= kappa_min, (flag, acc, kappa)


#: A tract drawn from points (Fulton County, GA, 13121010110) before its cells were snapped:
#: valid in longitude/latitude, but its 3.7 km spike back along one edge crosses that edge
#: once projected to UTM zone 16.
SPIKE = (
    "POLYGON ((-84.36742071559817 33.91192908669369, -84.3785768016664 33.91299803155122, "
    "-84.38045864307207 33.91531498662284, -84.37905404659419 33.92371270350644, "
    "-84.37814286830535 33.92404703416272, -84.36906551259227 33.92237635188864, "
    "-84.35813660298689 33.93382377976372, -84.32476089783871 33.92266724062159, "
    "-84.32553494235977 33.91750004063507, -84.3267258786746 33.91450966877704, "
    "-84.36744829942563 33.92057474714467, -84.32656974650419 33.91448638756584, "
    "-84.32656316213462 33.91441041050483, -84.32676715799035 33.91304830483121, "
    "-84.35470955237665 33.90643569955737, -84.36597547882958 33.909739023157954, "
    "-84.3663466795066 33.910079051677776, -84.36742071559817 33.91192908669369))"
)


def test_a_polygon_that_crosses_itself_once_projected_is_repaired() -> None:
    from equity import Region

    shape = shapely.from_wkt(SPIKE)
    assert shape.is_valid
    assert not gpd.GeoSeries([shape], crs=4326).to_crs(32616).is_valid.item()
    areas = gpd.GeoDataFrame(
        {"area_id": ["13121010110"], "population": [3000]}, geometry=[shape], crs=4326
    )
    region = Region.from_frames(areas, None, None, name="spike")
    assert str(region.areas.crs) == "EPSG:32616"
    assert region.areas.is_valid.all()
    assert any("became invalid when projected" in p.message for p in region.problems)
    area = region.areas.area.item()
    assert area == pytest.approx(gpd.GeoSeries([shape], crs=4326).to_crs(32616).area.item(), 0.01)
    out = analyze(region, population_method="grid")  # the grid clips the repaired polygon
    assert out["population"].sum() == 3000


def test_a_geocoding_slip_abroad_does_not_move_the_zone_of_a_store_list() -> None:
    from equity.sources import dedupe_stores

    def stores(names: list[str], lon: list[float], lat: list[float], src: str):
        return gpd.GeoDataFrame(
            {"store_id": [f"{src}-{i}" for i in range(len(names))], "kind": "supermarket"}
            | {"name": names, "source": src},
            geometry=gpd.points_from_xy(lon, lat),
            crs=4326,
        )

    # Pittsburgh, and one store geocoded to Hong Kong (as on the Health Dept. list)
    first = stores(
        ["Giant Eagle", "Aldi", "Giant Eagle"],
        [-80.00, -79.95, 114.14],
        [40.44] * 2 + [22.34],
        "achd",
    )
    # The same store 81 m off on another list: 124 m in zone 33, too far to be merged there.
    second = stores(["Giant Eagle"], [-80.0008], [40.4404], "snap")
    assert utm_crs(first) == "EPSG:32617"  # the bounds' centre would give zone 33
    merged = dedupe_stores(first, second)
    assert len(merged) == 3
    assert merged["sources"].tolist()[0] == "achd;snap"


def test_active_on_says_how_many_rows_had_no_start_date(tmp_path: Path) -> None:
    p = tmp_path / "hawaii_history.csv"
    p.write_text(HISTORY + "5,No Date,Supermarket,Hilo,HI,HAWAII,19.70,-155.08,,\n")
    got = read_snap_retailers(p, active_on="2019-06-30")
    assert "No Date" not in set(got["name"])
    assert "1 row(s) with no Authorization Date left out" in " | ".join(got.attrs["notes"])

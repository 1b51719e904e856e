"""Each reader on a small generated file, and region folders read and written."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from equity import DataSourceError, Region, ValidationError, read_table, validate_dir

UTM = "EPSG:32617"
X0, Y0 = 500_000.0, 4_400_000.0


@pytest.fixture
def areas() -> gpd.GeoDataFrame:
    cells = [box(X0 + i * 1000, Y0, X0 + (i + 1) * 1000, Y0 + 1000) for i in range(3)]
    return gpd.GeoDataFrame(
        {"area_id": ["A", "B", "C"], "population": [10, 20, 30]}, geometry=cells, crs=UTM
    )


@pytest.mark.parametrize(
    ("suffix", "write"),
    [
        (".geojson", lambda g, p: g.to_file(p, driver="GeoJSON")),
        (".gpkg", lambda g, p: g.to_file(p, driver="GPKG")),
        (".shp", lambda g, p: g.to_file(p)),
        (".parquet", lambda g, p: g.to_parquet(p)),
        (".fgb", lambda g, p: g.to_file(p, driver="FlatGeobuf")),
    ],
    ids=["geojson", "geopackage", "shapefile", "geoparquet", "flatgeobuf"],
)
def test_spatial_formats_round_trip(
    tmp_path: Path, areas: gpd.GeoDataFrame, suffix: str, write
) -> None:
    path = tmp_path / f"areas{suffix}"
    write(areas, path)
    frame, problems = read_table(path, table="areas")
    assert problems == []
    assert frame.crs.to_epsg() == 32617
    region = Region.from_files(path)
    got = region.areas.sort_values("area_id")  # FlatGeobuf orders features by its index
    assert got["area_id"].tolist() == ["A", "B", "C"]
    assert got["population"].tolist() == [10.0, 20.0, 30.0]


def test_zipped_shapefile(tmp_path: Path, areas: gpd.GeoDataFrame) -> None:
    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    areas.to_file(shp_dir / "tracts.shp")
    zpath = tmp_path / "tracts.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for f in shp_dir.iterdir():
            zf.write(f, arcname=f"nested/{f.name}")
    frame, _ = read_table(zpath)
    assert len(frame) == 3 and frame.crs.to_epsg() == 32617


def test_zip_without_a_layer_is_a_clear_error(tmp_path: Path) -> None:
    zpath = tmp_path / "x.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.writestr("readme.txt", "hi")
    with pytest.raises(DataSourceError, match=r"the zip holds no .shp, .gpkg or .geojson file"):
        read_table(zpath)


@pytest.mark.parametrize(
    ("lon", "lat"),
    [
        ("longitude", "latitude"),
        ("Lon", "Lat"),
        ("lng", "lat"),
        ("LONGITUDE", "LATITUDE"),
        ("X", "Y"),
        ("long", "lat"),
    ],
    ids=["longitude", "Lon", "lng", "upper", "XY", "long"],
)
def test_csv_coordinate_spellings(tmp_path: Path, lon: str, lat: str) -> None:
    path = tmp_path / "stores.csv"
    path.write_text(f"store_id,kind,{lon},{lat}\n1,supermarket,-79.99,40.44\n")
    frame, problems = read_table(path, table="stores")
    assert problems == []
    assert frame.crs.to_epsg() == 4326
    assert frame.geometry.iloc[0].coords[0] == (-79.99, 40.44)
    assert frame["store_id"].tolist() == ["1"]  # ids stay text


def test_csv_prefers_explicit_lon_lat_over_x_y_and_accepts_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("\ufeffX,Y,Longitude,Latitude,east,north\n0,0,-80,40.5,1,2\n")
    frame, _ = read_table(path)
    assert frame.geometry.iloc[0].coords[0] == (-80.0, 40.5)
    frame, _ = read_table(path, lon_col="east", lat_col="north", crs=UTM)
    assert frame.crs.to_epsg() == 32617
    assert frame.geometry.iloc[0].coords[0] == (1.0, 2.0)


def test_csv_bad_coordinates_are_reported_with_rows(tmp_path: Path) -> None:
    path = tmp_path / "stores.csv"
    path.write_text(
        "store_id,kind,lon,lat\n1,grocery,40.44,-100.5\n2,grocery,,40\n3,grocery,abc,40\n"
    )
    _, problems = read_table(path, table="stores")
    assert [str(p) for p in problems] == [
        f"error: {path}, row 1, column 'lon': coordinates (40.44, -100.5) are not valid "
        "longitude/latitude. The two columns look swapped: pass lon_col=/lat_col=.",
        f"error: {path}, row 2, column 'lon': coordinate is empty; every point needs a longitude "
        "and a latitude",
        f"error: {path}, row 3, column 'lon': coordinate is not a number ('abc'); every point "
        "needs a longitude and a latitude",
    ]


def test_csv_null_text_and_bom_and_leading_zeros(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes("\ufeffid,value\n01001020100,NULL\n01001020200,3\n".encode())
    frame, _ = read_table(path, points=False)
    assert list(frame.columns) == ["id", "value"]
    assert frame["id"].tolist() == ["01001020100", "01001020200"]
    assert frame["value"].isna().tolist() == [True, False]


def test_unknown_suffix_and_missing_file(tmp_path: Path) -> None:
    (tmp_path / "a.ods").write_text("x")
    with pytest.raises(DataSourceError, match=r"unknown file type '.ods'"):
        read_table(tmp_path / "a.ods")
    (tmp_path / "a.xlsx").write_text("x")
    with pytest.raises(DataSourceError, match=r"an Excel workbook; save the sheet .* as CSV"):
        read_table(tmp_path / "a.xlsx")
    with pytest.raises(DataSourceError, match=r"no such file"):
        read_table(tmp_path / "nope.csv")


def test_corrupt_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "areas.geojson"
    path.write_text("{not json")
    with pytest.raises(DataSourceError, match=r"areas.geojson: cannot be read as a geojson file"):
        read_table(path)


def write_folder(folder: Path, areas: gpd.GeoDataFrame) -> None:
    folder.mkdir()
    areas.to_crs(4326).to_file(folder / "areas.geojson", driver="GeoJSON")
    (folder / "stores.csv").write_text(
        "store_id,kind,name,lon,lat\n"
        "s1,Supermarket,Big Foods,-80.9941,39.7498\ns2,convenience,Quick,-80.9824,39.7498\n"
    )


def test_region_folder_round_trip(tmp_path: Path, areas: gpd.GeoDataFrame) -> None:
    src = tmp_path / "src"
    write_folder(src, areas)
    before = {p.name: p.read_bytes() for p in src.iterdir()}
    region = Region.from_dir(src)
    assert region.stores["kind"].tolist() == ["supermarket", "convenience"]
    assert {p.name: p.read_bytes() for p in src.iterdir()} == before  # inputs untouched
    out = region.to_dir(tmp_path / "out")
    again = Region.from_dir(out)
    assert again.name == region.name
    assert again.areas["population"].tolist() == [10.0, 20.0, 30.0]
    assert again.stores.geometry.distance(region.stores.geometry).max() < 0.5


def test_region_toml_maps_files_and_columns(tmp_path: Path, areas: gpd.GeoDataFrame) -> None:
    folder = tmp_path / "city"
    folder.mkdir()
    areas.rename(columns={"area_id": "GEOID10", "population": "POP"}).to_file(
        folder / "tracts.gpkg", driver="GPKG"
    )
    (folder / "shops.csv").write_text("id,type,e,n\n1,grocery,500500,4400500\n")
    (folder / "region.toml").write_text(
        'name = "My City"\n'
        '[areas]\nfile = "tracts.gpkg"\ncolumns = { GEOID10 = "area_id", POP = "population" }\n'
        '[stores]\nfile = "shops.csv"\nlon_col = "e"\nlat_col = "n"\ncrs = "EPSG:32617"\n'
        'columns = { id = "store_id", type = "kind" }\n'
    )
    region = Region.from_dir(folder)
    assert region.name == "My City"
    assert region.stores["store_id"].tolist() == ["1"]
    assert region.stores.geometry.iloc[0].coords[0] == pytest.approx((500500, 4400500))


def test_validate_dir_collects_problems_from_every_file(
    tmp_path: Path, areas: gpd.GeoDataFrame
) -> None:
    folder = tmp_path / "bad"
    write_folder(folder, areas.assign(population=[10, -1, 30]))
    (folder / "stores.csv").write_text("store_id,kind,lon,lat\ns1,supermaket,-80.9941,39.7498\n")
    report = validate_dir(folder)
    assert not report.ok
    assert [(Path(p.file).name, p.row, p.column) for p in report.errors] == [
        ("areas.geojson", 2, "population"),
        ("stores.csv", 1, "kind"),
    ]
    with pytest.raises(ValidationError):
        report.raise_for_errors()


def test_folder_errors(tmp_path: Path) -> None:
    with pytest.raises(DataSourceError, match=r"no such folder"):
        Region.from_dir(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataSourceError, match=r"no areas file"):
        Region.from_dir(tmp_path / "empty")
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "region.toml").write_text('[areas]\nfile = "nope.gpkg"\n')
    with pytest.raises(DataSourceError, match=r"file = 'nope.gpkg', but .* does not exist"):
        Region.from_dir(tmp_path / "t")


def test_to_dir_is_atomic(
    tmp_path: Path, areas: gpd.GeoDataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    region = Region.from_frames(areas)
    out = region.to_dir(tmp_path / "out")
    (out / "stale.txt").write_text("old run")
    before = sorted(os.listdir(out))

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", boom)
    with pytest.raises(OSError, match="disk full"):
        region.to_dir(out)
    assert sorted(os.listdir(out)) == before  # the old folder is untouched
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temp folder left behind
    monkeypatch.undo()
    region.to_dir(out)
    assert "stale.txt" not in os.listdir(out)  # replaced whole, no mix of old and new


def test_points_in_a_point_table_from_polygons_warn(
    tmp_path: Path, areas: gpd.GeoDataFrame
) -> None:
    sites = gpd.GeoDataFrame(
        {"site_id": ["g"], "kind": ["garden"]},
        geometry=[box(X0 + 10, Y0 + 10, X0 + 20, Y0 + 20)],
        crs=UTM,
    )
    region = Region.from_frames(areas, sites=sites)
    assert region.sites.geometry.iloc[0].geom_type == "Point"
    assert "representative points are used" in region.problems[0].message


def test_a_trailing_comma_on_a_later_row_is_dropped_and_a_real_extra_value_is_not(tmp_path):
    from equity.io import read_text_frame

    late = tmp_path / "late.csv"
    late.write_text('a,b,c\n1,"Shop, Inc",3\n4,5,\n6,7,8,\n')
    df = read_text_frame(late, "utf-8", ",")
    assert df.columns.tolist() == ["a", "b", "c"]
    assert df["b"].tolist() == ["Shop, Inc", "5", "7"]
    assert df["c"].tolist()[2] == "8"
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("a,b,c\n1,2,3\n4,Shop, Inc,5\n")
    with pytest.raises(DataSourceError, match="row 2 has 4"):
        read_text_frame(ragged, "utf-8", ",")

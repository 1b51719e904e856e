"""Reading the files people actually have without silent surprises (issues 12 and 16).

Each case builds a small file shaped like the public one (an Atlas edition's header, a TIGER
tract shapefile, a SNAP export, a garden list) and checks that it is read right or refused with
a message naming the file, row, column and the fix.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from equity import DataSourceError, Region, ValidationError, read_table, validate_dir
from equity.sources import (
    read_census_popcenters,
    read_census_tracts,
    read_site_list,
    read_snap_retailers,
    read_usda_atlas,
)

# Three SNAP retailers of Allegheny County, as the USDA export writes them.
SNAP_ROWS = [
    {"Store_Name": "Giant Eagle 0061", "Store_Type": "Supermarket", "County": "ALLEGHENY",
     "Longitude": -79.955353, "Latitude": 40.456272, "ObjectId": "11"},
    {"Store_Name": "Café Brasil Market", "Store_Type": "Convenience Store", "County": "ALLEGHENY",
     "Longitude": -79.812576, "Latitude": 40.502525, "ObjectId": "12"},
    {"Store_Name": "Family Dollar 8406", "Store_Type": "", "County": "ALLEGHENY",
     "Longitude": -79.789886, "Latitude": 40.499241, "ObjectId": "13"},
]  # fmt: skip
SNAP_KINDS = ["supermarket", "convenience", "dollar_store"]


def snap_csv(tmp_path: Path, name: str = "snap.csv", *, sep: str = ",", encoding: str = "utf-8"):
    df = pd.DataFrame(SNAP_ROWS)
    text = df.to_csv(index=False, sep=sep, lineterminator="\r\n")
    if sep == ";":  # a European-locale export writes decimal commas
        for r in SNAP_ROWS:
            for c in ("Longitude", "Latitude"):
                text = text.replace(str(r[c]), str(r[c]).replace(".", ","))
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def check_snap(stores: gpd.GeoDataFrame) -> None:
    assert stores["kind"].tolist() == SNAP_KINDS
    assert stores["name"].tolist()[1] == "Café Brasil Market"
    assert stores.geometry.x.tolist() == pytest.approx([r["Longitude"] for r in SNAP_ROWS])
    assert stores.geometry.y.tolist() == pytest.approx([r["Latitude"] for r in SNAP_ROWS])


# ---------------------------------------------------------------- delimiters and encodings
@pytest.mark.parametrize(
    ("sep", "encoding", "note"),
    [(";", "utf-8", "semicolon-separated"), (",", "utf-16", "UTF-16"),
     ("\t", "utf-16", "UTF-16"), (",", "cp1252", "Windows-1252"), ("|", "utf-8", "pipe")],
    ids=["semicolon-decimal-comma", "utf16-bom", "utf16-tab", "windows-1252", "pipe"],
)  # fmt: skip
def test_delimiter_and_encoding_are_detected(tmp_path, sep, encoding, note):
    path = snap_csv(tmp_path, sep=sep, encoding=encoding)
    frame, problems = read_table(path, table="stores")
    assert problems == []
    assert any(note in n for n in frame.attrs["notes"])
    assert "Store_Name" in frame.columns  # not one column "Store_Name;Store_Type;..."
    assert frame.geometry.x.tolist() == pytest.approx([r["Longitude"] for r in SNAP_ROWS])
    check_snap(read_snap_retailers(path))


def test_utf16_without_bom_and_decimal_commas_noted(tmp_path):
    path = tmp_path / "snap.csv"
    path.write_bytes(pd.DataFrame(SNAP_ROWS).to_csv(index=False).encode("utf-16-le"))
    check_snap(read_snap_retailers(path))
    frame, _ = read_table(snap_csv(tmp_path, "semi.csv", sep=";"), table="stores")
    assert any("decimal commas" in n and "Longitude" in n for n in frame.attrs["notes"])


def test_duplicated_header_names_the_column(tmp_path):
    text = "store_id,kind,name,lon,lat,kind\ns1,supermarket,A,-79.95,40.45,x\n"
    text += "s2,convenience,B,-79.96,40.46,y\n"
    (tmp_path / "stores.csv").write_text(text)
    frame, problems = read_table(tmp_path / "stores.csv", table="stores")
    assert len(problems) == 1
    assert problems[0].column == "kind"
    assert "names column 'kind' 2 times (columns 2, 6)" in problems[0].message
    assert "kind.1" not in frame.columns and frame["kind"].tolist() == [
        "supermarket",
        "convenience",
    ]
    with pytest.raises(ValidationError, match=r"'Store_Name' 2 times \(columns 1, 3\)"):
        read_snap_retailers(
            _write(tmp_path, "s.csv", "Store_Name,Longitude,Store_Name,Latitude\nA,-79,B,40\n")
        )


# ---------------------------------------------------------------- JSON, GeoJSON, WKT
def test_snap_list_as_json_records_and_geojson(tmp_path):
    records = tmp_path / "snap.json"
    records.write_text(json.dumps(SNAP_ROWS))
    check_snap(read_snap_retailers(records))
    # Socrata-style: {"data": [...]} with the coordinates nested in a location object
    nested = [
        {k: v for k, v in r.items() if k not in ("Longitude", "Latitude")}
        | {"location": {"latitude": str(r["Latitude"]), "longitude": str(r["Longitude"])}}
        for r in SNAP_ROWS
    ]
    (tmp_path / "nested.json").write_text(json.dumps({"data": nested}))
    check_snap(read_snap_retailers(tmp_path / "nested.json"))
    gdf = gpd.GeoDataFrame(
        pd.DataFrame(SNAP_ROWS).drop(columns=["Longitude", "Latitude"]),
        geometry=[Point(r["Longitude"], r["Latitude"]) for r in SNAP_ROWS],
        crs="EPSG:4326",
    )
    gdf.to_file(tmp_path / "snap.geojson")
    check_snap(read_snap_retailers(tmp_path / "snap.geojson"))
    frame, problems = read_table(records, table="stores")
    assert problems == [] and frame.crs.to_epsg() == 4326 and len(frame) == 3


def test_garden_list_with_wkt_and_gardenname(tmp_path):
    path = _write(
        tmp_path,
        "gardens.csv",
        "gardenname,address,the_geom\n"
        "1800 South Troy Block Club Garden,1842 S Troy St,POINT (-87.704321 41.856426)\n"
        '"Kilbourn Park Organic Garden","3501 N Kilbourn Ave",'
        '"MULTIPOLYGON (((-87.7 41.94, -87.699 41.94, -87.699 41.941, -87.7 41.941, -87.7 41.94)))"\n',
    )
    sites = read_site_list(path, kind="garden")
    assert sites.geometry.x.tolist() == pytest.approx([-87.704321, -87.6995], abs=1e-3)
    assert sites["name"].isna().all()
    (warning,) = sites.attrs["problems"]
    assert warning.severity == "warning" and warning.column == "name"
    assert "columns that could serve: 'gardenname'" in warning.message
    assert "columns={'name': 'gardenname'}" in warning.message
    named = read_site_list(path, kind="garden", columns={"name": "gardenname"})
    assert named["name"].tolist() == [
        "1800 South Troy Block Club Garden",
        "Kilbourn Park Organic Garden",
    ]
    assert named.attrs["problems"] == []
    frame, problems = read_table(path, table="sites")
    assert problems == [] and frame.geom_type.tolist() == ["Point", "MultiPolygon"]
    assert "the_geom" not in frame.columns


def test_areas_from_a_wkt_csv_make_a_region(tmp_path):
    cells = [box(-80.0 + i / 100, 40.40, -80.0 + (i + 1) / 100, 40.41) for i in range(2)]
    pd.DataFrame(
        {"GEOID10": ["42003000100", "42003000200"], "population": ["100", "200"],
         "WKT": [c.wkt for c in cells]}
    ).to_csv(tmp_path / "areas.csv", index=False)  # fmt: skip
    (tmp_path / "region.toml").write_text('[areas.columns]\nGEOID10 = "area_id"\n')
    region = Region.from_dir(tmp_path)
    assert region.areas["area_id"].tolist() == ["42003000100", "42003000200"]
    assert region.areas.geom_type.tolist() == ["Polygon", "Polygon"]


# ---------------------------------------------------------------- CRSs that cannot be right
def _tiger(folder: Path | None = None) -> gpd.GeoDataFrame:
    """Four Allegheny tracts shaped like TIGER/Line 2010 (NAD83 degrees)."""
    cells = [box(-80.00 + 0.02 * i, 40.40, -79.98 + 0.02 * i, 40.42) for i in range(4)]
    return gpd.GeoDataFrame(
        {"STATEFP10": ["42"] * 4, "COUNTYFP10": ["003"] * 4,
         "TRACTCE10": ["010300", "020100", "030500", "040400"],
         "GEOID10": ["42003010300", "42003020100", "42003030500", "42003040400"],
         "ALAND10": [1_000_000] * 4, "NAMELSAD10": [f"Census Tract {i}" for i in range(4)]},
        geometry=cells, crs="EPSG:4269",
    )  # fmt: skip


def _shp(tmp_path: Path, gdf: gpd.GeoDataFrame, name: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    gdf.to_file(folder / "tl_2010_42003_tract10.shp")
    return folder / "tl_2010_42003_tract10.shp"


@pytest.mark.parametrize(
    ("coords", "prj", "says", "look"),
    [("EPSG:26917", "EPSG:4269", "the .prj says NAD83 (EPSG:4269)", "look like projected metres"),
     ("EPSG:4269", "EPSG:26917", "the .prj says NAD83 / UTM zone 17N (EPSG:26917)",
      "look like longitude/latitude degrees"),
     ("EPSG:2272", "EPSG:26917", "the .prj says NAD83 / UTM zone 17N (EPSG:26917)",
      "outside it. The CRS is probably wrong")],
    ids=["metres-under-degrees", "degrees-under-utm", "state-plane-feet-under-utm"],
)  # fmt: skip
def test_shapefile_whose_prj_names_the_wrong_crs(tmp_path, coords, prj, says, look):
    wrong = _tiger().to_crs(coords).set_crs(prj, allow_override=True)
    shp = _shp(tmp_path, wrong, "t")
    with pytest.raises(DataSourceError, match="coordinates") as info:
        read_census_tracts(shp)
    assert says in str(info.value) and look in str(info.value)
    assert str(shp) in str(info.value)
    # The fix the message gives: say what the coordinates are.
    fixed, _ = read_table(shp, table="areas", crs=coords)
    assert fixed.to_crs("EPSG:4269").total_bounds == pytest.approx(_tiger().total_bounds, abs=1e-6)
    assert any("replaced by crs=" in n for n in fixed.attrs["notes"])


def test_geojson_in_metres_without_a_crs_member(tmp_path):
    metres = _tiger().to_crs("EPSG:26917")
    data = json.loads(metres.to_json())
    data.pop("crs", None)
    path = tmp_path / "areas.geojson"
    path.write_text(json.dumps(data))
    msg = "the GeoJSON has no 'crs' member, which by the standard means WGS 84"
    with pytest.raises(DataSourceError, match=msg):
        read_table(path, table="areas")
    with pytest.raises(DataSourceError, match="look like projected metres"):
        validate_dir(tmp_path)
    frame, _ = read_table(path, table="areas", crs="EPSG:26917")
    assert frame.crs.to_epsg() == 26917
    # The same fix in a region folder: the table's section of region.toml.
    (tmp_path / "region.toml").write_text(
        '[areas]\ncrs = "EPSG:26917"\n[areas.columns]\nGEOID10 = "area_id"\n'
    )
    report = validate_dir(tmp_path)
    (only,) = report.errors  # the file reads; only the population is lacking
    assert "is missing column 'population'" in only.message


def test_csv_of_projected_points_is_one_message_not_one_per_row(tmp_path):
    pts = gpd.GeoSeries([Point(-79.95 + i / 100, 40.45) for i in range(50)], crs=4326)
    pts = pts.to_crs("EPSG:26917")
    pd.DataFrame({"store_id": range(50), "lon": pts.x, "lat": pts.y}).to_csv(
        tmp_path / "s.csv", index=False
    )
    with pytest.raises(DataSourceError, match="hold projected coordinates.*pass crs="):
        read_table(tmp_path / "s.csv", table="stores")
    frame, problems = read_table(tmp_path / "s.csv", table="stores", crs="EPSG:26917")
    assert problems == [] and frame.to_crs(4326).geometry.x.iloc[0] == pytest.approx(-79.95)


def test_empty_feature_collection(tmp_path):
    (tmp_path / "areas.geojson").write_text('{"type": "FeatureCollection", "features": []}')
    with pytest.raises(DataSourceError, match="FeatureCollection holds no features") as info:
        Region.from_dir(tmp_path)
    assert "found []" not in str(info.value)


def test_missing_column_does_not_hide_duplicate_ids(tmp_path):
    areas = _tiger().rename(columns={"GEOID10": "area_id"})
    areas.loc[3, "area_id"] = "42003010300"
    areas.to_file(tmp_path / "areas.gpkg")
    report = validate_dir(tmp_path)
    messages = [p.message for p in report.errors]
    assert any("missing column 'population'" in m for m in messages)
    assert any("duplicate 'area_id' '42003010300', first seen at row 1" in m for m in messages)


# ---------------------------------------------------------------- the Atlas
ATLAS_2015_HEADER = (
    "CensusTract,State,County,Urban,POP2010,OHU2010,LILATracts_halfAnd10,LowIncomeTracts,"
    "PovertyRate,lapophalf,lapophalfshare\n"
)


def test_atlas_2015_edition_from_its_header_not_its_values(tmp_path):
    # One share rounds above 1, as in the real 2015 file (1.000000039 in Allegheny): the
    # edition is 2015 by its header (POP2010), and no share is divided by 100.
    rows = (
        "42003010300,Pennsylvania,Allegheny,1,6600,2000,1,1,30.1,6600.0000001,1.00000000701\n"
        "42003020100,Pennsylvania,Allegheny,1,3000,1200,0,0,12.5,1500,0.5\n"
    )
    atlas = read_usda_atlas(_write(tmp_path, "atlas.csv", ATLAS_2015_HEADER + rows))
    assert atlas.attrs["edition"] == 2015
    assert atlas["lapophalfshare"].tolist() == pytest.approx([1.0, 0.5])
    assert atlas["PovertyRate"].tolist() == pytest.approx([0.301, 0.125])
    assert atlas["Pop2010"].tolist() == [6600.0, 3000.0]  # POP2010 is the population
    assert any("POP2010" in n for n in atlas.attrs["notes"])
    # The same numbers under the 2019 header are percentages.
    header_2019 = ATLAS_2015_HEADER.replace("POP2010", "Pop2010")
    atlas = read_usda_atlas(_write(tmp_path, "a19.csv", header_2019 + rows))
    assert atlas.attrs["edition"] == 2019
    assert atlas["lapophalfshare"].tolist() == pytest.approx([0.0100000000701, 0.005])


def test_atlas_edition_from_the_file_name_or_asked_for(tmp_path):
    five = "CensusTract,LowIncomeTracts,LATracts_half,lapophalfshare,lapophalf\n"
    five += "42003010300,1,1,0.905975663,1732.2\n"
    assert read_usda_atlas(_write(tmp_path, "fara2015_5col.csv", five)).attrs["edition"] == 2015
    a19 = read_usda_atlas(_write(tmp_path, "Atlas2019.csv", five.replace("0.905975663", "90.5")))
    assert a19["lapophalfshare"].iloc[0] == pytest.approx(0.905)
    with pytest.raises(ValueError, match="cannot tell the Atlas edition.*pass edition=2015"):
        read_usda_atlas(_write(tmp_path, "atlas.csv", five))
    assert read_usda_atlas(tmp_path / "atlas.csv", edition=2015)["lapophalfshare"].iloc[
        0
    ] == pytest.approx(0.905975663)
    with pytest.raises(ValidationError, match=r"'lapophalfshare' reaches 90.5, a percentage"):
        read_usda_atlas(_write(tmp_path, "fara2015.csv", five.replace("0.905975663", "90.5")))


COUNTIES = ["42003", "42005", "42007", "42019", "42125"]


def test_atlas_and_centres_take_a_list_of_counties(tmp_path):
    rows = "".join(
        f"{c}010300,Pennsylvania,X,1,1000,400,0,0,10,0,0.1\n" for c in [*COUNTIES, "42129"]
    )
    path = _write(tmp_path, "atlas2015.csv", ATLAS_2015_HEADER + rows)
    atlas = read_usda_atlas(path, county=COUNTIES)
    assert atlas["area_id"].str[:5].tolist() == COUNTIES
    assert len(read_usda_atlas(path, state=["PA", "OH"])) == 6
    with pytest.raises(ValidationError, match=r"county='42999' matches none of the 6 rows"):
        read_usda_atlas(path, county="42999")
    with pytest.raises(ValidationError, match=r"state='OH' matches none"):
        read_usda_atlas(path, state="OH")
    centres = "STATEFP,COUNTYFP,TRACTCE,POPULATION,LATITUDE,LONGITUDE\n" + "".join(
        f"42,{c[2:]},010300,1000,40.4,-80.0\n" for c in [*COUNTIES, "42129"]
    )
    cpath = _write(tmp_path, "CenPop2010_Mean_TR.csv", centres)
    assert read_census_popcenters(cpath, counties=COUNTIES)["area_id"].str[:5].tolist() == COUNTIES
    with pytest.raises(ValidationError, match=r"counties=\['42999'\] matches none of the 6"):
        read_census_popcenters(cpath, counties=["42999"])
    with pytest.raises(ValueError, match="5-digit county FIPS codes such as '42003'; got"):
        read_census_popcenters(cpath, counties=["Allegheny"])


# ---------------------------------------------------------------- tract ids
def test_tracts_from_a_geodataframe_and_wrong_length_ids(tmp_path):
    tiger = _tiger()
    tracts = read_census_tracts(tiger)
    assert tracts["area_id"].tolist() == tiger["GEOID10"].tolist()
    assert "area_id" not in tiger.columns  # the input is not modified
    seven = tiger.assign(TRACT7=tiger["GEOID10"].str[4:])  # "3010300": county digit + tract
    with pytest.raises(ValidationError) as info:
        read_census_tracts(seven, id_col="TRACT7")
    (problem,) = info.value.problems
    assert problem.column == "TRACT7" and problem.row == 1
    assert "7-digit codes in 4 row(s), such as '3010300'" in problem.message
    assert "Pass the 11-digit GEOID column as id_col=" in problem.message
    with pytest.raises(ValidationError, match="12-digit codes are block-group GEOIDs"):
        read_census_tracts(tiger.assign(GEOID10=tiger["GEOID10"] + "1"))
    # Integer parts (COUNTYFP 3, TRACTCE 10300) are zero-padded part by part.
    ints = tiger.drop(columns="GEOID10").assign(
        COUNTYFP10=3, TRACTCE10=tiger["TRACTCE10"].astype(int)
    )
    assert read_census_tracts(ints)["area_id"].tolist() == tiger["GEOID10"].tolist()
    # An integer GEOID that lost a leading zero (Alabama) is still padded.
    alabama = tiger.assign(GEOID10=[1001020100 + i for i in range(4)])
    assert read_census_tracts(alabama)["area_id"].iloc[0] == "01001020100"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- the real public files
@pytest.mark.shared_data
def test_real_2015_atlas_keeps_its_shares(shared_data):
    folder = shared_data / "fara_lowincome_2010_2015_2019"
    a15 = read_usda_atlas(folder / "fara2015_national_5col.csv", county="42003")
    a19 = read_usda_atlas(folder / "fara2019_national_5col.csv", county="42003")
    assert (a15.attrs["edition"], a19.attrs["edition"]) == (2015, 2019)
    assert a15["lapophalfshare"].max() == pytest.approx(1.000000039)  # a 0-1 share, kept
    assert a19["lapophalfshare"].max() == pytest.approx(1.0)
    assert (len(a15), len(a19)) == (402, 400)
    # Both editions now on one 0-1 scale: their medians are alike, not 100 times apart.
    ratio = a19["lapophalfshare"].median() / a15["lapophalfshare"].median()
    assert 0.5 < ratio < 2


@pytest.mark.shared_data
def test_real_tracts_with_a_wrong_prj(shared_data, tmp_path):
    tiger = gpd.read_file(
        shared_data / "pittsburgh_allegheny" / "tracts_2010" / "tl_2010_42003_tract10.shp"
    )
    shp = _shp(tmp_path, tiger.to_crs("EPSG:26917").set_crs(4269, allow_override=True), "w")
    with pytest.raises(DataSourceError, match=r"the \.prj says NAD83 \(EPSG:4269\).*look like"):
        read_census_tracts(shp)
    assert len(read_census_tracts(tiger)) == 402


@pytest.mark.shared_data
def test_real_snap_list_as_json_and_semicolons(shared_data, tmp_path):
    csv_path = shared_data / "pittsburgh_allegheny" / "usda_snap_store_locations_allegheny.csv"
    snap = pd.read_csv(csv_path, dtype=str, encoding="utf-8-sig")
    (tmp_path / "snap.json").write_text(snap.to_json(orient="records"))
    semi = snap.copy()
    for c in ("X", "Y", "Longitude", "Latitude"):
        semi[c] = semi[c].str.replace(".", ",", regex=False)
    semi.to_csv(tmp_path / "snap_semi.csv", sep=";", index=False)
    base = read_snap_retailers(csv_path)
    for path in (tmp_path / "snap.json", tmp_path / "snap_semi.csv"):
        got = read_snap_retailers(path)
        assert len(got) == len(base) == 929
        assert got["store_id"].tolist() == base["store_id"].tolist()
        assert got["kind"].tolist() == base["kind"].tolist()
        assert got.geometry.x.to_numpy() == pytest.approx(base.geometry.x.to_numpy())


@pytest.mark.shared_data
def test_real_gardens_as_wkt_csv(shared_data, tmp_path):
    ns = gpd.read_file(shared_data / "chicago_cook" / "neighborspace_gardens_2012.geojson")
    pd.DataFrame({"gardenname": ns["SITE_NAME"], "the_geom": ns.geometry.to_wkt()}).to_csv(
        tmp_path / "gardens.csv", index=False
    )
    sites = read_site_list(tmp_path / "gardens.csv", kind="garden")
    assert len(sites) == 76
    assert "'gardenname'" in sites.attrs["problems"][0].message
    named = read_site_list(tmp_path / "gardens.csv", kind="garden", columns={"name": "gardenname"})
    assert named["name"].tolist() == ns["SITE_NAME"].str.strip().tolist()


def test_json_records_without_coordinates_are_left_out_with_a_warning(tmp_path):
    rows = [*SNAP_ROWS, {**SNAP_ROWS[0], "ObjectId": "14", "Longitude": None, "Latitude": None}]
    (tmp_path / "snap.json").write_text(json.dumps(rows))
    stores = read_snap_retailers(tmp_path / "snap.json")
    check_snap(stores)
    (warning,) = stores.attrs["problems"]
    assert "1 row(s) have no coordinates and were left out (rows 4)" in warning.message


@pytest.mark.shared_data
def test_any_county_from_the_public_files(shared_data, tmp_path):
    """The recipe of docs/data-sources.md ("A region for any US county"), on Allegheny's files
    in the shapes people download them: a zipped TIGER shapefile, the national Atlas and
    centres tables filtered by county code, the SNAP list as JSON, a garden list with WKT."""
    import zipfile

    from equity.sources import assemble_us_region

    county = "42003"
    pa = shared_data / "pittsburgh_allegheny"
    zpath = tmp_path / f"tl_2010_{county}_tract10.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for f in (pa / "tracts_2010").glob("tl_2010_42003_tract10.*"):
            zf.write(f, f.name)
    snap = pd.read_csv(pa / "usda_snap_store_locations_allegheny.csv", dtype=str)
    (tmp_path / "snap.json").write_text(snap.to_json(orient="records"))
    gp = pd.read_csv(pa / "cfp_cleaned_growpgh_gardens.csv", dtype=str)
    gp = gp.dropna(subset=["longitude", "latitude"])
    pd.DataFrame(
        {
            "gardenname": gp["name"],
            "the_geom": "POINT (" + gp["longitude"] + " " + gp["latitude"] + ")",
        }
    ).to_csv(tmp_path / "gardens.csv", index=False)

    pc = shared_data / "census_popcenters_2010"
    region = assemble_us_region(
        tracts=read_census_tracts(zpath),
        atlas=read_usda_atlas(
            shared_data / "fara2019_national_subset" / "fara2019_national_25col.csv",
            county=county,
        ),
        popcenters=read_census_popcenters(pc / "CenPop2010_Mean_TR_national.csv", counties=county),
        population_points=read_census_popcenters(
            pc / "CenPop2010_Mean_BG_national.csv", level="block_group", counties=county
        ),
        stores=read_snap_retailers(tmp_path / "snap.json"),
        sites=read_site_list(
            tmp_path / "gardens.csv", kind="garden", columns={"name": "gardenname"}
        ),
        name="Allegheny County, PA",
    )
    assert len(region.areas) == 402
    assert int(region.areas["in_atlas"].sum()) == 400
    assert int(region.areas["population"].sum()) == 1_223_348  # Census 2010, Allegheny County
    assert len(region.population_points) == 1_100
    assert int(region.areas["LILATracts_halfAnd10"].sum()) == 117
    assert len(region.stores) == 929  # every SNAP retailer of the county, read from JSON
    assert len(region.sites) == 135  # 138 gardens; 3 school gardens far outside, named
    assert region.sites["name"].notna().all()


def test_2015_atlas_pop2010_is_the_population(tmp_path):
    from equity.sources import assemble_us_region

    tiger = _tiger()
    rows = "".join(
        f"{g},Pennsylvania,Allegheny,1,{1000 * (i + 1)},400,0,0,10,0,0.1\n"
        for i, g in enumerate(tiger["GEOID10"])
    )
    atlas = read_usda_atlas(_write(tmp_path, "atlas.csv", ATLAS_2015_HEADER + rows))
    region = assemble_us_region(tracts=read_census_tracts(tiger), atlas=atlas)
    assert region.areas.sort_values("area_id")["population"].tolist() == [1000, 2000, 3000, 4000]

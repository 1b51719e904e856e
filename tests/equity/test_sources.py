"""Readers of the public US sources: small generated files, and the real data when present."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from equity import DataSourceError, ValidationError, sources

ATLAS_2019 = (
    "\ufeffCensusTract,State,County,Urban,Pop2010,OHU2010,LILATracts_halfAnd10,"
    "LowIncomeTracts,PovertyRate,MedianFamilyIncome,lapophalfshare,TractHUNV\n"
    "1001020100,Alabama,Autauga County,1,1912,693,0,0,11.3,81250,45.5,20\n"
    "42003010300,Pennsylvania,Allegheny County,1,6600,2000,1,1,30,NULL,NULL,300\n"
)
ATLAS_2015 = (  # the 2015 edition spells it POP2010
    "CensusTract,State,County,Urban,POP2010,PovertyRate,lapophalfshare\n"
    "01001020100,Alabama,Autauga County,1,1912,11.3,0.455\n"
    "01001020200,Alabama,Autauga County,0,2170,17.9,0.25\n"
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


# ---------------------------------------------------------------- Atlas
def test_atlas_2019_bom_null_int_ids_percent(tmp_path):
    atlas = sources.read_usda_atlas(write(tmp_path, "a.csv", ATLAS_2019))
    assert atlas.columns[:2].tolist() == ["area_id", "CensusTract"]
    assert atlas["area_id"].tolist() == ["01001020100", "42003010300"]
    assert atlas.attrs["edition"] == 2019
    assert atlas["lapophalfshare"].iloc[0] == pytest.approx(0.455)
    assert atlas["PovertyRate"].tolist() == pytest.approx([0.113, 0.30])
    assert np.isnan(atlas["MedianFamilyIncome"].iloc[1])  # the text NULL
    assert np.isnan(atlas["lapophalfshare"].iloc[1])
    assert any("divided by 100" in n for n in atlas.attrs["notes"])


def test_atlas_fast_reader_matches_pandas(tmp_path, monkeypatch):
    import equity._sources_common as common

    path = write(tmp_path, "a.csv", ATLAS_2019)
    slow = sources.read_usda_atlas(path)
    monkeypatch.setattr(common, "BIG_CSV_BYTES", 0)  # take the pyarrow path
    fast = sources.read_usda_atlas(path)
    assert fast.equals(slow)
    assert fast["area_id"].tolist() == ["01001020100", "42003010300"]


def test_atlas_2015_shares_stay_0_1(tmp_path):
    atlas = sources.read_usda_atlas(write(tmp_path, "a.csv", ATLAS_2015))
    assert atlas.attrs["edition"] == 2015
    assert atlas["lapophalfshare"].tolist() == pytest.approx([0.455, 0.25])
    assert atlas["PovertyRate"].tolist() == pytest.approx([0.113, 0.179])


@pytest.mark.parametrize(
    ("kwargs", "n"),
    [({"state": "PA"}, 1), ({"state": "01"}, 1), ({"county": "42003"}, 1),
     ({"state": "Alabama", "county": "Autauga County"}, 1), ({"county": "Autauga"}, 1)],
    ids=["usps", "fips", "county-fips", "names", "county-name-short"],
)  # fmt: skip
def test_atlas_filters(tmp_path, kwargs, n):
    assert len(sources.read_usda_atlas(write(tmp_path, "a.csv", ATLAS_2019), **kwargs)) == n


def test_atlas_snake_case_subset_renamed(tmp_path):
    text = "CensusTract,state,county,urban_flag,pop2010,li_la_half_10,poverty_rate\n"
    text += "01001020100,Alabama,Autauga County,1,1912,1,11.3\n"
    atlas = sources.read_usda_atlas(write(tmp_path, "n.csv", text))
    assert {"Urban", "Pop2010", "LILATracts_halfAnd10", "PovertyRate"} <= set(atlas.columns)
    assert atlas["PovertyRate"].iloc[0] == pytest.approx(0.113)


def test_atlas_errors_name_file_row_column(tmp_path):
    with pytest.raises(ValidationError, match="missing column 'CensusTract'") as info:
        sources.read_usda_atlas(write(tmp_path, "x.csv", "GEOID,Pop\n1,2\n"))
    assert info.value.problems[0].file.endswith("x.csv")
    bad = ATLAS_2015.replace("0,2170", "0,lots")
    with pytest.raises(ValidationError, match="'POP2010' must be a number; found 'lots'") as info:
        sources.read_usda_atlas(write(tmp_path, "b.csv", bad))
    assert (info.value.problems[0].row, info.value.problems[0].column) == (2, "POP2010")
    with pytest.raises(ValidationError, match="11-digit census GEOID; found 'tract9'"):
        sources.read_usda_atlas(
            write(tmp_path, "c.csv", ATLAS_2015.replace("01001020200", "tract9"))
        )
    with pytest.raises(DataSourceError, match="no such file"):
        sources.read_usda_atlas(tmp_path / "missing.csv")


# ---------------------------------------------------------------- tracts, centres, ACS
def _tracts(tmp_path: Path) -> Path:
    gdf = gpd.GeoDataFrame(
        {"GEOID10": ["42003000100", "42003000200"], "ALAND10": [1_000_000, 2_000_000],
         "NAMELSAD10": ["Census Tract 1", "Census Tract 2"]},
        geometry=[box(-80.0, 40.40, -79.99, 40.41), box(-79.99, 40.40, -79.98, 40.41)],
        crs="EPSG:4269",
    )  # fmt: skip
    folder = tmp_path / "shp"
    folder.mkdir()
    gdf.to_file(folder / "t.shp")
    return folder / "t.shp"


def test_tracts_shapefile_and_zip(tmp_path):
    shp = _tracts(tmp_path)
    tracts = sources.read_census_tracts(shp)
    assert tracts["area_id"].tolist() == ["42003000100", "42003000200"]
    assert tracts["land_area_m2"].tolist() == [1e6, 2e6]
    zpath = tmp_path / "t.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for f in shp.parent.iterdir():
            zf.write(f, f.name)
    assert sources.read_census_tracts(zpath)["area_id"].tolist() == tracts["area_id"].tolist()


def test_tracts_without_id_column(tmp_path):
    gdf = gpd.GeoDataFrame({"code": ["x"]}, geometry=[box(0, 0, 1, 1)], crs="EPSG:4326")
    gdf.to_file(tmp_path / "t.geojson")
    with pytest.raises(ValidationError, match="no tract id column.*Pass id_col="):
        sources.read_census_tracts(tmp_path / "t.geojson")


CENTRES_BG = (
    "STATEFP,COUNTYFP,TRACTCE,BLKGRPCE,POPULATION,LATITUDE,LONGITUDE\n"
    "42,003,000100,1,600,40.405,-79.995\n42,003,000100,2,400,40.406,-79.996\n"
    "42,005,000100,1,900,40.8,-79.5\n"
)


def test_popcenters_tract_and_block_group(tmp_path):
    tr = write(tmp_path, "tr.csv", "STATEFP,COUNTYFP,TRACTCE,POPULATION,LATITUDE,LONGITUDE\n"
               "42,3,100,1000,40.405,-79.995\n")  # fmt: skip
    t = sources.read_census_popcenters(tr)
    assert t[["area_id", "population", "pop_lon", "pop_lat"]].iloc[0].tolist() == [
        "42003000100", 1000.0, -79.995, 40.405]  # fmt: skip
    bg = sources.read_census_popcenters(
        write(tmp_path, "bg.csv", CENTRES_BG), level="block_group", counties=["42003"]
    )
    assert bg["point_id"].tolist() == ["420030001001", "420030001002"]
    assert set(bg["area_id"]) == {"42003000100"}
    with pytest.raises(ValidationError, match="missing column 'BLKGRPCE'.*CenPop2010_Mean_BG"):
        sources.read_census_popcenters(tr, level="block_group")


def test_rows_named_after_filtering(tmp_path):
    bg = CENTRES_BG + "42,003,000200,1,many,40.41,-79.99\n"
    with pytest.raises(ValidationError, match="row 4, column 'POPULATION'.*found 'many'"):
        sources.read_census_popcenters(
            write(tmp_path, "bg.csv", bg), level="block_group", counties="42003"
        )
    snap = "Store_Name,Longitude,Latitude,County\nA,-75,40,BUCKS\nB,-79.9,north,ALLEGHENY\n"
    with pytest.raises(ValidationError, match="row 2, column 'Latitude'"):
        sources.read_snap_retailers(write(tmp_path, "s.csv", snap), county="ALLEGHENY")


def test_acs_snap(tmp_path):
    p = write(tmp_path, "s.csv", "Geography,Geographic Area Name,SNAP\n42003000100,x,91\n")
    assert sources.read_acs_snap(p).iloc[0].tolist() == ["42003000100", 91.0]


# ---------------------------------------------------------------- stores and sites
#: A store's name and the kind it alone says.
NAME_KINDS = {
    "Giant Eagle #61": "supermarket", "Shop 'n Save": "supermarket",
    "Walmart Supercenter 2588": "supermarket", "GetGo 3130": "convenience",
    "Sunoco": "convenience", "Happy Mart": "convenience", "Rite Aid 123": "pharmacy",
    "Dollar General Store 1": "dollar_store", "Bloomfield Groceria": "grocery",
    "Citiparks Farmers Market": "farmers_market", "Produce Plus": "specialty",
    "McGinnis Sisters Market": "supermarket", "East End Food Co-op": "supermarket",
    "WEISS MEATS": "specialty", "Ukani Brothers": "other",
}  # fmt: skip


@pytest.mark.parametrize(("name", "kind"), NAME_KINDS.items())
def test_classify_store_name(name, kind):
    assert sources.classify_store_name(name)[0] == kind


def test_snap_with_and_without_store_type(tmp_path):
    text = ("\ufeffStore_Name,Store_Type,Longitude,Latitude,County\n"
            "Kim's,Large Grocery Store,-79.99,40.44,ALLEGHENY \n"
            "Giant Eagle,,-79.98,40.45,ALLEGHENY \n"
            "Corner,Convenience Store,-75.1,40.0,PHILADELPHIA \n"
            "No place,Supermarket,,,ALLEGHENY \n")  # fmt: skip
    s = sources.read_snap_retailers(write(tmp_path, "s.csv", text), county="Allegheny")
    assert s["kind"].tolist() == ["supermarket", "supermarket"]
    assert s["kind_rule"].tolist() == ["snap type", "banner"]
    assert s["kind_reason"].tolist() == [
        "SNAP store type 'Large Grocery Store'", "banner 'Giant Eagle' (supermarket)"]  # fmt: skip
    assert s["store_type"].iloc[0] == "Large Grocery Store" and pd.isna(s["store_type"].iloc[1])
    assert s["source_row"].tolist() == [1, 2]
    assert "1 row(s) have no coordinates" in s.attrs["problems"][0].message
    plain = sources.read_snap_retailers(
        write(tmp_path, "p.csv", "Store_Name,lon,lat\nAldi,-80,40\n")
    )
    assert plain["kind"].tolist() == ["supermarket"]


def test_snap_bad_coordinates(tmp_path):
    p = write(tmp_path, "s.csv", "Store_Name,Longitude,Latitude\nA,-79.9,40.4\nB,40.4,-100.5\n")
    with pytest.raises(ValidationError, match="row 2, column 'Longitude'.*look swapped"):
        sources.read_snap_retailers(p)


def test_store_lists(tmp_path):
    achd = ("Client ID,Name,Lat,Lon,Category\n1,Giant Eagle,40.44,-79.99,Supermarket\n"
            "2,Sunoco,40.45,-79.98,Convenience Store\n3,Lee's Deli,40.46,-79.97,Supermarket\n"
            "4,Kim's,40.47,-79.96,Supermarket\n")  # fmt: skip
    a = sources.read_store_list(write(tmp_path, "a.csv", achd))
    # the licence category "Supermarket" alone does not make a supermarket; a chain name does
    assert a["kind"].tolist() == ["supermarket", "convenience", "grocery", "grocery"]
    assert a["kind_rule"].tolist() == ["banner", "list", "name", "default"]
    assert a["kind_reason"].tolist() == [
        "banner 'Giant Eagle' (supermarket)",
        "the list's kind 'convenience'",
        "name 'deli'",
        "no type, banner, size or keyword"]  # fmt: skip
    trusted = sources.read_store_list(tmp_path / "a.csv", trust_category=True)
    assert trusted["kind"].tolist() == ["supermarket", "convenience", "supermarket", "supermarket"]
    chi = ("STORE NAME,LICENSE ID,SQUARE FEET,BUFFER SIZE,LATITUDE,LONGITUDE\n"
           "Big Box,1,25000,A,41.88,-87.75\nLittle Shop,2,3000,B,41.89,-87.75\n"
           "Jewel-Osco,3,8000,B,41.90,-87.75\nNo Size,4,,A,41.91,-87.75\n")  # fmt: skip
    c = sources.read_store_list(write(tmp_path, "c.csv", chi))
    assert c["kind"].tolist() == ["supermarket", "grocery", "supermarket", "supermarket"]
    assert c["store_id"].tolist() == ["chicagogrocery-1", "chicagogrocery-2",
                                      "chicagogrocery-3", "chicagogrocery-4"]  # fmt: skip
    assert c["area_sqft"].iloc[0] == 25000
    fm = sources.read_store_list(write(tmp_path, "f.csv", "Name,Latitude,Longitude\nM,40.4,-80\n"),
                         kind="farmers_market")  # fmt: skip
    assert fm["kind"].tolist() == ["farmers_market"]
    bad = chi.replace("Little Shop,2,3000", "Little Shop,2,small").replace("41.88", "")
    with pytest.raises(ValidationError, match="row 2, column 'SQUARE FEET'.*found 'small'"):
        sources.read_store_list(write(tmp_path, "bad.csv", bad))
    with pytest.raises(ValidationError, match="cannot tell what list"):
        sources.read_store_list(write(tmp_path, "u.csv", "a,b\n1,2\n"))
    with pytest.raises(ValueError, match="Did you mean 'supermarket'"):
        sources.read_store_list(tmp_path / "f.csv", kind="supermarkt")


def test_site_lists(tmp_path):
    gp = ("directory_category,content_post_title,directory_location__lat,directory_location__lng\n"
          "community-garden,A,40.44,-79.99\ncommunity-farm;community-garden,B,40.45,-79.98\n"
          "school-garden,C,,\n")  # fmt: skip
    g = sources.read_site_list(write(tmp_path, "g.csv", gp))
    assert g["kind"].tolist() == ["garden", "farm"]
    assert g["site_id"].tolist() == ["growpgh-0001", "growpgh-0002"]
    fb = sources.read_site_list(write(tmp_path, "fb.csv", "name,latitude,longitude\nP,40.4,-80\n"),
                        kind="food_bank")  # fmt: skip
    assert fb["kind"].tolist() == ["pantry"]
    cfp = "source_org,type,name,location_description,latitude,longitude\n"
    gp = write(
        tmp_path, "cfp.csv", cfp + "Grow Pittsburgh,Grow PGH Garden,A,community-farm,40.4,-80\n"
    )
    assert sources.read_site_list(gp)["kind"].tolist() == ["farm"]
    fb = write(
        tmp_path, "cfpfb.csv", cfp + "Greater Pittsburgh Community Food Bank,x,B,,40.4,-80\n"
    )
    assert sources.read_site_list(fb)["kind"].tolist() == ["pantry"]
    ns = gpd.GeoDataFrame({"SITE_NAME": ["G"]}, geometry=[Point(-87.7, 41.85)], crs="EPSG:4326")
    ns.to_file(tmp_path / "ns.geojson")
    assert sources.read_site_list(tmp_path / "ns.geojson")["kind"].tolist() == ["garden"]


def test_similar_names():
    assert sources.similar_names("Giant Eagle #61", "GIANT EAGLE 0061")
    assert sources.similar_names("Shop 'n Save / Shaler", "Shop N Save")
    assert not sources.similar_names("Sunoco", "Rite Aid")


def test_dedupe_stores(tmp_path):
    a = sources.read_store_list(write(tmp_path, "a.csv", "Client ID,Name,Lat,Lon,Category\n"
                              "1,Giant Eagle #61,40.4400,-79.9900,Supermarket\n"),
                        kind="achd")  # fmt: skip
    s = sources.read_snap_retailers(write(tmp_path, "s.csv", "Store_Name,Longitude,Latitude\n"
                                  "GIANT EAGLE 0061,-79.9905,40.4402\n"   # ~50 m: same store
                                  "Rite Aid,-79.9901,40.4401\n"           # near, other name
                                  "Giant Eagle #99,-79.95,40.44\n"))  # fmt: skip
    d = sources.dedupe_stores(a, s, distance_m=100)
    assert d["store_id"].tolist() == ["achd-1", "snap-0002", "snap-0003"]
    assert d["sources"].tolist() == ["achd;snap", "snap", "snap"]
    assert d.attrs["merged"] == 1


def test_assemble_us_region(tmp_path):
    tracts = sources.read_census_tracts(_tracts(tmp_path))
    atlas = sources.read_usda_atlas(write(tmp_path, "a.csv", ATLAS_2019.replace(
        "42003010300", "42003000100")))  # fmt: skip
    bg = sources.read_census_popcenters(write(tmp_path, "bg.csv", CENTRES_BG), level="block_group")
    stores = sources.read_snap_retailers(
        write(tmp_path, "s.csv", "Store_Name,lon,lat\nAldi,-79.995,40.405\nFar,-70,40\n")
    )
    r = sources.assemble_us_region(tracts=tracts, atlas=atlas, population_points=bg, stores=stores)
    a = r.areas.set_index("area_id")
    assert a.loc["42003000100", "population"] == 6600  # Atlas Pop2010 without centres
    assert a.loc["42003000200", "population"] == 0
    assert a.loc["42003000100", "poverty_rate"] == pytest.approx(0.30)
    assert a.loc["42003000100", "households_no_vehicle"] == 300
    assert bool(a.loc["42003000100", "urban"]) and a.loc["42003000100", "LILATracts_halfAnd10"] == 1
    assert a["in_atlas"].tolist() == [True, False]
    assert len(r.stores) == 1 and len(r.population_points) == 2
    assert r.sources["atlas"].endswith("a.csv")
    assert any("no population" in p.message for p in r.problems)


def test_builders_need_the_data_folder(tmp_path, monkeypatch):
    from equity.sources import allegheny_region

    monkeypatch.delenv("FOODSHED_SHARED_DATA", raising=False)
    with pytest.raises(DataSourceError, match="set FOODSHED_SHARED_DATA"):
        allegheny_region()
    with pytest.raises(DataSourceError, match="no such folder"):
        allegheny_region(tmp_path / "absent")


# ---------------------------------------------------------------- real public data
@pytest.mark.shared_data
def test_real_atlas_files(shared_data):
    ma = sources.read_usda_atlas(
        shared_data / "fara2019_massachusetts" / "FoodAccessResearchAtlasData2019_MA.csv"
    )
    assert ma.shape == (1467, 148) and ma["area_id"].str.len().eq(11).all()
    assert ma["area_id"].iloc[0] == "25001010100"
    assert ma["lapophalfshare"].max() <= 1.0 and ma["lapophalfshare"].max() > 0.9
    assert int(ma["LILATracts_halfAnd10"].sum()) == 355
    assert int(ma["LILATracts_1And10"].sum()) == 112
    nat = sources.read_usda_atlas(
        shared_data / "fara2019_national_subset" / "fara2019_national_25col.csv", county="42003"
    )
    assert len(nat) == 400
    assert int(nat["LILATracts_halfAnd10"].sum()) == 117
    assert int(nat["LILATracts_1And10"].sum()) == 38
    assert int(nat["LowIncomeTracts"].sum()) == 148


@pytest.mark.shared_data
def test_real_store_and_site_lists(shared_data):
    d = shared_data / "pittsburgh_allegheny"
    achd = sources.read_store_list(d / "achd_convenience_and_supermarkets.csv", state="PA")
    # Convenience Store rows named for a pharmacy or dollar chain take that kind (21)
    assert achd["kind"].value_counts().to_dict() == {
        "convenience": 493, "supermarket": 127, "grocery": 29, "dollar_store": 11,
        "pharmacy": 10}  # fmt: skip
    # without the state, "Allegheny City Market" matches the City Market banner (CO UT WY NM)
    anywhere = sources.read_store_list(d / "achd_convenience_and_supermarkets.csv")
    assert int(anywhere["kind"].eq("supermarket").sum()) == 129
    trusted = sources.read_store_list(
        d / "achd_convenience_and_supermarkets.csv", trust_category=True, state="PA"
    )
    assert trusted["kind"].value_counts().to_dict() == {
        "convenience": 493, "supermarket": 156, "dollar_store": 11, "pharmacy": 10}  # fmt: skip
    assert len(achd.attrs["problems"]) == 1  # two rows without coordinates
    wprdc = sources.read_store_list(d / "wprdc_allegheny_supermarkets.csv")
    assert len(wprdc) == 115  # 133 - 18
    # the list's kind, except a Dollar Tree (format rule)
    assert wprdc["kind"].value_counts().to_dict() == {"supermarket": 114, "dollar_store": 1}
    untrusted = sources.read_store_list(
        d / "wprdc_allegheny_supermarkets.csv", trust_category=False
    )
    assert int(untrusted["kind"].eq("supermarket").sum()) == 90  # by banner
    snap = sources.read_snap_retailers(d / "usda_snap_store_locations_allegheny.csv")
    assert len(snap) == 929 and snap["store_id"].is_unique
    state = sources.read_snap_retailers(d / "usda_snap_retailers_pennsylvania_statewide.csv",
                                county="Allegheny")  # fmt: skip
    assert len(state) == 901  # "ALLEGHENY " with its trailing space
    gardens = sources.read_site_list(d / "growpgh_garden_directory_20210322.csv")
    # first category: garden 42 + 38 + 11 (other) + 2 + 1 + 3 blank; farm 31 + 3 + 2 + 2 + 1 + 1 + 1
    assert gardens["kind"].value_counts().to_dict() == {"garden": 97, "farm": 41}
    assert len(sources.read_site_list(d / "cfp_greater_pittsburgh_community_food_bank_sites.csv",
                              kind="food_bank")) == 147  # fmt: skip


@pytest.mark.shared_data
def test_real_allegheny_region(shared_data):
    from equity.sources import allegheny_region

    r = allegheny_region(shared_data)
    assert len(r.areas) == 402 and int(r.areas["in_atlas"].sum()) == 400
    assert int(r.areas["LILATracts_halfAnd10"].sum()) == 117
    assert int(r.areas["LILATracts_1And10"].sum()) == 38
    assert r.areas["population"].sum() == 1_223_348  # Census 2010, Allegheny County
    assert len(r.population_points) == 1100
    # docs/data-sources.md lists these; they follow from the classifier and de-duplication
    assert r.stores["kind"].value_counts().to_dict() == {
        "convenience": 644, "supermarket": 346, "dollar_store": 153, "farmers_market": 152,
        "pharmacy": 118, "grocery": 87, "other": 66, "specialty": 20}  # fmt: skip
    assert r.provenance["stores_dedupe"].startswith("285 store(s)")
    assert r.provenance["store_rules"] == "atlas"
    assert r.provenance["achd_supermarkets_left_out"] == 127  # on the WPRDC / SNAP lists
    sup = r.stores[r.stores["kind"] == "supermarket"]
    # the Health Dept.'s banner supermarkets come from the other lists, and its licence class
    # makes none; the WPRDC list's kind makes 24 (no banner)
    assert sup["source"].value_counts().to_dict() == {"snap": 118, "wprdc": 114, "snappa": 114}
    assert sup["kind_rule"].value_counts().to_dict() == {"banner": 322, "list": 24}
    banners = allegheny_region(shared_data, store_rules="banners")
    assert int(banners.stores["kind"].eq("supermarket").sum()) == 322
    assert int((~sup.within(r.areas.union_all())).sum()) == 101  # beyond the county line
    assert "247 of 1037 store(s) within 10 miles" in r.provenance["stores_beyond"]
    assert not [p for p in r.problems if p.severity == "error"]
    assert r.areas["snap_households"].notna().sum() == 366  # ACS 2020 ids that match 2010
    assert r.stores["store_id"].is_unique
    assert set(r.sites["kind"]) == {"garden", "farm", "pantry"}
    assert r.provenance["atlas_joined"] == 400


@pytest.mark.shared_data
def test_real_allegheny_region_licence_rules(shared_data):
    from equity.sources import allegheny_region

    r = allegheny_region(shared_data, store_rules="licence")  # the earlier list
    kinds = r.stores["kind"].value_counts()
    # the licence category trusted, except for pharmacy and dollar-store names
    # (318 and 1,575, 304 merged, while dedupe_stores measured in the UTM zone of the Health
    # Dept. list's bounds: zone 33, its geocoding slips in Hong Kong pulling the centre east)
    assert kinds["supermarket"] == 292 and len(r.stores) == 1521
    assert r.provenance["stores_dedupe"].startswith("358 store(s)")
    assert r.provenance["within_mi"] == 0


def test_allegheny_region_options_checked_first(tmp_path):
    from equity.sources import allegheny_region

    with pytest.raises(ValueError, match="store_rules='wprdc'; use one of"):
        allegheny_region(tmp_path, store_rules="wprdc")
    with pytest.raises(ValueError, match="use 0 to 20 miles"):
        allegheny_region(tmp_path, within_mi=25)
    from equity.sources import chicago_region

    with pytest.raises(ValueError, match="store_lists='2019'; use one of"):
        chicago_region(tmp_path, store_lists="2019")


def test_snap_supermarkets_near(tmp_path):
    from equity.sources import snap_supermarkets_near

    text = ("Store_Name,Longitude,Latitude\nAldi,-80.0,40.5\nSunoco,-80.0,40.5\n"
            "Giant Eagle,-79.7,40.5\nKroger,-76.0,40.5\n")  # fmt: skip
    snap = sources.read_snap_retailers(write(tmp_path, "s.csv", text))
    area = gpd.GeoDataFrame(
        {"area_id": ["a"]}, geometry=[box(-80.01, 40.49, -79.99, 40.51)], crs=4326
    )
    # Giant Eagle lies about 24.5 km east of the area's edge; Kroger 340 km
    near = snap_supermarkets_near(snap, area, within_m=25_000)
    assert near["name"].tolist() == ["Aldi", "Giant Eagle"]
    assert snap_supermarkets_near(snap, area, within_m=20_000)["name"].tolist() == ["Aldi"]
    assert snap_supermarkets_near(snap, area, within_m=0).empty


@pytest.mark.shared_data
def test_real_chicago_region(shared_data):
    from equity.sources import chicago_region

    r = chicago_region(shared_data)
    assert len(r.areas) == 801 and int(r.areas["in_atlas"].sum()) == 797
    assert int(r.areas["LILATracts_halfAnd10"].sum()) == 202
    assert len(r.sites) == 76
    # 264 (2020, 2 without coordinates) + 1,826 (SNAP 2024) + 506 (2013), 449 merged, and
    # the 256 stores of the 2013 list found on neither later list left out
    assert len(r.stores) == 1888 and r.provenance["stores_2013_only_left_out"] == 256
    assert r.stores["kind"].value_counts().to_dict() == {
        "convenience": 802, "supermarket": 283, "grocery": 271, "dollar_store": 171,
        "pharmacy": 150, "specialty": 122, "farmers_market": 48, "other": 35,
        "fast_food": 6}  # fmt: skip
    sup = r.stores[r.stores["kind"] == "supermarket"]
    assert set(sup["kind_rule"]) == {"snap type", "banner", "size"}
    assert "49 changed kind" in r.provenance["stores_dedupe"]
    old = chicago_region(shared_data, store_lists="2013")
    assert len(old.stores) == 506
    sqft = old.stores["area_sqft"]
    assert int((sqft >= 10_000).sum()) == 211
    assert (old.stores.loc[sqft >= 10_000, "kind"] == "supermarket").all()

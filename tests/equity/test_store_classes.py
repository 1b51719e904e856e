"""The store classifier (equity.store_classes): hand-checkable tables, every SNAP type, the
banner list, stores beyond a region's edge, and the real SNAP lists when present."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from equity.access import M_PER_MILE
from equity.contracts import STORE_KINDS
from equity.sources import (
    AMBIGUOUS_SNAP_TYPES,
    SNAP_STORE_TYPES,
    classification_report,
    classify_stores,
    dedupe_stores,
    read_snap_retailers,
    stores_near,
    supermarket_banners,
)
from equity.store_classes import BANNER_FORMATS, normalise_name

# Every Store_Type value found in the public SNAP lists (Georgia 2008-2020, Hawaii 2004-2024,
# Chicago 2024), as written there.
REAL_TYPES = [
    "Bakery Specialty", "Combination Grocery/Other", "Convenience Store", "Delivery Route",
    "Direct Marketing Farmer", "Farmers' Market", "Fruits/Veg Specialty", "Large Grocery Store",
    "Meat/Poultry Specialty", "Medium Grocery Store", "Military Commissary",
    "Non-profit Food Buying Co-op", "Seafood Specialty", "Small Grocery Store", "Super Store",
    "Supermarket", "Unknown", "Food Buying Co-op", "Other", "Grocery Store", "Specialty Store",
    "Farmers and Markets", "Restaurant Meals Program",
]  # fmt: skip


@pytest.mark.parametrize("stype", REAL_TYPES)
def test_every_real_snap_type_is_mapped(stype):
    kind = SNAP_STORE_TYPES[normalise_name(stype)]
    assert kind in STORE_KINDS
    out = classify_stores(pd.DataFrame({"name": ["Nameless"], "store_type": [stype]}))
    assert out["kind"].iloc[0] == kind
    assert out.attrs["unknown_store_types"] == []


@pytest.mark.parametrize(
    ("stype", "kind"),
    [("Supermarket", "supermarket"), ("Super Store", "supermarket"),
     ("Large Grocery Store", "supermarket"), ("Medium Grocery Store", "grocery"),
     ("Small Grocery Store", "grocery"), ("Grocery Store", "grocery"),
     ("Convenience Store", "convenience"), ("Farmers' Market", "farmers_market"),
     ("Direct Marketing Farmer", "farmers_market"), ("Military Commissary", "other"),
     ("Restaurant Meals Program", "fast_food"), ("Pharmacy", "pharmacy"),
     ("Dollar Store", "dollar_store"), ("Seafood Specialty", "specialty")],
)  # fmt: skip
def test_snap_types_say_what_the_atlas_counts(stype, kind):
    assert SNAP_STORE_TYPES[normalise_name(stype)] == kind


# name, type, sales, sq ft, list kind -> kind, rule (worked out by hand from the docstring)
TABLE = [
    ("Walgreens 123", "Super Store", np.nan, np.nan, None, "pharmacy", "format"),
    ("Kim's", None, 3_000_000, np.nan, None, "supermarket", "sales"),
    ("Kroger 1", "Supermarket", 1_500_000, np.nan, None, "grocery", "snap type"),
    ("Kim's", "Large Grocery Store", np.nan, np.nan, None, "supermarket", "snap type"),
    ("Aldi 12", "Medium Grocery Store", np.nan, np.nan, None, "grocery", "snap type"),
    ("Aldi 12", "Grocery Store", np.nan, np.nan, None, "supermarket", "banner"),
    ("Aldi 12", None, np.nan, 4_000, None, "supermarket", "banner"),
    ("Kim's", "Grocery Store", np.nan, 12_000, None, "supermarket", "size"),
    ("Kim's", None, np.nan, 9_999, "supermarket", "grocery", "size"),
    ("Kim's", None, np.nan, np.nan, "supermarket", "supermarket", "list"),
    ("Supermercado Rivera", "Grocery Store", np.nan, np.nan, None, "grocery", "name"),
    ("Quick Stop Food Mart", None, np.nan, 3_000, None, "convenience", "name"),
    ("Kim's", "Grocery Store", np.nan, np.nan, None, "grocery", "default"),
    ("Kim's", "Combination Grocery/Other", np.nan, np.nan, None, "other", "default"),
    ("Target T-12", "Other", np.nan, 40_000, "supermarket", "other", "name"),
    ("Tai Wah Grocery", "Other", np.nan, np.nan, None, "grocery", "name"),
    ("Kim's", None, np.nan, np.nan, None, "other", "default"),
]


def test_classifier_table():
    s = pd.DataFrame(
        TABLE, columns=["name", "store_type", "sales_usd", "area_sqft", "list_kind", "k", "r"]
    )
    out = classify_stores(s)
    assert out["kind"].tolist() == s["k"].tolist()
    assert out["kind_rule"].tolist() == s["r"].tolist()
    assert out["kind_reason"].tolist()[:3] == [
        "name 'walgreens' (pharmacy)",
        "sales $3,000,000 >= $2,000,000",
        "SNAP store type 'Supermarket', but sales $1,500,000 < $2,000,000",
    ]
    assert out["kind_reason"].iloc[8] == "9,999 sq ft < 10,000"
    assert s.columns.tolist()[-2:] == ["k", "r"] and "kind" not in s  # input unchanged


def test_classifier_lines_are_options():
    s = pd.DataFrame({"name": ["Kim's"], "area_sqft": [8_000.0], "sales_usd": [np.nan]})
    assert classify_stores(s)["kind"].iloc[0] == "grocery"
    assert classify_stores(s, min_sqft=5_000)["kind"].iloc[0] == "supermarket"
    s = s.assign(sales_usd=1_800_000.0)
    assert classify_stores(s, min_sales_usd=1_000_000)["kind_rule"].iloc[0] == "sales"


def test_classifier_options_checked():
    s = pd.DataFrame({"name": ["Kim's"]})
    with pytest.raises(ValueError, match="default_kind='shop' is not a store kind"):
        classify_stores(s, default_kind="shop")
    with pytest.raises(ValueError, match="use numbers >= 0"):
        classify_stores(s, min_sqft=-1)


def test_unknown_types_fall_back_to_names():
    s = pd.DataFrame({"name": ["Aldi", "Kim's"], "store_type": ["Hypermarket", "Hypermarket"]})
    out = classify_stores(s)
    assert out["kind"].tolist() == ["supermarket", "other"]
    assert out.attrs["unknown_store_types"] == ["Hypermarket"]


def test_banners_limited_to_their_states():
    s = pd.DataFrame({"name": ["Stop & Shop 12"] * 3, "state": ["MA", "GA", None]})
    assert classify_stores(s)["kind"].tolist() == ["supermarket", "other", "supermarket"]


def test_banner_list_is_well_formed():
    b = supermarket_banners()
    assert len(b) >= 120 and b["banner"].is_unique
    assert set(b["format"]) <= set(BANNER_FORMATS)
    for p in b["pattern"]:
        re.compile(p)
    codes = {c for s in b["states"] for c in s.split()}
    assert all(re.fullmatch(r"[A-Z]{2}", c) for c in codes)
    # no banner pattern fires on the generic words of small stores
    for word in ("food mart", "grocery", "market", "mini market", "super market", "foods"):
        assert not any(re.search(p, word) for p in b["pattern"]), word


def test_classification_report_counts_by_rule():
    s = pd.DataFrame(
        TABLE, columns=["name", "store_type", "sales_usd", "area_sqft", "list_kind", "k", "r"]
    ).assign(source=["a"] * 10 + ["b"] * 7)
    rep = classification_report(classify_stores(s))
    got = {(r.source, r.kind, r.kind_rule): r.stores for r in rep.itertuples()}
    assert got[("a", "supermarket", "banner")] == 2
    assert got[("b", "other", "default")] == 2
    assert rep["stores"].sum() == 17
    assert classification_report(classify_stores(s), by=None)["stores"].sum() == 17
    with pytest.raises(ValueError, match="Run classify_stores"):
        classification_report(s.drop(columns=["k"]))


def test_dedupe_classifies_again_with_all_evidence(tmp_path):
    # the 2020 list has names only; the SNAP list's type and the 2013 list's size join it
    kept = gpd.GeoDataFrame(
        {"store_id": ["c-1", "c-2"], "name": ["Park To Shop", "Kim's"], "source": "c"},
        geometry=[Point(-87.63, 41.85), Point(-87.64, 41.86)],
        crs=4326,
    )
    kept = classify_stores(kept, default_kind="grocery")
    assert kept["kind"].tolist() == ["grocery", "grocery"]
    snap = gpd.GeoDataFrame(
        {"store_id": ["s-1"], "name": ["PARK TO SHOP"], "store_type": ["Supermarket"],
         "source": "s"},
        geometry=[Point(-87.6301, 41.8501)], crs=4326,
    )  # fmt: skip
    sizes = gpd.GeoDataFrame(
        {"store_id": ["z-1"], "name": ["Kims"], "area_sqft": [15_000.0], "source": "z"},
        geometry=[Point(-87.6401, 41.8601)],
        crs=4326,
    )
    out = dedupe_stores(kept, classify_stores(snap), classify_stores(sizes))
    assert out["store_id"].tolist() == ["c-1", "c-2"]
    assert out["kind"].tolist() == ["supermarket", "supermarket"]
    assert out["kind_rule"].tolist() == ["snap type", "size"]
    assert out["sources"].tolist() == ["c;s", "c;z"]
    assert "2 merged store(s) gained" in out.attrs["notes"][1]


def _region_areas() -> gpd.GeoDataFrame:
    # two 1 x 1 km squares near Pittsburgh: an urban one and a rural one 30 km east of it
    return gpd.GeoDataFrame(
        {"area_id": ["u", "r"], "urban": [True, False]},
        geometry=[box(-80.006, 40.4955, -79.994, 40.5045), box(-79.652, 40.4955, -79.640, 40.5045)],
        crs=4326,
    )


def test_stores_near_keeps_10_miles_and_20_for_rural_areas():
    # a degree of longitude at 40.5 N is 84.7 km; miles west of the urban square's edge
    lon = -80.006 - np.array([9.0, 11.0, 19.0]) * M_PER_MILE / 84_700
    # and east of the rural square's edge: 15 and 21 miles
    lon_r = -79.640 + np.array([15.0, 21.0]) * M_PER_MILE / 84_700
    stores = gpd.GeoDataFrame(
        {"name": ["w9", "w11", "w19", "e15", "e21"]},
        geometry=[Point(x, 40.5) for x in [*lon, *lon_r]],
        crs=4326,
    )
    near = stores_near(stores, _region_areas())
    assert near["name"].tolist() == ["w9", "e15"]
    # without a rural area, 10 miles everywhere
    assert stores_near(stores, _region_areas().assign(urban=True))["name"].tolist() == ["w9"]
    # an area whose urban flag is unknown is treated as possibly rural
    unknown = _region_areas().drop(columns="urban")
    assert stores_near(stores, unknown)["name"].tolist() == ["w9", "w11", "w19", "e15"]
    assert "2 of 5 store(s) within 10 miles" in near.attrs["notes"][-1]
    with pytest.raises(ValueError, match="use distances >= 0"):
        stores_near(stores, _region_areas(), within_mi=-1)


def test_assemble_adds_stores_beyond_the_edge(tmp_path):
    from equity.sources import assemble_us_region

    areas = _region_areas().iloc[:1].assign(population=100.0)
    # 0, 5 and 25 miles west; the areas have no urban flag (no Atlas): 20 miles apply
    lon = -80.006 - np.array([0.0, 5.0, 25.0]) * M_PER_MILE / 84_700
    wide = gpd.GeoDataFrame(
        {"store_id": ["w-1", "w-2", "w-3"], "kind": "supermarket", "name": ["A", "B", "C"],
         "source": "w"},
        geometry=[Point(x + 0.001, 40.5) for x in lon], crs=4326,
    )  # fmt: skip
    r = assemble_us_region(tracts=areas, stores_beyond=wide)
    assert sorted(r.stores["store_id"]) == ["w-1", "w-2"]
    assert "2 of 3 store(s)" in r.provenance["stores_beyond"]


@pytest.mark.shared_data
def test_real_snap_lists_with_types(shared_data):
    d = shared_data / "chicago_grocery_2020s"
    s = read_snap_retailers(d / "usda_snap_retailers_chicago_2024.csv")
    assert len(s) == 1826 and not s.attrs["problems"]
    # Supermarket 118 + Super Store 119 by type; four Targets FNS typed Other are not
    by_rule = s[s["kind"] == "supermarket"]["kind_rule"].value_counts().to_dict()
    assert by_rule == {"snap type": 237}
    target = s[s["name"].str.startswith("Target") & s["store_type"].eq("Other")]
    assert len(target) == 4 and target["kind"].eq("other").all()
    assert target["kind_reason"].iloc[0] == "banner 'Target', but SNAP store type 'Other'"
    assert set(s["store_type"]) - set(AMBIGUOUS_SNAP_TYPES) >= {"Supermarket", "Super Store"}
    hi = read_snap_retailers(
        shared_data
        / "snap_retailers_hawaii_georgia"
        / "usda_snap_retailers_hawaii_historical_2004_2024.csv"
    )
    assert hi.attrs["unknown_store_types"] == []
    assert (hi.loc[hi["store_type"] == "Large Grocery Store", "kind"] == "supermarket").all()


@pytest.mark.shared_data
def test_banners_agree_with_fns_types_in_georgia(shared_data):
    # Georgia's 2019 SNAP list (not used by the validation): a store that names alone call a
    # supermarket is one by FNS's own type: 1,097 by name, 1,368 by type, 99.0% / 79.4%
    ga = pd.read_csv(
        shared_data / "snap_retailers_hawaii_georgia" / "snap_retailers_georgia_2008_2020.csv",
        dtype=str,
    )
    ga = ga[ga["Y2019"] == "1"]
    typed = (
        ga["store_type"]
        .str.lower()
        .isin(["supermarket", "super store", "large grocery store"])
        .to_numpy()
    )
    named = classify_stores(ga.rename(columns={"store_name": "name"})[["name", "state"]])
    ours = named["kind"].eq("supermarket").to_numpy()
    assert ours.sum() > 1000
    assert (ours & typed).sum() / ours.sum() >= 0.98  # precision
    assert (ours & typed).sum() / typed.sum() >= 0.78  # recall: independents have no banner

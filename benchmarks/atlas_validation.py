"""Validate :func:`equity.atlas.atlas_classify` against the published USDA Atlas 2019 flags.

Builds Allegheny County, PA from ``../shared/data`` with a small private loader (TIGER 2010 tracts,
the Atlas's own poverty rate / median family income / urban flag / 2010 population, Census 2010
block-group population centres as population points, supermarkets from the county lists plus SNAP
retailers classified by name), computes the Atlas flags from that store list and compares them
with the Atlas: accuracy, Cohen's kappa and the confusion matrix.

Run: ``python benchmarks/atlas_validation.py [SHARED_DATA]``.
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from equity.atlas import atlas_classify

UTM17 = "EPSG:32617"
FLAGS = {
    "LILATracts_1And10": "li_la_1_10",
    "LILATracts_halfAnd10": "li_la_half_10",
    "LA1and10": "la_1_10",
    "LAhalfand10": "la_half_10",
}

#: Names that mark a SNAP retailer as a supermarket, supercenter or large grocery store.
SUPERMARKET_NAMES = re.compile(
    r"giant eagle(?! ?express)|market district|\baldi\b|shop ?'?n'? ?save|kuhn'?s|sam'?s club"
    r"|wal-?mart|\btarget\b|trader joe|costco|whole foods|save[- ]a[- ]lot|foodland|\biga\b"
    r"|mcginnis sisters|east end food co-?op|gordon food service|gfs marketplace|bottom dollar"
    r"|super ?market|super mkt|supermercado|community market|sparkle market|shurfine|food ?city"
    r"|\bgiant\b|weis|save ?mart|grocery outlet|lidl|meijer|kroger",
    re.IGNORECASE,
)


def _snap_supermarkets(df: pd.DataFrame, name: str, lon: str, lat: str, tag: str) -> pd.DataFrame:
    keep = df[name].astype(str).str.contains(SUPERMARKET_NAMES, na=False)
    out = df.loc[keep, [name, lon, lat]].rename(columns={name: "name", lon: "lon", lat: "lat"})
    out["source"] = tag
    return out


#: Store lists used by default. The ACHD list is left out: its "Supermarket" category is a
#: health-licence class, not a size class, and adds small stores the Atlas does not count.
DEFAULT_SOURCES = ("wprdc", "snap_county", "snap_pa")


def load_allegheny(
    shared: Path, *, buffer_km: float = 32.0, sources: tuple[str, ...] = DEFAULT_SOURCES
):
    """Areas, stores, population points and Atlas flags for Allegheny County (FIPS 42003).

    ``sources`` picks the supermarket lists: ``wprdc`` (county health department supermarkets),
    ``achd`` (its licence list, category Supermarket), ``snap_county`` and ``snap_pa`` (USDA SNAP
    retailers in the county and statewide, classified by name; statewide ones within
    ``buffer_km`` of the county cover tracts near its edge).
    """
    pgh = shared / "pittsburgh_allegheny"
    tracts = gpd.read_file(pgh / "tracts_2010" / "tl_2010_42003_tract10.shp").to_crs(UTM17)
    atlas = pd.read_csv(
        shared / "fara2019_national_subset" / "fara2019_national_25col.csv",
        dtype={"CensusTract": str},
    )
    atlas = atlas[atlas["CensusTract"].str.startswith("42003")]
    tracts = tracts.rename(columns={"GEOID10": "area_id"})[["area_id", "geometry"]]
    areas = tracts.merge(atlas, left_on="area_id", right_on="CensusTract", how="left")
    areas["population"] = areas["pop2010"]
    tr = pd.read_csv(
        shared / "census_popcenters_2010" / "CenPop2010_Mean_TR_national.csv", dtype=str
    )
    tr = tr[(tr.STATEFP == "42") & (tr.COUNTYFP == "003")]
    tr["area_id"] = tr.STATEFP + tr.COUNTYFP + tr.TRACTCE
    areas = areas.merge(
        tr[["area_id", "POPULATION", "LATITUDE", "LONGITUDE"]], on="area_id", how="left"
    )
    areas["population"] = areas["population"].fillna(pd.to_numeric(areas["POPULATION"]))
    areas["pop_lon"] = pd.to_numeric(areas["LONGITUDE"])
    areas["pop_lat"] = pd.to_numeric(areas["LATITUDE"])
    areas["poverty_rate"] = areas["poverty_rate"] / 100
    areas["urban"] = areas["urban_flag"].astype("boolean")
    areas = gpd.GeoDataFrame(areas, geometry="geometry", crs=UTM17)

    bg = pd.read_csv(
        shared / "census_popcenters_2010" / "CenPop2010_Mean_BG_national.csv", dtype=str
    )
    bg = bg[(bg.STATEFP == "42") & (bg.COUNTYFP == "003")]
    points = gpd.GeoDataFrame(
        {
            "point_id": (bg.STATEFP + bg.COUNTYFP + bg.TRACTCE + bg.BLKGRPCE).to_numpy(),
            "area_id": (bg.STATEFP + bg.COUNTYFP + bg.TRACTCE).to_numpy(),
            "population": pd.to_numeric(bg.POPULATION).to_numpy(),
        },
        geometry=gpd.points_from_xy(pd.to_numeric(bg.LONGITUDE), pd.to_numeric(bg.LATITUDE)),
        crs=4326,
    ).to_crs(UTM17)

    parts = []
    w = pd.read_csv(pgh / "wprdc_allegheny_supermarkets.csv")
    parts.append(
        w[["name", "longitude", "latitude"]]
        .rename(columns={"longitude": "lon", "latitude": "lat"})
        .assign(source="wprdc")
    )
    a = pd.read_csv(pgh / "achd_convenience_and_supermarkets.csv")
    a = a[a["Category"] == "Supermarket"]
    parts.append(
        a[["Name", "Lon", "Lat"]].rename(columns={"Name": "name", "Lon": "lon", "Lat": "lat"})
    )
    parts[-1]["source"] = "achd"
    s = pd.read_csv(pgh / "usda_snap_store_locations_allegheny.csv", encoding="utf-8-sig")
    parts.append(_snap_supermarkets(s, "Store_Name", "Longitude", "Latitude", "snap_county"))
    st = pd.read_csv(pgh / "usda_snap_retailers_pennsylvania_statewide.csv")
    parts.append(_snap_supermarkets(st, "STORE_NAME", "longitude", "latitude", "snap_pa"))
    stores = pd.concat(parts, ignore_index=True).dropna(subset=["lon", "lat"])
    stores = gpd.GeoDataFrame(
        stores, geometry=gpd.points_from_xy(stores["lon"], stores["lat"]), crs=4326
    ).to_crs(UTM17)
    # Stores beyond the county matter for tracts near its edge; far ones never do.
    near = stores.geometry.within(areas.union_all().buffer(buffer_km * 1000))
    stores = stores[near & stores["source"].isin(sources)].reset_index(drop=True)
    stores["store_id"] = [f"s{i}" for i in range(len(stores))]
    stores["kind"] = "supermarket"
    return areas, stores, points, atlas


def _atlas_areas(tracts: gpd.GeoDataFrame, shared: Path, county: str) -> gpd.GeoDataFrame:
    """Tracts joined to the Atlas columns and the Census 2010 tract population centres."""
    atlas = pd.read_csv(
        shared / "fara2019_national_subset" / "fara2019_national_25col.csv",
        dtype={"CensusTract": str},
    )
    atlas = atlas[atlas["CensusTract"].str.startswith(county)]
    areas = tracts.merge(atlas, left_on="area_id", right_on="CensusTract", how="left")
    tr = pd.read_csv(
        shared / "census_popcenters_2010" / "CenPop2010_Mean_TR_national.csv", dtype=str
    )
    tr["area_id"] = tr.STATEFP + tr.COUNTYFP + tr.TRACTCE
    tr = tr[tr["area_id"].str.startswith(county)]
    areas = areas.merge(
        tr[["area_id", "POPULATION", "LATITUDE", "LONGITUDE"]], on="area_id", how="left"
    )
    areas["population"] = areas["pop2010"].fillna(pd.to_numeric(areas["POPULATION"]))
    areas["pop_lon"] = pd.to_numeric(areas["LONGITUDE"])
    areas["pop_lat"] = pd.to_numeric(areas["LATITUDE"])
    areas["poverty_rate"] = areas["poverty_rate"] / 100
    areas["urban"] = areas["urban_flag"].astype("boolean")
    return gpd.GeoDataFrame(areas, geometry="geometry", crs=tracts.crs)


def _block_groups(shared: Path, county: str, crs: str) -> gpd.GeoDataFrame:
    bg = pd.read_csv(
        shared / "census_popcenters_2010" / "CenPop2010_Mean_BG_national.csv", dtype=str
    )
    bg = bg[county == (bg.STATEFP + bg.COUNTYFP)]
    return gpd.GeoDataFrame(
        {
            "point_id": (bg.STATEFP + bg.COUNTYFP + bg.TRACTCE + bg.BLKGRPCE).to_numpy(),
            "area_id": (bg.STATEFP + bg.COUNTYFP + bg.TRACTCE).to_numpy(),
            "population": pd.to_numeric(bg.POPULATION).to_numpy(),
        },
        geometry=gpd.points_from_xy(pd.to_numeric(bg.LONGITUDE), pd.to_numeric(bg.LATITUDE)),
        crs=4326,
    ).to_crs(crs)


UTM16 = "EPSG:32616"


def load_chicago(shared: Path, *, min_sqft: float = 10_000):
    """Chicago's 801 tracts, block-group centres and its 2013 grocery stores >= ``min_sqft``.

    The store list covers the city only; tracts near the city limits miss suburban stores,
    so :func:`main` also reports the tracts more than a mile inside the limits.
    """
    chi = shared / "chicago_cook"
    tracts = gpd.read_file(chi / "tracts_2010" / "chicago_census_tracts_2010.shp").to_crs(UTM16)
    tracts = tracts.rename(columns={"geoid10": "area_id"})[["area_id", "geometry"]]
    areas = _atlas_areas(tracts, shared, "17031")
    points = _block_groups(shared, "17031", UTM16)
    points = points[points["area_id"].isin(areas["area_id"])]
    g = pd.read_csv(chi / "chicago_grocery_stores_2013.csv")
    g = g[pd.to_numeric(g["SQUARE FEET"], errors="coerce") >= min_sqft]
    stores = gpd.GeoDataFrame(
        {
            "store_id": g["LICENSE ID"].astype(str).to_numpy(),
            "name": g["STORE NAME"].to_numpy(),
            "kind": "supermarket",
            "source": "chicago_2013",
        },
        geometry=gpd.points_from_xy(g["LONGITUDE"], g["LATITUDE"]),
        crs=4326,
    ).to_crs(UTM16)
    limits = areas.union_all()
    inner = areas.geometry.representative_point().distance(limits.boundary) > 1609.344
    areas["interior"] = inner.to_numpy()
    return areas, stores, points


def cohen_kappa(a: np.ndarray, b: np.ndarray) -> float:
    """Cohen's kappa of two boolean vectors."""
    a, b = np.asarray(a, bool), np.asarray(b, bool)
    po = np.mean(a == b)
    pe = a.mean() * b.mean() + (1 - a.mean()) * (1 - b.mean())
    return float((po - pe) / (1 - pe)) if pe < 1 else 1.0


def compare(ours: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Accuracy, kappa and confusion counts of each flag against the Atlas (tracts in both)."""
    have = areas["CensusTract"].notna().to_numpy()
    rows = []
    for name, col in FLAGS.items():
        mine = ours[name].to_numpy(bool)[have]
        theirs = areas[col].to_numpy()[have].astype(bool)
        rows.append(
            {
                "flag": name,
                "tracts": int(have.sum()),
                "atlas_true": int(theirs.sum()),
                "ours_true": int(mine.sum()),
                "accuracy": float(np.mean(mine == theirs)),
                "kappa": cohen_kappa(mine, theirs),
                "both": int((mine & theirs).sum()),
                "only_ours": int((mine & ~theirs).sum()),
                "only_atlas": int((~mine & theirs).sum()),
                "neither": int((~mine & ~theirs).sum()),
            }
        )
    return pd.DataFrame(rows)


def implied_income_reference(areas: pd.DataFrame) -> float:
    """The state-median reference that best reproduces the Atlas LowIncomeTracts flag."""
    have = areas["low_income_tracts"].notna()
    a = areas[have & (areas["poverty_rate"] < 0.20) & (areas["median_family_income"] > 0)]
    li = a["low_income_tracts"].astype(bool)
    lo, hi = a.loc[li, "median_family_income"].max(), a.loc[~li, "median_family_income"].min()
    return float((lo + hi) / 2 / 0.8)


def main(shared: Path) -> None:
    t0 = time.perf_counter()
    areas, stores, points, _ = load_allegheny(shared)
    ref = implied_income_reference(areas)
    print(
        f"Allegheny County: {len(areas)} tracts, {len(points)} block-group centres, "
        f"{len(stores)} supermarket points (incl. {buffer_note(stores)}), "
        f"income reference {ref:,.0f} (implied by the Atlas flags)"
    )
    for method in ("centroid", "points", "grid", "grid_points"):
        t1 = time.perf_counter()
        ours = atlas_classify(
            areas, stores, points=points, population_method=method, state_median_income=ref
        )
        dt = time.perf_counter() - t1
        li = (ours["LowIncomeTracts"] == areas["low_income_tracts"].fillna(0).astype(bool)).mean()
        print(f"\n== population method: {method} ({dt:.2f} s; LowIncomeTracts agree {li:.1%})")
        with pd.option_context("display.width", 140, "display.precision", 3):
            print(compare(ours, areas).to_string(index=False))
    areas, stores, points = load_chicago(shared)
    ref = implied_income_reference(areas)
    print(
        f"\nChicago: {len(areas)} tracts ({int(areas['interior'].sum())} more than a mile inside "
        f"the city limits), {len(points)} block-group centres, {len(stores)} grocery stores "
        f">= 10,000 sq ft (2013), income reference {ref:,.0f}"
    )
    ours = atlas_classify(
        areas, stores, points=points, population_method="grid", state_median_income=ref
    )
    li = (ours["LowIncomeTracts"] == areas["low_income_tracts"].fillna(0).astype(bool)).mean()
    print(f"LowIncomeTracts agree {li:.1%}")
    with pd.option_context("display.width", 140, "display.precision", 3):
        print("== all tracts (grid)")
        print(compare(ours, areas).to_string(index=False))
        inner = areas["interior"].to_numpy()
        print("== interior tracts (grid)")
        print(compare(ours[inner], areas[inner]).to_string(index=False))
    sources_regions(shared)
    print(f"\ntotal {time.perf_counter() - t0:.1f} s")


def sources_regions(shared: Path) -> None:
    """The same comparison on the regions that :mod:`equity.sources` assembles (its own store
    classification and de-duplication), through :func:`equity.analyze`."""
    try:
        from equity.sources import allegheny_region, chicago_region
    except ImportError:
        return
    from equity import analyze

    for name, build, ref in (
        ("Allegheny", allegheny_region, 77_793),
        ("Chicago", chicago_region, 84_856),
    ):
        region = build(shared)
        t = time.perf_counter()
        out = analyze(region, state_median_income=ref)
        dt = time.perf_counter() - t
        have = out["LowIncomeTracts_input"].notna().to_numpy()
        rows = []
        for flag in FLAGS:
            mine = out[flag].to_numpy(bool)[have]
            theirs = out[f"{flag}_input"].to_numpy()[have].astype(bool)
            rows.append(
                {
                    "flag": flag,
                    "atlas_true": int(theirs.sum()),
                    "ours_true": int(mine.sum()),
                    "accuracy": float(np.mean(mine == theirs)),
                    "kappa": cohen_kappa(mine, theirs),
                }
            )
        print(
            f"\n== {name} via equity.sources + equity.analyze "
            f"({out.attrs['population_method']}, {out.attrs['supermarkets']} supermarkets, "
            f"analyze {dt:.2f} s)"
        )
        with pd.option_context("display.width", 140, "display.precision", 3):
            print(pd.DataFrame(rows).to_string(index=False))


def buffer_note(stores: pd.DataFrame) -> str:
    return ", ".join(f"{k} {v}" for k, v in stores["source"].value_counts().items())


if __name__ == "__main__":
    root = Path(
        sys.argv[1]
        if len(sys.argv) > 1
        else os.environ.get("FOODSHED_SHARED_DATA", "../shared/data")
    )
    main(root)

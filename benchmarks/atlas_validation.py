"""Validate Foodshed's USDA Atlas flags against the published Food Access Research Atlas 2019.

The DEFAULT path comes first: what a new user gets from ``equity.sources.allegheny_region()``
/ ``chicago_region()`` and ``equity.analyze(region)`` with no options. Variants (population
method, store lists) follow, each labelled, and for Chicago one bound (every SNAP "Grocery
Store" counted as the Atlas's large grocery stores). Flags are compared on the tracts in the Atlas with
the Atlas flags the region carries (kept by ``analyze`` as ``<flag>_input``): accuracy, Cohen's
kappa and the confusion matrix.

No figure borrows from the answer: no threshold or income reference is fitted to the Atlas's
own flags. The low-income flag is ``analyze``'s default: where the areas carry the Atlas's
published ``LowIncomeTracts`` (as these regions do) it is used as published; if ``analyze`` on
this checkout computes its own instead, the agreement of that flag is printed and the LILA
flags are also shown as our low-access flag AND the published ``LowIncomeTracts``.

Then the held-out proxies, built the way docs/data-sources.md tells a new user to build any US
county, from the shared national tables only, no tract polygons (so people are placed at the
block-group centres, analyze's default for such a region): Fulton and DeKalb Counties, GA with
Georgia's SNAP list of June 2019, and Honolulu County, HI with Hawaii's historical SNAP list as
it stood on 30 June 2019. Nothing about them was tuned; they are the nearest thing here to the
cities the project is checked on.

Run: ``python benchmarks/atlas_validation.py [SHARED_DATA]``.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from equity import Region, analyze
from equity.access import M_PER_MILE
from equity.sources import (
    allegheny_region,
    chicago_region,
    classification_report,
    county_region,
    read_snap_retailers,
)

FLAGS = ("LILATracts_1And10", "LILATracts_halfAnd10", "LA1and10", "LAhalfand10")
LA_OF = {"LILATracts_1And10": "LA1and10", "LILATracts_halfAnd10": "LAhalfand10"}


def cohen_kappa(a: np.ndarray, b: np.ndarray) -> float:
    """Cohen's kappa of two boolean vectors."""
    a, b = np.asarray(a, bool), np.asarray(b, bool)
    po = np.mean(a == b)
    pe = a.mean() * b.mean() + (1 - a.mean()) * (1 - b.mean())
    return float((po - pe) / (1 - pe)) if pe < 1 else 1.0


def low_income_agreement(out: pd.DataFrame) -> float:
    """Share of Atlas tracts whose ``LowIncomeTracts`` agrees with the published flag."""
    have = out["in_atlas"].to_numpy(bool)
    mine = out["LowIncomeTracts"].to_numpy(bool)[have]
    return float(np.mean(mine == out["LowIncomeTracts_input"].to_numpy()[have].astype(bool)))


def flag_values(out: pd.DataFrame, flag: str, *, published_income: bool = False) -> np.ndarray:
    """Our flag; with ``published_income``, a LILA flag is our low-access flag AND the Atlas's
    published ``LowIncomeTracts`` (what ``analyze`` gives when it uses the published flag)."""
    if published_income and flag in LA_OF:
        li = out["LowIncomeTracts_input"].fillna(0).to_numpy().astype(bool)
        return out[LA_OF[flag]].to_numpy(bool) & li
    return out[flag].to_numpy(bool)


def compare(out: pd.DataFrame, *, published_income: bool = False) -> pd.DataFrame:
    """Accuracy, kappa and confusion counts of each flag against the Atlas's."""
    have = out["in_atlas"].to_numpy(bool)
    rows = []
    for flag in FLAGS:
        mine = flag_values(out, flag, published_income=published_income)[have]
        theirs = out[f"{flag}_input"].to_numpy()[have].astype(bool)
        rows.append(
            {
                "flag": flag,
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


def disagreements(out: pd.DataFrame, flag: str, *, published_income: bool) -> pd.DataFrame:
    """The tracts where our ``flag`` and the Atlas's differ, with the numbers that decide."""
    have = out["in_atlas"].to_numpy(bool)
    mine = flag_values(out, flag, published_income=published_income)
    theirs = out[f"{flag}_input"].fillna(0).to_numpy().astype(bool)
    tag = "1" if flag.endswith("1And10") else "half"
    cols = ["area_id", "population", f"lapop{tag}", f"lapop{tag}share", "dist_supermarket_mi"]
    d = out.loc[have & (mine != theirs), cols].copy()
    d.insert(1, "atlas", theirs[have & (mine != theirs)])
    return d.round(3)


def interior(areas: gpd.GeoDataFrame, *, miles: float = 1.0) -> np.ndarray:
    """Tracts whose representative point lies more than ``miles`` inside the region's edge."""
    edge = areas.union_all().boundary
    return (areas.geometry.representative_point().distance(edge) > miles * M_PER_MILE).to_numpy()


def _show(table: pd.DataFrame) -> None:
    with pd.option_context("display.width", 160, "display.precision", 3):
        print(table.to_string(index=False))


def _headline(out: pd.DataFrame, title: str) -> bool:
    """Print the comparison of one analyze result; returns whether LowIncomeTracts needed the
    published flag (analyze computed its own and it disagrees)."""
    agree = low_income_agreement(out)
    source = out.attrs.get("low_income_source", out.attrs.get("state_median_income_source", "?"))
    print(f"\n== {title} (LowIncomeTracts agree {agree:.1%}; income: {source})")
    _show(compare(out))
    if agree < 1.0:
        print("   LILA = our LA flag AND the Atlas's published LowIncomeTracts:")
        _show(compare(out, published_income=True).iloc[:2])
    return agree < 1.0


def _supermarkets(region: Region) -> str:
    sup = region.stores[region.stores["kind"].eq("supermarket")]
    beyond = int((~sup.within(region.areas.union_all())).sum())
    return f"{len(sup)} supermarkets ({beyond} beyond the edge)"


def _default(region: Region, header: str, by: str) -> tuple[pd.DataFrame, bool]:
    """Print a place's header and supermarkets, then its default ``analyze`` and what it
    warned; returns the result and whether the LILA flags needed the published income flag."""
    print(header)
    print(f"Store classification (supermarkets, {by}):")
    _show(classification_report(region.stores[region.stores["kind"].eq("supermarket")]))
    out = analyze(region)
    for line in out.attrs.get("data_warnings", []):
        print(f"   analyze says: {line}")
    split = _headline(out, f"DEFAULT: analyze(region) ({out.attrs['population_method']})")
    return out, split


def main(shared: Path) -> None:
    t0 = time.perf_counter()

    # ---------------------------------------------------------------- Allegheny, default
    t = time.perf_counter()
    region = allegheny_region(shared)
    build = time.perf_counter() - t
    print(
        f"Allegheny County, PA: allegheny_region() in {build:.1f} s: {len(region.areas)} "
        f"tracts, {len(region.population_points)} block-group centres, {_supermarkets(region)}"
    )
    print("Store classification (supermarkets, by rule):")
    _show(classification_report(region.stores[region.stores["kind"].eq("supermarket")], by=None))
    t = time.perf_counter()
    out = analyze(region)
    dt = time.perf_counter() - t
    split = _headline(
        out, f"DEFAULT: analyze(region) ({out.attrs['population_method']}, {dt:.2f} s)"
    )
    for flag in ("LILATracts_1And10", "LILATracts_halfAnd10"):
        print(f"   disagreements, {flag}:")
        _show(disagreements(out, flag, published_income=split))

    # ---------------------------------------------------------------- Allegheny, variants
    for method in ("grid", "points", "centroid"):
        _headline(
            analyze(region, population_method=method), f"variant: population_method={method!r}"
        )
    alone = allegheny_region(shared, within_mi=0, rural_within_mi=0)
    _headline(analyze(alone), f"variant: no stores beyond the county line ({_supermarkets(alone)})")
    banners = allegheny_region(shared, store_rules="banners")
    _headline(
        analyze(banners),
        f"variant: store_rules='banners' (supermarkets by banner only; {_supermarkets(banners)})",
    )
    old = allegheny_region(shared, store_rules="licence")
    _headline(
        analyze(old),
        f"variant: store_rules='licence' (the earlier list; {_supermarkets(old)})",
    )

    # ---------------------------------------------------------------- Chicago, default
    t = time.perf_counter()
    region = chicago_region(shared)
    build = time.perf_counter() - t
    inner = interior(region.areas)
    out, split = _default(
        region,
        f"\nChicago, IL: chicago_region() in {build:.1f} s: {len(region.areas)} tracts "
        f"({int(inner.sum())} more than a mile inside the city limits), "
        f"{_supermarkets(region)}; 2013 stores on neither later list left out: "
        f"{region.provenance.get('stores_2013_only_left_out')}",
        "by list and rule",
    )
    print("   interior tracts only:")
    _show(compare(out[inner], published_income=split))
    ex = disagreements(out, "LILATracts_halfAnd10", published_income=split)
    print(f"   disagreements, LILATracts_halfAnd10: {len(ex)} (first 10)")
    _show(ex.head(10))

    # ---------------------------------------------------------------- Chicago, variants
    _headline(analyze(region, population_method="grid"), "variant: population_method='grid'")
    old = chicago_region(shared, store_lists="2013")
    _headline(analyze(old), f"variant: store_lists='2013' ({_supermarkets(old)})")
    # Not a method, a bound: the 2020s SNAP "Grocery Store" type lumps the large grocery stores
    # the Atlas counts with small ones. Counting every one brackets the Atlas's store set.
    st = region.stores
    lumped = st["store_type"].eq("Grocery Store") & st["kind"].eq("grocery")
    every = region.with_tables(stores=st.assign(kind=st["kind"].mask(lumped, "supermarket")))
    _headline(
        analyze(every),
        f"bound, not a method: every SNAP 'Grocery Store' counted ({_supermarkets(every)})",
    )
    held_out(shared)
    print(f"\ntotal {time.perf_counter() - t0:.1f} s")


#: Held-out proxies: (county FIPS, name, SNAP list in ``snap_retailers_hawaii_georgia``).
HELD_OUT = (
    ("13121", "Fulton County, GA", "snap_retailers_georgia_2008_2020.csv"),
    ("13089", "DeKalb County, GA", "snap_retailers_georgia_2008_2020.csv"),
    ("15003", "Honolulu County, HI", "usda_snap_retailers_hawaii_historical_2004_2024.csv"),
)


def held_out(shared: Path) -> None:
    """The held-out proxies: default path, and the points method named (it is the default)."""
    folder = shared / "snap_retailers_hawaii_georgia"
    if not folder.is_dir():
        print(f"\nheld-out places skipped: {folder} is absent (the 2019 SNAP lists with types)")
        return
    lists: dict[str, gpd.GeoDataFrame] = {}
    for fips, title, file in HELD_OUT:
        if file not in lists:  # the state's list as it stood on the Atlas's store date
            lists[file] = read_snap_retailers(folder / file, active_on="2019-06-30")
        t = time.perf_counter()
        region = county_region(fips, lists[file], shared, name=title)
        build = time.perf_counter() - t
        out, split = _default(
            region,
            f"\n{title} (held-out proxy): county_region({fips!r}) in {build:.1f} s: "
            f"{len(region.areas)} tracts ({int(region.areas['in_atlas'].sum())} in the Atlas), "
            f"{_supermarkets(region)}, no tract polygons",
            "by rule",
        )
        for flag in ("LILATracts_1And10", "LAhalfand10"):
            ex = disagreements(out, flag, published_income=split)
            print(f"   disagreements, {flag}: {len(ex)} (first 6)")
            _show(ex.head(6))
        print("   variants (kappa of each flag):")
        rows = []
        for method in ("grid_points", "grid", "centroid"):  # on the stand-in polygons
            rows.append(
                (
                    f"population_method={method!r}",
                    compare(analyze(region, population_method=method)),
                )
            )
        every = read_snap_retailers(folder / file)  # every year's stores: no active_on
        rows.append(
            (
                "no active_on: the list of every year",
                compare(analyze(county_region(fips, every, shared))),
            )
        )
        _show(
            pd.DataFrame(
                [
                    {"variant": v, **dict(zip(c["flag"], c["kappa"].round(3), strict=True))}
                    for v, c in rows
                ]
            )
        )


if __name__ == "__main__":
    root = Path(
        sys.argv[1]
        if len(sys.argv) > 1
        else os.environ.get("FOODSHED_SHARED_DATA", "../shared/data")
    )
    main(root)

"""Check the supermarket banners (equity/_data/supermarket_banners.csv) against USDA's own
store types, in states the validation does not use.

Georgia's SNAP panel (2008-2020) and Hawaii's historical SNAP list (2004-2024) carry FNS's
detailed store types. For every banner, this counts the stores whose name it matches and the
share that FNS typed Supermarket, Super Store or Large Grocery Store (what the Atlas counts).
A banner whose matches are mostly smaller types would make false supermarkets. It also says
how well names alone (no store type, as in Allegheny's SNAP files) recover FNS's classes.
Nothing here looks at the Atlas's flags.

Run: ``python benchmarks/banner_check.py [SHARED_DATA]``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pandas as pd

from equity.store_classes import (
    BANNER_FORMATS,
    _banner,
    classify_stores,
    normalise_name,
    supermarket_banners,
)

ATLAS_TYPES = {"supermarket", "super store", "large grocery store"}


def typed_stores(shared: Path) -> pd.DataFrame:
    """One row per store (name, FNS type) from the Georgia and Hawaii lists."""
    d = shared / "snap_retailers_hawaii_georgia"
    ga = pd.read_csv(d / "snap_retailers_georgia_2008_2020.csv", dtype=str)
    ga = ga.drop_duplicates("store_id", keep="last")[["store_name", "store_type", "state"]]
    hi = pd.read_csv(d / "usda_snap_retailers_hawaii_historical_2004_2024.csv", dtype=str)
    hi = hi.drop_duplicates("Record ID", keep="last")[["Store Name", "Store Type", "State"]]
    hi.columns = ["store_name", "store_type", "state"]
    return pd.concat([ga, hi], ignore_index=True)


def check(stores: pd.DataFrame) -> pd.DataFrame:
    hits = [
        _banner(normalise_name(n), st)
        for n, st in zip(stores["store_name"], stores["state"], strict=True)
    ]
    s = stores.assign(
        banner=[h[0] if h else None for h in hits],
        atlas_type=stores["store_type"].str.lower().isin(ATLAS_TYPES),
    ).dropna(subset=["banner"])
    table = (
        s.groupby("banner")
        .agg(stores=("banner", "size"), atlas_type_share=("atlas_type", "mean"))
        .reset_index()
    )
    fmt = supermarket_banners().set_index("banner")["format"]
    table["format"] = table["banner"].map(fmt)
    return table.sort_values("stores", ascending=False)


def names_only(stores: pd.DataFrame) -> str:
    """How well names alone (no store type: what a list like Allegheny's SNAP export gives)
    recover FNS's classes: precision and recall of ``classify_stores`` without the type."""
    named = classify_stores(
        stores.rename(columns={"store_name": "name"})[["name", "state"]], default_kind="other"
    )
    ours = named["kind"].eq("supermarket").to_numpy()
    fns = stores["store_type"].str.lower().isin(ATLAS_TYPES).to_numpy()
    both = int((ours & fns).sum())
    return (
        f"names alone: {int(ours.sum())} supermarkets, {int(fns.sum())} typed so by FNS, "
        f"{both} both: precision {both / max(ours.sum(), 1):.1%}, recall "
        f"{both / max(fns.sum(), 1):.1%}"
    )


def main(shared: Path) -> None:
    stores = typed_stores(shared)
    table = check(stores)
    with pd.option_context("display.width", 120, "display.max_rows", 200):
        print(table.to_string(index=False, float_format=lambda v: f"{v:.0%}"))
    counted = table[table["format"].isin(BANNER_FORMATS)]
    n = counted["stores"].sum()
    share = (counted["stores"] * counted["atlas_type_share"]).sum() / n
    print(f"\n{n} stores matched by banners that count: {share:.1%} typed as the Atlas counts")
    print(names_only(stores))


if __name__ == "__main__":
    main(
        Path(
            sys.argv[1]
            if len(sys.argv) > 1
            else os.environ.get("FOODSHED_SHARED_DATA", "../shared/data")
        )
    )

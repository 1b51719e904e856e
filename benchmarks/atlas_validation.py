"""Validate Foodshed's USDA Atlas flags against the published Food Access Research Atlas 2019.

Builds each place through the public path, :func:`equity.sources.allegheny_region` and
:func:`equity.sources.chicago_region` (TIGER 2010 tracts, the Atlas's own poverty rate / median
family income / urban flag, Census 2010 population and block-group population centres, the
store lists classified by :mod:`equity.sources`), runs :func:`equity.analyze` and compares its
flags with the Atlas flags the region carries (kept by ``analyze`` as ``<flag>_input``):
accuracy, Cohen's kappa and the confusion matrix.

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

from equity import analyze
from equity.access import M_PER_MILE
from equity.sources import allegheny_region, chicago_region

FLAGS = ("LILATracts_1And10", "LILATracts_halfAnd10", "LA1and10", "LAhalfand10")
METHODS = ("centroid", "points", "grid", "grid_points")


def cohen_kappa(a: np.ndarray, b: np.ndarray) -> float:
    """Cohen's kappa of two boolean vectors."""
    a, b = np.asarray(a, bool), np.asarray(b, bool)
    po = np.mean(a == b)
    pe = a.mean() * b.mean() + (1 - a.mean()) * (1 - b.mean())
    return float((po - pe) / (1 - pe)) if pe < 1 else 1.0


def compare(out: pd.DataFrame) -> pd.DataFrame:
    """Accuracy, kappa and confusion counts of each flag of an :func:`equity.analyze` result
    against the Atlas flags it kept as ``<flag>_input`` (tracts in the Atlas only)."""
    have = out["in_atlas"].to_numpy(bool)
    rows = []
    for flag in FLAGS:
        mine = out[flag].to_numpy(bool)[have]
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


def implied_income_reference(areas: pd.DataFrame) -> float:
    """The state-median reference that best reproduces the Atlas ``LowIncomeTracts`` flag:
    halfway between the highest income of a low-income tract and the lowest of another
    tract, among tracts whose poverty rate (under 20%) does not decide it, over 0.8."""
    have = areas["low_income"].notna().to_numpy()
    a = areas[have & (areas["poverty_rate"] < 0.20) & (areas["median_family_income"] > 0)]
    li = a["low_income"].astype(bool)
    lo, hi = a.loc[li, "median_family_income"].max(), a.loc[~li, "median_family_income"].min()
    return float((lo + hi) / 2 / 0.8)


def low_income_agreement(out: pd.DataFrame) -> float:
    have = out["in_atlas"].to_numpy(bool)
    mine = out["LowIncomeTracts"].to_numpy(bool)[have]
    return float(np.mean(mine == out["LowIncomeTracts_input"].to_numpy()[have].astype(bool)))


def interior(areas: gpd.GeoDataFrame, *, miles: float = 1.0) -> np.ndarray:
    """Tracts whose representative point lies more than ``miles`` inside the region's edge."""
    edge = areas.union_all().boundary
    return (areas.geometry.representative_point().distance(edge) > miles * M_PER_MILE).to_numpy()


def _show(table: pd.DataFrame) -> None:
    with pd.option_context("display.width", 140, "display.precision", 3):
        print(table.to_string(index=False))


def main(shared: Path) -> None:
    t0 = time.perf_counter()
    t = time.perf_counter()
    region = allegheny_region(shared)
    build = time.perf_counter() - t
    ref = implied_income_reference(region.areas)
    sup = region.stores[region.stores["kind"].eq("supermarket")]
    beyond = int((~sup.within(region.areas.union_all())).sum())
    print(
        f"Allegheny County via equity.sources.allegheny_region ({build:.1f} s): "
        f"{len(region.areas)} tracts, {len(region.population_points)} block-group centres, "
        f"{len(sup)} supermarkets ({beyond} beyond the county line; store rules "
        f"'{region.provenance['store_rules']}'), income reference {ref:,.0f} (implied by the "
        "Atlas flags)"
    )
    for method in METHODS:
        t = time.perf_counter()
        out = analyze(region, population_method=method, state_median_income=ref)
        dt = time.perf_counter() - t
        print(
            f"\n== population method: {method} (analyze {dt:.2f} s; LowIncomeTracts agree "
            f"{low_income_agreement(out):.1%})"
        )
        _show(compare(out))

    old = allegheny_region(shared, store_rules="licence")
    n_old = int(old.stores["kind"].eq("supermarket").sum())
    print(
        f"\n== Allegheny, store_rules='licence' (the licence category trusted, no stores "
        f"beyond the county line; {n_old} supermarkets), population method grid"
    )
    _show(compare(analyze(old, population_method="grid", state_median_income=ref)))

    region = chicago_region(shared)
    ref = implied_income_reference(region.areas)
    inner = interior(region.areas)
    n_sup = int(region.stores["kind"].eq("supermarket").sum())
    print(
        f"\nChicago via equity.sources.chicago_region: {len(region.areas)} tracts "
        f"({int(inner.sum())} more than a mile inside the city limits), "
        f"{len(region.population_points)} block-group centres, {n_sup} supermarkets (2013 "
        f"list: 10,000 sq ft or more, or a chain), income reference {ref:,.0f}"
    )
    out = analyze(region, population_method="grid", state_median_income=ref)
    print(f"LowIncomeTracts agree {low_income_agreement(out):.1%}")
    print("== all tracts (grid)")
    _show(compare(out))
    print("== interior tracts (grid)")
    _show(compare(out[inner]))
    print(f"\ntotal {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    root = Path(
        sys.argv[1]
        if len(sys.argv) > 1
        else os.environ.get("FOODSHED_SHARED_DATA", "../shared/data")
    )
    main(root)

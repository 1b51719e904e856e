"""Rebuild the reference tables in this folder from the public data in ``../shared/data``.

Run from the repository root: ``python -m equity.reference.derive ../shared/data``. It reads the
USDA Food Access Research Atlas 2019 national table (tract ``MedianFamilyIncome``, ACS 2014-2018,
and ``OHU2010``) and the OMB August 2017 county -> CBSA delineation, and writes:

- ``counties_2019.csv``: every county of the Atlas 2019 table and, where it lies in a
  Metropolitan Statistical Area, its CBSA code;
- ``state_mfi_2019.csv`` and ``metro_mfi_2019.csv``: the household-weighted median of the tract
  median family incomes of each state and each metropolitan area.

It never reads the Atlas's ``LowIncomeTracts`` flags. See PROVENANCE.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ATLAS = "fara2019_national_subset/fara2019_national_25col.csv"
DELINEATION = "cbsa_county_delineations/omb_cbsa_county_2017_aug.csv"


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The smallest value at which the cumulative weight reaches half the total."""
    ok = np.isfinite(values) & np.isfinite(weights) & (weights > 0)
    v, w = values[ok], weights[ok]
    order = np.argsort(v, kind="stable")
    cw = np.cumsum(w[order])
    return float(v[order][np.searchsorted(cw, cw[-1] / 2)])


def _medians(t: pd.DataFrame, key: str) -> pd.DataFrame:
    rows = []
    for k, g in t.groupby(key, sort=True):
        inc = g["median_family_income"].to_numpy(float)
        w = g["ohu2010"].to_numpy(float)
        ok = np.isfinite(inc) & (inc > 0)
        rows.append(
            {
                key: k,
                "median_family_income": round(weighted_median(inc[ok], w[ok])),
                "tracts": int(ok.sum()),
            }
        )
    return pd.DataFrame(rows)


def main(shared: Path) -> None:
    t = pd.read_csv(shared / ATLAS, dtype={"CensusTract": str})
    t["state_fips"] = t["CensusTract"].str[:2]
    t["county_fips"] = t["CensusTract"].str[:5]
    d = pd.read_csv(shared / DELINEATION, dtype=str)
    d = d[d["is_metro"].eq("True")]
    t["cbsa"] = t["county_fips"].map(dict(zip(d["county_fips"], d["cbsa"], strict=True)))
    names = dict(zip(d["cbsa"], d["cbsa_name"], strict=False))

    counties = t.groupby("county_fips", sort=True)["cbsa"].first().reset_index()
    counties.to_csv(HERE / "counties_2019.csv", index=False, lineterminator="\n")

    states = _medians(t, "state_fips")
    states.insert(1, "state", states["state_fips"].map(t.groupby("state_fips")["state"].first()))
    states.to_csv(HERE / "state_mfi_2019.csv", index=False, lineterminator="\n")

    metros = _medians(t[t["cbsa"].notna()], "cbsa")
    metros.insert(1, "name", metros["cbsa"].map(names))
    metros.to_csv(HERE / "metro_mfi_2019.csv", index=False, lineterminator="\n")
    print(f"{len(counties)} counties, {len(states)} states, {len(metros)} metropolitan areas")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data"))

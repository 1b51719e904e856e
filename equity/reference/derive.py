"""Rebuild the reference tables in this folder from the public data in ``../shared/data``.

Run from the repository root: ``python -m equity.reference.derive ../shared/data``. It reads the
USDA Food Access Research Atlas 2019 national table (tract ``MedianFamilyIncome``, ACS 2014-2018,
and the tract counts ``OHU2010``, ``Pop2010`` and ``NUMGQTRS``) and the OMB August 2017 county
-> CBSA delineation, and writes:

- ``counties_2019.csv``: every county of the Atlas 2019 table and, where it lies in a
  Metropolitan Statistical Area, its CBSA code;
- ``state_mfi_2019.csv`` and ``metro_mfi_2019.csv``: the household-weighted median of the tract
  median family incomes of each state and each metropolitan area.

:func:`references` builds the same tables with another tract weight (:data:`WEIGHTS`) for
``benchmarks/low_income_validation.py``. Only the columns above are read: never the Atlas's
``LowIncomeTracts`` flags. See PROVENANCE.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from equity.atlas import IncomeReferences

HERE = Path(__file__).resolve().parent
ATLAS = "fara2019_national_subset/fara2019_national_25col.csv"
DELINEATION = "cbsa_county_delineations/omb_cbsa_county_2017_aug.csv"
_COLUMNS = ["CensusTract", "state", "ohu2010", "pop2010", "num_in_group_quarters"]

#: What each tract's median can stand for when the tract medians are combined.
WEIGHTS: dict[str, str] = {
    "households": "occupied housing units (OHU2010; the shipped files)",
    "household_population": "people in households (Pop2010 less NUMGQTRS)",
    "population": "all people (Pop2010)",
}


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The smallest value at which the cumulative weight reaches half the total."""
    ok = np.isfinite(values) & np.isfinite(weights) & (weights > 0)
    v, w = values[ok], weights[ok]
    order = np.argsort(v, kind="stable")
    cw = np.cumsum(w[order])
    return float(v[order][np.searchsorted(cw, cw[-1] / 2)])


def _medians(t: pd.DataFrame, key: str, weight: str) -> pd.DataFrame:
    rows = []
    for k, g in t.groupby(key, sort=True):
        inc = g["median_family_income"].to_numpy(float)
        w = g[weight].to_numpy(float)
        ok = np.isfinite(inc) & (inc > 0)
        rows.append(
            {
                key: k,
                "median_family_income": round(weighted_median(inc[ok], w[ok])),
                "tracts": int(ok.sum()),
            }
        )
    return pd.DataFrame(rows)


def read_tracts(shared: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """The Atlas 2019 tracts with their state, county, MSA and weights; and the MSA names."""
    t = pd.read_csv(
        shared / ATLAS, usecols=[*_COLUMNS, "median_family_income"], dtype={"CensusTract": str}
    )
    t["state_fips"] = t["CensusTract"].str[:2]
    t["county_fips"] = t["CensusTract"].str[:5]
    t["households"] = t["ohu2010"]
    t["household_population"] = t["pop2010"] - t["num_in_group_quarters"]
    t["population"] = t["pop2010"]
    d = pd.read_csv(shared / DELINEATION, dtype=str)
    d = d[d["is_metro"].eq("True")]
    t["cbsa"] = t["county_fips"].map(dict(zip(d["county_fips"], d["cbsa"], strict=True)))
    return t, dict(zip(d["cbsa"], d["cbsa_name"], strict=False))


def tables(t: pd.DataFrame, weight: str = "households") -> tuple[pd.DataFrame, pd.DataFrame]:
    """The state and metro reference tables, each tract median weighted by ``weight``."""
    if weight not in WEIGHTS:
        msg = f"weight={weight!r} is not one of {sorted(WEIGHTS)}"
        raise ValueError(msg)
    states = _medians(t, "state_fips", weight)
    states.insert(1, "state", states["state_fips"].map(t.groupby("state_fips")["state"].first()))
    metros = _medians(t[t["cbsa"].notna()], "cbsa", weight)
    return states, metros


def references(shared: Path, weight: str = "households") -> IncomeReferences:
    """The 2019 reference incomes built with ``weight``, for ``low_income_tracts(references=)``."""
    t, _ = read_tracts(shared)
    states, metros = tables(t, weight)
    counties = t.groupby("county_fips", sort=True)["cbsa"].first()
    return IncomeReferences(
        edition="2019",
        state=states.set_index("state_fips")["median_family_income"].astype(float).to_dict(),
        metro=metros.set_index("cbsa")["median_family_income"].astype(float).to_dict(),
        county_cbsa={c: (None if pd.isna(m) else str(m)) for c, m in counties.items()},
        description=f"medians of the Atlas 2019 tract median family incomes weighted by "
        f"{WEIGHTS[weight]}",
    )


def main(shared: Path) -> None:
    t, names = read_tracts(shared)
    counties = t.groupby("county_fips", sort=True)["cbsa"].first().reset_index()
    counties.to_csv(HERE / "counties_2019.csv", index=False, lineterminator="\n")
    states, metros = tables(t)
    states.to_csv(HERE / "state_mfi_2019.csv", index=False, lineterminator="\n")
    metros.insert(1, "name", metros["cbsa"].map(names))
    metros.to_csv(HERE / "metro_mfi_2019.csv", index=False, lineterminator="\n")
    print(f"{len(counties)} counties, {len(states)} states, {len(metros)} metropolitan areas")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data"))

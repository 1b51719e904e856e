"""Rebuild the reference tables in this folder from published income figures.

Run from the repository root: ``python -m equity.reference.derive ../shared/data``. It writes:

- ``counties_2019.csv``: every county of the Atlas 2019 table and, where it lies in a
  Metropolitan Statistical Area, its CBSA code (OMB August 2017 delineation);
- ``state_mfi_2019.csv``: each state's median family income for ACS 2014-2018, estimated as the
  mean of its five published ACS 1-year B19113 medians 2014..2018, each put in 2018 dollars with
  the CPI-U annual averages (:func:`pooled_1yr`; the files ``acs1_state_b19113_2011_2018.csv``
  and ``cpi_u_annual_2011_2018.csv`` here);
- ``metro_mfi_2019.csv``: each MSA's published ACS 2011-2015 B19113 (FFIEC's ``acs_mfi``,
  ``../shared/data/ffiec_msa_mfi``) times the growth of its states' median family income from
  2011-2015 to 2014-2018 (the same 1-year estimator); MSAs that FFIEC lists only by
  metropolitan division use the household-weighted mean of the divisions' published figures
  (:func:`metro_variants`).

The tract-median approximation shipped before (household-weighted medians of the Atlas tract
``MedianFamilyIncome``) is :func:`approximation`, with other tract weights (:data:`WEIGHTS`), for
``benchmarks/low_income_validation.py``. Only income figures are read: never the Atlas's
``LowIncomeTracts`` flags. See PROVENANCE.md.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from equity.atlas import IncomeReferences

HERE = Path(__file__).resolve().parent
ATLAS = "fara2019_national_subset/fara2019_national_25col.csv"
DELINEATION = "cbsa_county_delineations/omb_cbsa_county_2017_aug.csv"
FFIEC = "ffiec_msa_mfi/ffiec_msa_md_nonmetro_mfi_2012_2019.csv"
#: FFIEC's 2018 file: ACS 2011-2015 B19113 of every MSA of the 2017 delineation (Twin Falls, ID
#: included), the 11 divided ones listed by metropolitan division only.
FFIEC_YEAR = 2018
ACS1 = HERE / "acs1_state_b19113_2011_2018.csv"
CPI = HERE / "cpi_u_annual_2011_2018.csv"
US = "00"
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
    """The Atlas 2019 tracts with state, county, MSA, metro division, weights; and MSA names."""
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
    t["division"] = t["county_fips"].map(dict(zip(d["county_fips"], d["md"], strict=True)))
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


def approximation(shared: Path, weight: str = "households") -> IncomeReferences:
    """The tract-median approximation (shipped before) built with ``weight``, for comparison."""
    t, _ = read_tracts(shared)
    states, metros = tables(t, weight)
    return IncomeReferences(
        edition="2019",
        state=states.set_index("state_fips")["median_family_income"].astype(float).to_dict(),
        metro=metros.set_index("cbsa")["median_family_income"].astype(float).to_dict(),
        county_cbsa=_county_cbsa(t),
        description=f"medians of the Atlas 2019 tract median family incomes weighted by "
        f"{WEIGHTS[weight]}",
    )


def _county_cbsa(t: pd.DataFrame) -> dict[str, str | None]:
    counties = t.groupby("county_fips", sort=True)["cbsa"].first()
    return {c: (None if pd.isna(m) else str(m)) for c, m in counties.items()}


def pooled_1yr(first: int, last: int) -> pd.Series:
    """Each state's 5-year median family income ``first``-``last`` from published 1-year figures.

    The mean of the state's ACS 1-year B19113 medians of the five years, each put in ``last``-year
    dollars with the CPI-U annual averages, as the 5-year tables pool five years of responses in
    the last year's dollars. Keyed by state FIPS; ``"00"`` is the United States.
    """
    acs = pd.read_csv(ACS1, dtype={"state_fips": str})
    cpi = pd.read_csv(CPI).set_index("year")["cpi_u"]
    years = list(range(first, last + 1))
    if not set(years) <= set(cpi.index) or not set(years) <= set(acs["year"]):
        msg = f"{ACS1.name} / {CPI.name} do not cover the years {first}-{last}"
        raise ValueError(msg)
    acs = acs[acs["year"].isin(years)]
    per_state = acs.groupby("state_fips")["year"].nunique()
    short = per_state[per_state < len(years)]
    if len(short):
        msg = f"{ACS1.name}: states {', '.join(short.index)} lack some of the years {first}-{last}"
        raise ValueError(msg)
    adjusted = acs["b19113"] * cpi[last] / acs["year"].map(cpi)
    return adjusted.groupby(acs["state_fips"]).mean()


def _metro_mean(t: pd.DataFrame, by_state: Mapping[str, float]) -> pd.Series:
    """Per MSA, the household-weighted mean over its tracts of their state's value."""
    m = t[t["cbsa"].notna() & (t["households"] > 0)]
    v = m["state_fips"].map(by_state) * m["households"]
    return v.groupby(m["cbsa"]).sum() / m["households"].groupby(m["cbsa"]).sum()


def ffiec_2011_2015(shared: Path) -> pd.Series:
    """Published ACS 2011-2015 B19113 of each MSA and metropolitan division (FFIEC's 2018 file)."""
    f = pd.read_csv(shared / FFIEC, dtype={"area_code": str})
    f = f[(f["ffiec_year"] == FFIEC_YEAR) & ~f["is_nonmetro_state"].astype(bool)]
    return f.set_index("area_code")["acs_mfi"].astype(float)


def _divided(t: pd.DataFrame, ffiec: pd.Series, msas: pd.Index) -> pd.Series:
    """2011-2015 figures of divided MSAs: household-weighted means of their divisions' figures."""
    m = t[t["cbsa"].isin(msas) & (t["households"] > 0)]
    value = m["division"].map(ffiec)
    if value.isna().any():
        lost = sorted(set(m.loc[value.isna(), "cbsa"]))
        msg = f"{FFIEC}: no {FFIEC_YEAR} figure for MSAs {lost} or their divisions"
        raise ValueError(msg)
    w = m["households"]
    return (value * w).groupby(m["cbsa"]).sum() / w.groupby(m["cbsa"]).sum()


def metro_variants(shared: Path) -> tuple[dict[str, dict[str, float]], float]:
    """The metro estimators compared in the benchmark, and the national level factor.

    - ``tract medians``: the household-weighted median of the MSA's tract medians;
    - ``tract medians x state ratio``: times the household-weighted mean, over the MSA's tracts,
      of their state's ratio of the 1-year-based estimate to its tract-median approximation;
    - ``tract medians x level``: times one national factor, chosen so that over the MSAs FFIEC
      lists whole, the mean log ratio of the approximation to the published 2011-2015 B19113
      equals the national growth of median family income 2011-2015 -> 2014-2018 (1-year-based);
    - ``2011-2015 x state growth`` (shipped): the published 2011-2015 B19113 times the
      household-weighted mean growth of its states' median family income; for the 11 MSAs FFIEC
      lists only by metropolitan division, the 2011-2015 figure is the household-weighted mean
      of the divisions' published figures over the MSA's tracts.
    """
    t, _ = read_tracts(shared)
    states, metros = tables(t)
    approx = metros.set_index("cbsa")["median_family_income"].astype(float)
    now, before = pooled_1yr(2014, 2018), pooled_1yr(2011, 2015)
    state_approx = states.set_index("state_fips")["median_family_income"].astype(float)
    ratio = (now / state_approx).dropna().to_dict()
    growth = (now / before).to_dict()
    ffiec = ffiec_2011_2015(shared)
    common = approx.index.intersection(ffiec.index)
    divided = _divided(t, ffiec, approx.index.difference(ffiec.index))
    level = float(growth[US] / np.exp(np.log(approx[common] / ffiec[common]).mean()))
    r, g = _metro_mean(t, ratio), _metro_mean(t, growth)
    variants = {
        "tract medians": approx.to_dict(),
        "tract medians x state ratio": (approx * r[approx.index]).to_dict(),
        "tract medians x level": (approx * level).to_dict(),
        "2011-2015 x state growth": (pd.concat([ffiec, divided])[approx.index] * g[approx.index])
        .astype(float)
        .to_dict(),
    }
    return variants, level


def shipped_tables(shared: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The three shipped tables: counties, states and metros (see the module docstring)."""
    t, names = read_tracts(shared)
    counties = t.groupby("county_fips", sort=True)["cbsa"].first().reset_index()
    approx_states, approx_metros = tables(t)
    now = pooled_1yr(2014, 2018)
    states = approx_states[["state_fips", "state", "tracts"]].copy()
    states.insert(2, "median_family_income", states["state_fips"].map(now).round().astype(int))
    variants, _ = metro_variants(shared)
    chosen = variants["2011-2015 x state growth"]
    ffiec = ffiec_2011_2015(shared)
    metros = approx_metros[["cbsa", "tracts"]].copy()
    metros.insert(1, "name", metros["cbsa"].map(names))
    metros.insert(2, "median_family_income", metros["cbsa"].map(chosen).round().astype(int))
    metros.insert(
        3,
        "method",
        np.where(
            metros["cbsa"].isin(ffiec.index),
            "acs_2011_2015_x_state_growth",
            "acs_2011_2015_divisions_x_state_growth",
        ),
    )
    return counties, states, metros


def references(shared: Path) -> IncomeReferences:
    """The shipped 2019 references rebuilt from their sources (tests compare them)."""
    counties, states, metros = shipped_tables(shared)
    return IncomeReferences(
        edition="2019",
        state=states.set_index("state_fips")["median_family_income"].astype(float).to_dict(),
        metro=metros.set_index("cbsa")["median_family_income"].astype(float).to_dict(),
        county_cbsa={
            c: (None if pd.isna(m) else str(m))
            for c, m in zip(counties["county_fips"], counties["cbsa"], strict=True)
        },
        description="rebuilt by equity.reference.derive",
    )


def variant_references(shared: Path) -> dict[str, IncomeReferences]:
    """States from the 1-year estimator with each metro variant, for the benchmark."""
    t, _ = read_tracts(shared)
    state = {k: float(v) for k, v in pooled_1yr(2014, 2018).items() if k in set(t["state_fips"])}
    variants, level = metro_variants(shared)
    return {
        f"1-year states, metros: {name}": IncomeReferences(
            edition="2019",
            state=state,
            metro=metro,
            county_cbsa=_county_cbsa(t),
            description=f"{name} (level factor {level:.4f})",
        )
        for name, metro in variants.items()
    }


def main(shared: Path) -> None:
    counties, states, metros = shipped_tables(shared)
    counties.to_csv(HERE / "counties_2019.csv", index=False, lineterminator="\n")
    states.to_csv(HERE / "state_mfi_2019.csv", index=False, lineterminator="\n")
    metros.to_csv(HERE / "metro_mfi_2019.csv", index=False, lineterminator="\n")
    _, level = metro_variants(shared)
    by = metros["method"].value_counts().to_dict()
    print(
        f"{len(counties)} counties, {len(states)} states, {len(metros)} metropolitan areas "
        f"({by}); level factor {level:.4f}; US 2014-2018 {pooled_1yr(2014, 2018)[US]:,.0f}"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data"))

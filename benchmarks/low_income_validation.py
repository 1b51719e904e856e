"""The Atlas low-income rule against the Atlas's own ``LowIncomeTracts``, per edition.

Usage: ``python benchmarks/low_income_validation.py [../shared/data]``

Runs :func:`equity.atlas.low_income_tracts` on every tract of the Atlas 2019 national table
(72,364 tracts; Alaska is missing from it) with the published flag NOT used, and compares with
the published ``LowIncomeTracts``. In the same run, the named baselines:

- ``one median`` -- the old default: one population-weighted median of all the areas' incomes
  as the reference for every tract, metro or not (what a region that is not a state got
  silently);
- ``stand-in per state`` -- today's announced stand-in: each state's population-weighted
  median, no metro reference;
- ``shipped references`` -- the default rule: state and metro from the GEOID, with the
  reference incomes shipped in ``equity/reference`` (see its PROVENANCE.md): states from their
  published ACS 1-year B19113 2014-2018, metros from their published ACS 2011-2015 B19113
  times their states' growth;
- ``tract medians, weighted by ...`` -- the approximation shipped before (medians of the tract
  incomes, weighted by households, people in households or all people; passed as
  ``references=``);
- ``1-year states, metros: ...`` -- the shipped states with each metro estimator of
  ``equity.reference.derive.metro_variants`` (tract medians as they are, times each state's
  ratio, times one national level factor, and the shipped one);
- ``published`` -- the default when the areas carry the Atlas flag (agreement by construction).

The 2015 edition cannot be measured here: the shared data hold its flags but not its tract
poverty and income (ACS 2010-2014), the rule's inputs.
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import numpy as np

from equity.atlas import (
    LowIncomeStandInWarning,
    _weighted_median,
    income_references,
    low_income_tracts,
)
from equity.reference.derive import WEIGHTS, approximation, variant_references


def _kappa(a: np.ndarray, b: np.ndarray) -> float:
    po = float((a == b).mean())
    pe = float(a.mean() * b.mean() + (1 - a.mean()) * (1 - b.mean()))
    return (po - pe) / (1 - pe) if pe < 1 else 1.0


def main(shared: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' helpers
    from tests.helpers import atlas_2019_areas

    path = shared / "fara2019_national_subset" / "fara2019_national_25col.csv"
    if not path.exists():
        print(f"skipped: {path} is absent")
        return
    areas = atlas_2019_areas(path)
    truth = areas["LowIncomeTracts"].astype(bool).to_numpy()
    print(
        f"Atlas 2019 (ACS 2014-2018): {len(areas):,} tracts, {int(truth.sum()):,} published "
        "LowIncomeTracts"
    )
    mfi = areas["median_family_income"].where(areas["median_family_income"] > 0)
    one = _weighted_median(mfi.to_numpy(float), areas["population"].to_numpy(float))
    runs: list[tuple[str, dict]] = [
        (
            "one median (old default)",
            {
                # the same figure as the metro reference too, so that no shipped metro figure
                # enters (as the state one alone would let it for metro tracts)
                "state_median_income": one,
                "metro_median_income": one,
                "use_published": False,
            },
        ),
        ("stand-in per state", {"edition": "2015", "use_published": False}),
        ("shipped references", {"use_published": False}),
        *(
            (f"tract medians, {w.replace('_', ' ')}", {"use_published": False, "references": ref})
            for w in WEIGHTS
            for ref in (approximation(shared, w),)
        ),
        *(
            (label, {"use_published": False, "references": ref})
            for label, ref in variant_references(shared).items()
        ),
        ("published (default)", {}),
    ]
    print(
        f"{'reference':<58}{'agree':>9}{'kappa':>8}{'ours':>8}{'only ours':>11}{'only Atlas':>12}"
    )
    for label, kw in runs:
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LowIncomeStandInWarning)
            li, info = low_income_tracts(areas, **kw)
        dt = time.perf_counter() - t0
        ours = li.to_numpy()
        print(
            f"{label:<58}{(ours == truth).mean():>9.2%}{_kappa(ours, truth):>8.3f}"
            f"{int(ours.sum()):>8,}{int((ours & ~truth).sum()):>11,}"
            f"{int((~ours & truth).sum()):>12,}   ({dt:.2f} s; {info['low_income_sources']})"
        )
    refs = income_references("2019")
    assert refs is not None
    print(
        f"shipped references: {len(refs.state)} states, {len(refs.metro)} metropolitan areas, "
        f"{len(refs.county_cbsa):,} counties; {refs.description}"
    )
    print(
        "Atlas 2015 (ACS 2010-2014): not measured -- the shared data hold its LowIncomeTracts "
        "but not its tract poverty and income, and no 2010-2014 references are shipped"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data"))

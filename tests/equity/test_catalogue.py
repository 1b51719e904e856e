"""The measure catalogue: every column `analyze` adds has a real entry, formats read right."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from equity import M_PER_MILE, Region, analyze
from equity.catalogue import (
    GROUPS,
    HIGHER_IS_BETTER,
    HIGHER_IS_WORSE,
    MEASURES,
    Measure,
    measure_info,
)

ROOT = Path(__file__).resolve().parents[2]


def _added(region: Region, **kw) -> tuple[list[str], pd.DataFrame]:
    before = set(region.areas.columns)
    out = analyze(region, **kw)
    return [c for c in out.columns if c not in before], out


def _uncatalogued(columns) -> list[str]:
    return [c for c in columns if measure_info(c).generic]


@pytest.fixture(scope="module")
def demo_analysis() -> tuple[list[str], pd.DataFrame]:
    return _added(Region.demo())


def test_every_column_analyze_adds_on_the_demo_is_catalogued(demo_analysis) -> None:
    added, out = demo_analysis
    assert len(added) > 60  # distances, counts, Atlas, access, mRFEI, need
    assert _uncatalogued(added) == []
    # ... and so is every input column of the demo (the areas contract)
    assert _uncatalogued(c for c in out.columns if c != "geometry") == []
    for c in added:
        m = measure_info(c)
        assert m.name == c and m.label and m.definition, c
        assert m.group in GROUPS, (c, m.group)


@pytest.mark.shared_data
def test_every_column_analyze_adds_on_allegheny_is_catalogued(shared_data: Path) -> None:
    from equity.sources import allegheny_region

    region = allegheny_region(shared_data)
    added, out = _added(region, population_method="grid", state_median_income=77_793)
    # the published Atlas flags joined as inputs come back as `<name>_input`
    assert "LILATracts_1And10_input" in added and "dist_pharmacy_m" in added
    assert _uncatalogued(added) == []
    assert measure_info("LILATracts_1And10_input").label == (
        measure_info("LILATracts_1And10").label + " (as given in the input data)"
    )


def test_an_unknown_column_gets_an_honest_generic_entry() -> None:
    m = measure_info("my_own_score")
    assert m.generic and m.label == "My own score" and m.unit == ""
    assert "not in the Foodshed measure catalogue" in m.definition
    assert m.format(3.14159) == "3.14"
    assert not measure_info("need_index").generic


@pytest.mark.parametrize(
    ("column", "value", "text"),
    [
        ("dist_supermarket_mi", 1.234, "1.23 miles"),
        ("dist_supermarket_m", M_PER_MILE, "1.61 km"),
        ("dist_supermarket_m", math.inf, "none in reach"),
        ("poverty_rate", 0.256, "25.6%"),
        ("lapop1share", 0.5, "50.0%"),
        ("lapop1", 1234.4, "1,234 people"),
        ("population", 1234.0, "1,234 people"),
        ("median_family_income", 81000.0, "$81,000"),
        ("need_index", 57.26, "57 of 100"),
        ("need_poverty_pct", 12.0, "12 of 100"),
        ("mrfei", 12.5, "12%"),
        ("LILATracts_1And10", True, "yes"),
        ("LILATracts_1And10", 0, "no"),
        ("fca2_per_1000", 0.3456, "0.35 per 1,000 people"),
        ("pop_method", "grid_points", "grid_points"),
        ("poverty_rate", float("nan"), "no data"),
        ("poverty_rate", None, "no data"),
    ],
    ids=lambda v: str(v),
)
def test_format(column: str, value, text: str) -> None:
    assert measure_info(column).format(value) == text


def test_families_read_in_plain_words() -> None:
    assert measure_info("dist_farmers_market_mi").title == (
        "Distance to the nearest farmers' market (miles)"
    )
    assert measure_info("n_supermarket_halfmi").label == "Supermarkets within 1/2 mile"
    assert measure_info("n_grocery_10mi").label == "Grocery stores within 10 miles"
    assert measure_info("lahunvhalfshare").label == (
        "Share of households without a vehicle more than 1/2 mile from a supermarket"
    )
    assert measure_info("lalowi20").unit == "people"
    assert measure_info("need_snap").label == "Need indicator: households receiving SNAP"
    # a custom need indicator (any column given in need_weights) is named, not generic
    custom = measure_info("need_seniors_share_pct")
    assert not custom.generic and custom.unit == "percentile rank, 0-100"
    # plan columns are not need indicators
    assert measure_info("need_kg").generic


def test_directions() -> None:
    assert measure_info("dist_supermarket_m").direction == HIGHER_IS_WORSE
    assert measure_info("fca2_per_1000").direction == HIGHER_IS_BETTER
    assert measure_info("LILATracts_1And10").higher_is_worse
    assert measure_info("n_supermarket_1mi").direction == HIGHER_IS_BETTER
    assert not measure_info("n_convenience_1mi").higher_is_worse


def test_the_need_index_is_a_mean_percentile_rank(demo_analysis) -> None:
    """need_index is need.py's weighted mean of 0-100 percentile ranks: its unit says so (not a
    0-1 score), and on the demo it stays inside 0-100 without reaching either end."""
    _, out = demo_analysis
    m = measure_info("need_index")
    assert m.unit == "mean percentile rank, 0-100" and m.scale == 1.0
    assert "0-1 score" not in m.title and "percentile" in m.definition
    v = out["need_index"].dropna()
    assert v.between(0, 100).all() and v.max() > 1  # really 0-100, not 0-1
    assert v.min() > 0 and v.max() < 100  # a mean of ranks: no area is last on every rank
    # the mean of the area's indicator ranks, by hand for the first area
    parts = [c for c in out.columns if c.startswith("need_") and c.endswith("_pct")]
    row = out.iloc[0]
    have = [row[c] for c in parts if row[c] == row[c]]
    assert row["need_index"] == pytest.approx(sum(have) / len(have))


def test_fixed_classes_lower_bound_inclusive() -> None:
    m = Measure("x", "X", bins=(0.5, 1.0, np.inf), bin_labels=("low", "mid", "high"))
    assert m.class_of([0.0, 0.4999999999999, 0.5, 0.99, 1.0, 7.0, np.nan]).tolist() == [
        0,
        1,  # solver noise just under a boundary is the boundary
        1,
        1,
        2,
        2,
        -1,
    ]
    with pytest.raises(ValueError, match="has no fixed classes"):
        measure_info("population").class_of([1.0])


def test_exact_names_are_unique_and_documented() -> None:
    assert all(m.name == k and m.label and not m.generic for k, m in MEASURES.items())


def test_one_metres_per_mile_and_one_gini_in_the_tree() -> None:
    # issue 13: "One of each: metres per mile, Gini (in equity)"
    per_mile, ginis = [], []
    for path in [*ROOT.glob("*/**/*.py")]:
        if ".venv" in path.parts or "site-packages" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        rel = str(path.relative_to(ROOT))
        if str(M_PER_MILE) in text:
            per_mile.append(rel)
        # the Gini's trapezoid sum over the Lorenz curve, 1 - sum dp (L[i] + L[i-1])
        if not rel.startswith("tests") and re.search(r"\(\w+\[1:\] \+ \w+\[:-1\]\)", text):
            ginis.append(rel)
    assert per_mile == ["equity/access.py"]
    assert ginis == ["equity/inequality.py"]

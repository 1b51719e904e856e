"""The KPI catalogue: every key a plan, a sweep or the curve produces has an entry, and no more."""

from __future__ import annotations

import numpy as np
import pytest

from equity import Region
from equity.inequality import gini
from optimize import OBJECTIVES, allocate, efficiency_equity_curve
from optimize.catalogue import (
    CURVE_COLUMNS,
    FULFILMENT,
    KPIS,
    PLAN_COLUMNS,
    SWEEP_COLUMNS,
    kpi_info,
    measure_info,
)
from optimize.sweep import SweepSpec, run_serial, summarize_sweep
from tests.helpers import line4_region


@pytest.fixture(scope="module")
def demo() -> Region:
    return Region.demo()


@pytest.fixture(scope="module")
def demo_plans(demo):
    return {name: allocate(demo, objective=name) for name in OBJECTIVES}


@pytest.fixture(scope="module")
def line4() -> Region:
    # four areas on a line, two of them low income: the `low_income` KPI is produced here
    return line4_region()


@pytest.fixture(scope="module")
def sweep_frame(line4):
    spec = SweepSpec.from_dict(
        {
            "name": "tiny",
            "base": {"objective": "balanced", "network": {"max_distance_m": 4000}},
            "vary": {"equity_weight": [0.0, 1.0], "outage_probability": {"hub": 0.5}},
            "draw": {"count": 2, "seed": 11},
            "resilience": {"flag": "low_income", "threshold": 0.5},
        }
    )
    return spec, run_serial(spec, line4)


@pytest.mark.parametrize("objective", list(OBJECTIVES))
def test_every_kpi_each_objective_produces_on_the_demo_is_catalogued(
    demo_plans, objective: str
) -> None:
    kpis = demo_plans[objective].kpis
    assert [k for k in kpis if k not in KPIS] == []
    for key in kpis:
        m = kpi_info(key)
        assert not m.generic and m.label and m.definition, key


def test_the_catalogue_has_no_key_nothing_produces(demo_plans, line4, sweep_frame) -> None:
    produced: set[str] = set()
    for sol in demo_plans.values():
        produced |= set(sol.kpis)
    produced |= set(allocate(line4, objective="coverage").kpis)
    spec, frame = sweep_frame
    produced |= set(frame.columns)
    summary = summarize_sweep(frame, spec=spec)
    produced |= set(summary) | set(summary["resilience"].columns)
    produced |= set(efficiency_equity_curve(line4, weights=(0.0, 1.0)).columns)
    catalogued = set(KPIS) | set(SWEEP_COLUMNS) | set(CURVE_COLUMNS)
    assert sorted(catalogued - produced) == []
    # ... and every column of a sweep row, its resilience table and the curve is catalogued
    rows = set(frame.columns) | set(summary["resilience"].columns)
    rows |= set(efficiency_equity_curve(line4, weights=(0.0, 1.0)).columns)
    assert sorted(k for k in rows if kpi_info(k).generic) == []
    assert "low_income_need_met_share" in produced


def test_plan_columns_are_the_solution_fulfilment_columns(demo_plans) -> None:
    cols = set(demo_plans["balanced"].fulfilment.columns) - {"area_id", "population"}
    assert cols <= set(PLAN_COLUMNS)
    assert measure_info("fulfilment") is FULFILMENT
    assert not measure_info("population").generic  # from the equity catalogue


def test_mean_fulfilment_says_it_is_population_weighted(demo_plans) -> None:
    m = kpi_info("mean_fulfilment")
    assert "per resident" in m.label and "Population-weighted" in m.definition
    sol = demo_plans["balanced"]
    f = sol.fulfilment[sol.fulfilment["need_kg"] > 0]
    expected = np.average(f["fulfilment"], weights=f["population"])
    assert sol.kpis["mean_fulfilment"] == pytest.approx(expected)


def test_the_gini_kpi_is_equitys_gini(demo_plans) -> None:
    sol = demo_plans["maxmin"]
    f = sol.fulfilment[sol.fulfilment["need_kg"] > 0]
    assert sol.kpis["gini_fulfilment"] == pytest.approx(gini(f["fulfilment"], f["population"]))


@pytest.mark.parametrize(
    ("key", "value", "text"),
    [
        ("need_met_share", 0.6543, "65.4%"),
        ("transport_cost_usd", 39775.1, "$39,775"),
        ("gini_fulfilment", 0.31234, "0.312"),
        ("people_below_50pct", 1234.4, "1,234 people"),
        ("param_fair_share_band", 0.1, "10%"),
        ("p.equity_weight", 0.25, "0.25"),
        ("status", "optimal", "optimal"),
    ],
    ids=lambda v: str(v),
)
def test_kpi_format(key: str, value, text: str) -> None:
    assert kpi_info(key).format(value) == text


def test_unknown_keys_are_generic_and_settings_are_named() -> None:
    assert kpi_info("nothing_like_this").generic
    s = kpi_info("p.outage_probability")
    assert not s.generic and s.label == "Setting: outage probability"


def test_one_description_of_each_objective() -> None:
    from optimize._objectives import build_objective  # noqa: F401  (accepts these names)

    assert set(OBJECTIVES) == {"balanced", "coverage", "maxmin", "fair_share", "cost"}
    for name, o in OBJECTIVES.items():
        assert o.name == name and o.title and o.choice and o.summary and o.formula and o.words
    assert OBJECTIVES["balanced"].params == ("equity_weight",)


def test_fulfilment_classes() -> None:
    assert FULFILMENT.bin_labels == ("under 25%", "25-50%", "50-75%", "75-99%", "fully met")
    assert FULFILMENT.class_of([0.0, 0.25, 0.6, 0.99, 0.996, 1.0]).tolist() == [0, 1, 2, 3, 4, 4]

"""Plain words at the source: foods by name, limits worth money or kg (never "the plan's
objective"), shocks in sentences. The CLI, the reports and the Plan page all read these."""

from __future__ import annotations

import pytest

from equity import Region
from optimize import allocate
from optimize.catalogue import SHOCK_TITLES, describe_shock, limit_worth
from optimize.shocks import SHOCKS, SiteOutage
from tests.helpers import four_area_region


def test_region_commodity_names_from_the_commodities_table() -> None:
    demo = Region.demo()
    names = demo.commodity_names
    assert names["bok_choy"] == "Bok choy" and names["masa_harina"] == "Masa harina"
    assert len(names) == len(demo.commodities)
    assert demo.commodity_name("collard_greens") == "Collard greens"
    assert demo.commodity_name("not_a_food") == "not_a_food"  # unknown: as it is
    # no name column: the id in words
    bare = demo.with_tables(commodities=demo.commodities.drop(columns="name"))
    assert bare.commodity_names["bok_choy"] == "bok choy"


def test_binding_limits_name_the_food_and_say_what_they_save() -> None:
    """Four Corners without its hub: the gardens' 20 kg of vegetables all go out, 8 kg of
    vegetable need stays unmet. Under least cost with a $5/kg penalty, one more kg at a garden
    meets one more kg of need: worth the $5 penalty less the delivery cost."""
    region = four_area_region()
    sol = allocate(
        region,
        objective="cost",
        unmet_penalty_usd_per_kg=5.0,
        shocks=[SiteOutage(site_ids=("H",))],
    )
    b = sol.binding.set_index("site_id")
    for site, name in (("G1", "Elm garden"), ("G2", "Oak garden")):
        v = float(b.loc[site, "value_per_unit"])
        assert 4.0 < v <= 5.0  # the penalty less at most 5 km of delivery
        assert b.loc[site, "explanation"] == (
            f"one more kg of supply of Vegetables at {name} would feed about 1 kg more need "
            f"(worth ${v:,.2f}: the $5.00 charged for each kg left unmet, less the cost of "
            "delivering it)"
        )
    fair = allocate(region, objective="fair_share", unmet_penalty_usd_per_kg=5.0)
    texts = [t for t in fair.duals["explanation"] if t]
    assert texts and not any("objective" in t or "veg " in t for t in texts)
    assert all(
        t.endswith("of delivery cost and unmet-need penalty") or "kg more need" in t for t in texts
    )


@pytest.mark.parametrize(
    ("objective", "unit", "budget", "text"),
    [
        (
            "fair_share",
            "USD (transport + unmet-need penalty)",
            False,
            "would save $746.20 of delivery cost and unmet-need penalty",
        ),
        (
            "cost",
            "USD",
            False,
            "would feed about 1 kg more need (worth $746.20: the $1,000.00 "
            "charged for each kg left unmet, less the cost of delivering it)",
        ),
        (
            "cost",
            "USD",
            True,
            "would save $746.20 of delivery cost and unmet-need penalty, about 0.75 kg more "
            "need met",
        ),
        ("balanced", "kg of need met", False, "would feed about 746.20 kg more need"),
        ("balanced", "USD of transport", False, "would save $746.20 of delivery cost"),
    ],
)
def test_limit_worth_in_words(objective: str, unit: str, budget: bool, text: str) -> None:
    worth = limit_worth(
        746.2, unit=unit, objective=objective, penalty_usd_per_kg=1000.0, budget=budget
    )
    assert worth == text


def test_every_shock_kind_has_a_title_and_a_sentence() -> None:
    assert set(SHOCK_TITLES) == set(SHOCKS)
    assert describe_shock("yield_factor", {"factor": 0.0, "site_kind": "garden"}) == (
        "Yield at 0% of normal at all gardens."
    )
    assert describe_shock(
        "yield_factor",
        {"factor": 0.5, "commodities": ["bok_choy"]},
        commodity_names=Region.demo().commodity_names,
    ) == ("Supply for Bok choy at 50% of normal at all sites.")
    assert describe_shock("site_outage", {"site_kind": "pantry", "weeks": [2, 3]}) == (
        "All pantries out of service in week(s) 2, 3: no food goes out from there."
    )
    assert describe_shock("demand_surge", {"factor": 1.5, "area_flag": "low_income"}) == (
        "Need at 150% of normal in areas flagged 'low-income area' (+50%)."
    )
    assert describe_shock("budget_change", {"factor": 0.8}) == (
        "Transport budget at 80% of normal."
    )
    assert describe_shock("max_distance", {"max_distance_m": 4828.032}) == (
        "Deliveries limited to 4.8 km (3.0 miles)."
    )
    for kind in SHOCKS:  # nothing reads like code
        assert "=" not in describe_shock(kind, {"factor": 0.5, "budget_usd": 1.0})

"""Plans for a region without supply or need: documented estimates, or one clear refusal."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from equity import FoodshedError
from equity.estimates import EstimatesWarning
from optimize import AllocationProblem, allocate
from tests.helpers import public_list_region

BASKET_TOTAL = 17.5 * 0.12 + 14 * 0.15 + 42 * 0.02835 + 21 * 0.244 + 38.5 * 0.038  # 11.9777
PANTRY_KG = 1000.0  # estimates.toml: default pantry throughput a week
GARDEN_KG = 400 * 3.662 / 17  # default garden area x yield per m2 / 17-week season


def test_allocate_plans_on_estimates_and_says_so() -> None:
    with pytest.warns(EstimatesWarning, match="planning on documented estimates"):
        plan = allocate(public_list_region(), objective="maxmin")
    assert plan.status.value == "optimal"
    k = plan.kpis
    assert k["need_kg"] == pytest.approx(400 * BASKET_TOTAL)  # 4,791 kg a week
    # supply (1,086 kg) is far below need, and all of it is within reach: all of it is used
    assert k["need_met_kg"] == pytest.approx(PANTRY_KG + GARDEN_KG)
    est = plan.manifest["estimated"]
    assert list(est) == ["commodities", "need", "supply"]
    assert "USDA Dietary Guidelines" in est["need"] and "for everyone" in est["need"]
    assert "garden: 1 site(s), at 400 m2 (assumed area)" in est["supply"]
    # maxmin: both areas get the same share of their need
    ful = plan.fulfilment.groupby("area_id")[["met_kg", "need_kg"]].sum()
    ratio = ful["met_kg"] / ful["need_kg"]
    assert ratio["A"] == pytest.approx(ratio["B"], abs=1e-6)


def test_an_explicitly_estimated_region_plans_without_a_warning(recwarn) -> None:
    region = public_list_region().with_estimates(food_insecurity_rate=0.1)
    plan = allocate(region, objective="coverage")
    assert not [w for w in recwarn if issubclass(w.category, EstimatesWarning)]
    assert plan.kpis["need_kg"] == pytest.approx(40 * BASKET_TOTAL)
    assert "scaled by a food-insecurity rate of 0.1" in plan.manifest["estimated"]["need"]


def test_real_data_plans_carry_no_estimated_entry(line_region) -> None:
    plan = allocate(line_region, objective="maxmin")
    assert "estimated" not in plan.manifest
    assert AllocationProblem.from_region(line_region).estimated == {}


def test_estimates_false_refuses_in_one_sentence() -> None:
    with pytest.raises(FoodshedError, match=r"has no commodities, supply or need to plan with"):
        allocate(public_list_region(), objective="maxmin", estimates=False)


def test_no_sites_is_refused_in_one_sentence() -> None:
    with pytest.raises(FoodshedError, match=r"'county' has no sites, so there is no supply"):
        allocate(public_list_region(with_sites=False), objective="maxmin")


@pytest.mark.parametrize("table", ["need", "supply"])
def test_commodities_without_need_or_supply_are_refused(region_factory, table) -> None:
    region = region_factory(
        {"A": 0},
        {"S1": 0},
        [] if table == "supply" else [("S1", "veg", 10)],
        [] if table == "need" else [("A", "veg", 6)],
    )
    with pytest.raises(FoodshedError, match=rf"'tiny' has no {table} to plan with; add a"):
        allocate(region, objective="maxmin")


def test_the_estimated_record_survives_shocks() -> None:
    from optimize import SiteOutage

    with pytest.warns(EstimatesWarning):
        base = AllocationProblem.from_region(public_list_region())
    plan = allocate(public_list_region(), base=base, shocks=[SiteOutage(site_ids=("G",))])
    assert plan.kpis["need_met_kg"] == pytest.approx(PANTRY_KG)
    assert set(plan.manifest["estimated"]) == {"commodities", "need", "supply"}


@pytest.mark.shared_data
def test_allegheny_plans_fairest_on_estimates(shared_data: Path) -> None:
    from equity.sources import allegheny_region

    region = allegheny_region(shared_data)
    assert len(region.commodities) == len(region.supply) == len(region.need) == 0
    with pytest.warns(EstimatesWarning):
        plan = allocate(region, objective="maxmin")
    assert plan.status.value == "optimal"
    pop = float(region.areas["population"].sum())  # 1,223,348
    assert plan.kpis["need_kg"] == pytest.approx(pop * BASKET_TOTAL)
    # 143 pantries at 1,000 kg, 94 gardens at 86.2 kg and 41 farms at 697.3 kg a week
    kinds = region.sites["kind"].value_counts()
    supply = kinds["pantry"] * PANTRY_KG + kinds["garden"] * GARDEN_KG
    supply += kinds["farm"] * 4047 * 2.929 / 17
    assert 0 < plan.kpis["need_met_kg"] <= supply + 1e-6
    assert plan.kpis["min_fulfilment_reachable"] > 0
    assert set(plan.manifest["estimated"]) == {"commodities", "need", "supply"}
    assert isinstance(plan.flows, pd.DataFrame) and len(plan.flows) > 100

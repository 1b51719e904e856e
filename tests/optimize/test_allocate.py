"""Hand-checked allocation plans on tiny regions."""

from __future__ import annotations

import numpy as np
import pytest

from optimize import (
    AllocationProblem,
    BudgetChange,
    DemandSurge,
    MaxDistance,
    SiteOutage,
    SolveStatus,
    YieldFactor,
    allocate,
    efficiency_equity_curve,
    solve,
)
from tests.helpers import maxmin_region


def flow(sol, site, area, commodity="veg"):
    f = sol.flows
    sel = (f["site_id"] == site) & (f["area_id"] == area) & (f["commodity"] == commodity)
    return float(f.loc[sel, "quantity_kg"].sum())


def ful(sol, area):
    return float(sol.fulfilment.set_index("area_id").loc[area, "fulfilment"])


def test_problem_arrays(line_region):
    p = AllocationProblem.from_region(line_region, max_distance_m=5000, cost_per_kg_km=1.0)
    assert p.n_x == 6 and p.n_u == 3
    assert p.A.format == "csc" and p.A.shape == (2 + 3, 9)
    d = dict(zip(zip(p.x_site, p.x_area, strict=True), p.x_cost_usd_per_kg, strict=True))
    assert d[(0, 1)] == pytest.approx(1.0) and d[(1, 1)] == pytest.approx(2.0)
    # max distance drops arcs: at 1.5 km, S1 reaches A and B, S2 only C
    p2 = AllocationProblem.from_region(line_region, max_distance_m=1500)
    assert sorted(zip(p2.x_site.tolist(), p2.x_area.tolist(), strict=True)) == [
        (0, 0),
        (0, 1),
        (1, 2),
    ]


#: Costs that keep plans checkable by hand: $1 per kg-km, every site reaching 5 km.
BY_HAND = {"cost_per_kg_km": 1.0, "max_distance_m": 5000}


def test_least_cost_plan_by_hand(line_region):
    sol = allocate(line_region, **BY_HAND)
    assert sol.status is SolveStatus.OPTIMAL
    assert sol.kpis["transport_cost_usd"] == pytest.approx(8.0)
    assert flow(sol, "S1", "A") == pytest.approx(6)
    assert flow(sol, "S2", "C") == pytest.approx(6)
    assert flow(sol, "S1", "B") == pytest.approx(4)
    assert flow(sol, "S2", "B") == pytest.approx(2)
    assert sol.kpis["need_met_share"] == pytest.approx(1.0)
    assert sol.kpis["gini_fulfilment"] == pytest.approx(0.0, abs=1e-9)
    assert sol.unmet.empty
    assert set(sol.flows.columns) >= {
        "site_id",
        "area_id",
        "commodity",
        "need_commodity",
        "quantity_kg",
        "distance_m",
        "cost_usd",
    }
    # S1's supply binds: one more kg there replaces a 2 km kg from S2 with a 1 km kg: $1
    b = sol.binding.set_index("site_id")
    assert b.loc["S1", "value_per_unit"] == pytest.approx(1.0)
    assert "Site S1" in b.loc["S1", "explanation"]


def test_maxmin_equalises():
    region = maxmin_region()
    cheap = allocate(region, **BY_HAND)
    # least cost ships everything at zero distance: A full, C half, B nothing
    assert cheap.kpis["min_fulfilment"] == pytest.approx(0.0, abs=1e-9)
    assert ful(cheap, "A") == pytest.approx(1.0)
    fair = allocate(region, objective="maxmin", **BY_HAND)
    assert fair.status is SolveStatus.OPTIMAL
    for a in "ABC":
        assert ful(fair, a) == pytest.approx(0.5, abs=1e-6)
    assert fair.kpis["need_met_kg"] == pytest.approx(9, abs=1e-4)
    # third stage: cheapest way to give everyone 3 kg is S1->A 3, S1->B 3 ($3), S2->C 3
    assert fair.kpis["transport_cost_usd"] == pytest.approx(3.0, abs=1e-4)
    assert fair.kpis["gini_fulfilment"] == pytest.approx(0.0, abs=1e-6)


def test_fair_share_band():
    region = maxmin_region()
    sol = allocate(region, objective="fair_share", fair_share_band=0.1, max_distance_m=5000)
    overall = sol.kpis["need_met_share"]
    assert overall == pytest.approx(0.5, abs=1e-6)
    assert (sol.fulfilment["fulfilment"] - overall).abs().max() <= 0.1 + 1e-6


def test_outage_changes_the_answer(line_region):
    sol = allocate(line_region, shocks=[SiteOutage(("S2",))], **BY_HAND)
    assert flow(sol, "S2", "C") == 0
    assert sol.kpis["need_met_kg"] == pytest.approx(10)
    # the 10 kg left go to the nearest areas: A 6 (0 km), B 4 (1 km)
    assert flow(sol, "S1", "A") == pytest.approx(6)
    assert flow(sol, "S1", "B") == pytest.approx(4)
    assert sol.unmet.set_index("area_id")["unmet_kg"].to_dict() == pytest.approx(
        {"B": 2.0, "C": 6.0}
    )
    by_kind = allocate(line_region, shocks=[SiteOutage(site_kind="hub")], max_distance_m=5000)
    assert by_kind.kpis["need_met_kg"] == pytest.approx(10)


def test_budget_binds(line_region):
    sol = allocate(line_region, budget_usd=5.0, unmet_penalty_usd_per_kg=100.0, **BY_HAND)
    # S1 has 4 kg left after A: $4 takes them to B (1 km); the last $1 moves 0.5 kg from S2
    # (2 km); 1.5 kg of B's need is left unmet
    assert sol.kpis["transport_cost_usd"] == pytest.approx(5.0)
    assert sol.kpis["need_met_kg"] == pytest.approx(16.5)
    assert flow(sol, "S2", "B") == pytest.approx(0.5)
    b = sol.binding.set_index("constraint")
    # one more dollar feeds 0.5 kg more: worth 0.5 x the $100 penalty less the $1 it costs
    assert b.loc["budget", "value_per_unit"] == pytest.approx(49.0)
    cut = allocate(line_region, budget_usd=5.0, shocks=[BudgetChange(factor=0.4)], **BY_HAND)
    assert cut.kpis["need_met_kg"] == pytest.approx(14.0)


def test_substitution_is_used_when_short(region_factory):
    region = region_factory(
        {"A": 0},
        {"S1": 0},
        [("S1", "rice", 2), ("S1", "millet", 10)],
        [("A", "rice", 6)],
        commodities=("rice", "millet"),
        substitutes=[("rice", "millet", 0.5)],
    )
    sol = allocate(region)
    assert sol.kpis["need_met_share"] == pytest.approx(1.0)
    assert sol.kpis["kg_substituted"] == pytest.approx(8.0)
    sub = sol.flows[sol.flows["commodity"] == "millet"].iloc[0]
    assert sub["need_commodity"] == "rice"
    assert sub["met_kg"] == pytest.approx(4.0)
    none = allocate(region.with_tables(substitutes=region.substitutes.iloc[0:0]))
    assert none.kpis["need_met_kg"] == pytest.approx(2.0)


def test_more_need_than_supply_still_solves(line_region):
    shocked = allocate(
        line_region,
        shocks=[YieldFactor(0.0, site_kind="garden"), DemandSurge(10.0, area_flag="low_income")],
    )
    assert shocked.status is SolveStatus.OPTIMAL
    # only S2 (10 kg) is left; B's need is now 60 kg
    assert shocked.kpis["need_met_kg"] == pytest.approx(10)
    assert shocked.kpis["need_kg"] == pytest.approx(72)
    assert shocked.kpis["areas_below_50pct"] == 2


def test_max_distance_shock(line_region):
    sol = allocate(line_region, shocks=[MaxDistance(500)], max_distance_m=5000)
    # only the two zero-distance arcs remain
    assert set(sol.flows["area_id"]) == {"A", "C"}
    assert sol.kpis["need_met_kg"] == pytest.approx(12)


@pytest.mark.parametrize(
    ("shock", "match"),
    [
        (SiteOutage(("nope",)), "unknown site id"),
        (SiteOutage(site_kind="farm"), "no site of kind"),
        (SiteOutage(("S1", "S2")), "every site"),
        (YieldFactor(-1.0), "factor must be"),
        (DemandSurge(2.0, area_flag="rich"), "no column 'rich'"),
        (BudgetChange(factor=0.5), "starting budget"),
    ],
    ids=["unknown-site", "unknown-kind", "all-sites", "negative", "bad-flag", "no-budget"],
)
def test_bad_shocks_are_clear(line_region, shock, match):
    from equity import FoodshedError

    with pytest.raises(FoodshedError, match=match):
        allocate(line_region, shocks=[shock])


def test_price_of_fairness_curve(region_factory):
    # A at 1 km, B at 2 km from S1; $10 of transport at $1/kg-km.
    region = region_factory(
        {"A": 1000, "B": 2000},
        {"S1": 0},
        [("S1", "veg", 20)],
        [("A", "veg", 10), ("B", "veg", 10)],
    )
    curve = efficiency_equity_curve(region, weights=(0.0, 1.0), budget_usd=10.0, cost_per_kg_km=1.0)
    eff, eq = curve.iloc[0], curve.iloc[-1]
    # efficiency: all $10 on A (10 kg); equity: 10t + 20t = 10 -> t = 1/3, then A gets 10/3
    assert eff["need_met_kg"] == pytest.approx(10.0, abs=1e-4)
    assert eff["min_fulfilment"] == pytest.approx(0.0, abs=1e-6)
    assert eq["min_fulfilment"] == pytest.approx(1 / 3, abs=1e-5)
    assert eq["need_met_kg"] == pytest.approx(20 / 3, abs=1e-4)
    assert eq["food_price_kg"] == pytest.approx(10 / 3, abs=1e-4)
    assert np.all(curve["status"] == "optimal")


def test_time_limit_and_status_words(line_region):
    p = AllocationProblem.from_region(line_region)
    sol = solve(p, "cost", time_limit_s=30)
    assert sol.status is SolveStatus.OPTIMAL
    assert {"build", "handoff", "solve", "read_back", "total"} <= set(sol.times_s)
    assert sol.manifest["problem_sha256"] == p.fingerprint()
    assert sol.manifest["versions"]["highspy"] != "absent"


def test_unknown_objective_and_parameter(line_region):
    from equity import FoodshedError

    p = AllocationProblem.from_region(line_region)
    with pytest.raises(FoodshedError, match="unknown objective 'cheapest'"):
        solve(p, "cheapest")
    with pytest.raises(FoodshedError, match="takes no parameter"):
        solve(p, "maxmin", equity_weight=0.3)
    with pytest.raises(FoodshedError, match="unknown solver"):
        solve(p, solver="gurobi-direct")


def test_fulfilment_says_which_areas_are_within_reach():
    # four_area_region with the Eastside hub (at D) out and deliveries of at most 1.5 km: D is
    # 2 km from Oak garden (at C), so no open site with food reaches it
    from tests.helpers import four_area_region

    sol = allocate(
        four_area_region(), objective="maxmin", max_distance_m=1500, shocks=[SiteOutage(("H",))]
    )
    ful = sol.fulfilment.set_index("area_id")
    assert ful["reachable"].to_dict() == {"A": True, "B": True, "C": True, "D": False}
    assert ful.loc["D", "fulfilment"] == 0.0
    assert sol.kpis["people_unreachable"] == 1000.0

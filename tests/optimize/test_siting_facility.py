"""Maximal covering and p-median siting against enumerating every choice.

Areas on a line (``tests.helpers.line_region``): A 0, B 2000, C 4000, D 6000, E 8000, F 10000 m. The
existing site S1 at x=0 holds 10 kg. Candidates N1 (2000), N2 (5000), N3 (8000), N4 (10000).
"""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog
from shapely.geometry import Point

from equity import FoodshedError
from optimize import allocate, site_new
from optimize.backends._pulp import to_pulp
from tests.helpers import LINE_CRS as CRS
from tests.helpers import LINE_X0 as X0
from tests.helpers import LINE_Y0 as Y0
from tests.helpers import line_region as make_region

AREAS = {"A": 0, "B": 2000, "C": 4000, "D": 6000, "E": 8000, "F": 10000}
NEED = {"A": 10, "B": 8, "C": 12, "D": 6, "E": 20, "F": 5}
POP = {"A": 100, "B": 400, "C": 300, "D": 200, "E": 500, "F": 50}
LILA = {"A": False, "B": True, "C": True, "D": True, "E": False, "F": True}
CANDS = {"N1": 2000, "N2": 5000, "N3": 8000, "N4": 10000}
CAP = {"S1": 10.0, "N1": 15.0, "N2": 14.0, "N3": 30.0, "N4": 9.0}


def region():
    r = make_region(
        AREAS,
        {"S1": 0},
        [("S1", "veg", CAP["S1"])],
        [(a, "veg", q) for a, q in NEED.items()],
        population=POP,
    )
    return r.with_tables(areas=r.areas.assign(LILATracts_1And10=[LILA[a] for a in AREAS]))


def candidates():
    return gpd.GeoDataFrame(
        {"site_id": list(CANDS), "kind": "garden", "name": list(CANDS)},
        geometry=[Point(X0 + x, Y0) for x in CANDS.values()],
        crs=CRS,
    )


def cand_supply():
    return pd.DataFrame(
        {"site_id": list(CANDS), "commodity": "veg", "quantity": [CAP[c] for c in CANDS]}
    )


def covering_1500(k, **kwargs):
    """``site_new`` of ``k`` candidates (with their supply) covering LILA need within 1.5 km."""
    return site_new(
        region(),
        candidates(),
        k,
        candidate_supply=cand_supply(),
        objective="max_covering",
        coverage_radius_m=1500,
        **kwargs,
    )


def brute_force(open_sites, objective, radius_m, weight, max_distance_m=5000.0):
    """Best value with ``open_sites`` open, by scipy linprog on an independent formulation."""
    xs = {"S1": 0, **CANDS}
    w = {a: (NEED if weight == "need" else POP)[a] for a in AREAS}
    if objective == "max_covering":
        w = {a: v if LILA[a] else 0.0 for a, v in w.items()}
    reach = radius_m if objective == "max_covering" else max_distance_m
    pairs = [
        (a, s, abs(AREAS[a] - xs[s]))
        for a in AREAS
        for s in open_sites
        if abs(AREAS[a] - xs[s]) <= reach and w[a] > 0
    ]
    longest = max(
        abs(AREAS[a] - xs[s]) for a in AREAS for s in xs if abs(AREAS[a] - xs[s]) <= reach
    )
    big_m = 10 * max(longest, 1000.0)
    n = len(pairs)
    if objective == "max_covering":
        c = np.array([-w[a] for a, _, _ in pairs])  # maximise covered weight
    else:
        c = np.array([w[a] * (d - big_m) for a, _, d in pairs])  # distance minus saved penalty
    A, b = [], []
    for a in AREAS:  # each area at most fully served
        A.append([1.0 if p[0] == a else 0.0 for p in pairs])
        b.append(1.0)
    for s in open_sites:  # capacity in kg of need
        A.append([NEED[p[0]] if p[1] == s else 0.0 for p in pairs])
        b.append(CAP[s])
    if n == 0:
        val = 0.0
    else:
        res = linprog(c, A_ub=np.array(A), b_ub=np.array(b), bounds=[(0, 1)] * n, method="highs")
        assert res.status == 0
        val = res.fun
    total = sum(w.values())
    if objective == "max_covering":
        return total + val  # weight left uncovered
    return big_m * total + val


@pytest.mark.parametrize(
    ("objective", "radius_m", "weight"),
    [
        ("max_covering", 1500.0, "need"),
        ("max_covering", 2500.0, "population"),
        ("p_median", None, "need"),
        ("p_median", None, "population"),
    ],
    ids=["covering-need", "covering-pop", "pmedian-need", "pmedian-pop"],
)
@pytest.mark.parametrize("k", [1, 2])
def test_facility_siting_matches_enumeration(objective, radius_m, weight, k):
    res = site_new(
        region(),
        candidates(),
        k,
        candidate_supply=cand_supply(),
        objective=objective,
        coverage_radius_m=radius_m,
        max_distance_m=5000,
        weight=weight,
    )
    values = {
        pick: brute_force(("S1", *pick), objective, radius_m, weight)
        for r in range(k + 1)
        for pick in itertools.combinations(CANDS, r)
    }
    best = min(values.values())
    assert res.objective_value == pytest.approx(best, rel=1e-7, abs=1e-6)
    assert values[tuple(res.chosen)] == pytest.approx(best, rel=1e-7, abs=1e-6)
    assert len(res.chosen) <= k


def test_max_covering_by_hand():
    """Radius 1.5 km, LILA need: B 8, C 12, D 6, F 5 (31 kg). S1 covers only A (not LILA).
    One site: N1 covers B (8 kg, cap 15); N2 reaches C and D (1 km each): 12 + 6 = 18 kg but
    its cap is 14, so 14; N3 reaches only E (not LILA); N4 covers F (5). Best single: N2 with
    14 kg. Two: N1 + N2 = 8 + 14 = 22."""
    one = covering_1500(1)
    assert one.chosen == ["N2"]
    assert one.kpis["weight_total"] == pytest.approx(31.0)
    assert one.kpis["weight_covered"] == pytest.approx(14.0)
    assert one.kpis["weight_covered_before"] == pytest.approx(0.0)
    assert one.objective_value == pytest.approx(31.0 - 14.0)
    row = one.candidates.set_index("site_id").loc["N2"]
    assert row["kg_assigned"] == pytest.approx(14.0) and row["capacity_kg"] == 14.0
    two = covering_1500(2)
    assert two.chosen == ["N1", "N2"]
    assert two.kpis["weight_covered_share"] == pytest.approx(22.0 / 31.0)


def test_p_median_by_hand():
    """Candidates uncapacitated (no supply given), reach 5 km, k=1. With N2 (5000): A -> S1
    (0 km; S1's 10 kg are all A's), B -> N2 3 km, C 1 km, D 1 km, E 3 km, F 5 km:
    8*3000 + 12*1000 + 6*1000 + 20*3000 + 5*5000 = 127,000 kg-m. N1 leaves E and F beyond
    reach, N3 leaves B, N4 leaves B and C: each pays the penalty, so N2."""
    res = site_new(region(), candidates(), 1, objective="p_median", max_distance_m=5000)
    assert res.chosen == ["N2"]
    assert res.kpis["weighted_distance_m"] == pytest.approx(127_000.0)
    assert res.kpis["weight_unassigned"] == pytest.approx(0.0, abs=1e-6)
    shares = res.assignments.groupby("area_id")["share"].sum()
    assert np.allclose(shares.to_numpy(), 1.0)
    got = res.assignments.set_index("area_id")["site_id"].to_dict()
    assert got == {"A": "S1", "B": "N2", "C": "N2", "D": "N2", "E": "N2", "F": "N2"}


def test_result_is_a_scenario_change_and_exports_to_pulp(tmp_path):
    res = covering_1500(2)
    assert res.as_sites()["site_id"].tolist() == ["N1", "N2"]
    assert res.as_supply()["quantity"].tolist() == [15.0, 14.0]
    reg = res.as_region()
    assert sorted(reg.sites["site_id"]) == ["N1", "N2", "S1"]
    before = allocate(region(), objective="coverage", max_distance_m=1500).kpis
    after = allocate(reg, objective="coverage", max_distance_m=1500).kpis
    assert after["need_met_share_lila"] > before["need_met_share_lila"]
    assert after["need_met_kg"] == pytest.approx(10 + 8 + 14)
    # the MILP exports through PuLP and re-solves to the same optimum
    prob, _, _ = to_pulp(res.milp, "siting")
    prob.writeLP(str(tmp_path / "siting.lp"))
    prob.writeMPS(str(tmp_path / "siting.mps"))
    assert (tmp_path / "siting.lp").stat().st_size > 0
    via_pulp = covering_1500(2, solver="pulp")
    assert via_pulp.objective_value == pytest.approx(res.objective_value)
    assert via_pulp.chosen == res.chosen


def test_facility_siting_errors(line_region):
    c = candidates()
    with pytest.raises(FoodshedError, match="no low-income, low-access flag"):
        site_new(line_region, c, 1, objective="max_covering", lila_col=None)
    with pytest.raises(FoodshedError, match="weight must be"):
        site_new(region(), c, 1, objective="p_median", weight="kg")


def test_siting_as_a_scenario_file(tmp_path):
    from optimize import Scenario, run_scenario

    res = covering_1500(1)
    toml = res.to_scenario(tmp_path / "sited", objective="coverage")
    sc = Scenario.from_toml(toml)
    assert sc.name == "siting_N2" and sc.objective == "coverage"
    k = run_scenario(sc).kpis
    # with the default 8 km reach S1's 10 kg and the new N2's 14 kg are all handed out
    assert k["need_met_kg"] == pytest.approx(24.0)

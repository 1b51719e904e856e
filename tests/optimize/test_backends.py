"""Backends agree with each other and with an independent scipy formulation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import linprog

from optimize import AllocationProblem, SolveStatus, solve
from optimize.backends import get_backend
from optimize.backends._pulp import to_pulp


def random_problem(seed: int, *, ns=4, na=6, nc=2, budget=None, subs=True) -> AllocationProblem:
    rng = np.random.default_rng(seed)
    dist = rng.uniform(0, 5000, size=(ns, na))
    keep = dist < 4000
    s, a = np.nonzero(keep)
    pair_served, pair_need, w, pen = list(range(nc)), list(range(nc)), [1.0] * nc, [0.0] * nc
    if subs and nc > 1:
        pair_served.append(1)
        pair_need.append(0)
        w.append(0.6)
        pen.append(0.02)
    return AllocationProblem.from_arrays(
        site_ids=[f"S{i}" for i in range(ns)],
        area_ids=[f"A{i}" for i in range(na)],
        commodities=[f"c{i}" for i in range(nc)],
        supply_kg=rng.uniform(0, 40, size=(ns, nc)) * (rng.random((ns, nc)) > 0.2),
        need_kg=rng.uniform(0, 30, size=(na, nc)) * (rng.random((na, nc)) > 0.2),
        throughput_kg=np.where(rng.random(ns) > 0.5, rng.uniform(10, 60, ns), np.inf),
        population=rng.integers(50, 500, na),
        arc_site=s,
        arc_area=a,
        arc_distance_m=dist[s, a],
        pair_served=pair_served,
        pair_need=pair_need,
        pair_weight=w,
        pair_penalty_usd_per_kg=pen,
        budget_usd=budget,
    )


def independent_cost(p: AllocationProblem, penalty: float) -> float:
    """The cost LP written again from scratch with explicit loops and scipy's linprog."""
    ns, nc = p.supply_kg.shape
    na = p.need_kg.shape[0]
    dist = {
        (int(s), int(a)): d
        for s, a, d in zip(p.arc_site, p.arc_area, p.arc_distance_m, strict=True)
    }
    var = []  # (s, a, served, need, weight, cost)
    for (s, a), d in dist.items():
        for cs, cn, w, pe in zip(
            p.pair_served, p.pair_need, p.pair_weight, p.pair_penalty_usd_per_kg, strict=True
        ):
            if p.supply_kg[s, cs] > 0 and p.need_kg[a, cn] > 0:
                var.append((s, a, cs, cn, w, d / 1000 * p.cost_per_kg_km + pe))
    unmet = [(a, c) for a in range(na) for c in range(nc) if p.need_kg[a, c] > 0]
    n = len(var) + len(unmet)
    cost = [v[5] for v in var] + [penalty] * len(unmet)
    A_ub, b_ub, A_eq, b_eq = [], [], [], []
    for s in range(ns):
        for c in range(nc):
            A_ub.append([1.0 if v[0] == s and v[2] == c else 0.0 for v in var] + [0] * len(unmet))
            b_ub.append(p.supply_kg[s, c])
        if np.isfinite(p.throughput_kg[s]):
            A_ub.append([1.0 if v[0] == s else 0.0 for v in var] + [0] * len(unmet))
            b_ub.append(p.throughput_kg[s])
    if p.budget_usd is not None:
        transport = [dist[(v[0], v[1])] / 1000 * p.cost_per_kg_km for v in var]
        A_ub.append(transport + [0.0] * len(unmet))
        b_ub.append(p.budget_usd)
    for j, (a, c) in enumerate(unmet):
        row = [v[4] if v[1] == a and v[3] == c else 0.0 for v in var] + [0.0] * len(unmet)
        row[len(var) + j] = 1.0
        A_eq.append(row)
        b_eq.append(p.need_kg[a, c])
    res = linprog(
        cost, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, bounds=[(0, None)] * n, method="highs"
    )
    assert res.status == 0
    return float(res.fun)


@pytest.mark.parametrize("seed", range(6), ids=lambda s: f"seed{s}")
def test_cost_matches_independent_formulation(seed):
    p = random_problem(seed, budget=None if seed % 2 else 60.0)
    sol = solve(p, "cost", unmet_penalty_usd_per_kg=5.0)
    assert sol.status is SolveStatus.OPTIMAL
    assert sol.objective_value == pytest.approx(independent_cost(p, 5.0), rel=1e-7, abs=1e-7)


def independent_maxmin(p: AllocationProblem) -> float:
    """max t s.t. fulfilment_a >= t, written with scipy's linprog on dense rows."""
    base = p.base_lp()
    na = p.need_kg.shape[0]
    need_a = p.need_kg.sum(axis=1)
    A = base.A.toarray()
    n = A.shape[1]
    rows_ub, b_ub = [], []
    for r in range(A.shape[0]):
        if np.isfinite(base.row_hi[r]) and base.row_lo[r] != base.row_hi[r]:
            rows_ub.append(np.r_[A[r], 0.0])
            b_ub.append(base.row_hi[r])
    for a in range(na):
        if need_a[a] <= 0:
            continue
        row = np.zeros(n + 1)
        row[p.n_x + np.flatnonzero(p.u_area == a)] = 1.0 / need_a[a]
        row[-1] = 1.0
        rows_ub.append(row)
        b_ub.append(1.0)
    eq = base.row_lo == base.row_hi
    A_eq = np.c_[A[eq], np.zeros(eq.sum())]
    c = np.zeros(n + 1)
    c[-1] = -1.0
    res = linprog(
        c,
        A_ub=rows_ub,
        b_ub=b_ub,
        A_eq=A_eq,
        b_eq=base.row_lo[eq],
        bounds=[(0, None)] * n + [(0, 1)],
        method="highs",
    )
    assert res.status == 0
    return -float(res.fun)


@pytest.mark.parametrize("seed", range(4), ids=lambda s: f"seed{s}")
def test_maxmin_matches_independent_formulation(seed):
    p = random_problem(seed + 10)
    sol = solve(p, "maxmin")
    assert sol.kpis["min_fulfilment"] == pytest.approx(independent_maxmin(p), abs=1e-6)


OBJECTIVES = ["cost", "coverage", "maxmin", "fair_share", "balanced"]


@pytest.mark.parametrize("objective", OBJECTIVES)
@pytest.mark.parametrize("backend", ["cbc", "pulp"])
def test_backends_agree_with_highs(objective, backend):
    if not get_backend(backend).available():
        pytest.skip(f"{backend} is not available here")
    p = random_problem(3, budget=80.0)
    ref = solve(p, objective, solver="highs")
    other = solve(p, objective, solver=backend)
    assert other.status is SolveStatus.OPTIMAL
    for key in ("need_met_kg", "transport_cost_usd", "min_fulfilment"):
        assert other.kpis[key] == pytest.approx(ref.kpis[key], rel=1e-6, abs=1e-5), key
    assert other.objective_value == pytest.approx(ref.objective_value, rel=1e-6, abs=1e-6)


def test_pulp_export_round_trips(tmp_path):
    p = random_problem(1, budget=50.0)
    prob, vars_, rows = to_pulp(p.base_lp())
    assert len(vars_) == p.n_cols and len(rows) == p.n_rows
    prob.writeLP(str(tmp_path / "model.lp"))
    prob.writeMPS(str(tmp_path / "model.mps"))
    text = (tmp_path / "model.lp").read_text()
    assert "r0" in text and "x0" in text


def test_pulp_duals_match_highs():
    p = random_problem(2)
    a = solve(p, "cost", solver="highs", unmet_penalty_usd_per_kg=5.0)
    b = solve(p, "cost", solver="pulp", unmet_penalty_usd_per_kg=5.0)
    assert b.objective_value == pytest.approx(a.objective_value, rel=1e-9, abs=1e-9)
    if not b.duals.empty:
        assert b.duals["value_per_unit"].to_numpy() == pytest.approx(
            a.duals["value_per_unit"].to_numpy(), abs=1e-6
        )


def test_cbc_absent_is_a_clear_error(monkeypatch):
    from equity import FoodshedError
    from optimize.backends import _cbc

    monkeypatch.setattr(_cbc, "cbc_path", lambda: None)
    p = random_problem(0)
    with pytest.raises(FoodshedError, match="not available"):
        solve(p, "cost", solver="cbc")


def test_time_limit_status_is_ours():
    p = random_problem(4)
    sol = solve(p, "maxmin", time_limit_s=60)
    assert isinstance(sol.status, SolveStatus)
    assert sol.status.has_solution


@pytest.mark.parametrize("objective", ["cost", "maxmin"])
def test_time_limit_returns_a_clear_status(objective):
    """A limit of one nanosecond has always passed by HiGHS's first check of the clock, so the
    solve stops before it has any plan: NO_SOLUTION, in the project's words, and no flows.
    (A plan stopped with a solution in hand, TIME_LIMIT, is tested in
    tests/dashboard/test_stopped_plans.py.)"""
    p = random_problem(5, ns=60, na=400, nc=6)
    sol = solve(p, objective, solver="highs", time_limit_s=1e-9)
    assert sol.status is SolveStatus.NO_SOLUTION
    assert sol.status.words == "stopped at the time limit before finding a plan"
    assert sol.message.startswith("stopped at the time limit before finding a plan")
    assert not sol.ok and sol.flows.empty
    # no plan, so no plan figures (issue 12: "0% met" would be a number nothing supports);
    # what the problem says stays
    for key in ("need_met_kg", "need_met_share", "min_fulfilment", "gini_fulfilment"):
        assert math.isnan(sol.kpis[key]), key
    assert math.isnan(sol.kpis["areas_below_50pct"]) and math.isnan(sol.kpis["people_below_50pct"])
    assert sol.kpis["need_kg"] == pytest.approx(float(p.need_kg.sum()))
    assert sol.kpis["areas"] > 0
    assert sol.kpis["status"] == "no_solution"
    assert "no_solution" in repr(sol)

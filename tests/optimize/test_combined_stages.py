"""The HiGHS backend's combined first solve gives exactly the stage-by-stage answer.

The staged objectives (``coverage``, ``maxmin``, ``balanced``) are solved from weighted sums of
their stages and certified (see ``optimize.backends._highs._Runner.combined``); where the
weights are not lexicographic the solve goes on stage by stage. Both ways must agree.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from optimize import SolveStatus, solve
from optimize._lp import LinearProgram, Stage
from optimize.backends import get_backend

from .test_backends import random_problem

STAGED = ["coverage", "maxmin", "balanced"]


@pytest.mark.parametrize("objective", STAGED)
@pytest.mark.parametrize("seed", range(5), ids=lambda s: f"seed{s}")
def test_combined_equals_stage_by_stage(objective, seed):
    p = random_problem(seed + 30, ns=6, na=10, nc=3, budget=None if seed % 2 else 60.0)
    one = solve(p, objective, solver="highs")
    ref = solve(p, objective, solver="highs", solver_options={"combine_stages": False})
    assert one.status is SolveStatus.OPTIMAL and ref.status is SolveStatus.OPTIMAL
    a, b = one.manifest["stage_objectives"], ref.manifest["stage_objectives"]
    assert len(a) == len(b) == (2 if objective == "coverage" else 3)
    # every stage's value agrees to the stage tolerances (1e-7 relative, 1e-6 absolute)
    assert a == pytest.approx(b, rel=1e-6, abs=1e-5)
    for key in ("need_met_kg", "transport_cost_usd", "min_fulfilment"):
        assert one.kpis[key] == pytest.approx(ref.kpis[key], rel=1e-6, abs=1e-5), key


def _two_stage_lp():
    """x1 + x2 = 1, x >= 0. Stage 1: min x1 (optimum 0, at x = (0, 1)); stage 2: min 10 x2.
    With weight 1 on each, the weighted sum x1 + 10 x2 is least at x = (1, 0): not
    lexicographic, so the check after the combined solve must find a better stage 1."""
    lp = LinearProgram(
        c=np.zeros(2),
        A=sp.csc_matrix(np.array([[1.0, 1.0]])),
        row_lo=np.array([1.0]),
        row_hi=np.array([1.0]),
        col_lo=np.zeros(2),
        col_hi=np.full(2, np.inf),
    )
    stages = [
        Stage(np.array([1.0, 0.0]), "first", weight=1.0),
        Stage(np.array([0.0, 10.0]), "second", weight=1.0),
    ]
    return lp, stages


def test_bad_weights_fall_back_to_stage_by_stage():
    lp, stages = _two_stage_lp()
    res = get_backend("highs").solve(lp, stages)
    assert res.status is SolveStatus.OPTIMAL
    np.testing.assert_allclose(res.x, [0.0, 1.0], atol=2e-6)  # stage tolerance 1e-6
    assert res.stage_objectives == pytest.approx([0.0, 10.0], abs=2e-5)
    assert len(res.stage_duals) == 2


def test_good_weights_are_certified_without_stage_solves():
    lp, stages = _two_stage_lp()
    # weight 100 on the first stage: x1 + ... now 100 x1 + 10 x2 is least at (0, 1)
    stages[0] = Stage(stages[0].c, "first", weight=100.0)
    res = get_backend("highs").solve(lp, stages)
    np.testing.assert_allclose(res.x, [0.0, 1.0], atol=2e-6)  # stage tolerance 1e-6
    assert res.stage_objectives == pytest.approx([0.0, 10.0], abs=2e-5)
    # the need-met stage's duals (which the plan's explanations use) are still exact
    assert res.stage_duals[0] is not None


def test_stages_without_weights_are_solved_one_by_one():
    lp, stages = _two_stage_lp()
    stages = [Stage(s.c, s.name) for s in stages]
    res = get_backend("highs").solve(lp, stages)
    np.testing.assert_allclose(res.x, [0.0, 1.0], atol=2e-6)  # stage tolerance 1e-6


@pytest.mark.slow
def test_demo_maxmin_combined_equals_staged():
    """The realistic case: the demo region's summer plan (99k columns) both ways."""
    from equity import Region
    from optimize import AllocationProblem

    p = AllocationProblem.from_region(Region.demo(), max_distance_m=4000)
    one = solve(p, "maxmin", solver="highs")
    ref = solve(p, "maxmin", solver="highs", solver_options={"combine_stages": False})
    a, b = one.manifest["stage_objectives"], ref.manifest["stage_objectives"]
    assert a == pytest.approx(b, rel=1e-6)
    assert one.kpis["need_met_kg"] == pytest.approx(ref.kpis["need_met_kg"], rel=1e-7)
    assert one.kpis["transport_cost_usd"] == pytest.approx(ref.kpis["transport_cost_usd"], rel=1e-6)


def test_warm_start_same_structure_same_answer():
    """A changed plan of the same structure starts from the last basis and gets the same
    answer as a cold solve; a changed structure starts cold."""
    from optimize import SiteOutage, YieldFactor
    from optimize.backends._highs import clear_warm_starts

    p = random_problem(41, ns=6, na=12, nc=3)
    clear_warm_starts()
    first = solve(p, "balanced", solver="highs", equity_weight=0.3)
    assert first.manifest["warm_start"] is False
    changed = p  # same structure, another equity weight
    warm = solve(changed, "balanced", solver="highs", equity_weight=0.8)
    assert warm.manifest["warm_start"] is True
    cold = solve(
        changed, "balanced", solver="highs", equity_weight=0.8, solver_options={"warm_start": False}
    )
    assert cold.manifest["warm_start"] is False
    assert warm.manifest["stage_objectives"] == pytest.approx(
        cold.manifest["stage_objectives"], rel=1e-7, abs=1e-6
    )
    # scaled yields and a site switched off keep the structure (warm), and give the cold
    # answer; a shorter reach removes columns (cold)
    scaled = p.with_shocks([YieldFactor(0.5, site_ids=(str(p.site_ids[0]),))])
    assert solve(scaled, "balanced", solver="highs").manifest["warm_start"] is True
    out = p.with_shocks([SiteOutage(site_ids=(str(p.site_ids[0]),))])
    assert out.n_cols == p.n_cols
    a = solve(out, "balanced", solver="highs")
    b = solve(out, "balanced", solver="highs", solver_options={"warm_start": False})
    assert a.manifest["warm_start"] is True
    assert a.manifest["stage_objectives"] == pytest.approx(
        b.manifest["stage_objectives"], rel=1e-7, abs=1e-6
    )
    assert not (a.flows["site_id"] == str(p.site_ids[0])).any()
    near = p.with_max_distance(float(np.median(p.arc_distance_m)))
    assert solve(near, "balanced", solver="highs").manifest["warm_start"] is False
    # another objective never reuses a basis of this one
    assert solve(p, "maxmin", solver="highs").manifest["warm_start"] is False
    clear_warm_starts()


def test_site_outage_keeps_columns_but_hands_out_nothing():
    from optimize import SiteOutage

    p = random_problem(7, ns=5, na=8, nc=2)
    sid = str(p.site_ids[np.argmax(p.supply_kg.sum(axis=1))])
    out = p.with_shocks([SiteOutage(site_ids=(sid,))])
    s = list(p.site_ids).index(sid)
    assert out.summary()["supply_kg"] == pytest.approx(p.supply_kg.sum() - p.supply_kg[s].sum())
    assert out.available_kg[s].sum() == 0 and out.supply_kg[s].sum() > 0  # nominal kept
    sol = solve(out, "cost", solver="highs", unmet_penalty_usd_per_kg=5.0)
    assert sol.flows.loc[sol.flows["site_id"] == sid, "quantity_kg"].sum() == pytest.approx(
        0, abs=1e-9
    )
    # the closed site's rows explain nothing (no "one more kg at <closed site>")
    assert sid not in set(sol.duals["site_id"].dropna())
    # the same plan as removing the site's supply outright
    gone = p.with_data(
        supply_kg=np.where(np.arange(len(p.site_ids))[:, None] == s, 0.0, p.supply_kg)
    )
    ref = solve(gone, "cost", solver="highs", unmet_penalty_usd_per_kg=5.0)
    assert sol.objective_value == pytest.approx(ref.objective_value, rel=1e-9, abs=1e-9)


def test_allocate_with_a_prebuilt_base_problem_gives_the_same_plan():
    from equity import Region
    from optimize import AllocationProblem, SiteOutage, allocate

    region = Region.demo()
    base = AllocationProblem.from_region(region, max_distance_m=4000)
    shocks = [SiteOutage(site_ids=("H037",))]
    a = allocate(region, objective="cost", shocks=shocks, max_distance_m=4000, base=base)
    b = allocate(region, objective="cost", shocks=shocks, max_distance_m=4000)
    assert a.objective_value == pytest.approx(b.objective_value, rel=1e-9)
    assert a.manifest["shocks"] == b.manifest["shocks"]
    assert base.site_open.all()  # the base problem itself is not changed by the shocks


def test_warm_basis_survives_a_bound_becoming_infinite():
    """x1 in [0, 3] ends at its upper bound; with the same structure but x1 unbounded, the
    remembered status "at upper" has no bound left: it is moved to a finite one."""
    from optimize.backends._highs import _at_bounds, clear_warm_starts

    def lp(hi1: float) -> LinearProgram:
        return LinearProgram(
            c=np.array([-2.0, -1.0]),
            A=sp.csc_matrix(np.array([[1.0, 1.0]])),
            row_lo=np.array([-np.inf]),
            row_hi=np.array([10.0]),
            col_lo=np.zeros(2),
            col_hi=np.array([hi1, np.inf]),
        )

    clear_warm_starts()
    hs = get_backend("highs")
    first = hs.solve(lp(3.0), [Stage(np.array([-2.0, -1.0]))], options={"warm_start": "t"})
    np.testing.assert_allclose(first.x, [3.0, 7.0])
    second = hs.solve(lp(np.inf), [Stage(np.array([-2.0, -1.0]))], options={"warm_start": "t"})
    assert second.warm_start and second.status is SolveStatus.OPTIMAL
    np.testing.assert_allclose(second.x, [10.0, 0.0])
    # the rule itself: 0 lower, 1 basic, 2 upper, 3 free
    st = _at_bounds(
        np.array([2, 0, 1, 3], dtype=np.int8),
        np.array([0.0, -np.inf, 0.0, 0.0]),
        np.array([np.inf, 5.0, 1.0, np.inf]),
    )
    assert st.tolist() == [0, 2, 1, 0]
    clear_warm_starts()


def test_time_limit_counts_highs_run_time_over_runs():
    """HiGHS compares ``time_limit`` with its run time summed over every ``run()``: a later
    stage must be given the run time so far plus what is left before the deadline."""
    import time as _time

    from optimize.backends._highs import _Runner

    class FakeHighs:
        def __init__(self):
            self.options = {}

        def setOptionValue(self, k, v):
            self.options[k] = v

        def getRunTime(self):
            return 5.0  # earlier stages already ran 5 s

        def run(self):
            raise StopIteration  # stop here: only the option matters

    lp, _ = _two_stage_lp()
    run = _Runner(FakeHighs(), lp, deadline=_time.perf_counter() + 10.0)
    with pytest.raises(StopIteration):
        run._run()
    assert run.h.options["time_limit"] == pytest.approx(15.0, abs=0.5)

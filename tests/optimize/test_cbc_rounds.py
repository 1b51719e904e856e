"""CBC on a subset of the columns, then pricing the rest in rounds: the whole LP's optimum."""

from __future__ import annotations

import re

import numpy as np
import pytest
import scipy.sparse as sp

from optimize._lp import LinearProgram, SolveStatus, Stage
from optimize._objectives import build_objective
from optimize.backends import get_backend

from .test_backends import independent_cost, random_problem

pytestmark = pytest.mark.skipif(not get_backend("cbc").available(), reason="no CBC binary here")


def rounds_of(message: str) -> int:
    found = re.search(r"\((\d+) rounds, (\d+) of (\d+) columns\)", message)
    assert found, message
    return int(found.group(1))


@pytest.mark.parametrize("seed", range(4), ids=lambda s: f"seed{s}")
def test_no_delivery_first_prices_in_to_the_whole_optimum(seed):
    p = random_problem(seed, ns=6, na=12, nc=3, budget=None if seed % 2 else 60.0)
    model = build_objective(p, "cost", {"unmet_penalty_usd_per_kg": 5.0})
    first = np.ones(model.lp.n_cols, dtype=bool)
    first[: p.n_x] = False  # every delivery left out: the first round meets no need
    cbc = get_backend("cbc")
    res = cbc.solve(model.lp, model.stages, options={"first_columns": first})
    assert res.status is SolveStatus.OPTIMAL
    assert rounds_of(res.message) >= 2
    assert res.objective == pytest.approx(independent_cost(p, 5.0), rel=1e-7, abs=1e-7)
    whole = cbc.solve(model.lp, model.stages)
    assert res.objective == pytest.approx(whole.objective, rel=1e-7, abs=1e-7)
    # the duals price every column at or above zero (columns at 0), basic ones at zero
    rc = model.stages[0].c - model.lp.A.T @ res.row_dual
    assert rc.min() >= -1e-6
    assert np.abs(rc[res.x > 1e-6]).max() <= 1e-6
    lhs = model.lp.A @ res.x
    assert (lhs >= model.lp.row_lo - 1e-6).all() and (lhs <= model.lp.row_hi + 1e-6).all()


def test_an_infeasible_subset_falls_back_to_the_whole_lp():
    # min 2 x0 + x1 s.t. x0 + x1 = 1, x1 <= 0.5: x1 alone cannot meet the row
    lp = LinearProgram(
        c=np.array([2.0, 1.0]),
        A=sp.csc_matrix(np.array([[1.0, 1.0]])),
        row_lo=np.array([1.0]),
        row_hi=np.array([1.0]),
        col_lo=np.zeros(2),
        col_hi=np.array([np.inf, 0.5]),
    )
    stage = Stage(lp.c, "cost_usd")
    res = get_backend("cbc").solve(lp, [stage], options={"first_columns": [False, True]})
    assert res.status is SolveStatus.OPTIMAL
    assert "rounds" not in res.message
    assert res.objective == pytest.approx(1.5)
    assert res.x == pytest.approx([0.5, 0.5])


def test_a_column_with_a_lower_bound_is_always_in_the_first_round():
    # x0 >= 2 must hold even when the caller leaves it out of the subset
    lp = LinearProgram(
        c=np.array([1.0, 3.0]),
        A=sp.csc_matrix(np.array([[1.0, 1.0]])),
        row_lo=np.array([-np.inf]),
        row_hi=np.array([5.0]),
        col_lo=np.array([2.0, 0.0]),
        col_hi=np.array([np.inf, np.inf]),
    )
    stage = Stage(lp.c, "cost_usd")
    res = get_backend("cbc").solve(lp, [stage], options={"first_columns": [False, False]})
    assert res.status is SolveStatus.OPTIMAL
    assert rounds_of(res.message) == 1
    assert res.x == pytest.approx([2.0, 0.0])
    assert res.objective == pytest.approx(2.0)

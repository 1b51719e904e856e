"""Staged objectives handed to Clp for their first, weighted solve; HiGHS certifies from its basis.

The automatic choice writes the weighted LP of a staged objective (``coverage``, ``maxmin``,
``balanced``) as MPS, solves it with Clp's dual simplex (the CBC binary, ``-basisO``) and starts
HiGHS from Clp's final basis (``optimize.backends._cbc.clp_start``). The answer must be the
one HiGHS alone gives; only the speed changes.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from optimize import SolveStatus, solve
from optimize._lp import LinearProgram, Stage
from optimize.backends import _cbc, get_backend
from optimize.backends._cbc import clp_start, read_basis
from optimize.backends._highs import _basis, _to_highs_lp, clear_warm_starts, new_highs

from .test_backends import random_problem

needs_cbc = pytest.mark.skipif(
    not get_backend("cbc").available(), reason="no CBC binary here (install coinor-cbc)"
)

STAGED = ["coverage", "maxmin", "balanced"]


def _devel_cbc() -> bool:
    """The CBC of PuLP 4's ``cbcbox`` wheel is a devel build whose basis files differ (values
    on ``UL`` lines, rows at the other bound): HiGHS then needs a few iterations from them."""
    import subprocess

    path = _cbc.cbc_path()
    if path is None:
        return False
    out = subprocess.run([path, "-quit"], capture_output=True, text=True, check=False).stdout
    return "devel" in out.lower()


DEVEL_CBC = _devel_cbc()


def test_read_basis_follows_the_mps_basis_format(tmp_path):
    path = tmp_path / "b.bas"
    path.write_text(
        "NAME          foodshed       VALUES\n"
        " XU c3             r0     2.5\n"
        " XL c1             r2     1.\n"
        " UL c4\n"
        " LL c0\n"
        "ENDATA\n"
    )
    cs, rs = read_basis(path, n_rows=3, n_cols=5)
    # columns: c0 at lower (named), c1 basic, c2 at lower (default), c3 basic, c4 at upper
    assert cs.tolist() == [0, 1, 0, 1, 2]
    # rows: r0 at upper (XU), r1 basic (default), r2 at lower (XL)
    assert rs.tolist() == [2, 1, 0]


@pytest.mark.parametrize(
    "line",
    [" XU c9 r0\n", " XU c0 r7\n", " XU x0 r0\n", " ZZ c0\n", " XU c0\n"],
    ids=["col-out-of-range", "row-out-of-range", "bad-name", "bad-tag", "missing-row"],
)
def test_read_basis_rejects_lines_that_do_not_fit(tmp_path, line):
    path = tmp_path / "b.bas"
    path.write_text("NAME x\n" + line + "ENDATA\n")
    with pytest.raises(ValueError):
        read_basis(path, n_rows=2, n_cols=3)


def _ranged(lo: float, hi: float, c: list[float], sign: float = 1.0) -> LinearProgram:
    return LinearProgram(
        c=np.array(c),
        A=sp.csc_matrix(sign * np.array([[1.0, 1.0]])),
        row_lo=np.array([lo]),
        row_hi=np.array([hi]),
        col_lo=np.zeros(2),
        col_hi=np.array([2.0, 5.0]),
    )


@needs_cbc
@pytest.mark.parametrize(
    ("lp", "row_status", "x"),
    [
        # max x1 + x2 with 1 <= x1 + x2 <= 3, x1 <= 2, x2 <= 5: the row at its upper bound
        (_ranged(1.0, 3.0, [-1.0, -1.0]), 2, None),
        # min: the row at its lower bound, x = (1, 0)
        (_ranged(1.0, 3.0, [1.0, 1.0]), 0, [1.0, 0.0]),
        # -3 <= -(x1 + x2) <= -1, min x1 + x2: -(x1 + x2) = -1 is the row's upper bound
        (_ranged(-3.0, -1.0, [1.0, 1.0], sign=-1.0), 2, [1.0, 0.0]),
    ],
    ids=["max-at-upper", "min-at-lower", "negated-at-upper"],
)
def test_highs_starts_from_clps_basis_without_iterations(lp, row_status, x):
    got = clp_start(lp)
    assert got is not None and got.optimal
    if not DEVEL_CBC:
        assert got.row_status.tolist() == [row_status]
    h = new_highs()
    h.passModel(_to_highs_lp(lp))
    assert h.setBasis(_basis(got.col_status, got.row_status)).name == "kOk"
    h.run()
    assert h.getInfo().simplex_iteration_count <= (2 if DEVEL_CBC else 0)
    value = np.asarray(h.getSolution().col_value)
    assert float(np.dot(lp.c, value)) == pytest.approx(-3.0 if x is None else 1.0)
    if x is not None:
        assert value.tolist() == pytest.approx(x)


@needs_cbc
@pytest.mark.parametrize("objective", STAGED)
@pytest.mark.parametrize("seed", range(4), ids=lambda s: f"seed{s}")
def test_clp_start_gives_the_highs_answer(objective, seed):
    p = random_problem(seed + 50, ns=6, na=10, nc=3, budget=None if seed % 2 else 60.0)
    clear_warm_starts()
    auto = solve(p, objective, solver="highs", solver_options={"start": "clp"})
    ref = solve(p, objective, solver="highs", solver_options={"warm_start": False})
    assert auto.status is SolveStatus.OPTIMAL and ref.status is SolveStatus.OPTIMAL
    assert auto.manifest["start"] == "clp"
    assert ref.manifest["start"] == "cold"
    assert auto.times_s["clp_solve"] > 0
    a, b = auto.manifest["stage_objectives"], ref.manifest["stage_objectives"]
    assert a == pytest.approx(b, rel=1e-6, abs=1e-5)
    for key in ("need_met_kg", "transport_cost_usd", "min_fulfilment"):
        assert auto.kpis[key] == pytest.approx(ref.kpis[key], rel=1e-6, abs=1e-5), key
    clear_warm_starts()


@needs_cbc
@pytest.mark.slow
def test_demo_balanced_from_clp_equals_highs_alone():
    """The realistic case (the demo region, 4 km reach) both ways; a second solve of the same
    structure starts from the basis remembered after the first, not from Clp."""
    from equity import Region
    from optimize import AllocationProblem

    p = AllocationProblem.from_region(Region.demo(), max_distance_m=4000)
    clear_warm_starts()
    auto = solve(p, "balanced", equity_weight=0.5)
    ref = solve(
        p, "balanced", solver="highs", equity_weight=0.5, solver_options={"warm_start": False}
    )
    assert auto.manifest["start"] == "clp"
    a, b = auto.manifest["stage_objectives"], ref.manifest["stage_objectives"]
    assert a == pytest.approx(b, rel=1e-6)
    assert auto.kpis["need_met_kg"] == pytest.approx(ref.kpis["need_met_kg"], rel=1e-7)
    again = solve(p, "balanced", equity_weight=0.8)
    assert again.manifest["start"] == "warm"
    clear_warm_starts()


def test_the_automatic_choice_leaves_small_lps_to_highs_alone():
    p = random_problem(64, ns=5, na=8, nc=2)
    assert p.n_x < 5000
    clear_warm_starts()
    assert solve(p, "maxmin").manifest["start"] == "cold"
    clear_warm_starts()


def test_without_cbc_the_staged_solve_starts_cold(monkeypatch):
    monkeypatch.setattr(_cbc, "cbc_path", lambda: None)
    p = random_problem(61, ns=5, na=8, nc=2)
    clear_warm_starts()
    sol = solve(p, "maxmin", solver="highs", solver_options={"start": "clp"})
    assert sol.status is SolveStatus.OPTIMAL
    assert sol.manifest["start"] == "cold"
    assert "clp_solve" not in sol.times_s
    clear_warm_starts()


@needs_cbc
def test_a_broken_basis_file_falls_back_to_a_cold_start(monkeypatch):
    """Whatever Clp hands back that is not a basis of the LP is ignored, never trusted."""

    def garbage(path, n_rows, n_cols):
        return np.zeros(n_cols, np.int8), np.zeros(n_rows, np.int8)  # no basic variable

    monkeypatch.setattr(_cbc, "read_basis", garbage)
    p = random_problem(62, ns=5, na=8, nc=2)
    clear_warm_starts()
    sol = solve(p, "coverage", solver="highs", solver_options={"start": "clp"})
    ref = solve(p, "coverage", solver="highs", solver_options={"warm_start": False})
    assert sol.manifest["start"] == "cold"
    assert sol.manifest["stage_objectives"] == pytest.approx(
        ref.manifest["stage_objectives"], rel=1e-6, abs=1e-5
    )
    clear_warm_starts()


def test_start_option_is_checked():
    lp = _ranged(1.0, 3.0, [1.0, 1.0])
    stages = [
        Stage(np.array([1.0, 0.0]), "a", weight=2.0),
        Stage(np.array([0.0, 1.0]), "b", weight=1.0),
    ]
    with pytest.raises(ValueError, match="start='fast'"):
        get_backend("highs").solve(lp, stages, options={"start": "fast"})


@needs_cbc
def test_clp_start_for_the_backend_directly():
    lp = _ranged(1.0, 3.0, [1.0, 1.0])
    stages = [
        Stage(np.array([1.0, 0.0]), "a", weight=2.0),
        Stage(np.array([0.0, 1.0]), "b", weight=1.0),
    ]
    res = get_backend("highs").solve(lp, stages, options={"start": "clp"})
    assert res.status is SolveStatus.OPTIMAL
    assert res.start == "clp"
    # lexicographic: x1 as small as it can be (0, held within its 1e-6 tolerance), then x2 (1)
    assert res.stage_objectives == pytest.approx([0.0, 1.0], abs=2e-6)
    assert res.x.tolist() == pytest.approx([0.0, 1.0], abs=2e-6)


def _weighted_demo_like_lp():
    p = random_problem(63, ns=8, na=14, nc=3)
    from optimize._objectives import build_objective

    m = build_objective(p, "maxmin", {})
    return m.lp.with_cost(sum(float(st.weight) * st.c for st in m.stages))


def _iterations_from(lp, got):
    """HiGHS's iterations from Clp's basis (0: it is optimal for HiGHS too; a few more with
    the devel CBC of ``cbcbox``, whose basis files differ)."""
    h = new_highs()
    h.passModel(_to_highs_lp(lp))
    h.setBasis(_basis(got.col_status, got.row_status))
    h.run()
    n = h.getInfo().simplex_iteration_count
    return 0 if DEVEL_CBC and n <= lp.n_rows else n


@needs_cbc
@pytest.mark.parametrize("race", [False, True], ids=["one-way", "race"])
def test_clp_start_with_or_without_a_race_gives_an_optimal_basis(race):
    lp = _weighted_demo_like_lp()
    got = clp_start(lp, race=race)
    assert got is not None and got.optimal
    assert _iterations_from(lp, got) == 0


@needs_cbc
def test_a_way_that_stops_early_does_not_win_the_race(monkeypatch):
    """A run that writes a basis without solving (here: out of time at once) loses to the
    one that reaches the optimum, and its process is gone afterwards."""
    lp = _weighted_demo_like_lp()
    monkeypatch.setattr(_cbc, "CLP_WAYS", (("-maxIt", "0", "-dualS"), ("-dualS",)))
    got = clp_start(lp, race=True)
    assert got is not None and got.optimal
    assert _iterations_from(lp, got) == 0
    # only the early stopper: its basis is kept as a fallback, marked not optimal (the devel
    # CBC of cbcbox solves to the optimum whatever -maxIt says)
    monkeypatch.setattr(_cbc, "CLP_WAYS", (("-maxIt", "0", "-dualS"),))
    early = clp_start(lp, race=True)
    assert early is not None and early.optimal is DEVEL_CBC


@needs_cbc
def test_meanwhile_runs_once_while_clp_solves():
    lp = _weighted_demo_like_lp()
    calls = []
    got = clp_start(lp, meanwhile=lambda: calls.append(1))
    assert got is not None and got.optimal
    assert calls == [1]


@needs_cbc
def test_clp_start_on_a_subset_prices_in_to_an_optimal_basis():
    # no delivery in the first round: the others enter by pricing, and the basis (the columns
    # never added nonbasic at zero) is optimal for the whole LP
    lp = _weighted_demo_like_lp()
    p = random_problem(63, ns=8, na=14, nc=3)
    first = np.ones(lp.n_cols, dtype=bool)
    first[: p.n_x] = False
    got = clp_start(lp, first=first)
    assert got is not None and got.optimal
    assert int((got.col_status == 1).sum() + (got.row_status == 1).sum()) == lp.n_rows
    assert _iterations_from(lp, got) == 0
    whole = clp_start(lp)
    h = new_highs()
    h.passModel(_to_highs_lp(lp))
    h.setBasis(_basis(got.col_status, got.row_status))
    h.run()
    h2 = new_highs()
    h2.passModel(_to_highs_lp(lp))
    h2.setBasis(_basis(whole.col_status, whole.row_status))
    h2.run()
    assert h.getInfo().objective_function_value == pytest.approx(
        h2.getInfo().objective_function_value, rel=1e-9
    )

"""CBC on a subset of the columns, then pricing the rest in rounds: the whole LP's optimum."""

from __future__ import annotations

import os
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


def _two_columns() -> LinearProgram:
    """min 2 x0 + x1 s.t. x0 + x1 = 1, x1 <= 0.5."""
    return LinearProgram(
        c=np.array([2.0, 1.0]),
        A=sp.csc_matrix(np.array([[1.0, 1.0]])),
        row_lo=np.array([1.0]),
        row_hi=np.array([1.0]),
        col_lo=np.zeros(2),
        col_hi=np.array([np.inf, 0.5]),
    )


def test_an_infeasible_subset_falls_back_to_the_whole_lp():
    # min 2 x0 + x1 s.t. x0 + x1 = 1, x1 <= 0.5: x1 alone cannot meet the row
    lp = _two_columns()
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


def _solution_text(rows, cols, head="Optimal - objective value 12.5"):
    """A solution file as CBC prints it with ``-printingOptions all``: one width per line,
    numbers right-aligned; ``rows`` and ``cols`` are (name, value, dual) triples (a row's
    index is its number, a column's its place in the file)."""
    lines = [head]
    for name, value, dual in rows:
        lines.append(f"{int(name[1:]):7d} {name:<10}{value:>15}{dual:>24}")
    for k, (name, value, dual) in enumerate(cols):
        lines.append(f"{k:7d} {name:<10}{value:>15}{dual:>24}")
    return "\n".join(lines) + "\n"


ROWS = [("r0", "1411.5778", "-9.9474562"), ("r1", "0", "12"), ("r2", "-2.5", "0")]
# the MPS file held columns 7, 2 and 5 of the whole LP, in that order
COLS = [("c7", "0", "0.6453907"), ("c2", "3.0000001", "0"), ("c5", "40", "-1e+30")]


def test_rounds_read_the_duals_then_the_values_from_the_fixed_width_lines():
    from optimize.backends._cbc_rounds import _column_values, _row_duals

    data = _solution_text(ROWS, COLS).encode()
    y, at = _row_duals(data, 3)
    assert y.tolist() == [-9.9474562, 12.0, 0.0]
    assert data[at:].startswith(b"      0 c7 ")
    x = _column_values(data, at, np.array([7, 2, 5]), 9)
    assert x.tolist() == [0, 0, 3.0000001, 0, 0, 40.0, 0, 0, 0]


@pytest.mark.parametrize(
    ("rows", "cols", "bad"),
    [
        (ROWS[:1] + [("r1", "0", "1234567890123456789012345")] + ROWS[2:], COLS, "rows"),
        ([ROWS[1], ROWS[0], ROWS[2]], COLS, "rows"),  # rows out of order
        (ROWS, COLS[:2] + [("x5", "40", "0")], "cols"),  # not a column name
        (ROWS, COLS[:2], "cols"),  # a column missing
    ],
    ids=["wider-line", "rows-swapped", "other-name", "missing-column"],
)
def test_rounds_readers_give_up_on_unusual_files(rows, cols, bad):
    from optimize.backends._cbc_rounds import _column_values, _row_duals

    data = _solution_text(rows, cols).encode()
    got = _row_duals(data, 3)
    if bad == "rows":
        assert got is None
        return
    assert got is not None
    assert _column_values(data, got[1], np.array([7, 2, 5]), 9) is None


def test_rounds_readers_give_up_on_infeasibility_marks():
    from optimize.backends._cbc_rounds import _column_values, _row_duals

    data = _solution_text(ROWS, COLS).encode()
    marked = data.replace(b"      1 r1", b"**    1 r1", 1)
    assert _row_duals(marked, 3) is None
    marked = data.replace(b"      2 c5", b"**    2 c5", 1)
    y, at = _row_duals(marked, 3)
    assert _column_values(marked, at, np.array([7, 2, 5]), 9) is None


def test_mps_blocks_name_columns_by_their_place_in_the_whole_lp():
    from optimize.backends._cbc import mps_chunks

    lp = _two_columns()
    blocks = list(mps_chunks(lp, np.array([10, 3])))
    text = b"".join(b for _, b in blocks).decode()
    assert " c10 Obj 2\n c10 r0 1\n c3 Obj 1\n c3 r0 1\n" in text
    assert " UP BND c3 0.5\n" in text
    assert " RHS r0 1\n" in text
    tags = {t for t, _ in mps_chunks(lp, np.array([10, 3]), rows=False)}
    assert tags == {"columns_head", "columns", "bounds_head", "bounds", "end"}


@pytest.mark.parametrize("reader", ["_row_duals", "_column_values"])
def test_rounds_read_the_whole_file_when_the_fast_readers_give_up(monkeypatch, reader):
    from optimize.backends import _cbc_rounds

    p = random_problem(1, ns=6, na=12, nc=3, budget=None)
    model = build_objective(p, "cost", {"unmet_penalty_usd_per_kg": 5.0})
    first = np.ones(model.lp.n_cols, dtype=bool)
    first[: p.n_x] = False
    cbc = get_backend("cbc")
    fast = cbc.solve(model.lp, model.stages, options={"first_columns": first})
    monkeypatch.setattr(_cbc_rounds, reader, lambda *a: None)
    slow = cbc.solve(model.lp, model.stages, options={"first_columns": first.copy()})
    assert rounds_of(slow.message) == rounds_of(fast.message) >= 2
    np.testing.assert_array_equal(slow.x, fast.x)
    np.testing.assert_array_equal(slow.row_dual, fast.row_dual)


def _dying_cbc(tmp_path, monkeypatch, real_calls: int, cut: bool = False):
    """Put a CBC on the PATH that runs the real one for its first ``real_calls`` calls and is
    then killed (``kill -9``, as the kernel does when memory runs out), after writing a cut-off
    solution file when ``cut``."""
    from optimize.backends._cbc import cbc_path

    real = cbc_path()
    counter = tmp_path / "calls"
    counter.write_text("0")
    script = tmp_path / "bin" / "cbc"
    script.parent.mkdir()
    cut_lines = (
        '"$REAL" "$@" >/dev/null 2>&1; sol="${@: -1}"; sz=$(stat -c %s "$sol"); '
        'head -c $((sz*6/10)) "$sol" > "$sol.t"; mv "$sol.t" "$sol"; kill -9 $$'
        if cut
        else "kill -9 $$"
    )
    script.write_text(
        "#!/bin/bash\n"
        f'REAL="{real}"\n'
        f'n=$(cat "{counter}"); n=$((n+1)); echo $n > "{counter}"\n'
        f"if [ $n -gt {real_calls} ]; then {cut_lines}; fi\n"
        'exec "$REAL" "$@"\n'
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{script.parent}:{os.environ['PATH']}")
    return counter


@pytest.mark.parametrize(
    ("real_calls", "cut"),
    [(1, False), (1, True), (0, True)],
    ids=["killed-in-round-2", "cut-off-in-round-2", "cut-off-whole-lp"],
)
def test_a_cbc_that_dies_is_never_an_optimal_plan(tmp_path, monkeypatch, real_calls, cut):
    # the rounds' first answer (a subset's optimum) once passed for the whole LP's when CBC
    # died in round 2 and left the file of round 1; a cut-off file read as zeros
    p = random_problem(1, ns=6, na=12, nc=3, budget=None)
    model = build_objective(p, "cost", {"unmet_penalty_usd_per_kg": 5.0})
    first = np.ones(model.lp.n_cols, dtype=bool)
    first[: p.n_x] = False  # the first round meets no need: round 2 is needed
    counter = _dying_cbc(tmp_path, monkeypatch, real_calls, cut)
    res = get_backend("cbc").solve(model.lp, model.stages, options={"first_columns": first})
    assert int(counter.read_text()) >= real_calls + 1  # the dying CBC was called
    assert res.status is not SolveStatus.OPTIMAL
    assert res.objective is None or res.objective == pytest.approx(
        independent_cost(p, 5.0), rel=1e-7
    )

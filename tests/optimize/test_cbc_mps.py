"""The CBC backend's own MPS writer and solution reader: exact round trips through HiGHS'
reader, the same optimum as HiGHS, and the same values as the line-by-line reader."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from equity import FoodshedError
from optimize._lp import LinearProgram, SolveStatus, Stage
from optimize.backends import get_backend
from optimize.backends._cbc import (
    _read_solution,
    _read_solution_lines,
    write_mps,
)
from optimize.backends._highs import new_highs

INF = np.inf

needs_cbc = pytest.mark.skipif(
    not get_backend("cbc").available(), reason="no CBC binary here (install coinor-cbc)"
)


def random_lp(seed: int, *, n: int = 40, m: int = 25, bounded: bool = False) -> LinearProgram:
    """A sparse LP (or MIP) with every kind of row and bound, feasible at a point ``x0``.

    With ``bounded`` every cost points towards a finite bound, so the optimum is finite, and
    the matrix is well scaled (CBC's dual simplex misses the optimum of some of the badly
    scaled ones, whichever program writes the file)."""
    rng = np.random.default_rng(seed)
    # a few repeated matrix values (as in the allocation LP) and awkward distinct ones
    pool = np.array([1.0, -1.0, 0.1, 1 / 3, 0.6] + ([] if bounded else [2.5e-7, -1234.5678]))
    A = sp.random(m, n, density=0.15, random_state=seed, format="csc")
    A.data = np.where(rng.random(A.nnz) < 0.6, rng.choice(pool, A.nnz), rng.normal(0, 3, A.nnz))
    A = A.tolil()
    A[:, n - 3] = 0  # an empty column: it must still exist in the file
    A = A.tocsc()
    A.eliminate_zeros()
    integer = np.zeros(n, dtype=np.int8)
    integer[[0, 1, 5, 6, 7, n - 1]] = 1  # runs of integer columns, at both ends too
    kinds = rng.integers(0, 6, n)
    lo = np.select([kinds == 1, kinds == 2, kinds == 3, kinds == 4], [-INF, -INF, -3.25, 2.0], 0.0)
    hi = np.select([kinds == 1, kinds == 3, kinds == 4, kinds == 5], [INF, 7.5, 2.0, 9.0], INF)
    hi = np.where(kinds == 2, -1.5, hi)  # negative upper bound, no lower bound
    lo[n - 2], hi[n - 2] = -8.0, -2.0  # both bounds negative
    if bounded:
        lo = np.where(np.isinf(lo) & np.isinf(hi), -10.0, lo)
    x0 = np.clip(
        rng.normal(0, 4, n), np.where(np.isfinite(lo), lo, -20), np.where(np.isfinite(hi), hi, 20)
    )
    x0 = np.where(integer == 1, np.ceil(x0), x0)
    x0 = np.where((integer == 1) & (x0 > hi), np.floor(hi), x0)
    ax = A @ x0
    kind = np.arange(m) % 5  # equality, <=, >=, ranged (two ways round) rows
    slack = rng.uniform(0.5, 3, m)
    row_lo = np.select(
        [kind == 0, kind == 1, kind == 3, kind == 4], [ax, -INF, ax - slack, -1e6], ax - slack
    )
    row_hi = np.select([kind == 0, kind == 2], [ax, INF], ax + slack)
    c = rng.normal(0, 1, n) * (rng.random(n) < 0.8)
    c[2] = 0.1 + 0.2  # 0.30000000000000004: must come back exactly
    if bounded:
        c = np.where(np.isfinite(lo), np.abs(c), np.where(np.isfinite(hi), -np.abs(c), 0.0))
    return LinearProgram(
        c=c,
        A=A,
        row_lo=row_lo,
        row_hi=row_hi,
        col_lo=lo,
        col_hi=hi,
        offset=0.0 if bounded else 12.625,
        integrality=integer,
    )


def read_with_highs(path):
    h = new_highs()
    h.readModel(str(path))
    lp = h.getLp()
    m = lp.a_matrix_
    A = sp.csc_matrix(
        (np.asarray(m.value_), np.asarray(m.index_), np.asarray(m.start_)),
        shape=(lp.num_row_, lp.num_col_),
    )
    integer = [int(v == v.kInteger) for v in lp.integrality_] if lp.integrality_ else None
    return lp, A, integer


@pytest.mark.parametrize("seed", range(4), ids=lambda s: f"seed{s}")
def test_highs_reads_back_the_same_lp(tmp_path, seed):
    lp = random_lp(seed)
    back, A, integer = read_with_highs(write_mps(lp, tmp_path / "m.mps"))
    assert (back.num_col_, back.num_row_) == (lp.n_cols, lp.n_rows)
    np.testing.assert_array_equal(back.col_cost_, lp.c)  # exact: repr round-trips
    np.testing.assert_array_equal(back.col_lower_, lp.col_lo)
    np.testing.assert_array_equal(back.col_upper_, lp.col_hi)
    # a ranged row's second bound is rebuilt from the range: within one rounding
    np.testing.assert_allclose(back.row_lower_, lp.row_lo, rtol=1e-15, atol=0)
    np.testing.assert_allclose(back.row_upper_, lp.row_hi, rtol=1e-15, atol=0)
    assert (A != lp.A).nnz == 0
    assert integer == lp.integrality.tolist()
    assert back.offset_ == pytest.approx(12.625, rel=1e-15)


def test_the_file_is_free_mps_with_markers_and_bounds(tmp_path):
    lp = LinearProgram(
        c=np.array([1.0, -2.0, 0.1, 0.0]),
        A=sp.csc_matrix(np.array([[1.0, 2.0, 0, 0], [0, 1.5, 1, 0], [1, 0, 0, 0]])),
        row_lo=np.array([-INF, 1.0, 2.0]),
        row_hi=np.array([4.0, 1.0, 5.0]),
        col_lo=np.array([0.0, -INF, -3.0, 1.0]),
        col_hi=np.array([INF, 5.0, INF, 1.0]),
        offset=2.5,
        integrality=np.array([0, 1, 1, 0]),
    )
    text = write_mps(lp, tmp_path / "m.mps").read_text()
    assert text == (
        "NAME foodshed FREE\nROWS\n N Obj\n L r0\n E r1\n G r2\nCOLUMNS\n"
        " c0 Obj 1\n c0 r0 1\n c0 r2 1\n"
        " MARKER 'MARKER' 'INTORG'\n c1 Obj -2\n c1 r0 2\n c1 r1 1.5\n"
        " c2 Obj 0.1\n c2 r1 1\n MARKER 'MARKER' 'INTEND'\n"
        " c3 Obj 0\n"  # no cost and no entries: named anyway
        "RHS\n RHS r0 4\n RHS r1 1\n RHS r2 2\n RHS Obj -2.5\n"
        "RANGES\n RNG r2 3\n"
        "BOUNDS\n FX BND c3 1\n MI BND c1\n LO BND c2 -3\n UP BND c1 5\n PL BND c2\n"
        "ENDATA\n"
    )


def test_a_free_row_keeps_its_place(tmp_path):
    lp = LinearProgram(
        c=np.array([1.0, 1.0]),
        A=sp.csc_matrix(np.array([[1.0, 1.0], [1.0, -1.0], [0.0, 1.0]])),
        row_lo=np.array([1.0, -INF, 0.5]),
        row_hi=np.array([INF, INF, INF]),
        col_lo=np.zeros(2),
        col_hi=np.full(2, INF),
    )
    back, A, _ = read_with_highs(write_mps(lp, tmp_path / "m.mps"))
    assert back.num_row_ == 3
    assert back.row_lower_[1] == -INF and back.row_upper_[1] >= 1e20  # HiGHS: infinite
    assert (A != lp.A).nnz == 0


def test_nan_is_a_clear_error(tmp_path):
    lp = random_lp(0)
    bad = lp.with_cost(np.where(np.arange(lp.n_cols) == 3, np.nan, lp.c))
    with pytest.raises(FoodshedError, match="NaN or misplaced infinite values in \\['costs'\\]"):
        write_mps(bad, tmp_path / "m.mps")


@needs_cbc
@pytest.mark.parametrize("seed", range(3), ids=lambda s: f"seed{s}")
@pytest.mark.parametrize("mip", [False, True], ids=["lp", "mip"])
def test_cbc_reaches_the_highs_optimum(seed, mip):
    lp = random_lp(seed, bounded=True)
    if not mip:
        lp = LinearProgram(**{**lp.__dict__, "integrality": None})
    stages = [Stage(c=lp.c)]
    ref = get_backend("highs").solve(lp, stages, options={"mip_rel_gap": 0.0})
    res = get_backend("cbc").solve(lp, stages)
    assert ref.status is SolveStatus.OPTIMAL
    assert res.status is SolveStatus.OPTIMAL
    # CBC prints values with 8 significant digits
    assert res.objective == pytest.approx(ref.objective, rel=1e-6, abs=1e-6)
    lo, hi = lp.col_lo - 1e-6, lp.col_hi + 1e-6
    assert np.all((res.x >= lo) & (res.x <= hi))


@needs_cbc
def test_an_integer_column_without_upper_bound_is_not_binary():
    # max x (integer, x >= 0) s.t. x + y <= 7.5, y <= 0.25: x = 7, not 1
    lp = LinearProgram(
        c=np.array([-1.0, -1.0]),
        A=sp.csc_matrix(np.array([[1.0, 1.0]])),
        row_lo=np.array([-INF]),
        row_hi=np.array([7.5]),
        col_lo=np.zeros(2),
        col_hi=np.array([INF, 0.25]),
        integrality=np.array([1, 0]),
    )
    res = get_backend("cbc").solve(lp, [Stage(c=lp.c)])
    assert res.status is SolveStatus.OPTIMAL
    assert res.x.tolist() == pytest.approx([7.0, 0.25])
    assert res.objective == pytest.approx(-7.25)


SOLUTION = """Stopped on time - objective value 14619210.94062379
      0 r0             1411.5778              -9.9474562
**    1 r1                  -2.5                      12
      2 r2                     0                       0
      0 c0                     0               0.6453907
**    1 c1                 1e-05                  -1e+30
      2 c2             3.0000001              0.65033132
      3 c3                    42                       0
"""


def test_solution_reader_matches_the_line_reader(tmp_path):
    path = tmp_path / "m.sol"
    path.write_text(SOLUTION)
    head, x, dual = _read_solution(path, 3, 5)
    assert head == "Stopped on time - objective value 14619210.94062379"
    assert x.tolist() == [0.0, 1e-05, 3.0000001, 42.0, 0.0]
    assert dual.tolist() == [-9.9474562, 12.0, 0.0]
    x2, dual2 = _read_solution_lines(SOLUTION.splitlines()[1:], 3, 5)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(dual, dual2)


@pytest.mark.parametrize(
    "extra",
    ["      9 Obj   1   2\n", "\n", "      4 c4 7\n", "      4 r10 7 8\n"],
    ids=["other-name", "blank-line", "short-line", "row-out-of-range"],
)
def test_solution_reader_falls_back_on_unusual_lines(tmp_path, extra):
    text = SOLUTION + extra
    path = tmp_path / "m.sol"
    path.write_text(text)
    if extra.startswith("      4 r10"):
        with pytest.raises(IndexError):
            _read_solution(path, 3, 5)  # as the line reader would
        return
    _, x, dual = _read_solution(path, 3, 5)
    x2, dual2 = _read_solution_lines(text.splitlines()[1:], 3, 5)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(dual, dual2)


@needs_cbc
def test_siting_milp_through_cbc(region_factory):
    # as tests/optimize/test_siting.py: with 2.5 km reach each new site serves only its own
    # area, and C needs the most (30); the MILP's binaries go through the MARKER lines
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import Point

    from optimize import site_new

    x0, y0 = 500_000.0, 4_000_000.0
    region = region_factory(
        {"A": 0, "B": 4000, "C": 8000, "D": 12000},
        {"S1": 0},
        [("S1", "veg", 10)],
        [("A", "veg", 10), ("B", "veg", 10), ("C", "veg", 30), ("D", "veg", 10)],
    )
    xs = {"N1": 4000, "N2": 8000, "N3": 12000}
    cands = gpd.GeoDataFrame(
        {"site_id": list(xs), "kind": "garden", "throughput_kg": float("nan")},
        geometry=[Point(x0 + x, y0) for x in xs.values()],
        crs="EPSG:32617",
    )
    supply = pd.DataFrame({"site_id": list(xs), "commodity": "veg", "quantity": 25.0})
    one = site_new(region, cands, 1, candidate_supply=supply, max_distance_m=2500, solver="cbc")
    assert one.chosen == ["N2"]
    two = site_new(region, cands, 2, candidate_supply=supply, max_distance_m=2500, solver="cbc")
    assert len(two.chosen) == 2 and "N2" in two.chosen
    assert two.solution.kpis["need_met_kg"] == pytest.approx(10 + 25 + 10)


def test_a_solution_file_with_only_a_status_line(tmp_path):
    path = tmp_path / "m.sol"
    path.write_text("Infeasible - objective value 0.00000000\n")
    head, x, dual = _read_solution(path, 2, 3)
    assert head.startswith("Infeasible")
    assert x.tolist() == [0.0, 0.0, 0.0] and dual.tolist() == [0.0, 0.0]


def test_duplicate_entries_are_summed_and_the_input_is_left_alone(tmp_path):
    # (0, 0) appears twice (1 + 2 = 3), and the rows of column 0 are out of order
    A = sp.csc_matrix(
        (np.array([5.0, 1.0, 2.0, 4.0]), np.array([1, 0, 0, 1]), np.array([0, 3, 4])),
        shape=(2, 2),
    )
    lp = LinearProgram(
        c=np.array([1.0, 2.0]),
        A=A,
        row_lo=np.array([1.0, 2.0]),
        row_hi=np.array([INF, INF]),
        col_lo=np.zeros(2),
        col_hi=np.full(2, INF),
    )
    _, back, _ = read_with_highs(write_mps(lp, tmp_path / "m.mps"))
    assert back.toarray().tolist() == [[3.0, 0.0], [5.0, 4.0]]
    assert A.indices.tolist() == [1, 0, 0, 1] and A.data.tolist() == [5.0, 1.0, 2.0, 4.0]

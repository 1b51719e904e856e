"""Clp on a subset of the columns, then pricing the rest in rounds (exact column generation).

For a single-stage LP with far more columns than rows (the network over weeks: 577k columns,
30k rows on the demo), Clp's dual simplex spends most of its time on columns that end at zero.
:func:`solve_in_rounds` solves the LP restricted to a first subset of the columns (the caller
chooses it; it must keep the LP feasible with the others at zero), prices every left-out
column with the row duals (``c - A^T y``, one sparse product), adds those with a negative
reduced cost and re-solves from the last basis, until none is left. The last solve is then
optimal for the whole LP: its primal (zeros on the columns never added) is feasible and its
duals price every column at or above zero, so the objective, the columns and the row duals are
the whole LP's, within Clp's tolerances.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._lp import BackendResult, LinearProgram, SolveStatus, Stage

__all__ = ["MAX_ROUNDS", "Rounds", "run_rounds", "solve_in_rounds", "write_basis"]

#: Rounds of pricing before giving up on the subset (the caller then solves the whole LP).
MAX_ROUNDS = 30
#: A left-out column enters when its reduced cost is below ``-PRICE_TOL`` times its scale
#: (1 plus its cost plus ``|A_j|^T |y|``): CBC prints duals with 8 significant digits and
#: Clp's own dual tolerance is 1e-7.
PRICE_TOL = 1e-7


def write_basis(path: Path, col_status: np.ndarray, row_status: np.ndarray) -> None:
    """An MPS basis file for :func:`~optimize.backends._cbc.write_mps`'s names from HiGHS-coded
    statuses (0 at lower, 1 basic, 2 at upper): each basic column paired with a nonbasic row
    (``XU``/``XL``), columns at their upper bound ``UL``; what is not named is nonbasic at its
    lower bound (columns) or basic (rows)."""
    bc = np.flatnonzero(col_status == 1)
    nb = np.flatnonzero(row_status != 1)
    tag = np.where(row_status[nb] == 2, "XU", "XL")
    lines = [f" {t} c{j} r{i}" for t, j, i in zip(tag, bc, nb, strict=True)]
    lines += [f" UL c{j}" for j in np.flatnonzero(col_status == 2)]
    path.write_text("NAME foodshed\n" + "".join(s + "\n" for s in lines) + "ENDATA\n")


@dataclass
class Rounds:
    """What the rounds ended with: the status and CBC's status line, the columns and row duals
    of the whole LP (``y`` is ``None`` unless optimal), the final basis over all columns
    (columns never added nonbasic at zero; when asked for), the rounds and columns used."""

    status: SolveStatus
    head: str
    x: np.ndarray
    y: np.ndarray | None
    basis: tuple[np.ndarray, np.ndarray] | None
    rounds: int
    columns: int
    times: dict[str, float]


def solve_in_rounds(
    exe: str,
    lp: LinearProgram,
    stage: Stage,
    first: np.ndarray,
    time_limit_s: float | None,
    options: dict[str, Any],
) -> BackendResult | None:
    """Solve ``lp`` with the objective of ``stage`` by Clp on the columns of ``first`` (a mask)
    and rounds of pricing (see the module). ``options`` are CBC flags for the first round
    (later rounds start from the last basis). ``None`` when the subset does not do: a round
    ends infeasible or in error (only the whole LP can tell), or the rounds do not settle;
    the caller then solves the whole LP. A time limit ends the rounds with that status."""
    got = run_rounds(exe, lp, np.asarray(stage.c, dtype=float), first, time_limit_s, options)
    if got is None:
        return None
    if got.y is None:
        note = f"{got.head} (round {got.rounds})"
    else:
        note = f"{got.head} ({got.rounds} rounds, {got.columns} of {lp.n_cols} columns)"
    value = float(np.dot(stage.c, got.x))
    return BackendResult(
        status=got.status,
        x=got.x,
        objective=value,
        row_dual=got.y,
        solver="cbc",
        message=note,
        times_s=got.times,
        stage_objectives=[value],
        stage_duals=[got.y],
    )


def run_rounds(
    exe: str,
    lp: LinearProgram,
    c: np.ndarray,
    first: np.ndarray,
    time_limit_s: float | None,
    options: dict[str, Any],
    *,
    basis_out: bool = False,
    meanwhile: Callable[[], None] | None = None,
) -> Rounds | None:
    """The rounds themselves (see :func:`solve_in_rounds`) for the costs ``c``; with
    ``basis_out`` the final basis too; ``meanwhile()`` runs while the first round solves."""
    from ._cbc import _read_solution, _status, read_basis, write_mps

    A = lp.A.tocsc()
    lo, hi = np.asarray(lp.col_lo, float), np.asarray(lp.col_hi, float)
    # a column left out sits at 0: only those whose bounds allow 0 and that cannot go below it
    keep = np.asarray(first, dtype=bool) | (lo != 0) | (hi < 0)
    movable = hi > 0
    absA = abs(A)
    times = {"handoff": 0.0, "solve": 0.0, "read_back": 0.0, "pricing": 0.0}
    deadline = None if time_limit_s is None else time.perf_counter() + time_limit_s
    basis: tuple[np.ndarray, np.ndarray] | None = None  # statuses over all columns, rows
    with tempfile.TemporaryDirectory(prefix="foodshed-cbc-") as tmp:
        d = Path(tmp)
        for rounds in range(1, MAX_ROUNDS + 1):
            cols = np.flatnonzero(keep)
            sub = LinearProgram(
                c=c[cols],
                A=A[:, cols],
                row_lo=lp.row_lo,
                row_hi=lp.row_hi,
                col_lo=lo[cols],
                col_hi=hi[cols],
            )
            t0 = time.perf_counter()
            mps = write_mps(sub, d / "sub.mps")
            sol, bas_out = d / "sub.sol", d / "out.bas"
            bas_out.write_bytes(b"")  # CBC's devel builds write a basis only over a file
            cmd = [exe, str(mps)]
            if basis is None:
                for k, v in options.items():
                    cmd += [f"-{k}", str(v)]
            else:
                write_basis(d / "in.bas", basis[0][cols], basis[1])
                cmd += ["-basisI", str(d / "in.bas")]
            if deadline is not None:
                cmd += ["-sec", f"{max(deadline - time.perf_counter(), 0.01):.3f}"]
            cmd += ["-dualS", "-basisO", str(bas_out), "-printingOptions", "all"]
            cmd += ["-solu", str(sol)]
            times["handoff"] += time.perf_counter() - t0
            t1 = time.perf_counter()
            try:
                proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            except OSError:
                return None
            if meanwhile is not None and rounds == 1:
                meanwhile()
            proc.wait()
            times["solve"] += time.perf_counter() - t1
            if not sol.exists():
                return None
            t2 = time.perf_counter()
            head, xs, y = _read_solution(sol, lp.n_rows, len(cols))
            times["read_back"] += time.perf_counter() - t2
            status = _status(head, True)
            if status in (SolveStatus.INFEASIBLE, SolveStatus.ERROR):
                return None
            x = np.zeros(lp.n_cols)
            x[cols] = xs
            if status is not SolveStatus.OPTIMAL:  # time limit (or unbounded: so is the LP)
                return Rounds(status, head, x, None, None, rounds, len(cols), times)
            t3 = time.perf_counter()
            rc = c - A.T @ y
            scale = 1.0 + np.abs(c) + absA.T @ np.abs(y)
            enter = ~keep & movable & (rc < -PRICE_TOL * scale)
            times["pricing"] += time.perf_counter() - t3
            if enter.any() or basis_out:
                try:
                    cs, rs = read_basis(bas_out, lp.n_rows, len(cols))
                except (OSError, ValueError):
                    return None
                full = np.zeros(lp.n_cols, dtype=np.int8)
                full[cols] = cs
                basis = (full, rs)
            if not enter.any():
                return Rounds(status, head, x, y, basis, rounds, len(cols), times)
            keep |= enter
    return None

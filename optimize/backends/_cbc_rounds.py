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

__all__ = ["MAX_ROUNDS", "Rounds", "run_rounds", "solve_in_rounds"]

#: Rounds of pricing before giving up on the subset (the caller then solves the whole LP).
MAX_ROUNDS = 30
#: A left-out column enters when its reduced cost is below ``-PRICE_TOL`` times its scale
#: (1 plus its cost plus ``|A_j|^T |y|``): CBC prints duals with 8 significant digits and
#: Clp's own dual tolerance is 1e-7.
PRICE_TOL = 1e-7


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
    ``basis_out`` the final basis too; ``meanwhile()`` runs while the first round solves.

    Each column is named by its place in the whole LP (``c<j>``), so a round's MPS file is the
    last one's with the entering columns' lines appended (only those are formatted), the basis
    CBC writes after a round is the next round's starting basis as it is, and the solution file
    names columns of the whole LP. Between rounds only the row duals are read (the first lines
    of the solution file); the column values are read after the last round."""
    from ._cbc import _read_solution, _status, mps_chunks, read_basis

    A = lp.A.tocsc()
    lo, hi = np.asarray(lp.col_lo, float), np.asarray(lp.col_hi, float)
    # a column left out sits at 0: only those whose bounds allow 0 and that cannot go below it
    keep = np.asarray(first, dtype=bool) | (lo != 0) | (hi < 0)
    movable = hi > 0
    absA = abs(A)
    times = {"handoff": 0.0, "solve": 0.0, "read_back": 0.0, "pricing": 0.0}
    deadline = None if time_limit_s is None else time.perf_counter() + time_limit_s
    text: dict[str, list[bytes]] = {"rows": [], "columns": [], "rhs": [], "bounds": []}
    new = np.flatnonzero(keep)
    with tempfile.TemporaryDirectory(prefix="foodshed-cbc-") as tmp:
        d = Path(tmp)
        for rounds in range(1, MAX_ROUNDS + 1):
            t0 = time.perf_counter()
            part = LinearProgram(
                c=c[new],
                A=A[:, new],
                row_lo=lp.row_lo,
                row_hi=lp.row_hi,
                col_lo=lo[new],
                col_hi=hi[new],
            )
            for tag, block in mps_chunks(part, new):
                if tag in ("columns", "bounds") or (tag in text and rounds == 1):
                    text[tag].append(block)
            mps, sol = d / "sub.mps", d / "sub.sol"
            with open(mps, "wb") as f:
                f.writelines([*text["rows"], b"COLUMNS\n", *text["columns"], *text["rhs"]])
                f.writelines([b"BOUNDS\n", *text["bounds"]] if any(text["bounds"]) else [])
                f.write(b"ENDATA\n")
            bas_in, bas_out = d / f"round{rounds - 1}.bas", d / f"round{rounds}.bas"
            bas_out.write_bytes(b"")  # CBC's devel builds write a basis only over a file
            cmd = [exe, str(mps)]
            if rounds == 1:
                for k, v in options.items():
                    cmd += [f"-{k}", str(v)]
            else:
                cmd += ["-basisI", str(bas_in)]
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
            data = sol.read_bytes()
            head = data.partition(b"\n")[0].decode(errors="replace").rstrip("\r")
            status = _status(head, True)
            if status in (SolveStatus.INFEASIBLE, SolveStatus.ERROR):
                return None
            fast = _row_duals(data, lp.n_rows) if status is SolveStatus.OPTIMAL else None
            x = None
            if fast is None:
                _, x, y = _read_solution(sol, lp.n_rows, lp.n_cols)
            else:
                y, at = fast
            times["read_back"] += time.perf_counter() - t2
            columns = int(keep.sum())
            if x is not None and status is not SolveStatus.OPTIMAL:  # time limit (or unbounded)
                return Rounds(status, head, x, None, None, rounds, columns, times)
            t3 = time.perf_counter()
            rc = c - A.T @ y
            scale = 1.0 + np.abs(c) + absA.T @ np.abs(y)
            enter = ~keep & movable & (rc < -PRICE_TOL * scale)
            times["pricing"] += time.perf_counter() - t3
            if not enter.any():
                t4 = time.perf_counter()
                if x is None:
                    x = _column_values(data[at:], lp.n_cols)
                if x is None:
                    _, x, _ = _read_solution(sol, lp.n_rows, lp.n_cols)
                basis = None
                if basis_out:
                    try:
                        basis = read_basis(bas_out, lp.n_rows, lp.n_cols)
                    except (OSError, ValueError):
                        return None
                times["read_back"] += time.perf_counter() - t4
                return Rounds(status, head, x, y, basis, rounds, columns, times)
            keep |= enter
            new = np.flatnonzero(enter)
    return None


def _names(names: np.ndarray, letter: str) -> np.ndarray | None:
    """The numbers of names ``<letter><digits>`` (a bytes array), or ``None`` when one is not
    of that form."""
    if len(names) == 0:
        return np.zeros(0, dtype=np.int64)
    chars = names.view(np.uint8).reshape(len(names), names.itemsize)
    if (chars[:, 0] != ord(letter)).any() or names.itemsize < 2:
        return None
    try:
        idx = np.ascontiguousarray(chars[:, 1:]).view(f"S{names.itemsize - 1}").ravel()
        return np.asarray(idx.astype(np.int64))
    except ValueError:
        return None


def _row_duals(data: bytes, n_rows: int) -> tuple[np.ndarray, int] | None:
    """The row duals from CBC's solution file (``-printingOptions all``: a status line, the
    rows ``index r<i> activity dual`` in order, then the columns) and where the column lines
    start, reading only the row lines: CBC prints every line at one width, so they are the
    first ``n_rows`` lines of the first line's length. ``None`` when the file is not exactly
    that (infeasibility marks ``**``, other names or widths; the whole file is then read)."""
    start = data.find(b"\n") + 1
    if start == 0:
        return None
    if n_rows == 0:
        return np.zeros(0), start
    width = data.find(b"\n", start) + 1 - start
    stop = start + n_rows * width
    if width <= 0 or len(data) < stop or data[stop - 1 : stop] != b"\n":
        return None
    rows = data[start:stop]
    if b"**" in rows:
        return None
    tok = rows.split()
    if len(tok) != 4 * n_rows:
        return None
    idx = _names(np.array(tok[1::4]), "r")
    if idx is None or not np.array_equal(idx, np.arange(n_rows)):
        return None
    try:
        return np.array(tok[3::4]).astype(np.float64), stop
    except ValueError:
        return None


def _column_values(body: bytes, n_cols: int) -> np.ndarray | None:
    """The column values from the column lines of CBC's solution file (``index c<j> value
    reduced-cost``, ``j`` the column's place in the whole LP); only values other than ``0``
    are converted. ``None`` when the lines are not exactly that."""
    if b"**" in body:
        return None
    tok = body.split()
    if len(tok) % 4:
        return None
    idx = _names(np.array(tok[1::4]), "c")
    if idx is None or (idx >= n_cols).any():
        return None
    values = np.array(tok[2::4])
    nonzero = values != b"0"
    x = np.zeros(n_cols)
    try:
        x[idx[nonzero]] = values[nonzero].astype(np.float64)
    except ValueError:
        return None
    return x

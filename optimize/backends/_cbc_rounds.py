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

import re
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
    placed = [new]  # the columns in the order of the MPS file
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
            for tag, block in mps_chunks(part, new, rows=rounds == 1):
                if tag in text:
                    text[tag].append(block)
            mps, sol = d / "sub.mps", d / "sub.sol"
            sol.unlink(missing_ok=True)  # a CBC that dies must not leave the last round's answer
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
            try:
                if meanwhile is not None and rounds == 1:
                    meanwhile()
            except BaseException:
                proc.kill()  # no CBC left running behind an error
                proc.wait()
                raise
            proc.wait()
            times["solve"] += time.perf_counter() - t1
            # CBC exits 0 for every status it reports; anything else (killed, out of memory)
            # leaves no answer to trust, even if a file was written (the whole LP is tried next)
            if proc.returncode != 0 or not sol.exists():
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
                    x = _column_values(data, at, np.concatenate(placed), lp.n_cols)
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
            placed.append(new)
    return None


def _fixed(
    data: bytes, start: int, n: int | None, letter: str
) -> tuple[np.ndarray, list[int]] | None:
    """``n`` lines of CBC's solution file from ``start`` (all the rest when ``None``) as an
    ``(n, width)`` uint8 array, and where the index, value and dual fields end, when every line
    is ``index <letter>name value dual`` at the first line's width with the same fields in the
    same places (CBC right-aligns the numbers): else ``None`` (the file is then read whole)."""
    end = data.find(b"\n", start)
    if end < 0:
        return None
    width = end + 1 - start
    spans = [m.span() for m in re.finditer(rb"\S+", data[start:end])]
    if n is None:
        n = (len(data) - start) // width
    stop = start + n * width
    if len(spans) != 4 or len(data) < stop or (n and data.find(b"**", start, stop) >= 0):
        return None
    lines = np.frombuffer(data, np.uint8, count=n * width, offset=start).reshape(n, width)
    ends = [spans[0][1], spans[2][1], spans[3][1]]
    ok = (lines[:, -1] == ord("\n")) & (lines[:, spans[1][0]] == ord(letter))
    for e in ends:
        ok &= (lines[:, e - 1] != ord(" ")) & (lines[:, e] == ord(" ") if e < width - 1 else True)
    return (lines, ends) if ok.all() else None


def _field(lines: np.ndarray, a: int, b: int, dtype: type) -> np.ndarray:
    """Columns ``a:b`` of fixed-width lines read as numbers (blanks around them ignored)."""
    return np.ascontiguousarray(lines[:, a:b]).view(f"S{b - a}").ravel().astype(dtype)


def _row_duals(data: bytes, n_rows: int) -> tuple[np.ndarray, int] | None:
    """The row duals from CBC's solution file (``-printingOptions all``: a status line, the
    rows ``index r<i> activity dual`` in order, then the columns) and where the column lines
    start, reading only the row lines: CBC prints every line at one width, so they are the
    first ``n_rows`` lines of the first line's length, the dual the last field. ``None`` when
    the file is not exactly that (infeasibility marks ``**``, other names or widths)."""
    start = data.find(b"\n") + 1
    if start == 0:
        return None
    if n_rows == 0:
        return np.zeros(0), start
    got = _fixed(data, start, n_rows, "r")
    if got is None:
        return None
    lines, (e_index, e_value, e_dual) = got
    try:
        if not np.array_equal(_field(lines, 0, e_index, np.int64), np.arange(n_rows)):
            return None
        return _field(lines, e_value, e_dual, np.float64), start + lines.size
    except ValueError:
        return None


def _column_values(data: bytes, start: int, placed: np.ndarray, n_cols: int) -> np.ndarray | None:
    """The column values from the column lines of CBC's solution file (``index c<j> value
    reduced-cost``; the column at ``index`` in the MPS file is ``placed[index]`` of the whole
    LP), in fixed-width arrays: the many lines whose value is ``0`` are not converted.
    ``None`` when the lines are not exactly that."""
    x = np.zeros(n_cols)
    if start == len(data) and len(placed) == 0:
        return x
    got = _fixed(data, start, None, "c")
    if got is None or len(got[0]) != len(placed) or start + got[0].size != len(data):
        return None
    lines, (_, e_value, _) = got
    zero = (lines[:, e_value - 1] == ord("0")) & (lines[:, e_value - 2] == ord(" "))
    tok = lines[~zero].tobytes().split()
    if len(tok) != 4 * int((~zero).sum()):
        return None
    try:
        k = np.array(tok[0::4]).astype(np.int64)
        x[placed[k]] = np.array(tok[2::4]).astype(np.float64)
    except (ValueError, IndexError):
        return None
    return x

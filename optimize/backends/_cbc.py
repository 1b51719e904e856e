"""CBC/Clp through an MPS file (written here, vectorised) and the ``cbc`` command line.

The binary is ``cbc`` on the PATH, else the one bundled with PuLP 3.x (PuLP 4 moves it to the
``pulp[cbc]`` extra). Lexicographic stages re-solve with the previous objective as a row.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from .._lp import BackendResult, LinearProgram, SolveStatus, Stage, stage_bound
from . import Backend

__all__ = [
    "CbcBackend",
    "ClpStart",
    "cbc_path",
    "clp_start",
    "mps_chunks",
    "read_basis",
    "write_mps",
    "write_mps_highs",
]


def cbc_path() -> str | None:
    """Path of a CBC binary, or ``None`` when there is none: ``cbc`` on the PATH, else the one
    of the ``cbcbox`` wheel (PuLP 4's ``pulp[cbc]`` extra), else the one bundled with PuLP 3.x."""
    found = shutil.which("cbc")
    if found:
        return found
    for path in (_cbcbox_path(), _pulp3_path()):
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return str(path)
    return None


def _cbcbox_path() -> str | None:
    try:
        import cbcbox  # type: ignore[import-not-found]

        return str(cbcbox.cbc_bin_path())
    except Exception:  # absent, or a build without a binary for this machine
        return None


def _pulp3_path() -> str | None:
    try:
        from pulp.apis import coin_api  # PuLP 3.x (PuLP 4 has no bundled binary)
    except ImportError:
        return None
    return getattr(coin_api, "pulp_cbc_path", None)


#: COLUMNS lines per block (bounds the MPS writer's memory).
_LINE_CHUNK = 500_000
_MARKER_ORG = b" MARKER 'MARKER' 'INTORG'\n"
_MARKER_END = b" MARKER 'MARKER' 'INTEND'\n"


def _num(v: float) -> str:
    """The shortest text that reads back as exactly ``v`` (``repr``), without a trailing ``.0``."""
    s = repr(v)
    return s[:-2] if s.endswith(".0") else s


def _num_table(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each distinct value's text (``repr``, without a trailing ``.0``) as NUL-padded bytes, a
    ``(k, width)`` uint8 table, and each value's row in it: most values repeat (matrix entries,
    costs per arc), so each distinct one is formatted once."""
    uniq, inv = np.unique(np.asarray(values, dtype=np.float64), return_inverse=True)
    text = np.array(list(map(float.__repr__, uniq.tolist())) or ["0"], dtype="S")
    table = text.view(np.uint8).reshape(len(text), text.itemsize)
    length = (table != 0).sum(axis=1)
    rows = np.arange(len(table))
    whole = (
        (length >= 2)
        & (table[rows, length - 2] == ord("."))
        & (table[rows, length - 1] == ord("0"))
    )
    table[whole, length[whole] - 2] = 0
    table[whole, length[whole] - 1] = 0
    return table, inv.reshape(-1)


def _digits(n: int | np.ndarray) -> np.ndarray:
    """The decimal digits of ``0..n-1`` (or of the non-negative integers of an array) as an
    ``(n, width)`` uint8 table, right-aligned, NUL bytes in place of leading zeros."""
    values = np.arange(n) if isinstance(n, int) else np.asarray(n)
    top = int(values.max(initial=0))
    width = len(str(max(top, 0)))
    dtype = np.int32 if top < 2**31 else np.int64
    idx: np.ndarray[Any, Any] = values.astype(dtype).reshape(-1, 1)
    powers: np.ndarray[Any, Any] = 10 ** np.arange(width - 1, -1, -1, dtype=dtype)
    out = (idx // powers % 10 + 48).astype(np.uint8)
    lead = idx < powers
    lead[:, -1] = False
    out[lead] = 0
    return out


def _lines(n: int, *parts: bytes | np.ndarray) -> np.ndarray:
    """``n`` lines as an ``(n, width)`` uint8 array, each the concatenation of ``parts``: bytes
    (the same on every line) or ``(n, w)`` uint8 tables whose NUL bytes are padding."""
    widths = [len(p) if isinstance(p, bytes) else p.shape[1] for p in parts]
    out = np.empty((n, sum(widths)), dtype=np.uint8)
    k = 0
    for p, w in zip(parts, widths, strict=True):
        out[:, k : k + w] = np.frombuffer(p, dtype=np.uint8) if isinstance(p, bytes) else p
        k += w
    return out


def _text(lines: np.ndarray) -> bytes:
    """The lines as text, their NUL padding dropped."""
    flat = lines.reshape(-1)
    return flat[flat != 0].tobytes()


def _check_writable(lp: LinearProgram) -> None:
    from equity import FoodshedError

    bad = [k for k, v in (("costs", lp.c), ("matrix", lp.A.data)) if not np.isfinite(v).all()]
    if not np.isfinite(lp.offset):
        bad.append("objective offset")
    for k, lo, hi in (("row", lp.row_lo, lp.row_hi), ("column", lp.col_lo, lp.col_hi)):
        if (
            np.isnan(lo).any()
            or np.isnan(hi).any()
            or (lo == np.inf).any()
            or (hi == -np.inf).any()
        ):
            bad.append(f"{k} bounds")
    if bad:
        msg = (
            f"cannot write the LP for CBC: NaN or misplaced infinite values in {bad}; check "
            "supply/need/throughput and distances for NaN or infinite values"
        )
        raise FoodshedError(msg)


def write_mps(lp: LinearProgram, path: str | os.PathLike[str]) -> Path:
    """Write ``lp`` as a free MPS file: objective row ``Obj``, rows ``r0..``, columns ``c0..``.

    Vectorised: every line is assembled as bytes in numpy arrays (names from a digit table,
    each distinct number formatted once with ``repr``, so it reads back exactly) and written in
    large blocks. The objective offset is the objective row's RHS (negated, as MPS readers
    expect). Integer columns sit between ``MARKER`` lines and always get explicit bounds (CBC
    reads an integer column without bounds as binary). A ranged row is written from its
    smaller-magnitude bound plus a range, so the bound the reader rebuilds is the larger one,
    within one rounding. A free row is written as ``L`` with RHS 1e30 (infinite to CBC and
    HiGHS) so that row numbers stay as they are.
    """
    blocks = mps_chunks(lp)
    with open(path, "wb") as f:
        for _, text in blocks:
            f.write(text)
    return Path(path)


def mps_chunks(
    lp: LinearProgram, col_names: np.ndarray | None = None, *, rows: bool = True
) -> Iterator[tuple[str, bytes]]:
    """The text of :func:`write_mps`'s file in blocks, each tagged with its section: ``rows``
    (the header and ROWS), ``columns_head`` and ``columns`` (COLUMNS), ``rhs`` (RHS and RANGES), ``bounds_head``
    and ``bounds`` (BOUNDS), ``end``. ``col_names`` (non-negative integers, one per column)
    name the columns ``c<name>`` instead of ``c0..``: the column-generation rounds name each
    column by its place in the whole LP, so the lines of the columns already written do not
    change from one round to the next; ``rows=False`` leaves out the ``rows`` and ``rhs``
    blocks (the same in every round). The LP is checked before the first block."""
    _check_writable(lp)
    return _mps_blocks(lp, col_names, rows)


def _mps_blocks(
    lp: LinearProgram, col_names: np.ndarray | None, rows: bool
) -> Iterator[tuple[str, bytes]]:
    n, m = lp.n_cols, lp.n_rows
    A = sp.csc_matrix(lp.A)
    if not A.has_canonical_format:  # sorted rows, no duplicate entries; never in place
        A = A.copy()
        A.sum_duplicates()
    c = np.asarray(lp.c, dtype=np.float64)
    rlo, rhi = np.asarray(lp.row_lo, np.float64), np.asarray(lp.row_hi, np.float64)
    clo, chi = np.asarray(lp.col_lo, np.float64), np.asarray(lp.col_hi, np.float64)
    integer = np.zeros(n, bool) if lp.integrality is None else np.asarray(lp.integrality) != 0
    cname = _digits(n if col_names is None else np.asarray(col_names))
    rname = _digits(m)

    def rows_part(sel: np.ndarray, tag: bytes, values: np.ndarray) -> bytes:
        tab, inv = _num_table(values[sel])
        i = np.flatnonzero(sel)
        return _text(_lines(len(i), tag, rname[i], b" ", tab[inv], b"\n"))

    def cols_part(sel: np.ndarray, tag: bytes, values: np.ndarray | None = None) -> bytes:
        j = np.flatnonzero(sel)
        if values is None:
            return _text(_lines(len(j), tag, cname[j], b"\n"))
        tab, inv = _num_table(values[sel])
        return _text(_lines(len(j), tag, cname[j], b" ", tab[inv], b"\n"))

    lo_fin, hi_fin = np.isfinite(rlo), np.isfinite(rhi)
    eq = lo_fin & hi_fin & (rlo == rhi)
    ranged = lo_fin & hi_fin & ~eq
    from_lo = eq | (lo_fin & ~hi_fin) | (ranged & (np.abs(rlo) <= np.abs(rhi)))
    kind = np.where(eq, ord("E"), np.where(from_lo, ord("G"), ord("L"))).astype(np.uint8)
    rhs = np.where(from_lo, rlo, np.where(hi_fin, rhi, 1e30))

    fixed = np.isfinite(clo) & (clo == chi)
    free = (clo == -np.inf) & (chi == np.inf)
    minus = (clo == -np.inf) & np.isfinite(chi)
    lower = np.isfinite(clo) & ~fixed & ((clo != 0) | integer)
    upper = np.isfinite(chi) & ~fixed
    plus = integer & np.isfinite(clo) & (chi == np.inf)

    # COLUMNS: the objective as row 0 of the matrix ("Obj"), rows r<i> as i + 1, so that every
    # line is "c<j> <row> <value>" and a column's lines are one contiguous block
    nnz = np.diff(A.indptr)
    has_obj = (c != 0) | (nnz == 0)  # a column with no entries is still named once
    per_col = nnz + has_obj
    first = np.concatenate([[0], np.cumsum(per_col)])  # each column's first line
    n_lines = int(first[-1])
    line_col = np.repeat(np.arange(n, dtype=np.int32 if n < 2**31 else np.int64), per_col)
    obj_line = first[:-1][has_obj]
    in_matrix = np.ones(n_lines, dtype=bool)
    in_matrix[obj_line] = False
    line_row = np.zeros(n_lines, dtype=np.int64)
    line_row[in_matrix] = A.indices.astype(np.int64) + 1
    vtab, vinv = _num_table(A.data)
    ctab, cinv = _num_table(c[has_obj])
    vals = np.zeros((len(vtab) + len(ctab), max(vtab.shape[1], ctab.shape[1])), dtype=np.uint8)
    vals[: len(vtab), : vtab.shape[1]] = vtab
    vals[len(vtab) :, : ctab.shape[1]] = ctab
    line_val = np.empty(n_lines, dtype=np.int64)
    line_val[in_matrix] = vinv
    line_val[obj_line] = len(vtab) + cinv
    rows_tab = np.zeros((m + 1, max(3, rname.shape[1] + 1)), dtype=np.uint8)
    rows_tab[0, :3] = np.frombuffer(b"Obj", dtype=np.uint8)
    rows_tab[1:, 0] = ord("r")
    rows_tab[1:, 1 : rname.shape[1] + 1] = rname
    # integer runs: a marker line before the first line of a run and after its last
    org = integer & ~np.concatenate([[False], integer[:-1]])
    end = integer & ~np.concatenate([integer[1:], [False]])
    markers = sorted(
        [(int(i), _MARKER_ORG) for i in first[:-1][org]]
        + [(int(i), _MARKER_END) for i in first[1:][end]]
    )
    cuts = sorted({0, n_lines, *range(0, n_lines, _LINE_CHUNK), *(i for i, _ in markers)})

    if rows:
        yield "rows", b"NAME foodshed FREE\nROWS\n N Obj\n"
        yield "rows", _text(_lines(m, b" ", kind.reshape(-1, 1), b" r", rname, b"\n"))
    yield "columns_head", b"COLUMNS\n"
    k = 0
    for i0, i1 in zip(cuts[:-1], cuts[1:], strict=True):
        while k < len(markers) and markers[k][0] <= i0:
            yield "columns", markers[k][1]
            k += 1
        yield (
            "columns",
            (
                _text(
                    _lines(
                        i1 - i0,
                        b" c",
                        cname[line_col[i0:i1]],
                        b" ",
                        rows_tab[line_row[i0:i1]],
                        b" ",
                        vals[line_val[i0:i1]],
                        b"\n",
                    )
                )
            ),
        )
    for _, text in markers[k:]:
        yield "columns", text
    if rows:
        yield "rhs", b"RHS\n"
        yield "rhs", rows_part(rhs != 0, b" RHS r", rhs)
        if lp.offset != 0:
            yield "rhs", f" RHS Obj {_num(-float(lp.offset))}\n".encode()
        if ranged.any():
            yield "rhs", b"RANGES\n"
            yield "rhs", rows_part(ranged, b" RNG r", rhi - rlo)
    if (fixed | free | minus | lower | upper | plus).any():
        yield "bounds_head", b"BOUNDS\n"
        yield "bounds", cols_part(fixed, b" FX BND c", clo)
        yield "bounds", cols_part(free, b" FR BND c")
        yield "bounds", cols_part(minus, b" MI BND c")
        yield "bounds", cols_part(lower, b" LO BND c", clo)
        yield "bounds", cols_part(upper, b" UP BND c", chi)
        yield "bounds", cols_part(plus, b" PL BND c")
    yield "end", b"ENDATA\n"


def write_mps_highs(lp: LinearProgram, path: str | os.PathLike[str]) -> Path:
    """The same model written by HiGHS' ``writeModel`` (the writer this backend used before
    :func:`write_mps`; kept as the reference that the tests and the benchmark compare with)."""
    from ._highs import _to_highs_lp, new_highs

    h = new_highs()
    h.passModel(_to_highs_lp(lp))
    h.writeModel(str(path))
    return Path(path)


def _read_solution_lines(
    lines: list[str], n_rows: int, n_cols: int
) -> tuple[np.ndarray, np.ndarray]:
    """The line-by-line reader (used when the fast one cannot read the file)."""
    x = np.zeros(n_cols)
    dual = np.zeros(n_rows)
    for line in lines:
        parts = line.replace("**", " ").split()
        if len(parts) < 4:
            continue
        name, value, red = parts[1], float(parts[2]), float(parts[3])
        if name.startswith("c"):
            x[int(name[1:])] = value
        elif name.startswith("r"):
            dual[int(name[1:])] = red
    return x, dual


_SOLUTION_DTYPE = [
    ("index", np.int64),
    ("name", "S24"),
    ("value", np.float64),
    ("dual", np.float64),
]


def _solution_table(data: bytes, n_rows: int, n_cols: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Column values and row duals from CBC's solution file (a status line, then ``-printingOptions
    all`` lines ``[**] index name value dual``, names ``r<i>`` and ``c<j>``), parsed by numpy's C
    reader; ``None`` when the text is not exactly that (the line-by-line reader then decides)."""
    import io

    if not data.partition(b"\n")[2].strip():  # a status line and nothing else
        return np.zeros(n_cols), np.zeros(n_rows)
    if b"**" in data:  # CBC marks infeasible values with a leading ``**`` token
        head, _, body = data.partition(b"\n")
        data = head + b"\n" + body.replace(b"**", b"  ")
    try:
        table = np.loadtxt(
            io.BytesIO(data), dtype=_SOLUTION_DTYPE, ndmin=1, comments=None, skiprows=1
        )
    except ValueError:
        return None
    name = np.ascontiguousarray(table["name"])
    chars = name.view(np.uint8).reshape(len(table), name.itemsize)
    width = max(int(chars.any(axis=0).sum()), 2)  # names are NUL-padded
    kind = chars[:, 0]
    try:  # the number after the letter (a name that is not a letter and digits raises)
        idx = np.ascontiguousarray(chars[:, 1:width]).view(f"S{width - 1}").ravel()
        idx = idx.astype(np.int64)
    except ValueError:
        return None
    if (idx < 0).any():
        return None
    is_col, is_row = kind == ord("c"), kind == ord("r")
    if idx[is_col].max(initial=-1) >= n_cols or idx[is_row].max(initial=-1) >= n_rows:
        return None
    x = np.zeros(n_cols)
    dual = np.zeros(n_rows)
    x[idx[is_col]] = table["value"][is_col]
    dual[idx[is_row]] = table["dual"][is_row]
    return x, dual


def _read_solution(path: Path, n_rows: int, n_cols: int) -> tuple[str, np.ndarray, np.ndarray]:
    """The status line, column values and row duals of CBC's solution file."""
    data = path.read_bytes()
    end = data.find(b"\n")
    head = data[: len(data) if end < 0 else end].decode(errors="replace").rstrip("\r")
    if end >= 0 and data[end + 1 :].strip() and not data.endswith(b"\n"):
        # a file cut off while it was written: its last values are missing, not zero
        return "error: CBC's solution file is cut off", np.zeros(n_cols), np.zeros(n_rows)
    fast = _solution_table(data, n_rows, n_cols)
    if fast is not None:
        return head, *fast
    lines = data.decode(errors="replace").splitlines()[1:]
    return head, *_read_solution_lines(lines, n_rows, n_cols)


def read_basis(
    path: str | os.PathLike[str], n_rows: int, n_cols: int
) -> tuple[np.ndarray, np.ndarray]:
    """Column and row statuses from an MPS basis file written for :func:`write_mps`'s names.

    In the format, a column not named is nonbasic at its lower bound and a row not named is
    basic; ``XU c r`` / ``XL c r`` make column ``c`` basic and row ``r`` nonbasic at its upper /
    lower bound, ``UL c`` / ``LL c`` put column ``c`` at its upper / lower bound. Statuses are
    HiGHS's codes (0 at lower, 1 basic, 2 at upper), as int8 arrays. A name outside the LP or a
    line that is not one of these raises ``ValueError``."""
    cs = np.zeros(n_cols, dtype=np.int8)
    rs = np.ones(n_rows, dtype=np.int8)
    with open(path, encoding="ascii", errors="replace") as f:
        for line in f:
            parts = line.split()
            if not parts or parts[0] in ("NAME", "ENDATA") or line.startswith("*"):
                continue
            tag = parts[0]
            if tag in ("XU", "XL") and len(parts) >= 3:
                j, i = _index(parts[1], "c", n_cols), _index(parts[2], "r", n_rows)
                cs[j] = 1
                rs[i] = 2 if tag == "XU" else 0
            elif tag in ("UL", "LL") and len(parts) >= 2:
                cs[_index(parts[1], "c", n_cols)] = 2 if tag == "UL" else 0
            else:
                msg = f"not a basis line: {line.strip()!r}"
                raise ValueError(msg)
    return cs, rs


def _index(name: str, letter: str, n: int) -> int:
    if not name.startswith(letter) or not name[1:].isdigit() or int(name[1:]) >= n:
        msg = f"{name!r} is not one of {letter}0..{letter}{n - 1}"
        raise ValueError(msg)
    return int(name[1:])


@dataclass
class ClpStart:
    """An optimal (or, out of time, the last) basis from Clp, and what it took."""

    col_status: np.ndarray
    row_status: np.ndarray
    optimal: bool
    write_s: float
    solve_s: float


#: The ways Clp's dual simplex can be started: the first is the default; ``race=True`` runs them
#: all at once and the first optimum wins (the other process is killed). Clp's crash first and
#: no race by default: that measured fastest on two cores (see docs/optimize.md).
CLP_WAYS: tuple[tuple[str, ...], ...] = (("-crash", "on", "-dualS"), ("-dualS",))


def clp_start(
    lp: LinearProgram,
    *,
    time_limit_s: float | None = None,
    race: bool = False,
    meanwhile: Callable[[], None] | None = None,
    first: np.ndarray | None = None,
) -> ClpStart | None:
    """Solve ``lp`` with Clp's dual simplex (through the CBC binary) for its final basis.

    The hand-off for staged objectives: on these transport LPs Clp's dual simplex is several
    times faster than HiGHS's, and HiGHS started from Clp's basis needs no iterations, so HiGHS
    keeps the in-place stage changes, warm re-solves and duals. Clp starts the first of
    :data:`CLP_WAYS`; with ``race`` all of them run at once and the first optimal basis wins.
    ``meanwhile()`` (optional) runs while Clp solves (HiGHS takes the model then).
    ``None`` when there is no CBC binary, the LP cannot be written or Clp gives no basis (the
    caller starts cold). With ``first`` (a column mask, no race) Clp solves on those columns
    and prices the others in rounds (``optimize.backends._cbc_rounds``); the basis is the
    whole LP's, the columns never added nonbasic at zero."""
    from equity import FoodshedError

    exe = cbc_path()
    if exe is None or lp.is_mip:
        return None
    if first is not None and not race:
        from ._cbc_rounds import run_rounds

        opts = dict(zip(CLP_WAYS[0][:-1:2], CLP_WAYS[0][1:-1:2], strict=True))
        opts = {k.lstrip("-"): v for k, v in opts.items()}
        got = run_rounds(
            exe, lp, lp.c, first, time_limit_s, opts, basis_out=True, meanwhile=meanwhile
        )
        if got is not None:  # else only the whole LP can tell (infeasible subset): below
            if got.basis is None or int((got.basis[0] == 1).sum() + (got.basis[1] == 1).sum()) != (
                lp.n_rows
            ):
                return None
            t = got.times
            solve_s = t["solve"] + t["read_back"] + t["pricing"]
            return ClpStart(got.basis[0], got.basis[1], True, t["handoff"], solve_s)
    ways = CLP_WAYS if race else CLP_WAYS[:1]
    with tempfile.TemporaryDirectory(prefix="foodshed-clp-") as tmp:
        t0 = time.perf_counter()
        try:
            mps = write_mps(lp, Path(tmp) / "start.mps")
        except (FoodshedError, OSError):  # NaN in the LP (HiGHS reports it) or no disk space
            return None
        write_s = time.perf_counter() - t0
        sec = [] if time_limit_s is None else ["-sec", f"{max(time_limit_s - write_s, 0.01):.3f}"]
        t1 = time.perf_counter()
        won = _race(exe, mps, sec, ways, Path(tmp), meanwhile)
        solve_s = time.perf_counter() - t1
        if won is None:
            return None
        bas, log = won
        try:
            cs, rs = read_basis(bas, lp.n_rows, lp.n_cols)
            optimal = _optimal(log.read_bytes())
        except (OSError, ValueError):
            return None
    if int((cs == 1).sum() + (rs == 1).sum()) != lp.n_rows:  # not a basis of this LP
        return None
    return ClpStart(cs, rs, optimal, write_s, solve_s)


def _optimal(log: bytes) -> bool:
    """Whether a CBC log reports an optimal LP: ``Optimal objective ...`` (CBC 2.10) or
    ``✔ Optimal — Obj: ...`` (the devel builds of the ``cbcbox`` wheel)."""
    for line in log.decode(errors="replace").splitlines():
        if line.lstrip("\u2714 ").startswith("Optimal"):
            return True
    return False


def _race(
    exe: str,
    mps: Path,
    sec: list[str],
    ways: tuple[tuple[str, ...], ...],
    tmp: Path,
    meanwhile: Callable[[], None] | None = None,
) -> tuple[Path, Path] | None:
    """Run Clp each way at once; the basis and log files of the first run that reaches an
    optimum (the others are killed), else of one that wrote a basis (out of time), else
    ``None``. Output goes to files (a full pipe would block)."""
    runs: list[tuple[subprocess.Popen[bytes], Path, Path]] = []
    try:
        for k, way in enumerate(ways):
            bas, log = tmp / f"start{k}.bas", tmp / f"start{k}.log"
            bas.touch()  # CBC's devel builds (cbcbox) write a basis only over an existing file
            with open(log, "wb") as out:
                cmd = [exe, str(mps), *sec, *way, "-basisO", str(bas), "-quit"]
                proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
            runs.append((proc, bas, log))
        if meanwhile is not None:
            meanwhile()
        pending = list(runs)
        fallback = None  # a basis from a run that stopped short of optimal (out of time)
        delay = 0.002
        while pending:
            for run in list(pending):
                if run[0].poll() is None:
                    continue
                pending.remove(run)
                if run[0].returncode != 0 or run[1].stat().st_size == 0:
                    continue
                if _optimal(run[2].read_bytes()):
                    return run[1], run[2]
                fallback = fallback or (run[1], run[2])
            time.sleep(delay)
            delay = min(delay * 1.5, 0.05)
        return fallback
    except OSError:
        return None
    finally:
        for proc, _, _ in runs:
            if proc.poll() is None:
                proc.kill()
            proc.wait()


def _status(head: str, has_values: bool) -> SolveStatus:
    h = head.lower()
    if h.startswith("optimal"):
        return SolveStatus.OPTIMAL
    if "infeasible" in h:
        return SolveStatus.INFEASIBLE
    if "unbounded" in h:
        return SolveStatus.UNBOUNDED
    if h.startswith("stopped"):
        return SolveStatus.TIME_LIMIT if has_values else SolveStatus.NO_SOLUTION
    return SolveStatus.ERROR


class CbcBackend(Backend):
    """CBC (Clp for LPs) via an MPS file."""

    name = "cbc"

    def available(self) -> bool:
        return cbc_path() is not None

    def _solve(
        self, lp: LinearProgram, stages: list[Stage], time_limit_s: float | None, options: dict
    ) -> BackendResult:
        from equity import FoodshedError

        exe = cbc_path()
        if exe is None:
            msg = "no CBC binary found: install `cbc` (e.g. apt install coinor-cbc) or use solver='highs'"
            raise FoodshedError(msg)
        first = options.pop("first_columns", None)  # solve on these columns, price the rest
        if first is not None and len(stages) == 1 and not lp.is_mip:
            from ._cbc_rounds import solve_in_rounds

            started = time.perf_counter()
            done = solve_in_rounds(exe, lp, stages[0], first, time_limit_s, options)
            if done is not None:
                return done
            if time_limit_s is not None:  # the whole LP gets what the rounds left of the limit
                time_limit_s = max(time_limit_s - (time.perf_counter() - started), 0.01)
        times = {"handoff": 0.0, "solve": 0.0, "read_back": 0.0}
        values: list[float] = []
        stage_duals: list[np.ndarray | None] = []
        status = SolveStatus.ERROR
        x = dual = None
        last_optimal_x = None  # see BackendResult.fallback_x
        head = ""
        deadline = None if time_limit_s is None else time.perf_counter() + time_limit_s
        current = lp
        with tempfile.TemporaryDirectory(prefix="foodshed-cbc-") as tmp:
            for i, stage in enumerate(stages):
                if i > 0:
                    prev = stages[i - 1]
                    current = current.with_row(prev.c, -np.inf, stage_bound(values[-1], prev))
                model = current.with_cost(stage.c)
                t0 = time.perf_counter()
                mps = write_mps(model, Path(tmp) / f"stage{i}.mps")
                sol = Path(tmp) / f"stage{i}.sol"
                times["handoff"] += time.perf_counter() - t0
                cmd = [exe, str(mps)]
                if deadline is not None:
                    cmd += ["-sec", f"{max(deadline - time.perf_counter(), 0.01):.3f}"]
                for k, v in options.items():
                    cmd += [f"-{k}", str(v)]
                cmd += ["-solve" if lp.is_mip else "-dualS", "-printingOptions", "all"]
                cmd += ["-solu", str(sol)]
                t1 = time.perf_counter()
                run = subprocess.run(cmd, capture_output=True, text=True, check=False)
                times["solve"] += time.perf_counter() - t1
                t2 = time.perf_counter()
                if run.returncode != 0 or not sol.exists():  # killed, out of memory, ...
                    status = SolveStatus.ERROR
                    x = dual = None
                    head = (
                        f"CBC stopped with exit code {run.returncode}: "
                        + (run.stdout + run.stderr)[-500:]
                    )
                    break
                head, x, dual = _read_solution(sol, current.n_rows, lp.n_cols)
                times["read_back"] += time.perf_counter() - t2
                status = _status(head, True)
                if not status.has_solution:
                    x = dual = None
                    break
                values.append(float(np.dot(stage.c, x)))
                stage_duals.append(None if lp.is_mip else dual[: lp.n_rows])
                if status is not SolveStatus.OPTIMAL:
                    break
                last_optimal_x = x
        return BackendResult(
            status=status,
            x=x,
            objective=values[-1] if values else None,
            row_dual=None if dual is None or lp.is_mip else dual[: lp.n_rows],
            solver="cbc",
            message=head,
            times_s=times,
            stage_objectives=values,
            stage_duals=stage_duals,
            fallback_x=None if status is SolveStatus.OPTIMAL else last_optimal_x,
        )

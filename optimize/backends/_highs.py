"""HiGHS in-process through highspy: the model goes in with one ``passModel`` call (no per-row
``addRow`` loops); lexicographic stages add one row each and re-solve warm."""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Any

import numpy as np

from .._lp import BackendResult, LinearProgram, SolveStatus, Stage, stage_bound
from ..caches import CACHES
from . import Backend

__all__ = ["HighsBackend", "clear_warm_starts", "new_highs"]

# Bases of recent optimal plans (``CACHES.warm_bases``, see optimize/caches.py), by objective
# and LP structure (the sparsity pattern of the constraint matrix): a plan whose data changed
# but whose structure did not (another equity weight, yields scaled, demand surged, a budget
# changed) starts from the last one's basis, several times faster than cold on the demo region.
# A changed structure (a new budget row, another reach) starts cold: carrying the basis over by
# row and column keys was tried and was slower than cold (see docs/optimize.md). Only the speed
# depends on it: :meth:`_Runner.canonical` ends a warm solve at the vertex a cold one ends at.


def clear_warm_starts() -> None:
    """Forget every remembered basis (the next solves start cold); ``CACHES.reset()`` empties
    every cache."""
    with CACHES.lock:
        CACHES.warm_bases.clear()


def structure_key(lp: LinearProgram, tag: str = "") -> str:
    """``tag`` plus a digest of ``lp``'s shape and sparsity pattern."""
    A = lp.A.tocsc()
    h = hashlib.blake2b(digest_size=16)
    h.update(np.array([lp.n_rows, lp.n_cols], dtype=np.int64).tobytes())
    h.update(np.ascontiguousarray(A.indptr, dtype=np.int64).tobytes())
    h.update(np.ascontiguousarray(A.indices, dtype=np.int64).tobytes())
    return f"{tag}:{h.hexdigest()}"


def _finite_pattern(lp: LinearProgram) -> bytes:
    """Which bounds are finite: a basis carries over as it is while this does not change."""
    parts = (lp.col_lo, lp.col_hi, lp.row_lo, lp.row_hi)
    return np.packbits(np.concatenate([np.isfinite(x) for x in parts])).tobytes()


def _bounds_digest(lp: LinearProgram) -> bytes:
    """A digest of every bound's value: equal digests mean a basis optimal for one LP is
    primal feasible for the other (only the costs may differ)."""
    h = hashlib.blake2b(digest_size=16)
    for x in (lp.col_lo, lp.col_hi, lp.row_lo, lp.row_hi):
        h.update(np.ascontiguousarray(x, dtype=np.float64).tobytes())
    return h.digest()


def _remember(key: str, h: Any, lp: LinearProgram) -> None:
    """Keep ``h``'s basis under ``key`` as HiGHS's own status lists (no conversion here: this
    runs inside a solve), the pattern of finite bounds it was optimal for and a digest of
    the bounds' values (see :func:`_same_bounds`)."""
    b = h.getBasis()
    if not b.valid:
        return
    entry = (
        list(b.col_status),
        list(b.row_status)[: lp.n_rows],
        _finite_pattern(lp),
        _bounds_digest(lp),
    )
    CACHES.put_warm_basis(key, entry)


def _same_bounds(key: str, lp: LinearProgram) -> bool:
    """Whether the basis remembered under ``key`` was optimal for an LP with ``lp``'s bounds.

    Then it is primal feasible for ``lp``, and only the costs moved (another equity weight,
    another cost per kg-km): the primal simplex goes on from it in a few iterations, where
    the dual simplex (HiGHS's default) first has to repair dual feasibility, which on the
    demo region took 20 times longer (docs/optimize.md, "Warm starts")."""
    old = CACHES.get_warm_basis(key)
    return old is not None and len(old) > 3 and old[3] == _bounds_digest(lp)


def _at_bounds(st: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Nonbasic statuses moved to a finite bound (bound values may have changed since).
    Statuses: 0 at lower, 1 basic, 2 at upper, 3 free and nonbasic (HighsBasisStatus)."""
    st = st.copy()
    lo_ok, hi_ok = np.isfinite(lo), np.isfinite(hi)
    good = (st == 1) | ((st == 0) & lo_ok) | ((st == 2) & hi_ok) | ((st == 3) & ~lo_ok & ~hi_ok)
    bad = ~good
    st[bad] = np.where(lo_ok[bad], 0, np.where(hi_ok[bad], 2, 3))
    return st


def _basis(col_status: np.ndarray, row_status: np.ndarray) -> Any:
    """A ``HighsBasis`` from status codes (0 at lower, 1 basic, 2 at upper, 3 free)."""
    import highspy

    S = highspy.HighsBasisStatus
    members = [S.kLower, S.kBasic, S.kUpper, S.kZero]
    b = highspy.HighsBasis()
    b.col_status = [members[v] for v in np.asarray(col_status).tolist()]
    b.row_status = [members[v] for v in np.asarray(row_status).tolist()]
    b.valid = True
    return b


def _warm_basis(key: str, lp: LinearProgram) -> Any | None:
    """The remembered basis for ``key`` as a ``HighsBasis`` for ``lp``, or ``None``."""
    import highspy

    old = CACHES.get_warm_basis(key)
    if old is None or len(old[0]) != lp.n_cols or len(old[1]) != lp.n_rows:
        return None
    col_status, row_status, pattern = old[:3]
    if pattern != _finite_pattern(lp):  # a bound became infinite (or finite): convert
        cs = np.fromiter((int(v) for v in col_status), dtype=np.int8, count=lp.n_cols)
        rs = np.fromiter((int(v) for v in row_status), dtype=np.int8, count=lp.n_rows)
        return _basis_for(lp, cs, rs)
    b = highspy.HighsBasis()  # every nonbasic status still has its bound: as it was kept
    b.col_status, b.row_status = col_status, row_status
    b.valid = True
    return b


def _basis_for(lp: LinearProgram, col_status: np.ndarray, row_status: np.ndarray) -> Any:
    """:func:`_basis` of the statuses with nonbasic ones moved to a finite bound of ``lp``."""
    return _basis(
        _at_bounds(col_status, lp.col_lo, lp.col_hi), _at_bounds(row_status, lp.row_lo, lp.row_hi)
    )


_STDOUT_LOCK = threading.Lock()


def new_highs() -> Any:
    """A silent ``highspy.Highs`` (its constructor prints a banner on stdout; hide it)."""
    import os
    import sys

    import highspy

    try:
        sys.stdout.flush()
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        fd = None
    if fd is None:
        h = highspy.Highs()
    else:
        # The process has one stdout: threads (the dashboard's workers) take turns, or one
        # could save the other's /dev/null as "stdout" and close a descriptor in use.
        with _STDOUT_LOCK:
            saved = os.dup(fd)
            try:
                with open(os.devnull, "w") as null:
                    os.dup2(null.fileno(), fd)
                    h = highspy.Highs()
            finally:
                os.dup2(saved, fd)
                os.close(saved)
    h.setOptionValue("output_flag", False)
    return h


def pass_lp(h: Any, lp: LinearProgram) -> Any:
    """Give ``lp`` to the ``Highs`` instance ``h``; its status.

    An LP goes in as arrays, through the ``passModel`` overload that takes them (a ``HighsLp``
    filled field by field converts each array element by element: 45 ms against 5 ms for the
    demo region's 105,000 columns); a MIP as a ``HighsLp`` (:func:`_to_highs_lp`)."""
    import highspy

    if lp.is_mip:
        return h.passModel(_to_highs_lp(lp))
    A = lp.A.tocsc()
    A.sort_indices()

    def floats(x: Any) -> np.ndarray:
        return np.ascontiguousarray(x, dtype=np.float64)

    def ints(x: Any) -> np.ndarray:
        return np.ascontiguousarray(x, dtype=np.int32)

    return h.passModel(
        lp.n_cols,
        lp.n_rows,
        int(A.nnz),
        int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMinimize),
        float(lp.offset),
        floats(lp.c),
        floats(lp.col_lo),
        floats(lp.col_hi),
        floats(lp.row_lo),
        floats(lp.row_hi),
        ints(A.indptr),
        ints(A.indices),
        floats(A.data),
        np.zeros(lp.n_cols, dtype=np.int32),  # every column continuous
    )


def _to_highs_lp(lp: LinearProgram) -> Any:
    import highspy

    h = highspy.HighsLp()
    h.num_col_ = lp.n_cols
    h.num_row_ = lp.n_rows
    h.col_cost_ = np.asarray(lp.c, dtype=np.float64)
    h.col_lower_ = np.asarray(lp.col_lo, dtype=np.float64)
    h.col_upper_ = np.asarray(lp.col_hi, dtype=np.float64)
    h.row_lower_ = np.asarray(lp.row_lo, dtype=np.float64)
    h.row_upper_ = np.asarray(lp.row_hi, dtype=np.float64)
    h.offset_ = float(lp.offset)
    A = lp.A.tocsc()
    A.sort_indices()
    h.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    h.a_matrix_.start_ = A.indptr.astype(np.int32)
    h.a_matrix_.index_ = A.indices.astype(np.int32)
    h.a_matrix_.value_ = A.data.astype(np.float64)
    if lp.is_mip:
        assert lp.integrality is not None
        kinds = [
            highspy.HighsVarType.kInteger if v else highspy.HighsVarType.kContinuous
            for v in lp.integrality
        ]
        h.integrality_ = kinds
    return h


def _status(h: Any) -> SolveStatus:
    import highspy

    ms = h.getModelStatus()
    S = highspy.HighsModelStatus
    if ms in (S.kOptimal, S.kModelEmpty):
        # an empty model (no need anywhere, so no columns) is solved by shipping nothing; it
        # was "the solver failed" with 0 kg met beside it
        return SolveStatus.OPTIMAL
    if ms == S.kInfeasible:
        return SolveStatus.INFEASIBLE
    if ms in (S.kUnbounded, S.kUnboundedOrInfeasible):
        return SolveStatus.UNBOUNDED
    if ms in (S.kTimeLimit, S.kIterationLimit, S.kInterrupt, S.kSolutionLimit):
        feasible = h.getInfo().primal_solution_status == 2
        return SolveStatus.TIME_LIMIT if feasible else SolveStatus.NO_SOLUTION
    return SolveStatus.ERROR


class HighsBackend(Backend):
    """HiGHS in-process (the default)."""

    name = "highs"
    package = "highspy"

    def _solve(
        self, lp: LinearProgram, stages: list[Stage], time_limit_s: float | None, options: dict
    ) -> BackendResult:
        import highspy

        times: dict[str, float] = {}
        t0 = time.perf_counter()
        h = new_highs()
        # per-stage options, applied before stage i (e.g. IPM without crossover for a stage
        # whose optimum is only held by the next one, so no vertex is needed)
        per_stage: list[dict[str, Any]] = list(options.pop("stage_options", None) or [])
        combine = bool(options.pop("combine_stages", True))
        # warm_start: a tag (objective) under which this structure's last basis is kept
        warm = options.pop("warm_start", None)
        key = structure_key(lp, str(warm)) if warm and not lp.is_mip else None
        # canonical: end at one vertex of the optimal face whatever the start (a remembered
        # basis, Clp's or none), so a plan does not depend on what was solved before
        canonical = bool(options.pop("canonical", True)) and not lp.is_mip
        # start: "clp" hands the first weighted solve of a combined staged solve to Clp and
        # starts HiGHS from Clp's basis (see clp_start); a remembered basis is used first
        start = options.pop("start", None)
        # first_columns: Clp's start solves on these columns and prices the rest in rounds
        first_columns = options.pop("first_columns", None)
        if start not in (None, "clp"):
            msg = f"solver option start={start!r}: use 'clp' or leave it out"
            raise ValueError(msg)
        for k, v in options.items():
            h.setOptionValue(k, v)
        passed = False

        def pass_model() -> None:
            nonlocal passed
            if not passed:
                pass_lp(h, lp)
                passed = True

        warm_started, warm_simplex = False, None
        basis = None if key is None else _warm_basis(key, lp)
        if basis is not None:
            pass_model()
            warm_started = h.setBasis(basis) != highspy.HighsStatus.kError
            if not warm_started:
                h.clearSolver()
            elif "simplex_strategy" not in options and key is not None and _same_bounds(key, lp):
                h.setOptionValue("simplex_strategy", 4)  # primal: the basis is still feasible
                warm_simplex = "primal"
            else:
                warm_simplex = "dual"
        combine = (
            combine
            and len(stages) > 1
            and not lp.is_mip
            and all(st.weight is not None for st in stages)
        )
        started = "warm" if warm_started else "cold"
        clp_s = 0.0
        ipm = options.get("solver") == "ipm"
        if start == "clp" and combine and not warm_started:
            from ._cbc import clp_start

            zero = np.zeros_like(stages[0].c, dtype=float)
            weighted = sum((float(st.weight) * st.c for st in stages), zero)  # type: ignore[arg-type]
            # HiGHS takes the model while Clp solves (its process runs on its own)
            got = clp_start(
                lp.with_cost(weighted),
                time_limit_s=time_limit_s,
                meanwhile=pass_model,
                first=first_columns,
            )
            pass_model()  # when Clp never started
            if got is not None and h.setBasis(_basis_for(lp, got.col_status, got.row_status)) == (
                highspy.HighsStatus.kOk
            ):
                started, clp_s = "clp", got.solve_s
                times["clp_write"] = got.write_s
                if ipm:  # a vertex to start from: the simplex goes on from it
                    h.setOptionValue("solver", "simplex")
                    ipm = False
            else:
                h.clearSolver()
        pass_model()
        times["handoff"] = time.perf_counter() - t0 - clp_s
        deadline = None if time_limit_s is None else time.perf_counter() + time_limit_s - clp_s
        run = _Runner(h, lp, deadline)
        run.warm_key = key
        t1 = time.perf_counter()
        first = 0
        if combine:
            first = run.combined(stages, ipm=ipm, primal_warm="simplex_strategy" not in options)
        if first < len(stages):
            run.staged(stages, first, per_stage)
        if canonical and run.status is SolveStatus.OPTIMAL and run.x is not None:
            t2 = time.perf_counter()
            run.canonical()
            times["canonical"] = time.perf_counter() - t2
        times["solve"] = time.perf_counter() - t1 + clp_s
        if clp_s:
            times["clp_solve"] = clp_s
        times["read_back"] = run.read_back_s
        return BackendResult(
            status=run.status,
            x=run.x,
            objective=run.values[-1] if run.values else None,
            row_dual=run.dual,
            solver=f"highs {h.version()}",
            message=str(h.modelStatusToString(h.getModelStatus())),
            times_s=times,
            stage_objectives=run.values,
            stage_duals=run.stage_duals,
            warm_start=warm_started,
            start=started,
            warm_simplex=warm_simplex,
            fallback_x=None if run.status is SolveStatus.OPTIMAL else run.last_optimal_x,
        )


class _Runner:
    """The solves of one lexicographic model in one ``Highs`` instance."""

    def __init__(self, h: Any, lp: LinearProgram, deadline: float | None) -> None:
        self.h, self.lp, self.deadline = h, lp, deadline
        self.idx = np.arange(lp.n_cols, dtype=np.int32)
        self.status = SolveStatus.ERROR
        self.values: list[float] = []
        self.stage_duals: list[np.ndarray | None] = []
        self.x: np.ndarray | None = None
        self.dual: np.ndarray | None = None
        self.read_back_s = 0.0
        #: the primal of the last run that ended optimal (see BackendResult.fallback_x)
        self.last_optimal_x: np.ndarray | None = None
        #: remember the first optimal basis under this key (see CACHES.warm_bases)
        self.warm_key: str | None = None
        self._runs = 0

    def _cost(self, c: np.ndarray) -> None:
        self.h.changeColsCost(self.lp.n_cols, self.idx, np.asarray(c, dtype=np.float64))

    def _hold(self, stage: Stage, value: float) -> None:
        """Keep ``stage``'s objective within its tolerance of ``value`` (one row)."""
        import highspy

        nz = np.flatnonzero(stage.c)
        self.h.addRow(
            -highspy.kHighsInf,
            stage_bound(value, stage),
            len(nz),
            nz.astype(np.int32),
            np.asarray(stage.c[nz], dtype=np.float64),
        )

    def _run(self) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Solve; the primal values and the base rows' duals (``None`` where absent)."""
        h = self.h
        if self.deadline is not None:
            # HiGHS compares time_limit with its run time summed over every run() so far
            left = max(self.deadline - time.perf_counter(), 1e-3)
            h.setOptionValue("time_limit", float(h.getRunTime()) + left)
        h.run()
        self.status = _status(h)
        self._runs += 1
        if self._runs == 1 and self.warm_key and self.status is SolveStatus.OPTIMAL:
            _remember(self.warm_key, h, self.lp)  # no stage row added yet
        if not self.status.has_solution:
            return None, None
        t = time.perf_counter()
        sol = h.getSolution()
        x = np.asarray(sol.col_value, dtype=float)
        if self.status is SolveStatus.OPTIMAL:
            self.last_optimal_x = x
        ok = sol.dual_valid and not self.lp.is_mip
        dual = np.asarray(sol.row_dual, dtype=float)[: self.lp.n_rows] if ok else None
        self.read_back_s += time.perf_counter() - t
        return x, dual

    def canonical(self) -> None:
        """Move the optimum to one vertex of its optimal face that does not depend on where
        the simplex started (a remembered basis, Clp's, or none).

        Transport plans have many optima: a site can send kale to one area and tomatoes to
        another, or the other way round, at the same cost. Which one the simplex ends at
        depends on its start, so with warm starts a plan's flows would depend on what the
        process solved before. The optimal face of the last solve (every earlier stage held) is
        ``{x feasible: complementary slack with its duals}``, the same set for any optimal
        dual: columns with a nonzero reduced cost and rows with a nonzero dual are fixed at
        the bound they are at, and a fixed generic objective (weight ``1 + frac(j * phi)`` on
        column ``j``) is minimised over what is left, in a fresh ``Highs`` (presolve removes
        the fixed part). Every stage keeps its value; the duals stay valid (the new point is
        complementary slack with them). Kept as it was when this solve is not optimal."""
        import highspy

        h = self.h
        sol = h.getSolution()
        if not sol.dual_valid:
            return
        full = h.getLp()
        x = np.asarray(sol.col_value, dtype=float)
        rc = np.asarray(sol.col_dual, dtype=float)
        act = np.asarray(sol.row_value, dtype=float)
        rd = np.asarray(sol.row_dual, dtype=float)
        cost = np.asarray(full.col_cost_, dtype=float)
        tol = 1e-9 * max(1.0, float(np.abs(cost).max()) if len(cost) else 1.0)

        def fixed(v: np.ndarray, d: np.ndarray, lo: np.ndarray, hi: np.ndarray):
            lo, hi = lo.copy(), hi.copy()
            fix = np.abs(d) > tol
            near_hi = np.abs(v - np.where(np.isfinite(hi), hi, np.inf)) < np.abs(
                v - np.where(np.isfinite(lo), lo, np.inf)
            )
            at = np.where(near_hi, hi, lo)
            fix &= np.isfinite(at)
            lo[fix] = hi[fix] = at[fix]
            return lo, hi

        full.col_lower_, full.col_upper_ = fixed(
            x, rc, np.asarray(full.col_lower_, float), np.asarray(full.col_upper_, float)
        )
        full.row_lower_, full.row_upper_ = fixed(
            act, rd, np.asarray(full.row_lower_, float), np.asarray(full.row_upper_, float)
        )
        j = np.arange(1, full.num_col_ + 1, dtype=float)
        full.col_cost_ = 1.0 + np.mod(j * 0.6180339887498949, 1.0)
        full.offset_ = 0.0
        g = new_highs()
        if self.deadline is not None:
            g.setOptionValue("time_limit", max(self.deadline - time.perf_counter(), 1e-3))
        g.passModel(full)
        g.run()
        if g.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return
        self.x = np.asarray(g.getSolution().col_value, dtype=float)

    def staged(self, stages: list[Stage], first: int, per_stage: list[dict[str, Any]]) -> None:
        """Stages ``first``, ``first + 1``, ... one by one, each holding the ones before."""
        for i in range(first, len(stages)):
            stage = stages[i]
            for k, v in (per_stage[i] if i < len(per_stage) else {}).items():
                self.h.setOptionValue(k, v)
            if i > 0:
                self._hold(stages[i - 1], self.values[-1])
            if i > 0 or not np.array_equal(stage.c, self.lp.c):
                self._cost(stage.c)
            x, dual = self._run()
            if x is None:
                self.x = self.dual = None
                return
            self.x, self.dual = x, dual
            self.values.append(float(np.dot(stage.c, x)))
            self.stage_duals.append(dual)
            if self.status is not SolveStatus.OPTIMAL:
                return

    def combined(self, stages: list[Stage], *, ipm: bool, primal_warm: bool = True) -> int:
        """The stages from weighted sums, certified stage by stage.

        Solve ``C_0 = sum_j weight_j * c_j``; then for each stage ``i`` but the last: re-solve
        with ``c_i`` alone from that optimum (warm; usually 0 iterations, and it gives the
        stage's exact duals). When nothing better than ``c_i.x`` turns up, hold it (one row,
        as the stage-by-stage solve does) and re-solve ``C_{i+1} = sum_{j>i} weight_j * c_j``
        (warm again: a handful of iterations). The last solve is ``c_k`` with every earlier
        stage held, so the answer is the lexicographic optimum, exactly as stage by stage.
        The weights only decide the speed: where they are not lexicographic (a check finds a
        better ``c_i``), the solve goes on stage by stage from there; the return value is
        the index of the stage to go on with (``len(stages)`` when done). The time it saves
        against three separate stages is in docs/optimize.md."""
        h = self.h
        if ipm:
            h.setOptionValue("run_crossover", "on")  # a vertex, so the warm solves start there
        for i in range(len(stages)):
            zero = np.zeros_like(stages[i].c, dtype=float)
            c = sum((float(st.weight) * st.c for st in stages[i:]), zero)  # type: ignore[arg-type]
            self._cost(c)
            x, dual = self._run()
            if x is None:
                self.x = self.dual = None
                return len(stages)
            if self.status is not SolveStatus.OPTIMAL:  # out of time: the best plan found
                self.x, self.dual = x, None
                self.values += [float(np.dot(st.c, x)) for st in stages[i:]]
                self.stage_duals += [None] * (len(stages) - i)
                return len(stages)
            if i == 0:  # later solves start from an optimal vertex: primal simplex, warm
                if ipm:
                    h.setOptionValue("solver", "simplex")
                if primal_warm:
                    h.setOptionValue("simplex_strategy", 4)
            stage = stages[i]
            if i == len(stages) - 1:
                self.x, self.dual = x, dual
                self.values.append(float(np.dot(stage.c, x)))
                self.stage_duals.append(dual)
                return len(stages)
            v = float(np.dot(stage.c, x))
            self._cost(stage.c)
            xi, dual = self._run()
            if xi is None or self.status is not SolveStatus.OPTIMAL:
                self.x = xi if xi is not None else x
                self.dual = None
                self.values += [float(np.dot(st.c, self.x)) for st in stages[i:]]
                self.stage_duals += [None] * (len(stages) - i)
                return len(stages)
            self.stage_duals.append(dual)
            vi = float(np.dot(stage.c, xi))
            if vi < v - (abs(v) * stage.rel_tol + stage.abs_tol):
                # the weights were not lexicographic here: go on stage by stage from xi
                self.values.append(vi)
                self.x, self.dual = xi, dual
                return i + 1
            self.values.append(v)
            self._hold(stage, v)
        return len(stages)  # pragma: no cover - the loop returns at the last stage

"""HiGHS in-process through highspy: the model goes in with one ``passModel`` call (no per-row
``addRow`` loops); lexicographic stages add one row each and re-solve warm."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from .._lp import BackendResult, LinearProgram, SolveStatus, Stage, stage_bound

__all__ = ["HighsBackend", "new_highs"]


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
    if ms == S.kOptimal:
        return SolveStatus.OPTIMAL
    if ms == S.kInfeasible:
        return SolveStatus.INFEASIBLE
    if ms in (S.kUnbounded, S.kUnboundedOrInfeasible):
        return SolveStatus.UNBOUNDED
    if ms in (S.kTimeLimit, S.kIterationLimit, S.kInterrupt, S.kSolutionLimit):
        feasible = h.getInfo().primal_solution_status == 2
        return SolveStatus.TIME_LIMIT if feasible else SolveStatus.NO_SOLUTION
    return SolveStatus.ERROR


class HighsBackend:
    """HiGHS in-process (the default)."""

    name = "highs"

    def available(self) -> bool:
        try:
            import highspy  # noqa: F401
        except ImportError:
            return False
        return True

    def solve(
        self,
        lp: LinearProgram,
        stages: list[Stage],
        *,
        time_limit_s: float | None = None,
        options: dict[str, Any] | None = None,
    ) -> BackendResult:
        import highspy

        times: dict[str, float] = {}
        t0 = time.perf_counter()
        h = new_highs()
        options = dict(options or {})
        # per-stage options, applied before stage i (e.g. IPM without crossover for a stage
        # whose optimum is only held by the next one, so no vertex is needed)
        per_stage: list[dict[str, Any]] = list(options.pop("stage_options", None) or [])
        for k, v in options.items():
            h.setOptionValue(k, v)
        h.passModel(_to_highs_lp(lp))
        times["handoff"] = time.perf_counter() - t0
        deadline = None if time_limit_s is None else time.perf_counter() + time_limit_s
        status = SolveStatus.ERROR
        values: list[float] = []
        stage_duals: list[np.ndarray | None] = []
        t1 = time.perf_counter()
        idx = np.arange(lp.n_cols, dtype=np.int32)
        for i, stage in enumerate(stages):
            if deadline is not None:
                h.setOptionValue("time_limit", max(deadline - time.perf_counter(), 1e-3))
            for k, v in (per_stage[i] if i < len(per_stage) else {}).items():
                h.setOptionValue(k, v)
            if i > 0:
                prev = stages[i - 1]
                nz = np.flatnonzero(prev.c)
                h.addRow(
                    -highspy.kHighsInf,
                    stage_bound(values[-1], prev),
                    len(nz),
                    nz.astype(np.int32),
                    np.asarray(prev.c[nz], dtype=np.float64),
                )
                h.changeColsCost(lp.n_cols, idx, np.asarray(stage.c, dtype=np.float64))
            elif not np.array_equal(stage.c, lp.c):
                h.changeColsCost(lp.n_cols, idx, np.asarray(stage.c, dtype=np.float64))
            h.run()
            status = _status(h)
            if not status.has_solution:
                break
            sol = h.getSolution()
            x = np.asarray(sol.col_value)
            values.append(float(np.dot(stage.c, x)))
            ok = sol.dual_valid and not lp.is_mip
            stage_duals.append(np.asarray(sol.row_dual, dtype=float)[: lp.n_rows] if ok else None)
            if status is not SolveStatus.OPTIMAL:
                break
        times["solve"] = time.perf_counter() - t1
        t2 = time.perf_counter()
        x = dual = None
        if status.has_solution:
            sol = h.getSolution()
            x = np.asarray(sol.col_value, dtype=float)
            if sol.dual_valid and not lp.is_mip:
                dual = np.asarray(sol.row_dual, dtype=float)[: lp.n_rows]
        times["read_back"] = time.perf_counter() - t2
        return BackendResult(
            status=status,
            x=x,
            objective=values[-1] if values else None,
            row_dual=dual,
            solver=f"highs {h.version()}",
            message=str(h.modelStatusToString(h.getModelStatus())),
            times_s=times,
            stage_objectives=values,
            stage_duals=stage_duals,
        )

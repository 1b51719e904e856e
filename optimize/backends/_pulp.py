"""PuLP as the modelling and export layer: the arrays become a ``pulp.LpProblem`` (each row an
``LpAffineExpression`` made straight from the sparse matrix, never ``lpSum``), so any solver PuLP
knows can solve it and the model can be written as LP or MPS. Works on PuLP 3.3 and 4.x (tested on
3.3.2 and 4.2.0): variables come from ``LpProblem.add_variable`` where it exists, expressions from
``LpAffineExpression.from_list`` (PuLP 4) or its constructor (PuLP 3), constraints from comparing
an expression with a number (both), and CBC is named explicitly (never ``PULP_CBC_CMD``)."""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from .._lp import BackendResult, LinearProgram, SolveStatus, Stage, stage_bound
from . import Backend

__all__ = ["PulpBackend", "to_pulp"]


def _bound(v: float) -> float | None:
    return None if math.isinf(v) else float(v)


def _new_var(prob: Any, name: str, lo: float | None, hi: float | None, cat: str) -> Any:
    import pulp

    if hasattr(prob, "add_variable"):
        return prob.add_variable(name, lo, hi, cat)
    return pulp.LpVariable(name, lo, hi, cat)  # pragma: no cover - PuLP < 3.3


def _expr(vars_: list[Any], idx: np.ndarray, coef: np.ndarray, constant: float = 0.0) -> Any:
    import pulp

    pairs = [(vars_[j], float(v)) for j, v in zip(idx.tolist(), coef.tolist(), strict=True)]
    make = pulp.LpAffineExpression
    if hasattr(make, "from_list"):  # PuLP 4: a factory (the constructor takes a Rust object)
        return make.from_list(pairs, constant=constant)
    return make(pairs, constant=constant)  # PuLP 3


def _add(prob: Any, constraint: Any, name: str) -> Any:
    """Add ``constraint`` (an expression compared with a number, as both PuLP 3 and 4 make it)
    as ``name``; the constraint the problem keeps (PuLP 4 returns it, PuLP 3 keeps the one
    passed), whose ``pi`` holds the dual after a solve."""
    return prob.addConstraint(constraint, name) or constraint


def to_pulp(lp: LinearProgram, name: str = "foodshed_allocation") -> tuple[Any, list[Any], list]:
    """The LP as ``(pulp.LpProblem, variables, row_constraints)``.

    Variables are named ``x0, x1, ...`` and rows ``r0, r1, ...`` (a ranged row becomes ``r7_lo``
    and ``r7_hi``); :class:`~optimize.AllocationProblem` maps indices back to sites and areas.
    ``row_constraints[i]`` lists the PuLP constraints of row ``i``.
    """
    import pulp

    prob = pulp.LpProblem(name, pulp.LpMinimize)
    ints = lp.integrality if lp.integrality is not None else np.zeros(lp.n_cols)
    vars_ = [
        _new_var(
            prob,
            f"x{j}",
            _bound(lp.col_lo[j]),
            _bound(lp.col_hi[j]),
            pulp.LpInteger if ints[j] else pulp.LpContinuous,
        )
        for j in range(lp.n_cols)
    ]
    nz = np.flatnonzero(lp.c)
    prob.setObjective(_expr(vars_, nz, lp.c[nz], float(lp.offset)))
    A = lp.A.tocsr()
    rows: list[list[Any]] = []
    for i in range(lp.n_rows):
        lo, hi = float(lp.row_lo[i]), float(lp.row_hi[i])
        sl = slice(A.indptr[i], A.indptr[i + 1])
        e = _expr(vars_, A.indices[sl], A.data[sl])
        cons = []
        if lo == hi:
            cons.append(_add(prob, e == lo, f"r{i}"))
        else:
            ranged = not math.isinf(lo) and not math.isinf(hi)
            if not math.isinf(lo):
                cons.append(_add(prob, e >= lo, f"r{i}_lo" if ranged else f"r{i}"))
            if not math.isinf(hi):
                cons.append(_add(prob, e <= hi, f"r{i}_hi" if ranged else f"r{i}"))
        rows.append(cons)
    return prob, vars_, rows


def _solver(name: str | None, time_limit_s: float | None, mip: bool) -> Any:
    import pulp

    kw: dict[str, Any] = {"msg": False}
    if time_limit_s is not None:
        kw["timeLimit"] = time_limit_s
    if name is None:
        if pulp.HiGHS(msg=False).available():
            return pulp.HiGHS(mip=mip, **kw)
        from ._cbc import cbc_path

        return pulp.COIN_CMD(path=cbc_path(), mip=mip, **kw)
    if name.upper() in ("CBC", "COIN_CMD"):
        from ._cbc import cbc_path

        return pulp.COIN_CMD(path=cbc_path(), mip=mip, **kw)
    known = pulp.listSolvers()
    if name not in known:
        from equity import FoodshedError

        here = pulp.listSolvers(onlyAvailable=True)
        msg = (
            f"unknown PuLP solver {name!r}; PuLP knows {', '.join(known)} (installed here: "
            f"{', '.join(here) or 'none'}); write it as solver = 'pulp:NAME'"
        )
        raise FoodshedError(msg)
    solver = pulp.getSolver(name, **kw)
    if not solver.available():  # known to PuLP, but its program or library is not installed
        from equity import FoodshedError

        here = pulp.listSolvers(onlyAvailable=True)
        msg = (
            f"PuLP solver {name!r} is not installed here (PuLP cannot run it); installed: "
            f"{', '.join(here) or 'none'}; install it or choose one of those (solver = "
            "'pulp:NAME'), or 'highs'"
        )
        raise FoodshedError(msg)
    return solver


def _status(prob: Any, ret: Any) -> SolveStatus:
    """Our status from what ``prob.solve`` returned: an ``LpSolveStats`` (PuLP 4) or a status
    code, with ``prob.status`` / ``prob.sol_status`` (PuLP 3)."""
    import pulp

    if hasattr(ret, "has_solution"):  # PuLP 4
        st = int(ret.status)
        if ret.has_solution:
            # optimal, or a MIP within its gap; any other stop with a plan: the best found
            return SolveStatus.OPTIMAL if st in (1, -7) else SolveStatus.TIME_LIMIT
        return {-1: SolveStatus.INFEASIBLE, -2: SolveStatus.UNBOUNDED}.get(
            st, SolveStatus.ERROR if st in (-3, -12) else SolveStatus.NO_SOLUTION
        )
    st, sol = prob.status, getattr(prob, "sol_status", None)
    if st == pulp.LpStatusOptimal and sol in (None, pulp.LpSolutionOptimal):
        return SolveStatus.OPTIMAL
    if sol == pulp.LpSolutionIntegerFeasible or (
        st == pulp.LpStatusOptimal and sol != pulp.LpSolutionOptimal
    ):
        return SolveStatus.TIME_LIMIT
    if st == pulp.LpStatusInfeasible:
        return SolveStatus.INFEASIBLE
    if st == pulp.LpStatusUnbounded:
        return SolveStatus.UNBOUNDED
    if st == pulp.LpStatusNotSolved:
        return SolveStatus.NO_SOLUTION
    return SolveStatus.ERROR


def _message(prob: Any, ret: Any) -> str:
    if hasattr(ret, "status_str"):  # PuLP 4
        return str(ret.status_str)
    return str(getattr(prob, "status", ret))


def _duals(rows: list[list[Any]]) -> np.ndarray | None:
    pis = [[c.pi for c in cons] for cons in rows]
    if not all(p is not None for ps in pis for p in ps):
        return None
    return np.array([sum(ps) for ps in pis], dtype=float)


class PulpBackend(Backend):
    """Any PuLP solver (``solver_name`` as PuLP names it; HiGHS or CBC when omitted)."""

    name = "pulp"
    package = "pulp"

    def __init__(self, solver_name: str | None = None) -> None:
        self.solver_name = solver_name

    def _solve(
        self, lp: LinearProgram, stages: list[Stage], time_limit_s: float | None, options: dict
    ) -> BackendResult:
        t0 = time.perf_counter()
        prob, vars_, rows = to_pulp(lp)
        times = {"handoff": time.perf_counter() - t0, "solve": 0.0, "read_back": 0.0}
        deadline = None if time_limit_s is None else time.perf_counter() + time_limit_s
        values: list[float] = []
        stage_duals: list[np.ndarray | None] = []
        status = SolveStatus.ERROR
        x = None
        solver_name = ""
        message = ""
        for i, stage in enumerate(stages):
            if i > 0:
                prev = stages[i - 1]
                nz = np.flatnonzero(prev.c)
                _add(
                    prob, _expr(vars_, nz, prev.c[nz]) <= stage_bound(values[-1], prev), f"stage{i}"
                )
            nz = np.flatnonzero(stage.c)
            prob.setObjective(_expr(vars_, nz, stage.c[nz]))
            left = None if deadline is None else max(deadline - time.perf_counter(), 0.01)
            solver = _solver(self.solver_name, left, lp.is_mip)
            solver_name = type(solver).__name__
            t1 = time.perf_counter()
            ret = prob.solve(solver)
            times["solve"] += time.perf_counter() - t1
            status = _status(prob, ret)
            message = _message(prob, ret)
            if not status.has_solution:
                break
            t2 = time.perf_counter()
            x = np.array([v.varValue or 0.0 for v in vars_], dtype=float)
            times["read_back"] += time.perf_counter() - t2
            values.append(float(np.dot(stage.c, x)))
            stage_duals.append(None if lp.is_mip else _duals(rows))
            if status is not SolveStatus.OPTIMAL:
                break
        dual = stage_duals[-1] if status.has_solution and stage_duals else None
        return BackendResult(
            status=status,
            x=x if status.has_solution else None,
            objective=values[-1] if values else None,
            row_dual=dual,
            solver=f"pulp/{solver_name}",
            message=message,
            times_s=times,
            stage_objectives=values,
            stage_duals=stage_duals,
        )

"""One solve function: objective by name, solver by name (or chosen automatically)."""

from __future__ import annotations

import functools
import platform
import time
from typing import Any

import numpy as np

from equity import FoodshedError

from ._lp import BackendResult, LinearProgram, SolveStatus, check_time_limit
from ._objectives import ObjectiveModel, build_objective
from .backends import get_backend
from .problem import AllocationProblem
from .solution import FLOW_TOL_KG, AllocationSolution, SolveRun, build_solution, unmet_of_flows

__all__ = ["choose_solver", "ipm_options", "solve", "versions"]


def versions() -> dict[str, str]:
    """Versions of the packages a result depends on (read once per process: reading package
    metadata is slow enough to show in every plan's time)."""
    return dict(_versions())


@functools.cache
def _versions() -> tuple[tuple[str, str], ...]:
    from importlib import metadata

    out = [("python", platform.python_version())]
    for pkg in ("foodshed", "numpy", "scipy", "pandas", "highspy", "pulp"):
        try:
            out.append((pkg, metadata.version(pkg)))
        except metadata.PackageNotFoundError:
            out.append((pkg, "absent"))
    return tuple(out)


#: From this many flow columns on, single-stage objectives go to CBC/Clp when a binary exists:
#: on these transport LPs Clp's dual simplex is much faster than HiGHS's (see docs/optimize.md);
#: multi-stage objectives stay on HiGHS (warm restarts), started from Clp's basis of their
#: weighted sum (see :func:`_auto_options`).
AUTO_CBC_MIN_COLUMNS = 5_000
#: From this many flow columns on, multi-stage objectives use HiGHS's interior-point solver
#: (with crossover, so duals stay exact; see :func:`ipm_options`) when no CBC binary is there to
#: start them from Clp's basis (``start="clp"``, which then wins). Below it, dual simplex, which
#: is faster on the demo region at 99k and 235k columns; the interior point wins on the random
#: synthetic instances and at 1M columns (see docs/optimize.md).
AUTO_IPM_MIN_COLUMNS = 500_000


def ipm_options(n_stages: int, *, exact_duals: bool = True) -> dict[str, Any]:
    """HiGHS options for a staged solve by interior point (pass as ``solver_options=``).

    With ``exact_duals`` (the automatic choice) every stage runs crossover: the plan is a
    vertex and the need-met stage's duals are a vertex's. Without, only the last stage does
    (the earlier optima are only held by a row): faster for ``maxmin`` (see docs/optimize.md),
    but the need-met duals behind the explanations are then interior-point duals (the centre
    of the optimal dual face when it is not unique)."""
    return {
        "solver": "ipm",
        "stage_options": [
            {"run_crossover": "on" if exact_duals or i == n_stages - 1 else "off"}
            for i in range(n_stages)
        ],
    }


def choose_solver(problem: AllocationProblem, objective: str) -> str:
    """The automatic choice: HiGHS in-process (warm multi-stage solves, duals), except large
    single-stage LPs (``cost``, ``fair_share``) which go to CBC when a CBC binary is present;
    CBC when highspy is missing; PuLP (whatever solver it finds) last."""
    single = objective in ("cost", "fair_share")
    if single and problem.n_x >= AUTO_CBC_MIN_COLUMNS and get_backend("cbc").available():
        return "cbc"
    for name in ("highs", "cbc", "pulp"):
        if get_backend(name).available():
            return name
    msg = "no LP solver is available: install highspy (pip install highspy)"
    raise FoodshedError(msg)


def solve(
    problem: AllocationProblem,
    objective: str = "cost",
    *,
    solver: str | None = None,
    time_limit_s: float | None = None,
    solver_options: dict[str, Any] | None = None,
    manifest: dict[str, Any] | None = None,
    **params: Any,
) -> AllocationSolution:
    """Solve ``problem`` for ``objective`` and return the plan.

    Parameters
    ----------
    problem
        From :meth:`AllocationProblem.from_region`.
    objective
        ``cost``, ``coverage``, ``maxmin``, ``fair_share`` or ``balanced`` (see ``OBJECTIVES``).
    solver
        ``highs``, ``cbc``, ``pulp`` or ``pulp:SOLVER`` (a PuLP solver name); ``None`` or
        ``auto`` chooses (:func:`choose_solver`: CBC for single-stage objectives above 5k
        columns when a binary exists, else HiGHS; for staged objectives HiGHS starts from
        the basis Clp finds for their weighted sum when a CBC binary exists, see
        ``optimize.backends._cbc.clp_start``; HiGHS's IPM above 500k columns without one).
    time_limit_s
        Wall-clock limit in seconds (more than 0) for all stages together. On hitting it the
        plan returned is the solver's last primal when it is feasible, else the optimum of the
        last stage that finished (a staged objective), with status ``time_limit`` ("stopped at
        the time limit: not optimal"); when neither is a feasible plan, no plan (status
        ``no_solution``). Every KPI is computed from the flows of the plan returned.
    **params
        Objective parameters: ``unmet_penalty_usd_per_kg``, ``fair_share_band``,
        ``equity_weight``.
    """
    time_limit_s = check_time_limit(time_limit_s)
    t0 = time.perf_counter()
    model = build_objective(problem, objective, params)
    build_s = time.perf_counter() - t0
    auto = solver in (None, "auto")
    name = choose_solver(problem, objective) if auto else str(solver)
    if auto and name == "highs":
        solver_options = _auto_options(problem, len(model.stages), solver_options)
    if name == "highs":
        solver_options = _with_warm_start(objective, solver_options)
    backend = get_backend(name)
    if not backend.available():
        msg = f"solver {name!r} is not available here; available: highs" + (
            ", cbc" if get_backend("cbc").available() else ""
        )
        raise FoodshedError(msg)
    res = backend.solve(model.lp, model.stages, time_limit_s=time_limit_s, options=solver_options)
    if res.status is SolveStatus.UNBOUNDED or res.status is SolveStatus.INFEASIBLE:
        # The model always has a feasible point (ship nothing); this means bad data (NaN, inf).
        res.message = (
            f"the solver reported {res.status.value}; check supply/need/throughput for NaN or "
            f"infinite values ({res.message})"
        )
    x_all, status, objective_value, message = _plan_of(problem, model, res)
    times = {"build": build_s, **res.times_s}
    t1 = time.perf_counter()
    man = {
        "objective": objective,
        "parameters": {k: _plain(v) for k, v in model.params.items()},
        "solver": res.solver or name,
        "time_limit_s": time_limit_s,
        "problem": problem.summary(),
        "problem_sha256": problem.fingerprint(),
        "max_distance_m": problem.max_distance_m,
        "cost_per_kg_km": problem.cost_per_kg_km,
        "budget_usd": problem.budget_usd,
        "versions": versions(),
        "stage_objectives": res.stage_objectives,
        "warm_start": res.warm_start,
        "start": res.start,
        "warm_simplex": res.warm_simplex,
        **(manifest or {}),
    }
    # Duals explain the plan in the units of the stage that decides it: money for cost and
    # fair_share, kg of need met for the others (the need-met stage, earlier stages held).
    names = [st.name for st in model.stages]
    dual, dual_unit = res.row_dual, model.unit
    if "unmet_kg" in names and len(res.stage_duals) > names.index("unmet_kg"):
        dual = res.stage_duals[names.index("unmet_kg")]
        dual_unit = "kg of need met"
    if status is not SolveStatus.OPTIMAL:
        dual = None  # duals of a stopped solve explain nothing
    sol = build_solution(
        problem,
        x_all,
        dual,
        SolveRun(
            status=status,
            objective=objective,
            objective_value=objective_value,
            solver=res.solver or name,
            times_s=times,
            manifest=man,
            unit=dual_unit,
            params=model.params,
            message=message,
        ),
    )
    times["solution"] = time.perf_counter() - t1
    times["total"] = time.perf_counter() - t0
    return sol


def _auto_options(
    problem: AllocationProblem, n_stages: int, options: dict[str, Any] | None
) -> dict[str, Any] | None:
    """What the automatic choice adds to the user's HiGHS options (theirs win): the interior
    point from :data:`AUTO_IPM_MIN_COLUMNS` columns on, and for staged objectives from
    :data:`AUTO_CBC_MIN_COLUMNS` columns on the first, weighted solve by Clp when a CBC binary
    is present (``start="clp"``). On the smallest LPs starting a process and writing a file
    cost more than they save (see docs/optimize.md)."""
    opts = dict(options or {})
    if problem.n_x >= AUTO_IPM_MIN_COLUMNS and "solver" not in opts:
        opts.update(ipm_options(n_stages))
    if (
        n_stages > 1
        and problem.n_x >= AUTO_CBC_MIN_COLUMNS
        and "start" not in opts
        and get_backend("cbc").available()
    ):
        opts["start"] = "clp"
    return opts or None


def _with_warm_start(objective: str, options: dict[str, Any] | None) -> dict[str, Any] | None:
    """Ask HiGHS to start from the last optimal basis of the same objective and LP structure
    (``solver_options={"warm_start": False}`` turns it off). Only for the simplex: the
    interior point (large problems) does not start from a basis."""
    opts = dict(options or {})
    want = opts.pop("warm_start", True)
    if want is False or opts.get("solver") == "ipm":
        return opts or None
    opts["warm_start"] = objective
    return opts


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    return v


#: Relative tolerance (with 1e-6 kg or USD absolute) within which a stopped solve's primal must
#: keep every row to count as a plan; solvers' own feasibility tolerance is 1e-7.
FEASIBILITY_TOL = 1e-6


def _plan_of(
    problem: AllocationProblem, model: ObjectiveModel, res: BackendResult
) -> tuple[np.ndarray | None, SolveStatus, float | None, str]:
    """The column values, status, objective value and message of the plan ``res`` supports.

    An optimal result is taken as it is. A stopped one (``time_limit``, or ``no_solution``
    after an earlier stage finished) is a plan only when its flows keep every row of the
    objective's LP (supply, throughput, budget, need not exceeded, the fair-share band): a
    dual simplex stopped early holds a primal that breaks them and unmet need that does not
    match its flows. Then the solver's last primal is tried first, the last optimal stage's
    (``res.fallback_x``) second; the unmet need (and the objective's own columns) of the one
    taken are recomputed from its flows, so every figure is what the flows deliver."""
    if res.status not in (SolveStatus.TIME_LIMIT, SolveStatus.NO_SOLUTION):
        return res.x, res.status, res.objective, res.message  # optimal, or a failure
    if not (res.status.has_solution or res.fallback_x is not None):
        message = res.message
        if res.status is SolveStatus.NO_SOLUTION:
            message = f"{res.status.words}; allow more time ({res.message})"
        return None, res.status, None, message
    words = SolveStatus.TIME_LIMIT.words
    tries = (
        (res.x, f"{words}: the best plan found"),
        (res.fallback_x, f"{words}: an earlier stage's optimum, later stages unfinished"),
    )
    for x, note in tries:
        if x is None:
            continue
        v = _from_flows(problem, model, x)
        if _feasible(problem, model, v):
            value = float(np.dot(model.stages[-1].c, v))
            return v, SolveStatus.TIME_LIMIT, value, f"{note} ({res.message})"
    note = SolveStatus.NO_SOLUTION.words
    return None, SolveStatus.NO_SOLUTION, None, f"{note}; allow more time ({res.message})"


def _from_flows(problem: AllocationProblem, model: ObjectiveModel, x: np.ndarray) -> np.ndarray:
    """Column values with the flows of ``x`` and everything else recomputed from them: unmet
    need ``u = need - met`` (negative where a row is over-served, which the check catches),
    the fair-share total ``U`` and the smallest reachable fulfilment ``t``."""
    v = np.array(x[: model.lp.n_cols], dtype=float)
    nx, nu = problem.n_x, problem.n_u
    flows = np.clip(v[:nx], 0.0, None)
    flows[flows <= FLOW_TOL_KG] = 0.0
    v[:nx] = flows
    v[nx : nx + nu] = unmet_of_flows(problem, flows)
    u = v[nx : nx + nu]
    if "U" in model.extra_cols:
        v[model.extra_cols["U"]] = float(u.sum())
    if "t" in model.extra_cols:
        need_a = problem.area_need_kg()
        unmet_a = np.bincount(problem.u_area, weights=u, minlength=len(need_a))
        reach = problem.reachable_areas() & (need_a > 0)
        f = 1.0 - unmet_a[reach] / need_a[reach]
        v[model.extra_cols["t"]] = float(np.clip(f.min(), 0.0, 1.0)) if len(f) else 0.0
    return v


def _feasible(problem: AllocationProblem, model: ObjectiveModel, v: np.ndarray) -> bool:
    """Every row and column bound of ``model.lp`` kept within :data:`FEASIBILITY_TOL` of the
    row's (or for unmet need, the need's) size."""
    lp = model.lp
    tol_c = _tolerance(lp.col_lo, lp.col_hi)
    need = problem.need_kg[problem.u_area, problem.u_comm]
    tol_c[problem.n_x : problem.n_x + problem.n_u] = FEASIBILITY_TOL * np.maximum(1.0, need)
    return lp_feasible(lp, v, tol_c)


def _tolerance(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    lo_a = np.where(np.isfinite(lo), np.abs(lo), 0.0)
    hi_a = np.where(np.isfinite(hi), np.abs(hi), 0.0)
    return FEASIBILITY_TOL * np.maximum(1.0, np.maximum(lo_a, hi_a))


def lp_feasible(lp: LinearProgram, v: np.ndarray, col_tol: np.ndarray | None = None) -> bool:
    """Whether ``v`` keeps every row and column bound of ``lp`` within
    :data:`FEASIBILITY_TOL` of the bound's size (``col_tol``: the columns' own tolerances)."""
    if len(v) != lp.n_cols or not np.all(np.isfinite(v)):
        return False
    act = lp.A @ v
    tol_r = _tolerance(lp.row_lo, lp.row_hi)
    tol_c = _tolerance(lp.col_lo, lp.col_hi) if col_tol is None else col_tol
    rows = np.all(act >= lp.row_lo - tol_r) and np.all(act <= lp.row_hi + tol_r)
    cols = np.all(v >= lp.col_lo - tol_c) and np.all(v <= lp.col_hi + tol_c)
    return bool(rows and cols)

"""One solve function: objective by name, solver by name (or chosen automatically)."""

from __future__ import annotations

import functools
import platform
import time
from typing import Any

import numpy as np

from equity import FoodshedError

from ._lp import SolveStatus
from ._objectives import build_objective
from .backends import get_backend
from .problem import AllocationProblem
from .solution import AllocationSolution, build_solution

__all__ = ["choose_solver", "ipm_options", "solve", "versions"]


def versions() -> dict[str, str]:
    """Versions of the packages a result depends on (read once per process: reading package
    metadata took 26 ms per plan)."""
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
#: on these transport LPs Clp's dual simplex measured 6-20x faster than HiGHS's (see
#: benchmarks/bench_allocate.py); multi-stage objectives stay on HiGHS (warm restarts), started
#: from Clp's basis of their weighted sum (see :func:`_auto_options`).
AUTO_CBC_MIN_COLUMNS = 5_000
#: From this many flow columns on, multi-stage objectives use HiGHS's interior-point solver
#: (with crossover, so duals stay exact; see :func:`ipm_options`) when no CBC binary is there to
#: start them from Clp's basis (``start="clp"``, which then wins). Below it, dual simplex: on the
#: demo region (99k columns at 8 km) simplex solved maxmin in 6.5 s against 16.5 s with the
#: interior point, balanced 4.7 s against 19.6 s, and at 15 km (235k columns) maxmin 15 s
#: against 39 s; the interior point wins on the random synthetic benchmark instances (2.5x at
#: 93k) and at 1M columns, where simplex did not finish in 12 minutes.
AUTO_IPM_MIN_COLUMNS = 500_000


def ipm_options(n_stages: int, *, exact_duals: bool = True) -> dict[str, Any]:
    """HiGHS options for a staged solve by interior point (pass as ``solver_options=``).

    With ``exact_duals`` (the automatic choice) every stage runs crossover: the plan is a
    vertex and the need-met stage's duals are a vertex's. Without, only the last stage does
    (the earlier optima are only held by a row): measured 6-35% faster for ``maxmin`` at 93k
    columns, but the need-met duals behind the explanations are then interior-point duals
    (the centre of the optimal dual face when it is not unique)."""
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
        Wall-clock limit for all stages together; on hitting it the best plan found is returned
        with status ``time_limit`` (or ``no_solution``).
    **params
        Objective parameters: ``unmet_penalty_usd_per_kg``, ``fair_share_band``,
        ``equity_weight``.
    """
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
        **(manifest or {}),
    }
    # Duals explain the plan in the units of the stage that decides it: money for cost and
    # fair_share, kg of need met for the others (the need-met stage, earlier stages held).
    names = [st.name for st in model.stages]
    dual, dual_unit = res.row_dual, model.unit
    if "unmet_kg" in names and len(res.stage_duals) > names.index("unmet_kg"):
        dual = res.stage_duals[names.index("unmet_kg")]
        dual_unit = "kg of need met"
    sol = build_solution(
        problem,
        res.x,
        dual,
        status=res.status,
        objective=objective,
        objective_value=res.objective,
        solver=res.solver or name,
        times_s=times,
        manifest=man,
        unit=dual_unit,
        params=model.params,
        message=res.message,
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
    is present (``start="clp"``). Measured on the synthetic benchmark instances, HiGHS alone
    against the Clp start (medians of 3): ``maxmin`` 0.057 / 0.082 s at 888 columns, 0.16 /
    0.14 s at 2,939, 1.08 / 0.54 s at 10,189, 4.5 / 2.0 s at 28,955 (starting a process and
    writing a file cost more than they save on the smallest LPs)."""
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

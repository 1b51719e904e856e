"""The food network over weeks: sites that grow, receive, store and deliver, food that spoils.

A :class:`NetworkProblem` generalises :class:`~optimize.problem.AllocationProblem` to ``weeks``
weeks and transfers between sites (gardens and farms to hubs and pantries, hubs to pantries),
with stock tracked by age so that shelf life is honoured exactly, storage and throughput per
site and week, and shocks that hit chosen weeks (:class:`InWeeks`). It is built arrays-first
(``optimize._network_lp``) and solved by the same backends and lexicographic objective stages
as the single-period model (:func:`solve_network`); a one-week problem without transfers is
the single-period model. See ``docs/optimize.md`` ("The network over weeks").

This module is the way in: it solves (:func:`solve_network`, :func:`allocate_network`,
:func:`run_network_scenario`) and re-exports the pieces built elsewhere, so
``from optimize.network import ...`` gives every public name. The problem itself (weekly
arrays, transfer arcs) is in ``optimize._network_problem``, shocks by week in
``optimize._shocks_by_week``, the solution's tables in ``optimize._network_solution``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from equity import FoodshedError

from ._lp import BackendResult, LinearProgram, SolveStatus
from ._network_problem import (
    DEFAULT_TRANSFER_COST_PER_KG_KM,
    MAX_WEEKS,
    TRANSFER_KINDS,
    NetworkProblem,
)
from ._network_solution import NetworkSolution, build_network_solution
from ._objectives import build_objective
from ._shocks_by_week import InWeeks, _shock_dict
from .backends import get_backend
from .solution import SolveRun
from .solve import (
    _auto_options,
    _plain,
    _with_warm_start,
    choose_solver,
    lp_feasible,
    versions,
)

if TYPE_CHECKING:
    from equity import Region

__all__ = [
    "DEFAULT_TRANSFER_COST_PER_KG_KM",
    "FIXED_BAND",
    "MAXMIN_OVER",
    "MAX_WEEKS",
    "TRANSFER_KINDS",
    "InWeeks",
    "NetworkProblem",
    "NetworkSolution",
    "allocate_network",
    "run_network_scenario",
    "solve_network",
]

#: What ``maxmin``, ``balanced`` and ``fair_share`` hold fair over the horizon: every
#: area in every week (``area_week``, the default) or every area's total (``area``).
MAXMIN_OVER = ("area_week", "area")
#: A token cost per kg discarded while it could still be kept (storage full): between two
#: otherwise equal plans, the one that keeps food rather than throwing it away.
DISCARD_COST_USD_PER_KG = 1e-5
#: A token cost per kg held from one week to the next: between two otherwise equal plans,
#: the one that hands food on sooner (and the solver has fewer ties to walk through).
HOLD_COST_USD_PER_KG_WEEK = 1e-4
#: Deliveries per area, week and need commodity (the cheapest per kg of need) that a single-
#: stage CBC solve starts from before pricing the others in (:func:`_first_columns`).
FIRST_DELIVERIES = 3


# ---------------------------------------------------------------------------- objectives
class _ObjectiveView:
    """The network LP seen by :func:`optimize._objectives.build_objective`: every column but
    unmet need acts as a "flow" column with its cost; unmet columns come last, grouped by
    area-week or by area (``maxmin_over``) for the equity rows."""

    def __init__(self, problem: NetworkProblem, maxmin_over: str, from_week: int = 0) -> None:
        if maxmin_over not in MAXMIN_OVER:
            msg = f"maxmin_over must be one of {list(MAXMIN_OVER)}; got {maxmin_over!r}"
            raise FoodshedError(msg)
        s = problem.structure
        off = s["offsets"]
        base = problem.base
        self._p = problem
        self.n_x = int(off["u"])
        self.n_u = int(len(s["u_week"]))
        d_cost = np.where(s["d_forced"], 0.0, DISCARD_COST_USD_PER_KG)
        h_week = s["node_w"][s["h_node"]]
        h_cost = np.where(h_week < problem.weeks - 1, HOLD_COST_USD_PER_KG_WEEK, 0.0)
        self.x_cost_usd_per_kg = np.concatenate(
            [
                s["x_cost_usd_per_kg"] + base.pair_penalty_usd_per_kg[s["x_pair"]],
                s["t_cost_usd_per_kg"],
                np.zeros(off["h"] - off["r"]),
                h_cost,
                d_cost,
            ]
        )
        self.x_pair = np.zeros(self.n_x, dtype=np.int64)
        self.pair_penalty_usd_per_kg = np.zeros(1)
        na = len(base.area_ids)
        # an area-week is reachable when an open site with throughput and food (its own, or
        # sent to it) can deliver there that week; the other columns stay and carry nothing
        live = problem.x_usable
        if maxmin_over == "area_week":  # a re-plan holds fair the weeks still to come
            live &= s["x_week"] >= from_week
        x_area = base.arc_area[s["x_arc"][live]]
        if maxmin_over == "area_week":
            self.u_area = s["u_week"] * na + s["u_area"]
            self.x_area = np.unique(s["x_week"][live] * na + x_area)
            self._need = problem.need_kg.sum(axis=2).reshape(-1)
        else:
            self.u_area = s["u_area"]
            self.x_area = np.unique(x_area)
            self._need = problem.need_kg.sum(axis=(0, 2))

    def base_lp(self) -> LinearProgram:
        return self._p.base_lp()

    def reachable_areas(self) -> np.ndarray:
        """Per equity unit (area-week or area): True where an open site can deliver."""
        out = np.zeros(len(self._need), dtype=bool)
        out[np.asarray(self.x_area, dtype=np.int64)] = True
        return out

    def area_need_kg(self) -> np.ndarray:
        return self._need

    def total_need_kg(self) -> float:
        return float(self._p.need_kg.sum())


def solve_network(
    problem: NetworkProblem,
    objective: str = "cost",
    *,
    solver: str | None = None,
    time_limit_s: float | None = None,
    solver_options: dict[str, Any] | None = None,
    manifest: dict[str, Any] | None = None,
    maxmin_over: str = "area_week",
    fixed: tuple[np.ndarray, np.ndarray] | None = None,
    fixed_band: float = 0.0,
    equity_from_week: int = 1,
    **params: Any,
) -> NetworkSolution:
    """Solve a :class:`NetworkProblem` for ``objective`` (same names, parameters, stages and
    solvers as :func:`optimize.solve`).

    ``maxmin_over`` says what the equity objectives hold fair: ``area_week`` (the worst area
    in the worst week, the default) or ``area`` (the worst area's total over the horizon).
    ``fixed`` is ``(columns, values)`` held at those values (the rolling re-plan fixes what
    was already done), each within ``fixed_band`` of its value (relative, with the same
    absolute; see :data:`FIXED_BAND`); ``equity_from_week`` (1-based) leaves earlier area-weeks out of the
    equity rows of ``maxmin_over="area_week"`` (a re-plan cannot change them).
    """
    t0 = time.perf_counter()
    view = _ObjectiveView(problem, maxmin_over, equity_from_week - 1)
    model = build_objective(view, objective, params)  # type: ignore[arg-type]
    lp = model.lp
    if fixed is not None:
        lp = _held(lp, *fixed, band=fixed_band)
    build_s = time.perf_counter() - t0
    auto = solver in (None, "auto")
    name = choose_solver(view, objective) if auto else str(solver)  # type: ignore[arg-type]
    if auto and name == "highs":
        solver_options = _auto_options(view, len(model.stages), solver_options)  # type: ignore[arg-type]
    if name == "highs":
        solver_options = _with_warm_start(f"network:{objective}", solver_options)
    if auto and name == "cbc":  # Clp's crash basis: half the dual simplex iterations here
        solver_options = {"crash": "on", **(solver_options or {})}
    # Clp (the whole solve, or the start of a staged HiGHS solve) on the cheapest deliveries,
    # then pricing in the others
    clp = name == "cbc" and len(model.stages) == 1
    clp |= name == "highs" and (solver_options or {}).get("start") == "clp"
    if clp and (len(model.stages) == 1 or all(st.weight is not None for st in model.stages)):
        c = model.stages[0].c
        if len(model.stages) > 1:
            c = sum((float(st.weight) * st.c for st in model.stages), np.zeros(len(c)))  # type: ignore[arg-type]
        solver_options = {"first_columns": _first_columns(problem, c), **(solver_options or {})}
    backend = get_backend(name)
    if not backend.available():
        msg = f"solver {name!r} is not available here"
        raise FoodshedError(msg)
    res = backend.solve(lp, model.stages, time_limit_s=time_limit_s, options=solver_options)
    x, status, value, message = _stopped_plan(lp, model, res)
    times = {"build": build_s, **res.times_s}
    names = [st.name for st in model.stages]
    dual, unit = res.row_dual, model.unit
    if "unmet_kg" in names and len(res.stage_duals) > names.index("unmet_kg"):
        dual = res.stage_duals[names.index("unmet_kg")]
        unit = "kg of need met"
    man = {
        "objective": objective,
        "parameters": {k: _plain(v) for k, v in model.params.items()},
        "maxmin_over": maxmin_over,
        "solver": res.solver or name,
        "time_limit_s": time_limit_s,
        "problem": problem.summary(),
        "problem_sha256": problem.fingerprint(),
        "max_distance_m": problem.base.max_distance_m,
        "cost_per_kg_km": problem.base.cost_per_kg_km,
        "max_transfer_m": problem.max_transfer_m,
        "transfer_cost_per_kg_km": problem.transfer_cost_per_kg_km,
        "versions": versions(),
        "stage_objectives": res.stage_objectives,
        **(manifest or {}),
    }
    t1 = time.perf_counter()
    sol = build_network_solution(
        problem,
        x,
        dual,
        SolveRun(
            status=status,
            objective=objective,
            objective_value=value,
            solver=res.solver or name,
            times_s=times,
            manifest=man,
            unit=unit,
            params={**model.params, "maxmin_over": maxmin_over},
            message=message,
        ),
    )
    times["solution"] = time.perf_counter() - t1
    times["total"] = time.perf_counter() - t0
    return sol


#: Relative width (with the same absolute) of the band a rolling re-plan holds the weeks
#: already done in when holding them at exactly their values is infeasible: a solver's values
#: keep the rows only to its tolerance (CBC's solution file has 8 significant digits), so a
#: row that holds only fixed columns can be broken by their rounding.
FIXED_BAND = 1e-6


def _held(
    lp: LinearProgram, cols: np.ndarray, vals: np.ndarray, *, band: float = 0.0
) -> LinearProgram:
    """``lp`` with the columns ``cols`` held at ``vals`` (within ``band`` relative, inside
    their own bounds): the weeks a rolling re-plan has already carried out."""
    lo, hi = lp.col_lo.copy(), lp.col_hi.copy()
    width = band * np.maximum(1.0, np.abs(vals))
    new_lo = np.maximum(lo[cols], vals - width)
    new_hi = np.minimum(hi[cols], vals + width)
    inside = np.clip(vals, lo[cols], hi[cols])
    crossed = new_lo > new_hi
    lo[cols] = np.where(crossed, inside, new_lo)
    hi[cols] = np.where(crossed, inside, new_hi)
    return replace(lp, col_lo=lo, col_hi=hi)


def _stopped_plan(
    lp: LinearProgram, model: Any, res: BackendResult
) -> tuple[np.ndarray | None, SolveStatus, float | None, str]:
    """The column values, status, objective value and message of the plan ``res`` supports
    (as :func:`optimize.solve._plan_of` for one period): a solve stopped at the time limit is
    a plan only when its values keep every row of the LP (a dual simplex stopped early holds
    values that break them, and need met that its flows do not deliver); else the last
    optimal stage's values, else no plan."""
    if res.status not in (SolveStatus.TIME_LIMIT, SolveStatus.NO_SOLUTION):
        return res.x, res.status, res.objective, res.message
    words = SolveStatus.TIME_LIMIT.words
    tries = (
        (res.x, res.objective, f"{words}: the best plan found"),
        (res.fallback_x, None, f"{words}: an earlier stage's optimum, later stages unfinished"),
    )
    for x, value, note in tries:
        if x is not None and lp_feasible(lp, np.asarray(x[: lp.n_cols], dtype=float)):
            if value is None:
                value = float(np.dot(model.stages[-1].c, x[: lp.n_cols]))
            return x, SolveStatus.TIME_LIMIT, value, f"{note} ({res.message})"
    note = SolveStatus.NO_SOLUTION.words
    return None, SolveStatus.NO_SOLUTION, None, f"{note}; allow more time ({res.message})"


def _first_columns(problem: NetworkProblem, c: np.ndarray) -> np.ndarray:
    """The columns a single-stage CBC solve starts from (``first_columns``, see
    ``optimize.backends._cbc_rounds``): every column but the deliveries (with deliveries at
    zero the plan is feasible: need goes unmet, stock is held or discarded), and for each
    area, week and need commodity the :data:`FIRST_DELIVERIES` deliveries of least cost per
    kg of need. The other deliveries enter in rounds of pricing, so the optimum is the whole
    LP's."""
    s, base = problem.structure, problem.base
    n_x = len(s["x_week"])
    na, nc = len(base.area_ids), len(base.commodities)
    group = (s["x_week"] * na + base.arc_area[s["x_arc"]]) * nc + base.pair_need[s["x_pair"]]
    unit = np.asarray(c[:n_x], dtype=float) / base.pair_weight[s["x_pair"]]
    first = np.ones(len(c), dtype=bool)
    first[:n_x] = _least_in_groups(group, unit, FIRST_DELIVERIES)
    return first


def _least_in_groups(group: np.ndarray, key: np.ndarray, k: int) -> np.ndarray:
    """A mask of the ``k`` elements of least ``key`` in each group (``group``: non-negative
    integers), ties to the earlier element: what ranking by ``np.lexsort((key, group))``
    gives for finite keys. Linear: the elements are grouped by a stable radix sort (one pass
    per 16 bits of the largest group), then each group's least untaken key is taken ``k``
    times (``np.fmin.reduceat``, taken keys set to NaN)."""
    n = len(group)
    chosen = np.zeros(n, dtype=bool)
    if n == 0:
        return chosen
    order = np.arange(n)
    g = group
    for shift in range(0, max(int(g.max()).bit_length(), 1), 16):
        by = np.argsort(((g >> shift) & 0xFFFF).astype(np.uint16), kind="stable")
        order, g = order[by], g[by]
    starts = np.flatnonzero(np.diff(g, prepend=-1) != 0)
    seg = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, n)))
    left = np.asarray(key, dtype=float)[order]
    for _ in range(k):
        least = np.fmin.reduceat(left, starts)
        hit = np.flatnonzero(left == least[seg])  # NaN (taken) never equals
        take = hit[np.diff(seg[hit], prepend=-1) != 0]  # the first in each group
        chosen[order[take]] = True
        left[take] = np.nan
    return chosen


# ---------------------------------------------------------------------------- from a region
def allocate_network(
    region: Region,
    *,
    objective: str = "cost",
    weeks: int = 1,
    shocks: Sequence[Any] = (),
    solver: str | None = None,
    time_limit_s: float | None = None,
    maxmin_over: str = "area_week",
    **kwargs: Any,
) -> NetworkSolution:
    """Build the network LP of ``region`` (keywords of :meth:`NetworkProblem.from_region`)
    and solve it (objective parameters as in :func:`optimize.allocate`).

    Examples
    --------
    >>> from equity import Region
    >>> from optimize import SiteOutage
    >>> from optimize.network import InWeeks, allocate_network
    >>> plan = allocate_network(Region.demo(), weeks=4, max_transfer_m=10_000,
    ...     shocks=[InWeeks(SiteOutage(("H037",)), (2,))])  # doctest: +SKIP
    >>> plan.stock.head()  # doctest: +SKIP
    """
    build_keys = {
        "period",
        "max_distance_m",
        "cost_per_kg_km",
        "budget_usd",
        "cost_table",
        "lila_col",
        "max_transfer_m",
        "transfer_cost_per_kg_km",
        "site_cost_table",
        "supply_profile",
        "need_profile",
    }
    build = {k: kwargs.pop(k) for k in list(kwargs) if k in build_keys}
    problem = NetworkProblem.from_region(region, weeks=weeks, shocks=shocks, **build)
    manifest = {
        "region": region.name,
        "period": build.get("period") or region.default_period,
        "weeks": weeks,
        "sources": dict(region.sources),
        "shocks": [_shock_dict(s) for s in shocks],
        "warnings": list(problem.warnings),
    }
    return solve_network(
        problem,
        objective,
        solver=solver,
        time_limit_s=time_limit_s,
        manifest=manifest,
        maxmin_over=maxmin_over,
        **kwargs,
    )


def network_options(sc: Any, region: Region | None = None) -> dict[str, Any]:
    """Keywords of :func:`allocate_network` from a :class:`~optimize.scenario.Scenario` (with
    ``region``, road distances when the scenario names ``[network] roads``)."""
    roads: dict[str, Any] = {}
    if region is not None and sc.network.roads is not None:
        roads["cost_table"] = sc.road_costs(region)
        if sc.network.max_transfer_m is not None:
            roads["site_cost_table"] = sc.road_costs(region, to="sites")
    return {
        **roads,
        "objective": sc.objective,
        "weeks": sc.weeks,
        "shocks": sc.shock_objects(),
        "period": sc.period,
        "max_distance_m": sc.network.max_distance_m,
        "cost_per_kg_km": sc.network.cost_per_kg_km,
        "budget_usd": sc.network.budget_usd,
        "max_transfer_m": sc.network.max_transfer_m,
        "transfer_cost_per_kg_km": sc.network.transfer_cost_per_kg_km,
        "supply_profile": sc.supply_profile,
        "need_profile": sc.need_profile,
        "maxmin_over": sc.params.maxmin_over or "area_week",
        "solver": sc.solver,
        "time_limit_s": sc.time_limit_s,
        **sc.objective_params(),
    }


def run_network_scenario(sc: Any, region: Region) -> NetworkSolution:
    """Solve a scenario over weeks (called by :func:`optimize.run_scenario`)."""
    sol = allocate_network(region, **network_options(sc, region))
    sol.manifest["scenario"] = sc.to_dict()
    return sol

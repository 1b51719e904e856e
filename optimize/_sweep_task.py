"""One sweep task: solve one scenario record on the scattered base problem.

Runs on a Dask worker (or in-process for the serial path), so it imports nothing from Dask and
returns plain dicts: a row of KPIs and the fulfilment of the vulnerable areas.
"""

from __future__ import annotations

import json
import os
import socket
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pydantic

from equity import FoodshedError

from .scenario import ShockSpec
from .shocks import apply_shocks
from .solve import solve

if TYPE_CHECKING:
    from .network import NetworkProblem
    from .problem import AllocationProblem

__all__ = ["NETWORK_KPI_COLUMNS", "NetworkFamily", "SweepContext", "solve_record"]

_SHOCK: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(ShockSpec)

#: KPI columns every result row has (NaN where a solve failed).
KPI_COLUMNS = (
    "objective_value",
    "need_met_kg",
    "need_met_share",
    "kg_delivered",
    "transport_cost_usd",
    "kg_km",
    "min_fulfilment",
    "min_fulfilment_reachable",
    "mean_fulfilment",
    "gini_fulfilment",
    "areas_below_50pct",
    "people_below_50pct",
    "low_income_need_met_share",
)
#: KPI columns of scenarios planned over weeks (``optimize.network``), over the horizon.
NETWORK_KPI_COLUMNS = (
    "weeks",
    "supplied_kg",
    "transferred_kg",
    "spoiled_kg",
    "end_stock_kg",
    "delivery_cost_usd",
    "transfer_cost_usd",
    "min_fulfilment_area_week",
    "min_fulfilment_area_week_reachable",
    "area_weeks_unreachable",
)


@dataclass(frozen=True)
class SweepContext:
    """What every task shares besides the problem: who counts as vulnerable, and the solve
    settings of the base scenario."""

    vulnerable: np.ndarray  # bool per area, in problem.area_ids order
    flag: str
    threshold: float
    solver: str | None = None
    time_limit_s: float | None = None
    #: what the equity objectives hold fair in plans over weeks (optimize.network)
    maxmin_over: str = "area_week"
    #: the input tables that are documented estimates (``{table: how}``; empty: none), from
    #: :meth:`equity.Region.with_estimates` for a region without need or supply
    estimated: dict[str, str] = field(default_factory=dict)

    @property
    def estimated_tables(self) -> str:
        """The estimated numbers, as the ``estimated`` column says them: "need, supply" (the
        commodities' basket comes with the need), or "" when the plans rest on data only."""
        return ", ".join(t for t in sorted(self.estimated) if t != "commodities")


@dataclass(frozen=True)
class NetworkFamily:
    """The network problems of a sweep that varies the network over weeks (weeks, longest move
    between sites, ...): one per distinct setting, keyed by a record's ``network`` column."""

    problems: dict[str, NetworkProblem]

    @property
    def base(self) -> AllocationProblem:
        """The single-period problem they share (the same sites, areas and arcs)."""
        return next(iter(self.problems.values())).base


def _shock(d: dict[str, Any]) -> Any:
    """A shock from its scenario dict; one with ``weeks`` hits only those weeks."""
    spec = _SHOCK.validate_python(d)
    shock = spec.build()
    if getattr(spec, "weeks", None):
        from .network import InWeeks

        return InWeeks(shock, tuple(spec.weeks))
    return shock


def solve_record(
    problem: AllocationProblem | NetworkProblem | NetworkFamily,
    ctx: SweepContext,
    record: dict[str, Any],
) -> dict[str, Any]:
    """Solve ``record`` (from :func:`optimize._sweep_spec.expand`); return its result row.

    A shock or solve that fails with a :class:`~equity.FoodshedError` (bad data for this
    scenario) gives a row with ``status = "error"`` and the message: it is an answer, and a
    resumed sweep does not retry it. Anything else propagates to the caller.
    """
    t0 = time.perf_counter()
    row: dict[str, Any] = {
        "scenario_id": record["scenario_id"],
        "status": "error",
        "message": "",
        **{k: float("nan") for k in KPI_COLUMNS},
        "vulnerable_areas": int(ctx.vulnerable.sum()),
        "vulnerable_min_fulfilment": float("nan"),
        "vulnerable_mean_fulfilment": float("nan"),
        "vulnerable_below_threshold": -1,
        "estimated": ctx.estimated_tables,
        "worker": f"{socket.gethostname()}:{os.getpid()}",
    }
    if isinstance(problem, NetworkFamily):  # the network problem of this record's settings
        problem = problem.problems[record["network"]]
    ful: dict[str, Any] = {"area_id": np.zeros(0, dtype=object), "fulfilment": np.zeros(0)}
    try:
        shocks = [_shock(d) for d in json.loads(record["shocks"])]
        params = json.loads(record["params"])
        from .network import NetworkProblem

        sol: Any
        if isinstance(problem, NetworkProblem):  # a base scenario over weeks
            from .network import solve_network

            sol = solve_network(
                problem.with_shocks(shocks),
                record["objective"],
                solver=ctx.solver,
                time_limit_s=ctx.time_limit_s,
                maxmin_over=params.pop("maxmin_over", None) or ctx.maxmin_over,
                **params,
            )
        else:
            p = apply_shocks(problem, shocks)
            sol = solve(
                p,
                record["objective"],
                solver=ctx.solver,
                time_limit_s=ctx.time_limit_s,
                **params,
            )
    except pydantic.ValidationError as exc:  # a record with a value no shock accepts
        row["message"] = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'shock'}: {e['msg']}" for e in exc.errors()
        )
        row["solve_time_s"] = time.perf_counter() - t0
        return {"row": row, "fulfilment": ful}
    except FoodshedError as exc:
        row["message"] = str(exc)
        row["solve_time_s"] = time.perf_counter() - t0
        return {"row": row, "fulfilment": ful}
    k = sol.kpis
    row["status"] = sol.status.value
    row["message"] = sol.message
    for c in KPI_COLUMNS:
        v = k.get(c)
        row[c] = float("nan") if v is None else float(v)
    if "weeks" in k:  # a plan over weeks: its horizon's KPIs too
        for c in NETWORK_KPI_COLUMNS:
            v = k.get(c)
            row[c] = float("nan") if v is None else float(v)
    f = sol.fulfilment["fulfilment"].to_numpy(dtype=float)
    need = sol.fulfilment["need_kg"].to_numpy(dtype=float)
    vul = ctx.vulnerable & (need > 0)
    if vul.any():
        fv = f[vul]
        row["vulnerable_min_fulfilment"] = float(np.min(fv))
        w = need[vul]
        row["vulnerable_mean_fulfilment"] = float(np.average(fv, weights=w))
        row["vulnerable_below_threshold"] = int((fv < ctx.threshold - 1e-9).sum())
        ful = {"area_id": sol.fulfilment["area_id"].to_numpy(dtype=object)[vul], "fulfilment": fv}
    else:
        row["vulnerable_below_threshold"] = 0
    row["solve_time_s"] = time.perf_counter() - t0
    return {"row": row, "fulfilment": ful}

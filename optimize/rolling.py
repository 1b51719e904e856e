"""Rolling re-plans over weeks and the value of foresight.

A rolling plan decides week by week: before week ``k`` it knows the standing conditions
(shocks without weeks) and every shock of weeks ``1..k`` (a hub that is out *this* week, a
drought that has begun), but not what later weeks will bring; it plans the whole remaining
horizon with what it knows, keeps week ``k``'s decisions, and moves on. Weeks already done are
fixed. The plan that knew every week's shocks in advance (the *foresight* plan) does at least
as well; the gap between the two is the value of foresight.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from equity import FoodshedError

from ._lp import SolveStatus
from ._shocks_by_week import _shock_dict
from .network import (
    FIXED_BAND,
    InWeeks,
    NetworkProblem,
    NetworkSolution,
    solve_network,
)
from .solution import _json

if TYPE_CHECKING:
    import os

    from equity import Region

__all__ = ["FORESIGHT_KPIS", "RollingResult", "plan_rolling", "revealed_shocks"]

#: KPIs compared between the rolling and the foresight plan: key, and whether more is better.
FORESIGHT_KPIS = (
    ("need_met_kg", True),
    ("need_met_share", True),
    ("min_fulfilment_area_week_reachable", True),
    ("min_fulfilment_reachable", True),
    ("transport_cost_usd", False),
    ("spoiled_kg", False),
    ("end_stock_kg", True),
)


def revealed_shocks(shocks: list[Any], week: int) -> list[Any]:
    """What a planner knows before ``week`` (1-based): standing shocks, and the weeks of each
    weekly shock up to ``week``."""
    out = []
    for s in shocks:
        if isinstance(s, InWeeks):
            seen = tuple(w for w in s.weeks if w <= week)
            if seen:
                out.append(InWeeks(s.shock, seen))
        else:
            out.append(s)
    return out


@dataclass(frozen=True, eq=False)
class RollingResult:
    """A rolling plan, the foresight plan, and what foresight is worth.

    Attributes
    ----------
    rolling : NetworkSolution
        The plan as carried out week by week.
    foresight : NetworkSolution
        The plan that knew every week's shocks in advance.
    value_of_foresight : DataFrame
        Per KPI: ``kpi, rolling, foresight, gain`` (``gain`` > 0 means foresight did better).
    replans : DataFrame
        One row per re-plan: ``week, shocks_known, status, solve_s``.
    """

    rolling: NetworkSolution
    foresight: NetworkSolution
    value_of_foresight: pd.DataFrame
    replans: pd.DataFrame

    def to_dir(
        self, path: str | os.PathLike[str], *, region: Any = None, force: bool = False
    ) -> Path:
        """:meth:`write_files` into the folder ``path``, atomically, under the output policy of
        every command (:mod:`equity._output`: ``path`` new, empty or an earlier plan, unless
        ``force``)."""
        from equity._output import output_dir

        with output_dir(path, command="allocate", force=force) as tmp:
            self.write_files(tmp, region=region)
        return Path(path)

    def write_files(self, folder: str | os.PathLike[str], *, region: Any = None) -> Path:
        """The rolling plan's tables in ``folder``, the foresight plan's in
        ``folder/foresight``, and ``value_of_foresight.csv`` / ``replans.csv``."""
        from equity._csv import write_csv

        tmp = Path(folder)
        self.rolling.write_files(tmp, region=region)
        (tmp / "foresight").mkdir()
        self.foresight.write_files(tmp / "foresight", region=region)
        write_csv(self.value_of_foresight, tmp / "value_of_foresight.csv")
        write_csv(self.replans, tmp / "replans.csv")
        (tmp / "value_of_foresight.json").write_text(
            _json(self.value_of_foresight.to_dict(orient="records")), encoding="utf-8"
        )
        return tmp


def plan_rolling(
    problem: NetworkProblem,
    shocks: list[Any],
    objective: str = "cost",
    *,
    solver: str | None = None,
    time_limit_s: float | None = None,
    maxmin_over: str = "area_week",
    manifest: dict[str, Any] | None = None,
    **params: Any,
) -> RollingResult:
    """Plan ``problem`` (built *without* shocks) week by week as ``shocks`` come, and
    against the plan that knew them all.

    Each re-plan solves the whole horizon with the weeks already done held at what was done
    (their columns fixed, matched by :meth:`NetworkProblem.column_keys`); with
    ``maxmin_over="area_week"`` the equity objectives hold fair the weeks still to plan.
    """
    shocks = list(shocks)
    T = problem.weeks
    opts: dict[str, Any] = {"solver": solver, "time_limit_s": time_limit_s}
    opts["maxmin_over"] = maxmin_over
    man = {**(manifest or {}), "shocks": [_shock_dict(s) for s in shocks]}
    full = problem.with_shocks(shocks)
    foresight = solve_network(
        full, objective, manifest={**man, "plan": "foresight"}, **opts, **params
    )
    if not foresight.ok:
        msg = (
            f"the foresight plan found no solution ({foresight.status.value}): {foresight.message}"
        )
        raise FoodshedError(msg)
    done_keys = np.zeros(0, dtype=np.int64)
    done_vals = np.zeros(0)
    rows = []
    sol: NetworkSolution | None = None
    for k in range(1, T + 1):
        known = revealed_shocks(shocks, k)
        p = full if k == T else problem.with_shocks(known)
        keys, weeks = p.column_keys()
        order = np.argsort(keys)
        pos = np.searchsorted(keys, done_keys, sorter=order)
        pos = order[np.minimum(pos, len(keys) - 1)] if len(keys) else pos
        if len(done_keys) and not np.array_equal(keys[pos], done_keys):
            msg = (
                f"re-plan of week {k}: the weeks already done changed structure (a shock "
                "changed an earlier week); this is a bug, please report it"
            )
            raise FoodshedError(msg)
        t0 = time.perf_counter()
        replan = {
            "fixed": (pos, done_vals) if len(pos) else None,
            "equity_from_week": k,
            "manifest": {**man, "plan": f"rolling, week {k}"},
            **opts,
            **params,
        }
        sol = solve_network(p, objective, **replan)
        if sol.status is SolveStatus.INFEASIBLE and len(pos):
            # the weeks done, held at the solver's rounded values, can break a row that holds
            # only them (CBC writes 8 significant digits): hold them within FIXED_BAND instead
            sol = solve_network(p, objective, fixed_band=FIXED_BAND, **replan)
        rows.append(
            {
                "week": k,
                "shocks_known": len(known),
                "status": sol.status.value,
                "solve_s": time.perf_counter() - t0,
            }
        )
        if not sol.ok or sol.column_values is None:
            msg = f"re-plan of week {k} found no solution ({sol.status.value}): {sol.message}"
            raise FoodshedError(msg)
        now = weeks == k - 1
        done_keys = np.concatenate([done_keys, keys[now]])
        done_vals = np.concatenate([done_vals, sol.column_values[now]])
    assert sol is not None
    sol.manifest["plan"] = "rolling"
    sol.manifest["replans"] = rows
    return RollingResult(
        rolling=sol,
        foresight=foresight,
        value_of_foresight=foresight_table(sol, foresight),
        replans=pd.DataFrame(rows),
    )


def foresight_table(rolling: NetworkSolution, foresight: NetworkSolution) -> pd.DataFrame:
    """``kpi, rolling, foresight, gain`` for :data:`FORESIGHT_KPIS` (``gain`` is how much
    better the foresight plan is: more need met, less cost or spoilage)."""
    rows = []
    for key, more_is_better in FORESIGHT_KPIS:
        r, f = float(rolling.kpis.get(key, np.nan)), float(foresight.kpis.get(key, np.nan))
        rows.append(
            {
                "kpi": key,
                "rolling": r,
                "foresight": f,
                "gain": (f - r) if more_is_better else (r - f),
            }
        )
    return pd.DataFrame(rows)


def rolling_scenario(sc: Any, region: Region) -> RollingResult:
    """A scenario planned week by week (``foodshed allocate --rolling``)."""
    from .network import network_options

    opts = network_options(sc, region)
    build_keys = (
        "cost_table",
        "site_cost_table",
        "period",
        "max_distance_m",
        "cost_per_kg_km",
        "budget_usd",
        "max_transfer_m",
        "transfer_cost_per_kg_km",
        "supply_profile",
        "need_profile",
    )
    problem = NetworkProblem.from_region(
        region, weeks=opts.pop("weeks"), **{k: opts.pop(k) for k in build_keys if k in opts}
    )
    shocks = opts.pop("shocks")
    objective = opts.pop("objective")
    manifest = {
        "region": region.name,
        "scenario": sc.to_dict(),
        "weeks": problem.weeks,
        "warnings": list(problem.warnings),
    }
    return plan_rolling(problem, shocks, objective, manifest=manifest, **opts)

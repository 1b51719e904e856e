"""Region-level entry points: :func:`allocate` and the efficiency/equity sweep."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from equity import NO_SUPPLY

from .problem import (
    DEFAULT_COST_PER_KG_KM,
    DEFAULT_LILA_COL,
    DEFAULT_MAX_DISTANCE_M,
    AllocationProblem,
    past_horizon,
)
from .shocks import apply_shocks, shock_to_dict
from .solution import AllocationSolution
from .solve import solve

if TYPE_CHECKING:
    from equity import Region

__all__ = ["allocate", "efficiency_equity_curve"]


def _problem(
    region: Region,
    shocks: Iterable[Any],
    *,
    period: str | None,
    max_distance_m: float,
    budget_usd: float | None,
    cost_per_kg_km: float,
    cost_table: pd.DataFrame | None,
    lila_col: str | None = DEFAULT_LILA_COL,
    estimates: bool = True,
) -> AllocationProblem:
    shocks = list(shocks)
    # a MaxDistance shock can only shrink reach, so build with the base reach and cut after
    problem = AllocationProblem.from_region(
        region,
        period=period,
        max_distance_m=max_distance_m,
        cost_per_kg_km=cost_per_kg_km,
        budget_usd=budget_usd,
        cost_table=cost_table,
        lila_col=lila_col,
        estimates=estimates,
    )
    return apply_shocks(problem, shocks)


def _weeks_left_out(region: Region, period: str | None) -> list[str]:
    """Warnings for rows of ``supply``/``need`` for weeks after the first: a one-period plan
    is week 1 (as a one-week plan over weeks is)."""
    reg = region
    if region.periods and (period or region.default_period) in region.periods:
        reg = region.select_period(period or region.default_period)  # type: ignore[arg-type]
    return [
        w
        for name in ("supply", "need")
        for w in past_horizon(getattr(reg, name), name, 1, region.sources.get(name, name))
    ]


def allocate(
    region: Region,
    *,
    objective: str = "cost",
    shocks: Sequence[Any] = (),
    period: str | None = None,
    max_distance_m: float = DEFAULT_MAX_DISTANCE_M,
    budget_usd: float | None = None,
    cost_per_kg_km: float = DEFAULT_COST_PER_KG_KM,
    cost_table: pd.DataFrame | None = None,
    lila_col: str | None = DEFAULT_LILA_COL,
    solver: str | None = None,
    time_limit_s: float | None = None,
    base: AllocationProblem | None = None,
    estimates: bool = True,
    **params: Any,
) -> AllocationSolution:
    """Build the allocation LP of ``region``, apply ``shocks`` and solve for ``objective``.

    ``base`` is the region's problem already built with the same ``period``, reach, budget,
    costs and ``lila_col`` (``AllocationProblem.from_region``): it is used instead of building
    it again (an interactive tool re-running plans of one region saves the build).

    ``lila_col`` names the low-income, low-access flag behind the ``*_lila`` KPIs (see
    :meth:`AllocationProblem.from_region`).

    A region without commodities, supply or need (a county built from public lists) is
    planned on documented estimates (:meth:`equity.Region.with_estimates`), with an
    :class:`equity.estimates.EstimatesWarning`; ``manifest["estimated"]`` says which tables
    are estimated and how. ``estimates=False`` refuses such a region instead.

    Examples
    --------
    >>> from equity import Region
    >>> from optimize import allocate, SiteOutage
    >>> plan = allocate(Region.demo(), objective="maxmin",
    ...                 shocks=[SiteOutage(site_kind="hub")])  # doctest: +SKIP
    >>> plan.kpis["min_fulfilment"]  # doctest: +SKIP
    """
    if base is not None:
        problem = apply_shocks(base, list(shocks))
    else:
        problem = _problem(
            region,
            shocks,
            period=period,
            max_distance_m=max_distance_m,
            budget_usd=budget_usd,
            cost_per_kg_km=cost_per_kg_km,
            cost_table=cost_table,
            lila_col=lila_col,
            estimates=estimates,
        )
    manifest = {
        "region": region.name,
        "period": period or region.default_period,
        "sources": dict(region.sources),
        "shocks": [shock_to_dict(s) for s in shocks],
        # the region's warnings that this plan rests on (no supply: nothing to hand out)
        "warnings": [p.message for p in region.problems if p.code == NO_SUPPLY]
        + _weeks_left_out(region, period),
    }
    if problem.estimated:
        manifest["estimated"] = dict(problem.estimated)
    return solve(
        problem,
        objective,
        solver=solver,
        time_limit_s=time_limit_s,
        manifest=manifest,
        **params,
    )


def efficiency_equity_curve(
    region: Region | AllocationProblem,
    *,
    weights: Sequence[float] = (0.0, 0.25, 0.5, 0.75, 0.9, 1.0),
    shocks: Sequence[Any] = (),
    solver: str | None = None,
    progress: Callable[[int, int, float], None] | None = None,
    **kwargs: Any,
) -> pd.DataFrame:
    """Sweep the ``balanced`` objective's equity weight: the price of fairness.

    One row per weight: need met (kg and share), smallest and mean fulfilment, Gini, transport
    cost, and the price of fairness relative to weight 0 (pure efficiency): ``food_price_kg``
    (need met given up) and ``money_price_usd`` (extra transport cost).

    ``progress(k, n, weight)``, when given, is called before the ``k``-th of ``n`` solves
    (``k`` from 1), e.g. to show how far a long curve is.
    """
    if isinstance(region, AllocationProblem):
        problem = apply_shocks(region, shocks)
    else:
        keys = (
            "period",
            "max_distance_m",
            "budget_usd",
            "cost_per_kg_km",
            "cost_table",
            "lila_col",
        )
        opts = {k: kwargs.pop(k) for k in keys if k in kwargs}
        problem = _problem(
            region,
            shocks,
            period=opts.get("period"),
            max_distance_m=opts.get("max_distance_m", DEFAULT_MAX_DISTANCE_M),
            budget_usd=opts.get("budget_usd"),
            cost_per_kg_km=opts.get("cost_per_kg_km", DEFAULT_COST_PER_KG_KM),
            cost_table=opts.get("cost_table"),
            lila_col=opts.get("lila_col", DEFAULT_LILA_COL),
        )
    rows = []
    ordered = sorted({float(w) for w in weights})
    for i, w in enumerate(ordered, start=1):
        if progress is not None:
            progress(i, len(ordered), w)
        sol = solve(problem, "balanced", solver=solver, equity_weight=w, **kwargs)
        k = sol.kpis
        rows.append(
            {
                "equity_weight": w,
                "status": sol.status.value,
                "need_met_kg": k["need_met_kg"],
                "need_met_share": k["need_met_share"],
                "min_fulfilment": k["min_fulfilment"],
                "min_fulfilment_reachable": k["min_fulfilment_reachable"],
                "mean_fulfilment": k["mean_fulfilment"],
                "gini_fulfilment": k["gini_fulfilment"],
                "transport_cost_usd": k["transport_cost_usd"],
                "need_met_share_lila": k.get("need_met_share_lila", float("nan")),
            }
        )
    out = pd.DataFrame(rows)
    base = out.iloc[0]
    out["food_price_kg"] = base["need_met_kg"] - out["need_met_kg"]
    out["food_price_share"] = np.where(
        base["need_met_kg"] > 0, out["food_price_kg"] / base["need_met_kg"], 0.0
    )
    out["money_price_usd"] = out["transport_cost_usd"] - base["transport_cost_usd"]
    return out

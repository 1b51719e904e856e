"""Plans: the Plan page's settings, solving them, and a solved plan as plain data.

:class:`PlanParams` (what the Plan page sends to a run), :func:`solve_plan` / :func:`run_plan`
(one plan with :func:`optimize.allocate`, or over weeks with
:func:`optimize.network.allocate_network`), the JSON-ready run record a browser session keeps
(:func:`solution_record`, :func:`plan_digest`, :func:`jsonable`), what a person must be told about
a run (:func:`plan_warning`), comparisons of runs and the efficiency/equity curve, and what the
reports read off a solved plan (:func:`kpis_of`, :func:`manifest_of`, ...).

Part of the dashboard's one door into ``equity`` and ``optimize``: :mod:`dashboard.services`
re-exports every public name here, and callers import them from there.
"""

from __future__ import annotations

import hashlib
import math
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from equity import FoodshedError, Region
from optimize.catalogue import OBJECTIVES as _OBJECTIVES

if TYPE_CHECKING:
    from optimize import AllocationSolution

#: The objectives as the Goal menu offers them (from :data:`optimize.catalogue.OBJECTIVES`).
OBJECTIVES = {name: o.choice for name, o in _OBJECTIVES.items()}


# ---------------------------------------------------------------------- solving a plan
@dataclass(frozen=True)
class PlanParams:
    """What the Plan page sends to a run (all plain values)."""

    objective: str = "balanced"
    equity_weight: float = 0.5
    budget_usd: float | None = None
    max_distance_km: float | None = None
    sites_off: tuple[str, ...] = ()
    yield_pct: tuple[tuple[str, float], ...] = ()  # (site kind, percent of normal)
    surge_areas: tuple[str, ...] = ()
    surge_pct: float = 0.0
    period: str | None = None
    label: str = ""
    #: the network over weeks (optimize.network): weeks planned at once, the longest transfer
    #: between sites (None: no transfers) and the weeks the sites switched off are out (empty:
    #: every week)
    weeks: int = 1
    max_transfer_km: float | None = None
    outage_weeks: tuple[int, ...] = ()

    @property
    def over_weeks(self) -> bool:
        """Whether the plan runs over weeks (:func:`optimize.network.allocate_network`)."""
        return self.weeks > 1 or self.max_transfer_km is not None or bool(self.outage_weeks)

    def as_dict(self) -> dict[str, Any]:
        return {
            "objective": self.objective,
            "equity_weight": self.equity_weight,
            "budget_usd": self.budget_usd,
            "max_distance_km": self.max_distance_km,
            "sites_off": list(self.sites_off),
            "yield_pct": dict(self.yield_pct),
            "surge_areas": list(self.surge_areas),
            "surge_pct": self.surge_pct,
            "period": self.period,
            "weeks": self.weeks,
            "max_transfer_km": self.max_transfer_km,
            "outage_weeks": list(self.outage_weeks),
        }

    def describe(self) -> str:
        parts = [OBJECTIVES.get(self.objective, self.objective).split(":")[0]]
        if self.objective == "balanced":
            parts.append(f"equity weight {self.equity_weight:.2f}")
        if self.weeks > 1:
            parts.append(f"{self.weeks} weeks")
        if self.max_transfer_km is not None:
            parts.append(f"transfers within {self.max_transfer_km:g} km")
        if self.sites_off:
            when = f" in week(s) {', '.join(map(str, self.outage_weeks))}"
            parts.append(f"{len(self.sites_off)} site(s) off" + (when if self.outage_weeks else ""))
        for kind, pct in self.yield_pct:
            if pct != 100:
                parts.append(f"{kind} yield {pct:.0f}%")
        if self.surge_areas and self.surge_pct:
            parts.append(f"+{self.surge_pct:.0f}% need in {len(self.surge_areas)} area(s)")
        if self.budget_usd is not None:
            parts.append(f"budget ${self.budget_usd:,.0f}")
        if self.max_distance_km is not None:
            parts.append(f"within {self.max_distance_km:g} km")
        if self.period:
            parts.append(str(self.period))
        return ", ".join(parts)


def run_plan(region: Region, params: PlanParams, *, region_key: str) -> dict[str, Any]:
    """Solve one plan with :func:`optimize.allocate` and return it as a JSON-ready run record.

    A run that fails on bad input (a :class:`~equity.FoodshedError`) comes back with
    ``status="error"`` and the message in plain words, to be shown in the page; unexpected
    errors propagate. :func:`solve_plan` also gives the solution itself.
    """
    return solve_plan(region, params, region_key=region_key)[0]


def solve_plan(
    region: Region,
    params: PlanParams,
    *,
    region_key: str,
    progress: Callable[[str], Any] | None = None,
) -> tuple[dict[str, Any], AllocationSolution | None]:
    """:func:`run_plan`'s record and the :class:`optimize.AllocationSolution` it was made from
    (``None`` for an error record), kept by the app for the run's report.

    ``progress(text)``, when given, is told what the run is doing (the Plan page shows it)."""
    t0 = time.perf_counter()
    if region.periods and params.period is None:
        params = replace(params, period=region.default_period)
    base = {
        "id": uuid.uuid4().hex[:10],
        "label": params.label or params.describe(),
        "description": params.describe(),
        "region": region_key,
        "params": params.as_dict(),
    }
    if progress is not None:
        weeks = f" over {params.weeks} weeks" if params.over_weeks else ""
        progress(f"Solving the plan{weeks}...")
    try:
        sol = allocate_plan(region, params)
    except FoodshedError as exc:
        error = base | {
            "status": "error",
            "message": str(exc),
            "kpis": {},
            "fulfilment": [],
            "flows": [],
            "unmet": [],
            "binding": [],
            "manifest": {},
        }
        return error, None
    body = solution_record(region, sol)
    body["kpis"]["solve_time_s"] = time.perf_counter() - t0
    return base | body, sol


#: KPIs that measure how evenly food is shared: meaningless for a plan that delivers nothing
INEQUALITY_KPIS = ("gini_fulfilment",)


def delivers_nothing(run: dict[str, Any]) -> bool:
    """Whether a solved run delivers no food at all (then its :data:`INEQUALITY_KPIS` mean
    nothing and are not shown as the plan's result)."""
    kpis = run.get("kpis") or {}
    return run.get("status") != "error" and kpis.get("kg_delivered", 1.0) <= 0


def plan_warning(run: dict[str, Any]) -> str | None:
    """What a person must know about a solved run beyond "solved", in plain words: why it
    delivers nothing, or that a $0 budget lets through only food that needs no transport;
    ``None`` otherwise."""
    kpis = run.get("kpis") or {}
    p = params_from_dict(run.get("params") or {})
    zero_budget = p.budget_usd is not None and p.budget_usd <= 0
    if delivers_nothing(run):
        if kpis.get("need_kg", 0) <= 0:
            why = "there is no need to meet in this region and period"
        elif zero_budget:
            why = "the transport budget is $0, so no delivery can be paid for; raise the budget"
        elif p.yield_pct and all(pct <= 0 for _, pct in p.yield_pct):
            why = "every kind of site is set to 0% yield; raise a yield"
        else:
            why = (
                "no supply can reach an area under these settings; allow longer deliveries, "
                "switch sites back on or raise yields"
            )
        return (
            f"Nothing was delivered: {why}. How fairly food is shared means nothing when no "
            "food is shared, so the fairness figures are not shown."
        )
    if zero_budget and run.get("status") != "error":
        return (
            "The transport budget is $0, so only food that needs no transport (from a site in "
            f"the area it feeds) is delivered: {kpis.get('need_met_kg', 0):,.0f} kg of "
            f"{kpis.get('need_kg', 0):,.0f} kg of need. Raise the budget to plan deliveries."
        )
    return None


def allocate_plan(region: Region, params: PlanParams) -> AllocationSolution:
    """Call :func:`optimize.allocate` with the shocks and settings of ``params``."""
    import optimize

    shocks: list[Any] = []
    if params.sites_off:
        outage = optimize.SiteOutage(site_ids=tuple(params.sites_off))
        if params.outage_weeks:
            from optimize.network import InWeeks

            outage = InWeeks(outage, tuple(params.outage_weeks))  # type: ignore[assignment]
        shocks.append(outage)
    for kind, pct in params.yield_pct:
        if pct != 100:
            shocks.append(optimize.YieldFactor(pct / 100.0, site_kind=kind))
    if params.surge_areas and params.surge_pct:
        shocks.append(
            optimize.DemandSurge(1 + params.surge_pct / 100.0, area_ids=tuple(params.surge_areas))
        )
    kwargs: dict[str, Any] = {"objective": params.objective, "shocks": tuple(shocks)}
    if params.objective == "balanced":
        kwargs["equity_weight"] = params.equity_weight
    if params.max_distance_km is not None:
        kwargs["max_distance_m"] = params.max_distance_km * 1000
    if params.budget_usd is not None:
        kwargs["budget_usd"] = params.budget_usd
    if params.period is not None:
        kwargs["period"] = params.period
    if params.over_weeks:
        return _allocate_weeks(region, params, kwargs)
    kwargs["base"] = _base_problem(region, kwargs)
    return optimize.allocate(region, **kwargs)


def _allocate_weeks(region: Region, params: PlanParams, kwargs: dict[str, Any]) -> Any:
    """The plan over ``params.weeks`` weeks with transfers, storage and shelf life
    (:func:`optimize.network.allocate_network`; a region without need or supply is planned on
    documented estimates, as a one-week plan is)."""
    from equity.estimates import estimated_inputs
    from optimize.network import allocate_network
    from optimize.problem import planning_region

    planned = planning_region(region)
    if params.max_transfer_km is not None:
        kwargs["max_transfer_m"] = params.max_transfer_km * 1000
    sol = allocate_network(planned, weeks=params.weeks, maxmin_over="area_week", **kwargs)
    estimated = estimated_inputs(planned)
    if estimated:
        sol.manifest["estimated"] = estimated
    return sol


def _base_problem(region: Region, kwargs: dict[str, Any]) -> Any:
    """The built problem of ``region`` with the settings that shape the LP (shocks are applied
    to a copy), kept in :data:`dashboard.caches.CACHES` while the region lives."""
    import weakref

    from optimize import AllocationProblem
    from optimize.problem import DEFAULT_MAX_DISTANCE_M

    from .caches import CACHES

    key = (
        id(region),
        kwargs.get("period"),
        kwargs.get("max_distance_m", DEFAULT_MAX_DISTANCE_M),
        kwargs.get("budget_usd"),
    )
    hit = CACHES.get("problems", key)
    if hit is not None and hit[0]() is region:
        return hit[1]
    problem = AllocationProblem.from_region(
        region,
        period=key[1],
        max_distance_m=key[2],
        budget_usd=key[3],
    )
    CACHES.put("problems", key, (weakref.ref(region), problem))
    return problem


def params_from_dict(d: dict[str, Any]) -> PlanParams:
    """:class:`PlanParams` back from :meth:`PlanParams.as_dict` (as stored with a run)."""
    return PlanParams(
        objective=d.get("objective", "balanced"),
        equity_weight=float(d.get("equity_weight", 0.5)),
        budget_usd=d.get("budget_usd"),
        max_distance_km=d.get("max_distance_km"),
        sites_off=tuple(d.get("sites_off") or ()),
        yield_pct=tuple((k, float(v)) for k, v in (d.get("yield_pct") or {}).items()),
        surge_areas=tuple(d.get("surge_areas") or ()),
        surge_pct=float(d.get("surge_pct") or 0.0),
        period=d.get("period"),
        weeks=int(d.get("weeks") or 1),
        max_transfer_km=d.get("max_transfer_km"),
        outage_weeks=tuple(int(w) for w in d.get("outage_weeks") or ()),
    )


def report_html(
    region: Region, solution: AllocationSolution, *, label: str, areas: Any = None
) -> str:
    """The HTML report (``dashboard.report``) of a plan already solved (not solved again)."""
    from .report import render_report

    return render_report(region, solution, scenario=label, areas=areas)


#: The flow columns a run keeps (of ``AllocationSolution.flows``).
_FLOW_COLUMNS = [
    "site_id",
    "site_name",
    "area_id",
    "commodity",
    "quantity_kg",
    "distance_m",
    "cost_usd",
]


def solution_record(region: Region, sol: AllocationSolution) -> dict[str, Any]:
    """An :class:`optimize.AllocationSolution` as plain JSON-ready data."""
    ful = sol.fulfilment.assign(area_id=sol.fulfilment["area_id"].astype(str))
    status = sol.status.value
    return {
        "status": status,
        "ok": sol.ok,
        "message": "" if status == "optimal" else sol.message,
        "kpis": {k: float(v) for k, v in sol.kpis.items() if _is_number(v)},
        "fulfilment": ful.to_dict("records"),
        # column lists, not records: a run travels to the browser's store and back on every
        # later run, and thousands of flow rows as records repeat every key (several times larger)
        "flows": _columns(sol.flows[[c for c in ("week", *_FLOW_COLUMNS) if c in sol.flows]]),
        "unmet": _unmet_by_commodity(sol.unmet, region).to_dict("records"),
        "binding": binding_text(sol.binding),
        "manifest": jsonable(dict(sol.manifest)),
        "plan_digest": plan_digest(sol),
        **_weeks_record(sol),
    }


def plan_digest(sol: AllocationSolution) -> str:
    """A short fingerprint of what a plan moves (every delivery and move between sites, to the
    gram): two runs with the same digest give the same plan, whatever goal or settings they
    were solved with (the solver ends at one vertex whatever its start, docs/optimize.md)."""
    h = hashlib.blake2b(digest_size=8)
    tables = [sol.flows, getattr(sol, "transfers", None)]
    for t in tables:
        if not isinstance(t, pd.DataFrame) or t.empty:
            h.update(b"-")
            continue
        keys = [c for c in t.columns if c in ("week", "site_id", "from_site_id", "to_site_id")]
        keys += [c for c in ("area_id", "commodity") if c in t.columns]
        kg = t["quantity_kg"].astype(float).round(3)
        rows = t.loc[kg > 0, keys].astype(str).assign(kg=kg[kg > 0].map("{:.3f}".format))
        h.update(rows.sort_values([*keys, "kg"]).to_csv(index=False).encode())
    return h.hexdigest()


def _weeks_record(sol: AllocationSolution) -> dict[str, Any]:
    """The parts of a plan over weeks a run keeps (none for a one-period plan): ``weeks``,
    ``kpis_by_week`` (records), ``transfers`` and ``fulfilment_by_week`` (column lists)."""
    by_week = getattr(sol, "kpis_by_week", None)
    if not isinstance(by_week, pd.DataFrame) or by_week.empty:
        return {}
    ful = sol.fulfilment_by_week  # type: ignore[attr-defined]
    ful = ful.assign(area_id=ful["area_id"].astype(str))
    return {
        "weeks": int(by_week["week"].max()),
        "kpis_by_week": jsonable(by_week.to_dict("records")),
        "transfers": _columns(sol.transfers),  # type: ignore[attr-defined]
        "fulfilment_by_week": _columns(ful[["week", "area_id", "need_kg", "met_kg", "fulfilment"]]),
    }


#: decimals kept for the stored flows (grams, decimetres, hundredths of a cent)
_FLOW_DECIMALS = {"quantity_kg": 3, "distance_m": 1, "cost_usd": 4}


def _columns(df: pd.DataFrame) -> dict[str, list[Any]]:
    """``df`` as JSON-ready column lists (``pd.DataFrame(out)`` gives it back)."""
    df = df.round({k: v for k, v in _FLOW_DECIMALS.items() if k in df.columns})
    # numbers and flags: ``tolist`` already gives Python's own types (converting item by item
    # was a visible part of a re-run); strings are kept as they are
    return {
        str(c): df[c].tolist()
        if df[c].dtype.kind in "biuf"
        else [v if type(v) is str else jsonable(v) for v in df[c].tolist()]
        for c in df.columns
    }


def binding_text(binding: pd.DataFrame, *, limit: int = 12) -> list[str]:
    """The explanations of the binding limits (rows of ``AllocationSolution.duals`` /
    ``.binding``), most valuable first."""
    b = binding[binding["binding"].fillna(False).astype(bool)]
    b = b.sort_values("value_per_unit", ascending=False, key=lambda s: s.abs())
    texts = [str(t) for t in b["explanation"] if isinstance(t, str) and t.strip()]
    return texts[:limit]


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool)


def jsonable(obj: Any) -> Any:
    """``obj`` as plain JSON data: the dashboard's one JSON cleaner.

    Mappings become dicts with text keys, sequences and arrays lists, numpy scalars Python
    numbers, NaN and infinities ``None``; anything else (paths, enums, timestamps) its text.
    Also the ``default=`` of ``json.dumps`` for what it cannot write itself.
    """
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | np.ndarray):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if obj is None or isinstance(obj, str | int | float | bool):
        return obj
    return str(obj)


def _unmet_by_commodity(unmet: pd.DataFrame, region: Region) -> pd.DataFrame:
    """Unmet kg per commodity (of ``AllocationSolution.unmet``), with each food's ``name``."""
    out = unmet.groupby("commodity", as_index=False)["unmet_kg"].sum()
    out["name"] = out["commodity"].map(region.commodity_name)
    return out


def efficiency_equity(
    region: Region,
    *,
    weights: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0),
    progress: Callable[[str], Any] | None = None,
    **kwargs: Any,
) -> pd.DataFrame:
    """The efficiency/equity curve from :func:`optimize.efficiency_equity_curve`.

    One row per equity weight with ``need_met_kg``, ``min_fulfilment``, ``food_price_share``,
    ``money_price_usd`` and more. ``progress(text)``, when given, hears which weight is being
    solved ("Solving equity weight 0.25 (2 of 5)...").
    """
    from optimize import efficiency_equity_curve

    if region.periods and "period" not in kwargs:
        kwargs["period"] = region.default_period
    if progress is not None:
        tell = progress
        kwargs["progress"] = lambda k, n, w: tell(f"Solving equity weight {w:g} ({k} of {n})...")
    return pd.DataFrame(efficiency_equity_curve(region, weights=list(weights), **kwargs))


def compare_fulfilment(base: dict[str, Any], alt: dict[str, Any]) -> pd.DataFrame:
    """Per-area change in share of need met from run ``base`` to run ``alt``."""
    b = pd.DataFrame(base["fulfilment"])
    a = pd.DataFrame(alt["fulfilment"])
    if b.empty or a.empty:
        return pd.DataFrame(columns=["area_id", "population", "base", "alt", "fulfilment_change"])
    m = b[["area_id", "population", "fulfilment"]].merge(
        a[["area_id", "fulfilment"]], on="area_id", suffixes=("_base", "_alt")
    )
    m = m.rename(columns={"fulfilment_base": "base", "fulfilment_alt": "alt"})
    m["fulfilment_change"] = m["alt"] - m["base"]
    return m


# ---------------------------------------------------------------------- solved plans for the reports
def allocate(region: Region, **options: Any) -> AllocationSolution:
    """Solve one plan for ``region`` (``optimize.allocate`` with its keyword options)."""
    import optimize

    return optimize.allocate(region, **options)


def objective_of(solution: AllocationSolution) -> str:
    """The objective the plan was solved for (an ``optimize.OBJECTIVES`` name)."""
    return solution.objective


def status_of(solution: AllocationSolution) -> str:
    """The solve status (an ``optimize.SolveStatus`` value such as ``"optimal"``)."""
    return solution.status.value


def manifest_of(solution: AllocationSolution) -> dict[str, Any]:
    """The solution's run manifest as plain JSON-able data."""
    return jsonable(dict(solution.manifest))


def estimated_of(solution: AllocationSolution | None) -> dict[str, str]:
    """``{table: how it was estimated}`` for the inputs of a plan that are documented
    estimates (``manifest["estimated"]``; empty when the data had its own need and supply)."""
    est = solution.manifest.get("estimated") if solution is not None else None
    return {str(k): str(v) for k, v in (est or {}).items()}


def planned_region(region: Region, solution: AllocationSolution | None) -> Region:
    """The region as the plan saw it: with the estimated tables (``Region.with_estimates``,
    default assumptions) when the plan was built on estimates and ``region`` lacks them."""
    if estimated_of(solution) and len(region.commodities) == 0:
        return region.with_estimates()
    return region


def kpis_of(solution: AllocationSolution) -> dict[str, Any]:
    """The solution's KPIs (a copy)."""
    return dict(solution.kpis)

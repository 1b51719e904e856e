"""Every call the dashboard makes into ``equity`` and ``optimize``, in one module.

Callbacks never touch the analytics or the optimizer directly: they call the functions here,
which return plain, JSON-ready values (runs are dicts that live in each browser session's
``dcc.Store``). The :class:`RegionCatalog` is a per-app cache of loaded regions and their
analyses, keyed by the region key a session holds; it is a cache, not shared mutable state:
what a session sees depends only on its own key and its own runs.
"""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from equity import FoodshedError, Region
from optimize.catalogue import OBJECTIVES as _OBJECTIVES

from ._settings import Settings

if TYPE_CHECKING:
    from optimize import AllocationSolution

DEFAULT_KEY = "default"

#: The objectives as the Goal menu offers them (from :data:`optimize.catalogue.OBJECTIVES`).
OBJECTIVES = {name: o.choice for name, o in _OBJECTIVES.items()}


# ---------------------------------------------------------------------- the region catalog
@dataclass
class _Entry:
    region: Region
    source: str
    analysis: Any = None
    display: dict[str, Any] | None = None
    memo: dict[Any, Any] = field(default_factory=dict)


class RegionCatalog:
    """Loaded regions of one app, keyed by the key a browser session holds.

    ``DEFAULT_KEY`` is the region the app started with; every upload or folder gets a new
    random key, so one session can never see another's upload without its key. At most
    ``settings.max_regions`` regions stay loaded (least recently used are dropped; the default
    region is loaded again on demand).
    """

    def __init__(self, loader: Callable[[], Region], settings: Settings):
        self._loader = loader
        self._settings = settings
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._folders: dict[str, Path] = {}
        self._lock = threading.RLock()
        self._key_locks: dict[str, threading.Lock] = {}

    # -- loading
    def _entry(self, key: str) -> _Entry:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
            klock = self._key_locks.setdefault(key, threading.Lock())
        with klock:  # one load per key at a time; other keys load in parallel
            with self._lock:
                if key in self._entries:
                    return self._entries[key]
            if key == DEFAULT_KEY:
                region, source = self._loader(), "start"
            elif key in self._folders:
                folder = self._folders[key]
                # an upload is read again as it was checked: nothing outside the upload folder
                up = Path(self._settings.upload_dir).resolve()
                confine = up if up in folder.resolve().parents else None
                region, source = Region.from_dir(folder, confine_to=confine), str(folder)
            else:
                msg = (
                    "this session's region is no longer loaded (the server restarted or "
                    "dropped it); load it again on the Data page"
                )
                raise FoodshedError(msg)
            entry = _Entry(region, source)
            with self._lock:
                self._entries[key] = entry
                while len(self._entries) > self._settings.max_regions:
                    self._entries.popitem(last=False)
            return entry

    def region(self, key: str | None) -> Region:
        return self._entry(key or DEFAULT_KEY).region

    def add(self, folder: Path, region: Region) -> str:
        """Register an already validated region folder; return its new key."""
        key = "r-" + secrets.token_urlsafe(12)
        with self._lock:
            self._folders[key] = Path(folder)
            self._entries[key] = _Entry(region, str(folder))
            while len(self._entries) > self._settings.max_regions:
                self._entries.popitem(last=False)
        return key

    def ready(self, key: str | None) -> bool:
        """Whether the region's analysis and map outlines are computed (nothing is loaded here)."""
        with self._lock:
            entry = self._entries.get(key or DEFAULT_KEY)
        return entry is not None and entry.analysis is not None and entry.display is not None

    def memo(self, key: str | None, name: Any, build: Callable[[], Any]) -> Any:
        """``build()``, computed once per loaded region (dropped with it): ready-made page parts."""
        entry = self._entry(key or DEFAULT_KEY)
        if name not in entry.memo:
            entry.memo[name] = build()
        return entry.memo[name]

    def analysis(self, key: str | None) -> Any:
        """The equity analysis of the region (one GeoDataFrame row per area), computed once."""
        entry = self._entry(key or DEFAULT_KEY)
        if entry.analysis is None:
            entry.analysis = analyze(entry.region)
        return entry.analysis

    def display(self, key: str | None) -> dict[str, Any]:
        """WGS84 frames and the simplified area GeoJSON, computed once per region."""
        from .figures import area_geojson

        entry = self._entry(key or DEFAULT_KEY)
        if entry.display is None:
            disp = entry.region.to_display()
            disp["geojson"] = area_geojson(entry.region.areas, simplify_m=self._settings.simplify_m)
            entry.display = disp
        return entry.display


# ---------------------------------------------------------------------- analytics
def analyze(region: Region) -> Any:
    """Equity measures per area (``equity.analyze``), with ``area_id`` as text."""
    from equity import analyze as _analyze

    out = _analyze(region).copy()
    out["area_id"] = out["area_id"].astype(str)
    return out


_HEADLINE_ORDER = (
    "LILATracts_1And10",
    "LILATracts_halfAnd10",
    "LILATracts_Vehicle",
    "LILATracts_1And20",
    "LA1and10",
    "LAhalfand10",
    "LA1and20",
)


def _people_phrase(label: str) -> str:
    """ "in food deserts: ..." from a flag's catalogue label, for "N people <phrase>"."""
    for head, phrase in (("Food desert", "in food deserts"), ("Low access", "with low access")):
        if label.startswith(head):
            return phrase + label[len(head) :]
    return "in areas flagged: " + label[:1].lower() + label[1:]


def headline(areas: pd.DataFrame) -> list[dict[str, Any]]:
    """Headline numbers: people in food deserts by each LILA/low-access flag.

    Each item: ``{column, label, people, share, low_income_people, low_income_label}``. Low-income
    people are the analysis' own count when it has one (``*_lowi`` / ``lalowi*``), else the
    people below the poverty line (``population * poverty_rate``) in the flagged areas.
    """
    from .figures import measure_info

    pop = pd.to_numeric(areas["population"], errors="coerce").fillna(0)
    total = float(pop.sum()) or 1.0
    flags = [c for c in areas.columns if c.startswith(("LILATracts", "LA1and", "LAhalfand"))]
    order = {c: i for i, c in enumerate(_HEADLINE_ORDER)}
    flags.sort(key=lambda c: (order.get(c, 99), c))
    out = []
    for col in flags:
        f = areas[col].fillna(False).astype(bool)
        people = float(pop[f].sum())
        if "poverty_rate" in areas.columns:
            lowi = float((pop * areas["poverty_rate"].fillna(0))[f].sum())
            lowi_label = "of them below the poverty line"
        else:
            lowi, lowi_label = float("nan"), "low-income count not available"
        out.append(
            {
                "column": col,
                "label": measure_info(col).label,
                "short": _people_phrase(measure_info(col).label),
                "people": people,
                "share": people / total,
                "low_income_people": lowi,
                "low_income_label": lowi_label,
            }
        )
    return out


# ---------------------------------------------------------------------- allocation
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
        }

    def describe(self) -> str:
        parts = [OBJECTIVES.get(self.objective, self.objective).split(":")[0]]
        if self.objective == "balanced":
            parts.append(f"equity weight {self.equity_weight:.2f}")
        if self.sites_off:
            parts.append(f"{len(self.sites_off)} site(s) off")
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
    errors propagate.
    """

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
    try:
        sol = _allocate(region, params)
    except FoodshedError as exc:
        return base | {
            "status": "error",
            "message": str(exc),
            "kpis": {},
            "fulfilment": [],
            "flows": [],
            "unmet": [],
            "binding": [],
            "manifest": {},
        }
    body = solution_record(region, sol)
    body["kpis"]["solve_time_s"] = time.perf_counter() - t0
    return base | body


def _allocate(region: Region, params: PlanParams) -> AllocationSolution:
    """Call :func:`optimize.allocate` with the shocks and settings of ``params``."""
    import optimize

    shocks: list[Any] = []
    if params.sites_off:
        shocks.append(optimize.SiteOutage(site_ids=tuple(params.sites_off)))
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
    kwargs["base"] = _base_problem(region, kwargs)
    return optimize.allocate(region, **kwargs)


#: Built problems of the regions in use (the build is a good part of a re-run; docs/dashboard.md),
#: by region object and the settings that shape the LP; shocks are applied to a copy.
_BASES: dict[tuple[Any, ...], tuple[Any, Any]] = {}
_BASES_LOCK = threading.Lock()
_BASES_MAX = 8


def _clear_bases() -> None:
    with _BASES_LOCK:
        _BASES.clear()


def _base_problem(region: Region, kwargs: dict[str, Any]) -> Any:
    import weakref

    from optimize import AllocationProblem
    from optimize.caches import CACHES
    from optimize.problem import DEFAULT_MAX_DISTANCE_M

    CACHES.register(_clear_bases)  # emptied with every optimize cache (tests reset them)

    key = (
        id(region),
        kwargs.get("period"),
        kwargs.get("max_distance_m", DEFAULT_MAX_DISTANCE_M),
        kwargs.get("budget_usd"),
    )
    with _BASES_LOCK:
        hit = _BASES.get(key)
    if hit is not None and hit[0]() is region:
        return hit[1]
    problem = AllocationProblem.from_region(
        region,
        period=key[1],
        max_distance_m=key[2],
        budget_usd=key[3],
    )
    with _BASES_LOCK:
        _BASES[key] = (weakref.ref(region), problem)
        while len(_BASES) > _BASES_MAX:
            _BASES.pop(next(iter(_BASES)))
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
    )


def report_html(region: Region, run: dict[str, Any], areas: Any = None) -> str:
    """The HTML report (``dashboard.report``) of a stored run, solved again from its settings."""
    from .report import render_report

    sol = _allocate(region, params_from_dict(run["params"]))
    return render_report(region, sol, scenario=run["label"], areas=areas)


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
        "flows": _columns(sol.flows[_FLOW_COLUMNS]),
        "unmet": _unmet_by_commodity(sol.unmet).to_dict("records"),
        "binding": binding_text(sol.binding),
        "manifest": _jsonable(dict(sol.manifest)),
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
        else [v if type(v) is str else _jsonable(v) for v in df[c].tolist()]
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


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    if obj is None or isinstance(obj, str | int | float | bool):
        return obj
    return str(obj)


def _unmet_by_commodity(unmet: pd.DataFrame) -> pd.DataFrame:
    """Unmet kg per commodity (of ``AllocationSolution.unmet``)."""
    return unmet.groupby("commodity", as_index=False)["unmet_kg"].sum()


def efficiency_equity(
    region: Region, *, weights: tuple[float, ...] = (0.0, 0.5, 1.0), **kwargs: Any
) -> pd.DataFrame:
    """The efficiency/equity curve from :func:`optimize.efficiency_equity_curve`.

    One row per equity weight with ``need_met_kg``, ``min_fulfilment``, ``food_price_share``,
    ``money_price_usd`` and more.
    """
    from optimize import efficiency_equity_curve

    if region.periods and "period" not in kwargs:
        kwargs["period"] = region.default_period
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


# ---------------------------------------------------------------------- scenario files
def bundled_scenarios_dir() -> Any:
    """The folder of scenario TOML files that ship with ``optimize`` (for the demo region)."""
    from pathlib import Path

    import optimize

    return Path(optimize.__file__).resolve().parent / "scenarios"


def list_scenarios(folder: Any, region: Region | None = None) -> list[dict[str, str]]:
    """Dropdown options ``{label, value}`` for the scenario TOML files in ``folder``.

    With ``region``, files whose site outages name sites the region lacks are left out.
    """
    from pathlib import Path

    import optimize

    out: list[dict[str, str]] = []
    base = Path(folder) if folder else None
    if base is None or not base.is_dir():
        return out
    for path in sorted(base.glob("*.toml")):
        try:
            sc = optimize.Scenario.from_toml(path)
        except (FoodshedError, ValueError, OSError):
            continue  # a broken file is for `foodshed allocate` to explain, not this list
        if region is not None:
            known = set(region.sites["site_id"].astype(str))
            named = {i for sh in sc.shocks for i in (getattr(sh, "site_ids", None) or [])}
            if not named <= known:
                continue
        label = sc.name.replace("_", " ")
        if sc.description:
            label += f": {sc.description}"
        out.append({"label": label, "value": str(path)})
    return out


def scenario_controls(path: Any, region: Region) -> dict[str, Any]:
    """Plan-page control values for a scenario file, and notes on what the controls cannot show.

    Site outages by id or kind, yield factors by site kind and demand surges (by area ids or an
    area-column rule, resolved to area ids here) map onto the controls; anything else (e.g. a
    yield factor for one commodity) is listed in ``notes`` and not applied.
    """
    import optimize

    sc = optimize.Scenario.from_toml(path)
    sites = region.sites
    areas = region.areas
    out: dict[str, Any] = {
        "label": sc.name.replace("_", " "),
        "objective": sc.objective,
        "period": sc.period if sc.period in region.periods else region.default_period,
        "equity_weight": sc.params.equity_weight if sc.params.equity_weight is not None else 0.5,
        "max_distance_km": (sc.network.max_distance_m or 8000.0) / 1000.0,
        "budget_usd": sc.network.budget_usd,
        "sites_off": [],
        "yield_pct": {},
        "surge_areas": [],
        "surge_pct": 0.0,
        "notes": [],
    }
    hidden = {
        "fair_share_band": sc.params.fair_share_band,
        "unmet_penalty_usd_per_kg": sc.params.unmet_penalty_usd_per_kg,
    }
    for name, value in hidden.items():
        if value is not None:
            out["notes"].append(
                f"{name} = {value} is not shown in the controls; the default is used"
            )
    if sc.is_network:  # plans over weeks (optimize.network): this page shows one week
        tr = sc.network.max_transfer_m
        out["notes"].append(
            f"this scenario plans {sc.weeks} week(s)"
            + (f" with transfers between sites within {tr / 1000:g} km" if tr else "")
            + "; this page plans one week (week 1). Run the file with `foodshed allocate` or "
            "`foodshed report` for the plan over weeks."
        )
    if sc.network.roads:
        out["notes"].append(
            f"distances over the roads in {sc.network.roads!r} are not used on this page "
            "(straight lines here)"
        )
    for shock in sc.shocks:
        d = shock.model_dump()
        kind = d.get("kind")
        weeks = d.pop("weeks", None)
        if weeks and 1 not in weeks:
            out["notes"].append(
                f"{kind} in week(s) {weeks} only: not applied to the one week shown here"
            )
            continue
        if kind == "site_outage":
            ids = list(d.get("site_ids") or [])
            if d.get("site_kind"):
                ids += sites.loc[sites["kind"] == d["site_kind"], "site_id"].astype(str).tolist()
            out["sites_off"] += ids
        elif (
            kind == "yield_factor"
            and d.get("site_kind")
            and not d.get("site_ids")
            and not (d.get("commodities"))
        ):
            out["yield_pct"][d["site_kind"]] = round(100 * float(d["factor"]))
        elif kind == "demand_surge" and not d.get("commodities"):
            ids = list(d.get("area_ids") or [])
            col = d.get("area_column") or d.get("area_flag")
            if col and col in areas.columns:
                sel = areas[col].astype(float)
                keep = sel.notna()
                if d.get("at_least") is not None:
                    keep &= sel >= d["at_least"]
                if d.get("at_most") is not None:
                    keep &= sel <= d["at_most"]
                if d.get("area_flag") and d.get("at_least") is None and d.get("at_most") is None:
                    keep &= sel.astype(bool)
                ids += areas.loc[keep, "area_id"].astype(str).tolist()
            out["surge_areas"] += ids
            out["surge_pct"] = round(100 * (float(d["factor"]) - 1))
        else:
            what = ", ".join(f"{k}={v}" for k, v in d.items() if v not in (None, [], ""))
            out["notes"].append(
                f"not shown in the controls and not applied here: {what} "
                "(run the file with `foodshed allocate` for it)"
            )
    return out

"""The :class:`AllocationSolution`: a solved plan as tidy frames, KPIs and explanations."""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from equity.inequality import gini

from ._lp import SolveStatus
from .catalogue import limit_worth

__all__ = ["AllocationSolution", "SolveRun"]

#: Flows below this many kg are reported as zero.
FLOW_TOL_KG = 1e-6


def _plain(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def _json(obj: Any) -> str:
    return json.dumps(_plain(obj), indent=2, sort_keys=False, default=str) + "\n"


@dataclass(frozen=True, eq=False)
class AllocationSolution:
    """A solved allocation plan.

    Attributes
    ----------
    flows : DataFrame
        One row per (site, area, commodity served, need commodity) with a positive flow:
        ``site_id, site_name, area_id, commodity, need_commodity, quantity_kg, met_kg,
        distance_m, cost_usd``. ``commodity`` differs from ``need_commodity`` for substitutes;
        ``met_kg`` is ``quantity_kg`` times the acceptability.
    fulfilment : DataFrame
        Per area: ``area_id, population, need_kg, met_kg, unmet_kg, fulfilment`` (0-1; NaN
        where an area needs nothing).
    fulfilment_by_commodity : DataFrame
        Per area and need commodity: ``need_kg, met_kg, fulfilment``.
    unmet : DataFrame
        Per area and commodity with unmet need: ``area_id, commodity, need_kg, unmet_kg``.
    kpis : dict
        Headline figures (see :func:`kpis` keys in ``docs/optimize.md``).
    duals : DataFrame
        Every capacity row: ``constraint, site_id/area_id, commodity, limit, used, slack,
        value_per_unit, binding, explanation``. Empty when the solver gave no duals.
    status : SolveStatus
    solve_time_s : float
    times_s : dict
        Seconds per phase: ``build``, ``handoff``, ``solve``, ``read_back``, ``total``.
    manifest : dict
        Inputs, parameters, versions and a hash, to reproduce the run.
    """

    flows: pd.DataFrame
    fulfilment: pd.DataFrame
    fulfilment_by_commodity: pd.DataFrame
    unmet: pd.DataFrame
    kpis: dict[str, Any]
    duals: pd.DataFrame
    status: SolveStatus
    objective: str
    objective_value: float | None
    solver: str
    solve_time_s: float
    times_s: dict[str, float] = field(default_factory=dict)
    manifest: dict[str, Any] = field(default_factory=dict)
    message: str = ""

    @property
    def binding(self) -> pd.DataFrame:
        """The capacities that limit the plan, most valuable first."""
        if self.duals.empty:
            return self.duals
        b = self.duals[self.duals["binding"]]
        return b.sort_values("value_per_unit", ascending=False).reset_index(drop=True)

    @property
    def ok(self) -> bool:
        return self.status.has_solution

    def flow_lines(self, region: Any) -> Any:
        """Flows as a GeoDataFrame of straight lines from site to area centre (WGS84)."""
        import geopandas as gpd
        from shapely import linestrings

        from .problem import _area_points

        sites = region.sites.set_index(region.sites["site_id"].astype(str))
        axy = _area_points(region.areas, region.crs)
        apos = {str(a): i for i, a in enumerate(region.areas["area_id"])}
        f = self.flows
        sx = sites.geometry.x.reindex(f["site_id"]).to_numpy()
        sy = sites.geometry.y.reindex(f["site_id"]).to_numpy()
        ai = f["area_id"].map(apos).to_numpy(dtype=int) if len(f) else np.zeros(0, int)
        coords = np.stack([np.c_[sx, sy], axy[ai]], axis=1) if len(f) else np.zeros((0, 2, 2))
        g = gpd.GeoDataFrame(f.copy(), geometry=linestrings(coords), crs=region.crs)
        return g.to_crs(4326)

    def to_dir(
        self, path: str | os.PathLike[str], *, region: Any = None, force: bool = False
    ) -> Path:
        """Write the plan (:meth:`write_files`) into the folder ``path``, atomically: the folder
        appears whole or not at all.

        ``path`` must be new, empty or an earlier plan; a folder holding other files is refused
        unless ``force`` (the output policy of every command, :mod:`equity._output`).
        """
        from equity._output import output_dir

        with output_dir(path, command="allocate", force=force) as tmp:
            self.write_files(tmp, region=region)
        return Path(path)

    def write_files(self, folder: str | os.PathLike[str], *, region: Any = None) -> Path:
        """Write ``flows.csv``, ``fulfilment.csv``, ``unmet.csv``, ``duals.csv``, ``kpis.json``
        and ``manifest.json`` into the existing ``folder`` (and ``flows.gpkg``, flows as
        lines, when the ``region`` is given). Not atomic: :meth:`to_dir` is, and callers
        writing several plans at once call this inside one temporary folder."""
        from equity._csv import write_csv

        tmp = Path(folder)
        if region is not None and len(self.flows):
            self.flow_lines(region).to_file(tmp / "flows.gpkg", driver="GPKG")
        write_csv(self.flows, tmp / "flows.csv")
        write_csv(self.fulfilment, tmp / "fulfilment.csv")
        write_csv(self.unmet, tmp / "unmet.csv")
        write_csv(self.duals, tmp / "duals.csv")
        (tmp / "kpis.json").write_text(_json(self.kpis), encoding="utf-8")
        man = {
            **self.manifest,
            "status": self.status.value,
            "objective_value": self.objective_value,
            "times_s": self.times_s,
            "message": self.message,
        }
        (tmp / "manifest.json").write_text(_json(man), encoding="utf-8")
        return tmp

    def __repr__(self) -> str:
        head = f"{type(self).__name__}({self.objective}"
        if not self.ok:
            return f"{head}: {self.status.value}, {self.message})"
        return f"{head}{self._repr_figures()}, {self.solve_time_s:.2f} s)"

    def _repr_figures(self) -> str:
        """What :meth:`__repr__` says of a plan between the objective and the solve time."""
        k = self.kpis
        return (
            f": {self.status.words}, need met {k['need_met_share']:.1%}, "
            f"min fulfilment {k['min_fulfilment']:.1%}, cost ${k['transport_cost_usd']:,.2f}"
        )


def unmet_of_flows(problem: Any, x: np.ndarray) -> np.ndarray:
    """Unmet need per unmet column (``problem.u_area``, ``problem.u_comm``) that flows ``x``
    (one value per flow column) leave: need minus the kg of need they meet (acceptability
    times kg shipped). Negative where the flows serve more than the need."""
    nu = problem.n_u
    pos = np.full(problem.need_kg.shape, -1, dtype=np.int64)
    pos[problem.u_area, problem.u_comm] = np.arange(nu)
    pair = problem.x_pair
    j = pos[problem.x_area, problem.pair_need[pair]]
    met = np.bincount(
        j, weights=np.asarray(x, dtype=float) * problem.pair_weight[pair], minlength=nu
    )
    return problem.need_kg[problem.u_area, problem.u_comm] - met


@dataclass(frozen=True, eq=False)
class SolveRun:
    """What a solve reports besides its column values: the status, objective, objective value,
    solver, seconds per phase, manifest and message its solution carries, and the dual
    ``unit`` and objective ``params`` its KPIs and dual explanations read."""

    status: SolveStatus
    objective: str
    objective_value: float | None
    solver: str
    times_s: dict[str, float]
    manifest: dict[str, Any]
    unit: str
    params: dict[str, Any]
    message: str = ""

    def solution_fields(self) -> dict[str, Any]:
        """The :class:`AllocationSolution` fields that come from the run (of the same names,
        and the solve time)."""
        same = (
            "status",
            "objective",
            "objective_value",
            "solver",
            "times_s",
            "manifest",
            "message",
        )
        return {
            **{name: getattr(self, name) for name in same},
            "solve_time_s": float(self.times_s.get("solve", 0.0)),
        }


def flow_frame(
    base: Any, arc: np.ndarray, pair: np.ndarray, q: np.ndarray, cost_usd_per_kg: np.ndarray
) -> pd.DataFrame:
    """The :attr:`AllocationSolution.flows` table of ``q`` kg on the delivery arcs ``arc`` of
    ``base`` (an :class:`~optimize.AllocationProblem`), each serving the (served, need)
    commodity pair ``pair``, at ``cost_usd_per_kg``."""
    si, ai = base.arc_site[arc], base.arc_area[arc]
    return pd.DataFrame(
        {
            "site_id": base.site_ids[si],
            "site_name": base.site_names[si],
            "area_id": base.area_ids[ai],
            "commodity": base.commodities[base.pair_served[pair]],
            "need_commodity": base.commodities[base.pair_need[pair]],
            "quantity_kg": q,
            "met_kg": q * base.pair_weight[pair],
            "distance_m": base.arc_distance_m[arc],
            "cost_usd": q * cost_usd_per_kg,
        }
    )


def build_solution(
    problem: Any, x_all: np.ndarray | None, row_dual: np.ndarray | None, run: SolveRun
) -> AllocationSolution:
    """Turn the column values of a solve into frames (vectorised).

    Only the flows are read from ``x_all``: unmet need is what the flows leave of the need
    (``need - sum met_kg``), so every figure agrees with :attr:`AllocationSolution.flows`
    whatever the solver's unmet columns say (a solve stopped early leaves them wrong)."""
    nx = problem.n_x
    x = np.zeros(nx) if x_all is None else np.clip(x_all[:nx], 0, None)
    x = np.where(x > FLOW_TOL_KG, x, 0.0)
    u = unmet_of_flows(problem, x)
    u = np.where(u > FLOW_TOL_KG, u, 0.0)
    keep = np.flatnonzero(x)
    flows = flow_frame(
        problem, problem.x_arc[keep], problem.x_pair[keep], x[keep], problem.x_cost_usd_per_kg[keep]
    )
    na, nc = problem.need_kg.shape
    unmet_m = np.zeros((na, nc))
    unmet_m[problem.u_area, problem.u_comm] = u
    need_a = problem.need_kg.sum(axis=1)
    unmet_a = unmet_m.sum(axis=1)
    met_a = need_a - unmet_a
    with np.errstate(invalid="ignore", divide="ignore"):
        ful_a = np.where(need_a > 0, met_a / need_a, np.nan)
    fulfilment = pd.DataFrame(
        {
            "area_id": problem.area_ids,
            "population": problem.population,
            "need_kg": need_a,
            "met_kg": met_a,
            "unmet_kg": unmet_a,
            "fulfilment": np.clip(ful_a, 0, 1),
            # some open site with food for it is within reach (after every shock): an area
            # that is not gets nothing in any plan, whatever the goal
            "reachable": problem.reachable_areas(),
        }
    )
    nk = problem.u_area, problem.u_comm
    by_c = pd.DataFrame(
        {
            "area_id": problem.area_ids[nk[0]],
            "commodity": problem.commodities[nk[1]],
            "need_kg": problem.need_kg[nk],
            "met_kg": problem.need_kg[nk] - u,
        }
    )
    by_c["fulfilment"] = (by_c["met_kg"] / by_c["need_kg"]).clip(0, 1)
    unmet = by_c.loc[u > 0, ["area_id", "commodity", "need_kg"]].assign(unmet_kg=u[u > 0])
    unmet = unmet.reset_index(drop=True)

    kpis = _kpis(problem, fulfilment, flows, run.status, run.objective_value, run.params)
    duals = (
        _duals(problem, x_all, row_dual, run.objective, run.unit, run.params)
        if run.status.has_solution
        else None
    )
    return AllocationSolution(
        flows=flows,
        fulfilment=fulfilment,
        fulfilment_by_commodity=by_c,
        unmet=unmet,
        kpis=kpis,
        duals=duals if duals is not None else _empty_duals(),
        **run.solution_fields(),
    )


def _gini(values: np.ndarray, weights: np.ndarray) -> float:
    """Population-weighted Gini of fulfilment (equity's one Gini); NaN with nothing to weigh."""
    ok = np.isfinite(values) & np.isfinite(weights) & (weights > 0)
    return gini(values[ok], weights[ok]) if ok.any() else float("nan")


def _kpis(problem, ful, flows, status, objective_value, params) -> dict[str, Any]:
    has = ful["need_kg"] > 0
    f = ful.loc[has]
    need = float(f["need_kg"].sum())
    met = float(f["met_kg"].sum())
    pop = f["population"].to_numpy(dtype=float)
    fv = f["fulfilment"].to_numpy(dtype=float)
    wpop = pop if pop.sum() > 0 else np.ones(len(fv))
    reachable = problem.reachable_areas()
    need_any = problem.need_kg.sum(axis=1) > 0
    unreach = np.flatnonzero(need_any & ~reachable)
    reach_f = ful["fulfilment"].to_numpy(dtype=float)[need_any & reachable]
    out: dict[str, Any] = {
        "status": status.value,
        "status_note": status.words,
        "objective_value": objective_value,
        "need_kg": need,
        "need_met_kg": met,
        "need_met_share": met / need if need else float("nan"),
        "kg_delivered": float(flows["quantity_kg"].sum()),
        "kg_substituted": float(
            flows.loc[flows["commodity"] != flows["need_commodity"], "quantity_kg"].sum()
        ),
        "transport_cost_usd": float(flows["cost_usd"].sum()),
        "kg_km": float((flows["quantity_kg"] * flows["distance_m"]).sum() / 1000.0),
        "min_fulfilment": float(fv.min()) if len(fv) else float("nan"),
        "mean_fulfilment": float(np.average(fv, weights=wpop)) if len(fv) else float("nan"),
        "gini_fulfilment": _gini(fv, wpop),
        "areas_below_50pct": int((fv < 0.5 - 1e-9).sum()),
        "people_below_50pct": float(pop[fv < 0.5 - 1e-9].sum()),
        "areas": len(fv),
        "areas_unreachable": int(len(unreach)),
        "people_unreachable": float(problem.population[unreach].sum()),
        "min_fulfilment_reachable": float(np.nanmin(reach_f)) if len(reach_f) else float("nan"),
        "flows": len(flows),
        "budget_usd": problem.budget_usd,
    }
    attrs = problem.area_attrs
    if "low_income" in attrs.columns:
        li = attrs["low_income"].fillna(False).astype(bool).to_numpy()[has.to_numpy()]
        n_li = float(f["need_kg"].to_numpy()[li].sum())
        out["low_income_need_met_share"] = (
            float(f["met_kg"].to_numpy()[li].sum()) / n_li if n_li else float("nan")
        )
    out.update(_lila_kpis(problem, ful))
    if not status.has_solution:
        # No plan (stopped before one, infeasible, an error): the zero flows behind these
        # figures are not a plan, so "0% met" or "every resident below half" would be numbers
        # nothing supports. They are NaN (null in kpis.json, "-" in tables); what the problem
        # itself says (need, areas, reach, LILA residents, budget) stays.
        out.update({k: float("nan") for k in _PLAN_KPIS if k in out})
    out.update({f"param_{k}": v for k, v in params.items()})
    return out


#: KPIs that describe a plan's flows, NaN when the solve returned no plan.
_PLAN_KPIS = (
    "need_met_kg",
    "need_met_share",
    "kg_delivered",
    "kg_substituted",
    "transport_cost_usd",
    "kg_km",
    "min_fulfilment",
    "mean_fulfilment",
    "gini_fulfilment",
    "areas_below_50pct",
    "people_below_50pct",
    "min_fulfilment_reachable",
    "low_income_need_met_share",
    "need_met_share_lila",
    "need_met_lila_kg",
    "min_fulfilment_lila",
    "people_lila_below_50pct",
)


def _lila_kpis(problem: Any, ful: pd.DataFrame) -> dict[str, Any]:
    """Need met in low-income, low-access (LILA) areas; NaN (and source "") when the
    problem has no LILA flag. The keys are always present so tables line up."""
    nan = float("nan")
    mask = getattr(problem, "area_lila", None)
    out: dict[str, Any] = {
        "need_met_share_lila": nan,
        "need_lila_kg": nan,
        "need_met_lila_kg": nan,
        "min_fulfilment_lila": nan,
        "areas_lila": nan,
        "people_lila": nan,
        "people_lila_below_50pct": nan,
        "lila_source": getattr(problem, "lila_source", ""),
    }
    if mask is None:
        return out
    need = ful["need_kg"].to_numpy(dtype=float)
    met = ful["met_kg"].to_numpy(dtype=float)
    fv = ful["fulfilment"].to_numpy(dtype=float)
    pop = ful["population"].to_numpy(dtype=float)
    has = mask & (need > 0)
    n = float(need[has].sum())
    out.update(
        {
            "need_met_share_lila": float(met[has].sum()) / n if n else nan,
            "need_lila_kg": n,
            "need_met_lila_kg": float(met[has].sum()),
            "min_fulfilment_lila": float(fv[has].min()) if has.any() else nan,
            "areas_lila": int(mask.sum()),
            "people_lila": float(pop[mask].sum()),
            "people_lila_below_50pct": float(pop[has & (fv < 0.5 - 1e-9)].sum()),
        }
    )
    return out


def _empty_duals() -> pd.DataFrame:
    return pd.DataFrame(
        columns=[
            "constraint",
            "site_id",
            "area_id",
            "commodity",
            "limit",
            "used",
            "slack",
            "value_per_unit",
            "binding",
            "explanation",
        ]
    )


def _duals(problem, x_all, row_dual, objective, unit, params) -> pd.DataFrame | None:
    if row_dual is None or x_all is None:
        return None
    blocks = problem.row_blocks
    n_base = problem.n_rows
    activity = problem.A @ x_all[: problem.n_cols]
    dual = np.asarray(row_dual[:n_base], dtype=float)
    value = -dual  # minimisation: one more unit of a <= limit lowers the objective by -dual
    pen = params.get("unmet_penalty_usd_per_kg")
    frames = []

    def words(kind: str, who: str, v: float) -> str:
        if v <= 1e-9:
            return ""
        what = {
            "supply": "one more kg of supply",
            "throughput": "one more kg of throughput",
            "budget": "one more dollar of transport budget",
            "need": "one more kg of need",
        }[kind]
        worth = limit_worth(
            v, unit=unit, objective=objective, penalty_usd_per_kg=pen, budget=kind == "budget"
        )
        return f"{what} {who} {worth}".replace("  ", " ")

    sl = blocks["supply"]
    s, c = problem.sup_site, problem.sup_comm
    frames.append(
        pd.DataFrame(
            {
                "constraint": "supply",
                "site_id": problem.site_ids[s],
                "area_id": None,
                "commodity": problem.commodities[c],
                "limit": problem.row_hi[sl],
                "used": activity[sl],
                "value_per_unit": value[sl],
                "explanation": [
                    words(
                        "supply", f"of {problem.commodity_names[ci]} at {problem.site_names[si]}", v
                    )
                    for si, ci, v in zip(s, c, value[sl], strict=True)
                ],
            }
        )
    )
    sl = blocks["throughput"]
    s = problem.thr_site
    frames.append(
        pd.DataFrame(
            {
                "constraint": "throughput",
                "site_id": problem.site_ids[s],
                "area_id": None,
                "commodity": None,
                "limit": problem.row_hi[sl],
                "used": activity[sl],
                "value_per_unit": value[sl],
                "explanation": [
                    words("throughput", f"at {problem.site_names[si]}", v)
                    for si, v in zip(s, value[sl], strict=True)
                ],
            }
        )
    )
    sl = blocks["budget"]
    if sl.stop > sl.start:
        v = float(value[sl][0])
        frames.append(
            pd.DataFrame(
                {
                    "constraint": ["budget"],
                    "site_id": [None],
                    "area_id": [None],
                    "commodity": [None],
                    "limit": problem.row_hi[sl],
                    "used": activity[sl],
                    "value_per_unit": [v],
                    "explanation": [words("budget", "", v)],
                }
            )
        )
    sl = blocks["need"]
    # need rows are equalities: dual = marginal objective of one more kg needed there
    frames.append(
        pd.DataFrame(
            {
                "constraint": "need",
                "site_id": None,
                "area_id": problem.area_ids[problem.u_area],
                "commodity": problem.commodities[problem.u_comm],
                "limit": problem.row_hi[sl],
                "used": activity[sl],
                "value_per_unit": dual[sl],
                "explanation": "",
            }
        )
    )
    out = pd.concat([f for f in frames if len(f)], ignore_index=True)
    # sites switched off have no capacity to explain (their rows only hold their flows at 0)
    closed = set(problem.site_ids[~problem.site_open].tolist())
    if closed:
        out = out[~out["site_id"].isin(closed)].reset_index(drop=True)
    out["slack"] = out["limit"] - out["used"]
    cap = out["constraint"] != "need"
    tight = out["slack"].abs() <= 1e-6 * np.maximum(1.0, out["limit"].abs())
    out["binding"] = cap & tight & (out["value_per_unit"] > 1e-9)
    out.loc[~out["binding"] & cap, "explanation"] = ""
    cols = list(_empty_duals().columns)
    return out[cols]

"""The solved network plan: flows by week, transfers, stock by week, KPIs and duals."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .catalogue import limit_worth
from .problem import AllocationProblem
from .solution import (
    FLOW_TOL_KG,
    AllocationSolution,
    SolveRun,
    _empty_duals,
    _json,
    _kpis,
    flow_frame,
)

if TYPE_CHECKING:
    from ._network_problem import NetworkProblem

__all__ = ["NetworkSolution", "build_network_solution"]


# ---------------------------------------------------------------------------- the solution
@dataclass(frozen=True, eq=False, repr=False)  # the repr of AllocationSolution
class NetworkSolution(AllocationSolution):
    """A solved plan over weeks: an :class:`AllocationSolution` whose ``flows`` carry a
    ``week``, whose ``fulfilment`` is over the whole horizon, plus:

    Attributes
    ----------
    transfers : DataFrame
        ``week, from_site_id, to_site_id, commodity, quantity_kg, distance_m, cost_usd``.
    stock : DataFrame
        ``week, site_id, commodity, start_kg, supplied_kg, received_kg, sent_kg, spoiled_kg,
        end_kg``; ``start + supplied + received - sent - spoiled = end`` and each week's
        start is the week before's end. ``sent`` is deliveries to areas plus transfers out.
    fulfilment_by_week : DataFrame
        ``week, area_id, population, need_kg, met_kg, unmet_kg, fulfilment``.
    kpis_by_week : DataFrame
        One row per week: the plan KPIs of that week plus ``supplied_kg, transferred_kg,
        spoiled_kg, end_stock_kg``.
    column_values : ndarray
        The LP's column values (for re-plans that fix what was done).
    """

    transfers: pd.DataFrame = field(default_factory=pd.DataFrame)
    stock: pd.DataFrame = field(default_factory=pd.DataFrame)
    fulfilment_by_week: pd.DataFrame = field(default_factory=pd.DataFrame)
    kpis_by_week: pd.DataFrame = field(default_factory=pd.DataFrame)
    weeks: int = 1
    column_values: np.ndarray | None = field(default=None, repr=False)

    def write_files(self, folder: Any, *, region: Any = None) -> Any:
        """Write the plan's tables into the existing ``folder``: ``flows.csv`` with ``week``,
        ``transfers.csv``, ``stock.csv``, ``fulfilment.csv``, ``fulfilment_by_week.csv``,
        ``unmet.csv``, ``duals.csv``, ``kpis.json`` with ``by_week``, ``kpis_by_week.csv``,
        ``manifest.json``, and ``flows.gpkg`` when ``region`` is given. :meth:`to_dir` (inherited)
        writes them atomically under the output policy of every command."""
        from equity._csv import write_csv

        tmp = super().write_files(folder, region=region)  # flows, fulfilment, unmet, duals, ...
        for name in ("transfers", "stock", "fulfilment_by_week", "kpis_by_week"):
            write_csv(getattr(self, name), tmp / f"{name}.csv")
        by_week = self.kpis_by_week.to_dict(orient="records")
        (tmp / "kpis.json").write_text(_json({**self.kpis, "by_week": by_week}), encoding="utf-8")
        return tmp

    def _repr_figures(self) -> str:
        k = self.kpis
        return (
            f", {self.weeks} weeks: {self.status.value}, need met {k['need_met_share']:.1%}, "
            f"spoiled {k['spoiled_kg']:,.0f} kg, cost ${k['transport_cost_usd']:,.2f}"
        )


def _clip(v: np.ndarray) -> np.ndarray:
    return np.where(v > FLOW_TOL_KG, v, 0.0)


def _site_levels(problem: NetworkProblem) -> np.ndarray:
    """Each site's echelon: 0 for sites nothing is sent to, else one more than the highest
    level sending to it (the arcs of :data:`~optimize.network.TRANSFER_KINDS` have no cycle)."""
    ns = len(problem.base.site_ids)
    level = np.zeros(ns, dtype=np.int64)
    for _ in range(ns):
        new = level.copy()
        np.maximum.at(new, problem.tr_to, level[problem.tr_from] + 1)
        if (new == level).all():
            break
        level = new
    return level


def _balanced(problem: NetworkProblem, col: np.ndarray, tkey: np.ndarray) -> tuple[np.ndarray, ...]:
    """Deliveries and transfers per column, and ``supplied, received, sent, spoiled, end`` per
    ``(week, site, commodity)`` (flat, ``(w * ns + s) * nc + c``), balanced exactly:
    ``start + supplied + received - sent - spoiled = end`` with ``start`` the week before's
    ``end``, ``sent`` the deliveries and transfers out reported, ``received`` the transfers in.

    A solver's values keep the LP's rows only to its tolerance, and CBC's solution file (so
    PuLP's CBC too) prints 8 significant digits: a site handing out 50 t a week is off by up
    to ~1e-3 kg. Tiny amounts (at most ``FLOW_TOL_KG``) are cleared first; then, week by week
    and echelon by echelon (a hub's transfers in are final before its own balance), what is
    left over goes to the stock kept (or to spoiled where nothing is kept), and a shortfall
    comes off the stock kept, then off spoiled, and only then off the deliveries and
    transfers out of that site, commodity and week, scaled down by the (relative ~1e-8)
    shortfall. The stock kept is the residual, so every identity holds to rounding."""
    s = problem.structure
    off = s["offsets"]
    base = problem.base
    T = problem.weeks
    ns, nc = base.supply_kg.shape
    n_g = T * ns * nc
    x = _clip(col[: off["t"]])
    tq = col[off["t"] : off["r"]].copy()
    if len(tq):
        _, inv = np.unique(tkey, return_inverse=True)
        tq[np.bincount(inv, weights=tq)[inv] <= FLOW_TOL_KG] = 0.0

    def agg(g: np.ndarray, v: np.ndarray) -> np.ndarray:
        return np.bincount(g, weights=v, minlength=n_g) if len(g) else np.zeros(n_g)

    def cleared(v: np.ndarray) -> np.ndarray:
        return np.where(v > FLOW_TOL_KG, v, 0.0)

    g_node = (s["node_w"] * ns + s["node_s"]) * nc + s["node_c"]
    x_g = (s["x_week"] * ns + base.arc_site[s["x_arc"]]) * nc + base.pair_served[s["x_pair"]]
    from_g, to_g = g_node[s["t_from_node"]], g_node[s["t_to_node"]]
    supplied = np.array(problem.supply_kg, dtype=float).reshape(-1)  # a copy
    spoiled = cleared(agg(g_node[s["d_node"]], col[off["d"] : off["u"]]))
    kept = cleared(agg(g_node[s["h_node"]], col[off["h"] : off["d"]]))
    sends = agg(x_g, x) + agg(from_g, tq)
    factor = np.ones(n_g)
    level = np.tile(np.repeat(_site_levels(problem), nc), T)
    week = np.repeat(np.arange(T), ns * nc)
    start = np.zeros(n_g)
    for w in range(T):
        if w:
            start[week == w] = kept[week == w - 1]
        for lvl in range(int(level.max()) + 1 if n_g else 0):
            m = np.flatnonzero((week == w) & (level == lvl))
            received = agg(to_g, tq * factor[from_g])[m]
            left = start[m] + supplied[m] + received - sends[m] - spoiled[m] - kept[m]
            over = np.maximum(left, 0.0)
            to_kept = kept[m] > 0
            kept[m] += np.where(to_kept, over, 0.0)
            spoiled[m] += np.where(to_kept, 0.0, over)
            short = np.maximum(-left, 0.0)
            k = np.minimum(kept[m], short)
            kept[m] -= k
            short -= k
            d = np.minimum(spoiled[m], short)
            spoiled[m] -= d
            short -= d
            with np.errstate(invalid="ignore", divide="ignore"):
                f = np.where(sends[m] > 0, (sends[m] - short) / sends[m], 1.0)
            factor[m] = np.clip(f, 0.0, 1.0)
            kept[m] = np.maximum(
                start[m] + supplied[m] + received - sends[m] * factor[m] - spoiled[m], 0.0
            )
    x = x * factor[x_g]
    tq = tq * factor[from_g]
    received = agg(to_g, tq)
    sent = agg(x_g, x) + agg(from_g, tq)
    end = np.zeros(n_g)
    prev = np.zeros(ns * nc)
    for w in range(T):  # the stock kept as the residual of what is reported
        sl = slice(w * ns * nc, (w + 1) * ns * nc)
        e = prev + supplied[sl] + received[sl] - sent[sl] - spoiled[sl]
        end[sl] = prev = np.where(np.abs(e) <= 1e-9, 0.0, e)
    return x, tq, supplied, received, sent, spoiled, end


def build_network_solution(
    problem: NetworkProblem, x_all: np.ndarray | None, row_dual: np.ndarray | None, run: SolveRun
) -> NetworkSolution:
    """Turn the column values of a network solve into frames (vectorised)."""
    s = problem.structure
    off = s["offsets"]
    base = problem.base
    T = problem.weeks
    ns, nc = base.supply_kg.shape
    na = len(base.area_ids)
    n_cols = problem.n_cols
    if x_all is None:
        col = np.zeros(n_cols)
        col[off["u"] :] = problem.need_kg[s["u_week"], s["u_area"], s["u_comm"]]
        # with no plan every supplied kg stays where it is (held, or discarded)
    else:
        col = np.clip(np.asarray(x_all[:n_cols], dtype=float), 0, None)
    u = _clip(col[off["u"] :])
    node_c, node_w = s["node_c"], s["node_w"]
    t_arc, t_from = s["t_arc"], s["t_from_node"]
    n_tr = max(len(problem.tr_from), 1)
    tkey = (node_w[t_from] * n_tr + t_arc) * nc + node_c[t_from]
    # the stock table's quantities by (week, site, commodity), balanced exactly (see _balanced)
    x, tq, supplied, received, sent, spoiled, end = _balanced(problem, col, tkey)

    # ---------------------------------------------------------------- flows
    keep = np.flatnonzero(x)
    flows = flow_frame(
        base, s["x_arc"][keep], s["x_pair"][keep], x[keep], s["x_cost_usd_per_kg"][keep]
    )
    flows.insert(0, "week", s["x_week"][keep] + 1)

    # ---------------------------------------------------------------- transfers
    uk, inv = np.unique(tkey, return_inverse=True)
    tsum = np.bincount(inv, weights=tq, minlength=len(uk)) if len(uk) else np.zeros(0)
    ok = tsum > 0  # tiny sums are cleared (to 0) by _balanced, consistently with the stock
    uk, tsum = uk[ok], tsum[ok]
    tc = uk % nc
    te = (uk // nc) % n_tr
    tw = uk // nc // n_tr
    tdist = problem.tr_distance_m[te] if len(te) else np.zeros(0)
    transfers = pd.DataFrame(
        {
            "week": tw + 1,
            "from_site_id": base.site_ids[problem.tr_from[te]] if len(te) else [],
            "to_site_id": base.site_ids[problem.tr_to[te]] if len(te) else [],
            "commodity": base.commodities[tc],
            "quantity_kg": tsum,
            "distance_m": tdist,
            "cost_usd": tsum * tdist / 1000.0 * problem.transfer_cost_per_kg_km,
        }
    )

    # ---------------------------------------------------------------- stock by week
    start = np.zeros(T * ns * nc)
    start[ns * nc :] = end[: (T - 1) * ns * nc]
    gw, rest = np.divmod(np.arange(T * ns * nc), ns * nc)
    gs, gc = np.divmod(rest, nc)
    any_ = (
        np.abs(supplied) + np.abs(received) + np.abs(sent) + np.abs(spoiled) + end + start
    ) > FLOW_TOL_KG
    if x_all is None:  # no plan: no stock movements to report (supply alone would not balance)
        any_[:] = False
        for v in (supplied, spoiled, end):
            v[:] = 0.0
    stock = pd.DataFrame(
        {
            "week": gw[any_] + 1,
            "site_id": base.site_ids[gs[any_]],
            "commodity": base.commodities[gc[any_]],
            "start_kg": start[any_],
            "supplied_kg": supplied[any_],
            "received_kg": received[any_],
            "sent_kg": sent[any_],
            "spoiled_kg": spoiled[any_],
            "end_kg": end[any_],
        }
    )

    # ---------------------------------------------------------------- fulfilment and KPIs
    unmet_m = np.zeros((T, na, nc))
    unmet_m[s["u_week"], s["u_area"], s["u_comm"]] = u
    need_wa = problem.need_kg.sum(axis=2)
    unmet_wa = unmet_m.sum(axis=2)
    fulfilment = _ful_frame(base, need_wa.sum(axis=0), unmet_wa.sum(axis=0))
    by_week = [_ful_frame(base, need_wa[w], unmet_wa[w]).assign(week=w + 1) for w in range(T)]
    ful_week = pd.concat(by_week, ignore_index=True)
    ful_week = ful_week[["week", *[c for c in ful_week.columns if c != "week"]]]
    need_ac = problem.need_kg.sum(axis=0)
    unmet_ac = unmet_m.sum(axis=0)
    ua, uc = np.nonzero(need_ac > 0)
    by_c = pd.DataFrame(
        {
            "area_id": base.area_ids[ua],
            "commodity": base.commodities[uc],
            "need_kg": need_ac[ua, uc],
            "met_kg": need_ac[ua, uc] - unmet_ac[ua, uc],
        }
    )
    by_c["fulfilment"] = (by_c["met_kg"] / by_c["need_kg"]).clip(0, 1)
    uw, uaa, ucc = np.nonzero(unmet_m > 0)
    unmet = pd.DataFrame(
        {
            "week": uw + 1,
            "area_id": base.area_ids[uaa],
            "commodity": base.commodities[ucc],
            "need_kg": problem.need_kg[uw, uaa, ucc],
            "unmet_kg": unmet_m[uw, uaa, ucc],
        }
    )
    reach_w = np.zeros((T, na), dtype=bool)
    live = problem.x_usable
    reach_w[s["x_week"][live], base.arc_area[s["x_arc"][live]]] = True
    horizon = _KpiView(base, need_ac, np.flatnonzero(reach_w.any(axis=0)), problem.budget_usd)
    kp = _kpis(horizon, fulfilment, flows, run.status, run.objective_value, run.params)
    tr_cost = float(transfers["cost_usd"].sum())
    kp["delivery_cost_usd"] = kp["transport_cost_usd"]
    kp["transfer_cost_usd"] = tr_cost
    kp["transport_cost_usd"] = kp["delivery_cost_usd"] + tr_cost
    fv = ful_week["fulfilment"].to_numpy(dtype=float)
    has = ful_week["need_kg"].to_numpy() > 0
    kp.update(
        {
            "weeks": T,
            "supplied_kg": float(supplied.sum()),
            "transferred_kg": float(transfers["quantity_kg"].sum()),
            "spoiled_kg": float(spoiled.sum()),
            "end_stock_kg": float(end.reshape(T, -1)[-1].sum()),
            "min_fulfilment_area_week": float(fv[has].min()) if has.any() else float("nan"),
            # over the area-weeks an open site can reach (as the equity objectives see them)
            "min_fulfilment_area_week_reachable": (
                float(fv[has & reach_w.reshape(-1)].min())
                if (has & reach_w.reshape(-1)).any()
                else float("nan")
            ),
            "area_weeks_unreachable": int((has & ~reach_w.reshape(-1)).sum()),
        }
    )
    rows = []
    for w in range(T):
        fw = by_week[w]
        flw = flows[flows["week"] == w + 1]
        view = _KpiView(
            base,
            problem.need_kg[w],
            np.flatnonzero(reach_w[w]),
            None if problem.budget_usd is None else problem.budget_usd[w : w + 1],
        )
        kw = _kpis(view, fw, flw, run.status, None, {})
        trw = transfers[transfers["week"] == w + 1]
        sl = slice(w * ns * nc, (w + 1) * ns * nc)
        rows.append(
            {
                "week": w + 1,
                "need_kg": kw["need_kg"],
                "need_met_kg": kw["need_met_kg"],
                "need_met_share": kw["need_met_share"],
                "min_fulfilment": kw["min_fulfilment"],
                "mean_fulfilment": kw["mean_fulfilment"],
                "areas_below_50pct": kw["areas_below_50pct"],
                "people_below_50pct": kw["people_below_50pct"],
                "kg_delivered": kw["kg_delivered"],
                "delivery_cost_usd": kw["transport_cost_usd"],
                "transfer_cost_usd": float(trw["cost_usd"].sum()),
                "supplied_kg": float(supplied[sl].sum()),
                "transferred_kg": float(trw["quantity_kg"].sum()),
                "spoiled_kg": float(spoiled[sl].sum()),
                "end_stock_kg": float(end[sl].sum()),
                "need_met_share_lila": kw["need_met_share_lila"],
            }
        )
    kpis_by_week = pd.DataFrame(rows)
    duals = (
        _network_duals(problem, col, row_dual, run.objective, run.unit, run.params)
        if run.status.has_solution and x_all is not None and row_dual is not None
        else None
    )
    return NetworkSolution(
        flows=flows,
        fulfilment=fulfilment,
        fulfilment_by_commodity=by_c,
        unmet=unmet,
        kpis=kp,
        duals=duals if duals is not None else _empty_duals().assign(week=[]),
        **run.solution_fields(),
        transfers=transfers,
        stock=stock,
        fulfilment_by_week=ful_week,
        kpis_by_week=kpis_by_week,
        weeks=T,
        column_values=None if x_all is None else col,
    )


class _KpiView:
    """What :func:`optimize.solution._kpis` reads of a problem, for one week or the horizon."""

    def __init__(self, base: AllocationProblem, need_kg, reached, budget) -> None:
        self.area_ids = base.area_ids
        self.population = base.population
        self.area_attrs = base.area_attrs
        self.area_lila = base.area_lila
        self.lila_source = base.lila_source
        self.need_kg = need_kg
        self.x_area = reached
        self.budget_usd = (
            None
            if budget is None
            else (float(np.sum(budget)) if np.isfinite(budget).all() else None)
        )

    def reachable_areas(self) -> np.ndarray:
        """Per area: True where an open site can deliver (``x_area`` holds their indices)."""
        out = np.zeros(len(self.area_ids), dtype=bool)
        out[np.asarray(self.x_area, dtype=np.int64)] = True
        return out


def _ful_frame(base: AllocationProblem, need_a: np.ndarray, unmet_a: np.ndarray) -> pd.DataFrame:
    met_a = need_a - unmet_a
    with np.errstate(invalid="ignore", divide="ignore"):
        ful = np.where(need_a > 0, met_a / need_a, np.nan)
    return pd.DataFrame(
        {
            "area_id": base.area_ids,
            "population": base.population,
            "need_kg": need_a,
            "met_kg": met_a,
            "unmet_kg": unmet_a,
            "fulfilment": np.clip(ful, 0, 1),
        }
    )


def _network_duals(problem, col, row_dual, objective, unit, params) -> pd.DataFrame:
    """Capacity rows (supply, throughput, storage, budget) with their value in words."""
    s = problem.structure
    ro = s["row_offsets"]
    base = problem.base
    A = s["A"]
    activity = A @ col
    dual = np.asarray(row_dual[: problem.n_rows], dtype=float)
    value = -dual
    pen = params.get("unmet_penalty_usd_per_kg")
    T = problem.weeks
    node_s, node_c, node_v, node_w = s["node_s"], s["node_c"], s["node_v"], s["node_w"]
    # supply: node rows at age 0 with supply; one more kg supplied
    sup = np.flatnonzero((node_w == node_v) & (s["row_hi"][ro["node"] : ro["pool"]] > 0))
    thr_s = np.tile(s["thr_site"], T)
    thr_w = np.repeat(np.arange(T), len(s["thr_site"]))
    sto_s = np.tile(s["sto_site"], T)
    sto_w = np.repeat(np.arange(T), len(s["sto_site"]))
    nb = ro["end"] - ro["budget"]
    parts = [
        ("supply", ro["node"] + sup, node_s[sup], node_c[sup], node_w[sup]),
        ("throughput", ro["throughput"] + np.arange(len(thr_s)), thr_s, None, thr_w),
        ("storage", ro["storage"] + np.arange(len(sto_s)), sto_s, None, sto_w),
        ("budget", ro["budget"] + np.arange(nb), None, None, np.arange(nb)),
    ]
    frames = []
    for kind, rows, si, ci, wi in parts:
        if not len(rows):
            continue
        v = value[rows]
        # for supply (an equality row) one more kg means a higher bound: value = -dual too
        limit = s["row_hi"][rows]
        used = activity[rows] if kind != "supply" else limit
        frames.append(
            pd.DataFrame(
                {
                    "week": wi + 1,
                    "constraint": kind,
                    "site_id": None if si is None else base.site_ids[si],
                    "area_id": None,
                    "commodity": None if ci is None else base.commodities[ci],
                    "limit": limit,
                    "used": used,
                    "value_per_unit": v,
                    "site_i": -1 if si is None else si,
                    "comm_i": -1 if ci is None else ci,
                }
            )
        )
    if not frames:
        return _empty_duals().assign(week=[])
    out = pd.concat(frames, ignore_index=True)
    out["slack"] = out["limit"] - out["used"]
    tight = out["slack"].abs() <= 1e-6 * np.maximum(1.0, out["limit"].abs())
    tight |= out["constraint"] == "supply"
    closed = ~problem.site_open[out["week"] - 1, out["site_i"].clip(lower=0)]
    out["binding"] = tight & (out["value_per_unit"] > 1e-9) & ~(closed & (out["site_i"] >= 0))
    what = {
        "supply": "one more kg of {c} supplied at {s} in week {w}",
        "throughput": "one more kg of throughput at {s} in week {w}",
        "storage": "one more kg of storage at {s} in week {w}",
        "budget": "one more dollar of transport budget in week {w}",
    }
    texts = []
    for row in out.itertuples(index=False):
        if not row.binding:
            texts.append("")
            continue
        who = what[row.constraint].format(
            c=base.commodity_names[row.comm_i] if row.comm_i >= 0 else "",
            s=base.site_names[row.site_i] if row.site_i >= 0 else "",
            w=row.week,
        )
        worth = limit_worth(
            float(row.value_per_unit),
            unit=unit,
            objective=objective,
            penalty_usd_per_kg=pen,
            budget=row.constraint == "budget",
        )
        texts.append(f"{who} {worth}")
    out["explanation"] = texts
    cols = ["week", *_dual_cols()]
    return out[cols]


def _dual_cols() -> list[str]:
    return list(_empty_duals().columns)

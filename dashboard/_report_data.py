"""Tables the report shows, derived from a region, its analysed areas and an allocation solution.

Everything that touches the shape of another package's results (the analysed areas' columns, the
solution's frames and KPIs, the scenario's shocks) is read here, tolerantly, so the report itself
only sees the plain tables below.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

__all__ = [
    "DESERT_MEASURES",
    "KPI_LABELS",
    "area_fulfilment",
    "binding_rows",
    "desert_table",
    "flow_segments",
    "format_value",
    "kpi_rows",
    "shock_rows",
    "unmet_by_commodity",
]

#: Atlas measures the report counts, in reading order, with a plain-words label.
DESERT_MEASURES: dict[str, str] = {
    "LILATracts_1And10": "Low income, low access at 1 mile (urban) / 10 miles (rural)",
    "LILATracts_halfAnd10": "Low income, low access at 1/2 mile (urban) / 10 miles (rural)",
    "LILATracts_1And20": "Low income, low access at 1 mile (urban) / 20 miles (rural)",
    "LILATracts_Vehicle": "Low income, low vehicle access",
    "LATracts1": "Low access at 1 mile (any income)",
    "LATracts_half": "Low access at 1/2 mile (any income)",
    "LowIncomeTracts": "Low income (poverty >= 20% or income <= 80% of median)",
}

#: Plain-words labels of the KPIs an allocation reports; unknown keys are shown as they are.
KPI_LABELS: dict[str, str] = {
    "need_met_share": "Share of all need met",
    "need_met_share_lila": "Share of need met in low-income, low-access areas",
    "need_met_lila_share": "Share of need met in low-income, low-access areas",
    "min_fulfilment_lila": "Lowest fulfilment of any low-income, low-access area",
    "people_lila": "Residents of low-income, low-access areas",
    "areas_lila": "Low-income, low-access areas",
    "need_lila_kg": "Need in low-income, low-access areas (kg per period)",
    "need_met_lila_kg": "Need met in low-income, low-access areas (kg per period)",
    "people_lila_below_50pct": "Residents of low-income, low-access areas with less than half "
    "their need met",
    "lila_source": "Where the low-income, low-access flag comes from",
    "delivered_kg": "Food delivered (kg per period)",
    "need_kg": "Total need (kg per period)",
    "unmet_kg": "Unmet need (kg per period)",
    "min_fulfilment": "Lowest fulfilment of any area",
    "min_area_fulfilment": "Lowest fulfilment of any area",
    "mean_fulfilment_pop": "Average fulfilment per resident",
    "pop_weighted_fulfilment": "Average fulfilment per resident",
    "fulfilment_pop_weighted": "Average fulfilment per resident",
    "gini_fulfilment": "Inequality of fulfilment (Gini, 0 = equal)",
    "fulfilment_gini": "Inequality of fulfilment (Gini, 0 = equal)",
    "cost_usd": "Transport cost (USD per period)",
    "transport_cost_usd": "Transport cost (USD per period)",
    "kg_km": "Transport work (kg-km per period)",
    "people_fully_served": "Residents whose need is fully met",
    "areas_below_half": "Areas with less than half their need met",
    "solve_time_s": "Solver time (s)",
    "need_met_kg": "Need met (kg per period)",
    "kg_delivered": "Food delivered (kg per period)",
    "kg_substituted": "Delivered as an accepted substitute (kg)",
    "mean_fulfilment": "Average fulfilment per resident",
    "areas_below_50pct": "Areas with less than half their need met",
    "people_below_50pct": "Residents where less than half the need is met",
    "low_income_need_met_share": "Share of need met in low-income areas",
    "budget_usd": "Transport budget (USD per period)",
    "objective_value": "Objective value (solver units)",
    "status": "Solver status",
    "areas": "Areas in the plan",
    "flows": "Delivery routes used",
    "areas_unreachable": "Areas beyond the reach of every site",
    "people_unreachable": "Residents beyond the reach of every site",
    "min_fulfilment_reachable": "Lowest fulfilment of any area a site can reach",
}


def format_value(key: str, value: Any) -> str:
    """A KPI value for people: shares as percentages, money with $, big numbers with commas."""
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if not isinstance(value, int | float | np.integer | np.floating):
        return str(value)
    v = float(value)
    if math.isnan(v):
        return "n/a"
    k = key.lower()
    shareish = any(t in k for t in ("share", "fulfilment", "ratio", "rate"))
    if shareish and "gini" not in k and -1.5 <= v <= 1.5:
        return f"{v:.1%}"
    if "gini" in k or "theil" in k or "atkinson" in k:
        return f"{v:.3f}"
    if "usd" in k or "cost" in k:
        return f"${v:,.0f}" if abs(v) >= 100 else f"${v:,.2f}"
    if "time" in k and k.endswith("_s"):
        return f"{v:.2f} s"
    if abs(v) >= 100 or float(v).is_integer():
        return f"{v:,.0f}"
    return f"{v:,.3g}"


#: KPIs shown in the report's main table, in this order; the rest go under "all figures".
HEADLINE_KPIS = (
    "need_met_share",
    "low_income_need_met_share",
    "need_met_share_lila",
    "min_fulfilment_lila",
    "need_met_kg",
    "need_kg",
    "min_fulfilment",
    "min_fulfilment_reachable",
    "people_unreachable",
    "areas_unreachable",
    "mean_fulfilment",
    "gini_fulfilment",
    "people_below_50pct",
    "areas_below_50pct",
    "kg_substituted",
    "transport_cost_usd",
    "budget_usd",
    "kg_km",
)


def kpi_rows(kpis: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per KPI: key, plain label, raw value, display text and ``headline`` (bool).

    Headline KPIs come first, in :data:`HEADLINE_KPIS` order.
    """
    order = {k: i for i, k in enumerate(HEADLINE_KPIS)}
    kpis = dict(sorted(kpis.items(), key=lambda kv: order.get(kv[0], len(order))))
    rows = []
    for key, value in kpis.items():
        if isinstance(value, Mapping | list | tuple):
            continue
        raw = value.item() if isinstance(value, np.generic) else value
        rows.append(
            {
                "key": key,
                "label": KPI_LABELS.get(key, key.replace("_", " ")),
                "value": raw,
                "display": format_value(key, raw),
                "headline": key in order and raw is not None,
            }
        )
    return rows


# ---------------------------------------------------------------------- food deserts
def _flag(areas: pd.DataFrame, col: str) -> pd.Series:
    return areas[col].fillna(False).astype(float).astype(bool)


def desert_table(areas: pd.DataFrame) -> pd.DataFrame:
    """Areas and residents flagged by each Atlas measure present, overall and by group.

    Columns: ``measure``, ``label``, ``group`` (all residents / urban / rural / low-income areas),
    ``areas``, ``population``, ``share`` (of that group's residents).
    """
    pop = areas["population"].astype(float)
    groups: dict[str, pd.Series] = {"all areas": pd.Series(True, index=areas.index)}
    if "urban" in areas:
        urban = areas["urban"].fillna(False).astype(bool)
        groups["urban areas"] = urban
        groups["rural areas"] = ~urban
    rows = []
    for col, label in DESERT_MEASURES.items():
        if col not in areas:
            continue
        flag = _flag(areas, col)
        for group, mask in groups.items():
            total = float(pop[mask].sum())
            hit = flag & mask
            rows.append(
                {
                    "measure": col,
                    "label": label,
                    "group": group,
                    "areas": int(hit.sum()),
                    "population": float(pop[hit].sum()),
                    "share": float(pop[hit].sum()) / total if total > 0 else float("nan"),
                }
            )
    return pd.DataFrame(rows, columns=["measure", "label", "group", "areas", "population", "share"])


def desert_pivot(table: pd.DataFrame) -> list[dict[str, Any]]:
    """One row per measure: areas, residents and share overall, residents per other group."""
    out = []
    for measure, sub in table.groupby("measure", sort=False):
        allrow = sub[sub["group"] == "all areas"].iloc[0]
        out.append(
            {
                "measure": measure,
                "label": allrow["label"],
                "areas": int(allrow["areas"]),
                "population": float(allrow["population"]),
                "share": float(allrow["share"]),
                "groups": {
                    str(r["group"]): float(r["population"])
                    for _, r in sub.iterrows()
                    if r["group"] != "all areas"
                },
            }
        )
    return out


def desert_classes(areas: pd.DataFrame) -> tuple[pd.Series, dict[str, str], str]:
    """A four-way class per area for the equity map, the colours, and which measure it uses."""
    li_col = "LowIncomeTracts" if "LowIncomeTracts" in areas else None
    la_col, lila_col = "", ""
    for la, lila in (
        ("LA1and10", "LILATracts_1And10"),
        ("LATracts1", "LILATracts_1And10"),
        ("LATracts_half", "LILATracts_halfAnd10"),
    ):
        if lila in areas:
            la_col, lila_col = la, lila
            break
    colors = {
        "low income and low access (food desert)": "#b2182b",
        "low access only": "#f4a582",
        "low income only": "#92c5de",
        "neither": "#f7f7f7",
    }
    if not lila_col:
        return pd.Series("neither", index=areas.index), colors, ""
    lila = _flag(areas, lila_col)
    li = _flag(areas, li_col) if li_col else lila
    la = _flag(areas, la_col) if la_col and la_col in areas else lila
    out = pd.Series("neither", index=areas.index, dtype=object)
    out[li & ~la] = "low income only"
    out[la & ~li] = "low access only"
    out[lila | (la & li)] = "low income and low access (food desert)"
    return out, colors, lila_col


# ---------------------------------------------------------------------- solution frames
def _first(df: pd.DataFrame, *names: str) -> str | None:
    for n in names:
        if n in df.columns:
            return n
    return None


def _frame(obj: Any, name: str) -> pd.DataFrame:
    value = getattr(obj, name, None)
    if value is None:
        return pd.DataFrame()
    if isinstance(value, pd.Series):
        return value.reset_index()
    return pd.DataFrame(value)


def _kg_per_unit(region: Any) -> pd.Series:
    com = region.commodities
    if "kg_per_unit" in com:
        return com.set_index("commodity")["kg_per_unit"].astype(float)
    return pd.Series(dtype=float)


def _to_kg(df: pd.DataFrame, col: str, kpu: pd.Series) -> pd.Series:
    factor = df["commodity"].map(kpu).fillna(1.0) if "commodity" in df else 1.0
    return df[col].astype(float) * factor


def need_met_table(region: Any, solution: Any) -> pd.DataFrame:
    """Per area and commodity: ``need_kg`` and ``met_kg`` (from the solution's fulfilment)."""
    kpu = _kg_per_unit(region)
    ful = _frame(solution, "fulfilment_by_commodity")
    if ful.empty:
        ful = _frame(solution, "fulfilment")
    if not ful.empty and "area_id" in ful:
        need_kg = _first(ful, "need_kg")
        met_kg = _first(ful, "met_kg", "delivered_kg", "served_kg")
        need = _first(ful, "need", "need_quantity", "quantity_need", "demand")
        met = _first(ful, "met", "delivered", "served", "quantity_met", "supplied")
        unmet = _first(ful, "unmet", "unmet_quantity", "shortfall")
        ratio = _first(ful, "fulfilment", "ratio", "fulfilment_ratio", "share")
        out = pd.DataFrame({"area_id": ful["area_id"].astype(str)})
        out["commodity"] = ful["commodity"].astype(str) if "commodity" in ful else "all"
        if need_kg:
            out["need_kg"] = ful[need_kg].astype(float)
        elif need:
            out["need_kg"] = _to_kg(ful, need, kpu)
        if met_kg:
            out["met_kg"] = ful[met_kg].astype(float)
        elif met:
            out["met_kg"] = _to_kg(ful, met, kpu)
        elif unmet and "need_kg" in out:
            out["met_kg"] = out["need_kg"] - _to_kg(ful, unmet, kpu)
        elif ratio and "need_kg" in out:
            out["met_kg"] = out["need_kg"] * ful[ratio].astype(float)
        if {"need_kg", "met_kg"} <= set(out.columns):
            return out
    # Fall back to the region's need (of its default period) and the flows into each area.
    if getattr(region, "default_period", None) and "period" in region.need:
        region = region.select_period(region.default_period)
    need = region.need.copy()
    need["area_id"] = need["area_id"].astype(str)
    need["need_kg"] = _to_kg(need, "quantity", kpu)
    flows = _frame(solution, "flows")
    out = need.groupby(["area_id", "commodity"], as_index=False)["need_kg"].sum()
    if flows.empty:
        out["met_kg"] = 0.0
        return out
    qcol = _first(flows, "kg", "quantity_kg")
    fl = flows.copy()
    fl["area_id"] = fl["area_id"].astype(str)
    target = _first(fl, "serves", "need_commodity", "for_commodity") or "commodity"
    fl["kg_"] = fl[qcol].astype(float) if qcol else _to_kg(fl, "quantity", kpu)
    got = fl.groupby(["area_id", target])["kg_"].sum().rename("met_kg")
    out = out.merge(
        got.reset_index().rename(columns={target: "commodity"}),
        on=["area_id", "commodity"],
        how="left",
    )
    out["met_kg"] = np.minimum(out["met_kg"].fillna(0.0), out["need_kg"])
    return out


def area_fulfilment(region: Any, solution: Any) -> pd.DataFrame:
    """Per area: ``need_kg``, ``met_kg`` and ``ratio`` (met / need; 1 where there is no need)."""
    t = need_met_table(region, solution)
    per = t.groupby("area_id", as_index=False)[["need_kg", "met_kg"]].sum()
    ids = pd.DataFrame({"area_id": region.areas["area_id"].astype(str)})
    per = ids.merge(per, on="area_id", how="left").fillna({"need_kg": 0.0, "met_kg": 0.0})
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = per["met_kg"] / per["need_kg"]
    per["ratio"] = ratio.where(per["need_kg"] > 0, 1.0).clip(0, 1)
    return per


def unmet_by_commodity(region: Any, solution: Any) -> pd.DataFrame:
    """Per commodity: ``need_kg``, ``met_kg``, ``unmet_kg``, ``unmet_share``; largest gap first."""
    t = need_met_table(region, solution)
    per = t.groupby("commodity", as_index=False)[["need_kg", "met_kg"]].sum()
    per["unmet_kg"] = (per["need_kg"] - per["met_kg"]).clip(lower=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        per["unmet_share"] = (per["unmet_kg"] / per["need_kg"]).where(per["need_kg"] > 0, 0.0)
    if "name" in region.commodities:
        names = region.commodities.set_index("commodity")["name"]
        per["name"] = per["commodity"].map(names).fillna(per["commodity"])
    else:
        per["name"] = per["commodity"]
    return per.sort_values("unmet_kg", ascending=False).reset_index(drop=True)


def _points_xy(gdf: gpd.GeoDataFrame, id_col: str) -> pd.DataFrame:
    return pd.DataFrame(
        {"x": gdf.geometry.x.to_numpy(), "y": gdf.geometry.y.to_numpy()},
        index=gdf[id_col].astype(str).to_numpy(),
    )


def flow_segments(region: Any, solution: Any) -> pd.DataFrame:
    """One line per (site, area): ``x0, y0`` at the site, ``x1, y1`` at the area, and ``kg``."""
    flows = _frame(solution, "flows")
    cols = ["site_id", "area_id", "x0", "y0", "x1", "y1", "kg"]
    if flows.empty or not {"site_id", "area_id"} <= set(flows.columns):
        return pd.DataFrame(columns=cols)
    kpu = _kg_per_unit(region)
    qcol = _first(flows, "kg", "quantity_kg")
    fl = flows.copy()
    fl["kg"] = fl[qcol].astype(float) if qcol else _to_kg(fl, "quantity", kpu)
    fl["site_id"] = fl["site_id"].astype(str)
    fl["area_id"] = fl["area_id"].astype(str)
    agg = fl.groupby(["site_id", "area_id"], as_index=False)["kg"].sum()
    agg = agg[agg["kg"] > 1e-9]
    sites = _points_xy(region.sites, "site_id")
    rep = region.areas.geometry.representative_point()
    areas = pd.DataFrame(
        {"x": rep.x.to_numpy(), "y": rep.y.to_numpy()},
        index=region.areas["area_id"].astype(str).to_numpy(),
    )
    agg = agg[agg["site_id"].isin(sites.index) & agg["area_id"].isin(areas.index)]
    agg["x0"] = sites.loc[agg["site_id"], "x"].to_numpy()
    agg["y0"] = sites.loc[agg["site_id"], "y"].to_numpy()
    agg["x1"] = areas.loc[agg["area_id"], "x"].to_numpy()
    agg["y1"] = areas.loc[agg["area_id"], "y"].to_numpy()
    return agg[cols].reset_index(drop=True)


# ---------------------------------------------------------------------- duals and shocks
def _site_names(region: Any) -> dict[str, str]:
    s = region.sites
    if "name" in s:
        return {
            str(k): f"{v} ({k})" for k, v in zip(s["site_id"], s["name"].fillna(""), strict=False)
        }
    return {}


def binding_rows(region: Any, solution: Any, *, limit: int = 40) -> list[dict[str, Any]]:
    """The binding constraints, most valuable first, one row each (for the detail table).

    Reads ``solution.binding`` (or ``solution.duals``): a constraint kind, the site / area /
    commodity it is about, and its value per unit (the objective's change for one more unit).
    Rows have ``kind``, ``where``, ``site_id``, ``food``, ``limit``, ``used``, ``value`` and
    the solver's own ``explanation`` where it gives one.
    """
    table = _frame(solution, "binding")
    if table.empty:
        table = _frame(solution, "duals")
    if table.empty:
        return []
    kind_col = _first(table, "constraint", "kind", "type", "row_kind")
    dual_col = _first(table, "value_per_unit", "dual", "shadow_price", "marginal", "value", "pi")
    if dual_col is None:
        return []
    t = table.copy()
    t["_abs"] = t[dual_col].astype(float).abs()
    if "binding" in t:
        t = t[t["binding"].fillna(False).astype(bool)]
    t = t[t["_abs"] > 1e-9].sort_values("_abs", ascending=False, kind="stable").head(limit)
    names = _site_names(region)
    com_names = (
        region.commodities.set_index("commodity")["name"].to_dict()
        if "name" in region.commodities
        else {}
    )

    def text(r: pd.Series, col: str) -> str:
        return str(r[col]) if col in t and pd.notna(r.get(col)) else ""

    rows = []
    for _, r in t.iterrows():
        site, area, com = text(r, "site_id"), text(r, "area_id"), text(r, "commodity")
        kind = text(r, kind_col) if kind_col else ""
        rows.append(
            {
                "kind": kind,
                "site_id": site,
                "where": names.get(site, site) or (f"area {area}" if area else "whole region"),
                "food": com_names.get(com, com),
                "limit": _num(r.get("limit")),
                "used": _num(r.get("used")),
                "value": float(r[dual_col]),
                "explanation": text(r, "explanation"),
            }
        )
    return rows


def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _join(items: list[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    if len(items) > 5:
        return ", ".join(items[:5]) + f" and {len(items) - 5} more"
    return ", ".join(items[:-1]) + " and " + items[-1]


def binding_summary(rows: list[dict[str, Any]], *, limit: int = 6) -> list[str]:
    """The binding constraints in plain words, one sentence per site (or budget), best first."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault((r["kind"], r["where"]), []).append(r)
    out = []
    for (kind, where), items in list(groups.items())[:limit]:
        best = max(abs(i["value"]) for i in items)
        k = kind.lower()
        if "supply" in k:
            foods = _join([i["food"] for i in items])
            out.append(
                f"{where} hands out all of its {foods}. More of these foods there would help "
                f"the plan most: each extra kg is worth {best:,.3g} in the plan's objective."
            )
        elif "throughput" in k or "capacity" in k:
            lim = items[0].get("limit")
            cap = f" ({lim:,.0f} kg per week)" if lim else ""
            out.append(
                f"{where} is working at its handling limit{cap}: more staff, hours or storage "
                f"there would let more food through (worth {best:,.3g} per extra kg)."
            )
        elif "budget" in k:
            lim = items[0].get("limit")
            spent = f" of ${lim:,.0f}" if lim else ""
            out.append(
                f"The transport budget{spent} is spent in full: each extra dollar is worth "
                f"{best:,.3g} in the plan's objective."
            )
        elif "fair" in k or "min" in k:
            out.append(f"The fairness rule binds at {where} (worth {best:,.3g} per unit).")
        else:
            out.append(f"{kind or 'A limit'} binds at {where} (worth {best:,.3g} per unit).")
    return out


def shock_rows(
    scenario: Any, solution: Any = None, *, site_names: Mapping[str, str] | None = None
) -> list[dict[str, str]]:
    """The shocks a scenario applies: ``kind`` (plain words) and ``detail`` (what changes)."""
    shocks: Any = None
    if scenario is not None and not isinstance(scenario, str):
        shocks = getattr(scenario, "shocks", None)
    if shocks is None and solution is not None:
        manifest = getattr(solution, "manifest", None) or {}
        shocks = manifest.get("shocks") if isinstance(manifest, Mapping) else None
        if shocks is None:
            shocks = getattr(solution, "shocks", None)
    rows = []
    for shock in shocks or ():
        data = _shock_dict(shock)
        kind = str(data.pop("kind", type(shock).__name__))
        if site_names and data.get("site_ids"):
            data["site_ids"] = [site_names.get(str(i), str(i)) for i in data["site_ids"]]
        rows.append({"kind": SHOCK_TITLES.get(kind, kind), "detail": describe_shock(kind, data)})
    return rows


def scenario_settings(scenario: Any) -> list[dict[str, str]]:
    """The scenario's settings in words: period, reach, transport cost and budget, parameters."""
    rows: list[dict[str, str]] = []
    if scenario is None or isinstance(scenario, str):
        return rows
    period = getattr(scenario, "period", None)
    if period:
        rows.append({"setting": "Period", "value": str(period)})
    net = getattr(scenario, "network", None)
    if net is not None:
        d = getattr(net, "max_distance_m", None)
        if d:
            rows.append(
                {
                    "setting": "Longest delivery",
                    "value": f"{d / 1000:,.1f} km ({d / 1609.344:,.1f} miles)",
                }
            )
        c = getattr(net, "cost_per_kg_km", None)
        if c is not None:
            rows.append({"setting": "Transport cost", "value": f"${c:,.2f} per kg per km"})
        b = getattr(net, "budget_usd", None)
        rows.append(
            {
                "setting": "Transport budget",
                "value": f"${b:,.0f} per period" if b is not None else "no limit",
            }
        )
    params = getattr(scenario, "params", None)
    dump = params.model_dump() if hasattr(params, "model_dump") else dict(params or {})
    for key, value in dump.items():
        if value is not None:
            text = f"{value:g}" if isinstance(value, int | float) else str(value)
            rows.append({"setting": key.replace("_", " ").capitalize(), "value": text})
    return rows


SHOCK_TITLES = {
    "site_outage": "Site outage",
    "yield_factor": "Supply change",
    "demand_surge": "Demand surge",
    "budget_change": "Budget change",
    "max_distance": "Delivery distance limit",
}


def _shock_dict(shock: Any) -> dict[str, Any]:
    if isinstance(shock, Mapping):
        return dict(shock)
    if hasattr(shock, "model_dump"):
        return dict(shock.model_dump())
    data = {k: v for k, v in getattr(shock, "__dict__", {}).items() if not k.startswith("_")}
    kind = getattr(shock, "kind", None)
    if kind is not None:
        data["kind"] = kind
    return data


def describe_shock(kind: str, d: Mapping[str, Any]) -> str:
    """One shock in plain words, e.g. ``every hub is out of service``."""

    def sites() -> str:
        parts = []
        if d.get("site_ids"):
            ids = list(d["site_ids"])
            parts.append(("site " if len(ids) == 1 else "sites ") + _short(ids))
        if d.get("site_kind"):
            parts.append(f"every {d['site_kind']}")
        return " and ".join(parts) or "every site"

    def foods() -> str:
        return f" for {_short(d['commodities'])}" if d.get("commodities") else ""

    if kind == "site_outage":
        who = sites()
        return f"{who[0].upper() + who[1:]} out of service for the period: no food goes out from there."
    if kind == "yield_factor" and d.get("factor") is not None:
        f = float(d["factor"])
        change = f"{1 - f:.0%} less" if f < 1 else f"{f - 1:.0%} more"
        return f"Supply at {sites()}{foods()} scaled by {f:g} ({change})."
    if kind == "demand_surge" and d.get("factor") is not None:
        f = float(d["factor"])
        parts = []
        if d.get("area_ids"):
            parts.append("areas " + _short(d["area_ids"]))
        if d.get("area_flag"):
            parts.append(f"areas flagged {d['area_flag']}")
        if d.get("area_column"):
            col = str(d["area_column"]).replace("_", " ")
            if d.get("at_least") is not None:
                parts.append(f"areas whose {col} is at least {d['at_least']:g}")
            if d.get("at_most") is not None:
                parts.append(f"areas whose {col} is at most {d['at_most']:g}")
        where = " and ".join(parts) or "every area"
        return f"Need in {where}{foods()} multiplied by {f:g} ({f - 1:+.0%})."
    if kind == "budget_change":
        if d.get("budget_usd") is not None:
            return f"Transport budget set to ${float(d['budget_usd']):,.0f} per period."
        if d.get("factor") is not None:
            return f"Transport budget scaled by {float(d['factor']):g}."
        if d.get("delta_usd") is not None:
            return f"Transport budget changed by ${float(d['delta_usd']):+,.0f}."
    if kind == "max_distance" and d.get("max_distance_m") is not None:
        m = float(d["max_distance_m"])
        return f"Deliveries limited to {m / 1000:,.1f} km ({m / 1609.344:,.1f} miles)."
    return ", ".join(f"{k} = {_short(v)}" for k, v in d.items() if v not in (None, (), []))


def _short(v: Any) -> str:
    if isinstance(v, list | tuple | set | frozenset):
        items = [str(x) for x in v]
        return ", ".join(items[:8]) + (f" (+{len(items) - 8} more)" if len(items) > 8 else "")
    return str(v)

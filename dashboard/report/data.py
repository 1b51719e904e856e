"""Tables the report shows, derived from a region, its analysed areas and an allocation solution.

The solution is an :class:`optimize.AllocationSolution` and the scenario an
:class:`optimize.Scenario`: their frames are read by their documented columns (all in kg), so
the report itself only sees the plain tables below.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from equity.catalogue import M_PER_MILE, measure_info
from optimize.catalogue import SHOCK_TITLES, describe_shock, kpi_info

from ..figures.palette import DESERT_CLASS_COLOURS

if TYPE_CHECKING:
    from optimize import AllocationSolution, Scenario

__all__ = [
    "DESERT_MEASURES",
    "kpi_label",
    "area_fulfilment",
    "binding_rows",
    "desert_table",
    "flow_segments",
    "format_value",
    "kpi_rows",
    "shock_rows",
    "unmet_by_commodity",
]

#: Atlas measures the report counts, in reading order (labels from :mod:`equity.catalogue`).
DESERT_MEASURES: tuple[str, ...] = (
    "LILATracts_1And10",
    "LILATracts_halfAnd10",
    "LILATracts_1And20",
    "LILATracts_Vehicle",
    "LATracts1",
    "LATracts_half",
    "LowIncomeTracts",
)


def kpi_label(key: str) -> str:
    """A KPI's plain-words label, from :mod:`optimize.catalogue`."""
    return kpi_info(key).label


def format_value(key: str, value: Any) -> str:
    """A KPI value for people, in the catalogue's format (shares as %, money with $)."""
    if value is None:
        return "n/a"
    if isinstance(value, float) and math.isnan(value):
        return "n/a"
    return kpi_info(key).format(value)


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
                "label": kpi_label(key),
                "value": raw,
                "display": format_value(key, raw),
                "headline": key in order and raw is not None,
            }
        )
    return rows


# ---------------------------------------------------------------------- food deserts
def _flag(areas: pd.DataFrame, col: str) -> pd.Series:
    """A flag column as bools, no data (NaN) as False (a float column takes no False filler)."""
    return pd.to_numeric(areas[col], errors="coerce").fillna(0.0).astype(bool)


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
    for col in DESERT_MEASURES:
        if col not in areas:
            continue
        label = measure_info(col).label
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
    colors = dict(DESERT_CLASS_COLOURS)
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
def need_met_table(solution: AllocationSolution) -> pd.DataFrame:
    """Per area and need commodity: ``need_kg`` and ``met_kg`` (the solution's
    ``fulfilment_by_commodity``; substitutes count towards the food they stand in for)."""
    ful = solution.fulfilment_by_commodity
    out = ful[["area_id", "commodity", "need_kg", "met_kg"]].copy()
    out["area_id"] = out["area_id"].astype(str)
    return out


def area_fulfilment(region: Any, solution: AllocationSolution) -> pd.DataFrame:
    """Per area: ``need_kg``, ``met_kg`` and ``ratio`` (met / need; NaN, "no data", where there
    is no need, as in the app)."""
    t = need_met_table(solution)
    per = t.groupby("area_id", as_index=False)[["need_kg", "met_kg"]].sum()
    ids = pd.DataFrame({"area_id": region.areas["area_id"].astype(str)})
    per = ids.merge(per, on="area_id", how="left").fillna({"need_kg": 0.0, "met_kg": 0.0})
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = per["met_kg"] / per["need_kg"]
    per["ratio"] = ratio.where(per["need_kg"] > 0).clip(0, 1)
    return per


def unmet_by_commodity(region: Any, solution: AllocationSolution) -> pd.DataFrame:
    """Per commodity: ``need_kg``, ``met_kg``, ``unmet_kg``, ``unmet_share``; largest gap first."""
    t = need_met_table(solution)
    per = t.groupby("commodity", as_index=False)[["need_kg", "met_kg"]].sum()
    per["unmet_kg"] = (per["need_kg"] - per["met_kg"]).clip(lower=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        per["unmet_share"] = (per["unmet_kg"] / per["need_kg"]).where(per["need_kg"] > 0, 0.0)
    per["name"] = per["commodity"].map(region.commodity_name)
    return per.sort_values("unmet_kg", ascending=False).reset_index(drop=True)


def flow_segments(region: Any, solution: AllocationSolution) -> pd.DataFrame:
    """One line per (site, area): ``x0, y0`` at the site, ``x1, y1`` at the area's population
    centre (the region's metric CRS), and ``kg``: the lines of the report's deliveries map."""
    from ..figures.maps import flow_segments as segments

    return segments(region.areas, region.sites, solution.flows, render="xy", crs=region.areas.crs)


# ---------------------------------------------------------------------- duals and shocks
def _site_names(region: Any) -> dict[str, str]:
    s = region.sites
    if "name" in s:
        return {
            str(k): f"{v} ({k})" for k, v in zip(s["site_id"], s["name"].fillna(""), strict=False)
        }
    return {}


def binding_rows(
    region: Any, solution: AllocationSolution, *, limit: int = 40
) -> list[dict[str, Any]]:
    """The binding constraints, most valuable first, one row each (for the detail table).

    Reads ``solution.binding``: the constraint kind, the site / area / commodity it is about,
    and its value per unit (the objective's change for one more unit). Rows have ``kind``,
    ``where``, ``site_id``, ``food``, ``limit``, ``used``, ``value`` and the optimizer's own
    ``explanation``.
    """
    t = solution.binding.copy()
    if t.empty:
        return []
    t["_abs"] = t["value_per_unit"].astype(float).abs()
    t = t[t["_abs"] > 1e-9].sort_values("_abs", ascending=False, kind="stable").head(limit)
    names = _site_names(region)
    com_names = region.commodity_names

    def text(r: pd.Series, col: str) -> str:
        return str(r[col]) if pd.notna(r[col]) else ""

    rows = []
    for _, r in t.iterrows():
        site, area, com = text(r, "site_id"), text(r, "area_id"), text(r, "commodity")
        kind = text(r, "constraint")
        rows.append(
            {
                "kind": kind,
                "site_id": site,
                "where": names.get(site, site) or (f"area {area}" if area else "whole region"),
                "food": com_names.get(com, com),
                "limit": _num(r.get("limit")),
                "used": _num(r.get("used")),
                "value": float(r["value_per_unit"]),
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
        best = max(items, key=lambda i: abs(i["value"]))
        # what one more unit is worth: the optimizer's own sentence (as the CLI and the Plan
        # page show it), so the three never disagree
        worth = best["explanation"]
        worth = f" {worth[:1].upper()}{worth[1:]}." if worth else ""
        k = kind.lower()
        if "supply" in k:
            foods = _join([i["food"] for i in items])
            out.append(f"{where} hands out all of its {foods}.{worth}")
        elif "throughput" in k or "capacity" in k:
            lim = items[0].get("limit")
            cap = f" ({lim:,.0f} kg per week)" if lim else ""
            out.append(
                f"{where} is working at its handling limit{cap}: more staff, hours or storage "
                f"there would let more food through.{worth}"
            )
        elif "budget" in k:
            lim = items[0].get("limit")
            spent = f" of ${lim:,.0f}" if lim else ""
            out.append(f"The transport budget{spent} is spent in full.{worth}")
        else:
            out.append(f"{kind.capitalize() or 'A limit'} binds at {where}.{worth}")
    return out


def _shocks(scenario: Scenario | str | None, solution: AllocationSolution | None) -> list[Any]:
    """The scenario's shocks as dicts, or (without a scenario) those the solution recorded."""
    if scenario is not None and not isinstance(scenario, str):
        return [s.model_dump() for s in scenario.shocks]
    if solution is not None:
        return list(solution.manifest.get("shocks") or ())
    return []


def closed_sites(
    scenario: Scenario | str | None, solution: AllocationSolution | None = None
) -> list[str]:
    """The ids of the sites a plan switches off (its ``site_outage`` shocks), for the maps."""
    ids: list[str] = []
    for shock in _shocks(scenario, solution):
        if shock.get("kind") == "site_outage":
            ids += [str(i) for i in shock.get("site_ids") or ()]
    return ids


def shock_rows(
    scenario: Scenario | str | None,
    solution: AllocationSolution | None = None,
    *,
    site_names: Mapping[str, str] | None = None,
    region: Any = None,
) -> list[dict[str, str]]:
    """The shocks a plan applies: ``kind`` (plain words) and ``detail`` (what changes, from
    :func:`optimize.catalogue.describe_shock`, with the ``region``'s food names).

    They come from the scenario when one is given, else from the solution's manifest (where
    :func:`optimize.allocate` records the shocks it applied)."""
    rows = []
    for shock in _shocks(scenario, solution):
        data = dict(shock)
        kind = str(data.pop("kind"))
        detail = describe_shock(
            kind,
            data,
            site_names=dict(site_names or {}),
            commodity_names=region.commodity_names if region is not None else None,
        )
        rows.append({"kind": SHOCK_TITLES.get(kind, kind), "detail": detail})
    return rows


def scenario_settings(scenario: Scenario | str | None) -> list[dict[str, str]]:
    """The scenario's settings in words: period, reach, transport cost and budget, parameters."""
    rows: list[dict[str, str]] = []
    if scenario is None or isinstance(scenario, str):
        return rows
    if scenario.period:
        rows.append({"setting": "Period", "value": str(scenario.period)})
    net = scenario.network
    d = net.max_distance_m
    rows.append(
        {
            "setting": "Longest delivery",
            "value": f"{d / 1000:,.1f} km ({d / M_PER_MILE:,.1f} miles)",
        }
    )
    rows.append({"setting": "Transport cost", "value": f"${net.cost_per_kg_km:,.2f} per kg per km"})
    b = net.budget_usd
    rows.append(
        {
            "setting": "Transport budget",
            "value": f"${b:,.0f} per period" if b is not None else "no limit",
        }
    )
    for key, value in scenario.params.model_dump().items():
        if value is not None:
            text = f"{value:g}" if isinstance(value, int | float) else str(value)
            rows.append({"setting": key.replace("_", " ").capitalize(), "value": text})
    return rows

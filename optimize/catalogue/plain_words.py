"""Limits and shocks in plain words: what one more unit of a binding limit is worth
(:func:`limit_worth`) and a scenario's shock as a sentence (:func:`describe_shock`)."""

from __future__ import annotations

from typing import Any

from equity.catalogue import M_PER_MILE
from equity.catalogue import measure_info as _equity_measure_info


def limit_worth(
    value: float, *, unit: str, objective: str, penalty_usd_per_kg: float | None, budget: bool
) -> str:
    """What one more unit of a binding limit is worth, in plain words: the end of a sentence
    that starts with the limit ("one more kg of Kale at Community Garden 1 ...").

    ``value`` is the dual value (the objective's change for one more unit, > 0), in ``unit``:
    ``"kg of need met"`` for the staged objectives (their need-met stage), else money:
    transport plus the unmet-need penalty for ``cost`` and ``fair_share``, transport alone
    otherwise. Every plan's explanations (one period or several weeks) read this.

    >>> limit_worth(746.2, unit="USD", objective="fair_share", penalty_usd_per_kg=5.0,
    ...             budget=False)
    'would save $746.20 of delivery cost and unmet-need penalty'
    >>> limit_worth(0.5, unit="kg of need met", objective="balanced", penalty_usd_per_kg=None,
    ...             budget=False)
    'would feed about 0.50 kg more need'
    """
    v, pen = float(value), penalty_usd_per_kg
    if unit == "kg of need met":
        return f"would feed about {v:.2f} kg more need"
    if objective in ("cost", "fair_share") and pen:
        if budget:
            return (
                f"would save ${v:,.2f} of delivery cost and unmet-need penalty, about "
                f"{v / pen:.2f} kg more need met"
            )
        if objective == "cost" and v >= 0.5 * pen:  # the extra kg serves need now unmet
            return (
                f"would feed about 1 kg more need (worth ${v:,.2f}: the ${pen:,.2f} charged "
                "for each kg left unmet, less the cost of delivering it)"
            )
        return f"would save ${v:,.2f} of delivery cost and unmet-need penalty"
    if unit.startswith("USD"):
        return f"would save ${v:,.2f} of delivery cost"
    return f"would improve the plan by {v:.4g} {unit}"


# ---------------------------------------------------------------------- shocks in words
#: Each shock kind of a scenario file (:data:`optimize.shocks.SHOCKS`) in a few words.
SHOCK_TITLES: dict[str, str] = {
    "site_outage": "Site outage",
    "yield_factor": "Supply change",
    "demand_surge": "Demand surge",
    "budget_change": "Budget change",
    "max_distance": "Delivery distance limit",
}


def _listed(v: Any, names: dict[str, str] | None = None) -> str:
    if isinstance(v, list | tuple | set | frozenset):
        items = [(names or {}).get(str(x), str(x)) for x in v]
        return ", ".join(items[:8]) + (f" (+{len(items) - 8} more)" if len(items) > 8 else "")
    return str(v)


def _site_kinds(kind: str) -> str:
    """``garden`` -> ``gardens``, ``pantry`` -> ``pantries``."""
    words = kind.replace("_", " ")
    return (
        words[:-1] + "ies" if words.endswith("y") and words[-2:-1] not in "aeiou" else words + "s"
    )


def describe_shock(
    kind: str,
    d: dict[str, Any],
    *,
    site_names: dict[str, str] | None = None,
    commodity_names: dict[str, str] | None = None,
) -> str:
    """One shock of a scenario in plain words, e.g. "Yield at 0% of normal at all gardens.".

    ``d`` is the shock's settings (``shock.model_dump()`` or a manifest's shock, without
    ``kind``); ``site_names`` and ``commodity_names`` turn ids into names. The CLI, the
    reports and the Plan page's notes all read it.
    """

    def sites() -> str:
        parts = []
        if d.get("site_ids"):
            ids = list(d["site_ids"])
            parts.append(("site " if len(ids) == 1 else "sites ") + _listed(ids, site_names))
        if d.get("site_kind"):
            parts.append(f"all {_site_kinds(str(d['site_kind']))}")
        return " and ".join(parts) or "all sites"

    def foods() -> str:
        return f" for {_listed(d['commodities'], commodity_names)}" if d.get("commodities") else ""

    weeks = f" in week(s) {_listed(d['weeks'])}" if d.get("weeks") else ""
    if kind == "site_outage":
        who = sites()
        when = weeks or " for the period"
        return f"{who[0].upper() + who[1:]} out of service{when}: no food goes out from there."
    if kind == "yield_factor" and d.get("factor") is not None:
        f = float(d["factor"])
        what = "Supply" if d.get("site_kind") not in ("garden", "farm") else "Yield"
        return f"{what}{foods()} at {f:.0%} of normal at {sites()}{weeks}."
    if kind == "demand_surge" and d.get("factor") is not None:
        f = float(d["factor"])
        parts = []
        if d.get("area_ids"):
            parts.append("areas " + _listed(d["area_ids"]))
        if d.get("area_flag"):
            flag = _equity_measure_info(str(d["area_flag"]))
            parts.append(f"areas flagged '{flag.label.lower()}'")
        if d.get("area_column"):
            col = _equity_measure_info(str(d["area_column"]))
            if d.get("at_least") is not None:
                parts.append(
                    f"areas where {col.label.lower()} is at least {col.format(d['at_least'])}"
                )
            if d.get("at_most") is not None:
                parts.append(
                    f"areas where {col.label.lower()} is at most {col.format(d['at_most'])}"
                )
        where = " and ".join(parts) or "every area"
        return f"Need{foods()} at {f:.0%} of normal in {where}{weeks} ({f - 1:+.0%})."
    if kind == "budget_change":
        if d.get("budget_usd") is not None:
            return f"Transport budget set to ${float(d['budget_usd']):,.0f} a week{weeks}."
        if d.get("factor") is not None:
            return f"Transport budget at {float(d['factor']):.0%} of normal{weeks}."
        if d.get("delta_usd") is not None:
            return f"Transport budget changed by ${float(d['delta_usd']):+,.0f}{weeks}."
    if kind == "max_distance" and d.get("max_distance_m") is not None:
        m = float(d["max_distance_m"])
        return f"Deliveries limited to {m / 1000:,.1f} km ({m / M_PER_MILE:,.1f} miles){weeks}."
    title = SHOCK_TITLES.get(kind, kind.replace("_", " ").capitalize())
    rest = [f"{k.replace('_', ' ')} {_listed(v)}" for k, v in d.items() if v not in (None, (), [])]
    return f"{title}: " + ", ".join(rest) + "."

"""What a plan's numbers mean: the KPI catalogue, the per-area plan columns and the objectives.

Every KPI that :attr:`AllocationSolution.kpis <optimize.AllocationSolution>` reports, every
column a sweep row (:func:`optimize.read_sweep`), a sweep summary or the efficiency/equity curve
adds, and every column of a plan's per-area table has one entry here: a plain-word label, unit,
direction, format and definition (an :class:`equity.catalogue.Measure`). :data:`OBJECTIVES` is
the one description of each objective. Screens, reports and command-line tables read these;
nothing above ``optimize`` keeps a label table of its own.

>>> kpi_info("mean_fulfilment").label
'Average share of need met, per resident'
>>> kpi_info("need_met_share").format(0.6543)
'65.4%'
>>> kpi_info("transport_cost_usd").format(39775.1)
'$39,775'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from equity.catalogue import HIGHER_IS_BETTER, HIGHER_IS_WORSE, NEUTRAL, Measure
from equity.catalogue import measure_info as _equity_measure_info

__all__ = [
    "CURVE_COLUMNS",
    "FULFILMENT",
    "KPIS",
    "OBJECTIVES",
    "PLAN_COLUMNS",
    "SWEEP_COLUMNS",
    "Objective",
    "kpi_info",
    "measure_info",
]

_PLAN = "Food delivered"
_SHARE: dict[str, Any] = {"unit": "%", "scale": 100.0, "fmt": ".1f", "group": _PLAN}
_KG: dict[str, Any] = {"unit": "kg", "fmt": ",.0f", "group": _PLAN}
_PEOPLE: dict[str, Any] = {"unit": "people", "fmt": ",.0f", "group": _PLAN}
_AREAS: dict[str, Any] = {"unit": "areas", "fmt": ",.0f", "group": _PLAN}
_USD: dict[str, Any] = {"unit": "USD", "fmt": ",.0f", "group": _PLAN}
_TEXT: dict[str, Any] = {"kind": "text", "group": _PLAN}
_LILA = "low-income, low-access (LILA) areas"
_LILA_FROM = (
    "LILA areas are those the region's Atlas flag (LILATracts_1And10 by default) marks; "
    "no data where the problem has no such flag."
)


def _k(name: str, label: str, definition: str, **kw: Any) -> Measure:
    return Measure(name, label, definition=definition, **kw)


#: The share-of-need-met classes every fulfilment map uses (upper bounds, exclusive).
FULFILMENT = Measure(
    "fulfilment",
    "Share of need met",
    direction=HIGHER_IS_BETTER,
    definition="Food delivered to the area (substitutes counted by their acceptability) "
    "divided by its need, 0-100%; no data where an area needs nothing.",
    bins=(0.25, 0.5, 0.75, 0.995, float("inf")),
    bin_labels=("under 25%", "25-50%", "50-75%", "75-99%", "fully met"),
    **_SHARE,
)

#: Columns of a plan's per-area table (``AllocationSolution.fulfilment``) and of comparisons.
PLAN_COLUMNS: dict[str, Measure] = {
    m.name: m
    for m in (
        FULFILMENT,
        _k("need_kg", "Food needed", "The area's need per period.", direction=NEUTRAL, **_KG),
        _k(
            "met_kg",
            "Need met",
            "Need met per period (substitutes counted by acceptability).",
            direction=HIGHER_IS_BETTER,
            **_KG,
        ),
        _k(
            "unmet_kg",
            "Need not met",
            "Need the plan leaves unmet, per period.",
            direction=HIGHER_IS_WORSE,
            **_KG,
        ),
        _k(
            "fulfilment_change",
            "Change in share of need met",
            "This plan's share of need met minus the baseline plan's, per area.",
            unit="percentage points",
            scale=100.0,
            fmt="+.1f",
            direction=HIGHER_IS_BETTER,
            group=_PLAN,
        ),
    )
}

#: Every key of :attr:`AllocationSolution.kpis`.
KPIS: dict[str, Measure] = {
    m.name: m
    for m in (
        _k("status", "Solver status", "optimal, time_limit, infeasible, ... .", **_TEXT),
        _k(
            "status_note",
            "Status",
            "The solver status in plain words, e.g. 'optimal: the best plan' or 'stopped at the "
            "time limit: not optimal' (every figure of a stopped plan is what its flows deliver).",
            **_TEXT,
        ),
        _k(
            "objective_value",
            "Objective value",
            "The objective's value in the solver's units (USD, kg or a share): for "
            "comparing plans of the same objective only.",
            fmt=",.4g",
            group=_PLAN,
        ),
        _k("need_kg", "Food needed", "Total need of all areas per period.", **_KG),
        _k(
            "need_met_kg",
            "Need met",
            "Need met per period, substitutes counted by their acceptability.",
            direction=HIGHER_IS_BETTER,
            **_KG,
        ),
        _k(
            "need_met_share",
            "Share of all need met",
            "Need met divided by total need (kg-weighted over every area and food).",
            direction=HIGHER_IS_BETTER,
            **_SHARE,
        ),
        _k(
            "kg_delivered",
            "Food delivered",
            "Kilograms moved from sites to areas per period (substitutes at full weight).",
            direction=HIGHER_IS_BETTER,
            **_KG,
        ),
        _k(
            "kg_substituted",
            "Delivered as an accepted substitute",
            "Kilograms delivered in place of a food the area needs, per period.",
            direction=NEUTRAL,
            **_KG,
        ),
        _k(
            "transport_cost_usd",
            "Transport cost",
            "Cost of all deliveries per period: cost per kg-km times distance times kg.",
            direction=HIGHER_IS_WORSE,
            **_USD,
        ),
        _k(
            "kg_km",
            "Transport work",
            "Kilograms times kilometres moved per period.",
            unit="kg-km",
            fmt=",.0f",
            direction=HIGHER_IS_WORSE,
            group=_PLAN,
        ),
        _k(
            "min_fulfilment",
            "Worst-served area: share of need met",
            "The smallest share of need met of any area that needs food.",
            direction=HIGHER_IS_BETTER,
            **_SHARE,
        ),
        _k(
            "mean_fulfilment",
            "Average share of need met, per resident",
            "Population-weighted mean of the areas' shares of need met: the share an "
            "average resident gets (not the average area's, and not kg-weighted like the "
            "share of all need met).",
            direction=HIGHER_IS_BETTER,
            **_SHARE,
        ),
        _k(
            "gini_fulfilment",
            "Unevenness of service (Gini, 0 = even)",
            "Population-weighted Gini coefficient of the areas' shares of need met: 0 when "
            "every resident gets the same share, towards 1 when a few get it all.",
            unit="",
            fmt=".3f",
            direction=HIGHER_IS_WORSE,
            group=_PLAN,
        ),
        _k(
            "areas_below_50pct",
            "Areas with less than half their need met",
            "Areas that need food and get less than 50% of it.",
            direction=HIGHER_IS_WORSE,
            **_AREAS,
        ),
        _k(
            "people_below_50pct",
            "Residents with less than half their need met",
            "Residents of the areas with less than 50% of their need met.",
            direction=HIGHER_IS_WORSE,
            **_PEOPLE,
        ),
        _k("areas", "Areas that need food", "Areas with any need in the plan.", **_AREAS),
        _k(
            "areas_unreachable",
            "Areas beyond the reach of every site",
            "Areas that need food but have no site within the longest delivery distance.",
            direction=HIGHER_IS_WORSE,
            **_AREAS,
        ),
        _k(
            "people_unreachable",
            "Residents beyond the reach of every site",
            "Residents of the areas no site can reach.",
            direction=HIGHER_IS_WORSE,
            **_PEOPLE,
        ),
        _k(
            "min_fulfilment_reachable",
            "Worst-served reachable area: share of need met",
            "The smallest share of need met among the areas some site can reach (an area out "
            "of every site's reach gets 0 in every plan).",
            direction=HIGHER_IS_BETTER,
            **_SHARE,
        ),
        _k(
            "flows",
            "Delivery routes used",
            "Site-area-food rows with a positive flow.",
            unit="routes",
            fmt=",.0f",
            group=_PLAN,
        ),
        _k(
            "budget_usd",
            "Transport budget",
            "The scenario's transport budget per period; no data when there is none.",
            **_USD,
        ),
        _k(
            "low_income_need_met_share",
            "Share of need met in low-income areas",
            "Need met divided by need, over the areas the region's `low_income` column marks; "
            "present only when the areas have that column.",
            direction=HIGHER_IS_BETTER,
            **_SHARE,
        ),
        _k(
            "need_met_share_lila",
            f"Share of need met in {_LILA}",
            f"Need met divided by need over the {_LILA}. {_LILA_FROM}",
            direction=HIGHER_IS_BETTER,
            **_SHARE,
        ),
        _k("need_lila_kg", f"Need in {_LILA}", f"Total need of the {_LILA}. {_LILA_FROM}", **_KG),
        _k(
            "need_met_lila_kg",
            f"Need met in {_LILA}",
            f"Need met in the {_LILA}. {_LILA_FROM}",
            direction=HIGHER_IS_BETTER,
            **_KG,
        ),
        _k(
            "min_fulfilment_lila",
            f"Worst-served of the {_LILA}: share of need met",
            f"The smallest share of need met of any of the {_LILA} that need food. {_LILA_FROM}",
            direction=HIGHER_IS_BETTER,
            **_SHARE,
        ),
        _k("areas_lila", f"The {_LILA}", f"How many areas are LILA. {_LILA_FROM}", **_AREAS),
        _k(
            "people_lila",
            f"Residents of {_LILA}",
            f"Residents of the {_LILA}. {_LILA_FROM}",
            **_PEOPLE,
        ),
        _k(
            "people_lila_below_50pct",
            f"Residents of {_LILA} with less than half their need met",
            f"Residents of the {_LILA} that get less than 50% of their need. {_LILA_FROM}",
            direction=HIGHER_IS_WORSE,
            **_PEOPLE,
        ),
        _k(
            "lila_source",
            "Where the low-income, low-access flag comes from",
            "The areas' own column, the Atlas classification run on the region's stores, or "
            "'' when there is none.",
            **_TEXT,
        ),
        _k(
            "param_unmet_penalty_usd_per_kg",
            "Penalty per kg of unmet need",
            "The cost and fair-share objectives' price of leaving a kg unmet (by default ten "
            "times the dearest delivery, at least 1 USD).",
            unit="USD per kg",
            fmt=",.2f",
            group=_PLAN,
        ),
        _k(
            "param_fair_share_band",
            "Fair-share band",
            "How far (in share of need met) each area may be from the overall share.",
            unit="%",
            scale=100.0,
            fmt=".0f",
            group=_PLAN,
        ),
        _k(
            "param_equity_weight",
            "Equity weight",
            "The balanced objective's weight between need met (0) and the worst-served "
            "area's share (1).",
            fmt=".2f",
            group=_PLAN,
        ),
    )
}

#: Columns a sweep's result rows add to :data:`KPIS` (:func:`optimize.read_sweep`) and the
#: columns of its summary (:func:`optimize.summarize_sweep`).
SWEEP_COLUMNS: dict[str, Measure] = {
    m.name: m
    for m in (
        _k("scenario_id", "Scenario", "The scenario's id within the sweep.", **_TEXT),
        _k("index", "Scenario number", "The scenario's place in the sweep.", fmt=",.0f"),
        _k(
            "grid_point",
            "Grid point",
            "Which combination of the swept settings (`[vary]`) the scenario has.",
            fmt=",.0f",
        ),
        _k("draw", "Draw", "Which random draw at its grid point the scenario is.", fmt=",.0f"),
        _k("sites_out", "Sites out of service", "The sites the scenario's outages drew.", **_TEXT),
        _k(
            "n_sites_out",
            "Sites out of service",
            "How many sites the scenario's outages drew.",
            unit="sites",
            fmt=",.0f",
            direction=HIGHER_IS_WORSE,
            group=_PLAN,
        ),
        _k("objective", "Objective", "The objective the scenario is solved for.", **_TEXT),
        _k("params", "Objective settings", "The objective's settings, as JSON.", **_TEXT),
        _k("shocks", "Shocks", "The scenario's shocks, as JSON.", **_TEXT),
        _k(
            "network",
            "Network over weeks",
            "The scenario's weeks and moves between sites, as JSON, when the sweep varies them "
            "(empty otherwise).",
            **_TEXT,
        ),
        _k(
            "estimated",
            "Estimated inputs",
            "Which input numbers are documented estimates rather than the region's data "
            "(need, supply; from equity.estimates), empty when none are.",
            **_TEXT,
        ),
        _k("message", "Solver message", "What the solver or the data said.", **_TEXT),
        _k("worker", "Worker", "The machine and process that solved it.", **_TEXT),
        _k(
            "solve_time_s",
            "Solve time",
            "Seconds to apply the shocks and solve.",
            unit="s",
            fmt=",.2f",
            group=_PLAN,
        ),
        _k(
            "vulnerable_areas",
            "Vulnerable areas",
            "Areas the sweep watches (its resilience flag, LILA by default).",
            **_AREAS,
        ),
        _k(
            "vulnerable_min_fulfilment",
            "Worst-served vulnerable area: share of need met",
            "The smallest share of need met of any vulnerable area that needs food.",
            direction=HIGHER_IS_BETTER,
            **_SHARE,
        ),
        _k(
            "vulnerable_mean_fulfilment",
            "Vulnerable areas: share of need met (need-weighted)",
            "Need-weighted mean share of need met over the vulnerable areas (the kg share met "
            "there, not per resident).",
            direction=HIGHER_IS_BETTER,
            **_SHARE,
        ),
        _k(
            "vulnerable_below_threshold",
            "Vulnerable areas below the threshold",
            "Vulnerable areas whose share of need met is under the sweep's threshold.",
            direction=HIGHER_IS_WORSE,
            **_AREAS,
        ),
        _k("draws", "Draws", "Scenarios solved at this grid point.", unit="draws", fmt=",.0f"),
        _k(
            "p_any_below",
            "Chance a vulnerable area falls below the threshold",
            "Share of draws in which any vulnerable area's share of need met is under the "
            "threshold.",
            direction=HIGHER_IS_WORSE,
            **_SHARE,
        ),
        _k(
            "p_low",
            "Chance below threshold: low end (95%)",
            "Lower end of the 95% Wilson interval of that chance.",
            **_SHARE,
        ),
        _k(
            "p_high",
            "Chance below threshold: high end (95%)",
            "Upper end of the 95% Wilson interval of that chance.",
            **_SHARE,
        ),
        _k(
            "mean_areas_below",
            "Vulnerable areas below the threshold (mean over draws)",
            "Mean number of vulnerable areas under the threshold per draw.",
            unit="areas",
            fmt=",.1f",
            direction=HIGHER_IS_WORSE,
            group=_PLAN,
        ),
        _k(
            "need_met_share_mean",
            "Share of all need met (mean over draws)",
            "Mean over the draws of the share of all need met.",
            direction=HIGHER_IS_BETTER,
            **_SHARE,
        ),
        _k(
            "p_any_below_overall",
            "Chance a vulnerable area falls below the threshold (all draws)",
            "Share of all solved draws in which any vulnerable area is under the threshold.",
            direction=HIGHER_IS_WORSE,
            **_SHARE,
        ),
    )
}

#: Columns :func:`optimize.efficiency_equity_curve` adds to :data:`KPIS`.
CURVE_COLUMNS: dict[str, Measure] = {
    m.name: m
    for m in (
        _k(
            "equity_weight",
            "Equity weight",
            "The balanced objective's weight between need met (0) and the worst-served "
            "area's share (1).",
            fmt=".2f",
            group=_PLAN,
        ),
        _k(
            "food_price_kg",
            "Food given up for fairness",
            "Need met at weight 0 minus need met at this weight, per period.",
            direction=HIGHER_IS_WORSE,
            **_KG,
        ),
        _k(
            "food_price_share",
            "Share of food given up for fairness",
            "Food given up for fairness as a share of the need met at weight 0.",
            direction=HIGHER_IS_WORSE,
            **_SHARE,
        ),
        _k(
            "money_price_usd",
            "Extra transport cost of fairness",
            "Transport cost at this weight minus the cost at weight 0.",
            direction=HIGHER_IS_WORSE,
            **_USD,
        ),
    )
}

#: The extra KPIs of a plan over weeks (:class:`optimize.NetworkSolution`), over the horizon.
NETWORK_KPIS: dict[str, Measure] = {
    m.name: m
    for m in (
        _k("weeks", "Weeks planned", "Weeks in the plan's horizon.", unit="weeks", fmt=",.0f"),
        _k(
            "param_maxmin_over",
            "Setting: what max-min holds fair",
            "area_week: the worst area in its worst week; area: the worst area over the horizon.",
            **_TEXT,
        ),
        _k(
            "supplied_kg",
            "Food supplied",
            "Kilograms the sites received from their own supply over the horizon.",
            direction=NEUTRAL,
            **_KG,
        ),
        _k(
            "transferred_kg",
            "Moved between sites",
            "Kilograms sent from a garden or farm to a hub or pantry, or from a hub to a pantry.",
            direction=NEUTRAL,
            **_KG,
        ),
        _k(
            "spoiled_kg",
            "Spoiled",
            "Kilograms that passed their shelf life before anyone could be given them.",
            direction=HIGHER_IS_WORSE,
            **_KG,
        ),
        _k(
            "end_stock_kg",
            "Stock left at the end",
            "Kilograms still held at the sites after the last week.",
            direction=NEUTRAL,
            **_KG,
        ),
        _k(
            "delivery_cost_usd",
            "Delivery cost",
            "Cost of the deliveries from sites to areas over the horizon.",
            direction=HIGHER_IS_WORSE,
            **_USD,
        ),
        _k(
            "transfer_cost_usd",
            "Transfer cost",
            "Cost of moving food between sites over the horizon.",
            direction=HIGHER_IS_WORSE,
            **_USD,
        ),
        _k(
            "min_fulfilment_area_week",
            "Worst-served area-week: share of need met",
            "The smallest share of a week's need met in any area and week.",
            direction=HIGHER_IS_BETTER,
            **_SHARE,
        ),
        _k(
            "min_fulfilment_area_week_reachable",
            "Worst-served reachable area-week: share of need met",
            "The smallest share of a week's need met among the area-weeks an open site can reach.",
            direction=HIGHER_IS_BETTER,
            **_SHARE,
        ),
        _k(
            "area_weeks_unreachable",
            "Area-weeks beyond every open site's reach",
            "Area-weeks with need that no open site can deliver to.",
            unit="area-weeks",
            fmt=",.0f",
            direction=HIGHER_IS_WORSE,
            group=_PLAN,
        ),
    )
}

_ALL: dict[str, Measure] = {**CURVE_COLUMNS, **SWEEP_COLUMNS, **KPIS, **NETWORK_KPIS}
_PARAM = re.compile(r"^(?:param_|p\.)(.+)$")


def kpi_info(key: str) -> Measure:
    """What the KPI (or sweep/curve column) ``key`` means and how to show it; always answers.

    ``p.<setting>`` sweep columns and ``param_<setting>`` KPIs of a setting not listed read
    "Setting: <setting>"; any other unknown key gets a generic entry (``generic=True``).
    """
    key = str(key)
    if key in _ALL:
        return _ALL[key]
    m = _PARAM.match(key)
    if m:
        known = KPIS.get(f"param_{m.group(1)}")
        if known is not None:
            return replace(known, name=key)
        words = m.group(1).replace("_", " ")
        return Measure(
            key,
            f"Setting: {words}",
            fmt=",.4g",
            group=_PLAN,
            definition=f"The scenario's {words!r} setting.",
        )
    words = re.sub(r"_+", " ", key).strip()
    return Measure(
        key,
        words[:1].upper() + words[1:],
        fmt=",.4g",
        definition=f"{key!r} is not in the Foodshed KPI catalogue: shown as it is.",
        generic=True,
    )


def measure_info(column: str) -> Measure:
    """What an area column means: a plan column (:data:`PLAN_COLUMNS`) or an equity measure."""
    return PLAN_COLUMNS.get(str(column)) or _equity_measure_info(column)


# ---------------------------------------------------------------------- objectives
@dataclass(frozen=True)
class Objective:
    """One objective in words: what it is called, what it does and its formula.

    ``summary`` is the one-line technical description; ``choice`` the menu text people pick
    from; ``words`` the formula in plain words; ``params`` the settings it takes.
    """

    name: str
    title: str
    choice: str
    summary: str
    formula: str
    words: str
    params: tuple[str, ...] = ()


#: The objectives by name: the one description every screen, report and error message uses.
OBJECTIVES: dict[str, Objective] = {
    o.name: o
    for o in (
        Objective(
            "balanced",
            "Balanced efficiency and equity",
            "Balance: most food and fairest, by the equity weight",
            "weight `equity_weight` between need met (0) and smallest fulfilment (1), "
            "then most need met, then least cost",
            "maximise  (1 - w) * share of need met + w * lowest fulfilment",
            "w = 0 is pure efficiency, w = 1 pure equity. Sweeping w draws the "
            "efficiency/equity curve and the price of fairness: the food and money that "
            "fairness costs.",
            ("equity_weight",),
        ),
        Objective(
            "coverage",
            "Most need met",
            "Most food: meet as much need as possible",
            "most need met (kg, substitutes by acceptability), then least cost",
            "maximise  sum kg[c] (need[a,c] - u[a,c])",
            "Meet as much need as possible, whatever it costs within the budget; then, "
            "keeping that, spend as little on transport as possible.",
        ),
        Objective(
            "maxmin",
            "Fairest share: max-min",
            "Fairest: raise the worst-served area first",
            "largest smallest area fulfilment, then most need met, then least cost",
            "maximise  t  subject to  met[a] / need[a] >= t  for every area",
            "Raise the worst-served area as high as possible; then, keeping that floor, meet "
            "as much need as possible; then, keeping both, spend as little on transport as "
            "possible.",
        ),
        Objective(
            "fair_share",
            "Fair share",
            "Fair share: every area close to the overall share",
            "least cost with every area's fulfilment within `fair_share_band` of the overall",
            "| met[a] / need[a] - met / need | <= band  for every area",
            "Each area's fulfilment stays within a set band of the overall fulfilment, as "
            "food banks' fair-share rules require; within that rule, deliver at the lowest "
            "cost with a penalty on unmet need.",
            ("fair_share_band", "unmet_penalty_usd_per_kg"),
        ),
        Objective(
            "cost",
            "Least cost",
            "Cheapest: least transport cost",
            "least transport cost, with a penalty per kg of unmet need",
            "minimise  sum cost[s,a] kg[c] x[s,a,c] + penalty * sum kg[c] u[a,c]",
            "Deliver at the lowest transport cost, with a penalty on every kilogram of need "
            "left unmet, so food goes out wherever it can reach.",
            ("unmet_penalty_usd_per_kg",),
        ),
    )
}

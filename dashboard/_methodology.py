"""The methodology text of a report: definitions, the model and its objective, in plain words."""

from __future__ import annotations

__all__ = ["ATLAS_DEFINITIONS", "MODEL_CONSTRAINTS", "OBJECTIVES", "objective_text"]

#: (term, definition) pairs of the USDA Food Access Research Atlas, as the report states them.
ATLAS_DEFINITIONS: tuple[tuple[str, str], ...] = (
    (
        "Low-income area (LowIncomeTracts)",
        "The poverty rate is 20% or more, or the median family income is at or below 80% of the "
        "state's median family income (for areas in a metropolitan area, 80% of the greater of the "
        "state and metropolitan medians).",
    ),
    (
        "Low access at 1 mile / 10 miles (LATracts1, LA1and10)",
        "At least 500 people, or at least 33% of the area's residents, live more than 1 mile "
        "(urban areas) or 10 miles (rural areas) from the nearest supermarket, supercenter or "
        "large grocery store. Distances are straight lines from where people live (population "
        "points below the area level where the data has them).",
    ),
    (
        "Low access at 1/2 mile (LATracts_half, LAhalfand10)",
        "The same rule with 1/2 mile in urban areas and 10 miles in rural areas.",
    ),
    (
        "Low vehicle access (LILATracts_Vehicle)",
        "At least 100 households are more than 1/2 mile from the nearest supermarket and have no "
        "vehicle, or at least 500 people / 33% live more than 20 miles away.",
    ),
    (
        "Food desert (LILATracts_1And10 and related LILA flags)",
        "An area that is both low income and low access by the named distance rule. The report's "
        "map highlights LILATracts_1And10, the Atlas's original food-desert measure.",
    ),
    (
        "mRFEI (CDC)",
        "100 x healthy food retailers / (healthy + less healthy retailers) within the area and a "
        "1/2-mile buffer; undefined where there are no retailers at all.",
    ),
    (
        "Two-step floating catchment (2SFCA)",
        "Each supermarket's capacity is divided by the population within its catchment; an area's "
        "access is the sum of those ratios over the supermarkets within reach.",
    ),
)

#: The allocation model in words and formulas (plain text, rendered as code).
MODEL_CONSTRAINTS: tuple[tuple[str, str], ...] = (
    ("x[s,a,c] >= 0", "quantity of commodity c moved from site s to area a, on arcs within reach"),
    ("u[a,c] >= 0", "need of area a for commodity c that the plan leaves unmet"),
    (
        "sum_a x[s,a,c] <= supply[s,c]",
        "a site hands out no more of each commodity than it has",
    ),
    (
        "sum_s x[s,a,c] + u[a,c] = need[a,c]",
        "need is either met or counted as unmet, so every scenario has an answer",
    ),
    ("sum_a,c kg[c] x[s,a,c] <= throughput[s]", "a site's weekly handling capacity in kg"),
    (
        "sum cost_per_kg_km * km[s,a] * kg[c] * x[s,a,c] <= budget",
        "the transport budget, when the scenario sets one",
    ),
)

#: Objective name -> (title, formula, the formula in words).
OBJECTIVES: dict[str, tuple[str, str, str]] = {
    "cost": (
        "Least cost",
        "minimise  sum cost[s,a] kg[c] x[s,a,c] + penalty * sum kg[c] u[a,c]",
        "Deliver at the lowest transport cost, with a penalty on every kilogram of need left "
        "unmet, so food goes out wherever it can reach.",
    ),
    "coverage": (
        "Most need met",
        "maximise  sum kg[c] (need[a,c] - u[a,c])",
        "Meet as much need as possible, whatever it costs within the budget.",
    ),
    "maxmin": (
        "Fairest share: max-min",
        "maximise  t  subject to  met[a] / need[a] >= t  for every area",
        "Raise the worst-served area as high as possible; then, keeping that floor, meet as much "
        "need as possible; then, keeping both, spend as little on transport as possible.",
    ),
    "fair_share": (
        "Fair share",
        "| met[a] / need[a] - met / need | <= band  for every area",
        "Each area's fulfilment stays within a set band of the overall fulfilment, as food banks' "
        "fair-share rules require; within that rule, meet as much need as possible.",
    ),
    "balanced": (
        "Balanced efficiency and equity",
        "maximise  (1 - w) * share of need met + w * lowest fulfilment",
        "w = 0 is pure efficiency, w = 1 pure equity. Sweeping w draws the efficiency/equity "
        "curve and the price of fairness: the food and money that fairness costs.",
    ),
}


def objective_text(name: str | None) -> tuple[str, str, str]:
    """Title, formula and words of an objective (generic lines for unknown names)."""
    if name and name in OBJECTIVES:
        return OBJECTIVES[name]
    return (str(name or "not stated"), str(name or ""), "The objective named in the scenario.")

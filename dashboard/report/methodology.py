"""The methodology text of a report: definitions, the model and its objective, in plain words."""

from __future__ import annotations

from equity.catalogue import measure_info
from optimize.catalogue import OBJECTIVES

__all__ = ["ATLAS_DEFINITIONS", "MODEL_CONSTRAINTS", "objective_text"]

#: The measures the methodology defines, in reading order.
_DEFINED = (
    "LowIncomeTracts",
    "LA1and10",
    "LAhalfand10",
    "LILATracts_Vehicle",
    "LILATracts_1And10",
    "mrfei",
    "fca2_per_1000",
    "need_index",
)

#: (term, definition) pairs, from the measure catalogue (:mod:`equity.catalogue`).
ATLAS_DEFINITIONS: tuple[tuple[str, str], ...] = tuple(
    (f"{measure_info(c).label} ({c})", measure_info(c).definition) for c in _DEFINED
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


def objective_text(name: str | None) -> tuple[str, str, str]:
    """Title, formula and words of an objective, from :data:`optimize.catalogue.OBJECTIVES`
    (generic lines for unknown names)."""
    o = OBJECTIVES.get(name) if name else None
    if o is not None:
        return o.title, o.formula, o.words
    return (str(name or "not stated"), str(name or ""), "The objective named in the scenario.")

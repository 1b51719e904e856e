"""The objectives in words: the one description of each that screens, reports and error
messages use (the LP objectives themselves are built in :mod:`optimize._objectives`)."""

from __future__ import annotations

from dataclasses import dataclass


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
    for o in [
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
    ]
}

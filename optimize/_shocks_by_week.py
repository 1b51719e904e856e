"""Shocks that hit chosen weeks of a plan over weeks (:class:`InWeeks`), and the shocks of one
week: :mod:`optimize._network_problem` applies them week by week, :mod:`optimize.scenario` reads
them from a scenario's ``weeks``, :mod:`optimize.rolling` reveals them a week at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from equity import FoodshedError

from .problem import AllocationProblem
from .shocks import shock_to_dict

__all__ = ["InWeeks"]


@dataclass(frozen=True)
class InWeeks:
    """A shock that hits only the given weeks (1-based): ``InWeeks(SiteOutage(("H037",)),
    (2,))`` is a hub out in week 2 only. In a single-period plan (week 1) it applies only
    when ``1`` is among its weeks."""

    shock: Any
    weeks: tuple[int, ...]

    def __post_init__(self) -> None:
        weeks = tuple(self.weeks)
        bad = [w for w in weeks if not isinstance(w, int | np.integer) or int(w) < 1]
        if bad or not weeks:
            msg = (
                f"{getattr(self.shock, 'kind', 'shock')}: weeks must be a non-empty list of "
                f"week numbers 1, 2, ...; got {list(self.weeks)}"
            )
            raise FoodshedError(msg)
        if not hasattr(self.shock, "apply"):
            msg = f"not a shock: {self.shock!r}; use SiteOutage, YieldFactor, DemandSurge, ..."
            raise FoodshedError(msg)
        object.__setattr__(self, "weeks", tuple(sorted({int(w) for w in weeks})))

    @property
    def kind(self) -> str:
        return str(self.shock.kind)

    def apply(self, p: AllocationProblem) -> AllocationProblem:
        return self.shock.apply(p) if 1 in self.weeks else p

    def to_dict(self) -> dict[str, Any]:
        return {**shock_to_dict(self.shock), "weeks": list(self.weeks)}


def _shock_dict(shock: Any) -> dict[str, Any]:
    return shock.to_dict() if isinstance(shock, InWeeks) else shock_to_dict(shock)


def _shocks_of_week(shocks: Sequence[Any], week: int) -> list[Any]:
    """The shocks that hit ``week`` (1-based), unwrapped."""
    out = []
    for s in shocks:
        if isinstance(s, InWeeks):
            if week in s.weeks:
                out.append(s.shock)
        else:
            out.append(s)
    return out

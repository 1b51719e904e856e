"""Shocks: changes to a plan's inputs, as data with named selectors (never evaluated code).

Each shock is a frozen dataclass with an ``apply(problem) -> problem`` method and a ``kind``
name used in scenario files. Selectors name sites by ``site_ids`` or ``site_kind``, areas by
``area_ids`` or a boolean column ``area_flag`` (``low_income``, ``urban``), commodities by
``commodities``. An unknown id is an error, not a silent no-op.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from equity import FoodshedError
from equity.validate import id_hint

if TYPE_CHECKING:
    from .problem import AllocationProblem

__all__ = [
    "SHOCKS",
    "BudgetChange",
    "ShockError",
    "DemandSurge",
    "MaxDistance",
    "SiteOutage",
    "YieldFactor",
    "apply_shocks",
]


class ShockError(FoodshedError, ValueError):
    """A shock cannot apply to this region: it names a site, commodity, area or column that
    the region does not have, or a value that cannot be used."""


def _pick(
    known: np.ndarray, wanted: tuple[str, ...] | str | None, what: str, shock: str
) -> np.ndarray:
    if wanted is None:
        return np.ones(len(known), dtype=bool)
    if isinstance(wanted, str):  # one id given as text, not a set of one-letter ids
        wanted = (wanted,)
    missing = sorted(set(wanted) - set(known.tolist()))
    if missing:
        sample = ", ".join(map(str, known[:8].tolist()))
        whats = what[:-1] + "ies" if what.endswith("y") else what + "s"
        hint = id_hint(
            missing[0], known.tolist(), table=False
        )  # an id a spreadsheet took for a number
        msg = f"{shock}: unknown {what} {missing}; known {whats} include {sample}.{hint}"
        raise ShockError(msg)
    return np.isin(known, list(wanted))


def _sites(p: AllocationProblem, ids: tuple[str, ...] | None, kind: str | None, shock: str):
    mask = _pick(p.site_ids, ids, "site id", shock)
    if kind is not None:
        kinds = sorted(set(p.site_kinds.tolist()))
        if kind not in kinds:
            msg = f"{shock}: no site of kind {kind!r}; this region has kinds {kinds}"
            raise ShockError(msg)
        mask &= p.site_kinds == kind
    return mask


def _scaled(kg: np.ndarray, rows: np.ndarray, cols: np.ndarray, factor: float) -> np.ndarray:
    """A copy of ``kg`` with the cells of ``rows`` x ``cols`` multiplied by ``factor``."""
    out = kg.copy()
    out[np.ix_(rows, cols)] *= factor
    return out


def _factor(f: float, shock: str) -> float:
    if not np.isfinite(f) or f < 0:
        msg = f"{shock}: factor must be a finite number >= 0; got {f}"
        raise ShockError(msg)
    return float(f)


@dataclass(frozen=True)
class SiteOutage:
    """Sites that hand out nothing this period, chosen by ``site_ids`` and/or ``site_kind``."""

    site_ids: tuple[str, ...] | None = None
    site_kind: str | None = None
    kind = "site_outage"

    def apply(self, p: AllocationProblem) -> AllocationProblem:
        if self.site_ids is None and self.site_kind is None:
            msg = "site_outage: name the sites with site_ids or site_kind"
            raise ShockError(msg)
        mask = _sites(p, self.site_ids, self.site_kind, self.kind)
        open_ = p.site_open & ~mask
        if not open_.any():
            msg = (
                f"site_outage takes out every site ({int(mask.sum())}); nothing would be left "
                "to allocate from. Narrow site_ids or site_kind."
            )
            raise ShockError(msg)
        # the columns stay (held at 0 by the supply rows), so the LP keeps its structure
        return p.with_data(site_open=open_)


@dataclass(frozen=True)
class YieldFactor:
    """Multiply supply (a drought: 0.7) at chosen sites and/or for chosen commodities."""

    factor: float
    site_ids: tuple[str, ...] | None = None
    site_kind: str | None = None
    commodities: tuple[str, ...] | None = None
    kind = "yield_factor"

    def apply(self, p: AllocationProblem) -> AllocationProblem:
        f = _factor(self.factor, self.kind)
        smask = _sites(p, self.site_ids, self.site_kind, self.kind)
        cmask = _pick(p.commodities, self.commodities, "commodity", self.kind)
        return p.with_data(supply_kg=_scaled(p.supply_kg, smask, cmask, f))


@dataclass(frozen=True)
class DemandSurge:
    """Multiply need in chosen areas: ``area_ids``, a boolean column ``area_flag``
    (``low_income``, ``urban``) and/or a numeric column ``area_column`` within
    ``[at_least, at_most]`` (``poverty_rate`` at least 0.2)."""

    factor: float
    area_ids: tuple[str, ...] | None = None
    area_flag: str | None = None
    commodities: tuple[str, ...] | None = None
    area_column: str | None = None
    at_least: float | None = None
    at_most: float | None = None
    kind = "demand_surge"

    def apply(self, p: AllocationProblem) -> AllocationProblem:
        f = _factor(self.factor, self.kind)
        amask = _pick(p.area_ids, self.area_ids, "area id", self.kind)
        if self.area_flag is not None:
            if self.area_flag not in p.area_attrs.columns:
                cols = [
                    c
                    for c in p.area_attrs.columns
                    if p.area_attrs[c].dropna().isin([True, False]).all()
                    and c not in ("population",)
                ]
                msg = (
                    f"demand_surge: areas have no column {self.area_flag!r}; boolean columns "
                    f"are {cols}"
                )
                raise ShockError(msg)
            flag = p.area_attrs[self.area_flag].fillna(False).astype(bool).to_numpy()
            amask &= flag
        if self.area_column is not None:
            if self.area_column not in p.area_attrs.columns:
                msg = (
                    f"demand_surge: areas have no column {self.area_column!r}; columns are "
                    f"{list(p.area_attrs.columns)}"
                )
                raise ShockError(msg)
            vals = np.asarray(
                pd.to_numeric(p.area_attrs[self.area_column], errors="coerce"), dtype=float
            )
            lo = -np.inf if self.at_least is None else self.at_least
            hi = np.inf if self.at_most is None else self.at_most
            amask &= (vals >= lo) & (vals <= hi)
        elif self.at_least is not None or self.at_most is not None:
            msg = "demand_surge: at_least/at_most need area_column (the column they bound)"
            raise ShockError(msg)
        cmask = _pick(p.commodities, self.commodities, "commodity", self.kind)
        return p.with_data(need_kg=_scaled(p.need_kg, amask, cmask, f))


@dataclass(frozen=True)
class BudgetChange:
    """Set the transport budget (``budget_usd``), or scale/shift the current one."""

    budget_usd: float | None = None
    factor: float | None = None
    delta_usd: float | None = None
    kind = "budget_change"

    def apply(self, p: AllocationProblem) -> AllocationProblem:
        given = [v is not None for v in (self.budget_usd, self.factor, self.delta_usd)]
        if sum(given) != 1:
            msg = "budget_change: give exactly one of budget_usd, factor, delta_usd"
            raise ShockError(msg)
        if self.budget_usd is not None:
            return p.with_budget(float(self.budget_usd))
        if p.budget_usd is None:
            msg = (
                "budget_change: factor/delta_usd need a starting budget; set budget_usd in the "
                "scenario or give budget_usd here"
            )
            raise ShockError(msg)
        if self.factor is not None:
            return p.with_budget(p.budget_usd * _factor(self.factor, self.kind))
        return p.with_budget(max(p.budget_usd + float(self.delta_usd or 0.0), 0.0))


@dataclass(frozen=True)
class MaxDistance:
    """Cap the reach of every site (a road closure, a smaller van range)."""

    max_distance_m: float
    kind = "max_distance"

    def apply(self, p: AllocationProblem) -> AllocationProblem:
        if not self.max_distance_m > 0:
            msg = f"max_distance: max_distance_m must be > 0; got {self.max_distance_m}"
            raise ShockError(msg)
        return p.with_max_distance(float(self.max_distance_m))


#: Scenario ``kind`` names to shock classes.
SHOCKS: dict[str, type] = {
    c.kind: c for c in (SiteOutage, YieldFactor, DemandSurge, BudgetChange, MaxDistance)
}


def shock_to_dict(shock: Any) -> dict[str, Any]:
    d = {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(shock).items()}
    return {"kind": shock.kind, **{k: v for k, v in d.items() if v is not None}}


def apply_shocks(problem: AllocationProblem, shocks: Any) -> AllocationProblem:
    """Apply ``shocks`` (an iterable of shock objects) in order."""
    for shock in shocks or ():
        if not hasattr(shock, "apply"):
            msg = f"not a shock: {shock!r}; use SiteOutage, YieldFactor, DemandSurge, ..."
            raise ShockError(msg)
        problem = shock.apply(problem)
    return problem

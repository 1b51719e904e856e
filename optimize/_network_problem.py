"""The network LP over weeks as data (:class:`NetworkProblem`): weekly supply and need (from a
``week`` column or profiles), storage, shelf life, transfer arcs between sites and shocks by
week, assembled arrays-first by :func:`optimize._network_lp.assemble_network`. Solved by
:func:`optimize.network.solve_network`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from equity import FoodshedError
from equity.region import summary_repr
from equity.validate import id_hint

from ._lp import LinearProgram
from ._network_lp import assemble_network, usable_deliveries
from ._shocks_by_week import InWeeks, _shocks_of_week
from .problem import (
    DEFAULT_COST_PER_KG_KM,
    DEFAULT_LILA_COL,
    DEFAULT_MAX_DISTANCE_M,
    AllocationProblem,
    check_columns,
    past_horizon,
)
from .shocks import apply_shocks

if TYPE_CHECKING:
    from equity import Region

__all__ = ["DEFAULT_TRANSFER_COST_PER_KG_KM", "TRANSFER_KINDS", "NetworkProblem"]

#: Default cost of moving food between sites: 0.03 USD per kg-km (bulk runs in a larger van
#: are cheaper per kg than last-mile deliveries; order of magnitude, like the delivery cost).
DEFAULT_TRANSFER_COST_PER_KG_KM = 0.03
#: Which kinds of site may send to which (the echelons): growers to hubs and pantries, hubs
#: to pantries.
TRANSFER_KINDS = (
    ("garden", "hub"),
    ("garden", "pantry"),
    ("farm", "hub"),
    ("farm", "pantry"),
    ("hub", "pantry"),
)
DAYS_PER_WEEK = 7
#: The most weeks one plan may cover: a year (a longer horizon is a series of plans; a typo
#: such as ``weeks = 100000000`` must not exhaust the memory)
MAX_WEEKS = 52


@dataclass(frozen=True, eq=False)
class NetworkProblem:
    """The allocation LP over ``weeks`` weeks with transfers, storage and shelf life.

    Build it with :meth:`from_region` or :meth:`from_problem` (a single-period problem made
    weekly). Arrays are indexed ``[week, site|area, commodity]``; weeks are 0-based inside
    and 1-based in every table and shock.
    """

    base: AllocationProblem
    supply_kg: np.ndarray  # (T, ns, nc)
    need_kg: np.ndarray  # (T, na, nc)
    site_open: np.ndarray  # (T, ns)
    arc_open: np.ndarray  # (T, n_arcs): delivery arcs usable that week
    budget_usd: np.ndarray | None  # (T,) inf where a week has none
    storage_kg: np.ndarray  # (ns,) inf where unlimited
    shelf_life_days: np.ndarray  # (nc,) inf where unknown
    tr_from: np.ndarray
    tr_to: np.ndarray
    tr_distance_m: np.ndarray
    transfer_cost_per_kg_km: float
    max_transfer_m: float | None
    name: str
    structure: dict[str, Any] = field(repr=False)
    #: what the build left out, in words (rows of ``supply``/``need`` for weeks past the
    #: horizon); a plan's ``manifest["warnings"]``
    warnings: tuple[str, ...] = ()

    # ------------------------------------------------------------------ sizes
    @property
    def weeks(self) -> int:
        return int(self.supply_kg.shape[0])

    @property
    def max_age_weeks(self) -> np.ndarray:
        """Oldest age (in whole weeks) at which each commodity may still be handed on: a kg
        supplied in week ``v`` may be delivered or sent in week ``w`` while ``7 (w - v)`` is
        at most its ``shelf_life_days``."""
        return _max_age(self.shelf_life_days, self.weeks)

    @property
    def n_cols(self) -> int:
        return int(self.structure["A"].shape[1])

    @property
    def n_rows(self) -> int:
        return int(self.structure["A"].shape[0])

    @property
    def n_deliveries(self) -> int:
        return int(len(self.structure["x_week"]))

    @property
    def n_transfers(self) -> int:
        return int(len(self.structure["t_arc"]))

    @property
    def x_usable(self) -> np.ndarray:
        """Delivery columns that can carry food after every shock: an open site with
        throughput that can hold good stock of the commodity served that week, its own or
        sent to it over open transfer arcs (see :func:`~optimize._network_lp.usable_deliveries`)."""
        s, b = self.structure, self.base
        return usable_deliveries(
            self.supply_kg,
            self.site_open,
            b.throughput_kg,
            self.storage_kg,
            self.max_age_weeks,
            self.tr_from,
            self.tr_to,
            s["x_week"],
            b.arc_site[s["x_arc"]],
            b.pair_served[s["x_pair"]],
        )

    def base_lp(self) -> LinearProgram:
        s = self.structure
        n = self.n_cols
        return LinearProgram(
            c=np.zeros(n),
            A=s["A"],
            row_lo=s["row_lo"],
            row_hi=s["row_hi"],
            col_lo=np.zeros(n),
            col_hi=s["col_hi"],
        )

    def summary(self) -> dict[str, Any]:
        s = self.structure
        return {
            "weeks": self.weeks,
            "sites": len(self.base.site_ids),
            "areas": len(self.base.area_ids),
            "commodities": len(self.base.commodities),
            "delivery_arcs": len(self.base.arc_site),
            "transfer_arcs": len(self.tr_from),
            "delivery_columns": self.n_deliveries,
            "transfer_columns": self.n_transfers,
            "stock_nodes": len(s["node_s"]),
            "unmet_columns": len(s["u_week"]),
            "columns": self.n_cols,
            "rows": self.n_rows,
            "nonzeros": int(s["A"].nnz),
            "supply_kg": float(self.supply_kg.sum()),
            "need_kg": float(self.need_kg.sum()),
        }

    def fingerprint(self) -> str:
        import hashlib

        h = hashlib.sha256(self.base.fingerprint().encode())
        for arr in (
            self.supply_kg,
            self.need_kg,
            self.site_open,
            self.arc_open,
            self.storage_kg,
            self.shelf_life_days,
            self.tr_from,
            self.tr_to,
            self.tr_distance_m,
        ):
            h.update(np.ascontiguousarray(arr).tobytes())
        h.update(repr((self.transfer_cost_per_kg_km, self.budget_usd)).encode())
        return h.hexdigest()

    def __repr__(self) -> str:
        return summary_repr(
            self,
            "{weeks} weeks, {sites} sites, {areas} areas, {transfer_arcs} transfer arcs, "
            "{columns:,} columns, {rows:,} rows",
        )

    def with_shocks(self, shocks: Iterable[Any]) -> NetworkProblem:
        """This problem's weekly supply and need, storage, shelf life and transfer arcs with
        ``shocks`` applied by week (sites, arcs and budget start from the base problem's)."""
        return NetworkProblem.from_problem(
            self.base,
            weeks=self.weeks,
            supply_kg=self.supply_kg,
            need_kg=self.need_kg,
            storage_kg=self.storage_kg,
            shelf_life_days=self.shelf_life_days,
            tr_from=self.tr_from,
            tr_to=self.tr_to,
            tr_distance_m=self.tr_distance_m,
            transfer_cost_per_kg_km=self.transfer_cost_per_kg_km,
            max_transfer_m=self.max_transfer_m,
            shocks=shocks,
        )

    def column_keys(self) -> tuple[np.ndarray, np.ndarray]:
        """A key per column that names it across problems of the same base (deliveries by
        week, arc and pair; transfers by arc and stock node; stock columns by node; unmet by
        week, area and commodity), and each column's week (0-based)."""
        s = self.structure
        T = self.weeks
        ns, nc = self.base.supply_kg.shape
        na = len(self.base.area_ids)
        n_arc, n_pair = len(self.base.arc_site), len(self.base.pair_served)
        node = ((s["node_s"] * nc + s["node_c"]) * T + s["node_v"]) * T + s["node_w"]
        tf = s["t_from_node"]
        parts = [
            (s["x_week"] * n_arc + s["x_arc"]) * n_pair + s["x_pair"],
            s["t_arc"] * (ns * nc * T * T) + node[tf],
            node,
            node[s["h_node"]],
            node[s["d_node"]],
            (s["u_week"] * na + s["u_area"]) * nc + s["u_comm"],
        ]
        weeks = [s["x_week"], s["node_w"][tf], s["node_w"], s["node_w"][s["h_node"]]]
        weeks += [s["node_w"][s["d_node"]], s["u_week"]]
        span = max(int(max((int(p.max()) for p in parts if len(p)), default=0)) + 1, 1)
        keys = np.concatenate([b * span + p.astype(np.int64) for b, p in enumerate(parts)])
        return keys, np.concatenate(weeks).astype(np.int64)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_region(
        cls,
        region: Region,
        *,
        weeks: int = 1,
        period: str | None = None,
        max_distance_m: float = DEFAULT_MAX_DISTANCE_M,
        cost_per_kg_km: float = DEFAULT_COST_PER_KG_KM,
        budget_usd: float | None = None,
        cost_table: pd.DataFrame | None = None,
        lila_col: str | None = DEFAULT_LILA_COL,
        max_transfer_m: float | None = None,
        transfer_cost_per_kg_km: float = DEFAULT_TRANSFER_COST_PER_KG_KM,
        site_cost_table: pd.DataFrame | None = None,
        supply_profile: Sequence[float] | None = None,
        need_profile: Sequence[float] | None = None,
        shocks: Iterable[Any] = (),
    ) -> NetworkProblem:
        """Build the network LP of ``region`` over ``weeks`` weeks.

        Supply and need per week: a ``week`` column (1, 2, ...) in ``supply``/``need`` gives
        rows for chosen weeks (rows without a week apply to every week; weeks past the
        horizon are not used); otherwise the period's quantities apply every week, scaled by
        ``supply_profile``/``need_profile`` (one factor per week) when given. Transfer arcs
        join sites of the kinds in :data:`TRANSFER_KINDS` within ``max_transfer_m`` (straight
        line, or ``site_cost_table`` with ``from_site_id, to_site_id, distance_m``);
        ``None`` means no transfers. ``storage_kg`` of ``sites`` limits the stock a site
        holds at the end of a week (blank: unlimited); ``shelf_life_days`` of
        ``commodities`` limits how long stock keeps (blank: it keeps).
        """
        base = AllocationProblem.from_region(
            region,
            period=period,
            max_distance_m=max_distance_m,
            cost_per_kg_km=cost_per_kg_km,
            budget_usd=budget_usd,
            cost_table=cost_table,
            lila_col=lila_col,
        )
        reg = region
        if region.periods:
            reg = region.select_period(period or region.default_period)  # type: ignore[arg-type]
        T = _check_weeks(weeks)
        said: list[str] = []
        supply = _weekly_kg(reg.supply, "supply", "site_id", base.site_ids, base, T, base.supply_kg)
        need = _weekly_kg(reg.need, "need", "area_id", base.area_ids, base, T, base.need_kg)
        for name in ("supply", "need"):
            said += past_horizon(getattr(reg, name), name, T, region.sources.get(name, name))
        sites = reg.sites
        storage = _numbers_or_blank(sites, "storage_kg")
        shelf = _numbers_or_blank(reg.commodities, "shelf_life_days")
        tr_from, tr_to, tr_dist = _transfer_arcs(
            base,
            np.column_stack([sites.geometry.x.to_numpy(), sites.geometry.y.to_numpy()]),
            max_transfer_m,
            site_cost_table,
        )
        problem = cls.from_problem(
            base,
            weeks=T,
            supply_kg=supply,
            need_kg=need,
            supply_profile=supply_profile,
            need_profile=need_profile,
            storage_kg=storage,
            shelf_life_days=shelf,
            tr_from=tr_from,
            tr_to=tr_to,
            tr_distance_m=tr_dist,
            transfer_cost_per_kg_km=transfer_cost_per_kg_km,
            max_transfer_m=max_transfer_m,
            shocks=shocks,
        )
        return replace(problem, warnings=tuple(said)) if said else problem

    @classmethod
    def from_problem(
        cls,
        base: AllocationProblem,
        *,
        weeks: int = 1,
        supply_kg: np.ndarray | None = None,
        need_kg: np.ndarray | None = None,
        supply_profile: Sequence[float] | None = None,
        need_profile: Sequence[float] | None = None,
        storage_kg: np.ndarray | None = None,
        shelf_life_days: np.ndarray | None = None,
        tr_from: Sequence[int] | np.ndarray = (),
        tr_to: Sequence[int] | np.ndarray = (),
        tr_distance_m: Sequence[float] | np.ndarray = (),
        transfer_cost_per_kg_km: float = DEFAULT_TRANSFER_COST_PER_KG_KM,
        max_transfer_m: float | None = None,
        shocks: Iterable[Any] = (),
    ) -> NetworkProblem:
        """A weekly problem from a single-period one: its supply and need every week (or the
        ``(weeks, sites|areas, commodities)`` arrays given), its arcs, pairs and throughput,
        plus storage, shelf life and transfer arcs (site indices), then ``shocks`` by week."""
        T = _check_weeks(weeks)
        ns, nc = base.supply_kg.shape
        na = base.need_kg.shape[0]
        S = _weekly_array(supply_kg, base.supply_kg, T, "supply_kg")
        N = _weekly_array(need_kg, base.need_kg, T, "need_kg")
        S = S * _profile(supply_profile, T, "supply_profile")[:, None, None]
        N = N * _profile(need_profile, T, "need_profile")[:, None, None]
        sto = np.full(ns, np.inf) if storage_kg is None else np.asarray(storage_kg, dtype=float)
        sto = np.where(np.isfinite(sto), sto, np.inf)
        shelf = (
            np.full(nc, np.inf)
            if shelf_life_days is None
            else np.asarray(shelf_life_days, dtype=float)
        )
        shelf = np.where(np.isfinite(shelf), shelf, np.inf)
        problems = []
        if sto.shape != (ns,) or (sto < 0).any():
            problems.append(f"storage_kg must be {ns} numbers >= 0 (one per site)")
        if shelf.shape != (nc,) or (shelf < 0).any():
            problems.append(f"shelf_life_days must be {nc} numbers >= 0 (one per commodity)")
        if problems:
            msg = "; ".join(problems)
            raise FoodshedError(msg)
        shocks = list(shocks)
        for s in shocks:
            if isinstance(s, InWeeks) and max(s.weeks) > T:
                msg = (
                    f"{s.kind}: weeks {list(s.weeks)} go past the plan's {T} week(s); set "
                    f"weeks = {max(s.weeks)} or more in the scenario, or drop those weeks"
                )
                raise FoodshedError(msg)
        site_open = np.repeat(base.site_open[None, :], T, axis=0)
        arc_open = np.ones((T, len(base.arc_site)), dtype=bool)
        budgets: list[float | None] = [base.budget_usd] * T
        arc_key = base.arc_site * max(na, 1) + base.arc_area
        for w in range(T):
            sh = _shocks_of_week(shocks, w + 1)
            if not sh:
                continue
            p = replace(base, supply_kg=S[w], need_kg=N[w])
            p = apply_shocks(p, sh)
            S[w], N[w], site_open[w] = p.supply_kg, p.need_kg, p.site_open
            arc_open[w] = np.isin(arc_key, p.arc_site * max(na, 1) + p.arc_area)
            budgets[w] = p.budget_usd
        budget = (
            None
            if all(b is None for b in budgets)
            else np.array([np.inf if b is None else float(b) for b in budgets])
        )
        data = {
            "base": base,
            "supply_kg": S,
            "need_kg": N,
            "site_open": site_open,
            "arc_open": arc_open,
            "budget_usd": budget,
            "storage_kg": sto,
            "shelf_life_days": shelf,
            "tr_from": np.asarray(tr_from, dtype=np.int64),
            "tr_to": np.asarray(tr_to, dtype=np.int64),
            "tr_distance_m": np.asarray(tr_distance_m, dtype=float),
            "transfer_cost_per_kg_km": float(transfer_cost_per_kg_km),
            "max_transfer_m": max_transfer_m,
            "name": base.name,
        }
        return cls(**data, structure=assemble_network(_lp_data(data)))


def _lp_data(data: dict[str, Any]) -> dict[str, Any]:
    base: AllocationProblem = data["base"]
    return {
        **data,
        "max_age_weeks": _max_age(data["shelf_life_days"], data["supply_kg"].shape[0]),
        "throughput_kg": base.throughput_kg,
        "arc_site": base.arc_site,
        "arc_area": base.arc_area,
        "arc_distance_m": base.arc_distance_m,
        "pair_served": base.pair_served,
        "pair_need": base.pair_need,
        "pair_weight": base.pair_weight,
        "cost_per_kg_km": base.cost_per_kg_km,
    }


def _max_age(shelf_life_days: np.ndarray, weeks: int) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        k = np.floor(np.asarray(shelf_life_days, dtype=float) / DAYS_PER_WEEK)
    return np.where(np.isfinite(k), np.minimum(k, weeks), weeks).astype(np.int64)


def _check_weeks(weeks: Any) -> int:
    if (
        isinstance(weeks, bool)
        or not isinstance(weeks, int | np.integer)
        or not 1 <= int(weeks) <= MAX_WEEKS
    ):
        msg = f"weeks must be a whole number of weeks from 1 to {MAX_WEEKS}; got {weeks!r}"
        raise FoodshedError(msg)
    return int(weeks)


def _profile(profile: Sequence[float] | None, T: int, name: str) -> np.ndarray:
    if profile is None:
        return np.ones(T)
    arr = np.asarray(list(profile), dtype=float)
    if arr.shape != (T,) or not np.isfinite(arr).all() or (arr < 0).any():
        msg = f"{name} must give one factor >= 0 per week ({T}); got {list(profile)}"
        raise FoodshedError(msg)
    return arr


def _weekly_array(given: np.ndarray | None, single: np.ndarray, T: int, name: str) -> np.ndarray:
    if given is None:
        return np.repeat(single[None, :, :], T, axis=0).astype(float)
    arr = np.asarray(given, dtype=float)
    if arr.shape != (T, *single.shape):
        msg = f"{name} has shape {arr.shape}; expected {(T, *single.shape)} (weeks first)"
        raise FoodshedError(msg)
    return arr.copy()


def _weekly_kg(
    table: pd.DataFrame,
    name: str,
    id_col: str,
    ids: np.ndarray,
    base: AllocationProblem,
    T: int,
    single: np.ndarray,
) -> np.ndarray:
    """``(T, n, nc)`` kg from a table with a ``week`` column (rows without one: every week)."""
    if "week" not in table.columns:
        return np.repeat(single[None], T, axis=0).astype(float)
    week = pd.to_numeric(table["week"], errors="coerce")
    given = table["week"].notna()
    bad = given & (week.isna() | (week < 1) | (week % 1 != 0))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        msg = (
            f"`{name}` column 'week' must be a week number 1, 2, ... (or blank for every "
            f"week); row {row + 1} has {str(table['week'].iloc[row])!r}"
        )
        raise FoodshedError(msg)
    idx = {k: i for i, k in enumerate(ids)}
    cidx = {c: i for i, c in enumerate(base.commodities)}
    r_i = table[id_col].astype(str).map(idx).to_numpy()
    c_i = table["commodity"].astype(str).map(cidx).to_numpy()
    q = table["quantity"].to_numpy(dtype=float) * base.kg_per_unit[c_i.astype(np.int64)]
    out = np.zeros((T, len(ids), len(base.commodities)))
    every = ~given.to_numpy()
    if every.any():
        base_every = np.zeros((len(ids), len(base.commodities)))
        np.add.at(base_every, (r_i[every].astype(int), c_i[every].astype(int)), q[every])
        out += base_every[None]
    wk = week.to_numpy()
    inside = given.to_numpy() & (np.nan_to_num(wk, nan=0) <= T)
    if inside.any():
        np.add.at(
            out,
            (wk[inside].astype(int) - 1, r_i[inside].astype(int), c_i[inside].astype(int)),
            q[inside],
        )
    return out


def _transfer_arcs(
    base: AllocationProblem,
    site_xy: np.ndarray,
    max_transfer_m: float | None,
    site_cost_table: pd.DataFrame | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Site-to-site arcs allowed by :data:`TRANSFER_KINDS` within ``max_transfer_m``."""
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    if max_transfer_m is None:
        return empty
    if not max_transfer_m > 0:
        msg = f"max_transfer_m must be positive (or None for no transfers); got {max_transfer_m}"
        raise FoodshedError(msg)
    kinds = base.site_kinds
    ns = len(kinds)
    allowed = np.zeros((ns, ns), dtype=bool)
    for a, b in TRANSFER_KINDS:
        allowed |= (kinds == a)[:, None] & (kinds == b)[None, :]
    np.fill_diagonal(allowed, False)
    if site_cost_table is not None:
        check_columns(
            site_cost_table, "site_cost_table", ("from_site_id", "to_site_id", "distance_m")
        )
        sidx = {s: i for i, s in enumerate(base.site_ids)}
        f = site_cost_table["from_site_id"].astype(str).map(sidx)
        t = site_cost_table["to_site_id"].astype(str).map(sidx)
        bad = f.isna() | t.isna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            one = site_cost_table["from_site_id" if pd.isna(f.iloc[row]) else "to_site_id"]
            msg = (
                f"site_cost_table row {row + 1} names a site not in the region "
                f"({site_cost_table['from_site_id'].iloc[row]!r} -> "
                f"{site_cost_table['to_site_id'].iloc[row]!r}).{id_hint(one.iloc[row], sidx)}"
            )
            raise FoodshedError(msg)
        fi, ti = f.to_numpy(dtype=np.int64), t.to_numpy(dtype=np.int64)
        dist = site_cost_table["distance_m"].to_numpy(dtype=float)
    else:
        fi, ti = np.nonzero(allowed)
        dist = np.hypot(*(site_xy[fi] - site_xy[ti]).T)
    keep = allowed[fi, ti] & (dist <= max_transfer_m)
    order = np.lexsort((ti[keep], fi[keep]))
    return fi[keep][order], ti[keep][order], dist[keep][order]


def _numbers_or_blank(frame: pd.DataFrame, column: str) -> np.ndarray:
    """``frame[column]`` as floats (blank where a cell is not a number), all blank without it."""
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)

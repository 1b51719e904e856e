"""The :class:`AllocationProblem`: the allocation LP as arrays, built once from a Region.

Everything is in kg: supply and need ``quantity`` (in each commodity's unit) are multiplied by
``kg_per_unit``. Columns are ``[x (flows), u (unmet need)]``; rows are
``[supply (site, commodity), need (area, commodity), throughput (site), budget]``. Row ``i`` of
the need block and column ``i`` of ``u`` belong to the same (area, commodity).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from equity import FoodshedError
from equity.region import summary_repr
from equity.roads import area_centres_xy as _area_points
from equity.validate import id_hint

from ._lp import LinearProgram
from .caches import CACHES

if TYPE_CHECKING:
    from equity import Region

__all__ = [
    "DEFAULT_COST_PER_KG_KM",
    "DEFAULT_LILA_COL",
    "DEFAULT_MAX_DISTANCE_M",
    "AllocationProblem",
    "lila_mask",
    "planning_region",
]

#: Default reach of a site: 8 km.
DEFAULT_MAX_DISTANCE_M = 8_000.0
#: Default transport cost: 0.05 USD per kg per km (small-van urban delivery, order of magnitude).
DEFAULT_COST_PER_KG_KM = 0.05
#: The low-income, low-access flag of the LILA KPIs: the Atlas's original food-desert measure.
DEFAULT_LILA_COL = "LILATracts_1And10"

# Atlas classifications already computed (``CACHES.lila``, see optimize/caches.py):
# (areas, stores, points, lila_col) -> (mask, source). The tables are kept (so their ids stay
# theirs) and checked by identity; a few entries only.


def lila_mask(region: Region, lila_col: str | None = DEFAULT_LILA_COL) -> tuple[Any, str]:
    """The low-income, low-access flag of each area of ``region`` (in area order) and where it
    came from: the areas' own ``lila_col`` column when present, else that column of
    :func:`equity.atlas.atlas_classify` run on the region's stores (cached per region tables).
    ``(None, "")`` when ``lila_col`` is None or the Atlas cannot be computed (no stores)."""
    if lila_col is None:
        return None, ""
    areas = region.areas
    if lila_col in areas.columns:
        col = areas[lila_col]
        vals = pd.to_numeric(col.astype("object").replace({True: 1, False: 0}), errors="coerce")
        bad = col.notna() & (vals.isna() | ~vals.isin([0, 1]))
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            msg = (
                f"`areas` column {lila_col!r} must be a yes/no flag (True/False or 1/0); row "
                f"{row + 1} ({areas['area_id'].iloc[row]}) has {col.iloc[row]!r}. Fix it or "
                "pass `lila_col=` naming another flag."
            )
            raise FoodshedError(msg)
        return vals.fillna(0).to_numpy(dtype=float) > 0.5, f"{lila_col} (areas column)"
    stores, points = region.stores, region.population_points
    key = (areas, stores, points, lila_col)
    hit = CACHES.get_lila(key)
    if hit is not None:
        return hit  # type: ignore[no-any-return]
    from equity import ValidationError
    from equity.atlas import atlas_classify, declared_reference_income

    if stores is None or len(stores) == 0:
        out: tuple[np.ndarray | None, str] = (None, "")
    else:
        try:
            income = declared_reference_income(region.provenance)
            atlas = atlas_classify(areas, stores, points=points, state_median_income=income)
        except ValidationError:
            out = (None, "")
        else:
            if lila_col not in atlas.columns:
                flags = sorted(c for c in atlas.columns if c.startswith("LILA"))
                msg = (
                    f"`areas` has no column {lila_col!r} and the Atlas classification does "
                    f"not make one; it makes {flags}. Pass `lila_col=` naming one of them or "
                    "a boolean column of the areas."
                )
                raise FoodshedError(msg)
            mask = atlas[lila_col].fillna(False).to_numpy(dtype=bool)
            out = (mask, f"{lila_col} (computed with the Atlas method)")
    CACHES.put_lila(key, out)
    return out


def planning_region(region: Region, *, estimates: bool = True) -> Region:
    """The region a plan is built on: ``region`` itself when it has commodities; when it has
    none (nor supply or need), the region with documented estimates
    (:meth:`equity.Region.with_estimates`), with an :class:`~equity.estimates.EstimatesWarning`,
    or a refusal in one sentence when ``estimates`` is False or no estimate can be made."""
    import warnings

    from equity.estimates import EstimatesWarning

    if len(region.commodities):
        return region
    if not estimates:
        msg = (
            f"region {region.name!r} has no commodities, supply or need to plan with; add "
            "those tables, or plan on documented estimates (estimates=True, or "
            "region.with_estimates(); see docs/equity.md)"
        )
        raise FoodshedError(msg)
    out = region.with_estimates()
    warnings.warn(
        f"region {region.name!r} has no supply or need tables: planning on documented "
        "estimates (population x a USDA Dietary Guidelines basket; garden yields and pantry "
        "throughput by site kind); the plan's manifest lists them under 'estimated'",
        EstimatesWarning,
        stacklevel=3,
    )
    return out


def _as_ids(values: Any) -> np.ndarray:
    return np.asarray([str(v) for v in values], dtype=object)


def past_horizon(table: pd.DataFrame, name: str, T: int, source: str) -> list[str]:
    """A warning (or none) naming the rows of ``table`` (``supply``/``need``, read from
    ``source``) for weeks past a plan of ``T`` weeks, which the plan does not use: a table may
    hold more weeks than one plan covers (a sweep over ``weeks``), so they are left out in
    words, not refused."""
    if "week" not in table.columns:
        return []
    week = pd.to_numeric(table["week"], errors="coerce")
    past = (week > T).to_numpy()
    if not past.any():
        return []
    weeks = sorted({int(w) for w in week[past]})
    shown = ", ".join(map(str, weeks[:8])) + (" ..." if len(weeks) > 8 else "")
    return [
        f"{source}: {int(past.sum())} {name} row(s) for week(s) {shown} are past the plan's "
        f"{T} week(s) and not used; set weeks = {weeks[-1]} in the scenario to plan them"
    ]


def check_columns(table: pd.DataFrame, name: str, needed: tuple[str, ...]) -> None:
    """Refuse a ``name`` table (a cost table) that lacks any of the ``needed`` columns."""
    missing = set(needed) - set(table.columns)
    if missing:
        msg = (
            f"{name} is missing column(s) {sorted(missing)}; found "
            f"{list(table.columns)}. It needs {', '.join(needed)}."
        )
        raise FoodshedError(msg)


def _check_network(max_distance_m: float, cost_per_kg_km: float, budget_usd: float | None) -> None:
    """Refuse reach, cost and budget values no plan can mean, every problem in one message."""
    problems = []
    if not (math.isfinite(max_distance_m) and max_distance_m > 0):
        problems.append(f"max_distance_m must be a positive number of metres; got {max_distance_m}")
    if not (math.isfinite(cost_per_kg_km) and cost_per_kg_km >= 0):
        problems.append(f"cost_per_kg_km must be a number of USD >= 0; got {cost_per_kg_km}")
    if budget_usd is not None and not (math.isfinite(budget_usd) and budget_usd >= 0):
        problems.append(
            f"budget_usd must be a number of USD >= 0 (or None for no budget); got {budget_usd}"
        )
    if problems:
        msg = "; ".join(problems)
        raise FoodshedError(msg)


@dataclass(frozen=True, eq=False)
class AllocationProblem:
    """The allocation LP of one region and period, as numpy arrays and a CSC matrix.

    Build it with :meth:`from_region` (or :meth:`from_arrays` for synthetic data); change it
    with :meth:`with_shocks`, :meth:`with_budget` or :meth:`with_max_distance`, which return new
    problems. Indices: ``s`` over :attr:`site_ids`, ``a`` over :attr:`area_ids`, ``c`` over
    :attr:`commodities`, ``k`` over flow columns (``x_*`` arrays), ``j`` over unmet columns
    (``u_*`` arrays, one per (area, commodity) with need).
    """

    # data
    site_ids: np.ndarray
    site_names: np.ndarray
    site_kinds: np.ndarray
    throughput_kg: np.ndarray  # inf where unlimited
    area_ids: np.ndarray
    population: np.ndarray
    area_attrs: pd.DataFrame  # non-geometry columns of areas, in area order
    area_lila: np.ndarray | None  # low-income, low-access flag per area (None: unknown)
    lila_source: str  # where area_lila came from ("" when unknown)
    commodities: np.ndarray
    #: each commodity's name, for words (``equity.Region.commodity_names``; the id when none)
    commodity_names: np.ndarray
    kg_per_unit: np.ndarray
    supply_kg: np.ndarray  # (n_sites, n_commodities)
    #: False for sites switched off (a SiteOutage): their columns stay in the LP, held at 0 by
    #: their supply rows, so a plan with a site off has the structure of the plan without
    #: (the solver can start warm from it)
    site_open: np.ndarray
    need_kg: np.ndarray  # (n_areas, n_commodities)
    arc_site: np.ndarray
    arc_area: np.ndarray
    arc_distance_m: np.ndarray
    pair_served: np.ndarray  # commodity index shipped
    pair_need: np.ndarray  # commodity index whose need it serves
    pair_weight: np.ndarray  # acceptability: kg of need met per kg shipped
    pair_penalty_usd_per_kg: np.ndarray
    cost_per_kg_km: float
    max_distance_m: float
    budget_usd: float | None
    name: str
    #: ``{table: how it was estimated}`` for input tables that are documented estimates
    #: (:mod:`equity.estimates`); empty when the region's data has its own need and supply
    estimated: dict[str, str]
    # derived structure
    x_arc: np.ndarray
    x_pair: np.ndarray
    x_cost_usd_per_kg: np.ndarray
    u_area: np.ndarray
    u_comm: np.ndarray
    sup_site: np.ndarray
    sup_comm: np.ndarray
    thr_site: np.ndarray
    A: sp.csc_matrix
    row_lo: np.ndarray
    row_hi: np.ndarray

    # ------------------------------------------------------------------ sizes and maps
    @property
    def n_x(self) -> int:
        return int(self.x_arc.shape[0])

    @property
    def n_u(self) -> int:
        return int(self.u_area.shape[0])

    @property
    def n_cols(self) -> int:
        return self.n_x + self.n_u

    @property
    def n_rows(self) -> int:
        return int(self.row_lo.shape[0])

    @property
    def x_site(self) -> np.ndarray:
        return self.arc_site[self.x_arc]

    @property
    def x_area(self) -> np.ndarray:
        return self.arc_area[self.x_arc]

    @property
    def row_blocks(self) -> dict[str, slice]:
        """Row ranges of each constraint family."""
        a = len(self.sup_site)
        b = a + self.n_u
        c = b + len(self.thr_site)
        d = c + (0 if self.budget_usd is None else 1)
        return {
            "supply": slice(0, a),
            "need": slice(a, b),
            "throughput": slice(b, c),
            "budget": slice(c, d),
        }

    @property
    def available_kg(self) -> np.ndarray:
        """Supply per site and commodity that can be handed out (0 at sites switched off)."""
        return np.where(self.site_open[:, None], self.supply_kg, 0.0)

    @property
    def x_usable(self) -> np.ndarray:
        """Flow columns that can carry food after every shock: the site is open, has supply of
        the commodity served and throughput above 0 (a :class:`~optimize.shocks.SiteOutage`
        keeps a closed site's columns, held at 0, so the LP keeps its structure)."""
        s, c = self.x_site, self.pair_served[self.x_pair]
        return self.site_open[s] & (self.supply_kg[s, c] > 0) & (self.throughput_kg[s] > 0)

    def reachable_areas(self) -> np.ndarray:
        """Per area (in area order): True where at least one usable flow column
        (:attr:`x_usable`) serves it, i.e. some open site within reach has food for it."""
        out = np.zeros(len(self.area_ids), dtype=bool)
        out[self.x_area[self.x_usable]] = True
        return out

    def total_need_kg(self) -> float:
        return float(self.need_kg.sum())

    def area_need_kg(self) -> np.ndarray:
        return self.need_kg.sum(axis=1)

    def base_lp(self) -> LinearProgram:
        """The constraints with a zero objective (objectives add columns, rows and costs)."""
        n = self.n_cols
        return LinearProgram(
            c=np.zeros(n),
            A=self.A,
            row_lo=self.row_lo,
            row_hi=self.row_hi,
            col_lo=np.zeros(n),
            col_hi=np.full(n, np.inf),
        )

    def fingerprint(self) -> str:
        """SHA-256 of the arrays that define the LP (for manifests)."""
        h = hashlib.sha256()
        for arr in (
            self.available_kg,
            self.need_kg,
            self.throughput_kg,
            self.arc_site,
            self.arc_area,
            self.arc_distance_m,
            self.pair_weight,
            self.pair_penalty_usd_per_kg,
        ):
            h.update(np.ascontiguousarray(arr).tobytes())
        h.update(repr((self.cost_per_kg_km, self.max_distance_m, self.budget_usd)).encode())
        return h.hexdigest()

    def summary(self) -> dict[str, Any]:
        return {
            "sites": len(self.site_ids),
            "areas": len(self.area_ids),
            "commodities": len(self.commodities),
            "arcs": len(self.arc_site),
            "flow_columns": self.n_x,
            "unmet_columns": self.n_u,
            "rows": self.n_rows,
            "nonzeros": int(self.A.nnz),
            "supply_kg": float(self.available_kg.sum()),
            "need_kg": self.total_need_kg(),
        }

    def __repr__(self) -> str:
        return summary_repr(
            self,
            "{sites} sites, {areas} areas, {commodities} commodities, "
            "{flow_columns:,} flow columns, {rows:,} rows",
        )

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_region(
        cls,
        region: Region,
        *,
        period: str | None = None,
        max_distance_m: float = DEFAULT_MAX_DISTANCE_M,
        cost_per_kg_km: float = DEFAULT_COST_PER_KG_KM,
        budget_usd: float | None = None,
        cost_table: pd.DataFrame | None = None,
        substitutes: bool = True,
        substitution_penalty_usd_per_kg: float = 0.01,
        lila_col: str | None = DEFAULT_LILA_COL,
        estimates: bool = True,
        require_need: bool = True,
    ) -> AllocationProblem:
        """Build the LP arrays of ``region`` (one ``period`` of seasonal data).

        Arcs join each site to every area whose population centre lies within
        ``max_distance_m`` (straight line, KD-tree in the region's metric CRS), unless
        ``cost_table`` gives them: columns ``site_id``, ``area_id``, ``distance_m`` (road
        distance, say); rows beyond ``max_distance_m`` are dropped.

        A region with no commodities, supply or need (a county from public lists) is planned
        on documented estimates (:meth:`equity.Region.with_estimates`, with an
        :class:`equity.estimates.EstimatesWarning`) unless ``estimates=False``, which refuses
        it; :attr:`estimated` records what was estimated. A region with commodities but no need
        rows is refused in one sentence unless ``require_need=False`` (siting by population
        needs none).
        """
        from scipy.spatial import cKDTree

        from equity.estimates import estimated_inputs

        _check_network(max_distance_m, cost_per_kg_km, budget_usd)
        area_lila, lila_source = lila_mask(region, lila_col)  # on the region's own tables (cached)
        region = planning_region(region, estimates=estimates)
        if region.periods:
            region = region.select_period(period or region.default_period)  # type: ignore[arg-type]
        elif period is not None:
            msg = f"period {period!r} given but region {region.name!r} has no periods"
            raise FoodshedError(msg)
        sites, areas = region.sites, region.areas
        if len(sites) == 0:
            msg = f"region {region.name!r} has no sites to allocate from; add a `sites` table"
            raise FoodshedError(msg)
        when = f" for period {region.provenance['period']!r}" if region.periods else ""
        for table, fix in (
            ("need", "a need table (area_id, commodity, quantity) or a per_capita column"),
            ("supply", "a supply table (site_id, commodity, quantity)"),
        ):
            if len(getattr(region, table)) == 0 and (table != "need" or require_need):
                msg = f"region {region.name!r} has no {table}{when} to plan with; add {fix}"
                raise FoodshedError(msg)
        comm = region.commodities
        commodities = _as_ids(comm["commodity"])
        cidx = {c: i for i, c in enumerate(commodities)}
        kgpu = comm["kg_per_unit"].to_numpy(dtype=float)
        site_ids = _as_ids(sites["site_id"])
        sidx = {s: i for i, s in enumerate(site_ids)}
        area_ids = _as_ids(areas["area_id"])
        aidx = {a: i for i, a in enumerate(area_ids)}

        def kg_by(table: pd.DataFrame, key: str, ids: np.ndarray, kidx: dict) -> np.ndarray:
            """kg per (id of ``ids``, commodity) of a supply or need table."""
            out = np.zeros((len(ids), len(commodities)))
            if "week" in table.columns:  # one period is week 1 (past_horizon says the rest)
                table = table[~(pd.to_numeric(table["week"], errors="coerce") > 1).to_numpy()]
            if len(table):
                k_i = table[key].astype(str).map(kidx).to_numpy()
                c_i = table["commodity"].astype(str).map(cidx).to_numpy()
                q = table["quantity"].to_numpy(dtype=float) * kgpu[c_i]
                np.add.at(out, (k_i, c_i), q)
            return out

        supply = kg_by(region.supply, "site_id", site_ids, sidx)
        need = kg_by(region.need, "area_id", area_ids, aidx)

        thr = (
            pd.to_numeric(sites["throughput_kg"], errors="coerce").to_numpy(dtype=float)
            if "throughput_kg" in sites.columns
            else np.full(len(site_ids), np.nan)
        )
        thr = np.where(np.isfinite(thr), thr, np.inf)

        if cost_table is not None:
            check_columns(cost_table, "cost_table", ("site_id", "area_id", "distance_m"))
            ct = cost_table[cost_table["distance_m"] <= max_distance_m]
            s_i = ct["site_id"].astype(str).map(sidx)
            a_i = ct["area_id"].astype(str).map(aidx)
            bad = s_i.isna() | a_i.isna()
            if bad.any():
                first = ct[bad].iloc[0]
                hint = (
                    id_hint(first["area_id"], area_ids)
                    if str(first["site_id"]) in sidx
                    else id_hint(first["site_id"], site_ids)
                )
                msg = (
                    f"cost_table row {int(np.flatnonzero(bad.to_numpy())[0]) + 1} names "
                    f"site {first['site_id']!r} / area {first['area_id']!r}, not in the "
                    f"region.{hint}"
                )
                raise FoodshedError(msg)
            arc_site = s_i.to_numpy(dtype=np.int64)
            arc_area = a_i.to_numpy(dtype=np.int64)
            arc_dist = ct["distance_m"].to_numpy(dtype=float)
        else:
            sxy = np.column_stack([sites.geometry.x.to_numpy(), sites.geometry.y.to_numpy()])
            axy = _area_points(areas, region.crs)
            hits = cKDTree(axy).query_ball_point(sxy, r=max_distance_m)
            arc_site = np.repeat(np.arange(len(sxy)), [len(h) for h in hits]).astype(np.int64)
            arc_area = (
                np.concatenate([np.asarray(h, dtype=np.int64) for h in hits])
                if len(arc_site)
                else np.zeros(0, dtype=np.int64)
            )
            arc_dist = np.hypot(*(sxy[arc_site] - axy[arc_area]).T)
            order = np.lexsort((arc_area, arc_site))
            arc_site, arc_area, arc_dist = arc_site[order], arc_area[order], arc_dist[order]

        nc = len(commodities)
        served, needc, weight = list(range(nc)), list(range(nc)), [1.0] * nc
        penalty = [0.0] * nc
        if substitutes and len(region.substitutes):
            for row in region.substitutes.itertuples(index=False):
                acc = float(row.acceptability)
                if acc <= 0 or str(row.commodity) == str(row.substitute):
                    continue
                served.append(cidx[str(row.substitute)])
                needc.append(cidx[str(row.commodity)])
                weight.append(acc)
                penalty.append(float(substitution_penalty_usd_per_kg))
        attrs = pd.DataFrame(areas.drop(columns=areas.geometry.name)).reset_index(drop=True)
        names = (
            sites["name"].fillna(sites["site_id"]).astype(str).to_numpy(dtype=object)
            if "name" in sites.columns
            else site_ids.copy()
        )
        return cls.from_arrays(
            site_ids=site_ids,
            site_names=names,
            site_kinds=_as_ids(sites["kind"]),
            throughput_kg=thr,
            area_ids=area_ids,
            population=areas["population"].to_numpy(dtype=float),
            area_attrs=attrs,
            area_lila=area_lila,
            lila_source=lila_source,
            commodities=commodities,
            commodity_names=[region.commodity_name(c) for c in commodities],
            kg_per_unit=kgpu,
            supply_kg=supply,
            need_kg=need,
            arc_site=arc_site,
            arc_area=arc_area,
            arc_distance_m=arc_dist,
            pair_served=np.asarray(served, dtype=np.int64),
            pair_need=np.asarray(needc, dtype=np.int64),
            pair_weight=np.asarray(weight, dtype=float),
            pair_penalty_usd_per_kg=np.asarray(penalty, dtype=float),
            cost_per_kg_km=cost_per_kg_km,
            max_distance_m=max_distance_m,
            budget_usd=budget_usd,
            name=region.name,
            estimated=estimated_inputs(region),
        )

    @classmethod
    def from_arrays(cls, **data: Any) -> AllocationProblem:
        """Assemble the LP structure from data arrays (the fields above ``x_arc``).

        Optional: ``site_names``, ``site_kinds``, ``commodity_names``, ``area_attrs``, ``kg_per_unit``,
        ``pair_*`` (identity pairs, no substitution), ``budget_usd``, ``name``.
        """
        ns, nc = np.shape(data["supply_kg"])
        na = np.shape(data["need_kg"])[0]
        data.setdefault("site_names", np.asarray(data["site_ids"], dtype=object))
        data.setdefault("commodity_names", np.asarray(data["commodities"], dtype=object))
        data.setdefault("site_kinds", np.full(ns, "hub", dtype=object))
        data.setdefault("throughput_kg", np.full(ns, np.inf))
        data["site_open"] = np.asarray(data.get("site_open", np.ones(ns, dtype=bool)), dtype=bool)
        if data["site_open"].shape != (ns,):
            msg = f"site_open has shape {data['site_open'].shape}; expected ({ns},)"
            raise FoodshedError(msg)
        data.setdefault("population", np.ones(na))
        data.setdefault("area_attrs", pd.DataFrame({"area_id": data["area_ids"]}))
        data.setdefault("area_lila", None)
        data.setdefault("lila_source", "given" if data["area_lila"] is not None else "")
        if data["area_lila"] is not None:
            data["area_lila"] = np.asarray(data["area_lila"], dtype=bool)
            if data["area_lila"].shape != (na,):
                msg = f"area_lila has shape {data['area_lila'].shape}; expected ({na},)"
                raise FoodshedError(msg)
        data.setdefault("kg_per_unit", np.ones(nc))
        data.setdefault("pair_served", np.arange(nc))
        data.setdefault("pair_need", np.arange(nc))
        data.setdefault("pair_weight", np.ones(len(data["pair_served"])))
        data.setdefault("pair_penalty_usd_per_kg", np.zeros(len(data["pair_served"])))
        data.setdefault("cost_per_kg_km", DEFAULT_COST_PER_KG_KM)
        data.setdefault("max_distance_m", np.inf)
        data.setdefault("budget_usd", None)
        data.setdefault("name", "synthetic")
        data["estimated"] = dict(data.get("estimated") or {})
        for k in (
            "site_ids",
            "site_names",
            "site_kinds",
            "area_ids",
            "commodities",
            "commodity_names",
        ):
            data[k] = _as_ids(data[k])
        for k in ("arc_site", "arc_area", "pair_served", "pair_need"):
            data[k] = np.asarray(data[k], dtype=np.int64)
        for k in (
            "throughput_kg",
            "population",
            "kg_per_unit",
            "supply_kg",
            "need_kg",
            "arc_distance_m",
            "pair_weight",
            "pair_penalty_usd_per_kg",
        ):
            data[k] = np.asarray(data[k], dtype=float)
        return cls(**data, **_assemble(data))

    # ------------------------------------------------------------------ changes
    def _data(self) -> dict[str, Any]:
        derived = set(_DERIVED)
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in derived}

    def with_data(self, **changes: Any) -> AllocationProblem:
        """A new problem with some data arrays replaced and the structure rebuilt."""
        return AllocationProblem.from_arrays(**(self._data() | changes))

    def with_budget(self, budget_usd: float | None) -> AllocationProblem:
        if budget_usd is not None and budget_usd < 0:
            msg = f"budget_usd must be >= 0; got {budget_usd}"
            raise FoodshedError(msg)
        return self.with_data(budget_usd=budget_usd)

    def with_max_distance(self, max_distance_m: float) -> AllocationProblem:
        """Drop arcs longer than ``max_distance_m`` (a road closure, a smaller van range).
        Arcs beyond the distance the problem was built with cannot be added back."""
        keep = self.arc_distance_m <= max_distance_m
        return self.with_data(
            arc_site=self.arc_site[keep],
            arc_area=self.arc_area[keep],
            arc_distance_m=self.arc_distance_m[keep],
            max_distance_m=min(max_distance_m, self.max_distance_m),
        )

    def with_shocks(self, shocks: Any) -> AllocationProblem:
        """Apply shocks (see :mod:`optimize.shocks`) in order."""
        from .shocks import apply_shocks

        return apply_shocks(self, shocks)


_DERIVED = (
    "x_arc",
    "x_pair",
    "x_cost_usd_per_kg",
    "u_area",
    "u_comm",
    "sup_site",
    "sup_comm",
    "thr_site",
    "A",
    "row_lo",
    "row_hi",
)


def _assemble(d: dict[str, Any]) -> dict[str, Any]:
    """Flow columns, unmet columns and the CSC matrix, vectorised (no loop per variable)."""
    supply, need = d["supply_kg"], d["need_kg"]
    ns, nc = supply.shape
    na = need.shape[0]
    arc_site, arc_area = d["arc_site"], d["arc_area"]
    x_arc_parts, x_pair_parts = [], []
    for p, (cs, cn) in enumerate(zip(d["pair_served"], d["pair_need"], strict=True)):
        if d["pair_weight"][p] <= 0:
            continue
        ok = (supply[arc_site, cs] > 0) & (need[arc_area, cn] > 0)
        idx = np.flatnonzero(ok)
        x_arc_parts.append(idx)
        x_pair_parts.append(np.full(len(idx), p, dtype=np.int64))
    x_arc = np.concatenate(x_arc_parts) if x_arc_parts else np.zeros(0, dtype=np.int64)
    x_pair = np.concatenate(x_pair_parts) if x_pair_parts else np.zeros(0, dtype=np.int64)
    order = np.lexsort((x_pair, x_arc))
    x_arc, x_pair = x_arc[order], x_pair[order]
    x_site = arc_site[x_arc]
    x_area = arc_area[x_arc]
    x_served = d["pair_served"][x_pair]
    x_need = d["pair_need"][x_pair]
    x_w = d["pair_weight"][x_pair]
    x_cost = d["arc_distance_m"][x_arc] / 1000.0 * float(d["cost_per_kg_km"])
    n_x = len(x_arc)

    u_area, u_comm = np.nonzero(need > 0)
    n_u = len(u_area)
    sup_site, sup_comm = np.nonzero(supply > 0)
    n_sup = len(sup_site)
    thr = d["throughput_kg"]
    thr_site = np.flatnonzero(np.isfinite(thr))
    n_thr = len(thr_site)

    sup_row = np.full((ns, nc), -1, dtype=np.int64)
    sup_row[sup_site, sup_comm] = np.arange(n_sup)
    need_row = np.full((na, nc), -1, dtype=np.int64)
    need_row[u_area, u_comm] = n_sup + np.arange(n_u)
    thr_row = np.full(ns, -1, dtype=np.int64)
    thr_row[thr_site] = n_sup + n_u + np.arange(n_thr)
    budget = d["budget_usd"]
    n_rows = n_sup + n_u + n_thr + (0 if budget is None else 1)

    xcols = np.arange(n_x)
    rows = [sup_row[x_site, x_served], need_row[x_area, x_need], n_sup + np.arange(n_u)]
    cols = [xcols, xcols, n_x + np.arange(n_u)]
    vals = [np.ones(n_x), x_w, np.ones(n_u)]
    has_thr = thr_row[x_site] >= 0
    rows.append(thr_row[x_site][has_thr])
    cols.append(xcols[has_thr])
    vals.append(np.ones(int(has_thr.sum())))
    if budget is not None:
        nz = x_cost > 0
        rows.append(np.full(int(nz.sum()), n_rows - 1))
        cols.append(xcols[nz])
        vals.append(x_cost[nz])
    A = sp.csc_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_rows, n_x + n_u),
    )
    row_lo = np.concatenate(
        [
            np.full(n_sup, -np.inf),
            need[u_area, u_comm],
            np.full(n_thr, -np.inf),
            [] if budget is None else [-np.inf],
        ]
    )
    row_hi = np.concatenate(
        [
            np.where(d["site_open"][sup_site], supply[sup_site, sup_comm], 0.0),
            need[u_area, u_comm],
            thr[thr_site],
            [] if budget is None else [float(budget)],
        ]
    )
    return {
        "x_arc": x_arc,
        "x_pair": x_pair,
        "x_cost_usd_per_kg": x_cost,
        "u_area": u_area.astype(np.int64),
        "u_comm": u_comm.astype(np.int64),
        "sup_site": sup_site.astype(np.int64),
        "sup_comm": sup_comm.astype(np.int64),
        "thr_site": thr_site.astype(np.int64),
        "A": A,
        "row_lo": row_lo.astype(float),
        "row_hi": row_hi.astype(float),
    }


def replace_problem(problem: AllocationProblem, **changes: Any) -> AllocationProblem:
    """``dataclasses.replace`` for derived-free changes (names, attrs)."""
    return replace(problem, **changes)

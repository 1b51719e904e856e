"""Siting: where to open the next ``k`` gardens or hubs (a MILP on the same arrays).

Candidate sites join the problem like existing ones, but each gets a binary ``y_j``.

- With an allocation objective (``coverage`` by default: most need met, then least cost) its
  supply and throughput rows become ``sum x <= capacity * y_j``, and ``sum_j y_j <= k``: the
  answer is the best plan *and* where to build for it.
- ``max_covering`` (maximal covering of the need or people of low-income, low-access areas
  within a coverage radius) and ``p_median`` (least need-weighted distance, every area assigned
  to an open or existing site) are the classic facility-location models, capacitated by each
  site's kg per period (:mod:`optimize._facility`).

Either way :meth:`SitingResult.as_region` turns the answer into a scenario change: the region
with the chosen sites and their supply added, ready for :func:`optimize.allocate`.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from equity import FoodshedError

from ._facility import FACILITY_OBJECTIVES, FacilityModel, facility_milp, site_capacity_kg
from ._lp import BackendResult, LinearProgram, SolveStatus, Stage, check_time_limit
from ._objectives import build_objective
from .backends import get_backend
from .problem import (
    DEFAULT_COST_PER_KG_KM,
    DEFAULT_LILA_COL,
    DEFAULT_MAX_DISTANCE_M,
    AllocationProblem,
)
from .solution import AllocationSolution, SolveRun, build_solution
from .solve import versions

if TYPE_CHECKING:
    from equity import Region

__all__ = ["SitingResult", "site_new", "siting_lp"]


@dataclass(frozen=True, eq=False)
class SitingResult:
    """The chosen candidates, and the allocation plan with them open (allocation objectives;
    ``None`` for ``max_covering`` / ``p_median``: run ``allocate(result.as_region())``).

    Attributes
    ----------
    chosen : list of str
        Candidate site ids to open.
    solution : AllocationSolution or None
    candidates : DataFrame
        One row per candidate: ``site_id, chosen`` and ``kg_handed_out`` (allocation
        objectives) or ``capacity_kg, kg_assigned, weight_covered`` (facility objectives).
    objective, status, objective_value
        The siting objective, the solve status and the MILP's optimum (``max_covering``: the
        weight left uncovered; ``p_median``: weight x metres, unassigned weight charged
        ``penalty_m``).
    kpis : dict
        ``max_covering``: ``weight_total``, ``weight_covered``, ``weight_covered_share`` (and
        the same before siting, ``*_before``); ``p_median``: ``weighted_distance_m``,
        ``mean_distance_m`` (per unit of weight assigned), ``weight_unassigned``.
    assignments : DataFrame or None
        Facility objectives: ``area_id, site_id, share, distance_m`` for every positive share.
    milp : LinearProgram or None
        The MILP (facility objectives); ``optimize.backends._pulp.to_pulp(result.milp)``
        exports it as a PuLP model (``writeLP`` / ``writeMPS``).
    """

    chosen: list[str]
    solution: AllocationSolution | None
    candidates: pd.DataFrame
    objective: str = "coverage"
    status: SolveStatus | None = None
    objective_value: float | None = None
    kpis: dict[str, Any] = field(default_factory=dict)
    assignments: pd.DataFrame | None = None
    milp: LinearProgram | None = None
    region: Any = None  # the region without the candidates
    candidate_sites: pd.DataFrame | None = None
    candidate_supply: pd.DataFrame | None = None

    def as_sites(self) -> pd.DataFrame:
        """The chosen candidates as rows of the sites table (the region's CRS)."""
        if self.candidate_sites is None:
            msg = "this SitingResult does not carry its candidate sites"
            raise FoodshedError(msg)
        c = self.candidate_sites
        return c[c["site_id"].astype(str).isin(self.chosen)].reset_index(drop=True)

    def as_supply(self) -> pd.DataFrame:
        """Supply rows of the chosen candidates (empty when none were given)."""
        s = self.candidate_supply
        if s is None:
            return pd.DataFrame(columns=["site_id", "commodity", "quantity"])
        return s[s["site_id"].astype(str).isin(self.chosen)].reset_index(drop=True)

    def as_region(self) -> Any:
        """The region with the chosen sites and their supply added: the siting as a scenario
        change, ready for :func:`optimize.allocate` (or a scenario's ``region``)."""
        if self.region is None:
            msg = "this SitingResult does not carry its region"
            raise FoodshedError(msg)
        r = self.region
        sup = self.as_supply()
        return r.with_tables(
            sites=pd.concat([r.sites, self.as_sites()], ignore_index=True),
            supply=pd.concat([r.supply, sup], ignore_index=True) if len(sup) else r.supply,
        )

    def to_scenario(
        self,
        path: str | os.PathLike[str],
        *,
        name: str | None = None,
        objective: str = "cost",
        period: str | None = None,
    ) -> Path:
        """Write the siting as a scenario: ``path/region/`` (:meth:`as_region`, a region
        folder) and ``path/scenario.toml`` naming it, for ``foodshed allocate
        path/scenario.toml`` or :meth:`optimize.Scenario.from_toml`. Written atomically."""
        from equity._atomic import atomic_dir

        name = name or f"siting_{'_'.join(self.chosen) or 'none'}"
        lines = [
            f"name = {json.dumps(name)}",
            "description = "
            + json.dumps(f"Sites opened by {self.objective} siting: {', '.join(self.chosen)}"),
            'region = "region"',
            f"objective = {json.dumps(objective)}",
        ]
        if period is not None:
            lines.append(f"period = {json.dumps(period)}")
        region = self.as_region()
        with atomic_dir(path) as tmp:
            region.to_dir(tmp / "region")
            (tmp / "scenario.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        return Path(path) / "scenario.toml"

    def __repr__(self) -> str:
        tail = repr(self.solution) if self.solution is not None else f"{self.kpis}"
        return f"SitingResult({self.objective}: chosen={self.chosen}, {tail})"


def siting_lp(
    problem: AllocationProblem,
    candidate_ids: list[str],
    k: int,
    objective: str = "coverage",
    params: dict[str, Any] | None = None,
) -> tuple[LinearProgram, list[Stage], Any, np.ndarray]:
    """The MILP: the objective's LP plus one binary column per candidate."""
    model = build_objective(problem, objective, params)
    lp = model.lp
    cand = np.flatnonzero(np.isin(problem.site_ids, candidate_ids))
    if len(cand) != len(set(candidate_ids)):
        missing = sorted(set(candidate_ids) - set(problem.site_ids[cand].tolist()))
        msg = f"candidate site(s) {missing} are not sites of the problem"
        raise FoodshedError(msg)
    nc = len(cand)
    pos = {int(s): j for j, s in enumerate(cand)}
    blocks = problem.row_blocks
    rows, cols, vals = [], [], []
    row_hi = lp.row_hi.copy()
    sup = np.flatnonzero(np.isin(problem.sup_site, cand))
    for r in sup:
        cap = problem.row_hi[blocks["supply"].start + r]
        rows.append(blocks["supply"].start + r)
        cols.append(lp.n_cols + pos[int(problem.sup_site[r])])
        vals.append(-cap)
        row_hi[blocks["supply"].start + r] = 0.0
    thr = np.flatnonzero(np.isin(problem.thr_site, cand))
    for r in thr:
        i = blocks["throughput"].start + r
        rows.append(i)
        cols.append(lp.n_cols + pos[int(problem.thr_site[r])])
        vals.append(-problem.row_hi[i])
        row_hi[i] = 0.0
    n = lp.n_cols + nc
    A = sp.hstack([lp.A, sp.csc_matrix((lp.n_rows, nc))], format="csc")
    A = A + sp.csc_matrix((vals, (rows, cols)), shape=A.shape)
    count = sp.csr_matrix(
        (np.ones(nc), (np.zeros(nc, int), lp.n_cols + np.arange(nc))), shape=(1, n)
    )
    A = sp.vstack([A, count], format="csc")
    integ = np.r_[np.zeros(lp.n_cols), np.ones(nc)]
    milp = LinearProgram(
        c=np.r_[lp.c, np.zeros(nc)],
        A=A,
        row_lo=np.r_[lp.row_lo, -np.inf],
        row_hi=np.r_[row_hi, float(k)],
        col_lo=np.r_[lp.col_lo, np.zeros(nc)],
        col_hi=np.r_[lp.col_hi, np.ones(nc)],
        integrality=integ,
    )
    stages = [replace(s, c=np.r_[s.c, np.zeros(nc)]) for s in model.stages]
    return milp, stages, model, cand


def site_new(
    region: Region,
    candidates: pd.DataFrame,
    k: int,
    *,
    candidate_supply: pd.DataFrame | None = None,
    objective: str = "coverage",
    shocks: Any = (),
    period: str | None = None,
    max_distance_m: float = DEFAULT_MAX_DISTANCE_M,
    cost_per_kg_km: float = DEFAULT_COST_PER_KG_KM,
    budget_usd: float | None = None,
    cost_table: pd.DataFrame | None = None,
    coverage_radius_m: float | None = None,
    weight: str = "need",
    lila_only: bool | None = None,
    count_existing: bool = True,
    lila_col: str | None = DEFAULT_LILA_COL,
    solver: str = "highs",
    time_limit_s: float | None = None,
    **params: Any,
) -> SitingResult:
    """Choose up to ``k`` of ``candidates`` (a sites-contract GeoDataFrame) to open.

    ``candidate_supply`` (``site_id, commodity, quantity``) says what each candidate would hand
    out per period; the MILP is solved with HiGHS (``solver="cbc"`` or ``"pulp"`` also work).

    ``objective`` is an allocation objective (``coverage``, ``cost``, ``maxmin``, ...: the MILP
    is the allocation LP with the candidates' capacities switched by ``y_j``), or:

    - ``"max_covering"``: maximise the weight of areas within ``coverage_radius_m`` (default
      ``max_distance_m``) of an open site, capacitated: a site covers at most its kg per
      period of need. Existing sites count as open unless ``count_existing=False``.
    - ``"p_median"``: minimise the weighted distance from each area to the open or existing
      site serving it (within ``max_distance_m``, capacitated; an area no open site can take
      is charged ten times the longest arc).

    ``weight`` is ``"need"`` (kg per period) or ``"population"``; ``lila_only`` (default True
    for ``max_covering``, False for ``p_median``) counts only low-income, low-access areas
    (``lila_col``, see :meth:`AllocationProblem.from_region`). A site's capacity is its supply
    (all commodities, kg) capped by its throughput; a candidate with neither is uncapacitated.
    A region (or LILA filter) that leaves no weight to cover is an error, not an empty answer.

    ``cost_table`` (``site_id, area_id, distance_m`` for the existing sites and the
    candidates, e.g. road distances from :func:`equity.network_distances` on the region with
    the candidates added) replaces straight-line distances for every objective, as in
    :meth:`AllocationProblem.from_region`. ``**params`` are the allocation objective's
    parameters; ``max_covering`` and ``p_median`` take none, and an unknown keyword is an error.
    """
    if k < 0:
        msg = f"k must be >= 0; got {k}"
        raise FoodshedError(msg)
    time_limit_s = check_time_limit(time_limit_s)
    if objective in FACILITY_OBJECTIVES and params:
        msg = (
            f"site_new(objective={objective!r}) takes no argument(s) {sorted(params)}; its "
            "options are coverage_radius_m, weight, lila_only, count_existing, lila_col, "
            "max_distance_m, cost_table, period, shocks, solver and time_limit_s"
        )
        raise FoodshedError(msg)
    cands = candidates.to_crs(region.crs) if getattr(candidates, "crs", None) else candidates
    clash = sorted(set(cands["site_id"].astype(str)) & set(region.sites["site_id"].astype(str)))
    if clash:
        msg = f"candidate site ids {clash} are already sites of the region; rename them"
        raise FoodshedError(msg)
    sites = pd.concat([region.sites, cands], ignore_index=True)
    supply = region.supply
    if candidate_supply is not None:
        supply = pd.concat([supply, candidate_supply], ignore_index=True)
    reg = region.with_tables(sites=sites, supply=supply)
    problem = AllocationProblem.from_region(
        reg,
        period=period,
        max_distance_m=max_distance_m,
        cost_per_kg_km=cost_per_kg_km,
        budget_usd=budget_usd,
        cost_table=cost_table,
        lila_col=lila_col,
        require_need=False,  # siting by population needs none; weight="need" is checked below
    ).with_shocks(shocks)
    ids = cands["site_id"].astype(str).tolist()
    if objective in FACILITY_OBJECTIVES:
        supplied = np.isin(problem.site_ids, region.supply["site_id"].astype(str).unique())
        if candidate_supply is not None:
            supplied |= np.isin(problem.site_ids, candidate_supply["site_id"].astype(str))
        return _site_facility(
            problem,
            ids,
            k,
            objective=objective,
            weight=_weights(problem, weight, objective, lila_only),
            capacity_kg=site_capacity_kg(problem, supplied=supplied),
            coverage_radius_m=coverage_radius_m or max_distance_m,
            count_existing=count_existing,
            solver=solver,
            time_limit_s=time_limit_s,
            extra={
                "region": region,
                "candidate_sites": cands,
                "candidate_supply": candidate_supply,
            },
        )
    t0 = time.perf_counter()
    milp, stages, model, cand = siting_lp(problem, ids, k, objective, params)
    build_s = time.perf_counter() - t0
    res = get_backend(solver).solve(milp, stages, time_limit_s=time_limit_s)
    x = res.x
    y = np.zeros(len(cand)) if x is None else np.round(x[model.lp.n_cols :])
    chosen = [ids[j] for j in np.flatnonzero(y > 0.5)]
    sol = build_solution(
        problem,
        None if x is None else x[: model.lp.n_cols],
        None,
        SolveRun(
            status=res.status,
            objective=objective,
            objective_value=res.objective,
            solver=res.solver,
            times_s={"build": build_s, **res.times_s},
            manifest={
                "siting": {"k": k, "candidates": ids, "chosen": chosen},
                "objective": objective,
                "versions": versions(),
                "problem_sha256": problem.fingerprint(),
            },
            unit=model.unit,
            params=model.params,
            message=res.message,
        ),
    )
    handed = sol.flows.groupby("site_id")["quantity_kg"].sum()
    table = pd.DataFrame(
        {
            "site_id": ids,
            "chosen": [i in chosen for i in ids],
            "kg_handed_out": [float(handed.get(i, 0.0)) for i in ids],
        }
    )
    return _result(
        res,
        chosen,
        table,
        objective,
        solution=sol,
        region=region,
        candidate_sites=cands,
        candidate_supply=candidate_supply,
    )


def _result(
    res: BackendResult, chosen: list[str], table: pd.DataFrame, objective: str, **rest: Any
) -> SitingResult:
    """The :class:`SitingResult` of the MILP solve ``res`` (its status and optimum)."""
    return SitingResult(
        chosen=chosen,
        candidates=table,
        objective=objective,
        status=res.status,
        objective_value=res.objective,
        **rest,
    )


def _weights(
    problem: AllocationProblem, weight: str, objective: str, lila_only: bool | None
) -> np.ndarray:
    if weight == "need":
        w = problem.area_need_kg()
    elif weight == "population":
        w = problem.population.astype(float).copy()
    else:
        msg = f"weight must be 'need' or 'population'; got {weight!r}"
        raise FoodshedError(msg)
    if lila_only is None:
        lila_only = objective == "max_covering"
    if lila_only:
        if problem.area_lila is None:
            msg = (
                "lila_only=True but the region has no low-income, low-access flag: add the "
                "areas column (e.g. 'LILATracts_1And10'), a stores table to compute it, pass "
                "`lila_col=` naming a boolean column, or pass lila_only=False"
            )
            raise FoodshedError(msg)
        w = np.where(problem.area_lila, w, 0.0)
    w = np.where(np.isfinite(w) & (w > 0), w, 0.0)
    if not w.sum() > 0:
        what = "need (kg per period)" if weight == "need" else "population"
        where = (
            f"its {int(problem.area_lila.sum())} low-income, low-access areas"  # type: ignore[union-attr]
            if lila_only
            else f"its {len(problem.area_ids)} areas"
        )
        fix = (
            "add a need table (or pass weight='population')"
            if weight == "need"
            else "give the areas a population"
        )
        if lila_only:
            fix += ", or pass lila_only=False to count every area"
        msg = (
            f"{objective} siting with weight={weight!r}: the region has no {what} in {where}, "
            f"so there is nothing to cover; {fix}"
        )
        raise FoodshedError(msg)
    return w


def _site_facility(
    problem: AllocationProblem,
    ids: list[str],
    k: int,
    *,
    objective: str,
    weight: np.ndarray,
    capacity_kg: np.ndarray,
    coverage_radius_m: float | None,
    count_existing: bool,
    solver: str,
    time_limit_s: float | None,
    extra: dict[str, Any],
) -> SitingResult:
    model = facility_milp(
        problem,
        ids,
        k,
        objective=objective,
        weight=weight,
        capacity_kg=capacity_kg,
        coverage_radius_m=coverage_radius_m,
        count_existing=count_existing,
    )
    lp = model.lp
    res = get_backend(solver).solve(lp, [Stage(c=lp.c, name=objective)], time_limit_s=time_limit_s)
    x = res.x
    ny, nx = model.n_y, model.n_x
    y = np.zeros(ny) if x is None else np.round(x[:ny])
    share = np.zeros(nx) if x is None else np.clip(x[ny : ny + nx], 0, 1)
    site_ids = problem.site_ids
    chosen = [str(site_ids[model.cand[j]]) for j in np.flatnonzero(y > 0.5)]
    chosen = [i for i in ids if i in set(chosen)]  # in the candidates' order
    pos = share > 1e-9
    assign = pd.DataFrame(
        {
            "area_id": problem.area_ids[model.arc_area[pos]],
            "site_id": site_ids[model.arc_site[pos]],
            "share": share[pos],
            "distance_m": model.arc_distance_m[pos],
        }
    )
    w_arc = weight[model.arc_area] * share
    d_arc = model.demand_kg[model.arc_area] * share
    per_site_w = np.bincount(model.arc_site, weights=w_arc, minlength=len(site_ids))
    per_site_kg = np.bincount(model.arc_site, weights=d_arc, minlength=len(site_ids))
    cand_sites = model.cand
    table = pd.DataFrame(
        {
            "site_id": site_ids[cand_sites],
            "chosen": np.isin(site_ids[cand_sites], chosen),
            "capacity_kg": model.capacity_kg[cand_sites],
            "kg_assigned": per_site_kg[cand_sites],
            "weight_covered": per_site_w[cand_sites],
        }
    )
    total = float(weight.sum())
    kpis: dict[str, Any] = {"weight_total": total}
    if x is not None:
        covered = float(w_arc.sum())
        if objective == "max_covering":
            before = _existing_cover(problem, model, weight, count_existing, solver)
            kpis.update(
                {
                    "weight_covered": covered,
                    "weight_covered_share": covered / total if total else float("nan"),
                    "weight_covered_before": before,
                    "weight_covered_share_before": before / total if total else float("nan"),
                }
            )
        else:
            wd = float(np.dot(w_arc, model.arc_distance_m))
            kpis.update(
                {
                    "weighted_distance_m": wd,
                    "mean_distance_m": wd / covered if covered else float("nan"),
                    "weight_unassigned": total - covered,
                }
            )
    return _result(
        res,
        chosen,
        table,
        objective,
        solution=None,
        kpis=kpis,
        assignments=assign,
        milp=lp,
        **extra,
    )


def _existing_cover(
    problem: AllocationProblem,
    model: FacilityModel,
    weight: np.ndarray,
    count_existing: bool,
    solver: str,
) -> float:
    """Weight the existing sites cover alone (the same model with ``k = 0``)."""
    if not count_existing:
        return 0.0
    lp0 = model.lp
    hi = lp0.row_hi.copy()
    hi[-1] = 0.0
    lp0 = replace(lp0, row_hi=hi)
    res = get_backend(solver).solve(lp0, [Stage(c=lp0.c)])
    if res.objective is None:
        return float("nan")
    return float(weight.sum() - res.objective)

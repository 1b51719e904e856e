"""Siting: where to open the next ``k`` gardens or hubs (a MILP on the same arrays).

Candidate sites join the problem like existing ones, but each gets a binary ``y_j``: its supply
and throughput rows become ``sum x <= capacity * y_j``, and ``sum_j y_j <= k``. The objective is
one of the allocation objectives (``coverage`` by default: most need met, then least cost), so
the answer is the best plan *and* where to build for it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from equity import FoodshedError

from ._lp import LinearProgram, Stage
from ._objectives import build_objective
from .backends import get_backend
from .problem import DEFAULT_COST_PER_KG_KM, DEFAULT_MAX_DISTANCE_M, AllocationProblem
from .solution import AllocationSolution, build_solution
from .solve import versions

if TYPE_CHECKING:
    from equity import Region

__all__ = ["SitingResult", "site_new", "siting_lp"]


@dataclass(frozen=True, eq=False)
class SitingResult:
    """The chosen candidates and the allocation plan with them open."""

    chosen: list[str]
    solution: AllocationSolution
    candidates: pd.DataFrame  # site_id, chosen, kg_handed_out

    def __repr__(self) -> str:
        return f"SitingResult(chosen={self.chosen}, {self.solution!r})"


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
    pos = {s: j for j, s in enumerate(cand)}
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
    solver: str = "highs",
    time_limit_s: float | None = None,
    **params: Any,
) -> SitingResult:
    """Choose up to ``k`` of ``candidates`` (a sites-contract GeoDataFrame) to open.

    ``candidate_supply`` (``site_id, commodity, quantity``) says what each candidate would hand
    out per period; the MILP is solved with HiGHS (``solver="cbc"`` also works).
    """
    if k < 0:
        msg = f"k must be >= 0; got {k}"
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
    ).with_shocks(shocks)
    ids = cands["site_id"].astype(str).tolist()
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
    )
    handed = sol.flows.groupby("site_id")["quantity_kg"].sum()
    table = pd.DataFrame(
        {
            "site_id": ids,
            "chosen": [i in chosen for i in ids],
            "kg_handed_out": [float(handed.get(i, 0.0)) for i in ids],
        }
    )
    return SitingResult(chosen=chosen, solution=sol, candidates=table)

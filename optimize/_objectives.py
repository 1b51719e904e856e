"""Objectives by name: each turns an :class:`AllocationProblem` into an LP and its stages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from equity import FoodshedError

from ._lp import LinearProgram, Stage
from .catalogue import OBJECTIVES
from .problem import AllocationProblem

__all__ = ["OBJECTIVES", "ObjectiveModel", "build_objective"]

#: The settings each objective takes (from the one description, :data:`OBJECTIVES`).
_PARAMS = {o.name: set(o.params) for o in OBJECTIVES.values()}


@dataclass(frozen=True, eq=False)
class ObjectiveModel:
    """The LP of one objective: extra columns (``t``, ``U``) after ``[x, u]``, its stages."""

    lp: LinearProgram
    stages: list[Stage]
    objective: str
    params: dict[str, Any]
    extra_cols: dict[str, int]
    unit: str


def _transport(problem: AllocationProblem) -> np.ndarray:
    pen = problem.pair_penalty_usd_per_kg[problem.x_pair]
    return problem.x_cost_usd_per_kg + pen


def default_unmet_penalty(problem: AllocationProblem) -> float:
    """10 times the dearest arc, at least 1 USD/kg: serving is always worth its transport."""
    top = float(_transport(problem).max()) if problem.n_x else 0.0
    return max(1.0, 10.0 * top)


def _with_cols(lp: LinearProgram, n_new: int, lo: np.ndarray, hi: np.ndarray) -> LinearProgram:
    A = sp.hstack([lp.A, sp.csc_matrix((lp.n_rows, n_new))], format="csc")
    return LinearProgram(
        c=np.concatenate([lp.c, np.zeros(n_new)]),
        A=A,
        row_lo=lp.row_lo,
        row_hi=lp.row_hi,
        col_lo=np.concatenate([lp.col_lo, lo]),
        col_hi=np.concatenate([lp.col_hi, hi]),
    )


def _with_rows(lp: LinearProgram, rows: sp.spmatrix, lo: np.ndarray, hi: np.ndarray):
    return LinearProgram(
        c=lp.c,
        A=sp.vstack([lp.A, rows], format="csc"),
        row_lo=np.concatenate([lp.row_lo, lo]),
        row_hi=np.concatenate([lp.row_hi, hi]),
        col_lo=lp.col_lo,
        col_hi=lp.col_hi,
    )


def _area_u_matrix(
    problem: AllocationProblem, n_cols: int
) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """Rows ``sum_c u[a,c]`` for areas with need that some flow column serves; returns the
    matrix, the area indices and which of them some site can still reach after every shock
    (:meth:`AllocationProblem.reachable_areas`: a closed site, or one without supply or
    throughput, reaches nobody). An area no site can reach must not bound the equity rows (no
    plan can serve it, so it would pin every fulfilment bound at 0): its row is kept but made
    free (no bound), so a site switched off changes only bounds, not the LP's structure, and
    the plan starts from the last plan's basis (a row left out changed the structure, and such
    plans started cold). The KPIs count such areas as ``areas_unreachable``."""
    areas = np.intersect1d(np.unique(problem.u_area), np.unique(problem.x_area))
    live = problem.reachable_areas()[areas]
    use = np.isin(problem.u_area, areas)
    pos = np.searchsorted(areas, problem.u_area[use])
    M = sp.csr_matrix(
        (np.ones(int(use.sum())), (pos, problem.n_x + np.flatnonzero(use))),
        shape=(len(areas), n_cols),
    )
    return M, areas, live


def build_objective(
    problem: AllocationProblem, objective: str, params: dict[str, Any] | None = None
) -> ObjectiveModel:
    """The LP and lexicographic stages of ``objective`` (a key of :data:`OBJECTIVES`)."""
    params = dict(params or {})
    if objective not in OBJECTIVES:
        msg = f"unknown objective {objective!r}; choose one of {sorted(OBJECTIVES)}"
        raise FoodshedError(msg)
    unknown = set(params) - _PARAMS[objective]
    if unknown:
        msg = (
            f"objective {objective!r} takes no parameter(s) {sorted(unknown)}; "
            f"it takes {sorted(_PARAMS[objective]) or 'none'}"
        )
        raise FoodshedError(msg)
    lp = problem.base_lp()
    nx, nu = problem.n_x, problem.n_u
    trans = np.concatenate([_transport(problem), np.zeros(nu)])
    unmet = np.concatenate([np.zeros(nx), np.ones(nu)])
    extra: dict[str, int] = {}
    N = max(problem.total_need_kg(), 1e-9)

    if objective in ("cost", "fair_share"):
        pen = float(params.setdefault("unmet_penalty_usd_per_kg", default_unmet_penalty(problem)))
        if pen < 0:
            msg = f"unmet_penalty_usd_per_kg must be >= 0; got {pen}"
            raise FoodshedError(msg)
        if objective == "fair_share":
            band = float(params.setdefault("fair_share_band", 0.1))
            if not 0 <= band <= 1:
                msg = f"fair_share_band must be within 0-1; got {band}"
                raise FoodshedError(msg)
            # U = sum u (areas a site can reach);
            # -band*need_a <= sum_c u[a,c] - need_a/N * U <= band*need_a
            lp = _with_cols(lp, 1, np.zeros(1), np.array([np.inf]))
            jU = lp.n_cols - 1
            extra["U"] = jU
            M, areas, live = _area_u_matrix(problem, lp.n_cols)
            need_a = problem.area_need_kg()[areas]
            Nr = max(float(need_a[live].sum()), 1e-9)  # overall fulfilment over reachable areas
            # U: the unmet need of the areas a site can reach. The row sums every area's u
            # (one structure whatever is switched off) less the need of those no site reaches:
            # their need is all unmet (their flow columns are held at 0)
            ucols = M.indices
            dead = float(need_a[~live].sum())
            tot = sp.csr_matrix(
                (
                    np.r_[np.ones(len(ucols)), -1.0],
                    (np.zeros(len(ucols) + 1, int), np.r_[ucols, jU]),
                ),
                shape=(1, lp.n_cols),
            )
            M = M.tolil()
            M[:, jU] = (-need_a / Nr).reshape(-1, 1)
            rows = sp.vstack([tot, M.tocsr()])
            off = np.where(live, band * need_a, np.inf)  # a row no site can serve: free
            lp = _with_rows(lp, rows, np.r_[dead, -off], np.r_[dead, off])
            trans = np.r_[trans, 0.0]
            unmet = np.r_[unmet, 0.0]
        stages = [Stage(trans + pen * unmet, "cost_usd")]
        unit = "USD (transport + unmet-need penalty)"
    elif objective == "coverage":
        W = default_unmet_penalty(problem)
        stages = [Stage(unmet, "unmet_kg", weight=W), Stage(trans, "cost_usd", weight=1.0)]
        unit = "USD of transport (need met held at its maximum)"
    else:  # maxmin, balanced
        # t <= fulfilment_a  <=>  sum_c u[a,c] + need_a * t <= need_a   (rows in kg: scaled)
        lp = _with_cols(lp, 1, np.zeros(1), np.ones(1))
        jt = lp.n_cols - 1
        extra["t"] = jt
        M, areas, live = _area_u_matrix(problem, lp.n_cols)
        need_a = problem.area_need_kg()[areas]
        M = M.tolil()
        M[:, jt] = need_a.reshape(-1, 1)
        hi = np.where(live, need_a, np.inf)  # a row no site can serve: free
        lp = _with_rows(lp, M.tocsr(), np.full(len(areas), -np.inf), hi)
        trans = np.r_[trans, 0.0]
        unmet = np.r_[unmet, 0.0]
        tvec = np.zeros(lp.n_cols)
        tvec[jt] = -N  # maximise t, scaled to kg so it weighs like the other stages
        # weights of the combined first solve (certified afterwards, so only a hint): a kg of
        # need met outweighs any single arc's transport cost, and the equity stage outweighs both
        W = default_unmet_penalty(problem)
        if objective == "maxmin":
            stages = [
                Stage(tvec, "min_fulfilment", rel_tol=1e-9, abs_tol=1e-8 * N, weight=10 * W),
                Stage(unmet, "unmet_kg", weight=W),
                Stage(trans, "cost_usd", weight=1.0),
            ]
        else:
            w = float(params.setdefault("equity_weight", 0.5))
            if not 0 <= w <= 1:
                msg = f"equity_weight must be within 0-1; got {w}"
                raise FoodshedError(msg)
            stages = [
                Stage(
                    (1 - w) * unmet + w * tvec,
                    "balanced",
                    rel_tol=1e-9,
                    abs_tol=1e-8 * N,
                    weight=10 * W,
                ),
                Stage(unmet, "unmet_kg", weight=W),
                Stage(trans, "cost_usd", weight=1.0),
            ]
        unit = "USD of transport (earlier stages held at their optimum)"
    return ObjectiveModel(lp.with_cost(stages[0].c), stages, objective, params, extra, unit)

"""Facility-location MILPs for siting: maximal covering and capacitated p-median.

Both are built as sparse arrays on the arcs of an :class:`~optimize.AllocationProblem` whose
sites are the existing sites plus the candidates. Columns are ``[y (one binary per candidate),
x (one per arc: the share of the area's demand the site takes), v (one per area: share left
uncovered / unassigned)]``. Rows:

- assign: ``sum_j x[a,j] + v[a] = 1`` for every area with positive weight;
- link: ``x[a,j] - y[j] <= 0`` for every arc of a candidate;
- capacity: ``sum_a d[a] x[a,j] - cap[j] y[j] <= 0`` (candidate) or ``<= cap[j]`` (existing
  site) where the site's capacity is finite;
- count: ``sum_j y[j] <= k``.

``max_covering`` minimises ``sum_a w[a] v[a]`` (the weight left uncovered, i.e. maximises the
weight covered) on arcs no longer than the coverage radius. ``p_median`` minimises
``sum_{a,j} w[a] dist[a,j] x[a,j] + sum_a w[a] M v[a]`` with ``M`` larger than any arc, so
every area that some open site reaches (within capacity) is assigned, nearest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from equity import FoodshedError

from ._lp import LinearProgram
from .problem import AllocationProblem

__all__ = ["FACILITY_OBJECTIVES", "FacilityModel", "facility_milp", "site_capacity_kg"]

FACILITY_OBJECTIVES = ("max_covering", "p_median")


@dataclass(frozen=True, eq=False)
class FacilityModel:
    """The MILP and the index maps back to candidates, arcs and areas."""

    lp: LinearProgram
    objective: str
    cand: np.ndarray  # site index of each y column
    arc_site: np.ndarray  # site index of each x column
    arc_area: np.ndarray  # area index of each x column
    arc_distance_m: np.ndarray
    areas: np.ndarray  # area index of each v column
    weight: np.ndarray  # per area (all areas)
    demand_kg: np.ndarray  # per area (all areas)
    capacity_kg: np.ndarray  # per site (inf: uncapacitated)
    penalty_m: float  # p_median: distance charged per unit of weight left unassigned

    @property
    def n_y(self) -> int:
        return len(self.cand)

    @property
    def n_x(self) -> int:
        return len(self.arc_site)


def site_capacity_kg(problem: AllocationProblem, *, supplied: np.ndarray) -> np.ndarray:
    """kg a site can hand out per period: its supply (all commodities), capped by its
    throughput; ``inf`` for a site with no supply rows at all (``supplied`` False) and no
    throughput."""
    cap = np.where(supplied, problem.available_kg.sum(axis=1), np.inf)
    return np.minimum(cap, problem.throughput_kg)


def facility_milp(
    problem: AllocationProblem,
    candidate_ids: list[str],
    k: int,
    *,
    objective: str,
    weight: np.ndarray,
    capacity_kg: np.ndarray,
    coverage_radius_m: float | None = None,
    count_existing: bool = True,
) -> FacilityModel:
    """Build the ``max_covering`` or ``p_median`` MILP (see the module docstring) of
    ``problem``, whose sites are the existing sites plus the candidates ``candidate_ids``."""
    cand = np.flatnonzero(np.isin(problem.site_ids, candidate_ids))
    if len(cand) != len(set(candidate_ids)):
        missing = sorted(set(candidate_ids) - set(problem.site_ids[cand].tolist()))
        msg = f"candidate site(s) {missing} are not sites of the problem"
        raise FoodshedError(msg)
    if objective not in FACILITY_OBJECTIVES:
        msg = f"unknown siting objective {objective!r}; choose one of {FACILITY_OBJECTIVES}"
        raise FoodshedError(msg)
    ns, na = len(problem.site_ids), len(problem.area_ids)
    cand = cand.astype(np.int64)
    is_cand = np.zeros(ns, dtype=bool)
    is_cand[cand] = True
    ypos = np.full(ns, -1, dtype=np.int64)
    ypos[cand] = np.arange(len(cand))
    demand = problem.area_need_kg()
    weight = np.asarray(weight, dtype=float)
    keep = weight[problem.arc_area] > 0
    if objective == "max_covering":
        if coverage_radius_m is None or coverage_radius_m <= 0:
            msg = f"max_covering needs a positive coverage_radius_m; got {coverage_radius_m}"
            raise FoodshedError(msg)
        keep &= problem.arc_distance_m <= coverage_radius_m
    if not count_existing:
        keep &= is_cand[problem.arc_site]
    a_site = problem.arc_site[keep]
    a_area = problem.arc_area[keep]
    a_dist = problem.arc_distance_m[keep]
    v_area = np.flatnonzero(weight > 0)
    vpos = np.full(na, -1, dtype=np.int64)
    vpos[v_area] = np.arange(len(v_area))
    ny, nx, nv = len(cand), len(a_site), len(v_area)
    n = ny + nx + nv
    xcol = ny + np.arange(nx)
    vcol = ny + nx + np.arange(nv)

    rows: list[Any] = []
    cols: list[Any] = []
    vals: list[Any] = []
    lo: list[Any] = []
    hi: list[Any] = []
    r = 0
    # assign: sum_j x + v = 1 per weighted area
    rows += [vpos[a_area], np.arange(nv)]
    cols += [xcol, vcol]
    vals += [np.ones(nx), np.ones(nv)]
    lo.append(np.ones(nv))
    hi.append(np.ones(nv))
    r += nv
    # link: x - y <= 0 on candidate arcs
    ca = np.flatnonzero(is_cand[a_site])
    rows += [r + np.arange(len(ca)), r + np.arange(len(ca))]
    cols += [xcol[ca], ypos[a_site[ca]]]
    vals += [np.ones(len(ca)), -np.ones(len(ca))]
    lo.append(np.full(len(ca), -np.inf))
    hi.append(np.zeros(len(ca)))
    r += len(ca)
    # capacity: sum_a d x - cap y <= 0 (candidate), sum_a d x <= cap (existing)
    cap = np.asarray(capacity_kg, dtype=float)
    capped = np.flatnonzero(np.isfinite(cap) & np.isin(np.arange(ns), a_site))
    crow = np.full(ns, -1, dtype=np.int64)
    crow[capped] = r + np.arange(len(capped))
    has = crow[a_site] >= 0
    rows.append(crow[a_site][has])
    cols.append(xcol[has])
    vals.append(demand[a_area][has])
    cc = capped[is_cand[capped]]
    rows.append(crow[cc])
    cols.append(ypos[cc])
    vals.append(-cap[cc])
    lo.append(np.full(len(capped), -np.inf))
    hi.append(np.where(is_cand[capped], 0.0, cap[capped]))
    r += len(capped)
    # count: sum_j y <= k
    rows.append(np.full(ny, r))
    cols.append(np.arange(ny))
    vals.append(np.ones(ny))
    lo.append([-np.inf])
    hi.append([float(k)])
    r += 1
    A = sp.csc_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(r, n)
    )
    penalty_m = 0.0
    c = np.zeros(n)
    if objective == "max_covering":
        c[vcol] = weight[v_area]
    else:
        penalty_m = 10.0 * max(float(a_dist.max()) if nx else 0.0, 1000.0)
        c[xcol] = weight[a_area] * a_dist
        c[vcol] = weight[v_area] * penalty_m
    lp = LinearProgram(
        c=c,
        A=A,
        row_lo=np.concatenate(lo).astype(float),
        row_hi=np.concatenate(hi).astype(float),
        col_lo=np.zeros(n),
        col_hi=np.ones(n),
        integrality=np.r_[np.ones(ny), np.zeros(nx + nv)],
    )
    return FacilityModel(
        lp=lp,
        objective=objective,
        cand=cand,
        arc_site=a_site,
        arc_area=a_area,
        arc_distance_m=a_dist,
        areas=v_area,
        weight=weight,
        demand_kg=demand,
        capacity_kg=cap,
        penalty_m=penalty_m,
    )

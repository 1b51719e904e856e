"""Floating catchment area access: 2SFCA, enhanced 2SFCA, and a competition-adjusted gravity model.

All three work on a sparse demand x supply matrix of the pairs within reach, built with
:meth:`scipy.spatial.cKDTree.sparse_distance_matrix` (or from a cost table of ``origin``,
``destination``, ``cost``), so a national set of tracts and stores stays in memory.

Two steps (Luo & Wang 2003): each supply j gets a ratio
``R_j = S_j / sum_i W(d_ij) P_i`` over the demand within its catchment; each demand i sums
``A_i = sum_j W(d_ij) R_j``. Plain 2SFCA has ``W = 1`` inside the catchment; the enhanced version
(Luo & Qi 2009) weights distance bands (default 1, 0.68, 0.22 over thirds of the catchment).
The gravity model (Joseph & Bantock 1982) uses ``W = d^-beta`` and the same two steps. Access is
supply per person: with supply as stores, "stores per person"; times 1,000 for per 1,000 people.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.spatial import cKDTree

from ._errors import Problem, ValidationError
from .access import _require_metric, _xy

__all__ = [
    "E2SFCA_WEIGHTS",
    "cost_matrix",
    "distance_matrix",
    "enhanced_two_step_fca",
    "fca_from_matrix",
    "gravity_access",
    "two_step_fca",
]

#: Default weights of the enhanced 2SFCA distance bands (Luo & Qi 2009).
E2SFCA_WEIGHTS: tuple[float, ...] = (1.0, 0.68, 0.22)


def distance_matrix(
    demand: gpd.GeoDataFrame | gpd.GeoSeries,
    supply: gpd.GeoDataFrame | gpd.GeoSeries,
    max_distance_m: float,
) -> sparse.coo_matrix:
    """Sparse (n_demand x n_supply) straight-line distances of the pairs within reach.

    Pairs at distance 0 are kept (stored as a tiny positive number, 1e-9 m, so that sparse
    storage does not drop them).
    """
    for g, name in ((demand, "demand"), (supply, "supply")):
        gdf = g if isinstance(g, gpd.GeoDataFrame) else gpd.GeoDataFrame(geometry=g)
        _require_metric(gdf, name)
    a, b = cKDTree(_xy(demand)), cKDTree(_xy(supply))
    pairs = a.sparse_distance_matrix(b, max_distance_m, output_type="ndarray")
    d = np.maximum(pairs["v"], 1e-9)
    # COO, not CSR: the two steps are two matrix-vector products, and sorting millions of
    # pairs into CSR would cost more than both.
    return sparse.coo_matrix(
        (d, (pairs["i"].astype(np.int32), pairs["j"].astype(np.int32))),
        shape=(len(demand), len(supply)),
    )


def cost_matrix(
    cost: pd.DataFrame,
    demand_ids: Sequence[str],
    supply_ids: Sequence[str],
    max_cost: float = np.inf,
) -> sparse.coo_matrix:
    """Sparse matrix from a cost table (``origin``, ``destination``, ``cost``) within ``max_cost``.

    Pairs whose ids are not in ``demand_ids``/``supply_ids`` are ignored.
    """
    missing = [c for c in ("origin", "destination", "cost") if c not in cost.columns]
    if missing:
        msg = f"cost table is missing column(s) {missing}; found {sorted(map(str, cost.columns))}"
        raise ValidationError([Problem("cost", msg, column=missing[0])])
    di = pd.Series(np.arange(len(demand_ids)), index=pd.Index(map(str, demand_ids)))
    si = pd.Series(np.arange(len(supply_ids)), index=pd.Index(map(str, supply_ids)))
    near = cost[cost["cost"] <= max_cost]
    # One cost per pair (the least), or the matrix products would add duplicates up.
    c = (
        near.assign(origin=near["origin"].astype(str), destination=near["destination"].astype(str))
        .groupby(["origin", "destination"], as_index=False)["cost"]
        .min()
    )
    o, d = c["origin"], c["destination"]
    ok = o.isin(di.index) & d.isin(si.index)
    v = np.maximum(c.loc[ok, "cost"].to_numpy(float), 1e-9)
    return sparse.coo_matrix(
        (v, (di.loc[o[ok]].to_numpy(), si.loc[d[ok]].to_numpy())),
        shape=(len(demand_ids), len(supply_ids)),
    )


def fca_from_matrix(
    dist: sparse.spmatrix, demand: np.ndarray, supply: np.ndarray, weight: sparse.spmatrix
) -> tuple[np.ndarray, np.ndarray]:
    """The two steps on a weight matrix ``W`` (same sparsity as ``dist``).

    Returns ``(access per demand point, ratio per supply point)``. A supply with no demand within
    reach has ratio 0 (it serves nobody); demand with no supply in reach has access 0.
    """
    w = weight if sparse.issparse(weight) else sparse.coo_matrix(weight)
    demand = np.asarray(demand, float)
    supply = np.asarray(supply, float)
    reach = w.T @ demand  # weighted demand reaching each supply
    ratio = np.divide(supply, reach, out=np.zeros_like(supply), where=reach > 0)
    return np.asarray(w @ ratio), ratio


def _inputs(demand, supply, demand_col, supply_col):
    if demand_col not in demand.columns:
        msg = f"`demand` is missing column '{demand_col}'; pass `demand_col=`"
        raise ValidationError([Problem("areas", msg, column=demand_col)])
    p = pd.to_numeric(demand[demand_col], errors="coerce").fillna(0).to_numpy(float)
    if supply_col is None:
        s = np.ones(len(supply))
    elif supply_col in supply.columns:
        s = pd.to_numeric(supply[supply_col], errors="coerce").fillna(0).to_numpy(float)
    else:
        msg = f"`supply` is missing column '{supply_col}'; pass `supply_col=` (None counts 1 each)"
        raise ValidationError([Problem("stores", msg, column=supply_col)])
    return p, s


def _demand_points(demand: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if len(demand) and not (demand.geometry.geom_type == "Point").all():
        from .access import area_points

        return gpd.GeoDataFrame(
            demand.drop(columns=demand.geometry.name), geometry=area_points(demand)
        )
    return demand


def _matrix(demand, supply, reach, cost, demand_id_col, supply_id_col):
    if cost is not None:
        return cost_matrix(cost, demand[demand_id_col], supply[supply_id_col], reach)
    return distance_matrix(_demand_points(demand), supply, reach)


def _access(dist, p, s, weights: np.ndarray, index: pd.Index, name: str) -> pd.Series:
    """The two steps with ``weights`` on the pairs within reach (``dist.data``'s order)."""
    w = dist.copy()
    w.data = weights
    acc, _ = fca_from_matrix(dist, p, s, w)
    return pd.Series(acc, index=index, name=name)


def two_step_fca(
    demand: gpd.GeoDataFrame,
    supply: gpd.GeoDataFrame,
    *,
    catchment_m: float,
    demand_col: str = "population",
    supply_col: str | None = None,
    cost: pd.DataFrame | None = None,
    demand_id_col: str = "area_id",
    supply_id_col: str = "store_id",
) -> pd.Series:
    """Two-step floating catchment area access (Luo & Wang 2003).

    Parameters
    ----------
    demand
        Areas (their population points are used) or points, with ``demand_col``.
    supply
        Points; ``supply_col`` is the capacity (``None``: each counts 1).
    catchment_m
        Catchment radius (in the cost table's unit when ``cost`` is given).
    cost
        Optional ``origin``/``destination``/``cost`` table replacing straight-line distance.

    Returns
    -------
    Series
        Supply per unit of demand reachable from each demand, indexed like ``demand``.

    Examples
    --------
    Two stores and three areas on a line at 0, 1 and 3 km; stores at 0.5 and 3 km; catchment 1 km.
    Store A reaches areas 1 and 2 (200 people), store B reaches area 3 (100 people):

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> d = gpd.GeoDataFrame({"population": [100, 100, 100]},
    ...     geometry=[Point(0, 0), Point(1000, 0), Point(3000, 0)], crs=3857)
    >>> s = gpd.GeoDataFrame(geometry=[Point(500, 0), Point(3000, 0)], crs=3857)
    >>> two_step_fca(d, s, catchment_m=1000).tolist()
    [0.005, 0.005, 0.01]
    """
    p, s = _inputs(demand, supply, demand_col, supply_col)
    dist = _matrix(demand, supply, catchment_m, cost, demand_id_col, supply_id_col)
    return _access(dist, p, s, np.ones_like(dist.data), demand.index, "fca2")


def enhanced_two_step_fca(
    demand: gpd.GeoDataFrame,
    supply: gpd.GeoDataFrame,
    *,
    catchment_m: float,
    weights: Sequence[float] = E2SFCA_WEIGHTS,
    bands_m: Sequence[float] | None = None,
    demand_col: str = "population",
    supply_col: str | None = None,
    cost: pd.DataFrame | None = None,
    demand_id_col: str = "area_id",
    supply_id_col: str = "store_id",
) -> pd.Series:
    """Enhanced 2SFCA (Luo & Qi 2009): distance-band weights inside the catchment.

    ``bands_m`` are the upper edges of the bands (default: equal parts of ``catchment_m``, one
    per weight); a pair in band k gets ``weights[k]``.
    """
    if bands_m is None:
        bands_m = [catchment_m * (k + 1) / len(weights) for k in range(len(weights))]
    if len(bands_m) != len(weights):
        msg = f"{len(bands_m)} band edges for {len(weights)} weights; give one edge per weight"
        raise ValueError(msg)
    if list(bands_m) != sorted(bands_m):
        msg = f"bands_m must increase, got {list(bands_m)}"
        raise ValueError(msg)
    p, s = _inputs(demand, supply, demand_col, supply_col)
    dist = _matrix(demand, supply, max(bands_m), cost, demand_id_col, supply_id_col)
    band = np.searchsorted(np.asarray(bands_m, float), dist.data, side="left")
    w = np.asarray(weights, float)[np.minimum(band, len(weights) - 1)]
    return _access(dist, p, s, w, demand.index, "e2sfca")


def gravity_access(
    demand: gpd.GeoDataFrame,
    supply: gpd.GeoDataFrame,
    *,
    max_distance_m: float,
    beta: float = 1.0,
    min_distance_m: float = 100.0,
    demand_col: str = "population",
    supply_col: str | None = None,
    cost: pd.DataFrame | None = None,
    demand_id_col: str = "area_id",
    supply_id_col: str = "store_id",
) -> pd.Series:
    """Competition-adjusted gravity access (Joseph & Bantock 1982), within ``max_distance_m``.

    ``A_i = sum_j S_j d_ij^-beta / V_j`` with ``V_j = sum_k P_k d_kj^-beta``; distances below
    ``min_distance_m`` count as ``min_distance_m`` (a store on the population point would
    otherwise get infinite weight). Distances are in km for the decay, so the scale of
    ``beta`` is the usual one.
    """
    p, s = _inputs(demand, supply, demand_col, supply_col)
    dist = _matrix(demand, supply, max_distance_m, cost, demand_id_col, supply_id_col)
    scale = 1000.0 if cost is None else 1.0
    w = (np.maximum(dist.data, min_distance_m) / scale) ** (-beta)
    return _access(dist, p, s, w, demand.index, "gravity")

"""CDC modified Retail Food Environment Index (mRFEI).

``mRFEI = 100 x healthy / (healthy + less healthy)``, counting food retailers within the tract
or within 1/2 mile of its boundary (CDC 2011). Healthy: supermarkets, larger grocery stores,
supercenters and produce/farmers markets; less healthy: convenience stores, small groceries and
fast food. Where an area has no retailer of either group, mRFEI is undefined: NaN, not 0 (0 means
"only less-healthy retailers").

A retailer counts when its distance to the tract polygon is at most 1/2 mile (0 inside it),
exactly: a KD-tree of the stores finds the candidates near each tract and GEOS measures the
distance to the prepared polygon. (A buffered polygon, ``shapely.buffer``, draws each corner's
arc with chords and leaves out stores up to 3.9 m inside the half mile there.)
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from ._errors import Problem, ValidationError
from .access import M_PER_MILE, _require_metric, _xy

__all__ = ["HEALTHY_KINDS", "LESS_HEALTHY_KINDS", "mrfei"]

#: Store kinds counted as healthy by default.
HEALTHY_KINDS: tuple[str, ...] = ("supermarket", "grocery", "farmers_market")
#: Store kinds counted as less healthy by default.
LESS_HEALTHY_KINDS: tuple[str, ...] = ("convenience", "fast_food", "dollar_store")


def mrfei(
    areas: gpd.GeoDataFrame,
    stores: gpd.GeoDataFrame,
    *,
    healthy: Sequence[str] = HEALTHY_KINDS,
    less_healthy: Sequence[str] = LESS_HEALTHY_KINDS,
    buffer_m: float = 0.5 * M_PER_MILE,
    kind_col: str = "kind",
) -> pd.DataFrame:
    """mRFEI per area, with the two counts it is made of.

    Returns
    -------
    DataFrame
        Indexed like ``areas``: ``n_healthy``, ``n_less_healthy`` and ``mrfei`` (0-100; NaN
        where both counts are 0).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point, box
    >>> a = gpd.GeoDataFrame({"area_id": ["a"]}, geometry=[box(0, 0, 1000, 1000)], crs=3857)
    >>> s = gpd.GeoDataFrame({"kind": ["supermarket", "convenience", "convenience"]},
    ...     geometry=[Point(500, 500), Point(100, 100), Point(1500, 500)], crs=3857)
    >>> mrfei(a, s)["mrfei"].round(2).tolist()
    [33.33]
    """
    _require_metric(areas, "areas")
    if kind_col not in stores.columns:
        msg = f"`stores` is missing column '{kind_col}'; found {sorted(map(str, stores.columns))}"
        raise ValidationError([Problem("stores", msg, column=kind_col)])
    overlap = set(healthy) & set(less_healthy)
    if overlap:
        msg = f"kinds {sorted(overlap)} are listed as both healthy and less healthy"
        raise ValueError(msg)
    kinds = stores[kind_col].astype(str).to_numpy()
    group = np.where(
        np.isin(kinds, list(healthy)), 0, np.where(np.isin(kinds, list(less_healthy)), 1, -1)
    )
    xy = _xy(stores.geometry) if len(stores) else np.empty((0, 2))
    keep = np.flatnonzero((group >= 0) & np.isfinite(xy).all(axis=1))
    ai, si = _pairs_within(areas.geometry.values, xy[keep], buffer_m)
    grp = group[keep][si]
    out = pd.DataFrame(index=areas.index)
    out["n_healthy"] = np.bincount(ai[grp == 0], minlength=len(areas))
    out["n_less_healthy"] = np.bincount(ai[grp == 1], minlength=len(areas))
    total = out["n_healthy"] + out["n_less_healthy"]
    out["mrfei"] = (100.0 * out["n_healthy"] / total.where(total > 0)).astype(float)
    return out


def _pairs_within(
    polygons: np.ndarray, xy: np.ndarray, distance_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """``(polygon index, point index)`` of every point within ``distance_m`` of a polygon
    (inside it, or at most ``distance_m`` from its boundary).

    A KD-tree of the points gives the candidates within the polygon's bounding circle plus
    ``distance_m``; GEOS's exact distance test (on prepared polygons) keeps the true ones.
    """
    empty = np.zeros(0, dtype=np.int64)
    if len(xy) == 0 or len(polygons) == 0:
        return empty, empty
    bounds = shapely.bounds(polygons)
    ok = np.isfinite(bounds).all(axis=1)
    centre = np.column_stack([(bounds[:, 0] + bounds[:, 2]) / 2, (bounds[:, 1] + bounds[:, 3]) / 2])
    half_diag = np.hypot(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1]) / 2
    idx = np.flatnonzero(ok)
    if len(idx) == 0:
        return empty, empty
    hits = cKDTree(xy).query_ball_point(centre[idx], r=half_diag[idx] + distance_m)
    counts = np.fromiter((len(h) for h in hits), dtype=np.int64, count=len(hits))
    if counts.sum() == 0:
        return empty, empty
    ai = np.repeat(idx, counts)
    si = np.concatenate([np.asarray(h, dtype=np.int64) for h in hits if len(h)])
    polys = polygons.copy()
    shapely.prepare(polys)
    pts = shapely.points(xy[si])
    near = shapely.dwithin(polys[ai], pts, distance_m)
    return ai[near], si[near]

"""CDC modified Retail Food Environment Index (mRFEI).

``mRFEI = 100 x healthy / (healthy + less healthy)``, counting food retailers within the tract
or within 1/2 mile of its boundary (CDC 2011). Healthy: supermarkets, larger grocery stores,
supercenters and produce/farmers markets; less healthy: convenience stores, small groceries and
fast food. Where an area has no retailer of either group, mRFEI is undefined: NaN, not 0 (0 means
"only less-healthy retailers").
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ._errors import Problem, ValidationError
from .access import M_PER_MILE, _require_metric

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
    zones = shapely.buffer(areas.geometry.values, buffer_m)
    out = pd.DataFrame(index=areas.index)
    kinds = stores[kind_col].astype(str).to_numpy()
    pts = stores.geometry.values
    tree = shapely.STRtree(pts)
    zi, si = tree.query(zones, predicate="intersects")
    for col, group in (("n_healthy", healthy), ("n_less_healthy", less_healthy)):
        hit = np.isin(kinds[si], list(group))
        out[col] = np.bincount(zi[hit], minlength=len(areas))
    total = out["n_healthy"] + out["n_less_healthy"]
    out["mrfei"] = (100.0 * out["n_healthy"] / total.where(total > 0)).astype(float)
    return out

"""National-scale analytics in bounded memory: the Atlas classification and access measures,
one partition at a time.

:func:`access_by_partition` runs :func:`equity.access_table` (nearest distance of each kind,
counts within radii) part by part against all the stores (few, next to the population points),
so every answer is the in-memory one.

:func:`atlas_by_partition` splits the areas by state (or any column), classifies each part
with :func:`equity.atlas_classify` against only the stores within reach of it, and joins the
parts. Its answers equal the in-memory path's:

- population points are placed area by area (the grid is aligned to multiples of the cell
  size, and sub-area points only weight their own area), so a part gets the same points;
- every Atlas measure compares a distance with at most 20 miles, so the stores within 20 miles
  (plus a margin) of a part's bounding box decide every flag and count;
- the reference median income of the low-income rule is computed once per state over all of
  the state's areas, exactly as the in-memory path does, and handed to every part.

Peak memory is that of the largest part (its grid points), not of the nation. With a Dask
``client`` the parts run as tasks on its workers; this module never imports Dask itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ._errors import Problem, ValidationError
from .access import M_PER_MILE, access_table, assign_blocks
from .atlas import (
    ATLAS_DISTANCES_MI,
    ATLAS_STORE_KINDS,
    _check_atlas_columns,
    _describe_sources,
    atlas_classify,
    income_references,
    stand_in_incomes,
)

__all__ = ["access_by_partition", "atlas_by_partition", "partition_keys"]


def partition_keys(areas: pd.DataFrame, by: str = "state") -> pd.Series:
    """The partition of each area: column ``by``, or for ``by="state"`` without such a column,
    the first two digits of an 11-digit tract GEOID (the state FIPS code)."""
    if by in areas.columns:
        return areas[by].astype(str)
    if by == "state":
        ids = areas["area_id"].astype(str)
        ok = ids.str.fullmatch(r"\d{11,}")
        if not ok.all():
            bad = ids[~ok].iloc[0]
            msg = (
                f"`areas` has no 'state' column and area_id {bad!r} is not a tract GEOID (11 "
                "digits) to take the state from; add a 'state' column or pass `by=`"
            )
            raise ValidationError([Problem("areas", msg, column="area_id")])
        return ids.str[:2]
    found = sorted(map(str, areas.columns))
    msg = f"`areas` has no column {by!r} to partition by; found {found}. Pass `by=`."
    raise ValidationError([Problem("areas", msg, column=by)])


def _measure_part(
    measure: Callable[..., pd.DataFrame],
    areas: gpd.GeoDataFrame,
    stores: gpd.GeoDataFrame,
    points: gpd.GeoDataFrame | None,
    to_crs: Any,
    kwargs: dict[str, Any],
) -> pd.DataFrame:
    """``measure(areas, stores, points=points, **kwargs)`` on one part, in ``to_crs`` if given."""
    if to_crs is not None:
        areas = areas.to_crs(to_crs)
        stores = stores.to_crs(to_crs)
        points = None if points is None else points.to_crs(to_crs)
    return measure(areas, stores, points=points, **kwargs)


def _in_areas_crs(
    areas: gpd.GeoDataFrame, stores: gpd.GeoDataFrame, points: gpd.GeoDataFrame | None
) -> tuple[bool, gpd.GeoDataFrame, gpd.GeoDataFrame | None]:
    """Whether ``areas`` are geographic, and ``stores`` and ``points`` in the areas' CRS."""
    if areas.crs is None or stores.crs is None:
        msg = "`areas` and `stores` need a CRS; set one with .set_crs(...)"
        raise ValidationError([Problem("areas", msg)])
    stores = stores.to_crs(areas.crs) if stores.crs != areas.crs else stores
    if points is not None and points.crs != areas.crs:
        points = points.to_crs(areas.crs)
    return not areas.crs.is_projected, stores, points


def atlas_by_partition(
    areas: gpd.GeoDataFrame,
    stores: gpd.GeoDataFrame,
    *,
    by: str = "state",
    state_col: str | None = None,
    points: gpd.GeoDataFrame | None = None,
    client: Any = None,
    kinds: Sequence[str] = ATLAS_STORE_KINDS,
    kind_col: str = "kind",
    state_median_income: float | None = None,
    margin_m: float | None = None,
    **kwargs: Any,
) -> pd.DataFrame:
    """:func:`equity.atlas_classify`, one partition of the areas at a time, same answers.

    Parameters
    ----------
    areas, stores, points
        As for :func:`~equity.atlas_classify`. In a metric CRS, every part is computed in it;
        in a geographic CRS (WGS84 for a whole nation), each part is projected to its own UTM
        zone.
    by
        Column to partition by; ``"state"`` falls back to the state FIPS code of the GEOID.
    state_col
        Not needed any more, accepted for compatibility: the low-income references are per
        tract (published flag, shipped references by GEOID, or given), and a stand-in, where
        one is needed, is computed once per state (GEOID) over all the areas, as the in-memory
        path computes it.
    client
        A ``dask.distributed.Client``: parts run as tasks on its workers, in parallel.
    margin_m
        How far beyond a part's bounds stores still count; default 20 miles (the longest Atlas
        distance) plus the grid cell size.
    **kwargs
        Passed to :func:`~equity.atlas_classify` (``population_method``, ``cell_m``,
        ``metro_median_income``, thresholds, ...). ``population_blocks`` are split by the
        area each block lies in (:func:`equity.access.assign_blocks`), so each part gets
        its own.

    Returns
    -------
    DataFrame
        The columns of :func:`~equity.atlas_classify`, indexed like ``areas``; ``attrs`` adds
        ``partitions``, the low-income source line and the reference medians applied.
    """
    _check_atlas_columns(areas, stores, kind_col)
    geographic, stores, points = _in_areas_crs(areas, stores, points)
    sup = stores[stores[kind_col].astype(str).isin(list(kinds))]
    cell_m = float(kwargs.get("cell_m", 500.0))
    reach_m = max(ATLAS_DISTANCES_MI.values()) * M_PER_MILE
    margin = float(margin_m) if margin_m is not None else reach_m + cell_m

    keys = partition_keys(areas, by)
    # The low-income rule's references are per tract (published flag, shipped references by
    # GEOID, or given); a stand-in, where one is needed, is each whole state's, computed once.
    stand_in = (
        stand_in_incomes(pd.DataFrame(areas.drop(columns=areas.geometry.name)))
        if state_median_income is None
        else None
    )
    blocks = kwargs.pop("population_blocks", None)
    block_area = None
    if blocks is not None and len(blocks):
        col = kwargs.get("block_population_col", "population")
        block_area = assign_blocks(areas, blocks, population_col=col)["area_id"].to_numpy()
    pkw = {"kinds": list(kinds), "kind_col": kind_col, **kwargs}

    sx = sup.geometry.x.to_numpy() if len(sup) else np.zeros(0)
    sy = sup.geometry.y.to_numpy() if len(sup) else np.zeros(0)
    pts_area = None if points is None else points["area_id"].astype(str).to_numpy()
    jobs: list[tuple[str, Any]] = []
    for key in sorted(keys.unique()):
        mask = (keys == key).to_numpy()
        part = areas[mask]
        xmin, ymin, xmax, ymax = part.total_bounds
        if geographic:  # degrees: a generous box (1 degree of latitude is ~111 km)
            lat = max(abs(ymin), abs(ymax))
            dy = margin / 110_000.0
            dx = margin / (111_320.0 * max(np.cos(np.radians(min(lat + dy, 89.0))), 0.01))
        else:
            dx = dy = margin
        near = (sx >= xmin - dx) & (sx <= xmax + dx) & (sy >= ymin - dy) & (sy <= ymax + dy)
        part_stores = sup[near]
        part_points = None
        ids = part["area_id"].astype(str).to_numpy()
        if points is not None and pts_area is not None:
            part_points = points[np.isin(pts_area, ids)]
        one = dict(pkw)
        if blocks is not None and block_area is not None:
            one["population_blocks"] = blocks[np.isin(block_area, ids)]
        one["state_median_income"] = state_median_income
        one["stand_in_income"] = stand_in
        to_crs = part.estimate_utm_crs() if geographic else None
        if client is not None:
            fut = client.submit(
                _measure_part,
                atlas_classify,
                part,
                part_stores,
                part_points,
                to_crs,
                one,
                pure=False,
            )
            jobs.append((key, fut))
        else:
            jobs.append(
                (key, _measure_part(atlas_classify, part, part_stores, part_points, to_crs, one))
            )
    frames = [job.result() if client is not None else job for _, job in jobs]
    if not frames:
        return atlas_classify(areas, stores, points=points, **pkw)
    out = pd.concat(frames)
    out = out.loc[areas.index]
    first = frames[0].attrs
    counts: dict[str, int] = {}
    state_refs: dict[str, float] = {}
    metro_refs: dict[str, float] = {}
    for f in frames:
        for k, c in f.attrs.get("low_income_sources", {}).items():
            counts[k] = counts.get(k, 0) + c
        state_refs.update(f.attrs.get("state_median_income", {}))
        metro_refs.update(f.attrs.get("metro_median_income", {}))
    edition = str(first.get("low_income_edition", kwargs.get("edition", "2019")))
    out.attrs.update(
        {
            "population_method": first.get("population_method"),
            "urban_source": sorted({f.attrs.get("urban_source") for f in frames}),
            "supermarkets": len(sup),
            "store_kinds": list(kinds),
            "partitions": len(frames),
            "partitioned_by": by,
            "low_income_edition": edition,
            "low_income_sources": counts,
            "low_income_source": _describe_sources(
                counts, len(out), edition, income_references(edition)
            ),
            "state_median_income": state_refs,
            "metro_median_income": metro_refs,
        }
    )
    return out


def access_by_partition(
    areas: gpd.GeoDataFrame,
    stores: gpd.GeoDataFrame,
    *,
    by: str = "state",
    points: gpd.GeoDataFrame | None = None,
    client: Any = None,
    **kwargs: Any,
) -> pd.DataFrame:
    """:func:`equity.access_table` (nearest distance of each kind, counts within radii), one
    partition of the areas at a time, same answers.

    Every part is measured against all the stores: a nation's stores are few (tens of thousands
    of points) next to its population points, so only the points are partitioned and the
    nearest store is found wherever it is, across any border. ``points`` are population points
    (:func:`equity.population_points`), split by ``area_id``. Geographic input is projected to
    each part's UTM zone; with ``client`` the stores are scattered to the workers once and
    the parts run as tasks. ``**kwargs`` go to :func:`~equity.access_table`.
    """
    geographic, stores, points = _in_areas_crs(areas, stores, points)
    if kwargs.get("kinds") is None and "kind" in stores.columns:
        # every part measures the same kinds, even those absent near it
        kwargs["kinds"] = sorted(stores[kwargs.get("kind_col", "kind")].astype(str).unique())
    keys = partition_keys(areas, by)
    pts_area = None if points is None else points["area_id"].astype(str).to_numpy()
    shared = client.scatter(stores, broadcast=True) if client is not None else stores
    jobs = []
    for key in sorted(keys.unique()):
        part = areas[(keys == key).to_numpy()]
        part_points = None
        if points is not None and pts_area is not None:
            part_points = points[np.isin(pts_area, part["area_id"].astype(str).to_numpy())]
        to_crs = part.estimate_utm_crs() if geographic else None
        if client is not None:
            jobs.append(
                client.submit(
                    _measure_part,
                    access_table,
                    part,
                    shared,
                    part_points,
                    to_crs,
                    kwargs,
                    pure=False,
                )
            )
        else:
            jobs.append(_measure_part(access_table, part, stores, part_points, to_crs, kwargs))
    frames = [j.result() if client is not None else j for j in jobs]
    out = pd.concat(frames)
    out = out.loc[areas.index]
    out.attrs["partitions"] = len(frames)
    out.attrs["partitioned_by"] = by
    return out

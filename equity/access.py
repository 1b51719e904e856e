"""Distances to food and counts of food sources, from where people live.

Straight-line distances in the metric CRS, with a KD-tree (:class:`scipy.spatial.cKDTree`) rather
than pairwise loops. Where people live within an area is given by *population points*
(:func:`population_points`): sub-area points (block groups, blocks), a dasymetric spread of the
area's population over a 0.5 km grid clipped to its polygon (the USDA Atlas method), or the single
population point of the area. Every function takes frames and returns new ones.

A cost table (``origin``, ``destination``, ``cost``) can stand in for straight-line distance, for
network travel times computed elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from ._errors import Problem, ValidationError

__all__ = [
    "M_PER_MILE",
    "POPULATION_METHODS",
    "access_table",
    "area_points",
    "count_within",
    "nearest_distance",
    "assign_blocks",
    "population_beyond",
    "population_points",
]

#: Metres in one statute mile.
M_PER_MILE = 1609.344

#: Ways to place an area's population (see :func:`population_points`).
POPULATION_METHODS = ("auto", "points", "grid_points", "grid", "centroid")


# ---------------------------------------------------------------------------- checks
def _require_metric(gdf: gpd.GeoDataFrame, table: str) -> None:
    if gdf.crs is None:
        msg = f"`{table}` has no CRS; set one with .set_crs(...) and project to a metric CRS"
        raise ValidationError([Problem(table, msg)])
    if not gdf.crs.is_projected:
        msg = (
            f"`{table}` is in a geographic CRS ({gdf.crs.name}); distances need a metric one. "
            "Use Region (which projects for you) or .to_crs(gdf.estimate_utm_crs())"
        )
        raise ValidationError([Problem(table, msg)])


def _require_columns(df: pd.DataFrame, table: str, cols: Iterable[str], hint: str = "") -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        found = sorted(map(str, df.columns))
        msg = f"`{table}` is missing column(s) {missing}; found {found}. {hint}".strip()
        raise ValidationError([Problem(table, msg, column=missing[0])])


def _xy(geoms: gpd.GeoSeries) -> np.ndarray:
    pts = geoms.geometry.values
    if len(pts) and not np.all(shapely.get_type_id(pts) == 0):
        pts = shapely.point_on_surface(pts)
    return (
        np.column_stack([shapely.get_x(pts), shapely.get_y(pts)]) if len(pts) else np.empty((0, 2))
    )


# ---------------------------------------------------------------------------- population
def area_points(areas: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """One population point per area: ``pop_lon``/``pop_lat`` projected, else a point inside.

    The representative point (``point_on_surface``) always lies inside the polygon, unlike the
    centroid of a crescent-shaped tract.
    """
    _require_metric(areas, "areas")
    pts = gpd.GeoSeries(shapely.point_on_surface(areas.geometry.values), crs=areas.crs)
    pts.index = areas.index
    if {"pop_lon", "pop_lat"} <= set(areas.columns):
        lon = pd.to_numeric(areas["pop_lon"], errors="coerce")
        lat = pd.to_numeric(areas["pop_lat"], errors="coerce")
        have = lon.notna() & lat.notna()
        if have.any():
            given = gpd.GeoSeries(
                gpd.points_from_xy(lon[have], lat[have]), index=areas.index[have], crs=4326
            ).to_crs(areas.crs)
            pts = pts.copy()
            pts[have] = given
    return pts


def _grid_cells(
    geoms: np.ndarray, cell_m: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The ``cell_m`` grid cells (aligned to multiples of ``cell_m``) that touch each geometry.

    Returns the geometry's position, the cell's column and row (``x // cell_m``,
    ``y // cell_m``) and the cell polygon, one entry per (geometry, cell) pair. Cells are made
    per geometry from its own bounds (never over the whole extent, which for a country is mostly
    empty), so the work grows with the land the geometries cover.
    """
    ok = ~(shapely.is_empty(geoms) | shapely.is_missing(geoms))
    b = shapely.bounds(geoms)
    ix0 = np.floor(b[:, 0] / cell_m)
    iy0 = np.floor(b[:, 1] / cell_m)
    nx = np.where(ok, np.maximum(np.ceil(b[:, 2] / cell_m) - ix0, 1), 0).astype(np.int64)
    ny = np.where(ok, np.maximum(np.ceil(b[:, 3] / cell_m) - iy0, 1), 0).astype(np.int64)
    counts = nx * ny
    ai = np.repeat(np.arange(len(geoms)), counts)
    k = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    ix = (ix0[ai] + k % nx[ai]).astype(np.int64)
    iy = (iy0[ai] + k // nx[ai]).astype(np.int64)
    cells = shapely.box(ix * cell_m, iy * cell_m, (ix + 1) * cell_m, (iy + 1) * cell_m)
    shapely.prepare(geoms[ok])
    hit = shapely.intersects(geoms[ai], cells)
    return ai[hit], ix[hit], iy[hit], cells[hit]


def _grid_pieces(areas: gpd.GeoDataFrame, cell_m: float) -> gpd.GeoDataFrame:
    """The areas cut by a square grid of ``cell_m`` (aligned to multiples of ``cell_m``).

    One row per piece: the area's position (``_area_pos``), the piece's land area (``_w``), the
    cell's column and row (``_ix``, ``_iy``) and the piece's centroid as geometry.
    """
    geoms = areas.geometry.values
    ai, ix, iy, cells = _grid_cells(geoms, cell_m)
    gx, gy = ix * cell_m, iy * cell_m
    inside = shapely.contains_properly(geoms[ai], cells)
    pieces = cells.copy()
    # Clipping by a rectangle is much faster than a general intersection (docs/equity.md, Speed;
    # only the piece's area and centroid are used, so its validity does not matter).
    for i in np.flatnonzero(~inside):
        pieces[i] = shapely.clip_by_rect(geoms[ai[i]], gx[i], gy[i], gx[i] + cell_m, gy[i] + cell_m)
    area = shapely.area(pieces)
    keep = area > 0
    return gpd.GeoDataFrame(
        {"_area_pos": ai[keep], "_w": area[keep], "_ix": ix[keep], "_iy": iy[keep]},
        geometry=shapely.centroid(pieces[keep]),
        crs=areas.crs,
    )


# ---------------------------------------------------------------------------- blocks
def _rows_problem(
    mask: np.ndarray, index: pd.Index, what: str, fix: str, column: str | None = None
) -> Problem:
    """A ``population_blocks`` problem "<what> at rows <the first five>; <fix>", located at the
    first row where ``mask`` holds (rows 1-based, each with its index label)."""
    pos = np.flatnonzero(mask)
    labels = index[pos[:5]].tolist()
    shown = ", ".join(f"{p + 1} (index {lab!r})" for p, lab in zip(pos, labels, strict=False))
    shown += f" and {len(pos) - 5} more" if len(pos) > 5 else ""
    msg = f"{what} at rows {shown}; {fix}"
    return Problem("population_blocks", msg, row=int(pos[0]) + 1, column=column)


def assign_blocks(
    areas: gpd.GeoDataFrame,
    blocks: gpd.GeoDataFrame,
    *,
    population_col: str = "population",
) -> pd.DataFrame:
    """Check population blocks and find the area each lies in.

    A block belongs to the area that holds its representative point (``point_on_surface``,
    always inside the block); blocks nest in tracts, so a block's edges only graze the
    neighbouring tracts.

    Parameters
    ----------
    areas
        Areas with ``area_id`` and polygons, in any CRS.
    blocks
        Polygons (say 2010 Census blocks) with a column of people, in any CRS.
    population_col
        The column of ``blocks`` that counts people.

    Returns
    -------
    DataFrame
        Indexed like ``blocks``: ``area_id`` and ``population`` (float).

    Raises
    ------
    ValidationError
        Every problem at once: no CRS, no population column, values that are not finite
        numbers or are negative, geometry that is not a polygon, blocks outside every area.
    """
    table = "population_blocks"
    if blocks.crs is None or areas.crs is None:
        which = "`population_blocks`" if blocks.crs is None else "`areas`"
        msg = (
            f"{which} has no CRS, so the blocks cannot be laid on the areas; set the one the "
            "coordinates are in with .set_crs(...) (TIGER/Line files are EPSG:4269)"
        )
        raise ValidationError([Problem(table, msg)])
    if population_col not in blocks.columns:
        found = sorted(map(str, blocks.columns))
        msg = (
            f"`population_blocks` is missing column '{population_col}'; found {found}. "
            "Rename the column of people (POP10 in TIGER/Line 2010 block files) or pass "
            "`block_population_col=`."
        )
        raise ValidationError([Problem(table, msg, column=population_col)])
    problems: list[Problem] = []
    raw = blocks[population_col]
    pop = pd.to_numeric(raw, errors="coerce").astype(float).to_numpy()
    col = f"`population_blocks` column '{population_col}' has"
    bad = ~np.isfinite(pop)
    if bad.any():
        first = raw.to_numpy()[np.flatnonzero(bad)[0]]
        what = f"{col} {int(bad.sum())} value(s) that are not finite numbers (first: {first!r})"
        fix = "give every block its count of people (0 for a block where nobody lives)"
        problems.append(_rows_problem(bad, blocks.index, what, fix, population_col))
    neg = np.isfinite(pop) & (pop < 0)
    if neg.any():
        what = f"{col} {int(neg.sum())} negative value(s) (first: {pop[neg][0]:g})"
        fix = "a count of people is 0 or more (fix a missing-value code such as -1 at the source)"
        problems.append(_rows_problem(neg, blocks.index, what, fix, population_col))
    geoms = blocks.geometry.to_crs(areas.crs).to_numpy()
    poly = np.isin(shapely.get_type_id(geoms), (3, 6)) & ~shapely.is_empty(geoms)
    if (~poly).any():
        what = f"`population_blocks` has {int((~poly).sum())} geometry(ies) missing, empty or not a polygon,"
        problems.append(_rows_problem(~poly, blocks.index, what, "give each block its polygon"))
    ids = np.full(len(blocks), None, dtype=object)
    if poly.any():
        reps = shapely.point_on_surface(geoms[poly])
        tree = shapely.STRtree(areas.geometry.to_numpy())
        which_pt, which_area = tree.query(reps, predicate="intersects")
        first_hit = pd.Series(which_area).groupby(which_pt).first()
        area_ids = areas["area_id"].astype(str).to_numpy()
        hits = np.full(int(poly.sum()), None, dtype=object)
        hits[first_hit.index.to_numpy()] = area_ids[first_hit.to_numpy()]
        ids[poly] = hits
        outside = poly & pd.isna(ids)
        if outside.any():
            what = f"{int(outside.sum())} of {len(blocks)} block(s) lie outside every area,"
            fix = (
                "a block's people are placed only in its own tract, so keep the blocks of these "
                "areas only (for 2010 Census blocks: "
                "blocks[blocks['GEOID10'].str[:11].isin(areas['area_id'])]) or add their tracts"
            )
            problems.append(_rows_problem(outside, blocks.index, what, fix))
    if problems:
        raise ValidationError(problems, title="`population_blocks` cannot place people")
    return pd.DataFrame({"area_id": ids, "population": pop}, index=blocks.index)


def _block_weights(
    pieces: gpd.GeoDataFrame,
    blocks: gpd.GeoDataFrame,
    block_pos: np.ndarray,
    cell_m: float,
) -> gpd.GeoDataFrame:
    """Weight each grid piece of an area by the people of the area's blocks that overlap its
    cell, each block's people shared in proportion to its area in the cell.

    ``block_pos`` is each block's area position (as ``pieces["_area_pos"]``); ``blocks`` has
    ``population`` and polygons in the pieces' CRS. Weights are rescaled to sum to 1 per area;
    an area whose blocks place nobody on its pieces keeps the even grid spread (``_even``).
    """
    geoms = blocks.geometry.to_numpy()
    pop = blocks["population"].to_numpy(float)
    bi, ix, iy, cells = _grid_cells(geoms, cell_m)
    overlap = shapely.area(shapely.intersection(geoms[bi], cells))
    whole = shapely.area(geoms)[bi]
    people = np.divide(pop[bi] * overlap, whole, out=np.zeros(len(bi)), where=whole > 0)
    per_cell = (
        pd.DataFrame({"_area_pos": block_pos[bi], "_ix": ix, "_iy": iy, "_people": people})
        .groupby(["_area_pos", "_ix", "_iy"], as_index=False)["_people"]
        .sum()
    )
    out = pieces.merge(per_cell, on=["_area_pos", "_ix", "_iy"], how="left")
    out["_people"] = out["_people"].fillna(0.0)
    tot = out.groupby("_area_pos")["_people"].transform("sum")
    land = out.groupby("_area_pos")["_w"].transform("sum")
    out["_even"] = tot.to_numpy() <= 0
    out["_w"] = np.where(out["_even"], out["_w"] / land, out["_people"] / tot.where(tot > 0, 1))
    return gpd.GeoDataFrame(out.drop(columns="_people"), geometry="geometry", crs=pieces.crs)


def population_points(
    areas: gpd.GeoDataFrame,
    points: gpd.GeoDataFrame | None = None,
    *,
    method: str = "auto",
    cell_m: float = 500.0,
    population_col: str = "population",
    carry: Sequence[str] = ("households", "households_no_vehicle", "low_income_population"),
    population_blocks: gpd.GeoDataFrame | None = None,
    block_population_col: str = "population",
) -> gpd.GeoDataFrame:
    """Where each area's people live, as weighted points that sum to the area's totals.

    Parameters
    ----------
    areas
        Areas in a metric CRS with ``area_id``, geometry and ``population``.
    points
        Optional sub-area population points (``area_id``, ``population``, geometry), such as
        block-group or block centres; :attr:`equity.Region.population_points`.
    method
        ``"points"``: the sub-area points, rescaled to each area's total (areas without any
        fall back to ``"grid"``). ``"grid"``: the USDA Atlas method, the area's population
        spread evenly over the pieces of a ``cell_m`` grid clipped to its polygon, each placed at
        its centroid. ``"grid_points"``: the same grid, each piece weighted by the population of
        the nearest sub-area point of its area (a Voronoi dasymetric spread; areas without points
        fall back to ``"grid"``). ``"centroid"``: one point per area (:func:`area_points`).
        ``"auto"``: ``"grid_points"`` when sub-area points are given, else ``"grid"``.
    cell_m
        Grid cell size in metres (the Atlas uses 500).
    carry
        Area columns shared out in proportion to population, when present.
    population_blocks
        Optional polygons with a count of people (say 2010 Census blocks with ``POP10``), in
        any CRS. The areas that hold blocks (each block belongs to the area holding its
        representative point; see :func:`assign_blocks`) are placed as the Atlas places them,
        whatever ``method`` says: the pieces of the ``cell_m`` grid clipped to the area, each
        weighted by the people of the area's blocks that overlap its cell, every block's people
        shared in proportion to the block's area in each cell (a block of water with 0 people
        places nobody). Weights are rescaled to the area's ``population_col`` (so block counts
        of another vintage only move people within the tract); an area whose blocks place
        nobody on it keeps the even grid spread. Give *all* the blocks of an area: a part of a
        tract without blocks gets nobody. Areas without blocks are placed by ``method``.
    block_population_col
        The column of ``population_blocks`` that counts people.

    Returns
    -------
    GeoDataFrame
        ``area_id``, ``population`` and the carried columns, one row per point, with a
        ``method`` column naming how each area's people were placed (``"grid_blocks"`` for
        the areas placed by their blocks, ``"grid"`` for those whose blocks place nobody);
        ``attrs["method"]`` names the method asked for.

    Examples
    --------
    A 1 km square tract of 100 people on a 500 m grid, its western half a block with
    everyone, its eastern half an empty block (a river): the two western cells get 50 each.

    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> tract = gpd.GeoDataFrame(
    ...     {"area_id": ["t"], "population": [100]}, geometry=[box(0, 0, 1000, 1000)], crs=32617
    ... )
    >>> blocks = gpd.GeoDataFrame(
    ...     {"population": [80, 0]},
    ...     geometry=[box(0, 0, 500, 1000), box(500, 0, 1000, 1000)],
    ...     crs=32617,
    ... )
    >>> pts = population_points(tract, population_blocks=blocks)
    >>> pts.geometry.x.tolist(), pts.geometry.y.tolist()
    ([250.0, 750.0, 250.0, 750.0], [250.0, 250.0, 750.0, 750.0])
    >>> pts["population"].tolist(), sorted(set(pts["method"]))
    ([50.0, 0.0, 50.0, 0.0], ['grid_blocks'])
    """
    if method not in POPULATION_METHODS:
        msg = f"method={method!r} is not one of {list(POPULATION_METHODS)}"
        raise ValueError(msg)
    _require_metric(areas, "areas")
    _require_columns(areas, "areas", ["area_id", population_col], "Pass `population_col=`.")
    has_points = points is not None and len(points) > 0
    if points is not None and has_points:
        _require_metric(points, "population_points")
        _require_columns(points, "population_points", ["area_id", "population"])
    if method == "auto":
        method = "grid_points" if has_points else "grid"
    carry = [c for c in carry if c in areas.columns]
    base = pd.DataFrame(
        {"area_id": areas["area_id"].astype(str).to_numpy()}
        | {c: pd.to_numeric(areas[c], errors="coerce").fillna(0).to_numpy() for c in carry}
    )
    base["population"] = pd.to_numeric(areas[population_col], errors="coerce").fillna(0).to_numpy()

    frames: list[pd.DataFrame] = []
    remaining = np.ones(len(areas), dtype=bool)
    pos = pd.Series(np.arange(len(areas)), index=base["area_id"])

    if population_blocks is not None and len(population_blocks) > 0:
        owner = assign_blocks(areas, population_blocks, population_col=block_population_col)
        block_pos = pos.loc[owner["area_id"].to_numpy()].to_numpy()
        blocked = np.unique(block_pos)
        bg = gpd.GeoDataFrame(
            {"population": owner["population"].to_numpy()},
            geometry=population_blocks.geometry.to_crs(areas.crs).to_numpy(),
            crs=areas.crs,
        )
        pieces = _grid_pieces(areas.iloc[blocked], cell_m)
        pieces["_area_pos"] = blocked[pieces["_area_pos"].to_numpy()]
        pieces = _block_weights(pieces, bg, block_pos, cell_m)
        even = pieces["_even"].to_numpy()
        frames.append(_spread(pieces[~even], base, "grid_blocks"))
        if even.any():
            frames.append(_spread(pieces[even], base, "grid"))
        remaining[blocked] = False

    if method in ("points", "grid_points") and points is not None and has_points:
        pp = points.copy()
        pp["area_id"] = pp["area_id"].astype(str)
        pp = pp[pp["area_id"].isin(pos.index[remaining])]
        pp["_area_pos"] = pos.loc[pp["area_id"]].to_numpy()
        pp["_w"] = pd.to_numeric(pp["population"], errors="coerce").fillna(0).to_numpy()
        tot = pp.groupby("_area_pos")["_w"].transform("sum")
        # A point set with no population at all gives equal weights.
        cnt = pp.groupby("_area_pos")["_w"].transform("size")
        pp["_w"] = np.where(tot > 0, pp["_w"] / tot.where(tot > 0, 1), 1.0 / cnt)
        covered = np.zeros(len(areas), dtype=bool)
        covered[pp["_area_pos"].to_numpy()] = True
        if method == "points":
            frames.append(_spread(pp[["_area_pos", "_w", "geometry"]], base, "points"))
        else:
            sub = areas.iloc[np.flatnonzero(covered)]
            pieces = _grid_pieces(sub, cell_m)
            pieces["_area_pos"] = np.flatnonzero(covered)[pieces["_area_pos"].to_numpy()]
            pieces = _weight_by_nearest_point(pieces, pp)
            frames.append(_spread(pieces, base, "grid_points"))
        remaining &= ~covered
        method_rest = "grid"
    else:
        method_rest = "centroid" if method == "centroid" else "grid"

    if remaining.any():
        idx = np.flatnonzero(remaining)
        sub = areas.iloc[idx]
        if method_rest == "grid":
            pieces = _grid_pieces(sub, cell_m)
            pieces["_area_pos"] = idx[pieces["_area_pos"].to_numpy()]
            pieces["_w"] = pieces["_w"] / pieces.groupby("_area_pos")["_w"].transform("sum")
            frames.append(_spread(pieces, base, "grid"))
            missing = np.setdiff1d(idx, pieces["_area_pos"].unique())
        else:
            missing = idx
        if len(missing):  # empty geometry or the centroid method: one point per area
            pts = area_points(areas.iloc[missing])
            one = gpd.GeoDataFrame(
                {"_area_pos": missing, "_w": 1.0}, geometry=pts.to_numpy(), crs=areas.crs
            )
            frames.append(_spread(one, base, "centroid"))

    out = pd.concat(frames, ignore_index=True)
    out = gpd.GeoDataFrame(out, geometry="geometry", crs=areas.crs)
    out.attrs["method"] = method
    return out


def _weight_by_nearest_point(pieces: gpd.GeoDataFrame, pp: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Weight each grid piece by the share of the nearest sub-area point of the same area."""
    pxy = _xy(pp.geometry)
    cxy = _xy(pieces.geometry)
    w = np.zeros(len(pieces))
    pa = pp["_area_pos"].to_numpy()
    ca = pieces["_area_pos"].to_numpy()
    pw = pp["_w"].to_numpy()
    order_p = np.argsort(pa, kind="stable")
    order_c = np.argsort(ca, kind="stable")
    pb = np.searchsorted(pa[order_p], np.unique(ca), side="left")
    pe = np.searchsorted(pa[order_p], np.unique(ca), side="right")
    cb = np.searchsorted(ca[order_c], np.unique(ca), side="left")
    ce = np.searchsorted(ca[order_c], np.unique(ca), side="right")
    geo_w = pieces["_w"].to_numpy()
    for b0, e0, b1, e1 in zip(pb, pe, cb, ce, strict=True):
        ip, ic = order_p[b0:e0], order_c[b1:e1]
        if len(ip) == 1:
            w[ic] = geo_w[ic] / geo_w[ic].sum()
            continue
        _, near = cKDTree(pxy[ip]).query(cxy[ic])
        # Each point's share goes to its Voronoi pieces in proportion to their land area.
        land = np.bincount(near, weights=geo_w[ic], minlength=len(ip))
        share = pw[ip] / np.where(land > 0, land, 1)
        w[ic] = geo_w[ic] * share[near]
        # Points whose Voronoi cell holds no piece lose their people: rescale to 1.
        s = w[ic].sum()
        w[ic] = w[ic] / s if s > 0 else geo_w[ic] / geo_w[ic].sum()
    out = pieces.copy()
    out["_w"] = w
    return out


def _spread(pts: pd.DataFrame, base: pd.DataFrame, label: str) -> pd.DataFrame:
    pos = pts["_area_pos"].to_numpy()
    w = pts["_w"].to_numpy()
    out = pd.DataFrame({"area_id": base["area_id"].to_numpy()[pos]})
    for c in base.columns:
        if c != "area_id":
            out[c] = base[c].to_numpy()[pos] * w
    out["method"] = label
    out["geometry"] = pts.geometry.to_numpy() if hasattr(pts, "geometry") else pts["geometry"]
    return out


# ---------------------------------------------------------------------------- distances
def _sources_of(
    stores: gpd.GeoDataFrame, kinds: str | Sequence[str] | None, kind_col: str
) -> gpd.GeoDataFrame:
    if kinds is None:
        return stores
    kinds = [kinds] if isinstance(kinds, str) else list(kinds)
    _require_columns(stores, "stores", [kind_col], "Pass `kind_col=`.")
    return stores[stores[kind_col].astype(str).isin(kinds)]


def nearest_distance(
    origins: gpd.GeoSeries | gpd.GeoDataFrame,
    sources: gpd.GeoSeries | gpd.GeoDataFrame,
) -> tuple[np.ndarray, np.ndarray]:
    """Distance (m) from each origin to the nearest source, and that source's position.

    Both must share one metric CRS. With no sources every distance is ``inf`` and every position
    is ``-1`` (documented, not NaN: nobody has a store of that kind nearby).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> o = gpd.GeoSeries([Point(0, 0), Point(10, 0)], crs=3857)
    >>> s = gpd.GeoSeries([Point(3, 4)], crs=3857)
    >>> nearest_distance(o, s)[0].round(3).tolist()
    [5.0, 8.062]
    """
    og = origins if isinstance(origins, gpd.GeoDataFrame) else gpd.GeoDataFrame(geometry=origins)
    sg = sources if isinstance(sources, gpd.GeoDataFrame) else gpd.GeoDataFrame(geometry=sources)
    _require_metric(og, "origins")
    _require_metric(sg, "stores")
    if og.crs != sg.crs:
        msg = f"origins are in {og.crs.name} but sources in {sg.crs.name}; project one to the other"
        raise ValidationError([Problem("stores", msg)])
    oxy = _xy(og.geometry)
    if len(sg) == 0:
        return np.full(len(oxy), np.inf), np.full(len(oxy), -1)
    dist, idx = cKDTree(_xy(sg.geometry)).query(oxy, k=1)
    return np.asarray(dist, dtype=float), np.asarray(idx, dtype=int)


def count_within(
    origins: gpd.GeoSeries | gpd.GeoDataFrame,
    sources: gpd.GeoSeries | gpd.GeoDataFrame,
    radius_m: float,
) -> np.ndarray:
    """How many sources lie within ``radius_m`` metres of each origin (inclusive)."""
    og = origins if isinstance(origins, gpd.GeoDataFrame) else gpd.GeoDataFrame(geometry=origins)
    sg = sources if isinstance(sources, gpd.GeoDataFrame) else gpd.GeoDataFrame(geometry=sources)
    _require_metric(og, "origins")
    if len(sg) == 0:
        return np.zeros(len(og), dtype=int)
    tree = cKDTree(_xy(sg.geometry))
    return np.asarray(tree.query_ball_point(_xy(og.geometry), r=radius_m, return_length=True))


def population_beyond(
    points: gpd.GeoDataFrame,
    sources: gpd.GeoDataFrame | gpd.GeoSeries,
    distances_mi: Sequence[float],
    *,
    area_ids: Sequence[str] | None = None,
) -> pd.DataFrame:
    """People per area living more than each distance from the nearest source.

    ``points`` are people placed by :func:`population_points` (``area_id``, ``population``).
    Returns one row per area (``area_ids`` order when given, else sorted) and one column
    ``pop_beyond_<d>mi`` per distance (``half`` for 0.5). With no source at all, everyone is
    beyond.
    """
    _require_columns(points, "population_points", ["area_id", "population"])
    dist, _ = nearest_distance(points, sources)
    ids = (
        pd.Index(map(str, area_ids))
        if area_ids is not None
        else pd.Index(sorted(points["area_id"].astype(str).unique()))
    )
    pop = points["population"].to_numpy(float)
    key = points["area_id"].astype(str).to_numpy()
    out = pd.DataFrame(index=ids)
    for miles in distances_mi:
        far = pd.Series(np.where(dist > miles * M_PER_MILE, pop, 0.0)).groupby(key).sum()
        out[f"pop_beyond_{_fmt(miles)}mi"] = far.reindex(ids).fillna(0).to_numpy()
    out.index.name = "area_id"
    return out


def _nearest_from_cost(
    origin_ids: np.ndarray, dest_ids: Iterable[str], cost: pd.DataFrame
) -> np.ndarray:
    _require_columns(cost, "cost", ["origin", "destination", "cost"])
    c = cost[cost["destination"].astype(str).isin(set(map(str, dest_ids)))]
    best = c.groupby(c["origin"].astype(str))["cost"].min()
    return best.reindex(origin_ids.astype(str)).fillna(np.inf).to_numpy(dtype=float)


def access_table(
    areas: gpd.GeoDataFrame,
    stores: gpd.GeoDataFrame,
    *,
    kinds: Sequence[str] | None = None,
    kind_col: str = "kind",
    points: gpd.GeoDataFrame | None = None,
    radii_mi: Sequence[float] = (1.0, 10.0),
    cost: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Distance to the nearest source of each kind, and counts within radii, per area.

    Parameters
    ----------
    areas
        Areas in a metric CRS (``area_id``, geometry; ``pop_lon``/``pop_lat`` used if present).
    stores
        Sources with a ``kind`` column, in the same CRS.
    kinds
        Kinds to measure; every kind present by default.
    points
        Population points from :func:`population_points`. When given, distances are measured
        from each point and averaged over the area's people (``dist_<kind>_m`` is the
        population-weighted mean distance); otherwise from the area's population point.
    radii_mi
        Radii in miles for ``n_<kind>_<r>mi`` counts (from the area's population point).
    cost
        Optional table of ``origin`` (``area_id``), ``destination`` (``store_id``) and ``cost``
        (any unit, e.g. minutes) that replaces straight-line distance: ``cost_<kind>`` holds the
        least cost to a source of each kind (``inf`` where the table has no pair).

    Returns
    -------
    DataFrame
        Indexed like ``areas``, with ``area_id``, ``dist_<kind>_m`` and ``dist_<kind>_mi``
        (``inf`` where there is no source of that kind at all) and the counts.
    """
    _require_metric(areas, "areas")
    _require_metric(stores, "stores")
    _require_columns(stores, "stores", [kind_col], "Pass `kind_col=`.")
    if kinds is None:
        kinds = sorted(stores[kind_col].dropna().astype(str).unique())
    out = pd.DataFrame({"area_id": areas["area_id"].astype(str).to_numpy()}, index=areas.index)
    centre = area_points(areas)
    for kind in kinds:
        src = _sources_of(stores, kind, kind_col)
        if cost is not None:
            _require_columns(stores, "stores", ["store_id"])
            out[f"cost_{kind}"] = _nearest_from_cost(
                out["area_id"].to_numpy(), src["store_id"].astype(str), cost
            )
            continue
        if points is not None and len(points):
            d, _ = nearest_distance(points, src)
            pop = points["population"].to_numpy(dtype=float)
            # inf x 0 (no store of the kind; a point of no people) would warn: skip empty points
            dp = np.multiply(d, pop, out=np.zeros(len(pop)), where=pop > 0)
            frame = pd.DataFrame({"a": points["area_id"].to_numpy(), "dp": dp, "p": pop})
            g = frame.groupby("a")[["dp", "p"]].sum()
            mean = (g["dp"] / g["p"].where(g["p"] > 0)).reindex(out["area_id"])
            d_area, _ = nearest_distance(centre, src)
            dist = np.where(mean.notna(), mean.to_numpy(), d_area)
        else:
            dist, _ = nearest_distance(centre, src)
        out[f"dist_{kind}_m"] = dist
        out[f"dist_{kind}_mi"] = dist / M_PER_MILE
        for r in radii_mi:
            out[f"n_{kind}_{_fmt(r)}mi"] = count_within(centre, src, r * M_PER_MILE)
    return out


def _fmt(r: float) -> str:
    return {0.5: "half"}.get(float(r), f"{r:g}")

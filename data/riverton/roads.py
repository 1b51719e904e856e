"""Riverton's roads: a grid over the county, the river crossed only at three bridges."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from .geography import (
    CRS,
    X0,
    Y0,
    county_outline,
    river_line,
)

#: The demo's roads: a grid every ROAD_SPACING_M, and the river crossed only at these
#: bridges (km north of the centre): "2 km away" across the river can be a long drive.
ROAD_SPACING_M = 1_000.0
BRIDGES_KM = (-12.0, 0.0, 11.0)


def build_roads() -> gpd.GeoDataFrame:
    """A road grid over the county with the river crossed by three bridges (no randomness:
    the other tables do not change)."""
    county = county_outline()
    river = river_line()
    minx, miny, maxx, maxy = county.bounds
    s = ROAD_SPACING_M
    xs = X0 + s * np.arange(np.floor((minx - X0) / s), np.ceil((maxx - X0) / s) + 1)
    ys = Y0 + s * np.arange(np.floor((miny - Y0) / s), np.ceil((maxy - Y0) / s) + 1)
    gx, gy = np.meshgrid(xs, ys)
    a = np.c_[gx[:, :-1].ravel(), gy[:, :-1].ravel()]  # east-west segments
    b = np.c_[gx[:, 1:].ravel(), gy[:, 1:].ravel()]
    c = np.c_[gx[:-1, :].ravel(), gy[:-1, :].ravel()]  # north-south segments
    d = np.c_[gx[1:, :].ravel(), gy[1:, :].ravel()]
    start, end = np.r_[a, c], np.r_[b, d]
    segs = shapely.linestrings(np.stack([start, end], axis=1))
    inside = shapely.within(segs, county)
    crosses = shapely.intersects(segs, river)
    bridge = np.isclose(start[:, 1], end[:, 1]) & np.isin(
        np.round((start[:, 1] - Y0) / 1000.0, 6), BRIDGES_KM
    )
    keep = inside & (~crosses | bridge)
    # join consecutive segments of a row or column into one line (its vertices stay at every
    # crossing, so the lines still meet there); bridges stay lines of their own
    lines, kinds = [], []
    for is_bridge in (False, True):
        sel = keep & (crosses == is_bridge)
        st, en = start[sel], end[sel]
        ew = np.isclose(st[:, 1], en[:, 1])
        for axis_ew in (True, False):
            m = ew == axis_ew
            s0, s1 = st[m], en[m]
            along, across = (0, 1) if axis_ew else (1, 0)
            order = np.lexsort((s0[:, along], s0[:, across]))
            s0, s1 = s0[order], s1[order]
            brk = np.r_[True, ~np.isclose(s0[1:], s1[:-1]).all(axis=1)]
            for run in np.split(np.arange(len(s0)), np.flatnonzero(brk)[1:]):
                if not len(run):
                    continue
                lines.append(shapely.linestrings(np.r_[s0[run], s1[run][-1:]]))
                kinds.append("bridge" if is_bridge else "road")
    return gpd.GeoDataFrame({"kind": kinds}, geometry=lines, crs=CRS)

"""The geometry of the maps: area outlines as GeoJSON for tile maps, the metric frame of the
offline x/y maps and their polygons as plotly traces."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import plotly.graph_objects as go


def to_wgs84(gdf: Any) -> Any:
    """``gdf`` in longitude/latitude (EPSG:4326), as it is when it has no CRS or is already."""
    crs = getattr(gdf, "crs", None)
    if crs is not None and crs.to_epsg() != 4326:
        return gdf.to_crs(4326)
    return gdf


def area_geojson(
    areas: Any, *, id_col: str = "area_id", simplify_m: float = 0.0, precision: int = 5
) -> dict[str, Any]:
    """A light GeoJSON FeatureCollection of area outlines keyed by ``id_col``, for maps.

    ``simplify_m`` simplifies outlines (in metres, done in the frame's metric CRS when it has
    one) and coordinates are rounded to ``precision`` decimals (5 is about 1 m), which keeps a
    county of tracts to a few hundred kB.
    """
    import shapely

    geom = areas.geometry
    if simplify_m > 0 and areas.crs is not None and areas.crs.is_projected:
        geom = geom.simplify(simplify_m, preserve_topology=True)
    geom = geom.to_crs(4326) if areas.crs is not None else geom
    geom = shapely.set_precision(geom.values, 10.0**-precision)
    features = [
        {"type": "Feature", "id": str(i), "properties": {}, "geometry": shapely.geometry.mapping(g)}
        for i, g in zip(areas[id_col].astype(str), geom, strict=True)
    ]
    return json.loads(json.dumps({"type": "FeatureCollection", "features": features}))


def metric_frame(frame: Any, crs: Any = None) -> Any:
    """``frame`` in ``crs``, or (without it) in its own metric CRS or its UTM zone: the frame
    of the x/y maps."""
    if crs is None:
        crs = frame.crs if frame.crs is not None and frame.crs.is_projected else None
        if crs is None:
            crs = to_wgs84(frame).estimate_utm_crs()
    return frame if frame.crs is not None and frame.crs == crs else frame.to_crs(crs)


def _rings_xy(geoms: Any) -> tuple[np.ndarray, np.ndarray]:
    """Exterior rings of (multi)polygons as one x and one y array, NaN between rings."""
    import shapely

    parts = shapely.get_parts(np.asarray(geoms.values, dtype=object))
    parts = parts[~shapely.is_empty(parts)]
    if len(parts) == 0:
        return np.array([]), np.array([])
    coords, idx = shapely.get_coordinates(shapely.get_exterior_ring(parts), return_index=True)
    xy = np.insert(coords, np.flatnonzero(np.diff(idx)) + 1, np.nan, axis=0)
    xy = np.vstack([xy, [np.nan, np.nan]])
    return np.round(xy[:, 0]), np.round(xy[:, 1])  # whole metres


def xy_coords(a: Any) -> list[float | None]:
    """x/y map coordinates for plotly: whole metres, a gap (None) between lines and rings."""
    return [None if v != v else round(float(v)) for v in np.asarray(a, dtype=float)]


def simplified_outlines(areas: Any) -> Any:
    """The outlines of ``areas`` simplified to 1/2000 of the region's span: an x/y map's fills."""
    minx, miny, maxx, maxy = areas.total_bounds
    span = max(maxx - minx, maxy - miny)
    return (
        areas.geometry.simplify(span / 2000) if np.isfinite(span) and span > 0 else areas.geometry
    )


def xy_fill(geoms: Any, colour: str, name: str, *, line: str = "white", **kw: Any) -> go.Scatter:
    """Polygons ``geoms`` filled with ``colour`` as one x/y trace (no hover: a map's hover
    comes from its area points)."""
    x, y = _rings_xy(geoms)
    return go.Scatter(
        x=xy_coords(x),
        y=xy_coords(y),
        mode="lines",
        fill="toself",
        fillcolor=colour,
        line={"color": line, "width": 0.6},
        name=name,
        hoverinfo="skip",
        **kw,
    )

"""A static SVG picture of a plotly MapLibre map, shown while the browser loads plotly.js.

A first visit pays for plotly.js (several MB) before any map can be drawn: seconds of script
evaluation in a fresh Chromium on a small machine (docs/dashboard.md, Speed). The equity map page
therefore comes with a picture of its map, drawn here from the very figure the page will show (same
outlines, classes, colours, centre and zoom, in Web Mercator pixels as MapLibre draws them), and
the interactive map replaces it as soon as it has drawn (``assets/foodshed.js``). Pure: figure in,
SVG text out.
"""

from __future__ import annotations

import base64
import html
import math
from typing import Any, cast

import numpy as np

__all__ = ["map_key_svg", "map_preview_svg", "map_preview_uri"]

TILE = 512.0  # MapLibre's tile size in CSS pixels at zoom 0


def _mercator(lon: np.ndarray, lat: np.ndarray, zoom: float) -> tuple[np.ndarray, np.ndarray]:
    scale = TILE * 2.0**zoom
    lat = np.clip(lat, -85.05, 85.05)
    x = (np.asarray(lon, dtype=float) + 180.0) / 360.0 * scale
    s = np.sin(np.radians(lat))
    y = (0.5 - np.log((1 + s) / (1 - s)) / (4 * math.pi)) * scale
    return x, y


def _colour_of(z: float, zmin: float, zmax: float, scale: list) -> str:
    """The colour a discrete plotly colorscale gives ``z`` (the scales :mod:`figures` makes)."""
    t = 0.0 if zmax <= zmin else (z - zmin) / (zmax - zmin)
    t = min(max(t, 0.0), 1.0)
    # a discrete scale repeats each colour at both ends of its band
    for i in range(0, len(scale) - 1, 2):
        if scale[i][0] - 1e-9 <= t <= scale[i + 1][0] + 1e-9:
            return str(scale[i][1])
    return str(scale[-1][1])


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"])
    if geometry["type"] == "MultiPolygon":
        return [ring for poly in geometry["coordinates"] for ring in poly]
    return []


def _path(rings: list, zoom: float, ox: float, oy: float) -> str:
    parts = []
    for ring in rings:
        arr = np.asarray(ring, dtype=float)
        if arr.ndim != 2 or len(arr) < 3:
            continue
        x, y = _mercator(arr[:, 0], arr[:, 1], zoom)
        pts = " ".join(f"{a - ox:.1f} {b - oy:.1f}" for a, b in zip(x, y, strict=True))
        parts.append(f"M{pts}Z")
    return "".join(parts)


def map_preview_svg(fig: Any) -> str:
    """SVG text of the map part of a ``choropleth_map``/``flows_map`` figure.

    The picture is the map's viewport (its height less the title, centred on the map's centre at
    its zoom) with the area outlines in their class colours and the shown point layers (opacity
    above 0) as dots (lines for line traces). The class key is drawn by :func:`map_key_svg`;
    hover, zoom and the layer legend come with the interactive map.
    """
    lay = fig.layout
    zoom = float(lay.map.zoom or 1.0)
    centre = lay.map.center
    height = float(lay.height or 560) - float(lay.margin.t or 0) - float(lay.margin.b or 0)
    cx, cy = _mercator(np.array([centre.lon]), np.array([centre.lat]), zoom)
    # the width that holds every outline (MapLibre shows the same pixels, centred)
    xs: list[float] = []
    shapes: list[str] = []
    dots: list[str] = []
    features: dict[str, dict] = {}
    for tr in fig.data:
        if tr.type != "choroplethmap" or tr.geojson is None:
            continue
        gj = tr.geojson
        if not features:
            features = {str(f.get("id")): f["geometry"] for f in gj.get("features", [])}
        locs = list(tr.locations if tr.locations is not None else [])
        zs = list(tr.z if tr.z is not None else [])
        if not locs:
            continue
        scale = [list(s) for s in tr.colorscale]
        zmin = float(tr.zmin) if tr.zmin is not None else float(np.nanmin(zs))
        zmax = float(tr.zmax) if tr.zmax is not None else float(np.nanmax(zs))
        opacity = float(tr.marker.opacity if tr.marker.opacity is not None else 1.0)
        line = tr.marker.line
        stroke = line.color or "white"
        width = float(line.width if line.width is not None else 0.5)
        groups: dict[str, list[str]] = {}
        for loc, z in zip(locs, zs, strict=False):
            geom = features.get(str(loc))
            if geom is None or z is None or not np.isfinite(float(z)):
                continue
            rings = _rings(geom)
            for ring in rings:
                xs.extend(float(p[0]) for p in ring[:: max(len(ring) // 8, 1)])
            d = _path(rings, zoom, float(cx[0]), float(cy[0]))
            groups.setdefault(_colour_of(float(z), zmin, zmax, scale), []).append(d)
        for colour, ds in groups.items():
            shapes.append(
                f'<path d="{"".join(ds)}" fill="{html.escape(colour)}" fill-opacity="{opacity}" '
                f'stroke="{html.escape(stroke)}" stroke-width="{width}" fill-rule="evenodd"/>'
            )
    for tr in fig.data:
        if tr.type != "scattermap" or tr.lon is None:
            continue
        if tr.marker.opacity is not None and not np.isscalar(tr.marker.opacity):
            continue
        op = 1.0 if tr.marker.opacity is None else float(cast(Any, tr.marker.opacity))
        if op <= 0 or tr.visible in (False, "legendonly"):
            continue
        mode = tr.mode or "markers"
        x, y = _mercator(np.asarray(tr.lon, float), np.asarray(tr.lat, float), zoom)
        x, y = x - cx[0], y - cy[0]
        colour = tr.marker.color if isinstance(tr.marker.color, str) else "#333333"
        if "lines" in mode:
            w = float(tr.line.width or 1.5)
            c = tr.line.color if isinstance(tr.line.color, str) else colour
            segs, cur = [], []
            for a, b in zip(x, y, strict=True):
                if np.isfinite(a) and np.isfinite(b):
                    cur.append(f"{a:.1f} {b:.1f}")
                else:
                    if len(cur) > 1:
                        segs.append("M" + " L".join(cur))
                    cur = []
            if len(cur) > 1:
                segs.append("M" + " L".join(cur))
            if segs:
                dots.append(
                    f'<path d="{"".join(segs)}" fill="none" stroke="{html.escape(c)}" '
                    f'stroke-width="{w}" stroke-opacity="0.8"/>'
                )
            continue
        size = tr.marker.size
        r = (float(cast(Any, size)) if np.isscalar(size) and size else 8.0) / 2
        circles = "".join(
            f'<circle cx="{a:.1f}" cy="{b:.1f}" r="{r:g}"/>'
            for a, b in zip(x, y, strict=True)
            if np.isfinite(a) and np.isfinite(b)
        )
        dots.append(f'<g fill="{html.escape(colour)}" fill-opacity="{op:g}">{circles}</g>')
    if xs:
        px, _ = _mercator(np.array(xs), np.zeros(len(xs)), zoom)
        half = float(max(abs(px.max() - cx[0]), abs(px.min() - cx[0]))) + 8.0
    else:
        half = 400.0
    width_px = 2.0 * half
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{-half:.1f} {-height / 2:.1f} '
        f'{width_px:.1f} {height:.1f}" width="{width_px:.0f}" height="{height:.0f}" '
        f'preserveAspectRatio="xMidYMid meet">' + "".join(shapes) + "".join(dots) + "</svg>"
    )


def map_key_svg(fig: Any, *, width: int = 170) -> str | None:
    """SVG text of the class key (the colour bar of the map's classed trace), or None."""
    for tr in fig.data:
        cb = getattr(tr, "colorbar", None)
        if tr.type != "choroplethmap" or cb is None or not cb.ticktext:
            continue
        labels = [str(t) for t in cb.ticktext]
        n = len(labels)
        scale = [list(s) for s in tr.colorscale]
        title = str(cb.title.text or "") if cb.title else ""
        lines = title.split("<br>")
        y = 18.0
        out = []
        for line in lines:
            out.append(
                f'<text x="8" y="{y:.0f}" font-size="14" fill="#2a3f5f">{html.escape(line)}</text>'
            )
            y += 18.0
        box = 36.0
        for i in range(n - 1, -1, -1):  # the highest class at the top, as the colour bar
            colour = _colour_of(float(i), -0.5, n - 0.5, scale)
            out.append(
                f'<rect x="8" y="{y:.0f}" width="14" height="{box:.0f}" '
                f'fill="{html.escape(colour)}"/>'
                f'<text x="28" y="{y + box / 2 + 4:.0f}" font-size="12" fill="#2a3f5f">'
                f"{html.escape(labels[i])}</text>"
            )
            y += box
        font = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{y + 8:.0f}" '
            f'font-family="{html.escape(font)}">' + "".join(out) + "</svg>"
        )
    return None


def _uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def map_preview_uri(fig: Any) -> dict[str, str | None]:
    """The map's picture and its class key (:func:`map_key_svg`) as ``data:`` URIs."""
    key = map_key_svg(fig)
    return {"map": _uri(map_preview_svg(fig)), "key": _uri(key) if key else None}

"""Point layers of the maps: stores and sites, one toggleable trace per kind in the kind's
look (colour, marker shape, size), closed sites drawn apart."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from .map_geometry import metric_frame, to_wgs84
from .map_layout import Render, check_render
from .measures import format_value, measure_info
from .palette import CLOSED, CLOSED_LINE, OKABE_ITO, POINT_LOOKS


def point_look(kind: str, i: int = 0) -> tuple[str, str, str, float]:
    """``(legend label, colour, marker shape, size)`` of a kind of store or site
    (:data:`palette.POINT_LOOKS`; a kind it does not know gets an Okabe-Ito colour)."""
    return POINT_LOOKS.get(
        kind, (kind.replace("_", " "), OKABE_ITO[i % len(OKABE_ITO)], "circle", 8)
    )


def point_layers(
    points: Any,
    *,
    kinds: Sequence[str] | None = None,
    id_col: str,
    kind_col: str = "kind",
    name_col: str = "name",
    extra_hover: Sequence[str] = (),
    closed: Sequence[str] | None = None,
    render: Render = "tiles",
    crs: Any = None,
    bounds: Sequence[float] | None = None,
) -> list[Any]:
    """One trace per kind of point (toggleable in the legend), each in its kind's look.

    A layer whose ``kinds`` are all absent gets a legend entry "<kinds>: none in this region"
    (an empty trace) rather than nothing. ``closed`` site ids (switched off in a plan) are drawn apart,
    light grey with a dark outline (on x/y maps), "closed" in the legend and the hover; with ``closed`` given (a plan's map)
    every kind has its closed trace, empty and off the legend when none is closed, so every
    plan of a region has the same traces and a re-run can replace them. ``render="xy"`` draws in ``crs``
    (the map's metric CRS) the marker shapes of the kinds and leaves out points beyond
    ``bounds`` (minx, miny, maxx, maxy, which would shrink the map to a dot); tile maps
    (MapLibre, without a sprite server) draw circles.
    """
    check_render(render)
    has = points is not None and len(points) > 0
    frame: Any = None
    if has:
        frame = to_wgs84(points) if render == "tiles" else metric_frame(points, crs)
    present = list(dict.fromkeys(frame[kind_col].astype(str))) if has else []
    wanted = list(kinds) if kinds is not None else present
    closed_ids = {str(c) for c in closed or ()}
    traces: list[Any] = []
    if kinds is not None and wanted and not set(wanted) & set(present):
        # a layer asked for with nothing to show says so (one legend entry for its kinds)
        names = " and ".join(point_look(k, i)[0] for i, k in enumerate(wanted))
        look = point_look(wanted[0])
        return [_empty_layer(f"{names}: none in this region", wanted[0], look, render)]
    for i, kind in enumerate(wanted):
        label, colour, symbol, size = point_look(kind, i)
        if kind not in present:
            continue
        sub = frame[frame[kind_col].astype(str) == kind]
        if bounds is not None:
            minx, miny, maxx, maxy = bounds
            pad = 0.03 * max(maxx - minx, maxy - miny)
            xs, ys = sub.geometry.x, sub.geometry.y
            keep = (xs >= minx - pad) & (xs <= maxx + pad) & (ys >= miny - pad) & (ys <= maxy + pad)
            sub = sub[keep]
        off = sub[id_col].astype(str).isin(closed_ids).to_numpy()
        text = _point_text(sub, id_col, name_col, extra_hover)
        for part, is_closed in ((~off, False), (off, True)):
            if not part.any() and closed is None:
                continue
            what = f"{label} closed" if is_closed else label
            traces.append(
                _marker_trace(
                    sub[part],
                    text[part],
                    name=f"{what} ({int(part.sum())})",
                    hover=f"{kind.replace('_', ' ')}{', closed in this plan' if is_closed else ''}",
                    colour=CLOSED if is_closed else colour,
                    symbol=symbol,
                    outline=CLOSED_LINE if is_closed else "white",
                    size=size,
                    group=kind,
                    render=render,
                )
            )
    return traces


def _point_text(sub: Any, id_col: str, name_col: str, extra_hover: Sequence[str]) -> np.ndarray:
    names = (
        sub[name_col].fillna(sub[id_col]).astype(str)
        if name_col in sub.columns
        else sub[id_col].astype(str)
    )
    text = np.array([html.escape(v) for v in names], dtype=object)
    for col in extra_hover:
        if col in sub.columns:
            info = measure_info(col)
            text = text + np.array([f"<br>{info.label}: {format_value(v, info)}" for v in sub[col]])
    return text


def _marker_trace(
    sub: Any,
    text: np.ndarray,
    *,
    name: str,
    hover: str,
    colour: str,
    symbol: str,
    outline: str = "white",
    size: float,
    group: str,
    render: Render,
) -> Any:
    template = f"<b>%{{text}}</b><br>{hover}<extra></extra>"
    shown = len(sub) > 0
    if render == "tiles":
        return go.Scattermap(
            lon=sub.geometry.x,
            lat=sub.geometry.y,
            mode="markers",
            marker={"size": size, "color": colour, "opacity": 0.95},
            name=name,
            text=text,
            hovertemplate=template,
            legendgroup=group,
            showlegend=shown,
        )
    return go.Scatter(
        x=sub.geometry.x.round().to_numpy(),
        y=sub.geometry.y.round().to_numpy(),
        mode="markers",
        marker={
            "size": size,
            "color": colour,
            "symbol": symbol,
            "line": {"color": outline, "width": 1.5 if outline != "white" else 1},
        },
        name=name,
        text=text,
        hovertemplate=template,
        legendgroup=group,
        showlegend=shown,
    )


def _empty_layer(name: str, group: str, look: tuple[str, str, str, float], render: Render) -> Any:
    """A legend entry for a layer with nothing to show: one point with no place (plotly hides a
    trace without points from the legend), drawn open in the layer's colour."""
    _, colour, symbol, _ = look
    marker = {"size": 8, "color": colour, "opacity": 0.5}
    common = {"mode": "markers", "name": name, "legendgroup": group, "hoverinfo": "skip"}
    if render == "tiles":
        return go.Scattermap(lon=[None], lat=[None], marker=marker, **common)
    marker["symbol"] = f"{symbol}-open"
    return go.Scatter(x=[None], y=[None], marker=marker, **common)


def stores_layers(
    stores: Any, *, kinds: Sequence[str] | None = None, render: Render = "tiles", **kw: Any
) -> list[Any]:
    """Stores as map layers, one per kind (supermarket, grocery, convenience, ...)."""
    return point_layers(stores, kinds=kinds, id_col="store_id", render=render, **kw)


def sites_layers(
    sites: Any, *, kinds: Sequence[str] | None = None, render: Render = "tiles", **kw: Any
) -> list[Any]:
    """Gardens, farms, hubs and pantries as map layers, one per kind."""
    return point_layers(
        sites, kinds=kinds, id_col="site_id", extra_hover=("throughput_kg",), render=render, **kw
    )

"""Plotly figure builders for the HTML reports: pure functions of data, no I/O.

The report must open offline, so maps are drawn on plain cartesian axes in the region's metric CRS
(no tile server, no topojson download): areas as filled polygons grouped by class (one trace per
class, so the legend reads as a map key), points as markers, flows as lines grouped by size.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely

from optimize.catalogue import FULFILMENT

from ._lines import line_path
from .palette import GAIN, LOSS, OKABE_ITO, SAME, class_colours

__all__ = [
    "PointLayer",
    "area_class_map",
    "baseline_change_figure",
    "desert_counts_figure",
    "flows_map",
    "fulfilment_classes",
    "fulfilment_distribution_figure",
]

FONT = "Source Sans Pro, Segoe UI, Helvetica, Arial, sans-serif"


def fulfilment_classes() -> dict[str, str]:
    """The share-of-need-met classes (label -> colour), worst first: the catalogue's classes
    (:data:`optimize.catalogue.FULFILMENT`) in the shared palette, as the app draws them."""
    return dict(zip(FULFILMENT.bin_labels, class_colours(FULFILMENT), strict=True))


@dataclass(frozen=True)
class PointLayer:
    """Points drawn on a map: a legend name, the points and their look."""

    name: str
    points: gpd.GeoDataFrame
    color: str
    symbol: str = "circle"
    size: float = 8
    label_col: str | None = None


def _layout(fig: go.Figure, *, title: str | None, height: int) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"} if title else None,
        font={"family": FONT, "size": 13, "color": "#222"},
        height=height,
        margin={"l": 10, "r": 10, "t": 60 if title else 34, "b": 10},
        paper_bgcolor="white",
        plot_bgcolor="white",
        legend={"bgcolor": "rgba(255,255,255,0.85)", "bordercolor": "#ccc", "borderwidth": 1},
    )
    return fig


def _map_axes(fig: go.Figure) -> go.Figure:
    fig.update_xaxes(visible=False, showgrid=False, zeroline=False)
    fig.update_yaxes(visible=False, showgrid=False, zeroline=False, scaleanchor="x", scaleratio=1)
    return fig


def _rings_xy(geoms: gpd.GeoSeries) -> tuple[np.ndarray, np.ndarray]:
    """Exterior rings of (multi)polygons as one x and one y array with NaN between rings."""
    parts = shapely.get_parts(np.asarray(geoms.values, dtype=object))
    parts = parts[~shapely.is_empty(parts)]
    if len(parts) == 0:
        return np.array([]), np.array([])
    rings = shapely.get_exterior_ring(parts)
    coords, idx = shapely.get_coordinates(rings, return_index=True)
    # Insert a NaN row after each ring so plotly breaks the fill between polygons.
    breaks = np.flatnonzero(np.diff(idx)) + 1
    xy = np.insert(coords, breaks, np.nan, axis=0)
    xy = np.vstack([xy, [np.nan, np.nan]])
    return xy[:, 0], xy[:, 1]


def _simplify(geoms: gpd.GeoSeries) -> gpd.GeoSeries:
    minx, miny, maxx, maxy = geoms.total_bounds
    span = max(maxx - minx, maxy - miny)
    return geoms.simplify(span / 2000) if np.isfinite(span) and span > 0 else geoms


def _nan_to_none(a: np.ndarray) -> list[float | None]:
    """Coordinates for plotly, rounded to whole metres (maps are in a metric CRS)."""
    return [None if np.isnan(v) else round(float(v)) for v in a]


def area_class_map(
    areas: gpd.GeoDataFrame,
    classes: pd.Series,
    *,
    colors: dict[str, str],
    hover: pd.Series | None = None,
    title: str | None = None,
    points: Sequence[PointLayer] = (),
    lines: Sequence[go.Scatter] = (),
    height: int = 620,
) -> go.Figure:
    """Areas filled by class (``classes`` aligned with ``areas``; order of ``colors`` is legend order).

    ``hover`` is a text per area shown at its representative point.
    """
    fig = go.Figure()
    geoms = _simplify(areas.geometry)
    labels = classes.reindex(areas.index).astype(object)
    for label, color in colors.items():
        mask = (labels == label).to_numpy()
        if not mask.any():
            continue
        x, y = _rings_xy(geoms[mask])
        fig.add_trace(
            go.Scatter(
                x=_nan_to_none(x),
                y=_nan_to_none(y),
                mode="lines",
                fill="toself",
                fillcolor=color,
                line={"color": "rgba(80,80,80,0.55)", "width": 0.6},
                name=str(label),
                hoverinfo="skip",
                legendgroup="areas",
                legendgrouptitle_text="Areas",
            )
        )
    # Outline of everything, so unclassed areas still show.
    x, y = _rings_xy(geoms)
    fig.add_trace(
        go.Scatter(
            x=_nan_to_none(x),
            y=_nan_to_none(y),
            mode="lines",
            line={"color": "rgba(80,80,80,0.35)", "width": 0.5},
            showlegend=False,
            hoverinfo="skip",
        )
    )
    for trace in lines:
        fig.add_trace(trace)
    if hover is not None:
        rep = areas.geometry.representative_point()
        fig.add_trace(
            go.Scatter(
                x=rep.x.round(),
                y=rep.y.round(),
                mode="markers",
                marker={"size": 10, "opacity": 0},
                text=hover.reindex(areas.index).fillna("").astype(str),
                hovertemplate="%{text}<extra></extra>",
                showlegend=False,
                name="areas",
            )
        )
    minx, miny, maxx, maxy = areas.total_bounds
    pad = 0.03 * max(maxx - minx, maxy - miny)
    for layer in points:
        pts = layer.points
        if len(pts):  # places far outside the region would shrink the map to a dot
            xy = pts.geometry
            pts = pts[
                (xy.x >= minx - pad)
                & (xy.x <= maxx + pad)
                & (xy.y >= miny - pad)
                & (xy.y <= maxy + pad)
            ]
        if len(pts) == 0:
            continue
        text = (
            pd.Series(
                [html.escape(str(v)) if pd.notna(v) else "" for v in pts[layer.label_col]],
                dtype=object,
            )
            if layer.label_col and layer.label_col in pts
            else pd.Series([html.escape(layer.name)] * len(pts))
        )
        fig.add_trace(
            go.Scatter(
                x=pts.geometry.x.round(),
                y=pts.geometry.y.round(),
                mode="markers",
                marker={
                    "color": layer.color,
                    "symbol": layer.symbol,
                    "size": layer.size,
                    "line": {"color": "white", "width": 1},
                },
                name=layer.name,
                text=text,
                hovertemplate="%{text}<extra>" + layer.name + "</extra>",
                legendgroup="points",
                legendgrouptitle_text="Places",
            )
        )
    _layout(fig, title=title, height=height)
    return _map_axes(fig)


def flow_lines(
    segments: pd.DataFrame, *, weight_col: str = "kg", color: str = "rgba(30,30,30,0.5)"
) -> list[go.Scatter]:
    """Flow lines ``x0, y0, x1, y1, <weight_col>`` grouped into three widths by weight."""
    if segments.empty:
        return []
    w = segments[weight_col].astype(float).to_numpy()
    edges = np.unique(np.quantile(w, [0, 1 / 3, 2 / 3, 1]))
    bins = np.clip(np.searchsorted(edges, w, side="right") - 1, 0, max(len(edges) - 2, 0))
    widths = (1.0, 2.5, 5.0)
    out = []
    for b in range(max(len(edges) - 1, 1)):
        seg = segments[bins == b]
        if seg.empty:
            continue
        x = line_path(seg["x0"], seg["x1"])
        y = line_path(seg["y0"], seg["y1"])
        lo = edges[b]
        hi = edges[min(b + 1, len(edges) - 1)]
        out.append(
            go.Scatter(
                x=_nan_to_none(x),
                y=_nan_to_none(y),
                mode="lines",
                line={"color": color, "width": widths[min(b, 2)]},
                name=f"{lo:,.0f}-{hi:,.0f} kg",
                hoverinfo="skip",
                legendgroup="flows",
                legendgrouptitle_text="Deliveries per period",
            )
        )
    return out


def flows_map(
    areas: gpd.GeoDataFrame,
    fulfilment: pd.Series,
    segments: pd.DataFrame,
    *,
    hover: pd.Series | None = None,
    points: Sequence[PointLayer] = (),
    title: str | None = None,
) -> go.Figure:
    """Areas by fulfilment band, with the planned deliveries as lines from site to area."""
    classes = fulfilment_bands(fulfilment)
    colors = fulfilment_classes()
    return area_class_map(
        areas,
        classes,
        colors=colors,
        hover=hover,
        title=title,
        points=points,
        lines=flow_lines(segments),
    )


def fulfilment_bands(ratio: pd.Series) -> pd.Series:
    """Label each fulfilment ratio (0-1) with its class of :func:`fulfilment_classes`."""
    labels = np.array([*FULFILMENT.bin_labels, np.nan], dtype=object)
    return pd.Series(labels[FULFILMENT.class_of(ratio.to_numpy(dtype=float))], index=ratio.index)


def fulfilment_distribution_figure(
    ratio: pd.Series, population: pd.Series, *, title: str | None = None
) -> go.Figure:
    """People by fulfilment band: how many residents live where need is met to each degree."""
    bands = fulfilment_bands(ratio)
    pop = population.reindex(ratio.index).fillna(0)
    classes = fulfilment_classes()
    labels = list(classes)
    totals = [float(pop[bands == lab].sum()) for lab in labels]
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=totals,
            marker_color=list(classes.values()),
            marker_line={"color": "#555", "width": 0.8},
            text=[f"{t:,.0f}" for t in totals],
            textposition="outside",
            hovertemplate="%{x}: %{y:,.0f} residents<extra></extra>",
        )
    )
    fig.update_yaxes(title_text="residents", gridcolor="#eee", rangemode="tozero")
    fig.update_xaxes(title_text="share of the area's need that the plan meets")
    return _layout(fig, title=title, height=380)


def desert_counts_figure(table: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Residents of flagged areas per measure (``measure``, ``group``, ``population``), by group."""
    fig = go.Figure()
    for i, (group, sub) in enumerate(table.groupby("group", sort=False)):
        fig.add_trace(
            go.Bar(
                x=sub["measure"],
                y=sub["population"],
                name=str(group),
                marker_color=OKABE_ITO[i % len(OKABE_ITO)],
                hovertemplate="%{x}: %{y:,.0f} residents<extra>" + str(group) + "</extra>",
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title_text="residents of flagged areas", gridcolor="#eee")
    return _layout(fig, title=title, height=380)


def baseline_change_figure(change: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Residents whose fulfilment rose, held or fell versus the baseline, per group.

    ``change`` has ``group``, ``direction`` (gains / no change / loses) and ``population``.
    """
    colors = {"gains": GAIN, "no change": SAME, "loses": LOSS}
    fig = go.Figure()
    for direction, color in colors.items():
        sub = change[change["direction"] == direction]
        fig.add_trace(
            go.Bar(
                y=sub["group"],
                x=sub["population"],
                orientation="h",
                name=direction,
                marker_color=color,
                hovertemplate="%{y}: %{x:,.0f} residents<extra>" + direction + "</extra>",
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text="residents", gridcolor="#eee")
    return _layout(fig, title=title, height=260)

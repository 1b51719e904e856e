"""Delivery maps: each (site, area) pair's deliveries as a line from the site to the area's
population centre, in width classes of kg (:func:`segment_lines`), over the areas
(:func:`flows_map`)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ._lines import line_path
from .map_areas import AreaClasses, choropleth_map
from .map_geometry import (
    area_geojson,
    metric_frame,
    simplified_outlines,
    to_wgs84,
    xy_coords,
    xy_fill,
)
from .map_layout import Render, check_render, legend_rows, map_layout
from .map_points import sites_layers
from .palette import ACCENT, AREA_FILL, OUTLINE


def _pop_points(areas: Any, id_col: str = "area_id") -> pd.DataFrame:
    wgs = to_wgs84(areas)
    if {"pop_lon", "pop_lat"} <= set(wgs.columns) and wgs[
        ["pop_lon", "pop_lat"]
    ].notna().all().all():
        lon, lat = wgs["pop_lon"].to_numpy(float), wgs["pop_lat"].to_numpy(float)
    else:
        pts = wgs.geometry.representative_point()
        lon, lat = pts.x.to_numpy(), pts.y.to_numpy()
    return pd.DataFrame({id_col: wgs[id_col].astype(str).to_numpy(), "lon": lon, "lat": lat})


def flow_segments(
    areas: Any, sites: Any, flows: pd.DataFrame | None, *, render: Render = "tiles", crs: Any = None
) -> pd.DataFrame:
    """One line per (site, area) with deliveries: ``site_id, area_id, x0, y0, x1, y1, kg``
    (rows of a pair added up over commodities), from the site to the area's population centre,
    in longitude/latitude (``render="tiles"``) or in metres of ``crs`` (``"xy"``)."""
    cols = ["site_id", "area_id", "x0", "y0", "x1", "y1", "kg"]
    empty = pd.DataFrame(columns=cols).astype({c: float for c in cols[2:]})
    if flows is None or len(flows) == 0:
        return empty
    pair = (
        flows.assign(site_id=flows["site_id"].astype(str), area_id=flows["area_id"].astype(str))
        .groupby(["site_id", "area_id"], as_index=False)["quantity_kg"]
        .sum()
        .rename(columns={"quantity_kg": "kg"})
    )
    pair = pair[pair["kg"] > 1e-9]
    pts = _pop_points(areas).set_index("area_id")
    swgs = to_wgs84(sites)
    spts = pd.DataFrame(
        {"lon": swgs.geometry.x.to_numpy(), "lat": swgs.geometry.y.to_numpy()},
        index=swgs["site_id"].astype(str).to_numpy(),
    )
    if render == "xy":
        import geopandas as gpd

        crs = crs if crs is not None else metric_frame(areas).crs

        def to_xy(frame: pd.DataFrame) -> pd.DataFrame:
            g = gpd.GeoSeries(gpd.points_from_xy(frame["lon"], frame["lat"]), crs=4326).to_crs(crs)
            return pd.DataFrame({"lon": g.x.to_numpy(), "lat": g.y.to_numpy()}, index=frame.index)

        pts, spts = to_xy(pts), to_xy(spts)
    pair = pair[pair["area_id"].isin(pts.index) & pair["site_id"].isin(spts.index)]
    if pair.empty:
        return empty
    site = spts.reindex(pair["site_id"])
    area = pts.reindex(pair["area_id"])
    digits = 6 if render == "tiles" else 0
    return pd.DataFrame(
        {
            "site_id": pair["site_id"].to_numpy(),
            "area_id": pair["area_id"].to_numpy(),
            "x0": site["lon"].round(digits).to_numpy(),
            "y0": site["lat"].round(digits).to_numpy(),
            "x1": area["lon"].round(digits).to_numpy(),
            "y1": area["lat"].round(digits).to_numpy(),
            "kg": pair["kg"].to_numpy(dtype=float),
        }
    )


def line_width(c: int, n_widths: int, max_width: float = 9.0) -> float:
    """The drawn width of line class ``c`` of ``n_widths`` (the legend shows the same)."""
    return 1.0 + (max_width - 1.0) * (c + 1) / n_widths


def segment_lines(
    segments: pd.DataFrame,
    *,
    n_widths: int = 5,
    max_width: float = 9.0,
    render: Render = "tiles",
    colour: str = ACCENT,
    group_title: str = "Deliveries per period",
) -> list[Any]:
    """Lines ``x0, y0 -> x1, y1`` grouped into ``n_widths`` equal classes of ``kg``, thicker
    for more: always ``n_widths`` traces (empty classes are empty traces off the legend), so
    every deliveries map of a region has the same traces and a redraw can replace the lines
    alone (``dashboard.pages.plan``). ``site_id``/``area_id`` columns name the hover."""
    check_render(render)
    lines: list[tuple[Any, Any, Any, str, bool]] = [([], [], [], "", False)] * n_widths
    seg = segments[segments["kg"] > 0] if len(segments) else segments
    if len(seg):
        qmax = float(seg["kg"].max())
        edges = np.linspace(0, qmax, n_widths + 1)
        cls = np.clip(np.searchsorted(edges, seg["kg"], side="left") - 1, 0, n_widths - 1)
        for c in range(n_widths):
            sub = seg[cls == c]
            if sub.empty:
                continue
            x = line_path(sub["x0"], sub["x1"])
            y = line_path(sub["y0"], sub["y1"])
            if {"site_id", "area_id"} <= set(sub.columns):
                labels = [
                    f"{html.escape(str(s))} to {html.escape(str(a))}: {q:,.0f} kg"
                    for s, a, q in sub[["site_id", "area_id", "kg"]].itertuples(index=False)
                ]
            else:
                labels = [f"{q:,.0f} kg" for q in sub["kg"]]
            text = np.empty(len(x), dtype=object)
            text[0::3] = labels
            text[1::3] = labels
            lines[c] = (x, y, text, f"{edges[c]:,.0f} to {edges[c + 1]:,.0f} kg", True)
    traces = []
    for c, (x, y, text, name, shown) in enumerate(lines):
        common = {
            "mode": "lines",
            "line": {"width": line_width(c, n_widths, max_width), "color": colour},
            "opacity": 0.55,
            "text": text,
            "hovertemplate": "%{text}<extra></extra>",
            "name": name or f"deliveries {c + 1}",
            "legendgroup": "flows",
            "showlegend": shown,
        }
        if render == "tiles":
            traces.append(go.Scattermap(lon=x, lat=y, **common))
        else:
            traces.append(
                go.Scatter(
                    x=xy_coords(x), y=xy_coords(y), legendgrouptitle_text=group_title, **common
                )
            )
    return traces


def flow_lines(
    areas: Any,
    sites: Any,
    flows: pd.DataFrame | None,
    *,
    n_widths: int = 5,
    max_width: float = 9.0,
    render: Render = "tiles",
    max_lines: int | None = None,
) -> list[Any]:
    """The delivery lines of :func:`flows_map`: always ``n_widths`` traces, one per width class
    (:func:`segment_lines`); ``max_lines`` keeps the heaviest routes only."""
    seg = flow_segments(areas, sites, flows, render=render)
    if max_lines is not None:
        seg = seg.nlargest(max_lines, "kg")
    return segment_lines(seg, n_widths=n_widths, max_width=max_width, render=render)


def flows_map(
    areas: Any,
    sites: Any,
    flows: pd.DataFrame | None,
    *,
    classes: AreaClasses | None = None,
    hover_text: Sequence[str] | pd.Series | None = None,
    closed: Sequence[str] | None = (),
    geojson: dict[str, Any] | None = None,
    basemap: str = "white-bg",
    n_widths: int = 5,
    max_width: float = 9.0,
    max_lines: int | None = None,
    height: int = 520,
    width: int | None = None,
    title: str | None = None,
    render: Render = "tiles",
) -> go.Figure:
    """Deliveries as lines from each site to each area, thicker for more kg.

    ``flows`` has ``site_id``, ``area_id`` and ``quantity_kg`` (rows of the same pair are added
    up over commodities). Lines are grouped into ``n_widths`` width classes (plotly draws one
    width per trace; the legend, under the map, shows the drawn widths); areas are drawn as
    light outlines, or filled by ``classes`` (such as the share of need met), and sites as
    markers, ``closed`` ones (switched off in the plan) light grey. The traces of
    ``render="tiles"`` are: the areas, the ``n_widths`` line traces of :func:`flow_lines`,
    then the sites; ``render="xy"`` draws the same on x/y axes, offline.
    """
    check_render(render)
    lines = flow_lines(
        areas,
        sites,
        flows,
        n_widths=n_widths,
        max_width=max_width,
        render=render,
        max_lines=max_lines,
    )
    metric = metric_frame(areas) if render == "xy" else None
    pts = sites_layers(
        sites,
        closed=closed,
        render=render,
        crs=metric.crs if metric is not None else None,
        bounds=metric.total_bounds if metric is not None else None,
    )
    if classes is not None:
        fig = choropleth_map(
            areas,
            "fulfilment",
            classes=classes,
            hover_text=hover_text,
            geojson=geojson,
            render=render,
            lines=lines,
            points=pts,
            layout=False,
        )
    elif render == "tiles":
        gj = geojson if geojson is not None else area_geojson(areas)
        ids = areas["area_id"].astype(str).to_numpy()
        fig = go.Figure(
            go.Choroplethmap(
                geojson=gj,
                locations=ids,
                z=np.zeros(len(ids)),
                colorscale=[[0, AREA_FILL], [1, AREA_FILL]],
                showscale=False,
                marker={"opacity": 0.7, "line": {"width": 0.6, "color": OUTLINE}},
                hovertemplate="<b>%{location}</b><extra></extra>",
                name="areas",
                showlegend=False,
            )
        )
        fig.add_traces([*lines, *pts])
    else:
        fig = go.Figure(
            xy_fill(simplified_outlines(metric), AREA_FILL, "areas", line=OUTLINE, showlegend=False)
        )
        fig.add_traces([*lines, *pts])
    view: dict[str, Any] = {"basemap": basemap, "height": height, "title": title, "width": width}
    right = 170 if classes is not None and render == "tiles" else 0
    rows = legend_rows(lines, pts)
    map_layout(fig, areas, render=render, right=right, legend_rows=rows, **view)
    return fig

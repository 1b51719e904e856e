"""Maps: the one builder of each map the app and the reports draw.

:func:`choropleth_map` (areas in classes), :func:`flows_map` (deliveries as lines) and
:func:`point_layers` (stores and sites) each draw either an interactive tile map
(``render="tiles"``: plotly's MapLibre traces, the app) or an offline map on plain x/y axes in
the region's metric CRS (``render="xy"``: the HTML report and the map download, which must open
from a file with no network). Both renderers take their classes, colours, labels, marker looks
and line widths from the same code, so the same run shows the same map in the app and the
report.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ._lines import line_path
from .classes import _class_labels, _discrete_scale, class_note, classify
from .measures import (
    MeasureInfo,
    format_value,
    measure_info,
)
from .palette import (
    ACCENT,
    AREA_FILL,
    CLOSED,
    CLOSED_LINE,
    FLAG_NO,
    FLAG_YES,
    NO_DATA,
    OKABE_ITO,
    OUTLINE,
    POINT_LOOKS,
    class_colours,
)
from .palette import sequential as _palette
from .style import FONT as _FONT
from .style import SCHEMES
from .style import wrap as _wrap


def _to_wgs84(gdf: Any) -> Any:
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


def _centre(
    areas: Any, *, height: int = 560, width: int | None = None
) -> tuple[dict[str, float], float]:
    """Centre and the MapLibre zoom (512 px tiles) that fits the areas into ``width`` x
    ``height`` px (``width`` None: as wide as high and a half), both ways: a wide county in a
    narrow panel is zoomed out until its east and west ends show."""
    wgs = _to_wgs84(areas)
    minx, miny, maxx, maxy = wgs.total_bounds
    if not np.all(np.isfinite([minx, miny, maxx, maxy])):
        return {"lon": 0.0, "lat": 0.0}, 1.0
    lat = (miny + maxy) / 2
    width = width if width is not None else int(height * 1.5)
    # Web Mercator: a degree of latitude is 1 / cos(lat) times as tall as a degree of longitude
    span_x = max(maxx - minx, 1e-4)
    span_y = max((maxy - miny) / max(np.cos(np.radians(lat)), 0.2), 1e-4)
    zoom_x = np.log2(360.0 / span_x) + np.log2(max(width, 50) * 0.92 / 512)
    zoom_y = np.log2(360.0 / span_y) + np.log2(max(height, 50) * 0.92 / 512)
    zoom = float(np.clip(min(zoom_x, zoom_y), 1, 16))
    return {"lon": (minx + maxx) / 2, "lat": lat}, zoom


Render = Literal["tiles", "xy"]
RENDERS = ("tiles", "xy")

#: Legends sit under the map, outside it, so they never cover its west.
_LEGEND_BELOW = {
    "orientation": "h",
    "yanchor": "top",
    "y": -0.01,
    "xanchor": "left",
    "x": 0.0,
    "bgcolor": "rgba(255,255,255,0)",
    "font": {"size": 11},
    # line widths in the legend are the drawn widths (plotly caps them at 10 px)
    "itemsizing": "trace",
}


def _check_render(render: str) -> None:
    if render not in RENDERS:
        msg = f"unknown map render {render!r}; use 'tiles' (interactive) or 'xy' (offline)"
        raise ValueError(msg)


def _title(title: str | None) -> dict[str, Any] | None:
    if not title:
        return None
    return {
        "text": title,
        "x": 0.01,
        "xref": "container",
        "y": 1.0,
        "yref": "paper",
        "yanchor": "bottom",
        "pad": {"b": 10},
        "font": {"size": 15},
    }


def _map_layout(
    fig: go.Figure,
    areas: Any,
    *,
    render: Render,
    basemap: str,
    height: int,
    title: str | None,
    right: int = 0,
    width: int | None = None,
    legend_rows: int = 1,
) -> None:
    """The maps' look: title top left, legend under the map, a tile map's view fitted to
    ``areas`` in ``width`` x ``height`` px; an x/y map has no axes and one metre is as long
    across as up."""
    top = 60 if title else 4  # a title sits under the strip of plotly's tool bar
    bottom = 8 + 20 * legend_rows
    fig.update_layout(
        margin={"l": 0 if render == "tiles" else 4, "r": right, "t": top, "b": bottom},
        height=height,
        title=_title(title),
        font=_FONT,
        showlegend=True,
        legend=_LEGEND_BELOW,
    )
    if render == "tiles":
        plot_w = None if width is None else width - right
        centre, zoom = _centre(areas, height=height - top - bottom, width=plot_w)
        fig.update_layout(map={"style": basemap, "center": centre, "zoom": zoom}, uirevision="map")
        return
    fig.update_layout(paper_bgcolor="white", plot_bgcolor="white", hovermode="closest")
    fig.update_xaxes(visible=False, showgrid=False, zeroline=False, constrain="domain")
    fig.update_yaxes(visible=False, showgrid=False, zeroline=False, scaleanchor="x", scaleratio=1)


def metric_frame(frame: Any, crs: Any = None) -> Any:
    """``frame`` in ``crs``, or (without it) in its own metric CRS or its UTM zone: the frame
    of the x/y maps."""
    if crs is None:
        crs = frame.crs if frame.crs is not None and frame.crs.is_projected else None
        if crs is None:
            crs = _to_wgs84(frame).estimate_utm_crs()
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


def _coords(a: Any) -> list[float | None]:
    """x/y map coordinates for plotly: whole metres, a gap (None) between lines and rings."""
    return [None if v != v else round(float(v)) for v in np.asarray(a, dtype=float)]


def _simplified(areas: Any) -> Any:
    minx, miny, maxx, maxy = areas.total_bounds
    span = max(maxx - minx, maxy - miny)
    return (
        areas.geometry.simplify(span / 2000) if np.isfinite(span) and span > 0 else areas.geometry
    )


# ---------------------------------------------------------------------- area classes
@dataclass(frozen=True)
class AreaClasses:
    """Areas in classes: the legend (``labels`` and ``colours``, in order), each area's class
    (``of_area``, aligned with the areas; -1 is no data), the title and the scheme's words."""

    labels: list[str]
    colours: list[str]
    of_area: np.ndarray
    title: str
    scheme: str
    #: why there are fewer classes than asked for (:func:`classes.class_note`), or ""
    note: str = ""

    def legend(self) -> list[dict[str, str]]:
        return [{"label": a, "colour": c} for a, c in zip(self.labels, self.colours, strict=True)]

    def label_of_area(self) -> list[str]:
        return [self.labels[i] if i >= 0 else "no data" for i in self.of_area]


def named_classes(labels: pd.Series, colours: dict[str, str], *, title: str) -> AreaClasses:
    """Classes given by name (``labels`` per area, ``colours`` {label: colour} in legend
    order), such as the report's four-way food-desert classes."""
    order = list(colours)
    pos = {lab: i for i, lab in enumerate(order)}
    of_area = np.array([pos.get(v, -1) for v in labels.astype(object)], dtype=int)
    return AreaClasses(order, list(colours.values()), of_area, title, "named classes")


def _has_column(areas: Any, column: str) -> None:
    if column not in areas.columns:
        msg = f"areas have no column {column!r}; found {sorted(map(str, areas.columns))}"
        raise KeyError(msg)


def measure_classes(
    areas: Any,
    column: str,
    *,
    info: MeasureInfo | None = None,
    scheme: str = "quantiles",
    bins: Sequence[float] | None = None,
    lowest: float | None = None,
    k: int = 5,
    palette: str = "viridis",
) -> AreaClasses:
    """The classes of :func:`choropleth_map` for ``column`` (see there)."""
    _has_column(areas, column)
    info = info or measure_info(column, areas[column])
    raw = areas[column]
    if info.kind == "flag":
        z = raw.astype("float").to_numpy()
        of_area = np.where(np.isfinite(z), np.nan_to_num(z).astype(int), -1)
        return AreaClasses(["no", "yes"], [FLAG_NO, FLAG_YES], of_area, info.title, "yes / no")
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    note = ""
    fixed = info.measure if info.measure is not None and info.measure.bins else None
    if scheme == "fixed" and bins is None and fixed is not None:
        # the catalogue's classes: the same in the app and in the report
        of_area = fixed.class_of(values)
        colours = class_colours(fixed, palette=palette)
        labels = list(fixed.bin_labels)
    else:
        edges, of_area = classify(values, scheme=scheme, k=k, bins=bins)
        colours = _palette(palette, max(len(edges), 1), reverse=not info.higher_is_worse)
        finite = values[np.isfinite(values)]
        if lowest is None:
            lowest = float(finite.min()) if finite.size else 0.0
        labels = _class_labels(edges, lowest, info, values)
        if scheme != "fixed":
            note = class_note(values, k, len(edges))
    scheme_text = "fixed bands" if scheme == "fixed" else SCHEMES[scheme].split(" (")[0]
    return AreaClasses(
        labels, list(colours), np.asarray(of_area, dtype=int), info.title, scheme_text, note
    )


def choropleth_map(
    areas: Any,
    column: str,
    *,
    scheme: str = "quantiles",
    k: int = 5,
    palette: str = "viridis",
    id_col: str = "area_id",
    name_col: str | None = "name",
    hover_cols: Sequence[str] = ("population",),
    geojson: dict[str, Any] | None = None,
    basemap: str = "white-bg",
    title: str | None = None,
    height: int = 560,
    width: int | None = None,
    info: MeasureInfo | None = None,
    bins: Sequence[float] | None = None,
    lowest: float | None = None,
    layout: bool = True,
    classes: AreaClasses | None = None,
    hover_text: Sequence[str] | pd.Series | None = None,
    render: Render = "tiles",
    points: Sequence[Any] = (),
    lines: Sequence[Any] = (),
) -> go.Figure:
    """Areas coloured by ``column`` in classes, with a plain-word legend and hover numbers.

    Yes/no flags get two colours (vermillion for "yes"); numbers are cut into ``k`` classes by
    ``scheme`` (see :func:`classify`; ``scheme="fixed"`` with ``bins`` and ``lowest`` for
    a scale shared by several maps, or without ``bins`` for the catalogue's fixed classes of
    the measure, such as the share of need met, which the reports use too) and coloured with
    a colour-blind-safe ``palette``, the strongest colour for the worse end. ``classes``
    (:func:`named_classes`) gives classes by name instead. ``hover_text`` (one text per area)
    replaces the hover numbers.

    ``render="tiles"`` draws MapLibre traces (the app; ``geojson`` from :func:`area_geojson`
    saves re-encoding outlines on every redraw, ``width`` is the panel's expected width, for
    the zoom that shows the whole region); ``render="xy"`` draws the same classes and colours
    on x/y axes in metres, a map that opens offline from a file. ``points`` and ``lines``
    (traces of :func:`point_layers` / :func:`segment_lines` in the same render) go on top.
    The classes are in ``fig.layout.meta["classes"]``; :func:`area_labels` gives each area's. ``layout=False`` leaves the map's layout (view, size, legend) out: for
    the traces and ``meta`` of a redraw patch only.
    """
    _check_render(render)
    if classes is None:
        _has_column(areas, column)
        info = info or measure_info(column, areas[column])
        classes = measure_classes(
            areas,
            column,
            scheme=scheme,
            k=k,
            palette=palette,
            info=info,
            bins=bins,
            lowest=lowest,
        )
    ids = areas[id_col].astype(str).to_numpy()
    if hover_text is None and column not in areas.columns:  # classes without the numbers
        names = areas[name_col] if name_col and name_col in areas.columns else pd.Series(ids)
        hover_text = [
            f"<b>{html.escape(str(n))}</b><br>{html.escape(lab)}"
            for n, lab in zip(names, classes.label_of_area(), strict=True)
        ]
    if hover_text is not None:
        custom = np.asarray(pd.Series(list(hover_text), dtype=object).fillna(""))[:, None]
        hover = "%{customdata[0]}<extra></extra>"
    else:
        custom, hover = _hover(
            areas,
            column,
            info or measure_info(column, areas[column]),
            id_col=id_col,
            name_col=name_col,
            hover_cols=hover_cols,
        )
    if render == "tiles":
        fig = _tile_areas(areas, classes, ids, custom, hover, geojson, id_col)
    else:
        fig = _xy_areas(areas, classes, ids, custom, hover)
    for tr in (*lines, *points):
        fig.add_trace(tr)
    if layout:
        view: dict[str, Any] = {
            "basemap": basemap,
            "height": height,
            "title": title,
            "width": width,
        }
        right = 170 if render == "tiles" else 0
        rows = _legend_rows(points, lines)
        _map_layout(fig, areas, render=render, right=right, legend_rows=rows, **view)
    fig.update_layout(
        meta={
            "column": column,
            "title": classes.title,
            "scheme": classes.scheme,
            "classes": classes.legend(),
            "classes_note": classes.note,
            "render": render,
        }
    )
    return fig


def _legend_rows(*traces: Sequence[Any]) -> int:
    shown = sum(1 for group in traces for t in group if t.showlegend is not False)
    return max(1, -(-shown // 4))


def _hover(
    areas: Any,
    column: str,
    info: MeasureInfo,
    *,
    id_col: str,
    name_col: str | None,
    hover_cols: Sequence[str],
) -> tuple[np.ndarray, str]:
    """Each area's hover numbers (``customdata``) and the template that shows them."""
    ids = areas[id_col].astype(str).to_numpy()
    names = (
        areas[name_col].astype(str).to_numpy()
        if name_col and name_col in areas.columns
        else ids.astype(str)
    )
    hover_cols = [c for c in hover_cols if c in areas.columns and c != column]
    custom = np.column_stack(
        [names, [format_value(v, info) for v in areas[column]]]
        + [[format_value(v, measure_info(c)) for v in areas[c]] for c in hover_cols]
    )
    hover = f"<b>%{{customdata[0]}}</b><br>{info.label}: %{{customdata[1]}}"
    for i, c in enumerate(hover_cols, start=2):
        hover += f"<br>{measure_info(c).title}: %{{customdata[{i}]}}"
    return custom, hover + "<extra></extra>"


def _tile_areas(
    areas: Any,
    classes: AreaClasses,
    ids: np.ndarray,
    custom: np.ndarray,
    hover: str,
    geojson: dict[str, Any] | None,
    id_col: str,
) -> go.Figure:
    gj = geojson if geojson is not None else area_geojson(areas, id_col=id_col)
    n = max(len(classes.colours), 1)
    z = np.where(classes.of_area >= 0, classes.of_area, np.nan).astype(float)
    missing = ~np.isfinite(z)
    fig = go.Figure()
    # the "no data" trace is always there (maybe empty), so every map of a region has the same
    # traces and a redraw can patch them without sending the outlines again
    fig.add_trace(
        go.Choroplethmap(
            geojson=gj,
            locations=ids[missing],
            z=np.zeros(int(missing.sum())),
            colorscale=[[0, NO_DATA], [1, NO_DATA]],
            showscale=False,
            marker={"opacity": 0.6, "line": {"width": 0.5, "color": "white"}},
            name="no data",
            hovertemplate="<b>%{location}</b><br>no data<extra></extra>",
            showlegend=bool(missing.any()),
        )
    )
    fig.add_trace(
        go.Choroplethmap(
            geojson=gj,
            locations=ids[~missing],
            z=z[~missing],
            zmin=-0.5,
            zmax=n - 0.5,
            colorscale=_discrete_scale(classes.colours),
            customdata=custom[~missing],
            hovertemplate=hover,
            marker={"opacity": 0.78, "line": {"width": 0.6, "color": "white"}},
            name=classes.title,
            colorbar={
                "title": {"text": _wrap(classes.title, 22), "side": "top"},
                "tickvals": list(range(n)),
                "ticktext": classes.labels,
                "len": 0.8,
                "thickness": 14,
                "x": 1.0,
                "xanchor": "left",
                "xpad": 8,
            },
        )
    )
    return fig


def _xy_areas(
    areas: Any, classes: AreaClasses, ids: np.ndarray, custom: np.ndarray, hover: str
) -> go.Figure:
    """The areas on x/y axes in metres: one filled trace a class (the legend is the key), and
    an invisible point an area for the hover, whose ``ids`` and ``meta`` are the areas' ids and
    class labels (:func:`area_labels`)."""
    metric = metric_frame(areas)
    geoms = _simplified(metric)
    fig = go.Figure()
    groups = [
        (i, lab, col)
        for i, (lab, col) in enumerate(zip(classes.labels, classes.colours, strict=True))
    ]
    groups.append((-1, "no data", NO_DATA))
    for i, lab, colour in groups:
        mask = classes.of_area == i
        if not mask.any():
            continue
        fig.add_trace(
            _xy_fill(
                geoms[mask],
                colour,
                lab,
                legendgroup="areas",
                legendgrouptitle_text=_wrap(classes.title, 40),
                legendrank=1,
            )
        )
    rep = metric.geometry.representative_point()
    fig.add_trace(
        go.Scatter(
            x=rep.x.round().to_numpy(),
            y=rep.y.round().to_numpy(),
            mode="markers",
            marker={"size": 10, "opacity": 0},
            customdata=custom,
            hovertemplate=hover,
            showlegend=False,
            name="areas",
            ids=ids,
            meta=classes.label_of_area(),
        )
    )
    return fig


def area_labels(fig: go.Figure) -> dict[str, str]:
    """Each area's class label on a map of :func:`choropleth_map` (either render), by id."""
    labels = [c["label"] for c in fig.layout.meta["classes"]]
    out: dict[str, str] = {}
    for tr in fig.data:
        if tr.type == "choroplethmap" and tr.name == "no data":
            out.update(dict.fromkeys(map(str, tr.locations), "no data"))
        elif tr.type == "choroplethmap":
            out.update({str(i): labels[int(z)] for i, z in zip(tr.locations, tr.z, strict=True)})
        elif tr.type == "scatter" and tr.name == "areas" and tr.ids is not None:
            out.update(zip(map(str, tr.ids), tr.meta, strict=True))
    return out


def _xy_fill(geoms: Any, colour: str, name: str, *, line: str = "white", **kw: Any) -> go.Scatter:
    """Polygons ``geoms`` filled with ``colour`` as one x/y trace (no hover: a map's hover
    comes from its area points)."""
    x, y = _rings_xy(geoms)
    return go.Scatter(
        x=_coords(x),
        y=_coords(y),
        mode="lines",
        fill="toself",
        fillcolor=colour,
        line={"color": line, "width": 0.6},
        name=name,
        hoverinfo="skip",
        **kw,
    )


# ---------------------------------------------------------------------- points
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
    _check_render(render)
    has = points is not None and len(points) > 0
    frame: Any = None
    if has:
        frame = _to_wgs84(points) if render == "tiles" else metric_frame(points, crs)
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


# ---------------------------------------------------------------------- flows
def _pop_points(areas: Any, id_col: str = "area_id") -> pd.DataFrame:
    wgs = _to_wgs84(areas)
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
    swgs = _to_wgs84(sites)
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
    _check_render(render)
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
                go.Scatter(x=_coords(x), y=_coords(y), legendgrouptitle_text=group_title, **common)
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
    _check_render(render)
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
            _xy_fill(_simplified(metric), AREA_FILL, "areas", line=OUTLINE, showlegend=False)
        )
        fig.add_traces([*lines, *pts])
    view: dict[str, Any] = {"basemap": basemap, "height": height, "title": title, "width": width}
    right = 170 if classes is not None and render == "tiles" else 0
    rows = _legend_rows(lines, pts)
    _map_layout(fig, areas, render=render, right=right, legend_rows=rows, **view)
    return fig


def offline_html(fig: go.Figure, filename: str, *, title: str | None = None) -> str:
    """``fig`` as a standalone HTML page that opens from a file with no network: plotly.js
    inline, and only x/y traces (a tile map's MapLibre starts a web worker and fetches fonts,
    which a page opened from disk may not do: draw it with ``render="xy"``). The camera icon
    saves ``<filename>.png``; ``title`` goes above the map."""
    tiles = sorted({t.type for t in fig.data if t.type in ("choroplethmap", "scattermap")})
    if tiles:
        msg = f"a map for a file must be drawn with render='xy'; it has {', '.join(tiles)} traces"
        raise ValueError(msg)
    if title:
        fig = go.Figure(fig).update_layout(title=_title(title), margin_t=60)
    config = {"displaylogo": False, "toImageButtonOptions": {"filename": filename, "scale": 2}}
    return fig.to_html(include_plotlyjs=True, full_html=True, config=config)

"""Maps: areas as GeoJSON, choropleths, point layers, flows (MapLibre traces, offline by default)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ._lines import line_path, line_trace
from .classes import _class_labels, _discrete_scale, classify
from .measures import (
    MeasureInfo,
    format_value,
    measure_info,
)
from .palette import (
    ACCENT,
    AREA_FILL,
    FLAG_NO,
    FLAG_YES,
    KIND_COLORS,
    NO_DATA,
    OKABE_ITO,
    OUTLINE,
    class_colours,
)
from .palette import sequential as _palette
from .style import FONT as _FONT
from .style import SCHEMES


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


def _centre(areas: Any, *, height: int = 560) -> tuple[dict[str, float], float]:
    """Centre and the MapLibre zoom (512 px tiles) that fits the areas into ``height`` px."""
    wgs = _to_wgs84(areas)
    minx, miny, maxx, maxy = wgs.total_bounds
    if not np.all(np.isfinite([minx, miny, maxx, maxy])):
        return {"lon": 0.0, "lat": 0.0}, 1.0
    lat = (miny + maxy) / 2
    span = max(maxx - minx, (maxy - miny) / max(np.cos(np.radians(lat)), 0.2), 1e-4)
    zoom = float(np.clip(np.log2(360.0 / span) + np.log2(height * 0.92 / 512), 1, 16))
    return {"lon": (minx + maxx) / 2, "lat": lat}, zoom


def _map_layout(
    fig: go.Figure,
    areas: Any,
    *,
    basemap: str,
    height: int,
    title: str | None,
    right: int = 0,
):
    centre, zoom = _centre(areas, height=height - (40 if title else 0))
    fig.update_layout(
        map={"style": basemap, "center": centre, "zoom": zoom},
        margin={"l": 0, "r": right, "t": 40 if title else 0, "b": 0},
        height=height,
        title={"text": title, "x": 0.01, "font": {"size": 15}} if title else None,
        font=_FONT,
        showlegend=True,
        legend={
            "orientation": "v",
            "yanchor": "top",
            "y": 0.99,
            "xanchor": "left",
            "x": 0.01,
            "bgcolor": "rgba(255,255,255,0.85)",
            "font": {"size": 11},
            "itemsizing": "constant",
        },
        uirevision="map",
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
    info: MeasureInfo | None = None,
    bins: Sequence[float] | None = None,
    lowest: float | None = None,
    layout: bool = True,
) -> go.Figure:
    """Areas coloured by ``column`` in classes, with a plain-word legend and hover numbers.

    Yes/no flags get two colours (vermillion for "yes"); numbers are cut into ``k`` classes by
    ``scheme`` (see :func:`classify`; ``scheme="fixed"`` with ``bins`` and ``lowest`` for
    a scale shared by several maps, or without ``bins`` for the catalogue's fixed classes of
    the measure, such as the share of need met, which the reports use too) and coloured with
    a colour-blind-safe ``palette``, the strongest colour for the worse end. ``geojson`` (from :func:`area_geojson`) saves
    re-encoding outlines on every redraw. The classes are in ``fig.layout.meta["classes"]``.
    ``layout=False`` leaves the map's layout (view, size, legend) out: for the traces and
    ``meta`` of a redraw patch only.
    """
    if column not in areas.columns:
        msg = f"areas have no column {column!r}; found {sorted(map(str, areas.columns))}"
        raise KeyError(msg)
    info = info or measure_info(column, areas[column])
    gj = geojson if geojson is not None else area_geojson(areas, id_col=id_col)
    ids = areas[id_col].astype(str).to_numpy()
    raw = areas[column]
    names = (
        areas[name_col].astype(str).to_numpy()
        if name_col and name_col in areas.columns
        else ids.astype(str)
    )
    hover_cols = [c for c in hover_cols if c in areas.columns and c != column]
    custom = np.column_stack(
        [names, [format_value(v, info) for v in raw]]
        + [[format_value(v, measure_info(c)) for v in areas[c]] for c in hover_cols]
    )
    hover = f"<b>%{{customdata[0]}}</b><br>{info.label}: %{{customdata[1]}}"
    for i, c in enumerate(hover_cols, start=2):
        hover += f"<br>{measure_info(c).title}: %{{customdata[{i}]}}"
    hover += "<extra></extra>"

    if info.kind == "flag":
        z = raw.astype("float").to_numpy()
        colours = [FLAG_NO, FLAG_YES]
        labels = ["no", "yes"]
        classes = [{"label": lab, "colour": c} for lab, c in zip(labels, colours, strict=True)]
        scheme_text = "yes / no"
    else:
        values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
        fixed = info.measure if info.measure is not None and info.measure.bins else None
        if scheme == "fixed" and bins is None and fixed is not None:
            # the catalogue's classes: the same in the app and in the report
            z_int = fixed.class_of(values)
            colours = class_colours(fixed, palette=palette)
            labels = list(fixed.bin_labels)
        else:
            edges, z_int = classify(values, scheme=scheme, k=k, bins=bins)
            colours = _palette(palette, max(len(edges), 1), reverse=not info.higher_is_worse)
            finite = values[np.isfinite(values)]
            if lowest is None:
                lowest = float(finite.min()) if finite.size else 0.0
            labels = _class_labels(edges, lowest, info)
        z = np.where(z_int >= 0, z_int, np.nan).astype(float)
        classes = [{"label": lab, "colour": c} for lab, c in zip(labels, colours, strict=True)]
        scheme_text = "fixed bands" if scheme == "fixed" else SCHEMES[scheme].split(" (")[0]
    n = max(len(colours), 1)
    fig = go.Figure()
    missing = ~np.isfinite(z)
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
            colorscale=_discrete_scale(colours),
            customdata=custom[~missing],
            hovertemplate=hover,
            marker={"opacity": 0.78, "line": {"width": 0.6, "color": "white"}},
            name=info.label,
            colorbar={
                "title": {"text": _wrap(info.title, 22), "side": "top"},
                "tickvals": list(range(n)),
                "ticktext": labels,
                "len": 0.8,
                "thickness": 14,
                "x": 1.0,
                "xanchor": "left",
                "xpad": 8,
            },
        )
    )
    if layout:
        _map_layout(fig, areas, basemap=basemap, height=height, title=title, right=170)
    fig.update_layout(
        meta={"column": column, "title": info.title, "scheme": scheme_text, "classes": classes}
    )
    return fig


def _wrap(text: str, width: int) -> str:
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + len(w) + 1 > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    return "<br>".join(lines)


def points_layers(
    points: Any,
    *,
    kinds: Sequence[str] | None = None,
    id_col: str,
    kind_col: str = "kind",
    name_col: str = "name",
    label: str = "",
    size: int = 9,
    extra_hover: Sequence[str] = (),
) -> list[go.Scattermap]:
    """One ``Scattermap`` trace per kind of point (toggleable in the map legend)."""
    if points is None or len(points) == 0:
        return []
    wgs = _to_wgs84(points)
    traces = []
    present = list(dict.fromkeys(wgs[kind_col].astype(str)))
    for i, kind in enumerate(k for k in present if kinds is None or k in kinds):
        sub = wgs[wgs[kind_col].astype(str) == kind]
        names = (
            sub[name_col].fillna(sub[id_col]).astype(str)
            if name_col in sub.columns
            else sub[id_col].astype(str)
        )
        text = names.to_numpy().astype(object)
        for col in extra_hover:
            if col in sub.columns:
                info = measure_info(col)
                text = text + np.array(
                    [f"<br>{info.label}: {format_value(v, info)}" for v in sub[col]]
                )
        colour = KIND_COLORS.get(kind, OKABE_ITO[i % len(OKABE_ITO)])
        traces.append(
            go.Scattermap(
                lon=sub.geometry.x,
                lat=sub.geometry.y,
                mode="markers",
                marker={"size": size, "color": colour, "opacity": 0.95},
                name=f"{label}{kind.replace('_', ' ')} ({len(sub)})",
                text=text,
                hovertemplate=f"<b>%{{text}}</b><br>{kind.replace('_', ' ')}<extra></extra>",
                legendgroup=kind,
            )
        )
    return traces


def stores_layers(stores: Any, *, kinds: Sequence[str] | None = None) -> list[go.Scattermap]:
    """Stores as map layers, one per kind (supermarket, grocery, convenience, ...)."""
    return points_layers(stores, kinds=kinds, id_col="store_id", size=7)


def sites_layers(sites: Any, *, kinds: Sequence[str] | None = None) -> list[go.Scattermap]:
    """Gardens, farms, hubs and pantries as map layers, one per kind."""
    return points_layers(
        sites, kinds=kinds, id_col="site_id", size=11, extra_hover=("throughput_kg",)
    )


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


def flows_map(
    areas: Any,
    sites: Any,
    flows: pd.DataFrame,
    *,
    geojson: dict[str, Any] | None = None,
    basemap: str = "white-bg",
    n_widths: int = 5,
    max_width: float = 9.0,
    height: int = 520,
    title: str | None = None,
) -> go.Figure:
    """Deliveries as lines from each site to each area, thicker for more kg.

    ``flows`` has ``site_id``, ``area_id`` and ``quantity_kg`` (rows of the same pair are added
    up over commodities). Lines are grouped into ``n_widths`` width classes (plotly draws one
    width per trace); areas are drawn as light outlines and sites as markers. The traces are:
    the outlines, the ``n_widths`` line traces of :func:`flow_lines`, then the sites.
    """
    fig = go.Figure()
    gj = geojson if geojson is not None else area_geojson(areas)
    ids = areas["area_id"].astype(str).to_numpy()
    fig.add_trace(
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
    for tr in flow_lines(areas, sites, flows, n_widths=n_widths, max_width=max_width):
        fig.add_trace(tr)
    for tr in sites_layers(sites):
        fig.add_trace(tr)
    _map_layout(fig, areas, basemap=basemap, height=height, title=title)
    return fig


def flow_lines(
    areas: Any,
    sites: Any,
    flows: pd.DataFrame | None,
    *,
    n_widths: int = 5,
    max_width: float = 9.0,
) -> list[go.Scattermap]:
    """The delivery lines of :func:`flows_map`: always ``n_widths`` traces, one per width class.

    Empty classes are empty traces hidden from the legend, so every deliveries map of a region
    has the same traces and a redraw can replace the lines alone (``dashboard.pages.plan``).
    """
    lines: list[tuple[Any, Any, Any, str, bool]] = [([], [], [], "", False)] * n_widths
    if flows is not None and len(flows):
        pair = (
            flows.assign(site_id=flows["site_id"].astype(str), area_id=flows["area_id"].astype(str))
            .groupby(["site_id", "area_id"], as_index=False)["quantity_kg"]
            .sum()
        )
        pair = pair[pair["quantity_kg"] > 0]
        pts = _pop_points(areas).set_index("area_id")
        swgs = _to_wgs84(sites)
        spts = pd.DataFrame(
            {"lon": swgs.geometry.x.to_numpy(), "lat": swgs.geometry.y.to_numpy()},
            index=swgs["site_id"].astype(str).to_numpy(),
        )
        pair = pair[pair["area_id"].isin(pts.index) & pair["site_id"].isin(spts.index)]
        if len(pair):
            qmax = float(pair["quantity_kg"].max())
            edges = np.linspace(0, qmax, n_widths + 1)
            cls = np.clip(
                np.searchsorted(edges, pair["quantity_kg"], side="left") - 1, 0, n_widths - 1
            )
            for c in range(n_widths):
                sub = pair[cls == c]
                if sub.empty:
                    continue
                site = spts[["lon", "lat"]].reindex(sub["site_id"]).round(6)
                area = pts[["lon", "lat"]].reindex(sub["area_id"]).round(6)
                lon = line_path(site["lon"], area["lon"])
                lat = line_path(site["lat"], area["lat"])
                labels = [
                    f"{s} to {a}: {q:,.0f} kg"
                    for s, a, q in sub[["site_id", "area_id", "quantity_kg"]].itertuples(
                        index=False
                    )
                ]
                text = np.empty(len(lon), dtype=object)
                text[0::3] = labels
                text[1::3] = labels
                name = f"{edges[c]:,.0f} to {edges[c + 1]:,.0f} kg"
                lines[c] = (lon, lat, text, name, True)
    traces = []
    for c, (lon, lat, text, name, shown) in enumerate(lines):
        width = 1.0 + (max_width - 1.0) * (c + 1) / n_widths
        traces.append(
            line_trace(
                lon,
                lat,
                text,
                width=width,
                colour=ACCENT,
                opacity=0.55,
                name=name or f"deliveries {c + 1}",
                legendgroup="flows",
                showlegend=shown,
            )
        )
    return traces

"""Plotly figure builders shared by the dashboard and the HTML reports.

Every function here is pure: it takes frames (or plain dicts) and returns a
:class:`plotly.graph_objects.Figure` or plain data, and never reads files, the network or global
state. Maps use plotly's MapLibre traces (``Choroplethmap``/``Scattermap``) on the ``white-bg``
style by default, which needs no tiles and so works offline; pass ``basemap="carto-positron"``
for street tiles where the network allows.

Colours are colour-blind safe: sequential measures use viridis or cividis, categories use the
Okabe-Ito palette. Legends say in plain words what the colour means and in which unit.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from equity.catalogue import GROUPS, Measure
from optimize.catalogue import kpi_info
from optimize.catalogue import measure_info as _catalogue_info

from .palette import (
    ACCENT,
    FLAG_NO,
    FLAG_YES,
    GAIN,
    KIND_COLORS,
    LOSS,
    NO_DATA,
    OKABE_ITO,
    SAME,
    class_colours,
)
from .palette import sequential as _palette

__all__ = [
    "OKABE_ITO",
    "MeasureInfo",
    "area_geojson",
    "choropleth_map",
    "classify",
    "comparison_kpi_figure",
    "distribution_figure",
    "efficiency_equity_figure",
    "flows_map",
    "format_value",
    "fulfilment_histogram",
    "gains_losses_figure",
    "kpi_table",
    "lorenz_curve",
    "lorenz_figure",
    "measure_info",
    "measure_options",
    "points_layers",
    "sites_layers",
    "stores_layers",
    "unmet_by_commodity",
]

SCHEMES = {
    "quantiles": "quantiles (about the same number of areas in each class)",
    "natural_breaks": "natural breaks (Fisher-Jenks: classes where the values cluster)",
    "equal_interval": "equal intervals (classes of the same width)",
}
_FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif", "size": 13}


# ---------------------------------------------------------------------- measures
@dataclass(frozen=True)
class MeasureInfo:
    """How to show one column: its catalogue entry (:mod:`equity.catalogue`,
    :mod:`optimize.catalogue`) as the figures use it. Built by :func:`measure_info` only."""

    column: str
    label: str
    unit: str = ""
    kind: str = "number"  # "number" or "flag"
    scale: float = 1.0  # multiply values by this for display (0-1 shares shown as %)
    higher_is_worse: bool = True
    description: str = ""
    measure: Measure | None = None

    @property
    def title(self) -> str:
        return f"{self.label} ({self.unit})" if self.unit else self.label

    @classmethod
    def of(cls, m: Measure, *, kind: str | None = None) -> MeasureInfo:
        """The figures' view of a catalogue entry."""
        return cls(
            m.name,
            m.label,
            m.unit,
            kind or ("flag" if m.kind == "flag" else "number"),
            m.scale,
            m.higher_is_worse if not m.generic else True,
            m.definition,
            m,
        )


def measure_info(column: str, values: pd.Series | None = None) -> MeasureInfo:
    """How to label, scale and colour ``column``, from the measure catalogues.

    ``values`` (optional) lets a 0/1 column the catalogue does not know be shown as a yes/no
    flag.
    """
    m = _catalogue_info(column)
    if m.generic and values is not None and _is_flag(values):
        return MeasureInfo.of(m, kind="flag")
    return MeasureInfo.of(m)


def _is_flag(values: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(values):
        return True
    if not pd.api.types.is_numeric_dtype(values):
        return False
    uniq = pd.unique(values.dropna())
    return len(uniq) > 0 and set(np.asarray(uniq, dtype=float).tolist()) <= {0.0, 1.0}


#: The measures the menu offers right after the food-desert flags, in this order.
_HEADLINE = (
    "dist_supermarket_mi",
    "fca2_per_1000",
    "mrfei",
    "need_index",
    "poverty_rate",
    "households_no_vehicle",
    "food_insecurity_rate",
)


def _menu_rank(col: str, info: MeasureInfo) -> tuple[int, int, int]:
    """Where ``col`` goes in the measure menu: the food-desert flags, the headline measures,
    then the rest by catalogue group (flags first within a group)."""
    if col.startswith("LILA") and info.kind == "flag":
        return 0, 0, 0
    if col in _HEADLINE:
        return 1, _HEADLINE.index(col), 0
    m = info.measure
    group = m.group if m is not None and not m.generic else "Other"
    g = GROUPS.index(group) if group in GROUPS else len(GROUPS)
    if info.kind == "flag":
        within = 0 if col.startswith("LA") else 1
    elif col.endswith("_m"):
        within = 3  # the km twin of a miles column
    elif col.startswith("la"):
        within = 4  # the Atlas's people-beyond counts after its flags
    else:
        within = 2
    return 2, g, within


def measure_options(areas: pd.DataFrame, *, exclude: Sequence[str] = ()) -> list[dict[str, str]]:
    """Dropdown options ``[{label, value, title}]`` for every mappable column of ``areas``.

    The food-desert (LILA) flags, a few headline measures, then the rest by the catalogue's
    groups (food deserts, distance to food, stores nearby, access scores, need, population,
    ...), flags first within a group; ``title`` (shown on hover) is
    the catalogue's definition. Ids, coordinates and geometry are left out.
    """
    skip = {"area_id", "geometry", "pop_lon", "pop_lat", "name", *exclude}
    rows = []
    for i, col in enumerate(areas.columns):
        if col in skip or col.startswith("_"):
            continue
        s = areas[col]
        if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
            continue
        info = measure_info(col, s)
        option = {"label": info.title, "value": col, "title": info.description}
        rows.append((*_menu_rank(col, info), i, option))
    return [o for *_, o in sorted(rows, key=lambda r: r[:4])]


_COUNT_UNITS = ("people", "households", "areas", "count", "stores")


def format_value(value: Any, info: MeasureInfo | None = None, *, digits: int | None = None) -> str:
    """A number as people read it: thousands separators, sensible decimals, unit."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no data"
    if info is not None and info.kind == "flag":
        return "yes" if bool(value) else "no"
    if digits is None and info is not None and info.measure and not info.measure.generic:
        return info.measure.format(value)
    x = float(value) * (info.scale if info else 1.0)
    unit = info.unit if info else ""
    if digits is None:
        ax = abs(x)
        counted = unit in _COUNT_UNITS
        digits = 0 if ax >= 100 or counted else 1 if ax >= 10 else 2
    text = f"{x:,.{digits}f}"
    if unit == "%":
        return text + "%"
    return f"{text} {unit}".strip()


# ---------------------------------------------------------------------- classes
def classify(
    values: Sequence[float] | pd.Series,
    *,
    scheme: str = "quantiles",
    k: int = 5,
    bins: Sequence[float] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Class breaks and each value's class (0-based; -1 for missing values).

    ``scheme`` is ``quantiles``, ``natural_breaks`` (Fisher-Jenks, deterministic),
    ``equal_interval``, or ``fixed`` with ``bins`` (upper bounds) for a scale that stays the
    same across maps (e.g. 20-point bands of fulfilment). Returns ``(upper_bounds, class_of_each_value)``; fewer than ``k``
    classes when there are fewer distinct values.
    """
    import mapclassify

    if scheme not in SCHEMES and scheme != "fixed":
        msg = f"unknown classification scheme {scheme!r}; use one of {sorted(SCHEMES)}"
        raise ValueError(msg)
    if scheme == "fixed":
        if bins is None or len(bins) == 0:
            msg = "scheme='fixed' needs bins=[upper bound of each class, ...]"
            raise ValueError(msg)
        edges = np.asarray(bins, dtype=float)
        v = np.asarray(values, dtype=float)
        out = np.full(len(v), -1, dtype=int)
        ok = np.isfinite(v)
        out[ok] = np.searchsorted(edges, np.round(v[ok], 9), side="left").clip(0, len(edges) - 1)
        return edges, out
    v = np.asarray(values, dtype=float)
    ok = np.isfinite(v)
    out = np.full(len(v), -1, dtype=int)
    finite = np.round(v[ok], 9)  # solver noise (0.7499999) must not make classes of its own
    if finite.size == 0:
        return np.array([]), out
    n_unique = len(np.unique(finite))
    k = max(1, min(int(k), n_unique))
    if k == 1:
        out[ok] = 0
        return np.array([finite.max()]), out
    if scheme == "quantiles":
        cls = mapclassify.Quantiles(finite, k=k)
    elif scheme == "natural_breaks":
        breaks = fisher_jenks_breaks(finite, k)
        out[ok] = np.searchsorted(breaks, finite, side="left").clip(0, len(breaks) - 1)
        return breaks, out
    else:
        cls = mapclassify.EqualInterval(finite, k=k)
    breaks = np.asarray(cls.bins, dtype=float)
    out[ok] = np.asarray(cls.yb, dtype=int)
    # mapclassify can merge duplicate quantile edges: keep only classes that exist
    return breaks, out


def fisher_jenks_breaks(
    values: Sequence[float] | np.ndarray, k: int, *, max_n: int = 2000
) -> np.ndarray:
    """Upper bounds of the ``k`` Fisher-Jenks natural-breaks classes (optimal, deterministic).

    The same classes as ``mapclassify.FisherJenks`` (which needs numba to be fast), computed
    by dynamic programming over sorted values with numpy; above ``max_n`` values it works on
    ``max_n`` evenly spaced quantiles.
    """
    x = np.sort(np.asarray(values, dtype=float))
    x = x[np.isfinite(x)]
    if x.size > max_n:
        x = np.quantile(x, np.linspace(0, 1, max_n))
    n = x.size
    k = max(1, min(int(k), len(np.unique(x))))
    if k == 1:
        return np.array([x[-1]])
    s1 = np.concatenate([[0.0], np.cumsum(x)])
    s2 = np.concatenate([[0.0], np.cumsum(x * x)])

    def ssd(i: np.ndarray, j: int) -> np.ndarray:  # sum of squared deviations of x[i..j]
        cnt = j - i + 1
        tot = s1[j + 1] - s1[i]
        return (s2[j + 1] - s2[i]) - tot * tot / cnt

    cost = np.full((k, n), np.inf)
    back = np.zeros((k, n), dtype=int)
    cost[0] = s2[1:] - s1[1:] ** 2 / np.arange(1, n + 1)
    for m in range(1, k):
        for j in range(m, n):
            i = np.arange(m, j + 1)  # first index of the last class
            c = cost[m - 1, i - 1] + ssd(i, j)
            best = int(np.argmin(c))
            cost[m, j] = c[best]
            back[m, j] = i[best]
    bounds = []
    j = n - 1
    for m in range(k - 1, -1, -1):
        bounds.append(x[j])
        j = back[m, j] - 1 if m > 0 else j
    return np.array(bounds[::-1])


def _class_labels(bins: np.ndarray, lowest: float, info: MeasureInfo) -> list[str]:
    edges = np.concatenate([[lowest], bins]) * info.scale
    big = float(np.nanmax(np.abs(edges))) if edges.size else 0.0
    step = float(np.nanmin(np.diff(edges))) if edges.size > 1 else big
    digits = 0 if big >= 100 or step >= 10 else 1 if step >= 1 else 2
    bare = MeasureInfo(info.column, info.label, "", info.kind, info.scale)
    pct = "%" if info.unit == "%" else ""
    tail = f" {info.unit}" if info.unit and not pct else ""
    labels = []
    lo = lowest
    for hi in bins:
        a = format_value(lo, bare, digits=digits)
        b = format_value(hi, bare, digits=digits)
        labels.append(f"{a}{pct} to {b}{pct}{tail}")
        lo = hi
    return labels


def _discrete_scale(colours: Sequence[str]) -> list[list[Any]]:
    n = len(colours)
    scale: list[list[Any]] = []
    for i, c in enumerate(colours):
        scale.append([i / n, c])
        scale.append([(i + 1) / n, c])
    return scale


# ---------------------------------------------------------------------- geometry
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


# ---------------------------------------------------------------------- maps
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
            colorscale=[[0, "#EEF2F6"], [1, "#EEF2F6"]],
            showscale=False,
            marker={"opacity": 0.7, "line": {"width": 0.6, "color": "#9AA8B6"}},
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
                n = len(sub)
                # site, area, gap (NaN, sent as null) for each line, in one float array per
                # coordinate: plotly validates numeric arrays at once, lists item by item
                lon = np.full(3 * n, np.nan)
                lat = np.full(3 * n, np.nan)
                lon[0::3] = spts["lon"].reindex(sub["site_id"]).round(6).to_numpy()
                lat[0::3] = spts["lat"].reindex(sub["site_id"]).round(6).to_numpy()
                lon[1::3] = pts["lon"].reindex(sub["area_id"]).round(6).to_numpy()
                lat[1::3] = pts["lat"].reindex(sub["area_id"]).round(6).to_numpy()
                labels = [
                    f"{s} to {a}: {q:,.0f} kg"
                    for s, a, q in sub[["site_id", "area_id", "quantity_kg"]].itertuples(
                        index=False
                    )
                ]
                text = np.empty(3 * n, dtype=object)
                text[0::3] = labels
                text[1::3] = labels
                name = f"{edges[c]:,.0f} to {edges[c + 1]:,.0f} kg"
                lines[c] = (lon, lat, text, name, True)
    traces = []
    for c, (lon, lat, text, name, shown) in enumerate(lines):
        width = 1.0 + (max_width - 1.0) * (c + 1) / n_widths
        traces.append(
            go.Scattermap(
                lon=lon,
                lat=lat,
                mode="lines",
                line={"width": width, "color": ACCENT},
                opacity=0.55,
                text=text,
                hovertemplate="%{text}<extra></extra>",
                name=name or f"deliveries {c + 1}",
                legendgroup="flows",
                showlegend=shown,
            )
        )
    return traces


# ---------------------------------------------------------------------- KPIs
def kpi_table(
    kpis: Mapping[str, Any], *, keys: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """KPI rows ``{key, label, value, unit, text}`` in plain words, for cards and tables.

    Labels, units and formats come from :mod:`optimize.catalogue` (unknown keys get its
    generic entry); non-numeric values are skipped.
    """
    rows = []
    for key in keys if keys is not None else list(kpis):
        if key not in kpis:
            continue
        v = kpis[key]
        if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating):
            continue
        m = kpi_info(key)
        rows.append(
            {
                "key": key,
                "label": m.label,
                "value": float(v),
                "unit": m.unit,
                "text": m.format(v),
            }
        )
    return rows


# ---------------------------------------------------------------------- distributions
def _weighted_hist(values: np.ndarray, weights: np.ndarray, edges: np.ndarray) -> np.ndarray:
    ok = np.isfinite(values) & np.isfinite(weights)
    h, _ = np.histogram(np.clip(values[ok], edges[0], edges[-1]), bins=edges, weights=weights[ok])
    return h


def fulfilment_histogram(
    fulfilment: pd.DataFrame,
    *,
    value_col: str = "fulfilment",
    weight_col: str | None = "population",
    bins: int | None = None,
    height: int = 320,
    title: str | None = "People by share of need met",
) -> go.Figure:
    """People (or areas, without ``weight_col``) by share of need met.

    By default in the catalogue's classes (:data:`optimize.catalogue.FULFILMENT`, the map's
    and the report's classes and colours); ``bins=n`` gives ``n`` equal-width bands instead.
    """
    v = pd.to_numeric(fulfilment[value_col], errors="coerce").to_numpy(float)
    w = (
        pd.to_numeric(fulfilment[weight_col], errors="coerce").to_numpy(float)
        if weight_col and weight_col in fulfilment.columns
        else np.ones(len(v))
    )
    if bins is None:
        m = _catalogue_info(value_col)
        m = m if m.bins else _catalogue_info("fulfilment")
        cls = m.class_of(v)
        ok = (cls >= 0) & np.isfinite(w)
        h = np.bincount(cls[ok], weights=w[ok], minlength=len(m.bins))
        labels = list(m.bin_labels)
        colours = class_colours(m)
    else:
        edges = np.linspace(0, 1, bins + 1)
        h = _weighted_hist(v, w, edges)
        labels = [f"{edges[i] * 100:.0f}-{edges[i + 1] * 100:.0f}%" for i in range(bins)]
        colours = sample_colorscale("Viridis", list(np.linspace(0.15, 0.9, bins)))
    unit = "people" if weight_col and weight_col in fulfilment.columns else "areas"
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=h,
            marker={"color": colours},
            hovertemplate=f"%{{x}} of need met: %{{y:,.0f}} {unit}<extra></extra>",
        )
    )
    fig.update_layout(
        title={"text": title, "x": 0.01, "font": {"size": 14}} if title else None,
        xaxis_title="share of need met",
        yaxis_title=unit,
        height=height,
        margin={"l": 60, "r": 10, "t": 40 if title else 10, "b": 50},
        font=_FONT,
        plot_bgcolor="white",
        bargap=0.05,
    )
    fig.update_yaxes(gridcolor="#E5E9EE")
    return fig


def distribution_figure(
    areas: pd.DataFrame,
    column: str,
    *,
    weight_col: str = "population",
    bins: int = 20,
    height: int = 320,
    info: MeasureInfo | None = None,
) -> go.Figure:
    """How many people live in areas at each level of ``column`` (a population-weighted histogram).

    Flags give two bars: people in areas flagged yes and no.
    """
    info = info or measure_info(column, areas[column])
    w = (
        pd.to_numeric(areas[weight_col], errors="coerce").to_numpy(float)
        if weight_col in areas.columns
        else np.ones(len(areas))
    )
    unit = "people" if weight_col in areas.columns else "areas"
    if info.kind == "flag":
        f = areas[column].astype("float").to_numpy()
        ys = [float(np.nansum(w[f == 1])), float(np.nansum(w[f == 0]))]
        fig = go.Figure(
            go.Bar(
                x=["yes", "no"],
                y=ys,
                marker={"color": [FLAG_YES, "#8DA0B3"]},
                hovertemplate=f"%{{x}}: %{{y:,.0f}} {unit}<extra></extra>",
            )
        )
        xtitle = info.label
    else:
        v = pd.to_numeric(areas[column], errors="coerce").to_numpy(float) * info.scale
        finite = v[np.isfinite(v)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        if hi <= lo:
            hi = lo + 1.0
        edges = np.linspace(lo, hi, bins + 1)
        h = _weighted_hist(v, w, edges)
        mids = (edges[:-1] + edges[1:]) / 2
        fig = go.Figure(
            go.Bar(
                x=mids,
                y=h,
                width=(edges[1] - edges[0]) * 0.95,
                marker={"color": ACCENT},
                hovertemplate=f"about %{{x:,.2f}} {info.unit}: %{{y:,.0f}} {unit}<extra></extra>",
            )
        )
        xtitle = info.title
    fig.update_layout(
        title={
            "text": f"{unit.capitalize()} by {info.label.lower()}",
            "x": 0.01,
            "font": {"size": 14},
        },
        xaxis_title=xtitle,
        yaxis_title=unit,
        height=height,
        margin={"l": 60, "r": 10, "t": 40, "b": 50},
        font=_FONT,
        plot_bgcolor="white",
    )
    fig.update_yaxes(gridcolor="#E5E9EE")
    return fig


def lorenz_curve(
    values: Sequence[float], weights: Sequence[float] | None = None
) -> tuple[np.ndarray, np.ndarray, float]:
    """Population-weighted Lorenz curve and Gini of ``values`` (equity's one Gini).

    Returns ``(cum_population_share, cum_value_share, gini)``, both curves starting at 0 and
    ending at 1. Missing values are dropped.
    """
    from equity.inequality import gini
    from equity.inequality import lorenz_curve as curve

    v = np.asarray(values, dtype=float)
    w = np.ones_like(v) if weights is None else np.asarray(weights, dtype=float)
    ok = np.isfinite(v) & np.isfinite(w) & (w > 0) & (v >= 0)
    if not ok.any() or np.sum(v[ok] * w[ok]) <= 0:
        return np.array([0.0, 1.0]), np.array([0.0, 1.0]), 0.0
    lc = curve(v[ok], w[ok])
    return lc["population_share"].to_numpy(), lc["value_share"].to_numpy(), gini(v[ok], w[ok])


def lorenz_figure(
    curves: Mapping[str, tuple[Sequence[float], Sequence[float] | None]],
    *,
    height: int = 340,
    title: str | None = "How evenly it is shared (Lorenz curve)",
    value_label: str = "value",
) -> go.Figure:
    """Lorenz curves, one per ``{name: (values, population weights)}``, with the Gini in the legend.

    The diagonal is perfect equality; the further a curve sags below it, the more unequal.
    """
    fig = go.Figure(
        go.Scatter(
            x=[0, 1],
            y=[0, 1],
            mode="lines",
            line={"color": "#9AA8B6", "dash": "dash"},
            name="everyone the same",
            hoverinfo="skip",
        )
    )
    for i, (name, (values, weights)) in enumerate(curves.items()):
        x, y, g = lorenz_curve(values, weights)
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode="lines",
                line={"color": OKABE_ITO[(i + 4) % len(OKABE_ITO)], "width": 2.5},
                name=f"{name} (Gini {g:.2f})",
                hovertemplate=(
                    f"poorest-served %{{x:.0%}} of people get %{{y:.0%}} of the {value_label}"
                    "<extra></extra>"
                ),
            )
        )
    fig.update_layout(
        title={"text": title, "x": 0.01, "font": {"size": 14}} if title else None,
        xaxis={"title": "share of people (least to most)", "tickformat": ".0%", "range": [0, 1]},
        yaxis={"title": f"share of the {value_label}", "tickformat": ".0%", "range": [0, 1]},
        height=height,
        margin={"l": 60, "r": 10, "t": 40 if title else 10, "b": 50},
        font=_FONT,
        plot_bgcolor="white",
        legend={"x": 0.02, "y": 0.98, "bgcolor": "rgba(255,255,255,0.8)"},
    )
    fig.update_xaxes(gridcolor="#E5E9EE")
    fig.update_yaxes(gridcolor="#E5E9EE")
    return fig


def unmet_by_commodity(
    unmet: pd.DataFrame | pd.Series,
    *,
    value_col: str = "unmet_kg",
    commodity_col: str = "commodity",
    labels: Mapping[str, str] | None = None,
    height: int = 320,
    title: str | None = "Need not met, by food",
) -> go.Figure:
    """Horizontal bars of unmet need (kg per period) for each commodity, largest at the top."""
    if isinstance(unmet, pd.Series):
        s = unmet.astype(float)
    elif len(unmet):
        s = unmet.groupby(commodity_col)[value_col].sum().astype(float)
    else:
        s = pd.Series(dtype=float)
    s = s.sort_values()
    names = [labels.get(str(c), str(c)) if labels else str(c) for c in s.index]
    fig = go.Figure(
        go.Bar(
            x=s.to_numpy(),
            y=names,
            orientation="h",
            marker={"color": LOSS},
            hovertemplate="%{y}: %{x:,.0f} kg not delivered<extra></extra>",
        )
    )
    if s.empty or float(s.sum()) == 0:
        fig.add_annotation(
            text="All need is met", showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper"
        )
    fig.update_layout(
        title={"text": title, "x": 0.01, "font": {"size": 14}} if title else None,
        xaxis_title="kg per period",
        height=max(height, 16 * len(s) + 110),
        yaxis={"dtick": 1, "tickfont": {"size": 11}},
        margin={"l": 110, "r": 10, "t": 40 if title else 10, "b": 50},
        font=_FONT,
        plot_bgcolor="white",
    )
    fig.update_xaxes(gridcolor="#E5E9EE")
    return fig


# ---------------------------------------------------------------------- comparison
def efficiency_equity_figure(
    curve: pd.DataFrame,
    *,
    x_col: str = "need_met_kg",
    y_col: str = "min_fulfilment",
    weight_col: str = "equity_weight",
    height: int = 380,
    title: str | None = "Efficiency and equity: what fairness costs",
) -> go.Figure:
    """The efficiency/equity frontier: food delivered against the worst-served area's share.

    Each point is one equity weight. The price of fairness (the share of food delivered given
    up to reach the fairest plan, relative to the most efficient one) is annotated and kept in
    ``fig.layout.meta["price_of_fairness"]``.
    """
    df = curve.sort_values(weight_col) if weight_col in curve.columns else curve
    x = df[x_col].to_numpy(float)
    ym = kpi_info(y_col)
    y_label, y_unit, y_scale = ym.label, ym.unit, ym.scale
    y = df[y_col].to_numpy(float) * y_scale
    text = (
        [f"equity weight {w:.2f}" for w in df[weight_col]]
        if weight_col in df.columns
        else [""] * len(df)
    )
    xi = MeasureInfo.of(kpi_info(x_col))
    fig = go.Figure(
        go.Scatter(
            x=x,
            y=y,
            mode="lines+markers",
            marker={"size": 9, "color": ACCENT},
            line={"color": ACCENT},
            text=text,
            hovertemplate=(
                "%{text}<br>"
                + xi.label
                + ": %{x:,.0f}<br>"
                + y_label
                + ": %{y:.3g}"
                + y_unit
                + "<extra></extra>"
            ),
            name="plans",
        )
    )
    pof = price_of_fairness(x)
    if len(x) and np.ptp(x) <= 1e-3 * max(abs(float(np.max(x))), 1.0):
        # every weight gives the same plan: show a sensible axis, not float noise
        mid = float(np.mean(x))
        fig.update_xaxes(range=[mid * 0.9, mid * 1.1] if mid else [-1, 1])
    if len(x) >= 2 and np.isfinite(pof) and pof >= 5e-4:
        fig.add_annotation(
            x=x[-1],
            y=y[-1],
            text=f"price of fairness: {pof:.1%} less food delivered",
            showarrow=True,
            arrowhead=2,
            ax=-60,
            ay=-40,
            bgcolor="rgba(255,255,255,0.9)",
        )
    fig.update_layout(
        title={"text": title, "x": 0.01, "font": {"size": 14}} if title else None,
        xaxis_title=xi.title,
        yaxis={"title": f"{y_label} ({y_unit})" if y_unit else y_label, "rangemode": "tozero"},
        height=height,
        margin={"l": 70, "r": 10, "t": 40 if title else 10, "b": 50},
        font=_FONT,
        plot_bgcolor="white",
        meta={
            "price_of_fairness": pof,
            "money_price_usd": float(df["money_price_usd"].iloc[-1])
            if "money_price_usd" in df.columns and len(df)
            else None,
        },
    )
    fig.update_xaxes(gridcolor="#E5E9EE")
    fig.update_yaxes(gridcolor="#E5E9EE")
    return fig


def price_of_fairness(efficiency: Sequence[float]) -> float:
    """Share of efficiency given up by the fairest plan (last) relative to the best one."""
    e = np.asarray(efficiency, dtype=float)
    e = e[np.isfinite(e)]
    if e.size < 2 or e.max() <= 0:
        return float("nan")
    return float((e.max() - e[-1]) / e.max())


def comparison_kpi_figure(
    runs: Mapping[str, Mapping[str, Any]],
    *,
    keys: Sequence[str] = ("need_met_share", "min_fulfilment"),
    height: int = 320,
) -> go.Figure:
    """Grouped bars of the same KPIs for several runs (one colour per run)."""
    fig = go.Figure()
    for i, (name, kpis) in enumerate(runs.items()):
        rows = {r["key"]: r for r in kpi_table(kpis, keys=keys)}
        labels = [rows[k]["label"] for k in keys if k in rows]
        vals = [rows[k]["value"] * kpi_info(k).scale for k in keys if k in rows]
        texts = [rows[k]["text"] for k in keys if k in rows]
        fig.add_trace(
            go.Bar(
                x=labels,
                y=vals,
                name=name,
                text=texts,
                textposition="outside",
                marker={"color": OKABE_ITO[(i + 4) % len(OKABE_ITO)]},
                hovertemplate=f"{name}<br>%{{x}}: %{{text}}<extra></extra>",
            )
        )
    fig.update_layout(
        barmode="group",
        height=height,
        margin={"l": 50, "r": 10, "t": 20, "b": 40},
        font=_FONT,
        plot_bgcolor="white",
        legend={"orientation": "h", "y": 1.1},
    )
    fig.update_yaxes(gridcolor="#E5E9EE")
    return fig


def gains_losses_figure(
    change: pd.DataFrame,
    *,
    value_col: str = "fulfilment_change",
    weight_col: str = "population",
    height: int = 320,
    title: str | None = "Who gains and who loses",
) -> go.Figure:
    """People by change in share of need met between two runs (percentage points).

    Losses are vermillion, gains blue (colour-blind safe); no change is grey.
    """
    v = pd.to_numeric(change[value_col], errors="coerce").to_numpy(float) * 100
    w = (
        pd.to_numeric(change[weight_col], errors="coerce").to_numpy(float)
        if weight_col in change.columns
        else np.ones(len(v))
    )
    edges = np.array([-100, -50, -25, -10, -1, 1, 10, 25, 50, 100], dtype=float)
    h = _weighted_hist(v, w, edges)
    labels = [
        "-100 to -50",
        "-50 to -25",
        "-25 to -10",
        "-10 to -1",
        "about the same",
        "+1 to +10",
        "+10 to +25",
        "+25 to +50",
        "+50 to +100",
    ]
    colours = [LOSS] * 4 + [SAME] + [GAIN] * 4
    unit = "people" if weight_col in change.columns else "areas"
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=h,
            marker={"color": colours},
            hovertemplate=f"%{{x}} points: %{{y:,.0f}} {unit}<extra></extra>",
        )
    )
    fig.update_layout(
        title={"text": title, "x": 0.01, "font": {"size": 14}} if title else None,
        xaxis_title="change in share of need met (percentage points)",
        yaxis_title=unit,
        height=height,
        margin={"l": 60, "r": 10, "t": 40 if title else 10, "b": 70},
        font=_FONT,
        plot_bgcolor="white",
    )
    fig.update_yaxes(gridcolor="#E5E9EE")
    return fig

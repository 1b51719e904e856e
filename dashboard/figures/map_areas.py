"""Area maps: areas in classes (:class:`AreaClasses`, from a measure or by name) drawn by
:func:`choropleth_map` as a tile map or an offline x/y map."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .classes import _class_labels, _discrete_scale, class_note, classify
from .map_geometry import area_geojson, metric_frame, simplified_outlines, xy_fill
from .map_layout import Render, check_render, legend_rows, map_layout
from .measures import MeasureInfo, format_value, measure_info
from .palette import FLAG_NO, FLAG_YES, NO_DATA, class_colours
from .palette import sequential as _palette
from .style import SCHEMES
from .style import wrap as _wrap


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
    #: what the areas without a value are (e.g. :data:`BEYOND_REACH` on plan maps)
    no_data: str = "no data"

    def legend(self) -> list[dict[str, str]]:
        return [{"label": a, "colour": c} for a, c in zip(self.labels, self.colours, strict=True)]

    def label_of_area(self) -> list[str]:
        return [self.labels[i] if i >= 0 else self.no_data for i in self.of_area]


#: The class of a share-of-need-met map's areas that no plan can serve: no open site with food
#: within the longest delivery (or nothing needed there); one wording for the app and reports
BEYOND_REACH = "beyond every site's reach (or no need)"


def fulfilment_shade(areas: Any, ful: pd.DataFrame) -> Any:
    """``areas``' ids and outlines with a plan's ``fulfilment`` table (``need_kg``, ``met_kg``,
    and the share of need met as :func:`fulfilment_for_map` shows it): what the plan maps of
    the app and the reports colour."""
    shade = areas[["area_id", "geometry"]].assign(area_id=areas["area_id"].astype(str))
    cols = [c for c in ("area_id", "fulfilment", "need_kg", "met_kg", "reachable") if c in ful]
    ful = ful[cols] if len(ful) else pd.DataFrame(columns=cols)
    shade = shade.merge(ful.assign(area_id=ful["area_id"].astype(str)), on="area_id", how="left")
    shade["fulfilment"] = fulfilment_for_map(shade)
    return shade.drop(columns=["reachable"], errors="ignore")


def fulfilment_for_map(ful: pd.DataFrame) -> pd.Series:
    """The share of need met as the plan maps colour it: a plan's ``fulfilment`` table's
    ``fulfilment``, empty (the :data:`BEYOND_REACH` class) where its ``reachable`` is false, so
    the people no plan can serve are not drawn as the plan's worst-served."""
    f = pd.to_numeric(ful["fulfilment"], errors="coerce").astype(float)
    if "reachable" in ful.columns:
        f = f.where(ful["reachable"].fillna(True).astype(bool))
    return f


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
    no_data: str = "no data",
) -> AreaClasses:
    """The classes of :func:`choropleth_map` for ``column`` (see there); areas without a
    value are ``no_data``."""
    _has_column(areas, column)
    info = info or measure_info(column, areas[column])
    raw = areas[column]
    if info.kind == "flag":
        z = raw.astype("float").to_numpy()
        of_area = np.where(np.isfinite(z), np.nan_to_num(z).astype(int), -1)
        return AreaClasses(
            ["no", "yes"], [FLAG_NO, FLAG_YES], of_area, info.title, "yes / no", no_data=no_data
        )
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
        labels,
        list(colours),
        np.asarray(of_area, dtype=int),
        info.title,
        scheme_text,
        note,
        no_data,
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
    no_data: str = "no data",
) -> go.Figure:
    """Areas coloured by ``column`` in classes, with a plain-word legend and hover numbers.

    Yes/no flags get two colours (vermillion for "yes"); numbers are cut into ``k`` classes by
    ``scheme`` (see :func:`classify`; ``scheme="fixed"`` with ``bins`` and ``lowest`` for
    a scale shared by several maps, or without ``bins`` for the catalogue's fixed classes of
    the measure, such as the share of need met, which the reports use too) and coloured with
    a colour-blind-safe ``palette``, the strongest colour for the worse end. ``classes``
    (:func:`named_classes`) gives classes by name instead. ``hover_text`` (one text per area)
    replaces the hover numbers. Areas without a value are the ``no_data`` class (grey).

    ``render="tiles"`` draws MapLibre traces (the app; ``geojson`` from :func:`area_geojson`
    saves re-encoding outlines on every redraw, ``width`` is the panel's expected width, for
    the zoom that shows the whole region); ``render="xy"`` draws the same classes and colours
    on x/y axes in metres, a map that opens offline from a file. ``points`` and ``lines``
    (traces of :func:`point_layers` / :func:`segment_lines` in the same render) go on top.
    The classes are in ``fig.layout.meta["classes"]``; :func:`area_labels` gives each area's. ``layout=False`` leaves the map's layout (view, size, legend) out: for
    the traces and ``meta`` of a redraw patch only.
    """
    check_render(render)
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
            no_data=no_data,
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
        rows = legend_rows(points, lines)
        map_layout(fig, areas, render=render, right=right, legend_rows=rows, **view)
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
            name=classes.no_data,
            meta="no-data",  # which trace this is, whatever its name (area_labels)
            hovertemplate=f"<b>%{{location}}</b><br>{classes.no_data}<extra></extra>",
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
    geoms = simplified_outlines(metric)
    fig = go.Figure()
    groups = [
        (i, lab, col)
        for i, (lab, col) in enumerate(zip(classes.labels, classes.colours, strict=True))
    ]
    groups.append((-1, classes.no_data, NO_DATA))
    for i, lab, colour in groups:
        mask = classes.of_area == i
        if not mask.any():
            continue
        fig.add_trace(
            xy_fill(
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
        if tr.type == "choroplethmap" and (tr.meta == "no-data" or tr.name == "no data"):
            out.update(dict.fromkeys(map(str, tr.locations), str(tr.name)))
        elif tr.type == "choroplethmap":
            out.update({str(i): labels[int(z)] for i, z in zip(tr.locations, tr.z, strict=True)})
        elif tr.type == "scatter" and tr.name == "areas" and tr.ids is not None:
            out.update(zip(map(str, tr.ids), tr.meta, strict=True))
    return out

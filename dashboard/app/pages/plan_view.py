"""The Plan page's views of a run: its KPI cards, its two maps and its week bar.

Pure builders from a run record (``dashboard.plans.solution_record``) and a region's display
tables to what the page shows: :func:`kpi_cards`, :func:`week_cards`, :func:`week_view` and
:func:`plan_maps` (the deliveries map and the share-of-need-met map, whole or as
:class:`dash.Patch` es of the maps on screen). The callbacks that call them are in
:mod:`dashboard.app.pages.plan`.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Patch, html

from ... import figures as F
from ...figures.weeks import transfer_lines, weeks_figure
from ...services import INEQUALITY_KPIS, delivers_nothing
from .common import card, empty_figure

#: Outlines of a figure that is only turned into a patch (which never carries outlines)
NO_OUTLINES: dict[str, Any] = {"type": "FeatureCollection", "features": []}
#: The week outputs of the page's ``VIEW`` for a plan of one period: hidden, empty
HIDDEN = {"display": "none"}
#: The width the Plan page's maps are zoomed for (a half-width panel at 1440 px), so a wide
#: region's east and west ends show.
MAP_WIDTH = 480
#: How the share-of-need-met map is classed: the catalogue's fixed classes, as in the report
FULFILMENT_SHADING: dict[str, Any] = {
    "scheme": "fixed",
    "name_col": None,
    "hover_cols": ("need_kg", "met_kg"),
    "no_data": F.BEYOND_REACH,
}
#: The cards: who is served, the worst-served area *within reach* and who is beyond every site's
#: reach (the worst area overall is 0% whenever someone is out of reach, whatever the goal)
KPI_KEYS = (
    "need_met_share",
    "min_fulfilment_reachable",
    "people_unreachable",
    "people_below_50pct",
    "need_met_kg",
    "transport_cost_usd",
)
#: The cards of a plan over weeks: its horizon (keys of optimize.catalogue's KPIS and
#: NETWORK_KPIS)
HORIZON_KPI_KEYS = (
    "need_met_share",
    "min_fulfilment_area_week_reachable",
    "spoiled_kg",
    "end_stock_kg",
    "transferred_kg",
    "transport_cost_usd",
)
#: The cards of the week shown (columns of ``kpis_by_week``)
WEEK_KPI_KEYS = ("need_met_share", "need_met_kg", "spoiled_kg", "end_stock_kg", "transferred_kg")


def week_marks(weeks: int) -> dict[int, str]:
    """The week slider's marks for a plan of ``weeks`` weeks (0: all weeks)."""
    return {0: "all weeks", **{w: f"week {w}" for w in range(1, weeks + 1)}}


def kpi_cards(run: dict) -> list:
    """The KPI cards of ``run`` (of the whole plan; over its weeks for a plan over weeks)."""
    k = run["kpis"]
    weeks = run.get("weeks")
    keys = list(HORIZON_KPI_KEYS if weeks else KPI_KEYS)
    note = f"over the {weeks} weeks" if weeks else ""
    if delivers_nothing(run):  # no food shared out: no inequality to show
        keys = [x for x in keys if x not in INEQUALITY_KPIS]
    rows = F.kpi_table(k, keys=[x for x in keys if x in k] or None)
    return [card(r["text"], r["label"], note, card_id=f"kpi-{r['key']}") for r in rows[:6]]


def week_cards(run: dict, week: int) -> list:
    """The cards of week ``week`` of a plan over weeks (0: a line saying how to pick one)."""
    by_week = {int(r["week"]): r for r in run.get("kpis_by_week") or []}
    if not week or week not in by_week:
        n = len(by_week)
        return [
            dbc.Col(
                html.P(
                    f"The maps show all {n} weeks together; move the slider to see one week.",
                    className="fs-caption mb-0",
                )
            )
        ]
    rows = F.kpi_table(by_week[week], keys=list(WEEK_KPI_KEYS))
    return [card(r["text"], r["label"], f"week {week}", card_id=f"wk-{r['key']}") for r in rows]


def _week_tables(run: dict, week: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A run's flows, transfers and fulfilment by area in week ``week`` (0: over the plan)."""
    flows = pd.DataFrame(run["flows"])
    transfers = pd.DataFrame(run.get("transfers") or {})
    if not week or "week" not in flows.columns:
        return flows, transfers, pd.DataFrame(run["fulfilment"])
    ful = pd.DataFrame(run.get("fulfilment_by_week") or {})
    if len(ful):
        ful = ful[ful["week"] == week]
    if len(transfers):
        transfers = transfers[transfers["week"] == week]
    return flows[flows["week"] == week], transfers, ful


def _titles(run: dict, week: int) -> tuple[str, str]:
    """The titles of the two maps for the week shown (0: all weeks)."""
    n = run.get("weeks")
    if not n:
        return "Deliveries (kg per period)", "Share of need met, by area"
    when = f"week {week} of {n}" if week else f"all {n} weeks"
    return (
        f"Deliveries and moves, {when}",
        f"Share of need met, {when}",
    )


def week_view(run: dict | None, week: int = 0) -> tuple:
    """The week outputs of the Plan page's ``VIEW``: the week bar and chart of a plan over weeks."""
    n = (run or {}).get("weeks")
    if not n:
        return (
            HIDDEN,
            HIDDEN,
            1,
            week_marks(1),
            0,
            [],
            empty_figure("Week by week: shown for a plan over several weeks"),
        )
    by_week = pd.DataFrame(run["kpis_by_week"])  # type: ignore[index]
    return (
        {},
        {},
        n,
        week_marks(n),
        week,
        week_cards(run, week),  # type: ignore[arg-type]
        weeks_figure(by_week, selected=week or None),
    )


def plan_maps(run: dict, disp: dict, week: int, *, patching: bool, basemap: Any) -> tuple[Any, Any]:
    """The deliveries (and moves between sites) map and the share-of-need-met map of
    ``run`` in week ``week`` (0: the whole plan); with ``patching``, as patches of the maps
    on screen (their outlines, view and sites stay: only the lines and the areas' values,
    colours and titles are built and sent). ``basemap``: the app's map tiles."""
    areas = disp["areas"]  # WGS84 (the maps' CRS): nothing to reproject per run
    flows, transfers, ful = _week_tables(run, week)
    flows_title, ful_title = _titles(run, week)
    # the people no plan can serve are their own class, not the plan's worst-served
    shade = F.fulfilment_shade(areas, ful)
    shading = dict(FULFILMENT_SHADING)
    moved = transfer_lines(disp["sites"], transfers)
    # the switched-off sites, drawn as closed in the weeks they are out (every week: none)
    params = run.get("params") or {}
    off_weeks = params.get("outage_weeks") or ()
    shut = not off_weeks or week in off_weeks
    closed = [str(i) for i in params.get("sites_off") or ()] if shut else []
    if patching:
        lines = F.flow_lines(areas, disp["sites"], flows)
        sites = F.sites_layers(disp["sites"], closed=closed)
        flows_fig: Any = _lines_patch([*lines, moved, *sites])
        flows_fig["layout"]["title"]["text"] = flows_title
        values = F.choropleth_map(shade, "fulfilment", geojson=NO_OUTLINES, layout=False, **shading)
        ful_fig: Any = _values_patch(values)
        ful_fig["layout"]["title"]["text"] = ful_title
        return flows_fig, ful_fig
    flows_fig = F.flows_map(
        areas,
        disp["sites"],
        flows,
        geojson=disp["geojson"],
        basemap=basemap,
        height=420,
        width=MAP_WIDTH,
        closed=closed,
        title=flows_title,
    )
    _insert_after_lines(flows_fig, moved)
    ful_fig = F.choropleth_map(
        shade,
        "fulfilment",
        geojson=disp["geojson"],
        basemap=basemap,
        height=420,
        width=MAP_WIDTH,
        title=ful_title,
        **shading,
    )
    _stack(flows_fig)
    _stack(ful_fig)
    return flows_fig, ful_fig


def _lines_patch(lines: list[Any]) -> Patch:
    """A :class:`dash.Patch` replacing the delivery lines and sites of the deliveries map on
    screen.

    ``lines`` are :func:`figures.flow_lines` and then :func:`figures.sites_layers` with
    ``closed`` (the run's switched-off sites): traces 1 to the last of :func:`figures.flows_map`
    (always the same number for a region); trace 0 (the area outlines) stays.
    """
    patch = Patch()
    for i, tr in enumerate(lines, start=1):
        patch["data"][i] = tr.to_plotly_json() | _layer_keys(i, last=i == len(lines))
    return patch


def _layer_keys(i: int, *, last: bool) -> dict[str, str]:
    """Trace ``i``'s ``uid`` and ``below``: each trace's MapLibre layers just under the next's.

    plotly.js takes traces that share a ``below`` (by default all: "") out of the map and adds
    them back on every redraw, to keep their order; a distinct ``below`` per trace keeps each
    in place, so a redraw only gives the changed traces their new data.
    """
    return {"uid": f"t{i}", "below": "" if last else f"plotly-trace-layer-t{i + 1}-fill"}


def _insert_after_lines(fig: Any, trace: Any) -> None:
    """Put ``trace`` (the moves between sites) right after the delivery lines of a
    :func:`figures.flows_map` (in place), so the traces a week's patch replaces are 1 to n+1
    whatever site kinds follow."""
    n_lines = sum(1 for tr in fig.data if tr.legendgroup == "flows")
    fig.add_trace(trace)
    data = list(fig.data)
    fig.data = (*data[: 1 + n_lines], data[-1], *data[1 + n_lines : -1])


def _stack(fig: Any) -> None:
    """Give every trace of a plan map its :func:`_layer_keys` (in place)."""
    for i, tr in enumerate(fig.data):
        tr.update(_layer_keys(i, last=i == len(fig.data) - 1))


def _values_patch(fig: Any) -> Patch:
    """A :class:`dash.Patch` turning the fulfilment map on screen into ``fig``, without outlines."""
    from .equity_map import map_patch

    return map_patch(fig)

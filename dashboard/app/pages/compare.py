"""Compare: scenario runs side by side, who gains and who loses, and the price of fairness."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html, no_update

from equity import FoodshedError

from ... import figures as F
from ...services import INEQUALITY_KPIS, compare_fulfilment, delivers_nothing, efficiency_equity
from .. import ids
from ..background import background_callback, progress_box
from ..runs import GONE, dropped_note, rename, run_name, same_plans
from .common import (
    GRAPH_CONFIG,
    button,
    catalog,
    empty_figure,
    error_alert,
    panel,
    runs_store,
    settings,
)
from .wiring import ins, outs, states

CHANGE_BANDS = (-0.25, -0.01, 0.01, 0.25, 1.0)
#: what the running curve is doing, its Cancel button and the note left when it was cancelled
CMP_PROGRESS, CMP_CANCEL, CMP_CANCELLED = "cmp-progress", "cmp-cancel", "cmp-cancelled"
KPI_KEYS = (
    "need_met_share",
    "min_fulfilment_reachable",
    "people_unreachable",
    "mean_fulfilment",
    "need_met_kg",
    "people_below_50pct",
    "transport_cost_usd",
    "kg_km",
    "gini_fulfilment",
)


def layout(**_: Any) -> html.Div:
    controls = panel(
        [
            html.H1("Compare runs", className="h5 mb-1"),
            html.P("Runs made on the Plan page in this browser tab.", className="fs-caption"),
            dbc.Label("Runs to compare"),
            dbc.Checklist(id=ids.CMP_RUNS),
            html.Div(id=ids.CMP_RUNS_NOTE, className="fs-card-note"),
            dbc.Label("Compare against", className="mt-2", html_for=ids.CMP_BASE),
            dcc.Dropdown(id=ids.CMP_BASE, clearable=False),
            dbc.Label("Rename a run", className="mt-2", html_for=ids.CMP_RENAME_RUN),
            dcc.Dropdown(id=ids.CMP_RENAME_RUN, clearable=False, placeholder="choose a run"),
            dbc.Label(
                "New name of the run", html_for=ids.CMP_RENAME_TEXT, class_name="visually-hidden"
            ),
            dbc.InputGroup(
                [
                    dbc.Input(
                        id=ids.CMP_RENAME_TEXT,
                        type="text",
                        maxLength=60,
                        placeholder="new name",
                    ),
                    dbc.Button("Rename", id=ids.CMP_RENAME_BTN, color="outline-primary"),
                ],
                size="sm",
                className="mt-1",
            ),
            html.Hr(),
            button(
                "Draw the efficiency/equity curve",
                ids.CMP_CURVE_BTN,
                color="primary",
                class_name="w-100",
            ),
            html.Div(
                "Solves the plan at five equity weights (0, 0.25, 0.5, 0.75, 1), each starting "
                "from the last: about five plans' time.",
                className="fs-card-note mt-1",
            ),
            progress_box(CMP_PROGRESS, CMP_CANCEL, CMP_CANCELLED, ids.CMP_CURVE_BTN),
            html.Hr(),
            button("Clear all runs", ids.CMP_CLEAR, color="outline-secondary", class_name="w-100"),
        ],
        className="fs-controls",
    )
    main = [
        panel(
            [
                html.H6("Key figures side by side"),
                html.Div(id=ids.CMP_SAME, className="fs-caption"),
                html.Div(id=ids.CMP_KPI_TABLE),
                dcc.Graph(id=ids.CMP_KPI_FIG, config=GRAPH_CONFIG),
            ]
        ),
        dbc.Row(
            [
                dbc.Col(
                    panel(
                        [
                            dcc.Graph(id=ids.CMP_GAINS_MAP, config=GRAPH_CONFIG),
                            html.Div(id=ids.CMP_GAINS_TEXT, className="fs-caption"),
                        ]
                    ),
                    lg=6,
                ),
                dbc.Col(panel(dcc.Graph(id=ids.CMP_GAINS_HIST, config=GRAPH_CONFIG)), lg=6),
            ]
        ),
        panel(
            [
                dcc.Loading(
                    dcc.Graph(
                        id=ids.CMP_CURVE,
                        figure=empty_figure("Press the button on the left to draw the curve"),
                    ),
                    type="dot",
                ),
                html.Div(id=ids.CMP_CURVE_TEXT, className="fs-caption"),
            ]
        ),
    ]
    return dbc.Row([dbc.Col(controls, lg=3), dbc.Col(main, lg=9)])


def register_callbacks(app: Any) -> None:
    cat = catalog(app)
    store = runs_store(app)
    basemap = settings(app).basemap

    @app.callback(
        *outs("options", ids.CMP_RUNS),
        *outs("value", ids.CMP_RUNS),
        *outs("options", ids.CMP_BASE),
        *outs("value", ids.CMP_BASE),
        *outs("children", ids.CMP_RUNS_NOTE),
        *outs("options", ids.CMP_RENAME_RUN),
        *ins("data", ids.SESSION_RUNS, ids.SESSION_REGION),
        State(ids.CMP_RUNS, "value"),
        State(ids.CMP_RUNS, "options"),
        State(ids.CMP_BASE, "value"),
    )
    def _runs(runs, key, ticked, listed, base):
        mine = [
            r
            for r in runs or []
            if r.get("region") == (key or "default") and r["status"] != "error"
        ]
        opts = [{"label": run_name(r), "value": r["id"]} for r in mine]
        ids_now = [o["value"] for o in opts]
        # a rename or a new run keeps what was ticked; a run not listed before is ticked
        before = {o["value"] for o in listed or []}
        value = (
            ids_now if ticked is None else [i for i in ids_now if i in ticked or i not in before]
        )
        base = base if base in ids_now else (ids_now[0] if ids_now else None)
        return opts, value, opts, base, dropped_note(runs), opts

    @app.callback(
        Output(ids.SESSION_RUNS, "data", allow_duplicate=True),
        Output(ids.CMP_RENAME_TEXT, "value"),
        Input(ids.CMP_RENAME_BTN, "n_clicks"),
        Input(ids.CMP_RENAME_TEXT, "n_submit"),
        *states("value", ids.CMP_RENAME_RUN, ids.CMP_RENAME_TEXT),
        State(ids.SESSION_RUNS, "data"),
        prevent_initial_call=True,
    )
    def _rename(n, n_submit, run_id, label, runs):
        if not (n or n_submit) or not run_id or not (label or "").strip():
            return no_update, no_update
        return rename(runs, run_id, label), ""

    @app.callback(
        *outs("children", ids.CMP_KPI_TABLE),
        *outs("figure", ids.CMP_KPI_FIG, ids.CMP_GAINS_MAP, ids.CMP_GAINS_HIST),
        *outs("children", ids.CMP_GAINS_TEXT, ids.CMP_SAME),
        *ins("value", ids.CMP_RUNS, ids.CMP_BASE),
        *states("data", ids.SESSION_RUNS, ids.SESSION_REGION),
    )
    def _compare(chosen, base_id, runs, key):
        by_id = {r["id"]: r for r in runs or []}
        sel = [by_id[i] for i in chosen or [] if i in by_id]
        if len(sel) < 1:
            blank = empty_figure("Run at least two plans on the Plan page to compare them")
            return html.P("No runs yet."), blank, blank, blank, "", ""
        names = {r["id"]: run_name(r) for r in sel}
        same = " ".join(
            "Runs "
            + ", ".join(str(r["no"]) for r in g[:-1])
            + f" and {g[-1]['no']} give the same plan."
            for g in same_plans(sel)
        )
        header = html.Thead(html.Tr([html.Th("")] + [html.Th(names[r["id"]]) for r in sel]))
        rows = []
        for k in KPI_KEYS:
            # a plan that delivers nothing has no inequality to show (its Gini means nothing)
            cells = [
                []
                if k in INEQUALITY_KPIS and delivers_nothing(r)
                else F.kpi_table(r["kpis"], keys=[k])
                for r in sel
            ]
            if not any(cells):
                continue
            label = next(c[0]["label"] for c in cells if c)
            rows.append(
                html.Tr([html.Th(label)] + [html.Td(c[0]["text"] if c else "-") for c in cells])
            )
        table = dbc.Table(
            [header, html.Tbody(rows)],
            bordered=False,
            hover=True,
            size="sm",
            responsive=True,
            striped=True,
        )
        kfig = F.comparison_kpi_figure(
            {names[r["id"]]: r["kpis"] for r in sel},
            keys=("need_met_share", "min_fulfilment_reachable", "mean_fulfilment"),
        )
        base = by_id.get(base_id) or sel[0]
        others = [r for r in sel if r["id"] != base["id"]]
        if not others:
            blank = empty_figure("Pick a second run to see who gains and who loses")
            return table, kfig, blank, blank, "", same
        alt = others[-1]
        base_no, alt_no = base.get("no", "?"), alt.get("no", "?")
        base_full, alt_full = store.full(base), store.full(alt)
        if base_full is None or alt_full is None:
            blank = empty_figure("Run the plans again to compare them area by area")
            return table, kfig, blank, blank, GONE, same
        change = compare_fulfilment(base_full, alt_full)
        try:
            areas = cat.region(key).areas
            disp = cat.display(key)
        except FoodshedError as exc:
            blank = empty_figure(str(exc))
            return table, kfig, blank, blank, error_alert(exc, "Cannot draw the map"), same
        shade = areas[["area_id", "geometry"]].assign(area_id=areas["area_id"].astype(str))
        shade = shade.merge(change[["area_id", "fulfilment_change"]], on="area_id", how="left")
        gmap = F.choropleth_map(
            shade,
            "fulfilment_change",
            scheme="fixed",
            bins=CHANGE_BANDS,
            lowest=-1.0,
            palette="cividis",
            name_col=None,
            geojson=disp["geojson"],
            basemap=basemap,
            height=420,
            title=f"Change in share of need met: run {alt_no} vs run {base_no}",
        )
        hist = F.gains_losses_figure(
            change, title=f"Who gains and who loses: run {alt_no} vs run {base_no}"
        )
        pop = change["population"].fillna(0)
        gain = float(pop[change["fulfilment_change"] > 0.01].sum())
        loss = float(pop[change["fulfilment_change"] < -0.01].sum())
        text = (
            f"Compared with run {base_no}, run {alt_no} serves {gain:,.0f} people better and "
            f"{loss:,.0f} people worse (a change of more than 1 percentage point)."
        )
        return table, kfig, gmap, hist, text, same

    # run off the web server's threads, with progress and Cancel (dashboard/app/background.py)
    @background_callback(
        app,
        Output(ids.CMP_CURVE, "figure"),
        Output(ids.CMP_CURVE_TEXT, "children"),
        Input(ids.CMP_CURVE_BTN, "n_clicks"),
        State(ids.SESSION_REGION, "data"),
        prevent_initial_call=True,
        running=[(Output(ids.CMP_CURVE_BTN, "disabled"), True, False)],
        progress_id=CMP_PROGRESS,
        cancel_id=CMP_CANCEL,
        note_id=CMP_CANCELLED,
        start_id=ids.CMP_CURVE_BTN,
        cancelled="Curve cancelled: press the button to draw it again.",
    )
    def _curve(set_progress, n, key):
        if not n:  # fired because the page was opened, not clicked
            return no_update, no_update
        set_progress("Loading the region...")
        try:
            curve = efficiency_equity(cat.region(key), progress=set_progress)
        except FoodshedError as exc:
            return empty_figure(str(exc)), error_alert(exc, "The curve could not be drawn")
        return F.efficiency_equity_figure(curve), F.fairness_summary(curve)

    @app.callback(
        Output(ids.SESSION_RUNS, "data", allow_duplicate=True),
        Input(ids.CMP_CLEAR, "n_clicks"),
        prevent_initial_call=True,
    )
    def _clear(n):
        # the button is new each time the page opens; only a real click clears the runs
        return [] if n else no_update

"""Plan: edit a scenario, run the allocation, and read the plan."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, Input, Output, State, dcc, html, no_update

from equity import FoodshedError

from ... import figures as F
from ...figures.weeks import weeks_figure
from ...services import (
    OBJECTIVES,
    PlanParams,
    bundled_scenarios_dir,
    jsonable,
    list_scenarios,
    plan_warning,
    report_html,
    scenario_controls,
    solve_plan,
)
from .. import ids
from ..background import background_callback, progress_box
from ..runs import GONE, REPORT_GONE, dropped_note, keep_newest
from ..uploads import safe_csv
from .common import (
    NumberRule,
    button,
    catalog,
    empty_figure,
    error_alert,
    graph_config,
    invalid_flags,
    number_input,
    page_row,
    panel,
    refused,
    runs_store,
    settings,
)
from .plan_view import HIDDEN, kpi_cards, plan_maps, week_cards, week_marks, week_view
from .wiring import ins, outs, states

#: dcc.Store: the region whose outlines the two plan maps on screen hold (so a re-run patches
#: the values and lines only, without sending the outlines again)
PL_SHOWN = "pl-shown"
#: the box around the run's status line (dimmed while a plan runs)
PL_STATUS_BOX = "pl-status-box"
#: the note naming the estimated inputs of a run built on documented estimates
PL_ESTIMATED = "pl-estimated"
#: what a running plan is doing, its Cancel button and the note left when it was cancelled
PL_PROGRESS, PL_CANCEL, PL_CANCELLED = "pl-progress", "pl-cancel", "pl-cancelled"
#: the box of the chart by week (shown for plans over weeks)
PL_WEEKS_CHART_BOX = "pl-weeks-chart-box"
#: The most weeks the page plans at once (the LP grows with every week)
MAX_WEEKS = 12
#: What shows a run: (component id, property), the outputs of the run and the show callbacks
VIEW = (
    (ids.PL_KPIS, "children"),
    (ids.PL_FLOWS_MAP, "figure"),
    (ids.PL_FULFIL_MAP, "figure"),
    (ids.PL_FULFIL_HIST, "figure"),
    (ids.PL_UNMET, "figure"),
    (ids.PL_BINDING, "children"),
    (PL_SHOWN, "data"),
    # plans over weeks: the week bar and chart (hidden for a one-period plan)
    (ids.PL_WEEK_BOX, "style"),
    (PL_WEEKS_CHART_BOX, "style"),
    (ids.PL_WEEK, "max"),
    (ids.PL_WEEK, "marks"),
    (ids.PL_WEEK, "value"),
    (ids.PL_WEEK_KPIS, "children"),
    (ids.PL_WEEKS_CHART, "figure"),
)
#: What each number box of the page accepts (checked as typed, and again before a run)
RULES = {
    ids.PL_BUDGET: NumberRule(
        "Enter a budget of $0 or more, or leave the box empty for no limit.", lo=0
    ),
    ids.PL_MAX_DIST: NumberRule(
        "Enter a distance from 0.5 to 500 km.", lo=0.5, hi=500, required=True
    ),
    ids.PL_SURGE_PCT: NumberRule("Enter a percentage from 0 to 500.", lo=0, hi=500, required=True),
    ids.PL_WEEKS: NumberRule(
        f"Enter a whole number of weeks from 1 to {MAX_WEEKS}.",
        lo=1,
        hi=MAX_WEEKS,
        required=True,
        whole=True,
    ),
    ids.PL_MAX_TRANSFER: NumberRule(
        "Enter a distance from 0.5 to 500 km, or leave the box empty for no moves.",
        lo=0.5,
        hi=500,
    ),
}
STATUS_TEXT = {
    "optimal": "solved: this is the best plan for the goal",
    "time_limit": (
        "stopped at the time limit: not optimal (every figure is what this plan's flows "
        "deliver; allow more time for the best plan)"
    ),
    "no_solution": "stopped at the time limit before finding a plan; allow more time",
    "infeasible": "no plan meets every hard limit; loosen the budget or the longest delivery",
    "unbounded": "the problem is unbounded; check the costs and limits",
}


def layout(**_: Any) -> html.Div:
    surge, surge_note = number_input(ids.PL_SURGE_PCT, RULES[ids.PL_SURGE_PCT], value=0)
    controls = panel(
        [
            html.H1("Plan a scenario", className="h5 mb-1"),
            html.P("Set the goal and what changes, then run the plan.", className="fs-caption"),
            dbc.Label("Start from a scenario file (optional)", html_for=ids.PL_SCENARIO),
            dcc.Dropdown(
                id=ids.PL_SCENARIO, placeholder="edit the settings below", optionHeight=60
            ),
            html.Div(id=ids.PL_SCENARIO_NOTE, className="fs-card-note"),
            dbc.Label("Goal", html_for=ids.PL_OBJECTIVE, className="mt-2"),
            dcc.Dropdown(
                id=ids.PL_OBJECTIVE,
                options=[{"label": v, "value": k} for k, v in OBJECTIVES.items()],
                value="balanced",
                clearable=False,
                optionHeight=48,
            ),
            html.Div(
                [
                    dbc.Label("Season or period", html_for=ids.PL_PERIOD, className="mt-2"),
                    dcc.Dropdown(id=ids.PL_PERIOD, clearable=False),
                ],
                id=ids.PL_PERIOD + "-box",
            ),
            dbc.Label(
                "Equity weight (0 = most food, 1 = fairest)",
                html_for=ids.PL_EQUITY_WEIGHT,
                className="mt-2",
            ),
            dcc.Slider(
                id=ids.PL_EQUITY_WEIGHT,
                min=0,
                max=1,
                step=0.05,
                value=0.5,
                marks={0: "0", 0.5: "0.5", 1: "1"},
            ),
            dbc.Label(
                "Transport budget (USD per period, empty = no limit)",
                html_for=ids.PL_BUDGET,
                className="mt-2",
            ),
            *number_input(ids.PL_BUDGET, RULES[ids.PL_BUDGET], placeholder="no limit"),
            dbc.Label("Longest delivery (km)", html_for=ids.PL_MAX_DIST, className="mt-2"),
            *number_input(ids.PL_MAX_DIST, RULES[ids.PL_MAX_DIST], value=8),
            dbc.Label("Weeks to plan", html_for=ids.PL_WEEKS, className="mt-2"),
            *number_input(ids.PL_WEEKS, RULES[ids.PL_WEEKS], value=1),
            dbc.Label(
                "Longest move between sites (km, empty = none)",
                html_for=ids.PL_MAX_TRANSFER,
                className="mt-2",
            ),
            *number_input(ids.PL_MAX_TRANSFER, RULES[ids.PL_MAX_TRANSFER], placeholder="no moves"),
            html.Hr(),
            html.H6("What changes"),
            dbc.Label("Sites switched off", html_for=ids.PL_SITES_OFF),
            dcc.Dropdown(id=ids.PL_SITES_OFF, multi=True, placeholder="none"),
            dcc.Dropdown(
                id=ids.PL_OUTAGE_WEEKS,
                multi=True,
                placeholder="in every week",
                options=_week_options(1),
                className="mt-1",
            ),
            dbc.Label("Yield, % of normal, by kind of site", className="mt-2"),
            html.Div(id=ids.PL_YIELD_KIND),
            dbc.Label("Need surges in these areas", html_for=ids.PL_SURGE_AREAS, className="mt-2"),
            dcc.Dropdown(id=ids.PL_SURGE_AREAS, multi=True, placeholder="none"),
            dbc.Label(
                "Extra need there, %", html_for=ids.PL_SURGE_PCT, className="visually-hidden"
            ),
            dbc.InputGroup(
                [
                    surge,
                    dbc.InputGroupText("% more need"),
                    surge_note,
                ],
                size="sm",
                className="mt-1 has-validation",
            ),
            html.Hr(),
            dbc.Label("Name of this run (optional)", html_for=ids.PL_LABEL),
            dbc.Input(
                id=ids.PL_LABEL, type="text", maxLength=60, placeholder="e.g. Eastside outage"
            ),
            dbc.Button("Run the plan", id=ids.PL_RUN, color="primary", className="mt-3 w-100"),
            # where the click was: what the run is doing, Cancel, "Run cancelled"
            progress_box(PL_PROGRESS, PL_CANCEL, PL_CANCELLED, ids.PL_RUN),
        ],
        className="fs-controls",
    )
    main = [
        dcc.Store(id=PL_SHOWN, storage_type="memory"),
        # no animated spinner while a plan runs: drawn in software, it takes CPU from the solver
        # on a small machine (docs/dashboard.md, Speed); the button says "Running..." and the
        # last run's status is dimmed instead
        html.Div(html.Div(id=ids.PL_STATUS), id=PL_STATUS_BOX, className="fs-lead"),
        dbc.Row(id=ids.PL_KPIS, className="g-2 mb-1 fs-lead"),
        panel(
            [
                dbc.Label("Week shown on the maps", html_for=ids.PL_WEEK, className="mb-0"),
                dcc.Slider(id=ids.PL_WEEK, min=0, max=1, step=1, value=0, marks=week_marks(1)),
                dbc.Row(id=ids.PL_WEEK_KPIS, className="g-2 mt-1"),
            ],
            id=ids.PL_WEEK_BOX,
            style=HIDDEN,
        ),
        dbc.Row(
            [
                dbc.Col(
                    panel(dcc.Graph(id=ids.PL_FLOWS_MAP, config=graph_config("deliveries"))), lg=6
                ),
                dbc.Col(
                    panel(dcc.Graph(id=ids.PL_FULFIL_MAP, config=graph_config("share-of-need"))),
                    lg=6,
                ),
            ]
        ),
        panel(
            dcc.Graph(
                id=ids.PL_WEEKS_CHART,
                config=graph_config("weeks"),
                figure=empty_figure("Week by week: shown for a plan over several weeks"),
            ),
            id=PL_WEEKS_CHART_BOX,
            style=HIDDEN,
        ),
        dbc.Row(
            [
                dbc.Col(
                    panel(
                        dcc.Graph(
                            id=ids.PL_FULFIL_HIST, config=graph_config("people-by-share-of-need")
                        )
                    ),
                    lg=6,
                ),
                dbc.Col(
                    panel(dcc.Graph(id=ids.PL_UNMET, config=graph_config("need-not-met"))), lg=6
                ),
            ]
        ),
        panel(
            [
                html.H6("What limits the plan"),
                html.Div(id=ids.PL_BINDING, className="fs-caption"),
                html.Div(
                    [
                        button("Flows (CSV)", ids.PL_DL_FLOWS, class_name="me-2"),
                        button("Fulfilment (CSV)", ids.PL_DL_FULFIL, class_name="me-2"),
                        button("Manifest (JSON)", ids.PL_DL_MANIFEST, class_name="me-2"),
                        button("Report (HTML)", ids.PL_DL_REPORT, color="primary"),
                    ],
                    className="mt-2",
                ),
                dcc.Loading(dcc.Download(id=ids.PL_DOWNLOAD), type="dot"),
            ]
        ),
    ]
    return page_row(controls, main)


def _week_options(weeks: int) -> list[dict[str, Any]]:
    return [{"label": f"in week {w}", "value": w} for w in range(1, weeks + 1)]


def _latest(runs: list[dict] | None, key: str | None) -> dict | None:
    mine = [r for r in runs or [] if r.get("region") == (key or "default")]
    return mine[-1] if mine else None


def _params(
    objective,
    weight,
    budget,
    max_km,
    sites_off,
    yield_vals,
    yield_ids,
    surge_areas,
    surge_pct,
    label,
    weeks=1,
    max_transfer_km=None,
    outage_weeks=None,
) -> PlanParams:
    yields = tuple(
        (i["kind"], float(v))
        for i, v in zip(yield_ids or [], yield_vals or [], strict=False)
        if v is not None
    )
    return PlanParams(
        objective=objective or "balanced",
        equity_weight=float(weight if weight is not None else 0.5),
        budget_usd=float(budget) if budget not in (None, "") else None,
        max_distance_km=float(max_km) if max_km not in (None, "") else None,
        sites_off=tuple(sites_off or ()),
        yield_pct=yields,
        surge_areas=tuple(surge_areas or ()),
        surge_pct=float(surge_pct or 0),
        label=(label or "").strip(),
        weeks=int(min(max(int(weeks or 1), 1), MAX_WEEKS)),
        max_transfer_km=(float(max_transfer_km) if max_transfer_km not in (None, "") else None),
        outage_weeks=tuple(sorted(int(w) for w in outage_weeks or ())),
    )


def register_callbacks(app: Any) -> None:
    cat = catalog(app)
    store = runs_store(app)
    basemap = settings(app).basemap
    scenario_dir = settings(app).scenarios_dir or bundled_scenarios_dir()

    @app.callback(
        Output(ids.PL_SITES_OFF, "options"),
        Output(ids.PL_SURGE_AREAS, "options"),
        Output(ids.PL_YIELD_KIND, "children"),
        Output(ids.PL_PERIOD, "options"),
        Output(ids.PL_PERIOD, "value"),
        Output(ids.PL_PERIOD + "-box", "style"),
        Output(ids.PL_SCENARIO, "options"),
        Input(ids.SESSION_REGION, "data"),
    )
    def _options(key):
        try:
            region = cat.region(key)
        except FoodshedError:
            return [], [], [], [], None, {"display": "none"}, []
        periods = [{"label": str(p), "value": str(p)} for p in region.periods]
        period_box = {} if periods else {"display": "none"}
        sites = region.sites
        names = sites["name"] if "name" in sites.columns else sites["site_id"]
        site_opts = [
            {"label": f"{n} ({k})", "value": str(s)}
            for s, n, k in zip(
                sites["site_id"], names.fillna(sites["site_id"]), sites["kind"], strict=True
            )
        ]
        areas = region.areas
        anames = areas["name"] if "name" in areas.columns else areas["area_id"]
        area_opts = [
            {"label": f"{n} ({a})" if n != a else str(a), "value": str(a)}
            for a, n in zip(areas["area_id"], anames.fillna(areas["area_id"]), strict=True)
        ]
        kinds = sorted(sites["kind"].astype(str).unique())
        sliders = [
            dbc.Row(
                [
                    dbc.Col(html.Small(k), width=3),
                    dbc.Col(
                        # the slider's name, for a screen reader (assets/foodshed-a11y.js)
                        html.Div(
                            dcc.Slider(
                                id={"type": ids.PL_YIELD_PCT, "kind": k},
                                min=0,
                                max=200,
                                step=10,
                                value=100,
                                marks={0: "0", 100: "100", 200: "200"},
                                tooltip={"placement": "bottom"},
                            ),
                            **{"data-fs-label": f"Yield of {k} sites, % of normal"},
                        ),
                        width=9,
                    ),
                ],
                className="g-1 align-items-center",
            )
            for k in kinds
        ]
        scenarios = list_scenarios(scenario_dir, region)
        return site_opts, area_opts, sliders, periods, region.default_period, period_box, scenarios

    @app.callback(
        Output(ids.PL_OBJECTIVE, "value"),
        Output(ids.PL_PERIOD, "value", allow_duplicate=True),
        *outs("value", ids.PL_EQUITY_WEIGHT, ids.PL_BUDGET, ids.PL_MAX_DIST, ids.PL_SITES_OFF),
        Output({"type": ids.PL_YIELD_PCT, "kind": ALL}, "value"),
        *outs(
            "value",
            ids.PL_SURGE_AREAS,
            ids.PL_SURGE_PCT,
            ids.PL_LABEL,
            ids.PL_WEEKS,
            ids.PL_MAX_TRANSFER,
        ),
        Output(ids.PL_OUTAGE_WEEKS, "options", allow_duplicate=True),
        Output(ids.PL_OUTAGE_WEEKS, "value"),
        Output(ids.PL_SCENARIO_NOTE, "children"),
        Input(ids.PL_SCENARIO, "value"),
        State(ids.SESSION_REGION, "data"),
        State({"type": ids.PL_YIELD_PCT, "kind": ALL}, "id"),
        prevent_initial_call=True,
    )
    def _scenario(path, key, yield_ids):
        if not path:
            return (no_update,) * 14 + ("",)
        try:
            c = scenario_controls(path, cat.region(key))
        except FoodshedError as exc:
            return (no_update,) * 14 + (error_alert(exc, "The scenario could not be read"),)
        yields = [c["yield_pct"].get(i["kind"], 100) for i in yield_ids or []]
        notes = html.Ul([html.Li(n) for n in c["notes"]]) if c["notes"] else ""
        return (
            c["objective"],
            c["period"],
            c["equity_weight"],
            c["budget_usd"],
            c["max_distance_km"],
            c["sites_off"],
            yields,
            c["surge_areas"],
            c["surge_pct"],
            c["label"],
            c["weeks"],
            c["max_transfer_km"],
            _week_options(min(c["weeks"], MAX_WEEKS)),
            c["outage_weeks"],
            notes,
        )

    @app.callback(
        *[Output(i, "invalid") for i in RULES],
        *[Input(i, "value") for i in RULES],
    )
    def _check(*values):
        return invalid_flags(RULES, list(values))

    def view(run: dict | None, key: str | None, shown: str | None) -> tuple:
        """What the page shows for ``run`` (a whole run, tables included; or None).

        The outputs of :data:`VIEW`. The two maps are patched (values and lines only) when
        ``shown`` says the maps on screen hold this region's outlines.
        """
        if run is None or run["status"] == "error":
            text = "Set a scenario on the left and press Run the plan."
            blank = empty_figure(text, height=420)
            return [], blank, blank, empty_figure(""), empty_figure(""), "", None, *week_view(None)
        try:
            disp = cat.display(key)
        except FoodshedError as exc:
            blank = empty_figure(str(exc))
            return [], blank, blank, blank, blank, "", None, *week_view(None)
        drawn = key or "default"
        # patched when the maps on screen hold this region's outlines
        flows_fig, ful_fig = plan_maps(run, disp, 0, patching=shown == drawn, basemap=basemap)
        hist = F.fulfilment_histogram(pd.DataFrame(run["fulfilment"]))
        unmet_t = pd.DataFrame(run["unmet"])  # the foods by name (a run of an older version: ids)
        unmet = F.unmet_by_commodity(
            unmet_t, commodity_col="name" if "name" in unmet_t.columns else "commodity"
        )
        binding = run.get("binding") or []
        items = (
            html.Ul([html.Li(b) for b in binding[:6]])
            if binding
            else html.P(
                "No site or budget is at its limit: more supply would not change this plan."
            )
        )
        return kpi_cards(run), flows_fig, ful_fig, hist, unmet, items, drawn, *week_view(run)

    # One callback runs the plan and draws it: a second callback fed by the session's store
    # would cost a round trip more, and its outputs turning "loading" made dcc.Graph redraw
    # every graph on the page (both maps in software WebGL) before the answer came.
    # run off the web server's threads, with progress and Cancel (dashboard/app/background.py)
    @background_callback(
        app,
        Output(ids.SESSION_RUNS, "data", allow_duplicate=True),
        Output(ids.PL_STATUS, "children"),
        *[Output(i, prop, allow_duplicate=True) for i, prop in VIEW],
        Input(ids.PL_RUN, "n_clicks"),
        *states("data", ids.SESSION_REGION, ids.SESSION_RUNS, PL_SHOWN),
        *states("value", ids.PL_OBJECTIVE, ids.PL_PERIOD, ids.PL_EQUITY_WEIGHT, ids.PL_BUDGET),
        *states("value", ids.PL_MAX_DIST, ids.PL_SITES_OFF),
        State({"type": ids.PL_YIELD_PCT, "kind": ALL}, "value"),
        State({"type": ids.PL_YIELD_PCT, "kind": ALL}, "id"),
        *states("value", ids.PL_SURGE_AREAS, ids.PL_SURGE_PCT, ids.PL_LABEL, ids.PL_WEEKS),
        *states("value", ids.PL_MAX_TRANSFER, ids.PL_OUTAGE_WEEKS),
        prevent_initial_call=True,
        running=[
            (Output(ids.PL_RUN, "disabled"), True, False),
            (Output(ids.PL_RUN, "children"), "Running...", "Run the plan"),
            (Output(PL_STATUS_BOX, "style"), {"opacity": 0.45}, {}),
        ],
        progress_id=PL_PROGRESS,
        cancel_id=PL_CANCEL,
        note_id=PL_CANCELLED,
        start_id=ids.PL_RUN,
        cancelled="Run cancelled: the plan was stopped before it finished. Press Run the plan "
        "to start it again.",
    )
    def _run(set_progress, n, key, runs, shown, objective, period, *controls):
        unchanged = (no_update,) * len(VIEW)
        if not n:  # Dash fires it when the page is opened; only a click runs a plan
            return no_update, no_update, *unchanged
        # the controls after the period, in the order of _params
        _, budget, max_km, *_, surge_pct, _, weeks, max_transfer, _ = controls
        stop = refused(
            RULES, [budget, max_km, surge_pct, weeks, max_transfer], "The plan did not run"
        )
        if stop is not None:
            return no_update, stop, *unchanged
        params = _params(objective, *controls)
        if period:
            params = replace(params, period=str(period))
        set_progress("Loading the region...")
        try:
            region = cat.region(key)
        except FoodshedError as exc:
            return no_update, error_alert(exc, "The plan could not run"), *unchanged
        run, solution = solve_plan(
            region, params, region_key=key or "default", progress=set_progress
        )
        # the session keeps the run's KPIs and key; its tables (and plan) stay on the server
        runs = keep_newest(runs, store.put(run, solution))
        set_progress("Drawing the maps...")
        shows = view(run, key, shown)
        if run["status"] == "error":
            return runs, error_alert(Exception(run["message"]), "The plan could not run"), *shows
        status = STATUS_TEXT.get(run["status"], f"finished with status {run['status']}")
        warning = plan_warning(run)
        if warning:
            status = warning.rstrip(".")
        note = [
            html.Strong(f"Run {runs[-1]['no']} \u201c{run['label']}\u201d: "),
            html.Span(f"{status} ({run['kpis'].get('solve_time_s', 0):.1f} s). "),
        ]
        if run.get("message"):
            note.append(html.Span(run["message"]))
        if runs[-1]["dropped"] > (runs[-2].get("dropped", 0) if len(runs) > 1 else 0):
            note.append(html.Div(dropped_note(runs), className="small mt-1"))
        estimated = (run.get("manifest") or {}).get("estimated") or {}
        if estimated:
            note.append(
                html.Div(
                    [html.Strong("Estimated inputs: ")]
                    + [f"{t}: {how}. " for t, how in estimated.items() if t != "commodities"],
                    id=PL_ESTIMATED,
                    className="small mt-1",
                )
            )
        colour = "success" if run["status"] == "optimal" and not warning else "warning"
        return runs, dbc.Alert(note, color=colour, className="mb-2 py-2"), *shows

    # the page opened or the region changed: show the session's latest run of the region
    # (the session's runs are read, not watched: a run draws itself, above)
    @app.callback(
        *[Output(i, prop) for i, prop in VIEW],
        Input(ids.SESSION_REGION, "data"),
        State(ids.SESSION_RUNS, "data"),
        State(PL_SHOWN, "data"),
    )
    def _show(key, runs, shown):
        run = _latest(runs, key)
        if run is None or run["status"] == "error":
            return view(None, key, shown)
        full = store.full(run)
        if full is None:
            blank = empty_figure("Run the plan again", height=420)
            gone = dbc.Alert(GONE, color="warning", className="mb-2 py-2")
            return (
                kpi_cards(run),
                blank,
                blank,
                empty_figure(""),
                empty_figure(""),
                gone,
                None,
                *week_view(None),
            )
        return view(full, key, shown)

    # the week shown of a plan over weeks: the maps are patched (the lines and the areas'
    # values), the week's cards and the chart by week drawn again
    week_outputs = (
        (ids.PL_FLOWS_MAP, "figure"),
        (ids.PL_FULFIL_MAP, "figure"),
        (ids.PL_WEEK_KPIS, "children"),
        (ids.PL_WEEKS_CHART, "figure"),
    )

    @app.callback(
        *[Output(i, prop, allow_duplicate=True) for i, prop in week_outputs],
        Input(ids.PL_WEEK, "value"),
        State(ids.SESSION_REGION, "data"),
        State(ids.SESSION_RUNS, "data"),
        State(PL_SHOWN, "data"),
        prevent_initial_call=True,
    )
    def _week(week, key, runs, shown):
        light = _latest(runs, key)
        if light is None or not light.get("weeks") or shown != (key or "default"):
            return (no_update,) * 4
        run = store.full(light)
        if run is None:  # the run's tables are gone (the page says so)
            return (no_update,) * 4
        week = int(week or 0)
        flows_fig, ful_fig = plan_maps(run, cat.display(key), week, patching=True, basemap=basemap)
        chart = weeks_figure(pd.DataFrame(run["kpis_by_week"]), selected=week or None)
        return flows_fig, ful_fig, week_cards(run, week), chart

    @app.callback(
        Output(ids.PL_OUTAGE_WEEKS, "options"),
        Input(ids.PL_WEEKS, "value"),
    )
    def _outage_weeks(weeks):
        return _week_options(int(min(max(int(weeks or 1), 1), MAX_WEEKS)))

    @app.callback(
        Output(ids.PL_DOWNLOAD, "data"),
        Output(ids.PL_STATUS, "children", allow_duplicate=True),
        *ins("n_clicks", ids.PL_DL_FLOWS, ids.PL_DL_FULFIL, ids.PL_DL_MANIFEST, ids.PL_DL_REPORT),
        *states("data", ids.SESSION_RUNS, ids.SESSION_REGION),
        prevent_initial_call=True,
    )
    def _download(n_f, n_u, n_m, n_r, runs, key):
        from dash import ctx

        if not (n_f or n_u or n_m or n_r):  # fired because the page was opened, not clicked
            return no_update, no_update
        run = store.full(_latest(runs, key))
        if run is None:  # no run, or its tables are gone (the plan page says so)
            return no_update, no_update
        stem = f"run-{run.get('no', run['id'])}"

        def file(content: str, suffix: str, kind: str) -> tuple[dict[str, str], Any]:
            return {"content": content, "filename": f"{stem}-{suffix}", "type": kind}, no_update

        if ctx.triggered_id == ids.PL_DL_FLOWS:
            return file(safe_csv(pd.DataFrame(run["flows"])), "flows.csv", "text/csv")
        if ctx.triggered_id == ids.PL_DL_FULFIL:
            return file(safe_csv(pd.DataFrame(run["fulfilment"])), "fulfilment.csv", "text/csv")
        if ctx.triggered_id == ids.PL_DL_REPORT:
            solution = store.solution(_latest(runs, key))
            if solution is None:
                return no_update, dbc.Alert(REPORT_GONE, color="warning", className="mb-2 py-2")
            text = report_html(
                cat.region(key), solution, label=run["label"], areas=cat.analysis(key)
            )
            return file(text, "report.html", "text/html")
        manifest = {
            "label": run["label"],
            "params": run["params"],
            "kpis": run["kpis"],
            "status": run["status"],
            **(run.get("manifest") or {}),
        }
        text = json.dumps(manifest, indent=2, default=jsonable)
        return file(text, "manifest.json", "application/json")

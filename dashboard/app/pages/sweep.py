"""Sweep: look at a finished (or partly finished) ``foodshed sweep`` folder.

Pick one of the sweeps found under :attr:`Settings.sweeps_dir` (the folder the dashboard was
started in by default), or type any folder on this computer when server folders are allowed
(only on a loopback server, as on the Data page). Shows the KPI distributions, the
efficiency/equity frontier, the resilience figures and the vulnerable (LILA) areas most often
below the fulfilment threshold, for the scenarios that finished.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import Input, Output, State, ctx, dcc, html, no_update

from equity import FoodshedError

from ...figures.sweep import (
    SWEEP_KPIS,
    compact_grid_labels,
    distribution_figure,
    frontier_figure,
    resilience_figure,
)
from ...figures.sweep import pct_text as _pct
from ...sweeps import SweepView, find_sweeps, open_sweep
from .. import ids
from .common import GRAPH_CONFIG, card, empty_figure, error_alert, folder_picker, panel, settings

__all__ = ["kpi_options", "layout", "register_callbacks", "render", "sweep_root"]

#: KPIs offered for the distribution chart (those present in the sweep are shown).
KPI_CHOICES = SWEEP_KPIS
#: the line naming the inputs that are documented estimates
SW_ESTIMATED = "sw-estimated"


def sweep_root(st: Any) -> Path:
    """Folder searched for sweeps: ``Settings.sweeps_dir``, else the working directory."""
    return Path(st.sweeps_dir or os.getcwd()).expanduser()


def _options(st: Any) -> list[dict[str, str]]:
    root = sweep_root(st)
    opts = []
    for p in find_sweeps(root):
        rel = "." if p == root else str(p.relative_to(root))
        done = "" if (p / "summary.json").exists() else " (unfinished)"
        opts.append({"label": f"{rel}{done}", "value": str(p)})
    return opts


def layout(**_: Any) -> html.Div:
    from flask import current_app

    st = current_app.config["FOODSHED_SETTINGS"]
    opts = _options(st)
    root = sweep_root(st)
    finished = [o["value"] for o in opts if not o["label"].endswith("(unfinished)")]
    start = (finished or [o["value"] for o in opts] or [None])[0]
    folder = folder_picker(
        "Or open a sweep folder on this computer",
        input_id=ids.SW_FOLDER,
        button_id=ids.SW_OPEN,
        button_text="Open",
        placeholder="/path/to/sweep-out",
        allowed=st.allow_folders,
        hidden=dcc.Store(id=ids.SW_FOLDER),
    )
    controls = panel(
        [
            html.H5("A finished sweep", className="mb-1"),
            html.P(
                [
                    "Folders written by ",
                    html.Code("foodshed sweep SPEC.toml --out DIR"),
                    f", found under {root}.",
                ],
                className="fs-caption",
            ),
            dcc.Dropdown(
                id=ids.SW_CHOICE,
                options=opts,
                value=start,
                placeholder="no sweep found here" if not opts else "choose a sweep",
                clearable=False,
            ),
            *folder,
            html.Hr(),
            dbc.Label("Fulfilment threshold (%)"),
            dbc.Input(
                id=ids.SW_THRESHOLD,
                type="number",
                min=0,
                max=100,
                step=5,
                placeholder="the spec's",
                debounce=True,
            ),
            dbc.Label("Distribution of", className="mt-2"),
            dcc.Dropdown(
                id=ids.SW_KPI,
                options=kpi_options(start, st),
                value="need_met_share",
                clearable=False,
            ),
            dcc.Store(id=ids.SW_PATH, data=start),
        ],
        className="fs-controls",
    )

    def graph(gid: str) -> Any:
        return panel(dcc.Loading(dcc.Graph(id=gid, config=GRAPH_CONFIG, style={"height": "380px"})))

    right = [
        html.Div(id=ids.SW_STATUS),
        dbc.Row(id=ids.SW_CARDS, className="g-2 mb-2"),
        dbc.Row([dbc.Col(graph(ids.SW_FRONTIER), lg=6), dbc.Col(graph(ids.SW_RESILIENCE), lg=6)]),
        dbc.Row(
            [
                dbc.Col(graph(ids.SW_DIST), lg=6),
                dbc.Col(panel(html.Div(id=ids.SW_RISK)), lg=6),
            ]
        ),
    ]
    return dbc.Row([dbc.Col(controls, lg=3), dbc.Col(right, lg=9)])


def risk_table(view: SweepView) -> Any:
    """The vulnerable areas most often below the threshold, as a table."""
    t = view.summary["threshold"]
    flag = view.summary.get("flag") or "vulnerable"
    risk = view.risk[view.risk["below"] > 0] if len(view.risk) else view.risk
    head = html.H6(f"{flag} areas most often below {t:.0%} of their need")
    if not len(risk):
        note = (
            "No vulnerable area fell below the threshold in any finished scenario."
            if len(view.risk)
            else "No vulnerable areas were recorded for this sweep."
        )
        return [head, html.P(note, className="fs-caption")]
    rows = [
        html.Tr(
            [
                html.Td(str(r["area_id"])),
                html.Td(f"{int(r['below'])} of {int(r['scenarios'])}"),
                html.Td(_pct(r["p_below"])),
                html.Td(_pct(r["mean_fulfilment"])),
            ]
        )
        for _, r in risk.head(15).iterrows()
    ]
    cols = ("area", "scenarios below", "share", "mean fulfilment")
    return [
        head,
        dbc.Table(
            [html.Thead(html.Tr([html.Th(c) for c in cols])), html.Tbody(rows)],
            size="sm",
            hover=True,
            responsive=True,
            className="fs-sweep-risk",
        ),
    ]


def _cards(view: SweepView) -> list[Any]:
    s = view.summary
    lo, hi = s.get("p_any_below_overall_ci95", (float("nan"), float("nan")))
    flag = s.get("flag") or "vulnerable"
    return [
        card(f"{view.done} of {view.total}", "scenarios finished", view.name),
        card(f"{s['solved']}", "solved", f"{s['errors']} with an error"),
        card(
            _pct(s.get("p_any_below_overall")),
            f"chance any {flag} area is below {s['threshold']:.0%}",
            f"95% interval {_pct(lo)} to {_pct(hi)}",
        ),
        card(str(len(s.get("frontier", ()))), "scenarios on the frontier"),
    ]


def render(
    path: str | None, kpi: str, threshold_pct: float | None, st: Any
) -> tuple[Any, Any, go.Figure, go.Figure, go.Figure, Any]:
    """Everything the page shows for the sweep in ``path``: (status, cards, frontier,
    resilience, distribution, risk table). A folder that is not a sweep, or one the settings do
    not allow, gives an in-page message and empty figures."""
    blank = empty_figure("Choose a sweep folder")
    if not path:
        note = dbc.Alert(
            [
                f"No sweep found under {sweep_root(st)}. Run ",
                html.Code("foodshed sweep SPEC.toml --out DIR"),
                " there, or start the dashboard where your sweeps are.",
            ],
            color="info",
        )
        return note, [], blank, blank, blank, []
    p = Path(path).expanduser()
    if not st.allow_folders:
        known = {q.resolve() for q in find_sweeps(sweep_root(st))}
        if p.resolve() not in known:
            exc = FoodshedError(
                f"{p} is not one of the sweeps under {sweep_root(st)}; opening other folders "
                "is off on this server"
            )
            return error_alert(exc, "Cannot open this folder"), [], blank, blank, blank, []
    t = None
    if threshold_pct is not None and threshold_pct != "":
        t = min(max(float(threshold_pct), 0.0), 100.0) / 100.0
    try:
        view = open_sweep(p, threshold=t)
    except FoodshedError as exc:
        return error_alert(exc, "Not a sweep"), [], blank, blank, blank, []
    status: list[Any] = [
        html.P(
            [html.Strong(f"Sweep {view.name}"), f" in {view.path}: {view.state}."],
            className="fs-caption mb-1",
        )
    ]
    if not view.complete:
        status = [
            dbc.Alert(
                [
                    html.Strong(f"Sweep {view.name} is unfinished: "),
                    f"{view.done} of {view.total} scenario(s) done. Showing what finished. "
                    "Finish it with ",
                    html.Code(f"foodshed sweep SPEC.toml --out {view.path} --resume"),
                    ".",
                ],
                color="warning",
                className="mb-2",
            )
        ]
    if view.estimated_note:
        status.append(
            dbc.Alert(view.estimated_note, color="warning", className="mb-2 py-2", id=SW_ESTIMATED)
        )
    if view.done == 0:
        none = empty_figure("No scenario of this sweep has finished yet")
        return status, _cards_empty(view), none, none, none, []
    s = view.summary
    frontier = frontier_figure(view.frame, s["frontier"])
    resilience = resilience_figure(s["resilience"], threshold=s["threshold"], flag=s.get("flag"))
    kpi = kpi if kpi in view.frame.columns else "need_met_share"
    dist = distribution_figure(view.frame, kpi)
    flag = s.get("flag") or "vulnerable"
    resilience.update_layout(
        title_text=f"Chance any {flag} area gets < {s['threshold']:.0%} of need"
    )
    compact_grid_labels(resilience)
    compact_grid_labels(dist)
    for fig in (frontier, resilience, dist):
        fig.update_layout(margin={"l": 50, "r": 20, "t": 60, "b": 50}, title_font_size=15)
    return status, _cards(view), frontier, resilience, dist, risk_table(view)


def kpi_options(path: str | None, st: Any) -> list[dict[str, str]]:
    """The distribution menu's KPIs: those the sweep in ``path`` has (all when it cannot be
    read; :func:`render` says why)."""
    every = [{"label": v, "value": k} for k, v in KPI_CHOICES.items()]
    allowed = st.allow_folders or (
        path
        and Path(path).expanduser().resolve() in {q.resolve() for q in find_sweeps(sweep_root(st))}
    )
    if not path or not allowed:
        return every
    try:
        frame = open_sweep(Path(path).expanduser()).frame
    except FoodshedError:
        return every
    have = [o for o in every if o["value"] in frame.columns and frame[o["value"]].notna().any()]
    return have or every


def _cards_empty(view: SweepView) -> list[Any]:
    return [card(f"0 of {view.total}", "scenarios finished", view.name)]


def register_callbacks(app: Any) -> None:
    st = settings(app)

    @app.callback(
        Output(ids.SW_PATH, "data"),
        Input(ids.SW_CHOICE, "value"),
        Input(ids.SW_OPEN, "n_clicks"),
        State(ids.SW_FOLDER, "value") if st.allow_folders else State(ids.SW_FOLDER, "data"),
        prevent_initial_call=True,
    )
    def _choose(choice: str | None, _clicks: Any, folder: str | None):
        if ctx.triggered_id == ids.SW_OPEN:
            if not folder or not str(folder).strip():
                return no_update
            return str(folder).strip()
        return choice

    @app.callback(
        Output(ids.SW_KPI, "options"),
        Input(ids.SW_PATH, "data"),
    )
    def _kpi_options(path: str | None):
        """The KPIs the sweep has (plans over weeks add spoilage, stock, moves)."""
        return kpi_options(path, st)

    @app.callback(
        Output(ids.SW_STATUS, "children"),
        Output(ids.SW_CARDS, "children"),
        Output(ids.SW_FRONTIER, "figure"),
        Output(ids.SW_RESILIENCE, "figure"),
        Output(ids.SW_DIST, "figure"),
        Output(ids.SW_RISK, "children"),
        Input(ids.SW_PATH, "data"),
        Input(ids.SW_KPI, "value"),
        Input(ids.SW_THRESHOLD, "value"),
    )
    def _show(path: str | None, kpi: str, threshold: float | None):
        return render(path, kpi, threshold, st)

"""Data: load your own region (a zip or a folder), see every problem, and switch to it."""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path
from typing import Any

import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html, no_update

from equity import FoodshedError

from ... import services
from .. import ids
from ..state import DEFAULT_KEY
from ..uploads import check_upload, region_line
from .common import catalog, error_alert, folder_picker, heading, panel, settings
from .wiring import ins, outs, states

#: The tables of a region's zip, as the Data page lists them
TABLE_FILES = (
    "areas.geojson",
    "stores.csv",
    "sites.csv",
    "supply.csv",
    "need.csv",
    "commodities.csv",
)


def layout(**_: Any) -> html.Div:
    from flask import current_app

    st = current_app.config["FOODSHED_SETTINGS"]
    folder = folder_picker(
        "region", ids.DATA_FOLDER, ids.DATA_FOLDER_BTN, "Check folder", st.allow_folders
    )
    tables = [part for name in TABLE_FILES for part in (html.Code(name), ", ")][:-1]
    left = panel(
        [
            *heading(
                "Load your own region",
                "A zip of one file per table: ",
                *tables,
                " and optionally ",
                html.Code("region.toml"),
                f". At most {st.max_upload_mb:g} MB. Files are only read, never run.",
            ),
            dcc.Upload(
                id=ids.DATA_UPLOAD,
                children=html.Div(["Drop a .zip here or ", html.A("choose a file")]),
                multiple=False,
                # no accept or max_size: the browser would drop another file without a word;
                # the server says what is wrong with it instead (check_upload)
                style={
                    "borderWidth": "2px",
                    "borderStyle": "dashed",
                    "borderRadius": "6px",
                    "borderColor": "#9AA8B6",
                    "textAlign": "center",
                    "padding": "24px",
                    "background": "#fafbfc",
                    "cursor": "pointer",
                },
            ),
            *folder,
            html.Hr(),
            dbc.Button(
                "Switch the dashboard to it",
                id=ids.DATA_SWITCH,
                color="primary",
                disabled=True,
                className="me-2",
            ),
            dbc.Button("Back to the start region", id=ids.DATA_RESET, color="outline-secondary"),
            dcc.Store(id=ids.DATA_CANDIDATE, storage_type="memory"),
            dcc.Store(id=ids.DATA_PENDING, storage_type="memory"),
            # the size limit, for the browser's own check before anything is sent
            dcc.Store(id=ids.DATA_UPLOADED, data=None),
            dcc.Store(id=LIMIT, data=st.max_upload_mb),
            dcc.ConfirmDialog(id=ids.DATA_CONFIRM),
        ],
        className="fs-controls",
    )
    right = [
        html.Div(id=ids.DATA_STATUS),
        panel(
            [
                html.H6("Problems found"),
                html.Div(
                    id=ids.DATA_PROBLEMS,
                    children=html.P("Nothing checked yet.", className="fs-caption"),
                ),
            ]
        ),
        panel([html.H6("Region in use"), html.Div(id=ids.DATA_CURRENT)]),
    ]
    return dbc.Row([dbc.Col(left, lg=4), dbc.Col(right, lg=8)])


#: What checking a region (an upload or a folder) shows: the status line, the problems, the
#: region key to switch to and whether the switch button is off
CHECKED = [
    Output(ids.DATA_STATUS, "children"),
    Output(ids.DATA_PROBLEMS, "children"),
    Output(ids.DATA_CANDIDATE, "data"),
    Output(ids.DATA_SWITCH, "disabled"),
]


#: dcc.Store: the upload limit in MB (Settings.max_upload_mb)
LIMIT = "data-upload-limit"
#: The browser's size check of an upload: within the limit it is passed on to the server
#: (``DATA_UPLOADED``); over it, the page says so and nothing is sent.
TOO_BIG_JS = """
function(contents, filename, limitMb) {
    const nu = window.dash_clientside.no_update;
    if (!contents) { return [nu, nu]; }
    const mb = (contents.length - contents.indexOf(",") - 1) * 3 / 4 / 1e6;
    if (mb <= limitMb) { return [contents, nu]; }
    const text = "the upload is " + mb.toFixed(1) + " MB, over the limit of " + limitMb +
        " MB; remove unused files from the zip, or open the folder on this computer instead";
    return [null, {
        namespace: "dash_bootstrap_components", type: "Alert",
        props: {color: "danger", className: "mb-2", children: [
            {namespace: "dash_html_components", type: "Strong",
             props: {children: (filename || "The upload") + " was refused: "}},
            text]}
    }];
}
"""


def problems_table(problems, *, root: Path | None = None) -> Any:
    """Every problem as a table row: severity, file, row, column, what to fix."""
    if not problems:
        return html.P("No problems found.", className="fs-caption")
    rows = []
    for p in problems:
        f = p.file or p.table
        if p.file and root is not None:
            try:
                f = str(Path(p.file).resolve().relative_to(root.resolve()))
            except ValueError:
                f = Path(p.file).name
        elif p.file:
            f = Path(p.file).name
        rows.append(
            html.Tr(
                [
                    html.Td(dbc.Badge(p.severity, color="danger" if p.is_error else "warning")),
                    html.Td(f),
                    html.Td("" if p.row is None else str(p.row)),
                    html.Td(p.column or ""),
                    html.Td(p.message),
                ],
                className="fs-problem",
            )
        )
    head = html.Thead(html.Tr([html.Th(h) for h in ("", "file", "row", "column", "problem")]))
    return dbc.Table(
        [head, html.Tbody(rows)], size="sm", hover=True, responsive=True, className="fs-problems"
    )


def register_callbacks(app: Any) -> None:
    cat = catalog(app)
    st = settings(app)

    def _check(folder: Path, *, cleanup: bool, notes: list[str]):
        """Validate ``folder``; return (status, problems, candidate key, switch disabled)."""
        try:
            report = services.validate_region(folder)
        except FoodshedError as exc:
            if cleanup:
                shutil.rmtree(folder, ignore_errors=True)
            return error_alert(exc, "The data could not be read"), None, None, True
        table = problems_table(report.problems, root=folder)
        if not report.ok or report.region is None:
            if cleanup:
                shutil.rmtree(folder, ignore_errors=True)
            n = len(report.errors)
            status = dbc.Alert(
                f"{n} error(s) to fix before this region can be used; each is "
                "listed below with its file, row and column.",
                color="danger",
            )
            return status, table, None, True
        key = cat.add(folder, report.region)
        msg = [html.Strong("Valid: "), html.Span(region_line(report.region))]
        if notes:
            msg.append(html.Div("; ".join(notes), className="fs-card-note"))
        return dbc.Alert(msg, color="success"), table, key, False

    # The browser checks an upload's size before sending it: a request over the server's limit
    # would be refused before any callback could say why.
    app.clientside_callback(
        TOO_BIG_JS,
        Output(ids.DATA_UPLOADED, "data"),
        Output(ids.DATA_STATUS, "children", allow_duplicate=True),
        Input(ids.DATA_UPLOAD, "contents"),
        State(ids.DATA_UPLOAD, "filename"),
        State(LIMIT, "data"),
        prevent_initial_call=True,
    )

    @app.callback(
        *CHECKED,
        Input(ids.DATA_UPLOADED, "data"),
        State(ids.DATA_UPLOAD, "filename"),
        prevent_initial_call=True,
    )
    def _upload(contents, filename):
        if contents is None:
            return no_update, no_update, no_update, no_update
        # reads stay inside the upload; the folder is removed unless the region is valid
        res = check_upload(
            contents,
            Path(st.upload_dir) / secrets.token_hex(8),
            max_upload_bytes=int(st.max_upload_mb * 1e6),
            max_unpacked_bytes=int(st.max_unpacked_mb * 1e6),
            max_files=st.max_files,
            max_ratio=st.max_ratio,
        )
        if res.refused:
            what = f"{Path(filename).name if filename else 'The upload'} was refused"
            return error_alert(res.message, what), None, None, True
        table = problems_table(res.problems)
        if not res.ok:
            return dbc.Alert(res.message, color="danger"), table, None, True
        key = cat.add(res.folder, res.region)
        msg = [html.Strong("Valid: "), html.Span(res.message)]
        if res.notes:
            msg.append(html.Div("; ".join(res.notes), className="fs-card-note"))
        return dbc.Alert(msg, color="success"), table, key, False

    if st.allow_folders:

        @app.callback(
            *[Output(o.component_id, o.component_property, allow_duplicate=True) for o in CHECKED],
            Input(ids.DATA_FOLDER_BTN, "n_clicks"),
            State(ids.DATA_FOLDER, "value"),
            prevent_initial_call=True,
        )
        def _folder(n, path):
            if not n:
                return no_update, no_update, no_update, no_update
            if not path:
                return (
                    dbc.Alert("Type the path of a region folder first.", color="warning"),
                    no_update,
                    None,
                    True,
                )
            folder = Path(path).expanduser()
            return _check(folder, cleanup=False, notes=[])

    # switching region clears the session's runs (they are plans of the old region): with
    # runs to lose, a dialog asks first and the switch waits for its OK
    @app.callback(
        *outs("data", ids.SESSION_REGION, ids.SESSION_RUNS, allow_duplicate=True),
        *outs("data", ids.DATA_PENDING),
        *outs("message", ids.DATA_CONFIRM),
        *outs("displayed", ids.DATA_CONFIRM),
        *ins("n_clicks", ids.DATA_SWITCH, ids.DATA_RESET),
        *states("data", ids.DATA_CANDIDATE, ids.SESSION_REGION, ids.SESSION_RUNS),
        prevent_initial_call=True,
    )
    def _switch(n_switch, n_reset, candidate, current, runs):
        from dash import ctx

        target = DEFAULT_KEY if ctx.triggered_id == ids.DATA_RESET else candidate
        if not (n_switch or n_reset) or not target or target == (current or DEFAULT_KEY):
            return no_update, no_update, no_update, no_update, False
        if not runs:
            return target, [], None, no_update, False
        n = len(runs)
        where = "the start region" if target == DEFAULT_KEY else "the new region"
        message = (
            f"Switching to {where} clears this tab's {n} plan run{'s' if n > 1 else ''} "
            "(Plan and Compare start empty). Download any report or table you want to keep "
            "first. Switch now?"
        )
        return no_update, no_update, target, message, True

    @app.callback(
        *outs("data", ids.SESSION_REGION, ids.SESSION_RUNS, allow_duplicate=True),
        Input(ids.DATA_CONFIRM, "submit_n_clicks"),
        State(ids.DATA_PENDING, "data"),
        prevent_initial_call=True,
    )
    def _confirmed(n, target):
        if not n or not target:
            return no_update, no_update
        return target, []

    @app.callback(Output(ids.DATA_CURRENT, "children"), Input(ids.SESSION_REGION, "data"))
    def _current(key):
        try:
            summary = cat.region(key).summary()
        except FoodshedError as exc:
            return error_alert(exc, "No region")
        rows = [
            html.Tr([html.Th(k.replace("_", " ")), html.Td(_fmt(v))])
            for k, v in summary.items()
            if k != "crs"
        ]
        return dbc.Table(html.Tbody(rows), size="sm", borderless=True)


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.0f}"
    if isinstance(v, dict):
        return ", ".join(f"{k}: {n}" for k, n in v.items())
    if isinstance(v, list):
        return ", ".join(map(str, v))
    return str(v)

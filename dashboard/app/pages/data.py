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
from ..uploads import check_upload
from .common import catalog, error_alert, folder_picker, panel, settings


def layout(**_: Any) -> html.Div:
    from flask import current_app

    st = current_app.config["FOODSHED_SETTINGS"]
    folder = folder_picker(
        "Or open a folder on this computer",
        input_id=ids.DATA_FOLDER,
        button_id=ids.DATA_FOLDER_BTN,
        button_text="Check folder",
        placeholder="/path/to/region-folder",
        allowed=st.allow_folders,
        hidden=html.Div(id=ids.DATA_FOLDER),
    )
    left = panel(
        [
            html.H1("Load your own region", className="h5 mb-1"),
            html.P(
                [
                    "A zip of one file per table: ",
                    html.Code("areas.geojson"),
                    ", ",
                    html.Code("stores.csv"),
                    ", ",
                    html.Code("sites.csv"),
                    ", ",
                    html.Code("supply.csv"),
                    ", ",
                    html.Code("need.csv"),
                    ", ",
                    html.Code("commodities.csv"),
                    " and optionally ",
                    html.Code("region.toml"),
                    f". At most {st.max_upload_mb:g} MB. Files are only read, never run.",
                ],
                className="fs-caption",
            ),
            dcc.Upload(
                id=ids.DATA_UPLOAD,
                children=html.Div(["Drop a .zip here or ", html.A("choose a file")]),
                multiple=False,
                accept=".zip,application/zip",
                max_size=int(st.max_upload_mb * 1e6),
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
        msg = [html.Strong("Valid: "), html.Span(repr(report.region))]
        if notes:
            msg.append(html.Div("; ".join(notes), className="fs-card-note"))
        return dbc.Alert(msg, color="success"), table, key, False

    @app.callback(
        Output(ids.DATA_STATUS, "children"),
        Output(ids.DATA_PROBLEMS, "children"),
        Output(ids.DATA_CANDIDATE, "data"),
        Output(ids.DATA_SWITCH, "disabled"),
        Input(ids.DATA_UPLOAD, "contents"),
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
            Output(ids.DATA_STATUS, "children", allow_duplicate=True),
            Output(ids.DATA_PROBLEMS, "children", allow_duplicate=True),
            Output(ids.DATA_CANDIDATE, "data", allow_duplicate=True),
            Output(ids.DATA_SWITCH, "disabled", allow_duplicate=True),
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

    @app.callback(
        Output(ids.SESSION_REGION, "data", allow_duplicate=True),
        Output(ids.SESSION_RUNS, "data", allow_duplicate=True),
        Input(ids.DATA_SWITCH, "n_clicks"),
        Input(ids.DATA_RESET, "n_clicks"),
        State(ids.DATA_CANDIDATE, "data"),
        prevent_initial_call=True,
    )
    def _switch(n_switch, n_reset, candidate):
        from dash import ctx

        if not (n_switch or n_reset):
            return no_update, no_update
        if ctx.triggered_id == ids.DATA_RESET:
            return DEFAULT_KEY, []
        if not candidate:
            return no_update, no_update
        return candidate, []

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

"""Small layout helpers shared by the pages."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import html


def catalog(app: Any):
    """The app's :class:`~dashboard.app.state.RegionCatalog`."""
    return app.server.config["FOODSHED_CATALOG"]


def runs_store(app: Any):
    """The app's :class:`~dashboard.app.runs.RunStore` (the tables of the sessions' runs)."""
    return app.server.config["FOODSHED_RUNS"]


def settings(app: Any):
    return app.server.config["FOODSHED_SETTINGS"]


def button(
    label: str, button_id: str, *, color: str = "secondary", class_name: str = ""
) -> dbc.Button:
    """A small button of a page's controls."""
    return dbc.Button(label, id=button_id, size="sm", color=color, className=class_name)


def card(value: str, label: str, note: str = "", *, card_id: str | None = None) -> dbc.Col:
    body = [html.Div(value, className="fs-card-value"), html.Div(label, className="fs-card-label")]
    if note:
        body.append(html.Div(note, className="fs-card-note"))
    kwargs = {"id": card_id} if card_id else {}
    return dbc.Col(
        dbc.Card(dbc.CardBody(body), className="h-100 shadow-sm"), className="mb-2", **kwargs
    )


def panel(children: Any, *, className: str = "", **kwargs: Any) -> html.Div:
    return html.Div(children, className=f"fs-panel mb-3 {className}".strip(), **kwargs)


def folder_picker(
    label: str,
    *,
    input_id: str,
    button_id: str,
    button_text: str,
    placeholder: str,
    allowed: bool,
    hidden: Any,
) -> list[Any]:
    """A text box for a folder on this computer and its button; where the settings do not
    allow folders, ``hidden`` (holding ``input_id``) and an empty Div for ``button_id``."""
    if not allowed:
        return [hidden, html.Div(id=button_id)]
    return [
        dbc.Label(label, html_for=input_id, className="mt-3"),
        dbc.InputGroup(
            [
                dbc.Input(id=input_id, type="text", placeholder=placeholder),
                dbc.Button(button_text, id=button_id, color="secondary"),
            ]
        ),
    ]


def error_alert(exc: Exception, what: str) -> dbc.Alert:
    """An in-page explanation of a failure (the message says what to fix)."""
    return dbc.Alert(
        [html.Strong(f"{what}: "), html.Span(str(exc), style={"whiteSpace": "pre-wrap"})],
        color="danger",
        className="mb-2",
    )


def empty_figure(text: str, height: int = 320) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(
        text=text,
        showarrow=False,
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
        font={"size": 14, "color": "#4a5a6a"},
    )
    fig.update_layout(
        height=height,
        xaxis={"visible": False},
        yaxis={"visible": False},
        plot_bgcolor="white",
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
    )
    return fig


def page_row(side: Any, main: Any, *, side_width: int = 3) -> dbc.Row:
    """A page: its controls (``side``) at the left of its results (``main``), on a wide screen.

    On a narrow one (a phone) the results' lead, the children marked ``fs-lead`` (a status and
    the cards), come first, then the controls, then the other results; a Div of ``main`` marked
    ``fs-flow`` gives its children to that order too (assets/foodshed.css).
    """
    return dbc.Row(
        [
            dbc.Col(side, lg=side_width, className="fs-side"),
            dbc.Col(main, lg=12 - side_width, className="fs-main"),
        ],
        className="fs-page",
    )


def label(text: str, **kwargs: Any) -> dbc.Label:
    return dbc.Label(text, **kwargs)


#: Charts show their tool bar only on hover, so it never covers a title.
GRAPH_CONFIG = {"displaylogo": False, "displayModeBar": "hover"}

"""Small layout helpers shared by the pages."""

from __future__ import annotations

import logging
import math
import os
import re
import tempfile
from dataclasses import dataclass
from typing import Any

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dcc, html, set_props

from equity import FoodshedError

from .. import ids
from ..solver_pool import STOPPED

_log = logging.getLogger("dashboard.app")

#: What a page says when a callback fails in a way Foodshed did not foresee (a bug): the
#: traceback goes to the server's log, never to the page.
UNEXPECTED = (
    "Something went wrong on the server while doing that (the details are in the server's "
    "log). Try again; if it happens again, reload the page or tell whoever runs this dashboard."
)


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


def radio(label: str, cid: str, choices: dict[str, str], value: str, **kwargs: Any) -> list[Any]:
    """A labelled set of radio buttons, one per ``choices`` item (value: label)."""
    options = [{"label": text, "value": v} for v, text in choices.items()]
    return [
        dbc.Label(label, className="mt-2"),
        dbc.RadioItems(id=cid, options=options, value=value, **kwargs),
    ]


def panel(children: Any, *, className: str = "", **kwargs: Any) -> html.Div:
    return html.Div(children, className=f"fs-panel mb-3 {className}".strip(), **kwargs)


def heading(title: str, *caption: Any) -> list[Any]:
    """A page's title over its controls (its one ``h1``, styled small), and the caption
    under it."""
    return [html.H1(title, className="h5 mb-1"), html.P(list(caption), className="fs-caption")]


def folder_picker(what: str, input_id: str, button_id: str, button_text: str, allowed: bool):
    """A text box for a ``what`` folder on this computer and its button; where the settings do
    not allow folders, an empty store holding ``input_id`` and an empty Div for ``button_id``."""
    if not allowed:
        return [dcc.Store(id=input_id), html.Div(id=button_id)]
    return [
        dbc.Label(f"Or open a {what} folder on this computer", html_for=input_id, className="mt-3"),
        dbc.InputGroup(
            [
                dbc.Input(id=input_id, type="text", placeholder=f"/path/to/{what}-folder"),
                dbc.Button(button_text, id=button_id, color="secondary"),
            ]
        ),
    ]


def plain_message(exc: BaseException | str) -> str:
    """What a person is told about ``exc``: a Foodshed error's own message (it says what to fix),
    with server temp folders left out; for anything else :data:`UNEXPECTED` (never a traceback,
    a server path or Python syntax)."""
    if isinstance(exc, str):
        text = exc
    elif STOPPED in str(exc):  # a job's process died (dashboard.app.solver_pool)
        return STOPPED
    elif isinstance(exc, FoodshedError):
        text = str(exc)
    else:
        return UNEXPECTED
    for base in {tempfile.gettempdir(), os.path.realpath(tempfile.gettempdir())}:
        text = re.sub(re.escape(base) + r"[^\s'\",;:)]*", "a temporary folder", text)
    return text


def error_alert(exc: BaseException | str, what: str) -> dbc.Alert:
    """An in-page explanation of a failure (the message says what to fix)."""
    return dbc.Alert(
        [
            html.Strong(f"{what}: "),
            html.Span(plain_message(exc), style={"whiteSpace": "pre-wrap"}),
        ],
        color="danger",
        className="mb-2",
    )


def on_error(exc: Exception) -> None:
    """The app's one handler of a callback that raised (``Dash(on_error=...)``).

    The failure is shown in the alert area at the top of every page (:data:`ids.APP_ALERT`), in
    plain words (:func:`plain_message`); an unexpected error's traceback is logged on the
    server. The callback's own outputs are left as they were.
    """
    if not isinstance(exc, FoodshedError):
        _log.error("a dashboard callback failed", exc_info=exc)
    set_props(
        ids.APP_ALERT,
        {"children": [html.Strong("That did not work: "), plain_message(exc)], "is_open": True},
    )


def alert_area() -> dbc.Alert:
    """The alert at the top of every page where :func:`on_error` shows a failed callback."""
    return dbc.Alert(
        id=ids.APP_ALERT, color="danger", is_open=False, dismissable=True, className="mb-2"
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
GRAPH_CONFIG: Any = {"displaylogo": False, "displayModeBar": "hover"}


def graph_config(name: str) -> Any:
    """:data:`GRAPH_CONFIG` with the camera icon's PNG named ``foodshed-<name>.png`` (not
    plotly's "newplot.png"), at twice the screen's resolution."""
    return {**GRAPH_CONFIG, "toImageButtonOptions": {"filename": f"foodshed-{name}", "scale": 2}}


# ---------------------------------------------------------------------- number inputs
@dataclass(frozen=True)
class NumberRule:
    """What a number box accepts: ``lo`` to ``hi`` (either may be None), and whether it may be
    left empty; ``message`` says what to enter, shown under the box when it is not that."""

    message: str
    lo: float | None = None
    hi: float | None = None
    required: bool = False
    #: only whole numbers (e.g. weeks)
    whole: bool = False

    def ok(self, value: Any) -> bool:
        if value is None or value == "":
            return not self.required
        try:
            x = float(value)
        except (TypeError, ValueError):
            return False
        if not math.isfinite(x) or (self.whole and not x.is_integer()):
            return False
        return (self.lo is None or x >= self.lo) and (self.hi is None or x <= self.hi)


def number_input(input_id: str, rule: NumberRule, **kwargs: Any) -> tuple[Any, Any]:
    """A number box and, under it, its rule's message (shown while the box is marked invalid by
    :func:`invalid_flags`). The browser is given no min, max or step: it would turn a number
    outside them into an empty value without a word, so the rule checks what was typed."""
    return (
        dbc.Input(id=input_id, type="number", step="any", **kwargs),
        dbc.FormFeedback(rule.message, type="invalid"),
    )


def invalid_flags(rules: dict[str, NumberRule], values: list[Any]) -> list[bool]:
    """Whether each box of ``rules`` (in order) holds a value its rule refuses."""
    return [not r.ok(v) for r, v in zip(rules.values(), values, strict=True)]


def refused(rules: dict[str, NumberRule], values: list[Any], what: str) -> dbc.Alert | None:
    """An alert naming every refused box (``what`` is what did not start), or None if all are
    fine: a run never starts on a value its box marks invalid."""
    bad = [
        r.message for r, ok in zip(rules.values(), invalid_flags(rules, values), strict=True) if ok
    ]
    if not bad:
        return None
    return dbc.Alert(
        [html.Strong(f"{what}: fix the marked box first. "), " ".join(bad)],
        color="warning",
        className="mb-2 py-2",
    )

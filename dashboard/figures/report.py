"""Plotly figure builders for the HTML reports: pure functions of data, no I/O.

The report's maps are the app's (:mod:`dashboard.figures.maps`, ``render="xy"``: plain x/y axes
in the region's metric CRS, no tile server, so the report opens offline); here are its charts
and the share-of-need-met classes both use.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from optimize.catalogue import FULFILMENT

from .palette import GAIN, LOSS, OKABE_ITO, SAME, class_colours

__all__ = [
    "baseline_change_figure",
    "desert_counts_figure",
    "fulfilment_classes",
    "fulfilment_distribution_figure",
]

FONT = "Source Sans Pro, Segoe UI, Helvetica, Arial, sans-serif"


def fulfilment_classes() -> dict[str, str]:
    """The share-of-need-met classes (label -> colour), worst first: the catalogue's classes
    (:data:`optimize.catalogue.FULFILMENT`) in the shared palette, as the app draws them."""
    return dict(zip(FULFILMENT.bin_labels, class_colours(FULFILMENT), strict=True))


def _layout(fig: go.Figure, *, title: str | None, height: int) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"} if title else None,
        font={"family": FONT, "size": 13, "color": "#222"},
        height=height,
        margin={"l": 10, "r": 10, "t": 60 if title else 34, "b": 10},
        paper_bgcolor="white",
        plot_bgcolor="white",
        legend={"bgcolor": "rgba(255,255,255,0.85)", "bordercolor": "#ccc", "borderwidth": 1},
    )
    return fig


def fulfilment_bands(ratio: pd.Series) -> pd.Series:
    """Label each fulfilment ratio (0-1) with its class of :func:`fulfilment_classes`."""
    labels = np.array([*FULFILMENT.bin_labels, np.nan], dtype=object)
    return pd.Series(labels[FULFILMENT.class_of(ratio.to_numpy(dtype=float))], index=ratio.index)


def fulfilment_distribution_figure(
    ratio: pd.Series, population: pd.Series, *, title: str | None = None
) -> go.Figure:
    """People by fulfilment band: how many residents live where need is met to each degree."""
    bands = fulfilment_bands(ratio)
    pop = population.reindex(ratio.index).fillna(0)
    classes = fulfilment_classes()
    labels = list(classes)
    totals = [float(pop[bands == lab].sum()) for lab in labels]
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=totals,
            marker_color=list(classes.values()),
            marker_line={"color": "#555", "width": 0.8},
            text=[f"{t:,.0f}" for t in totals],
            textposition="outside",
            hovertemplate="%{x}: %{y:,.0f} residents<extra></extra>",
        )
    )
    fig.update_yaxes(title_text="residents", gridcolor="#eee", rangemode="tozero")
    fig.update_xaxes(title_text="share of the area's need that the plan meets")
    return _layout(fig, title=title, height=380)


def desert_counts_figure(table: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Residents of flagged areas per measure (``measure``, ``group``, ``population``), by group."""
    fig = go.Figure()
    for i, (group, sub) in enumerate(table.groupby("group", sort=False)):
        fig.add_trace(
            go.Bar(
                x=sub["measure"],
                y=sub["population"],
                name=str(group),
                marker_color=OKABE_ITO[i % len(OKABE_ITO)],
                hovertemplate="%{x}: %{y:,.0f} residents<extra>" + str(group) + "</extra>",
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title_text="residents of flagged areas", gridcolor="#eee")
    return _layout(fig, title=title, height=380)


def baseline_change_figure(change: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Residents whose fulfilment rose, held or fell versus the baseline, per group.

    ``change`` has ``group``, ``direction`` (gains / no change / loses) and ``population``.
    """
    colors = {"gains": GAIN, "no change": SAME, "loses": LOSS}
    fig = go.Figure()
    for direction, color in colors.items():
        sub = change[change["direction"] == direction]
        fig.add_trace(
            go.Bar(
                y=sub["group"],
                x=sub["population"],
                orientation="h",
                name=direction,
                marker_color=color,
                hovertemplate="%{y}: %{x:,.0f} residents<extra>" + direction + "</extra>",
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text="residents", gridcolor="#eee")
    return _layout(fig, title=title, height=260)

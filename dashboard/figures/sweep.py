"""Plotly figures of a finished sweep, and a one-page HTML section for reports.

Pure figure builders over :func:`optimize.sweep.read_sweep`'s table and
:func:`optimize.sweep.summarize_sweep`'s output; no I/O (the page: ``dashboard.report.sweep``).
"""

from __future__ import annotations

import html
import math
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from optimize.catalogue import kpi_info
from optimize.sweep import SUMMARY_KPIS

__all__ = [
    "pct_text",
    "compact_grid_labels",
    "distribution_figure",
    "frontier_figure",
    "resilience_figure",
    "sweep_section_html",
]

#: KPIs a sweep summarises (:data:`optimize.sweep.SUMMARY_KPIS`), labelled by the catalogue.
SWEEP_KPIS = {k: kpi_info(k).label for k in SUMMARY_KPIS}


def pct_text(v: Any) -> str:
    """A share as a whole percentage ("37%"); "-" for what is not a finite number."""
    try:
        v = float(v)
    except (TypeError, ValueError):
        return "-"
    return f"{v:.0%}" if math.isfinite(v) else "-"


def _label(row: pd.Series, params: list[str]) -> str:
    def fmt(v: float) -> str:
        return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4g}"

    return ", ".join(f"{p[2:]}={fmt(row[p])}" for p in params)


def distribution_figure(frame: pd.DataFrame, kpi: str = "need_met_share") -> go.Figure:
    """Box plots of ``kpi`` over the draws, one per grid point (one box without a grid)."""
    from optimize.sweep import grid_columns

    info = kpi_info(kpi)
    fig = go.Figure()
    ok = frame[frame["status"].isin(["optimal", "time_limit"])]
    grid = [c for c in grid_columns(frame) if ok[c].nunique() > 1]
    groups = ok.groupby(grid) if grid else [((), ok)]
    for _key, g in groups:
        name = _label(g.iloc[0], grid) if grid else "all scenarios"
        fig.add_trace(go.Box(y=g[kpi], name=name, boxpoints="all", jitter=0.3, pointpos=0))
    fig.update_layout(
        title=f"{info.label} over the scenarios",
        yaxis_title=info.title if info.unit != "%" else info.label,
        showlegend=False,
        template="plotly_white",
    )
    if info.unit == "%" and info.scale == 100.0:
        fig.update_yaxes(tickformat=".0%")
    return fig


def frontier_figure(frame: pd.DataFrame, frontier: pd.DataFrame) -> go.Figure:
    """Every scenario (need met vs smallest reachable fulfilment), the frontier as a line."""
    y = (
        "min_fulfilment_reachable"
        if "min_fulfilment_reachable" in frame.columns
        else ("min_fulfilment")
    )
    params = [c for c in frame.columns if c.startswith("p.")]
    ok = frame[frame["status"].isin(["optimal", "time_limit"])]
    text = [_label(r, params) for _, r in ok.iterrows()]
    hover = "%{text}<br>need met %{x:.1%}<br>smallest %{y:.1%}<extra></extra>"
    looks: list[tuple[pd.DataFrame, str, str, dict[str, Any]]] = [
        (
            ok,
            "scenarios",
            "markers",
            {"text": text, "hovertemplate": hover, "marker": {"size": 8, "opacity": 0.6}},
        ),
        (frontier, "frontier", "lines+markers", {"line": {"width": 3}}),
    ]
    fig = go.Figure(
        [
            go.Scatter(x=rows["need_met_share"], y=rows[y], mode=mode, name=name, **look)
            for rows, name, mode, look in looks
            if len(rows) or name == "scenarios"
        ]
    )
    fig.update_layout(
        title="Efficiency and equity: the frontier of the sweep",
        xaxis_title=kpi_info("need_met_share").label + " (efficiency)",
        yaxis_title=kpi_info(y).label + " (equity)",
        template="plotly_white",
    )
    fig.update_xaxes(tickformat=".0%")
    fig.update_yaxes(tickformat=".0%", range=[-0.02, 1.05])
    return fig


def resilience_figure(resilience: pd.DataFrame, *, threshold: float, flag: str | None) -> go.Figure:
    """Chance that any vulnerable area falls below ``threshold``, per grid point, with 95%
    intervals."""
    grid = [c for c in resilience.columns if c.startswith("p.")]
    names = [_label(r, grid) for _, r in resilience.iterrows()] if grid else ["all scenarios"]
    p = resilience["p_any_below"]
    fig = go.Figure(
        go.Bar(
            x=names,
            y=p,
            error_y={
                "type": "data",
                "symmetric": False,
                "array": resilience["p_high"] - p,
                "arrayminus": p - resilience["p_low"],
            },
            text=[
                f"{v:.0%} of {int(n)}" if v == v else "n/a"
                for v, n in zip(p, resilience["draws"], strict=True)
            ],
        )
    )
    fig.update_layout(
        title=(
            f"Chance that any {flag or 'vulnerable'} area gets less than {threshold:.0%} of its "
            "need"
        ),
        yaxis_title="probability over the draws",
        template="plotly_white",
    )
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05])
    return fig


def _values(label: object) -> str:
    """``"budget_usd=30,000, outage_probability.hub=0"`` -> ``"30,000<br>0"``."""
    parts = str(label).split(", ")
    if not all("=" in p for p in parts):
        return str(label)
    return "<br>".join(p.split("=", 1)[1] for p in parts)


def _keys(label: object) -> str | None:
    parts = str(label).split(", ")
    if not all("=" in p for p in parts):
        return None
    return " / ".join(p.split("=", 1)[0] for p in parts)


def compact_grid_labels(fig: go.Figure) -> go.Figure:
    """Show grid points as stacked values ("30,000<br>0.4") with the parameter names as the
    x-axis title, instead of long rotated "budget_usd=30,000, ..." labels. Works on
    :func:`resilience_figure` (bars) and :func:`distribution_figure` (one box per grid point);
    changes ``fig`` in place and returns it."""
    if not fig.data:
        return fig
    if isinstance(fig.data[0], go.Bar):
        names = list(fig.data[0].x)
        fig.update_traces(x=[_values(x) for x in names], textposition="outside", textangle=0)
        fig.update_yaxes(range=[0, 1.15])
        first = names[0] if names else ""
    elif len(fig.data) > 1:
        first = fig.data[0].name
        for trace in fig.data:
            trace.name = _values(trace.name)
    else:
        return fig
    if _keys(first):
        fig.update_layout(xaxis_title=_keys(first))
    fig.update_xaxes(tickangle=0, automargin=True)
    return fig


def sweep_section_html(frame: pd.DataFrame, summary: dict[str, Any], *, title: str) -> str:
    """An HTML section (figures without plotly.js; the page includes it once)."""
    figs = [
        frontier_figure(frame, summary["frontier"]),
        compact_grid_labels(
            resilience_figure(
                summary["resilience"], threshold=summary["threshold"], flag=summary.get("flag")
            )
        ),
        compact_grid_labels(distribution_figure(frame, "need_met_share")),
        compact_grid_labels(distribution_figure(frame, "vulnerable_min_fulfilment")),
    ]
    p_any = summary["p_any_below_overall"]  # NaN when the region has no vulnerable areas
    parts = [
        f"<section><h2>{html.escape(title)}</h2>",
        f"<p>{summary['scenarios']} scenarios, {summary['solved']} solved, "
        f"{summary['errors']} with an error. Chance that any vulnerable area gets less than "
        f"{summary['threshold']:.0%} of its need: {'n/a' if p_any != p_any else f'{p_any:.0%}'}.</p>",
    ]
    parts += [f.to_html(full_html=False, include_plotlyjs=False) for f in figs]
    parts.append("</section>")
    return "\n".join(parts)

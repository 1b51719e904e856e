"""Charts: KPI tables, distributions, the Lorenz curve and the plan comparisons."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from optimize.catalogue import kpi_info
from optimize.catalogue import measure_info as _catalogue_info

from .measures import (
    MeasureInfo,
    measure_info,
)
from .palette import (
    ACCENT,
    FLAG_YES,
    GAIN,
    GRID,
    LOSS,
    MUTED,
    OKABE_ITO,
    OUTLINE,
    SAME,
    class_colours,
)
from .style import FONT as _FONT
from .style import wrap as _wrap


def kpi_table(
    kpis: Mapping[str, Any], *, keys: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """KPI rows ``{key, label, value, unit, text}`` in plain words, for cards and tables.

    Labels, units and formats come from :mod:`optimize.catalogue` (unknown keys get its
    generic entry); non-numeric values are skipped.
    """
    rows = []
    for key in keys if keys is not None else list(kpis):
        if key not in kpis:
            continue
        v = kpis[key]
        if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating):
            continue
        m = kpi_info(key)
        rows.append(
            {
                "key": key,
                "label": m.label,
                "value": float(v),
                "unit": m.unit,
                "text": m.format(v),
            }
        )
    return rows


def _weighted_hist(values: np.ndarray, weights: np.ndarray, edges: np.ndarray) -> np.ndarray:
    ok = np.isfinite(values) & np.isfinite(weights)
    h, _ = np.histogram(np.clip(values[ok], edges[0], edges[-1]), bins=edges, weights=weights[ok])
    return h


def _titled_layout(
    fig: go.Figure,
    *,
    title: str | None,
    height: int,
    margin_l: int,
    margin_b: int = 50,
    grid: str = "y",
    **layout: Any,
) -> go.Figure:
    """The charts' common look: ``title`` top left (room for it only when given), white plot,
    grid lines along the axes named in ``grid`` (``"x"``, ``"y"`` or ``"xy"``).

    The title sits just above the plot, under the strip where the tool bar (modebar) shows, so
    the icons never cover it; a long title is wrapped onto more lines."""
    fig.update_layout(
        title=chart_title(title),
        height=height,
        margin={"l": margin_l, "r": 10, "t": title_room(title), "b": margin_b},
        font=_FONT,
        plot_bgcolor="white",
        **layout,
    )
    if "x" in grid:
        fig.update_xaxes(gridcolor=GRID)
    if "y" in grid:
        fig.update_yaxes(gridcolor=GRID)
    return fig


#: The height of the strip at the top of a chart where plotly shows its tool bar (px).
MODEBAR_PX = 40
_TITLE_CHARS = 60


def chart_title(title: str | None) -> dict[str, Any] | None:
    """A chart title under the strip of the tool bar (modebar), wrapped at 60 characters;
    :func:`title_room` is the top margin it needs."""
    if not title:
        return None
    text = _wrap(title, _TITLE_CHARS)
    return {
        "text": text,
        "x": 0.01,
        "xanchor": "left",
        "xref": "container",
        "y": 1.0,
        "yref": "container",
        "yanchor": "top",
        "pad": {"t": MODEBAR_PX},
        "font": {"size": 14},
    }


def title_room(title: str | None) -> int:
    """The top margin for ``title``: the tool bar's strip and a line of 20 px a title line."""
    if not title:
        return 10
    return MODEBAR_PX + 10 + 20 * (_wrap(title, _TITLE_CHARS).count("<br>") + 1)


def _values_weights(
    frame: pd.DataFrame, value_col: str, weight_col: str | None
) -> tuple[np.ndarray, np.ndarray, str]:
    """``value_col`` and ``weight_col`` as floats (weight 1 a row without it), and the unit
    counted: ``people`` with weights, ``areas`` without."""
    v = pd.to_numeric(frame[value_col], errors="coerce").to_numpy(float)
    if weight_col and weight_col in frame.columns:
        return v, pd.to_numeric(frame[weight_col], errors="coerce").to_numpy(float), "people"
    return v, np.ones(len(v)), "areas"


def _count_bars(
    bars: tuple[list[str], np.ndarray, Any],
    axis: tuple[str, str],
    unit: str,
    title: str | None,
    height: int,
    *,
    margin_b: int,
    **layout: Any,
) -> go.Figure:
    """A bar a class: ``bars`` are the classes' labels, the ``unit`` counted in each and their
    colours; ``axis`` the hover text before the count and the x axis title."""
    labels, counts, colours = bars
    hover, xaxis_title = axis
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=counts,
            marker={"color": colours},
            hovertemplate=f"{hover}: %{{y:,.0f}} {unit}<extra></extra>",
        )
    )
    return _titled_layout(
        fig,
        title=title,
        height=height,
        margin_l=60,
        margin_b=margin_b,
        xaxis_title=xaxis_title,
        yaxis_title=unit,
        **layout,
    )


def fulfilment_histogram(
    fulfilment: pd.DataFrame,
    *,
    value_col: str = "fulfilment",
    weight_col: str | None = "population",
    bins: int | None = None,
    height: int = 320,
    title: str | None = "People by share of need met",
) -> go.Figure:
    """People (or areas, without ``weight_col``) by share of need met.

    By default in the catalogue's classes (:data:`optimize.catalogue.FULFILMENT`, the map's
    and the report's classes and colours); ``bins=n`` gives ``n`` equal-width bands instead.
    """
    v, w, unit = _values_weights(fulfilment, value_col, weight_col)
    if bins is None:
        m = _catalogue_info(value_col)
        m = m if m.bins else _catalogue_info("fulfilment")
        cls = m.class_of(v)
        ok = (cls >= 0) & np.isfinite(w)
        h = np.bincount(cls[ok], weights=w[ok], minlength=len(m.bins))
        labels = list(m.bin_labels)
        colours = class_colours(m)
    else:
        edges = np.linspace(0, 1, bins + 1)
        h = _weighted_hist(v, w, edges)
        labels = [f"{edges[i] * 100:.0f}-{edges[i + 1] * 100:.0f}%" for i in range(bins)]
        colours = sample_colorscale("Viridis", list(np.linspace(0.15, 0.9, bins)))
    axis = ("%{x} of need met", "share of need met")
    return _count_bars((labels, h, colours), axis, unit, title, height, margin_b=50, bargap=0.05)


def distribution_figure(
    areas: pd.DataFrame,
    column: str,
    *,
    weight_col: str = "population",
    bins: int = 20,
    height: int = 320,
    info: MeasureInfo | None = None,
) -> go.Figure:
    """How many people live in areas at each level of ``column`` (a population-weighted histogram).

    Flags give two bars: people in areas flagged yes and no.
    """
    info = info or measure_info(column, areas[column])
    w = (
        pd.to_numeric(areas[weight_col], errors="coerce").to_numpy(float)
        if weight_col in areas.columns
        else np.ones(len(areas))
    )
    unit = "people" if weight_col in areas.columns else "areas"
    if info.kind == "flag":
        f = areas[column].astype("float").to_numpy()
        ys = [float(np.nansum(w[f == 1])), float(np.nansum(w[f == 0]))]
        fig = go.Figure(
            go.Bar(
                x=["yes", "no"],
                y=ys,
                marker={"color": [FLAG_YES, MUTED]},
                hovertemplate=f"%{{x}}: %{{y:,.0f}} {unit}<extra></extra>",
            )
        )
        xtitle = info.label
    else:
        v = pd.to_numeric(areas[column], errors="coerce").to_numpy(float) * info.scale
        finite = v[np.isfinite(v)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        if hi <= lo:
            hi = lo + 1.0
        edges = np.linspace(lo, hi, bins + 1)
        h = _weighted_hist(v, w, edges)
        mids = (edges[:-1] + edges[1:]) / 2
        fig = go.Figure(
            go.Bar(
                x=mids,
                y=h,
                width=(edges[1] - edges[0]) * 0.95,
                marker={"color": ACCENT},
                hovertemplate=f"about %{{x:,.2f}} {info.unit}: %{{y:,.0f}} {unit}<extra></extra>",
            )
        )
        xtitle = info.title
    return _titled_layout(
        fig,
        title=f"{unit.capitalize()} by {info.label.lower()}",
        height=height,
        margin_l=60,
        margin_b=50 + 18 * _wrap(xtitle, 55).count("<br>"),
        xaxis_title=_wrap(xtitle, 55),
        yaxis_title=unit,
    )


def lorenz_curve(
    values: Sequence[float], weights: Sequence[float] | None = None
) -> tuple[np.ndarray, np.ndarray, float]:
    """Population-weighted Lorenz curve and Gini of ``values`` (equity's one Gini).

    Returns ``(cum_population_share, cum_value_share, gini)``, both curves starting at 0 and
    ending at 1. Missing values are dropped.
    """
    from equity.inequality import gini
    from equity.inequality import lorenz_curve as curve

    v = np.asarray(values, dtype=float)
    w = np.ones_like(v) if weights is None else np.asarray(weights, dtype=float)
    ok = np.isfinite(v) & np.isfinite(w) & (w > 0) & (v >= 0)
    if not ok.any() or np.sum(v[ok] * w[ok]) <= 0:
        return np.array([0.0, 1.0]), np.array([0.0, 1.0]), 0.0
    lc = curve(v[ok], w[ok])
    return lc["population_share"].to_numpy(), lc["value_share"].to_numpy(), gini(v[ok], w[ok])


def lorenz_figure(
    curves: Mapping[str, tuple[Sequence[float], Sequence[float] | None]],
    *,
    height: int = 340,
    title: str | None = "How evenly it is shared (Lorenz curve)",
    value_label: str = "value",
) -> go.Figure:
    """Lorenz curves, one per ``{name: (values, population weights)}``, with the Gini in the legend.

    The diagonal is perfect equality; the further a curve sags below it, the more unequal.
    """
    fig = go.Figure(
        go.Scatter(
            x=[0, 1],
            y=[0, 1],
            mode="lines",
            line={"color": OUTLINE, "dash": "dash"},
            name="everyone the same",
            hoverinfo="skip",
        )
    )
    for i, (name, (values, weights)) in enumerate(curves.items()):
        x, y, g = lorenz_curve(values, weights)
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode="lines",
                line={"color": OKABE_ITO[(i + 4) % len(OKABE_ITO)], "width": 2.5},
                name=f"{name} (Gini {g:.2f})",
                hovertemplate=(
                    f"poorest-served %{{x:.0%}} of people get %{{y:.0%}} of the {value_label}"
                    "<extra></extra>"
                ),
            )
        )
    # the legend goes under the plot, a line an entry, and the figure grows by its lines: a
    # long legend never squashes the curve (the plot keeps ``height`` less the title)
    entries = len(fig.data)
    legend_px = 22 * entries + 10
    return _titled_layout(
        fig,
        title=title,
        height=height + legend_px,
        margin_l=60,
        margin_b=50 + legend_px,
        grid="xy",
        xaxis={"title": "share of people (least to most)", "tickformat": ".0%", "range": [0, 1]},
        yaxis={"title": f"share of the {value_label}", "tickformat": ".0%", "range": [0, 1]},
        legend={
            "orientation": "v",
            "x": 0,
            "xanchor": "left",
            "y": -45 / max(height - title_room(title) - 50, 100),  # under the x axis title
            "yanchor": "top",
            "bgcolor": "rgba(255,255,255,0)",
        },
    )


def unmet_by_commodity(
    unmet: pd.DataFrame | pd.Series,
    *,
    value_col: str = "unmet_kg",
    commodity_col: str = "commodity",
    share_col: str | None = None,
    labels: Mapping[str, str] | None = None,
    height: int = 320,
    title: str | None = "Need not met, by food",
) -> go.Figure:
    """Horizontal bars of unmet need (kg per period) for each commodity, largest at the top.

    With ``share_col`` (the unmet share of each commodity's need, 0-1) each bar is labelled
    "kg (share)", as in the reports.
    """
    if isinstance(unmet, pd.Series):
        s = unmet.astype(float)
    elif len(unmet):
        s = unmet.groupby(commodity_col)[value_col].sum().astype(float)
    else:
        s = pd.Series(dtype=float)
    s = s.sort_values()
    names = [labels.get(str(c), str(c)) if labels else str(c) for c in s.index]
    text = None
    if share_col is not None and isinstance(unmet, pd.DataFrame) and len(unmet):
        share = unmet.groupby(commodity_col)[share_col].sum().reindex(s.index)
        text = [f"{k:,.0f} kg ({f:.0%})" for k, f in zip(s, share, strict=True)]
    fig = go.Figure(
        go.Bar(
            x=s.to_numpy(),
            y=names,
            orientation="h",
            marker={"color": LOSS},
            text=text,
            textposition="auto",
            hovertemplate="%{y}: %{x:,.0f} kg not delivered<extra></extra>",
        )
    )
    if s.empty or float(s.sum()) == 0:
        fig.add_annotation(
            text="All need is met", showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper"
        )
    return _titled_layout(
        fig,
        title=title,
        height=max(height, 16 * len(s) + 110),
        margin_l=110,
        grid="x",
        xaxis_title="kg per period",
        yaxis={"dtick": 1, "tickfont": {"size": 11}},
    )


def same_plan_groups(curve: pd.DataFrame, weight_col: str = "equity_weight") -> list[pd.DataFrame]:
    """The curve's rows (sorted by weight) in runs of neighbouring weights that gave the same
    plan: the same need met, worst-served reachable area and transport cost, to 1e-6 of each."""
    df = curve.sort_values(weight_col) if weight_col in curve.columns else curve
    cols = [
        c
        for c in ("need_met_kg", "min_fulfilment_reachable", "transport_cost_usd")
        if c in df.columns
    ]
    groups: list[list[int]] = []
    prev = None
    for i, row in enumerate(df[cols].to_numpy(float)):
        same = prev is not None and np.allclose(row, prev, rtol=1e-6, atol=1e-6, equal_nan=True)
        if same:
            groups[-1].append(i)
        else:
            groups.append([i])
        prev = row
    return [df.iloc[g] for g in groups]


def _weights_words(weights: Sequence[float]) -> str:
    w = [f"{v:g}" for v in weights]
    return f"weight {w[0]}" if len(w) == 1 else f"weights {w[0]} to {w[-1]}"


def efficiency_equity_figure(
    curve: pd.DataFrame,
    *,
    x_col: str = "food_price_kg",
    y_col: str = "min_fulfilment_reachable",
    weight_col: str = "equity_weight",
    height: int = 380,
    title: str | None = "Efficiency and equity: what fairness costs",
) -> go.Figure:
    """The efficiency/equity curve: the food given up for fairness (against the plan that meets
    the most need, weight 0) against the worst-served reachable area's share of need met.

    One labelled point per plan: neighbouring equity weights that give the same plan share a
    point ("weights 0.25 to 1"), so a flat curve reads as what it is. The words are
    :func:`fairness_summary`.
    """
    groups = same_plan_groups(curve, weight_col) if len(curve) else []
    df = pd.DataFrame([g.iloc[0] for g in groups]) if groups else curve
    if x_col not in df.columns and x_col == "food_price_kg" and "need_met_kg" in df.columns:
        df = df.assign(food_price_kg=float(df["need_met_kg"].iloc[0]) - df["need_met_kg"])
    if y_col not in df.columns and y_col == "min_fulfilment_reachable":
        y_col = "min_fulfilment"
    x = df[x_col].to_numpy(float)
    ym, xm = kpi_info(y_col), kpi_info(x_col)
    y = df[y_col].to_numpy(float) * ym.scale
    labels = (
        [_weights_words(g[weight_col].tolist()) for g in groups]
        if weight_col in curve.columns
        else [""] * len(df)
    )
    xi = MeasureInfo.of(xm)
    fig = go.Figure(
        go.Scatter(
            x=x,
            y=y,
            mode="lines+markers+text",
            marker={"size": 10, "color": ACCENT},
            line={"color": ACCENT},
            text=labels,
            textposition=["top right"] + ["top left"] * (len(labels) - 1),
            hovertemplate=(
                "%{text}<br>"
                + xi.label
                + ": %{x:,.2f} "
                + xm.unit
                + "<br>"
                + ym.label
                + ": %{y:.3g}"
                + ym.unit
                + "<extra></extra>"
            ),
            name="plans",
        )
    )
    span = float(np.ptp(x)) if len(x) else 0.0
    fig.update_xaxes(range=[-0.15 * span, 1.25 * span] if span > 0 else [-1, 1])
    fig.update_yaxes(range=[-5, max(float(np.nanmax(y)) * 1.3, 10.0)] if len(y) else None)
    return _titled_layout(
        fig,
        title=title,
        height=height,
        margin_l=70,
        grid="xy",
        xaxis_title=xi.title,
        yaxis={"title": f"{ym.label} ({ym.unit})" if ym.unit else ym.label},
    )


def fairness_summary(curve: pd.DataFrame, weight_col: str = "equity_weight") -> str:
    """What fairness costs on this curve, in a sentence or two of plain words."""
    groups = same_plan_groups(curve, weight_col) if len(curve) else []
    if not groups:
        return "No plans to compare."
    y = "min_fulfilment_reachable" if "min_fulfilment_reachable" in curve else "min_fulfilment"
    if len(groups) == 1:
        return (
            "Every equity weight gives the same plan: here fairness costs nothing, and nothing "
            "more can be done for the worst-served area within reach (it gets "
            f"{float(groups[0][y].iloc[0]):.1%} of its need) with this supply and reach."
        )
    first, last = groups[0].iloc[0], groups[-1].iloc[0]
    need0 = float(first["need_met_kg"])
    kg = need0 - float(last["need_met_kg"])
    text = (
        f"Raising the worst-served area within reach from {float(first[y]):.1%} to "
        f"{float(last[y]):.1%} of its need ({_weights_words(groups[-1][weight_col].tolist())}) "
    )
    if kg < 0.005:
        text += "meets as much need in total"
    else:
        share = kg / need0 if need0 > 0 else float("nan")
        text += (
            f"gives up {kg:,.{2 if kg < 10 else 0}f} kg of food delivered ("
            f"{f'{share:.2%}' if share >= 1e-4 else 'under 0.01%'} of the most that can be met)"
        )
    if "transport_cost_usd" in curve:
        money = float(last["transport_cost_usd"]) - float(first["transport_cost_usd"])
        if abs(money) >= 0.005:
            text += f" and costs ${money:,.2f} {'more' if money > 0 else 'less'} in transport"
    text += ": that is the price of fairness."
    same = [g for g in groups if len(g) > 1]
    if same:
        text += " " + " ".join(
            f"Equity {_weights_words(g[weight_col].tolist())} give the same plan." for g in same
        )
    return text


def comparison_kpi_figure(
    runs: Mapping[str, Mapping[str, Any]],
    *,
    keys: Sequence[str] = ("need_met_share", "min_fulfilment"),
    height: int = 320,
) -> go.Figure:
    """Grouped bars of the same KPIs for several runs (one colour per run)."""
    fig = go.Figure()
    for i, (name, kpis) in enumerate(runs.items()):
        rows = {r["key"]: r for r in kpi_table(kpis, keys=keys)}
        labels = [rows[k]["label"] for k in keys if k in rows]
        vals = [rows[k]["value"] * kpi_info(k).scale for k in keys if k in rows]
        texts = [rows[k]["text"] for k in keys if k in rows]
        fig.add_trace(
            go.Bar(
                x=labels,
                y=vals,
                name=name,
                text=texts,
                textposition="outside",
                marker={"color": OKABE_ITO[(i + 4) % len(OKABE_ITO)]},
                hovertemplate=f"{name}<br>%{{x}}: %{{text}}<extra></extra>",
            )
        )
    fig.update_layout(
        barmode="group",
        height=height,
        # the legend above the plot, under the strip of the tool bar
        margin={"l": 50, "r": 10, "t": MODEBAR_PX + 30, "b": 40},
        font=_FONT,
        plot_bgcolor="white",
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0, "xanchor": "left"},
    )
    fig.update_yaxes(gridcolor=GRID)
    return fig


def gains_losses_figure(
    change: pd.DataFrame,
    *,
    value_col: str = "fulfilment_change",
    weight_col: str = "population",
    height: int = 320,
    title: str | None = "Who gains and who loses",
) -> go.Figure:
    """People by change in share of need met between two runs (percentage points).

    Losses are vermillion, gains blue (colour-blind safe); no change is grey.
    """
    v, w, unit = _values_weights(change, value_col, weight_col)
    v = v * 100
    edges = np.array([-100, -50, -25, -10, -1, 1, 10, 25, 50, 100], dtype=float)
    h = _weighted_hist(v, w, edges)
    labels = [
        "-100 to -50",
        "-50 to -25",
        "-25 to -10",
        "-10 to -1",
        "about the same",
        "+1 to +10",
        "+10 to +25",
        "+25 to +50",
        "+50 to +100",
    ]
    colours = [LOSS] * 4 + [SAME] + [GAIN] * 4
    axis = ("%{x} points", "change in share of need met (percentage points)")
    return _count_bars((labels, h, colours), axis, unit, title, height, margin_b=70)

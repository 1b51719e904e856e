"""Sweep the transport budget and the equity weight: the efficiency/equity curve, as HTML.

For each budget, the ``balanced`` objective is solved at several equity weights
(``optimize.efficiency_equity_curve``): weight 0 delivers the most food, weight 1 lifts the
worst-served area the most. The chart plots the share of need met against the Gini of fulfilment
across residents: what fairness costs in food at each budget.

    python examples/budget_sweep.py --out sweep/ [--region my_city/] [--budgets 10000 20000 40000]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

import equity
import optimize


def sweep(region: equity.Region, budgets: list[float], weights: list[float]) -> pd.DataFrame:
    frames = []
    for budget in budgets:
        curve = optimize.efficiency_equity_curve(region, weights=weights, budget_usd=budget)
        frames.append(curve.assign(budget_usd=budget))
    return pd.concat(frames, ignore_index=True)


def labels(sub: pd.DataFrame) -> list[str]:
    """``w=...`` at each point, left out where a point sits on the one before it."""
    out, last = [], None
    for w, x, y in zip(
        sub["equity_weight"], sub["gini_fulfilment"], sub["need_met_share"], strict=True
    ):
        same = last is not None and abs(x - last[0]) < 2e-3 and abs(y - last[1]) < 2e-3
        out.append("" if same else f"w={w:g}")
        last = (x, y)
    return out


def figure(curves: pd.DataFrame) -> go.Figure:
    fig = go.Figure()
    for budget, sub in curves.groupby("budget_usd"):
        fig.add_trace(
            go.Scatter(
                x=sub["gini_fulfilment"],
                y=sub["need_met_share"],
                mode="lines+markers+text",
                text=labels(sub),
                textposition="top center",
                name=f"budget ${budget:,.0f}",
                hovertemplate="Gini of fulfilment %{x:.3f}<br>need met %{y:.1%}<extra></extra>",
            )
        )
    fig.update_layout(
        title="The price of fairness: food delivered vs. how evenly it is shared, by budget",
        xaxis={
            "title": "inequality of fulfilment across residents (Gini; lower is fairer)",
            "autorange": "reversed",
        },
        yaxis={"title": "share of all need met", "tickformat": ".0%"},
        template="plotly_white",
        height=560,
    )
    return fig


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", default="demo", help="region folder, or 'demo'")
    parser.add_argument("--out", type=Path, default=Path("foodshed-sweep"))
    parser.add_argument("--budgets", type=float, nargs="+", default=[10000.0, 20000.0, 40000.0])
    parser.add_argument("--weights", type=float, nargs="+", default=[0.0, 0.5, 1.0])
    args = parser.parse_args(argv)

    region = equity.Region.demo() if args.region == "demo" else equity.Region.from_dir(args.region)
    curves = sweep(region, args.budgets, args.weights)
    args.out.mkdir(parents=True, exist_ok=True)
    curves.to_csv(args.out / "efficiency_equity.csv", index=False)
    # include_plotlyjs=True inlines plotly.js, so the page opens offline.
    figure(curves).write_html(args.out / "efficiency_equity.html", include_plotlyjs=True)
    cols = ["budget_usd", "equity_weight", "need_met_share", "min_fulfilment", "gini_fulfilment"]
    print(curves[cols].to_string(index=False))
    print(f"wrote {args.out / 'efficiency_equity.html'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Sweep figures on a hand-made sweep table (no solving): two budgets x three draws."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from dashboard.figures.sweep import (
    distribution_figure,
    frontier_figure,
    resilience_figure,
    sweep_section_html,
)
from dashboard.report.sweep import write_sweep_html
from optimize.sweep import grid_columns, pareto_frontier, summarize_sweep


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "scenario_id": [f"sc-{i}" for i in range(6)],
            "index": range(6),
            "grid_point": [0, 0, 0, 1, 1, 1],
            "draw": [0, 1, 2, 0, 1, 2],
            "p.budget_usd": [100.0] * 3 + [200.0] * 3,
            "p.yield_factor.garden": [0.5, 0.7, 0.9, 0.6, 0.8, 1.0],
            "status": ["optimal"] * 5 + ["error"],
            "need_met_share": [0.5, 0.6, 0.7, 0.8, 0.9, float("nan")],
            "min_fulfilment": [0.1, 0.3, 0.2, 0.4, 0.1, float("nan")],
            "min_fulfilment_reachable": [0.1, 0.3, 0.2, 0.4, 0.1, float("nan")],
            "mean_fulfilment": [0.5] * 6,
            "gini_fulfilment": [0.2] * 6,
            "transport_cost_usd": [90.0, 95, 99, 150, 180, float("nan")],
            "vulnerable_min_fulfilment": [0.1, 0.6, 0.4, 0.7, 0.2, float("nan")],
            "vulnerable_mean_fulfilment": [0.5] * 6,
            "vulnerable_below_threshold": [2, 0, 1, 0, 1, -1],
        }
    )


def test_grid_columns_and_frontier(frame):
    assert grid_columns(frame) == ["p.budget_usd"]
    fr = pareto_frontier(frame[frame["status"] == "optimal"])
    # (0.9, 0.1) has most need met; (0.8, 0.4) the best equity; the rest are dominated
    assert list(fr["scenario_id"]) == ["sc-3", "sc-4"]


def test_summary_by_hand(frame):
    s = summarize_sweep(frame, threshold=0.5)
    res = s["resilience"].set_index("p.budget_usd")
    # budget 100: draws 0.1, 0.6, 0.4 -> 2 of 3 below 0.5; budget 200: 0.7, 0.2 -> 1 of 2
    assert res.loc[100.0, "p_any_below"] == pytest.approx(2 / 3)
    assert res.loc[200.0, "p_any_below"] == pytest.approx(1 / 2)
    assert res.loc[200.0, "draws"] == 2
    assert s["p_any_below_overall"] == pytest.approx(3 / 5)
    assert s["errors"] == 1 and s["solved"] == 5
    lo, hi = s["p_any_below_overall_ci95"]
    assert lo < 0.6 < hi


def test_figures(frame):
    s = summarize_sweep(frame, threshold=0.5)
    fig = frontier_figure(frame, s["frontier"])
    assert [t.name for t in fig.data] == ["scenarios", "frontier"]
    assert list(fig.data[1].x) == [0.8, 0.9]
    r = resilience_figure(s["resilience"], threshold=0.5, flag="LILATracts_1And10")
    assert list(r.data[0].x) == ["budget_usd=100", "budget_usd=200"]
    assert list(r.data[0].y) == pytest.approx([2 / 3, 1 / 2])
    assert "LILATracts_1And10" in r.layout.title.text
    d = distribution_figure(frame, "need_met_share")
    assert len(d.data) == 2 and list(d.data[1].y) == [0.8, 0.9]
    html = sweep_section_html(frame, {**s, "flag": "low_income"}, title="A <b> sweep")
    assert "A &lt;b&gt; sweep" in html and html.count("plotly-graph-div") == 4


def test_write_page(frame, tmp_path):
    (tmp_path / "results").mkdir()
    frame.to_parquet(tmp_path / "results" / "part-1.parquet")
    meta = {"name": "t", "vary": {"budget_usd": [100, 200]}, "resilience": {"threshold": 0.5}}
    (tmp_path / "sweep.json").write_text(json.dumps(meta))
    page = write_sweep_html(tmp_path)
    text = page.read_text()
    assert page.name == "sweep.html" and "Sweep t" in text and len(text) > 1_000_000

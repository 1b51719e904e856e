"""Reports of plans over weeks: the week-by-week section and the transfers map."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from dashboard.report import render_report
from equity import Region
from optimize.network import allocate_network
from tests.helpers import chain_region


@pytest.fixture(scope="module")
def chain() -> Region:
    """A garden and a pantry 3 km apart; area B is reached only through the pantry."""
    return chain_region()


def test_report_shows_weeks_and_transfers(chain):
    plan = allocate_network(
        chain,
        weeks=3,
        max_distance_m=2000,
        max_transfer_m=5000,
        objective="coverage",
        solver="highs",
    )
    html = render_report(chain, plan, scenario="Three weeks")
    figs = dict(re.findall(r'data-figure="([\w-]+)">(\{.*?\})</script>', html, flags=re.S))
    assert {"weeks", "transfers-map"} <= set(figs)
    weeks = json.loads(figs["weeks"])
    # every week: need 5 kg, all met (3 kg through the pantry); 10 - 5 = 5 kg of greens spoil
    need_met = next(t for t in weeks["data"] if t["name"] == "Share of all need met")
    assert need_met["y"] == pytest.approx([1.0, 1.0, 1.0])
    spoiled = next(t for t in weeks["data"] if t["name"] == "Spoiled (kg)")
    assert spoiled["y"] == pytest.approx([5.0, 5.0, 5.0])
    rows = re.findall(r'<tr data-week="(\d)">', html)
    assert rows == ["1", "2", "3"]
    tmap = json.loads(figs["transfers-map"])
    lines = [t for t in tmap["data"] if t.get("legendgroup") == "flows"]
    assert len(lines) == 1
    xs = [x for x in lines[0]["x"] if x is not None]
    assert np.ptp(xs) == pytest.approx(3000.0, abs=1.0)  # garden -> pantry


def test_single_period_report_has_no_week_section(chain):
    from optimize import allocate

    html = render_report(chain, allocate(chain, solver="highs"), scenario="One week")
    assert 'id="week-table"' not in html and 'data-figure="weeks"' not in html


def test_moves_are_one_trace_apart_from_deliveries_and_the_chart_picks_a_week(chain):
    from dashboard.figures import flow_lines
    from dashboard.figures.weeks import TRANSFER_COLOUR, transfer_lines, weeks_figure

    plan = allocate_network(
        chain, weeks=3, max_distance_m=2000, max_transfer_m=5000, objective="coverage"
    )
    moves = transfer_lines(chain.sites, plan.transfers)
    # one route, G to P: 3 kg a week for B
    assert moves.name == "moved between sites (1 route)" and moves.legendgroup == "transfers"
    assert [t for t in moves.text if t] == ["G to P: 9 kg moved"] * 2
    assert moves.line.color == TRANSFER_COLOUR
    assert {tr.line.color for tr in flow_lines(chain.areas, chain.sites, plan.flows)} != {
        TRANSFER_COLOUR
    }
    empty = transfer_lines(chain.sites, plan.transfers.iloc[:0])
    assert len(empty.lon) == 0 and not empty.showlegend  # always one trace, for a patch
    fig = weeks_figure(plan.kpis_by_week, selected=2)
    assert fig.layout.meta["selected"] == 2
    assert list(fig.data[0].marker.opacity) == [0.35, 1.0, 0.35]

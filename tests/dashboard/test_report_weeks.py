"""Reports of plans over weeks: the week-by-week section and the transfers map."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from dashboard.report import render_report
from equity import Region
from optimize.network import allocate_network
from tests.helpers import two_areas

X0, Y0 = 500_000.0, 4_000_000.0


@pytest.fixture(scope="module")
def chain() -> Region:
    """A garden and a pantry 3 km apart; area B is reached only through the pantry."""
    areas = two_areas(3000)
    sites = gpd.GeoDataFrame(
        {"site_id": ["G", "P"], "kind": ["garden", "pantry"], "name": ["Hill Garden", "Pantry"]},
        geometry=[Point(X0, Y0), Point(X0 + 3000, Y0)],
        crs="EPSG:32617",
    )
    comm = pd.DataFrame(
        {"commodity": ["greens"], "unit": ["kg"], "kg_per_unit": [1.0], "shelf_life_days": [4.0]}
    )
    supply = pd.DataFrame({"site_id": ["G"], "commodity": ["greens"], "quantity": [10.0]})
    need = pd.DataFrame(
        {"area_id": ["A", "B"], "commodity": ["greens"] * 2, "quantity": [2.0, 3.0]}
    )
    return Region.from_frames(areas, None, sites, comm, supply, need, name="chain")


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
    need_met = next(t for t in weeks["data"] if t["name"] == "Need met")
    assert need_met["y"] == pytest.approx([1.0, 1.0, 1.0])
    spoiled = next(t for t in weeks["data"] if t["name"] == "Spoiled (kg)")
    assert spoiled["y"] == pytest.approx([5.0, 5.0, 5.0])
    rows = re.findall(r'<tr data-week="(\d)">', html)
    assert rows == ["1", "2", "3"]
    tmap = json.loads(figs["transfers-map"])
    # one width class drawn (the others empty, off the legend: every map has five)
    lines = [t for t in tmap["data"] if t.get("legendgroup") == "flows" and len(t["x"])]
    assert len(lines) == 1
    xs = [x for x in lines[0]["x"] if x is not None]
    assert np.ptp(xs) == pytest.approx(3000.0, abs=1.0)  # garden -> pantry


def test_single_period_report_has_no_week_section(chain):
    from optimize import allocate

    html = render_report(chain, allocate(chain, solver="highs"), scenario="One week")
    assert 'id="week-table"' not in html and 'data-figure="weeks"' not in html

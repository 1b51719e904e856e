"""The Plan page's maps: one trace per MapLibre layer group, stacked so a redraw moves nothing."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point, box


def _areas_sites():
    cells = [box(440_000 + 1000 * i, 4_420_000, 441_000 + 1000 * i, 4_421_000) for i in range(3)]
    areas = gpd.GeoDataFrame(
        {"area_id": ["a", "b", "c"], "population": [100.0, 200.0, 300.0]},
        geometry=cells,
        crs="EPSG:32616",
    )
    sites = gpd.GeoDataFrame(
        {"site_id": ["h1", "g1"], "kind": ["hub", "garden"]},
        geometry=[Point(440_500, 4_420_500), Point(442_500, 4_420_500)],
        crs="EPSG:32616",
    )
    flows = pd.DataFrame(
        {"site_id": ["h1", "g1"], "area_id": ["b", "c"], "quantity_kg": [40.0, 100.0]}
    )
    return areas, sites, flows


def test_each_trace_sits_just_under_the_next():
    from dashboard import figures as F
    from dashboard.app.pages.plan_view import _stack

    areas, sites, flows = _areas_sites()
    fig = F.flows_map(areas, sites, flows)
    _stack(fig)
    # outlines, 5 width classes, then hub and garden markers, open and closed: 10 traces
    assert [t.uid for t in fig.data] == [f"t{i}" for i in range(10)]
    assert [t.below for t in fig.data] == [
        *(f"plotly-trace-layer-t{i}-fill" for i in range(1, 10)),
        "",
    ]
    # distinct, so plotly.js leaves every trace's layers in place on a redraw
    assert len({t.below for t in fig.data}) == 10


def test_a_rerun_patch_replaces_the_lines_alone_and_keeps_their_place():
    from dashboard import figures as F
    from dashboard.app.pages.plan_view import _lines_patch, _stack

    areas, sites, flows = _areas_sites()
    fig = F.flows_map(areas, sites, flows)
    _stack(fig)
    # the re-run switches the hub off: the lines and the sites are replaced, the outlines stay
    traces = [*F.flow_lines(areas, sites, flows), *F.sites_layers(sites, closed=["h1"])]
    ops = _lines_patch(traces).to_plotly_json()["operations"]
    assert [op["location"] for op in ops] == [["data", i] for i in range(1, 10)]
    names = [op["params"]["value"]["name"] for op in ops[5:]]
    assert names == ["food hubs (0)", "food hubs closed (1)", *(t.name for t in fig.data[8:])]
    for op in ops:
        i = op["location"][1]
        on_screen = fig.data[i].to_plotly_json()
        assert op["params"]["value"]["uid"] == on_screen["uid"] == f"t{i}"
        assert op["params"]["value"]["below"] == on_screen["below"]
        if i < 6:
            assert op["params"]["value"]["name"] == on_screen["name"]

"""Figure builders: pure functions whose numbers can be checked by hand."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from shapely.geometry import Point, box

from dashboard import figures as F
from dashboard.services import fairness_prices


@pytest.fixture
def areas():
    """Four 1 km squares in a row (UTM 16N), 100/200/300/400 residents."""
    cells = [box(440_000 + 1000 * i, 4_420_000, 441_000 + 1000 * i, 4_421_000) for i in range(4)]
    return gpd.GeoDataFrame(
        {
            "area_id": ["a", "b", "c", "d"],
            "name": ["A", "B", "C", "D"],
            "population": [100.0, 200.0, 300.0, 400.0],
            "dist_supermarket_mi": [0.5, 1.5, 2.5, np.nan],
            "LILATracts_1And10": [False, True, True, False],
            "poverty_rate": [0.1, 0.2, 0.3, 0.4],
        },
        geometry=cells,
        crs="EPSG:32616",
    )


def test_measure_info_labels_units_and_scale():
    assert F.measure_info("dist_supermarket_mi").title == (
        "Distance to the nearest supermarket (miles)"
    )
    m = F.measure_info("dist_supermarket_m")
    assert (m.unit, m.scale) == ("km", 0.001)
    pov = F.measure_info("poverty_rate")
    assert (pov.unit, pov.scale) == ("%", 100.0)
    assert F.measure_info("LILATracts_1And10").kind == "flag"
    assert F.measure_info("lapop1share").label == (
        "Share of people more than 1 mile from a supermarket"
    )
    assert F.measure_info("whatever", pd.Series([0, 1, 1])).kind == "flag"


def test_format_value():
    assert F.format_value(0.256, F.measure_info("poverty_rate")) == "25.6%"
    assert F.format_value(1234.0, F.measure_info("population")) == "1,234 people"
    assert F.format_value(float("nan")) == "no data"
    assert F.format_value(True, F.measure_info("LILATracts_1And10")) == "yes"


def test_measure_options_flags_first_and_no_ids(areas):
    opts = F.measure_options(areas)
    values = [o["value"] for o in opts]
    assert values[0] == "LILATracts_1And10"
    assert "area_id" not in values and "name" not in values
    assert values.index("dist_supermarket_mi") < values.index("population")


@pytest.mark.parametrize("scheme", ["quantiles", "natural_breaks", "equal_interval"])
def test_classify_assigns_every_finite_value(scheme):
    v = np.array([1.0, 2.0, 3.0, 10.0, 11.0, 12.0, np.nan])
    bins, cls = F.classify(v, scheme=scheme, k=2)
    assert len(bins) == 2
    assert cls[-1] == -1
    assert list(cls[:6]) == [0, 0, 0, 1, 1, 1]


def test_classify_rejects_unknown_scheme():
    with pytest.raises(ValueError, match="unknown classification scheme 'jenks'"):
        F.classify([1, 2, 3], scheme="jenks")


def test_fisher_jenks_matches_mapclassify():
    import mapclassify

    v = np.random.default_rng(7).gamma(2.0, 2.0, 120)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "numba not installed" from mapclassify
        expected = mapclassify.FisherJenks(v, k=5).bins
    np.testing.assert_allclose(F.fisher_jenks_breaks(v, 5), expected)
    np.testing.assert_allclose(F.fisher_jenks_breaks([1, 1, 1, 5, 5, 9], 3), [1, 5, 9])


def test_choropleth_numeric_classes_legend_and_hover(areas):
    fig = F.choropleth_map(areas, "dist_supermarket_mi", scheme="equal_interval", k=2)
    assert isinstance(fig, go.Figure)
    main = fig.data[-1]
    # d has no distance: it is drawn grey in a separate "no data" trace
    assert list(fig.data[0].locations) == ["d"]
    assert list(main.locations) == ["a", "b", "c"]
    assert list(main.z) == [0, 0, 1]
    assert main.colorbar.ticktext == ("0.5 to 1.5 miles", "1.5 to 2.5 miles")
    assert "Distance to the nearest supermarket (miles)" in main.colorbar.title.text.replace(
        "<br>", " "
    )
    assert main.customdata[1][1] == "1.50 miles"
    assert "200 people" in list(main.customdata[1])
    assert fig.layout.meta["classes"][1]["label"] == "1.5 to 2.5 miles"
    # farther is worse: the last class gets the darkest viridis colour
    assert fig.layout.meta["classes"][-1]["colour"] == "rgb(68, 1, 84)"


def test_choropleth_flag_two_colours(areas):
    fig = F.choropleth_map(areas, "LILATracts_1And10")
    main = fig.data[-1]
    assert list(main.z) == [0, 1, 1, 0]
    assert main.colorbar.ticktext == ("no", "yes")
    assert fig.layout.meta["classes"][1]["colour"] == F.FLAG_YES


def test_choropleth_unknown_column(areas):
    with pytest.raises(KeyError, match="areas have no column 'nope'"):
        F.choropleth_map(areas, "nope")


def test_area_geojson_is_wgs84_and_keyed(areas):
    gj = F.area_geojson(areas, simplify_m=5)
    assert [f["id"] for f in gj["features"]] == ["a", "b", "c", "d"]
    lon, lat = gj["features"][0]["geometry"]["coordinates"][0][0]
    assert -90 < lon < -84 and 39 < lat < 41


def test_layers_one_trace_per_kind():
    pts = gpd.GeoDataFrame(
        {"site_id": ["h1", "h2", "g1"], "kind": ["hub", "hub", "garden"]},
        geometry=[Point(440_100, 4_420_100), Point(441_100, 4_420_100), Point(442_100, 4_420_100)],
        crs="EPSG:32616",
    )
    traces = F.sites_layers(pts)
    assert [t.name for t in traces] == ["food hubs (2)", "community gardens (1)"]
    assert [t.name for t in F.sites_layers(pts, kinds=["garden"])] == ["community gardens (1)"]
    assert F.sites_layers(pts.iloc[:0]) == []


def test_flows_map_widths_follow_quantity(areas):
    sites = gpd.GeoDataFrame(
        {"site_id": ["h1"], "kind": ["hub"]}, geometry=[Point(440_500, 4_420_500)], crs=areas.crs
    )
    flows = pd.DataFrame(
        {
            "site_id": ["h1", "h1", "h1"],
            "area_id": ["a", "b", "b"],
            "commodity": ["x", "x", "y"],
            "quantity_kg": [10.0, 60.0, 30.0],
        }
    )
    fig = F.flows_map(areas, sites, flows, n_widths=2)
    lines = [t for t in fig.data if getattr(t, "mode", None) == "lines"]
    # a gets 10 kg (thin class), b gets 60 + 30 = 90 kg (thick class)
    assert [t.name for t in lines] == ["0 to 45 kg", "45 to 90 kg"]
    assert lines[0].line.width < lines[1].line.width
    assert "h1 to b: 90 kg" in lines[1].text


def _json(traces) -> list[str]:
    from plotly.io.json import to_json_plotly

    return [to_json_plotly(t.to_plotly_json()) for t in traces]


def test_flow_lines_are_the_line_traces_of_flows_map(areas):
    """A re-run patches traces 1..n_widths of the map on screen with ``flow_lines`` alone."""
    sites = gpd.GeoDataFrame(
        {"site_id": ["h1"], "kind": ["hub"]}, geometry=[Point(440_500, 4_420_500)], crs=areas.crs
    )
    flows = pd.DataFrame(
        {"site_id": ["h1", "h1"], "area_id": ["a", "b"], "quantity_kg": [10.0, 90.0]}
    )
    fig = F.flows_map(areas, sites, flows, n_widths=3)
    lines = F.flow_lines(areas, sites, flows, n_widths=3)
    assert _json(fig.data[1:4]) == _json(lines)
    # 0-30 kg: a's 10 kg; 30-60 kg: nothing (an empty trace, off the legend); 60-90 kg: b's 90
    assert [t.showlegend for t in lines] == [True, False, True]
    assert len(lines[1].lon) == 0


def test_choropleth_map_without_layout_keeps_traces_and_meta(areas):
    full = F.choropleth_map(areas, "dist_supermarket_mi", scheme="equal_interval", k=2)
    bare = F.choropleth_map(
        areas, "dist_supermarket_mi", scheme="equal_interval", k=2, layout=False
    )
    assert _json(bare.data) == _json(full.data)
    assert bare.layout.meta == full.layout.meta
    assert bare.layout.height is None and full.layout.height == 560


def test_kpi_table_plain_words():
    rows = F.kpi_table({"need_met_share": 0.654, "transport_cost_usd": 39775.1, "status": "ok"})
    assert [(r["label"], r["text"]) for r in rows] == [
        ("Share of all need met", "65.4%"),
        ("Transport cost", "$39,775"),
    ]


def test_fulfilment_histogram_weights_people():
    ful = pd.DataFrame({"fulfilment": [0.05, 0.95, 1.0], "population": [10.0, 20.0, 30.0]})
    fig = F.fulfilment_histogram(ful, bins=10)
    assert list(fig.data[0].y) == [10, 0, 0, 0, 0, 0, 0, 0, 0, 50]
    assert fig.layout.yaxis.title.text == "people"
    # by default, the catalogue's classes: the map's and the report's
    fig = F.fulfilment_histogram(ful)
    assert list(fig.data[0].x) == ["under 25%", "25-50%", "50-75%", "75-99%", "fully met"]
    assert list(fig.data[0].y) == [10, 0, 0, 20, 30]


def test_lorenz_curve_gini_by_hand():
    # two people, one has everything: Gini of the population-weighted curve = 0.5
    x, y, g = F.lorenz_curve([0.0, 1.0], [1.0, 1.0])
    np.testing.assert_allclose(x, [0, 0.5, 1])
    np.testing.assert_allclose(y, [0, 0, 1])
    assert g == pytest.approx(0.5)
    assert F.lorenz_curve([1.0, 1.0, 1.0])[2] == pytest.approx(0.0)
    fig = F.lorenz_figure({"distance": ([1.0, 3.0], [1.0, 1.0])})
    assert fig.data[1].name == "distance (Gini 0.25)"


def test_distribution_figure_flag_and_number(areas):
    flag = F.distribution_figure(areas, "LILATracts_1And10")
    assert list(flag.data[0].y) == [500.0, 500.0]
    num = F.distribution_figure(areas, "poverty_rate", bins=3)
    assert sum(num.data[0].y) == pytest.approx(1000.0)


def test_unmet_by_commodity_sorted_and_all_met():
    fig = F.unmet_by_commodity(pd.DataFrame({"commodity": ["a", "b", "a"], "unmet_kg": [1, 5, 2]}))
    assert list(fig.data[0].y) == ["a", "b"]
    assert list(fig.data[0].x) == [3, 5]
    empty = F.unmet_by_commodity(pd.DataFrame({"commodity": [], "unmet_kg": []}))
    assert empty.layout.annotations[0].text == "All need is met"


def test_efficiency_equity_price_of_fairness():
    curve = pd.DataFrame(
        {
            "equity_weight": [0.0, 0.5, 1.0],
            "need_met_kg": [1000.0, 950.0, 900.0],
            "min_fulfilment": [0.0, 0.4, 0.6],
            "money_price_usd": [0.0, 10.0, 25.0],
        }
    )
    fig = F.efficiency_equity_figure(curve)
    share, money = fairness_prices(curve.iloc[::-1])  # sorted by weight, whatever the order
    assert share == pytest.approx(0.1)
    assert money == 25.0
    assert fig.layout.annotations[0].text == "price of fairness: 10.0% less food delivered"
    assert list(fig.data[0].y) == [0, 40, 60]
    assert fig.layout.yaxis.title.text == "Worst-served area: share of need met (%)"


def test_gains_losses_buckets():
    change = pd.DataFrame(
        {"fulfilment_change": [-0.6, 0.0, 0.3, 0.05], "population": [1.0, 2.0, 3.0, 4.0]}
    )
    fig = F.gains_losses_figure(change)
    y = list(fig.data[0].y)
    assert y[0] == 1 and y[4] == 2 and y[5] == 4 and y[7] == 3


def test_comparison_kpi_figure_one_trace_per_run():
    fig = F.comparison_kpi_figure(
        {"base": {"need_met_share": 0.5}, "outage": {"need_met_share": 0.4}},
        keys=("need_met_share",),
    )
    assert [t.name for t in fig.data] == ["base", "outage"]
    assert list(fig.data[1].y) == [40.0]

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
from dashboard.figures.classes import _class_labels, class_note


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
    values = [o["value"] for o in opts if not o.get("disabled")]
    assert values[0] == "LILATracts_1And10"
    assert "area_id" not in values and "name" not in values
    assert values.index("dist_supermarket_mi") < values.index("poverty_rate")


@pytest.fixture(scope="module")
def demo_areas():
    from dashboard.services import analyze, load_region

    return analyze(load_region("demo"))


def test_measure_menu_is_curated_grouped_and_plain(demo_areas):
    """The plain menu: the catalogue's MENU columns the demo has, under group headings, with
    no raw column names, no km twins, no need-index parts, no repeated label."""
    opts = F.measure_options(demo_areas)
    heads = [o["label"] for o in opts if o.get("disabled")]
    assert heads == [
        "FOOD DESERTS (USDA ATLAS)",
        "DISTANCE TO FOOD",
        "STORES NEARBY",
        "ACCESS SCORES",
        "NEED",
        "POPULATION",
    ]
    assert all(o["value"].startswith(F.GROUP_VALUE) for o in opts if o.get("disabled"))
    picks = [o for o in opts if not o.get("disabled")]
    values = [o["value"] for o in picks]
    labels = [o["label"] for o in picks]
    assert len(labels) == len(set(labels)) == 33  # of the 77 columns the expert menu lists
    assert "dist_supermarket_m" not in values and "need_snap_pct" not in values
    assert "lapop10" not in values and "urban" not in values
    assert all("_" not in lab for lab in labels)  # words, never a column name
    need = next(o for o in picks if o["value"] == "need_index")
    assert need["label"] == "Need index, higher means greater need (mean percentile rank, 0-100)"
    # the group a measure sits under is its catalogue group
    i_need = next(i for i, o in enumerate(opts) if o["label"] == "NEED")
    assert opts[i_need + 1]["value"] == "need_index"


def test_expert_menu_lists_every_column_once_with_its_name(demo_areas):
    opts = F.measure_options(demo_areas, expert=True)
    labels = [o["label"] for o in opts]
    assert len(opts) == 77 and len(set(labels)) == 77
    assert not any(o.get("disabled") for o in opts)
    # two columns whose words are the same stay apart by their names
    assert "Urban area [Urban]" in labels and "Urban area [urban]" in labels
    assert "Distance to the nearest supermarket (km) [dist_supermarket_m]" in labels


def test_default_measure_is_the_computed_flag_not_an_input_column():
    """A region carrying the Atlas's own flags as ``*_input`` columns (as Allegheny does)
    opens on the flag Foodshed computed, which the headline cards count."""
    from dashboard.services import headline

    areas = pd.DataFrame(
        {
            "area_id": ["a", "b"],
            "population": [100.0, 300.0],
            "LILATracts_1And10_input": [True, False],
            "LILATracts_1And10": [False, True],
            "LILATracts_halfAnd10": [True, True],
            "dist_supermarket_mi": [0.4, 2.0],
        }
    )
    expert = F.measure_options(areas, expert=True)
    assert expert[0]["value"] == "LILATracts_1And10_input"  # why the old menu opened on it
    first = headline(areas)[0]["column"]
    assert first == "LILATracts_1And10"
    for opts in (F.measure_options(areas), expert):
        assert F.default_measure(opts, first) == "LILATracts_1And10"
    # no flag at all: the first measure of the menu, never a heading
    plain = F.measure_options(areas[["area_id", "population", "dist_supermarket_mi"]])
    assert F.default_measure(plain, None) == "dist_supermarket_mi"


def test_classes_never_read_0_to_0_and_say_why_there_are_fewer():
    """Counts with many zeros: 5 quantiles asked, one repeated edge merged; the class of the
    single value 0 reads "0 stores", whole-number classes start at the next whole number."""
    info = F.measure_info("n_supermarket_1mi")
    v = np.array([0] * 8 + [1, 1, 2, 2, 3, 4, 5, 7], dtype=float)
    bins, cls = F.classify(v, scheme="quantiles", k=5)
    # quintile edges of the 16 values: 0, 0 (half are 0), 1, 3, 7: the repeated 0 merges
    assert list(bins) == [0.0, 1.0, 3.0, 7.0]
    assert list(cls) == [0] * 8 + [1, 1, 2, 2, 2, 3, 3, 3]
    assert _class_labels(bins, 0.0, info, v) == [
        "0 stores",
        "1 store",
        "2 to 3 stores",
        "4 to 7 stores",
    ]
    assert class_note(v, 5, len(bins)) == (
        "4 classes, not 5: 1 empty class merged into its neighbour (no area falls in it)"
    )
    # fewer distinct values than classes: one class per value, and it says so
    few = np.array([0, 0, 1, 2, 3, 3, np.nan])
    bins, cls = F.classify(few, scheme="equal_interval", k=5)
    assert list(bins) == [0, 1, 2, 3] and list(cls) == [0, 0, 1, 2, 3, 3, -1]
    assert class_note(few, 5, 4) == "4 classes: only 4 distinct values"
    assert class_note(few, 3, 3) == ""
    # a share that is 0 for many areas: "0%" then "over 0% to ...", never "0% to 0%"
    share = F.measure_info("lapop1share")
    s = np.array([0, 0, 0, 0, 0.1, 0.25, 0.5, 0.78, 1.0])
    bins, _ = F.classify(s, scheme="quantiles", k=5)
    # quintile edges 0, 0, 0.22 (0.1 + 0.6 x 0.15), 0.612, 1.0: the repeated 0 merges
    np.testing.assert_allclose(bins, [0.0, 0.22, 0.612, 1.0])
    labels = _class_labels(bins, 0.0, share, s)
    assert labels == ["0%", "over 0% to 22%", "22% to 61%", "61% to 100%"]


def test_empty_equal_intervals_are_merged():
    # an outlier leaves the middle intervals of 0-100 empty
    v = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 100.0])
    bins, cls = F.classify(v, scheme="equal_interval", k=5)
    # intervals of (100 - 1) / 5 = 19.8: up to 20.8, 40.6, 60.4, 80.2, 100; three are empty
    np.testing.assert_allclose(bins, [20.8, 100.0])
    assert list(cls) == [0, 0, 0, 0, 0, 1]
    assert class_note(v, 5, len(bins)).startswith("2 classes, not 5: 3 empty classes merged")


def test_map_legend_carries_the_class_note(demo_areas):
    fig = F.choropleth_map(demo_areas, "n_farmers_market_1mi", scheme="quantiles", k=5)
    meta = fig.layout.meta
    assert [c["label"] for c in meta["classes"]] == ["0 stores", "1 store", "2 stores"]
    assert meta["classes_note"] == "3 classes: only 3 distinct values"
    assert F.choropleth_map(demo_areas, "poverty_rate", k=5).layout.meta["classes_note"] == ""


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


def test_efficiency_equity_curve_labels_each_plan_and_says_what_fairness_costs():
    # weights 0.5 and 1 give the same plan: one labelled point; x is the food given up
    curve = pd.DataFrame(
        {
            "equity_weight": [1.0, 0.0, 0.5, 0.25],
            "need_met_kg": [900.0, 1000.0, 900.0, 950.0],
            "min_fulfilment": [0.0, 0.0, 0.0, 0.0],
            "min_fulfilment_reachable": [0.6, 0.0, 0.6, 0.4],
            "transport_cost_usd": [125.0, 100.0, 125.0, 110.0],
        }
    )
    fig = F.efficiency_equity_figure(curve)
    assert list(fig.data[0].x) == [0, 50, 100]  # kg given up against weight 0
    assert list(fig.data[0].y) == [0, 40, 60]  # the worst-served reachable area, in %
    assert list(fig.data[0].text) == ["weight 0", "weight 0.25", "weights 0.5 to 1"]
    assert fig.layout.yaxis.title.text == "Worst-served reachable area: share of need met (%)"
    assert F.fairness_summary(curve) == (
        "Raising the worst-served area within reach from 0.0% to 60.0% of its need "
        "(weights 0.5 to 1) gives up 100 kg of food delivered (10.00% of the most that can be "
        "met) and costs $25.00 more in transport: that is the price of fairness. "
        "Equity weights 0.5 to 1 give the same plan."
    )


def test_a_flat_curve_says_every_weight_gives_the_same_plan():
    curve = pd.DataFrame(
        {
            "equity_weight": [0.0, 0.5, 1.0],
            "need_met_kg": [500.0] * 3,
            "min_fulfilment_reachable": [0.25] * 3,
            "transport_cost_usd": [10.0] * 3,
        }
    )
    assert list(F.efficiency_equity_figure(curve).data[0].text) == ["weights 0 to 1"]
    assert F.fairness_summary(curve).startswith("Every equity weight gives the same plan")
    assert "25.0% of its need" in F.fairness_summary(curve)


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

"""Maps people can read (issue 15) drawn by one builder for the app and the report (issue 13).

The plan is the 3 x 3 town of tests.helpers.town_region with its Eastside hub (H2) switched off:
the Westside hub (600 kg) and the garden (150 kg) are left for 1,800 kg of need, so the plan
meets all of it in some blocks, part in others and none in the rest.
"""

from __future__ import annotations

import itertools
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from plotly.colors import hex_to_rgb, sample_colorscale, unlabel_rgb
from shapely.geometry import box

from dashboard import figures as F
from dashboard.app.pages.plan_view import FULFILMENT_SHADING
from dashboard.figures import charts, palette
from dashboard.figures.maps import area_labels, line_width
from dashboard.report import _context
from optimize import SiteOutage, allocate
from optimize.catalogue import FULFILMENT
from tests.helpers import four_area_region, town_region


# ---------------------------------------------------------------------- colours
def _lab(colour: str) -> np.ndarray:
    """CIE L*a*b* (D65) of a hex or rgb() colour."""
    rgb = hex_to_rgb(colour) if colour.startswith("#") else unlabel_rgb(colour)
    v = np.asarray(rgb, dtype=float) / 255
    v = np.where(v > 0.04045, ((v + 0.055) / 1.055) ** 2.4, v / 12.92)
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    x, y, z = m @ v / np.array([0.95047, 1.0, 1.08883])

    def f(t: float) -> float:
        return float(np.cbrt(t)) if t > 0.008856 else 7.787 * t + 16 / 116

    return np.array([116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))])


def delta_e(a: str, b: str) -> float:
    """CIE76 colour difference: about 2 is just noticeable, 20 is plainly another colour."""
    return float(np.linalg.norm(_lab(a) - _lab(b)))


def _area_scale_colours() -> list[str]:
    steps = list(np.linspace(0, 1, 9))
    return [
        *sample_colorscale("Viridis", steps),
        *sample_colorscale("Cividis", steps),
        *palette.class_colours(FULFILMENT),
        *palette.DESERT_CLASS_COLOURS.values(),
        palette.FLAG_YES,
        palette.FLAG_NO,
        palette.NO_DATA,
        palette.AREA_FILL,
    ]


def test_every_kind_of_point_has_its_own_colour_and_shape_off_the_area_scales() -> None:
    looks = palette.POINT_LOOKS
    # gardens/farmers markets, pantries/dollar stores and hubs/food deserts used to share colours
    for (ka, a), (kb, b) in itertools.combinations(looks.items(), 2):
        assert delta_e(a[1], b[1]) >= 20, (ka, kb)
    for kind, look in looks.items():
        for c in _area_scale_colours():
            assert delta_e(look[1], c) >= 20, (kind, c)
    # the shapes tell apart the kinds of each map's legend (circles: grocers and other stores)
    symbols = [look[2] for kind, look in looks.items() if kind != "other"]
    assert len(set(symbols)) == len(symbols) - 1  # hubs and convenience stores: both diamonds
    assert looks["hub"][2] == "diamond" and looks["hub"][3] > looks["convenience"][3]


def test_delta_e_of_known_pairs() -> None:
    assert delta_e("#000000", "#FFFFFF") == pytest.approx(100.0, abs=0.1)
    assert delta_e("#D55E00", "#D55E00") == 0.0


# ---------------------------------------------------------------------- app = report
@pytest.fixture(scope="module")
def town():
    return town_region()


@pytest.fixture(scope="module")
def outage(town):
    # coverage: the areas nearest the open sites get all they need, others some or none
    return allocate(town, objective="coverage", shocks=[SiteOutage(site_ids=("H2",))])


def _app_maps(town, plan, closed=("H2",)):
    """The Plan page's two maps of ``plan`` (what ``plan.view`` draws)."""
    areas = town.areas.to_crs(4326)
    sites = town.sites.to_crs(4326)
    flows = plan.flows
    shade = F.fulfilment_shade(areas, plan.fulfilment)
    flows_fig = F.flows_map(areas, sites, flows, closed=closed, width=480)
    ful_fig = F.choropleth_map(shade, "fulfilment", width=480, **FULFILMENT_SHADING)
    return flows_fig, ful_fig


def _legend(fig, groups) -> list[tuple[str, str]]:
    return [
        (t.name, t.marker.color if t.mode == "markers" else t.line.color)
        for t in fig.data
        if t.legendgroup in groups and t.showlegend is not False
    ]


def test_app_and_report_draw_the_same_plan_alike(town, outage) -> None:
    app_flows, app_ful = _app_maps(town, outage)
    ctx = _context(town, outage, None, None, None, None)
    report = ctx["figure_objects"]["flows-map"]
    assert report.layout.meta["render"] == "xy" and app_ful.layout.meta["render"] == "tiles"
    # each area in the same class, with the same legend (labels and colours, in order)
    assert area_labels(report) == area_labels(app_ful)
    assert report.layout.meta["classes"] == app_ful.layout.meta["classes"]
    assert len(area_labels(report)) == 9 and len(set(area_labels(report).values())) >= 3
    # the same sites, named and coloured alike; the switched-off hub is drawn apart as closed
    kinds = ("hub", "garden")
    assert (
        _legend(report, kinds)
        == _legend(app_flows, kinds)
        == [
            ("food hubs (1)", palette.KIND_COLORS["hub"]),
            ("food hubs closed (1)", palette.CLOSED),
            ("community gardens (1)", palette.KIND_COLORS["garden"]),
        ]
    )
    closed = next(t for t in report.data if t.name == "food hubs closed (1)")
    assert closed.marker.symbol == "diamond" and closed.marker.line.color == palette.CLOSED_LINE
    assert "closed in this plan" in closed.hovertemplate
    # the same delivery width classes, with the same widths
    lines = [(t.name, t.line.width) for t in report.data if t.legendgroup == "flows"]
    assert lines == [(t.name, t.line.width) for t in app_flows.data if t.legendgroup == "flows"]
    assert [w for _, w in lines] == [line_width(c, 5) for c in range(5)]


def test_areas_beyond_reach_are_their_own_class_in_the_app_and_the_report() -> None:
    # four_area_region with the Eastside hub (at D) out and deliveries of at most 1.5 km: D is
    # 2 km from the nearest garden, beyond every site's reach; A, B and C are served
    region = four_area_region()
    plan = allocate(
        region, objective="maxmin", max_distance_m=1500, shocks=[SiteOutage(site_ids=("H",))]
    )
    _, app_ful = _app_maps(region, plan, closed=("H",))
    report = _context(region, plan, None, None, None, None)["figure_objects"]["flows-map"]
    assert area_labels(report) == area_labels(app_ful)
    labels = area_labels(app_ful)
    assert labels["D"] == F.BEYOND_REACH == "beyond every site's reach (or no need)"
    assert labels["A"] == labels["B"] == "25-50%" and labels["C"] == "50-75%"  # 5/11, 7/11


def test_the_report_equity_map_shows_the_apps_points(town) -> None:
    ctx = _context(town, None, None, None, None, None)
    fig = ctx["figure_objects"]["equity-map"]
    names = [t.name for t in fig.data if t.legendgroup not in (None, "areas")]
    # the town has no grocer, farmers market, farm or pantry: the legend says so
    assert names == [
        "supermarkets (1)",
        "grocers: none in this region",
        "farmers markets: none in this region",
        "community gardens (1)",
        "farms: none in this region",
        "food hubs (2)",
        "pantries: none in this region",
    ]


# ---------------------------------------------------------------------- readable maps
def test_an_empty_layer_says_so_in_the_legend(town) -> None:
    traces = F.sites_layers(town.sites, kinds=["pantry", "farm"])
    assert [t.name for t in traces] == ["pantries and farms: none in this region"]
    # one point with no place: plotly would leave a trace without points off the legend
    assert [t.name for t in F.sites_layers(town.sites, kinds=["pantry", "hub"])] == [
        "food hubs (2)"
    ]
    assert list(traces[0].lon) == [None] and traces[0].showlegend is not False


def _strip(width_km: float) -> gpd.GeoDataFrame:
    """Ten areas in a row, ``width_km`` from west to east and 2 km high (UTM 17N)."""
    w = width_km * 1000 / 10
    cells = [box(580_000 + w * i, 4_470_000, 580_000 + w * (i + 1), 4_472_000) for i in range(10)]
    return gpd.GeoDataFrame(
        {"area_id": [f"a{i}" for i in range(10)], "fulfilment": np.linspace(0, 1, 10)},
        geometry=cells,
        crs="EPSG:32617",
    )


def test_a_narrow_map_is_zoomed_out_until_east_and_west_show() -> None:
    areas = _strip(40.0)
    fig = F.choropleth_map(areas, "fulfilment", height=420, width=480, **FULFILMENT_SHADING)
    lon0, _, lon1, _ = areas.to_crs(4326).total_bounds
    plot_px = 480 - fig.layout.margin.r
    # MapLibre: the world is 512 * 2^zoom px wide
    shown = 360.0 * plot_px / (512 * 2**fig.layout.map.zoom)
    assert shown >= lon1 - lon0
    assert shown <= 1.3 * (lon1 - lon0)  # and not zoomed out further than needed


def test_deliveries_legend_sits_under_the_map_with_the_drawn_widths(town, outage) -> None:
    app_flows, _ = _app_maps(town, outage)
    legend = app_flows.layout.legend
    assert legend.y < 0 and legend.yanchor == "top"  # below the map, not over its west
    assert legend.itemsizing == "trace"  # legend lines as wide as the drawn ones
    widths = [t.line.width for t in app_flows.data if t.legendgroup == "flows"]
    assert widths == sorted(widths) and len(set(widths)) == 5


def test_the_map_for_a_file_is_x_y_with_plotly_inline(town) -> None:
    tiles = F.choropleth_map(town.areas, "population")
    with pytest.raises(ValueError, match="render='xy'"):
        F.offline_html(tiles, "foodshed-map")
    xy = F.choropleth_map(town.areas, "population", render="xy")
    page = F.offline_html(xy, "foodshed-tiny-town-population")
    assert not re.search(r"<script[^>]+src=", page)  # nothing fetched: plotly.js is inline
    assert "maplibre" not in page.split("Plotly.newPlot")[-1].lower()
    assert '"filename": "foodshed-tiny-town-population"' in page


def test_png_downloads_are_named_after_the_figure() -> None:
    from dashboard.app.pages import plan

    graphs = {}

    def walk(node) -> None:
        if getattr(node, "config", None) is not None and getattr(node, "id", None):
            graphs[node.id] = node.config
        for child in getattr(node, "children", None) or []:
            walk(child) if not isinstance(child, str) else None
        inner = getattr(node, "children", None)
        if inner is not None and not isinstance(inner, list | str):
            walk(inner)

    walk(plan.layout())
    assert graphs["pl-fulfil-map"]["toImageButtonOptions"]["filename"] == ("foodshed-share-of-need")
    assert graphs["pl-flows-map"]["toImageButtonOptions"]["filename"] == "foodshed-deliveries"


def test_chart_titles_sit_under_the_tool_bar() -> None:
    fig = F.fulfilment_histogram(pd.DataFrame({"fulfilment": [0.1, 0.9], "population": [1, 2]}))
    assert fig.layout.title.yanchor == "top" and fig.layout.title.pad.t == charts.MODEBAR_PX
    assert fig.layout.margin.t >= charts.MODEBAR_PX + 20
    long = "People by food desert: low income, over 1 mile (urban) or 10 miles (rural) from it"
    two = charts.title_room(long)
    assert charts.chart_title(long)["text"].count("<br>") == 1 and two == charts.MODEBAR_PX + 50


def test_map_titles_and_the_comparison_legend_sit_under_the_tool_bar(town) -> None:
    fig = F.choropleth_map(town.areas, "population", title="Change in share of need met")
    assert fig.layout.title.yanchor == "bottom" and fig.layout.title.yref == "paper"
    assert fig.layout.margin.t == 60  # the map starts 60 px down: the title in 30-50 px
    kpis = F.comparison_kpi_figure({"run 1": {"need_met_share": 0.5}})
    assert kpis.layout.legend.yanchor == "bottom" and kpis.layout.margin.t >= charts.MODEBAR_PX + 20


def test_a_long_lorenz_legend_leaves_the_plot_its_size() -> None:
    v = np.array([1.0, 2.0, 3.0])

    def plot_height(n: int) -> float:
        curves = {f"a plan with a long name number {i}": (v, None) for i in range(n)}
        fig = F.lorenz_figure(curves)
        assert fig.layout.legend.y < 0  # under the plot
        return fig.layout.height - fig.layout.margin.t - fig.layout.margin.b

    assert plot_height(1) == plot_height(6)


@pytest.mark.browser
def test_the_downloaded_map_draws_from_a_file_with_no_network(tmp_path, town) -> None:
    """The map download opened from disk in headless Chromium with the network switched off."""
    from tests.dashboard.test_browser import CHROMEDRIVER, CHROMIUM, make_driver, quit_driver, wait

    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip("needs Debian's chromium and chromium-driver")
    pytest.importorskip("selenium")
    metric = F.metric_frame(town.areas)
    points = [
        tr
        for kind in ("hub", "pantry")
        for tr in F.sites_layers(town.sites, kinds=[kind], render="xy", crs=metric.crs)
    ]
    fig = F.choropleth_map(town.areas, "poverty_rate", render="xy", points=points)
    page = tmp_path / "tiny-town-poverty.html"
    page.write_text(F.offline_html(fig, "foodshed-tiny-town", title="Tiny town"), "utf-8")
    driver = make_driver()
    try:
        offline = {"offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0}
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.emulateNetworkConditions", offline)
        driver.get(page.as_uri())
        script = "return document.querySelectorAll('.scatterlayer .trace path.js-fill').length"
        # two classes of poverty (10% and 30%): two filled traces
        assert wait(driver, lambda d: d.execute_script(script)) == 2
        legend = driver.execute_script(
            "return [...document.querySelectorAll('.legendtext')].map(e => e.textContent)"
        )
        assert "pantries: none in this region" in legend and "food hubs (2)" in legend
        assert driver.execute_script("return document.querySelector('.gtitle').textContent") == (
            "Tiny town"
        )
    finally:
        quit_driver(driver)

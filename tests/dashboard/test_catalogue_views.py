"""The app and the report show the same plan with the same classes, colours and labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard import figures as F
from dashboard.app.pages.plan_view import FULFILMENT_SHADING
from dashboard.figures import palette
from dashboard.figures import report as rf
from dashboard.report import data as rd
from equity import Region
from optimize import allocate
from optimize.catalogue import FULFILMENT, kpi_info


@pytest.fixture(scope="module")
def demo() -> Region:
    return Region.demo()


@pytest.fixture(scope="module")
def plan(demo):
    # a tight budget leaves areas in several classes of fulfilment
    return allocate(demo, objective="balanced", budget_usd=600.0)


def _app_classes(demo, plan) -> tuple[pd.Series, pd.Series, list[dict]]:
    """Each area's class label and colour on the Plan page's share-of-need-met map."""
    areas = demo.areas.to_crs(4326)
    shade = areas[["area_id", "geometry"]].merge(
        plan.fulfilment[["area_id", "fulfilment", "need_kg", "met_kg"]], on="area_id", how="left"
    )
    fig = F.choropleth_map(shade, "fulfilment", **FULFILMENT_SHADING)
    classes = fig.layout.meta["classes"]
    tr = fig.data[1]
    z = np.asarray(tr.z, dtype=int)
    ids = pd.Index(tr.locations)
    label = pd.Series([classes[i]["label"] for i in z], index=ids)
    colour = pd.Series([classes[i]["colour"] for i in z], index=ids)
    return label, colour, classes


def test_app_and_report_class_each_area_alike(demo, plan) -> None:
    app_label, app_colour, classes = _app_classes(demo, plan)
    ratio = rd.area_fulfilment(demo, plan).set_index("area_id")["ratio"]
    report_label = rf.fulfilment_bands(ratio)
    report_colour = report_label.map(rf.fulfilment_classes())
    assert app_label.nunique() >= 3  # the comparison means something
    assert len(app_label) == len(demo.areas)
    pd.testing.assert_series_equal(
        report_label.reindex(app_label.index), app_label, check_names=False
    )
    pd.testing.assert_series_equal(
        report_colour.reindex(app_label.index), app_colour, check_names=False
    )
    # the legends: the same labels, in the same order, with the same colours
    assert [(c["label"], c["colour"]) for c in classes] == list(rf.fulfilment_classes().items())
    assert [c["label"] for c in classes] == list(FULFILMENT.bin_labels)
    assert [c["colour"] for c in classes] == palette.class_colours(FULFILMENT)


def test_the_report_map_draws_those_classes(demo, plan) -> None:
    app_label, _, classes = _app_classes(demo, plan)
    ratio = rd.area_fulfilment(demo, plan).set_index("area_id")["ratio"]
    ratio = ratio.reindex(demo.areas["area_id"].astype(str)).set_axis(demo.areas.index)
    classes_of = F.measure_classes(
        demo.areas.assign(fulfilment=ratio), "fulfilment", scheme="fixed"
    )
    fig = F.flows_map(demo.areas, demo.sites, plan.flows, classes=classes_of, render="xy")
    drawn = {t.name: t.fillcolor for t in fig.data if t.legendgroup == "areas"}
    colour_of = {c["label"]: c["colour"] for c in classes}
    assert drawn == {label: colour_of[label] for label in app_label.unique()}


def test_app_cards_and_report_table_label_kpis_alike(plan) -> None:
    kpis = plan.kpis
    app = {r["key"]: (r["label"], r["text"]) for r in F.kpi_table(kpis)}
    report = {r["key"]: (r["label"], r["display"]) for r in rd.kpi_rows(kpis)}
    for key in app:
        assert app[key] == report[key], key
    assert app["mean_fulfilment"][0] == kpi_info("mean_fulfilment").label
    assert app["mean_fulfilment"][0] == "Average share of need met, per resident"


def test_an_area_that_needs_nothing_is_no_data_in_both() -> None:
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parents[1] / "optimize" / "conftest.py"
    spec = importlib.util.spec_from_file_location("_views_optimize_conftest", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    # C needs nothing (no need rows); A gets all 10 kg it needs, B 2 of 10 (one site, 12 kg)
    region = mod.make_region(
        {"A": 0, "B": 1000, "C": 2000},
        {"G": 0},
        [("G", "veg", 12)],
        [("A", "veg", 10), ("B", "veg", 10)],
        population={"A": 100, "B": 300, "C": 500},
    )
    plan = allocate(region, objective="coverage")
    ful = rd.area_fulfilment(region, plan).set_index("area_id")
    assert np.isnan(ful.loc["C", "ratio"])
    assert rf.fulfilment_bands(ful["ratio"]).isna()["C"]
    # the report's Lorenz curve and Gini leave C out, as the plan's KPI does
    pop = region.areas.set_index("area_id")["population"].reindex(ful.index)
    _, _, g = F.lorenz_curve(ful["ratio"].to_numpy(float), pop.to_numpy(float))
    assert g == pytest.approx(plan.kpis["gini_fulfilment"])
    f = plan.fulfilment.set_index("area_id")["fulfilment"]
    assert np.isnan(f["C"]) and sorted(f[["A", "B"]].round(6)) == [0.2, 1.0]


def test_app_and_report_count_people_by_the_same_classes(demo, plan) -> None:
    app = F.fulfilment_histogram(plan.fulfilment).data[0]
    ratio = rd.area_fulfilment(demo, plan).set_index("area_id")["ratio"]
    pop = demo.areas.set_index("area_id")["population"].reindex(ratio.index)
    report = rf.fulfilment_distribution_figure(ratio, pop).data[0]
    assert list(app.x) == list(report.x) == list(FULFILMENT.bin_labels)
    assert list(app.marker.color) == list(report.marker.color)
    np.testing.assert_allclose(np.asarray(app.y, float), np.asarray(report.y, float))
    assert sum(np.asarray(app.y, float) > 0) >= 3

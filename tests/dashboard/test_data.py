"""The dashboard's one door into equity and optimize, on the tiny 3 x 3 region."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from dashboard.app.state import DEFAULT_KEY, RegionCatalog
from dashboard.services import (
    PlanParams,
    binding_text,
    compare_fulfilment,
    headline,
    run_plan,
)
from dashboard.settings import Settings
from equity import FoodshedError


@pytest.fixture
def catalog(tiny_region, tmp_path):
    return RegionCatalog(lambda: tiny_region, Settings(upload_dir=tmp_path))


def test_catalog_caches_analysis_and_display(catalog):
    a1 = catalog.analysis(DEFAULT_KEY)
    assert catalog.analysis(None) is a1
    disp = catalog.display(DEFAULT_KEY)
    assert len(disp["geojson"]["features"]) == 9
    assert disp["areas"].crs.to_epsg() == 4326


def test_catalog_unknown_key_explains(catalog):
    with pytest.raises(FoodshedError, match="load it again on the Data page"):
        catalog.region("r-not-a-key")


def test_catalog_keys_are_unguessable_and_bounded(tiny_region, tmp_path):
    cat = RegionCatalog(lambda: tiny_region, Settings(upload_dir=tmp_path, max_regions=2))
    keys = [cat.add(tmp_path, tiny_region) for _ in range(3)]
    assert len(set(keys)) == 3 and all(len(k) > 12 for k in keys)
    assert len(cat._entries) == 2


def test_headline_counts_people_by_hand(catalog):
    """Row 2 (a20, a21, a22) is low income (30% poverty) and over 1 mile from the supermarket."""
    cards = {h["column"]: h for h in headline(catalog.analysis(DEFAULT_KEY))}
    lila = cards["LILATracts_1And10"]
    assert lila["people"] == 3000
    assert lila["share"] == pytest.approx(1 / 3)
    assert lila["low_income_people"] == pytest.approx(900)
    assert list(cards)[0] == "LILATracts_1And10"


def test_run_plan_is_json_and_hub_outage_cuts_supply(tiny_region):
    """Need is 9 x 200 = 1,800 kg; supply 1,350 kg; the Eastside hub holds 600 kg of it."""
    base = run_plan(tiny_region, PlanParams(), region_key=DEFAULT_KEY)
    json.dumps(base)
    assert base["status"] == "optimal"
    assert base["kpis"]["need_kg"] == pytest.approx(1800)
    assert base["kpis"]["need_met_kg"] == pytest.approx(1350)
    assert base["kpis"]["need_met_share"] == pytest.approx(0.75)
    out = run_plan(tiny_region, PlanParams(sites_off=("H2",)), region_key=DEFAULT_KEY)
    assert out["kpis"]["need_met_kg"] == pytest.approx(750)
    assert "H2" not in out["flows"]["site_id"]
    # stored as column lists (compact in the browser's store), a data frame again on demand
    assert pd.DataFrame(out["flows"])["quantity_kg"].sum() == pytest.approx(750, abs=0.01)
    assert {r["area_id"] for r in out["fulfilment"]} == {
        f"a{r}{c}" for r in range(3) for c in range(3)
    }
    assert out["fulfilment"][0]["population"] == 1000
    change = compare_fulfilment(base, out)
    assert change["fulfilment_change"].sum() == pytest.approx((750 - 1350) / 200)


def test_run_plan_shocks_yield_and_surge(tiny_region):
    half = run_plan(tiny_region, PlanParams(yield_pct=(("hub", 50.0),)), region_key="k")
    assert half["kpis"]["need_met_kg"] == pytest.approx(1350 - 600)
    surge = run_plan(tiny_region, PlanParams(surge_areas=("a00",), surge_pct=50.0), region_key="k")
    assert surge["kpis"]["need_kg"] == pytest.approx(1800 + 100)
    assert "+50% need in 1 area(s)" in surge["description"]


def test_a_runs_report_is_written_from_the_plan_solved_not_a_second_solve(tiny_region, monkeypatch):
    from dashboard import plans
    from dashboard.app.runs import REPORT_GONE, RunStore
    from dashboard.services import params_from_dict, report_html, solve_plan

    params = PlanParams(sites_off=("H2",), yield_pct=(("garden", 50.0),), surge_pct=10.0)
    assert params_from_dict(params.as_dict()) == params
    run, solution = solve_plan(tiny_region, params, region_key="k")
    store = RunStore(max_runs=3, max_solutions=1)
    light = store.put(run, solution)
    kept = store.solution(light)
    assert kept is not None and kept.kpis == solution.kpis

    def no_solve(*args, **kwargs):
        raise AssertionError("the report solved the plan again")

    monkeypatch.setattr(plans, "allocate_plan", no_solve)
    html = report_html(tiny_region, kept, label=run["label"])
    assert html.lstrip().lower().startswith("<!doctype html")
    assert "Tiny town" in html and "H2" in run["description"] + html
    # only the newest max_solutions plans are kept; the older run's tables stay
    newer = store.put(run | {"id": "r2"}, solution)
    assert store.solution(light) is None and store.solution(newer) is not None
    assert store.full(light) is not None
    assert "run the plan again" in REPORT_GONE


def test_run_plan_bad_input_is_an_error_record(tiny_region):
    run = run_plan(tiny_region, PlanParams(objective="nonsense"), region_key="k")
    assert run["status"] == "error"
    assert "nonsense" in run["message"]


def test_binding_text_of_a_real_plan(tiny_region):
    """Without the Eastside hub (H2) every greens and rice kg the Westside hub (H1) holds is
    handed out: its supply rows bind, explained in words, most valuable first."""
    from optimize import SiteOutage, allocate

    sol = allocate(tiny_region, objective="coverage", shocks=[SiteOutage(site_ids=("H2",))])
    texts = binding_text(sol.duals)
    assert texts == [t for t in sol.binding["explanation"] if t]
    assert any("Westside hub" in t for t in texts)
    assert not any("Eastside hub" in t for t in texts)
    values = sol.binding["value_per_unit"].abs().tolist()
    assert values == sorted(values, reverse=True)
    assert binding_text(allocate(tiny_region, objective="coverage").duals.iloc[0:0]) == []


def test_scenario_files_fill_the_plan_controls(tiny_region):
    from dashboard.services import bundled_scenarios_dir, list_scenarios, scenario_controls
    from equity import Region

    folder = bundled_scenarios_dir()
    names = {Path(o["value"]).stem for o in list_scenarios(folder, tiny_region)}
    assert "drought" in names and "hub_outage" not in names  # tiny town has no site H037
    demo = Region.demo()
    outage = scenario_controls(folder / "hub_outage.toml", demo)
    assert (outage["objective"], outage["sites_off"], outage["period"]) == (
        "maxmin",
        ["H037"],
        "summer",
    )
    drought = scenario_controls(folder / "drought.toml", demo)
    assert drought["yield_pct"] == {"garden": 60}
    surge = scenario_controls(folder / "demand_surge.toml", demo)
    assert surge["surge_pct"] == 50
    assert len(surge["surge_areas"]) == int((demo.areas["poverty_rate"] >= 0.2).sum())
    collards = scenario_controls(folder / "collards_shortage.toml", demo)
    # in plain words, with the food's name (not `kind=yield_factor, factor=0.0`)
    assert collards["notes"] == [
        "not shown in the controls and not applied here: supply for Collard greens at 0% of "
        "normal at all sites (run the file with `foodshed allocate` for it)"
    ]
    assert surge["notes"] == [
        "fair-share band 25% is not shown in the controls; the default is used"
    ]


def test_dashboard_caches_are_one_object_emptied_with_optimize_caches(tiny_region):
    from dashboard.caches import CACHES
    from optimize.caches import reset_caches

    run_plan(tiny_region, PlanParams(), region_key="k")
    run_plan(tiny_region, PlanParams(sites_off=("H2",)), region_key="k")
    assert len(CACHES.problems) == 1  # shocks are applied to a copy of one built problem
    reset_caches()
    assert len(CACHES.problems) == 0 and len(CACHES.sweeps) == 0


def test_a_scenario_over_weeks_sets_the_plan_pages_weeks():
    from dashboard.services import bundled_scenarios_dir, scenario_controls
    from equity import Region

    c = scenario_controls(bundled_scenarios_dir() / "four_weeks.toml", Region.demo())
    # four weeks, moves within 6 km, the hub out in week 2 only: all on the page's controls
    assert (c["weeks"], c["max_transfer_km"]) == (4, 6.0)
    assert c["sites_off"] == ["H037"] and c["outage_weeks"] == [2]
    assert c["notes"] == []


def test_scenario_controls_name_what_the_page_cannot_apply(tmp_path):
    """Profiles, a second outage in other weeks and a yield in chosen weeks are named, not
    applied; one-period scenarios keep one week without moves."""
    from dashboard.services import bundled_scenarios_dir, scenario_controls
    from equity import Region

    (tmp_path / "w.toml").write_text(
        'region = "demo"\nweeks = 3\nsupply_profile = [1, 0.5, 1]\n'
        '[[shocks]]\nkind = "site_outage"\nsite_ids = ["H037"]\nweeks = [2]\n'
        '[[shocks]]\nkind = "site_outage"\nsite_kind = "farm"\n'
        '[[shocks]]\nkind = "yield_factor"\nfactor = 0.5\nsite_kind = "garden"\nweeks = [3]\n'
    )
    demo = Region.demo()
    c = scenario_controls(tmp_path / "w.toml", demo)
    assert c["weeks"] == 3 and c["max_transfer_km"] is None
    assert c["sites_off"] == ["H037"] and c["outage_weeks"] == [2] and c["yield_pct"] == {}
    notes = " | ".join(c["notes"])
    assert "supply_profile = [1.0, 0.5, 1.0] is not shown in the controls" in notes
    assert "a second site outage in other weeks (every week) is not applied" in notes
    assert "Yield at 50% of normal at all gardens in week(s) 3: not applied here" in notes
    one = scenario_controls(bundled_scenarios_dir() / "hub_outage.toml", demo)
    assert (one["weeks"], one["max_transfer_km"], one["outage_weeks"]) == (1, None, [])

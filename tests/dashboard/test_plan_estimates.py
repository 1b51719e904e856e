"""A region from public lists (no supply or need) plans on estimates in the dashboard's Plan
page, the HTML report and ``foodshed allocate``, each saying which numbers are estimated."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard.app import Settings, create_app
from dashboard.cli import main as foodshed
from dashboard.report import render_report
from equity import Region
from equity.estimates import EstimatesWarning
from tests.dashboard.dash_calls import plan
from tests.helpers import public_list_region

#: The callbacks answer in the request (a background job is asked by polling, which the
#: browser tests do): what these tests call is the callback itself
IN_REQUEST = Settings(background="off")

BASKET_TOTAL = 17.5 * 0.12 + 14 * 0.15 + 42 * 0.02835 + 21 * 0.244 + 38.5 * 0.038


def run_plan_callback(app, objective: str = "maxmin", **controls) -> dict:
    """The Plan page's "Run the plan" callback, answered by the app's server."""
    return plan(app, pl_objective=objective, **controls)


def test_plan_page_plans_a_public_list_region_and_names_the_estimates() -> None:
    out = run_plan_callback(create_app(public_list_region(), IN_REQUEST))
    status = json.dumps(out["pl-status"])
    assert "solved" in status and "could not run" not in status
    assert '"id": "pl-estimated"' in status
    assert "need: population x a basket of 11.98 kg per person a week" in status
    assert "pantry: 1 site(s), 1,000 kg a week (assumed throughput)" in status
    cards = json.dumps(out["pl-kpis"])
    # supply 1,086 kg of 4,791 kg need, all of it in reach: 22.7% met
    share = (1000 + 400 * 3.662 / 17) / (400 * BASKET_TOTAL)
    assert f"{share:.1%}" in cards


def test_plan_page_over_weeks_on_estimates() -> None:
    """Two weeks of the same estimated need and supply: the same 22.7% over the horizon, the
    cards say so and the week bar is shown."""
    out = run_plan_callback(create_app(public_list_region(), IN_REQUEST), **{"pl-weeks": 2})
    status = json.dumps(out["pl-status"])
    assert "solved" in status and '"id": "pl-estimated"' in status
    cards = json.dumps(out["pl-kpis"])
    share = (1000 + 400 * 3.662 / 17) / (400 * BASKET_TOTAL)
    assert f"{share:.1%}" in cards and "over the 2 weeks" in cards
    assert out["pl-week-box"] == {} and out["pl-week"]["max"] == 2  # the box shown: style {}


def test_report_of_an_estimated_plan_says_which_numbers_are_estimated() -> None:
    import optimize

    region = public_list_region()
    with pytest.warns(EstimatesWarning):
        plan = optimize.allocate(region, objective="maxmin")
    # the report is handed the region as loaded (no estimates in it), as the dashboard does
    html = render_report(region, plan, scenario="fairest")
    assert 'id="estimated-note"' in html and 'id="estimated-table"' in html
    assert "this plan's\n  commodities, need, supply are documented estimates" in html
    assert "UC Cooperative Extension" not in html  # the sentences, not the whole toml
    assert "x 3.662 kg of vegetables per m2 per 17-week season" in html
    # a region estimated by hand: the same, and its provenance lists the estimates too
    est = region.with_estimates()
    again = render_report(est, optimize.allocate(est, objective="maxmin"), scenario="fair")
    assert 'id="estimated-note"' in again and "estimated_need" in again


def test_report_on_real_need_and_supply_has_no_estimated_section(grid) -> None:
    import optimize

    html = render_report(grid, optimize.allocate(grid, objective="cost"), scenario="x")
    assert 'id="estimated-note"' not in html and 'id="estimated-table"' not in html


def test_cli_allocate_says_estimated_in_words(tmp_path: Path, capsys) -> None:
    folder = public_list_region().to_dir(tmp_path / "county")
    code = foodshed(
        ["allocate", str(folder), "--objective", "maxmin", "--out", str(tmp_path / "p")]
    )
    out = capsys.readouterr()
    assert code == 0, out.err
    text = " ".join(out.out.split())
    assert "county: estimated need: population x a basket of 11.98 kg" in text
    assert "county: estimated supply: an in-season week by site kind" in text
    assert "EstimatesWarning" not in out.err + out.out  # words, not a Python warning
    manifest = json.loads((tmp_path / "p" / "manifest.json").read_text())
    assert set(manifest["estimated"]) == {"commodities", "need", "supply"}


@pytest.mark.shared_data
def test_plan_page_on_allegheny(shared_data: Path, tmp_path: Path) -> None:
    from equity.sources import allegheny_region

    folder = allegheny_region(shared_data).to_dir(tmp_path / "allegheny")
    out = run_plan_callback(create_app(Region.from_dir(folder), IN_REQUEST))
    status = json.dumps(out["pl-status"])
    assert "solved" in status and '"id": "pl-estimated"' in status
    assert "pantry: 143 site(s)" in status
    assert out["pl-flows-map"] and out["pl-fulfil-map"]

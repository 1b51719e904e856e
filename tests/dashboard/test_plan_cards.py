"""The Plan page's cards say who is beyond reach and how the worst-served area within reach fares.

On :func:`tests.helpers.four_area_region` with the Eastside hub (at D) out and deliveries of at
most 1.5 km, D (1,000 residents) is 2 km from the nearest garden: beyond every site's reach, so
the worst-served area overall is 0% whatever the goal. Within reach, Elm garden (at A) feeds A
and B and Oak garden (at C) feeds C: only the gardens' 20 kg of vegetables are left, so A and B
get 5 of their 11 kg each (45.5%) and C 7 of 11 (63.6%).
"""

from __future__ import annotations

from dashboard.app.pages.plan_view import kpi_cards
from dashboard.services import PlanParams, run_plan
from tests.helpers import four_area_region


def _cards(run: dict) -> dict[str, str]:
    out = {}
    for c in kpi_cards(run):
        body = c.children.children.children  # Div > Card > CardBody > [value, label]
        out[c.id.removeprefix("kpi-")] = body[0].children
    return out


def test_cards_show_residents_beyond_reach_and_the_worst_served_within_reach():
    params = PlanParams(objective="maxmin", sites_off=("H",), max_distance_km=1.5)
    cards = _cards(run_plan(four_area_region(), params, region_key="four"))
    assert cards["people_unreachable"] == "1,000 people"
    assert cards["min_fulfilment_reachable"] == "45.5%"
    assert "min_fulfilment" not in cards  # 0% on every run with anyone out of reach

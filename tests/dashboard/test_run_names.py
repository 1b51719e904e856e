"""Every run keeps one number and one (editable) name on every page, and runs that give the same
plan are said to.

On :func:`tests.helpers.four_area_region` every site reaches every area and there is food for
all 44 kg of need, so the cheapest plan, the one meeting the most need and the fairest one are
one plan (every area fully served at the least transport); with the Eastside hub out only the
gardens' 20 kg are left: another plan.
"""

from __future__ import annotations

from dashboard.app.runs import SESSION_MAX_RUNS, keep_newest, rename, run_name, same_plans
from dashboard.services import PlanParams, run_plan
from tests.helpers import four_area_region


def _light(label: str, **kw) -> dict:
    return {"id": label, "label": label, **kw}


def test_runs_keep_their_numbers_when_older_ones_are_dropped():
    runs: list[dict] = []
    for i in range(SESSION_MAX_RUNS + 3):
        runs = keep_newest(runs, _light(f"r{i + 1}"))
    assert [r["no"] for r in runs] == list(range(4, SESSION_MAX_RUNS + 4))
    assert runs[-1]["dropped"] == 3
    assert run_name(runs[0]) == "Run 4: r4"


def test_a_renamed_run_keeps_its_number():
    runs = keep_newest(keep_newest([], _light("a")), _light("b"))
    renamed = rename(runs, "b", "  Eastside   outage ")
    assert [run_name(r) for r in renamed] == ["Run 1: a", "Run 2: Eastside outage"]
    assert rename(runs, "b", "   ") == runs  # an empty name changes nothing


def test_goals_that_give_the_same_plan_are_grouped():
    region = four_area_region()
    runs: list[dict] = []
    for params in (
        PlanParams(objective="cost"),
        PlanParams(objective="coverage"),
        PlanParams(objective="maxmin"),
        PlanParams(objective="cost", sites_off=("H",)),
    ):
        runs = keep_newest(runs, run_plan(region, params, region_key="four"))
    groups = same_plans(runs)
    assert [[r["no"] for r in g] for g in groups] == [[1, 2, 3]]
    assert runs[3]["plan_digest"] != runs[0]["plan_digest"]

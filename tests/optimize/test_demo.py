"""The shipped scenarios on the bundled demo region."""

from __future__ import annotations

import pytest

from equity import Region
from optimize import Scenario, SolveStatus, run_scenario
from optimize.scenario import example_scenarios


@pytest.fixture(scope="module")
def demo() -> Region:
    return Region.demo()


@pytest.mark.slow
def test_baseline_and_outage(demo):
    found = example_scenarios()
    base = run_scenario(found["baseline"], region=demo)
    assert base.status is SolveStatus.OPTIMAL
    assert 0 < base.kpis["need_met_share"] <= 1
    # a plan never ships more than the sites hold
    held = demo.supply
    assert base.kpis["kg_delivered"] <= 1.0001 * base.manifest["problem"]["supply_kg"]
    assert len(held) > 0
    # the shipped outage scenario, solved least-cost to keep the test fast
    sc = Scenario.from_toml(found["hub_outage"])
    sc = Scenario.from_dict({**sc.to_dict(), "objective": "cost"}, base_dir=sc.base_dir)
    outage = run_scenario(sc, region=demo)
    assert outage.status is SolveStatus.OPTIMAL
    assert "H037" not in set(outage.flows["site_id"])
    assert outage.kpis["need_met_kg"] <= base.kpis["need_met_kg"] + 1e-6

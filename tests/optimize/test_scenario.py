"""Scenario files: validation messages, shipped examples, running one end to end."""

from __future__ import annotations

import json

import pytest

from optimize import Scenario, SiteOutage, SolveStatus, run_scenario
from optimize.scenario import ScenarioError, example_scenarios


def write(tmp_path, text, name="s.toml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_examples_parse():
    found = example_scenarios()
    assert {"baseline", "hub_outage", "drought", "demand_surge"} <= set(found)
    for path in found.values():
        sc = Scenario.from_toml(path)
        assert sc.region == "demo"
    outage = Scenario.from_toml(found["hub_outage"])
    assert outage.objective == "maxmin"
    assert outage.shock_objects() == [SiteOutage(("H037",))]


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('objective = "cheapest"\n', r"objective: unknown objective 'cheapest'"),
        ('colour = "red"\n', r"colour: unknown key; allowed keys here: \[.*'objective'"),
        ('[[shocks]]\nkind = "meteor"\n', r"shocks.0: unknown shock kind"),
        (
            '[[shocks]]\nkind = "site_outage"\nsite = ["H1"]\n',
            r"shocks.0.site_outage.site: unknown key; allowed keys here: \['kind', 'site_ids'",
        ),
        ('[[shocks]]\nkind = "yield_factor"\nfactor = -0.5\n', r"factor: Input should be greater"),
        ("[params]\nequity_weight = 2\n", r"params.equity_weight: Input should be less"),
        ("objective = \n", r"not valid TOML"),
    ],
    ids=["objective", "unknown-key", "shock-kind", "shock-key", "negative", "weight", "toml"],
)
def test_bad_scenarios_name_file_and_key(tmp_path, text, match):
    p = write(tmp_path, text, "bad.toml")
    with pytest.raises(ScenarioError, match=match) as info:
        Scenario.from_toml(p)
    assert "bad.toml" in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(ScenarioError, match="no such scenario file"):
        Scenario.from_toml(tmp_path / "nope.toml")


def test_run_scenario_on_a_region_folder(tmp_path, line_region):
    line_region.to_dir(tmp_path / "tiny")
    p = write(
        tmp_path,
        """
name = "tiny outage"
region = "tiny"
objective = "maxmin"
[network]
max_distance_m = 5000
cost_per_kg_km = 1.0
[[shocks]]
kind = "site_outage"
site_ids = ["S2"]
""",
    )
    sol = run_scenario(p)
    assert sol.status is SolveStatus.OPTIMAL
    # S1's 10 kg over 18 kg of need: everyone reachable within 5 km gets 10/18
    assert sol.kpis["min_fulfilment"] == pytest.approx(10 / 18, abs=1e-6)
    assert sol.manifest["scenario"]["shocks"][0]["site_ids"] == ["S2"]
    out = sol.to_dir(tmp_path / "plan")
    names = {f.name for f in out.iterdir()}
    assert {"flows.csv", "fulfilment.csv", "unmet.csv", "kpis.json", "manifest.json"} <= names
    kpis = json.loads((out / "kpis.json").read_text())
    assert kpis["need_met_kg"] == pytest.approx(10)


def test_unknown_site_in_a_scenario_is_clear(tmp_path, line_region):
    from equity import FoodshedError

    sc = Scenario.from_dict({"shocks": [{"kind": "site_outage", "site_ids": ["H999"]}]})
    with pytest.raises(FoodshedError, match=r"unknown site id \['H999'\]"):
        run_scenario(sc, region=line_region)

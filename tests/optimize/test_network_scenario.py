"""Scenario keys of the network over weeks and `foodshed allocate` writing its tables."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from dashboard.cli import main
from equity import FoodshedError, Region
from optimize import Scenario, SiteOutage, run_scenario
from optimize.network import InWeeks, NetworkSolution
from optimize.scenario import ScenarioError, example_scenarios
from tests.helpers import two_areas

X0, Y0 = 500_000.0, 4_000_000.0


def chain_region(folder: Path) -> Path:
    """A garden, a pantry 3 km on, two areas: A next to the garden, B next to the pantry
    (out of the garden's 2 km reach). Lettuce keeps 10 days, rice keeps."""
    areas = two_areas(3000)
    sites = gpd.GeoDataFrame(
        {
            "site_id": ["G", "P"],
            "kind": ["garden", "pantry"],
            "name": ["Hill Garden", "Eastside Pantry"],
            "storage_kg": [np.nan, 4.0],
        },
        geometry=[Point(X0, Y0), Point(X0 + 3000, Y0)],
        crs="EPSG:32617",
    )
    comm = pd.DataFrame(
        {
            "commodity": ["lettuce", "rice"],
            "unit": ["kg", "kg"],
            "kg_per_unit": [1.0, 1.0],
            "shelf_life_days": [10.0, 730.0],
        }
    )
    supply = pd.DataFrame(
        {
            "site_id": ["G", "G", "G"],
            "commodity": ["lettuce", "rice", "lettuce"],
            "quantity": [6.0, 10.0, 2.0],
            "week": [1, None, 2],
        }
    )
    need = pd.DataFrame(
        {
            "area_id": ["A", "B", "B"],
            "commodity": ["lettuce", "lettuce", "rice"],
            "quantity": [2.0, 3.0, 5.0],
        }
    )
    region = Region.from_frames(areas, None, sites, comm, supply, need, name="chain")
    return region.to_dir(folder)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


SCENARIO = """
name = "chain"
region = "chain"
objective = "coverage"
weeks = 3

[network]
max_distance_m = 2000
max_transfer_m = 5000

[[shocks]]
kind = "site_outage"
site_ids = ["P"]
weeks = [3]
"""


def test_four_weeks_example_reads_as_a_network_scenario():
    sc = Scenario.from_toml(example_scenarios()["four_weeks"])
    assert sc.weeks == 4 and sc.is_network
    assert sc.network.max_transfer_m == 6000
    (shock,) = sc.shock_objects()
    assert isinstance(shock, InWeeks) and shock.weeks == (2,)
    assert shock.shock == SiteOutage(site_ids=("H037",))
    # the old examples stay one-period plans
    assert not Scenario.from_toml(example_scenarios()["hub_outage"]).is_network


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("weeks = 0", "weeks"),
        ("[network]\nmax_transfer_km = 3", "max_transfer_m"),
        (
            '[[shocks]]\nkind = "site_outage"\nsite_ids = ["P"]\nweeks = [0]',
            "shocks.0.site_outage.weeks",
        ),
        ('[params]\nmaxmin_over = "week"', "maxmin_over"),
    ],
    ids=["weeks-0", "unknown-network-key", "shock-week-0", "maxmin-over"],
)
def test_bad_network_keys_are_named(tmp_path, text, match):
    with pytest.raises(ScenarioError, match=match):
        Scenario.from_toml(write(tmp_path / "bad.toml", text))


def test_shock_past_the_horizon_is_an_error(tmp_path):
    chain_region(tmp_path / "chain")
    sc = write(tmp_path / "s.toml", SCENARIO.replace("weeks = [3]", "weeks = [4]"))
    with pytest.raises(FoodshedError, match="go past the plan's 3 week"):
        run_scenario(sc)


def test_one_period_plan_is_week_one(tmp_path):
    """A one-period plan of a supply table by week used every week's rows at once (8 kg of
    lettuce); it is week 1, as a one-week plan over weeks is: 6 kg, week 2's row named."""
    from optimize import AllocationProblem, allocate
    from optimize.network import NetworkProblem

    region = Region.from_dir(chain_region(tmp_path / "chain"))
    one = AllocationProblem.from_region(region, max_distance_m=2000)
    week = NetworkProblem.from_region(region, weeks=1, max_distance_m=2000)
    assert one.supply_kg[0].tolist() == [6.0, 10.0]  # G: lettuce, rice
    np.testing.assert_array_equal(week.supply_kg[0], one.supply_kg)
    (said,) = allocate(region, objective="coverage").manifest["warnings"]
    assert "1 supply row(s) for week(s) 2 are past the plan's 1 week(s)" in said
    assert "supply" in said.split(":")[0]  # the file


def test_run_scenario_over_weeks(tmp_path):
    chain_region(tmp_path / "chain")
    sol = run_scenario(write(tmp_path / "s.toml", SCENARIO))
    assert isinstance(sol, NetworkSolution) and sol.ok
    # need per week: A 2 lettuce, B 3 lettuce + 5 rice; B is reached only through the
    # pantry, which is shut in week 3. Lettuce: 6 kg in week 1 (good to week 2), 2 kg in
    # week 2 (good to week 3): all 8 kg feed someone. Rice: 10 kg a week, B's 5 kg in weeks
    # 1 and 2. Need met over the horizon: 8 + 10 = 18 kg of 30.
    assert sol.kpis["need_met_kg"] == pytest.approx(18.0)
    assert sol.kpis["need_kg"] == pytest.approx(30.0)
    assert sol.fulfilment_by_week.set_index(["week", "area_id"]).loc[(3, "B"), "met_kg"] == 0
    assert sol.transfers["to_site_id"].eq("P").all()
    assert not (sol.transfers["week"] == 3).any()
    assert sol.manifest["scenario"]["weeks"] == 3


def test_allocate_command_writes_the_weekly_tables(tmp_path, capsys):
    chain_region(tmp_path / "chain")
    sc = write(tmp_path / "s.toml", SCENARIO)
    out = tmp_path / "plan"
    assert main(["allocate", str(sc), "--out", str(out)]) == 0
    printed = " ".join(capsys.readouterr().out.split())
    assert "Spoiled" in printed and "Moved between sites" in printed
    flows = pd.read_csv(out / "flows.csv")
    assert flows.columns[0] == "week" and set(flows["week"]) <= {1, 2, 3}
    from optimize.catalogue import KPIS, NETWORK_KPIS

    kpis = json.loads((out / "kpis.json").read_text())
    produced = {k for k in kpis if k != "by_week"}
    assert sorted(produced - set(KPIS) - set(NETWORK_KPIS)) == []  # every KPI has a meaning
    assert sorted(set(NETWORK_KPIS) - produced) == []  # and the catalogue holds no stray key
    # the two weekly tables, header first
    assert (out / "transfers.csv").read_text().splitlines()[0] == (
        "week,from_site_id,to_site_id,commodity,quantity_kg,distance_m,cost_usd"
    )
    assert (out / "stock.csv").read_text().splitlines()[0] == (
        "week,site_id,commodity,start_kg,supplied_kg,received_kg,sent_kg,spoiled_kg,end_kg"
    )
    tr = pd.read_csv(out / "transfers.csv")
    assert tr["distance_m"].iloc[0] == pytest.approx(3000.0, rel=1e-4)
    assert tr["cost_usd"].iloc[0] == pytest.approx(tr["quantity_kg"].iloc[0] * 3 * 0.03, rel=1e-4)
    st = pd.read_csv(out / "stock.csv")
    lhs = st["start_kg"] + st["supplied_kg"] + st["received_kg"] - st["sent_kg"] - st["spoiled_kg"]
    np.testing.assert_allclose(lhs, st["end_kg"], atol=1e-6)
    kpis = json.loads((out / "kpis.json").read_text())
    assert [r["week"] for r in kpis["by_week"]] == [1, 2, 3]
    assert kpis["weeks"] == 3
    assert (out / "kpis_by_week.csv").is_file() and (out / "fulfilment_by_week.csv").is_file()


def test_allocate_rolling_writes_both_plans_and_the_value_of_foresight(tmp_path, capsys):
    chain_region(tmp_path / "chain")
    sc = write(tmp_path / "s.toml", SCENARIO)
    out = tmp_path / "rolling"
    assert main(["allocate", str(sc), "--rolling", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "the value of foresight" in printed
    v = pd.read_csv(out / "value_of_foresight.csv").set_index("kpi")
    # coverage: foresight never meets less need than the rolling plan
    assert v.loc["need_met_kg", "gain"] >= -1e-6
    assert (out / "foresight" / "stock.csv").is_file() and (out / "stock.csv").is_file()
    assert list(pd.read_csv(out / "replans.csv")["week"]) == [1, 2, 3]


def test_allocate_rolling_needs_scenario_files(tmp_path, capsys):
    folder = chain_region(tmp_path / "chain")
    assert main(["allocate", str(folder), "--rolling", "--out", str(tmp_path / "x")]) != 0
    cap = capsys.readouterr()
    assert "--rolling plans scenario files" in cap.err + cap.out


def test_sweep_over_a_scenario_over_weeks(tmp_path):
    from optimize.sweep import SweepSpec, run_serial

    chain_region(tmp_path / "chain")
    write(tmp_path / "base.toml", SCENARIO)
    spec = write(
        tmp_path / "sweep.toml",
        """
name = "weeks"
base = "base.toml"

[vary]
yield_factor.garden = [0.5, 1.0]

[resilience]
flag = "low"
threshold = 0.5
""",
    )
    # areas need a flag for the resilience columns: B (behind the pantry) is the vulnerable one
    reg = Region.from_dir(tmp_path / "chain")
    reg = reg.with_tables(areas=reg.areas.assign(low=[False, True]))
    out = run_serial(SweepSpec.from_toml(spec), reg)
    assert list(out["status"]) == ["optimal", "optimal"]
    full = out.loc[out["p.yield_factor.garden"] == 1.0].iloc[0]
    half = out.loc[out["p.yield_factor.garden"] == 0.5].iloc[0]
    # the sweep solves the plan over weeks: the same 18 kg as run_scenario at full yield
    assert full["need_met_kg"] == pytest.approx(18.0)
    assert half["need_met_kg"] < full["need_met_kg"]
    # B gets nothing in week 3 (the pantry is out): over the horizon it is below 100%
    assert full["vulnerable_min_fulfilment"] < 1.0


def test_scenario_roads_replace_straight_lines(tmp_path):
    chain_region(tmp_path / "chain")
    # the only road from the garden to the pantry is a 6 km detour (1.5 km north, 3 km east,
    # 1.5 km south): beyond the 5 km transfer reach, so B (behind the pantry) gets nothing
    pts = [(0, 0), (0, 1500), (3000, 1500), (3000, 0)]
    roads = gpd.GeoDataFrame(
        geometry=[shapely_line([(X0 + x, Y0 + y) for x, y in pts])], crs="EPSG:32617"
    )
    roads.to_file(tmp_path / "roads.gpkg", driver="GPKG")
    straight = run_scenario(write(tmp_path / "s.toml", SCENARIO))
    road = run_scenario(
        write(tmp_path / "r.toml", SCENARIO.replace("[network]", '[network]\nroads = "roads.gpkg"'))
    )
    assert straight.kpis["need_met_kg"] == pytest.approx(18.0)
    # A's 2 kg of lettuce a week from the garden, nothing for B: 6 kg
    assert road.kpis["need_met_kg"] == pytest.approx(6.0)
    assert road.transfers.empty
    # a one-period scenario uses the roads as its cost table too: within 4 km the garden
    # reaches B as the crow flies (3 km), not by road (6 km)
    one = (
        'name = "one"\nregion = "chain"\nobjective = "coverage"\n[network]\nmax_distance_m = 4000\n'
    )
    flat = run_scenario(write(tmp_path / "flat.toml", one))
    over = run_scenario(write(tmp_path / "one.toml", one + 'roads = "roads.gpkg"\n'))
    assert set(flat.flows["area_id"]) == {"A", "B"}
    assert set(over.flows["area_id"]) == {"A"}


def shapely_line(coords):
    from shapely.geometry import LineString

    return LineString(coords)

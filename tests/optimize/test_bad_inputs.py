"""Bad scenario and sweep files (issue 12): a plain error naming the file and key, never a crash.

The region is the tiny line of ``conftest.make_region``: gardens G1 (x=0) and hub H (x=3000),
areas A (x=0) and B (x=1000) needing 5 kg of veg each.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from equity import ConfigError, FoodshedError
from optimize import DemandSurge, Scenario, ScenarioError, ShockError, allocate, run_scenario
from optimize._sweep_task import SweepContext, solve_record
from optimize.sweep import MAX_SCENARIOS, SweepSpec, SweepSpecError, expand, prepare_sweep
from tests.helpers import line_region as make_region
from tests.helpers import write_file


@pytest.fixture(scope="module")
def region():
    return make_region(
        {"A": 0, "B": 1000},
        {"G1": 0, "H": 3000},
        [("G1", "veg", 6), ("H", "veg", 6)],
        [("A", "veg", 5), ("B", "veg", 5)],
        kinds={"G1": "garden", "H": "hub"},
    )


@pytest.fixture(scope="module")
def seasonal(region):
    supply = pd.DataFrame(
        {"site_id": ["G1", "H"], "commodity": "veg", "quantity": 6.0, "period": "summer"}
    )
    return region.with_tables(supply=supply)


def write(tmp_path: Path, text: str | bytes, name: str = "s.toml") -> Path:
    return write_file(tmp_path / name, text)


# ---------------------------------------------------------------------------- scenario files
def test_a_binary_scenario_file_is_named(tmp_path: Path) -> None:
    p = write(tmp_path, bytes(range(200, 256)) * 4)
    with pytest.raises(ScenarioError, match=r"s\.toml: is not a text file \(byte 0"):
        Scenario.from_toml(p)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('region = ""\n', r"region: region is empty; give 'demo' or a region folder"),
        ('period = " "\n', r"period: period is empty"),
        ("[network]\nbudget_usd = inf\n", r"network.budget_usd: Input should be a finite number"),
        ("[network]\nmax_distance_m = nan\n", r"network.max_distance_m: Input should be a finite"),
        (
            '[[shocks]]\nkind = "demand_surge"\nfactor = 1e308\n',
            r"factor: Input should be less than or equal to 100",
        ),
        ("[network]\nbudget_usd = 1e300\n", r"budget_usd: Input should be less than or equal"),
        ('source = "x"\n', r"'source' is set by the reader"),
    ],
    ids=["empty-region", "empty-period", "inf", "nan", "huge-factor", "huge-budget", "source"],
)
def test_scenario_values_refused_with_the_key(tmp_path: Path, text: str, match: str) -> None:
    p = write(tmp_path, text)
    with pytest.raises(ScenarioError, match=match) as err:
        Scenario.from_toml(p)
    assert str(p) in str(err.value)


def test_an_unknown_period_names_the_scenario_file(tmp_path: Path, seasonal) -> None:
    p = write(tmp_path, 'period = "monsoon"\n')
    with pytest.raises(
        ScenarioError,
        match=r"s\.toml: period 'monsoon' is not a period of region 'tiny'; its periods are summer",
    ):
        run_scenario(p, region=seasonal)


def test_a_period_for_a_region_without_periods(tmp_path: Path, region) -> None:
    p = write(tmp_path, 'period = "summer"\n')
    with pytest.raises(ScenarioError, match=r"region 'tiny' has no periods; remove the period"):
        run_scenario(p, region=region)


def test_an_unknown_period_from_the_library_is_a_config_error(seasonal) -> None:
    from optimize import allocate

    with pytest.raises(ConfigError, match=r"'monsoon' is not in this region; known periods: "):
        allocate(seasonal, period="monsoon")


@pytest.mark.parametrize(
    ("shock", "match"),
    [
        ('kind = "site_outage"\nsite_ids = ["nope"]', r"site_outage: unknown site id \['nope'\]"),
        ('kind = "yield_factor"\nfactor = 0.5\ncommodities = ["rice"]', r"unknown commodity"),
        ('kind = "demand_surge"\nfactor = 2\narea_flag = "nope"', r"areas have no column 'nope'"),
        ('kind = "site_outage"\nsite_kind = "farm"', r"no site of kind 'farm'"),
    ],
    ids=["site", "commodity", "flag", "kind"],
)
def test_shock_errors_name_the_scenario_file(tmp_path: Path, region, shock: str, match) -> None:
    p = write(tmp_path, f"[[shocks]]\n{shock}\n")
    with pytest.raises(ScenarioError, match=match) as err:
        run_scenario(p, region=region)
    assert str(err.value).startswith(f"{p}: ")
    assert isinstance(err.value.__cause__, ShockError)


def test_a_shock_id_that_lost_its_leading_zero_is_named_so() -> None:
    """An area id typed as the number a spreadsheet showed: what happened, and the id to
    write (it was "Did you mean '01001020100'?", or nothing)."""
    geoid = make_region(
        {"01001020100": 0, "01001020200": 1000},
        {"G1": 0},
        [("G1", "veg", 6)],
        [("01001020100", "veg", 5)],
    )
    with pytest.raises(ShockError, match=r"'01001020100' that lost 1 leading zero\(s\); write"):
        allocate(geoid, shocks=[DemandSurge(factor=2.0, area_ids=("1001020100",))])
    costs = pd.DataFrame({"site_id": ["G1"], "area_id": ["1001020100.0"], "distance_m": [5.0]})
    with pytest.raises(FoodshedError, match=r"became a decimal and lost 1 leading zero"):
        allocate(geoid, cost_table=costs)


# ---------------------------------------------------------------------------- sweep specs
def test_a_sweep_beyond_the_limit_is_refused_with_its_size(tmp_path: Path) -> None:
    text = (
        "[base]\n[vary]\nbudget_usd = { start = 1, stop = 10000, num = 10000 }\n"
        "[random]\nyield_factor = { uniform = [0.5, 1.0] }\n[draw]\ncount = 1000000\n"
    )
    p = write(tmp_path, text)
    with pytest.raises(SweepSpecError) as err:
        SweepSpec.from_toml(p)
    assert (
        "the spec expands to 10,000,000,000 scenarios (10,000 budget_usd x 1,000,000 draw(s)); "
        f"one sweep may have at most {MAX_SCENARIOS:,}"
    ) in str(err.value)
    # right at the limit is accepted
    ok = write(tmp_path, text.replace("count = 1000000", "count = 10"), "ok.toml")
    assert SweepSpec.from_toml(ok).size == MAX_SCENARIOS


@pytest.mark.parametrize(
    ("dist", "match"),
    [
        ("demand_surge = { normal = [1.0, 2.0] }", r"can draw values below 0, .*add min = 0"),
        (
            "yield_factor = { uniform = [-0.5, 1.0] }",
            r"uniform = \[-0.5, 1\] can draw values below",
        ),
        ("budget_usd = { triangular = [-10, 0, 10] }", r"budget_usd cannot take; add min = 0"),
        ("demand_surge = { choice = [1, 500] }", r"above 100, .*add max = 100"),
        ("max_distance_m = { uniform = [0, 100] }", r"at or below 0, which max_distance_m"),
    ],
    ids=["normal", "uniform", "triangular", "choice", "open-low"],
)
def test_random_draws_outside_a_parameters_domain_are_refused(tmp_path, dist, match) -> None:
    p = write(tmp_path, f"[base]\n[random]\n{dist}\n")
    with pytest.raises(SweepSpecError, match=match):
        SweepSpec.from_toml(p)


def test_clipped_draws_are_accepted_and_stay_in_the_domain(region) -> None:
    spec = SweepSpec.from_dict(
        {
            "base": {},
            "random": {"demand_surge": {"normal": [1.0, 2.0], "min": 0.0, "max": 9.0}},
            "draw": {"count": 40, "seed": 3},
        }
    )
    _, _, records = prepare_sweep(spec, region)
    values = [r["p.demand_surge"] for r in records]
    assert min(values) == 0.0  # sd 2 around 1: some of 40 draws fall below 0, clipped to it
    assert all(v >= 0 for v in values)


def test_a_narrow_normal_needs_no_clip(tmp_path: Path) -> None:
    # 4 sd either side (0.9 - 1.3) lies inside demand_surge's 0 - 100
    p = write(tmp_path, "[base]\n[random]\ndemand_surge = { normal = [1.1, 0.05] }\n")
    assert SweepSpec.from_toml(p).random["demand_surge"].normal == (1.1, 0.05)
    wide = write(tmp_path, "[base]\n[random]\ndemand_surge = { normal = [1.0, 0.3] }\n", "w.toml")
    with pytest.raises(SweepSpecError, match=r"normal = \[1, 0.3\] can draw values below 0"):
        SweepSpec.from_toml(wide)


def test_a_record_with_a_negative_factor_is_a_plain_error_row(region) -> None:
    spec = SweepSpec.from_dict({"base": {}, "vary": {"demand_surge": [1.0]}})
    problem, ctx, (rec,) = prepare_sweep(spec, region)
    bad = {**rec, "shocks": json.dumps([{"kind": "demand_surge", "factor": -1.0}])}
    row = solve_record(problem, ctx, bad)["row"]
    assert row["status"] == "error"
    assert row["message"] == "demand_surge.factor: Input should be greater than or equal to 0"
    assert math.isnan(row["need_met_kg"])
    assert isinstance(ctx, SweepContext)


def test_expansion_reports_progress(region) -> None:
    spec = SweepSpec.from_dict(
        {"base": {}, "vary": {"budget_usd": {"start": 1, "stop": 2500, "num": 2500}}}
    )
    calls: list[tuple[int, int]] = []
    problem, _, _ = prepare_sweep(SweepSpec.from_dict({"base": {}}), region)
    records = expand(spec, problem, progress=lambda d, t: calls.append((d, t)))
    assert len(records) == 2500
    assert calls == [(1000, 2500), (2000, 2500), (2500, 2500)]


def test_a_base_scenario_with_an_unknown_period_names_the_spec(seasonal) -> None:
    spec = SweepSpec.from_dict({"base": {"period": "monsoon"}}, source="spec.toml")
    with pytest.raises(SweepSpecError, match=r"spec\.toml: the base scenario: .*'monsoon'"):
        prepare_sweep(spec, seasonal)


def test_a_binary_sweep_spec_is_named(tmp_path: Path) -> None:
    p = write(tmp_path, b"\xff\xfe\x00garbage", "spec.toml")
    with pytest.raises(SweepSpecError, match=r"spec\.toml: is not a text file"):
        SweepSpec.from_toml(p)


# ---------------------------------------------------------------------------- empty supply
def test_a_region_without_supply_is_warned_then_refused(region) -> None:
    from optimize import allocate

    empty = make_region({"A": 0}, {"G1": 0}, [], [("A", "veg", 5)])
    (w,) = [p for p in empty.problems if p.code == "no_supply"]
    assert "supply" in w.message
    # validate warns; allocate refuses in one sentence rather than plan nothing (issue 16 §4)
    with pytest.raises(FoodshedError, match="has no supply to plan with; add a supply table"):
        allocate(empty)
    assert allocate(region).manifest["warnings"] == []


def test_run_sweep_reports_preparation_before_solving(region, tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")
    from dask.distributed import Client

    from optimize.sweep import run_sweep

    spec = SweepSpec.from_dict({"base": {}, "vary": {"demand_surge": [1.0, 1.5]}})
    seen: list[tuple[str, int, int]] = []
    with Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=None) as cl:
        res = run_sweep(
            spec,
            tmp_path / "out",
            region=region,
            client=cl,
            preparing=lambda d, t: seen.append(("prepare", d, t)),
            progress=lambda d, t, row: seen.append(("solve", d, t)),
        )
    assert res.complete
    assert seen[0] == ("prepare", 2, 2)  # the records exist before the first solve
    assert seen[-1] == ("solve", 2, 2)


# ---------------------------------------------------------------------------- more refusals
def test_unknown_solvers_are_refused_with_the_file(tmp_path: Path, region) -> None:
    with pytest.raises(ScenarioError, match=r"solver: unknown solver 'nope'; choose one of highs"):
        Scenario.from_toml(write(tmp_path, 'solver = "nope"\n'))
    p = write(tmp_path, 'solver = "pulp:NOPE"\n', "p.toml")
    with pytest.raises(ScenarioError, match=r"p\.toml: unknown PuLP solver 'NOPE'; PuLP knows "):
        run_scenario(p, region=region)


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (
            {"vary": {"budget_usd": {"start": 0, "stop": 1e300, "step": 1e-300}}},
            r"vary.budget_usd: the range has too many values; at most 10000",
        ),
        (
            {"random": {"yield_factor": {"uniform": [0.5, 1], "min": 2, "max": 1}}},
            r"random.yield_factor: min = 2 is above max = 1",
        ),
    ],
    ids=["huge-range", "min-above-max"],
)
def test_spec_shapes_refused(data, match) -> None:
    with pytest.raises(SweepSpecError, match=match):
        SweepSpec.from_dict({"base": {}, **data})


def test_sweep_selectors_the_region_lacks_name_the_spec(region) -> None:
    spec = SweepSpec.from_dict({"base": {}, "vary": {"demand_surge": {"nope": [1.5]}}}, source="s")
    with pytest.raises(SweepSpecError, match=r"s: demand_surge.nope: .* no true/false column"):
        prepare_sweep(spec, region)
    spec = SweepSpec.from_dict({"base": {}, "resilience": {"flag": "nope"}}, source="s.toml")
    with pytest.raises(SweepSpecError, match=r"s\.toml: resilience.flag 'nope' is neither"):
        prepare_sweep(spec, region)


# ------------------------------------------------ found by the hardening campaign (issue 12)
@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"max_distance_m": math.nan}, "max_distance_m must be a positive number of metres"),
        ({"max_distance_m": math.inf}, "max_distance_m must be a positive number of metres"),
        ({"cost_per_kg_km": math.inf}, "cost_per_kg_km must be a number of USD >= 0"),
        ({"cost_per_kg_km": -1.0}, "cost_per_kg_km must be a number of USD >= 0"),
        ({"budget_usd": math.nan}, "budget_usd must be a number of USD >= 0"),
        ({"budget_usd": -5.0}, "budget_usd must be a number of USD >= 0"),
    ],
)
def test_reach_cost_and_budget_must_be_finite(region, kw, match) -> None:
    from optimize import allocate

    with pytest.raises(FoodshedError, match=match):
        allocate(region, **kw)


def test_an_empty_scenario_file_is_refused(tmp_path: Path) -> None:
    """It used to plan the demo city and exit 0."""
    p = tmp_path / "empty.toml"
    p.write_text("# nothing yet\n")
    with pytest.raises(ScenarioError, match="empty.toml: the scenario file is empty"):
        Scenario.from_toml(p)


def test_a_scheduler_address_dask_cannot_parse_is_a_clear_error() -> None:
    from optimize.sweep import _client

    with (
        pytest.raises(FoodshedError, match=r"'nonsense'.*tcp://host:8786"),
        _client("nonsense", None),
    ):
        pass


def test_a_pulp_solver_that_is_not_installed_is_a_clear_error(region) -> None:
    """It was "unexpected error: PulpSolverError: PuLP: cannot execute glpsol"."""
    import pulp

    from optimize import allocate

    missing = sorted(set(pulp.listSolvers()) - set(pulp.listSolvers(onlyAvailable=True)))
    if not missing:
        pytest.skip("every solver PuLP knows is installed here")
    with pytest.raises(FoodshedError, match=f"PuLP solver '{missing[0]}' is not installed here"):
        allocate(region, solver=f"pulp:{missing[0]}")


@pytest.mark.parametrize("solver", ["pulp:", "highs:x", "cbc:fast"])
def test_a_solver_suffix_only_pulp_takes_is_refused(tmp_path: Path, solver: str) -> None:
    """'pulp:' used to run the default solver silently."""
    from optimize.backends import get_backend

    with pytest.raises(FoodshedError, match="only 'pulp:' takes a name after ':'"):
        get_backend(solver)
    p = tmp_path / "s.toml"
    p.write_text(f"name = 'x'\nsolver = '{solver}'\n")
    with pytest.raises(ScenarioError, match="only 'pulp:' takes a name after ':'"):
        Scenario.from_toml(p)


@pytest.mark.parametrize("objective", ["cost", "coverage", "maxmin", "fair_share", "balanced"])
def test_no_need_at_all_is_an_optimal_empty_plan(region, objective) -> None:
    """Need x 0 leaves HiGHS an empty model: it was "the solver failed" beside "0 kg met"."""
    from optimize import DemandSurge, SolveStatus, allocate

    sol = allocate(region, objective=objective, shocks=[DemandSurge(factor=0.0)], solver="highs")
    assert sol.status is SolveStatus.OPTIMAL
    assert sol.kpis["need_kg"] == 0.0 and sol.kpis["need_met_kg"] == 0.0
    assert sol.flows.empty and math.isnan(sol.kpis["need_met_share"])  # 0 of 0: no share

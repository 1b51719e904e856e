"""Sweeps: spec validation, deterministic expansion, and runs on a two-worker LocalCluster that
match the same scenarios solved one by one, survive an interrupt and a killed worker, and resume.

The region is a line of four areas and three sites (``tests.helpers.line4_region``): gardens G1 at
x=0 and G2 at x=3000 (10 kg each), hub H at x=5000 (8 kg); areas A 0, B 1000, C 3000, D 5000
need 7 kg each; C and D are low income.
"""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from optimize import allocate
from optimize._sweep_task import _SHOCK
from optimize.sweep import (
    SweepSpec,
    SweepSpecError,
    area_risk,
    expand,
    prepare_sweep,
    read_fulfilment,
    read_sweep,
    run_serial,
    run_sweep,
    summarize_sweep,
)
from tests.helpers import line4_region

KPIS = ["need_met_kg", "need_met_share", "min_fulfilment", "gini_fulfilment", "transport_cost_usd"]


line4 = line4_region


SPEC = {
    "name": "tiny",
    "base": {"objective": "balanced", "network": {"max_distance_m": 4000}},
    "vary": {"equity_weight": [0.0, 1.0], "outage_probability": {"hub": 0.5}},
    "random": {"yield_factor": {"garden": {"uniform": [0.5, 1.0]}}},
    "draw": {"count": 3, "seed": 11},
    "resilience": {"flag": "low_income", "threshold": 0.5},
}


@pytest.fixture(scope="module")
def region():
    return line4()


@pytest.fixture(scope="module")
def spec():
    return SweepSpec.from_dict(SPEC)


@pytest.fixture(scope="module")
def serial(spec, region):
    return run_serial(spec, region)


# ---------------------------------------------------------------------------- the spec
def write(tmp_path: Path, text: str, name: str = "spec.toml") -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def test_expansion_is_deterministic_and_sized(spec, region):
    problem, _, records = prepare_sweep(spec, region)
    assert spec.size == 2 * 3 == len(records)
    again = expand(SweepSpec.from_dict(SPEC), problem)
    assert [r["scenario_id"] for r in records] == [r["scenario_id"] for r in again]
    assert len({r["scenario_id"] for r in records}) == 6
    # more draws extend the sweep: the first three draws of each grid point are unchanged
    more = expand(SweepSpec.from_dict({**SPEC, "draw": {"count": 5, "seed": 11}}), problem)
    assert {r["scenario_id"] for r in records} <= {r["scenario_id"] for r in more}
    # outages only ever take out the hub; yields are within the drawn range
    assert {r["sites_out"] for r in records} <= {"", "H"}
    ys = [r["p.yield_factor.garden"] for r in records]
    assert all(0.5 <= y <= 1.0 for y in ys)
    shocks = json.loads(records[0]["shocks"])
    assert shocks[0] == {"factor": ys[0], "kind": "yield_factor", "site_kind": "garden"}


def test_ranges_lists_and_files(tmp_path):
    p = write(
        tmp_path,
        """
        base = "base.toml"
        [vary]
        budget_usd = { start = 0, stop = 1000, step = 250 }
        max_distance_m = { start = 1000, stop = 3000, num = 3 }
        demand_surge.low_income = [1.0, 1.5]
        """,
    )
    write(tmp_path, 'objective = "cost"\n[network]\nmax_distance_m = 2000\n', "base.toml")
    spec = SweepSpec.from_toml(p)
    assert spec.name == "spec"
    assert spec.vary["budget_usd"] == [0.0, 250.0, 500.0, 750.0, 1000.0]
    assert spec.vary["max_distance_m"] == [1000.0, 2000.0, 3000.0]
    assert spec.size == 5 * 3 * 2
    # the base problem is built with the longest swept reach (3000 m, not the base's 2000 m)
    assert spec.network_max_distance_m() == 3000.0


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("[base]\n[vary]\nwobble = [1]\n", r"vary\.wobble: unknown parameter; sweepable"),
        (
            "[base]\n[vary]\nbudget_usd = { start = 5, stop = 1 , step = 1}\n",
            "budget_usd: an empty",
        ),
        ("[base]\n[vary]\nbudget_usd = { start = 0, stop = 1 }\n", "exactly one of `step`"),
        ("[base]\n[vary]\nequity_weight = [0.5]\n", "objective 'cost' does not use it"),
        ("[base]\n[vary]\noutage_probability.hub = [1.5]\n", r"values must lie in \[0, 1\]"),
        ("[base]\n[vary]\noutage_probability = [0.5]\n", "name the site kind"),
        ("[base]\n[random]\nyield_factor = { uniform = [1, 0] }\n", "needs low <= high"),
        ("[base]\n[random]\nbudget_usd = { beta = [1, 2] }\n", "budget_usd takes no sub-key"),
        ("[base]\n[vary]\nbudget_usd = [1]\n[random]\nbudget_usd = 2\n", "in both"),
        ("colour = 1\n[base]\n", "colour: unknown key"),
        ("[vary]\nbudget_usd = [1]\n", "base: missing"),
        ("base = 'nope.toml'\n", "base: the scenario 'nope.toml' is not usable"),
        ("[base]\nobjective = 'fastest'\n", "unknown objective 'fastest'"),
        ("[base]\n[draw]\ncount = 0\n", r"draw\.count"),
    ],
    ids=[
        "unknown-param",
        "empty-range",
        "range-step-or-num",
        "param-vs-objective",
        "probability-range",
        "outage-needs-kind",
        "bad-uniform",
        "unknown-dist",
        "vary-and-random",
        "unknown-top-key",
        "no-base",
        "missing-base-file",
        "bad-objective",
        "zero-draws",
    ],
)
def test_spec_errors_name_file_and_key(tmp_path, text, match):
    p = write(tmp_path, text)
    with pytest.raises(SweepSpecError, match=match) as err:
        SweepSpec.from_toml(p)
    assert str(p) in str(err.value)


def test_unknown_site_kind_is_named(region):
    spec = SweepSpec.from_dict({"base": {}, "vary": {"yield_factor": {"orchard": [0.5]}}})
    with pytest.raises(SweepSpecError, match=r"no site of kind 'orchard'.*\['garden', 'hub'\]"):
        prepare_sweep(spec, region)


def test_bad_toml_and_missing_file(tmp_path):
    with pytest.raises(SweepSpecError, match="no such sweep spec file"):
        SweepSpec.from_toml(tmp_path / "absent.toml")
    with pytest.raises(SweepSpecError, match="not valid TOML"):
        SweepSpec.from_toml(write(tmp_path, "base = [\n"))


# ---------------------------------------------------------------------------- serial answers
def test_serial_matches_allocate_one_by_one(serial, region):
    """The sweep's task function gives what `optimize.allocate` gives, scenario by scenario."""
    assert (serial["status"] == "optimal").all()
    for rec in serial.to_dict("records"):
        shocks = [_SHOCK.validate_python(d).build() for d in json.loads(rec["shocks"])]
        sol = allocate(
            region,
            objective="balanced",
            shocks=shocks,
            max_distance_m=4000,
            **json.loads(rec["params"]),
        )
        for k in KPIS:
            assert rec[k] == pytest.approx(sol.kpis[k], abs=1e-9), k
        f = sol.fulfilment.set_index("area_id")["fulfilment"]
        assert rec["vulnerable_min_fulfilment"] == pytest.approx(min(f["C"], f["D"]), abs=1e-9)


def test_hand_checked_scenario(region):
    """Hub out, gardens at full yield, weight 1 (max-min first): supply 20 kg for 28 kg of need.
    D (x=5000) is 2 km from G2, within the 4 km reach; the best smallest fulfilment is 20/28."""
    spec = SweepSpec.from_dict(
        {
            "base": {"objective": "balanced", "network": {"max_distance_m": 4000}},
            "vary": {"equity_weight": [1.0], "yield_factor": {"hub": [0.0]}},
            "resilience": {"flag": "low_income", "threshold": 0.75},
        }
    )
    row = run_serial(spec, region).iloc[0]
    assert row["need_met_kg"] == pytest.approx(20.0)
    assert row["min_fulfilment"] == pytest.approx(20 / 28)
    assert row["vulnerable_min_fulfilment"] == pytest.approx(20 / 28)
    assert row["vulnerable_below_threshold"] == 2  # C and D both below 75%


# ---------------------------------------------------------------------------- on Dask
@pytest.mark.slow
def test_sweep_on_two_workers_equals_serial(client, spec, region, serial, tmp_path):
    out = tmp_path / "sweep"
    seen = []
    res = run_sweep(
        spec,
        out,
        region=region,
        client=client,
        batch_size=2,
        progress=lambda d, n, row: seen.append((d, n)),
    )
    assert res.complete and res.solved == 6 and not res.failed and res.workers == 2
    assert seen[0] == (0, 6) and seen[-1] == (6, 6)
    got = read_sweep(out)
    assert list(got["scenario_id"]) == list(serial["scenario_id"])
    for k in [*KPIS, "vulnerable_min_fulfilment", "vulnerable_below_threshold"]:
        np.testing.assert_allclose(got[k], serial[k], atol=1e-9, err_msg=k)
    # both workers took part, and results came in batches (one file per batch of <= 2)
    assert got["worker"].nunique() == 2
    files = list((out / "results").glob("part-*.parquet"))
    assert 3 <= len(files) <= 6
    assert not list(out.rglob("*.tmp*"))
    ful = read_fulfilment(out)
    assert set(ful["area_id"]) == {"C", "D"} and len(ful) == 12
    risk = area_risk(out).set_index("area_id")
    for a in ("C", "D"):
        f = ful[ful["area_id"] == a]["fulfilment"]
        assert risk.loc[a, "below"] == int((f < 0.5).sum()) and risk.loc[a, "scenarios"] == 6
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenarios"] == 6 and summary["threshold"] == 0.5
    assert {r["area_id"] for r in summary["areas_at_risk"]} == {"C", "D"}
    # resilience: P(any low-income area < 50%) per equity weight, by counting rows
    expect = (
        serial.assign(b=serial["vulnerable_min_fulfilment"] < 0.5)
        .groupby("p.equity_weight")["b"]
        .mean()
    )
    got_p = {r["p.equity_weight"]: r["p_any_below"] for r in summary["resilience"]}
    assert got_p == pytest.approx(expect.to_dict())
    # a second run into the same folder without --resume is refused
    with pytest.raises(Exception, match="pass --resume"):
        run_sweep(spec, out, region=region, client=client)


@pytest.mark.slow
def test_interrupt_then_resume_loses_nothing(client, spec, region, serial, tmp_path):
    out = tmp_path / "sweep"
    first = run_sweep(spec, out, region=region, client=client, max_results=2, batch_size=1)
    assert first.interrupted and not first.complete
    kept = read_sweep(out)
    assert len(kept) >= 2  # everything that finished was written, even past the stop
    assert not (out / "summary.json").exists()
    second = run_sweep(spec, out, region=region, client=client, resume=True)
    assert second.skipped == len(kept) and second.solved == 6 - len(kept)
    assert second.complete
    got = read_sweep(out)
    assert sorted(got["scenario_id"]) == sorted(serial["scenario_id"])
    np.testing.assert_allclose(got["need_met_kg"], serial["need_met_kg"], atol=1e-9)
    # nothing is solved twice
    rows = pd.concat([pd.read_parquet(f) for f in (out / "results").glob("*.parquet")])
    assert len(rows) == 6


@pytest.mark.slow
def test_killed_worker_keeps_finished_and_resume_completes(client, spec, region, serial, tmp_path):
    out = tmp_path / "sweep"
    bad = serial["scenario_id"].iloc[3]

    def killer(problem, ctx, record):  # pickled by value and run on the workers
        if record["scenario_id"] == bad:
            os._exit(1)
        from optimize._sweep_task import solve_record

        return solve_record(problem, ctx, record)

    res = run_sweep(spec, out, region=region, client=client, batch_size=1, _task=killer)
    assert bad in res.failed and "KilledWorker" in res.failed[bad]
    assert not res.complete
    kept = read_sweep(out)
    assert bad not in set(kept["scenario_id"])
    assert len(kept) + len(res.failed) == 6
    done = run_sweep(spec, out, region=region, client=client, resume=True)
    assert done.complete and done.solved == len(res.failed)
    got = read_sweep(out).set_index("scenario_id")
    want = serial.set_index("scenario_id")
    np.testing.assert_allclose(got.loc[want.index, "need_met_kg"], want["need_met_kg"], atol=1e-9)


@pytest.mark.slow
def test_cli_against_a_running_scheduler(client, region, tmp_path):
    """`foodshed sweep SPEC --out DIR --scheduler ADDRESS`, then `--resume` has nothing to do."""
    from dashboard.cli import main

    region.to_dir(tmp_path / "line")
    spec = write(
        tmp_path,
        """
        name = "cli"
        [base]
        region = "line"
        objective = "cost"
        [vary]
        budget_usd = [0, 100]
        [resilience]
        flag = "low_income"
        """,
    )
    out = tmp_path / "out"
    addr = client.scheduler.address
    assert main(["sweep", str(spec), "--out", str(out), "--scheduler", addr]) == 0
    assert len(read_sweep(out)) == 2
    assert (out / "sweep.html").stat().st_size > 1_000_000  # figures, plotly.js embedded
    assert main(["sweep", str(spec), "--out", str(out), "--scheduler", addr, "--resume"]) == 0
    assert main(["sweep", str(spec), "--out", str(out), "--scheduler", addr]) == 1
    summary = summarize_sweep(read_sweep(out), threshold=0.99)
    # a zero budget serves at most A (a garden stands on it); $100 serves everyone
    assert summary["p_any_below_overall"] == 0.5
    rows = read_sweep(out).set_index("p.budget_usd")
    assert rows.loc[0.0, "need_met_kg"] <= 7.0 + 1e-6
    assert rows.loc[100.0, "need_met_kg"] == pytest.approx(28.0)


@pytest.mark.slow
def test_cli_reports_bad_spec_and_unreachable_scheduler(tmp_path, capsys):
    from dashboard.cli import main

    bad = write(tmp_path, "[base]\n[vary]\nwobble = [1]\n")
    assert main(["sweep", str(bad), "--out", str(tmp_path / "o")]) == 1
    assert "vary.wobble: unknown parameter" in capsys.readouterr().err

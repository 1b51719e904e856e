"""Sweeps over the network over weeks: ``weeks`` and ``[network] max_transfer_m`` in ``[vary]``,
and the line saying which inputs are estimated.

The region is ``tests.helpers.chain_region``: a garden G beside area A and a pantry P beside B,
3 km apart; G has 10 kg of greens a week (4 days' keeping), A needs 2 kg and B (low income) 3 kg.
Deliveries reach 2 km, so without moves between sites only A is fed: 2 kg met and 8 kg spoiled a
week; with moves of 5 km, G sends 3 kg to P for B: 5 kg met, 5 kg spoiled a week.
"""

from __future__ import annotations

import json
import warnings

import pandas as pd
import pytest

from optimize.network import allocate_network
from optimize.sweep import (
    SweepSpec,
    SweepSpecError,
    read_sweep,
    run_serial,
    run_sweep,
    summarize_sweep,
)
from tests.helpers import chain_region, public_list_region

SPEC = {
    "name": "weeks-and-moves",
    "base": {"objective": "coverage", "solver": "highs", "network": {"max_distance_m": 2000}},
    "vary": {"weeks": [1, 2], "network": {"max_transfer_m": [0, 5000]}},
    "resilience": {"flag": "low_income", "threshold": 0.5},
}
#: (weeks, longest move) -> (need met kg, spoiled kg, moved kg), by hand (module docstring)
EXPECTED = {
    (1, 0): (2.0, 8.0, 0.0),
    (1, 5000): (5.0, 5.0, 3.0),
    (2, 0): (4.0, 16.0, 0.0),
    (2, 5000): (10.0, 10.0, 6.0),
}


@pytest.fixture(scope="module")
def region():
    return chain_region()


@pytest.fixture(scope="module")
def frame(region):
    return run_serial(SweepSpec.from_dict(SPEC), region)


def test_a_sweep_over_weeks_and_moves_has_one_run_per_combination(frame):
    assert len(frame) == 4
    got = {
        (int(r["p.weeks"]), int(r["p.max_transfer_m"])): (
            r["need_met_kg"],
            r["spoiled_kg"],
            r["transferred_kg"],
        )
        for _, r in frame.iterrows()
    }
    assert got.keys() == EXPECTED.keys()
    for key, want in EXPECTED.items():
        assert got[key] == pytest.approx(want, abs=1e-4), key  # the stages' tolerance
    assert set(frame["status"]) == {"optimal"}
    assert frame["weeks"].tolist() == [1.0, 1.0, 2.0, 2.0]
    # B is low income: fed only through the pantry
    by_moves = frame.groupby("p.max_transfer_m")["vulnerable_min_fulfilment"].max()
    assert by_moves.to_dict() == pytest.approx({0.0: 0.0, 5000.0: 1.0})
    assert frame["scenario_id"].nunique() == 4


def test_every_run_matches_the_direct_solve(frame, region):
    for _, r in frame.iterrows():
        moves = r["p.max_transfer_m"] or None
        plan = allocate_network(
            region,
            objective="coverage",
            solver="highs",
            weeks=int(r["p.weeks"]),
            max_distance_m=2000,
            max_transfer_m=moves,
        )
        for k in ("need_met_kg", "spoiled_kg", "transferred_kg", "end_stock_kg"):
            assert r[k] == pytest.approx(plan.kpis[k], abs=1e-6), (k, r["p.weeks"], moves)
        assert r["transport_cost_usd"] == pytest.approx(plan.kpis["transport_cost_usd"], rel=1e-6)


def test_network_keys_only_in_vary_and_weeks_whole(tmp_path):
    bad = {**SPEC, "vary": {"weeks": [1.5]}, "random": {"max_transfer_m": {"uniform": [0, 1]}}}
    with pytest.raises(SweepSpecError) as err:
        SweepSpec.from_dict(bad, source="moves.toml")
    text = str(err.value)
    assert "moves.toml" in text
    assert "random.max_transfer_m: each value builds its own network problem" in text
    assert "vary.weeks: weeks are whole numbers; got [1.5]" in text
    with pytest.raises(SweepSpecError, match=r"vary.weeks: values must be >= 1"):
        SweepSpec.from_dict({**SPEC, "vary": {"weeks": [0, 2]}})


def test_on_dask_the_summary_covers_the_horizon(client, region, frame, tmp_path):
    out = tmp_path / "sweep"
    result = run_sweep(SweepSpec.from_dict(SPEC), out, client=client, region=region)
    assert result.complete and result.solved == 4
    got = read_sweep(out).set_index(["p.weeks", "p.max_transfer_m"]).sort_index()
    want = frame.set_index(["p.weeks", "p.max_transfer_m"]).sort_index()
    cols = ["need_met_kg", "spoiled_kg", "end_stock_kg", "transferred_kg"]
    pd.testing.assert_frame_equal(got[cols], want[cols], atol=1e-6)
    summary = json.loads((out / "summary.json").read_text())
    assert {"spoiled_kg", "end_stock_kg", "transferred_kg"} <= set(summary["distributions"])
    assert summary["distributions"]["spoiled_kg"]["max"] == pytest.approx(16.0)
    assert summary["estimated"] == "" and summary["estimated_inputs"] == {}


def test_the_summary_says_which_inputs_are_estimated(tmp_path):
    """A county without need or supply is swept on documented estimates, and says so."""
    spec = SweepSpec.from_dict(
        {
            "name": "estimated",
            "base": {"objective": "cost", "solver": "highs"},
            "vary": {"max_distance_m": [500, 2000]},
            "resilience": {"flag": "low_income"},
        }
    )
    county = public_list_region(low_income=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the EstimatesWarning: what this test reads in words
        frame = run_serial(spec, county)
    assert frame["estimated"].tolist() == ["need, supply", "need, supply"]
    assert summarize_sweep(frame, spec=spec)["estimated"] == "need, supply"


def test_cli_prints_the_estimated_inputs(client, tmp_path, capsys):
    """`foodshed sweep` on a county saved from public lists ends with one line naming the
    estimated numbers, in words."""
    from dashboard.cli import main

    public_list_region(low_income=True).to_dir(tmp_path / "county")
    spec = tmp_path / "spec.toml"
    spec.write_text(
        'name = "county"\n[base]\nregion = "county"\nobjective = "cost"\n'
        '[vary]\nmax_distance_m = [500, 2000]\n[resilience]\nflag = "low_income"\n'
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the EstimatesWarning: the command says it in words
        code = main(
            [
                "sweep",
                str(spec),
                "--out",
                str(tmp_path / "out"),
                "--scheduler",
                client.scheduler.address,
            ]
        )
    out = " ".join(capsys.readouterr().out.split())
    assert code == 0
    assert (
        "Estimated inputs (documented estimates, not the region's data): need: population x" in out
    )
    assert "; supply: " in out

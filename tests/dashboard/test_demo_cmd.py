"""``foodshed demo``: the main job writes reports, data and a summary, and says where."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import equity
from dashboard.cli import demo as _cmd_demo
from dashboard.cli import main
from tests.helpers import grid_region


@pytest.fixture
def small_demo(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[Path]:
    """Stand the grid city in for the demo region, with two example scenarios on it."""
    grid = grid_region()
    monkeypatch.setattr(equity.Region, "demo", classmethod(lambda cls: grid))
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "baseline.toml").write_text('name = "Baseline"\nobjective = "cost"\n')
    (folder / "hub_outage.toml").write_text(
        'name = "Hub outage"\nobjective = "maxmin"\n'
        '[[shocks]]\nkind = "site_outage"\nsite_kind = "hub"\n'
    )
    paths = [folder / "hub_outage.toml", folder / "baseline.toml"]
    monkeypatch.setattr(_cmd_demo, "example_scenarios", lambda: sorted(paths))
    return paths


def test_demo_writes_reports_data_and_prints_where(
    small_demo: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "foodshed-demo"
    assert main(["demo", "--out", str(out)]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "Grid City" in text and "foodshed dashboard" in text
    assert (out / "index.html").resolve().as_uri() in text
    assert "2 of 9 areas are food deserts" in text or "food deserts" in text
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert files == [
        ".foodshed-output.json",
        "baseline.html",
        "data/areas.csv",
        "data/areas.geojson",
        "data/baseline_flows.csv",
        "data/baseline_fulfilment.csv",
        "data/hub-outage_flows.csv",
        "data/hub-outage_fulfilment.csv",
        "hub-outage.html",
        "index.html",
        "kpis.csv",
        "plotly.min.js",
        "summary.json",
    ]
    marker = json.loads((out / ".foodshed-output.json").read_text())
    assert marker["command"] == "demo" and marker["files"] == files[1:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["baseline"] == "Baseline" and summary["n_failed"] == 0
    areas = pd.read_csv(out / "data/areas.csv", dtype={"area_id": str})
    assert len(areas) == 9 and "LILATracts_1And10" in areas
    flows = pd.read_csv(out / "data/hub-outage_flows.csv")
    assert set(flows["site_id"]) <= {"g1"}  # the hub is out


def test_example_scenarios_put_the_baseline_first() -> None:
    paths = _cmd_demo.example_scenarios()
    assert len(paths) >= 4
    assert paths[0].stem == "baseline"
    import optimize

    for p in paths:
        assert optimize.Scenario.from_toml(p).region == "demo"


def test_demo_leaves_out_plans_over_weeks() -> None:
    stems = {p.stem for p in _cmd_demo.example_scenarios()}
    assert "four_weeks" not in stems and "hub_outage" in stems

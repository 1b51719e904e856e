"""The scripts in examples/ run end to end (on a tiny region, with fast settings)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from dashboard.cli import main as foodshed
from tests.helpers import grid_region

#: Each example runs in a fresh Python process (several seconds apiece).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("examples") / "city"
    grid_region().to_dir(folder)
    assert foodshed(["validate", str(folder)]) == 0
    return folder


def run(script: str, *args: str, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_batch_plans(city: Path, tmp_path: Path) -> None:
    out = run("batch_plans.py", "--region", str(city), "--out", str(tmp_path))
    assert "reports in" in out
    kpis = pd.read_csv(tmp_path / "kpis.csv")
    assert list(kpis["plan"]) == ["baseline", "fair share after a hub outage", "drought"]
    assert (kpis["status"] == "optimal").all()
    for name in ("baseline", "fair-share-after-a-hub-outage", "drought"):
        assert (tmp_path / f"{name}.html").stat().st_size > 10_000
    assert (tmp_path / "plotly.min.js").exists()


def test_budget_sweep(city: Path, tmp_path: Path) -> None:
    run(
        "budget_sweep.py",
        *("--region", str(city), "--out", str(tmp_path)),
        *("--budgets", "2", "50", "--weights", "0", "1"),
    )
    curve = pd.read_csv(tmp_path / "efficiency_equity.csv")
    assert len(curve) == 4
    # More budget never delivers less food, and weight 1 never leaves a lower floor than 0.
    by = curve.set_index(["budget_usd", "equity_weight"])
    assert by.loc[(50.0, 0.0), "need_met_share"] >= by.loc[(2.0, 0.0), "need_met_share"] - 1e-9
    for b in (2.0, 50.0):
        assert by.loc[(b, 1.0), "min_fulfilment"] >= by.loc[(b, 0.0), "min_fulfilment"] - 1e-9
    html = (tmp_path / "efficiency_equity.html").read_text()
    assert "The price of fairness" in html


def test_county_report_says_when_data_is_absent(tmp_path: Path) -> None:
    out = run(
        "county_report.py",
        *("--out", str(tmp_path / "o"), "--shared-data", str(tmp_path / "none")),
    )
    assert out.startswith("skipped: the public data is not at")
    assert not (tmp_path / "o").exists()


@pytest.mark.shared_data
def test_county_report_on_allegheny(shared_data: Path, tmp_path: Path) -> None:
    out = run("county_report.py", "--out", str(tmp_path), "--shared-data", str(shared_data))
    assert "Allegheny County, PA" in out
    assert "computed agrees with the USDA Atlas" in out
    assert "plan (maxmin, optimal):" in out
    assert "estimated need: population x a basket of 11.98 kg per person a week" in out
    html = (tmp_path / "allegheny.html").read_text()
    assert "<title>Allegheny County, PA: fairest plan" in html and "Food access today" in html
    assert 'id="estimated-note"' in html and 'id="kpi-table"' in html
    areas = pd.read_csv(tmp_path / "allegheny_areas.csv", dtype={"area_id": str})
    assert len(areas) == 402
    classes = pd.read_csv(tmp_path / "allegheny_store_classes.csv")
    assert classes["stores"].sum() == 1586
    sup = classes[classes["kind"] == "supermarket"].set_index(["source", "kind_rule"])["stores"]
    assert sup.sum() == 346 and sup[("wprdc", "list")] == 24
    manifest = json.loads((tmp_path / "plan" / "manifest.json").read_text())
    assert set(manifest["estimated"]) == {"commodities", "need", "supply"}
    assert manifest["objective"] == "maxmin"

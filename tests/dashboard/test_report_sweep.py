"""``foodshed report --sweep DIR``: a page per sweep and a "Sweeps" section on the index.

The sweep is the ``tiny_sweep`` fixture (tests/dashboard/conftest.py; two scenarios; with the
hub's yield at 0 the low-income areas C and D get 20/28 = 71.4% of their need, below the 75%
threshold).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from dashboard.cli import main
from dashboard.report.batch import run_batch
from tests.helpers import grid_region


def test_report_with_only_a_sweep(tiny_sweep: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "reports"
    code = main(["report", "--sweep", str(tiny_sweep), "--out", str(out), "--plotly-js", "shared"])
    assert code == 0
    printed = " ".join(capsys.readouterr().out.split())
    assert "Sweep tiny-sweep: 2 of 2 scenario(s) -> sweep-tiny-sweep.html" in printed
    index = (out / "index.html").read_text(encoding="utf-8")
    section = index[index.index("<h2>Sweeps</h2>") :]
    assert '<a href="sweep-tiny-sweep.html">tiny-sweep</a>' in section
    assert 'id="scenarios"' not in index  # no scenario table without scenarios
    cells = re.findall(r'<td class="num">([^<]*)', section)
    # 2 of 2 scenarios; C and D below 75% in 1 of 2 -> 50%; the best plan meets all need
    assert cells[:3] == ["2 of 2", "50%", "100%"]
    assert "C, D" in section and "low_income below 75%" in section
    page = (out / "sweep-tiny-sweep.html").read_text(encoding="utf-8")
    assert "<script src='plotly.min.js'></script>" in page and (out / "plotly.min.js").exists()
    assert page.count("plotly-graph-div") == 4
    assert "low_income areas most often below 75% of their need" in page
    assert "<td>C</td><td class='num'>1 of 2</td><td class='num'>50%</td>" in page
    (row,) = json.loads((out / "summary.json").read_text())["sweeps"]
    assert row["done"] == row["total"] == 2 and row["p_any_below"] == pytest.approx(0.5)
    assert row["areas_at_risk"] == ["C", "D"]


def test_report_with_scenarios_and_an_unfinished_sweep(tiny_sweep: Path, tmp_path: Path) -> None:
    root = tmp_path / "in"
    grid_region().to_dir(root / "city")
    (root / "cost.toml").write_text(
        'name = "Least cost"\nregion = "city"\nobjective = "cost"\n', encoding="utf-8"
    )
    half = tmp_path / "half"
    shutil.copytree(tiny_sweep, half)
    (half / "summary.json").unlink()
    sorted((half / "results").glob("part-*.parquet"))[-1].unlink()
    out = tmp_path / "reports"
    batch = run_batch([root / "cost.toml"], out, sweeps=[half])
    assert batch.ok
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'id="scenarios"' in index and "least-cost.html" in index
    assert "unfinished: 1 of 2 scenario(s) done" in index
    page = (out / "sweep-tiny-sweep.html").read_text(encoding="utf-8")
    assert "The figures show the scenarios that finished" in page and "--resume" in page


def test_report_with_a_folder_that_is_not_a_sweep(tmp_path: Path, capsys) -> None:
    out = tmp_path / "reports"
    code = main(["report", "--sweep", str(tmp_path), "--out", str(out)])
    assert code == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "not a sweep folder" in err and "sweep.json" in err
    assert not out.exists()  # nothing written

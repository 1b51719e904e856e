"""`foodshed analyze`: prints the summary and writes the areas atomically in each format."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from dashboard.cli import main
from equity import Region
from tests.helpers import grid3
from tests.helpers import grid_stores as stores


def region_folder(tmp_path: Path) -> Path:

    areas = grid3(urban=[True] * 9, poverty_rate=[0.25] + [0.05] * 8)
    s = stores((1500, 1500, "supermarket"), (500, 500, "convenience"))
    return Region.from_frames(areas, s, name="grid").to_dir(tmp_path / "grid")


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".csv", ".parquet"])
def test_analyze_writes_each_format(
    tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = region_folder(tmp_path)
    out = tmp_path / f"result{suffix}"
    assert main(["analyze", str(folder), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "LILATracts_halfAnd10" in text and "Food access in grid" in text
    if suffix == ".csv":
        back = pd.read_csv(out, dtype={"area_id": str})
    elif suffix == ".parquet":
        back = gpd.read_parquet(out)
    else:
        back = gpd.read_file(out)
    assert len(back) == 9 and "LAhalfand10" in back.columns
    summary = pd.read_csv(tmp_path / "result_summary.csv")
    assert summary.set_index("measure").loc["LAhalfand10", "areas"] == 8
    # no temporary files left behind; only the marker that says `analyze` wrote these files
    assert [p.name for p in tmp_path.glob(".result*")] == [f".result{suffix}.foodshed-output.json"]


def test_analyze_to_folder(tmp_path: Path) -> None:
    folder = region_folder(tmp_path)
    out = tmp_path / "analysis"
    assert main(["analyze", str(folder), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        ".foodshed-output.json",
        "areas.csv",
        "areas.gpkg",
        "inequality.csv",
        "summary.csv",
    ]


@pytest.mark.slow
def test_analyze_summary_by_group(tmp_path: Path) -> None:
    folder = region_folder(tmp_path)
    out = tmp_path / "r.csv"
    assert main(["analyze", str(folder), "--out", str(out), "--by", "LowIncomeTracts"]) == 0
    summary = pd.read_csv(tmp_path / "r_summary.csv")
    assert set(summary["group"]) == {"all", "LowIncomeTracts=False", "LowIncomeTracts=True"}
    assert main(["analyze", str(folder), "--by", "ward"]) == 1


def test_analyze_unknown_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = region_folder(tmp_path)
    assert main(["analyze", str(folder), "--out", str(tmp_path / "x.xlsx")]) == 1
    assert "unknown format '.xlsx'" in capsys.readouterr().err


def test_analyze_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(tmp_path / "nowhere")]) == 1
    assert "error" in capsys.readouterr().err


def test_analyze_says_where_low_income_came_from(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:

    from equity import LowIncomeStandInWarning

    # ids that are not GEOIDs and no reference income: the rule needs the announced stand-in
    areas = grid3(urban=[True] * 9, poverty_rate=[0.05] * 9, median_family_income=[60_000] * 9)
    s = stores((1500, 1500, "supermarket"))
    folder = Region.from_frames(areas, s, name="grid").to_dir(tmp_path / "grid")
    with pytest.warns(LowIncomeStandInWarning):
        assert main(["analyze", str(folder)]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "LowIncomeTracts (Atlas 2019 edition, ACS 2014-2018): 9 of 9 areas" in text
    assert "STAND-IN" in text

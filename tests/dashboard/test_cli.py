"""The command line: help for every subcommand, validate, and clean errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from dashboard.cli import app, main

ROOT = Path(__file__).resolve().parents[2]
SUBCOMMANDS = ["validate", "analyze", "allocate", "report", "dashboard", "demo"]


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([command, "--help"]) == 0
    assert "Usage" in capsys.readouterr().out


def test_registered_commands_match() -> None:
    names = {c.name or c.callback.__name__ for c in app.registered_commands}
    assert set(SUBCOMMANDS) <= names


def good_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "city"
    folder.mkdir()
    gpd.GeoDataFrame(
        {"area_id": ["1", "2"], "population": [5, 6]},
        geometry=[box(0, 0, 0.01, 0.01), box(0.01, 0, 0.02, 0.01)],
        crs=4326,
    ).to_file(folder / "areas.geojson", driver="GeoJSON")
    return folder


def test_validate_ok(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(good_folder(tmp_path))]) == 0
    assert "OK" in capsys.readouterr().out


def test_validate_lists_every_problem_and_exits_non_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = good_folder(tmp_path)
    (folder / "stores.csv").write_text(
        "store_id,kind,lon,lat\na,grocry,0.005,0.005\na,grocery,x,0.005\n"
    )
    assert main(["validate", str(folder)]) == 1
    out = capsys.readouterr()
    text = " ".join((out.out + out.err).split())
    assert "3 error(s)" in text
    for needle in ("stores.csv", "grocry", "Did you mean 'grocery'?", "duplicate", "not a number"):
        assert needle in text


@pytest.mark.slow
def test_missing_folder_is_one_clear_line_without_traceback(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "dashboard.cli", "validate", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "no such folder" in " ".join(proc.stderr.split())


@pytest.mark.slow
def test_debug_flag_shows_the_traceback(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "dashboard.cli", "--debug", "validate", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode != 0
    assert "Traceback" in proc.stderr


def test_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--frobnicate"]) == 2

"""Issue 12 through the command line: bad inputs end in one plain message, never the
"unexpected error" catch-all, and warnings about missing tables reach the printed output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard.cli import main

LON0, LAT0 = -80.00, 40.44


def region_folder(tmp_path: Path, *, stores: str | None = None, toml: str = "") -> Path:
    folder = tmp_path / "city"
    folder.mkdir()
    feats = []
    for i in range(2):
        x = LON0 + i * 0.01
        ring = [[x, LAT0], [x + 0.01, LAT0], [x + 0.01, LAT0 + 0.01], [x, LAT0 + 0.01], [x, LAT0]]
        feats.append(
            {
                "type": "Feature",
                "properties": {"area_id": f"a{i}", "population": 100},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    (folder / "areas.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": feats})
    )
    if stores is not None:
        (folder / "stores.csv").write_text(stores)
    if toml:
        (folder / "region.toml").write_text(toml)
    return folder


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Table cells on one line each, so that messages can be matched whole."""
    from dashboard import cli

    monkeypatch.setattr(cli.console, "width", 1000)
    monkeypatch.setattr(cli.err_console, "width", 1000)


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args)
    out = capsys.readouterr()
    text = " ".join((out.out + out.err).split())  # rich wraps long lines
    assert "unexpected error" not in text
    return code, text


def test_validate_a_store_at_0_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stores = (
        f"store_id,kind,lon,lat\ns1,supermarket,{LON0 + 0.005},{LAT0 + 0.005}\ns2,grocery,0,0\n"
    )
    code, text = run(["validate", str(region_folder(tmp_path, stores=stores))], capsys)
    assert code == 1
    assert "stores.csv" in text and "failed geocode" in text
    assert "1 error(s)" in text


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("provenance = 5\n", "provenance must be a table of notes"),
        ('[stores]\ncolumns = "kind"\n', "stores.columns must map names"),
        ("[stores]\nfile = 5\n", "stores.file must be a file name in quotes"),
    ],
    ids=["provenance", "columns", "file"],
)
def test_validate_bad_region_toml(tmp_path, capsys, toml: str, expected: str) -> None:
    code, text = run(["validate", str(region_folder(tmp_path, toml=toml))], capsys)
    assert code == 1
    assert "region.toml" in text and expected in text


def test_validate_and_analyze_warn_about_missing_stores(tmp_path, capsys) -> None:
    folder = region_folder(tmp_path)
    code, text = run(["validate", str(folder)], capsys)
    assert code == 0
    assert "warning" in text and "the region has no `stores` table: every area will count" in text
    code, text = run(["analyze", str(folder)], capsys)
    assert code == 0
    assert "warning: the region has no `stores` table" in text


def test_allocate_an_unknown_period(tmp_path, capsys) -> None:
    code, text = run(
        ["allocate", "demo", "--period", "monsoon", "--out", str(tmp_path / "o")], capsys
    )
    assert code == 1
    assert (
        "period 'monsoon' is not in this region; known periods: spring, summer, fall, winter"
        in (text)
    )
    assert not (tmp_path / "o").exists()


def test_allocate_a_binary_scenario_file(tmp_path, capsys) -> None:
    scenario = tmp_path / "s.toml"
    scenario.write_bytes(b"\x00\xbc\xff" * 20)
    code, text = run(["allocate", str(scenario), "--out", str(tmp_path / "o")], capsys)
    assert code == 1
    assert "s.toml: is not a text file" in text


def test_sweep_beyond_the_limit_is_refused_with_its_count(tmp_path, capsys) -> None:
    spec = tmp_path / "huge.toml"
    spec.write_text(
        "[base]\n[vary]\nbudget_usd = { start = 1, stop = 10000, num = 10000 }\n"
        "[random]\nyield_factor = { uniform = [0.5, 1.0] }\n[draw]\ncount = 1000000\n"
    )
    code, text = run(["sweep", str(spec), "--out", str(tmp_path / "out")], capsys)
    assert code == 1
    assert "the spec expands to 10,000,000,000 scenarios" in text
    assert "at most 100,000" in text
    assert not (tmp_path / "out").exists()

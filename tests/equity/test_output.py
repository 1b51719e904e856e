"""The output policy every command shares, the atomic swap with its clean-up of killed runs,
safe file names, and the one CSV writer that defuses spreadsheet formulas."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from equity import FoodshedError
from equity._atomic import _HOST, atomic_dir, atomic_path, clean_stale, clean_stale_in
from equity._csv import neutralise, neutralised, restore, write_csv
from equity._output import (
    MARKER,
    check_output_dir,
    check_output_files,
    open_output_dir,
    output_dir,
    output_files,
    safe_filename,
    unique_filenames,
)


# ------------------------------------------------------------------------------- CSV
@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Eastside Hub", "Eastside Hub"),
        ("a=b", "a=b"),
        (-2.5, -2.5),
        (None, None),
    ],
    ids=["equals", "plus", "minus", "at", "tab", "cr", "plain", "inner", "number", "none"],
)
def test_neutralise(cell: object, expected: object) -> None:
    assert neutralise(cell) == expected


def test_write_csv_defuses_text_and_keeps_numbers(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "site_name": ['=HYPERLINK("http://evil","x")', "Hub"],
            "kind": pd.Categorical(["@cmd", "hub"]),
            "value_per_unit": [-1.5, 2.0],
            "count": np.array([-3, 4]),
            "=bad": ["ok", "ok"],
        }
    )
    write_csv(frame, tmp_path / "t.csv")
    text = (tmp_path / "t.csv").read_text()
    assert text.splitlines()[0] == "site_name,kind,value_per_unit,count,'=bad"
    back = pd.read_csv(tmp_path / "t.csv")
    assert list(back["site_name"]) == ['\'=HYPERLINK("http://evil","x")', "Hub"]
    assert list(back["kind"]) == ["'@cmd", "hub"]
    assert list(back["value_per_unit"]) == [-1.5, 2.0] and list(back["count"]) == [-3, 4]
    assert frame.loc[0, "site_name"].startswith("=")  # the input is not modified
    assert list(neutralised(frame).columns)[-1] == "'=bad"


# ------------------------------------------------------------------------------- names
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../victim", "victim"),
        ("/etc/passwd", "etc-passwd"),
        ("..", "output"),
        (".hidden", "hidden"),
        ("a\\b", "a-b"),
        ("Café week 2", "Cafe-week-2"),
        ("CON", "CON_"),
        ("plan.v2", "plan.v2"),
    ],
    ids=["up", "absolute", "dotdot", "hidden", "backslash", "accents", "device", "dot"],
)
def test_safe_filename(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


def test_unique_filenames_never_collide_even_ignoring_case() -> None:
    assert unique_filenames(["a/b", "a b", "A-B", "x"], reserved=["x"]) == [
        "a-b",
        "a-b-2",
        "A-B-3",
        "x-2",
    ]


# ------------------------------------------------------------------------------- policy
def folder_with(path: Path, files: dict[str, str]) -> Path:
    """``path`` made a folder holding ``files`` (name to text): what was there before a write."""
    path.mkdir()
    for name, text in files.items():
        (path / name).write_text(text)
    return path


def test_fresh_and_empty_folders_are_fine(tmp_path: Path) -> None:
    assert check_output_dir(tmp_path / "new", command="report") == []
    (tmp_path / "empty").mkdir()
    assert check_output_dir(tmp_path / "empty", command="report") == []


def test_a_folder_of_other_files_is_refused_in_one_line(tmp_path: Path) -> None:
    out = folder_with(tmp_path / "mine", {"thesis.docx": "years of work"})
    with pytest.raises(FoodshedError, match=r"--out .*mine already holds files \(thesis.docx\)"):
        check_output_dir(out, command="analyze")
    with pytest.raises(FoodshedError) as info, output_dir(out, command="analyze") as tmp:
        (tmp / "x").write_text("new")
    assert "--force" in str(info.value) and "\n" not in str(info.value)
    assert (out / "thesis.docx").read_text() == "years of work"
    assert [p.name for p in tmp_path.iterdir()] == ["mine"]
    with output_dir(out, command="analyze", force=True) as tmp:
        (tmp / "x").write_text("new")
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "x"]


def test_an_earlier_output_of_the_same_command_is_replaced_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with output_dir(out, command="allocate") as tmp:
        (tmp / "a").mkdir()
        (tmp / "a" / "flows.csv").write_text("1")
        (tmp / "b.csv").write_text("2")
    marker = json.loads((out / MARKER).read_text())
    assert marker["command"] == "allocate" and marker["files"] == ["a/flows.csv", "b.csv"]
    assert check_output_dir(out, command="allocate") == ["a/flows.csv", "b.csv"]
    with pytest.raises(FoodshedError, match=r"the output of `foodshed allocate`.*--force"):
        check_output_dir(out, command="report")
    with output_dir(out, command="allocate") as tmp:
        (tmp / "c.csv").write_text("3")
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "c.csv"]
    (out / "notes.txt").write_text("added by hand")
    with pytest.raises(FoodshedError, match=r"also files it did not write \(notes.txt\)"):
        check_output_dir(out, command="allocate")


def test_a_file_never_becomes_a_folder(tmp_path: Path) -> None:
    f = tmp_path / "existing.txt"
    f.write_text("keep me")
    for force in (False, True):
        with (
            pytest.raises(FoodshedError, match=r"existing.txt is a file, not a folder"),
            output_dir(f, command="report", force=force),
        ):
            pass
    assert f.read_text() == "keep me"
    assert [p.name for p in tmp_path.iterdir()] == ["existing.txt"]


def test_the_current_folder_is_never_an_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inner = tmp_path / "work"
    inner.mkdir()
    monkeypatch.chdir(inner)
    for out in (".", str(tmp_path)):
        with pytest.raises(FoodshedError, match=r"(the current folder|holds the current one)"):
            check_output_dir(out, command="sweep", force=True)


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs Linux /proc")
def test_an_unwritable_place_is_refused_before_any_work() -> None:
    with pytest.raises(FoodshedError, match=r"--out /proc/x: cannot write to /proc"):
        check_output_dir("/proc/x", command="sweep")


def test_single_files_are_replaced_only_when_the_command_wrote_them(tmp_path: Path) -> None:
    main, side = tmp_path / "areas.gpkg", tmp_path / "areas_summary.csv"
    side.write_text("a user's file")
    with pytest.raises(FoodshedError, match=r"areas_summary.csv already exist.*--force"):
        check_output_files([main, side], command="analyze")
    assert side.read_text() == "a user's file"
    with output_files([main, side], command="analyze", force=True) as (t1, t2):
        t1.write_text("1")
        t2.write_text("2")
    assert (main.read_text(), side.read_text()) == ("1", "2")
    assert check_output_files([main, side], command="analyze") == [main, side]
    with pytest.raises(FoodshedError, match=r"did not write"):
        check_output_files([main, side], command="report")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".areas.gpkg.foodshed-output.json",
        "areas.gpkg",
        "areas_summary.csv",
    ]


def test_in_place_outputs_force_empties_a_foreign_folder(tmp_path: Path) -> None:
    out = folder_with(tmp_path / "sweep", {"old.txt": "x"})
    with pytest.raises(FoodshedError, match=r"--force"):
        open_output_dir(out, command="sweep")
    assert open_output_dir(out, command="sweep", force=True) == []
    assert [p.name for p in out.iterdir()] == [MARKER]
    (out / "results").mkdir()
    (out / "results" / "part-1.parquet").write_text("x")
    assert open_output_dir(out, command="sweep") == ["results/part-1.parquet"]


# ------------------------------------------------------------------------------- killed runs
def dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                          capture_output=True, text=True)  # fmt: skip
    return int(proc.stdout)


def test_temporaries_of_a_killed_writer_are_cleaned_by_the_next_write(tmp_path: Path) -> None:
    pid = dead_pid()
    stale_dir = folder_with(tmp_path / f".R.{_HOST}-{pid}-abcdef.tmp", {"half.html": "<html"})
    stale_file = tmp_path / f".a.csv.{_HOST}-{pid}-abcdef.tmp.csv"
    stale_file.write_text("x")
    live = tmp_path / f".R.{_HOST}-{os.getpid()}-abcdef.tmp"  # a writer that still runs
    live.mkdir()
    other_host = tmp_path / f".R.000000-{pid}-abcdef.tmp"  # another machine's, on a share
    other_host.mkdir()
    foreign = tmp_path / ".R.mkdtemp123.tmp"  # not ours
    foreign.mkdir()
    with atomic_dir(tmp_path / "R") as tmp:
        (tmp / "index.html").write_text("ok")
    with atomic_path(tmp_path / "a.csv") as tmp:
        tmp.write_text("a")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert stale_dir.name not in names and stale_file.name not in names
    assert {live.name, other_host.name, foreign.name, "R", "a.csv"} == set(names)


def test_a_swap_cut_short_is_put_back(tmp_path: Path) -> None:
    pid = dead_pid()
    # killed between the two renames
    old = folder_with(tmp_path / f".plans.{_HOST}-{pid}-abcdef.old", {"flows.csv": "previous plan"})
    assert clean_stale(tmp_path / "plans") == [old]
    assert (tmp_path / "plans" / "flows.csv").read_text() == "previous plan"
    old.mkdir()
    assert clean_stale_in(tmp_path) == [old] and not old.exists()  # target there: removed


def test_a_failed_write_leaves_the_previous_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with output_dir(out, command="report") as tmp:
        (tmp / "a.html").write_text("old")
    with pytest.raises(OSError, match="disk full"), output_dir(out, command="report") as tmp:
        (tmp / "a.html").write_text("new")
        raise OSError("disk full")
    assert (out / "a.html").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_restore_undoes_neutralise_exactly() -> None:
    cells = ["=1+1", "'=1+1", "''-x", "'tis", "plain", "-", "'", "", None, 3.0]
    assert [restore(neutralise(c)) for c in cells] == cells
    assert restore("'tis") == "'tis"  # a person's apostrophe is kept


def test_a_region_folder_defuses_formulas_and_reads_back_the_same(tmp_path: Path) -> None:
    import geopandas as gpd
    from shapely.geometry import Point, box

    from equity import Region

    evil = '=HYPERLINK("http://evil.example","Hub")'
    areas = gpd.GeoDataFrame(
        {"area_id": ["a"], "population": [10]}, geometry=[box(0, 0, 0.01, 0.01)], crs=4326
    )
    sites = gpd.GeoDataFrame(
        {"site_id": ["-s1"], "kind": ["hub"], "name": [evil]},
        geometry=[Point(0.005, 0.005)],
        crs=4326,
    )
    region = Region.from_frames(areas, sites=sites)
    region.to_dir(tmp_path / "r")
    raw = pd.read_csv(tmp_path / "r" / "sites.csv", dtype=str)
    assert list(raw["name"]) == [f"'{evil}"] and list(raw["site_id"]) == ["'-s1"]
    back = Region.from_dir(tmp_path / "r")
    assert list(back.sites["name"]) == [evil] and list(back.sites["site_id"]) == ["-s1"]


def test_outputs_from_before_the_marker_are_recognised_by_their_manifest(tmp_path: Path) -> None:
    plans = tmp_path / "plans"
    for d in ("a", "b"):
        (plans / d).mkdir(parents=True)
        for n in ("flows.csv", "kpis.json", "manifest.json"):
            (plans / d / n).write_text("{}")
    assert len(check_output_dir(plans, command="allocate")) == 6
    (plans / "a" / "notes.txt").write_text("mine")  # not something allocate writes
    with pytest.raises(FoodshedError, match="--force"):
        check_output_dir(plans, command="allocate")
    # some other program's manifest.json is not a plan
    web = folder_with(tmp_path / "web", {"manifest.json": "{}", "index.js": ""})
    with pytest.raises(FoodshedError, match=r"already holds files \(index.js, manifest.json\)"):
        check_output_dir(web, command="allocate")

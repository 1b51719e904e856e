"""``foodshed report``: a batch with one broken scenario, summary files, atomic re-runs."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from dashboard.cli import main
from tests.helpers import grid_region


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The grid city as a region folder, with two good scenarios and a broken one."""
    root = tmp_path_factory.mktemp("batch")
    grid_region().to_dir(root / "city")
    (root / "baseline.toml").write_text(
        'name = "Baseline"\nregion = "city"\nobjective = "cost"\n', encoding="utf-8"
    )
    (root / "outage.toml").write_text(
        'name = "Garden closed"\nregion = "city"\nobjective = "maxmin"\n'
        '[[shocks]]\nkind = "site_outage"\nsite_ids = ["g1"]\n',
        encoding="utf-8",
    )
    (root / "broken.toml").write_text(
        'name = "Broken"\nregion = "city"\nobjective = "fastest"\n', encoding="utf-8"
    )
    return root


def run(city: Path, out: Path, *names: str, extra: tuple[str, ...] = ()) -> int:
    return main(["report", *(str(city / n) for n in names), "--out", str(out), *extra])


def test_batch_goes_past_a_broken_scenario_and_exits_non_zero(
    city: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "reports"
    code = run(
        city,
        out,
        "baseline.toml",
        "broken.toml",
        "outage.toml",
        extra=("--baseline", str(city / "baseline.toml"), "--plotly-js", "shared"),
    )
    assert code == 1
    text = " ".join(capsys.readouterr().out.split())
    assert "FAILED" in text and "broken.toml" in text and "2 of 3 scenario(s)" in text

    summary = json.loads((out / "summary.json").read_text())
    assert summary["n_ok"] == 2 and summary["n_failed"] == 1
    (failed,) = summary["failed"]
    assert failed["path"].endswith("broken.toml")
    assert "objective" in failed["error"] and "fastest" in failed["error"]
    by_name = {s["name"]: s for s in summary["scenarios"]}
    assert by_name["Garden closed"]["status"] == "ok"
    assert by_name["Garden closed"]["report"] == "garden-closed.html"

    kpis = pd.read_csv(out / "kpis.csv")
    assert list(kpis["status"]) == ["ok", "failed", "ok"]
    assert kpis.loc[2, "need_met_share"] == pytest.approx(
        by_name["Garden closed"]["kpis"]["need_met_share"]
    )
    assert sorted(p.name for p in out.iterdir()) == [
        ".foodshed-output.json",
        "baseline.html",
        "garden-closed.html",
        "index.html",
        "kpis.csv",
        "plotly.min.js",
        "summary.json",
    ]
    page = (out / "garden-closed.html").read_text()
    assert 'id="comparison"' in page and "Compared with “Baseline”" in page
    assert "Scenario settings" in page and "<td>Transport budget</td><td>no limit</td>" in page
    assert "Site Elm Garden (g1) out of service for the period" in page
    assert 'id="comparison"' not in (out / "baseline.html").read_text()
    index = (out / "index.html").read_text()
    assert "broken" in index
    # column headings are the KPI catalogue's labels
    assert '<th class="num">Share of all need met</th>' in index
    assert "Worst-served reachable area: share of need met" in index


@pytest.mark.slow
def test_rerun_replaces_the_whole_set_and_says_so(
    city: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "reports"
    assert run(city, out, "baseline.toml", "outage.toml") == 0
    capsys.readouterr()
    assert run(city, out, "outage.toml") == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "Replaced the previous report set" in text
    assert not (out / "baseline.html").exists()  # the earlier set is replaced whole
    assert (out / "garden-closed.html").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp folders left
    # a file the user put into the set is not the command's to delete: refused, then --force
    (out / "my-notes.html").write_text("mine")
    assert run(city, out, "outage.toml") == 1
    err = capsys.readouterr().err
    assert "my-notes.html" in err and "--force" in err and "\n" not in err.strip()
    assert (out / "my-notes.html").read_text() == "mine"
    assert run(city, out, "outage.toml", extra=("--force",)) == 0
    assert not (out / "my-notes.html").exists()


def test_refuses_a_folder_it_did_not_write(city: Path, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    assert run(city, tmp_path, "outage.toml") == 1
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_missing_scenario_file_is_a_failed_scenario(city: Path, tmp_path: Path) -> None:
    out = tmp_path / "r"
    assert run(city, out, "nope.toml", "outage.toml") == 1
    summary = json.loads((out / "summary.json").read_text())
    assert "no such scenario file" in summary["failed"][0]["error"]

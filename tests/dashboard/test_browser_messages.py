"""What a person sees in a real headless Chromium when something is refused or fails (issue 15):
the marked number box, the plan that delivers nothing, the failed callback's alert, a file
that is not a zip. Uses the helpers of test_browser.py on its own server of the 3 x 3 town of
tests.helpers.town_region (need 1,800 kg; the Centre garden feeds its own block, 100 kg, at no
transport cost)."""

from __future__ import annotations

import pytest

from tests.dashboard import test_browser as B

pytestmark = B.pytestmark


@pytest.fixture(scope="module")
def session(tiny_region, tmp_path_factory):
    pytest.importorskip("selenium")
    from dashboard.app import Settings, create_app

    app = create_app(tiny_region, Settings(upload_dir=tmp_path_factory.mktemp("uploads")))
    with B.browsing(app, tmp_path_factory) as s:
        yield s


def _type(driver, box_id: str, text: str) -> None:
    from selenium.webdriver.common.keys import Keys

    box = B.wait(driver, lambda d: B.css(d, f"#{box_id}"))[0]
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.BACKSPACE)
    if text:
        box.send_keys(text)


def _shoot_top(session, name: str) -> None:
    """A screenshot of the top of the page (where the status line and alerts are)."""
    session["driver"].execute_script("window.scrollTo(0, 0)")
    B.shoot(session, name)


def _open_plan(session) -> None:
    d = session["driver"]
    B.nav(session, "Plan")
    B.wait(d, lambda d: B.css(d, "#pl-yield-kind div"))


def test_a_refused_distance_is_marked_next_to_its_box_and_the_plan_does_not_run(session):
    d = session["driver"]
    _open_plan(session)
    _type(d, "pl-max-dist", "0.1")
    B.wait(d, lambda d: "is-invalid" in B.css(d, "#pl-max-dist")[0].get_attribute("class"))
    feedback = B.css(d, "#pl-max-dist ~ .invalid-feedback")[0]
    assert feedback.is_displayed() and "from 0.5 to 500 km" in feedback.text
    B.click_css(d, "#pl-run")
    B.wait(d, lambda d: "The plan did not run" in B.text_of(d, "#pl-status"))
    assert not B.css(d, "#kpi-need_met_share")  # no run was made
    B.shoot(session, "plan-refused-distance")
    _type(d, "pl-max-dist", "8")
    B.wait(d, lambda d: "is-invalid" not in B.css(d, "#pl-max-dist")[0].get_attribute("class"))


def test_a_plan_that_delivers_nothing_says_why_and_its_report_downloads(session):
    d = session["driver"]
    _open_plan(session)
    _type(d, "pl-max-dist", "8")
    _type(d, "pl-budget", "0")
    B.choose(d, "pl-sites-off", "G1")
    B.click_css(d, "#pl-run")
    B.wait(d, lambda d: "Nothing was delivered" in B.text_of(d, "#pl-status"))
    status = B.text_of(d, "#pl-status")
    assert "the transport budget is $0" in status and "best plan" not in status
    assert B.text_of(d, "#kpi-need_met_share .fs-card-value") == "0.0%"
    assert not B.css(d, "#kpi-gini_fulfilment")
    _shoot_top(session, "plan-nothing-delivered")
    B.click_css(d, "#pl-dl-report")
    B.wait(d, lambda d: list(session["downloads"].glob("run-*-report.html")), 60)
    report = next(session["downloads"].glob("run-*-report.html"))
    B.wait(d, lambda d: report.stat().st_size > 10_000)


def test_a_failed_callback_shows_a_plain_alert(session, monkeypatch):
    from dashboard.app.pages import plan as plan_page

    def broken(*_a, **_k):
        raise ZeroDivisionError("float division by zero in /srv/app/solver.py")

    from dashboard.app.background import stop_jobs

    d = session["driver"]
    _open_plan(session)
    _type(d, "pl-budget", "")
    monkeypatch.setattr(plan_page, "solve_plan", broken)  # the server runs in this process
    stop_jobs(session["app"])  # the next job processes are forked with the broken solve
    try:
        B.click_css(d, "#pl-run")
        alert = B.wait(d, lambda d: B.text_of(d, "#app-alert"))
        assert "Something went wrong on the server" in alert
        assert "ZeroDivision" not in alert and "/srv" not in alert
        B.wait(d, lambda d: B.css(d, "#pl-run")[0].text == "Run the plan")  # usable again
        _shoot_top(session, "plan-failed-callback")
        B.nav(session, "Compare")  # the alert belongs to the page it happened on
        B.wait(d, lambda d: not B.css(d, "#app-alert"))
    finally:
        monkeypatch.undo()
        stop_jobs(session["app"])  # and the later tests' with the real one


def test_a_file_that_is_not_a_zip_is_refused_in_words(session, tmp_path):
    d = session["driver"]
    notes = tmp_path / "areas.csv"
    notes.write_text("area_id,population\na1,100\n")
    B.nav(session, "Data")
    upload = B.wait(d, lambda d: B.css(d, "#data-upload input[type=file]"))[0]
    upload.send_keys(str(notes))
    B.wait(d, lambda d: "refused" in B.text_of(d, "#data-status"))
    status = B.text_of(d, "#data-status")
    assert "areas.csv was refused" in status and "not a valid .zip file" in status
    _shoot_top(session, "data-not-a-zip")


def test_an_upload_over_the_limit_is_refused_by_the_browser_in_words(
    session, tiny_region, tmp_path
):
    """Over the limit, nothing is sent (the server would refuse the request before any
    callback could say why): the page says how big the file is and what the limit is."""
    from dashboard.app import Settings, create_app

    big = tmp_path / "big.zip"
    big.write_bytes(B._zip_folder(tiny_region.to_dir(tmp_path / "town")))
    size_mb = big.stat().st_size / 1e6
    app = create_app(tiny_region, Settings(upload_dir=tmp_path / "up", max_upload_mb=0.001))
    url, server = B.start_server(app)
    d = session["driver"]
    try:
        d.get(url + "/data")
        B.wait(d, lambda d: B.css(d, "#data-upload input[type=file]"))[0].send_keys(str(big))
        B.wait(d, lambda d: "refused" in B.text_of(d, "#data-status"))
        status = B.text_of(d, "#data-status")
        assert f"big.zip was refused: the upload is {size_mb:.1f} MB" in status
        assert "over the limit of 0.001 MB" in status
        assert not list((tmp_path / "up").glob("*"))  # nothing reached the server
    finally:
        server.shutdown()
        d.get(session["url"] + "/")

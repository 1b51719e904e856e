"""The Sweep page in a real headless Chromium: open it from the navbar, see the frontier.

Uses the server and browser helpers of test_browser.py, on its own server whose sweeps folder
holds the ``tiny_sweep`` fixture. A screenshot goes to $FOODSHED_SCREENSHOTS (or a pytest
temp folder) as ``sweep.png``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from . import test_browser as B

pytestmark = B.pytestmark


def test_sweep_page_shows_the_frontier(tiny_region, tiny_sweep, tmp_path_factory):
    pytest.importorskip("selenium")
    from dashboard.app import Settings, create_app, ids

    shots = Path(os.environ.get("FOODSHED_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    app = create_app(
        tiny_region,
        Settings(upload_dir=tmp_path_factory.mktemp("up"), sweeps_dir=str(tiny_sweep.parent)),
    )
    url, server = B.start_server(app)
    driver = B.make_driver()
    try:
        B.set_screen(driver)
        driver.get(url + "/data")
        B.wait(driver, lambda d: B.css(d, f"#{ids.NAV} a"))
        link = [a for a in B.css(driver, f"#{ids.NAV} a") if a.text == "Sweep"]
        assert link, "no Sweep link in the navbar"
        B.click(driver, link[0])
        names_js = (
            f"const g = document.querySelector('#{ids.SW_FRONTIER} .js-plotly-plot');"
            "return g && g.data ? g.data.map(t => t.name) : null;"
        )
        B.wait(driver, lambda d: d.execute_script(names_js) == ["scenarios", "frontier"])
        frontier_x = driver.execute_script(
            f"const g = document.querySelector('#{ids.SW_FRONTIER} .js-plotly-plot');"
            "return Array.from(g._fullData[1].x);"
        )
        assert frontier_x == [1]  # the full-yield plan meets all need and dominates
        B.wait(driver, lambda d: "1 of 2" in B.text_of(d, f"#{ids.SW_RISK}"))
        assert "finished: all 2 scenario(s) solved" in B.text_of(driver, f"#{ids.SW_STATUS}")
        assert "Efficiency and equity" in B.text_of(driver, f"#{ids.SW_FRONTIER}")
        driver.save_screenshot(str(shots / "sweep.png"))
        # a folder that is not a sweep gives an in-page message
        box = B.css(driver, f"#{ids.SW_FOLDER}")[0]
        box.send_keys(str(tmp_path_factory.mktemp("not-a-sweep")))
        B.click_css(driver, f"#{ids.SW_OPEN}")
        B.wait(driver, lambda d: "no sweep.json" in B.text_of(d, f"#{ids.SW_STATUS}"))
    finally:
        B.quit_driver(driver)
        server.shutdown()

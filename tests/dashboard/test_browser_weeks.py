"""The Plan page over weeks in a real headless Chromium, on the demo region.

The bundled four_weeks scenario (four summer weeks, moves between sites within 6 km, the
Eastside Food Hub H037 out in week 2; docs/optimize.md): the page plans all four weeks, and the
week slider shows each week's deliveries, moves between sites and cards. In week 2 the hub
delivers nothing and less need is met than in week 1. Uses the server and browser helpers of
test_browser.py; the screenshot (1440x900) goes to $FOODSHED_SCREENSHOTS or a temp folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from . import test_browser as B

pytestmark = [*B.pytestmark, pytest.mark.slow]

#: the four-week plan takes 15-30 s on a quiet 2-core machine; allow for a busy one
SOLVE_S = 600

_MAP = """
const g = document.querySelector('#pl-flows-map .js-plotly-plot');
if (!g || !g.data) return null;
const count = (tr) => (tr.text || []).filter((t) => t).length / 2;
const deliveries = g.data.filter((tr) => tr.legendgroup === 'flows');
const moves = g.data.filter((tr) => tr.legendgroup === 'transfers');
return {
  title: g.layout.title && g.layout.title.text,
  deliveries: deliveries.reduce((n, tr) => n + count(tr), 0),
  moves: moves.length ? count(moves[0]) : -1,
  moveColour: moves.length ? moves[0].line.color : null,
  deliveryColour: deliveries.length ? deliveries[0].line.color : null,
  fromHub: deliveries.flatMap((tr) => tr.text || []).filter((t) => t && t.startsWith('H037 to')).length,
};
"""


def _map(driver):
    return driver.execute_script(_MAP)


def _slide_to(driver, week):
    """Move the week slider to ``week`` with the keyboard (as a person can)."""
    from selenium.webdriver.common.keys import Keys

    handle = B.wait(driver, lambda d: B.css(d, "#pl-week [role=slider]"))[0]
    driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center'}); arguments[0].focus()", handle
    )
    handle.send_keys(Keys.HOME)
    for _ in range(week):
        handle.send_keys(Keys.ARROW_RIGHT)


def test_plan_over_weeks_with_the_slider(tmp_path_factory):
    pytest.importorskip("selenium")
    from dashboard.app import Settings, create_app
    from dashboard.services import bundled_scenarios_dir
    from equity import Region

    shots = Path(os.environ.get("FOODSHED_SCREENSHOTS") or tmp_path_factory.mktemp("shots"))
    shots.mkdir(parents=True, exist_ok=True)
    app = create_app(Region.demo(), Settings(upload_dir=tmp_path_factory.mktemp("up")))
    url, server = B.start_server(app)
    d = B.make_driver()
    try:
        B.set_screen(d, 1440, 900)
        d.get(url + "/plan")
        B.choose(d, "pl-scenario", str(bundled_scenarios_dir() / "four_weeks.toml"))
        B.wait(d, lambda d: B.css(d, "#pl-label")[0].get_attribute("value") == "four weeks")
        assert B.css(d, "#pl-weeks")[0].get_attribute("value") == "4"
        assert B.css(d, "#pl-max-transfer")[0].get_attribute("value") == "6"
        assert "in week 2" in B.text_of(d, "#pl-outage-weeks")
        # the week bar is hidden until a plan over weeks is shown
        assert not B.css(d, "#pl-week-box")[0].is_displayed()

        B.click_css(d, "#pl-run")
        B.wait(d, lambda d: B.text_of(d, "#kpi-spoiled_kg .fs-card-value"), SOLVE_S)
        assert "solved" in B.text_of(d, "#pl-status")
        assert B.text_of(d, "#kpi-need_met_share .fs-card-note") == "over the 4 weeks"
        assert B.css(d, "#pl-week-box")[0].is_displayed()
        whole = B.wait(d, lambda d: (m := _map(d)) and "all 4 weeks" in (m["title"] or "") and m)
        assert whole["moves"] > 0 and whole["fromHub"] > 0
        assert whole["moveColour"] != whole["deliveryColour"]  # moves are drawn apart

        _slide_to(d, 1)
        week1 = B.wait(d, lambda d: (m := _map(d)) and "week 1 of 4" in (m["title"] or "") and m)
        B.wait(d, lambda d: B.text_of(d, "#wk-need_met_share .fs-card-note") == "week 1")
        share1 = B.text_of(d, "#wk-need_met_share .fs-card-value")

        _slide_to(d, 2)
        week2 = B.wait(d, lambda d: (m := _map(d)) and "week 2 of 4" in (m["title"] or "") and m)
        B.wait(d, lambda d: B.text_of(d, "#wk-need_met_share .fs-card-note") == "week 2")
        share2 = B.text_of(d, "#wk-need_met_share .fs-card-value")
        # the hub is out in week 2: no delivery from it, fewer moves, less need met
        assert week1["fromHub"] > 0 and week2["fromHub"] == 0
        assert week2["moves"] != week1["moves"]
        assert float(share2.rstrip("%")) < float(share1.rstrip("%"))
        # the chart of stock and spoilage by week, the week shown picked out
        chart = B.wait(
            d,
            lambda d: d.execute_script(
                "const g = document.querySelector('#pl-weeks-chart .js-plotly-plot');"
                "return g && g.layout.meta && g.layout.meta.selected === 2 ? "
                "g.data.map((t) => t.name) : null;"
            ),
        )
        assert chart == [
            "Share of all need met",
            "Moved between sites (kg)",
            "Spoiled (kg)",
            "Stock left at the end (kg)",
        ]
        B.wait(d, lambda d: B.css(d, ".fs-map-wrap.fs-drawn") or True)
        d.execute_script("window.scrollTo(0, 0)")
        d.save_screenshot(str(shots / "plan-weeks.png"))
        # the whole page, the chart by week below the maps
        B.set_screen(d, 1440, 2400)
        d.save_screenshot(str(shots / "plan-weeks-page.png"))
    finally:
        B.quit_driver(d)
        server.shutdown()

"""Every page draws every figure with the partial plotly.js, in a real headless Chromium (issue 15).

plotly.js draws a trace whose type it does not know as an (empty) scatter trace, without an
error: the test opens the equity map, plan (after a run), compare and sweep pages on the tiny
region and checks, for every graph, that each trace was drawn as its own type, and that the page's
plotly.js is the partial bundle (it registers exactly the manifest's trace types). Uses the server
and browser helpers of test_browser.py; a screenshot of the equity page goes to
$FOODSHED_SCREENSHOTS (or a temp folder) as ``equity-partial-plotly.png``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dashboard.app import plotly_bundle

from . import test_browser as B

pytestmark = B.pytestmark

#: For every drawn graph: its id, the trace types asked for and those plotly.js drew.
_GRAPHS = """
return Array.from(document.querySelectorAll('.js-plotly-plot')).filter(function (g) {
  return g._fullData && g.data && g.data.length;
}).map(function (g) {
  var host = g.closest('[id]');
  return [host ? host.id : '', g.data.map(function (t) { return t.type || 'scatter'; }),
          g._fullData.map(function (t) { return t.type; })];
});
"""


def _check_graphs(driver, page: str, expect: set[str]) -> set[str]:
    """The trace types the page's graphs drew, once ``expect`` are among those asked for; each
    graph's traces drawn as the types asked for (a type the bundle lacks is drawn as scatter)."""
    B.wait(driver, lambda d: expect <= {t for g in d.execute_script(_GRAPHS) for t in g[1]}, 120)
    graphs = driver.execute_script(_GRAPHS)
    for gid, asked, drawn in graphs:
        assert sorted(asked) == sorted(drawn), f"{page}: graph {gid} drew {drawn} for {asked}"
    return {t for _, _, drawn in graphs for t in drawn}


def test_every_page_draws_its_figures_with_the_partial_bundle(
    tiny_region, tiny_sweep, tmp_path_factory
):
    pytest.importorskip("selenium")
    from dashboard.app import Settings, create_app, warm_up

    sweeps = str(tiny_sweep.parent)
    app = create_app(
        tiny_region, Settings(upload_dir=tmp_path_factory.mktemp("up"), sweeps_dir=sweeps)
    )
    warm_up(app)
    url, server = B.start_server(app)
    shots = Path(os.environ.get("FOODSHED_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    driver = B.make_driver()
    session = {"driver": driver, "url": url, "shots": shots}
    try:
        B.set_screen(driver)
        driver.get(url + "/")
        seen = _check_graphs(driver, "equity map", {"choroplethmap", "scattermap", "bar"})
        B.wait(driver, lambda d: B.css(d, "#eq-map .maplibregl-canvas"))
        registered = driver.execute_script("return Object.keys(Plotly.PlotSchema.get().traces)")
        assert set(registered) == set(plotly_bundle.TRACES)
        B.shoot(session, "equity-partial-plotly")

        B.nav(session, "Plan")
        B.click_css(driver, "#pl-run")
        B.wait(driver, lambda d: B.text_of(d, "#kpi-need_met_share .fs-card-value") == "75.0%")
        seen |= _check_graphs(driver, "plan", {"choroplethmap", "scattermap"})

        B.nav(session, "Compare")
        seen |= _check_graphs(driver, "compare", {"bar"})

        B.nav(session, "Sweep")
        seen |= _check_graphs(driver, "sweep", {"box", "scatter"})
        # every trace type in the bundle is one some page draws (no dead weight)
        assert seen == set(plotly_bundle.TRACES)
    finally:
        B.quit_driver(driver)
        server.shutdown()

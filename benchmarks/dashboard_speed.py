"""Dashboard speed in a real headless Chromium: first meaningful paint and a scenario re-run.

Usage::

    python benchmarks/dashboard_speed.py                 # the demo region
    python benchmarks/dashboard_speed.py --sessions 10   # 10 sessions press Run at once
    python benchmarks/dashboard_speed.py --objective cost
    python benchmarks/dashboard_speed.py --only paint --repeat 3 --baseline-ref main

Prints, for the bundled demo region:

- first meaningful paint (page requested in a fresh browser profile -> headline cards and
  legend shown; the map seen, as its picture or drawn; the interactive MapLibre map drawn, i.e.
  its canvas exists and plotly's ``plotly_afterplot`` fired) on a server started *cold*
  (region loaded on first request) and on one *warmed up* by :func:`dashboard.app.warm_up`
  (what ``foodshed dashboard`` does), and the ratio;
- a scenario re-run (click "Run the plan" -> new KPI numbers on screen and both maps drawn,
  whichever is later; the page waits for them itself, on the browser's clock, unless
  ``--poll`` asks for the first versions' Selenium polling), the time spent in ``solve_plan``
  (the solve) during it, and the page's overhead (the rest); and the bare
  ``optimize.allocate`` call with the same settings.

``--sessions N`` (``benchmarks/dashboard_sessions.py``): N sessions press Run the plan at the
same moment, each with a plan of its own (another site switched off), N headless Chromiums or
(``--client http``) N light clients; median and max click to KPI cards and the CPU per plan,
with background runs off (each plan solved in its web request: the baseline) and on (a process
per plan, the default since issue 15), in the same run; with ``--baseline-ref`` also the
background runs of that commit. ``--region allegheny --data SHARED_DIR``: Allegheny County
instead of the demo (its sites are chosen through the dropdown's search box).

``--baseline-ref REF`` also measures the dashboard as it is at git ``REF`` (exported with
``git archive`` to a temporary folder, run by this same script in a subprocess), alternating
baseline and current runs ``--repeat`` times, and prints medians and the ratios.

Needs Debian's chromium and chromium-driver. Loopback only.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: The repository, for the browser helpers of ``tests/browser.py`` (appended: with
#: ``--baseline-ref`` the code measured comes first on ``sys.path``, from ``PYTHONPATH``).
sys.path.append(str(Path(__file__).resolve().parents[1]))


def _server(app):
    from tests.browser import start_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    return start_server(app)


def _wait(d, pred, timeout=120):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(d, timeout, poll_frequency=0.05).until(pred)


def _css(d, sel):
    from selenium.webdriver.common.by import By

    return d.find_elements(By.CSS_SELECTOR, sel)


#: Installed before the page's own scripts: notes when plotly says the map has drawn.
_AFTERPLOT_HOOK = r"""
window.__fsAfterplot = null;
window.__fsWords = null;
window.__fsWordsSeen = false;
new MutationObserver(function () {
  if (!window.__fsWordsSeen && document.querySelector('#eq-legend strong')
      && document.querySelector('#eq-cards .fs-card-value')) {
    // the frame that paints them: requestAnimationFrame runs just before that paint
    window.__fsWordsSeen = true;
    requestAnimationFrame(function () { window.__fsWords = performance.now(); });
  }
  var gd = document.querySelector('#eq-map .js-plotly-plot');
  if (gd && gd.on && !gd.__fsBench) {
    gd.__fsBench = true;
    gd.on('plotly_afterplot', function () {
      // the map's, not that of the empty plot a graph shows before its figure arrives
      if (window.__fsAfterplot === null && gd.querySelector('.maplibregl-canvas'))
        window.__fsAfterplot = performance.now();
    });
  }
}).observe(document, {subtree: true, childList: true});
// when the map's picture was painted (Largest Contentful Paint entries carry render times)
window.__fsPicture = null;
new PerformanceObserver(function (list) {
  list.getEntries().forEach(function (e) {
    if (window.__fsPicture === null && e.element && e.element.classList.contains('fs-map-preview'))
      window.__fsPicture = e.renderTime || e.loadTime || e.startTime;
  });
}).observe({type: 'largest-contentful-paint', buffered: true});
"""


def _map_seen(d) -> bool:
    """The map is on screen: its picture (loaded, not hidden) or the MapLibre canvas."""
    return bool(
        d.execute_script(
            "var c = document.querySelector('#eq-map .maplibregl-canvas');"
            "if (c) return true;"
            "var i = document.querySelector('.fs-map-preview');"
            "return !!(i && i.complete && i.naturalWidth > 0 && i.offsetParent !== null);"
        )
    )


def _visit(d, url: str) -> dict[str, float]:
    """Seconds from the request to the words painted, the map seen and the map drawn.

    Times come from the browser, on the wall clock shared with Python (``performance.timeOrigin``
    + ``performance.now()`` against ``time.time()`` at the request), not from polling: a poll
    cannot run while plotly.js starts up (one 2-3 s task), so it would see what was painted
    just before that task only after it. Words: the frame that paints the cards and legend
    (``requestAnimationFrame``); the map seen: the picture's paint (Largest Contentful Paint) or
    the map drawn, whichever is first; the map drawn: ``plotly_afterplot`` with the canvas there.
    """
    t0 = time.time()
    d.get(url + "/")
    _wait(d, lambda d: _css(d, "#eq-legend strong") and _css(d, "#eq-cards .fs-card-value"))
    _wait(d, _map_seen)
    _wait(d, lambda d: _css(d, "#eq-map .maplibregl-canvas"))
    _wait(d, lambda d: d.execute_script("return window.__fsAfterplot !== null"))
    _wait(d, lambda d: d.execute_script("return window.__fsWords !== null"))
    origin, words, picture, drawn = d.execute_script(
        "return [performance.timeOrigin, window.__fsWords, window.__fsPicture,"
        " window.__fsAfterplot]"
    )

    def since(ms: float) -> float:
        return (origin + ms) / 1000.0 - t0

    seen = drawn if picture is None else min(picture, drawn)
    return {"words": since(words), "map_seen": since(seen), "map_drawn": since(drawn)}


#: Installed before the page's own scripts: the browser's long tasks (start, duration in ms).
_LONGTASK_HOOK = r"""
window.__fsLong = [];
new PerformanceObserver(function (list) {
  list.getEntries().forEach(function (e) { window.__fsLong.push([e.startTime, e.duration]); });
}).observe({type: 'longtask', buffered: true});
"""


def _plotly_stats(d) -> dict[str, float]:
    """plotly.js as the page got it: kB (uncompressed), and the browser's long tasks from its
    download's end to the map drawn (plotly.js's compile and start-up, then MapLibre's drawing):
    their total and the longest, in seconds. CPU work, not network: on this shared machine it
    grows with the load, but it does not depend on when the callbacks answered.
    """
    size, end, drawn, tasks = d.execute_script(
        "var r = performance.getEntriesByType('resource').filter(function (e) {"
        "  return e.name.indexOf('package_data/plotly') >= 0; })[0];"
        "return [r ? r.decodedBodySize : 0, r ? r.responseEnd : 0, window.__fsAfterplot,"
        " window.__fsLong || []];"
    )
    between = [dur for start, dur in tasks if end - 1.0 <= start <= drawn]
    return {
        "plotly_kb": size / 1e3,
        "plotly_busy": sum(between) / 1e3,
        "plotly_longest": max(between, default=0.0) / 1e3,
    }


def first_paint(region, *, warm: bool, partial_plotly: bool = True) -> dict[str, float]:
    """Seconds from the page request to: legend and cards; the map seen; the map drawn.

    On the warm server the page is then opened twice more in the same browser (a returning
    visitor: plotly.js comes from the browser's cache, compiled code too from the third visit).
    ``partial_plotly=False`` serves the full plotly.js (the baseline of ``--plotly-baseline``).
    """
    from dashboard.app import create_app, warm_up
    from dashboard.settings import Settings
    from tests.browser import make_driver, quit_driver

    # the default settings unless asked: --baseline-ref runs this on code without the setting
    app = create_app(region, None if partial_plotly else Settings(partial_plotly=False))
    if warm:
        warm_up(app)
    url, server = _server(app)
    d = make_driver()
    try:
        d.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _AFTERPLOT_HOOK})
        d.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _LONGTASK_HOOK})
        out = _visit(d, url)
        out.update(_plotly_stats(d))
        if warm:
            for n in (2, 3):
                time.sleep(1.0)
                out[f"visit{n}_map_drawn"] = _visit(d, url)["map_drawn"]
        return out
    finally:
        quit_driver(d)
        server.shutdown()


#: Installed before the page's own scripts: counts the bytes of the callbacks' requests/answers.
_BYTES_HOOK = r"""
window.__fsBytes = [0, 0];
(function () {
  var of = window.fetch;
  window.fetch = function (u, o) {
    if (o && typeof o.body === 'string') window.__fsBytes[0] += o.body.length;
    return of.apply(this, arguments).then(function (r) {
      r.clone().text().then(function (t) { window.__fsBytes[1] += t.length; });
      return r;
    });
  };
})();
"""


#: Installed before the page's own scripts: when each plan map last said it had drawn.
_MAPS_HOOK = r"""
window.__fsMapsDrawn = {};
new MutationObserver(function () {
  ['pl-flows-map', 'pl-fulfil-map'].forEach(function (id) {
    var gd = document.querySelector('#' + id + ' .js-plotly-plot');
    if (gd && gd.on && !gd.__fsMaps) {
      gd.__fsMaps = true;
      gd.on('plotly_afterplot', function () { window.__fsMapsDrawn[id] = performance.now(); });
    }
  });
}).observe(document, {subtree: true, childList: true});
"""


#: Clicks Run, then waits in the page (no polling from Selenium, whose every look costs the
#: browser CPU the solver and the maps need) until the KPI and the run's status line shown
#: changed (one site of Allegheny's 278 may leave the KPI as it was: the status names the new
#: run) and the button is back, then two painted frames; answers the seconds since the click
#: on the browser's clock.
_RUN_AND_WAIT = r"""
var button = arguments[0], first = arguments[1].trim(), done = arguments[arguments.length - 1];
function ready() {
  var btn = document.querySelector('#pl-run');
  return btn && !btn.disabled && window.__fsShown() !== first;
}
function finish() {
  requestAnimationFrame(function () {
    requestAnimationFrame(function () { done((performance.now() - window.__fsClick) / 1000); });
  });
}
var obs = new MutationObserver(function () { if (ready()) { obs.disconnect(); finish(); } });
obs.observe(document.body, {subtree: true, childList: true, characterData: true,
                            attributes: true, attributeFilter: ['disabled']});
window.__fsClick = performance.now();
button.click();
"""

#: Defines ``window.__fsShown()``: the KPI and the status line the Plan page shows ("" before
#: any run), to tell a new run's answer from the last one's.
_SHOWN = r"""
window.__fsShown = function () {
  var el = document.querySelector('#kpi-need_met_share .fs-card-value');
  var st = document.querySelector('#pl-status');
  return el ? (el.textContent + ' | ' + (st ? st.textContent : '')).trim() : '';
};
return window.__fsShown();
"""


def rerun(region, objective: str, runs_before: int = 1, *, poll: bool = False) -> dict[str, float]:
    """Seconds for a re-run in the page (click -> new KPIs, maps redrawn) and in ``solve_plan``.

    ``runs_before`` runs are made first (the session's store holds them); the timed re-run
    switches the first hub off. Also counts the kB the page sends and receives for it, and
    the time from the click to both maps' last ``plotly_afterplot`` (read from the browser's
    clock; plotly fires it for a map once MapLibre has drawn the new data). ``poll=True``
    waits as the first versions did: Selenium looks at the page every 50 ms meanwhile (each
    look costs the browser CPU time, 0.15-0.18 s per second on this machine).
    """
    import dashboard.app.pages.plan as plan_page
    from dashboard.app import create_app, warm_up
    from tests.browser import make_driver, quit_driver

    spent: list[float] = []
    real = plan_page.solve_plan

    def timed(*args, **kwargs):
        t = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - t)

    plan_page.solve_plan = timed
    app = create_app(region)
    warm_up(app)
    url, server = _server(app)
    d = make_driver()
    click = lambda el: d.execute_script("arguments[0].click()", el)  # noqa: E731
    try:
        d.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _BYTES_HOOK})
        d.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _MAPS_HOOK})
        d.get(url + "/plan")
        _wait(d, lambda d: _css(d, "#pl-objective"))
        if objective != "balanced":
            click(_css(d, "#pl-objective")[0])
            opt = _wait(d, lambda d: _css(d, f".dash-dropdown-option input[value='{objective}']"))
            d.execute_script("arguments[0].closest('label').click()", opt[0])
        for _ in range(max(runs_before, 1)):
            click(_css(d, "#pl-run")[0])
            _wait(d, lambda d: _css(d, "#kpi-need_met_share"))
            _wait(d, lambda d: not _css(d, "#pl-run")[0].get_attribute("disabled"))
        _wait(d, lambda d: _css(d, "#pl-fulfil-map .maplibregl-canvas"))
        first = d.execute_script(_SHOWN)
        # switch the first hub off and run again: the re-run that is timed
        _switch_off(d, region, _site_to_switch_off(region))
        time.sleep(1.0)  # let the page settle: the timed run starts from a quiet page
        spent.clear()
        d.execute_script("window.__fsBytes = [0, 0];")
        if poll:  # the first versions of this benchmark: Selenium polls the page meanwhile
            t0 = time.perf_counter()
            d.execute_script(
                "window.__fsClick = performance.now(); arguments[0].click()",
                _css(d, "#pl-run")[0],
            )

            def changed(d) -> bool:
                from selenium.common.exceptions import StaleElementReferenceException

                try:  # the cards are replaced while we read them: look again
                    return bool(
                        d.execute_script(_SHOWN) not in ("", first)
                        and not _css(d, "#pl-run")[0].get_attribute("disabled")
                    )
                except StaleElementReferenceException:
                    return False

            _wait(d, changed)
            _wait(d, lambda d: _css(d, "#pl-fulfil-map .maplibregl-canvas"))
            # both maps redrawn: wait for the browser to have painted two frames since
            d.execute_async_script(
                "var done = arguments[0];"
                "requestAnimationFrame(function () { requestAnimationFrame(done); });"
            )
            t_page = time.perf_counter() - t0
        else:  # the page watches itself: nothing else runs in the browser meanwhile
            d.set_script_timeout(120)
            t_page = d.execute_async_script(_RUN_AND_WAIT, _css(d, "#pl-run")[0], first)
        time.sleep(0.3)
        sent, got = d.execute_script("return window.__fsBytes")
        # both maps drawn after the click (a map the page did not redraw would never say so)
        _wait(
            d,
            lambda d: d.execute_script(
                "var m = window.__fsMapsDrawn;"
                "return m['pl-flows-map'] > window.__fsClick"
                " && m['pl-fulfil-map'] > window.__fsClick;"
            ),
            timeout=30,
        )
        # the solve as the status line says it ("... (0.9 s)."): a background job solves in
        # another process, where the timer around solve_plan does not see it
        said = re.search(r"\((\d+(?:\.\d+)?) s\)", _css(d, "#pl-status")[0].text)
        solve_s = sum(spent) if spent else float(said.group(1)) if said else float("nan")
        maps_drawn = d.execute_script(
            "var m = window.__fsMapsDrawn;"
            "return (Math.max(m['pl-flows-map'], m['pl-fulfil-map']) - window.__fsClick) / 1000;"
        )
    finally:
        plan_page.solve_plan = real
        quit_driver(d)
        server.shutdown()
    done = max(t_page, maps_drawn)
    return {
        "done": done,
        "page": t_page,
        "maps_drawn": maps_drawn,
        "run_plan": solve_s,
        "overhead": done - solve_s,
        "kb_sent": sent / 1e3,
        "kb_received": got / 1e3,
    }


def bare_allocate(region, objective: str) -> float:
    import optimize
    from optimize import SiteOutage

    hub = _site_to_switch_off(region)
    kwargs = {"objective": objective, "shocks": (SiteOutage(site_ids=(hub,)),)}
    if objective == "balanced":
        kwargs["equity_weight"] = 0.5
    if region.periods:
        kwargs["period"] = region.default_period
    t0 = time.perf_counter()
    optimize.allocate(region, **kwargs)
    return time.perf_counter() - t0


def payload(region) -> tuple[int, int]:
    """Bytes sent for a map redraw: the whole figure (baseline) and the patch the page sends."""
    import json

    import plotly
    import plotly.io as pio

    from dashboard.app import create_app, warm_up
    from dashboard.app.pages.equity_map import build_map, map_patch

    app = create_app(region)
    warm_up(app)
    cat = app.server.config["FOODSHED_CATALOG"]
    fig, _ = build_map(
        cat,
        None,
        "dist_supermarket_mi",
        "natural_breaks",
        5,
        "viridis",
        ["supermarket"],
        "white-bg",
    )
    patch = json.dumps(map_patch(fig).to_plotly_json(), cls=plotly.utils.PlotlyJSONEncoder)
    return len(pio.to_json(fig)), len(patch)


def _switch_off(d, region, site: str) -> None:
    """Tick ``site`` in the Plan page's "sites switched off" dropdown as a person would: open
    it, type the site's name in its search box and click the option. The dropdown renders only
    the options in view (Allegheny has 278 sites), so an option further down is found by
    searching, not by scrolling."""
    from selenium.webdriver.common.keys import Keys

    sites = region.sites
    row = sites.loc[sites["site_id"].astype(str) == site].iloc[0]
    name = row["name"] if "name" in sites.columns and isinstance(row["name"], str) else site
    d.execute_script("arguments[0].click()", _css(d, "#pl-sites-off")[0])
    box = _wait(d, lambda d: _css(d, ".dash-dropdown-content .dash-dropdown-search"))[0]
    box.send_keys(name)
    opt = _wait(d, lambda d: _css(d, f".dash-dropdown-option input[value='{site}']"))
    d.execute_script("arguments[0].closest('label').click()", opt[0])
    _wait(d, lambda d: site in str(d.execute_script(_SITES_OFF_VALUE)))
    box.send_keys(Keys.ESCAPE)  # close it: the page is as a person leaves it


#: The sites the dropdown shows as ticked (its trigger's text and the count of values).
_SITES_OFF_VALUE = (
    "return Array.from(document.querySelectorAll("
    "'.dash-dropdown-content .dash-dropdown-option[aria-selected=true] input'))"
    ".map(function (i) { return i.value; }).join(' ')"
)


def _site_to_switch_off(region) -> str:
    """The site a timed re-run switches off: the first hub, or a region without hubs (a real
    county's public lists) its first pantry."""
    sites = region.sites
    kind = "hub" if (sites["kind"] == "hub").any() else "pantry"
    return str(sites.loc[sites["kind"] == kind, "site_id"].iloc[0])


def load_region(name: str, data: str | None = None):
    """The region measured: the bundled demo, or Allegheny County built from the public data
    folder ``data`` (or ``$FOODSHED_SHARED_DATA``)."""
    from equity import Region

    if name == "demo":
        return Region.demo()
    from equity.sources import allegheny_region

    return allegheny_region(data)


def measure(
    only: str,
    objective: str,
    runs_before: int = 1,
    *,
    poll: bool = False,
    region: str = "demo",
    data: str | None = None,
) -> dict[str, float]:
    """One round of measurements of the code on ``sys.path`` (a flat dict of seconds)."""
    where = load_region(region, data)
    out: dict[str, float] = {}
    if only in ("all", "paint"):
        for name, warm in (("cold", False), ("warm", True)):
            for k, v in first_paint(where, warm=warm).items():
                out[f"paint_{name}_{k}"] = v
    if only in ("all", "rerun"):
        for k, v in rerun(where, objective, runs_before, poll=poll).items():
            out[f"rerun_{k}"] = v
    return out


_LABELS = {
    "paint_cold_words": "first paint, cold server: cards + legend",
    "paint_cold_map_seen": "first paint, cold server: map seen",
    "paint_cold_map_drawn": "first paint, cold server: interactive map drawn",
    "paint_warm_words": "first paint, warm server: cards + legend",
    "paint_warm_map_seen": "first paint, warm server: map seen",
    "paint_warm_map_drawn": "first paint, warm server: interactive map drawn",
    "paint_warm_visit2_map_drawn": "  same browser, 2nd visit: interactive map drawn",
    "paint_warm_visit3_map_drawn": "  same browser, 3rd visit: interactive map drawn",
    "paint_warm_plotly_kb": "  plotly.js fetched by the page, kB (uncompressed)",
    "paint_warm_plotly_busy": "  long tasks, plotly.js arrived to map drawn (total)",
    "paint_warm_plotly_longest": "  long tasks, plotly.js arrived to map drawn (longest)",
    "rerun_done": "re-run: click to new KPIs and both maps drawn",
    "rerun_page": "  new KPIs on screen (two frames painted)",
    "rerun_maps_drawn": "  both maps drawn (their last plotly_afterplot)",
    "rerun_run_plan": "re-run: of which run_plan (the solve)",
    "rerun_overhead": "re-run: page overhead (the rest)",
    "rerun_kb_sent": "re-run: kB the page sent (callback requests)",
    "rerun_kb_received": "re-run: kB the page received (callback answers)",
}


def _run_at(source: Path | None, what: dict) -> dict[str, float]:
    """:func:`measure` with the settings ``what`` in a fresh interpreter, on the code in
    ``source`` (None: this checkout)."""
    env = dict(os.environ)
    if source is not None:
        env["PYTHONPATH"] = str(source)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--json", "--only", what["only"]]
    cmd += ["--objective", what["objective"], "--runs-before", str(what["runs_before"])]
    cmd += ["--region", what["region"]]
    cmd += ["--poll"] if what["poll"] else []
    cmd += ["--data", what["data"]] if what["data"] else []
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        msg = f"the measurement at {source or 'this checkout'} failed:\n{proc.stderr[-3000:]}"
        raise RuntimeError(msg)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def compare(ref: str, *, repeat: int, what: dict) -> None:
    """Median figures of git ``ref`` (baseline) and this checkout, runs alternated; ``what``:
    the settings of :func:`measure`."""
    tmp = _git_tree(ref)
    try:
        runs: dict[str, list[dict[str, float]]] = {"base": [], "this": []}
        for i in range(repeat):
            for name, src in (("base", tmp), ("this", None)):
                res = _run_at(src, what)
                runs[name].append(res)
                load = os.getloadavg()[0]
                figs = ", ".join(f"{k} {v:.2f}" for k, v in res.items())
                print(f"[{i + 1}/{repeat}] {name} (load {load:.1f}): {figs}", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nmedians of {repeat} alternated runs; baseline = git {ref}, this = the working tree")
    print(f"{'':52s} {'baseline':>9s} {'this':>9s} {'ratio':>7s}")
    for key, label in _LABELS.items():
        if key not in runs["this"][0]:
            continue
        b = statistics.median(r[key] for r in runs["base"])
        t = statistics.median(r[key] for r in runs["this"])
        ratio = f"{b / t:.2f}x" if t > 0 else "-"
        unit = "" if key.endswith("_kb") or key.startswith("rerun_kb") else "s"
        print(f"{label:52s} {b:8.2f}{unit:1s} {t:8.2f}{unit:1s} {ratio:>7s}")
    print(f"load average now: {os.getloadavg()}")


def _git_tree(ref: str) -> Path:
    """The files of git ``ref``, exported to a temporary folder (remove it when done)."""
    repo = Path(__file__).resolve().parents[1]
    tmp = Path(tempfile.mkdtemp(prefix="foodshed-baseline-"))
    archive = subprocess.run(
        ["git", "-C", str(repo), "archive", ref], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(tmp)], input=archive, check=True)
    return tmp


def plotly_baseline(region, *, repeat: int) -> None:
    """First paint on a warm server with the full plotly.js (baseline) and the partial one.

    Both in this process and checkout (``Settings.partial_plotly``), runs alternated, medians.
    """
    labels = {k[len("paint_warm_") :]: v for k, v in _LABELS.items() if k.startswith("paint_warm")}
    runs: dict[str, list[dict[str, float]]] = {"full": [], "partial": []}
    for i in range(repeat):
        for name in ("full", "partial"):
            res = first_paint(region, warm=True, partial_plotly=name == "partial")
            runs[name].append(res)
            figs = ", ".join(f"{k} {v:.2f}" for k, v in res.items())
            print(f"[{i + 1}/{repeat}] {name} (load {os.getloadavg()[0]:.1f}): {figs}", flush=True)
    print(f"\nwarm server, medians of {repeat} alternated runs [range]; baseline = full plotly.js")
    print(f"{'':52s} {'full':>16s} {'partial':>16s} {'ratio':>7s}")
    for key, label in labels.items():
        b, t = ([r[key] for r in runs[n]] for n in ("full", "partial"))
        mb, mt = statistics.median(b), statistics.median(t)
        cells = [f"{m:.2f} [{min(v):.2f}-{max(v):.2f}]" for m, v in ((mb, b), (mt, t))]
        print(f"{label:52s} {cells[0]:>16s} {cells[1]:>16s} {mb / mt:6.2f}x")
    print(f"load average now: {os.getloadavg()}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--objective", default="balanced")
    ap.add_argument("--only", choices=("all", "paint", "rerun"), default="all")
    ap.add_argument("--repeat", type=int, default=1, help="rounds (medians are printed)")
    ap.add_argument(
        "--runs-before", type=int, default=1, help="runs in the session before the timed re-run"
    )
    ap.add_argument("--baseline-ref", metavar="REF", help="also measure git REF, alternating")
    ap.add_argument(
        "--poll",
        action="store_true",
        help="time the re-run as the first versions did (Selenium polls the page meanwhile)",
    )
    ap.add_argument(
        "--sessions",
        type=int,
        metavar="N",
        help="N sessions press Run at once: click to KPIs with background runs off (baseline) "
        "and on (diskcache), in this run",
    )
    ap.add_argument(
        "--client",
        choices=("chromium", "http"),
        default="chromium",
        help="with --sessions: N Chromiums (they draw the answers on this machine's cores too), "
        "or N light HTTP clients replaying the page's request (the server's share only)",
    )
    ap.add_argument(
        "--region",
        choices=("demo", "allegheny"),
        default="demo",
        help="the bundled demo, or Allegheny County from the public data (--data)",
    )
    ap.add_argument(
        "--data",
        metavar="SHARED_DIR",
        help="the public data folder for --region allegheny (default: $FOODSHED_SHARED_DATA)",
    )
    ap.add_argument("--modes", default="off,diskcache", help=argparse.SUPPRESS)
    ap.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument(
        "--allegheny", metavar="SHARED_DIR", help="also measure map payloads on Allegheny County"
    )
    ap.add_argument(
        "--plotly-baseline",
        action="store_true",
        help="first paint (warm) with the full plotly.js against the partial one, alternating",
    )
    args = ap.parse_args()
    if args.plotly_baseline:
        from equity import Region

        plotly_baseline(Region.demo(), repeat=args.repeat)
        return
    # what one round measures: the same for the round of --json, compare()'s and the rounds below
    keys = ("only", "objective", "runs_before", "poll", "region", "data")
    what = {k: getattr(args, k) for k in keys}
    if args.sessions:  # ten sessions at once: benchmarks/dashboard_sessions.py
        from dashboard_sessions import _said, compare_sessions, sessions, sessions_http
    if args.json and args.sessions:  # one round of sessions, for compare_sessions()
        run = sessions if args.client == "chromium" else sessions_http
        region = load_region(args.region, args.data)
        print(json.dumps({m: run(args.sessions, m, region) for m in args.modes.split(",")}))
        return
    if args.json:  # one round, for compare()
        print(json.dumps(measure(**what)))
        return
    if args.baseline_ref and args.sessions:
        compare_sessions(args.baseline_ref, args)
        return
    if args.baseline_ref:
        compare(args.baseline_ref, repeat=args.repeat, what=what)
        return

    region = load_region(args.region, args.data)
    print(f"region: {region!r}; load average {os.getloadavg()}")
    if args.sessions:
        for _ in range(args.repeat):
            for mode in ("off", "diskcache"):
                run = sessions if args.client == "chromium" else sessions_http
                res = run(args.sessions, mode, region)
                print(f"{args.sessions} {args.client} sessions, background={mode}: {_said(res)}")
        return
    if args.only == "all":
        regions = [("demo", region)]
        if args.allegheny:
            from equity import allegheny_region

            regions.append(("Allegheny", allegheny_region(args.allegheny)))
        for name, r in regions:
            full, patch = payload(r)
            print(
                f"map redraw payload, {name} ({len(r.areas)} areas): whole figure (baseline) "
                f"{full / 1e3:,.0f} kB, patch {patch / 1e3:,.0f} kB, ratio {full / patch:.1f}x"
            )
    rounds = [measure(**what) for _ in range(args.repeat)]
    med = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
    for key, label in _LABELS.items():
        if key in med:
            each = ", ".join(f"{r[key]:.2f}" for r in rounds)
            unit = "kB" if key.endswith("_kb") or key.startswith("rerun_kb") else "s"
            print(f"{label:52s} {med[key]:6.2f} {unit}  ({each})")
    if "paint_warm_map_drawn" in med:
        ratio = med["paint_cold_map_drawn"] / med["paint_warm_map_drawn"]
        print(f"  ratio cold / warm (interactive map drawn): {ratio:.2f}x")
    if "rerun_done" in med:
        bare = bare_allocate(region, args.objective)
        print(f"bare optimize.allocate, same scenario (baseline): {bare:.2f} s")
        print(f"  page / bare: {med['rerun_done'] / bare:.2f}x")
    print(f"load average now: {os.getloadavg()}")


if __name__ == "__main__":
    main()

"""Dashboard speed in a real headless Chromium: first meaningful paint and a scenario re-run.

Usage::

    python benchmarks/dashboard_speed.py                 # the demo region
    python benchmarks/dashboard_speed.py --objective cost

Prints, for the bundled demo region:

- first meaningful paint (page requested -> headline cards, map legend and map canvas drawn)
  on a server started *cold* (region loaded on first request: the baseline) and on one
  *warmed up* by :func:`dashboard.app.warm_up` (what ``foodshed dashboard`` does), and the ratio;
- a scenario re-run (click "Run the plan" -> new KPI numbers on screen) against the bare
  ``optimize.allocate`` call with the same settings (the baseline), and the dashboard's overhead.

Needs Debian's chromium and chromium-driver. Loopback only.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import tempfile
import threading
import time
import urllib.request


def _server(app):
    from werkzeug.serving import make_server

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = make_server("127.0.0.1", port, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(url + "/_dash-layout", timeout=1).read()
            break
        except OSError:
            time.sleep(0.05)
    return url, server


def _driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    profile = tempfile.mkdtemp(prefix="foodshed-bench-")
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--enable-unsafe-swiftshader",
        f"--user-data-dir={profile}",
        "--window-size=1440,900",
    ):
        opts.add_argument(arg)
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    return d, profile


def _wait(d, pred, timeout=120):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(d, timeout, poll_frequency=0.05).until(pred)


def _css(d, sel):
    from selenium.webdriver.common.by import By

    return d.find_elements(By.CSS_SELECTOR, sel)


def first_paint(region, *, warm: bool) -> tuple[float, float]:
    """Seconds to (server answered the map callback, map canvas + legend + cards shown)."""
    from dashboard.app import create_app, warm_up

    app = create_app(region)
    if warm:
        warm_up(app)
    url, server = _server(app)
    d, profile = _driver()
    try:
        t0 = time.perf_counter()
        d.get(url + "/")
        _wait(d, lambda d: _css(d, "#eq-legend strong"))
        t_legend = time.perf_counter() - t0
        _wait(d, lambda d: _css(d, "#eq-cards .fs-card-value"))
        _wait(d, lambda d: _css(d, "#eq-map .maplibregl-canvas"))
        return t_legend, time.perf_counter() - t0
    finally:
        d.quit()
        shutil.rmtree(profile, ignore_errors=True)
        server.shutdown()


def rerun(region, objective: str) -> tuple[float, float]:
    """Seconds for a re-run in the page (click -> new KPIs), and for the bare allocate call."""
    import optimize
    from dashboard.app import create_app, warm_up
    from optimize import SiteOutage

    app = create_app(region)
    warm_up(app)
    url, server = _server(app)
    d, profile = _driver()
    click = lambda el: d.execute_script("arguments[0].click()", el)  # noqa: E731
    try:
        d.get(url + "/plan")
        _wait(d, lambda d: _css(d, "#pl-objective"))
        if objective != "balanced":
            click(_css(d, "#pl-objective")[0])
            opt = _wait(d, lambda d: _css(d, f".dash-dropdown-option input[value='{objective}']"))
            d.execute_script("arguments[0].closest('label').click()", opt[0])
        click(_css(d, "#pl-run")[0])
        _wait(d, lambda d: _css(d, "#kpi-need_met_share"))
        first = _css(d, "#kpi-need_met_share .fs-card-value")[0].text
        # switch the first hub off and run again: the re-run that is timed
        click(_css(d, "#pl-sites-off")[0])
        hub = region.sites.loc[region.sites["kind"] == "hub", "site_id"].iloc[0]
        opt = _wait(d, lambda d: _css(d, f".dash-dropdown-option input[value='{hub}']"))
        d.execute_script("arguments[0].closest('label').click()", opt[0])
        t0 = time.perf_counter()
        click(_css(d, "#pl-run")[0])

        def changed(d) -> bool:
            from selenium.common.exceptions import StaleElementReferenceException

            try:  # the cards are replaced while we read them: look again
                el = _css(d, "#kpi-need_met_share .fs-card-value")
                return bool(
                    el
                    and el[0].text != first
                    and not _css(d, "#pl-run")[0].get_attribute("disabled")
                )
            except StaleElementReferenceException:
                return False

        _wait(d, changed)
        _wait(d, lambda d: _css(d, "#pl-fulfil-map .maplibregl-canvas"))
        t_page = time.perf_counter() - t0
    finally:
        d.quit()
        shutil.rmtree(profile, ignore_errors=True)
        server.shutdown()
    kwargs = {"objective": objective, "shocks": (SiteOutage(site_ids=(hub,)),)}
    if objective == "balanced":
        kwargs["equity_weight"] = 0.5
    if region.periods:
        kwargs["period"] = region.default_period
    t0 = time.perf_counter()
    optimize.allocate(region, **kwargs)
    return t_page, time.perf_counter() - t0


def payload(region) -> tuple[int, int]:
    """Bytes sent for a map redraw: the whole figure (baseline) and the patch the page sends."""
    import json

    import plotly
    import plotly.io as pio

    from dashboard.app import create_app, warm_up
    from dashboard.pages.equity_map import build_map, map_patch

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


def main() -> None:
    from equity import Region

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--objective", default="balanced")
    ap.add_argument(
        "--allegheny", metavar="SHARED_DIR", help="also measure map payloads on Allegheny County"
    )
    args = ap.parse_args()
    region = Region.demo()
    print(f"region: {region!r}")
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
    cold = first_paint(region, warm=False)
    warm = first_paint(region, warm=True)
    print(
        f"first meaningful paint, cold server (baseline): legend {cold[0]:.2f} s, map {cold[1]:.2f} s"
    )
    print(
        f"first meaningful paint, warmed-up server:       legend {warm[0]:.2f} s, map {warm[1]:.2f} s"
    )
    print(f"  ratio cold / warm (map drawn): {cold[1] / warm[1]:.2f}x")
    page, bare = rerun(region, args.objective)
    print(
        f"scenario re-run ({args.objective}, a hub switched off), click to new KPIs and map: {page:.2f} s"
    )
    print(f"  bare optimize.allocate, same scenario (baseline): {bare:.2f} s")
    print(f"  dashboard overhead: {page - bare:+.2f} s, ratio {page / bare:.2f}x")


if __name__ == "__main__":
    main()

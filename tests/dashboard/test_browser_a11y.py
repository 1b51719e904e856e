"""Accessibility of every dashboard page, checked by axe-core in a real headless Chromium.

axe-core (Deque Systems, MPL-2.0) is vendored in ``tests/dashboard/vendor/axe-core/`` with its
licence (see the README there); it is injected into each page and run there. Every page (Equity
map, Plan after a run, Compare, Data, Sweep) is checked on the 3 x 3 town of
``tests.helpers.town_region`` at 1440x900 and 390x844 (a phone); a violation of impact "serious"
or "critical" fails. Beside axe: the page's language, one h1 per page, names of the charts and
maps, the keyboard's way past the charts' tool bars, and the phone layout (a collapsed navbar,
the cards within the first screen, the legend under the map).

Uses the server and browser helpers of test_browser.py, on its own server whose sweeps folder
holds the ``tiny_sweep`` fixture. Screenshots of each page at both sizes go to
$FOODSHED_SCREENSHOTS (or a pytest temp folder) as ``a11y-PAGE-WxH.png``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from . import test_browser as B

pytestmark = B.pytestmark

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
PHONE = (390, 844)
DESKTOP = (1440, 900)
PAGES = ("Equity map", "Plan", "Compare", "Data", "Sweep")


@pytest.fixture(scope="module")
def a11y(tiny_region, tiny_sweep, tmp_path_factory):
    pytest.importorskip("selenium")
    from dashboard.app import Settings, create_app, warm_up

    app = create_app(
        tiny_region,
        Settings(upload_dir=tmp_path_factory.mktemp("up"), sweeps_dir=str(tiny_sweep.parent)),
    )
    warm_up(app)
    shots = Path(os.environ.get("FOODSHED_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    url, server = B.start_server(app)
    driver = B.make_driver()
    try:
        yield {"driver": driver, "url": url, "shots": shots}
    finally:
        B.quit_driver(driver)
        server.shutdown()


def set_size(driver, size: tuple[int, int]) -> None:
    width, height = size
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )


def axe_violations(driver, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core on the page as it is now; the violations of the given impacts."""
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(AXE.read_text(encoding="utf-8"))
    driver.set_script_timeout(60)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => done(r.violations)).catch(e => done({error: String(e)}));"
    )
    assert not isinstance(result, dict), result
    return [v for v in result if v["impact"] in impacts]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        targets = [n["target"] for n in v["nodes"][:5]]
        lines.append(f"{v['impact']} {v['id']}: {v['help']} ({len(v['nodes'])} nodes) {targets}")
    return "\n".join(lines)


HREF = {"Plan": "/plan", "Compare": "/compare", "Data": "/data", "Sweep": "/sweep"}


def open_page(a11y, name: str) -> None:
    """Open ``name`` from the navbar and wait until it has drawn: the Plan page after a run,
    Compare after two (the second with the Eastside hub off)."""
    from dashboard.app import ids

    d = a11y["driver"]
    d.get(a11y["url"] + "/")
    B.wait(d, lambda d: B.css(d, f"#{ids.NAV} a"))
    if name != "Equity map":
        B.wait(d, lambda d: B.css(d, "#eq-map .js-plotly-plot"))
    if name == "Compare":
        open_page_runs(d)
    if name != "Equity map":
        B.click(d, B.css(d, f"#{ids.NAV} a[href='{HREF[name]}']")[0])
    ready = {
        "Equity map": lambda d: B.css(d, ".fs-map-wrap.fs-drawn"),
        "Plan": lambda d: B.css(d, f"#{ids.PL_RUN}"),
        "Compare": lambda d: B.css(d, "#cmp-runs"),
        "Data": lambda d: B.css(d, "#data-upload"),
        "Sweep": lambda d: "finished" in B.text_of(d, f"#{ids.SW_STATUS}"),
    }[name]
    B.wait(d, ready)
    if name == "Compare":
        B.wait(d, lambda d: "41.7%" in B.text_of(d, f"#{ids.CMP_KPI_TABLE}"))
        B.wait(
            d,
            lambda d: d.execute_script(
                f"const g = document.querySelector('#{ids.CMP_GAINS_MAP} .js-plotly-plot');"
                "return g && g.data && g.data.length > 0;"
            ),
        )
    if name == "Plan":
        B.click_css(d, f"#{ids.PL_RUN}")
        B.wait(d, lambda d: B.text_of(d, "#kpi-need_met_share .fs-card-value") == "75.0%")
        B.wait(d, lambda d: B.graph_meta(d, "pl-fulfil-map") is not None)
    # the charts' names are set once plotly has drawn them
    B.wait(
        d,
        lambda d: d.execute_script(
            "return Array.from(document.querySelectorAll('.js-plotly-plot'))"
            ".every(g => g.getAttribute('aria-label'))"
        ),
    )


def open_page_runs(d) -> None:
    """Two runs on the Plan page (75.0% of need met, then 41.7% without the Eastside hub)."""
    from dashboard.app import ids

    B.click(d, B.css(d, f"#{ids.NAV} a[href='/plan']")[0])
    for off, share in ((None, "75.0%"), ("H2", "41.7%")):
        if off:
            B.choose(d, ids.PL_SITES_OFF, off)
        B.click_css(d, f"#{ids.PL_RUN}")
        B.wait(d, lambda d, s=share: B.text_of(d, "#kpi-need_met_share .fs-card-value") == s)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("name", PAGES)
def test_no_serious_axe_violations(a11y, name, size):
    d = a11y["driver"]
    set_size(d, size)
    open_page(a11y, name)
    B.shoot(a11y, f"a11y-{name.lower().replace(' ', '-')}-{size[0]}x{size[1]}")
    found = axe_violations(d)
    assert not found, describe(found)


@pytest.mark.parametrize("name", PAGES)
def test_language_heading_and_names(a11y, name):
    d = a11y["driver"]
    set_size(d, DESKTOP)
    open_page(a11y, name)
    assert d.execute_script("return document.documentElement.lang") == "en"
    h1 = d.execute_script(
        "return Array.from(document.querySelectorAll('h1')).map(h => h.textContent)"
    )
    assert len(h1) == 1 and h1[0].strip()
    # every chart and map has a name (its title), every slider thumb and form field a label
    names = d.execute_script(
        "return Array.from(document.querySelectorAll('.js-plotly-plot'))"
        ".map(g => [g.getAttribute('role'), g.getAttribute('aria-label'), g.data.length])"
    )
    assert len(names) == {"Data": 0, "Equity map": 3, "Plan": 5, "Compare": 4, "Sweep": 3}[name]
    # named by its title, or an empty one (Compare before two runs) by its note
    # ("Run at least two plans..."); "Chart" is the last resort of foodshed-a11y.js
    assert all(
        role == "figure" and label and label != "Chart" and (traces or label != "Empty chart")
        for role, label, traces in names
    ), names
    unnamed = d.execute_script(
        "const els = document.querySelectorAll("
        "'[role=slider], input:not([type=hidden]):not([aria-hidden=true]), [role=combobox]');"
        "return Array.from(els).filter(e => !(e.getAttribute('aria-label') ||"
        " e.getAttribute('aria-labelledby') || (e.labels && e.labels.length) ||"
        " e.closest('label'))).map(e => e.outerHTML.slice(0, 120));"
    )
    assert not unnamed, json.dumps(unnamed, indent=1)


def tab_stops(driver, limit: int = 400) -> list[str]:
    """Tab from the top of the page; a short description of each element focused."""
    from selenium.webdriver.common.keys import Keys

    driver.execute_script("document.activeElement && document.activeElement.blur();")
    body = driver.find_element("css selector", "body")
    body.send_keys(Keys.TAB)
    seen: list[str] = []
    for _ in range(limit):
        here = driver.execute_script(
            "const e = document.activeElement;"
            "return e === document.body ? null : (e.id || e.className.baseVal || e.className ||"
            " e.tagName) + '|' + (e.getAttribute('data-title') || e.textContent || '').slice(0, 40)"
        )
        if here is None or (seen and here == seen[0]):
            break
        seen.append(here)
        driver.switch_to.active_element.send_keys(Keys.TAB)
    return seen


def test_keyboard_reaches_the_downloads_past_the_charts(a11y):
    """On the Plan page, Tab goes from Run to the downloads past one tool bar stop per chart
    (its PNG download), not the tool bars' dozens of buttons."""
    from dashboard.app import ids

    d = a11y["driver"]
    set_size(d, DESKTOP)
    open_page(a11y, "Plan")
    stops = tab_stops(d)
    run = next(i for i, s in enumerate(stops) if s.startswith("pl-run|"))
    flows = next(i for i, s in enumerate(stops) if s.startswith("pl-dl-flows|"))
    between = stops[run + 1 : flows]
    bar = [s for s in between if "modebar" in s]
    charts = d.execute_script(  # the charts shown (the chart by week hides for one week)
        "return [...document.querySelectorAll('.js-plotly-plot')]"
        ".filter(e => e.offsetParent !== null).length"
    )
    assert charts == 4
    assert len(bar) == charts, between
    assert all("Download plot as a PNG" in s for s in bar), bar
    # the controls before Run are reached, each once: the dropdowns (Dash's helper input hands
    # the focus to the dropdown's button), the sliders' thumbs and the number boxes
    before = [s.split("|")[0] for s in stops[:run]]
    for field in (ids.PL_SCENARIO, ids.PL_OBJECTIVE, ids.PL_SITES_OFF, ids.PL_SURGE_AREAS):
        assert before.count(field) == 1, (field, " ; ".join(stops[:run]))
    for field in (ids.PL_BUDGET, ids.PL_MAX_DIST, ids.PL_SURGE_PCT, ids.PL_LABEL):
        assert before.count(field) == 1, (field, " ; ".join(stops[:run]))
    assert before.count("dash-slider-thumb dash-slider-thumb-1") == 3  # weight, two yields
    # a dropdown's button says its label, then its value
    said = d.execute_script(
        "const b = document.getElementById(arguments[0]);"
        "return b.getAttribute('aria-labelledby').split(' ')"
        ".map(i => document.getElementById(i)).filter(e => e).map(e => e.textContent);",
        ids.PL_OBJECTIVE,
    )
    assert said[0] == "Goal" and said[-1].startswith("Balance"), said


@pytest.mark.parametrize("name", ["Equity map", "Plan"])
def test_phone_layout(a11y, name):
    """At 390x844 the navbar is one toggler, the first cards are on the first screen, and the
    map's legend is under the map, not over it (its colour bar slim at its side)."""
    from dashboard.app import ids

    d = a11y["driver"]
    set_size(d, PHONE)
    open_page(a11y, name)
    links = B.css(d, f"#{ids.NAV} a")
    assert links and not any(a.is_displayed() for a in links)
    toggler = B.css(d, ".navbar-toggler")[0]
    assert toggler.is_displayed() and toggler.get_attribute("aria-label")
    bar = d.execute_script("return document.querySelector('.fs-navbar').offsetHeight")
    assert bar < 80
    B.click(d, toggler)
    B.wait(d, lambda d: all(a.is_displayed() for a in B.css(d, f"#{ids.NAV} a")))
    B.click(d, toggler)
    B.wait(d, lambda d: not any(a.is_displayed() for a in B.css(d, f"#{ids.NAV} a")))

    cards = "#eq-cards .fs-card-value" if name == "Equity map" else "#pl-kpis .fs-card-value"
    top = d.execute_script(
        f"return document.querySelector('{cards}').getBoundingClientRect().top + window.scrollY"
    )
    assert top < PHONE[1] * 0.6, top
    graph = "eq-map" if name == "Equity map" else "pl-fulfil-map"
    legend = d.execute_script(
        f"const g = document.querySelector('#{graph} .js-plotly-plot');"
        "return [g._fullLayout.legend.orientation, g._fullLayout.legend.y,"
        " g._fullLayout.showlegend !== false];"
    )
    assert legend[0] == "h" and legend[1] < 0, legend
    # the colour bar (the map's class key) drops its wrapped title, 170 px of a 390 px screen
    bars = d.execute_script(
        f"const g = document.querySelector('#{graph} .js-plotly-plot');"
        "return [g._fullData.filter(t => t.showscale).map(t => t.colorbar.title.text),"
        " g._fullLayout._size.w / g.clientWidth];"
    )
    assert bars[0] == [""] and bars[1] > 0.6, bars  # with the title: under half

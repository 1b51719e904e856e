"""The dashboard in a real headless Chromium (Debian's chromium + chromium-driver).

One server and one browser serve the whole module, on the 3 x 3 town of tests.helpers.town_region,
so every number checked here can be worked out by hand: need is 9 areas x 200 kg = 1,800 kg, supply
1,350 kg (75%), and the Eastside hub holds 600 kg of it (without it: 750 kg, 41.7%). Screenshots of
each page at 1440x900 go to $FOODSHED_SCREENSHOTS (or a pytest temp folder).
"""

from __future__ import annotations

import contextlib
import io
import os
import time
import zipfile
from pathlib import Path

import pytest

from tests.browser import (
    CHROMEDRIVER,
    CHROMIUM,
    make_driver,
    quit_driver,
    set_screen,
    start_server,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
        reason="needs Debian's chromium and chromium-driver: apt-get install chromium "
        "chromium-driver",
    ),
]

WAIT_S = 30


@pytest.fixture(scope="module")
def session(tiny_region, tmp_path_factory):
    pytest.importorskip("selenium")
    from dashboard.app import Settings, create_app, warm_up

    app = create_app(tiny_region, Settings(upload_dir=tmp_path_factory.mktemp("uploads")))
    warm_up(app)
    with browsing(app, tmp_path_factory) as s:
        yield s


# ---------------------------------------------------------------------- helpers
@contextlib.contextmanager
def browsing(app, tmp_path_factory):
    """Serve ``app`` and drive one headless Chromium (1440 x 900) at it: yields the session
    (``driver``, ``url``, ``downloads`` folder, ``shots`` folder: $FOODSHED_SCREENSHOTS or a
    temp one); the browser quits and the server stops after."""
    downloads = tmp_path_factory.mktemp("downloads")
    shots = Path(os.environ.get("FOODSHED_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    url, server = start_server(app)
    driver = make_driver(download_dir=str(downloads))
    set_screen(driver)
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    try:
        yield {"driver": driver, "url": url, "downloads": downloads, "shots": shots, "app": app}
    finally:
        quit_driver(driver)
        server.shutdown()


# ---------------------------------------------------------------------- helpers
def wait(driver, predicate, timeout=WAIT_S):
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    # Dash re-renders components: an element found a moment ago may be gone; look again
    return WebDriverWait(
        driver, timeout, poll_frequency=0.1, ignored_exceptions=(StaleElementReferenceException,)
    ).until(predicate)


def css(driver, selector):
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)


def click(driver, element):
    driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()", element
    )


def click_css(driver, selector, timeout=WAIT_S):
    """Click the first element matching ``selector``, finding it again if Dash re-rendered it."""
    from selenium.common.exceptions import StaleElementReferenceException

    def attempt(d):
        found = css(d, selector)
        if not found:
            return False
        try:
            click(d, found[0])
        except StaleElementReferenceException:
            return False
        return True

    wait(driver, attempt, timeout)


def choose(driver, dropdown_id, value):
    """Pick ``value`` in a Dash dropdown (opens it, clicks the option)."""
    click_css(driver, f"#{dropdown_id}")
    click_css(driver, f".dash-dropdown-option input[value='{value}']")
    driver.execute_script(
        "document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}))"
    )


def graph_meta(driver, graph_id):
    return driver.execute_script(
        f"const g = document.querySelector('#{graph_id} .js-plotly-plot');"
        "return g && g.layout ? g.layout.meta : null;"
    )


def text_of(driver, selector):
    from selenium.common.exceptions import StaleElementReferenceException

    for _ in range(20):
        found = css(driver, selector)
        try:
            return found[0].text if found else ""
        except StaleElementReferenceException:
            time.sleep(0.05)
    return ""


def nav(session, name):
    """Follow a navbar link (client-side: the session's runs stay); open the app first if needed."""
    from selenium.webdriver.common.by import By

    d = session["driver"]
    if not css(d, "#nav"):
        d.get(session["url"] + "/")
    click(d, wait(d, lambda d: d.find_elements(By.LINK_TEXT, name))[0])


def shoot(session, name):
    time.sleep(0.5)
    session["driver"].save_screenshot(str(session["shots"] / f"{name}.png"))


# ---------------------------------------------------------------------- tests
def test_equity_map_changes_with_the_measure(session):
    d = session["driver"]
    d.get(session["url"] + "/")
    wait(d, lambda d: (graph_meta(d, "eq-map") or {}).get("column") == "LILATracts_1And10")
    cards = wait(d, lambda d: css(d, "#eq-cards .fs-card-value"))
    # 9,000 residents; row 2 (3,000 people) is a food desert, 900 of them below the poverty line
    assert [c.text for c in cards[:2]] == ["9,000", "3,000"]
    assert "900 of them below the poverty line" in text_of(d, "#eq-cards")
    assert "Vermillion means yes" in text_of(d, "#eq-legend")
    # the page came with a picture of the map; it goes once the interactive map has drawn
    wait(d, lambda d: css(d, ".fs-map-wrap.fs-drawn"))
    assert css(d, "#eq-map .maplibregl-canvas") and css(d, ".fs-map-preview")
    assert not any(el.is_displayed() for el in css(d, ".fs-map-preview, .fs-map-preview-key"))
    shoot(session, "equity-map")

    choose(d, "eq-measure", "dist_supermarket_mi")
    meta = wait(
        d,
        lambda d: (m := graph_meta(d, "eq-map")) and m["column"] == "dist_supermarket_mi" and m,
    )
    assert meta["title"] == "Distance to the nearest supermarket (miles)"
    assert meta["scheme"] == "quantiles"
    assert all(c["label"].endswith("miles") for c in meta["classes"])
    wait(d, lambda d: "Distance to the nearest supermarket" in text_of(d, "#eq-legend"))

    click_css(d, "#eq-scheme input[value='natural_breaks']")
    wait(d, lambda d: (graph_meta(d, "eq-map") or {}).get("scheme") == "natural breaks")


def test_equity_table_and_map_download(session):
    d = session["driver"]
    click_css(d, "#eq-csv-btn")
    target = session["downloads"] / "tiny-town-equity.csv"
    wait(d, lambda d: target.exists() and target.stat().st_size > 0)
    lines = target.read_text().splitlines()
    assert len(lines) == 10
    assert "area_id" in lines[0] and "LILATracts_1And10" in lines[0]

    # the map as a stand-alone HTML page (plotly.js inlined: works offline)
    click_css(d, "#eq-html-btn")
    page = session["downloads"] / "tiny-town-dist_supermarket_mi.html"
    wait(d, lambda d: page.exists() and page.stat().st_size > 1_000_000, 60)
    assert "Distance to the nearest supermarket" in page.read_text(encoding="utf-8")


def test_equity_measure_menu_is_grouped_with_an_expert_switch(session):
    """The menu shows the catalogue's plain measures under group headings; the expert switch
    lists every column by its name; a measure with 2 distinct values says why it has 2 classes
    (the town's 9 areas: 4 have a supermarket within a mile, 5 have none)."""
    d = session["driver"]
    nav(session, "Equity map")
    wait(d, lambda d: (graph_meta(d, "eq-map") or {}).get("column"))
    click_css(d, "#eq-measure")
    options = wait(d, lambda d: [e.text for e in css(d, ".dash-dropdown-option")])
    assert options[0] == "FOOD DESERTS (USDA ATLAS)" and "NEED" in options
    assert not any("[" in o or "_" in o for o in options)  # words, no column names
    assert "Distance to the nearest supermarket (km)" not in options  # the km twin: experts'
    d.execute_script(
        "document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}))"
    )
    click_css(d, "#eq-expert")
    click_css(d, "#eq-measure")
    wait(
        d,
        lambda d: (
            "Distance to the nearest supermarket (km) [dist_supermarket_m]"
            in [e.text for e in css(d, ".dash-dropdown-option")]
        ),
    )
    d.execute_script(
        "document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}))"
    )
    choose(d, "eq-measure", "n_supermarket_1mi")
    meta = wait(
        d,
        lambda d: (m := graph_meta(d, "eq-map")) and m["column"] == "n_supermarket_1mi" and m,
    )
    assert [c["label"] for c in meta["classes"]] == ["0 stores", "1 store"]
    wait(d, lambda d: "2 classes: only 2 distinct values" in text_of(d, "#eq-legend"))
    # back to the plain menu: the expert-only choice stays (it is in both menus)
    click_css(d, "#eq-expert")
    wait(d, lambda d: "[" not in text_of(d, "#eq-measure"))
    assert (graph_meta(d, "eq-map") or {}).get("column") == "n_supermarket_1mi"


def test_plan_runs_and_kpis_follow_a_hub_outage(session):
    d = session["driver"]
    nav(session, "Plan")
    wait(
        d,
        lambda d: css(
            d, "#pl-yield-kind .rc-slider, #pl-yield-kind .dash-slider, #pl-yield-kind div"
        ),
    )
    click_css(d, "#pl-run")
    wait(d, lambda d: text_of(d, "#kpi-need_met_share .fs-card-value") == "75.0%")
    assert text_of(d, "#kpi-need_met_kg .fs-card-value") == "1,350 kg"
    assert "solved" in text_of(d, "#pl-status")
    wait(d, lambda d: graph_meta(d, "pl-fulfil-map") is not None)
    # foods by name (commodities.csv's name column), never their ids: 150 kg of the 900 kg of
    # greens and 300 kg of the 900 kg of rice go unmet
    bars = wait(
        d,
        lambda d: d.execute_script(
            "const g = document.querySelector('#pl-unmet .js-plotly-plot');"
            "const t = g && g._fullData && g._fullData[0];"
            "return t ? [Array.from(t.y), Array.from(t.x)] : null;"
        ),
    )
    assert list(bars[0]) == ["Leafy greens", "Brown rice"]
    assert [round(x) for x in bars[1]] == [150, 300]
    limits = text_of(d, "#pl-binding")
    assert "one more kg of supply of Leafy greens at Westside hub would feed" in limits
    assert "greens " not in limits.replace("Leafy greens", "") and "objective" not in limits
    shoot(session, "plan")

    choose(d, "pl-sites-off", "H2")
    click_css(d, "#pl-run")
    wait(d, lambda d: text_of(d, "#kpi-need_met_share .fs-card-value") == "41.7%")
    assert text_of(d, "#kpi-need_met_kg .fs-card-value") == "750 kg"

    click_css(d, "#pl-dl-report")
    # the second run of the tab: its downloads are named by its number
    report = session["downloads"] / "run-2-report.html"
    wait(d, lambda d: report.exists(), 60)
    assert "Run 2 \u201c" in text_of(d, "#pl-status")
    wait(d, lambda d: report.stat().st_size > 10_000)


def test_compare_shows_both_runs_and_who_loses(session):
    d = session["driver"]
    nav(session, "Compare")
    wait(d, lambda d: len(css(d, "#cmp-runs input[type=checkbox]")) == 2)
    table = wait(d, lambda d: text_of(d, "#cmp-kpi-table"))
    assert "75.0%" in table and "41.7%" in table
    text = wait(d, lambda d: text_of(d, "#cmp-gains-text"))
    assert "serves 0 people better" in text
    assert text.startswith("Compared with run 1, run 2 serves")
    labels = [el.text for el in css(d, "#cmp-runs label")]
    assert labels[0].startswith("Run 1: ") and labels[1].startswith("Run 2: ")
    shoot(session, "compare")

    # rename run 2: its number stays, its new name shows in the list and the table
    second = css(d, "#cmp-runs input[type=checkbox]")[1].get_attribute("value")
    choose(d, "cmp-rename-run", second)
    css(d, "#cmp-rename-text")[0].send_keys("Hub H2 out")
    click_css(d, "#cmp-rename-btn")
    wait(d, lambda d: "Run 2: Hub H2 out" in text_of(d, "#cmp-runs"))
    wait(d, lambda d: "Run 2: Hub H2 out" in text_of(d, "#cmp-kpi-table"))

    # the efficiency/equity curve: weight 0 leaves the worst-served area at 0% of its need;
    # weights 0.25 to 1 give one plan (75%), one labelled point, and the words say the price
    click_css(d, "#cmp-curve-btn")
    words = wait(d, lambda d: "price of fairness" in text_of(d, "#cmp-curve-text") and d)
    said = text_of(words, "#cmp-curve-text")
    assert "from 0.0% to 75.0% of its need (weights 0.25 to 1)" in said
    labels = d.execute_script(
        "return document.getElementById('cmp-curve').querySelector('.js-plotly-plot').data[0].text"
    )
    assert labels == ["weight 0", "weights 0.25 to 1"]


def test_plan_starts_from_a_scenario_file(session):
    """The bundled drought scenario: gardens at 60%, so 150 kg of greens becomes 90 kg."""
    from dashboard.services import bundled_scenarios_dir

    d = session["driver"]
    nav(session, "Plan")
    choose(d, "pl-scenario", str(bundled_scenarios_dir() / "drought.toml"))
    wait(d, lambda d: css(d, "#pl-label")[0].get_attribute("value") == "drought")
    assert not css(d, "#pl-sites-off .dash-dropdown-value-item")  # the outage is cleared
    click_css(d, "#pl-run")
    wait(d, lambda d: text_of(d, "#kpi-need_met_kg .fs-card-value") == "1,290 kg")
    assert text_of(d, "#kpi-need_met_share .fs-card-value") == "71.7%"


def _alert(driver):
    """The browser's open confirm dialog, or None."""
    from selenium.common.exceptions import NoAlertPresentException

    try:
        return driver.switch_to.alert
    except NoAlertPresentException:
        return None


def _zip_folder(folder: Path, edit=None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.iterdir()):
            data = p.read_bytes()
            if edit:
                data = edit(p.name, data)
            zf.writestr(f"myregion/{p.name}", data)
    return buf.getvalue()


def test_data_lists_problems_of_a_bad_upload_then_switches(session, tiny_region, tmp_path):
    d = session["driver"]
    folder = tiny_region.to_dir(tmp_path / "region")

    def spoil(name, data):
        if name == "stores.csv":
            return data.replace(b"supermarket", b"hypermarket")
        if name == "supply.csv":
            return data.replace(b"H1,greens,300.0", b"H9,greens,-3")
        return data

    bad = tmp_path / "bad.zip"
    bad.write_bytes(_zip_folder(folder, spoil))
    nav(session, "Data")
    upload = wait(d, lambda d: css(d, "#data-upload input[type=file]"))[0]
    upload.send_keys(str(bad))
    rows = wait(d, lambda d: css(d, "#data-problems tr.fs-problem"))
    text = text_of(d, "#data-problems")
    assert len(rows) >= 2
    assert "stores.csv" in text and "kind" in text and "supply.csv" in text
    assert "error(s) to fix" in text_of(d, "#data-status")
    assert css(d, "#data-switch")[0].get_attribute("disabled")
    shoot(session, "data-problems")

    good = tmp_path / "good.zip"
    good.write_bytes(
        _zip_folder(
            folder,
            lambda n, b: b.replace(b"Tiny town", b"Uploaded town") if n == "region.toml" else b,
        )
    )
    upload = css(d, "#data-upload input[type=file]")[0]
    upload.send_keys(str(good))
    wait(d, lambda d: "Valid" in text_of(d, "#data-status"))
    switch = css(d, "#data-switch")[0]
    wait(d, lambda d: not switch.get_attribute("disabled"))
    click(d, switch)
    # the plans run above are of the start region: the page asks before it clears them
    confirm = wait(d, lambda d: _alert(d))
    assert "clears this tab's" in confirm.text
    confirm.accept()
    wait(d, lambda d: text_of(d, "#region-badge") == "Uploaded town")

    # a folder on the server's disk (allowed on a loopback server)
    box = css(d, "#data-folder")[0]
    box.send_keys(str(tmp_path / "region"))
    click_css(d, "#data-folder-btn")
    wait(
        d,
        lambda d: (
            "Valid" in text_of(d, "#data-status") and "Tiny town" in text_of(d, "#data-status")
        ),
    )

    # the equity map page comes with the start region's cards and map: a session on the upload
    # sees them hidden, then its own region's (its map redrawn from its own callbacks)
    nav(session, "Equity map")
    wait(d, lambda d: (graph_meta(d, "eq-map") or {}).get("column") == "LILATracts_1And10")
    wait(d, lambda d: css(d, "#eq-body")[0].is_displayed())
    wait(d, lambda d: css(d, "#eq-body")[0].value_of_css_property("visibility") == "visible")
    assert [c.text for c in css(d, "#eq-cards .fs-card-value")[:2]] == ["9,000", "3,000"]
    assert text_of(d, "#region-badge") == "Uploaded town"

"""The dashboard in a real headless Chromium (Debian's chromium + chromium-driver).

One server and one browser serve the whole module, on the 3 x 3 town of tests.helpers.town_region,
so every number checked here can be worked out by hand: need is 9 areas x 200 kg = 1,800 kg, supply
1,350 kg (75%), and the Eastside hub holds 600 kg of it (without it: 750 kg, 41.7%). Screenshots of
each page at 1440x900 go to $FOODSHED_SCREENSHOTS (or a pytest temp folder).
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import tempfile
import threading
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

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

    downloads = tmp_path_factory.mktemp("downloads")
    shots = Path(os.environ.get("FOODSHED_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    app = create_app(tiny_region, Settings(upload_dir=tmp_path_factory.mktemp("uploads")))
    warm_up(app)
    url, server = start_server(app)
    driver = make_driver(download_dir=str(downloads))
    set_screen(driver)
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    try:
        yield {"driver": driver, "url": url, "downloads": downloads, "shots": shots}
    finally:
        quit_driver(driver)
        server.shutdown()


# ---------------------------------------------------------------------- helpers
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(app) -> tuple[str, object]:
    """Serve ``app`` on a free loopback port in a daemon thread; return (url, server)."""
    from werkzeug.serving import make_server

    port = free_port()
    server = make_server("127.0.0.1", port, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url + "/_dash-layout", timeout=1).read()
            break
        except OSError:
            time.sleep(0.05)
    return url, server


def make_driver(download_dir: str | None = None, width: int = 1440, height: int = 900):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    profile = tempfile.mkdtemp(prefix="foodshed-chrome-")
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-extensions",
        "--enable-unsafe-swiftshader",
        f"--user-data-dir={profile}",
        f"--window-size={width},{height}",
    ):
        opts.add_argument(arg)
    if download_dir:
        opts.add_experimental_option(
            "prefs",
            {"download.default_directory": download_dir, "download.prompt_for_download": False},
        )
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=opts)
    driver._foodshed_profile = profile
    return driver


def set_screen(driver, width: int = 1440, height: int = 900) -> None:
    """Make the page's viewport exactly ``width`` x ``height`` CSS pixels (for screenshots)."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )


def quit_driver(driver) -> None:
    profile = getattr(driver, "_foodshed_profile", None)
    driver.quit()
    if profile:
        shutil.rmtree(profile, ignore_errors=True)


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
    shoot(session, "plan")

    choose(d, "pl-sites-off", "H2")
    click_css(d, "#pl-run")
    wait(d, lambda d: text_of(d, "#kpi-need_met_share .fs-card-value") == "41.7%")
    assert text_of(d, "#kpi-need_met_kg .fs-card-value") == "750 kg"

    click_css(d, "#pl-dl-report")
    wait(d, lambda d: [p for p in session["downloads"].glob("run-*-report.html")], 60)
    report = next(session["downloads"].glob("run-*-report.html"))
    wait(d, lambda d: report.stat().st_size > 10_000)


def test_compare_shows_both_runs_and_who_loses(session):
    d = session["driver"]
    nav(session, "Compare")
    wait(d, lambda d: len(css(d, "#cmp-runs input[type=checkbox]")) == 2)
    table = wait(d, lambda d: text_of(d, "#cmp-kpi-table"))
    assert "75.0%" in table and "41.7%" in table
    text = wait(d, lambda d: text_of(d, "#cmp-gains-text"))
    assert "serves 0 people better" in text
    shoot(session, "compare")

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

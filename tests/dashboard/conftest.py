"""Fixtures of the dashboard tests: a tiny synthetic region, a live server and a headless browser."""

from __future__ import annotations

import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CRS = "EPSG:32616"
X0, Y0 = 440_000.0, 4_420_000.0


def make_tiny_region():
    """A 3 x 3 grid of 1 km square areas, one supermarket, two hubs and a garden.

    Everything is checkable by hand: area ``a{r}{c}`` is row r, column c; the supermarket sits in
    the centre of ``a00``; hub ``H1`` is in ``a00``, hub ``H2`` in ``a22``, garden ``G1`` in
    ``a11``. Each area has 1,000 residents (poverty 30% in row 2) and needs 100 kg of each of two
    foods; hubs hold 300 kg of each food, the garden 150 kg of produce.
    """
    from equity import Region

    cells, rows = [], []
    for r in range(3):
        for c in range(3):
            x, y = X0 + c * 1000, Y0 + r * 1000
            cells.append(box(x, y, x + 1000, y + 1000))
            rows.append(
                {
                    "area_id": f"a{r}{c}",
                    "name": f"Block {r}{c}",
                    "population": 1000.0,
                    "households": 400.0,
                    "households_no_vehicle": 40.0 * (r + 1),
                    "poverty_rate": 0.3 if r == 2 else 0.1,
                    "urban": True,
                }
            )
    areas = gpd.GeoDataFrame(rows, geometry=cells, crs=CRS)
    stores = gpd.GeoDataFrame(
        {"store_id": ["S1", "S2"], "kind": ["supermarket", "convenience"], "name": ["Big", "Mini"]},
        geometry=[Point(X0 + 500, Y0 + 500), Point(X0 + 2500, Y0 + 2500)],
        crs=CRS,
    )
    sites = gpd.GeoDataFrame(
        {
            "site_id": ["H1", "H2", "G1"],
            "kind": ["hub", "hub", "garden"],
            "name": ["Westside hub", "Eastside hub", "Centre garden"],
            "throughput_kg": [1000.0, 1000.0, 500.0],
        },
        geometry=[
            Point(X0 + 400, Y0 + 400),
            Point(X0 + 2600, Y0 + 2600),
            Point(X0 + 1500, Y0 + 1500),
        ],
        crs=CRS,
    )
    commodities = pd.DataFrame(
        {
            "commodity": ["greens", "rice"],
            "unit": ["kg", "kg"],
            "kg_per_unit": [1.0, 1.0],
            "group": ["produce", "grains"],
        }
    )
    supply = pd.DataFrame(
        {
            "site_id": ["H1", "H1", "H2", "H2", "G1"],
            "commodity": ["greens", "rice", "greens", "rice", "greens"],
            "quantity": [300.0, 300.0, 300.0, 300.0, 150.0],
        }
    )
    need = pd.DataFrame(
        [
            {"area_id": f"a{r}{c}", "commodity": k, "quantity": 100.0}
            for r in range(3)
            for c in range(3)
            for k in ("greens", "rice")
        ]
    )
    return Region.from_frames(
        areas, stores, sites, commodities, supply, need, name="Tiny town", crs=CRS
    )


@pytest.fixture(scope="session")
def tiny_region():
    return make_tiny_region()


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
    import urllib.request

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


def quit_driver(driver) -> None:
    profile = getattr(driver, "_foodshed_profile", None)
    driver.quit()
    if profile:
        shutil.rmtree(profile, ignore_errors=True)

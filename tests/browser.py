"""A real headless Chromium and a loopback server for the dashboard: the browser tests
(``tests/dashboard/test_browser*.py``) and ``benchmarks/dashboard_speed.py`` drive the app with
these.

Needs Debian's ``chromium`` and ``chromium-driver`` (:data:`CHROMIUM`, :data:`CHROMEDRIVER`)
and selenium; nothing here is imported until a browser is asked for.
"""

from __future__ import annotations

import shutil
import socket
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(app) -> tuple[str, object]:
    """Serve ``app`` on a free loopback port in a daemon thread; return (url, server) once it
    answers (or after 10 s)."""
    from werkzeug.serving import make_server

    port = free_port()
    server = make_server("127.0.0.1", port, app.server, threaded=True)
    stop = server.shutdown

    def shutdown() -> None:  # the server, then the app's job processes
        from dashboard.app.background import stop_jobs

        stop()
        stop_jobs(app)

    server.shutdown = shutdown  # type: ignore[method-assign]
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
    """A headless Chromium with a fresh profile (removed by :func:`quit_driver`), a window of
    ``width`` x ``height`` and, given ``download_dir``, downloads saved there unasked."""
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
    """Close the browser and remove its profile."""
    profile = getattr(driver, "_foodshed_profile", None)
    driver.quit()
    if profile:
        shutil.rmtree(profile, ignore_errors=True)

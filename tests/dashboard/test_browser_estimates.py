"""The Plan page in a real headless Chromium on a region without supply or need: it plans on
documented estimates and says so.

Uses the server and browser helpers of test_browser.py, on its own server holding the two-tract
county of tests.helpers.public_list_region (100 and 300 people, a pantry and a garden, no commodities):
need 400 x 11.98 kg = 4,791 kg a week, supply 1,000 + 86.2 kg, all in reach: 22.7% met.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tests.helpers import public_list_region


def _helpers():
    path = Path(__file__).with_name("test_browser.py")
    spec = importlib.util.spec_from_file_location("_browser_helpers", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


B = _helpers()
pytestmark = B.pytestmark


# the server thread warns once per plan (the page says it in words); not an error here
@pytest.mark.filterwarnings("ignore::equity.estimates.EstimatesWarning")
def test_plan_page_runs_on_estimates_and_names_them(tmp_path_factory):
    pytest.importorskip("selenium")
    from dashboard.app import Settings, create_app

    downloads = tmp_path_factory.mktemp("downloads")
    app = create_app(public_list_region(), Settings(upload_dir=tmp_path_factory.mktemp("up")))
    url, server = B.start_server(app)
    driver = B.make_driver(download_dir=str(downloads))
    try:
        driver.execute_cdp_cmd(
            "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
        )
        driver.get(url + "/plan")
        B.choose(driver, "pl-objective", "maxmin")
        B.click_css(driver, "#pl-run")
        B.wait(driver, lambda d: B.text_of(d, "#kpi-need_met_share .fs-card-value") == "22.7%")
        assert "solved" in B.text_of(driver, "#pl-status")
        note = B.text_of(driver, "#pl-estimated")
        assert note.startswith("Estimated inputs:")
        assert "need: population x a basket of 11.98 kg per person a week" in note
        assert "pantry: 1 site(s), 1,000 kg a week (assumed throughput)" in note
        B.click_css(driver, "#pl-dl-report")
        B.wait(driver, lambda d: list(downloads.glob("run-*-report.html")), 60)
        report = next(downloads.glob("run-*-report.html"))
        B.wait(driver, lambda d: report.stat().st_size > 10_000)
        html = report.read_text()
        assert 'id="estimated-note"' in html and 'id="estimated-table"' in html
    finally:
        B.quit_driver(driver)
        server.shutdown()

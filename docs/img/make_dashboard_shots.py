"""Take docs/img/dashboard-*.png: every dashboard page on the demo region, at 1440x900 (saved
at half size, 720x450) and on a phone, 390x844 (saved as is, ``-phone``). Needs Debian's
chromium and chromium-driver and selenium (the ``test`` extra), like the browser tests, whose
server and browser helpers it uses (tests/dashboard/test_browser.py).

    python docs/img/make_dashboard_shots.py [--out docs/img]

On the phone the Equity map is also shown scrolled to its map (``-phone-map``, the legend under
the map). The Plan page is shown after two runs (the default plan, then the Eastside Food Hub off), which
the Compare page then compares; the Sweep page shows a two-scenario sweep of the demo (the hub
at full and at no yield) solved first into a temporary folder. Takes about two minutes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

SIZES = {"": (1440, 900), "-phone": (390, 844)}
PAGES = {"equity-map": "/", "plan": "/plan", "compare": "/compare", "data": "/data"}
PAGES["sweep"] = "/sweep"
SWEEP = {
    "name": "demo-hub-yield",
    "base": {"objective": "balanced"},
    "vary": {"yield_factor.hub": [1.0, 0.0]},
    "resilience": {"flag": "LILATracts_1And10", "threshold": 0.2},
}


def solve_sweep(folder: Path) -> Path:
    from dask.distributed import Client

    from equity import Region
    from optimize.sweep import SweepSpec, run_sweep

    out = folder / "demo-hub-yield"
    with Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=None) as cl:
        run_sweep(SweepSpec.from_dict(SWEEP), out, region=Region.demo(), client=cl, batch_size=1)
    return out


def run_plan(B, d, *, site_off: str | None = None) -> None:
    """Run the Plan page's plan (with ``site_off`` switched off) and wait for its cards."""
    from dashboard.app import ids

    before = B.text_of(d, f"#{ids.PL_STATUS}")
    if site_off:
        B.choose(d, ids.PL_SITES_OFF, site_off)
    B.click_css(d, f"#{ids.PL_RUN}")
    B.wait(
        d,
        lambda d: (now := B.text_of(d, f"#{ids.PL_STATUS}")) != before and "solved" in now,
        180,
    )
    B.wait(d, lambda d: B.graph_meta(d, "pl-fulfil-map") is not None)


def drawn(B, d) -> None:
    """Wait until every chart on the page has drawn (and been named by foodshed-a11y.js)."""
    B.wait(
        d,
        lambda d: d.execute_script(
            "return Array.from(document.querySelectorAll('.js-plotly-plot'))"
            ".every(g => g.getAttribute('aria-label'))"
        ),
        60,
    )
    time.sleep(1.5)  # maps' tiles and canvases


def save(d, tmp: Path, out: Path, name: str, *, half: bool) -> None:
    """Save the browser's screen as ``out/dashboard-NAME.png`` (at half size with ``half``), in
    256 colours: a third of the bytes, and the same to the eye for these flat pages."""
    from PIL import Image

    shot = tmp / f"{name}.png"
    d.save_screenshot(str(shot))
    img = Image.open(shot).convert("RGB")
    if half:
        img = img.resize((img.width // 2, img.height // 2), Image.Resampling.LANCZOS)
    target = out / f"dashboard-{name}.png"
    img.quantize(256, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)
    print(target, f"{target.stat().st_size / 1000:.0f} kB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    args = parser.parse_args()
    from dashboard.app import Settings, create_app, ids, warm_up
    from tests.dashboard import test_browser as B

    tmp = Path(tempfile.mkdtemp(prefix="foodshed-shots-"))
    sweeps = tmp / "sweeps"
    solve_sweep(sweeps)
    app = create_app(settings=Settings(upload_dir=tmp / "up", sweeps_dir=str(sweeps)))
    warm_up(app)
    url, server = B.start_server(app)
    d = B.make_driver()
    try:
        for suffix, (width, height) in SIZES.items():
            d.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
            )
            d.get(url + "/")
            for page, path in PAGES.items():
                if path != "/":
                    B.click(d, B.css(d, f"#{ids.NAV} a[href='{path}']")[0])
                if page == "plan":
                    run_plan(B, d)
                    run_plan(B, d, site_off="H037")
                if page == "sweep":
                    B.wait(d, lambda d: "finished" in B.text_of(d, f"#{ids.SW_STATUS}"), 60)
                drawn(B, d)
                d.execute_script("window.scrollTo(0, 0)")
                time.sleep(0.5)
                save(d, tmp, args.out, f"{page}{suffix}", half=not suffix)
                if page == "equity-map" and suffix:
                    # the map and its legend, one screen further down
                    d.execute_script(
                        "document.getElementById(arguments[0]).scrollIntoView()", ids.EQ_MAP
                    )
                    time.sleep(1)
                    save(d, tmp, args.out, f"{page}{suffix}-map", half=False)
    finally:
        B.quit_driver(d)
        server.shutdown()


if __name__ == "__main__":
    main()

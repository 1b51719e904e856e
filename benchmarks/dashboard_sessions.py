"""Ten sessions at once: ``python benchmarks/dashboard_speed.py --sessions 10`` (issue 15).

N sessions press Run the plan on the Plan page at the same moment, each with a plan of its own
(another site switched off), with background runs off (each plan solved in its web request:
the baseline) and on (a process per plan); the median and max from click to KPI cards, and the
CPU seconds per plan of the server and of the jobs. ``--client chromium`` drives N headless
Chromiums, ``--client http`` N light clients that replay the Plan page's request; with
``--baseline-ref REF`` the background runs of git ``REF`` are measured too, alternating.
Run through ``dashboard_speed.py`` (its options); see docs/dashboard.md, "Ten sessions at once".
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from dashboard_speed import _css, _git_tree, _server, _switch_off, _wait

#: The script these measurements run through (in a subprocess for ``--baseline-ref``)
SCRIPT = Path(__file__).resolve().with_name("dashboard_speed.py")


def _sites_for_sessions(region, n: int) -> list[str]:
    """``n`` different sites to switch off, one per session (a room of planners, each trying
    another outage), spread evenly over the region's list of sites (every kind)."""
    ids = region.sites["site_id"].astype(str).tolist()
    if n > len(ids):
        msg = f"{n} sessions need {n} sites to switch off; the region has {len(ids)}"
        raise SystemExit(msg)
    return [ids[(i * len(ids)) // n] for i in range(n)]


def compare_sessions(ref: str, args: argparse.Namespace) -> None:
    """``--sessions N --baseline-ref REF``: each round, background runs at git ``ref``
    (baseline), then this checkout with background runs off and on, each in a fresh
    interpreter and server; medians and max of click to KPIs, per round and over all."""
    tmp = _git_tree(ref)
    cmd = [sys.executable, str(SCRIPT), "--json", "--sessions"]
    cmd += [str(args.sessions), "--client", args.client, "--region", args.region]
    cmd += ["--data", args.data] if args.data else []
    runs: dict[str, list[float]] = {}
    try:
        for i in range(args.repeat):
            for name, src, modes in ((ref, tmp, "diskcache"), ("this", None, "off,diskcache")):
                env = dict(os.environ)
                if src is not None:
                    env["PYTHONPATH"] = str(src)
                proc = subprocess.run(
                    [*cmd, "--modes", modes], env=env, capture_output=True, text=True, check=False
                )
                if proc.returncode != 0:  # say so and go on: the other rounds still count
                    print(f"[{i + 1}/{args.repeat}] {name} failed:\n{proc.stderr[-1500:]}")
                    continue
                got = json.loads(proc.stdout.strip().splitlines()[-1])
                for mode, res in got.items():
                    key = f"{name}, background={mode}"
                    runs.setdefault(key, []).append(res)
                    print(f"[{i + 1}/{args.repeat}] {key}: {_said(res)}", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nall rounds ({args.repeat} x {args.sessions} sessions):")
    for key, rounds in runs.items():
        merged = {k: [v for r in rounds for v in r[k]] for k in rounds[0]}
        print(f"  {key:34s} {_said(merged, load=False)}")


def _said(res: dict[str, list[float]], *, load: bool = True) -> str:
    """A round's (or all rounds') figures in a line: click to KPIs, CPU per plan."""
    times = sorted(res["times"])
    n = len(times)
    jobs, server = sum(res["job_cpu"]), sum(res["server_cpu"])
    line = (
        f"click to KPIs median {statistics.median(times):.1f} s, max {max(times):.1f} s; "
        f"CPU per plan {(jobs + server) / n:.2f} s (jobs {jobs / n:.2f}, server {server / n:.2f})"
    )
    if load:
        line += f" ({', '.join(f'{t:.1f}' for t in times)}); load average {os.getloadavg()}"
    return line


#: Installed in each session's page before its click: the browser's clock at the click and when
#: the new run's cards are on screen
_CARDS_HOOK = r"""
window.__fsClicked = null; window.__fsCards = null;
new MutationObserver(function () {
  if (window.__fsClicked !== null && window.__fsCards === null
      && document.querySelector('#kpi-need_met_share .fs-card-value'))
    window.__fsCards = performance.now();
}).observe(document, {subtree: true, childList: true, characterData: true});
window.__fsClicked = performance.now();
document.getElementById('pl-run').click();
"""


def _at_once(n: int, one) -> None:
    """``one(i)`` for i in 0..n-1, each in a thread of its own; returns when all are done, and
    raises the first error a session met (a session that failed has no time to report)."""
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            one(i)
        except BaseException as exc:
            errors.append(exc)
            raise

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(f"{len(errors)} of {n} sessions failed") from errors[0]


class _CpuMeter:
    """CPU seconds spent while it is entered: by this process (the web server, and with
    ``--client http`` the light clients' threads) and by each background job (a child Python
    of this process, sampled every 50 ms, so a job's last moments may be missed). Less
    sensitive than wall times to what else runs on a shared machine."""

    def __enter__(self) -> _CpuMeter:
        import psutil

        self._me = psutil.Process()
        self._start = sum(self._me.cpu_times()[:2])
        self.jobs: dict[int, float] = {}
        self._before: dict[int, float] = {}  # what the pool's processes had spent before
        for child in self._me.children():
            with contextlib.suppress(psutil.Error):
                if "python" in child.name():
                    self._before[child.pid] = sum(child.cpu_times()[:2])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        import psutil

        while not self._stop.wait(0.05):
            for child in self._me.children():
                try:
                    if "python" in child.name():
                        spent = sum(child.cpu_times()[:2])
                        self.jobs[child.pid] = spent - self._before.get(child.pid, 0.0)
                except psutil.Error:  # ended meanwhile
                    continue

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.server = sum(self._me.cpu_times()[:2]) - self._start


def sessions(n: int, background: str, region) -> dict[str, list[float]]:
    """``n`` sessions (each a headless Chromium) press Run the plan on the Plan page at once;
    seconds from each click to its KPI cards on screen (the browser's clock).

    The server is the one ``foodshed dashboard`` starts (warmed up, a thread per request) with
    ``Settings(background=background)``: ``"off"`` solves in the request (the baseline),
    ``"diskcache"`` in a process per job.
    """
    from dashboard.app import Settings, create_app, warm_up
    from tests.browser import make_driver, quit_driver

    app = create_app(region, Settings(background=background))
    warm_up(app)
    url, server = _server(app)
    drivers = []
    try:
        for site in _sites_for_sessions(region, n):
            d = make_driver()
            drivers.append(d)
            d.get(url + "/plan")
            _wait(d, lambda d: _css(d, "#pl-yield-kind div") and _css(d, "#pl-run"))
            _switch_off(d, region, site)  # each session its own plan
        time.sleep(2)  # the pages' own first callbacks are done
        barrier = threading.Barrier(n)
        out: list[float] = [float("nan")] * n

        def one(i: int) -> None:
            d = drivers[i]
            barrier.wait()
            d.execute_script(_CARDS_HOOK)
            _wait(d, lambda d: d.execute_script("return window.__fsCards !== null"), 600)
            out[i] = d.execute_script("return (window.__fsCards - window.__fsClicked) / 1000")

        with _CpuMeter() as cpu:
            _at_once(n, one)
        return {"times": out, "server_cpu": [cpu.server], "job_cpu": list(cpu.jobs.values())}
    finally:
        for d in drivers:
            quit_driver(d)
        server.shutdown()


def _captured_run(url: str) -> tuple[str, dict]:
    """The Plan page's request that starts a run, as one real Chromium sends it (its URL, with
    the page's signed ``endId``, and its JSON body), captured from the browser's network log."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    profile = tempfile.mkdtemp(prefix="foodshed-bench-")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    try:
        d.get(url + "/plan")
        _wait(d, lambda d: _css(d, "#pl-yield-kind div") and _css(d, "#pl-run"))
        time.sleep(2)
        d.get_log("performance")  # drop the page's own first requests
        d.execute_script("document.getElementById('pl-run').click()")
        _wait(d, lambda d: _css(d, "#kpi-need_met_share .fs-card-value"))
        for entry in d.get_log("performance"):
            msg = json.loads(entry["message"])["message"]
            req = msg.get("params", {}).get("request", {})
            body = req.get("postData") or ""
            starts = "pl-status.children" in body and "cacheKey=" not in req.get("url", "")
            if msg["method"] == "Network.requestWillBeSent" and starts:
                return req["url"], json.loads(body)
        raise RuntimeError("the run's request was not seen")
    finally:
        d.quit()
        shutil.rmtree(profile, ignore_errors=True)


def sessions_http(n: int, background: str, region) -> dict[str, list[float]]:
    """``n`` sessions press Run at once, as the server sees them: each sends the request the
    Plan page sends (captured from a real Chromium) and, for a background job, polls for its
    result every 250 ms as the page does; seconds from the click to the run's outputs (the KPI
    cards among them) received (``times``), and the CPU seconds of the server and of each
    job (:class:`_CpuMeter`). No browser draws the answer, so the clients take little CPU from
    the server (in real life each person's browser runs on their own machine)."""
    import requests

    from dashboard.app import Settings, create_app, warm_up

    app = create_app(region, Settings(background=background))
    warm_up(app)
    url, server = _server(app)
    try:
        run_url, body = _captured_run(url)
        barrier = threading.Barrier(n)
        out: list[float] = [float("nan")] * n

        sites = _sites_for_sessions(region, n)

        def one(i: int) -> None:
            mine = json.loads(json.dumps(body))
            for inp in mine["inputs"]:
                if inp["id"] == "pl-run-go":
                    inp["value"] = time.time() * 1000 + i  # a click of its own
            for st in mine["state"]:
                if isinstance(st, dict) and st.get("id") == "pl-sites-off":
                    st["value"] = [sites[i]]  # each session its own plan: another site off
            with requests.Session() as http:
                barrier.wait()
                t0 = time.perf_counter()
                r = http.post(run_url, json=mine, timeout=600)
                handle = r.json() if r.status_code == 200 else {}
                if "cacheKey" in handle:  # a background job: poll as the page does
                    poll = f"{run_url}&cacheKey={handle['cacheKey']}&job={handle['job']}"
                    while True:
                        if time.perf_counter() - t0 > 300:  # a job that never answers
                            raise RuntimeError(f"session {i}: no answer in 300 s (a hung job?)")
                        time.sleep(0.25)
                        r = http.post(poll, json=mine, timeout=600)
                        if r.status_code == 200 and "response" in r.json():
                            break
                        if r.status_code != 200:  # 204: the job ended without an answer
                            raise RuntimeError(f"session {i}: {r.status_code} {r.text[:200]}")
                elif "response" not in handle:
                    raise RuntimeError(f"session {i}: {r.status_code} {r.text[:200]}")
                if "1 site(s) off" not in r.text:  # the answer is this session's plan
                    raise RuntimeError(f"session {i}: not the plan asked for: {r.text[:300]}")
                out[i] = time.perf_counter() - t0

        with _CpuMeter() as cpu:
            _at_once(n, one)
        return {"times": out, "server_cpu": [cpu.server], "job_cpu": list(cpu.jobs.values())}
    finally:
        server.shutdown()

"""Issue 15: the dashboard on a shared server, plans solved by a Celery worker through Redis.

Starts Debian's ``redis-server`` on a free loopback port (no persistence), a Celery worker
(``celery -A dashboard.worker worker``, a separate process built from the same settings through
``FOODSHED_*`` variables), and the web server, on the 3 x 3 town of tests.helpers.town_region
saved to a folder: need is 9 areas x 200 kg = 1,800 kg and supply 1,350 kg, so the plan meets
75.0% of it. Skipped, with the reason, where redis-server or celery is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.browser import free_port, make_driver, quit_driver, start_server
from tests.dashboard.test_browser import click_css, css, nav, text_of, wait
from tests.dashboard.test_browser import pytestmark as BROWSER_MARKS

REDIS = shutil.which("redis-server")
#: The checkout (the worker imports this dashboard, not an installed one)
ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    *BROWSER_MARKS,
    pytest.mark.slow,
    pytest.mark.skipif(REDIS is None, reason="needs redis-server: apt-get install redis-server"),
]


def _until(check, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def shared(tiny_region, tmp_path_factory):
    pytest.importorskip("celery", reason="needs celery: pip install 'foodshed[celery]'")
    pytest.importorskip("redis", reason="needs the redis client: pip install 'foodshed[celery]'")
    pytest.importorskip("selenium")
    import redis

    from dashboard.app import Settings, create_app

    root = tmp_path_factory.mktemp("celery")
    port = free_port()
    server = subprocess.Popen(
        [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    procs = [server]
    try:
        client = redis.Redis(host="127.0.0.1", port=port)

        def up() -> bool:
            try:
                return bool(client.ping())
            except redis.exceptions.ConnectionError:
                return False

        _until(up, 20, "redis-server")
        settings = Settings(
            region_path=str(tiny_region.to_dir(root / "town")),
            cache_dir=root / "cache",
            upload_dir=root / "uploads",
            celery_broker=f"redis://127.0.0.1:{port}/0",
        )
        log = root / "worker.log"
        env = os.environ | settings.to_env()
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
        with log.open("w") as out:
            worker = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "dashboard.worker",
                    "worker",
                    "--concurrency",
                    "1",
                    "--loglevel",
                    "INFO",
                    "--without-heartbeat",
                    "--without-gossip",
                    "--without-mingle",
                    "-n",
                    f"foodshed-test-{port}@%h",
                ],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        procs.append(worker)
        _until(lambda: "ready" in log.read_text(), 120, f"the Celery worker (log: {log})")
        app = create_app(settings=settings)
        url, web = start_server(app)
        driver = make_driver()
        try:
            yield {"driver": driver, "url": url, "log": log}
        finally:
            quit_driver(driver)
            web.shutdown()
    finally:
        for proc in reversed(procs):
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_a_plan_is_solved_by_the_celery_worker(shared):
    d = shared["driver"]
    d.get(shared["url"] + "/plan")
    wait(d, lambda d: css(d, "#pl-yield-kind div"), 60)
    click_css(d, "#pl-run")
    wait(d, lambda d: text_of(d, "#kpi-need_met_share .fs-card-value") == "75.0%", 90)
    assert text_of(d, "#kpi-need_met_kg .fs-card-value") == "1,350 kg"
    # the worker solved it (its log names the job), and the server reads the tables the worker
    # kept: the plan's maps are drawn from them when the page is opened again
    log = shared["log"].read_text()
    assert "background_callback_" in log and "succeeded" in log, log[-2000:]
    nav(shared, "Compare")
    wait(d, lambda d: "run 1" in text_of(d, "#cmp-kpi-table").lower() or css(d, "#cmp-runs input"))
    nav(shared, "Plan")
    wait(d, lambda d: text_of(d, "#kpi-need_met_share .fs-card-value") == "75.0%", 30)
    wait(d, lambda d: "What limits" in text_of(d, "body"))
    binding = text_of(d, "#pl-binding")
    assert binding and "no longer on the server" not in binding

"""Issue 15: what background jobs (other processes) and the web server share on disk, and the
choice of how plans run (``Settings.background``)."""

from __future__ import annotations

import multiprocessing

import pytest

from equity import FoodshedError


def _put_in_child(folder, conn):
    """In a forked process: keep a run in the store on ``folder``, send its light record."""
    from dashboard.app.runs import RunStore

    store = RunStore(max_runs=2, folder=folder)
    conn.send(store.put({"id": "child", "kpis": {"need_met_kg": 7.0}, "flows": {"a": [1]}}))
    conn.close()


def _in_a_fork(target, arg):
    """What ``target(arg, conn)`` sends on ``conn`` from a forked process (which must end well)."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=target, args=(arg, child))
    proc.start()
    got = parent.recv()
    proc.join(30)
    assert proc.exitcode == 0
    return got


def test_a_run_kept_by_another_process_is_read_by_the_server(tmp_path):
    from dashboard.app.runs import RunStore

    server = RunStore(max_runs=2, folder=tmp_path)
    first = server.put({"id": "r1", "kpis": {}, "flows": {"a": [0]}})
    light = _in_a_fork(_put_in_child, tmp_path)
    # the server sees the child's run, tables included
    assert server.full(light) == {
        "id": "child",
        "kpis": {"need_met_kg": 7.0},
        "flows": {"a": [1]},
        "ref": light["ref"],
    }
    assert len(server) == 2
    # one more run: the oldest of the two processes' runs (the server's first) is dropped
    third = server.put({"id": "r3", "kpis": {}, "flows": {}})
    assert server.full(first) is None
    assert server.full(light)["id"] == "child" and server.full(third)["id"] == "r3"


def test_a_store_opened_on_the_same_folder_sees_the_same_runs_and_plans(tmp_path):
    from dashboard.app.runs import RunStore

    a = RunStore(max_runs=3, max_solutions=1, folder=tmp_path)
    b = RunStore(max_runs=3, max_solutions=1, folder=tmp_path)
    one = a.put({"id": "1", "flows": {"x": [1]}}, solution={"plan": 1})
    two = b.put({"id": "2", "flows": {"x": [2]}}, solution={"plan": 2})
    # only the newest plan is kept (max_solutions=1), whichever store kept it
    assert a.solution(one) is None and a.solution(two) == {"plan": 2}
    assert b.full(one)["flows"] == {"x": [1]} and a.full(two)["flows"] == {"x": [2]}
    # reading a run makes it the newest: after two more runs, run 1 stays and run 2 goes
    assert b.full(one) is not None
    a.put({"id": "3"})
    a.put({"id": "4"})
    assert a.full(one) is not None and a.full(two) is None


def test_a_folder_key_registered_by_one_catalog_loads_in_another(tmp_path, tiny_region):
    """A Celery worker builds its own catalog: it must load a session's folder by its key."""
    from dashboard.app.state import RegionCatalog
    from dashboard.settings import Settings

    folder = tiny_region.to_dir(tmp_path / "town")
    settings = Settings(cache_dir=tmp_path / "cache", upload_dir=tmp_path / "up")
    server = RegionCatalog(lambda: tiny_region, settings)
    key = server.add(folder, tiny_region)
    worker = RegionCatalog(lambda: tiny_region, settings)
    assert len(worker.region(key).areas) == 9
    with pytest.raises(FoodshedError, match="no longer loaded"):
        worker.region("r-not-a-key")


def test_settings_choose_how_plans_run_and_travel_by_environment(tmp_path):
    from dashboard.settings import Settings

    assert Settings(cache_dir=tmp_path).runner == "diskcache"
    assert Settings(cache_dir=tmp_path, background="off").runner == "off"
    celery = Settings(cache_dir=tmp_path, celery_broker="redis://127.0.0.1:6399/0", max_runs=7)
    assert celery.runner == "celery"
    back = Settings.from_env(celery.to_env())
    assert back == celery
    with pytest.raises(FoodshedError, match="needs a broker URL"):
        Settings(background="celery")
    with pytest.raises(FoodshedError, match="not a way to run plans"):
        Settings(background="threads")


@pytest.mark.parametrize(("background", "expected"), [("diskcache", True), ("off", False)])
def test_the_plan_and_the_curve_run_in_the_background_unless_off(
    tmp_path, tiny_region, background, expected
):
    from dashboard.app import Settings, create_app

    app = create_app(tiny_region, Settings(cache_dir=tmp_path, background=background))
    spec = {cb["output"]: bool(cb.get("background")) for cb in app._callback_list}
    plan = next(v for k, v in spec.items() if "pl-status.children" in k)
    curve = next(v for k, v in spec.items() if k.startswith("..cmp-curve.figure"))
    assert (plan, curve) == (expected, expected)


def test_cli_dashboard_with_a_broker_serves_with_celery_and_prints_the_worker_command(
    monkeypatch, tmp_path, capsys
):
    from dashboard import app as app_mod
    from dashboard.cli import main

    seen = {}

    def fake_serve(region, **kw):
        seen.update(kw)
        kw["ready"]()

    monkeypatch.setattr(app_mod, "serve", fake_serve)
    broker = "redis://127.0.0.1:6399/0"
    args = ["dashboard", "demo", "--celery-broker", broker, "--cache-dir", str(tmp_path)]
    assert main(args) == 0
    settings = seen["settings"]
    assert settings.runner == "celery" and settings.celery_broker == broker
    assert settings.cache_dir == tmp_path and settings.upload_dir == tmp_path / "uploads"
    out = " ".join(capsys.readouterr().out.split())
    assert f"FOODSHED_CELERY_BROKER={broker}" in out
    assert f"FOODSHED_CACHE_DIR={tmp_path}" in out
    assert "celery -A dashboard.worker worker" in out


def test_cli_dashboard_bad_background_is_one_clean_error(capsys):
    from dashboard.cli import main

    assert main(["dashboard", "demo", "--background", "threads"]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "not a way to run plans" in err and "diskcache, celery, off" in err
    assert "Traceback" not in err


def _read_in_child(cache, conn):
    """In a forked process: read and write the server's cache, on a connection of its own."""
    held = cache.__dict__["_fs_con"]
    conn.send((cache.get("from-server"), cache.set("from-job", 2), held[1] is cache._con))
    conn.close()


def test_a_shared_cache_has_one_connection_for_all_threads_and_its_own_in_a_job(tmp_path):
    """Web requests run in threads that end: a connection per thread was closed, inside
    SQLite and outside the fork lock, as each ended (a job forked then hung). One connection
    serves every thread; a forked job opens its own and leaves the server's alone."""
    import threading

    from dashboard.app.background import shared_cache

    cache = shared_cache(tmp_path)
    cache.set("from-server", 1)
    before = cache._con
    seen = []
    thread = threading.Thread(target=lambda: seen.append((cache.get("from-server"), cache._con)))
    thread.start()
    thread.join()
    assert seen == [(1, before)]  # the same connection in another thread
    got = _in_a_fork(_read_in_child, cache)
    assert got == (1, True, False)  # read, wrote, on a connection other than the server's
    assert cache.get("from-job") == 2 and cache._con is before

"""Issue 15, ten sessions at once: the disk-cache manager's jobs run one after another in
long-lived processes forked from the server (``dashboard/app/solver_pool.py``), first come
first served, and a cancelled or dead one is replaced. Real pools of forked processes, real
disk caches, and job functions with Dash's own signature (``job_fn(result_key,
progress_key, args, context)``)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="the pool forks its processes (POSIX only)"
)


def _until(pred, timeout=30.0, what="the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = pred()
        if got:
            return got
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def _jobs(cache, folder: Path) -> dict:
    """Job functions as Dash makes them, by name: ``run`` notes its name and pid in
    ``folder/log.txt`` (waiting first while ``folder/hold`` exists) and answers its pid; ``die``
    kills its own process; ``child`` starts a long-lived child process and waits."""

    def run(key, progress_key, args, context):
        while (folder / "hold").exists():
            time.sleep(0.01)
        with open(folder / "log.txt", "a") as fh:
            fh.write(f"{args[0]} {os.getpid()}\n")
        cache.set(key, {"pid": os.getpid(), "name": args[0], "context": context["x"]})

    def die(key, progress_key, args, context):
        os._exit(9)

    def child(key, progress_key, args, context):
        proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        (folder / "child.pid").write_text(str(proc.pid))
        time.sleep(600)

    return {"run": run, "die": die, "child": child}


@pytest.fixture()
def pool(tmp_path):
    from dashboard.app.background import shared_cache
    from dashboard.app.solver_pool import SolverPool

    cache = shared_cache(tmp_path / "jobs")
    registry = _jobs(cache, tmp_path)
    made = SolverPool(registry, cache, size=1)
    try:
        yield made
    finally:
        made.close()


def _submit(pool, name, key, who="x"):
    return pool.submit(pool.registry[name], key, f"{key}-progress", [key], {"x": who})


def _alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_jobs_wait_in_order_say_how_many_are_ahead_and_run_in_one_long_lived_process(
    pool, tmp_path
):
    """One process (one core). Four jobs come while the first is held; the third is cancelled
    while it waits: the others run in the order they came, each in the same process (forked
    once), and each waiting page was told how many plans were ahead of it."""
    (tmp_path / "hold").touch()
    pool.start()
    (pid,) = pool.processes()
    jobs = [_submit(pool, "run", k, who=k) for k in ("a", "b", "c", "d")]
    _until(lambda: pool.processes()[pid] == jobs[0], what="a to start")
    cache = pool.cache
    assert cache.get("b-progress") == [
        "Waiting for a free solver (other plans are being solved)..."
    ]
    assert cache.get("c-progress") == ["Waiting for a free solver (1 plan ahead of this one)..."]
    assert cache.get("d-progress") == ["Waiting for a free solver (2 plans ahead of this one)..."]
    pool.cancel(jobs[2])  # c leaves the queue: d moves up
    assert not pool.running(jobs[2])
    assert cache.get("d-progress") == ["Waiting for a free solver (1 plan ahead of this one)..."]
    assert all(pool.running(j) for j in (jobs[0], jobs[1], jobs[3]))
    (tmp_path / "hold").unlink()
    _until(lambda: cache.get("d") is not None, what="d's result")
    log = (tmp_path / "log.txt").read_text().split()
    assert log == ["a", str(pid), "b", str(pid), "d", str(pid)]
    assert cache.get("c") is None  # never ran
    assert cache.get("a") == {"pid": pid, "name": "a", "context": "a"}
    _until(lambda: not any(pool.running(j) for j in jobs), what="the jobs to end")
    assert pool.key_of(jobs[3]) == "d" and pool.key_of(jobs[2]) is None
    assert pool.processes() == {pid: None}  # the same process, free


def test_cancelling_a_running_job_stops_its_process_and_what_it_started(pool, tmp_path):
    pool.start()
    (first,) = pool.processes()
    job = _submit(pool, "child", "long")
    _until(lambda: (tmp_path / "child.pid").exists(), what="the job's own child process")
    grandchild = int((tmp_path / "child.pid").read_text())
    pool.cancel(job)
    assert not pool.running(job)
    _until(lambda: not _alive(first) and not _alive(grandchild), 10, "both to stop")
    (second,) = pool.processes()
    assert second != first and _alive(second)
    # the next plan runs in the new process
    _submit(pool, "run", "next")
    assert _until(lambda: pool.cache.get("next"), what="next's result")["pid"] == second
    assert pool.cache.get("long") is None


def test_a_process_that_dies_during_a_job_leaves_a_plain_error_and_is_replaced(pool):
    from dashboard.app.pages.common import plain_message
    from dashboard.app.solver_pool import STOPPED

    pool.start()
    (first,) = pool.processes()
    job = _submit(pool, "die", "dead")
    got = _until(lambda: pool.cache.get("dead"), what="the dead job's answer")
    assert got == {"background_callback_error": {"msg": STOPPED, "tb": ""}}
    assert not pool.running(job)
    _until(lambda: first not in pool.processes(), what="a new process")
    # what the page shows (Dash wraps the message in its own words)
    wrapped = Exception(f"An error occurred inside a background callback: {STOPPED}\n")
    assert plain_message(wrapped) == STOPPED
    _submit(pool, "run", "after")
    assert _until(lambda: pool.cache.get("after"), what="after's result")["name"] == "after"


def test_the_manager_keeps_an_ended_job_running_until_its_result_is_read(tmp_path):
    """Dash asks for the result, then whether the job still runs: a job that ended between the
    two must not look cancelled. Once read, a late cancel of it stops nothing."""
    from dashboard.app import Settings
    from dashboard.app.background import make_manager

    manager = make_manager(Settings(cache_dir=tmp_path))
    try:
        manager.register("answer", lambda x: {"got": x, "pid": os.getpid()}, False)
        job = manager.call_job_fn("k1", manager.func_registry["answer"], [5], {})
        pool = manager.solver_pool()
        (pid,) = [p for p, j in pool.processes().items() if j == job] or [None]
        _until(lambda: not pool.running(job), what="the job to end")
        assert manager.job_running(job)  # ended, its result not yet read
        result = manager.get_result("k1", job)
        assert result["got"] == 5 and result["pid"] in pool.processes()
        assert pid is None or result["pid"] == pid
        assert not manager.job_running(job)
        before = set(pool.processes())
        manager.terminate_job(job)  # Dash does this after reading a result
        assert set(pool.processes()) == before and all(_alive(p) for p in before)
    finally:
        manager.solver_pool().close()


def test_the_dashboard_runs_blas_on_one_thread():
    """Many plans at once, each on one core: OpenBLAS threads spinning between a plan's vector
    products cost 0.25 s of CPU per plan on the demo (docs/dashboard.md, Speed)."""
    from threadpoolctl import threadpool_info, threadpool_limits

    from dashboard.app import Settings, create_app

    with threadpool_limits(limits=2, user_api="blas"):  # as numpy starts on two cores
        create_app(settings=Settings(background="off"))
        blas = [i for i in threadpool_info() if i["user_api"] == "blas"]
        assert blas and all(i["num_threads"] == 1 for i in blas)


def test_after_close_the_next_job_runs_in_a_fresh_fork(pool):
    """Closed (the server stops, or a test changed the server's code): every process is gone,
    and a later job starts new ones, forked from the server as it is then."""
    pool.start()
    (first,) = pool.processes()
    pool.close()
    assert pool.processes() == {} and not _alive(first)
    _submit(pool, "run", "again")
    got = _until(lambda: pool.cache.get("again"), what="again's result")
    assert got["pid"] != first and list(pool.processes()) == [got["pid"]]


# -- review of the pool (races, dead processes, forks, restarts) ----------------------------------


def test_a_cancel_while_the_reader_is_about_to_wait_does_not_stop_the_pool(tmp_path, monkeypatch):
    """Cancel closes the stopped process's pipe while the pool's reader thread is between
    listing the pipes and waiting on them: the reader must not die of the closed pipe (it
    did: every later job then waited forever, its end never heard)."""
    import multiprocessing.connection
    import threading

    from dashboard.app.background import shared_cache
    from dashboard.app.solver_pool import SolverPool

    real = multiprocessing.connection.wait
    entered, proceed, armed = threading.Event(), threading.Event(), threading.Event()

    def gated(objects, timeout=None):
        if armed.is_set():
            armed.clear()
            entered.set()
            proceed.wait(10)
        return real(objects, timeout)

    monkeypatch.setattr(multiprocessing.connection, "wait", gated)
    cache = shared_cache(tmp_path / "jobs")
    pool = SolverPool(_jobs(cache, tmp_path), cache, size=1)
    try:
        pool.start()
        job = _submit(pool, "child", "long")
        _until(lambda: (tmp_path / "child.pid").exists(), what="the long job to start")
        armed.set()
        pool._wake()  # the reader lists the pipes again, then stops at the gate
        assert entered.wait(10)
        pool.cancel(job)  # closes the listed pipe
        proceed.set()
        a, b = _submit(pool, "run", "a"), _submit(pool, "run", "b")
        _until(lambda: cache.get("b"), 20, "b's result (dispatched after a ended)")
        _until(lambda: not pool.running(a) and not pool.running(b), 10, "a and b to end")
    finally:
        proceed.set()
        pool.close()


def test_a_process_that_cannot_be_replaced_at_once_does_not_stop_the_pool(pool, monkeypatch):
    """A process dies (out of memory) and forking its replacement fails once (memory is short
    then too): the reader thread keeps going, tries again, and the next jobs run."""
    from dashboard.app.solver_pool import STOPPED

    pool.start()
    real = pool._spawn
    failures = []

    def spawn():
        if not failures:
            failures.append(1)
            raise OSError(12, "Cannot allocate memory")
        return real()

    monkeypatch.setattr(pool, "_spawn", spawn)
    _submit(pool, "die", "dead")
    got = _until(lambda: pool.cache.get("dead"), what="the dead job's answer")
    assert got["background_callback_error"]["msg"] == STOPPED
    job = _submit(pool, "run", "after")
    assert _until(lambda: pool.cache.get("after"), 20, "after's result")["name"] == "after"
    _until(lambda: not pool.running(job), 10, "after to end")
    assert failures == [1] and len(pool.processes()) == 1


def test_a_result_written_just_before_the_process_died_is_kept(pool):
    """The job wrote its result and its process died before saying it ended: the page gets
    the result, not STOPPED written over it."""
    pool.registry["write_then_die"] = _write_then_die(pool.cache)
    pool.start()
    job = _submit(pool, "write_then_die", "k")
    _until(lambda: not pool.running(job), what="the job to end")
    assert pool.cache.get("k") == {"done": True}


def _write_then_die(cache):
    def write_then_die(key, progress_key, args, context):
        cache.set(key, {"done": True})
        os._exit(9)

    return write_then_die


def test_job_ids_are_not_reused_by_the_next_server_on_the_same_cache(tmp_path):
    """The signing secret of the jobs' handles is kept in ``cache_dir`` (a server restarted on
    the same ``--cache-dir`` signs with the same one), so a page opened before the restart still
    sends valid handles: its old job's id must not be a job of the new server (the old page's
    Cancel stopped another session's plan, whose page then went quiet)."""
    from dashboard.app import Settings
    from dashboard.app.background import make_manager

    old = make_manager(Settings(cache_dir=tmp_path))
    old.register("answer", lambda x: x, False)
    old_job = old.call_job_fn("k-old", old.func_registry["answer"], [1], {})
    _until(lambda: old.result_ready("k-old"), what="the old server's job")
    old.solver_pool().close()

    new = make_manager(Settings(cache_dir=tmp_path))
    try:
        new.register("wait", lambda x: time.sleep(600), False)
        job = new.call_job_fn("k-new", new.func_registry["wait"], [1], {})
        assert str(job) != str(old_job)
        new.terminate_job(old_job)  # the old page's Cancel (or oldJob)
        assert new.job_running(job)
        assert job in new.solver_pool().processes().values()
    finally:
        new.solver_pool().close()


def test_a_server_forked_after_its_pool_started_runs_its_own_jobs(tmp_path):
    """A server process forked from one whose pool had started (a pre-forking server) cannot
    use its parent's processes (it wrote to their pipes, had no reader to hear them end, and
    once it thought them all busy its jobs waited forever): it gets a pool of its own."""
    from dashboard.app import Settings
    from dashboard.app.background import make_manager

    manager = make_manager(Settings(cache_dir=tmp_path))
    manager.register("answer", lambda x: {"got": x}, False)
    manager.solver_pool().start()
    try:
        pid = os.fork()
        if pid == 0:  # the forked server
            code = 1
            try:  # one plan after another, one more than there are processes
                for n in range((os.cpu_count() or 1) + 1):
                    job = manager.call_job_fn(f"k{n}", manager.func_registry["answer"], [n], {})
                    deadline = time.monotonic() + 20
                    while manager.handle.get(f"k{n}") != {"got": n}:
                        assert time.monotonic() < deadline
                        time.sleep(0.05)
                    assert manager.get_result(f"k{n}", job) == {"got": n}
                code = 0
            finally:
                manager.solver_pool().close()
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        manager.solver_pool().close()


def test_a_job_that_cannot_be_sent_fails_alone(pool, tmp_path):
    """A job whose arguments cannot be pickled (Dash sends JSON, so defensive) gets its own
    plain error; the job queued behind it goes out to the same free process at once."""
    (tmp_path / "hold").touch()
    pool.start()
    first = _submit(pool, "run", "first")
    _until(lambda: any(pool.processes().values()), what="first to start")
    bad = pool.submit(pool.registry["run"], "bad", "bad-progress", [lambda: 0], {"x": "bad"})
    _submit(pool, "run", "good", who="good")
    (tmp_path / "hold").unlink()  # first ends: the reader sends out bad (fails), then good
    got = _until(lambda: pool.cache.get("good"), what="good's result")
    assert got["name"] == "good"
    error = pool.cache.get("bad")["background_callback_error"]["msg"]
    assert error.startswith("The plan could not be sent to a solver")
    assert not pool.running(bad) and not pool.running(first)


_SERVER = """
import os, signal, sys, tempfile, time
from dashboard.app.background import shared_cache
from dashboard.app.solver_pool import SolverPool
from dashboard.cli.main import _terminate
signal.signal(signal.SIGTERM, _terminate)  # as `foodshed dashboard` does
pool = SolverPool({{}}, shared_cache(tempfile.mkdtemp()), size=2)
pool.start()
print(" ".join(map(str, pool.processes())), flush=True)
{end}
"""


@pytest.mark.parametrize("end", ["exits", "is killed", "is terminated"])
def test_no_job_process_outlives_its_server(end):
    """A server that exits closes its pool (before multiprocessing's own exit handler, which
    stopped the processes one by one while the pool forked a replacement for each, left
    behind); one killed outright (kill -9, out of memory) leaves processes that notice within
    a second and end. A process left behind would hold its memory and the server's open
    files (the test's own output pipe among them) for ever."""
    wait = "try:\n    time.sleep(600)\nexcept KeyboardInterrupt:\n    sys.exit(143)"
    code = _SERVER.format(end="" if end == "exits" else wait)
    code += f"# {os.getpid()}-{time.time_ns()}\n"  # its processes, and only they, run this
    root = str(Path(__file__).resolve().parents[2])
    server = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": root},
    )
    pids = [int(p) for p in server.stdout.readline().split()]
    assert len(pids) == 2
    if end != "exits":
        assert all(_alive(p) for p in pids)
        server.kill() if end == "is killed" else server.terminate()
    _, err = server.communicate(timeout=30)
    # the job processes do not inherit the server's SIGTERM handler (a traceback in each)
    assert "Traceback" not in err, err

    def left() -> list[int]:
        import psutil

        out = []
        for proc in psutil.process_iter(["cmdline"]):
            if (proc.info["cmdline"] or [])[-1:] == [code] and _alive(proc.pid):
                out.append(proc.pid)
        return out

    # an exiting server forks no replacement for the processes it stops
    assert not set(left()) - set(pids)
    _until(lambda: not left(), 10, "every process of the server to end")

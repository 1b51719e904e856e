"""Plans and the efficiency curve run off the web server's threads (issue 15).

A solve used to run inside the web request, so a few sessions solving at once held every web
worker. Now the Plan page's run and the Compare page's curve are Dash *background callbacks*:

- ``Settings.background == "diskcache"`` (default): jobs run one after another in
  ``os.cpu_count()`` long-lived processes forked from the server after its warm-up (so they
  start with its loaded regions and warm solver bases), first come first served
  (:class:`.solver_pool.SolverPool` behind :class:`dash.DiskcacheManager`); progress and
  results pass through a :class:`diskcache.Cache` in ``Settings.cache_dir``.
- ``"celery"`` (``Settings.celery_broker`` given): jobs go to Celery workers through the broker
  (Redis); the workers build the same app from the same settings (``dashboard/worker.py``).
- ``"off"``: the callbacks run in the web request as before (the benchmark's baseline).

What a job writes for the page later (the run's tables and plan, :class:`.runs.RunStore`) and the
folders behind session keys (:class:`.state.RegionCatalog`) live in ``Settings.cache_dir``, shared
by the server and every job. See docs/dashboard.md, Background runs.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import dash_bootstrap_components as dbc
from dash import Input, Output, ctx, dcc, html, no_update

from ..settings import Settings

__all__ = [
    "INTERVAL_MS",
    "background_callback",
    "celery_app",
    "make_manager",
    "one_blas_thread",
    "progress_box",
]

#: How often (ms) a page asks for a job's progress and result
INTERVAL_MS = 250
#: Where the app keeps its manager (None: background callbacks are off)
MANAGER = "FOODSHED_BACKGROUND"
HIDDEN = {"display": "none"}


def one_blas_thread() -> None:
    """Let the BLAS libraries of this process (numpy's and scipy's OpenBLAS) use one thread.

    A server solves many people's plans at once, each on one core. A plan makes a few dozen
    vector products (a stage's cost of a plan: ``c . x`` over every column); OpenBLAS splits
    each long one over a thread per core, and its threads then spin waiting for more work.
    On the demo that cost 0.25 s of CPU per plan for nothing (0.68 s of CPU with them, 0.43 s
    without; the same wall time; docs/dashboard.md, Speed), CPU the other sessions' plans
    were waiting for. Process-wide, and inherited by the jobs forked from the server."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def celery_app(settings: Settings) -> Any:
    """The Celery app of ``settings.celery_broker`` (the broker is its result store too)."""
    from celery import Celery

    app = Celery("foodshed", broker=settings.celery_broker, backend=settings.celery_broker)
    app.conf.update(
        # one job at a time per worker process; a solve is long, so no prefetching
        worker_prefetch_multiplier=1,
        task_acks_late=False,
        broker_connection_retry_on_startup=True,
        result_expires=3600,
    )
    return app


def make_manager(settings: Settings) -> Any:
    """The background callback manager ``settings`` ask for (None when they are off)."""
    runner = settings.runner
    if runner == "off":
        return None
    if runner == "celery":
        return _celery_manager()(celery_app(settings))
    cache = shared_cache(Path(settings.cache_dir) / "jobs")
    return _diskcache_manager()(cache, expire=3600)


def stop_jobs(app: Any) -> None:
    """Stop ``app``'s job processes (a server that stops serving, in tests and benchmarks;
    at exit they stop on their own)."""
    manager = app.server.config.get(MANAGER)
    pool = getattr(manager, "pool", None)
    if pool is not None:
        pool.close()


#: Held by every use of SQLite in this process (the shared caches) and while a job is forked:
#: a thread inside SQLite at the fork would leave SQLite's own mutex locked in the child, and
#: the job would hang at its first read (seen with ten sessions at once).
_SQLITE = threading.RLock()


@contextlib.contextmanager
def forking() -> Iterator[None]:
    """Held while this process forks a job process: no thread of it is inside SQLite then."""
    with _SQLITE:
        yield


#: Connections a forked job inherited from the server: kept, never used or closed in the job
#: (closing one would touch SQLite's state the server still uses)
_INHERITED: list[Any] = []


def shared_cache(folder: str | Path) -> Any:
    """A :class:`diskcache.Cache` in ``folder`` whose reads and writes wait for SQLite's lock
    (``retry``) instead of failing (a dozen jobs write their results at once under load), and
    never run while a job is being forked (:data:`_SQLITE`).

    Every use of it holds :data:`_SQLITE`, so one connection per process serves every thread.
    (diskcache's own is one per thread: the web server runs a thread per request, and a
    thread's connection was closed, inside SQLite, when the thread ended, outside the lock;
    a job forked at that moment inherited SQLite's memory mutex locked and hung at its first
    read: seen once in six rounds of ten sessions.)"""
    import sqlite3

    import diskcache
    from diskcache.core import DBNAME

    def connection(self: Any) -> Any:
        held = self.__dict__.get("_fs_con")
        if held is not None and held[0] == os.getpid():
            return held[1]
        if held is not None:  # the server's, in a forked job
            _INHERITED.append(held[1])
        con = sqlite3.connect(
            os.path.join(self._directory, DBNAME),
            timeout=self._timeout,
            isolation_level=None,
            check_same_thread=False,
        )
        self.__dict__["_fs_con"] = (os.getpid(), con)
        try:  # as diskcache does: its per-connection pragmas, from its Settings table
            settings = con.execute("SELECT key, value FROM Settings").fetchall()
        except sqlite3.OperationalError:
            settings = []
        for key, value in settings:
            if key.startswith("sqlite_"):
                self.reset(key, value, update=False)
        return con

    def patient(name: str) -> Callable[..., Any]:
        base = getattr(diskcache.Cache, name)

        @functools.wraps(base)
        def method(self: Any, *a: Any, **k: Any) -> Any:
            if name != "reset":
                k.setdefault("retry", True)
            with _SQLITE:
                return base(self, *a, **k)

        return method

    @contextlib.contextmanager
    def transact(self: Any, retry: bool = True) -> Iterator[None]:
        with _SQLITE, diskcache.Cache.transact(self, retry):
            yield

    methods: dict[str, Any] = {
        n: patient(n) for n in ("set", "add", "get", "delete", "touch", "reset")
    }

    def close(self: Any) -> None:
        held = self.__dict__.pop("_fs_con", None)
        with _SQLITE:
            if held is not None and held[0] == os.getpid():
                held[1].close()
            elif held is not None:
                _INHERITED.append(held[1])
            diskcache.Cache.close(self)

    methods |= {"transact": transact, "_con": property(connection), "close": close}
    Patient = type("Patient", (diskcache.Cache,), methods)
    with _SQLITE:
        return Patient(str(folder))


def _finished_counts(manager: type) -> type:
    """``manager`` (Celery's) whose job counts as running until its result is collected (the
    disk-cache manager's pool does the same with what it knows of its jobs).

    Dash asks for a job's result, then whether it still runs; a job that ends between the two
    looks cancelled and its result is never shown (a fast plan on a small region hits this).
    The job's result key is kept under its id (in the manager's own store, so every web worker
    sees it), and a job that ended with its result waiting counts as running: the next poll
    collects the result.
    """

    class Finished(manager):  # type: ignore[misc, valid-type]
        def call_job_fn(self, key: str, job_fn: Any, args: Any, context: Any) -> Any:
            with _SQLITE:  # no thread of this process is inside SQLite while it forks
                job = super().call_job_fn(key, job_fn, args, context)
            self._remember(f"foodshed-job-{job}", key)
            return job

        def job_running(self, job: Any) -> bool:
            if super().job_running(job):
                return True
            key = self._recall(f"foodshed-job-{job}")
            return key is not None and self.result_ready(key)

    Finished.__name__ = Finished.__qualname__ = manager.__name__
    return Finished


def _diskcache_manager() -> type:
    """Dash's disk-cache manager whose jobs run in a :class:`.solver_pool.SolverPool` (long-lived
    processes forked from the server) instead of a new process each."""
    from dash import DiskcacheManager

    from .solver_pool import SolverPool

    class Manager(DiskcacheManager):
        pool: SolverPool | None = None

        def solver_pool(self) -> SolverPool:
            # a server forked from this one (a pre-forking server) gets a pool of its own: its
            # parent's processes are not its children, and their pipes are its parent's
            if self.pool is None or not self.pool.owned():
                self.pool = SolverPool(self.func_registry, self.handle)
            return self.pool

        def call_job_fn(self, key: str, job_fn: Any, args: Any, context: Any) -> Any:
            return self.solver_pool().submit(
                job_fn, key, self._make_progress_key(key), args, context
            )

        def job_running(self, job: Any) -> bool:
            # a job that ended with its result waiting counts as running: the next poll
            # collects it (see _finished_counts)
            if job is None:
                return False
            pool = self.solver_pool()
            if pool.running(str(job)):
                return True
            key = pool.key_of(str(job))
            return key is not None and self.result_ready(key)

        def terminate_job(self, job: Any) -> None:
            if job is not None:
                self.solver_pool().cancel(str(job))

        def terminate_unhealthy_job(self, job: Any) -> bool:
            return False  # a job's process that dies is replaced, and its page told

        def get_result(self, key: str, job: Any) -> Any:
            result = super().get_result(key, None)
            if job is not None and result is not self.UNDEFINED:
                self.solver_pool().collected(str(job))  # ended: a late cancel stops nothing
            return result

    return Manager


def _celery_manager() -> type:
    from dash import CeleryManager

    class Manager(CeleryManager):
        def _remember(self, name: str, value: str) -> None:
            self.handle.backend.set(name, value.encode())

        def _recall(self, name: str) -> str | None:
            raw = self.handle.backend.get(name)
            return None if raw is None else raw.decode() if isinstance(raw, bytes) else str(raw)

    return _finished_counts(Manager)


def progress_box(progress_id: str, cancel_id: str, note_id: str, start_id: str) -> html.Div:
    """The line saying what a running job is doing, its Cancel button (shown while it runs),
    and the note left when it was cancelled."""
    del start_id  # its store is in the app's shell (:func:`start_stores`)
    return html.Div(
        [
            html.Span(id=progress_id, className="fs-caption me-2"),
            dbc.Button("Cancel", id=cancel_id, size="sm", color="outline-secondary", style=HIDDEN),
            html.Div(id=note_id),
        ],
        className="mt-2",
    )


def background_callback(
    app: Any,
    *args: Any,
    progress_id: str,
    cancel_id: str,
    note_id: str,
    start_id: str,
    cancelled: str,
    running: list[Any] | None = None,
    **kwargs: Any,
) -> Callable[[Callable[..., Any]], Any]:
    """``app.callback(*args, **kwargs)`` run in the background by the app's manager, with
    progress and Cancel; the callback takes ``set_progress`` (a function of one text) first.

    ``progress_id`` shows the text given to ``set_progress``; ``cancel_id`` (a button of
    :func:`progress_box`) stops the job; ``note_id`` then says ``cancelled`` until
    ``start_id`` (the button that starts the job) is pressed again. With background callbacks
    off (``Settings.background="off"``) the callback runs in the request and progress is
    dropped.
    """
    manager = app.server.config.get(MANAGER)
    running = list(running or [])

    @app.callback(
        Output(note_id, "children"),
        Input(cancel_id, "n_clicks"),
        Input(start_id, "n_clicks"),
        prevent_initial_call=True,
    )
    def _cancelled(n_cancel, _n_start):
        if ctx.triggered_id == cancel_id and n_cancel:
            return dbc.Alert(cancelled, color="secondary", className="mb-2 py-2")
        return "" if ctx.triggered_id == start_id else no_update

    if manager is None:

        def sync(fn: Callable[..., Any]) -> Any:
            @functools.wraps(fn)
            def call(*a: Any) -> Any:
                return fn(_no_progress, *a)

            return app.callback(*args, running=running or None, **kwargs)(call)

        return sync

    # Dash calls a page's callbacks when the page opens (n_clicks None): in the background that
    # would start a job for nothing, and a click made while it runs was lost. The job listens
    # to a store of the app's shell instead (not new when a page opens), to which the button's
    # real clicks are copied, in the browser.
    app.clientside_callback(
        "(n) => n ? Date.now() : window.dash_clientside.no_update",
        Output(_go(start_id), "data"),
        Input(start_id, "n_clicks"),
        prevent_initial_call=True,
    )
    args = tuple(
        Input(_go(start_id), "data")
        if isinstance(a, Input) and (a.component_id, a.component_property) == (start_id, "n_clicks")
        else a
        for a in args
    )
    running.append((Output(cancel_id, "style"), {}, HIDDEN))
    # said at once (a Celery job may wait for a free worker), cleared when the job ends
    running.append((Output(progress_id, "children"), "Starting...", ""))
    decorate = app.callback(
        *args,
        background=True,
        manager=manager,
        progress=Output(progress_id, "children"),
        progress_default="",
        cancel=[Input(cancel_id, "n_clicks")],
        interval=INTERVAL_MS,
        running=running,
        **kwargs,
    )
    if not hasattr(manager, "solver_pool"):  # Celery: a worker's --concurrency sets how many
        return decorate

    def plain(fn: Callable[..., Any]) -> Any:
        @functools.wraps(fn)
        def job(set_progress: Callable[[str], Any], *a: Any) -> Any:
            return _plain_figures(fn(set_progress, *a))

        return decorate(job)

    return plain


def _plain_figures(outputs: Any) -> Any:
    """A job's outputs with each plotly figure as its plain dict (what the page receives).

    The result is pickled into the job cache and unpickled by the server inside the cache's
    lock: a figure rebuilt from its pickle is validated again by plotly, 0.1-0.3 s each under
    load, while every poll of every other page waited for that lock (ten sessions at once)."""
    import plotly.graph_objects as go

    if isinstance(outputs, (list, tuple)):
        return type(outputs)(_plain_figures(o) for o in outputs)
    return outputs.to_plotly_json() if isinstance(outputs, go.Figure) else outputs


def start_stores(*start_ids: str) -> list[dcc.Store]:
    """The stores of the clicks of the buttons that start background jobs (in the app's shell)."""
    return [dcc.Store(id=_go(i)) for i in start_ids]


def _go(start_id: str) -> str:
    """The id of the store of ``start_id``'s clicks."""
    return f"{start_id}-go"


def _no_progress(*_: Any) -> None:
    """``set_progress`` of a callback run in the request: nobody would see it."""


def _after_fork() -> None:
    """In a forked job: locks another thread of the server held at the fork are new, free ones
    (a job never waits for a thread that does not exist in its process)."""
    from optimize.caches import CACHES as OPT

    from ..caches import CACHES as DASH

    global _SQLITE
    OPT.lock = threading.Lock()
    DASH.lock = threading.Lock()
    _SQLITE = threading.RLock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)

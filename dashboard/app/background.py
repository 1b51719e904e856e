"""Plans and the efficiency curve run off the web server's threads (issue 15).

A solve used to run inside the web request, so a few sessions solving at once held every web
worker. Now the Plan page's run and the Compare page's curve are Dash *background callbacks*:

- ``Settings.background == "diskcache"`` (default): each job runs in a process of its own
  (:class:`dash.DiskcacheManager`, forked from the server, so it starts with the server's
  loaded regions and warm solver bases); progress and results pass through a
  :class:`diskcache.Cache` in ``Settings.cache_dir``.
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
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import dash_bootstrap_components as dbc
from dash import Input, Output, ctx, dcc, html, no_update

from ..settings import Settings

__all__ = ["INTERVAL_MS", "background_callback", "celery_app", "make_manager", "progress_box"]

#: How often (ms) a page asks for a job's progress and result
INTERVAL_MS = 250
#: Where the app keeps its manager (None: background callbacks are off)
MANAGER = "FOODSHED_BACKGROUND"
HIDDEN = {"display": "none"}


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
    manager = _diskcache_manager()(cache, expire=3600)
    manager.slots = Path(settings.cache_dir) / "slots"
    return manager


#: Held by every use of SQLite in this process (the shared caches) and while a job is forked:
#: a thread inside SQLite at the fork would leave SQLite's own mutex locked in the child, and
#: the job would hang at its first read (seen with ten sessions at once).
_SQLITE = threading.RLock()


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


@contextlib.contextmanager
def solver_slot(folder: Path, set_progress: Callable[[str], Any]) -> Iterator[None]:
    """Hold one of ``os.cpu_count()`` solver slots (lock files in ``folder``) while a forked job
    solves; wait, saying so, while all are taken. Ten jobs on two cores each finish sooner one
    after another than all at once. Waiting jobs take the slots first come, first served: each
    holds a lock on a ticket file in ``folder/queue`` named by when it came, and tries the
    slots only when no live ticket is older. A killed (cancelled) job's locks go with its
    process, and its ticket is then skipped and removed."""
    import fcntl

    folder.mkdir(parents=True, exist_ok=True)
    queue = folder / "queue"
    queue.mkdir(exist_ok=True)
    n = max(1, os.cpu_count() or 1)
    ticket = queue / f"{time.time_ns():020d}-{os.getpid()}"
    # locked before it is in the queue (renamed into it), so no job takes it for a dead one
    staged = folder / f"{ticket.name}.new"
    mine = staged.open("w")
    fcntl.flock(mine, fcntl.LOCK_EX)
    staged.rename(ticket)
    told = -1
    try:
        while True:
            ahead = _live_tickets_before(queue, ticket.name)
            if not ahead:  # the oldest waiting job tries the free slots
                slot = _free_slot(folder, n)
                if slot is not None:
                    break
            if ahead != told:
                plans = "1 plan" if ahead == 1 else f"{ahead} plans"
                set_progress(
                    f"Waiting for a free solver ({plans} ahead of this one)..."
                    if ahead
                    else "Waiting for a free solver (other plans are being solved)..."
                )
                told = ahead
            time.sleep(0.05)
    finally:
        ticket.unlink(missing_ok=True)
        fcntl.flock(mine, fcntl.LOCK_UN)
        mine.close()
    try:
        yield
    finally:
        fcntl.flock(slot, fcntl.LOCK_UN)
        slot.close()


def _free_slot(folder: Path, n: int) -> Any:
    """An open, locked slot file of ``folder`` (one of ``n``), or None when all are taken."""
    import fcntl

    for i in range(n):
        fh = (folder / f"slot-{i}").open("a")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            continue
        return fh
    return None


def _live_tickets_before(queue: Path, name: str) -> int:
    """How many jobs still waiting came before ticket ``name`` (a ticket whose lock is free
    belongs to a job that is gone: it is removed)."""
    import fcntl

    ahead = 0
    for other in sorted(p.name for p in queue.iterdir()):
        if other >= name:
            break
        try:
            fh = (queue / other).open("r")
        except OSError:  # taken its slot meanwhile
            continue
        with fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                ahead += 1  # its job waits
                continue
            (queue / other).unlink(missing_ok=True)  # its job is gone
            fcntl.flock(fh, fcntl.LOCK_UN)
    return ahead


def _finished_counts(manager: type) -> type:
    """``manager`` whose job counts as running until its result is collected.

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
    from dash import DiskcacheManager

    class Manager(DiskcacheManager):
        def _remember(self, name: str, value: str) -> None:
            self.handle.set(name, value, expire=3600)

        def _recall(self, name: str) -> str | None:
            return self.handle.get(name)

    return _finished_counts(Manager)


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
    slots = getattr(manager, "slots", None)
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
    if slots is None:  # Celery: a worker's --concurrency sets how many solve at once
        return decorate

    def in_slot(fn: Callable[..., Any]) -> Any:
        @functools.wraps(fn)
        def job(set_progress: Callable[[str], Any], *a: Any) -> Any:
            with solver_slot(slots, set_progress):
                return _plain_figures(fn(set_progress, *a))

        return decorate(job)

    return in_slot


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

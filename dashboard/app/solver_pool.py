"""Long-lived job processes for the dashboard's background runs (issue 15, ten sessions at once).

The disk-cache manager used to fork a new process for every plan. A fresh fork pays for itself
on every plan: each page of the server's memory the plan writes is copied (about 50,000 page
faults, 0.2 s of system CPU per plan on the demo), and the solver starts from the server's
start-up basis, never from the last plan. A :class:`SolverPool` forks ``size`` job processes
from the server once (``os.cpu_count()``: one plan per core at a time) and hands them one job
after another, first come first served:

- the server keeps the queue; a free process gets the oldest waiting job, and each waiting
  page is told how many plans are ahead of it ("Waiting for a free solver (2 plans ahead of
  this one)...");
- a job cancelled while it waits leaves the queue; one cancelled while it runs is stopped by
  stopping its process (and whatever the process started, such as CBC), and a new process
  takes its place;
- a process that dies during a job (out of memory, killed) leaves that job a plain error
  (:data:`STOPPED`), and a new process takes its place.

A process is a fork of the server taken when the pool starts (after the warm-up, so it starts
with the loaded regions and warm solver bases): what it reads later (runs, uploaded regions)
it reads from ``Settings.cache_dir``, as a Celery worker does. One server process owns its
pool (a server process forked from it makes its own); several server processes, or machines,
use Celery (docs/dashboard.md, Background runs). The processes are daemonic (they end with the
server), so a job may start programs (CBC) but not ``multiprocessing`` processes of its own.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import itertools
import logging
import multiprocessing
import multiprocessing.util  # its exit handler is registered first, so runs after ours
import os
import secrets
import signal
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.reduction import ForkingPickler as _ForkingPickler
from typing import Any

__all__ = ["STOPPED", "SolverPool"]

_log = logging.getLogger("dashboard.app")

#: What a page is told when the process solving its job died (shown by ``on_error``)
STOPPED = (
    "The process solving this plan stopped before it finished (the server may be short of "
    "memory). Press the button again to start it again."
)


#: The pools of this process, closed at exit (before multiprocessing's own exit handler, which
#: stops the processes one by one: a pool still open would fork a replacement for each, left
#: behind once the server is gone). Exit handlers run last registered first, and
#: ``multiprocessing.util`` registers its own when imported (above, before this one).
_POOLS: weakref.WeakSet[SolverPool] = weakref.WeakSet()


@atexit.register
def _close_pools() -> None:
    for pool in list(_POOLS):
        with contextlib.suppress(Exception):
            pool.close()


@dataclass(eq=False)
class _Job:
    id: str
    name: str  # the job function's name in the manager's registry
    key: str  # the result's cache key
    progress_key: str
    args: Any
    context: Any
    told: int = -1  # the last "plans ahead" said to its page


@dataclass(eq=False)
class _Worker:
    process: Any
    conn: Any
    job: _Job | None = None


class SolverPool:
    """``size`` job processes forked from this one, fed from one queue (see the module).

    ``registry`` is the manager's ``func_registry`` (the job functions by name: a forked
    process has the same ones); ``cache`` the manager's cache, where jobs write their
    progress and results and where :data:`STOPPED` is written for a job whose process died.
    """

    def __init__(
        self, registry: dict[str, Callable[..., Any]], cache: Any, size: int | None = None
    ) -> None:
        self.registry = registry
        self.cache = cache
        self.size = max(1, size or os.cpu_count() or 1)
        self._lock = threading.RLock()
        self._queue: collections.deque[_Job] = collections.deque()
        self._workers: list[_Worker] = []
        self._jobs: dict[str, _Job] = {}  # queued or running, by id
        self._collected: collections.OrderedDict[str, None] = collections.OrderedDict()
        self._ended: collections.OrderedDict[str, str] = collections.OrderedDict()  # id: key
        # ids unique to this pool: a page opened before the server restarted still holds valid
        # handles (the signing secret is kept in the cache), which must name no job of this one
        self._ids = (f"{secrets.token_hex(6)}-{n}" for n in itertools.count(1))
        self._wake_r, self._wake_w = os.pipe()
        self._owner = os.getpid()
        self._reader: threading.Thread | None = None
        _POOLS.add(self)
        self._closed = False
        self._generation = 0  # each start after a close: a new reader thread

    # -- the server's side ------------------------------------------------------------------

    def start(self) -> None:
        """Fork the processes now (else at the first job). Call it after the warm-up, so they
        start with what the server has loaded. After :meth:`close`, new processes are forked
        from the server as it is now."""
        with self._lock:
            if os.getpid() != self._owner:
                return
            if self._closed:
                self._closed = False
                self._generation += 1
                self._reader = None
            while len(self._workers) < self.size:
                self._workers.append(self._spawn())
            if self._reader is None:
                self._reader = threading.Thread(
                    target=self._read,
                    args=(self._generation,),
                    name="foodshed-solver-pool",
                    daemon=True,
                )
                self._reader.start()

    def submit(
        self, job_fn: Callable[..., Any], key: str, progress_key: str, args: Any, context: Any
    ) -> str:
        """Queue ``job_fn(key, progress_key, args, context)``; the job's id."""
        name = next((n for n, f in self.registry.items() if f is job_fn), None)
        if name is None:
            msg = "a background job whose function the app never registered"
            raise RuntimeError(msg)
        if os.getpid() != self._owner:
            msg = "a solver pool of another process (this one is a fork of it)"
            raise RuntimeError(msg)
        self.start()
        with self._lock:
            job = _Job(next(self._ids), name, key, progress_key, args, dict(context))
            self._jobs[job.id] = job
            self._queue.append(job)
            self._dispatch()
        return job.id

    def owned(self) -> bool:
        """Whether this process is the one that made the pool (not a fork of it)."""
        return os.getpid() == self._owner

    def running(self, job_id: str) -> bool:
        """Whether job ``job_id`` waits or runs."""
        with self._lock:
            return job_id in self._jobs

    def processes(self) -> dict[int, str | None]:
        """The job processes now: each one's pid and the id of the job it runs (None: free)."""
        with self._lock:
            return {w.process.pid: w.job.id if w.job else None for w in self._workers}

    def key_of(self, job_id: str) -> str | None:
        """The result key of job ``job_id`` if it has ended (lately), else None."""
        with self._lock:
            return self._ended.get(job_id)

    def collected(self, job_id: str) -> None:
        """The page read job ``job_id``'s result: it has ended (even if its process has not yet
        said so), so a later :meth:`cancel` of it stops nothing."""
        with self._lock:
            self._collected[job_id] = None
            while len(self._collected) > 10_000:
                self._collected.popitem(last=False)

    def cancel(self, job_id: str) -> None:
        """Take job ``job_id`` out of the queue, or stop the process running it (a new one
        takes its place); nothing for a job that has ended."""
        with self._lock:
            job = self._jobs.pop(job_id, None)
            if job is None or job_id in self._collected:
                return
            if job in self._queue:
                self._queue.remove(job)
                self._tell_waiting()
                return
            for i, w in enumerate(self._workers):
                if w.job is job:
                    _stop(w.process.pid)
                    w.process.join(5)
                    w.conn.close()
                    self._workers.pop(i)
                    self._top_up()
                    self._dispatch()
                    return

    def close(self) -> None:
        """Stop every process and forget the waiting jobs (the server is shutting down; or, in
        tests, the next job should run in a fresh fork of the server as it is now)."""
        with self._lock:
            self._closed = True
            for w in self._workers:
                with contextlib.suppress(OSError):
                    w.conn.close()
                _stop(w.process.pid)
            for w in self._workers:
                w.process.join(5)
            self._workers = []
            self._queue.clear()
            self._jobs.clear()
            self._wake()

    def _spawn(self) -> _Worker:
        from .background import forking

        ctx = multiprocessing.get_context("fork")
        ours, theirs = ctx.Pipe()
        with forking():
            process = ctx.Process(
                target=_serve_jobs,
                args=(theirs, self.registry, self.cache, os.getpid()),
                daemon=True,
            )
            process.start()
        theirs.close()
        self._wake()  # the reader listens to the new process too
        return _Worker(process, ours)

    def _top_up(self) -> bool:
        """Fork processes until there are ``size`` (the lock held); False when a fork failed
        (the reader tries again a moment later)."""
        while not self._closed and len(self._workers) < self.size:
            try:
                self._workers.append(self._spawn())
            except Exception:  # out of memory or file handles: the queue waits meanwhile
                _log.exception("starting a solver process")
                self._wake()
                return False
        return True

    def _dispatch(self) -> None:
        """Give the oldest waiting jobs to the free processes (the lock held)."""
        free = [w for w in self._workers if w.job is None]
        while self._queue and free:
            job = self._queue.popleft()
            try:
                data = _ForkingPickler.dumps(
                    (job.id, job.name, job.key, job.progress_key, job.args, job.context)
                )
            except Exception as exc:  # never sendable: the job fails, the next one goes out
                self._jobs.pop(job.id, None)
                self._fail(job, f"The plan could not be sent to a solver: {exc}")
                continue
            w = free.pop(0)
            try:
                w.conn.send_bytes(data)
            except (OSError, ValueError):  # its process died: the reader replaces it
                self._queue.appendleft(job)
                continue
            w.job = job
        self._tell_waiting()

    def _tell_waiting(self) -> None:
        """Tell each waiting page how many plans are ahead of it, when that changed."""
        for ahead, job in enumerate(self._queue):
            if ahead == job.told:
                continue
            job.told = ahead
            plans = "1 plan" if ahead == 1 else f"{ahead} plans"
            text = (
                f"Waiting for a free solver ({plans} ahead of this one)..."
                if ahead
                else "Waiting for a free solver (other plans are being solved)..."
            )
            with contextlib.suppress(Exception):  # progress only: never fail the queue
                self.cache.set(job.progress_key, [text])

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")

    def _read(self, generation: int) -> None:
        """The server's thread that hears each process say a job has ended (then gives it the
        next one) and notices a process that died (then replaces it)."""
        from multiprocessing.connection import wait

        while True:
            with self._lock:
                if self._closed or generation != self._generation:
                    return
                full = self._top_up()  # processes that could not be replaced at once
                watched: dict[Any, _Worker] = {}
                for w in self._workers:
                    watched[w.conn] = w
                    watched[w.process.sentinel] = w
            try:
                ready = wait([*watched, self._wake_r], None if full else 1.0)
            except (OSError, ValueError):  # a pipe closed meanwhile (a cancel): list anew
                continue
            if self._wake_r in ready:
                with contextlib.suppress(OSError):
                    os.read(self._wake_r, 4096)
            try:
                self._answer(ready, watched)
            except Exception:  # the thread must go on, or every later job waits forever
                _log.exception("the solver pool's reader")

    def _answer(self, ready: list[Any], watched: dict[Any, _Worker]) -> None:
        """What ``_read`` heard: jobs ended, processes died (then the next jobs go out)."""
        with self._lock:
            for obj in ready:
                seen = watched.get(obj)
                if seen is None or not any(x is seen for x in self._workers):
                    continue  # replaced meanwhile
                if obj is seen.conn and self._heard(seen):
                    continue
                if not seen.process.is_alive():
                    self._heard(seen)  # a job it ended just before it died
                    self._replace(seen)
            self._dispatch()

    def _heard(self, w: _Worker) -> bool:
        """Read what ``w``'s process said (the ids of the jobs it ended); False when its pipe
        is closed (the process is gone)."""
        try:
            while w.conn.poll():
                ended = w.conn.recv()
                if w.job is not None and w.job.id == ended:
                    self._jobs.pop(ended, None)
                    self._ended[ended] = w.job.key
                    while len(self._ended) > 10_000:
                        self._ended.popitem(last=False)
                    w.job = None
        except (EOFError, OSError):
            return False
        return True

    def _replace(self, w: _Worker) -> None:
        """``w``'s process died: its job gets :data:`STOPPED`, a new process its place."""
        w.process.join(1)
        with contextlib.suppress(OSError):
            w.conn.close()
        if w.job is not None and self._jobs.pop(w.job.id, None) is not None:
            _log.error("a solver process died (exit %s) during a job", w.process.exitcode)
            if w.job.id not in self._collected:
                self._fail(w.job, STOPPED)
        self._workers.remove(w)
        self._top_up()

    def _fail(self, job: _Job, msg: str) -> None:
        """Give ``job``'s page the error ``msg``, unless the job wrote its result (it may have,
        just before its process died)."""
        with contextlib.suppress(Exception):
            self.cache.add(job.key, {"background_callback_error": {"msg": msg, "tb": ""}})


def _stop(pid: int) -> None:
    """Kill process ``pid`` and every process it started (a solve may run CBC)."""
    import psutil

    try:
        proc = psutil.Process(pid)
        children = proc.children(recursive=True)
    except psutil.NoSuchProcess:
        return
    for p in [*children, proc]:
        with contextlib.suppress(psutil.NoSuchProcess):
            p.send_signal(signal.SIGKILL)


def _serve_jobs(
    conn: Any, registry: dict[str, Callable[..., Any]], cache: Any, server: int
) -> None:
    """A job process: run each job the server sends, then say it ended; until the server
    closes the pipe or is gone (killed outright: a process left behind would hold its memory
    and the server's open files for ever), which an idle process checks every second.

    The server's signal handlers are not the process's: Ctrl-C in a terminal reaches every
    process of the group, and the server then closes its pool; a SIGTERM ends the process
    quietly (the server's own handler would print a traceback in each)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    while True:
        try:
            if not conn.poll(1.0):
                if os.getppid() != server:
                    return
                continue
            job_id, name, key, progress_key, args, context = conn.recv()
        except (EOFError, OSError):
            return
        fn = registry.get(name)
        try:
            if fn is None:
                msg = f"no background job called {name!r} in this process"
                raise RuntimeError(msg)
            fn(key, progress_key, args, context)
        except Exception as exc:  # the job functions keep their own errors; this is the rest
            _log.exception("a background job failed")
            with contextlib.suppress(Exception):
                cache.set(key, {"background_callback_error": {"msg": str(exc), "tb": ""}})
        try:
            conn.send(job_id)
        except (OSError, ValueError):
            return

"""The dashboard's caches between requests, owned by one object: :data:`CACHES`.

Caches only make things faster; no page or report may depend on them. They are:

- ``problems``: built allocation problems of the regions in use, by region and the settings
  that shape the LP (:func:`dashboard.services.run_plan`; the build is a good part of a re-run);
- ``sweeps``: opened sweep folders, by their files' modification times and the threshold
  (:func:`dashboard.sweeps.open_sweep`), so a sweep still running shows new results on reload.

``CACHES.reset()`` empties both. It is registered with :data:`optimize.caches.CACHES`, so
``optimize.caches.reset_caches()`` (run by ``tests/conftest.py`` before each test) empties the
dashboard's caches as well. The loaded regions and the runs of the sessions are not caches of
this process but state of each app (:mod:`dashboard.app.state`, :mod:`dashboard.app.runs`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from optimize.caches import CACHES as OPTIMIZE_CACHES

__all__ = ["CACHES", "DashboardCaches"]


class DashboardCaches:
    """Bounded least-recently-used caches behind one lock."""

    #: built problems kept (a few MB each on a metro region)
    PROBLEMS_SIZE = 8
    #: opened sweeps kept
    SWEEPS_SIZE = 8

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.problems: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self.sweeps: OrderedDict[tuple[Any, ...], Any] = OrderedDict()

    def get(self, name: str, key: tuple[Any, ...]) -> Any | None:
        """The entry of cache ``name`` ("problems" or "sweeps") under ``key``, else ``None``."""
        with self.lock:
            cache: OrderedDict[tuple[Any, ...], Any] = getattr(self, name)
            if key not in cache:
                return None
            cache.move_to_end(key)
            return cache[key]

    def put(self, name: str, key: tuple[Any, ...], value: Any) -> None:
        """Keep ``value`` under ``key`` in cache ``name``, dropping the least recently used."""
        size = self.PROBLEMS_SIZE if name == "problems" else self.SWEEPS_SIZE
        with self.lock:
            cache: OrderedDict[tuple[Any, ...], Any] = getattr(self, name)
            cache[key] = value
            cache.move_to_end(key)
            while len(cache) > size:
                cache.popitem(last=False)

    def cached(self, name: str, key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
        """The entry under ``key``, built with ``build()`` (outside the lock) when missing."""
        hit = self.get(name, key)
        if hit is None:
            hit = build()
            self.put(name, key, hit)
        return hit

    def reset(self) -> None:
        """Empty every cache."""
        with self.lock:
            self.problems.clear()
            self.sweeps.clear()


#: The dashboard's one cache object.
CACHES = DashboardCaches()
OPTIMIZE_CACHES.register(CACHES.reset)

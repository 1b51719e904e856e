"""Every cache this process keeps between solves, owned by one object: :data:`CACHES`.

Caches only make things faster; a plan must not depend on them. They are:

- ``warm_bases``: HiGHS bases of recent optimal plans, by objective and LP structure
  (:mod:`optimize.backends._highs`); a plan started from one ends at the same vertex as a cold
  solve (see ``_Runner.canonical`` there);
- ``lila``: Atlas classifications already computed, by the identity of the region's tables
  (:func:`optimize.problem.lila_mask`);
- whatever other layers register with :meth:`Caches.register` (the dashboard's built problems).

``CACHES.reset()`` (or :func:`reset_caches`) empties them all: tests do it before each test
(``tests/conftest.py``) so no test's answer depends on what ran before it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

__all__ = ["CACHES", "Caches", "reset_caches"]


class Caches:
    """The process's caches, each bounded, behind one lock."""

    #: remembered HiGHS bases (a few MB each on a metro region)
    WARM_BASES_SIZE = 16
    #: Atlas classifications (areas, stores, points, column) -> (mask, source)
    LILA_SIZE = 4

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.warm_bases: OrderedDict[str, Any] = OrderedDict()
        self.lila: list[tuple[tuple[Any, ...], Any]] = []
        self._others: list[Callable[[], None]] = []

    def register(self, clear: Callable[[], None]) -> None:
        """Have :meth:`reset` call ``clear`` too (for a cache kept by another module)."""
        with self.lock:
            if clear not in self._others:
                self._others.append(clear)

    def put_warm_basis(self, key: str, entry: Any) -> None:
        with self.lock:
            self.warm_bases[key] = entry
            self.warm_bases.move_to_end(key)
            while len(self.warm_bases) > self.WARM_BASES_SIZE:
                self.warm_bases.popitem(last=False)

    def get_warm_basis(self, key: str) -> Any | None:
        with self.lock:
            return self.warm_bases.get(key)

    def get_lila(self, key: tuple[Any, ...]) -> Any | None:
        """The entry whose key objects are ``key``'s, one by one (``is``), else ``None``."""
        with self.lock:
            for k, v in self.lila:
                if len(k) == len(key) and all(a is b for a, b in zip(k, key, strict=True)):
                    return v
        return None

    def put_lila(self, key: tuple[Any, ...], value: Any) -> None:
        with self.lock:
            self.lila.append((key, value))
            del self.lila[: -self.LILA_SIZE]

    def reset(self) -> None:
        """Empty every cache (the next solves start cold)."""
        with self.lock:
            self.warm_bases.clear()
            self.lila.clear()
            others = list(self._others)
        for clear in others:
            clear()


#: The one owner of this process's caches.
CACHES = Caches()


def reset_caches() -> None:
    """Empty every cache of this process (:meth:`Caches.reset` of :data:`CACHES`)."""
    CACHES.reset()

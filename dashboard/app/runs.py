"""The server's half of each scenario run: its tables, kept by an unguessable reference.

A run's record (:func:`dashboard.services.run_plan`) holds a few kB of labels, settings and KPIs and
a few hundred kB of tables (flows, fulfilment by area, unmet need, binding limits, manifest).
The browser session keeps only the light part in its ``dcc.Store`` (so a re-run sends and
receives kilobytes, not every earlier run's tables) plus ``ref``, a random 22-character key under
which the server keeps the tables. A session reaches only the tables of the runs whose keys it
holds, as with uploaded regions (:class:`dashboard.app.state.RegionCatalog`); the newest
``max_runs`` runs of all sessions are kept (compressed), older ones are dropped and say so.
The :class:`optimize.AllocationSolution` of the newest ``max_solutions`` runs is kept too
(pickled, compressed), so a run's report is written from the plan that was solved, not a
second solve.
"""

from __future__ import annotations

import json
import pickle
import secrets
import threading
import zlib
from collections import OrderedDict
from typing import Any

from ..services import jsonable

__all__ = ["GONE", "HEAVY", "REPORT_GONE", "RunStore"]

#: The parts of a run record kept on the server.
HEAVY = (
    "fulfilment",
    "flows",
    "unmet",
    "binding",
    "manifest",
    "transfers",
    "fulfilment_by_week",
)


class RunStore:
    """Tables of runs by reference, the newest ``max_runs`` of them (thread-safe)."""

    def __init__(self, max_runs: int = 500, *, max_solutions: int = 32):
        if max_runs < 1:
            msg = f"max_runs must be at least 1; got {max_runs}"
            raise ValueError(msg)
        self._max = int(max_runs)
        self._max_solutions = max(0, min(int(max_solutions), self._max))
        self._runs: OrderedDict[str, bytes] = OrderedDict()
        self._solutions: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._runs)

    def put(self, run: dict[str, Any], solution: Any = None) -> dict[str, Any]:
        """Keep ``run``'s tables (and its ``solution``, when given); return its light record
        (with ``ref``) for the browser."""
        heavy = {k: run[k] for k in HEAVY if k in run}
        blob = zlib.compress(json.dumps(heavy, default=jsonable).encode(), 1)
        sol = None
        if solution is not None and self._max_solutions:
            # the server's own object, never read from a browser: pickle is safe here
            sol = zlib.compress(pickle.dumps(solution, protocol=pickle.HIGHEST_PROTOCOL), 1)
        ref = secrets.token_urlsafe(16)
        with self._lock:
            self._runs[ref] = blob
            while len(self._runs) > self._max:
                old, _ = self._runs.popitem(last=False)
                self._solutions.pop(old, None)
            if sol is not None:
                self._solutions[ref] = sol
                while len(self._solutions) > self._max_solutions:
                    self._solutions.popitem(last=False)
        return {k: v for k, v in run.items() if k not in HEAVY} | {"ref": ref}

    def solution(self, light: dict[str, Any] | None) -> Any:
        """The solved plan of a light record a session holds; None if the server dropped it."""
        ref = (light or {}).get("ref")
        if not isinstance(ref, str):
            return None
        with self._lock:
            blob = self._solutions.get(ref)
            if blob is not None:
                self._solutions.move_to_end(ref)
        return None if blob is None else pickle.loads(zlib.decompress(blob))

    def full(self, light: dict[str, Any] | None) -> dict[str, Any] | None:
        """The whole run for a light record a session holds; None if the server dropped it."""
        ref = (light or {}).get("ref")
        if not isinstance(ref, str):
            return None
        with self._lock:
            blob = self._runs.get(ref)
            if blob is not None:
                self._runs.move_to_end(ref)
        if blob is None:
            return None
        return dict(light or {}) | json.loads(zlib.decompress(blob))


#: What a page says when a run's tables are gone (server restarted, or a very old run).
GONE = (
    "This run's tables are no longer on the server (it was restarted, or the run is among the "
    "oldest of many): run the plan again."
)

#: What the Plan page says when a run's report is asked for after its plan was dropped.
REPORT_GONE = (
    "This run's plan is no longer on the server (only the newest plans are kept for their "
    "reports): run the plan again, then download its report."
)

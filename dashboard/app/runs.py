"""The server's half of each scenario run: its tables, kept by an unguessable reference.

A run's record (:func:`dashboard.services.run_plan`) holds a few kB of labels, settings and KPIs and
a few hundred kB of tables (flows, fulfilment by area, unmet need, binding limits, manifest).
The browser session keeps only the light part in its ``dcc.Store`` (so a re-run sends and
receives kilobytes, not every earlier run's tables) plus ``ref``, a random 22-character key under
which the server keeps the tables. A session reaches only the tables of the runs whose keys it
holds, as with uploaded regions (:class:`dashboard.app.state.RegionCatalog`); the newest
``max_runs`` runs of all sessions are kept (compressed, in a disk cache the server's background
jobs share), older ones are dropped and say so.
The :class:`optimize.AllocationSolution` of the newest ``max_solutions`` runs is kept too
(pickled, compressed), so a run's report is written from the plan that was solved, not a
second solve.
"""

from __future__ import annotations

import json
import pickle
import secrets
import tempfile
import zlib
from pathlib import Path
from typing import Any

from ..services import jsonable

__all__ = [
    "GONE",
    "HEAVY",
    "REPORT_GONE",
    "SESSION_MAX_RUNS",
    "RunStore",
    "keep_newest",
    "rename",
    "run_name",
    "same_plans",
]

#: How many runs a browser session lists (Plan's latest, Compare's choices); older ones are
#: dropped from the list, and the pages say how many.
SESSION_MAX_RUNS = 12

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
    """Tables of runs by reference, the newest ``max_runs`` of them (thread- and process-safe).

    Kept in a :class:`diskcache.Cache` in ``folder`` (a fresh temporary folder by default), so
    the background jobs that solve plans (other processes: :mod:`dashboard.app.background`)
    and the web server share them: a store opened on the same folder sees the same runs.
    """

    def __init__(
        self, max_runs: int = 500, *, max_solutions: int = 32, folder: str | Path | None = None
    ):
        from .background import shared_cache

        if max_runs < 1:
            msg = f"max_runs must be at least 1; got {max_runs}"
            raise ValueError(msg)
        self._max = int(max_runs)
        self._max_solutions = max(0, min(int(max_solutions), self._max))
        self.folder = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="foodshed-runs-"))
        self._cache = shared_cache(self.folder)
        self._cache.reset("size_limit", 2**40)  # kept by count (max_runs), not by size
        self._cache.reset("eviction_policy", "none")

    def __len__(self) -> int:
        return len(self._cache.get(_ORDER, ()))

    def __getstate__(self) -> dict[str, Any]:  # a job in another process opens the same folder
        return {"max": self._max, "max_solutions": self._max_solutions, "folder": self.folder}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(  # type: ignore[misc]
            state["max"], max_solutions=state["max_solutions"], folder=state["folder"]
        )

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
        cache = self._cache
        with cache.transact():
            cache.set(("run", ref), blob)
            order = [*cache.get(_ORDER, ()), ref]
            for old in order[: -self._max]:
                cache.delete(("run", old))
                cache.delete(("solution", old))
            cache.set(_ORDER, order[-self._max :])
            if sol is not None:
                cache.set(("solution", ref), sol)
                kept = [*cache.get(_SOLUTIONS, ()), ref]
                for old in kept[: -self._max_solutions]:
                    cache.delete(("solution", old))
                cache.set(_SOLUTIONS, kept[-self._max_solutions :])
        return {k: v for k, v in run.items() if k not in HEAVY} | {"ref": ref}

    def _get(self, kind: str, index: str, light: dict[str, Any] | None) -> bytes | None:
        """The blob of ``kind`` of a light record's run, moved to the newest end of ``index``."""
        ref = (light or {}).get("ref")
        if not isinstance(ref, str):
            return None
        cache = self._cache
        with cache.transact():
            blob = cache.get((kind, ref))
            if blob is not None:
                order = list(cache.get(index, ()))
                if order and order[-1] != ref and ref in order:
                    order.remove(ref)
                    cache.set(index, [*order, ref])
        return blob

    def solution(self, light: dict[str, Any] | None) -> Any:
        """The solved plan of a light record a session holds; None if the server dropped it."""
        blob = self._get("solution", _SOLUTIONS, light)
        return None if blob is None else pickle.loads(zlib.decompress(blob))

    def full(self, light: dict[str, Any] | None) -> dict[str, Any] | None:
        """The whole run for a light record a session holds; None if the server dropped it."""
        blob = self._get("run", _ORDER, light)
        if blob is None:
            return None
        return dict(light or {}) | json.loads(zlib.decompress(blob))


#: Keys of the store's cache: the runs' references, oldest first; those with a solution
_ORDER = "order"
_SOLUTIONS = "solutions"


def keep_newest(runs: list[dict[str, Any]] | None, run: dict[str, Any]) -> list[dict[str, Any]]:
    """The session's runs with ``run`` added, the newest :data:`SESSION_MAX_RUNS` of them; the
    newest run's ``dropped`` counts every run the session has dropped so far. ``run`` gets its
    number ``no``: one more than the newest run's, so a run keeps its number on every page
    and in its downloads' names, however many older runs are dropped."""
    runs = [*(runs or []), run]
    before = int(runs[-2].get("dropped", 0)) if len(runs) > 1 else 0
    no = 1 + max((int(r.get("no", 0)) for r in runs[:-1]), default=0)
    cut = max(0, len(runs) - SESSION_MAX_RUNS)
    return runs[:-1][cut:] + [run | {"dropped": before + cut, "no": no}]


def run_name(run: dict[str, Any]) -> str:
    """A run as every page names it: "Run 3: Eastside outage" (its number and its name)."""
    return f"Run {run.get('no', '?')}: {run.get('label', '')}".rstrip(": ")


def rename(runs: list[dict[str, Any]] | None, run_id: str, label: str) -> list[dict[str, Any]]:
    """The session's runs with run ``run_id`` named ``label`` (its number stays)."""
    label = " ".join(str(label or "").split())[:60]
    return [r | {"label": label} if r.get("id") == run_id and label else r for r in runs or []]


def same_plans(runs: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Groups of two or more of ``runs`` that give the same plan (the same ``plan_digest``)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in runs:
        if r.get("plan_digest"):
            groups.setdefault(r["plan_digest"], []).append(r)
    return [g for g in groups.values() if len(g) > 1]


def dropped_note(runs: list[dict[str, Any]] | None) -> str:
    """What the pages say about runs the session no longer lists ("" when none were dropped)."""
    n = int((runs or [{}])[-1].get("dropped", 0)) if runs else 0
    if not n:
        return ""
    return (
        f"Only the newest {SESSION_MAX_RUNS} runs of this tab are kept: {n} older "
        f"run{'s are' if n > 1 else ' is'} no longer listed."
    )


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

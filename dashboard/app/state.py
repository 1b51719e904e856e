"""The app's state on the server: the loaded regions, by the key a browser session holds.

The :class:`RegionCatalog` is a per-app cache of loaded regions and their analyses; it is a
cache, not shared mutable state: what a session sees depends only on its own key and its own
runs (:mod:`.runs`).
"""

from __future__ import annotations

import os
import secrets
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from equity import FoodshedError, Region

from ..services import analyze, load_region
from ..settings import Settings

DEFAULT_KEY = "default"
#: The catalogs of this process (their locks are renewed in a forked job)
_CATALOGS: weakref.WeakSet[RegionCatalog] = weakref.WeakSet()


def _after_fork() -> None:
    for cat in list(_CATALOGS):
        cat._after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


# ---------------------------------------------------------------------- the region catalog
@dataclass
class _Entry:
    region: Region
    source: str
    analysis: Any = None
    display: dict[str, Any] | None = None
    memo: dict[Any, Any] = field(default_factory=dict)


class RegionCatalog:
    """Loaded regions of one app, keyed by the key a browser session holds.

    ``DEFAULT_KEY`` is the region the app started with; every upload or folder gets a new
    random key, so one session can never see another's upload without its key. At most
    ``settings.max_regions`` regions stay loaded (least recently used are dropped; the default
    region is loaded again on demand).

    The folder of each key is also written to ``settings.cache_dir``, so a background job in
    another process (a Celery worker, a job started before the upload) loads a session's
    region from its key (:mod:`dashboard.app.background`).
    """

    def __init__(self, loader: Callable[[], Region], settings: Settings):
        from .background import shared_cache

        self._loader = loader
        self._settings = settings
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._folders: dict[str, Path] = {}
        self._shared = shared_cache(Path(settings.cache_dir) / "regions")
        self._lock = threading.RLock()
        self._key_locks: dict[str, threading.Lock] = {}
        _CATALOGS.add(self)

    def _after_fork(self) -> None:
        """New locks in a forked background job (a server thread may have held one)."""
        self._lock = threading.RLock()
        self._key_locks = {}

    # -- loading
    def _entry(self, key: str) -> _Entry:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
            klock = self._key_locks.setdefault(key, threading.Lock())
        with klock:  # one load per key at a time; other keys load in parallel
            with self._lock:
                if key in self._entries:
                    return self._entries[key]
            shared = None if key in self._folders else self._shared.get(key)
            if shared is not None:  # registered by another process on the same cache folder
                self._folders[key] = Path(shared)
            if key == DEFAULT_KEY:
                region, source = self._loader(), "start"
            elif key in self._folders:
                folder = self._folders[key]
                # an upload is read again as it was checked: nothing outside the upload folder
                up = Path(self._settings.upload_dir).resolve()
                confine = up if up in folder.resolve().parents else None
                region, source = load_region(folder, confine_to=confine), str(folder)
            else:
                msg = (
                    "this session's region is no longer loaded (the server restarted or "
                    "dropped it); load it again on the Data page"
                )
                raise FoodshedError(msg)
            entry = _Entry(region, source)
            with self._lock:
                self._entries[key] = entry
                while len(self._entries) > self._settings.max_regions:
                    self._entries.popitem(last=False)
            return entry

    def region(self, key: str | None) -> Region:
        return self._entry(key or DEFAULT_KEY).region

    def add(self, folder: Path, region: Region) -> str:
        """Register an already validated region folder; return its new key."""
        key = "r-" + secrets.token_urlsafe(12)
        self._shared.set(key, str(folder))
        with self._lock:
            self._folders[key] = Path(folder)
            self._entries[key] = _Entry(region, str(folder))
            while len(self._entries) > self._settings.max_regions:
                self._entries.popitem(last=False)
        return key

    def ready(self, key: str | None) -> bool:
        """Whether the region's analysis and map outlines are computed (nothing is loaded here)."""
        with self._lock:
            entry = self._entries.get(key or DEFAULT_KEY)
        return entry is not None and entry.analysis is not None and entry.display is not None

    def memo(self, key: str | None, name: Any, build: Callable[[], Any]) -> Any:
        """``build()``, computed once per loaded region (dropped with it): ready-made page parts."""
        entry = self._entry(key or DEFAULT_KEY)
        if name not in entry.memo:
            entry.memo[name] = build()
        return entry.memo[name]

    def analysis(self, key: str | None) -> Any:
        """The equity analysis of the region (one GeoDataFrame row per area), computed once."""
        entry = self._entry(key or DEFAULT_KEY)
        if entry.analysis is None:
            entry.analysis = analyze(entry.region)
        return entry.analysis

    def display(self, key: str | None) -> dict[str, Any]:
        """WGS84 frames and the simplified area GeoJSON, computed once per region."""
        from ..figures import area_geojson

        entry = self._entry(key or DEFAULT_KEY)
        if entry.display is None:
            disp = entry.region.to_display()
            disp["geojson"] = area_geojson(entry.region.areas, simplify_m=self._settings.simplify_m)
            entry.display = disp
        return entry.display

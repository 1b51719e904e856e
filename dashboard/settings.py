"""Settings of one dashboard app (paths and limits come from here, never the working directory)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

#: The map styles plotly.js ships (MapLibre); ``--basemap`` also takes a style URL (https://...).
BASEMAPS = (
    "white-bg",
    "basic",
    "carto-darkmatter",
    "carto-darkmatter-nolabels",
    "carto-positron",
    "carto-positron-nolabels",
    "carto-voyager",
    "carto-voyager-nolabels",
    "dark",
    "light",
    "open-street-map",
    "outdoors",
    "satellite",
    "satellite-streets",
    "streets",
)


def check_basemap(basemap: str) -> str:
    """``basemap`` when it is one of :data:`BASEMAPS` or a style URL; a clear error otherwise."""
    from equity import FoodshedError

    if basemap in BASEMAPS or basemap.startswith(("https://", "http://")):
        return basemap
    msg = (
        f"--basemap {basemap!r} is not a map style; use one of {', '.join(BASEMAPS)} "
        "(white-bg works offline), or the https:// address of a MapLibre style"
    )
    raise FoodshedError(msg)


@dataclass(frozen=True)
class Settings:
    """What a dashboard instance may do and where it keeps uploads.

    Parameters
    ----------
    region_path
        Folder of the region shown at start (``None`` or ``"demo"``: the bundled demo). Ignored
        when :func:`~dashboard.app.create_app` is given a region.
    upload_dir
        Where uploaded zips are unpacked (a fresh temporary folder by default).
    max_upload_mb
        Largest zip accepted, in MB.
    max_unpacked_mb
        Largest total size of the unpacked files, in MB (guards against zip bombs).
    max_files
        Most files a zip may hold.
    max_ratio
        Largest compression ratio of any file in a zip (zip-bomb guard).
    allow_folders
        Whether the Data page may open a folder on the server's disk by path. On by default,
        because the server binds to 127.0.0.1; turn it off when serving other machines.
    basemap
        MapLibre style for maps: ``white-bg`` (no tiles, works offline) or a tile style such as
        ``carto-positron`` where the network allows.
    simplify_m
        Tolerance in metres for simplifying area outlines on maps.
    max_regions
        How many regions (the start region and uploads) are kept loaded at once.
    scenarios_dir
        Folder of scenario TOML files offered on the Plan page (the ones bundled with
        ``optimize`` by default; files naming sites the region lacks are not offered).
    max_runs
        How many scenario runs (of all sessions together) the server keeps the tables of; a
        session's store holds only their KPIs and keys (see ``dashboard/app/runs.py``).
    sweeps_dir
        Folder searched (two levels deep) for finished sweeps (``foodshed sweep --out DIR``
        folders) offered on the Sweep page; ``None``: the folder the dashboard was started in.
    partial_plotly
        Serve the pages the dashboard's own plotly.js, with only the trace types it draws
        (``dashboard/app/plotly_bundle.py``), whose first map is drawn sooner; off: the full
        plotly.js of the installed ``plotly`` package.
    """

    region_path: str | None = None
    upload_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="foodshed-up-")))
    max_upload_mb: float = 50.0
    max_unpacked_mb: float = 300.0
    max_files: int = 200
    max_ratio: float = 200.0
    allow_folders: bool = True
    basemap: str = "white-bg"
    simplify_m: float = 15.0
    max_regions: int = 8
    scenarios_dir: str | None = None
    sweeps_dir: str | None = None
    max_runs: int = 500
    partial_plotly: bool = True

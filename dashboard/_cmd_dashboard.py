"""Body of ``foodshed dashboard``: load the region, then serve the app on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from equity import FoodshedError


def run(
    region: str,
    *,
    host: str = "127.0.0.1",
    port: int = 8050,
    debug: bool = False,
    basemap: str = "white-bg",
    max_upload_mb: float = 50.0,
    console: Any = None,
    sweeps_dir: Any = None,
) -> None:
    """Check the region (so bad data fails here, clearly), then start the dashboard."""
    from ._settings import Settings
    from .app import serve
    from .cli import load_region

    loaded = load_region(region)
    if sweeps_dir is not None and not Path(sweeps_dir).is_dir():
        msg = (
            f"--sweeps {sweeps_dir}: no such folder; give the folder that holds your sweep outputs"
        )
        raise FoodshedError(msg)
    settings = Settings(
        region_path=None if region == "demo" else region,
        basemap=basemap,
        max_upload_mb=max_upload_mb,
        sweeps_dir=None if sweeps_dir is None else str(Path(sweeps_dir).resolve()),
    )

    def ready() -> None:
        if console is None:
            return
        console.print(f"Foodshed dashboard on http://{host}:{port}/ (Ctrl+C to stop)")
        if host not in ("127.0.0.1", "localhost", "::1"):
            console.print(
                f"[yellow]Serving on {host}: other machines can reach it; opening server "
                "folders from the Data page is off.[/yellow]"
            )

    if console is not None:
        console.print(f"Loaded {loaded!r}; preparing its first page...")
    serve(loaded, host=host, port=port, debug=debug, settings=settings, ready=ready)

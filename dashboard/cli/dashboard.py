"""Body of ``foodshed dashboard``: load the region, then serve the app on 127.0.0.1."""

from __future__ import annotations

import errno
import socket
from pathlib import Path
from typing import Any

from rich.markup import escape

from equity import FoodshedError


def check_port(host: str, port: int) -> None:
    """Fail now, in plain words, when the server could not listen on ``host:port``.

    Binds a socket the way the server will (address reuse on, so a port in TIME_WAIT counts as
    free) and closes it at once.
    """
    if not 1 <= port <= 65535:
        msg = f"--port {port} is not a port number; use one from 1 to 65535 (default 8050)"
        raise FoodshedError(msg)
    try:
        family, kind, proto, _, addr = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        msg = f"--host {host}: not an address of this machine ({exc.strerror}); use 127.0.0.1"
        raise FoodshedError(msg) from exc
    with socket.socket(family, kind, proto) as sock:
        if hasattr(socket, "SO_REUSEADDR") and not hasattr(socket, "SO_EXCLUSIVEADDRUSE"):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(addr)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                msg = (
                    f"port {port} on {host} is already in use (another dashboard or program); "
                    f"stop it, or pass --port with a free port, e.g. --port {port + 1}"
                    if port < 65535
                    else f"port {port} on {host} is already in use; pass another --port"
                )
            elif exc.errno in (errno.EACCES, errno.EPERM):
                msg = f"--port {port}: not allowed to listen there; use a port above 1023"
            else:
                msg = f"--host {host} --port {port}: cannot listen there ({exc.strerror})"
            raise FoodshedError(msg) from exc


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
    background: str = "diskcache",
    celery_broker: str | None = None,
    cache_dir: Any = None,
) -> int:
    """Check the options and the region (so bad input fails here, clearly), then start the
    dashboard; returns the exit code once it stops."""
    from ..app import serve
    from ..services import load_region
    from ..settings import Settings, check_basemap

    check_basemap(basemap)
    check_port(host, port)
    loaded = load_region(region)
    if sweeps_dir is not None and not Path(sweeps_dir).is_dir():
        msg = (
            f"--sweeps {sweeps_dir}: no such folder; give the folder that holds your sweep outputs"
        )
        raise FoodshedError(msg)
    where: dict[str, Any] = {}
    if cache_dir is not None:
        where["cache_dir"] = Path(cache_dir).resolve()
        where["upload_dir"] = where["cache_dir"] / "uploads"
        where["upload_dir"].mkdir(parents=True, exist_ok=True)
    settings = Settings(
        region_path=None if region == "demo" else str(Path(region).resolve()),
        basemap=basemap,
        max_upload_mb=max_upload_mb,
        sweeps_dir=None if sweeps_dir is None else str(Path(sweeps_dir).resolve()),
        background="celery" if celery_broker and background == "diskcache" else background,
        celery_broker=celery_broker,
        **where,
    )

    def ready() -> None:
        check_port(host, port)  # still free after the warm-up: only then print the address
        if console is None:
            return
        console.print(
            f"Foodshed dashboard on http://{host}:{port}/ (Ctrl+C to stop)",
            markup=False,
            highlight=False,
        )
        if settings.runner == "celery":
            env = " ".join(f"{k}={v}" for k, v in settings.to_env().items())
            console.print(
                "Plans are solved by Celery workers; start them (same machine or one sharing "
                f"{settings.cache_dir}) with:\n  {env} celery -A dashboard.worker worker",
                markup=False,
                highlight=False,
                soft_wrap=True,  # a command line to copy: never broken inside a path
            )
        if host not in ("127.0.0.1", "localhost", "::1"):
            console.print(
                f"[yellow]Serving on {escape(host)}: other machines can reach it; opening server "
                "folders from the Data page is off.[/yellow]"
            )

    if console is not None:
        console.print(
            f"Loaded {loaded!r}; preparing its first page...", markup=False, highlight=False
        )
    serve(loaded, host=host, port=port, debug=debug, settings=settings, ready=ready)
    return 0

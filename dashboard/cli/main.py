"""The ``foodshed`` command line: the Typer app and its options; one module per subcommand.

One calling convention: each subcommand here parses its options and calls ``run(inputs...,
*, console=..., options...)`` of its module (``.validate``, ``.analyze``, ``.allocate``,
``.report``, ``.dashboard``, ``.demo``, ``.sweep``), which returns the exit code. Every
subcommand prints one clear message and exits non-zero on bad input; ``--debug`` shows the
traceback as well.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from equity import FoodshedError

if TYPE_CHECKING:
    from equity import Region

app = typer.Typer(
    name="foodshed",
    help="Food-equity analytics and resource-allocation planning.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)
_STATE = {"debug": False}

RegionArg = Annotated[str, typer.Argument(help="A region folder, or 'demo' for the bundled demo.")]
ForceOpt = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Replace --out even when it holds files this command did not write (they are lost).",
    ),
]


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    _STATE["debug"] = debug


def load_region(path: str) -> Region:
    """Load ``path`` (a folder, or ``demo``) as a :class:`equity.Region`."""
    from ..services import load_region as load

    return load(path)


@app.command()
def validate(
    path: RegionArg,
    warnings: Annotated[
        bool, typer.Option("--warnings/--no-warnings", help="List warnings too.")
    ] = True,
) -> None:
    """Check a region folder against the data contracts and list every problem found."""
    from .validate import run

    _run(run, path, err_console=err_console, warnings=warnings)


def _run(run: Callable[..., int], *inputs: Any, **options: Any) -> None:
    """Call a subcommand's ``run(*inputs, console=console, **options)``; a non-zero exit code
    it returns ends the command with that code."""
    _exit(run(*inputs, console=console, **options))


def _exit(code: int) -> None:
    """Every subcommand's ``run(...)`` returns its exit code; a non-zero one ends the command."""
    if code:
        raise typer.Exit(code)


def _not_yet(what: str) -> None:
    err_console.print(f"`foodshed {what}` is not available in this version yet.")
    raise typer.Exit(2)


# --- foodshed sweep (branch `sweep`) ---
SchedulerOpt = Annotated[
    str | None, typer.Option(help="Address of a running Dask scheduler (tcp://host:8786).")
]
WorkersOpt = Annotated[
    int | None, typer.Option(help="Workers of the local cluster (default: one per core).")
]


@app.command()
def sweep(
    spec: Annotated[Path, typer.Argument(help="Sweep spec TOML file (see docs/sweeps.md).")],
    out: Annotated[Path, typer.Option(help="Output folder (Parquet results, summary).")],
    scheduler: SchedulerOpt = None,
    workers: WorkersOpt = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Skip scenarios already done in OUT.")
    ] = False,
    force: ForceOpt = False,
) -> None:
    """Solve many scenarios of one region on Dask; stream KPIs to OUT and print a summary."""
    from .sweep import run

    _run(run, spec, out, scheduler=scheduler, workers=workers, resume=resume, force=force)


# --- end foodshed sweep ---


@app.command()
def analyze(
    region: RegionArg = "demo",
    out: Annotated[
        Path | None,
        typer.Option(help="Output file (.gpkg, .geojson, .csv, .parquet) or folder."),
    ] = None,
    by: Annotated[
        str | None, typer.Option(help="Area column to break the written summary down by.")
    ] = None,
    force: ForceOpt = False,
) -> None:
    """Compute food-access and equity measures for every area; print a summary, write OUT."""
    from .analyze import check_out, run

    if out is not None:
        check_out(out, force=force)  # before loading the region
    _run(run, load_region(region), out, by=by, force=force)


TargetsArg = Annotated[
    list[str] | None, typer.Argument(help="Scenario TOML file(s), a region folder, or 'demo'.")
]
ObjectiveOpt = Annotated[
    str | None,
    typer.Option(help="cost, coverage, maxmin, fair_share or balanced (overrides files)."),
]

TimeLimitOpt = Annotated[
    float | None, typer.Option(help="Seconds per plan (more than 0; default: no limit).")
]
AllowPartialOpt = Annotated[
    bool,
    typer.Option(
        "--allow-partial",
        help="Exit 0 when a plan stopped at the time limit (not optimal); default exit 3.",
    ),
]


@app.command()
def allocate(
    targets: TargetsArg = None,
    objective: ObjectiveOpt = None,
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("foodshed-allocation"),
    solver: Annotated[str | None, typer.Option(help="highs, cbc or pulp[:NAME].")] = None,
    time_limit: TimeLimitOpt = None,
    allow_partial: AllowPartialOpt = False,
    period: Annotated[str | None, typer.Option(help="Period of seasonal data.")] = None,
    force: ForceOpt = False,
    rolling: Annotated[
        bool,
        typer.Option(
            help="Plan scenarios over weeks week by week as shocks come, and report the "
            "value of foresight against the plan that knew them all."
        ),
    ] = False,
) -> None:
    """Solve allocation scenarios, write each plan (CSV + JSON) and print their KPIs."""
    from .allocate import run

    given = {"objective": objective, "solver": solver, "time_limit_s": time_limit}
    given["period"] = period
    if rolling:
        from .rolling import run as run_rolling

        overrides = {k: v for k, v in given.items() if v}
        _run(run_rolling, list(targets or []), overrides=overrides, out=out, force=force)
        return
    _run(run, list(targets or []), out=out, allow_partial=allow_partial, force=force, **given)


@app.command()
def report(
    scenarios: Annotated[
        list[str] | None, typer.Argument(help="Scenario TOML files.", show_default=False)
    ] = None,
    out: Annotated[
        Path, typer.Option(help="Output folder (new, empty, or an earlier report set).")
    ] = Path("foodshed-reports"),
    baseline: Annotated[
        str | None, typer.Option(help="Scenario TOML to compare every report with.")
    ] = None,
    plotly_js: Annotated[
        str,
        typer.Option(
            "--plotly-js",
            help="'inline': plotly.js in every page; 'shared': one plotly.min.js beside them.",
        ),
    ] = "inline",
    images: Annotated[
        str | None,
        typer.Option(
            help="Also write every figure as 'png' or 'svg' (needs the 'png' extra and Chromium)."
        ),
    ] = None,
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Also print each report to PDF (needs Chromium).")
    ] = False,
    sweep: Annotated[
        list[Path] | None,
        typer.Option(
            "--sweep",
            help="A `foodshed sweep --out` folder to add (a page and an index section); repeatable.",
        ),
    ] = None,
    force: ForceOpt = False,
) -> None:
    """Write an HTML report for each scenario (and each --sweep), plus summary.json and kpis.csv."""
    from .report import run

    extras = {"plotly_js": plotly_js, "images": images, "pdf": pdf, "sweeps": sweep}
    _run(run, scenarios or [], out, baseline=baseline, force=force, **extras)


@app.command()
def dashboard(
    region: RegionArg = "demo",
    host: Annotated[
        str, typer.Option(help="Address to bind; 0.0.0.0 exposes it to other machines.")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(help="Port to listen on (1-65535).", min=1, max=65535)
    ] = 8050,
    basemap: Annotated[
        str,
        typer.Option(
            help="Map style: white-bg (offline), or a tile style such as carto-positron or "
            "open-street-map (needs network)."
        ),
    ] = "white-bg",
    sweeps: Annotated[
        Path | None,
        typer.Option(help="Folder whose sweeps the Sweep page lists (default: this folder)."),
    ] = None,
    background: Annotated[
        str,
        typer.Option(
            help="Where plans are solved: diskcache (a process per run, default), celery "
            "(workers; needs --celery-broker) or off (in the web request)."
        ),
    ] = "diskcache",
    celery_broker: Annotated[
        str | None,
        typer.Option(
            envvar="FOODSHED_CELERY_BROKER",
            help="Celery broker URL, e.g. redis://127.0.0.1:6379/0: plans are solved by "
            "Celery workers (start them with: celery -A dashboard.worker worker).",
        ),
    ] = None,
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            envvar="FOODSHED_CACHE_DIR",
            help="Folder shared by the server and its background jobs (default: a new "
            "temporary folder).",
        ),
    ] = None,
) -> None:
    """Start the interactive dashboard (bound to 127.0.0.1 unless --host says otherwise)."""
    from .dashboard import run

    where = {"host": host, "port": port, "basemap": basemap, "sweeps_dir": sweeps}
    background_opts = {
        "background": background,
        "celery_broker": celery_broker,
        "cache_dir": cache_dir,
    }
    _run(run, region, debug=_STATE["debug"], **where, **background_opts)


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("foodshed-demo"),
    plotly_js: Annotated[
        str,
        typer.Option("--plotly-js", help="'shared' (one plotly.min.js) or 'inline' per page."),
    ] = "shared",
    force: ForceOpt = False,
) -> None:
    """Run the main job on the bundled demo region and write the results to OUT."""
    from .demo import run

    _run(run, out, plotly_js=plotly_js, force=force)


class Terminated(KeyboardInterrupt):
    """SIGTERM (what ``timeout``, ``kill``, Docker and CI send), raised where the process is
    so that every write in progress is cleaned up as on Ctrl-C (docs/reports.md)."""


_TERMINATED: list[int] = []


def _terminate(signum: int, frame: object) -> None:
    _TERMINATED.append(signum)
    raise Terminated


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``foodshed`` console script."""
    on_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if on_main else None
    _TERMINATED.clear()
    try:
        code = _main(argv)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    if _TERMINATED:  # click turns the interrupt into its own exit code 130; say what it was
        err_console.print("terminated (SIGTERM)")
        return 143
    return code


def _main(argv: list[str] | None) -> int:
    try:
        # Outside standalone mode click returns the code of a typer.Exit instead of raising it.
        code = app(args=argv, standalone_mode=False)
        if isinstance(code, int):
            return code
    except FoodshedError as exc:
        if _STATE["debug"]:
            raise
        err_console.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return 1
    except OSError as exc:  # a file or folder the system refused: say which, and why
        if _STATE["debug"]:
            raise
        where = f" {exc.filename}" if exc.filename else ""
        err_console.print(
            f"[red]error:[/red]{escape(where)}: {escape(exc.strerror or str(exc))}; check the "
            "path and its permissions",
            highlight=False,
            soft_wrap=True,
        )
        return 1
    except typer.Exit as exc:
        return exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("interrupted")
        return 130
    except MemoryError:
        if _STATE["debug"]:
            raise
        err_console.print(
            "[red]error:[/red] this run needs more memory than the machine has; make it "
            "smaller (fewer weeks, scenarios or areas, a shorter reach) and run it again",
            highlight=False,
            soft_wrap=True,
        )
        return 1
    except Exception as exc:
        # Usage errors (click's, or the copy typer vendors) know how to show themselves.
        show, code = getattr(exc, "show", None), getattr(exc, "exit_code", None)
        if callable(show) and isinstance(code, int):
            show()
            return code
        if _STATE["debug"]:
            raise
        err_console.print(
            f"[red]unexpected error:[/red] {escape(f'{type(exc).__name__}: {exc}')}\n"
            "Run again with --debug for the traceback, and report it.",
            highlight=False,
        )
        return 1
    return 0

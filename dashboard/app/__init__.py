"""The Foodshed dashboard: a Dash Pages app built by :func:`create_app`.

Pages: the equity map (``/``), plan (``/plan``), compare (``/compare``), data (``/data``)
and a finished sweep (``/sweep``).
Each browser session keeps its own region key and scenario runs in ``dcc.Store`` components;
the server holds only a cache of loaded regions (see :class:`dashboard.app.state.RegionCatalog`).
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import logging
from pathlib import Path
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, dcc, html

from ..services import load_region
from ..settings import Settings
from . import ids
from .background import start_stores
from .pages.common import alert_area
from .plotly_bundle import serve_partial_plotly
from .runs import RunStore
from .state import DEFAULT_KEY, RegionCatalog

__all__ = ["Settings", "create_app", "serve", "warm_up"]

ASSETS = Path(__file__).resolve().parent / "assets"
CATALOG = "FOODSHED_CATALOG"
RUNS = "FOODSHED_RUNS"
SETTINGS = "FOODSHED_SETTINGS"


def _loader(region: Any, settings: Settings):
    if region is not None:
        return lambda: region

    def load():
        return load_region(settings.region_path or "demo")

    return load


def _shell(app: Dash) -> html.Div:
    links = [
        dbc.NavItem(
            dbc.NavLink(page["name"], href=app.get_relative_path(page["path"]), active="exact")
        )
        for page in sorted(dash.page_registry.values(), key=lambda page: page["order"])
        if page["module"].startswith(f"{__name__}.pages.")
    ]
    navbar = dbc.Navbar(
        dbc.Container(
            [
                html.A(
                    html.Span("Foodshed", className="navbar-brand mb-0 h1 text-white"),
                    href=app.get_relative_path("/"),
                    style={"textDecoration": "none"},
                ),
                # on a narrow screen (a phone) the links fold behind one menu button
                dbc.NavbarToggler(id=ids.NAV_TOGGLE, n_clicks=0),
                dbc.Collapse(
                    [
                        dbc.Nav(links, id=ids.NAV, navbar=True, className="me-auto"),
                        html.Span(id=ids.REGION_BADGE, className="badge bg-light text-dark"),
                    ],
                    id=ids.NAV_COLLAPSE,
                    is_open=False,
                    navbar=True,
                ),
            ],
            fluid=True,
        ),
        className="fs-navbar mb-3",
        color="#1f3b57",
        dark=True,
        expand="lg",
    )
    return html.Div(
        [
            dcc.Store(id=ids.SESSION_REGION, storage_type="session", data=DEFAULT_KEY),
            dcc.Store(id=ids.SESSION_RUNS, storage_type="memory", data=[]),
            *start_stores(ids.PL_RUN, ids.CMP_CURVE_BTN),
            navbar,
            dbc.Container([alert_area(), dash.page_container], fluid=True, className="pb-4"),
        ]
    )


def create_app(region: Any = None, settings: Settings | None = None) -> Dash:
    """Build the dashboard app.

    Parameters
    ----------
    region
        The :class:`equity.Region` to show at start; by default ``settings.region_path``, or the
        bundled demo. It is loaded on first use, not here.
    settings
        Limits and paths (:class:`Settings`); the defaults suit one person on this machine.
        ``settings.background`` says where plans are solved (in processes of their own by
        default; see :mod:`dashboard.app.background`).

    Returns
    -------
    dash.Dash
        Serve it with :func:`serve`, or ``app.run(...)``; ``app.server`` is the Flask app.
    """
    from .background import MANAGER, make_manager, one_blas_thread
    from .pages import compare, data, equity_map, plan, sweep
    from .pages.common import on_error

    settings = settings or Settings()
    one_blas_thread()  # many plans at once, one core each (background.one_blas_thread)
    manager = make_manager(settings)
    app = Dash(
        __name__,
        use_pages=True,
        pages_folder="",
        assets_folder=str(ASSETS),
        title="Foodshed",
        update_title=None,  # type: ignore[arg-type]  # None: no "Updating..." title
        suppress_callback_exceptions=True,
        serve_locally=True,
        on_error=on_error,
        background_callback_manager=manager,
    )
    if settings.partial_plotly:
        serve_partial_plotly(app)
    app.server.config[SETTINGS] = settings
    app.server.config[MANAGER] = manager
    app.server.config[CATALOG] = RegionCatalog(_loader(region, settings), settings)
    app.server.config[RUNS] = RunStore(settings.max_runs, folder=Path(settings.cache_dir) / "runs")
    app.server.config["MAX_CONTENT_LENGTH"] = int(settings.max_upload_mb * 1.5e6) + 1_000_000
    for order, (mod, path, name) in enumerate(
        (
            (equity_map, "/", "Equity map"),
            (plan, "/plan", "Plan"),
            (compare, "/compare", "Compare"),
            (data, "/data", "Data"),
            (sweep, "/sweep", "Sweep"),
        )
    ):
        dash.register_page(
            mod.__name__,
            path=path,
            name=name,
            title=f"Foodshed: {name}",
            order=order,
            layout=mod.layout,
        )
        mod.register_callbacks(app)
    # the page's language, for screen readers and the browser's translation
    app.index_string = app.index_string.replace("<html>", '<html lang="en">', 1)
    app.layout = _shell(app)

    catalog: RegionCatalog = app.server.config[CATALOG]

    # a failure shown at the top (pages.common.on_error) belongs to the page it happened on
    @app.callback(
        Output(ids.APP_ALERT, "is_open"),
        Input("_pages_location", "pathname"),
        prevent_initial_call=True,
    )
    def _close_alert(_path: str | None) -> bool:
        return False

    # the phone's menu button opens and closes the links; following a link closes them
    app.clientside_callback(
        "function (toggles, path, open) {"
        "  const by = dash_clientside.callback_context.triggered_id;"
        f"  return by === {json.dumps(ids.NAV_TOGGLE)} ? !open : false;"
        "}",
        Output(ids.NAV_COLLAPSE, "is_open"),
        Input(ids.NAV_TOGGLE, "n_clicks"),
        Input("_pages_location", "pathname"),
        State(ids.NAV_COLLAPSE, "is_open"),
        prevent_initial_call=True,
    )

    @app.callback(Output(ids.REGION_BADGE, "children"), Input(ids.SESSION_REGION, "data"))
    def _badge(key: str | None) -> str:
        from equity import FoodshedError

        try:
            return catalog.region(key).name
        except FoodshedError:
            return "region not loaded: open the Data page"

    return app


def warm_up(app: Dash, *, wait: bool | str = True, plans: bool = True) -> None:
    """Load the start region and its analysis now, so the first page paints fast; then, with
    ``plans``, solve the Plan page's default plan once (:func:`seed_plans`).

    With ``wait=False`` it all runs in a background thread; with ``wait="page"`` the page's
    part runs now and the plans in the background (what :func:`serve` does: the server
    starts once its first page paints fast).
    """
    import threading

    catalog: RegionCatalog = app.server.config[CATALOG]

    def page() -> None:
        import mapclassify  # noqa: F401  (its first import takes seconds: pay it here)

        from .pages.equity_map import initial_view

        catalog.analysis(DEFAULT_KEY)
        catalog.display(DEFAULT_KEY)
        # the equity map page's opening view, so its layout is sent at once
        initial_view(catalog, app.server.config[SETTINGS].basemap)

    def seed() -> None:
        if plans:
            try:
                seed_plans(catalog.region(DEFAULT_KEY))
            except Exception:  # only a head start is lost: the Plan page solves anew
                logging.getLogger("dashboard.app").exception("solving the Plan page's default plan")
        # the job processes start now, with the loaded region and the warm solver basis
        from .background import MANAGER

        manager = app.server.config.get(MANAGER)
        if hasattr(manager, "solver_pool"):
            manager.solver_pool().start()

    def work() -> None:
        page()
        seed()

    if wait is True:
        work()
    elif wait == "page":
        page()
        threading.Thread(target=seed, name="foodshed-warm-up", daemon=True).start()
    else:
        threading.Thread(target=work, name="foodshed-warm-up", daemon=True).start()


def seed_plans(region: Any) -> None:
    """Solve the Plan page's default plan of ``region`` once and forget the answer: the
    solver keeps its basis (``optimize`` warm starts), so a planner's runs that change the
    weight, yields, demand or switch sites off start warm (several times faster on the demo
    region; see docs/dashboard.md, Speed)."""
    from dataclasses import replace

    from equity import FoodshedError

    from ..services import PlanParams, allocate_plan

    params = PlanParams()
    if region.periods:
        params = replace(params, period=region.default_period)
    # a region the default plan cannot solve: nothing to keep (the Plan page will say why)
    with contextlib.suppress(FoodshedError):
        allocate_plan(region, params)


def serve(
    region: Any = None,
    *,
    host: str = "127.0.0.1",
    port: int = 8050,
    debug: bool = False,
    settings: Settings | None = None,
    ready: Any = None,
) -> None:
    """Start the dashboard with ``app.run``, bound to ``host`` (127.0.0.1 unless told otherwise).

    The start region's analysis and first page are prepared before the server binds (a few seconds;
    see docs/dashboard.md, Speed), so the first page paints as soon as it is up; the Plan page's
    default plan is solved in the background. ``ready()`` (optional) is called just before the
    server starts listening (the command line prints the address then).

    When ``host`` is not a loopback address, opening server folders from the Data page is turned
    off (uploads still work), so other machines cannot browse this one's disk.
    """
    from dataclasses import replace

    settings = settings or Settings()
    if not _is_loopback(host) and settings.allow_folders:
        settings = replace(settings, allow_folders=False)
    app = create_app(region, settings)
    warm_up(app, wait="page")
    if ready is not None:
        ready()
    app.run(host=host, port=port, debug=debug, threaded=True)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

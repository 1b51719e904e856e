"""The dashboard's own plotly.js: only the trace types it draws (issue 15).

``dcc.Graph`` fetches plotly.js the first time a graph is shown, from
``_dash-component-suites/plotly/package_data/plotly.min.js`` (the full 4.8 MB bundle that the
Python ``plotly`` package ships); compiling and starting it is one 2-3 s task in the browser,
which the interactive map waits for. :func:`serve_partial_plotly` makes that address answer
``vendor/plotly-foodshed.min.js`` instead: plotly.js of the same version built with only
:data:`TRACES` (3.0 MB, most of it MapLibre), by ``tools/plotly_bundle`` (see its README). Pages
still load it lazily, after their words are painted, exactly as before.

Only the app's pages use it; the HTML files the dashboard offers for download inline the full
plotly.js (``include_plotlyjs=True``), so they show any figure offline.
"""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import Any

from dash import Dash
from dash.fingerprint import check_fingerprint

__all__ = ["BUNDLE", "TRACES", "bundle_matches", "serve_partial_plotly"]

VENDOR = Path(__file__).resolve().parent / "vendor"
#: The built bundle (committed; rebuilt by ``tools/plotly_bundle``).
BUNDLE = VENDOR / "plotly-foodshed.min.js"
_MANIFEST = json.loads((VENDOR / "plotly-foodshed.json").read_text(encoding="utf-8"))
#: plotly.js version the bundle was built from.
PLOTLY_JS_VERSION: str = _MANIFEST["plotly_js"]
#: Trace types the bundle registers; every trace the dashboard draws must be one of these.
TRACES: frozenset[str] = frozenset(_MANIFEST["traces"])

#: Where dcc.Graph asks for plotly.js (package "plotly", path inside it) when served locally.
_PLOTLY_PATH = ("plotly", "package_data/plotly.min.js")
_SUITES_RULE = "_dash-component-suites/<string:package_name>/<path:fingerprinted_path>"
_log = logging.getLogger(__name__)


def bundle_matches() -> bool:
    """Whether the bundle is of the plotly.js version the installed ``plotly`` expects."""
    from plotly.offline import get_plotlyjs_version

    return bool(get_plotlyjs_version() == PLOTLY_JS_VERSION)


def serve_partial_plotly(app: Dash) -> bool:
    """Answer dcc.Graph's request for plotly.js with the partial bundle; whether it now does.

    Every other component file is served by Dash as before. When the installed ``plotly``
    expects another plotly.js version than the bundle's (after an upgrade, before the bundle is
    rebuilt), the full bundle is kept and a warning says so.
    """
    if not bundle_matches():
        from plotly.offline import get_plotlyjs_version

        _log.warning(
            "plotly expects plotly.js %s but dashboard/app/vendor has %s; serving the full "
            "plotly.js (rebuild the partial one: see tools/plotly_bundle/README.md)",
            get_plotlyjs_version(),
            PLOTLY_JS_VERSION,
        )
        return False
    server = app.server
    endpoint = next(
        r.endpoint for r in server.url_map.iter_rules() if r.rule.endswith(_SUITES_RULE)
    )
    dash_serve = server.view_functions[endpoint]

    def serve(package_name: str, fingerprinted_path: str) -> Any:
        path_in_pkg, fingerprinted = check_fingerprint(fingerprinted_path)
        if (package_name, path_in_pkg) != _PLOTLY_PATH:
            return dash_serve(package_name, fingerprinted_path)
        import flask

        # as Dash serves it: a year's caching when fingerprinted, else an ETag to revalidate
        return flask.send_file(
            io.BytesIO(data),
            mimetype="text/javascript",
            etag=_MANIFEST["sha256"],
            max_age=31536000 if fingerprinted else None,
        )

    data = BUNDLE.read_bytes()
    server.view_functions[endpoint] = serve
    return True

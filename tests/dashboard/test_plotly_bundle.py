"""The partial plotly.js (dashboard/app/plotly_bundle.py): what it holds and who gets it (issue 15).

A figure whose trace type the bundle lacks would be drawn as an empty scatter plot: every trace
type the dashboard's code makes must be one the bundle registers, and the bundle must register
what its manifest says.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from pathlib import Path

import plotly
import plotly.graph_objects as go
import pytest
from plotly.basedatatypes import BaseTraceType

from dashboard.app import Settings, create_app, plotly_bundle, warm_up

DASHBOARD = Path(plotly_bundle.__file__).resolve().parents[1]
PLOTLY_URL = "/_dash-component-suites/plotly/package_data/plotly.min.js"
FULL_PLOTLY = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def _registered(js: str) -> set[str]:
    """Trace types a plotly.js bundle registers (each trace module names itself so)."""
    return set(re.findall(r'moduleType:"trace",name:"([a-z0-9]+)"', js))


def _trace_types_in_code(root: Path) -> dict[str, set[str]]:
    """Trace types the code under ``root`` makes: ``go.X(...)`` of a trace class, ``add_x(...)``
    of a figure, and ``{"type": "x"}`` literals naming a trace; type -> files."""
    trace_names = {
        name
        for name in dir(go)
        if isinstance(getattr(go, name), type) and issubclass(getattr(go, name), BaseTraceType)
    }
    types = {name.lower() for name in trace_names}
    found: dict[str, set[str]] = {}
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # the names plotly.graph_objects goes by in this file, and its classes imported by name
        modules = {"go"}
        direct: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules |= {a.asname for a in node.names if a.name == "plotly.graph_objects"}
            elif isinstance(node, ast.ImportFrom) and node.module == "plotly.graph_objects":
                direct |= {a.asname or a.name for a in node.names if a.name in trace_names}
            elif isinstance(node, ast.ImportFrom) and node.module == "plotly":
                modules |= {a.asname or a.name for a in node.names if a.name == "graph_objects"}
        for node in ast.walk(tree):
            t = None
            if (
                isinstance(node, ast.Attribute)
                and node.attr in trace_names
                and isinstance(node.value, ast.Name)
                and node.value.id in modules
            ):
                t = node.attr.lower()
            elif isinstance(node, ast.Name) and node.id in direct:
                t = node.id.lower()
            elif isinstance(node, ast.Attribute) and node.attr.startswith("add_"):
                t = node.attr[4:] if node.attr[4:] in types else None
            elif isinstance(node, ast.Dict):
                for k, v in zip(node.keys, node.values, strict=True):
                    if (
                        isinstance(k, ast.Constant)
                        and k.value == "type"
                        and isinstance(v, ast.Constant)
                        and v.value in types
                    ):
                        t = v.value
            if t:
                found.setdefault(t, set()).add(str(path.relative_to(root.parent)))
    return found


def test_the_bundle_registers_what_its_manifest_says():
    js = plotly_bundle.BUNDLE.read_text(encoding="utf-8")
    assert _registered(js) == set(plotly_bundle.TRACES)
    manifest = json.loads((plotly_bundle.VENDOR / "plotly-foodshed.json").read_text())
    assert len(js.encode()) == manifest["bytes"]
    assert hashlib.sha256(js.encode()).hexdigest() == manifest["sha256"]
    assert js.startswith(f"/**\n* plotly.js v{plotly_bundle.PLOTLY_JS_VERSION} (Foodshed")
    assert "MIT" in (plotly_bundle.VENDOR / "LICENSE-plotly.js.txt").read_text()
    # the scan below sees the full plotly.js's 47 trace types, so it would see a missing one
    assert len(_registered(FULL_PLOTLY.read_text(encoding="utf-8"))) > 40


def test_every_trace_type_the_dashboard_makes_is_in_the_bundle():
    found = _trace_types_in_code(DASHBOARD)
    missing = {t: sorted(files) for t, files in found.items() if t not in plotly_bundle.TRACES}
    assert not missing, (
        f"trace types {missing} are not in the partial plotly.js; add them to TRACES in "
        "tools/plotly_bundle/build.mjs and rebuild (tools/plotly_bundle/README.md)"
    )
    # the scan finds what the dashboard draws (by hand: maps, charts, the sweep's boxes)
    assert set(found) == {"bar", "box", "choroplethmap", "scatter", "scattermap"}


def test_the_scan_sees_a_trace_type_added_to_the_figures(tmp_path):
    pkg = tmp_path / "dashboard"
    pkg.mkdir()
    (pkg / "extra.py").write_text(
        "import plotly.graph_objects as pgo\n"
        "from plotly.graph_objects import Violin\n"
        "import dash_bootstrap_components as dbc\n"
        "def f(z):\n"
        "    fig = pgo.Figure(pgo.Heatmap(z=z), dbc.Table())\n"
        "    fig.add_trace(Violin(y=z))\n"
        "    fig.add_histogram(x=z)\n"
        "    fig.add_trace({'type': 'densitymap', 'lat': [0], 'lon': [0]})\n"
        "    return fig\n"
    )
    assert set(_trace_types_in_code(pkg)) == {"heatmap", "violin", "histogram", "densitymap"}


def test_the_demo_equity_page_draws_only_bundled_traces(demo_app):
    import dash

    page = next(p for p in dash.page_registry.values() if p["path"] == "/")
    with demo_app.server.test_request_context("/"):
        lay = json.loads(json.dumps(page["layout"](), cls=plotly.utils.PlotlyJSONEncoder))
    types: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            fig = node.get("props", {}).get("figure") if node.get("type") == "Graph" else None
            types.update(t.get("type", "scatter") for t in (fig or {}).get("data", []))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(lay)
    # the map (areas, stores) and its two charts
    assert {"choroplethmap", "scattermap"} <= types
    assert types <= plotly_bundle.TRACES


@pytest.fixture(scope="module")
def demo_app():
    from equity import Region

    app = create_app(Region.demo())
    warm_up(app, plans=False)
    return app


def test_graphs_get_the_partial_bundle_and_the_rest_is_unchanged(tiny_region):
    client = create_app(tiny_region).server.test_client()
    got = client.get(PLOTLY_URL)
    assert got.status_code == 200 and got.mimetype.endswith("javascript")
    assert got.data == plotly_bundle.BUNDLE.read_bytes()
    # fingerprinted (eager loading) too; answered with the ETag browsers revalidate
    assert client.get(PLOTLY_URL.replace(".min.js", ".v4_1_1m1.min.js")).data == got.data
    assert client.get(PLOTLY_URL, headers={"If-None-Match": got.headers["ETag"]}).status_code == 304
    other = client.get("/_dash-component-suites/dash/dcc/async-graph.js")
    assert other.status_code == 200 and b"plotly.js (" not in other.data[:300]


def test_partial_plotly_off_serves_the_full_bundle(tiny_region):
    client = create_app(tiny_region, Settings(partial_plotly=False)).server.test_client()
    assert client.get(PLOTLY_URL).data == FULL_PLOTLY.read_bytes()


def test_a_bundle_of_another_plotly_js_version_is_not_used(tiny_region, monkeypatch, caplog):
    monkeypatch.setattr(plotly_bundle, "PLOTLY_JS_VERSION", "0.0.1")
    client = create_app(tiny_region).server.test_client()
    assert client.get(PLOTLY_URL).data == FULL_PLOTLY.read_bytes()
    assert "expects plotly.js" in caplog.text and "tools/plotly_bundle/README.md" in caplog.text


def test_the_bundle_is_of_the_installed_plotly_js_version():
    from plotly.offline import get_plotlyjs_version

    assert get_plotlyjs_version() == plotly_bundle.PLOTLY_JS_VERSION, (
        "plotly was upgraded: rebuild dashboard/app/vendor/plotly-foodshed.min.js "
        "(tools/plotly_bundle/README.md)"
    )

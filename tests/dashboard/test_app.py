"""The app factory, its pages and the `foodshed dashboard` command (no browser)."""

from __future__ import annotations

import json

import dash
import pytest

from dashboard.app import Settings, create_app, ids, serve


@pytest.fixture(scope="module")
def app(tiny_region):
    return create_app(tiny_region)


#: Each page: path, heading, one of its own controls, browser tab title.
PAGES = [
    ("/", "Equity map", ids.EQ_MEASURE, "Foodshed: Equity map"),
    ("/plan", "Plan a scenario", ids.PL_OBJECTIVE, "Foodshed: Plan"),
    ("/compare", "Compare runs", ids.CMP_RUNS, "Foodshed: Compare"),
    ("/data", "Load your own region", ids.DATA_UPLOAD, "Foodshed: Data"),
    ("/sweep", "A finished sweep", "sw-frontier", "Foodshed: Sweep"),
]


def route(app, path: str) -> tuple[str, dict]:
    """What the browser gets for ``path``: Dash serves the same shell for every URL (always
    200) and the pages router callback fills in the page, as the browser asks it to."""
    body = {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": ""},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }
    with app.server.test_client().post("/_dash-update-component", json=body) as resp:
        assert resp.status_code == 200
        out = resp.get_json()["response"]
    return json.dumps(out["_pages_content"]["children"]), out["_pages_store"]["data"]


def test_pages_registered_and_shell_served(app):
    paths = sorted(p["path"] for p in dash.page_registry.values())
    assert paths == sorted(p for p, *_ in PAGES)
    client = app.server.test_client()
    with client.get("/plan") as resp:
        assert resp.status_code == 200 and b'id="react-entry-point"' in resp.data
    with client.get("/assets/bootstrap.min.css") as css:
        assert css.status_code == 200 and b"Bootstrap" in css.data[:200]


def test_nav_is_the_page_registry_in_order(app):
    def links(component):
        if isinstance(component, dash.development.base_component.Component):
            if type(component).__name__ == "NavLink":
                yield component.children, component.href
            children = getattr(component, "children", None)
            for child in children if isinstance(children, list) else [children]:
                yield from links(child)

    nav = list(links(app.layout))
    pages = sorted(dash.page_registry.values(), key=lambda p: p["order"])
    assert nav == [(p["name"], p["path"]) for p in pages]
    assert [name for name, _ in nav] == ["Equity map", "Plan", "Compare", "Data", "Sweep"]


@pytest.mark.parametrize(("path", "heading", "control", "title"), PAGES, ids=[p for p, *_ in PAGES])
def test_each_page_routes_to_its_own_content(app, path, heading, control, title):
    content, store = route(app, path)
    assert f'"children": "{heading}"' in content
    assert f'"id": "{control}"' in content
    assert store["title"] == title
    for other, other_heading, *_ in PAGES:
        if other != path:
            assert f'"children": "{other_heading}"' not in content


def test_unknown_path_shows_not_found(app):
    content, store = route(app, "/no-such-page")
    assert "404 - Page not found" in content
    for _, heading, control, _ in PAGES:
        assert heading not in content and control not in content
    assert store["title"] == "Foodshed"


def _ids(component) -> set[str]:
    return {str(c.id) for c in component._traverse() if getattr(c, "id", None)}


def test_layouts_build_without_data_io(tiny_region):
    """Each page's layout holds its own controls and outputs, and building it loads no region
    and computes nothing (the catalog stays empty: data come later, in callbacks)."""
    from dashboard.app.pages import compare, data, equity_map, plan

    app = create_app(tiny_region)
    catalog = app.server.config["FOODSHED_CATALOG"]
    expected = {
        equity_map: {ids.EQ_MEASURE, ids.EQ_MAP, ids.EQ_CARDS, ids.EQ_CSV_BTN},
        plan: {ids.PL_OBJECTIVE, ids.PL_RUN, ids.PL_KPIS, ids.PL_FLOWS_MAP, ids.PL_SITES_OFF},
        compare: {ids.CMP_RUNS, ids.CMP_BASE, ids.CMP_KPI_TABLE, ids.CMP_GAINS_MAP},
        data: {ids.DATA_UPLOAD, ids.DATA_FOLDER, ids.DATA_STATUS, ids.DATA_PROBLEMS},
    }
    with app.server.app_context():
        for mod, want in expected.items():
            got = _ids(mod.layout())
            assert want <= got, (mod.__name__, sorted(want - got))
    assert catalog._entries == {}


def test_session_state_lives_in_the_browser(app):
    """Region key and runs are dcc.Store components of the shell (one per browser session)."""
    stores = {c.id: c for c in app.layout.children if c.__class__.__name__ == "Store"}
    assert stores[ids.SESSION_REGION].storage_type == "session"
    assert stores[ids.SESSION_RUNS].data == []


def test_serve_binds_loopback_by_default(monkeypatch, tiny_region):
    seen = {}
    monkeypatch.setattr(dash.Dash, "run", lambda self, **kw: seen.update(kw))
    serve(tiny_region, port=9999)
    assert seen["host"] == "127.0.0.1" and seen["port"] == 9999


def test_serve_prepares_the_first_page_before_it_listens(monkeypatch, tiny_region):
    """When the server is up, the start region's analysis and display are already there (the
    first page paints without waiting for them), and ``ready`` ran just before listening."""
    from dashboard.app.state import DEFAULT_KEY

    order = []

    def fake_run(self, **kw):
        entry = self.server.config["FOODSHED_CATALOG"]._entries[DEFAULT_KEY]
        order.append(("run", entry.analysis is not None, entry.display is not None))

    monkeypatch.setattr(dash.Dash, "run", fake_run)
    serve(tiny_region, port=9999, ready=lambda: order.append(("ready",)))
    assert order == [("ready",), ("run", True, True)]


def test_serve_on_other_hosts_turns_off_server_folders(monkeypatch, tiny_region):
    seen = {}

    def fake_run(self, **kw):
        seen["settings"] = self.server.config["FOODSHED_SETTINGS"]

    monkeypatch.setattr(dash.Dash, "run", fake_run)
    serve(tiny_region, host="0.0.0.0", settings=Settings())
    assert seen["settings"].allow_folders is False


def test_cli_dashboard_passes_options(monkeypatch):
    from dashboard import app as app_mod
    from dashboard.cli import main

    seen = {}
    monkeypatch.setattr(app_mod, "serve", lambda region, **kw: seen.update(kw, region=region))
    assert main(["dashboard", "demo", "--port", "8123", "--host", "127.0.0.1"]) == 0
    assert seen["port"] == 8123 and seen["host"] == "127.0.0.1"
    assert seen["region"].name.startswith("Riverton")


def test_cli_dashboard_bad_folder_is_one_clean_error(tmp_path, capsys):
    from dashboard.cli import main

    assert main(["dashboard", str(tmp_path / "missing")]) == 1
    assert "no such folder" in " ".join(capsys.readouterr().err.split())


def test_map_redraw_patch_leaves_outlines_out(app):
    import json

    import plotly

    from dashboard.app.pages.equity_map import build_map, map_patch

    cat = app.server.config["FOODSHED_CATALOG"]
    full, _ = build_map(cat, None, "poverty_rate", "quantiles", 3, "viridis", ["hub"], "white-bg")
    other, _ = build_map(cat, None, "population", "quantiles", 3, "viridis", [], "white-bg")
    # same traces whatever the measure and layers, so a patch can update them in place
    assert [t.type for t in full.data] == [t.type for t in other.data]
    text = json.dumps(map_patch(full).to_plotly_json(), cls=plotly.utils.PlotlyJSONEncoder)
    assert "geojson" not in text and "FeatureCollection" not in text
    assert len(text) < len(full.to_json()) / 2
    hubs = [t for t in full.data if t.name and t.name.startswith("food hubs")]
    assert hubs[0].marker.opacity == 0.95
    assert [t for t in other.data if t.name and t.name.startswith("food hubs")][
        0
    ].marker.opacity == 0

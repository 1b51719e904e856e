"""The app factory, its pages and the `foodshed dashboard` command (no browser)."""

from __future__ import annotations

import dash
import pytest

from dashboard import ids
from dashboard.app import Settings, create_app, serve


@pytest.fixture(scope="module")
def app(tiny_region):
    return create_app(tiny_region)


def test_pages_registered_and_served(app):
    paths = sorted(p["path"] for p in dash.page_registry.values())
    assert paths == ["/", "/compare", "/data", "/plan", "/sweep"]
    client = app.server.test_client()
    for path in ("/", "/plan", "/compare", "/data"):
        with client.get(path) as resp:
            assert resp.status_code == 200
    with client.get("/assets/bootstrap.min.css") as css:
        assert css.status_code == 200 and b"Bootstrap" in css.data[:200]


def test_layouts_build_without_data_io(app):
    from dashboard.pages import compare, data, equity_map, plan

    with app.server.app_context():
        for mod in (equity_map, plan, compare, data):
            assert mod.layout() is not None


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
    from dashboard._data import DEFAULT_KEY

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

    from dashboard.pages.equity_map import build_map, map_patch

    cat = app.server.config["FOODSHED_CATALOG"]
    full, _ = build_map(cat, None, "poverty_rate", "quantiles", 3, "viridis", ["hub"], "white-bg")
    other, _ = build_map(cat, None, "population", "quantiles", 3, "viridis", [], "white-bg")
    # same traces whatever the measure and layers, so a patch can update them in place
    assert [t.type for t in full.data] == [t.type for t in other.data]
    text = json.dumps(map_patch(full).to_plotly_json(), cls=plotly.utils.PlotlyJSONEncoder)
    assert "geojson" not in text and "FeatureCollection" not in text
    assert len(text) < len(full.to_json()) / 2
    hubs = [t for t in full.data if t.name and t.name.startswith("hub")]
    assert hubs[0].marker.opacity == 0.95
    assert [t for t in other.data if t.name and t.name.startswith("hub")][0].marker.opacity == 0

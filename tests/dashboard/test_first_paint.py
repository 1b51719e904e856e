"""What makes the first paint fast: the equity page's layout, the map picture, server-side runs."""

from __future__ import annotations

import json
import math
import re

import pytest

from dashboard.app import create_app, warm_up


@pytest.fixture(scope="module")
def warm_app(tiny_region):
    app = create_app(tiny_region)
    warm_up(app)
    return app


def _layout_of_page(app, path="/"):
    """The page content Dash sends for ``path`` (its router callback's answer), as JSON."""
    import dash

    page = next(p for p in dash.page_registry.values() if p["path"] == path)
    with app.server.test_request_context(path):
        return json.loads(json.dumps(page["layout"](), cls=_encoder()))


def _encoder():
    import plotly

    return plotly.utils.PlotlyJSONEncoder


def _find(node, pred, out=None):
    out = [] if out is None else out
    if isinstance(node, dict):
        if pred(node):
            out.append(node)
        for v in node.values():
            _find(v, pred, out)
    elif isinstance(node, list):
        for v in node:
            _find(v, pred, out)
    return out


def _by_id(lay, cid):
    found = _find(lay, lambda n: n.get("props", {}).get("id") == cid)
    assert found, f"no component {cid!r} in the layout"
    return found[0]["props"]


def test_warm_layout_holds_cards_legend_map_and_picture(warm_app):
    lay = _layout_of_page(warm_app)
    text = json.dumps(_by_id(lay, "eq-cards"))
    # 9,000 residents; 3,000 in the one LILA row, 900 of them poor (the tiny region by hand)
    assert "9,000" in text and "3,000" in text and "900" in text
    legend = json.dumps(_by_id(lay, "eq-legend"))
    assert "Vermillion means yes" in legend
    fig = _by_id(lay, "eq-map")["figure"]
    assert fig["layout"]["meta"]["column"] == "LILATracts_1And10"
    assert [t["type"] for t in fig["data"]][:2] == ["choroplethmap", "choroplethmap"]
    assert _by_id(lay, "eq-measure")["value"] == "LILATracts_1And10"
    assert _by_id(lay, "eq-shown")["data"]["view"][1] == "LILATracts_1And10"
    imgs = _find(lay, lambda n: n.get("props", {}).get("className") == "fs-map-preview")
    assert imgs and imgs[0]["props"]["src"].startswith("data:image/svg+xml;base64,")


def test_cold_layout_leaves_the_page_to_its_callbacks(tiny_region):
    app = create_app(tiny_region)  # nothing loaded: the layout starts no analysis
    lay = _layout_of_page(app)
    assert _by_id(lay, "eq-cards").get("children") in (None, [])
    assert not _find(lay, lambda n: n.get("props", {}).get("className") == "fs-map-preview")
    assert app.server.config["FOODSHED_CATALOG"].ready(None) is False


def _callback(app, output_id, inputs, state):
    """Answer of the callback writing ``output_id`` for these input and state values."""
    client = app.server.test_client()
    deps = client.get("/_dash-dependencies").get_json()
    dep = next(d for d in deps if d["output"].startswith(f"..{output_id}."))
    body = {
        "output": dep["output"],
        "outputs": [
            {"id": o.split(".")[0], "property": o.split(".")[1]}
            for o in dep["output"].strip(".").split("...")
        ],
        "inputs": [{**i, "value": inputs[i["id"]]} for i in dep["inputs"]],
        "state": [{**s, "value": state[s["id"]]} for s in dep["state"]],
        "changedPropIds": [],
    }
    resp = client.post("/_dash-update-component", json=body)
    return resp.status_code, resp.get_data(as_text=True)


def test_opening_callbacks_send_nothing_when_the_page_came_with_it(warm_app):
    lay = _layout_of_page(warm_app)
    shown = _by_id(lay, "eq-shown")["data"]
    inputs = {
        "session-region": "default",
        "eq-measure": "LILATracts_1And10",
        "eq-scheme": "quantiles",
        "eq-classes": 5,
        "eq-palette": "viridis",
        "eq-layers": ["supermarket"],
    }
    status, text = _callback(warm_app, "eq-map", inputs, {"eq-shown": shown})
    # every output no_update: the map on screen is already this one
    assert status == 204 or json.loads(text)["response"] == {}
    # another measure is a real redraw: a patch, without the outlines
    status, text = _callback(
        warm_app, "eq-map", inputs | {"eq-measure": "poverty_rate"}, {"eq-shown": shown}
    )
    assert status == 200 and "FeatureCollection" not in text and "poverty" in text.lower()


def test_map_picture_draws_every_area_and_the_shown_points(warm_app):
    from dashboard.app.pages.equity_map import build_map
    from dashboard.figures.preview import map_key_svg, map_preview_svg

    cat = warm_app.server.config["FOODSHED_CATALOG"]
    fig, areas = build_map(
        cat, None, "LILATracts_1And10", "quantiles", 5, "viridis", ["hub"], "white-bg"
    )
    svg = map_preview_svg(fig)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    # one path per colour: vermillion for the three LILA areas (row 2), grey for the other six
    fills = re.findall(r'<path d="([^"]*)" fill="([^"]+)"', svg)
    by_colour = {c: d.count("M") for d, c in fills}
    assert int(areas["LILATracts_1And10"].sum()) == 3
    assert by_colour == {"#D55E00": 3, "#E3E8EE": 6}
    hubs = (cat.display(None)["sites"]["kind"] == "hub").sum()
    assert svg.count("<circle") == hubs  # only the shown layer (hubs), not stores
    # the areas are 1 km squares: in Web Mercator pixels at the map's zoom and latitude, one is
    # 1000 m / (cos(lat) * 40,075,017 m / (512 * 2**zoom px)) wide
    zoom, lat = fig.layout.map.zoom, fig.layout.map.center.lat
    xs = [float(v) for v in fills[0][0][1:].split("Z")[0].split()[0::2]]
    metres_per_px = math.cos(math.radians(lat)) * 40_075_017 / (512 * 2**zoom)
    assert max(xs) - min(xs) == pytest.approx(1000 / metres_per_px, rel=0.05)
    key = map_key_svg(fig)
    assert ">yes<" in key and ">no<" in key


def test_run_store_keeps_tables_by_unguessable_key():
    from dashboard.app.runs import RunStore

    store = RunStore(max_runs=2)
    run = {"id": "r1", "label": "x", "kpis": {"need_met_kg": 5.0}, "flows": {"site_id": ["H1"]}}
    light = store.put(run)
    assert "flows" not in light and light["kpis"] == {"need_met_kg": 5.0}
    assert len(light["ref"]) >= 20
    assert store.full(light)["flows"] == {"site_id": ["H1"]}
    assert store.full({"ref": "guess"}) is None and store.full(None) is None
    second, third = store.put(run | {"id": "r2"}), store.put(run | {"id": "r3"})
    assert store.full(light) is None  # the oldest is dropped past max_runs
    assert store.full(second)["id"] == "r2" and store.full(third)["id"] == "r3"
    with pytest.raises(ValueError, match="max_runs must be at least 1"):
        RunStore(max_runs=0)

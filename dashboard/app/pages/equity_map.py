"""Equity map: where the food deserts are and who lives there."""

from __future__ import annotations

import json
from typing import Any

import dash_bootstrap_components as dbc
import numpy as np
from dash import Input, Output, Patch, State, dcc, html, no_update

from equity import FoodshedError

from ... import figures as F
from ...services import headline
from .. import ids
from ..state import DEFAULT_KEY
from ..uploads import safe_csv
from .common import (
    button,
    card,
    catalog,
    empty_figure,
    error_alert,
    graph_config,
    panel,
    radio,
    settings,
)
from .common import page_row as _page_row
from .wiring import ins, outs, states

#: The choices of the map's classes and colours (value: label)
SCHEMES = {
    "quantiles": "Quantiles (equal numbers of areas)",
    "natural_breaks": "Natural breaks",
    "equal_interval": "Equal intervals",
}
PALETTES = {"viridis": "Viridis", "cividis": "Cividis"}
CLASS_MARKS = {i: str(i) for i in range(3, 8)}
#: The controls that choose the map, in the order of :func:`build_map`'s arguments
CONTROLS = (ids.EQ_MEASURE, ids.EQ_SCHEME, ids.EQ_CLASSES, ids.EQ_PALETTE, ids.EQ_LAYERS)

LAYERS = {
    "supermarket": "Supermarkets",
    "other_stores": "Other food stores",
    "garden": "Gardens and farms",
    "hub": "Hubs",
    "pantry": "Pantries",
}
OTHER_STORES = ("grocery", "convenience", "farmers_market", "dollar_store", "pharmacy", "specialty")


#: dcc.Graph's own default figure (an empty plot), for a page opened before the data is ready
_BLANK: dict[str, Any] = {"data": [], "layout": {}}

#: The controls' values when a page is opened.
DEFAULT_VIEW: dict[str, Any] = {
    "scheme": "quantiles",
    "k": 5,
    "palette": "viridis",
    "layers": ["supermarket"],
}


def initial_view(cat: Any, basemap: str) -> dict[str, Any] | None:
    """The page's opening view of the start region, ready to send (or None if not loaded yet).

    Built once per loaded region (``RegionCatalog.memo``; :func:`dashboard.app.warm_up` builds
    it) as plain JSON-ready values: the measure options, the map, distribution and Lorenz
    figures, the map's SVG preview and what the map shows. Starts no analysis.
    """
    if not cat.ready(DEFAULT_KEY):
        return None

    def build() -> dict[str, Any] | None:
        import plotly.io as pio

        from ...figures.preview import map_preview_uri

        areas = cat.analysis(DEFAULT_KEY)
        opts = F.measure_options(areas)
        measure = _default_measure(areas, opts)
        if measure is None:
            return None
        fig, legend, dist, lorenz = _view(
            cat, DEFAULT_KEY, measure, basemap=basemap, **DEFAULT_VIEW
        )
        return {
            "options": opts,
            "measure": measure,
            "figure": json.loads(pio.to_json(fig)),
            "preview": map_preview_uri(fig),
            "legend": legend,
            "dist": json.loads(pio.to_json(dist)),
            "lorenz": json.loads(pio.to_json(lorenz)),
            "shown": {
                "region": DEFAULT_KEY,
                "view": _view_key(DEFAULT_KEY, measure, **DEFAULT_VIEW),
            },
        }

    try:
        return cat.memo(DEFAULT_KEY, ("equity-map", basemap), build)
    except FoodshedError:
        return None


def _initial() -> dict[str, Any]:
    """What the page shows at once for the start region, if the server has it ready.

    Taken from the warmed-up cache while the page's layout is requested, so headline cards,
    legend, a picture of the map and the map itself come with the layout: the first paint needs
    no callback round-trip. Sessions on another region get theirs from the callbacks.
    """
    try:
        from flask import current_app

        config = current_app.config
    except RuntimeError:  # no request (the layout built in a test): the callbacks fill it
        return {}
    cat = config.get("FOODSHED_CATALOG")
    if cat is None:
        return {}
    init = initial_view(cat, config["FOODSHED_SETTINGS"].basemap)
    if not init:
        return {}
    return {
        **init,
        "legend": _legend(*init["legend"]),
        "cards": _cards(cat.analysis(DEFAULT_KEY)),
    }


def _preview(uris: dict[str, str | None] | None) -> list:
    """The map's picture over the map's place until the interactive map has drawn."""
    if not uris:
        return []
    out: list[Any] = [
        html.Img(src=uris["map"], className="fs-map-preview", alt="The map, while it loads")
    ]
    if uris.get("key"):
        out.append(html.Img(src=uris["key"], className="fs-map-preview-key", alt="Map classes"))
    out.append(html.Span("Loading the interactive map...", className="fs-map-preview-note"))
    return out


def layout(**_: Any) -> html.Div:
    init = _initial()
    controls = panel(
        [
            html.H1("Equity map", className="h5 mb-1"),
            html.P(
                "Colour the areas by a measure of food access or need.",
                className="fs-caption",
            ),
            dbc.Label("Measure", html_for=ids.EQ_MEASURE),
            dcc.Dropdown(
                id=ids.EQ_MEASURE,
                options=init.get("options", []),
                value=init.get("measure"),
                clearable=False,
                optionHeight=48,
                maxHeight=420,
            ),
            dbc.Switch(
                id=ids.EQ_EXPERT,
                label="All columns (for experts)",
                value=False,
                class_name="fs-card-note mt-1",
            ),
            *radio("Classes", ids.EQ_SCHEME, SCHEMES, DEFAULT_VIEW["scheme"]),
            dbc.Label("Number of classes", html_for=ids.EQ_CLASSES, className="mt-2"),
            dcc.Slider(3, 7, 1, id=ids.EQ_CLASSES, value=DEFAULT_VIEW["k"], marks=CLASS_MARKS),
            *radio(
                "Colours (colour-blind safe)",
                ids.EQ_PALETTE,
                PALETTES,
                DEFAULT_VIEW["palette"],
                inline=True,
            ),
            dbc.Label("Show on the map", className="mt-2"),
            dbc.Checklist(
                id=ids.EQ_LAYERS,
                options=[{"label": v, "value": k} for k, v in LAYERS.items()],
                value=list(DEFAULT_VIEW["layers"]),
            ),
            html.Hr(),
            dbc.Label("Download"),
            html.Div(
                [
                    button("Table (CSV)", ids.EQ_CSV_BTN, class_name="me-2"),
                    button("Map (HTML)", ids.EQ_HTML_BTN),
                ]
            ),
            html.Div(
                "For a PNG, use the camera icon at the top right of the map.",
                className="fs-card-note mt-1",
            ),
            dcc.Download(id=ids.EQ_DOWNLOAD),
            dcc.Store(id=ids.EQ_SHOWN, storage_type="memory", data=init.get("shown")),
            dcc.Store(id=ids.EQ_PRERENDERED, data=(init.get("shown") or {}).get("region")),
        ],
        className="fs-controls",
    )
    body = [
        dbc.Row(init.get("cards", []), id=ids.EQ_CARDS, className="g-2 mb-1 fs-lead"),
        panel(
            [
                html.Div(
                    [
                        dcc.Loading(
                            dcc.Graph(
                                id=ids.EQ_MAP,
                                figure=init.get("figure", _BLANK),
                                config=graph_config("equity-map"),
                                style={"height": "560px"},
                            ),
                            delay_show=300,
                        ),
                        *_preview(init.get("preview")),
                    ],
                    className="fs-map-wrap",
                ),
                html.Div(init.get("legend", ""), id=ids.EQ_LEGEND, className="fs-caption mt-1"),
            ]
        ),
        dbc.Row(
            [
                dbc.Col(
                    panel(
                        dcc.Graph(
                            id=ids.EQ_DIST,
                            figure=init.get("dist", _BLANK),
                            config=graph_config("equity-distribution"),
                        )
                    ),
                    md=6,
                ),
                dbc.Col(
                    panel(
                        dcc.Graph(
                            id=ids.EQ_DIST_KIND,
                            figure=init.get("lorenz", _BLANK),
                            config=graph_config("equity-lorenz"),
                        )
                    ),
                    md=6,
                ),
            ]
        ),
    ]
    # the page may come with the start region's cards and map (_initial); a session on another
    # region keeps them hidden until its own are drawn (see the clientside callback)
    main = [
        html.Div(id=ids.EQ_ERROR, className="fs-lead"),
        html.Div(body, id=ids.EQ_BODY, className="fs-flow"),
    ]
    return _page_row(controls, main)


#: The width the map is zoomed for (the map panel at 1440 px, less the colour key).
MAP_WIDTH = 1000
LAYER_KINDS = {
    "supermarket": ("stores", ("supermarket",)),
    "other_stores": ("stores", OTHER_STORES),
    "garden": ("sites", ("garden", "farm")),
    "hub": ("sites", ("hub",)),
    "pantry": ("sites", ("pantry",)),
}


def _points(disp: dict[str, Any], layers: list[str], **render: Any) -> list:
    """Every point layer of the region, shown or hidden by ``layers`` (same traces each time);
    ``render`` are :func:`figures.point_layers`' ``render``, ``crs`` and ``bounds``."""
    traces = []
    for layer, (table, kinds) in LAYER_KINDS.items():
        if table == "stores":
            found = F.stores_layers(disp["stores"], kinds=list(kinds), **render)
        else:
            found = F.sites_layers(disp["sites"], kinds=list(kinds), **render)
        shown = layer in (layers or [])
        for tr in found:
            # hidden layers stay on the map, transparent: switching MapLibre layers on and off
            # would draw them under the areas
            tr.marker.opacity = 0.95 if shown else 0.0
            tr.hoverinfo = "all" if shown else "skip"
            tr.showlegend = shown
            traces.append(tr)
    return traces


#: Trace properties a redraw changes; the outlines (``geojson``) are sent once per page.
_PATCHED = (
    "locations",
    "z",
    "zmin",
    "zmax",
    "colorscale",
    "customdata",
    "hovertemplate",
    "name",
    "colorbar",
    "showlegend",
    "marker",
    "hoverinfo",
)


def map_patch(fig) -> Patch:
    """A :class:`dash.Patch` turning the map on screen into ``fig``, without its GeoJSON."""
    patch = Patch()
    for i, tr in enumerate(fig.data):
        js = tr.to_plotly_json()
        for key in _PATCHED:
            if key in js:
                patch["data"][i][key] = js[key]
    patch["layout"]["meta"] = fig.layout.meta
    return patch


def build_map(
    cat: Any,
    key: str | None,
    measure: str,
    scheme: str,
    k: int,
    palette: str,
    layers: list[str],
    basemap: str,
    *,
    outlines: bool = True,
    render: str = "tiles",
):
    """The map of ``measure``; ``outlines=False`` leaves the outlines out (for a patch);
    ``render="xy"`` draws it offline (the HTML download), the same classes and points."""
    areas = cat.analysis(key)
    disp = cat.display(key)
    hover = [c for c in ("population", "poverty_rate", "dist_supermarket_mi") if c != measure]
    classes: dict[str, Any] = {
        "scheme": scheme,
        "k": int(k),
        "palette": palette,
        "hover_cols": hover,
    }
    if render == "xy":
        metric = F.metric_frame(areas)
        points = _points(disp, layers, render="xy", crs=metric.crs, bounds=metric.total_bounds)
        shown = [p for p in points if p.showlegend]
        fig = F.choropleth_map(metric, measure, render="xy", height=820, points=shown, **classes)
        return fig, areas
    fig = F.choropleth_map(
        areas,
        measure,
        geojson=disp["geojson"] if outlines else {"type": "FeatureCollection", "features": []},
        basemap=basemap,
        width=MAP_WIDTH,
        **classes,
    )
    for tr in _points(disp, layers):
        fig.add_trace(tr)
    return fig, areas


def _default_measure(areas: Any, opts: list[dict[str, Any]]) -> str | None:
    """The measure the map opens on: the food-desert flag the first headline card counts (the
    computed flag, never an input column kept for comparison), else the menu's first."""
    first = headline(areas)
    return F.default_measure(opts, first[0]["column"] if first else None)


def _cards(areas: Any) -> list:
    """Headline cards: residents, and people in food deserts by the first LILA measures."""
    total = float(areas["population"].sum())
    cards = [card(f"{total:,.0f}", "residents", f"in {len(areas):,} areas")]
    for h in headline(areas)[:3]:
        note = f"{h['share']:.0%} of residents"
        if np.isfinite(h["low_income_people"]):
            note += f"; {h['low_income_people']:,.0f} {h['low_income_label']}"
        cards.append(card(f"{h['people']:,.0f}", f"people {h['short']}", note))
    return cards


def _legend(title: str, scheme: str, flag: bool, note: str = "") -> list:
    """The words under the map: what the colours mean (and why there are fewer classes than
    asked for, when there are)."""
    return [
        html.Strong(title),
        html.Span(f": coloured in {scheme}. "),
        *([html.Span(f"{note}. ", className="fs-class-note")] if note else []),
        html.Span("Vermillion means yes. " if flag else "Darker means worse. "),
        html.Span("Hover over an area for its numbers; click a layer in the legend to hide it."),
    ]


def _view_key(key: str | None, measure: str, scheme: str, k: int, palette: str, layers) -> list:
    """What the map on screen shows (a redraw with the same key changes nothing)."""
    return [key or DEFAULT_KEY, measure, scheme, int(k), palette, sorted(layers or [])]


def _view(cat: Any, key: str | None, measure: str, **choice: Any):
    """The map, its legend, the distribution and the Lorenz curve for one choice of controls
    (``choice``: the ``scheme``, ``k``, ``palette``, ``layers``, ``basemap`` and ``outlines``
    of :func:`build_map`)."""
    fig, areas = build_map(cat, key, measure, **choice)
    meta = fig.layout.meta
    info = F.measure_info(measure, areas[measure])
    legend = (meta["title"], meta["scheme"], info.kind == "flag", meta.get("classes_note", ""))
    dist = F.distribution_figure(areas, measure, info=info)
    if info.kind == "flag" or not np.isfinite(np.asarray(areas[measure], dtype=float)).any():
        lor_col = "dist_supermarket_mi" if "dist_supermarket_mi" in areas.columns else None
    else:
        lor_col = measure
    if lor_col is None:
        lorenz = empty_figure("Pick a numeric measure to see how evenly it is shared")
    else:
        li = F.measure_info(lor_col)
        v = np.asarray(areas[lor_col], dtype=float) * li.scale
        v = np.where(np.isfinite(v), v, np.nan)
        lorenz = F.lorenz_figure(
            {li.label: (v.tolist(), areas["population"].to_numpy(float).tolist())},
            value_label="total",
            title=f"How evenly it is shared: {li.label.lower()}",
        )
    return fig, legend, dist, lorenz


def register_callbacks(app: Any) -> None:
    cat = catalog(app)
    basemap = settings(app).basemap

    @app.callback(
        *outs("options", ids.EQ_MEASURE),
        *outs("value", ids.EQ_MEASURE),
        *outs("children", ids.EQ_CARDS, ids.EQ_ERROR),
        Input(ids.SESSION_REGION, "data"),
        Input(ids.EQ_EXPERT, "value"),
        State(ids.EQ_MEASURE, "value"),
        State(ids.EQ_SHOWN, "data"),
    )
    def _options(key, expert, current, shown):
        from dash import ctx

        region_drawn = shown and shown.get("region") == (key or DEFAULT_KEY)
        if region_drawn and ctx.triggered_id != ids.EQ_EXPERT:
            # the page came with this region's cards and options (see _initial)
            return no_update, no_update, no_update, no_update
        try:
            areas = cat.analysis(key)
        except FoodshedError as exc:
            return [], None, [], error_alert(exc, "The region could not be analysed")
        opts = F.measure_options(areas, expert=bool(expert))
        values = [o["value"] for o in opts if not o.get("disabled")]
        value = current if current in values else _default_measure(areas, opts)
        if region_drawn:  # only the menu changed
            return opts, value, no_update, no_update
        return opts, value, _cards(areas), None

    @app.callback(
        *outs("figure", ids.EQ_MAP),
        *outs("children", ids.EQ_LEGEND),
        *outs("figure", ids.EQ_DIST, ids.EQ_DIST_KIND),
        *outs("data", ids.EQ_SHOWN),
        Input(ids.SESSION_REGION, "data"),
        *ins("value", *CONTROLS),
        State(ids.EQ_SHOWN, "data"),
    )
    def _map(key, measure, scheme, k, palette, layers, shown):
        if not measure:
            blank = empty_figure("No measure to show")
            return blank, "", blank, blank, None
        view = _view_key(key, measure, scheme, k, palette, layers)
        if shown and shown.get("view") == view:  # already on screen (the page came with it)
            return no_update, no_update, no_update, no_update, no_update
        # a fresh page or a new region gets the whole figure; other changes patch it
        drawn = key or DEFAULT_KEY
        patching = bool(shown and shown.get("region") == drawn)
        try:
            fig, legend, dist, lorenz = _view(
                cat,
                key,
                measure,
                scheme=scheme,
                k=k,
                palette=palette,
                layers=layers,
                basemap=basemap,
                outlines=not patching,
            )
        except FoodshedError as exc:
            blank = empty_figure(str(exc))
            return blank, error_alert(exc, "The map could not be drawn"), blank, blank, None
        if patching:
            fig = map_patch(fig)
        return fig, _legend(*legend), dist, lorenz, {"region": drawn, "view": view}

    # The page may come with the start region's cards and map: a session on another region
    # hides them at once (this runs in the browser, before any callback answers) ...
    app.clientside_callback(
        """function (key, prerendered) {
            var other = !!(prerendered && prerendered !== (key || "default"));
            return other ? {visibility: "hidden"} : {};
        }""",
        Output(ids.EQ_BODY, "style"),
        Input(ids.SESSION_REGION, "data"),
        Input(ids.EQ_PRERENDERED, "data"),
    )
    # ... and shows them again once the map callback has drawn its own region (or an error)
    app.clientside_callback(
        """function (shown, key) {
            var other = !!(shown && shown.region && shown.region !== (key || "default"));
            return other ? {visibility: "hidden"} : {};
        }""",
        Output(ids.EQ_BODY, "style", allow_duplicate=True),
        Input(ids.EQ_SHOWN, "data"),
        State(ids.SESSION_REGION, "data"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(ids.EQ_DOWNLOAD, "data"),
        *ins("n_clicks", ids.EQ_CSV_BTN, ids.EQ_HTML_BTN),
        State(ids.SESSION_REGION, "data"),
        *states("value", *CONTROLS),
        prevent_initial_call=True,
    )
    def _download(n_csv, n_html, key, measure, scheme, k, palette, layers):
        from dash import ctx

        if not (n_csv or n_html):  # fired because the page was opened, not clicked
            return no_update
        region = cat.region(key)
        stem = "".join(ch if ch.isalnum() else "-" for ch in region.name.lower()).strip("-")
        if ctx.triggered_id == ids.EQ_CSV_BTN:
            areas = cat.analysis(key)
            return {
                "content": safe_csv(areas),
                "filename": f"{stem}-equity.csv",
                "type": "text/csv",
            }
        if ctx.triggered_id == ids.EQ_HTML_BTN and measure:
            # an x/y map with plotly.js inline: it opens from the file, with no network
            fig, _ = build_map(cat, key, measure, scheme, k, palette, layers, basemap, render="xy")
            title = f"{region.name}: {fig.layout.meta['title']}"
            return {
                "content": F.offline_html(fig, f"foodshed-{stem}-{measure}", title=title),
                "filename": f"{stem}-{measure}.html",
                "type": "text/html",
            }
        return no_update

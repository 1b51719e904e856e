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
from .common import GRAPH_CONFIG, button, card, catalog, empty_figure, error_alert, panel, settings
from .common import page_row as _page_row

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
DEFAULT_VIEW = {
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
        if not opts:
            return None
        measure = opts[0]["value"]
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
    out = [html.Img(src=uris["map"], className="fs-map-preview", alt="The map, while it loads")]
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
            ),
            dbc.Label("Classes", className="mt-2"),
            dbc.RadioItems(
                id=ids.EQ_SCHEME,
                options=[
                    {"label": "Quantiles (equal numbers of areas)", "value": "quantiles"},
                    {"label": "Natural breaks", "value": "natural_breaks"},
                    {"label": "Equal intervals", "value": "equal_interval"},
                ],
                value=DEFAULT_VIEW["scheme"],
            ),
            dbc.Label("Number of classes", html_for=ids.EQ_CLASSES, className="mt-2"),
            dcc.Slider(
                id=ids.EQ_CLASSES,
                min=3,
                max=7,
                step=1,
                value=DEFAULT_VIEW["k"],
                marks={i: str(i) for i in range(3, 8)},
            ),
            dbc.Label("Colours (colour-blind safe)", className="mt-2"),
            dbc.RadioItems(
                id=ids.EQ_PALETTE,
                options=[
                    {"label": "Viridis", "value": "viridis"},
                    {"label": "Cividis", "value": "cividis"},
                ],
                value=DEFAULT_VIEW["palette"],
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
                                config={
                                    "displaylogo": False,
                                    "toImageButtonOptions": {"scale": 2},
                                },
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
                            id=ids.EQ_DIST, figure=init.get("dist", _BLANK), config=GRAPH_CONFIG
                        )
                    ),
                    md=6,
                ),
                dbc.Col(
                    panel(
                        dcc.Graph(
                            id=ids.EQ_DIST_KIND,
                            figure=init.get("lorenz", _BLANK),
                            config=GRAPH_CONFIG,
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


LAYER_KINDS = {
    "supermarket": ("stores", ("supermarket",)),
    "other_stores": ("stores", OTHER_STORES),
    "garden": ("sites", ("garden", "farm")),
    "hub": ("sites", ("hub",)),
    "pantry": ("sites", ("pantry",)),
}


def _points(disp: dict[str, Any], layers: list[str]) -> list:
    """Every point layer of the region, shown or hidden by ``layers`` (same traces each time)."""
    traces = []
    for layer, (table, kinds) in LAYER_KINDS.items():
        if table == "stores":
            found = F.stores_layers(disp["stores"], kinds=list(kinds))
        else:
            found = F.sites_layers(disp["sites"], kinds=list(kinds))
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
):
    """The map of ``measure``; ``outlines=False`` leaves the outlines out (for a patch)."""
    areas = cat.analysis(key)
    disp = cat.display(key)
    hover = [c for c in ("population", "poverty_rate", "dist_supermarket_mi") if c != measure]
    fig = F.choropleth_map(
        areas,
        measure,
        scheme=scheme,
        k=int(k),
        palette=palette,
        geojson=disp["geojson"] if outlines else {"type": "FeatureCollection", "features": []},
        hover_cols=hover,
        basemap=basemap,
    )
    for tr in _points(disp, layers):
        fig.add_trace(tr)
    return fig, areas


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


def _legend(title: str, scheme: str, flag: bool) -> list:
    """The words under the map: what the colours mean."""
    return [
        html.Strong(title),
        html.Span(f": coloured in {scheme}. "),
        html.Span("Vermillion means yes. " if flag else "Darker means worse. "),
        html.Span("Hover over an area for its numbers; click a layer in the legend to hide it."),
    ]


def _view_key(key: str | None, measure: str, scheme: str, k: int, palette: str, layers) -> list:
    """What the map on screen shows (a redraw with the same key changes nothing)."""
    return [key or DEFAULT_KEY, measure, scheme, int(k), palette, sorted(layers or [])]


def _view(
    cat: Any,
    key: str | None,
    measure: str,
    *,
    scheme: str,
    k: int,
    palette: str,
    layers: list[str],
    basemap: str,
    outlines: bool = True,
):
    """The map, its legend, the distribution and the Lorenz curve for one choice of controls."""
    fig, areas = build_map(
        cat, key, measure, scheme, k, palette, layers, basemap, outlines=outlines
    )
    meta = fig.layout.meta
    info = F.measure_info(measure, areas[measure])
    legend = (meta["title"], meta["scheme"], info.kind == "flag")
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
            {li.label: (v, areas["population"].to_numpy(float))},
            value_label="total",
            title=f"How evenly it is shared: {li.label.lower()}",
        )
    return fig, legend, dist, lorenz


def register_callbacks(app: Any) -> None:
    cat = catalog(app)
    basemap = settings(app).basemap

    @app.callback(
        Output(ids.EQ_MEASURE, "options"),
        Output(ids.EQ_MEASURE, "value"),
        Output(ids.EQ_CARDS, "children"),
        Output(ids.EQ_ERROR, "children"),
        Input(ids.SESSION_REGION, "data"),
        State(ids.EQ_MEASURE, "value"),
        State(ids.EQ_SHOWN, "data"),
    )
    def _options(key, current, shown):
        if shown and shown.get("region") == (key or DEFAULT_KEY):
            # the page came with this region's cards and options (see _initial)
            return no_update, no_update, no_update, no_update
        try:
            areas = cat.analysis(key)
        except FoodshedError as exc:
            return [], None, [], error_alert(exc, "The region could not be analysed")
        opts = F.measure_options(areas)
        values = [o["value"] for o in opts]
        value = current if current in values else (values[0] if values else None)
        return opts, value, _cards(areas), None

    @app.callback(
        Output(ids.EQ_MAP, "figure"),
        Output(ids.EQ_LEGEND, "children"),
        Output(ids.EQ_DIST, "figure"),
        Output(ids.EQ_DIST_KIND, "figure"),
        Output(ids.EQ_SHOWN, "data"),
        Input(ids.SESSION_REGION, "data"),
        Input(ids.EQ_MEASURE, "value"),
        Input(ids.EQ_SCHEME, "value"),
        Input(ids.EQ_CLASSES, "value"),
        Input(ids.EQ_PALETTE, "value"),
        Input(ids.EQ_LAYERS, "value"),
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
        Input(ids.EQ_CSV_BTN, "n_clicks"),
        Input(ids.EQ_HTML_BTN, "n_clicks"),
        State(ids.SESSION_REGION, "data"),
        State(ids.EQ_MEASURE, "value"),
        State(ids.EQ_SCHEME, "value"),
        State(ids.EQ_CLASSES, "value"),
        State(ids.EQ_PALETTE, "value"),
        State(ids.EQ_LAYERS, "value"),
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
            fig, _ = build_map(cat, key, measure, scheme, k, palette, layers, basemap)
            fig.update_layout(title=f"{region.name}: {fig.layout.meta['title']}")
            return {
                "content": fig.to_html(include_plotlyjs=True, full_html=True),
                "filename": f"{stem}-{measure}.html",
                "type": "text/html",
            }
        return no_update

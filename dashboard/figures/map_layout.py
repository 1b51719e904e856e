"""The frame of every map: the two renders (``"tiles"``, ``"xy"``), the title, the legend
under the map, the view fitted to the region, and the offline HTML page of an x/y map."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import plotly.graph_objects as go

from .map_geometry import to_wgs84
from .style import FONT as _FONT


def _centre(
    areas: Any, *, height: int = 560, width: int | None = None
) -> tuple[dict[str, float], float]:
    """Centre and the MapLibre zoom (512 px tiles) that fits the areas into ``width`` x
    ``height`` px (``width`` None: as wide as high and a half), both ways: a wide county in a
    narrow panel is zoomed out until its east and west ends show."""
    wgs = to_wgs84(areas)
    minx, miny, maxx, maxy = wgs.total_bounds
    if not np.all(np.isfinite([minx, miny, maxx, maxy])):
        return {"lon": 0.0, "lat": 0.0}, 1.0
    lat = (miny + maxy) / 2
    width = width if width is not None else int(height * 1.5)
    # Web Mercator: a degree of latitude is 1 / cos(lat) times as tall as a degree of longitude
    span_x = max(maxx - minx, 1e-4)
    span_y = max((maxy - miny) / max(np.cos(np.radians(lat)), 0.2), 1e-4)
    zoom_x = np.log2(360.0 / span_x) + np.log2(max(width, 50) * 0.92 / 512)
    zoom_y = np.log2(360.0 / span_y) + np.log2(max(height, 50) * 0.92 / 512)
    zoom = float(np.clip(min(zoom_x, zoom_y), 1, 16))
    return {"lon": (minx + maxx) / 2, "lat": lat}, zoom


Render = Literal["tiles", "xy"]
RENDERS = ("tiles", "xy")

#: Legends sit under the map, outside it, so they never cover its west.
_LEGEND_BELOW = {
    "orientation": "h",
    "yanchor": "top",
    "y": -0.01,
    "xanchor": "left",
    "x": 0.0,
    "bgcolor": "rgba(255,255,255,0)",
    "font": {"size": 11},
    # line widths in the legend are the drawn widths (plotly caps them at 10 px)
    "itemsizing": "trace",
}


def check_render(render: str) -> None:
    """Refuse a render other than ``"tiles"`` or ``"xy"``, naming both."""
    if render not in RENDERS:
        msg = f"unknown map render {render!r}; use 'tiles' (interactive) or 'xy' (offline)"
        raise ValueError(msg)


def map_title(title: str | None) -> dict[str, Any] | None:
    """A map's title, top left under the strip of plotly's tool bar (None: no title)."""
    if not title:
        return None
    return {
        "text": title,
        "x": 0.01,
        "xref": "container",
        "y": 1.0,
        "yref": "paper",
        "yanchor": "bottom",
        "pad": {"b": 10},
        "font": {"size": 15},
    }


def map_layout(
    fig: go.Figure,
    areas: Any,
    *,
    render: Render,
    basemap: str,
    height: int,
    title: str | None,
    right: int = 0,
    width: int | None = None,
    legend_rows: int = 1,
) -> None:
    """The maps' look: title top left, legend under the map, a tile map's view fitted to
    ``areas`` in ``width`` x ``height`` px; an x/y map has no axes and one metre is as long
    across as up."""
    top = 60 if title else 4  # a title sits under the strip of plotly's tool bar
    bottom = 8 + 20 * legend_rows
    fig.update_layout(
        margin={"l": 0 if render == "tiles" else 4, "r": right, "t": top, "b": bottom},
        height=height,
        title=map_title(title),
        font=_FONT,
        showlegend=True,
        legend=_LEGEND_BELOW,
    )
    if render == "tiles":
        plot_w = None if width is None else width - right
        centre, zoom = _centre(areas, height=height - top - bottom, width=plot_w)
        fig.update_layout(map={"style": basemap, "center": centre, "zoom": zoom}, uirevision="map")
        return
    fig.update_layout(paper_bgcolor="white", plot_bgcolor="white", hovermode="closest")
    fig.update_xaxes(visible=False, showgrid=False, zeroline=False, constrain="domain")
    fig.update_yaxes(visible=False, showgrid=False, zeroline=False, scaleanchor="x", scaleratio=1)


def legend_rows(*traces: Sequence[Any]) -> int:
    """How many rows the legend under the map takes: four entries a row."""
    shown = sum(1 for group in traces for t in group if t.showlegend is not False)
    return max(1, -(-shown // 4))


def offline_html(fig: go.Figure, filename: str, *, title: str | None = None) -> str:
    """``fig`` as a standalone HTML page that opens from a file with no network: plotly.js
    inline, and only x/y traces (a tile map's MapLibre starts a web worker and fetches fonts,
    which a page opened from disk may not do: draw it with ``render="xy"``). The camera icon
    saves ``<filename>.png``; ``title`` goes above the map."""
    tiles = sorted({t.type for t in fig.data if t.type in ("choroplethmap", "scattermap")})
    if tiles:
        msg = f"a map for a file must be drawn with render='xy'; it has {', '.join(tiles)} traces"
        raise ValueError(msg)
    if title:
        fig = go.Figure(fig).update_layout(title=map_title(title), margin_t=60)
    config = {"displaylogo": False, "toImageButtonOptions": {"filename": filename, "scale": 2}}
    return fig.to_html(include_plotlyjs=True, full_html=True, config=config)

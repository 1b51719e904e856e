"""Plans over weeks (``optimize.network``): the week-by-week chart and the transfer lines.

Shared by the Plan page and the HTML report, so both show the same figures: need met, food
moved between sites, spoilage and stock by week, and the transfers between sites as map lines
drawn apart from the deliveries.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from optimize.catalogue import kpi_info

from ._lines import line_path, line_text, line_trace
from .palette import ACCENT, LOSS

__all__ = ["TRANSFER_COLOUR", "WEEK_PANELS", "transfer_lines", "weeks_figure"]

#: The small multiples of :func:`weeks_figure`: columns of ``kpis_by_week`` (labels, units and
#: formats from :mod:`optimize.catalogue`).
WEEK_PANELS = ("need_met_share", "transferred_kg", "spoiled_kg", "end_stock_kg")
#: Colour of the transfer lines between sites (Okabe-Ito orange; deliveries are blue).
TRANSFER_COLOUR = "#E69F00"


def _title(col: str) -> str:
    m = kpi_info(col)
    return m.label if m.unit in ("%", "") else f"{m.label} ({m.unit})"


def _hover_format(col: str) -> str:
    return ".1%" if kpi_info(col).unit == "%" else ",.0f"


def weeks_figure(by_week: pd.DataFrame, *, selected: int | None = None) -> go.Figure:
    """One small bar chart per measure of :data:`WEEK_PANELS`, weeks along the bottom.

    ``by_week`` is ``NetworkSolution.kpis_by_week`` (a ``week`` column, 1-based). With
    ``selected``, that week's bars are drawn full and the others paler (the Plan page's week).
    """
    titles = [_title(c) for c in WEEK_PANELS]
    fig = make_subplots(rows=1, cols=len(WEEK_PANELS), subplot_titles=titles)
    week_no = by_week["week"].astype(int).to_numpy()
    weeks = [f"week {w}" for w in week_no]
    opacity = [1.0] * len(weeks)
    if selected:
        opacity = [1.0 if w == selected else 0.35 for w in week_no]
    for i, (col, title) in enumerate(zip(WEEK_PANELS, titles, strict=True), start=1):
        values = by_week[col].astype(float).tolist() if col in by_week.columns else []
        fig.add_trace(
            go.Bar(
                x=weeks,
                y=values,
                name=title,
                marker={"color": ACCENT if col == "need_met_share" else LOSS, "opacity": opacity},
                hovertemplate=f"%{{x}}: %{{y:{_hover_format(col)}}}<extra>{title}</extra>",
                showlegend=False,
            ),
            row=1,
            col=i,
        )
    fig.update_yaxes(tickformat=".0%", row=1, col=1)
    fig.update_annotations(font_size=12)
    fig.update_layout(
        height=300,
        margin={"l": 40, "r": 10, "t": 40, "b": 30},
        meta={"weeks": len(weeks), "selected": selected},
    )
    return fig


def transfer_lines(
    sites: Any, transfers: pd.DataFrame | None, *, width: float = 4.0
) -> go.Scattermap:
    """The transfers between sites as one map trace (always one, empty when there are none).

    ``transfers`` has ``from_site_id``, ``to_site_id`` and ``quantity_kg`` (rows of the same
    pair, over commodities and weeks, are added up); ``sites`` is the region's sites in any
    CRS. Drawn in :data:`TRANSFER_COLOUR` and wider than the blue deliveries, so the two read
    apart.
    """
    lon = lat = np.zeros(0)
    text: np.ndarray = np.zeros(0, dtype=object)
    n = 0
    if transfers is not None and len(transfers):
        pair = (
            transfers.assign(
                from_site_id=transfers["from_site_id"].astype(str),
                to_site_id=transfers["to_site_id"].astype(str),
            )
            .groupby(["from_site_id", "to_site_id"], as_index=False)["quantity_kg"]
            .sum()
        )
        pair = pair[pair["quantity_kg"] > 0]
        wgs = sites.to_crs(4326) if sites.crs is not None and sites.crs.to_epsg() != 4326 else sites
        xy = pd.DataFrame(
            {"lon": wgs.geometry.x.to_numpy(), "lat": wgs.geometry.y.to_numpy()},
            index=wgs["site_id"].astype(str).to_numpy(),
        )
        pair = pair[pair["from_site_id"].isin(xy.index) & pair["to_site_id"].isin(xy.index)]
        n = len(pair)
        if n:
            a = xy.reindex(pair["from_site_id"]).round(6)
            b = xy.reindex(pair["to_site_id"]).round(6)
            lon, lat = line_path(a["lon"], b["lon"]), line_path(a["lat"], b["lat"])
            kg = pair["quantity_kg"].map("{:,.0f} kg moved".format)
            text = line_text(pair["from_site_id"] + " to " + pair["to_site_id"] + ": " + kg)
    return line_trace(
        lon,
        lat,
        text,
        width=width,
        colour=TRANSFER_COLOUR,
        opacity=0.9,
        name=f"moved between sites ({n} route{'s' if n != 1 else ''})",
        legendgroup="transfers",
        showlegend=bool(n),
    )

"""The report's section for plans over weeks (``optimize.network``): small multiples of need
met, transfers, spoilage and stock by week (:func:`dashboard.figures.weeks.weeks_figure`, the
Plan page's chart too), and the transfers between sites on a map."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from ..figures import report as rf
from ..figures.weeks import weeks_figure


def transfer_segments(region: Any, transfers: pd.DataFrame) -> pd.DataFrame:
    """One line per (from site, to site) over the horizon: ``x0, y0, x1, y1, kg``."""
    cols = ["x0", "y0", "x1", "y1", "kg"]
    if transfers.empty:
        return pd.DataFrame(columns=cols)
    agg = transfers.groupby(["from_site_id", "to_site_id"], as_index=False)["quantity_kg"].sum()
    sites = region.sites.set_index(region.sites["site_id"].astype(str))
    xy = pd.DataFrame({"x": sites.geometry.x, "y": sites.geometry.y})
    agg = agg[agg["from_site_id"].isin(xy.index) & agg["to_site_id"].isin(xy.index)]
    return pd.DataFrame(
        {
            "x0": xy.loc[agg["from_site_id"], "x"].to_numpy(),
            "y0": xy.loc[agg["from_site_id"], "y"].to_numpy(),
            "x1": xy.loc[agg["to_site_id"], "x"].to_numpy(),
            "y1": xy.loc[agg["to_site_id"], "y"].to_numpy(),
            "kg": agg["quantity_kg"].to_numpy(dtype=float),
        }
    )


def add_weeks(
    ctx: dict[str, Any],
    figures: dict[str, go.Figure],
    region: Any,
    solution: Any,
    geo: Any,
    ratio: pd.Series,
    *,
    hover: Any = None,
    points: Any = (),
) -> None:
    """Fill ``ctx["week_rows"]`` and the ``weeks`` / ``transfers-map`` figures when the plan
    runs over weeks; leave them out otherwise."""
    by_week = getattr(solution, "kpis_by_week", None)
    if by_week is None or not isinstance(by_week, pd.DataFrame) or by_week.empty:
        ctx["week_rows"] = []
        return
    ctx["week_rows"] = by_week.to_dict("records")
    figures["weeks"] = weeks_figure(by_week)
    transfers = getattr(solution, "transfers", pd.DataFrame())
    ctx["n_transfer_routes"] = 0
    if isinstance(transfers, pd.DataFrame) and len(transfers):
        seg = transfer_segments(region, transfers)
        ctx["n_transfer_routes"] = len(seg)
        classes = rf.fulfilment_bands(ratio)
        colors = rf.fulfilment_classes()
        lines = rf.flow_lines(seg, color="rgba(200,60,30,0.75)")
        for tr in lines:
            tr.legendgrouptitle.text = "Moved between sites over the plan"
        figures["transfers-map"] = rf.area_class_map(
            geo, classes, colors=colors, hover=hover, points=points, lines=lines
        )

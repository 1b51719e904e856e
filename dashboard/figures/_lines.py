"""Many straight lines as one plotly trace."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go


def line_path(start: Any, end: Any) -> np.ndarray:
    """The coordinates of lines ``start[i]`` to ``end[i]`` as one float array: start, end and
    a gap (NaN, sent as null) for each line, so that one trace draws them all (plotly
    validates a numeric array at once, a list item by item)."""
    start = np.asarray(start, dtype=float)
    out = np.full(3 * len(start), np.nan)
    out[0::3] = start
    out[1::3] = np.asarray(end, dtype=float)
    return out


def line_text(labels: Any) -> np.ndarray:
    """Hover texts for the lines of :func:`line_path`: each label at its line's start and end,
    nothing at the gap."""
    labels = np.asarray(labels, dtype=object)
    out = np.empty(3 * len(labels), dtype=object)
    out[0::3] = labels
    out[1::3] = labels
    return out


def line_trace(
    lon: Any, lat: Any, text: Any, *, width: float, colour: str, opacity: float, **kw: Any
) -> go.Scattermap:
    """Lines of :func:`line_path` on a map, hovering their :func:`line_text`; ``kw`` are the
    trace's other settings (``name``, ``legendgroup``, ``showlegend``)."""
    return go.Scattermap(
        lon=lon,
        lat=lat,
        mode="lines",
        line={"width": width, "color": colour},
        opacity=opacity,
        text=text,
        hovertemplate="%{text}<extra></extra>",
        **kw,
    )

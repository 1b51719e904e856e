"""Many straight lines as one plotly trace."""

from __future__ import annotations

from typing import Any

import numpy as np


def line_path(start: Any, end: Any) -> np.ndarray:
    """The coordinates of lines ``start[i]`` to ``end[i]`` as one float array: start, end and
    a gap (NaN, sent as null) for each line, so that one trace draws them all (plotly
    validates a numeric array at once, a list item by item)."""
    start = np.asarray(start, dtype=float)
    out = np.full(3 * len(start), np.nan)
    out[0::3] = start
    out[1::3] = np.asarray(end, dtype=float)
    return out

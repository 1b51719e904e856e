"""The one palette of the app and the reports: colour-blind-safe colours and class colours.

Categories use the Okabe-Ito palette; sequential measures use viridis or cividis with the
strongest (darkest) colour at the worse end; yes/no flags use vermillion for "yes". Maps that
classify a measure with fixed classes (:attr:`equity.catalogue.Measure.bins`, such as the share
of need met) colour them with :func:`class_colours`, so the app and the report agree.
"""

from __future__ import annotations

import numpy as np
from plotly.colors import sample_colorscale

from equity.catalogue import Measure

__all__ = [
    "ACCENT",
    "AREA_FILL",
    "GRID",
    "MUTED",
    "OUTLINE",
    "DESERT_CLASS_COLOURS",
    "GAIN",
    "LOSS",
    "SAME",
    "FLAG_NO",
    "FLAG_YES",
    "KIND_COLORS",
    "NO_DATA",
    "OKABE_ITO",
    "PALETTES",
    "class_colours",
    "sequential",
]

#: The greys of the figures: grid lines, area outlines (and reference lines), the fill of areas
#: drawn only as a backdrop, and a muted bar.
GRID = "#E5E9EE"
OUTLINE = "#9AA8B6"
AREA_FILL = "#EEF2F6"
MUTED = "#8DA0B3"

#: Okabe & Ito (2008), the colour-blind-safe categorical palette.
OKABE_ITO = (
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#F0E442",  # yellow
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#000000",
)
FLAG_YES = "#D55E00"
FLAG_NO = "#E3E8EE"
NO_DATA = "#BFBFBF"
#: One-colour charts and lines (Okabe-Ito blue).
ACCENT = "#0072B2"
#: Who gains (blue), loses (vermillion) or stays about the same (grey) between two plans.
GAIN = "#0072B2"
LOSS = "#D55E00"
SAME = "#BFBFBF"
PALETTES = ("viridis", "cividis")
#: Colours of store and site kinds on maps (Okabe-Ito).
KIND_COLORS = {
    "supermarket": "#0072B2",
    "grocery": "#56B4E9",
    "convenience": "#E69F00",
    "farmers_market": "#009E73",
    "dollar_store": "#CC79A7",
    "garden": "#009E73",
    "farm": "#F0E442",
    "hub": "#D55E00",
    "pantry": "#CC79A7",
}

#: The report's four-way food-desert map classes (ColorBrewer RdBu, colour-blind safe).
DESERT_CLASS_COLOURS = {
    "low income and low access (food desert)": "#b2182b",
    "low access only": "#f4a582",
    "low income only": "#92c5de",
    "neither": "#f7f7f7",
}


def sequential(name: str, n: int, *, reverse: bool = False) -> list[str]:
    """``n`` colours of viridis or cividis for classes from low to high, lightest first.

    The highest class gets the strongest (darkest) colour; ``reverse=True`` (for a measure
    where higher is better) gives the lowest class the strongest colour instead.
    """
    if name not in PALETTES:
        msg = f"unknown palette {name!r}; use one of {PALETTES} (both are colour-blind safe)"
        raise ValueError(msg)
    scale = "Viridis" if name == "viridis" else "Cividis"
    pts = [0.5] if n == 1 else list(np.linspace(0.0, 1.0, n))
    colours = sample_colorscale(scale, pts, colortype="rgb")
    # viridis/cividis run dark -> light; "worse" should be the strongest (darkest) colour
    return colours if reverse else colours[::-1]


def class_colours(measure: Measure, *, palette: str = "viridis") -> list[str]:
    """One colour per fixed class of ``measure`` (its ``bins``), worse end strongest."""
    if not measure.bins:
        msg = f"{measure.name!r} has no fixed classes in the catalogue"
        raise ValueError(msg)
    return sequential(palette, len(measure.bins), reverse=not measure.higher_is_worse)

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
    "POINT_LOOKS",
    "CLOSED",
    "CLOSED_LINE",
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
#: How each kind of store and site is drawn on every map (app and report): a plural legend
#: label, a colour, a marker shape and a size, each distinct from the other kinds and from the area scales
#: (viridis, cividis, the vermillion of "yes", the food-desert and no-data colours; see
#: ``tests/dashboard/test_map_look.py``). Tile maps (MapLibre) draw circles only: there the colour
#: tells the kinds apart; the x/y maps (report, map download) use the shapes too.
_LOOKS = """
supermarket    | supermarkets       | #000000 | square        | 9
grocery        | grocers            | #8B4513 | circle        | 7
convenience    | convenience stores | #E69F00 | diamond       | 7
farmers_market | farmers markets    | #882255 | triangle-down | 8
dollar_store   | dollar stores      | #FF69B4 | x             | 7
pharmacy       | pharmacies         | #33BBEE | cross         | 7
specialty      | specialty stores   | #999933 | pentagon      | 7
other          | other stores       | #F1B6DA | circle        | 6
garden         | community gardens  | #117733 | triangle-up   | 11
farm           | farms              | #A6761D | hexagon       | 9
hub            | food hubs          | #FF00FF | diamond       | 13
pantry         | pantries           | #4B0082 | star          | 11
"""
POINT_LOOKS: dict[str, tuple[str, str, str, float]] = {
    kind: (label, colour, symbol, float(size))
    for kind, label, colour, symbol, size in (
        [cell.strip() for cell in row.split("|")] for row in _LOOKS.strip().splitlines()
    )
}
#: Colours of store and site kinds on maps (the colours of :data:`POINT_LOOKS`).
KIND_COLORS = {kind: look[1] for kind, look in POINT_LOOKS.items()}
#: Sites switched off in a plan (shocked or closed): light grey markers with a dark grey outline
#: (:data:`CLOSED_LINE`), which show on the darkest and the lightest area classes alike.
CLOSED = "#D0D0D0"
CLOSED_LINE = "#404040"

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

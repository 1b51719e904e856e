"""Plotly figure builders shared by the dashboard and the HTML reports.

Every function here is pure: it takes frames (or plain dicts) and returns a
:class:`plotly.graph_objects.Figure` or plain data, and never reads files, the network or global
state. Maps use plotly's MapLibre traces (``Choroplethmap``/``Scattermap``) on the ``white-bg``
style by default, which needs no tiles and so works offline; pass ``basemap="carto-positron"``
for street tiles where the network allows.

Colours are colour-blind safe: sequential measures use viridis or cividis, categories use the
Okabe-Ito palette. Legends say in plain words what the colour means and in which unit.
"""

from __future__ import annotations

from .charts import (
    comparison_kpi_figure,
    distribution_figure,
    efficiency_equity_figure,
    fairness_summary,
    fulfilment_histogram,
    gains_losses_figure,
    kpi_table,
    lorenz_curve,
    lorenz_figure,
    unmet_by_commodity,
)
from .classes import classify, fisher_jenks_breaks
from .maps import (
    area_geojson,
    choropleth_map,
    flow_lines,
    flows_map,
    points_layers,
    sites_layers,
    stores_layers,
)
from .measures import (
    GROUP_VALUE,
    MeasureInfo,
    default_measure,
    format_value,
    measure_info,
    measure_options,
)
from .palette import FLAG_YES, OKABE_ITO

__all__ = [
    "FLAG_YES",
    "GROUP_VALUE",
    "MeasureInfo",
    "OKABE_ITO",
    "area_geojson",
    "choropleth_map",
    "classify",
    "comparison_kpi_figure",
    "default_measure",
    "distribution_figure",
    "efficiency_equity_figure",
    "fairness_summary",
    "fisher_jenks_breaks",
    "flow_lines",
    "flows_map",
    "format_value",
    "fulfilment_histogram",
    "gains_losses_figure",
    "kpi_table",
    "lorenz_curve",
    "lorenz_figure",
    "measure_info",
    "measure_options",
    "points_layers",
    "sites_layers",
    "stores_layers",
    "unmet_by_commodity",
]

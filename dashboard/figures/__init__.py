"""Plotly figure builders shared by the dashboard and the HTML reports.

Every function here is pure: it takes frames (or plain dicts) and returns a
:class:`plotly.graph_objects.Figure` or plain data, and never reads files, the network or global
state. Maps (:mod:`.maps`) draw the same classes, colours and labels either as plotly's MapLibre
traces (``render="tiles"``, the app; the ``white-bg`` style by default, which needs no tiles;
``basemap="carto-positron"`` for street tiles where the network allows) or on plain x/y axes
(``render="xy"``, the reports and the map download, which open offline from a file).

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
    BEYOND_REACH,
    RENDERS,
    AreaClasses,
    area_geojson,
    choropleth_map,
    flow_lines,
    flow_segments,
    flows_map,
    fulfilment_for_map,
    fulfilment_shade,
    measure_classes,
    metric_frame,
    named_classes,
    offline_html,
    point_layers,
    segment_lines,
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
    "BEYOND_REACH",
    "RENDERS",
    "AreaClasses",
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
    "flow_segments",
    "flows_map",
    "fulfilment_for_map",
    "fulfilment_shade",
    "format_value",
    "fulfilment_histogram",
    "gains_losses_figure",
    "kpi_table",
    "lorenz_curve",
    "lorenz_figure",
    "measure_classes",
    "measure_info",
    "measure_options",
    "metric_frame",
    "offline_html",
    "named_classes",
    "point_layers",
    "segment_lines",
    "sites_layers",
    "stores_layers",
    "unmet_by_commodity",
]

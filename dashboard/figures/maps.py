"""Maps: the one builder of each map the app and the reports draw.

:func:`choropleth_map` (areas in classes), :func:`flows_map` (deliveries as lines) and
:func:`point_layers` (stores and sites) each draw either an interactive tile map
(``render="tiles"``: plotly's MapLibre traces, the app) or an offline map on plain x/y axes in
the region's metric CRS (``render="xy"``: the HTML report and the map download, which must open
from a file with no network). Both renderers take their classes, colours, labels, marker looks
and line widths from the same code, so the same run shows the same map in the app and the
report.

The builders live by what they draw: :mod:`.map_areas` (areas in classes), :mod:`.map_points`
(stores and sites), :mod:`.map_flows` (deliveries as lines), over :mod:`.map_layout` (the
renders, title, legend and view; the offline page) and :mod:`.map_geometry` (outlines, the
metric frame, x/y polygons). This module gathers their public names.
"""

from __future__ import annotations

from .map_areas import (
    BEYOND_REACH,
    AreaClasses,
    area_labels,
    choropleth_map,
    fulfilment_for_map,
    fulfilment_shade,
    measure_classes,
    named_classes,
)
from .map_flows import flow_lines, flow_segments, flows_map, line_width, segment_lines
from .map_geometry import area_geojson, metric_frame
from .map_layout import RENDERS, Render, offline_html
from .map_points import point_layers, point_look, sites_layers, stores_layers

__all__ = [
    "BEYOND_REACH",
    "RENDERS",
    "AreaClasses",
    "Render",
    "area_geojson",
    "area_labels",
    "choropleth_map",
    "flow_lines",
    "flow_segments",
    "flows_map",
    "fulfilment_for_map",
    "fulfilment_shade",
    "line_width",
    "measure_classes",
    "metric_frame",
    "named_classes",
    "offline_html",
    "point_layers",
    "point_look",
    "segment_lines",
    "sites_layers",
    "stores_layers",
]

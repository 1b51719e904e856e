"""Distances over a road network: site -> area and site -> site, by shortest paths.

Roads are lines in any vector format (a GeoDataFrame, or a file pyogrio reads: GeoPackage,
GeoJSON, Shapefile, ...) or an OpenStreetMap extract (``.osm`` XML read with osmnx, ``.pbf``
with pyrosm: the ``roads`` extra, ``pip install "foodshed[roads]"``). Lines become a graph whose nodes are their vertices (vertices within
``snap_tolerance_m`` of each other are one node: lines that merely cross, like a road over a
river without a bridge, are not joined). Sites and areas' population centres are snapped to
their nearest node (the straight leg to it is added to the distance); shortest paths come from
:func:`scipy.sparse.csgraph.dijkstra`. The result is a ``cost_table`` that
:meth:`optimize.AllocationProblem.from_region` (``cost_table=``) and
:meth:`optimize.network.NetworkProblem.from_region` (``site_cost_table=``) accept.
"""

from __future__ import annotations

import importlib
import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._errors import FoodshedError

if TYPE_CHECKING:
    import geopandas as gpd

    from .region import Region

__all__ = ["network_distances", "read_roads", "road_access_table", "road_graph"]

#: Speed on roads without a speed of their own, for travel times.
DEFAULT_SPEED_KMH = 40.0


def read_roads(network: Any, *, crs: Any) -> gpd.GeoDataFrame:
    """Road lines from ``network`` (a GeoDataFrame, or a path to a vector file or an
    OpenStreetMap ``.osm``/``.pbf`` extract) in the metric ``crs``."""
    import geopandas as gpd

    if isinstance(network, gpd.GeoDataFrame | gpd.GeoSeries):
        roads = (
            gpd.GeoDataFrame(geometry=network.geometry)
            if isinstance(network, gpd.GeoSeries)
            else network
        )
    else:
        path = Path(os.fspath(network))
        if not path.exists():
            msg = f"road network {path}: no such file"
            raise FoodshedError(msg)
        suffix = "".join(path.suffixes[-2:]).lower()
        if suffix.endswith((".osm", ".pbf", ".osm.pbf")):
            roads = _read_osm(path)
        else:
            try:
                roads = gpd.read_file(path)
            except Exception as exc:  # pyogrio's errors vary by driver
                msg = f"road network {path}: could not read it as a vector file ({exc})"
                raise FoodshedError(msg) from exc
    if roads.crs is None:
        msg = (
            "the road network has no coordinate reference system; set one (e.g. "
            "`roads.set_crs(4326)`) or write the file with its CRS"
        )
        raise FoodshedError(msg)
    import shapely

    geoms = roads.geometry.values
    roads = roads[~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)]
    kinds = set(roads.geom_type)
    if not kinds <= {"LineString", "MultiLineString"}:
        msg = f"the road network must be lines (LineString/MultiLineString); found {sorted(kinds)}"
        raise FoodshedError(msg)
    return roads.to_crs(crs).explode(index_parts=False).reset_index(drop=True)


#: What reading OpenStreetMap files needs, for the messages (pyproject.toml's ``roads`` extra).
_OSM_EXTRA = 'pip install "foodshed[roads]" (osmnx and pyrosm)'


def _read_osm(path: Path) -> gpd.GeoDataFrame:
    """Road lines of an OpenStreetMap extract: ``.pbf`` through pyrosm (its ``driving``
    network), ``.osm`` (XML) through osmnx, every way kept (a road not joined to the rest stays
    apart, it is not dropped)."""
    pbf = path.suffix.lower() == ".pbf"
    reader = "pyrosm" if pbf else "osmnx"
    try:
        module = importlib.import_module(reader)
    except ImportError:
        kind = "extract" if pbf else "file"
        msg = (
            f"reading the OpenStreetMap {kind} {path.name}{' (.pbf)' if pbf else ''} needs "
            f"{reader}: {_OSM_EXTRA}; or export its roads as lines (GeoPackage, GeoJSON, "
            "Shapefile) and pass that file"
        )
        raise FoodshedError(msg) from None
    fmt, none = ("PBF", "roads for driving") if pbf else ("XML", "roads")
    try:
        roads = _pbf_roads(module, path) if pbf else _xml_roads(module, path)
    except Exception as exc:  # a file or OSM content error, worded by the reader
        msg = f"road network {path.name}: could not read it as OpenStreetMap {fmt} ({exc})"
        raise FoodshedError(msg) from exc
    if roads is None or len(roads) == 0:
        msg = (
            f"road network {path.name}: the OpenStreetMap file has no {none}; check that the "
            "extract covers the region and holds its roads (ways tagged highway)"
        )
        raise FoodshedError(msg)
    return roads.reset_index(drop=True)


def _pbf_roads(pyrosm: Any, path: Path) -> gpd.GeoDataFrame | None:
    """pyrosm's driving network of a ``.pbf``: one line per way, joined or not (None: none)."""
    with warnings.catch_warnings():  # pyrosm warns "Could not find any edges", returns None
        warnings.filterwarnings("ignore", "Could not find any edges", UserWarning)
        return pyrosm.OSM(str(path)).get_network(network_type="driving")


def _xml_roads(ox: Any, path: Path) -> gpd.GeoDataFrame | None:
    """The ways tagged ``highway`` of an ``.osm`` file, through osmnx's graph (unsimplified,
    every component kept; osmnx reads every way, a river too). None: no road."""
    graph = ox.graph_from_xml(str(path), simplify=False, retain_all=True)
    if graph.number_of_edges() == 0:
        return None
    edges = ox.graph_to_gdfs(graph, nodes=False)
    return edges[edges["highway"].notna()] if "highway" in edges.columns else None


def road_graph(
    roads: gpd.GeoDataFrame,
    *,
    snap_tolerance_m: float = 1.0,
    speed_col: str | None = None,
    default_speed_kmh: float = DEFAULT_SPEED_KMH,
) -> tuple[np.ndarray, Any, Any]:
    """Nodes (``(n, 2)`` metric coordinates) and two sparse symmetric matrices of edge
    lengths (m) and travel times (min) of ``roads`` (metric CRS), built without a Python
    loop per segment."""
    import scipy.sparse as sp
    import shapely

    coords, line = shapely.get_coordinates(roads.geometry.values, return_index=True)
    if len(coords) < 2:
        msg = "the road network has no line with two or more points"
        raise FoodshedError(msg)
    if speed_col is not None:
        if speed_col not in roads.columns:
            msg = (
                f"the road network has no column {speed_col!r}; found {list(roads.columns)}. "
                "Pass `speed_col=` naming the speed in km/h, or None for one speed."
            )
            raise FoodshedError(msg)
        speed = pd.to_numeric(roads[speed_col], errors="coerce").to_numpy(dtype=float)
        speed = np.where(np.isfinite(speed) & (speed > 0), speed, default_speed_kmh)
    else:
        speed = np.full(len(roads), float(default_speed_kmh))
    tol = max(float(snap_tolerance_m), 1e-6)
    key = np.round(coords / tol).astype(np.int64)
    uniq, node = np.unique(key, axis=0, return_inverse=True)
    node = node.reshape(-1)
    nodes = uniq * tol
    same = line[1:] == line[:-1]
    a, b = node[:-1][same], node[1:][same]
    seg_len = np.hypot(*(coords[1:][same] - coords[:-1][same]).T)
    seg_min = seg_len / 1000.0 / speed[line[1:][same]] * 60.0
    keep = a != b
    a, b, seg_len, seg_min = a[keep], b[keep], seg_len[keep], seg_min[keep]
    n = len(nodes)
    # the shortest of parallel segments: minimum per (a, b) pair, both directions
    i = np.r_[a, b]
    j = np.r_[b, a]
    order = np.lexsort((np.r_[seg_len, seg_len], j, i))
    i, j = i[order], j[order]
    lens, mins = np.r_[seg_len, seg_len][order], np.r_[seg_min, seg_min][order]
    first = np.r_[True, (i[1:] != i[:-1]) | (j[1:] != j[:-1])]
    length = sp.csr_matrix((lens[first], (i[first], j[first])), shape=(n, n))
    minutes = sp.csr_matrix((mins[first], (i[first], j[first])), shape=(n, n))
    return nodes, length, minutes


def network_distances(
    region: Region,
    network: Any,
    *,
    to: str = "areas",
    max_distance_m: float | None = None,
    snap_tolerance_m: float = 1.0,
    max_snap_m: float = 2_000.0,
    speed_col: str | None = None,
    default_speed_kmh: float = DEFAULT_SPEED_KMH,
) -> pd.DataFrame:
    """Road distances (and travel times) from every site of ``region`` to every area
    (``to="areas"``) or every other site (``to="sites"``) within ``max_distance_m``.

    Parameters
    ----------
    region
        The region: its sites, and its areas' population centres (``pop_lon``/``pop_lat``,
        else a point inside each polygon).
    network
        Road lines: a GeoDataFrame or a vector file, or an OpenStreetMap ``.osm``/``.pbf``
        extract (needs pyrosm or osmnx).
    to
        ``areas`` (a ``cost_table``: ``site_id, area_id, distance_m, travel_time_min,
        straight_m``), ``sites`` (``from_site_id, to_site_id, ...``) or ``stores`` (from
        each area: ``area_id, store_id, ...``, for :func:`road_access_table`).
    max_distance_m
        Longest road distance kept (None: every reachable pair).
    snap_tolerance_m
        Vertices closer than this are one node.
    max_snap_m
        A site or area farther than this from any road is left out (reported in
        ``attrs["unsnapped"]``), rather than joined by a long straight leg.
    speed_col, default_speed_kmh
        Speed (km/h) of each road, for ``travel_time_min``; the snap legs go at the default.

    Notes
    -----
    Memory grows with origins x road nodes (one row of distances per snapped origin) and
    origins x destinations: a metro region's sites and tracts are fine; for a state, cut the
    network by ``max_distance_m`` around each site first, or use a contraction-hierarchy
    library such as pandana.

    Examples
    --------
    >>> from equity import Region
    >>> from equity.region import demo_dir
    >>> from equity.roads import network_distances
    >>> costs = network_distances(Region.demo(), demo_dir() / "roads.geojson")  # doctest: +SKIP
    """
    from scipy.sparse.csgraph import dijkstra
    from scipy.spatial import cKDTree

    if to not in ("areas", "sites", "stores"):
        msg = f"to must be 'areas', 'sites' or 'stores'; got {to!r}"
        raise FoodshedError(msg)
    roads = read_roads(network, crs=region.crs)
    nodes, length, minutes = road_graph(
        roads,
        snap_tolerance_m=snap_tolerance_m,
        speed_col=speed_col,
        default_speed_kmh=default_speed_kmh,
    )
    sites = region.sites
    sxy = np.column_stack([sites.geometry.x.to_numpy(), sites.geometry.y.to_numpy()])
    site_ids = sites["site_id"].astype(str).to_numpy()
    if to == "areas":
        dxy = area_centres_xy(region.areas, region.crs)
        dest_ids = region.areas["area_id"].astype(str).to_numpy()
    elif to == "sites":
        dxy, dest_ids = sxy, site_ids
    else:  # from areas to stores: the access measures' direction
        stores = region.stores
        if stores is None or len(stores) == 0:
            msg = "the region has no stores to measure road distances to"
            raise FoodshedError(msg)
        sxy, site_ids = (
            area_centres_xy(region.areas, region.crs),
            region.areas["area_id"].astype(str).to_numpy(),
        )
        dxy = np.column_stack([stores.geometry.x.to_numpy(), stores.geometry.y.to_numpy()])
        dest_ids = stores["store_id"].astype(str).to_numpy()
    tree = cKDTree(nodes)
    s_snap, s_node = tree.query(sxy)
    d_snap, d_node = tree.query(dxy)
    s_ok, d_ok = s_snap <= max_snap_m, d_snap <= max_snap_m
    limit = np.inf if max_distance_m is None else float(max_distance_m)
    origins = np.unique(s_node[s_ok])
    dist, pred = dijkstra(length, indices=origins, limit=limit, return_predecessors=True)
    row_of = np.full(len(nodes), -1)
    row_of[origins] = np.arange(len(origins))
    # the travel time along the shortest-distance path: walk predecessors back, vectorised
    # over all pairs (one step per path edge, at most the longest path's edge count)
    si = np.flatnonzero(s_ok)
    di = np.flatnonzero(d_ok)
    S2, D2 = np.meshgrid(si, di, indexing="ij")
    S, D = S2.reshape(-1), D2.reshape(-1)
    r = row_of[s_node[S]]
    road_m = dist[r, d_node[D]]
    total = road_m + s_snap[S] + d_snap[D]
    keep = np.isfinite(road_m) & (total <= limit)
    if to == "sites":
        keep &= S != D
    S, D, r, road_m, total = S[keep], D[keep], r[keep], road_m[keep], total[keep]
    t_min = _path_minutes(pred, minutes, r, s_node[S], d_node[D])
    t_min += (s_snap[S] + d_snap[D]) / 1000.0 / default_speed_kmh * 60.0
    straight = np.hypot(*(sxy[S] - dxy[D]).T)
    a, b = {
        "areas": ("site_id", "area_id"),
        "sites": ("from_site_id", "to_site_id"),
        "stores": ("area_id", "store_id"),
    }[to]
    out = pd.DataFrame(
        {
            a: site_ids[S],
            b: dest_ids[D],
            "distance_m": total,
            "travel_time_min": t_min,
            "straight_m": straight,
        }
    )
    out.attrs["unsnapped"] = {
        "areas" if to == "stores" else "sites": site_ids[~s_ok].tolist(),
        to: dest_ids[~d_ok].tolist(),
    }
    return out.sort_values([a, b], kind="stable").reset_index(drop=True)


def area_centres_xy(areas: Any, crs: Any) -> np.ndarray:
    """Where each area's distances are measured from, as x, y in ``crs`` (metric): the
    population-weighted centre (``pop_lon``/``pop_lat``, WGS84) where the area has one, else
    the representative point of its polygon."""
    import geopandas as gpd

    pts = areas.geometry.representative_point()
    xy = np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()])
    if {"pop_lon", "pop_lat"} <= set(areas.columns):
        lon = pd.to_numeric(areas["pop_lon"], errors="coerce").to_numpy(dtype=float)
        lat = pd.to_numeric(areas["pop_lat"], errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(lon) & np.isfinite(lat)
        if ok.any():
            g = gpd.GeoSeries(gpd.points_from_xy(lon[ok], lat[ok]), crs=4326).to_crs(crs)
            xy[ok] = np.column_stack([g.x.to_numpy(), g.y.to_numpy()])
    return xy


def _path_minutes(pred, minutes, rows, start, end) -> np.ndarray:
    """Minutes along each shortest path (``pred`` rows from dijkstra), summed edge by edge
    for all paths at once."""
    m = minutes.tocsr()
    out = np.zeros(len(rows))
    cur = end.copy()
    live = cur != start
    while live.any():
        idx = np.flatnonzero(live)
        prev = pred[rows[idx], cur[idx]]
        out[idx] += np.asarray(m[prev, cur[idx]]).reshape(-1)
        cur[idx] = prev
        live[idx] = prev != start[idx]
    return out


def road_access_table(
    region: Region,
    network: Any,
    *,
    kinds: list[str] | None = None,
    max_distance_m: float | None = None,
    **options: Any,
) -> pd.DataFrame:
    """The access measures' nearest-source distances over the roads: ``road_dist_<kind>_m``
    and ``road_dist_<kind>_mi`` per area (``inf`` where no road reaches a source of that
    kind within ``max_distance_m``), next to the Atlas's straight-line ``dist_<kind>_m`` of
    :func:`equity.access.access_table`. The USDA Atlas flags stay straight-line (that is how
    the Atlas measures); this is a separate, clearly named measure."""
    from .access import M_PER_MILE, access_table

    od = network_distances(region, network, to="stores", max_distance_m=max_distance_m, **options)
    cost = od.rename(columns={"area_id": "origin", "store_id": "destination", "distance_m": "cost"})
    t = access_table(region.areas, region.stores, kinds=kinds, cost=cost)
    out = pd.DataFrame({"area_id": t["area_id"]}, index=t.index)
    for col in [c for c in t.columns if c.startswith("cost_")]:
        kind = col[len("cost_") :]
        out[f"road_dist_{kind}_m"] = t[col]
        out[f"road_dist_{kind}_mi"] = t[col] / M_PER_MILE
    return out

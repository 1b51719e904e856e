"""Road distances: a hand-drawn river with one bridge, checked by hand."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, box

from equity import M_PER_MILE, FoodshedError, Region
from equity.roads import network_distances, road_graph

CRS = "EPSG:32617"
X0, Y0 = 500_000.0, 4_000_000.0


def region() -> Region:
    # site W on the west bank at (0, 30); site E on the east bank at (3000, 0)
    # areas: A at (3000, 0) east bank, B at (1500, -1000) at the end of a road that crosses the
    # bridge road without meeting it, C at (0, 0)
    centres = {"A": (3000, 0), "B": (1500, -1000), "C": (0, 0)}
    areas = gpd.GeoDataFrame(
        {"area_id": list(centres), "population": [100.0] * 3},
        geometry=[box(X0 + x - 5, Y0 + y - 5, X0 + x + 5, Y0 + y + 5) for x, y in centres.values()],
        crs=CRS,
    )
    sites = gpd.GeoDataFrame(
        {"site_id": ["W", "E"], "kind": ["garden", "pantry"]},
        geometry=[Point(X0, Y0 + 30), Point(X0 + 3000, Y0)],
        crs=CRS,
    )
    comm = pd.DataFrame({"commodity": ["veg"], "unit": ["kg"], "kg_per_unit": [1.0]})
    supply = pd.DataFrame({"site_id": ["W"], "commodity": ["veg"], "quantity": [10.0]})
    need = pd.DataFrame({"area_id": ["A"], "commodity": ["veg"], "quantity": [5.0]})
    return Region.from_frames(areas, None, sites, comm, supply, need, name="river", crs=CRS)


def roads() -> gpd.GeoDataFrame:
    lines = [
        [(0, 0), (1000, 0)],  # west bank
        [(2000, 0), (3000, 0)],  # east bank
        [(1000, 0), (1000, 1000), (2000, 1000), (2000, 0)],  # the only bridge, to the north
        [(1500, -1000), (1500, 1000)],  # ends on the bridge road, between its vertices
    ]
    return gpd.GeoDataFrame(
        {"speed_kmh": [30.0, 30.0, 60.0, 30.0]},
        geometry=[LineString([(X0 + x, Y0 + y) for x, y in ln]) for ln in lines],
        crs=CRS,
    )


def test_road_distances_by_hand():
    ct = network_distances(region(), roads(), speed_col="speed_kmh").set_index(
        ["site_id", "area_id"]
    )
    # W -> A: 30 m snap + 1000 west bank + 3000 over the bridge + 1000 east bank = 5030 m,
    # against 3000 m as the crow flies
    assert ct.loc[("W", "A"), "distance_m"] == pytest.approx(5030.0)
    assert ct.loc[("W", "A"), "straight_m"] == pytest.approx(np.hypot(3000, 30))
    # minutes: 2 km at 30 km/h + 3 km at 60 km/h + the 30 m leg at the default 40 km/h
    assert ct.loc[("W", "A"), "travel_time_min"] == pytest.approx(4 + 3 + 0.03 / 40 * 60)
    assert ct.loc[("W", "C"), "distance_m"] == pytest.approx(30.0)
    assert ct.loc[("E", "A"), "distance_m"] == pytest.approx(0.0)
    # B's road crosses the bridge road without a junction: nobody reaches B
    assert "B" not in set(ct.index.get_level_values("area_id"))


def test_max_distance_and_sites():
    ct = network_distances(region(), roads(), max_distance_m=5000)
    assert ("W", "A") not in set(zip(ct["site_id"], ct["area_id"], strict=True))
    st = network_distances(region(), roads(), to="sites")
    assert list(st["from_site_id"]) == ["E", "W"]
    assert st["distance_m"].tolist() == pytest.approx([5030.0, 5030.0])


def test_cost_table_changes_the_plan():
    from optimize import AllocationProblem, solve

    reg = region()
    straight = AllocationProblem.from_region(reg, max_distance_m=4000)
    road = AllocationProblem.from_region(
        reg, max_distance_m=4000, cost_table=network_distances(reg, roads())
    )
    assert solve(straight, "cost", solver="highs").kpis["need_met_kg"] == pytest.approx(5.0)
    # over the roads the garden is 5 km from A: out of a 4 km reach
    assert solve(road, "cost", solver="highs").kpis["need_met_kg"] == 0


def test_snap_tolerance_joins_near_vertices():
    r = roads()
    # move the east bank's start 0.4 m off the bridge's end: joined at 1 m, not at 0.1 m
    r.loc[1, "geometry"] = LineString([(X0 + 2000.4, Y0), (X0 + 3000, Y0)])
    joined = network_distances(region(), r, snap_tolerance_m=1.0)
    apart = network_distances(region(), r, snap_tolerance_m=0.1)
    assert ("W", "A") in set(zip(joined["site_id"], joined["area_id"], strict=True))
    assert ("W", "A") not in set(zip(apart["site_id"], apart["area_id"], strict=True))


def test_graph_keeps_shortest_parallel_edge():
    r = gpd.GeoDataFrame(
        geometry=[
            LineString([(0, 0), (100, 0)]),
            LineString([(0, 0), (50, 50), (100, 0)]),
            LineString([(0, 0), (100, 0)]),
        ],
        crs=CRS,
    )
    nodes, length, _ = road_graph(r)
    assert len(nodes) == 3
    a = int(np.flatnonzero((nodes == [0, 0]).all(axis=1))[0])
    b = int(np.flatnonzero((nodes == [100, 0]).all(axis=1))[0])
    assert length[a, b] == pytest.approx(100.0) and length[b, a] == pytest.approx(100.0)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: roads().set_crs(None, allow_override=True), "no coordinate reference system"),
        (lambda: gpd.GeoDataFrame(geometry=[Point(X0, Y0)], crs=CRS), "must be lines"),
        (lambda: "no/such/roads.gpkg", "no such file"),
    ],
    ids=["no-crs", "points", "missing-file"],
)
def test_bad_networks_are_named(make, match):
    with pytest.raises(FoodshedError, match=match):
        network_distances(region(), make())


def write_osm(path, lines, tags=None) -> None:
    """``lines`` (metres from ``(X0, Y0)`` in ``CRS``) as OpenStreetMap XML: one node per
    distinct point (shared points are shared nodes, the only junctions), one way per line,
    tagged ``highway=residential`` or its ``key=value`` of ``tags``."""
    from pyproj import Transformer

    to_lonlat = Transformer.from_crs(CRS, 4326, always_xy=True)
    ids: dict[tuple[float, float], int] = {}
    for ln in lines:
        for pt in ln:
            ids.setdefault(pt, len(ids) + 1)
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    for (x, y), i in ids.items():
        lon, lat = to_lonlat.transform(X0 + x, Y0 + y)
        out.append(f'  <node id="{i}" lat="{lat:.10f}" lon="{lon:.10f}" version="1"/>')
    tags = tags or ["highway=residential"] * len(lines)
    for w, (ln, tag) in enumerate(zip(lines, tags, strict=True), start=100):
        k, v = tag.split("=")
        out.append(f'  <way id="{w}" version="1">')
        out += [f'    <nd ref="{ids[pt]}"/>' for pt in ln]
        out += [f'    <tag k="{k}" v="{v}"/>', "  </way>"]
    out.append("</osm>")
    path.write_text("\n".join(out), encoding="utf-8")


RIVER_LINES = [
    [(0, 0), (1000, 0)],  # west bank
    [(2000, 0), (3000, 0)],  # east bank
    [(1000, 0), (1000, 1000), (2000, 1000), (2000, 0)],  # the only bridge, to the north
    [(1500, -1000), (1500, 1000)],  # crosses the bridge road with no shared node
]


def write_pbf(path, lines, tags=None) -> None:
    """``lines`` as an OpenStreetMap ``.pbf``: the XML of :func:`write_osm`, converted by
    pyosmium (the same nodes and ways, coordinates to 1e-7 degrees)."""
    import osmium

    xml = path.with_name(path.name.removesuffix(".osm.pbf") + ".osm")
    write_osm(xml, lines, tags)
    with osmium.SimpleWriter(str(path)) as out:
        for obj in osmium.FileProcessor(str(xml)):
            out.add(obj)


def osm_format(suffix):
    """The writer of an OpenStreetMap format, skipping the test where its reader is missing."""
    if suffix == ".osm":
        pytest.importorskip("osmnx", reason='the "roads" extra (osmnx) reads .osm files')
        return write_osm
    pytest.importorskip("pyrosm", reason='the "roads" extra (pyrosm) reads .pbf files')
    pytest.importorskip("osmium", reason="the test extra's pyosmium writes the .pbf file")
    return write_pbf


OSM_FORMATS = pytest.mark.parametrize("suffix", [".osm", ".osm.pbf"])


@OSM_FORMATS
def test_osm_roads_by_hand(tmp_path, suffix):
    f = tmp_path / f"river{suffix}"
    osm_format(suffix)(f, RIVER_LINES)
    ct = network_distances(region(), f).set_index(["site_id", "area_id"])
    # as the lines in test_road_distances_by_hand: 30 m snap + 1000 + 3000 + 1000 (lon/lat
    # in the file: to the centimetre)
    assert ct.loc[("W", "A"), "distance_m"] == pytest.approx(5030.0, abs=0.05)
    assert ct.loc[("W", "C"), "distance_m"] == pytest.approx(30.0, abs=0.05)
    assert ct.loc[("E", "C"), "distance_m"] == pytest.approx(5000.0, abs=0.05)
    # one speed (40 km/h): 5.03 km in 7.545 min
    assert ct.loc[("W", "A"), "travel_time_min"] == pytest.approx(7.545, abs=1e-4)
    # B's way is joined to nothing: kept apart (not dropped), so nobody reaches B
    assert "B" not in set(ct.index.get_level_values("area_id"))
    st = network_distances(region(), f, to="sites")
    assert st["distance_m"].tolist() == pytest.approx([5030.0, 5030.0], abs=0.05)


@OSM_FORMATS
def test_every_osm_way_is_a_road(tmp_path, suffix):
    from equity.roads import read_roads

    f = tmp_path / f"river{suffix}"
    osm_format(suffix)(f, RIVER_LINES)
    roads = read_roads(f, crs=CRS)
    # B's way, joined to nothing, is read too: its 2000 m are in the network (the union:
    # osmnx gives each way once per direction)
    assert roads.union_all().length == pytest.approx(1000 + 1000 + 3000 + 2000, abs=0.5)


@OSM_FORMATS
def test_a_river_in_the_osm_file_is_not_a_road(tmp_path, suffix):
    f = tmp_path / f"river{suffix}"
    # the river itself drawn from the west bank's end to the east bank's start, on the same
    # nodes: were it a road, W would reach A in 30 + 1000 + 1000 + 1000 = 3030 m
    river = [(1000, 0), (1500, 0), (2000, 0)]
    osm_format(suffix)(f, [*RIVER_LINES, river], ["highway=residential"] * 4 + ["waterway=river"])
    ct = network_distances(region(), f).set_index(["site_id", "area_id"])
    assert ct.loc[("W", "A"), "distance_m"] == pytest.approx(5030.0, abs=0.05)


@OSM_FORMATS
def test_bad_osm_is_named(tmp_path, suffix):
    osm_format(suffix)
    f = tmp_path / f"broken{suffix}"
    f.write_text("<osm><node id='1'", encoding="utf-8")
    with pytest.raises(FoodshedError, match=f"broken{suffix}: could not read it as OpenStreetMap"):
        network_distances(region(), f)


@OSM_FORMATS
def test_osm_without_roads_is_named(tmp_path, suffix):
    f = tmp_path / f"river{suffix}"
    osm_format(suffix)(f, [[(1000, 0), (1500, 0), (2000, 0)]], ["waterway=river"])
    with pytest.raises(FoodshedError, match=f"river{suffix}: the OpenStreetMap file has no roads"):
        network_distances(region(), f)


@pytest.mark.parametrize(
    ("name", "module", "match"),
    [
        ("city.osm", "osmnx", r'needs osmnx: pip install "foodshed\[roads\]"'),
        (
            "city.osm.pbf",
            "pyrosm",
            r'city.osm.pbf \(.pbf\) needs pyrosm: pip install "foodshed\[roads\]"',
        ),
    ],
)
def test_osm_without_a_reader_says_what_to_install(tmp_path, monkeypatch, name, module, match):
    import sys

    monkeypatch.setitem(sys.modules, module, None)  # as if not installed: import fails
    f = tmp_path / name
    f.write_text("<osm></osm>", encoding="utf-8")
    with pytest.raises(FoodshedError, match=match):
        network_distances(region(), f)


def test_demo_roads_make_the_river_a_detour():
    from equity.region import demo_dir

    reg = Region.demo()
    ct = network_distances(reg, demo_dir() / "roads.geojson", max_distance_m=8000)
    ratio = ct["distance_m"] / ct["straight_m"]
    assert ratio.min() >= 1.0 - 1e-9  # no road is shorter than the straight line
    # a grid makes most trips about 1.3x longer; the river makes some far longer
    assert 1.2 < ratio.median() < 1.7
    assert ratio.max() > 5
    assert ct.attrs["unsnapped"] == {"sites": [], "areas": []}


def test_road_access_next_to_straight_line():
    from equity.access import access_table
    from equity.region import demo_dir
    from equity.roads import road_access_table

    reg = Region.demo()
    road = road_access_table(reg, demo_dir() / "roads.geojson", kinds=["supermarket"])
    line = access_table(reg.areas, reg.stores, kinds=["supermarket"])
    r, s = road["road_dist_supermarket_m"], line["dist_supermarket_m"]
    assert (r >= s - 1e-6).all()  # a road is never shorter than the straight line
    assert (r > 1.2 * s).mean() > 0.3  # and usually noticeably longer
    assert road["road_dist_supermarket_mi"].iloc[0] == pytest.approx(r.iloc[0] / M_PER_MILE)


def test_generator_reproduces_the_bundled_roads():
    import importlib.util
    from pathlib import Path

    from equity.region import demo_dir

    gen = Path(__file__).resolve().parents[2] / "data" / "make_demo.py"
    if not gen.is_file():
        pytest.skip("data/make_demo.py is only in a source checkout")
    spec = importlib.util.spec_from_file_location("make_demo_roads", gen)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    made = module.build_roads()
    bundled = gpd.read_file(demo_dir() / "roads.geojson").to_crs(made.crs)
    assert len(made) == len(bundled)
    assert list(made["kind"]) == list(bundled["kind"])
    # coordinates are stored to 1e-6 degrees (about 0.1 m)
    assert (made.geometry.hausdorff_distance(bundled.geometry, align=False) < 0.5).all()
    assert (made["kind"] == "bridge").sum() == 3  # three bridges over the river


def test_siting_over_roads_picks_the_site_across_the_bridge():
    from optimize import site_new

    reg = region()
    # two candidate pantries within 2 km of A as the crow flies: Cw across the river (1.6 km;
    # 4.4 km by road over the bridge), Ce on A's bank (1.9 km up a side road)
    cands = gpd.GeoDataFrame(
        {"site_id": ["Cw", "Ce"], "kind": ["pantry", "pantry"]},
        geometry=[Point(X0 + 1400, Y0 + 2), Point(X0 + 3000, Y0 + 1900)],
        crs=CRS,
    )
    supply = pd.DataFrame(
        {"site_id": ["Cw", "Ce"], "commodity": ["veg"] * 2, "quantity": [5.0] * 2}
    )
    lines = pd.concat(
        [
            roads(),
            gpd.GeoDataFrame(
                geometry=[LineString([(X0 + 3000, Y0), (X0 + 3000, Y0 + 1900)])], crs=CRS
            ),
        ],
        ignore_index=True,
    )
    both = reg.with_tables(sites=pd.concat([reg.sites, cands], ignore_index=True))
    costs = network_distances(both, lines)
    kw = dict(candidate_supply=supply, objective="coverage", max_distance_m=2000)
    straight = site_new(
        reg.with_tables(sites=reg.sites[reg.sites["site_id"] == "W"]), cands, 1, **kw
    )
    road = site_new(
        reg.with_tables(sites=reg.sites[reg.sites["site_id"] == "W"]),
        cands,
        1,
        cost_table=costs[costs["site_id"] != "E"],
        **kw,
    )
    assert straight.chosen == ["Cw"]  # the nearer as the crow flies: cheaper
    assert straight.solution.kpis["need_met_kg"] == pytest.approx(5.0)
    # over the roads only the east-bank candidate reaches A within 2 km
    assert road.chosen == ["Ce"]
    assert road.solution.kpis["need_met_kg"] == pytest.approx(5.0)
    alone = costs[(costs["site_id"] == "Cw") & (costs["area_id"] == "A")]
    assert alone["distance_m"].iloc[0] == pytest.approx(4000 + np.hypot(400, 2))

"""Riverton's geography: where the city, its towns, neighbourhoods and communities are, the
county and its river, the census tracts (Voronoi cells of seeds dense downtown), and random
points inside them, all in UTM metres (``CRS``)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, MultiPoint, Point, Polygon

from equity.access import M_PER_MILE

CRS = "EPSG:32616"  # UTM zone 16N
#: City centre in UTM 16N metres (about 87.24 W, 40.38 N: farmland in west-central Indiana).
X0, Y0 = 480_000.0, 4_470_000.0
TARGET_POPULATION = 650_000
PERIODS = ("spring", "summer", "fall", "winter")
PEAK = "summer"
BLOCKS_PER_AREA = 6
MILE_M = M_PER_MILE

TO_WGS84 = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)


# ----------------------------------------------------------------------------- spatial layout
# Places are in km east / north of the centre.
EAST_BELT = (5.0, -1.0, 2.6, 3.6)  # x, y, semi-axis x, semi-axis y: no supermarket inside
OLD_TOWN = (-3.8, 1.8)  # poor, dense, well served by supermarkets
TOWNS = ((-17.0, 9.0), (15.0, 13.0), (19.0, -6.0), (-6.0, -18.5), (4.0, 18.5), (-19.0, -7.0))
NEIGHBOURHOODS = {
    "Downtown": (0.0, 0.0),
    "Eastside": (5.0, -1.0),
    "Old Town": OLD_TOWN,
    "Northwest Hills": (-8.0, 7.0),
    "Westbrook": (-9.0, -4.0),
    "University Heights": (1.0, 5.5),
    "Northgate": (6.0, 10.0),
    "Southfield": (-4.0, -6.5),
    "Bayou Flats": (-1.5, -3.5),
    "Millrace": (9.0, -7.0),
    "Prairie View": (12.0, 3.0),
    "Cedar Park": (-12.0, 1.0),
}
#: Cultural communities (tag, centre x, y, spread km, peak share, background share).
CULTURES = (
    ("african_american", 4.5, -1.0, 4.0, 0.55, 0.08),
    ("african_american", -3.8, 1.8, 2.5, 0.35, 0.0),
    ("caribbean", -1.5, -3.5, 2.5, 0.30, 0.01),
    ("latino", -4.0, -6.5, 3.5, 0.45, 0.06),
    ("latino", 6.0, -3.0, 3.0, 0.20, 0.0),
    ("east_asian", 1.0, 5.5, 2.5, 0.30, 0.03),
)


def bump(x: np.ndarray, y: np.ndarray, cx: float, cy: float, sx: float, sy: float) -> np.ndarray:
    return np.exp(-(((x - cx) / sx) ** 2 + ((y - cy) / sy) ** 2) / 2)


def county_outline() -> Polygon:
    """A rounded-rectangle county, about 52 x 44 km, in UTM metres."""
    t = np.linspace(0, 2 * np.pi, 240, endpoint=False)
    p = 5.0
    cx = np.sign(np.cos(t)) * np.abs(np.cos(t)) ** (2 / p)
    cy = np.sign(np.sin(t)) * np.abs(np.sin(t)) ** (2 / p)
    wobble = 1 + 0.025 * np.sin(5 * t + 0.4) + 0.015 * np.cos(11 * t)
    return Polygon(np.c_[X0 + 26_000 * cx * wobble, Y0 + 22_000 * cy * wobble])


def river_line() -> LineString:
    """A meandering river flowing north to south just west of downtown."""
    y = np.arange(-30_000, 30_001, 150.0)
    x = -1_600 + 1_800 * np.sin(y / 7_000) + 700 * np.sin(y / 2_300 + 0.7)
    return LineString(np.c_[X0 + x, Y0 + y])


def _spacing_km(r_km: np.ndarray) -> np.ndarray:
    """Typical distance between tract centres at ``r_km`` from downtown."""
    return 0.5 * (1 + r_km / 6.5) * (1 + np.maximum(r_km - 12, 0) / 6)


def _seeds(rng: np.random.Generator, land: shapely.Geometry, n_target: int) -> np.ndarray:
    """Dart-throwing: tract seeds, dense downtown and sparse at the rural edge."""
    minx, miny, maxx, maxy = land.bounds
    pts: list[tuple[float, float]] = []
    for _ in range(200):
        cand = np.c_[rng.uniform(minx, maxx, 4000), rng.uniform(miny, maxy, 4000)]
        r = np.hypot(cand[:, 0] - X0, cand[:, 1] - Y0) / 1000
        s = _spacing_km(r)
        keep = rng.uniform(size=len(cand)) < (0.5 / s) ** 2
        for (cx, cy), si in zip(cand[keep], s[keep], strict=True):
            if pts:
                arr = np.asarray(pts)
                if np.min(np.hypot(arr[:, 0] - cx, arr[:, 1] - cy)) < 0.85 * si * 1000:
                    continue
            if not land.contains(Point(cx, cy)):
                continue
            pts.append((cx, cy))
            if len(pts) >= n_target:
                return np.asarray(pts)
    return np.asarray(pts)


def tract_outlines(rng: np.random.Generator) -> gpd.GeoDataFrame:
    county = county_outline()
    river = river_line().buffer(90, cap_style="flat")
    land = county.difference(river)
    banks = sorted(shapely.get_parts(land), key=lambda g: g.centroid.x)
    seeds = _seeds(rng, land, 305)
    cells = []
    for bank in banks:
        inside = seeds[shapely.contains_xy(bank, seeds[:, 0], seeds[:, 1])]
        vor = shapely.voronoi_polygons(MultiPoint(inside), extend_to=county.envelope.buffer(5000))
        for cell in shapely.get_parts(vor):
            piece = cell.intersection(bank)
            if piece.is_empty:
                continue
            parts = [g for g in shapely.get_parts(piece) if g.area > 1.0]
            piece = max(parts, key=lambda g: g.area) if len(parts) > 1 else parts[0]
            cells.append(shapely.normalize(piece))
    # Slivers of concave banks that no kept cell covers are merged into the nearest cell.
    cover = shapely.union_all(cells)
    for gap in shapely.get_parts(land.difference(cover)):
        if gap.area < 1.0:
            continue
        j = int(np.argmax([c.intersection(gap.buffer(1)).area for c in cells]))
        cells[j] = shapely.normalize(cells[j].union(gap.buffer(0.01)).intersection(land))
    geo = gpd.GeoSeries(cells, crs=CRS)
    # Order tracts west to east, then north to south, like tract numbers along a survey.
    c = geo.centroid
    order = np.lexsort((c.x.to_numpy(), -c.y.round(-3).to_numpy(), (c.x // 3000).to_numpy()))
    return gpd.GeoDataFrame(geometry=geo.iloc[order].reset_index(drop=True), crs=CRS)


def points_in(rng: np.random.Generator, poly: shapely.Geometry, n: int = 1) -> np.ndarray:
    """``n`` uniform random points inside ``poly`` (at least 30 m from its edge)."""
    inner = poly.buffer(-30)
    if inner.is_empty:
        inner = poly
    minx, miny, maxx, maxy = inner.bounds
    out: list[np.ndarray] = []
    while sum(len(o) for o in out) < n:
        cand = np.c_[rng.uniform(minx, maxx, 4 * n + 8), rng.uniform(miny, maxy, 4 * n + 8)]
        out.append(cand[shapely.contains_xy(inner, cand[:, 0], cand[:, 1])])
    return np.concatenate(out)[:n]


def _in_east_belt(xy: np.ndarray) -> np.ndarray:
    cx, cy, ax, ay = EAST_BELT
    x, y = (xy[:, 0] - X0) / 1000, (xy[:, 1] - Y0) / 1000
    return ((x - cx) / ax) ** 2 + ((y - cy) / ay) ** 2 < 1


def place_points(
    rng: np.random.Generator,
    areas: gpd.GeoDataFrame,
    weight: np.ndarray,
    n: int,
    *,
    avoid_belt: bool = False,
) -> np.ndarray:
    """``n`` points: a tract drawn with probability ``weight``, then a point inside it."""
    p = weight / weight.sum()
    out = []
    while len(out) < n:
        i = rng.choice(len(areas), p=p)
        pt = points_in(rng, areas.geometry.iloc[i])[0]
        if avoid_belt and _in_east_belt(pt[None, :])[0]:
            continue
        out.append(pt)
    return np.asarray(out)


def point_near(
    rng: np.random.Generator, land: shapely.Geometry, xy: tuple[float, float], sd: float
) -> np.ndarray:
    """A point on land about ``sd`` metres from ``xy`` (km from the centre)."""
    while True:
        pt = np.array([X0 + xy[0] * 1000, Y0 + xy[1] * 1000]) + rng.normal(0, sd, 2)
        if land.contains(Point(pt).buffer(30)):
            return pt


def wgs84_points(df: pd.DataFrame) -> gpd.GeoDataFrame:
    lon, lat = TO_WGS84.transform(df["x"].to_numpy(), df["y"].to_numpy())
    out = df.drop(columns=["x", "y"])
    geom = gpd.points_from_xy(np.round(lon, 6), np.round(lat, 6))
    return gpd.GeoDataFrame(out, geometry=geom, crs="EPSG:4326")

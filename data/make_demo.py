"""Generate the bundled demo region: Riverton, a fictional mid-sized Midwestern city.

Run from a source checkout::

    python data/make_demo.py            # writes data/demo/
    python data/make_demo.py --out DIR  # writes DIR instead

Everything is drawn from ``numpy.random.default_rng(SEED)``, so the same library versions give
the same files. The method, every file's schema and summary figures are in ``data/README.md``.

Quantities in ``supply`` and ``need`` are in each commodity's ``unit`` per **week**, for each of
four seasons (``period``: spring, summer, fall, winter). ``throughput_kg``, ``storage_kg`` and
``fixed_cost_usd`` of sites are per week too; ``sales_usd`` of stores is per year.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, MultiPoint, Point, Polygon

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from a source checkout
    sys.path.insert(0, str(ROOT))

from equity._atomic import atomic_path  # noqa: E402
from equity.access import M_PER_MILE  # noqa: E402
from equity.region import Region  # noqa: E402

SEED = 20261201
NAME = "Riverton (fictional demo city)"
CRS = "EPSG:32616"  # UTM zone 16N
#: City centre in UTM 16N metres (about 87.24 W, 40.38 N: farmland in west-central Indiana).
X0, Y0 = 480_000.0, 4_470_000.0
TARGET_POPULATION = 650_000
PERIODS = ("spring", "summer", "fall", "winter")
PEAK = "summer"
BLOCKS_PER_AREA = 6
MILE_M = M_PER_MILE

_TO_WGS84 = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)

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


def _bump(x: np.ndarray, y: np.ndarray, cx: float, cy: float, sx: float, sy: float) -> np.ndarray:
    return np.exp(-(((x - cx) / sx) ** 2 + ((y - cy) / sy) ** 2) / 2)


def _county() -> Polygon:
    """A rounded-rectangle county, about 52 x 44 km, in UTM metres."""
    t = np.linspace(0, 2 * np.pi, 240, endpoint=False)
    p = 5.0
    cx = np.sign(np.cos(t)) * np.abs(np.cos(t)) ** (2 / p)
    cy = np.sign(np.sin(t)) * np.abs(np.sin(t)) ** (2 / p)
    wobble = 1 + 0.025 * np.sin(5 * t + 0.4) + 0.015 * np.cos(11 * t)
    return Polygon(np.c_[X0 + 26_000 * cx * wobble, Y0 + 22_000 * cy * wobble])


def _river() -> LineString:
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


def _tracts(rng: np.random.Generator) -> gpd.GeoDataFrame:
    county = _county()
    river = _river().buffer(90, cap_style="flat")
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


def _point_in(rng: np.random.Generator, poly: shapely.Geometry, n: int = 1) -> np.ndarray:
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


# ----------------------------------------------------------------------------- areas
def _areas(
    rng: np.random.Generator,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, dict[str, float]]:
    gdf = _tracts(rng)
    n = len(gdf)
    cen = gdf.geometry.centroid
    x = (cen.x.to_numpy() - X0) / 1000
    y = (cen.y.to_numpy() - Y0) / 1000
    r = np.hypot(x, y)
    area_km2 = gdf.geometry.area.to_numpy() / 1e6

    # Population: tracts hold similar numbers of people, a little more where land is cheap.
    pop = 2000 * rng.lognormal(0, 0.22, n) * (1 + 0.02 * np.minimum(r, 20))
    pop = np.round(pop * TARGET_POPULATION / pop.sum()).astype(int)
    density = pop / area_km2
    urban = density >= 386  # 1,000 people per square mile

    # Deprivation score: an east-side industrial belt, a poor but dense Old Town, a poor rural
    # south, rich suburbs to the north-west, west and north-east.
    score = (
        1.15 * _bump(x, y, 5.0, -1.0, 2.6, 4.0)
        + 0.85 * _bump(x, y, *OLD_TOWN, 1.6, 1.6)
        + 0.35 * _bump(x, y, 0.0, 0.0, 1.5, 1.5)
        + 0.30 * _bump(x, y, -1.5, -3.5, 2.0, 2.0)
        + 0.55 * np.clip((r - 15) / 6, 0, 1) * (y < 2)
        - 0.80 * _bump(x, y, -8.0, 7.0, 4.0, 4.0)
        - 0.60 * _bump(x, y, -9.0, -4.0, 3.0, 3.0)
        - 0.50 * _bump(x, y, 6.0, 10.0, 3.0, 3.0)
        + rng.normal(0, 0.12, n)
    )
    poverty = np.clip(0.10 + 0.27 * score, 0.015, 0.58)
    mfi = 118_000 * np.exp(-3.1 * poverty) * rng.lognormal(0, 0.07, n)
    mfi = np.round(mfi, -2)
    hh_size = np.where(urban, 2.25, 2.6) + 0.6 * poverty + rng.normal(0, 0.08, n)
    households = np.round(pop / hh_size).astype(int)
    no_car_share = np.clip(
        np.where(
            urban, 0.03 + 0.55 * poverty * np.clip(1.4 - r / 12, 0.4, 1.4), 0.015 + 0.1 * poverty
        )
        + rng.normal(0, 0.01, n),
        0.005,
        0.45,
    )
    no_car = np.round(households * no_car_share).astype(int)
    snap = np.round(households * np.clip(0.85 * poverty + rng.normal(0, 0.015, n), 0.01, 0.6))
    food_insecure = np.clip(0.045 + 0.48 * poverty + rng.normal(0, 0.012, n), 0.03, 0.4)

    # Population-weighted centre: people cluster towards town and city centres within a tract.
    # Where people live within a tract: BLOCKS_PER_AREA block-like points drawn towards town
    # and city centres; their weighted mean is the population-weighted centre of the tract.
    pts_x, pts_y = [], []
    blocks = []
    towns = np.asarray(TOWNS)
    for i, poly in enumerate(gdf.geometry):
        sample = _point_in(rng, poly, 120)
        sx, sy = (sample[:, 0] - X0) / 1000, (sample[:, 1] - Y0) / 1000
        d_city = np.hypot(sx, sy)
        d_town = np.min(np.hypot(sx[:, None] - towns[:, 0], sy[:, None] - towns[:, 1]), axis=1)
        w = np.exp(-d_city / 6) + (0 if urban[i] else 3 * np.exp(-d_town / 1.5))
        w = w * rng.lognormal(0, 0.5, len(w))
        pick = rng.choice(len(sample), BLOCKS_PER_AREA, replace=False, p=w / w.sum())
        owner = np.argmin(
            np.hypot(sample[:, None, 0] - sample[pick, 0], sample[:, None, 1] - sample[pick, 1]),
            axis=1,
        )
        share = np.bincount(owner, weights=w, minlength=BLOCKS_PER_AREA) / w.sum()
        b_pop = rng.multinomial(pop[i], share)
        b_hh = rng.multinomial(households[i], share)
        b_nocar = rng.multivariate_hypergeometric(b_hh, int(no_car[i]))
        for j in range(BLOCKS_PER_AREA):
            blocks.append((i, j, *sample[pick[j]], b_pop[j], b_hh[j], b_nocar[j]))
        mx, my = np.average(sample[pick], weights=b_pop + 1e-9, axis=0)
        if not poly.buffer(-5).contains(Point(mx, my)):
            k = int(np.argmin(np.hypot(sample[:, 0] - mx, sample[:, 1] - my)))
            mx, my = sample[k]
        pts_x.append(mx)
        pts_y.append(my)
    pop_xy = np.c_[pts_x, pts_y]
    lon, lat = _TO_WGS84.transform(pop_xy[:, 0], pop_xy[:, 1])

    names = list(NEIGHBOURHOODS)
    nb_xy = np.asarray(list(NEIGHBOURHOODS.values()))
    nearest_nb = np.argmin(np.hypot(x[:, None] - nb_xy[:, 0], y[:, None] - nb_xy[:, 1]), axis=1)
    area_id = [f"18999{(i + 1) * 100:06d}" for i in range(n)]  # county 999 does not exist
    label = [
        f"Tract {(i + 1)}, {names[k]}" if urban[i] else f"Tract {(i + 1)}, rural"
        for i, k in enumerate(nearest_nb)
    ]
    areas = gpd.GeoDataFrame(
        {
            "area_id": area_id,
            "name": label,
            "population": pop,
            "households": households,
            "households_no_vehicle": no_car,
            "poverty_rate": np.round(poverty, 4),
            "median_family_income": mfi.astype(int),
            "urban": urban,
            "snap_households": snap.astype(int),
            "food_insecurity_rate": np.round(food_insecure, 4),
            "pop_lon": np.round(lon, 6),
            "pop_lat": np.round(lat, 6),
        },
        geometry=gdf.geometry,
        crs=CRS,
    )
    order = np.argsort(mfi)
    cum = np.cumsum(pop[order])
    area_mfi = float(mfi[order][np.searchsorted(cum, cum[-1] / 2)])
    info = {"area_median_family_income": area_mfi}
    bdf = pd.DataFrame(
        blocks, columns=["i", "j", "x", "y", "population", "households", "households_no_vehicle"]
    )
    bdf.insert(
        0, "point_id", [f"{area_id[i]}-{j + 1}" for i, j in zip(bdf["i"], bdf["j"], strict=True)]
    )
    bdf.insert(1, "area_id", [area_id[i] for i in bdf["i"]])
    points = _points(bdf.drop(columns=["i", "j"]))
    return areas, points, info


def low_income(areas: pd.DataFrame, area_mfi: float) -> pd.Series:
    """USDA Atlas low-income tract: poverty >= 20% or MFI <= 80% of the area median."""
    return (areas["poverty_rate"] >= 0.20) | (areas["median_family_income"] <= 0.8 * area_mfi)


# ----------------------------------------------------------------------------- stores
def _in_east_belt(xy: np.ndarray) -> np.ndarray:
    cx, cy, ax, ay = EAST_BELT
    x, y = (xy[:, 0] - X0) / 1000, (xy[:, 1] - Y0) / 1000
    return ((x - cx) / ax) ** 2 + ((y - cy) / ay) ** 2 < 1


def _place(
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
        pt = _point_in(rng, areas.geometry.iloc[i])[0]
        if avoid_belt and _in_east_belt(pt[None, :])[0]:
            continue
        out.append(pt)
    return np.asarray(out)


def _near(
    rng: np.random.Generator, land: shapely.Geometry, xy: tuple[float, float], sd: float
) -> np.ndarray:
    """A point on land about ``sd`` metres from ``xy`` (km from the centre)."""
    while True:
        pt = np.array([X0 + xy[0] * 1000, Y0 + xy[1] * 1000]) + rng.normal(0, sd, 2)
        if land.contains(Point(pt).buffer(30)):
            return pt


CHAINS = {
    "supermarket": ["FreshWay", "Harvest Market", "ValuMart", "Kroeger's", "Green Basket"],
    "grocery": [
        "La Esperanza",
        "Golden Lotus Grocery",
        "Island Flavors",
        "Main St Grocer",
        "Corner Market",
        "Halal Fresh",
        "Mercado Central",
    ],
    "convenience": ["QuickStop", "Gas-N-Go", "Circle 7", "Handy Mart", "Fuel Plus"],
    "dollar_store": ["Dollar Depot", "Family Bargain"],
    "farmers_market": ["Farmers Market"],
}


def _stores(
    rng: np.random.Generator, areas: gpd.GeoDataFrame, land: shapely.Geometry, area_mfi: float
) -> gpd.GeoDataFrame:
    urban = areas["urban"].to_numpy()
    pop = areas["population"].to_numpy().astype(float)
    pov = areas["poverty_rate"].to_numpy()
    rel = areas["median_family_income"].to_numpy() / area_mfi
    kinds: list[tuple[str, np.ndarray]] = []

    # Supermarkets follow money: urban tracts weighted by relative income squared; none inside
    # the east-side belt, three discounters on its rim; three anchors in Old Town (poor but
    # served); one per rural town.
    sup = _place(rng, areas, np.where(urban, pop * rel**2.2, 0), 59, avoid_belt=True)
    anchors = np.asarray(
        [
            _near(rng, land, (OLD_TOWN[0] + dx, OLD_TOWN[1] + dy), 150)
            for dx, dy in ((-0.6, 0.5), (0.7, -0.6), (0.2, 1.4))
        ]
        + [
            _near(rng, land, (EAST_BELT[0] + dx, EAST_BELT[1] + dy), 100)
            for dx, dy in ((2.8, 0.8), (-1.2, -3.5), (0.6, 3.8))
        ]
    )
    towns = np.asarray([_near(rng, land, t, 300) for t in TOWNS])
    kinds.append(("supermarket", np.vstack([sup, anchors, towns])))
    kinds.append(("grocery", _place(rng, areas, np.where(urban, pop * (1 + 3 * pov), 0), 54)))
    conv_w = pop * (0.4 + 2.5 * pov) * np.where(urban, 1.0, 0.6)
    kinds.append(("convenience", _place(rng, areas, conv_w, 188)))
    kinds.append(("dollar_store", _place(rng, areas, pop * pov**1.5, 26)))
    fm = _place(rng, areas, np.where(urban, pop * (0.5 + rel), 0), 10)
    fm_belt = np.asarray(
        [
            _near(rng, land, (EAST_BELT[0] + dx, EAST_BELT[1] + dy), 200)
            for dx, dy in ((-0.5, 1.5), (0.8, -2.0))
        ]
    )
    kinds.append(("farmers_market", np.vstack([fm, fm_belt])))

    rows = []
    sizes = {  # (median annual sales USD, median sqft, log-sd)
        "supermarket": (21e6, 46_000, 0.30),
        "grocery": (2.4e6, 8_000, 0.45),
        "convenience": (1.1e6, 2_600, 0.30),
        "dollar_store": (1.4e6, 8_500, 0.15),
        "farmers_market": (0.45e6, 18_000, 0.50),
    }
    for kind, xy in kinds:
        sales, sqft, sd = sizes[kind]
        for j, (px, py) in enumerate(xy):
            chain = CHAINS[kind][int(rng.integers(len(CHAINS[kind])))]
            rows.append(
                {
                    "kind": kind,
                    "name": f"{chain} #{j + 1}",
                    "sales_usd": float(np.round(sales * rng.lognormal(0, sd), -3)),
                    "area_sqft": float(np.round(sqft * rng.lognormal(0, sd), -2)),
                    "x": px,
                    "y": py,
                }
            )
    df = pd.DataFrame(rows)
    df.insert(0, "store_id", [f"S{i + 1:04d}" for i in range(len(df))])
    return _points(df)


def _points(df: pd.DataFrame) -> gpd.GeoDataFrame:
    lon, lat = _TO_WGS84.transform(df["x"].to_numpy(), df["y"].to_numpy())
    out = df.drop(columns=["x", "y"])
    geom = gpd.points_from_xy(np.round(lon, 6), np.round(lat, 6))
    return gpd.GeoDataFrame(out, geometry=geom, crs="EPSG:4326")


# ----------------------------------------------------------------------------- commodities
#: commodity, name, unit, kg_per_unit, group, shelf_life_days, per_capita (units per person per
#: week in the supplemental basket; for tagged items, per person of that culture), kcal, culture
COMMODITIES = [
    ("tomatoes", "Tomatoes", "lb", 0.4536, "produce", 7, 0.6, 82, ""),
    ("lettuce", "Lettuce", "head", 0.60, "produce", 10, 0.3, 90, ""),
    ("kale", "Kale", "bunch", 0.35, "produce", 7, 0.2, 170, ""),
    ("collard_greens", "Collard greens", "bunch", 0.45, "produce", 6, 0.8, 145, "african_american"),
    ("callaloo", "Callaloo (amaranth greens)", "bunch", 0.40, "produce", 4, 1.0, 90, "caribbean"),
    ("bok_choy", "Bok choy", "lb", 0.4536, "produce", 5, 1.0, 60, "east_asian"),
    ("squash", "Summer squash", "lb", 0.4536, "produce", 7, 0.4, 73, ""),
    ("sweet_potatoes", "Sweet potatoes", "lb", 0.4536, "produce", 30, 0.5, 390, ""),
    ("potatoes", "Potatoes", "lb", 0.4536, "produce", 45, 1.2, 350, ""),
    ("apples", "Apples", "lb", 0.4536, "produce", 45, 0.8, 236, ""),
    ("plantains", "Plantains", "lb", 0.4536, "produce", 8, 1.5, 550, "caribbean;latino"),
    ("rice", "Rice", "kg", 1.0, "grains", 730, 0.5, 3650, ""),
    ("masa_harina", "Masa harina", "kg", 1.0, "grains", 270, 1.0, 3640, "latino"),
    ("bread", "Whole wheat bread", "loaf", 0.68, "grains", 7, 0.6, 1700, ""),
    ("dry_beans", "Dry beans", "lb", 0.4536, "protein", 730, 0.6, 1540, ""),
    ("eggs", "Eggs", "dozen", 0.68, "protein", 35, 0.4, 860, ""),
    ("chicken", "Chicken, frozen", "lb", 0.4536, "protein", 180, 0.8, 780, ""),
    ("milk", "Milk", "gallon", 3.9, "dairy", 12, 0.4, 2400, ""),
]
#: commodity, substitute, acceptability, culture
SUBSTITUTES = [
    ("collard_greens", "kale", 0.8, "african_american"),
    ("kale", "collard_greens", 0.8, ""),
    ("callaloo", "collard_greens", 0.7, "caribbean"),
    ("callaloo", "kale", 0.6, "caribbean"),
    ("bok_choy", "collard_greens", 0.4, "east_asian"),
    ("bok_choy", "kale", 0.5, "east_asian"),
    ("lettuce", "kale", 0.5, ""),
    ("squash", "tomatoes", 0.3, ""),
    ("plantains", "sweet_potatoes", 0.6, "caribbean;latino"),
    ("plantains", "potatoes", 0.4, "caribbean;latino"),
    ("sweet_potatoes", "potatoes", 0.7, ""),
    ("potatoes", "sweet_potatoes", 0.7, ""),
    ("masa_harina", "rice", 0.3, "latino"),
    ("masa_harina", "bread", 0.2, "latino"),
    ("rice", "bread", 0.5, ""),
    ("bread", "rice", 0.4, ""),
    ("chicken", "dry_beans", 0.5, ""),
    ("chicken", "eggs", 0.6, ""),
    ("eggs", "dry_beans", 0.4, ""),
    ("dry_beans", "chicken", 0.7, ""),
]
#: Garden crops by season (weights of each season's harvest; 0 = not grown).
GARDEN_CROPS = {
    "spring": {"lettuce": 3, "kale": 2, "collard_greens": 2, "bok_choy": 1.5},
    "summer": {
        "tomatoes": 4,
        "squash": 3,
        "collard_greens": 2,
        "kale": 1,
        "callaloo": 1.5,
        "bok_choy": 1,
    },
    "fall": {"collard_greens": 2, "kale": 2, "sweet_potatoes": 2.5, "potatoes": 2, "squash": 1},
    "winter": {},
}
GARDEN_SEASON = {"spring": 0.35, "summer": 1.0, "fall": 0.6, "winter": 0.0}
NEED_SEASON = {"spring": 1.0, "summer": 1.0, "fall": 1.0, "winter": 1.1}
#: How much of their produce hubs stock in each season (local harvests), times HUB_COVER.
HUB_LOCAL_PRODUCE = {"spring": 0.9, "summer": 1.15, "fall": 1.1, "winter": 0.8}
#: What food hubs stock, as a share of the city's need of each commodity (scaled below).
HUB_COVER = {
    "tomatoes": 0.45,
    "lettuce": 0.45,
    "kale": 0.25,
    "collard_greens": 0.30,
    "callaloo": 0.0,
    "bok_choy": 0.15,
    "squash": 0.40,
    "sweet_potatoes": 0.50,
    "potatoes": 0.65,
    "apples": 0.65,
    "plantains": 0.30,
    "rice": 0.60,
    "masa_harina": 0.25,
    "bread": 0.50,
    "dry_beans": 0.65,
    "eggs": 0.45,
    "chicken": 0.50,
    "milk": 0.50,
}
#: What pantries hand out: shares of a pantry's weekly kg.
PANTRY_MIX = {
    "rice": 0.12,
    "dry_beans": 0.12,
    "masa_harina": 0.04,
    "bread": 0.12,
    "eggs": 0.08,
    "milk": 0.16,
    "chicken": 0.12,
    "potatoes": 0.12,
    "apples": 0.08,
    "plantains": 0.04,
}


def _culture_shares(areas: gpd.GeoDataFrame) -> dict[str, np.ndarray]:
    cen = areas.geometry.centroid
    x, y = (cen.x.to_numpy() - X0) / 1000, (cen.y.to_numpy() - Y0) / 1000
    out: dict[str, np.ndarray] = {}
    for tag, cx, cy, s, peak, base in CULTURES:
        prev = out.get(tag, np.zeros(len(areas)))
        out[tag] = np.maximum(prev, base + peak * _bump(x, y, cx, cy, s, s))
    return out


def _need(areas: gpd.GeoDataFrame, comm: pd.DataFrame) -> pd.DataFrame:
    shares = _culture_shares(areas)
    people = areas["population"].to_numpy() * areas["food_insecurity_rate"].to_numpy()
    rows = []
    for c in comm.itertuples():
        mult = np.ones(len(areas))
        if c.culture:
            mult = np.clip(sum(shares[t] for t in c.culture.split(";")), 0, 1)
        base = people * c.per_capita * mult
        for period in PERIODS:
            rows.append(
                pd.DataFrame(
                    {
                        "area_id": areas["area_id"],
                        "commodity": c.commodity,
                        "period": period,
                        "quantity": np.round(base * NEED_SEASON[period], 1),
                    }
                )
            )
    return pd.concat(rows, ignore_index=True)


def _sites(
    rng: np.random.Generator, areas: gpd.GeoDataFrame, land: shapely.Geometry
) -> gpd.GeoDataFrame:
    urban = areas["urban"].to_numpy()
    pop = areas["population"].to_numpy().astype(float)
    pov = areas["poverty_rate"].to_numpy()
    rows = []

    def numbered(kind: str, label: str, points, capacity, storage_per_kg: float, cost) -> None:
        """Sites ``label 1``, ``label 2``, ... at ``points``: a ``capacity()`` drawn for each
        (throughput, kg), storage ``storage_per_kg`` times it, fixed cost ``cost(capacity)``."""
        for j, (px, py) in enumerate(points):
            cap = capacity()
            rows.append((kind, f"{label} {j + 1}", cap, cap * storage_per_kg, cost(cap), px, py))

    gardens = _place(rng, areas, np.where(urban, pop * (0.3 + pov), pop * 0.05), 36)
    numbered(
        "garden",
        "Community Garden",
        gardens,
        lambda: float(np.round(rng.uniform(80, 450), -1)),
        0.5,
        lambda _cap: float(np.round(rng.uniform(40, 160))),
    )
    hubs = [
        ("Eastside Food Hub", (6.5, -2.5), 62_000),
        ("Riverton Regional Food Bank", (-0.8, -1.2), 95_000),
        ("Northgate Hub", (5.0, 9.0), 38_000),
        ("Westbrook Hub", (-10.0, -3.5), 30_000),
        ("Southfield Co-op Hub", (-4.0, -9.0), 34_000),
    ]
    for name, xy, cap in hubs:
        px, py = _near(rng, land, xy, 150)
        rows.append(
            ("hub", name, float(cap), float(cap * 2.5), float(np.round(cap * 0.35, -2)), px, py)
        )
    pantries = _place(rng, areas, pop * pov**1.3, 22)
    numbered(
        "pantry",
        "Neighborhood Pantry",
        pantries,
        lambda: float(np.round(rng.uniform(900, 3800), -2)),
        1.5,
        lambda cap: float(np.round(cap * 0.4, -1)),
    )
    df = pd.DataFrame(
        rows, columns=["kind", "name", "throughput_kg", "storage_kg", "fixed_cost_usd", "x", "y"]
    )
    df.insert(0, "site_id", [f"{k[0].upper()}{i + 1:03d}" for i, k in enumerate(df["kind"])])
    return _points(df)


def _supply(
    rng: np.random.Generator,
    sites: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    comm: pd.DataFrame,
    need: pd.DataFrame,
    target_peak_ratio: float,
) -> tuple[pd.DataFrame, pd.Series]:
    kg = comm.set_index("commodity")["kg_per_unit"]
    shares = _culture_shares(areas)
    site_xy = sites.to_crs(CRS).geometry
    cen = areas.geometry.centroid
    rows: list[tuple[str, str, str, float]] = []  # site, commodity, period, kg

    for s in sites.itertuples():
        if s.kind == "garden":
            near = int(np.argmin(cen.distance(site_xy.iloc[s.Index]).to_numpy()))
            boost = {
                "callaloo": shares["caribbean"][near] * 8,
                "bok_choy": shares["east_asian"][near] * 6,
                "collard_greens": shares["african_american"][near] * 3,
            }
            for period in PERIODS:
                crops = GARDEN_CROPS[period]
                if not crops:
                    continue
                w = {c: v * (0.3 + boost.get(c, 0.7)) for c, v in crops.items()}
                tot = sum(w.values())
                harvest = s.throughput_kg * GARDEN_SEASON[period] * rng.uniform(0.8, 1.0)
                rows += [(s.site_id, c, period, harvest * v / tot) for c, v in w.items()]
        elif s.kind == "pantry":
            for period in PERIODS:
                amount = s.throughput_kg * rng.uniform(0.75, 0.95)
                rows += [(s.site_id, c, period, amount * v) for c, v in PANTRY_MIX.items()]
    fixed = pd.DataFrame(rows, columns=["site_id", "commodity", "period", "kg"])

    # Hubs fill the rest: each stocks HUB_COVER of the city's need, in proportion to its size,
    # scaled so that all supply covers `target_peak_ratio` of peak-season need (in kg).
    need_kg = need.assign(kg=need["quantity"] * need["commodity"].map(kg))
    need_c = need_kg.groupby(["period", "commodity"])["kg"].sum()
    hubs = sites[sites["kind"] == "hub"]
    hub_share = hubs["throughput_kg"] / hubs["throughput_kg"].sum()
    produce = set(comm.loc[comm["group"] == "produce", "commodity"])

    def hub_kg(period: str, scale: float) -> dict[str, float]:
        out = {}
        for c, cover in HUB_COVER.items():
            local = HUB_LOCAL_PRODUCE[period] if c in produce else 1.0
            out[c] = scale * cover * local * need_c[(period, c)]
        return out

    peak_need = need_kg.loc[need_kg["period"] == PEAK, "kg"].sum()
    fixed_peak = fixed.loc[fixed["period"] == PEAK, "kg"].sum()
    scale = (target_peak_ratio * peak_need - fixed_peak) / sum(hub_kg(PEAK, 1.0).values())
    hub_rows = []
    for period in PERIODS:
        for c, total in hub_kg(period, scale).items():
            if total <= 0:
                continue
            for sid, sh in zip(hubs["site_id"], hub_share, strict=True):
                hub_rows.append((sid, c, period, total * sh * rng.uniform(0.9, 1.1)))
    allkg = pd.concat([fixed, pd.DataFrame(hub_rows, columns=fixed.columns)], ignore_index=True)
    allkg = allkg[allkg["kg"] > 0]
    supply = pd.DataFrame(
        {
            "site_id": allkg["site_id"],
            "commodity": allkg["commodity"],
            "period": allkg["period"],
            "quantity": np.round(allkg["kg"] / allkg["commodity"].map(kg).to_numpy(), 1),
        }
    ).reset_index(drop=True)
    # Throughput: what the site handed out in its busiest week, rounded up.
    peak_kg = allkg.groupby(["site_id", "period"])["kg"].sum().groupby("site_id").max()
    return supply, peak_kg


# ----------------------------------------------------------------------------- assemble
def build(seed: int = SEED) -> tuple[Region, dict[str, float]]:
    """Build the demo region in memory; also return headline figures for the README."""
    rng = np.random.default_rng(seed)
    areas, points, info = _areas(rng)
    land = _county().difference(_river().buffer(90, cap_style="flat"))
    stores = _stores(rng, areas, land, info["area_median_family_income"])
    sites = _sites(rng, areas, land)
    comm = pd.DataFrame(
        COMMODITIES,
        columns=[
            "commodity",
            "name",
            "unit",
            "kg_per_unit",
            "group",
            "shelf_life_days",
            "per_capita",
            "kcal_per_unit",
            "culture",
        ],
    )
    need = _need(areas, comm)
    supply, peak_kg = _supply(rng, sites, areas, comm, need, target_peak_ratio=0.66)
    hub = sites["kind"] == "hub"
    sites.loc[hub, "throughput_kg"] = np.ceil(sites.loc[hub, "site_id"].map(peak_kg) / 500) * 500
    sites.loc[hub, "storage_kg"] = sites.loc[hub, "throughput_kg"] * 2.5
    subs = pd.DataFrame(
        SUBSTITUTES, columns=["commodity", "substitute", "acceptability", "culture"]
    )

    areas_wgs = areas.to_crs("EPSG:4326")
    areas_wgs["geometry"] = shapely.set_precision(areas_wgs.geometry.values, 1e-6)
    provenance = {
        "generator": "data/make_demo.py",
        "seed": seed,
        "fictional": "yes: Riverton and every number in it are invented",
        "quantity_unit": "commodity unit per week",
        "periods": ",".join(PERIODS),
        "default_period": PEAK,
        "area_median_family_income": info["area_median_family_income"],
    }
    region = Region.from_frames(
        areas_wgs,
        stores,
        sites,
        comm,
        supply,
        need,
        subs,
        points,
        name=NAME,
        crs=CRS,
        provenance=provenance,
    )
    return region, info


#: The demo's roads: a grid every ROAD_SPACING_M, and the river crossed only at these
#: bridges (km north of the centre): "2 km away" across the river can be a long drive.
ROAD_SPACING_M = 1_000.0
BRIDGES_KM = (-12.0, 0.0, 11.0)


def _roads() -> gpd.GeoDataFrame:
    """A road grid over the county with the river crossed by three bridges (no randomness:
    the other tables do not change)."""
    county = _county()
    river = _river()
    minx, miny, maxx, maxy = county.bounds
    s = ROAD_SPACING_M
    xs = X0 + s * np.arange(np.floor((minx - X0) / s), np.ceil((maxx - X0) / s) + 1)
    ys = Y0 + s * np.arange(np.floor((miny - Y0) / s), np.ceil((maxy - Y0) / s) + 1)
    gx, gy = np.meshgrid(xs, ys)
    a = np.c_[gx[:, :-1].ravel(), gy[:, :-1].ravel()]  # east-west segments
    b = np.c_[gx[:, 1:].ravel(), gy[:, 1:].ravel()]
    c = np.c_[gx[:-1, :].ravel(), gy[:-1, :].ravel()]  # north-south segments
    d = np.c_[gx[1:, :].ravel(), gy[1:, :].ravel()]
    start, end = np.r_[a, c], np.r_[b, d]
    segs = shapely.linestrings(np.stack([start, end], axis=1))
    inside = shapely.within(segs, county)
    crosses = shapely.intersects(segs, river)
    bridge = np.isclose(start[:, 1], end[:, 1]) & np.isin(
        np.round((start[:, 1] - Y0) / 1000.0, 6), BRIDGES_KM
    )
    keep = inside & (~crosses | bridge)
    # join consecutive segments of a row or column into one line (its vertices stay at every
    # crossing, so the lines still meet there); bridges stay lines of their own
    lines, kinds = [], []
    for is_bridge in (False, True):
        sel = keep & (crosses == is_bridge)
        st, en = start[sel], end[sel]
        ew = np.isclose(st[:, 1], en[:, 1])
        for axis_ew in (True, False):
            m = ew == axis_ew
            s0, s1 = st[m], en[m]
            along, across = (0, 1) if axis_ew else (1, 0)
            order = np.lexsort((s0[:, along], s0[:, across]))
            s0, s1 = s0[order], s1[order]
            brk = np.r_[True, ~np.isclose(s0[1:], s1[:-1]).all(axis=1)]
            for run in np.split(np.arange(len(s0)), np.flatnonzero(brk)[1:]):
                if not len(run):
                    continue
                lines.append(shapely.linestrings(np.r_[s0[run], s1[run][-1:]]))
                kinds.append("bridge" if is_bridge else "road")
    return gpd.GeoDataFrame({"kind": kinds}, geometry=lines, crs=CRS)


def write(out: str | Path, seed: int = SEED) -> Region:
    """Build the demo region and write it to ``out`` as a folder that ``Region.from_dir`` reads
    (with ``roads.geojson``, the demo's road network, beside the tables)."""
    region, _ = build(seed)
    region.to_dir(out)
    with atomic_path(Path(out) / "roads.geojson") as tmp:
        _roads().to_crs("EPSG:4326").to_file(tmp, driver="GeoJSON", COORDINATE_PRECISION=6)
    # Round area coordinates to 1e-6 degrees (about 0.1 m): smaller files, stable diffs.
    areas = region.to_display()["areas"]
    with atomic_path(Path(out) / "areas.geojson") as tmp:
        areas.to_file(tmp, driver="GeoJSON", layer="areas", COORDINATE_PRECISION=6)
    return region


def figures(region: Region) -> dict[str, object]:
    """Headline figures of a demo region (for ``data/README.md`` and the tests).

    Food deserts use the simple tract-level USDA rule: a low-income tract whose population
    centre is more than 1 mile (urban) or 10 miles (rural) from the nearest supermarket.
    """
    from scipy.spatial import cKDTree

    areas = region.areas
    area_mfi = float(region.provenance["area_median_family_income"])
    li = low_income(areas, area_mfi).to_numpy()
    pts = gpd.GeoSeries(
        gpd.points_from_xy(areas["pop_lon"], areas["pop_lat"]), crs="EPSG:4326"
    ).to_crs(region.crs)
    sup = region.stores[region.stores["kind"] == "supermarket"].geometry
    dist, _ = cKDTree(np.c_[sup.x, sup.y]).query(np.c_[pts.x, pts.y])
    urban = areas["urban"].to_numpy(dtype=bool)
    la = np.where(urban, dist > MILE_M, dist > 10 * MILE_M)
    density = areas["population"] / (areas.geometry.area / 1e6)
    dense = urban & (density.to_numpy() >= 1500)
    kg = region.commodities.set_index("commodity")["kg_per_unit"]
    ratio = {}
    for p in PERIODS:
        s = region.supply[region.supply["period"] == p]
        n = region.need[region.need["period"] == p]
        ratio[p] = round(
            float((s["quantity"] * s["commodity"].map(kg)).sum())
            / float((n["quantity"] * n["commodity"].map(kg)).sum()),
            3,
        )
    # The Atlas rule on block points: >= 500 people or >= 33% of the tract beyond the distance.
    bp = region.population_points
    bdist, _ = cKDTree(np.c_[sup.x, sup.y]).query(np.c_[bp.geometry.x, bp.geometry.y])
    is_urban = bp["area_id"].map(areas.set_index("area_id")["urban"]).to_numpy(dtype=bool)
    beyond = bp["population"].where(np.where(is_urban, bdist > MILE_M, bdist > 10 * MILE_M), 0)
    beyond = beyond.groupby(bp["area_id"]).sum().reindex(areas["area_id"]).to_numpy()
    la_atlas = (beyond >= 500) | (beyond >= 0.33 * areas["population"].to_numpy())
    peak_need = region.need[region.need["period"] == PEAK]
    return {
        "areas": len(areas),
        "urban_areas": int(urban.sum()),
        "population": int(areas["population"].sum()),
        "area_km2": round(float(areas.geometry.area.sum() / 1e6), 1),
        "area_median_family_income": area_mfi,
        "stores_by_kind": region.stores["kind"].value_counts().to_dict(),
        "sites_by_kind": region.sites["kind"].value_counts().to_dict(),
        "low_income_areas": int(li.sum()),
        "low_access_areas": int(la.sum()),
        "food_desert_areas": int((li & la).sum()),
        "food_desert_population": int(areas["population"][li & la].sum()),
        "low_access_areas_atlas": int(la_atlas.sum()),
        "food_desert_areas_atlas": int((li & la_atlas).sum()),
        "dense_low_income_within_1_mile": int((li & dense & (dist <= MILE_M)).sum()),
        "supply_need_ratio_kg": ratio,
        "peak_need_kg_per_week": round(
            float((peak_need["quantity"] * peak_need["commodity"].map(kg)).sum())
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "data" / "demo"), help="output folder")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    region = write(args.out, args.seed)
    print(f"wrote {args.out}: {region!r}")
    for k, v in figures(region).items():
        print(f"  {k}: {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

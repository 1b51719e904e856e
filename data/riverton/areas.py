"""Riverton's census tracts and their people: population, income, poverty, cars, SNAP and
food insecurity, and the block-like population points of each tract."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point

from .geography import (
    BLOCKS_PER_AREA,
    CRS,
    NEIGHBOURHOODS,
    OLD_TOWN,
    TARGET_POPULATION,
    TO_WGS84,
    TOWNS,
    X0,
    Y0,
    bump,
    points_in,
    tract_outlines,
    wgs84_points,
)


# ----------------------------------------------------------------------------- areas
def build_areas(
    rng: np.random.Generator,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, dict[str, float]]:
    gdf = tract_outlines(rng)
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
        1.15 * bump(x, y, 5.0, -1.0, 2.6, 4.0)
        + 0.85 * bump(x, y, *OLD_TOWN, 1.6, 1.6)
        + 0.35 * bump(x, y, 0.0, 0.0, 1.5, 1.5)
        + 0.30 * bump(x, y, -1.5, -3.5, 2.0, 2.0)
        + 0.55 * np.clip((r - 15) / 6, 0, 1) * (y < 2)
        - 0.80 * bump(x, y, -8.0, 7.0, 4.0, 4.0)
        - 0.60 * bump(x, y, -9.0, -4.0, 3.0, 3.0)
        - 0.50 * bump(x, y, 6.0, 10.0, 3.0, 3.0)
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
        sample = points_in(rng, poly, 120)
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
    lon, lat = TO_WGS84.transform(pop_xy[:, 0], pop_xy[:, 1])

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
    points = wgs84_points(bdf.drop(columns=["i", "j"]))
    return areas, points, info


def low_income(areas: pd.DataFrame, area_mfi: float) -> pd.Series:
    """USDA Atlas low-income tract: poverty >= 20% or MFI <= 80% of the area median."""
    return (areas["poverty_rate"] >= 0.20) | (areas["median_family_income"] <= 0.8 * area_mfi)

"""Riverton's food stores: supermarkets that follow money (none in the east-side belt),
groceries, convenience and dollar stores, farmers markets."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .geography import (
    EAST_BELT,
    OLD_TOWN,
    TOWNS,
    place_points,
    point_near,
    wgs84_points,
)

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


def build_stores(
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
    sup = place_points(rng, areas, np.where(urban, pop * rel**2.2, 0), 59, avoid_belt=True)
    anchors = np.asarray(
        [
            point_near(rng, land, (OLD_TOWN[0] + dx, OLD_TOWN[1] + dy), 150)
            for dx, dy in ((-0.6, 0.5), (0.7, -0.6), (0.2, 1.4))
        ]
        + [
            point_near(rng, land, (EAST_BELT[0] + dx, EAST_BELT[1] + dy), 100)
            for dx, dy in ((2.8, 0.8), (-1.2, -3.5), (0.6, 3.8))
        ]
    )
    towns = np.asarray([point_near(rng, land, t, 300) for t in TOWNS])
    kinds.append(("supermarket", np.vstack([sup, anchors, towns])))
    kinds.append(("grocery", place_points(rng, areas, np.where(urban, pop * (1 + 3 * pov), 0), 54)))
    conv_w = pop * (0.4 + 2.5 * pov) * np.where(urban, 1.0, 0.6)
    kinds.append(("convenience", place_points(rng, areas, conv_w, 188)))
    kinds.append(("dollar_store", place_points(rng, areas, pop * pov**1.5, 26)))
    fm = place_points(rng, areas, np.where(urban, pop * (0.5 + rel), 0), 10)
    fm_belt = np.asarray(
        [
            point_near(rng, land, (EAST_BELT[0] + dx, EAST_BELT[1] + dy), 200)
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
    return wgs84_points(df)

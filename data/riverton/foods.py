"""Riverton's foods: the commodities and their substitutes, what gardens grow and hubs and
pantries stock in each season, and each tract's need, by culture."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from .geography import (
    CULTURES,
    PERIODS,
    X0,
    Y0,
    bump,
)

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


def culture_shares(areas: gpd.GeoDataFrame) -> dict[str, np.ndarray]:
    cen = areas.geometry.centroid
    x, y = (cen.x.to_numpy() - X0) / 1000, (cen.y.to_numpy() - Y0) / 1000
    out: dict[str, np.ndarray] = {}
    for tag, cx, cy, s, peak, base in CULTURES:
        prev = out.get(tag, np.zeros(len(areas)))
        out[tag] = np.maximum(prev, base + peak * bump(x, y, cx, cy, s, s))
    return out


def build_need(areas: gpd.GeoDataFrame, comm: pd.DataFrame) -> pd.DataFrame:
    shares = culture_shares(areas)
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

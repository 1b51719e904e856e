"""Riverton's food sites (community gardens, food hubs, pantries) and what each supplies in
each season, hubs scaled to cover a set share of peak-season need."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .foods import (
    GARDEN_CROPS,
    GARDEN_SEASON,
    HUB_COVER,
    HUB_LOCAL_PRODUCE,
    PANTRY_MIX,
    culture_shares,
)
from .geography import (
    CRS,
    PEAK,
    PERIODS,
    place_points,
    point_near,
    wgs84_points,
)


def build_sites(
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

    gardens = place_points(rng, areas, np.where(urban, pop * (0.3 + pov), pop * 0.05), 36)
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
        px, py = point_near(rng, land, xy, 150)
        rows.append(
            ("hub", name, float(cap), float(cap * 2.5), float(np.round(cap * 0.35, -2)), px, py)
        )
    pantries = place_points(rng, areas, pop * pov**1.3, 22)
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
    return wgs84_points(df)


def build_supply(
    rng: np.random.Generator,
    sites: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    comm: pd.DataFrame,
    need: pd.DataFrame,
    target_peak_ratio: float,
) -> tuple[pd.DataFrame, pd.Series]:
    kg = comm.set_index("commodity")["kg_per_unit"]
    shares = culture_shares(areas)
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

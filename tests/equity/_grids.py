"""Tiny synthetic grids whose answers can be checked by hand (shared by the equity tests)."""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import Point, box

CRS = "EPSG:32617"  # UTM 17N: metres
X0, Y0 = 500_000.0, 4_400_000.0


def grid3(population: float = 1000.0, **cols) -> gpd.GeoDataFrame:
    """A 3x3 grid of 1-km squares, ids 'r{row}c{col}', row 0 at the bottom."""
    ids, geoms = [], []
    for r in range(3):
        for c in range(3):
            ids.append(f"r{r}c{c}")
            geoms.append(
                box(X0 + 1000 * c, Y0 + 1000 * r, X0 + 1000 * (c + 1), Y0 + 1000 * (r + 1))
            )
    data = {"area_id": ids, "population": [population] * 9, **cols}
    return gpd.GeoDataFrame(data, geometry=geoms, crs=CRS)


def stores(*xy_kind: tuple[float, float, str]) -> gpd.GeoDataFrame:
    """Stores at grid offsets (metres from the grid's corner)."""
    return gpd.GeoDataFrame(
        {
            "store_id": [f"s{i}" for i in range(len(xy_kind))],
            "kind": [k for _, _, k in xy_kind],
        },
        geometry=[Point(X0 + x, Y0 + y) for x, y, _ in xy_kind],
        crs=CRS,
    )

"""Speed of :func:`equity.analyze` on a 2,000-tract region, and of its mRFEI store counts
against the earlier buffer method, measured in the same run.

The region is synthetic (fixed seed) with the shape of a real city's census tracts: a grid of
700-m tracts (50 a row) whose boundaries are densified to about 250 vertices per tract (TIGER
tracts of Allegheny County average 294, Chicago's 122) and displaced by one field (smooth bends
of up to ~110 m plus 4-m street-scale zig-zags), so neighbours still share their edges; 3 block-group population points per tract; 3,000 stores
(supermarkets, groceries, convenience stores, fast food, farmers markets) placed near people.

- ``analyze``: every measure of :func:`equity.analyze` (population points, distances and counts,
  the Atlas classification, 2SFCA / E2SFCA / gravity, mRFEI, need index).
- mRFEI counts: :func:`equity.mrfei.mrfei` (KD-tree candidates, exact GEOS distance on prepared
  polygons) against the **buffer baseline**: buffer every tract by 1/2 mile with
  ``shapely.buffer`` and query an STRtree of the stores with ``intersects`` (the code before).
  The two agree except for stores 0-3.9 m inside the half mile at a tract's convex corners,
  which the buffer's 8-segments-per-quarter-circle polygon leaves out; the benchmark prints
  that count.
- ``analyze`` with the buffer baseline in place of the new counts, to show the end-to-end
  difference.

Each pair is timed alternately (best of ``--repeat``), so a change of load on a shared machine
falls on both sides.

With the public data (``--shared-data``, default ``$FOODSHED_SHARED_DATA`` or ``../shared/data``),
the same comparisons run on Allegheny County (402 real tracts) and Chicago (801).

Run: ``python benchmarks/bench_analyze.py [--tracts 2000] [--repeat 3] [--shared-data DIR]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from unittest import mock

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

import equity
from equity.access import M_PER_MILE
from equity.mrfei import HEALTHY_KINDS, LESS_HEALTHY_KINDS, mrfei

CRS = "EPSG:32617"
X0, Y0 = 560_000.0, 4_470_000.0
SIDE_M = 700.0
KINDS = ("supermarket", "grocery", "convenience", "convenience", "fast_food", "farmers_market")


def _warp(xy: np.ndarray) -> np.ndarray:
    """A smooth displacement field (up to ~120 m), so tracts are irregular but still tile."""
    x, y = (xy[:, 0] - X0) / 900.0, (xy[:, 1] - Y0) / 900.0
    dx = 70 * np.sin(1.7 * y + 0.3 * x) + 40 * np.sin(5.3 * y - 2.1 * x)
    dy = 70 * np.sin(1.3 * x - 0.4 * y) + 40 * np.cos(4.7 * x + 1.9 * y)
    # street-scale zig-zags (a few metres every ~10 m), as digitised TIGER lines have
    dx += 4 * np.sin(560 * y + 310 * x)
    dy += 4 * np.cos(530 * x - 290 * y)
    return xy + np.column_stack([dx, dy])


def synthetic_region(n_tracts: int = 2000, *, vertices: int = 250, seed: int = 7) -> equity.Region:
    rng = np.random.default_rng(seed)
    ncol = int(np.ceil(np.sqrt(n_tracts * 1.25)))
    per_side = max(vertices // 4, 1)
    t = np.arange(per_side) / per_side
    polys, ids = [], []
    for k in range(n_tracts):
        r, c = divmod(k, ncol)
        x0, y0 = X0 + c * SIDE_M, Y0 + r * SIDE_M
        corners = [(x0, y0), (x0 + SIDE_M, y0), (x0 + SIDE_M, y0 + SIDE_M), (x0, y0 + SIDE_M)]
        ring = []
        for i in range(4):
            (ax, ay), (bx, by) = corners[i], corners[(i + 1) % 4]
            ring.append(np.column_stack([ax + (bx - ax) * t, ay + (by - ay) * t]))
        polys.append(shapely.Polygon(_warp(np.vstack(ring))))
        ids.append(f"T{k:05d}")
    pop = rng.integers(800, 6000, n_tracts).astype(float)
    areas = gpd.GeoDataFrame(
        {
            "area_id": ids,
            "population": pop,
            "households": np.round(pop / 2.4),
            "households_no_vehicle": np.round(pop / 2.4 * rng.uniform(0.02, 0.4, n_tracts)),
            "poverty_rate": rng.uniform(0.02, 0.45, n_tracts),
            "median_family_income": rng.uniform(25_000, 140_000, n_tracts),
            "urban": True,
        },
        geometry=polys,
        crs=CRS,
    )
    inner = shapely.point_on_surface(np.asarray(polys))
    cx, cy = shapely.get_x(inner), shapely.get_y(inner)
    pick = np.repeat(np.arange(n_tracts), 3)
    pp = gpd.GeoDataFrame(
        {
            "point_id": [f"P{i:06d}" for i in range(len(pick))],
            "area_id": np.asarray(ids)[pick],
            "population": pop[pick] / 3,
        },
        geometry=gpd.points_from_xy(
            cx[pick] + rng.uniform(-150, 150, len(pick)),
            cy[pick] + rng.uniform(-150, 150, len(pick)),
        ),
        crs=CRS,
    )
    n_stores = int(1.5 * n_tracts)
    sp = rng.choice(n_tracts, n_stores, p=pop / pop.sum())
    stores = gpd.GeoDataFrame(
        {
            "store_id": [f"S{i:05d}" for i in range(n_stores)],
            "kind": rng.choice(KINDS, n_stores),
        },
        geometry=gpd.points_from_xy(
            cx[sp] + rng.normal(0, 500, n_stores), cy[sp] + rng.normal(0, 500, n_stores)
        ),
        crs=CRS,
    )
    return equity.Region.from_frames(
        areas, stores, population_points=pp, name=f"synthetic {n_tracts} tracts", crs=CRS
    )


def buffer_counts(
    areas: gpd.GeoDataFrame,
    stores: gpd.GeoDataFrame,
    *,
    healthy=HEALTHY_KINDS,
    less_healthy=LESS_HEALTHY_KINDS,
    buffer_m: float = 0.5 * M_PER_MILE,
    kind_col: str = "kind",
) -> pd.DataFrame:
    """The baseline: the mRFEI counts as computed before (buffer polygons + STRtree)."""
    zones = shapely.buffer(areas.geometry.values, buffer_m)
    out = pd.DataFrame(index=areas.index)
    kinds = stores[kind_col].astype(str).to_numpy()
    tree = shapely.STRtree(stores.geometry.values)
    zi, si = tree.query(zones, predicate="intersects")
    for col, group in (("n_healthy", healthy), ("n_less_healthy", less_healthy)):
        hit = np.isin(kinds[si], list(group))
        out[col] = np.bincount(zi[hit], minlength=len(areas))
    total = out["n_healthy"] + out["n_less_healthy"]
    out["mrfei"] = (100.0 * out["n_healthy"] / total.where(total > 0)).astype(float)
    return out


def best_of_pair(fn_a, fn_b, repeat: int) -> tuple[float, object, float, object]:
    """Best time of each of two functions, run alternately (so a change of load on a shared
    machine falls on both), with their last results."""
    best_a = best_b = np.inf
    out_a = out_b = None
    for _ in range(repeat):
        t = time.perf_counter()
        out_a = fn_a()
        best_a = min(best_a, time.perf_counter() - t)
        t = time.perf_counter()
        out_b = fn_b()
        best_b = min(best_b, time.perf_counter() - t)
    return best_a, out_a, best_b, out_b


def compare(region: equity.Region, repeat: int) -> None:
    nv = shapely.get_num_coordinates(region.areas.geometry.values).mean()
    print(
        f"{region.name}: {len(region.areas):,} tracts ({nv:.0f} vertices each on average), "
        f"{len(region.stores):,} stores, {len(region.population_points):,} population points"
    )
    equity.analyze(region)  # warm imports and caches once

    t_new, new, t_old, old = best_of_pair(
        lambda: mrfei(region.areas, region.stores),
        lambda: buffer_counts(region.areas, region.stores),
        repeat,
    )
    cols = ["n_healthy", "n_less_healthy"]
    diff = new[cols].to_numpy() - old[cols].to_numpy()  # type: ignore[index]
    assert (diff >= 0).all(), "the exact count can only add stores the buffer polygon missed"
    print("  mRFEI store counts")
    print(f"    KD-tree + exact distance (equity.mrfei)     {t_new:8.3f} s")
    print(
        f"    buffer baseline (shapely.buffer + STRtree)  {t_old:8.3f} s"
        f"   ratio {t_old / t_new:6.1f}x"
    )
    print(
        f"    {int((diff.sum(axis=1) > 0).sum())} of {len(diff)} tracts count {int(diff.sum())} "
        "more store(s): stores 0-3.9 m inside the half mile, outside the buffer's polygon"
    )

    def analyze_with_buffers():
        with mock.patch.object(sys.modules["equity.analyze"], "mrfei", buffer_counts):
            return equity.analyze(region)

    t_an, _, t_an_old, _ = best_of_pair(
        lambda: equity.analyze(region), analyze_with_buffers, repeat
    )
    print("  analyze (every measure)")
    print(f"    with the KD-tree mRFEI    {t_an:8.3f} s")
    print(f"    with the buffer baseline  {t_an_old:8.3f} s   ratio {t_an_old / t_an:6.1f}x")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracts", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--shared-data", default=os.environ.get("FOODSHED_SHARED_DATA", "../shared/data")
    )
    args = parser.parse_args(argv)

    compare(synthetic_region(args.tracts), args.repeat)
    shared = Path(args.shared_data)
    if not (shared / "pittsburgh_allegheny").is_dir():
        print(f"(no public data at {shared}: real regions skipped)")
        return
    from equity.sources import allegheny_region, chicago_region

    for build in (allegheny_region, chicago_region):
        compare(build(shared), args.repeat)


if __name__ == "__main__":
    main()

"""Speed of the access measures on a national set, against named baselines in the same run.

- Nearest supermarket distance and counts within 1 and 10 miles for every US tract population
  centre (74,002, Census 2010) and every block-group centre (220,334) against 40,000 stores
  (generated near people, fixed seed): :mod:`equity.access` (scipy cKDTree) vs geopandas
  ``sjoin_nearest`` (nearest) and ``sjoin(predicate="dwithin")`` (counts).
- 2SFCA for the tracts with a 10-mile catchment: :func:`equity.fca.two_step_fca` vs the PySAL
  ``access`` package (``Access.two_stage_fca``) on the same pre-filtered pairs.

Coordinates are projected to CONUS Albers (EPSG:5070) for all runs; both sides see the same
points, so the comparison is fair even where Albers distorts distance (Hawaii, Puerto Rico).
Every comparison also checks that both sides give the same answer.

Run: ``python benchmarks/bench_access.py [SHARED_DATA] [--quick]`` (``--quick`` skips the slow
baselines on the block groups and uses one state for the ``access`` package).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from equity.access import M_PER_MILE, count_within, nearest_distance
from equity.fca import distance_matrix, two_step_fca

CRS = "EPSG:5070"
N_STORES = 40_000


def timed(fn, *args, repeat: int = 1, **kw):
    best, out = np.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn(*args, **kw)
        best = min(best, time.perf_counter() - t)
    return best, out


def load_centres(shared: Path, name: str) -> gpd.GeoDataFrame:
    df = pd.read_csv(shared / "census_popcenters_2010" / name, dtype=str)
    key = df.STATEFP + df.COUNTYFP + df.TRACTCE + df.get("BLKGRPCE", "")
    return gpd.GeoDataFrame(
        {"area_id": key.to_numpy(), "population": pd.to_numeric(df.POPULATION).to_numpy()},
        geometry=gpd.points_from_xy(pd.to_numeric(df.LONGITUDE), pd.to_numeric(df.LATITUDE)),
        crs=4326,
    ).to_crs(CRS)


def make_stores(tracts: gpd.GeoDataFrame, n: int, seed: int = 42) -> gpd.GeoDataFrame:
    """``n`` stores near people: tract centres drawn by population, jittered by ~3 km."""
    rng = np.random.default_rng(seed)
    p = tracts["population"].to_numpy(float)
    pick = rng.choice(len(tracts), size=n, p=p / p.sum())
    x = tracts.geometry.x.to_numpy()[pick] + rng.normal(0, 3000, n)
    y = tracts.geometry.y.to_numpy()[pick] + rng.normal(0, 3000, n)
    return gpd.GeoDataFrame(
        {"store_id": [f"s{i}" for i in range(n)], "kind": "supermarket", "capacity": 1.0},
        geometry=gpd.points_from_xy(x, y),
        crs=CRS,
    )


def ours_nearest_and_counts(origins, stores):
    d, _ = nearest_distance(origins, stores)
    n1 = count_within(origins, stores, 1 * M_PER_MILE)
    n10 = count_within(origins, stores, 10 * M_PER_MILE)
    return d, n1, n10


def geopandas_nearest(origins, stores):
    j = gpd.sjoin_nearest(origins[["geometry"]], stores[["geometry"]], distance_col="d")
    return j.groupby(level=0)["d"].first().reindex(origins.index).to_numpy()


def geopandas_counts(origins, stores, miles):
    j = gpd.sjoin(
        origins[["geometry"]],
        stores[["geometry"]],
        predicate="dwithin",
        distance=miles * M_PER_MILE,
    )
    return j.groupby(level=0).size().reindex(origins.index, fill_value=0).to_numpy()


def bench_nearest(label, origins, stores, *, baseline_counts: bool = True) -> None:
    t_ours, (d, n1, n10) = timed(ours_nearest_and_counts, origins, stores, repeat=3)
    t_kd_nearest, _ = timed(nearest_distance, origins, stores, repeat=3)
    t_gp, d_gp = timed(geopandas_nearest, origins, stores)
    assert np.allclose(d, d_gp), "nearest distances differ from geopandas"
    print(f"{label}: {len(origins):,} origins x {len(stores):,} stores")
    print(f"  nearest  equity (cKDTree)        {t_kd_nearest:8.3f} s")
    print(f"  nearest  geopandas sjoin_nearest {t_gp:8.3f} s   ratio {t_gp / t_kd_nearest:6.1f}x")
    print(f"  nearest + counts at 1 and 10 mi (equity) {t_ours:8.3f} s")
    if baseline_counts:
        t_gc, (c1, c10) = timed(
            lambda: (geopandas_counts(origins, stores, 1), geopandas_counts(origins, stores, 10))
        )
        assert (c1 == n1).all() and (c10 == n10).all(), "counts differ from geopandas"
        t_base = t_gp + t_gc
        print(
            f"  nearest + counts at 1 and 10 mi (geopandas sjoin_nearest + dwithin) {t_base:8.3f} s"
            f"   ratio {t_base / t_ours:6.1f}x"
        )


def bench_fca(tracts, stores, *, state: str | None = None) -> None:
    reach = 10 * M_PER_MILE
    t_ours, acc = timed(
        two_step_fca, tracts, stores, catchment_m=reach, demand_col="population", repeat=3
    )
    print(f"2SFCA, 10-mile catchment: {len(tracts):,} tracts x {len(stores):,} stores")
    print(f"  equity two_step_fca (KD-tree pairs + sparse)  {t_ours:8.3f} s")
    try:
        from access import Access
    except ImportError:
        print("  (the `access` package is not installed: pip install access)")
        return
    sub_t, sub_s = tracts, stores
    if state is not None:
        sub_t = tracts[tracts["area_id"].str.startswith(state)]
        box = sub_t.total_bounds + np.array([-reach, -reach, reach, reach])
        sub_s = stores.cx[box[0] : box[2], box[1] : box[3]]
    t_pairs, m = timed(distance_matrix, sub_t, sub_s, reach)
    m = m.tocoo()
    cost = pd.DataFrame(
        {
            "origin": sub_t["area_id"].to_numpy()[m.row],
            "dest": sub_s["store_id"].to_numpy()[m.col],
            "cost": m.data,
        }
    )
    demand = pd.DataFrame(sub_t[["area_id", "population"]]).set_index("area_id")
    supply = pd.DataFrame(sub_s[["store_id", "capacity"]]).set_index("store_id")

    def run_access():
        a = Access(
            demand_df=demand,
            demand_value="population",
            supply_df=supply,
            supply_value="capacity",
            cost_df=cost,
            cost_origin="origin",
            cost_dest="dest",
            cost_name="cost",
        )
        return a.two_stage_fca(max_cost=reach)

    t_acc, res = timed(run_access)
    t_sub, acc_sub = timed(
        two_step_fca, sub_t, sub_s, catchment_m=reach, demand_col="population", repeat=3
    )
    theirs = res.iloc[:, 0].reindex(sub_t["area_id"]).fillna(0).to_numpy()
    # `access` divides by zero for a store whose catchment holds nobody (all tracts of
    # population 0) and returns inf for those tracts; equity gives such a store ratio 0.
    finite = np.isfinite(theirs)
    assert np.allclose(acc_sub.to_numpy()[finite], theirs[finite]), "2SFCA differs from access"
    if (~finite).any():
        print(f"  ({(~finite).sum()} tracts get inf from `access`: a store in reach serves nobody)")
    where = f"state {state}" if state else "all tracts"
    print(
        f"  on {where} ({len(sub_t):,} tracts, {len(sub_s):,} stores, {len(cost):,} pairs):"
        f" equity {t_sub:.3f} s vs access.Access.two_stage_fca {t_acc:.3f} s on the same pairs"
        f" (+{t_pairs:.3f} s to build them)   ratio {t_acc / t_sub:6.1f}x"
    )
    assert np.isfinite(acc.to_numpy()).all()


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    quick = "--quick" in sys.argv
    shared = Path(args[0] if args else os.environ.get("FOODSHED_SHARED_DATA", "../shared/data"))
    tracts = load_centres(shared, "CenPop2010_Mean_TR_national.csv")
    bgs = load_centres(shared, "CenPop2010_Mean_BG_national.csv")
    stores = make_stores(tracts, N_STORES)
    bench_nearest("tract centres", tracts, stores)
    bench_nearest("block-group centres", bgs, stores, baseline_counts=not quick)
    bench_fca(tracts, stores, state="42" if quick else None)


if __name__ == "__main__":
    main()

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

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
for _path in (ROOT, HERE):  # run as a script or loaded by file from a source checkout
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from riverton.areas import build_areas, low_income  # noqa: E402
from riverton.foods import COMMODITIES, SUBSTITUTES, build_need  # noqa: E402
from riverton.geography import CRS, MILE_M, PEAK, PERIODS, county_outline, river_line  # noqa: E402
from riverton.roads import build_roads  # noqa: E402
from riverton.sites import build_sites, build_supply  # noqa: E402
from riverton.stores import build_stores  # noqa: E402

from equity._atomic import atomic_path  # noqa: E402
from equity.region import Region  # noqa: E402

__all__ = ["SEED", "build", "build_roads", "figures", "low_income", "main", "write"]

SEED = 20261201
NAME = "Riverton (fictional demo city)"


# ----------------------------------------------------------------------------- assemble
def build(seed: int = SEED) -> tuple[Region, dict[str, float]]:
    """Build the demo region in memory; also return headline figures for the README."""
    rng = np.random.default_rng(seed)
    areas, points, info = build_areas(rng)
    land = county_outline().difference(river_line().buffer(90, cap_style="flat"))
    stores = build_stores(rng, areas, land, info["area_median_family_income"])
    sites = build_sites(rng, areas, land)
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
    need = build_need(areas, comm)
    supply, peak_kg = build_supply(rng, sites, areas, comm, need, target_peak_ratio=0.66)
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


def write(out: str | Path, seed: int = SEED) -> Region:
    """Build the demo region and write it to ``out`` as a folder that ``Region.from_dir`` reads
    (with ``roads.geojson``, the demo's road network, beside the tables)."""
    region, _ = build(seed)
    region.to_dir(out)
    with atomic_path(Path(out) / "roads.geojson") as tmp:
        # the layer named, or the GeoJSON's "name" is the temporary file's random name
        roads = build_roads().to_crs("EPSG:4326")
        roads.to_file(tmp, driver="GeoJSON", layer="roads", COORDINATE_PRECISION=6)
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

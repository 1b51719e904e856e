"""Draw docs/img/roads-reach.png: which demo areas a hub reaches within 5 km as the crow
flies and over the roads (the river is crossed by three bridges). Needs matplotlib.

    python docs/img/make_roads_reach.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

REACH_M = 5_000.0


def main() -> None:
    import geopandas as gpd
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from equity import Region
    from equity.region import demo_dir
    from equity.roads import network_distances

    region = Region.demo()
    roads = gpd.read_file(demo_dir() / "roads.geojson").to_crs(region.crs)
    ct = network_distances(region, roads)
    # the hub or pantry that loses most areas to the river
    near = ct[ct["straight_m"] <= REACH_M]
    lost = (near["distance_m"] > REACH_M).groupby(near["site_id"]).sum()
    kinds = region.sites.set_index("site_id")["kind"]
    lost = lost[kinds.reindex(lost.index).isin(["hub", "pantry"]).to_numpy()]
    SITE = str(lost.sort_values(ascending=False, kind="stable").index[0])
    name = region.sites.set_index("site_id").loc[SITE, "name"]
    ct = ct[ct["site_id"] == SITE]
    line = set(ct.loc[ct["straight_m"] <= REACH_M, "area_id"])
    road = set(ct.loc[ct["distance_m"] <= REACH_M, "area_id"])
    areas = region.areas.copy()
    ids = areas["area_id"].astype(str)
    areas["reach"] = "neither"
    areas.loc[ids.isin(line), "reach"] = "straight line only"
    areas.loc[ids.isin(road), "reach"] = "by road too"
    colors = {"neither": "#f2f2f2", "straight line only": "#f4a261", "by road too": "#2a9d8f"}
    fig, ax = plt.subplots(figsize=(7.2, 6.0), dpi=100)
    for k, c in colors.items():
        areas[areas["reach"] == k].plot(ax=ax, color=c, edgecolor="white", linewidth=0.3)
    roads[roads["kind"] == "road"].plot(ax=ax, color="#999999", linewidth=0.4)
    roads[roads["kind"] == "bridge"].plot(ax=ax, color="black", linewidth=2.5)
    site = region.sites[region.sites["site_id"] == SITE]
    site.plot(ax=ax, color="#e63946", markersize=60, marker="*", zorder=5)
    xs, ys = site.geometry.x.iloc[0], site.geometry.y.iloc[0]
    ax.set_xlim(xs - 9_000, xs + 9_000)
    ax.set_ylim(ys - 7_500, ys + 7_500)
    ax.set_axis_off()
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in colors.values()]
    ax.legend(handles, [f"{k}" for k in colors], loc="lower right", fontsize=8)
    n_line, n_road = len(line), len(road)
    ax.set_title(
        f"Areas within {REACH_M / 1000:.0f} km of {name} (star): {n_line} as the crow "
        f"flies, {n_road} by road\n(black: the three bridges over the river)",
        fontsize=9,
    )
    out = ROOT / "docs" / "img" / "roads-reach.png"
    fig.savefig(out, bbox_inches="tight")
    print(f"wrote {out}: {n_line} areas by straight line, {n_road} by road")


if __name__ == "__main__":
    main()

"""Assemble a :class:`~equity.Region` from the public US sources, and ready-made builders for
Allegheny County (Pittsburgh) and the City of Chicago. Public names are in
:mod:`equity.sources`."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ._errors import ConfigError, DataSourceError, Problem
from ._sources_census import (
    read_acs_snap,
    read_census_popcenters,
    read_census_tracts,
    read_usda_atlas,
)
from ._sources_common import utm_crs
from ._sources_stores import dedupe_stores, read_site_list, read_snap_retailers, read_store_list
from .region import APPROXIMATE_AREAS, Region
from .store_classes import stores_near

#: Atlas columns copied to contract names in ``areas`` (Atlas name -> contract name).
ATLAS_TO_AREAS = {
    "PovertyRate": "poverty_rate",
    "MedianFamilyIncome": "median_family_income",
    "OHU2010": "households",
    "TractHUNV": "households_no_vehicle",
    "TractSNAP": "snap_households",
}
#: Atlas 0/1 flags copied to contract booleans.
ATLAS_FLAGS = {"Urban": "urban", "LowIncomeTracts": "low_income"}


def _flag(s: pd.Series) -> pd.Series:
    return s.map(lambda v: None if pd.isna(v) else bool(v)).astype(object)


def _notes(frame: pd.DataFrame | None) -> str:
    if frame is None:
        return ""
    bits = [str(frame.attrs.get("source", ""))] + list(frame.attrs.get("notes", []))
    return "; ".join(b for b in bits if b)


def assemble_us_region(
    *,
    tracts: gpd.GeoDataFrame | None = None,
    atlas: pd.DataFrame | None = None,
    popcenters: gpd.GeoDataFrame | None = None,
    population_points: gpd.GeoDataFrame | None = None,
    stores: gpd.GeoDataFrame | None = None,
    sites: gpd.GeoDataFrame | None = None,
    acs_snap: pd.DataFrame | None = None,
    stores_beyond: gpd.GeoDataFrame | None = None,
    beyond_within_mi: float = 10.0,
    beyond_rural_within_mi: float = 20.0,
    name: str = "region",
    keep_within_m: float = 32_186.0,
    provenance: dict[str, Any] | None = None,
) -> Region:
    """Join tract polygons with the Atlas, centres of population and point lists into a Region.

    Parameters
    ----------
    tracts
        From :func:`read_census_tracts` (``area_id``, geometry, optional ``land_area_m2``).
        Without them (``None``), stand-in polygons are drawn from the centres of population
        (:func:`tracts_from_points`, which needs ``popcenters``): the region's provenance then
        says so (``approximate_areas``) and :func:`equity.analyze` places people at the
        block-group centres (``population_method="points"``) and says so in its warnings.
    atlas
        From :func:`read_usda_atlas`. Gives ``poverty_rate``, ``median_family_income``,
        ``households`` (``OHU2010``), ``households_no_vehicle`` (``TractHUNV``) and
        ``snap_households`` (``TractSNAP``) where the file has them, ``urban`` and
        ``low_income`` flags, and keeps every other Atlas column (``LILATracts_halfAnd10``,
        ``LATracts1``, ...) under its Atlas name, plus ``in_atlas``. Tracts the Atlas lacks
        have missing values there.
    popcenters
        Tract centres from ``read_census_popcenters(level="tract")``: ``population`` (Census
        2010) and ``pop_lon``/``pop_lat``. Where a tract has none, the Atlas ``Pop2010`` is
        used, else 0 (with a warning in ``region.problems``).
    population_points
        Block-group centres from ``read_census_popcenters(level="block_group")``; points of
        tracts outside ``tracts`` are dropped.
    stores, sites
        Stores and sites frames (e.g. from :func:`dedupe_stores`); points farther than
        ``keep_within_m`` (default 32,186 m, just under the 20 miles within which a Region
        keeps a point outside every area) from the tracts' convex hull are dropped.
    acs_snap
        From :func:`read_acs_snap`; fills ``snap_households`` where the Atlas has none and
        the ids match (2020 ACS ids match 2010 tracts only in part).
    stores_beyond, beyond_within_mi, beyond_rural_within_mi
        A wider store list (say a statewide SNAP list): the Atlas measures the distance to
        the nearest supermarket across county and city lines, so its stores within
        ``beyond_within_mi`` (10) miles of the tracts, or ``beyond_rural_within_mi`` (20) of a
        rural tract, are added after ``stores`` (:func:`~equity.store_classes.stores_near`),
        de-duplicated against them (:func:`dedupe_stores`).
    """
    approximate = ""
    if tracts is None:
        if popcenters is None:
            msg = (
                "assemble_us_region needs tract polygons (tracts=read_census_tracts(...)) or, "
                "without them, the tract centres of population (popcenters="
                "read_census_popcenters(...)) to draw stand-in polygons from"
            )
            raise DataSourceError(msg)
        tracts = tracts_from_points(popcenters, population_points)
        approximate = "; ".join(tracts.attrs["notes"])
    areas = tracts.to_crs("EPSG:4326")
    keep = ["area_id", "geometry"]
    if "land_area_m2" in areas:
        keep.insert(1, "land_area_m2")
    label = next((c for c in ("NAMELSAD10", "namelsad10", "NAMELSAD") if c in areas), None)
    areas["name"] = areas[label] if label else areas["area_id"]
    areas = areas[["area_id", "name", *keep[1:]]]
    warnings: list[Problem] = []
    prov: dict[str, Any] = {"tracts": _notes(tracts), "tracts_count": len(areas)}
    if approximate:
        prov[APPROXIMATE_AREAS] = approximate
    if popcenters is not None:
        pc = pd.DataFrame(popcenters[["area_id", "population", "pop_lon", "pop_lat"]])
        areas = areas.merge(pc, on="area_id", how="left")
        prov["popcenters"] = _notes(popcenters)
        prov["popcenters_joined"] = int(areas["population"].notna().sum())
    else:
        areas["population"] = np.nan
    if atlas is not None:
        a = atlas.drop(columns=[c for c in ("CensusTract", "State", "County") if c in atlas])
        a = a.assign(in_atlas=True)
        for src, dst in ATLAS_TO_AREAS.items():
            if src in a:
                a[dst] = a[src]
        for src, dst in ATLAS_FLAGS.items():
            if src in a:
                a[dst] = _flag(a[src])
        a = a.drop(columns=[c for c in a.columns if c in areas.columns and c != "area_id"])
        areas = areas.merge(a, on="area_id", how="left")
        areas["in_atlas"] = areas["in_atlas"].eq(True)
        for dst in ATLAS_FLAGS.values():
            if dst in areas:
                areas[dst] = areas[dst].astype(object).where(areas[dst].notna(), None)
        if "Pop2010" in areas:
            areas["population"] = areas["population"].fillna(areas["Pop2010"])
        prov["atlas"] = _notes(atlas)
        prov["atlas_joined"] = int(areas["in_atlas"].sum())
    if acs_snap is not None:
        s = acs_snap.set_index("area_id")["snap_households"]
        acs = areas["area_id"].map(s)
        if "snap_households" in areas:
            areas["snap_households"] = areas["snap_households"].fillna(acs)
        else:
            areas["snap_households"] = acs
        prov["acs_snap"] = _notes(acs_snap)
        prov["acs_snap_joined"] = int(acs.notna().sum())
    nopop = areas["population"].isna()
    if nopop.any():
        ids = areas.loc[nopop, "area_id"].tolist()
        warnings.append(
            Problem(
                "areas",
                f"{len(ids)} tract(s) have no population in the centres or the Atlas and were "
                f"given 0: {ids[:5]}",
                column="population",
                severity="warning",
            )
        )
        areas["population"] = areas["population"].fillna(0.0)
    areas = gpd.GeoDataFrame(areas, geometry="geometry", crs="EPSG:4326")

    # Points far from the areas' convex hull are often geocoding slips (the Health Dept. list
    # has stores in France and Hong Kong): test them against the buffered hull in WGS84, so
    # that no far point is projected into the local UTM zone.
    utm = utm_crs(areas)
    shape = shapely.convex_hull(shapely.geometrycollections(areas.to_crs(utm).geometry.to_numpy()))
    hull = gpd.GeoSeries([shape.buffer(keep_within_m)], crs=utm)
    hull_wgs = hull.to_crs("EPSG:4326").iloc[0]

    def near(points: gpd.GeoDataFrame | None, key: str) -> gpd.GeoDataFrame | None:
        if points is None:
            return None
        inside = points.to_crs("EPSG:4326").within(hull_wgs).to_numpy()
        if (~inside).any():
            far = points[~inside]
            names = far["name"] if "name" in far else far.index.astype(str)
            shown = ", ".join(
                f"{n!s} ({g.x:.3f}, {g.y:.3f})"
                for n, g in zip(names[:5], far.to_crs("EPSG:4326").geometry[:5], strict=True)
            )
            warnings.append(
                Problem(
                    key,
                    f"{int((~inside).sum())} point(s) farther than {keep_within_m:,.0f} m from "
                    f"the areas' convex hull were left out (misplaced or outside the region): {shown}"
                    + (" ..." if len(far) > 5 else ""),
                    severity="warning",
                )
            )
        prov[key] = _notes(points)
        return points[inside].reset_index(drop=True)

    stores_in = near(stores, "stores")
    if stores_beyond is not None and len(stores_beyond):
        near_edge = stores_near(
            stores_beyond,
            areas,
            within_mi=beyond_within_mi,
            rural_within_mi=beyond_rural_within_mi,
        )
        prov["stores_beyond"] = _notes(near_edge)
        if len(near_edge):
            stores_in = near_edge if stores_in is None else dedupe_stores(stores_in, near_edge)
    sites_in = near(sites, "sites")
    pts = None
    if population_points is not None:
        pts = population_points[population_points["area_id"].isin(areas["area_id"])]
        pts = pts.reset_index(drop=True)
        prov["population_points"] = _notes(population_points)
    prov.update(provenance or {})
    region = Region.from_frames(
        areas, stores_in, sites_in, population_points=pts, name=name, provenance=prov
    )
    sources = {
        k: str(v.attrs.get("source", ""))
        for k, v in (
            ("areas", tracts),
            ("atlas", atlas),
            ("popcenters", popcenters),
            ("population_points", population_points),
            ("acs_snap", acs_snap),
        )
        if v is not None and v.attrs.get("source")
    }
    for key, frame in (("stores", stores), ("sites", sites)):
        if frame is not None and "source" in frame:
            sources[key] = ";".join(sorted(frame["source"].astype(str).unique()))
    return replace(region, problems=region.problems + tuple(warnings), sources=sources)


def tracts_from_points(
    popcenters: gpd.GeoDataFrame,
    population_points: gpd.GeoDataFrame | None = None,
    *,
    reach_m: float = 3_218.7,
) -> gpd.GeoDataFrame:
    """Stand-in tract polygons for a county whose tract boundaries you do not have.

    Each tract's polygon is the union of the Voronoi cells of its block-group centres
    (``population_points``; its own centre from ``popcenters`` where it has none), each cell
    cut to ``reach_m`` (2 miles) around its point, so that coastal and edge tracts do not
    reach far into the sea or the next county, and snapped to a 1 m grid (merged cells leave
    slivers that would cross themselves once reprojected). They are *not* tract boundaries: the people are
    placed at the points (``population_method="points"``, what :func:`equity.analyze` does by
    default for such a region), and the polygons serve only the measures drawn on areas (the
    mRFEI's half-mile buffers, maps) and the choice of stores near the region. Returns
    ``area_id`` and the polygons in WGS84, with ``attrs["notes"]`` saying how they were drawn.
    """
    if reach_m <= 0:
        msg = f"reach_m={reach_m!r}: give a distance in metres > 0"
        raise ValueError(msg)
    need = {"area_id", "geometry"}
    for label, frame in (("popcenters", popcenters), ("population_points", population_points)):
        if frame is not None and not need <= set(frame.columns):
            msg = (
                f"tracts_from_points: {label} needs the columns {sorted(need)} "
                f"(read_census_popcenters gives them); found {list(frame.columns)}"
            )
            raise DataSourceError(msg)
    tracts = popcenters[["area_id", "geometry"]].drop_duplicates("area_id")
    pts = tracts
    if population_points is not None and len(population_points):
        sub = population_points[population_points["area_id"].isin(tracts["area_id"])]
        pts = pd.concat(
            [sub[["area_id", "geometry"]], tracts[~tracts["area_id"].isin(sub["area_id"])]],
            ignore_index=True,
        )
    pts = gpd.GeoDataFrame(pts, geometry="geometry", crs=popcenters.crs)
    # the people's zone where an outlying island crosses a zone line, weighted by the
    # centres' own populations where the frames carry them
    people = popcenters
    if population_points is not None and "population" in population_points:
        people = population_points[population_points["area_id"].isin(tracts["area_id"])]
    utm = utm_crs(people if "population" in people and len(people) else pts)
    xy = pts.to_crs(utm).geometry
    cells = shapely.voronoi_polygons(
        shapely.multipoints(xy.to_numpy()), extend_to=shapely.box(*xy.total_bounds).buffer(reach_m)
    )
    parts = gpd.GeoDataFrame(geometry=list(shapely.get_parts(cells)), crs=utm)
    own = gpd.sjoin(parts, gpd.GeoDataFrame({"i": range(len(xy))}, geometry=xy.to_numpy(), crs=utm))
    own = own.drop_duplicates("i")
    shapes = shapely.intersection(
        own.geometry.to_numpy(), shapely.buffer(xy.to_numpy()[own["i"].to_numpy()], reach_m)
    )
    # On a 1 m grid: cells cut by circles and merged leave slits and spikes narrower than a
    # metre that cross themselves once reprojected; snapping removes them.
    shapes = shapely.set_precision(shapes, 1.0)
    by_tract = (
        gpd.GeoDataFrame(
            {"area_id": pts["area_id"].to_numpy()[own["i"].to_numpy()]}, geometry=shapes, crs=utm
        )
        .dissolve("area_id", as_index=False)
        .to_crs("EPSG:4326")
    )
    # Cells cut by circles and reprojected can touch themselves at a vertex: repair them.
    by_tract["geometry"] = shapely.make_valid(by_tract.geometry.to_numpy())
    out = tracts[["area_id"]].merge(by_tract, on="area_id", how="left")
    out = gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")
    out.attrs["source"] = "drawn from points (tracts_from_points)"
    out.attrs["notes"] = [
        f"approximate polygons: Voronoi cells of {len(pts):,} population centres, "
        f"each cut to {reach_m:,.0f} m around its point; not tract boundaries"
    ]
    return out


def shared_data_dir(shared_dir: str | os.PathLike[str] | None) -> Path:
    """The public data folder: ``shared_dir`` or ``$FOODSHED_SHARED_DATA``."""
    raw = shared_dir if shared_dir is not None else os.environ.get("FOODSHED_SHARED_DATA")
    if raw is None:
        msg = "give the public data folder (shared/data) or set FOODSHED_SHARED_DATA"
        raise DataSourceError(msg)
    p = Path(raw)
    if not p.is_dir():
        msg = f"{p}: no such folder; give the public data folder (shared/data)"
        raise DataSourceError(msg)
    return p


_ATLAS_COLUMNS = [
    "CensusTract", "Urban", "Pop2010", "OHU2010", "GroupQuartersFlag", "NUMGQTRS", "PCTGQTRS",
    "LILATracts_1And10", "LILATracts_halfAnd10", "LILATracts_1And20", "LILATracts_Vehicle",
    "HUNVFlag", "LowIncomeTracts", "PovertyRate", "MedianFamilyIncome", "LA1and10",
    "LAhalfand10", "LA1and20", "LATracts_half", "LATracts1", "LATracts10", "LATracts20",
    "LATractsVehicle_20",
]  # fmt: skip


def _census(root: Path, county: str, tracts: Path | None) -> dict[str, Any]:
    """One county's census side, as :func:`assemble_us_region` takes it: the tract polygons
    (the shapefile ``tracts``), the county's rows of the Atlas 2019 national table, and the
    tract and block-group centres of population."""
    atlas = read_usda_atlas(
        root / "fara2019_national_subset" / "fara2019_national_25col.csv",
        county=county,
        columns=_ATLAS_COLUMNS,
    )
    pc = root / "census_popcenters_2010"
    tr = read_census_popcenters(pc / "CenPop2010_Mean_TR_national.csv", counties=county)
    bg = read_census_popcenters(
        pc / "CenPop2010_Mean_BG_national.csv", level="block_group", counties=county
    )
    return {
        "tracts": None if tracts is None else read_census_tracts(tracts),
        "atlas": atlas,
        "popcenters": tr,
        "population_points": bg,
    }


def county_region(
    county: str,
    stores: gpd.GeoDataFrame,
    shared_dir: str | os.PathLike[str] | None = None,
    *,
    tracts: str | os.PathLike[str] | None = None,
    name: str | None = None,
) -> Region:
    """Any US county from the public data folder's national tables and a store list.

    The county's rows of the Atlas 2019 national table and its tract and block-group centres
    of population (``fara2019_national_subset``, ``census_popcenters_2010``), with the
    stores of ``stores`` (a statewide SNAP list, say ``read_snap_retailers(...,
    active_on="2019-06-30")``) within 10 miles of the county's tracts, 20 of a rural one, as
    the Atlas sees across county lines. ``tracts`` is the county's TIGER/Line 2010 tract file
    where you have it; without it the polygons are stand-ins drawn from the centres of
    population (:func:`tracts_from_points`) and :func:`equity.analyze` places people at the
    block-group centres. This is :func:`assemble_us_region` with the shared folder's files.
    """
    root = shared_data_dir(shared_dir)
    code = str(county).strip()
    if not (len(code) == 5 and code.isdigit()):
        msg = f"county={county!r}: give the 5-digit county FIPS code (state + county), e.g. '13121'"
        raise DataSourceError(msg)
    census = _census(root, code, None if tracts is None else Path(tracts))
    return assemble_us_region(**census, stores_beyond=stores, name=name or f"county {code}")


#: Store rules of :func:`allegheny_region`.
STORE_RULES = ("atlas", "banners", "licence")


def snap_supermarkets_near(
    snap: gpd.GeoDataFrame, areas: gpd.GeoDataFrame, *, within_m: float
) -> gpd.GeoDataFrame:
    """The supermarkets of a SNAP retailer frame that lie within ``within_m`` of ``areas``.

    The Atlas measures distance to the nearest supermarket wherever it is, so tracts near a
    county line are served by stores across it; a statewide SNAP list gives those. Distances
    are measured in the areas' local UTM zone, after a cheap test against the areas' bounds
    (so that far points are never projected into it).
    """
    sup = snap[snap["kind"].eq("supermarket").to_numpy()]
    if within_m <= 0 or sup.empty:
        return sup.iloc[:0].reset_index(drop=True)
    utm = utm_crs(areas)
    a = areas.to_crs(utm)
    box = gpd.GeoSeries([shapely.box(*a.total_bounds).buffer(within_m * 1.5)], crs=utm)
    box_wgs = box.to_crs("EPSG:4326").iloc[0]
    sup = sup[sup.to_crs("EPSG:4326").within(box_wgs).to_numpy()]
    dist = sup.to_crs(utm).distance(shapely.union_all(a.geometry.to_numpy())).to_numpy()
    out = sup[dist <= within_m].reset_index(drop=True)
    out.attrs = dict(snap.attrs)
    out.attrs["notes"] = [
        *snap.attrs.get("notes", []),
        f"{len(out)} supermarket(s) within {within_m:,.0f} m of the areas kept",
    ]
    return out


def allegheny_region(
    shared_dir: str | os.PathLike[str] | None = None,
    *,
    store_rules: str = "atlas",
    within_mi: float = 10.0,
    rural_within_mi: float = 20.0,
) -> Region:
    """Allegheny County, PA (Pittsburgh) from the public data: 402 tracts (400 in the Atlas).

    Stores, de-duplicated in this order of trust: the WPRDC supermarket list, the Health Dept.
    list (supermarkets and convenience stores), the USDA SNAP retailers of the county, both
    farmers-market lists, and the statewide SNAP list's supermarkets beyond the county line
    (within ``within_mi`` of the county's tracts, ``rural_within_mi`` of a rural one). Each
    is classified by :func:`~equity.store_classes.classify_stores` (these SNAP files have no
    store type: banners and names decide). Sites: Grow Pittsburgh gardens and farms, Greater
    Pittsburgh Community Food Bank sites (pantry). ``snap_households`` is ACS (2020 tract
    ids, joined where they match).

    Parameters
    ----------
    shared_dir
        The public data folder (default ``$FOODSHED_SHARED_DATA``).
    store_rules
        ``"atlas"`` (default): supermarkets are the stores whose banner makes them one (SNAP
        retailers and list rows, in the county and beyond its line) and the rows of the
        WPRDC supermarket list, a list published as the county's supermarkets, whose kind
        it states (:func:`~equity.store_classes.classify_stores`, rule ``list``, after any
        banner). The Health Dept. list's licence class "Supermarket" is a column of a mixed
        licence list, not a list of supermarkets, so it does not make one
        (``read_store_list(trust_category=False)``); that list's banner supermarkets are left
        out, since they are on the other lists at better coordinates
        (``provenance["achd_supermarkets_left_out"]``). ``"banners"``: the same without the
        WPRDC list's own kind (a supermarket only by banner). ``"licence"``: the earlier list,
        which trusts the licence class, puts the Health Dept. list first and has no stores
        beyond the line.
    within_mi, rural_within_mi
        How far beyond the county line statewide supermarkets are kept (10 and 20 miles, the
        Atlas's farthest distances; 0 for none).
    """
    if store_rules not in STORE_RULES:
        msg = f"store_rules={store_rules!r}; use one of {STORE_RULES}"
        raise ConfigError(msg)
    if not (0 <= within_mi <= 20 and 0 <= rural_within_mi <= 20):
        msg = (
            f"within_mi={within_mi!r}, rural_within_mi={rural_within_mi!r}: use 0 to 20 miles "
            "(a Region keeps points outside every area only within 20 miles)"
        )
        raise ConfigError(msg)
    atlas_rules = store_rules != "licence"
    root = shared_data_dir(shared_dir)
    d = root / "pittsburgh_allegheny"
    census = _census(root, "42003", d / "tracts_2010" / "tl_2010_42003_tract10.shp")
    achd = read_store_list(
        d / "achd_convenience_and_supermarkets.csv",
        kind="achd",
        trust_category=not atlas_rules,
        state="PA",
    )
    wprdc = read_store_list(
        d / "wprdc_allegheny_supermarkets.csv",
        kind="wprdc",
        trust_category=store_rules != "banners",
        state="PA",
    )
    prov: dict[str, Any] = {
        "store_rules": store_rules,
        "within_mi": within_mi if atlas_rules else 0.0,
        "rural_within_mi": rural_within_mi if atlas_rules else 0.0,
    }
    if atlas_rules:
        # The licence list's banner supermarkets are on the WPRDC and SNAP lists too, and
        # there at better coordinates (42 of them lie 150 m to 3 km from the same store on
        # the SNAP list, several at closed stores): supermarkets come from those lists.
        chains = achd["kind_rule"].eq("banner").to_numpy()
        prov["achd_supermarkets_left_out"] = int(chains.sum())
        achd = achd[~chains].reset_index(drop=True)
    lists = [wprdc, achd] if atlas_rules else [achd, wprdc]
    lists.append(read_snap_retailers(d / "usda_snap_store_locations_allegheny.csv", state="PA"))
    stores = dedupe_stores(
        *lists,
        read_store_list(
            d / "allegheny_farmers_markets_2019.csv", kind="farmers_market", prefix="fm2019"
        ),
        read_store_list(d / "cfp_FMNP_farmers_markets.csv", kind="farmers_market", prefix="fmnp"),
    )
    stores.attrs["source"] = str(d)
    beyond = None
    if atlas_rules and max(within_mi, rural_within_mi) > 0:
        state = read_snap_retailers(
            d / "usda_snap_retailers_pennsylvania_statewide.csv", prefix="snappa"
        )
        beyond = state[state["kind"].eq("supermarket").to_numpy()].reset_index(drop=True)
        beyond.attrs = dict(state.attrs)
    sites = pd.concat(
        [
            read_site_list(d / "growpgh_garden_directory_20210322.csv", kind="growpgh"),
            read_site_list(
                d / "cfp_greater_pittsburgh_community_food_bank_sites.csv", kind="food_bank"
            ),
        ],
        ignore_index=True,
    )
    sites.attrs = {"source": str(d)}
    return assemble_us_region(
        **census,
        stores=stores,
        sites=sites,
        acs_snap=read_acs_snap(d / "acs_snap_households_by_tract_allegheny.csv"),
        stores_beyond=beyond,
        beyond_within_mi=within_mi,
        beyond_rural_within_mi=rural_within_mi,
        name="Allegheny County, PA",
        provenance={**prov, "stores_dedupe": "; ".join(stores.attrs.get("notes", []))},
    )


#: Store lists of :func:`chicago_region`.
CHICAGO_STORE_LISTS = ("2020s", "2013")


def chicago_region(
    shared_dir: str | os.PathLike[str] | None = None, *, store_lists: str = "2020s"
) -> Region:
    """The City of Chicago from the public data: 801 tracts (797 in the Atlas).

    Stores (``store_lists="2020s"``, the default), de-duplicated in this order of trust and
    classified from all their evidence (:func:`~equity.store_classes.classify_stores`):

    1. the city's "Grocery Store Status" list of June 2020 (264 stores, the list nearest the
       Atlas's 2019 store year; names only: banners and names decide, else grocery);
    2. the USDA SNAP retailers of ~Feb 2024 (1,826, with the 2020s store types: Supermarket and
       Super Store count; Grocery Store only with a banner, a size or the 2020 list);
    3. the city's 2013 grocery list as evidence only: its floor areas join the stores above
       that it also lists (a 2013 store on neither later list is taken as closed before 2019,
       and left out).

    ``store_lists="2013"``: the 2013 list alone (supermarket at 10,000 sq ft or a banner).
    All three lists cover the city only: tracts at the city limits miss suburban stores.
    Sites: NeighborSpace community gardens (2012).
    """
    if store_lists not in CHICAGO_STORE_LISTS:
        msg = f"store_lists={store_lists!r}; use one of {CHICAGO_STORE_LISTS}"
        raise ConfigError(msg)
    root = shared_data_dir(shared_dir)
    d = root / "chicago_cook"
    census = _census(root, "17031", d / "tracts_2010" / "chicago_census_tracts_2010.shp")
    c2013 = read_store_list(
        d / "chicago_grocery_stores_2013.csv", kind="chicago_grocery", state="IL"
    )
    prov: dict[str, Any] = {"store_lists": store_lists}
    if store_lists == "2013":
        stores = c2013
    else:
        d2 = root / "chicago_grocery_2020s"
        c2020 = read_store_list(
            d2 / "chicago_grocery_store_status_2020.csv",
            kind="chicago_grocery_status",
            state="IL",
            prefix="chicago2020",
        )
        snap = read_snap_retailers(d2 / "usda_snap_retailers_chicago_2024.csv", prefix="snap2024")
        merged = dedupe_stores(c2020, snap, c2013)
        only_2013 = merged["sources"].eq(str(c2013["source"].iloc[0])).to_numpy()
        prov["stores_2013_only_left_out"] = int(only_2013.sum())
        prov["stores_dedupe"] = "; ".join(merged.attrs.get("notes", []))
        stores = merged[~only_2013].reset_index(drop=True)
        stores.attrs = {**merged.attrs, "source": f"{d2};{d}"}
    return assemble_us_region(
        **census,
        stores=stores,
        sites=read_site_list(d / "neighborspace_gardens_2012.geojson", kind="neighborspace"),
        name="Chicago, IL",
        provenance=prov,
    )

"""The USDA Food Access Research Atlas classification, from your own tracts and store list.

Output columns carry the Atlas names (``LowIncomeTracts``, ``lapop1``, ``LA1and10``,
``LILATracts_halfAnd10``, ...) so results compare column by column with the published Atlas.

The Atlas method (ERS documentation of the 2019 data):

- **Low income**: poverty rate >= 20%, or median family income <= 80% of the state median, or,
  for tracts in metropolitan areas, <= 80% of the greater of the state and metro medians.
- **Low access at distance d**: at least 500 people, or at least 33% of the tract's people, live
  more than d from the nearest supermarket (supermarkets, supercenters and large grocery stores).
  People are placed on a 0.5 km grid; here that is :func:`equity.access.population_points`.
- Urban tracts are measured at 1/2 or 1 mile, rural tracts at 10 or 20 miles.
- **Vehicle**: at least 100 households without a vehicle live beyond 1/2 mile (``HUNVFlag``), or
  (rural) the 20-mile rule holds.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from ._errors import Problem, ValidationError
from .access import M_PER_MILE, nearest_distance, population_points

__all__ = [
    "ATLAS_DISTANCES_MI",
    "ATLAS_STORE_KINDS",
    "URBAN_DENSITY_PER_KM2",
    "atlas_classify",
    "low_income_tracts",
    "urban_flag",
]

#: Store kinds the Atlas counts as a "supermarket" (supermarkets, supercenters, large grocery).
ATLAS_STORE_KINDS: tuple[str, ...] = ("supermarket",)

#: Atlas distances in miles, and the suffix of their column names.
ATLAS_DISTANCES_MI: dict[str, float] = {"half": 0.5, "1": 1.0, "10": 10.0, "20": 20.0}

#: Density rule for urban/rural when the data does not say: 500 people per square mile (193 per
#: km^2), the Census threshold for territory added to an urban area.
URBAN_DENSITY_PER_KM2 = 500 / 2.589988


def urban_flag(
    areas: gpd.GeoDataFrame,
    *,
    urban_col: str = "urban",
    density_per_km2: float = URBAN_DENSITY_PER_KM2,
) -> tuple[pd.Series, str]:
    """Urban (True) or rural per area, and where the answer came from.

    Uses ``urban_col`` where it is given; otherwise (or where it is missing) the density rule:
    population per km^2 of polygon area at least ``density_per_km2``.
    """
    km2 = areas.geometry.area.to_numpy() / 1e6
    pop = pd.to_numeric(areas["population"], errors="coerce").fillna(0).to_numpy()
    dense = pd.Series(pop / np.where(km2 > 0, km2, np.nan) >= density_per_km2, index=areas.index)
    if urban_col in areas.columns:
        given = areas[urban_col]
        if given.notna().all():
            return given.astype(bool), "data"
        out = given.astype("boolean").fillna(dense).astype(bool)
        return out, "data, density rule where missing"
    return dense, f"density rule (>= {density_per_km2:.0f} people per km^2)"


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    ok = np.isfinite(values) & np.isfinite(weights) & (weights > 0)
    v, w = values[ok], weights[ok]
    if not len(v):
        return float("nan")
    order = np.argsort(v)
    cw = np.cumsum(w[order])
    return float(v[order][np.searchsorted(cw, cw[-1] / 2)])


def low_income_tracts(
    areas: pd.DataFrame,
    *,
    state_median_income: float | None = None,
    metro_median_income: float | None = None,
    metro_col: str = "metro",
    poverty_col: str = "poverty_rate",
    income_col: str = "median_family_income",
) -> tuple[pd.Series, dict[str, object]]:
    """The Atlas ``LowIncomeTracts`` flag, and the reference medians used.

    ``poverty_rate`` is a 0-1 share. ``state_median_income`` falls back to the
    population-weighted median of the areas' median family incomes (a stand-in: pass the ACS
    state figure for an exact Atlas match). Tracts count as metropolitan where ``metro_col`` is
    true; without that column, every tract is metropolitan when ``metro_median_income`` is given
    and none otherwise. Where neither poverty nor income is known, a ``low_income`` column is
    used if present, else the tract is not low income.
    """
    info: dict[str, object] = {}
    n = len(areas)
    pov = (
        pd.to_numeric(areas[poverty_col], errors="coerce")
        if poverty_col in areas.columns
        else pd.Series(np.nan, index=areas.index)
    )
    mfi = (
        pd.to_numeric(areas[income_col], errors="coerce")
        if income_col in areas.columns
        else pd.Series(np.nan, index=areas.index)
    )
    mfi = mfi.where(mfi > 0)  # 0 is how many sources write "not computed" (no families)
    if state_median_income is None:
        pop = pd.to_numeric(areas.get("population", pd.Series(1.0, index=areas.index)))
        state_median_income = _weighted_median(mfi.to_numpy(float), pop.to_numpy(float))
        info["state_median_income_source"] = "population-weighted median of the areas' incomes"
    else:
        info["state_median_income_source"] = "given"
    info["state_median_income"] = state_median_income
    info["metro_median_income"] = metro_median_income
    if metro_col in areas.columns:
        metro = areas[metro_col].astype("boolean").fillna(False).astype(bool).to_numpy()
    else:
        metro = np.full(n, metro_median_income is not None)
    ref = np.full(n, float(state_median_income))
    if metro_median_income is not None:
        ref = np.where(metro, max(float(state_median_income), float(metro_median_income)), ref)
    by_pov = (pov >= 0.20).to_numpy()
    by_inc = (mfi.to_numpy(float) <= 0.8 * ref) & np.isfinite(mfi.to_numpy(float))
    li = by_pov | by_inc
    unknown = pov.isna().to_numpy() & mfi.isna().to_numpy()
    if unknown.any() and "low_income" in areas.columns:
        given = areas["low_income"].astype("boolean").fillna(False).astype(bool).to_numpy()
        li = np.where(unknown, given, li)
    return pd.Series(li, index=areas.index, name="LowIncomeTracts"), info


def atlas_classify(
    areas: gpd.GeoDataFrame,
    stores: gpd.GeoDataFrame,
    *,
    points: gpd.GeoDataFrame | None = None,
    population_method: str = "auto",
    cell_m: float = 500.0,
    kinds: Sequence[str] = ATLAS_STORE_KINDS,
    kind_col: str = "kind",
    urban_col: str = "urban",
    urban_density_per_km2: float = URBAN_DENSITY_PER_KM2,
    state_median_income: float | None = None,
    metro_median_income: float | None = None,
    min_people: float = 500.0,
    min_share: float = 0.33,
    min_households_no_vehicle: float = 100.0,
    placed: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Classify every area as the USDA Food Access Research Atlas does.

    Parameters
    ----------
    areas
        Tracts in a metric CRS with ``area_id``, ``population`` and, for the low-income flag,
        ``poverty_rate`` (0-1) and/or ``median_family_income``; ``households_no_vehicle`` for
        the vehicle measure; ``urban`` (else a density rule); ``low_income_population`` for
        the ``lalowi*`` counts.
    stores
        Stores with a ``kind`` column; those of ``kinds`` count as supermarkets.
    points
        Sub-area population points (:attr:`equity.Region.population_points`).
    population_method
        How people are placed within tracts; see :func:`equity.access.population_points`.
    state_median_income, metro_median_income
        Reference incomes for ``LowIncomeTracts``; see :func:`low_income_tracts`.
    min_people, min_share, min_households_no_vehicle
        The Atlas thresholds (500 people, 33%, 100 households).
    placed
        People already placed by :func:`equity.access.population_points` (``points``,
        ``population_method`` and ``cell_m`` are then not used).

    Returns
    -------
    DataFrame
        Indexed like ``areas``: ``area_id``, ``Urban``, ``LowIncomeTracts``, ``lapop*``,
        ``lapop*share``, ``lahunv*`` (and shares), ``lalowi*`` where possible, the LA and LILA
        flags (booleans) and ``pop_method`` (how each tract's people were placed).
        ``attrs`` records the method, reference medians, urban source and store count.

    Notes
    -----
    With no supermarket at all, every distance is infinite and every populated tract is low
    access: that is the documented answer, not an error.
    """
    if "area_id" not in areas.columns or "population" not in areas.columns:
        msg = "`areas` needs columns 'area_id' and 'population' for the Atlas classification"
        raise ValidationError([Problem("areas", msg)])
    if kind_col not in stores.columns:
        found = sorted(map(str, stores.columns))
        msg = f"`stores` is missing column '{kind_col}'; found {found}. Pass `kind_col=`."
        raise ValidationError([Problem("stores", msg, column=kind_col)])
    pts = (
        placed
        if placed is not None
        else population_points(areas, points, method=population_method, cell_m=cell_m)
    )
    sup = stores[stores[kind_col].astype(str).isin(list(kinds))]
    dist, _ = nearest_distance(pts, sup)
    ids = areas["area_id"].astype(str).to_numpy()
    out = pd.DataFrame({"area_id": ids}, index=areas.index)
    urban, urban_source = urban_flag(
        areas, urban_col=urban_col, density_per_km2=urban_density_per_km2
    )
    out["Urban"] = urban.to_numpy()
    li, info = low_income_tracts(
        areas, state_median_income=state_median_income, metro_median_income=metro_median_income
    )
    out["LowIncomeTracts"] = li.to_numpy()

    pop_total = pd.to_numeric(areas["population"], errors="coerce").fillna(0).to_numpy()
    has_hunv = "households_no_vehicle" in pts.columns
    has_lowi = "low_income_population" in pts.columns
    hunv_total = (
        pd.to_numeric(areas["households_no_vehicle"], errors="coerce").fillna(0).to_numpy()
        if has_hunv
        else np.zeros(len(areas))
    )

    def beyond(col: str, miles: float) -> np.ndarray:
        far = dist > miles * M_PER_MILE
        s = (
            pd.Series(np.where(far, pts[col].to_numpy(float), 0.0))
            .groupby(pts["area_id"].to_numpy())
            .sum()
        )
        return s.reindex(ids).fillna(0).to_numpy()

    la: dict[str, np.ndarray] = {}
    for tag, miles in ATLAS_DISTANCES_MI.items():
        lapop = beyond("population", miles)
        share = np.divide(lapop, pop_total, out=np.zeros_like(lapop), where=pop_total > 0)
        out[f"lapop{tag}"] = lapop
        out[f"lapop{tag}share"] = share
        if has_lowi:
            out[f"lalowi{tag}"] = beyond("low_income_population", miles)
        if has_hunv:
            lahunv = beyond("households_no_vehicle", miles)
            out[f"lahunv{tag}"] = lahunv
            out[f"lahunv{tag}share"] = np.divide(
                lahunv, hunv_total, out=np.zeros_like(lahunv), where=hunv_total > 0
            )
        la[tag] = (pop_total > 0) & ((lapop >= min_people) | (share >= min_share))

    u = out["Urban"].to_numpy(bool)
    out["LATracts_half"] = la["half"]
    out["LATracts1"] = la["1"]
    out["LATracts10"] = la["10"]
    out["LATracts20"] = la["20"]
    out["LAhalfand10"] = np.where(u, la["half"], la["10"])
    out["LA1and10"] = np.where(u, la["1"], la["10"])
    out["LA1and20"] = np.where(u, la["1"], la["20"])
    if has_hunv:
        out["HUNVFlag"] = out["lahunvhalf"].to_numpy() >= min_households_no_vehicle
        out["LATractsVehicle_20"] = out["HUNVFlag"].to_numpy() | (~u & la["20"])
    lit = out["LowIncomeTracts"].to_numpy(bool)
    out["LILATracts_1And10"] = lit & out["LA1and10"].to_numpy(bool)
    out["LILATracts_halfAnd10"] = lit & out["LAhalfand10"].to_numpy(bool)
    out["LILATracts_1And20"] = lit & out["LA1and20"].to_numpy(bool)
    if has_hunv:
        out["LILATracts_Vehicle"] = lit & out["LATractsVehicle_20"].to_numpy(bool)
    methods = pts.groupby("area_id")["method"].first()
    out["pop_method"] = methods.reindex(ids).fillna("none").to_numpy()
    out.attrs.update(
        {
            "population_method": pts.attrs.get("method", population_method),
            "urban_source": urban_source,
            "supermarkets": len(sup),
            "store_kinds": list(kinds),
            **info,
        }
    )
    return out

"""Every access and equity measure for a :class:`~equity.Region`, in one frame.

:func:`analyze` returns the areas with distances, counts, the Atlas flags, 2SFCA / E2SFCA /
gravity access, mRFEI and the need index; :func:`summarize` counts the people in food deserts by
measure; :func:`inequality_summary` gives the inequality of one measure across areas.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from ._errors import NO_STORES, ConfigError
from .access import M_PER_MILE, POPULATION_METHODS, access_table, population_points
from .atlas import ATLAS_STORE_KINDS, atlas_classify, declared_reference_income
from .catalogue import FOOD_DESERT_MEASURES
from .contracts import STORE_KINDS
from .fca import enhanced_two_step_fca, gravity_access, two_step_fca
from .inequality import (
    atkinson,
    concentration_index,
    disparity_ratios,
    gini,
    palma_ratio,
    theil,
    theil_decomposition,
)
from .mrfei import HEALTHY_KINDS, LESS_HEALTHY_KINDS, mrfei
from .need import need_index
from .region import APPROXIMATE_AREAS, Region

__all__ = ["FOOD_DESERT_MEASURES", "analyze", "inequality_summary", "summarize"]


def _kinds(name: str, value: Sequence[str] | str, problems: list[str]) -> tuple[str, ...]:
    """``value`` as a tuple of store kinds (one kind given as text is that kind); an unknown
    kind is a problem (it would silently match no store)."""
    kinds = (value,) if isinstance(value, str) else tuple(value)
    unknown = [k for k in kinds if k not in STORE_KINDS]
    if unknown:
        problems.append(f"{name}: unknown store kind(s) {unknown}; use {list(STORE_KINDS)}")
    return kinds


def _check_options(
    *,
    population_method: str,
    supermarket_kinds: Sequence[str] | str,
    radii_mi: Sequence[float],
    catchment_mi: float,
    gravity_beta: float,
    healthy: Sequence[str] | str,
    less_healthy: Sequence[str] | str,
    need_weights: Mapping[str, float] | None,
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Every problem with :func:`analyze`'s options at once (a :class:`ConfigError`), before
    any work: an unknown kind or a negative radius would give infinite or empty columns."""
    problems: list[str] = []
    if population_method not in POPULATION_METHODS:
        problems.append(
            f"population_method={population_method!r}; use one of {list(POPULATION_METHODS)}"
        )
    kinds = _kinds("supermarket_kinds", supermarket_kinds, problems)
    if not kinds:
        problems.append("supermarket_kinds is empty; give at least one kind, e.g. 'supermarket'")
    good = _kinds("healthy", healthy, problems)
    bad = _kinds("less_healthy", less_healthy, problems)

    def positive(name: str, v: object, *, zero: bool = False) -> None:
        ok = isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v)
        if not ok or v < 0 or (v == 0 and not zero):  # type: ignore[operator]
            what = "a finite number >= 0" if zero else "a finite number > 0"
            problems.append(f"{name} must be {what}; got {v!r}")

    for r in radii_mi:
        positive("radii_mi", r)
    positive("catchment_mi", catchment_mi)
    positive("gravity_beta", gravity_beta, zero=True)
    for k, w in (need_weights or {}).items():
        positive(f"need_weights[{k!r}]", w, zero=True)
    if problems:
        raise ConfigError("analyze(): " + "; ".join(problems))
    return kinds, good, bad


def analyze(
    region: Region,
    *,
    population_method: str = "auto",
    supermarket_kinds: Sequence[str] = ATLAS_STORE_KINDS,
    radii_mi: Sequence[float] = (1.0, 10.0),
    catchment_mi: float = 2.0,
    gravity_beta: float = 1.0,
    healthy: Sequence[str] = HEALTHY_KINDS,
    less_healthy: Sequence[str] = LESS_HEALTHY_KINDS,
    need_weights: Mapping[str, float] | None = None,
    edition: str = "2019",
    use_published: bool = True,
    state_median_income: float | None = None,
    metro_median_income: float | None = None,
    population_blocks: gpd.GeoDataFrame | None = None,
    block_population_col: str = "population",
) -> gpd.GeoDataFrame:
    """The region's areas with every access and equity measure as columns.

    Columns added: ``dist_<kind>_m``/``_mi`` (population-weighted mean distance to the nearest
    store of each kind present, plus ``supermarket`` as the Atlas counts it) and
    ``n_<kind>_<r>mi``; the Atlas columns of :func:`equity.atlas.atlas_classify`;
    ``fca2_per_1000``, ``e2sfca_per_1000`` and ``gravity_per_1000`` (supermarkets per 1,000
    people within ``catchment_mi``); ``mrfei`` with its counts; the need index and its
    components. ``edition``, ``use_published`` and the reference incomes decide
    ``LowIncomeTracts`` as :func:`equity.atlas.low_income_tracts` describes; where each answer
    came from is in ``LowIncomeTracts_source`` and ``attrs["low_income_source"]``. A region whose
    provenance declares ``area_median_family_income`` uses it as ``state_median_income``.
    ``attrs`` records the population method, medians and weights used, and
    ``data_warnings`` the region's warnings that these measures rest on (a region without
    stores: every area is low access; a region whose polygons were drawn from points by
    :func:`equity.sources.tracts_from_points`, where ``population_method="auto"`` places
    people at the block-group centres, ``"points"``). An input
    column that has a measure's name (for example the published Atlas flags joined for
    comparison) is kept as ``<name>_input`` (listed in ``attrs["renamed_input_columns"]``).

    ``population_blocks`` (polygons with a count of people in ``block_population_col``, such
    as 2010 Census blocks and their ``POP10``) places the people of the tracts that hold them
    as the Atlas does, on the 0.5 km grid filled from the blocks, whatever
    ``population_method`` says; other tracts keep ``population_method``. See
    :func:`equity.access.population_points`; ``pop_method`` says how each tract was placed.

    A region without supermarkets gets infinite distances, every populated tract low access
    and zero 2SFCA: documented results, not errors.
    """
    supermarket_kinds, healthy, less_healthy = _check_options(
        population_method=population_method,
        supermarket_kinds=supermarket_kinds,
        radii_mi=radii_mi,
        catchment_mi=catchment_mi,
        gravity_beta=gravity_beta,
        healthy=healthy,
        less_healthy=less_healthy,
        need_weights=need_weights,
    )
    areas = region.areas
    if state_median_income is None:  # a region that declares its reference income (the demo)
        state_median_income = declared_reference_income(region.provenance)
    stores = region.stores.copy()
    sup_mask = stores["kind"].astype(str).isin(list(supermarket_kinds))
    warned = [p.message for p in region.problems if p.code == NO_STORES]
    drawn = region.provenance.get(APPROXIMATE_AREAS)
    if drawn:  # polygons drawn from points: place people at the points, and say so
        if population_method == "auto" and region.population_points is not None:
            population_method = "points"
        warned.append(
            f"the areas are not tract boundaries ({drawn}): people placed by "
            f"population_method={population_method!r}"
            + (
                ", the only method that does not spread people over the stand-in polygons"
                if population_method == "points"
                else "; only 'points' (block-group centres) does not rest on the polygons"
            )
            + "; the mRFEI and the maps use the stand-in polygons"
        )
    pts = population_points(
        areas,
        region.population_points,
        method=population_method,
        population_blocks=population_blocks,
        block_population_col=block_population_col,
    )
    kinds = sorted(set(stores["kind"].dropna().astype(str)))
    acc = access_table(areas, stores, kinds=kinds, points=pts, radii_mi=radii_mi)
    sup = stores[sup_mask].assign(kind="supermarket")
    acc_sup = access_table(areas, sup, kinds=["supermarket"], points=pts, radii_mi=radii_mi)
    acc = acc.drop(columns=[c for c in acc.columns if c in acc_sup.columns and c != "area_id"])
    new: dict[str, np.ndarray] = {}
    for frame in (acc.drop(columns="area_id"), acc_sup.drop(columns="area_id")):
        for c in frame.columns:
            new[c] = frame[c].to_numpy()

    atlas = atlas_classify(
        areas,
        stores,
        placed=pts,
        kinds=supermarket_kinds,
        edition=edition,
        use_published=use_published,
        state_median_income=state_median_income,
        metro_median_income=metro_median_income,
    )
    for c in atlas.columns:
        if c != "area_id":
            new[c] = atlas[c].to_numpy()

    reach = catchment_mi * M_PER_MILE
    new["fca2_per_1000"] = 1000 * two_step_fca(areas, sup, catchment_m=reach).to_numpy()
    new["e2sfca_per_1000"] = 1000 * enhanced_two_step_fca(areas, sup, catchment_m=reach).to_numpy()
    new["gravity_per_1000"] = (
        1000 * gravity_access(areas, sup, max_distance_m=reach, beta=gravity_beta).to_numpy()
    )
    mr = mrfei(areas, stores, healthy=healthy, less_healthy=less_healthy)
    for c in mr.columns:
        new[c] = mr[c].to_numpy()
    ours = pd.DataFrame(new, index=areas.index)
    need = need_index(
        pd.concat([areas.drop(columns=[c for c in new if c in areas.columns]), ours], axis=1),
        weights=need_weights,
    )
    for c in need.columns:
        new[c] = need[c].to_numpy()

    # An input column with a measure's name (say the published Atlas flags, joined for
    # comparison) is kept as `<name>_input`, never overwritten.
    kept = {c: f"{c}_input" for c in new if c in areas.columns}
    base = areas.rename(columns=kept)
    out = gpd.GeoDataFrame(
        pd.concat([base, pd.DataFrame(new, index=areas.index)], axis=1),
        geometry=base.geometry.name,
        crs=areas.crs,
    )
    out.attrs = {
        "region": region.name,
        "renamed_input_columns": kept,
        "population_method": pts.attrs.get("method"),
        "catchment_mi": catchment_mi,
        "need_weights": need.attrs.get("weights", {}),
        **{k: v for k, v in atlas.attrs.items() if k != "population_method"},
        # the region's warnings that change these measures (no stores: all low access;
        # stand-in polygons drawn from points)
        "data_warnings": warned,
    }
    return out


#: For each low-access measure, the Atlas distances (urban, rural) whose ``lapop`` counts apply.
_BEYOND: dict[str, tuple[str, str]] = {
    "LILATracts_1And10": ("1", "10"),
    "LILATracts_halfAnd10": ("half", "10"),
    "LILATracts_1And20": ("1", "20"),
    "LA1and10": ("1", "10"),
    "LAhalfand10": ("half", "10"),
    "LA1and20": ("1", "20"),
}


def summarize(
    areas: pd.DataFrame,
    *,
    measures: Sequence[str] = FOOD_DESERT_MEASURES,
    population_col: str = "population",
    by: str | None = None,
) -> pd.DataFrame:
    """People in food deserts by measure (and by group, with ``by``).

    One row per flag present in ``areas``: ``areas`` flagged, their ``population`` and its
    ``population_share`` of the total (the Atlas convention: everyone in a flagged tract),
    ``low_income_tract_population`` (of those, the people in low-income tracts), and
    ``people_beyond`` (for the distance measures: the people in flagged tracts who actually
    live beyond the distance, from ``lapop*``). With ``by`` (a column of ``areas``, such as
    ``Urban`` or a neighbourhood), the rows repeat for each group, named in a ``group`` column,
    after the rows for all areas (``group`` = ``"all"``); shares are within the group.
    ``attrs["low_income_source"]`` repeats the areas' line saying where ``LowIncomeTracts``
    came from.
    """
    if by is not None:
        if by not in areas.columns:
            msg = f"summarize(by={by!r}): no such column; found {sorted(map(str, areas.columns))}"
            raise ValueError(msg)
        parts = [summarize(areas, measures=measures, population_col=population_col)]
        parts[0].insert(0, "group", "all")
        for label, sub in areas.groupby(by, sort=True, dropna=False):
            part = summarize(sub, measures=measures, population_col=population_col)
            part.insert(0, "group", f"{by}={label}")
            parts.append(part)
        both = pd.concat(parts, ignore_index=True)
        both.attrs = dict(parts[0].attrs)
        return both
    pop = pd.to_numeric(areas[population_col], errors="coerce").fillna(0)
    total = float(pop.sum())
    li = (
        areas["LowIncomeTracts"].astype(bool)
        if "LowIncomeTracts" in areas.columns
        else pd.Series(False, index=areas.index)
    )
    urban = (
        areas["Urban"]
        if "Urban" in areas.columns
        else areas.get("urban", pd.Series(True, index=areas.index))
    )
    urban = urban.astype("boolean").fillna(True).astype(bool)
    rows = []
    for m in measures:
        if m not in areas.columns:
            continue
        flag = areas[m].astype("boolean").fillna(False).astype(bool)
        beyond = np.nan
        if m in _BEYOND:
            u, r = (f"lapop{t}" for t in _BEYOND[m])
            if u in areas.columns and r in areas.columns:
                people = np.where(urban, areas[u], areas[r])
                beyond = float(np.asarray(people, dtype=float)[flag.to_numpy()].sum())
        rows.append(
            {
                "measure": m,
                "areas": int(flag.sum()),
                "population": float(pop[flag].sum()),
                "population_share": float(pop[flag].sum() / total) if total > 0 else np.nan,
                "low_income_tract_population": float(pop[flag & li].sum()),
                "people_beyond": beyond,
            }
        )
    out = pd.DataFrame(
        rows,
        columns=[
            "measure",
            "areas",
            "population",
            "population_share",
            "low_income_tract_population",
            "people_beyond",
        ],
    )
    if "low_income_source" in areas.attrs:  # where LowIncomeTracts came from
        out.attrs["low_income_source"] = areas.attrs["low_income_source"]
    return out


def inequality_summary(
    areas: pd.DataFrame,
    *,
    value_col: str = "dist_supermarket_mi",
    population_col: str = "population",
    group_col: str | None = "LILATracts_1And10",
    income_col: str | None = "median_family_income",
    epsilons: Sequence[float] = (0.5, 1.0, 2.0),
) -> pd.DataFrame:
    """Population-weighted inequality of ``value_col`` across areas, as ``measure``/``value`` rows.

    Areas whose value is not finite (no store of that kind anywhere) or whose population is 0 are
    left out; the ``areas_used`` row says how many were used. Atkinson values that are undefined
    (a zero value with epsilon >= 1) are NaN. The concentration index ranks areas by
    ``income_col`` (negative: the value concentrates in poorer areas); disparity rows compare
    ``group_col`` groups with the largest group.
    """
    x = pd.to_numeric(areas[value_col], errors="coerce").to_numpy(float)
    w = pd.to_numeric(areas[population_col], errors="coerce").fillna(0).to_numpy(float)
    ok = np.isfinite(x) & (w > 0) & (x >= 0)
    rows: list[tuple[str, float]] = [("areas_used", float(ok.sum()))]
    if ok.sum() == 0:
        return pd.DataFrame(rows, columns=["measure", "value"])
    xv, wv = x[ok], w[ok]
    rows += [
        ("mean", float(np.average(xv, weights=wv))),
        ("gini", gini(xv, wv)),
        ("theil", theil(xv, wv)),
        ("palma", palma_ratio(xv, wv)),
    ]
    for e in epsilons:
        try:
            rows.append((f"atkinson_{e:g}", atkinson(xv, e, wv)))
        except ValueError:
            rows.append((f"atkinson_{e:g}", float("nan")))
    if income_col and income_col in areas.columns:
        inc = pd.to_numeric(areas[income_col], errors="coerce").to_numpy(float)[ok]
        have = np.isfinite(inc) & (inc > 0)
        if have.sum() > 1:
            rows.append(("concentration_index", concentration_index(xv[have], inc[have], wv[have])))
    if group_col and group_col in areas.columns:
        g = areas[group_col].to_numpy()[ok]
        dec = theil_decomposition(xv, g, wv)
        rows += [("theil_between", dec["between"]), ("theil_within", dec["within"])]
        disp = disparity_ratios(xv, g, wv)
        for label, r in disp.iterrows():
            rows.append((f"mean[{group_col}={label}]", float(r["mean"])))
            rows.append((f"ratio[{group_col}={label}]", float(r["ratio"])))
    return pd.DataFrame(rows, columns=["measure", "value"])

"""The USDA Food Access Research Atlas classification, from your own tracts and store list.

Output columns carry the Atlas names (``LowIncomeTracts``, ``lapop1``, ``LA1and10``,
``LILATracts_halfAnd10``, ...) so results compare column by column with the published Atlas.

The Atlas method (ERS documentation of the 2019 data):

- **Low income**: poverty rate >= 20%, or median family income <= 80% of the statewide median,
  or, for tracts in metropolitan areas, <= 80% of the greater of the statewide and metro medians
  (ACS 5-year B19113). The published flag is used where the areas carry it; otherwise the rule,
  with reference incomes looked up from the GEOID (:func:`low_income_tracts`).
- **Low access at distance d**: at least 500 people, or at least 33% of the tract's people, live
  more than d from the nearest supermarket (supermarkets, supercenters and large grocery stores).
  People are placed on a 0.5 km grid; here that is :func:`equity.access.population_points`.
- Urban tracts are measured at 1/2 or 1 mile, rural tracts at 10 or 20 miles.
- **Vehicle**: at least 100 households without a vehicle live beyond 1/2 mile (``HUNVFlag``), or
  (rural) the 20-mile rule holds.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

import geopandas as gpd
import numpy as np
import pandas as pd

from ._errors import Problem, ValidationError
from .access import M_PER_MILE, nearest_distance, population_points

__all__ = [
    "ATLAS_DISTANCES_MI",
    "ATLAS_EDITIONS",
    "ATLAS_STORE_KINDS",
    "LOW_INCOME_SOURCES",
    "URBAN_DENSITY_PER_KM2",
    "IncomeReferences",
    "LowIncomeStandInWarning",
    "atlas_classify",
    "declared_reference_income",
    "income_references",
    "low_income_tracts",
    "stand_in_incomes",
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


#: Atlas editions and the ACS 5-year vintage of their tract poverty and income data.
ATLAS_EDITIONS: dict[str, str] = {"2019": "ACS 2014-2018", "2015": "ACS 2010-2014"}

#: Where each tract's ``LowIncomeTracts`` came from (the ``LowIncomeTracts_source`` values).
LOW_INCOME_SOURCES: dict[str, str] = {
    "published": "the Atlas's published LowIncomeTracts carried by the areas",
    "reference": "the rule, with the reference incomes of the tract's state and metro",
    "given": "the rule, with a given reference income (passed, or declared by the region)",
    "stand-in": "the rule, with a STAND-IN reference (median of the region's own tract incomes)",
    "source flag": "the areas' own low_income flag (no poverty or income known)",
    "unknown": "not low income: no poverty, income or flag known",
}


class LowIncomeStandInWarning(UserWarning):
    """``LowIncomeTracts`` used a stand-in reference income, not the statewide/metro median."""


@dataclass(frozen=True)
class IncomeReferences:
    """Reference median family incomes of one Atlas edition, keyed by FIPS / CBSA code.

    ``county_cbsa`` maps every known county (5-digit FIPS) to its Metropolitan Statistical Area
    (CBSA code) or ``None`` outside any; ``state`` and ``metro`` map state FIPS and CBSA codes to
    the reference median family income; ``description`` says what the figures are.
    """

    edition: str
    state: dict[str, float]
    metro: dict[str, float]
    county_cbsa: dict[str, str | None]
    description: str


_REFERENCE_FILES: dict[str, tuple[str, str, str]] = {
    "2019": ("state_mfi_2019.csv", "metro_mfi_2019.csv", "counties_2019.csv"),
}
_REFERENCE_DESCRIPTION: dict[str, str] = {
    "2019": (
        "estimates of the ACS 2014-2018 B19113 medians from published Census figures: each "
        "state's five ACS 1-year medians 2014-2018 in 2018 dollars (CPI-U), averaged; each "
        "metropolitan area's published ACS 2011-2015 median (FFIEC) times its states' growth "
        "to 2014-2018 (OMB 2017 delineation): an approximation of the published 5-year figures"
    ),
}


def _check_edition(edition: str) -> str:
    edition = str(edition)
    if edition not in ATLAS_EDITIONS:
        msg = f"edition={edition!r} is not an Atlas edition; use one of {sorted(ATLAS_EDITIONS)}"
        raise ValueError(msg)
    return edition


@functools.lru_cache(maxsize=4)
def income_references(edition: str = "2019") -> IncomeReferences | None:
    """The reference incomes shipped for an Atlas ``edition``, or ``None`` if none are.

    Read lazily from ``equity/reference/`` (see its ``PROVENANCE.md``) on first use.
    """
    edition = _check_edition(edition)
    if edition not in _REFERENCE_FILES:
        return None
    base = resources.files("equity") / "reference"
    state_f, metro_f, county_f = _REFERENCE_FILES[edition]

    def read(name: str, *keys: str) -> pd.DataFrame:
        with (base / name).open("r", encoding="utf-8") as f:
            return pd.read_csv(f, dtype=dict.fromkeys(keys, str))

    st = read(state_f, "state_fips")
    me = read(metro_f, "cbsa")
    co = read(county_f, "county_fips", "cbsa")
    return IncomeReferences(
        edition=edition,
        state=dict(zip(st["state_fips"], st["median_family_income"].astype(float), strict=True)),
        metro=dict(zip(me["cbsa"], me["median_family_income"].astype(float), strict=True)),
        county_cbsa={
            c: (None if pd.isna(m) else str(m))
            for c, m in zip(co["county_fips"], co["cbsa"], strict=True)
        },
        description=_REFERENCE_DESCRIPTION[edition],
    )


def _geoids(areas: pd.DataFrame, id_col: str) -> np.ndarray:
    """11-digit tract GEOIDs, or "" where the id is not one."""
    if id_col not in areas.columns:
        return np.full(len(areas), "", dtype=object)
    ids = areas[id_col].astype(str).str.strip()
    ok = ids.str.fullmatch(r"\d{11}")
    return np.where(ok.to_numpy(), ids.to_numpy(), "").astype(object)


def _state_keys(areas: pd.DataFrame, id_col: str = "area_id") -> np.ndarray:
    """The state FIPS of each area's GEOID, or ``"all"`` where the id is not a GEOID."""
    g = _geoids(areas, id_col)
    return np.array([x[:2] if x else "all" for x in g], dtype=object)


def stand_in_incomes(
    areas: pd.DataFrame,
    *,
    id_col: str = "area_id",
    income_col: str = "median_family_income",
) -> dict[str, float]:
    """The stand-in reference: each state's population-weighted median of the areas' incomes.

    Keyed by the state FIPS of the GEOID (``"all"`` for areas whose id is not a GEOID). Used
    only where no published flag and no reference income apply, always with a
    :class:`LowIncomeStandInWarning`.
    """
    if income_col not in areas.columns:
        return {}
    mfi = pd.to_numeric(areas[income_col], errors="coerce")
    mfi = mfi.where(mfi > 0).to_numpy(float)
    pop = pd.to_numeric(
        areas.get("population", pd.Series(1.0, index=areas.index)), errors="coerce"
    ).to_numpy(float)
    keys = _state_keys(areas, id_col)
    out: dict[str, float] = {}
    for k in sorted(set(keys)):
        m = keys == k
        out[str(k)] = _weighted_median(mfi[m], pop[m])
    return out


def declared_reference_income(provenance: Mapping[str, object] | None) -> float | None:
    """The reference income a region declares in its provenance, if any.

    The key is ``area_median_family_income`` (the demo region declares one). Callers that
    classify a :class:`~equity.Region` pass it as ``state_median_income`` (source ``given``).
    """
    if not provenance or "area_median_family_income" not in provenance:
        return None
    value = provenance["area_median_family_income"]
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        msg = f"region provenance area_median_family_income={value!r} is not a number"
        raise ValueError(msg) from None


def low_income_tracts(
    areas: pd.DataFrame,
    *,
    edition: str = "2019",
    use_published: bool = True,
    published_col: str = "LowIncomeTracts",
    state_median_income: float | None = None,
    metro_median_income: float | None = None,
    metro_col: str = "metro",
    poverty_col: str = "poverty_rate",
    income_col: str = "median_family_income",
    id_col: str = "area_id",
    stand_in_income: Mapping[str, float] | None = None,
    references: IncomeReferences | None = None,
) -> tuple[pd.Series, dict[str, object]]:
    """The Atlas ``LowIncomeTracts`` flag, where each answer came from, and the references used.

    The rule (ERS, after the New Markets Tax Credit): poverty rate >= 20%, or median family
    income <= 80% of the statewide median family income, or, in a metropolitan area, <= 80% of
    the greater of the statewide and the metropolitan area's median (ACS 5-year B19113).

    Each area gets its answer from the first of these that applies, recorded per area in the
    returned ``sources`` (``info["sources"]``, one of :data:`LOW_INCOME_SOURCES`):

    1. ``published``: the Atlas's own flag, where the areas carry it in ``published_col`` (as
       :func:`equity.sources.assemble_us_region` keeps it) and ``use_published`` is true.
    2. ``reference``: the rule, with the state and metro looked up from the 11-digit GEOID in
       ``id_col`` and the reference incomes shipped for ``edition``
       (:func:`income_references`), or those passed as ``references``.
    3. ``given``: the rule, with ``state_median_income`` / ``metro_median_income`` passed here;
       these override the shipped figures of their level.
    4. ``stand-in``: the rule, with each state's population-weighted median of the areas' own
       incomes as the state reference (:func:`stand_in_incomes`). This is not the Atlas's
       reference and is announced with a :class:`LowIncomeStandInWarning` and in
       ``info["low_income_source"]``.

    Parameters
    ----------
    areas
        ``poverty_rate`` (0-1 share) and ``median_family_income`` (0 counts as unknown); the
        GEOID ``area_id``; optionally ``published_col``, ``metro_col`` (which areas are
        metropolitan, for a given ``metro_median_income``) and ``low_income`` (used where
        neither poverty nor income is known).
    edition
        Atlas edition whose reference incomes apply: ``"2019"`` (ACS 2014-2018) or ``"2015"``
        (ACS 2010-2014; no reference incomes are shipped for it).
    use_published
        False to apply the rule even where the Atlas's published flag is carried.
    stand_in_income
        Precomputed stand-ins by state key (used by :func:`equity.atlas_by_partition` so that
        every part uses its whole state's stand-in).
    references
        Reference incomes to use instead of the shipped ones of ``edition`` (for instance the
        published ACS B19113 state and metro medians, read into an :class:`IncomeReferences`);
        their ``description`` is named in every output.

    Returns
    -------
    (Series, dict)
        The boolean flag, indexed like ``areas``, and ``info``: ``sources`` (per area),
        ``low_income_source`` (one line for every output), ``low_income_sources`` (counts),
        ``low_income_edition``, ``state_median_income`` / ``metro_median_income`` (the
        references applied, by state FIPS / CBSA or ``"all"``/``"given"``) and
        ``state_median_income_source``.
    """
    edition = _check_edition(edition)
    n = len(areas)
    idx = areas.index
    pov = (
        pd.to_numeric(areas[poverty_col], errors="coerce")
        if poverty_col in areas.columns
        else pd.Series(np.nan, index=idx)
    ).to_numpy(float)
    mfi = (
        pd.to_numeric(areas[income_col], errors="coerce")
        if income_col in areas.columns
        else pd.Series(np.nan, index=idx)
    )
    mfi = mfi.where(mfi > 0).to_numpy(float)  # 0 is how many sources write "not computed"
    source = np.full(n, "", dtype=object)
    li = np.zeros(n, dtype=bool)

    if use_published and published_col in areas.columns:
        pub = pd.to_numeric(areas[published_col].astype(object), errors="coerce").to_numpy(float)
        have = np.isfinite(pub)
        li[have] = pub[have] != 0
        source[have] = "published"
    rest = source == ""

    refs = references if references is not None else income_references(edition)
    geoid = _geoids(areas, id_col)
    skey = _state_keys(areas, id_col)
    state_ref = np.full(n, np.nan)
    state_src = np.full(n, "", dtype=object)
    cbsa = np.full(n, None, dtype=object)
    metro_known = np.zeros(n, dtype=bool)  # the tract's metro status is known from its county
    if refs is not None:
        for i in np.flatnonzero(rest & (geoid != "")):
            county = geoid[i][:5]
            if county in refs.county_cbsa:
                metro_known[i] = True
                cbsa[i] = refs.county_cbsa[county]
                st = refs.state.get(geoid[i][:2])
                if st is not None and (cbsa[i] is None or cbsa[i] in refs.metro):
                    state_ref[i] = st
                    state_src[i] = "reference"
    if state_median_income is not None:
        state_ref[rest] = float(state_median_income)
        state_src[rest] = "given"
    need = rest & np.isnan(state_ref) & np.isfinite(mfi)
    stand_used: dict[str, float] = {}
    if need.any():
        stand = (
            dict(stand_in_income)
            if stand_in_income is not None
            else stand_in_incomes(areas, id_col=id_col, income_col=income_col)
        )
        for k in sorted(set(skey[need])):
            m = need & (skey == k)
            val = float(stand.get(str(k), np.nan))
            state_ref[m] = val
            state_src[m] = "stand-in"
            stand_used[str(k)] = val
        where = ", ".join(
            f"{'areas' if k == 'all' else 'state ' + k}: {v:,.0f}" for k, v in stand_used.items()
        )
        msg = (
            f"LowIncomeTracts: {int(need.sum())} of {n} areas have no published Atlas flag and no "
            f"reference income for the Atlas {edition} edition ({ATLAS_EDITIONS[edition]}), so "
            f"the rule uses a STAND-IN statewide median, the population-weighted median of the "
            f"areas' own median family incomes ({where}). It is not the Atlas's reference: pass "
            "state_median_income= (and metro_median_income=), the ACS B19113 medians, for the "
            "Atlas's answer."
        )
        warnings.warn(msg, LowIncomeStandInWarning, stacklevel=2)

    # metropolitan areas: the greater of the state and metro references
    metro_ref = np.full(n, np.nan)
    if metro_median_income is not None:
        if metro_col in areas.columns:
            is_metro = areas[metro_col].astype("boolean").fillna(False).astype(bool).to_numpy()
        else:  # the county says where it can; elsewhere every area is metropolitan
            in_cbsa = np.array([c is not None for c in cbsa], dtype=bool)
            is_metro = np.where(metro_known, in_cbsa, True)
        metro_ref = np.where(rest & is_metro, float(metro_median_income), np.nan)
    elif refs is not None:
        for i in np.flatnonzero(rest & metro_known):
            if cbsa[i] is not None:
                metro_ref[i] = refs.metro.get(cbsa[i], np.nan)
    ref = np.where(np.isfinite(metro_ref), np.fmax(state_ref, metro_ref), state_ref)

    by_rule = (pov >= 0.20) | (np.isfinite(mfi) & (mfi <= 0.8 * ref))
    li[rest] = by_rule[rest]
    given_any = state_median_income is not None or metro_median_income is not None
    src = np.where(state_src == "stand-in", "stand-in", np.where(given_any, "given", state_src))
    src = np.where(src == "", "reference", src)  # income unknown: poverty decides, no reference
    source[rest] = src[rest]
    unknown = rest & np.isnan(pov) & np.isnan(mfi)
    if unknown.any():
        if "low_income" in areas.columns:
            given = areas["low_income"].astype("boolean").to_numpy(dtype=object)
            flag = np.array([v is True for v in given])
            known = np.array([v is not pd.NA and v is not None for v in given])
            li[unknown] = flag[unknown]
            source[unknown & known] = "source flag"
            source[unknown & ~known] = "unknown"
        else:
            source[unknown] = "unknown"

    counts = {k: int((source == k).sum()) for k in LOW_INCOME_SOURCES if (source == k).any()}
    states_used: dict[str, float] = {}
    for k, v in zip(skey[rest], state_ref[rest], strict=True):
        if np.isfinite(v):
            states_used.setdefault(str(k), float(v))
    metros_used: dict[str, float] = {}
    if metro_median_income is not None:
        metros_used["given"] = float(metro_median_income)
    else:
        for c, v in zip(cbsa[rest], metro_ref[rest], strict=True):
            if c is not None and np.isfinite(v):
                metros_used.setdefault(str(c), float(v))
    kinds = sorted({str(s) for s in state_src[rest] if s})
    info: dict[str, object] = {
        "sources": pd.Series(source, index=idx, name="LowIncomeTracts_source"),
        "low_income_edition": edition,
        "low_income_sources": counts,
        "low_income_source": _describe_sources(counts, n, edition, refs),
        "state_median_income": states_used,
        "metro_median_income": metros_used,
        "state_median_income_source": ", ".join(kinds) if kinds else "none needed",
    }
    return pd.Series(li, index=idx, name="LowIncomeTracts"), info


def _describe_sources(
    counts: Mapping[str, int], n: int, edition: str, refs: IncomeReferences | None
) -> str:
    """One line naming every path the low-income flag took, for summaries and reports."""
    parts = []
    for k, c in counts.items():
        what = LOW_INCOME_SOURCES[k]
        if k == "reference" and refs is not None:
            what += f" ({refs.description})"
        parts.append(f"{c} of {n} areas: {what}")
    head = f"LowIncomeTracts (Atlas {edition} edition, {ATLAS_EDITIONS[edition]})"
    warn = " WARNING: stand-in reference used." if "stand-in" in counts else ""
    return f"{head}: " + "; ".join(parts) + "." + warn


def _check_atlas_columns(areas: pd.DataFrame, stores: pd.DataFrame, kind_col: str) -> None:
    """Refuse, in plain words, areas without ``area_id``/``population`` or stores without
    ``kind_col`` (what the Atlas classification reads)."""
    if "area_id" not in areas.columns or "population" not in areas.columns:
        msg = "`areas` needs columns 'area_id' and 'population' for the Atlas classification"
        raise ValidationError([Problem("areas", msg)])
    if kind_col not in stores.columns:
        found = sorted(map(str, stores.columns))
        msg = f"`stores` is missing column '{kind_col}'; found {found}. Pass `kind_col=`."
        raise ValidationError([Problem("stores", msg, column=kind_col)])


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
    edition: str = "2019",
    use_published: bool = True,
    state_median_income: float | None = None,
    metro_median_income: float | None = None,
    stand_in_income: Mapping[str, float] | None = None,
    min_people: float = 500.0,
    min_share: float = 0.33,
    min_households_no_vehicle: float = 100.0,
    placed: gpd.GeoDataFrame | None = None,
    population_blocks: gpd.GeoDataFrame | None = None,
    block_population_col: str = "population",
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
    population_blocks, block_population_col
        Block polygons with a count of people (say 2010 Census blocks and ``POP10``): the
        tracts that hold them are placed as the Atlas places them, the 0.5 km grid filled from
        the blocks; see :func:`equity.access.population_points`.
    edition, use_published, state_median_income, metro_median_income, stand_in_income
        How ``LowIncomeTracts`` is decided: the Atlas's published flag where the areas carry
        it, else the rule with the shipped reference incomes of ``edition``, the given ones, or
        a loudly announced stand-in; see :func:`low_income_tracts`.
    min_people, min_share, min_households_no_vehicle
        The Atlas thresholds (500 people, 33%, 100 households).
    placed
        People already placed by :func:`equity.access.population_points` (``points``,
        ``population_method``, ``cell_m`` and ``population_blocks`` are then not used).

    Returns
    -------
    DataFrame
        Indexed like ``areas``: ``area_id``, ``Urban``, ``LowIncomeTracts`` and
        ``LowIncomeTracts_source`` (where each answer came from), ``lapop*``,
        ``lapop*share``, ``lahunv*`` (and shares), ``lalowi*`` where possible, the LA and LILA
        flags (booleans) and ``pop_method`` (how each tract's people were placed).
        ``attrs`` records the method, the low-income source line (``low_income_source``) and
        reference medians, urban source and store count.

    Notes
    -----
    With no supermarket at all, every distance is infinite and every populated tract is low
    access: that is the documented answer, not an error.
    """
    _check_atlas_columns(areas, stores, kind_col)
    pts = (
        placed
        if placed is not None
        else population_points(
            areas,
            points,
            method=population_method,
            cell_m=cell_m,
            population_blocks=population_blocks,
            block_population_col=block_population_col,
        )
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
        areas,
        edition=edition,
        use_published=use_published,
        state_median_income=state_median_income,
        metro_median_income=metro_median_income,
        stand_in_income=stand_in_income,
    )
    out["LowIncomeTracts"] = li.to_numpy()
    out["LowIncomeTracts_source"] = info.pop("sources").to_numpy()  # type: ignore[attr-defined]

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

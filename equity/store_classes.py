"""Which stores count as supermarkets: the store classifier and the stores around a region.

The USDA Food Access Research Atlas counts supermarkets, supercenters and large grocery stores:
stores with at least $2 million in annual sales and all the major food departments. Public
store lists do not say that directly. :func:`classify_stores` decides each store's ``kind``
from the evidence a list has, in this order (the first that applies decides), and says why in
``kind_rule`` (the rule) and ``kind_reason`` (the evidence, in words):

1. ``format``: the name is a pharmacy or dollar-store chain or says so ("pharmacy", "dollar");
2. ``sales``: annual sales (``sales_usd``) of at least ``min_sales_usd`` ($2 million, the
   Atlas's line) make a supermarket; less makes a grocery store at most;
3. ``snap type``: a USDA SNAP store type that names one class (Supermarket, Super Store, Large
   Grocery Store -> supermarket; Medium/Small Grocery Store -> grocery; Convenience Store;
   the specialty types; Farmers and Markets; ...; see :data:`SNAP_STORE_TYPES`); the
   types "Combination Grocery/Other" and "Other" say the store is not a supermarket and
   leave its kind to its name (:data:`NOT_SUPERMARKET_SNAP_TYPES`);
4. ``banner``: the name is a supermarket, supercenter or warehouse-club banner of
   :func:`supermarket_banners` (national and regional chains);
5. ``size``: floor area (``area_sqft``) of at least ``min_sqft`` makes a supermarket; less
   makes a grocery store at most;
6. ``list``: the list states the store's kind (``list_kind``, e.g. a list of supermarkets);
7. ``name``: the name keywords of :data:`NAME_RULES`; a "supermarket" or "supermercado"
   word makes a ``grocery`` store (a word does not show a supermarket's sales or size; a
   banner, a type or a size does);
8. ``default``: the kind of an ambiguous SNAP type (Grocery Store -> grocery, Combination
   Grocery/Other and Other -> other), else ``default_kind``.

No rule is fitted to the Atlas's published flags: the thresholds are the Atlas's own sales
line and a list's own size line, and the banners are chains' own store formats.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ._sources_common import utm_crs
from .access import M_PER_MILE
from .contracts import STORE_KINDS

__all__ = [
    "AMBIGUOUS_SNAP_TYPES",
    "BANNER_FORMATS",
    "NAME_RULES",
    "NOT_SUPERMARKET_SNAP_TYPES",
    "SNAP_STORE_TYPES",
    "SUPERMARKET_MIN_SALES_USD",
    "SUPERMARKET_MIN_SQFT",
    "classification_report",
    "classify_store_name",
    "classify_stores",
    "normalise_name",
    "stores_near",
    "supermarket_banners",
]

#: Name keyword rules, tried in order; the first whose pattern matches the normalised name
#: (lower case, apostrophes dropped, other punctuation as spaces) gives the kind.
NAME_RULES: tuple[tuple[str, str], ...] = (
    ("pharmacy", r"rite aid|\bcvs\b|walgreens?|pharmacy|\bdrugs?\b"),
    (
        "dollar_store",
        r"dollar general|dollar ?tree|dollartt?ree|family dollar|\bdollar\b|big lots|five below",
    ),
    (
        "convenience",
        r"\bget ?go\b|sheetz|speedway|sunoco|\b7 ?el(e|el)ven\b|circle k|exxon|\bmobil\b|\bbp\b|"
        r"\bshell\b|citgo|(?<!wal )(?<!\bh )\b(?!wal|super)\w*mart\b|\bnews\b|snax|"
        r"\bgulf\b|marathon|valero|\buni ?mart\b|\ba ?plus\b|par mar|"
        r"\bcoen\b|\bcogos\b|kwik fill|country fair|mini ?mart|food ?mart|quick ?stop|"
        r"convenience|corner store|\bgas\b|\bfuel|\bpetro|\boil\b|tobacco|\bbeer\b|"
        r"liquors?\b|kum and go|convi?e?nce|\bwawa\b",
    ),
    (
        "supermarket",
        r"super ?market|super mkt|supermercado|supercenter|super center",
    ),
    (
        "farmers_market",
        r"farmers? market|farm market|farm stand|farmstand|\bcsa\b|citiparks|just harvest",
    ),
    (
        "specialty",
        r"\bmeats?\b|butcher|seafood|\bfish\b|carniceria|halal|nutrition|health food|"
        r"\bcand(y|ies)\b|produce|bazaa?r|\bspices?\b|\bdairy\b|\bbak(ing|ery|ers?)\b|donut",
    ),
    (
        "grocery",
        r"grocer|groceria|\bmarkets?\b|marketplace|\bfoods?\b|supermart|mercado|\bdeli\b|\bmkt\b",
    ),
)
_COMPILED = tuple((k, re.compile(p)) for k, p in NAME_RULES)

#: USDA SNAP ``Store_Type`` values (the detailed classes of 2008-2020 lists and the coarse
#: ones of the 2020s) to kinds. Keys are normalised like names (lower case, punctuation as
#: spaces). The Atlas counts supermarkets, supercenters and large grocery stores.
SNAP_STORE_TYPES: dict[str, str] = {
    "supermarket": "supermarket",
    "super store": "supermarket",
    "superstore": "supermarket",
    "supercenter": "supermarket",
    "super center": "supermarket",
    "large grocery store": "supermarket",
    "medium grocery store": "grocery",
    "small grocery store": "grocery",
    "grocery store": "grocery",
    "combination grocery other": "other",
    "other": "other",
    "unknown": "other",
    "convenience store": "convenience",
    "specialty store": "specialty",
    "specialty food store": "specialty",
    "meat poultry specialty": "specialty",
    "fruits veg specialty": "specialty",
    "bakery specialty": "specialty",
    "seafood specialty": "specialty",
    "farmers and markets": "farmers_market",
    "farmers market": "farmers_market",
    "farmers markets": "farmers_market",
    "direct marketing farmer": "farmers_market",
    "delivery route": "other",
    "wholesaler": "other",
    "military commissary": "other",
    "non profit food buying co op": "other",
    "food buying co op": "other",
    "restaurant meals program": "fast_food",
    "pharmacy": "pharmacy",
    "drug store": "pharmacy",
    "dollar store": "dollar_store",
}

#: SNAP types that do not settle whether a store is a supermarket: the 2020s "Grocery Store"
#: lumps large, medium and small grocers; "Combination Grocery/Other", "Other" and
#: "Unknown" cover pharmacies, dollar stores and general stores with groceries. Their stores
#: are decided by banner, size or name, and take the type's kind only as a last resort.
AMBIGUOUS_SNAP_TYPES: frozenset[str] = frozenset(
    {"grocery store", "combination grocery other", "other", "unknown"}
)

#: SNAP types whose stores are not supermarkets, though their kind is left to the name: FNS
#: gives "Combination Grocery/Other" (the 2020s "Other") to stores whose main line is not
#: food (pharmacies, dollar stores, general-merchandise stores, a Target without a full
#: grocery), so a banner, a size or a list does not make them supermarkets.
NOT_SUPERMARKET_SNAP_TYPES: frozenset[str] = frozenset({"combination grocery other", "other"})

#: Banner formats that make a supermarket by name alone. ``independent_banner`` (IGA,
#: Shurfine, Foodland, ...) names a wholesaler's licensees; FNS typed 81-91% of such stores
#: in Georgia and Hawaii as the Atlas counts (``benchmarks/banner_check.py``), so they count.
#: A format left out of this tuple would make a ``grocery`` store by name alone.
BANNER_FORMATS: tuple[str, ...] = (
    "supermarket",
    "supercenter",
    "warehouse_club",
    "limited_assortment",
    "natural_foods",
    "cooperative",
    "independent_banner",
)

#: Annual sales from which the Atlas counts a store as a supermarket.
SUPERMARKET_MIN_SALES_USD = 2_000_000.0

#: Floor area from which a store on a list with sizes is a supermarket (Chicago's grocery
#: lists mark stores of 10,000 sq ft or more with buffer size "A").
SUPERMARKET_MIN_SQFT = 10_000.0


def normalise_name(name: object) -> str:
    """Lower case, apostrophes dropped, ``&`` as ``and``, other punctuation as single spaces."""
    if name is None or (isinstance(name, float) and np.isnan(name)) or name is pd.NA:
        return ""
    text = str(name).lower().replace("&", " and ")
    text = re.sub(r"['\u2019`]", "", text)
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def classify_store_name(name: object, *, default: str = "other") -> tuple[str, str]:
    """Kind of a store from its name alone: a supermarket banner of
    :func:`supermarket_banners` (after the pharmacy, dollar-store and convenience keywords,
    so "Giant Eagle GetGo" is a convenience store), else :data:`NAME_RULES`; returns
    ``(kind, why)``."""
    text = normalise_name(name)
    for kind, pat in _COMPILED[:3]:
        m = pat.search(text)
        if m:
            return kind, f"name '{m.group(0)}'"
    hit = _banner(text)
    if hit is not None and hit[1] in BANNER_FORMATS:
        return "supermarket", f"banner '{hit[0]}'"
    for kind, pat in _COMPILED[3:]:
        m = pat.search(text)
        if m:
            return kind, f"name '{m.group(0)}'"
    return default, "no keyword"


_Banner = tuple[str, str, re.Pattern[str], frozenset[str]]


@functools.cache
def _banners() -> tuple[pd.DataFrame, tuple[_Banner, ...]]:
    path = resources.files("equity") / "_data" / "supermarket_banners.csv"
    with path.open("r", encoding="utf-8") as fh:
        table = pd.read_csv(fh, dtype=str, keep_default_na=False)
    compiled = tuple(
        (b, f, re.compile(p), frozenset(st.split()))
        for b, f, p, st in zip(
            table["banner"], table["format"], table["pattern"], table["states"], strict=True
        )
    )
    return table, compiled


def supermarket_banners() -> pd.DataFrame:
    """The maintained list of supermarket banners (package data ``equity/_data``).

    Columns: ``banner``, ``pattern`` (a regular expression on the normalised name, see
    :func:`normalise_name`), ``format`` (supermarket, supercenter, warehouse_club,
    limited_assortment, natural_foods, cooperative, independent_banner), ``scope``
    (national, or the region where it trades), ``parent`` and ``states`` (USPS codes,
    space-separated: a banner whose name is also a common store name, such as "Stop & Shop"
    or "City Market", matches only in the states where the chain trades, when the store's
    state is known). ``equity/_data/PROVENANCE.md``
    says how it was compiled and checked.
    """
    return _banners()[0].copy()


def _banner(text: str, state: object = None) -> tuple[str, str] | None:
    """The first banner whose pattern matches ``text`` (a normalised name); a banner limited
    to some states matches only there, or where the store's state is unknown."""
    st = str(state).strip().upper() if isinstance(state, str) and state.strip() else None
    for banner, fmt, pat, states in _banners()[1]:
        if pat.search(text) and (not states or st is None or st in states):
            return banner, fmt
    return None


def _num(frame: pd.DataFrame, col: str | None) -> np.ndarray:
    if col is None or col not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[col], errors="coerce").to_numpy(float)


def _text(frame: pd.DataFrame, col: str | None) -> list[object]:
    if col is None or col not in frame.columns:
        return [None] * len(frame)
    return frame[col].astype(object).where(frame[col].notna(), None).tolist()


def classify_stores(
    stores: pd.DataFrame,
    *,
    name_col: str = "name",
    type_col: str = "store_type",
    sales_col: str = "sales_usd",
    sqft_col: str = "area_sqft",
    list_kind_col: str = "list_kind",
    state_col: str = "state",
    min_sales_usd: float = SUPERMARKET_MIN_SALES_USD,
    min_sqft: float = SUPERMARKET_MIN_SQFT,
    default_kind: str = "other",
) -> pd.DataFrame:
    """Decide each store's kind from the evidence its list has, and say why.

    Parameters
    ----------
    stores
        A stores frame (any columns); those named below are used where present.
    name_col, type_col, sales_col, sqft_col, list_kind_col, state_col
        The store name, USDA SNAP store type, annual sales in dollars, floor area in square
        feet, a kind the list itself states for the row, and the store's state (USPS code,
        for banners limited to some states). A missing column is no evidence.
    min_sales_usd, min_sqft
        The sales and floor-area lines of a supermarket.
    default_kind
        The kind of a store that no rule decides (no type, no banner, no keyword).

    Returns
    -------
    DataFrame
        A copy of ``stores`` with ``kind``, ``kind_rule`` (format, sales, snap type, banner,
        size, list, name, default) and ``kind_reason`` (the evidence in words).
        ``attrs["unknown_store_types"]`` lists type values that are not SNAP types (they
        count as no type).

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"name": ["ALDI 12", "Kim's", "Kim's"],
    ...                   "store_type": ["Grocery Store", "Large Grocery Store", None]})
    >>> classify_stores(s)[["kind", "kind_rule"]].values.tolist()
    [['supermarket', 'banner'], ['supermarket', 'snap type'], ['other', 'default']]
    """
    if default_kind not in STORE_KINDS:
        msg = f"default_kind={default_kind!r} is not a store kind; use one of {STORE_KINDS}"
        raise ValueError(msg)
    if not (min_sales_usd >= 0 and min_sqft >= 0):
        msg = f"min_sales_usd={min_sales_usd!r}, min_sqft={min_sqft!r}: use numbers >= 0"
        raise ValueError(msg)
    names = _text(stores, name_col)
    types = _text(stores, type_col)
    listed = _text(stores, list_kind_col)
    sales = _num(stores, sales_col)
    sqft = _num(stores, sqft_col)
    states = _text(stores, state_col)
    kinds: list[str] = []
    rules: list[str] = []
    reasons: list[str] = []
    unknown: set[str] = set()
    for name, stype, lk, usd, area, state in zip(
        names, types, listed, sales, sqft, states, strict=True
    ):
        text = normalise_name(name)
        tkey = normalise_name(stype) if stype is not None else ""
        tkind = SNAP_STORE_TYPES.get(tkey) if tkey else None
        if tkey and tkind is None:
            unknown.add(str(stype))
        decisive = tkind is not None and tkey not in AMBIGUOUS_SNAP_TYPES
        # why the store cannot be a supermarket, if its type, sales or size say so
        small = f"SNAP store type '{stype}'" if tkey in NOT_SUPERMARKET_SNAP_TYPES else ""
        kind: str | None = None
        rule: str | None = None
        why: str | None = None
        # 1. a pharmacy or dollar store by name
        for fk, pat in _COMPILED[:2]:
            m = pat.search(text)
            if m:
                kind, rule, why = fk, "format", f"name '{m.group(0)}' ({fk.replace('_', ' ')})"
                break
        # 2. sales
        if kind is None and np.isfinite(usd) and not small:
            if usd >= min_sales_usd:
                kind, rule = "supermarket", "sales"
                why = f"sales ${usd:,.0f} >= ${min_sales_usd:,.0f}"
            else:
                small = f"sales ${usd:,.0f} < ${min_sales_usd:,.0f}"
        # 3. a SNAP type that settles it
        if kind is None and decisive:
            assert tkind is not None
            kind, rule, why = tkind, "snap type", f"SNAP store type '{stype}'"
            if kind == "supermarket" and small:
                kind, why = "grocery", f"{why}, but {small}"
        banner = _banner(text, state) if kind is None else None
        # 4. a supermarket banner
        if kind is None and not small and banner is not None and banner[1] in BANNER_FORMATS:
            kind, rule = "supermarket", "banner"
            why = f"banner '{banner[0]}' ({banner[1].replace('_', ' ')})"
        # 5. size
        if kind is None and not small and np.isfinite(area):
            if area >= min_sqft:
                kind, rule, why = "supermarket", "size", f"{area:,.0f} sq ft >= {min_sqft:,.0f}"
            else:
                small = f"{area:,.0f} sq ft < {min_sqft:,.0f}"
        # 6. the list's own kind
        if kind is None and lk is not None and not (small and lk == "supermarket"):
            kind, rule, why = str(lk), "list", f"the list's kind '{lk}'"
        # 7. name keywords (an independent banner counts as a grocery word)
        if kind is None:
            k, w = _name_kind(text)
            if k is None and banner is not None and banner[1] in BANNER_FORMATS:
                # a supermarket banner where the type, sales or size say not a supermarket
                k, w = tkind or "grocery", f"banner '{banner[0]}', but {small}"
                small = ""
            elif k is None and banner is not None:
                k, w = "grocery", f"banner '{banner[0]}' ({banner[1].replace('_', ' ')})"
            if k is not None:
                if k == "supermarket":
                    # a word, not a banner: it does not show a supermarket's sales or size
                    k, w = "grocery", f"{w} (a word, not a banner)"
                if small:
                    w = f"{w}; {small}"
                kind, rule, why = k, "name", w
        # 8. defaults
        if kind is None:
            if tkind is not None:
                kind, rule = tkind, "default"
                why = f"SNAP store type '{stype}' and no banner, size or keyword"
            elif small:
                kind, rule, why = "grocery", "size", small
            else:
                kind, rule = default_kind, "default"
                why = "no type, banner, size or keyword"
        assert kind is not None and rule is not None and why is not None
        kinds.append(kind)
        rules.append(rule)
        reasons.append(why)
    out = stores.copy()
    out["kind"] = kinds
    out["kind_rule"] = rules
    out["kind_reason"] = reasons
    out.attrs = dict(stores.attrs)
    out.attrs["unknown_store_types"] = sorted(unknown)
    return out


def _name_kind(text: str) -> tuple[str | None, str]:
    for kind, pat in _COMPILED[2:]:
        m = pat.search(text)
        if m:
            return kind, f"name '{m.group(0)}'"
    return None, "no keyword"


def classification_report(stores: pd.DataFrame, *, by: str | None = "source") -> pd.DataFrame:
    """How many stores each rule gave each kind: one row per (``by``,) ``kind``,
    ``kind_rule``, with ``stores`` (the count) and ``example`` (one reason, for reading).

    ``by`` (default ``"source"``, the list) splits the counts where that column exists.
    """
    need = [c for c in ("kind", "kind_rule") if c not in stores.columns]
    if need:
        found = sorted(map(str, stores.columns))
        msg = (
            f"classification_report needs columns {need}; found {found}. Run "
            "classify_stores() first."
        )
        raise ValueError(msg)
    keys = [by] if by is not None and by in stores.columns else []
    keys += ["kind", "kind_rule"]
    reason = stores["kind_reason"] if "kind_reason" in stores.columns else stores["kind_rule"]
    frame = pd.DataFrame({k: stores[k].astype(str) for k in keys}).assign(reason=reason.astype(str))
    grouped = frame.groupby(keys, sort=True)
    out = grouped.size().rename("stores").reset_index()
    out["example"] = grouped["reason"].first().to_numpy()
    return out.sort_values([*keys[:-2], "stores"], ascending=[*([True] * (len(keys) - 2)), False])


def stores_near(
    stores: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    *,
    within_mi: float = 10.0,
    rural_within_mi: float = 20.0,
    urban_col: str = "urban",
) -> gpd.GeoDataFrame:
    """The stores of a wider list (say a statewide one) that can be some area's nearest store.

    The Atlas measures the distance to the nearest supermarket wherever it is, across county
    and city lines, and looks no farther than 10 miles (20 for the rural measure). A store is
    kept when it lies within ``within_mi`` of an area, or within ``rural_within_mi`` of an
    area whose ``urban_col`` is not true (rural or unknown). Distances are measured in the
    areas' local UTM zone, after a cheap test against the areas' bounds in WGS84, so that no
    far point is projected into it. ``attrs["notes"]`` says how many were kept.
    """
    if within_mi < 0 or rural_within_mi < 0:
        msg = f"within_mi={within_mi!r}, rural_within_mi={rural_within_mi!r}: use distances >= 0"
        raise ValueError(msg)
    utm = utm_crs(areas)
    a = areas.to_crs(utm)
    if urban_col in a.columns:
        urban = a[urban_col].astype("boolean").fillna(False).to_numpy(bool)
    else:
        urban = np.zeros(len(a), dtype=bool)
    reach = max(within_mi, rural_within_mi if (~urban).any() else 0.0) * M_PER_MILE
    box = gpd.GeoSeries([shapely.box(*a.total_bounds).buffer(reach * 1.5 + 1.0)], crs=utm)
    box_wgs = box.to_crs("EPSG:4326").iloc[0]
    cand = stores[stores.to_crs("EPSG:4326").within(box_wgs).to_numpy()]
    pts = cand.to_crs(utm).geometry
    keep = (
        pts.distance(shapely.union_all(a.geometry.to_numpy())).to_numpy() <= within_mi * M_PER_MILE
    )
    if (~urban).any() and rural_within_mi > within_mi:
        rural = shapely.union_all(a.geometry.to_numpy()[~urban])
        keep |= pts.distance(rural).to_numpy() <= rural_within_mi * M_PER_MILE
    out = cand[keep].reset_index(drop=True)
    out.attrs = dict(stores.attrs)
    out.attrs["notes"] = [
        *stores.attrs.get("notes", []),
        f"{len(out)} of {len(stores)} store(s) within {within_mi:g} miles of the areas "
        f"(or {rural_within_mi:g} miles of a rural area) kept",
    ]
    return out

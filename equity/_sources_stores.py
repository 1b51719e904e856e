"""Readers of store and site lists (SNAP retailers, health-department and city lists, gardens,
food-bank sites), the name-keyword store classifier and cross-list de-duplication.
Public names are in :mod:`equity.sources`."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ._errors import Problem, ValidationError
from ._sources_common import (
    as_path,
    attach,
    header,
    no_name_warning,
    numbers,
    pick,
    points,
    read_text_csv,
    require_rows,
    utm_crs,
)
from .contracts import SITE_KINDS, STORE_KINDS
from .io import find_lon_lat, read_table

#: Name keyword rules, tried in order; the first whose pattern matches the normalised name
#: (lower case, apostrophes dropped, other punctuation as spaces) gives the kind.
NAME_RULES: tuple[tuple[str, str], ...] = (
    ("pharmacy", r"rite aid|\bcvs\b|walgreens|pharmacy|\bdrugs?\b"),
    (
        "dollar_store",
        r"dollar general|dollar ?tree|family dollar|\bdollar\b|big lots|five below",
    ),
    (
        "convenience",
        r"\bget ?go\b|sheetz|speedway|sunoco|\b7 ?eleven\b|circle k|exxon|\bmobil\b|\bbp\b|"
        r"\bshell\b|citgo|(?<!wal )\b(?!wal|super)\w*mart\b|\bnews\b|snax|"
        r"\bgulf\b|marathon|valero|\buni ?mart\b|\ba ?plus\b|par mar|"
        r"\bcoen\b|\bcogos\b|kwik fill|country fair|mini ?mart|food ?mart|quick ?stop|"
        r"convenience|corner store|\bgas\b|\bfuel|\bpetro|\boil\b|tobacco|\bbeer\b|"
        r"liquors?\b|kum and go|convi?e?nce",
    ),
    (
        "supermarket",
        r"giant eagle|market district|shop (n|and) save|foodland|\baldi\b|wal ?mart|\btarget\b|sams club|"
        r"costco|bjs wholesale|whole foods|trader joes|fresh thyme|\bkuhns\b|save a lot|"
        r"\bjewel\b|marianos|petes fresh|food 4 less|cermak|tonys (fresh|finer)|fairplay|"
        r"shursave|\biga\b|wegmans|kroger|safeway|\bacme\b|meijer|sprouts|\blidl\b|"
        r"food lion|publix|stop and shop|shoprite|mcginnis sisters|east end food co ?op|"
        r"gordon food service|gfs marketplace|\bweis\b|grocery outlet|sparkle market|shurfine|"
        r"food city|super ?market|super mkt|supermercado|supercenter|super center",
    ),
    (
        "farmers_market",
        r"farmers? market|farm market|farm stand|farmstand|\bcsa\b|citiparks|just harvest",
    ),
    (
        "specialty",
        r"\bmeats?\b|butcher|seafood|\bfish\b|carniceria|halal|nutrition|health food|"
        r"\bcand(y|ies)\b|produce|bazaar|\bspices?\b|\bdairy\b|\bbak(ing|ery|ers?)\b|donut",
    ),
    (
        "grocery",
        r"grocer|groceria|\bmarkets?\b|marketplace|\bfoods?\b|supermart|mercado|\bdeli\b|\bmkt\b",
    ),
)
_COMPILED = tuple((k, re.compile(p)) for k, p in NAME_RULES)

#: USDA SNAP retailer ``Store_Type`` values to kinds (the Atlas counts supermarkets,
#: supercenters and large grocery stores as supermarkets).
SNAP_STORE_TYPES: dict[str, str] = {
    "supermarket": "supermarket",
    "super store": "supermarket",
    "superstore": "supermarket",
    "supercenter": "supermarket",
    "large grocery store": "supermarket",
    "medium grocery store": "grocery",
    "small grocery store": "grocery",
    "grocery store": "grocery",
    "convenience store": "convenience",
    "combination grocery/other": "other",
    "farmers and markets": "farmers_market",
    "farmers market": "farmers_market",
    "direct marketing farmer": "farmers_market",
    "meat/poultry specialty": "specialty",
    "fruits/veg specialty": "specialty",
    "bakery specialty": "specialty",
    "seafood specialty": "specialty",
    "specialty food store": "specialty",
}

#: Square feet from which a store on a list with sizes is a supermarket (Chicago's 2013
#: list marks stores of 10,000 sq ft or more with buffer size "A").
SUPERMARKET_MIN_SQFT = 10_000.0

_PRESETS = ("achd", "wprdc", "chicago_grocery", "snap")
_SITE_PRESETS = ("growpgh", "cfp_growpgh", "food_bank", "neighborspace")


def normalise_name(name: object) -> str:
    """Lower case, apostrophes dropped, ``&`` as ``and``, other punctuation as single spaces."""
    if name is None or (isinstance(name, float) and np.isnan(name)):
        return ""
    text = str(name).lower().replace("&", " and ")
    text = re.sub(r"['\u2019`]", "", text)
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def classify_store_name(name: object, *, default: str = "other") -> tuple[str, str]:
    """Kind of a store from its name by :data:`NAME_RULES`; returns ``(kind, rule)``."""
    text = normalise_name(name)
    for kind, pat in _COMPILED:
        m = pat.search(text)
        if m:
            return kind, f"name '{m.group(0)}'"
    return default, "no keyword"


def _stores_frame(
    gdf: gpd.GeoDataFrame,
    *,
    prefix: str,
    name_col: str | None,
    id_col: str | None,
    kinds: list[str],
    rules: list[str],
    extra: Mapping[str, pd.Series] | None = None,
) -> gpd.GeoDataFrame:
    ids = None
    if id_col is not None and id_col in gdf:
        raw = gdf[id_col].astype("string").str.strip().str.replace(r"\.0$", "", regex=True)
        if raw.notna().all() and raw.is_unique:
            ids = prefix + "-" + raw.astype(str)
    if ids is None:
        ids = [f"{prefix}-{int(r):04d}" for r in gdf["source_row"]]
    out = pd.DataFrame(
        {
            "store_id": list(ids),
            "kind": kinds,
            "name": gdf[name_col].str.strip().to_numpy() if name_col else None,
            "kind_rule": rules,
            "source": prefix,
            "source_row": gdf["source_row"].to_numpy(),
        }
    )
    for k, v in (extra or {}).items():
        out[k] = np.asarray(v)
    return gpd.GeoDataFrame(out, geometry=gdf.geometry.to_numpy(), crs=gdf.crs)


def _coords(
    found: list[str], columns: Mapping[str, str], path: Path, table: str
) -> tuple[str, str]:
    lon, lat = find_lon_lat(found)
    lon, lat = columns.get("lon", lon), columns.get("lat", lat)
    if lon is None or lat is None:
        msg = (
            f"no longitude/latitude columns; found {found}. Pass columns={{'lon': ..., "
            "'lat': ...}}"
        )
        raise ValidationError([Problem(table, msg, file=str(path), column="latitude")])
    return lon, lat


def read_snap_retailers(
    path: str | os.PathLike[str],
    *,
    county: str | None = None,
    default_kind: str = "other",
    prefix: str = "snap",
) -> gpd.GeoDataFrame:
    """Read a USDA SNAP authorised-retailer list into a stores frame.

    With a ``Store_Type`` column its value decides (:data:`SNAP_STORE_TYPES`); without one, or
    for ``Combination Grocery/Other``, the name keywords of :data:`NAME_RULES` do; names that
    match no rule get ``default_kind``. ``kind_rule`` says which rule fired. ``county`` keeps
    one county by name (``"Allegheny"``; trailing spaces and case are ignored). Rows without
    coordinates are left out with a warning in ``frame.attrs["problems"]``.
    """
    p = as_path(path)
    found = header(p)
    name_col = pick(found, "Store_Name", "STORE_NAME", "Store Name", "name")
    if name_col is None:
        msg = f"missing column 'Store_Name'; found {found}. Is this a USDA SNAP retailer list?"
        raise ValidationError([Problem("stores", msg, file=str(p), column="Store_Name")])
    lon, lat = _coords(found, {}, p, "stores")
    type_col = pick(found, "Store_Type", "Store Type", "STORE_TYPE", "type")
    county_col = pick(found, "County", "COUNTY")
    id_col = pick(found, "ObjectId", "OBJECTID", "Record_ID", "original_id")
    opt = [c for c in (type_col, county_col, id_col) if c]
    opt += [c for c in (pick(found, "Address", "ADDRESS", "address"),) if c]
    df = read_text_csv(p, table="stores", required=(name_col, lon, lat), optional=opt)
    if county is not None:
        if county_col is None:
            msg = f"county={county!r} was given but the file has no County column; found {found}"
            raise ValidationError([Problem("stores", msg, file=str(p), column="County")])
        want = re.sub(r"\s+county$", "", str(county).strip().lower())
        have = df[county_col].str.strip().str.lower().str.replace(r"\s+county$", "", regex=True)
        before = len(df)
        df = df[(have == want).to_numpy()]
        require_rows(df, path=p, table="stores", what=f"county={county!r}", before=before)
    warnings: list[Problem] = []
    gdf = points(df, lon_col=lon, lat_col=lat, path=p, table="stores", warnings=warnings)
    kinds, rules = [], []
    for i, name in enumerate(gdf[name_col]):
        stype = gdf[type_col].iloc[i] if type_col else None
        mapped = (
            SNAP_STORE_TYPES.get(str(stype).strip().lower()) if isinstance(stype, str) else None
        )
        if mapped is not None and mapped != "other":
            kinds.append(mapped)
            rules.append(f"store type '{str(stype).strip()}'")
        else:
            k, r = classify_store_name(name, default=default_kind)
            kinds.append(k)
            rules.append(r)
    out = _stores_frame(
        gdf, prefix=prefix, name_col=name_col, id_col=id_col, kinds=kinds, rules=rules
    )
    notes = ["kind from " + ("Store_Type, then name keywords" if type_col else "name keywords")]
    attach(out, source=str(p), notes=notes, problems=warnings)
    return out


def read_store_list(
    path: str | os.PathLike[str],
    *,
    kind: str = "auto",
    columns: Mapping[str, str] | None = None,
    supermarket_min_sqft: float = SUPERMARKET_MIN_SQFT,
    trust_category: bool = False,
    prefix: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a list of food stores into a stores frame.

    Parameters
    ----------
    path
        A CSV with longitude/latitude columns.
    kind
        The list's layout: ``"achd"`` (Allegheny County Health Dept., ``Category`` =
        Supermarket / Convenience Store; see ``trust_category``), ``"wprdc"`` (WPRDC supermarkets: all supermarkets),
        ``"chicago_grocery"`` (Chicago's grocery stores with ``SQUARE FEET``: supermarket at
        ``supermarket_min_sqft`` or more, or a known chain; smaller stores are grocery unless
        their name says convenience), ``"snap"`` (see :func:`read_snap_retailers`), ``"auto"``
        (recognise one of those from the header), or a store kind from
        :data:`~equity.contracts.STORE_KINDS` that every row is (e.g. ``"farmers_market"``).
    columns
        Column names when they are not found automatically: ``name``, ``lon``, ``lat``,
        ``id``, ``area_sqft``, ``kind`` (a column holding a kind per row).
    trust_category
        With the ``"achd"`` layout, whether its ``Category`` "Supermarket" makes a supermarket.
        It is a health-licence class, not a size class (it covers corner markets and
        delis), so by default such a row is a supermarket only when its name is a supermarket
        chain (:data:`NAME_RULES`); otherwise it takes the kind its name says, or ``grocery``.
        ``Category`` "Convenience Store" is always trusted.
    prefix
        Prefix of ``store_id`` (default: the layout name).
    """
    p = as_path(path)
    cols = dict(columns or {})
    found = header(p)
    preset = kind
    if kind == "auto":
        if "Category" in found and "Client ID" in found:
            preset = "achd"
        elif "asset_type" in found:
            preset = "wprdc"
        elif "SQUARE FEET" in found:
            preset = "chicago_grocery"
        elif pick(found, "Store_Name", "STORE_NAME"):
            preset = "snap"
        else:
            msg = (
                f"cannot tell what list this is from its columns {found}; pass kind= one of "
                f"{_PRESETS} or a store kind {STORE_KINDS}"
            )
            raise ValidationError([Problem("stores", msg, file=str(p))])
    if preset == "snap":
        return read_snap_retailers(p, prefix=prefix or "snap")
    if preset not in _PRESETS and preset not in STORE_KINDS:
        close = difflib.get_close_matches(preset, (*_PRESETS, *STORE_KINDS), n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        msg = f"kind {kind!r} is not a list layout {_PRESETS} nor a store kind {STORE_KINDS}.{hint}"
        raise ValueError(msg)
    defaults = {
        "achd": {"name": "Name", "id": "Client ID", "kind": "Category"},
        "wprdc": {"name": "name", "id": "primary_key_from_rocket"},
        "chicago_grocery": {"name": "STORE NAME", "id": "LICENSE ID", "area_sqft": "SQUARE FEET"},
    }.get(preset, {})
    spec = {**defaults, **cols}
    spec.setdefault("name", pick(found, "name", "store_name", "store name", "site_name") or "")
    lon, lat = _coords(found, cols, p, "stores")
    required = [
        c for c in (spec.get("name"), lon, lat, spec.get("kind"), spec.get("area_sqft")) if c
    ]
    optional = [
        c for c in (spec.get("id"), "BUFFER SIZE", pick(found, "address", "Street_Address")) if c
    ]
    df = read_text_csv(p, table="stores", required=required, optional=optional)
    warnings: list[Problem] = []
    gdf = points(df, lon_col=lon, lat_col=lat, path=p, table="stores", warnings=warnings)
    name_col = spec.get("name") or None
    names = gdf[name_col] if name_col else pd.Series([None] * len(gdf))
    if name_col is None:
        warnings.append(no_name_warning(found, path=p, table="stores", taken=(lon, lat)))
    extra: dict[str, pd.Series] = {}
    errors: list[Problem] = []
    if spec.get("area_sqft"):
        sqft = numbers(
            gdf,
            spec["area_sqft"],
            path=p,
            table="stores",
            problems=errors,
            rows=gdf["source_row"].to_numpy(),
        )
        extra["area_sqft"] = sqft
    kinds, rules = [], []
    for i, name in enumerate(names):
        row = int(gdf["source_row"].iloc[i])
        if preset == "achd" or (spec.get("kind") and preset not in _PRESETS):
            raw = gdf[spec["kind"]].iloc[i]
            k = normalise_name(raw).replace("convenience store", "convenience").replace(" ", "_")
            if preset == "achd" and k == "supermarket" and not trust_category:
                k, why = classify_store_name(name, default="grocery")
                k = "grocery" if k == "other" else k
                kinds.append(k)
                rules.append(f"{spec['kind']} '{raw}' (licence class); {why}")
                continue
            if k not in STORE_KINDS:
                msg = (
                    f"'{spec['kind']}' value {raw!r} is not a store kind; use one of {STORE_KINDS}"
                )
                errors.append(Problem("stores", msg, file=str(p), row=row, column=spec["kind"]))
            kinds.append(k)
            rules.append(f"{spec['kind']} '{raw}'")
        elif preset == "wprdc":
            kinds.append("supermarket")
            rules.append("WPRDC supermarket list")
        elif preset == "chicago_grocery":
            size = extra["area_sqft"].iloc[i]
            chain, why = classify_store_name(name)
            big = size >= supermarket_min_sqft if not np.isnan(size) else None
            if big is None and "BUFFER SIZE" in gdf:
                big = str(gdf["BUFFER SIZE"].iloc[i]).strip().upper() == "A"
                size_rule = f"no size; buffer size {'A' if big else 'B'}"
            else:
                size_rule = f"{size:,.0f} sq ft"
            if big:
                kinds.append("supermarket")
                rules.append(f"{size_rule} >= {supermarket_min_sqft:,.0f}")
            elif chain == "supermarket":
                kinds.append("supermarket")
                rules.append(f"chain {why}")
            elif chain in ("convenience", "pharmacy", "dollar_store"):
                kinds.append(chain)
                rules.append(why)
            else:
                kinds.append("grocery")
                rules.append(f"{size_rule} < {supermarket_min_sqft:,.0f}")
        else:
            kinds.append(preset)
            rules.append(f"every row of the list is {preset}")
    if errors:
        raise ValidationError(errors, title=f"{p}: {len(errors)} problem(s)")
    out = _stores_frame(
        gdf,
        prefix=prefix or preset.replace("_", ""),
        name_col=name_col,
        id_col=spec.get("id"),
        kinds=kinds,
        rules=rules,
        extra=extra,
    )
    attach(out, source=str(p), notes=[f"layout '{preset}'"], problems=warnings)
    return out


_GROWPGH_KINDS = {
    "community-garden": "garden",
    "school-garden": "garden",
    "other": "garden",
    "community-farm": "farm",
    "commercial-urban-farm": "farm",
    "grow-pittsburgh-site": "farm",
}


def read_site_list(
    path: str | os.PathLike[str],
    *,
    kind: str = "auto",
    columns: Mapping[str, str] | None = None,
    prefix: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a list of gardens, farms or food-bank sites into a sites frame.

    ``kind`` is a layout: ``"growpgh"`` (Grow Pittsburgh's directory, ``directory_category``),
    ``"cfp_growpgh"`` (the same in Code for Pittsburgh's schema, ``location_description``),
    ``"food_bank"`` (food-bank distribution sites: pantry), ``"neighborspace"`` (Chicago
    community gardens, GeoJSON: garden), ``"auto"``; or a site kind of
    :data:`~equity.contracts.SITE_KINDS` that every row is. Grow Pittsburgh categories map by
    their first entry: community/school garden and other -> garden; community farm,
    commercial urban farm and Grow Pittsburgh site -> farm. ``category`` keeps the original.
    """
    p = as_path(path)
    cols = dict(columns or {})
    suffix = p.suffix.lower()
    if suffix in (".geojson", ".json", ".gpkg", ".shp", ".zip"):
        gdf, _ = read_table(p, table="sites")
        found = [c for c in gdf.columns if c != "geometry"]
        preset = "neighborspace" if kind == "auto" and "SITE_NAME" in found else kind
        if preset == "auto":
            preset = "garden"
        gdf = gdf.to_crs("EPSG:4326") if gdf.crs is not None else gdf.set_crs("EPSG:4326")
        gdf = gdf.reset_index(drop=True)
        gdf["source_row"] = np.arange(1, len(gdf) + 1)
        warnings: list[Problem] = []
        empty = gdf.geometry.isna() | gdf.geometry.is_empty
        if empty.any():
            warnings.append(
                Problem(
                    "sites",
                    f"{int(empty.sum())} feature(s) without geometry were left out",
                    file=str(p),
                    severity="warning",
                )
            )
            gdf = gdf[~empty.to_numpy()].reset_index(drop=True)
        gdf["geometry"] = gdf.geometry.representative_point() if len(gdf) else gdf.geometry
        name_col = cols.get("name") or pick(found, "SITE_NAME", "name", "Name")
        cat_col = cols.get("category")
    else:
        found = header(p)
        preset = kind
        if kind == "auto":
            if "directory_category" in found:
                preset = "growpgh"
            elif "source_org" in found and "location_description" in found:
                # Code for Pittsburgh's common schema: the source organisation says which list.
                org = read_text_csv(p, table="sites", required=("source_org",))["source_org"]
                first = str(org.dropna().iloc[0]).lower() if org.notna().any() else ""
                if "grow pittsburgh" in first:
                    preset = "cfp_growpgh"
                elif "food bank" in first:
                    preset = "food_bank"
                else:
                    msg = (
                        f"a Code for Pittsburgh list from {first!r}: pass kind= one of "
                        f"{_SITE_PRESETS} or a site kind {SITE_KINDS}"
                    )
                    raise ValidationError([Problem("sites", msg, file=str(p))])
            else:
                msg = (
                    f"cannot tell what list this is from its columns {found}; pass kind= one "
                    f"of {_SITE_PRESETS} or a site kind {SITE_KINDS}"
                )
                raise ValidationError([Problem("sites", msg, file=str(p))])
        if preset == "growpgh":
            cols = {
                "name": "content_post_title",
                "category": "directory_category",
                "lon": "directory_location__lng",
                "lat": "directory_location__lat",
                **cols,
            }
        elif preset == "cfp_growpgh":
            cols = {"name": "name", "category": "location_description", **cols}
        name_col = cols.get("name") or pick(found, "name", "Name", "site_name")
        cat_col = cols.get("category")
        lon, lat = _coords(found, cols, p, "sites")
        req = [c for c in (name_col, cat_col, lon, lat) if c]
        df = read_text_csv(
            p, table="sites", required=req, optional=[c for c in (pick(found, "address"),) if c]
        )
        warnings = []
        gdf = points(df, lon_col=lon, lat_col=lat, path=p, table="sites", warnings=warnings)
    if not name_col:
        warnings.append(no_name_warning(found, path=p, table="sites"))
    if preset not in _SITE_PRESETS and preset not in SITE_KINDS:
        msg = f"kind {kind!r} is not a list layout {_SITE_PRESETS} nor a site kind {SITE_KINDS}"
        raise ValueError(msg)
    kinds, cats = [], []
    for i in range(len(gdf)):
        cat = gdf[cat_col].iloc[i] if cat_col else None
        cats.append(cat)
        if preset in ("growpgh", "cfp_growpgh"):
            first = str(cat).split(";")[0].strip().lower() if isinstance(cat, str) else "other"
            kinds.append(_GROWPGH_KINDS.get(first, "garden"))
        elif preset == "food_bank":
            kinds.append("pantry")
        elif preset == "neighborspace":
            kinds.append("garden")
        else:
            kinds.append(preset)
    pre = prefix or preset.replace("_", "")
    out = pd.DataFrame(
        {
            "site_id": [f"{pre}-{int(r):04d}" for r in gdf["source_row"]],
            "kind": kinds,
            "name": gdf[name_col].astype("string").str.strip().to_numpy() if name_col else None,
            "category": cats,
            "source": pre,
            "source_row": gdf["source_row"].to_numpy(),
        }
    )
    res = gpd.GeoDataFrame(out, geometry=gdf.geometry.to_numpy(), crs=gdf.crs)
    attach(res, source=str(p), notes=[f"layout '{preset}'"], problems=warnings)
    return res


_STOP = {"the", "inc", "llc", "co", "corp", "store", "stores", "company", "ltd", "of", "and"}


def _tokens(name: object) -> list[str]:
    return [t for t in normalise_name(name).split() if t not in _STOP and not t.isdigit()]


def similar_names(a: object, b: object, *, min_ratio: float = 0.6) -> bool:
    """Whether two store names plausibly name one store: after dropping store numbers and
    words like "inc"/"store", one name's words contain the other's, they share a first word
    of 4+ letters, or their difflib ratio is at least ``min_ratio``."""
    ta, tb = _tokens(a), _tokens(b)
    if not ta or not tb:
        return False
    sa, sb = set(ta), set(tb)
    if sa <= sb or sb <= sa:
        return True
    if ta[0] == tb[0] and len(ta[0]) >= 4:
        return True
    return difflib.SequenceMatcher(None, " ".join(ta), " ".join(tb)).ratio() >= min_ratio


def dedupe_stores(
    *frames: gpd.GeoDataFrame, distance_m: float = 100.0, min_ratio: float = 0.6
) -> gpd.GeoDataFrame:
    """Merge store lists, keeping one row for a store that is on several lists.

    Lists are taken in order of trust: a row of a later list within ``distance_m`` of a kept
    row of an *earlier* list, with a similar name (:func:`similar_names`), is the same store.
    The kept row keeps its id and kind, takes ``area_sqft``/``name`` it lacked, and its
    ``sources`` column lists every list it was found on (``"achd;snap"``). Rows of one list
    are never merged with each other. Distances are computed in the local UTM zone.
    """
    frames = tuple(f for f in frames if f is not None and len(f))
    if not frames:
        msg = "dedupe_stores needs at least one non-empty stores frame"
        raise ValueError(msg)
    utm = utm_crs(frames[0])
    kept = frames[0].to_crs(utm).copy()
    kept["sources"] = kept["source"] if "source" in kept.columns else "list1"
    merged = 0
    for n, frame in enumerate(frames[1:], start=2):
        f = frame.to_crs(utm)
        label = f["source"].iloc[0] if "source" in f else f"list{n}"
        tree = shapely.STRtree(kept.geometry.to_numpy())
        src, dst = tree.query(f.geometry.to_numpy(), predicate="dwithin", distance=distance_m)
        taken: set[int] = set()
        matched = np.zeros(len(f), dtype=bool)
        dist = shapely.distance(f.geometry.to_numpy()[src], kept.geometry.to_numpy()[dst])
        new_names = f["name"].to_numpy() if "name" in f else np.full(len(f), None)
        old_names = kept["name"].to_numpy() if "name" in kept else np.full(len(kept), None)
        labels = kept["sources"].to_numpy().copy()
        new_sqft = f["area_sqft"].to_numpy(float) if "area_sqft" in f else None
        old_sqft = (
            kept["area_sqft"].to_numpy(float).copy()
            if "area_sqft" in kept
            else np.full(len(kept), np.nan)
        )
        for k in np.argsort(dist, kind="stable"):
            i, j = int(src[k]), int(dst[k])
            if matched[i] or j in taken:
                continue
            if similar_names(new_names[i], old_names[j], min_ratio=min_ratio):
                matched[i] = True
                taken.add(j)
                labels[j] = f"{labels[j]};{label}"
                if new_sqft is not None and np.isnan(old_sqft[j]):
                    old_sqft[j] = new_sqft[i]
        kept["sources"] = labels
        if new_sqft is not None or "area_sqft" in kept:
            kept["area_sqft"] = old_sqft
        merged += int(matched.sum())
        rest = f[~matched].copy()
        rest["sources"] = label
        kept = pd.concat([kept, rest], ignore_index=True)
    dup = kept["store_id"].duplicated()
    if dup.any():
        first = kept["store_id"][dup].iloc[0]
        msg = f"store_id {first!r} is on two lists; give the lists different prefixes"
        raise ValueError(msg)
    out = gpd.GeoDataFrame(kept, geometry="geometry", crs=utm).to_crs(frames[0].crs)
    out.attrs = {
        "notes": [
            f"{merged} store(s) found on an earlier list within {distance_m:g} m under a "
            "similar name were merged"
        ],
        "merged": merged,
    }
    return out

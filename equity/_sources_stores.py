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

from ._errors import ConfigError, Problem, ValidationError
from ._sources_common import (
    as_path,
    attach,
    header,
    no_name_warning,
    numbers,
    pick,
    place_points,
    points,
    read_text_csv,
    require_rows,
    utm_crs,
)
from .contracts import SITE_KINDS, STORE_KINDS
from .io import find_lon_lat, read_table
from .store_classes import (
    NAME_RULES,
    SNAP_STORE_TYPES,
    SUPERMARKET_MIN_SQFT,
    classify_store_name,
    classify_stores,
    normalise_name,
)

__all__ = [
    "NAME_RULES",
    "SNAP_STORE_TYPES",
    "SUPERMARKET_MIN_SQFT",
    "classify_store_name",
    "dedupe_stores",
    "normalise_name",
    "read_site_list",
    "read_snap_retailers",
    "read_store_list",
    "similar_names",
]

_PRESETS = ("achd", "wprdc", "chicago_grocery", "chicago_grocery_status", "snap")
_SITE_PRESETS = ("growpgh", "cfp_growpgh", "food_bank", "neighborspace")


def _pass_kind(p: Path, table: str, seen: str) -> ValidationError:
    """The error for a list whose layout cannot be told (``seen`` says why): it names the
    ``kind=`` values of ``table`` ("stores" or "sites") that would read it."""
    presets, kinds = (_PRESETS, STORE_KINDS) if table == "stores" else (_SITE_PRESETS, SITE_KINDS)
    msg = f"{seen} pass kind= one of {presets} or a {table[:-1]} kind {kinds}"
    return ValidationError([Problem(table, msg, file=str(p))])


def _stores_frame(
    gdf: gpd.GeoDataFrame,
    *,
    prefix: str,
    name_col: str | None,
    id_col: str | None,
    evidence: Mapping[str, object] | None = None,
    default_kind: str = "other",
    kind: str | None = None,
    min_sqft: float = SUPERMARKET_MIN_SQFT,
) -> gpd.GeoDataFrame:
    """A stores frame from read rows: ids, name, the evidence columns (``store_type``,
    ``area_sqft``, ``sales_usd``, ``list_kind``), and the kind :func:`classify_stores` gives
    (or ``kind`` for every row of a one-kind list)."""
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
            "name": gdf[name_col].str.strip().to_numpy() if name_col else None,
        }
    )
    for k, v in (evidence or {}).items():
        text = k in ("store_type", "list_kind", "state")
        out[k] = np.asarray(v, dtype=object if text else float)
    if kind is None:
        out = classify_stores(out, default_kind=default_kind, min_sqft=min_sqft)
    else:
        out["kind"] = kind
        out["kind_rule"] = "list"
        out["kind_reason"] = f"every row of the list is {kind}"
    out["source"] = prefix
    out["source_row"] = gdf["source_row"].to_numpy()
    first = ["store_id", "kind", "name", "kind_rule", "kind_reason", "source", "source_row"]
    out = out[first + [c for c in out.columns if c not in first]]
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
    state: str | None = None,
    prefix: str = "snap",
    active_on: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a USDA SNAP authorised-retailer list into a stores frame.

    Kinds come from :func:`~equity.store_classes.classify_stores`: a ``Store_Type`` column
    (kept as ``store_type``) decides where the type names one class
    (:data:`SNAP_STORE_TYPES`); otherwise (no column, or an ambiguous type such as the 2020s
    "Grocery Store" or "Combination Grocery/Other") supermarket banners and name keywords
    do; a store that nothing decides gets the ambiguous type's kind, else ``default_kind``.
    ``kind_rule`` and ``kind_reason`` say which rule fired and why. A type that is not a
    SNAP type is reported as a warning. The file's ``State`` column (else ``state``, a USPS
    code) is kept as ``state``, for banners limited to some states. ``county`` keeps
    one county by name (``"Allegheny"``; trailing spaces and case are ignored). Rows without
    coordinates are left out with a warning in ``frame.attrs["problems"]``.

    ``active_on`` (a date, ``"2019-06-30"``) keeps the stores authorised on that day, for a
    list of several years: FNS's historical retailer data (``Authorization Date`` on or before
    the day, ``End Date`` blank or on or after it) or a yearly panel with one 0/1 column per
    year (``Y2019``: on that year's list). The Atlas 2019 used the 2019 lists. A row repeated
    with the same id, name, type and place (panels and joined lists repeat rows) is kept once,
    with a note.
    """
    p = as_path(path)
    found = header(p)
    name_col = pick(found, "Store_Name", "STORE_NAME", "Store Name", "store_name", "name")
    if name_col is None:
        msg = f"missing column 'Store_Name'; found {found}. Is this a USDA SNAP retailer list?"
        raise ValidationError([Problem("stores", msg, file=str(p), column="Store_Name")])
    lon, lat = _coords(found, {}, p, "stores")
    type_col = pick(found, "Store_Type", "Store Type", "STORE_TYPE", "store_type", "type")
    county_col = pick(found, "County", "COUNTY")
    state_col = pick(found, "State", "STATE")
    id_col = pick(
        found, "ObjectId", "OBJECTID", "Record_ID", "Record ID", "original_id", "store_id"
    )
    dates = _authorisation_columns(found, active_on, p)
    opt = [c for c in (type_col, county_col, state_col, id_col, *dates) if c]
    opt += [c for c in (pick(found, "Address", "ADDRESS", "address"),) if c]
    df = read_text_csv(p, table="stores", required=(name_col, lon, lat), optional=opt)
    notes: list[str] = []
    if active_on is not None:
        before = len(df)
        undated = 0
        if len(dates) == 2:  # a store without a start date cannot be known to be authorised
            start = df[dates[0]].str.strip()
            undated = int((start.isna() | (start == "")).sum())
        df = df[_active(df, dates, active_on, p).to_numpy()]
        require_rows(df, path=p, table="stores", what=f"active_on={active_on!r}", before=before)
        notes.append(f"{len(df):,} of {before:,} rows authorised on {active_on}")
        if len(dates) == 2:
            df, spells = _latest_spell(df, (name_col, lon, lat), dates[0])
            if spells:
                notes.append(
                    f"{spells:,} store(s) with two authorisations on {active_on} (one ending "
                    f"that day as the next begins): the one that began last kept"
                )
        if undated:
            notes.append(
                f"{undated:,} row(s) with no {dates[0]} left out (not known to be authorised "
                f"on {active_on})"
            )
    same = [c for c in (id_col, name_col, type_col, lon, lat) if c]
    repeated = df.duplicated(subset=same)
    if repeated.any():
        df = df[~repeated.to_numpy()]
        notes.append(f"{int(repeated.sum()):,} repeated row(s) (same {', '.join(same)}) kept once")
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
    evidence: dict[str, object] = {}
    if type_col:
        types = gdf[type_col].astype(object)
        evidence["store_type"] = types.where(types.notna(), None).str.strip().to_numpy()
    if state_col:
        st = gdf[state_col].astype(object)
        evidence["state"] = st.where(st.notna(), None).str.strip().str.upper().to_numpy()
    elif state is not None:
        evidence["state"] = [str(state).strip().upper()] * len(gdf)
    out = _stores_frame(
        gdf,
        prefix=prefix,
        name_col=name_col,
        id_col=id_col,
        evidence=evidence,
        default_kind=default_kind,
    )
    unknown = out.attrs.get("unknown_store_types", [])
    if unknown:
        warnings.append(
            Problem(
                "stores",
                f"store type(s) {unknown} are not USDA SNAP store types; those stores were "
                "classified by name (see equity.sources.SNAP_STORE_TYPES)",
                file=str(p),
                column=type_col,
                severity="warning",
            )
        )
    notes.insert(
        0,
        "kind by classify_stores from "
        + ("Store_Type, banners and name keywords" if type_col else "banners and name keywords"),
    )
    attach(out, source=str(p), notes=notes, problems=warnings)
    return out


def _authorisation_columns(found: list[str], active_on: str | None, p: Path) -> tuple[str, ...]:
    """The columns that say when a store was authorised: ``(start, end)`` of FNS's historical
    data, or ``(Y<year>,)`` of a yearly panel; ``()`` without ``active_on``."""
    if active_on is None:
        return ()
    try:
        when = pd.Timestamp(active_on)
    except (ValueError, TypeError) as exc:
        msg = f"active_on={active_on!r} is not a date; give one such as '2019-06-30'"
        raise ValidationError([Problem("stores", msg, file=str(p))]) from exc
    start = pick(found, "Authorization Date", "Authorization_Date", "AUTHORIZATION_DATE")
    end = pick(found, "End Date", "End_Date", "END_DATE")
    if start and end:
        return (start, end)
    year = pick(found, f"Y{when.year}")
    if year:
        return (year,)
    msg = (
        f"active_on={active_on!r} needs the dates a store was authorised ('Authorization Date' "
        f"and 'End Date', as in FNS's historical retailer data) or a 0/1 column for the year "
        f"('Y{when.year}'); found {found}. A list of one date needs no active_on."
    )
    raise ValidationError([Problem("stores", msg, file=str(p), column="Authorization Date")])


def _latest_spell(df: pd.DataFrame, store: tuple[str, ...], start: str) -> tuple[pd.DataFrame, int]:
    """``df`` with one row per store (same name and coordinates): the authorisation that began
    last. On the day one authorisation of a store ends and the next begins (often with another
    store type), both are active; the store is one store, as it is from the next day. Also the
    number of stores that had more than one row."""
    began = _days(df[start].str.strip())
    key = df[list(store)].apply(lambda c: c.str.strip().str.upper())
    order = pd.DataFrame({"began": began.to_numpy()}, index=df.index)
    ranked = order.assign(**{f"k{i}": key[c] for i, c in enumerate(store)})
    ranked = ranked.sort_values("began", kind="stable")
    last = ~ranked.duplicated(subset=[f"k{i}" for i in range(len(store))], keep="last")
    keep = last.reindex(df.index)
    several = int(ranked.duplicated(subset=[f"k{i}" for i in range(len(store))]).sum())
    return df[keep.to_numpy()], several


def _days(text: pd.Series) -> pd.Series:
    """Dates written MM/DD/YYYY (FNS's lists) or YYYY-MM-DD; NaT for anything else."""
    day = pd.to_datetime(text, format="%m/%d/%Y", errors="coerce")
    return day.fillna(pd.to_datetime(text, format="%Y-%m-%d", errors="coerce"))


def _active(df: pd.DataFrame, cols: tuple[str, ...], active_on: str, p: Path) -> pd.Series:
    """Rows authorised on ``active_on`` (see :func:`_authorisation_columns`)."""
    when = pd.Timestamp(active_on)
    if len(cols) == 1:
        flag = df[cols[0]].str.strip()
        bad = flag.notna() & ~flag.isin(["0", "1", "0.0", "1.0"])
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            row = int(df.index[i]) + 1
            msg = f"{cols[0]} must be 0 or 1 (on that year's list); row {row} has {flag.iloc[i]!r}"
            raise ValidationError([Problem("stores", msg, file=str(p), row=row, column=cols[0])])
        return flag.isin(["1", "1.0"])
    days = {}
    for c in cols:
        text = df[c].str.strip()
        day = _days(text)
        bad = text.notna() & (text != "") & day.isna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            row = int(df.index[i]) + 1
            msg = f"{c} must be a date (MM/DD/YYYY or YYYY-MM-DD); row {row} has {text.iloc[i]!r}"
            raise ValidationError([Problem("stores", msg, file=str(p), row=row, column=c)])
        days[c] = day
    start, end = cols
    return (days[start] <= when) & (days[end].isna() | (days[end] >= when))


def read_store_list(
    path: str | os.PathLike[str],
    *,
    kind: str = "auto",
    columns: Mapping[str, str] | None = None,
    supermarket_min_sqft: float = SUPERMARKET_MIN_SQFT,
    trust_category: bool | None = None,
    state: str | None = None,
    prefix: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a list of food stores into a stores frame.

    Parameters
    ----------
    path
        A CSV with longitude/latitude columns.
    kind
        The list's layout: ``"achd"`` (Allegheny County Health Dept., ``Category`` =
        Supermarket / Convenience Store; see ``trust_category``), ``"wprdc"`` (WPRDC
        supermarkets: "supermarket" is the list's kind for every row; see
        ``trust_category``),
        ``"chicago_grocery"`` (Chicago's grocery stores with ``SQUARE FEET``: supermarket at
        ``supermarket_min_sqft`` or more, or a supermarket banner; smaller stores are grocery
        unless their name says convenience), ``"chicago_grocery_status"`` (the city's 2020
        "Grocery Store Status" list: names only, so banners and name keywords decide, else
        grocery), ``"snap"`` (see :func:`read_snap_retailers`), ``"auto"``
        (recognise one of those from the header), or a store kind from
        :data:`~equity.contracts.STORE_KINDS` that every row is (e.g. ``"farmers_market"``).
    columns
        Column names when they are not found automatically: ``name``, ``lon``, ``lat``,
        ``id``, ``area_sqft``, ``kind`` (a column holding a kind per row).
    trust_category
        Whether a supermarket class the list states is the row's kind (rule ``list`` of
        :func:`~equity.store_classes.classify_stores`, after type, banner and size). Default:
        yes for ``"wprdc"`` (a list published as the county's supermarkets), no for
        ``"achd"``, whose ``Category`` "Supermarket" is a health-licence class in a mixed
        licence list, not a size class (it covers corner markets and delis): by default such
        a row is a supermarket only when its name is a supermarket banner; otherwise it
        takes the kind its name says, or ``grocery``.
        ``Category`` "Convenience Store" is the list's kind for its rows.
    state
        The USPS code of the state the list covers (``"PA"``), kept as ``state``: banners
        that are also common store names ("City Market") match only in their states.

    Returns
    -------
    GeoDataFrame
        A stores frame classified by :func:`~equity.store_classes.classify_stores`
        (``kind``, ``kind_rule``, ``kind_reason``), with the evidence it used (``area_sqft``,
        ``list_kind``) as columns.
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
        elif "New status" in found and "Store Name" in found:
            preset = "chicago_grocery_status"
        elif pick(found, "Store_Name", "STORE_NAME"):
            preset = "snap"
        else:
            raise _pass_kind(
                p, "stores", f"cannot tell what list this is from its columns {found};"
            )
    if preset == "snap":
        return read_snap_retailers(p, prefix=prefix or "snap", state=state)
    if preset not in _PRESETS and preset not in STORE_KINDS:
        close = difflib.get_close_matches(preset, (*_PRESETS, *STORE_KINDS), n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        msg = f"kind {kind!r} is not a list layout {_PRESETS} nor a store kind {STORE_KINDS}.{hint}"
        raise ConfigError(msg)
    defaults = {
        "achd": {"name": "Name", "id": "Client ID", "kind": "Category"},
        "wprdc": {"name": "name", "id": "primary_key_from_rocket"},
        "chicago_grocery": {"name": "STORE NAME", "id": "LICENSE ID", "area_sqft": "SQUARE FEET"},
        "chicago_grocery_status": {"name": "Store Name"},
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
    if errors:
        raise ValidationError(errors, title=f"{p}: {len(errors)} problem(s)")
    n = len(gdf)
    listed: list[object] = [None] * n
    one_kind: str | None = None
    default_kind = "grocery"
    if preset == "achd" or (spec.get("kind") and preset not in _PRESETS):
        for i in range(n):
            raw = gdf[spec["kind"]].iloc[i]
            k = normalise_name(raw).replace("convenience store", "convenience").replace(" ", "_")
            if preset == "achd" and k == "supermarket" and not trust_category:
                continue  # a licence class, not a size class: banners and names decide
            if k not in STORE_KINDS:
                row = int(gdf["source_row"].iloc[i])
                msg = (
                    f"'{spec['kind']}' value {raw!r} is not a store kind; use one of {STORE_KINDS}"
                )
                errors.append(Problem("stores", msg, file=str(p), row=row, column=spec["kind"]))
            listed[i] = k
        if preset != "achd":
            default_kind = "other"
    elif preset == "wprdc" and trust_category is not False:
        listed = ["supermarket"] * n
    elif preset == "chicago_grocery" and "BUFFER SIZE" in gdf:
        # without a size, the list's own buffer size A means 10,000 sq ft or more
        buffer_a = gdf["BUFFER SIZE"].astype(str).str.strip().str.upper().eq("A").to_numpy()
        nosize = np.isnan(extra["area_sqft"].to_numpy(float))
        listed = ["supermarket" if a and m else None for a, m in zip(buffer_a, nosize, strict=True)]
    elif preset not in _PRESETS:
        one_kind = preset
    if errors:
        raise ValidationError(errors, title=f"{p}: {len(errors)} problem(s)")
    evidence: dict[str, object] = dict(extra)
    if state is not None:
        evidence["state"] = [str(state).strip().upper()] * n
    if any(v is not None for v in listed):
        evidence["list_kind"] = listed
    out = _stores_frame(
        gdf,
        prefix=prefix or preset.replace("_", ""),
        name_col=name_col,
        id_col=spec.get("id"),
        evidence=evidence,
        default_kind=default_kind,
        kind=one_kind,
        min_sqft=supermarket_min_sqft,
    )
    notes = [f"layout '{preset}'", *df.attrs.get("notes", [])]
    attach(out, source=str(p), notes=notes, problems=warnings)
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
        pts, shape_notes = place_points(
            gdf.geometry, path=p, table="sites", rows=gdf["source_row"].tolist()
        )
        gdf["geometry"] = pts
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
                    raise _pass_kind(p, "sites", f"a Code for Pittsburgh list from {first!r}:")
            else:
                raise _pass_kind(
                    p, "sites", f"cannot tell what list this is from its columns {found};"
                )
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
        shape_notes = list(df.attrs.get("notes", []))
        gdf = points(df, lon_col=lon, lat_col=lat, path=p, table="sites", warnings=warnings)
    if not name_col:
        warnings.append(no_name_warning(found, path=p, table="sites"))
    if preset not in _SITE_PRESETS and preset not in SITE_KINDS:
        msg = f"kind {kind!r} is not a list layout {_SITE_PRESETS} nor a site kind {SITE_KINDS}"
        raise ConfigError(msg)
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
    attach(res, source=str(p), notes=[f"layout '{preset}'", *shape_notes], problems=warnings)
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
    The kept row keeps its id, name and place, takes the evidence it lacked from the later
    row (``store_type``, ``area_sqft``, ``sales_usd``; ``name`` if it had none), and is
    classified again from all of it (:func:`~equity.store_classes.classify_stores`, with its
    earlier kind as the default); its ``sources`` column lists every list it was found on
    (``"achd;snap"``). Rows of one list are never merged with each other. Distances are
    computed in the local UTM zone.
    """
    frames = tuple(f for f in frames if f is not None and len(f))
    if not frames:
        msg = "dedupe_stores needs at least one non-empty stores frame"
        raise ConfigError(msg)
    utm = utm_crs(frames[0])
    kept = frames[0].to_crs(utm).copy()
    if "sources" not in kept.columns:
        kept["sources"] = kept["source"] if "source" in kept.columns else "list1"
    gained = np.zeros(len(kept), dtype=bool)
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
        fill = {c: f[c].to_numpy() for c in _EVIDENCE if c in f}
        have = {
            c: (kept[c].to_numpy(object).copy() if c in kept else np.full(len(kept), None))
            for c in fill
        }
        for k in np.argsort(dist, kind="stable"):
            i, j = int(src[k]), int(dst[k])
            if matched[i] or j in taken:
                continue
            if similar_names(new_names[i], old_names[j], min_ratio=min_ratio):
                matched[i] = True
                taken.add(j)
                labels[j] = f"{labels[j]};{label}"
                for c, values in fill.items():
                    if _missing(have[c][j]) and not _missing(values[i]):
                        have[c][j] = values[i]
                        gained[j] = True
        kept["sources"] = labels
        for c, values in have.items():
            kept[c] = values.astype(float) if c in ("area_sqft", "sales_usd") else values
        merged += int(matched.sum())
        rest = f[~matched].copy()
        rest["sources"] = label
        kept = pd.concat([kept, rest], ignore_index=True)
        gained = np.concatenate([gained, np.zeros(len(rest), dtype=bool)])
    dup = kept["store_id"].duplicated()
    if dup.any():
        first = kept["store_id"][dup].iloc[0]
        msg = f"store_id {first!r} is on two lists; give the lists different prefixes"
        raise ConfigError(msg)
    notes = [
        f"{merged} store(s) found on an earlier list within {distance_m:g} m under a "
        "similar name were merged"
    ]
    if gained.any():
        idx = np.flatnonzero(gained)
        again = pd.concat(
            [classify_stores(kept.iloc[[i]], default_kind=str(kept["kind"].iloc[i])) for i in idx]
        )
        changed = int((again["kind"].to_numpy() != kept["kind"].to_numpy()[idx]).sum())
        for c in ("kind", "kind_rule", "kind_reason"):
            col = kept[c].to_numpy(object).copy() if c in kept else np.full(len(kept), None)
            col[idx] = again[c].to_numpy(object)
            kept[c] = col
        notes.append(
            f"{len(idx)} merged store(s) gained a store type, size or sales from a later list "
            f"and were classified again ({changed} changed kind)"
        )
    out = gpd.GeoDataFrame(kept, geometry="geometry", crs=utm).to_crs(frames[0].crs)
    out.attrs = {"notes": notes, "merged": merged}
    return out


#: Columns a merged store takes from a later list when it lacks them.
_EVIDENCE = ("store_type", "area_sqft", "sales_usd", "name")


def _missing(v: object) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))

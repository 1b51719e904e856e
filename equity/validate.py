"""Check tables against the contracts of :mod:`equity.contracts`, collecting every problem.

:func:`check_table` looks at one table alone (columns, ids, numbers, geometry);
:func:`check_references` looks across tables (ids that must exist, points that should lie in the
region, CRSs). Both return cleaned copies and a list of :class:`~equity.Problem`; neither raises
for bad data, so that a user sees everything wrong in one report.
"""

from __future__ import annotations

import difflib
import re
import warnings
from collections.abc import Callable, Iterable, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.validation import make_valid

from ._errors import Problem
from .access import M_PER_MILE
from .contracts import TABLES, Column, TableSpec

__all__ = ["SYNONYMS", "check_coordinates", "check_references", "check_table"]

#: Column names people often use for a contract column (lower-case).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "area_id": ("geoid", "geoid10", "geoid20", "tract", "tract_id", "censustract", "fips", "id"),
    "population": ("pop", "pop2010", "pop100", "total_pop", "totpop", "population_total"),
    "store_id": ("id", "store", "objectid", "record_id"),
    "site_id": ("id", "site", "objectid"),
    "kind": ("type", "category", "store_type", "site_type", "kind_of"),
    "quantity": ("qty", "amount", "units", "value"),
    "commodity": ("item", "food", "product", "commodity_id"),
    "kg_per_unit": ("kg", "weight_kg", "unit_kg"),
    "households_no_vehicle": ("hunv", "tracthunv", "no_vehicle"),
    "poverty_rate": ("povertyrate", "poverty"),
    "median_family_income": ("medianfamilyincome", "mfi", "income"),
    "acceptability": ("weight", "score"),
}

_TRUE = {"true", "t", "yes", "y", "1", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "0.0"}


def _label(file: str | None, table: str) -> str:
    return f"`{table}`" + (f" ({file})" if file else "")


def _suggest(name: str, found: list[str]) -> str | None:
    lower = {c.lower(): c for c in found}
    for syn in SYNONYMS.get(name, ()):
        if syn in lower:
            return lower[syn]
    close = difflib.get_close_matches(name, list(lower), n=1, cutoff=0.6)
    return lower[close[0]] if close else None


def _norm_category(value: object) -> str:
    return str(value).strip().lower().replace(" ", "_").replace("-", "_")


def check_table(
    spec: TableSpec | str,
    frame: pd.DataFrame,
    *,
    file: str | None = None,
    columns: dict[str, str] | None = None,
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Check one table against its contract.

    Parameters
    ----------
    spec
        The contract (or its name in :data:`~equity.contracts.TABLES`).
    frame
        The table as read; it is not modified.
    file
        Where it came from, for messages.
    columns
        Renames applied first, ``{name in file: contract name}``.

    Returns
    -------
    cleaned, problems
        ``cleaned`` has contract column names and types (ids as text, numbers as floats, flags as
        bools, kinds normalised), repaired geometry and a fresh RangeIndex; it is ``None`` when a
        required column is missing, since nothing more can be checked.
    """
    if isinstance(spec, str):
        spec = TABLES[spec]
    t = spec.name
    problems: list[Problem] = []
    df = frame.copy()
    if columns:
        unknown = [c for c in columns if c not in df.columns]
        for c in unknown:
            problems.append(
                Problem(
                    t,
                    f"column mapping names '{c}', which is not in the table; "
                    f"found {list(map(str, df.columns))}",
                    file=file,
                    column=c,
                )
            )
        used = {k: v for k, v in columns.items() if k in df.columns and k != v}
        kept = [str(c) for c in df.columns if c not in used]
        clash: dict[str, list[str]] = {}
        for k, v in used.items():
            clash.setdefault(v, []).append(k)
        for target, sources in clash.items():
            if target in kept or len(sources) > 1:
                also = [target] if target in kept else []
                names = ", ".join(f"'{c}'" for c in [*sources, *also])
                problems.append(
                    Problem(
                        t,
                        f"column mapping would give two columns named '{target}' ({names}); "
                        "map only one column to it, or rename the other first",
                        file=file,
                        column=target,
                    )
                )
                used = {k: v for k, v in used.items() if v != target}
        df = df.rename(columns=used)
    # Case-insensitive match of contract names ('Population' is 'population').
    contract = [c.name for c in spec.columns]
    lower_to_contract = {c.lower(): c for c in contract}
    renames = {
        c: lower_to_contract[str(c).lower()]
        for c in df.columns
        if str(c) not in contract
        and str(c).lower() in lower_to_contract
        and lower_to_contract[str(c).lower()] not in df.columns
    }
    df = df.rename(columns=renames)
    df = df.reset_index(drop=True)

    found = [str(c) for c in df.columns if c != getattr(df, "_geometry_column_name", None)]
    missing = [c for c in spec.required_columns if c not in df.columns]
    for c in missing:
        hint = _suggest(c, [f for f in found if f not in contract])
        if file is None:  # a frame handed to Python: the fix is the ``columns`` argument
            msg = f"{_label(file, t)} is missing column '{c}'; found {found}."
            if hint:
                msg += (
                    f" Did you mean '{hint}'? Rename it or map it with columns={{'{hint}': '{c}'}}."
                )
            else:
                msg += f" Add it or map an existing column to it with columns={{...: '{c}'}}."
        else:  # a file: the fix is in the file or in region.toml, said in plain words
            msg = f"{_label(file, t)} is missing column '{c}'; its columns are {', '.join(found)}."
            if hint:
                msg += (
                    f" Did you mean '{hint}'? Rename that column to '{c}', or add the line "
                    f'{hint} = "{c}" under [{t}.columns] in region.toml.'
                )
            else:
                msg += (
                    f" Add a column '{c}', or name the column that holds it with a line "
                    f'<its name> = "{c}" under [{t}.columns] in region.toml.'
                )
        problems.append(Problem(t, msg, file=file, column=c))
    if missing:
        # Keep collecting: the columns that are there are checked too (bad numbers, duplicate
        # ids), so that one run lists everything to fix in this table.
        for col in spec.columns:
            if col.name in df.columns and col.name != "geometry":
                p, df[col.name] = _check_column(t, col, df[col.name], file)
                problems += p
        if all(k in df.columns for k in spec.key):
            problems += _check_keys(spec, df, file)
        return None, problems

    geom_problems, df = _check_geometry(spec, df, file)
    problems += geom_problems

    for col in spec.columns:
        if col.name not in df.columns:
            continue
        p, df[col.name] = _check_column(t, col, df[col.name], file)
        problems += p

    problems += _check_keys(spec, df, file)
    return df, problems


def _row_problems(
    table: str,
    mask: pd.Series | np.ndarray,
    message: Callable[[int], str],
    *,
    file: str | None,
    column: str,
) -> list[Problem]:
    """One problem per row where ``mask`` holds (rows counted from 1), worded by
    ``message(position)``."""
    return [
        Problem(table, message(int(i)), file=file, row=int(i) + 1, column=column)
        for i in np.flatnonzero(np.asarray(mask, dtype=bool))
    ]


def _check_column(
    t: str, col: Column, s: pd.Series, file: str | None
) -> tuple[list[Problem], pd.Series]:
    problems: list[Problem] = []

    def flag(mask: pd.Series | np.ndarray, message: Callable[[int], str]) -> None:
        problems.extend(_row_problems(t, mask, message, file=file, column=col.name))

    if col.kind in ("id", "ref"):
        out = s.map(_id_text)
        flag(out.isna(), lambda i: f"'{col.name}' is empty; every row needs one")
        return problems, out.astype(object)
    if col.kind == "number":
        num = pd.to_numeric(s, errors="coerce").astype(float)
        raw_missing = s.isna() | s.astype(str).str.strip().isin(["", "nan", "None"])
        flag(
            num.isna() & ~raw_missing,
            lambda i: f"'{col.name}' must be a number; found {s.iloc[i]!r}",
        )
        if col.required:
            flag(raw_missing, lambda i: f"'{col.name}' is missing (NaN); a number is required")
        flag(np.isinf(num.to_numpy()), lambda i: f"'{col.name}' is infinite")
        if col.min is not None:
            low = (num <= col.min) if col.min_exclusive else (num < col.min)
            word = "greater than" if col.min_exclusive else "at least"
            flag(
                low.fillna(False),
                lambda i: (
                    f"'{col.name}' must be {word} {col.min:g}; found {num.iloc[i]:g}"
                    + (" (negative)" if num.iloc[i] < 0 else "")
                ),
            )
        if col.max is not None:
            high = (num > col.max).fillna(False)
            pct = col.max == 1 and bool(high.any()) and bool((num[high] <= 100).all())
            hint = " It looks like a percentage (0-100): divide the column by 100." if pct else ""
            flag(
                high,
                lambda i: f"'{col.name}' must be at most {col.max:g}; found {num.iloc[i]:g}.{hint}",
            )
        if col.whole:
            flag(
                (np.isfinite(num) & (num % 1 != 0)).fillna(False),
                lambda i: f"'{col.name}' must be a whole number; found {num.iloc[i]:g}",
            )
        if col.plausible_max is not None:
            huge = (num.abs() > col.plausible_max) & np.isfinite(num)
            flag(
                huge.fillna(False),
                lambda i: (
                    f"'{col.name}' is {num.iloc[i]:g}, more than can be real (at most "
                    f"{col.plausible_max:g} {col.plausible_what}); check the file for a "
                    "unit or typing mistake"
                ),
            )
        return problems, num
    if col.kind == "bool":

        def to_bool(v: object) -> object:
            if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
                return None
            if isinstance(v, bool | np.bool_):
                return bool(v)
            text = str(v).strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            return "?"

        out = s.astype(object).map(to_bool).astype(object)
        flag(
            out == "?",
            lambda i: f"'{col.name}' must be true/false (or 1/0, yes/no); found {s.iloc[i]!r}",
        )
        out = out.where(out != "?", None)
        if out.notna().all():
            return problems, out.astype(bool)
        return problems, out.astype(object)
    if col.kind == "category":
        out = s.map(lambda v: None if pd.isna(v) else _norm_category(v))
        choices = ", ".join(col.choices)
        flag(out.isna(), lambda i: f"'{col.name}' is empty; use one of {choices}")

        def unknown_kind(i: int) -> str:
            close = difflib.get_close_matches(out.iloc[i], col.choices, n=1, cutoff=0.6)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            return f"'{col.name}' {s.iloc[i]!r} is not a known kind; use one of {choices}.{hint}"

        flag(out.notna() & ~out.isin(col.choices), unknown_kind)
        return problems, out.astype(object)
    # text
    return problems, s.map(lambda v: None if pd.isna(v) else str(v)).astype(object)


def _id_text(v: object) -> str | None:
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    text = str(v).strip()
    return text or None


def _check_keys(spec: TableSpec, df: pd.DataFrame, file: str | None) -> list[Problem]:
    problems: list[Problem] = []
    key = list(spec.key) + [c for c in spec.extra_key if c in df.columns]
    sub = df[key]
    if sub.isna().any(axis=None):
        sub = sub[sub.notna().all(axis=1)]
    dup = sub.duplicated(keep=False)
    if not dup.any():
        return problems
    first: dict[tuple, int] = {}
    for i, row in zip(
        np.flatnonzero(dup.to_numpy()), sub[dup].itertuples(index=False), strict=True
    ):
        k = tuple(row)
        if k not in first:
            first[k] = int(sub.index[i]) + 1
            continue
        shown = k[0] if len(k) == 1 else k
        what = f"'{key[0]}'" if len(key) == 1 else f"({', '.join(key)})"
        problems.append(
            Problem(
                spec.name,
                f"duplicate {what} {shown!r}, first seen at row {first[k]}; ids must be unique",
                file=file,
                row=int(sub.index[i]) + 1,
                column=key[0],
            )
        )
    return problems


def _check_geometry(
    spec: TableSpec, df: pd.DataFrame, file: str | None
) -> tuple[list[Problem], pd.DataFrame]:
    t = spec.name
    problems: list[Problem] = []
    if spec.geometry is None:
        if isinstance(df, gpd.GeoDataFrame):
            df = pd.DataFrame(df.drop(columns=df.geometry.name))
        return problems, df
    if not isinstance(df, gpd.GeoDataFrame) or df.geometry.name not in df.columns:
        how = (
            "a polygon file (GeoJSON, GeoPackage, Shapefile, GeoParquet)"
            if spec.geometry == "polygon"
            else "a spatial file, or a CSV with longitude and latitude columns"
        )
        problems.append(Problem(t, f"{_label(file, t)} has no geometry; give {how}", file=file))
        return problems, df
    if df.crs is None:
        problems.append(
            Problem(
                t,
                f"{_label(file, t)} has no CRS; add a .prj/CRS to the file or "
                "pass crs= when loading (e.g. crs='EPSG:4326')",
                file=file,
            )
        )
    geom = df.geometry
    rows = np.arange(1, len(df) + 1)
    missing = geom.isna() | geom.is_empty
    problems += _row_problems(
        t, missing, lambda i: "geometry is empty or missing", file=file, column="geometry"
    )
    unusable = _unusable_coordinates(geom, df.crs)
    beyond = (
        "longitude -180 to 180 and latitude -90 to 90"
        if df.crs is not None and df.crs.is_geographic
        else "100,000 km"
    )
    problems += _row_problems(
        t,
        unusable & ~missing.to_numpy(),
        lambda i: (
            "geometry has a coordinate that is not a usable number (infinite, or beyond "
            f"{beyond}); check the file's coordinates and CRS"
        ),
        file=file,
        column="geometry",
    )
    if unusable.any():  # later checks (and the choice of a UTM zone) skip these rows
        geom = geom.copy()
        geom.iloc[np.flatnonzero(unusable)] = None
    missing = missing | unusable
    present = ~missing
    types = geom.geom_type
    want = ("Polygon", "MultiPolygon") if spec.geometry == "polygon" else ("Point",)
    wrong = present & ~types.isin(want)
    if spec.geometry == "point":
        # A polygon in a point table is usable through its representative point, with a warning.
        polys = wrong & types.isin(["Polygon", "MultiPolygon"])
        if polys.any():
            geom = geom.where(~polys, geom[polys].representative_point())
            problems.append(
                Problem(
                    t,
                    f"{int(polys.sum())} polygon(s) given where points are "
                    "expected; their representative points are used",
                    file=file,
                    column="geometry",
                    severity="warning",
                )
            )
            wrong = wrong & ~polys
    problems += _row_problems(
        t,
        wrong,
        lambda i: f"geometry is a {types.iloc[i]}; {t} need {' or '.join(want)} geometry",
        file=file,
        column="geometry",
    )
    invalid = present & ~wrong & ~geom.is_valid
    if invalid.any():
        repaired = []
        for i in np.flatnonzero(invalid.to_numpy()):
            reason = shapely.is_valid_reason(geom.iloc[i])
            fixed = make_valid(geom.iloc[i])
            if spec.geometry == "polygon":
                fixed = _polygonal_part(fixed)
            if fixed is None or fixed.is_empty:
                msg, severity = f"geometry is invalid ({reason}) and cannot be repaired", "error"
            else:
                geom.iloc[i] = fixed
                repaired.append(int(rows[i]))
                msg = f"geometry was invalid ({reason}); repaired with make_valid"
                severity = "warning"
            problems.append(
                Problem(t, msg, file=file, row=int(rows[i]), column="geometry", severity=severity)
            )
    df = df.set_geometry(geom)
    return problems, df


def _unusable_coordinates(geom: gpd.GeoSeries, crs: object) -> np.ndarray:
    """Rows with a coordinate that is not finite, or off the Earth for the CRS."""
    out = np.zeros(len(geom), dtype=bool)
    if not len(geom):
        return out
    coords, idx = shapely.get_coordinates(geom.to_numpy(), return_index=True)
    if not len(coords):
        return out
    bad = ~np.isfinite(coords).all(axis=1)
    with np.errstate(invalid="ignore"):
        if crs is not None and getattr(crs, "is_geographic", False):
            bad |= (np.abs(coords[:, 0]) > 180) | (np.abs(coords[:, 1]) > 90)
        else:
            bad |= (np.abs(coords) > 1e8).any(axis=1)
    out[np.unique(idx[bad])] = True
    return out


def _polygonal_part(g: shapely.Geometry) -> shapely.Geometry | None:
    if g.geom_type in ("Polygon", "MultiPolygon"):
        return g
    if g.geom_type == "GeometryCollection":
        polys = [p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")]
        if polys:
            return shapely.union_all(polys)
    return None


def check_coordinates(
    table: str,
    before: gpd.GeoDataFrame,
    after: gpd.GeoDataFrame,
    *,
    file: str | None = None,
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Find geometry that cannot be used after reprojection to the region's metric CRS.

    ``before`` is the table as read (same rows), ``after`` the same rows in the region's CRS.
    A point at exactly longitude 0, latitude 0 is what a failed geocode gives, and is an
    error; so is any geometry whose coordinates the metric CRS cannot represent (a point on
    the other side of the world from the region becomes infinite). Such rows get an empty
    geometry in the returned copy of ``after``, so later checks skip them.
    """
    problems: list[Problem] = []
    if not len(after):
        return after, problems
    present = ~before.geometry.isna() & ~before.geometry.is_empty
    bad = np.zeros(len(after), dtype=bool)
    if before.crs is not None and before.crs.is_geographic:
        pts = present & (before.geometry.geom_type == "Point")
        if pts.any():
            arr = before.geometry.to_numpy()
            x = np.full(len(arr), np.nan)
            y = np.full(len(arr), np.nan)
            x[pts.to_numpy()] = shapely.get_x(arr[pts.to_numpy()])
            y[pts.to_numpy()] = shapely.get_y(arr[pts.to_numpy()])
            null_island = (x == 0) & (y == 0)
            problems += _row_problems(
                table,
                null_island,
                lambda i: (
                    "coordinates are longitude 0, latitude 0, which is what a failed "
                    "geocode gives (a point in the Atlantic off Africa); give the real "
                    "location or remove the row"
                ),
                file=file,
                column="geometry",
            )
            bad |= null_island
    bounds = after.geometry.bounds.to_numpy(dtype=float)
    moved = present.to_numpy() & ~np.isfinite(bounds).all(axis=1) & ~bad
    for i in np.flatnonzero(moved):
        where = ""
        g = before.geometry.iloc[i]
        if before.crs is not None and before.crs.is_geographic:
            c = g.representative_point()
            where = f" (longitude {c.x:g}, latitude {c.y:g})"
        problems.append(
            Problem(
                table,
                f"the geometry{where} cannot be placed in the region's CRS "
                f"{after.crs.to_string() if after.crs is not None else ''}: it lies too far from "
                "the rest of the region; check its coordinates (swapped longitude/latitude, a "
                "wrong sign, or a wrong CRS?)",
                file=file,
                row=int(i) + 1,
                column="geometry",
            )
        )
    bad |= moved
    geom = after.geometry.copy()
    if bad.any():
        geom.iloc[np.flatnonzero(bad)] = None
    # A polygon valid as read can cross itself once projected (a sliver or spike whose edges
    # lie closer than the projection bends them): repair it, or the grid's clipping fails.
    broken = (~bad & present.to_numpy() & ~geom.is_empty.to_numpy()) & ~geom.is_valid.to_numpy()
    broken &= geom.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    for i in np.flatnonzero(broken):
        reason = shapely.is_valid_reason(geom.iloc[i])
        fixed = _polygonal_part(make_valid(geom.iloc[i]))
        geom.iloc[i] = fixed
        problems.append(
            Problem(
                table,
                f"geometry became invalid when projected to the region's CRS "
                f"{after.crs.to_string() if after.crs is not None else ''} ({reason}); "
                "repaired with make_valid",
                file=file,
                row=int(i) + 1,
                column="geometry",
                severity="warning",
            )
        )
    if bad.any() or broken.any():
        after = after.set_geometry(geom)
    return after, problems


#: An id a spreadsheet took for a number: digits, perhaps with a decimal part of zeros.
_AS_NUMBER = re.compile(r"\d+(\.0*)?")


def id_hint(value: object, known: Iterable[object], *, table: bool = True) -> str:
    """The words after "id ... is not known": what happened to an id a spreadsheet or a
    number-typed read took for a number (``1001020100`` for ``01001020100``, ``42003010100.0``
    for ``42003010100``) when exactly one known id is that number, and the fix (read the column
    as text; ``table=False``: an id typed elsewhere, such as a scenario's shock); else the
    closest known id. The id is never matched: the file stays the user's."""
    text = str(value).strip()
    ids = [str(k) for k in known]
    if _AS_NUMBER.fullmatch(text):
        digits = text.split(".")[0]
        same = [k for k in ids if k.isdigit() and k.lstrip("0") == digits.lstrip("0")]
        what = []
        if len(same) == 1 and "." in text:
            what.append("became a decimal")
        if len(same) == 1 and len(digits) < len(same[0]):
            what.append(f"lost {len(same[0]) - len(digits)} leading zero(s)")
        if what and not table:
            return f" It looks like '{same[0]}' that {' and '.join(what)}; write '{same[0]}'."
        if what:
            return (
                f" It looks like '{same[0]}' that {' and '.join(what)}: a spreadsheet (or a "
                "read as numbers) took the ids for numbers. Read or save the column as text "
                "(in Excel, import the CSV with that column's type set to Text) so that it "
                f"keeps '{same[0]}'."
            )
    close = difflib.get_close_matches(text, ids, n=1)
    return f" Did you mean '{close[0]}'?" if close else ""


def check_references(
    tables: dict[str, pd.DataFrame],
    files: Mapping[str, str | None],
    *,
    outside_error_m: float = 32_187.0,
) -> list[Problem]:
    """Check what spans tables: references to unknown ids, points outside every area, CRSs.

    ``tables`` hold cleaned frames in one metric CRS. A store or site outside every area is a
    warning (stores beyond a county line still serve it), and an error when it lies more than
    ``outside_error_m`` (20 miles) from every area, which usually means swapped or wrong
    coordinates.
    """
    problems: list[Problem] = []
    for name, spec in TABLES.items():
        df = tables.get(name)
        if df is None or df.empty:
            continue
        for col in spec.columns:
            if col.kind != "ref" or col.ref_table is None or col.name not in df.columns:
                continue
            target = tables.get(col.ref_table)
            tkey = TABLES[col.ref_table].key[0]
            known = set() if target is None else set(target[tkey].dropna())
            unknown = df[col.name].notna() & ~df[col.name].isin(known)
            if not unknown.any():
                continue
            examples = sorted(known)[:5]
            for i in np.flatnonzero(unknown.to_numpy()):
                value = df[col.name].iloc[i]
                hint = id_hint(value, known) or (
                    f" Known ids start {examples}."
                    if examples
                    else f" `{col.ref_table}` is empty or missing."
                )
                problems.append(
                    Problem(
                        name,
                        f"'{col.name}' {value!r} is not in `{col.ref_table}`.{hint}",
                        file=files.get(name),
                        row=int(i) + 1,
                        column=col.name,
                    )
                )
    subs = tables.get("substitutes")
    if subs is not None and not subs.empty:
        same = subs["commodity"] == subs["substitute"]
        problems += _row_problems(
            "substitutes",
            same,
            lambda i: "a commodity cannot substitute for itself",
            file=files.get("substitutes"),
            column="substitute",
        )
    areas = tables.get("areas")
    if areas is not None and isinstance(areas, gpd.GeoDataFrame) and len(areas):
        valid_areas = areas[~areas.geometry.isna() & ~areas.geometry.is_empty]
        for name in ("stores", "sites", "population_points"):
            pts = tables.get(name)
            if pts is None or not isinstance(pts, gpd.GeoDataFrame) or pts.empty:
                continue
            ok = ~pts.geometry.isna() & ~pts.geometry.is_empty
            if not ok.any() or valid_areas.empty:
                continue
            p = pts[ok]
            hit = valid_areas.sindex.query(p.geometry, predicate="intersects")
            inside = np.zeros(len(p), dtype=bool)
            inside[hit[0]] = True
            if inside.all():
                continue
            out_idx = np.flatnonzero(~inside)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                hits, dist = valid_areas.sindex.nearest(
                    p.geometry.iloc[out_idx], return_distance=True, return_all=False
                )
            # a point the index cannot measure (none should be left) counts as far away
            by_pos = dict(zip(hits[0].tolist(), dist.tolist(), strict=True))
            near = []
            for k, j in enumerate(out_idx):
                d = by_pos.get(k, np.inf)
                row = int(p.index[j]) + 1
                if d > outside_error_m:
                    problems.append(
                        Problem(
                            name,
                            f"point lies {d / M_PER_MILE:,.1f} miles from "
                            "every area; check its coordinates (swapped "
                            "longitude/latitude, or a wrong CRS?)",
                            file=files.get(name),
                            row=row,
                            column="geometry",
                        )
                    )
                else:
                    near.append(row)
            if near:
                shown = ", ".join(map(str, near[:10])) + (" ..." if len(near) > 10 else "")
                problems.append(
                    Problem(
                        name,
                        f"{len(near)} point(s) lie outside every area but "
                        f"within 20 miles (rows {shown}); they are kept, since "
                        "they can still serve the region",
                        file=files.get(name),
                        column="geometry",
                        severity="warning",
                    )
                )
    return problems

"""Shared helpers of :mod:`equity.sources`: text CSV reading, column checks, numbers and points.

Every reader reads CSVs as text (ids keep their leading zeros), names the file, row and column
of whatever is wrong, and raises :class:`~equity.DataSourceError` (cannot read) or
:class:`~equity.ValidationError` (read, but wrong).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ._errors import DataSourceError, Problem, ValidationError
from .io import (
    NA_VALUES,
    check_crs,
    decimal_commas,
    duplicate_columns,
    find_lon_lat,
    points_from_wkt,
    read_table,
    read_text_frame,
    sniff_csv,
    wkt_column,
)

WGS84 = "EPSG:4326"


def as_path(path: str | os.PathLike[str]) -> Path:
    p = Path(path)
    if not p.exists():
        msg = f"{p}: no such file"
        raise DataSourceError(msg)
    if p.suffix.lower() in (".xlsx", ".xls", ".xlsm"):
        read_table(p)  # raises the "save the sheet as CSV" message
    return p


TEXT_SUFFIXES = (".csv", ".tsv", ".txt")


def _sep(path: Path) -> str | None:
    return "\t" if path.suffix.lower() == ".tsv" else None


#: Geometry types that stand for one place: a point, or an outline (a garden's plot).
PLACE_TYPES = ("Point", "Polygon", "MultiPolygon")


def place_points(
    geom: gpd.GeoSeries, *, path: Path | str, table: str, rows: Sequence[int] | None = None
) -> tuple[gpd.GeoSeries, list[str]]:
    """One point per place of a list (stores, sites): a point as it is, a one-point
    ``MultiPoint`` its point, a polygon (a garden's outline) its representative point, with a
    note; a line, several points or a collection is no place and an error naming its row (the
    row numbers ``rows``, else the position from 1) and its geometry type. Missing or empty
    geometry stays as it is."""
    present = (~geom.isna() & ~geom.is_empty).to_numpy()
    types = geom.geom_type.to_numpy()
    one = np.array(
        [t == "MultiPoint" and len(g.geoms) == 1 for g, t in zip(geom, types, strict=True)]
    )
    wrong = present & ~np.isin(types, PLACE_TYPES) & ~one
    if wrong.any():
        numbers = np.arange(1, len(geom) + 1) if rows is None else np.asarray(rows)
        problems = [
            Problem(
                table,
                f"geometry is a {types[i]}, not a place: each row needs a point (or a "
                "polygon, such as a garden's outline, whose representative point is used); "
                "replace it with the place's point",
                file=str(path),
                row=int(numbers[i]),
                column="geometry",
            )
            for i in np.flatnonzero(wrong)
        ]
        raise ValidationError(problems, title=f"{path}: {len(problems)} row(s) are not places")
    polys = present & np.isin(types, ("Polygon", "MultiPolygon"))
    pts = geom.copy()
    if polys.any() or one.any():
        pts[polys | one] = geom[polys | one].representative_point()
    notes = []
    if polys.any():
        notes.append(
            f"{int(polys.sum())} polygon(s) (outlines) stand for their representative points"
        )
    return pts, notes


def _as_text(gdf: pd.DataFrame, *, path: Path | str, table: str) -> pd.DataFrame:
    """Every cell as text (``None`` when missing); the geometry of a spatial frame becomes WGS84
    ``longitude``/``latitude`` text columns (:func:`place_points`: a polygon's representative
    point, a line an error). ``attrs["notes"]`` says what was changed."""
    df = pd.DataFrame(gdf).copy()
    notes: list[str] = []
    if isinstance(gdf, gpd.GeoDataFrame):
        geom = gdf.geometry
        if gdf.crs is not None:
            geom = geom.to_crs(WGS84)
        present = ~geom.isna() & ~geom.is_empty
        pts, notes = place_points(geom, path=path, table=table)
        lon = [f"{g.x!r}" if ok else None for g, ok in zip(pts, present, strict=True)]
        lat = [f"{g.y!r}" if ok else None for g, ok in zip(pts, present, strict=True)]
        df = df.drop(columns=[gdf.geometry.name])
        if None in find_lon_lat(list(df.columns)):
            df["longitude"], df["latitude"] = lon, lat
    for c in df.columns:
        df[c] = (
            df[c]
            .map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))
            .astype(object)
        )
    df.columns = [str(c).strip() for c in df.columns]
    df.attrs["notes"] = notes
    return df


@functools.lru_cache(maxsize=8)
def _records_cached(path: str, mtime_ns: int, size: int) -> pd.DataFrame:
    # points=False: lon/lat columns stay text, so that points() can leave out rows without
    # coordinates with a warning, as it does for CSVs.
    frame, problems = read_table(Path(path), table="table", points=False)
    errors = [p for p in problems if p.is_error]
    if errors:
        raise ValidationError(errors, title=f"{path}: cannot be read")
    out = _as_text(frame, path=path, table="places")
    out.attrs["notes"] = list(frame.attrs.get("notes", [])) + out.attrs["notes"]
    return out


def records(path: Path) -> pd.DataFrame:
    """A JSON, GeoJSON, GeoPackage or shapefile as a text table with ``longitude``/``latitude``."""
    st = path.stat()
    out = _records_cached(str(path.resolve()), st.st_mtime_ns, st.st_size).copy()
    out.attrs["notes"] = list(out.attrs.get("notes", []))
    return out


def header(path: Path) -> list[str]:
    """Column names of a table file (BOM and surrounding spaces removed).

    CSV/TSV in any delimiter and encoding :func:`~equity.io.sniff_csv` knows; a CSV with a WKT
    geometry column and no longitude/latitude, and every spatial or JSON file, also lists the
    ``longitude``/``latitude`` that :func:`read_text_csv` makes from the geometry.
    """
    if path.suffix.lower() not in TEXT_SUFFIXES:
        return list(records(path).columns)
    encoding, sep, _ = sniff_csv(path, sep=_sep(path))
    head = read_text_frame(path, encoding, sep, nrows=20)
    cols = [str(c).strip().lstrip("\ufeff") for c in head.columns]
    if None in find_lon_lat(cols) and wkt_column(head) is not None:
        cols += [c for c in ("longitude", "latitude") if c not in cols]
    return cols


#: Files larger than this are tried first with pyarrow's multi-threaded CSV reader.
BIG_CSV_BYTES = 5_000_000


def _read_fast(path: Path, usecols: list[str] | None) -> pd.DataFrame | None:
    """The national tables (Atlas, centres of population) with pyarrow, faster than pandas' C
    parser (``benchmarks/bench_sources.py``; README, Benchmarks); ``None`` (use pandas) when
    pyarrow cannot parse the file."""
    try:
        import pyarrow as pa
        from pyarrow import csv as pacsv
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        return None
    try:
        raw = pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns
        names = [c for c in raw if usecols is None or str(c).strip() in usecols]
        table = pacsv.read_csv(
            path,
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in raw},
                include_columns=names,
                null_values=NA_VALUES,
                strings_can_be_null=True,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError, ValueError):
        return None
    return table.to_pandas()


def _wkt_to_lon_lat(df: pd.DataFrame, col: str, path: Path, table: str) -> pd.DataFrame:
    """Text ``longitude``/``latitude`` from a WKT column (WGS84 degrees; a polygon's
    representative point)."""
    problems: list[Problem] = []
    gdf = points_from_wkt(df, col, path, table, None, problems)
    raise_errors(problems, path)
    check_crs(gdf, source=str(path), declared_by="a WKT column is taken as")
    text = _as_text(gdf, path=path, table=table)
    text.index = df.index
    return text


def read_text_csv(
    path: Path,
    *,
    table: str,
    required: Sequence[str] = (),
    optional: Iterable[str] = (),
    all_columns: bool = False,
    hint: str = "",
) -> pd.DataFrame:
    """Read a table file with every cell as text (``NULL``, ``NA`` and blanks are missing).

    Comma-, semicolon-, tab- or pipe-separated text in UTF-8, UTF-16 or Windows-1252 is
    detected; JSON records, GeoJSON and other spatial files, and CSVs with a WKT geometry
    column, give ``longitude``/``latitude`` text columns. Only ``required`` and ``optional``
    columns are kept unless ``all_columns``. Every missing required column and every column
    named twice in the header is reported at once, in one :class:`ValidationError` listing the
    columns found.
    """
    found = header(path)
    problems: list[Problem] = []
    shown = f"{found[:30]}{' ...' if len(found) > 30 else ''}"
    for c in required:
        if c not in found:
            problems.append(
                Problem(
                    table,
                    f"missing column '{c}'; found {shown}.{' ' + hint if hint else ''}",
                    file=str(path),
                    column=c,
                )
            )
    text_file = path.suffix.lower() in TEXT_SUFFIXES
    encoding, sep = "utf-8-sig", ","
    notes: list[str] = []
    if text_file:
        encoding, sep, notes = sniff_csv(path, sep=_sep(path))
        for name, pos in duplicate_columns(path, encoding, sep).items():
            problems.append(
                Problem(
                    table,
                    f"the header names column '{name}' {len(pos)} times (columns "
                    f"{', '.join(map(str, pos))}); rename or delete all but one",
                    file=str(path),
                    column=name,
                )
            )
    if problems:
        raise ValidationError(problems, title=f"{path}: not a {table} file")
    wanted = set(required) | set(optional)
    usecols = None if all_columns else [c for c in found if c in wanted]

    if not text_file:
        df = records(path)
        notes = list(df.attrs.get("notes", []))
        if usecols is not None:
            df = df[[c for c in df.columns if c in usecols]]
        df.attrs["notes"] = notes
        return df

    wkt: str | None = None
    if "longitude" in found and "latitude" in found:
        raw_cols = header_raw(path, encoding, sep)
        if "longitude" not in raw_cols or "latitude" not in raw_cols:
            wkt = "?"  # made from a WKT column below
    if wkt == "?" and usecols is not None:
        usecols = None  # the WKT column is needed, whatever its name

    df = None
    if path.stat().st_size > BIG_CSV_BYTES and sep == "," and encoding == "utf-8-sig":
        df = _read_fast(path, usecols)
    if df is None:
        try:
            df = read_text_frame(
                path,
                encoding,
                sep,
                na_values=NA_VALUES,
                keep_default_na=False,
                usecols=(lambda c: str(c).strip().lstrip("\ufeff") in usecols)
                if usecols is not None
                else None,
            )
        except ValueError as exc:
            if isinstance(exc, DataSourceError):
                raise
            msg = f"{path}: cannot be read as CSV: {exc}"
            raise DataSourceError(msg) from exc
    df.columns = [str(c).strip().lstrip("\ufeff") for c in df.columns]
    if sep == ";":
        notes += decimal_commas(df)
    if wkt == "?":
        col = wkt_column(df)
        if col is not None:
            df = _wkt_to_lon_lat(df, col, path, table)
            notes.append(f"longitude/latitude from the WKT column '{col}'")
            notes += df.attrs.get("notes", [])
        if not all_columns:
            df = df[[c for c in df.columns if c in wanted]]
    df.attrs["notes"] = notes
    return df


def header_raw(path: Path, encoding: str, sep: str) -> list[str]:
    """The header line's names as written (no columns made from geometry)."""
    try:
        cols = pd.read_csv(path, nrows=0, sep=sep, encoding=encoding).columns
    except UnicodeDecodeError:
        cols = pd.read_csv(path, nrows=0, sep=sep, encoding="latin-1").columns
    return [str(c).strip().lstrip("\ufeff") for c in cols]


def require_rows(df: pd.DataFrame, *, path: Path | str, table: str, what: str, before: int) -> None:
    """Raise a :class:`ValidationError` naming the filter when it left no rows."""
    if len(df) == 0:
        msg = (
            f"{what} matches none of the {before:,} rows; check the codes or names "
            "(county FIPS codes have 5 digits, state + county, such as '42003')"
        )
        raise ValidationError([Problem(table, msg, file=str(path))], title=f"{path}: no rows")


def name_candidates(found: Iterable[str], *, taken: Iterable[str] = ()) -> list[str]:
    """Columns that could hold a name (``gardenname``, ``SITE_NAME``, ``Garden Name``, ``title``)."""
    skip = {str(c) for c in taken}
    out = []
    for c in found:
        low = str(c).lower().replace(" ", "").replace("_", "")
        if c in skip:
            continue
        if "name" in low or low in ("title", "label", "site", "garden", "store", "business"):
            out.append(str(c))
    return out


def no_name_warning(
    found: Iterable[str], *, path: Path | str, table: str, taken: Iterable[str] = ()
) -> Problem:
    """The warning for a list without a ``name`` column, naming columns that could serve."""
    cands = name_candidates(found, taken=taken)
    if cands:
        what = ", ".join(f"'{c}'" for c in cands)
        fix = f"columns that could serve: {what}. Pass columns={{'name': '{cands[0]}'}}"
    else:
        fix = (
            f"no column looks like a name (found {list(found)[:20]}); pass columns={{'name': ...}}"
        )
    return Problem(
        table,
        f"no 'name' column, so every name is empty; {fix}",
        file=str(path),
        column="name",
        severity="warning",
    )


def numbers(
    df: pd.DataFrame,
    col: str,
    *,
    path: Path | str | None,
    table: str,
    problems: list[Problem],
    rows: np.ndarray | None = None,
) -> pd.Series:
    """Column ``col`` as floats; a cell that is text but not a number becomes a problem.

    Rows are named by ``rows`` (1-based record numbers), else ``df.index + 1``: keep the index of :func:`read_text_csv` (the data
    record number - 1) through filters so that messages point at the file's own rows.
    """
    raw = df[col]
    rows = df.index.to_numpy() + 1 if rows is None else np.asarray(rows)
    num = pd.to_numeric(raw.str.replace(",", "", regex=False), errors="coerce").astype(float)
    bad = num.isna() & raw.notna()
    for i in np.flatnonzero(bad.to_numpy()):
        problems.append(
            Problem(
                table,
                f"'{col}' must be a number; found {raw.iloc[i]!r}",
                file=str(path) if path else None,
                row=int(rows[i]),
                column=col,
            )
        )
    return num


def raise_errors(problems: list[Problem], path: Path | str) -> None:
    errors = [p for p in problems if p.is_error]
    if errors:
        raise ValidationError(errors, title=f"{path}: {len(errors)} problem(s)")


def points(
    df: pd.DataFrame,
    *,
    lon_col: str,
    lat_col: str,
    path: Path,
    table: str,
    warnings: list[Problem],
) -> gpd.GeoDataFrame:
    """WGS84 points from text lon/lat columns (``source_row`` = ``df.index + 1``).

    Rows with an empty coordinate are dropped with a warning (public lists often have a few);
    text that is not a number, or a value outside -180..180 / -90..90, is an error.
    """
    errors: list[Problem] = []
    lon = numbers(df, lon_col, path=path, table=table, problems=errors)
    lat = numbers(df, lat_col, path=path, table=table, problems=errors)
    ok = lon.notna() & lat.notna()
    out = ok & ((lon.abs() > 180) | (lat.abs() > 90))
    if int(out.sum()) > 1 and bool(out[ok].all()):
        # Every point is off the globe: projected x/y, one message rather than one per row.
        msg = (
            f"columns '{lon_col}'/'{lat_col}' hold projected coordinates, not WGS84 "
            f"longitude/latitude (x {lon.min():,.0f} to {lon.max():,.0f}, y {lat.min():,.0f} "
            f"to {lat.max():,.0f}, row 1: ({lon.iloc[0]}, {lat.iloc[0]})); give a list in "
            "longitude/latitude degrees, or reproject it first"
        )
        raise_errors(errors + [Problem(table, msg, file=str(path), column=lon_col)], path)
    for i in np.flatnonzero(out.to_numpy()):
        swapped = abs(lat.iloc[i]) <= 180 and abs(lon.iloc[i]) <= 90
        hint = " The columns look swapped." if swapped else ""
        errors.append(
            Problem(
                table,
                f"({lon.iloc[i]}, {lat.iloc[i]}) is not a WGS84 longitude/latitude.{hint}",
                file=str(path),
                row=int(df.index[i]) + 1,
                column=lon_col,
            )
        )
    raise_errors(errors, path)
    empty = df[lon_col].isna() | df[lat_col].isna()
    if empty.any():
        rows = [int(df.index[i]) + 1 for i in np.flatnonzero(empty.to_numpy())]
        shown = ", ".join(map(str, rows[:10])) + (" ..." if len(rows) > 10 else "")
        warnings.append(
            Problem(
                table,
                f"{len(rows)} row(s) have no coordinates and were left out (rows {shown})",
                file=str(path),
                column=lat_col,
                severity="warning",
            )
        )
    keep = ok.to_numpy() & ~out.to_numpy()
    rest = df.loc[keep].copy()
    rest["source_row"] = df.index.to_numpy()[keep] + 1
    rest = rest.reset_index(drop=True)
    geom = gpd.points_from_xy(lon[keep], lat[keep])
    return gpd.GeoDataFrame(rest, geometry=geom, crs=WGS84)


def utm_crs(gdf: gpd.GeoDataFrame) -> str:
    """The WGS84 UTM zone (``EPSG:326zz``/``327zz``) of the centre of ``gdf``'s bounds; as
    ``estimate_utm_crs`` gives for a region within one zone, without a database query.

    When the bounds cross a zone line, the zone of the population-weighted median point
    (``population`` where the frame has it, else every row alike): the bounds' centre can lie
    far from the people (Honolulu County's uninhabited Northwestern Hawaiian Islands move it
    from Oahu's zone 4 to zone 3, stretching every distance on Oahu by 0.6%).
    """
    wgs = gdf.to_crs(WGS84)
    x0, y0, x1, y1 = wgs.total_bounds
    lon, lat = (x0 + x1) / 2, (y0 + y1) / 2
    if crosses_zone(x0, x1):
        lon, lat = people_centre(wgs)
    zone = int((lon + 180) // 6) % 60 + 1
    return f"EPSG:{32600 + zone if lat >= 0 else 32700 + zone}"


def crosses_zone(x0: float, x1: float) -> bool:
    """Whether longitudes ``x0`` to ``x1`` cross a UTM zone line."""
    return bool(np.isfinite([x0, x1]).all()) and int((x0 + 180) // 6) != int((x1 + 180) // 6)


def people_centre(wgs: gpd.GeoDataFrame) -> tuple[float, float]:
    """Longitude and latitude of the population-weighted median of ``wgs``'s rows (WGS84;
    representative points of polygons; ``population`` where present, else equal weights)."""
    pts = wgs.geometry.representative_point()
    w = np.ones(len(wgs))
    if "population" in wgs.columns:
        w = np.nan_to_num(pd.to_numeric(wgs["population"], errors="coerce").to_numpy(float))
        if w.sum() <= 0:
            w = np.ones(len(wgs))

    def median(v: np.ndarray) -> float:
        order = np.argsort(v, kind="stable")
        cum = np.cumsum(w[order])
        return float(v[order][np.searchsorted(cum, cum[-1] / 2)])

    return median(pts.x.to_numpy()), median(pts.y.to_numpy())


def pick(found: Iterable[str], *names: str) -> str | None:
    """The first of ``names`` among ``found``, compared case-insensitively."""
    lower = {c.lower(): c for c in found}
    for n in names:
        if n.lower() in lower:
            return lower[n.lower()]
    return None


def attach(frame: pd.DataFrame, *, source: str, notes: list[str], problems: list[Problem]) -> None:
    """Record where a frame came from, how it was changed and what was left out."""
    frame.attrs["source"] = source
    frame.attrs["notes"] = list(notes)
    frame.attrs["problems"] = list(problems)

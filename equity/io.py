"""Read the files people actually have into plain frames, without judging their contents.

Supported: GeoJSON, GeoPackage, Shapefile (also zipped), GeoParquet, plain Parquet, FlatGeobuf,
JSON arrays of records and CSV. A CSV with longitude/latitude columns (any common spelling, or
named with ``lon_col=``/``lat_col=``) or a WKT geometry column becomes a GeoDataFrame in WGS84
unless ``crs=`` says otherwise; its delimiter and encoding are detected. Coordinates that cannot
be in the declared CRS are refused with one message (:func:`check_crs`). Validation against the
contracts happens later, in :mod:`equity.validate`, so that every problem is reported at once.
"""

from __future__ import annotations

import codecs
import csv
import json
import os
import re
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from shapely.geometry import shape

from ._csv import restored
from ._errors import DataSourceError, Problem

__all__ = [
    "GEO_SUFFIXES",
    "LAT_NAMES",
    "LON_NAMES",
    "SUFFIXES",
    "check_crs",
    "find_lon_lat",
    "read_table",
    "sniff_csv",
]

#: Accepted spellings of a longitude column, most specific first (compared case-insensitively).
LON_NAMES = (
    "longitude",
    "lon",
    "lng",
    "long",
    "lon_dd",
    "longitude_dd",
    "x_coord",
    "xcoord",
    "intptlon10",
    "intptlon",
    "x",
)
#: Accepted spellings of a latitude column, most specific first (compared case-insensitively).
LAT_NAMES = (
    "latitude",
    "lat",
    "lat_dd",
    "latitude_dd",
    "y_coord",
    "ycoord",
    "intptlat10",
    "intptlat",
    "y",
)

GEO_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip", ".parquet", ".geoparquet", ".fgb")
SUFFIXES = (*GEO_SUFFIXES, ".csv", ".tsv", ".txt")

#: Text that means "missing" in the public sources (the 2019 Atlas writes NULL).
NA_VALUES = ["", "NA", "N/A", "NULL", "null", "NaN", "nan", "None", "#N/A"]


def find_lon_lat(columns: list[str]) -> tuple[str | None, str | None]:
    """Return the longitude and latitude column names among ``columns`` (or ``None``)."""
    lower = {c.lower().strip(): c for c in columns}

    def pick(names: tuple[str, ...]) -> str | None:
        for n in names:
            if n in lower:
                return lower[n]
        return None

    return pick(LON_NAMES), pick(LAT_NAMES)


#: Delimiters a CSV may use; the one found most often in the header line wins (ties: comma).
DELIMITERS = (",", ";", "\t", "|")
#: Column names that hold WKT geometry in exports from open-data portals (lower case).
WKT_NAMES = ("geometry", "wkt", "the_geom", "geom", "shape", "location", "point", "wkt_geom")
_WKT = re.compile(
    r"^\s*(SRID=\d+;\s*)?(MULTI)?(POINT|POLYGON|LINESTRING)\s*Z?\s*(\(|EMPTY)", re.IGNORECASE
)
_DECIMAL_COMMA = re.compile(r"^\s*-?\d+,\d+\s*$")


def sniff_csv(path: Path, *, sep: str | None = None) -> tuple[str, str, list[str]]:
    """The encoding and delimiter of a text table, and notes on anything unusual.

    UTF-8 (with or without a byte-order mark), UTF-16 (a byte-order mark, or NUL bytes between
    ASCII characters as Excel's "Unicode text" writes them) and Windows-1252 are told apart
    from the first 64 KB; the delimiter is the one of :data:`DELIMITERS` seen most often in the
    header line outside quotes, unless ``sep`` is given.
    """
    with open(path, "rb") as fh:
        raw = fh.read(65536)
    notes: list[str] = []
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif raw.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    elif len(raw) >= 4 and raw[1::2].count(0) > len(raw) // 4:
        encoding = "utf-16-le"
    elif len(raw) >= 4 and raw[0::2].count(0) > len(raw) // 4:
        encoding = "utf-16-be"
    else:
        try:
            codecs.getincrementaldecoder("utf-8")().decode(raw, final=False)
            encoding = "utf-8-sig"
        except UnicodeDecodeError:
            encoding = "cp1252"
            notes.append("read as Windows-1252 text (not valid UTF-8)")
    if encoding.startswith("utf-16"):
        notes.append("read as UTF-16 text")
    text = raw.decode(encoding if encoding != "utf-16" else "utf-16", errors="ignore")
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    if re.fullmatch(r"\s*sep=.?\s*", first, flags=re.IGNORECASE):
        msg = (
            f"{path}: the first line is {first.strip()!r}, a hint for Excel, not the "
            "header; delete that line (or save the sheet again as CSV UTF-8)"
        )
        raise DataSourceError(msg)
    if sep is None:
        outside = re.sub(r'"[^"]*"', "", first)
        counts = {d: outside.count(d) for d in DELIMITERS}
        best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
        sep = best if counts[best] > 0 else ","
        if sep != ",":
            names = {";": "semicolon", "\t": "tab", "|": "pipe"}
            notes.append(f"{names[sep]}-separated")
    return encoding, sep, notes


def duplicate_columns(path: Path, encoding: str, sep: str) -> dict[str, list[int]]:
    """Header names that appear more than once, with their 1-based positions."""
    with open(path, encoding=encoding, newline="", errors="replace") as fh:
        first = next(csv.reader(fh, delimiter=sep), [])
    seen: dict[str, list[int]] = {}
    for i, name in enumerate(first, start=1):
        seen.setdefault(name.strip().lstrip("\ufeff"), []).append(i)
    return {n: pos for n, pos in seen.items() if len(pos) > 1 and n}


def read_text_frame(path: Path, encoding: str, sep: str, **kw: object) -> pd.DataFrame:
    """``pd.read_csv`` of a text table, every cell as text, that never shifts columns.

    A row holding more values than the header names columns (an unquoted separator inside a
    value, such as ``Shop, Inc``) is a :class:`DataSourceError` naming the rows; pandas would
    stop on it, or silently take the first column as the index and shift every other column
    by one. Values past the header that are all empty (a trailing separator) are dropped. A
    file that is not valid ``encoding`` is read as Latin-1; an empty file is an error."""
    kw = {"dtype": str, "sep": sep, "index_col": False, **kw}

    def read(enc: str) -> pd.DataFrame:
        with warnings.catch_warnings():
            warnings.filterwarnings("error", category=pd.errors.ParserWarning)
            try:
                return pd.read_csv(path, encoding=enc, **kw)  # type: ignore[call-overload]
            except pd.errors.ParserWarning:
                if _long_rows(path, enc, sep)[1]:
                    raise ragged_rows_error(path, enc, sep) from None
                warnings.filterwarnings("ignore", category=pd.errors.ParserWarning)
                return pd.read_csv(path, encoding=enc, **kw)  # type: ignore[call-overload]

    try:
        try:
            return read(encoding)
        except UnicodeDecodeError:
            encoding = "latin-1"
            return read(encoding)
    except pd.errors.EmptyDataError as exc:
        msg = f"{path}: the file is empty; a table needs a header row and data rows"
        raise DataSourceError(msg) from exc
    except pd.errors.ParserError as exc:
        width, long = _long_rows(path, encoding, sep)
        if long or not width:
            raise ragged_rows_error(path, encoding, sep) from exc
        # pandas stops at a later row's trailing separators (it sizes the table on the first
        # rows); those values are all empty, so every row keeps the header's columns
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", category=pd.errors.ParserWarning)
                return pd.read_csv(  # type: ignore[call-overload]
                    path,
                    encoding=encoding,
                    engine="python",
                    on_bad_lines=lambda row: row[:width],
                    **kw,
                )
        except pd.errors.ParserError:
            raise ragged_rows_error(path, encoding, sep) from exc


def _long_rows(path: Path, encoding: str, sep: str) -> tuple[int, list[tuple[int, int]]]:
    """The header's width, and the first five data rows (1-based) holding a non-empty value
    past it, with their number of values."""
    width, long = 0, []
    with open(path, encoding=encoding, newline="", errors="replace") as fh:
        for i, row in enumerate(csv.reader(fh, delimiter=sep)):
            if i == 0:
                width = len(row)
            elif len(row) > width and any(v.strip() for v in row[width:]):
                long.append((i, len(row)))
                if len(long) == 5:
                    break
    return width, long


def ragged_rows_error(path: Path, encoding: str, sep: str) -> DataSourceError:
    """The error for a text table whose rows hold more values than its header names columns."""
    width, long = _long_rows(path, encoding, sep)
    shown = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}.get(sep, repr(sep))
    where = "; ".join(f"row {r} has {n}" for r, n in long) or "a row has more (empty ones)"
    msg = (
        f"{path}: the header names {width} columns but {where}. A value that holds a {shown} "
        f"(such as a name 'Shop, Inc') must be in double quotes: quote it, or remove the extra "
        f"{shown}, and save the file again"
    )
    return DataSourceError(msg)


def decimal_commas(df: pd.DataFrame) -> list[str]:
    """Turn decimal commas (``"40,44"``) into points in place, in the text columns of a
    semicolon-separated table (such files come from locales that write them); returns a note."""
    fixed = []
    for c in df.columns:
        s = df[c]
        if not (s.dtype == object or pd.api.types.is_string_dtype(s)):
            continue
        hit = s.str.match(_DECIMAL_COMMA.pattern, na=False)
        if hit.any():
            df[c] = s.where(~hit, s.str.replace(",", ".", regex=False))
            fixed.append(str(c))
    if not fixed:
        return []
    return [f"decimal commas read as decimal points in {', '.join(fixed[:6])}"]


def _read_csv(path: Path, sep: str | None, table: str, problems: list[Problem]) -> pd.DataFrame:
    encoding, sep, notes = sniff_csv(path, sep=sep)
    # Everything as text: ids keep their leading zeros and the validator can say exactly
    # which cell failed to parse as a number.
    df = read_text_frame(path, encoding, sep, na_values=NA_VALUES, keep_default_na=False)
    df.columns = [str(c).strip().lstrip("\ufeff") for c in df.columns]
    dups = duplicate_columns(path, encoding, sep)
    for name, pos in dups.items():
        problems.append(
            Problem(
                table,
                f"the header names column '{name}' {len(pos)} times (columns "
                f"{', '.join(map(str, pos))}); only the first is read. Rename or delete the "
                "others",
                file=str(path),
                column=name,
            )
        )
        copies = [f"{name}.{k}" for k in range(1, len(pos))]
        df = df.drop(columns=[c for c in copies if c in df.columns])
    if sep == ";":
        notes += decimal_commas(df)
    df.attrs["notes"] = notes
    return df


def _read_json_records(path: Path) -> pd.DataFrame | None:
    """A JSON array of records (or ``{"data": [...]}``) as a text frame; ``None`` when the file is
    GeoJSON, Esri JSON or anything else for GDAL to read."""
    with open(path, "rb") as fh:
        head = fh.read(4096).decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
    if head.startswith("{") and re.search(r'"(FeatureCollection|Feature|features)"', head):
        return None  # GeoJSON or Esri JSON: GDAL reads it
    try:
        with open(path, encoding="utf-8-sig") as fh:
            data = json.load(fh)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        msg = f"{path}: not valid JSON: {exc}"
        raise DataSourceError(msg) from exc
    if isinstance(data, dict) and "type" not in data and "features" not in data:
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(lists) == 1:
            data = lists[0]
    if not isinstance(data, list):
        return None
    if not data:
        msg = f"{path}: the JSON array is empty; there are no records to read"
        raise DataSourceError(msg)
    if not all(isinstance(r, dict) for r in data):
        msg = (
            f'{path}: a JSON table must be an array of records ({{"name": ..., ...}}); '
            f"found {type(data[0]).__name__} items"
        )
        raise DataSourceError(msg)
    geom_keys = [
        k for k, v in data[0].items() if isinstance(v, dict) and "type" in v and "coordinates" in v
    ]
    geometry = None
    if geom_keys:
        key = geom_keys[0]
        geometry = [shape(r[key]) if isinstance(r.get(key), dict) else None for r in data]
        data = [{k: v for k, v in r.items() if k != key} for r in data]
    df = pd.json_normalize(data)
    df.columns = [str(c) for c in df.columns]
    # Nested coordinates ("location.latitude") keep their last name when it is free.
    for c in list(df.columns):
        last = c.rsplit(".", 1)[-1]
        if "." in c and last.lower() in (*LON_NAMES, *LAT_NAMES) and last not in df.columns:
            df = df.rename(columns={c: last})
    df = df.map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))
    df = df.replace({"": None, **{n: None for n in NA_VALUES if n}})
    if geometry is not None:
        return gpd.GeoDataFrame(df, geometry=geometry, crs="EPSG:4326")
    return df


def wkt_column(df: pd.DataFrame) -> str | None:
    """The column of ``df`` holding WKT geometry (``POINT (...)``, ``MULTIPOLYGON (...)``)."""
    names = {str(c).lower(): c for c in df.columns}
    candidates = [names[n] for n in WKT_NAMES if n in names]
    candidates += [c for c in df.columns if c not in candidates]
    for c in candidates:
        s = df[c]
        if not (s.dtype == object or pd.api.types.is_string_dtype(s)):
            continue
        sample = s.dropna().head(20)
        if len(sample) and sample.astype(str).str.match(_WKT.pattern, case=False).all():
            return str(c)
    return None


def points_from_wkt(
    df: pd.DataFrame, col: str, path: Path, table: str, crs: object | None, problems: list[Problem]
) -> gpd.GeoDataFrame:
    geoms: list[shapely.Geometry | None] = []
    for i, text in enumerate(df[col]):
        if text is None or (isinstance(text, float) and np.isnan(text)):
            geoms.append(None)
            continue
        body = re.sub(r"^\s*SRID=\d+;\s*", "", str(text), flags=re.IGNORECASE)
        try:
            geoms.append(shapely.from_wkt(body))
        except shapely.errors.GEOSException as exc:
            problems.append(
                Problem(
                    table,
                    f"'{col}' is not WKT geometry ({exc}); found {str(text)[:60]!r}",
                    file=str(path),
                    row=i + 1,
                    column=col,
                )
            )
            geoms.append(None)
    rest = pd.DataFrame(df.drop(columns=[col]))
    return gpd.GeoDataFrame(rest, geometry=geoms, crs=crs if crs is not None else "EPSG:4326")


def _points_from_lon_lat(
    df: pd.DataFrame,
    path: Path,
    table: str,
    lon_col: str | None,
    lat_col: str | None,
    crs: object | None,
    problems: list[Problem],
) -> pd.DataFrame | gpd.GeoDataFrame:
    auto_lon, auto_lat = find_lon_lat(list(df.columns))
    lon_col = lon_col or auto_lon
    lat_col = lat_col or auto_lat
    if lon_col is None or lat_col is None:
        return df
    for col in (lon_col, lat_col):
        if col not in df.columns:
            msg = (
                f"{path}: column '{col}' named for coordinates is not in the file; "
                f"found {list(df.columns)}"
            )
            raise DataSourceError(msg)
    lon = pd.to_numeric(df[lon_col], errors="coerce")
    lat = pd.to_numeric(df[lat_col], errors="coerce")
    bad = lon.isna() | lat.isna()
    geographic = crs is None
    if geographic:
        out_of_range = ~bad & ((lon.abs() > 180) | (lat.abs() > 90))
        swapped = out_of_range & (lat.abs() <= 180) & (lon.abs() <= 90)
        n_out = int(out_of_range.sum())
        if n_out > 1 and n_out == int((~bad).sum()) and not swapped.any():
            # Every point is off the globe: projected x/y, one message rather than one per row.
            msg = (
                f"{path}: columns '{lon_col}'/'{lat_col}' hold projected coordinates, not "
                f"longitude/latitude (x {_fmt_range(lon.min(), lon.max())}, y "
                f"{_fmt_range(lat.min(), lat.max())}); pass crs= with their CRS (for example "
                "the local UTM zone, or a State Plane zone for feet)"
            )
            raise DataSourceError(msg)
        for i in np.flatnonzero(out_of_range.to_numpy()):
            hint = (
                " The two columns look swapped: pass lon_col=/lat_col=."
                if swapped.iloc[i]
                else " Coordinates must be WGS84 degrees, or pass crs= for projected x/y."
            )
            problems.append(
                Problem(
                    table,
                    f"coordinates ({lon.iloc[i]}, {lat.iloc[i]}) are not valid longitude/"
                    f"latitude.{hint}",
                    file=str(path),
                    row=int(i) + 1,
                    column=lon_col,
                )
            )
        bad = bad | out_of_range
    for i in np.flatnonzero((lon.isna() | lat.isna()).to_numpy()):
        col = lon_col if pd.isna(lon.iloc[i]) else lat_col
        raw = df[col].iloc[i]
        what = "is empty" if pd.isna(raw) else f"is not a number ({raw!r})"
        problems.append(
            Problem(
                table,
                f"coordinate {what}; every point needs a longitude and a latitude",
                file=str(path),
                row=int(i) + 1,
                column=col,
            )
        )
    problems.sort(key=lambda p: p.row or 0)
    geometry = gpd.points_from_xy(lon.where(~bad, 0.0), lat.where(~bad, 0.0))
    geometry[bad.to_numpy()] = None  # a row without usable coordinates has no geometry
    rest = df.drop(columns=[lon_col, lat_col])
    # Keep the coordinates for areas (population-weighted centre) in the contract's names.
    return gpd.GeoDataFrame(rest, geometry=geometry, crs=crs if crs is not None else "EPSG:4326")


def _fmt_range(lo: float, hi: float) -> str:
    digits = 0 if max(abs(lo), abs(hi)) > 1000 else 4
    return f"{lo:,.{digits}f} to {hi:,.{digits}f}"


def check_crs(
    gdf: gpd.GeoDataFrame, *, source: str, declared_by: str = "the file's CRS says"
) -> None:
    """Raise :class:`DataSourceError` when the coordinates cannot be in the declared CRS.

    Degrees beyond -180..180 / -90..90 in a geographic CRS are projected coordinates; in a
    projected CRS, coordinates that all fit in those ranges and put the data outside the CRS's
    area of use are degrees; and a projected CRS whose coordinates put the centre of the data
    more than 2 degrees outside its area of use is the wrong one (a .prj of another zone, or
    feet read as metres). ``declared_by`` says where the CRS came from, with its verb (``"the .prj says"``).
    """
    if gdf.crs is None or len(gdf) == 0:
        return
    geom = gdf.geometry
    present = ~geom.isna() & ~geom.is_empty  # notna() warns about empty geometries
    if not present.any():
        return
    b = geom[present].bounds.to_numpy(dtype=float)
    b = b[np.isfinite(b).all(axis=1)]
    if not len(b):
        return
    # Decide by the majority of the rows: a few stray coordinates (a bad row, 1e308) are the
    # validator's per-row errors, not a sign of the wrong CRS.
    fits = (np.abs(b[:, [0, 2]]) <= 180).all(axis=1) & (np.abs(b[:, [1, 3]]) <= 90).all(axis=1)
    degrees = bool(fits.mean() >= 0.5)
    b = b[fits] if degrees else b[~fits]
    x0, y0 = float(b[:, 0].min()), float(b[:, 1].min())
    x1, y1 = float(b[:, 2].max()), float(b[:, 3].max())
    crs = CRS.from_user_input(gdf.crs)
    label = crs.name + (f" (EPSG:{crs.to_epsg()})" if crs.to_epsg() else "")
    seen = f"x {_fmt_range(x0, x1)}, y {_fmt_range(y0, y1)}"
    if crs.is_geographic:
        if not degrees:
            msg = (
                f"{source}: {declared_by} {label}, longitude/latitude in degrees; the "
                f"coordinates look like projected metres or feet ({seen}). Pass crs= with the "
                "CRS they are in (for example the local UTM zone, or a State Plane zone for "
                "feet), or fix the file's CRS"
            )
            raise DataSourceError(msg)
        return
    area = crs.area_of_use
    if area is None:
        return
    try:
        from pyproj import Transformer

        tf = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
        lon, lat = tf.transform((x0 + x1) / 2, (y0 + y1) / 2)
    except Exception:  # pyproj raises several types; treat as "cannot place"
        lon, lat = float("nan"), float("nan")
    margin = 2.0
    inside = (
        np.isfinite(lon)
        and np.isfinite(lat)
        and area.west - margin <= lon <= area.east + margin
        and area.south - margin <= lat <= area.north + margin
    )
    if inside:
        return
    unit = crs.axis_info[0].unit_name if crs.axis_info else "metre"
    where = f"lon {lon:.2f}, lat {lat:.2f}" if np.isfinite(lon) and np.isfinite(lat) else "nowhere"
    if degrees:
        msg = (
            f"{source}: {declared_by} {label} ({unit}s); the coordinates look like "
            f"longitude/latitude degrees ({seen}). Pass crs='EPSG:4326' (or 'EPSG:4269' for "
            "NAD83), or fix the file's CRS"
        )
    else:
        msg = (
            f"{source}: {declared_by} {label} ({unit}s), used in {area.name.split(' - ')[0]}"
            f" ({area.west:.1f} to {area.east:.1f} E, {area.south:.1f} to {area.north:.1f} N); "
            f"the coordinates ({seen}) put the data at {where}, outside it. The CRS is "
            "probably wrong (another zone, or feet taken for metres): pass crs= with the "
            "CRS the coordinates are in, or fix the file's CRS"
        )
    raise DataSourceError(msg)


def _geojson_has_crs(path: Path) -> bool:
    with open(path, "rb") as fh:
        head = fh.read(65536).decode("utf-8", errors="ignore")
    before = head.split('"features"', 1)[0]
    return bool(re.search(r'"crs"\s*:', before))


def read_table(
    path: str | os.PathLike[str],
    *,
    table: str = "table",
    layer: str | None = None,
    crs: object | None = None,
    lon_col: str | None = None,
    lat_col: str | None = None,
    points: bool = True,
) -> tuple[pd.DataFrame | gpd.GeoDataFrame, list[Problem]]:
    """Read one file into a frame, and the problems met while reading it.

    Parameters
    ----------
    path
        A ``.geojson``, ``.json`` (GeoJSON, Esri JSON, or an array of records), ``.gpkg``,
        ``.shp``, zipped shapefile ``.zip``, ``.parquet`` (GeoParquet or plain), ``.fgb`` or
        ``.csv``/``.tsv``/``.txt`` file. Text tables may be comma-, semicolon-, tab- or
        pipe-separated, in UTF-8, UTF-16 or Windows-1252 (detected); a column of WKT geometry
        (``POINT (-80 40.4)``, ``MULTIPOLYGON (...)``) becomes the geometry.
    table
        The contract table it is read for, used in problem messages.
    layer
        Layer of a GeoPackage or member of a zip holding several shapefiles.
    crs
        The CRS of the coordinates: for CSV x/y or WKT columns (WGS84 lon/lat when omitted),
        for a file without a CRS, and to correct a file whose CRS is wrong (it replaces the
        declared one, which is noted in ``frame.attrs["notes"]``).
    lon_col, lat_col
        Coordinate columns of a CSV when their names are not a common spelling.
    points
        Build point geometry from CSV coordinates when found (``False`` keeps a plain table).

    Returns
    -------
    frame, problems
        A GeoDataFrame for spatial files and CSVs with coordinates, else a DataFrame. Every
        column of a CSV is text; numbers are parsed by validation, which can then say which
        cell was not a number. ``frame.attrs["notes"]`` says what was detected (delimiter,
        encoding, decimal commas, a replaced CRS).

    Raises
    ------
    DataSourceError
        The file is missing, unreadable, holds no features, or its coordinates cannot be in
        its declared CRS (for example metres in a GeoJSON without a ``crs`` member, which
        means WGS84 degrees).
    """
    p = Path(path)
    if not p.exists():
        msg = f"{p}: no such file"
        raise DataSourceError(msg)
    suffix = p.suffix.lower()
    problems: list[Problem] = []
    notes: list[str] = []
    declared_by = "the file's CRS says"
    try:
        if suffix in (".csv", ".tsv", ".txt"):
            df = _read_csv(p, "\t" if suffix == ".tsv" else None, table, problems)
            notes = list(df.attrs.get("notes", []))
            df = restored(df)  # undo the formula guard of Foodshed's own CSVs (equity._csv)
            if points:
                wkt = None
                if lon_col is None and lat_col is None and None in find_lon_lat(list(df.columns)):
                    wkt = wkt_column(df)
                if wkt is not None:
                    df = points_from_wkt(df, wkt, p, table, crs, problems)
                    notes.append(f"geometry from the WKT column '{wkt}'")
                    declared_by = (
                        "crs= says" if crs is not None else "without crs=, the WKT is taken as"
                    )
                else:
                    df = _points_from_lon_lat(df, p, table, lon_col, lat_col, crs, problems)
                    declared_by = "crs= says"
                if isinstance(df, gpd.GeoDataFrame) and (crs is not None or wkt is not None):
                    check_crs(df, source=str(p), declared_by=declared_by)
            df.attrs["notes"] = notes
            return df, problems
        if suffix == ".json":
            records = _read_json_records(p)
            if records is not None:
                df = records
                if points and not isinstance(df, gpd.GeoDataFrame):
                    df = _points_from_lon_lat(df, p, table, lon_col, lat_col, crs, problems)
                df.attrs["notes"] = ["read as a JSON array of records"]
                return df, problems
        if suffix in (".parquet", ".geoparquet"):
            try:
                gdf = gpd.read_parquet(p)
            except (ValueError, KeyError):  # plain parquet without geo metadata
                df = pd.read_parquet(p)
                if points:
                    df = _points_from_lon_lat(df, p, table, lon_col, lat_col, crs, problems)
                return df, problems
        elif suffix == ".zip":
            gdf = _read_zip(p, layer, table)
            declared_by = "the .prj says"
        elif suffix in GEO_SUFFIXES:
            if suffix == ".gpkg" and layer is None:
                layer = _only_layer(p, table)
            with warnings.catch_warnings():
                # a property holding a list or text where a number is due: the checks below
                # name the file, row and column; pyogrio's own warning would be Python to a user
                warnings.filterwarnings("ignore", "Could not parse column", UserWarning)
                # an unclosed ring: the error below says so in plain words
                warnings.filterwarnings("ignore", "Non closed ring", RuntimeWarning)
                gdf = gpd.read_file(p, layer=layer) if layer else gpd.read_file(p)
            if suffix == ".shp":
                declared_by = "the .prj says"
            elif suffix in (".geojson", ".json"):
                declared_by = (
                    "the GeoJSON's 'crs' member says"
                    if _geojson_has_crs(p)
                    else "the GeoJSON has no 'crs' member, which by the standard means"
                )
        elif suffix in (".xlsx", ".xls", ".xlsm"):
            msg = (
                f"{p}: an Excel workbook; save the sheet that holds the table as CSV (in "
                "Excel: File > Save As > CSV UTF-8; the Atlas's sheet is 'Food Access Research "
                "Atlas') and read that"
            )
            raise DataSourceError(msg)
        else:
            msg = f"{p}: unknown file type '{suffix}'; use one of {', '.join(SUFFIXES)}"
            raise DataSourceError(msg)
    except DataSourceError:
        raise
    except Exception as exc:  # pyogrio/arrow errors vary by driver; name the file and the cause
        if "do not form a closed linestring" in str(exc):
            msg = (
                f"{p}: a polygon's ring is not closed (its last point must repeat its first); "
                "close the ring, or export the layer again from your GIS"
            )
        else:
            msg = f"{p}: cannot be read as a {suffix.lstrip('.')} file: {exc}"
        raise DataSourceError(msg) from exc
    if isinstance(gdf, gpd.GeoDataFrame) and len(gdf) == 0:
        kind = "FeatureCollection" if suffix in (".geojson", ".json") else "layer"
        msg = (
            f"{p}: the {kind} holds no features, so there is no {table} table to read; "
            "export the layer again with its features"
        )
        raise DataSourceError(msg)
    if isinstance(gdf, gpd.GeoDataFrame) and crs is not None:
        if gdf.crs is None:
            gdf = gdf.set_crs(crs)
            declared_by = "crs= says"
        elif CRS.from_user_input(crs) != CRS.from_user_input(gdf.crs):
            notes.append(f"CRS {CRS.from_user_input(gdf.crs).name} replaced by crs={crs}")
            gdf = gdf.set_crs(crs, allow_override=True)
            declared_by = "crs= says"
    if isinstance(gdf, gpd.GeoDataFrame):
        check_crs(gdf, source=str(p), declared_by=declared_by)
    gdf.attrs["notes"] = notes
    return gdf, problems


def _pick_layer_hint(table: str, example: str) -> str:
    return f'name the one to read with the line layer = "{example}" under [{table}] in region.toml'


def _only_layer(p: Path, table: str) -> str | None:
    """The layer of a GeoPackage to read: its only one, or the one named as the table; a
    :class:`DataSourceError` listing the layers when there are several and none is."""
    import pyogrio

    names = [str(n) for n in pyogrio.list_layers(p)[:, 0]]
    if len(names) <= 1 or table in names:
        return table if table in names else None
    shown = ", ".join(f"'{n}'" for n in names[:10]) + (" ..." if len(names) > 10 else "")
    msg = f"{p}: the GeoPackage holds {len(names)} layers ({shown}); " + _pick_layer_hint(
        table, names[0]
    )
    raise DataSourceError(msg)


def _read_zip(p: Path, layer: str | None, table: str = "table") -> gpd.GeoDataFrame:
    with zipfile.ZipFile(p) as zf:
        names = [n for n in zf.namelist() if not n.startswith("__MACOSX")]
    shps = [n for n in names if n.lower().endswith(".shp")]
    others = [n for n in names if n.lower().endswith((".geojson", ".gpkg", ".json"))]
    members = shps or others
    if not members:
        msg = f"{p}: the zip holds no .shp, .gpkg or .geojson file (found {names[:10]})"
        raise DataSourceError(msg)
    if layer is not None:
        chosen = [n for n in members if Path(n).stem == layer or n == layer]
        if not chosen:
            msg = f"{p}: no member named '{layer}'; found {members}"
            raise DataSourceError(msg)
        member = chosen[0]
    elif len(members) > 1:
        msg = f"{p}: the zip holds several layers {members}; " + _pick_layer_hint(
            table, Path(members[0]).stem
        )
        raise DataSourceError(msg)
    else:
        member = members[0]
    return gpd.read_file(f"zip://{p.resolve()}!{member}")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(text).strip().lower()).strip("_")

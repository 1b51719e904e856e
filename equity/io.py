"""Read the files people actually have into plain frames, without judging their contents.

Supported: GeoJSON, GeoPackage, Shapefile (also zipped), GeoParquet, plain Parquet and CSV. A CSV
with longitude/latitude columns (any common spelling, or named with ``lon_col=``/``lat_col=``)
becomes a point GeoDataFrame in WGS84 unless ``crs=`` says otherwise. Validation against the
contracts happens later, in :mod:`equity.validate`, so that every problem is reported at once.
"""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ._csv import restored
from ._errors import DataSourceError, Problem

__all__ = [
    "GEO_SUFFIXES",
    "LAT_NAMES",
    "LON_NAMES",
    "SUFFIXES",
    "find_lon_lat",
    "read_table",
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


def _read_csv(path: Path, sep: str | None) -> pd.DataFrame:
    try:
        # Everything as text: ids keep their leading zeros and the validator can say exactly
        # which cell failed to parse as a number. utf-8-sig drops a byte-order mark.
        return pd.read_csv(
            path,
            dtype=str,
            sep=sep,
            na_values=NA_VALUES,
            keep_default_na=False,
            encoding="utf-8-sig",
            engine="python" if sep is None else "c",
        )
    except UnicodeDecodeError:
        return pd.read_csv(
            path,
            dtype=str,
            sep=sep,
            na_values=NA_VALUES,
            keep_default_na=False,
            encoding="latin-1",
            engine="python" if sep is None else "c",
        )


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
        A ``.geojson``/``.json``, ``.gpkg``, ``.shp``, zipped shapefile ``.zip``, ``.parquet``
        (GeoParquet or plain), ``.fgb`` or ``.csv``/``.tsv`` file.
    table
        The contract table it is read for, used in problem messages.
    layer
        Layer of a GeoPackage or member of a zip holding several shapefiles.
    crs
        For CSV coordinates: the CRS of the x/y columns (WGS84 lon/lat when omitted). For a
        geographic file without a CRS: the CRS to assume.
    lon_col, lat_col
        Coordinate columns of a CSV when their names are not a common spelling.
    points
        Build point geometry from CSV coordinates when found (``False`` keeps a plain table).

    Returns
    -------
    frame, problems
        A GeoDataFrame for spatial files and CSVs with coordinates, else a DataFrame. Every
        column of a CSV is text; numbers are parsed by validation, which can then say which
        cell was not a number.
    """
    p = Path(path)
    if not p.exists():
        msg = f"{p}: no such file"
        raise DataSourceError(msg)
    suffix = p.suffix.lower()
    problems: list[Problem] = []
    try:
        if suffix in (".csv", ".tsv", ".txt"):
            df = _read_csv(p, "\t" if suffix == ".tsv" else ("," if suffix == ".csv" else None))
            df = restored(df)  # undo the formula guard of Foodshed's own CSVs (equity._csv)
            df.columns = [str(c).strip() for c in df.columns]
            if points:
                df = _points_from_lon_lat(df, p, table, lon_col, lat_col, crs, problems)
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
            gdf = _read_zip(p, layer)
        elif suffix in GEO_SUFFIXES:
            gdf = gpd.read_file(p, layer=layer) if layer else gpd.read_file(p)
        else:
            msg = f"{p}: unknown file type '{suffix}'; use one of {', '.join(SUFFIXES)}"
            raise DataSourceError(msg)
    except DataSourceError:
        raise
    except Exception as exc:  # pyogrio/arrow errors vary by driver; name the file and the cause
        msg = f"{p}: cannot be read as a {suffix.lstrip('.')} file: {exc}"
        raise DataSourceError(msg) from exc
    if isinstance(gdf, gpd.GeoDataFrame) and gdf.crs is None and crs is not None:
        gdf = gdf.set_crs(crs)
    return gdf, problems


def _read_zip(p: Path, layer: str | None) -> gpd.GeoDataFrame:
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
        msg = f"{p}: the zip holds several layers {members}; pick one with layer="
        raise DataSourceError(msg)
    else:
        member = members[0]
    return gpd.read_file(f"zip://{p.resolve()}!{member}")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(text).strip().lower()).strip("_")

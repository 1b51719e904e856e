"""Shared helpers of :mod:`equity.sources`: text CSV reading, column checks, numbers and points.

Every reader reads CSVs as text (ids keep their leading zeros), names the file, row and column
of whatever is wrong, and raises :class:`~equity.DataSourceError` (cannot read) or
:class:`~equity.ValidationError` (read, but wrong).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ._errors import DataSourceError, Problem, ValidationError
from .io import NA_VALUES

WGS84 = "EPSG:4326"


def as_path(path: str | os.PathLike[str]) -> Path:
    p = Path(path)
    if not p.exists():
        msg = f"{p}: no such file"
        raise DataSourceError(msg)
    return p


def header(path: Path) -> list[str]:
    """Column names of a CSV (BOM and surrounding spaces removed)."""
    try:
        cols = pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns
    except UnicodeDecodeError:
        cols = pd.read_csv(path, nrows=0, encoding="latin-1").columns
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        msg = f"{path}: cannot be read as CSV: {exc}"
        raise DataSourceError(msg) from exc
    return [str(c).strip() for c in cols]


#: Files larger than this are tried first with pyarrow's multi-threaded CSV reader.
BIG_CSV_BYTES = 5_000_000


def _read_fast(path: Path, usecols: list[str] | None) -> pd.DataFrame | None:
    """The national tables (Atlas, centres of population) with pyarrow, about 5x faster than
    pandas' C parser; ``None`` (use pandas) when pyarrow cannot parse the file."""
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


def read_text_csv(
    path: Path,
    *,
    table: str,
    required: Sequence[str] = (),
    optional: Iterable[str] = (),
    all_columns: bool = False,
    hint: str = "",
) -> pd.DataFrame:
    """Read a CSV with every cell as text (``NULL``, ``NA`` and blanks are missing).

    Only ``required`` and ``optional`` columns are read unless ``all_columns``; a missing
    required column raises a :class:`ValidationError` listing the columns found.
    """
    found = header(path)
    missing = [c for c in required if c not in found]
    if missing:
        problems = [
            Problem(
                table,
                f"missing column '{c}'; found {found[:30]}{' ...' if len(found) > 30 else ''}."
                f"{' ' + hint if hint else ''}",
                file=str(path),
                column=c,
            )
            for c in missing
        ]
        raise ValidationError(problems, title=f"{path}: not a {table} file")
    wanted = set(required) | set(optional)
    usecols = None if all_columns else [c for c in found if c in wanted]

    def read(encoding: str) -> pd.DataFrame:
        return pd.read_csv(
            path,
            dtype=str,
            na_values=NA_VALUES,
            keep_default_na=False,
            encoding=encoding,
            usecols=(lambda c: str(c).strip() in usecols) if usecols is not None else None,
        )

    df = None
    if path.stat().st_size > BIG_CSV_BYTES:
        df = _read_fast(path, usecols)
    if df is None:
        try:
            try:
                df = read("utf-8-sig")
            except UnicodeDecodeError:
                df = read("latin-1")
        except (pd.errors.ParserError, ValueError) as exc:
            msg = f"{path}: cannot be read as CSV: {exc}"
            raise DataSourceError(msg) from exc
    df.columns = [str(c).strip() for c in df.columns]
    return df


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
    ``estimate_utm_crs`` gives for a region within one zone, without a database query."""
    x0, y0, x1, y1 = gdf.to_crs(WGS84).total_bounds
    lon, lat = (x0 + x1) / 2, (y0 + y1) / 2
    zone = int((lon + 180) // 6) % 60 + 1
    return f"EPSG:{32600 + zone if lat >= 0 else 32700 + zone}"


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

"""Safe handling of uploaded region zips, and safe CSV exports.

An upload is only ever *read*: files are unpacked by streaming with hard limits (zip size,
file count, total unpacked bytes, compression ratio), names that could escape the target
folder (absolute paths, ``..``, drive letters, links) are refused, only data-file types are
kept, and nothing is imported, executed or unpickled. The unpacked folder is then read by
:func:`equity.validate_dir` like any other region folder.
"""

from __future__ import annotations

import base64
import binascii
import io
import os
import stat
import zipfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

import pandas as pd

from equity import DataSourceError
from equity._csv import neutralise, neutralised

__all__ = [
    "DATA_SUFFIXES",
    "decode_upload",
    "find_region_root",
    "neutralise",
    "safe_csv",
    "safe_unzip",
]

#: File types kept from a zip; everything else is skipped (and reported).
DATA_SUFFIXES = frozenset(
    {
        ".csv",
        ".tsv",
        ".txt",
        ".geojson",
        ".json",
        ".gpkg",
        ".parquet",
        ".geoparquet",
        ".fgb",
        ".shp",
        ".shx",
        ".dbf",
        ".prj",
        ".cpg",
        ".toml",
        ".md",
    }
)
_CHUNK = 1 << 16


def decode_upload(contents: str, *, max_bytes: int) -> bytes:
    """Bytes of a ``dcc.Upload`` ``contents`` string (``data:...;base64,...``), size-checked."""
    if not contents or "," not in contents:
        msg = "the upload is empty; choose a .zip file of your region's tables"
        raise DataSourceError(msg)
    b64 = contents.split(",", 1)[1]
    if len(b64) * 3 // 4 > max_bytes:
        msg = (
            f"the upload is {len(b64) * 3 // 4 / 1e6:,.1f} MB, over the limit of "
            f"{max_bytes / 1e6:,.0f} MB; remove unused files or point to a folder instead"
        )
        raise DataSourceError(msg)
    try:
        return base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError) as exc:
        msg = "the upload could not be decoded; upload the .zip file again"
        raise DataSourceError(msg) from exc


def _safe_name(name: str) -> PurePosixPath | None:
    """The relative path of a zip member, or ``None`` when it is unsafe."""
    if not name or "\x00" in name or "\\" in name:
        return None
    p = PurePosixPath(name)
    if p.is_absolute() or (p.parts and ":" in p.parts[0]):
        return None
    if any(part in ("..", "") for part in p.parts):
        return None
    return p


def safe_unzip(
    data: bytes,
    dest: str | os.PathLike[str],
    *,
    max_unpacked_bytes: int = 300_000_000,
    max_files: int = 200,
    max_ratio: float = 200.0,
) -> tuple[Path, list[str]]:
    """Unpack the zip in ``data`` into the new folder ``dest``, refusing anything unsafe.

    Returns ``(dest, notes)`` where ``notes`` lists skipped files. Raises
    :class:`~equity.DataSourceError` (and leaves nothing behind) when the zip is not a zip, is
    too big when unpacked, holds too many files, has a member compressed more than
    ``max_ratio`` times, or names a path outside ``dest`` or a link.
    """
    target = Path(dest)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        msg = "the upload is not a valid .zip file; zip the folder of your region's tables"
        raise DataSourceError(msg) from exc
    notes: list[str] = []
    with zf:
        members = [m for m in zf.infolist() if not m.is_dir()]
        if len(members) > max_files:
            msg = f"the zip holds {len(members)} files, over the limit of {max_files}"
            raise DataSourceError(msg)
        declared = sum(m.file_size for m in members)
        if declared > max_unpacked_bytes:
            msg = (
                f"the zip would unpack to {declared / 1e6:,.1f} MB, over the limit of "
                f"{max_unpacked_bytes / 1e6:,.0f} MB"
            )
            raise DataSourceError(msg)
        plan: list[tuple[zipfile.ZipInfo, PurePosixPath]] = []
        for m in members:
            rel = _safe_name(m.filename)
            if rel is None:
                msg = f"the zip names an unsafe path {m.filename!r} (outside the folder); refused"
                raise DataSourceError(msg)
            mode = m.external_attr >> 16
            if stat.S_ISLNK(mode):
                msg = f"the zip holds a link {m.filename!r}; links are refused"
                raise DataSourceError(msg)
            if m.flag_bits & 0x1:
                msg = f"{m.filename!r} is encrypted; upload an unencrypted zip"
                raise DataSourceError(msg)
            if rel.name.startswith(".") or "__MACOSX" in rel.parts:
                continue
            if rel.suffix.lower() not in DATA_SUFFIXES:
                notes.append(f"skipped {m.filename!r}: not a data file type")
                continue
            if m.compress_size and m.file_size / m.compress_size > max_ratio:
                msg = (
                    f"{m.filename!r} is compressed {m.file_size / m.compress_size:,.0f} times, "
                    f"over the limit of {max_ratio:,.0f}; refused as a possible zip bomb"
                )
                raise DataSourceError(msg)
            plan.append((m, rel))
        target.mkdir(parents=True, exist_ok=False)
        root = target.resolve()
        written = 0
        try:
            for m, rel in plan:
                out = (root / Path(*rel.parts)).resolve()
                if root not in out.parents:
                    msg = f"the zip names an unsafe path {m.filename!r}; refused"
                    raise DataSourceError(msg)
                out.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(m) as src, open(out, "xb") as dst:
                    while chunk := src.read(_CHUNK):
                        written += len(chunk)
                        if written > max_unpacked_bytes:
                            msg = (
                                f"the zip unpacks to more than {max_unpacked_bytes / 1e6:,.0f} MB "
                                "(its sizes are not what it declares); refused"
                            )
                            raise DataSourceError(msg)
                        dst.write(chunk)
        except (DataSourceError, zipfile.BadZipFile, OSError) as exc:
            _remove_tree(root)
            if isinstance(exc, DataSourceError):
                raise
            msg = f"the zip could not be unpacked: {exc}"
            raise DataSourceError(msg) from exc
    return target, notes


def _remove_tree(root: Path) -> None:
    import shutil

    shutil.rmtree(root, ignore_errors=True)


def find_region_root(folder: str | os.PathLike[str]) -> Path:
    """The folder that holds the region (``region.toml`` or ``areas.*``), searched two levels down."""
    base = Path(folder)
    candidates = [base, *sorted(p for p in base.iterdir() if p.is_dir())]
    candidates += [q for p in candidates[1:] for q in sorted(p.iterdir()) if q.is_dir()]
    for c in candidates:
        if (c / "region.toml").exists() or any(
            p.stem.lower() == "areas" for p in c.iterdir() if p.is_file()
        ):
            return c
    msg = (
        "the upload has no areas table: include areas.geojson (or .gpkg, .csv, ...) and the other "
        "tables, optionally with region.toml, at the top of the zip"
    )
    raise DataSourceError(msg)


# ---------------------------------------------------------------------- CSV export
# One rule for every CSV Foodshed writes (equity._csv): downloads and command outputs alike.


def safe_csv(frame: pd.DataFrame, *, columns: Iterable[str] | None = None) -> str:
    """CSV text of ``frame`` (geometry dropped) with every text cell :func:`neutralise`-d.

    Column names are neutralised too. Numbers are left as numbers.
    """
    df = pd.DataFrame(frame)
    if "geometry" in df.columns:
        df = df.drop(columns="geometry")
    if columns is not None:
        df = df[[c for c in columns if c in df.columns]]
    df = neutralised(df)
    return df.to_csv(index=False)

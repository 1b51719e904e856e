"""Safe handling of uploaded region zips, and safe CSV exports.

An upload is only ever *read*: files are unpacked by streaming with hard limits (zip size,
file count, total unpacked bytes, compression ratio), names that could escape the target
folder (absolute paths, ``..``, drive letters, links) are refused, only data-file types are
kept, and nothing is imported, executed or unpickled. The unpacked folder is then read by
:func:`equity.validate_dir` with ``confine_to`` the upload, so its ``region.toml`` cannot make
the server read any file outside it. :func:`check_upload` does all of this for the Data page:
the unpacked folder is removed unless the region is valid, and every message is in plain words
with file names relative to the upload (never a server path or a traceback).
"""

from __future__ import annotations

import base64
import binascii
import io
import logging
import os
import shutil
import stat
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd

from equity import DataSourceError, FoodshedError, Problem
from equity._csv import neutralise, neutralised

from ..services import validate_region

__all__ = [
    "DATA_SUFFIXES",
    "UploadCheck",
    "check_upload",
    "decode_upload",
    "find_region_root",
    "neutralise",
    "region_line",
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


# ---------------------------------------------------------------------- checking an upload
_log = logging.getLogger(__name__)

#: Shown when checking an upload fails in a way the checks did not foresee (a bug).
INTERNAL = (
    "Foodshed could not check this upload because of an internal error (it is logged on the "
    "server). Check the files against the data contracts, or run `foodshed validate` on the "
    "folder on your own computer for the details."
)


@dataclass
class UploadCheck:
    """What checking an upload found.

    ``message`` says in plain words what happened; ``problems`` lists every problem with file
    names relative to the upload; ``folder`` and ``region`` are set only when the region is
    valid (the unpacked folder is kept for it; otherwise it is already removed).
    """

    message: str
    problems: tuple[Problem, ...] = ()
    region: Any = None
    folder: Path | None = None
    notes: list[str] = field(default_factory=list)
    refused: bool = False

    @property
    def ok(self) -> bool:
        return self.region is not None


def _scrub(text: str, dest: Path) -> str:
    """``text`` with every server path of the upload made relative to it."""
    for base in sorted({str(dest.resolve()), str(dest)}, key=len, reverse=True):
        text = text.replace(base + os.sep, "").replace(base, "the upload")
    return text


def _relative(p: Problem, dest: Path) -> Problem:
    file = p.file
    if file is not None:
        try:
            file = str(Path(file).resolve().relative_to(dest.resolve()))
        except ValueError:
            file = Path(file).name
    return replace(p, file=file, message=_scrub(p.message, dest))


def region_line(region: Any) -> str:
    """A region in one plain sentence: its name and what it holds (``Region.summary``)."""
    s = region.summary()
    counts = [
        f"{s['areas']:,} areas",
        f"{s['population']:,.0f} people",
        f"{s['stores']:,} stores",
        f"{s['sites']:,} sites",
        f"{s['commodities']:,} commodities",
    ]
    line = f"{s['name']}: {', '.join(counts)}."
    if not (s["supply_rows"] and s["need_rows"]):
        line += " It has no supply or need table: plans use documented estimates, and say so."
    return line


def check_upload(
    contents: str,
    dest: str | os.PathLike[str],
    *,
    max_upload_bytes: int,
    max_unpacked_bytes: int = 300_000_000,
    max_files: int = 200,
    max_ratio: float = 200.0,
) -> UploadCheck:
    """Decode, unpack (into the new folder ``dest``) and validate an uploaded region zip.

    Reads nothing outside ``dest`` (see :func:`equity.validate_dir`'s ``confine_to``). Never
    raises for a bad upload: a refused or invalid one comes back with ``ok`` false and
    ``dest`` removed; so does an unexpected failure, which is logged with its traceback and
    shown as :data:`INTERNAL`.
    """
    dest = Path(dest)
    keep = False
    try:
        data = decode_upload(contents, max_bytes=max_upload_bytes)
        folder, notes = safe_unzip(
            data,
            dest,
            max_unpacked_bytes=max_unpacked_bytes,
            max_files=max_files,
            max_ratio=max_ratio,
        )
        root = find_region_root(folder)
        report = validate_region(root, confine_to=dest)
        problems = tuple(_relative(p, dest) for p in report.problems)
        if not report.ok or report.region is None:
            n = len(report.errors)
            return UploadCheck(
                f"{n} error(s) to fix before this region can be used; each is listed below "
                "with its file, row and column.",
                problems,
                notes=notes,
            )
        keep = True
        return UploadCheck(
            region_line(report.region), problems, region=report.region, folder=root, notes=notes
        )
    except FoodshedError as exc:
        return UploadCheck(_scrub(str(exc), dest), refused=True)
    except Exception:
        _log.exception("checking an uploaded region failed")
        return UploadCheck(INTERNAL, refused=True)
    finally:
        if not keep:
            shutil.rmtree(dest, ignore_errors=True)


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

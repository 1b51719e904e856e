"""Read and check ``region.toml``, the optional settings file of a region folder.

::

    name = "My City"                 # text
    crs = "EPSG:32617"               # the metric CRS to compute in (text, or an EPSG number)

    [provenance]                     # free-form notes (text, numbers, true/false)
    default_period = "summer"        # the period analyses use when none is named

    [areas]                          # one table per contract table, every key optional
    file = "tracts.gpkg"             # relative to the folder
    columns = { GEOID10 = "area_id" }
    crs = "EPSG:4326"                # CRS of the file (or of a CSV's x/y columns)
    lon_col = "x"
    lat_col = "y"
    layer = "tracts"

Every problem of the file is reported at once, naming the key. A value of the wrong type is an
error; an unknown key is a warning (with the closest known key). With ``confine_to`` (uploads),
a file outside that folder, an absolute path, ``..`` and links leading out are refused, and so
is a CRS that would make PROJ open a file.
"""

from __future__ import annotations

import difflib
import json
import tomllib
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyproj import CRS
from pyproj.exceptions import CRSError

from ._errors import DataSourceError, Problem
from .contracts import TABLES

__all__ = ["Manifest", "inside", "read_manifest"]

_TOP_KEYS = ("name", "crs", "provenance", *TABLES)
_TABLE_KEYS = ("file", "columns", "crs", "lon_col", "lat_col", "layer")


@dataclass
class Manifest:
    """What ``region.toml`` says (everything empty when there is no such file)."""

    name: str | None = None
    crs: Any = None
    provenance: dict[str, Any] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)
    columns: dict[str, dict[str, str]] = field(default_factory=dict)
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)


def inside(path: Path, root: Path) -> bool:
    """Whether ``path`` (links followed) lies within ``root`` (links followed)."""
    real, base = path.resolve(), root.resolve()
    return real == base or base in real.parents


def _what(v: object) -> str:
    kinds = {bool: "true/false", int: "a number", float: "a number", str: "text"}
    for t, word in kinds.items():
        if type(v) is t:  # the value as TOML writes it (true, "text"), not as Python does
            shown = str(v).lower() if t is bool else json.dumps(v) if t is str else f"{v}"
            return f"{word} ({shown})"
    if isinstance(v, dict):
        return "a table"
    if isinstance(v, list):
        return "a list"
    return type(v).__name__


def _near(key: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return f" Did you mean '{close[0]}'?" if close else ""


def _crs_problem(value: Any, where: str, *, confined: bool) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return f'{where} must be a CRS in quotes such as "EPSG:32617"; found {_what(value)}'
    if isinstance(value, str) and not value.strip():
        return f'{where} is empty; give a CRS such as "EPSG:32617", or remove the line'
    if confined and isinstance(value, str) and ("init=" in value.lower() or "/" in value):
        return f'{where} = {value!r} is refused for an upload; write it as "EPSG:<code>"'
    try:
        with warnings.catch_warnings():  # '+init=' syntax warns; only validity matters here
            warnings.simplefilter("ignore")
            CRS.from_user_input(value)
    except CRSError:
        return f'{where} = {value!r} is not a CRS that PROJ knows; write it as "EPSG:<code>"'
    return None


def read_manifest(folder: Path, *, confine_to: Path | None = None) -> Manifest:
    """Read ``folder/region.toml`` (when there is one) and check every key.

    Raises :class:`~equity.DataSourceError` listing every error; unknown keys come back as
    warnings in :attr:`Manifest.warnings`.
    """
    out = Manifest()
    mpath = folder / "region.toml"
    if not mpath.exists():
        return out
    label = mpath.name if confine_to is not None else str(mpath)
    try:
        text = mpath.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        msg = f"{label}: is not UTF-8 text (byte {exc.start}); save it as UTF-8"
        raise DataSourceError(msg) from exc
    except OSError as exc:
        msg = f"{label}: cannot be read ({exc.strerror})"
        raise DataSourceError(msg) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = f"{label}: not valid TOML: {exc}"
        raise DataSourceError(msg) from exc
    errors: list[str] = []
    confined = confine_to is not None
    for key in data:
        if key not in _TOP_KEYS:
            out.warnings.append(
                Problem(
                    "region",
                    f"unknown key '{key}' is ignored; known keys are {', '.join(_TOP_KEYS)}."
                    + _near(key, _TOP_KEYS),
                    file=str(mpath),
                    severity="warning",
                )
            )
    if "name" in data:
        if isinstance(data["name"], str) and data["name"].strip():
            out.name = data["name"]
        else:
            errors.append(
                f'name must be text in quotes, like name = "My City"; found {_what(data["name"])}'
            )
    if "crs" in data:
        err = _crs_problem(data["crs"], "crs", confined=confined)
        if err:
            errors.append(err)
        else:
            out.crs = data["crs"]
    if "provenance" in data:
        prov = data["provenance"]
        if not isinstance(prov, dict):
            errors.append(
                'provenance must be a table of notes, like provenance.source = "..."; '
                f"found {_what(prov)}"
            )
        else:
            out.provenance = dict(prov)
            dp = prov.get("default_period")
            if dp is not None and not isinstance(dp, str):
                errors.append(
                    'provenance.default_period must be a period name in quotes, like "summer"; '
                    f"found {_what(dp)}"
                )
    for table in TABLES:
        if table not in data:
            continue
        sect = data[table]
        if not isinstance(sect, dict):
            errors.append(
                f'{table} must be a table of settings, like {table}.file = "{table}.csv"; '
                f"found {_what(sect)}"
            )
            continue
        for key in sect:
            if key not in _TABLE_KEYS:
                out.warnings.append(
                    Problem(
                        table,
                        f"unknown key '{table}.{key}' is ignored; known keys of {table} are "
                        f"{', '.join(_TABLE_KEYS)}." + _near(key, _TABLE_KEYS),
                        file=str(mpath),
                        severity="warning",
                    )
                )
        if "file" in sect:
            path, err = _file(folder, sect["file"], table, confine_to)
            if err:
                errors.append(err)
            else:
                out.files[table] = path  # type: ignore[assignment]
        if "columns" in sect:
            cols = sect["columns"]
            bad = not isinstance(cols, dict) or any(not isinstance(v, str) for v in cols.values())
            if bad:
                errors.append(
                    f"{table}.columns must map names in the file to contract names, like "
                    f'columns = {{ GEOID10 = "area_id" }}; found {_what(cols)}'
                )
            else:
                out.columns[table] = {str(k): v for k, v in cols.items()}
        opts: dict[str, Any] = {}
        for key in ("lon_col", "lat_col", "layer"):
            if key not in sect:
                continue
            v = sect[key]
            ok = isinstance(v, str) and bool(v) or (key == "layer" and type(v) is int)
            if not ok:
                errors.append(f"{table}.{key} must be a name in quotes; found {_what(v)}")
            else:
                opts[key] = v
        if "crs" in sect:
            err = _crs_problem(sect["crs"], f"{table}.crs", confined=confined)
            if err:
                errors.append(err)
            else:
                opts["crs"] = sect["crs"]
        out.options[table] = opts
    if errors:
        head = f"{label}: {len(errors)} problem(s)"
        msg = head + ":\n" + "\n".join(f"  - {e}" for e in errors)
        if len(errors) == 1:
            msg = f"{label}: {errors[0]}"
        raise DataSourceError(msg)
    return out


def _file(
    folder: Path, value: Any, table: str, confine_to: Path | None
) -> tuple[Path | None, str | None]:
    if not isinstance(value, str) or not value.strip():
        return None, (
            f'{table}.file must be a file name in quotes, like file = "{table}.csv"; '
            f"found {_what(value)}"
        )
    rel = Path(value)
    if confine_to is not None:
        if rel.is_absolute() or ".." in rel.parts or value.startswith(("~", "\\")):
            return None, (
                f"{table}.file = {value!r} points outside the upload; name a file inside "
                'it, like file = "' + table + '.csv"'
            )
        p = folder / rel
        if not inside(p, confine_to):
            return None, (
                f"{table}.file = {value!r} leads outside the upload (a link); name a file inside it"
            )
    else:
        p = folder / rel.expanduser()
    if not p.exists():
        shown = value if confine_to is not None else str(p)
        return None, f"{table}.file = {value!r}, but {shown} does not exist"
    if not p.is_file():
        return None, f"{table}.file = {value!r} is a folder; name a file"
    return p, None

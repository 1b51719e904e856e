"""Where a command may write: the one output policy of every ``foodshed`` command.

``--out`` may name

- a path that does not exist yet (it is created);
- an empty folder;
- a folder (or file) that holds only an earlier output of the **same** command, recognised by
  the small marker ``.foodshed-output.json`` that every command writes beside its files (it
  names the command and lists the files), or by the manifest of outputs written before the
  marker existed.

Anything else is refused with one line naming the folder and ``--force`` (``force=True``),
before any work is done. ``--force`` replaces the folder and everything in it; it never turns a
file into a folder, and never replaces the current folder or one that holds it.

The output is written into a hidden sibling and swapped in at the end (:mod:`equity._atomic`),
so it appears whole or not at all, and a run that was killed leaves nothing that the next run
does not clean up. :func:`safe_filename` turns names from data (scenario names) into file names,
so nothing is ever written outside ``--out``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ._atomic import atomic_dir, atomic_path, clean_stale, temp_sibling
from ._errors import FoodshedError

__all__ = [
    "MARKER",
    "check_output_dir",
    "check_output_files",
    "open_output_dir",
    "output_dir",
    "output_files",
    "safe_filename",
    "unique_filenames",
]

#: The marker every command writes into its output folder (and, for a single-file output,
#: beside the file as ``.<file>.foodshed-output.json``).
MARKER = ".foodshed-output.json"

#: Outputs written before the marker existed, recognised by what they always held.
_LEGACY_ANALYZE = {"areas.gpkg", "areas.csv", "summary.csv", "inequality.csv"}
_LEGACY_PLAN = {
    "flows.csv",
    "fulfilment.csv",
    "unmet.csv",
    "duals.csv",
    "kpis.json",
    "manifest.json",
    "flows.gpkg",
}

_WINDOWS_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(1, 10)),
    *(f"lpt{i}" for i in range(1, 10)),
}


# ------------------------------------------------------------------------------- names
def safe_filename(text: str, *, default: str = "output", max_len: int = 80) -> str:
    """``text`` as a file name that stays inside its folder on every system.

    Letters, digits, ``-``, ``_`` and ``.`` are kept (accents are folded to ASCII); every other
    run of characters (``/``, ``\\``, spaces, ``..``) becomes one ``-``. Leading dots and dashes
    are dropped, so the name is never hidden, ``.`` or ``..``; Windows device names get a
    ``_`` suffix. An empty result is ``default``.

    Examples
    --------
    >>> safe_filename("../../victim")
    'victim'
    >>> safe_filename("Eastside hub: closed (week 2)")
    'Eastside-hub-closed-week-2'
    """
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", ascii_text)
    name = re.sub(r"\.{2,}", "-", name)
    name = re.sub(r"-{2,}", "-", name).strip("-.")[:max_len].strip("-.")
    if not name:
        return default
    if name.split(".")[0].lower() in _WINDOWS_RESERVED:
        name = f"{name}_"
    return name


def unique_filenames(names: Iterable[str], *, reserved: Iterable[str] = ()) -> list[str]:
    """:func:`safe_filename` of each name, made unique (``-2``, ``-3``, ...).

    Names are compared without case (macOS and Windows folders ignore it), and never equal one
    of ``reserved`` (file names the output already uses).
    """
    used = {r.lower() for r in reserved}
    out = []
    for raw in names:
        base = safe_filename(raw)
        name, k = base, 2
        while name.lower() in used:
            name, k = f"{base}-{k}", k + 1
        used.add(name.lower())
        out.append(name)
    return out


# ------------------------------------------------------------------------------- checks
def _refuse_special(target: Path) -> None:
    if target.is_symlink() and not target.exists():
        msg = (
            f"--out {target} is a link to {os.readlink(target)}, which does not exist; give "
            "a new name, or make the folder the link points to (nothing was written)"
        )
        raise FoodshedError(msg)
    here = Path.cwd().resolve()
    full = target.resolve()
    if full == here or full in here.parents:
        what = "the current folder" if full == here else "a folder that holds the current one"
        msg = (
            f"--out {target} is {what}; give a new folder for the output, e.g. "
            f"--out {target / 'foodshed-output'}"
        )
        raise FoodshedError(msg)


def _probe(target: Path) -> None:
    """Fail now, before any work, when nothing can be written beside ``target``."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        probe = temp_sibling(target)
        probe.mkdir()
        probe.rmdir()
    except OSError as exc:
        why = exc.strerror or str(exc)
        msg = f"--out {target}: cannot write to {target.parent} ({why}); choose another --out"
        raise FoodshedError(msg) from exc


def _read_marker(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("command"), str) else None


def _files_in(folder: Path) -> list[str]:
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if not p.is_dir() and p.name != MARKER
    )


def _legacy_owner(folder: Path, files: list[str]) -> str | None:
    """The command that wrote ``folder`` before markers existed, when it is recognisable by
    its manifest and holds nothing that command would not have written beside it."""
    if all((folder / n).is_file() for n in ("summary.json", "kpis.csv", "index.html")):
        return "report|demo"
    if (folder / "sweep.json").is_file() and (folder / "scenarios.parquet").is_file():
        return "sweep"
    if set(files) <= _LEGACY_ANALYZE and "summary.csv" in files:
        return "analyze"
    plans: dict[str, set[str]] = {}
    for f in files:
        head, _, tail = f.rpartition("/")
        plans.setdefault(head, set()).add(tail)
    if plans and all(
        "/" not in d and names <= _LEGACY_PLAN and {"manifest.json", "kpis.json"} <= names
        for d, names in plans.items()
    ):
        return "allocate"
    return None


def _shown(files: Sequence[str]) -> str:
    return ", ".join(files[:4]) + (f" and {len(files) - 4} more" if len(files) > 4 else "")


def check_output_dir(
    path: str | os.PathLike[str], *, command: str, force: bool = False, in_place: bool = False
) -> list[str]:
    """Check that ``command`` may write the folder ``path``; return the files it would replace.

    Raises :class:`~equity.FoodshedError` (one line naming the folder and ``--force``) when
    ``path`` is a file, the current folder, not writable, or a folder holding anything but an
    earlier output of ``command``. ``in_place`` outputs (a sweep, which grows file by file and
    can be resumed) are recognised by their marker's command alone.
    """
    target = Path(path)
    _refuse_special(target)
    if target.exists() and not target.is_dir():
        msg = (
            f"--out {target} is a file, not a folder; give a new folder name (nothing was written)"
        )
        raise FoodshedError(msg)
    _probe(target)
    if not target.exists():
        return []
    files = _files_in(target)
    if not files:
        return []
    if force:
        return files
    marker = _read_marker(target / MARKER)
    owner = marker["command"] if marker else _legacy_owner(target, files)
    if owner is not None and command in owner.split("|"):
        listed = marker.get("files") if marker else None
        extra = [] if listed is None or in_place else sorted(set(files) - set(listed))
        if not extra:
            return files
        msg = (
            f"--out {target} holds an earlier `foodshed {command}` output and also files it "
            f"did not write ({_shown(extra)}); move them, choose another --out, or pass --force "
            "to replace the folder and everything in it"
        )
        raise FoodshedError(msg)
    what = (
        f"the output of `foodshed {owner.split('|')[0]}`" if owner else f"files ({_shown(files)})"
    )
    msg = (
        f"--out {target} already holds {what} that `foodshed {command}` did not write; "
        "choose a new or empty folder, or pass --force to replace it and everything in it"
    )
    raise FoodshedError(msg)


def _marker_text(command: str, files: list[str] | None) -> str:
    from importlib import metadata

    try:
        version = metadata.version("foodshed")
    except metadata.PackageNotFoundError:
        version = "unknown"
    data = {
        "command": command,
        "written_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "foodshed_version": version,
        "files": files,
    }
    return json.dumps(data, indent=2) + "\n"


@contextlib.contextmanager
def output_dir(
    path: str | os.PathLike[str], *, command: str, force: bool = False
) -> Iterator[Path]:
    """Check ``path`` (:func:`check_output_dir`), then yield a temporary folder to fill; on
    success, mark it as ``command``'s output and swap it in for ``path`` as a whole."""
    check_output_dir(path, command=command, force=force)
    with atomic_dir(path) as tmp:
        yield tmp
        (tmp / MARKER).write_text(_marker_text(command, _files_in(tmp)), encoding="utf-8")


def open_output_dir(
    path: str | os.PathLike[str], *, command: str, force: bool = False, in_place: bool = True
) -> list[str]:
    """Prepare ``path`` for an output written in place, file by file (a resumable sweep).

    Checks it like :func:`check_output_dir`; with ``force`` a folder holding anything else is
    emptied first. Creates the folder and its marker; returns the files already there.
    """
    target = Path(path)
    files = check_output_dir(target, command=command, force=force, in_place=in_place)
    marker = _read_marker(target / MARKER)
    owner = marker["command"] if marker else (_legacy_owner(target, files) if files else None)
    if force and files and (owner is None or command not in owner.split("|")):
        for entry in list(target.iterdir()):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        files = []
    target.mkdir(parents=True, exist_ok=True)
    if marker is None or marker.get("command") != command:
        with atomic_path(target / MARKER) as tmp:
            tmp.write_text(_marker_text(command, None), encoding="utf-8")
    return files


def _sidecar(main: Path) -> Path:
    return main.with_name(f".{main.name}{MARKER}")


def check_output_files(
    paths: Sequence[str | os.PathLike[str]], *, command: str, force: bool = False
) -> list[Path]:
    """Check that ``command`` may write the files ``paths`` (the first is the main one);
    return those it would replace.

    A file may be replaced when the marker beside the main file
    (``.<main>.foodshed-output.json``) lists it as written by ``command``, or with ``force``.
    """
    targets = [Path(p) for p in paths]
    main = targets[0]
    _refuse_special(main)
    for t in targets:
        if t.is_dir():
            msg = f"--out {t} is a folder; give a file name, or a new folder without a suffix"
            raise FoodshedError(msg)
    _probe(main)
    existing = [t for t in targets if t.exists()]
    if force or not existing:
        return existing
    marker = _read_marker(_sidecar(main))
    listed = set(marker.get("files") or []) if marker and marker["command"] == command else set()
    foreign = [t for t in existing if t.name not in listed]
    if foreign:
        names = _shown([str(t) for t in foreign])
        msg = (
            f"--out {main}: {names} already exist(s) and `foodshed {command}` did not write "
            "it; choose another --out, or pass --force to replace it"
        )
        raise FoodshedError(msg)
    return existing


@contextlib.contextmanager
def output_files(
    paths: Sequence[str | os.PathLike[str]], *, command: str, force: bool = False
) -> Iterator[list[Path]]:
    """Check ``paths`` (:func:`check_output_files`), yield a temporary path for each, and on
    success rename them all onto ``paths`` with the marker beside the first."""
    targets = [Path(p) for p in paths]
    check_output_files(targets, command=command, force=force)
    with contextlib.ExitStack() as stack:
        tmps = [stack.enter_context(atomic_path(t)) for t in targets]
        yield tmps
        marker = _sidecar(targets[0])
        clean_stale(marker)
        with atomic_path(marker) as tmp:
            tmp.write_text(_marker_text(command, [t.name for t in targets]), encoding="utf-8")
    # ExitStack renames the temporary files onto their targets as it unwinds.

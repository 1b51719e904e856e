"""Atomic writes: a result appears whole or not at all, and a killed run cleans up after itself.

Every write goes to a hidden sibling named ``.<name>.<host>-<pid>-<random>.tmp`` and is renamed
onto ``<name>`` at the end. A folder that is replaced is first renamed to
``.<name>.<host>-<pid>-<random>.old`` and removed after the swap. The writer's host and process
id are in the name, so the next write of the same ``<name>`` recognises siblings left by a
process that no longer runs (killed with SIGKILL, a power cut) and removes them (an ``.old``
folder whose swap never finished is put back where it was). Siblings of a live process, of
another machine, or not named this way are never touched.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

from ._errors import FoodshedError

__all__ = ["atomic_dir", "atomic_path", "clean_stale", "clean_stale_in", "temp_sibling"]

#: Short tag of this machine, so folders shared between machines are cleaned only by their own.
_HOST = hashlib.sha1(socket.gethostname().encode("utf-8")).hexdigest()[:6]
_SIBLING = re.compile(
    r"^\.(?P<name>.+)\.(?P<host>[0-9a-f]{6})-(?P<pid>\d+)-[0-9a-f]{6}\.(?P<kind>tmp|old)"
    r"(?P<suffix>\.[^.]*)?$"
)


def temp_sibling(path: str | os.PathLike[str], kind: str = "tmp") -> Path:
    """A fresh hidden name beside ``path`` that :func:`clean_stale` recognises (not created)."""
    target = Path(path)
    tag = f"{_HOST}-{os.getpid()}-{secrets.token_hex(3)}"
    suffix = target.suffix if kind == "tmp" and target.suffix else ""
    return target.with_name(f".{target.name}.{tag}.{kind}{suffix}")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name == "nt":  # os.kill would terminate the process there; never clean on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    with contextlib.suppress(OSError, IndexError):  # a zombie is a dead writer too
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    return True


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            path.unlink()


def clean_stale(path: str | os.PathLike[str]) -> list[Path]:
    """Remove the temporary siblings of ``path`` left by writers that no longer run.

    A stale ``.tmp`` is removed; a stale ``.old`` (a swap cut short between its two renames) is
    moved back to ``path`` when ``path`` is missing, and removed otherwise. Returns what was
    cleaned.
    """
    target = Path(path)
    return _clean(target.parent, target.name)


def clean_stale_in(folder: str | os.PathLike[str]) -> list[Path]:
    """:func:`clean_stale` for every name in ``folder`` (once, before many writes into it)."""
    return _clean(Path(folder), None)


def _clean(parent: Path, name: str | None) -> list[Path]:
    cleaned: list[Path] = []
    prefix = "." if name is None else f".{name}."
    try:
        entries = [e for e in os.scandir(parent) if e.name.startswith(prefix)]
    except OSError:
        return cleaned
    for entry in entries:
        m = _SIBLING.match(entry.name)
        if not m or (name is not None and m["name"] != name):
            continue
        if m["host"] != _HOST or _alive(int(m["pid"])):
            continue
        stale, target = Path(entry.path), parent / m["name"]
        if m["kind"] == "old" and not target.exists() and stale.is_dir():
            with contextlib.suppress(OSError):
                os.replace(stale, target)
                cleaned.append(stale)
                continue
        _remove(stale)
        cleaned.append(stale)
    return cleaned


def _cannot_write(target: Path, exc: OSError) -> FoodshedError:
    why = exc.strerror or str(exc)
    msg = f"cannot write {target}: {why} ({exc.filename or target.parent}); choose another --out"
    return FoodshedError(msg)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], *, clean: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it onto ``path``.

    If the block raises (or the process is interrupted) the temporary file is removed and any
    existing ``path`` is left untouched; if the process is killed, the next write of ``path``
    removes it (:func:`clean_stale`; ``clean=False`` skips that look, for writers of many
    uniquely named files that call :func:`clean_stale_in` once instead).
    """
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _cannot_write(target, exc) from exc
    if clean:
        clean_stale(target)
    tmp_path = temp_sibling(target)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists() or tmp_path.is_symlink():
            _remove(tmp_path)


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary folder beside ``path``; on success swap it in for ``path``.

    An existing folder at ``path`` is replaced as a whole, so it never ends up holding a mix of
    old and new files. On failure the temporary folder is removed and ``path`` is untouched.
    This is the low-level swap: callers that write where a user points them go through
    :func:`equity._output.output_dir`, which first checks that the folder may be replaced.
    """
    target = Path(path)
    if target.exists() and not target.is_dir():
        msg = f"{target} is a file, not a folder; give the name of a folder to write"
        raise FoodshedError(msg)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        clean_stale(target)
        tmp = temp_sibling(target)
        tmp.mkdir()
    except OSError as exc:
        raise _cannot_write(target, exc) from exc
    try:
        yield tmp
        if target.exists():
            old = temp_sibling(target, "old")
            os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)

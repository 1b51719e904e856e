"""Open a sweep folder for the dashboard and the reports: what finished, its summary, its risks.

:func:`load_sweep` reads a folder written by ``foodshed sweep`` (``sweep.json``,
``scenarios.parquet``, ``results/part-*.parquet``, ``fulfilment/part-*.parquet``) and summarises
the scenarios that finished, also while the sweep is unfinished or was interrupted.
:func:`find_sweeps` lists the sweep folders under a folder. No figures here (see
:mod:`dashboard.figures.sweep`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from equity import FoodshedError

__all__ = [
    "SweepView",
    "estimated_note",
    "find_sweeps",
    "load_sweep",
    "open_sweep",
    "sweep_signature",
]


@dataclass(frozen=True)
class SweepView:
    """A sweep folder as read now: its spec, the finished scenarios and their summary."""

    path: Path
    name: str
    meta: dict[str, Any]
    frame: pd.DataFrame
    summary: dict[str, Any]
    risk: pd.DataFrame
    total: int

    @property
    def done(self) -> int:
        return len(self.frame)

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done >= self.total

    @property
    def estimated_note(self) -> str:
        """Which numbers the sweep's plans rest on are documented estimates, in one line
        ("" when none are): :func:`estimated_note` of its spec and summary."""
        return estimated_note(self.meta.get("estimated"), self.summary.get("estimated"))

    @property
    def state(self) -> str:
        """One line: how far the sweep got."""
        if self.complete:
            return f"finished: all {self.total} scenario(s) solved"
        return (
            f"unfinished: {self.done} of {self.total} scenario(s) done; finish it with "
            f"`foodshed sweep SPEC.toml --out {self.path} --resume`"
        )


def estimated_note(described: dict[str, str] | None, tables: str | None = None) -> str:
    """One line saying which inputs of a sweep are documented estimates (``equity.estimates``):
    ``described`` is ``{table: how}`` (``sweep.json``'s ``estimated``), ``tables`` the rows'
    ``estimated`` column summarised ("need, supply"); "" when the plans rest on data only."""
    how = {t: h for t, h in (described or {}).items() if t != "commodities"}
    if how:
        said = "; ".join(f"{t}: {h}" for t, h in sorted(how.items()))
        return f"Estimated inputs (documented estimates, not the region's data): {said}."
    if tables:
        return f"Estimated inputs (documented estimates, not the region's data): {tables}."
    return ""


def _is_sweep(folder: Path) -> bool:
    return (folder / "sweep.json").is_file()


def find_sweeps(root: str | os.PathLike[str], *, depth: int = 2) -> list[Path]:
    """Sweep folders (holding ``sweep.json``) at ``root`` and up to ``depth`` levels below it,
    sorted by path. A missing or unreadable ``root`` gives an empty list."""
    root = Path(root)
    found: list[Path] = []
    if not root.is_dir():
        return found
    if _is_sweep(root):
        found.append(root)
    pattern = "sweep.json"
    for _ in range(depth):
        pattern = "*/" + pattern
        try:
            found += [p.parent for p in root.glob(pattern) if p.is_file()]
        except OSError:  # pragma: no cover - a folder we may not read
            continue
    skip = {".venv", "node_modules", ".git"}
    return sorted({p for p in found if not skip & set(p.relative_to(root).parts)})


def sweep_signature(path: str | os.PathLike[str]) -> tuple[Any, ...]:
    """Changes whenever the sweep in ``path`` gains results (a cache key)."""
    path = Path(path)
    parts: list[Any] = [path.resolve()]
    for sub in ("sweep.json", "scenarios.parquet", "summary.json"):
        f = path / sub
        parts.append(f.stat().st_mtime_ns if f.exists() else None)
    results = path / "results"
    parts.append(len(list(results.glob("part-*.parquet"))) if results.is_dir() else 0)
    return tuple(parts)


def load_sweep(
    path: str | os.PathLike[str], *, threshold: float | None = None, top: int = 50
) -> SweepView:
    """Read the sweep in ``path`` and summarise the scenarios that finished.

    Parameters
    ----------
    path
        A folder written by ``foodshed sweep SPEC.toml --out DIR``.
    threshold
        Fulfilment threshold for the resilience figures and the areas at risk (default: the
        spec's ``[resilience] threshold``).
    top
        How many areas most often below the threshold to keep.

    Raises
    ------
    FoodshedError
        When ``path`` is missing, is not a sweep folder, or its files cannot be read; the
        message says what to do.
    """
    from optimize.sweep import area_risk, read_sweep, summarize_sweep

    path = Path(path).expanduser()
    if not path.exists():
        msg = f"{path} does not exist; give the --out folder of a `foodshed sweep` run"
        raise FoodshedError(msg)
    if not path.is_dir():
        msg = f"{path} is a file, not a folder; give the --out folder of a `foodshed sweep` run"
        raise FoodshedError(msg)
    if not _is_sweep(path):
        msg = (
            f"{path} is not a sweep folder: it has no sweep.json. Run `foodshed sweep SPEC.toml "
            f"--out {path}` first, or choose the folder that holds sweep.json"
        )
        raise FoodshedError(msg)
    try:
        meta = json.loads((path / "sweep.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        msg = f"{path / 'sweep.json'} could not be read ({exc}); run the sweep again"
        raise FoodshedError(msg) from exc
    res = meta.get("resilience", {}) or {}
    t = float(threshold if threshold is not None else res.get("threshold", 0.5))
    try:
        frame = read_sweep(path)
        total = int(meta.get("size") or 0)
        sc = path / "scenarios.parquet"
        if sc.exists():
            total = len(pd.read_parquet(sc, columns=["scenario_id"]))
        if len(frame):
            grid = list(meta.get("vary", {}) or {})
            summary = summarize_sweep(frame, threshold=t, grid=grid)
            risk = area_risk(path, threshold=t).head(top)
        else:
            summary, risk = {"scenarios": 0, "solved": 0, "errors": 0, "threshold": t}, None
    except FoodshedError:
        raise
    except (OSError, ValueError, KeyError) as exc:
        msg = f"the results in {path} could not be read ({type(exc).__name__}: {exc})"
        raise FoodshedError(msg) from exc
    summary["flag"] = res.get("flag")
    if risk is None:
        risk = pd.DataFrame(columns=["area_id", "scenarios", "below", "p_below", "mean_fulfilment"])
    return SweepView(
        path=path,
        name=str(meta.get("name") or path.name),
        meta=meta,
        frame=frame,
        summary=summary,
        risk=risk,
        total=total,
    )


def open_sweep(path: str | os.PathLike[str], *, threshold: float | None = None) -> SweepView:
    """:func:`load_sweep`, kept in :data:`dashboard.caches.CACHES` until the sweep's files
    change (a sweep still running shows new results on the next call)."""
    from .caches import CACHES

    key = (*sweep_signature(path), threshold)
    return CACHES.cached("sweeps", key, lambda: load_sweep(path, threshold=threshold))

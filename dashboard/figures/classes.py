"""Class breaks for choropleths: quantiles, natural breaks, equal or fixed intervals."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .measures import (
    MeasureInfo,
    format_value,
)
from .style import SCHEMES


def classify(
    values: Sequence[float] | pd.Series,
    *,
    scheme: str = "quantiles",
    k: int = 5,
    bins: Sequence[float] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Class breaks and each value's class (0-based; -1 for missing values).

    ``scheme`` is ``quantiles``, ``natural_breaks`` (Fisher-Jenks, deterministic),
    ``equal_interval``, or ``fixed`` with ``bins`` (upper bounds) for a scale that stays the
    same across maps (e.g. 20-point bands of fulfilment). Returns ``(upper_bounds, class_of_each_value)``; fewer than ``k``
    classes when there are fewer distinct values.
    """
    import mapclassify

    if scheme not in SCHEMES and scheme != "fixed":
        msg = f"unknown classification scheme {scheme!r}; use one of {sorted(SCHEMES)}"
        raise ValueError(msg)
    if scheme == "fixed":
        if bins is None or len(bins) == 0:
            msg = "scheme='fixed' needs bins=[upper bound of each class, ...]"
            raise ValueError(msg)
        edges = np.asarray(bins, dtype=float)
        v = np.asarray(values, dtype=float)
        out = np.full(len(v), -1, dtype=int)
        ok = np.isfinite(v)
        out[ok] = np.searchsorted(edges, np.round(v[ok], 9), side="left").clip(0, len(edges) - 1)
        return edges, out
    v = np.asarray(values, dtype=float)
    ok = np.isfinite(v)
    out = np.full(len(v), -1, dtype=int)
    finite = np.round(v[ok], 9)  # solver noise (0.7499999) must not make classes of its own
    if finite.size == 0:
        return np.array([]), out
    n_unique = len(np.unique(finite))
    k = max(1, min(int(k), n_unique))
    if k == 1:
        out[ok] = 0
        return np.array([finite.max()]), out
    if scheme == "quantiles":
        cls = mapclassify.Quantiles(finite, k=k)
    elif scheme == "natural_breaks":
        breaks = fisher_jenks_breaks(finite, k)
        out[ok] = np.searchsorted(breaks, finite, side="left").clip(0, len(breaks) - 1)
        return breaks, out
    else:
        cls = mapclassify.EqualInterval(finite, k=k)
    breaks = np.asarray(cls.bins, dtype=float)
    out[ok] = np.asarray(cls.yb, dtype=int)
    # mapclassify can merge duplicate quantile edges: keep only classes that exist
    return breaks, out


def fisher_jenks_breaks(
    values: Sequence[float] | np.ndarray, k: int, *, max_n: int = 300
) -> np.ndarray:
    """Upper bounds of the ``k`` Fisher-Jenks natural-breaks classes (``mapclassify.FisherJenks``).

    Optimal and deterministic. Without numba mapclassify's Fisher-Jenks is quadratic in pure
    Python, so above ``max_n`` values it classifies ``max_n`` evenly spaced quantiles of them
    (about 0.1 s); the top bound is always the largest value.
    """
    import mapclassify

    x = np.sort(np.asarray(values, dtype=float))
    x = x[np.isfinite(x)]
    if x.size == 0:
        return np.array([])
    top = x[-1]
    if x.size > max_n:
        x = np.quantile(x, np.linspace(0, 1, max_n))
    k = max(1, min(int(k), len(np.unique(x))))
    if k == 1:
        return np.array([top])
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Numba not installed", UserWarning)
        bins = np.asarray(mapclassify.FisherJenks(x, k=k).bins, dtype=float)
    bins[-1] = top
    return bins


def _class_labels(bins: np.ndarray, lowest: float, info: MeasureInfo) -> list[str]:
    edges = np.concatenate([[lowest], bins]) * info.scale
    big = float(np.nanmax(np.abs(edges))) if edges.size else 0.0
    step = float(np.nanmin(np.diff(edges))) if edges.size > 1 else big
    digits = 0 if big >= 100 or step >= 10 else 1 if step >= 1 else 2
    bare = MeasureInfo(info.column, info.label, "", info.kind, info.scale)
    pct = "%" if info.unit == "%" else ""
    tail = f" {info.unit}" if info.unit and not pct else ""
    labels = []
    lo = lowest
    for hi in bins:
        a = format_value(lo, bare, digits=digits)
        b = format_value(hi, bare, digits=digits)
        labels.append(f"{a}{pct} to {b}{pct}{tail}")
        lo = hi
    return labels


def _discrete_scale(colours: Sequence[str]) -> list[list[Any]]:
    n = len(colours)
    scale: list[list[Any]] = []
    for i, c in enumerate(colours):
        scale.append([i / n, c])
        scale.append([(i + 1) / n, c])
    return scale

"""Class breaks for choropleths: quantiles, natural breaks, equal or fixed intervals."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .measures import (
    _COUNT_UNITS,
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
    classes when there are fewer distinct values, and a data-driven class no area falls in
    (a repeated quantile edge, an empty equal interval) is merged into the next one:
    :func:`class_note` says why in words.
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
    distinct = np.unique(finite)
    if len(distinct) <= int(k):  # no more values than classes: one class per value
        breaks = distinct
    elif scheme == "quantiles":
        with warnings.catch_warnings():  # repeated quantiles are merged below
            warnings.filterwarnings("ignore", "Not enough unique values", UserWarning)
            breaks = np.asarray(mapclassify.Quantiles(finite, k=int(k)).bins, dtype=float)
    elif scheme == "natural_breaks":
        breaks = fisher_jenks_breaks(finite, int(k))
    else:
        breaks = np.asarray(mapclassify.EqualInterval(finite, k=int(k)).bins, dtype=float)
    # keep only classes some value falls in: a repeated edge or an empty interval is merged
    # into the class above it (class i holds bins[i-1] < v <= bins[i], as mapclassify's)
    cls_of = np.searchsorted(breaks, finite, side="left").clip(0, len(breaks) - 1)
    used = np.bincount(cls_of, minlength=len(breaks)) > 0
    breaks = breaks[used]
    out[ok] = np.searchsorted(breaks, finite, side="left").clip(0, len(breaks) - 1)
    return breaks, out


def class_note(values: Sequence[float] | np.ndarray, k: int, n_classes: int) -> str:
    """Why a map has ``n_classes`` classes when ``k`` were asked for ("" when it has ``k``).

    ``"4 classes: only 4 distinct values"`` when the data have fewer distinct values than
    ``k``; otherwise the classes no area fell in were merged (many areas sharing one value).
    """
    if n_classes >= k:
        return ""
    v = np.asarray(values, dtype=float)
    n_unique = len(np.unique(np.round(v[np.isfinite(v)], 9)))
    word = "class" if n_classes == 1 else "classes"
    if n_unique < k:
        distinct = "value" if n_unique == 1 else "distinct values"
        return f"{n_classes} {word}: only {n_unique} {distinct}"
    empty = k - n_classes
    merged = (
        "empty class merged into its neighbour (no area falls in it)"
        if empty == 1
        else "empty classes merged into their neighbours (no area falls in them)"
    )
    return f"{n_classes} {word}, not {k}: {empty} {merged}"


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


def _class_labels(
    bins: np.ndarray,
    lowest: float,
    info: MeasureInfo,
    values: Sequence[float] | np.ndarray | None = None,
) -> list[str]:
    """One legend label per class (``lowest`` up to ``bins[0]``, then ``bins[i-1]`` up to
    ``bins[i]``), in the measure's unit.

    Counts that are whole numbers (given ``values``) read as whole numbers: a class above the first
    starts at the next whole number ("3 to 7 people"). Decimals grow until neighbouring bounds
    differ; a class holding a single value reads as that value ("0 people", never "0 to 0").
    """
    edges = np.concatenate([[lowest], bins]) * info.scale
    if edges.size == 0 or not np.isfinite(edges).all():
        return [format_value(b, info) for b in bins]
    whole = False
    v = np.array([])
    if values is not None:
        v = np.asarray(values, dtype=float) * info.scale
        v = v[np.isfinite(v)]
        whole = info.unit in _COUNT_UNITS and bool(v.size) and bool(np.all(v == np.round(v)))
    bare = MeasureInfo(info.column, info.label, "", info.kind, 1.0)
    pct = "%" if info.unit == "%" else ""
    after = info.measure.unit_after if info.measure is not None else info.unit
    tail = f" {after}" if after and not pct else ""

    def text(x: float, digits: int) -> str:
        return format_value(x, bare, digits=digits) + pct

    if whole:
        lows = [edges[0]] + [np.floor(e + 1e-9) + 1 for e in edges[1:-1]]
        spans = [(lo, np.floor(hi + 1e-9)) for lo, hi in zip(lows, edges[1:], strict=True)]
        digits = 0
    else:
        spans = list(zip(edges[:-1], edges[1:], strict=True))
        big = float(np.nanmax(np.abs(edges)))
        gaps = np.diff(edges)[np.diff(edges) > 0]
        step = float(gaps.min()) if gaps.size else big
        counted = info.unit in _COUNT_UNITS
        digits = 0 if big >= 100 or step >= 10 or counted else 1 if step >= 1 else 2
        # more decimals until neighbouring bounds read differently (up to 4)
        while digits < 4 and len({text(e, digits) for e in edges[1:]}) < len(edges) - 1:
            digits += 1
    # one class per distinct value (no more values than classes): each reads as its value
    per_value = v.size > 0 and len(np.unique(np.round(v, 9))) == len(spans)
    labels = []
    single = False  # the class below holds a single value (its upper bound)
    for lo, hi in spans:
        a, b = text(lo, digits), text(hi, digits)
        unit = _ONE.get(info.unit, tail) if b == "1" else tail
        if a == b or lo >= hi or per_value:
            labels.append(f"{b}{unit}")
            single = True
            continue
        # the class above a single value starts just over it: "over 0% to 25%", not "0% to"
        labels.append(f"{'over ' if single and not whole else ''}{a} to {b}{unit}")
        single = False
    return labels


#: A count unit for exactly one ("1 store", not "1 stores").
_ONE = {"people": " person", "households": " household", "stores": " store", "areas": " area"}


def _discrete_scale(colours: Sequence[str]) -> list[list[Any]]:
    n = len(colours)
    scale: list[list[Any]] = []
    for i, c in enumerate(colours):
        scale.append([i / n, c])
        scale.append([(i + 1) / n, c])
    return scale

"""Population-weighted inequality and disparity measures.

Every function takes the values (an access score, a distance, fulfilment) and optional
population weights; with equal weights the results equal the unweighted textbook formulas (and
PySAL ``inequality``'s). Values must be finite and non-negative (distances, shares, incomes).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = [
    "atkinson",
    "concentration_index",
    "disparity_ratios",
    "gini",
    "lorenz_curve",
    "palma_ratio",
    "theil",
    "theil_decomposition",
]


def _prep(values, weights, *, skip_missing: bool = False) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(values, dtype=float).ravel()
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float).ravel()
    if x.shape != w.shape:
        msg = f"{len(x)} values but {len(w)} weights; give one weight per value"
        raise ValueError(msg)
    if skip_missing:
        ok = np.isfinite(x) & np.isfinite(w) & (w > 0)
        x, w = x[ok], w[ok]
        if x.size == 0:
            msg = "no value with a positive weight is left once missing values are skipped"
            raise ValueError(msg)
    if not np.all(np.isfinite(x)):
        msg = f"{int(np.sum(~np.isfinite(x)))} value(s) are NaN or infinite; drop or fill them"
        raise ValueError(msg)
    if np.any(x < 0):
        msg = f"inequality measures need non-negative values; min is {x.min():g}"
        raise ValueError(msg)
    if np.any(~np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        msg = "weights must be finite, non-negative and not all zero"
        raise ValueError(msg)
    keep = w > 0
    return x[keep], w[keep]


def lorenz_curve(values, weights=None, *, skip_missing: bool = False) -> pd.DataFrame:
    """Lorenz curve points: cumulative population share vs cumulative value share.

    Starts at (0, 0) and ends at (1, 1); areas sorted by value, lowest first. With
    ``skip_missing``, NaN or infinite values (and their weights) and zero weights are left out
    instead of raising.

    >>> lorenz_curve([1, 3]).round(3).values.tolist()
    [[0.0, 0.0], [0.5, 0.25], [1.0, 1.0]]
    """
    x, w = _prep(values, weights, skip_missing=skip_missing)
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order]
    p = np.concatenate([[0.0], np.cumsum(w) / w.sum()])
    tot = (x * w).sum()
    v = np.concatenate([[0.0], np.cumsum(x * w) / tot]) if tot > 0 else p.copy()
    return pd.DataFrame({"population_share": p, "value_share": v})


def gini(values, weights=None, *, skip_missing: bool = False) -> float:
    """Population-weighted Gini coefficient (0 = equal; 1 - sum of Lorenz trapezoids).

    The project's one Gini: every screen, report and KPI uses it. ``skip_missing`` as in
    :func:`lorenz_curve`; all values 0 give 0.

    >>> gini([1, 1, 1, 1])
    0.0
    >>> round(gini([0, 0, 0, 1]), 4)
    0.75
    """
    lc = lorenz_curve(values, weights, skip_missing=skip_missing)
    p, v = lc["population_share"].to_numpy(), lc["value_share"].to_numpy()
    g = 1.0 - float(np.sum(np.diff(p) * (v[1:] + v[:-1])))
    return 0.0 if abs(g) < 1e-12 else g


def theil(values, weights=None) -> float:
    """Theil T index, ``sum p_i (x_i/mu) ln(x_i/mu)``; zeros contribute 0 (the limit)."""
    x, w = _prep(values, weights)
    p = w / w.sum()
    mu = (p * x).sum()
    if mu == 0:
        return 0.0
    r = x / mu
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(r > 0, r * np.log(r), 0.0)
    return float((p * terms).sum())


def theil_decomposition(values, groups, weights=None) -> dict[str, float]:
    """Theil T split into between-group and within-group parts (they add up to ``total``).

    ``within = sum_g s_g T_g`` and ``between = sum_g s_g ln(mu_g / mu)``, where ``s_g`` is
    group g's share of the total value.
    """
    x = np.asarray(values, dtype=float).ravel()
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float).ravel()
    g = np.asarray(groups).ravel()
    if len(g) != len(x):
        msg = f"{len(x)} values but {len(g)} group labels"
        raise ValueError(msg)
    total = theil(x, w)
    tot = (x * w).sum()
    mu = tot / w.sum()
    between = within = 0.0
    for label in pd.unique(g):
        m = g == label
        if w[m].sum() <= 0:
            continue
        s = (x[m] * w[m]).sum() / tot if tot > 0 else 0.0
        mug = (x[m] * w[m]).sum() / w[m].sum()
        if s > 0:
            between += s * np.log(mug / mu)
            within += s * theil(x[m], w[m])
    return {"total": total, "between": float(between), "within": float(within)}


def atkinson(values, epsilon: float = 0.5, weights=None) -> float:
    """Atkinson index with inequality aversion ``epsilon`` >= 0.

    Zeros are fine for ``epsilon < 1``; for ``epsilon >= 1`` the index is undefined with a zero
    value (its generalised mean is 0), and a ValueError says so.
    """
    if epsilon < 0:
        msg = f"epsilon must be >= 0, got {epsilon}"
        raise ValueError(msg)
    x, w = _prep(values, weights)
    p = w / w.sum()
    mu = (p * x).sum()
    if mu == 0:
        return 0.0
    if epsilon >= 1 and np.any(x == 0):
        msg = (
            f"Atkinson with epsilon={epsilon} is undefined when a value is 0 "
            f"({int(np.sum(x == 0))} are); use epsilon < 1 or shift the values"
        )
        raise ValueError(msg)
    if epsilon == 1:
        ede = np.exp((p * np.log(x)).sum())
    else:
        ede = ((p * x ** (1 - epsilon)).sum()) ** (1 / (1 - epsilon))
    a = 1 - ede / mu
    return 0.0 if abs(a) < 1e-12 else float(a)


def concentration_index(values, rank_by, weights=None) -> float:
    """Concentration index of ``values`` against the ranking ``rank_by`` (e.g. income).

    ``C = 2 cov_w(x, R) / mu`` with ``R`` the weighted fractional rank by ``rank_by`` (lowest
    first). Negative: the values concentrate among the low-ranked (e.g. poor) areas.
    """
    x, w = _prep(values, weights)
    r = np.asarray(rank_by, dtype=float).ravel()
    if weights is not None:
        r = r[np.asarray(weights, dtype=float).ravel() > 0]
    if len(r) != len(x):
        msg = f"{len(x)} values but {len(r)} ranking values"
        raise ValueError(msg)
    order = np.argsort(r, kind="stable")
    p = w[order] / w.sum()
    rank = np.cumsum(p) - p / 2
    xs = x[order]
    mu = (p * xs).sum()
    if mu == 0:
        return 0.0
    cov = (p * (xs - mu) * (rank - (p * rank).sum())).sum()
    return float(2 * cov / mu)


def palma_ratio(values, weights=None) -> float:
    """Share held by the top 10% over the share held by the bottom 40% (population-weighted).

    Read off the Lorenz curve with linear interpolation; ``inf`` when the bottom 40% hold 0.
    """
    lc = lorenz_curve(values, weights)
    p, v = lc["population_share"].to_numpy(), lc["value_share"].to_numpy()
    bottom = float(np.interp(0.4, p, v))
    top = 1.0 - float(np.interp(0.9, p, v))
    return top / bottom if bottom > 0 else float("inf")


def disparity_ratios(
    values: Sequence[float] | pd.Series,
    groups: Sequence[object] | pd.Series,
    weights=None,
    *,
    reference: object | None = None,
) -> pd.DataFrame:
    """Population-weighted mean of ``values`` per group and its ratio to a reference group.

    ``reference`` defaults to the group with the largest population. Returns one row per group:
    ``population``, ``mean``, ``ratio`` (mean / reference mean).
    """
    x = np.asarray(values, dtype=float).ravel()
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float).ravel()
    g = pd.Series(np.asarray(groups).ravel())
    ok = np.isfinite(x) & np.isfinite(w)
    df = pd.DataFrame({"g": g[ok].to_numpy(), "xw": x[ok] * w[ok], "w": w[ok]})
    agg = df.groupby("g").agg(population=("w", "sum"), xw=("xw", "sum"))
    agg["mean"] = agg["xw"] / agg["population"].where(agg["population"] > 0)
    if reference is None:
        reference = agg["population"].idxmax()
    if reference not in agg.index:
        msg = f"reference group {reference!r} is not among the groups {list(agg.index)}"
        raise ValueError(msg)
    agg["ratio"] = agg["mean"] / agg["mean"].to_dict()[reference]
    agg.index.name = "group"
    return agg[["population", "mean", "ratio"]]

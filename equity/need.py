"""A transparent need index: weighted mean of percentile ranks of chosen indicators.

Each indicator is ranked across areas (0 = lowest, 100 = highest, ties share the mean rank) and
kept as its own column ``need_<name>_pct``, so an advocate can explain any score. The index is the
weighted mean of the ranks an area has (an area missing one indicator is scored on the others,
with the weights renormalised); ``need_n_indicators`` says how many were used.

Default indicators and weights (each 1, all optional, used where the data has them):

=================  =============================================  ======
name               value                                          weight
=================  =============================================  ======
poverty            ``poverty_rate``                               1
no_vehicle         ``households_no_vehicle / households``         1
snap               ``snap_households / households``               1
low_access         ``dist_supermarket_m`` (else ``lapop1share``)  1
food_insecurity    ``food_insecurity_rate``                       1
=================  =============================================  ======
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

__all__ = ["DEFAULT_NEED_WEIGHTS", "need_index", "need_indicators", "percentile_rank"]

#: Default weights of the need indicators.
DEFAULT_NEED_WEIGHTS: dict[str, float] = {
    "poverty": 1.0,
    "no_vehicle": 1.0,
    "snap": 1.0,
    "low_access": 1.0,
    "food_insecurity": 1.0,
}


def _ratio(num: str, den: str) -> Callable[[pd.DataFrame], pd.Series | None]:
    def f(df: pd.DataFrame) -> pd.Series | None:
        if num not in df.columns or den not in df.columns:
            return None
        d = pd.to_numeric(df[den], errors="coerce")
        return pd.to_numeric(df[num], errors="coerce") / d.where(d > 0)

    return f


def _col(*names: str) -> Callable[[pd.DataFrame], pd.Series | None]:
    def f(df: pd.DataFrame) -> pd.Series | None:
        for n in names:
            if n in df.columns:
                s = pd.to_numeric(df[n], errors="coerce")
                # +inf (no store of that kind anywhere) ranks as the most need; -inf is junk.
                return s.where(s > -np.inf)
        return None

    return f


_INDICATORS: dict[str, Callable[[pd.DataFrame], pd.Series | None]] = {
    "poverty": _col("poverty_rate"),
    "no_vehicle": _ratio("households_no_vehicle", "households"),
    "snap": _ratio("snap_households", "households"),
    "low_access": _col("dist_supermarket_m", "lapop1share"),
    "food_insecurity": _col("food_insecurity_rate"),
}


def percentile_rank(values: pd.Series) -> pd.Series:
    """Rank 0-100 (lowest to highest); ties share their mean rank; NaN stays NaN.

    >>> percentile_rank(pd.Series([10, 20, 20, 40])).tolist()
    [0.0, 50.0, 50.0, 100.0]
    """
    r = values.rank(method="average")
    n = values.notna().sum()
    if n <= 1:
        return pd.Series(np.where(values.notna(), 50.0, np.nan), index=values.index)
    return (r - 1) / (n - 1) * 100


def need_indicators(areas: pd.DataFrame, names: list[str] | None = None) -> pd.DataFrame:
    """The raw value of each indicator the data allows (columns named as the indicators)."""
    out = pd.DataFrame(index=areas.index)
    for name in names or list(_INDICATORS):
        if name not in _INDICATORS:
            if name in areas.columns:  # any numeric column can be an indicator
                out[name] = pd.to_numeric(areas[name], errors="coerce")
                continue
            msg = (
                f"need indicator {name!r} is neither a built-in one {list(_INDICATORS)} "
                "nor a column of the areas"
            )
            raise ValueError(msg)
        s = _INDICATORS[name](areas)
        if s is not None:
            out[name] = s
    return out


def need_index(
    areas: pd.DataFrame,
    *,
    weights: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Need index 0-100 per area, with each indicator's value and percentile rank.

    Parameters
    ----------
    areas
        Areas with any of the indicator columns (see the module docstring).
    weights
        ``{indicator: weight}``; names may be built-in indicators or any numeric column of
        ``areas`` (higher means more need). Indicators the data lacks are skipped.

    Returns
    -------
    DataFrame
        Indexed like ``areas``: ``need_<name>`` (value), ``need_<name>_pct`` (rank 0-100),
        ``need_index`` and ``need_n_indicators``. ``attrs["weights"]`` holds the weights used.
    """
    weights = dict(DEFAULT_NEED_WEIGHTS if weights is None else weights)
    bad = {k: v for k, v in weights.items() if not (v >= 0)}
    if bad:
        msg = f"need weights must be >= 0, got {bad}"
        raise ValueError(msg)
    raw = need_indicators(areas, list(weights))
    out = pd.DataFrame(index=areas.index)
    num = pd.Series(0.0, index=areas.index)
    den = pd.Series(0.0, index=areas.index)
    count = pd.Series(0, index=areas.index)
    used = {}
    for name in raw.columns:
        pct = percentile_rank(raw[name])
        out[f"need_{name}"] = raw[name]
        out[f"need_{name}_pct"] = pct
        w = float(weights[name])
        have = pct.notna()
        num += np.where(have, pct.fillna(0) * w, 0)
        den += np.where(have, w, 0)
        count += have.astype(int)
        used[name] = w
    out["need_index"] = num / den.where(den > 0)
    out["need_n_indicators"] = count
    out.attrs["weights"] = used
    return out

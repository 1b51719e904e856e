"""The need index: weighted mean of percentile ranks, every component kept."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from equity.need import need_index, percentile_rank

AREAS = pd.DataFrame(
    {
        "poverty_rate": [0.1, 0.2, 0.3],
        "households": [100, 100, 100],
        "households_no_vehicle": [30, 10, 20],
        "dist_supermarket_m": [100.0, 2000.0, np.nan],
    }
)


def test_percentile_rank() -> None:
    assert percentile_rank(pd.Series([3, 1, 2])).tolist() == [100.0, 0.0, 50.0]


def test_need_index_by_hand() -> None:
    n = need_index(AREAS)
    assert n["need_poverty_pct"].tolist() == [0.0, 50.0, 100.0]
    assert n["need_no_vehicle_pct"].tolist() == [100.0, 0.0, 50.0]
    assert n["need_no_vehicle"].tolist() == [0.3, 0.1, 0.2]
    # Area 3 has no distance: scored on the two others.
    assert n["need_low_access_pct"].tolist()[:2] == [0.0, 100.0]
    assert n["need_index"].tolist() == pytest.approx([100 / 3, 50.0, 75.0])
    assert n["need_n_indicators"].tolist() == [3, 3, 2]
    assert n.attrs["weights"] == {"poverty": 1.0, "no_vehicle": 1.0, "low_access": 1.0}


def test_custom_weights_and_columns() -> None:
    df = AREAS.assign(eviction_rate=[0.0, 0.1, 0.2])
    n = need_index(df, weights={"poverty": 3, "eviction_rate": 1})
    assert n["need_index"].tolist() == pytest.approx([0.0, 50.0, 100.0])


def test_unknown_indicator() -> None:
    with pytest.raises(ValueError, match="neither a built-in"):
        need_index(AREAS, weights={"crime": 1})


def test_negative_weight() -> None:
    with pytest.raises(ValueError, match=">= 0"):
        need_index(AREAS, weights={"poverty": -1})


def test_infinite_distance_ranks_highest() -> None:
    n = need_index(pd.DataFrame({"dist_supermarket_m": [100.0, np.inf, 50.0]}))
    assert n["need_low_access_pct"].tolist() == [50.0, 100.0, 0.0]

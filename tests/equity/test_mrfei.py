"""CDC mRFEI: 100 x healthy / (healthy + less healthy) within the area plus 1/2 mile."""

from __future__ import annotations

import numpy as np
import pytest

from equity.mrfei import mrfei
from tests.helpers import grid3
from tests.helpers import grid_stores as stores


def test_mrfei_by_hand() -> None:
    s = stores(
        (500, 500, "supermarket"),
        (600, 600, "convenience"),
        (700, 700, "fast_food"),
        (2900, 2900, "farmers_market"),
    )
    m = mrfei(grid3(), s).set_axis(grid3()["area_id"])
    # r0c0 holds 1 healthy and 2 less healthy; the farmers market at (2900, 2900) is 2.6 km
    # away (more than 1/2 mile from r0c0's edge).
    assert m.loc["r0c0", "mrfei"] == pytest.approx(100 / 3)
    assert m.loc["r2c2", "mrfei"] == pytest.approx(100.0)
    # r1c1's corner (1000, 1000) is 707 m from the supermarket and 566 m from the convenience
    # store (within 804.7 m), but 1,273 m from the farmers market at (2900, 2900).
    assert m.loc["r1c1", ["n_healthy", "n_less_healthy"]].tolist() == [1, 2]


def test_no_stores_is_undefined_not_zero() -> None:
    s = stores((500, 500, "convenience"))
    m = mrfei(grid3(), s).set_axis(grid3()["area_id"])
    assert m.loc["r0c0", "mrfei"] == 0.0  # only less-healthy stores: 0
    assert np.isnan(m.loc["r2c2", "mrfei"])  # no store at all: undefined


def test_kinds_in_both_groups_are_refused() -> None:
    with pytest.raises(ValueError, match="both healthy and less healthy"):
        mrfei(grid3(), stores((0, 0, "grocery")), healthy=["grocery"], less_healthy=["grocery"])

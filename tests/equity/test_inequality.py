"""Inequality measures: hand-computed values and PySAL `inequality` on equal weights."""

from __future__ import annotations

import numpy as np
import pytest

import equity.inequality as ineq

RNG = np.random.default_rng(7)
X = RNG.gamma(2.0, 3.0, size=40)


def test_gini_of_equal_values_is_zero() -> None:
    assert ineq.gini([1, 1, 1, 1]) == 0.0


def test_gini_known_cases() -> None:
    assert ineq.gini([0, 0, 0, 1]) == pytest.approx(0.75)
    # Mean absolute difference of [1, 2, 3, 4] is 1.25; over 2 x mean 2.5: 0.25.
    assert ineq.gini([1, 2, 3, 4]) == pytest.approx(0.25)


def test_weights_equal_repetition() -> None:
    assert ineq.gini([1, 3], [3, 1]) == pytest.approx(ineq.gini([1, 1, 1, 3]))
    assert ineq.theil([1, 3], [3, 1]) == pytest.approx(ineq.theil([1, 1, 1, 3]))
    assert ineq.atkinson([1, 3], 2, [3, 1]) == pytest.approx(ineq.atkinson([1, 1, 1, 3], 2))


def test_against_pysal_inequality() -> None:
    inequality = pytest.importorskip("inequality")
    from inequality.atkinson import atkinson as pysal_atkinson
    from inequality.gini import Gini
    from inequality.theil import Theil, TheilD

    assert ineq.gini(X) == pytest.approx(Gini(X).g)
    assert ineq.theil(X) == pytest.approx(Theil(X).T)
    for eps in (0.5, 1.0, 2.0):
        assert ineq.atkinson(X, eps) == pytest.approx(pysal_atkinson(X, eps))
    groups = np.repeat([0, 1], 20)
    d = ineq.theil_decomposition(X, groups)
    ref = TheilD(X, groups)
    assert d["between"] == pytest.approx(float(np.ravel(ref.bg)[0]))
    assert d["within"] == pytest.approx(float(np.ravel(ref.wg)[0]))
    assert d["between"] + d["within"] == pytest.approx(d["total"])
    assert inequality is not None


def test_theil_by_hand() -> None:
    # [1, 3]: mu 2, T = 0.5 (0.5 ln 0.5 + 1.5 ln 1.5)
    assert ineq.theil([1, 3]) == pytest.approx(0.5 * (0.5 * np.log(0.5) + 1.5 * np.log(1.5)))
    assert ineq.theil([0, 2]) == pytest.approx(np.log(2))


def test_atkinson_zero_values() -> None:
    assert ineq.atkinson([0, 2], 0.5) == pytest.approx(1 - (0.5 * 2**0.5) ** 2 / 1)
    with pytest.raises(ValueError, match="undefined when a value is 0"):
        ineq.atkinson([0, 2], 1.0)


def test_lorenz_points() -> None:
    lc = ineq.lorenz_curve([3, 1], weights=[1, 1])
    assert lc.values.tolist() == [[0.0, 0.0], [0.5, 0.25], [1.0, 1.0]]


def test_palma_by_hand() -> None:
    # 10 equal-weight areas with values 1..10: top 10% hold 10/55, bottom 40% hold 10/55.
    assert ineq.palma_ratio(np.arange(1, 11)) == pytest.approx(1.0)
    assert ineq.palma_ratio(np.ones(10)) == pytest.approx(0.1 / 0.4)


def test_concentration_index() -> None:
    # Everything held by the poorest of two equal groups: C = 2 cov / mu = -0.5.
    assert ineq.concentration_index([2, 0], rank_by=[10, 20]) == pytest.approx(-0.5)
    # Ranking by the values themselves gives the Gini.
    assert ineq.concentration_index(X, rank_by=X) == pytest.approx(ineq.gini(X))


def test_disparity_ratios() -> None:
    d = ineq.disparity_ratios([1, 1, 3], ["a", "a", "b"], [1, 1, 1])
    assert d.loc["b", "ratio"] == pytest.approx(3.0)
    assert d.loc["a", "population"] == 2


@pytest.mark.parametrize(
    ("values", "weights", "match"),
    [([1, np.nan], None, "NaN"), ([-1, 1], None, "non-negative"), ([1, 2], [1], "weights")],
    ids=["nan", "negative", "shape"],
)
def test_bad_inputs(values, weights, match) -> None:
    with pytest.raises(ValueError, match=match):
        ineq.gini(values, weights)

"""The USDA Atlas classification on a 3x3 grid of 1-km squares with one supermarket in the middle.

By hand (store at the centre of the middle square):

- from each square's centre: middle 0 m, edge squares 1,000 m (0.62 mi), corners 1,414 m
  (0.88 mi): 8 squares are beyond 1/2 mile, none beyond 1 mile;
- on the 0.5 km grid (4 cells per square): an edge square has 2 cells at 1,275 m and 2 at 791 m,
  so 500 people (50%) are beyond 1/2 mile; a corner square has cells at 1,768, 1,458, 1,458 and
  1,061 m, so 1,000 are beyond 1/2 mile and 250 (25%) beyond 1 mile.
"""

from __future__ import annotations

import numpy as np
import pytest

from equity import ValidationError
from equity.atlas import LowIncomeStandInWarning, atlas_classify, low_income_tracts, urban_flag
from tests.helpers import grid3
from tests.helpers import grid_stores as stores

ONE = stores((1500, 1500, "supermarket"), (100, 100, "convenience"))
EDGES = ["r0c1", "r1c0", "r1c2", "r2c1"]
CORNERS = ["r0c0", "r0c2", "r2c0", "r2c2"]


def classify(**kw):
    areas = grid3(
        urban=[True] * 9,
        poverty_rate=[0.25] + [0.05] * 8,
        median_family_income=[90_000] * 8 + [40_000],
        households_no_vehicle=[150] * 9,
    )
    return atlas_classify(areas, ONE, state_median_income=60_000, **kw).set_index("area_id")


def test_centroid_method_flags_by_hand() -> None:
    a = classify(population_method="centroid")
    assert a["lapophalf"].to_dict() == {k: (0.0 if k == "r1c1" else 1000.0) for k in a.index}
    assert a["lapop1"].sum() == 0
    assert a["LATracts_half"].sum() == 8 and not a.loc["r1c1", "LATracts_half"]
    assert a["LAhalfand10"].sum() == 8 and a["LA1and10"].sum() == 0
    assert a["LATracts10"].sum() == 0
    assert set(a["pop_method"]) == {"centroid"}


def test_grid_method_counts_by_hand() -> None:
    a = classify(population_method="grid")
    assert a.loc[EDGES, "lapophalf"].tolist() == [500.0] * 4
    assert a.loc[EDGES, "lapophalfshare"].tolist() == [0.5] * 4
    assert a.loc[CORNERS, "lapophalf"].tolist() == [1000.0] * 4
    assert a.loc[CORNERS, "lapop1"].tolist() == [250.0] * 4
    assert a.loc[CORNERS, "lapop1share"].tolist() == [0.25] * 4
    assert a.loc["r1c1", "lapophalf"] == 0
    # 250 people (25%) is below both 500 and 33%: not low access at 1 mile.
    assert a["LATracts1"].sum() == 0
    assert a["LATracts_half"].sum() == 8
    assert a.attrs["population_method"] == "grid"


def test_low_income_and_lila() -> None:
    a = classify(population_method="centroid")
    # r0c0 by poverty (25%); r2c2 by income (40,000 <= 0.8 x 60,000).
    assert a.index[a["LowIncomeTracts"]].tolist() == ["r0c0", "r2c2"]
    assert a.index[a["LILATracts_halfAnd10"]].tolist() == ["r0c0", "r2c2"]
    assert a["LILATracts_1And10"].sum() == 0


def test_vehicle_measure() -> None:
    a = classify(population_method="centroid")
    # 150 households without a car, all beyond 1/2 mile in the 8 outer squares: >= 100.
    assert a["lahunvhalf"].tolist() == [150.0] * 4 + [0.0] + [150.0] * 4
    assert a["HUNVFlag"].sum() == 8
    assert a["LILATracts_Vehicle"].sum() == 2


def test_rural_tracts_use_ten_miles() -> None:
    areas = grid3(urban=[False] * 9, poverty_rate=[0.3] * 9)
    far = stores((1500, 30_000, "supermarket"))  # ~17.4 to 18.3 miles away
    a = atlas_classify(areas, far, population_method="centroid")
    assert a["LATracts10"].all() and not a["LATracts20"].any()
    assert a["LA1and10"].all() and not a["LA1and20"].any()
    assert a["LILATracts_1And10"].all() and not a["LILATracts_1And20"].any()


def test_no_supermarket_means_every_populated_tract_is_low_access() -> None:
    areas = grid3(urban=[True] * 9)
    areas.loc[0, "population"] = 0
    a = atlas_classify(areas, ONE[ONE["kind"] == "convenience"], population_method="centroid")
    assert a["LA1and10"].tolist() == [False] + [True] * 8
    assert a.attrs["supermarkets"] == 0


def test_store_kinds_are_a_parameter() -> None:
    a = atlas_classify(
        grid3(urban=[True] * 9), ONE, kinds=("convenience",), population_method="centroid"
    )
    assert a.attrs["store_kinds"] == ["convenience"]
    assert a.loc[0, "lapophalf"] == 0  # the convenience store is in r0c0


@pytest.mark.parametrize(
    ("metro_median", "expected"),
    [(None, [True, False]), (80_000, [True, True])],
    ids=["state", "metro"],
)
def test_low_income_metro_rule(metro_median, expected) -> None:
    areas = grid3(median_family_income=[47_000, 60_000] + [100_000] * 7)
    li, info = low_income_tracts(
        areas, state_median_income=60_000, metro_median_income=metro_median
    )
    assert li.tolist()[:2] == expected
    assert info["state_median_income_source"] == "given"


def test_low_income_stand_in_median_from_data_is_announced() -> None:
    areas = grid3(median_family_income=[10_000] + [50_000] * 8, poverty_rate=[0.0] * 9)
    with pytest.warns(LowIncomeStandInWarning, match="STAND-IN"):
        li, info = low_income_tracts(areas)
    assert info["state_median_income"] == {"all": 50_000}
    assert li.tolist() == [True] + [False] * 8
    assert set(info["sources"]) == {"stand-in"}
    assert "STAND-IN" in str(info["low_income_source"])


def test_urban_from_density_rule() -> None:
    u, source = urban_flag(grid3(population=100.0))
    assert not u.any() and "density" in source  # 100 people per km^2 < 193
    u, source = urban_flag(grid3(population=1000.0, urban=[False] * 9))
    assert not u.any() and source == "data"


def test_missing_kind_column() -> None:
    with pytest.raises(ValidationError, match="missing column 'kind'"):
        atlas_classify(grid3(), ONE.drop(columns="kind"))


def test_flags_are_booleans() -> None:
    a = classify()
    for col in ("LowIncomeTracts", "LA1and10", "LILATracts_halfAnd10", "Urban"):
        assert a[col].dtype == np.bool_

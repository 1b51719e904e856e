"""The Atlas classification by partition equals the in-memory path.

Synthetic "states" 01 and 02, 200 km apart, each a 6x4 block of 2-km square tracts in two
counties (columns 0-2 and 3-5). County 001 of state 01 has no supermarket: its people are served
across the county line, by a store 300 m inside county 003, so the partitioned path must bring in
stores from beyond the part. State 02 is richer, so its reference median income differs.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from equity import (
    ValidationError,
    access_by_partition,
    access_table,
    atlas_by_partition,
    atlas_classify,
    partition_keys,
    population_points,
)

CRS = "EPSG:32617"
X0, Y0 = 400_000.0, 4_400_000.0
ROOT = Path(__file__).resolve().parents[2]
# State 02 (Alaska) has no shipped reference income: its stand-in warning is expected here
# (tests/equity/test_low_income.py checks the warning itself).
pytestmark = pytest.mark.filterwarnings("ignore::equity.atlas.LowIncomeStandInWarning")


def state(fips: str, dx: float, income: float) -> gpd.GeoDataFrame:
    rows = []
    for r in range(4):
        for c in range(6):
            county = "001" if c < 3 else "003"
            rows.append(
                {
                    "area_id": f"{fips}{county}{r:03d}{c:03d}",
                    "county": f"{fips}{county}",
                    "population": 1500.0 + 100 * r,
                    "households_no_vehicle": 40.0 + 30 * c,
                    "poverty_rate": 0.05 + 0.04 * r,
                    "median_family_income": income * (0.6 + 0.1 * c),
                    "urban": True,
                    "geometry": box(
                        X0 + dx + 2000 * c,
                        Y0 + 2000 * r,
                        X0 + dx + 2000 * (c + 1),
                        Y0 + 2000 * (r + 1),
                    ),
                }
            )
    return gpd.GeoDataFrame(rows, crs=CRS)


def stores() -> gpd.GeoDataFrame:
    xy = [
        (6300, 3000, "supermarket"),  # county 003 of state 01, 300 m from county 001
        (11000, 7000, "supermarket"),
        (1000, 1000, "convenience"),  # county 001 has only a convenience store
        (200_000 + 3000, 3000, "supermarket"),
        (200_000 + 9000, 5000, "supermarket"),
    ]
    return gpd.GeoDataFrame(
        {"store_id": [f"s{i}" for i in range(len(xy))], "kind": [k for _, _, k in xy]},
        geometry=[Point(X0 + x, Y0 + y) for x, y, _ in xy],
        crs=CRS,
    )


@pytest.fixture(scope="module")
def nation() -> gpd.GeoDataFrame:
    return pd.concat([state("01", 0, 60_000), state("02", 200_000, 90_000)], ignore_index=True)


def test_counties_of_a_state_equal_the_state_in_memory(nation):
    one = nation[nation["area_id"].str.startswith("01")]
    whole = atlas_classify(one, stores())
    parts = atlas_by_partition(one, stores(), by="county")
    assert parts.attrs["partitions"] == 2
    pd.testing.assert_frame_equal(parts, whole)
    # county 001 is served from across the line. Tract (row 1, column 2) spans x 4-6 km,
    # y 2-4 km; of its 16 grid cells 10 lie within a mile of the store at (6.3, 3.0) km: the
    # columns at x 5.75 and 5.25 (8) and, at x 4.75, the two at y 2.75 and 3.25 (1,570 m).
    # So 6/16 of its people are beyond a mile. Column 0 is more than 4 km away: all beyond.
    share = parts.set_index("area_id")["lapop1share"]
    assert share["01001001002"] == pytest.approx(6 / 16)
    assert share["01001001000"] == pytest.approx(1.0)


def test_a_nation_by_state_equals_each_state_in_memory(nation):
    got = atlas_by_partition(nation, stores())  # by state: the GEOID's first two digits
    want = pd.concat(
        [
            atlas_classify(nation[nation["area_id"].str.startswith(s)], stores())
            for s in ("01", "02")
        ]
    ).loc[nation.index]
    pd.testing.assert_frame_equal(got, want)
    med = got.attrs["state_median_income"]
    assert set(med) == {"01", "02"} and med["02"] > med["01"]
    # references are per tract (state 01: the shipped Alabama figure; 02, Alaska, has none
    # shipped: a stand-in of its own), so one call over the whole nation gives the same answer
    src = got.set_index("area_id")["LowIncomeTracts_source"]
    assert set(src[src.index.str.startswith("01")]) == {"reference"}
    assert set(src[src.index.str.startswith("02")]) == {"stand-in"}
    pd.testing.assert_frame_equal(atlas_classify(nation, stores()), got)


def test_wgs84_input_is_projected_per_part(nation):
    geo, shops = nation.to_crs(4326), stores().to_crs(4326)
    got = atlas_by_partition(geo, shops)
    want = []
    for s in ("01", "02"):
        part = geo[geo["area_id"].str.startswith(s)]
        utm = part.estimate_utm_crs()
        assert utm.to_epsg() == 32617
        want.append(atlas_classify(part.to_crs(utm), shops.to_crs(utm)))
    pd.testing.assert_frame_equal(got, pd.concat(want).loc[geo.index])


def test_parts_run_on_a_dask_client(nation):
    distributed = pytest.importorskip("distributed")
    with distributed.Client(
        processes=False,
        n_workers=1,
        threads_per_worker=2,
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": ":0"},  # no fixed port 8787
    ) as client:
        got = atlas_by_partition(nation, stores(), by="county", state_col="state", client=None)
        on_dask = atlas_by_partition(
            nation.assign(state=nation["area_id"].str[:2]),
            stores(),
            by="county",
            state_col="state",
            client=client,
        )
        access = access_by_partition(nation, stores(), client=client)
    pd.testing.assert_frame_equal(on_dask, got)
    pd.testing.assert_frame_equal(access, access_table(nation, stores()))


def test_access_by_partition_equals_in_memory(nation):
    pts = population_points(nation)
    whole = access_table(nation, stores(), points=pts)
    parts = access_by_partition(nation, stores(), by="county", points=pts)
    assert parts.attrs["partitions"] == 4
    pd.testing.assert_frame_equal(parts, whole)
    # county 001 of state 01 has no supermarket: its nearest is across the county line
    row = parts.set_index("area_id").loc["01001001002"]
    assert 300 < row["dist_supermarket_m"] < 1609
    # state 02 has no convenience store: its nearest is found 200 km away in state 01
    assert parts.set_index("area_id").loc["02001000000", "dist_convenience_m"] > 190_000
    assert np.isfinite(parts.set_index("area_id").loc["02001000000", "dist_convenience_m"])


def test_partition_errors(nation):
    with pytest.raises(ValidationError, match="no column 'tract_group'"):
        atlas_by_partition(nation, stores(), by="tract_group")
    with pytest.raises(ValidationError, match="not a tract GEOID"):
        partition_keys(nation.assign(area_id="A1"))
    with pytest.raises(ValidationError, match="missing column 'kind'"):
        atlas_by_partition(nation, stores().drop(columns="kind"))


@pytest.mark.slow
def test_equity_and_optimize_do_not_import_dask():
    code = (
        "import sys, equity, optimize, optimize.sweep\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"


@pytest.mark.shared_data
@pytest.mark.slow
def test_allegheny_in_strips_equals_in_memory(shared_data):
    from equity import allegheny_region

    region = allegheny_region(shared_data)
    areas = region.areas.assign(
        strip=pd.qcut(region.areas.geometry.centroid.x, 4, labels=False).astype(str)
    )
    whole = atlas_classify(areas, region.stores, points=region.population_points)
    parts = atlas_by_partition(areas, region.stores, by="strip", points=region.population_points)
    assert parts.attrs["partitions"] == 4
    pd.testing.assert_frame_equal(parts, whole)
    assert int(whole["LILATracts_1And10"].sum()) > 0
    assert np.isfinite(parts["lapop1share"]).all()

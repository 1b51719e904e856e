"""Documented estimates of need and supply (equity.estimates, Region.with_estimates)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from equity import FoodshedError, Region
from equity.estimates import (
    assumptions,
    basket_table,
    estimate_need,
    estimate_supply,
    estimated_inputs,
)
from tests.helpers import GRID_CRS as CRS
from tests.helpers import GRID_X0 as X0
from tests.helpers import GRID_Y0 as Y0
from tests.helpers import grid3

# The Dietary Guidelines basket by hand: cup/oz-equivalents a week x kg per equivalent.
BASKET_KG = {
    "vegetables": 17.5 * 0.12,  # 2.1
    "fruits": 14.0 * 0.15,  # 2.1
    "grains": 42.0 * 0.02835,  # 1.1907
    "dairy": 21.0 * 0.244,  # 5.124
    "protein_foods": 38.5 * 0.038,  # 1.463
}
BASKET_TOTAL = sum(BASKET_KG.values())  # 11.9777 kg per person a week
GARDEN_WEEK_KG_PER_M2 = 3.662 / 17.0  # 0.75 lb/sq ft over a 17-week season
FARM_WEEK_KG_PER_M2 = 2.929 / 17.0


def sites(*rows: tuple[str, float, float, dict]) -> gpd.GeoDataFrame:
    """Sites ``(kind, x, y, extra columns)`` at grid offsets (metres)."""
    recs = [{"site_id": f"s{i}", "kind": k, **extra} for i, (k, _, _, extra) in enumerate(rows)]
    return gpd.GeoDataFrame(
        pd.DataFrame(recs),
        geometry=[Point(X0 + x, Y0 + y) for _, x, y, _ in rows],
        crs=CRS,
    )


def county(**area_cols) -> Region:
    """Nine 1-km tracts of 1,000 people, a garden, a farm and a pantry; no commodities."""
    s = sites(
        ("garden", 500, 500, {}),
        ("farm", 2500, 2500, {}),
        ("pantry", 1500, 1500, {}),
    )
    return Region.from_frames(grid3(**area_cols), sites=s, name="county")


def test_basket_is_the_dietary_guidelines_pattern_in_kg() -> None:
    b = basket_table().set_index("commodity")
    assert b["kg_per_person_week"].to_dict() == pytest.approx(BASKET_KG)
    assert b["kg_per_person_week"].sum() == pytest.approx(11.9777)
    assert (b["unit"] == "kg").all() and (b["kg_per_unit"] == 1.0).all()
    assert "Dietary Guidelines for Americans 2020-2025" in assumptions()["basket"]["source"]


def test_basket_overrides_replace_drop_and_add_commodities() -> None:
    b = basket_table({"dairy": 0, "rice": 0.5}).set_index("commodity")
    assert b.loc["dairy", "kg_per_person_week"] == 0 and b.loc["dairy", "source"] == "override"
    assert b.loc["rice", "kg_per_person_week"] == 0.5 and b.loc["rice", "group"] == "other"
    with pytest.raises(ValueError, match=r"basket\['dairy'\].*>= 0; got -1"):
        basket_table({"dairy": -1})


def test_need_is_population_times_the_basket_scaled_by_food_insecurity() -> None:
    rate = [0.1, 0.2, np.nan, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]
    areas = grid3(food_insecurity_rate=rate)
    need, text = estimate_need(areas, basket_table())
    by = need.pivot(index="area_id", columns="commodity", values="quantity")
    assert by.loc["r0c0", "dairy"] == pytest.approx(1000 * 0.1 * 5.124)
    assert by.loc["r0c1"].sum() == pytest.approx(1000 * 0.2 * BASKET_TOTAL)
    # an area without a rate counts everyone's basket, unless a rate is given for the rest
    assert by.loc["r0c2"].sum() == pytest.approx(1000 * BASKET_TOTAL)
    assert "food_insecurity_rate in 8 of 9 areas" in text
    need2, text2 = estimate_need(areas, basket_table(), food_insecurity_rate=0.15)
    assert need2[need2["area_id"] == "r0c2"]["quantity"].sum() == pytest.approx(150 * 11.9777)
    assert "0.15 in the rest" in text2


def test_need_without_a_rate_is_everyones_basket_and_bad_rates_are_named() -> None:
    need, text = estimate_need(grid3(), basket_table())
    assert len(need) == 9 * 5
    assert need["quantity"].sum() == pytest.approx(9000 * BASKET_TOTAL)
    assert "for everyone" in text
    with pytest.raises(ValueError, match=r"row 2 \(r0c1\) has 12; .*0.12, not 12"):
        estimate_need(grid3(food_insecurity_rate=[0.1, 12] + [0.1] * 7), basket_table())


def test_supply_by_site_kind() -> None:
    s = sites(
        ("garden", 0, 0, {"area_m2": 100.0, "throughput_kg": np.nan}),
        ("garden", 0, 0, {"area_m2": np.nan, "throughput_kg": np.nan}),
        ("farm", 0, 0, {"area_m2": np.nan, "throughput_kg": np.nan}),
        ("pantry", 0, 0, {"area_m2": np.nan, "throughput_kg": np.nan}),
        ("pantry", 0, 0, {"area_m2": np.nan, "throughput_kg": 500.0}),
        ("hub", 0, 0, {"area_m2": np.nan, "throughput_kg": np.nan}),
    )
    supply, text = estimate_supply(s, basket_table())
    per_site = supply.groupby("site_id")["quantity"].sum()
    assert per_site["s0"] == pytest.approx(100 * GARDEN_WEEK_KG_PER_M2)  # its own 100 m2
    assert per_site["s1"] == pytest.approx(400 * GARDEN_WEEK_KG_PER_M2)  # 86.2 kg a week
    assert per_site["s2"] == pytest.approx(4047 * FARM_WEEK_KG_PER_M2)  # 697.3 kg a week
    assert per_site["s3"] == pytest.approx(1000.0)  # default pantry throughput
    assert per_site["s4"] == pytest.approx(500.0)  # its own throughput_kg
    assert "s5" not in per_site.index  # a hub without throughput_kg supplies nothing
    gardens = supply[supply["site_id"].isin(["s0", "s1", "s2"])]
    assert set(gardens["commodity"]) == {"vegetables"}
    pantry = supply[supply["site_id"] == "s3"].set_index("commodity")["quantity"]
    assert pantry["dairy"] == pytest.approx(1000 * 5.124 / BASKET_TOTAL)
    assert "garden: 2 site(s), 1 with their own area_m2" in text
    assert "hub: 1 site(s), nothing" in text
    # overrides by kind
    more, _ = estimate_supply(
        s,
        basket_table(),
        area_m2={"garden": 1000},
        yield_kg_per_m2_season={"garden": 1.7},
        season_weeks=10,
        throughput_kg_per_week={"pantry": 2000, "hub": 300},
    )
    per = more.groupby("site_id")["quantity"].sum()
    assert per["s1"] == pytest.approx(1000 * 1.7 / 10)
    assert per["s0"] == pytest.approx(100 * 1.7 / 10)  # its own area still wins
    assert per["s3"] == pytest.approx(2000) and per["s5"] == pytest.approx(300)


def test_with_estimates_fills_the_tables_and_records_them(tmp_path) -> None:
    region = county()
    assert len(region.commodities) == len(region.need) == len(region.supply) == 0
    est = region.with_estimates()
    assert sorted(est.commodities["commodity"]) == sorted(BASKET_KG)
    assert est.need["quantity"].sum() == pytest.approx(9000 * BASKET_TOTAL)
    assert est.supply["quantity"].sum() == pytest.approx(
        400 * GARDEN_WEEK_KG_PER_M2 + 4047 * FARM_WEEK_KG_PER_M2 + 1000
    )
    record = estimated_inputs(est)
    assert list(record) == ["commodities", "need", "supply"]
    assert "11.98 kg per person a week" in record["need"]
    assert "pantry: 1 site(s), 1,000 kg a week (assumed throughput)" in record["supply"]
    assert estimated_inputs(region) == {}
    # the record survives a round trip through a region folder
    back = Region.from_dir(est.to_dir(tmp_path / "county"))
    assert estimated_inputs(back) == record
    assert back.need["quantity"].sum() == pytest.approx(est.need["quantity"].sum())


def test_with_estimates_takes_overrides() -> None:
    est = county(food_insecurity_rate=[0.1] * 9).with_estimates(basket={"dairy": 0})
    assert "dairy" not in set(est.need["commodity"])
    assert est.need["quantity"].sum() == pytest.approx(900 * (BASKET_TOTAL - 5.124))


@pytest.mark.parametrize(
    ("region", "match"),
    [
        (lambda: Region.from_frames(grid3(), name="bare"), "'bare' has no sites, so there is no"),
        (
            lambda: Region.from_frames(grid3(population=0.0), sites=sites(("pantry", 0, 0, {}))),
            "has no population, so there is no need to plan for",
        ),
        (lambda: county().with_estimates(), "already has 5 commodities"),
    ],
    ids=["no-sites", "no-population", "has-commodities"],
)
def test_estimates_refuse_in_one_sentence(region, match) -> None:
    with pytest.raises(FoodshedError, match=match):
        region().with_estimates()

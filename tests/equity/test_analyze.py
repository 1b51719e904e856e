"""analyze / summarize / inequality_summary on a synthetic Region, and the Atlas validation."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from equity import Region, analyze, inequality_summary, summarize
from equity.access import M_PER_MILE
from tests.helpers import grid3
from tests.helpers import grid_stores as stores


def region() -> Region:
    areas = grid3(
        urban=[True] * 9,
        poverty_rate=[0.25] + [0.05] * 8,
        median_family_income=[50_000] * 9,
        households=[400] * 9,
        households_no_vehicle=[40] * 9,
    )
    s = stores(
        (1500, 1500, "supermarket"),
        (500, 500, "convenience"),
        (2500, 2500, "grocery"),
    )
    # the region declares its reference income: 80% of 60,000 = 48,000 < 50,000, so only the
    # poverty rule flags (r0c0)
    prov = {"area_median_family_income": 60_000}
    return Region.from_frames(areas, s, name="grid", provenance=prov)


@pytest.fixture(scope="module")
def result():
    return analyze(region(), population_method="centroid")


def test_analyze_columns(result) -> None:
    for col in (
        "dist_supermarket_mi",
        "dist_convenience_m",
        "n_supermarket_1mi",
        "LILATracts_1And10",
        "LAhalfand10",
        "fca2_per_1000",
        "e2sfca_per_1000",
        "gravity_per_1000",
        "mrfei",
        "need_index",
        "need_poverty_pct",
        "pop_method",
    ):
        assert col in result.columns, col
    assert len(result) == 9 and result.crs.is_projected


def test_analyze_values_by_hand(result) -> None:
    r = result.set_index("area_id")
    assert r.loc["r0c0", "dist_supermarket_mi"] == pytest.approx(1000 * math.sqrt(2) / M_PER_MILE)
    # One supermarket, everyone within the 2-mile catchment: 1 / 9,000 people = 0.111 per 1,000.
    assert r["fca2_per_1000"].tolist() == pytest.approx([1000 / 9000] * 9)
    assert r.loc["r0c0", "LILATracts_halfAnd10"]
    assert r["LILATracts_halfAnd10"].sum() == 1
    assert result.attrs["population_method"] == "centroid"


def test_summarize(result) -> None:
    s = summarize(result).set_index("measure")
    assert s.loc["LAhalfand10", "areas"] == 8
    assert s.loc["LAhalfand10", "population"] == 8000
    assert s.loc["LAhalfand10", "population_share"] == pytest.approx(8 / 9)
    assert s.loc["LAhalfand10", "low_income_tract_population"] == 1000
    # From square centres every outer square's 1,000 people are beyond 1/2 mile.
    assert s.loc["LAhalfand10", "people_beyond"] == 8000
    assert np.isnan(s.loc["LowIncomeTracts", "people_beyond"])
    assert s.loc["LA1and10", "areas"] == 0


def test_summarize_by_group(result) -> None:
    s = summarize(result, by="LowIncomeTracts")
    assert s["group"].unique().tolist() == ["all", "LowIncomeTracts=False", "LowIncomeTracts=True"]
    rows = s[s["measure"] == "LAhalfand10"].set_index("group")
    assert rows["population"].tolist() == [8000, 7000, 1000]
    assert rows.loc["LowIncomeTracts=True", "population_share"] == 1.0
    with pytest.raises(ValueError, match="no such column"):
        summarize(result, by="ward")


def test_inequality_summary(result) -> None:
    s = inequality_summary(result, group_col="LowIncomeTracts").set_index("measure")["value"]
    assert s["areas_used"] == 9
    d = np.array([math.sqrt(2), 1, math.sqrt(2), 1, 0, 1, math.sqrt(2), 1, math.sqrt(2)])
    assert s["mean"] == pytest.approx(d.mean() * 1000 / M_PER_MILE)
    assert 0 < s["gini"] < 1
    assert s["ratio[LowIncomeTracts=True]"] == pytest.approx(
        math.sqrt(2) / d[[1, 2, 3, 4, 5, 6, 7, 8]].mean()
    )


def test_default_method_is_grid(result) -> None:
    grid = analyze(region())
    assert set(grid["pop_method"]) == {"grid"}
    assert grid.attrs["population_method"] == "grid"


def test_region_without_supermarkets() -> None:
    reg = region()
    reg2 = reg.with_tables(stores=reg.stores[reg.stores["kind"] != "supermarket"])
    out = analyze(reg2, population_method="centroid")
    assert np.isinf(out["dist_supermarket_m"]).all()
    assert out["LA1and10"].all()
    assert (out["fca2_per_1000"] == 0).all()
    assert inequality_summary(out).set_index("measure").loc["areas_used", "value"] == 0


@pytest.mark.slow
def test_demo_region_smoke() -> None:
    demo = Region.demo()
    out = analyze(demo)
    assert len(out) == len(demo.areas)
    assert summarize(out)["population"].ge(0).all()


_LA = {"LILATracts_1And10": "LA1and10", "LILATracts_halfAnd10": "LAhalfand10"}


def _agreement(out, flag: str) -> tuple[float, float]:
    """Accuracy and Cohen's kappa of ``flag`` against the Atlas's (``<flag>_input``). A LILA
    flag is taken as our low-access flag AND the Atlas's published ``LowIncomeTracts``, which
    is what ``analyze`` gives by default where the areas carry that flag (these regions do)."""
    have = out["in_atlas"].to_numpy(bool)
    if flag in _LA:
        li = out["LowIncomeTracts_input"].fillna(0).to_numpy().astype(bool)
        a = (out[_LA[flag]].to_numpy(bool) & li)[have]
    else:
        a = out[flag].to_numpy(bool)[have]
    b = out[f"{flag}_input"].to_numpy()[have].astype(bool)
    po = float(np.mean(a == b))
    pe = a.mean() * b.mean() + (1 - a.mean()) * (1 - b.mean())
    return po, (po - pe) / (1 - pe)


@pytest.fixture(scope="module")
def allegheny(shared_data: Path):
    from equity.sources import allegheny_region

    return allegheny_region(shared_data)


@pytest.mark.shared_data
@pytest.mark.slow
def test_allegheny_region_matches_the_atlas(allegheny) -> None:
    # The DEFAULT path that benchmarks/atlas_validation.py publishes first: allegheny_region()
    # and analyze(region) with no options (grid_points); nothing fitted to the Atlas's flags.
    out = analyze(allegheny)
    assert out.attrs["population_method"] == "grid_points"
    # The region carries the Atlas's published LowIncomeTracts; analyze uses it and says so.
    assert (out["LowIncomeTracts"] == out["LowIncomeTracts_input"].eq(1))[out["in_atlas"]].all()
    assert set(out.loc[out["in_atlas"], "LowIncomeTracts_source"]) == {"published"}
    assert "400 of 402 areas: the Atlas's published" in out.attrs["low_income_source"]
    acc, kappa = _agreement(out, "LILATracts_1And10")  # 96.3%, 0.807
    assert acc >= 0.96 and kappa >= 0.80
    acc, kappa = _agreement(out, "LILATracts_halfAnd10")  # 96.8%, 0.922
    assert acc >= 0.96 and kappa >= 0.91
    assert _agreement(out, "LA1and10")[0] >= 0.89  # 90.0%
    s = summarize(out).set_index("measure")
    assert 0 < s.loc["LILATracts_halfAnd10", "population_share"] < 0.5


@pytest.mark.shared_data
def test_allegheny_atlas_grid_variant(allegheny) -> None:
    out = analyze(allegheny, population_method="grid")  # the Atlas's own 0.5 km grid
    acc, kappa = _agreement(out, "LILATracts_1And10")  # 96.3%, 0.803
    assert acc >= 0.96 and kappa >= 0.80
    acc, kappa = _agreement(out, "LILATracts_halfAnd10")  # 97.3%, 0.934
    assert acc >= 0.97 and kappa >= 0.93


@pytest.mark.shared_data
def test_chicago_region_matches_the_atlas(shared_data: Path) -> None:
    from equity.sources import chicago_region

    out = analyze(chicago_region(shared_data))  # the 2020 and 2024 store lists, defaults
    acc, kappa = _agreement(out, "LILATracts_halfAnd10")  # 85.1%, 0.646
    assert acc >= 0.85 and kappa >= 0.64
    acc, kappa = _agreement(out, "LILATracts_1And10")  # 96.2%, 0.516
    assert acc >= 0.96 and kappa >= 0.51


def test_input_columns_with_a_measure_name_are_kept() -> None:
    reg = region()
    areas = reg.areas.assign(LA1and10=[True] * 9)
    out = analyze(reg.with_tables(areas=areas), population_method="centroid")
    assert out["LA1and10_input"].all()
    assert not out["LA1and10"].any()
    assert out.attrs["renamed_input_columns"] == {"LA1and10": "LA1and10_input"}

"""Fuzzing the input readers (issue 12): any exception but the project's own is a bug.

Hypothesis mutates a small valid region folder (``region.toml`` keys and values, table cells,
coordinates, whole files), scenario tables and sweep specs. Every reader must either accept
the input or raise a :class:`~equity.FoodshedError` (``ValidationError``, ``DataSourceError``,
``ConfigError``, ``ScenarioError``, ``SweepSpecError``, ``ShockError``) with a message; warnings
are errors in this suite, so an overflow warning fails too. Runs are bounded (a fixed number
of examples, a deadline per example) and derandomized, so CI is reproducible and quick.
"""

from __future__ import annotations

import csv
import io
import json
import math
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from equity import FoodshedError, Region, validate_dir
from optimize import AllocationProblem, Scenario
from optimize._sweep_task import _SHOCK
from optimize.shocks import apply_shocks
from optimize.sweep import SweepSpec, expand
from tests.helpers import write_file

FUZZ = settings(
    max_examples=30,
    deadline=30_000,  # ms per example: generous, so a loaded CI machine does not flake
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

LON0, LAT0 = -80.00, 40.44
FILES: dict[str, str] = {
    "region.toml": 'name = "fuzz"\ncrs = "EPSG:32617"\n',
    "areas.geojson": json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"area_id": f"a{i}", "population": 100 * (i + 1)},
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [
                            [
                                [LON0 + i * 0.01, LAT0],
                                [LON0 + i * 0.01 + 0.01, LAT0],
                                [LON0 + i * 0.01 + 0.01, LAT0 + 0.01],
                                [LON0 + i * 0.01, LAT0 + 0.01],
                                [LON0 + i * 0.01, LAT0],
                            ]
                        ],
                    },
                }
                for i in range(3)
            ],
        }
    ),
    "stores.csv": "store_id,kind,lon,lat\ns1,supermarket,-79.995,40.445\ns2,grocery,-79.985,40.445\n",
    "sites.csv": "site_id,kind,lon,lat\ng1,garden,-79.975,40.445\nh1,hub,-79.99,40.446\n",
    "commodities.csv": "commodity,unit,kg_per_unit\nkale,bunch,0.3\nrice,kg,1\n",
    "supply.csv": "site_id,commodity,period,quantity\ng1,kale,summer,10\nh1,rice,summer,30\n",
    "need.csv": "area_id,commodity,period,quantity\na0,kale,summer,5\na1,rice,summer,5\n",
}
CSV_FILES = [n for n in FILES if n.endswith(".csv")]

# ---------------------------------------------------------------------------- strategies
odd_numbers = st.sampled_from(
    [0.0, -0.0, -1.0, 1e308, -1e308, 1e-320, math.inf, -math.inf, math.nan, 2**63, 0.5]
)
scalars = st.one_of(
    st.text(max_size=12),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    odd_numbers,
    st.booleans(),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.text(max_size=8), inner, max_size=3),
    ),
    max_leaves=6,
)
cells = st.one_of(
    st.text(max_size=10),
    odd_numbers.map(repr),
    st.sampled_from(["", "nan", "None", "0", "-5", "1e999", "supermarket", "s1", "g1", "summer"]),
)


def toml_value(v: Any) -> str:
    """``v`` written as a TOML value (inline tables for dicts)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(x)}" for k, x in v.items()) + "}"


def toml_text(data: dict[str, Any]) -> str:
    return "".join(f"{json.dumps(k)} = {toml_value(v)}\n" for k, v in data.items())


TOP_KEYS = ["name", "crs", "provenance", "areas", "stores", "sites", "supply", "need", "junk"]
TABLE_KEYS = ["file", "columns", "crs", "lon_col", "lat_col", "layer", "fiel"]
manifest_values = st.one_of(
    values,
    st.dictionaries(st.sampled_from(TABLE_KEYS), values, max_size=3),
    st.fixed_dictionaries({"default_period": st.sampled_from(["summer", "monsoon", "", 5])}),
    st.fixed_dictionaries(
        {"file": st.sampled_from(["stores.csv", "/etc/hostname", "../x.csv", "nope.csv", ""])}
    ),
)
manifests = st.dictionaries(st.sampled_from(TOP_KEYS), manifest_values, max_size=4)

edits = st.one_of(
    st.tuples(
        st.just("cell"), st.sampled_from(CSV_FILES), st.integers(0, 3), st.integers(0, 4), cells
    ),
    st.tuples(
        st.just("coords"),
        st.sampled_from(["stores.csv", "sites.csv"]),
        st.integers(0, 1),
        st.floats(-400, 400, allow_nan=False),
        st.floats(-200, 200, allow_nan=False),
    ),
    st.tuples(
        st.just("area"),
        st.just("areas.geojson"),
        st.integers(0, 2),
        st.sampled_from(["x", "y", "population", "area_id"]),
        st.one_of(st.floats(allow_nan=False), odd_numbers, st.text(max_size=5), st.none()),
    ),
    st.tuples(st.just("header-only"), st.sampled_from(CSV_FILES)),
    st.tuples(st.just("drop"), st.sampled_from(CSV_FILES + ["areas.geojson"])),
    st.tuples(st.just("bytes"), st.sampled_from(list(FILES)), st.binary(max_size=40)),
)


def apply_edit(files: dict[str, str | bytes], edit: tuple) -> None:
    kind, name = edit[0], edit[1]
    if name not in files:
        return
    if kind == "drop":
        del files[name]
    elif kind == "bytes":
        files[name] = edit[2]
    elif isinstance(files[name], bytes):
        return
    elif kind == "area":  # one coordinate or property of one area's feature
        gj = json.loads(str(files[name]))
        feat = gj["features"][edit[2]]
        if edit[3] in ("x", "y"):
            value = edit[4] if isinstance(edit[4], float) else 0.0
            ring = feat["geometry"]["coordinates"][0]
            ring[1][0 if edit[3] == "x" else 1] = value
        else:
            feat["properties"][edit[3]] = edit[4]
        files[name] = json.dumps(gj, allow_nan=True)
    elif kind == "header-only":
        files[name] = str(files[name]).splitlines()[0] + "\n"
    else:
        rows = list(csv.reader(io.StringIO(str(files[name]))))
        if not rows or not rows[0] or (kind == "coords" and len(rows) < 2):
            return
        if kind == "cell":
            r, c = edit[2] % len(rows), edit[3] % len(rows[0])
            rows[r][c] = edit[4]
        else:  # coords of a data row
            r = 1 + edit[2] % (len(rows) - 1)
            head = rows[0]
            if "lon" in head and "lat" in head:
                rows[r][head.index("lon")] = repr(edit[3])
                rows[r][head.index("lat")] = repr(edit[4])
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        files[name] = out.getvalue()


# ---------------------------------------------------------------------------- regions
@FUZZ
@given(
    manifest=manifests,
    changes=st.lists(edits, max_size=3),
    confined=st.booleans(),
    crs_given=st.booleans(),
)
def test_region_loader_never_crashes(manifest, changes, confined, crs_given) -> None:
    files: dict[str, str | bytes] = dict(FILES)
    if not crs_given:  # the UTM zone is then estimated from the areas
        files["region.toml"] = 'name = "fuzz"\n'
    if manifest:
        files["region.toml"] = str(files["region.toml"]) + toml_text(manifest)
    for e in changes:
        apply_edit(files, e)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "region"
        folder.mkdir()
        for name, data in files.items():
            write_file(folder / name, data)
        try:
            report = validate_dir(folder, confine_to=folder if confined else None)
        except FoodshedError as exc:
            assert str(exc)  # a message, never an empty one
            return
        for p in report.problems:
            assert p.message and p.severity in ("error", "warning")
        if report.ok:
            assert report.region is not None
            assert report.region.areas["population"].map(math.isfinite).all()


# ---------------------------------------------------------------------------- scenarios
@pytest.fixture(scope="module")
def problem() -> AllocationProblem:
    import geopandas as gpd
    from shapely.geometry import Point, box

    x0, y0 = 500_000.0, 4_000_000.0
    areas = gpd.GeoDataFrame(
        {"area_id": ["A", "B"], "population": [100.0, 200.0], "low_income": [True, False]},
        geometry=[
            box(x0 - 50, y0 - 50, x0 + 50, y0 + 50),
            box(x0 + 950, y0 - 50, x0 + 1050, y0 + 50),
        ],
        crs="EPSG:32617",
    )
    sites = gpd.GeoDataFrame(
        {"site_id": ["G1", "H"], "kind": ["garden", "hub"]},
        geometry=[Point(x0, y0), Point(x0 + 3000, y0)],
        crs="EPSG:32617",
    )
    region = Region.from_frames(
        areas,
        None,
        sites,
        pd.DataFrame({"commodity": ["veg"], "unit": ["kg"], "kg_per_unit": [1.0]}),
        pd.DataFrame({"site_id": ["G1", "H"], "commodity": "veg", "quantity": [6.0, 6.0]}),
        pd.DataFrame({"area_id": ["A", "B"], "commodity": "veg", "quantity": [5.0, 5.0]}),
        crs="EPSG:32617",
    )
    return AllocationProblem.from_region(region, budget_usd=100.0)


SHOCK_KEYS = [
    "kind", "site_ids", "site_kind", "factor", "area_ids", "area_flag", "commodities",
    "area_column", "at_least", "at_most", "budget_usd", "delta_usd", "max_distance_m",
]  # fmt: skip
shock_kinds = st.sampled_from(
    ["site_outage", "yield_factor", "demand_surge", "budget_change", "max_distance", "meteor"]
)
selector_values = st.one_of(
    values,
    st.lists(st.sampled_from(["G1", "H", "A", "B", "veg", "nope"]), max_size=3),
    st.sampled_from(["garden", "hub", "farm", "low_income", "population", "urban"]),
)
shocks = st.builds(
    lambda kind, rest: {"kind": kind, **rest},
    shock_kinds,
    st.dictionaries(
        st.sampled_from(SHOCK_KEYS[1:]), st.one_of(selector_values, odd_numbers), max_size=3
    ),
)
scenarios = st.fixed_dictionaries(
    {},
    optional={
        "name": values,
        "region": st.sampled_from(["demo", "", "no/such/folder", 5]),
        "period": st.sampled_from(["summer", "monsoon", "", None, 3]),
        "objective": st.sampled_from(["cost", "maxmin", "balanced", "fair_share", "x", 1]),
        "time_limit_s": st.one_of(odd_numbers, st.floats()),
        "params": st.dictionaries(
            st.sampled_from(["equity_weight", "fair_share_band", "unmet_penalty_usd_per_kg", "x"]),
            st.one_of(odd_numbers, st.floats(-2, 2)),
            max_size=2,
        ),
        "network": st.dictionaries(
            st.sampled_from(["max_distance_m", "cost_per_kg_km", "budget_usd", "x"]),
            st.one_of(odd_numbers, st.floats(-10, 1e7)),
            max_size=2,
        ),
        "shocks": st.one_of(st.lists(shocks, max_size=3), values),
        "junk": values,
    },
)


@settings(FUZZ, max_examples=150)
@given(data=scenarios)
def test_scenario_parser_and_shocks_never_crash(data, problem) -> None:
    text = toml_text({k: v for k, v in data.items() if v is not None})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.toml"
        path.write_text(text, encoding="utf-8")
        try:
            sc = Scenario.from_toml(path)
            apply_shocks(problem, sc.shock_objects())
        except FoodshedError as exc:
            assert str(exc)


@settings(FUZZ, max_examples=100)
@given(raw=st.binary(max_size=200))
def test_scenario_reader_takes_any_bytes(raw) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.toml"
        path.write_bytes(raw)
        try:
            Scenario.from_toml(path)
        except FoodshedError as exc:
            assert str(path) in str(exc)


# ---------------------------------------------------------------------------- sweep specs
PARAMS = [
    "budget_usd", "max_distance_m", "yield_factor", "yield_factor.garden",
    "outage_probability.hub", "demand_surge", "demand_surge.low_income",
]  # fmt: skip
names = st.one_of(
    *[st.sampled_from(PARAMS)] * 4,
    st.sampled_from(["equity_weight", "fair_share_band", "wobble", "yield_factor.orchard"]),
)
numbers = st.one_of(st.floats(-1, 3), st.floats(-1, 3), odd_numbers)
axes = st.one_of(
    st.lists(numbers, min_size=1, max_size=3),
    st.lists(numbers, min_size=1, max_size=3),
    st.fixed_dictionaries(
        {"start": st.floats(-5, 5), "stop": st.floats(-5, 5)},
        optional={"num": st.integers(-1, 50), "step": st.floats(-1, 2)},
    ),
    values,
)
bounds = {"min": st.floats(-1, 2), "max": st.floats(-1, 200)}
dists = st.one_of(
    st.fixed_dictionaries(
        {"uniform": st.tuples(st.floats(-1, 3), st.floats(-1, 3)).map(sorted)}, optional=bounds
    ),
    st.fixed_dictionaries(
        {"normal": st.tuples(st.floats(-1, 3), st.floats(0, 2)).map(list)}, optional=bounds
    ),
    st.fixed_dictionaries(
        {"triangular": st.lists(st.floats(-1, 3), min_size=3, max_size=3).map(sorted)},
        optional=bounds,
    ),
    st.fixed_dictionaries({"choice": st.lists(numbers, min_size=1, max_size=3)}, optional=bounds),
    values,
)
usable_bases = st.sampled_from([{}, {"objective": "balanced"}, {"objective": "fair_share"}])
well_formed = st.fixed_dictionaries(
    {"base": usable_bases, "random": st.dictionaries(names, dists, min_size=1, max_size=2)},
    optional={
        "vary": st.dictionaries(names, axes, max_size=2),
        "draw": st.one_of(
            *[st.fixed_dictionaries({"count": st.integers(1, 30), "seed": st.integers(0, 9)})] * 3,
            st.fixed_dictionaries({"count": st.sampled_from([-1, 0, 10**7])}),
        ),
    },
)
garbled = st.dictionaries(
    st.sampled_from(["base", "vary", "random", "draw", "batch_size", "resilience", "junk"]),
    values,
    max_size=4,
)


def _expand_or_refuse(data: dict[str, Any], problem: AllocationProblem) -> list[dict] | None:
    try:
        spec = SweepSpec.from_dict(data, source="fuzz.toml")
        if spec.size > 2000:
            return None
        records = expand(spec, problem)
    except FoodshedError as exc:
        assert str(exc)
        return None
    assert len(records) == spec.size
    return records


@settings(FUZZ, max_examples=100)
@given(data=st.one_of(garbled, well_formed))
def test_sweep_spec_parser_never_crashes(data, problem) -> None:
    _expand_or_refuse(data, problem)


@settings(FUZZ, max_examples=200)
@given(data=well_formed)
def test_sweep_draws_are_values_their_shocks_accept(data, problem) -> None:
    for rec in _expand_or_refuse(data, problem) or []:
        for shock in json.loads(rec["shocks"]):
            _SHOCK.validate_python(shock)
        for key, v in rec.items():
            if key.startswith("p."):
                assert math.isfinite(v)
        params = json.loads(rec["params"])
        assert all(0 <= params[k] <= 1 for k in ("equity_weight", "fair_share_band") if k in params)

"""Campaign: the Python API (``optimize.allocate``) with bad settings raises the project's own
error or returns a plan that adds up."""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import pytest

from tests.campaign.harness import Case, log, make_work

pytestmark = pytest.mark.slow


def _api_region(tmp: Path):
    from equity import Region

    w = make_work(tmp)
    return Region.from_dir(w / "small")


API_CASES = {
    "time-limit-nan": {"time_limit_s": float("nan")},
    "time-limit-neg": {"time_limit_s": -1.0},
    "time-limit-0": {"time_limit_s": 0.0},
    "time-limit-inf": {"time_limit_s": float("inf")},
    "objective-unknown": {"objective": "greed"},
    "period-unknown": {"period": "monsoon"},
    "distance-nan": {"max_distance_m": float("nan")},
    "distance-neg": {"max_distance_m": -1.0},
    "budget-nan": {"budget_usd": float("nan")},
    "budget-neg": {"budget_usd": -5.0},
    "cost-inf": {"cost_per_kg_km": float("inf")},
    "solver-unknown": {"solver": "nope"},
    "param-unknown": {"bogus": 1},
    "band-nan": {"objective": "fair_share", "fair_share_band": float("nan")},
    "weight-neg": {"objective": "balanced", "equity_weight": -1.0},
}


@pytest.mark.parametrize("kw", API_CASES.values(), ids=[f"api-{k}" for k in API_CASES])
def test_api_allocate_refuses_or_plans(kw, tmp_path: Path) -> None:
    """``optimize.allocate`` raises the project's own error or returns a plan that adds up."""
    from equity import FoodshedError
    from optimize import allocate

    region = _api_region(tmp_path)
    reason = ""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            sol = allocate(region, **kw)
    except FoodshedError:
        pass
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"
    else:
        k = sol.kpis
        # NaN is documented for the *_lila KPIs of a plan without LILA areas (docs/optimize.md)
        bad = [
            n
            for n, v in k.items()
            if isinstance(v, float)
            and not math.isfinite(v)
            and not (n.endswith("_lila") and k.get("areas_lila") == 0 and math.isnan(v))
        ]
        if bad:
            reason = f"non-finite KPIs {bad}"
        elif k.get("need_met_kg") is not None and abs(
            float(sol.flows["met_kg"].sum()) - k["need_met_kg"]
        ) > 1e-3 * max(1.0, k["need_kg"]):
            reason = "flows disagree with need_met_kg"
    log(Case(f"api-{next(n for n, v in API_CASES.items() if v is kw)}", "crash", []), reason)
    assert not reason, reason


# -- second wave: the readers of public data (equity.sources) with the files users have.
# Each: reader, file name, file text, keywords, and whether the reader must refuse it.
POP = "STATEFP,COUNTYFP,TRACTCE,POPULATION,LATITUDE,LONGITUDE\n"
ACS = "GEO_ID,NAME,B22010_002E\n"
LIST = "name,latitude,longitude\n"
ATLAS = "CensusTract,State,County,Urban,Pop2010,LILATracts_1And10\n"
POVERTY = "CensusTract,State,Pop2010,PovertyRate\n"
LINE = [[-79.9, 40.4], [-79.8, 40.4]]
SQUARE = [[-79.9, 40.4], [-79.8, 40.4], [-79.8, 40.5], [-79.9, 40.4]]


def _features(kind: str, coordinates: list) -> str:
    """A GeoJSON of one named place with geometry ``kind``."""
    feature = {"type": "Feature", "properties": {"name": "A"}}
    feature["geometry"] = {"type": kind, "coordinates": coordinates}
    return json.dumps({"type": "FeatureCollection", "features": [feature]})


READER_CASES = {
    # an unquoted comma in a name: "TypeError: can only concatenate str (not "int") to str"
    "stores-comma-in-name": ("store", "s.csv", LIST + "Shop, Inc,40.4,-79.9\n", {}, True),
    "stores-comma-later-row": (
        "store",
        "s.csv",
        LIST + "Shop,40.4,-79.9\nMart, LLC,40.4,-79.9\n",
        {},
        True,
    ),
    "stores-trailing-commas": (
        "store",
        "s.csv",
        "name,latitude,longitude\nA,40.4,-79.9,\n",
        {},
        False,
    ),
    "stores-kind-unknown": (
        "store",
        "s.csv",
        LIST + "Shop,40.4,-79.9\n",
        {"kind": "spaceport"},
        True,
    ),
    "sites-kind-unknown": ("site", "s.csv", LIST + "G,40.4,-79.9\n", {"kind": "castle"}, True),
    "stores-empty": ("store", "s.csv", "", {}, True),
    # centres of population: a negative count, latitude 999, a tract twice were kept
    "popcenters-negative": ("pop", "p.csv", POP + "42,003,010100,-5,40.4,-79.9\n", {}, True),
    "popcenters-lat-999": ("pop", "p.csv", POP + "42,003,010100,5,999,-79.9\n", {}, True),
    "popcenters-twice": (
        "pop",
        "p.csv",
        POP + "42,003,010100,5,40.4,-79.9\n42,003,010100,6,40.4,-79.9\n",
        {},
        True,
    ),
    "popcenters-level-county": ("pop", "p.csv", POP, {"level": "county"}, True),
    "popcenters-counties-text": ("pop", "p.csv", POP, {"counties": "abc"}, True),
    # ACS: a negative count was kept; the Census's "not available" code is no count
    "acs-negative": ("acs", "a.csv", ACS + "1400000US42003010100,x,-55\n", {}, True),
    "acs-not-available-code": (
        "acs",
        "a.csv",
        ACS + "1400000US42003010100,x,-666666666\n",
        {},
        False,
    ),
    # the Atlas: an infinite count, a flag of 7 were read as they were
    "atlas-inf": ("atlas", "a.csv", ATLAS + "42003010100,PA,Allegheny,1,inf,0\n", {}, True),
    "atlas-flag-7": ("atlas", "a.csv", ATLAS + "42003010100,PA,Allegheny,1,3000,7\n", {}, True),
    "atlas-ok": ("atlas", "a.csv", ATLAS + "42003010100,PA,Allegheny,1,3000,0\n", {}, False),
    # third wave: a PovertyRate (percent in every edition) of 150 or -3 was read as it was
    "atlas-poverty-150": ("atlas", "a.csv", POVERTY + "42003010100,PA,1,150\n", {}, True),
    "atlas-poverty-negative": ("atlas", "a.csv", POVERTY + "42003010100,PA,1,-3\n", {}, True),
    "atlas-poverty-100": ("atlas", "a.csv", POVERTY + "42003010100,PA,1,100\n", {}, False),
    # a line in a site or store list became a point on it without a word
    "sites-line-geojson": ("site", "s.geojson", _features("LineString", LINE), {}, True),
    "sites-line-wkt": (
        "site",
        "s.csv",
        'name,WKT\nG,"LINESTRING (-79.9 40.4, -79.8 40.4)"\n',
        {},
        True,
    ),
    "stores-line-geojson": ("store", "s.geojson", _features("LineString", LINE), {}, True),
    "stores-multipoint": ("store", "s.geojson", _features("MultiPoint", LINE), {}, True),
    "sites-polygon-geojson": ("site", "s.geojson", _features("Polygon", [SQUARE]), {}, False),
}


def _read(reader: str, path: Path, kw: dict):
    from equity import sources

    if reader == "store":
        return sources.read_store_list(path, **{"kind": "supermarket", **kw})
    if reader == "site":
        return sources.read_site_list(path, **{"kind": "garden", **kw})
    if reader == "pop":
        return sources.read_census_popcenters(path, **kw)
    if reader == "atlas":
        return sources.read_usda_atlas(path, **kw)
    return sources.read_acs_snap(path, **kw)


@pytest.mark.parametrize(
    ("reader", "name", "text", "kw", "refuse"),
    READER_CASES.values(),
    ids=[f"api-read-{k}" for k in READER_CASES],
)
def test_api_readers_refuse_in_words(reader, name, text, kw, refuse, tmp_path: Path) -> None:
    """A reader raises the project's own error (never Python's) for a file it cannot take,
    and reads what it can without negative counts or shifted columns."""
    from equity import FoodshedError

    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    reason = ""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            frame = _read(reader, path, kw)
    except FoodshedError:
        if not refuse:
            reason = "refused a file it can read"
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"
    else:
        if refuse:
            reason = f"read {len(frame)} row(s) it should refuse"
        elif reader == "acs" and not frame["snap_households"].isna().all():
            reason = f"a Census code read as a count: {frame['snap_households'].tolist()}"
        elif reader == "store" and frame["name"].tolist() != ["A"]:
            reason = f"columns shifted: {frame['name'].tolist()}"
    cid = next(k for k, v in READER_CASES.items() if v[2] == text and v[3] == kw)
    log(Case(f"api-read-{cid}", "crash", []), reason)
    assert path.read_text(encoding="utf-8") == text  # the input is never modified
    assert not reason, reason


def test_api_network_weeks_beyond_a_year(tmp_path: Path) -> None:
    """``allocate_network(weeks=10**8)`` ran out of memory; a year is the most."""
    from equity import FoodshedError
    from optimize.network import MAX_WEEKS, allocate_network

    region = _api_region(tmp_path)
    with pytest.raises(FoodshedError, match=f"from 1 to {MAX_WEEKS}"):
        allocate_network(region, weeks=10**8)
    log(Case("api-network-weeks-1e8", "crash", []), "")


#: ``equity.analyze`` options that gave infinite or empty columns, or Python's own errors.
ANALYZE_CASES = {
    "kinds-unknown": ({"supermarket_kinds": ("spaceport",)}, True),  # every distance infinite
    "kinds-one-text": ({"supermarket_kinds": "supermarket"}, False),  # was 11 one-letter kinds
    "method-unknown": ({"population_method": "nope"}, True),  # ValueError
    "radius-negative": ({"radii_mi": (-1.0,)}, True),
    "catchment-negative": ({"catchment_mi": -2.0}, True),  # "bands_m must increase"
    "catchment-inf": ({"catchment_mi": float("inf")}, True),
    "beta-nan": ({"gravity_beta": float("nan")}, True),  # a column of NaN
}


@pytest.mark.parametrize(
    ("kw", "refuse"), ANALYZE_CASES.values(), ids=[f"api-analyze-{k}" for k in ANALYZE_CASES]
)
def test_api_analyze_options(kw, refuse, tmp_path: Path) -> None:
    """``equity.analyze`` refuses an option that would give infinite or empty columns, in one
    ``FoodshedError``; a kind given as text is that kind."""
    import numpy as np

    from equity import FoodshedError, analyze

    region = _api_region(tmp_path)
    reason = ""
    try:
        out = analyze(region, **kw)
    except FoodshedError:
        reason = "" if refuse else "refused a usable option"
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"
    else:
        if refuse:
            reason = "accepted"
        elif not np.isfinite(out["dist_supermarket_m"]).all():
            reason = "infinite distances to supermarkets"
    cid = next(k for k, v in ANALYZE_CASES.items() if v[0] is kw)
    log(Case(f"api-analyze-{cid}", "crash", []), reason)
    assert not reason, reason


#: Shocks naming one site, food or area as text where a tuple is due: "unknown site id
#: ['1', 'h']" (the letters of "h1") before; now that one id.
SHOCK_TEXT = {
    "outage-site-text": ("SiteOutage", {"site_ids": "h1"}),
    "yield-food-text": ("YieldFactor", {"factor": 0.0, "commodities": "kale"}),
    "surge-area-text": ("DemandSurge", {"factor": 2.0, "area_ids": "a0"}),
}


@pytest.mark.parametrize(
    ("cls", "kw"), SHOCK_TEXT.values(), ids=[f"api-shock-{k}" for k in SHOCK_TEXT]
)
def test_api_shock_names_one_id_as_text(cls, kw, tmp_path: Path) -> None:
    """A shock given one id as text plans as with that id in a tuple."""
    import optimize
    from optimize import allocate

    region = _api_region(tmp_path)
    as_text = getattr(optimize, cls)(**kw)
    as_tuple = getattr(optimize, cls)(
        **{k: (v,) if isinstance(v, str) else v for k, v in kw.items()}
    )
    met = [
        allocate(region, objective="coverage", shocks=[s]).kpis["need_met_kg"]
        for s in (as_text, as_tuple)
    ]
    cid = next(k for k, v in SHOCK_TEXT.items() if v[1] is kw)
    reason = "" if met[0] == pytest.approx(met[1]) else f"need met {met[0]} and {met[1]}"
    log(Case(f"api-shock-{cid}", "crash", []), reason)
    assert not reason, reason

"""Public helpers of the test suite: small real regions whose answers can be checked by hand.

Every test file imports what it needs from here (``from tests.helpers import four_area_region``);
pytest's ``--import-mode=importlib`` makes ``tests`` importable from the rootdir, so no test
touches ``sys.path`` or loads a conftest by its path. The builders return real
:class:`equity.Region` objects; plans are made from them with the real
:func:`optimize.allocate`, never faked.

Regions
-------
:func:`line_region`
    Any line of 100 m square areas and point sites (the optimizer's hand-checkable cases).
:func:`grid3`, :func:`grid_stores`
    A 3 x 3 grid of 1 km squares and stores placed on it (the equity measures).
:func:`four_area_region`
    Four areas, three sites, two foods and two stores: the reports' region (see its docstring
    for the plans and numbers a reader can check by hand).
:func:`line4_region`
    The sweep's line of four areas and three sites, one food.
:func:`maxmin_region`
    Three areas needing 6 kg each and 9 kg in all: at best everyone gets half.
:func:`grid_region`
    Nine 0.01-degree squares in WGS84 with stores, sites and two foods (batch runs, CLI).
:func:`town_region`
    A 3 x 3 town of 1 km blocks with two hubs and a garden (the dashboard app).
:func:`public_list_region`
    Two areas, a pantry and a garden, no foods, supply or need (plans on estimates).
:func:`two_areas`
    The areas alone of a two-area line (A with 100 people, B with 200), any distance apart.
:func:`chain_region`
    A garden and a pantry 3 km apart on that line; B is fed only through the pantry (weeks).

Solver
------
:func:`stop_after_first_stage`
    HiGHS as if the time ran out in the second stage (plans stopped early).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point, box

from equity import Region
from optimize import SolveStatus
from optimize._lp import BackendResult
from optimize.backends._highs import HighsBackend

__all__ = [
    "FOUR_AREA_POPULATION",
    "GRID_CRS",
    "GRID_X0",
    "GRID_Y0",
    "LINE_CRS",
    "LINE_X0",
    "LINE_Y0",
    "TOWN_CRS",
    "four_area_region",
    "grid3",
    "grid_region",
    "grid_stores",
    "line4_region",
    "line_region",
    "maxmin_region",
    "public_list_region",
    "two_areas",
    "stop_after_first_stage",
    "town_region",
]

#: UTM 17N (metres): the line regions and the 3 x 3 equity grid.
LINE_CRS = GRID_CRS = "EPSG:32617"
LINE_X0, LINE_Y0 = 500_000.0, 4_000_000.0
GRID_X0, GRID_Y0 = 500_000.0, 4_400_000.0
#: UTM 16N (metres): the dashboard's town.
TOWN_CRS = "EPSG:32616"
TOWN_X0, TOWN_Y0 = 440_000.0, 4_420_000.0


# ---------------------------------------------------------------------- lines of areas
def line_region(
    area_x: Mapping[str, float],
    site_x: Mapping[str, float],
    supply: list[tuple[str, str, float]],
    need: list[tuple[str, str, float]],
    *,
    commodities: tuple[str, ...] = ("veg",),
    substitutes: list[tuple[str, str, float]] | None = None,
    throughput: Mapping[str, float] | None = None,
    kinds: Mapping[str, str] | None = None,
    population: Mapping[str, float] | None = None,
    low_income: Mapping[str, bool] | None = None,
) -> Region:
    """Areas as 100 m squares centred at ``x`` metres along a line (UTM 17N), sites at ``x``.

    ``supply`` rows are ``(site_id, commodity, kg)``, ``need`` rows ``(area_id, commodity,
    kg)``; every commodity is counted in kg. Areas have 100 residents unless ``population``
    says otherwise; sites are gardens unless ``kinds`` says otherwise.
    """
    areas = gpd.GeoDataFrame(
        {
            "area_id": list(area_x),
            "population": [float((population or {}).get(a, 100.0)) for a in area_x],
            "low_income": [bool((low_income or {}).get(a, False)) for a in area_x],
        },
        geometry=[
            box(LINE_X0 + x - 50, LINE_Y0 - 50, LINE_X0 + x + 50, LINE_Y0 + 50)
            for x in area_x.values()
        ],
        crs=LINE_CRS,
    )
    sites = gpd.GeoDataFrame(
        {
            "site_id": list(site_x),
            "kind": [(kinds or {}).get(s, "garden") for s in site_x],
            "name": [f"Site {s}" for s in site_x],
            "throughput_kg": [(throughput or {}).get(s, float("nan")) for s in site_x],
        },
        geometry=[Point(LINE_X0 + x, LINE_Y0) for x in site_x.values()],
        crs=LINE_CRS,
    )
    comm = pd.DataFrame({"commodity": list(commodities), "unit": "kg", "kg_per_unit": 1.0})
    sup = pd.DataFrame(supply, columns=["site_id", "commodity", "quantity"])
    nd = pd.DataFrame(need, columns=["area_id", "commodity", "quantity"])
    subs = pd.DataFrame(substitutes or [], columns=["commodity", "substitute", "acceptability"])
    return Region.from_frames(
        areas, None, sites, comm, sup, nd, subs if len(subs) else None, name="tiny", crs=LINE_CRS
    )


def line4_region() -> Region:
    """Four areas on a line (A 0, B 1000, C 3000, D 5000 m; C and D low income; 7 kg of need
    each) and three sites: gardens G1 at 0 and G2 at 3000 m with 10 kg, hub H at 5000 m with
    8 kg. All 28 kg of need can be met; without the hub only the gardens' 20 kg."""
    return line_region(
        {"A": 0, "B": 1000, "C": 3000, "D": 5000},
        {"G1": 0, "G2": 3000, "H": 5000},
        [("G1", "veg", 10), ("G2", "veg", 10), ("H", "veg", 8)],
        [(a, "veg", 7) for a in "ABCD"],
        kinds={"G1": "garden", "G2": "garden", "H": "hub"},
        low_income={"C": True, "D": True},
    )


def maxmin_region() -> Region:
    """Areas A 0, B 1000, C 3000 m needing 6 kg of veg each; S1 (x=0) has 6 kg, S2 (x=3000)
    3 kg: 18 kg needed, 9 kg to give, so at best everyone gets half."""
    return line_region(
        {"A": 0, "B": 1000, "C": 3000},
        {"S1": 0, "S2": 3000},
        [("S1", "veg", 6), ("S2", "veg", 3)],
        [("A", "veg", 6), ("B", "veg", 6), ("C", "veg", 6)],
    )


#: Residents of the four areas of :func:`four_area_region`.
FOUR_AREA_POPULATION = {"A": 1000.0, "B": 1000.0, "C": 2000.0, "D": 1000.0}


def four_area_region() -> Region:
    """The reports' region: four 1 km square areas on a line, checkable by hand.

    Areas A, B, C, D are centred at x = 0, 1, 3 and 5 km (UTM 17N), all urban, with 1,000,
    1,000, 2,000 and 1,000 residents; C (30% poverty) and D (25%) are low income. The only
    supermarket ("Big <i>Market</i>", a name that must be escaped) stands at A's centre, so C
    (1.9 miles) and D (3.1 miles) are low income and low access at 1 mile: food deserts by
    ``LILATracts_1And10``, 3,000 of the 5,000 residents. A convenience store stands at D.

    Every area needs 7 kg of vegetables and 2 bags of rice (2 kg a bag: 4 kg), 11 kg in all;
    44 kg for the region. Gardens "Elm garden" (G1, at A) and "Oak garden" (G2, at C) grow
    10 kg of vegetables each; the "Eastside hub" (H, at D) holds 8 kg of vegetables and 8 bags
    (16 kg) of rice. Every site reaches every area (the farthest pair is 5 km apart).

    So with every site open, all 44 kg can be met (every area 100%); with the hub out of
    service only the gardens' 20 kg of vegetables are left: 8 kg of vegetables and all 16 kg
    of rice go unmet, and the fairest plan gives each area 5 of its 11 kg (5/11 = 45.5%).
    """
    xs = {"A": 0.0, "B": 1000.0, "C": 3000.0, "D": 5000.0}
    areas = gpd.GeoDataFrame(
        {
            "area_id": list(xs),
            "name": ["Ash", "Birch", "Cedar", "Dogwood"],
            "population": list(FOUR_AREA_POPULATION.values()),
            "households": [400.0, 400.0, 800.0, 400.0],
            "households_no_vehicle": [20.0, 20.0, 120.0, 80.0],
            "poverty_rate": [0.05, 0.10, 0.30, 0.25],
            "urban": [True] * 4,
        },
        geometry=[
            box(LINE_X0 + x - 500, LINE_Y0 - 500, LINE_X0 + x + 500, LINE_Y0 + 500)
            for x in xs.values()
        ],
        crs=LINE_CRS,
    )
    stores = gpd.GeoDataFrame(
        {
            "store_id": ["S1", "S2"],
            "kind": ["supermarket", "convenience"],
            "name": ["Big <i>Market</i>", "Corner Shop"],
        },
        geometry=[Point(LINE_X0, LINE_Y0), Point(LINE_X0 + 5000, LINE_Y0 + 100)],
        crs=LINE_CRS,
    )
    sites = gpd.GeoDataFrame(
        {
            "site_id": ["G1", "G2", "H"],
            "kind": ["garden", "garden", "hub"],
            "name": ["Elm garden", "Oak garden", "Eastside hub"],
            "throughput_kg": [float("nan"), float("nan"), 1000.0],
        },
        geometry=[
            Point(LINE_X0, LINE_Y0 + 200),
            Point(LINE_X0 + 3000, LINE_Y0 + 200),
            Point(LINE_X0 + 5000, LINE_Y0 + 200),
        ],
        crs=LINE_CRS,
    )
    commodities = pd.DataFrame(
        {
            "commodity": ["veg", "rice"],
            "unit": ["kg", "bag"],
            "kg_per_unit": [1.0, 2.0],
            "name": ["Vegetables", "Rice"],
        }
    )
    supply = pd.DataFrame(
        {
            "site_id": ["G1", "G2", "H", "H"],
            "commodity": ["veg", "veg", "veg", "rice"],
            "quantity": [10.0, 10.0, 8.0, 8.0],
        }
    )
    need = pd.DataFrame(
        {
            "area_id": [a for a in xs for _ in range(2)],
            "commodity": ["veg", "rice"] * 4,
            "quantity": [7.0, 2.0] * 4,
        }
    )
    return Region.from_frames(
        areas,
        stores,
        sites,
        commodities,
        supply,
        need,
        name="Four Corners",
        crs=LINE_CRS,
        provenance={"source": "tests/helpers.py four_area_region"},
    )


# ---------------------------------------------------------------------- grids
def grid3(population: float = 1000.0, **cols: object) -> gpd.GeoDataFrame:
    """A 3 x 3 grid of 1 km squares (UTM 17N), ids ``r{row}c{col}``, row 0 at the bottom."""
    ids, geoms = [], []
    for r in range(3):
        for c in range(3):
            ids.append(f"r{r}c{c}")
            geoms.append(
                box(
                    GRID_X0 + 1000 * c,
                    GRID_Y0 + 1000 * r,
                    GRID_X0 + 1000 * (c + 1),
                    GRID_Y0 + 1000 * (r + 1),
                )
            )
    data = {"area_id": ids, "population": [population] * 9, **cols}
    return gpd.GeoDataFrame(data, geometry=geoms, crs=GRID_CRS)


def grid_stores(*xy_kind: tuple[float, float, str]) -> gpd.GeoDataFrame:
    """Stores ``s0, s1, ...`` at ``(x, y, kind)``: metres from the corner of :func:`grid3`."""
    return gpd.GeoDataFrame(
        {
            "store_id": [f"s{i}" for i in range(len(xy_kind))],
            "kind": [k for _, _, k in xy_kind],
        },
        geometry=[Point(GRID_X0 + x, GRID_Y0 + y) for x, y, _ in xy_kind],
        crs=GRID_CRS,
    )


def grid_region() -> Region:
    """Nine 0.01-degree squares (WGS84); 100 residents each except area a4 (900).

    Two stores (a supermarket with an HTML-like name, a convenience store), a hub h1 (50 bags of
    rice, 30 kg of tomatoes) and a garden g1 (10 kg of tomatoes); every area needs 10 kg of
    tomatoes and 5 bags (2 kg each) of rice.
    """
    cells, ids, pops = [], [], []
    for i in range(3):
        for j in range(3):
            cells.append(
                box(-80 + 0.01 * j, 40 + 0.01 * i, -80 + 0.01 * (j + 1), 40 + 0.01 * (i + 1))
            )
            ids.append(f"a{3 * i + j}")
            pops.append(900 if 3 * i + j == 4 else 100)
    areas = gpd.GeoDataFrame(
        {
            "area_id": ids,
            "population": pops,
            "name": [f"Ward {k}" for k in range(9)],
            "poverty_rate": [0.3, 0.1, 0.1, 0.25, 0.05, 0.1, 0.1, 0.1, 0.1],
            "urban": [True] * 9,
        },
        geometry=cells,
        crs=4326,
    )
    stores = gpd.GeoDataFrame(
        {
            "store_id": ["s1", "s2"],
            "kind": ["supermarket", "convenience"],
            "name": ["Big <i>Market</i>", "Corner Shop"],
        },
        geometry=[Point(-79.975, 40.025), Point(-79.995, 40.005)],
        crs=4326,
    )
    sites = gpd.GeoDataFrame(
        {
            "site_id": ["h1", "g1"],
            "kind": ["hub", "garden"],
            "name": ["Eastside Hub", "Elm Garden"],
            "throughput_kg": [1000.0, 100.0],
        },
        geometry=[Point(-79.975, 40.015), Point(-79.995, 40.025)],
        crs=4326,
    )
    commodities = pd.DataFrame(
        {
            "commodity": ["tomato", "rice"],
            "unit": ["kg", "bag"],
            "kg_per_unit": [1.0, 2.0],
            "name": ["Tomatoes", "Rice"],
        }
    )
    supply = pd.DataFrame(
        {
            "site_id": ["h1", "h1", "g1"],
            "commodity": ["rice", "tomato", "tomato"],
            "quantity": [50.0, 30.0, 10.0],
        }
    )
    need = pd.DataFrame(
        {
            "area_id": [a for a in ids for _ in range(2)],
            "commodity": ["tomato", "rice"] * 9,
            "quantity": [10.0, 5.0] * 9,
        }
    )
    return Region.from_frames(
        areas,
        stores,
        sites,
        commodities,
        supply,
        need,
        name="Grid City",
        provenance={"source": "test grid"},
    )


def town_region() -> Region:
    """A 3 x 3 town of 1 km square blocks, one supermarket, two hubs and a garden (UTM 16N).

    Block ``a{r}{c}`` is row r, column c; the supermarket sits in the centre of ``a00``; hub
    ``H1`` is in ``a00``, hub ``H2`` in ``a22``, garden ``G1`` in ``a11``. Each block has 1,000
    residents (poverty 30% in row 2) and needs 100 kg of each of two foods; hubs hold 300 kg of
    each food, the garden 150 kg of greens.
    """
    cells, rows = [], []
    for r in range(3):
        for c in range(3):
            x, y = TOWN_X0 + c * 1000, TOWN_Y0 + r * 1000
            cells.append(box(x, y, x + 1000, y + 1000))
            rows.append(
                {
                    "area_id": f"a{r}{c}",
                    "name": f"Block {r}{c}",
                    "population": 1000.0,
                    "households": 400.0,
                    "households_no_vehicle": 40.0 * (r + 1),
                    "poverty_rate": 0.3 if r == 2 else 0.1,
                    "urban": True,
                }
            )
    areas = gpd.GeoDataFrame(rows, geometry=cells, crs=TOWN_CRS)
    stores = gpd.GeoDataFrame(
        {"store_id": ["S1", "S2"], "kind": ["supermarket", "convenience"], "name": ["Big", "Mini"]},
        geometry=[Point(TOWN_X0 + 500, TOWN_Y0 + 500), Point(TOWN_X0 + 2500, TOWN_Y0 + 2500)],
        crs=TOWN_CRS,
    )
    sites = gpd.GeoDataFrame(
        {
            "site_id": ["H1", "H2", "G1"],
            "kind": ["hub", "hub", "garden"],
            "name": ["Westside hub", "Eastside hub", "Centre garden"],
            "throughput_kg": [1000.0, 1000.0, 500.0],
        },
        geometry=[
            Point(TOWN_X0 + 400, TOWN_Y0 + 400),
            Point(TOWN_X0 + 2600, TOWN_Y0 + 2600),
            Point(TOWN_X0 + 1500, TOWN_Y0 + 1500),
        ],
        crs=TOWN_CRS,
    )
    commodities = pd.DataFrame(
        {
            "commodity": ["greens", "rice"],
            "unit": ["kg", "kg"],
            "kg_per_unit": [1.0, 1.0],
            "group": ["produce", "grains"],
        }
    )
    supply = pd.DataFrame(
        {
            "site_id": ["H1", "H1", "H2", "H2", "G1"],
            "commodity": ["greens", "rice", "greens", "rice", "greens"],
            "quantity": [300.0, 300.0, 300.0, 300.0, 150.0],
        }
    )
    need = pd.DataFrame(
        [
            {"area_id": f"a{r}{c}", "commodity": k, "quantity": 100.0}
            for r in range(3)
            for c in range(3)
            for k in ("greens", "rice")
        ]
    )
    return Region.from_frames(
        areas, stores, sites, commodities, supply, need, name="Tiny town", crs=TOWN_CRS
    )


def public_list_region(*, with_sites: bool = True, low_income: bool = False) -> Region:
    """Two areas 1 km apart (100 and 300 people), a pantry and a garden beside the first:
    what a county from public lists looks like (no commodities, supply or need). With
    ``low_income``, a ``low_income`` column flags A (a sweep's resilience flag)."""
    cols = {"low_income": [True, False]} if low_income else {}
    areas = gpd.GeoDataFrame(
        {"area_id": ["A", "B"], "population": [100.0, 300.0], **cols},
        geometry=[
            box(LINE_X0 + x - 50, LINE_Y0 - 50, LINE_X0 + x + 50, LINE_Y0 + 50) for x in (0, 1000)
        ],
        crs=LINE_CRS,
    )
    sites = gpd.GeoDataFrame(
        {"site_id": ["P", "G"], "kind": ["pantry", "garden"], "name": ["Pantry", "Garden"]},
        geometry=[Point(LINE_X0, LINE_Y0), Point(LINE_X0 + 10, LINE_Y0)],
        crs=LINE_CRS,
    )
    return Region.from_frames(
        areas, sites=sites if with_sites else None, name="county", crs=LINE_CRS
    )


def stop_after_first_stage(monkeypatch: Any) -> None:
    """HiGHS as if the time ran out in the second stage before it had a primal: the first
    stage's optimum is handed back as ``fallback_x`` (what the backend does then)."""
    real = HighsBackend.solve

    def solve_first_stage_only(self, lp, stages, *, time_limit_s=None, options=None):
        opts = {k: v for k, v in (options or {}).items() if k != "warm_start"}
        res = real(self, lp, stages[:1], time_limit_s=time_limit_s, options=opts)
        assert res.status is SolveStatus.OPTIMAL
        return BackendResult(
            status=SolveStatus.NO_SOLUTION,
            x=None,
            objective=None,
            solver=res.solver,
            message="Time limit reached",
            times_s=res.times_s,
            stage_objectives=res.stage_objectives,
            stage_duals=res.stage_duals,
            fallback_x=res.x,
        )

    monkeypatch.setattr(HighsBackend, "solve", solve_first_stage_only)


def two_areas(gap_m: float) -> gpd.GeoDataFrame:
    """Areas A (100 people) and B (200 people), 100 m squares centred ``gap_m`` apart on a
    line from (:data:`LINE_X0`, :data:`LINE_Y0`), in :data:`LINE_CRS`."""
    x0, y0 = LINE_X0, LINE_Y0
    return gpd.GeoDataFrame(
        {"area_id": ["A", "B"], "population": [100.0, 200.0]},
        geometry=[
            box(x0 - 50, y0 - 50, x0 + 50, y0 + 50),
            box(x0 + gap_m - 50, y0 - 50, x0 + gap_m + 50, y0 + 50),
        ],
        crs=LINE_CRS,
    )


def chain_region() -> Region:
    """A garden G beside area A and a pantry P beside area B, 3 km apart (:func:`two_areas`).

    G supplies 10 kg of greens a week (keeping 4 days); A needs 2 kg and B 3 kg a week. With
    deliveries within 2 km only G reaches A: 2 of 5 kg met (40%) and 8 kg spoil each week. With
    moves between sites of 3 km or more, G sends 3 kg to P for B: all 5 kg met, 5 kg spoil.
    B is low income (``low_income``).
    """
    x0, y0 = LINE_X0, LINE_Y0
    sites = gpd.GeoDataFrame(
        {"site_id": ["G", "P"], "kind": ["garden", "pantry"], "name": ["Hill Garden", "Pantry"]},
        geometry=[Point(x0, y0), Point(x0 + 3000, y0)],
        crs=LINE_CRS,
    )
    comm = pd.DataFrame(
        {"commodity": ["greens"], "unit": ["kg"], "kg_per_unit": [1.0], "shelf_life_days": [4.0]}
    )
    supply = pd.DataFrame({"site_id": ["G"], "commodity": ["greens"], "quantity": [10.0]})
    need = pd.DataFrame(
        {"area_id": ["A", "B"], "commodity": ["greens"] * 2, "quantity": [2.0, 3.0]}
    )
    areas = two_areas(3000).assign(low_income=[False, True])
    return Region.from_frames(areas, None, sites, comm, supply, need, name="chain")

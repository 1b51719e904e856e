"""Every call the dashboard makes into ``equity`` and ``optimize``: the one door.

The app's callbacks, the reports, the batch runner and the ``foodshed`` command call the
functions here, never the analytics or the optimizer directly: load a region ("demo" or a
folder), analyse it, solve and describe a plan, compare plans, find scenarios. The app's values
are plain and JSON-ready (runs are dicts that live in each browser session's ``dcc.Store``).

This module holds the regions and their analysis; the door has two more rooms, whose names it
re-exports (import them from here): :mod:`dashboard.plans` (the Plan page's settings, solving
them, a solved plan as plain data) and :mod:`dashboard.scenarios` (scenario files, the Plan
page's menu and controls for them, scenarios solved for the reports and the command).

Any dashboard module may still import, from ``equity`` and ``optimize``, their catalogues
(``equity.catalogue``, ``optimize.catalogue``: labels, units, palettes' classes), constants,
and error and warning types (``FoodshedError`` and its kin) -- names, not computations.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

from equity import FoodshedError, Region

from .plans import (
    INEQUALITY_KPIS,
    OBJECTIVES,
    PlanParams,
    allocate,
    allocate_plan,
    binding_text,
    compare_fulfilment,
    delivers_nothing,
    efficiency_equity,
    estimated_of,
    jsonable,
    kpis_of,
    manifest_of,
    objective_of,
    params_from_dict,
    plan_digest,
    plan_warning,
    planned_region,
    report_html,
    run_plan,
    solution_record,
    solve_plan,
    status_of,
)
from .scenarios import (
    bundled_scenarios_dir,
    list_scenarios,
    load_scenario,
    plan_rolling,
    region_of,
    scenario_controls,
    scenario_description,
    scenario_files,
    scenario_name,
    scenario_title,
    solve,
)

__all__ = [
    "AREA_FORMATS",
    "INEQUALITY_KPIS",
    "OBJECTIVES",
    "PlanParams",
    "allocate",
    "allocate_plan",
    "analyze",
    "binding_text",
    "bundled_scenarios_dir",
    "compare_fulfilment",
    "delivers_nothing",
    "efficiency_equity",
    "estimated_of",
    "headline",
    "inequality_of",
    "jsonable",
    "kpis_of",
    "list_scenarios",
    "load_region",
    "load_scenario",
    "manifest_of",
    "objective_of",
    "params_from_dict",
    "plan_digest",
    "plan_rolling",
    "plan_warning",
    "planned_region",
    "region_of",
    "report_html",
    "run_plan",
    "scenario_controls",
    "scenario_description",
    "scenario_files",
    "scenario_name",
    "scenario_title",
    "solution_record",
    "solve",
    "solve_plan",
    "status_of",
    "summarize_areas",
    "validate_region",
    "write_areas",
]


# ---------------------------------------------------------------------- regions
def load_region(source: str | os.PathLike[str], *, confine_to: Path | None = None) -> Region:
    """The region ``source`` names: ``"demo"`` for the bundled demo, else a region folder
    (read with :meth:`equity.Region.from_dir`, confined to ``confine_to`` when given)."""
    if str(source) == "demo":
        return Region.demo()
    return Region.from_dir(source, confine_to=confine_to)


def validate_region(source: str | os.PathLike[str], *, confine_to: Path | None = None) -> Any:
    """Check a region folder (``"demo"``: the bundled demo) without loading it for analysis:
    :func:`equity.validate_dir`'s report (``ok``, ``problems``, ``warnings``, ``region``)."""
    from equity import validate_dir
    from equity.region import demo_dir

    folder = demo_dir() if str(source) == "demo" else Path(source)
    return validate_dir(folder, confine_to=confine_to)


# ---------------------------------------------------------------------- analytics
def analyze(region: Region) -> Any:
    """Equity measures per area (``equity.analyze``), with ``area_id`` as text."""
    from equity import analyze as _analyze

    out = _analyze(region).copy()
    out["area_id"] = out["area_id"].astype(str)
    return out


def summarize_areas(areas: pd.DataFrame, *, by: str | None = None) -> pd.DataFrame:
    """People and areas flagged by each measure (``equity.summarize``), per ``by`` group too."""
    from equity import summarize

    return summarize(areas, by=by) if by else summarize(areas)


def inequality_of(areas: pd.DataFrame) -> pd.DataFrame:
    """Inequality of access across areas (``equity.inequality_summary``)."""
    from equity import inequality_summary

    return inequality_summary(areas)


#: The formats :func:`write_areas` writes, by suffix.
AREA_FORMATS = (".gpkg", ".geojson", ".csv", ".parquet")


def write_areas(
    areas: Any, path: Path, *, fmt: str | None = None, region: Region | None = None
) -> Path:
    """Write analysed areas to ``path`` in the format of ``fmt`` (default: its suffix).

    The one writer of analysed areas (``foodshed analyze`` and the reports' data folder).
    ``areas`` is :func:`analyze`'s frame; without geometry, ``region``'s area outlines are
    joined by ``area_id``. ``.gpkg`` (layer ``areas``) and ``.parquet`` keep the region's CRS,
    ``.geojson`` is WGS84, ``.csv`` has no geometry but each area's ``lon``/``lat`` (a point
    inside it, WGS84). Column names that differ only in case get ``_2`` (GeoPackage and
    GeoJSON readers ignore case); nullable booleans are written as 0/1.
    """
    import geopandas as gpd

    from equity._csv import write_csv

    suffix = (fmt or Path(path).suffix).lower()
    if suffix not in AREA_FORMATS:
        msg = f"{path}: unknown format {suffix!r} for areas; use one of {list(AREA_FORMATS)}"
        raise FoodshedError(msg)
    plain = pd.DataFrame(areas).copy() if not isinstance(areas, gpd.GeoDataFrame) else areas.copy()
    if not isinstance(plain, gpd.GeoDataFrame) or plain.geometry.name not in plain.columns:
        if region is None:
            msg = "the analysed areas have no geometry; pass the region they belong to"
            raise FoodshedError(msg)
        geo = region.areas[["area_id", region.areas.geometry.name]].copy()
        geo["area_id"] = geo["area_id"].astype(str)
        table = plain.drop(columns="geometry", errors="ignore")
        table = table.assign(area_id=table["area_id"].astype(str))
        table = table[[c for c in table.columns if c == "area_id" or c not in geo.columns]]
        plain = gpd.GeoDataFrame(geo.merge(table, on="area_id", how="left"), crs=region.areas.crs)
    seen: set[str] = set()
    for c in list(plain.columns):
        if c.lower() in seen:
            plain = plain.rename(columns={c: f"{c}_2"})
        seen.add(c.lower())
    for c in plain.columns:  # nullable booleans do not survive every driver
        if str(plain[c].dtype) == "boolean":
            plain[c] = plain[c].astype("Int8")
    if suffix == ".gpkg":
        plain.to_file(path, driver="GPKG", layer="areas")
    elif suffix == ".geojson":
        plain.to_crs(4326).to_file(path, driver="GeoJSON")
    elif suffix == ".parquet":
        plain.to_parquet(path)
    else:
        disp = plain.to_crs(4326)
        flat = pd.DataFrame(disp.drop(columns=disp.geometry.name))
        rep = disp.geometry.representative_point()
        flat["lon"], flat["lat"] = rep.x.round(6), rep.y.round(6)
        write_csv(flat, path)
    return Path(path)


_HEADLINE_ORDER = (
    "LILATracts_1And10",
    "LILATracts_halfAnd10",
    "LILATracts_Vehicle",
    "LILATracts_1And20",
    "LA1and10",
    "LAhalfand10",
    "LA1and20",
)


def _people_phrase(label: str) -> str:
    """ "in food deserts: ..." from a flag's catalogue label, for "N people <phrase>"."""
    for head, phrase in (("Food desert", "in food deserts"), ("Low access", "with low access")):
        if label.startswith(head):
            return phrase + label[len(head) :]
    return "in areas flagged: " + label[:1].lower() + label[1:]


def headline(areas: pd.DataFrame) -> list[dict[str, Any]]:
    """Headline numbers: people in food deserts by each LILA/low-access flag.

    Each item: ``{column, label, people, share, low_income_people, low_income_label}``. Low-income
    people are the analysis' own count when it has one (``*_lowi`` / ``lalowi*``), else the
    people below the poverty line (``population * poverty_rate``) in the flagged areas.
    """
    from .figures import measure_info

    pop = pd.to_numeric(areas["population"], errors="coerce").fillna(0)
    total = float(pop.sum()) or 1.0
    flags = [c for c in areas.columns if c.startswith(("LILATracts", "LA1and", "LAhalfand"))]
    order = {c: i for i, c in enumerate(_HEADLINE_ORDER)}
    flags.sort(key=lambda c: (order.get(c, 99), c))
    out = []
    for col in flags:
        f = pd.to_numeric(areas[col], errors="coerce").fillna(0).astype(bool)  # NaN: no flag
        people = float(pop[f].sum())
        if "poverty_rate" in areas.columns:
            lowi = float((pop * areas["poverty_rate"].fillna(0))[f].sum())
            lowi_label = "of them below the poverty line"
        else:
            lowi, lowi_label = float("nan"), "low-income count not available"
        out.append(
            {
                "column": col,
                "label": measure_info(col).label,
                "short": _people_phrase(measure_info(col).label),
                "people": people,
                "share": people / total,
                "low_income_people": lowi,
                "low_income_label": lowi_label,
            }
        )
    return out

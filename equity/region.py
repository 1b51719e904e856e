"""The :class:`Region`: every contract table of one place, validated together."""

from __future__ import annotations

import difflib
import json
import os
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from ._atomic import atomic_dir
from ._csv import write_csv
from ._errors import NO_STORES, NO_SUPPLY, ConfigError, DataSourceError, Problem, ValidationError
from ._manifest import inside, read_manifest
from ._sources_common import crosses_zone, utm_crs
from .contracts import TABLES
from .io import SUFFIXES, read_table
from .validate import check_coordinates, check_references, check_table

__all__ = ["Region", "ValidationReport", "demo_dir", "metric_crs", "validate_dir"]

WGS84 = CRS.from_epsg(4326)
_T = TypeVar("_T")
_PREFERRED = (
    ".gpkg",
    ".geojson",
    ".parquet",
    ".geoparquet",
    ".shp",
    ".zip",
    ".json",
    ".fgb",
    ".csv",
    ".tsv",
)


#: ``region.provenance`` key of a region whose area polygons were drawn from points
#: (:func:`equity.sources.tracts_from_points`): :func:`equity.analyze` then places people at
#: the points by default, and says so.
APPROXIMATE_AREAS = "approximate_areas"


def metric_crs(gdf: gpd.GeoDataFrame) -> CRS:
    """The local UTM zone of ``gdf`` (its CRS must be set): of its bounds' centre, or, when
    its bounds cross a zone line, of its population-weighted median point."""
    if gdf.crs is None:
        msg = "cannot choose a metric CRS for data without a CRS; set one with .set_crs(...)"
        raise ValidationError([Problem("areas", msg)])
    x0, y0, x1, y1 = gdf.to_crs(WGS84).total_bounds
    sane = -180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90
    if sane and crosses_zone(x0, x1):  # the zone of the people, not of the bounds' centre
        return CRS.from_user_input(utm_crs(gdf))
    try:
        crs = gdf.estimate_utm_crs()
    except RuntimeError as exc:  # geopandas: "Unable to determine UTM CRS"
        lo = gdf.to_crs(WGS84).total_bounds
        msg = (
            f"cannot choose a UTM zone for areas spanning longitude {lo[0]:g} to {lo[2]:g}, "
            f"latitude {lo[1]:g} to {lo[3]:g}; check the coordinates, or give a projected "
            'crs (region.toml crs = "EPSG:...")'
        )
        raise ValidationError([Problem("areas", msg)]) from exc
    return CRS.from_user_input(crs)


def demo_dir() -> Path:
    """Folder of the bundled demo region (inside the installed package, or the source tree)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_demo", here.parent / "data" / "demo"):
        if (candidate / "region.toml").exists():
            return candidate
    msg = (
        "the bundled demo region is missing; reinstall foodshed, or run "
        "`python data/make_demo.py` in a source checkout"
    )
    raise DataSourceError(msg)


def _empty(name: str) -> pd.DataFrame:
    spec = TABLES[name]
    cols = {
        c.name: pd.Series(dtype=float if c.kind == "number" else object)
        for c in spec.columns
        if c.required
    }
    df = pd.DataFrame(cols)
    if spec.geometry:
        return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)
    return df


@dataclass(frozen=True)
class ValidationReport:
    """What validation found: every problem, and the region when there was no error."""

    problems: tuple[Problem, ...]
    region: Region | None = None

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if not p.is_error)

    @property
    def ok(self) -> bool:
        return not self.errors

    def raise_for_errors(self) -> Region:
        if not self.ok or self.region is None:
            raise ValidationError(self.problems)
        return self.region


def summary_repr(obj: Any, template: str) -> str:
    """``Kind('name': ...)``: the one-line repr of ``obj`` (a region or a problem) with the
    counts and totals of its ``summary()`` written into ``template`` (``str.format`` keys)."""
    return f"{type(obj).__name__}({obj.name!r}: {template.format(**obj.summary())})"


@dataclass(frozen=True, eq=False)
class Region:
    """Every contract table of one place, validated together.

    Build one with :meth:`from_dir`, :meth:`from_files`, :meth:`from_frames` or :meth:`demo`,
    never by hand: the constructors check the contracts and bring every geometry into one metric
    CRS (:attr:`crs`, the local UTM zone unless given). :meth:`to_display` gives WGS84 copies.
    Tables are never changed in place; methods that "change" a region return a new one.

    Attributes
    ----------
    areas, stores, sites, population_points : GeoDataFrame
        In :attr:`crs`, with contract columns (and any extra columns the input had).
        ``population_points`` (optional, may be empty) holds population below the area level.
    commodities, supply, need, substitutes : DataFrame
    name : str
    crs : pyproj.CRS
        The metric CRS that geometry is held in.
    problems : tuple of Problem
        Warnings met while building (errors raise :class:`~equity.ValidationError`).
    sources : dict
        Table name to the file it came from.
    provenance : dict
        Free-form notes on where the data came from and how it was derived.
    """

    areas: gpd.GeoDataFrame
    stores: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    commodities: pd.DataFrame
    supply: pd.DataFrame
    need: pd.DataFrame
    substitutes: pd.DataFrame
    population_points: gpd.GeoDataFrame
    name: str = "region"
    crs: CRS = field(default=WGS84)
    problems: tuple[Problem, ...] = ()
    sources: dict[str, str] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_frames(
        cls,
        areas: pd.DataFrame,
        stores: pd.DataFrame | None = None,
        sites: pd.DataFrame | None = None,
        commodities: pd.DataFrame | None = None,
        supply: pd.DataFrame | None = None,
        need: pd.DataFrame | None = None,
        substitutes: pd.DataFrame | None = None,
        population_points: pd.DataFrame | None = None,
        *,
        name: str = "region",
        crs: Any = None,
        columns: dict[str, dict[str, str]] | None = None,
        provenance: dict[str, Any] | None = None,
    ) -> Region:
        """Validate tables already in memory and bundle them.

        ``columns`` maps a table name to renames ``{name in frame: contract name}``. ``crs`` is
        the metric CRS to compute in (the local UTM zone when omitted). Raises
        :class:`~equity.ValidationError` listing every problem when any is an error.
        """
        given = _given(
            areas, stores, sites, commodities, supply, need, substitutes, population_points
        )
        report = _build(given, name=name, crs=crs, columns=columns, provenance=provenance)
        return report.raise_for_errors()

    @classmethod
    def from_files(
        cls,
        areas: str | os.PathLike[str],
        stores: str | os.PathLike[str] | None = None,
        sites: str | os.PathLike[str] | None = None,
        commodities: str | os.PathLike[str] | None = None,
        supply: str | os.PathLike[str] | None = None,
        need: str | os.PathLike[str] | None = None,
        substitutes: str | os.PathLike[str] | None = None,
        population_points: str | os.PathLike[str] | None = None,
        *,
        name: str | None = None,
        crs: Any = None,
        columns: dict[str, dict[str, str]] | None = None,
        read_options: dict[str, dict[str, Any]] | None = None,
    ) -> Region:
        """Read each table from a file (any format of :func:`equity.io.read_table`) and validate.

        ``read_options`` maps a table name to keyword arguments of
        :func:`~equity.io.read_table` (``layer``, ``crs``, ``lon_col``, ``lat_col``).
        """
        paths: dict[str, str | os.PathLike[str]] = _given(
            areas, stores, sites, commodities, supply, need, substitutes, population_points
        )
        report = _read_and_build(
            {k: Path(v) for k, v in paths.items()},
            name=name or Path(areas).stem,
            crs=crs,
            columns=columns or {},
            read_options=read_options or {},
        )
        return report.raise_for_errors()

    @classmethod
    def from_dir(
        cls,
        path: str | os.PathLike[str],
        *,
        crs: Any = None,
        confine_to: str | os.PathLike[str] | None = None,
    ) -> Region:
        """Read a region folder: one file per table (``areas.geojson``, ``stores.csv``, ...).

        An optional ``region.toml`` names the region and, per table, the ``file``, column
        renames (``[areas.columns] GEOID10 = "area_id"``) and read options (``crs``,
        ``lon_col``, ``lat_col``, ``layer``). ``confine_to`` (for uploads) refuses to read
        anything outside that folder (see :func:`validate_dir`). Raises
        :class:`~equity.ValidationError` listing every problem when any is an error.
        """
        return validate_dir(path, crs=crs, confine_to=confine_to).raise_for_errors()

    @classmethod
    def demo(cls) -> Region:
        """The bundled demo region, a fictional mid-sized city (see ``data/README.md``)."""
        return cls.from_dir(demo_dir())

    # ------------------------------------------------------------------ output
    def to_dir(self, path: str | os.PathLike[str]) -> Path:
        """Write the region as a folder that :meth:`from_dir` reads back, atomically.

        Areas go to GeoJSON (WGS84), stores and sites to CSV with ``lon``/``lat``, the other
        tables to CSV, and ``region.toml`` records the name, CRS and provenance. An existing
        folder is replaced whole.
        """
        with atomic_dir(path) as tmp:
            disp = self.to_display()
            disp["areas"].to_file(tmp / "areas.geojson", driver="GeoJSON")
            for name in ("stores", "sites", "population_points"):
                g = disp[name]
                out = pd.DataFrame(g.drop(columns=g.geometry.name))
                out["lon"] = np.round(g.geometry.x, 6) if len(g) else []
                out["lat"] = np.round(g.geometry.y, 6) if len(g) else []
                write_csv(out, tmp / f"{name}.csv")  # formula-like text defused, read back as is
            for name in ("commodities", "supply", "need", "substitutes"):
                write_csv(getattr(self, name), tmp / f"{name}.csv")
            (tmp / "region.toml").write_text(self._toml(), encoding="utf-8")
        return Path(path)

    def _toml(self) -> str:
        lines = [f"name = {json.dumps(self.name)}", f"crs = {json.dumps(self.crs.to_string())}"]
        prov = {k: v for k, v in self.provenance.items() if isinstance(v, str | int | float)}
        if prov:
            lines.append("\n[provenance]")
            lines += [f"{json.dumps(k)} = {json.dumps(v)}" for k, v in prov.items()]
        return "\n".join(lines) + "\n"

    def to_display(self) -> dict[str, gpd.GeoDataFrame]:
        """WGS84 copies of ``areas``, ``stores`` and ``sites``, for maps and GeoJSON."""
        return {
            n: getattr(self, n).to_crs(WGS84)
            for n in ("areas", "stores", "sites", "population_points")
        }

    # ------------------------------------------------------------------ views
    @property
    def periods(self) -> list[str]:
        """Period labels of seasonal supply/need (empty when quantities are for one period)."""
        labels: list[str] = []
        for df in (self.supply, self.need):
            if "period" in df.columns:
                labels += [p for p in df["period"].dropna().unique() if p not in labels]
        return labels

    @property
    def commodity_names(self) -> dict[str, str]:
        """``{commodity id: name}`` from the commodities table (``bok_choy`` -> ``Bok choy``),
        the one place every page, table and report turns a food's id into words. A commodity
        without a name reads as its id with spaces for underscores."""
        comm = self.commodities
        if "commodity" not in comm.columns:
            return {}
        ids = comm["commodity"].astype(str)
        names = comm["name"] if "name" in comm.columns else pd.Series(None, index=comm.index)
        return {
            i: (str(n).strip() if isinstance(n, str) and n.strip() else i.replace("_", " "))
            for i, n in zip(ids, names, strict=True)
        }

    def commodity_name(self, commodity: Any) -> str:
        """One food's name (see :attr:`commodity_names`); an unknown id comes back as it is."""
        return self.commodity_names.get(str(commodity), str(commodity))

    @property
    def default_period(self) -> str | None:
        """The period analyses use when none is named: ``default_period`` in ``region.toml``'s
        ``[provenance]``, else the first period, else ``None`` (no periods)."""
        chosen = self.provenance.get("default_period")
        if chosen in self.periods:
            return str(chosen)
        return self.periods[0] if self.periods else None

    def select_period(self, period: str) -> Region:
        """The region with supply and need of one period (rows without a period apply to all)."""
        if period not in self.periods:
            known = ", ".join(map(str, self.periods)) or "none (its supply and need have no period)"
            msg = f"period {period!r} is not in this region; known periods: {known}"
            raise ConfigError(msg)
        out = {}
        for n in ("supply", "need"):
            df = getattr(self, n)
            if "period" in df.columns:
                keep = df["period"].isna() | (df["period"] == period)
                df = df[keep].drop(columns="period").reset_index(drop=True)
            out[n] = df
        return replace(self, **out, provenance={**self.provenance, "period": period})

    def with_tables(self, **tables: pd.DataFrame) -> Region:
        """A new region with some tables replaced, validated again."""
        frames = {n: getattr(self, n) for n in TABLES} | tables
        report = _build(frames, name=self.name, crs=self.crs, provenance=dict(self.provenance))
        return report.raise_for_errors()

    def with_estimates(self, **assumptions: Any) -> Region:
        """A new region with ``commodities``, ``need`` and ``supply`` estimated from documented
        assumptions (:mod:`equity.estimates`), for a region whose data has none (a county
        built from public lists). ``provenance["estimated"]`` names the estimated tables and
        ``provenance["estimated_<table>"]`` says how (read them with
        :func:`equity.estimates.estimated_inputs`).

        Keyword options override the assumptions: ``basket`` (``{commodity: kg per person
        per week}``), ``food_insecurity_rate`` (share of people whose need counts where the
        areas have no ``food_insecurity_rate``), ``area_m2``, ``yield_kg_per_m2_season`` and
        ``throughput_kg_per_week`` (each ``{site kind: value}``) and ``season_weeks``.
        Raises :class:`~equity.FoodshedError` when no estimate can be made (no sites, no
        population, or commodities already given).

        Examples
        --------
        >>> from equity.sources import allegheny_region
        >>> region = allegheny_region("../shared/data").with_estimates()  # doctest: +SKIP
        >>> sorted(region.provenance["estimated"].split(", "))  # doctest: +SKIP
        ['commodities', 'need', 'supply']
        """
        from .estimates import estimate_tables, provenance_of

        tables, record = estimate_tables(self, **assumptions)
        out = self.with_tables(**tables)
        return replace(out, provenance={**out.provenance, **provenance_of(record)})

    def summary(self) -> dict[str, Any]:
        """Counts and totals, for printing."""
        out: dict[str, Any] = {
            "name": self.name,
            "crs": self.crs.to_string(),
            "areas": len(self.areas),
            "population": float(self.areas["population"].sum()),
            "stores": len(self.stores),
            "sites": len(self.sites),
            "commodities": len(self.commodities),
            "supply_rows": len(self.supply),
            "need_rows": len(self.need),
            "substitutes": len(self.substitutes),
        }
        if len(self.stores):
            out["stores_by_kind"] = self.stores["kind"].value_counts().to_dict()
        if len(self.sites):
            out["sites_by_kind"] = self.sites["kind"].value_counts().to_dict()
        if self.periods:
            out["periods"] = self.periods
        return out

    def __repr__(self) -> str:
        return summary_repr(
            self,
            "{areas} areas, {population:,.0f} people, {stores} stores, {sites} sites, "
            "{commodities} commodities, crs={crs}",
        )


# ---------------------------------------------------------------------- building
def _given(*tables: _T | None) -> dict[str, _T]:
    """The tables a constructor was given, by name: ``tables`` in the order of
    :data:`~equity.contracts.TABLES` (its parameters' order), ``None`` where not given."""
    return {name: t for name, t in zip(TABLES, tables, strict=True) if t is not None}


def _find_file(folder: Path, table: str) -> Path | None:
    hits = [p for p in folder.iterdir() if p.stem.lower() == table and p.suffix.lower() in SUFFIXES]
    hits.sort(
        key=lambda p: _PREFERRED.index(p.suffix.lower()) if p.suffix.lower() in _PREFERRED else 99
    )
    return hits[0] if hits else None


def validate_dir(
    path: str | os.PathLike[str],
    *,
    crs: Any = None,
    confine_to: str | os.PathLike[str] | None = None,
) -> ValidationReport:
    """Read and validate a region folder; return every problem (and the region when valid).

    Parameters
    ----------
    path
        The folder (or its ``region.toml``).
    crs
        The metric CRS to compute in (else ``region.toml``'s ``crs``, else the local UTM zone).
    confine_to
        Read nothing outside this folder (for uploads): ``region.toml`` may then name only files
        inside it, by relative paths without ``..``; links leading out of it are refused, and so
        are CRS strings that would make PROJ open a file. Messages then name files relative to
        the folder.
    """
    folder = Path(path)
    if folder.is_file() and folder.suffix.lower() == ".toml":
        folder = folder.parent
    root = Path(confine_to) if confine_to is not None else None
    shown = "the upload" if root is not None else str(folder)
    if not folder.is_dir():
        msg = f"{shown}: no such folder; give a folder holding areas.geojson, stores.csv, ..."
        raise DataSourceError(msg)
    if root is not None:
        _check_confined(folder, root)
    manifest = read_manifest(folder, confine_to=root)
    paths: dict[str, Path] = {}
    for table in TABLES:
        if table in manifest.files:
            paths[table] = manifest.files[table]
            continue
        found = _find_file(folder, table)
        if found is not None:
            paths[table] = found
    if "areas" not in paths:
        listing = sorted(p.name for p in folder.iterdir())
        msg = (
            f"{shown}: no areas file; expected areas.geojson/.gpkg/.shp/.zip/.parquet or a "
            f"region.toml naming it (found {listing})"
        )
        raise DataSourceError(msg)
    report = _read_and_build(
        paths,
        name=manifest.name or folder.name,
        crs=crs or manifest.crs,
        columns=manifest.columns,
        read_options=manifest.options,
        provenance=manifest.provenance,
    )
    mpath = str(folder / "region.toml")
    if any(p.table == "region" and p.file is None for p in report.problems):
        report = ValidationReport(
            tuple(
                replace(p, file=mpath) if p.table == "region" and p.file is None else p
                for p in report.problems
            ),
            report.region,
        )
    if not manifest.warnings:
        return report
    region = report.region
    if region is not None:
        region = replace(region, problems=tuple(manifest.warnings) + region.problems)
    return ValidationReport(tuple(manifest.warnings) + report.problems, region)


def _check_confined(folder: Path, root: Path) -> None:
    """Refuse a folder outside ``root``, or one holding a link that leads out of it."""
    if not inside(folder, root):
        msg = "the upload: the region folder lies outside the upload; refused"
        raise DataSourceError(msg)
    for p in folder.rglob("*"):
        if p.is_symlink() and not inside(p, root):
            msg = f"the upload: {p.relative_to(folder)} is a link leading outside it; refused"
            raise DataSourceError(msg)


def _read_and_build(
    paths: dict[str, Path],
    *,
    name: str,
    crs: Any,
    columns: dict[str, dict[str, str]],
    read_options: dict[str, dict[str, Any]],
    provenance: dict[str, Any] | None = None,
) -> ValidationReport:
    frames: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    for table, p in paths.items():
        opts = dict(read_options.get(table, {}))
        if TABLES[table].geometry is None:
            opts["points"] = False
        frame, read_problems = read_table(p, table=table, **opts)
        frames[table] = frame
        problems += read_problems
    report = _build(
        frames,
        files={k: str(v) for k, v in paths.items()},
        name=name,
        crs=crs,
        columns=columns,
        provenance=provenance,
    )
    # A row whose coordinates the reader rejected needs no second "geometry is empty" line.
    seen = {(p.table, p.row) for p in problems}
    later = tuple(
        p
        for p in report.problems
        if not (p.column == "geometry" and (p.table, p.row) in seen and "empty" in p.message)
    )
    return ValidationReport(
        tuple(problems) + later,
        report.region if not any(p.is_error for p in problems) else None,
    )


def _build(
    frames: dict[str, pd.DataFrame],
    *,
    name: str,
    crs: Any,
    files: dict[str, str] | None = None,
    columns: dict[str, dict[str, str]] | None = None,
    provenance: dict[str, Any] | None = None,
) -> ValidationReport:
    """Validate ``frames`` together; ``files`` (table to its file, for messages), ``columns``
    (renames per table) and ``provenance`` are empty when not given."""
    files, columns, provenance = files or {}, columns or {}, provenance or {}
    problems: list[Problem] = []
    clean: dict[str, Any] = {}  # a frame per table (None where a table failed its checks)
    if frames.get("areas") is None:
        problems.append(Problem("areas", "a region needs an `areas` table"))
        return ValidationReport(tuple(problems))
    for table in TABLES:
        frame = frames.get(table)
        if frame is None:
            clean[table] = _empty(table)
            continue
        df, p = check_table(table, frame, file=files.get(table), columns=columns.get(table))
        problems += p
        clean[table] = df
    if any(v is None for v in clean.values()):
        return ValidationReport(tuple(problems))

    # One metric CRS for every geometry.
    geo = {t: clean[t] for t in ("areas", "stores", "sites", "population_points")}
    crss = {
        t: g.crs
        for t, g in geo.items()
        if isinstance(g, gpd.GeoDataFrame) and g.crs is not None and t in frames
    }
    try:
        target = CRS.from_user_input(crs) if crs is not None else None
    except Exception as exc:  # pyproj raises CRSError with a terse message
        problems.append(Problem("areas", f"crs {crs!r} is not a CRS pyproj knows: {exc}"))
        return ValidationReport(tuple(problems))
    if target is not None and not target.is_projected:
        problems.append(
            Problem(
                "areas",
                f"crs {crs!r} is geographic; distances need a projected "
                "(metric) CRS such as a UTM zone, or leave crs unset",
            )
        )
        return ValidationReport(tuple(problems))
    if "areas" in crss and target is None:
        areas = geo["areas"]
        good = areas[~areas.geometry.isna() & ~areas.geometry.is_empty]
        if len(good):
            target = metric_crs(good)
    distinct = {c.to_string() for c in crss.values()}
    if len(distinct) > 1 and target is not None:
        listing = ", ".join(f"{t} in {c.to_string()}" for t, c in crss.items())
        problems.append(
            Problem(
                "areas",
                f"tables come in different CRSs ({listing}); all were "
                f"reprojected to {target.to_string()} ({target.name})",
                severity="warning",
            )
        )
    if target is not None:
        for t, g in geo.items():
            if isinstance(g, gpd.GeoDataFrame) and g.crs is not None:
                with warnings.catch_warnings():  # far points become inf: reported just below
                    warnings.simplefilter("ignore", RuntimeWarning)
                    moved = g.to_crs(target)
                clean[t], bad = check_coordinates(t, g, moved, file=files.get(t))
                problems += bad
            elif isinstance(g, gpd.GeoDataFrame) and t not in frames:
                clean[t] = g.set_crs(target, allow_override=True)
    problems += check_references(clean, files)
    problems += _check_gaps(frames, clean, files)
    problems += _check_periods(clean, files, provenance)

    # Need derived from a per-capita basket when no need table is given.
    prov = dict(provenance)
    if "need" not in frames and "per_capita" in clean["commodities"].columns:
        need = _derive_need(clean["areas"], clean["commodities"])
        if len(need):
            clean["need"] = need
            prov["need"] = "derived: population x commodities.per_capita"

    if any(p.is_error for p in problems):
        return ValidationReport(tuple(problems))
    region = Region(
        areas=clean["areas"],
        stores=clean["stores"],
        sites=clean["sites"],
        commodities=clean["commodities"],
        supply=clean["supply"],
        need=clean["need"],
        substitutes=clean["substitutes"],
        population_points=clean["population_points"],
        name=str(name),
        crs=target or WGS84,
        problems=tuple(problems),
        sources=dict(files),
        provenance=prov,
    )
    return ValidationReport(tuple(problems), region)


def _check_gaps(
    frames: dict[str, pd.DataFrame],
    clean: dict[str, Any],
    files: dict[str, str],
) -> list[Problem]:
    """Warn when a table that whole measures rest on is missing or has no rows."""
    out: list[Problem] = []
    gaps = (
        (
            "stores",
            NO_STORES,
            "every area will count as low access (no supermarket at any distance) and mRFEI "
            "and 2SFCA will be empty; add stores.csv (store_id, kind, lon, lat) with the food "
            "stores in and around the region",
        ),
        (
            "supply",
            NO_SUPPLY,
            "allocation plans will have nothing to hand out and meet none of the need; add "
            "supply.csv (site_id, commodity, quantity) for the sites",
        ),
    )
    for table, code, effect in gaps:
        if table not in frames:
            what = f"the region has no `{table}` table"
        elif len(clean[table]) == 0:
            what = f"`{table}` has no rows (only a header)"
        else:
            continue
        out.append(
            Problem(
                table,
                f"{what}: {effect}",
                file=files.get(table),
                severity="warning",
                code=code,
            )
        )
    return out


def _check_periods(
    clean: dict[str, Any], files: dict[str, str], provenance: dict[str, Any]
) -> list[Problem]:
    """Periods of supply and need that nothing matches, and an unknown ``default_period``."""
    out: list[Problem] = []
    labels: dict[str, list[str]] = {}
    for table in ("supply", "need"):
        df = clean[table]
        if "period" in df.columns:
            labels[table] = [str(p) for p in df["period"].dropna().unique()]
    declared_raw = provenance.get("periods")
    declared: list[str] | None = None
    if isinstance(declared_raw, str) and declared_raw.strip():
        declared = [p.strip() for p in declared_raw.split(",") if p.strip()]
    elif isinstance(declared_raw, list) and all(isinstance(p, str) for p in declared_raw):
        declared = list(declared_raw)
    known = declared if declared is not None else labels.get("need")
    for table in ("supply", "need"):
        if table not in labels or known is None or (table == "need" and declared is None):
            continue
        df = clean[table]
        unknown = df["period"].notna() & ~df["period"].astype(str).isin(known)
        if not unknown.any():
            continue
        rows = (np.flatnonzero(unknown.to_numpy()) + 1).tolist()
        names = sorted({str(v) for v in df.loc[unknown, "period"]})
        shown = ("row " if len(rows) == 1 else "rows ") + ", ".join(map(str, rows[:10]))
        shown += " ..." if len(rows) > 10 else ""
        source = "provenance.periods" if declared is not None else "`need`"
        close = difflib.get_close_matches(names[0], known, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        out.append(
            Problem(
                table,
                f"period {', '.join(repr(n) for n in names)} ({shown}) is not one of the "
                f"periods of {source} ({', '.join(known)}): those rows would never be used."
                f"{hint} Correct the period, or leave it empty for rows that apply to every "
                "period",
                file=files.get(table),
                column="period",
                severity="error" if declared is not None else "warning",
            )
        )
    chosen = provenance.get("default_period")
    periods = [p for t in ("supply", "need") for p in labels.get(t, [])]
    if chosen is not None and str(chosen) not in periods:
        if periods:
            close = difflib.get_close_matches(str(chosen), periods, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            msg = (
                f"provenance.default_period {chosen!r} is not a period of the supply or need "
                f"tables ({', '.join(dict.fromkeys(periods))}).{hint}"
            )
        else:
            msg = (
                f"provenance.default_period {chosen!r} is set, but the supply and need tables "
                "have no period column; remove default_period or add the periods"
            )
        out.append(Problem("region", msg, column="default_period"))
    return out


def _derive_need(areas: pd.DataFrame, commodities: pd.DataFrame) -> pd.DataFrame:
    per = commodities.dropna(subset=["per_capita"])
    per = per[per["per_capita"] > 0]
    if per.empty:
        return _empty("need")
    pop = areas[["area_id", "population"]]
    need = pop.merge(per[["commodity", "per_capita"]], how="cross")
    need["quantity"] = need["population"] * need["per_capita"]
    return need[["area_id", "commodity", "quantity"]].reset_index(drop=True)

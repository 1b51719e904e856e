"""Body of ``foodshed analyze``: every access and equity measure, written atomically."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table

from equity import DataSourceError
from equity._atomic import atomic_dir, atomic_path

#: Output formats ``--out`` accepts, by suffix.
FORMATS = (".gpkg", ".geojson", ".csv", ".parquet")


def _write_areas(areas, path: Path) -> None:
    suffix = path.suffix.lower()
    plain = areas.copy()
    seen: set[str] = set()
    for c in list(plain.columns):  # GeoPackage and GeoJSON readers ignore the case of names
        if c.lower() in seen:
            plain = plain.rename(columns={c: f"{c}_2"})
        seen.add(c.lower())
    for c in plain.columns:  # nullable booleans and infinities do not survive every driver
        if str(plain[c].dtype) == "boolean":
            plain[c] = plain[c].astype("Int8")
    with atomic_path(path) as tmp:
        if suffix == ".gpkg":
            plain.to_file(tmp, driver="GPKG", layer="areas")
        elif suffix == ".geojson":
            plain.to_crs(4326).to_file(tmp, driver="GeoJSON")
        elif suffix == ".parquet":
            plain.to_parquet(tmp)
        else:
            disp = plain.to_crs(4326)
            flat = pd.DataFrame(disp.drop(columns=disp.geometry.name))
            rep = disp.geometry.representative_point()
            flat["lon"], flat["lat"] = rep.x.round(6), rep.y.round(6)
            flat.to_csv(tmp, index=False)


def write_outputs(areas, summary: pd.DataFrame, inequality: pd.DataFrame, out: Path) -> list[Path]:
    """Write the areas (format by suffix) and the summary tables beside them, atomically.

    ``out`` with a suffix of :data:`FORMATS` is a file (summaries go to ``<stem>_summary.csv``
    and ``<stem>_inequality.csv`` beside it); without a suffix it is a folder that receives
    ``areas.gpkg``, ``areas.csv``, ``summary.csv`` and ``inequality.csv`` as a whole.
    """
    if out.suffix:
        if out.suffix.lower() not in FORMATS:
            msg = f"--out {out}: unknown format {out.suffix!r}; use one of {list(FORMATS)} or a folder"
            raise DataSourceError(msg)
        _write_areas(areas, out)
        written = [out]
        for name, table in (("summary", summary), ("inequality", inequality)):
            p = out.with_name(f"{out.stem}_{name}.csv")
            with atomic_path(p) as tmp:
                table.to_csv(tmp, index=False)
            written.append(p)
        return written
    with atomic_dir(out) as tmp:
        _write_areas(areas, tmp / "areas.gpkg")
        _write_areas(areas, tmp / "areas.csv")
        summary.to_csv(tmp / "summary.csv", index=False)
        inequality.to_csv(tmp / "inequality.csv", index=False)
    return [out / n for n in ("areas.gpkg", "areas.csv", "summary.csv", "inequality.csv")]


def run(region, out: Path | None, console: Console, *, by: str | None = None) -> None:
    """Analyse ``region``, print the headline table and write ``out`` when given.

    ``by`` names an area column to break the written summary down by (the printed table shows
    all areas).
    """
    from equity import analyze, inequality_summary, summarize

    areas = analyze(region)
    if by is not None and by not in areas.columns:
        msg = f"--by {by}: the areas have no such column; found {sorted(map(str, areas.columns))}"
        raise DataSourceError(msg)
    full = summarize(areas, by=by) if by else summarize(areas)
    summary = full[full["group"] == "all"] if by else full
    ineq = inequality_summary(areas)
    table = Table(title=f"Food access in {region.name} ({len(areas)} areas)")
    for col in ("measure", "areas", "people", "share", "in low-income tracts", "beyond"):
        table.add_column(
            col, justify="left" if col == "measure" else "right", no_wrap=col == "measure"
        )
    for r in summary.itertuples():
        table.add_row(
            r.measure,
            f"{r.areas:,}",
            f"{r.population:,.0f}",
            f"{r.population_share:.1%}" if pd.notna(r.population_share) else "-",
            f"{r.low_income_tract_population:,.0f}",
            "-" if pd.isna(r.people_beyond) else f"{r.people_beyond:,.0f}",
        )
    console.print(table)
    attrs = areas.attrs
    for text in attrs.get("data_warnings", []):
        console.print(f"warning: {text}", markup=False, highlight=False)
    console.print(
        f"population placed by: {attrs.get('population_method')}; "
        f"supermarkets: {attrs.get('supermarkets')}; urban: {attrs.get('urban_source')}"
    )
    vals = dict(zip(ineq["measure"], ineq["value"], strict=True))
    if "gini" in vals:
        console.print(
            f"distance to the nearest supermarket: mean {vals['mean']:.2f} mi, "
            f"Gini {vals['gini']:.3f}, Theil {vals['theil']:.3f}"
        )
    if out is not None:
        for p in write_outputs(areas, full, ineq, out):
            console.print(f"wrote {p}")

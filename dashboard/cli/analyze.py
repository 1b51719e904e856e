"""Body of ``foodshed analyze``: every access and equity measure, written atomically."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from equity import DataSourceError
from equity._csv import write_csv
from equity._output import check_output_dir, check_output_files, output_dir, output_files

from ..services import AREA_FORMATS, write_areas

#: Output formats ``--out`` accepts, by suffix.
FORMATS = AREA_FORMATS


def _targets(out: Path) -> list[Path]:
    if out.suffix:
        if out.suffix.lower() not in FORMATS:
            msg = f"--out {out}: unknown format {out.suffix!r}; use one of {list(FORMATS)} or a folder"
            raise DataSourceError(msg)
        return [out, *(out.with_name(f"{out.stem}_{n}.csv") for n in ("summary", "inequality"))]
    return [out / n for n in ("areas.gpkg", "areas.csv", "summary.csv", "inequality.csv")]


def check_out(out: Path, *, force: bool = False) -> None:
    """Refuse an ``--out`` that ``analyze`` may not write, before the analysis runs."""
    if out.suffix:
        check_output_files(_targets(out), command="analyze", force=force)
    else:
        check_output_dir(out, command="analyze", force=force)


def write_outputs(
    areas, summary: pd.DataFrame, inequality: pd.DataFrame, out: Path, *, force: bool = False
) -> list[Path]:
    """Write the areas (format by suffix) and the summary tables beside them, atomically.

    ``out`` with a suffix of :data:`FORMATS` is a file (summaries go to ``<stem>_summary.csv``
    and ``<stem>_inequality.csv`` beside it); without a suffix it is a folder that receives
    ``areas.gpkg``, ``areas.csv``, ``summary.csv`` and ``inequality.csv`` as a whole. Either
    follows the output policy of every command (:mod:`equity._output`): files or a folder that
    an earlier ``analyze`` wrote are replaced, anything else is refused unless ``force``.
    """
    targets = _targets(out)
    if out.suffix:
        with output_files(targets, command="analyze", force=force) as tmps:
            write_areas(areas, tmps[0], fmt=targets[0].suffix)
            write_csv(summary, tmps[1])
            write_csv(inequality, tmps[2])
        return targets
    with output_dir(out, command="analyze", force=force) as tmp:
        write_areas(areas, tmp / "areas.gpkg")
        write_areas(areas, tmp / "areas.csv")
        write_csv(summary, tmp / "summary.csv")
        write_csv(inequality, tmp / "inequality.csv")
    return targets


def run(
    region, out: Path | None, *, console: Console, by: str | None = None, force: bool = False
) -> int:
    """Analyse ``region``, print the headline table and write ``out`` when given.

    ``by`` names an area column to break the written summary down by (the printed table shows
    all areas).
    """
    from ..services import analyze, inequality_of, summarize_areas

    if out is not None:
        check_out(out, force=force)  # before the analysis, not after
    areas = analyze(region)
    if by is not None and by not in areas.columns:
        msg = f"--by {by}: the areas have no such column; found {sorted(map(str, areas.columns))}"
        raise DataSourceError(msg)
    full = summarize_areas(areas, by=by)
    summary = full[full["group"] == "all"] if by else full
    ineq = inequality_of(areas)
    table = Table(title=f"Food access in {escape(str(region.name))} ({len(areas)} areas)")
    for col in ("measure", "areas", "people", "share", "in low-income tracts", "beyond"):
        table.add_column(
            col, justify="left" if col == "measure" else "right", no_wrap=col == "measure"
        )
    for r in summary.itertuples():
        table.add_row(
            escape(str(r.measure)),
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
        f"supermarkets: {attrs.get('supermarkets')}; urban: {attrs.get('urban_source')}",
        markup=False,
    )
    console.print(str(attrs.get("low_income_source", "")), markup=False)
    vals = dict(zip(ineq["measure"], ineq["value"], strict=True))
    if "gini" in vals:
        console.print(
            f"distance to the nearest supermarket: mean {vals['mean']:.2f} mi, "
            f"Gini {vals['gini']:.3f}, Theil {vals['theil']:.3f}"
        )
    if out is not None:
        for p in write_outputs(areas, full, ineq, out, force=force):
            console.print(f"wrote {p}", markup=False, highlight=False)
    return 0

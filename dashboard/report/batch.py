"""Batch reports: solve many scenarios, write one report each, and a summary of them all.

The whole output folder is built beside the target and swapped in at the end
(:func:`equity._output.output_dir`, the output policy every command shares), so a re-run never
leaves a mix of old and new files, an interrupted run leaves the previous set untouched, and a
folder holding anything but an earlier set of the same command is refused unless ``force``. A
scenario that fails is recorded with its error and the batch goes on.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from equity import FoodshedError, Region
from equity._csv import write_csv
from equity._output import check_output_dir, output_dir

from .. import services
from . import _slug, write_pdf, write_plotly_js, write_report

__all__ = ["BatchResult", "ScenarioResult", "check_out_dir", "run_batch"]

SUMMARY_NAME = "summary.json"
KPIS_NAME = "kpis.csv"
INDEX_NAME = "index.html"


@dataclass
class ScenarioResult:
    """What happened to one scenario of a batch."""

    path: str
    name: str
    status: str = "pending"  # "ok" or "failed"
    report: str | None = None
    error: str | None = None
    solver_status: str | None = None
    seconds: float = 0.0
    kpis: dict[str, Any] = field(default_factory=dict)
    #: what the page leaves out and why (e.g. a baseline of another region)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass
class BatchResult:
    """Every scenario's result, where they were written, and what a re-run replaced."""

    out: Path
    results: list[ScenarioResult]
    replaced: list[str] = field(default_factory=list)
    baseline: str | None = None
    baseline_error: str | None = None
    sweeps: list[dict[str, Any]] = field(default_factory=list)
    data_files: list[str] = field(default_factory=list)
    #: The analysed areas (every equity measure) per region name.
    areas: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def failed(self) -> list[ScenarioResult]:
        return [r for r in self.results if not r.ok]

    @property
    def ok(self) -> bool:
        return not self.failed and self.baseline_error is None


ProgressFn = Callable[[str, ScenarioResult], None]


def check_out_dir(
    out: str | os.PathLike[str], *, command: str = "report", force: bool = False
) -> list[str]:
    """Files a batch into ``out`` would replace; refuse folders ``command`` did not write.

    An empty or missing folder replaces nothing. A folder holding only a previous set of the
    same command is replaced whole, and its files are listed. Anything else is refused unless
    ``force`` (see :func:`equity._output.check_output_dir`), so ``--out .`` cannot wipe
    unrelated files.
    """
    return check_output_dir(out, command=command, force=force)


def run_batch(
    scenarios: Sequence[str | os.PathLike[str]],
    out: str | os.PathLike[str],
    *,
    baseline: str | os.PathLike[str] | None = None,
    plotly_js: str = "inline",
    write_data: bool = False,
    images: str | None = None,
    pdf: bool = False,
    progress: ProgressFn | None = None,
    sweeps: Sequence[str | os.PathLike[str]] = (),
    command: str = "report",
    force: bool = False,
) -> BatchResult:
    """Solve every scenario file, write its report into ``out``, and the batch summary.

    Writes ``<scenario>.html`` per scenario, ``summary.json`` (each scenario's status, error,
    report file, KPIs and time), ``kpis.csv`` (one row per scenario) and ``index.html`` (links).
    With ``write_data``, also ``data/areas.csv`` + ``data/areas.geojson`` (every measure per
    area) and ``data/<scenario>_flows.csv`` / ``_fulfilment.csv``. ``progress(event, result)`` is
    called with ``"start"`` and ``"done"`` for each scenario. ``images`` (``png``/``svg``)
    also writes each report's figures into ``<scenario>_figures/``; ``pdf`` prints each report
    to ``<scenario>.pdf`` with the system Chromium. ``sweeps`` (``foodshed sweep --out``
    folders) each get a ``sweep-<name>.html`` page and a row in the index's "Sweeps" section;
    scenarios may then be empty. ``command`` names the command in the output marker;
    ``force`` replaces a folder that holds other files.
    """
    if plotly_js not in ("inline", "shared"):
        msg = f"--plotly-js {plotly_js!r}; use 'inline' or 'shared'"
        raise FoodshedError(msg)
    if images not in (None, "png", "svg"):
        msg = f"--images {images!r}; use 'png' or 'svg'"
        raise FoodshedError(msg)
    paths = [Path(p) for p in scenarios]
    if not paths and not sweeps:
        msg = "no scenario files given; pass one or more SCENARIO.toml (or --sweep DIR)"
        raise FoodshedError(msg)
    from .sweep import load_sweeps, write_sweep_pages

    sweep_views = load_sweeps(list(sweeps))  # a wrong folder fails before anything is written
    target = Path(out)
    replaced = check_out_dir(target, command=command, force=force)
    results = [ScenarioResult(path=str(p), name=p.stem) for p in paths]
    batch = BatchResult(out=target, results=results, replaced=replaced)
    regions: dict[str, Region] = {}
    analysed: dict[int, pd.DataFrame] = {}
    solved: dict[Path, tuple[Any, Any, Region]] = {}

    def analysis(region: Region) -> pd.DataFrame:
        if id(region) not in analysed:
            analysed[id(region)] = services.analyze(region)
            batch.areas[region.name] = analysed[id(region)]
        return analysed[id(region)]

    def load_and_solve(path: Path) -> tuple[Any, Any, Region]:
        key = path.resolve()
        if key not in solved:
            scenario = services.load_scenario(path)
            region = services.region_of(scenario, regions)
            solved[key] = (scenario, services.solve(scenario, region), region)
        return solved[key]

    with output_dir(target, command=command, force=force) as tmp:
        base_solution = None
        base_areas: set[str] = set()
        if baseline is not None:
            bpath = Path(baseline)
            try:
                bscen, base_solution, base_region = load_and_solve(bpath)
                base_areas = set(base_region.areas["area_id"].astype(str))
                batch.baseline = services.scenario_title(bscen, bpath.stem)
            except Exception as exc:  # recorded in the summary; the batch goes on
                batch.baseline = bpath.stem
                batch.baseline_error = _error_text(exc)
        if plotly_js == "shared":
            write_plotly_js(tmp)
        used: set[str] = set()
        batch.sweeps = write_sweep_pages(tmp, sweep_views, plotly_js=plotly_js, used=used)
        for result, path in zip(results, paths, strict=False):
            if progress:
                progress("start", result)
            t0 = time.perf_counter()
            try:
                scenario, solution, region = load_and_solve(path)
                result.name = services.scenario_title(scenario, path.stem)
                slug = _unique(_slug(result.name), used)
                areas = analysis(region)
                is_base = baseline is not None and path.resolve() == Path(baseline).resolve()
                compare = None if is_base else base_solution
                if compare is not None and set(region.areas["area_id"].astype(str)) != base_areas:
                    compare = None  # plans of two different places are not comparable
                    result.notes.append(
                        f"not compared with the baseline {batch.baseline!r}: it plans another "
                        "region (its areas are not this scenario's)"
                    )
                report = write_report(
                    region,
                    solution,
                    scenario=scenario,
                    baseline=compare,
                    baseline_name=batch.baseline,
                    out=tmp / f"{slug}.html",
                    plotly_js=plotly_js,  # type: ignore[arg-type]
                    areas=areas,
                    images=images,  # type: ignore[arg-type]
                )
                result.report = report.name
                if pdf:
                    write_pdf(report)
                result.kpis = _plain(services.kpis_of(solution))
                result.solver_status = services.status_of(solution)
                if write_data:
                    batch.data_files += _write_data(tmp, slug, solution)
                result.status = "ok"
                if not solution.ok:  # the page says so; the batch counts it as failed
                    result.status = "failed"
                    note = result.kpis.get("status_note") or result.solver_status
                    result.error = f"no plan: {note}"
            except KeyboardInterrupt:
                raise
            except Exception as exc:
                result.status = "failed"
                result.error = _error_text(exc)
                result.report = None
            result.seconds = round(time.perf_counter() - t0, 3)
            if progress:
                progress("done", result)
        if write_data:
            for i, region in enumerate({id(r): r for r in regions.values()}.values()):
                if id(region) in analysed:
                    batch.data_files += _write_areas(tmp, region, analysed[id(region)], i)
        _write_summary(tmp, batch)
    return batch


# ---------------------------------------------------------------------- helpers
def _error_text(exc: BaseException) -> str:
    if isinstance(exc, FoodshedError):
        return str(exc)
    where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    loc = f" (at {Path(where.filename).name}:{where.lineno})" if where else ""
    return f"{type(exc).__name__}: {exc}{loc}"


def _unique(slug: str, used: set[str]) -> str:
    name, k = slug, 2
    while name in used or name in ("index", "summary"):
        name = f"{slug}-{k}"
        k += 1
    used.add(name)
    return name


def _plain(d: dict[str, Any]) -> dict[str, Any]:
    """The scalar entries of ``d`` as plain JSON values (:func:`..services.jsonable`)."""
    return {k: v for k, v in services.jsonable(d).items() if not isinstance(v, dict | list)}


def _write_data(tmp: Path, slug: str, solution: Any) -> list[str]:
    data = tmp / "data"
    data.mkdir(exist_ok=True)
    written = []
    for attr, frame in (("flows", solution.flows), ("fulfilment", solution.fulfilment)):
        name = f"data/{slug}_{attr}.csv"
        write_csv(pd.DataFrame(frame.drop(columns="geometry", errors="ignore")), tmp / name)
        written.append(name)
    return written


def _write_areas(tmp: Path, region: Region, areas: pd.DataFrame, i: int) -> list[str]:
    data = tmp / "data"
    data.mkdir(exist_ok=True)
    stem = "areas" if i == 0 else f"areas_{_slug(region.name)}"
    for suffix in (".csv", ".geojson"):
        services.write_areas(areas, data / f"{stem}{suffix}", region=region)
    return [f"data/{stem}.csv", f"data/{stem}.geojson"]


def _write_summary(tmp: Path, batch: BatchResult) -> None:
    summary = {
        "generated_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "out": str(batch.out),
        "baseline": batch.baseline,
        "baseline_error": batch.baseline_error,
        "n_ok": sum(r.ok for r in batch.results),
        "n_failed": len(batch.failed),
        "failed": [{"name": r.name, "path": r.path, "error": r.error} for r in batch.failed],
        "replaced_previous_files": len(batch.replaced),
        "data_files": batch.data_files,
        "scenarios": [asdict(r) for r in batch.results],
        "sweeps": batch.sweeps,
    }
    (tmp / SUMMARY_NAME).write_text(
        json.dumps(summary, indent=2, default=services.jsonable), encoding="utf-8"
    )
    rows = []
    for r in batch.results:
        row = {
            "scenario": r.name,
            "file": r.path,
            "status": r.status,
            "solver_status": r.solver_status,
            "report": r.report,
            "seconds": r.seconds,
            "error": r.error,
        }
        row.update({k: v for k, v in r.kpis.items() if k not in row})
        rows.append(row)
    write_csv(pd.DataFrame(rows), tmp / KPIS_NAME)
    (tmp / INDEX_NAME).write_text(_index_html(batch), encoding="utf-8")


def _not_optimal(r: Any) -> str:
    """The solver status in words for a plan that is not optimal (a time limit), else ""."""
    if r.solver_status in (None, "", "optimal"):
        return ""
    return str(r.kpis.get("status_note") or r.solver_status)


def _index_html(batch: BatchResult) -> str:
    from optimize.catalogue import kpi_info

    from . import _environment

    rows = []
    for r in batch.results:
        rows.append(
            {
                "name": r.name,
                "report": r.report,
                "status": r.status,
                "error": r.error or _not_optimal(r),
                "met": r.kpis.get("need_met_share"),
                "min": r.kpis.get("min_fulfilment_reachable", r.kpis.get("min_fulfilment")),
                "seconds": r.seconds,
            }
        )
    return (
        _environment()
        .get_template("index.html.j2")
        .render(
            rows=rows,
            labels={
                "met": kpi_info("need_met_share").label,
                "min": kpi_info("min_fulfilment_reachable").label,
            },
            baseline=batch.baseline,
            baseline_error=batch.baseline_error,
            data_files=batch.data_files,
            sweeps=batch.sweeps,
            generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        )
    )

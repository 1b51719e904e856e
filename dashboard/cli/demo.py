"""``foodshed demo``: the main job on the bundled demo region, in one command.

Loads the demo region, analyses it, solves the example scenarios shipped with ``optimize``
(``optimize/scenarios/*.toml``), writes a report per scenario and the data (analysed areas, flows,
fulfilment, KPIs) into one folder, and prints where everything is.
"""

from __future__ import annotations

import time
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from equity import FoodshedError

from ..report.batch import BatchResult, check_out_dir
from ..services import bundled_scenarios_dir, load_region, load_scenario, scenario_files
from .report import print_outcome, run_with_progress

__all__ = ["example_scenarios", "run"]

#: The example scenario every other one is compared with, when it exists.
BASELINE_STEM = "baseline"


def example_scenarios() -> list[Path]:
    """The example scenario files shipped with ``optimize``, baseline first (the one-period
    ones: a plan over weeks is not compared with a one-week baseline)."""
    folder = bundled_scenarios_dir()
    # plans over weeks (four_weeks.toml) are not compared with a one-week baseline: they run
    # with `foodshed allocate` / `foodshed report` (docs/optimize.md)
    found = [p for p in scenario_files(folder) if not load_scenario(p).is_network]
    if not found:
        msg = f"no example scenarios found in {folder}; reinstall foodshed"
        raise FoodshedError(msg)
    return sorted(found, key=lambda p: (p.stem != BASELINE_STEM, p.stem))


def run(
    out: Path,
    *,
    console: Console,
    plotly_js: str = "shared",
    scenarios: list[Path] | None = None,
    force: bool = False,
) -> int:
    """Body of ``foodshed demo``; returns the exit code."""
    t0 = time.perf_counter()
    check_out_dir(out, command="demo", force=force)  # before any work
    region = load_region("demo")
    console.print(f"Loaded {region!r}", markup=False, highlight=False, soft_wrap=True)
    paths = scenarios if scenarios is not None else example_scenarios()
    baseline = next((p for p in paths if p.stem == BASELINE_STEM), None)
    console.print(
        f"Analysing the region and solving {len(paths)} example scenario(s) into {out}/ ...",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    batch = run_with_progress(
        console,
        [str(p) for p in paths],
        out,
        baseline=str(baseline) if baseline else None,
        plotly_js=plotly_js,
        write_data=True,
        command="demo",
        force=force,
    )
    _print_summary(console, batch, time.perf_counter() - t0)
    return 0 if batch.ok else 1


def _print_summary(console: Console, batch: BatchResult, seconds: float) -> None:
    for name, areas in batch.areas.items():
        for col in ("LILATracts_1And10", "LILATracts_halfAnd10"):
            if col in areas and "population" in areas:
                flag = areas[col].fillna(False).astype(bool)
                people = float(areas.loc[flag, "population"].sum())
                console.print(
                    f"{name}: {int(flag.sum())} of {len(areas)} areas are food deserts by "
                    f"{col} ({people:,.0f} residents).",
                    markup=False,
                    highlight=False,
                    soft_wrap=True,
                )
    table = Table(title="Example scenarios", show_lines=False)
    for col in ("scenario", "status", "need met", "worst area in reach", "report"):
        table.add_column(col, no_wrap=col == "report", overflow="fold")
    for r in batch.results:
        met = r.kpis.get("need_met_share")
        low = r.kpis.get("min_fulfilment_reachable", r.kpis.get("min_fulfilment"))
        table.add_row(
            escape(r.name),
            "[green]ok[/green]" if r.ok else "[red]failed[/red]",
            f"{met:.0%}" if isinstance(met, int | float) else "",
            f"{low:.0%}" if isinstance(low, int | float) else "",
            escape(r.report if r.report else (r.error or "")),
        )
    console.print(table)
    print_outcome(console, batch)
    index = (batch.out / "index.html").resolve()
    console.print(
        f"\nDone in {seconds:.0f} s. Open the reports: [bold]{escape(index.as_uri())}[/bold]\n"
        f"Data (areas with every measure, flows, fulfilment): {escape(str(batch.out / 'data'))}/; "
        f"all KPIs: {escape(str(batch.out / 'kpis.csv'))}\n"
        "Explore interactively: [bold]foodshed dashboard[/bold] (then open http://127.0.0.1:8050)",
        highlight=False,
        soft_wrap=True,
    )

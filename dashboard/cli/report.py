"""``foodshed report``: one HTML report per scenario, with a progress bar and a summary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..report.batch import BatchResult, ScenarioResult, run_batch

__all__ = ["run", "run_with_progress"]


def run_with_progress(
    console: Console, scenarios: list[str], out: Path, **options: Any
) -> BatchResult:
    """Run a batch (:func:`~dashboard.report.batch.run_batch` with its keyword ``options``) with
    a rich progress bar and one status line per scenario."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("Starting", total=len(scenarios))

        def progress(event: str, result: ScenarioResult) -> None:
            if event == "start":
                bar.update(task, description=f"Solving {escape(Path(result.path).name)}")
                return
            bar.advance(task)
            if result.ok:
                bar.console.print(
                    f"  [green]ok[/green]     {escape(result.name)}  ({result.seconds:.1f} s, "
                    f"solver {escape(str(result.solver_status))}) -> {escape(str(result.report))}",
                    highlight=False,
                    soft_wrap=True,
                )
            else:
                bar.console.print(
                    f"  [red]FAILED[/red] {escape(f'{result.name}: {result.error}')}",
                    highlight=False,
                    soft_wrap=True,
                )
            for note in result.notes:
                bar.console.print(f"         {note}", markup=False, highlight=False)

        return run_batch(scenarios, out, progress=progress, **options)


def print_outcome(console: Console, batch: BatchResult) -> None:
    """Where the files went, what was replaced, and what failed."""
    if batch.replaced:
        console.print(
            f"Replaced the previous report set in {batch.out} ({len(batch.replaced)} files).",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    if batch.baseline_error:
        console.print(
            f"[red]Baseline {escape(str(batch.baseline))} failed:[/red] "
            f"{escape(str(batch.baseline_error))}; reports are "
            "written without the comparison.",
            highlight=False,
            soft_wrap=True,
        )
    n_ok = len(batch.results) - len(batch.failed)
    if batch.results or not batch.sweeps:
        console.print(
            f"{n_ok} of {len(batch.results)} scenario(s) reported in {batch.out}/ "
            "(index.html, summary.json, kpis.csv).",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    else:
        console.print(
            f"Reports in {batch.out}/ (index.html, summary.json).", markup=False, highlight=False
        )
    for s in batch.sweeps:
        note = "" if s["complete"] else f" ([yellow]{s['state']}[/yellow])"
        console.print(
            f"Sweep {escape(str(s['name']))}: {s['done']} of {s['total']} scenario(s) -> "
            f"{escape(str(s['page']))}{note}",
            highlight=False,
            soft_wrap=True,
        )
    for r in batch.failed:
        console.print(
            f"[red]failed[/red]: {escape(f'{r.path}: {r.error}')}", highlight=False, soft_wrap=True
        )


def run(
    scenarios: list[str],
    out: Path,
    *,
    console: Console,
    baseline: str | None,
    plotly_js: str,
    images: str | None = None,
    pdf: bool = False,
    sweeps: list[Path] | None = None,
    force: bool = False,
) -> int:
    """Body of ``foodshed report``; returns the exit code (1 when any scenario failed)."""
    extras = {"images": images, "pdf": pdf, "sweeps": sweeps or [], "force": force}
    batch = run_with_progress(
        console, scenarios, out, baseline=baseline, plotly_js=plotly_js, **extras
    )
    print_outcome(console, batch)
    return 0 if batch.ok else 1

"""``foodshed sweep``: run a sweep spec on Dask with a progress bar, then print its summary."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

__all__ = ["run"]


def _fmt(v: Any, pct: bool = False) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "-"
    if pct:
        return f"{v:.1%}"
    if isinstance(v, float):
        return f"{v:,.4g}" if abs(v) < 1000 else f"{v:,.0f}"
    return escape(str(v))


def run(
    spec_path: Path,
    out: Path,
    *,
    scheduler: str | None,
    workers: int | None,
    resume: bool,
    console: Console,
    max_results: int | None = None,
    force: bool = False,
) -> int:
    """Run the sweep; return the exit code (0 complete, 1 failures, 130 interrupted)."""
    from equity._output import check_output_dir
    from optimize.sweep import MAX_SCENARIOS, SweepSpec, read_sweep, run_sweep, summarize_sweep

    spec = SweepSpec.from_toml(spec_path)
    check_output_dir(out, command="sweep", force=force, in_place=True)
    where = (
        f"the scheduler at {escape(scheduler)}"
        if scheduler
        else (f"a local cluster of {workers or 'all'} worker(s)")
    )
    console.print(
        f"Sweep [bold]{escape(spec.name)}[/bold]: {spec.size} scenario(s) "
        f"({spec.grid_size} grid point(s) x {spec.draws} draw(s)) on {where}; results in "
        f"{escape(str(out))}"
    )
    console.print(
        "Loading the region and building the base problem, then preparing the scenarios "
        f"(at most {MAX_SCENARIOS:,} per sweep)..."
    )
    progress = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )
    state: dict[str, Any] = {"task": None, "start": None, "prep": None}

    def preparing(done: int, total: int) -> None:
        if state["prep"] is None:
            state["prep"] = progress.add_task(
                "preparing scenarios", total=total, completed=done, rate=""
            )
        progress.update(state["prep"], completed=done)

    def update(done: int, total: int, row: dict[str, Any] | None) -> None:
        import time

        if state["task"] is None:
            state["task"] = progress.add_task("solving", total=total, completed=done, rate="")
            state["start"], state["first"] = time.perf_counter(), done
            return
        dt = time.perf_counter() - state["start"]
        rate = (done - state["first"]) / dt if dt > 0 else 0.0
        progress.update(state["task"], completed=done, rate=f"{rate:.2f}/s")

    interrupted = False
    with progress:
        try:
            result = run_sweep(
                spec,
                out,
                scheduler=scheduler,
                workers=workers,
                resume=resume,
                progress=update,
                max_results=max_results,
                force=force,
                preparing=preparing,
            )
        except KeyboardInterrupt:
            interrupted = True
            result = None
    if interrupted or (result is not None and result.interrupted):
        done = len(read_sweep(out))
        console.print(
            f"[yellow]interrupted[/yellow]: {done} of {spec.size} scenario(s) are saved in "
            f"{escape(str(out))}; run again with --resume to finish"
        )
        return 130
    assert result is not None
    if result.skipped:
        console.print(f"{result.skipped} scenario(s) were already done (--resume) and skipped.")
    if result.solved:
        console.print(
            f"Solved {result.solved} scenario(s) in {result.elapsed_s:.1f} s on "
            f"{result.workers} worker(s) ({result.scenarios_per_s:.2f} per second)."
        )
    if result.failed:
        first_id, first = next(iter(result.failed.items()))
        console.print(
            f"[red]{len(result.failed)} scenario(s) failed[/red] "
            f"(first: {escape(f'{first_id}: {first}')}); "
            "rerun with --resume to retry them."
        )
        return 1
    frame = read_sweep(out)
    summary = summarize_sweep(frame, spec=spec)
    _print_summary(summary, console)
    import json

    from ..sweeps import estimated_note

    meta = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    note = estimated_note(meta.get("estimated"), summary.get("estimated"))
    if note:
        console.print(f"[yellow]{escape(note)}[/yellow]")
    from optimize.sweep import area_risk

    risk = area_risk(out, threshold=spec.resilience.threshold)
    if len(risk) and risk["below"].sum() > 0:
        t = Table(
            title=f"{escape(spec.resilience.flag)} areas most often below "
            f"{spec.resilience.threshold:.0%}"
        )
        for c in ("area", "scenarios below", "share", "mean fulfilment"):
            t.add_column(c)
        for _, r in risk[risk["below"] > 0].head(10).iterrows():
            t.add_row(
                escape(str(r["area_id"])),
                f"{int(r['below'])} of {int(r['scenarios'])}",
                _fmt(r["p_below"], True),
                _fmt(r["mean_fulfilment"], True),
            )
        console.print(t)
    from ..report.sweep import write_sweep_html

    page = write_sweep_html(out)
    console.print(
        f"Results: {out / 'results'} (Parquet), summary: {out / 'summary.json'}, figures: {page}",
        markup=False,
    )
    return 0


def _print_summary(summary: dict[str, Any], console: Console) -> None:
    from optimize.catalogue import kpi_info

    if summary["errors"]:
        console.print(
            f"[yellow]{summary['errors']} scenario(s) ended in an error[/yellow] (see the "
            "`message` column of the results)."
        )
    dist = summary["distributions"]
    if dist is not None and len(dist):
        t = Table(title="KPI distributions over the scenarios")
        for c in ("kpi", "mean", "p5", "median", "p95", "min", "max"):
            t.add_column(c, justify="right" if c != "kpi" else "left")
        for kpi, r in dist.iterrows():
            info = kpi_info(str(kpi))
            pct = info.unit == "%"
            t.add_row(
                escape(info.label),
                *(_fmt(r[k], pct) for k in ("mean", "5%", "50%", "95%", "min", "max")),
            )
        console.print(t)
    fr = summary["frontier"]
    if len(fr):
        t = Table(
            title="Efficiency/equity frontier (need met vs smallest fulfilment of reachable areas)"
        )
        params = [c for c in fr.columns if c.startswith("p.")]
        for c in ("scenario", *[p[2:] for p in params], "need met", "min fulfilment", "cost $"):
            t.add_column(c)
        for _, r in fr.head(12).iterrows():
            t.add_row(
                escape(str(r["scenario_id"])),
                *(_fmt(r[p]) for p in params),
                _fmt(r["need_met_share"], True),
                _fmt(r.get("min_fulfilment_reachable", r["min_fulfilment"]), True),
                _fmt(r["transport_cost_usd"]),
            )
        console.print(t)
    res = summary["resilience"]
    thr = summary["threshold"]
    if len(res):
        t = Table(
            title=(
                f"Resilience: chance that any {escape(summary['flag'] or 'vulnerable')} area "
                f"gets less than {thr:.0%} of its need"
            )
        )
        grid = [c for c in res.columns if c.startswith("p.")]
        for c in (*[g[2:] for g in grid], "draws", "P(any below)", "95% interval", "areas below"):
            t.add_column(c)
        for _, r in res.iterrows():
            t.add_row(
                *(_fmt(r[g]) for g in grid),
                str(int(r["draws"])),
                _fmt(r["p_any_below"], True),
                f"{_fmt(r['p_low'], True)} - {_fmt(r['p_high'], True)}",
                _fmt(r["mean_areas_below"]),
            )
        console.print(t)
    console.print(
        f"Overall: P(any vulnerable area below {thr:.0%}) = "
        f"{_fmt(summary['p_any_below_overall'], True)}"
    )

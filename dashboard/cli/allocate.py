"""Body of ``foodshed allocate``: solve scenarios (or a region), write plans, print KPIs."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from equity import FoodshedError, Region
from equity._output import check_output_dir, output_dir, unique_filenames
from optimize.catalogue import kpi_info

#: KPIs of the printed table, in order (labels and formats from :mod:`optimize.catalogue`).
KPI_ROWS = (
    "status_note",
    "need_met_share",
    "need_met_share_lila",
    "min_fulfilment_lila",
    "people_lila",
    "need_met_kg",
    "kg_delivered",
    "kg_substituted",
    "transport_cost_usd",
    "min_fulfilment_reachable",
    "mean_fulfilment",
    "gini_fulfilment",
    "areas_below_50pct",
    "people_below_50pct",
    "areas_unreachable",
    # plans over weeks (optimize.network): "-" for one-period plans
    "weeks",
    "min_fulfilment_area_week_reachable",
    "transferred_kg",
    "spoiled_kg",
    "end_stock_kg",
)


def _fmt(key: str, v: Any) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return "-"
    return kpi_info(key).format(v)


def _quiet_estimates(fn: Callable[..., int]) -> Callable[..., int]:
    """Run ``fn`` without Python's EstimatesWarning: the command says it in words instead."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> int:
        from equity.estimates import EstimatesWarning

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", EstimatesWarning)
            return fn(*args, **kwargs)

    return wrapper


@_quiet_estimates
def run(
    targets: list[str],
    *,
    objective: str | None,
    out: Path,
    solver: str | None,
    time_limit_s: float | None,
    period: str | None,
    console: Console,
    allow_partial: bool = False,
    force: bool = False,
) -> int:
    """Solve each target (scenario TOML, region folder or ``demo``); write each plan under
    ``out`` (``out`` itself for one target, ``out/<name>`` for several, ``<name>`` a safe
    file name made from the scenario name); print a KPI table. A plan built on estimated need
    or supply says so in words (not a Python warning).

    ``out`` follows the output policy of every command (:mod:`equity._output`): it is checked
    before solving, and the whole set of plans is written beside it and swapped in at once.

    Returns the exit code: 0 when every plan is optimal, 1 when one has no plan, 3 when one
    stopped at the time limit (not optimal) unless ``allow_partial``."""
    from optimize import SolveStatus

    from ..services import allocate, load_region, load_scenario, region_of, solve

    if time_limit_s is not None and not time_limit_s > 0:
        msg = (
            f"--time-limit must be more than 0 seconds; got {time_limit_s:g}. Leave it out "
            "to solve without a limit."
        )
        raise FoodshedError(msg)

    if not targets:
        targets = ["demo"]
    check_output_dir(out, command="allocate", force=force)  # before solving, not after
    regions: dict[str, Region] = {}
    results = []
    for target in targets:
        if target.lower().endswith(".toml"):
            given = {"objective": objective, "solver": solver, "period": period}
            updates: dict[str, Any] = {k: v for k, v in given.items() if v}
            if time_limit_s is not None:
                updates["time_limit_s"] = time_limit_s
            sc = load_scenario(target, overrides=updates)
            reg = region_of(sc, regions)
            sol = solve(sc, reg)
            name = sc.name
        else:
            if target not in regions:
                regions[target] = load_region(target)
            sol = allocate(
                regions[target],
                objective=objective or "cost",
                solver=solver,
                time_limit_s=time_limit_s,
                period=period,
            )
            name = Path(target).name if target != "demo" else "demo"
            reg = regions[target]
        results.append((name, sol, reg))
    names = [n for n, _, _ in results]
    if len(set(names)) != len(names):
        msg = f"two targets share the name(s) {sorted({n for n in names if names.count(n) > 1})}"
        raise FoodshedError(msg)
    folders = unique_filenames(names)
    with output_dir(out, command="allocate", force=force) as tmp:
        for folder, (_, sol, reg) in zip(folders, results, strict=True):
            dest = tmp if len(results) == 1 else tmp / folder
            dest.mkdir(exist_ok=True)
            sol.write_files(dest, region=reg)
    plans = [(n, s) for n, s, _ in results]
    title = "Allocation plans" if len(plans) > 1 else f"Allocation: {escape(names[0])}"
    table = Table(title=title)
    table.add_column("KPI")
    for name, sol in plans:
        table.add_column(f"{escape(name)}\n({escape(sol.objective)})", justify="right")
    for key in KPI_ROWS:
        label = kpi_info(key).label
        table.add_row(label, *[escape(_fmt(key, sol.kpis.get(key))) for _, sol in plans])
    table.add_row("solve time", *[f"{sol.times_s.get('total', 0):.2f} s" for _, sol in plans])
    table.add_row("solver", *[escape(sol.solver.split(" ")[0]) for _, sol in plans])
    console.print(table)
    for name, sol in plans:
        top = sol.binding.head(3)
        for text in top["explanation"] if len(top) else []:
            console.print(f"  {name}: {text}", markup=False, highlight=False)
    for name, sol in plans:
        for table, how in (sol.manifest.get("estimated") or {}).items():
            if table != "commodities":
                console.print(f"  {name}: estimated {table}: {how}", markup=False, highlight=False)
        for text in sol.manifest.get("warnings", []):
            console.print(f"  {name}: warning: {text}", markup=False, highlight=False)
    where = ", ".join(
        f"{n} -> {out / f}" for n, f in zip(names, folders, strict=True) if len(plans) > 1
    )
    console.print(
        f"Wrote {len(plans)} plan(s) to {out}" + (f" ({where})" if where else ""),
        markup=False,
        highlight=False,
    )
    bad = [n for n, s in plans if not s.ok]
    partial = [n for n, s in plans if s.status is SolveStatus.TIME_LIMIT]
    if partial:
        words = SolveStatus.TIME_LIMIT.words
        console.print(
            f"[yellow]{', '.join(partial)}: {words}[/yellow]; every figure is what the plan's "
            "flows deliver. Allow more time"
            + ("." if allow_partial else ", or pass --allow-partial to accept it (exit 0)."),
            highlight=False,
        )
    if bad:
        console.print(f"[red]no plan found for {escape(str(bad))}[/red]; see manifest.json")
        return 1
    if partial and not allow_partial:
        return 3
    return 0

"""Body of ``foodshed allocate``: solve scenarios (or a region), write plans, print KPIs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from equity import FoodshedError

#: KPI rows of the printed table: key, label, format.
KPI_ROWS = (
    ("status", "status", "{}"),
    ("need_met_share", "need met", "{:.1%}"),
    ("need_met_share_lila", "need met, LILA areas", "{:.1%}"),
    ("min_fulfilment_lila", "min fulfilment, LILA areas", "{:.1%}"),
    ("people_lila", "people in LILA areas", "{:,.0f}"),
    ("need_met_kg", "need met (kg)", "{:,.0f}"),
    ("kg_delivered", "delivered (kg)", "{:,.0f}"),
    ("kg_substituted", "substituted (kg)", "{:,.0f}"),
    ("transport_cost_usd", "transport cost", "${:,.0f}"),
    ("min_fulfilment_reachable", "min fulfilment (reachable)", "{:.1%}"),
    ("mean_fulfilment", "mean fulfilment (pop.)", "{:.1%}"),
    ("gini_fulfilment", "Gini of fulfilment", "{:.3f}"),
    ("areas_below_50pct", "areas below 50%", "{:,}"),
    ("people_below_50pct", "people below 50%", "{:,.0f}"),
    ("areas_unreachable", "areas out of reach", "{:,}"),
    # plans over weeks (optimize.network): "-" for one-period plans
    ("weeks", "weeks", "{:,}"),
    ("min_fulfilment_area_week_reachable", "min fulfilment, area-weeks reached", "{:.1%}"),
    ("transferred_kg", "transferred between sites (kg)", "{:,.0f}"),
    ("spoiled_kg", "spoiled (kg)", "{:,.0f}"),
    ("end_stock_kg", "stock at the end (kg)", "{:,.0f}"),
)


def _fmt(fmt: str, v: Any) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return "-"
    try:
        return fmt.format(v)
    except (ValueError, TypeError):
        return str(v)


def run_allocate(
    targets: list[str],
    *,
    objective: str | None,
    out: Path,
    solver: str | None,
    time_limit_s: float | None,
    period: str | None,
    console: Console,
) -> int:
    """Solve each target (scenario TOML, region folder or ``demo``); write each plan under
    ``out`` (``out`` itself for one target, ``out/<name>`` for several); print a KPI table."""
    from equity import Region
    from optimize import Scenario, allocate, run_scenario

    if not targets:
        targets = ["demo"]
    regions: dict[str, Region] = {}
    results = []
    for target in targets:
        if target.lower().endswith(".toml"):
            sc = Scenario.from_toml(target)
            updates: dict[str, Any] = {}
            if objective:
                updates["objective"] = objective
            if solver:
                updates["solver"] = solver
            if time_limit_s:
                updates["time_limit_s"] = time_limit_s
            if period:
                updates["period"] = period
            if updates:
                sc = Scenario.from_dict(
                    {**sc.to_dict(), **updates}, source=target, base_dir=sc.base_dir
                )
            key = str(Path(sc.base_dir or ".") / sc.region) if sc.region != "demo" else "demo"
            if key not in regions:
                regions[key] = sc.load_region()
            sol = run_scenario(sc, region=regions[key])
            name, reg = sc.name, regions[key]
        else:
            if target not in regions:
                regions[target] = Region.demo() if target == "demo" else Region.from_dir(target)
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
    for name, sol, reg in results:
        dest = out if len(results) == 1 else out / name
        sol.to_dir(dest, region=reg)
    results = [(n, s) for n, s, _ in results]
    table = Table(title="Allocation plans" if len(results) > 1 else f"Allocation: {names[0]}")
    table.add_column("KPI")
    for name, sol in results:
        table.add_column(f"{name}\n({sol.objective})", justify="right")
    for key, label, fmt in KPI_ROWS:
        table.add_row(label, *[_fmt(fmt, sol.kpis.get(key)) for _, sol in results])
    table.add_row("solve time", *[f"{sol.times_s.get('total', 0):.2f} s" for _, sol in results])
    table.add_row("solver", *[sol.solver.split(" ")[0] for _, sol in results])
    console.print(table)
    for name, sol in results:
        top = sol.binding.head(3)
        for text in top["explanation"] if len(top) else []:
            console.print(f"  {name}: {text}", markup=False, highlight=False)
    console.print(f"Wrote {len(results)} plan(s) to {out}")
    bad = [n for n, s in results if not s.ok]
    if bad:
        console.print(f"[red]no plan found for {bad}[/red]; see manifest.json")
        return 1
    return 0

"""Body of ``foodshed allocate --rolling``: plan scenarios week by week as shocks come, and
report the value of foresight."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from equity import FoodshedError
from equity._output import check_output_dir, output_dir, unique_filenames
from optimize.catalogue import kpi_info
from optimize.scenario import ScenarioError

from .allocate import KPI_ROWS, _fmt


def run(
    targets: list[str],
    *,
    overrides: dict[str, Any],
    out: Path,
    console: Console,
    force: bool = False,
) -> int:
    """Plan each scenario TOML week by week (``out`` itself for one, ``out/<name>`` for
    several); print the rolling and the foresight plan's KPIs and what foresight is worth."""
    from ..services import load_scenario, plan_rolling, region_of

    tomls = [t for t in targets if t.lower().endswith(".toml")]
    if not tomls or len(tomls) != len(targets):
        msg = (
            "--rolling plans scenario files over weeks; give scenario TOML files (with "
            "`weeks = N`), e.g. optimize/scenarios/four_weeks.toml"
        )
        raise FoodshedError(msg)
    check_output_dir(out, command="allocate", force=force)  # before solving, not after
    results = []
    regions = []
    for target in tomls:
        sc = load_scenario(target, overrides=overrides)
        region = region_of(sc)
        try:
            res = plan_rolling(sc, region)
        except ScenarioError:
            raise
        except FoodshedError as exc:  # a shock or setting the region refuses: name the file
            where = sc.source or f"scenario {sc.name!r}"
            raise ScenarioError(f"{where}: {exc}") from exc
        results.append((sc.name, res))
        regions.append(region)
    folders = unique_filenames([n for n, _ in results])
    with output_dir(out, command="allocate", force=force) as tmp:  # the set, swapped whole
        for folder, (_, res), region in zip(folders, results, regions, strict=True):
            dest = tmp if len(results) == 1 else tmp / folder
            dest.mkdir(exist_ok=True)
            res.write_files(dest, region=region)
    table = Table(title="Rolling re-plans and the plans that knew every week in advance")
    table.add_column("KPI")
    for name, _ in results:
        table.add_column(f"{escape(name)}\nrolling", justify="right")
        table.add_column(f"{escape(name)}\nforesight", justify="right")
    for key in KPI_ROWS:
        vals = []
        for _, res in results:
            vals += [_fmt(key, res.rolling.kpis.get(key)), _fmt(key, res.foresight.kpis.get(key))]
        table.add_row(escape(kpi_info(key).label), *[escape(v) for v in vals])
    console.print(table)
    for name, res in results:
        v = res.value_of_foresight.set_index("kpi")["gain"]
        console.print(
            f"  {name}: foresight would have met {v['need_met_kg']:,.0f} kg more need, "
            f"spoiled {v['spoiled_kg']:,.0f} kg less and cost ${v['transport_cost_usd']:,.0f} "
            "less in transport (the value of foresight)",
            markup=False,
            highlight=False,
        )
    for name, res in results:
        for text in res.rolling.manifest.get("warnings", []):
            console.print(f"  {name}: warning: {text}", markup=False, highlight=False)
    console.print(f"Wrote {len(results)} rolling plan(s) to {out}", markup=False, highlight=False)
    bad = [n for n, r in results if not (r.rolling.ok and r.foresight.ok)]
    return 1 if bad else 0

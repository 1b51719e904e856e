"""Staged objectives against ``cost`` on the demo region (the realistic case).

For each staged objective (``coverage``, ``maxmin``, ``balanced``) this times, cold (without a
remembered basis) and in the same run:

- the baseline: HiGHS alone, stage by stage (``solver="highs"``,
  ``solver_options={"combine_stages": False}``);
- HiGHS alone, the stages from one weighted sum, certified (``solver="highs"``);
- the automatic solve (``solve(problem, objective)``): the weighted sum solved by Clp (the CBC
  binary), HiGHS started from Clp's basis for the certificate (when a CBC binary is present;
  otherwise it equals the previous line),

and prints each relative to the automatic ``cost`` solve (the issue's target: staged objectives
within 4x of ``cost``). Every variant is run ``--repeat`` times in this process; medians are
printed, with the stage objective values to show that every way reaches the same plan.

``--synthetic COLUMNS`` runs the same comparison on the fixed-seed synthetic instance of
``bench_allocate.py`` (whose random throughput rows make HiGHS's simplex slow) instead of the
demo region.

Then the re-runs a planner makes in the dashboard (``balanced``: another equity weight,
garden yields at 60%, a hub switched off, demand surged in 40 areas), each solved warm (from
the last optimal basis of the same structure, the default) against cold
(``solver_options={"warm_start": False}``, the baseline), with the same answers.

Run::

    python benchmarks/bench_objectives.py                    # summer, 8 km (~1-2 min)
    python benchmarks/bench_objectives.py --max-distance-m 15000 --repeat 1
    python benchmarks/bench_objectives.py --synthetic 100000 --objectives maxmin --no-reruns
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--max-distance-m", type=float, default=None, help="default: the allocator's")
    ap.add_argument("--period", default=None, help="default: the region's default period")
    ap.add_argument("--objectives", default="coverage,maxmin,balanced")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-reruns", action="store_true", help="skip the warm-start re-runs")
    ap.add_argument(
        "--synthetic",
        type=int,
        default=None,
        metavar="COLUMNS",
        help="the synthetic instance of bench_allocate.py with about COLUMNS flow columns",
    )
    ap.add_argument(
        "--skip-staged-baseline",
        action="store_true",
        help="skip the stage-by-stage baseline (minutes on the synthetic instance)",
    )
    args = ap.parse_args()

    from equity import Region
    from optimize import AllocationProblem, solve
    from optimize.problem import DEFAULT_MAX_DISTANCE_M

    if args.synthetic:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from bench_allocate import instance

        region = None
        problem = AllocationProblem.from_arrays(**instance(args.synthetic))
        where = f"synthetic instance (bench_allocate.py, {args.synthetic:,})"
    else:
        region = Region.demo()
        reach = args.max_distance_m or DEFAULT_MAX_DISTANCE_M
        problem = AllocationProblem.from_region(region, period=args.period, max_distance_m=reach)
        where = f"demo region, period {args.period or region.default_period}, reach {reach:,.0f} m"
    print(
        f"{where}: {problem.n_x:,} flow columns, {problem.n_rows:,} rows; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; median of {args.repeat}"
    )

    def timed(objective: str, **kw) -> tuple[float, object]:
        times, sol = [], None
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            sol = solve(problem, objective, **kw)
            times.append(time.perf_counter() - t0)
        return statistics.median(times), sol

    t_cost, sol = timed("cost")
    print(f"{'cost (automatic: ' + sol.solver + ')':<44} {t_cost:7.2f} s   1.00x cost")
    cold = {"warm_start": False}
    variants = [
        (
            "HiGHS stage by stage (baseline)",
            {"solver": "highs", "solver_options": {**cold, "combine_stages": False}},
        ),
        ("HiGHS weighted + certified", {"solver": "highs", "solver_options": cold}),
        ("automatic", {"solver_options": cold}),
    ]
    if args.skip_staged_baseline:
        variants = variants[1:]
    for obj in args.objectives.split(","):
        print(f"{obj}:")
        base = None
        for label, kw in variants:
            t, s = timed(obj, **kw)
            base = base or t
            vals = ", ".join(f"{v:.9g}" for v in s.manifest["stage_objectives"])
            start = s.manifest.get("start", "")
            print(
                f"  {label:<34} {t:7.2f} s = {t / t_cost:5.2f}x cost, {base / t:5.2f}x faster "
                f"than the first line  ({start} start; stages [{vals}])"
            )
    if not args.no_reruns and region is not None:
        _reruns(region, problem, args.repeat)
        _curve(problem, args.repeat)
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


def _reruns(region, problem, repeat: int) -> None:
    from optimize import DemandSurge, SiteOutage, YieldFactor, solve
    from optimize.backends._highs import clear_warm_starts

    hub = str(region.sites.loc[region.sites["kind"] == "hub", "site_id"].iloc[0])
    surge = tuple(region.areas["area_id"].astype(str).iloc[:40])
    steps = [
        ("equity weight 0.5 -> 0.8", problem, {"equity_weight": 0.8}),
        ("garden yields 60%", problem.with_shocks([YieldFactor(0.6, site_kind="garden")]), {}),
        (f"hub {hub} off", problem.with_shocks([SiteOutage(site_ids=(hub,))]), {}),
        (
            f"hub {hub} off, +50% need in 40 areas",
            problem.with_shocks([SiteOutage(site_ids=(hub,)), DemandSurge(1.5, area_ids=surge)]),
            {},
        ),
    ]
    print()
    print("re-runs of `balanced` after the default plan (equity weight 0.5) was solved:")
    print(
        f"{'change':<40} {'cold (baseline)':>16} {'warm':>8} {'speed-up':>9}  same answer"
        "  same flows  canonical step (warm)"
    )
    for label, p, kw in steps:
        cold, warm, same, flows, canon = [], [], True, True, []
        for _ in range(repeat):
            clear_warm_starts()
            solve(problem, "balanced")  # the plan on screen before the change
            t0 = time.perf_counter()
            a = solve(p, "balanced", solver_options={"warm_start": False}, **kw)
            cold.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            b = solve(p, "balanced", **kw)
            warm.append(time.perf_counter() - t0)
            canon.append(b.times_s.get("canonical", 0.0))
            assert b.manifest["warm_start"], label
            x, y = a.manifest["stage_objectives"], b.manifest["stage_objectives"]
            same &= all(abs(u - v) <= 1e-6 * max(1.0, abs(u)) for u, v in zip(x, y, strict=True))
            flows &= _same_flows(a.flows, b.flows)
        c, w = statistics.median(cold), statistics.median(warm)
        print(
            f"{label:<40} {c:14.2f} s {w:6.2f} s {c / w:8.2f}x  {'yes' if same else 'NO':>11}"
            f"  {'yes' if flows else 'NO':>10}  {statistics.median(canon):6.2f} s"
        )


def _curve(problem, repeat: int) -> None:
    """The efficiency/equity curve (5 weights) against one warm plan (the baseline: a planner
    re-running ``balanced`` with another equity weight), after the default plan was solved;
    and the same curve with every simplex run by the dual simplex (HiGHS's default; before
    the primal warm start, the first run of each weight was). Wall and CPU seconds (this
    process's, all threads): on a shared machine the CPU ratio is the steadier one."""
    from optimize import efficiency_equity_curve, solve
    from optimize.backends._highs import clear_warm_starts

    weights = [0.0, 0.25, 0.5, 0.75, 1.0]
    runs = {
        "one warm plan (baseline: equity weight 0.5 -> 0.8)": lambda: solve(
            problem, "balanced", equity_weight=0.8
        ),
        "the curve (primal warm starts, the default)": lambda: efficiency_equity_curve(
            problem, weights=weights
        ),
        "the curve, every run by the dual simplex": lambda: efficiency_equity_curve(
            problem, weights=weights, solver_options={"simplex_strategy": 1}
        ),
    }
    wall: dict[str, list[float]] = {k: [] for k in runs}
    cpu: dict[str, list[float]] = {k: [] for k in runs}
    got = None
    for _ in range(repeat):
        for label, run in runs.items():
            clear_warm_starts()
            solve(problem, "balanced")  # the plan on screen before
            t0, c0 = time.perf_counter(), time.process_time()
            out = run()
            wall[label].append(time.perf_counter() - t0)
            cpu[label].append(time.process_time() - c0)
            got = out if "default" in label else got
    print()
    print(f"efficiency/equity curve, {len(weights)} weights, after the default plan was solved:")
    print(f"  {'':<52} {'wall':>8} {'ratio':>6} {'CPU':>8} {'ratio':>6}")
    base = (
        [statistics.median(wall[k]) for k in runs][0],
        [statistics.median(cpu[k]) for k in runs][0],
    )
    for label in runs:
        w, c = statistics.median(wall[label]), statistics.median(cpu[label])
        print(f"  {label:<52} {w:6.2f} s {w / base[0]:5.2f}x {c:6.2f} s {c / base[1]:5.2f}x")
    worst = ", ".join(f"{v:.2%}" for v in got["min_fulfilment_reachable"])
    print(f"  worst-served reachable area by weight: {worst}")


def _same_flows(a, b, tol_kg: float = 1e-6) -> bool:
    """Every route carries the same kg (within ``tol_kg``) in both plans."""
    import pandas as pd

    keys = ["site_id", "area_id", "commodity", "need_commodity"]
    both = pd.concat(
        [a.set_index(keys)["quantity_kg"], b.set_index(keys)["quantity_kg"]], axis=1
    ).fillna(0.0)
    return bool((both.iloc[:, 0] - both.iloc[:, 1]).abs().max() <= tol_kg) if len(both) else True


if __name__ == "__main__":
    main()

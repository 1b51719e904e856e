"""Network-over-weeks benchmark: the multi-week, multi-echelon LP against the single-week LP.

Two cases, each variant in its own subprocess (peak memory measured apart):

- ``demo``: the demo region, the single-week plan (``AllocationProblem``, the baseline) against
  four weeks with transfers through hubs and pantries (``optimize/scenarios/four_weeks.toml``'s
  network: 6 km transfers, the Eastside hub out in week 2), same objective and solver choice;
  the target is four weeks within 6x one week.
- ``synthetic``: a random instance of about ``--columns`` columns over four weeks (the
  single-period generator of ``bench_allocate.py``, sites made gardens, hubs and pantries, with
  shelf lives and storage): total time, peak memory and total over the solver's own time
  (``tot/slv``, the target: within 1.2x).

Wall times wait for a core on a busy machine; ``cpu`` (this process plus a CBC child) does
not, so ratios are given for both.

Run::

    python benchmarks/bench_network.py                          # demo, cost (~2 min)
    python benchmarks/bench_network.py --case demo --objective cost,maxmin
    python benchmarks/bench_network.py --case synthetic --columns 1000000
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def _usage() -> dict:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "peak_rss_mb": me.ru_maxrss / 1024,
        "solver_child_rss_mb": kids.ru_maxrss / 1024,
        "cpu_s": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
    }


def _result(sol, t0: float, columns: int) -> dict:
    t = sol.times_s
    return {
        "columns": columns,
        "build": t.get("build", 0.0),
        "solve": t.get("solve", 0.0),
        "total": time.perf_counter() - t0,
        "objective": sol.objective_value,
        "status": sol.status.value,
        "solver": sol.solver.split(" ")[0],
        "need_met_kg": sol.kpis["need_met_kg"],
    }


def run_demo(variant: str, objective: str) -> dict:
    from equity import Region
    from optimize import AllocationProblem, SiteOutage, solve
    from optimize.network import InWeeks, NetworkProblem, solve_network

    region = Region.demo()
    t0 = time.perf_counter()
    if variant == "one-week":
        p = AllocationProblem.from_region(region)
        sol = solve(p, objective)
        return _result(sol, t0, p.n_cols)
    p = NetworkProblem.from_region(
        region,
        weeks=4,
        max_transfer_m=6000,
        shocks=[InWeeks(SiteOutage(("H037",)), (2,))],
    )
    sol = solve_network(p, objective)
    return _result(sol, t0, p.n_cols)


def synthetic(columns: int, seed: int = 7):
    """A four-week network of about ``columns`` columns and the seconds spent making its
    data and assembling its LP: ``bench_allocate.instance`` (a quarter of them per week, less
    the room transfers take), sites 50% gardens, 10% hubs,
    40% pantries, transfers within half the delivery reach, shelf lives of 5, 10, 30 and
    365 days, hubs and pantries storing twice what they hand out in a week."""
    from bench_allocate import instance

    from optimize import AllocationProblem
    from optimize.network import NetworkProblem

    t0 = time.perf_counter()
    data = instance(int(columns / 4 / 1.4), seed=seed)
    rng = np.random.default_rng(seed)
    ns = len(data["site_ids"])
    kinds = rng.choice(["garden", "hub", "pantry"], size=ns, p=[0.5, 0.1, 0.4])
    data["site_kinds"] = kinds
    data["supply_kg"] = np.where((kinds == "pantry")[:, None], 0.0, data["supply_kg"])
    base = AllocationProblem.from_arrays(**data)
    # site coordinates are not kept by the generator: transfer arcs from the sites' shared areas
    arcs = {}
    for s, a, d in zip(base.arc_site, base.arc_area, base.arc_distance_m, strict=True):
        arcs.setdefault(a, []).append((s, d))
    pairs = {}
    reach = float(data["max_distance_m"])
    for near in arcs.values():
        for s1, d1 in near:
            for s2, d2 in near:
                if s1 != s2 and d1 + d2 <= reach / 2:
                    pairs[(s1, s2)] = min(pairs.get((s1, s2), np.inf), d1 + d2)
    ok = {("garden", "hub"), ("garden", "pantry"), ("hub", "pantry")}
    tr = [(a, b, d) for (a, b), d in pairs.items() if (kinds[a], kinds[b]) in ok]
    f, t, dist = (np.array(x) for x in zip(*tr, strict=True)) if tr else ([], [], [])
    nc = base.supply_kg.shape[1]
    shelf = rng.choice([5.0, 10.0, 30.0, 365.0], size=nc)
    hold = np.where(kinds == "garden", np.inf, 2 * base.supply_kg.sum(axis=1) + 500.0)
    t_data = time.perf_counter() - t0
    t1 = time.perf_counter()
    p = NetworkProblem.from_problem(
        base,
        weeks=4,
        supply_profile=[1.0, 0.8, 1.1, 0.9],
        storage_kg=hold,
        shelf_life_days=shelf,
        tr_from=f,
        tr_to=t,
        tr_distance_m=dist,
    )
    return p, t_data, time.perf_counter() - t1


def run_synthetic(columns: int, objective: str) -> dict:
    from optimize.network import solve_network

    p, t_data, t_assemble = synthetic(columns)
    t0 = time.perf_counter() - t_assemble  # the total counts assembling the network LP
    params = {"unmet_penalty_usd_per_kg": 10.0} if objective in ("cost", "fair_share") else {}
    sol = solve_network(p, objective, **params)
    out = _result(sol, t0, p.n_cols)
    out["build"] += t_assemble
    out["data_s"] = t_data
    out["summary"] = p.summary()
    return out


def child(args) -> None:
    if args.case == "demo":
        out = run_demo(args.child, args.objective)
    else:
        out = run_synthetic(args.columns, args.objective)
    out.update(_usage())
    print(json.dumps(out, default=float))


def _spawn(args, objective: str, variant: str) -> dict | None:
    cmd = [sys.executable, __file__, "--case", args.case, "--objective", objective]
    cmd += ["--columns", str(args.columns), "--child", variant]
    run = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if run.returncode:
        print(f"  {variant}: failed: {run.stderr.strip()[-400:]}")
        return None
    return json.loads(run.stdout.strip().splitlines()[-1])


def _line(name: str, r: dict) -> str:
    return (
        f"  {name:<22} {r['columns']:>10,} {r['build']:>6.2f} {r['solve']:>7.2f} "
        f"{r['total']:>7.2f} {r['total'] / max(r['solve'], 1e-9):>7.2f} {r['cpu_s']:>7.1f} "
        f"{r['peak_rss_mb']:>7.0f} {r['solver_child_rss_mb']:>6.0f}  {r['solver']:<6} "
        f"{r['objective']:.6g} ({r['status']})"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--case", choices=["demo", "synthetic"], default="demo")
    ap.add_argument("--objective", default="cost")
    ap.add_argument("--columns", type=int, default=1_000_000)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return
    head = (
        f"  {'variant':<22} {'columns':>10} {'build':>6} {'solve':>7} {'total':>7} "
        f"{'tot/slv':>7} {'cpu':>7} {'peakMB':>7} {'cbcMB':>6}  solver objective"
    )
    for objective in args.objective.split(","):
        print(f"case={args.case} objective={objective}; each run in a fresh process; seconds")
        print(head)
        if args.case == "demo":
            one = _spawn(args, objective, "one-week")
            four = _spawn(args, objective, "four-weeks-transfers")
            for name, r in (("one week (baseline)", one), ("4 weeks + transfers", four)):
                if r:
                    print(_line(name, r))
            if one and four:
                print(
                    f"  four weeks / one week: wall {four['total'] / one['total']:.2f}x, "
                    f"cpu {four['cpu_s'] / max(one['cpu_s'], 1e-9):.2f}x (target: within 6x)"
                )
        else:
            r = _spawn(args, objective, "synthetic")
            if r:
                print(_line("4 weeks synthetic", r))
                print(f"  instance: {r['summary']}")
        print()


if __name__ == "__main__":
    main()

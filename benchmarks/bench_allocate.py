"""Allocator benchmark: array build + HiGHS (and CBC via MPS) against an idiomatic PuLP build.

The baseline is the way most PuLP models are written: ``LpVariable.dicts`` over (site, area,
commodity) keys and ``lpSum`` per constraint, solved by CBC (``COIN_CMD`` with PuLP's bundled
binary). Every variant runs in its own subprocess on the same fixed-seed synthetic instance, so
peak memory (max RSS, including the solver when it runs in-process or as a child) is measured
separately. Phases: build (Python model), handoff (to the solver), solve, read back;
``tot/slv`` is the total over the solver's own solve time (the target: within 1.2x at 1M columns);
``cpuPy``/``cpuCBC`` are CPU seconds of the Python process and of the CBC child (on a busy
machine wall times wait for a core; CPU times do not).
``arrays-cbc-old`` is the CBC path as it was before its own MPS writer and solution reader.

Run::

    python benchmarks/bench_allocate.py                  # 10k and 100k columns (~1-2 min)
    python benchmarks/bench_allocate.py --sizes 1000000  # the 1M-column case (several minutes)
    python benchmarks/bench_allocate.py --variants arrays-highs,pulp-cbc --objective maxmin
    # the CBC path's own MPS writer + reader against HiGHS writing the file (the old path)
    python benchmarks/bench_allocate.py --sizes 100000,1000000 --variants arrays-cbc,arrays-cbc-old
    # staged objectives against cost in the same run (the "within 4x of cost" target)
    python benchmarks/bench_allocate.py --sizes 100000 --variants arrays-auto,arrays-highs-ipm \
        --objective cost,maxmin,balanced
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

N_COMMODITIES = 10
SIDE_M = 40_000.0


def instance(columns: int, seed: int = 7):
    """Data arrays for about ``columns`` flow columns (sites:areas 1:8, 10 commodities, each
    site offering 6 and each area needing 8 of them)."""
    from scipy.spatial import cKDTree

    rng = np.random.default_rng(seed)
    # columns ~ arcs * commodities offered and needed ~ arcs * 10 * 0.6 * 0.8
    # (x 1.4: areas near the edge of the square have fewer neighbours)
    arcs = 1.4 * columns / (N_COMMODITIES * 0.6 * 0.8)
    ns = max(int(np.sqrt(arcs / 8 / 0.4)), 4)
    na = 8 * ns
    # choose the reach so that the expected arc count is `arcs`
    r = float(np.sqrt(arcs / (ns * na) * SIDE_M**2 / np.pi))
    sxy = rng.uniform(0, SIDE_M, size=(ns, 2))
    axy = rng.uniform(0, SIDE_M, size=(na, 2))
    hits = cKDTree(axy).query_ball_point(sxy, r=r)
    arc_site = np.repeat(np.arange(ns), [len(h) for h in hits])
    arc_area = np.concatenate([np.asarray(h, dtype=np.int64) for h in hits])
    dist = np.hypot(*(sxy[arc_site] - axy[arc_area]).T)
    offers = rng.random((ns, N_COMMODITIES)) < 0.6
    needs = rng.random((na, N_COMMODITIES)) < 0.8
    supply = np.where(offers, rng.uniform(100, 2000, (ns, N_COMMODITIES)), 0.0)
    need = np.where(needs, rng.uniform(20, 300, (na, N_COMMODITIES)), 0.0)
    thr = np.where(rng.random(ns) < 0.5, supply.sum(axis=1) * 0.7, np.inf)
    return {
        "site_ids": [f"S{i}" for i in range(ns)],
        "area_ids": [f"A{i}" for i in range(na)],
        "commodities": [f"c{i}" for i in range(N_COMMODITIES)],
        "supply_kg": supply,
        "need_kg": need,
        "throughput_kg": thr,
        "population": rng.integers(500, 5000, na).astype(float),
        "arc_site": arc_site,
        "arc_area": arc_area,
        "arc_distance_m": dist,
        "max_distance_m": r,
    }


def ipm_options(n_stages: int, *, exact_duals: bool = True) -> dict:
    from optimize.solve import ipm_options as opts

    return opts(n_stages, exact_duals=exact_duals)


def run_arrays(data, backend: str | None, objective: str, options: dict | None = None) -> dict:
    from optimize import AllocationProblem, solve

    t0 = time.perf_counter()
    problem = AllocationProblem.from_arrays(**data)
    t_build = time.perf_counter() - t0
    params = {"unmet_penalty_usd_per_kg": 10.0} if objective in ("cost", "fair_share") else {}
    sol = solve(problem, objective, solver=backend, solver_options=options, **params)
    t = sol.times_s
    return {
        "columns": problem.n_x,
        "rows": problem.n_rows,
        "build": t_build + t["build"],
        "handoff": t.get("handoff", 0.0),
        "solve": t.get("solve", 0.0),
        "read_back": t.get("read_back", 0.0) + t.get("solution", 0.0),
        "total": time.perf_counter() - t0,
        "objective": sol.objective_value,
        "status": sol.status.value,
    }


def run_arrays_cbc_old(data, objective: str) -> dict:
    from optimize.backends import _cbc

    def read_lines(path, n_rows, n_cols):
        lines = Path(path).read_text().splitlines()
        return (lines[0] if lines else ""), *_cbc._read_solution_lines(lines[1:], n_rows, n_cols)

    _cbc.write_mps = _cbc.write_mps_highs
    _cbc._read_solution = read_lines
    return run_arrays(data, "cbc", objective)


def run_pulp_baseline(data, objective: str) -> dict:
    """The idiomatic PuLP model: dict-keyed variables and lpSum constraints."""
    import pulp

    from optimize.backends._cbc import cbc_path

    if objective != "cost":
        raise SystemExit("the PuLP baseline is written for the cost objective only")
    t0 = time.perf_counter()
    supply, need = data["supply_kg"], data["need_kg"]
    ns, nc = supply.shape
    rate = 0.05  # USD per kg-km, as the arrays model's default
    keys = [
        (int(s), int(a), c)
        for s, a in zip(data["arc_site"], data["arc_area"], strict=True)
        for c in range(nc)
        if supply[s, c] > 0 and need[a, c] > 0
    ]
    dist = {
        (int(s), int(a)): d
        for s, a, d in zip(data["arc_site"], data["arc_area"], data["arc_distance_m"], strict=True)
    }
    unmet_keys = [(a, c) for a in range(need.shape[0]) for c in range(nc) if need[a, c] > 0]
    prob = pulp.LpProblem("baseline", pulp.LpMinimize)
    x = pulp.LpVariable.dicts("x", keys, lowBound=0)
    u = pulp.LpVariable.dicts("u", unmet_keys, lowBound=0)
    prob += pulp.lpSum(dist[(s, a)] / 1000 * rate * x[(s, a, c)] for s, a, c in keys) + pulp.lpSum(
        10.0 * u[k] for k in unmet_keys
    )
    by_sc: dict = {}
    by_ac: dict = {}
    by_s: dict = {}
    for k in keys:
        by_sc.setdefault((k[0], k[2]), []).append(x[k])
        by_ac.setdefault((k[1], k[2]), []).append(x[k])
        by_s.setdefault(k[0], []).append(x[k])
    for (s, c), vs in by_sc.items():
        prob += pulp.lpSum(vs) <= supply[s, c]
    for a, c in unmet_keys:
        prob += pulp.lpSum(by_ac.get((a, c), [])) + u[(a, c)] == need[a, c]
    for s, vs in by_s.items():
        if np.isfinite(data["throughput_kg"][s]):
            prob += pulp.lpSum(vs) <= data["throughput_kg"][s]
    t_build = time.perf_counter() - t0
    t1 = time.perf_counter()
    prob.solve(pulp.COIN_CMD(path=cbc_path(), msg=False))  # writes MPS, runs cbc, reads back
    t_solve_all = time.perf_counter() - t1
    return {
        "columns": len(keys),
        "rows": len(prob.constraints),
        "build": t_build,
        "handoff": float("nan"),
        "solve": t_solve_all,  # includes PuLP's MPS write and solution read
        "read_back": float("nan"),
        "total": time.perf_counter() - t0,
        "objective": pulp.value(prob.objective),
        "status": pulp.LpStatus[prob.status].lower(),
    }


VARIANTS = {
    "arrays-highs": lambda d, o: run_arrays(d, "highs", o),
    "arrays-highs-ipm": lambda d, o: run_arrays(d, "highs", o, {"solver": "ipm"}),
    # what solve(..., solver=None) picks (CBC; HiGHS from Clp's basis for staged objectives;
    # HiGHS (IPM at 500k+ columns) without a CBC binary)
    "arrays-auto": lambda d, o: run_arrays(d, None, o),
    # IPM with crossover on the last stage only (need-met duals then interior, not a vertex's)
    "arrays-ipm-lastx": lambda d, o: run_arrays(
        d, "highs", o, ipm_options(3 if o in ("maxmin", "balanced") else 1, exact_duals=False)
    ),
    "arrays-cbc": lambda d, o: run_arrays(d, "cbc", o),
    # the CBC path before its own writer and reader: HiGHS writes the MPS file, a Python loop
    # reads CBC's solution file (the baseline of the "total within 1.2x of solve" target)
    "arrays-cbc-old": lambda d, o: run_arrays_cbc_old(d, o),
    "pulp-cbc": run_pulp_baseline,
}


def child(variant: str, columns: int, objective: str) -> None:
    data = instance(columns)
    out = VARIANTS[variant](data, objective)
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out["peak_rss_mb"] = self_kb / 1024
    out["solver_child_rss_mb"] = kids_kb / 1024
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    # CPU seconds, so that a run on a busy machine can be read (wall time waits for a core)
    out["cpu_python_s"] = me.ru_utime + me.ru_stime
    out["cpu_solver_child_s"] = kids.ru_utime + kids.ru_stime
    print(json.dumps(out))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="10000,100000", help="target flow columns, comma-separated")
    ap.add_argument("--variants", default="arrays-highs,arrays-cbc,pulp-cbc")
    ap.add_argument("--objective", default="cost")
    ap.add_argument("--child", nargs=2, metavar=("VARIANT", "COLUMNS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), args.objective)
        return
    objectives = args.objective.split(",")
    totals: dict[tuple[str, int, str], float] = {}
    for obj in objectives:
        totals.update(_run_objective(args, obj))
    if len(objectives) > 1:
        first = objectives[0]
        print(f"total time relative to {first} (same variant, same size, same run):")
        for (v, size, obj), t in totals.items():
            base = totals.get((v, size, first))
            if obj != first and base:
                print(f"  {size:>9,} {v:<16} {obj:<10} {t:7.2f} s = {t / base:.2f}x {first}")
        bests = {}
        for (_v, size, obj), t in totals.items():
            bests[(size, obj)] = min(t, bests.get((size, obj), float("inf")))
        for (size, obj), t in bests.items():
            if obj != first and (size, first) in bests:
                print(
                    f"  {size:>9,} fastest {obj} / fastest {first}: {t:.2f} / "
                    f"{bests[(size, first)]:.2f} s = {t / bests[(size, first)]:.2f}x"
                )


def _run_objective(args, objective: str) -> dict:
    totals = {}
    print(f"objective={objective}; each variant in a fresh process; times in seconds")
    head = (
        f"{'columns':>9} {'variant':<16} {'build':>7} {'handoff':>7} {'solve':>7} "
        f"{'readback':>8} {'total':>7} {'tot/slv':>7} {'peakMB':>7} {'cbcMB':>6} {'cpuPy':>6} "
        f"{'cpuCBC':>6}  objective"
    )
    for size in [int(s) for s in args.sizes.split(",")]:
        print(head)
        results = {}
        for v in args.variants.split(","):
            run = subprocess.run(
                [sys.executable, __file__, "--objective", objective, "--child", v, str(size)],
                capture_output=True,
                text=True,
                check=False,
            )
            if run.returncode:
                print(f"{size:>9} {v:<16} failed: {run.stderr.strip()[-300:]}")
                continue
            r = json.loads(run.stdout.strip().splitlines()[-1])
            results[v] = r
            totals[(v, size, objective)] = r["total"]
            print(
                f"{r['columns']:>9,} {v:<16} {r['build']:>7.2f} {r['handoff']:>7.2f} "
                f"{r['solve']:>7.2f} {r['read_back']:>8.2f} {r['total']:>7.2f} "
                f"{r['total'] / max(r['solve'], 1e-9):>7.2f} {r['peak_rss_mb']:>7.0f} {r['solver_child_rss_mb']:>6.0f} "
                f"{r['cpu_python_s']:>6.1f} {r['cpu_solver_child_s']:>6.1f}  "
                f"{r['objective']:.6g} ({r['status']})"
            )
        old, new = results.get("arrays-cbc-old"), results.get("arrays-cbc")
        if old and new:
            ovh = {k: r["total"] - r["solve"] for k, r in (("old", old), ("new", new))}
            print(
                f"  arrays-cbc vs arrays-cbc-old (HiGHS-written MPS, line-by-line read back): "
                f"total {new['total']:.2f} / {old['total']:.2f} s = {new['total'] / old['total']:.2f}x; "
                f"time outside the CBC run {ovh['new']:.2f} / {ovh['old']:.2f} s "
                f"= {ovh['new'] / max(ovh['old'], 1e-9):.2f}x; handoff "
                f"{old['handoff'] / max(new['handoff'], 1e-9):.1f}x faster, read back "
                f"{old['read_back'] / max(new['read_back'], 1e-9):.1f}x faster"
            )
        base = results.get("pulp-cbc")
        for v, r in results.items():
            if base and v != "pulp-cbc":
                print(
                    f"  {v}: {base['total'] / r['total']:.2f}x faster end to end than the "
                    f"idiomatic PuLP build + CBC; Python-side build {base['build'] / max(r['build'], 1e-9):.0f}x faster; "
                    f"total/solve = {r['total'] / max(r['solve'], 1e-9):.2f}"
                )
        print()
    return totals


if __name__ == "__main__":
    main()

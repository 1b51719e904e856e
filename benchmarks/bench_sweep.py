"""Sweep throughput on Dask vs a plain serial loop, and memory of the partitioned Atlas run.

    python benchmarks/bench_sweep.py                  # both parts (a few minutes)
    python benchmarks/bench_sweep.py --part sweep --scenarios 8
    python benchmarks/bench_sweep.py --part atlas --states 10

Part 1 (sweep): the demo city, least-cost plans under drawn garden yields and hub outages.
Baseline (named ``plain loop``): ``optimize.allocate(region, ...)`` called once per scenario in
this process, as a script would. Then ``run_serial`` (the base problem built once, in process),
and ``run_sweep`` on a LocalCluster of 1 and 2 worker processes (timed with the cluster already
up, and with its start-up). Scaling past 2 workers is projected from the measured per-scenario
solve time and per-task overhead (this machine has 2 cores).

Part 2 (atlas): synthetic "states" of 1,480 two-km square tracts each (a median US state has
~1,400 tracts), one supermarket per ~3 tracts. Each run is its own subprocess; the figure is its
peak resident memory (VmHWM), so it includes the interpreter and libraries (the ``import``
row). In memory: ``atlas_classify`` on all states at once; partitioned: ``atlas_by_partition``
by state. Both use one reference income (60,000) so that their answers can be compared digit
for digit (by default the partitioned path uses each state's own median, as the Atlas does).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import subprocess
import sys
import time

SPEC = {
    "name": "bench",
    "base": {"region": "demo", "period": "summer", "objective": "cost"},
    "vary": {"outage_probability": {"hub": [0.3]}},
    "random": {"yield_factor": {"garden": {"uniform": [0.5, 1.0]}}},
    "draw": {"count": 8, "seed": 1},
    "resilience": {"flag": "LILATracts_1And10", "threshold": 0.2},
}


def bench_sweep(n: int) -> None:
    import shutil
    import tempfile

    from dask.distributed import Client

    from equity import Region
    from optimize import allocate
    from optimize._sweep_task import _SHOCK
    from optimize.sweep import SweepSpec, local_cluster, prepare_sweep, run_serial, run_sweep

    spec = SweepSpec.from_dict({**SPEC, "draw": {"count": n, "seed": 1}})
    region = Region.demo()
    problem, ctx, records = prepare_sweep(spec, region)
    size_mb = len(pickle.dumps(problem)) / 1e6
    print(f"demo: {problem!r}; pickled base problem {size_mb:.1f} MB (sent once per worker)")
    print(
        f"{n} scenarios; load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n"
    )

    t = time.perf_counter()
    for rec in records:
        shocks = [_SHOCK.validate_python(d).build() for d in json.loads(rec["shocks"])]
        allocate(region, objective="cost", period="summer", shocks=shocks)
    plain = time.perf_counter() - t
    rows = [("plain loop (baseline): allocate() per scenario", plain, None)]

    t = time.perf_counter()
    serial = run_serial(spec, region)
    rows.append(("run_serial: base problem built once", time.perf_counter() - t, None))
    solve_s = float(serial["solve_time_s"].mean())

    timings = {}
    for w in (1, 2):
        t0 = time.perf_counter()
        cluster = local_cluster(w)
        client = Client(cluster)
        client.run(lambda: __import__("optimize.sweep"))  # warm the workers' imports
        up = time.perf_counter() - t0
        out = tempfile.mkdtemp(prefix="bench-sweep-")
        t = time.perf_counter()
        res = run_sweep(spec, out, region=region, client=client)
        run = time.perf_counter() - t
        assert res.complete, res
        client.close()
        cluster.close()
        shutil.rmtree(out, ignore_errors=True)
        timings[w] = run
        rows.append((f"run_sweep, {w} worker(s), cluster up", run, None))
        rows.append((f"run_sweep, {w} worker(s), with cluster start ({up:.1f} s)", run + up, None))

    print(f"{'path':58} {'time s':>8} {'scen/s':>8} {'vs baseline':>12}")
    for name, secs, _ in rows:
        print(f"{name:58} {secs:8.1f} {n / secs:8.2f} {plain / secs:11.2f}x")

    # on paper: T(w) = prep + ceil(n / w) * (solve + overhead); overhead from the 1-worker run
    prep = 1.5  # problem build, Atlas flags and scatter (measured inside run_sweep, ~1-2 s)
    per_task = max((timings[1] - prep) / n, solve_s)
    overhead = per_task - solve_s
    print(
        f"\nmean solve {solve_s:.2f} s/scenario in process; per task on 1 worker "
        f"{per_task:.2f} s (overhead {overhead:.2f} s)"
    )
    print("projected for 1,000 scenarios (no shared cores; scheduler cost ~1 ms/task):")
    for w in (1, 2, 4, 8, 16, 64):
        tw = prep + -(-1000 // w) * per_task + 0.001 * 1000
        print(f"  {w:3d} workers: {tw / 60:7.1f} min, {1000 / tw:6.2f} scen/s")
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    print(
        f"measured speed-up 1 -> 2 workers: {timings[1] / timings[2]:.2f}x "
        "(2 cores: HiGHS and the worker processes share them)"
    )


# ---------------------------------------------------------------------------- atlas memory
CHILD = r"""
import sys, time, json
def peak_mb():  # VmHWM of this address space (ru_maxrss would carry the parent's over exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
import numpy as np, pandas as pd, geopandas as gpd
import shapely
mode, n_states = sys.argv[1], int(sys.argv[2])
import equity
if mode == "import":
    print(json.dumps({"rss_mb": peak_mb()}))
    sys.exit()
rng = np.random.default_rng(0)
areas, stores = [], []
for s in range(n_states):
    ox = s * 180_000.0
    inc = 50_000 + 4_000 * s
    xs, ys = np.meshgrid(np.arange(40) * 2000.0, np.arange(37) * 2000.0)
    xs, ys = xs.ravel() + ox + 300_000, ys.ravel() + 4_000_000
    ids = [f"{s + 1:02d}{i:09d}" for i in range(len(xs))]
    areas.append(gpd.GeoDataFrame({
        "area_id": ids, "population": rng.integers(1000, 6000, len(xs)).astype(float),
        "poverty_rate": rng.uniform(0, 0.4, len(xs)),
        "median_family_income": rng.uniform(0.4, 1.6, len(xs)) * inc,
        "households_no_vehicle": rng.integers(0, 300, len(xs)).astype(float),
        "urban": rng.random(len(xs)) < 0.7},
        geometry=shapely.box(xs, ys, xs + 2000, ys + 2000), crs="EPSG:32617"))
    k = len(xs) // 3
    stores.append(gpd.GeoDataFrame({"store_id": [f"{s}-{i}" for i in range(k)],
        "kind": "supermarket"}, geometry=gpd.points_from_xy(
            ox + 300_000 + rng.uniform(0, 80_000, k), 4_000_000 + rng.uniform(0, 74_000, k)),
        crs="EPSG:32617"))
areas = pd.concat(areas, ignore_index=True); stores = pd.concat(stores, ignore_index=True)
t = time.perf_counter()
if mode == "memory":
    out = equity.atlas_classify(areas, stores, state_median_income=60_000)
else:
    out = equity.atlas_by_partition(areas, stores, state_median_income=60_000)
secs = time.perf_counter() - t
print(json.dumps({"rss_mb": peak_mb(),
                  "secs": secs, "tracts": len(areas), "lila": int(out["LILATracts_1And10"].sum()),
                  "digest": int(pd.util.hash_pandas_object(out.drop(columns=["pop_method"]),
                                                          index=False).sum() % 10**12)}))
"""


def _child(mode: str, states: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(states)], capture_output=True, text=True
    )
    if out.returncode:
        return {"error": out.stderr.strip().splitlines()[-1]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_atlas(states: int, national: int) -> None:
    base = _child("import", 0)
    print(f"interpreter + equity imported: {base['rss_mb']:.0f} MB peak RSS")
    print(f"{'run':44} {'tracts':>8} {'time s':>8} {'peak MB':>8} {'LILA':>6}")
    runs = [("in memory, atlas_classify", "memory", states)]
    runs.append(("partitioned by state, atlas_by_partition", "partition", states))
    if national > states:
        runs.append(("in memory (national size)", "memory", national))
        runs.append(("partitioned by state (national size)", "partition", national))
    got = {}
    for name, mode, n in runs:
        r = _child(mode, n)
        if "error" in r:
            print(f"{name:44} failed: {r['error']}")
            continue
        got[(mode, n)] = r
        print(f"{name:44} {r['tracts']:8,d} {r['secs']:8.1f} {r['rss_mb']:8.0f} {r['lila']:6d}")
    for n in sorted({states, national}):
        a, b = got.get(("memory", n)), got.get(("partition", n))
        if not (a and b):
            continue
        print(
            f"{n} states: same answers: {a['digest'] == b['digest']}; memory above imports: "
            f"in memory {a['rss_mb'] - base['rss_mb']:.0f} MB vs partitioned "
            f"{b['rss_mb'] - base['rss_mb']:.0f} MB "
            f"({(a['rss_mb'] - base['rss_mb']) / max(b['rss_mb'] - base['rss_mb'], 1):.1f}x)"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", choices=["sweep", "atlas", "all"], default="all")
    ap.add_argument("--scenarios", type=int, default=8)
    ap.add_argument("--states", type=int, default=8, help="states in the in-memory comparison")
    ap.add_argument("--national", type=int, default=50, help="states in the national run")
    args = ap.parse_args()
    if args.part in ("sweep", "all"):
        bench_sweep(args.scenarios)
        print()
    if args.part in ("atlas", "all"):
        bench_atlas(args.states, args.national)
    print(
        f"\nbenchmark process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )


if __name__ == "__main__":
    main()

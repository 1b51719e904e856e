"""Scenario sweeps on Dask: many scenarios of one region, solved in parallel, results streamed.

A sweep spec (TOML) names a base scenario and the parameters to vary::

    name = "demo-resilience"
    base = "../scenarios/demo_cost.toml"   # a scenario file (relative to this file), or [base]

    [vary]                                 # crossed: every combination is a grid point
    budget_usd = { start = 20000, stop = 40000, num = 3 }
    outage_probability.hub = [0.0, 0.2]

    [random]                               # drawn draw.count times per grid point
    yield_factor.garden = { uniform = [0.5, 1.0] }
    demand_surge = { normal = [1.1, 0.05], min = 1.0 }

    [draw]
    count = 10
    seed = 7

    [resilience]                           # which areas count, and the fulfilment threshold
    flag = "LILATracts_1And10"
    threshold = 0.5

Sweepable parameters are listed in :data:`PARAMETERS`. :func:`run_sweep` builds the base
problem once, scatters it (and the vulnerable-area mask) to every worker with
``client.scatter(..., broadcast=True)``, submits one task per scenario and writes the KPI rows
to ``OUT/results/*.parquet`` (one file per small batch, atomically) as tasks finish, so an
interrupted sweep keeps what finished and ``resume=True`` skips it. :func:`summarize_sweep` gives
the KPI distributions, the efficiency/equity frontier and the resilience figures.

Dask is imported only inside :func:`run_sweep`; ``import optimize`` does not import it.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from equity import FoodshedError
from equity._atomic import atomic_path, clean_stale_in
from equity._output import check_output_dir, open_output_dir

from ._sweep_spec import MAX_SCENARIOS, PARAMETERS, SweepSpec, SweepSpecError, expand
from ._sweep_task import KPI_COLUMNS, NetworkFamily, SweepContext, solve_record

if TYPE_CHECKING:
    from equity import Region

    from .problem import AllocationProblem

__all__ = [
    "MAX_SCENARIOS",
    "PARAMETERS",
    "SweepResult",
    "SweepSpec",
    "SweepSpecError",
    "expand",
    "local_cluster",
    "prepare_sweep",
    "read_sweep",
    "run_serial",
    "run_sweep",
    "summarize_sweep",
]

#: KPIs summarised by :func:`summarize_sweep`.
SUMMARY_KPIS = (
    "need_met_share",
    "min_fulfilment",
    "min_fulfilment_reachable",
    "mean_fulfilment",
    "gini_fulfilment",
    "transport_cost_usd",
    "vulnerable_min_fulfilment",
    "vulnerable_mean_fulfilment",
    # plans over weeks (optimize.network), over the horizon
    "min_fulfilment_area_week_reachable",
    "transferred_kg",
    "spoiled_kg",
    "end_stock_kg",
)


@dataclass
class SweepResult:
    """What :func:`run_sweep` did: counts, failures and where the results are."""

    out: Path
    total: int
    skipped: int = 0
    solved: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    interrupted: bool = False
    elapsed_s: float = 0.0
    workers: int = 0

    @property
    def complete(self) -> bool:
        return self.skipped + self.solved == self.total

    @property
    def scenarios_per_s(self) -> float:
        return self.solved / self.elapsed_s if self.elapsed_s > 0 else float("nan")


# ---------------------------------------------------------------------------- preparation
def vulnerable_mask(region: Region, problem: AllocationProblem, flag: str) -> np.ndarray:
    """Areas that count for resilience: a boolean column ``flag`` of the areas, or an Atlas
    flag (``LILATracts_1And10``, ``LowIncomeTracts``, ...) computed from the region."""
    areas = region.areas
    if flag in areas.columns:
        col = areas[flag]
    else:
        from equity import atlas_classify
        from equity.atlas import declared_reference_income

        atlas = atlas_classify(
            areas,
            region.stores,
            points=region.population_points,
            state_median_income=declared_reference_income(region.provenance),
        )
        if flag not in atlas.columns:
            flags = sorted(c for c in atlas.columns if atlas[c].dtype == bool)
            msg = (
                f"resilience.flag {flag!r} is neither a column of the areas nor an Atlas flag; "
                f"Atlas flags: {flags}"
            )
            raise SweepSpecError(msg)
        col = atlas[flag]
    by_id = pd.Series(col.astype("boolean").fillna(False).astype(bool).to_numpy())
    by_id.index = areas["area_id"].astype(str).to_numpy()
    return by_id.reindex(problem.area_ids.astype(str)).fillna(False).to_numpy(dtype=bool)


def prepare_sweep(
    spec: SweepSpec,
    region: Region | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[AllocationProblem, SweepContext, list[dict[str, Any]]]:
    """Build the base problem, the shared context and the scenario records of ``spec``.

    ``progress(done, total)`` follows the expansion into scenario records.
    """
    from .api import _problem

    base = spec.base
    region = region if region is not None else base.load_region()
    try:
        base.check_period(region)
    except FoodshedError as exc:
        msg = f"{spec.source}: the base scenario: {exc}"
        raise SweepSpecError(msg) from exc
    if base.is_network or spec.varies_network:  # plans over weeks (optimize.network)
        return _prepare_network(spec, region, progress)
    problem = _problem(
        region,
        [],
        period=base.period,
        max_distance_m=spec.network_max_distance_m(),
        budget_usd=base.network.budget_usd,
        cost_per_kg_km=base.network.cost_per_kg_km,
        cost_table=base.road_costs(region),  # [network] roads, or None: straight lines
    )
    try:
        vulnerable = vulnerable_mask(region, problem, spec.resilience.flag)
    except SweepSpecError as exc:
        raise SweepSpecError(f"{spec.source}: {exc}") from exc
    ctx = SweepContext(
        vulnerable=vulnerable,
        flag=spec.resilience.flag,
        threshold=spec.resilience.threshold,
        solver=base.solver,
        time_limit_s=base.time_limit_s,
        estimated=dict(problem.estimated),
    )
    return problem, ctx, expand(spec, problem, progress=progress)


def _prepare_network(
    spec: SweepSpec, region: Region, progress: Callable[[int, int], None] | None = None
) -> tuple[Any, SweepContext, list[dict]]:
    """The base problem over weeks (without shocks: every record carries its own, with their
    weeks), the context and the records. A spec varying the network (weeks, longest move
    between sites, ...) gets a :class:`NetworkFamily`: one network problem per distinct
    setting, each record naming its own."""
    from .network import NetworkProblem
    from .problem import planning_region

    base = spec.base
    region = planning_region(region)  # documented estimates where need or supply are missing
    roads = base.road_costs(region)
    site_roads = None

    def build(settings: dict[str, Any]) -> NetworkProblem:
        nonlocal site_roads
        if settings["max_transfer_m"] and site_roads is None:
            site_roads = base.road_costs(region, to="sites")
        return NetworkProblem.from_region(
            region,
            weeks=settings["weeks"],
            period=base.period,
            max_distance_m=spec.network_max_distance_m(),
            budget_usd=base.network.budget_usd,
            cost_per_kg_km=base.network.cost_per_kg_km,
            max_transfer_m=settings["max_transfer_m"],
            transfer_cost_per_kg_km=settings["transfer_cost_per_kg_km"],
            supply_profile=_profile_for(base.supply_profile, settings["weeks"]),
            need_profile=_profile_for(base.need_profile, settings["weeks"]),
            cost_table=roads,
            site_cost_table=site_roads if settings["max_transfer_m"] else None,
        )

    net: NetworkProblem | NetworkFamily
    if spec.varies_network:
        net = NetworkFamily({json.dumps(g, sort_keys=True): build(g) for g in spec.network_grid()})
    else:
        net = build(spec.network_settings())
    ctx = SweepContext(
        vulnerable=vulnerable_mask(region, net.base, spec.resilience.flag),
        flag=spec.resilience.flag,
        threshold=spec.resilience.threshold,
        solver=base.solver,
        time_limit_s=base.time_limit_s,
        maxmin_over=base.params.maxmin_over or "area_week",
        estimated=dict(net.base.estimated),
    )
    return net, ctx, expand(spec, net.base, progress=progress)


def _profile_for(profile: list[float] | None, weeks: int) -> list[float] | None:
    """The base scenario's weekly profile for a plan of ``weeks`` weeks (a sweep over weeks):
    cut to its first weeks, or repeated from the start when it is shorter."""
    if not profile:
        return None
    return [profile[i % len(profile)] for i in range(weeks)]


# ---------------------------------------------------------------------------- output
def _results_dir(out: Path) -> Path:
    return out / "results"


def _done_ids(out: Path) -> set[str]:
    files = sorted(_results_dir(out).glob("part-*.parquet"))
    if not files:
        return set()
    import pyarrow.parquet as pq

    ids: set[str] = set()
    for f in files:
        ids.update(pq.read_table(f, columns=["scenario_id"]).column(0).to_pylist())
    return ids


def _write_batch(out: Path, batch: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
    """Write finished tasks (record, result) as one Parquet file of KPI rows and one of the
    vulnerable areas' fulfilment, each atomically."""
    if not batch:
        return
    tag = f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
    rows = [{**rec, **res["row"]} for rec, res in batch]
    frame = pd.DataFrame(rows)
    ful = pd.concat(
        [
            pd.DataFrame(
                {
                    "scenario_id": rec["scenario_id"],
                    "area_id": np.asarray(res["fulfilment"]["area_id"], dtype=object).astype(str),
                    "fulfilment": np.asarray(res["fulfilment"]["fulfilment"], dtype=float),
                }
            )
            for rec, res in batch
        ],
        ignore_index=True,
    )
    # fulfilment first: a KPI row marks the scenario done, so it must come last
    with atomic_path(out / "fulfilment" / f"part-{tag}.parquet", clean=False) as tmp:
        ful.to_parquet(tmp, index=False)
    with atomic_path(_results_dir(out) / f"part-{tag}.parquet", clean=False) as tmp:
        frame.to_parquet(tmp, index=False)


def _write_json(path: Path, data: Any) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True, default=str), encoding="utf-8")


def _start_out(
    out: Path,
    spec: SweepSpec,
    records: list[dict[str, Any]],
    resume: bool,
    force: bool = False,
    estimated: dict[str, str] | None = None,
) -> None:
    """Prepare ``out`` by the output policy of every command (:mod:`equity._output`): new,
    empty, or an earlier sweep; with results, only ``resume`` continues it and ``force``
    starts it over."""
    has_results = _results_dir(out).is_dir() and any(_results_dir(out).glob("part-*.parquet"))
    if has_results and not resume and not force:
        msg = (
            f"{out} already holds results of a sweep; pass --resume (resume=True) to continue "
            "it, --force to start it over, or choose another --out"
        )
        raise FoodshedError(msg)
    if has_results and force and not resume:
        for sub in ("results", "fulfilment"):
            for part in (out / sub).glob("part-*.parquet"):
                part.unlink()
        (out / "summary.json").unlink(missing_ok=True)
    open_output_dir(out, command="sweep", force=force)
    for sub in ("results", "fulfilment"):  # parts left half-written by a killed run
        if (out / sub).is_dir():
            clean_stale_in(out / sub)
    # the inputs that are documented estimates, {table: how}, for every reader of the folder
    _write_json(out / "sweep.json", {**spec.to_dict(), "estimated": dict(estimated or {})})
    with atomic_path(out / "scenarios.parquet") as tmp:
        pd.DataFrame(records).to_parquet(tmp, index=False)


def read_sweep(out: str | os.PathLike[str]) -> pd.DataFrame:
    """The finished scenarios of a sweep folder: one row per scenario (records and KPIs).

    Only scenarios of the folder's current spec are kept (a resumed sweep with a changed spec
    leaves older rows behind; they are ignored).
    """
    out = Path(out)
    files = sorted(_results_dir(out).glob("part-*.parquet"))
    if not files:
        if not (out / "sweep.json").exists():
            msg = f"{out} is not a sweep folder (no sweep.json); run `foodshed sweep` first"
            raise FoodshedError(msg)
        return pd.DataFrame(columns=["scenario_id", "status"])
    frame = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    frame = frame.drop_duplicates("scenario_id", keep="last")
    sc = out / "scenarios.parquet"
    if sc.exists():
        ids = pd.read_parquet(sc, columns=["scenario_id"])["scenario_id"]
        frame = frame[frame["scenario_id"].isin(set(ids))]
    if "index" in frame.columns:
        frame = frame.sort_values("index")
    return frame.reset_index(drop=True)


def read_fulfilment(out: str | os.PathLike[str]) -> pd.DataFrame:
    """Fulfilment of each vulnerable area in each finished scenario (long table)."""
    files = sorted((Path(out) / "fulfilment").glob("part-*.parquet"))
    if not files:
        return pd.DataFrame(columns=["scenario_id", "area_id", "fulfilment"])
    return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)


def area_risk(out: str | os.PathLike[str], *, threshold: float | None = None) -> pd.DataFrame:
    """Per vulnerable area: in how many finished scenarios its fulfilment fell below
    ``threshold`` (default: the spec's), and the share; most at risk first."""
    out = Path(out)
    if threshold is None:
        meta = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
        threshold = float(meta.get("resilience", {}).get("threshold", 0.5))
    ful = read_fulfilment(out)
    done = set(read_sweep(out)["scenario_id"])
    ful = ful[ful["scenario_id"].isin(done)].drop_duplicates(["scenario_id", "area_id"])
    if ful.empty:
        return pd.DataFrame(columns=["area_id", "scenarios", "below", "p_below", "mean_fulfilment"])
    below = ful["fulfilment"] < threshold - 1e-9
    g = ful.assign(below=below).groupby("area_id")
    res = pd.DataFrame(
        {
            "scenarios": g.size(),
            "below": g["below"].sum().astype(int),
            "mean_fulfilment": g["fulfilment"].mean(),
        }
    )
    res["p_below"] = res["below"] / res["scenarios"]
    # ties (equal to within the solver's tolerances) go by area id, so equal plans rank alike
    res = res.reset_index().assign(_mf=res["mean_fulfilment"].round(6).to_numpy())
    res = res.sort_values(["p_below", "_mf", "area_id"], ascending=[False, True, True])
    return res[["area_id", "scenarios", "below", "p_below", "mean_fulfilment"]].reset_index(
        drop=True
    )


# ---------------------------------------------------------------------------- running
def run_serial(
    spec: SweepSpec, region: Region | None = None, *, limit: int | None = None
) -> pd.DataFrame:
    """Solve the scenarios of ``spec`` one by one in this process (the baseline; no Dask)."""
    problem, ctx, records = prepare_sweep(spec, region)
    rows = []
    for rec in records[:limit]:
        res = solve_record(problem, ctx, rec)
        rows.append({**rec, **res["row"]})
    return pd.DataFrame(rows)


def _cores() -> int:
    """Cores this process may use (the affinity mask where there is one, as in containers)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


def local_cluster(workers: int) -> Any:
    """A quiet Dask ``LocalCluster`` of ``workers`` single-threaded processes, as sweeps run
    on: no dashboard on the fixed port 8787 (a free port instead), no log lines."""
    import logging

    from dask.distributed import LocalCluster

    return LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": ":0"},  # no fixed port 8787
        silence_logs=logging.CRITICAL,
    )


@contextlib.contextmanager
def _client(scheduler: str | None, workers: int | None) -> Iterator[Any]:
    try:
        from dask.distributed import Client
    except ImportError as exc:  # pragma: no cover - dask is a dependency
        msg = "sweeps need dask.distributed: pip install 'dask[distributed]'"
        raise FoodshedError(msg) from exc
    if scheduler:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError, ValueError) as exc:  # ValueError: not an address
            msg = (
                f"could not reach the Dask scheduler at {scheduler!r} ({exc}; an address looks "
                "like tcp://host:8786). Start one with "
                "`dask scheduler` and workers with `dask worker ADDRESS`, or leave out "
                "--scheduler for a local cluster"
            )
            raise FoodshedError(msg) from exc
        try:
            yield client
        finally:
            client.close()
        return
    n = workers if workers is not None else _cores()
    if n < 1:
        msg = f"--workers must be at least 1; got {n}"
        raise FoodshedError(msg)
    cluster = local_cluster(n)
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def run_sweep(
    spec: SweepSpec | str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    resume: bool = False,
    region: Region | None = None,
    client: Any = None,
    progress: Callable[[int, int, dict[str, Any] | None], None] | None = None,
    max_results: int | None = None,
    batch_size: int | None = None,
    flush_s: float = 2.0,
    force: bool = False,
    preparing: Callable[[int, int], None] | None = None,
    _task: Callable[..., dict[str, Any]] | None = None,
) -> SweepResult:
    """Run a sweep on Dask and stream the KPI rows to ``out``.

    Parameters
    ----------
    spec
        A :class:`SweepSpec` or the path of a spec TOML file.
    out
        Output folder: ``sweep.json``, ``scenarios.parquet``, ``results/part-*.parquet`` (KPIs
        per scenario), ``fulfilment/part-*.parquet`` (vulnerable areas), ``summary.json``.
    scheduler
        Address of a running Dask scheduler (``tcp://host:8786``); default a ``LocalCluster``
        of ``workers`` processes (the machine's core count) with one thread each.
    resume
        Skip scenarios whose results are already in ``out``; without it a folder that holds
        results is an error.
    client
        An existing ``dask.distributed.Client`` to use (``scheduler``/``workers`` ignored).
    progress
        Called as ``progress(done, total, row)`` after each finished scenario (and once at the
        start with ``row=None``).
    max_results
        Stop (as an interrupt would) after this many results: for tests and trial runs.
    force
        Use ``out`` even when it holds other files (they are removed), or start an earlier
        sweep there over. Without it, ``out`` must be new, empty or a sweep folder (the output
        policy of every command, :mod:`equity._output`).
    preparing
        Called as ``preparing(done, total)`` while the spec is expanded into scenario records
        (every 1,000 records), before any solve.
    """
    t0 = time.perf_counter()
    if not isinstance(spec, SweepSpec):
        spec = SweepSpec.from_toml(spec)
    out = Path(out)
    check_output_dir(out, command="sweep", force=force, in_place=True)  # before any work
    problem, ctx, records = prepare_sweep(spec, region, progress=preparing)
    _start_out(out, spec, records, resume, force, ctx.estimated)
    done = _done_ids(out) if resume else set()
    todo = [r for r in records if r["scenario_id"] not in done]
    result = SweepResult(out=out, total=len(records), skipped=len(records) - len(todo))
    if progress:
        progress(result.skipped, result.total, None)
    if todo:
        task = _task or solve_record
        size = batch_size or spec.batch_size
        if client is not None:
            _run_on(
                client, task, problem, ctx, todo, out, result, progress, max_results, size, flush_s
            )
        else:
            with _client(scheduler, workers) as cl:
                _run_on(
                    cl, task, problem, ctx, todo, out, result, progress, max_results, size, flush_s
                )
    result.elapsed_s = time.perf_counter() - t0
    if result.complete:
        frame = read_sweep(out)
        summary = summarize_sweep(frame, spec=spec, as_json=True)
        summary["estimated_inputs"] = dict(ctx.estimated)
        risk = area_risk(out, threshold=spec.resilience.threshold)
        summary["areas_at_risk"] = json.loads(
            risk.head(50).to_json(orient="records", double_precision=6)
        )
        _write_json(out / "summary.json", summary)
    return result


def _run_on(
    client: Any,
    task: Callable[..., dict[str, Any]],
    problem: AllocationProblem,
    ctx: SweepContext,
    todo: list[dict[str, Any]],
    out: Path,
    result: SweepResult,
    progress: Callable[[int, int, dict[str, Any] | None], None] | None,
    max_results: int | None,
    batch_size: int,
    flush_s: float,
) -> None:
    from dask.distributed import as_completed

    nworkers = max(1, len(client.nthreads()))
    result.workers = nworkers
    # the base problem and context go to every worker once, not with each task
    problem_f = client.scatter(problem, broadcast=True)
    ctx_f = client.scatter(ctx, broadcast=True)
    window = max(8, 4 * nworkers)
    queue = iter(todo)
    by_key: dict[str, dict[str, Any]] = {}

    def submit_next() -> Any:
        rec = next(queue, None)
        if rec is None:
            return None
        fut = client.submit(
            task,
            problem_f,
            ctx_f,
            rec,
            key=f"sweep-{rec['scenario_id']}-{uuid.uuid4().hex[:6]}",
            pure=False,
        )
        by_key[fut.key] = rec
        return fut

    first = [f for f in (submit_next() for _ in range(window)) if f is not None]
    batch: list[tuple[dict[str, Any], dict[str, Any]]] = []
    last_flush = time.monotonic()
    finished = 0
    ac = as_completed(first)
    try:
        for fut in ac:
            rec = by_key.pop(fut.key)
            if fut.status == "finished":
                batch.append((rec, fut.result()))
                result.solved += 1
                finished += 1
                row = batch[-1][1]["row"]
            else:
                exc = fut.exception()
                result.failed[rec["scenario_id"]] = f"{type(exc).__name__}: {exc}"
                row = None
            fut.release()
            if len(batch) >= batch_size or time.monotonic() - last_flush >= flush_s:
                _write_batch(out, batch)
                batch, last_flush = [], time.monotonic()
            if progress:
                progress(result.skipped + result.solved, result.total, row)
            if max_results is not None and finished >= max_results:
                result.interrupted = True
                break
            nxt = submit_next()
            if nxt is not None:
                ac.add(nxt)
    except KeyboardInterrupt:
        result.interrupted = True
        raise
    finally:
        _write_batch(out, batch)  # whatever finished is kept, even on an interrupt
        for f in list(ac.futures) if hasattr(ac, "futures") else []:
            with contextlib.suppress(Exception):
                f.cancel()
        with contextlib.suppress(Exception):
            client.cancel([problem_f, ctx_f])


# ---------------------------------------------------------------------------- summary
def _wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return float("nan"), float("nan")
    p = k / n
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, mid - half), min(1.0, mid + half)


def grid_columns(frame: pd.DataFrame) -> list[str]:
    """The ``p.`` columns of a sweep table that are constant within each grid point (the
    ``[vary]`` parameters, as opposed to the drawn ones)."""
    cols = [c for c in frame.columns if c.startswith("p.")]
    if "grid_point" in frame.columns and len(frame):
        by = frame.groupby("grid_point")
        cols = [c for c in cols if (by[c].nunique(dropna=False) <= 1).all()]
    return cols


def pareto_frontier(
    frame: pd.DataFrame, x: str = "need_met_share", y: str | None = None
) -> pd.DataFrame:
    """Rows not dominated in (``x``, ``y``), both to be maximised, sorted by ``x``.

    ``y`` defaults to the smallest fulfilment among areas some site can reach
    (``min_fulfilment_reachable``; an area out of every site's reach is 0 in every plan).
    """
    if y is None:
        y = "min_fulfilment_reachable"
        if y not in frame.columns or frame[y].isna().all():
            y = "min_fulfilment"
    f = frame.dropna(subset=[x, y])
    if f.empty:
        return f
    order = f.sort_values([x, y], ascending=[False, False])
    keep, best_y = [], -np.inf
    for idx, yv in zip(order.index, order[y].to_numpy(), strict=True):
        if yv > best_y + 1e-12:
            keep.append(idx)
            best_y = yv
    return f.loc[keep].sort_values(x).reset_index(drop=True)


def estimated_tables(frame: pd.DataFrame) -> str:
    """The input tables a sweep's plans estimated (its rows' ``estimated`` column): "need,
    supply", or "" when they rest on the region's own data (or the rows predate the column)."""
    if "estimated" not in frame.columns:
        return ""
    tables = {t.strip() for v in frame["estimated"].dropna() for t in str(v).split(",")}
    return ", ".join(sorted(t for t in tables if t))


def summarize_sweep(
    frame: pd.DataFrame,
    *,
    spec: SweepSpec | None = None,
    threshold: float | None = None,
    grid: list[str] | None = None,
    as_json: bool = False,
) -> dict[str, Any]:
    """KPI distributions, the efficiency/equity frontier and resilience of a finished sweep.

    ``frame`` is :func:`read_sweep`'s table. Resilience is, per grid point (and overall), the
    share of draws in which any vulnerable (by default LILA) area's fulfilment falls below
    ``threshold`` (default: the spec's), with a 95% Wilson interval; since that happens exactly
    when the smallest vulnerable fulfilment is below it, any threshold can be asked afterwards.
    Grid points are the ``grid`` parameters (default: the spec's ``[vary]``, else the ``p.``
    columns constant within each ``grid_point``).
    """
    t = threshold if threshold is not None else (spec.resilience.threshold if spec else 0.5)
    ok = frame[frame["status"].isin(["optimal", "time_limit"])] if len(frame) else frame
    if grid is None and spec is not None:
        grid = list(spec.vary)
    grid_cols = [f"p.{k}" for k in grid] if grid is not None else grid_columns(frame)
    kpis = [k for k in SUMMARY_KPIS if k in ok.columns]
    dist = ok[kpis].describe(percentiles=[0.05, 0.25, 0.5, 0.75, 0.95]).T if kpis else None
    frontier = pareto_frontier(ok) if len(ok) else ok
    res_rows = []
    groups = ok.groupby(grid_cols, dropna=False) if grid_cols else [((), ok)]
    for key, g in groups:
        key = key if isinstance(key, tuple) else (key,)
        v = g["vulnerable_min_fulfilment"].to_numpy(dtype=float)
        v = v[np.isfinite(v)]
        k = int((v < t - 1e-9).sum())
        lo, hi = _wilson(k, len(v))
        res_rows.append(
            {
                **dict(zip(grid_cols, key, strict=True)),
                "draws": len(v),
                "p_any_below": k / len(v) if len(v) else float("nan"),
                "p_low": lo,
                "p_high": hi,
                "mean_areas_below": float(g["vulnerable_below_threshold"].clip(lower=0).mean()),
                "need_met_share_mean": float(g["need_met_share"].mean()),
            }
        )
    resilience = pd.DataFrame(res_rows)
    v_all = ok["vulnerable_min_fulfilment"].to_numpy(dtype=float) if len(ok) else np.zeros(0)
    v_all = v_all[np.isfinite(v_all)]
    k_all = int((v_all < t - 1e-9).sum())
    out: dict[str, Any] = {
        "scenarios": len(frame),
        "solved": len(ok),
        # which numbers the plans rest on are documented estimates ("need, supply"; "": none)
        "estimated": estimated_tables(frame),
        "errors": int((frame["status"] == "error").sum()) if len(frame) else 0,
        "threshold": t,
        "flag": spec.resilience.flag if spec else None,
        "p_any_below_overall": k_all / len(v_all) if len(v_all) else float("nan"),
        "p_any_below_overall_ci95": list(_wilson(k_all, len(v_all))),
        "distributions": dist,
        "frontier": frontier,
        "resilience": resilience,
    }
    if as_json:
        out["distributions"] = (
            {} if dist is None else json.loads(dist.to_json(orient="index", double_precision=6))
        )
        keep = [
            "scenario_id",
            *grid_cols,
            *[c for c in frame.columns if c.startswith("p.") and c not in grid_cols],
        ]
        keep += ["need_met_share", "min_fulfilment", "min_fulfilment_reachable"]
        keep += ["gini_fulfilment", "transport_cost_usd", "spoiled_kg", "end_stock_kg"]
        fr = frontier[[c for c in dict.fromkeys(keep) if c in frontier.columns]]
        out["frontier"] = json.loads(fr.to_json(orient="records", double_precision=6))
        out["resilience"] = json.loads(resilience.to_json(orient="records", double_precision=6))
    return out


__all__ += [
    "KPI_COLUMNS",
    "NetworkFamily",
    "estimated_tables",
    "grid_columns",
    "SweepContext",
    "pareto_frontier",
    "read_fulfilment",
    "vulnerable_mask",
]

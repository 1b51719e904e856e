"""CBC/Clp through an MPS file (written by HiGHS) and the ``cbc`` command line.

The binary is ``cbc`` on the PATH, else the one bundled with PuLP 3.x (PuLP 4 moves it to the
``pulp[cbc]`` extra). Lexicographic stages re-solve with the previous objective as a row.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from .._lp import BackendResult, LinearProgram, SolveStatus, Stage, stage_bound
from ._highs import _to_highs_lp, new_highs

__all__ = ["CbcBackend", "cbc_path"]


def cbc_path() -> str | None:
    """Path of a CBC binary, or ``None`` when there is none."""
    found = shutil.which("cbc")
    if found:
        return found
    try:
        from pulp.apis import coin_api
    except ImportError:  # pragma: no cover - pulp is a dependency
        return None
    path = getattr(coin_api, "pulp_cbc_path", None)
    if path and os.path.isfile(path) and os.access(path, os.X_OK):
        return str(path)
    return None


def write_mps(lp: LinearProgram, path: str | os.PathLike[str]) -> Path:
    """Write ``lp`` as a free MPS file (rows ``r0..``, columns ``c0..``)."""
    h = new_highs()
    h.passModel(_to_highs_lp(lp))
    h.writeModel(str(path))
    return Path(path)


def _read_solution(path: Path, n_rows: int, n_cols: int) -> tuple[str, np.ndarray, np.ndarray]:
    lines = path.read_text().splitlines()
    head = lines[0] if lines else ""
    x = np.zeros(n_cols)
    dual = np.zeros(n_rows)
    for line in lines[1:]:
        parts = line.replace("**", " ").split()
        if len(parts) < 4:
            continue
        name, value, red = parts[1], float(parts[2]), float(parts[3])
        if name.startswith("c"):
            x[int(name[1:])] = value
        elif name.startswith("r"):
            dual[int(name[1:])] = red
    return head, x, dual


def _status(head: str, has_values: bool) -> SolveStatus:
    h = head.lower()
    if h.startswith("optimal"):
        return SolveStatus.OPTIMAL
    if "infeasible" in h:
        return SolveStatus.INFEASIBLE
    if "unbounded" in h:
        return SolveStatus.UNBOUNDED
    if h.startswith("stopped"):
        return SolveStatus.TIME_LIMIT if has_values else SolveStatus.NO_SOLUTION
    return SolveStatus.ERROR


class CbcBackend:
    """CBC (Clp for LPs) via an MPS file."""

    name = "cbc"

    def available(self) -> bool:
        return cbc_path() is not None

    def solve(
        self,
        lp: LinearProgram,
        stages: list[Stage],
        *,
        time_limit_s: float | None = None,
        options: dict[str, Any] | None = None,
    ) -> BackendResult:
        from equity import FoodshedError

        exe = cbc_path()
        if exe is None:
            msg = "no CBC binary found: install `cbc` (e.g. apt install coinor-cbc) or use solver='highs'"
            raise FoodshedError(msg)
        times = {"handoff": 0.0, "solve": 0.0, "read_back": 0.0}
        values: list[float] = []
        stage_duals: list[np.ndarray | None] = []
        status = SolveStatus.ERROR
        x = dual = None
        head = ""
        deadline = None if time_limit_s is None else time.perf_counter() + time_limit_s
        current = lp
        with tempfile.TemporaryDirectory(prefix="foodshed-cbc-") as tmp:
            for i, stage in enumerate(stages):
                if i > 0:
                    prev = stages[i - 1]
                    current = current.with_row(prev.c, -np.inf, stage_bound(values[-1], prev))
                model = current.with_cost(stage.c)
                t0 = time.perf_counter()
                mps = write_mps(model, Path(tmp) / f"stage{i}.mps")
                sol = Path(tmp) / f"stage{i}.sol"
                times["handoff"] += time.perf_counter() - t0
                cmd = [exe, str(mps)]
                if deadline is not None:
                    cmd += ["-sec", f"{max(deadline - time.perf_counter(), 0.01):.3f}"]
                for k, v in (options or {}).items():
                    cmd += [f"-{k}", str(v)]
                cmd += ["-solve" if lp.is_mip else "-dualS", "-printingOptions", "all"]
                cmd += ["-solu", str(sol)]
                t1 = time.perf_counter()
                run = subprocess.run(cmd, capture_output=True, text=True, check=False)
                times["solve"] += time.perf_counter() - t1
                t2 = time.perf_counter()
                if not sol.exists():
                    status = SolveStatus.ERROR
                    head = (run.stdout + run.stderr)[-500:]
                    break
                head, x, dual = _read_solution(sol, current.n_rows, lp.n_cols)
                times["read_back"] += time.perf_counter() - t2
                status = _status(head, True)
                if not status.has_solution:
                    x = dual = None
                    break
                values.append(float(np.dot(stage.c, x)))
                stage_duals.append(None if lp.is_mip else dual[: lp.n_rows])
                if status is not SolveStatus.OPTIMAL:
                    break
        return BackendResult(
            status=status,
            x=x,
            objective=values[-1] if values else None,
            row_dual=None if dual is None or lp.is_mip else dual[: lp.n_rows],
            solver="cbc",
            message=head,
            times_s=times,
            stage_objectives=values,
            stage_duals=stage_duals,
        )

"""The few calls the reports make into ``equity`` and ``optimize``, in one place.

Reports, the batch runner and ``foodshed demo`` go through these functions only, so a change in a
lower layer's names is fixed here once.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from equity import FoodshedError, Region

if TYPE_CHECKING:
    from optimize import AllocationSolution, Scenario

__all__ = [
    "analyze",
    "kpis_of",
    "load_scenario",
    "manifest_of",
    "objective_of",
    "region_of",
    "scenario_description",
    "scenario_name",
    "scenario_title",
    "solve",
    "status_of",
]


def analyze(region: Region) -> pd.DataFrame:
    """Every equity measure per area (``equity.analyze``)."""
    from equity import analyze as _analyze

    return _analyze(region)


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read and validate a scenario TOML file (``optimize.Scenario.from_toml``)."""
    import optimize

    p = Path(path)
    if not p.is_file():
        msg = f"{p}: no such scenario file; give the path of a .toml scenario"
        raise FoodshedError(msg)
    return optimize.Scenario.from_toml(p)


def region_of(scenario: Scenario, cache: dict[str, Region] | None = None) -> Region:
    """The region a scenario runs on, loaded once per distinct folder when ``cache`` is given."""
    key = scenario.region
    if key != "demo" and not Path(key).is_absolute() and scenario.base_dir:
        key = str(Path(scenario.base_dir) / key)
    if cache is not None and key in cache:
        return cache[key]
    region = scenario.load_region()
    if cache is not None:
        cache[key] = region
    return region


def solve(scenario: Scenario, region: Region) -> AllocationSolution:
    """Solve a scenario on ``region`` (``optimize.run_scenario``)."""
    import optimize

    return optimize.run_scenario(scenario, region=region)


def scenario_name(scenario: Scenario | None, fallback: str = "scenario") -> str:
    """The scenario's ``name`` (``fallback`` when there is no scenario)."""
    return scenario.name if scenario is not None else fallback


def scenario_title(scenario: Scenario | str | None, fallback: str = "scenario") -> str:
    """A scenario's name for people: ``hub_outage`` becomes ``Hub outage``."""
    name = scenario if isinstance(scenario, str) else scenario_name(scenario, fallback)
    if " " not in name and ("_" in name or name.islower()):
        name = name.replace("_", " ").replace("-", " ")
        name = name[:1].upper() + name[1:]
    return name


def scenario_description(scenario: Scenario | str | None) -> str:
    if scenario is None or isinstance(scenario, str):
        return ""
    return scenario.description


def objective_of(solution: AllocationSolution) -> str:
    """The objective the plan was solved for (an ``optimize.OBJECTIVES`` name)."""
    return solution.objective


def status_of(solution: AllocationSolution) -> str:
    """The solve status (an ``optimize.SolveStatus`` value such as ``"optimal"``)."""
    return solution.status.value


def manifest_of(solution: AllocationSolution) -> dict[str, Any]:
    """The solution's run manifest as plain JSON-able data."""
    return json.loads(json.dumps(solution.manifest, default=str))


def estimated_of(solution: AllocationSolution | None) -> dict[str, str]:
    """``{table: how it was estimated}`` for the inputs of a plan that are documented
    estimates (``manifest["estimated"]``; empty when the data had its own need and supply)."""
    est = solution.manifest.get("estimated") if solution is not None else None
    return {str(k): str(v) for k, v in (est or {}).items()}


def planned_region(region: Region, solution: AllocationSolution | None) -> Region:
    """The region as the plan saw it: with the estimated tables (``Region.with_estimates``,
    default assumptions) when the plan was built on estimates and ``region`` lacks them."""
    if estimated_of(solution) and len(region.commodities) == 0:
        return region.with_estimates()
    return region


def kpis_of(solution: AllocationSolution) -> dict[str, Any]:
    """The solution's KPIs (a copy)."""
    return dict(solution.kpis)

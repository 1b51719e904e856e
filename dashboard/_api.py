"""The few calls the reports make into ``equity`` and ``optimize``, in one place.

Reports, the batch runner and ``foodshed demo`` go through these functions only, so a change in a
lower layer's names is fixed here once.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

from equity import FoodshedError, Region

__all__ = [
    "analyze",
    "load_scenario",
    "manifest_of",
    "objective_of",
    "region_of",
    "scenario_name",
    "solve",
    "status_of",
]


def analyze(region: Region) -> pd.DataFrame:
    """Every equity measure per area (``equity.analyze``)."""
    import equity

    fn = getattr(equity, "analyze", None)
    if fn is None:
        msg = "this version of equity has no analyze(); update foodshed"
        raise FoodshedError(msg)
    return fn(region)


def load_scenario(path: str | os.PathLike[str]) -> Any:
    """Read and validate a scenario TOML file (``optimize.Scenario.from_toml``)."""
    import optimize

    p = Path(path)
    if not p.is_file():
        msg = f"{p}: no such scenario file; give the path of a .toml scenario"
        raise FoodshedError(msg)
    return optimize.Scenario.from_toml(p)


def region_of(scenario: Any, cache: dict[str, Region] | None = None) -> Region:
    """The region a scenario runs on, loaded once per distinct folder when ``cache`` is given."""
    loader = getattr(scenario, "load_region", None)
    spec = getattr(scenario, "region", None)
    if isinstance(spec, Region):
        return spec
    key = str(spec) if spec is not None else "demo"
    if key != "demo" and not Path(key).is_absolute():
        key = str(Path(getattr(scenario, "base_dir", None) or ".") / key)
    if cache is not None and key in cache:
        return cache[key]
    if callable(loader):
        region = loader()
    elif key == "demo":
        region = Region.demo()
    else:
        base = getattr(scenario, "path", None)
        folder = Path(key)
        if base is not None and not folder.is_absolute():
            folder = Path(base).parent / folder
        region = Region.from_dir(folder)
    if cache is not None:
        cache[key] = region
    return region


def solve(scenario: Any, region: Region) -> Any:
    """Solve a scenario on ``region`` (``optimize.run_scenario``)."""
    import optimize

    return optimize.run_scenario(scenario, region=region)


def scenario_name(scenario: Any, fallback: str = "scenario") -> str:
    name = getattr(scenario, "name", None)
    if name:
        return str(name)
    path = getattr(scenario, "path", None)
    return Path(path).stem if path else fallback


def scenario_title(scenario: Any, fallback: str = "scenario") -> str:
    """A scenario's name for people: ``hub_outage`` becomes ``Hub outage``."""
    name = scenario if isinstance(scenario, str) else scenario_name(scenario, fallback)
    if " " not in name and ("_" in name or name.islower()):
        name = name.replace("_", " ").replace("-", " ")
        name = name[:1].upper() + name[1:]
    return name


def scenario_description(scenario: Any) -> str:
    return str(getattr(scenario, "description", "") or "")


def objective_of(scenario: Any, solution: Any) -> str | None:
    for obj in (scenario, solution):
        value = getattr(obj, "objective", None)
        if value is not None:
            value = getattr(value, "value", value)
            return str(value)
    return None


def status_of(solution: Any) -> str:
    status = getattr(solution, "status", "unknown")
    if isinstance(status, enum.Enum) and isinstance(status.value, str):
        return status.value
    if isinstance(status, enum.Enum):
        return str(status.name).lower()
    return str(status)


def manifest_of(solution: Any) -> dict[str, Any]:
    """The solution's run manifest as plain JSON-able data (empty when it has none)."""
    m = getattr(solution, "manifest", None)
    if callable(m):
        m = m()
    if m is None:
        return {}
    if dataclasses.is_dataclass(m) and not isinstance(m, type):
        m = dataclasses.asdict(m)
    return json.loads(json.dumps(m, default=str))


def estimated_of(solution: Any) -> dict[str, str]:
    """``{table: how it was estimated}`` for the inputs of a plan that are documented
    estimates (``manifest["estimated"]``; empty when the data had its own need and supply)."""
    est = manifest_of(solution).get("estimated") if solution is not None else None
    return {str(k): str(v) for k, v in (est or {}).items()}


def planned_region(region: Region, solution: Any) -> Region:
    """The region as the plan saw it: with the estimated tables (``Region.with_estimates``,
    default assumptions) when the plan was built on estimates and ``region`` lacks them."""
    if estimated_of(solution) and len(region.commodities) == 0:
        return region.with_estimates()
    return region


def kpis_of(solution: Any) -> dict[str, Any]:
    k = getattr(solution, "kpis", None)
    if callable(k):
        k = k()
    if k is None:
        return {}
    if isinstance(k, pd.Series):
        return k.to_dict()
    if isinstance(k, pd.DataFrame):
        if {"kpi", "value"} <= set(k.columns):
            return dict(zip(k["kpi"], k["value"], strict=False))
        return k.iloc[0].to_dict() if len(k) else {}
    if dataclasses.is_dataclass(k) and not isinstance(k, type):
        return dataclasses.asdict(k)
    return dict(k)

"""Foodshed optimize: plan how food moves from sites to areas, fairly and cheaply.

The allocation LP is built once as arrays (:class:`AllocationProblem`), solved by one function
(:func:`solve`, or :func:`allocate` straight from a Region) with HiGHS, CBC or any PuLP solver,
and returned as an :class:`AllocationSolution`. Scenarios (TOML) bundle a region, an objective
and shocks; :func:`site_new` chooses where new sites should go; sweeps run many scenarios on
Dask (imported only when a sweep runs).
"""

from ._lp import LinearProgram, SolveStatus
from ._objectives import OBJECTIVES
from .api import allocate, efficiency_equity_curve
from .caches import reset_caches
from .catalogue import Objective, kpi_info
from .problem import AllocationProblem
from .scenario import Scenario, ScenarioError, run_scenario
from .shocks import (
    BudgetChange,
    DemandSurge,
    MaxDistance,
    ShockError,
    SiteOutage,
    YieldFactor,
)
from .siting import SitingResult, site_new
from .solution import AllocationSolution
from .solve import solve
from .sweep import SweepSpec, read_sweep, run_serial, run_sweep, summarize_sweep

__all__ = [
    "OBJECTIVES",
    "AllocationProblem",
    "AllocationSolution",
    "BudgetChange",
    "DemandSurge",
    "LinearProgram",
    "MaxDistance",
    "Objective",
    "Scenario",
    "ScenarioError",
    "ShockError",
    "SiteOutage",
    "SitingResult",
    "SolveStatus",
    "SweepSpec",
    "YieldFactor",
    "allocate",
    "efficiency_equity_curve",
    "read_sweep",
    "reset_caches",
    "kpi_info",
    "run_scenario",
    "run_serial",
    "run_sweep",
    "site_new",
    "solve",
    "summarize_sweep",
]

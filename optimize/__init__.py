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
from .network import InWeeks, NetworkProblem, NetworkSolution, allocate_network, solve_network
from .problem import AllocationProblem
from .rolling import RollingResult, plan_rolling
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
    "InWeeks",
    "LinearProgram",
    "MaxDistance",
    "NetworkProblem",
    "NetworkSolution",
    "Objective",
    "RollingResult",
    "Scenario",
    "ScenarioError",
    "ShockError",
    "SiteOutage",
    "SitingResult",
    "SolveStatus",
    "SweepSpec",
    "YieldFactor",
    "allocate",
    "allocate_network",
    "efficiency_equity_curve",
    "kpi_info",
    "plan_rolling",
    "read_sweep",
    "reset_caches",
    "run_scenario",
    "run_serial",
    "run_sweep",
    "site_new",
    "solve",
    "solve_network",
    "summarize_sweep",
]

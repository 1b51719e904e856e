"""Foodshed optimize: plan how food moves from sites to areas, fairly and cheaply.

The allocation LP is built once as arrays (:class:`AllocationProblem`), solved by one function
(:func:`solve`, or :func:`allocate` straight from a Region) with HiGHS, CBC or any PuLP solver,
and returned as an :class:`AllocationSolution`. Scenarios (TOML) bundle a region, an objective
and shocks; :func:`site_new` chooses where new sites should go.
"""

# --- allocator (issue 4) -------------------------------------------------------------------
from ._lp import LinearProgram, SolveStatus
from ._objectives import OBJECTIVES
from .api import allocate, efficiency_equity_curve
from .problem import AllocationProblem
from .scenario import Scenario, run_scenario
from .shocks import BudgetChange, DemandSurge, MaxDistance, SiteOutage, YieldFactor
from .siting import SitingResult, site_new
from .solution import AllocationSolution
from .solve import solve

__all__ = [
    "OBJECTIVES",
    "AllocationProblem",
    "AllocationSolution",
    "BudgetChange",
    "DemandSurge",
    "LinearProgram",
    "MaxDistance",
    "Scenario",
    "SiteOutage",
    "SitingResult",
    "SolveStatus",
    "YieldFactor",
    "allocate",
    "efficiency_equity_curve",
    "run_scenario",
    "site_new",
    "solve",
]
# --- end allocator -------------------------------------------------------------------------

# --- sweeps on Dask (branch `sweep`; Dask is imported only when a sweep runs) ---------------
from .sweep import SweepSpec, read_sweep, run_serial, run_sweep, summarize_sweep

__all__ += ["SweepSpec", "read_sweep", "run_serial", "run_sweep", "summarize_sweep"]
# --- end sweeps ------------------------------------------------------------------------------

# --- the network over weeks (branch `network`) ----------------------------------------------
from .network import (  # noqa: E402
    InWeeks,
    NetworkProblem,
    NetworkSolution,
    allocate_network,
    solve_network,
)
from .rolling import RollingResult, plan_rolling  # noqa: E402

__all__ += [
    "InWeeks",
    "NetworkProblem",
    "NetworkSolution",
    "RollingResult",
    "allocate_network",
    "plan_rolling",
    "solve_network",
]
# --- end network ------------------------------------------------------------------------------

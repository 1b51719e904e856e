"""What a plan's numbers mean: the KPI catalogue, the per-area plan columns and the objectives.

Every KPI that :attr:`AllocationSolution.kpis <optimize.AllocationSolution>` reports, every
column a sweep row (:func:`optimize.read_sweep`), a sweep summary or the efficiency/equity curve
adds, and every column of a plan's per-area table has one entry here: a plain-word label, unit,
direction, format and definition (an :class:`equity.catalogue.Measure`). :data:`OBJECTIVES` is
the one description of each objective. Screens, reports and command-line tables read these;
nothing above ``optimize`` keeps a label table of its own.

>>> kpi_info("mean_fulfilment").label
'Average share of need met, per resident'
>>> kpi_info("need_met_share").format(0.6543), kpi_info("transport_cost_usd").format(39775.1)
('65.4%', '$39,775')
"""

from __future__ import annotations

from .kpis import (
    CURVE_COLUMNS,
    FULFILMENT,
    KPIS,
    NETWORK_KPIS,
    PLAN_COLUMNS,
    SWEEP_COLUMNS,
    kpi_info,
    measure_info,
)
from .objectives import OBJECTIVES, Objective
from .plain_words import SHOCK_TITLES, describe_shock, limit_worth

__all__ = [
    "CURVE_COLUMNS",
    "FULFILMENT",
    "KPIS",
    "NETWORK_KPIS",
    "OBJECTIVES",
    "PLAN_COLUMNS",
    "SHOCK_TITLES",
    "SWEEP_COLUMNS",
    "Objective",
    "describe_shock",
    "kpi_info",
    "limit_worth",
    "measure_info",
]

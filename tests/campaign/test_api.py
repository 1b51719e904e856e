"""Campaign: the Python API (``optimize.allocate``) with bad settings raises the project's own
error or returns a plan that adds up."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import pytest

from tests.campaign.harness import Case, log, make_work

pytestmark = pytest.mark.slow


def _api_region(tmp: Path):
    from equity import Region

    w = make_work(tmp)
    return Region.from_dir(w / "small")


API_CASES = {
    "time-limit-nan": {"time_limit_s": float("nan")},
    "time-limit-neg": {"time_limit_s": -1.0},
    "time-limit-0": {"time_limit_s": 0.0},
    "time-limit-inf": {"time_limit_s": float("inf")},
    "objective-unknown": {"objective": "greed"},
    "period-unknown": {"period": "monsoon"},
    "distance-nan": {"max_distance_m": float("nan")},
    "distance-neg": {"max_distance_m": -1.0},
    "budget-nan": {"budget_usd": float("nan")},
    "budget-neg": {"budget_usd": -5.0},
    "cost-inf": {"cost_per_kg_km": float("inf")},
    "solver-unknown": {"solver": "nope"},
    "param-unknown": {"bogus": 1},
    "band-nan": {"objective": "fair_share", "fair_share_band": float("nan")},
    "weight-neg": {"objective": "balanced", "equity_weight": -1.0},
}


@pytest.mark.parametrize("kw", API_CASES.values(), ids=[f"api-{k}" for k in API_CASES])
def test_api_allocate_refuses_or_plans(kw, tmp_path: Path) -> None:
    """``optimize.allocate`` raises the project's own error or returns a plan that adds up."""
    from equity import FoodshedError
    from optimize import allocate

    region = _api_region(tmp_path)
    reason = ""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            sol = allocate(region, **kw)
    except FoodshedError:
        pass
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"
    else:
        k = sol.kpis
        # NaN is documented for the *_lila KPIs of a plan without LILA areas (docs/optimize.md)
        bad = [
            n
            for n, v in k.items()
            if isinstance(v, float)
            and not math.isfinite(v)
            and not (n.endswith("_lila") and k.get("areas_lila") == 0 and math.isnan(v))
        ]
        if bad:
            reason = f"non-finite KPIs {bad}"
        elif k.get("need_met_kg") is not None and abs(
            float(sol.flows["met_kg"].sum()) - k["need_met_kg"]
        ) > 1e-3 * max(1.0, k["need_kg"]):
            reason = "flows disagree with need_met_kg"
    log(Case(f"api-{next(n for n, v in API_CASES.items() if v is kw)}", "crash", []), reason)
    assert not reason, reason

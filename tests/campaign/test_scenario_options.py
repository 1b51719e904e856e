"""Campaign: scenario TOML files and command-line options of the wrong type or value, missing
files and folders: an error in plain words, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.campaign.harness import ROOT, Cases, Outcome, in_process_test, says
from tests.campaign.setups import SCENARIO, write

pytestmark = pytest.mark.slow

CASES = Cases()
add, add_out = CASES.add, CASES.add_out

# -- crashes: scenario TOML
BAD_SCENARIOS = {
    "name-int": "name = 5\nregion = 'small'\n",
    "region-int": "name = 'x'\nregion = 5\n",
    "region-missing": "name = 'x'\nregion = 'nowhere'\n",
    "region-outside": "name = 'x'\nregion = '/proc'\n",
    "region-empty": "name = 'x'\nregion = ''\n",
    "period-int": "name = 'x'\nregion = 'small'\nperiod = 5\n",
    "period-unknown": "name = 'x'\nregion = 'small'\nperiod = 'monsoon'\n",
    "objective-unknown": "name = 'x'\nregion = 'small'\nobjective = 'greed'\n",
    "objective-list": "name = 'x'\nregion = 'small'\nobjective = ['cost']\n",
    "solver-unknown": "name = 'x'\nregion = 'small'\nsolver = 'nope'\n",
    "solver-pulp-unknown": "name = 'x'\nregion = 'small'\nsolver = 'pulp:NOPE'\n",
    "solver-pulp-empty": "name = 'x'\nregion = 'small'\nsolver = 'pulp:'\n",
    "params-unknown": "name = 'x'\nregion = 'small'\n[params]\nbogus = 1\n",
    "band-neg": "name = 'x'\nregion = 'small'\nobjective = 'fair_share'\n[params]\n"
    "fair_share_band = -1\n",
    "weight-2": "name = 'x'\nregion = 'small'\nobjective = 'balanced'\n[params]\n"
    "equity_weight = 2\n",
    "distance-neg": "name = 'x'\nregion = 'small'\n[network]\nmax_distance_m = -5\n",
    "distance-0": "name = 'x'\nregion = 'small'\n[network]\nmax_distance_m = 0\n",
    "cost-text": "name = 'x'\nregion = 'small'\n[network]\ncost_per_kg_km = 'a'\n",
    "budget-neg": "name = 'x'\nregion = 'small'\n[network]\nbudget_usd = -1\n",
    "budget-nan": "name = 'x'\nregion = 'small'\n[network]\nbudget_usd = nan\n",
    "shocks-string": "name = 'x'\nregion = 'small'\nshocks = 'x'\n",
    "shock-unknown-kind": "name = 'x'\nregion = 'small'\n[[shocks]]\nkind = 'meteor'\n",
    "shock-no-kind": "name = 'x'\nregion = 'small'\n[[shocks]]\nfactor = 1\n",
    "shock-factor-1000": "name = 'x'\nregion = 'small'\n[[shocks]]\nkind = 'yield_factor'\n"
    "factor = 1000\n",
    "shock-factor-neg": "name = 'x'\nregion = 'small'\n[[shocks]]\nkind = 'demand_surge'\n"
    "factor = -1\n",
    "shock-unknown-site": "name = 'x'\nregion = 'small'\n[[shocks]]\nkind = 'site_outage'\n"
    "site_ids = ['zz']\n",
    "shock-unknown-area-col": "name = 'x'\nregion = 'small'\n[[shocks]]\nkind = 'demand_surge'\n"
    "factor = 2\narea_column = 'nope'\nat_least = 1\n",
    "shock-unknown-food": "name = 'x'\nregion = 'small'\n[[shocks]]\nkind = 'yield_factor'\n"
    "factor = 2\ncommodities = ['caviar']\n",
    "unknown-top-key": "name = 'x'\nregion = 'small'\ncolour = 'red'\n",
    "bad-toml": "name = 'x\nregion = [",
    "empty": "",
    "garbage": bytes(range(256)),
    "utf16": "name = 'x'\nregion = 'small'\n".encode("utf-16"),
    "solver-not-installed": SCENARIO + 'solver = "pulp:GLPK_CMD"\n',
    # second wave: plans over weeks, and true/false where a number is due (pydantic read
    # true as 1: a budget of $1, a reach of 1 m, one week; weeks = 1e8 ran out of memory)
    "weeks-0": "name = 'x'\nregion = 'small'\nweeks = 0\n",
    "weeks-huge": "name = 'x'\nregion = 'small'\nweeks = 100000000\n",
    "weeks-53": "name = 'x'\nregion = 'small'\nweeks = 53\n",
    "weeks-true": "name = 'x'\nregion = 'small'\nweeks = true\n",
    "budget-true": "name = 'x'\nregion = 'small'\n[network]\nbudget_usd = true\n",
    "distance-true": "name = 'x'\nregion = 'small'\n[network]\nmax_distance_m = true\n",
    "time-limit-true": "name = 'x'\nregion = 'small'\ntime_limit_s = true\n",
    "shock-weeks-true": "name = 'x'\nregion = 'small'\nweeks = 2\n[[shocks]]\n"
    "kind = 'site_outage'\nsite_ids = ['h1']\nweeks = [true]\n",
    "shock-week-beyond": "name = 'x'\nregion = 'small'\nweeks = 2\n[[shocks]]\n"
    "kind = 'site_outage'\nsite_ids = ['h1']\nweeks = [5]\n",
    "shock-week-0": "name = 'x'\nregion = 'small'\nweeks = 2\n[[shocks]]\n"
    "kind = 'site_outage'\nsite_ids = ['h1']\nweeks = [0]\n",
    "profile-short": "name = 'x'\nregion = 'small'\nweeks = 3\nsupply_profile = [1, 1]\n",
    "profile-nan": "name = 'x'\nregion = 'small'\nweeks = 2\nneed_profile = [1, nan]\n",
    "transfer-neg": "name = 'x'\nregion = 'small'\nweeks = 2\n[network]\nmax_transfer_m = -5\n",
    "maxmin-over-year": "name = 'x'\nregion = 'small'\nweeks = 2\nobjective = 'maxmin'\n"
    "[params]\nmaxmin_over = 'year'\n",
    "roads-missing": "name = 'x'\nregion = 'small'\nweeks = 2\n[network]\nroads = 'no.geojson'\n",
}
for bid, text in BAD_SCENARIOS.items():
    setup = write("b.toml", text)
    add_out(f"scenario-{bid}-allocate", "crash", ["allocate", "b.toml"], "error", setup=setup)
# --rolling: the same file errors, named by the scenario file (they were not)
for bid in ("weeks-0", "shock-week-beyond", "profile-short", "shock-unknown-site"):
    setup = write("b.toml", BAD_SCENARIOS[bid])
    add_out(
        f"scenario-{bid}-rolling",
        "crash",
        ["allocate", "b.toml", "--rolling"],
        "error",
        setup=setup,
        check=lambda w, o: "" if "b.toml" in o.err else f"the file is not named: {o.err[-200:]}",
    )
# third wave: `weeks = []` in a shock hit every week (read as no `weeks`), the opposite of
# what it says
empty_weeks = (
    "name = 'x'\nregion = 'small'\nweeks = 2\n[[shocks]]\nkind = 'site_outage'\n"
    "site_ids = ['h1']\nweeks = []\n"
)
CASES.add_plans(
    "scenario-shock-weeks-empty",
    "crash",
    "b.toml",
    "error",
    setup=write("b.toml", empty_weeks),
    check=says("weeks = [] names no week; leave it out to apply the shock to every week"),
)
for bid in ("garbage", "shock-unknown-kind", "region-missing", "period-unknown"):
    setup = write("b.toml", BAD_SCENARIOS[bid])
    add_out(f"scenario-{bid}-report", "crash", ["report", "b.toml"], "error", setup=setup)
#: Command lines refused before any work (a missing file, a bad option value): an error.
REFUSED = {
    "scenario-missing-file": ["allocate", "none.toml"],
    "scenario-is-folder": ["allocate", "keep"],
    "objective-cli-unknown": ["allocate", "s.toml", "--objective", "x"],
    "period-cli-unknown": ["allocate", "s.toml", "--period", "x"],
    "solver-cli-unknown": ["allocate", "s.toml", "--solver", "x"],
    "report-sweep-not-a-sweep": ["report", "s.toml", "--sweep", "keep"],
    "report-images-bad": ["report", "s.toml", "--images", "gif"],
    "report-plotly-bad": ["report", "s.toml", "--plotly-js", "cdn"],
    "analyze-by-unknown": ["analyze", "small", "--by", "nope"],
    "analyze-missing-folder": ["analyze", "nowhere"],
    "sweep-workers-0": ["sweep", "sw.toml", "--workers", "0"],
    "sweep-workers-neg": ["sweep", "sw.toml", "--workers", "-3"],
    "sweep-scheduler-bad": ["sweep", "sw.toml", "--scheduler", "nonsense"],
}
for cid, argv in REFUSED.items():
    add_out(cid, "crash", argv, "error")
setup = write("b.toml", bytes(range(256)))
add_out(
    "baseline-garbage", "crash", ["report", "s.toml", "--baseline", "b.toml"], "error", setup=setup
)
for solver in ("pulp:GLPK_CMD", "pulp:CPLEX_CMD", "pulp:NOPE", "pulp:", "highs:x", "cbc", "pulp"):
    expect = "any" if solver in ("cbc", "pulp") else "error"
    add_out(
        f"solver-cli-{solver.replace(':', '-')}",
        "crash",
        ["allocate", "s.toml", "--solver", solver],
        expect,
    )
add_out("allocate-region-and-scenario", "crash", ["allocate", "small", "s.toml"], "ok")
add_out("allocate-period-no-periods", "crash", ["allocate", "small", "--period", "summer"])


def _not_compared_across_regions(w: Path, o: Outcome) -> str:
    """A baseline of another region (the demo city) is no baseline for the small region."""
    page = w / "o" / "s.html"
    if o.rc == 0 and page.is_file() and "Compared with" in page.read_text(encoding="utf-8"):
        return "the report compares the plan with a baseline of another region"
    return ""


argv = ["report", "s.toml", "--baseline", str(ROOT / "optimize/scenarios/baseline.toml")]
add_out("report-baseline-other-region", "crash", argv, check=_not_compared_across_regions)
add("analyze-out-bad-ext", "crash", ["analyze", "small", "--out", "o.xlsx"], "any", out="o.xlsx")
add("validate-missing-folder", "crash", ["validate", "nowhere"], "error")
add("validate-a-file", "crash", ["validate", "user.txt"], "error")


test_case = in_process_test(CASES)

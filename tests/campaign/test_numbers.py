"""Campaign: nothing wrong. Time limits, shocks, reports of plans that move little or
nothing, tables of zeros: a written plan's figures must be its flows'."""

from __future__ import annotations

import pytest

from tests.campaign.harness import ROOT, Cases, in_process_test, says
from tests.campaign.setups import SCENARIO, areas_json, chain, edit, write

pytestmark = pytest.mark.slow

CASES = Cases()
add_out = CASES.add_out

# -- wrong numbers
for tl in ("1e-9", "0", "-1", "nan", "inf", "-inf", "1e300", "abc"):
    expect = "error" if tl in ("0", "-1", "nan", "-inf", "abc") else "any"
    add_out(f"time-limit-cli-{tl}", "numbers", ["allocate", "s.toml", "--time-limit", tl], expect)
# the demo's LP is big enough for a microsecond to stop HiGHS before any plan: exit 1, no figures
hub_outage = str(ROOT / "optimize/scenarios/hub_outage.toml")
argv = ["allocate", hub_outage, "--time-limit", "1e-6"]
add_out("time-limit-demo-no-plan", "numbers", argv, "error")
for tl in ("0", "-1", "nan", "inf", "1e-9", '"soon"', "1e300"):
    expect = "any" if tl in ("1e-9", "1e300") else "error"
    setup = write("t.toml", SCENARIO + f"time_limit_s = {tl}\n")
    add_out(
        f"time-limit-toml-{tl.strip(chr(34))}",
        "numbers",
        ["allocate", "t.toml"],
        expect,
        setup=setup,
    )
SHOCKS = {
    "cut-off": '[[shocks]]\nkind = "max_distance"\nmax_distance_m = 1\n',
    "outage-all-ids": '[[shocks]]\nkind = "site_outage"\nsite_ids = ["g1", "h1"]\n',
    "outage-g1": '[[shocks]]\nkind = "site_outage"\nsite_ids = ["g1"]\n',
    "outage-h1": '[[shocks]]\nkind = "site_outage"\nsite_ids = ["h1"]\n',
    "outage-hubs": '[[shocks]]\nkind = "site_outage"\nsite_kind = "hub"\n',
    "outage-two-shocks": '[[shocks]]\nkind = "site_outage"\nsite_ids = ["g1"]\n'
    '[[shocks]]\nkind = "site_outage"\nsite_ids = ["h1"]\n',
    "budget-0": '[[shocks]]\nkind = "budget_change"\nbudget_usd = 0\n',
    "budget-factor-0": '[network]\nbudget_usd = 10\n[[shocks]]\nkind = "budget_change"\n'
    "factor = 0\n",
    "budget-delta-neg": '[network]\nbudget_usd = 10\n[[shocks]]\nkind = "budget_change"\n'
    "delta_usd = -100\n",
    "yield-0": '[[shocks]]\nkind = "yield_factor"\nfactor = 0\n',
    "demand-0": '[[shocks]]\nkind = "demand_surge"\nfactor = 0\n',
    "demand-100": '[[shocks]]\nkind = "demand_surge"\nfactor = 100\n',
}
for sid, text in SHOCKS.items():
    for obj in ("cost", "coverage", "maxmin", "fair_share", "balanced"):
        if obj != "coverage" and sid not in ("cut-off", "budget-0", "yield-0", "demand-0"):
            continue
        sc = f'name = "x"\nregion = "small"\nobjective = "{obj}"\n' + text
        add_out(f"shock-{sid}-{obj}", "numbers", ["allocate", "x.toml"], setup=write("x.toml", sc))
#: Reports of plans that move little or nothing: what ``SCENARIO`` gets on top.
REPORTS = {
    "network-budget-0-report": "[network]\nbudget_usd = 0\n",
    "cut-off-report": SHOCKS["cut-off"],
    "outage-all-report": SHOCKS["outage-all-ids"],
    "report-yields-0": SHOCKS["yield-0"],
}
for cid, text in REPORTS.items():
    add_out(cid, "numbers", ["report", "x.toml"], setup=write("x.toml", SCENARIO + text))
#: Tables of zeros: the region file and what it holds instead.
ZEROS = {
    "yields-0-table": (
        "supply.csv",
        "site_id,commodity,period,quantity\ng1,kale,summer,0\nh1,rice,summer,0\n",
    ),
    "need-0-table": ("need.csv", "area_id,commodity,period,quantity\na0,kale,summer,0\n"),
}
for cid, (t, text) in ZEROS.items():
    add_out(cid, "numbers", ["allocate", "s.toml"], setup=edit(t, text))
no_plan = 'name = "t"\nregion = "demo"\nobjective = "maxmin"\ntime_limit_s = 1e-6\n'
add_out("report-no-plan", "numbers", ["report", "t.toml"], "error", setup=write("t.toml", no_plan))
# -- second wave: plans over weeks. A microsecond stops the demo's network LP with values that
# break its rows: it wrote "need met 719,561 kg" where its flows delivered 297,506 kg, exit 0
weeks_no_plan = 'name = "t"\nregion = "demo"\nweeks = 2\ntime_limit_s = 1e-6\n'
for cmd in ("allocate", "report"):
    add_out(
        f"weeks-time-limit-no-plan-{cmd}",
        "numbers",
        [cmd, "t.toml"],
        "error",
        setup=write("t.toml", weeks_no_plan),
    )
add_out(
    "weeks-time-limit-no-plan-rolling",
    "numbers",
    ["allocate", "t.toml", "--rolling"],
    "error",
    setup=write("t.toml", weeks_no_plan),
)
# CBC writes 8 significant digits: the weeks already done, held at exactly those values,
# made the re-plan of week 2 infeasible (`allocate --rolling` of the demo failed, exit 1)
cbc_weeks = 'name = "c"\nregion = "demo"\nweeks = 2\nsolver = "cbc"\n'
argv = ["allocate", "c.toml", "--rolling"]
add_out("weeks-rolling-cbc-demo", "numbers", argv, "ok", setup=write("c.toml", cbc_weeks))
# a region without residents: the report said "0 of them (nan%) live in food deserts"
nobody = edit("areas.geojson", areas_json(pops=[0.0, 0.0, 0.0]))
for cmd in ("analyze", "allocate", "report"):
    argv = ["analyze", "small"] if cmd == "analyze" else [cmd, "s.toml"]
    add_out(f"no-residents-{cmd}", "numbers", argv, "ok", setup=nobody)

# -- third wave: supply rows for a week past the plan's were left out without a word
WEEKLY = (
    "site_id,commodity,period,week,quantity\n"
    "g1,kale,summer,1,10\nh1,rice,summer,2,30\ng1,kale,summer,5,10\n"
)
two_weeks = write("t.toml", SCENARIO + "weeks = 2\n")
past = "1 supply row(s) for week(s) 5 are past the plan's 2 week(s) and not used"
setup = chain(edit("supply.csv", WEEKLY), two_weeks)
CASES.add_plans("weeks-past-horizon", "numbers", "t.toml", "ok", setup=setup, check=says(past))

# a one-period plan (no `weeks`) added every week's rows into its one week: it is week 1
add_out(
    "weeks-past-horizon-one-period",
    "numbers",
    ["allocate", "s.toml"],
    "ok",
    setup=edit("supply.csv", WEEKLY),
    check=says("2 supply row(s) for week(s) 2, 5 are past the plan's 1 week(s) and not used"),
)


test_case = in_process_test(CASES)

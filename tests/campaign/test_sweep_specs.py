"""Campaign: sweep specs that are too large, empty, backwards or no TOML at all."""

from __future__ import annotations

import pytest

from tests.campaign.harness import Cases, in_process_test
from tests.campaign.setups import write

pytestmark = pytest.mark.slow

CASES = Cases()
add_out = CASES.add_out

# -- crashes: sweep specs
BAD_SWEEPS = {
    "too-large": "[vary]\nbudget_usd = {start = 0, stop = 1e6, step = 1}\n"
    "yield_factor = {start = 0, stop = 10, num = 10000}\n[draw]\ncount = 1000000\n",
    "count-neg": "[draw]\ncount = -1\n",
    "count-0": "[draw]\ncount = 0\n",
    "count-text": "[draw]\ncount = 'many'\n",
    "range-descending": "[vary]\nbudget_usd = {start = 100, stop = 0, num = 3}\n",
    "step-0": "[vary]\nbudget_usd = {start = 0, stop = 100, step = 0}\n",
    "step-neg": "[vary]\nbudget_usd = {start = 0, stop = 100, step = -10}\n",
    "num-0": "[vary]\nbudget_usd = {start = 0, stop = 100, num = 0}\n",
    "range-huge": "[vary]\nbudget_usd = {start = 0, stop = 1e9, step = 1}\n",
    "range-nan": "[vary]\nbudget_usd = {start = nan, stop = 1, num = 2}\n",
    "list-empty": "[vary]\nbudget_usd = []\n",
    "value-neg": "[vary]\nbudget_usd = [-5]\n",
    "unknown-param": "[vary]\nwarp_speed = [1]\n",
    "unknown-kind": "[vary]\noutage_probability.castle = [0.5]\n",
    "prob-2": "[vary]\noutage_probability.hub = [2]\n",
    "uniform-backwards": "[random]\nyield_factor = {uniform = [1, 0]}\n",
    "normal-sd-neg": "[random]\ndemand_surge = {normal = [1, -1]}\n",
    "normal-unbounded": "[random]\ndemand_surge = {normal = [1, 2]}\n",
    "min-above-max": "[random]\ndemand_surge = {uniform = [0, 1], min = 2, max = 1}\n",
    "choice-empty": "[random]\ndemand_surge = {choice = []}\n",
    "resilience-flag": "[resilience]\nflag = 'nope'\n",
    "resilience-threshold": "[resilience]\nthreshold = 7\n",
    # true read as 1 (one draw) before the second wave
    "count-true": "[vary]\nbudget_usd = [0, 100]\n[draw]\ncount = true\n",
    "uniform-true": "[random]\nbudget_usd = {uniform = [true, 5]}\n",
    "weeks-100": "[vary]\nweeks = [2, 100]\n",
}
for bid, text in BAD_SWEEPS.items():
    spec = 'name = "b"\nbase = "s.toml"\n' + text
    expect = "any" if bid == "range-descending" else "error"  # a descending range is fine
    add_out(
        f"sweep-{bid}",
        "crash",
        ["sweep", "b.toml", "--workers", "1"],
        expect,
        setup=write("b.toml", spec),
    )
#: Sweep specs that are no spec: a base scenario that is not there, bytes that are no TOML.
for cid, text in {
    "sweep-base-missing": 'name = "b"\nbase = "none.toml"\n',
    "sweep-garbage": bytes(range(256)),
}.items():
    add_out(
        cid, "crash", ["sweep", "b.toml", "--workers", "1"], "error", setup=write("b.toml", text)
    )


test_case = in_process_test(CASES)

"""Campaign: nothing lost. Every command's ``--out`` (user folders and files, ``.``, ``..``,
unwritable places), re-runs and ``--force``, and scenario names that are paths or odd text."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.campaign.harness import Cases, Outcome, in_process_test, process_test
from tests.campaign.setups import write

pytestmark = pytest.mark.slow

CASES = Cases()
add, add_out = CASES.add, CASES.add_out

# -- data loss: where every command writes
OUT_CMDS = {
    "analyze": ["analyze", "small"],
    "allocate": ["allocate", "s.toml"],
    "report": ["report", "s.toml"],
    "sweep": ["sweep", "sw.toml", "--workers", "1"],
    "demo": ["demo"],
}
OUT_PLACES = {
    "user-folder": ("keep", "any"),
    "user-file": ("user.txt", "error"),
    "dot": (".", "any"),
    "parent": ("..", "any"),
    "unwritable": ("/proc/foodshed-campaign", "error"),
    "under-a-file": ("user.txt/sub", "error"),
}
for cmd, base in OUT_CMDS.items():
    for place, (out, expect) in OUT_PLACES.items():
        add(f"out-{cmd}-{place}", "loss", [*base, "--out", out], expect, out=None)
        if cmd == "demo":  # the demo as a real process
            CASES[-1].tags.add("process")
add(
    "out-analyze-user-csv",
    "loss",
    ["analyze", "small", "--out", "mine.csv"],
    "error",
    setup=write("mine.csv", "my,own\n1,2\n"),
)
for oid, out in {"new-csv": "new/areas.csv", "gpkg": "a.gpkg"}.items():
    add(f"out-analyze-{oid}", "loss", ["analyze", "small", "--out", out], "ok", out=out)
add("out-analyze-input-as-out", "loss", ["analyze", "small", "--out", "small/stores.csv"], "error")
add("out-allocate-into-region", "loss", ["allocate", "s.toml", "--out", "small"], "any")
add("out-report-into-region", "loss", ["report", "s.toml", "--out", "small"], "any")
for cmd in ("analyze", "allocate", "report", "sweep"):
    # a sweep's folder is resumed or started over, never silently: --resume or --force
    expect = "error" if cmd == "sweep" else "ok"
    add_out(f"rerun-{cmd}-own-output", "loss", OUT_CMDS[cmd], expect, tags={"rerun"})
resume = [*OUT_CMDS["sweep"], "--out", "o", "--resume"]
add("rerun-sweep-resume", "loss", resume, "ok", out="o", tags={"rerun"})
# -- second wave: links, long and Unicode names. A link to nowhere failed with a message
# naming the hidden temporary folder (".o.0a7c9c-11956-6ef017.tmp: Not a directory").
LONG, UNI = "x" * 300, "résultats/日本"
LINKS = {
    "dangling-link": (lambda w: (w / "lnk").symlink_to(w / "nowhere"), "error"),
    "link-to-user-folder": (lambda w: (w / "lnk").symlink_to(w / "keep"), "error"),
}
for cmd in ("allocate", "report", "analyze"):
    for lid, (make, expect) in LINKS.items():
        add(f"out-{cmd}-{lid}", "loss", [*OUT_CMDS[cmd], "--out", "lnk"], expect, setup=make)
    add(f"out-{cmd}-name-too-long", "loss", [*OUT_CMDS[cmd], "--out", LONG], "error")
    add(f"out-{cmd}-unicode", "loss", [*OUT_CMDS[cmd], "--out", UNI], "ok", out=UNI)
add(
    "out-analyze-link-to-user-file",
    "loss",
    ["analyze", "small", "--out", "lnk.csv"],
    "error",
    setup=lambda w: (w / "lnk.csv").symlink_to(w / "user.txt"),
)
# --force is documented to replace the folder
force = ["allocate", "s.toml", "--out", "keep", "--force"]
add("force-allocate-user-folder", "loss", force, "ok", out="keep", tags={"force"})

# -- data loss: scenario names
NAMES = {
    "dotdot-slash": "../escape",
    "slash": "a/b",
    "abs": "/tmp/foodshed-abs",
    "dotdot": "..",
    "dot": ".",
    "empty": "",
    "long": "x" * 300,
    "unicode": "Ünïcødé 食 ☃",
    "backslash": "a\\\\b",
    "space": " ",
    "nul": "a\\u0000b",
    "newline": "a\\nb",
}
for nid, name in NAMES.items():
    sc = f'name = "{name}"\nregion = "small"\nobjective = "coverage"\n'
    for cmd in ("allocate", "report"):
        add_out(f"name-{nid}-{cmd}", "loss", [cmd, "n.toml"], setup=write("n.toml", sc))


def _two_plans(w: Path, o: Outcome) -> str:
    if o.rc != 0:
        return ""
    plans = {p.parent for p in (w / "o").rglob("kpis.json")}
    htmls = [p for p in (w / "o").rglob("*.html") if p.name != "index.html"]
    if plans and len(plans) < 2:
        return f"two scenarios named alike, {len(plans)} plan written"
    if not plans and len(htmls) < 2:
        return f"two scenarios named alike, {len(htmls)} report written"
    return ""


#: A second scenario named as ``s.toml`` is, or the same but for case: two plans all the same.
TWINS = {
    "shared": ("t/s.toml", 'name = "s"\nregion = "../small"\nobjective = "cost"\n'),
    "case": ("u.toml", 'name = "S"\nregion = "small"\nobjective = "cost"\n'),
}
for cmd in ("allocate", "report"):
    for tid, (twin, text) in TWINS.items():
        argv = [cmd, "s.toml", twin]
        add_out(f"name-{tid}-{cmd}", "loss", argv, setup=write(twin, text), check=_two_plans)


test_case = in_process_test(CASES)

test_case_subprocess = process_test(CASES)

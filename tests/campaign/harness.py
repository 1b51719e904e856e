"""The harness of the hardening campaign of issue 12: "nothing lost, nothing wrong, nothing silent".

Every case runs the ``foodshed`` command (in process through :func:`dashboard.cli.main`, or as a
real subprocess where a signal, a server or the process's own stderr matters) or the Python API,
in a fresh temporary folder holding a small valid region (``small/``), a scenario (``s.toml``), a
sweep spec (``sw.toml``) and user files. A case FAILS when:

- a file that was there before is modified or removed (input files are hashed before and after),
  or a new file appears outside ``--out``;
- the output shows a Python traceback, "unexpected error", or a Python warning;
- it exits 0 where an error was due, or not 0 (or without a message) where success was;
- a written plan's numbers disagree with its flows (sum of flows ``met_kg`` against the KPI
  ``need_met_kg``, the fulfilment table, the share), or any written KPI is NaN or infinite;
- it hangs (an alarm, or a subprocess timeout).

``CAMPAIGN_LOG=path.jsonl`` appends one line per case (id, class, outcome, reason): the table of
docs/hardening.md is made from it. See that page for the classes and the latest result.

The cases live in ``tests/campaign/test_*.py``, one module per command or area; each module
gathers its cases in a :class:`Cases` list and runs them through :func:`check_in_process` (or
:func:`check_as_process` for those tagged ``process``).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import math
import os
import re
import signal
import subprocess
import sys
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from tests.campaign.setups import SCENARIO, SMALL, SWEEP, USER_FILES

ROOT = Path(__file__).resolve().parents[2]

# ------------------------------------------------------------------------------- the harness
#: Python's own exception names in what a user reads: an internal error, however it is worded.
PY_ERROR = re.compile(
    r"\b(TypeError|KeyError|ValueError|AttributeError|IndexError|ZeroDivisionError|"
    r"RuntimeError|AssertionError|NameError|UnboundLocalError|RecursionError|"
    r"NotImplementedError|PulpSolverError|ParserError|UnicodeDecodeError)\b"
)


class Hung(BaseException):
    """Raised by the alarm: not an ``Exception``, so the CLI's own handler cannot swallow it."""


@dataclass
class Outcome:
    rc: int | None
    out: str
    err: str
    crash: str = ""
    hung: bool = False


@dataclass
class Case:
    id: str
    kind: str  # the class: loss, numbers, crash
    argv: list[str]
    expect: str = "any"  # ok | error | any
    setup: Callable[[Path], None] | None = None
    out: str | None = None  # the --out path (relative to the work folder) new files may go to
    may_change: tuple[str, ...] = ()  # files the case is allowed to change (its own outputs)
    check: Callable[[Path, Outcome], str] | None = None
    tags: set[str] = field(default_factory=set)


def hashes(root: Path) -> dict[str, str]:
    found = {}
    for p in sorted(root.rglob("*")):
        if p.is_file() and not p.is_symlink():
            found[str(p.relative_to(root))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return found


def make_work(tmp: Path) -> Path:
    """``tmp/w`` with the small region, a scenario, a sweep spec and user files."""
    w = tmp / "w"
    for name, text in SMALL.items():
        (w / "small" / name).parent.mkdir(parents=True, exist_ok=True)
        (w / "small" / name).write_text(text, encoding="utf-8")
    (w / "s.toml").write_text(SCENARIO)
    (w / "sw.toml").write_text(SWEEP)
    for name, text in USER_FILES.items():
        (w / name).parent.mkdir(parents=True, exist_ok=True)
        (w / name).write_text(text)
    (tmp / "outside.txt").write_text("a file next to the work folder\n")
    return w


def run_inproc(argv: list[str], cwd: Path, capture, *, seconds: int = 120) -> Outcome:
    """``foodshed ARGV`` in this process, in ``cwd``, with an alarm after ``seconds``."""
    cli = importlib.import_module("dashboard.cli.main")  # the module: its _STATE and main

    def _alarm(*_):
        raise Hung

    old = os.getcwd()
    os.chdir(cwd)
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(seconds)
    rc, crash, hung = None, "", False
    shown: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as shown:
            warnings.simplefilter("always")
            cli._STATE["debug"] = False
            rc = cli.main(argv)
    except Hung:
        hung = True
    except BaseException:
        crash = traceback.format_exc()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        os.chdir(old)
    cap = capture.readouterr()
    # what Python would print on the user's terminal (DeprecationWarnings are hidden there)
    err = cap.err + "".join(
        warnings.formatwarning(m.message, m.category, m.filename, m.lineno)
        for m in shown
        if not issubclass(m.category, DeprecationWarning | PendingDeprecationWarning)
    )
    return Outcome(rc, cap.out, err, crash, hung)


def run_sub(argv: list[str], cwd: Path, *, timeout: float = 120) -> Outcome:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    try:
        p = subprocess.run(
            [sys.executable, "-m", "dashboard.cli", *argv],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        return Outcome(None, str(exc.stdout or ""), str(exc.stderr or ""), hung=True)
    return Outcome(p.returncode, p.stdout, p.stderr)


def plan_numbers(plan: Path) -> str:
    """'' when a written plan's KPIs agree with its flows; the disagreement otherwise."""
    kpis = json.loads((plan / "kpis.json").read_text())
    for k, v in kpis.items():
        if isinstance(v, float) and not math.isfinite(v):
            return f"{plan.name}/kpis.json: {k} = {v}"
    if kpis.get("status") not in ("optimal", "time_limit"):
        # no plan: no plan figures (the zero flows of a failed solve are not a plan)
        shown = [
            k
            for k in ("need_met_share", "need_met_kg", "min_fulfilment")
            if kpis.get(k) is not None
        ]
        return f"{plan.name}/kpis.json: {shown} without a plan" if shown else ""
    flows = pd.read_csv(plan / "flows.csv")
    ful = pd.read_csv(plan / "fulfilment.csv")
    met, need = kpis.get("need_met_kg"), kpis.get("need_kg")
    if met is None:
        return ""
    tol = 1e-3 * max(1.0, abs(need or 0))
    if abs(flows["met_kg"].sum() - met) > tol:
        return f"flows met {flows['met_kg'].sum()} kg but need_met_kg = {met}"
    if abs(ful["met_kg"].sum() - met) > tol:
        return f"fulfilment met {ful['met_kg'].sum()} kg but need_met_kg = {met}"
    share = kpis.get("need_met_share")
    if need and share is not None and abs(share - met / need) > 1e-6:
        return f"need_met_share {kpis['need_met_share']} but {met}/{need}"
    if (flows["quantity_kg"] < -1e-6).any():
        return "a negative flow"
    return ""


def _is_dir(p: Path) -> bool:
    """``p.is_dir()``, false for a name the system refuses (too long)."""
    try:
        return p.is_dir()
    except OSError:
        return False


def judge(case: Case, w: Path, before: dict[str, str], o: Outcome) -> str:
    """'' when the case passes, else why it fails."""
    text = o.out + o.err
    if o.hung:
        return "hung"
    if o.crash:
        return "exception escaped: " + o.crash.strip().splitlines()[-1]
    if "Traceback (most recent call last)" in text:
        return "traceback shown"
    if "unexpected error" in text:
        return "unexpected error: " + text[text.index("unexpected error") :][:200]
    leaked = PY_ERROR.search(text)
    if leaked:
        return "a Python error shown: " + text[max(0, leaked.start() - 60) :][:200]
    if "Warning:" in o.err:
        return "python warning shown: " + o.err[o.err.index("Warning:") - 40 :][:200]
    root = w.parent
    after = hashes(root)
    out_abs = (w / case.out).resolve() if case.out else None

    def owned(rel: str) -> bool:
        p = (root / rel).resolve()
        if any(p == (w / m).resolve() for m in case.may_change):
            return True
        if out_abs is None:
            return False
        if "killed" in case.tags and any(
            q.parent == out_abs.parent and q.name.startswith(f".{out_abs.name}.")
            for q in (p, *p.parents)
        ):
            return True  # the hidden sibling a SIGKILLed write leaves (docs/reports.md)
        if p == out_abs or out_abs in p.parents:
            return True
        # a single-file --out (analyze): its documented siblings and marker (docs/reports.md)
        stem, name = out_abs.stem, out_abs.name
        return p.parent == out_abs.parent and (
            p.name.startswith(stem + "_") or p.name == f".{name}.foodshed-output.json"
        )

    for rel, h in before.items():
        if rel not in after and "force" in case.tags and owned(rel):
            continue  # --force is documented to replace the folder, with everything in it
        if rel not in after:
            return f"user file removed: {rel}"
        if after[rel] != h and not owned(rel):
            return f"user file modified: {rel}"
    new = [rel for rel in after if rel not in before and not owned(rel)]
    if new:
        return f"written outside --out: {new[:3]}"
    if case.expect == "ok" and o.rc != 0:
        return f"exit {o.rc}, expected 0: {o.err.strip()[-300:]}"
    if case.expect == "error" and o.rc == 0:
        return "exit 0 on an error"
    if o.rc not in (0, None) and not (o.err.strip() or o.out.strip()):
        return f"exit {o.rc} without a message"
    if out_abs is not None and _is_dir(out_abs):
        for kp in sorted(out_abs.rglob("kpis.json")):
            bad = plan_numbers(kp.parent)
            if bad:
                return "wrong numbers: " + bad
    if out_abs is not None and _is_dir(out_abs):
        for page in sorted(out_abs.rglob("*.html")):
            text = page.read_text(encoding="utf-8", errors="replace")
            for bad in ("-n/a", "+n/a", ">nan<", ">NaN<", "nan%", "inf%"):
                if bad in text:
                    return f"{page.name} shows {bad!r}"
    if case.check is not None:
        return case.check(w, o)
    return ""


def log(case: Case, reason: str) -> None:
    path = os.environ.get("CAMPAIGN_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            row = {"id": case.id, "kind": case.kind, "pass": not reason, "reason": reason}
            f.write(json.dumps(row) + "\n")


class Cases(list[Case]):
    """The cases of one campaign module, in the order they are added."""

    def add(self, *args, **kw) -> None:
        self.append(Case(*args, **kw))

    def add_out(self, cid: str, kind: str, argv: list[str], expect: str = "any", **kw) -> None:
        """A case whose command writes to ``--out o``, the one place its new files may go."""
        self.add(cid, kind, [*argv, "--out", "o"], expect, out="o", **kw)

    def add_plans(self, cid: str, kind: str, toml: str, expect: str, **kw) -> None:
        """``allocate TOML`` and ``allocate TOML --rolling`` (``cid-allocate``, ``cid-rolling``)."""
        for how, extra in (("allocate", []), ("rolling", ["--rolling"])):
            self.add_out(f"{cid}-{how}", kind, ["allocate", toml, *extra], expect, **kw)

    def in_process(self) -> list:
        """The cases run in this process (:func:`check_in_process`), xfail where listed."""
        return params([c for c in self if "process" not in c.tags])

    def as_processes(self) -> list[Case]:
        """The cases run as real processes (the demo, the dashboard): tagged ``process``."""
        return [c for c in self if "process" in c.tags]


#: Failures whose fix belongs in dashboard/ (being moved into subpackages): xfail, strict, so
#: each fails the suite once it is fixed and its entry must go (docs/hardening.md).
DASHBOARD_SIDE = {}


def params(cases: list[Case]) -> list:
    return [
        pytest.param(c, marks=pytest.mark.xfail(reason=DASHBOARD_SIDE[c.id], strict=True))
        if c.id in DASHBOARD_SIDE
        else c
        for c in cases
    ]


def case_id(c: Case) -> str:
    return c.id


def check_in_process(case: Case, tmp_path: Path, capfd) -> None:
    """Run ``case`` in this process in a fresh work folder and fail with the judge's reason."""
    w = make_work(tmp_path)
    if case.setup is not None:
        case.setup(w)
    if "rerun" in case.tags:
        first = run_inproc(case.argv[:-1] if case.argv[-1] == "--resume" else case.argv, w, capfd)
        assert first.rc == 0, first.err
    before = hashes(tmp_path)
    o = run_inproc(case.argv, w, capfd)
    if case.out is None and o.rc == 0 and "--out" in case.argv:
        case = Case(**{**case.__dict__, "out": case.argv[case.argv.index("--out") + 1]})
    reason = judge(case, w, before, o)
    log(case, reason)
    assert not reason, f"{case.id}: {reason}"


def check_as_process(case: Case, tmp_path: Path) -> None:
    """The demo and the dashboard as real processes: what a user's terminal shows."""
    w = make_work(tmp_path)
    before = hashes(tmp_path)
    o = run_sub(case.argv, w, timeout=120)
    if case.out is None and o.rc == 0 and "--out" in case.argv:
        case = Case(**{**case.__dict__, "out": case.argv[case.argv.index("--out") + 1]})
    reason = judge(case, w, before, o)
    log(case, reason)
    assert not reason, f"{case.id}: {reason}"


def in_process_test(cases: Cases):
    """The module's ``test_case``: each of ``cases`` not tagged ``process``, in this process."""

    @pytest.mark.parametrize("case", cases.in_process(), ids=case_id)
    def test_case(case: Case, tmp_path: Path, capfd, quiet_dask) -> None:
        check_in_process(case, tmp_path, capfd)

    return test_case


def process_test(cases: Cases):
    """The module's ``test_case_subprocess``: each of ``cases`` tagged ``process``."""

    @pytest.mark.parametrize("case", cases.as_processes(), ids=case_id)
    def test_case_subprocess(case: Case, tmp_path: Path) -> None:
        check_as_process(case, tmp_path)

    return test_case_subprocess


def says(words: str) -> Callable[[Path, Outcome], str]:
    """A check that the command's output holds ``words`` (wherever rich's table wrapped them)."""

    def check(w: Path, o: Outcome) -> str:
        shown = " ".join(re.sub("[│┃|]", " ", o.out + o.err).split())
        return "" if words in shown else f"the message does not say {words!r}: {shown[-300:]}"

    return check

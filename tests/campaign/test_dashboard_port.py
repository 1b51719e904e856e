"""Campaign: ``foodshed dashboard`` with a bad ``--port``, a port in use or a missing region."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.campaign.harness import (
    Case,
    Cases,
    hashes,
    in_process_test,
    judge,
    log,
    make_work,
    process_test,
    run_sub,
)

pytestmark = pytest.mark.slow

CASES = Cases()
add = CASES.add

# -- crashes: dashboard --port (typer refuses before any server starts)
for port in ("0", "-1", "65536", "70000", "abc", "1e3", ""):
    add(
        f"dashboard-port-{port or 'empty'}",
        "crash",
        ["dashboard", "small", "--port", port],
        "error",
    )
add(
    "dashboard-missing-region",
    "crash",
    ["dashboard", "nowhere", "--port", "1"],
    "error",
    tags={"process"},
)


test_case = in_process_test(CASES)

test_case_subprocess = process_test(CASES)


def test_dashboard_port_in_use(tmp_path: Path) -> None:
    """A port another program holds: a clear error, no traceback, and no server left behind."""
    w = make_work(tmp_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        o = run_sub(["dashboard", "small", "--port", str(port)], w, timeout=60)
    case = Case("dashboard-port-in-use", "crash", [], "error")
    reason = judge(case, w, hashes(tmp_path), o)
    log(case, reason)
    assert not reason, reason

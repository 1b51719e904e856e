"""Imports flow one way: equity <- optimize <- dashboard."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def loaded_after_import(package: str) -> set[str]:
    code = (
        f"import sys, {package}\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return set(out.stdout.split())


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("equity", {"pulp", "highspy", "dash", "plotly", "optimize", "dashboard"}),
        ("optimize", {"dash", "plotly", "dashboard"}),
    ],
    ids=["equity", "optimize"],
)
@pytest.mark.slow
def test_lower_layers_do_not_import_upper_ones(package: str, forbidden: set[str]) -> None:
    assert loaded_after_import(package) & forbidden == set()


def test_no_module_imports_upward() -> None:
    rules = {
        "equity": ("optimize", "dashboard", "pulp", "highspy", "dash", "plotly"),
        "optimize": ("dashboard", "dash", "plotly"),
    }
    offenders = []
    for package, banned in rules.items():
        for path in (ROOT / package).rglob("*.py"):
            for line in path.read_text(encoding="utf-8").splitlines():
                words = line.strip().split()
                if len(words) >= 2 and words[0] in ("import", "from"):
                    top = words[1].split(".")[0]
                    if top in banned:
                        offenders.append(f"{path.relative_to(ROOT)}: {line.strip()}")
    assert offenders == []

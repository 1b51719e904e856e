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


@pytest.mark.parametrize("module", ["plans", "scenarios"])
def test_services_is_the_door_for_its_parts(module: str) -> None:
    """``dashboard.services`` re-exports every public function, class and constant of the door's
    other modules (callers import them from services), as the very same objects."""
    import ast
    import importlib

    from dashboard import services

    part = importlib.import_module(f"dashboard.{module}")
    tree = ast.parse((ROOT / "dashboard" / f"{module}.py").read_text(encoding="utf-8"))
    defined = set()
    for node in tree.body:  # what the module itself defines, not what it imports
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            defined.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            defined |= {t.id for t in targets if isinstance(t, ast.Name)}
    public = {name for name in defined if not name.startswith("_")}
    assert "solve_plan" in public or "scenario_controls" in public  # the check sees the module
    missing = sorted(n for n in public if getattr(services, n, None) is not getattr(part, n))
    assert missing == []
    assert public <= set(services.__all__)

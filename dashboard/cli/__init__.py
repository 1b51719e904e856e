"""The ``foodshed`` command: one module per subcommand, built on the Typer app in :mod:`.main`.

``foodshed = "dashboard.cli:main"`` (pyproject) and ``python -m dashboard.cli`` both run
:func:`main`.
"""

from __future__ import annotations

from .main import app, console, err_console, load_region, main

__all__ = ["app", "console", "err_console", "load_region", "main"]

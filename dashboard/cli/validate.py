"""Body of ``foodshed validate``: every problem of a region folder, in a table."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table


def run(path: str, *, console: Console, err_console: Console, warnings: bool = True) -> int:
    """Check ``path`` (a region folder, or ``demo``); print the problems; return the exit code."""
    from equity.region import demo_dir  # the folder named in messages

    from ..services import validate_region

    folder = demo_dir() if path == "demo" else Path(path)
    report = validate_region(folder)
    shown = report.problems if warnings else report.errors
    if shown:
        table = Table(title=f"Validation of {escape(str(folder))}", show_lines=False)
        for col in ("severity", "file", "row", "column", "problem"):
            table.add_column(col, overflow="fold")
        for p in shown:
            table.add_row(
                *map(
                    escape,
                    (
                        p.severity,
                        Path(p.file).name if p.file else p.table,
                        "" if p.row is None else str(p.row),
                        p.column or "",
                        p.message,
                    ),
                )
            )
        console.print(table)
    if report.ok and report.region is not None:
        console.print(f"[green]OK[/green]: {escape(repr(report.region))}")
        if report.warnings:
            console.print(f"{len(report.warnings)} warning(s).")
        return 0
    err_console.print(
        f"[red]{len(report.errors)} error(s)[/red] in {escape(str(folder))}; fix them and run "
        "`foodshed validate` again."
    )
    return 1

"""Exceptions and the :class:`Problem` record that validation collects.

Every exception also subclasses a built-in so that callers who catch ``ValueError`` keep working.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "NO_STORES",
    "NO_SUPPLY",
    "ConfigError",
    "DataSourceError",
    "FoodshedError",
    "Problem",
    "ValidationError",
]

#: :attr:`Problem.code` of the warning that a region has no stores (every area is then low
#: access); :func:`equity.analyze` repeats it in its ``attrs["data_warnings"]``.
NO_STORES = "no_stores"
#: :attr:`Problem.code` of the warning that a region has no supply (every plan then meets no
#: need); allocation plans repeat it in their manifest's ``warnings``.
NO_SUPPLY = "no_supply"


class FoodshedError(Exception):
    """Base class of every error Foodshed raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as the input allows.

    Parameters
    ----------
    table
        Contract table name (``areas``, ``stores``, ...).
    message
        What is wrong and how to fix it.
    file
        The file the table was read from, when it came from a file.
    row
        1-based record number in that file (the first data row is 1), when one row is at fault.
    column
        The column at fault, when one column is.
    severity
        ``"error"`` stops a :class:`~equity.Region` from being built; ``"warning"`` is reported
        and the data is used (possibly repaired, as the message says).
    code
        A name for problems that outputs repeat (:data:`NO_STORES`, :data:`NO_SUPPLY`).
    """

    table: str
    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    severity: str = "error"
    code: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def location(self) -> str:
        parts = [self.file or self.table]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.severity}: {self.location()}: {self.message}"


class ValidationError(FoodshedError, ValueError):
    """Input tables break the data contract; :attr:`problems` lists every problem found."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...], *, title: str | None = None):
        self.problems = tuple(problems)
        errors = [p for p in self.problems if p.is_error]
        head = title or f"{len(errors)} problem(s) in the input data"
        lines = [head + ":"] + [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class DataSourceError(FoodshedError, ValueError):
    """A file or folder cannot be read at all (missing, unknown format, unreadable)."""


class ConfigError(FoodshedError, ValueError):
    """A setting names something that does not exist (a period, a key of ``region.toml``)."""

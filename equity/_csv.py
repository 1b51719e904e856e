"""One CSV writer for every table Foodshed writes: text that a spreadsheet would run is defused.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to
Excel, LibreOffice and Google Sheets (CSV formula injection: ``=HYPERLINK(...)`` in a site or
scenario name would run when a planner opens ``flows.csv``). Such text cells get a leading ``'``,
which spreadsheets show as text; numbers (a negative dual value) are left as numbers.

The rule is reversible, so Foodshed reads back what it wrote: text that already starts with
``'`` followed by such a character gets one more ``'``, and :func:`restore` (used by the
region readers) removes exactly one. Spreadsheets never save that leading ``'`` into a CSV, so
a file a person wrote is read as it is.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

__all__ = ["FORMULA_START", "neutralise", "neutralised", "restore", "restored", "write_csv"]

#: Leading characters that make a spreadsheet read a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """``value`` made safe for spreadsheets: text starting with ``= + - @`` (or tab/CR) gets a
    leading ``'``; anything else (numbers, missing values, plain text) is returned unchanged.

    Examples
    --------
    >>> neutralise("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise(-3.5), neutralise("Eastside Hub")
    (-3.5, 'Eastside Hub')
    """
    if isinstance(value, str) and _escaped_or_formula(value):
        return "'" + value
    return value


def _escaped_or_formula(text: str) -> bool:
    return text.lstrip("'").startswith(FORMULA_START)


def restore(value: object) -> object:
    """The inverse of :func:`neutralise`: one leading ``'`` before a formula character (or
    before more such ``'``) is removed.

    Examples
    --------
    >>> restore(neutralise("=1+1")), restore("'tis"), restore(neutralise("'=x"))
    ('=1+1', "'tis", "'=x")
    """
    if isinstance(value, str) and value.startswith("'") and _escaped_or_formula(value[1:]):
        return value[1:]
    return value


def restored(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell :func:`restore`-d (for tables read from CSV)."""
    df = frame.copy()
    for col in df.columns:
        s = df[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            quoted = s.map(lambda v: isinstance(v, str) and v.startswith("'"))
            if quoted.any():  # most tables have none: leave them as they are
                df.loc[quoted, col] = s[quoted].map(restore)
    df.columns = [restore(c) if isinstance(c, str) else c for c in df.columns]
    return df


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell and column name :func:`neutralise`-d.

    Numeric, boolean and datetime columns are not touched; text in object, string and
    categorical columns is. A geometry column is dropped (CSV has no geometry).
    """
    df = pd.DataFrame(frame)
    geom = getattr(frame, "_geometry_column_name", None)
    if geom is not None and geom in df.columns:
        df = df.drop(columns=geom)
    df = df.copy()
    for col in df.columns:
        s = df[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            df[col] = s.astype(object).map(neutralise)
        elif s.dtype == object or pd.api.types.is_string_dtype(s):
            df[col] = s.map(neutralise)
    df.columns = [neutralise(c) if isinstance(c, str) else c for c in df.columns]
    return df


def write_csv(frame: pd.DataFrame, path: str | os.PathLike[str], *, index: bool = False) -> Path:
    """Write ``frame`` to ``path`` as CSV (UTF-8) with formula-like text defused.

    The one way Foodshed writes a CSV file; see the module docstring for why.
    """
    neutralised(frame).to_csv(path, index=index)
    return Path(path)

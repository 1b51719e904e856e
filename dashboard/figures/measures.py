"""Measure metadata for the figures: labels, units, menus and number formats."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from equity.catalogue import GROUPS, MENU, Measure
from optimize.catalogue import measure_info as _catalogue_info


@dataclass(frozen=True)
class MeasureInfo:
    """How to show one column: its catalogue entry (:mod:`equity.catalogue`,
    :mod:`optimize.catalogue`) as the figures use it. Built by :func:`measure_info` only."""

    column: str
    label: str
    unit: str = ""
    kind: str = "number"  # "number" or "flag"
    scale: float = 1.0  # multiply values by this for display (0-1 shares shown as %)
    higher_is_worse: bool = True
    description: str = ""
    measure: Measure | None = None

    @property
    def title(self) -> str:
        return f"{self.label} ({self.unit})" if self.unit else self.label

    @classmethod
    def of(cls, m: Measure, *, kind: str | None = None) -> MeasureInfo:
        """The figures' view of a catalogue entry."""
        return cls(
            m.name,
            m.label,
            m.unit,
            kind or ("flag" if m.kind == "flag" else "number"),
            m.scale,
            m.higher_is_worse if not m.generic else True,
            m.definition,
            m,
        )


def measure_info(column: str, values: pd.Series | None = None) -> MeasureInfo:
    """How to label, scale and colour ``column``, from the measure catalogues.

    ``values`` (optional) lets a 0/1 column the catalogue does not know be shown as a yes/no
    flag.
    """
    m = _catalogue_info(column)
    if m.generic and values is not None and _is_flag(values):
        return MeasureInfo.of(m, kind="flag")
    return MeasureInfo.of(m)


def _is_flag(values: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(values):
        return True
    if not pd.api.types.is_numeric_dtype(values):
        return False
    uniq = pd.unique(values.dropna())
    return len(uniq) > 0 and set(np.asarray(uniq, dtype=float).tolist()) <= {0.0, 1.0}


#: The measures the expert menu offers right after the food-desert flags, in this order.
_HEADLINE = (
    "dist_supermarket_mi",
    "fca2_per_1000",
    "mrfei",
    "need_index",
    "poverty_rate",
    "households_no_vehicle",
    "food_insecurity_rate",
)


def _menu_rank(col: str, info: MeasureInfo) -> tuple[int, int, int]:
    """Where ``col`` goes in the expert menu: the food-desert flags, the headline measures,
    then the rest by catalogue group (flags first within a group)."""
    if col.startswith("LILA") and info.kind == "flag":
        return 0, 0, 0
    if col in _HEADLINE:
        return 1, _HEADLINE.index(col), 0
    m = info.measure
    group = m.group if m is not None and not m.generic else "Other"
    g = GROUPS.index(group) if group in GROUPS else len(GROUPS)
    if info.kind == "flag":
        within = 0 if col.startswith("LA") else 1
    elif col.endswith("_m"):
        within = 3  # the km twin of a miles column
    elif col.startswith("la"):
        within = 4  # the Atlas's people-beyond counts after its flags
    else:
        within = 2
    return 2, g, within


#: The value of a group heading in the measure menu (never a column: a column cannot start so).
GROUP_VALUE = "\u2014group\u2014 "


def _mappable(areas: pd.DataFrame, exclude: Sequence[str]) -> list[str]:
    skip = {"area_id", "geometry", "pop_lon", "pop_lat", "name", *exclude}
    return [
        col
        for col in areas.columns
        if col not in skip
        and not str(col).startswith("_")
        and (pd.api.types.is_numeric_dtype(areas[col]) or pd.api.types.is_bool_dtype(areas[col]))
    ]


def measure_options(
    areas: pd.DataFrame, *, exclude: Sequence[str] = (), expert: bool = False
) -> list[dict[str, Any]]:
    """Dropdown options ``[{label, value, title}]`` for the measures of ``areas``.

    By default the catalogue's plain menu (:data:`equity.catalogue.MENU`): the measures of it
    that ``areas`` has, under a heading per catalogue group (a disabled option whose value
    starts with :data:`GROUP_VALUE`), labelled with the catalogue's title. ``expert=True``
    lists every mappable column instead: the food-desert (LILA) flags, a few headline
    measures, then the rest by the catalogue's groups, each label ending in the column's own
    name (so two columns with the same words, e.g. ``Urban`` and ``urban``, stay apart).
    ``title`` (shown on hover) is the catalogue's definition. Ids, coordinates and geometry are
    left out.
    """
    cols = _mappable(areas, exclude)
    if expert:
        rows = []
        for i, col in enumerate(cols):
            info = measure_info(col, areas[col])
            option = {"label": f"{info.title} [{col}]", "value": col, "title": info.description}
            rows.append((*_menu_rank(col, info), i, option))
        return [o for *_, o in sorted(rows, key=lambda r: r[:4])]
    have = set(cols)
    by_group: dict[str, list[dict[str, Any]]] = {}
    for col in MENU:
        if col in have:
            info = measure_info(col, areas[col])
            group = info.measure.group if info.measure is not None else "Other"
            by_group.setdefault(group, []).append(
                {"label": info.title, "value": col, "title": info.description}
            )
    out: list[dict[str, Any]] = []
    for group in sorted(by_group, key=lambda g: GROUPS.index(g) if g in GROUPS else len(GROUPS)):
        out.append({"label": group.upper(), "value": GROUP_VALUE + group, "disabled": True})
        out.extend(by_group[group])
    return out


def default_measure(
    options: Sequence[dict[str, Any]], first_choice: str | None = None
) -> str | None:
    """The measure a map opens on: ``first_choice`` (the food-desert flag the headline cards
    count) when the menu has it, else the menu's first measure (headings skipped)."""
    values = [o["value"] for o in options if not o.get("disabled")]
    if first_choice in values:
        return first_choice
    return values[0] if values else None


_COUNT_UNITS = ("people", "households", "areas", "count", "stores")


def format_value(value: Any, info: MeasureInfo | None = None, *, digits: int | None = None) -> str:
    """A number as people read it: thousands separators, sensible decimals, unit."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no data"
    if info is not None and info.kind == "flag":
        return "yes" if bool(value) else "no"
    if digits is None and info is not None and info.measure and not info.measure.generic:
        return info.measure.format(value)
    x = float(value) * (info.scale if info else 1.0)
    unit = info.unit if info else ""
    if digits is None:
        ax = abs(x)
        counted = unit in _COUNT_UNITS
        digits = 0 if ax >= 100 or counted else 1 if ax >= 10 else 2
    text = f"{x:,.{digits}f}"
    if unit == "%":
        return text + "%"
    return f"{text} {unit}".strip()

"""What every measure means: the catalogue of the columns :func:`equity.analyze` adds.

Every screen, report and table reads a measure's label, unit, direction and format from here;
nothing above ``equity`` keeps a label table of its own. :func:`measure_info` always answers:
exact names first, then families by pattern (``dist_<kind>_m``, ``n_<kind>_<r>mi``,
``lapop<d>``, ``need_<indicator>_pct``, ``<name>_input``, ...), then an honest generic entry
(``generic=True``) for a column the catalogue does not know.

>>> measure_info("dist_supermarket_mi").title
'Distance to the nearest supermarket (miles)'
>>> measure_info("need_index").format(57.26)
'57 of 100'
>>> measure_info("poverty_rate").format(0.256)
'25.6%'
>>> measure_info("my_column").generic
True
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np

from .access import M_PER_MILE
from .atlas import ATLAS_DISTANCES_MI

__all__ = [
    "GROUPS",
    "FOOD_DESERT_MEASURES",
    "HIGHER_IS_BETTER",
    "HIGHER_IS_WORSE",
    "M_PER_MILE",
    "MEASURES",
    "MENU",
    "NEUTRAL",
    "Measure",
    "measure_info",
]

Direction = Literal["higher is better", "higher is worse", "neutral"]
HIGHER_IS_BETTER: Direction = "higher is better"
HIGHER_IS_WORSE: Direction = "higher is worse"
NEUTRAL: Direction = "neutral"

#: Groups for curated menus, in menu order.
GROUPS: tuple[str, ...] = (
    "Food deserts (USDA Atlas)",
    "Distance to food",
    "Stores nearby",
    "Access scores",
    "Need",
    "Population",
    "Food delivered",
    "Input data",
    "Other",
)

#: Units shown after the number only in titles (a rank reads "57 of 100", not "57 score").
_TITLE_ONLY_UNITS = ("mean percentile rank, 0-100", "percentile rank, 0-100")


@dataclass(frozen=True)
class Measure:
    """What one column (or KPI) means and how to show it.

    Attributes
    ----------
    name
        The column or key.
    label
        What it is, in plain words ("Distance to the nearest supermarket").
    unit
        Unit of the displayed number ("miles", "%", "people", "USD"; "" for none).
    direction
        ``"higher is better"``, ``"higher is worse"`` or ``"neutral"``.
    fmt
        Format spec of the displayed number, ``value * scale`` (``",.1f"``).
    scale
        Multiply a value by this to display it (100 for a 0-1 share shown in %).
    definition
        How it is computed, in a sentence or two.
    group
        The menu group (one of :data:`GROUPS`).
    kind
        ``"number"``, ``"flag"`` (yes/no) or ``"text"``.
    bins
        Upper bounds (raw values) of fixed classes, for maps that classify the same way
        everywhere; empty when classes are data-driven.
    bin_labels
        One label per class of ``bins``.
    generic
        True for the honest fallback of a column the catalogue does not know.
    """

    name: str
    label: str
    unit: str = ""
    direction: Direction = NEUTRAL
    fmt: str = ",.2f"
    scale: float = 1.0
    definition: str = ""
    group: str = "Other"
    kind: Literal["number", "flag", "text"] = "number"
    bins: tuple[float, ...] = ()
    bin_labels: tuple[str, ...] = ()
    generic: bool = False

    @property
    def title(self) -> str:
        """The label with its unit, for axis and legend titles."""
        return f"{self.label} ({self.unit})" if self.unit else self.label

    @property
    def unit_after(self) -> str:
        """The unit as it reads after a number: "miles", "of 100" for a 0-100 rank, "" for a
        percentage (its "%" sticks to the number) or no unit."""
        if self.unit in ("%", ""):
            return ""
        return "of 100" if self.unit in _TITLE_ONLY_UNITS else self.unit

    @property
    def higher_is_worse(self) -> bool:
        return self.direction == HIGHER_IS_WORSE

    def class_of(self, values: Sequence[float] | np.ndarray) -> np.ndarray:
        """Each value's fixed class (an index into ``bins``; -1 for a missing value).

        Class ``i`` holds ``bins[i-1] <= value < bins[i]`` (the first class everything below
        ``bins[0]``); values are rounded to 9 decimals first, so solver noise (0.7499999999)
        does not move an area across a boundary.
        """
        if not self.bins:
            msg = f"{self.name!r} has no fixed classes in the catalogue; classify by the data"
            raise ValueError(msg)
        v = np.asarray(values, dtype=float)
        out = np.full(v.shape, -1, dtype=int)
        ok = np.isfinite(v)
        edges = np.asarray(self.bins, dtype=float)
        out[ok] = np.searchsorted(edges, np.round(v[ok], 9), side="right").clip(0, len(edges) - 1)
        return out

    def format(self, value: Any, *, fmt: str | None = None, unit: bool = True) -> str:
        """``value`` as people read it: scaled, in this measure's format, with its unit.

        Missing values read "no data", flags "yes"/"no"; ``unit=False`` leaves the unit off.
        """
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "no data"
        if self.kind == "flag" or isinstance(value, bool):
            try:
                return "yes" if bool(value) else "no"
            except (TypeError, ValueError):
                return str(value)
        if self.kind == "text" or isinstance(value, str):
            return str(value)
        try:
            x = float(value) * self.scale
        except (TypeError, ValueError):
            return str(value)
        if math.isnan(x):
            return "no data"
        if math.isinf(x):
            return "none in reach" if x > 0 else "-infinity"
        spec = fmt or self.fmt
        if spec == ",.0f" and 0 < abs(x) < 100 and x != round(x):
            # small amounts keep their digits: $0.86 (not $1), 17.1 kg-km (not 17)
            spec = ",.2f" if self.unit == "USD" else ".3g"
        text = format(x, spec)
        if not unit or not self.unit:
            return text
        if self.unit == "%":
            return text + "%"
        if self.unit == "USD":
            return f"-${text[1:]}" if text.startswith("-") else f"${text}"
        return f"{text} {self.unit_after}"


def _m(name: str, label: str, **kw: Any) -> Measure:
    return Measure(name, label, **kw)


_ATLAS = "Food deserts (USDA Atlas)"
_FLAG: dict[str, Any] = {"kind": "flag", "direction": HIGHER_IS_WORSE, "group": _ATLAS}
_LA_RULE = (
    "At least 500 people, or at least 33% of the residents, live more than {far} from the "
    "nearest supermarket, supercenter or large grocery store (straight lines from where people "
    "live: population points below the area level where the data has them)."
)
_LI_RULE = (
    "Low income: poverty rate of 20% or more, or median family income at or below 80% of the "
    "state (or, in metro areas, the greater of the state and metro) median."
)


def _la(name: str, label: str, far: str) -> Measure:
    return _m(name, label, definition=_LA_RULE.format(far=far), **_FLAG)


def _lila(name: str, label: str, far: str) -> Measure:
    return _m(
        name,
        label,
        definition="Low income and low access: the Atlas's food-desert measure. "
        f"{_LI_RULE} Low access: a{_LA_RULE.format(far=far)[1:]}",
        **_FLAG,
    )


_NEED = "Need"
_POP = "Population"
_SHARE: dict[str, Any] = {"unit": "%", "scale": 100.0, "fmt": ".1f"}
_PEOPLE: dict[str, Any] = {"unit": "people", "fmt": ",.0f"}
_HOUSEHOLDS: dict[str, Any] = {"unit": "households", "fmt": ",.0f"}

_EXACT: tuple[Measure, ...] = (
    # ---- the Atlas flags (atlas_classify)
    _lila(
        "LILATracts_1And10",
        "Food desert: low income, over 1 mile (urban) or 10 miles (rural) from a supermarket",
        "1 mile (urban areas) or 10 miles (rural areas)",
    ),
    _lila(
        "LILATracts_halfAnd10",
        "Food desert: low income, over 1/2 mile (urban) or 10 miles (rural) from a supermarket",
        "1/2 mile (urban areas) or 10 miles (rural areas)",
    ),
    _lila(
        "LILATracts_1And20",
        "Food desert: low income, over 1 mile (urban) or 20 miles (rural) from a supermarket",
        "1 mile (urban areas) or 20 miles (rural areas)",
    ),
    _m(
        "LILATracts_Vehicle",
        "Food desert by vehicle access: low income, many households without a car far from a "
        "supermarket",
        definition="Low income and low vehicle access (LATractsVehicle_20): at least 100 "
        "households are more than 1/2 mile from the nearest supermarket and have no vehicle, "
        "or at least 500 people / 33% live more than 20 miles away. " + _LI_RULE,
        **_FLAG,
    ),
    _la(
        "LA1and10",
        "Low access: over 1 mile (urban) or 10 miles (rural)",
        "1 mile (urban areas) or 10 miles (rural areas)",
    ),
    _la(
        "LAhalfand10",
        "Low access: over 1/2 mile (urban) or 10 miles (rural)",
        "1/2 mile (urban areas) or 10 miles (rural areas)",
    ),
    _la(
        "LA1and20",
        "Low access: over 1 mile (urban) or 20 miles (rural)",
        "1 mile (urban areas) or 20 miles (rural areas)",
    ),
    _la("LATracts_half", "Low access at 1/2 mile", "1/2 mile (urban or rural)"),
    _la("LATracts1", "Low access at 1 mile", "1 mile (urban or rural)"),
    _la("LATracts10", "Low access at 10 miles", "10 miles (urban or rural)"),
    _la("LATracts20", "Low access at 20 miles", "20 miles (urban or rural)"),
    _m(
        "LATractsVehicle_20",
        "Low access by vehicle",
        definition="At least 100 households without a vehicle live more than 1/2 mile from a "
        "supermarket (HUNVFlag), or the area is rural and low access at 20 miles.",
        **_FLAG,
    ),
    _m(
        "HUNVFlag",
        "At least 100 households without a vehicle beyond 1/2 mile",
        definition="100 or more households with no vehicle live more than 1/2 mile from the "
        "nearest supermarket.",
        **_FLAG,
    ),
    _m("LowIncomeTracts", "Low-income area (USDA definition)", definition=_LI_RULE, **_FLAG),
    _m(
        "Urban",
        "Urban area",
        kind="flag",
        group=_ATLAS,
        definition="Urban (measured at 1/2 and 1 mile) or rural (10 and 20 miles): from the "
        "data's `urban` column, else 500 or more people per square mile.",
    ),
    _m(
        "LowIncomeTracts_source",
        "Where the low-income flag came from",
        kind="text",
        group=_ATLAS,
        definition="published (the Atlas's own LowIncomeTracts carried by the area), reference "
        "(the rule with the shipped state and metro median family incomes), given (the rule with "
        "a reference income passed or declared by the region), stand-in (the rule with the "
        "region's own median income: not the Atlas's reference), source flag or unknown.",
    ),
    _m(
        "pop_method",
        "How residents were placed within the area",
        kind="text",
        group=_ATLAS,
        definition="The population points distances are measured from: the Atlas's 0.5 km grid "
        "of residential land (grid_blocks: filled from census block populations, as the Atlas "
        "fills it), the area's population point, or its centre.",
    ),
    # ---- access scores (fca, mrfei)
    _m(
        "fca2_per_1000",
        "Supermarket access (2-step floating catchment)",
        unit="per 1,000 people",
        direction=HIGHER_IS_BETTER,
        group="Access scores",
        definition="Supermarkets per 1,000 people within the catchment (2 miles by default), "
        "sharing each store among everyone who can reach it (2SFCA).",
    ),
    _m(
        "e2sfca_per_1000",
        "Supermarket access (enhanced 2-step catchment, nearer counts more)",
        unit="per 1,000 people",
        direction=HIGHER_IS_BETTER,
        group="Access scores",
        definition="As the 2-step floating catchment, with distance-decay weights so a nearer "
        "supermarket counts more (E2SFCA).",
    ),
    _m(
        "gravity_per_1000",
        "Supermarket access (gravity model)",
        unit="per 1,000 people",
        direction=HIGHER_IS_BETTER,
        group="Access scores",
        definition="Supermarkets per 1,000 people, each weighted by distance^-beta and shared "
        "among the people who can reach it (within the catchment).",
    ),
    _m(
        "mrfei",
        "mRFEI: healthy food outlets among all food outlets",
        unit="%",
        fmt=".0f",
        direction=HIGHER_IS_BETTER,
        group="Access scores",
        definition="CDC modified Retail Food Environment Index: 100 x healthy / (healthy + less "
        "healthy) food retailers within the area and 1/2 mile around it; no data where there "
        "are none.",
    ),
    _m(
        "n_healthy",
        "Healthy food outlets in or near the area",
        unit="stores",
        fmt=",.0f",
        direction=HIGHER_IS_BETTER,
        group="Access scores",
        definition="Supermarkets, supercenters and produce or farmers' markets within the area "
        "and 1/2 mile around it (the mRFEI numerator).",
    ),
    _m(
        "n_less_healthy",
        "Less healthy food outlets in or near the area",
        unit="stores",
        fmt=",.0f",
        group="Access scores",
        definition="Convenience stores, small groceries and fast food within the area and 1/2 "
        "mile around it (the mRFEI's other term).",
    ),
    # ---- need (need_index)
    _m(
        "need_index",
        "Need index, higher means greater need",
        unit="mean percentile rank, 0-100",
        fmt=".0f",
        direction=HIGHER_IS_WORSE,
        group=_NEED,
        definition="Weighted mean of the area's percentile ranks (0-100: the share of the "
        "region's areas with less of it) on the need indicators it has (poverty, no vehicle, "
        "SNAP, distance to a supermarket, food insecurity). Not a share or a 0-1 score: an area "
        "only reaches 100 by being the neediest on every indicator, so a region's index "
        "usually runs from about 5 to 95.",
    ),
    _m(
        "need_n_indicators",
        "Need indicators the area has data for",
        unit="indicators",
        fmt=",.0f",
        group=_NEED,
        definition="How many indicators the need index of this area is the mean of.",
    ),
    # ---- the areas contract and common inputs
    _m("area_id", "Area id", kind="text", group=_POP, definition="The area's identifier."),
    _m("name", "Area name", kind="text", group=_POP, definition="The area's name."),
    _m(
        "population",
        "Residents",
        group=_POP,
        definition="People living in the area.",
        **_PEOPLE,
    ),
    _m(
        "households",
        "Households",
        group=_POP,
        definition="Occupied housing units in the area.",
        **_HOUSEHOLDS,
    ),
    _m(
        "households_no_vehicle",
        "Households without a vehicle",
        direction=HIGHER_IS_WORSE,
        group=_NEED,
        definition="Households with no car or van available.",
        **_HOUSEHOLDS,
    ),
    _m(
        "snap_households",
        "Households receiving SNAP",
        direction=HIGHER_IS_WORSE,
        group=_NEED,
        definition="Households receiving SNAP (food stamp) benefits.",
        **_HOUSEHOLDS,
    ),
    _m(
        "poverty_rate",
        "People below the poverty line",
        direction=HIGHER_IS_WORSE,
        group=_NEED,
        definition="Share of residents whose income is below the federal poverty line.",
        **_SHARE,
    ),
    _m(
        "food_insecurity_rate",
        "People who are food-insecure",
        direction=HIGHER_IS_WORSE,
        group=_NEED,
        definition="Share of residents without reliable access to enough affordable, "
        "nutritious food.",
        **_SHARE,
    ),
    _m(
        "median_family_income",
        "Median family income",
        unit="USD",
        fmt=",.0f",
        direction=HIGHER_IS_BETTER,
        group=_POP,
        definition="Median income of the area's families, per year.",
    ),
    _m(
        "urban",
        "Urban area",
        kind="flag",
        group=_POP,
        definition="The area is urban (as the input data says).",
    ),
    _m(
        "low_income",
        "Low-income area",
        kind="flag",
        direction=HIGHER_IS_WORSE,
        group=_NEED,
        definition="The area is low income (as the input data says).",
    ),
    _m(
        "low_income_population",
        "Low-income residents",
        direction=HIGHER_IS_WORSE,
        group=_NEED,
        definition="Residents in families below 200% of the poverty line.",
        **_PEOPLE,
    ),
    _m("pop_lon", "Longitude of the population centre", unit="degrees", fmt=".5f", group=_POP),
    _m("pop_lat", "Latitude of the population centre", unit="degrees", fmt=".5f", group=_POP),
    _m(
        "land_area_m2",
        "Land area",
        unit="km²",
        scale=1e-6,
        fmt=",.2f",
        group=_POP,
        definition="Land (not water) area of the area.",
    ),
    _m(
        "in_atlas",
        "In the published USDA Atlas",
        kind="flag",
        group="Input data",
        definition="The area has a row in the published Food Access Research Atlas.",
    ),
    # ---- columns of the published Atlas, when joined as inputs
    _m("Pop2010", "Residents (2010 census, as the Atlas gives)", group="Input data", **_PEOPLE),
    _m(
        "OHU2010",
        "Occupied housing units (2010 census, as the Atlas gives)",
        group="Input data",
        **_HOUSEHOLDS,
    ),
    _m(
        "PovertyRate",
        "Poverty rate (as the Atlas gives)",
        unit="%",
        fmt=".1f",
        direction=HIGHER_IS_WORSE,
        group="Input data",
        definition="Share of residents below the poverty line, in percent (the Atlas's column).",
    ),
    _m(
        "MedianFamilyIncome",
        "Median family income (as the Atlas gives)",
        unit="USD",
        fmt=",.0f",
        direction=HIGHER_IS_BETTER,
        group="Input data",
    ),
    _m(
        "GroupQuartersFlag",
        "Most residents live in group quarters",
        kind="flag",
        group="Input data",
        definition="At least 67% of residents live in group quarters (the Atlas's flag).",
    ),
    _m("NUMGQTRS", "Residents in group quarters", group="Input data", **_PEOPLE),
    _m(
        "PCTGQTRS",
        "Residents in group quarters",
        unit="%",
        fmt=".1f",
        group="Input data",
        definition="Share of residents in group quarters, in percent (the Atlas's column).",
    ),
)

#: Every measure the catalogue names exactly, by name (families are matched by pattern).
MEASURES: dict[str, Measure] = {m.name: m for m in _EXACT}

#: The Atlas flags, in the order :func:`equity.summarize` reports them and menus list them.
FOOD_DESERT_MEASURES: tuple[str, ...] = (
    "LILATracts_1And10",
    "LILATracts_halfAnd10",
    "LILATracts_1And20",
    "LILATracts_Vehicle",
    "LA1and10",
    "LAhalfand10",
    "LA1and20",
    "LATractsVehicle_20",
    "LowIncomeTracts",
)

#: The measures a plain menu offers, in this order within each :attr:`Measure.group` (menus
#: list the groups in :data:`GROUPS` order): the food-desert flags the headline counts use,
#: distances, access scores, need and income, population. Every other column (the km twins of
#: mile columns, the Atlas's people-beyond counts, need-index parts, input columns kept for
#: comparison) is for experts: an "all columns" menu shows them.
MENU: tuple[str, ...] = (
    *FOOD_DESERT_MEASURES,
    "lapophalfshare",
    "lapop1share",
    "lahunvhalfshare",
    "dist_supermarket_mi",
    "dist_grocery_mi",
    "dist_farmers_market_mi",
    "dist_convenience_mi",
    "dist_dollar_store_mi",
    "cost_supermarket",
    "n_supermarket_1mi",
    "n_grocery_1mi",
    "fca2_per_1000",
    "e2sfca_per_1000",
    "gravity_per_1000",
    "mrfei",
    "n_healthy",
    "n_less_healthy",
    "need_index",
    "poverty_rate",
    "food_insecurity_rate",
    "households_no_vehicle",
    "snap_households",
    "low_income_population",
    "median_family_income",
    "population",
    "households",
)

# ---------------------------------------------------------------------- families
_KIND_WORDS = {
    "supermarket": ("supermarket", "supermarkets"),
    "grocery": ("grocery store", "grocery stores"),
    "convenience": ("convenience store", "convenience stores"),
    "farmers_market": ("farmers' market", "farmers' markets"),
    "dollar_store": ("dollar store", "dollar stores"),
    "pharmacy": ("pharmacy", "pharmacies"),
    "specialty": ("specialty food store", "specialty food stores"),
    "other": ("other food store", "other food stores"),
    "garden": ("garden", "gardens"),
    "farm": ("farm", "farms"),
    "hub": ("food hub", "food hubs"),
    "pantry": ("food pantry", "food pantries"),
}
#: Kinds whose nearness is good for access (the mRFEI's healthy kinds and groceries).
_GOOD_KINDS = ("supermarket", "grocery", "farmers_market", "garden", "farm", "hub", "pantry")


def _kind(kind: str) -> tuple[str, str]:
    words = kind.replace("_", " ")
    return _KIND_WORDS.get(kind, (f"{words} (store kind)", f"{words} (store kind)"))


def _miles(tag: str) -> str:
    miles = ATLAS_DISTANCES_MI.get(tag)
    if miles is None:
        miles = 0.5 if tag == "half" else float(tag)
    if miles == 0.5:
        return "1/2 mile"
    return f"{miles:g} mile" + ("" if miles == 1 else "s")


def _dist(m: re.Match[str]) -> Measure:
    kind, unit = m.group(1), m.group(2)
    one, _ = _kind(kind)
    good = kind in _GOOD_KINDS
    how = (
        "Population-weighted mean straight-line distance from where the area's residents live "
        f"to the nearest {one}; 'none in reach' where the region has none."
    )
    return Measure(
        m.group(0),
        f"Distance to the nearest {one}",
        unit="miles" if unit == "mi" else "km",
        scale=1.0 if unit == "mi" else 0.001,
        fmt=",.2f",
        direction=HIGHER_IS_WORSE if good else NEUTRAL,
        group="Distance to food",
        definition=how,
    )


def _count(m: re.Match[str]) -> Measure:
    kind, tag = m.group(1), m.group(2)
    _, many = _kind(kind)
    within = _miles(tag)
    return Measure(
        m.group(0),
        f"{many[:1].upper()}{many[1:]} within {within}",
        unit="stores",
        fmt=",.0f",
        direction=HIGHER_IS_BETTER if kind in _GOOD_KINDS else NEUTRAL,
        group="Stores nearby",
        definition=f"Number of {many} within {within} (straight line) of the area's "
        "population point.",
    )


def _cost(m: re.Match[str]) -> Measure:
    one, _ = _kind(m.group(1))
    return Measure(
        m.group(0),
        f"Travel cost to the nearest {one}",
        unit="cost-table units",
        fmt=",.1f",
        direction=HIGHER_IS_WORSE,
        group="Distance to food",
        definition="Least cost in the given cost table (minutes, metres, ...) from the area "
        f"to a {one}; 'none in reach' where the table has no pair.",
    )


_WHO = {
    "pop": ("People", "people", "residents"),
    "lowi": ("Low-income people", "people", "low-income residents"),
    "hunv": ("Households without a vehicle", "households", "households without a vehicle"),
    "kids": ("Children", "people", "children"),
    "seniors": ("Seniors", "people", "seniors"),
    "snap": ("Households receiving SNAP", "households", "households receiving SNAP"),
    "white": ("White residents", "people", "white residents"),
    "black": ("Black residents", "people", "Black residents"),
    "asian": ("Asian residents", "people", "Asian residents"),
    "hisp": ("Hispanic or Latino residents", "people", "Hispanic or Latino residents"),
}


def _beyond(m: re.Match[str]) -> Measure:
    who, unit, whom = _WHO[m.group(1)]
    far = _miles(m.group(2))
    label = f"{who} more than {far} from a supermarket"
    if m.group(3):
        return Measure(
            m.group(0),
            f"Share of {label[:1].lower()}{label[1:]}",
            direction=HIGHER_IS_WORSE,
            group=_ATLAS,
            definition=f"Share of the area's {whom} who live more than {far} (straight line) "
            "from the nearest supermarket.",
            **_SHARE,
        )
    return Measure(
        m.group(0),
        label,
        unit=unit,
        fmt=",.0f",
        direction=HIGHER_IS_WORSE,
        group=_ATLAS,
        definition=f"The area's {whom} who live more than {far} (straight line) from the "
        "nearest supermarket, counted from population points.",
    )


_INDICATOR_WORDS = {
    "poverty": ("poverty", "poverty rate (0-1)", _SHARE),
    "no_vehicle": ("households without a vehicle", "share of households with no vehicle", _SHARE),
    "snap": ("households receiving SNAP", "share of households receiving SNAP", _SHARE),
    "low_access": (
        "distance to a supermarket",
        "population-weighted distance to the nearest supermarket in metres (else the share "
        "of residents beyond 1 mile)",
        {"unit": "", "fmt": ",.2f"},
    ),
    "food_insecurity": ("food insecurity", "food-insecurity rate (0-1)", _SHARE),
}


def _need(m: re.Match[str]) -> Measure:
    name, pct = m.group(1), bool(m.group(2))
    words, value, style = _INDICATOR_WORDS.get(
        name, (name.replace("_", " ").lower(), f"the column {name!r}", {"fmt": ",.2f"})
    )
    if pct:
        return Measure(
            m.group(0),
            f"Need index part: rank on {words}",
            unit="percentile rank, 0-100",
            fmt=".0f",
            direction=HIGHER_IS_WORSE,
            group=_NEED,
            definition=f"The area's percentile rank (0 lowest, 100 highest in the region) on "
            f"{value}; one term of the need index.",
        )
    return Measure(
        m.group(0),
        f"Need indicator: {words}",
        direction=HIGHER_IS_WORSE,
        group=_NEED,
        definition=f"The value the need index ranks: {value}.",
        **style,
    )


def _input(m: re.Match[str]) -> Measure:
    base = measure_info(m.group(1))
    return replace(
        base,
        name=m.group(0),
        label=f"{base.label} (as given in the input data)",
        group="Input data",
        definition=f"The input's own column {m.group(1)!r}, kept beside the measure Foodshed "
        f"computed under that name (for comparison). {base.definition}".strip(),
    )


_ATLAS_TAGS = "|".join(re.escape(t) for t in ATLAS_DISTANCES_MI)
_FAMILIES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], Measure]], ...] = (
    (re.compile(r"^(.+)_input$"), _input),
    (re.compile(r"^dist_(.+)_(m|mi)$"), _dist),
    (re.compile(r"^n_(.+)_(half|\d+(?:\.\d+)?)mi$"), _count),
    (re.compile(r"^cost_(.+)$"), _cost),
    (re.compile(rf"^la({'|'.join(_WHO)})({_ATLAS_TAGS})(share)?$"), _beyond),
    (re.compile(r"^need_(?!kg$)(.+?)(_pct)?$"), _need),
)


def measure_info(column: str) -> Measure:
    """What ``column`` means and how to show it; always answers.

    Exact names first, then families by pattern; a column the catalogue does not know gets a
    generic entry (``generic=True``) with its name in words and no unit.
    """
    name = str(column)
    if name in MEASURES:
        return MEASURES[name]
    for pattern, build in _FAMILIES:
        m = pattern.match(name)
        if m:
            return build(m)
    words = re.sub(r"_+", " ", name).strip()
    return Measure(
        name,
        words[:1].upper() + words[1:],
        definition=f"{name!r} is not in the Foodshed measure catalogue: shown as it is.",
        generic=True,
    )

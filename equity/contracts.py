"""The data contracts: which tables a :class:`~equity.Region` holds and what their columns mean.

Quantities are *per period*; a period is one week unless a region says otherwise (``period`` column
in ``supply`` and ``need`` for seasonal data). Units are in the column names where they are fixed
(``throughput_kg``, ``sales_usd``); ``quantity`` columns are in each commodity's own ``unit`` and
``kg_per_unit`` converts them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "SITE_KINDS",
    "STORE_KINDS",
    "TABLES",
    "Column",
    "TableSpec",
]

#: Kinds of store the analytics know. ``supermarket`` is what the USDA Atlas counts (supermarkets,
#: supercenters and large grocery stores); the rest feed mRFEI and the counts.
STORE_KINDS = (
    "supermarket",
    "grocery",
    "convenience",
    "farmers_market",
    "dollar_store",
    "pharmacy",
    "specialty",
    "fast_food",
    "other",
)

#: Kinds of site that grow or hold food.
SITE_KINDS = ("garden", "farm", "hub", "pantry")


@dataclass(frozen=True)
class Column:
    """One column of a contract table.

    ``kind`` is one of ``id`` (text identifier), ``ref`` (text id of another table, ``ref_table``),
    ``number``, ``bool``, ``text``, ``category`` (one of ``choices``).
    """

    name: str
    kind: str
    required: bool = False
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False
    ref_table: str | None = None
    choices: tuple[str, ...] = ()
    description: str = ""
    #: Largest value that can be real (``None``: no bound). Larger values are errors: they are
    #: parsing or unit mistakes (``1e308``), and they overflow the measures built on them.
    plausible_max: float | None = None
    #: What one unit is, for the plausibility message ("residents in one area").
    plausible_what: str = ""
    #: Whether a number must be whole (a week number).
    whole: bool = False


@dataclass(frozen=True)
class TableSpec:
    """A contract table: its key, columns and geometry type (``None`` for plain tables)."""

    name: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    geometry: str | None = None  # "polygon" or "point"
    required: bool = False
    description: str = ""
    extra_key: tuple[str, ...] = field(
        default=()
    )  # optional columns that join the key when present

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column | None:
        for c in self.columns:
            if c.name == name:
                return c
        return None


def _n(
    name: str,
    *,
    required: bool = False,
    min: float | None = 0,
    max: float | None = None,
    min_exclusive: bool = False,
    description: str = "",
    plausible: tuple[float, str] | None = None,
    whole: bool = False,
) -> Column:
    return Column(
        name,
        "number",
        required=required,
        min=min,
        max=max,
        min_exclusive=min_exclusive,
        description=description,
        plausible_max=None if plausible is None else plausible[0],
        plausible_what="" if plausible is None else plausible[1],
        whole=whole,
    )


# Plausibility bounds: far above any real value (the most populous US county has about 10
# million residents; the US eats about 3e11 kg of food a year), far below float overflow.
_PEOPLE = (1e8, "people in one area")
_HOUSEHOLDS = (1e8, "households in one area")
_QUANTITY = (1e12, "units of one commodity per period")
_KG = (1e12, "kg per period")
_USD = (1e12, "US dollars")


AREAS = TableSpec(
    "areas",
    key=("area_id",),
    geometry="polygon",
    required=True,
    description="Census tracts, block groups or grid cells where people live.",
    columns=(
        Column(
            "area_id", "id", required=True, description="unique text id, e.g. an 11-digit GEOID"
        ),
        _n("population", required=True, description="residents", plausible=_PEOPLE),
        Column("name", "text"),
        _n("pop_lon", min=-180, max=180, description="population-weighted centre, WGS84 longitude"),
        _n("pop_lat", min=-90, max=90, description="population-weighted centre, WGS84 latitude"),
        _n("households", plausible=_HOUSEHOLDS),
        _n(
            "households_no_vehicle",
            description="households without a vehicle",
            plausible=_HOUSEHOLDS,
        ),
        _n("poverty_rate", max=1, description="share of people below the poverty line, 0-1"),
        _n("median_family_income", description="USD per year", plausible=(1e8, "USD per year")),
        Column(
            "urban", "bool", description="urban (True) or rural (False), as the Census defines it"
        ),
        _n(
            "snap_households",
            description="households receiving SNAP benefits",
            plausible=_HOUSEHOLDS,
        ),
        _n("food_insecurity_rate", max=1, description="share of people food-insecure, 0-1"),
        Column("low_income", "bool", description="low-income area flag, if known from the source"),
    ),
)


def _places(name: str, kinds: tuple[str, ...], description: str, *more: Column) -> TableSpec:
    """A table of points of some kinds (stores, sites): ``<name>_id``, ``kind`` and ``name``,
    then ``more``."""
    key = f"{name[:-1]}_id"
    return TableSpec(
        name,
        key=(key,),
        geometry="point",
        description=description,
        columns=(
            Column(key, "id", required=True),
            Column("kind", "category", required=True, choices=kinds),
            Column("name", "text"),
            *more,
        ),
    )


def _quantities(name: str, of: str, description: str, period: str = "") -> TableSpec:
    """Units of each commodity per period (or week) at each row of table ``of`` (supply at the
    sites, need in the areas)."""
    key = f"{of[:-1]}_id"
    return TableSpec(
        name,
        key=(key, "commodity"),
        extra_key=("period", "week"),
        description=description,
        columns=(
            Column(key, "ref", required=True, ref_table=of),
            Column("commodity", "ref", required=True, ref_table="commodities"),
            _n("quantity", required=True, description="units per period", plausible=_QUANTITY),
            Column("period", "text", description=period),
            _n(
                "week",
                min=1,
                whole=True,
                description="week 1, 2, ... of a plan over weeks (blank: every week)",
            ),
        ),
    )


STORES = _places(
    "stores",
    STORE_KINDS,
    "Where food is sold.",
    _n("sales_usd", plausible=_USD),
    _n("area_sqft", plausible=(1e8, "square feet of one store")),
)

SITES = _places(
    "sites",
    SITE_KINDS,
    "Where food is grown or held: gardens, farms, hubs, pantries.",
    _n("throughput_kg", description="kg the site can hand out per period", plausible=_KG),
    _n("storage_kg", description="kg the site can hold", plausible=_KG),
    _n("fixed_cost_usd", description="cost to open or run the site per period", plausible=_USD),
)

SUPPLY = _quantities(
    "supply",
    "sites",
    "What each site can hand out per period, in the commodity's unit.",
    "season or period label, for seasonal supply",
)

COMMODITIES = TableSpec(
    "commodities",
    key=("commodity",),
    description="The catalogue of foods that move.",
    columns=(
        Column("commodity", "id", required=True),
        Column("unit", "text", required=True, description="unit that quantities are counted in"),
        _n(
            "kg_per_unit",
            required=True,
            min_exclusive=True,
            plausible=(1e6, "kg in one unit"),
        ),
        Column("name", "text"),
        Column("group", "text", description="food group: produce, grains, protein, dairy, ..."),
        _n("shelf_life_days", plausible=(1e5, "days")),
        _n(
            "per_capita",
            description="units per person per period, to derive need",
            plausible=(1e6, "units per person per period"),
        ),
        _n("kcal_per_unit", plausible=(1e9, "kcal in one unit")),
        Column("culture", "text", description="cultural tags, ';'-separated"),
    ),
)

NEED = _quantities("need", "areas", "What each area needs per period, in the commodity's unit.")

SUBSTITUTES = TableSpec(
    "substitutes",
    key=("commodity", "substitute"),
    description="Which commodity may stand in for another, and how acceptable it is.",
    columns=(
        Column("commodity", "ref", required=True, ref_table="commodities"),
        Column("substitute", "ref", required=True, ref_table="commodities"),
        _n("acceptability", required=True, max=1, description="0-1"),
        Column("culture", "text"),
    ),
)

POPULATION_POINTS = TableSpec(
    "population_points",
    key=("point_id",),
    geometry="point",
    description=(
        "Population below the area level (block groups, blocks): where within an area people "
        "live, for the Atlas 500-people-or-33% rule and finer distances."
    ),
    columns=(
        Column("point_id", "id", required=True),
        Column("area_id", "ref", required=True, ref_table="areas"),
        _n("population", required=True, plausible=_PEOPLE),
        _n("households", plausible=_HOUSEHOLDS),
        _n("households_no_vehicle", plausible=_HOUSEHOLDS),
    ),
)

#: Every contract table by name, in dependency order (referenced tables first).
TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (AREAS, STORES, SITES, COMMODITIES, SUPPLY, NEED, SUBSTITUTES, POPULATION_POINTS)
}

"""Foodshed equity: read places and food sources, and measure fair access to food.

Data contracts, loaders and validation live here; access and equity measures build on them.
"""

from ._errors import DataSourceError, FoodshedError, Problem, ValidationError
from .contracts import TABLES
from .io import read_table
from .region import Region, ValidationReport, validate_dir

# --- public US data sources (equity.sources) ---
from .sources import (
    allegheny_region,
    assemble_us_region,
    chicago_region,
    classify_store_name,
    dedupe_stores,
    read_acs_snap,
    read_census_popcenters,
    read_census_tracts,
    read_site_list,
    read_snap_retailers,
    read_store_list,
    read_usda_atlas,
)

__all__ = [
    "TABLES",
    "DataSourceError",
    "FoodshedError",
    "Problem",
    "Region",
    "ValidationError",
    "ValidationReport",
    "read_table",
    "validate_dir",
    # --- public US data sources (equity.sources) ---
    "allegheny_region",
    "assemble_us_region",
    "chicago_region",
    "classify_store_name",
    "dedupe_stores",
    "read_acs_snap",
    "read_census_popcenters",
    "read_census_tracts",
    "read_site_list",
    "read_snap_retailers",
    "read_store_list",
    "read_usda_atlas",
]

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

# --- equity analytics (branch `analytics`) -------------------------------------------------
from .access import (
    access_table,
    count_within,
    nearest_distance,
    population_beyond,
    population_points,
)
from .analyze import analyze, inequality_summary, summarize
from .atlas import atlas_classify, low_income_tracts
from .fca import enhanced_two_step_fca, gravity_access, two_step_fca
from .inequality import (
    atkinson,
    concentration_index,
    disparity_ratios,
    gini,
    lorenz_curve,
    palma_ratio,
    theil,
    theil_decomposition,
)
from .mrfei import mrfei
from .need import need_index

__all__ += [
    "access_table",
    "analyze",
    "atkinson",
    "atlas_classify",
    "concentration_index",
    "count_within",
    "disparity_ratios",
    "enhanced_two_step_fca",
    "gini",
    "gravity_access",
    "inequality_summary",
    "low_income_tracts",
    "lorenz_curve",
    "mrfei",
    "nearest_distance",
    "need_index",
    "palma_ratio",
    "population_beyond",
    "population_points",
    "summarize",
    "theil",
    "theil_decomposition",
    "two_step_fca",
]

# --- national analytics in bounded memory (branch `sweep`) ---------------------------------
from .partition import access_by_partition, atlas_by_partition, partition_keys  # noqa: E402

__all__ += ["access_by_partition", "atlas_by_partition", "partition_keys"]

# --- road distances (branch `network`) -----------------------------------------------------
from .roads import network_distances, road_access_table  # noqa: E402

__all__ += ["network_distances", "road_access_table"]

"""Foodshed equity: read places and food sources, and measure fair access to food.

Data contracts, loaders and validation (:class:`Region`), public US data sources, and the access
and equity measures that build on them: distances and counts, the USDA Food Access Research
Atlas classification, 2SFCA and gravity access, the mRFEI, a need index and inequality measures.
"""

from ._errors import (
    NO_STORES,
    NO_SUPPLY,
    ConfigError,
    DataSourceError,
    FoodshedError,
    Problem,
    ValidationError,
)
from .access import (
    M_PER_MILE,
    access_table,
    count_within,
    nearest_distance,
    population_beyond,
    population_points,
)
from .analyze import analyze, inequality_summary, summarize
from .atlas import LowIncomeStandInWarning, atlas_classify, low_income_tracts
from .catalogue import Measure, measure_info
from .contracts import TABLES
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
from .io import read_table
from .mrfei import mrfei
from .need import need_index
from .partition import access_by_partition, atlas_by_partition, partition_keys
from .region import Region, ValidationReport, validate_dir
from .roads import network_distances, road_access_table
from .sources import (
    allegheny_region,
    assemble_us_region,
    chicago_region,
    classification_report,
    classify_store_name,
    classify_stores,
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
    "NO_STORES",
    "NO_SUPPLY",
    "TABLES",
    "ConfigError",
    "DataSourceError",
    "FoodshedError",
    "LowIncomeStandInWarning",
    "M_PER_MILE",
    "Measure",
    "Problem",
    "Region",
    "ValidationError",
    "ValidationReport",
    "access_by_partition",
    "access_table",
    "allegheny_region",
    "analyze",
    "assemble_us_region",
    "atkinson",
    "atlas_by_partition",
    "atlas_classify",
    "chicago_region",
    "classification_report",
    "classify_store_name",
    "classify_stores",
    "concentration_index",
    "count_within",
    "dedupe_stores",
    "disparity_ratios",
    "enhanced_two_step_fca",
    "gini",
    "gravity_access",
    "inequality_summary",
    "low_income_tracts",
    "measure_info",
    "lorenz_curve",
    "mrfei",
    "nearest_distance",
    "need_index",
    "network_distances",
    "palma_ratio",
    "partition_keys",
    "population_beyond",
    "population_points",
    "read_acs_snap",
    "read_census_popcenters",
    "read_census_tracts",
    "read_site_list",
    "read_snap_retailers",
    "read_store_list",
    "read_table",
    "read_usda_atlas",
    "road_access_table",
    "summarize",
    "theil",
    "theil_decomposition",
    "two_step_fca",
    "validate_dir",
]

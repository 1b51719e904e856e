"""Foodshed equity: read places and food sources, and measure fair access to food.

Data contracts, loaders and validation live here; access and equity measures build on them.
"""

from ._errors import DataSourceError, FoodshedError, Problem, ValidationError
from .contracts import TABLES
from .io import read_table
from .region import Region, ValidationReport, validate_dir

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
]

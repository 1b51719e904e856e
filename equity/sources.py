"""Readers of the public US food-access sources, and Region builders from them.

Each reader returns a frame that fits a contract table of :mod:`equity.contracts` (``areas``,
``stores``, ``sites``, ``population_points``) or a tract table that joins to ``areas`` on
``area_id``, and raises :class:`~equity.DataSourceError` (cannot read the file) or
:class:`~equity.ValidationError` (naming file, row and column) on bad input. What a reader
changed or left out is in ``frame.attrs["notes"]`` and ``frame.attrs["problems"]``.
See ``docs/data-sources.md`` for each source's quirks and the classification rules.

Examples
--------
>>> from equity.sources import allegheny_region
>>> region = allegheny_region("../shared/data")  # doctest: +SKIP
>>> len(region.areas), int(region.areas["in_atlas"].sum())  # doctest: +SKIP
(402, 400)
"""

from __future__ import annotations

from ._sources_census import (
    ATLAS_RENAMES,
    read_acs_snap,
    read_census_popcenters,
    read_census_tracts,
    read_usda_atlas,
)
from ._sources_region import (
    CHICAGO_STORE_LISTS,
    STORE_RULES,
    allegheny_region,
    assemble_us_region,
    chicago_region,
    county_region,
    snap_supermarkets_near,
    tracts_from_points,
)
from ._sources_stores import (
    dedupe_stores,
    read_site_list,
    read_snap_retailers,
    read_store_list,
    similar_names,
)
from .store_classes import (
    AMBIGUOUS_SNAP_TYPES,
    NAME_RULES,
    SNAP_STORE_TYPES,
    SUPERMARKET_MIN_SALES_USD,
    SUPERMARKET_MIN_SQFT,
    classification_report,
    classify_store_name,
    classify_stores,
    stores_near,
    supermarket_banners,
)

__all__ = [
    "AMBIGUOUS_SNAP_TYPES",
    "ATLAS_RENAMES",
    "CHICAGO_STORE_LISTS",
    "NAME_RULES",
    "SNAP_STORE_TYPES",
    "STORE_RULES",
    "SUPERMARKET_MIN_SALES_USD",
    "SUPERMARKET_MIN_SQFT",
    "allegheny_region",
    "assemble_us_region",
    "chicago_region",
    "classification_report",
    "classify_store_name",
    "classify_stores",
    "county_region",
    "dedupe_stores",
    "read_acs_snap",
    "read_census_popcenters",
    "read_census_tracts",
    "read_site_list",
    "read_snap_retailers",
    "read_store_list",
    "read_usda_atlas",
    "similar_names",
    "snap_supermarkets_near",
    "stores_near",
    "supermarket_banners",
    "tracts_from_points",
]

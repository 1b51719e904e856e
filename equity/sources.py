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
    STORE_RULES,
    allegheny_region,
    assemble_us_region,
    chicago_region,
    snap_supermarkets_near,
)
from ._sources_stores import (
    NAME_RULES,
    SNAP_STORE_TYPES,
    SUPERMARKET_MIN_SQFT,
    classify_store_name,
    dedupe_stores,
    read_site_list,
    read_snap_retailers,
    read_store_list,
    similar_names,
)

__all__ = [
    "ATLAS_RENAMES",
    "NAME_RULES",
    "SNAP_STORE_TYPES",
    "STORE_RULES",
    "SUPERMARKET_MIN_SQFT",
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
    "similar_names",
    "snap_supermarkets_near",
]

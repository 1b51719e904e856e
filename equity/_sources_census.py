"""Readers of the Census and USDA tract tables: the Food Access Research Atlas, TIGER/Line tracts,
centres of population and ACS SNAP counts. Public names are in :mod:`equity.sources`."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ._errors import ConfigError, DataSourceError, Problem, ValidationError
from ._sources_common import (
    WGS84,
    as_path,
    attach,
    header,
    numbers,
    pick,
    raise_errors,
    read_text_csv,
    require_rows,
)
from .io import check_crs, read_table

#: Snake-case names of the ``fooddeserts`` R package (the national 25-column subset) to the
#: Atlas's own names, so that both files give the same columns.
ATLAS_RENAMES = {
    "state": "State",
    "county": "County",
    "urban_flag": "Urban",
    "pop2010": "Pop2010",
    "ohu2010": "OHU2010",
    "group_quarters_flag": "GroupQuartersFlag",
    "num_in_group_quarters": "NUMGQTRS",
    "pct_in_group_quarters": "PCTGQTRS",
    "li_la_1_10": "LILATracts_1And10",
    "li_la_half_10": "LILATracts_halfAnd10",
    "li_la_1_20": "LILATracts_1And20",
    "li_la_vehicle": "LILATracts_Vehicle",
    "la_lva_flag": "HUNVFlag",
    "low_income_tracts": "LowIncomeTracts",
    "poverty_rate": "PovertyRate",
    "median_family_income": "MedianFamilyIncome",
    "la_1_10": "LA1and10",
    "la_half_10": "LAhalfand10",
    "la_1_20": "LA1and20",
    "la_tracts_half": "LATracts_half",
    "la_tracts_1": "LATracts1",
    "la_tracts_10": "LATracts10",
    "la_tracts_20": "LATracts20",
    "la_tracts_vehicle_20": "LATractsVehicle_20",
}

#: Values the Census API and data.census.gov write for an estimate that is not available
#: (too few sample cases, not applicable, ...), which are not counts.
CENSUS_NOT_AVAILABLE = (-999999999, -888888888, -666666666, -555555555, -333333333, -222222222)
#: Atlas columns that are flags, 0 or 1 (urban, low income, low access, LILA, group quarters).
ATLAS_FLAG = re.compile(
    r"Urban|GroupQuartersFlag|HUNVFlag|LowIncomeTracts|LILATracts_\w+|LATracts\w*"
    r"|LA(1and10|halfand10|1and20)"
)
#: Atlas columns that are text; every other column is a number.
ATLAS_TEXT = ("CensusTract", "State", "County")
#: Atlas columns written in percent in every edition (always divided by 100).
ATLAS_PERCENT = ("PovertyRate", "PCTGQTRS")

_STATE_FIPS = {
    "AL": "01", "AK": "02", "AZ": "04", "AR": "05", "CA": "06", "CO": "08", "CT": "09",
    "DE": "10", "DC": "11", "FL": "12", "GA": "13", "HI": "15", "ID": "16", "IL": "17",
    "IN": "18", "IA": "19", "KS": "20", "KY": "21", "LA": "22", "ME": "23", "MD": "24",
    "MA": "25", "MI": "26", "MN": "27", "MS": "28", "MO": "29", "MT": "30", "NE": "31",
    "NV": "32", "NH": "33", "NJ": "34", "NM": "35", "NY": "36", "NC": "37", "ND": "38",
    "OH": "39", "OK": "40", "OR": "41", "PA": "42", "RI": "44", "SC": "45", "SD": "46",
    "TN": "47", "TX": "48", "UT": "49", "VT": "50", "VA": "51", "WA": "53", "WV": "54",
    "WI": "55", "WY": "56", "PR": "72",
}  # fmt: skip


def tract_ids(
    raw: pd.Series, *, path: Path | str, table: str, column: str, digits: int = 11
) -> pd.Series:
    """GEOIDs of ``digits`` digits from text that may have lost one leading zero (an integer
    ``CensusTract`` of a state coded 01-09) or carry a float's ``.0``.

    Any other length is an error that quotes an example and the fix (a 7-digit value padded to
    11 digits is not a tract of this state and county, it is a wrong id); text that is not
    digits is an error naming the row. Problems of one kind are reported once, with the number
    of rows and the first row.
    """
    text = raw.astype(object).where(raw.notna(), "").astype(str)
    text = text.str.strip().str.replace(r"\.0+$", "", regex=True)
    digit = text.str.fullmatch(r"\d+").astype(bool)
    length = text.str.len()
    ok = digit & length.isin([digits - 1, digits])
    problems: list[Problem] = []
    rows = raw.index.to_numpy() + 1
    not_digits = np.flatnonzero(~digit.to_numpy())
    for i in not_digits[:20]:
        problems.append(
            Problem(
                table,
                f"'{column}' must be a {digits}-digit census GEOID; found {raw.iloc[i]!r}",
                file=str(path),
                row=int(rows[i]),
                column=column,
            )
        )
    if len(not_digits) > 20:
        problems.append(
            Problem(
                table,
                f"... and {len(not_digits) - 20:,} more rows of '{column}' that are not digits",
                file=str(path),
                column=column,
            )
        )
    wrong = digit & ~ok
    for n in sorted(set(length[wrong].tolist())):
        idx = np.flatnonzero((wrong & (length == n)).to_numpy())
        i = int(idx[0])
        if digits == 11 and n < digits - 1:
            fix = (
                "a tract GEOID is 2 state + 3 county + 6 tract digits (such as '42003010300'); "
                f"'{column}' looks like a part of one (TIGER's TRACTCE has 6 digits). Pass the "
                "11-digit GEOID column as id_col=, or leave id_col out so that "
                "STATEFP+COUNTYFP+TRACTCE make the id"
            )
        elif digits == 11 and n in (12, 15):
            level = "block-group" if n == 12 else "block"
            fix = (
                f"{n}-digit codes are {level} GEOIDs, not tracts; give a tract table, or "
                "aggregate to tracts (a tract's GEOID is the first 11 digits)"
            )
        else:
            fix = f"a census GEOID of this level has {digits} digits; pass the right column"
        problems.append(
            Problem(
                table,
                f"'{column}' holds {n}-digit codes in {len(idx):,} row(s), such as "
                f"{text.iloc[i]!r}; padding them with zeros would make wrong ids: {fix}",
                file=str(path),
                row=int(rows[i]),
                column=column,
            )
        )
    raise_errors(problems, path)
    return text.str.zfill(digits).astype(object)


def _codes(value: str | Sequence[str] | None) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, (str, int)):
        return [str(value).strip()]
    return [str(v).strip() for v in value]


def _prefix_filter(
    ids: pd.Series,
    names: pd.DataFrame | None,
    *,
    state: str | Sequence[str] | None,
    county: str | Sequence[str] | None,
) -> pd.Series:
    """Rows of the given states (name, USPS code or 2-digit FIPS) and counties (name, 3- or
    5-digit FIPS); each may be one value or a list."""
    keep = pd.Series(True, index=ids.index)
    states = _codes(state)
    if states is not None:
        any_state = pd.Series(False, index=ids.index)
        for s in states:
            if re.fullmatch(r"\d{1,2}", s):
                any_state |= ids.str[:2] == s.zfill(2)
            elif s.upper() in _STATE_FIPS:
                any_state |= ids.str[:2] == _STATE_FIPS[s.upper()]
            elif names is not None and "State" in names:
                any_state |= names["State"].str.strip().str.lower() == s.lower()
            else:
                msg = f"state {s!r}: give a 2-digit FIPS code or a USPS code such as 'PA'"
                raise ConfigError(msg)
        keep &= any_state
    counties = _codes(county)
    if counties is not None:
        any_county = pd.Series(False, index=ids.index)
        for c in counties:
            if re.fullmatch(r"\d{5}", c):
                any_county |= ids.str[:5] == c
            elif re.fullmatch(r"\d{1,3}", c):
                any_county |= ids.str[2:5] == c.zfill(3)
            elif names is not None and "County" in names:
                want = re.sub(r"\s+county$", "", c.lower())
                have = (
                    names["County"]
                    .str.strip()
                    .str.lower()
                    .str.replace(r"\s+county$", "", regex=True)
                )
                any_county |= have == want
            else:
                msg = f"county {c!r}: give a 3-digit or 5-digit FIPS code such as '42003'"
                raise ConfigError(msg)
        keep &= any_county
    return keep


def _filter_label(state: object, county: object) -> str:
    bits = []
    if state is not None:
        bits.append(f"state={state!r}")
    if county is not None:
        bits.append(f"county={county!r}")
    return " and ".join(bits)


#: Atlas editions the reader knows; 2010 and 2015 write the ``*share`` columns as 0-1, 2019
#: as percent.
ATLAS_EDITIONS = (2010, 2015, 2019)


def atlas_edition(found: list[str], path: Path) -> tuple[int | None, str]:
    """The Atlas edition from a header (and file name), and how it was told.

    The 2010 and 2015 editions spell the population column ``POP2010``; 2019 spells it
    ``Pop2010``, and the ``fooddeserts`` 25-column subset (snake case) is 2019. Without that
    column, a year in the file name (``fara2015_national_5col.csv``) decides. ``None`` when
    neither says.
    """
    if "POP2010" in found:
        year = _year_in(path.name)
        return (year if year in (2010, 2015) else 2015), "the header's POP2010 (2010/2015 spelling)"
    if "Pop2010" in found:
        return 2019, "the header's Pop2010 (2019 spelling)"
    if any(c in ATLAS_RENAMES for c in found if c not in ("state", "county")):
        return 2019, "the snake-case names of the 2019 fooddeserts subset"
    year = _year_in(path.name)
    if year is not None:
        return year, f"the file name ({path.name})"
    return None, ""


def _year_in(name: str) -> int | None:
    years = {int(y) for y in re.findall(r"(?<!\d)(2010|2015|2019)(?!\d)", name)}
    return years.pop() if len(years) == 1 else None


def read_usda_atlas(
    path: str | os.PathLike[str],
    *,
    state: str | Sequence[str] | None = None,
    county: str | Sequence[str] | None = None,
    edition: int | None = None,
    columns: list[str] | None = None,
) -> pd.DataFrame:
    """Read a USDA Food Access Research Atlas table (2010, 2015 or 2019 edition, full or a subset).

    The Atlas's own column names are kept (the snake-case names of the national 25-column
    subset are renamed back to them, see :data:`ATLAS_RENAMES`; the 2010/2015 ``POP2010`` is
    renamed ``Pop2010``, as 2019 writes it) and an ``area_id`` column (the 11-digit 2010 tract
    GEOID, zero-padded from an integer ``CensusTract``) is added. The text ``NULL`` is
    missing. Percentages become 0-1 shares in place: ``PovertyRate`` and ``PCTGQTRS`` always
    (the Atlas writes them in percent), and the ``*share`` columns in the 2019 edition (2010
    and 2015 write 0-1); a ``PovertyRate`` or ``PCTGQTRS`` outside 0-100, a flag other than 0
    or 1 and an infinite number are errors naming the row and tract. ``frame.attrs["notes"]``
    says what was changed and how the edition was told.

    Parameters
    ----------
    path
        The Atlas CSV (a leading byte-order mark is fine).
    state, county
        Keep only these states (name, USPS code or 2-digit FIPS) and/or counties (name such as
        ``"Allegheny County"``, or 3- or 5-digit FIPS); one value or a list. A filter that
        keeps no row is an error.
    edition
        2010, 2015 or 2019. Told from the header when omitted (``POP2010`` is 2010/2015,
        ``Pop2010`` is 2019), else from a year in the file name; a file with ``*share`` columns
        and neither needs it. Share values are never used to guess it, but values above 1.5
        in a 0-1 edition are an error.
    columns
        Atlas columns to read (``CensusTract`` is always read); all when omitted.

    Examples
    --------
    >>> atlas = read_usda_atlas("fara2019_national_25col.csv", county="42003")  # doctest: +SKIP
    >>> int(atlas["LILATracts_halfAnd10"].sum())  # doctest: +SKIP
    117
    """
    p = as_path(path)
    found = header(p)
    if edition is not None and edition not in ATLAS_EDITIONS:
        msg = f"edition must be one of {ATLAS_EDITIONS}; got {edition!r}"
        raise ConfigError(msg)
    told, how = atlas_edition(found, p)
    renames = {c: ATLAS_RENAMES[c] for c in found if c in ATLAS_RENAMES}
    if "POP2010" in found and "Pop2010" not in found:
        renames["POP2010"] = "Pop2010"
    back = {v: k for k, v in renames.items()}
    wanted = None if columns is None else [back.get(c, c) for c in columns]
    if wanted is not None:
        for c in ("State", "County"):
            if c in back or c in found:
                wanted.append(back.get(c, c))
    df = read_text_csv(
        p,
        table="atlas",
        required=("CensusTract",),
        optional=wanted or (),
        all_columns=wanted is None,
        hint="Is this a USDA Food Access Research Atlas table?",
    )
    notes: list[str] = []
    if any(k in ATLAS_RENAMES for k in renames):
        notes.append("snake-case column names renamed to the Atlas's own names")
    if "POP2010" in renames:
        notes.append("POP2010 renamed Pop2010 (the 2019 spelling)")
    df.insert(
        0, "area_id", tract_ids(df["CensusTract"], path=p, table="atlas", column="CensusTract")
    )
    if state is not None or county is not None:
        before = len(df)
        named = df.rename(columns=renames)
        keep = _prefix_filter(df["area_id"], named, state=state, county=county)
        df = df[keep.to_numpy()]
        require_rows(df, path=p, table="atlas", what=_filter_label(state, county), before=before)
    problems: list[Problem] = []
    for c in df.columns:  # the file's own names, so that a message names its column
        if c != "area_id" and renames.get(c, c) not in ATLAS_TEXT:
            df[c] = numbers(df, c, path=p, table="atlas", problems=problems)
            flag = ATLAS_FLAG.fullmatch(renames.get(c, c)) is not None
            percent = renames.get(c, c) in ATLAS_PERCENT
            if flag:
                wrong, words = ~df[c].isin((0.0, 1.0)), "must be 0 or 1 (a flag)"
            elif percent:  # percent in every edition: 12.5 is 12.5 %
                wrong = ~df[c].between(0.0, 100.0)
                words = "is a percentage (every Atlas edition writes it so) and must be 0 to 100"
            else:
                wrong, words = np.isinf(df[c]), "is infinite"
            for i in np.flatnonzero((wrong & df[c].notna()).to_numpy())[:5]:
                row = int(df.index[i]) + 1
                problems.append(
                    Problem(
                        "atlas",
                        f"'{c}' {words}; found {df[c].iloc[i]:g} (tract {df['area_id'].iloc[i]})",
                        file=str(p),
                        row=row,
                        column=c,
                    )
                )
    raise_errors(problems, p)
    df = df.rename(columns=renames).reset_index(drop=True)
    shares = [c for c in df.columns if c.lower().endswith("share")]
    if edition is None:
        edition = told
        if edition is not None:
            notes.append(f"{edition} edition, told by {how}")
        elif shares:
            msg = (
                f"{p}: cannot tell the Atlas edition: the header has neither POP2010 "
                "(2010/2015) nor Pop2010 (2019), and the file name has no year. The share "
                f"columns ({', '.join(shares[:3])}) are 0-1 in 2010 and 2015 and percent in "
                "2019; pass edition=2015 or edition=2019"
            )
            raise DataSourceError(msg)
    elif told is not None and told != edition and not (told in (2010, 2015) and edition < 2019):
        notes.append(f"edition={edition} given; the file looks like {told} ({how})")
    if edition is not None and edition < 2019:
        for c in shares:
            top = df[c].max()
            if pd.notna(top) and top > 1.5:
                row = int(df[c].idxmax()) + 1
                msg = (
                    f"'{c}' reaches {top:g}, a percentage, but the {edition} edition writes "
                    "shares as 0-1; is this the 2019 edition? Pass edition=2019"
                )
                raise ValidationError(
                    [Problem("atlas", msg, file=str(p), row=row, column=c)],
                    title=f"{p}: shares do not fit the {edition} edition",
                )
    scaled = []
    if edition == 2019:
        for c in shares:
            df[c] = df[c] / 100.0
        scaled += shares
    for c in ATLAS_PERCENT:
        if c in df.columns:
            df[c] = df[c] / 100.0
            scaled.append(c)
    if scaled:
        listing = ", ".join(scaled[:6]) + (
            f" and {len(scaled) - 6} more" if len(scaled) > 6 else ""
        )
        notes.append(f"{listing} divided by 100 (percent -> 0-1 share)")
    dup = df["area_id"].duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        msg = f"CensusTract {df['area_id'].iloc[i]} appears more than once; keep one row per tract"
        raise ValidationError([Problem("atlas", msg, file=str(p), row=i + 1, column="CensusTract")])
    df.attrs["edition"] = edition
    attach(df, source=str(p), notes=notes, problems=[])
    return df


def read_census_tracts(
    path: str | os.PathLike[str] | gpd.GeoDataFrame,
    *,
    id_col: str | None = None,
    layer: str | None = None,
) -> gpd.GeoDataFrame:
    """Read census tract polygons into an areas frame: ``area_id``, geometry, ``land_area_m2``.

    Reads TIGER/Line 2010 shapefiles (``GEOID10``, also zipped), 2020 ones (``GEOID``) and other
    tract files with an 11-digit id such as Chicago's (``geoid10``); or pass ``id_col``. When
    the id is missing, ``STATEFP``+``COUNTYFP``+``TRACTCE`` (2010 names too, each zero-padded
    to 2+3+6 digits) make it. ``land_area_m2`` comes from ``ALAND10``/``ALAND`` when the file
    has it. Other columns are kept. Geometry stays in the file's CRS (the Region brings it to a
    metric one).

    Parameters
    ----------
    path
        A tract file (shapefile, zipped shapefile, GeoPackage, GeoJSON, ...) or a GeoDataFrame
        already read (it is not modified).
    id_col
        The column of 11-digit tract GEOIDs. Ids of another length are an error (a 6- or
        7-digit tract code padded to 11 digits is a wrong id); 10 digits (an integer that lost
        a state's leading zero) are padded.
    layer
        Layer of a GeoPackage or member of a zip.

    Raises
    ------
    DataSourceError
        No geometry, no CRS, or coordinates that cannot be in the declared CRS (``the .prj
        says X; the coordinates look like Y``).
    ValidationError
        No tract id column, or ids that are not tract GEOIDs.
    """
    if isinstance(path, gpd.GeoDataFrame):
        gdf = path.copy()
        p: Path | str = "the tracts GeoDataFrame"
        if gdf.crs is not None:
            check_crs(gdf, source=str(p), declared_by="its CRS says")
    elif isinstance(path, pd.DataFrame):
        msg = "read_census_tracts: a DataFrame without geometry; give a GeoDataFrame of polygons"
        raise DataSourceError(msg)
    else:
        p = as_path(path)
        gdf, _ = read_table(p, table="areas", layer=layer)
    if not isinstance(gdf, gpd.GeoDataFrame):
        msg = f"{p}: no geometry; give a shapefile, GeoPackage or GeoJSON of tract polygons"
        raise DataSourceError(msg)
    if gdf.crs is None:
        msg = f"{p}: the file has no CRS (a .prj is missing); TIGER/Line files are EPSG:4269"
        raise DataSourceError(msg)
    cols = [str(c) for c in gdf.columns]
    col = id_col or pick(
        cols, "GEOID10", "GEOID", "GEOID20", "geoid10", "tract_geoid", "CensusTract"
    )
    if col is None:
        parts = [
            pick(cols, "STATEFP10", "STATEFP"),
            pick(cols, "COUNTYFP10", "COUNTYFP"),
            pick(cols, "TRACTCE10", "TRACTCE"),
        ]
        if None in parts:
            msg = (
                f"no tract id column; expected GEOID10/GEOID/geoid10 or STATEFP+COUNTYFP+TRACTCE; "
                f"found {[c for c in cols if c != 'geometry']}. Pass id_col="
            )
            raise ValidationError([Problem("areas", msg, file=str(p), column="GEOID10")])
        pieces = []
        for part, width in zip(parts, (2, 3, 6), strict=True):
            text = gdf[part].astype(object).where(gdf[part].notna(), "").astype(str)
            pieces.append(text.str.strip().str.replace(r"\.0+$", "", regex=True).str.zfill(width))
        raw = pieces[0] + pieces[1] + pieces[2]
        col = "+".join(str(x) for x in parts)
    elif col not in cols:
        msg = f"id_col '{col}' is not in the file; found {[c for c in cols if c != 'geometry']}"
        raise ValidationError([Problem("areas", msg, file=str(p), column=col)])
    else:
        raw = gdf[col]
    out = gdf.reset_index(drop=True)
    raw = raw.reset_index(drop=True)
    out.insert(0, "area_id", tract_ids(raw, path=p, table="areas", column=col))
    land = pick(cols, "ALAND10", "ALAND", "ALAND20")
    if land is not None:
        out["land_area_m2"] = pd.to_numeric(out[land], errors="coerce").astype(float)
    attach(out, source=str(p), notes=[f"area_id from '{col}'"], problems=[])
    return out


def read_census_popcenters(
    path: str | os.PathLike[str],
    *,
    level: str = "tract",
    counties: str | list[str] | None = None,
) -> gpd.GeoDataFrame:
    """Read Census 2010 centres of population (``CenPop2010_Mean_TR`` or ``_BG``).

    Parameters
    ----------
    path
        The centres file (CSV; or the Census's own comma-separated ``.txt``).
    level
        ``"tract"``: one row per tract with ``area_id``, ``population`` (``POPULATION``),
        ``pop_lon``/``pop_lat`` and point geometry, ready to join to an areas frame.
        ``"block_group"``: a ``population_points`` table: ``point_id`` (12-digit block-group
        GEOID), ``area_id`` (the containing tract, its 11-digit prefix), ``population`` and
        point geometry.
    counties
        5-digit county FIPS codes (``"42003"``, or a list) to keep; filtered before anything is
        parsed. A filter that keeps no row is an error.
    """
    if level not in ("tract", "block_group"):
        msg = f"level must be 'tract' or 'block_group'; got {level!r}"
        raise ConfigError(msg)
    p = as_path(path)
    req = ["STATEFP", "COUNTYFP", "TRACTCE", "POPULATION", "LATITUDE", "LONGITUDE"]
    if level == "block_group":
        req.insert(3, "BLKGRPCE")
    hint = "Is this a Census CenPop2010 file" + (
        " of block groups (CenPop2010_Mean_BG)?" if level == "block_group" else "?"
    )
    df = read_text_csv(p, table="population_points", required=req, hint=hint)
    df["source_row"] = df.index.to_numpy() + 1
    county = df["STATEFP"].str.zfill(2) + df["COUNTYFP"].str.zfill(3)
    if counties is not None:
        wanted = _codes(counties) or []
        bad_codes = [c for c in wanted if not re.fullmatch(r"\d{4,5}", c)]
        if bad_codes:
            msg = f"counties= takes 5-digit county FIPS codes such as '42003'; got {bad_codes}"
            raise ConfigError(msg)
        before = len(df)
        df = df[county.isin([c.zfill(5) for c in wanted]).to_numpy()]
        require_rows(
            df, path=p, table="population_points", what=f"counties={counties!r}", before=before
        )
        county = df["STATEFP"].str.zfill(2) + df["COUNTYFP"].str.zfill(3)
    tract = county + df["TRACTCE"].str.zfill(6)
    problems: list[Problem] = []
    pop = numbers(df, "POPULATION", path=p, table="population_points", problems=problems)
    lat = numbers(df, "LATITUDE", path=p, table="population_points", problems=problems)
    lon = numbers(df, "LONGITUDE", path=p, table="population_points", problems=problems)

    def at(i: int | np.integer, column: str, msg: str) -> Problem:
        row = int(df["source_row"].iloc[i])  # the i-th row kept, by its row in the file
        return Problem("population_points", msg, file=str(p), row=row, column=column)

    for col, s in (("POPULATION", pop), ("LATITUDE", lat), ("LONGITUDE", lon)):
        problems += [at(i, col, f"'{col}' is empty") for i in np.flatnonzero(s.isna().to_numpy())]
    for col, s, wrong, words in (
        ("POPULATION", pop, ~np.isfinite(pop) | (pop < 0), "must be a count of 0 or more"),
        ("LATITUDE", lat, ~(lat.abs() <= 90), "must be a latitude from -90 to 90"),
        ("LONGITUDE", lon, ~(lon.abs() <= 180), "must be a longitude from -180 to 180"),
    ):
        for i in np.flatnonzero((wrong & s.notna()).to_numpy()):
            problems.append(at(i, col, f"'{col}' {words}; found {s.iloc[i]:g}"))
    bad = ~tract.str.fullmatch(r"\d{11}").fillna(False).astype(bool)
    for i in np.flatnonzero(bad.to_numpy()):
        msg = f"STATEFP+COUNTYFP+TRACTCE = {tract.iloc[i]!r} is not an 11-digit tract code"
        problems.append(at(i, "TRACTCE", msg))
    key = tract if level == "tract" else tract + df["BLKGRPCE"].str.strip()
    for i in np.flatnonzero((key.duplicated() & ~bad).to_numpy()):
        msg = f"{level.replace('_', ' ')} {key.iloc[i]} appears more than once; keep one row each"
        problems.append(at(i, "TRACTCE", msg))
    raise_errors(problems, p)
    geom = gpd.points_from_xy(lon, lat)
    if level == "tract":
        out = pd.DataFrame(
            {"area_id": tract.to_numpy(), "population": pop, "pop_lon": lon, "pop_lat": lat}
        )
    else:
        bg = tract + df["BLKGRPCE"].str.strip()
        out = pd.DataFrame(
            {"point_id": bg.to_numpy(), "area_id": tract.to_numpy(), "population": pop}
        )
    gdf = gpd.GeoDataFrame(out.reset_index(drop=True), geometry=geom, crs=WGS84)
    attach(gdf, source=str(p), notes=[f"Census 2010 centres of population, {level}"], problems=[])
    return gdf


def read_acs_snap(
    path: str | os.PathLike[str], *, id_col: str | None = None, value_col: str | None = None
) -> pd.DataFrame:
    """Read ACS households receiving SNAP by tract: ``area_id`` and ``snap_households``.

    The ids are whatever vintage the ACS table uses: ACS 2020 and later use **2020** tract
    codes, which match 2010 codes only where a tract was not split or renumbered (366 of 394
    in Allegheny). Join on ``area_id`` and expect gaps; ``frame.attrs["notes"]`` says so.
    Accepts the data.census.gov layout (``GEO_ID`` like ``1400000US42003010301``) too.
    """
    p = as_path(path)
    found = header(p)
    idc = id_col or pick(found, "Geography", "GEO_ID", "GEOID", "geoid", "tract")
    val = value_col or pick(found, "SNAP", "snap_households", "S2201_C03_001E", "B22010_002E")
    if idc is None or val is None:
        missing = "id" if idc is None else "SNAP count"
        msg = (
            f"no {missing} column; found {found}. Pass id_col= and value_col= "
            "(expected e.g. 'Geography' and 'SNAP')"
        )
        raise ValidationError([Problem("acs_snap", msg, file=str(p), column=idc or val)])
    df = read_text_csv(p, table="acs_snap", required=(idc, val))
    # data.census.gov writes a second header row of labels: drop it.
    df = df[~df[idc].str.startswith(("Geography", "id"), na=False)]
    ids = df[idc].str.replace(r"^.*US", "", regex=True)
    problems: list[Problem] = []
    snap = numbers(df, val, path=p, table="acs_snap", problems=problems)
    notes = ["ACS tract ids are 2020-vintage from ACS 2020 on; they match 2010 ids only in part"]
    coded = snap.isin(CENSUS_NOT_AVAILABLE)
    if coded.any():
        notes.append(
            f"{int(coded.sum())} row(s) hold a Census code for an estimate that is not "
            f"available (such as {snap[coded].iloc[0]:.0f}); read as missing"
        )
        snap = snap.mask(coded)
    for i in np.flatnonzero(((snap < 0) | np.isinf(snap)).to_numpy()):
        msg = f"'{val}' must be a count of 0 or more; found {snap.iloc[i]:g}"
        problems.append(Problem("acs_snap", msg, file=str(p), row=int(df.index[i]) + 1, column=val))
    raise_errors(problems, p)
    out = pd.DataFrame(
        {"area_id": tract_ids(ids, path=p, table="acs_snap", column=idc), "snap_households": snap}
    ).reset_index(drop=True)
    attach(out, source=str(p), notes=notes, problems=[])
    return out

"""Bad region folders: each gets a plain message naming the file, row, column or key.

Issue 12's cases: a store at (0, 0), region.toml values of the wrong type or unknown keys,
unknown periods, implausible numbers, missing or header-only stores and supply, and reads
confined to an upload folder.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from equity import (
    NO_STORES,
    NO_SUPPLY,
    ConfigError,
    DataSourceError,
    Region,
    ValidationError,
    analyze,
    validate_dir,
)

# Three 0.01-degree squares near Pittsburgh (UTM zone 17N).
LON0, LAT0 = -80.00, 40.44


def _areas_geojson() -> str:
    feats = []
    for i, pop in enumerate([100, 200, 300]):
        x = LON0 + i * 0.01
        ring = [[x, LAT0], [x + 0.01, LAT0], [x + 0.01, LAT0 + 0.01], [x, LAT0 + 0.01], [x, LAT0]]
        feats.append(
            {
                "type": "Feature",
                "properties": {"area_id": f"a{i + 1}", "population": pop},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": feats})


FILES = {
    "areas.geojson": _areas_geojson(),
    "stores.csv": (
        "store_id,kind,lon,lat\n"
        f"s1,supermarket,{LON0 + 0.005},{LAT0 + 0.005}\n"
        f"s2,convenience,{LON0 + 0.015},{LAT0 + 0.005}\n"
    ),
    "sites.csv": f"site_id,kind,lon,lat\ng1,garden,{LON0 + 0.025},{LAT0 + 0.005}\n",
    "commodities.csv": "commodity,unit,kg_per_unit\nkale,bunch,0.3\n",
    "supply.csv": "site_id,commodity,period,quantity\ng1,kale,summer,10\ng1,kale,winter,2\n",
    "need.csv": (
        "area_id,commodity,period,quantity\n"
        "a1,kale,summer,5\na2,kale,summer,5\na3,kale,summer,5\n"
        "a1,kale,winter,5\na2,kale,winter,5\na3,kale,winter,5\n"
    ),
}


def write_region(folder: Path, **files: str | None) -> Path:
    """The small valid region above, with some files replaced (``None`` leaves one out)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in {**FILES, **{k.replace("_", "."): v for k, v in files.items()}}.items():
        if text is not None:
            (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_the_base_region_is_valid(tmp_path: Path) -> None:
    report = validate_dir(write_region(tmp_path / "r"))
    assert report.ok
    assert report.problems == ()


# ---------------------------------------------------------------------------- coordinates
def test_a_store_at_longitude_0_latitude_0_is_a_located_error(tmp_path: Path) -> None:
    stores = FILES["stores.csv"] + "s3,grocery,0,0\n"
    report = validate_dir(write_region(tmp_path / "r", stores_csv=stores))
    assert [(Path(p.file).name, p.row, p.column) for p in report.errors] == [
        ("stores.csv", 3, "geometry")
    ]
    assert "failed geocode" in report.errors[0].message


def test_a_store_on_the_far_side_of_the_world_is_a_located_error(tmp_path: Path) -> None:
    # (9, 0) is 90 degrees from zone 17N's central meridian: infinite there
    stores = FILES["stores.csv"] + "s3,grocery,9,0\n"
    report = validate_dir(write_region(tmp_path / "r", stores_csv=stores))
    assert [(p.row, p.column) for p in report.errors] == [(3, "geometry")]
    assert "longitude 9, latitude 0" in report.errors[0].message
    assert "cannot be placed in the region's CRS EPSG:32617" in report.errors[0].message


# ---------------------------------------------------------------------------- region.toml
@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ('[stores]\ncolumns = "kind"\n', "stores.columns must map names in the file"),
        ("provenance = 5\n", "provenance must be a table of notes"),
        ("[stores]\nfile = 5\n", "stores.file must be a file name in quotes"),
        ("stores = 5\n", "stores must be a table of settings"),
        ("name = 7\n", "name must be text in quotes"),
        ("crs = true\n", "crs must be a CRS in quotes"),
        ("[areas]\nlon_col = 3\n", "areas.lon_col must be a name in quotes"),
        ("[provenance]\ndefault_period = 2\n", "default_period must be a period name"),
        ('[stores]\nfile = "nope.csv"\n', "stores.file = 'nope.csv', but"),
    ],
    ids=["columns", "provenance", "file", "section", "name", "crs", "lon_col", "period", "nofile"],
)
def test_region_toml_values_of_the_wrong_type(tmp_path: Path, toml: str, expected: str) -> None:
    folder = write_region(tmp_path / "r", region_toml=toml)
    with pytest.raises(DataSourceError, match=r"region\.toml: ") as exc:
        validate_dir(folder)
    assert expected in str(exc.value)


def test_region_toml_lists_every_error_at_once(tmp_path: Path) -> None:
    folder = write_region(tmp_path / "r", region_toml="provenance = 5\n[stores]\nfile = 5\n")
    with pytest.raises(DataSourceError, match=r"2 problem\(s\)") as exc:
        validate_dir(folder)
    assert "provenance must" in str(exc.value)
    assert "stores.file must" in str(exc.value)


def test_region_toml_not_utf8_or_not_toml(tmp_path: Path) -> None:
    folder = write_region(tmp_path / "r")
    (folder / "region.toml").write_bytes(b"\xbc\xff name = 1")
    with pytest.raises(DataSourceError, match=r"region\.toml: is not UTF-8 text"):
        validate_dir(folder)
    (folder / "region.toml").write_text("name = = 1\n")
    with pytest.raises(DataSourceError, match=r"region\.toml: not valid TOML"):
        validate_dir(folder)


def test_unknown_region_toml_keys_are_warnings_with_a_suggestion(tmp_path: Path) -> None:
    toml = 'colour = "blue"\n[stores]\nfiel = "stores.csv"\n'
    report = validate_dir(write_region(tmp_path / "r", region_toml=toml))
    assert report.ok
    assert [(Path(p.file).name, p.severity, p.message) for p in report.problems] == [
        (
            "region.toml",
            "warning",
            "unknown key 'colour' is ignored; known keys are name, crs, provenance, areas, "
            "stores, sites, commodities, supply, need, substitutes, population_points.",
        ),
        (
            "region.toml",
            "warning",
            "unknown key 'stores.fiel' is ignored; known keys of stores are file, columns, "
            "crs, lon_col, lat_col, layer. Did you mean 'file'?",
        ),
    ]
    assert len(report.region.problems) == 2  # the region carries them too


# ---------------------------------------------------------------------------- periods
def test_unknown_default_period_is_an_error(tmp_path: Path) -> None:
    toml = '[provenance]\ndefault_period = "sumer"\n'
    report = validate_dir(write_region(tmp_path / "r", region_toml=toml))
    assert [(Path(p.file).name, p.column) for p in report.errors] == [
        ("region.toml", "default_period")
    ]
    assert report.errors[0].message == (
        "provenance.default_period 'sumer' is not a period of the supply or need tables "
        "(summer, winter). Did you mean 'summer'?"
    )


def test_supply_period_that_no_need_row_has_is_a_warning(tmp_path: Path) -> None:
    supply = FILES["supply.csv"] + "g1,kale,monsoon,4\n"
    report = validate_dir(write_region(tmp_path / "r", supply_csv=supply))
    assert report.ok
    (w,) = report.warnings
    assert (Path(w.file).name, w.column) == ("supply.csv", "period")
    assert w.message.startswith("period 'monsoon' (row 3) is not one of the periods of `need`")


def test_supply_period_outside_the_declared_periods_is_an_error(tmp_path: Path) -> None:
    toml = '[provenance]\nperiods = "summer,winter"\n'
    supply = FILES["supply.csv"] + "g1,kale,Winter,4\n"
    report = validate_dir(write_region(tmp_path / "r", supply_csv=supply, region_toml=toml))
    (e,) = report.errors
    assert "period 'Winter' (row 3) is not one of the periods of provenance.periods" in e.message
    assert "Did you mean 'winter'?" in e.message


def test_select_period_names_the_known_periods(tmp_path: Path) -> None:
    region = Region.from_dir(write_region(tmp_path / "r"))
    with pytest.raises(ConfigError, match=r"'monsoon' is not in this region; known periods: "):
        region.select_period("monsoon")


# ---------------------------------------------------------------------------- numbers
@pytest.mark.parametrize(
    ("files", "where"),
    [
        (
            {"need_csv": FILES["need.csv"].replace("a2,kale,summer,5", "a2,kale,summer,1e308")},
            ("need.csv", 2, "quantity"),
        ),
        ({"supply_csv": FILES["supply.csv"].replace("10", "1e300")}, ("supply.csv", 1, "quantity")),
        (
            {"areas_geojson": _areas_geojson().replace('"population": 300', '"population": 1e308')},
            ("areas.geojson", 3, "population"),
        ),
    ],
    ids=["need", "supply", "population"],
)
def test_implausible_numbers_are_errors(tmp_path: Path, files: dict, where: tuple) -> None:
    report = validate_dir(write_region(tmp_path / "r", **files))
    assert [(Path(p.file).name, p.row, p.column) for p in report.errors] == [where]
    assert "more than can be real" in report.errors[0].message


# ---------------------------------------------------------------------------- empty tables
@pytest.mark.parametrize(
    ("files", "codes"),
    [
        ({"stores_csv": None}, [NO_STORES]),
        ({"stores_csv": "store_id,kind,lon,lat\n"}, [NO_STORES]),
        ({"supply_csv": "site_id,commodity,period,quantity\n"}, [NO_SUPPLY]),
        ({"stores_csv": "store_id,kind,lon,lat\n", "supply_csv": None}, [NO_STORES, NO_SUPPLY]),
    ],
    ids=["no-stores-file", "header-only-stores", "header-only-supply", "both"],
)
def test_missing_or_empty_stores_and_supply_warn(
    tmp_path: Path, files: dict, codes: list[str]
) -> None:
    report = validate_dir(write_region(tmp_path / "r", **files))
    assert report.ok
    assert [p.code for p in report.warnings] == codes


def test_analyze_repeats_the_no_stores_warning(tmp_path: Path) -> None:
    region = Region.from_dir(write_region(tmp_path / "r", stores_csv="store_id,kind,lon,lat\n"))
    areas = analyze(region)
    (text,) = areas.attrs["data_warnings"]
    assert text.startswith("`stores` has no rows (only a header): every area will count")
    full = analyze(Region.from_dir(write_region(tmp_path / "ok")))
    assert full.attrs["data_warnings"] == []


# ---------------------------------------------------------------------------- confinement
@pytest.mark.parametrize(
    "file",
    ["/etc/hostname", "../outside/stores.csv", "~/stores.csv"],
    ids=["absolute", "dotdot", "home"],
)
def test_a_confined_region_reads_no_file_outside_its_folder(tmp_path: Path, file: str) -> None:
    outside = write_region(tmp_path / "outside")
    folder = write_region(tmp_path / "up", region_toml=f'[stores]\nfile = "{file}"\n')
    with pytest.raises(DataSourceError, match="outside the upload") as exc:
        validate_dir(folder, confine_to=folder)
    assert str(tmp_path) not in str(exc.value)  # no server path in the message
    # the same file is fine for a local folder the user owns
    if file.startswith(".."):
        assert validate_dir(folder).ok
    assert outside.exists()


@pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")
def test_a_confined_region_refuses_links_leading_out(tmp_path: Path) -> None:
    outside = write_region(tmp_path / "outside")
    folder = write_region(tmp_path / "up", stores_csv=None)
    (folder / "stores.csv").symlink_to(outside / "stores.csv")
    with pytest.raises(DataSourceError, match="stores.csv is a link leading outside it"):
        validate_dir(folder, confine_to=folder)
    (folder / "stores.csv").unlink()
    (folder / "shops.csv").symlink_to(outside / "stores.csv")
    (folder / "region.toml").write_text('[stores]\nfile = "shops.csv"\n')
    with pytest.raises(DataSourceError, match="leads outside the upload|leading outside"):
        validate_dir(folder, confine_to=folder)
    assert Region.from_dir(folder).stores["store_id"].tolist() == ["s1", "s2"]  # not confined


def test_a_confined_region_refuses_crs_strings_that_open_files(tmp_path: Path) -> None:
    folder = write_region(tmp_path / "up", region_toml='[stores]\ncrs = "+init=/etc/hosts:x"\n')
    with pytest.raises(DataSourceError, match=r"stores.crs = .* is refused for an upload"):
        validate_dir(folder, confine_to=folder)


def test_a_confined_region_reads_files_inside_it(tmp_path: Path) -> None:
    folder = write_region(tmp_path / "up", stores_csv=None)
    (folder / "data").mkdir()
    (folder / "data" / "shops.csv").write_text(FILES["stores.csv"])
    (folder / "region.toml").write_text('[stores]\nfile = "data/shops.csv"\n')
    region = Region.from_dir(folder, confine_to=folder)
    assert region.stores["store_id"].tolist() == ["s1", "s2"]


def test_validation_error_is_raised_by_from_dir(tmp_path: Path) -> None:
    stores = FILES["stores.csv"] + "s3,grocery,0,0\n"
    with pytest.raises(ValidationError, match=r"stores.csv, row 3, column 'geometry'"):
        Region.from_dir(write_region(tmp_path / "r", stores_csv=stores))


def test_a_crs_that_proj_does_not_know_names_the_key(tmp_path: Path) -> None:
    folder = write_region(tmp_path / "r", region_toml='[stores]\ncrs = "garbage"\n')
    with pytest.raises(DataSourceError, match=r"stores.crs = 'garbage' is not a CRS that PROJ"):
        validate_dir(folder)


def test_a_column_mapping_that_would_duplicate_a_column(tmp_path: Path) -> None:
    stores = "store_id,kind,name,lon,lat\ns1,supermarket,Shop,-79.995,40.445\n"
    toml = '[stores]\ncolumns = { name = "store_id" }\n'
    report = validate_dir(write_region(tmp_path / "r", stores_csv=stores, region_toml=toml))
    assert [(p.column, p.message) for p in report.errors] == [
        (
            "store_id",
            "column mapping would give two columns named 'store_id' ('name', 'store_id'); map "
            "only one column to it, or rename the other first",
        )
    ]
    # swapping two columns is fine
    swap = '[stores]\ncolumns = { store_id = "name", name = "store_id" }\n'
    region = Region.from_dir(write_region(tmp_path / "s", stores_csv=stores, region_toml=swap))
    assert region.stores["store_id"].tolist() == ["Shop"]


@pytest.mark.parametrize("x", ["Infinity", "1e308", "-200.5"], ids=["inf", "huge", "beyond-180"])
def test_an_area_with_an_unusable_coordinate_is_a_located_error(tmp_path: Path, x: str) -> None:
    geojson = json.loads(_areas_geojson())
    geojson["features"][1]["geometry"]["coordinates"][0][1][0] = "X"
    text = json.dumps(geojson).replace('"X"', x)
    report = validate_dir(write_region(tmp_path / "r", areas_geojson=text))
    assert [(Path(p.file).name, p.row, p.column) for p in report.errors] == [
        ("areas.geojson", 2, "geometry")
    ]
    assert "not a usable number" in report.errors[0].message


def test_a_text_population_in_geojson_is_a_located_error_and_no_python_warning(
    tmp_path: Path,
) -> None:
    """pyogrio warned "Could not parse column 'population' as JSON" with a line of its source
    (found by the hardening campaign); warnings are errors in this suite, so it would fail."""
    areas = _areas_geojson().replace('"population": 100', '"population": "many"')
    report = validate_dir(write_region(tmp_path / "r", areas_geojson=areas))
    assert [(Path(p.file).name, p.row, p.column) for p in report.errors] == [
        ("areas.geojson", 1, "population")
    ]
    assert "'population' must be a number; found 'many'" in report.errors[0].message


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("1001020100", "It looks like '01001020100' that lost 1 leading zero(s)"),
        ("42003010300.0", "It looks like '42003010300' that became a decimal:"),
        ("1001020100.0", "'01001020100' that became a decimal and lost 1 leading zero(s)"),
        ("01001020199", "Did you mean '01001020100'?"),  # a typo, not a number's loss
        ("100", "Did you mean '0100'?"),  # '0100' and '00100' are both 100: nothing claimed
    ],
    ids=["lost-zero", "decimal", "both", "typo", "ambiguous"],
)
def test_id_hint_says_what_a_spreadsheet_did(value: str, says: str) -> None:
    """An id a spreadsheet took for a number is named for what it was and the fix (read the
    column as text); it is never matched."""
    from equity.validate import id_hint

    known = ["01001020100", "01001020200", "42003010300", "0100", "00100"]
    hint = id_hint(value, known)
    assert says in hint
    assert ("as text" in hint) == ("looks like" in hint)

"""Campaign: broken region folders, whole files (missing, empty, garbage, encodings, bad
geometry, bad ``region.toml``) and single cells, under ``validate``, ``analyze`` and ``allocate``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.campaign.harness import Cases, in_process_test, says
from tests.campaign.setups import (
    LAT0,
    LON0,
    SMALL,
    areas_json,
    chain,
    edit,
    latin1,
    remove,
    square,
    to_gpkg,
    to_shapefile,
)

pytestmark = pytest.mark.slow

CASES = Cases()
add = CASES.add

# -- crashes: region folders
CSV_TABLES = ["stores.csv", "sites.csv", "commodities.csv", "supply.csv", "need.csv"]
for t in [*CSV_TABLES, "areas.geojson", "region.toml"]:
    muts: dict[str, Callable[[Path], None]] = {
        "missing": remove(t),
        "empty": edit(t, ""),
        "garbage": edit(t, bytes(range(256)) * 4),
        "latin1": edit(t, latin1(t)),
        "bom": edit(t, b"\xef\xbb\xbf" + SMALL[t].encode()),
    }
    if t.endswith(".csv"):
        head, *rows = SMALL[t].splitlines()
        muts["header-only"] = edit(t, head + "\n")
        muts["semicolons"] = edit(t, SMALL[t].replace(",", ";"))
        muts["dup-header"] = edit(
            t, head + "," + head.split(",")[0] + "\n" + "\n".join(r + ",x" for r in rows) + "\n"
        )
        muts["dup-rows"] = edit(t, SMALL[t] + "\n".join(rows) + "\n")
        muts["ragged"] = edit(t, SMALL[t] + "a,b,c,d,e,f,g\n")
    if t == "areas.geojson":
        muts["no-features"] = edit(t, '{"type": "FeatureCollection", "features": []}')
        muts["points"] = edit(t, areas_json([{"type": "Point", "coordinates": [LON0, LAT0]}] * 3))
        muts["lines"] = edit(
            t,
            areas_json(
                [{"type": "LineString", "coordinates": [[LON0, LAT0], [LON0 + 0.01, LAT0]]}] * 3
            ),
        )
        muts["null-geom"] = edit(t, areas_json([None, None, None]))
        muts["dup-ids"] = edit(t, areas_json(ids=["a0", "a0", "a1"]))
        muts["pop-nan"] = edit(t, areas_json(pops=["NaN", 1, 2]).replace('"NaN"', "NaN"))
        muts["pop-neg"] = edit(t, areas_json(pops=[-100, 200, 300]))
        muts["pop-1e308"] = edit(t, areas_json(pops=[1e308, 1e308, 1e308]))
        muts["pop-text"] = edit(t, areas_json(pops=["many", 200, 300]))
        muts["swapped"] = edit(
            t,
            areas_json(
                [
                    {"type": "Polygon", "coordinates": [[[y, x] for x, y in square(i)[0]]]}
                    for i in range(3)
                ]
            ),
        )
        muts["zero-zero"] = edit(
            t,
            areas_json(
                [{"type": "Polygon", "coordinates": [[[0, 0], [0, 0], [0, 0], [0, 0]]]}] * 3
            ),
        )
    if t == "region.toml":
        muts["name-int"] = edit(t, 'name = 5\ncrs = "EPSG:32617"\n')
        muts["crs-int"] = edit(t, 'name = "x"\ncrs = 32617\n')
        muts["crs-bogus"] = edit(t, 'name = "x"\ncrs = "EPSG:0"\n')
        muts["crs-geographic"] = edit(t, 'name = "x"\ncrs = "EPSG:4326"\n')
        muts["unknown-key"] = edit(t, SMALL[t] + "colour = 'red'\n")
        muts["path-outside"] = edit(t, SMALL[t] + '[stores]\nfile = "../user.txt"\n')
        muts["path-absolute"] = edit(t, SMALL[t] + '[stores]\nfile = "/etc/passwd"\n')
        muts["table-not-table"] = edit(t, SMALL[t] + 'stores = "x"\n')
        muts["columns-wrong"] = edit(t, SMALL[t] + "[stores]\ncolumns = 5\n")
        muts["bad-toml"] = edit(t, "name = \n[[[")
    for mid, fn in muts.items():
        for cmd in ("validate", "allocate"):
            argv = (
                ["validate", "small"] if cmd == "validate" else ["allocate", "s.toml", "--out", "o"]
            )
            expect = "any"
            # CSV tables are read as Windows-1252 when not UTF-8 (equity/io.py), by design
            if (
                mid in ("garbage", "bad-toml")
                or (mid == "latin1" and not t.endswith(".csv"))
                or (mid == "missing" and t in ("areas.geojson", "sites.csv", "commodities.csv"))
            ):
                expect = "error"
            add(
                f"region-{t.split('.')[0]}-{mid}-{cmd}",
                "crash",
                argv,
                expect,
                setup=fn,
                out="o" if cmd == "allocate" else None,
            )
CELLS = {
    "supply-nan": ("supply.csv", "g1,kale,summer,10", "g1,kale,summer,nan"),
    "supply-inf": ("supply.csv", "g1,kale,summer,10", "g1,kale,summer,inf"),
    "supply-1e308": ("supply.csv", "g1,kale,summer,10", "g1,kale,summer,1e308"),
    "supply-neg": ("supply.csv", "g1,kale,summer,10", "g1,kale,summer,-10"),
    "supply-unknown-site": ("supply.csv", "g1,kale,summer,10", "zz,kale,summer,10"),
    "supply-unknown-food": ("supply.csv", "g1,kale,summer,10", "g1,caviar,summer,10"),
    "need-unknown-area": ("need.csv", "a0,kale,summer,5", "zz,kale,summer,5"),
    "need-1e308": ("need.csv", "a0,kale,summer,5", "a0,kale,summer,1e308"),
    "need-neg": ("need.csv", "a0,kale,summer,5", "a0,kale,summer,-5"),
    "kg-per-unit-0": ("commodities.csv", "kale,bunch,0.3", "kale,bunch,0"),
    "kg-per-unit-nan": ("commodities.csv", "kale,bunch,0.3", "kale,bunch,nan"),
    "commodity-dup": ("commodities.csv", "rice,kg,1", "kale,kg,1"),
    "site-zero-zero": ("sites.csv", "g1,garden,-79.975,40.445", "g1,garden,0,0"),
    "site-swapped": ("sites.csv", "g1,garden,-79.975,40.445", "g1,garden,40.445,-79.975"),
    "site-inf": ("sites.csv", "g1,garden,-79.975,40.445", "g1,garden,inf,40.445"),
    "site-dup": ("sites.csv", "h1,hub,-79.99,40.446", "g1,hub,-79.99,40.446"),
    "site-kind-empty": ("sites.csv", "h1,hub,-79.99,40.446", "h1,,-79.99,40.446"),
    "store-zero-zero": ("stores.csv", "s1,supermarket,-79.995,40.445", "s1,supermarket,0,0"),
    "store-swapped": (
        "stores.csv",
        "s1,supermarket,-79.995,40.445",
        "s1,supermarket,40.445,-79.995",
    ),
    "store-lat-999": ("stores.csv", "s1,supermarket,-79.995,40.445", "s1,supermarket,-79.995,999"),
    "store-dup": ("stores.csv", "s2,grocery", "s1,grocery"),
    "store-kind-unknown": ("stores.csv", "s2,grocery", "s2,spaceport"),
}
for cid, (t, old, new) in CELLS.items():
    for cmd in ("validate", "analyze", "allocate"):
        argv = {
            "validate": ["validate", "small"],
            "analyze": ["analyze", "small", "--out", "o"],
            "allocate": ["allocate", "s.toml", "--out", "o"],
        }[cmd]
        add(
            f"cell-{cid}-{cmd}",
            "crash",
            argv,
            "any",
            setup=edit(t, SMALL[t].replace(old, new)),
            out=None if cmd == "validate" else "o",
        )


# -- crashes and silent errors: file formats and rows a spreadsheet or a GIS writes (issue 12,
# second wave). Each: (setup, expected outcome, words the message must hold, or "").
OPEN_RING = [{"type": "Polygon", "coordinates": [square(0)[0][:-1]]}] + [
    {"type": "Polygon", "coordinates": square(i)} for i in (1, 2)
]
EMPTY_POLYGON = [{"type": "Polygon", "coordinates": []}] + [
    {"type": "Polygon", "coordinates": square(i)} for i in (1, 2)
]
POLY_3D = [
    {"type": "Polygon", "coordinates": [[[x, y, 5.0] for x, y in square(i)[0]]]} for i in range(3)
]
STORES_HEAD = "store_id,kind,name,lon,lat\n"
WEEKS = "site_id,commodity,period,quantity,week\n"
NEED_HEAD = "area_id,commodity,period,quantity\n"
GEOIDS = edit("areas.geojson", areas_json(ids=["01001020100", "01001020200", "42003010300"]))
FORMATS: dict[str, tuple[Callable[[Path], None], str, str]] = {
    # a name holding an unquoted comma: pandas shifted every column by one, or printed its
    # tokenizer's message ("Error tokenizing data. C error: Expected 4 fields in line 4, saw 5")
    "ragged-every-row": (
        edit(
            "stores.csv",
            STORES_HEAD + "s1,supermarket,Shop, Inc,-79.995,40.445\n"
            "s2,grocery,Mart, LLC,-79.985,40.445\n",
        ),
        "error",
        "row 1 has 6; row 2 has 6",
    ),
    "ragged-one-row": (
        edit("supply.csv", SMALL["supply.csv"] + "g1,kale,summer,10,1\n"),
        "error",
        "row 3 has 5",
    ),
    "trailing-separators": (
        edit("stores.csv", SMALL["stores.csv"].replace("\n", ",\n").replace("lat,", "lat")),
        "ok",
        "",
    ),
    # a trailing separator on a later row only (pandas sizes the table on the first rows)
    "trailing-separator-late-row": (
        edit("stores.csv", SMALL["stores.csv"].rstrip("\n") + ",\n"),
        "ok",
        "",
    ),
    # a first line "sep=," for Excel: read as a 2-column header, every row "ragged"
    "excel-sep-line": (
        edit("stores.csv", "sep=,\n" + SMALL["stores.csv"]),
        "error",
        "a hint for Excel",
    ),
    "gpkg-layer-named-areas": (to_gpkg("areas", "other"), "ok", ""),
    "gpkg-two-layers": (to_gpkg("tracts", "other"), "error", 'layer = "tracts" under [areas]'),
    "gpkg-layer-in-toml": (
        chain(
            to_gpkg("tracts", "other"),
            edit("region.toml", SMALL["region.toml"] + '[areas]\nlayer = "tracts"\n'),
        ),
        "ok",
        "",
    ),
    "gpkg-no-crs": (to_gpkg("areas", crs=False), "error", "no CRS"),
    "shapefile-zipped": (to_shapefile(zipped=True), "ok", ""),
    "shapefile-zipped-no-dbf": (
        to_shapefile(zipped=True, leave_out=(".dbf",)),
        "error",
        "missing column 'area_id'",
    ),
    "shapefile-no-prj": (to_shapefile(zipped=False, leave_out=(".prj",)), "error", "no CRS"),
    "areas-open-ring": (edit("areas.geojson", areas_json(OPEN_RING)), "error", "not closed"),
    "areas-empty-polygon": (
        edit("areas.geojson", areas_json(EMPTY_POLYGON)),
        "error",
        "empty or missing",
    ),
    "areas-3d": (edit("areas.geojson", areas_json(POLY_3D)), "ok", ""),
    "areas-ids-float": (
        edit("areas.geojson", areas_json(ids=[42003010100.0, 42003010200.0, 42003010300.0])),
        "error",
        "'a0' is not in `areas`",
    ),
    "week-fraction": (
        edit("supply.csv", WEEKS + "g1,kale,summer,10,1.5\nh1,rice,summer,30,\n"),
        "error",
        "must be a whole number",
    ),
    "week-0": (
        edit("supply.csv", WEEKS + "g1,kale,summer,10,0\nh1,rice,summer,30,\n"),
        "error",
        "must be at least 1",
    ),
    # third wave: tract ids a spreadsheet took for numbers got "Did you mean '01001020100'?"
    "ids-lost-zero": (
        chain(GEOIDS, edit("need.csv", NEED_HEAD + "1001020100,kale,summer,5\n")),
        "error",
        "It looks like '01001020100' that lost 1 leading zero(s)",
    ),
    "ids-decimal": (
        chain(GEOIDS, edit("need.csv", NEED_HEAD + "42003010300.0,kale,summer,5\n")),
        "error",
        "It looks like '42003010300' that became a decimal",
    ),
    "ids-decimal-lost-zero": (
        chain(GEOIDS, edit("need.csv", NEED_HEAD + "1001020200.0,kale,summer,5\n")),
        "error",
        "that became a decimal and lost 1 leading zero(s): a spreadsheet (or a read as "
        "numbers) took the ids for numbers. Read or save the column as text",
    ),
}


for fid, (fn, expect, words) in FORMATS.items():
    for cmd, argv in (("validate", ["validate", "small"]), ("allocate", ["allocate", "s.toml"])):
        out = "o" if cmd == "allocate" else None
        add(
            f"format-{fid}-{cmd}",
            "crash",
            [*argv, "--out", "o"] if out else argv,
            expect,
            setup=fn,
            out=out,
            check=says(words) if words else None,
        )


test_case = in_process_test(CASES)

"""What the campaign's cases start from and do to it: the small valid region (``SMALL``), the
scenario and sweep spec, the user's own files, and the setup steps that break a file
(:func:`edit`, :func:`write`, :func:`remove`, :func:`latin1`, :func:`chain`)."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from pathlib import Path

from tests.helpers import write_file

LON0, LAT0 = -80.00, 40.44


def square(i: int) -> list:
    x = LON0 + i * 0.01
    return [[[x, LAT0], [x + 0.01, LAT0], [x + 0.01, LAT0 + 0.01], [x, LAT0 + 0.01], [x, LAT0]]]


def areas_json(geoms: list[dict] | None = None, ids: list[str] | None = None, pops=None) -> str:
    ids = ids or ["a0", "a1", "a2"]
    pops = pops or [100, 200, 300]
    geoms = geoms or [{"type": "Polygon", "coordinates": square(i)} for i in range(len(ids))]
    feats = [
        {"type": "Feature", "properties": {"area_id": a, "population": p}, "geometry": g}
        for a, p, g in zip(ids, pops, geoms, strict=True)
    ]
    return json.dumps({"type": "FeatureCollection", "features": feats})


SMALL: dict[str, str] = {
    "region.toml": 'name = "campaign"\ncrs = "EPSG:32617"\n',
    "areas.geojson": areas_json(),
    "stores.csv": "store_id,kind,lon,lat\ns1,supermarket,-79.995,40.445\ns2,grocery,-79.985,40.445\n",
    "sites.csv": "site_id,kind,lon,lat\ng1,garden,-79.975,40.445\nh1,hub,-79.99,40.446\n",
    "commodities.csv": "commodity,unit,kg_per_unit\nkale,bunch,0.3\nrice,kg,1\n",
    "supply.csv": "site_id,commodity,period,quantity\ng1,kale,summer,10\nh1,rice,summer,30\n",
    "need.csv": "area_id,commodity,period,quantity\na0,kale,summer,5\na1,rice,summer,5\n"
    "a2,rice,summer,40\n",
}
SCENARIO = 'name = "s"\nregion = "small"\nobjective = "coverage"\n'
SWEEP = 'name = "sw"\nbase = "s.toml"\n[vary]\nbudget_usd = [0, 100]\n[draw]\ncount = 2\nseed = 1\n'
USER_FILES = {"user.txt": "my notes\n", "keep/notes.txt": "do not lose me\n"}


def edit(name: str, text: str | bytes) -> Callable[[Path], None]:
    return lambda w: write_file(w / "small" / name, text)


def latin1(t: str) -> bytes:
    """The table with one id holding a non-ASCII letter, saved as Latin-1 (not UTF-8)."""
    text = SMALL[t]
    if t == "region.toml":
        return text.replace("campaign", "Rivert\u00e9").encode("latin-1")
    if t == "areas.geojson":
        return text.replace('"a0"', '"a\u00e9"').encode("latin-1")
    head, first, *rest = text.splitlines()
    return "\n".join([head, "\u00e9" + first, *rest, ""]).encode("latin-1")


def remove(name: str) -> Callable[[Path], None]:
    return lambda w: (w / "small" / name).unlink()


def write(name: str, text: str | bytes) -> Callable[[Path], None]:
    return lambda w: write_file(w / name, text)


def chain(*steps: Callable[[Path], None]) -> Callable[[Path], None]:
    def _do(w: Path) -> None:
        for s in steps:
            s(w)

    return _do


def _areas_frame():
    import geopandas as gpd

    feats = json.loads(SMALL["areas.geojson"])["features"]
    return gpd.GeoDataFrame.from_features(feats, crs="EPSG:4326")


def to_gpkg(*layers: str, crs: bool = True) -> Callable[[Path], None]:
    """The areas as ``areas.gpkg`` holding ``layers`` (the first with every area, the others
    with one), in place of ``areas.geojson``."""

    def _do(w: Path) -> None:
        (w / "small" / "areas.geojson").unlink()
        g = _areas_frame() if crs else _areas_frame().set_crs(None, allow_override=True)
        with warnings.catch_warnings():  # pyogrio's "'crs' was not provided": the case's point
            warnings.simplefilter("ignore", UserWarning)
            for i, layer in enumerate(layers):
                (g if i == 0 else g.iloc[:1]).to_file(w / "small" / "areas.gpkg", layer=layer)

    return _do


def to_shapefile(*, zipped: bool, leave_out: tuple[str, ...] = ()) -> Callable[[Path], None]:
    """The areas as a shapefile (``areas.shp`` and its side files, or all in ``areas.zip``)
    without the side files ``leave_out`` (``".dbf"``, ``".prj"``), in place of the GeoJSON."""

    def _do(w: Path) -> None:
        import zipfile

        (w / "small" / "areas.geojson").unlink()
        folder = w / "small" if not zipped else w / "small" / "shp"
        folder.mkdir(exist_ok=True)
        _areas_frame().to_file(folder / "areas.shp")
        parts = sorted(folder.glob("areas.*"))
        for part in parts:
            if part.suffix in leave_out:
                part.unlink()
        if zipped:
            with zipfile.ZipFile(w / "small" / "areas.zip", "w") as zf:
                for part in parts:
                    if part.exists():
                        zf.write(part, part.name)
                        part.unlink()
            folder.rmdir()

    return _do

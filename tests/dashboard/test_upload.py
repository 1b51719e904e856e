"""Uploads are unpacked safely; CSV exports cannot run spreadsheet formulas."""

from __future__ import annotations

import base64
import io
import stat
import zipfile

import pandas as pd
import pytest

from dashboard.app.uploads import (
    decode_upload,
    find_region_root,
    neutralise,
    safe_csv,
    safe_unzip,
)
from equity import DataSourceError


def make_zip(files: dict[str, bytes], *, method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_unzips_data_files_and_skips_others(tmp_path):
    data = make_zip(
        {
            "region/areas.csv": b"area_id,population\n1,10\n",
            "region/run_me.py": b"import os",
            "region/.hidden.csv": b"x",
            "__MACOSX/region/._areas.csv": b"junk",
        }
    )
    out, notes = safe_unzip(data, tmp_path / "up")
    assert (out / "region" / "areas.csv").read_text() == "area_id,population\n1,10\n"
    assert not (out / "region" / "run_me.py").exists()
    assert notes == ["skipped 'region/run_me.py': not a data file type"]
    assert find_region_root(out) == out / "region"


@pytest.mark.parametrize(
    "name",
    ["../evil.csv", "/etc/evil.csv", "a/../../evil.csv", "C:/evil.csv", "a\\..\\evil.csv"],
    ids=["dotdot", "absolute", "nested-dotdot", "drive", "backslash"],
)
def test_refuses_path_traversal(tmp_path, name):
    data = make_zip({name: b"x"})
    with pytest.raises(DataSourceError, match="unsafe path"):
        safe_unzip(data, tmp_path / "up")
    assert not (tmp_path / "up").exists()
    assert not (tmp_path / "evil.csv").exists()


def test_refuses_symlinks(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo("areas.csv")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(DataSourceError, match="links are refused"):
        safe_unzip(buf.getvalue(), tmp_path / "up")


def test_refuses_zip_bomb_by_ratio(tmp_path):
    data = make_zip({"areas.csv": b"0" * 5_000_000})
    with pytest.raises(DataSourceError, match="possible zip bomb"):
        safe_unzip(data, tmp_path / "up", max_ratio=100)
    assert not (tmp_path / "up").exists()


def test_refuses_too_big_when_unpacked(tmp_path):
    data = make_zip({"a.csv": b"1" * 2000, "b.csv": b"2" * 2000}, method=zipfile.ZIP_STORED)
    with pytest.raises(DataSourceError, match="would unpack to"):
        safe_unzip(data, tmp_path / "up", max_unpacked_bytes=3000)


def test_refuses_lying_sizes(tmp_path):
    """A zip whose header declares a small size but holds more is stopped while streaming."""
    data = bytearray(make_zip({"a.csv": b"1" * 5000}, method=zipfile.ZIP_STORED))
    # patch the central directory's uncompressed size (offset 24 in the entry) to 10 bytes
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 24 : cd + 28] = (10).to_bytes(4, "little")
    with pytest.raises(DataSourceError):
        safe_unzip(bytes(data), tmp_path / "up", max_unpacked_bytes=1000)
    assert not (tmp_path / "up").exists()


def test_refuses_too_many_files(tmp_path):
    data = make_zip({f"f{i}.csv": b"x" for i in range(5)})
    with pytest.raises(DataSourceError, match="holds 5 files, over the limit of 3"):
        safe_unzip(data, tmp_path / "up", max_files=3)


def test_not_a_zip(tmp_path):
    with pytest.raises(DataSourceError, match="not a valid .zip"):
        safe_unzip(b"hello", tmp_path / "up")


def test_decode_upload_limits_size():
    raw = b"x" * 3000
    contents = "data:application/zip;base64," + base64.b64encode(raw).decode()
    assert decode_upload(contents, max_bytes=10_000) == raw
    with pytest.raises(DataSourceError, match="over the limit"):
        decode_upload(contents, max_bytes=1000)
    with pytest.raises(DataSourceError, match="empty"):
        decode_upload("", max_bytes=1000)


def test_find_region_root_explains_missing_areas(tmp_path):
    (tmp_path / "stores.csv").write_text("store_id\n")
    with pytest.raises(DataSourceError, match="no areas table"):
        find_region_root(tmp_path)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("Eastside hub", "Eastside hub"),
        (12.5, 12.5),
    ],
    ids=["equals", "plus", "minus", "at", "tab", "plain", "number"],
)
def test_neutralise(cell, expected):
    assert neutralise(cell) == expected


def test_safe_csv_neutralises_text_not_numbers():
    df = pd.DataFrame({"name": ["=cmd|' /C calc'!A0", "ok"], "value": [-1.5, 2.0]})
    text = safe_csv(df)
    lines = text.splitlines()
    assert lines[0] == "name,value"
    assert lines[1].startswith("\"'=cmd") or lines[1].startswith("'=cmd")
    assert lines[1].endswith(",-1.5")
    assert lines[2] == "ok,2.0"


# ---------------------------------------------------------------------- check_upload (issue 12)
def _contents(data: bytes) -> str:
    return "data:application/zip;base64," + base64.b64encode(data).decode()


def _region_zip(folder, edit=None) -> bytes:
    files = {}
    for p in sorted(folder.iterdir()):
        data = p.read_bytes()
        files[f"myregion/{p.name}"] = edit(p.name, data) if edit else data
    return make_zip(files)


@pytest.fixture
def region_folder(tiny_region, tmp_path):
    return tiny_region.to_dir(tmp_path / "src")


def _check(data: bytes, dest):
    from dashboard.app.uploads import check_upload

    return check_upload(_contents(data), dest, max_upload_bytes=10_000_000)


def test_check_upload_keeps_a_valid_region(region_folder, tmp_path):
    res = _check(_region_zip(region_folder), tmp_path / "up")
    assert res.ok and not res.refused
    assert res.folder == tmp_path / "up" / "myregion"
    assert res.folder.is_dir()
    assert res.message.startswith("Tiny town: 9 areas, ")  # plain words, not a repr


@pytest.mark.parametrize(
    "named",
    ["{secret}", "../../secret/secret.csv", "../secret.csv"],
    ids=["absolute", "dotdot", "just-outside"],
)
def test_an_uploaded_region_toml_cannot_read_server_files(region_folder, tmp_path, named):
    secret = tmp_path / "secret" / "secret.csv"
    secret.parent.mkdir()
    secret.write_text("store_id,kind,lon,lat\nTOP-SECRET-VALUE,supermarket,-80,40\n")
    (tmp_path / "secret.csv").write_text(secret.read_text())

    def edit(name, data):
        if name == "region.toml":
            return data + f'\n[stores]\nfile = "{named.format(secret=secret)}"\n'.encode()
        return data

    dest = tmp_path / "up"
    res = _check(_region_zip(region_folder, edit), dest)
    assert res.refused and not res.ok
    assert "stores.file" in res.message and "outside the upload" in res.message
    shown = res.message + "".join(str(p) for p in res.problems)
    assert "TOP-SECRET-VALUE" not in shown
    # no server path, apart from the value the uploader wrote
    assert str(tmp_path) not in shown.replace(named.format(secret=secret), "")
    assert not dest.exists()  # the unpacked files are gone


def test_an_upload_with_a_store_at_0_0_lists_the_row_and_cleans_up(region_folder, tmp_path):
    def edit(name, data):
        if name == "stores.csv":
            lines = data.decode().splitlines()
            head = lines[0].split(",")
            row = lines[1].split(",")
            row[head.index("lon")], row[head.index("lat")] = "0", "0"
            return "\n".join([lines[0], ",".join(row), *lines[2:]]).encode() + b"\n"
        return data

    dest = tmp_path / "up"
    res = _check(_region_zip(region_folder, edit), dest)
    assert not res.ok and not res.refused
    assert res.message.startswith("1 error(s) to fix")
    (err,) = [p for p in res.problems if p.is_error]
    assert (err.file, err.row, err.column) == ("myregion/stores.csv", 1, "geometry")
    assert "failed geocode" in err.message
    assert all(str(tmp_path) not in p.message for p in res.problems)
    assert not dest.exists()


def test_an_unforeseen_failure_is_plain_words_and_cleans_up(
    region_folder, tmp_path, monkeypatch, caplog
):
    import dashboard.app.uploads as up

    def boom(*args, **kwargs):
        raise ZeroDivisionError("division by zero in some reader")

    monkeypatch.setattr(up, "validate_region", boom)
    dest = tmp_path / "up"
    with caplog.at_level("ERROR", logger="dashboard.app.uploads"):
        res = _check(_region_zip(region_folder), dest)
    assert res.refused and res.message == up.INTERNAL
    assert "ZeroDivisionError" not in res.message
    assert "ZeroDivisionError" in caplog.text  # the traceback is logged for the maintainers
    assert not dest.exists()


def test_a_refused_zip_message_names_no_server_path(tmp_path):
    dest = tmp_path / "up"
    res = _check(make_zip({"notes.md": b"hello"}), dest)
    assert res.refused
    assert res.message.startswith("the upload has no areas table")
    assert str(tmp_path) not in res.message
    assert not dest.exists()


def test_an_evicted_upload_is_read_again_confined(tiny_region, tmp_path):
    from dashboard.app.state import RegionCatalog
    from dashboard.settings import Settings

    uploads = tmp_path / "uploads"
    folder = tiny_region.to_dir(uploads / "abc" / "myregion")
    outside = tiny_region.to_dir(tmp_path / "outside")
    cat = RegionCatalog(lambda: tiny_region, Settings(upload_dir=uploads, max_regions=1))
    key = cat.add(folder, tiny_region)
    cat.add(outside, tiny_region)  # evicts the upload
    assert key not in cat._entries
    assert cat.region(key).name == "Tiny town"  # read again from its folder
    cat.add(outside, tiny_region)  # evict it again, then spoil its region.toml
    with open(folder / "region.toml", "a") as fh:
        fh.write(f'\n[stores]\nfile = "{outside / "stores.csv"}"\n')
    with pytest.raises(DataSourceError, match="stores.file = .* points outside the upload"):
        cat.region(key)

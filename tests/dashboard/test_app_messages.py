"""Every failure or refusal of a dashboard callback reaches the page in plain words (issue 15):
the app's one error handler, the Plan page's number boxes, a plan that delivers nothing, the
runs a session keeps, switching region, and the Data page's upload lines.

The callbacks are answered by the app's own server, as the browser asks them
(``tests.dashboard.dash_calls``), on the 3 x 3 town of ``tests.helpers.town_region``: need
9 areas x 200 kg = 1,800 kg, supply 1,350 kg."""

from __future__ import annotations

import base64
import io
import json
import logging
import zipfile
from pathlib import Path

import pytest

from dashboard.app import Settings, create_app
from dashboard.app.pages import plan as plan_page
from dashboard.app.pages.common import UNEXPECTED
from dashboard.app.runs import SESSION_MAX_RUNS, keep_newest
from dashboard.app.uploads import check_upload
from equity import DataSourceError
from tests.dashboard.dash_calls import PLAN_VALUES, call, plan


@pytest.fixture()
def app(tiny_region, tmp_path):
    return create_app(tiny_region, Settings(upload_dir=tmp_path / "uploads", background="off"))


def alert_of(out: dict) -> str:
    """The text the app's alert area (``app-alert``) is given by a callback's answer."""
    side = out["sideUpdate"].get("app-alert") or {}
    assert side.get("is_open") is True, out
    return json.dumps(side["children"])


# ---------------------------------------------------------------------- the one error handler
def test_an_unexpected_error_is_a_plain_sentence_and_a_logged_traceback(app, monkeypatch, caplog):
    def broken(*_a, **_k):
        raise KeyError("/srv/foodshed/secret.py: frame['kg']")

    monkeypatch.setattr(plan_page, "solve_plan", broken)
    with caplog.at_level(logging.ERROR, logger="dashboard.app"):
        out = call(app, "pl-status.children", PLAN_VALUES, "pl-run.n_clicks")
    text = alert_of(out)
    assert UNEXPECTED in text
    assert "secret" not in text and "/srv" not in text and "KeyError" not in text
    assert out["response"] == {}  # the page's outputs are left as they were
    assert "KeyError" in caplog.text and "Traceback" in caplog.text  # the server keeps it


def test_a_foodshed_error_shows_its_own_message_without_temp_paths(app, monkeypatch, tmp_path):
    import tempfile

    where = Path(tempfile.gettempdir()) / "tmpab12" / "supply.csv"

    def refuses(*_a, **_k):
        raise DataSourceError(f"{where} has no rows; add the supply of each site")

    monkeypatch.setattr(plan_page, "solve_plan", refuses)
    text = alert_of(call(app, "pl-status.children", PLAN_VALUES, "pl-run.n_clicks"))
    assert "a temporary folder has no rows; add the supply of each site" in text
    assert str(where) not in text and UNEXPECTED not in text


# ---------------------------------------------------------------------- a plan that delivers nothing
def test_a_plan_that_delivers_nothing_says_why_and_hides_fairness(app):
    # $0 for transport and the Centre garden (the one site inside the area it feeds) off
    out = plan(app, pl_budget=0, pl_sites_off=["G1"])
    status = json.dumps(out["pl-status"])
    assert "Nothing was delivered: the transport budget is $0" in status
    assert "this is the best plan" not in status and '"color": "warning"' in status
    cards = json.dumps(out["pl-kpis"])
    assert "kpi-gini_fulfilment" not in cards and "kpi-need_met_share" in cards
    # a plan that delivers: the worst-served area within reach is shown, and it is "solved"
    full = plan(app)
    assert "kpi-min_fulfilment_reachable" in json.dumps(full["pl-kpis"])
    assert "this is the best plan" in json.dumps(full["pl-status"])


def test_a_zero_budget_plan_says_only_untransported_food_is_delivered(app):
    # the Centre garden's 100 kg of greens feeds its own block at no transport cost
    status = json.dumps(plan(app, pl_budget=0)["pl-status"])
    assert "The transport budget is $0, so only food that needs no transport" in status
    assert "100 kg of 1,800 kg of need" in status and "this is the best plan" not in status


def test_the_report_of_a_plan_that_delivers_nothing_is_written(app):
    runs = plan(app, pl_budget=0, pl_sites_off=["G1"])["session-runs"]
    out = call(
        app,
        "pl-download.data",
        {"pl-dl-report": 1, "session-runs": runs, "session-region": "default"},
        "pl-dl-report.n_clicks",
    )
    file = out["response"]["pl-download"]["data"]
    assert file["filename"].endswith("-report.html")
    assert "<html" in file["content"].lower() and "1,800" in file["content"]


# ---------------------------------------------------------------------- number boxes
@pytest.mark.parametrize(
    ("box", "value", "says"),
    [
        ("pl_max_dist", 0.1, "from 0.5 to 500 km"),
        ("pl_max_dist", None, "from 0.5 to 500 km"),
        ("pl_budget", -5, "$0 or more"),
        ("pl_surge_pct", 900, "from 0 to 500"),
    ],
)
def test_a_refused_number_stops_the_run_and_says_why(app, box, value, says):
    out = plan(app, **{box: value})
    status = json.dumps(out["pl-status"])
    assert "The plan did not run: fix the marked box first." in status and says in status
    assert "session-runs" not in out  # no run was made


def test_number_boxes_are_marked_as_typed(app):
    values = {"pl-budget": None, "pl-max-dist": 0.1, "pl-surge-pct": 20}
    out = call(app, "pl-budget.invalid", values, "pl-max-dist.value")["response"]
    assert [out[i]["invalid"] for i in ("pl-budget", "pl-max-dist", "pl-surge-pct")] == [
        False,
        True,
        False,
    ]
    ok = call(app, "pl-budget.invalid", values | {"pl-max-dist": 8}, "pl-max-dist.value")
    assert ok["response"]["pl-max-dist"]["invalid"] is False


@pytest.mark.parametrize(("value", "bad"), [(150, True), (-1, True), (50, False), (None, False)])
def test_the_sweep_threshold_box_is_marked_when_out_of_range(app, value, bad):
    out = call(app, "sw-threshold.invalid", {"sw-threshold": value}, "sw-threshold.value")
    assert out["response"]["sw-threshold"]["invalid"] is bad


# ---------------------------------------------------------------------- the session's runs
def test_older_runs_are_dropped_and_said_so(app):
    runs: list[dict] = []
    for i in range(15):
        runs = keep_newest(runs, {"id": str(i), "label": f"run {i}", "status": "optimal"})
    assert len(runs) == SESSION_MAX_RUNS == 12
    assert [r["id"] for r in runs] == [str(i) for i in range(3, 15)]
    out = call(app, "cmp-runs-note.children", {"session-runs": runs}, "session-runs.data")
    note = out["response"]["cmp-runs-note"]["children"]
    assert (
        note == "Only the newest 12 runs of this tab are kept: 3 older runs are no longer listed."
    )


def test_switching_region_asks_before_clearing_the_runs(app):
    runs = [{"id": "a", "label": "a", "status": "optimal", "region": "default"}] * 2
    values = {"data-reset": 1, "data-candidate": "r-new", "session-region": "r-new"}
    out = call(
        app, "data-confirm.displayed", values | {"session-runs": runs}, "data-reset.n_clicks"
    )
    res = out["response"]
    assert res["data-confirm"]["displayed"] is True
    assert "clears this tab's 2 plan runs" in res["data-confirm"]["message"]
    assert "session-region" not in res and res["data-pending"]["data"] == "default"
    ok = call(
        app,
        "session-region.data",
        {"data-confirm": 1, "data-pending": "default"},
        "data-confirm.submit_n_clicks",
    )["response"]
    assert ok["session-region"]["data"] == "default" and ok["session-runs"]["data"] == []
    # nothing to lose: the switch is made at once
    out = call(app, "data-confirm.displayed", values | {"session-runs": []}, "data-reset.n_clicks")
    assert out["response"]["session-region"]["data"] == "default"


# ---------------------------------------------------------------------- the Data page's lines
def _zip(folder: Path, edit=None) -> str:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for p in sorted(folder.iterdir()):
            data = p.read_bytes()
            zf.writestr(p.name, edit(p.name, data) if edit else data)
    return "data:application/zip;base64," + base64.b64encode(buf.getvalue()).decode()


def test_a_valid_upload_is_described_in_plain_words(tiny_region, tmp_path):
    res = check_upload(
        _zip(tiny_region.to_dir(tmp_path / "town")), tmp_path / "up", max_upload_bytes=10**7
    )
    assert res.ok
    assert res.message == "Tiny town: 9 areas, 9,000 people, 2 stores, 3 sites, 2 commodities."


def test_a_missing_column_in_an_upload_is_explained_without_python(tiny_region, tmp_path):
    def rename(name: str, data: bytes) -> bytes:
        return data.replace(b"kind", b"Type", 1) if name == "stores.csv" else data

    res = check_upload(
        _zip(tiny_region.to_dir(tmp_path / "town"), rename),
        tmp_path / "up",
        max_upload_bytes=10**7,
    )
    text = " ".join(p.message for p in res.problems)
    assert 'add the line Type = "kind" under [stores.columns] in region.toml' in text
    assert "columns={" not in text and "['" not in text and str(tmp_path) not in text


def test_a_file_that_is_not_a_zip_is_refused_in_words(app, tmp_path):
    contents = "data:text/plain;base64," + base64.b64encode(b"area_id,population\n").decode()
    out = call(
        app,
        "data-status.children",
        {"data-uploaded": contents, "data-upload.filename": "notes.txt"},
        "data-uploaded.data",
    )
    status = json.dumps(out["response"]["data-status"]["children"])
    assert "notes.txt was refused" in status and "not a valid .zip file" in status


# ---------------------------------------------------------------------- a real county
@pytest.mark.shared_data
@pytest.mark.filterwarnings("ignore::equity.estimates.EstimatesWarning")
def test_allegheny_warms_up_plans_and_reports_from_the_page(shared_data, tmp_path):
    """Allegheny County from public lists (no supply or need tables): the warm-up's default plan,
    the Plan page's run and its report all work on the documented estimates (each was an
    HTTP 500 "No objects to concatenate" before the estimates)."""
    from dashboard.app import warm_up
    from equity import Region
    from equity.sources import allegheny_region

    folder = allegheny_region(shared_data).to_dir(tmp_path / "allegheny")
    app = create_app(
        Region.from_dir(folder), Settings(upload_dir=tmp_path / "up", background="off")
    )
    warm_up(app, wait=True)  # raises if the default plan cannot be solved
    out = plan(app)
    status = json.dumps(out["pl-status"])
    assert "Estimated inputs" in status and "could not run" not in status
    report = call(
        app,
        "pl-download.data",
        {"pl-dl-report": 1, "session-runs": out["session-runs"], "session-region": "default"},
        "pl-dl-report.n_clicks",
    )["response"]["pl-download"]["data"]
    assert (
        report["filename"].endswith("-report.html") and 'id="estimated-note"' in report["content"]
    )

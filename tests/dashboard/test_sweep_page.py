"""The Sweep page (no browser): loading a sweep folder, the page's figures and table, and the
messages for folders that are not sweeps, unfinished or not allowed.

The sweep is the ``tiny_sweep`` fixture (tests/dashboard/conftest.py): two scenarios, hub at full
yield (everything met) and hub at 0 (every area 20/28 = 71.4%, so the low-income areas C and D are
below 75%).
"""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest

from dashboard.app import Settings, create_app, ids
from dashboard.app.pages import sweep as page
from dashboard.sweeps import find_sweeps, load_sweep
from equity import FoodshedError


def _text(component) -> str:
    """All the text in a Dash component tree."""
    if component is None:
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(_text(c) for c in component)
    return _text(getattr(component, "children", None))


def _unfinished(tiny_sweep, tmp_path):
    """A copy of the sweep with one scenario's results removed (as if interrupted)."""
    out = tmp_path / "half"
    shutil.copytree(tiny_sweep, out)
    (out / "summary.json").unlink()
    parts = sorted((out / "results").glob("part-*.parquet"))
    assert len(parts) == 2  # batch_size=1: one file per scenario
    parts[-1].unlink()
    return out


def test_load_sweep_by_hand(tiny_sweep):
    view = load_sweep(tiny_sweep)
    assert view.complete and view.done == view.total == 2 and view.name == "tiny-sweep"
    s = view.summary
    assert s["threshold"] == 0.75 and s["flag"] == "low_income"
    assert s["p_any_below_overall"] == pytest.approx(0.5)
    got = dict(zip(view.frame["p.yield_factor.hub"], view.frame["need_met_share"], strict=True))
    assert got == pytest.approx({1.0: 1.0, 0.0: 20 / 28})
    # the full-yield plan dominates: the frontier is that one point
    assert list(s["frontier"]["need_met_share"]) == pytest.approx([1.0])
    risk = view.risk.set_index("area_id")
    assert set(risk.index) == {"C", "D"}
    assert (risk["below"] == 1).all() and (risk["scenarios"] == 2).all()
    assert risk["mean_fulfilment"].to_numpy() == pytest.approx([(1 + 20 / 28) / 2] * 2)
    # any threshold can be asked afterwards: at 70% nobody is below
    assert load_sweep(tiny_sweep, threshold=0.7).summary["p_any_below_overall"] == 0.0


def test_load_sweep_errors_say_what_to_do(tmp_path):
    with pytest.raises(FoodshedError, match="does not exist"):
        load_sweep(tmp_path / "nope")
    with pytest.raises(FoodshedError, match=r"not a sweep folder: it has no sweep.json"):
        load_sweep(tmp_path)
    (tmp_path / "sweep.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(FoodshedError, match="could not be read"):
        load_sweep(tmp_path)


def test_find_sweeps(tiny_sweep, tmp_path):
    assert find_sweeps(tiny_sweep.parent) == [tiny_sweep]
    assert find_sweeps(tiny_sweep) == [tiny_sweep]
    assert find_sweeps(tmp_path / "missing") == []


def test_page_registered_with_a_nav_link(tiny_region, tiny_sweep):
    app = create_app(tiny_region, Settings(sweeps_dir=str(tiny_sweep.parent)))
    with app.server.test_client() as client:
        assert client.get("/sweep").status_code == 200
    nav = app.layout.children[2].children.children[1]
    assert ("Sweep", "/sweep") in [(i.children.children, i.children.href) for i in nav.children]
    with app.server.app_context():
        lay = page.layout()
    dropdown = _find(lay, ids.SW_CHOICE)
    assert dropdown.options == [{"label": "tiny", "value": str(tiny_sweep)}]
    assert dropdown.value == str(tiny_sweep)
    assert _find(lay, ids.SW_FOLDER).__class__.__name__ == "Input"


def _find(component, cid):
    if getattr(component, "id", None) == cid:
        return component
    kids = getattr(component, "children", None)
    for k in kids if isinstance(kids, list) else [kids]:
        if k is not None and not isinstance(k, str):
            found = _find(k, cid)
            if found is not None:
                return found
    return None


def test_render_finished_sweep(tiny_sweep):
    st = Settings(sweeps_dir=str(tiny_sweep.parent))
    status, cards, frontier, resilience, dist, risk = page.render(
        str(tiny_sweep), "need_met_share", None, st
    )
    assert "finished: all 2 scenario(s) solved" in _text(status)
    assert "2 of 2" in _text(cards) and "50%" in _text(cards)
    assert [t.name for t in frontier.data] == ["scenarios", "frontier"]
    assert list(frontier.data[1].x) == pytest.approx([1.0])
    # one bar per grid point (hub yield 1 and 0): chance of any low-income area below 75%
    assert sorted(resilience.data[0].y) == pytest.approx([0.0, 1.0])
    assert "low_income" in resilience.layout.title.text
    # grid points as stacked values, the parameter names in the axis title
    assert sorted(resilience.data[0].x) == ["1<br>0", "1<br>1"]
    assert resilience.layout.xaxis.title.text == "equity_weight / yield_factor.hub"
    assert sorted(y for t in dist.data for y in t.y) == pytest.approx([20 / 28, 1.0])
    table = _text(risk)
    assert "low_income areas most often below 75%" in table
    assert "C" in table and "1 of 2" in table and "50%" in table and "86%" in table
    # another KPI and a threshold typed in percent
    _, cards2, _, res2, dist2, risk2 = page.render(str(tiny_sweep), "transport_cost_usd", 70, st)
    assert list(res2.data[0].y) == [0.0, 0.0] and "below 70%" in _text(risk2)
    assert "Transport" in dist2.layout.title.text or "transport" in dist2.layout.title.text


def test_render_unfinished_shows_what_finished(tiny_sweep, tmp_path):
    half = _unfinished(tiny_sweep, tmp_path)
    status, cards, frontier, *_ = page.render(str(half), "need_met_share", None, Settings())
    text = _text(status)
    assert "is unfinished" in text and "1 of 2 scenario(s) done" in text and "--resume" in text
    assert "1 of 2" in _text(cards)
    assert len(frontier.data[0].x) == 1


def test_render_not_a_sweep_and_not_allowed(tiny_sweep, tmp_path):
    status, cards, fig, *_ = page.render(str(tmp_path), "need_met_share", None, Settings())
    assert "Not a sweep" in _text(status) and "no sweep.json" in _text(status) and cards == []
    assert not fig.data
    locked = Settings(sweeps_dir=str(tiny_sweep.parent), allow_folders=False)
    elsewhere = _unfinished(tiny_sweep, tmp_path)
    status, *_ = page.render(str(elsewhere), "need_met_share", None, locked)
    assert "opening other folders is off" in _text(status)
    status, *_ = page.render(str(tiny_sweep), "need_met_share", None, locked)
    assert "finished" in _text(status)
    status, *_ = page.render(None, "need_met_share", None, replace(locked, sweeps_dir="/nope"))
    assert "No sweep found under /nope" in _text(status)


def test_no_folder_input_on_a_shared_server(tiny_region, tiny_sweep):
    locked = Settings(sweeps_dir=str(tiny_sweep.parent), allow_folders=False)
    app = create_app(tiny_region, locked)
    with app.server.app_context():
        lay = page.layout()
    assert _find(lay, ids.SW_FOLDER).__class__.__name__ == "Store"


def test_cli_dashboard_sweeps_option(monkeypatch, tmp_path, capsys):
    from dashboard import app as app_mod
    from dashboard.cli import main

    seen = {}
    monkeypatch.setattr(app_mod, "serve", lambda region, **kw: seen.update(kw))
    assert main(["dashboard", "demo", "--sweeps", str(tmp_path)]) == 0
    assert seen["settings"].sweeps_dir == str(tmp_path.resolve())
    assert main(["dashboard", "demo", "--sweeps", str(tmp_path / "nope")]) == 1
    assert "no such folder" in " ".join(capsys.readouterr().err.split())


@pytest.fixture(scope="module")
def estimated_sweep(tmp_path_factory):
    """Two scenarios on a county without need or supply (tests.helpers.public_list_region):
    planned on documented estimates."""
    pytest.importorskip("dask.distributed")
    import warnings

    from dask.distributed import Client

    from optimize.sweep import SweepSpec, run_sweep
    from tests.helpers import public_list_region

    spec = SweepSpec.from_dict(
        {
            "name": "county",
            "base": {"objective": "cost", "solver": "highs"},
            "vary": {"max_distance_m": [500, 2000]},
            "resilience": {"flag": "low_income"},
        }
    )
    out = tmp_path_factory.mktemp("sweeps") / "county"
    with (
        warnings.catch_warnings(),
        Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=None) as cl,
    ):
        warnings.simplefilter("ignore")  # the EstimatesWarning: the page says it in words
        res = run_sweep(spec, out, region=public_list_region(low_income=True), client=cl)
    assert res.complete
    return out


def test_sweep_page_and_html_name_the_estimated_inputs(estimated_sweep, tiny_sweep, tmp_path):
    from dashboard.report.sweep import sweep_page_html

    st = Settings(sweeps_dir=estimated_sweep.parent)
    status, *_ = page.render(str(estimated_sweep), "need_met_share", None, st)
    text = _text(status)
    assert "Estimated inputs (documented estimates, not the region's data):" in text
    assert "need: population x a basket of 11.98 kg per person a week" in text
    assert "supply: " in text
    view = load_sweep(estimated_sweep)
    assert set(view.frame["estimated"]) == {"need, supply"}
    assert view.summary["estimated"] == "need, supply"
    assert "id='estimated-note'" in sweep_page_html(view)
    # a sweep on the region's own data says nothing of estimates
    status, *_ = page.render(str(tiny_sweep), "need_met_share", None, Settings())
    assert "Estimated inputs" not in _text(status)
    assert "estimated-note" not in sweep_page_html(load_sweep(tiny_sweep))


def test_distribution_menu_lists_the_kpis_the_sweep_has(tiny_sweep):
    st = Settings(sweeps_dir=tiny_sweep.parent)
    values = [o["value"] for o in page.kpi_options(str(tiny_sweep), st)]
    assert "need_met_share" in values
    assert "spoiled_kg" not in values  # a one-period sweep: no spoilage over weeks

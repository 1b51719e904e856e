"""HTML reports: contents, numbers equal to the solution's, escaping, offline plotly.

Every report here is of real plans (``optimize.allocate``) of the four-area region of
``tests.helpers.four_area_region``, whose numbers are worked out by hand in its docstring: with
the Eastside hub out of service the fairest plan gives every area 5 of its 11 kg (45.5%);
with every site open all 44 kg of need is met.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

import equity
from dashboard.figures import lorenz_curve
from dashboard.report import PLOTLY_JS_NAME, render_report, write_report
from dashboard.report import data as rd
from dashboard.report.methodology import objective_text
from equity import Region
from optimize import AllocationSolution, Scenario, SiteOutage, allocate, run_scenario
from tests.helpers import FOUR_AREA_POPULATION, four_area_region


class _Collect(HTMLParser):
    """Figure payloads, KPI rows and section ids of a report."""

    def __init__(self) -> None:
        super().__init__()
        self.figures: dict[str, dict] = {}
        self.kpis: dict[str, object] = {}
        self.sections: list[str] = []
        self.scripts_src: list[str] = []
        self._fig: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script" and a.get("class") == "figure-data":
            self._fig = a["data-figure"]
        if tag == "script" and a.get("src"):
            self.scripts_src.append(a["src"] or "")
        if tag == "tr" and "data-kpi" in a and "data-value" in a:
            self.kpis[a["data-kpi"] or ""] = json.loads(a["data-value"] or "null")
        if tag == "section":
            self.sections.append(a.get("id") or "")

    def handle_data(self, data: str) -> None:
        if self._fig:
            self.figures[self._fig] = json.loads(data)
            self._fig = None


def parse(html: str) -> _Collect:
    p = _Collect()
    p.feed(html)
    return p


@pytest.fixture(scope="module")
def region() -> Region:
    return four_area_region()


@pytest.fixture(scope="module")
def areas(region: Region) -> pd.DataFrame:
    return equity.analyze(region)


@pytest.fixture(scope="module")
def outage(region: Region) -> AllocationSolution:
    """The fairest plan with the Eastside hub (H) out of service."""
    return allocate(region, objective="maxmin", shocks=[SiteOutage(site_ids=("H",))])


@pytest.fixture(scope="module")
def full(region: Region) -> AllocationSolution:
    """The fairest plan with every site open: all need met."""
    return allocate(region, objective="maxmin")


@pytest.fixture(scope="module")
def report_html(region, areas, outage, full) -> str:
    return render_report(
        region,
        outage,
        scenario="Hub outage",
        baseline=full,
        baseline_name="Baseline",
        areas=areas,
    )


def kpi_row(html: str, key: str) -> str:
    """The text of the KPI table's row of ``key``."""
    row = re.search(rf'<tr[^>]*data-kpi="{key}".*?</tr>', html, re.S)
    assert row is not None, key
    return re.sub(r"<[^>]+>", " ", row.group(0))


def test_the_plans_are_the_hand_checked_ones(outage, full) -> None:
    assert outage.status.value == full.status.value == "optimal"
    assert outage.kpis["need_kg"] == full.kpis["need_kg"] == pytest.approx(44.0)
    assert outage.kpis["need_met_kg"] == pytest.approx(20.0, abs=1e-5)
    assert full.kpis["need_met_kg"] == pytest.approx(44.0, abs=1e-5)


def test_every_section_and_figure_is_present(report_html: str) -> None:
    p = parse(report_html)
    assert p.sections == [
        "summary",
        "access",
        "plan",
        "fairness",
        "limits",
        "shocks",
        "comparison",
        "methodology",
        "sources",
        "manifest",
    ]
    assert set(p.figures) == {
        "equity-map",
        "desert-counts",
        "flows-map",
        "fulfilment-distribution",
        "lorenz",
        "unmet-by-commodity",
        "baseline-change",
    }
    for key, spec in p.figures.items():
        assert spec["data"], key
        assert f'data-figure="{key}"' in report_html


def test_kpi_numbers_equal_the_solutions(report_html: str, outage: AllocationSolution) -> None:
    kpis = parse(report_html).kpis
    shown = {k: v for k, v in outage.kpis.items() if not isinstance(v, dict | list)}
    assert set(kpis) == set(shown)
    for key, value in shown.items():
        if isinstance(value, float):
            assert kpis[key] == pytest.approx(value, nan_ok=True), key
        else:
            assert kpis[key] == value, key
    # Displayed for people: 20 of 44 kg is 45.5%. The transport is 5 kg from each garden to
    # the area it stands in (0.2 km) and to its nearer neighbour (B 1.02 km from G1, D 2.01 km
    # from G2): 5 x (0.2 + 1.0198 + 0.2 + 2.0100) = 17.15 kg-km at $0.05 = $0.86.
    assert "45.5%" in kpi_row(report_html, "need_met_share")
    assert "$0.86" in kpi_row(report_html, "transport_cost_usd")
    assert "17.1" in kpi_row(report_html, "kg_km")


def test_hand_checked_fulfilment_and_unmet(region, outage, full) -> None:
    per = rd.area_fulfilment(region, outage).set_index("area_id")
    assert per["need_kg"].to_dict() == {"A": 11.0, "B": 11.0, "C": 11.0, "D": 11.0}
    assert per["ratio"].to_numpy() == pytest.approx([5 / 11] * 4, abs=1e-6)
    unmet = rd.unmet_by_commodity(region, outage)
    # Rice (8 bags of 2 kg, all at the hub) goes wholly unmet; 8 of 28 kg of vegetables too.
    assert unmet["name"].tolist() == ["Rice", "Vegetables"]
    assert unmet["need_kg"].tolist() == pytest.approx([16.0, 28.0])
    assert unmet["unmet_kg"].tolist() == pytest.approx([16.0, 8.0], abs=1e-5)
    assert unmet["unmet_share"].tolist() == pytest.approx([1.0, 8 / 28], abs=1e-6)
    everything = rd.area_fulfilment(region, full)
    assert everything["ratio"].to_numpy() == pytest.approx([1.0] * 4)
    assert rd.unmet_by_commodity(region, full)["unmet_kg"].tolist() == pytest.approx([0, 0])


def test_flow_lines_are_the_plans_flows(region, outage) -> None:
    seg = rd.flow_segments(region, outage).set_index(["site_id", "area_id"])["kg"]
    assert seg.to_dict() == pytest.approx(
        {("G1", "A"): 5.0, ("G1", "B"): 5.0, ("G2", "C"): 5.0, ("G2", "D"): 5.0}, abs=1e-6
    )


def test_desert_counts_by_measure_and_group(areas, report_html: str) -> None:
    table = rd.desert_table(areas)
    row = table[(table["measure"] == "LILATracts_1And10") & (table["group"] == "all areas")]
    # C (2,000 residents) and D (1,000): low income and over a mile from the supermarket.
    assert row["areas"].item() == 2 and row["population"].item() == 3000
    assert row["share"].item() == pytest.approx(3000 / sum(FOUR_AREA_POPULATION.values()))
    assert "3,000 of them (60%) live in 2 areas that are food deserts" in report_html


def test_lorenz_of_equal_values_is_the_diagonal() -> None:
    x, y, gini = lorenz_curve([0.5, 0.5], [1.0, 3.0])
    assert gini == pytest.approx(0.0)
    x, y, gini = lorenz_curve([0.0, 1.0], [1.0, 1.0])
    assert gini == pytest.approx(0.5)


def test_binding_constraints_in_plain_words(region, outage, report_html: str) -> None:
    rows = rd.binding_rows(region, outage)
    assert [(r["kind"], r["site_id"], r["food"]) for r in rows] == [
        ("supply", "G1", "Vegetables"),
        ("supply", "G2", "Vegetables"),
    ]
    # One more kg at either garden feeds one more kg of need (all supply is used).
    assert [r["value"] for r in rows] == pytest.approx([1.0, 1.0], abs=1e-6)
    assert "Elm garden (G1) hands out all of its Vegetables" in report_html
    assert "Oak garden (G2) hands out all of its Vegetables" in report_html
    # what one more kg is worth: the optimizer's own sentence, as the CLI and the Plan page say
    assert (
        "Elm garden (G1) hands out all of its Vegetables. One more kg of supply of Vegetables "
        "at Elm garden would feed about 1.00 kg more need." in report_html
    )
    assert "plan's objective" not in report_html
    # The hub is out of service: it has no capacity to explain.
    table = re.search(r'id="binding-table".*?</table>', report_html, re.S)
    assert table is not None and "Eastside hub" not in table.group(0)


def test_methodology_manifest_and_shocks(report_html: str, outage) -> None:
    assert "LowIncomeTracts" in report_html and objective_text("maxmin")[0] in report_html
    assert "sum_s x[s,a,c] + u[a,c] = need[a,c]" in report_html
    manifest = re.search(r'<pre id="manifest-json">(.*?)</pre>', report_html, re.S)
    assert manifest is not None
    data = json.loads(manifest.group(1).replace("&#34;", '"').replace("&quot;", '"'))
    assert data["run"] == json.loads(json.dumps(outage.manifest, default=str))
    assert data["run"]["shocks"] == [{"kind": "site_outage", "site_ids": ["H"]}]
    assert "Site outage" in report_html
    assert (
        "Site Eastside hub (H) out of service for the period: no food goes out from there."
        in report_html
    )


def test_comparison_counts_who_gains(report_html: str) -> None:
    # Against the baseline (everything met) every area loses: 5,000 residents, nobody gains.
    assert "0 residents live in areas that are better served" in report_html
    assert "5,000 in areas that are worse served" in report_html


def test_a_scenario_names_the_report_and_states_its_settings(region, areas) -> None:
    sc = Scenario.from_dict(
        {
            "name": "hub_outage",
            "description": "The Eastside hub loses power for a week",
            "objective": "maxmin",
            "network": {"max_distance_m": 6000},
            "shocks": [{"kind": "site_outage", "site_ids": ["H"]}],
        }
    )
    sol = run_scenario(sc, region=region)
    html = render_report(region, sol, scenario=sc, areas=areas)
    assert "The Eastside hub loses power for a week" in html
    assert "6.0 km (3.7 miles)" in html and "$0.05 per kg per km" in html
    assert "Site Eastside hub (H) out of service" in html
    # Without the scenario, the name comes from the solution's manifest.
    bare = render_report(region, sol, areas=areas)
    assert "<title>Four Corners: Hub outage</title>" in bare


def test_data_is_escaped(region, areas, outage) -> None:
    html = render_report(region, outage, scenario="<script>alert(1)</script>", areas=areas)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # Store names reach the figure JSON escaped as text, and no "<" can close the script.
    assert "Big \\u0026lt;i\\u0026gt;Market" in html


def test_inline_report_needs_no_network(tmp_path: Path, region, areas, outage) -> None:
    out = write_report(region, outage, scenario="s", out=tmp_path / "r.html", areas=areas)
    html = out.read_text(encoding="utf-8")
    assert "Plotly" in html and len(html) > 3_000_000  # plotly.js is inlined
    from plotly.offline import get_plotlyjs

    # Outside plotly.js itself (which only names its website), nothing links to the network.
    assert not re.search(r"""(src|href)=["']https?://""", html.replace(get_plotlyjs(), ""))
    assert parse(html).scripts_src == []


def test_shared_plotly_js_written_once_beside(tmp_path: Path, region, areas, outage) -> None:
    a = write_report(region, outage, scenario="A", out=tmp_path, plotly_js="shared", areas=areas)
    b = write_report(region, outage, scenario="B", out=tmp_path, plotly_js="shared", areas=areas)
    assert (a.name, b.name) == ("a.html", "b.html")
    assert parse(a.read_text()).scripts_src == [PLOTLY_JS_NAME]
    assert (tmp_path / PLOTLY_JS_NAME).stat().st_size > 3_000_000
    assert a.stat().st_size < 200_000


def test_equity_only_report_without_a_plan(region, areas) -> None:
    html = render_report(region, None, areas=areas)
    p = parse(html)
    assert "plan" not in p.sections and "access" in p.sections
    assert set(p.figures) == {"equity-map", "desert-counts"}


def test_bad_plotly_js_flag(tmp_path: Path, region, areas) -> None:
    with pytest.raises(ValueError, match="use 'inline' or 'shared'"):
        write_report(region, None, out=tmp_path / "x.html", plotly_js="cdn", areas=areas)


@pytest.mark.browser
def test_figures_render_offline_in_headless_chromium(
    tmp_path: Path, region: Region, areas: pd.DataFrame, outage: AllocationSolution, full
) -> None:
    import shutil
    import subprocess

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    page = write_report(
        region, outage, scenario="s", baseline=full, out=tmp_path / "r.html", areas=areas
    )
    dom = subprocess.run(
        [
            chromium,
            *("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"),
            "--virtual-time-budget=10000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    # Every figure div got a plotly chart drawn into it, with networking off.
    assert dom.count('class="plot-container plotly"') == 7


@pytest.mark.browser
def test_static_png_figures_with_kaleido(
    tmp_path: Path, region: Region, areas: pd.DataFrame
) -> None:
    pytest.importorskip("kaleido", reason="install foodshed[png] for static figures")
    import shutil

    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    page = write_report(
        region, None, scenario="access", out=tmp_path / "r.html", areas=areas, images="png"
    )
    pngs = sorted(p.name for p in (tmp_path / "r_figures").iterdir())
    assert pngs == ["desert-counts.png", "equity-map.png"]
    assert (tmp_path / "r_figures" / "equity-map.png").read_bytes()[:4] == b"\x89PNG"
    assert page.exists()


@pytest.mark.browser
def test_pdf_with_system_chromium(
    tmp_path: Path, region: Region, areas: pd.DataFrame, outage: AllocationSolution
) -> None:
    import shutil

    from dashboard.report import write_pdf

    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    page = write_report(region, outage, scenario="s", out=tmp_path / "r.html", areas=areas)
    pdf = write_pdf(page)
    assert pdf == tmp_path / "r.pdf"
    data = pdf.read_bytes()
    assert data[:5] == b"%PDF-" and len(data) > 50_000

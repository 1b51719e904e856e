"""HTML reports: contents, numbers equal to the solution's, escaping, offline plotly."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from dashboard import _report_data as rd
from dashboard._report_figures import lorenz_points
from dashboard.report import PLOTLY_JS_NAME, render_report, write_report

from .conftest import fake_analyze, fake_solution


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
def report_html(grid) -> str:
    return render_report(
        grid,
        fake_solution(grid),
        scenario="Hub outage",
        baseline=fake_solution(grid, tomato_to_a0=0.0),
        baseline_name="Baseline",
        areas=fake_analyze(grid),
    )


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


def test_kpi_numbers_equal_the_solutions(grid, report_html: str) -> None:
    kpis = parse(report_html).kpis
    assert kpis == fake_solution(grid).kpis
    # Displayed in plain words, formatted for people.
    assert 'Share of all need met</td><td class="num">45.6%' in report_html
    assert "$1,234" in report_html


def test_hand_checked_fulfilment_and_unmet(grid) -> None:
    sol = fake_solution(grid)
    per = rd.area_fulfilment(grid, sol).set_index("area_id")
    # a0: 10 tomatoes (10 kg) + 5 rice bags (10 kg) of 20 kg -> fully met; a8 gets nothing.
    assert per.loc["a0", "ratio"] == 1.0
    assert per.loc["a8", "ratio"] == 0.0
    # a2: rice only, 10 of 20 kg.
    assert per.loc["a2", "ratio"] == 0.5
    unmet = rd.unmet_by_commodity(grid, sol).set_index("commodity")
    assert unmet.loc["tomato", "unmet_kg"] == 70.0  # 90 kg needed, 20 delivered
    assert unmet.loc["rice", "unmet_kg"] == 10.0  # 90 kg needed, 80 delivered


def test_desert_counts_by_measure_and_group(grid, report_html: str) -> None:
    table = rd.desert_table(
        fake_analyze(grid).merge(grid.areas[["area_id", "population", "urban"]])
    )
    row = table[(table["measure"] == "LILATracts_1And10") & (table["group"] == "all areas")]
    assert row["areas"].item() == 2 and row["population"].item() == 200
    assert row["share"].item() == pytest.approx(200 / 1700)
    assert "200 of them (12%) live in 2 areas that are food deserts" in report_html


def test_lorenz_of_equal_values_is_the_diagonal() -> None:
    x, y, gini = lorenz_points(pd.Series([0.5, 0.5]), pd.Series([1.0, 3.0]))
    assert gini == pytest.approx(0.0)
    x, y, gini = lorenz_points(pd.Series([0.0, 1.0]), pd.Series([1.0, 1.0]))
    assert gini == pytest.approx(0.5)


def test_binding_constraints_in_plain_words(report_html: str) -> None:
    assert "Eastside Hub (h1) hands out all of its Rice" in report_html
    assert "each extra kg is worth 2.5 in the plan" in report_html
    assert "Elm Garden (g1) is working at its handling limit" in report_html
    # Non-binding rows (the tomatoes at g1, value 0) are left out.
    table = re.search(r'id="binding-table".*?</table>', report_html, re.S)
    assert table is not None and "Tomatoes" not in table.group(0)


def test_methodology_manifest_and_shocks(report_html: str) -> None:
    assert "LowIncomeTracts" in report_html and "Fairest share: max-min" in report_html
    assert "sum_s x[s,a,c] + u[a,c] = need[a,c]" in report_html
    manifest = re.search(r'<pre id="manifest-json">(.*?)</pre>', report_html, re.S)
    assert manifest is not None
    data = json.loads(manifest.group(1).replace("&#34;", '"').replace("&quot;", '"'))
    assert data["run"] == {"inputs": {"region": "grid"}, "solver": "highs", "seed": 1}
    assert "Site outage" in report_html
    assert "Site g2 out of service for the period: no food goes out from there." in report_html


def test_comparison_counts_who_gains(report_html: str) -> None:
    # Only a0 differs (10 more kg of tomatoes): 100 residents gain, nobody loses.
    assert "100 residents live in areas that are better served" in report_html
    assert "0 in areas that are worse served" in report_html


def test_data_is_escaped(grid) -> None:
    areas = fake_analyze(grid)
    html = render_report(
        grid, fake_solution(grid), scenario="<script>alert(1)</script>", areas=areas
    )
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # Store names reach the figure JSON escaped as text, and no "<" can close the script.
    assert "Big \\u0026lt;i\\u0026gt;Market" in html


def test_inline_report_needs_no_network(tmp_path: Path, grid) -> None:
    out = write_report(
        grid, fake_solution(grid), scenario="s", out=tmp_path / "r.html", areas=fake_analyze(grid)
    )
    html = out.read_text(encoding="utf-8")
    assert "Plotly" in html and len(html) > 3_000_000  # plotly.js is inlined
    from plotly.offline import get_plotlyjs

    # Outside plotly.js itself (which only names its website), nothing links to the network.
    assert not re.search(r"""(src|href)=["']https?://""", html.replace(get_plotlyjs(), ""))
    assert parse(html).scripts_src == []


def test_shared_plotly_js_written_once_beside(tmp_path: Path, grid) -> None:
    areas = fake_analyze(grid)
    a = write_report(
        grid, fake_solution(grid), scenario="A", out=tmp_path, plotly_js="shared", areas=areas
    )
    b = write_report(
        grid, fake_solution(grid), scenario="B", out=tmp_path, plotly_js="shared", areas=areas
    )
    assert (a.name, b.name) == ("a.html", "b.html")
    assert parse(a.read_text()).scripts_src == [PLOTLY_JS_NAME]
    assert (tmp_path / PLOTLY_JS_NAME).stat().st_size > 3_000_000
    assert a.stat().st_size < 200_000


def test_equity_only_report_without_a_plan(grid) -> None:
    html = render_report(grid, None, areas=fake_analyze(grid))
    p = parse(html)
    assert "plan" not in p.sections and "access" in p.sections
    assert set(p.figures) == {"equity-map", "desert-counts"}


def test_bad_plotly_js_flag(tmp_path: Path, grid) -> None:
    with pytest.raises(ValueError, match="use 'inline' or 'shared'"):
        write_report(grid, None, out=tmp_path / "x.html", plotly_js="cdn", areas=fake_analyze(grid))


@pytest.mark.browser
def test_figures_render_offline_in_headless_chromium(tmp_path: Path, grid) -> None:
    import shutil
    import subprocess

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    page = write_report(
        grid,
        fake_solution(grid),
        scenario="s",
        baseline=fake_solution(grid, tomato_to_a0=0.0),
        out=tmp_path / "r.html",
        areas=fake_analyze(grid),
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
def test_static_png_figures_with_kaleido(tmp_path: Path, grid) -> None:
    pytest.importorskip("kaleido", reason="install foodshed[png] for static figures")
    import shutil

    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    page = write_report(
        grid,
        None,
        scenario="access",
        out=tmp_path / "r.html",
        areas=fake_analyze(grid),
        images="png",
    )
    pngs = sorted(p.name for p in (tmp_path / "r_figures").iterdir())
    assert pngs == ["desert-counts.png", "equity-map.png"]
    assert (tmp_path / "r_figures" / "equity-map.png").read_bytes()[:4] == b"\x89PNG"
    assert page.exists()


@pytest.mark.browser
def test_pdf_with_system_chromium(tmp_path: Path, grid) -> None:
    import shutil

    from dashboard.report import write_pdf

    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    page = write_report(
        grid, fake_solution(grid), scenario="s", out=tmp_path / "r.html", areas=fake_analyze(grid)
    )
    pdf = write_pdf(page)
    assert pdf == tmp_path / "r.pdf"
    data = pdf.read_bytes()
    assert data[:5] == b"%PDF-" and len(data) > 50_000

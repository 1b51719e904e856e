"""Self-contained HTML reports: one page per scenario that opens offline in any browser.

A report holds the equity map, the food-desert counts, the plan's flows, KPIs, fulfilment
distribution and Lorenz curve, unmet need by commodity, what binds and why, the shocks applied, a
comparison with a baseline plan, the methodology and the run manifest. Every value from the data is
escaped (Jinja2 autoescaping; figure JSON is embedded as ``application/json`` with ``</`` escaped).

Examples
--------
>>> import equity, optimize
>>> from dashboard.report import write_report
>>> region = equity.Region.demo()
>>> plan = optimize.allocate(region, objective="maxmin")  # doctest: +SKIP
>>> write_report(region, plan, scenario="maxmin", out="report.html")  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import jinja2
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from equity import FoodshedError, Region
from equity._atomic import atomic_path
from equity.catalogue import M_PER_MILE, measure_info

from .. import figures as F
from .. import services
from ..figures import report as rf
from . import data as rd
from .methodology import ATLAS_DEFINITIONS, MODEL_CONSTRAINTS, objective_text

if TYPE_CHECKING:
    from optimize import AllocationSolution

__all__ = [
    "PLOTLY_JS_NAME",
    "render_report",
    "write_figure_images",
    "write_pdf",
    "write_plotly_js",
    "write_report",
]

PLOTLY_JS_NAME = "plotly.min.js"
#: The flows map draws at most this many site-to-area routes, the heaviest first.
MAX_FLOW_LINES = 600
PlotlyJs = Literal["inline", "shared"]
_TEMPLATE = "report.html.j2"


# ---------------------------------------------------------------------- public
def write_report(
    region: Region,
    solution: Any = None,
    *,
    scenario: Any = None,
    baseline: Any = None,
    out: str | os.PathLike[str],
    plotly_js: PlotlyJs = "inline",
    areas: pd.DataFrame | None = None,
    baseline_name: str | None = None,
    images: Literal["png", "svg"] | None = None,
) -> Path:
    """Write one self-contained HTML report and return its path.

    Parameters
    ----------
    region
        The region the plan was made for.
    solution
        An ``optimize.AllocationSolution``; ``None`` writes an equity-only report (no plan).
    scenario
        The ``optimize.Scenario`` (or just its name) the solution answers.
    baseline
        The baseline scenario's solution, to compare against.
    out
        The ``.html`` file to write, or a folder (the file is then named after the scenario).
    plotly_js
        ``"inline"`` embeds plotly.js in the page (about 4.5 MB, opens anywhere);
        ``"shared"`` links a ``plotly.min.js`` written once beside the report.
    areas
        The analysed areas (``equity.analyze(region)``); computed when omitted.
    baseline_name
        How to call the baseline in the comparison (default: its scenario name or "baseline").
    images
        Also write every figure as a static ``png`` or ``svg`` into ``<report>_figures/``
        (needs the ``png`` extra, kaleido, and a Chromium; see :func:`write_figure_images`).
    """
    if images not in (None, "png", "svg"):
        msg = f"images={images!r}; use 'png', 'svg' or None"
        raise ValueError(msg)
    if plotly_js not in ("inline", "shared"):
        msg = f"plotly_js={plotly_js!r}; use 'inline' or 'shared'"
        raise ValueError(msg)
    target = Path(out)
    if target.is_dir() or target.suffix.lower() not in (".html", ".htm"):
        target = target / f"{_slug(_name(scenario, solution))}.html"
    ctx = _context(region, solution, scenario, baseline, areas, baseline_name)
    html = _render(ctx, plotly_js)
    if plotly_js == "shared":
        write_plotly_js(target.parent)
    if images:
        write_figure_images(
            ctx["figure_objects"], target.with_name(target.stem + "_figures"), fmt=images
        )
    with atomic_path(target) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return target


def _context(
    region: Region,
    solution: Any,
    scenario: Any,
    baseline: Any,
    areas: pd.DataFrame | None,
    baseline_name: str | None,
) -> dict[str, Any]:
    """:func:`build_context` of the report, analysing the region where ``areas`` is None."""
    if areas is None:
        areas = services.analyze(region)
    return build_context(
        region,
        solution,
        scenario=scenario,
        baseline=baseline,
        areas=areas,
        baseline_name=baseline_name,
    )


def write_pdf(html: str | os.PathLike[str], pdf: str | os.PathLike[str] | None = None) -> Path:
    """Print a written report to PDF with the system Chromium (headless, networking off).

    The figures are drawn before printing (Chromium's virtual time budget lets plotly finish);
    the page's print stylesheet hides the navigation and the figure toolbars.
    """
    import shutil
    import subprocess

    source = Path(html)
    target = Path(pdf) if pdf is not None else source.with_suffix(".pdf")
    chromium = os.environ.get("BROWSER_PATH") or shutil.which("chromium")
    chromium = chromium or shutil.which("chromium-browser")
    if not chromium:
        msg = "PDF reports need Chromium: apt-get install chromium (or set BROWSER_PATH)"
        raise FoodshedError(msg)
    with atomic_path(target) as tmp:
        proc = subprocess.run(
            [
                chromium,
                *("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"),
                *("--virtual-time-budget=20000", "--no-pdf-header-footer"),
                f"--print-to-pdf={tmp}",
                source.resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if proc.returncode != 0 or not tmp.exists() or tmp.stat().st_size == 0:
            msg = f"Chromium could not print {source} to PDF: {proc.stderr.strip()[-500:]}"
            raise FoodshedError(msg)
    return target


def write_figure_images(
    figures: dict[str, go.Figure], folder: str | os.PathLike[str], *, fmt: str = "png"
) -> list[Path]:
    """Write each figure as ``<folder>/<key>.<fmt>`` with kaleido (one browser for all).

    Kaleido drives a Chromium: the system one (``chromium`` on the PATH) is used unless
    ``BROWSER_PATH`` names another. The folder is replaced as a whole.
    """
    import shutil

    from equity._atomic import atomic_dir

    try:
        import kaleido  # noqa: F401
        import plotly.io as pio
    except ImportError as exc:
        msg = "static figures need kaleido: pip install 'foodshed[png]'"
        raise FoodshedError(msg) from exc
    if "BROWSER_PATH" not in os.environ:
        found = shutil.which("chromium") or shutil.which("chromium-browser")
        if found:
            os.environ["BROWSER_PATH"] = found
    keys = list(figures)
    with atomic_dir(folder) as tmp:
        paths = [tmp / f"{key}.{fmt}" for key in keys]
        try:
            pio.write_images(
                [figures[k] for k in keys],
                paths,
                format=fmt,
                width=1100,
                scale=1 if fmt == "svg" else 2,
            )
        except Exception as exc:  # kaleido reports a missing browser in many ways
            msg = (
                f"could not write {fmt} figures with kaleido ({type(exc).__name__}: {exc}); "
                "install Chromium (apt-get install chromium) or set BROWSER_PATH"
            )
            raise FoodshedError(msg) from exc
    return [Path(folder) / f"{key}.{fmt}" for key in keys]


def write_plotly_js(folder: str | os.PathLike[str]) -> Path:
    """Write ``plotly.min.js`` into ``folder`` (once; an identical copy is left alone)."""
    from plotly.offline import get_plotlyjs

    target = Path(folder) / PLOTLY_JS_NAME
    js = get_plotlyjs()
    if target.exists() and target.stat().st_size == len(js.encode("utf-8")):
        return target
    with atomic_path(target) as tmp:
        tmp.write_text(js, encoding="utf-8")
    return target


def render_report(
    region: Region,
    solution: Any = None,
    *,
    scenario: Any = None,
    baseline: Any = None,
    plotly_js: PlotlyJs = "inline",
    areas: pd.DataFrame | None = None,
    baseline_name: str | None = None,
) -> str:
    """The report as an HTML string (see :func:`write_report`)."""
    return _render(_context(region, solution, scenario, baseline, areas, baseline_name), plotly_js)


def _render(ctx: dict[str, Any], plotly_js: str) -> str:
    ctx = {k: v for k, v in ctx.items() if k != "figure_objects"}
    if plotly_js == "inline":
        from plotly.offline import get_plotlyjs

        ctx["plotly_inline"] = get_plotlyjs()
    else:
        ctx["plotly_src"] = PLOTLY_JS_NAME
    return _environment().get_template(_TEMPLATE).render(**ctx)


# ---------------------------------------------------------------------- context
def build_context(
    region: Region,
    solution: Any,
    *,
    scenario: Any,
    baseline: Any,
    areas: pd.DataFrame,
    baseline_name: str | None = None,
) -> dict[str, Any]:
    """Every number, table and figure the template shows."""
    region = services.planned_region(region, solution)
    geo = _merged_areas(region, areas)
    pop = geo["population"].astype(float)
    name = services.scenario_title(_name(scenario, solution))
    figures: dict[str, go.Figure] = {}
    ctx: dict[str, Any] = {
        "title": f"{region.name}: {name}"
        if solution is not None
        else f"{region.name}: food access",
        "region": region.name,
        "scenario": name,
        "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "version": _version(),
        # a run that found no plan (stopped before one, infeasible) reports no plan figures
        "has_plan": solution is not None and solution.ok,
        "no_plan": (
            str(services.kpis_of(solution).get("status_note") or services.status_of(solution))
            if solution is not None and not solution.ok
            else None
        ),
        "description": services.scenario_description(scenario),
        "population": float(pop.sum()),
        "n_areas": len(geo),
        "figures": figures,
        "estimated": services.estimated_of(solution),
    }

    # Food access today.
    deserts = rd.desert_table(geo)
    classes, colors, measure = rd.desert_classes(geo)
    ctx["desert_measure"] = measure
    ctx["desert_rows"] = rd.desert_pivot(deserts) if len(deserts) else []
    ctx["desert_groups"] = [g for g in deserts["group"].unique() if g != "all areas"]
    headline = deserts[(deserts["measure"] == measure) & (deserts["group"] == "all areas")]
    ctx["desert_people"] = float(headline["population"].sum()) if len(headline) else None
    ctx["desert_areas"] = int(headline["areas"].sum()) if len(headline) else None
    ctx["desert_share"] = float(headline["share"].iloc[0]) if len(headline) else None
    figures["equity-map"] = F.choropleth_map(
        geo,
        measure or "area_id",
        classes=F.named_classes(classes, colors, title="Food access"),
        hover_text=_hover(geo),
        render="xy",
        height=620,
        points=_place_layers(region, geo),
    )
    if len(deserts):
        groups = deserts[deserts["group"] != "all areas"]
        if groups.empty:
            groups = deserts
        figures["desert-counts"] = rf.desert_counts_figure(
            groups.assign(measure=groups["measure"].str.replace("Tracts", "")),
        )

    # The plan.
    if solution is not None and solution.ok:
        ful = rd.area_fulfilment(region, solution).set_index("area_id")
        ratio = ful["ratio"].reindex(geo["area_id"].astype(str)).set_axis(geo.index)
        kpis = services.kpis_of(solution)
        ctx["kpis"] = rd.kpi_rows(kpis)
        ctx["status"] = services.status_of(solution)
        note = kpis.get("status_note")
        ctx["status_words"] = str(note) if note else ctx["status"]
        obj = services.objective_of(solution)
        ctx["objective"] = obj
        title, formula, words = objective_text(obj)
        ctx["objective_title"], ctx["objective_formula"], ctx["objective_words"] = (
            title,
            formula,
            words,
        )
        ctx["need_kg"] = float(ful["need_kg"].sum())
        ctx["met_kg"] = float(ful["met_kg"].sum())
        ctx["met_share"] = ctx["met_kg"] / ctx["need_kg"] if ctx["need_kg"] > 0 else 1.0
        ctx["min_fulfilment"] = float(ratio.min()) if len(ratio) else float("nan")
        reach: Any = kpis.get("min_fulfilment_reachable")
        ctx["min_reachable"] = float(reach) if _is_number(reach) else ctx["min_fulfilment"]
        lila = (
            geo[measure].fillna(False).astype(bool)
            if measure
            else pd.Series(False, index=geo.index)
        )
        ctx["lila_met_share"] = _share(ful, geo.loc[lila, "area_id"])
        ctx["below_half_people"] = float(pop[ratio < 0.5].sum())
        _, _, gini = F.lorenz_curve(ratio.to_numpy(float), pop.reindex(ratio.index).to_numpy(float))
        ctx["gini"] = gini
        hover = _hover(geo, ratio)
        all_segments = rd.flow_segments(region, solution)
        ctx["n_flows"] = len(all_segments)
        # The heaviest routes carry the story; thousands of thin lines only hide the map.
        segments = all_segments.nlargest(MAX_FLOW_LINES, "kg")
        ctx["n_flows_shown"] = len(segments)
        total_kg = float(all_segments["kg"].sum())
        ctx["kg_shown_share"] = float(segments["kg"].sum()) / total_kg if total_kg > 0 else 1.0
        figures["flows-map"] = F.flows_map(
            geo,
            region.sites,
            solution.flows,
            classes=F.measure_classes(
                geo.assign(fulfilment=_shown_fulfilment(solution, geo, ratio)),
                "fulfilment",
                scheme="fixed",
                no_data=F.BEYOND_REACH,
            ),
            hover_text=hover,
            closed=rd.closed_sites(scenario, solution),
            max_lines=MAX_FLOW_LINES,
            render="xy",
            height=620,
        )
        figures["fulfilment-distribution"] = rf.fulfilment_distribution_figure(ratio, pop)
        figures["lorenz"] = F.lorenz_figure(
            {"this plan": (ratio.to_numpy(float), pop.reindex(ratio.index).to_numpy(float))},
            title=None,
            value_label="need met",
            height=380,
        )
        # plans over weeks (optimize.network): by-week figures and transfers between sites
        from .weeks import add_weeks

        add_weeks(
            ctx,
            figures,
            region,
            solution,
            geo,
            ratio,
            hover=hover,
            points=_site_layers(region, geo),
        )
        unmet = rd.unmet_by_commodity(region, solution)
        ctx["unmet_rows"] = unmet.to_dict("records")
        if len(unmet):
            figures["unmet-by-commodity"] = F.unmet_by_commodity(
                unmet, commodity_col="name", share_col="unmet_share", title=None
            )
        ctx["binding"] = rd.binding_rows(region, solution)
        ctx["binding_summary"] = rd.binding_summary(ctx["binding"])
        ctx["settings"] = rd.scenario_settings(scenario)
        ctx["shocks"] = rd.shock_rows(
            scenario, solution, site_names=rd._site_names(region), region=region
        )
        ctx["manifest_json"] = json.dumps(
            {"report": _report_manifest(), "run": services.manifest_of(solution)}, indent=2
        )
        if baseline is not None:
            ctx["baseline"] = _comparison(
                region,
                geo,
                solution,
                baseline,
                kpis,
                name=services.scenario_title(baseline_name or _name(None, baseline, "baseline")),
                figures=figures,
            )
    else:
        ctx["manifest_json"] = json.dumps({"report": _report_manifest()}, indent=2)

    ctx["figure_objects"] = dict(figures)
    ctx["figures"] = {key: _fig_json(fig) for key, fig in figures.items()}
    li_line = areas.attrs.get("low_income_source")
    ctx["atlas_definitions"] = ATLAS_DEFINITIONS + (
        (("Low-income flag in this report", li_line),) if li_line else ()
    )
    ctx["model_constraints"] = MODEL_CONSTRAINTS
    ctx["sources"] = _sources(region)
    ctx["summary"] = _summary_sentences(ctx)
    return ctx


def _comparison(
    region: Region,
    geo: gpd.GeoDataFrame,
    solution: Any,
    baseline: Any,
    kpis: dict[str, Any],
    *,
    name: str,
    figures: dict[str, go.Figure],
) -> dict[str, Any]:
    base_kpis = services.kpis_of(baseline)
    rows = []
    for key in rd.HEADLINE_KPIS:
        a: Any = kpis.get(key)
        b: Any = base_kpis.get(key)
        if not _is_number(a) or not _is_number(b):
            continue
        rows.append(
            {
                "key": key,
                "label": rd.kpi_label(key),
                "this": rd.format_value(key, a),
                "baseline": rd.format_value(key, b),
                "delta": _delta(key, float(a) - float(b)),
            }
        )
    mine = rd.area_fulfilment(region, solution).set_index("area_id")["ratio"]
    theirs = rd.area_fulfilment(region, baseline).set_index("area_id")["ratio"]
    ids = geo["area_id"].astype(str)
    diff = (mine.reindex(ids) - theirs.reindex(ids)).to_numpy()
    pop = geo["population"].astype(float).to_numpy()
    direction = np.where(diff > 0.005, "gains", np.where(diff < -0.005, "loses", "no change"))
    groups = {"all residents": np.ones(len(geo), dtype=bool)}
    _, _, measure = rd.desert_classes(geo)
    if measure:
        groups["in food deserts"] = geo[measure].fillna(False).astype(bool).to_numpy()
    change = pd.DataFrame(
        [
            {"group": g, "direction": d, "population": float(pop[mask & (direction == d)].sum())}
            for g, mask in groups.items()
            for d in ("gains", "no change", "loses")
        ]
    )
    figures["baseline-change"] = rf.baseline_change_figure(change)
    return {
        "name": name,
        "rows": rows,
        "gain_people": float(pop[direction == "gains"].sum()),
        "lose_people": float(pop[direction == "loses"].sum()),
        "change": change.to_dict("records"),
    }


# ---------------------------------------------------------------------- helpers
def _merged_areas(region: Region, areas: pd.DataFrame) -> gpd.GeoDataFrame:
    """The region's areas (metric CRS) with the analysed columns joined by ``area_id``."""
    base = region.areas.copy()
    base["area_id"] = base["area_id"].astype(str)
    extra = pd.DataFrame(areas).copy()
    geom_cols = [c for c in extra.columns if isinstance(extra[c].dtype, gpd.array.GeometryDtype)]
    extra = extra.drop(columns=geom_cols)
    if "area_id" not in extra:
        msg = "the analysed areas have no 'area_id' column; pass equity.analyze(region)"
        raise FoodshedError(msg)
    extra["area_id"] = extra["area_id"].astype(str)
    # The analysed values win over same-named input columns (e.g. flags joined from the Atlas).
    base = base[[c for c in base.columns if c == "area_id" or c not in extra.columns]]
    merged = base.merge(extra, on="area_id", how="left")
    return gpd.GeoDataFrame(merged, geometry=base.geometry.name, crs=base.crs)


def _share(ful: pd.DataFrame, ids: pd.Series) -> float | None:
    sub = ful.reindex(ids.astype(str)).dropna()
    need = float(sub["need_kg"].sum())
    return float(sub["met_kg"].sum()) / need if need > 0 else None


def _hover(geo: gpd.GeoDataFrame, ratio: pd.Series | None = None) -> pd.Series:
    from html import escape

    parts = []
    name = geo["name"] if "name" in geo else geo["area_id"]
    pop = geo["population"].astype(float)
    lines = [
        "<b>"
        + name.astype(str).map(escape)
        + "</b> ("
        + geo["area_id"].astype(str).map(escape)
        + ")",
        "residents: " + pop.map("{:,.0f}".format),
    ]
    if "poverty_rate" in geo:
        lines.append("poverty rate: " + geo["poverty_rate"].astype(float).map(_pct))
    dist = next(
        (c for c in geo.columns if "supermarket" in c and c.endswith(("_m", "_mi", "_km"))), None
    )
    if dist:
        unit = dist.rsplit("_", 1)[-1]
        vals = geo[dist].astype(float)
        if unit == "m":
            vals, unit = vals / M_PER_MILE, "mi"
        elif unit == "km":
            vals, unit = vals / 1.609344, "mi"
        lines.append("nearest supermarket: " + vals.map(lambda v: f"{v:.1f} {unit}"))
    if "need_index" in geo:
        need = measure_info("need_index")
        lines.append("need index: " + geo["need_index"].astype(float).map(need.format))
    if ratio is not None:
        lines.append("need met by the plan: " + ratio.astype(float).map(_pct))
    parts = lines[0]
    for line in lines[1:]:
        parts = parts + "<br>" + line
    return parts


def _esc(values: pd.Series) -> pd.Series:
    """Text of each value, HTML-escaped for plotly's hover labels ('' for missing values)."""
    from html import escape

    return pd.Series(
        [escape(str(v)) if pd.notna(v) else "" for v in values], index=values.index, dtype=object
    )


def _pct(v: float) -> str:
    return "n/a" if pd.isna(v) else f"{v:.0%}"


def _place_layers(region: Region, geo: gpd.GeoDataFrame) -> list[Any]:
    """Supermarkets, grocers and farmers markets, then the sites: the report's equity map's
    points, in the looks the app draws them (a kind with none says so in the legend)."""
    look = {"render": "xy", "crs": geo.crs, "bounds": geo.total_bounds}
    stores = [
        tr
        for kind in ("supermarket", "grocery", "farmers_market")
        for tr in F.stores_layers(region.stores, kinds=[kind], **look)
    ]
    return stores + _site_layers(region, geo)


def _site_layers(region: Region, geo: gpd.GeoDataFrame) -> list[Any]:
    look = {"render": "xy", "crs": geo.crs, "bounds": geo.total_bounds}
    kinds = ("garden", "farm", "hub", "pantry")
    return [tr for kind in kinds for tr in F.sites_layers(region.sites, kinds=[kind], **look)]


def _fig_json(fig: go.Figure) -> str:
    fig.update_layout(autosize=True)
    text = fig.to_json(validate=False, remove_uids=True, engine="json")
    # Safe inside <script type="application/json">: no "</script>" or "<!--" can close it.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _name(scenario: Any, solution: AllocationSolution | None, fallback: str = "scenario") -> str:
    """The scenario's name: given, or the one ``optimize.run_scenario`` records in the
    solution's manifest, or ``fallback``."""
    if isinstance(scenario, str):
        return scenario
    if scenario is not None:
        return services.scenario_name(scenario, fallback)
    recorded = solution.manifest.get("scenario") if solution is not None else None
    return str(recorded["name"]) if isinstance(recorded, dict) else fallback


def _slug(text: str) -> str:
    keep = "".join(c if c.isalnum() or c in "-_" else "-" for c in text.strip().lower())
    return "-".join(p for p in keep.split("-") if p) or "report"


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool)


def _delta(key: str, d: float) -> str:
    if d != d:  # a KPI one side does not have (NaN): no change to show, not "-n/a"
        return "n/a"
    if abs(d) < 1e-12:
        return "same"
    text = rd.format_value(key, abs(d))
    if text.endswith("%"):
        text = text[:-1] + " pts"
    return ("+" if d > 0 else "-") + text


def _version() -> str:
    try:
        return metadata.version("foodshed")
    except metadata.PackageNotFoundError:
        return "dev"


def _report_manifest() -> dict[str, Any]:
    versions = {}
    for pkg in ("foodshed", "plotly", "pandas", "geopandas", "pulp", "highspy"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            continue
    return {
        "generated_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "versions": versions,
    }


def _sources(region: Region) -> list[dict[str, str]]:
    rows = [
        {"what": f"{table} table", "detail": str(path)} for table, path in region.sources.items()
    ]
    for key, value in region.provenance.items():
        if isinstance(value, dict | list):
            value = json.dumps(value, default=services.jsonable)
        rows.append({"what": str(key), "detail": str(value)})
    return rows


def _summary_sentences(ctx: dict[str, Any]) -> list[str]:
    out = [f"{ctx['region']} has {ctx['population']:,.0f} residents in {ctx['n_areas']} areas."]
    if ctx.get("desert_people") is not None:
        out.append(
            f"{ctx['desert_people']:,.0f} of them ({_pct(ctx['desert_share'])}) live in "
            f"{ctx['desert_areas']} areas that are food deserts by the USDA's "
            f"{ctx['desert_measure']} measure: low income, and far from a supermarket."
        )
    if ctx.get("no_plan"):
        out.append(
            f"The solver found no plan for “{ctx['scenario']}” ({ctx['no_plan']}): this page "
            "shows food access only, and no plan figures."
        )
    if ctx["has_plan"]:
        out.append(
            f"Under the “{ctx['scenario']}” plan ({ctx['objective_title'].lower()}), "
            f"{_pct(ctx['met_share'])} of the community's weekly food need is met "
            f"({ctx['met_kg']:,.0f} of {ctx['need_kg']:,.0f} kg)."
        )
        if ctx.get("lila_met_share") is not None:
            out.append(f"In the food-desert areas, {_pct(ctx['lila_met_share'])} of need is met.")
        k = {r["key"]: r["value"] for r in ctx.get("kpis", [])}
        far: Any = k.get("people_unreachable")
        if _is_number(far) and far > 0:
            out.append(
                f"{far:,.0f} residents in {k.get('areas_unreachable', 0):,.0f} areas live beyond "
                "the reach of every garden, hub and pantry: no plan can serve them without a new "
                "site or longer delivery routes."
            )
        low = k.get("min_fulfilment_reachable", ctx["min_fulfilment"])
        if _is_number(low) and low == low:  # NaN: no area within reach has need
            out.append(f"The worst-served area within reach gets {low:.0%} of what it needs.")
        if ctx["below_half_people"] > 0:
            out.append(
                f"{ctx['below_half_people']:,.0f} residents live where less than half of the "
                "need is met."
            )
        if ctx.get("baseline"):
            b = ctx["baseline"]
            out.append(
                f"Compared with “{b['name']}”, {b['gain_people']:,.0f} residents are better "
                f"served and {b['lose_people']:,.0f} worse served."
            )
    return out


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("dashboard.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = lambda v: "n/a" if v is None or pd.isna(v) else f"{float(v):,.0f}"
    env.filters["pct"] = lambda v: "n/a" if v is None or pd.isna(v) else f"{float(v):.0%}"
    env.filters["pct1"] = lambda v: "n/a" if v is None or pd.isna(v) else f"{float(v):.1%}"
    env.filters["jsonattr"] = lambda v: json.dumps(v)
    return env


def _shown_fulfilment(solution: Any, geo: Any, ratio: pd.Series) -> pd.Series:
    """The share of need met as the plan maps show it (:func:`figures.fulfilment_for_map`):
    empty where no open site with food reaches the area, as on the Plan page."""
    ful = solution.fulfilment
    if "reachable" not in ful.columns:
        return ratio
    reach = ful.set_index(ful["area_id"].astype(str))["reachable"]
    frame = pd.DataFrame(
        {"fulfilment": ratio, "reachable": reach.reindex(geo["area_id"].astype(str)).to_numpy()},
        index=ratio.index,
    )
    return F.fulfilment_for_map(frame)

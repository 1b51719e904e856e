"""Sweeps in the HTML reports: one page per sweep beside the scenario reports, and a "Sweeps"
section on the report index that summarises each and links its page.

Used by :func:`dashboard.report.batch.run_batch` (``foodshed report ... --sweep DIR``).
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

from ..figures.sweep import pct_text as _pct
from ..figures.sweep import sweep_section_html
from ..sweeps import SweepView, load_sweep

__all__ = ["load_sweeps", "sweep_page_html", "write_sweep_html", "write_sweep_pages"]


def load_sweeps(folders: list[str | os.PathLike[str]]) -> list[SweepView]:
    """Open every sweep folder first, so a wrong folder fails before anything is written."""
    return [load_sweep(f) for f in folders]


def risk_table_html(view: SweepView, *, top: int = 15) -> str:
    """The vulnerable areas most often below the threshold, as an HTML table."""
    t = view.summary["threshold"]
    flag = html.escape(str(view.summary.get("flag") or "vulnerable"))
    risk = view.risk[view.risk["below"] > 0] if len(view.risk) else view.risk
    head = f"<h3>{flag} areas most often below {t:.0%} of their need</h3>"
    if not len(risk):
        return head + "<p>No vulnerable area fell below the threshold in any finished scenario.</p>"
    rows = "".join(
        f"<tr><td>{html.escape(str(r['area_id']))}</td>"
        f"<td class='num'>{int(r['below'])} of {int(r['scenarios'])}</td>"
        f"<td class='num'>{_pct(r['p_below'])}</td>"
        f"<td class='num'>{_pct(r['mean_fulfilment'])}</td></tr>"
        for _, r in risk.head(top).iterrows()
    )
    return (
        f"{head}<table class='sweep-risk'><thead><tr><th>area</th><th class='num'>scenarios "
        "below</th><th class='num'>share</th><th class='num'>mean fulfilment</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


_STYLE = (
    "body{font-family:'Source Sans Pro','Segoe UI',Helvetica,Arial,sans-serif;color:#1f2a36;"
    "max-width:1100px;margin:30px auto;padding:0 24px;line-height:1.5}"
    "h2{border-bottom:2px solid #0b5e8e;padding-bottom:6px}"
    "table{border-collapse:collapse;width:100%}"
    "th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #d9dee3}"
    "th{background:#f6f7f9}.num{text-align:right}"
    ".warn{background:#fff4e5;border-left:4px solid #e69500;padding:8px 12px}"
)


def sweep_page_html(view: SweepView, *, plotly_js: str = "inline") -> str:
    """A standalone page for one sweep: its state, the figures and the areas at risk."""
    from . import PLOTLY_JS_NAME

    if plotly_js == "shared":
        script = f"<script src='{PLOTLY_JS_NAME}'></script>"
    else:
        from plotly.offline import get_plotlyjs

        script = f"<script>{get_plotlyjs()}</script>"
    title = f"Sweep {view.name}"
    note = (
        ""
        if view.complete
        else f"<p class='warn'>This sweep is {html.escape(view.state)}. The figures show the "
        "scenarios that finished.</p>"
    )
    if view.estimated_note:
        note += f"<p class='warn' id='estimated-note'>{html.escape(view.estimated_note)}</p>"
    if view.done:
        body = sweep_section_html(view.frame, view.summary, title=title) + risk_table_html(view)
    else:
        body = f"<h2>{html.escape(title)}</h2><p>No scenario of this sweep has finished yet.</p>"
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style>{script}</head><body>"
        f"<p><a href='index.html'>&larr; all reports</a></p>{note}{body}"
        f"<p style='color:#5b6773'>From {html.escape(str(view.path))}.</p></body></html>"
    )


def write_sweep_pages(
    tmp: Path, views: list[SweepView], *, plotly_js: str, used: set[str]
) -> list[dict[str, Any]]:
    """Write ``sweep-<name>.html`` for each sweep into ``tmp``; return the index rows."""
    from . import _slug

    rows = []
    for view in views:
        stem = f"sweep-{_slug(view.name)}"
        name, k = stem, 2
        while name in used:
            name, k = f"{stem}-{k}", k + 1
        used.add(name)
        page = f"{name}.html"
        (tmp / page).write_text(sweep_page_html(view, plotly_js=plotly_js), encoding="utf-8")
        s = view.summary
        worst = view.risk[view.risk["below"] > 0] if len(view.risk) else view.risk
        frontier = s.get("frontier")
        best_met = (
            float(frontier["need_met_share"].max())
            if frontier is not None and len(frontier)
            else None
        )
        rows.append(
            {
                "name": view.name,
                "page": page,
                "folder": str(view.path),
                "complete": view.complete,
                "state": view.state,
                "done": view.done,
                "total": view.total,
                "solved": s.get("solved", 0),
                "errors": s.get("errors", 0),
                "threshold": s["threshold"],
                "flag": s.get("flag") or "vulnerable",
                "p_any_below": s.get("p_any_below_overall"),
                "best_need_met": best_met,
                "areas_at_risk": [str(a) for a in worst["area_id"].head(5)],
            }
        )
    return rows


def write_sweep_html(
    out: str | os.PathLike[str], path: str | os.PathLike[str] | None = None
) -> Path:
    """Write a standalone page (plotly.js embedded, works offline) for the sweep in ``out``
    (``sweep.html`` in it unless ``path`` is given); what ``foodshed sweep`` writes at the end."""
    from plotly.offline import get_plotlyjs

    from equity._atomic import atomic_path

    view = load_sweep(out)
    body = sweep_section_html(view.frame, view.summary, title=f"Sweep {view.meta.get('name', '')}")
    page = (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>Sweep {html.escape(str(view.meta.get('name', '')))}</title>"
        f"<script>{get_plotlyjs()}</script></head><body>{body}</body></html>"
    )
    target = Path(path) if path is not None else Path(out) / "sweep.html"
    with atomic_path(target) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return target

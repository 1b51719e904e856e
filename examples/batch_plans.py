"""A complete batch job with the Python API: analyse a region, plan under shocks, write reports.

Run it as ``python examples/batch_plans.py --out plans/`` (the bundled demo region) or with
``--region my_city/`` for your own region folder. It writes the analysed areas, one HTML report
per plan (each compared with the baseline), every plan's flows and a CSV of all KPIs.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

import equity
import optimize
from dashboard.report import write_report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", default="demo", help="region folder, or 'demo'")
    parser.add_argument("--out", type=Path, default=Path("foodshed-plans"))
    args = parser.parse_args(argv)

    region = equity.Region.demo() if args.region == "demo" else equity.Region.from_dir(args.region)
    areas = equity.analyze(region)  # GeoDataFrame: every access and equity measure per area
    print(equity.summarize(areas).to_string(index=False))

    plans = {
        "baseline": optimize.allocate(region, objective="cost"),
        "fair share after a hub outage": optimize.allocate(
            region, objective="maxmin", shocks=[optimize.SiteOutage(site_kind="hub")]
        ),
        "drought": optimize.allocate(
            region, objective="maxmin", shocks=[optimize.YieldFactor(0.7, site_kind="garden")]
        ),
    }

    args.out.mkdir(parents=True, exist_ok=True)
    areas.drop(columns="geometry").to_csv(args.out / "areas.csv", index=False)
    rows = []
    for name, plan in plans.items():
        write_report(
            region,
            plan,
            scenario=name,
            baseline=None if name == "baseline" else plans["baseline"],
            baseline_name="baseline",
            out=args.out,
            plotly_js="shared",
            areas=areas,
        )
        slug = name.replace(" ", "-")
        plan.flows.to_csv(args.out / f"{slug}_flows.csv", index=False)
        rows.append({"plan": name, **plan.kpis})
    kpis = pd.DataFrame(rows)
    kpis.to_csv(args.out / "kpis.csv", index=False)
    print(kpis[["plan", "status", "need_met_share", "min_fulfilment", "transport_cost_usd"]])
    print(f"reports in {args.out.resolve()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

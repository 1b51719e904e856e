"""A food-access report for a real county from public data: Allegheny County, PA (Pittsburgh).

Assembles the county from the public files in ``../shared/data`` (2010 tracts, the USDA Atlas,
census population centres, SNAP retailers, supermarket lists, gardens and food-bank sites),
computes every equity measure, prints how often the computed food-desert flags agree with the
USDA Atlas's own, then plans the fairest (``maxmin``) distribution from the county's gardens,
farms and food-bank pantries and writes the report.

The public lists carry no quantities, so the plan runs on documented estimates
(``Region.with_estimates``, see docs/equity.md): need is population x the USDA Dietary
Guidelines basket (about 12 kg per person a week), scaled by ``--food-insecurity-rate`` when
given; supply is garden area x a cited yield and a default pantry throughput. The report and the
plan's manifest say which numbers are estimated.

    python examples/county_report.py --out allegheny/ [--shared-data ../shared/data]
        [--food-insecurity-rate 0.12]

Where the public data is absent, the script says so and exits without error.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import equity
import optimize
from dashboard.report import write_report
from equity.estimates import estimated_inputs

DEFAULT_SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("foodshed-allegheny"))
    parser.add_argument(
        "--shared-data",
        type=Path,
        default=Path(os.environ.get("FOODSHED_SHARED_DATA", DEFAULT_SHARED)),
    )
    parser.add_argument(
        "--food-insecurity-rate",
        type=float,
        default=None,
        help="share of residents whose weekly basket counts as need (default: everyone)",
    )
    args = parser.parse_args(argv)

    if not (args.shared_data / "pittsburgh_allegheny").is_dir():
        print(
            f"skipped: the public data is not at {args.shared_data} (set FOODSHED_SHARED_DATA "
            "or pass --shared-data to point at a copy of shared/data)"
        )
        return 0
    builder = getattr(equity, "allegheny_region", None)
    if builder is None:
        print("skipped: this version of equity has no public-data adapters (equity.sources)")
        return 0
    region = builder(args.shared_data)
    areas = equity.analyze(region)
    print(repr(region))
    print(equity.summarize(areas).to_string(index=False))

    # The region carries the Atlas's published flags; analyze() computed its own from the stores.
    published = region.areas.set_index("area_id")
    computed = areas.set_index("area_id")
    for flag in ("LILATracts_1And10", "LILATracts_halfAnd10"):
        if flag in published and "in_atlas" in published:
            ids = published.index[published["in_atlas"].astype(bool)]
            a = published.loc[ids, flag].astype(bool)
            b = computed.loc[ids, flag].astype(bool)
            print(f"{flag}: computed agrees with the USDA Atlas on {(a == b).mean():.1%} of tracts")

    # Plan on documented estimates: the public lists have sites but no quantities.
    planned = region.with_estimates(food_insecurity_rate=args.food_insecurity_rate)
    for table, how in estimated_inputs(planned).items():
        print(f"estimated {table}: {how}")
    plan = optimize.allocate(planned, objective="maxmin")
    k = plan.kpis
    print(
        f"plan (maxmin, {plan.status.value}): {k['need_met_kg']:,.0f} of {k['need_kg']:,.0f} kg "
        f"of weekly need met ({k['need_met_share']:.1%}); smallest share met in reach "
        f"{k['min_fulfilment_reachable']:.2%}; {k['areas_unreachable']} of {k['areas']} areas "
        "beyond every site's reach"
    )

    args.out.mkdir(parents=True, exist_ok=True)
    report = write_report(
        planned, plan, scenario="fairest plan", out=args.out / "allegheny.html", areas=areas
    )
    areas.drop(columns="geometry").to_csv(args.out / "allegheny_areas.csv", index=False)
    # which stores count as supermarkets, by list and rule, and each store's reason
    supermarkets = region.stores[region.stores["kind"].eq("supermarket")]
    print(equity.classification_report(supermarkets).to_string(index=False))
    equity.classification_report(region.stores).to_csv(
        args.out / "allegheny_store_classes.csv", index=False
    )
    plan.to_dir(args.out / "plan", region=planned)
    print(f"wrote {report} and the plan in {args.out / 'plan'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

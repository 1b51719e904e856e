"""A food-access report for a real county from public data: Allegheny County, PA (Pittsburgh).

Assembles the county from the public files in ``../shared/data`` (2010 tracts, the USDA Atlas,
census population centres, SNAP retailers, supermarket lists, gardens and food-bank sites),
computes every equity measure, prints how often the computed food-desert flags agree with the
USDA Atlas's own, and writes an equity report (no allocation: the public data has no supply quantities).

    python examples/county_report.py --out allegheny/ [--shared-data ../shared/data]

Where the public data is absent, the script says so and exits without error.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import equity
from dashboard.report import write_report

DEFAULT_SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("foodshed-allegheny"))
    parser.add_argument(
        "--shared-data",
        type=Path,
        default=Path(os.environ.get("FOODSHED_SHARED_DATA", DEFAULT_SHARED)),
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

    args.out.mkdir(parents=True, exist_ok=True)
    report = write_report(
        region, None, scenario="food access", out=args.out / "allegheny.html", areas=areas
    )
    areas.drop(columns="geometry").to_csv(args.out / "allegheny_areas.csv", index=False)
    # which stores count as supermarkets, by list and rule, and each store's reason
    classes = getattr(equity, "classification_report", None)
    if classes is not None:
        supermarkets = region.stores[region.stores["kind"].eq("supermarket")]
        print(classes(supermarkets).to_string(index=False))
        classes(region.stores).to_csv(args.out / "allegheny_store_classes.csv", index=False)
    print(f"wrote {report}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

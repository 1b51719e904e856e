"""Time the public-data readers and Region builders on ../shared/data.

Prints the time to read the national block-group centres (220,334 rows) with the pyarrow path
that :mod:`equity.sources` uses for large files, against pandas' C parser (the baseline), and
the time of each one-call Region builder. Run: ``python benchmarks/bench_sources.py [DATA]``.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pandas as pd

from equity._sources_common import _read_fast
from equity.io import NA_VALUES
from equity.sources import allegheny_region, chicago_region


def best_of(fn, n: int = 3) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get(
        "FOODSHED_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))  # fmt: skip
    bg = root / "census_popcenters_2010" / "CenPop2010_Mean_BG_national.csv"
    base = best_of(
        lambda: pd.read_csv(
            bg, dtype=str, na_values=NA_VALUES, keep_default_na=False, encoding="utf-8-sig"
        )  # fmt: skip
    )
    fast = best_of(lambda: _read_fast(bg, None))
    print(f"block-group centres, 220,334 rows as text: pandas C parser {base:.3f} s, "
          f"pyarrow {fast:.3f} s, ratio {base / fast:.1f}x")  # fmt: skip
    for fn in (allegheny_region, chicago_region):
        t = best_of(lambda fn=fn: fn(root), n=2)
        r = fn(root)
        print(f"{fn.__name__}: {t:.2f} s -> {r!r}")


if __name__ == "__main__":
    main()

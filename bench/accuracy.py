"""Print the error-injection figures by kind of corruption (``python bench/accuracy.py``)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from injection import run, summary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--count", type=int, default=600)
    ap.add_argument("--seed", type=int, default=20261125)
    ap.add_argument("--misses", action="store_true", help="list undetected and wrong-top-1 cases")
    args = ap.parse_args()
    root = Path(__file__).resolve().parent.parent / "sample_data"
    t0 = time.perf_counter()
    outcomes = run(sorted(root.glob("*.txt")), args.count, args.seed)
    dt = time.perf_counter() - t0
    print(f"{'kind':<14}{'n':>6}{'detected':>10}{'top-1':>8}")
    for kind, n, det, top in summary(outcomes):
        print(f"{kind:<14}{n:>6}{det:>10.1%}{top:>8.1%}")
    print(f"{len(outcomes)} corruptions in {dt:.1f} s")
    if args.misses:
        for o in outcomes:
            if not o.detected or not o.top1:
                print(
                    ("MISS " if not o.detected else "TOP1 ")
                    + f"{o.kind:<14} {o.doc} L{o.line}:{o.srccol} {o.original} -> {o.corrupted}"
                )


if __name__ == "__main__":
    main()

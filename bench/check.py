"""Check time vs parse time on a generated corpus, measured side by side in one process.

Usage::

    python bench/check.py [--count 1000] [--repeat 3] [--seed 0]

For every document: parse (``parse_document``), then run every rule (``run_checks``).
Prints the median parse and check times over ``--repeat`` rounds and the ratio
check/parse (the issue's target: checks add <= 50 % to parsing). CPU time is printed
beside wall time because this machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus

from budget_tui.core import compiled
from budget_tui.core.check import run_checks
from budget_tui.core.document import parse_document
from budget_tui.core.source import decode_bytes


def corpus_dir(count: int, seed: int) -> Path:
    out = Path(__file__).resolve().parent / "out" / f"corpus_{count}_s{seed}"
    if len(list(out.glob("gen_*.txt"))) != count:
        corpus.generate(out, count, seed)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    files = sorted(corpus_dir(args.count, args.seed).glob("gen_*.txt"))
    blobs = [(str(p), p.read_bytes()) for p in files]
    parse_wall, parse_cpu, check_wall, check_cpu = [], [], [], []
    findings = 0
    for _ in range(args.repeat):
        w, c = time.perf_counter(), time.process_time()
        docs = [parse_document(decode_bytes(p, b)) for p, b in blobs]
        parse_wall.append(time.perf_counter() - w)
        parse_cpu.append(time.process_time() - c)
        w, c = time.perf_counter(), time.process_time()
        findings = sum(len(run_checks(d)) for d in docs)
        check_wall.append(time.perf_counter() - w)
        check_cpu.append(time.process_time() - c)
        del docs
    pw, pc = statistics.median(parse_wall), statistics.median(parse_cpu)
    cw, cc = statistics.median(check_wall), statistics.median(check_cpu)
    n = len(blobs)
    print(f"core           {'compiled (mypyc)' if compiled() else 'pure Python'}")
    print(f"documents      {n}")
    print(f"parse          {pw * 1000:8.0f} ms wall  {pc * 1000:8.0f} ms cpu  ({pw / n * 1000:.1f} ms/doc)")
    print(f"checks         {cw * 1000:8.0f} ms wall  {cc * 1000:8.0f} ms cpu  ({cw / n * 1000:.1f} ms/doc)")
    print(f"checks/parse   {cw / pw:8.0%} wall  {cc / pc:8.0%} cpu   (target <= 50 %)")
    print(f"findings       {findings}")


if __name__ == "__main__":
    main()

"""Parse time against a plain-Python floor, measured in one process.

Usage::

    python bench/parse.py [--count 1000] [--repeat 3] [--seed 0] [--profile N]

Generates (or reuses, under ``bench/out/``) a corpus of ``--count`` documents with
``bench/corpus.py``, then times, as the median of ``--repeat`` runs:

* **floor**: read every file's bytes, decode UTF-8, split lines, split every line on tabs
  (plain Python, nothing kept);
* **parse**: read + ``parse_document(decode_bytes(...))`` for every file;
* **parse + Decimals**: the same, then ``row.values`` touched for every row of every form
  (the exact ``Decimal`` conversion is lazy, so plain parse does not pay for it).

The three passes alternate within each round. It prints the times, docs/s, MB/s and the
ratios to the floor; the issue's target is parse <= 10x floor. Wall time is the headline;
CPU (process) time is printed beside it, being steadier on a busy machine.
``--profile N`` adds a cProfile of one parse pass (top N functions by own time and by
cumulative time, with file:line). ``--max-ratio R`` exits 1 when parse/floor exceeds R
(for CI).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # ``corpus`` next to this file

import corpus

from budget_tui.core import compiled, parse_document
from budget_tui.core.source import decode_bytes

OUT = Path(__file__).resolve().parent / "out"
TARGET_RATIO = 10.0


def corpus_paths(count: int, seed: int, out: Path | None = None, regenerate: bool = False) -> list[Path]:
    """The files of a generated corpus, reused when its manifest matches."""
    folder = out or OUT / f"corpus_{count}_s{seed}"
    manifest = folder / "manifest.json"
    paths = [folder / f"gen_{i:06d}.txt" for i in range(count)]
    if not regenerate and manifest.exists():
        meta = json.loads(manifest.read_text(encoding="utf-8"))
        wanted = {"version": corpus.GENERATOR_VERSION, "count": count, "seed": seed, "inject_rate": 0.0}
        if all(meta.get(k) == v for k, v in wanted.items()) and all(p.exists() for p in paths):
            return paths
    t0 = time.perf_counter()
    paths = corpus.generate(folder, count, seed)
    print(f"generated {count} documents in {time.perf_counter() - t0:.1f} s -> {folder}", file=sys.stderr)
    return paths


def floor_pass(paths: Sequence[Path]) -> int:
    """Read, decode, split lines and tabs; returns the number of cells (to use the result)."""
    cells = 0
    for p in paths:
        text = p.read_bytes().decode("utf-8-sig")
        for line in text.split("\n"):
            cells += len(line.split("\t"))
    return cells


def parse_pass(paths: Sequence[Path]) -> int:
    """Read and parse every file; returns the number of rows."""
    rows = 0
    for p in paths:
        doc = parse_document(decode_bytes(str(p), p.read_bytes()))
        rows += sum(f.rows for f in doc.forms.values())
    return rows


def parse_values_pass(paths: Sequence[Path]) -> int:
    """Parse every file and convert every cell to its exact value; returns the number of values."""
    values = 0
    for p in paths:
        doc = parse_document(decode_bytes(str(p), p.read_bytes()))
        for form in doc.forms.values():
            if form.table is not None:
                for row in form.table.rows:
                    values += sum(v is not None for v in row.values)
    return values


@dataclass(frozen=True)
class Timing:
    """Median wall and CPU (process) time of a pass, in seconds."""

    wall: float
    cpu: float


def measure(
    passes: dict[str, Callable[[Sequence[Path]], int]], paths: Sequence[Path], repeat: int
) -> dict[str, Timing]:
    """Median times of each pass; the passes alternate within each round, so a change of
    machine load during the run affects all of them alike."""
    walls: dict[str, list[float]] = {name: [] for name in passes}
    cpus: dict[str, list[float]] = {name: [] for name in passes}
    for _ in range(repeat):
        for name, fn in passes.items():
            w0, c0 = time.perf_counter(), time.process_time()
            fn(paths)
            walls[name].append(time.perf_counter() - w0)
            cpus[name].append(time.process_time() - c0)
    return {n: Timing(statistics.median(walls[n]), statistics.median(cpus[n])) for n in passes}


def profile(paths: Sequence[Path], top: int) -> str:
    """cProfile of one parse pass: top functions by own time, then by cumulative time."""
    prof = cProfile.Profile()
    prof.runcall(parse_pass, paths)
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return buf.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="corpus folder (bench/out/corpus_N_sS)")
    parser.add_argument("--regenerate", action="store_true", help="regenerate the corpus even if it exists")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="print the top N profile entries")
    parser.add_argument("--max-ratio", type=float, default=None, help="exit 1 when parse/floor exceeds this")
    args = parser.parse_args(argv)
    if args.count < 1 or args.repeat < 1:
        parser.error("--count and --repeat must be >= 1")

    paths = corpus_paths(args.count, args.seed, args.out, args.regenerate)
    mb = sum(p.stat().st_size for p in paths) / 1e6
    floor_pass(paths)  # warm the page cache and the interpreter
    t = measure({"floor": floor_pass, "parse": parse_pass, "values": parse_values_pass}, paths, args.repeat)
    floor = t["floor"]
    n = len(paths)
    print(f"core: {'compiled (mypyc)' if compiled() else 'pure Python'}")
    print(f"corpus: {n} documents, {mb:.1f} MB; median of {args.repeat} run(s); wall (cpu) time")

    def line(label: str, x: Timing) -> None:
        ratio = "" if x is floor else f"{x.wall / floor.wall:6.1f}x floor ({x.cpu / floor.cpu:.1f}x cpu)"
        print(
            f"{label:<32}{x.wall * 1e3:9.1f} ms ({x.cpu * 1e3:7.1f}) "
            f"{n / x.wall:7.0f} docs/s {mb / x.wall:7.1f} MB/s {ratio}".rstrip()
        )

    line("floor (read+decode+split)", floor)
    line("parse (read+decode+parse)", t["parse"])
    line("parse + Decimals (row.values)", t["values"])
    ratio = t["parse"].wall / floor.wall
    verdict = "ok" if ratio <= TARGET_RATIO else "ABOVE TARGET"
    print(f"target parse <= {TARGET_RATIO:g}x floor: {ratio:.1f}x ({verdict})")
    if args.profile:
        print(profile(paths, args.profile))
    return 1 if args.max_ratio is not None and ratio > args.max_ratio else 0


if __name__ == "__main__":
    raise SystemExit(main())

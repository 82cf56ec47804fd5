"""Scale figures for ``check``, measured side by side in one run.

Usage::

    python bench/scale.py [--big 10000] [--small 1000] [--skip-serial]

1. ``check --format json > /dev/null`` on ``--big`` generated documents with ``--jobs 2``
   vs ``--jobs 1`` (both ``--no-cache``): the speed-up (target >= 1.7x).
2. Peak RSS of the whole process tree (the command and its workers, sampled from /proc)
   for ``--big`` vs ``--small`` documents (target <= 1.2x).
3. Re-check of the unchanged ``--big`` corpus with a warm cache vs reading and hashing the
   same files in plain Python (target <= 3x).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus

OUT = Path(__file__).resolve().parent / "out"


def corpus_dir(count: int, seed: int = 7) -> Path:
    out = OUT / f"scale_{count}"
    if len(list(out.glob("gen_*.txt"))) != count:
        corpus.generate(out, count, seed)
    return out


def _tree_rss(root: int) -> int:
    """Resident memory (bytes) of ``root`` and all its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
            ppid, pages = int(fields[1]), int(fields[21])
        except (OSError, IndexError, ValueError):
            continue
        pid = int(entry)
        children.setdefault(ppid, []).append(pid)
        rss[pid] = pages * os.sysconf("SC_PAGE_SIZE")
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def run_check(folder: Path, *extra: str, cache_dir: Path) -> tuple[float, int]:
    """(seconds, peak RSS of the process tree) of one ``check --format json`` run."""
    env = {**os.environ, "BUDGET_TUI_CACHE_DIR": str(cache_dir)}
    cmd = [
        sys.executable,
        "-m",
        "budget_tui",
        "check",
        str(folder),
        "--format",
        "json",
        "--no-corrections",
        *extra,
    ]
    start = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        proc = subprocess.Popen(cmd, stdout=sink, stderr=subprocess.DEVNULL, env=env)
        peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _tree_rss(proc.pid))
                done.wait(0.05)

        t = threading.Thread(target=sample, daemon=True)
        t.start()
        proc.wait()
        done.set()
        t.join()
    return time.perf_counter() - start, peak


def hash_floor(folder: Path) -> float:
    start = time.perf_counter()
    for p in sorted(folder.glob("gen_*.txt")):
        hashlib.sha256(p.read_bytes()).hexdigest()
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--big", type=int, default=10_000)
    ap.add_argument("--small", type=int, default=1_000)
    ap.add_argument("--skip-serial", action="store_true", help="skip the --jobs 1 run (slow)")
    ap.add_argument("--only-warm", action="store_true", help="measure only the warm re-check")
    args = ap.parse_args()
    big, small = corpus_dir(args.big), corpus_dir(args.small)
    with tempfile.TemporaryDirectory() as tmp:
        cold = Path(tmp) / "cold"
        warm = Path(tmp) / "warm"
        # The warm re-check first: it needs the same code for the fill and the re-read.
        run_check(big, "--jobs", "2", cache_dir=warm)  # fill the cache
        t_warm, _ = run_check(big, "--jobs", "2", cache_dir=warm)
        floor = hash_floor(big)
        print(
            f"warm re-check {t_warm:.2f} s vs read+hash {floor:.2f} s: {t_warm / floor:.2f}x (target <= 3x)"
        )
        t_small, rss_small = run_check(small, "--jobs", "2", "--no-cache", cache_dir=cold)
        t2, rss_big = run_check(big, "--jobs", "2", "--no-cache", cache_dir=cold)
        print(f"check {args.small:>6} docs, 2 jobs: {t_small:8.1f} s  peak RSS {rss_small / 2**20:7.1f} MiB")
        print(f"check {args.big:>6} docs, 2 jobs: {t2:8.1f} s  peak RSS {rss_big / 2**20:7.1f} MiB")
        print(f"peak RSS {args.big} / {args.small}: {rss_big / rss_small:.2f}x (target <= 1.2x)")
        if not args.skip_serial:
            t1, _ = run_check(big, "--jobs", "1", "--no-cache", cache_dir=cold)
            print(f"check {args.big:>6} docs, 1 job:  {t1:8.1f} s")
            print(f"speed-up 2 jobs vs 1: {t1 / t2:.2f}x (target >= 1.7x)")


if __name__ == "__main__":
    main()

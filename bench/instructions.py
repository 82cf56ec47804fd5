"""Parse and check cost in CPU instructions (valgrind), steady where wall and CPU times are not.

Usage::

    python bench/instructions.py [--count 20] [--seed 0]

Runs four child processes under ``valgrind --tool=callgrind`` with a fixed hash seed, on
the first ``--count`` documents of the corpus ``bench/parse.py`` uses:

* **empty**: start-up and imports only (subtracted from the other two);
* **floor**: read, decode, split lines and tabs (the floor of ``bench/parse.py``);
* **parse**: read, decode and ``parse_document``;
* **check**: the same, then ``run_checks`` on each document.

It prints instructions per document, the ratio parse / floor and the ratio checks / parse
(what ``bench/check.py`` times). Instructions are not time
(Python's interpreter loop runs fewer instructions per cycle than the floor's C loops, so
the time ratio is higher), but they do not move with the machine's load: use this to see
whether a change to the parser or the checks made them cheaper, and ``bench/parse.py`` and
``bench/check.py`` for the time figures.
Needs valgrind (``apt install valgrind``); takes about a minute for 20 documents.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from parse import corpus_paths

from budget_tui.core import compiled

CHILD = """
import sys
from pathlib import Path
from budget_tui.core.document import parse_document
from budget_tui.core.source import decode_bytes
from budget_tui.core.check import run_checks
mode, paths = sys.argv[1], [Path(p) for p in sys.argv[2:]]
if mode in ("parse", "check"):
    docs = [parse_document(decode_bytes(str(p), p.read_bytes())) for p in paths]
    if mode == "check":
        for d in docs:
            run_checks(d)
elif mode == "floor":
    for p in paths:
        for line in p.read_bytes().decode("utf-8-sig").split("\\n"):
            line.split("\\t")
"""


def instructions(mode: str, paths: list[Path]) -> int:
    """Instructions valgrind counted for one child run."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
    cmd += [sys.executable, "-c", CHILD, mode, *map(str, paths)]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stderr
    m = re.search(r"Collected : (\d+)", out)
    if m is None:  # pragma: no cover - valgrind changed its report
        raise SystemExit(f"no instruction count in valgrind's output:\n{out[-2000:]}")
    return int(m.group(1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--corpus-size", type=int, default=1000, help="the corpus to take documents from")
    args = ap.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed")
    paths = corpus_paths(args.corpus_size, args.seed)[: args.count]
    empty = instructions("empty", paths)
    floor = (instructions("floor", paths) - empty) / len(paths)
    parse_total = instructions("parse", paths)
    parse = (parse_total - empty) / len(paths)
    checks = (instructions("check", paths) - parse_total) / len(paths)
    print(f"core: {'compiled (mypyc)' if compiled() else 'pure Python'}")
    print(f"{len(paths)} documents, instructions per document (valgrind, PYTHONHASHSEED=0)")
    print(f"floor (read+decode+split)  {floor / 1e6:8.2f} M")
    print(f"parse (read+decode+parse)  {parse / 1e6:8.2f} M   {parse / floor:.1f}x floor")
    print(f"checks (run_checks)        {checks / 1e6:8.2f} M   {checks / parse:.0%} of parse")


if __name__ == "__main__":
    main()

"""Error-injection evaluation: ≥ 500 OCR-like corruptions of single numeric cells.

The generator and seed are fixed, so the figures are reproducible; ``bench/accuracy.py``
prints them by kind of corruption.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from injection import KINDS, run, summary  # noqa: E402

COUNT = 500
SEED = 20261125


def test_detection_and_top1_targets() -> None:
    outcomes = run(sorted((ROOT / "sample_data").glob("*.txt")), COUNT, SEED)
    assert len(outcomes) >= COUNT
    assert {o.kind for o in outcomes} == set(KINDS)
    assert len({o.doc for o in outcomes}) == 4
    figures = {kind: (det, top) for kind, _, det, top in summary(outcomes)}
    detection, top1 = figures["all"]
    assert detection >= 0.98, figures
    assert top1 >= 0.90, figures

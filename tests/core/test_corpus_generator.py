"""The benchmark corpus generator (``bench/corpus.py``): same structure, amounts × k, recorded errors."""

from __future__ import annotations

import json
import random
import sys
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import corpus  # noqa: E402

from budget_tui.core import Document, load_document  # noqa: E402

COUNT = 8
SEED = 5
Manifest = dict[str, dict[str, object]]


@cache
def _sample(name: str) -> Document:
    return load_document(ROOT / "sample_data" / name)


def _structure(doc: Document) -> list[tuple[str, str, int, int]]:
    return [(fid, f.status, f.rows, f.cols) for fid, f in doc.forms.items()]


def _manifest(folder: Path) -> Manifest:
    data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return {d["file"]: d for d in data["documents"]}


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], Manifest]:
    out = tmp_path_factory.mktemp("clean")
    paths = corpus.generate(out, COUNT, seed=SEED)
    return paths, _manifest(out)


@cache
def _parsed(path: Path) -> Document:
    return load_document(path)


def test_generated_documents_parse_like_their_samples(clean: tuple[list[Path], Manifest]) -> None:
    paths, manifest = clean
    assert [p.name for p in paths] == [f"gen_{i:06d}.txt" for i in range(COUNT)]
    assert len({m["source"] for m in manifest.values()}) == 4  # round robin over the samples
    for p in paths:
        entry = manifest[p.name]
        doc, src = _parsed(p), _sample(str(entry["source"]))
        assert _structure(doc) == _structure(src), p.name
        assert doc.department != src.department
        names = entry["names"]
        assert isinstance(names, dict) and doc.department in names.values()
        assert src.department not in p.read_text(encoding="utf-8")


def test_summary_totals_are_k_times_the_original(clean: tuple[list[Path], Manifest]) -> None:
    paths, manifest = clean
    for p in paths:
        entry = manifest[p.name]
        k = entry["k"]
        assert isinstance(k, int) and 2 <= k <= 9
        gen = _parsed(p).forms["summary"].table
        src = _sample(str(entry["source"])).forms["summary"].table
        assert gen is not None and src is not None
        totals = [(g, s) for g, s in zip(gen.rows, src.rows, strict=True) if s.is_total]
        assert len(totals) >= 2  # 本年收入合计 … 收入总计
        for g, s in totals:
            assert g.is_total
            assert g.values == [None if v is None else v * k for v in s.values], (p.name, s.key)


def test_injected_errors_are_recorded_and_change_the_text(
    clean: tuple[list[Path], Manifest], tmp_path: Path
) -> None:
    clean_paths, _ = clean
    paths = corpus.generate(tmp_path, COUNT, seed=SEED, inject_rate=0.02)
    errors = json.loads((tmp_path / "injected.json").read_text(encoding="utf-8"))["errors"]
    assert errors and {e["file"] for e in errors} <= {p.name for p in paths}
    assert set(corpus.ERROR_KINDS) >= {e["kind"] for e in errors}
    by_file: dict[str, set[int]] = {}
    for e in errors:
        by_file.setdefault(e["file"], set()).add(e["line"])
    for bad, good in zip(paths, clean_paths, strict=True):
        bad_lines = bad.read_text(encoding="utf-8").split("\n")
        good_lines = good.read_text(encoding="utf-8").split("\n")
        changed = {n for n, (a, b) in enumerate(zip(bad_lines, good_lines, strict=True), 1) if a != b}
        assert changed == by_file.get(bad.name, set()), bad.name  # nothing else differs
    for e in errors:
        line = (tmp_path / e["file"]).read_text(encoding="utf-8").split("\n")[e["line"] - 1]
        cell = line.split("\t")[e["column"]].strip()
        assert cell == e["corrupted"] != e["original"]
        assert corpus.AMOUNT_RE.fullmatch(cell)


def test_deterministic_for_a_seed(tmp_path: Path) -> None:
    a = corpus.generate(tmp_path / "a", 2, seed=11, inject_rate=0.01)
    b = corpus.generate(tmp_path / "b", 2, seed=11, inject_rate=0.01)
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    text = (ROOT / "sample_data" / "000_4328bbb67aec9689.txt").read_text(encoding="utf-8")
    one = corpus.generate_text(text, random.Random(1), 3)
    assert one == corpus.generate_text(text, random.Random(1), 3)
    assert one != corpus.generate_text(text, random.Random(2), 3)


@pytest.mark.parametrize(
    ("text", "k", "expected"),
    [("1,790.63", 9, "16,115.67"), ("0.58", 3, "1.74"), ("166", 7, "1162"), ("-5.30", 2, "-10.60"),
     ("0.00", 8, "0.00"), ("999.5", 2, "1999.0")],
)  # fmt: skip
def test_scale_amount_keeps_the_printed_format(text: str, k: int, expected: str) -> None:
    assert corpus.scale_amount(text, k) == expected
    assert Decimal(expected.replace(",", "")) == Decimal(text.replace(",", "")) * k

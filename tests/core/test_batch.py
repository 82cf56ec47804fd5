"""Batch checking: result cache, input order with workers, compact results."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from budget_tui.core import batch
from budget_tui.core.batch import CheckOptions, check_file, iter_checks, source_files

from .update_goldens import SAMPLES


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "cache"
    monkeypatch.setenv("BUDGET_TUI_CACHE_DIR", str(d))
    return d


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    real = batch._check_file

    def counting(path: str, options: CheckOptions) -> batch.Result:
        seen.append(path)
        return real(path, options)

    monkeypatch.setattr(batch, "_check_file", counting)
    return seen


def test_unchanged_file_is_served_from_the_cache(tmp_path: Path, cache: Path, calls: list[str]) -> None:
    src = tmp_path / "a.txt"
    shutil.copy(SAMPLES[0], src)
    first = check_file(str(src))
    second = check_file(str(src))
    assert first == second
    assert calls == [str(src)]
    assert any(cache.rglob("*.json"))


def test_changed_source_or_sidecar_is_checked_again(tmp_path: Path, cache: Path, calls: list[str]) -> None:
    src = tmp_path / "a.txt"
    shutil.copy(SAMPLES[0], src)
    check_file(str(src))
    src.write_text(src.read_text(encoding="utf-8").replace("5715.09", "5715.10", 1), encoding="utf-8")
    check_file(str(src))
    (tmp_path / "a.txt.someone.review.toml").write_text("# a sidecar\n", encoding="utf-8")
    check_file(str(src))
    assert len(calls) == 3


def test_no_cache_bypasses_it(tmp_path: Path, cache: Path, calls: list[str]) -> None:
    src = tmp_path / "a.txt"
    shutil.copy(SAMPLES[0], src)
    check_file(str(src), CheckOptions(cache=False))
    check_file(str(src), CheckOptions(cache=False))
    assert len(calls) == 2
    assert not cache.exists()


def test_cached_result_takes_the_callers_path(tmp_path: Path, cache: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    shutil.copy(SAMPLES[1], a)
    shutil.copy(SAMPLES[1], b)
    assert check_file(str(a))["path"] == str(a)
    assert check_file(str(b))["path"] == str(b)


def test_workers_keep_input_order(tmp_path: Path, cache: Path) -> None:
    for i in range(6):
        shutil.copy(SAMPLES[i % 4], tmp_path / f"d{i}.txt")
    files = source_files([str(tmp_path)])
    serial = [r.as_dict() for r in iter_checks(files, CheckOptions(cache=False), jobs=1)]
    parallel = [r.as_dict() for r in iter_checks(files, CheckOptions(cache=False), jobs=2, chunk=2)]
    assert [d["path"] for d in parallel] == files
    assert serial == parallel


def test_workers_answer_cached_files_in_order(tmp_path: Path, cache: Path) -> None:
    for i in range(7):
        shutil.copy(SAMPLES[i % 4], tmp_path / f"d{i}.txt")
    files = source_files([str(tmp_path)])
    for f in files[::2]:
        check_file(f)  # half of them cached
    mixed = [r.as_dict() for r in iter_checks(files, CheckOptions(), jobs=2, chunk=2)]
    assert [d["path"] for d in mixed] == files
    assert mixed == [check_file(f) for f in files]


def test_unreadable_file_is_an_error_entry_not_an_exception(tmp_path: Path, cache: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01")
    out = check_file(str(bad))
    assert out["unreadable"] and out["errors"][0]["line"] == 1

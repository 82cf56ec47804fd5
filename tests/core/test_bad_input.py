"""Encodings, line ends and broken files: clear messages naming file and line, no data lost."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from budget_tui.core import load, load_document
from budget_tui.core.model import Document
from budget_tui.core.source import UnreadableSource, decode_bytes

from .update_goldens import SAMPLES, parse_summary

SAMPLE = SAMPLES[0]
TEXT = SAMPLE.read_text(encoding="utf-8")


def cells(doc: Document) -> list[tuple[Any, ...]]:
    return [
        (c.form, c.row, c.column, c.text, c.ref.line if c.ref else None)
        for f in doc.forms.values()
        for c in f.iter_cells()
    ]


@pytest.fixture(scope="module")
def reference() -> Document:
    return load_document(SAMPLE)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("gbk", TEXT.encode("gbk", errors="strict")),
        ("gb18030", TEXT.encode("gb18030")),
        ("bom_crlf", b"\xef\xbb\xbf" + TEXT.replace("\n", "\r\n").encode("utf-8")),
        ("trailing_newline", (TEXT + "\n").encode("utf-8")),
        ("crlf_trailing", (TEXT + "\n").replace("\n", "\r\n").encode("utf-8")),
    ],
)
def test_encodings_and_line_ends_parse_like_utf8(
    tmp_path: Path, reference: Document, name: str, data: bytes
) -> None:
    p = tmp_path / f"{name}.txt"
    p.write_bytes(data)
    doc = load_document(p)
    assert parse_summary(doc) == parse_summary(reference)
    assert cells(doc) == cells(reference)


def test_utf8_is_tried_before_gb18030() -> None:
    # UTF-8 bytes of 合计 also decode as GB18030 (into mojibake): UTF-8 must win.
    assert decode_bytes("x", "合计\t1.00\n".encode()).lines == ["合计\t1.00"]
    assert decode_bytes("x", "合计\t1.00\n".encode("gb18030")).encoding == "gb18030"


@pytest.mark.parametrize(
    ("data", "line", "words"),
    [
        (b"", None, "empty"),
        (b"  \n\n", None, "empty"),
        (b"abc\n\x00\x01\x02binary", 2, "NUL"),
        (b"\xff\xfe\xfa\xfb\n", 1, "neither UTF-8 nor GB18030"),
    ],
)
def test_unreadable_files_name_file_and_line(
    tmp_path: Path, data: bytes, line: int | None, words: str
) -> None:
    p = tmp_path / "bad.txt"
    p.write_bytes(data)
    with pytest.raises(UnreadableSource) as exc:
        load_document(p)
    assert exc.value.line == line
    assert words in exc.value.message
    assert str(exc.value).startswith(str(p))


def test_bad_files_do_not_take_the_folder_down(tmp_path: Path) -> None:
    (tmp_path / "a_good.txt").write_bytes(SAMPLE.read_bytes())
    (tmp_path / "b_empty.txt").write_bytes(b"")
    (tmp_path / "c_binary.txt").write_bytes(b"\x00\x01")
    (tmp_path / "d_good.md").write_bytes(SAMPLES[1].read_bytes())
    corpus = load(tmp_path)
    assert [Path(d.path).name for d in corpus.documents] == ["a_good.txt", "d_good.md"]
    assert sorted(Path(p.path).name for p in corpus.problems) == ["b_empty.txt", "c_binary.txt"]
    assert all(str(p).startswith(p.path) for p in corpus.problems)


def test_permission_error_is_a_problem_not_a_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # As root a chmod 000 file is still readable, so the error is simulated.
    p = tmp_path / "locked.txt"
    p.write_bytes(SAMPLE.read_bytes())

    def deny(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", deny)
    corpus = load(p)
    assert not corpus.documents
    assert corpus.problems and "Permission denied" in corpus.problems[0].message


def test_truncated_mid_table_is_reported_with_its_line(tmp_path: Path) -> None:
    lines = TEXT.split("\n")
    cut = next(i for i, line in enumerate(lines) if line.startswith("201\t03\t01"))
    data = "\n".join([*lines[:cut], "201\t03\t01\t\t行政运"])
    p = tmp_path / "cut.txt"
    p.write_text(data, encoding="utf-8")
    doc = load_document(p)
    assert any(pr.line == cut + 1 and "truncated" in pr.message for pr in doc.problems)
    assert doc.forms["income"].status == "ok"  # what came before is kept


def test_one_megabyte_line(tmp_path: Path) -> None:
    p = tmp_path / "long.txt"
    p.write_text(TEXT + "\n" + "很" * 1_000_000 + "\n", encoding="utf-8")
    doc = load_document(p)
    n = len(TEXT.split("\n")) + 1
    assert any(pr.line == n and "characters" in pr.message for pr in doc.problems)
    assert doc.forms["income"].cell("合计", "总计").text == "5715.09"


def test_control_characters_never_reach_cells(tmp_path: Path) -> None:
    p = tmp_path / "esc.txt"
    p.write_text(TEXT.replace("5715.09", "57\x1b[2J15.09", 1), encoding="utf-8")
    doc = load_document(p)
    assert all("\x1b" not in c.text for f in doc.forms.values() for c in f.iter_cells())


def test_cli_show_on_a_non_text_file_exits_2_with_one_line(tmp_path: Path) -> None:
    p = tmp_path / "x.txt"
    p.write_bytes(b"\x00\x00\x00")
    r = subprocess.run(
        [sys.executable, "-m", "budget_tui", "show", str(p)], capture_output=True, text=True, check=False
    )
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0 and str(p) in r.stderr and "Traceback" not in r.stderr


def test_a_text_without_forms_says_so(tmp_path: Path) -> None:
    p = tmp_path / "notes.md"
    p.write_text("# 会议纪要\n\n| a | b |\n|---|---|\n| 1 | 2 |\n", encoding="utf-8")
    doc = load_document(p)
    assert not doc.forms
    assert [pr.message for pr in doc.problems] == [
        "no budget form found (no tab-separated table, no form title)"
    ]

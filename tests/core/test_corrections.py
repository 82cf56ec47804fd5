"""Corrections store: validation, journal, sidecars, undo/redo, merge, re-extraction, locks."""

from __future__ import annotations

import getpass
import json
import os
import shutil
import tomllib
from datetime import datetime
from pathlib import Path

import pytest

from budget_tui.core import corrections as corr
from budget_tui.core.corrections import (
    Correction,
    ReadOnlyError,
    ReviewStore,
    SidecarError,
    apply_corrections,
    apply_review,
    apply_saved_corrections,
    cell_correction,
    compact,
    merge_reviewers,
    parse_sidecar,
    reassign_correction,
    review_location,
    shift_correction,
    validate_value,
)
from budget_tui.core.document import load_document
from budget_tui.core.findings import CellRef, Finding, Suggestion
from budget_tui.core.model import Document

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data"
DOC = "000_4328bbb67aec9689.txt"


@pytest.fixture(autouse=True)
def _user_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Fallback review folders go to a temp data home, never the real one."""
    home = tmp_path / "xdg-data"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


@pytest.fixture
def src(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    path = folder / DOC
    shutil.copyfile(SAMPLES / DOC, path)
    return path


def store_for(path: Path, who: str = "alice", **kw: object) -> ReviewStore:
    return ReviewStore(path, reviewer=who, **kw)  # type: ignore[arg-type]


def held(path: Path, who: str = "alice", **kw: object) -> ReviewStore:
    s = store_for(path, who, **kw)
    assert s.acquire() is None
    return s


def fix(doc: Document, form: str, row: str, col: str, value: str, **kw: str) -> Correction:
    return cell_correction(doc.forms[form], row, col, value, **kw)


# --- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1,234.50", "-3", "0.00", "12%", "", "-", "5715.09"])
def test_amount_columns_take_printed_numbers(src: Path, value: str) -> None:
    doc = load_document(src)
    assert validate_value(doc.forms["income"], "合计", "总计", f" {value} ") == value


@pytest.mark.parametrize("value", ["abc", "1,23", "12..3", "5715.09元", "=1+1"])
def test_amount_columns_refuse_non_numbers(src: Path, value: str) -> None:
    doc = load_document(src)
    with pytest.raises(ValueError, match=r"holds amounts: .* is not a number"):
        validate_value(doc.forms["income"], "合计", "总计", value)


def test_text_cells_take_any_one_line_text_but_no_control_characters(src: Path) -> None:
    form = load_document(src).forms["income"]
    for text in ("=SUM(A1)", "[/]", "12.5", "收入 合计", "-x"):
        assert validate_value(form, "150", "部门(单位)名称", text) == text
    for bad in ("a\tb", "a\nb", "a\rb", "\x1b[31m", "a\u2028b"):
        with pytest.raises(ValueError, match="may not contain"):
            validate_value(form, "150", "部门(单位)名称", bad)


def test_code_and_header_cells_are_validated_as_text(src: Path) -> None:
    form = load_document(src).forms["expenditure"]
    assert validate_value(form, "2010301", "科目编码 / 类", "2O1") == "2O1"  # letter O: text, not a number
    assert validate_value(form, "@header:1", "合计 / 工资福利支出", "合计 A") == "合计 A"


def test_unknown_keys_name_the_key(src: Path) -> None:
    form = load_document(src).forms["income"]
    with pytest.raises(ValueError, match="no row 'nope'"):
        validate_value(form, "nope", "总计", "1")
    with pytest.raises(ValueError, match="no column 'nope'"):
        validate_value(form, "合计", "nope", "1")
    with pytest.raises(ValueError, match="3 header lines"):
        validate_value(form, "@header:9", "总计", "x")


def test_cell_correction_kind_and_old_text(src: Path) -> None:
    doc = load_document(src)
    c = fix(doc, "income", "合计", "总计", "5,715.90", note="per summary")
    assert (c.kind, c.old, c.new, c.note) == ("value", "5715.09", "5,715.90", "per summary")
    assert fix(doc, "income", "150", "部门(单位)名称", "x").kind == "text"
    assert fix(doc, "income", "@header:1", "总计", "总 计").old == "总计"


def test_correction_shape_is_checked() -> None:
    with pytest.raises(ValueError, match="unknown key 'nwe'"):
        Correction.from_dict({"kind": "value", "form": "f", "row": "r", "column": "c", "nwe": "x"})
    with pytest.raises(ValueError, match="must be a string"):
        Correction.from_dict({"kind": "value", "form": "f", "row": "r", "column": "c", "new": 3})
    with pytest.raises(ValueError, match="status 'done'"):
        Correction.from_dict({"kind": "status", "form": "f", "new": "done"})
    with pytest.raises(ValueError, match="non-zero number"):
        Correction.from_dict({"kind": "shift", "form": "f", "row": "r", "column": "c", "new": "0"})
    with pytest.raises(ValueError, match="ISO 8601"):
        Correction.from_dict({"kind": "accept", "form": "f", "finding": "x", "when": "yesterday"})


def test_default_reviewer_falls_back_to_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> str:
        raise OSError("no user")

    monkeypatch.setattr(getpass, "getuser", broken)
    assert corr.default_reviewer() == "unknown"


# --- record, save, reload ------------------------------------------------------------------


def test_record_is_journalled_before_it_returns(src: Path) -> None:
    doc = load_document(src)
    s = held(src)
    c = s.record(fix(doc, "income", "合计", "总计", "5715.90"))
    lines = s.journal_path.read_text("utf-8").splitlines()
    assert json.loads(lines[0])["op"] == "begin"
    assert Correction.from_dict(json.loads(lines[-1])["c"]) == c
    assert c.who == "alice" and datetime.fromisoformat(c.when).utcoffset() is not None
    assert not s.sidecar_path.exists()


def test_save_reload_round_trip(src: Path) -> None:
    doc = load_document(src)
    s = held(src)
    a = s.record(fix(doc, "income", "合计", "总计", "5715.90", note="sum of units"))
    b = s.record(Correction("status", "income", old="unreviewed", new="reviewed"))
    path = s.save()
    s.release()
    assert not s.journal_path.exists()
    raw = tomllib.loads(path.read_text("utf-8"))
    assert raw["format"] == 1 and raw["sha256"] == doc.sha256 and raw["reviewer"] == "alice"
    assert raw["correction"][0] == {
        "kind": "value", "form": "income", "row": "合计", "column": "总计", "old": "5715.09",
        "new": "5715.90", "who": "alice", "when": a.when, "note": "sum of units",
    }  # fmt: skip
    assert store_for(src).load_all().corrections == [a, b]
    fresh = load_document(src)
    report = apply_review(fresh, reviewer="alice")[1]
    assert fresh.forms["income"].cell("合计", "总计").text == "5715.90"
    assert fresh.forms["income"].cell("合计", "总计").original == "5715.09"
    assert report.statuses == {"income": "reviewed"} and not report.not_applied


def test_undo_redo_survive_a_restart(src: Path) -> None:
    doc = load_document(src)
    s = held(src)
    made = [
        s.record(fix(doc, "income", "合计", col, "1.00"))
        for col in ("总计", "本年收入 / 合计", "本年收入 / 政府性基金")
    ]
    assert s.undo() == made[2]
    s.release()  # no save: only the journal has it
    s2 = held(src)
    assert s2.unsaved == 4 and s2.corrections == made[:2] and s2.can_redo
    assert s2.redo() == made[2]
    assert s2.corrections == made
    s2.release()
    assert held(src).corrections == made


def test_undo_reaches_past_a_save(src: Path) -> None:
    doc = load_document(src)
    s = held(src)
    s.record(fix(doc, "income", "合计", "总计", "1.00"))
    s.save()
    assert s.undo() is not None and s.undo() is None
    s.save()
    assert store_for(src).load_all().corrections == []
    assert "correction" not in tomllib.loads(s.sidecar_path.read_text("utf-8"))


def test_compaction_folds_successive_edits_of_a_cell(src: Path) -> None:
    doc = load_document(src)
    s = held(src)
    s.record(fix(doc, "income", "合计", "总计", "1.00", note="first"))
    s.record(Correction("value", "income", "合计", "总计", "1.00", "2.00"))
    s.record(Correction("value", "income", "150", "总计", "5715.09", "9.00"))
    s.record(Correction("value", "income", "150", "总计", "9.00", "5715.09"))  # back: disappears
    s.record(Correction("status", "income", old="unreviewed", new="reviewed"))
    s.record(Correction("status", "income", old="reviewed", new="approved"))
    s.save()
    saved = store_for(src).load_all().corrections
    assert [(c.kind, c.row, c.old, c.new, c.note) for c in saved] == [
        ("value", "合计", "5715.09", "2.00", "first"),
        ("status", "", "unreviewed", "approved", ""),
    ]


def test_compaction_does_not_fold_across_a_shift() -> None:
    a = Correction("value", "f", "r", "c", "1", "2")
    sh = Correction("shift", "f", "r", "c", "2\t", "1")
    b = Correction("value", "f", "r", "c", "2", "3")
    assert compact([a, sh, b]) == [a, sh, b]


def test_left_over_journal_is_offered_and_can_be_discarded(src: Path) -> None:
    doc = load_document(src)
    s = held(src)
    s.record(fix(doc, "income", "合计", "总计", "1.00"))
    s.release()
    other = store_for(src)
    assert other.pending_journal() == 1
    review = other.load_all(include_journal=False)
    assert review.corrections == [] and review.unsaved == 1
    assert any("unsaved edit" in n.message for n in review.notes)
    assert len(other.load_all().corrections) == 1
    assert other.acquire() is None
    other.discard_journal()
    assert other.corrections == [] and not other.journal_path.exists()


def test_a_save_killed_before_deleting_the_journal_does_not_replay_it(src: Path) -> None:
    doc = load_document(src)
    s = held(src)
    s.record(fix(doc, "income", "合计", "总计", "1.00"))
    journal = s.journal_path.read_bytes()
    s.save()
    s.journal_path.write_bytes(journal)  # as if killed between os.replace and the unlink
    s.release()
    s2 = held(src)
    assert len(s2.corrections) == 1 and s2.unsaved == 0 and not s2.journal_path.exists()


def test_a_torn_journal_line_is_dropped_and_the_journal_repaired(src: Path) -> None:
    doc = load_document(src)
    s = held(src)
    c = s.record(fix(doc, "income", "合计", "总计", "1.00"))
    s.release()
    with open(s.journal_path, "ab") as fh:
        fh.write(b'{"op": "do", "c": {"kind": "val')
    s2 = held(src)
    assert s2.corrections == [c]
    s2.record(Correction("value", "income", "150", "总计", "5715.09", "2.00"))
    assert len(corr.read_journal(s2.journal_path).ops) == 2


def test_a_corrupt_journal_line_names_its_line(src: Path) -> None:
    doc = load_document(src)
    s = held(src)
    s.record(fix(doc, "income", "合计", "总计", "1.00"))
    s.record(fix(doc, "income", "150", "总计", "2.00"))
    s.release()
    lines = s.journal_path.read_bytes().split(b"\n")
    lines[1] = b"garbage"
    s.journal_path.write_bytes(b"\n".join(lines))
    with pytest.raises(SidecarError, match=r"\.journal:2: bad journal entry"):
        store_for(src).acquire()


def test_stale_temp_files_are_removed_on_acquire(src: Path) -> None:
    s = store_for(src)
    orphan = src.parent / f".{s.sidecar_path.name}.k9x2ab7q.tmp"
    unrelated = src.parent / ".notes.txt.tmp"
    orphan.write_text("half")
    unrelated.write_text("keep")
    assert s.acquire() is None
    assert not orphan.exists() and unrelated.exists()


# --- bad sidecars --------------------------------------------------------------------------


def _saved(src: Path) -> ReviewStore:
    doc = load_document(src)
    s = held(src)
    s.record(fix(doc, "income", "合计", "总计", "1.00"))
    s.record(fix(doc, "income", "150", "总计", "2.00"))
    s.save()
    s.release()
    return s


BROKEN_SIDECARS = [
    # (text to replace, replacement, which occurrence, message)
    ('kind = "value"', 'kind = "value', 0, "not valid TOML"),
    ("format = 1", "format = 2", 0, "format 2 is not 1"),
    ('who = "alice"', 'nwe = "alice"', 1, "correction 2: unknown key 'nwe'"),
    ('new = "2.00"', "new = 2.00", 0, "correction 2: 'new' must be a string"),
    ('kind = "value"', 'kind = "colour"', 0, "correction 1: kind 'colour' is not one of"),
    ('when = "', 'when = "last week', 1, "correction 2: 'when' = "),
    ("format = 1\n", "", 0, "no 'format' key"),
]


def _replace_nth(text: str, old: str, new: str, n: int) -> tuple[str, int]:
    at = -1
    for _ in range(n + 1):
        at = text.index(old, at + 1)
    return text[:at] + new + text[at + len(old) :], text.count("\n", 0, at) + 1


@pytest.mark.parametrize(("old", "new", "nth", "message"), BROKEN_SIDECARS)
def test_a_broken_sidecar_is_reported_with_its_line_and_never_overwritten(
    src: Path, old: str, new: str, nth: int, message: str
) -> None:
    s = _saved(src)
    broken, line = _replace_nth(s.sidecar_path.read_text("utf-8"), old, new, nth)
    line = line if new else 1
    s.sidecar_path.write_text(broken, "utf-8")
    with pytest.raises(SidecarError) as info:
        store_for(src).load_all()
    assert str(info.value).startswith(f"{s.sidecar_path}:{line}: ") and message in str(info.value)
    again = store_for(src)
    with pytest.raises(SidecarError):
        again.acquire()
    assert again.read_only and s.sidecar_path.read_text("utf-8") == broken
    problems = apply_saved_corrections(load_document(src), reviewer="bob")[1]
    assert [(p.path, p.line) for p in problems] == [(str(s.sidecar_path), line)]


def test_a_sidecar_that_is_not_utf8_names_its_line(src: Path) -> None:
    s = _saved(src)
    s.sidecar_path.write_bytes(s.sidecar_path.read_bytes().replace(b"1.00", b"1.\xff0"))
    with pytest.raises(SidecarError, match=r":17: not UTF-8"):
        store_for(src).load_all()


def test_a_sidecar_edited_while_open_is_not_overwritten(src: Path) -> None:
    s = _saved(src)
    s2 = held(src)
    s2.record(Correction("value", "income", "150001", "总计", "5715.09", "3.00"))
    edited = s.sidecar_path.read_text("utf-8").replace('new = "2.00"', 'new = "2.50"')
    s.sidecar_path.write_text(edited, "utf-8")
    with pytest.raises(SidecarError, match="changed on disk"):
        s2.save()
    assert s.sidecar_path.read_text("utf-8") == edited and s2.journal_path.exists()
    s2.release()
    s3 = held(src)  # reopening merges the hand edit and the journal
    assert [c.new for c in s3.corrections] == ["1.00", "2.50", "3.00"]
    s3.save()


def test_a_persons_comments_survive_a_save(src: Path) -> None:
    s = _saved(src)
    text = s.sidecar_path.read_text("utf-8").replace(
        "\n[[correction]]", "\n# checked with the PDF, p. 3\n[[correction]]", 1
    )
    s.sidecar_path.write_text(text, "utf-8")
    s2 = held(src)
    s2.record(Correction("status", "income", old="unreviewed", new="reviewed"))
    s2.save()
    assert "# checked with the PDF, p. 3" in s2.sidecar_path.read_text("utf-8")
    assert len(parse_sidecar(s2.sidecar_path, s2.sidecar_path.read_bytes()).corrections) == 3


# --- several reviewers ---------------------------------------------------------------------


def _record(src: Path, who: str, *cs: Correction) -> None:
    s = held(src, who)
    for c in cs:
        s.record(c)
    s.save()
    s.release()


def test_two_reviewers_merge(src: Path) -> None:
    _record(
        src,
        "alice",
        Correction("value", "income", "合计", "总计", "5715.09", "1.00", when="2024-01-01T10:00:00+08:00"),
    )
    _record(
        src,
        "bob",
        Correction("value", "income", "150", "总计", "5715.09", "2.00", when="2024-01-01T09:00:00+08:00"),
    )
    review = store_for(src, "carol").load_all()
    assert [c.who for c in review.corrections] == ["bob", "alice"]  # by time, across files
    assert not review.conflicts and len(review.sidecars) == 2
    doc = load_document(src)
    apply_corrections(doc, review.corrections)
    assert doc.forms["income"].cell("合计", "总计").text == "1.00"
    assert doc.forms["income"].cell("150", "总计").text == "2.00"


def test_two_reviewers_setting_one_cell_differently_conflict(src: Path) -> None:
    _record(
        src,
        "alice",
        Correction("value", "income", "合计", "总计", "5715.09", "1.00", when="2024-01-01T10:00:00+08:00"),
    )
    _record(
        src,
        "bob",
        Correction("value", "income", "合计", "总计", "5715.09", "2.00", when="2024-01-01T03:30:00+00:00"),
    )
    review = store_for(src, "alice").load_all()
    assert len(review.conflicts) == 1
    conflict = review.conflicts[0]
    assert conflict.chosen.who == "bob"  # 03:30 UTC is later than 10:00 +08:00 (02:00 UTC)
    assert {c.new for c in conflict.candidates} == {"1.00", "2.00"}
    assert any("conflict" in n.message for n in review.notes)
    doc = load_document(src)
    report = apply_corrections(doc, review.corrections)
    assert doc.forms["income"].cell("合计", "总计").text == "2.00" and not report.not_applied


def test_agreeing_and_chained_reviewers_do_not_conflict() -> None:
    a = Correction("value", "f", "r", "c", "1", "2", who="alice", when="2024-01-01T10:00:00+00:00")
    b = Correction("value", "f", "r", "c", "1", "2", who="bob", when="2024-01-01T11:00:00+00:00")
    c = Correction("value", "f", "r", "c", "2", "3", who="carol", when="2024-01-01T12:00:00+00:00")
    merged, conflicts = merge_reviewers([[a], [b], [c]])
    assert merged == [a, b, c] and conflicts == []


def test_agreeing_reviewers_both_count_as_applied(src: Path) -> None:
    doc = load_document(src)
    a = Correction("value", "income", "合计", "总计", "5715.09", "1.00", who="alice")
    b = Correction("value", "income", "合计", "总计", "5715.09", "1.00", who="bob")
    report = apply_corrections(doc, [a, b])
    assert report.applied == [a, b]


# --- re-extraction -------------------------------------------------------------------------


def _rewrite_line(path: Path, lineno: int, old: str, new: str) -> None:
    data = path.read_bytes().decode("utf-8")
    lines = data.split("\n")
    assert old in lines[lineno - 1]
    lines[lineno - 1] = lines[lineno - 1].replace(old, new, 1)
    path.write_bytes("\n".join(lines).encode("utf-8"))


def test_corrections_still_apply_after_an_unrelated_line_changes(src: Path) -> None:
    doc = load_document(src)
    wage = fix(doc, "expenditure", "2010301", "合计 / 工资福利支出", "5,634.71")
    _record(src, "alice", fix(doc, "income", "合计", "总计", "5715.90"), wage)
    prose = next(p for p in doc.narrative if len(p.text) > 20 and "\t" not in p.text)
    _rewrite_line(src, prose.line, prose.text[-1], prose.text[-1] + "（重新识别）")
    fresh = load_document(src)
    assert fresh.sha256 != doc.sha256
    review, report = apply_review(fresh, reviewer="alice")
    assert len(report.applied) == 2 and not report.not_applied
    assert [s.path for s in review.changed_source] == [store_for(src).sidecar_path]
    assert any("another version" in n.message for n in review.notes)
    assert fresh.forms["expenditure"].cell("2010301", "合计 / 工资福利支出").text == "5,634.71"


def test_a_correction_whose_cell_changed_is_listed_not_applied(src: Path) -> None:
    doc = load_document(src)
    _record(
        src,
        "alice",
        fix(doc, "income", "合计", "总计", "5715.90"),
        fix(doc, "income", "150", "总计", "5715.95"),
    )
    _rewrite_line(src, 56, "5715.09", "5715.19")  # the re-extraction reads the 合计 line differently
    fresh = load_document(src)
    report = apply_review(fresh, reviewer="alice")[1]
    assert [o.correction.row for o in report.not_applied] == ["合计"]
    assert "now reads '5715.19', not '5715.09'" in report.not_applied[0].reason
    assert fresh.forms["income"].cell("合计", "总计").text == "5715.19"  # not guessed
    assert fresh.forms["income"].cell("150", "总计").text == "5715.95"
    notes = apply_saved_corrections(load_document(src), reviewer="alice")[1]
    assert any("correction not applied: income / 合计 / 总计" in n.message for n in notes)


def test_a_correction_the_source_now_prints_is_no_longer_needed(src: Path) -> None:
    doc = load_document(src)
    _record(src, "alice", fix(doc, "income", "合计", "总计", "5715.90"))
    _rewrite_line(src, 56, "5715.09", "5715.90")
    report = apply_review(load_document(src), reviewer="alice")[1]
    assert "no longer needed" in report.not_applied[0].reason


def test_a_correction_whose_row_is_gone_says_so(src: Path) -> None:
    doc = load_document(src)
    report = apply_corrections(doc, [Correction("value", "income", "999", "总计", "1", "2"),
                                     Correction("value", "nope", "合计", "总计", "1", "2")])  # fmt: skip
    assert [o.reason for o in report.not_applied] == [
        "form income has no row '999' (keys: '合计', '150', '150001') any more",
        "form 'nope' is no longer in the document",
    ]


# --- structural repairs, header labels, accepts, statuses ----------------------------------


def test_header_label_correction_keeps_column_keys(src: Path) -> None:
    doc = load_document(src)
    c = fix(doc, "income", "@header:1", "总计", "总 计 数")
    report = apply_corrections(doc, [c])
    table = doc.forms["income"].table
    assert table is not None and not report.not_applied
    assert table.header[0][2] == "总 计 数"
    col = table.columns[table.col_index("总计")]
    assert col.path == ("总 计 数",)
    assert doc.forms["income"].cell("合计", "总计").text == "5715.09"


def test_shift_moves_cells_and_their_provenance(src: Path) -> None:
    doc = load_document(src)
    form = doc.forms["income"]
    c = shift_correction(form, "合计", "总计", 1, note="lost code cell")
    assert c.old.startswith("5715.09\t5715.09") and c.new == "1"
    report = apply_corrections(doc, [c])
    assert not report.not_applied
    assert form.table is not None
    texts = form.table.rows[0].texts
    assert texts[2:5] == ["", "5715.09", "5715.09"] and texts[-1] == ""
    cell = form.cell("合计", "本年收入 / 合计")
    assert (
        cell.text == "5715.09" and cell.ref is not None and cell.ref.column == 2
    )  # printed in source column 2
    undo = shift_correction(form, "合计", "本年收入 / 合计", -1)
    apply_corrections(doc, [undo])
    assert form.table.rows[0].texts == load_document(src).forms["income"].table.rows[0].texts  # type: ignore[union-attr]


def test_shift_refuses_to_lose_text(src: Path) -> None:
    form = load_document(src).forms["expenditure"]
    with pytest.raises(ValueError, match="push non-blank cells off"):
        shift_correction(form, "合计", "合计 / 工资福利支出", 1)
    with pytest.raises(ValueError, match="overwrite non-blank"):
        shift_correction(form, "合计", "合计 / 工资福利支出", -1)


def test_shift_no_longer_applies_when_the_row_changed(src: Path) -> None:
    doc = load_document(src)
    c = shift_correction(doc.forms["income"], "合计", "总计", 1)
    _rewrite_line(src, 56, "50.00", "51.00")
    report = apply_corrections(load_document(src), [c])
    assert report.not_applied[0].reason == "the row's cells no longer read as when the shift was made"


def test_reassign_a_block_as_continuation(src: Path) -> None:
    doc = load_document(src)
    c = reassign_correction(doc, "general_budget_expenditure", "2101101", "expenditure")
    assert c.old == "2101101\t2120899"
    report = apply_corrections(doc, [c])
    assert not report.not_applied
    exp = doc.forms["expenditure"].table
    gbe = doc.forms["general_budget_expenditure"].table
    assert exp is not None and gbe is not None
    assert [r.key for r in exp.rows][-2:] == ["2101101#2", "2120899#2"]
    assert [r.key for r in gbe.rows] == ["合计", "150", "2010301", "2080505"]
    with pytest.raises(ValueError, match="14 columns, the block 11"):
        reassign_correction(doc, "income", "", "expenditure")


def test_reassign_a_whole_form_to_another_kind(src: Path) -> None:
    doc = load_document(src)
    c = reassign_correction(doc, "three_public", "", "state_capital")
    apply_corrections(doc, [c])
    assert "three_public" not in doc.forms
    assert doc.forms["state_capital"].kind == "state_capital" and doc.forms["state_capital"].table is not None


def test_accept_and_status_are_reported(src: Path) -> None:
    doc = load_document(src)
    report = apply_corrections(doc, [
        Correction("accept", "income", finding="tot-1"),
        Correction("status", "income", old="unreviewed", new="approved"),
        Correction("status", "gone", old="unreviewed", new="approved"),
    ])  # fmt: skip
    assert report.accepted == {"tot-1"} and report.statuses == {"income": "approved"}
    assert [o.correction.form for o in report.not_applied] == ["gone"]
    findings = [
        Finding("totals.x", "error", "income", "m", "1", "2", [CellRef("income", "合计", "总计", 56, "1")])
    ]
    findings[0].id = "tot-1"
    assert corr.mark_accepted(findings, {"tot-1", "tot-9"}) == {"tot-9"} and findings[0].accepted


def test_label_correction_updates_the_row_label_but_not_its_key(src: Path) -> None:
    doc = load_document(src)
    apply_corrections(doc, [fix(doc, "expenditure", "2010301", "单位(科目名称)", "行政运行（更正）")])
    table = doc.forms["expenditure"].table
    assert table is not None
    row = table.rows[table.row_index("2010301")]
    assert row.label == "行政运行（更正）" and row.key == "2010301"


# --- locations and locks -------------------------------------------------------------------


def test_sidecars_go_beside_the_source_by_default(src: Path) -> None:
    s = store_for(src, "Alice Smith.v2")
    assert s.location.folder == src.parent.absolute() and s.location.message == ""
    assert s.sidecar_path.name == f"{DOC}.Alice_Smith_v2.review.toml"
    assert s.journal_path.name == f"{DOC}.Alice_Smith_v2.journal" and s.lock_path.name == f"{DOC}.lock"


def test_review_dir_keeps_same_named_sources_apart(tmp_path: Path, src: Path) -> None:
    other = tmp_path / "other" / DOC
    other.parent.mkdir()
    shutil.copyfile(src, other)
    review_dir = tmp_path / "reviews"
    a, b = review_location(src, review_dir), review_location(other, review_dir)
    assert a.folder != b.folder and a.folder.parent == b.folder.parent == review_dir
    s = held(other, review_dir=review_dir)
    s.record(Correction("status", "income", new="reviewed"))
    s.save()
    assert s.sidecar_path.parent == b.folder and not list(src.parent.glob("*.review.toml"))
    assert store_for(src, review_dir=review_dir).load_all().corrections == []


def test_unwritable_source_folder_falls_back_to_user_data(
    src: Path, _user_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = corr._folder_writable
    monkeypatch.setattr(corr, "_folder_writable", lambda f: f != src.parent.absolute() and real(f))
    loc = review_location(src)
    assert (
        _user_data in loc.folder.parents
        and "is not writable" in loc.message
        and str(loc.folder) in loc.message
    )
    s = held(src)
    s.record(Correction("status", "income", new="reviewed"))
    s.save()
    assert not list(src.parent.iterdir())[1:]  # only the source itself
    review = store_for(src, "bob").load_all()
    assert len(review.corrections) == 1 and any("not writable" in n.message for n in review.notes)


def test_sidecars_of_colleagues_beside_a_read_only_source_are_merged(
    src: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _record(src, "bob", Correction("status", "income", new="approved"))
    real = corr._folder_writable
    monkeypatch.setattr(corr, "_folder_writable", lambda f: f != src.parent.absolute() and real(f))
    _record(src, "alice", Correction("status", "expenditure", new="reviewed"))
    assert {c.who for c in store_for(src, "alice").load_all().corrections} == {"alice", "bob"}


def test_second_editor_is_told_who_holds_the_document(src: Path) -> None:
    first = held(src, "alice")
    second = store_for(src, "bob")
    holder = second.acquire(timeout=0)
    assert holder is not None and holder.who == "alice" and holder.pid == os.getpid()
    assert "alice on" in str(holder) and second.read_only
    with pytest.raises(ReadOnlyError):
        second.record(Correction("status", "income", new="reviewed"))
    with pytest.raises(corr.LockedError, match="open for editing by alice"), second.hold(timeout=0.1):
        pass
    assert second.load_all().corrections == []  # reading needs no lock
    first.release()
    assert second.acquire(timeout=0) is None and not second.read_only


def test_a_findings_suggestion_becomes_a_validated_correction(src: Path) -> None:
    doc = load_document(src)
    value = Suggestion("value", "income", "合计", "总计", "5,715.90", reason="sum of the units")
    c = corr.suggested_correction(doc, value, finding="tot-1")
    assert (c.kind, c.old, c.new, c.note, c.finding) == (
        "value",
        "5715.09",
        "5,715.90",
        "sum of the units",
        "tot-1",
    )
    shift = corr.suggested_correction(doc, Suggestion("shift", "income", "合计", "总计", "1"))
    assert (shift.kind, shift.new) == ("shift", "1") and shift.old.startswith("5715.09\t")
    with pytest.raises(ValueError, match="holds amounts"):
        corr.suggested_correction(doc, Suggestion("value", "income", "合计", "总计", "x"))


def test_hold_keeps_a_document_that_was_already_held(src: Path) -> None:
    s = held(src)
    with s.hold(timeout=0):
        s.record(Correction("status", "income", new="reviewed"))
    assert not s.read_only
    s.release()
    with s.hold(timeout=0):
        assert not s.read_only
    assert s.read_only

"""The review session the app drives: persistence, undo across restarts, locks, save."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from budget_tui.core.corrections import ReviewStore
from budget_tui.core.review import ReviewSession

from .update_goldens import SAMPLES

SAMPLE = next(p for p in SAMPLES if p.name.startswith("000"))


@pytest.fixture
def src(tmp_path: Path) -> Path:
    p = tmp_path / "docs" / SAMPLE.name
    p.parent.mkdir()
    shutil.copy(SAMPLE, p)
    return p


def cell(session: ReviewSession, form: str, row: str, col: str) -> tuple[int, int]:
    table = session.doc.forms[form].table
    assert table is not None
    return table.row_index(row), table.col_index(col)


def test_edit_is_journalled_before_it_shows_and_survives_a_restart(src: Path) -> None:
    s = ReviewSession.open(src, reviewer="alice")
    r, c = cell(s, "income", "合计", "总计")
    s.edit("income", r, c, "5715.99", note="typo")
    assert s.dirty
    journal = next(src.parent.glob("*.alice.journal"))
    assert "5715.99" in journal.read_text(encoding="utf-8")
    s.close()  # as if the app died: nothing saved
    again = ReviewSession.open(src, reviewer="alice")
    assert again.restored == 1
    assert again.doc.forms["income"].cell("合计", "总计").text == "5715.99"
    assert src.read_text(encoding="utf-8") == SAMPLE.read_text(encoding="utf-8")  # source untouched
    again.close()


def test_undo_redo_survive_a_restart(src: Path) -> None:
    s = ReviewSession.open(src, reviewer="alice")
    r, c = cell(s, "income", "合计", "总计")
    s.edit("income", r, c, "1.00")
    s.edit("income", r, c, "2.00")
    s.close()  # unsaved: the journal keeps every step
    again = ReviewSession.open(src, reviewer="alice")
    assert again.undo() is not None
    assert again.doc.forms["income"].cell("合计", "总计").text == "1.00"
    assert again.undo() is not None
    assert again.doc.forms["income"].cell("合计", "总计").text == "5715.09"
    assert again.undo() is None
    assert again.redo() is not None
    assert again.doc.forms["income"].cell("合计", "总计").text == "1.00"
    again.save()  # a save compacts the cell's history into one correction …
    again.close()
    third = ReviewSession.open(src, reviewer="alice")
    assert third.undo() is not None  # … which undo still reaches
    assert third.doc.forms["income"].cell("合计", "总计").text == "5715.09"
    third.close()


def test_save_writes_sidecar_and_export_that_check_then_sees(src: Path) -> None:
    from budget_tui.core.batch import CheckOptions, check_file

    s = ReviewSession.open(src, reviewer="alice")
    finding = s.findings[0]
    s.accept(finding.id, note="as printed")
    s.cycle_status("income")
    paths = s.save()
    s.close()
    sidecar = paths[0]
    data = tomllib.loads(sidecar.read_text(encoding="utf-8"))
    assert {c["kind"] for c in data["correction"]} == {"accept", "status"}
    assert any(p.suffix == ".toml" and p != sidecar for p in paths) and any(p.suffix == ".csv" for p in paths)
    result = check_file(str(src), CheckOptions(reviewer="alice", cache=False))
    assert [f["accepted"] for f in result["findings"] if f["id"] == finding.id] == [True]


def test_second_instance_opens_read_only_and_says_who(src: Path) -> None:
    first = ReviewSession.open(src, reviewer="alice")
    second = ReviewSession.open(src, reviewer="bob")
    assert not first.read_only and second.read_only
    assert second.lock_holder is not None and second.lock_holder.who == "alice"
    r, c = cell(second, "income", "合计", "总计")
    with pytest.raises(PermissionError, match="alice"):
        second.edit("income", r, c, "1.00")
    first.close()
    second.close()


def test_shift_and_its_undo(src: Path) -> None:
    s = ReviewSession.open(src, reviewer="alice")
    form = s.doc.forms["income"]
    assert form.table is not None
    r, _ = cell(s, "income", "150001", "本年收入 / 事业收入")
    before = list(form.table.rows[r].texts)
    start = form.table.col_index("本年收入 / 政府性基金")
    s.shift_row("income", r, start, 1)
    after = s.doc.forms["income"].table.rows[r].texts  # type: ignore[union-attr]
    assert after[start] == "" and after[start + 1] == before[start]
    s.undo()
    assert s.doc.forms["income"].table.rows[r].texts == before  # type: ignore[union-attr]
    s.close()


def test_bad_value_changes_nothing(src: Path) -> None:
    s = ReviewSession.open(src, reviewer="alice")
    r, c = cell(s, "income", "合计", "总计")
    with pytest.raises(ValueError, match="not a number"):
        s.edit("income", r, c, "5,7l5.09")
    assert not s.dirty and s.doc.forms["income"].cell("合计", "总计").text == "5715.09"
    assert ReviewStore(str(src), reviewer="alice").pending_journal() == 0
    s.close()


def test_discarding_restored_edits(src: Path) -> None:
    s = ReviewSession.open(src, reviewer="alice")
    r, c = cell(s, "income", "合计", "总计")
    s.edit("income", r, c, "9.99")
    s.close()
    again = ReviewSession.open(src, reviewer="alice")
    again.discard_restored()
    assert again.doc.forms["income"].cell("合计", "总计").text == "5715.09" and not again.dirty
    again.close()


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name[:3])
def test_every_proposed_shift_applies_and_repairs_its_finding(path: Path) -> None:
    """A shift suggestion names the first cell that moves, as ``fix`` and the app shift rows."""
    from budget_tui.core import load_document

    base = ReviewSession(load_document(path))
    shifts = [(f.id, s) for f in base.findings for s in f.suggestions[:1] if s.kind == "shift"]
    for fid, s in shifts:
        session = ReviewSession(load_document(path))
        table = session.doc.forms[s.form].table
        assert table is not None
        session.shift_row(
            s.form, table.row_index(s.row), table.col_index(s.column), int(s.value), finding=fid
        )
        assert fid not in {f.id for f in session.findings if not f.accepted}, (fid, s)


def test_proposed_values_keep_the_documents_thousands_separators() -> None:
    from budget_tui.core import load_document

    session = ReviewSession(load_document(next(p for p in SAMPLES if p.name.startswith("001"))))
    values = [s.value for f in session.findings for s in f.suggestions if s.kind == "value"]
    assert "1,352.27" in values and "1352.27" not in values


def test_header_label_correction_is_text_and_undoable(src: Path) -> None:
    s = ReviewSession.open(src, reviewer="alice")
    table = s.doc.forms["expenditure"].table
    assert table is not None
    c = table.col_index("合计 / 工资福利支出")
    s.edit_header("expenditure", 3, c, "", note="misplaced label")
    assert s.doc.forms["expenditure"].table.header[2][c] == ""  # type: ignore[union-attr]
    assert s.doc.forms["expenditure"].table.columns[c].key == "合计 / 工资福利支出"  # type: ignore[union-attr]
    s.undo()
    assert s.doc.forms["expenditure"].table.header[2][c] == "工资福利支出"  # type: ignore[union-attr]
    s.close()


def test_reassign_a_block_and_undo(src: Path) -> None:
    s = ReviewSession.open(src, reviewer="alice")
    before = s.doc.forms["performance_projects#3"].rows
    s.reassign("performance_projects#3", 0, "satisfaction")
    assert "satisfaction" in s.doc.forms and "performance_projects#3" not in s.doc.forms
    assert s.doc.forms["satisfaction"].rows == before
    s.undo()
    assert "performance_projects#3" in s.doc.forms and "satisfaction" not in s.doc.forms
    s.close()


def test_bundled_samples_are_never_written_to(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from budget_tui.core.corrections import review_location

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    where = review_location(SAMPLE)
    assert where.folder != SAMPLE.parent and "read-only" in where.message

"""The UI's plain-data layer: summaries, failing-cell order, suggestion ranking and application."""

from __future__ import annotations

from pathlib import Path

import pytest

from budget_tui.core.batch import check_file
from budget_tui.core.document import load_document
from budget_tui.core.review import ReviewSession
from budget_tui.workspace import (
    apply_suggestion,
    describe,
    failing_order,
    next_failing,
    suggestions_for,
    summary_from_check,
    summary_from_session,
)
from tests.ui.conftest import DOC_A, SAMPLES

DOC_C = "000_4328bbb67aec9689.txt"
"""Has a shift suggestion that applies (those of 004 do not: see the report on shift semantics)."""


def test_summaries_agree_between_check_and_session() -> None:
    path = str(SAMPLES / DOC_A)
    from_check = summary_from_check(check_file(path))
    session = ReviewSession(load_document(path))
    unchecked = summary_from_session(session)  # never runs the checks itself (the UI thread calls it)
    assert not session.checked and not unchecked.checked and unchecked.failures == 0
    session.run_checks()
    from_session = summary_from_session(session)
    assert from_session.checked
    assert from_check.department == from_session.department == "新乡市政务服务和大数据管理局"
    counts = [(f.id, f.errors, f.warnings) for f in from_check.forms]
    assert counts == [(f.id, f.errors, f.warnings) for f in from_session.forms]
    assert from_check.failures == from_session.failures > 0
    assert from_check.title == "2022"


def test_failing_order_and_next() -> None:
    session = ReviewSession(load_document(SAMPLES / DOC_A))
    order = failing_order(session)
    assert order
    first = next_failing(session, (next(iter(session.doc.forms)), 0, -1), 1)
    assert first == order[0]
    assert next_failing(session, order[-1], 1) is None
    assert next_failing(session, order[0], -1) is None
    assert next_failing(session, order[1], -1) == order[0]


def test_apply_value_and_shift_suggestions() -> None:
    session = ReviewSession(load_document(SAMPLES / DOC_A))
    table = session.doc.forms["fiscal_summary"].table
    assert table is not None
    r, c = table.row_index("收入合计"), table.col_index("收入 / 金额")
    top = suggestions_for(session, "fiscal_summary", r, c)[0]
    assert describe(top, session, ("fiscal_summary", "收入合计", "收入 / 金额")).startswith(
        "1,352.27 (full precision)"
    )
    assert apply_suggestion(session, top)[:3] == ("fiscal_summary", r, c)
    assert table.rows[r].texts[c] == "1,352.27" and session.dirty

    other = ReviewSession(load_document(SAMPLES / DOC_C))
    finding = next(f for f in other.findings if any(s.kind == "shift" for s in f.suggestions))
    shift = next(s for s in finding.suggestions if s.kind == "shift")
    form = other.doc.forms[shift.form]
    assert form.table is not None
    cell = finding.cells[0]
    r, c = form.table.row_index(cell.row), form.table.col_index(cell.column)
    assert shift in suggestions_for(other, shift.form, r, c)
    assert "shift the row" in describe(shift, other)
    before = list(form.table.rows[r].texts)
    apply_suggestion(other, shift)
    assert other.doc.forms[shift.form].table.rows[r].texts != before  # type: ignore[union-attr]
    assert finding.id not in {f.id for f in other.findings if not f.accepted}


def test_workspace_open_uses_saved_corrections(tmp_path: Path) -> None:
    from budget_tui.workspace import Workspace
    from tests.ui.conftest import copy_docs

    path = copy_docs(tmp_path / "d", DOC_A)[0]
    ws = Workspace([str(path)], reviewer="t", review_dir=str(tmp_path / "rev"))
    session = ws.open(str(path))
    table = session.doc.forms["fiscal_summary"].table
    assert table is not None
    r, c = table.row_index("收入合计"), table.col_index("收入 / 金额")
    session.edit("fiscal_summary", r, c, "1,352.27")
    session.save()
    ws.close()
    again = Workspace([str(path)], reviewer="t", review_dir=str(tmp_path / "rev")).open(str(path))
    t2 = again.doc.forms["fiscal_summary"].table
    assert t2 is not None and t2.rows[r].texts[c] == "1,352.27"
    again.close()


def test_cell_search_ignores_thousands_separators() -> None:
    from budget_tui.widgets.form_model import FormGridModel

    doc = load_document(SAMPLES / DOC_A)
    model = FormGridModel(doc.forms["summary"])
    assert model.find("1352.27") == model.find("1,352.27") != []
    assert model.find("") == []


def test_source_files_names_files_as_iter_source_paths_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loader's fast listing (strings from the walk) equals ``str`` of every ``Path``."""
    from budget_tui.core.batch import source_files
    from budget_tui.core.source import iter_source_paths

    (tmp_path / "sub").mkdir()
    for name in ("b.txt", "a.md", "sub/c.TXT", "skip.csv", "x.tester.review.toml"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    one = tmp_path / "a.md"
    cases = [[str(tmp_path)], [str(tmp_path) + "/"], [str(tmp_path) + "//sub"], [str(one), str(tmp_path)]]
    for paths in cases:
        assert source_files(paths) == [str(p) for p in iter_source_paths(paths)]
    monkeypatch.chdir(tmp_path)
    for paths in (["."], ["./sub"], ["sub"], ["a.md"]):
        assert source_files(paths) == [str(p) for p in iter_source_paths(paths)]


def test_open_leaves_the_document_in_the_oldest_generation_and_nothing_frozen(tmp_path: Path) -> None:
    """A just-parsed document goes straight to the collector's oldest generation (see
    `Workspace.open`), and nothing is left frozen (cycles stay collectable)."""
    import gc
    import shutil

    from budget_tui.workspace import Workspace

    shutil.copyfile(SAMPLES / DOC_A, tmp_path / DOC_A)
    path = str(tmp_path / DOC_A)
    ws = Workspace([path], reviewer="t", review_dir=str(tmp_path / "reviews"), read_only=True)
    enabled = gc.isenabled()
    session = ws.open(path)
    try:
        assert gc.isenabled() is enabled  # the collector is left as it was found
        assert gc.get_freeze_count() == 0
        oldest = {id(o) for o in gc.get_objects(generation=2)}
        assert id(session.doc) in oldest
        assert all(id(row) in oldest for f in session.doc.forms.values() if f.table for row in f.table.rows)
    finally:
        session.close()
        ws.close()

"""Pilot tests of the review app: each behaviour checked on the widgets and on the core state."""

from __future__ import annotations

import gc
import threading
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import HelpPanel, Input

from budget_tui.core.batch import CheckOptions, check_file
from budget_tui.screens import review_base as review_module
from budget_tui.screens.edit_cell import EditCellScreen
from budget_tui.screens.restored_edits import RestoredEditsScreen
from budget_tui.screens.review import ReviewScreen
from budget_tui.widgets.grid import DataGrid
from budget_tui.widgets.navigator import DepartmentTree, Navigator, NodeRef
from budget_tui.widgets.search_bar import SearchBar
from budget_tui.workspace import findings_at
from tests.ui.conftest import DOC_A, SIZE, app_for, copy_docs, focused, review, settle, top


def node_labels(tree: DepartmentTree) -> list[str]:
    """Plain labels of every node, depth first."""
    out: list[str] = []
    stack = [tree.root]
    while stack:
        node = stack.pop()
        out.append(node._label.plain)
        stack.extend(reversed(node.children))
    return out


def cell_of(screen: ReviewScreen, form_id: str, row: str, column: str) -> tuple[int, int]:
    """Indices of a cell by its keys in the open document."""
    assert screen.session is not None
    table = screen.session.doc.forms[form_id].table
    assert table is not None
    return table.row_index(row), table.col_index(column)


async def goto(pilot: object, screen: ReviewScreen, form_id: str, cell: tuple[int, int]) -> None:
    """Show a form of the open document with the cursor on a cell."""
    assert screen.session is not None
    screen.open_form(screen.session.doc.path, form_id, cell)
    screen.grid.focus()
    await settle(pilot)  # type: ignore[arg-type]


async def test_loads_corpus_and_opens_first_document(docs: Path, tmp_path: Path) -> None:
    app = app_for(docs, tmp_path=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = review(pilot)
        assert screen.session is not None
        assert Path(screen.session.doc.path).name == DOC_A
        assert screen.form_id == next(iter(screen.session.doc.forms))
        assert len(app.workspace.entries) == 2 and app.workspace.loaded
        labels = node_labels(screen.navigator.department_tree)
        title = str(screen.navigator.border_title)
        assert title.startswith("2 docs · 0/") and "failing" in title
        assert any("新乡市政务服务和大数据管理局" in label for label in labels)
        assert any("南阳市行政审批和政务信息管理局" in label for label in labels)
        # every form of the open document is listed with a badge
        forms = [n for n in screen.navigator._form_nodes.values() if n.data and n.data.path.endswith(DOC_A)]
        assert len(forms) == len(screen.session.doc.forms)
        grid = screen.grid
        assert grid.model.row_count == len(screen.session.doc.forms[screen.form_id].table.rows)  # type: ignore[union-attr]
        assert grid.header_height == 2
        assert focused(app) is grid
        # the navigator's cursor is on the form shown, whose node was made a moment before
        cursor = screen.navigator.department_tree.cursor_node
        assert cursor is not None and cursor.data == NodeRef("form", screen.session.doc.path, screen.form_id)
        # the cyclic collector, paused while the app started, runs again
        assert gc.isenabled()


async def test_navigator_opens_form_and_cursor_follows_source(doc_a: Path, tmp_path: Path) -> None:
    app = app_for(doc_a, tmp_path=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = review(pilot)
        nav = screen.navigator
        nav.select(str(doc_a), "income")
        nav.department_tree.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert screen.form_id == "income"
        assert focused(app) is screen.grid
        assert screen.session is not None
        form = screen.session.doc.forms["income"]
        await pilot.press("down", "l", "right")
        await pilot.pause()
        assert (screen.grid.cursor_row, screen.grid.cursor_col) == (1, 2)
        ref = form.ref_at(1, 2)
        assert ref is not None
        assert screen.source.current_line == ref.line
        assert screen.source.span == (ref.start, ref.end)
        await pilot.press("k", "h")
        await pilot.pause()
        assert (screen.grid.cursor_row, screen.grid.cursor_col) == (0, 1)


async def test_findings_pane_moves_cursor_and_outlines(doc_a: Path, tmp_path: Path) -> None:
    app = app_for(doc_a, tmp_path=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = review(pilot)
        assert screen.session is not None
        findings = screen.findings
        target = next(f for f in screen.session.findings if f.form == "expenditure")
        index = next(i for i, o in enumerate(findings.options) if o.id == target.id)
        findings.focus()
        findings.highlighted = index
        await pilot.press("enter")
        await settle(pilot)
        assert screen.form_id == "expenditure"
        first = target.cells[0]
        assert (screen.grid.cursor_row, screen.grid.cursor_col) == cell_of(
            screen, "expenditure", first.row, first.column
        )
        assert screen.model is not None
        assert len(screen.model.outlined) == len(target.cells)
        assert "outlined" in screen.model.cell_state(screen.grid.cursor_row, screen.grid.cursor_col)
        assert "failing" in screen.model.cell_state(screen.grid.cursor_row, screen.grid.cursor_col)


async def test_edit_dialog_validates_numbers_then_applies(doc_a: Path, tmp_path: Path) -> None:
    app = app_for(doc_a, tmp_path=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = review(pilot)
        assert screen.session is not None
        cell = cell_of(screen, "fiscal_summary", "收入合计", "收入 / 金额")
        await goto(pilot, screen, "fiscal_summary", cell)
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, EditCellScreen)
        assert dialog.context.text == "1,352.3" and dialog.context.numeric
        assert dialog.context.line and "1,352.3" in dialog.context.source
        assert dialog.context.suggestions and dialog.context.suggestions[0][0].value == "1,352.27"
        box = dialog.query_one("#edit-input", Input)
        box.value = "12x"
        await pilot.press("enter")
        await pilot.pause()
        assert top(app) is dialog
        assert "not a number" in str(dialog.query_one("#edit-error").render())
        assert not screen.session.dirty
        box.value = "1,352.27"
        await pilot.press("enter")
        await settle(pilot)
        assert top(app) is screen
        form = screen.session.doc.forms["fiscal_summary"]
        assert form.table is not None
        assert form.table.rows[cell[0]].texts[cell[1]] == "1,352.27"
        assert form.table.overrides[cell] == "1,352.3"
        assert screen.session.dirty
        assert screen.model is not None and "corrected" in screen.model.cell_state(*cell)
        assert screen.status.unsaved == 1
        assert not any(
            f.form == "fiscal_summary" and f.rule.startswith("precision") for f in screen.session.findings
        )


async def test_edit_text_cell_and_enter_opens_dialog(doc_a: Path, tmp_path: Path) -> None:
    app = app_for(doc_a, tmp_path=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = review(pilot)
        assert screen.session is not None
        await goto(pilot, screen, "summary", (1, 0))
        await pilot.press("enter")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, EditCellScreen) and not dialog.context.numeric
        dialog.query_one("#edit-input", Input).value = "其中：财政拨款（改）"
        await pilot.press("enter")
        await settle(pilot)
        form = screen.session.doc.forms["summary"]
        assert form.table is not None and form.table.rows[1].texts[0] == "其中：财政拨款（改）"
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert top(app) is screen
        assert screen.session.store is not None
        assert [c.kind for c in screen.session.store.corrections] == ["text"]


async def test_apply_top_suggestion_updates_counts(doc_a: Path, tmp_path: Path) -> None:
    app = app_for(doc_a, tmp_path=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = review(pilot)
        assert screen.session is not None
        cell = cell_of(screen, "fiscal_summary", "收入合计", "收入 / 金额")
        await goto(pilot, screen, "fiscal_summary", cell)
        before = next(f for f in app.workspace.entries[0].summary.forms if f.id == "fiscal_summary")
        assert before.warnings == 1
        await pilot.press("a")
        await settle(pilot)
        form = screen.session.doc.forms["fiscal_summary"]
        assert form.table is not None and form.table.rows[cell[0]].texts[cell[1]] == "1,352.27"
        after = next(f for f in app.workspace.entries[0].summary.forms if f.id == "fiscal_summary")
        assert after.warnings == 0
        label = screen.navigator._form_nodes[(str(doc_a), "fiscal_summary")]._label.plain
        assert label.startswith("✓")


async def test_shift_row_from_dialog_and_undo(doc_a: Path, tmp_path: Path) -> None:
    app = app_for(doc_a, tmp_path=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = review(pilot)
        assert screen.session is not None
        form = screen.session.doc.forms["income"]
        assert form.table is not None
        r = next(i for i, row in enumerate(form.table.rows) if not row.texts[-1] and any(row.texts[1:-1]))
        before = list(form.table.rows[r].texts)
        c = next(j for j in range(1, len(before)) if before[j])
        await goto(pilot, screen, "income", (r, c))
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, EditCellScreen)
        await pilot.press("alt+right")
        await settle(pilot)
        after = form.table.rows[r].texts
        assert after[c + 1 :] == before[c:-1] and after[c] == ""
        assert screen.session.store is not None
        assert screen.session.store.corrections[-1].kind == "shift"
        assert screen.model is not None and screen.model.cell_text(r, c + 1) == before[c]
        await pilot.press("u")
        await settle(pilot)
        # undoing a structural correction re-parses: the grid must show the new objects
        fresh = screen.session.doc.forms["income"]
        assert fresh.table is not None and fresh.table.rows[r].texts == before
        assert screen.model.form is fresh and screen.form_id == "income"
        assert screen.grid.model is screen.model and screen.source.lines is screen.session.doc.lines


async def test_publish_as_is_and_review_status(doc_a: Path, tmp_path: Path) -> None:
    app = app_for(doc_a, tmp_path=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = review(pilot)
        session = screen.session
        assert session is not None
        finding = next(f for f in session.findings if f.form == "expenditure" and not f.accepted)
        cell = cell_of(screen, "expenditure", finding.cells[0].row, finding.cells[0].column)
        await goto(pilot, screen, "expenditure", cell)
        await pilot.press("p")
        await settle(pilot)
        assert finding.id in session.accepted
        assert next(f for f in session.findings if f.id == finding.id).accepted
        assert findings_at(session, "expenditure", *cell) == []
        summary = next(f for f in app.workspace.entries[0].summary.forms if f.id == "expenditure")
        assert summary.errors == 0 and summary.accepted >= 1
        await pilot.press("r")
        await settle(pilot)
        assert session.status("expenditure") == "reviewed"
        await pilot.press("r")
        await settle(pilot)
        assert session.status("expenditure") == "approved"
        label = screen.navigator._form_nodes[(str(doc_a), "expenditure")]._label.plain
        assert label.startswith("✓pubA ")


async def test_undo_redo(doc_a: Path, tmp_path: Path) -> None:
    app = app_for(doc_a, tmp_path=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = review(pilot)
        session = screen.session
        assert session is not None
        cell = cell_of(screen, "fiscal_summary", "收入合计", "收入 / 金额")
        await goto(pilot, screen, "fiscal_summary", cell)
        await pilot.press("a")
        await settle(pilot)
        table = session.doc.forms["fiscal_summary"].table
        assert table is not None
        await goto(pilot, screen, "summary", (0, 0))
        await pilot.press("u")
        await settle(pilot)
        assert table.rows[cell[0]].texts[cell[1]] == "1,352.3"
        assert screen.form_id == "fiscal_summary"
        assert (screen.grid.cursor_row, screen.grid.cursor_col) == cell
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert table.rows[cell[0]].texts[cell[1]] == "1,352.27"
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert table.rows[cell[0]].texts[cell[1]] == "1,352.27"


async def test_save_writes_corrections_and_exports(doc_a: Path, tmp_path: Path) -> None:
    app = app_for(doc_a, tmp_path=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = review(pilot)
        session = screen.session
        assert session is not None
        cell = cell_of(screen, "fiscal_summary", "收入合计", "收入 / 金额")
        await goto(pilot, screen, "fiscal_summary", cell)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not session.dirty
        assert screen.status.unsaved == 0 and screen.status.saved_to
        written = [p for p in (tmp_path / "reviews").rglob("*") if p.is_file()]
        sidecar = next(p for p in written if p.name.endswith(".review.toml"))
        assert "1,352.27" in sidecar.read_text(encoding="utf-8")
        exports = [p for p in written if p.parent.name == "budget-tui-export"]
        assert {p.suffix for p in exports} >= {".toml", ".csv"}
        fiscal = next(p for p in exports if p.name.endswith(".fiscal_summary.csv"))
        assert "收入合计：,1352.27," in fiscal.read_text(encoding="utf-8-sig")
        assert str(exports[0].parent) in screen.status.saved_to
        assert "saved → …" in str(screen.status.query_one("#status-state").render())
    result = check_file(str(doc_a), CheckOptions(reviewer="tester", review_dir=str(tmp_path / "reviews")))
    assert not any(
        f["form"] == "fiscal_summary" and f["rule"].startswith("precision") for f in result["findings"]
    )


async def test_quit_asks_when_unsaved(doc_a: Path, tmp_path: Path) -> None:
    app = app_for(doc_a, tmp_path=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = review(pilot)
        await goto(
            pilot, screen, "fiscal_summary", cell_of(screen, "fiscal_summary", "收入合计", "收入 / 金额")
        )
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert type(app.screen).__name__ == "SaveChangesScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert top(app) is screen and app.is_running
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("d")
        await settle(pilot)
    assert app.return_code == 0
    assert not list((tmp_path / "reviews").rglob("*.journal"))
    assert not list((tmp_path / "reviews").rglob("*.review.toml"))


async def test_quit_save_saves(doc_a: Path, tmp_path: Path) -> None:
    app = app_for(doc_a, tmp_path=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = review(pilot)
        await goto(
            pilot, screen, "fiscal_summary", cell_of(screen, "fiscal_summary", "收入合计", "收入 / 金额")
        )
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
    assert any(p.suffix == ".toml" for p in (tmp_path / "reviews").rglob("*"))


async def test_search_cells_and_source(doc_a: Path, tmp_path: Path) -> None:
    app = app_for(doc_a, tmp_path=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = review(pilot)
        await goto(pilot, screen, "summary", (0, 0))
        await pilot.press("slash")
        await pilot.pause()
        bar = screen.query_one(SearchBar)
        assert not bar.has_class("-hidden")
        bar.query_one(Input).value = "1,352.27"
        await pilot.pause()
        assert screen.model is not None
        matches = sorted(screen.model.matches)
        assert len(matches) >= 2
        assert screen.source.matches
        await pilot.press("enter")
        await pilot.pause()
        assert (screen.grid.cursor_row, screen.grid.cursor_col) == matches[0]
        assert "match" in screen.model.cell_state(*matches[0])
        await pilot.press("enter")
        await pilot.pause()
        assert (screen.grid.cursor_row, screen.grid.cursor_col) == matches[1]
        await pilot.press("shift+enter")
        await pilot.pause()
        assert (screen.grid.cursor_row, screen.grid.cursor_col) == matches[0]
        await pilot.press("escape")
        await pilot.pause()
        assert bar.has_class("-hidden") and not screen.model.matches and not screen.source.matches
        assert focused(app) is screen.grid


async def test_copy_cell_and_toggle_source(doc_a: Path, tmp_path: Path) -> None:
    app = app_for(doc_a, tmp_path=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = review(pilot)
        await goto(pilot, screen, "summary", (0, 1))
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard == "1,352.27"
        assert screen.source.display
        await pilot.press("v")
        await pilot.pause()
        assert not screen.source.display
        await pilot.press("v")
        await pilot.pause()
        assert screen.source.display


async def test_next_failure_across_forms_and_documents(docs: Path, tmp_path: Path) -> None:
    app = app_for(docs, tmp_path=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = review(pilot)
        session = screen.session
        assert session is not None
        await pilot.press("n")
        await settle(pilot)
        first = (screen.form_id, screen.grid.cursor_row, screen.grid.cursor_col)
        assert first[0] is not None
        assert (first[1], first[2]) in session.failing_cells(first[0])
        visited = [first]
        for _ in range(40):
            await pilot.press("n")
            await settle(pilot)
            assert screen.session is not None
            here = (screen.form_id, screen.grid.cursor_row, screen.grid.cursor_col)
            if screen.session is not session:
                break
            visited.append(here)
        assert screen.session is not None and screen.session is not session, "n never left the document"
        assert Path(screen.session.doc.path).name != DOC_A
        await pilot.press("N")
        await settle(pilot)
        assert screen.session is session
        assert (screen.form_id, screen.grid.cursor_row, screen.grid.cursor_col) == visited[-1]


async def test_navigator_filter_and_failing_only(docs: Path, tmp_path: Path) -> None:
    app = app_for(docs, tmp_path=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = review(pilot)
        nav = screen.navigator
        nav.department_tree.focus()
        await pilot.press("slash")
        await pilot.pause()
        box = nav.query_one("#navigator-filter", Input)
        assert focused(app) is box
        await pilot.press(*"收入")
        await pilot.pause()
        forms = [n.data for n in nav._form_nodes.values() if isinstance(n.data, NodeRef)]
        assert forms and all("收入" in n._label.plain for n in nav._form_nodes.values())
        await pilot.press("enter")
        await pilot.pause()
        assert focused(app) is nav.department_tree
        await pilot.press("escape")
        await pilot.pause()
        assert box.value == "" and box.has_class("-hidden")
        total = len(nav._form_nodes)
        await pilot.press("f")
        await pilot.pause()
        failing = nav._form_nodes
        assert 0 < len(failing) < total
        assert all(n._label.plain[0] in "✗!" for n in failing.values())
        await pilot.press("f")
        await pilot.pause()
        assert len(nav._form_nodes) == total


async def test_help_panel_and_tab_cycle(doc_a: Path, tmp_path: Path) -> None:
    app = app_for(doc_a, tmp_path=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = review(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert screen.query(HelpPanel)
        await pilot.press("f1")
        await pilot.pause()
        assert not screen.query(HelpPanel)
        assert focused(app) is screen.grid
        seen = []
        for _ in range(4):
            await pilot.press("tab")
            await pilot.pause()
            seen.append(focused(app))
        assert screen.source in seen and screen.findings in seen and screen.navigator.department_tree in seen
        await pilot.press("shift+tab")
        await pilot.pause()
        assert focused(app) is seen[-2]


async def test_mouse_click_moves_cursor(doc_a: Path, tmp_path: Path) -> None:
    app = app_for(doc_a, tmp_path=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = review(pilot)
        grid = screen.grid
        grid.move_cursor(0, 1)
        await pilot.click(DataGrid, offset=(grid.label_width + 2, grid.header_height + 2))
        await pilot.pause()
        assert (grid.cursor_row, grid.cursor_col) == (2, 0)
        assert screen.source.current_line == screen.session.doc.forms["summary"].table.rows[2].lines[0]  # type: ignore[union-attr]


async def test_read_only_dims_editing(doc_a: Path, tmp_path: Path) -> None:
    app = app_for(doc_a, tmp_path=tmp_path, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = review(pilot)
        assert screen.session is not None and screen.session.read_only
        assert screen.status.read_only
        for key in ("e", "a", "p", "r", "u", "ctrl+s"):
            await pilot.press(key)
            await settle(pilot)
        assert top(app) is screen
        assert not screen.session.dirty
        assert screen.session.store is not None and not screen.session.store.corrections
        assert not list((tmp_path / "reviews").rglob("*.journal"))
        assert screen.check_action("edit_cell", ()) is None


async def test_progress_while_loading_and_first_document_early(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "many"
    copy_docs(folder, DOC_A)
    for n in range(12):
        (folder / f"copy{n:02}.txt").write_bytes((folder / DOC_A).read_bytes())
    opened = threading.Event()
    real_check = check_file

    def slow_check(path: str, options: CheckOptions) -> dict[str, Any]:
        # The second file waits until the first document is open: loading must not hold it up.
        if not path.endswith(DOC_A):
            assert opened.wait(10), "the first document did not open while loading"
        return real_check(path, options)

    monkeypatch.setattr(review_module, "check_file", slow_check)
    seen: dict[str, int] = {}
    app = app_for(folder, tmp_path=tmp_path)

    def hook(message: object) -> None:
        name = type(message).__name__
        seen.setdefault(name, len(seen))
        if name == "SessionOpened":
            nav = app.screen.query_one(Navigator)
            seen["loading-title"] = "Loading 1/13" in str(nav.border_title)
            opened.set()

    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await settle(pilot)
        screen = review(pilot)
        assert len(app.workspace.entries) == 13
        assert seen["SessionOpened"] < seen["CorpusLoaded"]
        assert seen["loading-title"]
        assert screen.navigator.query_one("#navigator-progress").has_class("-hidden")
        assert str(screen.navigator.border_title).startswith("13 docs")


async def test_markup_and_escape_bytes_shown_literally(markup_doc: Path, tmp_path: Path) -> None:
    app = app_for(markup_doc, tmp_path=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = review(pilot)
        assert screen.session is not None and screen.form_id == "summary"
        table = screen.session.doc.forms["summary"].table
        assert table is not None
        texts = {t for row in table.rows for t in row.texts}
        assert {"[/]", "[@click=app.quit]x[/]"} <= texts
        grid = screen.grid
        r, c = next((r, c) for r, row in enumerate(table.rows) for c, t in enumerate(row.texts) if t == "[/]")
        grid.move_cursor(r, c)
        await pilot.pause()
        rendered = "\n".join(grid.render_line(y).text for y in range(grid.size.height))
        assert "[/]" in rendered and "[@click=app.quit]x[/]" in rendered
        assert "\x1b" not in rendered and "\ufffd[31mred" in rendered
        # the status bar, the source pane, the dialog and the navigator show it too
        r, c = next(
            (r, c) for r, row in enumerate(table.rows) for c, t in enumerate(row.texts) if t.startswith("[@")
        )
        grid.move_cursor(r, c)
        await pilot.pause()
        assert "[@click=app.quit]x[/]" in str(screen.status.query_one("#status-cell").render())

        def source_text() -> str:
            return "\n".join(screen.source.render_line(y).text for y in range(screen.source.size.height))

        for _ in range(20):  # the source pane scrolls after the next refresh (final layout)
            if "[@click=app.quit]x[/]" in source_text():
                break
            await pilot.pause()
        assert "[@click=app.quit]x[/]" in source_text()
        await pilot.click(DataGrid, offset=(grid.label_width + 2, grid.header_height))
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, EditCellScreen)
        await pilot.press("escape")
        labels = node_labels(screen.navigator.department_tree)
        assert any("[b]新乡[/b]局[@click=app.quit]" in label for label in labels)
        await pilot.press("y")
        await pilot.pause()
        assert app.is_running


async def test_unsaved_edits_survive_a_restart(doc_a: Path, tmp_path: Path) -> None:
    app = app_for(doc_a, tmp_path=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = review(pilot)
        cell = cell_of(screen, "fiscal_summary", "收入合计", "收入 / 金额")
        await goto(pilot, screen, "fiscal_summary", cell)
        await pilot.press("a")
        await settle(pilot)
        app.exit()  # as a crash would: no question, nothing saved
    assert list((tmp_path / "reviews").rglob("*.journal"))

    for choice, expected in (("k", "1,352.27"), ("d", "1,352.3")):
        app = app_for(doc_a, tmp_path=tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, RestoredEditsScreen) and app.screen.count == 1
            await pilot.press(choice)
            await settle(pilot)
            screen = review(pilot)
            assert screen.session is not None
            table = screen.session.doc.forms["fiscal_summary"].table
            assert table is not None and table.rows[cell[0]].texts[cell[1]] == expected
            assert screen.session.dirty is (choice == "k")
            app.exit()


async def test_second_instance_opens_read_only(doc_a: Path, tmp_path: Path) -> None:
    first = app_for(doc_a, tmp_path=tmp_path)
    async with first.run_test(size=SIZE) as pilot:
        await settle(pilot)
        second = app_for(doc_a, tmp_path=tmp_path)
        async with second.run_test(size=SIZE) as pilot2:
            await settle(pilot2)
            screen = review(pilot2)
            assert screen.session is not None and screen.session.read_only
            assert screen.session.lock_holder is not None
            assert any("opened read-only" in str(n.message) for n in second._notifications)
            await pilot2.press("a")
            await settle(pilot2)
            assert not screen.session.dirty


async def test_unreadable_file_is_listed_not_fatal(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    copy_docs(folder, DOC_A)
    (folder / "broken.txt").write_bytes(b"\x00\x01binary")
    app = app_for(folder, tmp_path=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = review(pilot)
        assert screen.session is not None and app.workspace.problems
        assert any(
            "broken.txt" in label and "NUL" in label
            for label in node_labels(screen.navigator.department_tree)
        )
        assert any("broken.txt" in str(n.message) for n in app._notifications)


async def test_structural_repairs_by_keyboard(doc_a: Path, tmp_path: Path) -> None:
    """`L` corrects a header label, `m` moves rows to another form; both journalled, undoable."""
    from budget_tui.screens.prompt import PromptScreen

    app = app_for(doc_a, tmp_path=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = review(pilot)
        session = screen.session
        assert session is not None and session.store is not None
        screen.open_form(session.doc.path, "expenditure", (0, 5))
        await settle(pilot)
        await pilot.press("L")
        await settle(pilot)
        assert isinstance(app.screen, PromptScreen)
        await pilot.press("escape")  # prompt.cancel: nothing changes
        await settle(pilot)
        assert not session.store.corrections
        await pilot.press("L")
        await settle(pilot)
        prompt = app.screen
        assert isinstance(prompt, PromptScreen)
        prompt.query_one("#prompt-input", Input).value = "合计（万元）"
        await pilot.press("enter")
        await settle(pilot)
        header = session.doc.forms["expenditure"].table.header  # type: ignore[union-attr]
        assert any(level[5] == "合计（万元）" for level in header)
        assert [c.kind for c in session.store.corrections] == ["text"]
        assert session.store.corrections[0].row.startswith("@header:")

        # m: the whole 项目绩效目标表 becomes a form id the document lacks
        screen.open_form(session.doc.path, "performance_projects", (0, 0))
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        prompt = app.screen
        assert isinstance(prompt, PromptScreen)
        prompt.query_one("#prompt-input", Input).value = "performance_projects_2"
        await pilot.press("enter")
        await settle(pilot)
        assert "performance_projects_2" in session.doc.forms
        assert session.store.corrections[-1].kind == "reassign"
        await pilot.press("u")
        await settle(pilot)
        assert "performance_projects" in screen.session.doc.forms  # type: ignore[union-attr]


async def test_form_shows_before_its_checks_then_findings_arrive(
    doc_a: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The table is on screen while the checks still run; findings, failing cells and badges
    come with them, and the keys that need findings say so meanwhile."""
    from budget_tui.core.review import ReviewSession

    release = threading.Event()
    real_run = ReviewSession.run_checks

    def held_run(self: ReviewSession) -> Any:
        assert release.wait(10), "the test never released the checks"
        return real_run(self)

    monkeypatch.setattr(ReviewSession, "run_checks", held_run)
    app = app_for(doc_a, tmp_path=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = review(pilot)
        for _ in range(200):
            if screen.session is not None and screen.grid.model.row_count:
                break
            await pilot.pause()
        session = screen.session
        assert session is not None and not session.checked and screen.checks_pending
        assert "checking" in str(screen.findings.border_title) and not screen.findings.options
        await pilot.pause()
        # The footer, held while the screen waited for the document, shows its keys now.
        assert {getattr(k, "key", "") for k in app.screen.query("FooterKey")} >= {"n", "e", "q"}
        assert screen.model is not None and not screen.model.failing
        assert all(
            n._label.plain.startswith(("…", "miss", "empt", "part"))
            for n in screen.navigator._form_nodes.values()
        )
        await pilot.press("n")
        await pilot.pause()
        assert any("still running" in str(n.message) for n in app._notifications)
        release.set()
        await settle(pilot)
        assert session.checked and not screen.checks_pending
        assert str(screen.findings.border_title).startswith("Findings ") and screen.findings.options
        assert screen.form_id is not None
        assert screen.model.failing == session.failing_cells(screen.form_id)
        await pilot.press("n")  # now there are failing cells to go to
        await settle(pilot)
        assert screen.form_id is not None and screen.model is not None
        assert (screen.grid.cursor_row, screen.grid.cursor_col) in screen.model.failing
        assert any(n._label.plain.startswith("✗") for n in screen.navigator._form_nodes.values())
        assert str(screen.navigator.border_title).startswith("1 doc · 0/")

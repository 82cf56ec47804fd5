"""A long document is shown from its first lines at once, then parsed whole (`DocumentPreview`)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from budget_tui.core.corrections import SidecarError
from budget_tui.core.document import PREVIEW_LINES, PREVIEW_MIN_BYTES, load_document, preview_document
from budget_tui.core.review import ReviewSession
from budget_tui.core.source import read_source
from budget_tui.messages import DocumentPreview
from budget_tui.screens.review import ReviewScreen
from budget_tui.widgets.status_bar import CellLine
from budget_tui.workspace import Workspace
from tests.ui.conftest import (
    DOC_A,
    ROWS,
    SAMPLES,
    SIZE,
    app_for,
    long_document,
    review,
    settle,
    until_preview,
)


def test_preview_is_the_head_of_the_whole_parse(long_doc: Path) -> None:
    preview = preview_document(long_doc)
    whole = load_document(long_doc)
    assert preview is not None and preview.problems == [] and preview.path == whole.path
    assert preview.sha256 == "" and preview.lines == whole.lines[:PREVIEW_LINES]
    ((pid, pform),) = preview.forms.items()
    form = whole.forms[pid]
    assert pform.table is not None and form.table is not None
    head = len(pform.table.rows)
    assert PREVIEW_LINES - 10 < head < len(form.table.rows) == ROWS + 1
    assert [c.key for c in pform.table.columns] == [c.key for c in form.table.columns]
    assert [(r.key, r.texts, r.line) for r in pform.table.rows] == [
        (r.key, r.texts, r.line) for r in form.table.rows[:head]
    ]


def test_small_files_get_no_preview(tmp_path: Path) -> None:
    for path in sorted(SAMPLES.glob("*.txt")):
        assert preview_document(path) is None, path.name
    rows = ROWS
    while len(long_document(rows).encode()) >= PREVIEW_MIN_BYTES:
        rows -= 100
    smaller = tmp_path / "smaller.txt"
    smaller.write_text(long_document(rows), encoding="utf-8")
    assert preview_document(smaller) is None
    assert preview_document(smaller, min_bytes=smaller.stat().st_size) is not None
    assert preview_document(tmp_path / "missing.txt") is None
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\x00" * PREVIEW_MIN_BYTES)
    assert preview_document(binary) is None  # (its whole read says why)


def test_preview_reads_the_head_only_and_whole_lines(tmp_path: Path) -> None:
    """A GB18030 file whose head ends inside a line: the preview stops at the last whole line."""
    path = tmp_path / "gbk.txt"
    path.write_bytes(long_document(ROWS).encode("gb18030"))
    preview = preview_document(path, min_bytes=0, read_bytes=10_001)
    assert preview is not None
    src = read_source(path)
    assert src.encoding == "gb18030" and 100 < len(preview.lines) < 400
    assert preview.lines == src.lines[: len(preview.lines)]


async def test_long_document_shows_its_head_then_the_whole(
    long_doc: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    go_on = threading.Event()
    whole_open = Workspace.open

    drawn_first: list[bool] = []

    def held_open(self: Workspace, path: str) -> ReviewSession:
        # The whole is parsed only once the preview is on screen (one interpreter lock).
        drawn_first.append(not review_screen().grid.paint_pending and review_screen().model is not None)
        go_on.wait(timeout=30)
        return whole_open(self, path)

    monkeypatch.setattr(Workspace, "open", held_open)
    app = app_for(long_doc, tmp_path=tmp_path)

    def review_screen() -> ReviewScreen:
        return next(s for s in app.screen_stack if isinstance(s, ReviewScreen))

    try:
        async with app.run_test(size=SIZE) as pilot:
            # The preview: the first lines' rows, focused, source beside it; nothing to edit yet.
            screen = await until_preview(pilot)
            preview_rows = screen.grid.model.row_count
            assert 0 < preview_rows < PREVIEW_LINES
            assert "reading all" in str(screen.query_one("#table-pane").border_title)
            assert str(long_doc) not in str(screen.query_one("#table-pane").border_title)
            assert app.focused is screen.grid
            assert not screen.navigator.query("Tree")  # mounted once the whole is shown
            await pilot.press("down", "down", "right")
            assert (screen.grid.cursor_row, screen.grid.cursor_col) == (2, 1)
            assert screen.source.current_line == 8  # 项目00001号: the third row's line
            assert not screen.query("FooterKey")  # the keys wait for the whole (most need it)
            assert "once it is read" in str(screen.findings.border_title)
            assert drawn_first == [True]
            await pilot.press("e")  # editing waits for the whole document
            assert app.screen is screen and screen.check_action("edit_cell", ()) is None
            await pilot.press("enter")
            assert app.screen is screen
            assert any("Still reading" in str(n.message) for n in app._notifications)
            go_on.set()
            await settle(pilot)
            assert screen.check_action("edit_cell", ()) is True
            # The whole document, where the reviewer was; checked as usual.
            session = screen.session
            assert session is not None and session.checked and screen.form_id == "projects"
            assert screen.grid.model.row_count == ROWS + 1
            assert (screen.grid.cursor_row, screen.grid.cursor_col) == (2, 1)
            assert screen.source.current_line == 8
            assert "reading all" not in str(screen.query_one("#table-pane").border_title)
            assert session.findings == []
            assert screen.navigator.query("Tree") and screen.query("FooterKey")
    finally:
        go_on.set()  # never leave the loader waiting on a failed test


async def test_a_short_document_opens_without_a_preview(tmp_path: Path) -> None:
    previews: list[object] = []
    app = app_for(SAMPLES / DOC_A, tmp_path=tmp_path)

    def hook(message: object) -> None:
        if isinstance(message, DocumentPreview):
            previews.append(message)

    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await settle(pilot)
        assert review(pilot).session is not None and previews == []


async def test_a_corrected_document_opens_without_a_preview(long_doc: Path, tmp_path: Path) -> None:
    """A preview shows the source as printed: not for a document with corrections."""
    session = ReviewSession.open(long_doc, reviewer="someone", review_dir=tmp_path / "reviews")
    session.edit("projects", 2, 2, "999.99")
    session.save(tmp_path / "exports")
    session.close()
    previews: list[object] = []
    app = app_for(long_doc, tmp_path=tmp_path)

    def hook(message: object) -> None:
        if isinstance(message, DocumentPreview):
            previews.append(message)

    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await settle(pilot)
        screen = review(pilot)
        assert previews == [] and screen.session is not None
        assert screen.session.doc.forms["projects"].table.rows[2].texts[2] == "999.99"  # type: ignore[union-attr]


async def test_a_preview_whose_document_cannot_open_gives_way_to_the_next(
    long_doc: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The long document sorts first and fails to open whole (a sidecar written meanwhile and
    # broken, say): only its preview was shown.
    whole_open = Workspace.open

    def failing_open(self: Workspace, path: str) -> ReviewSession:
        if path == str(long_doc):
            raise SidecarError(path + ".tester.review.toml", 1, "not TOML")
        return whole_open(self, path)

    monkeypatch.setattr(Workspace, "open", failing_open)
    other = long_doc.parent / "z_other.txt"
    other.write_bytes((SAMPLES / DOC_A).read_bytes())
    app = app_for(long_doc.parent, tmp_path=tmp_path)
    previews: list[str] = []

    def hook(message: object) -> None:
        if isinstance(message, DocumentPreview):
            previews.append(message.doc.path)

    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await settle(pilot)
        screen = review(pilot)
        assert previews == [str(long_doc)]
        assert screen.session is not None and screen.session.doc.path == str(other)
        # Its own first form, not the preview's (both documents have a 项目支出表, `projects`).
        assert "projects" in screen.session.doc.forms
        assert screen.form_id == next(iter(screen.session.doc.forms)) != "projects"
        assert "reading all" not in str(screen.query_one("#table-pane").border_title)
        assert any("long.txt" in str(n.message) for n in app._notifications)
        # The keys and the navigator's tree (listing the problem) are shown all the same.
        assert screen.query("FooterKey") and screen.navigator.query("Tree")


def test_preview_of_a_sample_followed_by_a_long_table(tmp_path: Path) -> None:
    """Every form the preview holds whole is the whole parse's form; the one it cuts is a prefix."""
    sample = (SAMPLES / "004_520b94495a051fab.txt").read_text(encoding="utf-8")
    path = tmp_path / "long.txt"
    path.write_text(sample + "\n" + long_document(ROWS), encoding="utf-8")
    preview, whole = preview_document(path), load_document(path)
    assert preview is not None and len(sample.splitlines()) < PREVIEW_LINES
    tables = [f for f in preview.forms.values() if f.table is not None]
    assert len(tables) > 10
    *complete, cut = tables
    for form in complete:
        other = whole.forms[form.id].table
        assert other is not None and form.table is not None
        assert [(r.key, r.texts, r.lines) for r in form.table.rows] == [
            (r.key, r.texts, r.lines) for r in other.rows
        ], form.id
        assert [c.key for c in form.table.columns] == [c.key for c in other.columns]
    whole_cut = whole.forms[cut.id].table
    assert cut.table is not None and whole_cut is not None
    assert 0 < len(cut.table.rows) < len(whole_cut.rows) == ROWS + 1
    assert [r.texts for r in cut.table.rows] == [r.texts for r in whole_cut.rows[: len(cut.table.rows)]]


async def test_opening_another_document_says_so_until_it_is_shown(
    docs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    go_on = threading.Event()
    whole_open = Workspace.open
    app = app_for(docs, tmp_path=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = review(pilot)
        assert screen.session is not None
        other = next(e.summary.path for e in app.workspace.entries if e.session is None)

        def held_open(self: Workspace, path: str) -> ReviewSession:
            go_on.wait(timeout=30)
            return whole_open(self, path)

        monkeypatch.setattr(Workspace, "open", held_open)
        try:
            screen.open_document(other)
            await pilot.pause()
            assert screen.status.query_one("#status-cell", CellLine).text == f"Opening {Path(other).name}…"
        finally:
            go_on.set()
        await settle(pilot)
        assert screen.session.doc.path == other
        assert "Opening" not in screen.status.query_one("#status-cell", CellLine).text

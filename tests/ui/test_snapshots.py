"""SVG snapshots, one per screen state.

Update with ``pytest --snapshot-update`` only after reading the report.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from budget_tui.core.review import ReviewSession
from budget_tui.widgets.findings_list import FindingsList
from budget_tui.workspace import Workspace
from tests.ui.conftest import app_for, review, settle, until_preview

Compare = Callable[..., bool]
Steps = Callable[[Pilot[Any]], Awaitable[None]]


def prepared(*keys: str, then: Steps | None = None) -> Steps:
    """A ``run_before`` that waits for loading, presses keys, settles and hides the toasts."""

    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        if then is not None:
            await then(pilot)
            await settle(pilot)
        pilot.app.clear_notifications()
        for box in pilot.app.screen.query(Input):
            box.cursor_blink = False
        await pilot.pause(0.1)
        # The findings list may keep a scroll offset from a layout pass that raced the help
        # panel or a dialog: pin it to the top so the picture does not depend on timing.
        for pane in review(pilot).query(FindingsList):
            pane.scroll_to(0, 0, animate=False, immediate=True)
        # Which keys are enabled depends on the session state the workers just settled:
        # redraw the footer from it, not from whenever its last refresh happened to run.
        pilot.app.refresh_bindings()
        await pilot.pause(0.2)
        # Scrollbars appear once a pane knows its virtual size: one more layout pass makes
        # the picture independent of which refresh won the race.
        pilot.app.screen.refresh(layout=True)
        await pilot.pause(0.2)

    return run


def test_review_screen_wide(snap_compare: Compare, docs: Path, tmp_path: Path) -> None:
    """Two documents at 200×50: navigator, table beside source, findings; cursor on the first failure."""
    app = app_for(docs, tmp_path=tmp_path)
    assert snap_compare(app, terminal_size=(200, 50), run_before=prepared("n"))


def test_review_screen_80x24(snap_compare: Compare, docs: Path, tmp_path: Path) -> None:
    """The smallest terminal: source under the table, narrow navigator, footer keys all visible."""
    app = app_for(docs, tmp_path=tmp_path)
    assert snap_compare(app, terminal_size=(80, 24), run_before=prepared())


def test_edit_dialog(snap_compare: Compare, doc_a: Path, tmp_path: Path) -> None:
    """The edit dialog on a truncated total: current value, source line, ranked suggestion."""

    async def to_cell(pilot: Pilot[Any]) -> None:
        screen = review(pilot)
        assert screen.session is not None
        table = screen.session.doc.forms["fiscal_summary"].table
        assert table is not None
        cell = (table.row_index("收入合计"), table.col_index("收入 / 金额"))
        screen.open_form(screen.session.doc.path, "fiscal_summary", cell)
        await settle(pilot)
        await pilot.press("e")

    app = app_for(doc_a, tmp_path=tmp_path)
    assert snap_compare(app, terminal_size=(120, 40), run_before=prepared(then=to_cell))


def test_quit_dialog(snap_compare: Compare, doc_a: Path, tmp_path: Path) -> None:
    """Save / Discard / Cancel after an edit; the status bar shows the unsaved marker."""

    async def quit_now(pilot: Pilot[Any]) -> None:
        # Toasts stay drawn on the screen under a dialog: clear them before it opens.
        pilot.app.clear_notifications()
        await pilot.pause()
        await pilot.press("q")

    app = app_for(doc_a, tmp_path=tmp_path)
    assert snap_compare(app, terminal_size=(120, 40), run_before=prepared("n", "a", then=quit_now))


def test_search(snap_compare: Compare, doc_a: Path, tmp_path: Path) -> None:
    """Search bar open, matching cells and source lines highlighted, cursor on the first match."""
    app = app_for(doc_a, tmp_path=tmp_path)
    assert snap_compare(app, terminal_size=(120, 40), run_before=prepared("slash", *"1,352.27", "enter"))


def test_help_panel_light_theme(snap_compare: Compare, doc_a: Path, tmp_path: Path) -> None:
    """The generated help panel for the table, in the light theme."""

    async def light(pilot: Pilot[Any]) -> None:
        pilot.app.theme = "textual-light"

    app = app_for(doc_a, tmp_path=tmp_path)
    assert snap_compare(app, terminal_size=(140, 40), run_before=prepared("question_mark", then=light))


def test_preview_of_a_long_document(
    snap_compare: Compare, long_doc: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long document shown from its first lines while it is read whole (held until the
    picture is taken)."""
    go_on = threading.Event()
    whole_open = Workspace.open

    def held_open(self: Workspace, path: str) -> ReviewSession:
        go_on.wait(timeout=60)
        return whole_open(self, path)

    monkeypatch.setattr(Workspace, "open", held_open)

    async def shown(pilot: Pilot[Any]) -> None:
        await until_preview(pilot)
        await pilot.pause(0.2)

    app = app_for(long_doc, tmp_path=tmp_path)
    export = app.export_screenshot

    def export_then_go_on(*args: Any, **kwargs: Any) -> str:
        try:
            return export(*args, **kwargs)
        finally:
            go_on.set()  # the app exits next: it waits for the loader

    monkeypatch.setattr(app, "export_screenshot", export_then_go_on)
    try:
        assert snap_compare(app, terminal_size=(120, 30), run_before=shown)
    finally:
        go_on.set()

"""Every key binding is pressed once with a visible effect (no dead keys); keymap, theme, palette."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.widgets import HelpPanel, Input

from budget_tui.app import BudgetApp, binding_ids
from budget_tui.commands import JumpProvider
from budget_tui.screens.edit_cell import EditCellScreen
from budget_tui.screens.review import ReviewScreen
from budget_tui.screens.save_changes import SaveChangesScreen
from budget_tui.widgets.search_bar import SearchBar
from tests.ui.conftest import SIZE, app_for, focused, review, settle, top

GRID_IDS = {i for i in binding_ids() if i.startswith("grid.")}
"""The grid's own keys are exercised in test_grid.py (owned with the widget)."""
ELSEWHERE = {
    "restored.keep",
    "restored.discard",
    "review.edit-header",
    "review.reassign-rows",
    "prompt.cancel",
}
"""Pressed in test_app.py: restored.* in test_unsaved_edits_survive_a_restart (they need a
crashed session), the structural repairs in test_structural_repairs_by_keyboard."""


async def test_every_binding_does_something(doc_a: Path, tmp_path: Path) -> None:
    pressed: set[str] = set()
    app = app_for(doc_a, tmp_path=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = review(pilot)
        session = screen.session
        assert session is not None

        async def press(binding_id: str, key: str) -> None:
            pressed.add(binding_id)
            await pilot.press(key)
            await settle(pilot)

        # review screen -------------------------------------------------------------------
        await press("review.next-failure", "n")
        first = (screen.form_id, screen.grid.cursor_row, screen.grid.cursor_col)
        assert first[0] is not None and (first[1], first[2]) in session.failing_cells(first[0])
        await press("review.next-failure", "n")
        await press("review.previous-failure", "N")
        assert (screen.form_id, screen.grid.cursor_row, screen.grid.cursor_col) == first
        await press("review.edit-cell", "e")
        assert isinstance(app.screen, EditCellScreen)
        await press("edit.cancel", "escape")
        assert top(app) is screen
        await press("review.edit-cell", "e")
        await press("edit.shift-left", "alt+left")
        await press("review.undo", "u")
        await press("review.edit-cell", "e")
        await press("edit.shift-right", "alt+right")
        await press("review.undo", "u")
        store = session.store
        assert store is not None and not store.corrections
        await press("review.apply-fix", "a")
        assert len(store.corrections) == 1
        await press("review.undo", "u")
        assert not store.corrections and store.can_redo
        await press("review.redo", "ctrl+r")
        assert len(store.corrections) == 1 and not store.can_redo
        await press("review.next-failure", "n")
        await press("review.publish-as-is", "p")
        assert session.accepted
        await press("review.cycle-status", "r")
        assert screen.form_id is not None and session.status(screen.form_id) == "reviewed"
        await press("review.copy-cell", "y")
        assert app.clipboard is not None
        await press("review.toggle-source", "v")
        assert not screen.source.display
        await press("review.toggle-source", "v")
        await press("review.search", "slash")
        bar = screen.query_one(SearchBar)
        assert not bar.has_class("-hidden")
        await pilot.press(*"0")
        before = (screen.grid.cursor_row, screen.grid.cursor_col)
        await press("search.next", "enter")
        await press("search.next-alt", "down")
        await press("search.previous", "up")
        await press("search.previous", "shift+enter")
        assert (
            screen.model is not None
            and (screen.grid.cursor_row, screen.grid.cursor_col) in screen.model.matches
        )
        assert (screen.grid.cursor_row, screen.grid.cursor_col) != before or len(screen.model.matches) == 1
        await press("search.close", "escape")
        assert bar.has_class("-hidden")
        await press("review.save", "ctrl+s")
        assert not session.dirty

        # app --------------------------------------------------------------------------------
        await press("app.help", "question_mark")
        assert screen.query(HelpPanel)
        await press("app.help", "f1")
        assert not screen.query(HelpPanel)
        await press("app.focus-next", "tab")
        assert focused(app) is screen.source
        await press("app.focus-previous", "shift+tab")
        assert focused(app) is screen.grid

        # navigator ----------------------------------------------------------------------------
        tree = screen.navigator.department_tree
        tree.focus()
        tree.cursor_line = 0
        await press("navigator.cursor-down", "j")
        assert tree.cursor_line == 1
        await press("navigator.cursor-up", "k")
        assert tree.cursor_line == 0
        await press("navigator.cursor-down", "j")
        await press("navigator.toggle-node", "l")
        assert tree.cursor_node is not None and not tree.cursor_node.is_expanded
        await press("navigator.toggle-node", "l")
        await press("navigator.cursor-down", "j")
        await press("navigator.cursor-parent", "h")
        assert tree.cursor_line == 1
        await press("navigator.filter", "slash")
        assert isinstance(focused(app), Input)
        await pilot.press("x", "y", "z")
        await press("navigator.clear-filter", "escape")
        assert focused(app) is tree and not screen.navigator.query_text
        await press("navigator.failing-only", "f")
        assert screen.navigator.failing_only
        await press("navigator.failing-only", "f")

        # findings -----------------------------------------------------------------------------
        findings = screen.findings
        findings.focus()
        findings.highlighted = 0
        await press("findings.cursor-down", "j")
        assert findings.highlighted == 1
        await press("findings.cursor-up", "k")
        assert findings.highlighted == 0

        # quitting ------------------------------------------------------------------------------
        screen.grid.focus()
        await press("review.cycle-status", "r")
        assert session.dirty
        await press("app.quit", "q")
        assert isinstance(app.screen, SaveChangesScreen)
        await press("quit.cancel", "escape")
        await press("app.quit-now", "ctrl+q")
        await press("quit.cancel", "c")
        assert top(app) is screen
        await press("app.quit", "q")
        await press("quit.discard", "d")
    assert app.return_code == 0

    app = app_for(doc_a, tmp_path=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = review(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert screen.session is not None and screen.session.dirty
        await pilot.press("q")
        await pilot.pause()
        pressed.add("quit.save")
        await pilot.press("s")
        await pilot.pause()
    assert not app.is_running
    missing = binding_ids() - GRID_IDS - ELSEWHERE - pressed
    assert not missing, f"bindings never pressed: {sorted(missing)}"


async def test_keymap_from_config(doc_a: Path, tmp_path: Path, private_config: Path) -> None:
    private_config.parent.mkdir(parents=True, exist_ok=True)
    private_config.write_text(
        '[keymap]\n"review.edit-cell" = "f2"\n"no.such-binding" = "x"\n', encoding="utf-8"
    )
    app = app_for(doc_a, tmp_path=tmp_path)
    assert app.config.keymap == {"review.edit-cell": "f2"}
    assert app.config.errors == [f"{private_config}: [keymap] unknown binding id 'no.such-binding'"]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = review(pilot)
        assert any("no.such-binding" in str(n.message) for n in app._notifications)
        await pilot.press("e")
        await pilot.pause()
        assert top(app) is screen
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, EditCellScreen)


async def test_theme_choice_persists(doc_a: Path, tmp_path: Path, private_config: Path) -> None:
    app = app_for(doc_a, tmp_path=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        app.action_toggle_dark()
        await pilot.pause()
        assert app.theme == "textual-light"
    assert tomllib.loads(private_config.read_text(encoding="utf-8"))["theme"] == "textual-light"
    again = app_for(doc_a, tmp_path=tmp_path)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.theme == "textual-light"


async def test_palette_jumps_and_lists_actions(docs: Path, tmp_path: Path) -> None:
    app = app_for(docs, tmp_path=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = review(pilot)
        titles = {c.title for c in app.get_system_commands(screen)}
        for binding in ReviewScreen.BINDINGS:
            assert binding.description in titles  # type: ignore[union-attr]
        assert {"Save screenshot (SVG)", "Toggle dark / light theme", "Quit", "Help"} <= titles
        provider = JumpProvider(screen)
        targets = list(provider._targets())
        assert any(t[0].startswith("Department 南阳") for t in targets)
        other = next(t for t in targets if t[3] == "income" and "南阳" in t[0])
        provider._open(other[2], other[3])
        await settle(pilot)
        assert screen.session is not None and screen.session.doc.path == other[2]
        assert screen.form_id == "income"
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"screenshot")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert list(tmp_path.glob("*.svg"))


@pytest.mark.parametrize("value", ["light", "[keymap]\nx = 1"])
def test_bad_config_is_one_line_error(tmp_path: Path, value: str) -> None:
    from budget_tui.config import load_config

    path = tmp_path / "config.toml"
    path.write_text(f"theme = {value}" if value == "light" else value, encoding="utf-8")
    config = load_config(path, binding_ids())
    assert len(config.errors) == 1 and "\n" not in config.errors[0] and str(path) in config.errors[0]


def test_binding_ids_are_unique_per_class() -> None:
    from budget_tui.app import BINDING_CLASSES

    for cls in BINDING_CLASSES:
        ids = [b.id for b in getattr(cls, "BINDINGS", []) if getattr(b, "id", None)]
        assert len(ids) == len(set(ids)), cls
        assert all(getattr(b, "id", None) for b in getattr(cls, "BINDINGS", [])), cls
    assert isinstance(BudgetApp.BINDINGS, list)

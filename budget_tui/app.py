"""`BudgetApp` and `make_app`: the review app, its app-wide keys, theme, keymap and quitting."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.screen import Screen
from textual.theme import Theme

from budget_tui.commands import JumpProvider
from budget_tui.config import Config, load_config, save_theme
from budget_tui.screens.edit_cell import EditCellScreen
from budget_tui.screens.prompt import PromptScreen
from budget_tui.screens.restored_edits import RestoredEditsScreen
from budget_tui.screens.review import ReviewScreen
from budget_tui.screens.review_base import ReviewBase
from budget_tui.screens.save_changes import Choice, SaveChangesScreen
from budget_tui.widgets.findings_list import FindingsList
from budget_tui.widgets.grid import DataGrid
from budget_tui.widgets.navigator import DepartmentTree, Navigator
from budget_tui.widgets.search_bar import SearchInput
from budget_tui.workspace import Workspace

DARK, LIGHT = "textual-dark", "textual-light"


class BudgetApp(App[None]):
    """Review OCR-extracted budget tables: navigate, check, correct, save."""

    TITLE = "budget-tui"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {JumpProvider}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (140, "-wide")]  # noqa: RUF012 - Textual's own declaration
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]  # noqa: RUF012

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "request_quit", "Quit", id="app.quit"),
        Binding("ctrl+q", "request_quit", "Quit", show=False, priority=True, id="app.quit-now"),
        Binding(
            "question_mark,f1", "toggle_help", "Help", id="app.help", tooltip="Keys and help for this pane"
        ),
        Binding("tab", "app.focus_next", "Next pane", show=False, id="app.focus-next"),
        Binding("shift+tab", "app.focus_previous", "Previous pane", show=False, id="app.focus-previous"),
    ]

    def __init__(
        self,
        workspace: Workspace,
        config: Config,
        *,
        screenshot_dir: Path | None = None,
    ) -> None:
        """Create the app (use `make_app`).

        Args:
            workspace: The corpus to review.
            config: Settings (theme, keymap) and their errors.
            screenshot_dir: Where palette screenshots go (default: the working folder).
        """
        super().__init__()
        self.workspace = workspace
        self.config = config
        self.screenshot_dir = screenshot_dir or Path.cwd()
        if config.keymap:
            self.set_keymap(config.keymap)

    def get_default_screen(self) -> Screen[None]:
        """The review screen."""
        return ReviewScreen(self.workspace)

    def on_mount(self) -> None:
        """Apply the saved theme, report config errors, persist later theme changes."""
        if self.config.theme in self.available_themes:
            self.theme = self.config.theme
        else:
            self.notify(
                f"{self.config.path}: unknown theme {self.config.theme!r}", severity="warning", markup=False
            )
        for error in self.config.errors:
            self.notify(error, title="Config", severity="error", timeout=10, markup=False)
        self.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, theme: Theme) -> None:
        try:
            save_theme(self.config.path, theme.name)
        except OSError as exc:
            self.notify(f"Theme not saved: {exc}", severity="warning", markup=False)

    # Actions -------------------------------------------------------------------------------

    def action_toggle_help(self) -> None:
        """Show or hide the keys and help panel of the focused pane."""
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def action_toggle_dark(self) -> None:
        """Switch between the dark and the light theme (the choice is saved)."""
        self.theme = LIGHT if self.current_theme.dark else DARK

    def action_save_screenshot(self) -> None:
        """Save an SVG screenshot of the screen and say where."""
        try:
            path = self.save_screenshot(path=str(self.screenshot_dir))
        except OSError as exc:
            self.notify(f"Screenshot not saved: {exc}", severity="error", markup=False)
            return
        self.notify(f"Screenshot saved to {path}", timeout=6, markup=False)

    def action_request_quit(self) -> None:
        """Quit, asking Save / Discard / Cancel when there are unsaved edits."""
        dirty = [s for s in self.workspace.sessions if s.dirty]
        if not dirty:
            self.exit()
            return
        names = [Path(s.doc.path).name for s in dirty]
        self.push_screen(SaveChangesScreen(names), self._quit_choice)

    def _quit_choice(self, choice: Choice | None) -> None:
        if choice in ("save", "discard") and isinstance(self.screen, ReviewBase):
            self.screen.finish(save=choice == "save")

    # Command palette -----------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Theme, screenshot and every action of the screen and the app, with its key."""
        for command in super().get_system_commands(screen):
            if command.title not in ("Screenshot", "Quit"):
                yield command
        yield SystemCommand(
            "Toggle dark / light theme", "Switch theme (the choice is saved)", self.action_toggle_dark
        )
        yield SystemCommand(
            "Save screenshot (SVG)",
            "Write an SVG picture of the screen (for bug reports)",
            self.action_save_screenshot,
        )
        seen: set[str] = set()
        for node, binding in _bindings(screen, self):
            if binding.id in seen or binding.id is None:
                continue
            seen.add(binding.id)
            key = self.get_key_display(binding)
            help_text = f"{binding.tooltip or binding.description} — {key}"
            yield SystemCommand(
                binding.description, help_text, partial(self.run_action, binding.action, node)
            )


def _bindings(screen: Screen[Any], app: App[Any]) -> Iterable[tuple[DOMNode, Binding]]:
    """The screen's and the app's own bindings (the palette's action list)."""
    nodes: tuple[DOMNode, ...] = (screen, app)
    for node in nodes:
        for bindings in node._bindings.key_to_bindings.values():
            for binding in bindings:
                yield node, binding


BINDING_CLASSES: tuple[type, ...] = (
    BudgetApp,
    ReviewScreen,
    Navigator,
    DepartmentTree,
    DataGrid,
    FindingsList,
    SearchInput,
    EditCellScreen,
    PromptScreen,
    SaveChangesScreen,
    RestoredEditsScreen,
)


def binding_ids() -> frozenset[str]:
    """Every binding id a user may remap in ``[keymap]``."""
    ids: set[str] = set()
    for cls in BINDING_CLASSES:
        for binding in getattr(cls, "BINDINGS", []):
            if isinstance(binding, Binding) and binding.id:
                ids.add(binding.id)
    return frozenset(ids)


def make_app(
    paths: Sequence[str | Path],
    *,
    reviewer: str | None = None,
    review_dir: str | Path | None = None,
    read_only: bool = False,
    config_path: Path | None = None,
    screenshot_dir: Path | None = None,
) -> BudgetApp:
    """Build the review app for files and folders.

    Args:
        paths: Files or folders of documents.
        reviewer: Name recorded with corrections (default: the OS user).
        review_dir: Where corrections are kept (default: beside the sources).
        read_only: Look without being able to edit.
        config_path: Settings file (default: ``$BUDGET_TUI_CONFIG`` or the user config dir).
        screenshot_dir: Where palette screenshots go (default: the working folder).
    """
    config = load_config(config_path, binding_ids())
    workspace = Workspace(
        [str(p) for p in paths],
        reviewer=reviewer,
        review_dir=str(review_dir) if review_dir is not None else None,
        read_only=read_only,
    )
    return BudgetApp(workspace, config, screenshot_dir=screenshot_dir)

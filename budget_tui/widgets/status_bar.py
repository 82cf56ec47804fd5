"""`StatusBar`: the cursor cell (value, printed text, source line) and the save state, above the footer."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from budget_tui.widgets.grid import printable


def short_path(path: str, keep: int = 2) -> str:
    """The last ``keep`` parts of a path, with ``…/`` in front when parts were left out."""
    parts = Path(path).parts
    return path if len(parts) <= keep + 1 else str(Path("…", *parts[-keep:]))


class StatusBar(Horizontal):
    """Two parts: where the cursor is (left) and unsaved / saved / read-only (right)."""

    unsaved: reactive[int] = reactive(0)
    """Documents with unsaved edits."""
    saved_to: reactive[str] = reactive("")
    """Where the last save went."""
    read_only: reactive[bool] = reactive(False)

    def compose(self) -> ComposeResult:
        """The cell part and the state part."""
        yield Static("", id="status-cell", markup=False)
        yield Static("", id="status-state", markup=False)

    def show_cell(self, where: str, text: str, printed: str | None, line: int | None) -> None:
        """Describe the cursor cell.

        Args:
            where: Row and column, e.g. ``合计 › 本年收入``.
            text: The cell's text.
            printed: The source text when the cell is corrected.
            line: Its source line.
        """
        parts: list[str | tuple[str, str]] = [(printable(where), "bold"), "  "]
        parts.append((printable(text) or "(blank)", "" if text else "$text-muted"))
        if printed is not None:
            parts += ["  ", (f"printed {printable(printed) or '(blank)'}", "$text-success")]
        if line:
            parts += ["  ", (f"L{line}", "$text-muted")]
        # The cell part has a fixed size: skipping the layout pass keeps cursor moves cheap.
        self.query_one("#status-cell", Static).update(Content.assemble(*parts), layout=False)

    def show_text(self, text: str) -> None:
        """Show a plain message in the cell part."""
        self.query_one("#status-cell", Static).update(Content(printable(text)), layout=False)

    def _render_state(self) -> None:
        if not self.is_mounted:
            return
        parts: list[str | tuple[str, str]] = []
        if self.read_only:
            parts.append(("read-only ", "$text-warning bold"))
        if self.unsaved:
            parts.append(
                (f"● unsaved ({self.unsaved} doc{'s' if self.unsaved > 1 else ''})", "$text-warning bold")
            )
        elif self.saved_to:
            parts.append((f"saved → {printable(short_path(self.saved_to))}", "$text-success"))
        self.query_one("#status-state", Static).update(Content.assemble(*parts))

    def on_mount(self) -> None:
        """Draw the initial state."""
        self._render_state()

    def watch_unsaved(self) -> None:
        """Redraw the state."""
        self._render_state()

    def watch_saved_to(self) -> None:
        """Redraw the state."""
        self._render_state()

    def watch_read_only(self) -> None:
        """Redraw the state."""
        self._render_state()

"""`StatusBar`: the cursor cell (value, printed text, source line) and the save state, above the footer."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from budget_tui.widgets.grid import printable


def short_path(path: str, keep: int = 2) -> str:
    """The last ``keep`` parts of a path, with ``…/`` in front when parts were left out."""
    parts = Path(path).parts
    return path if len(parts) <= keep + 1 else str(Path("…", *parts[-keep:]))


Part = tuple[str, str]
"""Text and the name of its style (``""``, ``bold``, ``muted`` or ``success``)."""


class CellLine(Widget):
    """One line of text drawn with the Line API: the cursor cell changes on every key press,
    and a `Static` would rebuild its content pipeline each time."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"cell-line--muted", "cell-line--success"}

    DEFAULT_CSS = """
    CellLine {
        height: 1;
        & > .cell-line--muted { color: $text-muted; }
        & > .cell-line--success { color: $text-success; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's own keyword
        """Create an empty line.

        Args:
            id: Widget id.
        """
        super().__init__(id=id)
        self._parts: list[Part] = []
        self._strip: Strip | None = None

    def set_parts(self, parts: list[Part]) -> None:
        """Show new text (printable, never markup), redrawing only this line."""
        if parts != self._parts:
            self._parts = parts
            self._strip = None
            self.refresh()

    @property
    def text(self) -> str:
        """The plain text shown."""
        return "".join(text for text, _ in self._parts)

    def render(self) -> Content:
        """The text (for `render_line`'s fallbacks and for tests)."""
        return Content(self.text)

    def notify_style_update(self) -> None:
        """Redraw with the new theme."""
        self._strip = None
        super().notify_style_update()

    def render_line(self, y: int) -> Strip:
        """The line, cut with an ellipsis when it does not fit."""
        width = self.size.width
        if y or width <= 0:
            return Strip.blank(width, self.rich_style)
        if self._strip is not None and self._strip.cell_length == width:
            return self._strip
        base = self.rich_style
        styles = {
            "": base,
            "bold": base + Style(bold=True),
            # Not partial: an `auto` colour (the light theme's muted text) needs the background.
            "muted": base + self.get_component_rich_style("cell-line--muted"),
            "success": base + self.get_component_rich_style("cell-line--success"),
        }
        segments = [Segment(text, styles[name]) for text, name in self._parts if text]
        strip = Strip(segments)
        if strip.cell_length > width:
            strip = Strip([*strip.crop(0, width - 1), Segment("…", base)])
        self._strip = strip.extend_cell_length(width, base)
        return self._strip


class StatusBar(Horizontal):
    """Two parts: where the cursor is (left) and unsaved / saved / read-only (right)."""

    unsaved: reactive[int] = reactive(0)
    """Documents with unsaved edits."""
    saved_to: reactive[str] = reactive("")
    """Where the last save went."""
    read_only: reactive[bool] = reactive(False)

    def compose(self) -> ComposeResult:
        """The cell part and the state part."""
        yield CellLine(id="status-cell")
        yield Static("", id="status-state", markup=False)

    def show_cell(self, where: str, text: str, printed: str | None, line: int | None) -> None:
        """Describe the cursor cell.

        Args:
            where: Row and column, e.g. ``合计 › 本年收入``.
            text: The cell's text.
            printed: The source text when the cell is corrected.
            line: Its source line.
        """
        parts: list[Part] = [(printable(where), "bold"), ("  ", "")]
        parts.append((printable(text) or "(blank)", "" if text else "muted"))
        if printed is not None:
            parts += [("  ", ""), (f"printed {printable(printed) or '(blank)'}", "success")]
        if line:
            parts += [("  ", ""), (f"L{line}", "muted")]
        self._cell.set_parts(parts)

    def show_text(self, text: str) -> None:
        """Show a plain message in the cell part."""
        self._cell.set_parts([(printable(text), "")])

    @property
    def _cell(self) -> CellLine:
        return self.query_one("#status-cell", CellLine)

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

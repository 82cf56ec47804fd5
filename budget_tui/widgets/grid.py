"""A fast virtual data grid on Textual's Line API, for large OCR-extracted tables.

`DataGrid` draws only the rows that are on screen (``render_line``), so first paint costs the same at
20 rows as at 20,000. Document text is never parsed as markup: cells become `Segment`s with `Style`
objects, and control characters are replaced by U+FFFD before they reach the terminal.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.signal import Signal
from textual.strip import Strip

MIN_WIDTH = 3
"""Narrowest column, in terminal cells."""
MAX_WIDTH = 24
"""Widest column, in terminal cells; longer text is cut with an ellipsis."""
SAMPLE_ROWS = 200
"""How many leading rows are measured to size the columns."""
SAMPLE_TAIL_ROWS = 20
"""How many trailing rows are measured too: row numbers and running totals grow towards the end."""
STATES = ("failing", "corrected", "outlined", "match", "warning")
"""Cell states a model may report, in the order their styles are layered (later wins)."""

_PAD = 1
"""Blank cells either side of a cell's text."""
_CHROME = 2 * _PAD + 1
"""Cells a column adds to its text width: padding plus the separator on its right."""
_SEPARATOR = "│"
_ELLIPSIS = "…"
_REPLACEMENT = "\ufffd"


class GridModel(Protocol):
    """What `DataGrid` reads its data from; the app owns the model and decides cell states."""

    @property
    def row_count(self) -> int:
        """Number of data rows."""

    @property
    def col_count(self) -> int:
        """Number of data columns (not counting the row-label column)."""

    def header_levels(self) -> list[list[str]]:
        """Header rows, outermost first (0-4 of them), each `col_count` long.

        An empty string continues the span of the label to its left, within its parent's span.
        """

    def cell_text(self, row: int, col: int) -> str:
        """Text of one cell, shown literally."""

    def row_label(self, row: int) -> str:
        """Text of the frozen label column for `row`."""

    def is_numeric(self, col: int) -> bool:
        """Whether `col` holds numbers (right-aligned)."""

    def cell_state(self, row: int, col: int) -> str:
        """Space-separated states of a cell among `STATES`, or ``""``."""


class _EmptyModel:
    """A model with no rows and no columns, used until `DataGrid.set_model` is called."""

    row_count = 0
    col_count = 0

    def header_levels(self) -> list[list[str]]:
        return []

    def cell_text(self, row: int, col: int) -> str:
        return ""

    def row_label(self, row: int) -> str:
        return ""

    def is_numeric(self, col: int) -> bool:
        return False

    def cell_state(self, row: int, col: int) -> str:
        return ""


def printable(text: str) -> str:
    """Replace characters a terminal could act on by U+FFFD.

    Everything that is not `str.isprintable` is replaced, except space separators such as the
    ideographic space U+3000, which Chinese documents use as ordinary blanks.

    Args:
        text: Document text.

    Returns:
        Text safe to write to a terminal.
    """
    if text.isprintable():
        return text
    return "".join(
        ch if ch.isprintable() or unicodedata.category(ch) == "Zs" else _REPLACEMENT for ch in text
    )


def fit(text: str, width: int, align: str = "left") -> str:
    """Pad or cut text to exactly `width` terminal cells.

    Args:
        text: Printable text (see `printable`).
        width: Target width in cells.
        align: ``"left"``, ``"right"`` or ``"center"``.

    Returns:
        Text whose `cell_len` is `width`; cut text ends with an ellipsis.
    """
    size = cell_len(text)
    if size > width:
        return set_cell_size(text, width - 1) + _ELLIPSIS if width > 0 else ""
    gap = width - size
    if align == "right":
        return " " * gap + text
    if align == "center":
        left = gap // 2
        return " " * left + text + " " * (gap - left)
    return text + " " * gap


def header_spans(levels: Sequence[Sequence[str]], col_count: int) -> list[list[tuple[int, int, str]]]:
    """Split header rows into spans.

    A label spans right over the empty cells after it, but never past the end of its parent's span
    (the span above it). Leading empty cells of a parent span form a blank span.

    Args:
        levels: Header rows, outermost first.
        col_count: Number of columns.

    Returns:
        Per level, ``(first_col, last_col, label)`` triples covering every column once.
    """
    starts: set[int] = {0} if col_count else set()
    result: list[list[tuple[int, int, str]]] = []
    for level in levels:
        labels = [printable(level[i].strip()) if i < len(level) else "" for i in range(col_count)]
        starts |= {i for i, label in enumerate(labels) if label}
        ordered = sorted(starts)
        ends = [*(s - 1 for s in ordered[1:]), col_count - 1]
        result.append([(a, b, labels[a]) for a, b in zip(ordered, ends, strict=True)])
    return result


class DataGrid(ScrollView, can_focus=True):
    """A virtual grid with a frozen label column, multi-level headers and a cell cursor."""

    HELP: ClassVar[str] = """
## Data grid

Shows one table: a frozen label column on the left, spanning header rows on top, and one cell under
the cursor. Only the rows on screen are drawn, so very long tables scroll as fast as short ones.

- **Move**: arrow keys or `h` `j` `k` `l`; `PgUp`/`PgDn` by a screen; `Home`/`End` to the first/last
  column; `Ctrl+Home`/`Ctrl+End` to the first/last row. Clicking a cell moves the cursor there.
- **Enter** or a double click opens the cell under the cursor.
- Colours: *failing* checks in red, *warnings* in yellow, *corrected* (pending) values in green,
  *search matches* highlighted, *outlined* cells underlined.
- Text is shown exactly as in the document; control characters appear as `\ufffd`.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False, id="grid.cursor-up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="grid.cursor-down"),
        Binding("left,h", "cursor_left", "Left", show=False, id="grid.cursor-left"),
        Binding("right,l", "cursor_right", "Right", show=False, id="grid.cursor-right"),
        Binding("pageup", "cursor_page_up", "Page up", show=False, id="grid.page-up"),
        Binding("pagedown", "cursor_page_down", "Page down", show=False, id="grid.page-down"),
        Binding("home", "cursor_first_col", "First column", show=False, id="grid.first-column"),
        Binding("end", "cursor_last_col", "Last column", show=False, id="grid.last-column"),
        Binding("ctrl+home", "cursor_first_row", "First row", show=False, id="grid.first-row"),
        Binding("ctrl+end", "cursor_last_row", "Last row", show=False, id="grid.last-row"),
        Binding("enter", "activate_cell", "Open cell", show=False, id="grid.activate-cell"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "data-grid--header",
        "data-grid--label",
        "data-grid--separator",
        "data-grid--cursor",
        "data-grid--cursor-row",
        *(f"data-grid--{state}" for state in STATES),
    }

    DEFAULT_CSS = """
    DataGrid {
        background: $surface;
        color: $foreground;
        &:focus { background-tint: $foreground 5%; }
        & > .data-grid--header { background: $panel; color: $foreground; text-style: bold; }
        & > .data-grid--label { background: $panel; color: $text-muted; }
        & > .data-grid--separator { color: $foreground 25%; }
        & > .data-grid--cursor-row { background: $boost; }
        & > .data-grid--failing { background: $error-muted; color: $text-error; }
        & > .data-grid--warning { background: $warning-muted; color: $text-warning; }
        & > .data-grid--corrected { background: $success-muted; color: $text-success; text-style: italic; }
        & > .data-grid--match { background: $accent-muted; }
        & > .data-grid--outlined { color: $text-accent; text-style: bold underline; }
        & > .data-grid--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .data-grid--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
    }
    """

    cursor_row: reactive[int] = reactive(0, repaint=False, init=False)
    """Row of the cursor cell (0-based data row)."""
    cursor_col: reactive[int] = reactive(0, repaint=False, init=False)
    """Column of the cursor cell (0-based data column)."""

    @dataclass
    class CursorMoved(Message):
        """The cursor moved to another cell."""

        grid: DataGrid
        """The grid whose cursor moved."""
        row: int
        """New cursor row."""
        col: int
        """New cursor column."""

        @property
        def control(self) -> DataGrid:
            """The grid that sent the message (for `@on` selectors)."""
            return self.grid

    @dataclass
    class CellActivated(Message):
        """Enter was pressed on a cell, or the cell was double-clicked."""

        grid: DataGrid
        """The grid that sent the message."""
        row: int
        """Row of the activated cell."""
        col: int
        """Column of the activated cell."""

        @property
        def control(self) -> DataGrid:
            """The grid that sent the message (for `@on` selectors)."""
            return self.grid

    @dataclass
    class Painted(Message):
        """A frame drew the grid for the first time since its model was set (or a notice was
        asked for with `notify_next_paint`): work that would compete with that frame can start."""

        grid: DataGrid
        """The grid that was drawn."""

        @property
        def control(self) -> DataGrid:
            """The grid that sent the message (for `@on` selectors)."""
            return self.grid

    def __init__(
        self,
        model: GridModel | None = None,
        *,
        name: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's own keyword
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        """Create a grid.

        Args:
            model: Data to show; an empty grid when `None`.
            name: Widget name.
            id: Widget id.
            classes: CSS classes.
            disabled: Whether the widget starts disabled.
        """
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._model: GridModel = _EmptyModel()
        self._widths: list[int] = []
        self._offsets: list[int] = []
        self._total_width = 0
        self._label_width = MIN_WIDTH
        self._numeric: list[bool] = []
        self._spans: list[list[tuple[int, int, str]]] = []
        self._line_cache: LRUCache[tuple[object, ...], Strip] = LRUCache(1024)
        self._state_names: dict[str, tuple[str, ...]] = {}
        self._styles: dict[tuple[str, ...], Style] = {}
        self._paint_notice = False
        self.cursor_signal: Signal[DataGrid] = Signal(self, "cursor")
        """Published, synchronously, whenever `CursorMoved` is posted: a subscriber's update
        then lands in the same frame as the grid's own instead of one frame later."""
        if model is not None:
            self.set_model(model)

    # Model -------------------------------------------------------------------------------------

    @property
    def model(self) -> GridModel:
        """The model being shown."""
        return self._model

    @property
    def header_height(self) -> int:
        """Number of frozen header rows."""
        return len(self._spans)

    @property
    def label_width(self) -> int:
        """Width of the frozen label column, padding and separator included."""
        return self._label_width + _CHROME

    @property
    def column_widths(self) -> list[int]:
        """Text width of each column in cells (padding and separator not included)."""
        return list(self._widths)

    def clear(self) -> None:
        """Show nothing (no rows, no columns)."""
        self.set_model(_EmptyModel())

    def set_model(self, model: GridModel, *, sample_rows: Iterable[int] = ()) -> None:
        """Show another model, measure its columns and put the cursor on the first cell.

        The reset cursor is not reported by `CursorMoved`: the caller knows it just swapped the model.

        Args:
            model: The new data.
            sample_rows: Rows to measure in addition to the first `SAMPLE_ROWS` and the last
                `SAMPLE_TAIL_ROWS`.
        """
        self._model = model
        levels = model.header_levels()
        cols = model.col_count
        self._numeric = [model.is_numeric(c) for c in range(cols)]
        self._spans = header_spans(levels, cols)
        self._widths = [MIN_WIDTH] * cols
        self._label_width = MIN_WIDTH
        for spans in self._spans:
            for a, b, label in spans:
                if a == b:
                    self._widths[a] = max(self._widths[a], min(cell_len(label), MAX_WIDTH))
        count = model.row_count
        head = range(min(SAMPLE_ROWS, count))
        tail = range(max(len(head), count - SAMPLE_TAIL_ROWS), count)
        self._measure_rows([*head, *tail, *sample_rows])
        self._widen_for_spans()
        self._layout()
        self.set_reactive(DataGrid.cursor_row, 0)
        self.set_reactive(DataGrid.cursor_col, 0)
        self._paint_notice = True
        if self.is_mounted:
            self.scroll_to(0, 0, animate=False, force=True)
            self.refresh()

    def refresh_model(self, *, rows: Iterable[int] = ()) -> None:
        """Redraw after the model changed in place (an edit, new cell states).

        Args:
            rows: Rows whose text changed; only these are measured, and columns only ever widen.
        """
        self._measure_rows(rows)
        self._layout()
        row, col = self._clamp(self.cursor_row, self.cursor_col)
        if (row, col) != (self.cursor_row, self.cursor_col):
            self.move_cursor(row, col)
        self.refresh()

    def _measure_rows(self, rows: Iterable[int]) -> None:
        model = self._model
        widths = self._widths
        cols = range(model.col_count)
        label_width = self._label_width
        for row in rows:
            if not 0 <= row < model.row_count:
                continue
            label_width = max(label_width, cell_len(printable(model.row_label(row))))
            for col in cols:
                size = cell_len(printable(model.cell_text(row, col)))
                if size > widths[col]:
                    widths[col] = min(size, MAX_WIDTH)
        self._label_width = min(label_width, MAX_WIDTH)

    def _widen_for_spans(self) -> None:
        widths = self._widths
        for spans in self._spans:
            for a, b, label in spans:
                if a == b:
                    continue
                inner = sum(widths[a : b + 1]) + _CHROME * (b - a)
                missing = cell_len(label) - inner
                if missing > 0:
                    widths[b] = min(widths[b] + missing, MAX_WIDTH)

    def _layout(self) -> None:
        offsets: list[int] = []
        x = 0
        for width in self._widths:
            offsets.append(x)
            x += width + _CHROME
        self._offsets = offsets
        self._total_width = x
        self._line_cache.clear()
        self.virtual_size = Size(self.label_width + x, self.header_height + self._model.row_count)

    # Cursor ------------------------------------------------------------------------------------

    def validate_cursor_row(self, row: int) -> int:
        """Keep the cursor row inside the table."""
        return self._clamp(row, 0)[0]

    def validate_cursor_col(self, col: int) -> int:
        """Keep the cursor column inside the table."""
        return self._clamp(0, col)[1]

    def watch_cursor_row(self, old: int, new: int) -> None:
        """Redraw and report a cursor row set directly."""
        self._cursor_changed(old, self.cursor_col, scroll=True)

    def watch_cursor_col(self, old: int, new: int) -> None:
        """Redraw and report a cursor column set directly."""
        self._cursor_changed(self.cursor_row, old, scroll=True)

    def _clamp(self, row: int, col: int) -> tuple[int, int]:
        rows, cols = self._model.row_count, self._model.col_count
        if not rows or not cols:
            # No cells at all (headers without rows count too): the cursor has nowhere to go.
            return 0, 0
        return max(0, min(row, rows - 1)), max(0, min(col, cols - 1))

    def move_cursor(self, row: int, col: int, *, scroll: bool = True) -> None:
        """Move the cursor (clamped to the table) and post `CursorMoved` if it moved.

        Args:
            row: Target data row.
            col: Target data column.
            scroll: Scroll so the cursor cell is visible.
        """
        old = (self.cursor_row, self.cursor_col)
        row, col = self._clamp(row, col)
        # set_reactive skips the watchers, so moving both axes posts one message, not two.
        self.set_reactive(DataGrid.cursor_row, row)
        self.set_reactive(DataGrid.cursor_col, col)
        if (row, col) != old:
            self._cursor_changed(*old, scroll=scroll)
        elif scroll:
            self.scroll_to_cursor()

    def _cursor_changed(self, old_row: int, old_col: int, *, scroll: bool) -> None:
        self._refresh_row(old_row)
        self._refresh_row(self.cursor_row)
        if scroll:
            self.scroll_to_cursor()
        self.cursor_signal.publish(self)
        self.post_message(self.CursorMoved(self, self.cursor_row, self.cursor_col))

    def _refresh_row(self, row: int) -> None:
        if self.is_mounted:
            # Only the row's cells: ScrollView.refresh_line spans the virtual width, which
            # also redraws the scrollbar beside the row and whatever lies past the grid.
            y = self.header_height + row - self.scroll_offset.y
            if 0 <= y < self.size.height:
                self.refresh(Region(0, y, self.scrollable_content_region.width, 1))

    def _viewport(self) -> Size:
        return self.scrollable_content_region.size

    def scroll_to_cursor(self) -> None:
        """Scroll the least distance that shows the cursor cell beside the frozen label and headers."""
        if not self._model.row_count or not self._model.col_count:
            return
        width, height = self._viewport()
        if not height:
            # Not laid out yet: the scroll limits are unknown, so try again after the first paint.
            self.call_after_refresh(self.scroll_to_cursor)
            return
        x, y = self.scroll_offset
        page = height - self.header_height
        row = self.cursor_row
        if row < y or page <= 0:
            y = row
        elif row >= y + page:
            y = row - page + 1
        room = width - self.label_width
        left = self._offsets[self.cursor_col]
        right = left + self._widths[self.cursor_col] + _CHROME
        if left < x or room <= 0:
            x = left
        elif right > x + room:
            x = min(left, right - room)
        if (x, y) != self.scroll_offset:
            self.scroll_to(x, y, animate=False, force=True)

    def _page(self) -> int:
        return max(1, self._viewport().height - self.header_height)

    def action_cursor_up(self) -> None:
        """Move the cursor one row up."""
        self.move_cursor(self.cursor_row - 1, self.cursor_col)

    def action_cursor_down(self) -> None:
        """Move the cursor one row down."""
        self.move_cursor(self.cursor_row + 1, self.cursor_col)

    def action_cursor_left(self) -> None:
        """Move the cursor one column left."""
        self.move_cursor(self.cursor_row, self.cursor_col - 1)

    def action_cursor_right(self) -> None:
        """Move the cursor one column right."""
        self.move_cursor(self.cursor_row, self.cursor_col + 1)

    def action_cursor_page_up(self) -> None:
        """Move the cursor up by one screen of rows."""
        self.move_cursor(self.cursor_row - self._page(), self.cursor_col)

    def action_cursor_page_down(self) -> None:
        """Move the cursor down by one screen of rows."""
        self.move_cursor(self.cursor_row + self._page(), self.cursor_col)

    def action_cursor_first_col(self) -> None:
        """Move the cursor to the first column."""
        self.move_cursor(self.cursor_row, 0)

    def action_cursor_last_col(self) -> None:
        """Move the cursor to the last column."""
        self.move_cursor(self.cursor_row, self._model.col_count - 1)

    def action_cursor_first_row(self) -> None:
        """Move the cursor to the first row."""
        self.move_cursor(0, self.cursor_col)

    def action_cursor_last_row(self) -> None:
        """Move the cursor to the last row."""
        self.move_cursor(self._model.row_count - 1, self.cursor_col)

    def action_activate_cell(self) -> None:
        """Post `CellActivated` for the cursor cell (nothing when the table is empty)."""
        if self._model.row_count and self._model.col_count:
            self.post_message(self.CellActivated(self, self.cursor_row, self.cursor_col))

    def cell_at(self, x: int, y: int) -> tuple[int | None, int | None]:
        """Find the cell under a point of the content area.

        Args:
            x: Column relative to the content area.
            y: Line relative to the content area.

        Returns:
            ``(row, col)``; `row` is None over the header, `col` is None over the label column,
            and both are None outside the table.
        """
        sx, sy = self.scroll_offset
        row: int | None = None
        col: int | None = None
        if y >= self.header_height:
            row = y - self.header_height + sy
            if row >= self._model.row_count:
                return None, None
        if x >= self.label_width:
            vx = x - self.label_width + sx
            if vx >= self._total_width:
                return None, None
            col = bisect_right(self._offsets, vx) - 1
        return row, col

    def on_click(self, event: events.Click) -> None:
        """Move the cursor to the clicked cell; a double click also activates it."""
        offset = event.get_content_offset(self)
        if offset is None:
            return
        row, col = self.cell_at(offset.x, offset.y)
        if row is None and col is None:
            return
        self.move_cursor(self.cursor_row if row is None else row, self.cursor_col if col is None else col)
        if event.chain == 2 and row is not None and col is not None:
            self.action_activate_cell()

    # Rendering ---------------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        """Drop cached lines when the theme or pseudo-classes change."""
        self._line_cache.clear()
        self._styles.clear()
        super().notify_style_update()

    def _style(self, names: tuple[str, ...] = ()) -> Style:
        # Widget.rich_style walks the ancestors on every call; a line needs a dozen styles.
        style = self._styles.get(names)
        if style is None:
            style = self.get_component_rich_style(*names) if names else self.rich_style
            self._styles[names] = style
        return style

    def _cell_names(self, state: str, cursor_row: bool, cursor: bool) -> tuple[str, ...]:
        names = self._state_names.get(state)
        if names is None:
            present = set(state.split())
            names = tuple(f"data-grid--{s}" for s in STATES if s in present)
            self._state_names[state] = names
        if cursor_row:
            names = ("data-grid--cursor-row", *names)
        if cursor:
            names = (*names, "data-grid--cursor")
        return names

    @property
    def paint_pending(self) -> bool:
        """Whether `Painted` is still to be posted (the grid has not drawn since it was asked)."""
        return self._paint_notice

    def notify_next_paint(self) -> None:
        """Post `Painted` after the next frame that draws the grid."""
        self._paint_notice = True
        self.refresh()

    def render_line(self, y: int) -> Strip:
        """Render one screen line: a header row or the data row scrolled to it."""
        if self._paint_notice:
            # Handled after this frame is written: the message queue waits for the render.
            self._paint_notice = False
            self.post_message(self.Painted(self))
        width = self._viewport().width
        sx, sy = self.scroll_offset
        row = y - self.header_height + sy if y >= self.header_height else None
        key: tuple[object, ...] = (y if row is None else None, row, sx, width, self.has_focus)
        if row is not None and row == self.cursor_row:
            key = (*key, self.cursor_col)
        strip = self._line_cache.get(key)
        if strip is None:
            if row is None:
                strip = self._header_line(y, sx, width)
            elif row < self._model.row_count:
                strip = self._row_line(row, sx, width)
            else:
                strip = Strip.blank(width, self._style())
            self._line_cache.set(key, strip)
        return strip

    def _join(
        self, frozen: list[Segment], body: list[Segment], body_width: int, left: int, width: int
    ) -> Strip:
        """Cut the scrolling part of a line to the room beside the frozen label column.

        Builds one `Strip` of known length: a line is drawn in a fraction of a millisecond only if it
        avoids the intermediate strips that crop/adjust/simplify would create.
        """
        label_width = self.label_width
        if width <= label_width:
            return Strip(frozen, label_width).crop(0, width)
        room = width - label_width
        if left or body_width > room:
            parts = list(Segment.divide(body, (left, left + room)))
            body = parts[1] if len(parts) > 1 else []
            body_width = min(max(0, body_width - left), room)
        if body_width < room:
            body.append(Segment(" " * (room - body_width), self._style()))
        return Strip([*frozen, *body], width)

    def _header_line(self, level: int, sx: int, width: int) -> Strip:
        header = self._style(("data-grid--header",))
        separator = self._style(("data-grid--header", "data-grid--separator"))
        frozen = [Segment(" " * (self.label_width - 1), header), Segment(_SEPARATOR, separator)]
        body: list[Segment] = []
        for a, b, label in self._spans[level]:
            inner = self._offsets[b] + self._widths[b] + 2 * _PAD - self._offsets[a]
            align = "center" if a != b else ("right" if self._numeric[a] else "left")
            text = fit(label, inner - 2 * _PAD, align)
            body += [Segment(f" {text} ", header), Segment(_SEPARATOR, separator)]
        return self._join(frozen, body, self._total_width, sx, width)

    def _row_line(self, row: int, sx: int, width: int) -> Strip:
        model = self._model
        cursor_col = self.cursor_col if row == self.cursor_row else None
        on_cursor_row = cursor_col is not None
        label_names = (
            ("data-grid--label", "data-grid--cursor-row") if on_cursor_row else ("data-grid--label",)
        )
        separator = self._style(("data-grid--separator",))
        text = fit(printable(model.row_label(row)), self._label_width)
        frozen = [Segment(f" {text} ", self._style(label_names)), Segment(_SEPARATOR, separator)]
        if on_cursor_row:
            separator = self._style(("data-grid--cursor-row", "data-grid--separator"))
        offsets, widths, numeric = self._offsets, self._widths, self._numeric
        first = max(0, bisect_right(offsets, sx) - 1)
        end = sx + max(0, width - self.label_width)
        body: list[Segment] = []
        col = first
        for col in range(first, len(offsets)):
            if offsets[col] >= end:
                break
            names = self._cell_names(model.cell_state(row, col), on_cursor_row, col == cursor_col)
            text = fit(printable(model.cell_text(row, col)), widths[col], "right" if numeric[col] else "left")
            body += [Segment(f" {text} ", self._style(names)), Segment(_SEPARATOR, separator)]
        else:
            col = len(offsets)
        start = offsets[first] if offsets else 0
        stop = offsets[col] if col < len(offsets) else self._total_width
        return self._join(frozen, body, stop - start, sx - start, width)

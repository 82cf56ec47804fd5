"""`SourceView`: the document's raw text with line numbers, the cursor cell's line and span highlighted."""

from __future__ import annotations

import heapq
import itertools
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from budget_tui.widgets.grid import printable

TAB = " │ "
"""How a tab (the extraction's cell separator) is drawn."""

Span = tuple[int, int]

TITLE_DELAY = 0.15
"""Seconds the cursor must rest before the ``Source L<n>`` title follows it."""


def display_width(line: str) -> int:
    """Terminal cells a source line takes once tabs are drawn as `TAB`."""
    return cell_len(printable(line.replace("\t", TAB)))


class SourceView(ScrollView, can_focus=True):
    """A read-only, virtual view of the source lines (only visible lines are drawn).

    Text is never parsed as markup: every line becomes plain `Segment`s, and control
    characters are shown as U+FFFD.
    """

    HELP: ClassVar[str] = """
## Source

The document's text exactly as extracted, with line numbers. Tabs (the cell separators) show
as `│`. The line of the cell under the table cursor is highlighted, and the cell's own text
in it; search matches are highlighted too.

- Scroll with the arrow keys, `PgUp`/`PgDn`, `Home`/`End`, or the mouse.
- `v` hides or shows this pane.
"""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "source-view--gutter",
        "source-view--gutter-current",
        "source-view--current",
        "source-view--span",
        "source-view--match",
        "source-view--tab",
    }

    DEFAULT_CSS = """
    SourceView {
        background: $surface;
        & > .source-view--gutter { color: $text-muted; background: $panel; }
        & > .source-view--gutter-current { color: $text-accent; background: $panel; text-style: bold; }
        & > .source-view--current { background: $boost; }
        & > .source-view--span { background: $accent-muted; color: $text-accent; text-style: bold; }
        & > .source-view--match { background: $warning-muted; }
        & > .source-view--tab { color: $foreground 30%; }
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        """Create an empty view.

        Args:
            id: Widget id.
            classes: CSS classes.
        """
        super().__init__(id=id, classes=classes)
        self._lines: list[str] = []
        self._gutter = 2
        self.current_line: int | None = None
        """1-based highlighted line."""
        self.span: Span | None = None
        """Character span highlighted in the current line."""
        self.matches: dict[int, list[Span]] = {}
        """0-based line -> character spans of search matches."""
        self._cache: LRUCache[tuple[object, ...], Strip] = LRUCache(512)
        self._generation = 0
        self._styles: dict[str, Style] = {}

    @property
    def lines(self) -> list[str]:
        """The lines shown (the document's own list)."""
        return self._lines

    @property
    def line_count(self) -> int:
        """Number of source lines."""
        return len(self._lines)

    def set_lines(self, lines: list[str]) -> None:
        """Show another document's lines (kept by reference, never copied or changed).

        Args:
            lines: The source lines.
        """
        self._lines = lines
        self._gutter = len(str(len(lines))) + 2
        self.current_line = None
        self.span = None
        self.matches = {}
        # The widest line is among the longest ones (a character takes at most 3 cells):
        # measuring only those keeps opening a 20,000-line source cheap.
        longest = heapq.nlargest(64, lines, key=len)
        width = max((display_width(line) for line in longest), default=0)
        if len(lines) > len(longest):
            # A shorter line is at most 3 cells a character (a tab is drawn as 3).
            width = max(width, 3 * len(longest[-1]))
        self.virtual_size = Size(self._gutter + 1 + width, len(lines))
        self._invalidate()
        self.scroll_to(0, 0, animate=False, force=True)

    def show(self, line: int | None, span: Span | None = None) -> None:
        """Highlight a line (1-based) and a character span in it, scrolling them into view.

        Args:
            line: The line, or ``None`` for no highlight.
            span: ``[start, end)`` character offsets in the raw line.
        """
        old = self.current_line
        current = line if line and 0 < line <= len(self._lines) else None
        span = span if current else None
        if (current, span) == (old, self.span) and (current is None or self._in_view(current, span)):
            return
        self.current_line, self.span = current, span
        self._title_later()
        if current is None or self._in_view(current, span):
            # A cursor move: redraw the two lines that changed, nothing else (the cache keys
            # carry each line's highlight, so no cached line goes stale).
            width = self.scrollable_content_region.width
            for n in (old, current):
                y = -1 if n is None else n - 1 - self.scroll_offset.y
                if 0 <= y < self.size.height:
                    self.refresh(Region(0, y, width, 1))
            return
        self.refresh()
        if self.scrollable_content_region.height:
            self._scroll_to_current()  # in this frame, as the pane is laid out now …
        # … and again after the next refresh, with the final layout (a search bar or dialog
        # opening in the same step changes this pane's height); usually nothing moves then.
        self.call_after_refresh(self._scroll_later)

    def on_mount(self) -> None:
        """Prepare the (paused) timer that brings the title up to date after a burst of moves."""
        self._title_timer = self.set_interval(TITLE_DELAY, self._sync_title, pause=True)

    def _title_later(self) -> None:
        """Show the current line in the title once the cursor rests for `TITLE_DELAY`.

        Redrawing the border redraws the whole pane: doing it on every step of a held-down
        key would cost more than the step itself. The highlighted line follows at once.
        """
        if not self.is_mounted:
            self._sync_title()
            return
        self._title_timer.reset()
        self._title_timer.resume()

    def _sync_title(self) -> None:
        if self.is_mounted:
            self._title_timer.pause()
        title = f"Source L{self.current_line}" if self.current_line else "Source"
        if self.border_title != title:
            self.border_title = title

    def _in_view(self, line: int, span: Span | None) -> bool:
        """Whether a line (and its span) is on screen as the pane is laid out now."""
        region = self.scrollable_content_region
        if not region.height:
            return False
        x, top = self.scroll_offset
        if not top <= line - 1 < top + region.height:
            return False
        if span is None:
            return True
        text = self._lines[line - 1]
        room = region.width - self._gutter - 1
        return x <= display_width(text[: span[0]]) and display_width(text[: span[1]]) <= x + room

    def _scroll_to_current(self) -> None:
        assert self.current_line is not None
        height = self.scrollable_content_region.height
        if not height:
            self.call_after_refresh(self._scroll_later)
            return
        y = self.current_line - 1
        top = self.scroll_offset.y
        if not top <= y < top + height:
            top = max(0, y - height // 3)
        x = self.scroll_offset.x
        if self.span is not None:
            text = self._lines[y]
            start = display_width(text[: self.span[0]])
            end = display_width(text[: self.span[1]])
            room = self.scrollable_content_region.width - self._gutter - 1
            if start < x or end > x + room:
                x = max(0, min(start, end - room))
        if (x, top) != self.scroll_offset:
            self.scroll_to(x, top, animate=False, force=True)

    def _scroll_later(self) -> None:
        if self.current_line is not None and self.scrollable_content_region.height:
            self._scroll_to_current()

    def set_query(self, query: str) -> int:
        """Highlight every occurrence of ``query`` (case-insensitive; blank clears).

        Returns:
            How many lines match.
        """
        self.matches = {}
        needle = query.casefold()
        if needle:
            size = len(needle)
            for n, line in enumerate(self._lines):
                folded = line.casefold()
                at = folded.find(needle)
                spans: list[Span] = []
                while at >= 0:
                    spans.append((at, at + size))
                    at = folded.find(needle, at + size)
                if spans:
                    self.matches[n] = spans
        self._invalidate()
        return len(self.matches)

    def _invalidate(self) -> None:
        self._generation += 1
        self._cache.clear()
        self.refresh()

    def notify_style_update(self) -> None:
        """Drop cached lines and styles when the theme changes."""
        self._cache.clear()
        self._styles.clear()
        super().notify_style_update()

    def _style(self, name: str) -> Style:
        # Style lookups walk the DOM; a line needs several, so they are cached per theme.
        style = self._styles.get(name)
        if style is None:
            style = (
                self.rich_style if name == "base" else self.get_component_rich_style(f"source-view--{name}")
            )
            self._styles[name] = style
        return style

    def render_line(self, y: int) -> Strip:
        """Draw one visible line: gutter, then the text scrolled horizontally."""
        sx, sy = self.scroll_offset
        width = self.scrollable_content_region.width
        index = sy + y
        current = self.current_line == index + 1
        key = (index, sx, width, self._generation, current, self.span if current else None)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._draw_line(index, sx, width)
            self._cache.set(key, strip)
        return strip

    def _draw_line(self, index: int, sx: int, width: int) -> Strip:
        base = self._style("base")
        if index >= len(self._lines):
            return Strip.blank(width, base)
        current = self.current_line == index + 1
        if current:
            base = base + self._style("current")
        gutter_style = self._style("gutter-current" if current else "gutter")
        number = str(index + 1).rjust(self._gutter - 1)
        gutter = [Segment(number + " ", gutter_style), Segment(" ", base)]
        ranges: list[tuple[int, int, Style]] = []
        match_style = self._style("match")
        ranges += [(a, b, match_style) for a, b in self.matches.get(index, ())]
        if current and self.span is not None:
            ranges.append((*self.span, self._style("span")))
        body = self._segments(self._lines[index], base, ranges)
        room = max(0, width - self._gutter - 1)
        text = Strip(body).crop(sx, sx + room)
        pad = room - text.cell_length
        parts = [*gutter, *text]
        if pad > 0:
            parts.append(Segment(" " * pad, base))
        return Strip(parts, width)

    def _segments(self, text: str, base: Style, ranges: list[tuple[int, int, Style]]) -> list[Segment]:
        """Cut a line at every styled range boundary; tabs drawn as `TAB`."""
        cuts = sorted({0, len(text), *(x for a, b, _ in ranges for x in (a, b) if 0 <= x <= len(text))})
        tab_style = self._style("tab")
        out: list[Segment] = []
        for a, b in itertools.pairwise(cuts):
            style = base
            for start, end, extra in ranges:
                if start <= a and b <= end:
                    style = style + extra
            for k, piece in enumerate(text[a:b].split("\t")):
                if k:
                    out.append(Segment(TAB, style + tab_style))
                if piece:
                    out.append(Segment(printable(piece), style))
        return out

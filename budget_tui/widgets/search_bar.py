"""`SearchBar`: the `/` input under the table; it reports the query and next/previous requests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Static


class SearchInput(Input):
    """The query box; `enter` / `shift+enter` (or `down` / `up`) step through matches."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "step(1)", "Next match", id="search.next"),
        Binding("shift+enter,up", "step(-1)", "Previous match", id="search.previous"),
        Binding("down", "step(1)", "Next match", show=False, id="search.next-alt"),
        Binding("escape", "close", "Close search", id="search.close"),
    ]

    @dataclass
    class StepRequested(Message):
        """Go to the next (1) or previous (-1) match."""

        step: int

    class CloseRequested(Message):
        """Close the search bar."""

    def action_step(self, step: int) -> None:
        """Ask for the next or previous match."""
        self.post_message(self.StepRequested(step))

    def action_close(self) -> None:
        """Ask to close the search."""
        self.post_message(self.CloseRequested())


class SearchBar(Horizontal):
    """Search in the table's cells and the source text."""

    HELP: ClassVar[str] = """
## Search

Type to highlight matching cells (in the table) and lines (in the source).
`Enter` next match, `Shift+Enter` (or `Up`) previous, `Escape` closes.
"""

    @dataclass
    class QueryChanged(Message):
        """The query text changed."""

        query: str

    @dataclass
    class StepRequested(Message):
        """Next (1) or previous (-1) match requested."""

        step: int

    class Closed(Message):
        """The reviewer closed the search."""

    def compose(self) -> ComposeResult:
        """Nothing until the first search: the input and counter are made by `open`."""
        return iter(())

    @property
    def query_text(self) -> str:
        """The current query (``""`` before the first search)."""
        box = next(self.query(SearchInput).results(), None)
        return box.value if box is not None else ""

    async def open(self) -> None:
        """Show the bar and focus its input (made on first use, so startup does not pay for it)."""
        box = next(self.query(SearchInput).results(), None)
        if box is None:
            box = SearchInput(placeholder="search cells and source", id="search-input")
            await self.mount_all([box, Static("", id="search-count", markup=False)])
        self.remove_class("-hidden")
        box.focus()
        box.select_all()

    def set_count(self, position: int | None, cells: int, lines: int) -> None:
        """Show ``position/cells · lines`` (position is 1-based, ``None`` before the first step)."""
        where = f"{position}/{cells}" if position else f"{cells}"
        for count in self.query("#search-count").results(Static):
            count.update(Content(f"{where} cells · {lines} lines" if self.query_text else ""))

    @on(Input.Changed, "#search-input")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.QueryChanged(event.value))

    @on(Input.Submitted, "#search-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()

    @on(SearchInput.StepRequested)
    def _step(self, event: SearchInput.StepRequested) -> None:
        event.stop()
        self.post_message(self.StepRequested(event.step))

    @on(SearchInput.CloseRequested)
    def _close(self, event: SearchInput.CloseRequested) -> None:
        event.stop()
        self.add_class("-hidden")
        self.post_message(self.Closed())

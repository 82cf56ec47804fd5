"""`EditCellScreen`: edit one cell, pick a ranked suggestion, or shift the row; returns the change."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from budget_tui.core.findings import Suggestion
from budget_tui.widgets.grid import printable
from budget_tui.widgets.source_view import TAB

CONTEXT_CHARS = 40
"""Characters of the source line shown either side of the cell."""


@dataclass
class CellContext:
    """Everything the dialog shows about a cell (plain data, built by the screen)."""

    form_id: str
    form_title: str
    row: int
    col: int
    row_label: str
    column: str
    numeric: bool
    text: str
    printed: str | None
    """The source text when the cell is corrected, else ``None``."""
    line: int | None
    source: str
    """The raw source line."""
    span: tuple[int, int] | None
    validate: Callable[[str], str]
    """Returns the text to store, or raises ``ValueError`` with a message."""
    suggestions: list[tuple[Suggestion, str]] = field(default_factory=list)
    """Ranked proposals with a one-line description of what each repairs."""
    read_only: bool = False


@dataclass(frozen=True)
class CellChange:
    """What the reviewer asked for."""

    kind: Literal["value", "shift", "suggestion"]
    text: str = ""
    places: int = 0
    """For ``shift``: cells to move right (negative: left), from the cell's column on."""
    suggestion: Suggestion | None = None


def source_excerpt(line: str, span: tuple[int, int] | None) -> Content:
    """The source line around the cell, tabs drawn as `TAB`, the cell highlighted."""
    start, end = span or (0, 0)
    lo = max(0, start - CONTEXT_CHARS)
    hi = min(len(line), max(end, start) + CONTEXT_CHARS)

    def show(text: str) -> str:
        return printable(text.replace("\t", TAB))

    return Content.assemble(
        ("…" if lo else "", "$text-muted"),
        show(line[lo:start]),
        (show(line[start:end]), "$text-accent bold reverse"),
        show(line[end:hi]),
        ("…" if hi < len(line) else "", "$text-muted"),
    )


class EditCellScreen(ModalScreen[CellChange | None]):
    """The edit dialog: current value, source text and line, suggestions, row shifts."""

    HELP: ClassVar[str] = """
## Edit cell

Type the corrected text and press `Enter`, or choose a suggestion (`Tab` to the list, `Enter`).
Amount columns accept numbers only (`1,234.50`, `-3`, `12%`); other columns any single-line text.
Nothing changes until a valid value is applied. `Escape` cancels.

`alt+←` / `alt+→` shift the row's cells from this column one cell left / right (a lost or extra
cell in the extraction).
"""

    DEFAULT_CSS = """
    EditCellScreen {
        align: center middle;

        #edit-dialog {
            width: 90%;
            max-width: 100;
            height: auto;
            max-height: 90%;
            border: round $accent;
            background: $surface;
            padding: 0 1;
        }

        #edit-where, #edit-current, #edit-source { height: auto; text-wrap: nowrap; text-overflow: ellipsis; }
        #edit-source { color: $text-muted; }
        #edit-input.-invalid { border: tall $error; }
        #edit-error { color: $text-error; height: auto; }
        #edit-suggestions { height: auto; max-height: 10; border: none; padding: 0; }
        #edit-suggestions-label { color: $text-muted; }
        #edit-buttons { height: 1; margin-top: 1; }
        #edit-buttons Button { margin-right: 2; min-width: 8; }
    }

    EditCellScreen.-short #edit-suggestions { max-height: 6; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="edit.cancel"),
        Binding("alt+left", "shift(-1)", "Shift row ←", id="edit.shift-left"),
        Binding("alt+right", "shift(1)", "Shift row →", id="edit.shift-right"),
    ]

    def __init__(self, context: CellContext) -> None:
        """Create the dialog for one cell.

        Args:
            context: The cell and its suggestions.
        """
        super().__init__()
        self.context = context

    def compose(self) -> ComposeResult:
        """Title, facts, input, error line, suggestions, shift buttons."""
        ctx = self.context
        with Vertical(id="edit-dialog") as dialog:
            dialog.border_title = Content(printable(f"Edit · {ctx.form_title}"))
            yield Static(
                Content.assemble((printable(ctx.row_label), "bold"), " › ", (printable(ctx.column), "bold")),
                id="edit-where",
            )
            facts: list[str | tuple[str, str]] = [
                ("current ", "$text-muted"),
                printable(ctx.text) or "(blank)",
                ("   number" if ctx.numeric else "   text", "$text-muted"),
            ]
            if ctx.printed is not None:
                facts += [
                    ("   printed ", "$text-muted"),
                    (printable(ctx.printed) or "(blank)", "$text-success"),
                ]
            yield Static(Content.assemble(*facts), id="edit-current")
            where = f"L{ctx.line}  " if ctx.line else "not printed  "
            yield Static(
                Content.assemble((where, "$text-muted"), source_excerpt(ctx.source, ctx.span)),
                id="edit-source",
            )
            yield Input(ctx.text, id="edit-input", disabled=ctx.read_only, select_on_focus=True)
            yield Static("", id="edit-error", classes="-hidden")
            if ctx.suggestions:
                yield Label(
                    "Suggestions, best first (Tab, then Enter applies one):", id="edit-suggestions-label"
                )
                yield OptionList(
                    *(
                        Option(Content(f"{n}. {printable(desc)}"), id=str(n - 1))
                        for n, (_, desc) in enumerate(ctx.suggestions, 1)
                    ),
                    id="edit-suggestions",
                )
            with Horizontal(id="edit-buttons"):
                yield Button(
                    "Apply", id="edit-apply", variant="primary", disabled=ctx.read_only, compact=True
                )
                yield Button("Shift row ←", id="edit-shift-left", disabled=ctx.read_only, compact=True)
                yield Button("Shift row →", id="edit-shift-right", disabled=ctx.read_only, compact=True)
                yield Button("Cancel", id="edit-cancel", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        """Focus the input (or the list when read-only)."""
        if self.context.read_only:
            self._error("This document is open read-only.")
            self.query_one("#edit-cancel", Button).focus()
        else:
            self.query_one("#edit-input", Input).focus()

    def _error(self, message: str) -> None:
        error = self.query_one("#edit-error", Static)
        error.update(Content(printable(message)))
        error.remove_class("-hidden")
        self.query_one("#edit-input", Input).add_class("-invalid")

    def _apply_text(self) -> None:
        if self.context.read_only:
            return
        box = self.query_one("#edit-input", Input)
        try:
            text = self.context.validate(box.value)
        except ValueError as exc:
            self._error(str(exc))
            return
        if text == self.context.text:
            self._error("unchanged: type a new value, or Escape to cancel")
            return
        self.dismiss(CellChange("value", text=text))

    @on(Input.Submitted, "#edit-input")
    def _submitted(self) -> None:
        self._apply_text()

    @on(Input.Changed, "#edit-input")
    def _changed(self) -> None:
        self.query_one("#edit-error", Static).add_class("-hidden")
        self.query_one("#edit-input", Input).remove_class("-invalid")

    @on(OptionList.OptionSelected, "#edit-suggestions")
    def _suggestion(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.context.read_only or event.option.id is None:
            return
        suggestion = self.context.suggestions[int(event.option.id)][0]
        self.dismiss(CellChange("suggestion", suggestion=suggestion))

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "edit-apply":
            self._apply_text()
        elif event.button.id == "edit-shift-left":
            self.action_shift(-1)
        elif event.button.id == "edit-shift-right":
            self.action_shift(1)
        else:
            self.action_cancel()

    def action_shift(self, places: int) -> None:
        """Shift the row's cells from this column (the screen validates and applies)."""
        if not self.context.read_only:
            self.dismiss(CellChange("shift", places=places))

    def action_cancel(self) -> None:
        """Close without changing anything."""
        self.dismiss(None)

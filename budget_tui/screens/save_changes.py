"""`SaveChangesScreen`: asked on quit with unsaved edits; returns ``save``, ``discard`` or ``cancel``."""

from __future__ import annotations

from typing import ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Static

Choice = Literal["save", "discard", "cancel"]


class SaveChangesScreen(ModalScreen[Choice]):
    """Save / Discard / Cancel."""

    HELP: ClassVar[str] = """
## Unsaved edits

**Save** writes the corrections and the corrected exports, then quits. **Discard** quits and
throws the unsaved edits away. **Cancel** goes back to reviewing.
"""

    DEFAULT_CSS = """
    SaveChangesScreen {
        align: center middle;

        #save-dialog {
            width: 60;
            max-width: 95%;
            height: auto;
            border: round $warning;
            background: $surface;
            padding: 1 2;
        }
        #save-buttons { height: auto; margin-top: 1; }
        #save-buttons Button { margin-right: 1; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "choose('save')", "Save", id="quit.save"),
        Binding("d", "choose('discard')", "Discard", id="quit.discard"),
        Binding("escape,c", "choose('cancel')", "Cancel", id="quit.cancel"),
    ]

    def __init__(self, documents: list[str]) -> None:
        """Create the question.

        Args:
            documents: Names of the documents with unsaved edits.
        """
        super().__init__()
        self.documents = documents

    def compose(self) -> ComposeResult:
        """Question, the documents concerned, three buttons."""
        with Vertical(id="save-dialog") as dialog:
            dialog.border_title = "Unsaved edits"
            names = ", ".join(self.documents[:3]) + (" …" if len(self.documents) > 3 else "")
            yield Static(Content(f"Save the edits to {names} before quitting?"), id="save-question")
            with Horizontal(id="save-buttons"):
                yield Button("Save", id="save", variant="primary")
                yield Button("Discard", id="discard", variant="error")
                yield Button("Cancel", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        """Focus Save."""
        self.query_one("#save", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_choose(event.button.id or "cancel")

    def action_choose(self, choice: str) -> None:
        """Close with the choice."""
        self.dismiss(choice if choice in ("save", "discard") else "cancel")  # type: ignore[arg-type]

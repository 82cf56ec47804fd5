"""`RestoredEditsScreen`: unsaved edits from a previous run were restored; keep or discard them."""

from __future__ import annotations

from typing import ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Static

from budget_tui.widgets.grid import printable

RestoreChoice = Literal["keep", "discard"]


class RestoredEditsScreen(ModalScreen[RestoreChoice]):
    """Keep / Discard the edits found in a document's journal."""

    HELP: ClassVar[str] = """
## Restored edits

The last session on this document ended without saving (a crash, a closed terminal, or
Discard at quit). Its edits were kept in the journal and are applied again.
**Keep** goes on with them (save with `Ctrl+S`); **Discard** throws them away.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("k,escape", "choose('keep')", "Keep", id="restored.keep"),
        Binding("d", "choose('discard')", "Discard", id="restored.discard"),
    ]

    def __init__(self, document: str, count: int) -> None:
        """Create the question.

        Args:
            document: Name of the document.
            count: Edits restored from its journal.
        """
        super().__init__()
        self.document = document
        self.count = count

    def compose(self) -> ComposeResult:
        """Explanation and two buttons."""
        with Vertical(id="restored-dialog") as dialog:
            dialog.border_title = "Unsaved edits restored"
            edits = f"{self.count} unsaved edit{'s' if self.count != 1 else ''}"
            yield Static(
                Content(printable(f"{edits} to {self.document} from an earlier session were restored.")),
                id="restored-question",
            )
            with Horizontal(id="restored-buttons"):
                yield Button("Keep", id="keep", variant="primary")
                yield Button("Discard", id="discard", variant="error")
        yield Footer()

    def on_mount(self) -> None:
        """Focus Keep."""
        self.query_one("#keep", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_choose(event.button.id or "keep")

    def action_choose(self, choice: str) -> None:
        """Close with the choice."""
        self.dismiss("discard" if choice == "discard" else "keep")

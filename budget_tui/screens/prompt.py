"""`PromptScreen`: one line of input for a structural repair; returns the text or ``None``."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Static


class PromptScreen(ModalScreen[str | None]):
    """Ask for one value (a header label, a target form id); `enter` applies, `escape` cancels."""

    HELP: ClassVar[str] = """
## Structural repair

Type the value and press **Enter**; **Escape** cancels and changes nothing.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="prompt.cancel"),
    ]

    DEFAULT_CSS = """
    PromptScreen {
        align: center middle;
        & > #prompt-dialog {
            width: 70%;
            max-width: 90;
            min-width: 40;
            height: auto;
            border: round $accent;
            padding: 0 1;
            background: $surface;
        }
        & #prompt-question { margin-bottom: 1; }
    }
    """

    def __init__(self, title: str, question: str, value: str = "", placeholder: str = "") -> None:
        """Create the prompt.

        Args:
            title: The dialog's title (document text is shown literally).
            question: What to type, one or two sentences.
            value: The input's initial text.
            placeholder: Shown while the input is empty.
        """
        super().__init__()
        self.title_text = title
        self.question = question
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        """The question above one input line."""
        with Vertical(id="prompt-dialog") as dialog:
            dialog.border_title = Content(self.title_text)
            yield Static(Content(self.question), id="prompt-question")
            yield Input(self.value, placeholder=self.placeholder, id="prompt-input")
        yield Footer()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        """Close without changing anything."""
        self.dismiss(None)

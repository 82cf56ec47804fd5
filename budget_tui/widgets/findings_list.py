"""`FindingsList`: the current document's findings; choosing one asks the screen to show its cells."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from budget_tui.core.findings import Finding
from budget_tui.widgets.grid import printable


def finding_prompt(finding: Finding, form_title: str) -> Content:
    """One finding as a list entry: severity, form, message (document text kept literal)."""
    if finding.accepted:
        mark = ("✓ as is ", "$text-success")
    elif finding.severity == "error":
        mark = ("✗ ", "$text-error bold")
    else:
        mark = ("! ", "$text-warning bold")
    fixes = f"  [{len(finding.suggestions)} fix{'es' if len(finding.suggestions) != 1 else ''}]"
    return Content.assemble(
        mark,
        (printable(form_title), "bold"),
        (fixes if finding.suggestions else "", "$text-accent"),
        "\n",
        (printable(finding.message), "$text-muted" if finding.accepted else ""),
    )


class FindingsList(OptionList):
    """The findings of one document, failures first; accepted ones stay listed, dimmed."""

    HELP: ClassVar[str] = """
## Findings

Every failing check of the open document. **✗** error, **!** warning, **✓ as is** published as is.

- `Enter` or a click moves the table cursor to the finding's cells (outlined in the table).
- `p` marks the highlighted finding "published as is"; `u` undoes it.
- `a` on a failing cell applies its top suggestion.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="findings.cursor-down"),
        Binding("k", "cursor_up", "Up", show=False, id="findings.cursor-up"),
    ]

    @dataclass
    class FindingHighlighted(Message):
        """The list cursor moved to a finding."""

        finding_id: str

    @dataclass
    class FindingChosen(Message):
        """The reviewer chose a finding (enter or click)."""

        finding_id: str

    def set_findings(self, findings: list[Finding], titles: dict[str, str]) -> None:
        """Show a document's findings, keeping the highlighted one when it is still there.

        Args:
            findings: The findings, in the session's order.
            titles: Form id -> title shown for it.
        """
        current = self.highlighted_option.id if self.highlighted_option is not None else None
        ordered = sorted(findings, key=lambda f: (f.accepted, f.severity != "error"))
        with self.prevent(OptionList.OptionHighlighted):
            self.set_options(Option(finding_prompt(f, titles.get(f.form, f.form)), id=f.id) for f in ordered)
            ids = [f.id for f in ordered]
            if current in ids:
                self.highlighted = ids.index(current)
        self.border_title = f"Findings {sum(not f.accepted for f in findings)}/{len(findings)}"

    @property
    def finding_id(self) -> str | None:
        """Id of the highlighted finding."""
        option = self.highlighted_option
        return option.id if option is not None else None

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.FindingHighlighted(event.option.id))

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.FindingChosen(event.option.id))

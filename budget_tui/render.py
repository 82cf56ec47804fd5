"""Rich renderings for the headless commands (document text is never treated as markup)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable

from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from budget_tui.core.model import Document, Form

_STATUS_STYLE = {"ok": "green", "empty": "dim", "missing": "yellow", "incomplete": "red"}


def make_console(stderr: bool = False) -> Console:
    """A console that honours NO_COLOR and uses no colour when piped."""
    stream = sys.stderr if stderr else sys.stdout
    return Console(
        file=stream,
        no_color="NO_COLOR" in os.environ,
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=not stream.isatty(),
    )


def safe(text: str) -> Text:
    """Document text as a literal ``Text`` (never markup)."""
    return Text(text)


def form_table(form: Form) -> RichTable:
    """A Rich table of a form: header paths as column titles, numbers right-aligned."""
    title = Text(f"{form.id}  ", style="bold")
    title.append(form.title)
    title.append(f"  [{form.status}]", style=_STATUS_STYLE.get(form.status, ""))
    t = RichTable(title=title, title_justify="left", show_lines=False, header_style="bold")
    table = form.table
    if table is None:
        return t
    t.add_column(Text("row"), style="dim", no_wrap=True)
    for col in table.columns:
        t.add_column(
            Text(col.key),
            justify="right" if col.role == "amount" else "left",
            overflow="fold",
        )
    for row in table.rows:
        t.add_row(Text(row.key), *(Text(x) for x in row.texts))
    return t


def render_document(console: Console, doc: Document, forms: Iterable[Form]) -> None:
    """Print a document's header line and each requested form."""
    head = Text(doc.department or doc.path, style="bold")
    head.append(f"  {doc.year or '?'}  ({doc.money_unit})  {doc.path}", style="dim")
    console.print(head)
    for form in forms:
        if form.table is None:
            line = Text(f"  {form.id}  ")
            line.append(form.title)
            line.append(f"  [{form.status}] line {form.title_line}", style=_STATUS_STYLE.get(form.status, ""))
            console.print(line)
            continue
        console.print(form_table(form))

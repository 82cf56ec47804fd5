"""Rich renderings for the headless commands (document text is never treated as markup)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import Any

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


_SEVERITY_STYLE = {"error": "bold red", "warning": "yellow"}


def render_check(console: Console, doc: dict[str, Any]) -> None:
    """Print one document's check result: a line per form with findings, then each finding."""
    findings = doc["findings"]
    head = Text(str(doc.get("department") or doc["path"]), style="bold")
    errors = sum(1 for f in findings if f["severity"] == "error" and not f["accepted"])
    warnings = sum(1 for f in findings if f["severity"] == "warning" and not f["accepted"])
    head.append(f"  {doc.get('year') or ''}  {doc['path']}  ", style="dim")
    head.append(
        f"{errors} error(s), {warnings} warning(s)",
        style="red" if errors else "yellow" if warnings else "green",
    )
    console.print(head)
    by_form: dict[str, list[dict[str, Any]]] = {}
    for f in findings:
        by_form.setdefault(f["form"], []).append(f)
    for form in doc["forms"]:
        n = len(by_form.get(form["id"], []))
        line = Text(f"  {form['id']:<28} ")
        line.append(f"{form['status']:<10}", style=_STATUS_STYLE.get(form["status"], ""))
        line.append(f" {form['rows']:>4}×{form['cols']:<3} ")
        line.append(
            f"{n} finding(s)" if n else "reconciled" if form["status"] == "ok" else "",
            style="red" if n else "green",
        )
        console.print(line)
    for f in findings:
        t = Text("  ")
        t.append(f["severity"], style=_SEVERITY_STYLE[f["severity"]] if not f["accepted"] else "dim")
        if f["accepted"]:
            t.append(" (published as is)", style="dim")
        t.append(f" {f['id']} {f['form']}: ")
        t.append(f["message"])
        console.print(t)
        for c in f["cells"][:6]:
            console.print(
                Text(
                    f"      {c['form']} | {c['row']} | {c['column']}  line {c['line']}: {c['text']}",
                    style="dim",
                )
            )
        if len(f["cells"]) > 6:
            console.print(Text(f"      … {len(f['cells']) - 6} more cells", style="dim"))
        for s in f["suggestions"][:3]:
            what = f"set to {s['value']}" if s["kind"] == "value" else f"shift by {s['value']}"
            console.print(
                Text(
                    f"      fix: {s['form']} | {s['row']} | {s['column']} {what}  ({s['reason']})",
                    style="cyan",
                )
            )

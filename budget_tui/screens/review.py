"""`ReviewScreen`: the keys and actions of reviewing (edit, fix, publish, undo, save, search).

The panes, loading and showing are in `ReviewBase`; every change to a session goes through
`ReviewBase.submit`, so it runs off the event loop and in order.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.message import Message

from budget_tui.core.corrections import validate_value
from budget_tui.core.findings import Finding
from budget_tui.messages import SessionChanged, SessionOpened
from budget_tui.screens.edit_cell import CellChange, CellContext, EditCellScreen
from budget_tui.screens.prompt import PromptScreen
from budget_tui.screens.review_base import ReviewBase, save_session
from budget_tui.widgets.grid import DataGrid, printable
from budget_tui.widgets.search_bar import SearchBar
from budget_tui.workspace import (
    apply_suggestion,
    describe,
    failing_order,
    findings_at,
    next_failing,
    suggestions_for,
)


def saved_notice(written: list[Path]) -> str:
    """Where a save went: the corrections file, then the exports' folder (files counted, not listed)."""
    sidecar, exports = written[0], written[1:]
    text = f"Saved corrections to {sidecar.name}"
    if exports:
        kinds = sorted({p.suffix.lstrip(".").upper() for p in exports})
        text += f"; exported {len(exports)} {' and '.join(kinds)} files to {exports[0].parent}"
    return text


EDITING = {
    "edit_cell",
    "apply_fix",
    "publish_as_is",
    "cycle_review",
    "undo",
    "redo",
    "save",
    "edit_header",
    "reassign_rows",
}
"""Actions that change a session: dimmed when read-only or no document is open."""


class ReviewScreen(ReviewBase):
    """The main screen of the review app."""

    HELP: ClassVar[str] = """
## Reviewing

Left: departments, documents and forms. Middle: the form's table beside its source text.
Bottom: the document's findings. `Tab` moves between panes.

`n` / `N` next / previous failing cell · `e` or `Enter` edit · `a` apply the top suggestion ·
`p` publish the finding as is · `r` review status of the form · `u` / `Ctrl+R` undo / redo ·
`Ctrl+S` save · `/` search · `y` copy the cell · `v` show/hide the source · `q` quit.
"""

    AUTO_FOCUS = ""
    """None: the table is focused when the first document is shown (`ReviewBase._release`);
    focusing it earlier, while the panes are still hidden, only restyles them twice."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "next_failure(1)", "Next ✗", id="review.next-failure", tooltip="Next failing cell"),
        Binding("N", "next_failure(-1)", "Prev ✗", show=False, id="review.previous-failure"),
        Binding("e", "edit_cell", "Edit", id="review.edit-cell", tooltip="Edit the cell under the cursor"),
        Binding("a", "apply_fix", "Fix", id="review.apply-fix", tooltip="Apply the top suggestion"),
        Binding("p", "publish_as_is", "As is", show=False, id="review.publish-as-is"),
        Binding("r", "cycle_review", "Review", show=False, id="review.cycle-status"),
        Binding("u", "undo", "Undo", id="review.undo"),
        Binding("ctrl+r", "redo", "Redo", show=False, id="review.redo"),
        Binding("ctrl+s", "save", "Save", id="review.save", tooltip="Save corrections and corrected exports"),
        Binding("slash", "search", "Search", show=False, id="review.search"),
        Binding("y", "copy_cell", "Copy", show=False, id="review.copy-cell"),
        Binding("v", "toggle_source", "Source", show=False, id="review.toggle-source"),
        Binding(
            "L",
            "edit_header",
            "Header label",
            show=False,
            id="review.edit-header",
            tooltip="Correct the label of this column's deepest header line",
        ),
        Binding(
            "m",
            "reassign_rows",
            "Move rows",
            show=False,
            id="review.reassign-rows",
            tooltip="Move the rows from the cursor on to another form (a continuation or another form id)",
        ),
    ]

    # Actions -------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Dim the editing actions when nothing can be edited."""
        if action in EDITING and (self.session is None or self.session.read_only):
            return None
        return True

    def action_next_failure(self, step: int) -> None:
        """Move to the next / previous failing cell: this form, then later forms, then other documents."""
        session, cell = self.session, self.cursor_cell()
        if session is None or self.form_id is None or self._wait_for_checks():
            return
        here = (self.form_id, *(cell or (0, -1 if step > 0 else 0)))
        target = next_failing(session, here, step)
        if target is not None:
            self.open_form(session.doc.path, target[0], (target[1], target[2]))
            self.grid.focus()
            return
        self._next_document_with_failures(step)

    def _wait_for_checks(self) -> bool:
        """Say so and return True when the open document's findings are not known yet."""
        if self.checks_pending:
            self.notify("The checks are still running: findings come in a moment.", timeout=3, markup=False)
            return True
        return False

    def _next_document_with_failures(self, step: int) -> None:
        assert self.session is not None
        entries = self.workspace.entries
        paths = [e.summary.path for e in entries]
        start = paths.index(self.session.doc.path) if self.session.doc.path in paths else 0
        for k in range(1, len(entries) + 1):
            entry = entries[(start + k * step) % len(entries)]
            if entry.summary.table_failures:
                self._open_at_failure(
                    entry.summary.path, step, wrapped=(start + k * step) not in range(len(entries))
                )
                return
        self.notify("No failing cells left in the corpus.", timeout=3, markup=False)

    def _open_at_failure(self, path: str, step: int, *, wrapped: bool) -> None:
        ws = self.workspace

        def job() -> Message:
            session = ws.open(path)
            order = failing_order(session)
            target = (order[0] if step > 0 else order[-1]) if order else None
            if target is None:
                return SessionOpened(session, None, None)
            return SessionOpened(session, target[0], (target[1], target[2]))

        if wrapped:
            self.notify("Wrapped around the corpus.", timeout=2, markup=False)
        self._opening = path
        self.submit("Open", job)
        self.grid.focus()

    def action_edit_cell(self) -> None:
        """Open the edit dialog on the cursor cell."""
        session, form, cell = self.session, self.form, self.cursor_cell()
        if session is None or form is None or form.table is None or cell is None:
            reading = session is None and form is not None  # (a preview: see `_open_first`)
            self.notify(
                "Still reading the document: editing starts once it is read."
                if reading
                else "No cell to edit here.",
                timeout=2,
                markup=False,
            )
            return
        r, c = cell
        ref = form.ref_at(r, c)
        row = form.table.rows[r]
        line = ref.line if ref else row.line or None
        context = CellContext(
            form_id=form.id,
            form_title=form.title or form.id,
            row=r,
            col=c,
            row_label=row.label or row.key,
            column=form.table.columns[c].key,
            numeric=form.table.columns[c].role == "amount",
            text=row.texts[c],
            printed=form.table.overrides.get((r, c)),
            line=line,
            source=session.doc.lines[line - 1] if line else "",
            span=(ref.start, ref.end) if ref else None,
            validate=partial(validate_value, form, row.key, form.table.columns[c].key),
            suggestions=[
                (s, describe(s, session, (form.id, row.key, form.table.columns[c].key)))
                for s in (suggestions_for(session, form.id, r, c) if session.checked else [])
            ],
            read_only=session.read_only,
        )
        self.app.push_screen(
            EditCellScreen(context), lambda change: self._apply_change(form.id, r, c, change)
        )

    def _apply_change(self, form_id: str, r: int, c: int, change: CellChange | None) -> None:
        session = self.session
        if change is None or session is None:
            return
        if change.kind == "suggestion" and change.suggestion is not None:
            suggestion = change.suggestion

            def apply() -> Message:
                f, rr, cc, notice = apply_suggestion(session, suggestion)
                return SessionChanged(session, notice, f, (rr, cc))

            self.submit("Apply suggestion", apply)
        elif change.kind == "shift":

            def shift() -> Message:
                session.shift_row(form_id, r, c, change.places)
                return SessionChanged(
                    session, f"Shifted the row {'right' if change.places > 0 else 'left'}", form_id, (r, c)
                )

            self.submit("Shift row", shift)
        else:

            def edit() -> Message:
                session.edit(form_id, r, c, change.text)
                return SessionChanged(session, "", form_id, (r, c))

            self.submit("Edit", edit)

    def action_edit_header(self) -> None:
        """Correct the label of the cursor column's deepest non-blank header line."""
        session, form, cell = self.session, self.form, self.cursor_cell()
        if session is None or form is None or form.table is None or cell is None or not form.table.header:
            self.notify("No header here.", timeout=2, markup=False)
            return
        c = cell[1]
        header = form.table.header
        level = next(
            (n for n in range(len(header), 0, -1) if c < len(header[n - 1]) and header[n - 1][c]), len(header)
        )
        old = header[level - 1][c] if c < len(header[level - 1]) else ""
        form_id = form.id

        def done(text: str | None) -> None:
            if text is None or session is None:
                return

            def job() -> Message:
                session.edit_header(form_id, level, c, text)
                return SessionChanged(session, f"Header line {level} now reads {text!r}", form_id, cell)

            self.submit("Header label", job)

        question = f"Header line {level} of column {form.table.columns[c].key}. The column keeps its key."
        self.app.push_screen(PromptScreen("Header label", question, old), done)

    def action_reassign_rows(self) -> None:
        """Move the rows from the cursor on to another form."""
        session, form, cell = self.session, self.form, self.cursor_cell()
        if session is None or form is None or form.table is None or cell is None:
            self.notify("No rows here.", timeout=2, markup=False)
            return
        r, form_id = cell[0], form.id
        others = ", ".join(f for f in session.doc.forms if f != form_id)

        def done(target: str | None) -> None:
            if not target or session is None:
                return

            def job() -> Message:
                session.reassign(form_id, r, target.strip())
                return SessionChanged(
                    session, f"Moved the rows of {form_id} to {target.strip()}", target.strip()
                )

            self.submit("Move rows", job)

        what = "the whole form" if r == 0 else f"the rows from {form.table.rows[r].key} on"
        question = (
            f"Move {what} to which form? A form of the same width continues with them; "
            f"a form id without a table (e.g. one listed as missing) takes the whole form. Forms: {others}"
        )
        self.app.push_screen(PromptScreen("Move rows", question, placeholder="form id"), done)

    def action_apply_fix(self) -> None:
        """Apply the top suggestion of the cursor cell's findings."""
        session, cell = self.session, self.cursor_cell()
        if session is None or cell is None or self.form_id is None or self._wait_for_checks():
            return
        ranked = suggestions_for(session, self.form_id, *cell)
        if not ranked:
            has = findings_at(session, self.form_id, *cell)
            self.notify(
                "No suggestion for this cell." if has else "This cell passes its checks.",
                timeout=3,
                markup=False,
            )
            return
        top = ranked[0]

        def apply() -> Message:
            f, r, c, notice = apply_suggestion(session, top)
            return SessionChanged(session, notice, f, (r, c))

        self.submit("Apply suggestion", apply)

    def current_finding(self) -> Finding | None:
        """The finding `p` acts on: the outlined one if it names the cursor cell, else the cell's first."""
        session, cell = self.session, self.cursor_cell()
        if session is None or not session.checked:
            return None
        if self.findings.has_focus:
            return self._finding(self.findings.finding_id)
        here = findings_at(session, self.form_id, *cell) if cell is not None and self.form_id else []
        outlined = self._finding(self.outlined)
        if outlined is not None and (outlined in here or not here):
            return outlined if not outlined.accepted else None
        return here[0] if here else None

    def action_publish_as_is(self) -> None:
        """Mark the current finding "published as is" (listed, no longer a failure)."""
        session, finding = self.session, self.current_finding()
        if session is None or self._wait_for_checks():
            return
        if finding is None or finding.accepted:
            self.notify("No open finding here: choose one in the findings pane.", timeout=3, markup=False)
            return
        fid, message = finding.id, finding.message

        def accept() -> Message:
            session.accept(fid)
            return SessionChanged(session, f"Published as is: {message}")

        self.submit("Publish as is", accept)

    def action_cycle_review(self) -> None:
        """unreviewed → reviewed → approved for the shown form."""
        session, form_id = self.session, self.form_id
        if session is None or form_id is None:
            return

        def cycle() -> Message:
            new = session.cycle_status(form_id)
            return SessionChanged(session, f"{session.doc.forms[form_id].title or form_id}: {new}")

        self.submit("Review status", cycle)

    def _history(self, redo: bool) -> None:
        session = self.session
        if session is None:
            return

        def job() -> Message:
            change = session.redo() if redo else session.undo()
            verb = "Redid" if redo else "Undid"
            if change is None:
                return SessionChanged(session, f"Nothing to {'redo' if redo else 'undo'}.")
            form = session.doc.forms.get(change.form)
            if change.kind not in ("value", "text", "shift") or form is None or form.table is None:
                return SessionChanged(session, f"{verb} {change.kind} {change.new}".rstrip())
            try:
                cell = (form.table.row_index(change.row), form.table.col_index(change.column))
            except KeyError:
                return SessionChanged(session, f"{verb} {change.kind}", change.form)
            return SessionChanged(
                session, f"{verb} {change.kind} of {change.row} › {change.column}", change.form, cell
            )

        self.submit("Redo" if redo else "Undo", job)

    def action_undo(self) -> None:
        """Undo the last change of this document."""
        self._history(redo=False)

    def action_redo(self) -> None:
        """Redo the last undone change of this document."""
        self._history(redo=True)

    def action_save(self) -> None:
        """Save the corrections and write the document's corrected TOML and CSV."""
        session = self.session
        if session is None:
            return

        def save() -> Message:
            written = save_session(session)
            return SessionChanged(session, saved_notice(written), saved_to=str(written[-1].parent))

        self.submit("Save", save)

    async def action_search(self) -> None:
        """Open the search bar under the table."""
        await self.query_one(SearchBar).open()

    def action_copy_cell(self) -> None:
        """Copy the cursor cell's text to the clipboard."""
        form, cell = self.form, self.cursor_cell()
        if form is None or form.table is None or cell is None:
            return
        text = form.table.rows[cell[0]].texts[cell[1]]
        self.app.copy_to_clipboard(text)
        self.notify(f"Copied {printable(text)!r}", timeout=2, markup=False)

    def action_toggle_source(self) -> None:
        """Show or hide the source pane."""
        view = self.query_one("#form-view")
        view.toggle_class("-hide-source")
        if view.has_class("-hide-source") and self.source.has_focus:
            self.grid.focus()

    @on(DataGrid.CellActivated, "#form-table")
    def _cell_activated(self, event: DataGrid.CellActivated) -> None:
        event.stop()
        self.action_edit_cell()

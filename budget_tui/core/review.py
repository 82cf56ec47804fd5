"""A reviewer's session on one document: edits with validation, undo/redo, checks kept current.

The UI talks only to this class: it validates, records every edit (crash-safe through the
corrections store when one is attached), applies it to the parsed tables (never to the
source) and re-runs just the identities the edited cell takes part in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from budget_tui.core.check import CheckSession
from budget_tui.core.findings import Finding
from budget_tui.core.model import Document, Form
from budget_tui.core.numbers import is_number

ReviewStatus = Literal["unreviewed", "reviewed", "approved"]
STATUS_CYCLE: tuple[ReviewStatus, ...] = ("unreviewed", "reviewed", "approved")


@dataclass(frozen=True)
class Edit:
    """One applied change, enough to undo it."""

    kind: Literal["value", "text", "shift", "accept", "status"]
    form: str
    r: int
    c: int
    old: str
    new: str
    note: str = ""
    finding: str = ""


def validate_text(form: Form, c: int, text: str) -> str:
    """The text to store for column ``c``, or ``ValueError`` with a message for the reviewer."""
    if any(ch in text for ch in "\t\r\n") or not all(ch.isprintable() for ch in text):
        raise ValueError("a cell cannot hold tabs, line breaks or control characters")
    text = text.strip()
    assert form.table is not None
    if form.table.columns[c].role == "amount" and text and not is_number(text):
        raise ValueError(f"{text!r} is not a number (e.g. 1,234.50, 0.00, -3, 12%)")
    return text


@dataclass
class ReviewSession:
    """Edits, undo/redo, acceptance marks and review statuses for one document.

    Each undo step is a group of edits (a row shift moves several cells at once).
    """

    doc: Document
    reviewer: str = ""
    read_only: bool = False
    recorder: Callable[[Edit], None] | None = None
    """Called with every edit *before* it is applied (the journal); may raise to refuse it."""
    undo_stack: list[tuple[Edit, ...]] = field(default_factory=list)
    redo_stack: list[tuple[Edit, ...]] = field(default_factory=list)
    accepted: set[str] = field(default_factory=set)
    statuses: dict[str, ReviewStatus] = field(default_factory=dict)
    dirty: bool = False

    def __post_init__(self) -> None:
        self.checks = CheckSession(self.doc, set(self.accepted))

    @property
    def findings(self) -> list[Finding]:
        return self.checks.findings

    def _guard(self) -> None:
        if self.read_only:
            raise PermissionError("this document is open read-only")

    def _step(self, edits: tuple[Edit, ...]) -> None:
        for e in edits:
            self._do(e)
        self.undo_stack.append(edits)
        self.redo_stack.clear()

    def edit(self, form_id: str, r: int, c: int, text: str, *, note: str = "", finding: str = "") -> Edit:
        """Validate and apply a new text for one cell; returns the edit (undoable)."""
        self._guard()
        form = self.doc.forms[form_id]
        if form.table is None:
            raise ValueError(f"form {form_id} has no table")
        new = validate_text(form, c, text)
        old = form.table.rows[r].texts[c]
        if new == old:
            raise ValueError("the cell already holds that value")
        kind: Literal["value", "text"] = "value" if form.table.columns[c].role == "amount" else "text"
        e = Edit(kind, form_id, r, c, old, new, note, finding)
        self._step((e,))
        return e

    def shift_row(
        self, form_id: str, r: int, start: int, k: int, *, note: str = "", finding: str = ""
    ) -> list[Edit]:
        """Move a row's cells from column ``start`` by ``k`` (right if positive), as one undo step."""
        self._guard()
        form = self.doc.forms[form_id]
        assert form.table is not None
        texts = list(form.table.rows[r].texts)
        width = len(texts)
        if k == 0 or (k > 0 and any(texts[width - k :])) or (k < 0 and any(texts[start : start - k])):
            raise ValueError("the shift would push a value off the row")
        if k > 0:
            moved = texts[:start] + [""] * k + texts[start : width - k]
        else:
            moved = texts[:start] + texts[start - k :] + [""] * (-k)
        edits = tuple(
            Edit("shift", form_id, r, j, texts[j], moved[j], note, finding)
            for j in range(width)
            if texts[j] != moved[j]
        )
        if edits:
            self._step(edits)
        return list(edits)

    def accept(self, finding_id: str, note: str = "") -> None:
        """Mark a finding "published as is": still listed, no longer a failure."""
        self._guard()
        self._step((Edit("accept", "", 0, 0, "", finding_id, note, finding_id),))

    def status(self, form_id: str) -> ReviewStatus:
        return self.statuses.get(form_id, "unreviewed")

    def cycle_status(self, form_id: str) -> ReviewStatus:
        """unreviewed -> reviewed -> approved -> unreviewed for one form."""
        self._guard()
        old = self.status(form_id)
        new = STATUS_CYCLE[(STATUS_CYCLE.index(old) + 1) % len(STATUS_CYCLE)]
        self._step((Edit("status", form_id, 0, 0, old, new),))
        return new

    def undo(self) -> tuple[Edit, ...] | None:
        """Revert the last step; ``None`` when there is nothing to undo."""
        if self.read_only or not self.undo_stack:
            return None
        step = self.undo_stack.pop()
        for e in reversed(step):
            self._do(_inverse(e))
        self.redo_stack.append(step)
        return step

    def redo(self) -> tuple[Edit, ...] | None:
        """Re-apply the last undone step; ``None`` when there is nothing to redo."""
        if self.read_only or not self.redo_stack:
            return None
        step = self.redo_stack.pop()
        for e in step:
            self._do(e)
        self.undo_stack.append(step)
        return step

    def _do(self, e: Edit) -> None:
        """Record (journal first), then apply one edit and re-check what it touches."""
        if self.recorder is not None:
            self.recorder(e)
        self.dirty = True
        if e.kind == "accept":
            if e.new:
                self.accepted.add(e.new)
            if e.old:
                self.accepted.discard(e.old)
            self.checks.set_accepted(self.accepted)
        elif e.kind == "status":
            self.statuses[e.form] = e.new  # type: ignore[assignment]
        else:
            form = self.doc.forms[e.form]
            assert form.table is not None
            form.table.set_text(e.r, e.c, e.new)
            self.checks.update_cell(e.form, e.r, e.c)
            self.checks.set_accepted(self.accepted)

    def failing_cells(self, form_id: str) -> dict[tuple[int, int], str]:
        """(row, column) -> worst severity of the unaccepted findings naming the cell."""
        out: dict[tuple[int, int], str] = {}
        form = self.doc.forms.get(form_id)
        if form is None or form.table is None:
            return out
        rows = {r.key: i for i, r in enumerate(form.table.rows)}
        cols = {c.key: j for j, c in enumerate(form.table.columns)}
        for f in self.findings:
            if f.accepted:
                continue
            for cell in f.cells:
                if cell.form != form_id or cell.row not in rows or cell.column not in cols:
                    continue
                key = (rows[cell.row], cols[cell.column])
                if out.get(key) != "error":
                    out[key] = f.severity
        return out

    def corrected_cells(self, form_id: str) -> set[tuple[int, int]]:
        """Cells whose text differs from the printed source."""
        form = self.doc.forms.get(form_id)
        return set(form.table.overrides) if form is not None and form.table is not None else set()


def _inverse(e: Edit) -> Edit:
    if e.kind == "accept":
        return Edit("accept", e.form, e.r, e.c, e.new, "", e.note, e.finding)
    return Edit(e.kind, e.form, e.r, e.c, e.new, e.old, e.note, e.finding)

"""A reviewer's session on one document: validated corrections, undo/redo, live checks.

The UI talks only to this class. Every change becomes a :class:`Correction`, validated by
the same rules as ``budget-tui fix``; with a store attached (:meth:`ReviewSession.open`)
it is journalled to disk *before* it is applied and shown, so a crash loses nothing the
screen showed. Applying a cell edit re-runs only the identities the cell takes part in.
The checks themselves run on first use (:attr:`ReviewSession.checks`), so an app can show a
freshly parsed document before they finish. The source file is never touched.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from budget_tui.core.check import CheckSession
from budget_tui.core.corrections import (
    STATUSES,
    Correction,
    LockHolder,
    ReviewStore,
    apply_corrections,
    cell_correction,
    default_reviewer,
    header_key,
    inverse,
    not_applied_notes,
    now_iso,
    reassign_correction,
    review_location,
    shift_correction,
)
from budget_tui.core.document import load_document
from budget_tui.core.errors import Problem
from budget_tui.core.findings import Finding
from budget_tui.core.model import Document

ReviewStatus = Literal["unreviewed", "reviewed", "approved"]
STATUS_CYCLE: tuple[ReviewStatus, ...] = ("unreviewed", "reviewed", "approved")
assert STATUS_CYCLE == STATUSES
EXPORT_FOLDER = "budget-tui-export"
"""Sub-folder of the review folder where ``save`` writes the corrected TOML and CSV."""


@dataclass
class ReviewSession:
    """Corrections, acceptance marks and review statuses of one document, with undo/redo.

    Build it with :meth:`open` to persist (journal, sidecar, lock); ``ReviewSession(doc)``
    keeps everything in memory (tests, read-only looks).
    """

    doc: Document
    reviewer: str = ""
    read_only: bool = False
    store: ReviewStore | None = None
    lock_holder: LockHolder | None = None
    """Who holds the document when it was opened read-only because of them."""
    notes: list[Problem] = field(default_factory=list)
    """Things the reviewer should read: fallback folder, conflicts, corrections that no longer apply."""
    restored: int = 0
    """Unsaved journal entries restored from a previous run (offer to keep or discard)."""
    review_dir: str | None = None
    accepted: set[str] = field(default_factory=set)
    statuses: dict[str, ReviewStatus] = field(default_factory=dict)
    _others: list[Correction] = field(default_factory=list)
    _undo: list[Correction] = field(default_factory=list)
    _redo: list[Correction] = field(default_factory=list)
    _dirty: bool = False
    _checks: CheckSession | None = field(default=None, repr=False, compare=False)
    _checks_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.reviewer = self.reviewer or default_reviewer()

    @property
    def checks(self) -> CheckSession:
        """The document's checks, run on first use (a large document takes a while: call
        :meth:`run_checks` from a worker thread before reading findings on a UI thread)."""
        checks = self._checks
        if checks is None:
            with self._checks_lock:
                checks = self._checks
                if checks is None:
                    checks = self._checks = CheckSession(self.doc, set(self.accepted))
        return checks

    @checks.setter
    def checks(self, value: CheckSession) -> None:
        self._checks = value

    @property
    def checked(self) -> bool:
        """Whether the checks have run (reading :attr:`findings` costs nothing then)."""
        return self._checks is not None

    def run_checks(self) -> list[Finding]:
        """Run the checks now if they have not run yet; returns the findings."""
        return self.checks.findings

    # -- opening ----------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        reviewer: str | None = None,
        review_dir: str | os.PathLike[str] | None = None,
        read_only: bool = False,
    ) -> ReviewSession:
        """Parse ``path``, take its lock (else open read-only, saying who holds it) and apply
        every reviewer's saved corrections plus this reviewer's unsaved journal.

        Raises:
            UnreadableSource: the file is not text.
            SidecarError: a sidecar or journal is broken (``path:line: message``).
        """
        doc = load_document(path)
        rdir = None if review_dir is None else str(review_dir)
        store = ReviewStore(doc.path, reviewer=reviewer, review_dir=rdir, sha256=doc.sha256)
        holder = None
        if not read_only:
            holder = store.acquire()
            read_only = holder is not None
        session = cls(
            doc,
            reviewer=store.reviewer,
            read_only=read_only,
            store=store,
            lock_holder=holder,
            review_dir=rdir,
        )
        session.restored = store.unsaved if not read_only else 0
        session._load()
        message = review_location(doc.path, rdir).message
        if message:
            session.notes.insert(0, Problem(doc.path, None, message))
        return session

    def _own(self) -> list[Correction]:
        return self.store.corrections if self.store is not None and not self.read_only else list(self._undo)

    def _load(self) -> None:
        """(Re)build the document: a fresh parse with every correction applied, checks rerun."""
        if self.store is not None:
            review = self.store.load_all(include_journal=not self.read_only)
            own = {id(c) for c in self.store.corrections} if not self.read_only else set()
            self._others = [c for c in review.corrections if id(c) not in own and c.who != self.reviewer]
            self.notes = [*review.notes, *(Problem(self.doc.path, None, str(c)) for c in review.conflicts)]
            corrections = review.corrections
        else:
            corrections = [*self._others, *self._undo]
        report = apply_corrections(self.doc, corrections)
        self.notes.extend(not_applied_notes(self.doc, report))
        self.accepted = set(report.accepted)
        self.statuses = {k: v for k, v in report.statuses.items() if v in STATUS_CYCLE}
        # The checks run on first use: opening a document only parses it and applies corrections.
        self._checks = None

    def _reparse(self) -> None:
        """Start again from the source: structural corrections have no cheap inverse."""
        self.doc = load_document(self.doc.path) if Path(self.doc.path).exists() else self.doc
        self._load()
        self.run_checks()

    def close(self) -> None:
        """Give the document's lock up (unsaved edits stay in the journal)."""
        if self.store is not None:
            self.store.release()

    # -- state ------------------------------------------------------------------------------
    @property
    def findings(self) -> list[Finding]:
        """Every finding (runs the checks if they have not run yet)."""
        return self.checks.findings

    @property
    def dirty(self) -> bool:
        """Edits not yet saved into the sidecar."""
        if self.store is not None and not self.read_only:
            return self.store.unsaved > 0
        return self._dirty

    def status(self, form_id: str) -> ReviewStatus:
        return self.statuses.get(form_id, "unreviewed")

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

    # -- changes ----------------------------------------------------------------------------
    def _guard(self) -> None:
        if self.read_only:
            who = f" by {self.lock_holder}" if self.lock_holder else ""
            raise PermissionError(f"{Path(self.doc.path).name} is open read-only{who}")

    def _commit(self, c: Correction) -> Correction:
        """Journal first (when persistent), then apply and re-check."""
        if self.store is not None:
            c = self.store.record(c)
        else:
            c = replace(c, who=c.who or self.reviewer, when=c.when or now_iso())
            self._undo.append(c)
            self._redo.clear()
        self._dirty = True
        self._apply(c)
        return c

    def _apply(self, c: Correction) -> None:
        if c.kind in ("value", "text"):
            self._apply_cell(c)
        elif c.kind == "accept":
            self.accepted.add(c.finding)
            self.checks.set_accepted(self.accepted)
        elif c.kind == "status":
            self.statuses[c.form] = c.new  # type: ignore[assignment]
        else:
            report = apply_corrections(self.doc, [c])
            if report.not_applied:
                raise ValueError(report.not_applied[0].reason)
            self.checks = CheckSession(self.doc, set(self.accepted))

    def _apply_cell(self, c: Correction) -> None:
        table = self.doc.forms[c.form].table
        assert table is not None
        if c.row.startswith("@header:"):
            apply_corrections(self.doc, [c])
            self.checks = CheckSession(self.doc, set(self.accepted))
            return
        r, j = table.row_index(c.row), table.col_index(c.column)
        table.set_text(r, j, c.new)
        self.checks.update_cell(c.form, r, j)

    def edit(
        self, form_id: str, r: int, c: int, text: str, *, note: str = "", finding: str = ""
    ) -> Correction:
        """Validate and apply a new text for one cell (amount columns take numbers only).

        Raises:
            ValueError: bad input (nothing changed), or the cell already holds it.
            PermissionError: the document is open read-only.
        """
        self._guard()
        form = self.doc.forms[form_id]
        if form.table is None:
            raise ValueError(f"form {form_id} has no table")
        row, col = form.table.rows[r].key, form.table.columns[c].key
        correction = cell_correction(form, row, col, text, note=note, finding=finding)
        if correction.new == correction.old:
            raise ValueError("the cell already holds that value")
        return self._commit(correction)

    def shift_row(
        self, form_id: str, r: int, start: int, k: int, *, note: str = "", finding: str = ""
    ) -> Correction:
        """Move a row's cells from column ``start`` by ``k`` cells (right if positive)."""
        self._guard()
        form = self.doc.forms[form_id]
        if form.table is None:
            raise ValueError(f"form {form_id} has no table")
        c = shift_correction(form, form.table.rows[r].key, form.table.columns[start].key, k, note=note)
        if finding:
            c = replace(c, finding=finding)
        return self._commit(c)

    def edit_header(self, form_id: str, level: int, c: int, text: str, *, note: str = "") -> Correction:
        """Correct a header label (``level`` is 1-based); validated as text, never as a number."""
        self._guard()
        form = self.doc.forms[form_id]
        if form.table is None:
            raise ValueError(f"form {form_id} has no table")
        correction = cell_correction(form, header_key(level), form.table.columns[c].key, text, note=note)
        if correction.new == correction.old:
            raise ValueError("the header already reads that")
        return self._commit(correction)

    def reassign(self, form_id: str, r: int, target: str, *, note: str = "") -> Correction:
        """Move rows ``r``… of a form to form ``target`` (a continuation, or a whole form that
        takes another id), as one undoable step."""
        self._guard()
        form = self.doc.forms[form_id]
        if form.table is None:
            raise ValueError(f"form {form_id} has no table")
        row_key = form.table.rows[r].key if r > 0 else ""
        return self._commit(reassign_correction(self.doc, form_id, row_key, target, note=note))

    def accept(self, finding_id: str, note: str = "") -> Correction:
        """Mark a finding "published as is": still listed, no longer a failure."""
        self._guard()
        f = next((x for x in self.findings if x.id == finding_id), None)
        if f is None:
            raise ValueError(f"no finding {finding_id!r} in this document")
        return self._commit(
            Correction("accept", f.form, "", "", "", "published as is", note=note, finding=finding_id)
        )

    def cycle_status(self, form_id: str) -> ReviewStatus:
        """unreviewed -> reviewed -> approved -> unreviewed for one form."""
        self._guard()
        old = self.status(form_id)
        new = STATUS_CYCLE[(STATUS_CYCLE.index(old) + 1) % len(STATUS_CYCLE)]
        self._commit(Correction("status", form_id, "", "", old, new))
        return new

    def undo(self) -> Correction | None:
        """Withdraw this reviewer's latest correction (journalled: survives a restart)."""
        store = self.store.undo if self.store is not None else None
        return self._step(store, self._undo, self._redo, self._revert)

    def redo(self) -> Correction | None:
        """Put back the latest undone correction."""
        store = self.store.redo if self.store is not None else None
        return self._step(store, self._redo, self._undo, self._apply)

    def _step(
        self,
        from_store: Callable[[], Correction | None] | None,
        take: list[Correction],
        give: list[Correction],
        effect: Callable[[Correction], None],
    ) -> Correction | None:
        """One undo or redo: from the store when there is one, else between the two
        in-memory stacks; then ``effect`` on the document."""
        if self.read_only:
            return None
        if from_store is not None:
            c = from_store()
        else:
            c = take.pop() if take else None
            if c is not None:
                give.append(c)
        if c is None:
            return None
        self._dirty = True
        effect(c)
        return c

    def _revert(self, c: Correction) -> None:
        if c.kind == "accept":
            if not any(x.kind == "accept" and x.finding == c.finding for x in self._own() + self._others):
                self.accepted.discard(c.finding)
            self.checks.set_accepted(self.accepted)
        elif c.kind in ("value", "text", "status") and not c.row.startswith("@header:"):
            self._apply(inverse(c))
        else:
            self._reparse()

    def discard_restored(self) -> None:
        """Drop the edits restored from a left-over journal (the reviewer declined them)."""
        self._guard()
        if self.store is not None:
            self.store.discard_journal()
        self.restored = 0
        self._reparse()

    def save(self, out_dir: str | os.PathLike[str] | None = None) -> list[Path]:
        """Save corrections (atomically, into this reviewer's sidecar) and export the document.

        Returns:
            The sidecar, then the TOML and CSV files written (in ``out_dir``, else the
            ``budget-tui-export`` folder beside the sidecar).
        """
        from budget_tui.core.export import export_document

        self._guard()
        written: list[Path] = []
        if self.store is not None:
            written.append(self.store.save())
            folder = Path(out_dir) if out_dir is not None else self.store.sidecar_path.parent / EXPORT_FOLDER
        elif out_dir is not None:
            folder = Path(out_dir)
        else:
            raise ValueError("nowhere to save: this session has no corrections store")
        written.extend(export_document(self.doc, folder, ("toml", "csv")))
        self._dirty = False
        return written

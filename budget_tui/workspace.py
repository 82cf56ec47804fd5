"""What the review app knows about the corpus: per-document summaries, open sessions, navigation order.

No Textual here: the screen reads these plain objects and calls the sessions; tests can drive
them directly. A document is summarised when the loader has checked it and gets a
`ReviewSession` only when a reviewer opens it, so a folder of thousands stays cheap.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from budget_tui.core.findings import NARRATIVE, Finding, Suggestion
from budget_tui.core.gcpause import collector_paused
from budget_tui.core.review import ReviewSession, ReviewStatus

Cell = tuple[int, int]


@dataclass
class FormSummary:
    """One form as the navigator shows it."""

    id: str
    title: str
    status: str
    """Parse status: ``ok``, ``empty``, ``missing`` or ``incomplete``."""
    errors: int = 0
    warnings: int = 0
    accepted: int = 0
    """Findings marked "published as is"."""
    review: ReviewStatus = "unreviewed"
    checked: bool = True
    """Whether the counts are known (an open document's checks may still be running)."""


@dataclass
class DocSummary:
    """One document as the navigator shows it."""

    path: str
    department: str
    unit: str
    year: int | None
    forms: list[FormSummary]
    narrative_errors: int = 0
    narrative_warnings: int = 0
    problems: list[str] = field(default_factory=list)
    checked: bool = True
    """Whether the finding counts are known (see `FormSummary.checked`)."""

    @property
    def failures(self) -> int:
        """Unaccepted error findings, tables and narrative."""
        return sum(f.errors for f in self.forms) + self.narrative_errors

    @property
    def table_failures(self) -> int:
        """Unaccepted findings naming table cells (what `n` can reach)."""
        return sum(f.errors + f.warnings for f in self.forms)

    @property
    def title(self) -> str:
        """``unit · year`` (the unit only when it differs from the department)."""
        parts = [self.unit] if self.unit and self.unit != self.department else []
        if self.year:
            parts.append(str(self.year))
        return " · ".join(parts) or self.path.rsplit("/", 1)[-1]


def _count(
    forms: dict[str, FormSummary], findings: Iterable[tuple[str, str, bool, set[str]]]
) -> tuple[int, int]:
    """Add finding counts to the forms they name; returns narrative (errors, warnings)."""
    narrative = [0, 0]
    for _, severity, accepted, names in findings:
        for name in names:
            target = forms.get(name)
            if target is None:
                if name == NARRATIVE and not accepted:
                    narrative[severity != "error"] += 1
                continue
            if accepted:
                target.accepted += 1
            elif severity == "error":
                target.errors += 1
            else:
                target.warnings += 1
    return narrative[0], narrative[1]


def summary_from_check(result: dict[str, Any]) -> DocSummary:
    """Summary from one ``check_file`` result (what ``budget-tui check`` reports)."""
    forms = {
        f["id"]: FormSummary(f["id"], f["title"] or f["id"], f["status"]) for f in result.get("forms", [])
    }
    found = [
        (f["id"], f["severity"], bool(f["accepted"]), {c["form"] for c in f["cells"]} | {f["form"]})
        for f in result.get("findings", [])
    ]
    n_err, n_warn = _count(forms, found)
    problems = [
        f"line {e['line']}: {e['message']}" if e.get("line") else e["message"] for e in result["errors"]
    ]
    return DocSummary(
        path=result["path"],
        department=result.get("department") or "",
        unit=result.get("unit") or "",
        year=result.get("year"),
        forms=list(forms.values()),
        narrative_errors=n_err,
        narrative_warnings=n_warn,
        problems=problems,
    )


def summary_from_session(session: ReviewSession, problems: list[str] | None = None) -> DocSummary:
    """Summary of an open document, with the session's edits, acceptances and review statuses.

    Never runs the checks: until they have run, the counts are zero and marked unknown
    (``checked=False``), so this is cheap enough for the UI thread.
    """
    doc = session.doc
    checked = session.checked
    forms = {
        f.id: FormSummary(f.id, f.title or f.id, f.status, review=session.status(f.id), checked=checked)
        for f in doc.forms.values()
    }
    findings = session.findings if checked else []
    found = [(f.id, f.severity, f.accepted, {c.form for c in f.cells} | {f.form}) for f in findings]
    n_err, n_warn = _count(forms, found)
    return DocSummary(
        path=doc.path,
        department=doc.department,
        unit=doc.unit,
        year=doc.year,
        forms=list(forms.values()),
        narrative_errors=n_err,
        narrative_warnings=n_warn,
        problems=problems if problems is not None else [str(p) for p in doc.problems],
        checked=checked,
    )


@dataclass
class DocEntry:
    """A document of the corpus: its summary, and its session once opened."""

    summary: DocSummary
    session: ReviewSession | None = None


@dataclass
class Workspace:
    """The corpus being reviewed: paths, summaries in load order, open sessions."""

    paths: list[str]
    reviewer: str | None = None
    review_dir: str | None = None
    read_only: bool = False
    entries: list[DocEntry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Files that could not be read (``path: message``)."""
    total: int = 0
    """Files found so far (grows while loading)."""
    loaded: bool = False
    _index: dict[str, DocEntry] = field(default_factory=dict, repr=False)
    """Entries by document path: built here, kept by `add` (the only way entries grow)."""

    def __post_init__(self) -> None:
        self._index = {e.summary.path: e for e in self.entries}

    def add(self, entry: DocEntry) -> None:
        """Append a document (in load order)."""
        self.entries.append(entry)
        self._index[entry.summary.path] = entry

    def entry(self, path: str) -> DocEntry | None:
        """The entry of a document path (``None`` if not loaded yet)."""
        return self._index.get(path)

    def open(self, path: str) -> ReviewSession:
        """The document's session, parsing the file and loading saved corrections on first use.

        Call from a worker thread: parsing a large document takes a moment. The session takes
        the document's lock (or opens read-only, naming who holds it) and restores this
        reviewer's unsaved journal.

        Raises:
            UnreadableSource: the file is not text.
            SidecarError: a saved corrections file or journal is broken.
        """
        entry = self.entry(path)
        if entry is not None and entry.session is not None:
            return entry.session
        # The whole open (parse, corrections, journal) runs with the collector paused and
        # leaves the document in its oldest generation, off the first frame's path: see
        # collector_paused.
        with collector_paused():
            session = ReviewSession.open(
                path, reviewer=self.reviewer, review_dir=self.review_dir, read_only=self.read_only
            )
        if entry is not None:
            entry.session = session
        return session

    @property
    def sessions(self) -> Iterator[ReviewSession]:
        """Open sessions, in corpus order."""
        return (e.session for e in self.entries if e.session is not None)

    def close(self) -> None:
        """Release every open document's lock (unsaved edits stay in their journals)."""
        for session in self.sessions:
            session.close()

    @property
    def dirty(self) -> bool:
        """Whether any document has unsaved edits."""
        return any(s.dirty for s in self.sessions)

    def refresh(self, session: ReviewSession) -> DocSummary:
        """Recompute an open document's summary after an edit."""
        entry = self.entry(session.doc.path)
        summary = summary_from_session(session, entry.summary.problems if entry else None)
        if entry is not None:
            entry.summary = summary
        return summary

    def progress(self) -> tuple[int, int, int]:
        """(forms reviewed or approved, forms with a table, forms with failures) over the corpus."""
        reviewed = tables = failing = 0
        for e in self.entries:
            for f in e.summary.forms:
                if f.status in ("missing",):
                    continue
                tables += 1
                reviewed += f.review != "unreviewed"
                failing += f.errors > 0
        return reviewed, tables, failing


def failing_order(session: ReviewSession) -> list[tuple[str, int, int]]:
    """Every failing table cell of a document: forms in document order, cells row by row."""
    out: list[tuple[str, int, int]] = []
    for form_id in session.doc.forms:
        out.extend((form_id, r, c) for r, c in sorted(session.failing_cells(form_id)))
    return out


def next_failing(
    session: ReviewSession, here: tuple[str, int, int], step: int
) -> tuple[str, int, int] | None:
    """The failing cell after (``step=1``) or before (``-1``) ``here`` in this document, if any."""
    order = failing_order(session)
    forms = list(session.doc.forms)
    rank = {f: i for i, f in enumerate(forms)}

    def key(cell: tuple[str, int, int]) -> tuple[int, int, int]:
        return rank.get(cell[0], -1), cell[1], cell[2]

    current = key(here)
    if step > 0:
        return next((cell for cell in order if key(cell) > current), None)
    return next((cell for cell in reversed(order) if key(cell) < current), None)


def findings_at(session: ReviewSession, form_id: str, r: int, c: int) -> list[Finding]:
    """Unaccepted findings naming one table cell, most severe first."""
    form = session.doc.forms.get(form_id)
    if form is None or form.table is None:
        return []
    row_key, col_key = form.table.rows[r].key, form.table.columns[c].key
    hits = [
        f
        for f in session.findings
        if not f.accepted
        and any(x.form == form_id and x.row == row_key and x.column == col_key for x in f.cells)
    ]
    return sorted(hits, key=lambda f: f.severity != "error")


def suggestions_for(session: ReviewSession, form_id: str, r: int, c: int) -> list[Suggestion]:
    """Fix proposals of the unaccepted findings naming a cell, best first.

    Proposals for the cell itself come first, then those for the row or other cells of the
    same findings; ties go to the higher score. Duplicates (the same change proposed by two
    findings) are merged.
    """
    form = session.doc.forms.get(form_id)
    if form is None or form.table is None:
        return []
    row_key, col_key = form.table.rows[r].key, form.table.columns[c].key
    seen: set[tuple[str, str, str, str, str]] = set()
    ranked: list[Suggestion] = []
    for finding in findings_at(session, form_id, r, c):
        for s in finding.suggestions:
            key = (s.kind, s.form, s.row, s.column, s.value)
            if key not in seen:
                seen.add(key)
                ranked.append(s)

    def rank(s: Suggestion) -> tuple[int, float]:
        own = s.form == form_id and s.row == row_key and (s.column == col_key or s.kind == "shift")
        return (0 if own else 1, -s.score)

    return sorted(ranked, key=rank)


def describe(s: Suggestion, session: ReviewSession, here: tuple[str, str, str] | None = None) -> str:
    """What a suggestion does and what it repairs, in one line of plain text.

    Args:
        s: The proposal.
        session: The document's session (for the messages of the findings it repairs).
        here: ``(form, row key, column key)`` of the cell being edited: its own location is
            not repeated.
    """
    if s.kind == "shift":
        k = int(s.value)
        cells = f"{abs(k)} cell{'s' if abs(k) != 1 else ''}"
        what = f"shift the row {cells} {'right' if k > 0 else 'left'} from {s.column}"
        if here is None or (s.form, s.row) != here[:2]:
            what = f"{what} (row {s.row})"
    elif here is not None and (s.form, s.row, s.column) == here:
        what = s.value
    else:
        what = f"{s.value} in {s.row} › {s.column}"
    messages = {f.id: f.message for f in session.findings}
    repairs = [messages.get(fid, fid) for fid in s.fixes]
    reason = f" ({s.reason})" if s.reason else ""
    if not repairs:
        return what + reason
    return f"{what}{reason} — repairs {len(repairs)}: {repairs[0]}" + (" …" if len(repairs) > 1 else "")


def apply_suggestion(session: ReviewSession, s: Suggestion) -> tuple[str, int, int, str]:
    """Apply a proposal through the session (validated, undoable).

    Returns:
        ``(form id, row, column, notice)`` of the changed cell.

    Raises:
        ValueError: the proposal no longer fits (the table changed since).
        PermissionError: the session is read-only.
    """
    form = session.doc.forms[s.form]
    if form.table is None:
        raise ValueError(f"form {s.form} has no table")
    r, c = form.table.row_index(s.row), form.table.col_index(s.column)
    finding = s.fixes[0] if s.fixes else ""
    if s.kind == "shift":
        session.shift_row(s.form, r, c, int(s.value), finding=finding)
        return s.form, r, c, f"Shifted row {s.row} from {s.column} by {s.value}"
    session.edit(s.form, r, c, s.value, finding=finding, note=s.reason)
    return s.form, r, c, f"Set {s.row} › {s.column} to {s.value}"

"""App-wide messages: the corpus loader's progress and the results of session jobs."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from textual.message import Message

from budget_tui.core.model import Document
from budget_tui.core.review import ReviewSession
from budget_tui.workspace import DocSummary


@dataclass
class DocumentChecked(Message):
    """The loader parsed and checked one more document."""

    summary: DocSummary
    done: int
    """Files handled so far (checked or unreadable)."""
    total: int
    """Files found."""
    session: ReviewSession | None = None
    """The document's session when the loader opened it (the first document, to start at once)."""


@dataclass
class DocumentPreview(Message):
    """The first lines of a long document, parsed to show while the whole is parsed."""

    doc: Document
    """The preview (see `budget_tui.core.document.preview_document`)."""
    size: int
    """Bytes of the whole file."""
    shown: threading.Event
    """Set once the preview is drawn (or will not be): the loader parses the whole then."""


@dataclass
class DocumentsIndexed(Message):
    """The loader checked a batch of documents (a folder is reported a batch at a time, so
    the navigator grows in a few large steps rather than thousands of small ones)."""

    summaries: list[DocSummary]
    unreadable: list[str]
    """``path: reason`` of the files in the batch that could not be read."""
    done: int
    """Files handled so far."""
    total: int
    """Files found."""


@dataclass
class DocumentUnreadable(Message):
    """The loader met a file it cannot read."""

    message: str
    """``path: reason``."""
    done: int
    total: int


@dataclass
class CorpusLoaded(Message):
    """The loader has handled every file."""

    documents: int
    problems: int


@dataclass
class SessionOpened(Message):
    """A document was parsed and its review session is ready."""

    session: ReviewSession
    form_id: str | None
    """Form to show (``None``: the first)."""
    cell: tuple[int, int] | None
    """Cell to put the cursor on (``None``: the top left)."""


@dataclass
class ChecksFinished(Message):
    """A session's checks have run: its findings, failing cells and counts are known."""

    session: ReviewSession


@dataclass
class SessionChanged(Message):
    """A job changed a session (edit, undo, acceptance, status, save): refresh what shows it."""

    session: ReviewSession
    notice: str
    """What happened, for the reviewer ("" for nothing to say)."""
    form_id: str | None = None
    """Form the change was in, to show it."""
    cell: tuple[int, int] | None = None
    """Cell to move the cursor to."""
    saved_to: str = ""
    """Folder the corrected exports were written to, after a save."""


class ReadyToQuit(Message):
    """Every document was saved or its unsaved edits discarded, as the reviewer chose: exit."""

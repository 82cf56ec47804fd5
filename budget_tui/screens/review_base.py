"""`ReviewBase`: the review screen's panes, loading, opening documents and showing forms.

Widgets only present and post messages; this screen turns them into calls on the
`ReviewSession` of the open document. Anything that parses or re-checks runs on one
background thread, in order (a `ThreadPoolExecutor` of one), so the UI never blocks and
edits never race.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from functools import partial
from pathlib import Path

from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.worker import get_current_worker

from budget_tui.core.batch import CheckOptions, check_file, source_files
from budget_tui.core.corrections import SidecarError, has_review_files
from budget_tui.core.document import preview_document
from budget_tui.core.findings import NARRATIVE, Finding
from budget_tui.core.gcpause import collector_paused
from budget_tui.core.model import Document, Form
from budget_tui.core.review import ReviewSession
from budget_tui.core.source import UnreadableSource
from budget_tui.messages import (
    ChecksFinished,
    CorpusLoaded,
    DocumentChecked,
    DocumentPreview,
    DocumentsIndexed,
    DocumentUnreadable,
    ReadyToQuit,
    SessionChanged,
    SessionOpened,
)
from budget_tui.screens.restored_edits import RestoreChoice, RestoredEditsScreen
from budget_tui.widgets.findings_list import FindingsList
from budget_tui.widgets.form_model import FormGridModel
from budget_tui.widgets.grid import DataGrid, printable
from budget_tui.widgets.key_footer import KeyFooter
from budget_tui.widgets.navigator import Navigator
from budget_tui.widgets.search_bar import SearchBar
from budget_tui.widgets.source_view import SourceView
from budget_tui.widgets.status_bar import StatusBar
from budget_tui.workspace import (
    DocEntry,
    DocSummary,
    Workspace,
    summary_from_check,
    summary_from_session,
)

Job = Callable[[], Message | None]

INDEX_BATCH_SECONDS = 0.25
"""How often the loader reports the documents it indexed (one navigator update per batch)."""
FIRST_PAINT_HOLD = 0.5
"""Longest time the screen waits for the first document before it draws "Loading…" instead."""


def _size(size: int) -> str:
    """A file size for people (``8.5 MB``)."""
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.0f} kB"


class ReviewBase(Screen[None]):
    """Panes and state of the review screen; `ReviewScreen` adds the keys and actions."""

    def __init__(self, workspace: Workspace) -> None:
        """Create the screen for a corpus (loading starts when it mounts).

        Args:
            workspace: The corpus.
        """
        super().__init__()
        self.workspace = workspace
        self.session: ReviewSession | None = None
        self.form_id: str | None = None
        self.model: FormGridModel | None = None
        self.outlined: str | None = None
        """Id of the finding whose cells are outlined."""
        self._matches: list[tuple[int, int]] = []
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="review")
        self._first_shown = threading.Event()
        """Set once the first document is on screen and checked: the loader waits for it
        before it indexes the rest of a folder, so parsing thousands of files never competes
        with the first paint nor with the first document's checks."""
        self._opening: str | None = None
        self._preview: Document | None = None
        """The first lines of the first document, shown until it is parsed whole."""
        self._chrome_shown = False
        """Whether the footer's keys and the navigator's tree are shown (`_show_chrome`)."""
        self._announced: set[str] = set()
        self._paint_waiters: list[threading.Event] = []
        """Jobs waiting for the grid's next frame (`DataGrid.Painted`)."""
        self._hold: ExitStack | None = None
        """Holds repaints until the first document is shown (see `on_mount`)."""
        self._ending: ExitStack | None = None
        """The hold, once the panes are shown, until the table has the focus (`_release`)."""
        self._resumed = False
        """Whether the screen was shown before (see `on_screen_resume`)."""
        self._startup = ExitStack()
        """The cyclic collector stays off from here (the app is starting: its stylesheet,
        widgets and first document are made, all of them kept) until the first document is
        drawn (`_end_hold`), or is shown after the hold ran out, or none will come: the
        twenty-odd collections that startup triggered found nothing to free. What it made
        then moves to the oldest generation (`collector_paused`). Not ended sooner: the
        loader's own pause around the first parse, started with the collector off, leaves
        turning it back on to this one."""
        self._startup.enter_context(collector_paused())

    # Layout --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        """Navigator | (table + search, source) over findings; status bar and footer.

        The panes, status bar and footer stay undrawn (``display``) until the first document
        is shown: laying out and rendering them empty, a moment before they fill, is work the
        first frame waits for (the screen lays itself out and renders once as it is first
        shown, though nothing of it reaches the terminal while repaints are held).
        """
        # The first document is read and parsed while the panes are mounted (its messages are
        # handled once the screen is mounted), not after: the frame waits for both.
        self.load_corpus()
        self._preset_breakpoints()
        body = Horizontal(id="body")
        status = StatusBar(id="status-bar")
        footer = KeyFooter(held=True)
        for widget in (body, status, footer):
            widget.display = False  # an inline style: showing it again restyles nothing
        with body:
            yield Navigator(id="navigator")
            with Vertical(id="main"):
                with Horizontal(id="form-view"):
                    with Vertical(id="table-pane"):
                        yield DataGrid(id="form-table")
                        yield SearchBar(id="search-bar", classes="-hidden")
                    yield SourceView(id="source-view")
                yield FindingsList(id="findings-list")
        yield status
        yield footer

    def _preset_breakpoints(self) -> None:
        """Start with the breakpoint classes the first resize would set (setting them then
        restyles every widget once more)."""
        app = self.app
        width, height = app.size
        for points, size in (
            (self.HORIZONTAL_BREAKPOINTS or app.HORIZONTAL_BREAKPOINTS or [], width),
            (self.VERTICAL_BREAKPOINTS or app.VERTICAL_BREAKPOINTS or [], height),
        ):
            chosen = next((name for at, name in sorted(points, reverse=True) if size >= at), None)
            for _, name in points:
                self.set_class(name == chosen, name, update=False)

    @property
    def grid(self) -> DataGrid:
        """The form table."""
        return self.query_one("#form-table", DataGrid)

    @property
    def source(self) -> SourceView:
        """The source pane."""
        return self.query_one("#source-view", SourceView)

    @property
    def navigator(self) -> Navigator:
        """The navigator."""
        return self.query_one(Navigator)

    @property
    def findings(self) -> FindingsList:
        """The findings pane."""
        return self.query_one(FindingsList)

    @property
    def status(self) -> StatusBar:
        """The status bar."""
        return self.query_one(StatusBar)

    def on_mount(self) -> None:
        """Hold repaints until the first document (the corpus loads from `compose` on)."""
        self.status.read_only = self.workspace.read_only
        self.query_one("#table-pane").border_title = "Loading…"
        self.findings.border_title = "Findings"
        self.source.border_title = "Source"
        self.grid.cursor_signal.subscribe(self, self._grid_cursor_signal, immediate=True)
        # The first frame is the first document, not empty panes drawn and laid out once more
        # when it arrives a moment later (drawing them would also compete with its parse).
        self._hold = ExitStack()
        self._hold.enter_context(self.app.batch_update())
        self.set_timer(FIRST_PAINT_HOLD, self._release)

    def _release(self, *, now: bool = False) -> None:
        """Show the panes and let the screen repaint (the first document is shown, or it is
        taking a while).

        Args:
            now: Let the repaints go at once (the screen is going away), not once the table
                has taken the focus.
        """
        hold, self._hold = self._hold, None
        if hold is not None:
            if self.focused is None:
                grid = self.grid
                if grid.focusable:
                    # Styled focused at once: set_focus restyles the table pane and the grid
                    # (for the pane's :focus-within), then the grid's Focus event sets
                    # has_focus, which restyled the grid again (for its :focus rules; its ten
                    # component classes make that 3 ms). Set already, the event changes nothing.
                    grid.set_reactive(DataGrid.has_focus, True)
                self.set_focus(grid, scroll_visible=False)
            self._ending = hold
            if not now:
                # After the grid's Focus event, queued just now ahead of this callback: the
                # first frame shows the table focused, not a frame later. The panes stay
                # undrawn until then (a resize handled meanwhile lays out only the screen).
                self.grid.call_later(self._end_hold)
        if now:
            self._end_hold(draw=False)

    def _end_hold(self, *, draw: bool = True) -> None:
        """Show the panes and let repaints go.

        Args:
            draw: Lay out and draw the frame now rather than at the screen's next update tick:
                the ticks keep the phase of the first one (60 a second), so waiting for the next
                costs anything up to a frame period (17 ms) with nothing else to do.
        """
        if self._ending is not None:
            for widget in (self.query_one("#body"), self.status, self.query_one(KeyFooter)):
                widget.display = True
            self._ending.close()
            self._ending = None
            self.refresh()
            if self._preview is None:
                self._show_chrome()
            if draw:
                # What the update timer would run at its next tick (Textual 8.2.8 has no public
                # "update now"); it pauses the timer, so the tick does not draw the frame again.
                self._on_timer_update()
                if self._preview is not None and not self.grid.paint_pending:
                    # The preview is drawn: the loader may parse the whole document now.
                    self._release_paint_waiters()
        self._end_startup_pause()

    def _show_chrome(self) -> None:
        """Show the footer's keys and, a frame later, the navigator's tree (see
        `Navigator.show_tree`), once. Over a preview both wait for the whole document: most
        keys need it, each would be laid out twice, and the tree would slow its parse down."""
        if not self._chrome_shown:
            self._chrome_shown = True
            self.query_one(KeyFooter).release()
            self.call_later(self.navigator.show_tree)

    def _end_startup_pause(self) -> None:
        """Turn the collector back on (see ``_startup``) once the first document is drawn, or
        shown after the hold ran out, or none will come; not while a frame is pending."""
        done = self.session is not None or self.workspace.loaded
        if done and self._ending is None and self._hold is None:
            self._startup.close()

    def _compositor_refresh(self) -> None:
        """Draw the screen, except while repaints are held: a resize handled then (the
        terminal's size arrives while the first document is read) queues a redraw of the
        empty screen that nothing would show; `_end_hold` draws it whole instead."""
        if self._hold is None and self._ending is None:
            super()._compositor_refresh()

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        """Skip the restyle of every widget on the first resume (runs before `Screen`'s own
        handler): each was styled as it was mounted, a moment ago, with the classes this size
        gives (`_preset_breakpoints`), so it would find nothing to change, at a cost of the order
        of a millisecond a widget."""
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False

    def on_unmount(self) -> None:
        """Finish the running job, then give every document's lock up."""
        self._release(now=True)
        self._startup.close()
        for waiter in self._paint_waiters:
            waiter.set()
        self._first_shown.set()  # never keep the loader waiting on a screen that is going away
        self._executor.shutdown(wait=True, cancel_futures=True)
        self.workspace.close()

    # Loading -------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="loader")
    def load_corpus(self) -> None:
        """Open the first document at once, then index the rest (as ``budget-tui check`` would,
        with its on-disk cache), reporting them a batch at a time."""
        ws = self.workspace
        worker = get_current_worker()
        files = source_files(ws.paths)
        ws.total = len(files)
        documents = problems = 0
        pending = iter(enumerate(files, 1))
        for done, path in pending:
            if worker.is_cancelled:
                return
            # Only parsed here: the screen shows it, then runs its checks on the job thread.
            try:
                session = self._open_first(path)
                if worker.is_cancelled:  # the app quit while it was read: give its lock back
                    session.close()
                    return
            except (UnreadableSource, SidecarError) as exc:
                problems += 1
                self.post_message(DocumentUnreadable(str(exc), done, len(files)))
                continue
            documents += 1
            self.post_message(DocumentChecked(summary_from_session(session), done, len(files), session))
            if done < len(files):
                self._first_shown.wait(timeout=60)
            break
        options = CheckOptions(corrections=True, reviewer=ws.reviewer, review_dir=ws.review_dir)
        summaries: list[DocSummary] = []
        unreadable: list[str] = []
        flushed = time.monotonic()
        done = 0
        for done, path in pending:
            if worker.is_cancelled:
                return
            result = check_file(path, options)
            if result.get("unreadable"):
                problems += 1
                unreadable.append(f"{path}: {result['errors'][0]['message']}")
            else:
                documents += 1
                summaries.append(summary_from_check(result))
            if time.monotonic() - flushed >= INDEX_BATCH_SECONDS:
                self.post_message(DocumentsIndexed(summaries, unreadable, done, len(files)))
                summaries, unreadable = [], []
                flushed = time.monotonic()
        if summaries or unreadable:
            self.post_message(DocumentsIndexed(summaries, unreadable, done, len(files)))
        self.post_message(CorpusLoaded(documents, problems))

    def _open_first(self, path: str) -> ReviewSession:
        """Open the first document (on the loader's thread). A large one is shown from its
        first lines at once (`DocumentPreview`), then read and parsed whole: the first frame
        does not wait for work that grows with the file."""
        # Not when corrections apply: the preview shows the source as printed.
        if not has_review_files(path, self.workspace.review_dir):
            with collector_paused():
                preview = preview_document(path)
            if preview is not None:
                shown = threading.Event()
                try:
                    size = os.stat(path).st_size
                except OSError:  # gone since: its whole read says so
                    size = 0
                self.post_message(DocumentPreview(preview, size, shown))
                # Reading the whole meanwhile would hold the interpreter the frame needs.
                shown.wait(timeout=2)
        return self.workspace.open(path)

    @on(DocumentPreview)
    def _document_preview(self, event: DocumentPreview) -> None:
        event.stop()
        doc = event.doc
        form_id = next((f.id for f in doc.forms.values() if f.table is not None and f.table.rows), None)
        if self.session is not None or form_id is None:
            event.shown.set()
            return
        self._preview = doc
        with self.app.batch_update():
            self.source.set_lines(doc.lines)
            self.form_id = form_id
            self.model = FormGridModel(doc.forms[form_id])
            self.grid.set_model(self.model)
            form = doc.forms[form_id]
            self.query_one("#table-pane").border_title = Content.assemble(
                (printable(form.title or form.id), "bold"),
                (f" · reading all {_size(event.size)} of {printable(Path(doc.path).name)}…", "$text-muted"),
            )
            self.findings.border_title = "Findings · once it is read"
            self._cursor_changed()
        self._release()
        self._paint_waiters.append(event.shown)
        self.grid.notify_next_paint()

    def _progress_text(self) -> str:
        reviewed, tables, failing = self.workspace.progress()
        docs = len(self.workspace.entries)
        return f"{docs} doc{'s' if docs != 1 else ''} · {reviewed}/{tables} reviewed · {failing} failing"

    @on(DocumentChecked)
    def _document_checked(self, event: DocumentChecked) -> None:
        self.workspace.add(DocEntry(event.summary, event.session))
        with self.app.batch_update():
            self.navigator.add_document(event.summary)
            self.navigator.set_progress(event.done, event.total, self._progress_text())
        if event.session is not None:
            # The loader opened it: show it next (posted from here, the queue is never empty
            # in between, so no layout or frame of the screen comes between the two).
            self._opening = event.summary.path
            if self._preview is not None and self._hold is None and self._ending is None:
                # Held: the next frame shows the whole document at once (see `_release`).
                self._hold = ExitStack()
                self._hold.enter_context(self.app.batch_update())
            self.post_message(SessionOpened(event.session, None, None))
        elif self.session is None and self._opening is None:
            self.open_document(event.summary.path)

    @on(DocumentsIndexed)
    def _documents_indexed(self, event: DocumentsIndexed) -> None:
        ws = self.workspace
        for summary in event.summaries:
            ws.add(DocEntry(summary))
        ws.problems.extend(event.unreadable)
        with self.app.batch_update():
            self.navigator.add_documents(event.summaries)
            for message in event.unreadable:
                self.navigator.add_problem(message)
            self.navigator.set_progress(event.done, event.total, self._progress_text())
        for message in event.unreadable:
            self.notify(message, title="Cannot read", severity="warning", markup=False)
        if self.session is None and self._opening is None and event.summaries:
            self.open_document(event.summaries[0].path)

    @on(DocumentUnreadable)
    def _document_unreadable(self, event: DocumentUnreadable) -> None:
        if self._preview is not None and self.session is None:
            # Its preview was shown, then the whole could not be opened (the file changed or
            # went away since, or a sidecar was written meanwhile and is broken).
            self._preview = self.model = self.form_id = None
            self.grid.clear()
            self.query_one("#table-pane").border_title = "Loading…"
            self.findings.border_title = "Findings"
            self.source.set_lines([])
            if self._hold is None and self._ending is None:
                self._show_chrome()
        self.workspace.problems.append(event.message)
        self.navigator.add_problem(event.message)
        self.navigator.set_progress(event.done, event.total, self._progress_text())
        self.notify(event.message, title="Cannot read", severity="warning", markup=False)

    @on(CorpusLoaded)
    def _corpus_loaded(self, event: CorpusLoaded) -> None:
        self.workspace.loaded = True
        total = self.workspace.total
        self.navigator.set_progress(total, total, self._progress_text())
        if self._opening is None:
            self._release()  # (else as the document being opened is shown)
        self._end_startup_pause()
        if not event.documents:
            self.query_one("#table-pane").border_title = "No documents"
            self.status.show_text("No readable documents in " + ", ".join(self.workspace.paths))

    # Jobs ----------------------------------------------------------------------------------

    def submit(self, label: str, job: Job) -> None:
        """Run a session job on the job thread; its message (if any) comes back here.

        Args:
            label: What the job does, for an error message.
            job: Runs off the event loop; returns the message to post.
        """

        async def run() -> None:
            loop = asyncio.get_running_loop()
            try:
                message = await loop.run_in_executor(self._executor, job)
            except (ValueError, KeyError, PermissionError, OSError, UnreadableSource, SidecarError) as exc:
                self.notify(printable(f"{label}: {exc}"), title="Not done", severity="error", markup=False)
                return
            except Exception as exc:  # a bug in a job must not take the reviewer's unsaved edits down
                self.log.error(f"{label} failed", exc)
                self.notify(
                    printable(f"{label} failed: {type(exc).__name__}: {exc}"),
                    severity="error",
                    timeout=10,
                    markup=False,
                )
                return
            if message is not None:
                self.post_message(message)

        self.run_worker(run(), group="session", name=label)

    def finish(self, *, save: bool) -> None:
        """Save (or discard the unsaved edits of) every open document, then quit.

        Runs as a job, after any edit still in flight; a failed save keeps the app open.
        """
        ws = self.workspace

        def job() -> Message:
            for session in ws.sessions:
                if not session.dirty or session.read_only:
                    continue
                if save:
                    save_session(session)
                elif session.store is not None:
                    session.store.discard_journal()
            return ReadyToQuit()

        self.submit("Save" if save else "Discard", job)

    @on(ReadyToQuit)
    def _ready_to_quit(self) -> None:
        self.app.exit()

    def open_document(
        self, path: str, form_id: str | None = None, cell: tuple[int, int] | None = None
    ) -> None:
        """Open (parse on first use) a document and show a form of it."""
        ws = self.workspace
        self._opening = path
        entry = ws.entry(path)
        if entry is None or entry.session is None:
            # Reading a large one takes a moment: say so until it is shown.
            self.status.show_text(f"Opening {Path(path).name}…")

        def job() -> Message:
            return SessionOpened(ws.open(path), form_id, cell)

        self.submit("Open", job)

    def open_form(self, path: str, form_id: str, cell: tuple[int, int] | None = None) -> None:
        """Show a form of any document (opening the document if needed)."""
        if self.session is not None and self.session.doc.path == path:
            self.show_form(form_id, cell)
        else:
            self.open_document(path, form_id, cell)

    @on(SessionOpened)
    def _session_opened(self, event: SessionOpened) -> None:
        # One batch: the first frame shows the form whole, not the panes filling in one by one.
        with self.app.batch_update():
            self._show_session(event)
        self._release()
        if self._hold is None and self._ending is None:
            self._show_chrome()  # (else as the hold ends)
        self._end_startup_pause()
        self._check_later(event.session)

    def _show_session(self, event: SessionOpened) -> None:
        self._opening = None
        cell = event.cell
        preview, self._preview = self._preview, None
        kept = None
        if preview is not None and preview.path == event.session.doc.path and cell is None:
            # The reviewer may have moved in the preview: stay there (same form, same rows).
            kept = (self.form_id, (self.grid.cursor_row, self.grid.cursor_col))
        self.session = event.session
        self.source.set_lines(event.session.doc.lines)
        summary = self.workspace.refresh(event.session)
        self.navigator.update_document(summary)
        wanted = kept[0] if kept is not None else event.form_id
        self.form_id = None
        forms = event.session.doc.forms
        form_id = wanted if wanted in forms else next(iter(forms), None)
        if kept is not None and form_id == kept[0]:
            cell = kept[1]
        self._refresh_findings()
        self._refresh_unsaved()
        if event.session.doc.path not in self._announced:
            self._announced.add(event.session.doc.path)
            self._announce(event.session)
        if form_id is None:
            self.query_one("#table-pane").border_title = Content(printable(event.session.doc.path))
            self.status.show_text("This document has no forms.")
            return
        self.show_form(form_id, cell)

    def _check_later(self, session: ReviewSession) -> None:
        """Run a just-shown session's checks on the job thread, once its first frame is drawn.

        Findings, failing cells and counts arrive with `ChecksFinished`; edits submitted
        meanwhile queue behind the checks on the same thread.
        """
        if session.checked:
            self.call_after_refresh(self._first_shown.set)
            return
        painted = threading.Event()
        self._paint_waiters.append(painted)
        self.grid.notify_next_paint()

        def job() -> Message:
            # Starting before the frame is drawn would only slow the frame down (one GIL);
            # the timeout covers a grid that is not drawn (a dialog over the screen).
            painted.wait(timeout=2)
            try:
                session.run_checks()
            finally:
                self._first_shown.set()  # even if they failed: the loader must not wait for ever
            return ChecksFinished(session)

        self.submit("Check", job)

    @on(DataGrid.Painted, "#form-table")
    def _grid_painted(self, event: DataGrid.Painted) -> None:
        event.stop()
        self._release_paint_waiters()

    def _release_paint_waiters(self) -> None:
        for waiter in self._paint_waiters:
            waiter.set()
        self._paint_waiters.clear()

    @property
    def checks_pending(self) -> bool:
        """Whether the open document's checks are still running (its findings are not known yet)."""
        return self.session is not None and not self.session.checked

    @on(ChecksFinished)
    def _checks_finished(self, event: ChecksFinished) -> None:
        session = event.session
        with self.app.batch_update():
            summary = self.workspace.refresh(session)
            self.navigator.update_document(summary)
            total = self.workspace.total
            loaded = len(self.workspace.entries) + len(self.workspace.problems)
            self.navigator.set_progress(min(loaded, total), total, self._progress_text())
            if session is self.session:
                self._refresh_findings()
                self._refresh_states()
        self._first_shown.set()

    def _announce(self, session: ReviewSession) -> None:
        """Say once what the reviewer must know about a document just opened."""
        name = Path(session.doc.path).name
        if session.lock_holder is not None:
            self.notify(
                printable(f"{name} is being edited by {session.lock_holder}: opened read-only."),
                title="Read-only",
                severity="warning",
                timeout=10,
                markup=False,
            )
        for note in session.notes:
            self.notify(
                printable(note.message), title=printable(name), severity="warning", timeout=8, markup=False
            )
        if session.restored and not session.read_only:
            self.app.push_screen(
                RestoredEditsScreen(name, session.restored), partial(self._restored_choice, session)
            )

    def _restored_choice(self, session: ReviewSession, choice: RestoreChoice | None) -> None:
        if choice != "discard":
            return

        def discard() -> Message:
            count = session.restored
            session.discard_restored()
            return SessionChanged(session, f"Discarded {count} restored edit{'s' if count != 1 else ''}.")

        self.submit("Discard restored edits", discard)

    @on(SessionChanged)
    def _session_changed(self, event: SessionChanged) -> None:
        session = event.session
        summary = self.workspace.refresh(session)
        self.navigator.update_document(summary)
        self.navigator.set_progress(self.workspace.total, self.workspace.total, self._progress_text())
        self._refresh_unsaved()
        if event.saved_to:
            self.status.saved_to = event.saved_to
        if not session.checked:
            self._check_later(session)
        if session is not self.session:
            return
        self._refresh_findings()
        doc = session.doc
        if self.source.lines is not doc.lines:
            # Undoing a structural correction re-parses the document: new objects to show.
            self.source.set_lines(doc.lines)
        form_id = event.form_id or self.form_id
        if form_id not in doc.forms:
            form_id = next(iter(doc.forms), None)
        stale = self.model is None or self.model.form is not doc.forms.get(self.form_id or "")
        if form_id is not None and (form_id != self.form_id or stale):
            here = (self.grid.cursor_row, self.grid.cursor_col) if form_id == self.form_id else None
            self.show_form(form_id, event.cell or here)
        else:
            self._refresh_states()
            if event.cell is not None:
                self.grid.move_cursor(*event.cell)
            # The cell's text changed even when the cursor did not move.
            self._cursor_changed()
        self._show_title()
        if event.notice:
            self.notify(printable(event.notice), timeout=4, markup=False)

    def _refresh_unsaved(self) -> None:
        self.status.unsaved = sum(1 for s in self.workspace.sessions if s.dirty)

    # Showing a form ------------------------------------------------------------------------

    def show_form(self, form_id: str, cell: tuple[int, int] | None = None) -> None:
        """Show one form of the open document, the cursor on ``cell`` (else the top left)."""
        assert self.session is not None
        form = self.session.doc.forms[form_id]
        self.form_id = form_id
        self.model = FormGridModel(form)
        self._refresh_states(remeasure=False)
        self.grid.set_model(self.model)
        search = self.query_one(SearchBar)
        if not search.has_class("-hidden") and search.query_text:
            self._search(search.query_text)
        self._show_title()
        self.navigator.select(self.session.doc.path, form_id)
        if cell is not None:
            self.grid.move_cursor(*cell)
        if form.table is None or not form.table.rows:
            self.source.show(form.title_line)
            what = (
                "missing: listed in the contents" if form.status == "missing" else f"{form.status}: no rows"
            )
            self.status.show_text(f"{form.title}: {what} (L{form.title_line})")
        else:
            self._cursor_changed()

    def _show_title(self) -> None:
        if self.session is None or self.form_id is None:
            return
        doc = self.session.doc
        form = doc.forms[self.form_id]
        review = self.session.status(self.form_id)
        entry = self.workspace.entry(doc.path)
        parts: list[str | tuple[str, str]] = [
            (printable(form.title or form.id), "bold"),
            (f" {form.status}" if form.status != "ok" else "", "$text-warning"),
            (f" [{review}]" if review != "unreviewed" else "", "$text-success"),
            (f" ({doc.money_unit})", "$text-muted"),
            " · ",
            printable(doc.department),
            (f" › {printable(entry.summary.title)}" if entry is not None else "", ""),
        ]
        self.query_one("#table-pane").border_title = Content.assemble(*parts)

    def _refresh_states(self, *, remeasure: bool = True) -> None:
        """Copy failing / corrected / outlined cells from the session into the grid model."""
        if self.session is None or self.model is None or self.form_id is None:
            return
        outlined: set[tuple[int, int]] = set()
        finding = self._finding(self.outlined)
        if finding is not None:
            outlined = set(self._cells_of(finding))
        # Until the checks have run nothing is known to fail: `ChecksFinished` redraws the states.
        failing = self.session.failing_cells(self.form_id) if self.session.checked else {}
        self.model.set_states(failing, self.session.corrected_cells(self.form_id), outlined)
        if remeasure:
            self.grid.refresh_model(rows={r for r, _ in self.model.corrected})

    def _refresh_findings(self) -> None:
        if self.session is None:
            return
        if not self.session.checked:
            self.findings.set_findings([], {})
            self.findings.border_title = "Findings · checking…"
            return
        titles = {f.id: f.title or f.id for f in self.session.doc.forms.values()}
        titles[NARRATIVE] = "说明 (narrative)"
        self.findings.set_findings(self.session.findings, titles)

    def _finding(self, finding_id: str | None) -> Finding | None:
        if self.session is None or finding_id is None or not self.session.checked:
            return None
        return next((f for f in self.session.findings if f.id == finding_id), None)

    def _cells_of(self, finding: Finding, form_id: str | None = None) -> list[tuple[int, int]]:
        """Indices of a finding's cells in a form (the shown one by default)."""
        assert self.session is not None
        form = self.session.doc.forms.get(form_id or self.form_id or "")
        if form is None or form.table is None:
            return []
        rows = {r.key: i for i, r in enumerate(form.table.rows)}
        cols = {c.key: j for j, c in enumerate(form.table.columns)}
        return [
            (rows[c.row], cols[c.column])
            for c in finding.cells
            if c.form == form.id and c.row in rows and c.column in cols
        ]

    # The cursor ----------------------------------------------------------------------------

    @property
    def form(self) -> Form | None:
        """The shown form (of the preview while the first document is read)."""
        doc = self.session.doc if self.session is not None else self._preview
        if doc is None or self.form_id is None:
            return None
        return doc.forms.get(self.form_id)

    def cursor_cell(self) -> tuple[int, int] | None:
        """The cursor cell, ``None`` when the form has no cells."""
        form = self.form
        if form is None or form.table is None or not form.table.rows or not form.table.width:
            return None
        return self.grid.cursor_row, self.grid.cursor_col

    @on(DataGrid.CursorMoved, "#form-table")
    def _grid_cursor_moved(self, event: DataGrid.CursorMoved) -> None:
        # Handled through `cursor_signal` (see `on_mount`), in the same frame as the move.
        event.stop()

    def _grid_cursor_signal(self, grid: DataGrid) -> None:
        self._cursor_changed()

    def _cursor_changed(self) -> None:
        form, cell = self.form, self.cursor_cell()
        if form is None or cell is None or form.table is None:
            return
        r, c = cell
        row = form.table.rows[r]
        ref = form.ref_at(r, c)
        line = ref.line if ref is not None else row.line or None
        self.source.show(line, (ref.start, ref.end) if ref is not None else None)
        where = f"{self.model.row_label(r) if self.model else row.key} › {form.table.columns[c].key}"
        self.status.show_cell(where, row.texts[c], form.table.overrides.get((r, c)), line)

    # Navigator and findings ----------------------------------------------------------------

    @on(Navigator.FormRequested)
    def _form_requested(self, event: Navigator.FormRequested) -> None:
        event.stop()
        self.open_form(event.path, event.form_id)
        self.grid.focus()

    @on(Navigator.DocumentRequested)
    def _document_requested(self, event: Navigator.DocumentRequested) -> None:
        event.stop()
        if self.session is None or self.session.doc.path != event.path:
            self.open_document(event.path)

    @on(FindingsList.FindingHighlighted)
    def _finding_highlighted(self, event: FindingsList.FindingHighlighted) -> None:
        event.stop()
        self.outlined = event.finding_id
        self._refresh_states(remeasure=False)
        self.grid.refresh()

    @on(FindingsList.FindingChosen)
    def _finding_chosen(self, event: FindingsList.FindingChosen) -> None:
        event.stop()
        self.outlined = event.finding_id
        finding = self._finding(event.finding_id)
        if finding is None or self.session is None:
            return
        table_forms = [c.form for c in finding.cells if c.form != NARRATIVE]
        if not table_forms:
            line = next((c.line for c in finding.cells if c.line), None)
            self.source.show(line)
            self.status.show_text(finding.message)
            return
        form_id = table_forms[0]
        cells = self._cells_of(finding, form_id)
        self.open_form(self.session.doc.path, form_id, cells[0] if cells else None)
        self._refresh_states(remeasure=False)
        self.grid.focus()

    # Search --------------------------------------------------------------------------------

    @on(SearchBar.QueryChanged)
    def _query_changed(self, event: SearchBar.QueryChanged) -> None:
        event.stop()
        self._search(event.query)

    def _search(self, query: str) -> None:
        self._matches = self.model.find(query) if self.model else []
        if self.model is not None:
            self.model.matches = set(self._matches)
        self.grid.refresh()
        lines = self.source.set_query(query)
        self.query_one(SearchBar).set_count(None, len(self._matches), lines)

    @on(SearchBar.StepRequested)
    def _search_step(self, event: SearchBar.StepRequested) -> None:
        event.stop()
        cell = self.cursor_cell()
        bar = self.query_one(SearchBar)
        if self._matches and cell is not None:
            if event.step > 0:
                target = next((m for m in self._matches if m > cell), self._matches[0])
            else:
                target = next((m for m in reversed(self._matches) if m < cell), self._matches[-1])
            self.grid.move_cursor(*target)
            bar.set_count(self._matches.index(target) + 1, len(self._matches), len(self.source.matches))
            return
        lines = sorted(self.source.matches)
        if lines:
            current = (self.source.current_line or 0) - 1
            nxt = (
                next((n for n in lines if n > current), lines[0])
                if event.step > 0
                else next((n for n in reversed(lines) if n < current), lines[-1])
            )
            self.source.show(nxt + 1, self.source.matches[nxt][0])
        else:
            self.notify("No match.", timeout=2, markup=False)

    @on(SearchBar.Closed)
    def _search_closed(self, event: SearchBar.Closed) -> None:
        event.stop()
        self._search("")
        self.grid.focus()


def save_session(session: ReviewSession) -> list[Path]:
    """Save a session's corrections and exports (the core's crash-safe save).

    Raises:
        OSError: a file could not be written.
    """
    return session.save()

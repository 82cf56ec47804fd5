"""Command palette: jump to any department, document or form; every screen action with its key."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from budget_tui.screens.review import ReviewScreen
from budget_tui.widgets.grid import printable


def highlight(matcher: Matcher, text: str) -> Content:
    """Like `Matcher.highlight`, but the text stays literal (that one parses markup)."""
    content = Content(text)
    _, offsets = matcher.fuzzy_search.match(matcher.query, text)
    for offset in offsets:
        if not text[offset].isspace():
            content = content.stylize("bold underline", offset, offset + 1)
    return content


class JumpProvider(Provider):
    """Departments, documents and forms of the corpus; choosing one opens it."""

    def _targets(self) -> Iterator[tuple[str, str, str, str | None]]:
        """(text searched, help, path, form id) for every jump target.

        The help is rendered as markup by the palette, so it holds only ids, counts and
        statuses, never document text.
        """
        screen = self.screen
        if not isinstance(screen, ReviewScreen):
            return
        seen: set[str] = set()
        for entry in screen.workspace.entries:
            doc = entry.summary
            if doc.department not in seen:
                seen.add(doc.department)
                yield f"Department {doc.department}", "Open its first document", doc.path, None
            failing = f"{doc.failures} failing" if doc.failures else "reconciled"
            yield f"Document {doc.department} · {doc.title}", f"document · {failing}", doc.path, None
            for form in doc.forms:
                status = f"{form.errors} failing" if form.errors else form.status
                yield (
                    f"Form {form.title} · {doc.department} {doc.title}",
                    f"{form.id} · {status}",
                    doc.path,
                    form.id,
                )

    def _open(self, path: str, form_id: str | None) -> None:
        screen = self.screen
        if not isinstance(screen, ReviewScreen):
            return
        if form_id is None:
            screen.open_document(path)
        else:
            screen.open_form(path, form_id)
        screen.grid.focus()

    async def discover(self) -> Hits:
        """Offer the forms with failures before anything is typed."""
        for text, help_text, path, form_id in self._targets():
            if form_id is not None and "failing" in help_text:
                yield DiscoveryHit(
                    Content(printable(text)), partial(self._open, path, form_id), help=help_text
                )

    async def search(self, query: str) -> Hits:
        """Fuzzy-match departments, documents and forms."""
        matcher = self.matcher(query)
        for text, help_text, path, form_id in self._targets():
            score = matcher.match(text)
            if score > 0:
                yield Hit(
                    score,
                    highlight(matcher, printable(text)),
                    partial(self._open, path, form_id),
                    help=help_text,
                )

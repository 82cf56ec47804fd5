"""The pure core: loading, parsing, checking, correcting and exporting budget documents.

No Textual or Rich here; pandas is imported only where a DataFrame is asked for.
"""

from __future__ import annotations

from budget_tui.core.document import iter_documents, load, load_document, parse_document
from budget_tui.core.errors import Problem, SourceError
from budget_tui.core.model import Cell, Column, Corpus, Document, Form, Row, SourceRef, Table
from budget_tui.core.source import UnreadableSource

__all__ = [
    "Cell",
    "Column",
    "Corpus",
    "Document",
    "Form",
    "Problem",
    "Row",
    "SourceError",
    "SourceRef",
    "Table",
    "UnreadableSource",
    "iter_documents",
    "load",
    "load_document",
    "parse_document",
]

"""The pure core: loading, parsing, checking, correcting and exporting budget documents.

No Textual or Rich here; pandas is imported only where a DataFrame is asked for.
"""

from __future__ import annotations

from importlib.machinery import EXTENSION_SUFFIXES

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
    "compiled",
    "iter_documents",
    "load",
    "load_document",
    "parse_document",
]


def compiled() -> bool:
    """Whether the parser and the checks run compiled with mypyc (a wheel built with a C compiler).

    ``False`` for an editable install, a source checkout or a wheel built with
    ``BUDGET_TUI_PURE=1`` (or without a working compiler): the same code, as pure Python.
    """
    from budget_tui.core import check, parse

    return all((m.__file__ or "").endswith(tuple(EXTENSION_SUFFIXES)) for m in (parse, check))

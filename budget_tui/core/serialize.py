"""Plain-dict views of documents and forms for JSON output (schema_version 1)."""

from __future__ import annotations

from typing import Any

from budget_tui.core.errors import Problem
from budget_tui.core.model import Document, Form

SCHEMA_VERSION = 1


def problem_dict(p: Problem) -> dict[str, Any]:
    return {"path": p.path, "line": p.line, "message": p.message}


def form_summary(form: Form) -> dict[str, Any]:
    """The short description of a form used by ``check`` and ``show``."""
    return {
        "id": form.id,
        "kind": form.kind,
        "title": form.title,
        "number": form.number,
        "status": form.status,
        "rows": form.rows,
        "cols": form.cols,
        "line": form.title_line,
    }


def form_dict(form: Form) -> dict[str, Any]:
    """A form with its header and every non-blank cell (values as decimal strings)."""
    out = form_summary(form)
    table = form.table
    out["header"] = [list(level) for level in table.header] if table else []
    out["columns"] = (
        [{"key": c.key, "path": list(c.path), "role": c.role} for c in table.columns] if table else []
    )
    out["row_keys"] = [r.key for r in table.rows] if table else []
    cells: list[dict[str, Any]] = []
    if table:
        for r, row in enumerate(table.rows):
            for c, text in enumerate(row.texts):
                if not text:
                    continue
                value = row.values[c]
                cell: dict[str, Any] = {
                    "row": row.key,
                    "column": table.columns[c].key,
                    "line": row.lines[c] or None,
                    "text": text,
                    "value": None if value is None else str(value),
                }
                original = table.overrides.get((r, c))
                if original is not None:
                    cell["original"] = original
                cells.append(cell)
    out["cells"] = cells
    return out


def document_head(doc: Document) -> dict[str, Any]:
    """Document metadata shared by every JSON output."""
    return {
        "path": doc.path,
        "department": doc.department,
        "department_code": doc.department_code,
        "unit": doc.unit,
        "units": [{"code": u.code, "name": u.name} for u in doc.units],
        "year": doc.year,
        "money_unit": doc.money_unit,
        "sha256": doc.sha256,
    }

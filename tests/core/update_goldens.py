"""Regenerate the golden parse and findings files (review the diff before committing).

Run: ``python tests/core/update_goldens.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tomlkit

from budget_tui.core import load_document
from budget_tui.core.check import run_checks
from budget_tui.core.model import Document

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted((ROOT / "sample_data").glob("*.txt"))
GOLDEN = Path(__file__).resolve().parent / "golden"


def parse_summary(doc: Document) -> dict[str, Any]:
    """What the golden pins of a parse: every form's id, status, size, keys and lines."""
    forms: dict[str, Any] = {}
    for f in doc.forms.values():
        entry: dict[str, Any] = {
            "kind": f.kind,
            "title": f.title,
            "status": f.status,
            "rows": f.rows,
            "cols": f.cols,
            "title_line": f.title_line,
        }
        if f.table is not None:
            entry["columns"] = [c.key for c in f.table.columns]
            entry["row_keys"] = [r.key for r in f.table.rows]
            entry["row_lines"] = [r.line for r in f.table.rows]
        forms[f.id] = entry
    return {
        "department": doc.department,
        "department_code": doc.department_code,
        "units": [[u.code, u.name] for u in doc.units],
        "year": doc.year or 0,
        "money_unit": doc.money_unit,
        "forms": forms,
    }


def findings_summary(doc: Document) -> list[dict[str, Any]]:
    """What the golden pins of the checks: each finding's id, rule, severity, form, cells."""
    out = []
    for f in run_checks(doc):
        out.append(
            {
                "id": f.id,
                "rule": f.rule,
                "severity": f.severity,
                "form": f.form,
                "cells": [f"{c.form}|{c.row}|{c.column}|{c.line}" for c in f.cells],
                "top_suggestion": (
                    f"{f.suggestions[0].kind}:{f.suggestions[0].row}|{f.suggestions[0].column}={f.suggestions[0].value}"
                    if f.suggestions
                    else ""
                ),
            }
        )
    return out


def main() -> None:
    GOLDEN.mkdir(exist_ok=True)
    for path in SAMPLES:
        doc = load_document(path)
        stem = path.stem[:3]
        (GOLDEN / f"{stem}.parse.toml").write_text(tomlkit.dumps(parse_summary(doc)), encoding="utf-8")
        (GOLDEN / f"{stem}.findings.toml").write_text(
            tomlkit.dumps({"findings": findings_summary(doc)}), encoding="utf-8"
        )
        print(f"wrote {stem}: {len(doc.forms)} forms")


if __name__ == "__main__":
    main()

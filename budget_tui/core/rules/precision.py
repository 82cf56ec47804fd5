"""Precision: in a document that prints every decimal, a value printed with fewer is suspect."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from budget_tui.core.findings import CellRef, Finding, Suggestion
from budget_tui.core.model import Document
from budget_tui.core.rules.common import CellKey, Values, amount_cells


def precision_findings(
    doc: Document, values: Values, implied_value: Callable[[CellKey], Decimal | None]
) -> list[Finding]:
    """One finding per value with fewer decimals than the document prints everywhere else.

    ``implied_value`` gives the exact value a cell's identities imply (when they agree),
    which becomes the proposed correction (``1,352.3`` -> ``1,352.27``).
    """
    p = values.precision
    out: list[Finding] = []
    for form in doc.forms.values():
        table = form.table
        if table is None:
            continue
        for c, cells in amount_cells(table):
            for r, t, m, d in cells:
                if d > p.max_decimals:
                    problem = (
                        f"{t} is printed with {d} decimals where the document prints at most {p.max_decimals}"
                    )
                    severity = "error"
                elif p.full_decimals and d < p.doc_decimals and not (d == 0 and m == 0):
                    problem = (
                        f"{t} is printed with {d} decimal(s) where the document prints {p.doc_decimals}: "
                        "truncated?"
                    )
                    severity = "warning"
                else:
                    continue
                row = table.rows[r]
                ref = CellRef(form.id, row.key, table.columns[c].key, row.lines[c] or None, t)
                f = Finding(
                    rule="precision.decimals",
                    severity=severity,  # type: ignore[arg-type]
                    form=form.id,
                    message=problem,
                    expected=f"{p.doc_decimals} decimals",
                    actual=t,
                    cells=[ref],
                )
                implied = implied_value((form.id, r, c))
                if implied is not None:
                    q = implied.quantize(Decimal(1).scaleb(-p.doc_decimals))
                    text = f"{q:,}" if "," in t else str(q)
                    f.suggestions.append(
                        Suggestion(
                            "value", form.id, row.key, ref.column, text, (f.id,), 10.0, "full precision"
                        )
                    )
                out.append(f)
    return out

"""整体绩效目标表: its budget lines must match the other forms and sit in one column."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Final

from budget_tui.core.findings import CellRef, Finding, Suggestion
from budget_tui.core.model import Document, Table
from budget_tui.core.numbers import is_number, nospace
from budget_tui.core.rules.common import CellKey, Identity, Values, find_column, total_row
from budget_tui.core.rules.crossform import _summary_side_cell

FORM: Final = "performance_overall"
_LINES: Final = {"total": "部门预算总额", "basic": "基本支出", "project": "项目支出"}
"""Each budget line by the words its label prints (white space removed)."""
_FIRST_CHARS: Final = frozenset(words[0] for words in _LINES.values())


def _budget_cells(table: Table) -> dict[str, tuple[int, int]]:
    """(row, column) of the first amount printed on each budget line of the form (once per table)."""
    cached = table.derived.get("budget_cells")
    if cached is None:
        cached = table.derived["budget_cells"] = _find_budget_cells(table)
    return cached  # type: ignore[return-value]


def _find_budget_cells(table: Table) -> dict[str, tuple[int, int]]:
    found: dict[str, tuple[int, int]] = {}
    for r, row in enumerate(table.rows):
        if len(found) == len(_LINES):  # every line found: later rows change nothing
            break
        # A label's words survive in the row's whole text: a row without even their first
        # characters is skipped before its numbers are told from its words.
        whole = "".join(row.texts)
        if not any(ch in whole for ch in _FIRST_CHARS):
            continue
        text = nospace("".join([t for t in row.texts if t and not is_number(t)]))
        for name, words in _LINES.items():
            if name in found or words not in text:
                continue
            c = next((j for j, t in enumerate(row.texts) if t and is_number(t) and "%" not in t), None)
            if c is not None:
                found[name] = (r, c)
    return found


def _total_of(doc: Document, form_id: str, pattern: str) -> CellKey | None:
    form = doc.forms.get(form_id)
    if form is None or form.table is None or form.status != "ok":
        return None
    r = total_row(form.table)
    c = find_column(form.table, pattern)
    return None if r is None or c is None else (form_id, r, c)


def performance_identities(doc: Document) -> Iterator[Identity]:
    """部门预算总额 = 收支总表 收入总计 = 基本支出 + 项目支出, each = the 支出表's."""
    form = doc.forms.get(FORM)
    if form is None or form.table is None:
        return
    cells = _budget_cells(form.table)
    key = {name: (FORM, r, c) for name, (r, c) in cells.items()}
    if "total" in key:
        other = _summary_side_cell(doc, r"^收入总计", 0)
        if other is not None:
            yield Identity(
                "crossform",
                FORM,
                key["total"],
                [other],
                "整体绩效目标表 部门预算总额 = 收支总表 收入总计",
            )
        if "basic" in key and "project" in key:
            yield Identity(
                "totals.rows",
                FORM,
                key["total"],
                [key["basic"], key["project"]],
                "部门预算总额 = 基本支出 + 项目支出",
            )
    for name, pattern in (("basic", r"^基本支出/小计$"), ("project", r"^项目支出/小计$")):
        other = _total_of(doc, "expenditure", pattern)
        if name in key and other is not None:
            yield Identity(
                "crossform",
                FORM,
                key[name],
                [other],
                f"整体绩效目标表 {name} = 支出表",
            )


def performance_findings(doc: Document, values: Values) -> list[Finding]:
    """A budget line whose amount sits in another column than the others': a shifted cell."""
    form = doc.forms.get(FORM)
    if form is None or form.table is None:
        return []
    table = form.table
    cells = _budget_cells(table)
    if len(cells) < 3:
        return []
    column, n = Counter(c for _, c in cells.values()).most_common(1)[0]
    if n < 2:
        return []
    out: list[Finding] = []
    for r, c in cells.values():
        if c == column:
            continue
        row = table.rows[r]
        k = column - c
        ref = CellRef(FORM, row.key, table.columns[c].key, row.lines[c] or row.line or None, row.texts[c])
        f = Finding(
            rule="structure.shift",
            severity="error",
            form=FORM,
            message=(
                f"row {row.key}: its amount {row.texts[c]} is printed in column {table.columns[c].key!r}, "
                f"the other budget lines in {table.columns[column].key!r}: a cell was lost or added"
            ),
            expected=table.columns[column].key,
            actual=table.columns[c].key,
            cells=[ref],
        )
        f.suggestions.append(
            Suggestion(
                "shift",
                FORM,
                row.key,
                table.columns[c].key,
                str(k),
                (f.id,),
                100.0,
                f"shift {'right' if k > 0 else 'left'} by {abs(k)}",
            )
        )
        out.append(f)
    return out

"""Identities (``total = Σ parts``) over cells, with XBRL-style precision intervals."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from budget_tui.core.findings import CellRef
from budget_tui.core.model import Document, Form, Table
from budget_tui.core.numbers import decimals_of, nospace

ZERO = Decimal(0)
CellKey = tuple[str, int, int]
"""(form id, row index, column index)."""

_ORDINAL_L1 = re.compile(r"^[一二三四五六七八九十]+[、.．]")
_ORDINAL_L2 = re.compile(r"^[(（]\s*[一二三四五六七八九十]+\s*[)）]")
_SUBSET = re.compile(r"^其中")


_ORDINAL_START = frozenset("一二三四五六七八九十(（")


def ordinal_level(label: str) -> int:
    """1 for ``一、…``, 2 for ``(一)…``, 0 otherwise."""
    if not label or label[0] not in _ORDINAL_START:
        return 0
    if _ORDINAL_L1.match(label):
        return 1
    if _ORDINAL_L2.match(label):
        return 2
    return 0


def is_subset_label(label: str) -> bool:
    """``其中…`` rows and columns are part of their parent, never added to it."""
    return bool(_SUBSET.match(label.strip()))


@dataclass
class Identity:
    """``total = Σ parts`` (an equality when there is one part)."""

    rule: str
    form: str
    total: CellKey
    parts: list[CellKey]
    description: str
    severity: str = "error"


@dataclass
class Precision:
    """Per-document precision facts: column decimals and whether every decimal is printed."""

    column_decimals: dict[tuple[str, int], int] = field(default_factory=dict)
    full_decimals: bool = False
    doc_decimals: int = 2
    max_decimals: int = 2
    """The most decimals the document prints in most of its cells (more is an anomaly)."""
    scale_decimals: int = 2
    """The most decimals printed anywhere: integer arithmetic at 10^-(this + 1) is exact."""
    thousands: bool = False
    """The document groups thousands (``1,352.27``) in most amounts of 1,000 or more."""


def measure_precision(doc: Document) -> Precision:
    """A column's precision is the most decimals printed in it; a document "prints every
    decimal" when almost every amount it prints carries the same number of decimals."""
    p = Precision()
    counts: dict[int, int] = {}
    total = 0
    big = grouped = 0
    for form in doc.forms.values():
        table = form.table
        if table is None:
            continue
        for j in table.amount_columns():
            best = 0
            for row in table.rows:
                t = row.texts[j]
                if not t or t.endswith("%") or row.values[j] is None:
                    continue
                d = decimals_of(t)
                if abs(row.values[j] or 0) >= 1000:  # type: ignore[operator]
                    big += 1
                    grouped += "," in t
                best = max(best, d)
                counts[d] = counts.get(d, 0) + 1
                total += 1
            p.column_decimals[(form.id, j)] = best
    if total:
        mode, n = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
        p.doc_decimals = mode
        p.full_decimals = mode > 0 and n >= 0.97 * total
        # Decimals printed by at least 1% of the cells are the document's own; rarer ones are suspect.
        p.max_decimals = (
            max(d for d, k in counts.items() if k >= max(2, 0.01 * total)) if total >= 50 else max(counts)
        )
        p.scale_decimals = min(max(counts), 8)
        p.thousands = big > 0 and grouped * 2 > big
    return p


_HALF = [Decimal(5).scaleb(-(d + 1)) for d in range(12)]


class Values:
    """Cell values and their half-interval widths for one document (hot path: kept lean)."""

    def __init__(self, doc: Document, precision: Precision) -> None:
        self.doc = doc
        self.precision = precision
        self._tables = {fid: f.table for fid, f in doc.forms.items() if f.table is not None}
        self._widths: dict[tuple[str, int, str], Decimal] = {}
        # Identities are evaluated in integers at a fixed scale: far cheaper than Decimal sums.
        self._scale = Decimal(10) ** (precision.scale_decimals + 1)
        self._ints: dict[str, int | None] = {"": 0}
        self._int_widths: dict[tuple[str, int, str], int] = {}

    def table(self, form: str) -> Table:
        return self._tables[form]

    def value(self, key: CellKey) -> Decimal:
        form, r, c = key
        v = self._tables[form].rows[r].values[c]
        return ZERO if v is None else v

    def text(self, key: CellKey) -> str:
        form, r, c = key
        return self._tables[form].rows[r].texts[c]

    def half_width(self, key: CellKey) -> Decimal:
        """Half the rounding interval a printed value stands for (0 for blank and zero)."""
        form, r, c = key
        row = self._tables[form].rows[r]
        t = row.texts[c]
        if not t:
            return ZERO
        memo = (form, c, t)
        hw = self._widths.get(memo)
        if hw is None:
            hw = self._half_width(form, c, t, row.values[c])
            self._widths[memo] = hw
        return hw

    def scaled(self, key: CellKey) -> int | None:
        """The cell's value as an integer at the document's scale (``None`` if it does not fit)."""
        form, r, c = key
        t = self._tables[form].rows[r].texts[c]
        try:
            return self._ints[t]
        except KeyError:
            v = self._tables[form].rows[r].values[c]
            n = ZERO if v is None else v * self._scale
            out = int(n) if n == n.to_integral_value() else None
            self._ints[t] = out
            return out

    def scaled_width(self, key: CellKey) -> int:
        form, r, c = key
        t = self._tables[form].rows[r].texts[c]
        if not t:
            return 0
        memo = (form, c, t)
        w = self._int_widths.get(memo)
        if w is None:
            w = int(self.half_width(key) * self._scale)
            self._int_widths[memo] = w
        return w

    def _half_width(self, form: str, c: int, t: str, v: Decimal | None) -> Decimal:
        if v is None or v == 0:
            return ZERO
        col_dec = self.precision.column_decimals.get((form, c), 2)
        d = decimals_of(t)
        if self.precision.full_decimals and d < col_dec:
            # A value printed with fewer decimals than its document prints stands for its own interval.
            return _HALF[min(d, 11)]
        return _HALF[min(max(col_dec, d), 11)]


def holds(identity: Identity, values: Values) -> bool:
    """Whether ``identity`` holds (integer fast path of :func:`evaluate`)."""
    scaled = values.scaled
    total = scaled(identity.total)
    parts = [scaled(k) for k in identity.parts]
    if total is None or None in parts:
        return evaluate(identity, values)[0]
    tol = values.scaled_width(identity.total) + sum(values.scaled_width(k) for k in identity.parts)
    diff = abs(total - sum(parts))  # type: ignore[arg-type]
    return diff < tol if tol else diff == 0


def evaluate(identity: Identity, values: Values) -> tuple[bool, Decimal, Decimal, Decimal]:
    """Whether ``identity`` holds: returns (ok, total, sum of parts, tolerance)."""
    total = values.value(identity.total)
    s = sum((values.value(k) for k in identity.parts), ZERO)
    tol = values.half_width(identity.total) + sum((values.half_width(k) for k in identity.parts), ZERO)
    # Rounding intervals are half-open ([v - h, v + h)), so they meet only when the
    # difference is strictly below the summed half-widths; exact values must be equal.
    diff = abs(total - s)
    return (diff < tol if tol else diff == 0), total, s, tol


def amount_col_indices(form: Form) -> list[int]:
    return form.table.amount_columns() if form.table else []


def label_of(table: Table, r: int) -> str:
    row = table.rows[r]
    return row.label or row.key


def col_label(table: Table, c: int) -> str:
    return table.columns[c].key


def find_column(table: Table, *patterns: str, role: str = "amount") -> int | None:
    """The first column of ``role`` whose key matches every regex pattern (whitespace removed)."""
    for j, col in enumerate(table.columns):
        if col.role != role:
            continue
        key = nospace(col.key)
        if all(re.search(p, key) for p in patterns):
            return j
    return None


def find_row(table: Table, pattern: str) -> int | None:
    """The first row whose label or key (whitespace removed) matches ``pattern``."""
    rx = re.compile(pattern)
    for i, row in enumerate(table.rows):
        for t in (row.label, row.key):
            if t and rx.search(nospace(t)):
                return i
    return None


def cell_ref(doc: Document, key: CellKey) -> CellRef:
    """The CellRef of a cell key: row and column string keys, source line, printed text."""
    form_id, r, c = key
    table = doc.forms[form_id].table
    assert table is not None
    row = table.rows[r]
    return CellRef(form_id, row.key, table.columns[c].key, row.lines[c] or row.line or None, row.texts[c])

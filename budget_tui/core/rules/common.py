"""Identities (``total = Σ parts``) over cells, with XBRL-style precision intervals."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from budget_tui.core.findings import CellRef
from budget_tui.core.model import Document, Form, Table
from budget_tui.core.numbers import decimals_of, fixed_point, nospace, parse_number

ZERO: Final = Decimal(0)
CellKey = tuple[str, int, int]
"""(form id, row index, column index)."""

ORDINAL_START: Final = frozenset("一二三四五六七八九十(（")


def _is_numeral(o: int) -> bool:
    """Whether code point ``o`` is one of 一二三四五六七八九十 (compiled: ten int compares)."""
    return o in (0x4E00, 0x4E8C, 0x4E09, 0x56DB, 0x4E94, 0x516D, 0x4E03, 0x516B, 0x4E5D, 0x5341)


def ordinal_level(label: str) -> int:
    """1 for ``一、…`` (numerals, then 、 or a full stop), 2 for ``(一)…`` (numerals in
    parentheses, white space allowed inside them), 0 otherwise.

    Read by code point (a regex match per label cost far more): compiled, ``ord(label[i])``
    reads an int where ``label[i]`` makes a string, and ``in`` a tuple of literals is a few
    int compares."""
    n = len(label)
    i = 0
    while i < n and _is_numeral(ord(label[i])):
        i += 1
    if i:
        return 1 if i < n and ord(label[i]) in (0x3001, 0x2E, 0xFF0E) else 0  # 、 . ．
    if not n or ord(label[0]) not in (0x28, 0xFF08):  # ( （
        return 0
    i = 1
    while i < n and ord(label[i]) <= 0x3000 and label[i].isspace():  # (none lies above U+3000)
        i += 1
    start = i
    while i < n and _is_numeral(ord(label[i])):
        i += 1
    if i == start:
        return 0
    while i < n and ord(label[i]) <= 0x3000 and label[i].isspace():
        i += 1
    return 2 if i < n and ord(label[i]) in (0x29, 0xFF09) else 0  # ) ）


def is_subset_label(label: str) -> bool:
    """``其中…`` rows and columns are part of their parent, never added to it."""
    return label.strip().startswith("其中")


class Identity:
    """``total = Σ parts`` (an equality when there is one part).

    Most identities run down one column (:meth:`down`: ``rows``) or along one row
    (:meth:`along`: ``cols``) of their form. They keep those indices, which :func:`holds`
    sums directly, and build the ``parts`` keys only when asked (a clean document never asks).
    Such identities lie in amount columns, which :meth:`Values.grid` fills at once.
    """

    __slots__ = ("_parts", "cols", "description", "form", "held", "rows", "rule", "severity", "total")

    def __init__(
        self,
        rule: str,
        form: str,
        total: CellKey,
        parts: list[CellKey] | None,
        description: str,
        severity: str = "error",
        *,
        rows: list[int] | None = None,
        cols: Sequence[int] | None = None,
    ) -> None:
        self.rule = rule
        self.form = form
        self.total = total
        self._parts = parts
        self.description = description
        self.severity = severity
        self.rows = rows
        self.cols = cols
        self.held: bool | None = None
        """Whether it held when its rule evaluated it (so the session need not evaluate it again)."""

    @classmethod
    def down(
        cls, rule: str, total: CellKey, rows: list[int], description: str, severity: str = "error"
    ) -> Identity:
        """``total`` = Σ the cells of ``rows`` in the total's column."""
        return cls(rule, total[0], total, None, description, severity, rows=rows)

    @classmethod
    def along(
        cls, rule: str, total: CellKey, cols: Sequence[int], description: str, severity: str = "error"
    ) -> Identity:
        """``total`` = Σ the cells of ``cols`` in the total's row."""
        return cls(rule, total[0], total, None, description, severity, cols=cols)

    @property
    def parts(self) -> list[CellKey]:
        if self._parts is None:
            f, r, c = self.total
            if self.rows is not None:
                self._parts = [(f, x, c) for x in self.rows]
            else:
                self._parts = [(f, r, j) for j in self.cols or ()]
        return self._parts

    def __repr__(self) -> str:
        return f"Identity({self.rule!r}, {self.total!r} = Σ {self.parts!r}: {self.description!r})"


NO_IDS: Final[list[int]] = []
"""No identity (shared: never written)."""


class CellIndex:
    """Identity numbers by the cells they involve (ascending; an identity once each time it
    lists the cell), kept by form, row and column. A row is read on first use from the
    identities of its form, their rows and columns, without building the keys of their parts:
    a clean document never asks, the proposals for a failing one look at a few rows of a few
    forms, and an edit at one row. (The identities never change; the cells' values may.)"""

    def __init__(self, identities: list[Identity]) -> None:
        self._identities = identities
        self._of_form: dict[str, list[int]] = {}
        self._rows: dict[str, dict[int, list[list[int]]]] = {}

    def row(self, form: str, r: int) -> list[list[int]]:
        """By column, the identities through each cell of row ``r`` of ``form``, up to its last
        cell that has some (read only)."""
        rows = self._rows.get(form)
        if rows is None:
            rows = self._rows[form] = {}
        cells = rows.get(r)
        if cells is None:
            cells = rows[r] = self._read_row(form, r)
        return cells

    def get(self, key: CellKey) -> list[int]:
        """The identities through cell ``key`` (read only)."""
        cells, c = self.row(key[0], key[1]), key[2]
        return cells[c] if 0 <= c < len(cells) else NO_IDS

    def _read_row(self, form: str, r: int) -> list[list[int]]:
        identities = self._identities
        of_form = self._of_form.get(form)
        if of_form is None:
            of_form = self._of_form[form] = _of_form(identities, form)
        cells: list[list[int]] = []
        for n in of_form:
            ident = identities[n]
            f, tr, c = ident.total
            rows = ident.rows
            if rows is not None or ident.cols is not None:
                if f != form:  # (a shaped identity's cells are all in its total's form)
                    continue
                if rows is not None:  # down column ``c``: through row ``r`` as often as it lists it
                    for _ in range(count_of(rows, r) + (tr == r)):
                        _add(cells, c, n)
                elif tr == r:  # along row ``tr``
                    _add(cells, c, n)
                    for j in ident.cols or ():
                        _add(cells, j, n)
                continue
            if f == form and tr == r:
                _add(cells, c, n)
            for kf, kr, kc in ident.parts:
                if kr == r and kf == form:
                    _add(cells, kc, n)
        return cells


def count_of(items: list[int], x: int) -> int:
    """``items.count(x)`` (compiled, a plain loop is cheaper than the method call)."""
    count = 0
    for item in items:
        if item == x:
            count += 1
    return count


def _of_form(identities: list[Identity], form: str) -> list[int]:
    """The identities with a cell in ``form`` (ascending)."""
    found: list[int] = []
    n = -1
    for ident in identities:
        n += 1
        if ident.rows is not None or ident.cols is not None:
            if ident.form == form:
                found.append(n)
        elif ident.total[0] == form or any(k[0] == form for k in ident.parts):
            found.append(n)
    return found


def _add(cells: list[list[int]], c: int, n: int) -> None:
    """List identity ``n`` under column ``c``."""
    while len(cells) <= c:
        cells.append([])
    cells[c].append(n)


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


AmountCell = tuple[int, str, int, int]
"""(row index, text, mantissa, decimals) of an amount cell printing a number."""


def amount_cells(table: Table) -> list[tuple[int, list[AmountCell]]]:
    """Per amount column, the cells that print a number other than a percentage.

    Parsed once per table and kept in ``table.derived`` (cleared whenever a cell changes).
    """
    cached = table.derived.get("amount_cells")
    if cached is None:
        cached = _parse_amounts(table)[0]
    return cached  # type: ignore[return-value]


def percent_cells(table: Table) -> list[tuple[int, int, str]]:
    """(row, column, text) of the amount cells printing a percentage (``…%``)."""
    cached = table.derived.get("percent_cells")
    if cached is None:
        cached = _parse_amounts(table)[1]
    return cached  # type: ignore[return-value]


def _parse_amounts(table: Table) -> tuple[list[tuple[int, list[AmountCell]]], list[tuple[int, int, str]]]:
    numbers: list[tuple[int, list[AmountCell]]] = []
    percents: list[tuple[int, int, str]] = []
    rows = table.rows
    for j in table.amount_columns():
        cells: list[AmountCell] = []
        r = -1
        for row in rows:
            r += 1
            t = row.texts[j]
            if not t:
                continue
            # fixed_point's first cases inline (most cells): ASCII digits, thousands grouped
            # or not, with at most one "." between them, read digit by digit (compiled, a
            # native loop: far cheaper than the string methods and int() fixed_point calls;
            # any other text goes the general way below).
            n = len(t)
            m = 0
            dot = -1
            commas = 0
            run = 0  # digits since the start, or since the last comma
            i = 0
            while i < n:
                k = ord(t[i]) - 48
                if 0 <= k <= 9:
                    m = m * 10 + k
                    run += 1
                elif k == -2 and dot < 0 and 0 < i < n - 1 and (not commas or run == 3):  # "."
                    dot = i
                elif k == -4 and dot < 0 and (run == 3 if commas else 0 < run <= 3):  # ","
                    commas += 1
                    run = 0
                else:
                    break
                i += 1
            if i == n and (not commas or dot >= 0 or run == 3):
                cells.append((r, t, m, n - 1 - dot if dot >= 0 else 0))
                continue
            if t[-1] == "%":
                percents.append((r, j, t))
            else:
                fixed = fixed_point(t)
                if fixed is not None:
                    cells.append((r, t, fixed[0], fixed[1]))
        numbers.append((j, cells))
    table.derived["amount_cells"] = numbers
    table.derived["percent_cells"] = percents
    return numbers, percents


def _thousand(d: int) -> int:
    """1000 in units of 10**-d."""
    scale: int = 10**d
    return 1000 * scale


_THOUSAND: Final = [_thousand(d) for d in range(64)]


def measure_precision(doc: Document) -> Precision:
    """A column's precision is the most decimals printed in it; a document "prints every
    decimal" when almost every amount it prints carries the same number of decimals."""
    p = Precision()
    # Cells by decimals printed: the usual few counted in a list (cheaper than a dict), others in a dict.
    few = [0] * 16
    more: dict[int, int] = {}
    total = 0
    big = grouped = 0
    # One plain loop over the cells (compiled, their numbers stay native integers).
    for form in doc.forms.values():
        table = form.table
        if table is None:
            continue
        for j, cells in amount_cells(table):
            most = 0
            for _, t, m, d in cells:
                if d < 16:
                    few[d] += 1
                else:
                    more[d] = more.get(d, 0) + 1
                if d > most:
                    most = d
                # |value| >= 1000, and printed with a thousands separator:
                if (m if m >= 0 else -m) >= (_THOUSAND[d] if d < 64 else _thousand(d)):
                    big += 1
                    if "," in t:
                        grouped += 1
            total += len(cells)
            p.column_decimals[(form.id, j)] = most
    counts = {d: k for d, k in enumerate(few) if k}  # (what follows does not depend on their order)
    counts.update(more)
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


def _blank_grid(table: Table, numbers: list[tuple[int, list[AmountCell]]]) -> list[list[Any]]:
    """A grid for ``table``: 0 in its amount columns (blank or not a number until filled),
    pending elsewhere (computed on first use)."""
    blank = [_PENDING] * table.width
    for j, _ in numbers:
        blank[j] = 0
    return [blank.copy() for _ in table.rows]


_HALF: Final = [Decimal(5).scaleb(-(d + 1)) for d in range(12)]
_PENDING: Final[Any] = object()
"""Marks a cell (or text) of a :class:`Values` cache that has not been computed yet."""


class Values:
    """Cell values and their half-interval widths for one document (hot path: kept lean).

    Identities are evaluated in integers at a fixed scale (far cheaper than Decimal sums):
    :meth:`grid` holds each cell's value times ``10 ** (scale_decimals + 1)`` (``None`` when
    it does not fit), row by row; amount columns are filled at once from the numbers parsed
    for the precision, any other cell on first use. :meth:`what_if` lets the fix search try
    other texts for some cells without touching the document.
    """

    def __init__(self, doc: Document, precision: Precision) -> None:
        self.doc = doc
        self.precision = precision
        self._tables = {fid: f.table for fid, f in doc.forms.items() if f.table is not None}
        self._widths: dict[tuple[str, int, str], Decimal] = {}
        self._scale = Decimal(10) ** (precision.scale_decimals + 1)
        self._exp = precision.scale_decimals + 1
        # Below this, ``value * scale`` has at most 28 digits: the Decimal product is exact.
        # (Typed int: compiled, the arithmetic on them is native.)
        self._exact_limit: int = 10 ** (28 - self._exp)
        self._pow10: list[int] = [10**k for k in range(self._exp + 1)]
        self._grids: dict[str, list[list[Any]]] = {}
        self._numbers: dict[str, Decimal | None] = {}
        self._text_ints: dict[str, int | None] = {}
        self._text_widths: dict[tuple[str, int, str], int] = {}
        self._override: dict[CellKey, str] = {}
        self._width_grids: dict[str, list[list[Any]]] = {}

    def table(self, form: str) -> Table:
        return self._tables[form]

    def text(self, key: CellKey) -> str:
        if self._override and key in self._override:
            return self._override[key]
        form, r, c = key
        return self._tables[form].rows[r].texts[c]

    def number(self, key: CellKey) -> Decimal | None:
        """The cell's exact value (``None`` for blank or non-numeric text)."""
        t = self.text(key)
        # (Tested, not caught: compiled, a raised KeyError costs thousands of instructions.)
        if t in self._numbers:
            return self._numbers[t]
        v = self._numbers[t] = parse_number(t)
        return v

    def value(self, key: CellKey) -> Decimal:
        """The cell's exact value, 0 for blank or non-numeric text."""
        v = self.number(key)
        return ZERO if v is None else v

    def half_width(self, key: CellKey) -> Decimal:
        """Half the rounding interval a printed value stands for (0 for blank and zero)."""
        t = self.text(key)
        if not t:
            return ZERO
        memo = (key[0], key[2], t)
        hw = self._widths.get(memo)
        if hw is None:
            hw = self._widths[memo] = self._half_width(key[0], key[2], t, self.number(key))
        return hw

    def grid(self, form: str) -> list[list[Any]]:
        """The form's scaled integers by row and column; a cell outside the amount columns
        may still be pending (read it through :meth:`scaled`)."""
        g = self._grids.get(form)
        if g is None:
            g = self._grids[form] = self._fill(self._tables[form])
        return g

    def scaled(self, key: CellKey) -> int | None:
        """The cell's value as an integer at the document's scale (``None`` if it does not fit)."""
        form, r, c = key
        row = self.grid(form)[r]
        v = row[c]
        if v is _PENDING:
            v = row[c] = self._int_of_text(self.text(key))
        return v  # type: ignore[no-any-return]

    def widths(self, form: str) -> list[list[Any]]:
        """The form's scaled half-widths (:meth:`scaled_width`) by row and column, filled like
        :meth:`grid` (built when some identity of the form is not exactly equal)."""
        g = self._width_grids.get(form)
        if g is None:
            g = self._width_grids[form] = self._fill_widths(form, self._tables[form])
        return g

    def scaled_width(self, key: CellKey) -> int:
        """``half_width(key)`` at the document's scale, truncated (as ``int()`` of the Decimal)."""
        form, r, c = key
        row = self.widths(form)[r]
        w = row[c]
        if w is _PENDING:
            w = row[c] = self._width_of_text(form, c, self.text(key))
        return w  # type: ignore[no-any-return]

    def scaled_text(self, text: str) -> int | None:
        """:meth:`scaled` of a cell printing ``text``."""
        if text in self._text_ints:  # (tested, not caught: compiled, a raised KeyError is dear)
            return self._text_ints[text]
        v = self._text_ints[text] = self._int_of_text(text)
        return v

    def width_of_text(self, key: CellKey, text: str) -> int:
        """:meth:`scaled_width` of cell ``key`` printing ``text``."""
        memo = (key[0], key[2], text)
        if memo in self._text_widths:  # (tested, not caught: compiled, a raised KeyError is dear)
            return self._text_widths[memo]
        w = self._text_widths[memo] = self._width_of_text(key[0], key[2], text)
        return w

    def forget(self, key: CellKey) -> None:
        """Re-read a cell whose text changed."""
        form, r, c = key
        if form in self._grids:
            self._grids[form][r][c] = self._int_of_text(self.text(key))
        if form in self._width_grids:
            self._width_grids[form][r][c] = self._width_of_text(form, c, self.text(key))

    @contextmanager
    def what_if(self, texts: dict[CellKey, str]) -> Iterator[None]:
        """Evaluate as if the cells in ``texts`` printed those texts (the document is untouched)."""
        saved = [(k, self.grid(k[0])[k[1]][k[2]], self.widths(k[0])[k[1]][k[2]]) for k in texts]
        self._override = texts
        for k in texts:
            self.forget(k)
        try:
            yield
        finally:
            self._override = {}
            for (form, r, c), i, w in saved:
                self._grids[form][r][c] = i
                self._width_grids[form][r][c] = w

    def _fill(self, table: Table) -> list[list[Any]]:
        """The grid of a table: its amount columns at once (as :meth:`_int_of_text` gives)."""
        exp, limit = self._exp, self._exact_limit
        # Compiled, a comparison with the (huge) limit goes through a slow path; with a bound
        # below 2**62 it is native, and most numbers are within that.
        near = min(limit, 1 << 60)
        up: list[int] = [10 ** (exp - d) for d in range(exp + 1)]
        numbers = amount_cells(table)
        grid = _blank_grid(table, numbers)
        for j, cells in numbers:
            for r, t, m, d in cells:
                if d <= exp and (-near < m < near or -limit < m < limit):
                    grid[r][j] = m * up[d]
                else:
                    grid[r][j] = self._int_of_text(t)
        for r, j, t in percent_cells(table):
            grid[r][j] = self._int_of_text(t)
        return grid

    def _fill_widths(self, form: str, table: Table) -> list[list[Any]]:
        numbers = amount_cells(table)
        grid = _blank_grid(table, numbers)
        for j, cells in numbers:
            col_dec = self.precision.column_decimals.get((form, j), 2)
            for r, _, m, d in cells:
                grid[r][j] = self._width(m, d, col_dec)
        for r, j, t in percent_cells(table):
            grid[r][j] = self._width_of_text(form, j, t)
        return grid

    def _width_of_text(self, form: str, c: int, t: str) -> int:
        fixed = fixed_point(t) if t else None
        if fixed is None:
            return 0
        return self._width(fixed[0], fixed[1], self.precision.column_decimals.get((form, c), 2))

    def _width(self, m: int, d: int, col_dec: int) -> int:
        """:meth:`_half_width` of a value ``m / 10**d`` at the document's scale, truncated."""
        if not m:
            return 0
        e = min(d if self.precision.full_decimals and d < col_dec else max(col_dec, d), 11)
        # 5 * 10**-(e + 1) at scale 10**exp; below 1 (e >= exp) it truncates to 0.
        return 5 * self._pow10[self._exp - 1 - e] if e < self._exp else 0

    def _int_of_text(self, t: str) -> int | None:
        fixed = fixed_point(t)
        if fixed is None:
            return 0
        m, d = fixed
        if abs(m) >= self._exact_limit:  # the Decimal product rounds: do as it does
            n = (parse_number(t) or ZERO) * self._scale
            return int(n) if n == n.to_integral_value() else None
        if d <= self._exp:
            up: int = 10 ** (self._exp - d)
            return m * up
        down: int = 10 ** (d - self._exp)
        q, rest = divmod(m, down)
        return None if rest else q

    def _half_width(self, form: str, c: int, t: str, v: Decimal | None) -> Decimal:
        if v is None or v == 0:
            return ZERO
        col_dec = self.precision.column_decimals.get((form, c), 2)
        d = decimals_of(t)
        if self.precision.full_decimals and d < col_dec:
            # A value printed with fewer decimals than its document prints stands for its own interval.
            return _HALF[min(d, 11)]
        return _HALF[min(max(col_dec, d), 11)]


def shaped_parts(identity: Identity, grid: list[list[Any]]) -> int:
    """Σ of a shaped identity's parts (down its total's column, or along its row) in ``grid``.
    Raises TypeError where a part is ``None`` or still pending."""
    # Plain loops into an int (for speed): compiled (mypyc), each part is unboxed as it is read
    # (a part that is no int raises TypeError there, as the addition does in pure Python).
    s = 0
    v: int
    rows = identity.rows
    if rows is not None:
        c = identity.total[2]
        for x in rows:
            v = grid[x][c]
            s += v
        return s
    row = grid[identity.total[1]]
    for j in identity.cols or ():
        v = row[j]
        s += v
    return s


def scaled_difference(identity: Identity, values: Values) -> int:
    """``total - Σ parts`` at the document's scale. Raises TypeError where a value is ``None``
    (finer than the scale) or, outside the amount columns, still pending in the grid."""
    _, r, c = identity.total
    if identity.rows is not None or identity.cols is not None:
        grid = values.grid(identity.form)
        return grid[r][c] - shaped_parts(identity, grid)  # type: ignore[no-any-return]
    # Plain loop (compiled: direct calls, native sums); None anywhere is a TypeError, as before.
    total = values.scaled(identity.total)
    parts = 0
    for k in identity.parts:
        v = values.scaled(k)
        if v is None:
            raise TypeError("a value finer than the scale")
        parts += v
    if total is None:
        raise TypeError("a value finer than the scale")
    return total - parts


def holds(identity: Identity, values: Values) -> bool:
    """Whether ``identity`` holds (integer fast path of :func:`evaluate`)."""
    try:
        diff = scaled_difference(identity, values)
    except TypeError:  # exact Decimals decide
        return evaluate(identity, values)[0]
    if not diff:  # the common case: exactly equal, whatever the tolerance
        return True
    return abs(diff) < _tolerance(identity, values)


def holds_many(identities: list[Identity], values: Values) -> list[bool]:
    """:func:`holds` of each identity (its ``held`` where set), in one loop: most identities
    run down a column or along a row and hold exactly, which this decides inline; any other
    goes through :func:`holds`."""
    out: list[bool] = []
    form = ""
    grid: list[list[Any]] = []
    for ident in identities:
        if ident.held is not None:
            out.append(ident.held)
            continue
        if ident.rows is None and ident.cols is None:
            out.append(holds(ident, values))
            continue
        if ident.form != form:
            form = ident.form
            grid = values.grid(form)
        _, r, c = ident.total
        try:
            total: int = grid[r][c]
            diff = total - shaped_parts(ident, grid)
        except TypeError:  # a value finer than the scale, or pending: holds() decides
            out.append(holds(ident, values))
            continue
        out.append(True if not diff else holds(ident, values))
    return out


def _tolerance(identity: Identity, values: Values) -> int:
    """The summed scaled half-widths of the identity's cells."""
    _, r, c = identity.total
    if identity.rows is not None or identity.cols is not None:
        grid = values.widths(identity.form)
        try:
            return grid[r][c] + shaped_parts(identity, grid)  # type: ignore[no-any-return]
        except TypeError:  # a cell outside the amount columns, still pending
            pass
    tolerance = values.scaled_width(identity.total)
    for k in identity.parts:
        tolerance += values.scaled_width(k)
    return tolerance


def evaluate(identity: Identity, values: Values) -> tuple[bool, Decimal, Decimal, Decimal]:
    """Whether ``identity`` holds: returns (ok, total, sum of parts, tolerance)."""
    total = values.value(identity.total)
    s = parts_sum(identity, values)
    tol = values.half_width(identity.total) + sum((values.half_width(k) for k in identity.parts), ZERO)
    # Rounding intervals are half-open ([v - h, v + h)), so they meet only when the
    # difference is strictly below the summed half-widths; exact values must be equal.
    diff = abs(total - s)
    return (diff < tol if tol else diff == 0), total, s, tol


def parts_sum(identity: Identity, values: Values) -> Decimal:
    """The exact sum of the identity's parts."""
    return sum((values.value(k) for k in identity.parts), ZERO)


def amount_col_indices(form: Form) -> list[int]:
    return form.table.amount_columns() if form.table else []


def label_of(table: Table, r: int) -> str:
    row = table.rows[r]
    return row.label or row.key


def col_label(table: Table, c: int) -> str:
    return table.columns[c].key


def validate_derived(table: Table) -> None:
    """Drop what the checks keep in ``table.derived`` if rows were moved in or out since.

    A cell edit clears it (``Table.set_text``), but moving rows between forms does not; the
    facts kept there (parsed amounts, total rows, labels…) are per row.
    """
    # The rows themselves (Row compares by identity): no id() integer made per row.
    signature = (table.width, tuple(table.rows))
    if table.derived.get("rows") != signature:
        table.derived.clear()
        table.derived["rows"] = signature


def derived_memo(table: Table, name: str) -> dict[Any, Any]:
    """A memo dict kept in ``table.derived`` (so it is dropped whenever a cell changes)."""
    memo = table.derived.get(name)
    if memo is None:
        memo = table.derived[name] = {}
    return memo  # type: ignore[return-value]


def bare_column(table: Table, j: int) -> list[str]:
    """The texts of column ``j`` without white space (:func:`nospace`), by row (once per table)."""
    memo = derived_memo(table, "bare_column")
    bare = memo.get(j)
    if bare is None:
        bare = memo[j] = [nospace(row.texts[j]) for row in table.rows]
    return bare


compiled = functools.lru_cache(maxsize=512)(re.compile)
"""Patterns the rules search for (a fixed, small set), compiled once."""


def find_column(table: Table, pattern: str) -> int | None:
    """The first amount column whose key, white space removed, matches the regex ``pattern``.

    A pattern of plain words (``^`` and ``$`` allowed) is tested without a regex, and a key
    made whitespace-free only when a search first reaches it (once per table)."""
    memo = derived_memo(table, "find_column")
    if pattern in memo:  # (tested, not caught: compiled, a raised KeyError is dear)
        return memo[pattern]  # type: ignore[no-any-return]
    bare = derived_memo(table, "bare_keys")  # column -> its key without white space
    how, words = _pattern_test(pattern)
    found: int | None = None
    for j, col in enumerate(table.columns):
        if col.role == "amount":
            key = bare.get(j)
            if key is None:
                key = bare[j] = nospace(col.key)
            if _matches(key, how, words):
                found = j
                break
    memo[pattern] = found
    return found


def _matches(key: str, how: int, words: str) -> bool:
    """``key`` (no white space: it ends in no newline for ``$`` to skip) passes the test."""
    if how == _EQUAL:
        return key == words
    if how == _STARTS:
        return key.startswith(words)
    if how == _ENDS:
        return key.endswith(words)
    if how == _HOLDS:
        return words in key
    return compiled(words).search(key) is not None  # (_REGEX: words is the pattern)


_EQUAL: Final = 0
_STARTS: Final = 1
_ENDS: Final = 2
_HOLDS: Final = 3
_REGEX: Final = 4
_PATTERN_TESTS: Final[dict[str, tuple[int, str]]] = {}


def _pattern_test(pattern: str) -> tuple[int, str]:
    """How to test ``pattern`` (_EQUAL, _STARTS, _ENDS, _HOLDS: its words; else _REGEX), once per pattern."""
    if pattern in _PATTERN_TESTS:
        return _PATTERN_TESTS[pattern]
    words = pattern.removeprefix("^")
    start = len(words) < len(pattern)
    end = words.endswith("$") and not words.endswith("\\$")
    if end:
        words = words[:-1]
    if not words or re.escape(words) != words:
        test = (_REGEX, pattern)
    else:
        test = (_EQUAL if start and end else _STARTS if start else _ENDS if end else _HOLDS, words)
    _PATTERN_TESTS[pattern] = test
    return test


def find_row(table: Table, pattern: str) -> int | None:
    """The first row whose label or key (whitespace removed) matches ``pattern``."""
    memo = derived_memo(table, "find_row")
    if pattern in memo:  # (tested, not caught: compiled, a raised KeyError is dear)
        return memo[pattern]  # type: ignore[no-any-return]
    prefix = literal_prefix(pattern)
    if prefix is not None:  # (the same test, without a regex search per label)
        found = _row_starting(table, prefix)
    else:
        labels = derived_memo(table, "row_labels")
        if not labels:
            labels.update(
                (i, [nospace(t) for t in (row.label, row.key) if t]) for i, row in enumerate(table.rows)
            )
        rx = compiled(pattern)
        found = next((i for i, texts in labels.items() if any(rx.search(t) for t in texts)), None)
    memo[pattern] = found
    return found


def _row_starting(table: Table, prefix: str) -> int | None:
    """The first row whose label or key, white space removed, starts with ``prefix`` (which
    has none), removing white space only from the texts that hold the prefix's first character."""
    first = prefix[0]
    for r, row in enumerate(table.rows):
        label = row.label
        if label.startswith(prefix) or (first in label and nospace(label).startswith(prefix)):
            return r
        key = row.key
        if key.startswith(prefix) or (first in key and nospace(key).startswith(prefix)):
            return r
    return None


def literal_prefix(pattern: str) -> str | None:
    """``words`` for a pattern ``^words`` with no other regex syntax: it matches exactly the
    texts that start with them. ``None`` for any other pattern."""
    how, words = _pattern_test(pattern)
    return words if how == _STARTS else None


def total_row(table: Table) -> int | None:
    """The first row flagged as a total (once per table)."""
    memo = derived_memo(table, "total_row")
    if not memo:
        memo[None] = next((i for i, r in enumerate(table.rows) if r.is_total), None)
    return memo[None]  # type: ignore[no-any-return]


def cell_keys(doc: Document, keys: list[CellKey]) -> list[tuple[str, str, str]]:
    """(form, row key, column key) of cells, as their :func:`cell_ref` name them."""
    out = []
    for form_id, r, c in keys:
        table = doc.forms[form_id].table
        assert table is not None
        out.append((form_id, table.rows[r].key, table.columns[c].key))
    return out


def cell_ref(doc: Document, key: CellKey) -> CellRef:
    """The CellRef of a cell key: row and column string keys, source line, printed text."""
    form_id, r, c = key
    table = doc.forms[form_id].table
    assert table is not None
    row = table.rows[r]
    return CellRef(form_id, row.key, table.columns[c].key, row.lines[c] or row.line or None, row.texts[c])

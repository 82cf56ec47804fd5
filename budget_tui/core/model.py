"""The parsed document model: documents, forms, tables, rows and traceable cells."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Final, Literal

from budget_tui.core.errors import Problem
from budget_tui.core.numbers import parse_number

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

FormStatus = Literal["ok", "empty", "missing", "incomplete"]
"""``incomplete`` is the checks' verdict (rows or pages missing), given again by every check."""
ColumnRole = Literal["code", "label", "amount", "text"]
KEY_SEP: Final = " / "


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a cell was printed: file, 1-based line, 0-based tab column, character span."""

    path: str
    line: int
    column: int
    start: int
    end: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column + 1}"


def span_of(text: str, column: int) -> tuple[int, int]:
    """Character span ``[start, end)`` of tab column ``column`` in a source line."""
    start = 0
    for _ in range(column):
        nxt = text.find("\t", start)
        if nxt < 0:
            return len(text), len(text)
        start = nxt + 1
    end = text.find("\t", start)
    return start, len(text) if end < 0 else end


@dataclass(frozen=True, slots=True)
class Column:
    """One table column: its header path (outermost first), string key and role."""

    key: str
    path: tuple[str, ...]
    role: ColumnRole


class Row:
    """One table row: texts as printed (after stitching) and where each cell came from.

    ``lines[j]`` is the 1-based source line of cell ``j`` (0 for a padded cell that
    was never printed) and ``srccols[j]`` its tab column in that line (-1 if padded).
    A row read from one source line (most rows) keeps only that line's number and how
    many cells it printed; the two lists are built on first use.
    """

    __slots__ = (
        "_line0",
        "_lines",
        "_printed",
        "_srccols",
        "_values",
        "code",
        "extra_lines",
        "is_total",
        "key",
        "label",
        "texts",
    )

    def __init__(
        self,
        texts: list[str],
        lines: list[int],
        srccols: list[int],
        *,
        key: str = "",
        label: str = "",
        code: str = "",
        is_total: bool = False,
    ) -> None:
        self.texts = texts
        self._lines: list[int] | None = lines
        self._srccols: list[int] | None = srccols
        self._line0 = 0
        self._printed = 0
        self.key = key
        self.label = label
        self.code = code
        self.is_total = is_total
        self.extra_lines: tuple[int, ...] = ()
        self._values: list[Decimal | None] | None = None

    @classmethod
    def from_line(cls, texts: list[str], line: int, printed: int) -> Row:
        """A row whose first ``printed`` cells are tab columns 0.. of source line ``line``
        and whose other cells are padding."""
        row = cls.__new__(cls)
        row._init_line(texts, line, printed)
        return row

    def _init_line(self, texts: list[str], line: int, printed: int) -> None:
        self.texts = texts
        self._lines = self._srccols = None
        self._line0 = line
        self._printed = printed
        self.key = self.label = self.code = ""
        self.is_total = False
        self.extra_lines = ()
        self._values = None

    def _materialise(self) -> None:
        pad = len(self.texts) - self._printed
        self._lines = [self._line0] * self._printed + [0] * pad
        self._srccols = [*range(self._printed), *[-1] * pad]

    @property
    def lines(self) -> list[int]:
        if self._lines is None:
            self._materialise()
        assert self._lines is not None
        return self._lines

    @property
    def srccols(self) -> list[int]:
        if self._srccols is None:
            self._materialise()
        assert self._srccols is not None
        return self._srccols

    def pad(self, extra: int) -> None:
        """Add ``extra`` blank, never-printed cells on the right."""
        self.texts.extend([""] * extra)
        if self._lines is not None and self._srccols is not None:
            self._lines.extend([0] * extra)
            self._srccols.extend([-1] * extra)
        self._values = None

    @property
    def line(self) -> int:
        """The row's main source line (the first printed cell's line)."""
        if self._lines is None:
            return self._line0 if self._printed else 0
        return next((ln for ln in self._lines if ln), 0)

    @property
    def values(self) -> list[Decimal | None]:
        """Exact values of every cell (``None`` for blank or non-numeric text), cached."""
        if self._values is None:
            self._values = [parse_number(t) for t in self.texts]
        return self._values

    def set_text(self, col: int, text: str) -> None:
        """Replace one cell's text (used by corrections; the source is untouched)."""
        self.texts[col] = text
        self._values = None

    def __repr__(self) -> str:
        return f"Row({self.key!r}, {self.texts!r})"


@dataclass(frozen=True, slots=True)
class Cell:
    """A cell as the API hands it out: keys, text, exact value and provenance."""

    form: str
    row: str
    column: str
    text: str
    value: Decimal | None
    ref: SourceRef | None
    original: str | None = None
    """The printed text when a correction replaced it, else ``None``."""


@dataclass
class Table:
    """A stitched table: header lines, typed columns and rows."""

    header: list[list[str]]
    header_lines: list[int]
    columns: list[Column]
    rows: list[Row]
    overrides: dict[tuple[int, int], str] = field(default_factory=dict)
    """Printed text of every corrected cell, by (row index, column index)."""
    derived: dict[str, object] = field(default_factory=dict, repr=False, compare=False)
    """Facts the checks derive from the table's text; cleared whenever a cell changes."""

    @property
    def width(self) -> int:
        return len(self.columns)

    def row_index(self, key: str) -> int:
        """Index of the row with ``key``; ``KeyError`` naming the key if absent."""
        for i, row in enumerate(self.rows):
            if row.key == key:
                return i
        raise KeyError(f"no row {key!r}")

    def col_index(self, key: str) -> int:
        """Index of the column with ``key``; ``KeyError`` naming the key if absent."""
        for j, col in enumerate(self.columns):
            if col.key == key:
                return j
        raise KeyError(f"no column {key!r}")

    def amount_columns(self) -> list[int]:
        return [j for j, c in enumerate(self.columns) if c.role == "amount"]

    def set_text(self, r: int, c: int, text: str) -> str:
        """Correct one cell; keeps the printed text in ``overrides``; returns the old text."""
        row = self.rows[r]
        old = row.texts[c]
        self.derived.clear()
        self.overrides.setdefault((r, c), old)
        if self.overrides[(r, c)] == text:
            del self.overrides[(r, c)]
        row.set_text(c, text)
        return old


class Paragraph:
    """A non-table, non-blank source line (a narrative 说明 line once parsed), with its
    1-based line number.

    A plain class rather than a dataclass: one is made for every text line, and a
    compiled core (mypyc) compiles a hand-written ``__init__`` but not a generated one.
    """

    __slots__ = ("line", "text")
    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value (as a dataclass)

    def __init__(self, line: int, text: str) -> None:
        self.line = line
        self.text = text

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Paragraph):
            return NotImplemented
        return self.line == other.line and self.text == other.text

    def __repr__(self) -> str:
        return f"Paragraph(line={self.line!r}, text={self.text!r})"


@dataclass
class Form:
    """One standard budget form of a document."""

    id: str
    kind: str
    title: str
    title_line: int
    status: FormStatus
    table: Table | None
    number: str = ""
    """The printed form number (``预算03表``) or table-of-contents ordinal, if any."""
    path: str = ""
    source_lines: list[str] = field(default_factory=list, repr=False, compare=False)
    """The document's lines, shared (not copied), to compute character spans."""

    @property
    def rows(self) -> int:
        return len(self.table.rows) if self.table else 0

    @property
    def cols(self) -> int:
        return self.table.width if self.table else 0

    def cell(self, row: str, column: str) -> Cell:
        """The cell at string keys ``row`` / ``column`` (as ``check`` prints them)."""
        if self.table is None:
            raise KeyError(f"form {self.id} has no table")
        r = self.table.row_index(row)
        c = self.table.col_index(column)
        return self.cell_at(r, c)

    def cell_at(self, r: int, c: int) -> Cell:
        """The cell at row / column indices."""
        assert self.table is not None
        tr = self.table.rows[r]
        return Cell(
            form=self.id,
            row=tr.key,
            column=self.table.columns[c].key,
            text=tr.texts[c],
            value=tr.values[c],
            ref=self.ref_at(r, c),
            original=self.table.overrides.get((r, c)),
        )

    def ref_at(self, r: int, c: int) -> SourceRef | None:
        """Provenance of a cell; ``None`` for a padded cell never printed."""
        assert self.table is not None
        tr = self.table.rows[r]
        line, sc = tr.lines[c], tr.srccols[c]
        if not line or sc < 0:
            return None
        text = self.source_lines[line - 1] if 0 < line <= len(self.source_lines) else ""
        start, end = span_of(text, sc)
        return SourceRef(self.path, line, sc, start, end)

    def iter_cells(self) -> Iterator[Cell]:
        if self.table is None:
            return
        for r in range(len(self.table.rows)):
            for c in range(self.table.width):
                yield self.cell_at(r, c)

    def to_frame(self) -> pd.DataFrame:
        """The table as a pandas DataFrame with a MultiIndex header of the header paths."""
        import pandas as pd

        if self.table is None:
            return pd.DataFrame()
        depth = max((len(c.path) for c in self.table.columns), default=1) or 1
        tuples = [tuple(c.path) + ("",) * (depth - len(c.path)) for c in self.table.columns]
        # Keys disambiguate duplicate paths (``#2``) so the index stays unique.
        tuples = [
            t if t.count("") < depth else (c.key,) + ("",) * (depth - 1)
            for t, c in zip(tuples, self.table.columns, strict=True)
        ]
        seen: dict[tuple[str, ...], int] = {}
        unique = []
        for t in tuples:
            n = seen.get(t, 0) + 1
            seen[t] = n
            unique.append(t if n == 1 else (*t[:-1], f"{t[-1]}#{n}"))
        columns = pd.MultiIndex.from_tuples(unique)
        data = [
            [v if v is not None else (t or None) for v, t in zip(r.values, r.texts, strict=True)]
            for r in self.table.rows
        ]
        return pd.DataFrame(
            data, columns=columns, index=pd.Index([r.key for r in self.table.rows], name="row")
        )


@dataclass
class Unit:
    """A budget unit printed in the document (code and name)."""

    code: str
    name: str


@dataclass
class Document:
    """One extracted budget document (a department and year)."""

    path: str
    sha256: str
    lines: list[str]
    department: str = ""
    department_code: str = ""
    units: list[Unit] = field(default_factory=list)
    year: int | None = None
    money_unit: str = "万元"
    forms: dict[str, Form] = field(default_factory=dict)
    narrative: list[Paragraph] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def unit(self) -> str:
        """The units' names joined (the department itself when it prints none)."""
        names = [u.name for u in self.units if u.code != self.department_code]
        return "、".join(dict.fromkeys(names)) or self.department

    def source_ref(self, line: int, column: int) -> SourceRef:
        """Ref with the character span of tab column ``column`` of ``line``."""
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        start, end = span_of(text, column)
        return SourceRef(self.path, line, column, start, end)


@dataclass
class Corpus:
    """Documents loaded from one or more paths, with problems that stopped a file."""

    documents: list[Document] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

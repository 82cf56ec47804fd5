"""Tab-separated lines -> blocks -> tables: header levels, typed columns, keyed rows."""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from budget_tui.core.model import KEY_SEP, Column, ColumnRole, Row
from budget_tui.core.numbers import NUMBER_START, is_code, is_number

MAX_HEADER_LINES: Final = 4
MAX_HEADER_CELL_CHARS: Final = 30
_TOTAL_RE: Final = re.compile(r"^(?:本年)?(?:收入|支出)?(?:合\s*计|总\s*计)[:：]?$")
_DIGIT_RE: Final = re.compile(r"\d")
_HEADER_DIGITS_OK_RE: Final = re.compile(r"(?:19|20)\d{2}\s*年|[（(]\s*\d\s*[)）]|\d[、.]")
_CODE_HEADER_RE: Final = re.compile(r"编码|代码|科目$|^[类款项]$")
NON_TAB_SPACE_RE: Final = re.compile(
    "[\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)
"""Any white space but a tab (``[^\\S\\t]`` spelled out: a third faster to search)."""
_ROW_LABEL_START: Final = frozenset("(（一二三四五六七八九十")
_TOTAL_KEY_DROP_RE: Final = re.compile(r"[\s:：]")
ROW_LABEL_RE: Final = re.compile(r"^(?:[(（]\s*[一二三四五六七八九十]+\s*[)）]|[一二三四五六七八九十]+、)")


class SourceLine(Row):
    """A tab line split into stripped cells, with its 1-based line number.

    A data line becomes its table's row as it is (padded in place, see :func:`make_row`):
    one object per line instead of a line and a copy.
    """

    __slots__ = ("_sig",)

    def __init__(self, lineno: int, cells: list[str]) -> None:
        self._init_line(cells, lineno, len(cells))
        self._sig: str | None = None

    @property
    def cells(self) -> list[str]:
        return self.texts

    @property
    def lineno(self) -> int:
        return self._line0

    @property
    def signature(self) -> str:
        """The line's cells without white space, joined by ``|`` (computed once)."""
        if self._sig is None:
            self._sig = "".join("|".join(self.texts).split())
        return self._sig

    def __repr__(self) -> str:
        return f"SourceLine({self._line0}, {self.texts!r})"


@dataclass
class Block:
    """A run of consecutive tab-separated lines."""

    lines: list[SourceLine]
    header: list[SourceLine] = field(default_factory=list)
    data: list[SourceLine] = field(default_factory=list)

    @property
    def start(self) -> int:
        return self.lines[0].lineno

    @property
    def end(self) -> int:
        return self.lines[-1].lineno


def is_total_label(text: str) -> bool:
    """``合计`` / ``总计`` / ``收入合计:`` … the label of a total row."""
    return "计" in text and _TOTAL_RE.match(text) is not None


def is_header_line(cells: list[str]) -> bool:
    """A line of column labels: only short text, no amounts, codes or totals."""
    filled = [c for c in cells if c]
    if not filled:
        return False
    if len(filled) == 1 and is_total_label(filled[0]):
        return False
    for c in reversed(filled):  # a data line's amounts sit on the right: reject it at once
        if len(c) > MAX_HEADER_CELL_CHARS:
            return False
        if c[0] in NUMBER_START and (is_code(c) or is_number(c)):
            return False
        if c[0] in _ROW_LABEL_START and ROW_LABEL_RE.match(c):
            return False
        if _DIGIT_RE.search(c) and not _HEADER_DIGITS_OK_RE.search(c):
            return False
    return True


def split_header(lines: list[SourceLine]) -> tuple[list[SourceLine], list[SourceLine]]:
    """Split a block into its leading header lines (at most four) and its data lines."""
    n = 0
    while n < len(lines) and n < MAX_HEADER_LINES and _is_header_text("\t".join(lines[n].cells)):
        n += 1
    return lines[:n], lines[n:]


@functools.lru_cache(maxsize=4096)
def _is_header_text(line: str) -> bool:
    """``is_header_line`` of a tab-joined line, cached: every page of a form repeats its
    header, and the standard forms print the same headers in every document."""
    return is_header_line(line.split("\t"))


def header_signature(header: list[SourceLine]) -> str:
    """Whitespace-free text of a header, to recognise a header repeated on a later page."""
    return "\n".join([h.signature for h in header]).rstrip("|\n")


def build_columns(header: list[list[str]], data: list[list[str]], width: int) -> list[Column]:
    """Columns with header paths (labels spanning right within their parent) and roles.

    Every row of ``data`` must be ``width`` cells long (rows are padded when built).
    """
    header_key = tuple(map(tuple, header))
    paths, _ = _header_paths(header_key, width)
    return list(_columns(header_key, width, tuple(column_roles(paths, data, width))))


@functools.lru_cache(maxsize=1024)
def _columns(
    header: tuple[tuple[str, ...], ...], width: int, roles: tuple[ColumnRole, ...]
) -> tuple[Column, ...]:
    """The (immutable) columns of a header with these roles: shared by every table that
    prints that header, as the standard forms do."""
    paths, keys = _header_paths(header, width)
    return tuple(Column(k, p, r) for k, p, r in zip(keys, paths, roles, strict=True))


@functools.lru_cache(maxsize=1024)
def _code_headers(paths: tuple[tuple[str, ...], ...]) -> list[bool]:
    """Whether each column's header names a code (编码, 代码, 科目, 类/款/项)."""
    return [any(_CODE_HEADER_RE.search(p) for p in path) for path in paths]


@functools.lru_cache(maxsize=1024)
def _header_paths(header: tuple[tuple[str, ...], ...], width: int) -> tuple[list[tuple[str, ...]], list[str]]:
    """Each column's header path and unique key (the standard forms share their headers)."""
    grid = [row + ("",) * (width - len(row)) for row in header]
    spans: list[list[str]] = []
    parent_ids: list[int] = [0] * width
    for level in grid:
        filled: list[str] = []
        new_ids: list[int] = []
        current = ""
        current_id = -1
        for j in range(width):
            if level[j]:
                current = level[j]
                current_id = j
            elif j == 0 or parent_ids[j] != parent_ids[j - 1]:
                current, current_id = "", -1
            filled.append(current)
            new_ids.append(parent_ids[j] * 1000 + current_id + 1)
        spans.append(filled)
        parent_ids = new_ids
    paths: list[tuple[str, ...]] = []
    for j in range(width):
        parts: list[str] = []
        for span in spans:
            label = " ".join(span[j].split())
            if label and (not parts or parts[-1] != label):
                parts.append(label)
        paths.append(tuple(parts))
    keys: list[str] = []
    seen: Counter[str] = Counter()
    for j, path in enumerate(paths):
        base = KEY_SEP.join(path) if path else f"col{j + 1}"
        seen[base] += 1
        keys.append(base if seen[base] == 1 else f"{base}#{seen[base]}")
    return paths, keys


# A column of amounts (or blanks) only, checked in one regex pass over its joined cells:
# most columns are, and classifying them cell by cell in Python is most of the parse cost.
# ASCII digits only: a column these do not match is classified cell by cell (exactly).
_NUMBER_CELL: Final = r"(?:[-−+]?[0-9]{1,3}(?:(?:,[0-9]{3})+|[0-9]*)(?:\.[0-9]+)?%?|——|--|[-—–－])"
_ALL_NUMBERS_RE: Final = re.compile(rf"{_NUMBER_CELL}?(?:\n{_NUMBER_CELL}?)*+")
_NUMBERISH_CELL_RE: Final = re.compile("\n[0-9\\-−+—–－]")
"""A cell (after the first) that starts like an amount or a code; the literal newline
lets the regex engine skip ahead to each cell."""


def _plain_amounts(joined: str, skeleton: bytes) -> bool:
    """Whether every cell of an ASCII column (cells joined by newlines) is blank or a plain
    amount ``[0-9]+(\\.[0-9]+)?``, given the column's ``skeleton`` (its bytes without digits).

    String methods instead of a regex: this runs over most cells of every document.
    """
    return (
        not skeleton.translate(None, b".\n")  # nothing but digits, points and newlines
        and b".." not in skeleton  # no cell with two points
        and "\n." not in joined  # no point at the start or end of a cell
        and ".\n" not in joined
        and joined[0] != "."
        and joined[-1] != "."
    )


ColumnCounts = tuple[int, int, int, int]
"""A column's numbers of amounts, codes, long (6+ digit) codes and text cells."""


def _distinct_texts(col: tuple[str, ...], texts: int) -> int:
    """How many different text cells (neither amounts nor codes) a column holds."""
    distinct = set(col)
    distinct.discard("")
    if texts < len(col) - col.count(""):  # some cells are amounts or codes
        distinct.difference_update([c for c in distinct if c[0] in NUMBER_START and is_number(c)])
    return len(distinct)


def _column_counts(col: tuple[str, ...]) -> ColumnCounts:
    """How many of a column's cells are amounts, codes, long (6+ digit) codes and text.

    A column of amounts only reports them all as amounts: only the sum of amounts and
    codes and whether any amount is not a bare integer decide a role.
    """
    filled = len(col) - col.count("")
    if not filled:
        return 0, 0, 0, 0
    joined = "\n".join(col)
    if joined[0] not in NUMBER_START and _NUMBERISH_CELL_RE.search(joined) is None:
        return 0, 0, 0, filled  # no cell starts like a number or a code
    if joined.isascii():  # (O(1) for a str)
        skeleton = joined.encode().translate(None, b"0123456789")  # what is not a digit
        if not skeleton.translate(None, b"\n"):
            return 0, filled, sum(map((6).__le__, map(len, col))), 0
        if _plain_amounts(joined, skeleton):
            return filled, 0, 0, 0
    if _ALL_NUMBERS_RE.fullmatch(joined):
        return filled, 0, 0, 0
    numeric = digits = long_digits = text = 0
    for c in col:
        if not c:
            continue
        if c[0] not in NUMBER_START:
            text += 1
        elif is_code(c):
            digits += 1
            long_digits += len(c) >= 6
        elif is_number(c):
            numeric += 1
        else:
            text += 1
    return numeric, digits, long_digits, text


def column_roles(paths: list[tuple[str, ...]], data: list[list[str]], width: int) -> list[ColumnRole]:
    """Role of each column from its header words and the kind of text it holds."""
    columns: list[tuple[str, ...]] = list(zip(*data, strict=True)) if data else [() for _ in range(width)]
    counts = list(map(_column_counts, columns))
    return decide_roles(
        _code_headers(tuple(paths)),
        [not path for path in paths],
        counts,
        lambda j: _distinct_texts(columns[j], counts[j][3]),
    )


def decide_roles(
    code_header: list[bool],
    no_header: list[bool],
    counts: list[ColumnCounts],
    distinct: Callable[[int], int],
) -> list[ColumnRole]:
    """Column roles from what each header says and what each column holds.

    ``distinct(j)`` is the number of different text cells in column ``j`` (asked only of
    the columns that could be the label column).
    """
    width = len(counts)
    numeric, digits, long_digits, text = zip(*counts, strict=True) if counts else ((), (), (), ())
    # Bare integers are amounts (documents that drop ".00") unless the header names a code
    # column or the column holds long identifiers only.
    is_code_col = [
        (code_header[j] and not numeric[j] and (digits[j] > 0 or not text[j]))
        or (no_header[j] and digits[j] > 0 and not numeric[j] and not text[j] and long_digits[j] == digits[j])
        for j in range(width)
    ]
    amount = [
        not is_code_col[j] and numeric[j] + digits[j] > 0 and numeric[j] + digits[j] >= text[j]
        for j in range(width)
    ]
    first_amount = next((j for j in range(width) if amount[j]), width)
    candidates = [
        j for j in range(min(first_amount + 1, width)) if not is_code_col[j] and not amount[j] and text[j]
    ]
    # The label is the first text column whose entries name rows (mostly distinct), so a
    # category column such as 类型 (其他运转类 on every row) is not taken for it.
    label = next((j for j in candidates if distinct(j) >= 0.6 * text[j]), candidates[0] if candidates else -1)
    roles: list[ColumnRole] = []
    for j in range(width):
        if is_code_col[j]:
            roles.append("code")
        elif amount[j]:
            roles.append("amount")
        elif j == label:
            roles.append("label")
        else:
            roles.append("text")
    return roles


def _code_text(t: str) -> str:
    """``t`` as a subject code (OCR spaces inside removed), or ``""`` if it is not one."""
    if not t:
        return ""
    if t.isdigit():
        return t if t.isascii() else ""
    if " " in t:
        t = t.replace(" ", "")  # OCR spaces inside a code (``15000 3``)
        return t if t.isdigit() and t.isascii() else ""
    return ""


def _add_code(codes: list[str], code: str, col: int, prev_col: int) -> int:
    """Append a row's code; adjacent 类/款/项 parts (3 + 2 + 2 digits) join into one."""
    if codes and prev_col == col - 1 and len(code) == 2 and len(codes[-1]) in (3, 5):
        codes[-1] += code
    else:
        codes.append(code)
    return col


def key_rows(rows: list[Row], columns: list[Column]) -> None:
    """Give every row its code, label, total flag and unique string key."""
    width = len(columns)
    label_col = next((j for j, c in enumerate(columns) if c.role == "label"), -1)
    scan = [(j, c.role == "code") for j, c in enumerate(columns) if c.role != "amount"]
    # Once a row's first text is found only code columns can still add a code.
    codes_after: list[list[int]] = [[] for _ in scan]
    for k in range(len(scan) - 2, -1, -1):
        j, code_col = scan[k + 1]
        codes_after[k] = [j, *codes_after[k + 1]] if code_col else codes_after[k + 1]
    scan_cols = [j for j, _ in scan]
    first_texts: list[str] = []
    for row in rows:
        codes: list[str] = []
        first_text = ""
        prev_code_col = -2
        texts = row.texts
        if len(texts) < width:
            texts = texts + [""] * (width - len(texts))
        for k, j in enumerate(scan_cols):
            t = texts[j]
            if not t:
                continue
            # Codes and amounts start like a number (stripped cells start with no space).
            if t[0] in NUMBER_START:
                code = _code_text(t)
                if code:
                    prev_code_col = _add_code(codes, code, j, prev_code_col)
                    continue
                if is_number(t):
                    continue
            first_text = t  # never a code nor an amount
            for j2 in codes_after[k]:
                code = _code_text(texts[j2])
                if code:
                    prev_code_col = _add_code(codes, code, j2, prev_code_col)
            break
        own = texts[label_col] if label_col >= 0 else ""
        row.label = (
            first_text
            if own == first_text
            or not own
            or (own[0] in NUMBER_START and (_code_text(own) or is_number(own)))
            else own
        )
        row.code = "/".join(codes) if codes else ""
        first_texts.append(first_text)
    _flag_totals_and_key(rows, first_texts)


def _flag_totals_and_key(rows: list[Row], first_texts: list[str]) -> None:
    """Each row's total flag and unique key, from its code, label and first text."""
    seen: dict[str, int] = {}
    for n, (row, first_text) in enumerate(zip(rows, first_texts, strict=True), 1):
        code, label = row.code, row.label
        # (is_total_label's own first test inline: every row passes here)
        is_total = not code and (
            ("计" in label and is_total_label(label))
            or (first_text != label and "计" in first_text and is_total_label(first_text))
        )
        if n == 1 and not code and not label and len(rows) > 1:
            # The first row of a list with its 合计 label lost (000/001 项目支出表).
            is_total = True
        row.is_total = is_total
        base = code or label or f"row{n}"
        if is_total:
            total_label = next((t for t in (label, first_text) if is_total_label(t)), "合计")
            base = _TOTAL_KEY_DROP_RE.sub("", total_label)
        count = seen.get(base, 0) + 1
        seen[base] = count
        row.key = base if count == 1 else f"{base}#{count}"


def make_row(line: SourceLine, width: int) -> Row:
    """The row of a source line, padded to ``width`` cells: the line itself (a line is read
    into one table row once), or a copy cut to ``width`` when it is wider."""
    n = len(line.texts)
    if n > width:
        return Row.from_line(line.texts[:width], line.lineno, width)
    if n < width:
        line.pad(width - n)
    return line

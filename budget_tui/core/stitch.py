"""Blocks -> forms: titles, page continuations, column fragments, repeated headers and totals."""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from typing import Final

from budget_tui.core.forms import (
    EMPTY_DECLARATION_RE,
    compatible,
    form_marker,
    is_title_like,
    kind_of_content,
    kind_of_title,
    normalise_title,
)
from budget_tui.core.model import Paragraph, Row, Table
from budget_tui.core.numbers import NUMBER_START, fixed_point, is_code, is_number, parse_number
from budget_tui.core.parse import (
    NON_TAB_SPACE_RE,
    ROW_LABEL_RE,
    Block,
    SourceLine,
    build_columns,
    header_signature,
    is_total_label,
    key_rows,
    make_row,
    split_header,
)

HEADER_SIMILARITY: Final = 0.85
_META_RE: Final = re.compile(r"名称|单位[:：]|编制部门")
MAX_ALIGN_CELLS: Final = 250_000
_LONG_TEXT: Final = 40


@dataclass
class Title:
    """A title seen in the text, waiting for the block it names."""

    text: str
    lineno: int
    kind: str | None
    heading: bool


@dataclass
class FormDraft:
    """A form being assembled from one or more blocks."""

    kind: str | None
    title: str
    title_line: int
    number: str = ""
    header: list[list[str]] = field(default_factory=list)
    header_lines: list[int] = field(default_factory=list)
    signature: str = ""
    rows: list[Row] = field(default_factory=list)
    width: int = 0
    page_start: int = 0
    """Index in ``rows`` where the latest page (or block) starts."""
    declared_empty: bool = False
    has_block: bool = False
    last_line: int = 0
    notes: list[tuple[int, str]] = field(default_factory=list)

    def widen(self, width: int) -> None:
        if width <= self.width:
            return
        extra = width - self.width
        for row in self.rows:
            row.pad(extra)
        for level in self.header:
            level.extend([""] * extra)
        self.width = width


@dataclass
class Stitched:
    """What stitching a document produced."""

    forms: list[FormDraft]
    narrative: list[Paragraph]
    toc: list[Title]
    notes: list[tuple[int, str]]


def _width(header: list[SourceLine], data: list[SourceLine]) -> int:
    """The most cells a line of a block prints (at least 1)."""
    # (texts: the cells without the property call, once per line)
    return max([len(h.texts) for h in header] + [len(d.texts) for d in data] + [1])


def lines_to_items(lines: list[str]) -> list[Paragraph | Block]:
    """Group source lines into text lines and blocks of consecutive tab lines.

    Works run by run (list comprehensions over each run of tab lines): this runs once per
    source line and is a large part of the parse.
    """
    items: list[Paragraph | Block] = []
    tab_lines = [i for i, line in enumerate(lines) if "\t" in line]
    # A run of consecutive tab lines is a run of equal ``line - rank`` (non-decreasing): its
    # end is found by bisection instead of a step per line.
    gaps = [i - k for k, i in enumerate(tab_lines)]
    spaces = NON_TAB_SPACE_RE.search
    done = 0  # lines[:done] are grouped
    k = 0
    while k < len(tab_lines):
        start = tab_lines[k]
        k_end = bisect_right(gaps, gaps[k], lo=k)
        end = start + (k_end - k)
        k = k_end
        if done < start:
            items += _text_items(lines, done, start)
        # Trailing white space (tabs included) only makes empty trailing cells, dropped
        # anyway; after rstrip only a line of tabs has an empty last cell.
        run = [line.rstrip() for line in lines[start:end]]
        cells_of = [line.split("\t") for line in run]
        if spaces("\t".join(run)) is not None:  # (most tables print no space at all)
            for i in [i for i, line in enumerate(run) if spaces(line) is not None]:
                cells_of[i] = [c.strip() for c in cells_of[i]]
        if "" not in run:
            items.append(Block([SourceLine(n, cells) for n, cells in enumerate(cells_of, start + 1)]))
        else:
            current: list[SourceLine] = []
            for n, (line, cells) in enumerate(zip(run, cells_of, strict=True), start + 1):
                if line:
                    current.append(SourceLine(n, cells))
                elif current:  # a line of tabs only: a blank line inside a table
                    items.append(Block(current))
                    current = []
            if current:
                items.append(Block(current))
        done = end
    if done < len(lines):
        items += _text_items(lines, done, len(lines))
    return items


def _text_items(lines: list[str], start: int, end: int) -> list[Paragraph]:
    """The non-blank lines of ``lines[start:end]`` (no tabs) as text items."""
    return [
        Paragraph(n, text) for n, line in enumerate(lines[start:end], start + 1) if (text := line.strip())
    ]


@functools.lru_cache(maxsize=1024)
def _similar(a: str, b: str) -> bool:
    """Headers alike but for OCR noise (spaces, a dropped or misread character).

    Compares the headers' characters as multisets (difflib's ``quick_ratio``): linear, and
    repeated page headers differ from other forms' headers in their vocabulary anyway.
    Cached: a form's header is compared with every page, and the standard forms share
    their headers across documents.
    """
    if not a or not b:
        return False
    if a == b:
        return True
    if a.count("\n") != b.count("\n"):
        return False
    if 2 * min(len(a), len(b)) < HEADER_SIMILARITY * (len(a) + len(b)):
        return False  # too different in length for enough characters in common
    common = sum((Counter(a) & Counter(b)).values())
    return 2 * common / (len(a) + len(b)) >= HEADER_SIMILARITY


def _has_label(line: SourceLine) -> bool:
    return any(c and not is_number(c) for c in line.cells)


def _is_tail_line(line: SourceLine) -> bool:
    """A line of text tails only: wrapped cell text that belongs to the previous row."""
    cells = line.cells
    filled = [c for c in cells if c]
    return (
        bool(filled)
        and not cells[0]
        and all(
            not is_number(c) and not is_code(c) and not is_total_label(c) and not ROW_LABEL_RE.match(c)
            for c in filled
        )
    )


def _content_text(header: list[SourceLine], data: list[SourceLine]) -> str:
    """A block's header and first three rows, for :func:`kind_of_content`.

    Amounts are kept: the vocabulary's words hold no digits, signs or ``|``, so an amount
    between two ``|`` can neither make nor break a word match.
    """
    return "|".join([c for line in (*header, *data[:3]) for c in line.cells])


def _first_label(texts: list[str]) -> str:
    """The first cell that is neither an amount nor a code."""
    for t in texts:
        if t and (t[0] not in NUMBER_START or not (is_code(t) or is_number(t))):
            return t
    return ""


def _amounts(row: Row) -> list[tuple[int, int]]:
    """Printed values right of the row's label (codes sit left of it), as fixed point."""
    texts = row.texts
    start = next((j + 1 for j, t in enumerate(texts) if t and not is_number(t)), 0)
    return [v for v in map(fixed_point, texts[start:]) if v is not None]


def _scaled(values: list[tuple[int, int]], decimals: int) -> list[int]:
    """Fixed-point values as integers in units of ``10**-decimals`` (exact)."""
    return [m * 10 ** (decimals - d) for m, d in values]


def _pair_targets(lv: list[int]) -> frozenset[int] | None:
    """The fragment values that would complete a left row (values ``lv`` right of its
    label): ``total - part`` for each part, so ``total = part + fragment value``."""
    if not lv:
        return None
    total = lv[0]
    return frozenset(total - x for x in [*lv[1:], 0])


def _pair_score(targets: frozenset[int] | None, fv: frozenset[int]) -> int:
    """How well a fragment row completes a left row: 2 if ``total = left part + fragment part``."""
    if targets is None:
        return 0
    return -1 if targets.isdisjoint(fv) else 2


def _skip_score(lv: list[int]) -> int:
    if not lv:
        return 1
    return 1 if any(lv[0] == x for x in lv[1:]) or lv[0] == 0 else 0


def align_fragment(left: list[Row], frag: list[Row]) -> list[int] | None:
    """Map each fragment row to a left row (monotone), using the row identities.

    Column fragments keep only their non-empty rows, so position alone is wrong when the
    fragment is shorter. Returns the left index of every fragment row, or ``None`` when
    no mapping makes more rows add up than it breaks.
    """
    n, k = len(left), len(frag)
    if k == n:
        return list(range(k))
    if k > n or n * k > MAX_ALIGN_CELLS:
        return None
    neg = -(10**9)
    # best[i][j]: best score using the first i left rows and the first j fragment rows.
    best = [[neg] * (k + 1) for _ in range(n + 1)]
    move = [[0] * (k + 1) for _ in range(n + 1)]
    best[0][0] = 0
    # Exact sums in integers: every value scaled to the most decimals printed in either part.
    left_fixed = [_amounts(r) for r in left]
    frag_fixed = [[v for v in map(fixed_point, r.texts) if v is not None] for r in frag]
    decimals = max((d for values in (*left_fixed, *frag_fixed) for _, d in values), default=0)
    left_values = [_scaled(values, decimals) for values in left_fixed]
    targets = [_pair_targets(lv) for lv in left_values]
    frag_values = [frozenset(_scaled(values, decimals)) for values in frag_fixed]
    skip = [_skip_score(lv) for lv in left_values]
    for i in range(1, n + 1):
        # Only states that can still place every fragment row: k - j <= n - i.
        for j in range(max(0, k - (n - i)), min(i, k) + 1):
            a = best[i - 1][j] + skip[i - 1] if best[i - 1][j] > neg else neg
            b = (
                best[i - 1][j - 1] + _pair_score(targets[i - 1], frag_values[j - 1])
                if j and best[i - 1][j - 1] > neg
                else neg
            )
            if b > a:
                best[i][j], move[i][j] = b, 1
            else:
                best[i][j], move[i][j] = a, 0
    if best[n][k] <= neg or best[n][k] <= 0:
        return None
    mapping = [0] * k
    i, j = n, k
    while i > 0:
        if move[i][j]:
            mapping[j - 1] = i - 1
            j -= 1
        i -= 1
    return mapping


@functools.lru_cache(maxsize=4096)
def _text_facts(text: str) -> tuple[str, str | None, str | None]:
    """A text line's normalised title, form marker and (if it reads as a title) the form
    kind it names. Cached: the standard titles and markers recur in every document."""
    kind = kind_of_title(text) if is_title_like(text) else None
    return normalise_title(text), form_marker(text), kind


class Stitcher:
    """Walks a document's items in order and assembles forms."""

    def __init__(self) -> None:
        self.forms: list[FormDraft] = []
        self.narrative: list[Paragraph] = []
        self.toc: list[Title] = []
        self.notes: list[tuple[int, str]] = []
        self.pending: Title | None = None
        self.marker = ""
        self.in_toc = False
        self.seen_block = False

    @property
    def cur(self) -> FormDraft | None:
        return self.forms[-1] if self.forms else None

    # -- text lines -------------------------------------------------------------------
    def on_text(self, item: Paragraph) -> None:
        text = item.text
        if "表" not in text and "目" not in text and "部分" not in text and "预算" not in text:
            self._narrative_line(item)  # cannot be a title, marker or table of contents
            return
        norm, marker, kind = _text_facts(text)
        heading = text.startswith("#")
        if norm in ("目录", "目次"):
            self.in_toc = True
            return
        if self.in_toc and (("第一部分" in norm and self.toc) or self.seen_block):
            self.in_toc = False
        if marker:
            self.marker = marker
            return
        if self.in_toc:
            if kind:
                self.toc.append(Title(text, item.line, kind, heading))
            else:
                self.narrative.append(item)
            return
        if kind:
            self._flush_pending()
            self.pending = Title(text, item.line, kind, heading)
            return
        if (
            heading
            and len(norm) <= 30
            and ("表" in norm or "预算" in norm)
            and not self._is_meta(text)
            and (self.pending is None or self.pending.kind is None)
        ):
            self.pending = Title(text, item.line, None, heading)
            return
        self._narrative_line(item)

    def _narrative_line(self, item: Paragraph) -> None:
        text = item.text
        cur = self.cur
        if cur is not None and ("无数据" in text or "为空" in text) and EMPTY_DECLARATION_RE.search(text):
            cur.declared_empty = True
        if self.pending is not None and self.pending.kind is None and len(text) > _LONG_TEXT:
            self.pending = None
        self.narrative.append(item)

    @staticmethod
    def _is_meta(text: str) -> bool:
        return _META_RE.search(text) is not None

    def _flush_pending(self) -> None:
        """A titled form whose body never came: keep it as ``missing``."""
        p = self.pending
        self.pending = None
        if p is None or p.kind is None:
            return
        cur = self.cur
        if cur is not None and cur.kind == p.kind and cur.has_block and p.lineno > cur.title_line:
            return  # a page title repeated over nothing
        self.forms.append(FormDraft(p.kind, p.text, p.lineno, number=self._take_marker()))

    def _take_marker(self) -> str:
        m, self.marker = self.marker, ""
        return m

    # -- blocks -----------------------------------------------------------------------
    def on_block(self, block: Block) -> None:
        self.seen_block = True
        self.in_toc = False
        cur = self.cur
        header, data = split_header(block.lines)
        if cur is not None and cur.header and len(block.lines) > len(cur.header):
            # A page that repeats the form's header: its header is exactly that many lines
            # (a wrapped tail under it looks like one more header line).
            n = len(cur.header)
            if _similar(header_signature(block.lines[:n]), cur.signature):
                header, data = block.lines[:n], block.lines[n:]
        pending = self.pending
        sig = header_signature(header)
        same_kind_title = (
            pending is None or pending.kind is None or (cur is not None and pending.kind == cur.kind)
        )

        joins = cur is not None and cur.has_block and same_kind_title
        if joins and cur is not None:
            if header and _similar(sig, cur.signature):
                self._continue(cur, data, block)
                return
            if not header and data and _has_label(data[0]) and cur.kind is not None:
                self._continue(cur, data, block)
                return
        # A continued page never needs its content's kind: found only past that point.
        content_kind = kind_of_content(_content_text(header, data))
        if joins and cur is not None and self._is_fragment(cur, header, data, content_kind, pending):
            self._attach_fragment(cur, header, data, block)
            return
        self._new_form(header, data, block, content_kind, sig)

    def _is_fragment(
        self,
        cur: FormDraft,
        header: list[SourceLine],
        data: list[SourceLine],
        content_kind: str | None,
        pending: Title | None,
    ) -> bool:
        if content_kind is not None and content_kind != cur.kind:
            return False
        if pending is not None and pending.kind is not None and pending.kind != cur.kind:
            return False
        if not data:
            # A header-only block after a form of its kind: more columns of a wide table.
            return bool(header)
        labelled = sum(_has_label(d) for d in data)
        if labelled > max(1, len(data) // 5):
            return False
        return len(data) <= len(cur.rows) - cur.page_start or (not cur.rows and bool(header))

    def _new_form(
        self,
        header: list[SourceLine],
        data: list[SourceLine],
        block: Block,
        content_kind: str | None,
        signature: str,
    ) -> None:
        p = self.pending
        self.pending = None
        kind: str | None
        if p is not None and p.kind is not None and compatible(p.kind, content_kind):
            kind, title, tline = p.kind, p.text, p.lineno
        elif p is not None and p.kind is not None:
            # The title names another form: that one has no body here, this block is what its content says.
            self.forms.append(FormDraft(p.kind, p.text, p.lineno, number=self._take_marker()))
            kind, title, tline = content_kind, "", block.start
            self.notes.append(
                (block.start, f"block does not fit title {p.text!r} (line {p.lineno}); kept by content")
            )
        else:
            kind = content_kind
            title = p.text if p is not None else ""
            tline = p.lineno if p is not None else block.start
        draft = FormDraft(kind, title, tline, number=self._take_marker())
        draft.has_block = True
        width = _width(header, data)
        draft.width = width
        draft.header = [h.cells + [""] * (width - len(h.cells)) for h in header]
        draft.header_lines = [h.lineno for h in header]
        draft.signature = signature
        draft.rows = [make_row(d, width) for d in data]
        draft.last_line = block.end
        self.forms.append(draft)

    def _continue(self, cur: FormDraft, data: list[SourceLine], block: Block) -> None:
        """Append a later page of ``cur``: merge wrapped tails, skip a repeated total."""
        self.pending = None
        self.marker = ""
        cur.page_start = len(cur.rows)
        if data and cur.rows and _is_tail_line(data[0]):
            self._merge_tail(cur.rows[-1], data[0])
            data = data[1:]
        if data:
            cur.widen(max([len(d.texts) for d in data]))
        width = cur.width
        for d in data:
            row = make_row(d, width)
            label = _first_label(row.texts)
            if is_total_label(label) and self._repeats_total(cur, row, label):
                continue
            cur.rows.append(row)
        cur.last_line = block.end

    @staticmethod
    def _merge_tail(row: Row, tail: SourceLine) -> None:
        for j, t in enumerate(tail.cells):
            if t and j < len(row.texts):
                row.texts[j] = row.texts[j] + t
                if not row.lines[j]:
                    row.lines[j], row.srccols[j] = tail.lineno, j
        row.extra_lines = (*row.extra_lines, tail.lineno)
        row._values = None

    @staticmethod
    def _repeats_total(cur: FormDraft, row: Row, label: str) -> bool:
        for prev in cur.rows:
            if _first_label(prev.texts) == label:
                # Same printed total on a later page: drop it only when it agrees.
                return [parse_number(t) for t in prev.texts] == [parse_number(t) for t in row.texts]
        return False

    def _attach_fragment(
        self, cur: FormDraft, header: list[SourceLine], data: list[SourceLine], block: Block
    ) -> None:
        """Attach a right-hand column fragment to ``cur`` (rows matched by identities)."""
        p = self.pending
        self.pending = None
        self.marker = ""
        if p is not None and p.kind is None and cur.title and not normalise_title(cur.title).endswith("表"):
            cur.title = f"{cur.title.rstrip()}{p.text.lstrip('#').strip()}"
        offset = cur.width
        fwidth = _width(header, data)
        cur.widen(offset + fwidth)
        while len(cur.header) < len(header):
            cur.header.append([""] * cur.width)
        for level, h in enumerate(header):
            for j, c in enumerate(h.cells):
                cur.header[level][offset + j] = c
        cur.header_lines.extend(h.lineno for h in header)
        frag_rows = [make_row(d, fwidth) for d in data]
        left = cur.rows
        mapping = align_fragment(left, frag_rows)
        if mapping is None:
            mapping = list(range(min(len(left), len(frag_rows))))
            self.notes.append(
                (
                    block.start,
                    "column fragment rows do not match the table's rows by their totals; "
                    "attached by position",
                )
            )
        for fr, li in zip(frag_rows, mapping, strict=False):
            row = left[li]
            for j in range(fwidth):
                row.texts[offset + j] = fr.texts[j]
                row.lines[offset + j] = fr.lines[j]
                row.srccols[offset + j] = fr.srccols[j]
            row._values = None
        for fr in frag_rows[len(mapping) :]:
            cur.rows.append(self._shifted(fr, offset, cur.width))
        cur.last_line = max(cur.last_line, block.end)

    @staticmethod
    def _shifted(row: Row, offset: int, width: int) -> Row:
        pad = width - offset - len(row.texts)
        return Row(
            [""] * offset + row.texts + [""] * pad,
            [0] * offset + row.lines + [0] * pad,
            [-1] * offset + row.srccols + [-1] * pad,
        )

    def finish(self) -> Stitched:
        self._flush_pending()
        return Stitched(self.forms, self.narrative, self.toc, self.notes)


def stitch(lines: list[str]) -> Stitched:
    """Assemble the forms of a document from its lines."""
    s = Stitcher()
    for item in lines_to_items(lines):
        if isinstance(item, Block):
            s.on_block(item)
        else:
            s.on_text(item)
    return s.finish()


def draft_to_table(draft: FormDraft) -> Table | None:
    """The final table of a draft: columns from the combined header, keyed rows."""
    if not draft.has_block:
        return None
    width = draft.width
    columns = build_columns(draft.header, [r.texts for r in draft.rows], width)
    key_rows(draft.rows, columns)
    return Table(header=draft.header, header_lines=draft.header_lines, columns=columns, rows=draft.rows)

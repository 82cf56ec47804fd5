"""The narrative (说明) vs the tables: amounts, shares (占 x%) and year-on-year changes."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Final

from budget_tui.core.findings import NARRATIVE, CellRef, Finding
from budget_tui.core.model import Document, Paragraph
from budget_tui.core.rules.common import CellKey, Values, cell_ref, find_column, find_row, total_row
from budget_tui.core.rules.crossform import _summary_side_cell

_AMOUNT: Final = r"(\d[\d,]*(?:\.\d+)?)\s*万元"
_AMOUNT_RE: Final = re.compile(_AMOUNT)
_CLAUSE_ENDS: Final = "，,；;。：:"
"""What ends a clause (a sentence's end, a comma, a colon)."""
_SENTENCE_ENDS: Final = "。；;"
_NOT_A_LEVEL_YEAR_RE: Final = re.compile(r"20\d\d年(?:预算|期末|末)")
_SHARE_RE: Final = re.compile(_AMOUNT + r"[^%％\d]{0,6}?占\s*(\d+(?:\.\d+)?)\s*[%％]")
_CHANGE_RE: Final = re.compile(
    r"(增加|减少)\s*" + _AMOUNT + r"[，,]?\s*(增长|下降|减少)\s*(\d+(?:\.\d+)?)\s*[%％]"
)

Finder = Callable[[Document], "CellKey | None"]


def _total_cell(form_id: str, col_pattern: str) -> Finder:
    def find(doc: Document) -> CellKey | None:
        form = doc.forms.get(form_id)
        if form is None or form.table is None:
            return None
        table = form.table
        r = total_row(table)
        if r is None and len(table.rows) == 1:
            r = 0
        c = find_column(table, col_pattern)
        return None if r is None or c is None else (form_id, r, c)

    return find


def _summary(pattern: str, side: int) -> Finder:
    return lambda doc: _summary_side_cell(doc, pattern, side)


def _row_cell(form_id: str, row_pattern: str, col_pattern: str) -> Finder:
    """The cell of the first row whose label or key (white space removed) matches
    ``row_pattern``, in the column ``col_pattern`` finds."""

    def find(doc: Document) -> CellKey | None:
        form = doc.forms.get(form_id)
        if form is None or form.table is None:
            return None
        r = find_row(form.table, row_pattern)
        c = find_column(form.table, col_pattern)
        return None if r is None or c is None else (form_id, r, c)

    return find


# Keyword (regex on the clause before the amount) -> cells the figure may describe. Most specific first.
KEYWORDS: Final[list[tuple[re.Pattern[str], list[Finder]]]] = [
    (re.compile(p), finders)
    for p, finders in (
        (r"三公.{0,3}经费", [_total_cell("three_public", r"合计")]),
        (r"因公出国", [_total_cell("three_public", r"因公出国")]),
        (r"公务接待", [_total_cell("three_public", r"公务接待")]),
        (r"公务用车运行", [_total_cell("three_public", r"运行(?:维护)?费$")]),
        (r"公务用车购置费", [_total_cell("three_public", r"公务用车购置费$")]),
        (r"公务用车购置及运行", [_total_cell("three_public", r"公务用车购置及运行费/小计$")]),
        (r"人员经费", [_total_cell("general_budget_basic", r"人员经费$")]),
        (r"公用经费|机构运转经费|机关运行经费", [_total_cell("general_budget_basic", r"公用经费$")]),
        (r"一般公共预算基本支出", [_total_cell("general_budget_basic", r"合计$")]),
        (
            r"基本支出",
            [
                _total_cell("expenditure", r"^基本支出/小计$"),
                _total_cell("general_budget_expenditure", r"^基本支出/小计$"),
                _total_cell("general_budget_basic", r"合计$"),
            ],
        ),
        (
            r"项目支出",
            [
                _total_cell("expenditure", r"^项目支出/小计$"),
                _total_cell("general_budget_expenditure", r"^项目支出/小计$"),
                _total_cell("projects", r"^合计$"),
            ],
        ),
        (r"一般公共预算支出", [_total_cell("general_budget_expenditure", r"^合计$")]),
        (r"收入总计", [_summary(r"^收入总计", 0)]),
        (r"支出总计", [_summary(r"^支出总计", 1)]),
        (r"收入合计", [_summary(r"^本年收入合计", 0), _summary(r"^收入总计", 0)]),
        (r"支出合计", [_summary(r"^本年支出合计", 1), _summary(r"^支出总计", 1)]),
        (
            r"一般公共预算收支",
            [_summary(r"一般公共预算", 0), _row_cell("fiscal_summary", r"^收入合计", r"金额$")],
        ),
    )
]


def _words(pattern: str) -> tuple[str, ...] | None:
    """The words of a pattern that is nothing but words separated by ``|``, else ``None``."""
    words = pattern.split("|")
    return tuple(words) if all(w and re.escape(w) == w for w in words) else None


def _required(pattern: str) -> str:
    """Words every match of ``pattern`` holds: its leading literal text (``三公`` of
    ``三公.{0,3}经费``), ``""`` when it has none or an alternation."""
    if "|" in pattern:
        return ""
    n = 0
    while n < len(pattern) and re.escape(pattern[n]) == pattern[n]:
        n += 1
    if n < len(pattern) and pattern[n] in "*?{":  # the last literal may occur zero times
        n -= 1
    return pattern[:n]


def _keyword_tests() -> list[tuple[str, int, re.Pattern[str] | None, bool]]:
    """(word, keyword number, regex still to search when the word occurs, whether the word holds
    公), in keyword order: a keyword that is only words is found by substring tests (far cheaper
    than a regex search)."""
    tests: list[tuple[str, int, re.Pattern[str] | None, bool]] = []
    for n, (kw, _) in enumerate(KEYWORDS):
        words = _words(kw.pattern)
        if words is None:
            word = _required(kw.pattern)
            tests.append((word, n, kw, "公" in word))
        else:
            tests.extend((w, n, None, "公" in w) for w in words)
    return tests


_KEYWORD_TESTS: Final = _keyword_tests()


def _keyword(head: str) -> int:
    """The number of the first keyword in ``head`` (the text of a clause before its amount), -1
    if none: tests in keyword order, so the first to pass is the first keyword's."""
    public = "公" in head  # (half the words hold 公: a head without it skips them)
    for word, n, rx, needs_public in _KEYWORD_TESTS:
        if (public or not needs_public) and word in head and (rx is None or rx.search(head) is not None):
            return n
    return -1


def _not_a_level(head: str) -> bool:
    """The text before an amount says it is no level: a change (增加, 比上年), a past year's
    figure (2021年预算, 2021年末), a threshold (以上) or a count (共有)."""
    # (比上年 holds 上年. The words tested one by one: compiled, a tuple of them is built per call.)
    if "增加" in head or "减少" in head or "上年" in head or "以上" in head or "共有" in head:
        return True
    return ("年预算" in head or "年期末" in head or "年末" in head) and _NOT_A_LEVEL_YEAR_RE.search(
        head
    ) is not None


def _line_ref(p: Paragraph, snippet: str) -> CellRef:
    return CellRef(NARRATIVE, f"L{p.line}", "", p.line, snippet)


def _dec(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _pct_check(part: Decimal, base: Decimal, printed: str) -> tuple[str, str] | None:
    """None if ``printed`` % is the rounded ratio; ('warning'|'error', expected) otherwise."""
    if base == 0:
        return None
    exact = part / base * 100
    dot = printed.find(".")  # (printed: digits, at most one point)
    decimals = len(printed) - dot - 1 if dot >= 0 else 0
    d = _QUANTA[decimals] if decimals < len(_QUANTA) else Decimal(1).scaleb(-decimals)
    rounded = exact.quantize(d, rounding=ROUND_HALF_UP)
    value = Decimal(printed)
    if rounded == value:
        return None
    truncated = exact.quantize(d, rounding=ROUND_DOWN)
    return ("warning" if truncated == value else "error", str(rounded))


_QUANTA: Final = [Decimal(1).scaleb(-d) for d in range(12)]
"""10**-d, the quantum of a percentage printed with d decimals."""


def narrative_findings(doc: Document, values: Values) -> list[Finding]:
    """Narrative figures that no cell confirms, and percentages their own figures contradict."""
    out: dict[str, Finding] = {}
    cells: dict[int, list[CellKey]] = {}  # by keyword: the cells its figure may describe
    for p in doc.narrative:
        text = p.text
        if "万元" not in text:  # (both checks need an amount)
            continue
        amounts = _amount_findings(doc, values, p, cells)
        ratios = _ratio_findings(p) if "%" in text or "％" in text else []
        if ratios:
            found = _by_sentence(text, amounts, ratios) if amounts else [f for _, f in ratios]
        else:
            found = [f for _, f in amounts]
        for f in found:
            out.setdefault(f.id, f)
    return list(out.values())


def _by_sentence(
    text: str, amounts: list[tuple[int, Finding]], ratios: list[tuple[int, Finding]]
) -> list[Finding]:
    """A paragraph's findings sentence by sentence, each sentence's amounts before its ratios."""
    keyed = [(_sentence_start(text, 0, at), f) for at, f in amounts]
    keyed.extend(ratios)
    keyed.sort(key=lambda kf: kf[0])  # (stable: amounts stay before ratios of their sentence)
    return [f for _, f in keyed]


def _clause_start(text: str, lo: int, hi: int) -> int:
    """Where the clause holding ``text[hi]`` starts (after its delimiter), looking back no
    further than ``lo``; -1 if no clause ends in ``text[lo:hi]``."""
    k = hi
    while k > lo:
        k -= 1
        # (Code points: compiled, no one-character string is made.)
        if ord(text[k]) in (0xFF0C, 0x2C, 0xFF1B, 0x3B, 0x3002, 0xFF1A, 0x3A):  # ，,；;。：:
            return k + 1
    return -1


def _end(text: str, at: int, delimiters: str) -> int:
    """Where the clause or sentence (whichever ``delimiters`` end) holding ``text[at]`` ends:
    its delimiter, or the end of ``text``."""
    end = len(text)
    for delimiter in delimiters:
        k = text.find(delimiter, at, end)
        if k >= 0:
            end = k
    return end


def _is_digit(text: str, k: int) -> bool:
    """``text[k]`` is a decimal digit (regex ``\\d``)."""
    c = ord(text[k])
    return 0x30 <= c <= 0x39 or (c >= 0x80 and text[k].isdecimal())


def _digits_start(text: str, end: int) -> int:
    """Where the run of decimal digits that ends at ``end`` starts (``end`` if none)."""
    k = end
    while k > 0:
        c = ord(text[k - 1])  # (_is_digit inline: a call per character costs more, in pure Python)
        if not (0x30 <= c <= 0x39 or (c >= 0x80 and text[k - 1].isdecimal())):
            return k
        k -= 1
    return k


def _number_end(text: str, j: int) -> int:
    """Where a number followed by white space and ``text[j:]`` ends (``text[k:j]`` is white
    space for the returned ``k``)."""
    while j > 0 and text[j - 1].isspace():
        j -= 1
    return j


def _number_start(text: str, end: int) -> int:
    """Where the first number that ends at ``end`` starts, reading back (``end`` if no digit
    is there): as regex ``\\d[\\d,]*(?:\\.\\d+)?`` finds it, leftmost (thousands separators and
    the digits before a point too)."""
    start = _digits_start(text, end)
    if start == end:
        return end
    whole = (
        start - 1 if start >= 2 and text[start - 1] == "." else start
    )  # (a point: the whole part ends there)
    k = whole
    while k > 0 and (text[k - 1] == "," or _is_digit(text, k - 1)):
        k -= 1
    while k < whole and text[k] == ",":  # (the number starts with a digit)
        k += 1
    return k if k < whole else start


def _amount_findings(
    doc: Document, values: Values, p: Paragraph, memo: dict[int, list[CellKey]]
) -> list[tuple[int, Finding]]:
    """Each clause's first amount that the cells its keyword names do not print, with where the
    clause starts. One scan of the paragraph: each 万元, the number before it read back, the
    clause found from the delimiters around it.

    An amount is what ``_AMOUNT`` finds: ``\\d[\\d,]*(?:\\.\\d+)?\\s*万元``; its thousands separators
    (``1,352.27万元``) are part of it, where any other comma before it ends a clause.
    """
    out: list[tuple[int, Finding]] = []
    text = p.text
    previous = -1  # where the previous amount ends (-1: none yet)
    j = text.find("万元")
    while j >= 0:
        to = _number_end(text, j)
        at = _number_start(text, to)
        if at == to:  # no number before this 万元
            j = text.find("万元", j + 2)
            continue
        start = _clause_start(text, previous if previous > 0 else 0, at)
        first = start >= 0 or previous < 0  # (else: no delimiter since the previous amount)
        previous = j + 2
        j = text.find("万元", previous)
        if not first:
            continue
        if start < 0:
            start = 0
        head = text[start:at]
        if _not_a_level(head):
            continue
        n = _keyword(head)
        if n < 0:
            continue
        cells = memo.get(n)
        if cells is None:
            cells = memo[n] = [k for k in (f(doc) for f in KEYWORDS[n][1]) if k is not None]
        if not cells:
            continue
        amount = text[at:to]
        if _confirmed(values, cells, amount):
            continue
        snippet = text[start : _end(text, previous, _CLAUSE_ENDS)].strip()
        finding = Finding(
            rule="narrative.amount",
            severity="error",
            form=NARRATIVE,
            message=f"the text says {snippet!r} but the table prints {values.text(cells[0]) or 'blank'}",
            expected=values.text(cells[0]) or "0",
            actual=amount,
            cells=[_line_ref(p, snippet), *(cell_ref(doc, k) for k in cells)],
        )
        out.append((start, finding))
    return out


def _confirmed(values: Values, cells: list[CellKey], amount: str) -> bool:
    """Some cell prints ``amount`` (digits, at most one point), or a value whose interval
    meets the amount's."""
    for k in cells:
        if values.text(k) == amount:  # (the same text: the same value, without any Decimal)
            return True
    figure = _dec(amount)
    for k in cells:
        if values.value(k) == figure:
            return True
    half = _half(amount)
    return any(abs(values.value(k) - figure) <= values.half_width(k) + half for k in cells)


def _half(text: str) -> Decimal:
    t = text.replace(",", "")
    d = len(t.split(".")[1]) if "." in t else 0
    return Decimal(5).scaleb(-(d + 1))


def _ratio_findings(p: Paragraph) -> list[tuple[int, Finding]]:
    """Shares and changes of each sentence that has an amount and a percent sign (both patterns
    end in one), with where the sentence starts. Sentences are found around their percent signs."""
    out: list[tuple[int, Finding]] = []
    text = p.text
    end = 0  # where the sentence after the last one looked at starts
    while True:
        pct = _next_percent(text, end)
        if pct < 0:
            return out
        start = _sentence_start(text, end, pct)
        end = _end(text, pct, _SENTENCE_ENDS)
        if text.find("万元", start, end) >= 0:
            for f in _sentence_ratios(p, text[start:end], start):
                out.append((start, f))
        end += 1


def _next_percent(text: str, at: int) -> int:
    """Where the next percent sign (``%`` or ``％``) from ``at`` is, -1 if none."""
    k = text.find("%", at)
    wide = text.find("％", at, k if k >= 0 else len(text))
    return wide if wide >= 0 else k


def _sentence_start(text: str, lo: int, at: int) -> int:
    """Where the sentence holding ``text[at]`` starts, ``lo`` at the earliest."""
    start = lo
    for end in _SENTENCE_ENDS:
        k = text.rfind(end, lo, at) + 1
        if k > start:
            start = k
    return start


def _first_amount(text: str) -> re.Match[str] | None:
    """``_AMOUNT_RE.search(text)``, searched from the run of digits, commas, points and white
    space before the first 万元 (no amount starts earlier: an amount holds no 万)."""
    j = text.find("万元")
    if j < 0:
        return None
    while j > 0 and (
        _is_digit(text, j - 1) or text[j - 1] == "," or text[j - 1] == "." or text[j - 1].isspace()
    ):
        j -= 1
    return _AMOUNT_RE.search(text, j)


def _sentence_ratios(p: Paragraph, sentence: str, offset: int) -> list[Finding]:
    """Shares and changes of ``sentence`` (at ``offset`` in the paragraph): the base is the
    sentence's first amount before them, else the paragraph's."""
    out: list[Finding] = []
    own = _first_amount(sentence)
    if own is None:
        return out
    first = own
    base_at = offset + own.start()  # where the base is printed in the paragraph
    # Words each pattern needs, tested first (a failing regex search costs far more).
    changes = list(_CHANGE_RE.finditer(sentence)) if "增加" in sentence or "减少" in sentence else []
    if changes and first.start() >= changes[0].start():
        para_first = _first_amount(p.text)  # (never None: the sentence's is one of the paragraph's)
        if para_first is not None:
            first, base_at = para_first, para_first.start()
    base = _dec(first.group(1))
    # (A share starts with an amount: none before the sentence's first.)
    for m in _SHARE_RE.finditer(sentence, own.start()) if "占" in sentence else ():
        if offset + m.start() == base_at:  # the base's own share
            continue
        res = _pct_check(_dec(m.group(1)), base, m.group(2))
        if res:
            out.append(_pct_finding(p, m.group(0), res, m.group(2), f"{m.group(1)} / {first.group(1)}"))
    for m in changes:
        delta = _dec(m.group(2))
        previous = base - delta if m.group(1) == "增加" else base + delta
        res = _pct_check(delta, previous, m.group(4))
        if res:
            out.append(_pct_finding(p, m.group(0), res, m.group(4), f"{m.group(2)} / {previous}"))
    return out


def _pct_finding(p: Paragraph, snippet: str, res: tuple[str, str], printed: str, ratio: str) -> Finding:
    severity, expected = res
    how = (
        "only the truncated ratio (the document's own rounding)"
        if severity == "warning"
        else "neither the rounded nor the truncated ratio"
    )
    return Finding(
        rule="narrative.percent",
        severity="warning" if severity == "warning" else "error",
        form=NARRATIVE,
        message=f"{printed}% in {snippet!r} matches {how} of {ratio} = {expected}%",
        expected=expected,
        actual=printed,
        cells=[_line_ref(p, snippet)],
    )

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
_NOT_A_LEVEL_RE: Final = re.compile(r"增加|减少|比上年|上年|20\d\d年(?:预算|期末|末)|以上|共有")
_CLAUSE_SPLIT: Final = re.compile(r"[，,；;。：:]")
_SENTENCE_SPLIT: Final = re.compile(r"[。；;]")
_SHARE_RE: Final = re.compile(_AMOUNT + r"[^%％\d]{0,6}?占\s*(\d+(?:\.\d+)?)\s*[%％]")
_CHANGE_RE: Final = re.compile(
    r"(增加|减少)\s*" + _AMOUNT + r"[，,]?\s*(增长|下降|减少)\s*(\d+(?:\.\d+)?)\s*[%％]"
)

Finder = Callable[[Document], "CellKey | None"]


def _total_cell(form_id: str, *col_patterns: str) -> Finder:
    def find(doc: Document) -> CellKey | None:
        form = doc.forms.get(form_id)
        if form is None or form.table is None:
            return None
        rows = form.table.rows
        r = total_row(form.table)
        if r is None and len(rows) == 1:
            r = 0
        c = find_column(form.table, *col_patterns)
        return None if r is None or c is None else (form_id, r, c)

    return find


def _summary(pattern: str, side: int) -> Finder:
    return lambda doc: _summary_side_cell(doc, pattern, side)


def _row_cell(form_id: str, row_pattern: str, *col_patterns: str) -> Finder:
    def find(doc: Document) -> CellKey | None:
        form = doc.forms.get(form_id)
        if form is None or form.table is None:
            return None
        r = find_row(form.table, row_pattern)
        c = find_column(form.table, *col_patterns)
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


_ANY_KEYWORD: Final = re.compile("|".join(f"(?:{kw.pattern})" for kw, _ in KEYWORDS))
"""Some keyword occurs (each is then tried in order)."""


def _words(pattern: str) -> tuple[str, ...] | None:
    """The words of a pattern that is nothing but words separated by ``|``, else ``None``."""
    words = pattern.split("|")
    return tuple(words) if all(w and re.escape(w) == w for w in words) else None


def _has_word(text: str, words: tuple[str, ...]) -> bool:
    """Some of ``words`` occurs in ``text`` (a plain loop: cheaper than any() of a generator)."""
    for w in words:  # noqa: SIM110
        if w in text:
            return True
    return False


_KEYWORD_WORDS: Final = [_words(kw.pattern) for kw, _ in KEYWORDS]
"""Per keyword, its words where it is only words: a substring test finds them (far cheaper
than a regex search, compiled or not)."""


def _line_ref(p: Paragraph, snippet: str) -> CellRef:
    return CellRef(NARRATIVE, f"L{p.line}", "", p.line, snippet)


def _dec(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _pct_check(part: Decimal, base: Decimal, printed: str) -> tuple[str, str] | None:
    """None if ``printed`` % is the rounded ratio; ('warning'|'error', expected) otherwise."""
    if base == 0:
        return None
    exact = part / base * 100
    d = Decimal(1).scaleb(-len(printed.split(".")[1])) if "." in printed else Decimal(1)
    rounded = exact.quantize(d, rounding=ROUND_HALF_UP)
    if rounded == Decimal(printed):
        return None
    truncated = exact.quantize(d, rounding=ROUND_DOWN)
    return ("warning" if truncated == Decimal(printed) else "error", str(rounded))


def narrative_findings(doc: Document, values: Values) -> list[Finding]:
    """Narrative figures that no cell confirms, and percentages their own figures contradict."""
    out: dict[str, Finding] = {}
    cells: dict[int, list[CellKey]] = {}  # by keyword: the cells its figure may describe
    for p in doc.narrative:
        if "万元" not in p.text:
            continue
        first: re.Match[str] | None = None
        searched = False  # the paragraph's first amount: looked for when a sentence needs it
        for sentence in _SENTENCE_SPLIT.split(p.text):
            # Either check needs its marker in the sentence (万元 for amounts, a percent sign for ratios).
            found = _amount_findings(doc, values, p, sentence, cells) if "万元" in sentence else []
            if "%" in sentence or "％" in sentence:
                if not searched:
                    first, searched = _AMOUNT_RE.search(p.text), True
                found += _ratio_findings(p, sentence, first)
            for f in found:
                out.setdefault(f.id, f)
    return list(out.values())


def _amount_findings(
    doc: Document, values: Values, p: Paragraph, sentence: str, memo: dict[int, list[CellKey]]
) -> list[Finding]:
    out: list[Finding] = []
    for clause in _CLAUSE_SPLIT.split(sentence):
        m = _AMOUNT_RE.search(clause) if "万元" in clause else None
        if not m or _NOT_A_LEVEL_RE.search(clause[: m.start()]):
            continue
        head = clause[: m.start()]
        if not _ANY_KEYWORD.search(head):
            continue
        for n, (kw, finders) in enumerate(KEYWORDS):
            words = _KEYWORD_WORDS[n]
            if not (kw.search(head) if words is None else _has_word(head, words)):
                continue
            cells = memo.get(n)
            if cells is None:
                cells = memo[n] = [k for k in (f(doc) for f in finders) if k is not None]
            if not cells:
                break
            figure = _dec(m.group(1))
            if any(values.value(k) == figure for k in cells) or any(
                abs(values.value(k) - figure) <= values.half_width(k) + _half(m.group(1)) for k in cells
            ):
                break
            snippet = clause.strip()
            out.append(
                Finding(
                    rule="narrative.amount",
                    severity="error",
                    form=NARRATIVE,
                    message=(
                        f"the text says {snippet!r} but the table prints {values.text(cells[0]) or 'blank'}"
                    ),
                    expected=values.text(cells[0]) or "0",
                    actual=m.group(1),
                    cells=[_line_ref(p, snippet), *(cell_ref(doc, k) for k in cells)],
                )
            )
            break
    return out


def _half(text: str) -> Decimal:
    t = text.replace(",", "")
    d = len(t.split(".")[1]) if "." in t else 0
    return Decimal(5).scaleb(-(d + 1))


def _ratio_findings(p: Paragraph, sentence: str, para_first: re.Match[str] | None) -> list[Finding]:
    """Shares and changes: the base is the sentence's first amount before them, else the paragraph's."""
    out: list[Finding] = []
    if "%" not in sentence and "％" not in sentence:  # both patterns end in a percent sign
        return out
    if "万元" not in sentence:  # no amount in the sentence (``first`` below is None)
        return out
    # Words each pattern needs, tested first (a failing regex search costs far more).
    may_change = "增加" in sentence or "减少" in sentence
    first = _AMOUNT_RE.search(sentence)
    change = _CHANGE_RE.search(sentence) if may_change else None
    if first is not None and change is not None and first.start() >= change.start():
        first = para_first
    if first is None:
        return out
    base = _dec(first.group(1))
    for m in _SHARE_RE.finditer(sentence) if "占" in sentence else ():
        if m.start() == first.start():
            continue
        res = _pct_check(_dec(m.group(1)), base, m.group(2))
        if res:
            out.append(_pct_finding(p, m.group(0), res, m.group(2), f"{m.group(1)} / {first.group(1)}"))
    for m in _CHANGE_RE.finditer(sentence) if may_change else ():
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

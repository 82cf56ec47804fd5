"""The narrative's one-scan amount reading, its shares' base, and the column and row finders,
against the regexes and the arithmetic they stand for."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from budget_tui.core import load_document
from budget_tui.core.model import Paragraph, Table
from budget_tui.core.numbers import nospace
from budget_tui.core.rules.common import find_column, find_row
from budget_tui.core.rules.narrative import _number_end, _number_start, _ratio_findings

from .update_goldens import SAMPLES

_CLAUSE_AMOUNT = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*万元")
_CLAUSE_SPLIT = re.compile(r"[，,；;。：:]")


def _by_regex(text: str) -> list[str]:
    """Each clause's first amount, as the clause split and the amount regex read it."""
    found = [_CLAUSE_AMOUNT.search(c) for c in _CLAUSE_SPLIT.split(text)]
    return [m.group(1) for m in found if m]


def _by_scan(text: str) -> list[str]:
    out: list[str] = []
    j = text.find("万元")
    while j >= 0:
        to = _number_end(text, j)
        at = _number_start(text, to)
        if at < to:
            out.append(text[at:to])
        j = text.find("万元", j + 2)
    return out


@pytest.mark.parametrize(
    "text",
    [
        "收入总计 6761.35 万元，支出总计6761.35万元",
        "1.2.3万元；..5万元：3 .5万元",
        "１２万元，٣万元，3²万元",
        "单位：万元",
    ],
)
def test_amounts_read_back_as_the_regex_reads_them(text: str) -> None:
    assert _by_scan(text) == _by_regex(text)  # (one amount per clause in these texts)


@pytest.mark.parametrize(
    ("text", "amounts"),
    [
        ("收入总计1,352.27万元", ["1,352.27"]),
        ("收入总计1,352.27万元,支出总计12,345,678万元", ["1,352.27", "12,345,678"]),
        ("其中,1,352万元；另,5万元", ["1,352", "5"]),
        ("1,.5万元，.5万元", ["1,.5", "5"]),
    ],
)
def test_thousands_separators_belong_to_the_amount(text: str, amounts: list[str]) -> None:
    # (As the amount regex reads them, \d[\d,]*(?:\.\d+)?: the commas inside a number are no
    # clause's end.)
    assert _by_scan(text) == amounts


def _sample_tables() -> Iterator[tuple[str, Table]]:
    """(file and form, table) of every table in the sample documents."""
    for path in SAMPLES:
        for form in load_document(path).forms.values():
            if form.table is not None:
                yield f"{path.name} {form.id}", form.table


def _first_matching(table: Table, pattern: str) -> int | None:
    """find_column as its regex reads it."""
    rx = re.compile(pattern)
    return next(
        (j for j, col in enumerate(table.columns) if col.role == "amount" and rx.search(nospace(col.key))),
        None,
    )


def test_find_column_reads_patterns_as_regexes() -> None:
    patterns = [
        r"^合计$",
        r"合计",
        r"^本年收入/合计$",
        r"一般公共预算/小计$",
        r"资金总额$",
        r"^合计/",
        r"合计$",
        r"^项目支出/小计$",
        r"运行(?:维护)?费$",
        r"因公出国",
        r"金额$",
    ]
    for where, table in _sample_tables():
        for p in patterns:
            assert find_column(table, p) == _first_matching(table, p), (where, p)


def _first_row(table: Table, pattern: str) -> int | None:
    """find_row as its regex reads it."""
    rx = re.compile(pattern)
    return next(
        (
            r
            for r, row in enumerate(table.rows)
            if any(rx.search(nospace(t)) for t in (row.label, row.key) if t)
        ),
        None,
    )


def test_find_row_reads_patterns_as_regexes() -> None:
    patterns = [
        r"^收入合计",
        r"^一、本年支出",
        r"^本年收入合计",
        r"^支出总计",
        r"一般公共预算",
        r"^合计$",
        r"^行政运行",
    ]
    for where, table in _sample_tables():
        for p in patterns:
            assert find_row(table, p) == _first_row(table, p), (where, p)


def test_a_share_is_checked_against_the_paragraphs_base_wherever_it_stands() -> None:
    # The base of a sentence that opens with a change is the paragraph's first amount; a share
    # in that sentence is checked against it, even where the share stands at the same offset
    # in its sentence as the base does in the paragraph (positions in two strings once agreed
    # by chance, and the share was skipped as if it were the base's own).
    sentence = "增加10万元，增长11.1%，20万元占30%"
    share_at = sentence.index("20万元占")
    text = "甲" * share_at + "100万元。" + sentence + "。"
    found = [f for _, f in _ratio_findings(Paragraph(1, text))]
    assert [(f.actual, f.expected) for f in found] == [("30", "20")]

"""The narrative's one-scan amount reading and crossform's column finder, against the regexes
and the finder they stand for."""

from __future__ import annotations

import re

import pytest

from budget_tui.core import load_document
from budget_tui.core.rules.common import find_column
from budget_tui.core.rules.crossform import amount_column
from budget_tui.core.rules.narrative import _number_end, _number_start

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
        "收入总计1,352.27万元",  # (the clause split cuts it: 352.27, with no keyword before it)
        "1.2.3万元；..5万元：3 .5万元",
        "１２万元，٣万元，3²万元",
        "单位：万元",
    ],
)
def test_amounts_read_back_as_the_regex_reads_them(text: str) -> None:
    assert _by_scan(text) == _by_regex(text)  # (one amount per clause in these texts)


def test_amount_column_is_find_column() -> None:
    patterns = [
        r"^合计$",
        r"^合计/",
        r"合计$",
        r"^项目支出/小计$",
        r"运行(?:维护)?费$",
        r"因公出国",
        r"金额$",
    ]
    for path in SAMPLES:
        for form in load_document(path).forms.values():
            if form.table is not None:
                for p in patterns:
                    assert amount_column(form.table, p) == find_column(form.table, p), (path.name, form.id, p)

"""Labels are read by code point: ordinal_level and the totals' first-character table agree
with the patterns and string tests they stand for."""

from __future__ import annotations

import re

from budget_tui.core.parse import is_total_label
from budget_tui.core.rules import totals
from budget_tui.core.rules.common import ORDINAL_START, ordinal_level

_LEVEL1 = re.compile(r"^[一二三四五六七八九十]+[、.．]")
_LEVEL2 = re.compile(r"^[(（]\s*[一二三四五六七八九十]+\s*[)）]")


def _level(label: str) -> int:
    """What ordinal_level stands for, as patterns."""
    return 1 if _LEVEL1.match(label) else 2 if _LEVEL2.match(label) else 0


LABELS = [
    "",
    "一",
    "一、一般公共预算",
    "二十一、住房保障支出",
    "十.",
    "三．其他",
    "四 其他",
    "(一) 一般公共服务支出",
    "（ 二 ）外交",
    "(\u3000三\u3000)国防",
    "(\u2003四\t)x",
    "(\xa0五\u3000）",
    "(十一)节能环保",
    "( )",
    "(一",
    "(a)",
    "（一）",
    "其中: 财政拨款",
    "本年收入合计",
    "收入总计",
    "支出 合 计：",
    "合计",
    "总计",
    "本年",
    "工作完成率",
    "≥95%",
    "123",
]


def test_first_characters() -> None:
    for o in range(0x10000):
        flag = totals._FIRST_CHARACTERS[o] if o < len(totals._FIRST_CHARACTERS) else 0
        expected = totals._ORDINAL_FIRST if chr(o) in ORDINAL_START else 0
        assert flag == (totals._TOTAL_FIRST if chr(o) in "本收支合总" else expected), hex(o)


def test_ordinal_level_of_every_character() -> None:
    for o in range(0x10000):
        for label in (
            chr(o) + "、",
            "(" + chr(o) + ")",
            "( " + chr(o) + chr(o) + " ）",
            "(" + chr(o) + "一)",
        ):
            assert ordinal_level(label) == _level(label), hex(o)
        for label in (chr(o) + "、", chr(o) + "计", chr(o) + "年收入合计", chr(o) + "入总计："):
            expected = bool((label[0] in ORDINAL_START and ordinal_level(label)) or is_total_label(label))
            assert totals._ordinal_or_total(label) == expected, hex(o)
            if expected:  # (the first character as the rules test it first)
                assert totals._FIRST_CHARACTERS[ord(label[0])], hex(o)


def test_ordinal_level_and_totals_by_code_point() -> None:
    for label in LABELS:
        assert ordinal_level(label) == _level(label), label
        if label:
            expected = bool((label[0] in ORDINAL_START and ordinal_level(label)) or is_total_label(label))
            assert totals._ordinal_or_total(label) == expected, label

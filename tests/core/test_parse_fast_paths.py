"""The parser's fast paths decide exactly as the plain per-cell definitions do.

Column roles, title normalisation and page markers take shortcuts (whole-column regex
passes, ``str.translate``) for speed. Each is compared here with the straightforward
definition it replaces, on generated cells built from the kinds of text OCR produces.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from budget_tui.core.forms import _FORM_MARKER_RE, _NORMALISE_DROP_RE, form_marker, normalise_title
from budget_tui.core.model import ColumnRole
from budget_tui.core.numbers import NUMBER_START, is_code, is_number
from budget_tui.core.parse import (
    _CODE_HEADER_RE,
    MAX_HEADER_CELL_CHARS,
    SourceLine,
    column_roles,
    decide_roles,
    is_header_line,
    split_header,
)


def reference_roles(paths: list[tuple[str, ...]], data: list[list[str]], width: int) -> list[ColumnRole]:
    """Column roles from cells classified one at a time (the definition)."""
    counts = []
    distinct = []
    for j in range(width):
        numeric = digits = long_digits = text = 0
        seen: set[str] = set()
        for row in data:
            c = row[j]
            if not c:
                continue
            if c[0] in NUMBER_START and is_code(c):
                digits += 1
                long_digits += len(c) >= 6
            elif c[0] in NUMBER_START and is_number(c):
                numeric += 1
            else:
                text += 1
                seen.add(c)
        counts.append((numeric, digits, long_digits, text))
        distinct.append(len(seen))
    code_header = [any(_CODE_HEADER_RE.search(p) for p in path) for path in paths]
    return decide_roles(code_header, [not path for path in paths], counts, distinct.__getitem__)


CELLS = st.sampled_from(
    [
        "",
        "",
        "0.00",
        "1,352.30",
        "1,352.3",
        "12,34",
        "1.2.3",
        "166",
        "570.7",
        "-",
        "——",
        "--",
        "---",
        "－",
        "-12.50",
        "+３",
        "１２",
        "54.27%",
        "%",
        ".5",
        "5.",
        "201",
        "20101",
        "2010101",
        "301 01",
        "123456",
        "合计",
        "一般公共服务支出",
        "1.年度目标",
        "42条线路",
        "其他运转类",
        "其他运转类",
        "（一）基本支出",
    ]
)
PATHS = st.sampled_from([(), ("科目编码",), ("项目",), ("金额",), ("类",), ("单位名称",)])


@settings(max_examples=400, deadline=None)
@given(
    width=st.integers(1, 5),
    rows=st.integers(0, 8),
    data=st.data(),
)
def test_column_roles_match_the_per_cell_definition(width: int, rows: int, data: st.DataObject) -> None:
    table = [[data.draw(CELLS) for _ in range(width)] for _ in range(rows)]
    paths = [data.draw(PATHS) for _ in range(width)]
    assert column_roles(paths, table, width) == reference_roles(paths, table, width)


def reference_normalise(text: str) -> str:
    t = text.strip().lstrip("#").strip().strip("*").strip()
    t = re.sub(r"^(?:[一二三四五六七八九十]+|\d+)[、.．]\s*", "", t)
    return _NORMALISE_DROP_RE.sub("", t)


def reference_marker(text: str) -> str | None:
    t = re.sub(r"[\s#*]", "", text)
    m = _FORM_MARKER_RE.match(t)
    return m.group(1).zfill(2) if m and t.startswith(("预算", "附表")) else None


TITLE_PARTS = st.sampled_from(
    [
        "#",
        "## ",
        "**",
        " ",
        "\u3000",
        "\u2003",
        "\xa0",
        "2024",
        "2024年",
        "2024 年度",
        "一、",
        "（二）",
        "附表",
        "附件1、",
        "预算",
        "03",
        "表",
        "收支总表",
        "部门收入总表",
        "三公经费",
        "：",
        "，",
        "“",
        "(",
        "目录",
        "年度",
        "上年结转",
        "１",
    ]
)


@settings(max_examples=600, deadline=None)
@given(st.lists(TITLE_PARTS, max_size=8).map("".join))
def test_title_normalisation_and_markers_match_their_regex_definitions(text: str) -> None:
    assert normalise_title.__wrapped__(text) == reference_normalise(text)
    assert form_marker(text) == reference_marker(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(CELLS, min_size=1, max_size=6), min_size=1, max_size=6))
def test_split_header_agrees_with_is_header_line(lines: list[list[str]]) -> None:
    cells = [list(line) for line in lines]
    for line in cells:
        while line and not line[-1]:
            line.pop()
    source = [SourceLine(n, line) for n, line in enumerate(cells, 1) if line]
    header, data = split_header(source)
    expected = 0
    while expected < min(len(source), 4) and is_header_line(source[expected].cells):
        expected += 1
    assert len(header) == expected
    assert header + data == source


def test_long_cells_never_make_a_header() -> None:
    assert is_header_line(["项目", "金额"])
    assert not is_header_line(["项目", "说" * (MAX_HEADER_CELL_CHARS + 1)])
    assert not is_header_line(["项目", "1,352.30"])

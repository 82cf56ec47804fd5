"""The parser's fast paths decide exactly as the plain per-cell definitions do.

Column roles, title normalisation, page markers, content vocabulary and line grouping
take shortcuts (whole-column regex passes, ``str.translate``, run-wide comprehensions)
for speed. Each is compared here with the straightforward
definition it replaces, on generated cells built from the kinds of text OCR produces.
"""

from __future__ import annotations

import re
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from budget_tui.core.forms import (
    _CONTENT_RULES,
    _FORM_MARKER_RE,
    _NORMALISE_DROP_RE,
    form_marker,
    kind_of_content,
    normalise_title,
)
from budget_tui.core.model import ColumnRole
from budget_tui.core.numbers import NUMBER_START, is_code, is_number
from budget_tui.core.parse import (
    _CODE_HEADER_RE,
    MAX_HEADER_CELL_CHARS,
    NON_TAB_SPACE_RE,
    Block,
    SourceLine,
    column_roles,
    decide_roles,
    is_header_line,
    split_header,
)
from budget_tui.core.stitch import lines_to_items


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


def reference_kind_of_content(text: str) -> str | None:
    """The content rules checked one by one, each word searched per rule (the definition)."""
    t = "".join(text.split())
    for rule in _CONTENT_RULES:
        if all(w in t for w in rule.all_of) and (not rule.any_of or any(w in t for w in rule.any_of)):
            return rule.kind
    return None


CONTENT_WORDS = st.sampled_from(
    [
        *sorted({w for r in _CONTENT_RULES for w in (*r.all_of, *r.any_of)}),
        *["项目", "支出", "收入", "合计", "|", " ", "一般公共服务支出", "金额", "本年", "计"],
    ]
)


@settings(max_examples=600, deadline=None)
@given(st.lists(CONTENT_WORDS, max_size=10).map("".join))
def test_kind_of_content_matches_the_rule_by_rule_definition(text: str) -> None:
    assert kind_of_content(text) == reference_kind_of_content(text)


def reference_items(lines: list[str]) -> list[tuple[str, object]]:
    """Text lines and blocks of consecutive tab lines, one line at a time (the definition)."""
    items: list[tuple[str, object]] = []
    block: list[tuple[int, list[str]]] = []
    for n, line in enumerate(lines, 1):
        if "\t" in line:
            cells = [c.strip() for c in line.split("\t")]
            while cells and not cells[-1]:
                cells.pop()
            if cells:
                block.append((n, cells))
                continue
        if block:
            items.append(("block", block))
            block = []
        if "\t" not in line and line.strip():
            items.append(("text", (n, line.strip())))
    if block:
        items.append(("block", block))
    return items


LINE_PARTS = st.sampled_from(["\t", "\t", "合计", "1,352.30", " ", "\u3000", "说明", "201", "", "表"])


@settings(max_examples=600, deadline=None)
@given(st.lists(st.lists(LINE_PARTS, max_size=6).map("".join), max_size=12))
def test_lines_to_items_matches_the_line_by_line_definition(lines: list[str]) -> None:
    got: list[tuple[str, object]] = []
    for item in lines_to_items(lines):
        if isinstance(item, Block):
            got.append(("block", [(x.lineno, x.cells) for x in item.lines]))
        else:
            got.append(("text", (item.line, item.text)))
    assert got == reference_items(lines)


def test_non_tab_space_class_is_every_white_space_but_tab() -> None:
    every = [chr(i) for i in range(sys.maxunicode + 1)]
    assert [c for c in every if NON_TAB_SPACE_RE.fullmatch(c)] == [
        c for c in every if c.isspace() and c != "\t"
    ]

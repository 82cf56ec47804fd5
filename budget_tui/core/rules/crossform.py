"""The same figure in different forms: each end traced to its own cell."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from budget_tui.core.model import Document, Table
from budget_tui.core.numbers import nospace
from budget_tui.core.rules.common import (
    CellKey,
    Identity,
    bare_column,
    compiled,
    derived_memo,
    find_column,
    find_row,
    literal_prefix,
    total_row,
)
from budget_tui.core.rules.totals import sides

# 功能分类 类 codes and the words the 收支总表 uses for them.
FUNCTION_CLASSES: Final[dict[str, str]] = {
    "201": "一般公共服务",
    "202": "外交",
    "203": "国防",
    "204": "公共安全",
    "205": "教育",
    "206": "科学技术",
    "207": "文化",
    "208": "社会保障和就业",
    "209": "社会保险基金",
    "210": "卫生健康",
    "211": "节能环保",
    "212": "城乡社区",
    "213": "农林水",
    "214": "交通运输",
    "215": "资源勘探",
    "216": "商业服务业",
    "217": "金融",
    "219": "援助其他地区",
    "220": "自然资源海洋气象",
    "221": "住房保障",
    "222": "粮油物资储备",
    "223": "国有资本经营预算",
    "224": "灾害防治及应急管理",
    "227": "预备费",
    "229": "其他支出",
    "230": "转移性支出",
    "231": "债务还本",
    "232": "债务付息",
    "233": "债务发行费用",
    "234": "抗疫特别国债",
}


_NUMERALS: Final = "一二三四五六七八九十"


def _total_row(table: Table) -> int | None:
    return total_row(table)


def total_column(table: Table) -> int | None:
    """The 合计 column: the one its header names so, else the first under a 合计 heading
    that a misaligned lower header line gave a label of its own (``合计 / 工资福利支出``)."""
    return find_column(table, r"^合计$") or find_column(table, r"^合计/")


def _cell(doc: Document, form_id: str, row: int | None, col: int | None) -> CellKey | None:
    if row is None or col is None or form_id not in doc.forms:
        return None
    return (form_id, row, col)


def _table(doc: Document, form_id: str) -> Table | None:
    form = doc.forms.get(form_id)
    if form is None or form.table is None or form.status in ("missing", "empty"):
        return None
    return form.table


def _eq(a: CellKey | None, b: CellKey | None, description: str) -> Iterator[Identity]:
    if a is not None and b is not None:
        yield Identity("crossform", a[0], a, [b], description)


def _summary_side_cell(doc: Document, pattern: str, side: int) -> CellKey | None:
    table = _table(doc, "summary")
    if table is None:
        return None
    memo = derived_memo(table, "summary_side_cell")
    if (pattern, side) in memo:  # (tested, not caught: compiled, a raised KeyError is dear)
        return memo[(pattern, side)]  # type: ignore[no-any-return]
    found = memo[(pattern, side)] = _side_cell(table, pattern, side)
    return found


def _side_cell(table: Table, pattern: str, side: int) -> CellKey | None:
    r = _side_row(table, pattern, side)
    return None if r is None else ("summary", r, sides(table)[side][1][0])


def _side_row(table: Table, pattern: str, side: int) -> int | None:
    """The first row whose label on ``side`` (0: 收入, 1: 支出 of a two-sided form) matches
    ``pattern`` (white space removed), if that side has amount columns."""
    ss = sides(table)
    if len(ss) <= side:
        return None
    label_col, cols = ss[side]
    if not cols:
        return None
    texts = bare_column(table, label_col) if label_col >= 0 else [row.label for row in table.rows]
    prefix = literal_prefix(pattern)
    if prefix is not None:  # (the same test, without a regex search per row)
        return next((r for r, text in enumerate(texts) if text.startswith(prefix)), None)
    rx = compiled(pattern)
    return next((r for r, text in enumerate(texts) if rx.search(text)), None)


def crossform_identities(doc: Document) -> Iterator[Identity]:
    """Totals shared between forms (收支总表 ↔ 收入/支出表, 基本支出 ↔ 一般公共预算, …)."""
    inc = _table(doc, "income")
    exp = _table(doc, "expenditure")
    gbe = _table(doc, "general_budget_expenditure")
    basic = _table(doc, "general_budget_basic")
    econ = _table(doc, "economic_classification")
    proj = _table(doc, "projects")
    fiscal = _table(doc, "fiscal_summary")

    if inc is not None:
        col = find_column(inc, r"^本年收入/合计$") or find_column(inc, r"^总计$")
        yield from _eq(
            _summary_side_cell(doc, r"^本年收入合计", 0),
            _cell(doc, "income", _total_row(inc), col),
            "收支总表 本年收入合计 = 收入表 合计",
        )
    if exp is not None:
        t = _total_row(exp)
        yield from _eq(
            _summary_side_cell(doc, r"^本年支出合计", 1),
            _cell(doc, "expenditure", t, total_column(exp)),
            "收支总表 本年支出合计 = 支出表 合计",
        )
        # Each 功能分类 类 on the 收支总表 = Σ the 支出表 rows of that class.
        total_col = total_column(exp)
        if total_col is not None:
            yield from _function_classes(doc, exp, total_col)
        if proj is not None:
            pc = find_column(exp, r"^项目支出/小计$")
            yield from _eq(
                _cell(doc, "projects", _total_row(proj), find_column(proj, r"^合计$")),
                _cell(doc, "expenditure", t, pc),
                "项目支出表 合计 = 支出表 项目支出小计",
            )
        if econ is not None:
            yield from _eq(
                _cell(doc, "economic_classification", _total_row(econ), find_column(econ, r"^总计$")),
                _cell(doc, "expenditure", t, total_col),
                "经济分类汇总表 总计 = 支出表 合计",
            )
    if gbe is not None:
        t = _total_row(gbe)
        if basic is not None:
            bt = _total_row(basic)
            for pat_b, pat_g, what in (
                (r"合计$", r"^基本支出/小计$", "合计"),
                (r"人员经费$", r"^基本支出/人员经费$", "人员经费"),
                (r"公用经费$", r"^基本支出/公用经费$", "公用经费"),
            ):
                yield from _eq(
                    _cell(doc, "general_budget_basic", bt, find_column(basic, pat_b)),
                    _cell(doc, "general_budget_expenditure", t, find_column(gbe, pat_g)),
                    f"基本支出表 {what} = 一般公共预算支出表 基本支出",
                )
        if fiscal is not None:
            # 一、本年支出 heads the 支出 side: on the right of a two-sided form, else a row label.
            fr = _side_row(fiscal, r"^一、本年支出", 1)
            if fr is None:
                fr = find_row(fiscal, r"^一、本年支出")
            fc = find_column(fiscal, r"一般公共预算/小计$")
            yield from _eq(
                _cell(doc, "fiscal_summary", fr, fc),
                _cell(doc, "general_budget_expenditure", t, total_column(gbe)),
                "财政拨款收支总表 一般公共预算支出 = 一般公共预算支出表 合计",
            )
    yield from _projects_vs_performance(doc)
    if fiscal is not None:
        yield from _summary_vs_fiscal(doc, fiscal)


def _summary_vs_fiscal(doc: Document, fiscal: Table) -> Iterator[Identity]:
    """收支总表 and 财政拨款收支总表 print the same 财政拨款 and class figures."""
    ss = sides(fiscal)
    if not ss:
        return
    label_col, cols = ss[0]
    if not cols or label_col < 0:
        return
    for r, row in enumerate(fiscal.rows):
        text = row.texts[label_col]
        # (其中…财政拨款 without white space: its characters tested first, then the whitespace-free text.)
        if "其" in text and "财" in text:
            bare = nospace(text)
            if bare.startswith("其中") and "财政拨款" in bare:
                yield from _eq(
                    ("fiscal_summary", r, cols[0]),
                    _summary_side_cell(doc, r"^其中.?财政拨款", 0),
                    "财政拨款收支总表 其中：财政拨款 = 收支总表 其中：财政拨款",
                )
                break
    if len(ss) < 2:
        return
    rlabel, rcols = ss[1]
    summary = _table(doc, "summary")
    if summary is None or not rcols:
        return
    sides_s = sides(summary)
    if len(sides_s) < 2 or not sides_s[1][1]:
        return
    slabel, scols = sides_s[1]
    wanted = _printed_classes(summary, slabel, scols[0])
    for r, row in enumerate(fiscal.rows):
        if not row.texts[rcols[0]]:
            continue
        t = _bare_class(_without_ordinal(row.texts[rlabel], "(（", ")）"))
        if t in wanted:
            yield Identity(
                "crossform",
                "fiscal_summary",
                ("fiscal_summary", r, rcols[0]),
                [("summary", wanted[t], scols[0])],
                f"财政拨款收支总表 {t} = 收支总表 {t}",
            )


def _printed_classes(summary: Table, label_col: int, col: int) -> dict[str, int]:
    """收支总表 rows printing an amount in ``col``, by their bare label (no ordinal, no 支出)."""
    wanted: dict[str, int] = {}
    for r, row in enumerate(summary.rows):
        if row.texts[col]:  # (tested first: cheaper than the label's clean-up)
            t = _bare_class(_without_ordinal(row.texts[label_col], "", "、"))
            if t:
                wanted[t] = r
    return wanted


def _without_ordinal(label: str, opening: str, closing: str) -> str:
    """``label`` without a leading ordinal: numerals (一二…十) after one of ``opening`` (if any
    is given) and before one of ``closing`` (``一、``: "", "、"; ``(一)``: "(（", ")）")."""
    n = 0
    if opening:
        if not label or label[0] not in opening:
            return label
        n = 1
    start = n
    while n < len(label) and label[n] in _NUMERALS:
        n += 1
    if n == start or n == len(label) or label[n] not in closing:
        return label
    return label[n + 1 :]


def _bare_class(label: str) -> str:
    """``label`` without white space and a closing 支出 (as ``re.sub(r"\\s|支出$", "", label)``:
    ``$`` also matches before a final newline)."""
    if label.endswith("支出"):
        label = label[:-2]
    elif label.endswith("支出\n"):
        label = label[:-3]
    return nospace(label)


def _function_classes(doc: Document, exp: Table, total_col: int) -> Iterator[Identity]:
    summary = _table(doc, "summary")
    if summary is None:
        return
    ss = sides(summary)
    if len(ss) < 2:
        return
    label_col, cols = ss[1]
    if not cols:
        return
    by_class: dict[str, list[int]] = {}
    for r, row in enumerate(exp.rows):
        code = row.code
        if len(code) == 7 and code.isdigit():
            by_class.setdefault(code[:3], []).append(r)
    present = [(cls, word) for cls, word in FUNCTION_CLASSES.items() if cls in by_class]
    if not present:
        return
    for r, text in enumerate(bare_column(summary, label_col)):
        for cls, word in present:
            if word in text:
                yield Identity(
                    "crossform",
                    "summary",
                    ("summary", r, cols[0]),
                    [("expenditure", x, total_col) for x in by_class[cls]],
                    f"收支总表 {text} = 支出表 {cls} 类合计",
                )
                break


def _projects_vs_performance(doc: Document) -> Iterator[Identity]:
    proj = _table(doc, "projects")
    perf = _table(doc, "performance_projects")
    if proj is None or perf is None:
        return
    pc = find_column(proj, r"^合计$")
    fc = find_column(perf, r"资金总额$")
    if pc is None or fc is None:
        return
    name_col = next((j for j, c in enumerate(perf.columns) if c.role == "label"), None)
    if name_col is None:
        return
    names: dict[str, int] = {}
    for r, row in enumerate(perf.rows):
        name = nospace(row.texts[name_col])
        if name and row.texts[fc]:
            names.setdefault(name, r)
    for r, row in enumerate(proj.rows):
        name = nospace(row.label)
        if name in names and not row.is_total:
            yield Identity(
                "crossform",
                "projects",
                ("projects", r, pc),
                [("performance_projects", names[name], fc)],
                f"项目支出表 {row.label} = 项目绩效目标表 资金总额",
            )

"""Subject-code hierarchy (totals.codes): a 类 row = Σ its 款 rows, a 款 row = Σ its 项 rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from budget_tui.core import load_document
from budget_tui.core.check import run_checks
from budget_tui.core.findings import Finding
from budget_tui.core.model import Document
from budget_tui.core.rules.totals import subject_codes

TITLE = "# 2022年一般公共预算支出预算表\n\n单位: 万元\n\n"

# Codes in one column, every level printed: 201 = 20103 + 20106, 20103 = its three 项 rows.
ONE_COLUMN = """科目编码\t科目名称\t合计\t基本支出\t项目支出
\t合计\t130.00\t80.00\t50.00
201\t一般公共服务支出\t130.00\t80.00\t50.00
20103\t政府办公厅(室)及相关机构事务\t100.00\t60.00\t40.00
2010301\t行政运行\t50.00\t50.00\t
2010350\t事业运行\t10.00\t10.00\t
2010399\t其他政府办公厅(室)及相关机构事务支出\t40.00\t\t40.00
20106\t财政事务\t30.00\t20.00\t10.00
2010601\t行政运行\t20.00\t20.00\t
2010699\t其他财政事务支出\t10.00\t\t10.00
"""

# The same figures with 类/款/项 in columns of their own, parents left blank below them.
SPLIT_COLUMNS = """科目编码\t\t\t科目名称\t合计\t基本支出\t项目支出
类\t款\t项\t\t\t\t
\t\t\t合计\t130.00\t80.00\t50.00
201\t\t\t一般公共服务支出\t130.00\t80.00\t50.00
\t03\t\t政府办公厅(室)及相关机构事务\t100.00\t60.00\t40.00
\t\t01\t行政运行\t50.00\t50.00\t
\t\t50\t事业运行\t10.00\t10.00\t
\t\t99\t其他政府办公厅(室)及相关机构事务支出\t40.00\t\t40.00
\t06\t\t财政事务\t30.00\t20.00\t10.00
\t\t01\t行政运行\t20.00\t20.00\t
\t\t99\t其他财政事务支出\t10.00\t\t10.00
"""


# The units (the 收入表 lists them).
INCOME = """
# 2022年部门收入预算表

单位代码\t单位名称\t合计
\t合计\t260.00
150001\t第一单位\t130.00
150002\t第二单位\t130.00
"""


def _doc(tmp_path: Path, table: str, name: str = "doc.txt") -> Document:
    path = tmp_path / name
    path.write_text(TITLE + table, encoding="utf-8")
    return load_document(path)


def _codes(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.rule == "totals.codes"]


@pytest.mark.parametrize("table", [ONE_COLUMN, SPLIT_COLUMNS], ids=["one-column", "split-columns"])
def test_a_reconciled_hierarchy_passes_and_parents_are_not_counted_twice(tmp_path: Path, table: str) -> None:
    doc = _doc(tmp_path, table)
    form = doc.forms["general_budget_expenditure"]
    assert form.table is not None
    codes = [c for c in subject_codes(form.table) if c]
    assert codes == ["201", "20103", "2010301", "2010350", "2010399", "20106", "2010601", "2010699"]
    assert run_checks(doc) == []


@pytest.mark.parametrize("table", [ONE_COLUMN, SPLIT_COLUMNS], ids=["one-column", "split-columns"])
def test_a_misread_sub_item_is_found_under_its_parent_with_the_fix(tmp_path: Path, table: str) -> None:
    doc = _doc(
        tmp_path, table.replace("事业运行\t10.00\t10.00", "事业运行\t16.00\t10.00")
    )  # OCR: 0 read as 6
    (finding,) = _codes(run_checks(doc))
    table_ = doc.forms["general_budget_expenditure"].table
    assert table_ is not None
    assert finding.cells[0].text == "100.00" and finding.cells[0].column == "合计"
    assert [c.text for c in finding.cells[1:]] == ["50.00", "16.00", "40.00"]  # the parent and its children
    best = finding.suggestions[0]
    assert (best.column, best.value) == ("合计", "10.00")
    assert table_.rows[table_.row_index(best.row)].label == "事业运行"


def test_a_missing_sub_item_is_one_structural_finding(tmp_path: Path) -> None:
    doc = _doc(
        tmp_path, ONE_COLUMN.replace("2010399\t其他政府办公厅(室)及相关机构事务支出\t40.00\t\t40.00\n", "")
    )
    found = run_checks(doc)
    assert [f.rule for f in found] == ["structure.missing_rows"]
    assert found[0].cells[0].row == "20103"
    assert doc.forms["general_budget_expenditure"].status == "incomplete"


def test_each_units_rows_are_a_hierarchy_of_their_own(tmp_path: Path) -> None:
    unit = "\n".join(ONE_COLUMN.splitlines()[2:])  # the rows below 合计
    table = (
        "科目编码\t单位代码\t科目名称\t合计\t基本支出\t项目支出\n"
        "\t\t合计\t260.00\t160.00\t100.00\n"
        "\t150001\t第一单位\t130.00\t80.00\t50.00\n"
        + "\n".join(
            f"{line.split(chr(9))[0]}\t\t{chr(9).join(line.split(chr(9))[1:])}" for line in unit.splitlines()
        )
        + "\n\t150002\t第二单位\t130.00\t80.00\t50.00\n"
        + "\n".join(
            f"{line.split(chr(9))[0]}\t\t{chr(9).join(line.split(chr(9))[1:])}" for line in unit.splitlines()
        )
        + "\n"
    )
    doc = _doc(tmp_path, table + INCOME)
    assert run_checks(doc) == []
    broken = _doc(
        tmp_path, table.replace("20106\t\t财政事务\t30.00", "20106\t\t财政事务\t80.00", 1) + INCOME, "b.txt"
    )
    found = _codes(run_checks(broken))
    # 20106 misread: its class (201 = Σ 款) and its own 项 rows both disagree with it.
    assert [f.cells[0].row for f in found] == ["201", "20106"]
    assert [c.row for c in found[1].cells] == ["20106", "2010601", "2010699"]  # the first unit's rows only
    best = found[1].suggestions[0]
    assert (best.row, best.column, best.value) == ("20106", "合计", "30.00")
    assert found[1].id in best.fixes and found[0].id in best.fixes


ECONOMIC = """# 2022年支出经济分类汇总表

单位: 万元

部门预算经济分类\t\t政府预算经济分类\t\t科目名称\t合计\t人员经费\t公用经费
类\t款\t类\t款\t\t\t\t
\t\t\t\t合计\t100.00\t80.00\t20.00
301\t\t501\t\t工资福利支出\t80.00\t80.00\t
301\t01\t501\t01\t基本工资\t60.00\t60.00\t
301\t02\t501\t01\t津贴补贴\t20.00\t20.00\t
302\t\t502\t\t商品和服务支出\t20.00\t\t20.00
302\t01\t502\t01\t办公费\t20.00\t\t20.00
"""


def test_economic_codes_of_two_systems_follow_the_first(tmp_path: Path) -> None:
    path = tmp_path / "econ.txt"
    path.write_text(ECONOMIC, encoding="utf-8")
    assert run_checks(load_document(path)) == []  # 301 and 302 are not counted again in 合计
    path.write_text(ECONOMIC.replace("津贴补贴\t20.00", "津贴补贴\t26.00"), encoding="utf-8")
    found = _codes(run_checks(load_document(path)))
    assert [f.cells[0].row for f in found] == ["301/501"]
    assert (found[0].suggestions[0].row, found[0].suggestions[0].value) == ("30102/50101", "20.00")


def test_a_sub_item_printed_twice_is_named_as_the_excess(tmp_path: Path) -> None:
    twice = "2010350\t事业运行\t10.00\t10.00\t\n"
    doc = _doc(tmp_path, ONE_COLUMN.replace(twice, twice + twice.replace("2010350", "2010351")))
    found = _codes(run_checks(doc))
    assert found, "20103 = Σ its 项 rows fails by the repeated row"
    assert (
        "the excess is 10.00, as printed by 2010350、2010351: one sub-item printed twice?" in found[0].message
    )
    assert found[0].cells[0].row == "20103"
    misfiled = _doc(tmp_path, ONE_COLUMN.replace(twice, twice + "2010351\t其他\t7.00\t7.00\t\n"), "m.txt")
    (first, *_) = _codes(run_checks(misfiled))
    assert "the excess is 2010351's 7.00: a sub-item under the wrong parent?" in first.message

"""The parse of the four real sample documents, pinned by golden files and spot checks."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from budget_tui.core import Document, load, load_document
from budget_tui.core.model import span_of

from .update_goldens import GOLDEN, SAMPLES, parse_summary

ROOT = Path(__file__).resolve().parents[2]


def sample(prefix: str) -> Path:
    return next(p for p in SAMPLES if p.name.startswith(prefix))


@pytest.fixture(scope="module")
def docs() -> dict[str, Document]:
    return {p.name[:3]: load_document(p) for p in SAMPLES}


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name[:3])
def test_parse_matches_golden(path: Path) -> None:
    golden = tomllib.loads((GOLDEN / f"{path.name[:3]}.parse.toml").read_text(encoding="utf-8"))
    assert parse_summary(load_document(path)) == golden


def cell(doc: Document, form: str, row: str, col: str) -> Decimal | None:
    return doc.forms[form].cell(row, col).value


def test_totals_spot_checked_against_printed_figures(docs: dict[str, Document]) -> None:
    assert cell(docs["000"], "income", "合计", "总计") == Decimal("5715.09")
    assert cell(docs["000"], "summary", "收入总计", "收入 / 金额") == Decimal("5715.09")
    assert cell(docs["001"], "summary", "收入总计", "收入 / 金额") == Decimal("1352.27")
    assert cell(docs["003"], "expenditure", "合计", "合计") == Decimal("1790.63")
    assert cell(docs["003"], "general_budget_basic", "合计", "本年一般公共预算基本支出 / 合计") == Decimal(
        "1462.73"
    )
    assert cell(
        docs["004"], "general_budget_basic", "合计", "本年一般公共预算基本支出 / 人员经费"
    ) == Decimal("835.74")
    # 004 prints 570.7 for 570.70: the exact value is kept.
    assert cell(
        docs["004"], "general_budget_basic", "30199/50199", "本年一般公共预算基本支出 / 合计"
    ) == Decimal("570.7")


def test_rows_add_up_to_printed_total(docs: dict[str, Document]) -> None:
    table = docs["003"].forms["general_budget_basic"].table
    assert table is not None
    c = table.col_index("本年一般公共预算基本支出 / 合计")
    details = sum((r.values[c] or Decimal(0)) for r in table.rows if not r.is_total)
    assert details == Decimal("1462.73")


def test_column_fragment_000_attached_to_the_right_rows(docs: dict[str, Document]) -> None:
    """000 预算03表: 4 fragment rows against 6 left rows, matched by 合计 = 基本 + 项目."""
    form = docs["000"].forms["expenditure"]
    project = "项目支出 / 小计"
    assert form.cell("合计", project).value == Decimal("5288.65")
    assert form.cell("2010301", project).value == Decimal("5238.65")
    assert form.cell("2010301", project).ref is not None
    assert form.cell("2010301", project).ref.line == 89  # type: ignore[union-attr]
    assert form.cell("2080505", project).value is None  # the fragment dropped this empty row
    assert form.cell("2120899", project).value == Decimal("50.00")
    assert form.cell("2120899", project).ref.line == 90  # type: ignore[union-attr]


def test_title_cut_across_blocks_and_untitled_code_half(docs: dict[str, Document]) -> None:
    doc = docs["000"]
    basic = doc.forms["general_budget_basic"]
    assert basic.title == "2022年一般公共预算基本支出预算表"
    assert basic.rows == 18 and basic.cell("合计", "本年一般公共预算基本支出 / 合计").value == Decimal(
        "426.44"
    )
    econ = doc.forms["economic_classification"]
    assert econ.cell("30201/50201", "总计").value == Decimal("5365.77")


def test_16_page_department_budget_004_stitched(docs: dict[str, Document]) -> None:
    form = docs["004"].forms["department_budget"]
    assert form.table is not None
    lines = [r.line for r in form.table.rows]
    assert lines[0] == 473 and lines[-1] == 706
    assert form.rows == 34
    # Headers repeated on 15 later pages are dropped, wrapped tails merged into the row above.
    assert not any("单位编码" in r.texts[0] or "单位 编码" in r.texts[0] for r in form.table.rows)
    merged = form.table.rows[3]
    assert merged.texts[2] == "2024年市民之家午餐补助" and 489 in merged.extra_lines


def test_pages_with_repeated_header_and_total_004(docs: dict[str, Document]) -> None:
    form = docs["004"].forms["general_budget_basic"]
    assert form.table is not None
    assert sum(1 for r in form.table.rows if r.is_total) == 1  # 合计 printed again on page 2, kept once
    fiscal = docs["004"].forms["fiscal_summary"].table
    assert fiscal is not None
    labels = [r.texts[2] for r in fiscal.rows]
    assert "（十五）资源勘探信息等支出" in labels and "(三十四) 抗疫特别国债安排的支出" in labels


def test_repeated_code_pairs_keep_both_rows_003(docs: dict[str, Document]) -> None:
    table = docs["003"].forms["general_budget_basic"].table
    assert table is not None
    keys = [r.key for r in table.rows]
    assert "30101/50101" in keys and "30101/50101#2" in keys
    assert table.rows[table.row_index("30101/50101#2")].values[4] == Decimal("20.00")


def test_last_line_of_every_file_parsed(docs: dict[str, Document]) -> None:
    for doc in docs.values():
        last = len(doc.lines)
        tables = [f.table for f in doc.forms.values() if f.table]
        assert any(last in r.lines for t in tables for r in t.rows) or any(
            last in t.header_lines for t in tables
        ), doc.path


def test_status_missing_empty_and_declared(docs: dict[str, Document]) -> None:
    assert docs["001"].forms["economic_classification"].status == "missing"  # title, no body
    assert docs["001"].forms["government_fund"].status == "empty"  # 故此表无数据
    assert docs["003"].forms["government_fund"].status == "empty"
    assert docs["004"].forms["carryover"].status == "empty"


def test_document_metadata(docs: dict[str, Document]) -> None:
    d = docs["003"]
    assert (d.department, d.department_code, d.year, d.money_unit) == (
        "南阳市行政审批和政务信息管理局",
        "152",
        2024,
        "万元",
    )
    assert [u.code for u in d.units] == ["152", "152101", "152201"]
    assert "南阳市政务大数据中心" in d.unit
    assert len(d.sha256) == 64


def test_every_cell_ref_points_at_its_text(docs: dict[str, Document]) -> None:
    for doc in docs.values():
        for form in doc.forms.values():
            for c in form.iter_cells():
                if c.ref is None or c.text == "":
                    continue
                line = doc.lines[c.ref.line - 1]
                start, end = span_of(line, c.ref.column)
                assert (c.ref.start, c.ref.end) == (start, end)
                assert line[start:end].strip() in c.text, (form.id, c.row, c.column)


def test_narrative_kept_with_line_numbers(docs: dict[str, Document]) -> None:
    para = next(p for p in docs["003"].narrative if "增长54.27%" in p.text)
    assert para.line == 135


def test_to_frame_has_multiindex_header(docs: dict[str, Document]) -> None:
    frame = docs["000"].forms["income"].to_frame()
    assert frame.columns.nlevels == 3
    assert frame.loc["合计", ("总计", "", "")] == Decimal("5715.09")
    assert list(frame.index) == ["合计", "150", "150001"]


def test_load_folder_recursively(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "x.md").write_bytes(sample("000").read_bytes())
    (tmp_path / "y.txt").write_bytes(sample("004").read_bytes())
    (tmp_path / "ignored.pdf").write_bytes(b"%PDF")
    corpus = load(tmp_path)
    assert sorted(Path(d.path).name for d in corpus.documents) == ["x.md", "y.txt"]
    assert not corpus.problems

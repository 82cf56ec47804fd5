"""Reconciliation checks on the real samples: pinned findings, fixes, incremental re-checks."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from budget_tui.core import load_document
from budget_tui.core.check import CheckSession, failures, run_checks
from budget_tui.core.model import Document
from budget_tui.core.review import ReviewSession
from budget_tui.core.rules.common import parts_sum
from budget_tui.core.suggest import format_like, ocr_likelihood

from .update_goldens import GOLDEN, SAMPLES, findings_summary


def doc(prefix: str) -> Document:
    return load_document(next(p for p in SAMPLES if p.name.startswith(prefix)))


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name[:3])
def test_findings_pinned_per_document(path: Path) -> None:
    golden = tomllib.loads((GOLDEN / f"{path.name[:3]}.findings.toml").read_text(encoding="utf-8"))
    assert findings_summary(load_document(path)) == golden["findings"]


def test_known_inconsistencies_of_the_samples_are_reported() -> None:
    rules = {p.name[:3]: {(f.rule, f.form) for f in run_checks(load_document(p))} for p in SAMPLES}
    assert rules["000"] == {("structure.shift", "performance_overall")}  # L384 moved left
    assert ("structure.lost_column", "expenditure") in rules["001"]  # 基本支出小计 lost in T3
    assert ("precision.decimals", "fiscal_summary") in rules["001"]  # 1,352.3 for 1,352.27
    assert ("narrative.percent", "narrative") in rules["003"]  # 54.27% truncated
    assert ("structure.shift", "performance_overall") in rules["003"]  # L533 moved right
    assert ("structure.missing_rows", "department_budget") in rules["004"]  # pages missing
    assert ("structure.shift", "department_budget") in rules["004"]  # L629 moved right


def test_truncated_value_gets_full_precision_proposal() -> None:
    f = next(f for f in run_checks(doc("001")) if f.rule == "precision.decimals")
    assert f.severity == "warning" and f.cells[0].line == 309
    assert f.suggestions[0].value == "1,352.27"


def test_truncated_percentage_is_a_warning_not_an_error() -> None:
    f = next(f for f in run_checks(doc("003")) if f.rule == "narrative.percent")
    assert f.severity == "warning" and f.cells[0].line == 135 and f.expected == "54.28"


@pytest.mark.parametrize(("printed", "found"), [("1,790.63", False), ("1,799.63", True), ("1799.63", True)])
def test_narrative_amount_with_thousands_separator(tmp_path: Path, printed: str, found: bool) -> None:
    # 003's narrative says 支出合计1790.63万元; printed with a thousands separator it is still
    # the same figure, and a wrong one is still found (the separator ends no clause).
    source = next(p for p in SAMPLES if p.name.startswith("003"))
    text = source.read_text(encoding="utf-8")
    assert "2024年支出合计1790.63万元" in text
    path = tmp_path / source.name
    path.write_text(
        text.replace("2024年支出合计1790.63万元", f"2024年支出合计{printed}万元"), encoding="utf-8"
    )
    amounts = [
        f for f in run_checks(load_document(path)) if f.rule == "narrative.amount" and f.cells[0].line == 101
    ]
    assert [f.actual for f in amounts] == ([printed] if found else [])
    if found:
        assert amounts[0].expected == "1,790.63"  # (as the table prints it)


def test_missing_pages_are_one_finding_and_mark_the_form_incomplete() -> None:
    d = doc("004")
    found = [f for f in run_checks(d) if f.form == "department_budget"]
    assert [f.rule for f in found].count("structure.missing_rows") == 1
    assert d.forms["department_budget"].status == "incomplete"
    assert not any(f.rule == "totals.rows" for f in found)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name[:3])
def test_a_previous_checks_verdict_changes_nothing(path: Path) -> None:
    fresh_doc = load_document(path)
    fresh = CheckSession(fresh_doc)
    d = load_document(path)
    for form in d.forms.values():
        if form.status == "ok":
            form.status = "incomplete"  # as a check that found rows missing leaves it
    again = CheckSession(d)
    assert [repr(i) for i in again.identities] == [repr(i) for i in fresh.identities]
    assert [f.id for f in again.findings] == [f.id for f in fresh.findings]
    assert {k: f.status for k, f in d.forms.items()} == {k: f.status for k, f in fresh_doc.forms.items()}


def test_incomplete_is_lifted_once_the_rows_reach_the_total() -> None:
    d = doc("004")
    session = CheckSession(d)
    form = d.forms["department_budget"]
    assert form.status == "incomplete" and form.table is not None
    missing = next(f for f in session.findings if f.rule == "structure.missing_rows")
    for cell in missing.cells:
        r, c = form.table.row_index(cell.row), form.table.col_index(cell.column)
        ident = next(i for i in session.identities_of(form.id, r, c) if i.total == (form.id, r, c))
        form.table.set_text(r, c, str(parts_sum(ident, session.values)))
        session.update_cell(form.id, r, c)
    assert not any(f.rule == "structure.missing_rows" for f in session.findings)
    assert d.forms["department_budget"].status == "ok"
    assert {f.id for f in session.findings} == {f.id for f in run_checks(d)}


def test_fiscal_summary_spending_side_is_compared_with_the_general_budget_form() -> None:
    # 一、本年支出 is on the right-hand (支出) side of the two-sided 财政拨款收支总表.
    for prefix in ("000", "001", "003"):
        session = CheckSession(doc(prefix))
        (ident,) = [
            i for i in session.identities if i.description.startswith("财政拨款收支总表 一般公共预算支出")
        ]
        assert ident.total[0] == "fiscal_summary" and ident.parts[0][0] == "general_budget_expenditure"
        assert session.values.text(ident.total) == session.values.text(ident.parts[0])
    d = doc("000")
    table = d.forms["fiscal_summary"].table
    assert table is not None
    r, c = table.row_index("一、本年收入"), table.col_index("支出 / 一般公共预算 / 小 计")
    table.set_text(r, c, "5685.09")  # OCR: 6 read as 8
    found = [
        f
        for f in run_checks(d)
        if f.rule == "crossform" and f.message.startswith("财政拨款收支总表 一般公共预算支出")
    ]
    assert found and {(c.form, c.text) for c in found[0].cells} >= {("fiscal_summary", "5685.09")}


def test_spending_total_is_compared_even_under_a_misaligned_header() -> None:
    # 000 and 004 print the 支出表's third header line shifted (合计 / 工资福利支出): its 合计
    # column is still the one under the 合计 heading.
    for prefix in ("000", "001", "003", "004"):
        session = CheckSession(doc(prefix))
        (ident,) = [i for i in session.identities if i.description == "收支总表 本年支出合计 = 支出表 合计"]
        assert session.values.text(ident.total) == session.values.text(ident.parts[0])
        table = session.doc.forms["expenditure"].table
        assert table is not None and table.columns[ident.parts[0][2]].path[0] == "合计"


def test_shift_proposal_for_a_moved_value() -> None:
    f = next(
        f for f in run_checks(doc("004")) if f.rule == "structure.shift" and f.form == "department_budget"
    )
    s = f.suggestions[0]
    assert (s.kind, s.value) == ("shift", "-1") and f.cells[0].line == 629


def test_digit_error_found_with_the_right_fix() -> None:
    d = doc("003")
    form = d.forms["expenditure"]
    assert form.table is not None
    r, c = form.table.row_index("2010301"), form.table.col_index("合计")
    form.table.set_text(r, c, "177.26")  # OCR read 171.26 as 177.26 (1 / 7)
    findings = run_checks(d)
    hits = [f for f in findings if any(x.row == "2010301" and x.column == "合计" for x in f.cells)]
    assert hits
    top = hits[0].suggestions[0]
    assert (top.row, top.column, top.value) == ("2010301", "合计", "171.26")
    assert "confusable" in top.reason
    assert len(top.fixes) >= 2  # the culprit repairs every identity it takes part in


def test_incremental_update_equals_a_full_run() -> None:
    d = doc("000")
    session = CheckSession(d)
    form = d.forms["general_budget_basic"]
    assert form.table is not None
    r, c = form.table.row_index("30201/50201"), form.table.col_index("本年一般公共预算基本支出 / 合计")
    form.table.set_text(r, c, "172.12")
    touched = session.identities_of("general_budget_basic", r, c)
    assert 0 < len(touched) < len(session.identities) / 10
    incremental = {f.id for f in session.update_cell("general_budget_basic", r, c)}
    assert incremental == {f.id for f in run_checks(d)}
    assert incremental
    form.table.set_text(r, c, "127.12")
    reverted = {f.id for f in session.update_cell("general_budget_basic", r, c)}
    assert reverted == {f.id for f in run_checks(d)} == {f.id for f in run_checks(doc("000"))}
    assert not incremental <= reverted


def test_published_as_is_stays_listed_but_does_not_fail() -> None:
    d = doc("003")
    f = run_checks(d)[0]
    findings = run_checks(d, accepted=[f.id])
    assert any(x.id == f.id and x.accepted for x in findings)
    assert f.id not in {x.id for x in failures(findings, "warning")}


def test_finding_ids_are_stable_across_runs_and_line_shifts(tmp_path: Path) -> None:
    src = next(p for p in SAMPLES if p.name.startswith("001"))
    before = {f.id for f in run_checks(load_document(src))}
    moved = tmp_path / "moved.txt"
    moved.write_text("前言\n\n" + src.read_text(encoding="utf-8"), encoding="utf-8")
    after = {f.id for f in run_checks(load_document(moved))}
    assert before == after


def test_review_session_edit_undo_redo_updates_findings() -> None:
    d = doc("000")
    s = ReviewSession(d)
    form = d.forms["income"]
    assert form.table is not None
    r, c = form.table.row_index("合计"), form.table.col_index("总计")
    assert s.findings and all(f.form == "performance_overall" for f in s.findings)
    s.edit("income", r, c, "5715.99")
    assert (r, c) in s.failing_cells("income") and (r, c) in s.corrected_cells("income")
    s.undo()
    assert (r, c) not in s.failing_cells("income") and form.table.rows[r].texts[c] == "5715.09"
    s.redo()
    assert form.table.rows[r].texts[c] == "5715.99"
    with pytest.raises(ValueError, match="not a number"):
        s.edit("income", r, c, "12a")
    assert form.table.rows[r].texts[c] == "5715.99"


def test_ocr_likelihood_kinds() -> None:
    assert ocr_likelihood("177.26", "171.26")[1] == "confusable digits"
    assert ocr_likelihood("17.126", "171.26")[1] == "moved decimal point"
    assert (
        ocr_likelihood("172.16", "171.26")[1] == "misread digit" or ocr_likelihood("172.16", "171.26")[0] < 5
    )
    assert ocr_likelihood("17.26", "171.26")[1] == "dropped digit"
    assert ocr_likelihood("1711.26", "171.26")[1] == "repeated digit"
    assert ocr_likelihood("117.26", "171.26")[1] == "transposed digits"
    assert format_like(Decimal("1352.27"), "1,352.3", 2) == "1,352.27"
    assert format_like(Decimal("166"), "16", 0) == "166"


def test_format_like_prints_as_quantize_does() -> None:
    """Its text fast path gives what the Decimal methods give, exponents and signs included."""

    def by_decimal(value: Decimal, like: str, decimals: int, thousands: bool) -> str:
        natural = value.normalize()
        own = max(0, -int(natural.as_tuple().exponent)) if natural.is_finite() else 0
        d = max(decimals, own)
        q = value.quantize(Decimal(1).scaleb(-d)) if d else value.quantize(Decimal(1))
        return f"{q:,}" if "," in like or (thousands and abs(q) >= 1000) else f"{q}"

    texts = ["0", "-0", "0.00", "-0.00", "1E+3", "1E-7", "0.000001", "0.0000010", "1234.5000", "999.99"]
    texts += ["-1000.10", "12.3456789", "5.000000", "5.0000000", "1234567890123456789", "0E-8", "7"]
    texts += ["12345678901234567890.5", "-7.25", "100E-2", "1000000"]
    for value in map(Decimal, texts):
        for like in ("", "1,234.00"):
            for decimals in (0, 2, 6, 7):
                for thousands in (False, True):
                    expected = by_decimal(value, like, decimals, thousands)
                    assert format_like(value, like, decimals, thousands) == expected, (value, like, decimals)


def _run_check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "budget_tui", "check", *args], capture_output=True, text=True, check=False
    )


def test_check_cli_json_schema_and_exit_codes(tmp_path: Path) -> None:
    r = _run_check(str(SAMPLES[0]), "--format", "json", "--jobs", "1", "--no-corrections")
    assert r.returncode == 1  # 000 has one structural error
    data = json.loads(r.stdout)
    assert data["schema_version"] == 1
    d = data["documents"][0]
    assert {"path", "department", "unit", "year", "sha256", "forms", "findings", "errors"} <= set(d)
    f = d["findings"][0]
    assert {"id", "rule", "severity", "form", "message", "expected", "actual", "cells", "suggestions"} <= set(
        f
    )
    assert {"form", "row", "column", "line", "text"} <= set(f["cells"][0])
    assert {"kind", "form", "row", "column", "value", "fixes"} <= set(f["suggestions"][0])
    only_warnings = next(p for p in SAMPLES if p.name.startswith("003"))
    ok = tmp_path / "ok.txt"
    ok.write_bytes(only_warnings.read_bytes())
    assert _run_check(str(ok), "--jobs", "1").returncode == 1  # 003 L533 shift is an error
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00")
    r2 = _run_check(str(bad), str(SAMPLES[0]), "--jobs", "1", "--format", "json")
    assert r2.returncode == 2 and "bad.txt" in r2.stderr
    assert len(json.loads(r2.stdout)["documents"]) == 2
    assert _run_check(str(tmp_path / "nope.txt")).returncode == 2


def test_check_parallel_equals_serial() -> None:
    a = _run_check("sample_data", "--format", "json", "--jobs", "1")
    b = _run_check("sample_data", "--format", "json", "--jobs", "2")
    assert json.loads(a.stdout) == json.loads(b.stdout)


def test_holds_many_agrees_with_holds_on_every_identity() -> None:
    from budget_tui.core.rules.common import holds, holds_many

    verdicts: list[bool] = []
    for path in SAMPLES:
        session = CheckSession(load_document(path))
        identities = session.identities
        many = holds_many(identities, session.values)
        assert many == [holds(i, session.values) for i in identities]
        verdicts += many
    assert True in verdicts and False in verdicts  # (the samples' failures are among them)


def test_checks_run_with_the_collector_paused_and_leave_it_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    from budget_tui.core.rules import IDENTITY_RULES
    from budget_tui.core.rules.common import Identity, Values

    seen: list[bool] = []

    def spy(doc: Document, values: Values) -> list[Identity]:
        seen.append(gc.isenabled())
        return []

    monkeypatch.setattr("budget_tui.core.check.IDENTITY_RULES", [*IDENTITY_RULES, spy])
    assert gc.isenabled()
    run_checks(doc("000"))
    assert seen == [False] and gc.isenabled()


def test_ordinal_level_reads_labels_as_its_patterns_do() -> None:
    """ordinal_level reads labels character by character: the same verdict as the patterns
    ``^[一…十]+[、.．]`` (1) and ``^[(（]\\s*[一…十]+\\s*[)）]`` (2), on labels made of their pieces."""
    import itertools
    import re

    from budget_tui.core.rules.common import ordinal_level

    level1 = re.compile(r"^[一二三四五六七八九十]+[、.．]")
    level2 = re.compile(r"^[(（]\s*[一二三四五六七八九十]+\s*[)）]")
    pieces = ["一", "十", "、", ".", "．", "(", "（", ")", "）", " ", "\u3000", "a", "其"]
    for n in range(6):
        for label in map("".join, itertools.product(pieces, repeat=n)):
            expected = 1 if level1.match(label) else 2 if level2.match(label) else 0
            assert ordinal_level(label) == expected, label

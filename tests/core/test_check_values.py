"""The checks' integer arithmetic agrees with the exact Decimal values it stands in for."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from budget_tui.core import load_document, suggest
from budget_tui.core.check import CheckSession
from budget_tui.core.corrections import apply_corrections, reassign_correction
from budget_tui.core.model import Column, Row, Table
from budget_tui.core.numbers import decimals_of, fixed_point, parse_number
from budget_tui.core.rules.common import (
    CellIndex,
    Values,
    amount_cells,
    holds,
    measure_precision,
    percent_cells,
)

from .update_goldens import SAMPLES

TRICKY = [
    "", "0", "0.00", "-0.00", "1352.27", "1,352.27", "1,352", "12,34", "1,2345.6", "+5", "−12.5",
    "12.5%", "−3%", "5%%", "-", "—", "——", "--", "---", " 7.10 ", "7.10\n", "\u30008", "1.", ".5",
    "1.2.3", "１２.５", "²", "1_000", "12a", "合计", "(一)", "0001.10", "99999999999999999999999999.99",
    "0,123", ",123", "1,", "1,234,567.00", "1234,567", "1,234,56", "12,345,678", "1,234.", "1,234.5%",
    "-1,234.5", "1,,234", "1,234 ", "１,２３４",
]  # fmt: skip


def _sample_texts() -> set[str]:
    texts: set[str] = set()
    for path in SAMPLES:
        for form in load_document(path).forms.values():
            if form.table is not None:
                texts.update(t for row in form.table.rows for t in row.texts)
    return texts


@settings(max_examples=600, deadline=None)
@given(st.one_of(st.sampled_from(TRICKY), st.text(alphabet="0123456789,.-−+%— \u3000", max_size=12)))
def test_fixed_point_is_parse_number_in_integers(text: str) -> None:
    value = parse_number(text)
    fixed = fixed_point(text)
    if value is None:
        assert fixed is None
    else:
        assert fixed is not None
        m, d = fixed
        assert Decimal(m).scaleb(-d) == value and d == decimals_of(text)


def test_fixed_point_agrees_on_every_sample_cell() -> None:
    for text in _sample_texts():
        fixed = fixed_point(text)
        value = parse_number(text)
        assert (fixed is None) == (value is None), text
        if fixed is not None:
            assert Decimal(fixed[0]).scaleb(-fixed[1]) == value and fixed[1] == decimals_of(text), text


@settings(max_examples=600, deadline=None)
@given(
    st.lists(
        st.one_of(st.sampled_from(TRICKY), st.text(alphabet="0123456789,.-−+%— \u3000１", max_size=12)),
        min_size=1,
        max_size=8,
    )
)
def test_amount_cells_read_each_text_as_fixed_point_does(texts: list[str]) -> None:
    # The checks read a column's plain amounts on a fast path of their own: it must agree with
    # fixed_point on every text (and leave percentages to percent_cells).
    rows = [Row([t], [1], [0], key=str(i)) for i, t in enumerate(texts)]
    table = Table(
        header=[["金额"]], header_lines=[1], columns=[Column("金额", ("金额",), "amount")], rows=rows
    )
    expected = [
        (r, t, *fixed)
        for r, t in enumerate(texts)
        if t and t[-1] != "%" and (fixed := fixed_point(t)) is not None
    ]
    assert amount_cells(table) == [(0, expected)]
    assert percent_cells(table) == [(r, 0, t) for r, t in enumerate(texts) if t and t[-1] == "%"]


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name[:3])
def test_scaled_integers_match_the_decimal_values(path: Path) -> None:
    d = load_document(path)
    values = Values(d, measure_precision(d))
    scale = Decimal(10) ** (values.precision.scale_decimals + 1)
    for fid, form in d.forms.items():
        if form.table is None:
            continue
        for r, row in enumerate(form.table.rows):
            for c in range(form.table.width):
                exact = (row.values[c] or Decimal(0)) * scale
                expected = int(exact) if exact == exact.to_integral_value() else None
                assert values.scaled((fid, r, c)) == expected, (fid, r, c, row.texts[c])
                width = values.half_width((fid, r, c)) * scale
                assert values.scaled_width((fid, r, c)) == int(width), (fid, r, c, row.texts[c])


def test_what_if_leaves_the_document_and_restores_the_cache() -> None:
    d = load_document(SAMPLES[0])
    values = Values(d, measure_precision(d))
    form = d.forms["income"]
    assert form.table is not None
    r, c = form.table.row_index("合计"), form.table.col_index("总计")
    key = ("income", r, c)
    before = (values.text(key), values.value(key), values.scaled(key), values.scaled_width(key))
    with values.what_if({key: "1.5"}):
        assert values.text(key) == "1.5" and values.value(key) == Decimal("1.5")
        assert values.scaled(key) == 15 * 10**values.precision.scale_decimals
        assert form.table.rows[r].texts[c] == before[0]
    assert (values.text(key), values.value(key), values.scaled(key), values.scaled_width(key)) == before


def test_parsed_amounts_follow_an_edit() -> None:
    d = load_document(SAMPLES[0])
    form = d.forms["income"]
    assert form.table is not None
    r, c = form.table.row_index("合计"), form.table.col_index("总计")
    session = CheckSession(d)
    assert (r, "5715.09") in {
        (x, t) for j, cells in amount_cells(form.table) if j == c for x, t, _, _ in cells
    }
    form.table.set_text(r, c, "5715.99")
    assert (r, "5715.99") in {
        (x, t) for j, cells in amount_cells(form.table) if j == c for x, t, _, _ in cells
    }
    session.update_cell("income", r, c)
    assert session.values.scaled(("income", r, c)) == 571599 * 10 ** (session.precision.scale_decimals - 1)


def _corrupted(prefix: str) -> CheckSession:
    d = load_document(next(p for p in SAMPLES if p.name.startswith(prefix)))
    form = d.forms["expenditure"]
    assert form.table is not None
    r, c = form.table.row_index("2010301"), form.table.col_index("合计")
    form.table.set_text(r, c, "177.26")  # 171.26 misread
    return CheckSession(d)


def test_cell_index_lists_every_identity_through_a_cell_in_order() -> None:
    session = _corrupted("003")
    naive: dict[tuple[str, int, int], list[int]] = {}
    for n, ident in enumerate(session.identities):
        for key in (ident.total, *ident.parts):
            naive.setdefault(key, []).append(n)
    for key, ids in naive.items():
        assert list(session.by_cell.get(key)) == ids, key
    assert list(session.by_cell.get(("expenditure", 10_000, 0))) == []
    assert list(session.by_cell.get(("expenditure", 0, 10_000))) == []
    # Read in another order (rows are read on first use), a new index lists the same.
    index = CellIndex(session.identities)
    for key, ids in reversed(naive.items()):
        assert list(index.get(key)) == ids, key


def test_identities_judged_in_ints_as_under_what_if() -> None:
    session = _corrupted("003")
    ranker = suggest._Ranker(
        session.doc, session.identities, session.by_cell, session.values, set(session.failing)
    )
    seen = 0
    for n in sorted(session.failing):
        ident = session.identities[n]
        for key in (ident.total, *ident.parts):
            for text in ("", "0", "171.26", "1,234.5", "12.345", "-3", "x"):
                texts = {key: text}
                quick = ranker.holds_if(n, texts)
                with session.values.what_if(texts):
                    exact = holds(ident, session.values)
                assert quick is None or quick == exact, (n, key, text)
                seen += quick is not None
    assert seen


def test_checks_after_rows_moved_between_forms_match_a_fresh_run() -> None:
    path = next(p for p in SAMPLES if p.name.startswith("004"))
    d = load_document(path)
    CheckSession(d)  # fills the tables' derived facts
    c = reassign_correction(d, "general_budget_expenditure", "2101101", "expenditure")
    assert not apply_corrections(d, [c]).not_applied
    fresh = load_document(path)
    assert not apply_corrections(fresh, [c]).not_applied
    assert [f.as_dict() for f in CheckSession(d).findings] == [
        f.as_dict() for f in CheckSession(fresh).findings
    ]

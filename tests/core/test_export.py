"""Corrected exports: TOML and CSV round trips, formula neutralising, safe file names."""

from __future__ import annotations

import csv
import io
import shutil
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from budget_tui.core.corrections import Correction, ReviewStore, apply_review, cell_correction
from budget_tui.core.document import load_document
from budget_tui.core.export import (
    EXPORTERS,
    column_titles,
    csv_titles,
    document_dict,
    document_stem,
    dumps_toml,
    export_document,
    export_text,
    form_csv,
    neutralise,
    safe_name,
)
from budget_tui.core.model import Column, Document, Form, Row, Table

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data"
DOC = "000_4328bbb67aec9689.txt"
FORMULA = '=HYPERLINK("http://x","y")'


@pytest.fixture(autouse=True)
def _user_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


@pytest.fixture
def src(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copyfile(SAMPLES / DOC, folder / DOC)
    return folder / DOC


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_round_trip_parse_correct_save_reload_export(src: Path, tmp_path: Path) -> None:
    doc = load_document(src)
    store = ReviewStore(src, reviewer="alice")
    assert store.acquire() is None
    store.record(cell_correction(doc.forms["income"], "合计", "总计", "5,715.90", note="sum of units"))
    store.record(cell_correction(doc.forms["income"], "150", "部门(单位)名称", FORMULA))
    store.record(cell_correction(doc.forms["expenditure"], "2010301", "合计 / 工资福利支出", "-1,234.50"))
    store.record(Correction("status", "income", old="unreviewed", new="reviewed"))
    store.save()
    store.release()

    fresh = load_document(src)
    report = apply_review(fresh, reviewer="bob")[1]
    assert len(report.applied) == 4
    paths = export_document(fresh, tmp_path / "out", ["both"])
    stem = document_stem(fresh)
    assert paths[0] == tmp_path / "out" / f"{stem}.toml"
    assert len(paths) == 1 + sum(1 for f in fresh.forms.values() if f.table is not None)

    data = tomllib.loads(paths[0].read_text("utf-8"))
    assert data["version"] == 1 and data["document"]["sha256"] == fresh.sha256
    assert data["document"]["year"] == 2022 and data["document"]["corrected_cells"] == 3
    forms = {f["id"]: f for f in data["forms"]}
    income = forms["income"]
    assert income["columns"][2] == "总计" and income["roles"][2] == "amount"
    total = income["rows"][0]
    assert total["key"] == "合计" and total["line"] == 56
    assert total["cells"][:7] == ["", "合计", "5715.90", "5715.09", "5665.09", "5665.09", "50.00"]
    assert total["cells"][7:] == ["", "", "", ""]  # blank cells are ""
    assert total["old"] == {"总计": "5715.09"}
    assert income["rows"][1]["cells"][1] == FORMULA and income["rows"][1]["old"] == {
        "部门(单位)名称": "安阳市政务服务与大数据管理局"
    }
    exp_row = next(r for r in forms["expenditure"]["rows"] if r["key"] == "2010301")
    assert exp_row["cells"][5] == "-1234.50" and exp_row["cells"][10] == ""
    assert forms["department_budget"]["status"] == "empty"

    frame = read_csv(next(p for p in paths if p.name.endswith(".income.csv")))
    assert list(frame.columns[:4]) == ["row", "部门(单位)代码", "部门(单位)名称", "总计"]
    assert frame.columns[5] == "本年收入 / 一般公共预算 / 小计"
    assert frame.iloc[0].tolist()[:4] == ["合计", "", "合计", "5715.90"]
    assert frame.iloc[1, 2] == "'" + FORMULA  # neutralised
    exp = read_csv(next(p for p in paths if p.name.endswith(".expenditure.csv")))
    assert exp.loc[exp["row"] == "2010301", "合计 / 工资福利支出"].tolist() == [
        "-1234.50"
    ]  # real negative untouched


def test_no_corrections_exports_the_raw_parse(src: Path, tmp_path: Path) -> None:
    doc = load_document(src)
    [path] = export_document(doc, tmp_path / "out", ["toml"])
    assert tomllib.loads(path.read_text("utf-8"))["forms"][1]["rows"][0]["cells"][2] == "5715.09"
    assert "old" not in tomllib.loads(path.read_text("utf-8"))["forms"][1]["rows"][0]


def test_csv_bytes_are_spreadsheet_friendly(src: Path) -> None:
    doc = load_document(src)
    form = doc.forms["income"]
    assert form.table is not None
    form.table.set_text(1, 1, 'two\r\nlines and "quotes"')
    form.table.set_text(2, 1, "lone\rcr")
    data = form_csv(form)
    assert data.startswith(b"\xef\xbb\xbf")
    body = data[3:].decode("utf-8")
    assert body.endswith("\r\n") and body.count("\r\n") == 1 + 3 + 1  # header, 3 rows, 1 inside a cell
    assert '"two\r\nlines and ""quotes"""' in body and '"lone\rcr"' in body
    rows = list(csv.reader(io.StringIO(body, newline="")))
    assert len(rows) == 4 and rows[2][2] == 'two\r\nlines and "quotes"' and rows[3][2] == "lone\rcr"


@pytest.mark.parametrize(
    ("text", "out"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("-x", "'-x"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-1,234.50", "-1,234.50"),
        ("-3", "-3"),
        ("+5", "+5"),
        ("-", "-"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_neutralise(text: str, out: str) -> None:
    assert neutralise(text) == out


@pytest.mark.parametrize(
    ("text", "role", "out"),
    [
        ("1,234.50", "amount", "1234.50"),
        ("0.00", "amount", "0.00"),
        ("-", "amount", "0"),
        ("12%", "amount", "12%"),
        ("−5.0", "amount", "-5.0"),
        ("n/a", "amount", "n/a"),
        ("", "amount", ""),
        ("1,234.50", "text", "1,234.50"),
        ("0.0000001", "amount", "0.0000001"),
    ],
)
def test_export_text_keeps_the_printed_scale(text: str, role: str, out: str) -> None:
    assert export_text(text, role) == out


@pytest.mark.parametrize(
    "text",
    [
        "../../etc/passwd",
        "/abs/path",
        "a\x00b",
        "..",
        "CON",
        "nul.txt",
        " -rf ",
        'a/b\\c:d*e?f"g<h>i|j',
        "合" * 300,
        "",
    ],
)
def test_safe_name(text: str) -> None:
    name = safe_name(text)
    assert name and "/" not in name and "\\" not in name and "\x00" not in name
    assert not name.startswith((".", "-", " ")) and len(name.encode("utf-8")) <= 60
    assert name.split(".")[0].lower() not in ("con", "nul")


def test_exports_of_two_documents_never_clobber(src: Path, tmp_path: Path) -> None:
    other = tmp_path / "other" / DOC
    other.parent.mkdir()
    shutil.copyfile(src, other)
    a, b = load_document(src), load_document(other)
    b.department = a.department = "../../" + "部" * 200
    out = tmp_path / "out"
    pa, pb = export_document(a, out, ["both"]), export_document(b, out, ["both"])
    assert not set(pa) & set(pb) and len({*pa, *pb}) == len(pa) + len(pb)
    assert all(p.parent == out and len(p.name.encode("utf-8")) < 255 for p in [*pa, *pb])
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_exporters_registry_and_unknown_format(src: Path, tmp_path: Path) -> None:
    assert set(EXPORTERS) == {"toml", "csv"}
    with pytest.raises(ValueError, match="unknown export format 'xlsx'"):
        export_document(load_document(src), tmp_path, ["xlsx"])
    csvs = export_document(load_document(src), tmp_path, ["csv"])
    assert all(p.suffix == ".csv" for p in csvs) and len(csvs) == 15


# --- property tests of the writers ---------------------------------------------------------

any_text = st.text(st.characters(codec="utf-8"), max_size=12)
hostile = st.sampled_from(
    [
        "=1+1",
        "'=1+1",
        "@x",
        "+x",
        "-x",
        "\t=x",
        "\r=x",
        "a\rb",
        "a\nb",
        '"q"',
        "[/]",
        "[b]x[/b]",
        "#",
        "'",
        "row",
        "a",
        "a#2",
    ]
)
cell_text = st.one_of(any_text, hostile, st.sampled_from(["1,234.50", "-3", "0.00", "12%", "-", ""]))


def make_doc(
    texts: list[list[str]], header: list[str], roles: list[str], keys: list[str], meta: str
) -> Document:
    width = len(header)
    columns = [Column(f"k{j}", (h,) if h else (), roles[j]) for j, h in enumerate(header)]  # type: ignore[arg-type]
    rows = [Row(list(t), [1] * width, list(range(width)), key=k) for t, k in zip(texts, keys, strict=True)]
    table = Table(header=[list(header)], header_lines=[1], columns=columns, rows=rows)
    if rows:
        table.overrides[(0, 0)] = meta
    form = Form(id="f" + meta, kind="other", title=meta, title_line=1, status="ok", table=table, number=meta)
    return Document(path="x.txt", sha256="0" * 64, lines=[], department=meta, forms={form.id: form})


@st.composite
def documents(draw: st.DrawFn) -> Document:
    width = draw(st.integers(1, 4))
    n = draw(st.integers(0, 4))
    texts = [[draw(cell_text) for _ in range(width)] for _ in range(n)]
    header = [draw(cell_text) for _ in range(width)]
    roles = [draw(st.sampled_from(["code", "label", "amount", "text"])) for _ in range(width)]
    keys = [draw(cell_text) for _ in range(n)]
    return make_doc(texts, header, roles, keys, draw(cell_text))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_toml_writer_round_trips_any_text(doc: Document) -> None:
    data = document_dict(doc)
    assert tomllib.loads(dumps_toml(data)) == data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_csv_writer_round_trips_any_text_neutralised(doc: Document) -> None:
    form = next(iter(doc.forms.values()))
    assert form.table is not None
    frame = pd.read_csv(io.BytesIO(form_csv(form)), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    roles = [c.role for c in form.table.columns]
    expected = [
        [neutralise(r.key), *(neutralise(export_text(t, roles[j])) for j, t in enumerate(r.texts))]
        for r in form.table.rows
    ]
    assert frame.values.tolist() == expected
    assert list(frame.columns) == csv_titles(form.table)
    assert len(set(frame.columns)) == len(frame.columns)
    assert (
        csv_titles(form.table)[0] == "row"
        and len(csv_titles(form.table)) == len(column_titles(form.table)) + 1
    )


def test_toml_writer_replaces_lone_surrogates() -> None:
    doc = make_doc([["a\ud800b"]], ["h"], ["text"], ["k"], "m")
    assert tomllib.loads(dumps_toml(document_dict(doc)))["forms"][0]["rows"][0]["cells"] == ["a\ufffdb"]

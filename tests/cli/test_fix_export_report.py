"""Headless ``fix``, ``export`` and ``report`` through ``budget_tui.cli.main``."""

from __future__ import annotations

import argparse
import csv
import io
import json
import shutil
import sys
import tomllib
import types
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from budget_tui import cli, cli_review
from budget_tui.core import corrections as corr
from budget_tui.core.corrections import Correction, ReviewStore
from budget_tui.core.findings import CellRef, Finding

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data"
DOC = "000_4328bbb67aec9689.txt"
DOC2 = "003_c9d3211da2288e2b.txt"


@pytest.fixture(autouse=True)
def _registered(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Register the review commands (until cli.build_parser does it itself)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    original = cli.build_parser

    def build() -> argparse.ArgumentParser:
        parser = original()
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        if "fix" not in sub.choices:
            cli_review.register(sub)
        return parser

    monkeypatch.setattr(cli, "build_parser", build)


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in (DOC, DOC2):
        shutil.copyfile(SAMPLES / name, folder / name)
    return folder


@pytest.fixture
def fake_checks(monkeypatch: pytest.MonkeyPatch) -> list[Finding]:
    """``budget_tui.core.check.run_checks`` returning two fixed findings."""
    findings = [
        Finding(
            "totals.income",
            "error",
            "income",
            "合计 ≠ Σ",
            "1",
            "2",
            [CellRef("income", "合计", "总计", 56, "1")],
        ),
        Finding(
            "totals.summary", "warning", "summary", "m", "1", "2", [CellRef("summary", "x", "y", 1, "1")]
        ),
    ]
    module = types.ModuleType("budget_tui.core.check")
    module.run_checks = lambda doc, accepted=(): findings  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "budget_tui.core.check", module)
    return findings


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def saved(path: Path, who: str) -> list[dict[str, Any]]:
    """The corrections in ``who``'s sidecar of ``path``."""
    data = tomllib.loads((path.parent / f"{path.name}.{who}.review.toml").read_text("utf-8"))
    items: list[dict[str, Any]] = data["correction"]
    return items


def cell(form: str, row: str, col: str, *value: str) -> list[str]:
    return ["--form", form, "--row", row, "--col", col, *(["--value", *value] if value else [])]


# --- fix -----------------------------------------------------------------------------------


def test_fix_records_a_validated_value(docs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = docs / DOC
    code, out, err = run(
        capsys, "fix", str(doc), "--form", "income", "--row", "合计", "--col", "总计", "--value", "5,715.90",
        "--note", "per summary", "--reviewer", "alice",
    )  # fmt: skip
    assert code == 0 and err == ""
    path = docs / f"{DOC}.alice.review.toml"
    assert f"wrote {path}" in out and "'5715.09' -> '5,715.90'" in out
    [c] = saved(doc, "alice")
    assert (c["kind"], c["old"], c["new"], c["note"], c["who"]) == (
        "value",
        "5715.09",
        "5,715.90",
        "per summary",
        "alice",
    )
    code, out, _ = run(capsys, "fix", str(doc), "--form", "income", "--row", "合计", "--col", "总计",
                       "--value", "5,715.90", "--reviewer", "alice")  # fmt: skip
    assert code == 0 and out.startswith("no change")


def test_fix_a_text_cell_and_a_header_label(docs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = docs / DOC
    assert run(capsys, "fix", str(doc), "--form", "income", "--row", "150", "--col", "部门(单位)名称",
               "--value", "=1+1", "--reviewer", "bob")[0] == 0  # fmt: skip
    assert run(capsys, "fix", str(doc), "--form", "income", "--row", "@header:1", "--col", "总计",
               "--value", "总 计", "--reviewer", "bob")[0] == 0  # fmt: skip
    kinds = [(c["kind"], c["row"], c["new"]) for c in saved(doc, "bob")]
    assert kinds == [("text", "150", "=1+1"), ("text", "@header:1", "总 计")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (cell("income", "合计", "总计", "abc"), f"{DOC}: column '总计' holds amounts: 'abc' is not a number"),
        (cell("nope", "合计", "总计", "1"), "no form 'nope' (forms: summary, income,"),
        (cell("income", "nope", "总计", "1"), "form income has no row 'nope'"),
        (cell("income", "150", "部门(单位)名称", "a\tb"), "may not contain '\\t'"),
        (cell("income", "合计", "总计"), "fix: --value missing"),
        (["--accept", "x", "--form", "income"], "--accept cannot be combined with --form"),
    ],
)  # fmt: skip
def test_fix_refuses_bad_input_in_one_line(
    docs: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run(capsys, "fix", str(docs / DOC), *args)
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert not list(docs.glob("*.review.toml"))


def test_fix_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "fix", str(tmp_path / "nope.txt"), "--accept", "x")
    assert code == 2 and err == f"{tmp_path / 'nope.txt'}: no such file\n"


def test_fix_accept_validates_the_finding(
    docs: Path, capsys: pytest.CaptureFixture[str], fake_checks: list[Finding]
) -> None:
    doc = docs / DOC
    fid = fake_checks[0].id
    code, out, err = run(
        capsys, "fix", str(doc), "--accept", fid, "--note", "published so", "--reviewer", "alice"
    )
    assert code == 0 and f"finding {fid} (income) published as is" in out
    [c] = saved(doc, "alice")
    assert (c["kind"], c["form"], c["finding"], c["note"]) == ("accept", "income", fid, "published so")
    code, out, _ = run(capsys, "fix", str(doc), "--accept", fid, "--reviewer", "alice")
    assert code == 0 and out.startswith("no change")
    code, _, err = run(capsys, "fix", str(doc), "--accept", "tot-nope", "--reviewer", "alice")
    assert code == 2 and f"no finding 'tot-nope' (findings: {fid}, {fake_checks[1].id})" in err


def test_fix_tells_who_holds_the_document(
    docs: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_review, "LOCK_WAIT_SECONDS", 0.2)
    holder = ReviewStore(docs / DOC, reviewer="alice")
    assert holder.acquire() is None
    code, _, err = run(capsys, "fix", str(docs / DOC), "--form", "income", "--row", "合计", "--col", "总计",
                       "--value", "1", "--reviewer", "bob")  # fmt: skip
    assert code == 2 and "is open for editing by alice on " in err
    holder.release()


def test_fix_review_dir_and_read_only_fallback(
    docs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["fix", str(docs / DOC), "--form", "income", "--row", "合计", "--col", "总计", "--value", "1"]
    code, out, _ = run(capsys, *args, "--review-dir", str(tmp_path / "rev"), "--reviewer", "alice")
    assert code == 0 and str(tmp_path / "rev") in out and not list(docs.glob("*.review.toml"))
    real = corr._folder_writable
    monkeypatch.setattr(corr, "_folder_writable", lambda f: f != docs.absolute() and real(f))
    code, out, err = run(capsys, *args, "--reviewer", "bob")
    assert code == 0 and "is not writable: corrections for" in err and str(tmp_path / "xdg-data") in out
    assert not list(docs.glob("*.review.toml"))


def test_fix_reports_a_broken_sidecar_with_its_line(docs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = docs / f"{DOC}.alice.review.toml"
    bad.write_text('format = 1\n\n[[correction]]\nkind = "value"\nform = 3\n', "utf-8")
    code, _, err = run(capsys, "fix", str(docs / DOC), "--form", "income", "--row", "合计", "--col", "总计",
                       "--value", "1", "--reviewer", "alice")  # fmt: skip
    assert code == 2 and err == f"{bad}:5: correction 1: 'form' must be a string, not int\n"
    assert bad.read_text("utf-8").endswith("form = 3\n")


# --- export --------------------------------------------------------------------------------


def test_export_applies_saved_corrections(
    docs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = docs / DOC
    run(capsys, "fix", str(doc), "--form", "income", "--row", "合计", "--col", "总计", "--value", "5,715.90")
    run(
        capsys,
        "fix",
        str(doc),
        "--form",
        "income",
        "--row",
        "150",
        "--col",
        "部门(单位)名称",
        "--value",
        "@evil",
    )
    out_dir = tmp_path / "out"
    code, out, err = run(capsys, "export", str(docs), "--out", str(out_dir))
    assert code == 0 and err == ""
    written = [Path(line) for line in out.splitlines()]
    assert all(p.exists() and p.parent == out_dir for p in written)
    assert len([p for p in written if p.suffix == ".toml"]) == 2
    toml_file = next(
        p for p in written if p.suffix == ".toml" and "安阳市政务服务与大数据管理局_2022" in p.name
    )
    income = next(f for f in tomllib.loads(toml_file.read_text("utf-8"))["forms"] if f["id"] == "income")
    assert income["rows"][0]["cells"][2] == "5715.90" and income["rows"][0]["old"] == {"总计": "5715.09"}
    csv_file = next(p for p in written if p.name == toml_file.stem + ".income.csv")
    frame = pd.read_csv(csv_file, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert frame.iloc[0, 3] == "5715.90" and frame.iloc[1, 2] == "'@evil"

    raw_dir = tmp_path / "raw"
    code, out, _ = run(
        capsys, "export", str(doc), "--out", str(raw_dir), "--format", "toml", "--no-corrections"
    )
    [raw] = [Path(line) for line in out.splitlines()]
    assert raw.suffix == ".toml"
    assert tomllib.loads(raw.read_text("utf-8"))["forms"][1]["rows"][0]["cells"][2] == "5715.09"


def test_export_warns_about_unsaved_edits_and_stale_corrections(
    docs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = docs / DOC
    run(capsys, "fix", str(doc), "--form", "income", "--row", "合计", "--col", "总计", "--value", "1.00")
    store = ReviewStore(doc, reviewer="alice")
    assert store.acquire() is None
    store.record(Correction("value", "income", "150", "总计", "5715.09", "2.00"))
    store.release()
    lines = doc.read_text("utf-8").split("\n")
    lines[55] = lines[55].replace("5715.09", "5715.19", 1)
    doc.write_text("\n".join(lines), "utf-8")
    code, out, err = run(capsys, "export", str(doc), "--out", str(tmp_path / "o"), "--format", "csv",
                         "--reviewer", "alice")  # fmt: skip
    assert code == 0 and all(line.endswith(".csv") for line in out.splitlines())
    assert "1 unsaved edit(s) not included" in err
    assert "correction not applied: income / 合计 / 总计: '5715.09' -> '1.00'" in err
    assert "the cell now reads '5715.19'" in err


def test_export_goes_on_past_an_unreadable_file(
    docs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (docs / "broken.txt").write_bytes(b"\x00\x01binary")
    code, out, err = run(capsys, "export", str(docs), "--out", str(tmp_path / "o"), "--format", "toml")
    assert code == 2 and "broken.txt:1: binary data" in err and len(out.splitlines()) == 2


def test_export_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "export", str(tmp_path / "none"), "--out", str(tmp_path))[0] == 2
    with pytest.raises(SystemExit) as info:
        cli.main(["export", str(tmp_path)])  # --out is required
    assert info.value.code == 2


# --- report --------------------------------------------------------------------------------


def _review_corpus(docs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = docs / DOC
    base = ["fix", str(doc), "--form", "income", "--col", "总计"]
    run(capsys, *base, "--row", "合计", "--value", "1.00", "--reviewer", "alice", "--note", "typo")
    run(capsys, *base, "--row", "150", "--value", "2.00", "--reviewer", "bob")
    run(capsys, "fix", str(doc), "--form", "income", "--row", "150", "--col", "部门(单位)名称",
        "--value", "=HYPERLINK(1)", "--reviewer", "bob")  # fmt: skip
    store = ReviewStore(doc, reviewer="alice")
    assert store.acquire() is None
    store.record(Correction("status", "income", old="unreviewed", new="approved"))
    store.record(Correction("accept", "income", finding="tot-123", note="as published"))
    store.save()
    store.release()


def test_report_text(docs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _review_corpus(docs, capsys)
    code, out, err = run(capsys, "report", str(docs))
    assert code == 0 and err == ""
    assert "alice  value    income / 合计 / 总计: '5715.09' -> '1.00'  (typo)" in out
    assert "finding tot-123 (income) published as is  (as published)" in out
    assert "status  income: approved" in out
    assert "  alice: 1 correction(s), 1 accepted, 1 status(es)" in out
    assert "  bob: 2 correction(s), 0 accepted, 0 status(es)" in out
    assert "2 document(s)" in out and "no corrections" in out


def test_report_json_and_csv(docs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _review_corpus(docs, capsys)
    code, out, _ = run(capsys, "report", str(docs), "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["schema_version"] == 1
    assert data["counts"] == {
        "alice": {"corrections": 1, "accepted": 1, "statuses": 1},
        "bob": {"corrections": 2, "accepted": 0, "statuses": 0},
    }
    first = next(d for d in data["documents"] if d["path"].endswith(DOC))
    assert first["statuses"] == {"income": "approved"} and len(first["sidecars"]) == 2
    assert {(e["who"], e["kind"], e["applied"]) for e in first["entries"]} == {
        ("alice", "value", True), ("bob", "value", True), ("bob", "text", True),
        ("alice", "status", True), ("alice", "accept", True),
    }  # fmt: skip
    code, out, _ = run(capsys, "report", str(docs), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    assert code == 0 and len(rows) == 5 and out.count("\r\n") == 6
    assert {r["new"] for r in rows if r["kind"] == "text"} == {"'=HYPERLINK(1)"}
    assert {r["who"] for r in rows} == {"alice", "bob"}


def test_report_lists_corrections_that_no_longer_apply(
    docs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _review_corpus(docs, capsys)
    doc = docs / DOC
    lines = doc.read_text("utf-8").split("\n")
    lines[55] = lines[55].replace("5715.09", "5715.19", 1)
    doc.write_text("\n".join(lines), "utf-8")
    code, out, err = run(capsys, "report", str(doc))
    assert code == 0 and "[not applied: the cell now reads '5715.19', not '5715.09'" in out
    assert "saved for another version" in err


def test_unexpected_errors_give_one_line_unless_debug(
    docs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: object, **kwargs: object) -> list[Path]:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("budget_tui.core.export.export_document", boom)
    code, _, err = run(capsys, "export", str(docs / DOC), "--out", str(tmp_path / "o"))
    assert code == 2 and "disk on fire" in err and "Traceback" not in err
    with pytest.raises(RuntimeError, match="disk on fire"):
        cli.main(["export", str(docs / DOC), "--out", str(tmp_path / "o"), "--debug"])

"""Source file -> Document: stitched forms with ids and status, narrative and metadata."""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Final

from budget_tui.core.errors import Problem
from budget_tui.core.forms import KINDS, other_id
from budget_tui.core.gcpause import collector_paused
from budget_tui.core.model import Corpus, Document, Form, FormStatus, Table, Unit
from budget_tui.core.numbers import is_code, is_number, nospace
from budget_tui.core.source import (
    MAX_LINE_CHARS,
    DecodedSource,
    UnreadableSource,
    decode_bytes,
    iter_source_paths,
    read_source,
)
from budget_tui.core.stitch import FormDraft, Title, draft_to_table, stitch

_DEPT_RE: Final = re.compile(r"^(?:编制部门|(?:部门|单位)(?:[(（]单位[)）])?名称)\s*[:：]?\s*(.*)$")
_YEAR_RE: Final = re.compile(r"((?:19|20)\d{2})\s*年")
_CONTROL_RE: Final = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_NONZERO_DIGIT_RE: Final = re.compile(r"[1-9]")
_MONEY_RE: Final = re.compile(r"单位\s*[:：]\s*(万元|千元|元)")

PREVIEW_LINES: Final = 1000
"""Lines a preview parses at most (see :func:`preview_document`): many screens of a table."""
PREVIEW_READ_BYTES: Final = 256 * 1024
"""Bytes a preview reads (its lines must be whole: a few thousand lines of a table)."""
PREVIEW_MIN_BYTES: Final = 400_000
"""Files this large get a preview (about 5,000 lines of a table). Parsing that much takes about
22 ms compiled, 35 ms pure Python: a third of the time to a first frame, at most what a smaller
file adds to it. A preview costs the whole document about a frame (it is shown a frame later)."""


def parse_document(src: DecodedSource) -> Document:
    """Parse one decoded source into a Document (never raises on content).

    The cyclic garbage collector is paused meanwhile (see :func:`collector_paused`).
    """
    with collector_paused():
        return _parse_document(src)


def preview_document(
    path: str | os.PathLike[str],
    lines: int = PREVIEW_LINES,
    min_bytes: int = PREVIEW_MIN_BYTES,
    read_bytes: int = PREVIEW_READ_BYTES,
) -> Document | None:
    """A first look at a large file: its first lines (at most ``lines``, within its first
    ``read_bytes`` bytes) parsed as a document; ``None`` for a file under ``min_bytes`` bytes
    (parsing it whole is quick) or one that cannot be read or decoded (its whole read says why).

    Reading and parsing are linear in the file, so a viewer that waited for them would show a
    20,000-row table several times later than a short one; it can show this at once, whatever
    the file's size, then the document read and parsed whole. The preview's last table stops
    where the prefix ends and forms that start further down are absent: it is for showing,
    never for checks or corrections (its ``sha256`` is empty).
    """
    try:
        if os.stat(path).st_size < min_bytes:
            return None
        with open(path, "rb") as fh:
            data = fh.read(read_bytes)
        # Whole lines only: a newline byte never occurs inside a UTF-8 or GB18030 character.
        head = decode_bytes(str(Path(path)), data[: data.rfind(b"\n") + 1])
    except (OSError, UnreadableSource):
        return None
    doc = parse_document(DecodedSource(head.path, head.lines[:lines], head.encoding, ""))
    doc.problems = []  # (about the cut prefix, not the file)
    return doc


def _parse_document(src: DecodedSource) -> Document:
    problems: list[Problem] = []
    lines = src.lines
    if max(map(len, lines), default=0) > MAX_LINE_CHARS:
        for n, line in enumerate(lines, 1):
            if len(line) > MAX_LINE_CHARS:
                problems.append(
                    Problem(src.path, n, f"line of {len(line):,} characters cut to {MAX_LINE_CHARS:,}")
                )
        lines = [line[:MAX_LINE_CHARS] for line in lines]
    if _CONTROL_RE.search("\n".join(lines)):
        lines = [_printable(line) for line in lines]
    stitched = stitch(lines)
    doc = Document(path=src.path, sha256=src.sha256, lines=lines)
    doc.problems = problems
    for lineno, message in stitched.notes:
        doc.problems.append(Problem(src.path, lineno, message))
    doc.forms = _forms(stitched.forms, stitched.toc, src.path, lines)
    doc.narrative = stitched.narrative
    _metadata(doc)
    _check_truncation(doc, src)
    if not doc.forms:
        doc.problems.append(
            Problem(src.path, None, "no budget form found (no tab-separated table, no form title)")
        )
    return doc


def _printable(line: str) -> str:
    # Control characters (ESC …) never reach a terminal or the parser's cells; tabs stay.
    return _CONTROL_RE.sub("\ufffd", line)


def _status(draft: FormDraft, table: Table | None) -> FormStatus:
    if table is None:
        return "missing"
    if draft.declared_empty or not _has_content(table):
        return "empty"
    return "ok"


def _has_content(table: Table) -> bool:
    """Any non-zero amount, or any text beyond row labels and codes."""
    roles = [c.role for c in table.columns]
    for row in table.rows:
        for j, t in enumerate(row.texts):
            if not t:
                continue
            if roles[j] == "amount":
                if not is_number(t) or _NONZERO_DIGIT_RE.search(t):
                    return True  # text, or an amount other than zero
            elif roles[j] == "text" and t != row.label:
                return True
    return False


def _forms(drafts: list[FormDraft], toc: list[Title], path: str, lines: list[str]) -> dict[str, Form]:
    forms: dict[str, Form] = {}
    counts: Counter[str] = Counter()
    for d in drafts:
        table = draft_to_table(d)
        base = d.kind or other_id(d.title or _first_header(d))
        counts[base] += 1
        fid = base if counts[base] == 1 else f"{base}#{counts[base]}"
        title = d.title.lstrip("#").strip().strip("*").strip() or (
            KINDS.get(d.kind or "", "") if d.kind else ""
        )
        forms[fid] = Form(
            id=fid,
            kind=d.kind or "other",
            title=title,
            title_line=d.title_line,
            status=_status(d, table),
            table=table,
            number=d.number,
            path=path,
            source_lines=lines,
        )
    found = {f.kind for f in forms.values()}
    for n, entry in enumerate(toc, 1):
        if entry.kind and entry.kind not in found:
            found.add(entry.kind)
            title = re.sub(r"^[-*\s]+", "", entry.text.lstrip("#").strip())
            forms[entry.kind] = Form(
                id=entry.kind,
                kind=entry.kind,
                title=title,
                title_line=entry.lineno,
                status="missing",
                table=None,
                number=str(n),
                path=path,
                source_lines=lines,
            )
    return forms


def _first_header(d: FormDraft) -> str:
    return "|".join(c for level in d.header[:1] for c in level if c)


def _metadata(doc: Document) -> None:
    doc.department = _department(doc.lines)
    income = doc.forms.get("income")
    units: dict[str, str] = {}
    if income and income.table:
        for row in income.table.rows:
            code = row.code.split("/")[0]
            if code and is_code(code) and row.label:
                units.setdefault(code, row.label)
    doc.units = [Unit(c, n) for c, n in units.items()]
    dept_codes = [c for c in units if len(c) == 3]
    doc.department_code = dept_codes[0] if dept_codes else ""
    if not doc.department and dept_codes:
        doc.department = units[dept_codes[0]]
    doc.year = _year(doc)
    doc.money_unit = _money_unit(doc.lines) or doc.money_unit
    if not doc.department:
        doc.department = Path(doc.path).stem


def _department(lines: list[str]) -> str:
    """The most printed 部门名称 / 编制部门 value (the value may stand on the next line)."""
    names: Counter[str] = Counter()
    for i in [i for i, raw in enumerate(lines) if "名称" in raw or "编制部门" in raw]:
        t = lines[i].strip().strip("*#").strip()
        m = _DEPT_RE.match(t.partition("\t")[0]) if t else None
        if not m:
            continue
        value = m.group(1).strip(" |\t")
        if not value:
            value = next((x.strip() for x in lines[i + 1 : i + 4] if x.strip()), "")
        if value and "\t" not in value and len(value) <= 40 and not _MONEY_RE.search(value):
            names[value] += 1
    return names.most_common(1)[0][0] if names else ""


def _year(doc: Document) -> int | None:
    years: Counter[int] = Counter()
    for f in doc.forms.values():
        years.update(int(y) for y in _YEAR_RE.findall(f.title))
    if not years:
        for line in doc.lines[:80]:
            years.update(int(y) for y in _YEAR_RE.findall(line))
    return years.most_common(1)[0][0] if years else None


def _money_unit(lines: list[str]) -> str:
    """万元 / 元 from the 单位：… lines (OCR may break them over three lines)."""
    money: Counter[str] = Counter()
    for i in [i for i, line in enumerate(lines) if "单位" in line and "\t" not in line]:
        m = _MONEY_RE.search(nospace("".join(lines[i : i + 3])))
        if m:
            money[m.group(1)] += 1
    return money.most_common(1)[0][0] if money else ""


def _check_truncation(doc: Document, src: DecodedSource) -> None:
    """A file that stops inside a table row (fewer cells than the row above) is reported."""
    if not doc.lines or "\t" not in doc.lines[-1] or len(doc.lines) < 2:
        return
    last, prev = doc.lines[-1], doc.lines[-2]
    if "\t" in prev and last.count("\t") < prev.count("\t") and not last.endswith("\t"):
        doc.problems.append(
            Problem(src.path, len(doc.lines), "file ends inside a table row: the document may be truncated")
        )


def iter_documents(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Document | Problem]:
    """Parse every source under ``paths`` in order, yielding a Problem for a file that fails."""
    for p in iter_source_paths(paths):
        try:
            yield parse_document(read_source(p))
        except UnreadableSource as exc:
            yield Problem(exc.path, exc.line, exc.message)
        except RecursionError:  # pragma: no cover - defensive: one file never stops the corpus
            yield Problem(str(p), None, "document too deeply nested to parse")


def load(*paths: str | os.PathLike[str]) -> Corpus:
    """Load every document under the given files or folders.

    Bad files become ``corpus.problems`` (``path:line: message``); the rest still load.
    """
    corpus = Corpus()
    for item in iter_documents(paths):
        if isinstance(item, Problem):
            corpus.problems.append(item)
        else:
            corpus.documents.append(item)
    return corpus


def load_document(path: str | os.PathLike[str]) -> Document:
    """Parse one file.

    Raises:
        UnreadableSource: the file cannot be read or is not text.
    """
    return parse_document(read_source(Path(path)))

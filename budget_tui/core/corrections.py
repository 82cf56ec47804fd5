"""Reviewers' corrections: the record, its crash-safe journal, per-reviewer sidecars and replay.

The source text is never altered. A correction is a small frozen record (what, where, old
text, new text, who, when, why). Each edit is appended to a journal (one JSON line, flushed
and fsynced) before the caller shows it; ``save`` compacts the journal into this reviewer's
sidecar TOML file atomically. ``load_all`` merges every reviewer's sidecar for a document
and reports conflicts; ``apply_corrections`` replays corrections on a freshly parsed document
and lists, with a reason, those that no longer apply after a re-extraction.

Files, in the review folder (beside the source unless ``--review-dir`` or a read-only source
folder moves them, see ``review_location``)::

    <source name>.<reviewer>.review.toml   this reviewer's saved corrections (tomlkit, read by tomllib)
    <source name>.<reviewer>.journal       edits not yet saved (JSON lines), deleted by ``save``
    <source name>.lock                     who has the document open for editing (flock + holder info)
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import heapq
import json
import os
import re
import secrets
import socket
import tempfile
import time
import tomllib
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Literal, NamedTuple, get_args

from budget_tui.core.errors import Problem
from budget_tui.core.findings import Finding, Suggestion
from budget_tui.core.forms import KINDS as FORM_KINDS
from budget_tui.core.model import Column, Document, Form, Table
from budget_tui.core.numbers import is_number
from budget_tui.core.parse import build_columns, key_rows

FORMAT_VERSION = 1
"""Version of the sidecar and journal formats; a newer file is refused, never rewritten."""

Kind = Literal["value", "text", "shift", "reassign", "accept", "status"]
KINDS: tuple[str, ...] = get_args(Kind)
ReviewStatus = Literal["unreviewed", "reviewed", "approved"]
STATUSES: tuple[str, ...] = get_args(ReviewStatus)
HEADER_ROW = "@header:"
"""Row key prefix of a header label: ``@header:2`` is the second header line of a form."""
MAX_TEXT_CHARS = 2000
_CELL_KINDS = ("value", "text")
_FIELD_ORDER = ("kind", "form", "row", "column", "old", "new", "who", "when", "note", "finding")


@dataclass(frozen=True, slots=True)
class Correction:
    """One reviewer decision.

    ``value`` / ``text``: set cell ``row`` x ``column`` of ``form`` from ``old`` to ``new``
    (a header label has row key ``@header:<level>``). ``shift``: move the cells of ``row``
    from ``column`` on by ``new`` places (``"1"`` right, ``"-1"`` left); ``old`` is the row's
    cells from that column, tab-joined, as they read before. ``reassign``: move the rows of
    ``form`` from ``row`` (all rows when blank) to form ``new``; ``old`` is their keys,
    tab-joined. ``accept``: finding ``finding`` is published as is. ``status``: the review
    status of ``form`` changes from ``old`` to ``new``.
    """

    kind: Kind
    form: str
    row: str = ""
    column: str = ""
    old: str = ""
    new: str = ""
    who: str = ""
    when: str = ""
    """ISO 8601 with UTC offset, to the second."""
    note: str = ""
    finding: str = ""
    """Id of the finding this correction answers (or accepts)."""

    def to_dict(self) -> dict[str, str]:
        """Fields in file order; empty optional fields are left out."""
        keep = {"kind", "form", "who", "when"}
        if self.kind in (*_CELL_KINDS, "shift"):
            keep |= {"row", "column", "old", "new"}
        return {k: getattr(self, k) for k in _FIELD_ORDER if k in keep or getattr(self, k)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Correction:
        """Build and check a correction from a sidecar table or journal object.

        Raises:
            ValueError: a missing, unknown or ill-typed field, naming it.
        """
        unknown = sorted(set(data) - set(_FIELD_ORDER))
        if unknown:
            raise ValueError(f"unknown key {unknown[0]!r} (keys: {', '.join(_FIELD_ORDER)})")
        for k, v in data.items():
            if not isinstance(v, str):
                raise ValueError(f"{k!r} must be a string, not {type(v).__name__}")
        c = cls(**{f.name: data.get(f.name, "") for f in fields(cls)})
        check_correction(c)
        return c


def describe(c: Correction) -> str:
    """One line saying what a correction does (without who, when and why)."""
    if c.kind in _CELL_KINDS:
        return f"{c.form} / {c.row} / {c.column}: {c.old!r} -> {c.new!r}"
    if c.kind == "shift":
        return f"shift {c.form} / {c.row} from {c.column} by {c.new}"
    if c.kind == "reassign":
        return f"move {c.form} rows from {c.row or 'the first'} to {c.new}"
    if c.kind == "accept":
        return f"finding {c.finding} ({c.form}) published as is"
    return f"{c.form} status: {c.old or 'unreviewed'} -> {c.new}"


def check_correction(c: Correction) -> None:
    """Check a correction's shape (not its keys against a document).

    Raises:
        ValueError: naming the first problem.
    """
    if c.kind not in KINDS:
        raise ValueError(f"kind {c.kind!r} is not one of {', '.join(KINDS)}")
    if not c.form:
        raise ValueError("'form' is missing")
    if c.kind in (*_CELL_KINDS, "shift") and not (c.row and c.column):
        raise ValueError(f"a {c.kind} correction needs 'row' and 'column'")
    if c.kind == "shift" and not re.fullmatch(r"[+-]?[1-9]\d{0,3}", c.new):
        raise ValueError(f"a shift needs 'new' = a non-zero number of cells, not {c.new!r}")
    if c.kind == "reassign" and not c.new:
        raise ValueError("a reassign correction needs 'new' = the target form id")
    if c.kind == "status" and c.new not in STATUSES:
        raise ValueError(f"status {c.new!r} is not one of {', '.join(STATUSES)}")
    if c.kind == "accept" and not c.finding:
        raise ValueError("an accept correction needs 'finding'")
    if c.when:
        try:
            datetime.fromisoformat(c.when)
        except ValueError:
            raise ValueError(f"'when' = {c.when!r} is not an ISO 8601 time") from None


def now_iso() -> str:
    """The local time, ISO 8601 with offset, to the second."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


def default_reviewer() -> str:
    """The OS user name, or ``"unknown"`` when there is none (containers, odd systems)."""
    try:
        return getpass.getuser() or "unknown"
    except Exception:  # getpass raises OSError or KeyError depending on the Python version
        return "unknown"


def inverse(c: Correction) -> Correction:
    """The correction that undoes a cell or status correction.

    Raises:
        ValueError: for shift, reassign and accept: re-apply the remaining corrections to a
            fresh parse instead.
    """
    if c.kind not in (*_CELL_KINDS, "status"):
        raise ValueError(f"a {c.kind} correction has no simple inverse")
    return replace(c, old=c.new, new=c.old)


# --- validation against a form -------------------------------------------------------------


def header_key(level: int) -> str:
    """Row key of header line ``level`` (1-based) for header-label corrections."""
    return f"{HEADER_ROW}{level}"


def _header_level(form: Form, row_key: str) -> int:
    assert form.table is not None
    try:
        level = int(row_key[len(HEADER_ROW) :])
    except ValueError:
        level = 0
    if not 1 <= level <= len(form.table.header):
        raise ValueError(f"form {form.id} has {len(form.table.header)} header lines, no {row_key!r}")
    return level


def _require_table(form: Form) -> Table:
    if form.table is None:
        raise ValueError(f"form {form.id} has no table (status {form.status})")
    return form.table


def _resolve(form: Form, row_key: str, col_key: str) -> tuple[Table, int, int]:
    table = _require_table(form)
    try:
        c = table.col_index(col_key)
    except KeyError:
        raise ValueError(
            f"form {form.id} has no column {col_key!r}{_some(c.key for c in table.columns)}"
        ) from None
    if row_key.startswith(HEADER_ROW):
        return table, -_header_level(form, row_key), c
    try:
        r = table.row_index(row_key)
    except KeyError:
        raise ValueError(f"form {form.id} has no row {row_key!r}{_some(r.key for r in table.rows)}") from None
    return table, r, c


def _some(keys: Iterable[str], n: int = 6) -> str:
    items = list(keys)
    more = ", …" if len(items) > n else ""
    return f" (keys: {', '.join(repr(k) for k in items[:n])}{more})" if items else ""


def validate_text(value: str) -> str:
    """Any text on one line: no tabs, line breaks or control characters; outer spaces trimmed.

    Raises:
        ValueError: naming the offending character.
    """
    for ch in value:
        if ch == "\t" or unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp"):
            raise ValueError(f"text may not contain {ch!r} (tabs, line breaks and control characters)")
    text = value.strip()
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(f"text of {len(text):,} characters is longer than {MAX_TEXT_CHARS:,}")
    return text


def validate_value(form: Form, row_key: str, col_key: str, value: str) -> str:
    """Check a new cell text against its column; return it normalised (trimmed).

    Amount columns take numbers as documents print them (``1,234.50``, ``-3``, ``0.00``,
    ``12%``, a dash for zero) or a blank; every other cell (label, subject code, text, and
    header labels, row key ``@header:N``) takes any one-line text.

    Raises:
        ValueError: unknown row or column, or a value the column cannot hold.
    """
    table, r, c = _resolve(form, row_key, col_key)
    text = validate_text(value)
    if r >= 0 and table.columns[c].role == "amount" and text and not is_number(text):
        raise ValueError(
            f"column {col_key!r} holds amounts: {text!r} is not a number (like 1,234.50, -3, 0.00 or 12%)"
        )
    return text


def current_text(form: Form, row_key: str, col_key: str) -> str:
    """The cell's (or header label's) text as it reads now, corrections included."""
    table, r, c = _resolve(form, row_key, col_key)
    if r < 0:
        level = table.header[-r - 1]
        return level[c] if c < len(level) else ""
    return table.rows[r].texts[c]


def cell_correction(
    form: Form, row_key: str, col_key: str, value: str, *, note: str = "", finding: str = ""
) -> Correction:
    """A validated ``value`` (amount column) or ``text`` correction of one cell or header label.

    Raises:
        ValueError: see ``validate_value``.
    """
    new = validate_value(form, row_key, col_key, value)
    table, r, c = _resolve(form, row_key, col_key)
    kind: Kind = "value" if r >= 0 and table.columns[c].role == "amount" else "text"
    old = current_text(form, row_key, col_key)
    return Correction(kind, form.id, row_key, col_key, old, new, note=validate_text(note), finding=finding)


def shift_correction(form: Form, row_key: str, col_key: str, places: int, *, note: str = "") -> Correction:
    """A validated shift of a row's cells from ``col_key`` by ``places`` (positive = right).

    Cells pushed off the end (right) or overwritten (left) must be blank.

    Raises:
        ValueError: unknown keys, a zero or too large shift, or non-blank cells in the way.
    """
    table, r, c = _resolve(form, row_key, col_key)
    if r < 0:
        raise ValueError("header lines cannot be shifted")
    texts = table.rows[r].texts
    _shifted(texts, c, places)
    return Correction("shift", form.id, row_key, col_key, "\t".join(texts[c:]), str(places), note=note)


def _shifted(texts: list[str], c: int, n: int) -> tuple[int, int]:
    """Slice ``[lo, hi)`` that a shift rewrites; raises ``ValueError`` if it would lose text."""
    width = len(texts)
    if n == 0 or abs(n) >= width:
        raise ValueError(f"cannot shift by {n} in a row of {width} cells")
    if n > 0:
        if any(texts[width - n :]):
            raise ValueError(f"shifting right by {n} would push non-blank cells off the row")
        return c, width
    if c + n < 0 or any(texts[c + n : c]):
        raise ValueError(f"shifting left by {-n} would overwrite non-blank cells")
    return c + n, width


def _shift_list(items: list[Any], c: int, n: int, pad: Any) -> list[Any]:
    if n > 0:
        return [*items[:c], *([pad] * n), *items[c : len(items) - n]]
    return [*items[: c + n], *items[c:], *([pad] * -n)]


def suggested_correction(doc: Document, suggestion: Suggestion, *, finding: str = "") -> Correction:
    """The validated correction a finding's suggestion proposes (its reason becomes the note).

    Raises:
        ValueError: the suggestion no longer fits the document (unknown keys, lost text).
    """
    form = doc.forms.get(suggestion.form)
    if form is None:
        raise ValueError(f"no form {suggestion.form!r}")
    if suggestion.kind == "shift":
        c = shift_correction(
            form, suggestion.row, suggestion.column, int(suggestion.value), note=suggestion.reason
        )
    else:
        c = cell_correction(form, suggestion.row, suggestion.column, suggestion.value, note=suggestion.reason)
    return replace(c, finding=finding)


def reassign_correction(
    doc: Document, form_id: str, row_key: str, target: str, *, note: str = ""
) -> Correction:
    """Move the rows of ``form_id`` from ``row_key`` on (all when blank) to form ``target``.

    Moving into an existing table marks the block as its continuation (same width needed);
    a whole form may also take a form id that has no table yet (a form the table of contents
    lists as missing, or a new id), which reassigns its kind.

    Raises:
        ValueError: unknown form or row, a partial block to a form without a table, or
            widths that differ.
    """
    form = doc.forms.get(form_id)
    if form is None:
        raise ValueError(f"no form {form_id!r}")
    table = _require_table(form)
    start = 0
    if row_key:
        _, start, _ = _resolve(form, row_key, table.columns[0].key)
    if target == form_id:
        raise ValueError("a block cannot be reassigned to its own form")
    tgt = doc.forms.get(target)
    if tgt is not None and tgt.table is not None and tgt.table.width != table.width:
        raise ValueError(f"form {target} has {tgt.table.width} columns, the block {table.width}")
    if (tgt is None or tgt.table is None) and start:
        raise ValueError(f"form {target} has no table: only a whole form can become it")
    keys = "\t".join(r.key for r in table.rows[start:])
    return Correction("reassign", form_id, row_key, "", keys, target, note=note)


# --- where review files live ---------------------------------------------------------------


class ReviewLocation(NamedTuple):
    """The folder this reviewer writes to, and a message when it is not the usual one."""

    folder: Path
    message: str
    """Empty, or why the files moved to the user's data folder (for the user to read)."""


def _folder_tag(parent: Path) -> str:
    """A folder name that keeps same-named sources of different folders apart."""
    digest = hashlib.sha256(os.fsencode(parent)).hexdigest()[:10]
    name = re.sub(r"[^\w-]+", "_", parent.name).strip("_")[:40] or "root"
    return f"{name}-{digest}"


def _folder_writable(folder: Path) -> bool:
    return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)


def _can_create(folder: Path) -> bool:
    """True when ``folder`` is writable or could be made (its nearest existing parent is)."""
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            return _folder_writable(candidate)
    return False  # pragma: no cover - the root exists


def _is_installed_data(path: Path) -> bool:
    """True for the bundled sample documents (never written to): inside the installed
    package, or the repository's ``sample_data`` in a development checkout."""
    package = Path(__file__).resolve().parent.parent
    parents = path.resolve().parents
    return package / "sample_data" in parents or package.parent / "sample_data" in parents


def user_review_folder(source: Path) -> Path:
    """The fallback folder in the user's data directory (platformdirs) for ``source``."""
    import platformdirs

    return Path(platformdirs.user_data_dir("budget-tui")) / "reviews" / _folder_tag(source.parent)


def review_location(
    source_path: str | os.PathLike[str], review_dir: str | os.PathLike[str] | None = None
) -> ReviewLocation:
    """Where this source's review files are written.

    Beside the source by default; in ``review_dir`` (a sub-folder per source folder, so
    same-named sources stay apart) when given; in the user's data folder when the chosen
    folder cannot be written (the installed sample data, a read-only share), with a message
    saying so.

    Nothing is created here: ``ReviewStore.acquire`` makes the folder when it first writes.
    """
    source = Path(source_path).absolute()
    if review_dir is not None:
        base = Path(review_dir).expanduser().absolute()
        folder = base / _folder_tag(source.parent)
        if _can_create(folder):
            return ReviewLocation(folder, "")
        reason = f"review folder {base} is not writable"
    else:
        folder = source.parent
        if not _is_installed_data(source) and _folder_writable(folder):
            return ReviewLocation(folder, "")
        reason = (
            f"{folder} is not writable"
            if not _is_installed_data(source)
            else "the bundled samples are read-only"
        )
    fallback = user_review_folder(source)
    return ReviewLocation(fallback, f"{reason}: corrections for {source.name} are kept in {fallback}")


def review_folders(
    source_path: str | os.PathLike[str], review_dir: str | os.PathLike[str] | None = None
) -> list[Path]:
    """Every folder that may hold sidecars of ``source_path`` (the usual one, then the fallback)."""
    source = Path(source_path).absolute()
    usual = (
        Path(review_dir).expanduser().absolute() / _folder_tag(source.parent)
        if review_dir is not None
        else source.parent
    )
    return list(dict.fromkeys([usual, user_review_folder(source)]))


def review_files(
    source_path: str | os.PathLike[str], review_dir: str | os.PathLike[str] | None, kinds: str
) -> Iterator[Path]:
    r"""Every reviewer's review files of ``source_path`` (``<source name>.<reviewer>.<kind>``,
    ``kinds`` a regex of the kinds, e.g. ``review\.toml``), folder by folder, sorted by name."""
    source = Path(source_path).absolute()
    rx = re.compile(rf"{re.escape(source.name)}\.[^.]+\.(?:{kinds})")
    for folder in review_folders(source, review_dir):
        try:
            names = sorted(e.name for e in os.scandir(folder) if rx.fullmatch(e.name))
        except OSError:
            continue
        for name in names:
            yield folder / name


def has_review_files(
    source_path: str | os.PathLike[str], review_dir: str | os.PathLike[str] | None = None
) -> bool:
    """Whether any reviewer has saved corrections of ``source_path`` or left unsaved edits."""
    return next(review_files(source_path, review_dir, r"review\.toml|journal"), None) is not None


def reviewer_slug(name: str) -> str:
    """A file-name-safe form of a reviewer name (no dots, separators or control characters)."""
    slug = re.sub(r"[^\w-]+", "_", unicodedata.normalize("NFC", name)).strip("_-")
    return slug[:48] or "unknown"


# --- atomic files --------------------------------------------------------------------------


def fsync_dir(folder: Path) -> None:
    """Make a rename or unlink in ``folder`` durable (no-op where directories cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # pragma: no cover - Windows
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves the old or the new file, never half.

    Temp file in the same folder (``.<name>.<random>.tmp``) + fsync + ``os.replace`` + fsync
    of the folder. ``clean_temp_files`` removes what a killed writer leaves behind.
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(OSError):
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def clean_temp_files(folder: Path, name_pattern: str, *, min_age: float = 0.0) -> list[Path]:
    """Remove temp files a killed ``atomic_write_bytes`` left for targets matching ``name_pattern``.

    With ``min_age`` 0, only call while no other writer of those targets can run (under the
    document lock); otherwise files younger than ``min_age`` seconds are left to their writer.
    """
    rx = re.compile(rf"\.(?:{name_pattern})\.[^.]+\.tmp")
    removed: list[Path] = []
    now = time.time()
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if not rx.fullmatch(entry.name) or not entry.is_file(follow_symlinks=False):
                continue
            try:
                if min_age and now - entry.stat(follow_symlinks=False).st_mtime < min_age:
                    continue
                os.unlink(entry.path)
            except OSError:
                continue
            removed.append(Path(entry.path))
    return removed


# --- sidecar files -------------------------------------------------------------------------


class SidecarError(Exception):
    """A sidecar or journal that cannot be used as is; ``str`` is ``path:line: message``."""

    def __init__(self, path: str | os.PathLike[str], line: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        super().__init__(f"{self.path}:{line}: {message}" if line else f"{self.path}: {message}")


@dataclass
class Sidecar:
    """One reviewer's saved corrections of one document, as read from disk."""

    path: Path
    reviewer: str
    source: str
    sha256: str
    saved: str
    journal: str
    """Id of the last journal compacted into this file (a journal with this id is stale)."""
    corrections: list[Correction]
    digest: str
    """sha256 of the file's bytes, to notice a change on disk before overwriting."""


_TOP_KEYS = {"format": int, "source": str, "sha256": str, "reviewer": str, "saved": str, "journal": str}


def _decode_error_line(exc: tomllib.TOMLDecodeError, text: str) -> tuple[int, str]:
    msg = str(exc)
    m = re.search(r"\s*\(at line (\d+), column \d+\)$", msg)
    if m:
        return int(m.group(1)), msg[: m.start()]
    m = re.search(r"\s*\(at end of document\)$", msg)
    if m:
        return max(1, text.count("\n") + (0 if text.endswith("\n") else 1)), msg[: m.start()]
    return 1, msg  # pragma: no cover - tomllib always says where


_TABLE_HEADER_RE = re.compile(r"\s*\[\[\s*\"?correction\"?\s*\]\]")


def _line_of(text: str, index: int | None, key: str | None) -> int:
    """Line of ``key`` in the ``index``-th ``[[correction]]`` table (or at top level)."""
    lines = text.splitlines()
    starts = [n for n, ln in enumerate(lines) if _TABLE_HEADER_RE.match(ln)]
    lo, hi = 0, starts[0] if starts else len(lines)
    if index is not None and index < len(starts):
        lo, hi = starts[index], starts[index + 1] if index + 1 < len(starts) else len(lines)
    if key is not None:
        key_rx = re.compile(rf"\s*[\"']?{re.escape(key)}[\"']?\s*=")
        for n in range(lo, hi):
            if key_rx.match(lines[n]):
                return n + 1
    return lo + 1


def _key_named(message: str) -> str | None:
    """The field an error message of ``Correction.from_dict`` is about, to point at its line."""
    quoted = re.findall(r"'(\w+)'", message)
    if message.startswith("unknown key") and quoted:
        return str(quoted[0])
    m = re.match(r"(\w+) ", message.replace("'", ""))
    word = m.group(1) if m else ""
    return {"status": "new", "a": None}.get(word, word if word in _FIELD_ORDER else None)


def parse_sidecar(path: Path, data: bytes) -> Sidecar:
    """Check and read one sidecar's bytes.

    Raises:
        SidecarError: not UTF-8, not TOML, a newer format, or a bad field (with its line).
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SidecarError(path, data.count(b"\n", 0, exc.start) + 1, "not UTF-8 text") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, msg = _decode_error_line(exc, text)
        raise SidecarError(path, line, f"not valid TOML: {msg}") from None
    for key, typ in _TOP_KEYS.items():
        if key in raw and type(raw[key]) is not typ:
            raise SidecarError(path, _line_of(text, None, key), f"{key!r} must be a {typ.__name__}")
    version = raw.get("format")
    if version is None:
        raise SidecarError(path, 1, "no 'format' key: not a budget-tui review file")
    if version != FORMAT_VERSION:
        raise SidecarError(
            path,
            _line_of(text, None, "format"),
            f"format {version} is not {FORMAT_VERSION}: from another budget-tui version, left untouched",
        )
    unknown = sorted(set(raw) - set(_TOP_KEYS) - {"correction"})
    if unknown:
        raise SidecarError(path, _line_of(text, None, unknown[0]), f"unknown key {unknown[0]!r}")
    items = raw.get("correction", [])
    if not isinstance(items, list) or not all(isinstance(t, dict) for t in items):
        raise SidecarError(
            path, _line_of(text, None, "correction"), "'correction' must be [[correction]] tables"
        )
    corrections: list[Correction] = []
    for i, item in enumerate(items):
        try:
            corrections.append(Correction.from_dict(item))
        except ValueError as exc:
            raise SidecarError(
                path, _line_of(text, i, _key_named(str(exc))), f"correction {i + 1}: {exc}"
            ) from None
    return Sidecar(
        path=path,
        reviewer=str(raw.get("reviewer", "")),
        source=str(raw.get("source", "")),
        sha256=str(raw.get("sha256", "")),
        saved=str(raw.get("saved", "")),
        journal=str(raw.get("journal", "")),
        corrections=corrections,
        digest=hashlib.sha256(data).hexdigest(),
    )


def _read_back(path: Path, data: bytes) -> Sidecar | None:
    try:
        return parse_sidecar(path, data)
    except SidecarError:
        return None


def read_sidecar(path: Path) -> Sidecar | None:
    """The sidecar at ``path``, or ``None`` when there is none.

    Raises:
        SidecarError: see ``parse_sidecar``; also an unreadable file.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SidecarError(path, None, f"cannot read: {exc.strerror or exc}") from None
    return parse_sidecar(path, data)


_SIDECAR_COMMENT = (
    "budget-tui corrections of one document by one reviewer (format 1).",
    "Each [[correction]] is one decision: kind, form, row, column, old and new text, who, when, why.",
    "Readable and, with care, editable; a broken file is reported with its line, never overwritten.",
)


def _split_sidecar(text: str) -> tuple[str, list[str]]:
    """The text before the first ``[[correction]]`` and each table's text.

    A table's text starts at the comments and blank lines just above its header, so a
    person's note above a correction travels with it.
    """
    lines = text.splitlines(keepends=True)
    starts = [n for n, line in enumerate(lines) if _TABLE_HEADER_RE.match(line)]
    bounds: list[int] = []
    for n in starts:
        floor = bounds[-1] + 1 if bounds else 0
        while n > floor and (not lines[n - 1].strip() or lines[n - 1].lstrip().startswith("#")):
            n -= 1
        bounds.append(n)
    if not bounds:
        return text, []
    chunks = ["".join(lines[a:b]) for a, b in zip(bounds, [*bounds[1:], len(lines)], strict=True)]
    return "".join(lines[: bounds[0]]), chunks


def render_sidecar(
    meta: dict[str, str | int],
    corrections: Sequence[Correction],
    existing: str | None = None,
    existing_items: Sequence[Correction] = (),
) -> str:
    """The sidecar text, written with tomlkit.

    With ``existing`` (the file as it is) and ``existing_items`` (its corrections, in order),
    the top section's comments and the text of every unchanged correction, comments
    included, are kept: a person's notes survive a save, and a save renders only the new
    entries (tomlkit needs about 1 ms per table, too slow to redo hundreds on every save).
    """
    import tomlkit

    head: str | None = None
    pool: dict[Correction, list[str]] = {}
    if existing:
        head, chunks = _split_sidecar(existing)
        if len(chunks) == len(existing_items):
            for old, chunk in zip(existing_items, chunks, strict=True):
                pool.setdefault(old, []).append(chunk)
    doc = None
    if head:
        with contextlib.suppress(Exception):
            doc = tomlkit.parse(head)
    if doc is None:
        doc = tomlkit.document()
        for line in _SIDECAR_COMMENT:
            doc.add(tomlkit.comment(line))
    for key, value in meta.items():
        doc[key] = value
    texts: list[str | None] = []
    for c in corrections:
        same = pool.get(c)
        texts.append(same.pop(0) if same else None)
    new = [c.to_dict() for c, t in zip(corrections, texts, strict=True) if t is None]
    fresh = iter(_split_sidecar(tomlkit.dumps({"correction": new}))[1] if new else [])
    parts = [tomlkit.dumps(doc).rstrip("\n") + "\n"]
    parts.extend("\n" + (t if t is not None else next(fresh)).strip("\n") + "\n" for t in texts)
    return "".join(parts)


# --- journal -------------------------------------------------------------------------------


Op = tuple[Literal["do", "undo", "redo"], Correction]


@dataclass
class Journal:
    """A journal as read: its id, its operations and the length of its intact prefix."""

    id: str = ""
    ops: list[Op] = field(default_factory=list)
    intact: int = 0
    """Bytes up to the last complete line; a line cut by a crash after it is ignored."""
    size: int = 0


def read_journal(path: Path) -> Journal:
    """Read a journal (missing = empty). A torn last line (no newline) is ignored.

    Raises:
        SidecarError: a complete line that is not a journal entry (with its line number).
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Journal()
    except OSError as exc:
        raise SidecarError(path, None, f"cannot read: {exc.strerror or exc}") from None
    end = data.rfind(b"\n") + 1
    journal = Journal(intact=end, size=len(data))
    for n, raw in enumerate(data[:end].split(b"\n")[:-1], 1):
        try:
            obj = json.loads(raw)
            if not isinstance(obj, dict):
                raise ValueError("not an object")
            op = obj.get("op")
            if n == 1:
                if op != "begin" or obj.get("format") != FORMAT_VERSION or not isinstance(obj.get("id"), str):
                    raise ValueError(f"the first line must begin a format-{FORMAT_VERSION} journal")
                journal.id = obj["id"]
                continue
            if op not in ("do", "undo", "redo") or not isinstance(obj.get("c"), dict):
                raise ValueError(f"unknown entry {op!r}")
            journal.ops.append((op, Correction.from_dict(obj["c"])))
        except ValueError as exc:  # json.JSONDecodeError and UnicodeDecodeError are ValueErrors
            raise SidecarError(path, n, f"bad journal entry: {exc}") from None
    return journal


def replay(base: Sequence[Correction], ops: Iterable[Op]) -> tuple[list[Correction], list[Correction]]:
    """Apply journal operations to a reviewer's saved list: ``(corrections, redo stack)``.

    ``undo`` removes the last equal entry (saved ones included, so undo reaches past a save);
    ``redo`` puts it back.
    """
    items = list(base)
    redo: list[Correction] = []
    for op, c in ops:
        if op == "do":
            items.append(c)
            redo.clear()
        elif op == "undo":
            for i in range(len(items) - 1, -1, -1):
                if items[i] == c:
                    del items[i]
                    redo.append(c)
                    break
        else:
            if c in redo:
                del redo[len(redo) - 1 - redo[::-1].index(c)]
            items.append(c)
    return items, redo


def compact(items: Sequence[Correction]) -> list[Correction]:
    """Fold a reviewer's history: successive edits of one cell become one (old = the first old),
    an edit back to the old text disappears, the last status of a form wins, accepts are unique.

    Edits are not folded across a shift or reassignment of their form, whose fingerprints
    depend on the cells' texts at that point.
    """
    out: list[Correction | None] = []
    cells: dict[tuple[str, str, str], int] = {}
    status: dict[str, int] = {}
    accepted: set[str] = set()
    for c in items:
        if c.kind in _CELL_KINDS:
            key = (c.form, c.row, c.column)
            i = cells.get(key)
            prev = out[i] if i is not None else None
            if i is not None and prev is not None and prev.new == c.old:
                merged = replace(c, old=prev.old, note=c.note or prev.note, finding=c.finding or prev.finding)
                out[i] = None if merged.new == merged.old else merged
                if out[i] is None:
                    del cells[key]
                continue
            cells[key] = len(out)
        elif c.kind in ("shift", "reassign"):
            touched = {c.form, c.new} if c.kind == "reassign" else {c.form}
            cells = {k: v for k, v in cells.items() if k[0] not in touched}
        elif c.kind == "status":
            i = status.get(c.form)
            prev = out[i] if i is not None else None
            if i is not None and prev is not None:
                out[i] = None if c.new == prev.old else replace(c, old=prev.old)
                if out[i] is None:
                    del status[c.form]
                continue
            status[c.form] = len(out)
        elif c.finding in accepted:
            continue
        else:
            accepted.add(c.finding)
        out.append(c)
    return [c for c in out if c is not None]


# --- merging reviewers ---------------------------------------------------------------------


@dataclass(frozen=True)
class Conflict:
    """Reviewers set one cell, from the same old text, to different values."""

    form: str
    row: str
    column: str
    old: str
    candidates: tuple[Correction, ...]
    chosen: Correction
    """The latest one, which is applied; the others are not."""

    def __str__(self) -> str:
        alts = ", ".join(f"{c.who}: {c.new!r}" for c in self.candidates)
        return (
            f"conflict in {self.form} / {self.row} / {self.column} (was {self.old!r}): {alts}; "
            f"applying {self.chosen.who}'s (latest)"
        )


def _when_key(c: Correction) -> float:
    try:
        return datetime.fromisoformat(c.when).timestamp()
    except ValueError:
        return float("-inf")


def merge_reviewers(lists: Sequence[Sequence[Correction]]) -> tuple[list[Correction], list[Conflict]]:
    """Interleave reviewers' lists by time (each list keeps its own order) and settle conflicts.

    Two reviewers who set the same cell from the same old text to different values conflict:
    the latest is kept, the others are dropped and the conflict is reported. Agreeing
    reviewers and chained edits (one corrects the other's value) are not conflicts.
    """
    merged = list(heapq.merge(*lists, key=_when_key))
    groups: dict[tuple[str, str, str, str], dict[str, Correction]] = {}
    for c in merged:
        if c.kind in _CELL_KINDS:
            groups.setdefault((c.form, c.row, c.column, c.old), {})[c.who] = c
    conflicts: list[Conflict] = []
    losers: set[int] = set()
    for (form, row, column, old), by_who in groups.items():
        finals = list(by_who.values())
        if len(finals) < 2 or len({c.new for c in finals}) < 2:
            continue
        chosen = max(finals, key=_when_key)
        conflicts.append(Conflict(form, row, column, old, tuple(finals), chosen))
        losers |= {id(c) for c in finals if c.new != chosen.new}
    return [c for c in merged if id(c) not in losers], conflicts


# --- the store -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LockHolder:
    """Who has a document open for editing."""

    who: str
    host: str
    pid: int
    since: str

    def __str__(self) -> str:
        return f"{self.who} on {self.host} (pid {self.pid}, since {self.since})"


class ReadOnlyError(Exception):
    """An edit on a store that does not hold the document's lock."""


class LockedError(ReadOnlyError):
    """Another process holds the document; ``holder`` says who when it could be read."""

    def __init__(self, source: str, holder: LockHolder | None) -> None:
        self.holder = holder
        who = str(holder) if holder else "another budget-tui process"
        super().__init__(f"{source} is open for editing by {who}; it can only be read")


@dataclass
class Review:
    """Every reviewer's corrections of one document, merged."""

    corrections: list[Correction]
    conflicts: list[Conflict] = field(default_factory=list)
    sidecars: list[Sidecar] = field(default_factory=list)
    unsaved: int = 0
    """Journal entries of this reviewer not yet saved (included only when asked)."""
    journal_included: bool = False
    notes: list[Problem] = field(default_factory=list)
    """Warnings for the user: location fallback, unsaved journal, changed source, conflicts."""

    source_sha256: str = ""
    """sha256 of the source as it is now."""

    @property
    def changed_source(self) -> list[Sidecar]:
        """Sidecars saved against another version of the source (a re-extraction)."""
        return [s for s in self.sidecars if s.sha256 and s.sha256 != self.source_sha256]


class ReviewStore:
    """One reviewer's corrections of one document: journal, sidecar, lock, undo and redo.

    Reading (``load_all``) needs no lock. Editing (``record``, ``undo``, ``redo``, ``save``)
    needs ``acquire()``: the second process to open a document is told who holds it and
    stays read-only. Every edit is in the journal (fsynced) before ``record`` returns.
    Redo history lasts until the next save; undo reaches past saves (it removes saved
    entries, which the next save then leaves out).
    """

    def __init__(
        self,
        source: str | os.PathLike[str],
        *,
        reviewer: str | None = None,
        review_dir: str | os.PathLike[str] | None = None,
        sha256: str | None = None,
    ) -> None:
        self.source = Path(source)
        self.reviewer = reviewer or default_reviewer()
        self.location = review_location(self.source, review_dir)
        self._review_dir = review_dir
        folder, name, slug = self.location.folder, self.source.name, reviewer_slug(self.reviewer)
        self.sidecar_path = folder / f"{name}.{slug}.review.toml"
        self.journal_path = folder / f"{name}.{slug}.journal"
        self.lock_path = folder / f"{name}.lock"
        self._sha256 = sha256
        self._held = False
        self._lock: Any = None
        self._base: list[Correction] = []
        self._items: list[Correction] = []
        self._redo: list[Correction] = []
        self._digest: str | None = None
        self._compacted = ""
        self._journal_id = ""
        self._ops = 0
        self._fh: IO[bytes] | None = None

    # properties

    @property
    def read_only(self) -> bool:
        """True until ``acquire`` succeeds (and after ``release``)."""
        return not self._held

    @property
    def sha256(self) -> str:
        """sha256 of the source's bytes (as ``Document.sha256``)."""
        if self._sha256 is None:
            self._sha256 = hashlib.sha256(self.source.read_bytes()).hexdigest()
        return self._sha256

    @property
    def unsaved(self) -> int:
        """Edits, undos and redos in the journal since the last save."""
        return self._ops

    @property
    def corrections(self) -> list[Correction]:
        """This reviewer's current corrections (saved and unsaved), oldest first."""
        return list(self._items)

    @property
    def can_undo(self) -> bool:
        return bool(self._items)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    # locking

    def acquire(self, timeout: float = 0.0) -> LockHolder | None:
        """Take the document for editing; ``None`` on success, else who holds it (read-only).

        Loads this reviewer's sidecar and any left-over journal (``unsaved`` > 0 then: offer
        to keep or ``discard_journal``), repairs a journal cut by a crash and removes temp
        files of interrupted saves.

        Raises:
            SidecarError: this reviewer's sidecar or journal is broken (the lock is released).
        """
        from filelock import FileLock, Timeout

        if self._held:
            return None
        self.location.folder.mkdir(parents=True, exist_ok=True)
        if self._lock is None:
            self._lock = FileLock(str(self.lock_path), thread_local=False, on_acquired=self._write_holder)
        try:
            self._lock.acquire(timeout=timeout)
        except Timeout:
            return self.lock_holder() or LockHolder("another budget-tui process", "?", 0, "")
        try:
            clean_temp_files(self.location.folder, rf"{re.escape(self.source.name)}\.[^.]+\.review\.toml")
            self._load_own(repair=True)
        except BaseException:
            self._lock.release()
            raise
        self._held = True
        return None

    @contextlib.contextmanager
    def hold(self, timeout: float = 10.0) -> Iterator[ReviewStore]:
        """``acquire`` for a block (headless commands), waiting up to ``timeout`` seconds.

        Raises:
            LockedError: still held by someone else after ``timeout``.
        """
        already = self._held
        holder = self.acquire(timeout)
        if holder is not None:
            raise LockedError(str(self.source), holder)
        try:
            yield self
        finally:
            if not already:
                self.release()

    def release(self) -> None:
        """Give the document up (unsaved edits stay in the journal)."""
        self._close_journal()
        if self._held:
            with contextlib.suppress(OSError):
                os.truncate(self.lock_path, 0)
            self._lock.release()
            self._held = False

    def _write_holder(self, fd: int) -> None:
        info = {"who": self.reviewer, "host": socket.gethostname(), "pid": os.getpid(), "since": now_iso()}
        data = json.dumps(info, ensure_ascii=False).encode("utf-8")
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, data)

    def lock_holder(self) -> LockHolder | None:
        """Who holds the document as its lock file says (``None`` if it says nothing)."""
        try:
            info = json.loads(self.lock_path.read_bytes() or b"null")
            return LockHolder(str(info["who"]), str(info["host"]), int(info["pid"]), str(info["since"]))
        except (OSError, ValueError, TypeError, KeyError):
            return None

    # loading

    def _load_own(self, *, repair: bool) -> None:
        sidecar = read_sidecar(self.sidecar_path)
        self._base = list(sidecar.corrections) if sidecar else []
        self._digest = sidecar.digest if sidecar else None
        self._compacted = sidecar.journal if sidecar else ""
        journal = read_journal(self.journal_path)
        if journal.id and journal.id == self._compacted:
            journal = Journal()  # compacted by a save that was killed before deleting it
            if repair:
                self._remove_journal()
        elif repair and journal.intact < journal.size:
            with open(self.journal_path, "r+b") as fh:
                fh.truncate(journal.intact)
                os.fsync(fh.fileno())
        self._journal_id = journal.id
        self._ops = len(journal.ops)
        self._items, self._redo = replay(self._base, journal.ops)

    def pending_journal(self) -> int:
        """Entries of a left-over journal (edits not saved before the app stopped)."""
        if self._held:
            return self._ops
        journal = read_journal(self.journal_path)
        sidecar = read_sidecar(self.sidecar_path)
        return 0 if sidecar and journal.id == sidecar.journal else len(journal.ops)

    def discard_journal(self) -> None:
        """Drop unsaved edits (the user declined to restore them)."""
        self._require_held()
        self._remove_journal()
        self._journal_id, self._ops = "", 0
        self._items, self._redo = list(self._base), []

    def _remove_journal(self) -> None:
        self._close_journal()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.journal_path)
        fsync_dir(self.journal_path.parent)

    def load_all(self, *, include_journal: bool = True) -> Review:
        """Every reviewer's saved corrections of this document, merged by time.

        This reviewer's unsaved journal is included unless ``include_journal`` is false
        (``check`` and ``export`` apply saved corrections only, and warn).

        Raises:
            SidecarError: a broken sidecar or journal (names the file and line).
        """
        if self._held:
            own, unsaved = (self._items if include_journal else self._base), self._ops
            own_sidecar = read_sidecar(self.sidecar_path)
        else:
            own_sidecar = read_sidecar(self.sidecar_path)
            journal = read_journal(self.journal_path)
            if own_sidecar and journal.id == own_sidecar.journal:
                journal = Journal()
            base = own_sidecar.corrections if own_sidecar else []
            unsaved = len(journal.ops)
            own = replay(base, journal.ops)[0] if include_journal else base
        sidecars = [own_sidecar] if own_sidecar else []
        lists: list[Sequence[Correction]] = [own]
        for other in self._other_sidecars():
            sidecars.append(other)
            lists.append(other.corrections)
        merged, conflicts = merge_reviewers(lists)
        review = Review(
            merged, conflicts, sidecars, unsaved, include_journal and unsaved > 0, source_sha256=self.sha256
        )
        source = str(self.source)
        if self.location.message and (sidecars or unsaved):  # else nothing to say to check/export
            review.notes.append(Problem(source, None, self.location.message))
        if unsaved and not include_journal:
            review.notes.append(
                Problem(
                    str(self.journal_path),
                    None,
                    f"{unsaved} unsaved edit(s) not included: open the document in the app to restore them",
                )
            )
        for s in review.changed_source:
            review.notes.append(
                Problem(
                    str(s.path),
                    None,
                    f"saved for another version of {self.source.name}: corrections are re-applied only where "
                    "their cells still read as before",
                )
            )
        review.notes.extend(Problem(source, None, str(c)) for c in conflicts)
        return review

    def _other_sidecars(self) -> Iterator[Sidecar]:
        for path in review_files(self.source, self._review_dir, r"review\.toml"):
            if path != self.sidecar_path:
                sidecar = read_sidecar(path)
                if sidecar is not None:
                    yield sidecar

    # editing

    def _require_held(self) -> None:
        if not self._held:
            raise ReadOnlyError(f"{self.source} is open read-only: acquire() it before editing")

    def _append(self, op: str, c: Correction) -> None:
        """Write one journal line and fsync it before returning (the crash-safety promise)."""
        lines = []
        if self._fh is None:
            new = not self._journal_id
            if new:
                self._journal_id = secrets.token_hex(8)
                head = {
                    "op": "begin",
                    "format": FORMAT_VERSION,
                    "id": self._journal_id,
                    "sha256": self.sha256,
                }
                lines.append(json.dumps(head))
            self._fh = open(self.journal_path, "ab")  # noqa: SIM115 - kept open while the document is held
            if new:
                fsync_dir(self.journal_path.parent)
        lines.append(json.dumps({"op": op, "c": c.to_dict()}, ensure_ascii=False))
        self._fh.write(("\n".join(lines) + "\n").encode("utf-8"))
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._ops += 1

    def _close_journal(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def record(self, c: Correction) -> Correction:
        """Journal one correction (stamped with this reviewer and the time if blank).

        Returns only once the entry is on disk, so a caller that shows it afterwards never
        shows an edit a crash could lose.

        Raises:
            ReadOnlyError: the document is not held.
            ValueError: a malformed correction (see ``check_correction``).
        """
        self._require_held()
        c = replace(c, who=c.who or self.reviewer, when=c.when or now_iso())
        check_correction(c)
        self._append("do", c)
        self._items.append(c)
        self._redo.clear()
        return c

    def undo(self) -> Correction | None:
        """Withdraw this reviewer's latest correction (journalled); ``None`` if there is none."""
        self._require_held()
        if not self._items:
            return None
        c = self._items[-1]
        self._append("undo", c)
        self._items.pop()
        self._redo.append(c)
        return c

    def redo(self) -> Correction | None:
        """Put back the latest undone correction (journalled); ``None`` if there is none."""
        self._require_held()
        if not self._redo:
            return None
        c = self._redo[-1]
        self._append("redo", c)
        self._redo.pop()
        self._items.append(c)
        return c

    def save(self) -> Path:
        """Compact the journal into the sidecar atomically, then delete the journal.

        Raises:
            ReadOnlyError: the document is not held.
            SidecarError: the sidecar changed on disk since it was loaded (edited by hand
                while open) or is broken: it is not overwritten, edits stay in the journal.
        """
        self._require_held()
        existing = None
        with contextlib.suppress(FileNotFoundError):
            existing = self.sidecar_path.read_bytes()
        digest = hashlib.sha256(existing).hexdigest() if existing is not None else None
        if digest != self._digest:
            raise SidecarError(
                self.sidecar_path,
                None,
                f"changed on disk since it was opened (edited by hand?), so it was not overwritten; "
                f"unsaved edits are safe in {self.journal_path.name}: reopen the document to merge them",
            )
        if self._ops == 0:
            return self.sidecar_path
        entries = compact(self._items)
        meta: dict[str, str | int] = {
            "format": FORMAT_VERSION,
            "source": self.source.name,
            "sha256": self.sha256,
            "reviewer": self.reviewer,
            "saved": now_iso(),
            "journal": self._journal_id or self._compacted,
        }
        data = render_sidecar(
            meta, entries, existing.decode("utf-8") if existing else None, self._base
        ).encode()
        check = _read_back(self.sidecar_path, data)  # never write a file we could not read back
        if check is None or check.corrections != entries:  # a hand-made layout reuse cannot follow
            data = render_sidecar(meta, entries).encode()
            check = parse_sidecar(self.sidecar_path, data)
        if check.corrections != entries:  # pragma: no cover - a tomlkit bug would land here
            raise SidecarError(self.sidecar_path, None, "sidecar did not read back as written; not saved")
        atomic_write_bytes(self.sidecar_path, data)
        self._remove_journal()
        self._base, self._items, self._redo = list(entries), list(entries), []
        self._digest, self._compacted = check.digest, check.journal
        self._journal_id, self._ops = "", 0
        return self.sidecar_path

    def close(self) -> None:
        """Release the document (alias of ``release``)."""
        self.release()


# --- applying corrections to a document ----------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What became of one correction when applied to a document."""

    correction: Correction
    applied: bool
    reason: str = ""
    """Why it was not applied (empty when applied)."""


@dataclass
class ApplyReport:
    """Result of ``apply_corrections``."""

    outcomes: list[Outcome] = field(default_factory=list)
    accepted: set[str] = field(default_factory=set)
    """Ids of findings marked "published as is"."""
    statuses: dict[str, str] = field(default_factory=dict)
    """Review status by form id (forms not listed are ``unreviewed``)."""

    @property
    def applied(self) -> list[Correction]:
        return [o.correction for o in self.outcomes if o.applied]

    @property
    def not_applied(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.applied]


def apply_corrections(doc: Document, corrections: Iterable[Correction]) -> ApplyReport:
    """Apply corrections in order to a freshly parsed document (mutating it).

    A cell correction applies only when its form, row and column keys still resolve and the
    cell still reads ``old`` (after a re-extraction the source may have changed); otherwise
    it is listed with the reason, never guessed. Shifts check the row's cells the same way.
    Reassignments move rows between forms or give a whole form another id; what they cannot
    do (different widths, a partial block to a form without a table) is listed as not
    applied. Accepts and statuses only fill ``accepted`` / ``statuses``; marking findings
    is ``mark_accepted``'s job.
    """
    report = ApplyReport()
    for c in corrections:
        reason = _APPLIERS[c.kind](doc, c, report)
        report.outcomes.append(Outcome(c, reason is None, reason or ""))
    return report


def _locate(doc: Document, c: Correction) -> tuple[Form, Table] | str:
    form = doc.forms.get(c.form)
    if form is None:
        return f"form {c.form!r} is no longer in the document"
    if form.table is None:
        return f"form {c.form!r} has no table any more"
    return form, form.table


def _apply_cell(doc: Document, c: Correction, report: ApplyReport) -> str | None:
    found = _locate(doc, c)
    if isinstance(found, str):
        return found
    form, table = found
    try:
        _, r, j = _resolve(form, c.row, c.column)
    except ValueError as exc:
        return f"{exc} any more"
    if r < 0:
        return _apply_header(table, -r - 1, j, c)
    current = table.rows[r].texts[j]
    if current != c.old:
        if current == c.new and (r, j) in table.overrides:
            return None  # another reviewer made the same correction
        if current == c.new:
            return f"the source now reads {c.new!r}: the correction is no longer needed"
        return f"the cell now reads {current!r}, not {c.old!r} as when it was corrected"
    table.set_text(r, j, c.new)
    if table.columns[j].role in ("label", "code"):
        _refresh_row(table, r)
    return None


def _refresh_row(table: Table, r: int) -> None:
    """Recompute a row's code, label and total flag after an edit; its key stays (keys are ids)."""
    row = table.rows[r]
    key = row.key
    key_rows([row], table.columns)
    row.key = key


def _apply_header(table: Table, level: int, j: int, c: Correction) -> str | None:
    cells = table.header[level]
    current = cells[j] if j < len(cells) else ""
    if current != c.old:
        return f"the header label now reads {current!r}, not {c.old!r} as when it was corrected"
    cells.extend([""] * (j + 1 - len(cells)))
    cells[j] = c.new
    paths = build_columns(table.header, [row.texts for row in table.rows], table.width)
    # Column keys stay as parsed: they are the ids corrections and findings refer to.
    table.columns = [
        Column(old.key, new.path, old.role) for old, new in zip(table.columns, paths, strict=True)
    ]
    return None


def _apply_shift(doc: Document, c: Correction, report: ApplyReport) -> str | None:
    found = _locate(doc, c)
    if isinstance(found, str):
        return found
    form, table = found
    try:
        _, r, j = _resolve(form, c.row, c.column)
    except ValueError as exc:
        return f"{exc} any more"
    row = table.rows[r]
    if "\t".join(row.texts[j:]) != c.old:
        return "the row's cells no longer read as when the shift was made"
    n = int(c.new)
    try:
        _shifted(row.texts, j, n)
    except ValueError as exc:
        return str(exc)
    texts = _shift_list(row.texts, j, n, "")
    lines, srccols = _shift_list(row.lines, j, n, 0), _shift_list(row.srccols, j, n, -1)
    for k, text in enumerate(texts):
        if text != row.texts[k]:
            table.set_text(r, k, text)
    row.lines[:], row.srccols[:] = lines, srccols
    _refresh_row(table, r)
    return None


def _apply_reassign(doc: Document, c: Correction, report: ApplyReport) -> str | None:
    found = _locate(doc, c)
    if isinstance(found, str):
        return found
    form, table = found
    start = 0
    if c.row:
        try:
            start = table.row_index(c.row)
        except KeyError:
            return f"form {c.form} has no row {c.row!r} any more"
    block = table.rows[start:]
    if "\t".join(r.key for r in block) != c.old:
        return "the block's rows are no longer the ones that were reassigned"
    target = doc.forms.get(c.new)
    if target is None or target.table is None:
        if start:
            return f"form {c.new} has no table: only a whole form can become it"
        _rename_form(doc, form, c.new, target)
        return None
    if target.table.width != table.width:
        return f"form {c.new} has {target.table.width} columns, the block {table.width}: not moved"
    _append_rows(table, start, target.table)
    if not table.rows:
        del doc.forms[c.form]
    return None


def _rename_form(doc: Document, form: Form, new_id: str, placeholder: Form | None) -> None:
    """Give a whole form another id (and kind), replacing a table-less placeholder of that id."""
    old_id = form.id
    form.id = new_id
    base = new_id.split("#")[0]
    if base in FORM_KINDS:
        form.kind = base
    if placeholder is not None:
        form.title, form.number = placeholder.title or form.title, placeholder.number or form.number
    doc.forms = {(new_id if k == old_id else k): v for k, v in doc.forms.items() if k != new_id or v is form}


def _append_rows(src: Table, start: int, dst: Table) -> None:
    """Move ``src.rows[start:]`` to the end of ``dst`` with their corrections; keys stay unique."""
    base = len(dst.rows)
    taken = {r.key for r in dst.rows}
    for n, row in enumerate(src.rows[start:]):
        key = stem = re.sub(r"#\d+$", "", row.key)
        k = 2
        while key in taken:
            key, k = f"{stem}#{k}", k + 1
        row.key = key
        taken.add(key)
        dst.rows.append(row)
        for (r, j), text in list(src.overrides.items()):
            if r == start + n:
                dst.overrides[(base + n, j)] = text
                del src.overrides[(r, j)]
    del src.rows[start:]


def _apply_accept(doc: Document, c: Correction, report: ApplyReport) -> str | None:
    report.accepted.add(c.finding)
    return None


def _apply_status(doc: Document, c: Correction, report: ApplyReport) -> str | None:
    if c.form not in doc.forms:
        return f"form {c.form!r} is no longer in the document"
    report.statuses[c.form] = c.new
    return None


_APPLIERS = {
    "value": _apply_cell,
    "text": _apply_cell,
    "shift": _apply_shift,
    "reassign": _apply_reassign,
    "accept": _apply_accept,
    "status": _apply_status,
}


def mark_accepted(findings: Iterable[Finding], accepted: set[str]) -> set[str]:
    """Set ``accepted`` on findings whose id is in ``accepted``; return the ids no finding has
    any more (the issue was fixed or the source changed)."""
    seen: set[str] = set()
    for f in findings:
        if f.id in accepted:
            f.accepted = True
            seen.add(f.id)
    return accepted - seen


def apply_review(
    doc: Document,
    *,
    reviewer: str | None = None,
    review_dir: str | os.PathLike[str] | None = None,
    include_journal: bool = False,
) -> tuple[Review, ApplyReport]:
    """Load every reviewer's saved corrections of ``doc`` and apply them (``check``/``export``).

    Raises:
        SidecarError: a broken sidecar.
        OSError: no folder for review files could be found or made.
    """
    store = ReviewStore(doc.path, reviewer=reviewer, review_dir=review_dir, sha256=doc.sha256)
    review = store.load_all(include_journal=include_journal)
    return review, apply_corrections(doc, review.corrections)


def not_applied_notes(doc: Document, report: ApplyReport) -> list[Problem]:
    """One note per correction that no longer applies, saying why."""
    return [
        Problem(
            doc.path,
            None,
            f"correction not applied: {describe(o.correction)} ({o.correction.who}): {o.reason}",
        )
        for o in report.not_applied
    ]


def apply_saved_corrections(
    doc: Document, *, reviewer: str | None = None, review_dir: str | os.PathLike[str] | None = None
) -> tuple[set[str], list[Problem]]:
    """For ``check``: apply every reviewer's saved corrections to ``doc``, never raising for bad files.

    Returns:
        The ids of findings marked published as is, and notes for the user (a broken sidecar
        with its line, an unsaved journal, corrections that no longer apply, conflicts).
    """
    try:
        review, report = apply_review(doc, reviewer=reviewer, review_dir=review_dir)
    except SidecarError as exc:
        return set(), [Problem(exc.path, exc.line, f"{exc.message} (no corrections applied)")]
    return set(report.accepted), [*review.notes, *not_applied_notes(doc, report)]


__all__ = [
    "FORMAT_VERSION",
    "HEADER_ROW",
    "KINDS",
    "STATUSES",
    "ApplyReport",
    "Conflict",
    "Correction",
    "LockHolder",
    "LockedError",
    "Outcome",
    "ReadOnlyError",
    "Review",
    "ReviewLocation",
    "ReviewStore",
    "Sidecar",
    "SidecarError",
    "apply_corrections",
    "apply_review",
    "apply_saved_corrections",
    "atomic_write_bytes",
    "cell_correction",
    "check_correction",
    "clean_temp_files",
    "compact",
    "default_reviewer",
    "describe",
    "header_key",
    "inverse",
    "mark_accepted",
    "merge_reviewers",
    "not_applied_notes",
    "now_iso",
    "parse_sidecar",
    "read_sidecar",
    "reassign_correction",
    "render_sidecar",
    "replay",
    "review_folders",
    "review_location",
    "reviewer_slug",
    "shift_correction",
    "suggested_correction",
    "validate_text",
    "validate_value",
]

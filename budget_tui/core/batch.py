"""Batch checking: one document per task, compact JSON-ready results, optional process pool."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from budget_tui.core.errors import Problem
from budget_tui.core.source import UnreadableSource, _walk, iter_source_paths, read_source


@dataclass(frozen=True)
class CheckOptions:
    """What a batch check applies; picklable so workers get it."""

    corrections: bool = True
    reviewer: str | None = None
    review_dir: str | None = None
    cache: bool = True


@functools.cache
def code_fingerprint() -> str:
    """A digest of the parser and rules' source: any change to them invalidates the cache."""
    core = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for f in sorted([*core.glob("*.py"), *core.glob("rules/*.py")]):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def cache_dir() -> Path:
    """``$BUDGET_TUI_CACHE_DIR`` or the user's cache folder (platformdirs)."""
    env = os.environ.get("BUDGET_TUI_CACHE_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("budget-tui")) / "check"


def review_fingerprint(path: str, options: CheckOptions) -> str:
    """A digest of every sidecar and journal of ``path`` (so a saved correction re-checks)."""
    if not options.corrections:
        return "raw"
    h = hashlib.sha256((options.reviewer or "").encode())
    parent, name = os.path.split(path)
    for folder in _folders(parent, options.review_dir):
        try:
            stamp = os.stat(folder).st_mtime_ns
        except OSError:
            continue
        for f in _review_files(folder, stamp).get(name, ()):
            h.update(f.encode())
            try:
                h.update((folder / f).read_bytes())
            except OSError:
                h.update(b"?")
    return h.hexdigest()


@functools.lru_cache(maxsize=256)
def _folders(parent: str, review_dir: str | None) -> list[Path]:
    """Review folders of any source in ``parent`` (they depend on the folder only)."""
    from budget_tui.core.corrections import review_folders

    return review_folders(Path(parent) / "_", review_dir)


@functools.lru_cache(maxsize=64)
def _review_files(folder: Path, stamp: int) -> dict[str, list[str]]:
    """Sidecars and journals in ``folder`` by source name, listed once per folder version.

    A folder of 10,000 sources must not be scanned once per source; ``stamp`` (the folder's
    mtime) changes whenever a file is added or removed, which refreshes the listing.
    """
    out: dict[str, list[str]] = {}
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return out
    for f in names:
        for suffix in (".review.toml", ".journal"):
            if f.endswith(suffix):
                source = f[: -len(suffix)].rsplit(".", 1)[0]
                out.setdefault(source, []).append(f)
    return out


def _cache_file(sha: str, path: str, options: CheckOptions) -> Path:
    key = hashlib.sha256(
        "|".join(
            (sha, review_fingerprint(path, options), code_fingerprint(), str(options.corrections))
        ).encode()
    ).hexdigest()
    return Path(f"{_cache_root(os.environ.get('BUDGET_TUI_CACHE_DIR'))}/{key[:2]}/{key}.json")


@functools.lru_cache(maxsize=8)
def _cache_root(env: str | None) -> str:
    """``cache_dir()`` as a string, computed once per value of the environment variable."""
    return os.fspath(cache_dir())


@dataclass
class Result:
    """One document's check result, compact: its JSON text plus what the CLI needs to decide.

    Workers return these (not parsed tables), and the cache stores them, so a cached
    document is written out without being decoded and re-encoded.
    """

    path: str
    text: str
    """The document's object of the ``check`` JSON schema, serialised."""
    errors: list[dict[str, Any]]
    failing: dict[str, int]
    """Unaccepted findings by severity."""
    unreadable: bool = False

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = json.loads(self.text)
        if self.unreadable:
            out["unreadable"] = True
        return out

    def fails(self, levels: Iterable[str]) -> bool:
        return any(self.failing.get(level, 0) for level in levels)


def _encode(path: str, doc: dict[str, Any], unreadable: bool = False) -> Result:
    failing: dict[str, int] = {}
    for f in doc["findings"]:
        if not f["accepted"]:
            failing[f["severity"]] = failing.get(f["severity"], 0) + 1
    return Result(path, json.dumps(doc, ensure_ascii=False), doc["errors"], failing, unreadable)


def _with_path(path: str, body: str) -> str:
    """A cached document's JSON with this caller's path put first."""
    rest = body[1:].lstrip()
    return "{" + '"path": ' + json.dumps(path, ensure_ascii=False) + (", " + rest if rest != "}" else "}")


def check_result(path: str, options: CheckOptions = CheckOptions()) -> Result:
    """Parse and check one file (or take it from the cache); never raises for bad input.

    Results are cached by source digest, sidecar digest and code version: a re-check of
    an unchanged file costs reading and hashing it.
    """
    cached = _cache_key(path, options)
    if cached is not None:
        hit = _load(cached, path)
        if hit is not None:
            return hit
    result = _check_file(path, options)
    if cached is not None and not result.unreadable:
        _store(cached, result)
    return result


def check_file(path: str, options: CheckOptions = CheckOptions()) -> dict[str, Any]:
    """:func:`check_result` as the JSON object of the ``check`` schema (``unreadable`` added
    for a file that is not text)."""
    return check_result(path, options).as_dict()


def _store(file: Path, result: Result) -> None:
    """Write a cache entry atomically; a cache that cannot be written is just skipped.

    Line 1: what the CLI needs (errors, failing counts); line 2: the document's JSON
    without its path (the same content may sit at several paths).
    """
    doc = json.loads(result.text)
    doc.pop("path", None)
    head = json.dumps({"errors": result.errors, "failing": result.failing}, ensure_ascii=False)
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            fh.write((head + "\n" + json.dumps(doc, ensure_ascii=False)).encode("utf-8"))
        os.replace(tmp, file)
    except OSError:
        pass


def _check_file(path: str, options: CheckOptions) -> Result:
    # Imported here: a re-check answered from the cache never loads the parser or the rules.
    from budget_tui.core.check import run_checks
    from budget_tui.core.document import parse_document
    from budget_tui.core.serialize import document_head, form_summary, problem_dict

    try:
        src = read_source(Path(path))
    except UnreadableSource as exc:
        doc = {
            "path": path,
            "forms": [],
            "findings": [],
            "errors": [{"path": exc.path, "line": exc.line, "message": exc.message}],
        }
        return _encode(path, doc, unreadable=True)
    parsed = parse_document(src)
    accepted: set[str] = set()
    notes: list[Problem] = []
    if options.corrections:
        accepted, notes = apply_saved(parsed, options)
    findings = run_checks(parsed, accepted)
    out = document_head(parsed)
    out["forms"] = [form_summary(f) for f in parsed.forms.values()]
    out["findings"] = [f.as_dict() for f in findings]
    out["errors"] = [problem_dict(p) for p in [*parsed.problems, *notes]]
    return _encode(path, out)


def apply_saved(doc: Any, options: CheckOptions) -> tuple[set[str], list[Problem]]:
    """Apply a document's saved corrections (if the corrections store is available)."""
    from budget_tui.core.corrections import apply_saved_corrections

    accepted, notes = apply_saved_corrections(doc, reviewer=options.reviewer, review_dir=options.review_dir)
    return set(accepted), list(notes)


def _check_many(paths: list[str], options: CheckOptions) -> list[Result]:
    return [check_result(p, options) for p in paths]


def source_files(paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    """Every source file under ``paths``, in order: ``str`` of each `iter_source_paths` item.

    A folder's files are kept as the strings the walk yields: making a ``Path`` of each of
    10,000 files and a string of it again took 0.12 s, four times the walk itself. Under a
    folder already spelled as ``Path`` spells it, ``folder/name`` is spelled the same way.
    """
    out: list[str] = []
    for raw in paths:
        top = str(Path(raw))
        if not os.path.isdir(top):
            out.append(top)
        elif top == ".":  # Path("./name") drops the "./"
            out.extend(str(p) for p in iter_source_paths([raw]))
        else:
            out.extend(sorted(_walk(top)))
    return out


def iter_checks(files: list[str], options: CheckOptions, jobs: int = 1, chunk: int = 16) -> Iterator[Result]:
    """Check every file, yielding results in input order as they complete.

    With ``jobs > 1`` workers read, hash (for the cache) and parse their own files and send
    back only the compact result (returning parsed tables costs more to pickle than to
    parse again). At most a few chunks per worker are in flight, so memory stays flat
    however long the list is.
    """
    if jobs <= 1 or len(files) <= 1:
        for f in files:
            yield check_result(f, options)
        return
    window = 4 * jobs
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        pending: deque[Future[list[Result]]] = deque()
        for i in range(0, len(files), chunk):
            pending.append(pool.submit(_check_many, files[i : i + chunk], options))
            while len(pending) > window or (pending and pending[0].done()):
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def _cache_key(path: str, options: CheckOptions) -> Path | None:
    """The cache file for ``path`` as it is now (reads and hashes it), ``None`` without a cache."""
    if not options.cache:
        return None
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    return _cache_file(hashlib.sha256(data).hexdigest(), path, options)


def _load(cached: Path, path: str) -> Result | None:
    try:
        head, _, body = cached.read_bytes().decode("utf-8").partition("\n")
        meta = json.loads(head)
        return Result(path, _with_path(path, body), meta["errors"], meta["failing"])
    except (OSError, ValueError, KeyError):
        return None


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)

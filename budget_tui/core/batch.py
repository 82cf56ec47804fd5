"""Batch checking: one document per task, compact JSON-ready results, optional process pool."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from budget_tui.core.check import run_checks
from budget_tui.core.document import parse_document
from budget_tui.core.errors import Problem
from budget_tui.core.serialize import document_head, form_summary, problem_dict
from budget_tui.core.source import UnreadableSource, iter_source_paths, read_source


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
    try:
        from budget_tui.core.corrections import review_folders
    except ImportError:  # pragma: no cover
        return "none"
    h = hashlib.sha256((options.reviewer or "").encode())
    name = Path(path).name
    for folder in review_folders(path, options.review_dir):
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
    return cache_dir() / key[:2] / f"{key}.json"


def check_file(path: str, options: CheckOptions = CheckOptions()) -> dict[str, Any]:
    """Parse and check one file; returns the JSON object of the ``check`` schema.

    Results are cached by source digest, sidecar digest and code version: a re-check of
    an unchanged file costs reading and hashing it. Never raises for bad input: an
    unreadable file becomes an ``errors`` entry.
    """
    if options.cache:
        try:
            data = Path(path).read_bytes()
        except OSError:
            data = None
        if data is not None:
            cached = _cache_file(hashlib.sha256(data).hexdigest(), path, options)
            try:
                out: dict[str, Any] = json.loads(cached.read_bytes())
            except (OSError, ValueError):
                pass
            else:
                out["path"] = path
                return out
            result = _check_file(path, options)
            if not result.get("unreadable"):
                _store(cached, result)
            return result
    return _check_file(path, options)


def _store(file: Path, result: dict[str, Any]) -> None:
    """Write a cache entry atomically; a cache that cannot be written is just skipped."""
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(json.dumps(result, ensure_ascii=False).encode("utf-8"))
        os.replace(tmp, file)
    except OSError:
        pass


def _check_file(path: str, options: CheckOptions) -> dict[str, Any]:
    try:
        src = read_source(Path(path))
    except UnreadableSource as exc:
        return {
            "path": path,
            "forms": [],
            "findings": [],
            "errors": [{"path": exc.path, "line": exc.line, "message": exc.message}],
            "unreadable": True,
        }
    doc = parse_document(src)
    accepted: set[str] = set()
    notes: list[Problem] = []
    if options.corrections:
        accepted, notes = apply_saved(doc, options)
    findings = run_checks(doc, accepted)
    out = document_head(doc)
    out["forms"] = [form_summary(f) for f in doc.forms.values()]
    out["findings"] = [f.as_dict() for f in findings]
    out["errors"] = [problem_dict(p) for p in [*doc.problems, *notes]]
    return out


def apply_saved(doc: Any, options: CheckOptions) -> tuple[set[str], list[Problem]]:
    """Apply a document's saved corrections (if the corrections store is available)."""
    try:
        from budget_tui.core import corrections
    except ImportError:  # pragma: no cover - store not installed in this build
        return set(), []
    apply = getattr(corrections, "apply_saved_corrections", None)
    if apply is None:  # pragma: no cover
        return set(), []
    accepted, notes = apply(doc, reviewer=options.reviewer, review_dir=options.review_dir)
    return set(accepted), list(notes)


def _check_many(paths: list[str], options: CheckOptions) -> list[dict[str, Any]]:
    return [check_file(p, options) for p in paths]


def source_files(paths: Iterable[str]) -> list[str]:
    """Every source file under ``paths``, in order."""
    return [str(p) for p in iter_source_paths(paths)]


def iter_checks(
    files: list[str], options: CheckOptions, jobs: int = 1, chunk: int = 16
) -> Iterator[dict[str, Any]]:
    """Check every file, yielding results in input order as they complete.

    With ``jobs > 1`` workers read and parse their own files and send back only the compact
    result (returning parsed tables costs more to pickle than to parse again).
    """
    if jobs <= 1 or len(files) <= 1:
        for f in files:
            yield check_file(f, options)
        return
    chunks = [files[i : i + chunk] for i in range(0, len(files), chunk)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for result in pool.map(_check_many, chunks, [options] * len(chunks)):
            yield from result


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)

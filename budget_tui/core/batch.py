"""Batch checking: one document per task, compact JSON-ready results, optional process pool."""

from __future__ import annotations

import os
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


def check_file(path: str, options: CheckOptions = CheckOptions()) -> dict[str, Any]:
    """Parse and check one file; returns the JSON object of the ``check`` schema.

    Never raises for bad input: an unreadable file becomes an ``errors`` entry.
    """
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


def iter_checks(
    paths: Iterable[str], options: CheckOptions, jobs: int = 1, chunk: int = 16
) -> Iterator[dict[str, Any]]:
    """Check every source under ``paths``, yielding results in input order as they complete.

    With ``jobs > 1`` workers parse their own files and send back only the compact result
    (returning parsed tables costs more to pickle than to parse again).
    """
    files = [str(p) for p in iter_source_paths(paths)]
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

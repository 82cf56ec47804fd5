"""Headless review commands: ``fix`` records a correction, ``export`` writes corrected files,
``report`` lists every correction of a corpus.

Registered on the main parser by ``register(sub)``. Core modules (and pandas, for CSV) are
imported inside the commands, so registering costs nothing at start-up.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from budget_tui.core.corrections import ApplyReport, Correction, Review
    from budget_tui.core.model import Document

EXIT_OK, EXIT_USAGE = 0, 2
LOCK_WAIT_SECONDS = 10.0
REPORT_SCHEMA_VERSION = 1
_CORRECTION_KINDS = ("value", "text", "shift", "reassign")

FIX_EXAMPLES = """\
examples:
  budget-tui fix doc.txt --form income --row 合计 --col 总计 --value 5,715.09 --note "per summary"
  budget-tui fix doc.txt --form income --row @header:1 --col 总计 --value 总计  (a header label)
  budget-tui fix doc.txt --accept tot-1a2b3c4d5e --note "published this way"
"""
EXPORT_EXAMPLES = """\
examples:
  budget-tui export ~/budgets/2024 --out exported
  budget-tui export doc.txt --out exported --format csv --no-corrections
"""
REPORT_EXAMPLES = """\
examples:
  budget-tui report ~/budgets/2024
  budget-tui report ~/budgets/2024 --format csv > corrections.csv
"""


def _review_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--reviewer", help="your name for the corrections (default: the OS user)")
    p.add_argument(
        "--review-dir", metavar="DIR", help="where corrections are kept (default: beside the source)"
    )
    p.add_argument("--debug", action="store_true", help="show tracebacks for unexpected errors")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``fix``, ``export`` and ``report`` subcommands to the main parser."""
    fmt = argparse.RawDescriptionHelpFormatter
    p = sub.add_parser(
        "fix",
        help="record a correction or mark a finding published as is",
        epilog=FIX_EXAMPLES,
        formatter_class=fmt,
        description="Record one correction (validated as in the app) in your sidecar beside the source, "
        "or mark a finding published as is.",
    )
    p.add_argument("path", metavar="PATH", help="the source document")
    p.add_argument("--form", metavar="ID", help="form id (e.g. income, projects#2)")
    p.add_argument("--row", metavar="KEY", help="row key as `show` prints it (@header:N for a header label)")
    p.add_argument("--col", metavar="KEY", help="column key (header path joined with ' / ')")
    p.add_argument("--value", metavar="V", help="the new text (amount columns: a number like 1,234.50)")
    p.add_argument("--accept", metavar="FINDING_ID", help="mark this finding published as is")
    p.add_argument("--note", metavar="TEXT", default="", help="why (kept with the correction)")
    _review_options(p)
    p.set_defaults(func=cmd_fix)

    p = sub.add_parser(
        "export",
        help="write corrected TOML and CSV files",
        epilog=EXPORT_EXAMPLES,
        formatter_class=fmt,
        description="Write each document as TOML and each form as CSV (UTF-8 with BOM), "
        "with saved corrections applied.",
    )
    p.add_argument("paths", nargs="+", metavar="PATHS", help="files or folders (*.txt, *.md)")
    p.add_argument("--out", metavar="DIR", required=True, help="output folder (created if needed)")
    p.add_argument("--format", choices=("toml", "csv", "both"), default="both")
    p.add_argument("--no-corrections", action="store_true", help="export the raw parse")
    _review_options(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser(
        "report",
        help="list corrections, accepted findings and review statuses",
        epilog=REPORT_EXAMPLES,
        formatter_class=fmt,
        description="List every saved correction, published-as-is mark and review status of the documents "
        "(who, when, old, new, why), with counts per document and reviewer.",
    )
    p.add_argument("paths", nargs="+", metavar="PATHS", help="files or folders (*.txt, *.md)")
    p.add_argument("--format", choices=("text", "json", "csv"), default="text")
    _review_options(p)
    p.set_defaults(func=cmd_report)


def eprint(*parts: object) -> None:
    print(*parts, file=sys.stderr)


def _missing(paths: list[str]) -> bool:
    missing = [p for p in paths if not os.path.exists(p)]
    for p in missing:
        eprint(f"{p}: no such file or folder")
    return bool(missing)


# --- fix -----------------------------------------------------------------------------------


def _fix_usage(args: argparse.Namespace) -> str | None:
    cell = {"--form": args.form, "--row": args.row, "--col": args.col, "--value": args.value}
    if args.accept is not None:
        given = [k for k, v in cell.items() if v is not None]
        return f"fix: --accept cannot be combined with {', '.join(given)}" if given else None
    lacking = [k for k, v in cell.items() if v is None]
    if lacking:
        need = "give --form, --row, --col and --value, or --accept FINDING_ID"
        return f"fix: {', '.join(lacking)} missing ({need})"
    return None


def cmd_fix(args: argparse.Namespace) -> int:
    """``fix``: record one validated correction (or accept a finding) and save it."""
    from budget_tui.core.corrections import (
        LockedError,
        ReviewStore,
        SidecarError,
        apply_corrections,
        describe,
    )
    from budget_tui.core.document import load_document
    from budget_tui.core.source import UnreadableSource

    problem = _fix_usage(args)
    if problem:
        eprint(problem)
        return EXIT_USAGE
    if not os.path.isfile(args.path):
        eprint(f"{args.path}: no such file")
        return EXIT_USAGE
    try:
        doc = load_document(args.path)
        store = ReviewStore(args.path, reviewer=args.reviewer, review_dir=args.review_dir, sha256=doc.sha256)
        if store.location.message:
            eprint(f"note: {store.location.message}")
        with store.hold(timeout=LOCK_WAIT_SECONDS):
            if store.unsaved:
                eprint(
                    f"note: {store.journal_path}: {store.unsaved} unsaved edit(s) of an earlier session kept"
                )
            review = store.load_all()
            for note in review.notes:
                if note.message != store.location.message:
                    eprint(str(note))
            report = apply_corrections(doc, review.corrections)
            c = _accept(args, doc, report) if args.accept is not None else _cell(args, doc)
            if c is None:
                return EXIT_OK
            c = store.record(c)
            saved = store.save()
    except (UnreadableSource, SidecarError, LockedError) as exc:
        eprint(str(exc))
        return EXIT_USAGE
    except ValueError as exc:
        eprint(f"{args.path}: {exc}")
        return EXIT_USAGE
    print(f"recorded: {describe(c)} ({c.who}, {c.when})")
    print(f"wrote {saved}")
    return EXIT_OK


def _cell(args: argparse.Namespace, doc: Document) -> Correction | None:
    from budget_tui.core.corrections import cell_correction

    form = doc.forms.get(args.form)
    if form is None:
        raise ValueError(f"no form {args.form!r} (forms: {', '.join(doc.forms)})")
    c = cell_correction(form, args.row, args.col, args.value, note=args.note)
    if c.new == c.old:
        print(f"no change: {args.form} / {args.row} / {args.col} already reads {c.old!r}")
        return None
    return c


def _accept(args: argparse.Namespace, doc: Document, report: ApplyReport) -> Correction | None:
    from budget_tui.core.corrections import Correction, validate_text

    try:
        from budget_tui.core.check import run_checks
    except ImportError:
        raise ValueError("this budget-tui has no checks yet, so findings cannot be accepted") from None
    findings = run_checks(doc)
    match = next((f for f in findings if f.id == args.accept), None)
    if match is None:
        ids = ", ".join(f.id for f in findings[:8]) + (", …" if len(findings) > 8 else "")
        raise ValueError(f"no finding {args.accept!r} (findings: {ids or 'none'})")
    if match.id in report.accepted:
        print(f"no change: finding {match.id} is already marked published as is")
        return None
    return Correction("accept", match.form, note=validate_text(args.note), finding=match.id)


# --- export --------------------------------------------------------------------------------


def cmd_export(args: argparse.Namespace) -> int:
    """``export``: write TOML per document and CSV per form, corrections applied by default."""
    from budget_tui.core.corrections import SidecarError, apply_review, not_applied_notes
    from budget_tui.core.document import iter_documents
    from budget_tui.core.errors import Problem
    from budget_tui.core.export import FORMATS, export_document

    if _missing(args.paths):
        return EXIT_USAGE
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        eprint(f"{out}: cannot create the output folder: {exc.strerror or exc}")
        return EXIT_USAGE
    bad = False
    for item in iter_documents(args.paths):
        if isinstance(item, Problem):
            eprint(str(item))
            bad = True
            continue
        if not args.no_corrections:
            try:
                review, report = apply_review(item, reviewer=args.reviewer, review_dir=args.review_dir)
            except SidecarError as exc:
                eprint(f"{exc} ({item.path} not exported)")
                bad = True
                continue
            for note in [*review.notes, *not_applied_notes(item, report)]:
                eprint(str(note))
        try:
            written = export_document(item, out, FORMATS[args.format])
        except OSError as exc:
            eprint(f"{out}: cannot write: {exc.strerror or exc}")
            return EXIT_USAGE
        for path in written:
            print(path)
    return EXIT_USAGE if bad else EXIT_OK


# --- report --------------------------------------------------------------------------------

_ENTRY_FIELDS = (
    "document",
    "department",
    "year",
    "who",
    "when",
    "kind",
    "form",
    "row",
    "column",
    "old",
    "new",
    "note",
    "finding",
    "applied",
    "reason",
)


def _entries(doc: Document, report: ApplyReport) -> list[dict[str, Any]]:
    return [
        {
            "document": doc.path,
            "department": doc.department,
            "year": doc.year,
            **{k: getattr(o.correction, k) for k in _ENTRY_FIELDS[3:13]},
            "applied": o.applied,
            "reason": o.reason,
        }
        for o in report.outcomes
    ]


def _counts(corrections: list[Correction]) -> dict[str, dict[str, int]]:
    counts: dict[str, Counter[str]] = {}
    for c in corrections:
        group = (
            "corrections" if c.kind in _CORRECTION_KINDS else "accepted" if c.kind == "accept" else "statuses"
        )
        counts.setdefault(c.who, Counter())[group] += 1
    return {
        who: {k: n[k] for k in ("corrections", "accepted", "statuses")} for who, n in sorted(counts.items())
    }


def _document_report(doc: Document, review: Review, report: ApplyReport) -> dict[str, Any]:
    return {
        "path": doc.path,
        "department": doc.department,
        "year": doc.year,
        "sha256": doc.sha256,
        "sidecars": [str(s.path) for s in review.sidecars],
        "unsaved": review.unsaved,
        "statuses": dict(report.statuses),
        "counts": _counts(review.corrections),
        "conflicts": [str(c) for c in review.conflicts],
        "entries": _entries(doc, report),
    }


def cmd_report(args: argparse.Namespace) -> int:
    """``report``: every saved correction, accepted finding and status, with counts."""
    from budget_tui.core.corrections import SidecarError, apply_review
    from budget_tui.core.document import iter_documents
    from budget_tui.core.errors import Problem

    if _missing(args.paths):
        return EXIT_USAGE
    bad = False
    documents: list[dict[str, Any]] = []
    totals: dict[str, Counter[str]] = {}
    for item in iter_documents(args.paths):
        if isinstance(item, Problem):
            eprint(str(item))
            bad = True
            continue
        try:
            review, report = apply_review(item, reviewer=args.reviewer, review_dir=args.review_dir)
        except SidecarError as exc:
            eprint(str(exc))
            bad = True
            continue
        for note in review.notes:
            eprint(str(note))
        documents.append(_document_report(item, review, report))
        for who, n in documents[-1]["counts"].items():
            totals.setdefault(who, Counter()).update(n)
    counts = {who: dict(n) for who, n in sorted(totals.items())}
    if args.format == "json":
        payload = {"schema_version": REPORT_SCHEMA_VERSION, "documents": documents, "counts": counts}
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    elif args.format == "csv":
        _print_csv(documents)
    else:
        _print_text(documents, counts)
    return EXIT_USAGE if bad else EXIT_OK


def _print_csv(documents: list[dict[str, Any]]) -> None:
    from budget_tui.core.export import neutralise

    writer = csv.writer(sys.stdout, lineterminator="\r\n")
    writer.writerow(_ENTRY_FIELDS)
    for doc in documents:
        for e in doc["entries"]:
            writer.writerow([neutralise(str(e[k])) if e[k] is not None else "" for k in _ENTRY_FIELDS])


def _show(text: str) -> str:
    # A report goes to a terminal: control characters from files stay visible, never act.
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _count_text(n: dict[str, int]) -> str:
    corrections, accepted, statuses = (n.get(k, 0) for k in ("corrections", "accepted", "statuses"))
    return f"{corrections} correction(s), {accepted} accepted, {statuses} status(es)"


def _print_text(documents: list[dict[str, Any]], counts: dict[str, dict[str, int]]) -> None:
    from budget_tui.core.corrections import Correction, describe

    for doc in documents:
        print(_show(f"{doc['path']}  {doc['department']} {doc['year'] or ''}".rstrip()))
        if not doc["entries"]:
            print("  no corrections")
        for e in doc["entries"]:
            c = Correction(**{k: e[k] for k in _ENTRY_FIELDS[3:13]})
            answered = f"finding {e['finding']}" if e["finding"] and e["kind"] != "accept" else ""
            why = "; ".join(x for x in (e["note"], answered) if x)
            tail = (f"  ({why})" if why else "") + ("" if e["applied"] else f"  [not applied: {e['reason']}]")
            print(_show(f"  {e['when']}  {e['who']}  {e['kind']:<8} {describe(c)}{tail}"))
        for form, status in doc["statuses"].items():
            print(_show(f"  status  {form}: {status}"))
        for conflict in doc["conflicts"]:
            print(_show(f"  {conflict}"))
        for who, n in doc["counts"].items():
            print(_show(f"  {who}: {_count_text(n)}"))
    print(f"{len(documents)} document(s)")
    for who, n in counts.items():
        print(_show(f"  {who}: {_count_text(n)}"))

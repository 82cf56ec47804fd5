"""Command line: ``budget-tui [PATHS]`` opens the app; ``show``/``check``/… run headless.

Heavy imports (Textual, pandas, rich) happen inside the commands that need them, so a
headless ``check`` starts fast.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from budget_tui import __version__, cli_review

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

EXAMPLES = """\
examples:
  budget-tui                          open the app on the bundled sample documents
  budget-tui ~/budgets/2024           review every document in a folder
  budget-tui show doc.txt --form income
  budget-tui show doc.txt --format json
  budget-tui check ~/budgets --format json --fail-on warning
  budget-tui fix doc.txt --form income --row 合计 --col 总计 --value 5,715.09 --note "OCR 1/7"
  budget-tui fix doc.txt --accept nar-49bbf555c9 --note "printed this way"
  budget-tui export ~/budgets --out corrected/ --format both
  budget-tui report ~/budgets --format csv > corrections.csv
  budget-tui serve ~/budgets --read-only    the app in a browser (pip install 'budget-tui[web]')
"""


def sample_data_dir() -> Path:
    """The bundled sample documents (inside the installed package, or the repository's)."""
    here = Path(__file__).resolve().parent
    packaged = here / "sample_data"
    return packaged if packaged.is_dir() else here.parent / "sample_data"


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--debug", action="store_true", help="show tracebacks for unexpected errors")


def _build_show(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("show", help="print parsed forms", description="Print the parsed forms of documents.")
    p.add_argument("paths", nargs="+", metavar="PATHS", help="files or folders (*.txt, *.md)")
    p.add_argument("--form", metavar="ID", help="only this form id (e.g. income, projects#2)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    _common(p)
    p.set_defaults(func=cmd_show)


def _build_check(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "check",
        help="run the reconciliation checks",
        description="Run the reconciliation checks and print every finding with its proposed fixes.",
    )
    p.add_argument("paths", nargs="+", metavar="PATHS", help="files or folders (*.txt, *.md)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument(
        "--fail-on",
        choices=("error", "warning"),
        default="error",
        help="exit 1 when findings of this severity or worse remain (default: error)",
    )
    p.add_argument(
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help="worker processes (default: the core count; 1 = in-process)",
    )
    p.add_argument(
        "--no-corrections", action="store_true", help="check the raw parse, ignoring saved corrections"
    )
    p.add_argument("--no-cache", action="store_true", help="neither read nor write the result cache")
    p.add_argument("--reviewer", help="reviewer whose unsaved journal to warn about (default: the OS user)")
    p.add_argument(
        "--review-dir", metavar="DIR", help="where corrections are kept (default: beside the source)"
    )
    _common(p)
    p.set_defaults(func=cmd_check)


def _build_serve(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "serve",
        help="open the review app in a web browser (localhost only)",
        description=(
            "Serve the review app to a web browser on this machine (http://localhost:PORT), one "
            "app per browser tab. Needs the optional web extra: pip install 'budget-tui[web]'."
        ),
    )
    p.add_argument("--port", type=int, default=8000, help="port on localhost (default: 8000)")
    _app_options(p)
    p.set_defaults(func=cmd_serve)


def build_parser() -> argparse.ArgumentParser:
    """The headless commands' parser."""
    parser = argparse.ArgumentParser(
        prog="budget-tui",
        description="Review and correct OCR-extracted departmental budget tables.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"budget-tui {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _build_show(sub)
    _build_check(sub)
    cli_review.register(sub)
    _build_serve(sub)
    return parser


def build_app_parser() -> argparse.ArgumentParser:
    """The parser for ``budget-tui [PATHS]`` (the interactive app)."""
    parser = argparse.ArgumentParser(
        prog="budget-tui",
        description=(
            "Open the review app (no path: the bundled sample documents). "
            "Headless commands: show, check, fix, export, report (budget-tui COMMAND --help)."
        ),
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"budget-tui {__version__}")
    _app_options(parser)
    return parser


def _app_options(p: argparse.ArgumentParser) -> None:
    """The app's paths and options (``budget-tui [PATHS]`` and ``serve``, which runs the app)."""
    p.add_argument("paths", nargs="*", metavar="PATHS", help="files or folders (default: sample data)")
    p.add_argument("--reviewer", help="your name for the corrections (default: the OS user)")
    p.add_argument(
        "--review-dir", metavar="DIR", help="where corrections are kept (default: beside the source)"
    )
    p.add_argument("--read-only", action="store_true", help="look without being able to edit")
    p.add_argument(
        "--config",
        metavar="FILE",
        type=Path,
        help="settings file: theme and keymap (default: $BUDGET_TUI_CONFIG, else "
        "~/.config/budget-tui/config.toml)",
    )
    _common(p)


def eprint(*parts: object) -> None:
    print(*parts, file=sys.stderr)


def _check_paths(paths: Sequence[str]) -> list[str]:
    missing = [p for p in paths if p != "-" and not os.path.exists(p)]
    for p in missing:
        eprint(f"{p}: no such file or folder")
    return missing


def cmd_show(args: argparse.Namespace) -> int:
    """``show``: print parsed forms as text or JSON."""
    from budget_tui.core.document import iter_documents
    from budget_tui.core.errors import Problem
    from budget_tui.core.serialize import SCHEMA_VERSION, document_head, form_dict, problem_dict

    if _check_paths(args.paths):
        return EXIT_USAGE
    bad = False
    documents: list[dict[str, Any]] = []
    console = None
    if args.format == "text":
        from budget_tui.render import make_console

        console = make_console()
    for item in iter_documents(args.paths):
        if isinstance(item, Problem):
            eprint(str(item))
            bad = True
            continue
        for p in item.problems:
            eprint(str(p))
        forms = [f for f in item.forms.values() if args.form is None or f.id == args.form]
        if args.form is not None and not forms:
            eprint(f"{item.path}: no form {args.form!r} (forms: {', '.join(item.forms)})")
            bad = True
        if console is not None:
            from budget_tui.render import render_document

            render_document(console, item, forms)
        else:
            head = document_head(item)
            head["forms"] = [form_dict(f) for f in forms]
            head["errors"] = [problem_dict(p) for p in item.problems]
            documents.append(head)
    if args.format == "json":
        json.dump(
            {"schema_version": SCHEMA_VERSION, "documents": documents},
            sys.stdout,
            ensure_ascii=False,
            indent=1,
        )
        sys.stdout.write("\n")
    return EXIT_USAGE if bad else EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    """``check``: findings per document as text or JSON; exit 1 on failures, 2 on bad input."""
    from budget_tui.core.batch import CheckOptions, default_jobs, iter_checks, source_files

    if _check_paths(args.paths):
        return EXIT_USAGE
    options = CheckOptions(
        corrections=not args.no_corrections,
        reviewer=args.reviewer,
        review_dir=args.review_dir,
        cache=not args.no_cache,
    )
    jobs = args.jobs if args.jobs is not None else default_jobs()
    levels = ("error",) if args.fail_on == "error" else ("error", "warning")
    files = source_files(args.paths)
    bad = failed = False
    console = None
    if args.format == "text":
        from budget_tui.render import make_console

        console = make_console()
    else:
        sys.stdout.write('{"schema_version": 1, "documents": [\n')
    first = True
    with _progress(len(files)) as advance:
        for result in iter_checks(files, options, jobs=max(1, jobs)):
            advance()
            bad = bad or result.unreadable
            for e in result.errors:
                eprint(
                    f"{e['path']}:{e['line']}: {e['message']}"
                    if e["line"]
                    else f"{e['path']}: {e['message']}"
                )
            failed = failed or result.fails(levels)
            if console is not None:
                from budget_tui.render import render_check

                render_check(console, result.as_dict())
            else:
                sys.stdout.write(("" if first else ",\n") + result.text)
                sys.stdout.flush()
            first = False
    if console is None:
        sys.stdout.write("\n]}\n")
    return EXIT_USAGE if bad else EXIT_FINDINGS if failed else EXIT_OK


@contextlib.contextmanager
def _progress(total: int) -> Iterator[Callable[[], None]]:
    """A progress bar on stderr when it is a terminal (and there is enough to wait for)."""
    if total < 2 or not sys.stderr.isatty():
        yield lambda: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from budget_tui.render import make_console

    with Progress(
        TextColumn("checking"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=make_console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("check", total=total)
        yield lambda: bar.advance(task)


def cmd_app(args: argparse.Namespace) -> int:
    """Open the interactive review app."""
    paths = args.paths or [str(sample_data_dir())]
    if _check_paths(paths):
        return EXIT_USAGE
    from budget_tui.app import make_app

    app = make_app(
        paths,
        reviewer=args.reviewer,
        review_dir=args.review_dir,
        read_only=args.read_only,
        config_path=args.config,
    )
    app.run()
    return int(app.return_code or 0)


SERVE_HOST = "localhost"
"""``serve`` listens on this machine only: the app reads and writes the reviewer's files."""


def app_command(args: argparse.Namespace) -> list[str]:
    """The command line that opens the app with ``args``' paths and options (for ``serve``)."""
    paths = [str(Path(p).resolve()) for p in args.paths] or [str(sample_data_dir())]
    command = [sys.executable, "-m", "budget_tui", *paths]
    if args.reviewer is not None:
        command += ["--reviewer", args.reviewer]
    for flag, path in (("--review-dir", args.review_dir), ("--config", args.config)):
        if path is not None:  # (the served app does not run in this folder)
            command += [flag, str(Path(path).resolve())]
    if args.read_only:
        command.append("--read-only")
    return command


def cmd_serve(args: argparse.Namespace) -> int:
    """``serve``: the review app in a browser, through textual-serve, on localhost."""
    if _check_paths(args.paths):
        return EXIT_USAGE
    try:
        from textual_serve.server import Server
    except ImportError:
        eprint("budget-tui serve: the browser mode needs textual-serve: pip install 'budget-tui[web]'")
        return EXIT_USAGE
    server = Server(shlex.join(app_command(args)), host=SERVE_HOST, port=args.port, title="budget-tui")
    eprint(f"budget-tui: serving the review app at http://{SERVE_HOST}:{args.port} (ctrl+c stops)")
    server.serve()
    return EXIT_OK


def _subcommands() -> set[str]:
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()  # pragma: no cover


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``budget-tui`` command."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] in _subcommands():
        args = build_parser().parse_args(args_list)
    elif args_list and args_list[0] in ("-h", "--help"):
        build_app_parser().print_help()
        print()
        build_parser().print_help()
        return EXIT_OK
    else:
        args = build_app_parser().parse_args(args_list)
        args.func = cmd_app
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except KeyboardInterrupt:
        eprint("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:
        if getattr(args, "debug", False):
            raise
        eprint(f"budget-tui: error: {exc} (run with --debug for the traceback)")
        return EXIT_USAGE

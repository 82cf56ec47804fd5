"""Hatch build hook: compile the parser and the checks with mypyc when building a wheel.

* ``pip install .`` / ``pipx install .`` / ``python -m build``: the hot modules of
  ``budget_tui/core`` (``HOT``) are compiled to C extensions next to their ``.py`` sources
  (Python imports the extension first) and the wheel gets a platform tag.
* If compiling fails (no C compiler, no Python headers, a mypyc error) the wheel is the
  pure-Python one, with one warning on the build log; ``BUDGET_TUI_REQUIRE_COMPILED=1``
  turns that into a build error (CI).
* ``BUDGET_TUI_PURE=1`` skips compiling (and mypy is not installed into the build env).
* Editable installs (``pip install -e .``) and the sdist are never compiled: nothing is
  written next to the sources, so an edited ``.py`` is never shadowed by a stale extension.

Compiling happens in a temporary copy of ``budget_tui/core`` (no ``pyproject.toml`` there,
so setuptools only builds the extensions), in a subprocess of the build interpreter.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

# The compiler: the mypy the project type-checks with (mypyc is part of it) and a
# setuptools recent enough for its build_ext.
BUILD_REQUIRES = ["mypy==2.4.1", "setuptools>=77"]

PURE_ENV = "BUDGET_TUI_PURE"
REQUIRE_ENV = "BUDGET_TUI_REQUIRE_COMPILED"

# The parse and check hot path, relative to the project root. Everything else stays pure
# Python (corrections.py trips mypyc; the rest is I/O bound or imports Textual).
HOT = [
    "budget_tui/core/parse.py",
    "budget_tui/core/stitch.py",
    "budget_tui/core/model.py",
    "budget_tui/core/document.py",
    "budget_tui/core/source.py",
    "budget_tui/core/forms.py",
    "budget_tui/core/numbers.py",
    "budget_tui/core/check.py",
    "budget_tui/core/findings.py",
    "budget_tui/core/suggest.py",
    "budget_tui/core/rules/*.py",
]

# Run by the build interpreter inside the temporary copy: mypyc generates C, setuptools
# compiles it in place. Flags: the build env has no stubs for pandas and co.
COMPILE = """
import sys
from setuptools import setup
from mypyc.build import mypycify

setup(
    name="budget-tui-core",
    packages=[],
    py_modules=[],
    ext_modules=mypycify(["--ignore-missing-imports", *sys.argv[1:]], opt_level="3"),
    script_args=["build_ext", "--inplace"],
)
"""


class CompileError(Exception):
    """mypyc or the C compiler failed; the message is the reason in one line."""


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")


def hot_modules(root: Path) -> list[str]:
    """The files to compile, relative to ``root``, with ``/`` separators."""
    found: list[str] = []
    for pattern in HOT:
        found.extend(sorted(p.relative_to(root).as_posix() for p in root.glob(pattern)))
    return found


def _reason(output: str) -> str:
    """The line of a failed build's output that says why (the last error line), shortened."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if re.search(r"\berror\b", line, re.IGNORECASE)]  # not -Werror
    line = (errors or lines or ["no output"])[-1]
    return line if len(line) <= 300 else line[:297] + "..."


def compile_core(root: Path, work: Path) -> dict[str, str]:
    """Compile the hot modules in ``work``; returns {built file: its path in the wheel}."""
    shutil.copytree(root / "budget_tui" / "core", work / "budget_tui" / "core", ignore=_not_source)
    shutil.copy2(root / "budget_tui" / "__init__.py", work / "budget_tui" / "__init__.py")
    modules = hot_modules(root)
    cmd = [sys.executable, "-c", COMPILE, *modules]
    try:
        run = subprocess.run(cmd, cwd=work, capture_output=True, text=True, check=False)
    except OSError as e:
        raise CompileError(str(e)) from e
    if run.returncode != 0:
        raise CompileError(_reason(run.stdout + "\n" + run.stderr))
    # Each compiled module gets a small extension next to its source; the code itself is
    # in one shared library at the top level (``<hash>__mypyc.*.so``).
    built = {
        str(p): p.relative_to(work).as_posix()
        for p in work.rglob("*")
        if p.suffix in (".so", ".pyd") and "build" not in p.relative_to(work).parts
    }
    missing = [m for m in modules if not any(w.startswith(m[: -len(".py")] + ".") for w in built.values())]
    if missing:
        raise CompileError(f"no extension built for {', '.join(missing)}")
    names = [m[: -len(".py")].replace("/", ".").removesuffix(".__init__") for m in modules]
    smoke = subprocess.run(
        [sys.executable, "-c", f"import {', '.join(names)}"],
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
    )
    if smoke.returncode != 0:
        raise CompileError(f"the compiled modules do not import: {_reason(smoke.stderr)}")
    return built


def _not_source(folder: str, names: list[str]) -> list[str]:
    return [n for n in names if n == "__pycache__" or (Path(folder, n).is_file() and not n.endswith(".py"))]


class MypycHook(BuildHookInterface):  # type: ignore[type-arg]
    """Compile the core for wheels; fall back to pure Python with a warning."""

    PLUGIN_NAME = "custom"

    def dependencies(self) -> list[str]:
        # Also asked for editable builds (hatchling does not tell them apart here).
        return [] if _flag(PURE_ENV) else list(BUILD_REQUIRES)

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        self._work: Path | None = None
        if self.target_name != "wheel" or version == "editable":
            return
        if _flag(PURE_ENV):
            self.app.display_info(f"budget-tui: {PURE_ENV} is set: building the pure-Python wheel")
            return
        self._work = Path(tempfile.mkdtemp(prefix="budget-tui-mypyc-"))
        self.app.display_info("budget-tui: compiling the core with mypyc (a minute or two) ...")
        try:
            built = compile_core(Path(self.root), self._work)
        except CompileError as e:
            if _flag(REQUIRE_ENV):
                raise RuntimeError(f"budget-tui: compiling the core with mypyc failed: {e}") from e
            self.app.display_warning(
                f"WARNING: budget-tui: compiling the core with mypyc failed ({e}); building the "
                f"pure-Python wheel instead (same results, slower parse and checks; "
                f"set {PURE_ENV}=1 to skip compiling)"
            )
            return
        build_data["force_include"].update(built)
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        self.app.display_info(f"budget-tui: compiled {len(built)} extension modules")

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        if getattr(self, "_work", None) is not None:
            shutil.rmtree(str(self._work), ignore_errors=True)

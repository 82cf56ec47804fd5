"""The mypyc-compiled core (an installed wheel) gives the same results as the pure-Python one.

These run against an installed compiled wheel (the compiled stage of ``.ci/run``). In a
source checkout or an editable install the core is pure Python and they are skipped, unless
``BUDGET_TUI_REQUIRE_COMPILED=1`` is set: then a pure core is a failure.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest

import budget_tui
from budget_tui.core import compiled

SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"
REQUIRED = os.environ.get("BUDGET_TUI_REQUIRE_COMPILED", "") not in ("", "0")

# As hatch_build.HOT: the parse and check hot path.
HOT = [
    "parse",
    "stitch",
    "model",
    "document",
    "source",
    "forms",
    "numbers",
    "check",
    "findings",
    "suggest",
    "rules",
    "rules.common",
    "rules.crossform",
    "rules.narrative",
    "rules.performance",
    "rules.precision",
    "rules.totals",
]


def _require_compiled() -> None:
    if not compiled():
        if REQUIRED:
            pytest.fail(
                f"BUDGET_TUI_REQUIRE_COMPILED is set but the core is pure Python ({budget_tui.__file__})"
            )
        pytest.skip("the core is pure Python here (source tree or editable install)")


def test_hot_modules_are_compiled() -> None:
    _require_compiled()
    pure = [
        name
        for name in HOT
        if not (importlib.import_module(f"budget_tui.core.{name}").__file__ or "").endswith(
            tuple(EXTENSION_SUFFIXES)
        )
    ]
    assert not pure


def _check_json(cwd: Path, pythonpath: str | None) -> tuple[str, subprocess.CompletedProcess[str]]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["XDG_DATA_HOME"] = str(cwd / "xdg-data")
    if pythonpath is not None:
        env["PYTHONPATH"] = pythonpath
    which = subprocess.run(
        [sys.executable, "-c", "import budget_tui.core as c; print(c.compiled(), c.__file__)"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    run = subprocess.run(
        [sys.executable, "-m", "budget_tui", "check", "--format", "json", "--no-cache", str(SAMPLES)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return which, run


def test_compiled_and_pure_check_output_are_identical(tmp_path: Path) -> None:
    _require_compiled()
    installed = Path(budget_tui.__file__).parent
    pure_root = tmp_path / "pure"
    # The installed wheel's own .py sources, without its extensions: the same code, pure.
    shutil.copytree(
        installed, pure_root / "budget_tui", ignore=shutil.ignore_patterns("*.so", "*.pyd", "__pycache__")
    )
    which_c, compiled_run = _check_json(tmp_path, None)
    which_p, pure_run = _check_json(tmp_path, str(pure_root))
    assert which_c.startswith("True ") and which_p.startswith("False "), (which_c, which_p)
    assert compiled_run.returncode in (0, 1), compiled_run.stderr
    assert compiled_run.stdout.startswith("{")
    assert (compiled_run.returncode, compiled_run.stdout) == (pure_run.returncode, pure_run.stdout)

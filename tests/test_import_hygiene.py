"""The core stays pure: no Textual or Rich, and pandas only when a DataFrame is asked for."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
import budget_tui.core
from budget_tui.core import load
from budget_tui.core.check import run_checks
doc = load("sample_data").documents[0]
run_checks(doc)
bad = sorted(m for m in ("textual", "rich", "pandas") if m in sys.modules)
print(",".join(bad))
"""


def test_core_imports_neither_textual_rich_nor_pandas() -> None:
    r = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == ""


def test_headless_check_does_not_import_the_ui_or_pandas() -> None:
    probe = (
        "import sys, runpy; sys.argv=['budget-tui','check','sample_data','--jobs','1','--format','json'];\n"
        "import io, contextlib\n"
        "from budget_tui.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()): main()\n"
        "print(','.join(sorted(m for m in ('textual','pandas','budget_tui.app') if m in sys.modules)))"
    )
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == ""


def test_version_flag() -> None:
    r = subprocess.run(
        [sys.executable, "-m", "budget_tui", "--version"], capture_output=True, text=True, check=True
    )
    assert r.stdout.startswith("budget-tui ")

"""``python -m budget_tui`` entry point."""

from __future__ import annotations

from budget_tui.cli import main

raise SystemExit(main())

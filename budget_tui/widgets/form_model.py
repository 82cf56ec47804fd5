"""`FormGridModel`: one form's table as the `DataGrid` reads it, with the cell states the screen sets."""

from __future__ import annotations

from collections.abc import Iterable

from budget_tui.core.model import Form

Cell = tuple[int, int]


class FormGridModel:
    """Adapts a `Form` to the grid's `GridModel` protocol.

    The screen owns the states (failing, corrected, outlined, search matches) and replaces
    them after every job; reading them here is a dictionary lookup per visible cell.
    """

    def __init__(self, form: Form) -> None:
        """Wrap a form (one with a table; a form without one shows as empty).

        Args:
            form: The form to show.
        """
        self.form = form
        self.failing: dict[Cell, str] = {}
        """Cell -> ``error`` or ``warning``."""
        self.corrected: set[Cell] = set()
        self.outlined: set[Cell] = set()
        self.matches: set[Cell] = set()

    @property
    def row_count(self) -> int:
        """Number of data rows."""
        return len(self.form.table.rows) if self.form.table else 0

    @property
    def col_count(self) -> int:
        """Number of columns."""
        return self.form.table.width if self.form.table else 0

    def header_levels(self) -> list[list[str]]:
        """The table's header levels, outermost first."""
        return [list(level) for level in self.form.table.header] if self.form.table else []

    def cell_text(self, row: int, col: int) -> str:
        """Current text of a cell (corrected text when corrected)."""
        assert self.form.table is not None
        return self.form.table.rows[row].texts[col]

    def row_label(self, row: int) -> str:
        """The row's label, else its key (subject code or ``rowN``)."""
        assert self.form.table is not None
        r = self.form.table.rows[row]
        return r.label or r.key

    def is_numeric(self, col: int) -> bool:
        """Amount columns are right-aligned."""
        assert self.form.table is not None
        return self.form.table.columns[col].role == "amount"

    def cell_state(self, row: int, col: int) -> str:
        """Space-separated grid states of one cell."""
        states: list[str] = []
        severity = self.failing.get((row, col))
        if severity is not None:
            states.append("failing" if severity == "error" else "warning")
        if (row, col) in self.corrected:
            states.append("corrected")
        if (row, col) in self.outlined:
            states.append("outlined")
        if (row, col) in self.matches:
            states.append("match")
        return " ".join(states)

    def find(self, query: str) -> list[Cell]:
        """Cells whose text contains ``query`` (case-insensitive), row by row.

        Thousands separators are ignored when the query has none, so ``1352`` finds ``1,352.27``.

        Args:
            query: Text to look for; blank finds nothing.
        """
        needle = query.casefold()
        if not needle or self.form.table is None:
            return []
        plain = "," not in needle
        return [
            (r, c)
            for r, row in enumerate(self.form.table.rows)
            for c, text in enumerate(row.texts)
            if needle in text.casefold() or (plain and "," in text and needle in text.replace(",", ""))
        ]

    def set_states(
        self, failing: dict[Cell, str], corrected: Iterable[Cell], outlined: Iterable[Cell] = ()
    ) -> None:
        """Replace the check and correction states (search matches are kept).

        Args:
            failing: Cell -> worst severity of its unaccepted findings.
            corrected: Cells whose text differs from the printed source.
            outlined: Cells of the selected finding.
        """
        self.failing = dict(failing)
        self.corrected = set(corrected)
        self.outlined = set(outlined)

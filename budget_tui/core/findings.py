"""Findings of the reconciliation checks and the corrections they propose."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Final, Literal

Severity = Literal["error", "warning"]
NARRATIVE: Final = "narrative"
"""Pseudo form id of a narrative (说明) line in a finding's cells."""


@dataclass(frozen=True, slots=True)
class CellRef:
    """A cell a finding involves: form id, row and column keys, source line, printed text."""

    form: str
    row: str
    column: str
    line: int | None
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "form": self.form,
            "row": self.row,
            "column": self.column,
            "line": self.line,
            "text": self.text,
        }


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A proposed correction: set a cell's value, or shift a row's cells."""

    kind: Literal["value", "shift"]
    form: str
    row: str
    column: str
    value: str
    """New text for ``value``; the signed number of cells for ``shift`` (``"1"`` = one right)."""
    fixes: tuple[str, ...] = ()
    """Ids of the findings this suggestion makes pass."""
    score: float = 0.0
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "form": self.form,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "fixes": list(self.fixes),
            "reason": self.reason,
        }


@dataclass
class Finding:
    """One failing identity or structural problem, with the cells it involves."""

    rule: str
    severity: Severity
    form: str
    message: str
    expected: str
    actual: str
    cells: list[CellRef]
    suggestions: list[Suggestion] = field(default_factory=list)
    id: str = ""
    accepted: bool = False
    """Marked "published as is" by a reviewer: listed, but no longer a failure."""

    def __post_init__(self) -> None:
        if not self.id:
            self.id = finding_id(self.rule, self.cells)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rule": self.rule,
            "severity": self.severity,
            "form": self.form,
            "message": self.message,
            "expected": self.expected,
            "actual": self.actual,
            "accepted": self.accepted,
            "cells": [c.as_dict() for c in self.cells],
            "suggestions": [s.as_dict() for s in self.suggestions],
        }


def finding_id(rule: str, cells: list[CellRef]) -> str:
    """Stable id from the rule and the cells' keys (not their values or lines)."""
    return finding_id_of_keys(rule, [(c.form, c.row, c.column) for c in cells])


def finding_id_of_keys(rule: str, keys: list[tuple[str, str, str]]) -> str:
    """:func:`finding_id` from the cells' (form, row, column) keys."""
    # One digest of rule, then each sorted key as ``form\x1frow\x1fcolumn\x1e``.
    payload = rule + "".join(f"{f}\x1f{r}\x1f{c}\x1e" for f, r, c in sorted(keys))
    h = hashlib.sha256(payload.encode("utf-8"))
    return f"{rule.split('.')[0][:3]}-{h.hexdigest()[:10]}"

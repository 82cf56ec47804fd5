"""Run every rule over a document -> findings with ranked fix proposals; incremental re-checks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

from budget_tui.core.findings import Finding
from budget_tui.core.gcpause import collector_paused
from budget_tui.core.model import Document
from budget_tui.core.rules import DIRECT_RULES, IDENTITY_RULES
from budget_tui.core.rules.common import (
    ZERO,
    CellIndex,
    CellKey,
    Identity,
    Values,
    holds,
    holds_many,
    measure_precision,
    validate_derived,
)
from budget_tui.core.rules.precision import precision_findings
from budget_tui.core.suggest import findings_for_failures

RULES_VERSION: Final = "1"


@dataclass
class CheckSession:
    """All identities of one document, indexed by cell, for fast re-checks after an edit."""

    doc: Document
    accepted: set[str] = field(default_factory=set)
    identities: list[Identity] = field(default_factory=list)
    failing: set[int] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)
    _by_cell: CellIndex | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_cell = None  # the class default is not an instance attribute once compiled (mypyc)
        # The collector is paused as for a parse (see collector_paused): with a corpus loaded,
        # its collections would walk every document each time the checks' allocations trigger one.
        with collector_paused():
            self._clear_verdicts()
            for form in self.doc.forms.values():
                if form.table is not None:
                    validate_derived(form.table)
            self.precision = measure_precision(self.doc)
            self.values = Values(self.doc, self.precision)
            for rule in IDENTITY_RULES:
                self.identities.extend(rule(self.doc, self.values))
            held = holds_many(self.identities, self.values)
            for ident in self.identities:
                ident.held = None  # from here on, edits may change it: always evaluate
            self.failing = {n for n, ok in enumerate(held) if not ok}
            self._rebuild()

    @property
    def by_cell(self) -> CellIndex:
        """Identity numbers by the cells they involve (built on first use)."""
        if self._by_cell is None:
            self._by_cell = CellIndex(self.identities)
        return self._by_cell

    def _clear_verdicts(self) -> None:
        """Forget the status a previous check gave forms (``incomplete``: rows are missing), so
        no check sees another's verdict and checking is the same every time."""
        for form in self.doc.forms.values():
            if form.status == "incomplete":
                form.status = "ok"

    def _rebuild(self) -> None:
        self._clear_verdicts()
        found = (
            findings_for_failures(self.doc, sorted(self.failing), self.identities, self.by_cell, self.values)
            if self.failing
            else []
        )
        for rule in DIRECT_RULES:
            found.extend(rule(self.doc, self.values))
        found.extend(precision_findings(self.doc, self.values, self.implied))
        for f in found:
            f.accepted = f.id in self.accepted
            if f.rule == "structure.missing_rows" and self.doc.forms[f.form].status == "ok":
                self.doc.forms[f.form].status = "incomplete"  # the form's rows are not all there
        self.findings = found

    def implied(self, key: CellKey) -> Decimal | None:
        """The exact value a cell's identities imply, when they all agree (else ``None``)."""
        found: Decimal | None = None
        for n in self.by_cell.get(key):
            ident = self.identities[n]
            total = self.values.value(ident.total)
            s = sum((self.values.value(k) for k in ident.parts), ZERO)
            value = s if key == ident.total else total - (s - self.values.value(key))
            if found is not None and found != value:
                return None
            found = value
        return found

    def identities_of(self, form: str, r: int, c: int) -> list[Identity]:
        """The identities a cell takes part in."""
        return [self.identities[n] for n in self.by_cell.get((form, r, c))]

    def update_cell(self, form: str, r: int, c: int) -> list[Finding]:
        """Re-evaluate only the identities the edited cell takes part in; returns all findings."""
        self.values.forget((form, r, c))
        for n in self.by_cell.get((form, r, c)):
            if holds(self.identities[n], self.values):
                self.failing.discard(n)
            else:
                self.failing.add(n)
        self._rebuild()
        return self.findings

    def set_accepted(self, ids: Iterable[str]) -> None:
        self.accepted = set(ids)
        for f in self.findings:
            f.accepted = f.id in self.accepted


def run_checks(doc: Document, accepted: Iterable[str] = ()) -> list[Finding]:
    """Every finding for ``doc`` (accepted ones flagged, still listed)."""
    return CheckSession(doc, set(accepted)).findings


def failures(findings: Iterable[Finding], fail_on: str = "error") -> list[Finding]:
    """Findings that count as failures at ``fail_on`` (accepted ones never do)."""
    levels = {"error": ("error",), "warning": ("error", "warning")}[fail_on]
    return [f for f in findings if not f.accepted and f.severity in levels]

"""Rule families. Identity rules yield ``total = Σ parts`` over cells; direct rules yield findings.

Every rule is a function of one parsed document (plus its values), so batch runs can
stream and cache documents one at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from budget_tui.core.findings import Finding
from budget_tui.core.model import Document
from budget_tui.core.rules import crossform, narrative, performance, totals
from budget_tui.core.rules.common import Identity, Values

IdentityRule = Callable[[Document, Values], Iterable[Identity]]
DirectRule = Callable[[Document, Values], list[Finding]]


def _totals(doc: Document, values: Values) -> Iterable[Identity]:
    for form in doc.forms.values():
        if form.table is None or form.status in ("missing",):
            continue
        yield from totals.row_identities(doc, form)
        yield from totals.code_identities(doc, form)
        if form.kind == "three_public":
            yield from totals.three_public_identities(doc, form)
        else:
            yield from totals.column_identities(doc, form, values)
        yield from totals.subset_identities(doc, form, values)


def _crossform(doc: Document, values: Values) -> Iterable[Identity]:
    yield from crossform.crossform_identities(doc)
    yield from performance.performance_identities(doc)


IDENTITY_RULES: list[IdentityRule] = [_totals, _crossform]
DIRECT_RULES: list[DirectRule] = [narrative.narrative_findings, performance.performance_findings]

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


def _totals(doc: Document, values: Values) -> list[Identity]:
    out: list[Identity] = []
    for form in doc.forms.values():
        if form.table is None or form.status in ("missing",):
            continue
        out.extend(totals.row_identities(doc, form))
        out.extend(totals.code_identities(doc, form))
        if form.kind == "three_public":
            out.extend(totals.three_public_identities(doc, form))
        else:
            out.extend(totals.column_identities(doc, form, values))
        out.extend(totals.subset_identities(doc, form, values))
    return out


def _crossform(doc: Document, values: Values) -> Iterable[Identity]:
    yield from crossform.crossform_identities(doc)
    yield from performance.performance_identities(doc)


IDENTITY_RULES: list[IdentityRule] = [_totals, _crossform]
DIRECT_RULES: list[DirectRule] = [narrative.narrative_findings, performance.performance_findings]

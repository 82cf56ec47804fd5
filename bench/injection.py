"""Error-injection evaluation: corrupt one numeric cell the way OCR does, check, score.

Detection = some finding names the corrupted cell's source line; top-1 = the first
suggestion of such a finding restores the original value at that cell.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from budget_tui.core.check import CheckSession
from budget_tui.core.document import parse_document
from budget_tui.core.numbers import is_number, parse_number
from budget_tui.core.source import DecodedSource, decode_bytes

KINDS = ("confusion", "dropped", "repeated", "decimal", "transposition")
CONFUSIONS = {"1": "7", "7": "1", "3": "8", "8": "3", "0": "8", "5": "6", "6": "5"}


@dataclass(frozen=True)
class Target:
    """A numeric cell that takes part in identities that all hold on the clean document."""

    line: int
    srccol: int
    text: str


@dataclass(frozen=True)
class Outcome:
    kind: str
    doc: str
    line: int
    srccol: int
    original: str
    corrupted: str
    detected: bool
    top1: bool


def targets(src: DecodedSource) -> list[Target]:
    """Numeric amount cells whose identities all pass on the clean document."""
    doc = parse_document(src)
    session = CheckSession(doc)
    failing_cells = {
        k for n in session.failing for k in (session.identities[n].total, *session.identities[n].parts)
    }
    flagged_lines = {c.line for f in session.findings for c in f.cells}
    out: list[Target] = []
    seen: set[tuple[int, int]] = set()
    for form in doc.forms.values():
        table = form.table
        if table is None:
            continue
        for c in table.amount_columns():
            for r, row in enumerate(table.rows):
                t = row.texts[c]
                v = row.values[c]
                if not t or "%" in t or v is None or v == 0 or not row.lines[c]:
                    continue
                key = (form.id, r, c)
                if key in failing_cells or row.lines[c] in flagged_lines:
                    continue
                loc = (row.lines[c], row.srccols[c])
                if loc in seen:
                    continue
                seen.add(loc)
                out.append(Target(row.lines[c], row.srccols[c], t))
    return out


def corrupt(text: str, kind: str, rng: random.Random) -> str | None:
    """An OCR-like corruption of a printed number, or ``None`` if this kind cannot apply."""
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    if kind == "confusion":
        cands = [i for i in digits if text[i] in CONFUSIONS]
        if not cands:
            return None
        i = rng.choice(cands)
        out = text[:i] + CONFUSIONS[text[i]] + text[i + 1 :]
    elif kind == "dropped":
        if len(digits) < 2:
            return None
        i = rng.choice(digits)
        out = text[:i] + text[i + 1 :]
    elif kind == "repeated":
        i = rng.choice(digits)
        out = text[:i] + text[i] + text[i:]
    elif kind == "decimal":
        plain = text.replace(",", "")
        if "." not in plain:
            return None
        dot = plain.index(".")
        moves = [p for p in (dot - 1, dot + 1) if 0 < p < len(plain) - 1]
        if not moves:
            return None
        p = rng.choice(moves)
        body = plain.replace(".", "")
        out = body[:p] + "." + body[p:]
    elif kind == "transposition":
        pairs = [i for i in digits if i + 1 in digits and text[i] != text[i + 1]]
        if not pairs:
            return None
        i = rng.choice(pairs)
        out = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    else:  # pragma: no cover
        raise ValueError(kind)
    if not is_number(out) or parse_number(out) == parse_number(text):
        return None
    return out


def _replace_cell(line: str, srccol: int, new: str) -> str:
    cells = line.split("\t")
    raw = cells[srccol]
    cells[srccol] = raw.replace(raw.strip(), new, 1)
    return "\t".join(cells)


def evaluate_one(src: DecodedSource, target: Target, kind: str, corrupted: str) -> Outcome:
    lines = list(src.lines)
    lines[target.line - 1] = _replace_cell(lines[target.line - 1], target.srccol, corrupted)
    doc = parse_document(decode_bytes(src.path, "\n".join(lines).encode("utf-8")))
    findings = CheckSession(doc).findings
    hits = [f for f in findings if any(c.line == target.line for c in f.cells)]
    top1 = False
    orig = parse_number(target.text)
    for f in hits:
        if not f.suggestions:
            continue
        s = f.suggestions[0]
        if s.kind != "value":
            continue
        form = doc.forms[s.form]
        if form.table is None:
            continue
        try:
            r, c = form.table.row_index(s.row), form.table.col_index(s.column)
        except KeyError:
            continue
        row = form.table.rows[r]
        if row.lines[c] == target.line and row.srccols[c] == target.srccol and parse_number(s.value) == orig:
            top1 = True
            break
    return Outcome(
        kind, Path(src.path).name[:3], target.line, target.srccol, target.text, corrupted, bool(hits), top1
    )


def run(paths: list[Path], count: int, seed: int = 20261125) -> list[Outcome]:
    """``count`` corruptions spread over the documents and kinds, deterministic for ``seed``."""
    rng = random.Random(seed)
    sources = [decode_bytes(str(p), p.read_bytes()) for p in paths]
    pools = [(src, targets(src)) for src in sources]
    outcomes: list[Outcome] = []
    attempts = 0
    while len(outcomes) < count and attempts < count * 20:
        attempts += 1
        src, pool = pools[attempts % len(pools)]
        if not pool:
            continue
        target = rng.choice(pool)
        kind = KINDS[attempts % len(KINDS)]
        corrupted = corrupt(target.text, kind, rng)
        if corrupted is None:
            continue
        outcomes.append(evaluate_one(src, target, kind, corrupted))
    return outcomes


def summary(outcomes: list[Outcome]) -> Iterator[tuple[str, int, float, float]]:
    """(kind, n, detection rate, top-1 rate) per kind, then ``all``."""
    by_kind: Counter[str] = Counter(o.kind for o in outcomes)
    for kind in (*KINDS, "all"):
        sel = outcomes if kind == "all" else [o for o in outcomes if o.kind == kind]
        if not sel:
            continue
        n = len(sel) if kind == "all" else by_kind[kind]
        yield kind, n, sum(o.detected for o in sel) / n, sum(o.top1 for o in sel) / n


__all__ = ["Decimal", "Outcome", "Target", "corrupt", "evaluate_one", "run", "summary", "targets"]

"""Failing identities -> findings; ranked single-cell and structural fix proposals.

A proposal is the value one cell would need for an identity to hold. It is ranked by how
many failing identities it repairs (a cell in several failing identities is the likely
culprit), minus those it would break, plus how likely the OCR mistake is (confusable
digits, a dropped or repeated digit, a moved decimal point, transposed digits, a value
from the neighbouring column).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal, getcontext
from typing import Final

from budget_tui.core.findings import Finding, Suggestion, finding_id_of_keys
from budget_tui.core.model import Document
from budget_tui.core.numbers import decimals_of
from budget_tui.core.rules.common import (
    NO_IDS,
    ZERO,
    CellIndex,
    CellKey,
    Identity,
    Values,
    cell_keys,
    cell_ref,
    count_of,
    evaluate,
    holds,
    parts_sum,
    scaled_difference,
    shaped_parts,
)

CONFUSABLE: Final = {frozenset(p) for p in ("17", "38", "08", "56", "27", "49", "35", "69", "01", "47")}
MAX_SHIFT: Final = 2


def format_like(value: Decimal, like: str, decimals: int, thousands: bool = False) -> str:
    """``value`` printed the way its document prints: thousands separators as ``like`` (or as
    the document does, ``thousands``), and at least ``decimals`` decimals (0 for documents
    that drop trailing zeros)."""
    # Most values print plainly (no exponent, a few digits): padded or trimmed to ``d`` decimals
    # as text, which is what quantize does to them (it trims only zeros; compiled, each Decimal
    # method call is dear). ``d`` at most 6: the result prints without exponent too.
    s = str(value)
    whole, dot, frac = s.partition(".")
    digits = whole[1:] if whole[:1] == "-" else whole
    if (
        len(s) <= 20
        and decimals <= 6
        and digits.isdigit()
        and digits.isascii()
        and (not dot or frac.isdigit())
    ):
        own = len(frac.rstrip("0"))
        if own <= 6:
            d = max(decimals, own)
            if "," in like or (thousands and len(digits) >= 4):  # (|value| >= 1000)
                whole = f"{whole[: len(whole) - len(digits)]}{int(digits):,}"
            return f"{whole}.{frac[:d]}{'0' * (d - len(frac))}" if d else whole
    natural = value.normalize()
    own = max(0, -natural.as_tuple().exponent) if natural.is_finite() else 0  # type: ignore[operator]
    d = max(decimals, own)
    q = value.quantize(Decimal(1).scaleb(-d)) if d else value.quantize(Decimal(1))
    return f"{q:,}" if "," in like or (thousands and abs(q) >= 1000) else f"{q}"


def ocr_likelihood(old: str, new: str) -> tuple[float, str]:
    """How plausible it is that OCR printed ``old`` for the true ``new`` (0..5) and why."""
    a, b = old.replace(",", ""), new.replace(",", "")
    if not a:
        return 2.0, "lost cell"
    if a == b:
        return 0.0, ""
    da, db = a.replace(".", ""), b.replace(".", "")
    if da == db:
        return 4.5, "moved decimal point"
    ia, ib = a.split(".")[0], b.split(".")[0]
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            pair = frozenset((a[diff[0]], b[diff[0]]))
            return (5.0, "confusable digits") if pair in CONFUSABLE else (3.0, "misread digit")
        if (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        ):
            return 4.5, "transposed digits"
    if len(da) + 1 == len(db) and any(db[:i] + db[i + 1 :] == da for i in range(len(db))):
        return 4.0, "dropped digit"
    if len(da) == len(db) + 1 and any(da[:i] + da[i + 1 :] == db for i in range(len(da))):
        return 4.0, "repeated digit" if any(da[i] == da[i + 1] for i in range(len(da) - 1)) else "extra digit"
    if len(ia) != len(ib):
        return 0.5, ""
    return 1.0, ""


def _verdict(
    base: tuple[int, int] | None, sign: int, count: int, change: tuple[int, int] | None
) -> bool | None:
    """Whether an identity (``base``: :meth:`_Ranker.base`) holds with one of its cells, where
    its coefficient is ``sign`` and which it lists ``count`` times (0: none of its cells),
    changed by ``change`` (its scaled value and half-width; :meth:`_Ranker.change`); ``None``
    where some value does not fit."""
    if base is None:
        return None
    diff, tol = base
    if count:
        if change is None:
            return None
        diff += sign * change[0]
        tol += count * change[1]
    return not diff or abs(diff) < tol


class _Ranker:
    def __init__(
        self,
        doc: Document,
        identities: list[Identity],
        index: CellIndex,
        values: Values,
        failing: set[int],
    ) -> None:
        self.doc = doc
        self.identities = identities
        self.index = index
        self.values = values
        self.failing = failing
        p = values.precision
        self.decimals = p.doc_decimals if p.full_decimals else 0
        self.thousands = p.thousands
        self._base: dict[int, tuple[int, int] | None] = {}

    def base(self, n: int) -> tuple[int, int] | None:
        """Identity ``n``'s (total - Σ parts, Σ half-widths) at the document's scale, or
        ``None`` where some value does not fit it (computed once)."""
        if n in self._base:  # (tested, not caught: compiled, a raised KeyError is dear)
            return self._base[n]
        base = self._base[n] = self._difference(self.identities[n])
        return base

    def sign(self, n: int, form: str, r: int, c: int, count: int) -> int:
        """Identity ``n``'s coefficient of cell (``form``, ``r``, ``c``) in ``total - Σ parts``,
        where it lists that cell ``count`` times."""
        total = self.identities[n].total
        if total[2] == c and total[1] == r and total[0] == form:
            return 2 - count  # the total, and maybe parts too
        return -count

    def change(self, key: CellKey, text: str) -> tuple[int, int] | None:
        """How much cell ``key`` printing ``text`` would change its scaled value and its scaled
        half-width; ``None`` where either value does not fit the scale."""
        values = self.values
        old, new = values.scaled(key), values.scaled_text(text)
        if old is None or new is None:
            return None
        return new - old, values.width_of_text(key, text) - values.scaled_width(key)

    def holds_if(self, n: int, texts: dict[CellKey, str]) -> bool | None:
        """Whether identity ``n`` holds with the cells in ``texts`` printing those texts, from
        its scaled difference and tolerance updated cell by cell (what :func:`holds` computes
        under :meth:`Values.what_if`, without it); ``None`` where some value does not fit."""
        base = self.base(n)
        if base is None:
            return None
        diff, tol = base
        for key, text in texts.items():
            ids = self.index.get(key)
            count = count_of(ids, n)
            if not count:
                continue
            change = self.change(key, text)
            if change is None:
                return None
            diff += self.sign(n, key[0], key[1], key[2], count) * change[0]
            tol += count * change[1]
        return not diff or abs(diff) < tol

    def _difference(self, ident: Identity) -> tuple[int, int] | None:
        """(total - Σ parts, Σ half-widths) at the document's scale, or ``None`` where some
        value does not fit it."""
        values = self.values
        if ident.rows is not None or ident.cols is not None:
            # Down a column or along a row: the sums straight from the form's grids (a value
            # that does not fit, ``None``, or a cell not read yet raises TypeError; the loop
            # below then decides, cell by cell, as for any other identity).
            _, r, c = ident.total
            grid, widths = values.grid(ident.form), values.widths(ident.form)
            try:
                diff = grid[r][c] - shaped_parts(ident, grid)
                tol = widths[r][c] + shaped_parts(ident, widths)
                return diff, tol
            except TypeError:
                pass
        v = values.scaled(ident.total)
        if v is None:
            return None
        diff = v
        tol = values.scaled_width(ident.total)
        for k in ident.parts:
            v = values.scaled(k)
            if v is None:
                return None
            diff -= v
            tol += values.scaled_width(k)
        return diff, tol

    def try_value(self, key: CellKey, new: Decimal) -> tuple[list[int], list[int]]:
        """(failing identities repaired, passing identities broken) if ``key`` held ``new``."""
        # The candidate stands in as the cell's text, so every text-keyed cache sees it.
        return self._try_text(key, format_like(new, "", self.decimals))

    def _try_text(self, key: CellKey, text: str) -> tuple[list[int], list[int]]:
        """:meth:`try_value` with the value printed (``format_like(new, "", decimals)``)."""
        ids = self.index.get(key)
        change = self.change(key, text)
        oks: list[bool | None] = []
        for n in ids:
            count = count_of(ids, n)
            oks.append(_verdict(self.base(n), self.sign(n, key[0], key[1], key[2], count), count, change))
        if None in oks:
            with self.values.what_if({key: text}):
                for i, n in enumerate(ids):
                    if oks[i] is None:
                        oks[i] = holds(self.identities[n], self.values)
        repaired, broken = [], []
        failing = self.failing
        for i, n in enumerate(ids):
            if n in failing and oks[i]:
                repaired.append(n)
            elif n not in failing and not oks[i]:
                broken.append(n)
        return repaired, broken

    def candidates(self, n: int) -> list[tuple[float, CellKey, Decimal, list[int], str, str]]:
        """(score, cell, value, identities repaired, why, value printed like the cell) of each
        proposal for failing identity ``n``, best first."""
        ident = self.identities[n]
        v = self.values
        total = v.value(ident.total)
        parts = [v.value(k) for k in ident.parts]
        s = sum(parts, ZERO)
        out: list[tuple[float, CellKey, Decimal, list[int], str, str]] = []
        options: list[tuple[CellKey, Decimal]] = [(ident.total, s)]
        for k, pv in zip(ident.parts, parts, strict=True):
            options.append((k, total - (s - pv)))
        for key, new in options:
            if new < 0 or new == v.value(key):
                continue
            plain = format_like(new, "", self.decimals)
            repaired, broken = self._try_text(key, plain)
            if n not in repaired:
                continue
            old = v.text(key)
            # Printed like ``old``, it differs from ``plain`` only where it groups thousands.
            printed = (
                format_like(new, old, self.decimals, self.thousands)
                if self.thousands or "," in old
                else plain
            )
            like, why = ocr_likelihood(old, printed)
            if like < 3 and self._neighbour_match(key, new):
                like, why = 3.0, "value of the neighbouring column"
            score = 10 * len(repaired) - 25 * len(broken) + like
            out.append((score, key, new, repaired, why, printed))
        out.sort(key=lambda t: -t[0])
        return out

    def _neighbour_match(self, key: CellKey, new: Decimal) -> bool:
        form, r, c = key
        width = self.values.table(form).width
        return any(0 <= j < width and self.values.number((form, r, j)) == new for j in (c - 1, c + 1))


def _quant(value: Decimal, like: str) -> str:
    d = max(decimals_of(like), 2) if like else 2
    return str(value.quantize(_QUANTUM[d] if d < len(_QUANTUM) else Decimal(1).scaleb(-d)))


_QUANTUM: Final = [Decimal(1).scaleb(-d) for d in range(12)]
"""``10 ** -d`` by ``d``, to quantize to ``d`` decimals."""


def _shift_findings(doc: Document, ranker: _Ranker, failing: list[int]) -> tuple[list[Finding], set[int]]:
    """Rows whose values fit the identities only when shifted: one structural finding each."""
    # (A plain dict: compiled, an item of a dict subclass is a generic lookup.)
    by_row: dict[tuple[str, int], list[int]] = {}
    values = ranker.values
    for n in failing:
        ident = ranker.identities[n]
        total = ident.total
        _row_list(by_row, total).append(n)
        for key in ident.parts:
            if values.text(key) or key == total:
                _row_list(by_row, key).append(n)
    out: list[Finding] = []
    explained: set[int] = set()
    for (form_id, r), ids in by_row.items():
        table = doc.forms[form_id].table
        assert table is not None
        row = table.rows[r]
        amount = table.amount_columns()
        best = _best_shift(ranker, form_id, r, amount)
        if best is None or (row.is_total and not set(ids) <= best[2]):
            continue
        start, k, repaired = best
        explained |= repaired
        col_key = table.columns[start].key
        cells = [cell_ref(doc, (form_id, r, c)) for c in amount if row.texts[c]]
        direction = "right" if k > 0 else "left"
        f = Finding(
            rule="structure.shift",
            severity="error",
            form=form_id,
            message=(
                f"row {row.key}: values from column {col_key!r} on fit the header only when shifted "
                f"{abs(k)} cell(s) {direction} (a lost or extra cell in the extraction)"
            ),
            expected=f"shift {k:+d}",
            actual="as printed",
            cells=cells,
        )
        f.suggestions.append(
            Suggestion(
                "shift", form_id, row.key, col_key, str(k), (f.id,), 100.0, f"shift {direction} by {abs(k)}"
            )
        )
        out.append(f)
    return out, explained


def _row_list(by_row: dict[tuple[str, int], list[int]], key: CellKey) -> list[int]:
    """The list of the row of cell ``key`` in ``by_row``, made empty on first use."""
    row = (key[0], key[1])
    found = by_row.get(row)
    if found is None:
        found = by_row[row] = []
    return found


def _best_shift(ranker: _Ranker, form_id: str, r: int, amount: list[int]) -> tuple[int, int, set[int]] | None:
    """(start, k, identities repaired) of the shift of row ``r`` repairing the most, if any."""
    failing = ranker.failing
    table = ranker.values.table(form_id)
    width = table.width
    texts = table.rows[r].texts
    # The identities through each cell of the row, read once: every test below needs them.
    # (Shifts write cells up to ``max(width, len(texts)) + 1``; the index covers them all.)
    size = max(width, len(texts)) + MAX_SHIFT
    through = ranker.index.row(form_id, r)[:size]
    while len(through) < size:
        through.append(NO_IDS)
    failing_at = _failing_at(through, failing, width, amount)
    if not failing_at:
        return None
    last = max(failing_at)  # shifts move cells from ``start + min(k, 0)`` on
    # The shifts to try: those with room (the cells they need blank are) moving a cell of
    # ``failing_at`` (``start + min(k, 0)`` at most ``last``).
    right = [_has_room(texts, width, 0, k) for k in range(MAX_SHIFT + 1)]  # (one test for every start)
    shifts = [
        (start, k)
        for start in amount
        for k in (1, -1, 2, -2)
        if start + min(k, 0) <= last and (right[k] if k > 0 else _has_room(texts, width, start, k))
    ]
    if not shifts:
        return None
    row = _RowShifts(ranker, form_id, r, width, list(texts), through)
    # (An identity through several cells of the row is never unshiftable: those first.)
    if all(len(row.cols_of[n]) == 1 for ids in failing_at.values() for n in ids) and all(
        row.unshiftable(n) for ids in failing_at.values() for n in ids
    ):
        return None
    involved = {n for j in amount for n in through[j]}  # the identities through its amount cells
    best: tuple[int, int, set[int]] | None = None
    for start, k in shifts:
        repaired = row.try_shift(start, k, involved, failing_at)
        if repaired is not None and (best is None or len(repaired) > len(best[2])):
            best = (start, k, repaired)
    return best


def _failing_at(
    through: list[list[int]], failing: set[int], width: int, amount: list[int]
) -> dict[int, list[int]]:
    """By column of the row, the failing identities through it (outside the amount columns,
    those also through an amount cell): a shift moving none of them repairs nothing."""
    involved: set[int] | None = None  # the identities through the row's amount cells
    failing_at: dict[int, list[int]] = {}
    for c in range(width):
        if not through[c]:
            continue
        ids = [n for n in through[c] if n in failing]
        if ids and c not in amount:  # (through an amount cell, an identity is involved)
            involved = {n for j in amount for n in through[j]} if involved is None else involved
            ids = [n for n in ids if n in involved]
        if ids:
            failing_at[c] = ids
    return failing_at


def _has_room(texts: list[str], width: int, start: int, k: int) -> bool:
    """Whether the row has room for the shift by ``k`` from ``start`` on (as ``budget-tui fix``
    and the app shift rows): right, the cells pushed off the end must be blank; left, the
    cells overwritten must be."""
    if k > 0:
        blank = texts[width - k :]
    elif start < -k:
        return False
    else:
        blank = texts[start + k : start]
    return all(not t for t in blank)


class _RowShifts:
    """The shifts of one row, sharing what they have in common: the identities through each
    cell, the cells of the row each identity goes through, and whether an identity through
    one cell of the row holds with a given text there (shifts bring the same few texts)."""

    def __init__(
        self,
        ranker: _Ranker,
        form_id: str,
        r: int,
        width: int,
        texts: list[str],
        through: list[list[int]],
    ) -> None:
        self.ranker = ranker
        self.form_id = form_id
        self.r = r
        self.width = width
        self.texts = texts
        self.through = through
        # Per identity, the cells of the row it goes through (its keys in this row, as the
        # index has them: it lists an identity under each key it involves).
        self.cols_of: dict[int, list[int]] = {}
        for c, ids in enumerate(through):
            for n in ids:
                cols = self.cols_of.get(n)
                if cols is None:
                    self.cols_of[n] = [c]
                elif cols[-1] != c:  # (an identity may list a cell twice)
                    cols.append(c)
        # Per identity through one cell of the row, by text there: whether it then holds.
        self._holds_with: dict[int, dict[str, bool | None]] = {}
        # Per cell of the row, by text: :meth:`_change`.
        self._changes: list[dict[str, tuple[int, int] | None] | None] = [None] * len(through)
        # The shift being tried: texts after it, the cells it changes (their keys and texts on
        # first use), and per identity through them whether it then holds.
        self._moved: list[str] = []
        self._cols: list[int] = []
        self._changed: dict[CellKey, str] | None = None
        self._now: dict[int, bool | None] = {}

    def holds_with(self, n: int, c: int, text: str) -> bool | None:
        """Whether identity ``n``, whose only cell in the row is ``c``, holds with ``text`` there.
        The other cells a shift changes are not ``n``'s: this is the verdict for every shift
        writing ``text`` at ``c``."""
        verdicts = self._holds_with.get(n)
        if verdicts is None:
            verdicts = self._holds_with[n] = {}
        elif text in verdicts:  # (tested, not caught: compiled, a raised KeyError is dear)
            return verdicts[text]
        ok = verdicts[text] = self._verdict_at(n, c, self._change(c, text))
        return ok

    def _verdict_at(self, n: int, c: int, change: tuple[int, int] | None) -> bool | None:
        """:func:`_verdict` of identity ``n`` with cell ``c`` of the row changed by ``change``."""
        count = count_of(self.through[c], n)
        sign = self.ranker.sign(n, self.form_id, self.r, c, count)
        return _verdict(self.ranker.base(n), sign, count, change)

    def _change(self, c: int, text: str) -> tuple[int, int] | None:
        """:meth:`_Ranker.change` of cell ``c`` of the row printing ``text`` (shifts bring the
        same few texts to a cell, and several identities go through it)."""
        changes = self._changes[c]
        if changes is None:
            changes = self._changes[c] = {}
        elif text in changes:  # (tested, not caught: compiled, a raised KeyError is dear)
            return changes[text]
        change = changes[text] = self.ranker.change((self.form_id, self.r, c), text)
        return change

    def unshiftable(self, n: int) -> bool:
        """Whether no shift of the row can make identity ``n`` hold: it goes through one cell of
        the row, and none of the texts a shift of at most two cells can bring there would do."""
        cols = self.cols_of[n]
        if len(cols) != 1:
            return False
        c, texts = cols[0], self.texts
        base = self.ranker.base(n)
        if base is None:
            return False  # (no verdict: any text may do)
        brought = [texts[j] for j in (c - 2, c - 1, c + 1, c + 2) if 0 <= j < len(texts)]
        brought.append("")
        for t in brought:
            # Its own text back changes nothing: a cell's scaled value and half-width are those
            # of its text, and they fit the scale (else ``base`` would be None).
            ok = _verdict(base, 0, 0, None) if t == texts[c] else self.holds_with(n, c, t)
            if ok is not False:
                return False
        return True

    def try_shift(
        self, start: int, k: int, involved: set[int], failing_at: dict[int, list[int]]
    ) -> set[int] | None:
        """The failing identities the shift of the row by ``k`` from ``start`` on repairs, if it
        repairs any and breaks none (the row has room for it: :func:`_has_room`)."""
        texts, width = self.texts, self.width
        # ``start`` is the first cell that moves; the row has room for the shift (_has_room).
        if k > 0:
            moved = texts[:start] + [""] * k + texts[start : width - k]
        else:
            j = -k
            moved = texts[: start - j] + texts[start:] + [""] * j
        # Cells before ``start + min(k, 0)`` stay as they are.
        n_texts = len(texts)
        cols = [c for c in range(start + min(k, 0), len(moved)) if c >= n_texts or moved[c] != texts[c]]
        if not cols:
            return None
        failing = self.ranker.failing
        self._moved, self._cols, self._changed = moved, cols, None
        now = self._now = {}  # per identity through a moved cell: holds after the shift?
        # Only identities through a moved cell can change; unless one of the failing ones may
        # then hold, nothing is repaired (the exact check below would say the same, slower).
        if all(self._holds_after(n, c) is False for c in cols for n in failing_at.get(c, ())):
            return None
        # A passing identity that no longer holds: nothing below can change that, so no need
        # to look at the others (all of these are involved, and so are those of ``failing_at``).
        for c in cols:
            for n in self.through[c]:
                if n in involved and self._holds_after(n, c) is False and n not in failing:
                    return None
        # The integer verdicts are exact wherever the values fit the scale (nearly always) ...
        if None in now.values():  # ... elsewhere the exact evaluation does
            identities, values = self.ranker.identities, self.ranker.values
            with values.what_if(self._changed_cells()):
                now = {n: holds(identities[n], values) if ok is None else ok for n, ok in now.items()}
        repaired = {n for n, ok in now.items() if ok and n in failing}
        if not repaired or not all(ok for n, ok in now.items() if n not in failing):
            return None
        return repaired

    def _holds_after(self, n: int, c: int) -> bool | None:
        """Whether identity ``n``, through moved cell ``c``, holds after the shift being tried."""
        now = self._now
        if n in now:
            return now[n]
        if len(self.cols_of[n]) == 1:
            ok = now[n] = self.holds_with(n, c, self._moved[c])
        else:
            ok = now[n] = self._holds_moved(n)
        return ok

    def _holds_moved(self, n: int) -> bool | None:
        """:meth:`_Ranker.holds_if` of identity ``n`` with the texts of the shift being tried
        (the changes of the row's cells computed once for all identities and shifts)."""
        ranker = self.ranker
        base = ranker.base(n)
        if base is None:
            return None
        diff, tol = base
        form_id, r, moved, texts = self.form_id, self.r, self._moved, self.texts
        lo, n_texts = self._cols[0], len(texts)
        for c in self.cols_of[n]:
            if c < lo or c >= len(moved) or (c < n_texts and moved[c] == texts[c]):
                continue  # (a cell the shift leaves as it is)
            change = self._change(c, moved[c])
            if change is None:
                return None
            count = count_of(self.through[c], n)
            diff += ranker.sign(n, form_id, r, c, count) * change[0]
            tol += count * change[1]
        return not diff or abs(diff) < tol

    def _changed_cells(self) -> dict[CellKey, str]:
        """The cells the shift being tried changes, with their texts after it."""
        if self._changed is None:
            form_id, r, moved = self.form_id, self.r, self._moved
            self._changed = {(form_id, r, c): moved[c] for c in self._cols}
        return self._changed


def _lost_columns(doc: Document, ranker: _Ranker, failing: list[int]) -> tuple[list[Finding], set[int]]:
    """A subtotal column printed blank in several rows whose parts add up: values were lost."""
    groups: dict[tuple[str, int], list[int]] = defaultdict(list)
    for n in failing:
        ident = ranker.identities[n]
        if ident.rule == "totals.columns" and not ranker.values.text(ident.total):
            groups[(ident.total[0], ident.total[2])].append(n)
    out: list[Finding] = []
    explained: set[int] = set()
    for (form_id, c), ids in groups.items():
        if len(ids) < 2:
            continue
        table = doc.forms[form_id].table
        assert table is not None
        explained |= set(ids)
        # The column's own total then cannot be reached by its blank rows either.
        for n in failing:
            ident = ranker.identities[n]
            if (
                ident.rule == "totals.rows"
                and ident.total[2] == c
                and all(not ranker.values.text(k) for k in ident.parts)
            ):
                explained.add(n)
        col = table.columns[c].key
        cells = [cell_ref(doc, ranker.identities[n].total) for n in ids]
        f = Finding(
            rule="structure.lost_column",
            severity="error",
            form=form_id,
            message=(
                f"column {col!r} is blank in {len(ids)} rows whose parts add up to a value: "
                "the extraction lost it"
            ),
            expected="values",
            actual="blank",
            cells=cells,
        )
        for i, n in enumerate(ids):
            ref = cells[i]  # (identity ``n``'s total)
            ident = ranker.identities[n]
            total = _parts_sum(ident, ranker.values)  # (printed by format_like: by value)
            text = format_like(total, "", ranker.decimals, ranker.thousands)
            f.suggestions.append(
                Suggestion("value", form_id, ref.row, ref.column, text, (f.id,), 12.0, "lost cell")
            )
        out.append(f)
    return out, explained


def _missing_rows(doc: Document, ranker: _Ranker, failing: list[int]) -> tuple[list[Finding], set[int]]:
    """A total that its rows cannot reach in several columns: rows (pages) are missing."""
    groups: dict[tuple[str, int], list[int]] = defaultdict(list)
    for n in failing:
        ident = ranker.identities[n]
        if ident.rule in ("totals.rows", "totals.units", "totals.codes"):
            groups[(ident.total[0], ident.total[1])].append(n)
    out: list[Finding] = []
    explained: set[int] = set()
    for (form_id, r), ids in groups.items():
        short = [n for n in ids if _short(ranker.identities[n], ranker.values)]
        table = doc.forms[form_id].table
        assert table is not None
        need = 3 if len(table.amount_columns()) > 3 else 2
        if len(short) < need or 2 * len(short) < len(ids):
            continue
        explained |= set(short)
        ident = ranker.identities[short[0]]
        s = _parts_sum(ident, ranker.values)
        f = Finding(
            rule="structure.missing_rows",
            severity="error",
            form=form_id,
            message=(
                f"{table.rows[r].key}: the rows present fall short of the printed total in {len(short)} "
                f"columns (e.g. {_quant(s, ranker.values.text(ident.total))} of "
                f"{ranker.values.text(ident.total)}): rows or pages are missing from the extraction"
            ),
            expected=ranker.values.text(ident.total),
            actual=_quant(s, ranker.values.text(ident.total)),
            cells=[cell_ref(doc, ranker.identities[n].total) for n in short],
        )
        out.append(f)
    return out, explained


def _parts_sum(ident: Identity, values: Values) -> Decimal:
    """:func:`parts_sum` of an identity down a column or along a row, from the form's scaled
    integers where that is exact: each is its cell's value times ``10 ** (scale_decimals + 1)``
    (``None``, or a cell not read yet, raises TypeError), and while the sum of their sizes is
    below ``10 ** precision`` no Decimal sum of those values rounds either. (It may differ from
    parts_sum's in its exponent only: it is quantized before it is printed.)"""
    rows, cols = ident.rows, ident.cols
    if rows is not None or cols is not None:
        grid = values.grid(ident.form)
        _, r, c = ident.total
        # (Plain loops into typed ints: compiled, the sums stay native.)
        total = size = 0
        v: int
        try:
            if rows is not None:
                for x in rows:
                    v = grid[x][c]
                    total += v
                    size += v if v >= 0 else -v
            else:
                row = grid[r]
                for j in cols or ():
                    v = row[j]
                    total += v
                    size += v if v >= 0 else -v
        except TypeError:
            return parts_sum(ident, values)
        prec = getcontext().prec
        if size < (_TEN_TO_28 if prec == 28 else 10**prec):
            return Decimal(total).scaleb(-(values.precision.scale_decimals + 1))
    return parts_sum(ident, values)


_TEN_TO_28: Final = 10**28
"""``10 ** precision`` at the default precision."""


def _short(ident: Identity, values: Values) -> bool:
    """Whether the parts of ``ident`` add up to less than its total."""
    try:
        return scaled_difference(ident, values) > 0
    except TypeError:  # a value finer than the document's scale: exact Decimals
        _, exact_total, s, _ = evaluate(ident, values)
        return s < exact_total


def _surplus_child(doc: Document, ident: Identity, values: Values, s: Decimal) -> str:
    """For a code parent its sub-items exceed by exactly one sub-item's value, a note naming
    that sub-item (printed twice, or filed under the wrong parent), else ``""``."""
    if ident.rule != "totals.codes":
        return ""
    excess = s - values.value(ident.total)
    if excess <= 0:
        return ""
    matches = [cell_ref(doc, k) for k in ident.parts if values.value(k) == excess]
    if not matches:
        return ""
    if len(matches) == 1:
        return f"; the excess is {matches[0].row}'s {matches[0].text}: a sub-item under the wrong parent?"
    rows = "、".join(m.row for m in matches)
    return f"; the excess is {matches[0].text}, as printed by {rows}: one sub-item printed twice?"


def findings_for_failures(
    doc: Document,
    failing_ids: list[int],
    identities: list[Identity],
    by_cell: CellIndex,
    values: Values,
) -> list[Finding]:
    """One finding per failing identity (numbers into ``identities``, in order, indexed by
    cell in ``by_cell``), or per structural cause, each with ranked proposals."""
    ranker = _Ranker(doc, identities, by_cell, values, set(failing_ids))
    findings, explained = _missing_rows(doc, ranker, failing_ids)
    lost, lost_explained = _lost_columns(doc, ranker, [n for n in failing_ids if n not in explained])
    findings.extend(lost)
    explained |= lost_explained
    shift_findings, shifted = _shift_findings(doc, ranker, [n for n in failing_ids if n not in explained])
    findings.extend(shift_findings)
    explained |= shifted
    fid_of: dict[int, str] = {}
    pending: list[tuple[Finding, int]] = []
    for n in failing_ids:
        if n in explained:
            continue
        ident = identities[n]
        s = _parts_sum(ident, values)
        total_text = values.text(ident.total)
        # The finding lists the total and the parts printing something; its id names them all.
        cells = [cell_ref(doc, ident.total)] + [cell_ref(doc, k) for k in ident.parts if values.text(k)]
        f = Finding(
            rule=ident.rule,
            severity="error" if ident.severity == "error" else "warning",
            form=ident.form,
            message=(
                f"{ident.description}: printed {total_text or 'blank'}, "
                f"parts add up to {_quant(s, total_text)}{_surplus_child(doc, ident, values, s)}"
            ),
            expected=_quant(s, total_text),
            actual=total_text or "",
            cells=cells,
            id=finding_id_of_keys(ident.rule, cell_keys(doc, [ident.total, *ident.parts])),
        )
        fid_of[n] = f.id
        pending.append((f, n))
    for f, n in pending:
        for score, key, _, repaired, why, text in ranker.candidates(n)[:5]:
            form_id, r, c = key
            table = doc.forms[form_id].table
            assert table is not None
            f.suggestions.append(
                Suggestion(
                    "value",
                    form_id,
                    table.rows[r].key,  # (as cell_ref names the cell)
                    table.columns[c].key,
                    text,
                    tuple(fid_of[m] for m in repaired if m in fid_of),
                    score,
                    why,
                )
            )
        findings.append(f)
    return findings

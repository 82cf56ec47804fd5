"""Totals inside a form: 合计 rows, 小计/合计 columns, ordinal lists, two-sided balance.

Each rule returns its identities in a list, which its helpers append to (compiled, a
generator per group of identities, and each level of ``yield from`` an identity passed
through, cost more than the identities themselves).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any, Final

from budget_tui.core.model import Document, Form, Table
from budget_tui.core.numbers import is_code, is_number, nospace
from budget_tui.core.parse import is_total_label
from budget_tui.core.rules.common import (
    ORDINAL_START,
    Identity,
    Values,
    amount_cells,
    holds,
    is_subset_label,
    ordinal_level,
    percent_cells,
)

_SUBTOTAL_RE: Final = re.compile(r"(?:合\s*计|小\s*计|总\s*计|总\s*额)$")
_SIDE_TOTAL_RE: Final = re.compile(r"(?:收入|支出)(?:合计|总计)")
MIRROR_SHARE: Final = 0.8
CONFIRM_SHARE: Final = 0.6


def sides(table: Table) -> list[tuple[int, list[int]]]:
    """(label column, amount columns) of each side: two for 收入 | 支出 forms, else one."""
    cached = table.derived.get("sides")
    if cached is None:
        cached = table.derived["sides"] = _sides(table)
    return cached  # type: ignore[return-value]


def _sides(table: Table) -> list[tuple[int, list[int]]]:
    amount = table.amount_columns()  # (in order)
    label_cols: list[int] = []
    for j, col in enumerate(table.columns):
        if col.role == "label":
            if any(r.texts[j] for r in table.rows):
                label_cols.append(j)
        elif col.role == "text":
            texts: list[str] = []
            for r in table.rows:  # (each cell read once)
                t = r.texts[j]
                if t:
                    texts.append(t)
            if texts and _mostly_ordinal(texts):
                label_cols.append(j)
    if len(label_cols) < 2:
        return [(label_cols[0] if label_cols else -1, amount)]
    out: list[tuple[int, list[int]]] = []
    bounds = [*label_cols, table.width]
    for a, b in itertools.pairwise(bounds):
        out.append((a, [j for j in amount if a < j < b]))
    return [s for s in out if s[1]]


def _first_characters() -> bytes:
    """Per code point, ``_ORDINAL_FIRST`` for the first characters of ordinal items (一…十, (
    and （), ``_TOTAL_FIRST`` for those of total labels (本年…, 收入…, 支出…, 合计, 总计), else 0."""
    table = bytearray(max(map(ord, [*ORDINAL_START, *_TOTAL_START])) + 1)
    for ch in ORDINAL_START:
        table[ord(ch)] = _ORDINAL_FIRST
    for ch in _TOTAL_START:
        table[ord(ch)] = _TOTAL_FIRST
    return bytes(table)


_ORDINAL_FIRST: Final = 1
_TOTAL_FIRST: Final = 2
_TOTAL_START: Final = "本收支合总"
# Labels' first characters are looked up by code point: compiled, ``ord(t[0])`` reads an int
# and indexing bytes is native, where ``t[0] in ORDINAL_START`` makes a string (a new one for
# each CJK character) and hashes it. (In plain Python, the two cost about the same.)
_FIRST_CHARACTERS: Final = _first_characters()
_FIRST_END: Final = len(_FIRST_CHARACTERS)


def _ordinal_or_total(t: str) -> bool:
    """Whether ``t`` (not blank) is an ordinal item or a total label."""
    return (t[0] in ORDINAL_START and ordinal_level(t) > 0) or is_total_label(t)


def _mostly_ordinal(texts: list[str]) -> bool:
    """At least a third (and two) of ``texts`` (none blank) are ordinal items or totals."""
    need = max(2, len(texts) // 3)
    left = len(texts) - need  # texts that may still fail before the count cannot make it
    for t in texts:
        o = ord(t[0])  # (tested first: long free text seldom starts as they do)
        if o < _FIRST_END and _FIRST_CHARACTERS[o] and _ordinal_or_total(t):
            need -= 1
            if not need:
                return True
        else:
            left -= 1
            if left < 0:
                return False
    return False


def _side_label(table: Table, r: int, label_col: int) -> str:
    if label_col < 0:
        return table.rows[r].label
    return table.rows[r].texts[label_col]


def _ordinal_identities(
    out: list[Identity], fid: str, labels: list[str], levels: list[int], cols: list[int]
) -> None:
    rows = [r for r, t in enumerate(labels) if t]
    is_total = [is_total_label(labels[r]) for r in rows]
    # L1 = Σ its L2 children.
    for i, r in enumerate(rows):
        if levels[r] != 1:
            continue
        kids: list[int] = []
        for k in range(i + 1, len(rows)):  # (by index: no slices, no zip)
            x = rows[k]
            level = levels[x]
            if level == 1 or is_total[k]:
                break
            if level == 2:
                kids.append(x)
        if kids:
            _row_sums(out, "totals.rows", fid, r, kids, cols, f"{labels[r]} = Σ its items")
    # Each total = the previous total + the top-level items since it.
    prev_total: int | None = None
    items: list[int] = []
    for k in range(len(rows)):
        r = rows[k]
        t = labels[r]
        # (Its words tested first: most labels have neither, and a regex search costs more.)
        if is_total[k] or (("合计" in t or "总计" in t) and _SIDE_TOTAL_RE.search(t)):
            parts = ([prev_total] if prev_total is not None else []) + items
            if parts:
                _row_sums(out, "totals.rows", fid, r, parts, cols, f"{t} = Σ items above")
            prev_total, items = r, []
        elif levels[r] == 2 or is_subset_label(t):
            continue
        else:
            items.append(r)


def _row_sums(
    out: list[Identity], rule: str, fid: str, total: int, parts: list[int], cols: list[int], description: str
) -> None:
    """Append ``row total = Σ rows parts`` to ``out``, one identity per column of ``cols``."""
    for c in cols:
        out.append(Identity(rule, fid, (fid, total, c), None, description, rows=parts))


def _top_level(codes: list[tuple[int, str]]) -> list[int]:
    """Rows whose code has no proper prefix among the other codes (the hierarchy's roots)."""
    all_codes = {c for _, c in codes}
    lengths = sorted({len(c) for c in all_codes})
    if len(lengths) == 1:  # (one length: no code is a proper prefix of another)
        return [r for r, _ in codes]
    roots = []
    for r, code in codes:
        for k in lengths:  # the code's prefixes as long as some code
            if k >= len(code):
                roots.append(r)
                break
            if code[:k] in all_codes:
                break
        else:
            roots.append(r)
    return roots


_LEVEL_HEADERS: Final = ("类", "款", "项")
SUBJECT_CODE_LENGTHS: Final = (3, 5, 7)
"""类, 款 and 项 of a 功能分类 code (经济分类 codes stop at 款)."""
_LONGEST_FIRST: Final = (7, 5, 3)
"""``SUBJECT_CODE_LENGTHS`` reversed."""


def subject_codes(table: Table) -> list[str]:
    """Per row, its subject code in full (``""`` if it prints none): the first of its codes
    (``30101`` of ``30101/50101``), or, where 类/款/项 are printed in columns of their own and a
    row leaves its parents blank (``  03`` under ``201``), the parents taken from the rows above.
    Once per table."""
    cached = table.derived.get("subject_codes")
    if cached is None:
        cached = table.derived["subject_codes"] = _subject_codes(table)
    return cached  # type: ignore[return-value]


def _level_columns(table: Table) -> list[int] | None:
    """The first 类, 款 (and 项) code columns, in that order and side by side, if any."""
    cols = table.columns
    for j, col in enumerate(cols):
        if col.role != "code" or not col.path or nospace(col.path[-1]) != "类":
            continue
        found = [j]
        for level in _LEVEL_HEADERS[1:]:
            k = found[-1] + 1
            if (
                k < len(cols)
                and cols[k].role == "code"
                and cols[k].path
                and nospace(cols[k].path[-1]) == level
            ):
                found.append(k)
        return found if len(found) > 1 else None
    return None


def _subject_codes(table: Table) -> list[str]:
    levels = _level_columns(table)
    out: list[str] = []
    context = ["", "", ""]  # the 类, 款 and 项 printed last
    for row in table.rows:
        code = row.code
        if not code:  # (no code cell holds digits: nothing to read in the level columns either)
            out.append("")
            continue
        slash = code.find("/")
        first = code if slash < 0 else code[:slash]
        if levels is None or row.is_total:
            out.append(first if is_code(first) else "")
            continue
        cells = [row.texts[j] for j in levels]
        # (all() and any() of a generator: compiled, inline loops; of a list, calls.)
        if all(c for c in cells):  # every level printed (most coded rows): the code as it stands
            joined = "".join(cells)
            if is_code(joined):
                context = cells
                out.append(joined)
                continue
        cells = [nospace(c) if " " in c else c for c in cells]  # (OCR spaces inside a code)
        if not all(is_code(c) for c in cells if c):
            out.append("")  # text in a code column (a shifted row): no code to trust
            continue
        if not any(c for c in cells):
            out.append(first if is_code(first) else "")
            continue
        deepest = max(k for k, c in enumerate(cells) if c)
        for k, c in enumerate(cells):
            if c:
                context[k] = c
            elif k > deepest:
                context[k] = ""
        out.append("".join(context[: deepest + 1]) if all(context[: deepest + 1]) else "")
    return out


def _parents(codes: list[tuple[int, str]]) -> dict[int, list[int]]:
    """Per row whose code is another's closest parent (longest proper prefix at a subject
    level), its children's rows, in order; codes printed twice keep their first row."""
    first: dict[str, int] = {}
    for r, code in codes:
        first.setdefault(code, r)
    children: dict[int, list[int]] = {}
    for r, code in codes:
        if first[code] != r:
            continue
        for k in _LONGEST_FIRST:
            if k < len(code) and code[:k] in first:
                children.setdefault(first[code[:k]], []).append(r)
                break
    return children


def code_identities(doc: Document, form: Form) -> list[Identity]:
    """Subject-code hierarchy: a 类 row = Σ its 款 rows, a 款 row = Σ its 项 rows (功能分类
    3 → 5 → 7 digits, 经济分类 3 → 5), within each unit's rows, per amount column printed."""
    out: list[Identity] = []
    table = form.table
    if table is None or not table.rows:
        return out
    codes = subject_codes(table)
    level = 0  # the length of the first subject code
    for c in codes:
        n = len(c)
        if n in SUBJECT_CODE_LENGTHS:
            if not level:
                level = n
            elif n != level:
                break  # two levels at least
    else:
        return out  # one level at most: no parent with children (most tables)
    unit_codes = {u.code for u in doc.units}
    cols = table.amount_columns()
    section: list[tuple[int, str]] = []
    for r, row in enumerate([*table.rows, None]):
        if row is not None and not row.is_total and codes[r] not in unit_codes:
            if len(codes[r]) in SUBJECT_CODE_LENGTHS:
                section.append((r, codes[r]))
            continue
        for parent, kids in _parents(section).items():
            _row_sums(
                out,
                "totals.codes",
                form.id,
                parent,
                kids,
                _printed(table, parent, kids, cols),
                f"{table.rows[parent].key} = Σ its {len(kids)} sub-items",
            )
        section = []
    return out


def _printed(table: Table, total: int, parts: list[int], cols: list[int]) -> list[int]:
    """The columns of ``cols`` in which row ``total`` or one of the rows ``parts`` prints something."""
    rows = table.rows
    return [c for c in cols if rows[total].texts[c] or any(rows[k].texts[c] for k in parts)]


def _sections(out: list[Identity], fid: str, table: Table, cols: list[int], unit_codes: set[str]) -> None:
    """A unit row heading the detail rows below it (until the next unit row) is their sum."""
    units = [r for r, row in enumerate(table.rows) if row.code in unit_codes]
    codes = subject_codes(table)
    for i, u in enumerate(units):
        end = units[i + 1] if i + 1 < len(units) else len(table.rows)
        kids = [
            r
            for r in range(u + 1, end)
            if not table.rows[r].is_total and (table.rows[r].code or table.rows[r].label)
        ]
        # A 款 or 项 row whose parent is printed is in the parent already (totals.codes).
        nested = {r for ks in _parents([(r, codes[r]) for r in kids if codes[r]]).values() for r in ks}
        kids = [r for r in kids if r not in nested]
        if not kids:
            continue
        printed = _printed(table, u, kids, cols)
        _row_sums(out, "totals.units", fid, u, kids, printed, f"{table.rows[u].key} = Σ its rows")


def _classify_rows(table: Table, unit_codes: set[str]) -> tuple[list[int], list[int], list[int]]:
    """(department rows, unit rows, top-level detail rows) of a list table."""
    units3: list[int] = []
    units6: list[int] = []
    coded: list[tuple[int, str]] = []
    plain: list[int] = []
    codes = subject_codes(table)
    for r, row in enumerate(table.rows):
        if row.is_total:
            continue
        code = row.code
        if code and code in unit_codes:
            (units3 if len(code) <= 3 else units6).append(r)
        elif code:
            # Its subject code in full (03 under 201 is 20103; 30101 of 30101/50101); other
            # codes (unit/功能/经济 of a 部门预算表 row, project codes) as printed.
            coded.append((r, codes[r] if len(codes[r]) in SUBJECT_CODE_LENGTHS else code))
        elif row.label and not is_subset_label(row.label):
            plain.append(r)
    return units3, units6, sorted(_top_level(coded) + plain)


def _list_identities(
    out: list[Identity], fid: str, table: Table, cols: list[int], unit_codes: set[str]
) -> None:
    totals = [r for r, row in enumerate(table.rows) if row.is_total]
    if not totals:
        _sections(out, fid, table, cols, unit_codes)
        return
    units3, units6, details = _classify_rows(table, unit_codes)
    units = units3 or (units6 if len(units6) > 1 else [])
    for t in totals:
        tlabel = table.rows[t].key
        on_details = f"{tlabel} = Σ detail rows" if details else ""
        on_units = f"{tlabel} = Σ units" if units else ""
        for c in cols:  # per column, details then units (the order findings are listed in)
            if details:
                out.append(Identity("totals.rows", fid, (fid, t, c), None, on_details, rows=details))
            if units:
                out.append(Identity("totals.units", fid, (fid, t, c), None, on_units, rows=units))
    if len(units3) == 1 and units6:
        u = units3[0]
        what = "its only unit" if len(units6) == 1 else "Σ its units"
        _row_sums(out, "totals.units", fid, u, units6, cols, f"{table.rows[u].key} = {what}")


def row_identities(doc: Document, form: Form) -> list[Identity]:
    """合计 rows = Σ detail rows (codes' top level, ordinal lists, units), per amount column."""
    out: list[Identity] = []
    table = form.table
    if table is None or not table.rows:
        return out
    unit_codes = {u.code for u in doc.units}
    for label_col, cols in sides(table):
        if label_col < 0:
            labels = [row.label for row in table.rows]
        else:
            labels = [row.texts[label_col] for row in table.rows]
        levels: list[int] = []
        for t in labels:
            o = ord(t[0]) if t else 0
            levels.append(
                ordinal_level(t) if o < _FIRST_END and _FIRST_CHARACTERS[o] == _ORDINAL_FIRST else 0
            )
        if len(levels) - levels.count(0) >= 2:
            _ordinal_identities(out, form.id, labels, levels, cols)
        else:
            _list_identities(out, form.id, table, cols, unit_codes)
    _balance(out, form, table)
    return out


def _balance(out: list[Identity], form: Form, table: Table) -> None:
    """Two-sided forms: the final 收入 total equals the final 支出 total."""
    ss = sides(table)
    if len(ss) != 2:
        return
    (la, ca), (lb, cb) = ss
    for r in range(len(table.rows) - 1, -1, -1):
        a, b = _side_label(table, r, la), _side_label(table, r, lb)
        if is_total_label(a) and is_total_label(b) and ca and cb:
            out.append(Identity.along("totals.balance", (form.id, r, ca[0]), [cb[0]], f"{a} = {b}"))
            return


@functools.lru_cache(maxsize=1024)
def _is_subtotal(label: str) -> bool:
    """A header label naming a subtotal (the forms' headers share a small vocabulary)."""
    return bool(_SUBTOTAL_RE.search(nospace(label)))


def _resolve(
    paths: list[tuple[str, ...]],
    cols: list[int],
    prefix: tuple[str, ...],
    memo: dict[tuple[str, ...], list[int]],
) -> list[int]:
    """Columns that add up to the group ``prefix``: its 小计 if printed, else its leaves."""
    if prefix in memo:
        return memo[prefix]
    own = [j for j in cols if paths[j] == prefix]
    if own:
        memo[prefix] = own[:1]
        return own[:1]
    n = len(prefix)
    sub = [
        j
        for j in cols
        if paths[j] == (*prefix, "小计")
        or (len(paths[j]) == n + 1 and paths[j][:-1] == prefix and _is_subtotal(paths[j][-1]))
    ]
    if sub:
        memo[prefix] = sub[:1]
        return sub[:1]
    out: list[int] = []
    children: list[str] = []
    for j in cols:
        p = paths[j]
        if len(p) > n and p[:n] == prefix and p[n] not in children:
            children.append(p[n])
    for child in children:
        if _is_subset_header(child):
            continue
        out.extend(_resolve(paths, cols, (*prefix, child), memo))
    memo[prefix] = out
    return out


# Header labels come from a small vocabulary shared by the forms: their tests are memoised.
_is_subset_header: Final = functools.lru_cache(maxsize=1024)(is_subset_label)


def _column_candidates(table: Table) -> tuple[tuple[int, tuple[int, ...]], ...]:
    """(subtotal column, the columns it adds up) from the header alone."""
    columns = table.columns
    # (Two flat tuples: tables printing one header share its paths, so comparing the keys of
    # a hit mostly compares pointers.)
    return _header_candidates(tuple([col.path for col in columns]), tuple([col.role for col in columns]))


@functools.lru_cache(maxsize=256)
def _header_candidates(
    paths: tuple[tuple[str, ...], ...], roles: tuple[str, ...]
) -> tuple[tuple[int, tuple[int, ...]], ...]:
    # A function of the header only, and standard forms share headers: memoised by header.
    return tuple((c, tuple(parts)) for c, parts in _find_candidates(list(paths), roles))


def _find_candidates(paths: list[tuple[str, ...]], roles: tuple[str, ...]) -> Iterator[tuple[int, list[int]]]:
    amount = [j for j, role in enumerate(roles) if role == "amount"]
    cols = [j for j in amount if not any(_is_subset_header(p) for p in paths[j])]
    memo: dict[tuple[str, ...], list[int]] = {}
    for c in cols:
        path = paths[c]
        if not path or not _is_subtotal(path[-1]):
            continue
        prefix = path[:-1]
        n = len(prefix)
        children: list[str] = []
        for j in cols:
            p = paths[j]
            if j != c and len(p) > n and p[:n] == prefix and p[n] not in children:
                children.append(p[n])
        parts: list[int] = []
        for child in children:
            if _is_subset_header(child) or _is_subtotal(child):
                continue
            parts.extend(j for j in _resolve(paths, cols, (*prefix, child), memo) if j != c)
        if parts:
            yield c, parts


def _sums_along(grid: list[list[Any]], r: int, c: int, parts: tuple[int, ...]) -> bool:
    """Whether cell ``c`` of row ``r`` of a :meth:`Values.grid` is exactly the sum of the
    row's cells ``parts`` (False where a value is no int: :func:`holds` decides those)."""
    row = grid[r]
    total = row[c]
    if not isinstance(total, int):
        return False
    s = 0
    for j in parts:
        v = row[j]
        if not isinstance(v, int):
            return False
        s += v
    return total == s


def _bits(cols: Sequence[int]) -> int:
    """The columns ``cols`` as bits of an int (``1 << j``), as :func:`_nonzero_masks` has them."""
    mask = 0
    for j in cols:
        mask |= 1 << j
    return mask


def column_identities(doc: Document, form: Form, values: Values) -> list[Identity]:
    """小计 / 合计 columns = Σ their sibling groups, per row; kept only when the data confirm it.

    Each kept identity keeps whether it held where it was evaluated (``held``), for the session."""
    out: list[Identity] = []
    table = form.table
    if table is None or not table.rows:
        return out
    rows = table.rows
    fid = form.id
    grid: list[list[Any]] | None = None
    for c, parts in _column_candidates(table):
        description = f"{table.columns[c].key} = Σ {len(parts)} columns"
        masks = _nonzero_masks(table)
        want = _bits((c, *parts))
        # Confirm on rows that print the subtotal: a misread header must not invent identities,
        # while a subtotal lost from some rows still shows as failures there. (Evaluated on the
        # grid: the identities are made only for the candidates kept.)
        found: list[int] = []
        verdicts: list[bool | None] = []  # per row found: whether it held, if evaluated
        printed = held = 0
        for r in range(len(rows)):
            if not masks[r] & want:
                continue
            found.append(r)
            if not rows[r].texts[c]:
                verdicts.append(None)
                continue
            if grid is None:
                grid = values.grid(fid)
            ok = _sums_along(grid, r, c, parts) or holds(
                Identity("totals.columns", fid, (fid, r, c), None, description, cols=parts), values
            )
            verdicts.append(ok)
            printed += 1
            held += ok
        if printed and held >= max(1, CONFIRM_SHARE * printed):
            for k in range(len(found)):  # (by index: no zip)
                ident = Identity("totals.columns", fid, (fid, found[k], c), None, description, cols=parts)
                ident.held = verdicts[k]
                out.append(ident)
    return out


def _nonzero(text: str) -> bool:
    if not text or not is_number(text):
        return False
    t = text.replace(",", "").rstrip("%")
    try:
        return Decimal(t) != 0
    except ArithmeticError:  # pragma: no cover
        return False


def _nonzero_masks(table: Table) -> list[int]:
    """Per row, the amount columns whose cell :func:`_nonzero` holds for, as bits of an int
    (``1 << j``; once per table)."""
    cached = table.derived.get("nonzero_masks")
    if cached is None:
        masks = [0] * len(table.rows)
        for j, cells in amount_cells(table):
            bit = 1 << j
            for r, t, m, _ in cells:
                # Decimal() reads no U+2212 minus: such a cell counts as zero, as in _nonzero.
                # (Without white space around it, a cell parsed to m != 0 is _nonzero; strip()
                # returns such a text itself, where t[0] and t[-1] make strings.)
                if m and "−" not in t and (t.strip() == t or _nonzero(t)):
                    masks[r] = masks[r] | bit
        for r, j, t in percent_cells(table):
            if _nonzero(t):
                masks[r] = masks[r] | 1 << j
        cached = table.derived["nonzero_masks"] = masks
    return cached  # type: ignore[return-value]


def subset_identities(doc: Document, form: Form, values: Values) -> list[Identity]:
    """A 其中 column that equals its parent column on (nearly) every row mirrors it.

    Where a document funds everything from one source (其中：财政拨款 = 小计 on every row),
    the two columns must agree on each row; a row where they differ is reported as a
    warning. Columns that legitimately differ on several rows are left alone. Each kept
    identity keeps whether it held (``held``), for the session.
    """
    out: list[Identity] = []
    table = form.table
    if table is None or len(table.rows) < 3:
        return out
    amount = table.amount_columns()
    for c in amount:
        path = table.columns[c].path
        if not path or not is_subset_label(path[-1]):
            continue
        parent = next(
            (j for j in reversed(amount) if j < c and table.columns[j].path[:-1] == path[:-1]), None
        )
        if parent is None:
            continue
        masks = _nonzero_masks(table)
        want = (1 << c) | (1 << parent)
        found = [r for r in range(len(masks)) if masks[r] & want]
        if len(found) < 3:
            continue
        description = f"{table.columns[c].key} = {table.columns[parent].key}"
        fid, part = form.id, [parent]
        grid = values.grid(fid)
        verdicts: list[bool] = []
        held = 0
        for r in found:
            ok = _sums_along(grid, r, c, (parent,)) or holds(
                Identity("totals.subset", fid, (fid, r, c), None, description, "warning", cols=part), values
            )
            verdicts.append(ok)
            held += ok
        if held >= MIRROR_SHARE * len(found):
            for k in range(len(found)):
                ident = Identity(
                    "totals.subset", fid, (fid, found[k], c), None, description, "warning", cols=part
                )
                ident.held = verdicts[k]
                out.append(ident)
    return out


_THREE_PUBLIC_COLUMNS: Final = (
    r"三公.*合计",
    r"因公出国",
    r"公务用车购置及运行费(?:/小计)?$",
    r"公务接待",
    r"公务用车购置费$",
    r"公务用车运行(?:维护)?费$",
)
"""三公经费合计, 因公出国, 公务用车购置及运行费, 公务接待, 公务用车购置费 and 公务用车运行费 columns."""


@functools.lru_cache(maxsize=64)
def _three_public_columns(keys: tuple[str, ...]) -> tuple[int | None, ...]:
    """Per pattern of ``_THREE_PUBLIC_COLUMNS``, the index of the first of ``keys`` (white
    space removed) it matches, if any. (A function of the header: memoised by header.)"""
    bare = [nospace(key) for key in keys]
    found: list[int | None] = []
    for pattern in _THREE_PUBLIC_COLUMNS:
        rx = re.compile(pattern)
        found.append(next((k for k, key in enumerate(bare) if rx.search(key)), None))
    return tuple(found)


def three_public_identities(doc: Document, form: Form) -> list[Identity]:
    """三公 = 因公出国 + 公务用车购置及运行 + 公务接待; 公务用车 = 购置 + 运行 (by column names)."""
    out: list[Identity] = []
    table = form.table
    if table is None or form.kind != "three_public":
        return out

    amount = table.amount_columns()
    found = _three_public_columns(tuple([table.columns[j].key for j in amount]))
    total, abroad, car, reception, buy, run = [None if k is None else amount[k] for k in found]
    for r, row in enumerate(table.rows):
        if not any(row.texts[j] for j in amount):
            continue
        if total is not None and car is not None and reception is not None:
            parts = [j for j in (abroad, car, reception) if j is not None]
            out.append(
                Identity.along(
                    "totals.three_public",
                    (form.id, r, total),
                    parts,
                    "三公经费合计 = 因公出国 + 公务用车购置及运行 + 公务接待",
                )
            )
        if car is not None and buy is not None and run is not None:
            out.append(
                Identity.along(
                    "totals.three_public",
                    (form.id, r, car),
                    [buy, run],
                    "公务用车购置及运行费 = 购置费 + 运行费",
                )
            )
    return out

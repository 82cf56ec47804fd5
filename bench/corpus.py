"""Generate corpora of N budget documents from the bundled samples (for benchmarks and tests).

Usage::

    python bench/corpus.py OUT_DIR --count N [--seed S] [--inject-errors RATE]

Each generated document ``gen_NNNNNN.txt`` is derived from one sample (round robin) with:

* **names**: every department / unit name (the parsed ``department`` and ``units``) becomes
  ``<new city><new bureau>``; the sample's city (``安阳市``) and its stem (``安阳``, as in
  ``智慧安阳``) become the new city everywhere else, so truncated or wrapped cells
  (``安阳市政务服``) follow too. OCR-spaced forms (``安 阳 市 政 务``) are matched with
  optional whitespace between characters and get the same spacing pattern back. A name
  ending in ``中心`` gets a ``…中心`` replacement, other names a ``…局``/``…委员会`` one.
* **unit codes**: each 3-digit prefix of the parsed unit codes (``150``) maps to another
  3-digit code printed nowhere in the document (and outside the 2xx/3xx/5xx subject and
  economic code ranges); ``150001`` becomes ``<new prefix>001``. Only whole cells are
  replaced, never amount cells, so subject codes (``201``/``03``/``01``), economic codes
  (``30101``) and project codes are untouched. ``15000 3`` (OCR space) keeps its space.
* **amounts**: one integer factor ``k`` in 2..9 per document multiplies every amount:
  table cells that are plain numbers with a decimal point or thousands separator, bare
  integers in columns the parser types as ``amount`` (documents that drop ``.00``) or in
  label/text columns when they are not codes (no leading zero, at most 4 digits, not a
  unit code), and ``N万元`` / ``N元`` in narrative lines and text cells (not rates such
  as ``10元/人`` nor thresholds such as ``50万元以上``). Decimals, thousands separators
  and signs are printed as in the original. Percentages are unchanged (ratios are scale
  invariant). Multiplying by one integer keeps every sum identity exactly true, and zero
  stays zero, so the parser sees the same forms, statuses and row counts. An identity
  that held in the sample only up to print rounding (``1,352.3`` printed for parts adding
  up to ``1352.27``) is off by ``k`` times that residue, which a check may then flag.
* **errors** (``--inject-errors RATE``): each amount cell of a table is corrupted with
  probability RATE by an OCR-like error: digit confusion (1↔7, 3↔8, 0↔8, 5↔6, 2↔7),
  dropped digit, repeated digit, moved decimal point, transposed adjacent digits. The
  result is always a different, still well-formed number. Every error is recorded in
  ``OUT_DIR/injected.json`` (file, 1-based line, 0-based tab column, original, corrupted,
  kind). Injection uses its own random stream: the same seed with and without errors
  gives identical documents apart from the corrupted cells.

``OUT_DIR/manifest.json`` records, per file, its source sample, ``k``, city and the name and
code mappings.

Speed: each sample is parsed **once** (to learn the unit names, unit codes and column
roles) and turned into a token list; for each ``k`` (only 8 values) the amounts are
rendered once into a list of text pieces, leaving slots only for names, unit codes and
amount cells. A document is then a copy of that list, a few slot assignments and a
``"".join`` — no regex or Decimal work per document. Error positions are drawn by
geometric skipping, so the cost does not grow with the number of cells. Here (2 cores,
busy) 10,000 documents (457 MB) took 7 s, 14 s with ``--inject-errors 0.02``; most of it
is writing files.

Determinism: document ``i`` uses ``random.Random(f"{seed}:{i}")`` (and ``…:inject`` for
errors), so any document can be regenerated alone and results do not depend on ``count``.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from budget_tui.core import parse_document
from budget_tui.core.source import decode_bytes

GENERATOR_VERSION = 1
"""Bumped whenever the output for a given seed changes (``bench/parse.py`` reuses corpora)."""

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "sample_data"

CITIES: tuple[str, ...] = (
    "郑州市", "开封市", "洛阳市", "平顶山市", "安阳市", "鹤壁市", "新乡市", "焦作市", "濮阳市",
    "许昌市", "漯河市", "三门峡市", "南阳市", "商丘市", "信阳市", "周口市", "驻马店市", "济源市",
)  # fmt: skip
# No word the parser keys on (收入, 支出, 项目, 预算, 表, 绩效, 结转, 基金, 名称, 单位 …).
BUREAUS: tuple[str, ...] = (
    "教育局", "民政局", "司法局", "水利局", "林业局", "审计局", "统计局", "商务局", "体育局",
    "文化广电和旅游局", "自然资源和规划局", "住房和城乡建设局", "交通运输局", "农业农村局",
    "卫生健康委员会", "市场监督管理局", "生态环境局", "退役军人事务局", "医疗保障局",
    "城市管理局", "科学技术局", "工业和信息化局", "发展和改革委员会", "机关事务管理局",
)  # fmt: skip
CENTRES: tuple[str, ...] = (
    "信息中心", "公共资源交易中心", "大数据中心", "住房公积金管理中心", "不动产登记中心",
    "检验检测中心", "数字城市运行中心", "应急指挥中心", "人才交流中心", "疾病预防控制中心",
    "政务服务中心", "城市规划设计中心",
)  # fmt: skip

AMOUNT_RE = re.compile(r"(?P<sign>[-−+]?)(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?")
"""A printed amount (whole cell): optional sign, digits with optional separators, decimals."""
_NARRATIVE_AMOUNT_RE = re.compile(
    r"(?<![\d.,])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?=\s*(?:万元|千元|元)(?!\s*(?:/|以上|以下|及)))"
)
_CODE_CELL_RE = re.compile(r"\d+(?: \d+)*")
_CITY_RE = re.compile(r"^(.{2,3}?[市县区])")
_CONFUSIONS: dict[str, str] = {
    "1": "7",
    "7": "12",
    "3": "8",
    "8": "30",
    "0": "8",
    "5": "6",
    "6": "5",
    "2": "7",
}
ERROR_KINDS: tuple[str, ...] = ("confusion", "dropped", "repeated", "moved_point", "transposed")
MAX_BARE_INT_DIGITS = 4
"""Bare integers outside ``amount`` columns longer than this are taken as codes."""


# -- tokens of a sample ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Amount:
    """An amount to scale; ``col >= 0`` for a whole table cell (injectable)."""

    text: str
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class _Name:
    """A name occurrence: ``key`` is ``full:<name>``, ``city`` or ``stem``."""

    key: str
    gaps: tuple[bool, ...] | None
    """Whitespace after each character of the printed text, ``None`` if unspaced."""


@dataclass(frozen=True, slots=True)
class _Code:
    """A whole cell holding a unit code (digits, possibly with OCR spaces)."""

    code: str
    printed: str


_Token = str | _Amount | _Name | _Code


@dataclass
class _Rendered:
    """A sample with every amount scaled by one ``k``: pieces plus slots to fill per document."""

    pieces: list[str]
    names: list[tuple[int, str, tuple[bool, ...] | None]]
    codes: list[tuple[int, str, str]]
    cells: list[tuple[int, int, int]]
    """(piece index, 1-based line, 0-based tab column) of each amount cell."""


@dataclass
class Template:
    """What one sample contributes: its tokens, names, codes, and renderings per ``k``."""

    name: str
    tokens: list[_Token]
    full_names: list[str]
    city: str
    unit_codes: list[str]
    digit_cells: frozenset[str]
    code_pool: tuple[str, ...]
    """3-digit codes a unit code may become: printed nowhere in the sample, not 2xx/3xx/5xx subjects."""
    summary_totals: dict[str, list[str]] = field(default_factory=dict)
    """Printed texts of the total rows (合计/总计) of the sample's ``summary`` form, by row key."""
    _by_k: dict[int, _Rendered] = field(default_factory=dict, repr=False)

    def rendered(self, k: int) -> _Rendered:
        r = self._by_k.get(k)
        if r is None:
            r = self._by_k[k] = _render(self.tokens, k)
        return r


@dataclass(frozen=True, slots=True)
class InjectedError:
    """One corrupted cell: 1-based line, 0-based tab column, texts and the kind of error."""

    line: int
    column: int
    original: str
    corrupted: str
    kind: str


@dataclass
class GeneratedDocument:
    """A generated document and how it was derived."""

    text: str
    source: str
    k: int
    city: str
    names: dict[str, str]
    codes: dict[str, str]
    injected: list[InjectedError] = field(default_factory=list)


# -- scaling ----------------------------------------------------------------------------


def scale_amount(text: str, k: int) -> str:
    """``text`` (a printed amount) times ``k``, printed the same way (decimals, separators)."""
    m = AMOUNT_RE.fullmatch(text)
    if m is None:
        raise ValueError(f"not an amount: {text!r}")
    sign, ip, frac = m.group("sign"), m.group("int"), m.group("frac") or ""
    value = int(ip.replace(",", "") + frac) * k
    d = len(frac)
    digits = str(value).rjust(d + 1, "0")
    whole, decimals = (digits[:-d], digits[-d:]) if d else (digits, "")
    if "," in ip:
        whole = f"{int(whole):,}"
    return sign + whole + ("." + decimals if d else "")


def _scale_narrative(text: str, k: int) -> str:
    return _NARRATIVE_AMOUNT_RE.sub(lambda m: scale_amount(m.group(0), k), text)


# -- building a template ------------------------------------------------------------------


def _spaced_pattern(text: str) -> re.Pattern[str]:
    return re.compile(r"[ \u3000]*".join(re.escape(c) for c in text))


def _gaps(printed: str) -> tuple[bool, ...] | None:
    if " " not in printed and "\u3000" not in printed:
        return None
    gaps: list[bool] = []
    for c in printed:
        if c in " \u3000":
            if gaps:
                gaps[-1] = True
        else:
            gaps.append(False)
    return tuple(gaps[:-1])


def _respace(new: str, gaps: tuple[bool, ...] | None) -> str:
    """``new`` with whitespace placed proportionally to the printed original's."""
    if not gaps or len(new) < 2:
        return new
    n, m = len(gaps), len(new) - 1
    out: list[str] = []
    for j, c in enumerate(new):
        out.append(c)
        if j < m and gaps[min(n - 1, int((j + 0.5) * n / m))]:
            out.append(" ")
    return "".join(out)


_Roles = dict[tuple[int, int], str]


def _cell_roles(text: str, name: str) -> tuple[_Roles, list[str], list[str], dict[str, list[str]]]:
    """Column role of every table cell (by line and tab column), names, unit codes, summary totals."""
    doc = parse_document(decode_bytes(name, text.encode("utf-8")))
    roles: dict[tuple[int, int], str] = {}
    for form in doc.forms.values():
        if form.table is None:
            continue
        cols = form.table.columns
        for row in form.table.rows:
            for j, (line, src) in enumerate(zip(row.lines, row.srccols, strict=True)):
                if line and src >= 0:
                    roles[(line, src)] = cols[j].role
    names = [n for n in [doc.department, *(u.name for u in doc.units)] if n and n in text]
    totals: dict[str, list[str]] = {}
    summary = doc.forms.get("summary")
    if summary is not None and summary.table is not None:
        totals = {r.key: list(r.texts) for r in summary.table.rows if r.is_total}
    return roles, list(dict.fromkeys(names)), [u.code for u in doc.units], totals


def _name_patterns(full_names: list[str]) -> tuple[str, list[tuple[str, str]]]:
    """The sample's city and (slot key, name) pairs to find, longest full names first."""
    city_m = _CITY_RE.match(full_names[0]) if full_names else None
    city = city_m.group(1) if city_m else ""
    patterns = [(f"full:{n}", n) for n in sorted(full_names, key=len, reverse=True)]
    if city:
        patterns.append(("city", city))
        if len(city) >= 3:
            patterns.append(("stem", city[:-1]))
    return city, patterns


class _Tokenizer:
    """Splits a sample's text into literal text, amounts, names and unit codes."""

    def __init__(self, roles: _Roles, patterns: list[tuple[str, str]], codes: set[str]):
        self.roles = roles
        self.codes = codes
        self.keys = {f"n{i}": key for i, (key, _) in enumerate(patterns)}
        alternatives = (f"(?P<n{i}>{_spaced_pattern(p).pattern})" for i, (_, p) in enumerate(patterns))
        self.name_re = re.compile("|".join(alternatives)) if patterns else None
        self.tokens: list[_Token] = []

    def text(self, s: str) -> None:
        """Plain text: names become name slots."""
        if self.name_re is None:
            self.tokens.append(s)
            return
        pos = 0
        for m in self.name_re.finditer(s):
            if m.start() > pos:
                self.tokens.append(s[pos : m.start()])
            self.tokens.append(_Name(self.keys[m.lastgroup or ""], _gaps(m.group(0))))
            pos = m.end()
        if pos < len(s):
            self.tokens.append(s[pos:])

    def narrative(self, s: str) -> None:
        """Narrative text: ``N万元`` amounts are scaled (not injectable), names replaced."""
        pos = 0
        for m in _NARRATIVE_AMOUNT_RE.finditer(s):
            if m.start() > pos:
                self.text(s[pos : m.start()])
            self.tokens.append(_Amount(m.group(0), 0, -1))
            pos = m.end()
        if pos < len(s):
            self.text(s[pos:])

    def cell(self, raw: str, line: int, col: int) -> None:
        cell = raw.strip()
        if not cell:
            self.tokens.append(raw)
            return
        lead, trail = raw[: len(raw) - len(raw.lstrip())], raw[len(raw.rstrip()) :]
        if lead:
            self.tokens.append(lead)
        role = self.roles.get((line, col))
        if _is_scaled_cell(cell, role, self.codes):
            self.tokens.append(_Amount(cell, line, col))
        elif role != "amount" and _CODE_CELL_RE.fullmatch(cell) and cell.replace(" ", "") in self.codes:
            self.tokens.append(_Code(cell.replace(" ", ""), cell))
        else:
            self.narrative(cell)
        if trail:
            self.tokens.append(trail)

    def line(self, text: str, lineno: int) -> None:
        if lineno > 1:
            self.tokens.append("\n")
        if "\t" not in text:
            self.narrative(text)
            return
        for j, raw in enumerate(text.split("\t")):
            if j:
                self.tokens.append("\t")
            self.cell(raw, lineno, j)


def build_template(sample_text: str, name: str = "sample") -> Template:
    """Parse one sample and split it into literal text, amounts, names and unit codes."""
    text = sample_text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    roles, full_names, unit_codes, totals = _cell_roles(text, name)
    city, patterns = _name_patterns(full_names)
    codes = set(unit_codes)
    lines = text.split("\n")
    digit_cells = frozenset(
        c.replace(" ", "")
        for line in lines
        if "\t" in line
        for c in (x.strip() for x in line.split("\t"))
        if c and _CODE_CELL_RE.fullmatch(c)
    )
    pool = tuple(
        str(c) for c in range(100, 1000)
        if not (200 <= c < 240 or 300 <= c < 320 or 500 <= c < 520) and str(c) not in digit_cells
    )  # fmt: skip
    tok = _Tokenizer(roles, patterns, codes)
    for n, line in enumerate(lines, 1):
        tok.line(line, n)
    return Template(name, tok.tokens, full_names, city, sorted(codes), digit_cells, pool, totals)


def _is_scaled_cell(cell: str, role: str | None, unit_codes: set[str]) -> bool:
    if AMOUNT_RE.fullmatch(cell) is None:
        return False
    if "." in cell or "," in cell or role == "amount":
        return True
    digits = cell.lstrip("-−+")
    return (
        role != "code"
        and cell not in unit_codes
        and len(digits) <= MAX_BARE_INT_DIGITS
        and not (len(digits) > 1 and digits.startswith("0"))
    )


def _render(tokens: list[_Token], k: int) -> _Rendered:
    pieces: list[str] = []
    names: list[tuple[int, str, tuple[bool, ...] | None]] = []
    codes: list[tuple[int, str, str]] = []
    cells: list[tuple[int, int, int]] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            pieces.append("".join(buf))
            buf.clear()

    for t in tokens:
        if isinstance(t, str):
            buf.append(t)
        elif isinstance(t, _Amount):
            scaled = scale_amount(t.text, k)
            if t.col < 0:
                buf.append(scaled)
            else:
                flush()
                cells.append((len(pieces), t.line, t.col))
                pieces.append(scaled)
        elif isinstance(t, _Name):
            flush()
            names.append((len(pieces), t.key, t.gaps))
            pieces.append("")
        else:
            flush()
            codes.append((len(pieces), t.code, t.printed))
            pieces.append(t.printed)
    flush()
    return _Rendered(pieces, names, codes, cells)


# -- one document ---------------------------------------------------------------------------

_TEMPLATES: dict[str, Template] = {}


def template_for(sample_text: str, name: str = "sample") -> Template:
    """The (cached) template of a sample text."""
    t = _TEMPLATES.get(sample_text)
    if t is None:
        t = _TEMPLATES[sample_text] = build_template(sample_text, name)
    return t


def generate_text(sample_text: str, rng: random.Random, index: int) -> str:
    """One generated document (text only) from ``sample_text``; ``index`` picks the city."""
    return generate_document(template_for(sample_text), rng, index).text


def generate_document(
    template: Template,
    rng: random.Random,
    index: int,
    *,
    inject_rate: float = 0.0,
    inject_rng: random.Random | None = None,
) -> GeneratedDocument:
    """One generated document from a template (see the module docstring).

    ``index`` picks the city round robin (so neighbouring documents differ); everything
    else comes from ``rng``; errors come from ``inject_rng`` (default: derived from ``rng``).
    """
    k = rng.randint(2, 9)
    cities = [c for c in CITIES if c != template.city] or list(CITIES)
    city = cities[index % len(cities)]
    centres = [b for b in CENTRES if b not in "".join(template.full_names)]
    bureaus = [b for b in BUREAUS if b not in "".join(template.full_names)]
    picked_c = rng.sample(centres, min(len(centres), len(template.full_names)))
    picked_b = rng.sample(bureaus, min(len(bureaus), len(template.full_names)))
    names: dict[str, str] = {}
    for i, old in enumerate(template.full_names):
        new_bureau = picked_c[i % len(picked_c)] if old.endswith("中心") else picked_b[i % len(picked_b)]
        names[old] = (city if template.city and old.startswith(template.city) else "") + new_bureau
    values: dict[str, str] = {f"full:{old}": new for old, new in names.items()}
    values["city"] = city
    values["stem"] = city[:-1]
    codes = _new_codes(template, rng)

    r = template.rendered(k)
    out = list(r.pieces)
    for idx, key, gaps in r.names:
        out[idx] = _respace(values[key], gaps)
    for idx, code, printed in r.codes:
        out[idx] = _respace_code(codes[code], printed)
    injected: list[InjectedError] = []
    if inject_rate > 0 and r.cells:
        irng = inject_rng if inject_rng is not None else random.Random(rng.random())
        for ci in _bernoulli_positions(len(r.cells), inject_rate, irng):
            idx, line, col = r.cells[ci]
            kind, bad = corrupt(out[idx], irng)
            injected.append(InjectedError(line, col, out[idx], bad, kind))
            out[idx] = bad
    return GeneratedDocument("".join(out), template.name, k, city, names, codes, injected)


def _new_codes(template: Template, rng: random.Random) -> dict[str, str]:
    """A new 3-digit prefix per unit-code prefix, printed nowhere else in the document."""
    prefixes = sorted({c[:3] for c in template.unit_codes if len(c) >= 3})
    new_prefix = dict(zip(prefixes, rng.sample(template.code_pool, len(prefixes)), strict=True))
    return {c: new_prefix[c[:3]] + c[3:] if len(c) >= 3 else c for c in template.unit_codes}


def _respace_code(new: str, printed: str) -> str:
    if " " not in printed:
        return new
    out: list[str] = []
    digits = iter(new)
    for c in printed:
        out.append(" " if c == " " else next(digits, ""))
    return "".join(out) + "".join(digits)


def _bernoulli_positions(n: int, rate: float, rng: random.Random) -> list[int]:
    """Indices in ``range(n)``, each chosen independently with probability ``rate``."""
    if rate >= 1:
        return list(range(n))
    out: list[int] = []
    log_q = math.log1p(-rate)
    i = -1
    while True:
        i += 1 + int(math.log(1.0 - rng.random()) / log_q)
        if i >= n:
            return out
        out.append(i)


# -- OCR-like errors ---------------------------------------------------------------------------


def _candidates(s: str, kind: str) -> list[str]:
    digit_pos = [i for i, c in enumerate(s) if c.isdigit()]
    out: list[str] = []
    if kind == "confusion":
        for i in digit_pos:
            out += [s[:i] + d + s[i + 1 :] for d in _CONFUSIONS.get(s[i], "")]
    elif kind == "dropped" and len(digit_pos) > 1:
        out = [s[:i] + s[i + 1 :] for i in digit_pos]
    elif kind == "repeated":
        out = [s[:i] + s[i] + s[i:] for i in digit_pos]
    elif kind == "moved_point" and "." in s:
        bare = s.replace(".", "")
        dot = s.index(".")
        out = [bare[:p] + "." + bare[p:] for p in (dot - 1, dot + 1) if 0 < p < len(bare)]
    elif kind == "transposed":
        out = [
            s[:i] + s[i + 1] + s[i] + s[i + 2 :]
            for i in range(len(s) - 1)
            if s[i].isdigit() and s[i + 1].isdigit() and s[i] != s[i + 1]
        ]
    return [c for c in out if c != s and AMOUNT_RE.fullmatch(c)]


def corrupt(text: str, rng: random.Random) -> tuple[str, str]:
    """An OCR-like corruption of an amount: ``(kind, corrupted)``, always a different number."""
    kinds = list(ERROR_KINDS)
    rng.shuffle(kinds)
    for kind in kinds:
        options = _candidates(text, kind)
        if options:
            return kind, rng.choice(options)
    return "repeated", text + text[-1]  # pragma: no cover - "repeated" always has a candidate


# -- a corpus ---------------------------------------------------------------------------------


def sample_paths() -> list[Path]:
    """The bundled sample documents, sorted."""
    return sorted(SAMPLE_DIR.glob("*.txt"))


def load_templates(samples: Sequence[Path] | None = None) -> list[Template]:
    """Templates of the given sample files (default: the bundled samples)."""
    out: list[Template] = []
    for p in samples if samples is not None else sample_paths():
        src = decode_bytes(str(p), p.read_bytes())
        out.append(template_for("\n".join(src.lines) + "\n", p.name))
    return out


def doc_rng(seed: int, index: int, purpose: str = "") -> random.Random:
    """The random stream of document ``index`` (``purpose="inject"`` for its errors)."""
    return random.Random(f"{seed}:{index}" + (f":{purpose}" if purpose else ""))


def generate(
    out_dir: Path,
    count: int,
    seed: int = 0,
    inject_rate: float = 0.0,
    *,
    samples: Sequence[Path] | None = None,
) -> list[Path]:
    """Write ``count`` documents ``gen_NNNNNN.txt`` to ``out_dir``; return their paths.

    Earlier ``gen_*.txt`` files in ``out_dir`` are removed first. ``manifest.json``
    records each file's source, ``k``, city and mappings; ``injected.json`` (written
    when ``inject_rate > 0``) every corrupted cell.
    """
    if count < 0:
        raise ValueError("count must be >= 0")
    if not 0 <= inject_rate <= 1:
        raise ValueError("inject_rate must be within [0, 1]")
    templates = load_templates(samples)
    if not templates:
        raise FileNotFoundError("no sample documents found")
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("gen_*.txt"):
        old.unlink()
    paths: list[Path] = []
    manifest: list[dict[str, object]] = []
    injected: list[dict[str, object]] = []
    for i in range(count):
        template = templates[i % len(templates)]
        g = generate_document(
            template, doc_rng(seed, i), i, inject_rate=inject_rate, inject_rng=doc_rng(seed, i, "inject")
        )
        path = out_dir / f"gen_{i:06d}.txt"
        path.write_bytes(g.text.encode("utf-8"))
        paths.append(path)
        manifest.append(
            {
                "file": path.name,
                "source": g.source,
                "k": g.k,
                "city": g.city,
                "names": g.names,
                "codes": g.codes,
            }
        )
        injected += [
            {"file": path.name, "line": e.line, "column": e.column, "original": e.original,
             "corrupted": e.corrupted, "kind": e.kind}
            for e in g.injected
        ]  # fmt: skip
    meta = {"version": GENERATOR_VERSION, "count": count, "seed": seed, "inject_rate": inject_rate}
    _write_json(out_dir / "manifest.json", {**meta, "documents": manifest})
    inj_path = out_dir / "injected.json"
    if inject_rate > 0:
        _write_json(inj_path, {**meta, "errors": injected})
    elif inj_path.exists():
        inj_path.unlink()
    return paths


def _write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--inject-errors", type=float, default=0.0, metavar="RATE",
                        help="probability that an amount cell of a table is corrupted")  # fmt: skip
    args = parser.parse_args(argv)
    paths = generate(args.out_dir, args.count, args.seed, args.inject_errors)
    size = sum(p.stat().st_size for p in paths)
    print(f"{len(paths)} documents, {size / 1e6:.1f} MB in {args.out_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

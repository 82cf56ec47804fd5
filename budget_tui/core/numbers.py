"""Numeric cell text -> exact ``Decimal``: thousands separators, dashes, blanks, percentages."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Final

_NUMBER: Final = r"[-−+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?"
"""A printed amount or percentage (thousands separated or not)."""
_NUMBER_RE: Final = re.compile(rf"^{_NUMBER}$")
_FIXED_RE: Final = re.compile(_NUMBER)  # for fullmatch, as fixed_point reads it
_DASHES: Final = frozenset({"-", "—", "–", "－", "——", "--"})
ZERO: Final = Decimal(0)


NUMBER_START: Final = frozenset("0123456789-−+—–－")
"""First characters of every printed amount (a cheap test before the regex)."""


def is_number(text: str) -> bool:
    """True when ``text`` (already stripped) is a printed amount or percentage."""
    if not text or text[0] not in NUMBER_START:
        return False
    return text in _DASHES or _NUMBER_RE.match(text) is not None


def nospace(text: str) -> str:
    """``text`` without any white space (OCR scatters spaces inside words and codes)."""
    words = text.split()
    return words[0] if len(words) == 1 else "".join(words)  # (most texts have no space: no join)


def parse_number(text: str) -> Decimal | None:
    """Return the exact value printed in ``text``, ``None`` for blank or non-numeric text.

    ``-`` (and other dashes) print zero; ``12.5%`` is returned as ``Decimal("12.5")``
    (the caller knows from the text that it is a percentage).
    """
    t = text.strip()
    if not t:
        return None
    if t in _DASHES:
        return ZERO
    if _NUMBER_RE.match(t) is None:
        return None
    t = t.replace(",", "").replace("−", "-").rstrip("%")
    try:
        return Decimal(t)
    except InvalidOperation:  # pragma: no cover - the regex admits only valid literals
        return None


def fixed_point(text: str) -> tuple[int, int] | None:
    """``(m, d)`` with ``parse_number(text) == m / 10**d`` and ``d == decimals_of(text)``;
    ``None`` where ``parse_number`` gives ``None``. Integers only: no Decimal is built."""
    whole, dot, frac = text.partition(".")
    if whole.isdecimal():  # plain digits (most cells): str.isdecimal() is exactly regex \d
        if not dot:
            return int(whole), 0
        if frac.isdecimal():
            return int(whole + frac), len(frac)
    elif "," in whole:  # thousands: 1-3 digits, then ",ddd" groups (commas every 4th from the right)
        digits = whole.replace(",", "")
        k = len(whole) - len(digits)
        if (
            digits.isdecimal()
            and 1 <= len(digits) - 3 * k <= 3
            and whole[-4::-4] == "," * k
            and (not dot or frac.isdecimal())
        ):
            return int(digits + frac), len(frac)
    if _FIXED_RE.fullmatch(text):
        t = text.replace(",", "")
        if t[-1] == "%":
            t = t[:-1]
        if t[0] == "−":
            t = "-" + t[1:]
        whole, dot, frac = t.partition(".")
        return int(whole + frac), len(frac)
    if text in _DASHES:
        return 0, 0
    stripped = text.strip()
    return fixed_point(stripped) if stripped != text else None


def decimals_of(text: str) -> int:
    """Number of decimals printed in a numeric text (``"1,352.3"`` -> 1)."""
    t = text.strip().rstrip("%")
    dot = t.find(".")
    return 0 if dot < 0 else len(t) - dot - 1


def is_code(text: str) -> bool:
    """True for a subject / unit / project code: digits only, no separators or decimals."""
    return text.isdigit() and text.isascii()

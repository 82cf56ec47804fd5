"""The standard budget forms: stable ids, title patterns and content vocabulary."""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from typing import Final

from budget_tui.core.numbers import nospace

# Canonical kinds in their usual document order.
KINDS: Final[dict[str, str]] = {
    "summary": "收支总表",
    "income": "收入总表",
    "expenditure": "支出总表",
    "fiscal_summary": "财政拨款收支总表",
    "general_budget_expenditure": "一般公共预算支出表",
    "general_budget_basic": "一般公共预算基本支出表",
    "economic_classification": "支出经济分类汇总表",
    "three_public": "三公经费表",
    "government_fund": "政府性基金预算支出表",
    "state_capital": "国有资本经营预算支出表",
    "projects": "项目支出表",
    "department_budget": "部门预算表",
    "carryover": "上年结转资金表",
    "performance_overall": "整体绩效目标表",
    "performance_projects": "项目绩效目标表",
}

# (kind, pattern on the normalised title), most specific first.
_TITLE_RULES: Final[tuple[tuple[str, re.Pattern[str]], ...]] = tuple(
    (k, re.compile(p))
    for k, p in (
        ("three_public", r"三公"),
        ("performance_overall", r"整体绩效"),
        ("performance_projects", r"项目.*绩效|绩效目标"),
        ("carryover", r"上年结转"),
        ("government_fund", r"政府性基金"),
        ("state_capital", r"国有资本经营"),
        ("economic_classification", r"经济分类"),
        ("general_budget_basic", r"基本支出"),
        ("general_budget_expenditure", r"一般公共预算支出"),
        ("fiscal_summary", r"财政拨款收支"),
        ("projects", r"项目支出"),
        ("summary", r"收支"),
        ("income", r"收入"),
        ("expenditure", r"支出"),
        ("department_budget", r"^(?:部门|单位)预算表$"),
    )
)

_TITLE_END_RE: Final = re.compile(r"表(?:预算|情况)?$")
_MAX_MARKER_CHARS: Final = 64
"""A marker is ``预算NN表`` give or take markup and OCR spaces: never longer than this."""
_FORM_MARKER_RE: Final = re.compile(r"^(?:预算|附表)?\s*(\d{1,2})\s*表$")
_NORMALISE_DROP_RE: Final = re.compile(
    r"[\s#*`>\-_|“”\"'‘’（）()\[\]【】:：,，.。、]|"
    r"(?:19|20)\d{2}\s*年度?|\d{4}|"
    r"^(?:附件|附表)?[一二三四五六七八九十\d]+[、.．]"
)


_LEADING_ORDINAL_RE: Final = re.compile(r"^(?:[一二三四五六七八九十]+|\d+)[、.．]\s*")
_DIGIT_RE: Final = re.compile(r"\d")
_ORDINAL_START: Final = frozenset("附一二三四五六七八九十")
# The single characters _NORMALISE_DROP_RE drops (white space and punctuation), for
# str.translate: most lines (no digits, no leading ordinal) need nothing else.
_DROP_CHARS: Final = str.maketrans(
    dict.fromkeys(
        [chr(i) for i in range(0x3001) if chr(i).isspace()] + list("#*`>-_|“”\"'‘’（）()[]【】:：,，.。、")
    )
)


@functools.lru_cache(maxsize=4096)
def normalise_title(text: str) -> str:
    """Strip markdown, spaces, years, punctuation and ordinals from a title line."""
    t = text.strip().lstrip("#").strip().strip("*").strip()
    t = _LEADING_ORDINAL_RE.sub("", t)
    if (t and t[0] in _ORDINAL_START) or _DIGIT_RE.search(t):
        return _NORMALISE_DROP_RE.sub("", t)  # years, numbers and ordinals too
    return t.translate(_DROP_CHARS)


def form_marker(text: str) -> str | None:
    """The form number of a page-top marker line such as ``预算03表`` (else ``None``)."""
    if "表" not in text or len(text) > _MAX_MARKER_CHARS:
        return None
    t = "".join(text.split()).replace("#", "").replace("*", "")
    m = _FORM_MARKER_RE.match(t)
    return m.group(1).zfill(2) if m and t.startswith(("预算", "附表")) else None


def is_title_like(text: str) -> bool:
    """A line that could be a form title: short, ends in 表 (optionally a year note)."""
    t = normalise_title(text)
    if not t or len(t) > 40:
        return False
    return t.endswith("表") or _TITLE_END_RE.search(t) is not None


def kind_of_title(text: str) -> str | None:
    """The kind a title names, or ``None`` if it names no standard form."""
    t = normalise_title(text)
    if not t.endswith("表"):
        return None
    for kind, pattern in _TITLE_RULES:
        if pattern.search(t):
            return kind
    return None


def other_id(title: str) -> str:
    """Stable id for an unknown form: ``other-`` + short hash of its normalised title."""
    digest = hashlib.sha256(normalise_title(title).encode("utf-8")).hexdigest()[:8]
    return f"other-{digest}"


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Words whose presence in a header (or labels) marks a form kind."""

    kind: str
    all_of: tuple[str, ...]
    any_of: tuple[str, ...] = ()
    none_of: tuple[str, ...] = ()


# Content rules, checked in order on the whitespace-free header + first labels.
_CONTENT_RULES: Final[tuple[Vocabulary, ...]] = (
    Vocabulary("three_public", ("三公",)),
    Vocabulary("three_public", ("因公出国",)),
    Vocabulary("performance_overall", ("年度履职目标",)),
    Vocabulary("performance_projects", ("指标值",), ("三级指标", "绩效目标")),
    Vocabulary("performance_projects", ("项目金额",)),
    Vocabulary("carryover", ("资金性质",)),
    Vocabulary("department_budget", ("项目名称说明",)),
    Vocabulary("department_budget", ("功能科目", "政府经济科目")),
    Vocabulary("general_budget_basic", ("部门预算支出经济分类",)),
    Vocabulary("economic_classification", ("部门预算经济分类",)),
    Vocabulary("projects", ("项目名称", "项目单位")),
    Vocabulary("income", ("本年收入",), ("代码", "名称")),
    Vocabulary("fiscal_summary", ("收入", "支出", "一般公共预算"), ("本年收入", "本年支出")),
    Vocabulary("summary", ("收入", "支出"), ("收入合计", "收入总计", "本年收入")),
    Vocabulary("summary", ("收入", "支出", "项目", "金额")),
    Vocabulary("expenditure", ("科目编码", "基本支出"), ("项目支出", "人员经费")),
)


_CONTENT_WORDS: Final = tuple(sorted({w for r in _CONTENT_RULES for w in (*r.all_of, *r.any_of)}))
_CONTENT_SETS: Final = tuple((r.kind, frozenset(r.all_of), frozenset(r.any_of)) for r in _CONTENT_RULES)


def kind_of_content(text: str) -> str | None:
    """Guess a form kind from a block's header and label text (whitespace removed)."""
    t = nospace(text)
    present = {w for w in _CONTENT_WORDS if w in t}  # each word looked up once, not per rule
    for kind, all_of, any_of in _CONTENT_SETS:
        if all_of <= present and (not any_of or not any_of.isdisjoint(present)):
            return kind
    return None


# Kinds whose content looks the same; a title may pick any of a family.
CONTENT_FAMILIES: Final[dict[str, frozenset[str]]] = {
    "expenditure": frozenset(
        {"expenditure", "general_budget_expenditure", "government_fund", "state_capital"}
    ),
    "summary": frozenset({"summary", "fiscal_summary"}),
    "fiscal_summary": frozenset({"summary", "fiscal_summary"}),
    "performance_projects": frozenset({"performance_projects"}),
}


def compatible(title_kind: str, content_kind: str | None) -> bool:
    """Whether a block whose content says ``content_kind`` may carry a ``title_kind`` title."""
    if content_kind is None or content_kind == title_kind:
        return True
    return title_kind in CONTENT_FAMILIES.get(content_kind, frozenset({content_kind}))


EMPTY_DECLARATION_RE: Final = re.compile(
    r"(?:本|此|该)表(?:为空|无数据)|无数据|为空表|(?:没有|无).{0,30}故.{0,6}(?:为空|无数据)"
)

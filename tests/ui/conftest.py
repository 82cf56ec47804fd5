"""Fixtures for the app tests: private config, copies of the sample documents, settling helpers."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.text import Text
from textual.pilot import Pilot

from budget_tui.app import BudgetApp, make_app
from budget_tui.core.document import PREVIEW_MIN_BYTES
from budget_tui.screens.review import ReviewScreen

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data"
DOC_A = "001_e3473a75da3345f7.txt"
"""新乡: a lost column, a shifted row, a truncated total (has value and shift suggestions)."""
DOC_B = "003_c9d3211da2288e2b.txt"
"""南阳: few findings, one narrative."""
SIZE = (100, 30)

MARKUP_CELLS = {
    "二、外交": "[/]",
    "三、国防": "[@click=app.quit]x[/]",
    "四、公共安全": "\x1b[31mred\x1b[0m",
    "新乡市政务服务和大数据管理局": "[b]新乡[/b]局[@click=app.quit]",
}
"""Replacements that make document text look like markup or terminal escapes."""


@pytest.fixture(autouse=True)
def private_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the config file at a temporary folder so tests never touch the user's."""
    path = tmp_path / "config" / "config.toml"
    monkeypatch.setenv("BUDGET_TUI_CONFIG", str(path))
    yield path


def copy_docs(folder: Path, *names: str) -> list[Path]:
    """Writable copies of sample documents in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name in names:
        target = folder / name
        shutil.copyfile(SAMPLES / name, target)
        out.append(target)
    return out


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    """A folder holding copies of two sample documents."""
    folder = tmp_path / "docs"
    copy_docs(folder, DOC_A, DOC_B)
    return folder


@pytest.fixture
def doc_a(tmp_path: Path) -> Path:
    """A copy of the document with the most findings."""
    return copy_docs(tmp_path / "one", DOC_A)[0]


@pytest.fixture
def markup_doc(tmp_path: Path) -> Path:
    """A copy of document A whose cells and department name hold markup and an ESC byte."""
    text = (SAMPLES / DOC_A).read_text(encoding="utf-8")
    for old, new in MARKUP_CELLS.items():
        text = text.replace(old, new)
    path = tmp_path / "markup" / "markup.txt"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    return path


def app_for(*paths: Path, tmp_path: Path, **kwargs: object) -> BudgetApp:
    """The app on ``paths`` with reviews and screenshots kept under ``tmp_path``."""
    return make_app(
        list(paths),
        reviewer="tester",
        review_dir=tmp_path / "reviews",
        screenshot_dir=tmp_path,
        **kwargs,  # type: ignore[arg-type]
    )


async def settle(pilot: Pilot[None]) -> None:
    """Wait until loading and every session job are done and their messages handled."""
    app = pilot.app
    await pilot.pause()
    for _ in range(200):
        if all(w.is_finished for w in app.workers):
            return
        await app.workers.wait_for_complete()
        await pilot.pause()
    raise AssertionError("workers did not settle")


def review(pilot: Pilot[None]) -> ReviewScreen:
    """The review screen (under any dialog)."""
    screen = next(s for s in pilot.app.screen_stack if isinstance(s, ReviewScreen))
    return screen


async def until_preview(pilot: Pilot[None]) -> ReviewScreen:
    """Wait until the review screen shows a preview (the whole document held back)."""
    screen = review(pilot)
    for _ in range(500):
        if screen.model is not None:
            break
        await pilot.pause(0.01)
    assert screen.session is None and screen.model is not None
    return screen


def focused(app: BudgetApp) -> object:
    """The focused widget, typed loosely so identity checks after earlier ones type-check."""
    return app.focused


def top(app: BudgetApp) -> object:
    """The active screen, typed loosely (see `focused`)."""
    return app.screen


def plain(label: object) -> str:
    """The text of a tree label."""
    return label.plain if isinstance(label, Text) else str(label)


def long_document(rows: int) -> str:
    """A 项目支出表 of ``rows`` project rows under a 合计 row that adds up."""
    lines = [
        "# 2022年项目支出预算表",
        "",
        "单位：万元",
        "",
        "项目名称\t项目单位\t合计\t一般公共预算",
    ]
    body, total = [], 0
    for i in range(rows):
        cents = 1000 + (i * 7919) % 90000
        total += cents
        amount = f"{cents // 100}.{cents % 100:02d}"
        body.append(f"项目{i:05d}号\t测试局第{i % 7}中心\t{amount}\t{amount}")
    money = f"{total // 100}.{total % 100:02d}"
    return "\n".join([*lines, f"合计\t\t{money}\t{money}", *body]) + "\n"


ROWS = 10_000
"""Project rows of the long document (it has 6 lines more): over ``PREVIEW_MIN_BYTES``."""
assert len(long_document(ROWS).encode()) > PREVIEW_MIN_BYTES


@pytest.fixture
def long_doc(tmp_path: Path) -> Path:
    path = tmp_path / "long" / "long.txt"
    path.parent.mkdir()
    path.write_text(long_document(ROWS), encoding="utf-8")
    return path

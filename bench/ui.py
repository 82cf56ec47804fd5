"""UI figures, measured side by side in one run (headless ``run_test`` at 120×40).

Usage::

    python bench/ui.py [--repeat 5] [--rows 20000]

1. Time to first paint of the app on one sample document vs a bare Textual app showing
   the same form in a stock ``DataTable`` (target <= 1.5x).
2. First paint of a generated ``--rows``-row form vs a 20-row form (target <= 1.5x): the
   first frame showing the form's table with a screenful of its rows (a file of
   ``PREVIEW_MIN_BYTES`` or more is shown from its first lines while it is read and parsed
   whole; see ``preview_document``). Also printed, beside the same 20-row figure: the first
   frame holding all the rows of the big form (after its whole parse), and the same for the
   longest document that gets no preview (the worst case of the first reading).
3. Cursor-move cost in the big form vs the stock ``DataTable`` holding the same rows
   (target <= 0.5x): CPU time of a ``down`` press minus that of an unbound key.
4. Time to the first usable form on a folder of ``--docs`` generated documents vs on a
   single document (target <= 2x).

"First paint" is the time from starting the app until the form's table is on screen
(the grid holds the form's rows and a frame has been drawn): the moment the first frame is
written in which the table widget drew a line while holding all the form's rows (hooks on
``render_line`` and ``App._display``, the same for the stock app and ours). "Usable" (figure
4) is the first frame after the open document's checks have finished and their findings are
shown. Cursor moves are measured once the app is idle (checks done, loading finished), since
CPU time counts every thread. Medians of ``--repeat``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus

from budget_tui.app import make_app
from budget_tui.core import load_document
from budget_tui.core.document import PREVIEW_MIN_BYTES
from budget_tui.widgets.grid import DataGrid

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "000_4328bbb67aec9689.txt"
SIZE = (120, 40)
MOVES = 40


def big_form_document(rows: int) -> str:
    """A document whose 项目支出表 has ``rows`` project rows (totals add up)."""
    lines = [
        "# 2022年项目支出预算表",
        "",
        "部门(单位)名称: 测试局",
        "",
        "类型\t项目名称\t项目单位\t合计\t本年拨款\t\t",
        "\t\t\t\t一般公共预算\t政府性基金预算\t国有资本经营预算",
    ]
    body = []
    total = 0
    for i in range(rows):
        cents = 1000 + (i * 7919) % 900000
        total += cents
        amount = f"{cents // 100}.{cents % 100:02d}"
        body.append(f"特定目标类\t项目{i:06d}号信息化建设\t测试局第{i % 17}中心\t{amount}\t{amount}\t\t")
    lines.append(f"\t\t合计\t{total // 100}.{total % 100:02d}\t{total // 100}.{total % 100:02d}\t\t")
    return "\n".join(lines + body) + "\n"


SCREENFUL = 30
"""More rows than the grid shows at ``SIZE``."""


class Paint:
    """When a frame first showed the table holding ``rows`` rows (see the module docstring),
    and when one first showed it holding ``first`` rows (a screenful: figure 2)."""

    rows = 0
    first = 0
    drawn = False
    """The table drew a line while holding the rows, since the last frame was written."""
    drawn_first = False
    at: float | None = None
    at_first: float | None = None
    frames: list[float] = []  # noqa: RUF012 - one recorder for the whole run

    @classmethod
    def reset(cls, rows: int, first: int | None = None) -> None:
        cls.rows, cls.drawn, cls.at, cls.frames = rows, False, None, []
        cls.first, cls.drawn_first, cls.at_first = (rows if first is None else first), False, None

    @classmethod
    def install(cls) -> None:
        def hook_render_line(widget_class: type[Any], count: Callable[[Any], int]) -> None:
            original = widget_class.render_line

            def render_line(self: Any, y: int) -> Any:
                if cls.rows and count(self) >= cls.rows:
                    cls.drawn = True
                if cls.first and count(self) >= cls.first:
                    cls.drawn_first = True
                return original(self, y)

            widget_class.render_line = render_line

        hook_render_line(DataGrid, lambda grid: int(grid.model.row_count))
        hook_render_line(DataTable, lambda table: int(table.row_count))
        display = App._display

        def _display(self: App[Any], screen: Any, renderable: Any) -> None:
            display(self, screen, renderable)
            if renderable is None or self._batch_count:
                return
            now = time.perf_counter()
            cls.frames.append(now)
            if cls.drawn and cls.at is None:
                cls.at = now
            if cls.drawn_first and cls.at_first is None:
                cls.at_first = now

        App._display = _display  # type: ignore[method-assign]


async def _until(pilot: Any, ready: Callable[[], bool], limit: float = 120.0) -> None:
    """Poll without driving the app (no forced refresh, no waiting for idle)."""
    start = time.perf_counter()
    while not ready():
        if time.perf_counter() - start > limit:
            raise TimeoutError("the app never showed the form")
        await asyncio.sleep(0.002)


async def _next_frame(after: float, limit: float = 30.0) -> float:
    """Time of the first frame written after ``after``."""
    start = time.perf_counter()
    while True:
        later = [t for t in Paint.frames if t > after]
        if later:
            return later[0]
        if time.perf_counter() - start > limit:
            raise TimeoutError("no frame was drawn")
        await asyncio.sleep(0.002)


def _idle(app: App[Any]) -> Callable[[], bool]:
    """The open document is checked and no worker runs (nothing left to compete with a key)."""

    def idle() -> bool:
        session = getattr(app.screen, "session", None)
        return bool(
            session is not None
            and getattr(session, "checked", True)
            and not any(w.is_running for w in app.workers)
        )

    return idle


def _checked(app: App[Any]) -> Callable[[], bool]:
    """The open document's checks have finished and the findings pane shows them."""

    def checked() -> bool:
        session = getattr(app.screen, "session", None)
        pane = getattr(app.screen, "findings", None)
        return bool(
            session is not None
            and getattr(session, "checked", True)  # an app that checks before showing
            and pane is not None
            and "checking" not in str(pane.border_title)
        )

    return checked


def _grid_ready(app: App[Any], rows: int) -> Callable[[], bool]:
    def ready() -> bool:
        try:
            grid = app.screen.query_one(DataGrid)
        except Exception:
            return False
        return bool(grid.model.row_count >= rows)

    return ready


async def app_first_paint(paths: list[Path], form: str | None, rows: int, config: Path) -> float:
    return (await app_paint_and_usable(paths, form, rows, config))[0]


async def app_paint_and_usable(
    paths: list[Path],
    form: str | None,
    rows: int,
    config: Path,
    *,
    usable: bool = False,
    first: int | None = None,
) -> tuple[float, float]:
    """Seconds to the first paint of the form and (with ``usable``) to its first frame with
    findings; with ``first``, ``Paint.at_first`` is when a frame first showed that many rows."""
    os.environ["BUDGET_TUI_CONFIG"] = str(config)
    Paint.reset(rows, first)
    start = time.perf_counter()
    app = make_app(paths, reviewer="bench", review_dir=config.parent / "reviews", read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        if form is not None:
            await _until(pilot, lambda: _open_form(app, form))
        await _until(pilot, lambda: Paint.at is not None and _grid_ready(app, rows)())
        assert Paint.at is not None
        painted = Paint.at - start
        if not usable:
            return painted, painted
        await _until(pilot, _checked(app))
        return painted, await _next_frame(time.perf_counter()) - start


async def form_paint(path: Path, form: str, rows: int, config: Path) -> tuple[float, float]:
    """Seconds to the first frame showing ``form`` (the first form of ``path``, holding ``rows``
    rows) with a screenful of its rows, and to the first frame holding all its rows."""
    whole, _ = await app_paint_and_usable([path], form, rows, config, first=min(rows, SCREENFUL))
    assert Paint.at is not None and Paint.at_first is not None
    return whole - (Paint.at - Paint.at_first), whole


def _open_form(app: App[Any], form: str) -> bool:
    screen = app.screen
    session = getattr(screen, "session", None)
    if session is None:
        return False
    if form not in session.doc.forms:
        return False
    opener = getattr(screen, "open_form", None)
    if opener is None:
        return True
    if getattr(screen, "form_id", None) != form:
        opener(session.doc.path, form, None)
    return True


class StockApp(App[None]):
    """A bare app showing a form in Textual's stock DataTable (text passed as ``Text``)."""

    def __init__(self, header: list[str], rows: list[list[str]]) -> None:
        super().__init__()
        self.header, self.rows = header, rows

    def compose(self) -> ComposeResult:
        yield DataTable(id="table")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*(Text(h) for h in self.header))
        table.add_rows([[Text(c) for c in row] for row in self.rows])
        table.focus()


def form_rows(path: Path, form: str) -> tuple[list[str], list[list[str]]]:
    f = load_document(path).forms[form]
    assert f.table is not None
    return [c.key for c in f.table.columns], [list(r.texts) for r in f.table.rows]


async def stock_first_paint(header: list[str], rows: list[list[str]]) -> float:
    Paint.reset(len(rows))
    start = time.perf_counter()
    app = StockApp(header, rows)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: Paint.at is not None)
        assert Paint.at is not None
        return Paint.at - start


async def move_cost(app: App[Any], prepare: Callable[[Any], Awaitable[None]]) -> float:
    """CPU seconds one ``down`` press costs beyond a press of an unbound key (the pilot's own
    overhead and the frame it waits for are the same for both, so they cancel out)."""

    async def cpu_of(key: str, pilot: Any) -> float:
        start = time.process_time()
        for _ in range(MOVES):
            await pilot.press(key)
            await pilot.pause()
        return (time.process_time() - start) / MOVES

    Paint.reset(0)
    async with app.run_test(size=SIZE) as pilot:
        await prepare(pilot)
        await pilot.pause()
        await cpu_of("f19", pilot)  # warm up
        idle = statistics.median([await cpu_of("f19", pilot) for _ in range(3)])
        moves = statistics.median([await cpu_of("down", pilot) for _ in range(3)])
        return max(moves - idle, 1e-6)


def median(xs: list[float]) -> float:
    return statistics.median(xs)


async def main_async(args: argparse.Namespace) -> None:
    Paint.install()
    tmp = Path(tempfile.mkdtemp(prefix="bench-ui-"))
    config = tmp / "config" / "config.toml"
    config.parent.mkdir()
    big, small = tmp / "big" / "big.txt", tmp / "small" / "small.txt"
    edge = tmp / "edge" / "edge.txt"  # the largest file without a preview
    edge_rows = PREVIEW_MIN_BYTES // 80
    while len(big_form_document(edge_rows + 1).encode()) < PREVIEW_MIN_BYTES:
        edge_rows += 1
    while len(big_form_document(edge_rows).encode()) >= PREVIEW_MIN_BYTES:
        edge_rows -= 1
    for p, n in ((big, args.rows), (small, 20), (edge, edge_rows)):
        p.parent.mkdir()
        p.write_text(big_form_document(n), encoding="utf-8")
    sample_copy = tmp / "one" / SAMPLE.name
    sample_copy.parent.mkdir()
    sample_copy.write_bytes(SAMPLE.read_bytes())
    header, rows = form_rows(sample_copy, "summary")
    bheader, brows = form_rows(big, "projects")

    ours, stock, paint_big, paint_small, whole_big, whole_small, whole_edge = [], [], [], [], [], [], []
    for _ in range(args.repeat):
        ours.append(await app_first_paint([sample_copy], None, len(rows), config))
        stock.append(await stock_first_paint(header, rows))
        painted, whole = await form_paint(big, "projects", len(brows), config)
        paint_big.append(painted)
        whole_big.append(whole)
        painted, whole = await form_paint(small, "projects", 21, config)
        paint_small.append(painted)
        whole_small.append(whole)
        whole_edge.append((await form_paint(edge, "projects", edge_rows + 1, config))[1])
    print(
        f"first paint, sample document: app {median(ours) * 1000:7.0f} ms  stock DataTable app "
        f"{median(stock) * 1000:7.0f} ms  ratio {median(ours) / median(stock):.2f}x (target <= 1.5x)"
    )
    print(
        f"first paint, {args.rows}-row form {median(paint_big) * 1000:7.0f} ms vs 20-row "
        f"{median(paint_small) * 1000:7.0f} ms  "
        f"ratio {median(paint_big) / median(paint_small):.2f}x (target <= 1.5x)"
    )
    print(
        f"  all rows shown, {args.rows}-row form {median(whole_big) * 1000:7.0f} ms vs 20-row "
        f"{median(whole_small) * 1000:7.0f} ms  ratio {median(whole_big) / median(whole_small):.2f}x"
    )
    print(
        f"  all rows shown, {edge_rows}-row form (no preview) {median(whole_edge) * 1000:7.0f} ms vs 20-row "
        f"{median(whole_small) * 1000:7.0f} ms  ratio {median(whole_edge) / median(whole_small):.2f}x"
    )

    os.environ["BUDGET_TUI_CONFIG"] = str(config)

    async def prepare_ours(pilot: Any) -> None:
        app = pilot.app
        await _until(pilot, lambda: _open_form(app, "projects"))
        await _until(pilot, _grid_ready(app, len(brows)))
        await _until(pilot, _idle(app))
        app.screen.query_one(DataGrid).focus()
        await pilot.pause()

    async def prepare_stock(pilot: Any) -> None:
        await _until(pilot, lambda: pilot.app.query_one(DataTable).row_count >= len(brows))

    grid_move = await move_cost(
        make_app([big], reviewer="bench", review_dir=tmp / "reviews", read_only=True), prepare_ours
    )
    stock_move = await move_cost(StockApp(bheader, brows), prepare_stock)
    print(
        f"cursor move, {args.rows}-row form: grid {grid_move * 1000:6.1f} ms  stock DataTable "
        f"{stock_move * 1000:6.1f} ms  ratio {grid_move / stock_move:.2f}x (target <= 0.5x)"
    )

    if args.docs:
        folder = tmp / "many"
        corpus.generate(folder, args.docs, 3)
        first = sorted(folder.glob("gen_*.txt"))[0]
        single = tmp / "single"
        single.mkdir()
        (single / first.name).write_bytes(first.read_bytes())
        summary_rows = load_document(first).forms["summary"].rows
        many, one, many_usable, one_usable = [], [], [], []
        for _ in range(args.repeat):
            paint, usable = await app_paint_and_usable([folder], None, summary_rows, config, usable=True)
            many.append(paint)
            many_usable.append(usable)
            paint, usable = await app_paint_and_usable([single], None, summary_rows, config, usable=True)
            one.append(paint)
            one_usable.append(usable)
        print(
            f"first paint, {args.docs}-document folder {median(many) * 1000:7.0f} ms vs one document "
            f"{median(one) * 1000:7.0f} ms  ratio {median(many) / median(one):.2f}x (target <= 2x)"
        )
        print(
            f"first usable form (findings shown), {args.docs}-document folder "
            f"{median(many_usable) * 1000:7.0f} ms vs one document {median(one_usable) * 1000:7.0f} ms  "
            f"ratio {median(many_usable) / median(one_usable):.2f}x (target <= 2x)"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--docs", type=int, default=10_000, help="folder size for figure 4 (0 to skip)")
    asyncio.run(main_async(ap.parse_args()))


if __name__ == "__main__":
    main()

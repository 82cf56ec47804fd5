"""Tests for `DataGrid`: cursor keys, messages, scrolling, literal text, CJK widths, empty models."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.message import Message

from budget_tui.widgets.grid import MAX_WIDTH, DataGrid, GridModel, header_spans, printable

SIZE = (100, 24)


@dataclass
class TableModel:
    """An in-memory `GridModel` for tests."""

    rows: list[list[str]]
    headers: list[list[str]] = field(default_factory=list)
    numeric: frozenset[int] = frozenset()
    states: dict[tuple[int, int], str] = field(default_factory=dict)
    labels: list[str] | None = None

    @property
    def row_count(self) -> int:
        return len(self.rows)

    @property
    def col_count(self) -> int:
        return len(self.rows[0]) if self.rows else len(self.headers[0]) if self.headers else 0

    def header_levels(self) -> list[list[str]]:
        return self.headers

    def cell_text(self, row: int, col: int) -> str:
        return self.rows[row][col]

    def row_label(self, row: int) -> str:
        return self.labels[row] if self.labels is not None else str(row + 1)

    def is_numeric(self, col: int) -> bool:
        return col in self.numeric

    def cell_state(self, row: int, col: int) -> str:
        return self.states.get((row, col), "")


def numbers(rows: int, cols: int = 6) -> TableModel:
    """A model of `rows` × `cols` distinct numbers, first column text."""
    return TableModel(
        rows=[[f"科目{r}" if c == 0 else f"{r * cols + c:,}.00" for c in range(cols)] for r in range(rows)],
        headers=[["项目", *(f"列{c}" for c in range(1, cols))]],
        numeric=frozenset(range(1, cols)),
    )


class GridApp(App[None]):
    """Mounts a single `DataGrid` and records the grid messages it receives."""

    def __init__(self, model: GridModel | None) -> None:
        super().__init__()
        self.model = model
        self.moves: list[tuple[int, int]] = []
        self.activations: list[tuple[int, int]] = []

    def compose(self) -> ComposeResult:
        yield DataGrid(self.model)

    def on_data_grid_cursor_moved(self, event: DataGrid.CursorMoved) -> None:
        self.moves.append((event.row, event.col))

    def on_data_grid_cell_activated(self, event: DataGrid.CellActivated) -> None:
        self.activations.append((event.row, event.col))

    @property
    def grid(self) -> DataGrid:
        return self.query_one(DataGrid)


def screen_lines(grid: DataGrid) -> list[str]:
    """The grid's visible lines as plain text."""
    return [grid.render_line(y).text for y in range(grid.scrollable_content_region.height)]


def cells(line: str) -> list[str]:
    """A rendered line as one entry per terminal cell (the second cell of a wide character is "")."""
    out: list[str] = []
    for ch in line:
        out += [ch, ""] if cell_len(ch) == 2 else [ch]
    return out


def separator_positions(line: str) -> list[int]:
    """Cell positions (not string indexes) of the column separators in a rendered line."""
    return [i for i, ch in enumerate(cells(line)) if ch == "│"]


async def test_arrow_keys_and_hjkl_move_the_cursor() -> None:
    app = GridApp(numbers(10))
    async with app.run_test(size=SIZE) as pilot:
        grid = app.grid
        assert grid.has_focus
        steps: Sequence[tuple[str, tuple[int, int]]] = [
            ("down", (1, 0)),
            ("j", (2, 0)),
            ("right", (2, 1)),
            ("l", (2, 2)),
            ("up", (1, 2)),
            ("k", (0, 2)),
            ("k", (0, 2)),  # clamped at the top
            ("left", (0, 1)),
            ("h", (0, 0)),
            ("h", (0, 0)),  # clamped at the left
        ]
        for key, expected in steps:
            await pilot.press(key)
            assert (grid.cursor_row, grid.cursor_col) == expected, key


async def test_page_home_end_keys() -> None:
    app = GridApp(numbers(100))
    async with app.run_test(size=SIZE) as pilot:
        grid = app.grid
        page = grid.scrollable_content_region.height - grid.header_height
        await pilot.press("pagedown")
        assert grid.cursor_row == page
        await pilot.press("pageup")
        assert grid.cursor_row == 0
        await pilot.press("end")
        assert grid.cursor_col == 5
        await pilot.press("ctrl+end")
        assert (grid.cursor_row, grid.cursor_col) == (99, 5)
        await pilot.press("home")
        assert (grid.cursor_row, grid.cursor_col) == (99, 0)
        await pilot.press("ctrl+home")
        assert (grid.cursor_row, grid.cursor_col) == (0, 0)


async def test_cursor_moved_messages() -> None:
    seen: list[Message] = []
    app = GridApp(numbers(10))
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await pilot.press("down", "right", "up", "up")  # the last `up` is blocked at row 0
        app.grid.move_cursor(3, 4)  # both axes change: still one message
        app.grid.move_cursor(3, 4)  # no change: no message
        app.grid.cursor_col = 2  # setting the reactive directly also reports
        await pilot.pause()
        grid = app.grid
    # A bubbling message reaches the hook once per node it passes; count each message once.
    unique = list({id(m): m for m in seen}.values())
    moved = [(m.row, m.col) for m in unique if isinstance(m, DataGrid.CursorMoved)]
    assert moved == [(1, 0), (1, 1), (0, 1), (3, 4), (3, 2)]
    assert app.moves == moved
    assert all(m.control is grid for m in unique if isinstance(m, DataGrid.CursorMoved))


async def test_enter_and_double_click_activate_the_cell() -> None:
    app = GridApp(numbers(10))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "right", "enter")
        await pilot.pause()
        assert app.activations == [(1, 1)]
        grid = app.grid
        x = grid.label_width + grid.column_widths[0] + 3 + grid.column_widths[1] + 4
        await pilot.click(DataGrid, offset=(x, grid.header_height + 4), times=2)
        await pilot.pause()
        assert (grid.cursor_row, grid.cursor_col) == (4, 2)
        assert app.activations == [(1, 1), (4, 2)]


async def test_click_moves_the_cursor_to_the_cell() -> None:
    app = GridApp(numbers(10))
    async with app.run_test(size=SIZE) as pilot:
        grid = app.grid
        widths = grid.column_widths
        # Third column (index 2), fourth data row (index 3); +1 skips the left padding.
        x = grid.label_width + (widths[0] + 3) + (widths[1] + 3) + 1
        await pilot.click(DataGrid, offset=(x, grid.header_height + 3))
        assert (grid.cursor_row, grid.cursor_col) == (3, 2)
        # A click on the frozen label column keeps the column and moves the row.
        await pilot.click(DataGrid, offset=(1, grid.header_height + 5))
        assert (grid.cursor_row, grid.cursor_col) == (5, 2)
        assert app.moves[-2:] == [(3, 2), (5, 2)]


async def test_cursor_stays_visible_at_20000_rows() -> None:
    rows = 20_000
    app = GridApp(numbers(rows))
    async with app.run_test(size=SIZE) as pilot:
        grid = app.grid
        height = grid.scrollable_content_region.height
        await pilot.press("ctrl+end")
        await pilot.pause()
        assert grid.cursor_row == rows - 1
        assert grid.scroll_offset.y == grid.max_scroll_y > 0
        lines = screen_lines(grid)
        assert lines[height - 1].lstrip().startswith(f"{rows} ")  # row label, bottom line
        await pilot.press("pageup", "pageup", "up")
        await pilot.pause()
        top = grid.scroll_offset.y
        assert top <= grid.cursor_row < top + height - grid.header_height
        line = screen_lines(grid)[grid.header_height + grid.cursor_row - top]
        assert line.lstrip().startswith(f"{grid.cursor_row + 1} ")
        await pilot.press("ctrl+home")
        await pilot.pause()
        assert grid.scroll_offset.y == 0
        assert screen_lines(grid)[grid.header_height].lstrip().startswith("1 ")


async def test_cursor_stays_visible_horizontally() -> None:
    model = numbers(5, cols=30)
    app = GridApp(model)
    async with app.run_test(size=(40, 10)) as pilot:
        grid = app.grid
        await pilot.press("end")
        await pilot.pause()
        assert grid.cursor_col == 29
        assert grid.scroll_offset.x == grid.max_scroll_x > 0
        assert model.cell_text(0, 29) in screen_lines(grid)[grid.header_height]
        await pilot.press("home")
        await pilot.pause()
        assert grid.scroll_offset.x == 0
        # The frozen label column stays put while the columns scroll.
        assert screen_lines(grid)[grid.header_height].startswith(" 1 ")


async def test_markup_and_control_characters_are_shown_literally() -> None:
    tricky = ["[/]", "[@click=app.quit]x[/]", "a\x1b[31mb", "[bold]粗[/bold]"]
    app = GridApp(TableModel(rows=[tricky], headers=[["[/]", "[b]", "\x1bhead", "合计"]], labels=["[/]"]))
    async with app.run_test(size=SIZE) as pilot:
        grid = app.grid
        await pilot.pause()
        text = "\n".join(screen_lines(grid))
        for cell in ("[/]", "[@click=app.quit]x[/]", "a\ufffd[31mb", "[bold]粗[/bold]", "[b]", "\ufffdhead"):
            assert cell in text
        assert "\x1b" not in text
        svg = app.export_screenshot()
        assert "[@click=app.quit]x[/]" in svg
        assert "\x1b" not in svg
        # Clicking the fake link must not run the action it names.
        x = grid.label_width + grid.column_widths[0] + 3 + 2
        await pilot.click(DataGrid, offset=(x, grid.header_height))
        await pilot.pause()
        assert app.is_running
        assert (grid.cursor_row, grid.cursor_col) == (0, 1)


def test_printable_replaces_control_characters_but_keeps_ideographic_space() -> None:
    assert printable("a\x1bb\tc\x00") == "a\ufffdb\ufffdc\ufffd"
    assert printable("合\u3000计 1,234.50") == "合\u3000计 1,234.50"
    assert printable("x\u2028y") == "x\ufffdy"


async def test_cjk_column_widths_line_up() -> None:
    long_name = "一般公共服务支出一般公共服务支出"  # 16 hanzi = 32 cells, longer than MAX_WIDTH
    model = TableModel(
        rows=[["教育支出", "1.00", "ab"], ["一般公共服务支出", "12,345.00", "中"], [long_name, "3", "x"]],
        headers=[["科目名称", "金额", "备注"]],
        numeric=frozenset({1}),
    )
    app = GridApp(model)
    async with app.run_test(size=SIZE) as pilot:
        grid = app.grid
        await pilot.pause()
        assert grid.column_widths == [MAX_WIDTH, len("12,345.00"), 4]  # "备注" is 4 cells wide
        lines = screen_lines(grid)[: grid.header_height + 3]
        positions = {tuple(separator_positions(line)) for line in lines}
        assert len(positions) == 1, lines
        truncated = lines[grid.header_height + 2]
        assert "…" in truncated
        assert long_name not in truncated
        # Numbers are right-aligned: the separator follows the last digit and one space of padding.
        assert "12,345.00 │" in lines[grid.header_height + 1]
        assert "     1.00 │" in lines[grid.header_height]


def test_header_spans_stop_at_the_parent_span() -> None:
    levels = [["收入", "", "", "支出", ""], ["财政", "", "其他", "", ""]]
    assert header_spans(levels, 5) == [
        [(0, 2, "收入"), (3, 4, "支出")],
        [(0, 1, "财政"), (2, 2, "其他"), (3, 4, "")],
    ]
    assert header_spans([], 0) == []


async def test_spanning_header_hides_inner_separators() -> None:
    model = TableModel(
        rows=[["1", "2", "3", "4"]],
        headers=[["合计", "", "", "说明"], ["甲", "乙", "丙", ""]],
        numeric=frozenset({0, 1, 2}),
    )
    app = GridApp(model)
    async with app.run_test(size=SIZE) as pilot:
        grid = app.grid
        await pilot.pause()
        top, second, first_row = screen_lines(grid)[:3]
        assert "合计" in top
        # Below the span every column has its separator; inside the span on top there is none.
        inner = separator_positions(second)[1:3]
        assert inner
        assert inner == separator_positions(second)[1:3] and all(cells(top)[i] != "│" for i in inner)
        assert len(separator_positions(top)) == 3  # label column, end of 合计, end of 说明
        assert separator_positions(second) == separator_positions(first_row)


async def test_cell_states_use_their_component_styles() -> None:
    model = numbers(3)
    model.states = {(1, 1): "failing", (1, 2): "corrected outlined", (2, 3): "bogus"}
    app = GridApp(model)
    async with app.run_test(size=SIZE) as pilot:
        grid = app.grid
        await pilot.pause()
        line = grid.render_line(grid.header_height + 1)
        styles = {seg.text.strip(): seg.style for seg in line if seg.text.strip()}
        plain = styles[model.cell_text(1, 3)]
        assert styles[model.cell_text(1, 1)] == grid.get_component_rich_style("data-grid--failing")
        assert styles[model.cell_text(1, 2)] == grid.get_component_rich_style(
            "data-grid--corrected", "data-grid--outlined"
        )
        assert styles[model.cell_text(1, 1)] != plain
        other = {seg.text.strip(): seg.style for seg in grid.render_line(grid.header_height + 2)}
        assert other[model.cell_text(2, 3)] == other[model.cell_text(2, 4)]  # unknown states are ignored
        cursor = {seg.text.strip(): seg.style for seg in grid.render_line(grid.header_height)}
        assert cursor[model.cell_text(0, 0)] == grid.get_component_rich_style(
            "data-grid--cursor-row", "data-grid--cursor"
        )


async def test_refresh_model_shows_an_edit_and_widens_the_column() -> None:
    model = numbers(3)
    app = GridApp(model)
    async with app.run_test(size=SIZE) as pilot:
        grid = app.grid
        await pilot.pause()
        assert "科目1" in screen_lines(grid)[grid.header_height + 1]
        before = grid.column_widths[0]
        model.rows[1][0] = "改正后的科目名称"
        grid.refresh_model(rows=[1])
        await pilot.pause()
        assert "改正后的科目名称" in screen_lines(grid)[grid.header_height + 1]
        assert grid.column_widths[0] == cell_len("改正后的科目名称") > before


async def test_set_model_resets_the_cursor() -> None:
    app = GridApp(numbers(50))
    async with app.run_test(size=SIZE) as pilot:
        grid = app.grid
        await pilot.press("ctrl+end", "end")
        grid.set_model(numbers(5, cols=3))
        await pilot.pause()
        assert (grid.cursor_row, grid.cursor_col) == (0, 0)
        assert grid.scroll_offset == (0, 0)
        assert grid.virtual_size.height == grid.header_height + 5


async def test_empty_model_does_not_fail() -> None:
    for model in (None, TableModel(rows=[]), TableModel(rows=[], headers=[["a", "b"]])):
        app = GridApp(model)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("down", "right", "end", "ctrl+end", "pagedown", "enter", "l", "j")
            await pilot.click(DataGrid, offset=(5, 2))
            await pilot.pause()
            grid = app.grid
            assert (grid.cursor_row, grid.cursor_col) == (0, 0)
            assert app.moves == [] and app.activations == []
            assert all(line.strip(" │") == "" for line in screen_lines(grid)[grid.header_height :])


def test_bindings_have_ids_and_movement_is_hidden() -> None:
    bindings = [b for b in DataGrid.BINDINGS if not isinstance(b, tuple)]
    assert len(bindings) == len(DataGrid.BINDINGS)
    keys = {key for b in bindings for key in b.key.split(",")}
    expected = {"up", "down", "left", "right", "h", "j", "k", "l", "pageup", "pagedown", "home", "end"}
    assert keys >= expected | {"ctrl+home", "ctrl+end", "enter"}
    for binding in bindings:
        assert binding.id is not None and binding.id.startswith("grid."), binding
        assert binding.show is False, binding
        assert hasattr(DataGrid, f"action_{binding.action}"), binding

"""`Navigator`: departments, their documents (unit · year) and forms, each with its status at a glance."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from rich.style import Style
from rich.text import Span, Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.geometry import Offset, Region
from textual.message import Message
from textual.strip import Strip
from textual.widgets import Input, ProgressBar, Tree
from textual.widgets.tree import TreeNode

from budget_tui.widgets.grid import printable
from budget_tui.workspace import DocSummary, FormSummary

EXPANDED_UP_TO = 200
"""Corpora of up to this many documents list every department expanded; a larger one starts
with them collapsed (the open document's is expanded), so the tree stays light to draw."""
BADGE_STYLES = ("error", "warning", "success", "accent", "muted")
"""Style names used in labels, resolved by `DepartmentTree.render_label` to theme colours."""


@dataclass(frozen=True)
class NodeRef:
    """What a tree node stands for."""

    kind: str
    """``department``, ``document``, ``form`` or ``problem``."""
    path: str = ""
    form: str = ""


def form_badge(form: FormSummary) -> Text:
    """A 4-cell status badge: failures, warnings, parse status, reconciled or published as is."""
    if form.errors:
        return Text(f"✗{form.errors:<3}", style="error")
    if form.status in ("missing", "empty"):
        return Text(f"{form.status[:4]:<4}", style="muted")
    if not form.checked:
        return Text("…   ", style="muted")
    if form.warnings:
        return Text(f"!{form.warnings:<3}", style="warning")
    if form.status == "incomplete":
        return Text("part", style="warning")
    if form.accepted:
        return Text("✓pub", style="success")
    return Text("✓   ", style="success")


def review_mark(form: FormSummary) -> Text:
    """``R`` reviewed, ``A`` approved, a blank otherwise (one cell)."""
    if form.review == "approved":
        return Text("A", style="success")
    if form.review == "reviewed":
        return Text("R", style="accent")
    return Text(" ")


def short_title(title: str, year: int | None) -> str:
    """A form title without the document's year in front (``2022年部门收入预算表`` → ``部门收入预算表``)."""
    if year:
        for prefix in (f"{year}年度", f"{year}年", str(year)):
            if title.startswith(prefix) and len(title) > len(prefix):
                return title[len(prefix) :].lstrip()
    return title


def form_label(form: FormSummary, year: int | None = None) -> Text:
    """Badge, review mark and title (document text, literal)."""
    text = Text.assemble(form_badge(form), review_mark(form), " ", printable(short_title(form.title, year)))
    if form.status == "incomplete" and form.errors:
        text.append(" (part)", style="warning")
    return text


def doc_label(doc: DocSummary) -> Text:
    """The document's title with its failure count."""
    count = doc.failures
    if count:
        badge = Text(f"✗{count:<3}", style="error")
    elif not doc.checked:
        badge = Text("…   ", style="muted")
    else:
        badge = Text("✓   ", style="success")
    text = Text.assemble(badge, " ", printable(doc.title))
    if doc.problems:
        text.append(f" ⚠{len(doc.problems)}", style="warning")
    return text


def _matches(needle: str, *texts: str) -> bool:
    return not needle or any(needle in t.casefold() for t in texts)


class DepartmentTree(Tree[NodeRef]):
    """The tree itself, with `hjkl` movement; badge colours come from the theme."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *Tree.COMPONENT_CLASSES,
        *(f"department-tree--{name}" for name in BADGE_STYLES),
    }

    DEFAULT_CSS = """
    DepartmentTree {
        & > .department-tree--error { color: $text-error; text-style: bold; }
        & > .department-tree--warning { color: $text-warning; }
        & > .department-tree--success { color: $text-success; }
        & > .department-tree--accent { color: $text-accent; text-style: bold; }
        & > .department-tree--muted { color: $text-muted; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="navigator.cursor-down"),
        Binding("k", "cursor_up", "Up", show=False, id="navigator.cursor-up"),
        Binding("h", "cursor_parent", "Parent", show=False, id="navigator.cursor-parent"),
        Binding("l", "toggle_node", "Expand", show=False, id="navigator.toggle-node"),
    ]

    _frame: tuple[Style, int, Offset] | None = None
    """Base style, width and scroll offset of the lines being drawn (see `render_lines`)."""

    def render_lines(self, crop: Region) -> list[Strip]:
        """Draw lines with the style, width and scroll offset looked up once for all of them
        (`Tree.render_line` looks them up for each line, walking the ancestors for the style)."""
        self._frame = (self.rich_style, self.size.width, self.scroll_offset)
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def render_line(self, y: int) -> Strip:
        """One line, as `Tree.render_line` draws it."""
        if self._frame is None:
            return super().render_line(y)
        style, width, (scroll_x, scroll_y) = self._frame
        return self._render_line(y + scroll_y, scroll_x, scroll_x + width, style)

    def get_label_width(self, node: TreeNode[NodeRef]) -> int:
        """Width of a node's line: its expand icon and its label (`Tree` draws the label, with
        styles, to measure it; styles change no width)."""
        icon = (self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE) if node.allow_expand else ""
        return cell_len(icon) + node._label.cell_len

    def render_label(self, node: TreeNode[NodeRef], base_style: Style, style: Style) -> Text:
        """Resolve the badge style names (``error``, ``success`` …) to the theme's colours."""
        label = node._label
        if isinstance(label.style, str) and label.style in BADGE_STYLES:
            label = label.copy()
            label.style = self.get_component_rich_style(f"department-tree--{label.style}")
        if any(isinstance(span.style, str) and span.style in BADGE_STYLES for span in label.spans):
            label = label.copy()
            label.spans = [
                Span(s.start, s.end, self.get_component_rich_style(f"department-tree--{s.style}"))
                if isinstance(s.style, str) and s.style in BADGE_STYLES
                else s
                for s in label.spans
            ]
        node._label, original = label, node._label
        try:
            return super().render_label(node, base_style, style)
        finally:
            node._label = original


class Navigator(Vertical):
    """Departments → documents → forms; `/` filters, `f` keeps only forms with failures."""

    HELP: ClassVar[str] = """
## Navigator

Departments, then each document (unit · year), then its forms. `Enter` or a click opens a form.

Badges: **✗n** n failing checks · **!n** warnings · **✓** all reconciled ·
**✓pub** reconciled with findings published as is · **miss**/**empt** form missing/empty ·
**part** incomplete · **…** checks still running. **R** reviewed, **A** approved (`r` on a form cycles it).

- `/` filters by name; `Escape` clears the filter.
- `f` shows only forms with failures.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="navigator.filter"),
        Binding("f", "toggle_failing", "Failing only", id="navigator.failing-only"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="navigator.clear-filter"),
    ]

    @dataclass
    class FormRequested(Message):
        """The reviewer chose a form."""

        path: str
        form_id: str

    @dataclass
    class DocumentRequested(Message):
        """The reviewer chose a document (its first form)."""

        path: str

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        """Create an empty navigator (documents arrive with `add_document`).

        Args:
            id: Widget id.
        """
        super().__init__(id=id)
        self._docs: dict[str, DocSummary] = {}
        self._problems: list[str] = []
        self._doc_nodes: dict[str, TreeNode[NodeRef]] = {}
        self._dept_nodes: dict[str, TreeNode[NodeRef]] = {}
        self._form_nodes: dict[tuple[str, str], TreeNode[NodeRef]] = {}
        self._filled: set[str] = set()
        """Documents whose form nodes exist in the tree as built now."""
        self._opened: set[str] = set()
        """Documents whose form nodes were ever made (kept, collapsed, when the tree is rebuilt)."""
        self._total = 0
        """Files the loader found (sets how departments start, see `EXPANDED_UP_TO`)."""
        self._dept_failures: dict[str, int] = {}
        """Department -> failures of its documents, kept as documents come and change (a
        folder of thousands must not be summed again for every document added)."""
        self.query_text = ""
        self.failing_only = False
        self.progress_text = ""
        tree: DepartmentTree = DepartmentTree(Text("Corpus"), id="department-tree")
        tree.guide_depth = 2
        tree.show_root = False
        tree.root.data = NodeRef("corpus")
        tree.root.expand()
        self._tree = tree
        self._cursor: TreeNode[NodeRef] | None = None
        """The node `select` chose while the tree was not mounted yet (see `show_tree`)."""

    def compose(self) -> ComposeResult:
        """Nothing yet: the tree comes with `show_tree`, the filter input (on `/`) and the
        loading bar (for a folder) when needed."""
        return iter(())

    async def show_tree(self) -> None:
        """Mount the tree, as it was built meanwhile, with its cursor where `select` put it.

        The screen calls this once its first frame is drawn: parsing the `Tree`'s CSS, styling
        its twelve component classes and drawing its lines took a sixth of the time to that
        frame (20 ms of 140), so the table is not kept waiting for it. Documents, labels and
        problems reach the tree's nodes before it is mounted, in the order they came, so it
        shows what it would have shown all along.
        """
        if self._tree.parent is not None:
            return
        # At the end: after the filter input and the loading bar, if they were made meanwhile.
        await self.mount(self._tree)
        node, self._cursor = self._cursor, None
        if node is not None:
            self._move_cursor(node)

    def _move_cursor(self, node: TreeNode[NodeRef]) -> None:
        """Put the tree's cursor on a node, which may have been added or uncovered just now:
        `Tree.move_cursor` takes the node's line from the last time the tree's lines were
        built, so they are built first (``get_node_at_line`` builds them when they are stale)."""
        tree = self._tree
        tree.get_node_at_line(0)
        tree.move_cursor(node, animate=False)

    @property
    def department_tree(self) -> DepartmentTree:
        """The tree widget (built from the start, mounted by `show_tree`)."""
        return self._tree

    # Data in -------------------------------------------------------------------------------

    def set_progress(self, done: int, total: int, summary: str) -> None:
        """Show loading progress and the corpus's review progress in the border title.

        Args:
            done: Files handled.
            total: Files found.
            summary: Review progress text.
        """
        bars = self.query(ProgressBar)
        if bars:
            bars.first().update(total=max(total, 1), progress=done)
            bars.first().set_class(done >= total, "-hidden")
        elif done < total:
            # Mounted only for a load that takes a while: a single document never shows it.
            bar = ProgressBar(total=max(total, 1), show_eta=False, id="navigator-progress")
            bar.progress = done
            if self._tree.parent is self:
                self.mount(bar, before=self._tree)
            else:
                self.mount(bar)
        self._total = total
        self.progress_text = summary
        self.border_title = summary if done >= total else f"Loading {done}/{total} · {summary}"

    def add_document(self, doc: DocSummary) -> None:
        """Add (or replace) a document and its forms."""
        self.add_documents([doc])

    def add_documents(self, docs: list[DocSummary]) -> None:
        """Add (or replace) documents and their forms, relabelling each department once."""
        departments: set[str] = set()
        for doc in docs:
            if doc.path in self._docs:
                self.update_document(doc)
                continue
            self._remember(doc)
            if self._visible(doc):
                departments.add(doc.department)
                self._add_nodes(doc)
        for name in departments:
            dept = self._dept_nodes.get(name)
            if dept is not None:
                dept.set_label(self._dept_label(name))

    def _remember(self, doc: DocSummary) -> None:
        """Store a document's summary and keep its department's failure count up to date."""
        old = self._docs.get(doc.path)
        if old is not None:
            self._dept_failures[old.department] -= old.failures
        self._docs[doc.path] = doc
        self._dept_failures[doc.department] = self._dept_failures.get(doc.department, 0) + doc.failures

    def add_problem(self, message: str) -> None:
        """List an unreadable file under the root."""
        self._problems.append(message)
        self.department_tree.root.add_leaf(
            Text("⚠ " + printable(message), style="warning"), NodeRef("problem")
        )

    def update_document(self, doc: DocSummary) -> None:
        """Refresh the labels of a document after an edit."""
        self._remember(doc)
        node = self._doc_nodes.get(doc.path)
        if node is None:
            return
        node.set_label(doc_label(doc))
        for form in doc.forms:
            form_node = self._form_nodes.get((doc.path, form.id))
            if form_node is not None:
                form_node.set_label(form_label(form, doc.year))
        dept = self._dept_nodes.get(doc.department)
        if dept is not None:
            dept.set_label(self._dept_label(doc.department))

    def select(self, path: str, form_id: str | None) -> None:
        """Move the tree cursor to a document's form (expanding its document)."""
        self._fill(path)
        node = self._form_nodes.get((path, form_id or "")) or self._doc_nodes.get(path)
        if node is None:
            return
        parent = node.parent
        while parent is not None:
            parent.expand()
            parent = parent.parent
        if self._tree.is_mounted:
            self._cursor = None
            self._move_cursor(node)
        else:
            self._cursor = node

    # Building ------------------------------------------------------------------------------

    def _visible_forms(self, doc: DocSummary) -> list[FormSummary]:
        needle = self.query_text.casefold()
        whole = _matches(needle, doc.department, doc.unit, doc.title)
        return [
            f
            for f in doc.forms
            if (not self.failing_only or f.errors or f.warnings)
            and (whole or _matches(needle, f.title, f.id))
        ]

    def _visible(self, doc: DocSummary) -> bool:
        if self.failing_only or self.query_text:
            return bool(self._visible_forms(doc))
        return True

    def _dept_label(self, name: str) -> Text:
        failing = self._dept_failures.get(name, 0)
        text = Text(printable(name or "(no department)"), style="bold")
        if failing:
            text.append(f" ✗{failing}", style="error")
        return text

    def _add_nodes(self, doc: DocSummary) -> None:
        dept = self._dept_nodes.get(doc.department)
        if dept is None:
            filtering = bool(self.failing_only or self.query_text)
            dept = self.department_tree.root.add(
                self._dept_label(doc.department),
                NodeRef("department"),
                expand=filtering or self._total <= EXPANDED_UP_TO,
            )
            self._dept_nodes[doc.department] = dept
        filtered = bool(self.failing_only or self.query_text)
        node = dept.add(doc_label(doc), NodeRef("document", doc.path), expand=filtered)
        self._doc_nodes[doc.path] = node
        if filtered or doc.path in self._opened:
            self._add_forms(doc, node)

    def _add_forms(self, doc: DocSummary, node: TreeNode[NodeRef]) -> None:
        for form in self._visible_forms(doc):
            self._form_nodes[(doc.path, form.id)] = node.add_leaf(
                form_label(form, doc.year), NodeRef("form", doc.path, form.id)
            )
        self._filled.add(doc.path)
        self._opened.add(doc.path)

    def _fill(self, path: str) -> None:
        """Make a document's form nodes, the first time it is expanded or selected.

        A folder of thousands would otherwise build fifteen nodes (and labels) per document
        while it loads, most of them never looked at.
        """
        node, doc = self._doc_nodes.get(path), self._docs.get(path)
        if node is not None and doc is not None and path not in self._filled:
            self._add_forms(doc, node)

    def rebuild(self) -> None:
        """Rebuild the tree for the current filter."""
        tree = self.department_tree
        tree.root.remove_children()
        self._doc_nodes.clear()
        self._dept_nodes.clear()
        self._form_nodes.clear()
        self._filled.clear()
        for doc in self._docs.values():
            if self._visible(doc):
                self._add_nodes(doc)
        for name, dept in self._dept_nodes.items():
            dept.set_label(self._dept_label(name))
        for message in self._problems:
            tree.root.add_leaf(Text("⚠ " + printable(message), style="warning"), NodeRef("problem"))

    # Actions and events --------------------------------------------------------------------

    async def action_filter(self) -> None:
        """Show the filter input (made on first use: most sessions never filter)."""
        boxes = self.query("#navigator-filter").results(Input)
        box = next(boxes, None)
        if box is None:
            box = Input(placeholder="filter departments and forms", id="navigator-filter")
            await self.mount(box, before=0)
        box.remove_class("-hidden")
        box.focus()

    def action_clear_filter(self) -> None:
        """Clear and hide the filter, back to the tree."""
        box = next(self.query("#navigator-filter").results(Input), None)
        if box is not None:
            box.add_class("-hidden")
            if box.value:
                box.value = ""
        self.department_tree.focus()

    def action_toggle_failing(self) -> None:
        """Show only forms with failures, or everything again."""
        self.failing_only = not self.failing_only
        self.rebuild()
        self.notify("Only forms with failures" if self.failing_only else "All forms", timeout=2, markup=False)

    @on(Input.Changed, "#navigator-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.query_text = event.value.strip()
        self.rebuild()

    @on(Input.Submitted, "#navigator-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.department_tree.focus()

    @on(Tree.NodeExpanded)
    def _node_expanded(self, event: Tree.NodeExpanded[NodeRef]) -> None:
        event.stop()
        ref = event.node.data
        if ref is not None and ref.kind == "document":
            self._fill(ref.path)

    @on(Tree.NodeSelected)
    def _node_selected(self, event: Tree.NodeSelected[NodeRef]) -> None:
        event.stop()
        ref = event.node.data
        if ref is None:
            return
        if ref.kind == "form":
            self.post_message(self.FormRequested(ref.path, ref.form))
        elif ref.kind == "document":
            self.post_message(self.DocumentRequested(ref.path))

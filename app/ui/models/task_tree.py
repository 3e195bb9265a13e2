"""The task tree as an outline: headings and tasks as rows of one table, indented by level.

Why a table and not a QTreeView: a tree view lays out every expanded row on each change of rows
(about 100 ms for 10,000 rows even over Qt's own QStandardItemModel), so a keystroke in 搜索 cannot
stay under a frame. A table asks only for the rows on screen. The model keeps the outline itself:
which headings are open (by heading id, so it survives every refresh and filter), which rows the
filter lets through, and the list of rows shown. Like Anki's browser model it holds plain records
with display text computed once per task, and changes rows in place: dataChanged for an edited
row, rows removed or inserted when a task stops or starts matching, is added or removed, or a
heading is collapsed or expanded; only a new filter resets the model (cheap for a table).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from PySide6.QtCore import QAbstractTableModel, QMimeData, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from app.core.records import Heading, Task
from app.core.status import STATE_LABELS

COLUMNS = ("序号", "任务", "牵头单位", "配合单位", "完成时限", "状态")
COL_SEQ, COL_TASK, COL_LEAD, COL_COOP, COL_DEADLINE, COL_STATE = range(len(COLUMNS))
TASK_ID_ROLE = Qt.ItemDataRole.UserRole + 1
STATE_ROLE = Qt.ItemDataRole.UserRole + 2
UNITS_ROLE = Qt.ItemDataRole.UserRole + 3
HEADING_ID_ROLE = Qt.ItemDataRole.UserRole + 4
LEVEL_ROLE = Qt.ItemDataRole.UserRole + 5
STATE_COLOURS = {"overdue": "#fde2e1", "due_soon": "#fff4d6", "done": "#e3f4e1"}
STATE_TEXT_COLOURS = {"overdue": "#b3261e", "due_soon": "#8a5a00", "done": "#1e6b2a", "long_term": "#1f4e8c",
                      "no_deadline": "#666666"}
MIME_TYPE = "application/x-ledgerdesk-outline"  # {"tasks": [ids], "headings": [ids]} dragged within the outline
HEADING_BACKGROUND = "#eef2f7"
OPEN_MARK, CLOSED_MARK = "▾", "▸"
INDENT = "\u3000"  # an ideographic space per level: the outline's indent in 序号
_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_BACKGROUND = Qt.ItemDataRole.BackgroundRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_FONT = Qt.ItemDataRole.FontRole
_FLAGS = (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
          | Qt.ItemFlag.ItemIsDragEnabled | Qt.ItemFlag.ItemIsDropEnabled)
# A drop asks the window to move: (task ids, heading ids, target heading or None, before id or None) → done
MoveHandler = Callable[[list[str], list[str], "str | None", "str | None"], bool]
_NO_PARENT = QModelIndex()
_BRUSHES: dict[str, QBrush] = {}
_BOLD: QFont | None = None


def _brush(colour: str) -> QBrush:
    if colour not in _BRUSHES:
        _BRUSHES[colour] = QBrush(QColor(colour))
    return _BRUSHES[colour]


def _bold() -> QFont:
    global _BOLD
    if _BOLD is None:
        _BOLD = QFont()
        _BOLD.setBold(True)
    return _BOLD


def _one_line(text: str) -> str:
    return " ".join(text.split())


def deadline_tooltip(task: Task) -> str:
    from app.ui.panes.detail import describe_deadline  # the pane's words for deadline kinds

    return f"{task.deadline.text or '（无）'}\n{describe_deadline(task.deadline)[0]}"


class Node:
    """A heading or a task of the outline, with its place in the document."""

    __slots__ = ("cells", "children", "end", "heading", "level", "parent", "start", "state", "task")

    def __init__(self, heading: Heading | None = None, task: Task | None = None, state: str = "") -> None:
        self.heading = heading
        self.task = task
        self.state = state
        self.parent: Node | None = None
        self.children: list[Node] = []
        self.level = 0
        self.start = 0  # a heading: its own position in the model's document order
        self.end = 0  # a heading: the position after its last descendant in the model's document order
        self.cells: tuple[str, ...] = ()
        if task is not None:
            self.set_task(task, state)

    def set_task(self, task: Task, state: str) -> None:
        self.task = task
        self.state = state
        self.cells = ()  # made when the row is first painted: most of 10,000 rows never are

    def make_cells(self) -> tuple[str, ...]:
        task = self.task
        self.cells = (task.seq, _one_line(task.content), "、".join(task.lead_units),  # type: ignore[union-attr]
                      "、".join(task.coop_units), task.deadline.text,  # type: ignore[union-attr]
                      STATE_LABELS.get(self.state, self.state))
        return self.cells


class TaskTreeModel(QAbstractTableModel):
    """Read-only outline over the window's LedgerView; edits go through the facade and come back as Changes.

    Rows can be dragged: a drop is handed to `move_handler` (set by app/ui/tree_edit.py), which runs the
    move as an undoable facade operation; the rows change when its Changes come back (sync_document)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._root = Node()
        self._tasks: dict[str, Node] = {}
        self._headings: dict[str, Node] = {}
        self._visible: set[str] | None = None  # task ids the filter lets through; None: all
        self.collapsed: set[str] = set()  # heading ids the clerk closed (kept across refreshes)
        self._collapsed_filtered: set[str] = set()  # closed while the current filter is on
        self._rows: list[Node] = []
        self._row_of: dict[int, int] = {}
        self._order: list[Node] = []  # every node but the root, in document order
        self.move_handler: MoveHandler | None = None

    # ----- building and filtering -------------------------------------------------------------
    def set_document(self, headings: Iterable[Heading], tasks: Iterable[Task], states: dict[str, str],
                     *, visible: set[str] | None = None) -> None:
        """Build the outline anew (opening a ledger): one reset."""
        self.beginResetModel()
        self._tasks, self._headings = {}, {}
        self._build(list(headings), list(tasks), states)
        self._visible = visible
        self._collapsed_filtered = set()
        self._set_rows(self._outline())
        self.endResetModel()

    def set_visible(self, visible: set[str] | None) -> None:
        """A new filter: one reset; every heading with a match is open while a filter is on."""
        self.beginResetModel()
        self._visible = visible
        self._collapsed_filtered = set()
        self._set_rows(self._outline())
        self.endResetModel()

    def _build(self, headings: list[Heading], tasks: list[Task], states: dict[str, str]) -> None:
        """Nodes in document order (sub-headings, then tasks, under each heading), keeping the nodes of
        known ids so that rows shown stay the same objects."""
        self._root.children = []
        headings_by_id: dict[str, Node] = {}
        for heading in headings:
            node = self._headings.get(heading.id) or Node(heading=heading)
            node.heading = heading
            node.children = []
            headings_by_id[heading.id] = node
        for heading in headings:
            node = headings_by_id[heading.id]
            node.parent = headings_by_id.get(heading.parent_id or "", self._root)
            node.parent.children.append(node)
        tasks_by_id: dict[str, Node] = {}
        for task in tasks:
            node = self._tasks.get(task.id)
            if node is None:
                node = Node(task=task, state=states.get(task.id, ""))
            else:
                node.set_task(task, states.get(task.id, ""))
            node.parent = headings_by_id.get(task.heading_id or "", self._root)
            node.parent.children.append(node)
            tasks_by_id[task.id] = node
        self._tasks, self._headings = tasks_by_id, headings_by_id
        self._order = []
        self._number(self._root, -1)

    def _number(self, node: Node, level: int) -> None:
        """Document order (each heading, its sub-headings' subtrees, its tasks), levels and subtree ends."""
        node.level = level
        for child in node.children:
            if child.heading is not None:
                child.start = len(self._order)
                self._order.append(child)
                self._number(child, level + 1)
                child.end = len(self._order)
            else:
                child.level = level + 1
                self._order.append(child)

    def _passes(self, node: Node) -> bool:
        return self._visible is None or node.task.id in self._visible  # type: ignore[union-attr]

    def _is_open(self, node: Node) -> bool:
        heading_id = node.heading.id  # type: ignore[union-attr]
        if self._visible is None:
            return heading_id not in self.collapsed
        return heading_id not in self._collapsed_filtered

    def _outline(self) -> list[Node]:
        """The rows to show, in order: every heading (with a match below it, under a filter), and the
        tasks that pass, below the open headings. One pass over the document order: a closed heading
        skips its subtree, and under a filter a running count of matches says which headings have one."""
        order, visible = self._order, self._visible
        if visible is None:
            closed = self.collapsed
            rows, i, n = [], 0, len(order)
            while i < n:
                node = order[i]
                rows.append(node)
                i = node.end if node.heading is not None and node.heading.id in closed else i + 1
            return rows
        matches = [0]  # matches[i]: tasks passing among order[:i]
        count = 0
        for node in order:
            if node.task is not None and node.task.id in visible:
                count += 1
            matches.append(count)
        closed = self._collapsed_filtered
        rows, i, n = [], 0, len(order)
        while i < n:
            node = order[i]
            if node.heading is None:
                if node.task.id in visible:  # type: ignore[union-attr]
                    rows.append(node)
                i += 1
            elif matches[node.end] == matches[i + 1]:
                i = node.end  # nothing below matches: neither the heading nor its rows
            else:
                rows.append(node)
                i = node.end if node.heading.id in closed else i + 1
        return rows

    def _set_rows(self, rows: list[Node]) -> None:
        self._rows = rows
        self._row_of = {id(node): row for row, node in enumerate(rows)}

    # ----- changes in place -------------------------------------------------------------------
    def update_tasks(self, tasks: Iterable[Task], states: dict[str, str], *, visible: set[str] | None) -> None:
        """Changed tasks: dataChanged for their rows; rows removed or inserted when the filter's verdict on
        a task changed (with the headings that appear or vanish with it)."""
        self._visible = visible
        changed_rows = []
        flipped = False
        for task in tasks:
            node = self._tasks.get(task.id)
            if node is None:
                continue
            node.set_task(task, states.get(task.id, ""))
            row = self._row_of.get(id(node))
            if row is not None:
                changed_rows.append(row)
            if (row is not None) != (self._passes(node) and self._under_open(node)):
                flipped = True
        last = len(COLUMNS) - 1
        for row in changed_rows:
            self.dataChanged.emit(self.index(row, 0), self.index(row, last))
        if flipped:
            self._resync()

    def _under_open(self, node: Node) -> bool:
        parent = node.parent
        while parent is not None and parent is not self._root:
            if not self._is_open(parent):
                return False
            parent = parent.parent
        return True

    def sync_document(self, headings: Iterable[Heading], tasks: Iterable[Task], states: dict[str, str],
                      *, visible: set[str] | None) -> None:
        """Tasks or headings added, removed or moved: rebuild the nodes (keeping those of known ids), emit
        the rows removed and inserted, and dataChanged for the rest (their text may have changed too)."""
        self._build(list(headings), list(tasks), states)
        self._visible = visible
        self._resync()
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(COLUMNS) - 1))

    def _resync(self) -> None:
        """Bring the rows shown to the outline now: removals (from the end) then insertions, one signal per
        run; a reordering (a move) falls back to a reset."""
        old, new = self._rows, self._outline()
        new_ids = {id(n) for n in new}
        old_ids = {id(n) for n in old}
        if [n for n in old if id(n) in new_ids] != [n for n in new if id(n) in old_ids]:
            self.beginResetModel()
            self._set_rows(new)
            self.endResetModel()
            return
        rows = list(old)
        row = len(rows) - 1
        while row >= 0:
            if id(rows[row]) in new_ids:
                row -= 1
                continue
            last = row
            while row >= 0 and id(rows[row]) not in new_ids:
                row -= 1
            self.beginRemoveRows(QModelIndex(), row + 1, last)
            del rows[row + 1:last + 1]
            self._set_rows(rows)
            self.endRemoveRows()
        position = 0
        while position < len(new):
            if id(new[position]) in old_ids:
                position += 1
                continue
            first = position
            while position < len(new) and id(new[position]) not in old_ids:
                position += 1
            self.beginInsertRows(QModelIndex(), first, position - 1)
            rows[first:first] = new[first:position]
            self._set_rows(rows)
            self.endInsertRows()

    # ----- opening and closing headings -------------------------------------------------------
    def is_expanded(self, heading_id: str) -> bool:
        node = self._headings.get(heading_id)
        return node is not None and self._is_open(node)

    def set_expanded(self, heading_id: str, expanded: bool) -> None:
        """Open or close a heading: its rows are inserted or removed; remembered by id."""
        node = self._headings.get(heading_id)
        if node is None or self._is_open(node) == expanded:
            return
        closed = self.collapsed if self._visible is None else self._collapsed_filtered
        (closed.discard if expanded else closed.add)(heading_id)
        row = self._row_of.get(id(node))
        if row is not None:
            self.dataChanged.emit(self.index(row, COL_SEQ), self.index(row, COL_SEQ))  # its ▸ / ▾
        self._resync()

    def set_all_expanded(self, expanded: bool) -> None:
        closed = self.collapsed if self._visible is None else self._collapsed_filtered
        closed.clear()
        if not expanded:
            closed.update(self._headings)
        self.beginResetModel()
        self._set_rows(self._outline())
        self.endResetModel()

    def expand_to(self, task_id: str) -> None:
        """Open the headings above a task (selecting it from elsewhere)."""
        node = self._tasks.get(task_id)
        parent = node.parent if node else None
        ids = []
        while parent is not None and parent is not self._root:
            ids.append(parent.heading.id)  # type: ignore[union-attr]
            parent = parent.parent
        for heading_id in reversed(ids):
            self.set_expanded(heading_id, True)

    # ----- asking -----------------------------------------------------------------------------
    def index_of_task(self, task_id: str) -> QModelIndex:
        node = self._tasks.get(task_id)
        row = self._row_of.get(id(node)) if node is not None else None
        return self.index(row, 0) if row is not None else QModelIndex()

    def index_of_heading(self, heading_id: str) -> QModelIndex:
        node = self._headings.get(heading_id)
        row = self._row_of.get(id(node)) if node is not None else None
        return self.index(row, 0) if row is not None else QModelIndex()

    def task_count(self) -> int:
        return len(self._tasks)

    def shown_task_count(self) -> int:
        """Tasks the filter lets through (also those under a closed heading)."""
        return len(self._tasks) if self._visible is None else len(self._visible.intersection(self._tasks))

    def task_at(self, index: QModelIndex | QPersistentModelIndex) -> Task | None:
        return self._rows[index.row()].task if index.isValid() and index.row() < len(self._rows) else None

    def heading_at(self, index: QModelIndex | QPersistentModelIndex) -> Heading | None:
        return self._rows[index.row()].heading if index.isValid() and index.row() < len(self._rows) else None

    def parent_heading_index(self, index: QModelIndex | QPersistentModelIndex) -> QModelIndex:
        """The row of the heading above this row (← in the outline), or an invalid index."""
        if not index.isValid() or index.row() >= len(self._rows):
            return QModelIndex()
        parent = self._rows[index.row()].parent
        row = self._row_of.get(id(parent)) if parent is not None else None
        return self.index(row, 0) if row is not None else QModelIndex()

    def shown_ids(self) -> list[str]:
        """Ids of the rows shown, in order (headings prefixed "h:"), for tests and the bench."""
        return [n.task.id if n.task else f"h:{n.heading.id}" for n in self._rows]  # type: ignore[union-attr]

    def children_of(self, heading_id: str | None) -> tuple[list[str], list[str]]:
        """(sub-heading ids, task ids) directly under a heading (None: the top level), in order."""
        node = self._root if heading_id is None else self._headings.get(heading_id)
        if node is None:
            return [], []
        return ([c.heading.id for c in node.children if c.heading is not None],
                [c.task.id for c in node.children if c.task is not None])

    def known_ids(self) -> tuple[set[str], set[str]]:
        """(task ids, heading ids) in the outline, filtered or not: to tell a new one in a Changes."""
        return set(self._tasks), set(self._headings)

    def heading_of_task(self, task_id: str) -> str | None:
        node = self._tasks.get(task_id)
        parent = node.parent if node is not None else None
        return parent.heading.id if parent is not None and parent.heading is not None else None

    def heading(self, heading_id: str) -> Heading | None:
        node = self._headings.get(heading_id)
        return node.heading if node is not None else None

    def subtree_counts(self, heading_id: str) -> tuple[int, int]:
        """(sub-headings, tasks) anywhere below a heading: what deleting it takes with it."""
        node = self._headings.get(heading_id)
        if node is None:
            return 0, 0
        below = self._order[node.start + 1:node.end]
        return sum(1 for n in below if n.heading is not None), sum(1 for n in below if n.task is not None)

    def is_below(self, heading_id: str | None, ancestor_id: str) -> bool:
        """True when `heading_id` is `ancestor_id` or lies under it (no heading moves into itself)."""
        node = self._headings.get(heading_id or "")
        while node is not None and node is not self._root:
            if node.heading is not None and node.heading.id == ancestor_id:
                return True
            node = node.parent
        return False

    # ----- drag and drop ----------------------------------------------------------------------
    def drop_target(self, row: int, parent: QModelIndex | QPersistentModelIndex, *,
                    heading: bool) -> tuple[str | None, str | None]:
        """(heading to move into, id to go before) for a drop at `row` (between rows) or on `parent`.

        On a heading row: into it, at its end. On a task row, or between rows: before the row below,
        in its heading (a heading dragged before a task goes to the end of that task's heading)."""
        if parent.isValid():
            node = self._rows[parent.row()] if parent.row() < len(self._rows) else None
            if node is not None and node.heading is not None:
                return node.heading.id, None
            row = parent.row()
        if row < 0 or row >= len(self._rows):
            return None, None  # below the last row: the end of the top level
        node = self._rows[row]
        owner = node.parent.heading.id if node.parent is not None and node.parent.heading is not None else None
        if node.heading is not None:
            if heading:
                return owner, node.heading.id
            above = self._rows[row - 1] if row > 0 else None
            if above is None:
                return None, None
            into = above.heading if above.heading is not None else (above.parent.heading if above.parent else None)
            return (into.id if into is not None else None), None
        if heading:
            return owner, None
        return owner, node.task.id  # type: ignore[union-attr]

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME_TYPE]

    def mimeData(self, indexes) -> QMimeData:
        tasks: list[str] = []
        headings: list[str] = []
        for index in indexes:
            if not index.isValid() or index.row() >= len(self._rows):
                continue
            node = self._rows[index.row()]
            if node.task is not None and node.task.id not in tasks:
                tasks.append(node.task.id)
            elif node.heading is not None and node.heading.id not in headings:
                headings.append(node.heading.id)
        data = QMimeData()
        data.setData(MIME_TYPE, json.dumps({"tasks": tasks, "headings": headings}).encode("utf-8"))
        return data

    @staticmethod
    def _decode(data: QMimeData) -> tuple[list[str], list[str]] | None:
        if data is None or not data.hasFormat(MIME_TYPE):
            return None
        try:
            payload = json.loads(bytes(data.data(MIME_TYPE)).decode("utf-8"))
            return list(payload.get("tasks", [])), list(payload.get("headings", []))
        except (ValueError, AttributeError):
            return None

    def canDropMimeData(self, data, action, row, column, parent) -> bool:
        decoded = self._decode(data)
        if decoded is None or action not in (Qt.DropAction.MoveAction, Qt.DropAction.IgnoreAction):
            return False
        tasks, headings = decoded
        if headings and tasks:
            return False  # one kind at a time
        if headings:
            target, _before = self.drop_target(row, parent, heading=True)
            return not any(self.is_below(target, h) for h in headings)
        return bool(tasks)

    def dropMimeData(self, data, action, row, column, parent) -> bool:
        if action == Qt.DropAction.IgnoreAction:
            return True
        if not self.canDropMimeData(data, action, row, column, parent) or self.move_handler is None:
            return False
        tasks, headings = self._decode(data)  # type: ignore[misc]
        target, before = self.drop_target(row, parent, heading=bool(headings))
        if before is not None and (before in tasks or before in headings):
            return False  # dropped onto itself: nothing moves
        return self.move_handler(tasks, headings, target, before)

    # ----- QAbstractItemModel -----------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _NO_PARENT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        return _FLAGS if index.isValid() else Qt.ItemFlag.ItemIsDropEnabled  # drops between rows land at the top

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY):
        if orientation == Qt.Orientation.Horizontal and role == _DISPLAY and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY):
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        node = self._rows[index.row()]
        column = index.column()
        task = node.task
        if task is None:
            heading = node.heading
            if heading is None:
                return None
            if role == _DISPLAY:
                if column == COL_SEQ:
                    mark = OPEN_MARK if self._is_open(node) else CLOSED_MARK
                    return f"{INDENT * node.level}{mark} {heading.number}"
                return heading.title if column == COL_TASK else None
            if role == _TOOLTIP:
                below = self.subtree_counts(heading.id)[1] if column == COL_SEQ else None
                return heading.label if below is None else f"{heading.label}（{below} 项任务）"
            if role == _FONT:
                return _bold()
            if role == _BACKGROUND:
                return _brush(HEADING_BACKGROUND)
            if role == HEADING_ID_ROLE:
                return heading.id
            if role == LEVEL_ROLE:
                return node.level
            return None
        cells = node.cells or node.make_cells()
        if role == _DISPLAY:
            return f"{INDENT * node.level}{cells[0]}" if column == COL_SEQ else cells[column]
        if role == _TOOLTIP:
            if column == COL_TASK:
                return task.content
            if column == COL_DEADLINE:
                return deadline_tooltip(task)
            return cells[column] or None
        if role == _BACKGROUND:
            colour = STATE_COLOURS.get(node.state)
            return _brush(colour) if colour else None
        if role == _FOREGROUND and column == COL_STATE:
            colour = STATE_TEXT_COLOURS.get(node.state)
            return _brush(colour) if colour else None
        if role == TASK_ID_ROLE:
            return task.id
        if role == STATE_ROLE:
            return node.state
        if role == UNITS_ROLE:
            return [*task.lead_units, *task.coop_units]
        if role == LEVEL_ROLE:
            return node.level
        return None

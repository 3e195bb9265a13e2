"""The task tree: headings as branches, tasks as leaves, over a LedgerDocument snapshot.

Like Anki's sidebar model: plain node objects, `internalPointer` to find them, and
cached row positions, so the model is cheap to rebuild after each operation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from app.core.records import Heading, LedgerDocument, Task
from app.core.status import STATE_LABELS, task_state

COLUMNS = ("序号 / 任务", "牵头单位", "完成时限", "状态")
TASK_ID_ROLE = Qt.ItemDataRole.UserRole + 1
STATE_ROLE = Qt.ItemDataRole.UserRole + 2
UNITS_ROLE = Qt.ItemDataRole.UserRole + 3
STATE_COLOURS = {"overdue": "#fde2e1", "due_soon": "#fff4d6", "done": "#e3f4e1"}


@dataclass(eq=False)
class Node:
    """One row of the tree: a heading or a task."""

    heading: Heading | None = None
    task: Task | None = None
    state: str = ""
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    row: int = 0

    def add(self, child: Node) -> Node:
        child.parent = self
        child.row = len(self.children)
        self.children.append(child)
        return child


def build_tree(doc: LedgerDocument, *, as_of: date) -> Node:
    """Headings in document order, each task under its heading (tasks without one at top level)."""
    root = Node()
    nodes: dict[str, Node] = {}
    for heading in doc.headings:
        parent = nodes.get(heading.parent_id or "", root)
        nodes[heading.id] = parent.add(Node(heading=heading))
    progress_by_task: dict[str, list] = {}
    for entry in doc.progress:
        progress_by_task.setdefault(entry.task_id, []).append(entry)
    for task in doc.tasks:
        state = task_state(task, progress_by_task.get(task.id, []), as_of=as_of)
        nodes.get(task.heading_id or "", root).add(Node(task=task, state=state))
    return root


class TaskTreeModel(QAbstractItemModel):
    """Read-only tree; edits go through the facade and the model is reset from a new snapshot."""

    def __init__(self, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self._root = Node()
        self._by_task: dict[str, Node] = {}

    def set_document(self, doc: LedgerDocument, *, as_of: date | None = None) -> None:
        self.beginResetModel()
        self._root = build_tree(doc, as_of=as_of or date.today())
        self._by_task = {}
        stack = [self._root]
        while stack:
            node = stack.pop()
            if node.task is not None:
                self._by_task[node.task.id] = node
            stack.extend(node.children)
        self.endResetModel()

    def index_of_task(self, task_id: str) -> QModelIndex:
        node = self._by_task.get(task_id)
        return self.createIndex(node.row, 0, node) if node else QModelIndex()

    def task_count(self) -> int:
        return len(self._by_task)

    # --- QAbstractItemModel ---------------------------------------------------------------
    def _node(self, index: QModelIndex | QPersistentModelIndex) -> Node:
        return index.internalPointer() if index.isValid() else self._root

    def index(self, row: int, column: int, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:
        node = self._node(parent)
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        return self.createIndex(row, column, node.children[row])

    def parent(self, index: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        parent = index.internalPointer().parent
        if parent is None or parent is self._root:
            return QModelIndex()
        return self.createIndex(parent.row, 0, parent)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._node(parent).children)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        node: Node = index.internalPointer()
        column = index.column()
        if node.heading is not None:
            if role == Qt.ItemDataRole.DisplayRole and column == 0:
                return node.heading.label
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            return None
        task = node.task
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                text = task.content.replace("\n", " ")
                return f"{task.seq}．{text[:60]}{'…' if len(text) > 60 else ''}"
            if column == 1:
                return "、".join(task.lead_units)
            if column == 2:
                return task.deadline.text
            if column == 3:
                return STATE_LABELS.get(node.state, node.state)
        if role == Qt.ItemDataRole.ToolTipRole and column == 0:
            return task.content
        if role == Qt.ItemDataRole.BackgroundRole and node.state in STATE_COLOURS:
            return QBrush(QColor(STATE_COLOURS[node.state]))
        if role == TASK_ID_ROLE:
            return task.id
        if role == STATE_ROLE:
            return node.state
        if role == UNITS_ROLE:
            return [*task.lead_units, *task.coop_units]
        return None

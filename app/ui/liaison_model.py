"""The liaison's task table: one row per task of the package, four columns to fill, the rest locked.

序号 / 任务 / 本单位职责 / 完成时限 are what the office sent: grey, not editable (a liaison who
changes them would only get the row refused). 状态 / 进展落实情况 / 完成日期 / 佐证材料 are white and
editable; an edit goes to `edit(task_id, entry)` (the window's undoable save), or straight to the
session when no window is attached. Overdue tasks have their 完成时限 in red; a task the office sent
back (退回修改) has its 序号 in orange. Rows read the session's entries once and are refreshed by
task id (`refresh_tasks`), so an edit repaints one row, not the table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from app.core.merge import norm_text
from app.errors import LedgerError
from app.formats.returns.liaison import LiaisonTask
from app.liaison_session import Entry, LiaisonSession

COLUMNS = ("序号", "任务", "本单位职责", "完成时限", "状态", "进展落实情况", "完成日期", "佐证材料")
COL_SEQ, COL_TASK, COL_ROLE, COL_DEADLINE, COL_STATUS, COL_TEXT, COL_DATE, COL_EVIDENCE = range(len(COLUMNS))
EDITABLE = {COL_STATUS: "status", COL_TEXT: "text", COL_DATE: "done_date", COL_EVIDENCE: "evidence"}
LOCKED_BACKGROUND = QColor("#eceff1")  # read-only: visibly grey
LOCKED_TEXT = QColor("#455a64")
OPEN_BACKGROUND = QColor("#ffffff")
OVERDUE_BACKGROUND = QColor("#fde2e1")
OVERDUE_TEXT = QColor("#b3261e")
REWORK_BACKGROUND = QColor("#ffd8a8")
EMPTY_TEXT = QColor("#9e9e9e")
EMPTY_STATUS = "（请选择）"
OVERDUE_MARK = "（已逾期）"
REWORK_MARK = "退回"

EntrySaver = Callable[[str, Entry], bool]
NO_PARENT = QModelIndex()


def one_line(text: str) -> str:
    return " ".join(text.split())


def task_summary(task: LiaisonTask) -> str:
    """The whole locked text of a task, for tooltips (the cell shows one line)."""
    parts = []
    if task.path:
        parts.append(" › ".join(task.path))
    if task.key_work:
        parts.append(f"重点工作：{task.key_work}")
    parts.append(f"主要内容：{task.content}")
    if task.metric:
        parts.append(f"量化指标：{task.metric}")
    return "\n".join(parts)


class LiaisonTaskModel(QAbstractTableModel):
    """The package's tasks as a table; editable cells save through `edit` (see module docstring)."""

    def __init__(self, session: LiaisonSession, *, today: date | None = None, edit: EntrySaver | None = None,
                 parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.today = today or date.today()
        self.edit = edit
        self._tasks: list[LiaisonTask] = list(session.tasks())
        self._rows = {task.task_id: row for row, task in enumerate(self._tasks)}
        self._entries: dict[str, Entry] = {}
        self._overdue: dict[str, bool] = {}
        self._rework = {t.task_id: bool(session.rework(t.task_id)) for t in self._tasks}
        self._bold = QFont()
        self._bold.setBold(True)

    # ----- asking ------------------------------------------------------------------------------
    def task_at(self, row: int) -> LiaisonTask | None:
        return self._tasks[row] if 0 <= row < len(self._tasks) else None

    def row_of(self, task_id: str) -> int:
        return self._rows.get(task_id, -1)

    def task_ids(self) -> list[str]:
        return [t.task_id for t in self._tasks]

    def entry(self, task_id: str) -> Entry:
        """The session's entry, read once per refresh."""
        if task_id not in self._entries:
            self._entries[task_id] = self.session.entry(task_id)
        return self._entries[task_id]

    def is_overdue(self, task_id: str) -> bool:
        if task_id not in self._overdue:
            self._overdue[task_id] = self.session.is_overdue(task_id, self.today)
        return self._overdue[task_id]

    def has_rework(self, task_id: str) -> bool:
        return self._rework.get(task_id, False)

    def overdue_count(self) -> int:
        return sum(1 for t in self._tasks if self.is_overdue(t.task_id))

    def filled_count(self) -> int:
        return sum(1 for t in self._tasks if self.entry(t.task_id).status)

    # ----- refreshing --------------------------------------------------------------------------
    def refresh_tasks(self, task_ids: Iterable[str]) -> None:
        """Those rows read the session again (after a save, an undo, an attach)."""
        for task_id in task_ids:
            row = self.row_of(task_id)
            if row < 0:
                continue
            self._entries.pop(task_id, None)
            self._overdue.pop(task_id, None)
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    # ----- Qt ----------------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._tasks)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return "请填写（双击或在下方编辑）" if section in EDITABLE else "办公室下发的内容，不能修改"
        if role == Qt.ItemDataRole.FontRole and section in EDITABLE:
            return self._bold
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() in EDITABLE:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        task = self.task_at(index.row()) if index.isValid() else None
        if task is None or not 0 <= index.column() < len(COLUMNS):
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(task, column)
        if role == Qt.ItemDataRole.EditRole:
            return self._value(task, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(task, column)
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(self._background(task, column))
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(self._foreground(task, column))
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (COL_SEQ, COL_STATUS, COL_DATE):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def _value(self, task: LiaisonTask, column: int) -> str:
        if column in EDITABLE:
            return getattr(self.entry(task.task_id), EDITABLE[column])
        if column == COL_SEQ:
            return task.seq
        if column == COL_TASK:
            return task.content
        if column == COL_ROLE:
            return task.role
        return str(task.deadline.get("text") or "")

    def _display(self, task: LiaisonTask, column: int) -> str:
        value = self._value(task, column)
        if column == COL_STATUS and not value:
            return EMPTY_STATUS
        if column == COL_DEADLINE and self.is_overdue(task.task_id):
            return f"{value}{OVERDUE_MARK}"
        if column == COL_SEQ and self.has_rework(task.task_id):
            return f"{value} {REWORK_MARK}"
        return one_line(value)

    def _tooltip(self, task: LiaisonTask, column: int) -> str:
        if column == COL_TASK:
            return task_summary(task)
        if column == COL_SEQ and self.has_rework(task.task_id):
            return f"办公室退回修改：{self.session.rework(task.task_id)}"
        if column == COL_DEADLINE and self.is_overdue(task.task_id):
            return "已过完成时限且未完成，请在“进展落实情况”中说明原因，或申请延期"
        value = self._value(task, column)
        return value or ("请填写" if column in EDITABLE else "")

    def _background(self, task: LiaisonTask, column: int) -> QColor:
        if column == COL_DEADLINE and self.is_overdue(task.task_id):
            return OVERDUE_BACKGROUND
        if column == COL_SEQ and self.has_rework(task.task_id):
            return REWORK_BACKGROUND
        return OPEN_BACKGROUND if column in EDITABLE else LOCKED_BACKGROUND

    def _foreground(self, task: LiaisonTask, column: int) -> QColor:
        if column == COL_DEADLINE and self.is_overdue(task.task_id):
            return OVERDUE_TEXT
        if column == COL_STATUS and not self.entry(task.task_id).status:
            return EMPTY_TEXT
        return QColor("#000000") if column in EDITABLE else LOCKED_TEXT

    def setData(self, index: QModelIndex | QPersistentModelIndex, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """An edit of a fill-in cell: saved through `edit` (undoable) or the session; locked cells refuse."""
        task = self.task_at(index.row()) if index.isValid() else None
        if task is None or role != Qt.ItemDataRole.EditRole or index.column() not in EDITABLE:
            return False
        text = norm_text(value)
        old = self.entry(task.task_id)
        if text == getattr(old, EDITABLE[index.column()]):
            return True
        new = replace(old, **{EDITABLE[index.column()]: text})
        if self.edit is not None:
            return self.edit(task.task_id, new)
        try:
            self.session.set_entry(task.task_id, new)
        except LedgerError:
            return False
        self.refresh_tasks([task.task_id])
        return True

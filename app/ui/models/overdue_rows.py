"""The overview's overdue list as a table model: 序号, 主要内容, 责任单位, 完成时限, 逾期天数.

Rows are the overview's overdue tasks, most overdue first (app/core/overview_stats.py); TASK_ID_ROLE
gives the task id for the jump to the task in the window.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from app.core.overview_stats import Overview
from app.core.records import Task
from app.formats.ledger_layout import overdue_row
from app.ui.models.table_rows import TableRowsModel

COLUMNS = ("序号", "主要内容", "责任单位", "完成时限", "逾期天数")
COL_SEQ, COL_CONTENT, COL_LEAD, COL_DEADLINE, COL_DAYS = range(len(COLUMNS))
TASK_ID_ROLE = Qt.ItemDataRole.UserRole + 1
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren


def days_text(days: int | None) -> str:
    return "—" if days is None else f"{days} 天"


class OverdueRowsModel(TableRowsModel[Task]):
    columns = COLUMNS

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._cells: list[tuple[str, ...]] = []

    def set_overview(self, overview: Overview) -> None:
        tasks = list(overview.overdue)
        self._cells = [(*overdue_row(t), days_text(overview.overdue_days(t))) for t in tasks]
        self.set_rows(tasks)

    def task_at(self, index: QModelIndex | QPersistentModelIndex) -> Task | None:
        return self.row_at(index)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        return _FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        task = self.task_at(index)
        if task is None or not 0 <= index.column() < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cells[index.row()][index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return task.content if index.column() == COL_CONTENT else self._cells[index.row()][index.column()]
        if role == TASK_ID_ROLE:
            return task.id
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (COL_SEQ, COL_DAYS):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

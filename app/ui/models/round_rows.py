"""The reporting rounds as an editable table: 轮次 and 报送截止 (rename and due date in place).

Like the unit table, the model hands edits to `on_edit(round, field, text)` and shows what the
ledger says afterwards (`set_rows`, in place when the number of rounds is unchanged).
`parse_due` reads the ways a clerk writes a date.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from app.core.records import Round
from app.ui.models.table_rows import TableRowsModel

COLUMNS = ("轮次", "报送截止")
COL_NAME, COL_DUE = range(len(COLUMNS))
FIELDS = {COL_NAME: "name", COL_DUE: "due"}
WEEKDAYS = "一二三四五六日"
_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")

EditHandler = Callable[[str, str, str], bool]  # (round, field, new text) → taken


def parse_due(text: str) -> date | None:
    """"2023-09-10", "2023/9/10", "2023.9.10", "2023年9月10日" → the date; "" → None (no due date).
    Anything else raises ValueError with the Chinese line to show."""
    text = (text or "").strip()
    if not text:
        return None
    m = _DATE.match(text)
    try:
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        pass
    raise ValueError(f"报送截止日期“{text}”无法识别，请写成 2023-09-10 或 2023年9月10日")


def due_text(due: date | None) -> str:
    return f"{due.isoformat()}（星期{WEEKDAYS[due.weekday()]}）" if due else ""


class RoundRowsModel(TableRowsModel[Round]):
    columns = COLUMNS

    def __init__(self, on_edit: EditHandler | None = None, parent=None) -> None:
        super().__init__(parent)
        self.on_edit = on_edit

    def set_rows(self, rows: list[Round], *, in_place: bool = True) -> None:
        super().set_rows([Round(r.name, r.due) for r in rows], in_place=in_place)

    def row_of(self, name: str) -> int | None:
        return next((i for i, r in enumerate(self.rows) if r.name == name), None)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return base | Qt.ItemFlag.ItemIsEditable if self.on_edit else base

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if (row := self.row_at(index)) is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return row.name if col == COL_NAME else (due_text(row.due) or "未设")
        if role == Qt.ItemDataRole.EditRole:
            return row.name if col == COL_NAME else (row.due.isoformat() if row.due else "")
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_DUE and row.due is None:
            return Qt.GlobalColor.gray
        if role == Qt.ItemDataRole.ToolTipRole and col == COL_DUE:
            return "双击修改，如 2023-09-10；清空即不设截止日期"
        return None

    def setData(self, index: QModelIndex | QPersistentModelIndex, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or not self.on_edit:
            return False
        row = self.rows[index.row()]
        text = str(value or "").strip()
        current = row.name if index.column() == COL_NAME else (row.due.isoformat() if row.due else "")
        if text == current:
            return False
        return self.on_edit(row.name, FIELDS[index.column()], text)

"""The 考核 table of the overview: every unit's total over the rounds (汇总), or one round's rows.

The rows are app/core/scores.py's summary_values / round_values, the same cells the .xlsx and
.docx print; the model only shows them. SORT_ROLE gives the raw value (numbers as numbers) so a
QSortFilterProxyModel sorts 总分 10 after 9. A ledger has at most a few hundred units, so a new
table resets the model.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from app.core.scores import (
    HELD,
    MISSING,
    ROUND_COLUMNS,
    STATE_LABELS,
    SUMMARY_COLUMNS,
    ScoreTable,
    number_text,
    round_values,
    summary_values,
    time_text,
)
from app.ui.models.table_rows import TableRowsModel

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
UNIT_COLUMN = 1
LOW_COLOUR = "#b3261e"  # a negative score, a round not returned
_LOW_STATES = {STATE_LABELS[MISSING], STATE_LABELS[HELD]}


class ScoresModel(TableRowsModel[tuple]):
    """Rows of value tuples; `show(table, round_name)`: None for the 汇总, else that round."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.columns = SUMMARY_COLUMNS
        self.round_name: str | None = None

    def show(self, table: ScoreTable | None, round_name: str | None = None) -> None:
        self.beginResetModel()
        self.round_name = round_name
        self.columns = SUMMARY_COLUMNS if round_name is None else ROUND_COLUMNS
        if table is None:
            self.rows = []
        else:
            self.rows = summary_values(table) if round_name is None else round_values(table, round_name)
        self.endResetModel()

    def unit_of(self, row: int) -> str | None:
        return self.rows[row][UNIT_COLUMN] if 0 <= row < len(self.rows) else None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if (row := self.row_at(index)) is None or not (0 <= index.column() < len(self.columns)):
            return None
        col = index.column()
        value = row[col]
        last = col == len(self.columns) - 1
        if role == Qt.ItemDataRole.DisplayRole:
            if isinstance(value, datetime):
                return time_text(value)
            if value is None:
                return ""
            return number_text(value) if last else str(value)
        if role == SORT_ROLE:
            if isinstance(value, datetime):
                return value.isoformat()
            return "" if value is None else value
        if role == Qt.ItemDataRole.TextAlignmentRole and col != UNIT_COLUMN:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ForegroundRole and (
                (last and isinstance(value, int | float) and value < 0) or value in _LOW_STATES):
            return QBrush(QColor(LOW_COLOUR))
        return None

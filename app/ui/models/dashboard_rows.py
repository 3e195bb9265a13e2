"""The returns dashboard's table: one row per unit of a round (sent when, back when, what the merge did).

Rows are computed from dispatch_status (app/dispatch_status.py) by `dashboard_rows`, a plain
function the tests can call; the model only shows them. A round has at most a few hundred units,
so a refresh resets the model (cheap) instead of diffing rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from app.dispatch_status import HELD, NOT_SENT, RETURNED, UnitRound
from app.ui.models.table_rows import TableRowsModel

COLUMNS = ("单位", "状态", "报送表发出时间", "交回时间", "交回文件", "已应用", "冲突", "退回")
COL_UNIT, COL_STATE, COL_SENT, COL_RETURNED, COL_FILES, COL_APPLIED, COL_CONFLICTS, COL_REJECTED = range(len(COLUMNS))
UNIT_ROLE = Qt.ItemDataRole.UserRole + 1
MISSING, BACK, LATE, CHECKING = "未交", "已交", "逾期交", "待核实"
STATE_COLOURS = {MISSING: "#b3261e", LATE: "#8a5a00", CHECKING: "#1f4e8c"}
_NUMERIC = {COL_APPLIED, COL_CONFLICTS, COL_REJECTED}


@dataclass(frozen=True)
class DashboardRow:
    """One unit's line of the dashboard."""

    unit: str
    state: str  # MISSING, BACK, LATE, CHECKING
    sent_at: datetime | None
    returned_at: datetime | None
    files: tuple[str, ...]
    applied: int
    conflicts: int
    rejected: int
    never_sent: bool = False

    @property
    def missing(self) -> bool:
        return self.state == MISSING


def _local(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else ""


def dashboard_rows(status: list[UnitRound], due: date | None) -> list[DashboardRow]:
    """The rows of one round's status; a return after the due day is 逾期交 (on the due day is on time)."""
    out = []
    for s in status:
        if s.state == RETURNED:
            late = due is not None and s.returned_at is not None and s.returned_at.astimezone().date() > due
            state = LATE if late else BACK
        elif s.state == HELD:
            state = CHECKING
        else:
            state = MISSING
        out.append(DashboardRow(s.unit, state, s.sent_at, s.returned_at, tuple(s.files_returned), s.applied,
                                s.conflicts, s.rejected, never_sent=s.state == NOT_SENT))
    return out


def summary(rows: list[DashboardRow]) -> str:
    """"已交 12 / 20 个单位，未交 8" (a return waiting for review has come back: it counts as 交)."""
    missing = sum(r.missing for r in rows)
    late = sum(r.state == LATE for r in rows)
    text = f"已交 {len(rows) - missing} / {len(rows)} 个单位，未交 {missing}"
    return text + (f"（其中逾期交 {late}）" if late else "")


class DashboardModel(TableRowsModel[DashboardRow]):
    columns = COLUMNS

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if (row := self.row_at(index)) is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == COL_FILES and row.files:
                return "\n".join(row.files)
            if col == COL_STATE and row.never_sent:
                return "还没有给这个单位发出本轮的报送表"
            return None
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_STATE and row.state in STATE_COLOURS:
            return QBrush(QColor(STATE_COLOURS[row.state]))
        if role == Qt.ItemDataRole.TextAlignmentRole and col in _NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == UNIT_ROLE:
            return row.unit
        return None

    @staticmethod
    def _text(row: DashboardRow, col: int) -> str:
        if col == COL_UNIT:
            return row.unit
        if col == COL_STATE:
            return row.state
        if col == COL_SENT:
            return _local(row.sent_at) or "未发出"
        if col == COL_RETURNED:
            return _local(row.returned_at)
        if col == COL_FILES:
            return "、".join(row.files)
        if row.missing and not row.files:
            return ""
        return str({COL_APPLIED: row.applied, COL_CONFLICTS: row.conflicts, COL_REJECTED: row.rejected}[col])

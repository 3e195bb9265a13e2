"""Table models of the merge preview and of the conflicts/review list: plain rows, no ledger access.

Both take their rows ready made (the preview from `merge_report.row_items`, the list from the
ledger's open conflicts and review items, read by the panel) and look tasks up in the window's
`view.tasks` for 序号 and content, so a refresh is O(rows shown), never O(ledger).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor

from app.core.merge import Values
from app.core.records import Task
from app.merge_report import CONFLICT, ITEM_LABELS, REFUSED, REVIEW, ConflictKey, Resolution, RowItem
from app.ui.models.table_rows import TableRowsModel

KIND_ROLE = Qt.ItemDataRole.UserRole + 1  # the row's kind (APPLY/CONFLICT/… or a review kind)

_Index = QModelIndex | QPersistentModelIndex
_COLOURS = {CONFLICT: "#fff4d6", REFUSED: "#fde8e8", REVIEW: "#eef3ff"}
_RESOLVED = "#e6f4e6"


def values_line(values: Values | None) -> str:
    """状态｜进展 (｜完成日期｜佐证) on one line, "—" for nothing."""
    if values is None or values.empty:
        return "—"
    parts = [values.status or "（无状态）", values.text.replace("\n", " ") or "（无进展）"]
    if values.done_date:
        parts.append(f"完成于{values.done_date}")
    if values.evidence:
        parts.append(f"佐证：{values.evidence}")
    return "｜".join(parts)


def values_block(values: Values | None) -> str:
    """The four fields on lines of their own (tooltips and the detail box)."""
    if values is None or values.empty:
        return "（空）"
    return (f"状态：{values.status or '—'}\n进展落实情况：{values.text or '—'}\n"
            f"完成日期：{values.done_date or '—'}\n佐证材料：{values.evidence or '—'}")


def short(text: str, limit: int = 40) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[:limit] + "……"


# ------------------------------------------------------------------------------ merge preview
PREVIEW_HEADERS = ("类别", "文件", "行", "序号", "任务", "单位", "轮次", "台账现有", "报送 / 将写入", "说明与处理")
(P_KIND, P_FILE, P_ROW, P_SEQ, P_TASK, P_UNIT, P_ROUND, P_OLD, P_NEW, P_NOTE) = range(len(PREVIEW_HEADERS))
UNRESOLVED = "未选择：合并后留作待处理冲突"


class MergeRowsModel(TableRowsModel):
    """The dry run's rows, and the clerk's choice per conflict row (kept here until 应用)."""

    columns = PREVIEW_HEADERS

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._tasks: Mapping[str, Task] = {}
        self._chosen: dict[int, Resolution] = {}

    def set_items(self, items: list[RowItem], tasks: Mapping[str, Task]) -> None:
        self.beginResetModel()
        self.rows = list(items)
        self._tasks = tasks
        self._chosen = {}
        self.endResetModel()

    def item(self, row: int) -> RowItem:
        return self.rows[row]

    def items(self) -> list[RowItem]:
        return list(self.rows)

    def resolution(self, row: int) -> Resolution | None:
        return self._chosen.get(row)

    def set_resolution(self, row: int, resolution: Resolution | None) -> None:
        """Choose (or clear, None) how one conflict row is settled; other rows cannot be chosen for."""
        if self.rows[row].kind != CONFLICT:
            return
        if resolution is None:
            self._chosen.pop(row, None)
        else:
            self._chosen[row] = resolution
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(PREVIEW_HEADERS) - 1))

    def resolutions(self) -> dict[ConflictKey, Resolution]:
        """What `merge_files(resolutions=…)` takes."""
        out: dict[ConflictKey, Resolution] = {}
        for row, chosen in self._chosen.items():
            key = self.rows[row].key
            if key is not None:
                out[key] = chosen
        return out

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {kind: 0 for kind in ITEM_LABELS}
        for item in self.rows:
            counts[item.kind] += 1
        return counts

    def resolved_count(self) -> int:
        return len(self._chosen)

    # ----- Qt ----------------------------------------------------------------------------------
    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if (item := self.row_at(index)) is None:
            return None
        if role == KIND_ROLE:
            return item.kind
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(item, index.row(), index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(item, index.row(), index.column())
        if role == Qt.ItemDataRole.BackgroundRole:
            colour = _RESOLVED if index.row() in self._chosen else _COLOURS.get(item.kind)
            return QBrush(QColor(colour)) if colour else None
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (P_ROW, P_SEQ):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def _task(self, item: RowItem) -> Task | None:
        return self._tasks.get(item.task_id) if item.task_id else None

    def note(self, row: int) -> str:
        item = self.rows[row]
        if item.kind != CONFLICT:
            return item.reason
        chosen = self._chosen.get(row)
        return f"处理：{chosen.label()}" if chosen else UNRESOLVED

    def _display(self, item: RowItem, row: int, column: int) -> str:
        task = self._task(item)
        return {
            P_KIND: ITEM_LABELS.get(item.kind, item.kind),
            P_FILE: item.file,
            P_ROW: str(item.row) if item.row else "—",
            P_SEQ: task.seq if task else "",
            P_TASK: short(task.content) if task else "",
            P_UNIT: item.unit,
            P_ROUND: item.round,
            P_OLD: values_line(item.old) if item.row else "",
            P_NEW: values_line(item.new) if item.row else "",
            P_NOTE: self.note(row).replace("\n", " "),
        }.get(column, "")

    def _tooltip(self, item: RowItem, row: int, column: int) -> str:
        task = self._task(item)
        if column == P_TASK and task is not None:
            return task.content
        if column == P_OLD:
            return values_block(item.old)
        if column == P_NEW:
            return values_block(item.new)
        if column == P_NOTE:
            return self.note(row)
        return self._display(item, row, column)


class KindFilter(QSortFilterProxyModel):
    """Shows one kind of row (or all kinds but the unchanged ones, or everything)."""

    ALL = "all"
    CHANGING = "changing"

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._kind = self.CHANGING

    def set_kind(self, kind: str) -> None:
        self.beginFilterChange()
        self._kind = kind
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def kind(self) -> str:
        return self._kind

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        if self._kind == self.ALL:
            return True
        kind = self.sourceModel().index(source_row, 0, source_parent).data(KIND_ROLE)
        if self._kind == self.CHANGING:
            return kind != "unchanged"
        return kind == self._kind


# ------------------------------------------------------------------------------ conflicts and review
CONFLICT_KIND = "conflict"


@dataclass(frozen=True)
class OpenItem:
    """One open conflict or review item, as the list shows it."""

    kind: str  # CONFLICT_KIND or a review kind ("status", "held", "doubt", …)
    label: str
    id: int
    task_id: str | None
    unit: str
    round: str
    file: str
    message: str
    ours: Values | None = None  # conflicts: what the ledger holds
    theirs: Values | None = None  # conflicts: what the unit returned; review items: what accepting takes


REVIEW_HEADERS = ("类别", "序号", "任务", "单位", "轮次", "文件", "说明")
(R_KIND, R_SEQ, R_TASK, R_UNIT, R_ROUND, R_FILE, R_MESSAGE) = range(len(REVIEW_HEADERS))


class OpenItemsModel(TableRowsModel):
    """The open conflicts and review items, conflicts first."""

    columns = REVIEW_HEADERS

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._tasks: Mapping[str, Task] = {}

    def set_items(self, items: list[OpenItem], tasks: Mapping[str, Task]) -> None:
        self.beginResetModel()
        self.rows = list(items)
        self._tasks = tasks
        self.endResetModel()

    def item(self, row: int) -> OpenItem:
        return self.rows[row]

    def items(self) -> list[OpenItem]:
        return list(self.rows)

    def row_of(self, kind: str, item_id: int) -> int:
        """The row of this item, or -1 (to keep the selection across a refresh)."""
        for row, item in enumerate(self.rows):
            if item.id == item_id and (item.kind == CONFLICT_KIND) == (kind == CONFLICT_KIND):
                return row
        return -1

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if (item := self.row_at(index)) is None:
            return None
        task = self._tasks.get(item.task_id) if item.task_id else None
        if role == KIND_ROLE:
            return item.kind
        if role == Qt.ItemDataRole.DisplayRole:
            return {R_KIND: item.label, R_SEQ: task.seq if task else "", R_TASK: short(task.content, 30) if task else "",
                    R_UNIT: item.unit, R_ROUND: item.round, R_FILE: item.file,
                    R_MESSAGE: item.message.replace("\n", " ")}.get(index.column(), "")
        if role == Qt.ItemDataRole.ToolTipRole:
            if index.column() == R_TASK and task is not None:
                return task.content
            if item.kind == CONFLICT_KIND:
                return f"台账现有：\n{values_block(item.ours)}\n\n报送值：\n{values_block(item.theirs)}"
            return item.message
        if role == Qt.ItemDataRole.BackgroundRole and item.kind == CONFLICT_KIND:
            return QBrush(QColor(_COLOURS[CONFLICT]))
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == R_SEQ:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

"""The unit directory as an editable table: 名称, 类别, 联络员, 电话, 别名, 任务数.

The model never changes the ledger itself: an edit in place is handed to `on_edit(unit, field,
value)` (the dialog makes it one undoable step through the window), and the rows come back from
the ledger afterwards (`set_rows`). Rows of the same units are updated in place (dataChanged), so
an edit committed from an open editor never resets the view under it; units added, merged or
split off reset the (small) model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from app.core.records import LedgerDocument, Unit
from app.ui.models.table_rows import TableRowsModel

COLUMNS = ("名称", "类别", "联络员", "电话", "别名", "任务数")
COL_NAME, COL_KIND, COL_LIAISON, COL_PHONE, COL_ALIASES, COL_TASKS = range(len(COLUMNS))
KIND_LABELS = {"department": "部门", "township": "乡镇", "group": "统称", "other": "其他"}
KIND_BY_LABEL = {label: kind for kind, label in KIND_LABELS.items()}
FIELDS = {COL_NAME: "name", COL_KIND: "kind", COL_LIAISON: "liaison", COL_PHONE: "phone"}
UNIT_ROLE = Qt.ItemDataRole.UserRole + 1

EditHandler = Callable[[str, str, str], bool]  # (unit, field, new value) → taken


@dataclass(frozen=True)
class UnitRow:
    unit: Unit
    lead: int
    coop: int

    @property
    def tasks(self) -> int:
        return self.lead + self.coop


def unit_rows(doc: LedgerDocument) -> list[UnitRow]:
    """Every unit of the directory with how many tasks it leads and cooperates on (named directly)."""
    lead: dict[str, int] = {}
    coop: dict[str, int] = {}
    for task in doc.tasks:
        for name in task.lead_units:
            lead[name] = lead.get(name, 0) + 1
        for name in task.coop_units:
            coop[name] = coop.get(name, 0) + 1
    return [UnitRow(u, lead.get(u.name, 0), coop.get(u.name, 0)) for u in doc.units]


class UnitRowsModel(TableRowsModel[UnitRow]):
    columns = COLUMNS

    def __init__(self, on_edit: EditHandler | None = None, parent=None) -> None:
        super().__init__(parent)
        self.on_edit = on_edit

    def set_rows(self, rows: list[UnitRow], *, in_place: bool = True) -> None:
        super().set_rows(rows, in_place=in_place)

    def row_of(self, name: str) -> int | None:
        return next((i for i, r in enumerate(self.rows) if r.unit.name == name), None)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return base | Qt.ItemFlag.ItemIsEditable if index.column() in FIELDS and self.on_edit else base

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if (row := self.row_at(index)) is None:
            return None
        col = index.column()
        unit = row.unit
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if col == COL_NAME:
                return unit.name
            if col == COL_KIND:
                return KIND_LABELS.get(unit.kind, unit.kind)
            if col == COL_LIAISON:
                return unit.liaison
            if col == COL_PHONE:
                return unit.phone
            if col == COL_ALIASES:
                return "、".join(unit.aliases)
            return str(row.tasks)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == COL_TASKS:
                return f"牵头 {row.lead} 项，配合 {row.coop} 项"
            if col == COL_ALIASES and unit.aliases:
                return "\n".join(unit.aliases)
            if col == COL_NAME:
                return "双击改名（原名称保留为别名）"
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and col == COL_TASKS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == UNIT_ROLE:
            return unit.name
        return None

    def setData(self, index: QModelIndex | QPersistentModelIndex, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """Hand the edit to `on_edit`; the row changes when the ledger says so (set_rows)."""
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or index.column() not in FIELDS or not self.on_edit:
            return False
        row = self.rows[index.row()]
        field = FIELDS[index.column()]
        text = str(value or "").strip()
        if field == "kind":
            text = KIND_BY_LABEL.get(text, text)
        if text == (getattr(row.unit, field) or ""):
            return False
        return self.on_edit(row.unit.name, field, text)

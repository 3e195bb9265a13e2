"""A flat table model over a Python list of row records, the common part of the dialogs' tables.

Subclasses set `columns` (the header texts) and answer `data`; `rows` is the list shown. `set_rows`
either resets the model or, with `in_place=True` and the same number of rows, emits dataChanged
for the rows that differ only, so an edit committed from an open editor never resets the view
under it (the unit and round tables re-read the ledger after each edit).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

NO_PARENT = QModelIndex()
Row = TypeVar("Row")
Index = QModelIndex | QPersistentModelIndex


class TableRowsModel(QAbstractTableModel, Generic[Row]):
    """Rows of a list, one column per entry of `columns`; not hierarchical."""

    columns: Sequence[str] = ()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[Row] = []

    def set_rows(self, rows: Sequence[Row], *, in_place: bool = False) -> None:
        rows = list(rows)
        if in_place and len(rows) == len(self.rows) and self.rows:
            changed = [i for i, (old, new) in enumerate(zip(self.rows, rows)) if old != new]
            self.rows = rows
            for i in changed:
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(self.columns) - 1))
            return
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def row_at(self, index: Index) -> Row | None:
        """The record of a valid index inside the rows, else None."""
        if not index.isValid() or not (0 <= index.row() < len(self.rows)):
            return None
        return self.rows[index.row()]

    def rowCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.columns)):
            return self.columns[section]
        return None

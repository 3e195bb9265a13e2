"""Filter the task tree by text, unit and state, keeping the headings above matches."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt

from app.ui.models.task_tree import STATE_ROLE, TASK_ID_ROLE, UNITS_ROLE


class TaskFilterProxy(QSortFilterProxyModel):
    def __init__(self, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.setRecursiveFilteringEnabled(True)
        self._text = ""
        self._unit = ""
        self._state = ""

    def set_filters(self, *, text: str | None = None, unit: str | None = None, state: str | None = None) -> None:
        begin = getattr(self, "beginFilterChange", None)  # Qt 6.9+; invalidateFilter is deprecated there
        if begin is not None:
            begin()
        if text is not None:
            self._text = text.strip()
        if unit is not None:
            self._unit = unit
        if state is not None:
            self._state = state
        if begin is not None:
            self.endFilterChange()
        else:
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        model = self.sourceModel()
        index = model.index(source_row, 0, source_parent)
        if model.data(index, TASK_ID_ROLE) is None:  # a heading: shown when a child matches (recursive)
            return not (self._text or self._unit or self._state)
        if self._unit and self._unit not in (model.data(index, UNITS_ROLE) or []):
            return False
        if self._state and model.data(index, STATE_ROLE) != self._state:
            return False
        if self._text:
            row_text = " ".join(str(model.data(model.index(source_row, c, source_parent)) or "")
                                for c in range(model.columnCount()))
            tooltip = str(model.data(index, Qt.ItemDataRole.ToolTipRole) or "")  # the full content
            return self._text in row_text or self._text in tooltip
        return True

"""The progress editor: for the selected task and round, one row per assigned unit.

What the clerk typed is never dropped: switching the round first hands the typed rows to
`save_pending` (the window saves them as one undo step); leaving the task is the window's
business (it asks `edited_entries()`). A saved row keeps its 完成日期 and 佐证材料.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.records import STATUSES, Progress, Task

HEADERS = ("单位", "职责", "状态", "进展落实情况")


class ProgressPane(QWidget):
    """Emits `progress_requested(entries)` with the rows the user changed (保存进展)."""

    progress_requested = Signal(list)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._task: Task | None = None
        self._entries: list[Progress] = []
        self._current: dict[str, Progress] = {}
        self._round = ""  # the round the table was filled for
        self.save_pending: Callable[[list[Progress]], bool] | None = None
        self.round_box = QComboBox()
        self.round_box.currentTextChanged.connect(self._round_changed)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)  # long unit names wrap
        header.resizeSection(0, 104)
        self.table.setColumnHidden(1, True)  # the role goes under the unit's name: room for 进展 at 1024×768
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        # rows follow the text as the pane is resized: a long 进展 is read whole, not cut off at a fixed height
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.save_button = QPushButton("保存进展")
        self.save_button.clicked.connect(self._save)
        top = QHBoxLayout()
        top.addWidget(QLabel("报送轮次："))
        top.addWidget(self.round_box, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table)
        layout.addWidget(self.save_button)
        self.setEnabled(False)

    def set_rounds(self, names: list[str]) -> None:
        """The ledger's rounds; the one chosen stays chosen (the latest round at first)."""
        current = self.round_box.currentText()
        self.round_box.blockSignals(True)
        self.round_box.clear()
        self.round_box.addItems(names)
        if current in names:
            self.round_box.setCurrentText(current)
        elif names:
            self.round_box.setCurrentIndex(len(names) - 1)
        self.round_box.blockSignals(False)
        if self.round_box.currentText() != self._round:
            self._fill()

    def show_task(self, task: Task | None, entries: list[Progress] | None = None) -> None:
        self._task = task
        self._entries = list(entries or [])
        self.setEnabled(task is not None and self.round_box.count() > 0)
        self._fill()

    def _round_changed(self, _text: str) -> None:
        entries = self.edited_entries()
        if entries and self.save_pending is not None and not self.save_pending(entries):
            self.round_box.blockSignals(True)  # not saved and not given up: stay on that round
            self.round_box.setCurrentText(self._round)
            self.round_box.blockSignals(False)
            return
        self._fill()

    def _fill(self) -> None:
        self.table.setRowCount(0)
        task, round_name = self._task, self.round_box.currentText()
        self._round = round_name
        self._current = {}
        if task is None:
            return
        self._current = {p.unit: p for p in self._entries if p.round == round_name}
        units = [(u, "牵头") for u in task.lead_units] + [(u, "配合") for u in task.coop_units]
        self.table.setRowCount(len(units))
        for row, (unit, role) in enumerate(units):
            entry = self._current.get(unit)
            for column, text in ((0, f"{unit}\n（{role}）"), (1, role)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, unit)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(row, column, item)
            combo = QComboBox()
            combo.addItems(["", *STATUSES])
            if entry and entry.status and entry.status not in STATUSES:
                combo.addItem(entry.status)  # an off-list status as reported stays visible and kept
            combo.setCurrentText(entry.status if entry else "")
            holder = QWidget()  # the drop-down at the top of a tall row, not stretched over it
            box = QVBoxLayout(holder)
            box.setContentsMargins(2, 2, 2, 2)
            box.addWidget(combo)
            box.addStretch(1)
            self.table.setCellWidget(row, 2, holder)
            text_item = QTableWidgetItem(entry.text if entry else "")
            text_item.setToolTip(entry.text if entry else "")
            self.table.setItem(row, 3, text_item)

    def status_box(self, row: int) -> QComboBox | None:
        """The status drop-down of a row."""
        holder = self.table.cellWidget(row, 2)
        return holder.findChild(QComboBox) if holder is not None else None

    def edited_entries(self) -> list[Progress]:
        """The rows whose status or text differ from what the ledger has for the round shown."""
        task, round_name = self._task, self._round
        if task is None or not round_name:
            return []
        entries = []
        for row in range(self.table.rowCount()):
            unit = self.table.item(row, 0).data(Qt.ItemDataRole.UserRole)
            combo = self.status_box(row)
            status = combo.currentText() if combo is not None else ""
            text = self.table.item(row, 3).text().strip() if self.table.item(row, 3) else ""
            old = self._current.get(unit)
            before = (old.status, old.text.strip()) if old else ("", "")
            if before == (status, text):
                continue
            if old is not None:
                entries.append(replace(old, status=status, text=text, source="typed", updated_at=None))
            else:
                entries.append(Progress(task.id, unit, round_name, status=status, text=text, source="typed"))
        return entries

    def _save(self) -> None:
        entries = self.edited_entries()
        if entries:
            self.progress_requested.emit(entries)

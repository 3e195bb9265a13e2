"""The progress editor: for the selected task and round, one row per assigned unit."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.records import STATUSES, LedgerDocument, Progress, Task

HEADERS = ("单位", "职责", "状态", "进展落实情况")


class ProgressPane(QWidget):
    """Emits `progress_requested(entries)` with the rows the user changed."""

    progress_requested = Signal(list)

    def __init__(self, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self._task: Task | None = None
        self._current: dict[str, Progress] = {}
        self.round_box = QComboBox()
        self.round_box.currentTextChanged.connect(lambda _text: self._fill())
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.save_button = QPushButton("保存进展")
        self.save_button.clicked.connect(self._save)
        top = QHBoxLayout()
        top.addWidget(QLabel("报送轮次："))
        top.addWidget(self.round_box, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table)
        layout.addWidget(self.save_button)
        self._doc: LedgerDocument | None = None
        self.setEnabled(False)

    def set_document(self, doc: LedgerDocument) -> None:
        self._doc = doc
        current = self.round_box.currentText()
        self.round_box.blockSignals(True)
        self.round_box.clear()
        self.round_box.addItems([r.name for r in doc.rounds])
        if current:
            self.round_box.setCurrentText(current)
        self.round_box.blockSignals(False)

    def show_task(self, task: Task | None) -> None:
        self._task = task
        self.setEnabled(task is not None and self.round_box.count() > 0)
        self._fill()

    def _fill(self) -> None:
        self.table.setRowCount(0)
        task, doc, round_name = self._task, self._doc, self.round_box.currentText()
        if task is None or doc is None:
            return
        self._current = {p.unit: p for p in doc.progress if p.task_id == task.id and p.round == round_name}
        units = [(u, "牵头") for u in task.lead_units] + [(u, "配合") for u in task.coop_units]
        self.table.setRowCount(len(units))
        for row, (unit, role) in enumerate(units):
            entry = self._current.get(unit)
            self.table.setItem(row, 0, QTableWidgetItem(unit))
            self.table.setItem(row, 1, QTableWidgetItem(role))
            combo = QComboBox()
            combo.addItems(["", *STATUSES])
            combo.setCurrentText(entry.status if entry else "")
            self.table.setCellWidget(row, 2, combo)
            self.table.setItem(row, 3, QTableWidgetItem(entry.text if entry else ""))

    def edited_entries(self) -> list[Progress]:
        task, round_name = self._task, self.round_box.currentText()
        if task is None or not round_name:
            return []
        entries = []
        for row in range(self.table.rowCount()):
            unit = self.table.item(row, 0).text()
            status = self.table.cellWidget(row, 2).currentText()
            text = self.table.item(row, 3).text().strip() if self.table.item(row, 3) else ""
            old = self._current.get(unit)
            before = (old.status, old.text) if old else ("", "")
            if before != (status, text):
                entries.append(Progress(task.id, unit, round_name, status=status, text=text, source="typed"))
        return entries

    def _save(self) -> None:
        entries = self.edited_entries()
        if entries:
            self.progress_requested.emit(entries)

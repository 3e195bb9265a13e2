"""The form under the progress grid: one entry's 进展落实情况, 完成日期, 佐证材料 and where it came from.

The date may be empty (most entries have none): a QDateEdit whose lowest date is shown as
"（未填）", with a button to clear it. Where the entry came from is said in the clerk's words:
"本窗口填写 2026-11-30 14:02", "来自 水利局_第二轮.xlsx，2026-11-30，填报人 张三".
"""

from __future__ import annotations

from datetime import date
from pathlib import PureWindowsPath

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QWidget,
)

from app.core.records import Progress

NO_DATE = QDate(2000, 1, 1)  # the "empty" value of the date edit


def origin_text(entry: Progress | None) -> str:
    """Where an entry came from and when, for the line under the form."""
    if entry is None:
        return "尚未填报"
    when = entry.updated_at
    source = entry.source or "typed"
    if source == "typed":
        text = "本窗口填写" + (f" {when:%Y-%m-%d %H:%M}" if when else "")
    else:
        name = PureWindowsPath(source).name  # a path written on Windows or here: its file name
        text = f"来自 {name}" + (f"，{when:%Y-%m-%d}" if when else "")
    if entry.reporter:
        text += f"，填报人 {entry.reporter}"
    return text


class EmptyDateEdit(QWidget):
    """A date edit that can be empty (完成日期 is usually not given)."""

    changed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.edit = QDateEdit()
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("yyyy-MM-dd")
        self.edit.setMinimumDate(NO_DATE)
        self.edit.setSpecialValueText("（未填）")
        self.edit.setDate(NO_DATE)
        self.clear_button = QToolButton()
        self.clear_button.setText("清除")
        self.clear_button.setToolTip("清除完成日期")
        self.clear_button.clicked.connect(lambda: self.set_value(None))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.clear_button)
        self.edit.dateChanged.connect(lambda _d: self.changed.emit())

    def value(self) -> date | None:
        qdate = self.edit.date()
        return None if qdate == NO_DATE else date(qdate.year(), qdate.month(), qdate.day())

    def set_value(self, value: date | None) -> None:
        self.edit.setDate(NO_DATE if value is None else QDate(value.year, value.month, value.day))


class EntryForm(QWidget):
    """The fields of the entry selected in the grid; `changed` when the clerk edits one."""

    changed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText("进展落实情况")
        self.text.setMinimumHeight(72)
        self.done_date = EmptyDateEdit()
        self.evidence = QLineEdit()
        self.evidence.setPlaceholderText("佐证材料（文件名、网址等）")
        self.origin = QLabel()
        self.origin.setWordWrap(True)
        self.origin.setStyleSheet("color: #555;")
        self.history_button = QPushButton("历史…")
        self.history_button.setToolTip("这一条进展的全部修改记录")
        self.return_button = QPushButton("退回修改…")
        self.return_button.setToolTip("把这一条进展退回单位修改（写明理由；单位下一份报送表或数据包中会看到）")
        bottom = QHBoxLayout()
        bottom.addWidget(self.origin, 1)
        bottom.addWidget(self.return_button)
        bottom.addWidget(self.history_button)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.title)
        form.addRow("进展落实情况", self.text)
        form.addRow("完成日期", self.done_date)
        form.addRow("佐证材料", self.evidence)
        form.addRow(bottom)
        self.text.textChanged.connect(self.changed)
        self.done_date.changed.connect(self.changed)
        self.evidence.textChanged.connect(self.changed)

    def load(self, title: str, text: str, done: date | None, evidence: str, origin: str) -> None:
        """Show an entry (no `changed` while loading)."""
        self.blockSignals(True)
        for widget in (self.text, self.done_date.edit, self.evidence):
            widget.blockSignals(True)
        self.title.setText(title)
        if self.text.toPlainText() != text:
            self.text.setPlainText(text)
        self.done_date.set_value(done)
        self.evidence.setText(evidence)
        self.origin.setText(origin)
        for widget in (self.text, self.done_date.edit, self.evidence):
            widget.blockSignals(False)
        self.blockSignals(False)

"""The filter bar over the task tree: 搜索 as you type, 单位, 状态, 轮次, 时限, and "显示 N / M 项".

Typing is debounced (150 ms) so a burst of keys filters once; the drop-downs apply at once. The
bar only says what is chosen (`spec()`); the window filters on precomputed keys.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QSpinBox, QToolButton, QWidget

from app.core.status import STATE_LABELS
from app.ui.models.filter_keys import DUE_LABELS, DUE_SOON, FilterSpec

DEBOUNCE_MS = 150
ALL_UNITS, ALL_STATES, ALL_ROUNDS = "全部单位", "全部状态", "全部轮次"


class FilterBar(QWidget):
    changed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.changed)
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索任务内容、单位、时限…（Ctrl+F）")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(180)
        self.search.textChanged.connect(lambda _text: self._timer.start())
        self.unit = QComboBox()
        self.unit.setMaxVisibleItems(25)
        self.unit.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.unit.setMinimumContentsLength(9)
        self.unit.addItem(ALL_UNITS, "")
        self.state = QComboBox()
        self.state.addItem(ALL_STATES, "")
        for key, label in STATE_LABELS.items():
            self.state.addItem(label, key)
        self.round = QComboBox()
        self.round.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.round.setMinimumContentsLength(8)
        self.round.addItem(ALL_ROUNDS, "")
        self.due = QComboBox()
        self.days = QSpinBox()
        self.days.setRange(1, 365)
        self.days.setValue(15)
        self.days.setSuffix(" 天")
        self.days.setToolTip("“N 天内到期”的天数")
        self._fill_due()
        self.days.valueChanged.connect(self._days_changed)
        for box in (self.unit, self.state, self.round, self.due):
            box.currentIndexChanged.connect(lambda _i: self._apply_now())
        self.clear_button = QToolButton()
        self.clear_button.setText("清除筛选")
        self.clear_button.clicked.connect(self.clear)
        self.count_label = QLabel()
        self.count_label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addWidget(self.search, 3)
        for widget in (self.unit, self.state, self.round, self.due, self.days, self.clear_button):
            layout.addWidget(widget)
        layout.addWidget(self.count_label)

    # ----- what is chosen ----------------------------------------------------------------------
    def spec(self) -> FilterSpec:
        round_data = self.round.currentData() or "1:"  # "1:第一次报送" reported in it, "0:…" not yet
        return FilterSpec(text=self.search.text(), unit=self.unit.currentData() or "",
                          state=self.state.currentData() or "", round=round_data[2:], reported=round_data[0] == "1",
                          due=self.due.currentData() or "", days=self.days.value())

    def flush(self) -> None:
        """Apply typed text now instead of after the debounce (tests, the bench, Enter)."""
        if self._timer.isActive():
            self._timer.stop()
            self.changed.emit()

    def _apply_now(self) -> None:
        self._timer.stop()
        self.changed.emit()

    def clear(self) -> None:
        for box in (self.unit, self.state, self.round, self.due):
            box.blockSignals(True)
            box.setCurrentIndex(0)
            box.blockSignals(False)
        self.search.clear()  # not with signals blocked: the line edit's clear button follows textChanged
        self._apply_now()

    def show_count(self, shown: int, total: int) -> None:
        self.count_label.setText(f"显示 {shown} / {total} 项")

    # ----- choices from the ledger ---------------------------------------------------------------
    def set_units(self, names: list[str]) -> None:
        self._refill(self.unit, ALL_UNITS, "", [(name, name) for name in names])

    def set_rounds(self, names: list[str]) -> None:
        items = [(f"{name}：{label}", f"{flag}:{name}") for name in names
                 for label, flag in (("已报送", 1), ("未报送", 0))]
        self._refill(self.round, ALL_ROUNDS, "", items)

    def _refill(self, box: QComboBox, first: str, first_data: str, items: list[tuple[str, str]]) -> None:
        """New choices, keeping the one chosen when it is still there (no signal unless it is gone)."""
        chosen = box.currentData()
        box.blockSignals(True)
        box.clear()
        box.addItem(first, first_data)
        for label, data in items:
            box.addItem(label, data)
        index = box.findData(chosen) if chosen else 0
        box.setCurrentIndex(max(index, 0))
        box.blockSignals(False)
        if chosen and index < 0:
            self._apply_now()

    def _fill_due(self) -> None:
        chosen = self.due.currentData()
        self.due.blockSignals(True)
        self.due.clear()
        for key, label in DUE_LABELS.items():
            self.due.addItem(label.format(n=self.days.value()), key)
        self.due.setCurrentIndex(max(self.due.findData(chosen), 0) if chosen else 0)
        self.due.blockSignals(False)

    def _days_changed(self, _value: int) -> None:
        self._fill_due()
        if self.due.currentData() == DUE_SOON:
            self._apply_now()

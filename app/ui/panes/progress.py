"""The progress editor: a grid of units × rounds for the selected task, and the entry chosen.

Rows are every unit with a say on the task: its lead and cooperating units, then every unit that
reported on it (members of a group assignment, "配合（各部门（单位））", or a unit no longer
named). The round chosen (报送轮次) is open for editing in place: 状态 (a drop-down) and
进展落实情况; the other rounds are columns of their own showing each entry's status and first
line (a click on one opens that round). Under the grid the selected entry's text (multi-line),
完成日期, 佐证材料, where it came from and its history (历史…, read on demand).

What the clerk typed is never dropped: switching the round first hands the typed rows to
`save_pending` (the window saves them as one undo step); leaving the task is the window's
business (it asks `edited_entries()`). A saved row keeps what it had in the fields not edited.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.records import STATUSES, LedgerDocument, Progress, Task, Unit
from app.core.sheet_scope import ROLE_COOP_LABEL, ROLE_LEAD_LABEL, role_of
from app.core.units import unit_kind
from app.ui.panes.entry_form import EntryForm, origin_text
from app.ui.panes.history import HistoryDialog

HEADERS = ("单位", "职责", "状态", "进展落实情况")
COL_UNIT, COL_ROLE, COL_STATUS, COL_TEXT = range(len(HEADERS))
FIRST_ROUND_COLUMN = len(HEADERS)
UNIT_ROLE = Qt.ItemDataRole.UserRole
DATE_ROLE = Qt.ItemDataRole.UserRole + 1  # the row's 完成日期 as typed (on the 进展 item)
EVIDENCE_ROLE = Qt.ItemDataRole.UserRole + 2  # the row's 佐证材料 as typed
REPORTED_LABEL = "报送单位"  # reported on the task without being named on it
STATUS_COLOURS = {"已完成": "#1e6b2a", "未按期完成": "#b3261e", "进行中": "#1f4e8c", "长期坚持": "#1f4e8c",
                  "未开始": "#8a5a00"}
SUMMARY_CHARS = 10
SUMMARY_WIDTH = 84
History = Callable[[str, str, str], Sequence]


def _first_line(text: str) -> str:
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= SUMMARY_CHARS else line[:SUMMARY_CHARS] + "…"


def unit_rows(task: Task, entries: Iterable[Progress], units: dict[str, Unit]) -> list[tuple[str, str]]:
    """(unit, role label) for the grid: the task's own units, then the others that reported on it."""
    rows: dict[str, str] = {}
    for unit in task.lead_units:
        rows.setdefault(unit, ROLE_LEAD_LABEL)
    for unit in task.coop_units:
        rows.setdefault(unit, ROLE_COOP_LABEL)
    for entry in entries:
        if entry.unit in rows:
            continue
        known = units.get(entry.unit) or Unit(entry.unit, unit_kind(entry.unit))
        rows[entry.unit] = role_of(LedgerDocument(), task, entry.unit, {**units, entry.unit: known}) or REPORTED_LABEL
    return list(rows.items())


class ProgressPane(QWidget):
    """Emits `progress_requested(entries)` with the rows the user changed (保存进展)."""

    progress_requested = Signal(list)
    return_requested = Signal(str, str, str)  # 退回修改: task id, unit, round

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._task: Task | None = None
        self._entries: list[Progress] = []
        self._by_key: dict[tuple[str, str], Progress] = {}  # (unit, round) → entry
        self._current: dict[str, Progress] = {}  # the open round's entries, by unit
        self._round = ""  # the round the table was filled for
        self._rounds: list[str] = []
        self._units: dict[str, Unit] = {}
        self._loading = False
        self.save_pending: Callable[[list[Progress]], bool] | None = None
        self._history: History | None = None
        self.history_dialog: HistoryDialog | None = None
        self.round_box = QComboBox()
        self.round_box.currentTextChanged.connect(self._round_changed)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(COL_UNIT, QHeaderView.ResizeMode.Interactive)  # long unit names wrap
        header.resizeSection(COL_UNIT, 104)
        self.table.setColumnHidden(COL_ROLE, True)  # the role goes under the unit's name
        header.setSectionResizeMode(COL_STATUS, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_TEXT, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        # rows follow the text as the pane is resized: a long 进展 is read whole, not cut off at a fixed height
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)  # text: in the form below
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.currentCellChanged.connect(self._cell_changed)
        self.table.itemChanged.connect(self._item_changed)
        self.table.cellDoubleClicked.connect(self._double_clicked)
        self.form = EntryForm()
        self.form.changed.connect(self._form_changed)
        self.form.history_button.clicked.connect(self.show_history)
        self.form.return_button.clicked.connect(self._request_return)
        self.save_button = QPushButton("保存进展")
        self.save_button.clicked.connect(self._save)
        top = QHBoxLayout()
        top.addWidget(QLabel("报送轮次："))
        top.addWidget(self.round_box, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.form)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)
        self.setEnabled(False)

    @property
    def history(self) -> History | None:
        """(task_id, unit, round) → the entry's EntryChange list, oldest first: the window's
        `ledger.progress_history`; 历史… is enabled once it is given."""
        return self._history

    @history.setter
    def history(self, source: History | None) -> None:
        self._history = source
        self._load_form()

    # ----- what to show -----------------------------------------------------------------------
    def set_rounds(self, names: list[str]) -> None:
        """The ledger's rounds; the one chosen stays chosen (the latest round at first)."""
        current = self.round_box.currentText()
        same = list(names) == self._rounds
        self._rounds = list(names)
        self.round_box.blockSignals(True)
        self.round_box.clear()
        self.round_box.addItems(names)
        if current in names:
            self.round_box.setCurrentText(current)
        elif names:
            self.round_box.setCurrentIndex(len(names) - 1)
        self.round_box.blockSignals(False)
        if not same or self.round_box.currentText() != self._round:
            self._fill()  # else the grid stays as it is, with what the clerk typed in it

    def set_units(self, units: Iterable[Unit]) -> None:
        """The unit directory: which group a reporting unit belongs to (its role label)."""
        self._units = {u.name: u for u in units}

    def show_task(self, task: Task | None, entries: list[Progress] | None = None, *,
                  units: Iterable[Unit] | None = None) -> None:
        if units is not None:
            self.set_units(units)
        self._task = task
        self._entries = list(entries or [])
        self._by_key = {(p.unit, p.round): p for p in self._entries}
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
        """The grid for the task: one row per unit; the chosen round open, the others summed up."""
        self._loading = True
        row_before = max(self.table.currentRow(), 0)
        self.table.setRowCount(0)
        task, round_name = self._task, self.round_box.currentText()
        self._round = round_name
        self._current = {}
        rounds = self._rounds
        self.table.setColumnCount(FIRST_ROUND_COLUMN + len(rounds))
        self.table.setHorizontalHeaderLabels([*HEADERS[:COL_TEXT], "本轮进展" if round_name else HEADERS[COL_TEXT],
                                              *rounds])
        self.table.horizontalHeaderItem(COL_TEXT).setToolTip(f"{round_name}的进展落实情况（在下方编辑）")
        header = self.table.horizontalHeader()
        for offset, name in enumerate(rounds):
            column = FIRST_ROUND_COLUMN + offset
            self.table.setColumnHidden(column, name == round_name)
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, SUMMARY_WIDTH)
            self.table.horizontalHeaderItem(column).setToolTip(f"{name}（单击单元格改填这一轮）")
        if task is None:
            self._loading = False
            self._load_form()
            return
        self._current = {unit: p for (unit, rnd), p in self._by_key.items() if rnd == round_name}
        units = unit_rows(task, self._entries, self._units)
        self.table.setRowCount(len(units))
        for row, (unit, role) in enumerate(units):
            entry = self._current.get(unit)
            label = f"{unit}\n{role}" if "（" in role else f"{unit}\n（{role}）"  # 配合（各部门（单位））: no more brackets
            for column, text in ((COL_UNIT, label), (COL_ROLE, role)):
                item = QTableWidgetItem(text)
                item.setData(UNIT_ROLE, unit)
                item.setToolTip(f"{unit}（{role}）")
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(row, column, item)
            combo = QComboBox()
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(4)  # 未按期完成 shows whole when the pane is wide, elides when narrow
            combo.addItems(["", *STATUSES])
            if entry and entry.status and entry.status not in STATUSES:
                combo.addItem(entry.status)  # an off-list status as reported stays visible and kept
            combo.setCurrentText(entry.status if entry else "")
            combo.currentTextChanged.connect(lambda _t, r=row: self._status_changed(r))
            holder = QWidget()  # the drop-down at the top of a tall row, not stretched over it
            box = QVBoxLayout(holder)
            box.setContentsMargins(2, 2, 2, 2)
            box.addWidget(combo)
            box.addStretch(1)
            self.table.setCellWidget(row, COL_STATUS, holder)
            text_item = QTableWidgetItem(entry.text if entry else "")
            text_item.setToolTip(entry.text if entry else "")
            text_item.setData(DATE_ROLE, entry.done_date if entry else None)
            text_item.setData(EVIDENCE_ROLE, entry.evidence if entry else "")
            self.table.setItem(row, COL_TEXT, text_item)
            for offset, name in enumerate(rounds):
                self.table.setItem(row, FIRST_ROUND_COLUMN + offset, self._summary_item(self._by_key.get((unit, name))))
        self._loading = False
        if units:
            self.table.setCurrentCell(min(row_before, len(units) - 1), COL_TEXT)
        self._load_form()

    @staticmethod
    def _summary_item(entry: Progress | None) -> QTableWidgetItem:
        if entry is None or not (entry.status or entry.text.strip()):
            item = QTableWidgetItem("—")
            item.setToolTip("未报送")
        else:
            item = QTableWidgetItem(f"{entry.status or '（无状态）'}\n{_first_line(entry.text)}".rstrip())
            item.setToolTip(f"{entry.status}\n{entry.text}\n{origin_text(entry)}".strip())
            colour = STATUS_COLOURS.get(entry.status)
            if colour:
                item.setForeground(QBrush(QColor(colour)))
        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
        return item

    # ----- the row chosen and its form --------------------------------------------------------
    def status_box(self, row: int) -> QComboBox | None:
        """The status drop-down of a row."""
        holder = self.table.cellWidget(row, COL_STATUS)
        return holder.findChild(QComboBox) if holder is not None else None

    def unit_at(self, row: int) -> str | None:
        item = self.table.item(row, COL_UNIT)
        return item.data(UNIT_ROLE) if item is not None else None

    def row_of(self, unit: str) -> int:
        return next((r for r in range(self.table.rowCount()) if self.unit_at(r) == unit), -1)

    def select(self, unit: str, round_name: str | None = None) -> None:
        """Open an entry: its round (saving typed rows first, as a switch does) and its row."""
        if round_name and round_name != self.round_box.currentText():
            self.round_box.setCurrentText(round_name)
        row = self.row_of(unit)
        if row >= 0:
            self.table.setCurrentCell(row, COL_TEXT)

    def _cell_changed(self, row: int, column: int, _old_row: int, _old_column: int) -> None:
        if self._loading:
            return
        if column >= FIRST_ROUND_COLUMN and row >= 0:
            name = self._rounds[column - FIRST_ROUND_COLUMN]
            unit = self.unit_at(row)
            self.round_box.setCurrentText(name)  # the grid is filled anew for that round
            if unit is not None:
                self.select(unit)
            return
        self._load_form()

    def _double_clicked(self, row: int, column: int) -> None:
        if column == COL_TEXT and row >= 0:
            self.form.text.setFocus()

    def _load_form(self) -> None:
        row = self.table.currentRow()
        unit = self.unit_at(row) if row >= 0 else None
        enabled = unit is not None
        self.form.setEnabled(enabled)
        if not enabled:
            self.form.load("", "", None, "", "")
            return
        item = self.table.item(row, COL_TEXT)
        entry = self._current.get(unit)
        origin = origin_text(entry)
        if self._row_edited(row):
            origin += "（有未保存的修改）"
        self.form.load(f"{unit} · {self._round}", item.text(), item.data(DATE_ROLE), item.data(EVIDENCE_ROLE) or "",
                       origin)
        self.form.history_button.setEnabled(self._history is not None and entry is not None)
        self.form.return_button.setEnabled(entry is not None and not self._row_edited(row))

    def _form_changed(self) -> None:
        """The form writes into the row it shows (the row is what is saved)."""
        row = self.table.currentRow()
        item = self.table.item(row, COL_TEXT) if row >= 0 else None
        if item is None:
            return
        self._loading = True
        item.setText(self.form.text.toPlainText())
        item.setToolTip(item.text())
        item.setData(DATE_ROLE, self.form.done_date.value())
        item.setData(EVIDENCE_ROLE, self.form.evidence.text())
        self._loading = False
        self._mark_origin(row)

    def _item_changed(self, item: QTableWidgetItem) -> None:
        """Text put into the row directly (not through the form): the form follows."""
        if self._loading or item.column() != COL_TEXT:
            return
        if item.row() == self.table.currentRow():
            self._load_form()

    def _status_changed(self, row: int) -> None:
        if not self._loading and row == self.table.currentRow():
            self._mark_origin(row)

    def _mark_origin(self, row: int) -> None:
        unit = self.unit_at(row)
        if unit is None:
            return
        origin = origin_text(self._current.get(unit))
        self.form.origin.setText(origin + ("（有未保存的修改）" if self._row_edited(row) else ""))

    # ----- what was typed -----------------------------------------------------------------------
    def _row_values(self, row: int) -> tuple[str, str, date | None, str]:
        combo = self.status_box(row)
        item = self.table.item(row, COL_TEXT)
        status = combo.currentText() if combo is not None else ""
        text = item.text().strip() if item is not None else ""
        done = item.data(DATE_ROLE) if item is not None else None
        evidence = (item.data(EVIDENCE_ROLE) or "").strip() if item is not None else ""
        return status, text, done, evidence

    def _row_edited(self, row: int) -> bool:
        old = self._current.get(self.unit_at(row) or "")
        before = (old.status, old.text.strip(), old.done_date, old.evidence.strip()) if old else ("", "", None, "")
        return self._row_values(row) != before

    def edited_entries(self) -> list[Progress]:
        """The rows whose status, text, date or evidence differ from what the ledger has for the round shown."""
        task, round_name = self._task, self._round
        if task is None or not round_name:
            return []
        entries = []
        for row in range(self.table.rowCount()):
            if not self._row_edited(row):
                continue
            unit = self.unit_at(row)
            status, text, done, evidence = self._row_values(row)
            old = self._current.get(unit)
            if old is not None:
                entries.append(replace(old, status=status, text=text, done_date=done, evidence=evidence,
                                       source="typed", updated_at=None))
            else:
                entries.append(Progress(task.id, unit, round_name, status=status, text=text, done_date=done,
                                        evidence=evidence, source="typed"))
        return entries

    def _save(self) -> None:
        entries = self.edited_entries()
        if entries:
            self.progress_requested.emit(entries)

    # ----- history --------------------------------------------------------------------------------
    def _request_return(self) -> None:
        """退回修改 of the current unit's entry in the open round (a saved entry; the window asks the reason)."""
        row = self.table.currentRow()
        unit = self.unit_at(row) if row >= 0 else None
        if self._task is not None and unit is not None and unit in self._current:
            self.return_requested.emit(self._task.id, unit, self._round)

    def show_history(self) -> None:
        """历史…: the selected entry's changes, read from the ledger now."""
        row = self.table.currentRow()
        unit = self.unit_at(row) if row >= 0 else None
        if self._task is None or unit is None or self._history is None:
            return
        changes = self._history(self._task.id, unit, self._round)
        self.history_dialog = HistoryDialog(f"{unit} · {self._round}", list(changes), self)
        self.history_dialog.show()

    def current_index(self) -> QModelIndex:
        return self.table.currentIndex()

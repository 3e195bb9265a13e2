"""The unit directory dialog (单位名录): edit names, kinds, liaisons and phones in place; add units;
merge one unit into another; split an alias off as a unit of its own; remove an alias.

Every change is one undo step on the window's stack (window.run_command with a facade
operation), so Ctrl+Z in the window — or 撤销 here — takes it back; the table re-reads the
directory after every step, undo and redo included (the undo stack's indexChanged).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QStyledItemDelegate,
    QVBoxLayout,
)

from app.core.units import unit_kind
from app.ui.dialogs import show_error
from app.ui.ledger_dialog import LedgerDialog
from app.ui.models.unit_rows import (
    COL_ALIASES,
    COL_KIND,
    COL_LIAISON,
    COL_NAME,
    COL_PHONE,
    COL_TASKS,
    KIND_LABELS,
    UnitRowsModel,
    unit_rows,
)

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

FIELD_LABELS = {"name": "名称", "kind": "类别", "liaison": "联络员", "phone": "电话"}
COLUMN_WIDTHS = {COL_NAME: 220, COL_KIND: 64, COL_LIAISON: 90, COL_PHONE: 130, COL_TASKS: 60}


class KindDelegate(QStyledItemDelegate):
    """类别 is picked from the four kinds, not typed."""

    def createEditor(self, parent, option, index):
        box = QComboBox(parent)
        box.addItems(list(KIND_LABELS.values()))
        return box

    def setEditorData(self, editor, index):
        editor.setCurrentText(index.data(Qt.ItemDataRole.EditRole) or "")

    def setModelData(self, editor, model, index):
        model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)


class UnitDirectoryDialog(LedgerDialog):
    OBJECT_NAME = "unitDirectoryDialog"

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window, "单位名录")
        self.model = UnitRowsModel(self.edit, self)
        self.table = self.make_table(self.model, editable=True, alternating=True)
        self.table.setItemDelegateForColumn(COL_KIND, KindDelegate(self.table))
        for col, width in COLUMN_WIDTHS.items():
            self.table.setColumnWidth(col, width)
        self.table.horizontalHeader().setSectionResizeMode(COL_ALIASES, QHeaderView.ResizeMode.Stretch)

        hint = QLabel("双击单元格修改名称、类别、联络员、电话；改名后原名称保留为别名。每一步都可撤销。")
        hint.setWordWrap(True)
        self.add_button = self.make_button("添加单位…", self.add_unit)
        self.merge_button = self.make_button("合并到…", self.merge_selected,
                                             "把选中的单位并入另一个单位：任务、进展随之移过去，名称成为别名")
        self.split_button = self.make_button("拆分别名…", self.split_alias, "把选中单位的一个别名拆出来，成为独立的单位")
        self.remove_alias_button = self.make_button("删除别名…", self.remove_alias)
        buttons = self.add_buttons(QHBoxLayout(), (self.add_button, self.merge_button, self.split_button,
                                                   self.remove_alias_button))
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.setMinimumSize(700, 360)
        self.resize(860, 520)
        self.reload()

    # ----- reading ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        """The directory as the window has it now (after the step just run or undone)."""
        window = self.window_
        selected = self.selected_unit()
        self.model.set_rows(unit_rows(window.doc) if window.ledger is not None else [])
        if selected is not None:
            self.select(selected)
        self._update_buttons()

    def selected_unit(self) -> str | None:
        row = self.selected_row()
        return self.model.rows[row].unit.name if row is not None else None

    def _update_buttons(self) -> None:
        window, writable = self.window_, self.writable
        unit = self.selected_unit()
        aliases = bool(unit and self.model.rows[self.model.row_of(unit)].unit.aliases)
        self.add_button.setEnabled(writable)
        self.merge_button.setEnabled(writable and unit is not None and len(self.model.rows) > 1)
        self.split_button.setEnabled(writable and aliases)
        self.remove_alias_button.setEnabled(writable and aliases)
        self.undo_button.setEnabled(window.undo_stack.canUndo())

    # ----- steps -----------------------------------------------------------------------------------
    def edit(self, unit: str, field: str, value: str) -> bool:
        """An edit in place: rename through rename_unit (old name kept as alias), the rest update_unit."""
        if field == "name":
            if not value:
                show_error(self, "单位名称不能为空。")
                return False
            return self._run(f"单位改名：{unit} → {value}", lambda ledger: ledger.rename_unit(unit, value))
        return self._run(f"修改{unit}的{FIELD_LABELS[field]}",
                         lambda ledger: ledger.update_unit(unit, **{field: value}))

    def add_unit(self) -> None:
        name, ok = QInputDialog.getText(self, "添加单位", "单位全称：")
        name = name.strip()
        if not ok or not name:
            return
        kind = unit_kind(name)
        kind = kind if kind in KIND_LABELS else "department"
        if self._run(f"添加单位：{name}", lambda ledger: ledger.add_unit(name, kind=kind)):
            self.select(name)

    def merge_selected(self) -> None:
        source = self.selected_unit()
        if source is None:
            return
        others = [r.unit.name for r in self.model.rows if r.unit.name != source]
        target, ok = QInputDialog.getItem(self, "合并单位", f"把“{source}”合并到：", others, 0, False)
        if not ok or not target:
            return
        row = self.model.rows[self.model.row_of(source)]
        question = (f"把“{source}”合并到“{target}”？\n\n"
                    f"“{source}”的 {row.tasks} 项任务（牵头 {row.lead} 项，配合 {row.coop} 项）及其进展将移到“{target}”，"
                    f"“{source}”及其别名成为“{target}”的别名。可以撤销。")
        answer = QMessageBox.question(self, "合并单位", question,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        if self._run(f"合并单位：{source} → {target}", lambda ledger: ledger.merge_units(source, target)):
            self.select(target)

    def _pick_alias(self, title: str) -> str | None:
        unit = self.selected_unit()
        if unit is None:
            return None
        aliases = list(self.model.rows[self.model.row_of(unit)].unit.aliases)
        if not aliases:
            return None
        alias, ok = QInputDialog.getItem(self, title, f"“{unit}”的别名：", aliases, 0, False)
        return alias if ok and alias else None

    def split_alias(self) -> None:
        alias = self._pick_alias("拆分别名")
        if alias is None:
            return
        kind = unit_kind(alias)
        kind = kind if kind in KIND_LABELS else None
        if self._run(f"拆分别名：{alias}", lambda ledger: ledger.split_alias(alias, kind=kind)):
            self.select(alias)

    def remove_alias(self) -> None:
        alias = self._pick_alias("删除别名")
        if alias is not None:
            self._run(f"删除别名：{alias}", lambda ledger: ledger.remove_alias(alias))


def show_units_dialog(window: MainWindow) -> UnitDirectoryDialog | None:
    """Show the window's unit directory (made once, raised after)."""
    return UnitDirectoryDialog.show_for(window)

"""The rounds dialog (报送轮次): add a round, rename one, set or clear its due date.

Each change is one undo step on the window's stack (window.run_command); the list re-reads the
rounds after every step, undo and redo included. Names and dates can also be edited in place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QInputDialog, QLabel, QVBoxLayout

from app.ui.dialogs import show_error
from app.ui.ledger_dialog import LedgerDialog
from app.ui.models.round_rows import COL_DUE, COL_NAME, RoundRowsModel, parse_due

if TYPE_CHECKING:
    from datetime import date

    from app.ui.main_window import MainWindow


class RoundsDialog(LedgerDialog):
    OBJECT_NAME = "roundsDialog"

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window, "报送轮次")
        self.model = RoundRowsModel(self.edit, self)
        self.table = self.make_table(self.model, editable=True)
        self.table.setColumnWidth(COL_NAME, 170)
        self.table.horizontalHeader().setSectionResizeMode(COL_DUE, QHeaderView.ResizeMode.Stretch)

        hint = QLabel("最后一个轮次是“本轮”。双击可改名或修改截止日期；每一步都可撤销。")
        hint.setWordWrap(True)
        self.add_button = self.make_button("添加轮次…", self.add_round)
        self.rename_button = self.make_button("改名…", self.rename_selected)
        self.due_button = self.make_button("截止日期…", self.set_due_selected)
        self.clear_button = self.make_button("清除截止日期", self.clear_due_selected)
        side = self.add_buttons(QVBoxLayout(), (self.add_button, self.rename_button, self.due_button,
                                                self.clear_button))
        body = QHBoxLayout()
        body.addWidget(self.table, 1)
        body.addLayout(side)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addLayout(body, 1)
        self.setMinimumSize(480, 280)  # the date and its weekday stay whole
        self.resize(520, 340)
        self.reload()

    def refresh(self) -> None:
        selected = self.selected_round()
        self.model.set_rows(self.window_.doc.rounds if self.window_.ledger is not None else [])
        if selected is not None:
            self.select(selected)
        self._update_buttons()

    def selected_round(self) -> str | None:
        row = self.selected_row()
        return self.model.rows[row].name if row is not None else None

    def _update_buttons(self) -> None:
        window, writable = self.window_, self.writable
        name = self.selected_round()
        self.add_button.setEnabled(writable)
        for b in (self.rename_button, self.due_button):
            b.setEnabled(writable and name is not None)
        due = name is not None and self.model.rows[self.model.row_of(name)].due is not None
        self.clear_button.setEnabled(writable and due)
        self.undo_button.setEnabled(window.undo_stack.canUndo())

    # ----- steps -----------------------------------------------------------------------------------
    def _due(self, text: str) -> tuple[bool, date | None]:
        try:
            return True, parse_due(text)
        except ValueError as exc:
            show_error(self, str(exc))
            return False, None

    def edit(self, name: str, field: str, text: str) -> bool:
        if field == "name":
            return self.rename(name, text)
        ok, due = self._due(text)
        return ok and self.set_due(name, due)

    def rename(self, old: str, new: str) -> bool:
        new = new.strip()
        if not new:
            show_error(self, "轮次名称不能为空。")
            return False
        if self._run(f"轮次改名：{old} → {new}", lambda ledger: ledger.rename_round(old, new)):
            self.select(new)
            return True
        return False

    def set_due(self, name: str, due: date | None) -> bool:
        text = f"设置“{name}”截止日期：{due.isoformat()}" if due else f"清除“{name}”截止日期"
        return self._run(text, lambda ledger: ledger.set_round_due(name, due))

    def add_round(self) -> None:
        name, ok = QInputDialog.getText(self, "添加轮次", "轮次名称（如“第三次报送”）：")
        name = name.strip()
        if not ok or not name:
            return
        text, ok = QInputDialog.getText(self, "添加轮次", f"“{name}”的报送截止日期（可留空）：")
        if not ok:
            return
        parsed, due = self._due(text)
        if parsed and self._run(f"添加轮次：{name}", lambda ledger: ledger.add_round(name, due=due)):
            self.select(name)

    def rename_selected(self) -> None:
        old = self.selected_round()
        if old is None:
            return
        new, ok = QInputDialog.getText(self, "轮次改名", f"“{old}”改为：", text=old)
        if ok and new.strip() and new.strip() != old:
            self.rename(old, new)

    def set_due_selected(self) -> None:
        name = self.selected_round()
        if name is None:
            return
        current = self.model.rows[self.model.row_of(name)].due
        text, ok = QInputDialog.getText(self, "报送截止日期", f"“{name}”的报送截止日期（如 2023-09-10，留空为不设）：",
                                        text=current.isoformat() if current else "")
        if ok:
            parsed, due = self._due(text)
            if parsed and due != current:
                self.set_due(name, due)

    def clear_due_selected(self) -> None:
        name = self.selected_round()
        if name is not None and self.model.rows[self.model.row_of(name)].due is not None:
            self.set_due(name, None)


def show_rounds_dialog(window: MainWindow) -> RoundsDialog | None:
    """Show the window's rounds dialog (made once, raised after)."""
    return RoundsDialog.show_for(window)

"""The returns dashboard (交回情况): per round, every unit's sheet sent, returned, merged — and who is missing.

A non-modal dialog beside the window (`show_dashboard(window)`, one per window). It reads
dispatch_status with the window's records (no full read of the ledger), and refreshes after
every undo step and every background job (the window's undo stack and job runner say when),
so a merge, an undo of it or a re-issued sheet shows at once. Its two actions run as jobs like
the File menu's: 生成催报通知… (app/notices.py) and 重新生成报送表… for the selected unit
(app/sending.py make_sheets, then window.after_sending()).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QVBoxLayout,
)

from app.dispatch_status import dispatch_status
from app.formats.official_docx import date_cn
from app.ui.dialogs import APP_NAME, show_error, show_info
from app.ui.ledger_dialog import LedgerDialog
from app.ui.models.dashboard_rows import COL_FILES, COL_UNIT, DashboardModel, dashboard_rows, summary

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

NOTICE_FILTER = "Word 文件 (*.docx)"
COLUMN_WIDTHS = (190, 64, 128, 128, 200, 56, 48, 48)


class ReturnsDashboard(LedgerDialog):
    """The dashboard of one window; `refresh()` re-reads the round's status (a few small queries),
    `reload()` the rounds too."""

    OBJECT_NAME = "returnsDashboard"

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window, "交回情况", follow_jobs=True)
        self.round_box = QComboBox()
        self.round_box.setMinimumContentsLength(10)
        self.round_box.currentIndexChanged.connect(lambda _i: self.refresh())
        self.due_label = QLabel()
        self.summary_label = QLabel()
        self.summary_label.setStyleSheet("font-weight: bold;")
        top = QHBoxLayout()
        top.addWidget(QLabel("报送轮次："))
        top.addWidget(self.round_box)
        top.addSpacing(12)
        top.addWidget(self.due_label)
        top.addStretch(1)
        top.addWidget(self.summary_label)

        self.model = DashboardModel(self)
        self.table = self.make_table(self.model, alternating=True, word_wrap=False)
        for col, width in enumerate(COLUMN_WIDTHS):
            self.table.setColumnWidth(col, width)
        self.table.horizontalHeader().setSectionResizeMode(COL_FILES, QHeaderView.ResizeMode.Stretch)

        self.notice_button = self.make_button("生成催报通知…", self.write_notice,
                                              "给尚未交回报送表的单位写催报通知（Word）：单位、联络员、电话、未完成任务")
        self.per_unit_box = QCheckBox("每个单位一份")
        self.reissue_button = self.make_button("重新生成报送表…", self.reissue_sheet, "为选中的单位重新生成本轮的报送表")
        bottom = QHBoxLayout()
        bottom.addWidget(self.notice_button)
        bottom.addWidget(self.per_unit_box)
        bottom.addSpacing(12)
        bottom.addWidget(self.reissue_button)
        bottom.addStretch(1)
        bottom.addWidget(self.make_close_button())

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self.setMinimumSize(760, 360)
        self.resize(1000, 560)
        self.reload()

    # ----- reading ---------------------------------------------------------------------------------
    @property
    def round_name(self) -> str | None:
        return self.round_box.currentText() or None

    def fill_rounds(self) -> None:
        """The ledger's rounds, the chosen one kept (the last one, 本轮, when it is new or gone)."""
        names = [r.name for r in self.window_.doc.rounds] if self.window_.ledger is not None else []
        keep = self.round_name
        self.round_box.blockSignals(True)
        self.round_box.clear()
        self.round_box.addItems(names)
        if names:
            self.round_box.setCurrentIndex(names.index(keep) if keep in names else len(names) - 1)
        self.round_box.blockSignals(False)
        self.refresh()

    def reload(self) -> None:
        self.fill_rounds()

    def refresh(self) -> None:
        """Re-read the chosen round's status (dispatches, reviews, batches: no task is read)."""
        window, name = self.window_, self.round_name
        if window.ledger is None or name is None:
            self.model.set_rows([])
            self.due_label.setText("")
            self.summary_label.setText("台账中还没有报送轮次" if window.ledger is not None else "")
            self._update_buttons()
            return
        due = next((r.due for r in window.doc.rounds if r.name == name), None)
        rows = dashboard_rows(dispatch_status(window.ledger, name, doc=window.doc), due)
        selected = self.selected_unit()
        self.model.set_rows(rows)
        self.due_label.setText(f"报送截止：{date_cn(due)}" if due else "未设报送截止日期")
        self.summary_label.setText(summary(rows))
        if selected is not None:
            for i, row in enumerate(rows):
                if row.unit == selected:
                    self.table.selectRow(i)
        self._update_buttons()

    def selected_unit(self) -> str | None:
        index = self.table.selectionModel().currentIndex() if self.table.selectionModel() else QModelIndex()
        if not index.isValid() or not self.table.selectionModel().isRowSelected(index.row(), QModelIndex()):
            return None
        return self.model.index(index.row(), COL_UNIT).data()

    def _update_buttons(self) -> None:
        ready = self.window_.ledger is not None and self.round_name is not None
        self.notice_button.setEnabled(ready and any(r.missing for r in self.model.rows))
        self.reissue_button.setEnabled(ready and self.writable and self.selected_unit() is not None)

    # ----- actions ---------------------------------------------------------------------------------
    def _can_start(self) -> bool:
        window = self.window_
        if window.jobs.busy:
            show_error(self, "另一项后台任务正在进行，请等它完成。")
            return False
        return window.commit_pending()

    def write_notice(self) -> None:
        name = self.round_name
        if name is None or not self._can_start():
            return
        if self.per_unit_box.isChecked():
            target = QFileDialog.getExistingDirectory(self, "催报通知保存到（每个单位一份）")
        else:
            target, _ = QFileDialog.getSaveFileName(self, "保存催报通知", f"催报通知_{name}.docx", NOTICE_FILTER)
            if target and not target.lower().endswith(".docx"):
                target += ".docx"
        if target:
            self.start_notice(Path(target), per_unit=self.per_unit_box.isChecked())

    def start_notice(self, target: Path, *, per_unit: bool = False) -> None:
        """Gather and write in the background; the result is one message naming the file(s)."""
        ledger, name = self.window_.ledger, self.round_name

        def work(_context) -> list[Path]:
            from app.notices import remind_notice, write_notices

            return write_notices(remind_notice(ledger, name), target, per_unit=per_unit)

        def done(paths: list[Path]) -> None:
            where = target if per_unit else paths[0]
            show_info(self, APP_NAME, f"已生成 {len(paths)} 份催报通知：\n{where}")

        self._start("正在生成催报通知…", work, done)

    def reissue_sheet(self) -> None:
        unit, name = self.selected_unit(), self.round_name
        if unit is None or name is None or not self._can_start():
            return
        folder = QFileDialog.getExistingDirectory(self, f"“{unit}”的报送表保存到")
        if folder:
            self.start_reissue(unit, Path(folder))

    def start_reissue(self, unit: str, folder: Path) -> None:
        """One sheet for one unit and the chosen round; recorded as a new dispatch (the window refreshes)."""
        window, ledger, name = self.window_, self.window_.ledger, self.round_name

        def work(context) -> list[Path]:
            from app.sending import make_sheets

            return make_sheets(ledger, folder, round_name=name, units=[unit], progress=context.report)

        def done(paths: list[Path]) -> None:
            window.after_sending()
            self.refresh()
            show_info(self, APP_NAME, f"已重新生成“{unit}”的报送表：\n{paths[0] if paths else folder}")

        self._start(f"正在生成“{unit}”的报送表…", work, done, cancellable=True)

    def _start(self, title: str, work, on_done, *, cancellable: bool = False) -> None:
        started = self.window_.jobs.start(title, work, on_done, lambda message: show_error(self, message),
                                          cancellable=cancellable)
        if started is None:
            show_error(self, "另一项后台任务正在进行，请等它完成。")


def show_dashboard(window: MainWindow) -> ReturnsDashboard | None:
    """Show the window's dashboard (made once, raised after), on the current round."""
    return ReturnsDashboard.show_for(window)

"""冲突与待审核: the open conflicts and review items the clerk works through, as a dock of the window.

One list: the conflicts merges left (the ledger and a unit both changed an entry), then the
review items (a status outside the list, rows of a file whose signature, unit or title is in
doubt, import doubts of a plan). 跳转 (or a double-click) selects the task in the window; the
buttons settle the current item, each one undoable step through `window.run_command`: a
conflict by 采用报送值 / 保留台账值 / 编辑…, a review item by 采用 / 不采用 (an import doubt by
已核对 / 忽略). After a step the next item is current, so the clerk goes down the list.

Refreshing: the panel follows the window's undo stack (`indexChanged` fires after every step,
undo, redo and merge) and its title (another ledger opened) and re-reads only the open items — a few
dozen rows, never the ledger. While a job has the ledger, or while the panel is hidden, it waits
and refreshes when the job ends or it is shown. `refresh()` may also be called directly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core import dispatch
from app.core.merge import Values
from app.merge_report import CHOICE_LABELS, OURS, THEIRS
from app.ui import review_reason
from app.ui.ledger_dialog import row_table
from app.ui.merge_preview import EditValuesDialog
from app.ui.models.merge_rows import (
    CONFLICT_KIND,
    R_FILE,
    R_KIND,
    R_MESSAGE,
    R_ROUND,
    R_SEQ,
    R_TASK,
    R_UNIT,
    OpenItem,
    OpenItemsModel,
    values_line,
)

if TYPE_CHECKING:
    from app.ledger import Ledger
    from app.ui.main_window import MainWindow

REVIEW_DOUBT = dispatch.REVIEW_DOUBT  # import doubts (the plan reader's)
REVIEW_REWORK = dispatch.REVIEW_REWORK  # an entry the office returned; open until the unit fixes it
REVIEW_EXTENSION = dispatch.REVIEW_EXTENSION  # a unit's 延期 request
RETURNABLE = (dispatch.REVIEW_HELD, dispatch.REVIEW_STATUS)  # 退回修改… asks the unit to fix the row
# per kind: the accept and reject buttons' texts and tooltips
BUTTONS = {
    REVIEW_DOUBT: ("已核对", "确认导入无误（不改动台账内容）", "忽略", "不再提示此项"),
    REVIEW_EXTENSION: ("批准延期", "同意：该单位此项任务的完成时限改为申请的日期（原定时限保留，导出时注明）",
                       "不同意…", "写明理由；单位下一份报送表中会看到“延期申请未同意”"),
    REVIEW_REWORK: ("按现有采用", "不再等待单位修改，按台账现有内容采用", "撤回退回", "撤回这次退回修改"),
}
DEFAULT_BUTTONS = ("采用", "采用报送的内容", "不采用", "不采用：报送的这一行不写入台账")
KIND_LABELS = {CONFLICT_KIND: "合并冲突", REVIEW_DOUBT: "导入存疑", **dispatch.REVIEW_KIND_LABELS}
COLUMN_WIDTHS = {R_KIND: 110, R_SEQ: 44, R_TASK: 190, R_UNIT: 96, R_ROUND: 86, R_FILE: 160}


def open_items(ledger: Ledger) -> list[OpenItem]:
    """The open conflicts (oldest first), then the open review items, as the list shows them."""
    sources = {b.id: b.source for b in ledger.batches()}
    items = [
        OpenItem(kind=CONFLICT_KIND, label=KIND_LABELS[CONFLICT_KIND], id=c.id, task_id=c.task_id, unit=c.unit,
                 round=c.round, file=sources.get(c.batch_id, ""),
                 message=f"台账现有：{values_line(Values.of(c.ours))}　报送值：{values_line(Values.of(c.theirs))}",
                 ours=Values.of(c.ours), theirs=Values.of(c.theirs))
        for c in ledger.conflicts()
    ]
    items += [
        OpenItem(kind=r.kind, label=KIND_LABELS.get(r.kind, r.kind), id=r.id, task_id=r.task_id, unit=r.unit,
                 round=r.round, file=r.file, message=r.message, theirs=r.entry)
        for r in ledger.reviews()
    ]
    return items


class ReviewPanel(QDockWidget):
    """The list and its buttons; `refresh()` re-reads the open items."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__("冲突与待审核", window)
        self.setObjectName("reviewPanel")
        self.window_ = window
        self._stale = True
        self._scheduled = False
        self.model = OpenItemsModel(self)
        self._build()
        # bound methods, not lambdas: Qt drops the connections when the panel is deleted
        window.undo_stack.indexChanged.connect(self._on_step)
        window.jobs.busy_changed.connect(self._on_busy)
        # another ledger opened with an empty undo stack (clear() then emits nothing): the title changes
        window.windowTitleChanged.connect(self._on_title)

    def _build(self) -> None:
        self.table = row_table(self.model, row_height=24, word_wrap=False)
        header = self.table.horizontalHeader()
        for column, width in COLUMN_WIDTHS.items():
            header.resizeSection(column, width)
        header.setSectionResizeMode(R_MESSAGE, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _index: self.go_to_current())
        self.table.selectionModel().currentChanged.connect(lambda *_: self._update_buttons())
        self.count_label = QLabel()
        self.go_button = QPushButton("跳转")
        self.theirs_button = QPushButton(CHOICE_LABELS[THEIRS])
        self.ours_button = QPushButton(CHOICE_LABELS[OURS])
        self.edit_button = QPushButton("编辑…")
        self.accept_button = QPushButton("采用")
        self.reject_button = QPushButton("不采用")
        self.return_button = QPushButton("退回修改…")
        self.return_button.setToolTip("不采用这一行，并请单位修改后重报（写明理由，单位下一份报送表中会看到）")
        self.return_button.clicked.connect(self.return_current)
        self.go_button.setToolTip("在台账中选中这项任务（双击也可）")
        self.go_button.clicked.connect(self.go_to_current)
        self.theirs_button.clicked.connect(lambda: self.resolve_current(THEIRS))
        self.ours_button.clicked.connect(lambda: self.resolve_current(OURS))
        self.edit_button.clicked.connect(self.edit_current)
        self.accept_button.clicked.connect(self.accept_current)
        self.reject_button.clicked.connect(self.reject_current)
        buttons = QHBoxLayout()
        buttons.addWidget(self.count_label)
        buttons.addStretch(1)
        for button in (self.go_button, self.theirs_button, self.ours_button, self.edit_button, self.accept_button,
                       self.reject_button, self.return_button):
            buttons.addWidget(button)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.setWidget(body)
        self._update_buttons()

    # ----- refreshing -------------------------------------------------------------------------
    def _on_step(self, _index: int) -> None:
        self.schedule_refresh()

    def _on_title(self, _title: str) -> None:
        self.schedule_refresh()

    def _on_busy(self, busy: bool) -> None:
        if not busy:
            self.schedule_refresh()

    def schedule_refresh(self) -> None:
        """Refresh once, after the step that asked for it has finished (several signals, one read)."""
        self._stale = True
        if not self._scheduled:
            self._scheduled = True
            QTimer.singleShot(0, self, self._scheduled_refresh)  # dropped if the panel is gone by then

    def _scheduled_refresh(self) -> None:
        self._scheduled = False
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        """Re-read the open conflicts and review items (later, when hidden or while a job has the ledger)."""
        window = self.window_
        if not self.isVisible() or window.jobs.busy:
            self._stale = True
            return
        self._stale = False
        current = self.current_item()
        row = self.table.currentIndex().row()
        items = open_items(window.ledger) if window.ledger is not None else []
        self.model.set_items(items, window.view.tasks)
        conflicts = sum(1 for i in items if i.kind == CONFLICT_KIND)
        self.count_label.setText(f"待处理冲突 {conflicts} 条，待审核 {len(items) - conflicts} 条" if items
                                 else "没有待处理的冲突或待审核事项")
        keep = self.model.row_of(current.kind, current.id) if current is not None else -1
        target = keep if keep >= 0 else min(max(row, 0), len(items) - 1)  # the next item after a settled one
        if target >= 0:
            self.table.selectionModel().setCurrentIndex(
                self.model.index(target, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self._update_buttons()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self.schedule_refresh()

    # ----- the current item --------------------------------------------------------------------
    def current_item(self) -> OpenItem | None:
        index = self.table.currentIndex()
        return self.model.item(index.row()) if index.isValid() and index.row() < self.model.rowCount() else None

    def select_row(self, row: int) -> None:
        self.table.selectionModel().setCurrentIndex(
            self.model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)

    def _update_buttons(self) -> None:
        item = self.current_item()
        conflict = item is not None and item.kind == CONFLICT_KIND
        review = item is not None and not conflict
        self.go_button.setEnabled(item is not None and bool(item.task_id))
        for button in (self.theirs_button, self.ours_button, self.edit_button):
            button.setVisible(not review)
            button.setEnabled(conflict)
        self.accept_button.setVisible(not conflict)
        self.reject_button.setVisible(not conflict)
        self.accept_button.setEnabled(review)
        self.reject_button.setEnabled(review)
        accept_text, accept_tip, reject_text, reject_tip = BUTTONS.get(item.kind, DEFAULT_BUTTONS) if review \
            else DEFAULT_BUTTONS
        self.accept_button.setText(accept_text)
        self.accept_button.setToolTip(accept_tip)
        self.reject_button.setText(reject_text)
        self.reject_button.setToolTip(reject_tip)
        returnable = review and item.kind in RETURNABLE and bool(item.task_id)
        self.return_button.setVisible(returnable)
        self.return_button.setEnabled(returnable)

    def go_to_current(self) -> None:
        item = self.current_item()
        if item is None or not item.task_id:
            return
        self.window_.select_task(item.task_id)
        if self.window_.current_task_id() != item.task_id:
            self.window_.statusBar().showMessage("该任务被当前筛选隐藏，请先清除筛选", 8000)

    # ----- settling (one undoable step each) -----------------------------------------------------
    def _run(self, text: str, operation) -> bool:
        done = self.window_.run_command(text, operation)
        self.schedule_refresh()
        return done

    def resolve_current(self, choice: str) -> bool:
        item = self.current_item()
        if item is None or item.kind != CONFLICT_KIND:
            return False
        conflict_id = item.id
        return self._run(f"处理冲突（{CHOICE_LABELS[choice]}）",
                         lambda ledger: ledger.resolve_conflict(conflict_id, choice=choice))

    def edit_current(self) -> bool:
        item = self.current_item()
        if item is None or item.kind != CONFLICT_KIND:
            return False
        dialog = EditValuesDialog(item.theirs or Values(), self, full=False, title="编辑要写入的进展")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        return self.resolve_with(item.id, dialog.values())

    def resolve_with(self, conflict_id: int, values: Values) -> bool:
        """Settle a conflict with the clerk's own 状态 and 进展 (the edit dialog's result)."""
        return self._run("处理冲突（编辑）", lambda ledger: ledger.resolve_conflict(
            conflict_id, choice="edit", status=values.status, text=values.text))

    def accept_current(self) -> bool:
        return self._settle_current(accept=True)

    def reject_current(self) -> bool:
        return self._settle_current(accept=False)

    def _settle_current(self, *, accept: bool) -> bool:
        """采用 / 不采用 the current review item (核对 / 忽略 for an import doubt)."""
        item = self.current_item()
        if item is None or item.kind == CONFLICT_KIND:
            return False
        from app import review

        item_id, doubt = item.id, item.kind == REVIEW_DOUBT
        if item.kind == REVIEW_EXTENSION and not accept:  # declining tells the unit why
            reason = review_reason.ask_reason(self, "不同意延期", f"不同意{item.unit}的延期申请，理由：")
            if reason is None:
                return False
            return self._run("不同意延期", lambda ledger: review.return_item(ledger, item_id, reason=reason))
        if item.kind == REVIEW_EXTENSION:
            return self._run("批准延期", lambda ledger: review.accept(ledger, item_id))
        if accept:
            text, settle = ("核对导入存疑" if doubt else "采用待审核事项"), review.accept
        else:
            text, settle = ("忽略导入存疑" if doubt else "不采用待审核事项"), review.reject
        return self._run(text, lambda ledger: settle(ledger, item_id))

    def return_current(self) -> bool:
        """退回修改 a held row or an odd status: not taken, and the unit asked to fix it (reason asked)."""
        item = self.current_item()
        if item is None or item.kind not in RETURNABLE or not item.task_id:
            return False
        from app import review

        reason = review_reason.ask_reason(self, "退回修改", f"退回{item.unit}修改这一行，理由：")
        if reason is None:
            return False
        item_id = item.id
        return self._run("退回修改", lambda ledger: review.return_item(ledger, item_id, reason=reason))


def show_review_panel(window: MainWindow) -> ReviewPanel:
    """Show (making it the first time) the window's 冲突与待审核 dock, refreshed."""
    panel = window.findChild(ReviewPanel)
    if panel is None:
        panel = ReviewPanel(window)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, panel)
    panel.show()
    panel.raise_()
    panel.refresh()
    return panel

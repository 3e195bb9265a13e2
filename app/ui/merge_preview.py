"""Merge preview: see what returned files would do, row by row, settle the conflicts, then 应用 or 取消.

`preview_and_merge(window, files)` runs a dry run of the merge as a background job (counted file by
file, cancellable: a dry run writes nothing), then opens `MergePreviewDialog`: every row that would
be applied (台账现有 → 将写入), every conflict (with what was sent, the ledger and the unit), every
rejected row or file with its reason and every row kept for review, filterable by kind. A conflict
row takes the clerk's choice: 采用报送值 / 保留台账值 / 编辑…; one left unchosen becomes an open
conflict as in any merge. 应用 runs the real merge in a job with those choices and the file hashes
the preview read: all or nothing in one transaction (a file changed since is refused, nothing
written), then `window.after_merge` makes it one 撤销合并 step on the undo stack. 取消 writes nothing.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabBar,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.core.merge import FIELD_LABELS, Values, parse_done_date
from app.core.records import STATUSES
from app.merge_report import (
    APPLY,
    CONFLICT,
    EDIT,
    ITEM_LABELS,
    OURS,
    REFUSED,
    REVIEW,
    THEIRS,
    UNCHANGED,
    MergeReport,
    Resolution,
    row_items,
)
from app.ui.dialogs import show_error
from app.ui.ledger_dialog import row_table
from app.ui.models.merge_rows import (
    P_FILE,
    P_KIND,
    P_NEW,
    P_NOTE,
    P_OLD,
    P_ROUND,
    P_ROW,
    P_SEQ,
    P_TASK,
    P_UNIT,
    KindFilter,
    MergeRowsModel,
)

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

TABS = ((KindFilter.CHANGING, "有变化"), (APPLY, ITEM_LABELS[APPLY]), (CONFLICT, ITEM_LABELS[CONFLICT]),
        (REFUSED, ITEM_LABELS[REFUSED]), (REVIEW, ITEM_LABELS[REVIEW]), (UNCHANGED, ITEM_LABELS[UNCHANGED]),
        (KindFilter.ALL, "全部"))
# narrow enough that 说明与处理 stays in view at 1024×768 (cut text ends in "…", tooltips have it whole)
COLUMN_WIDTHS = {P_KIND: 52, P_FILE: 130, P_ROW: 36, P_SEQ: 40, P_TASK: 160, P_UNIT: 84, P_ROUND: 80,
                 P_OLD: 150, P_NEW: 150}


# ------------------------------------------------------------------------------ editing a value
class EditValuesDialog(QDialog):
    """The clerk's own value for a conflict; `full`: all four fields (the preview), else 状态 and 进展
    (what `Ledger.resolve_conflict(choice="edit")` takes)."""

    def __init__(self, start: Values, parent: QWidget | None = None, *, full: bool = True,
                 title: str = "编辑要写入的进展") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.status = QComboBox()
        self.status.setEditable(True)
        self.status.addItems(["", *STATUSES])
        self.status.setCurrentText(start.status)
        self.text = QPlainTextEdit(start.text)
        self.text.setMinimumSize(420, 120)
        self.done = QLineEdit(start.done_date)
        self.done.setPlaceholderText("如 2023-09-01，可不填")
        self.evidence = QLineEdit(start.evidence)
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b00020")
        form = QFormLayout()
        form.addRow("状态：", self.status)
        form.addRow("进展落实情况：", self.text)
        if full:
            form.addRow("完成日期：", self.done)
            form.addRow("佐证材料：", self.evidence)
        self._full = full
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def problem_text(self) -> str:
        """Why the values cannot be taken (one Chinese line), or ""."""
        status = self.status.currentText().strip()
        if status and status not in STATUSES:
            return f"状态“{status}”不在可选范围（{'/'.join(STATUSES)}）"
        if self._full and parse_done_date(self.done.text()) is None:
            return f"完成日期“{self.done.text().strip()}”无法识别，请写成 2023-09-01"
        return ""

    def accept(self) -> None:
        problem = self.problem_text()
        if problem:
            self.problem.setText(problem)
            return
        super().accept()

    def values(self) -> Values:
        done = parse_done_date(self.done.text()) or "" if self._full else ""
        return Values.make(self.status.currentText().strip(), self.text.toPlainText(), done,
                           self.evidence.text() if self._full else "")


# ------------------------------------------------------------------------------ the dialog
class MergePreviewDialog(QDialog):
    """The dry run's report, row by row; 应用 merges with the choices made here."""

    def __init__(self, window: MainWindow, report: MergeReport) -> None:
        super().__init__(window)
        self.window_ = window
        self.report = report
        self.applied_report: MergeReport | None = None
        self.setWindowTitle("合并预览 — 尚未写入台账")
        self.setObjectName("mergePreview")
        self.model = MergeRowsModel(self)
        self.model.set_items(row_items(report), window.view.tasks)
        self.proxy = KindFilter(self)
        self.proxy.setSourceModel(self.model)
        self._build()
        self._update_tabs()
        self._update_summary()
        self._on_current(QModelIndex(), QModelIndex())
        self.resize(min(1200, window.width() - 40), min(720, window.height() - 40))

    # ----- building ------------------------------------------------------------------------
    def _build(self) -> None:
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.tabs = QTabBar()
        self.tabs.setExpanding(False)
        for _kind, label in TABS:
            self.tabs.addTab(label)
        self.tabs.currentChanged.connect(self._on_tab)
        self.table = row_table(self.proxy, row_height=24, extended=True, word_wrap=False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.table.horizontalHeader()
        for column, width in COLUMN_WIDTHS.items():
            header.resizeSection(column, width)
        header.setSectionResizeMode(P_NOTE, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(32)
        if len({(i.round) for i in self.model.items() if i.round}) <= 1:
            self.table.setColumnHidden(P_ROUND, True)  # one round (the usual case): the summary names it
        self.table.selectionModel().currentChanged.connect(self._on_current)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.table.doubleClicked.connect(self._on_double_click)
        self.detail = QTextBrowser()
        self.detail.setMinimumHeight(120)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([400, 175])
        self.take_theirs = QPushButton("采用报送值")
        self.keep_ours = QPushButton("保留台账值")
        self.edit_value = QPushButton("编辑…")
        self.clear_choice = QPushButton("不选择")
        self.all_theirs = QPushButton("全部冲突采用报送值")
        self.take_theirs.setToolTip("所选冲突行写入单位报送的内容")
        self.keep_ours.setToolTip("所选冲突行保留台账中现有的内容")
        self.clear_choice.setToolTip("合并后作为待处理冲突保留，稍后在“冲突与待审核”中处理")
        self.take_theirs.clicked.connect(lambda: self._choose_selected(Resolution(THEIRS)))
        self.keep_ours.clicked.connect(lambda: self._choose_selected(Resolution(OURS)))
        self.clear_choice.clicked.connect(lambda: self._choose_selected(None))
        self.edit_value.clicked.connect(self.edit_current)
        self.all_theirs.clicked.connect(self.choose_all_theirs)
        choices = QHBoxLayout()
        choices.addWidget(QLabel("冲突处理："))
        for button in (self.take_theirs, self.keep_ours, self.edit_value, self.clear_choice):
            choices.addWidget(button)
        choices.addStretch(1)
        choices.addWidget(self.all_theirs)
        self.buttons = QDialogButtonBox()
        self.apply_button = self.buttons.addButton("应用", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.apply_button.setDefault(True)
        self.apply_button.clicked.connect(self.apply)
        self.cancel_button.clicked.connect(self.reject)
        self.apply_button.setEnabled(self.report.would_write)
        if not self.report.would_write:
            self.apply_button.setToolTip("这些文件没有可合并的内容")
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs)
        layout.addWidget(split, 1)
        layout.addLayout(choices)
        layout.addWidget(self.buttons)

    # ----- what is shown ---------------------------------------------------------------------
    def summary_text(self) -> str:
        counts = self.model.counts()
        files = len(self.report.files)
        units = sorted({f.unit for f in self.report.files if f.unit})
        rounds = sorted({f.round for f in self.report.files if f.round})
        head = f"{files} 份文件" + (f"（{'、'.join(units[:4])}{'等' if len(units) > 4 else ''}）" if units else "")
        head += f"，{'、'.join(rounds)}" if rounds else ""
        line = (f"{head}：将应用 {counts[APPLY]} 行，冲突 {counts[CONFLICT]} 行"
                f"（已选择处理 {self.model.resolved_count()} 行），退回 {counts[REFUSED]} 项，"
                f"待审核 {counts[REVIEW]} 行，无变化 {counts[UNCHANGED]} 行。")
        if not self.report.would_write:
            return line + "没有可合并的内容。"
        return line + "以上为预览，点“应用”才写入台账；未选择处理的冲突合并后留待处理。"

    def _update_summary(self) -> None:
        self.summary.setText(self.summary_text())

    def _update_tabs(self) -> None:
        counts = self.model.counts()
        changing = sum(n for kind, n in counts.items() if kind != UNCHANGED)
        for n, (kind, label) in enumerate(TABS):
            number = {KindFilter.CHANGING: changing, KindFilter.ALL: sum(counts.values())}.get(kind, counts.get(kind, 0))
            self.tabs.setTabText(n, f"{label}（{number}）")

    def show_kind(self, kind: str) -> None:
        """Filter the table to one kind (APPLY, CONFLICT, …, KindFilter.CHANGING or ALL)."""
        self.tabs.setCurrentIndex([k for k, _label in TABS].index(kind))

    def _on_tab(self, n: int) -> None:
        self.proxy.set_kind(TABS[n][0])
        self._update_buttons()

    def _source_rows(self) -> list[int]:
        rows = {self.proxy.mapToSource(i).row() for i in self.table.selectionModel().selectedRows()}
        current = self.proxy.mapToSource(self.table.currentIndex())
        if not rows and current.isValid():
            rows = {current.row()}
        return sorted(rows)

    def _conflict_rows(self) -> list[int]:
        return [r for r in self._source_rows() if self.model.item(r).kind == CONFLICT]

    def _update_buttons(self) -> None:
        conflicts = self._conflict_rows()
        for button in (self.take_theirs, self.keep_ours, self.clear_choice):
            button.setEnabled(bool(conflicts))
        self.edit_value.setEnabled(len(conflicts) == 1)
        self.all_theirs.setEnabled(self.model.counts()[CONFLICT] > 0)

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        source = self.proxy.mapToSource(current)
        self._update_buttons()
        if not source.isValid():
            self.detail.setPlainText("选择一行查看详细内容。冲突行可选择：采用报送值、保留台账值或编辑…")
            return
        self._show_detail(source.row())

    def _show_detail(self, row: int) -> None:
        """The row's task and its values side by side (发出时 / 台账现有 / 报送), in full."""
        item = self.model.item(row)
        task = self.window_.view.tasks.get(item.task_id) if item.task_id else None
        head = (f"<b>{ITEM_LABELS.get(item.kind, item.kind)}</b>｜{escape(item.file)}"
                + (f" 第{item.row}行" if item.row else "") + (f"｜{escape(item.unit)}，{escape(item.round)}" if item.unit else ""))
        parts = [head]
        if task is not None:
            parts.append(f"序号{escape(task.seq)}：{escape(task.content)}")
        note = self.model.note(row)
        if note:
            parts.append(f"<span style='color:#7a4b00'>{escape(note)}</span>")
        html = "<br>".join(parts)
        if item.row:
            columns = ([("发出时", item.base)] if item.kind == CONFLICT else []) + [
                ("台账现有", item.old), ("单位报送" if item.kind == CONFLICT else "报送 / 将写入", item.new)]
            cells = "".join(f"<th align='left'>{name}</th>" for name, _v in columns)
            body = "".join(
                f"<tr><td><b>{label}</b></td>"
                + "".join(f"<td>{escape(getattr(v, field) if v is not None else '') or '—'}</td>" for _n, v in columns)
                + "</tr>"
                for field, label in FIELD_LABELS.items())
            html += (f"<table cellspacing='0' cellpadding='3' border='1' style='border-color:#ccc'>"
                     f"<tr><th></th>{cells}</tr>{body}</table>")
        self.detail.setHtml(html)

    # ----- choices -------------------------------------------------------------------------
    def choose(self, source_row: int, resolution: Resolution | None) -> None:
        """Set one conflict row's choice (tests and the buttons)."""
        self.model.set_resolution(source_row, resolution)
        self._update_summary()
        current = self.proxy.mapToSource(self.table.currentIndex())
        if current.isValid() and current.row() == source_row:
            self._show_detail(source_row)

    def _choose_selected(self, resolution: Resolution | None) -> None:
        for row in self._conflict_rows():
            self.choose(row, resolution)

    def choose_all_theirs(self) -> None:
        for row, item in enumerate(self.model.items()):
            if item.kind == CONFLICT:
                self.choose(row, Resolution(THEIRS))

    def edit_current(self) -> None:
        rows = self._conflict_rows()
        if len(rows) != 1:
            return
        item = self.model.item(rows[0])
        chosen = self.model.resolution(rows[0])
        start = chosen.values if chosen is not None and chosen.values is not None else item.new or Values()
        dialog = EditValuesDialog(start, self, title=f"编辑要写入的进展（第{item.row}行）")
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.choose(rows[0], Resolution(EDIT, dialog.values()))

    def _on_double_click(self, index: QModelIndex) -> None:
        source = self.proxy.mapToSource(index)
        if source.isValid() and self.model.item(source.row()).kind == CONFLICT:
            self.edit_current()

    def select_source_row(self, row: int) -> None:
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if index.isValid():
            self.table.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)

    # ----- 应用 ------------------------------------------------------------------------------
    def apply(self) -> None:
        """The real merge with the choices made here, in a job; the dialog closes when it is done."""
        window = self.window_
        if window.ledger is None or not self.report.would_write:
            return
        if window.jobs.busy:
            show_error(self, "另一项后台任务正在进行，请等它完成。")
            return
        from app.returns import preview_hashes

        ledger = window.ledger
        paths = [f.path for f in self.report.files if f.path is not None]
        expected = preview_hashes(self.report)
        resolutions = self.model.resolutions()

        def work(context):
            from app.returns import merge_files

            return merge_files(ledger, paths, progress=context.report, resolutions=resolutions, expected=expected)

        self.hide()
        started = window.jobs.start("正在合并报送表…", work, self._merged, self._failed, cancellable=True,
                                    on_cancelled=self._cancelled)
        if started is None:
            self.show()
            show_error(self, "另一项后台任务正在进行，请等它完成。")

    def _merged(self, report: MergeReport) -> None:
        self.applied_report = report
        self.window_.after_merge(report)
        files = sum(1 for f in report.files if f.batch)
        applied = sum(f.applied for f in report.files)
        resolved = sum(f.resolved for f in report.files)
        left = sum(f.conflicts for f in report.files)
        self.window_.statusBar().showMessage(
            f"已合并 {files} 份报送表：写入 {applied} 行，按所选处理冲突 {resolved} 行，待处理冲突 {left} 行"
            "（可撤销合并）", 15000)
        self.accept()

    def _failed(self, message: str) -> None:
        show_error(self.window_, message)  # e.g. a file changed since the preview: nothing was written
        self.reject()

    def _cancelled(self) -> None:
        self.window_.statusBar().showMessage("已取消合并，台账未修改", 8000)
        self.show()


# ------------------------------------------------------------------------------ entry point
def preview_and_merge(window: MainWindow, files: list[Path]) -> None:
    """Dry-run `files` (or folders) in a job, then open the preview; nothing is written until 应用."""
    if window.ledger is None or not files:
        return
    if window.jobs.busy:
        show_error(window, "另一项后台任务正在进行，请等它完成。")
        return
    if not window.commit_pending():
        return
    ledger = window.ledger
    paths = [Path(f) for f in files]

    def work(context):
        from app.returns import merge_files

        return merge_files(ledger, paths, dry_run=True, progress=context.report)

    def done(report: MergeReport) -> None:
        if not report.files:
            show_error(window, "、".join(p.name for p in paths)
                       + "：没有找到可合并的文件（.xlsx .xls .ods .docx .ldpkg）")
            return
        dialog = MergePreviewDialog(window, report)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.show()

    started = window.jobs.start("正在读取报送表（预览）…", work, done, lambda message: show_error(window, message),
                                cancellable=True,
                                on_cancelled=lambda: window.statusBar().showMessage("已取消合并预览", 8000))
    if started is None:
        show_error(window, "另一项后台任务正在进行，请等它完成。")


def open_preview(window: MainWindow) -> MergePreviewDialog | None:
    """The preview dialog on screen, if any (tests, and the drop handler's callers)."""
    for dialog in window.findChildren(MergePreviewDialog):
        if dialog.isVisible():
            return dialog
    return None

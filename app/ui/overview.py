"""完成情况概览: completion by unit (stacked bars, sortable, scrollable for 100 units), the task count
of each state, and the overdue list with a jump to the task; 打印… puts the same on A4 landscape.
Its second tab, 考核, is the unit scores (app/scores.py): the weights above a sortable table of
every unit's total (汇总) or one round's rows, 修改权重… (one undoable step) and 导出… (.xlsx/.docx).

The numbers are those of `ledgerdesk stats` (app/core/overview_stats.py), computed from what the window
already holds (its tasks and progress marks), so opening the overview reads nothing from the ledger
file. The scores are those of `ledgerdesk scores`, from the same tasks and marks plus a few small reads
(dispatches, merges, review items, unit deadlines, the weights), computed only while the 考核 tab is
shown. The dialog is not modal: it follows the window's refreshes (once, shortly after a burst) while
it is shown.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.overview_stats import Overview, compute_overview
from app.core.scores import NOT_SENT, ScoreTable, ScoreWeights
from app.core.status import STATE_LABELS
from app.errors import LedgerError
from app.formats.ledger_layout import format_date_cn, overdue_row
from app.ui import chart, printing
from app.ui.dialogs import show_error, show_info
from app.ui.models.overdue_rows import (
    COL_CONTENT,
    COL_DAYS,
    COL_DEADLINE,
    COL_LEAD,
    COL_SEQ,
    OverdueRowsModel,
    days_text,
)
from app.ui.scores_model import SORT_ROLE, ScoresModel

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

REFRESH_AFTER_MS = 300
UNIT_COLUMNS = ("序号", "牵头单位", "牵头任务", "已完成", "推进中", "长期坚持", "已逾期", "完成率", "完成情况")
UNIT_WIDTHS = (1.2, 5.0, 1.6, 1.6, 1.6, 1.6, 1.6, 1.6, 10.4)
OVERDUE_COLUMNS = ("序号", "主要内容", "责任单位", "完成时限", "逾期天数")
OVERDUE_WIDTHS = (1.5, 13.0, 5.6, 3.2, 2.2)


def window_overview(window: MainWindow) -> Overview:
    """The overview of the window's ledger on its date, from the tasks and progress marks it holds."""
    marks = [mark for entries in window.view.marks.values() for mark in entries]
    doc = replace(window.doc, progress=marks)  # a mark has what task_state reads (status, text or "…")
    return compute_overview(doc, as_of=window.as_of)


def window_scores(window: MainWindow, *, weights: ScoreWeights | None = None) -> ScoreTable:
    """The unit scores of the window's ledger on its date, from its tasks and progress marks."""
    from app.scores import score_table

    marks = [mark for entries in window.view.marks.values() for mark in entries]
    return score_table(window.ledger, as_of=window.as_of, doc=window.doc, progress=marks, weights=weights)


def summary_line(overview: Overview) -> str:
    counts = overview.by_status
    done = counts.get("done", 0)
    share = f"（{done / overview.tasks:.0%}）" if overview.tasks else ""
    parts = [f"截至{format_date_cn(overview.as_of)}：任务 {overview.tasks} 项", f"已完成 {done} 项{share}"]
    parts += [f"{STATE_LABELS[s]} {n} 项" for s, n in counts.items() if n and s != "done"]
    return "，".join(parts)


class OverviewDialog(QDialog):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle("完成情况概览")
        self.overview: Overview | None = None
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.states = chart.StateChart()
        self.sort = QComboBox()
        for key, label in chart.SORTS.items():
            self.sort.addItem(label, key)
        self.sort.currentIndexChanged.connect(lambda _i: self._show_units())
        self.units = chart.UnitChart()
        self.scroll = QScrollArea()
        self.scroll.setWidget(self.units)
        self.scroll.setWidgetResizable(True)
        self.scroll.setMinimumWidth(420)
        self.overdue_model = OverdueRowsModel(self)
        self.overdue = QTableView()
        self.overdue.setModel(self.overdue_model)
        self.overdue.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.overdue.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.overdue.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.overdue.verticalHeader().setVisible(False)
        self.overdue.verticalHeader().setDefaultSectionSize(self.overdue.fontMetrics().height() + 8)
        self.overdue.setWordWrap(False)
        header = self.overdue.horizontalHeader()
        header.setSectionResizeMode(COL_CONTENT, QHeaderView.ResizeMode.Stretch)
        for column, width in ((COL_SEQ, 44), (COL_LEAD, 96), (COL_DEADLINE, 90), (COL_DAYS, 64)):
            self.overdue.setColumnWidth(column, width)
        self.overdue.doubleClicked.connect(self.jump_to)
        self.overdue.activated.connect(self.jump_to)
        self.overdue_label = QLabel()
        units_box = QWidget()
        units_layout = QVBoxLayout(units_box)
        units_layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(QLabel("<b>各单位完成情况</b>（牵头任务）"))
        top.addStretch(1)
        top.addWidget(self.sort)
        units_layout.addLayout(top)
        units_layout.addWidget(self.scroll)
        overdue_box = QWidget()
        overdue_layout = QVBoxLayout(overdue_box)
        overdue_layout.setContentsMargins(0, 0, 0, 0)
        overdue_layout.addWidget(self.overdue_label)
        overdue_layout.addWidget(self.overdue)
        overdue_layout.addWidget(QLabel("双击一行可跳到该任务。"))
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(units_box)
        self.splitter.addWidget(overdue_box)
        self.splitter.setSizes([520, 440])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        self.print_button = QPushButton("打印…")
        self.print_button.clicked.connect(self.print_preview)
        self.refresh_button = QPushButton("刷新")
        self.refresh_button.clicked.connect(self.reload)
        buttons.addButton(self.refresh_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        completion = QWidget()
        completion_layout = QVBoxLayout(completion)
        completion_layout.addWidget(self.summary)
        completion_layout.addWidget(self.states)
        completion_layout.addWidget(self.splitter, 1)
        self.scores = ScoresPane(window)
        self.tabs = QTabWidget()
        self.tabs.addTab(completion, "完成情况")
        self.tabs.addTab(self.scores, "考核")
        self.tabs.currentChanged.connect(self._tab_changed)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self.resize(980, 660)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_AFTER_MS)
        self._timer.timeout.connect(self.reload)
        window.refreshed.connect(self._later)
        window.ledger_opened.connect(self._later)
        self.reload()

    def _later(self, *_args) -> None:
        if self.isVisible():
            self._timer.start()

    def show_scores(self) -> None:
        self.tabs.setCurrentWidget(self.scores)

    def _tab_changed(self, _index: int) -> None:
        on_scores = self.tabs.currentWidget() is self.scores
        self.print_button.setVisible(not on_scores)
        if on_scores and self.scores.stale:
            self.scores.refresh()

    def reload(self) -> None:
        """The numbers again, from the window's current picture of the ledger."""
        self.scores.stale = True
        if self.tabs.currentWidget() is self.scores:
            self.scores.refresh()
        if self.window_.ledger is None:
            self.overview = None
            self.summary.setText("未打开台账")
            self.states.set_counts({})
            self.units.set_rows([])
            self.overdue_model.set_overview(Overview(as_of=self.window_.as_of))
            self.overdue_label.setText("逾期未完成任务")
            self.print_button.setEnabled(False)
            return
        self.overview = window_overview(self.window_)
        self.summary.setText(summary_line(self.overview))
        self.states.set_counts(self.overview.by_status)
        self._show_units()
        self.overdue_model.set_overview(self.overview)
        self.overdue_label.setText(f"<b>逾期未完成任务</b>（{len(self.overview.overdue)} 项，逾期最久的在前）")
        self.print_button.setEnabled(True)

    def unit_rows(self):
        """The units shown, in the chosen order."""
        return chart.sorted_units(self.overview.by_unit if self.overview else [], self.sort.currentData())

    def _show_units(self) -> None:
        self.units.set_rows(self.unit_rows())

    def jump_to(self, index: QModelIndex) -> None:
        """The overdue task, current in the window (the filter is cleared when it hides the task)."""
        task = self.overdue_model.task_at(index)
        if task is None or task.id not in self.window_.view.tasks:
            return
        window = self.window_
        if not window.model.index_of_task(task.id).isValid():
            window.model.expand_to(task.id)
        if not window.model.index_of_task(task.id).isValid():
            window.filters.clear()
        window.select_task(task.id)
        window.raise_()
        window.activateWindow()

    # ----- print ------------------------------------------------------------------------------
    def blocks(self) -> list[printing.Block]:
        """The overview on paper: title, the counts by state, each unit's line with its bar, the overdue list."""
        overview = self.overview
        rows = self.unit_rows()
        scale = max((r.led for r in rows), default=1)
        blocks: list[printing.Block] = [
            printing.Paragraph(f"各单位任务落实情况统计（截至{format_date_cn(overview.as_of)}）", printing.TITLE_PT,
                               bold=True, center=True, head_font=True, space_after_pt=6),
            printing.Paragraph(summary_line(overview), space_after_pt=4),
            printing.Drawing(110, lambda painter, rect: chart.paint_states(painter, rect, overview.by_status)),
            printing.Drawing(14, lambda painter, rect: chart.paint_legend(painter, rect, chart.SEGMENTS), 2),
        ]

        def bar(row):
            return lambda painter, rect: chart.paint_bar(painter, rect, row, scale)

        table_rows = [printing.Row([
            printing.Cell(str(k), center=True), printing.Cell(r.unit),
            *(printing.Cell(str(v), center=True) for v in (r.led, r.done, r.in_progress, r.long_term, r.overdue)),
            printing.Cell(f"{chart.completion(r):.0%}", center=True), printing.Cell(paint=bar(r))])
            for k, r in enumerate(rows, start=1)]
        for row, unit in zip(table_rows, rows):
            if unit.overdue:
                row.cells[6].shade = printing.OVERDUE_SHADE
        blocks.append(printing.Table(UNIT_WIDTHS, [printing.Cell(c, center=True) for c in UNIT_COLUMNS], table_rows))
        if overview.overdue:
            blocks.append(printing.Paragraph(f"逾期未完成任务（{len(overview.overdue)} 项）", bold=True,
                                             head_font=True, space_after_pt=4))
            late = [printing.Row([printing.Cell(seq, center=True), printing.Cell(content), printing.Cell(lead),
                                  printing.Cell(deadline, center=True),
                                  printing.Cell(days_text(overview.overdue_days(t)), center=True)])
                    for t in overview.overdue for seq, content, lead, deadline in [overdue_row(t)]]
            blocks.append(printing.Table(OVERDUE_WIDTHS, [printing.Cell(c, center=True) for c in OVERDUE_COLUMNS],
                                         late))
        return blocks

    def paint(self, device) -> int:
        return printing.paint_blocks(self.blocks(), device)

    def print_preview(self):
        if self.overview is None:
            return None
        return printing.preview(self, "完成情况概览", self.paint)


class ScoresPane(QWidget):
    """The 考核 tab: the weights, the round (or 汇总) shown, the table, 修改权重… and 导出…."""

    SUMMARY = "汇总（全部轮次）"

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.window_ = window
        self.table_data: ScoreTable | None = None
        self.stale = True
        self.weights_label = QLabel()
        self.weights_label.setWordWrap(True)
        self.weights_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.round_box = QComboBox()
        self.round_box.setMinimumContentsLength(12)
        self.round_box.currentIndexChanged.connect(lambda _i: self._show())
        self.model = ScoresModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.view = QTableView()
        self.view.setObjectName("scoresTable")
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # 名次 / 序号: the table's own order
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 8)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)  # 单位 takes the room left
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.edit_button = QPushButton("修改权重…")
        self.edit_button.setToolTip("修改考核权重（记入台账，可撤销）")
        self.edit_button.clicked.connect(self.edit_weights)
        self.export_button = QPushButton("导出…")
        self.export_button.setToolTip("把考核得分表导出为 Excel（.xlsx，每轮一张表加汇总）或 Word（.docx）")
        self.export_button.clicked.connect(self.export)
        top = QHBoxLayout()
        top.addWidget(QLabel("显示："))
        top.addWidget(self.round_box)
        top.addStretch(1)
        top.addWidget(self.edit_button)
        top.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.weights_label)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.note)

    def refresh(self) -> None:
        """Compute the scores again (the window's records plus a few small reads) and show them."""
        self.stale = False
        window = self.window_
        if window.ledger is None:
            self.table_data = None
            self.weights_label.setText("未打开台账")
            self._fill_rounds([])
            self._show()
            self._update_buttons()
            return
        try:
            self.table_data = window_scores(window)
            problem = ""
        except LedgerError as exc:  # a damaged weights setting: the defaults, and say so
            self.table_data = window_scores(window, weights=ScoreWeights())
            problem = f"{exc}；暂按默认权重计算。"
        weights = self.table_data.weights.describe()
        self.weights_label.setText(f"<b>考核权重</b>：{weights}" + (f"<br><font color='#b3261e'>{problem}</font>"
                                                                  if problem else ""))
        self._fill_rounds([r.name for r in self.table_data.rounds])
        self._show()
        self._update_buttons()

    def _fill_rounds(self, names: list[str]) -> None:
        keep = self.round_box.currentData()
        self.round_box.blockSignals(True)
        self.round_box.clear()
        self.round_box.addItem(self.SUMMARY, None)
        for name in names:
            self.round_box.addItem(name, name)
        index = self.round_box.findData(keep) if keep in names else 0
        self.round_box.setCurrentIndex(max(index, 0))
        self.round_box.blockSignals(False)

    def _show(self) -> None:
        name = self.round_box.currentData()
        self.model.show(self.table_data, name)
        table = self.table_data
        if table is None:
            self.note.setText("")
            return
        info = next((r for r in table.rounds if r.name == name), None)
        due = f"报送截止：{format_date_cn(info.due)}。" if info and info.due else ("未设报送截止日期。" if info else "")
        rows = table.rows if info is None else table.rows_of(info.name)
        unsent = sum(r.state == NOT_SENT for r in rows)
        unsent_text = f"其中 {unsent} 个单位（轮次）未发出报送表，不计报送分。" if unsent else ""
        self.note.setText(f"{due}统计截至{format_date_cn(table.as_of)}：报送情况按交回报送表合并入台账的时间计，"
                          "报送截止当日交回为按时；逾期未完成按本单位的完成时限（经批准延期的按延期后时限）计。"
                          f"{unsent_text}点击列标题可排序。")

    def _update_buttons(self) -> None:
        ledger = self.window_.ledger
        self.edit_button.setEnabled(ledger is not None and not ledger.readonly)
        self.export_button.setEnabled(self.table_data is not None and bool(self.table_data.totals))

    def edit_weights(self) -> None:
        from app.ui.scores_dialog import edit_weights

        if edit_weights(self.window_, self):
            self.refresh()

    def export(self) -> None:
        """Write the table to the .xlsx or .docx the clerk names (it is small: no background job)."""
        table = self.table_data
        if table is None:
            return
        path, chosen = QFileDialog.getSaveFileName(self, "导出考核得分表", "考核得分表.xlsx",
                                                   "Excel 文件 (*.xlsx);;Word 文件 (*.docx)")
        if not path:
            return
        out = Path(path)
        if out.suffix.lower() not in (".xlsx", ".docx"):
            out = out.with_suffix(".docx" if "docx" in chosen else ".xlsx")
        try:
            if out.suffix.lower() == ".docx":
                from app.formats.scores_docx import write_scores_docx

                write_scores_docx(table, out, ledger_title=self.window_.doc.title)
            else:
                from app.formats.scores_xlsx import write_scores_xlsx

                write_scores_xlsx(table, out, ledger_title=self.window_.doc.title)
        except LedgerError as exc:
            show_error(self, str(exc))
            return
        show_info(self, "导出考核得分表", f"已导出：{out}")


def show_overview(window: MainWindow) -> OverviewDialog:
    """The window's one overview dialog, shown (and brought up to date)."""
    dialog = getattr(window, "_overview_dialog", None)
    if dialog is None:
        dialog = OverviewDialog(window)
        window._overview_dialog = dialog
    else:
        dialog.reload()
    dialog.show()
    dialog.raise_()
    return dialog

"""完成情况概览: completion by unit (stacked bars, sortable, scrollable for 100 units), the task count
of each state, and the overdue list with a jump to the task; 打印… puts the same on A4 landscape.

The numbers are those of `ledgerdesk stats` (app/core/overview_stats.py), computed from what the window
already holds (its tasks and progress marks), so opening the overview reads nothing from the ledger
file. The dialog is not modal: it follows the window's refreshes (once, shortly after a burst) while
it is shown.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.overview_stats import Overview, compute_overview
from app.core.status import STATE_LABELS
from app.formats.ledger_layout import format_date_cn, overdue_row
from app.ui import chart, printing
from app.ui.models.overdue_rows import (
    COL_CONTENT,
    COL_DAYS,
    COL_DEADLINE,
    COL_LEAD,
    COL_SEQ,
    OverdueRowsModel,
    days_text,
)

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
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.states)
        layout.addWidget(self.splitter, 1)
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

    def reload(self) -> None:
        """The numbers again, from the window's current picture of the ledger."""
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

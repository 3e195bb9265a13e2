"""The liaison's editor pane: one task in full, its four fill-in fields, and what it is read against.

Left: what the office sent (locked, grey), its 退回修改 note when there is one (highlighted: the
liaison must see why it came back), and this unit's progress in earlier rounds (read-only, for
reference). Right: 状态 (a drop-down of the package's statuses), 进展落实情况, 完成日期, 佐证材料 (with
添加文件…), and the optional 申请延期至 / 延期理由. The pane saves nothing itself: `edited` says the
liaison changed something (the window saves after a pause, or at once for a choice), and the window
reads `entry()` when it saves.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.core.merge import norm_text
from app.formats.returns.liaison import LiaisonTask
from app.liaison_session import EarlierEntry, Entry
from app.ui.liaison_model import EMPTY_STATUS, task_summary

LOCKED_STYLE = "background:#eceff1; color:#37474f; border:1px solid #cfd8dc;"
REWORK_STYLE = ("background:#fff3e0; color:#8a3b00; border:2px solid #fb8c00; border-radius:4px; padding:6px;"
                "font-weight:bold;")
OVERDUE_STYLE = "color:#b3261e; font-weight:bold;"
EARLIER_ROWS_SHOWN = 2  # more scroll: the task's own text needs the room
EARLIER_COLUMNS = ("轮次", "状态", "进展落实情况", "完成日期", "佐证材料")


def _deadline_text(task: LiaisonTask) -> str:
    return str(task.deadline.get("text") or "") or "（未规定）"


class LiaisonEditor(QWidget):
    """See the module docstring. `show_task` fills it without emitting `edited`."""

    edited = Signal()  # typed: the window saves after a pause
    chosen = Signal()  # a choice (status): the window saves now
    attach_requested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.task: LiaisonTask | None = None
        self._loading = False
        self._build()
        self.show_task(None)

    # ----- building ----------------------------------------------------------------------------
    def _build(self) -> None:
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.heading.setFont(font)
        self.details = QTextBrowser()
        self.details.setStyleSheet(LOCKED_STYLE)
        self.details.setToolTip("办公室下发的内容，不能修改")
        self.deadline = QLabel()
        self.deadline.setWordWrap(True)
        self.rework = QLabel()
        self.rework.setWordWrap(True)
        self.rework.setStyleSheet(REWORK_STYLE)
        self.rework.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.earlier = QTableWidget(0, len(EARLIER_COLUMNS))
        self.earlier.setHorizontalHeaderLabels(list(EARLIER_COLUMNS))
        self.earlier.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.earlier.setStyleSheet(LOCKED_STYLE)
        self.earlier.verticalHeader().hide()
        self.earlier.setWordWrap(True)
        header = self.earlier.horizontalHeader()
        for column, mode in enumerate((QHeaderView.ResizeMode.ResizeToContents, QHeaderView.ResizeMode.ResizeToContents,
                                       QHeaderView.ResizeMode.Stretch, QHeaderView.ResizeMode.ResizeToContents,
                                       QHeaderView.ResizeMode.ResizeToContents)):
            header.setSectionResizeMode(column, mode)
        self.earlier_title = QLabel("本单位以前各轮的填报（仅供参考）：")
        self.no_earlier = QLabel("本单位以前各轮的填报：没有记录。")
        self.no_earlier.setStyleSheet("color:#666666;")

        sent = QWidget()
        left = QVBoxLayout(sent)
        left.setContentsMargins(0, 0, 0, 0)
        left.addWidget(self.heading)
        left.addWidget(self.rework)
        left.addWidget(self.details, 1)
        left.addWidget(self.deadline)
        left.addWidget(self.earlier_title)
        left.addWidget(self.no_earlier)
        left.addWidget(self.earlier)
        self.details.setMinimumHeight(60)

        self.status = QComboBox()
        self.status.setMinimumContentsLength(8)
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText("请写明本单位的落实情况：做了什么、做到哪一步；逾期未完成的请说明原因。")
        self.text.setTabChangesFocus(True)
        self.done_date = QLineEdit()
        self.done_date.setPlaceholderText("如 2023-09-01")
        self.evidence = QLineEdit()
        self.evidence.setPlaceholderText("文件名，多个用顿号（、）分隔")
        self.attach_button = QPushButton("添加文件…")
        self.attach_button.setToolTip("选择佐证材料文件：复制到数据包旁的“佐证材料”文件夹，文件名填入上框")
        self.attach_button.clicked.connect(self.attach_requested)
        evidence_row = QHBoxLayout()
        evidence_row.addWidget(self.evidence, 1)
        evidence_row.addWidget(self.attach_button)
        self.extension_to = QLineEdit()
        self.extension_to.setPlaceholderText("如 2024-03-31")
        self.extension_reason = QLineEdit()
        self.extension_reason.setPlaceholderText("为什么需要延期")
        self.text.setMinimumHeight(72)
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        grid.addWidget(self._label("状态"), 0, 0)
        grid.addWidget(self.status, 0, 1)
        grid.addWidget(self._label("完成日期"), 0, 2)
        grid.addWidget(self.done_date, 0, 3)
        grid.addWidget(self._label("进展落实情况"), 1, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.text, 1, 1, 1, 3)
        grid.addWidget(self._label("佐证材料"), 2, 0)
        grid.addLayout(evidence_row, 2, 1, 1, 3)
        grid.addWidget(self._label("申请延期至"), 3, 0)
        grid.addWidget(self.extension_to, 3, 1)
        grid.addWidget(self._label("延期理由"), 3, 2)
        grid.addWidget(self.extension_reason, 3, 3)
        grid.setRowStretch(1, 1)
        fill = QGroupBox("本单位填写（申请延期至、延期理由需要延期时才填）")
        fill.setLayout(grid)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(sent)
        self.splitter.addWidget(fill)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([500, 500])  # halves, whatever the window's width
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

        self.status.currentIndexChanged.connect(self._on_chosen)
        self.text.textChanged.connect(self._on_edited)
        for edit in (self.done_date, self.evidence, self.extension_to, self.extension_reason):
            edit.textEdited.connect(self._on_edited)
            edit.editingFinished.connect(self._on_finished)
        self.fields = (self.status, self.text, self.done_date, self.evidence, self.attach_button,
                       self.extension_to, self.extension_reason)

    @staticmethod
    def _label(text: str) -> QLabel:
        label = QLabel(text + "：")
        label.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        font = QFont(label.font())
        font.setBold(True)
        label.setFont(font)
        return label

    # ----- showing -----------------------------------------------------------------------------
    def set_statuses(self, statuses: list[str]) -> None:
        """The drop-down's choices: empty ("（请选择）") first, then the package's statuses."""
        self._loading = True
        self.status.clear()
        self.status.addItem(EMPTY_STATUS, "")
        for status in statuses:
            self.status.addItem(status, status)
        self._loading = False

    def show_task(self, task: LiaisonTask | None, entry: Entry | None = None, *, earlier: list[EarlierEntry] = (),
                  rework: str | None = None, overdue: bool = False) -> None:
        """Show a task (None: nothing chosen) without emitting `edited`."""
        self._loading = True
        self.task = task
        for widget in self.fields:
            widget.setEnabled(task is not None)
        if task is None:
            self.heading.setText("请在上方表格中选择一项任务")
            self.details.setPlainText("")
            self.deadline.setText("")
            self.rework.hide()
            self._show_earlier([])
            self._set_entry(Entry())
            self._loading = False
            return
        title = f"序号 {task.seq}" + (f"　{task.key_work}" if task.key_work else "")
        self.heading.setText(title)
        body = task_summary(task)
        if task.role:
            body += f"\n本单位职责：{task.role}"
        self.details.setPlainText(body)
        deadline = f"完成时限：{_deadline_text(task)}"
        if overdue:
            self.deadline.setText(f"{deadline}　已逾期：请在“进展落实情况”中说明原因，或申请延期")
            self.deadline.setStyleSheet(OVERDUE_STYLE)
        else:
            self.deadline.setText(deadline)
            self.deadline.setStyleSheet("")
        if rework:
            self.rework.setText(f"办公室退回修改：{rework}")
            self.rework.show()
        else:
            self.rework.hide()
        self._show_earlier(list(earlier))
        self._set_entry(entry or Entry())
        self._loading = False

    def _show_earlier(self, rows: list[EarlierEntry]) -> None:
        self.earlier.setRowCount(len(rows))
        for row, item in enumerate(rows):
            for column, value in enumerate((item.round, item.status, item.text, item.done_date, item.evidence)):
                cell = QTableWidgetItem(value or "")
                cell.setToolTip(value or "")
                self.earlier.setItem(row, column, cell)
        self.earlier.resizeRowsToContents()
        shown = sum(self.earlier.rowHeight(r) for r in range(min(len(rows), EARLIER_ROWS_SHOWN)))
        self.earlier.setFixedHeight(self.earlier.horizontalHeader().sizeHint().height() + shown
                                    + 2 * self.earlier.frameWidth())
        self.earlier.setVisible(bool(rows))
        self.earlier_title.setVisible(bool(rows))
        self.no_earlier.setVisible(not rows)

    def _set_entry(self, entry: Entry) -> None:
        index = self.status.findData(entry.status)
        if index < 0 and entry.status:  # a status not in the list (typed elsewhere): keep it, visibly
            self.status.addItem(entry.status, entry.status)
            index = self.status.count() - 1
        self.status.setCurrentIndex(max(index, 0))
        if norm_text(self.text.toPlainText()) != entry.text:  # what is being typed keeps its cursor
            self.text.setPlainText(entry.text)
        for edit, value in ((self.done_date, entry.done_date), (self.evidence, entry.evidence),
                            (self.extension_to, entry.extension_to), (self.extension_reason, entry.extension_reason)):
            if norm_text(edit.text()) != value:
                edit.setText(value)

    def reload(self, entry: Entry) -> None:
        """The saved entry changed under the pane (undo, a table edit, an attach): show it."""
        self._loading = True
        self._set_entry(entry)
        self._loading = False

    # ----- reading -----------------------------------------------------------------------------
    def entry(self) -> Entry:
        """What the pane holds now (trimmed as it will be saved)."""
        return Entry(status=str(self.status.currentData() or ""), text=norm_text(self.text.toPlainText()),
                     done_date=norm_text(self.done_date.text()), evidence=norm_text(self.evidence.text()),
                     extension_to=norm_text(self.extension_to.text()),
                     extension_reason=norm_text(self.extension_reason.text()))

    def _on_edited(self, *_args) -> None:
        if not self._loading and self.task is not None:
            self.edited.emit()

    def _on_finished(self) -> None:
        if not self._loading and self.task is not None:
            self.chosen.emit()

    def _on_chosen(self, *_args) -> None:
        if not self._loading and self.task is not None:
            self.chosen.emit()

"""The history of one progress entry (task × unit × round): every change, oldest first.

Read on demand from the change log (`Ledger.progress_history`), never kept in the window: a
10,000-task ledger has far too many to hold. Undone changes stay listed, greyed and marked.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from app.core.records import Progress

KIND_WORDS = {"import": "导入", "merge": "合并报送表", "edit": "修改", "resolve": "处理冲突", "undo": "撤销",
              "review": "审核", "create": "新建"}  # batch kinds, in the clerk's words
HEADERS = ("时间", "方式", "来源", "状态", "进展落实情况")
UNDONE_COLOUR = "#888888"


def _summary(entry: Progress | None) -> tuple[str, str]:
    if entry is None:
        return "（删除）", ""
    return entry.status or "—", entry.text


class HistoryDialog(QDialog):
    """A table of the entry's changes; each row one change as logged."""

    def __init__(self, title: str, changes: Sequence, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"修改记录 — {title}")
        self.table = QTableWidget(len(changes), len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(HEADERS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for row, change in enumerate(changes):
            status, text = _summary(change.new)
            old_status, _old_text = _summary(change.old) if change.old is not None else ("", "")
            if old_status and old_status != status:
                status = f"{old_status} → {status}"
            kind = KIND_WORDS.get(change.kind, change.kind)
            if change.undone:
                kind += "（已撤销）"
            source = "本窗口" if change.source in ("", "typed") else change.source
            cells = (f"{change.at:%Y-%m-%d %H:%M}", kind, source, status, text)
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                if change.undone:
                    item.setForeground(QBrush(QColor(UNDONE_COLOUR)))
                self.table.setItem(row, column, item)
        empty = QLabel("这一条进展还没有修改记录。")
        empty.setVisible(not changes)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        heading = QLabel(f"<b>{title}</b>　共 {len(changes)} 次修改，最早的在上")
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(empty)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(720, 360)

    def rows(self) -> list[tuple[str, ...]]:
        """The cells as shown (for tests and copying)."""
        return [tuple(self.table.item(r, c).text() for c in range(self.table.columnCount()))
                for r in range(self.table.rowCount())]

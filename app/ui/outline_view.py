"""The task outline's view: a table that opens and closes headings like a tree.

A QTableView asks the model only for the rows on screen (a QTreeView lays out every row on each
change: see app/ui/models/task_tree.py). Heading rows open and close with a click on their ▸/▾
in 序号, a double click, or the keyboard (→ opens, ← closes or goes up to the heading, Space or
Enter toggles), as in a tree. Long cells end in "…" with the whole text in the tooltip.
Rows are dragged to reorder them or move them under another heading: the model hands the drop to
the window (app/ui/tree_edit.py), which moves them through the facade as one undoable step.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from app.ui.models.task_tree import COL_SEQ, COL_TASK, LEVEL_ROLE, TaskTreeModel


class OutlineView(QTableView):
    def __init__(self, model: TaskTreeModel, parent=None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.outline = model
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerItem)
        rows = self.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # one height for all: nothing measured per row
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        columns = self.horizontalHeader()
        columns.setHighlightSections(False)
        columns.setStretchLastSection(False)
        columns.setSectionResizeMode(COL_TASK, QHeaderView.ResizeMode.Stretch)
        columns.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setDragDropOverwriteMode(False)
        self.doubleClicked.connect(self._toggle_heading)

    def _heading_id(self, index: QModelIndex) -> str | None:
        heading = self.outline.heading_at(index)
        return heading.id if heading else None

    def _toggle_heading(self, index: QModelIndex) -> None:
        heading_id = self._heading_id(index)
        if heading_id:
            self.outline.set_expanded(heading_id, not self.outline.is_expanded(heading_id))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """A click on a heading's ▸/▾ (the start of 序号, up to its indent and mark) opens or closes it."""
        index = self.indexAt(event.position().toPoint())
        if index.isValid() and index.column() == COL_SEQ and self._heading_id(index) is not None:
            level = index.data(LEVEL_ROLE) or 0
            mark_end = self.columnViewportPosition(COL_SEQ) + self.fontMetrics().horizontalAdvance(
                "\u3000" * (level + 1)) + 8
            if event.position().x() <= mark_end:
                self.setCurrentIndex(index)
                self._toggle_heading(index)
                return
        super().mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        index = self.currentIndex()
        heading_id = self._heading_id(index) if index.isValid() else None
        key = event.key()
        if heading_id and key in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._toggle_heading(index)
            return
        if heading_id and key == Qt.Key.Key_Right and not self.outline.is_expanded(heading_id):
            self.outline.set_expanded(heading_id, True)
            return
        if key == Qt.Key.Key_Left and index.isValid():
            if heading_id and self.outline.is_expanded(heading_id):
                self.outline.set_expanded(heading_id, False)
                return
            up = self.outline.parent_heading_index(index)
            if up.isValid():
                self.setCurrentIndex(up)
                return
        super().keyPressEvent(event)

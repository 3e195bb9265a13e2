"""The main window: task tree on the left, detail and progress panes on the right.

All changes go through the Ledger facade wrapped in undoable commands; after each
operation the window re-reads one snapshot and refreshes the views.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QToolBar,
    QTreeView,
)

from app.core.changes import Changes
from app.core.records import LedgerDocument, Progress
from app.core.status import STATE_LABELS
from app.ledger import Ledger
from app.ui import actions
from app.ui.models.filter_proxy import TaskFilterProxy
from app.ui.models.task_tree import TASK_ID_ROLE, TaskTreeModel
from app.ui.panes.detail import DetailPane
from app.ui.panes.progress import ProgressPane
from app.ui.undo import LedgerCommand

APP_NAME = "台账通"


class MainWindow(QMainWindow):
    def __init__(self, ledger: Ledger | None = None, *, as_of: date | None = None) -> None:
        super().__init__()
        self.ledger: Ledger | None = None
        self.doc = LedgerDocument()
        self.as_of = as_of or date.today()
        self.undo_stack = QUndoStack(self)
        self.model = TaskTreeModel(self)
        self.proxy = TaskFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.tree = QTreeView()
        self.tree.setModel(self.proxy)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.selectionModel().currentChanged.connect(self._on_current_changed)
        self.detail = DetailPane()
        self.detail.edit_requested.connect(self.edit_task)
        self.progress = ProgressPane()
        self.progress.progress_requested.connect(self.save_progress)
        tabs = QTabWidget()
        tabs.addTab(self.detail, "任务详情")
        tabs.addTab(self.progress, "进展填报")
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.tree)
        splitter.addWidget(tabs)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([780, 500])
        self.setCentralWidget(splitter)
        self._build_filters()
        self._build_menus()
        self.status_label = QLabel()
        self.statusBar().addPermanentWidget(self.status_label)
        self.resize(1280, 780)
        if ledger is not None:
            self.set_ledger(ledger)
        else:
            self._update_title()

    # ----- building --------------------------------------------------------------------------
    def _build_filters(self) -> None:
        bar = QToolBar("筛选")
        bar.setObjectName("filters")
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索任务内容、单位、时限…")
        self.search.textChanged.connect(lambda text: self._filter(text=text))
        self.unit_filter = QComboBox()
        self.unit_filter.currentIndexChanged.connect(lambda _i: self._filter(unit=self.unit_filter.currentData() or ""))
        self.state_filter = QComboBox()
        self.state_filter.addItem("全部状态", "")
        for key, label in STATE_LABELS.items():
            self.state_filter.addItem(label, key)
        self.state_filter.currentIndexChanged.connect(
            lambda _i: self._filter(state=self.state_filter.currentData() or ""))
        bar.addWidget(QLabel("搜索："))
        bar.addWidget(self.search)
        bar.addWidget(QLabel("  单位："))
        bar.addWidget(self.unit_filter)
        bar.addWidget(QLabel("  状态："))
        bar.addWidget(self.state_filter)
        self.addToolBar(bar)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("文件(&F)")
        for text, slot, shortcut in (
            ("新建台账…", lambda: actions.new_ledger(self), QKeySequence.StandardKey.New),
            ("打开台账…", lambda: actions.open_ledger(self), QKeySequence.StandardKey.Open),
            ("从工作要点导入…", lambda: actions.import_plan(self), None),
            (None, None, None),
            ("导出标准台账（Excel）…", lambda: actions.export_table(self, "xlsx"), None),
            ("导出标准台账（Word）…", lambda: actions.export_table(self, "docx"), None),
            ("生成各单位报送表…", lambda: actions.make_sheets(self), None),
            ("合并交回的报送表…", lambda: actions.merge_returns(self), None),
            (None, None, None),
            ("退出", self.close, QKeySequence.StandardKey.Quit),
        ):
            if text is None:
                file_menu.addSeparator()
                continue
            action = QAction(text, self)
            action.triggered.connect(slot)
            if shortcut is not None:
                action.setShortcut(shortcut)
            file_menu.addAction(action)
        edit_menu = self.menuBar().addMenu("编辑(&E)")
        undo = self.undo_stack.createUndoAction(self, "撤销")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.undo_stack.createRedoAction(self, "重做")
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        edit_menu.addAction(undo)
        edit_menu.addAction(redo)

    # ----- ledger and refresh ------------------------------------------------------------------
    def set_ledger(self, ledger: Ledger) -> None:
        if self.ledger is not None:
            self.ledger.close()
        self.ledger = ledger
        self.undo_stack.clear()
        self.refresh(Changes(structure=True))
        self.tree.expandToDepth(1)
        for column, width in enumerate((400, 150, 100, 70)):
            self.tree.setColumnWidth(column, width)

    def refresh(self, changes: Changes) -> None:
        """Re-read the ledger and keep the current task selected."""
        if self.ledger is None:
            return
        current = self.current_task_id()
        self.doc = self.ledger.document()
        self.model.set_document(self.doc, as_of=self.as_of)
        self.progress.set_document(self.doc)
        self._fill_unit_filter()
        if current:
            self.select_task(current)
        self._update_title()
        self._update_status()

    def _fill_unit_filter(self) -> None:
        chosen = self.unit_filter.currentData()
        self.unit_filter.blockSignals(True)
        self.unit_filter.clear()
        self.unit_filter.addItem("全部单位", "")
        for unit in self.doc.units:
            self.unit_filter.addItem(unit.name, unit.name)
        index = self.unit_filter.findData(chosen) if chosen else 0
        self.unit_filter.setCurrentIndex(max(index, 0))
        self.unit_filter.blockSignals(False)

    def _update_title(self) -> None:
        name = f"{self.doc.title} — {self.ledger.path.name}" if self.ledger else "未打开台账"
        self.setWindowTitle(f"{name} — {APP_NAME}")

    def _update_status(self) -> None:
        from app.core.status import summarize_by_status

        counts = summarize_by_status(self.doc, as_of=self.as_of)
        conflicts = len(self.ledger.conflicts()) if self.ledger else 0
        parts = [f"任务 {len(self.doc.tasks)} 项"] + [
            f"{STATE_LABELS.get(key, key)} {value}" for key, value in counts.items() if value
        ]
        if conflicts:
            parts.append(f"待处理冲突 {conflicts} 条")
        self.status_label.setText(" · ".join(parts))

    def _filter(self, **kwargs: str) -> None:
        self.proxy.set_filters(**kwargs)
        self.tree.expandAll()

    # ----- selection ---------------------------------------------------------------------------
    def current_task_id(self) -> str | None:
        index = self.tree.currentIndex()
        return self.proxy.data(index, TASK_ID_ROLE) if index.isValid() else None

    def select_task(self, task_id: str) -> None:
        source = self.model.index_of_task(task_id)
        if source.isValid():
            index = self.proxy.mapFromSource(source)
            self.tree.setCurrentIndex(index)
            self.tree.scrollTo(index)

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        task_id = self.proxy.data(current, TASK_ID_ROLE) if current.isValid() else None
        task = next((t for t in self.doc.tasks if t.id == task_id), None)
        self.detail.show_task(task, path=self.doc.path_of(task) if task else [], year=self.doc.year)
        self.progress.show_task(task)

    # ----- operations --------------------------------------------------------------------------
    def run_command(self, text: str, operation) -> bool:  # noqa: ANN001 - Callable[[Ledger], Changes]
        """Push an undoable command; an error is shown in one message and nothing changes."""
        if self.ledger is None:
            return False
        command = LedgerCommand(self.ledger, text, operation, self.refresh)
        self.undo_stack.push(command)
        if command.error:
            QMessageBox.warning(self, APP_NAME, command.error)
            return False
        return True

    def edit_task(self, task_id: str, fields: dict) -> None:
        self.run_command("修改任务", lambda ledger: ledger.update_task(task_id, **fields))

    def save_progress(self, entries: list[Progress]) -> None:
        self.run_command("填报进展", lambda ledger: ledger.apply_progress(entries))

    def closeEvent(self, event) -> None:  # noqa: ANN001, N802
        if self.ledger is not None:
            self.ledger.close()
            self.ledger = None
        super().closeEvent(event)


"""The main window: the task outline on the left, detail and progress panes on the right.

A thin shell over the facade: every change goes through the Ledger in an undoable command, and
the window refreshes by what the command reports (Changes): the LedgerView re-reads those tasks
and entries, the tree updates those rows in place. Filters run on the view's precomputed keys.
What the clerk typed in a pane is saved (one undo step) before the task, the round, the ledger
or the program is left, or before a job runs; when it cannot be saved the clerk is asked.

The chrome: menus 文件 / 编辑 / 视图 / 工具 / 帮助 and a main toolbar (Qt's standard icons, text under
them) over the filter bar; actions that need a ledger are off without one, and everything that could
reach the ledger is off while a job has it. Geometry, toolbars, splitter, tree column widths and the
recent files are kept in the INI settings (app/ui/config.py). Features built elsewhere join through
`add_feature_action` and follow the window through the `refreshed` and `ledger_opened` signals.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QModelIndex, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QIcon, QKeySequence, QUndoStack
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu, QSplitter, QStyle, QTabWidget, QToolBar, QToolButton

from app.core.changes import Changes
from app.core.records import LedgerDocument, Progress
from app.core.status import STATE_LABELS
from app.errors import LedgerError
from app.ledger import Ledger
from app.ui import actions, config
from app.ui.dialogs import APP_NAME, ask_discard, show_about, show_error, show_open_failure
from app.ui.filter_bar import FilterBar
from app.ui.ledger_view import LedgerView
from app.ui.models.filter_keys import matching, narrows, unit_member_kind
from app.ui.models.task_tree import (
    COL_COOP,
    COL_DEADLINE,
    COL_LEAD,
    COL_SEQ,
    COL_STATE,
    COL_TASK,
    TaskTreeModel,
)
from app.ui.outline_view import OutlineView
from app.ui.panes.detail import DetailPane
from app.ui.panes.progress import ProgressPane
from app.ui.undo import LedgerCommand, MergeCommand, save_task_edits
from app.ui.workers import JobRunner

KEYS_AFTER_MS = 100  # the filter keys of a new ledger are built just after the window shows it
# 任务 stretches; the others are narrow enough to leave it room at 1024×768 (cut text ends in "…",
# the tooltip has it whole)
COLUMN_WIDTHS = {COL_SEQ: 72, COL_TASK: 330, COL_LEAD: 110, COL_COOP: 110, COL_DEADLINE: 112, COL_STATE: 66}
MENU_KEYS = {"文件": "F", "编辑": "E", "视图": "V", "工具": "T", "帮助": "H"}  # the menus, and their Alt keys
# The main toolbar, left to right ("|" a separator); features the lead wires in are added after these.
TOOLBAR = ("new", "open", "recent", "import", "|", "export", "sheets", "merge", "|", "undo", "redo", "find",
           "|", "print", "overview")
SP = QStyle.StandardPixmap


def _overview():
    from app.ui import overview

    return overview


class MainWindow(QMainWindow):
    refreshed = Signal(object)  # the Changes of each refresh(), after the window followed them
    ledger_opened = Signal(object)  # the Ledger just shown (set_ledger), for docks to reload

    def __init__(self, ledger: Ledger | None = None, *, as_of: date | None = None) -> None:
        super().__init__()
        self.ledger: Ledger | None = None
        self.as_of = as_of or date.today()
        self.view = LedgerView(as_of=self.as_of)
        self.undo_stack = QUndoStack(self)
        self.jobs = JobRunner(self)
        self.jobs.busy_changed.connect(self._set_busy)
        self._visible: set[str] | None = None
        self._last_filter: tuple | None = None  # (spec, result) of the last filtering, to narrow from
        self._shown_id: str | None = None  # the task the panes show (and may hold edits for)
        self._build_tree()
        self.detail = DetailPane()
        self.detail.edit_requested.connect(self.edit_task)
        self.progress = ProgressPane()
        self.progress.progress_requested.connect(self.save_progress)
        self.progress.save_pending = self._save_pending_progress
        self.tabs = QTabWidget()
        self.tabs.addTab(self.detail, "任务详情")
        self.tabs.addTab(self.progress, "进展填报")
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([830, 450])
        self.setCentralWidget(self.splitter)
        self._build_filters()
        self._build_menus()
        self.file_label = QLabel()
        self.status_label = QLabel()
        self.statusBar().addPermanentWidget(self.file_label)
        self.statusBar().addPermanentWidget(self.status_label)
        self.resize(1280, 800)
        from app.ui.features import install_features

        install_features(self)
        self._restore_settings()
        if ledger is not None:
            self.set_ledger(ledger)
        else:
            self._update_title()

    # ----- building --------------------------------------------------------------------------
    def _build_tree(self) -> None:
        self.model = TaskTreeModel(self)
        self.tree = OutlineView(self.model)
        for column, width in COLUMN_WIDTHS.items():
            if column != COL_TASK:
                self.tree.setColumnWidth(column, width)
        self.tree.selectionModel().currentChanged.connect(self._on_current_changed)

    def _build_filters(self) -> None:
        self.filters = FilterBar()
        self.filters.changed.connect(self.apply_filters)
        self.search = self.filters.search
        self.unit_filter = self.filters.unit
        self.state_filter = self.filters.state
        self.round_filter = self.filters.round
        self.due_filter = self.filters.due
        self.count_label = self.filters.count_label
        bar = QToolBar("筛选")
        bar.setObjectName("filters")
        bar.setMovable(False)
        bar.addWidget(self.filters)
        self.filter_toolbar = bar

    def _build_menus(self) -> None:
        """文件 / 编辑 / 视图 / 工具 / 帮助, and the main toolbar over the filter bar (text under Qt's
        standard icons). Actions that need a ledger are off without one and while a job runs."""
        bar = self.menuBar()
        self.menus: dict[str, QMenu] = {name: bar.addMenu(f"{name}(&{key})") for name, key in MENU_KEYS.items()}
        self.ledger_actions: list[QAction] = []  # need an open ledger (and no job running)
        self.idle_actions: list[QAction] = []  # need no job running
        self.actions: dict[str, QAction] = {}
        self.main_toolbar = QToolBar("常用")
        self.main_toolbar.setObjectName("main")
        self.main_toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
        self.main_toolbar.setIconSize(QSize(22, 22))
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.main_toolbar)
        self.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.filter_toolbar)  # on its own row, under
        file_menu = self.menus["文件"]
        add = self._add_action
        add("new", file_menu, "新建台账…", lambda: actions.new_ledger(self), shortcut=QKeySequence.StandardKey.New,
            icon=SP.SP_FileIcon, tip="新建一个空台账文件", needs_ledger=False, label="新建")
        add("open", file_menu, "打开台账…", lambda: actions.open_ledger(self), shortcut=QKeySequence.StandardKey.Open,
            icon=SP.SP_DialogOpenButton, tip="打开台账或联络员数据包（*.ledger / *.ldpkg）", needs_ledger=False, label="打开")
        self.recent_menu = QMenu("最近打开", self)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self.recent_action = self.recent_menu.menuAction()
        self.recent_action.setIcon(self._icon(SP.SP_FileDialogDetailedView))
        self.recent_action.setToolTip("最近打开的台账")
        file_menu.addMenu(self.recent_menu)
        self.idle_actions.append(self.recent_action)
        self.recent_menu.addAction("（无）").setEnabled(False)  # filled as it opens: no file looked at on start
        add("import", file_menu, "从工作要点导入…", lambda: actions.import_plan(self), icon=SP.SP_ArrowDown,
            tip="读取工作要点或任务表，生成新台账", needs_ledger=False, label="导入要点")
        file_menu.addSeparator()
        add("export_xlsx", file_menu, "导出标准台账（Excel）…", lambda: actions.export_table(self, "xlsx"),
            icon=SP.SP_DialogSaveButton)
        add("export_docx", file_menu, "导出标准台账（Word）…", lambda: actions.export_table(self, "docx"))
        add("export_pdf", file_menu, "导出 PDF…", lambda: self._printing().export_pdf_dialog(self))
        file_menu.addSeparator()
        add("print", file_menu, "打印预览…", lambda: self._printing().preview_ledger(self),
            shortcut=QKeySequence.StandardKey.Print, icon=SP.SP_FileDialogContentsView,
            tip="打印预览标准台账（A4 横向）", label="打印")
        add("print_filtered", file_menu, "打印预览（当前筛选）…",
            lambda: self._printing().preview_ledger(self, filtered=True))
        file_menu.addSeparator()
        self._file_end = file_menu.addSeparator()  # features go above 退出
        add("quit", file_menu, "退出", self.close, shortcut=QKeySequence.StandardKey.Quit, needs_ledger=False,
            idle=False)
        # the toolbar's 导出台账: Excel on a click, Word or PDF from its arrow
        add("export", None, "导出台账", lambda: actions.export_table(self, "xlsx"), icon=SP.SP_DialogSaveButton,
            tip="导出标准台账（Excel；Word、PDF 见旁边的箭头）")
        export_menu = QMenu(self)
        for key in ("export_xlsx", "export_docx", "export_pdf"):
            export_menu.addAction(self.actions[key])
        self.actions["export"].setMenu(export_menu)
        edit_menu = self.menus["编辑"]
        self.undo_action = QAction(self._icon(SP.SP_ArrowBack), "撤销", self)
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.undo_action.triggered.connect(self.undo)
        self.undo_stack.canUndoChanged.connect(self.undo_action.setEnabled)
        self.undo_stack.undoTextChanged.connect(lambda text: self.undo_action.setText(f"撤销 {text}".strip()))
        self.redo_action = QAction(self._icon(SP.SP_ArrowForward), "重做", self)
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        self.redo_action.triggered.connect(self.redo)
        self.undo_stack.canRedoChanged.connect(self.redo_action.setEnabled)
        self.undo_stack.redoTextChanged.connect(lambda text: self.redo_action.setText(f"重做 {text}".strip()))
        self.undo_action.setEnabled(False)
        self.redo_action.setEnabled(False)
        self.actions["undo"], self.actions["redo"] = self.undo_action, self.redo_action
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()
        add("find", edit_menu, "查找", self._focus_search, shortcut=QKeySequence.StandardKey.Find,
            icon=SP.SP_FileDialogContentsView, tip="在任务中查找（Ctrl+F）", needs_ledger=False, idle=False)
        view_menu = self.menus["视图"]
        add("overview", view_menu, "完成情况概览…", lambda: _overview().show_overview(self),
            icon=SP.SP_FileDialogInfoView, tip="按单位、按状态的完成情况与逾期任务", label="概览")
        view_menu.addSeparator()
        add("expand_all", view_menu, "展开全部", lambda: self.model.set_all_expanded(True), idle=False)
        add("collapse_all", view_menu, "折叠全部", lambda: self.model.set_all_expanded(False), idle=False)
        add("clear_filters", view_menu, "清除筛选", self.filters.clear, needs_ledger=False)
        view_menu.addSeparator()
        view_menu.addAction(self.main_toolbar.toggleViewAction())
        view_menu.addAction(self.filter_toolbar.toggleViewAction())
        tools = self.menus["工具"]
        add("sheets", tools, "生成各单位报送表…", lambda: actions.make_sheets(self), icon=SP.SP_DirIcon,
            tip="为各单位生成报送表（Excel）", label="生成报送表")
        add("package", tools, "生成联络员数据包…", lambda: actions.make_package(self))
        add("merge", tools, "合并交回的报送表…", lambda: actions.merge_returns(self), icon=SP.SP_BrowserReload,
            tip="把各单位交回的报送表合并进台账", label="合并回收表")
        add("about", self.menus["帮助"], f"关于{APP_NAME}…", lambda: show_about(self), needs_ledger=False, idle=False)
        for key in TOOLBAR:
            if key == "|":
                self.main_toolbar.addSeparator()
            elif key == "recent":
                self.main_toolbar.addAction(self.recent_action)
                self._popup_now(self.recent_action)
            else:
                self.main_toolbar.addAction(self.actions[key])
        self._popup_now(self.actions["export"], instant=False)
        self._update_actions()

    def _icon(self, pixmap) -> QIcon:
        return pixmap if isinstance(pixmap, QIcon) else self.style().standardIcon(pixmap)

    def _add_action(self, key: str, menu: QMenu | None, text: str, slot, *, shortcut=None, icon=None, tip: str = "",
                    needs_ledger: bool = True, idle: bool = True, label: str | None = None,
                    before: QAction | None = None) -> QAction:
        action = QAction(text, self)
        action.triggered.connect(lambda _checked=False: slot())
        if shortcut is not None:
            action.setShortcut(shortcut)
        if icon is not None:
            action.setIcon(self._icon(icon))
        action.setIconText(label or text.rstrip("…"))  # the toolbar's short label
        action.setToolTip(tip or text.rstrip("…"))
        if menu is not None and before is not None:
            menu.insertAction(before, action)
        elif menu is not None:
            menu.addAction(action)
        if needs_ledger:
            self.ledger_actions.append(action)
        elif idle:
            self.idle_actions.append(action)
        self.actions[key] = action
        return action

    def _popup_now(self, action: QAction, *, instant: bool = True) -> None:
        """A toolbar button with a menu: opens it on click (最近打开), or by its arrow (导出台账)."""
        button = self.main_toolbar.widgetForAction(action)
        if isinstance(button, QToolButton):
            mode = QToolButton.ToolButtonPopupMode
            button.setPopupMode(mode.InstantPopup if instant else mode.MenuButtonPopup)

    def add_feature_action(self, menu: str, text: str, slot, *, shortcut=None, icon=None, toolbar: bool = False,
                           needs_ledger: bool = True) -> QAction:
        """A feature's entry: in `menu` ("文件", "编辑", "视图", "工具" or "帮助"; in 文件 above 退出), on the main
        toolbar when `toolbar`; off without a ledger (when `needs_ledger`) and while a job runs.
        `icon` is a QIcon or a QStyle.StandardPixmap; `slot` is called without arguments."""
        if menu not in self.menus:
            raise ValueError(f"unknown menu {menu!r}; one of {', '.join(self.menus)}")
        key = f"feature:{menu}:{text}"
        action = self._add_action(key, self.menus[menu], text, slot, shortcut=shortcut, icon=icon,
                                  needs_ledger=needs_ledger, before=self._file_end if menu == "文件" else None)
        if toolbar:
            self.main_toolbar.addAction(action)
        self._update_actions()
        return action

    def _update_actions(self) -> None:
        """On or off by whether a ledger is open and a job runs."""
        busy = self.jobs.busy
        for action in self.ledger_actions:
            action.setEnabled(not busy and self.ledger is not None)
        for action in self.idle_actions:
            action.setEnabled(not busy)
        self._update_undo_actions()

    def _update_undo_actions(self) -> None:
        busy = self.jobs.busy
        self.undo_action.setEnabled(not busy and self.undo_stack.canUndo())
        self.redo_action.setEnabled(not busy and self.undo_stack.canRedo())

    @staticmethod
    def _printing():
        from app.ui import printing

        return printing

    # ----- recent files ----------------------------------------------------------------------
    def _fill_recent_menu(self) -> None:
        """The last ledgers opened; one no longer there is greyed (opening it says so and drops it)."""
        self.recent_menu.clear()
        paths = config.recent_files()
        for number, path in enumerate(paths, start=1):
            action = self.recent_menu.addAction(f"&{number} {path.name}")
            action.setToolTip(str(path))
            action.setStatusTip(str(path))
            action.setData(str(path))
            if not path.is_file():
                action.setText(f"&{number} {path.name}（文件不存在）")
                action.setEnabled(False)
            action.triggered.connect(lambda _checked=False, p=path: self.open_recent(p))
        if not paths:
            self.recent_menu.addAction("（无）").setEnabled(False)
            return
        self.recent_menu.addSeparator()
        self.recent_menu.addAction("清除不存在的文件", lambda: config.clear_recent(missing_only=True))
        self.recent_menu.addAction("清空列表", config.clear_recent)

    def open_recent(self, path: Path) -> bool:
        """Open a ledger of the recent list; one that is gone is one message, and leaves the list."""
        path = Path(path)
        if not path.is_file():
            config.remove_recent(path)
            self._fill_recent_menu()
            show_error(self, f"最近打开的台账“{path.name}”已不存在（已从列表中移除）：\n{path}")
            return False
        if not actions.ready(self, need_ledger=False):
            return False
        return self.open_path(path)

    # ----- settings --------------------------------------------------------------------------
    def _restore_settings(self) -> None:
        """Window geometry and toolbars, splitter and tree columns as they were when last closed."""
        store = config.settings()
        geometry = store.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = store.value("window/state")
        if state is not None:
            self.restoreState(state)
        splitter = store.value("window/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        widths = config._as_list(store.value("tree/widths"))
        for column, width in enumerate(widths[: self.model.columnCount()]):
            if column != COL_TASK and str(width).isdigit() and int(width) > 0:
                self.tree.setColumnWidth(column, int(width))

    def save_settings(self) -> None:
        store = config.settings()
        store.setValue("window/geometry", self.saveGeometry())
        store.setValue("window/state", self.saveState())
        store.setValue("window/splitter", self.splitter.saveState())
        store.setValue("tree/widths", [str(self.tree.columnWidth(c)) for c in range(self.model.columnCount())])
        store.sync()

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # ----- ledger ------------------------------------------------------------------------------
    @property
    def doc(self) -> LedgerDocument:
        """The open ledger's headings, tasks, units and rounds (progress: `view.marks`)."""
        return self.view.doc

    def open_path(self, path: Path) -> bool:
        """Open a ledger file; a file that cannot be opened is one dialog naming it (and a log line).
        A liaison package (.ldpkg) opens in liaison mode, in a window of its own."""
        if not self.commit_pending():
            return False
        if Path(path).suffix.lower() == ".ldpkg":
            from app.ui.liaison_window import open_liaison_window

            return open_liaison_window(Path(path), parent=self, today=self.as_of) is not None
        try:
            ledger = Ledger.open(path)
        except LedgerError as exc:
            show_open_failure(self, Path(path), str(exc))
            return False
        self.set_ledger(ledger)
        return True

    def set_ledger(self, ledger: Ledger) -> None:
        if self.ledger is not None:
            self.ledger.close()
        self.ledger = ledger
        self._shown_id = None
        self.undo_stack.clear()
        self.view.load(ledger)
        self._set_units()
        self.filters.set_rounds([r.name for r in self.doc.rounds])
        self.progress.set_rounds([r.name for r in self.doc.rounds])
        self._visible = self._matching()
        self.model.collapsed = set()
        self.model.set_document(self.doc.headings, self.doc.tasks, self.view.states, visible=self._visible)
        QTimer.singleShot(KEYS_AFTER_MS, self.view.build_keys)  # once the tree is on screen
        self._show_task(None)
        self._update_count()
        self._update_title()
        self._update_status()
        self._update_actions()
        config.add_recent(ledger.path)
        self.ledger_opened.emit(ledger)

    def _set_units(self) -> None:
        """The unit directory for the filter, the unit fields' completion and the progress grid's roles."""
        self.filters.set_units(self.doc.unit_names())
        self.detail.set_units(self.doc.units)
        self.progress.set_units(self.doc.units)

    def refresh(self, changes: Changes) -> None:
        """Follow what an operation changed: those rows in place, the panes if they show them."""
        if self.ledger is None:
            return
        delta = self.view.apply(self.ledger, changes)
        if delta.structure:
            self._visible = self._matching()
            self.model.sync_document(self.doc.headings, self.doc.tasks, self.view.states, visible=self._visible)
        elif delta.tasks:
            self._update_visible(delta.tasks)
            self.model.update_tasks([self.view.tasks[t] for t in delta.tasks], self.view.states,
                                    visible=self._visible)
        if delta.units:
            self._set_units()
        if delta.rounds:
            self.filters.set_rounds([r.name for r in self.doc.rounds])
            self.progress.set_rounds([r.name for r in self.doc.rounds])
        if self._shown_id is not None and (delta.structure or self._shown_id in delta.tasks):
            self._show_task(self._shown_id if self._shown_id in self.view.tasks else None)
        self._update_count()
        self._update_title()
        self._update_status()
        self.refreshed.emit(changes)

    def after_merge(self, report) -> None:
        """A merge job ended: refresh the rows it changed; the merge is one undo step (撤销合并)."""
        if not report.batches or self.ledger is None:
            self.refresh(Changes(conflicts=True, reviews=True))
            return
        self.refresh(self.ledger.changes_of_batches(report.batches))
        files = sum(1 for f in report.files if f.batch)
        self.undo_stack.push(MergeCommand(self.ledger, f"合并报送表（{files} 份）", report.batch, list(report.batches),
                                          self.refresh, lambda message: show_error(self, message)))

    def after_sending(self) -> None:
        """Sheets or a package were sent: a round may have been added, the dispatches changed."""
        self.refresh(Changes(meta=True, dispatches=True))

    def _update_title(self) -> None:
        name = f"{self.doc.title} — {self.ledger.path.name}" if self.ledger else "未打开台账"
        readonly = "（只读）" if self.ledger is not None and self.ledger.readonly else ""
        self.setWindowTitle(f"{name}{readonly} — {APP_NAME}")

    def _update_status(self) -> None:
        if self.ledger is None:
            self.status_label.setText("")
            self.file_label.setText("")
            return
        self.file_label.setText(self.ledger.path.name + ("（只读）" if self.ledger.readonly else ""))
        self.file_label.setToolTip(str(self.ledger.path))
        counts = self.view.state_counts()
        parts = [f"任务 {len(self.doc.tasks)} 项"] + [
            f"{STATE_LABELS.get(key, key)} {value}" for key, value in counts.items() if value
        ]
        if self.doc.rounds:
            parts.insert(0, f"本轮：{self.doc.rounds[-1].name}")
        if self.view.open_counts.get("conflicts"):
            parts.append(f"待处理冲突 {self.view.open_counts['conflicts']} 条")
        if self.view.open_counts.get("reviews"):
            parts.append(f"待审核 {self.view.open_counts['reviews']} 条")
        self.status_label.setText(" · ".join(parts))
        self.status_label.setToolTip(str(self.ledger.path))

    # ----- filters -----------------------------------------------------------------------------
    def _matching(self, *, narrow: bool = False) -> set[str] | None:
        """The tasks the filter bar lets through; typing on filters only the last result (`narrow`)."""
        spec = self.filters.spec()
        kind = unit_member_kind(self.doc.units, spec.unit) if spec.unit else None
        last = self._last_filter
        within = last[1] if narrow and last is not None and last[1] is not None and narrows(last[0], spec) else None
        result = matching(self.view.keys, spec, as_of=self.as_of, member_kind=kind, within=within)
        self._last_filter = (spec, result)
        return result

    def _update_visible(self, task_ids: set[str]) -> None:
        """The filter's verdict on changed tasks only."""
        if self._visible is None:
            return
        spec = self.filters.spec()
        kind = unit_member_kind(self.doc.units, spec.unit) if spec.unit else None
        keys = {t: self.view.keys[t] for t in task_ids if t in self.view.keys}
        passed = matching(keys, spec, as_of=self.as_of, member_kind=kind) or set()
        self._visible.difference_update(task_ids)
        self._visible.update(passed)

    def apply_filters(self) -> None:
        """The filter bar changed: filter the keys, reset the tree once, reopen its headings."""
        current = self.current_task_id() or self._shown_id
        self._visible = self._matching(narrow=True)
        self.model.set_visible(self._visible)
        if current and self.model.index_of_task(current).isValid():
            self.select_task(current)  # still shown: keep it in view
        else:
            self.tree.scrollToTop()  # else the first matches, not the middle of the new list
        self._update_count()

    def flush_filters(self) -> None:
        """Filter by the text typed so far now, not after the debounce."""
        self.filters.flush()

    def _update_count(self) -> None:
        self.filters.show_count(self.model.shown_task_count(), self.model.task_count())

    # ----- selection ---------------------------------------------------------------------------
    def shown_task_ids(self) -> set[str] | None:
        """The tasks the filter bar lets through (None: no filter, every task), collapsed headings or not."""
        return set(self._visible) if self._visible is not None else None

    def current_task_id(self) -> str | None:
        task = self.model.task_at(self.tree.currentIndex())
        return task.id if task else None

    def select_task(self, task_id: str, *, scroll: bool = True) -> None:
        """Make the task current (opening the headings above it), when the filter shows it."""
        self.model.expand_to(task_id)
        index = self.model.index_of_task(task_id)
        if index.isValid():
            self.tree.setCurrentIndex(index)
            if scroll:
                self.tree.scrollTo(index)

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        task = self.model.task_at(current)
        new_id = task.id if task else None
        if new_id == self._shown_id:
            return
        if self._shown_id is not None and not self.commit_pending():
            back = self._shown_id
            QTimer.singleShot(0, lambda: self.select_task(back))  # back to the edits the clerk kept
            return
        self._show_task(new_id)

    def _show_task(self, task_id: str | None) -> None:
        task = self.view.tasks.get(task_id) if task_id else None
        self._shown_id = task.id if task else None
        self.detail.show_task(task, path=self.view.path_of(task) if task else [], year=self.doc.year)
        entries = self.ledger.progress_of([task.id]) if task is not None and self.ledger is not None else []
        self.progress.show_task(task, entries)

    # ----- unsaved edits -----------------------------------------------------------------------
    def has_pending(self) -> bool:
        return self._shown_id is not None and bool(self.detail.changed_fields() or self.progress.edited_entries())

    def commit_pending(self) -> bool:
        """Save what the clerk typed for the task shown, as one undo step. False when it could not be
        saved and the clerk chose to go back to it; True when saved, nothing to save, or given up."""
        task_id = self._shown_id
        if task_id is None or self.ledger is None:
            return True
        fields = self.detail.changed_fields()
        entries = self.progress.edited_entries()
        if not fields and not entries:
            return True
        text = "修改任务与进展" if fields and entries else ("修改任务" if fields else "填报进展")
        error = self._push(text, save_task_edits(task_id, fields, entries))
        if error is None:
            return True
        task = self.view.tasks.get(task_id)
        label = f"序号 {task.seq}" if task else "该任务"
        if ask_discard(self, f"对{label}的修改未能保存：{error}"):
            self._show_task(task_id)  # the ledger's values again
            return True
        return False

    def _save_pending_progress(self, entries: list[Progress]) -> bool:
        """The progress pane switches rounds with rows typed: save them first (or ask)."""
        if self.ledger is None:
            return True
        error = self._push("填报进展", lambda ledger: ledger.apply_progress(entries))
        return error is None or ask_discard(self, f"进展未能保存：{error}")

    # ----- operations --------------------------------------------------------------------------
    def _push(self, text: str, operation) -> str | None:
        """Push an undoable command; returns its error (nothing changed then), or None."""
        if self.ledger is None:
            return "未打开台账"
        if self.jobs.busy:
            return "后台任务正在进行，请等它完成后再修改。"
        command = LedgerCommand(self.ledger, text, operation, self.refresh, lambda m: show_error(self, m))
        self.undo_stack.push(command)
        return command.error

    def run_command(self, text: str, operation) -> bool:
        """Push an undoable command; an error is shown in one message and nothing changes."""
        error = self._push(text, operation)
        if error is not None:
            show_error(self, error)
            return False
        return True

    def edit_task(self, task_id: str, fields: dict) -> None:
        self.run_command("修改任务", lambda ledger: ledger.update_task(task_id, **fields))

    def save_progress(self, entries: list[Progress]) -> None:
        self.run_command("填报进展", lambda ledger: ledger.apply_progress(entries))

    def undo(self) -> None:
        """Ctrl+Z: what was typed and not saved becomes a step first, so undo takes it back (redo returns it)."""
        if self.jobs.busy or not self.commit_pending():
            return
        self.undo_stack.undo()

    def redo(self) -> None:
        if self.jobs.busy or not self.commit_pending():
            return
        self.undo_stack.redo()

    # ----- busy and closing ----------------------------------------------------------------------
    def _set_busy(self, busy: bool) -> None:
        """While a job has the ledger, the window takes no input that could reach it."""
        for widget in (self.splitter, self.filter_toolbar):
            widget.setEnabled(not busy)
        self._update_actions()

    def closeEvent(self, event) -> None:
        if self.jobs.busy:
            show_error(self, "后台任务正在进行，请等它完成（或取消）后再关闭。")
            event.ignore()
            return
        if not self.commit_pending():
            event.ignore()
            return
        self.save_settings()
        if self.ledger is not None:
            self.ledger.close()
            self.ledger = None
        super().closeEvent(event)

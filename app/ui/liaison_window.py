"""Liaison mode: the window a department's liaison (联络员) fills one `.ldpkg` in.

Opened by double-clicking a package, `ledgerdesk gui FILE.ldpkg`, or 打开 in the clerk's window. It
shows only the package's tasks (the unit's); only 状态 / 进展落实情况 / 完成日期 / 佐证材料 (and the
optional 申请延期至 / 延期理由) can be changed, everything the office sent is grey. Every change is
saved into the package at once by the session (atomically: a PC switched off loses nothing) and is
one step on a QUndoStack; what is typed in the pane is saved after a short pause, when the task is
left, before undo, 完成 or closing. The liaison is not technical: large Chinese labels, the package's
instructions on top, a visible "已自动保存 HH:MM", overdue tasks and the office's 退回修改 notes marked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from PySide6.QtCore import QModelIndex, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QSizePolicy,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.core.merge import norm_text, parse_done_date
from app.errors import LedgerError
from app.liaison_session import Entry, FinishResult, LiaisonSession
from app.ui import config
from app.ui.dialogs import APP_NAME, ask_discard, show_error
from app.ui.liaison_editor import LiaisonEditor
from app.ui.liaison_model import (
    COL_DATE,
    COL_DEADLINE,
    COL_EVIDENCE,
    COL_ROLE,
    COL_SEQ,
    COL_STATUS,
    COL_TASK,
    COL_TEXT,
    EMPTY_STATUS,
    LiaisonTaskModel,
)
from app.ui.logbook import log_error

AUTOSAVE_MS = 1200  # what is typed in the pane is saved this long after the last key
COLUMN_WIDTHS = {COL_EVIDENCE: 120}  # 任务 and 进展落实情况 share what the fitted columns leave
FITTED = (COL_SEQ, COL_ROLE, COL_DEADLINE, COL_STATUS, COL_DATE)
SPLIT = (48, 52)  # table : editor
FONT_SCALE = 1.15  # the liaison's window reads a little larger than the clerk's
LEGEND = ("<span style='background:#eceff1'>&nbsp;灰色&nbsp;</span> 办公室下发，不能修改　"
          "<span style='background:#ffffff;border:1px solid #bbb'>&nbsp;白色&nbsp;</span> 请填写（双击单元格或在下方填写）　"
          "<span style='background:#fde2e1;color:#b3261e'>&nbsp;已逾期&nbsp;</span>　"
          "<span style='background:#ffd8a8'>&nbsp;退回&nbsp;</span> 办公室退回修改")
OPEN_ADVICE = "请确认这是办公室发来的联络员数据包（*.ldpkg），文件完整且没有被其他程序改动；如仍打不开，请联系办公室重新发送。"
SP = QStyle.StandardPixmap
_KEPT: set[LiaisonWindow] = set()  # windows open_liaison_window made, alive until closed
ENTRY_FIELDS = ("status", "text", "done_date", "evidence", "extension_to", "extension_reason")


class EntryCommand(QUndoCommand):
    """One undoable save of some tasks' entries (`before` → `after`); `done` when already saved (an attach)."""

    def __init__(self, window: LiaisonWindow, text: str, before: dict[str, Entry], after: dict[str, Entry], *,
                 done: bool = False) -> None:
        super().__init__(text)
        self._window = window
        self._before = before
        self._after = after
        self._done = done
        self.error: str | None = None

    def _save(self, entries: dict[str, Entry]) -> bool:
        try:
            if len(entries) == 1:
                [(task_id, entry)] = entries.items()
                self._window.session.set_entry(task_id, entry)
            else:
                self._window.session.set_entries(entries)
        except LedgerError as exc:
            self.error = str(exc)
            self.setObsolete(True)
            return False
        return True

    def redo(self) -> None:
        self.error = None
        if self._done:
            self._done = False
        elif not self._save(self._after):
            return
        self._window.entries_saved(list(self._after))

    def undo(self) -> None:
        if self._save(self._before):
            self._window.entries_saved(list(self._before))
        elif self.error:
            show_error(self._window, f"不能撤销“{self.text()}”：{self.error}")


class ContactCommand(QUndoCommand):
    """填报人 / 联系电话 changed: saved in the package, undoable like the entries."""

    def __init__(self, window: LiaisonWindow, before: tuple[str, str], after: tuple[str, str]) -> None:
        super().__init__("修改填报人")
        self._window = window
        self._before = before
        self._after = after
        self.error: str | None = None

    def _save(self, contact: tuple[str, str]) -> None:
        try:
            self._window.session.set_contact(*contact)
        except LedgerError as exc:
            self.error = str(exc)
            self.setObsolete(True)
            return
        self._window.contact_saved()

    def redo(self) -> None:
        self.error = None
        self._save(self._after)

    def undo(self) -> None:
        self._save(self._before)


class StatusDelegate(QStyledItemDelegate):
    """状态 in the table: the package's statuses in a drop-down, saved as soon as one is picked."""

    def __init__(self, statuses: list[str], parent=None) -> None:
        super().__init__(parent)
        self.statuses = list(statuses)

    def createEditor(self, parent, _option, _index):
        combo = QComboBox(parent)
        combo.addItem(EMPTY_STATUS, "")
        for status in self.statuses:
            combo.addItem(status, status)
        combo.activated.connect(lambda _i, c=combo: (self.commitData.emit(c), self.closeEditor.emit(c)))
        return combo

    def setEditorData(self, editor, index) -> None:
        value = index.data(Qt.ItemDataRole.EditRole) or ""
        found = editor.findData(value)
        if found < 0 and value:
            editor.addItem(value, value)
            found = editor.count() - 1
        editor.setCurrentIndex(max(found, 0))

    def setModelData(self, editor, model, index) -> None:
        model.setData(index, editor.currentData() or "", Qt.ItemDataRole.EditRole)


class LiaisonWindow(QMainWindow):
    """See the module docstring."""

    def __init__(self, session: LiaisonSession, *, today: date | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.today = today or date.today()
        self.package = session.package
        self.undo_stack = QUndoStack(self)
        self.saved_at: datetime | None = None
        self._shown_id: str | None = None
        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(AUTOSAVE_MS)
        self._autosave.timeout.connect(lambda: self.commit_pending(quiet=True))
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * FONT_SCALE)
        self.setFont(font)
        self.model = LiaisonTaskModel(session, today=self.today, edit=self._save_from_table, parent=self)
        self._build()
        self._update_title()
        self._update_counts()
        self.resize(1280, 800)
        self._restore_settings()
        if self.model.rowCount():
            self.select_task(self.model.task_ids()[0])

    # ----- building ----------------------------------------------------------------------------
    def _build(self) -> None:
        self.title_label = QLabel()
        title_font = self.title_label.font()
        title_font.setPointSizeF(title_font.pointSizeF() * 1.3)
        title_font.setBold(True)
        self.title_label.setFont(title_font)
        self.title_label.setWordWrap(True)
        self.instructions = QLabel("\n".join(self.package.instructions)
                                   or "请逐项填写状态、进展落实情况、完成日期和佐证材料；填完后点“完成并生成回收文件”。")
        self.instructions.setWordWrap(True)
        self.instructions.setStyleSheet("background:#e8f1fb; border:1px solid #b6cde8; padding:6px; color:#12355b;")
        self.reporter = QLineEdit(self.session.reporter)
        self.reporter.setPlaceholderText("姓名")
        self.phone = QLineEdit(self.session.phone)
        self.phone.setPlaceholderText("手机或座机")
        for edit in (self.reporter, self.phone):
            edit.setMaximumWidth(160)
            edit.editingFinished.connect(self.commit_contact)
        self.saved_label = QLabel(self._last_saved_text())
        self.saved_label.setStyleSheet("color:#1e6b2a; font-weight:bold;")
        contact = QHBoxLayout()  # the title, who fills it in, and whether it is saved: one line
        contact.addWidget(self.title_label, 1)
        contact.addSpacing(12)
        contact.addWidget(QLabel("填报人："))
        contact.addWidget(self.reporter)
        contact.addSpacing(16)
        contact.addWidget(QLabel("联系电话："))
        contact.addWidget(self.phone)
        contact.addSpacing(12)
        contact.addWidget(self.saved_label)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(False)
        self.table.setItemDelegateForColumn(COL_STATUS, StatusDelegate(self.package.statuses, self.table))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COL_TASK, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_TEXT, QHeaderView.ResizeMode.Stretch)
        for column in FITTED:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setHighlightSections(False)
        for column, width in COLUMN_WIDTHS.items():
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().currentChanged.connect(self._on_current_changed)
        self.legend = QLabel(LEGEND)
        self.legend.setWordWrap(True)
        self.legend.setStyleSheet("color:#444444;")

        self.editor = LiaisonEditor()
        self.editor.set_statuses(self.package.statuses)
        self.editor.edited.connect(self._autosave.start)
        self.editor.chosen.connect(lambda: self.commit_pending(quiet=True))
        self.editor.attach_requested.connect(lambda: self.attach_files())

        upper = QWidget()
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addWidget(self.table, 1)
        upper_layout.addWidget(self.legend)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(upper)
        self.splitter.addWidget(self.editor)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([SPLIT[0] * 10, SPLIT[1] * 10])

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.addLayout(contact)
        layout.addWidget(self.instructions)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        layout.addWidget(line)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.count_label = QLabel()
        self.statusBar().addPermanentWidget(self.count_label)
        self._build_actions()

    def _build_actions(self) -> None:
        self.actions: dict[str, QAction] = {}
        style = self.style()

        def add(key: str, text: str, slot: Callable[[], object], *, icon=None, shortcut=None, tip: str = "") -> QAction:
            action = QAction(text, self)
            if icon is not None:
                action.setIcon(style.standardIcon(icon))
            if shortcut is not None:
                action.setShortcut(shortcut)
            action.setToolTip(tip or text)
            action.triggered.connect(lambda _checked=False: slot())
            self.actions[key] = action
            return action

        add("finish", "完成并生成回收文件", self.finish, icon=SP.SP_DialogApplyButton,
            tip="检查填报情况，生成发回办公室的回收文件")
        add("attach", "添加佐证文件…", self.attach_files, icon=SP.SP_FileIcon,
            tip="为当前任务选择佐证材料文件（复制到数据包旁的文件夹）")
        add("folder", "打开所在文件夹", lambda: self._open_folder(self.session.path.parent), icon=SP.SP_DirOpenIcon)
        add("quit", "退出", self.close, shortcut=QKeySequence.StandardKey.Quit)
        undo = add("undo", "撤销", self.undo, icon=SP.SP_ArrowBack, shortcut=QKeySequence.StandardKey.Undo)
        redo = add("redo", "重做", self.redo, icon=SP.SP_ArrowForward, shortcut=QKeySequence.StandardKey.Redo)
        undo.setEnabled(False)
        redo.setEnabled(False)
        self.undo_stack.canUndoChanged.connect(undo.setEnabled)
        self.undo_stack.canRedoChanged.connect(redo.setEnabled)
        self.undo_stack.undoTextChanged.connect(lambda text: undo.setText(f"撤销 {text}".strip()))
        self.undo_stack.redoTextChanged.connect(lambda text: redo.setText(f"重做 {text}".strip()))
        menu = self.menuBar().addMenu("文件(&F)")
        for key in ("finish", "attach", "folder"):
            menu.addAction(self.actions[key])
        menu.addSeparator()
        menu.addAction(self.actions["quit"])
        edit = self.menuBar().addMenu("编辑(&E)")
        edit.addAction(undo)
        edit.addAction(redo)
        bar = QToolBar("常用")
        bar.setObjectName("liaison")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        bar.setIconSize(QSize(24, 24))
        for key in ("undo", "redo", "attach", "folder"):
            bar.addAction(self.actions[key])
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        bar.addAction(self.actions["finish"])
        finish_button = bar.widgetForAction(self.actions["finish"])
        if finish_button is not None:
            finish_button.setStyleSheet("QToolButton { background:#1e6b2a; color:white; font-weight:bold;"
                                        " padding:6px 14px; border-radius:4px; }")
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.toolbar = bar

    # ----- showing -----------------------------------------------------------------------------
    def _update_title(self) -> None:
        package = self.package
        due = f"报送截止：{package.round_due}" if package.round_due else ""
        self.title_label.setText(f"{package.unit}　{package.round}")  # the due date is in the instructions
        self.title_label.setToolTip("\n".join(t for t in (package.ledger_title, due) if t))
        self.setWindowTitle(f"{package.unit} · {package.round} — 联络员填报 — {self.session.path.name} — {APP_NAME}")

    def _update_counts(self) -> None:
        total = self.model.rowCount()
        parts = [f"共 {total} 项任务", f"已填状态 {self.model.filled_count()} 项"]
        overdue = self.model.overdue_count()
        if overdue:
            parts.append(f"已逾期 {overdue} 项")
        rework = sum(1 for t in self.model.task_ids() if self.model.has_rework(t))
        if rework:
            parts.append(f"退回修改 {rework} 项")
        self.count_label.setText(" · ".join(parts))

    def current_task_id(self) -> str | None:
        task = self.model.task_at(self.table.currentIndex().row())
        return task.task_id if task else None

    def select_task(self, task_id: str) -> None:
        row = self.model.row_of(task_id)
        if row >= 0:
            index = self.model.index(row, COL_TASK)
            self.table.setCurrentIndex(index)
            self.table.scrollTo(index)

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        task = self.model.task_at(current.row())
        new_id = task.task_id if task else None
        if new_id == self._shown_id:
            return
        if not self.commit_pending():
            back = self._shown_id
            if back is not None:
                QTimer.singleShot(0, lambda: self.select_task(back))
            return
        self._show_task(new_id)

    def _show_task(self, task_id: str | None) -> None:
        task = self.session.package.task(task_id) if task_id else None
        self._shown_id = task.task_id if task else None
        if task is None:
            self.editor.show_task(None)
            return
        self.editor.show_task(task, self.model.entry(task.task_id), earlier=self.session.earlier(task.task_id),
                              rework=self.session.rework(task.task_id), overdue=self.model.is_overdue(task.task_id))

    def go_to_first_unfinished(self) -> None:
        """After the checklist: the first task without a status, or overdue without an explanation."""
        for task_id in self.model.task_ids():
            entry = self.model.entry(task_id)
            if not entry.status or (self.model.is_overdue(task_id) and not entry.text):
                self.select_task(task_id)
                return

    # ----- saving ------------------------------------------------------------------------------
    def save_entry(self, task_id: str, entry: Entry, text: str = "填报") -> str | None:
        """Save one task's entry as an undo step; returns the refusal (nothing changed then), or None."""
        before = self.session.entry(task_id)
        if normalized(before) == normalized(entry):
            return None
        command = EntryCommand(self, text, {task_id: before}, {task_id: entry})
        self.undo_stack.push(command)
        return command.error

    def _save_from_table(self, task_id: str, entry: Entry) -> bool:
        """A cell edited in the table; what the pane holds for another field of that task is kept."""
        if task_id == self._shown_id:
            self._autosave.stop()
            pane = self.editor.entry()
            saved = self.session.entry(task_id)
            for name in ENTRY_FIELDS:
                if getattr(entry, name) == getattr(saved, name) and getattr(pane, name) != getattr(saved, name):
                    entry = _with(entry, name, getattr(pane, name))
        error = self.save_entry(task_id, entry)
        if error is not None:
            show_error(self, error)
            return False
        return True

    def commit_pending(self, *, quiet: bool = False) -> bool:
        """Save what the pane holds for the task shown. False when it could not be saved and the liaison
        chose to go back to it (`quiet`, an autosave: the reason goes to the indicator, nothing is asked)."""
        self._autosave.stop()
        task_id = self._shown_id
        if task_id is None:
            return True
        entry = self.editor.entry()
        error = self.save_entry(task_id, entry)
        if error is None:
            return True
        if quiet:  # typing goes on: say it beside the indicator and in the status bar, ask nothing
            self.saved_label.setText("未能保存")
            self.saved_label.setToolTip(error)
            self.saved_label.setStyleSheet("color:#b3261e; font-weight:bold;")
            self.statusBar().showMessage(f"未能保存：{error}", 15000)
            return False
        task = self.session.package.task(task_id)
        label = f"序号 {task.seq}" if task else "该任务"
        if ask_discard(self, f"{label}的填报未能保存：{error}"):
            self._show_task(task_id)
            return True
        return False

    def commit_contact(self) -> None:
        after = (self.reporter.text().strip(), self.phone.text().strip())
        before = (self.session.reporter, self.session.phone)
        if after == before:
            return
        command = ContactCommand(self, before, after)
        self.undo_stack.push(command)
        if command.error:
            show_error(self, command.error)

    def entries_saved(self, task_ids: list[str]) -> None:
        """A save, undo or redo went into the file: those rows, the pane if it shows one, the indicator."""
        self.model.refresh_tasks(task_ids)
        if self._shown_id in task_ids:
            self.editor.reload(self.model.entry(self._shown_id))
        self._mark_saved()
        self._update_counts()

    def contact_saved(self) -> None:
        if self.reporter.text().strip() != self.session.reporter:
            self.reporter.setText(self.session.reporter)
        if self.phone.text().strip() != self.session.phone:
            self.phone.setText(self.session.phone)
        self._mark_saved()

    def _last_saved_text(self) -> str:
        """What the indicator says on opening: when this file was last filled in, if ever."""
        saved = self.session.saved_at
        if saved is None:
            return "尚未填写"
        local = saved.astimezone()
        return f"上次保存 {local:%H:%M}" if local.date() == date.today() else f"上次保存 {local:%m-%d %H:%M}"

    def _mark_saved(self) -> None:
        self.saved_at = datetime.now()
        self.saved_label.setText(f"已自动保存 {self.saved_at:%H:%M}")
        self.saved_label.setStyleSheet("color:#1e6b2a; font-weight:bold;")
        self.saved_label.setToolTip(f"已保存到 {self.session.path}")

    def undo(self) -> None:
        """Ctrl+Z: what is typed and not yet saved becomes a step first, so undo takes exactly that back."""
        if self.commit_pending():
            self._select_step(self.undo_stack.index() - 1)
            self.undo_stack.undo()

    def redo(self) -> None:
        if self.commit_pending():
            self._select_step(self.undo_stack.index())
            self.undo_stack.redo()

    def _select_step(self, index: int) -> None:
        """Show the task an undo or redo is about to change, so the liaison sees it happen."""
        command = self.undo_stack.command(index) if 0 <= index < self.undo_stack.count() else None
        if isinstance(command, EntryCommand) and command._after:
            first = next(iter(command._after))
            if first != self._shown_id:
                self.select_task(first)

    # ----- evidence and finishing ----------------------------------------------------------------
    def attach_files(self, files: list[Path] | None = None) -> list[str]:
        """Copy evidence files for the task shown into the folder beside the package; their names join
        佐证材料 (one undo step for the names; the copies stay)."""
        task_id = self._shown_id
        if task_id is None or not self.commit_pending():
            return []
        if files is None:
            chosen, _ = QFileDialog.getOpenFileNames(self, "选择佐证材料文件", str(Path.home()))
            files = [Path(f) for f in chosen]
        if not files:
            return []
        before = self.session.entry(task_id)
        try:
            names = self.session.attach(task_id, [Path(f) for f in files])
        except LedgerError as exc:
            show_error(self, str(exc))
            self.entries_saved([task_id])
            return []
        after = self.session.entry(task_id)
        self.undo_stack.push(EntryCommand(self, "添加佐证材料", {task_id: before}, {task_id: after}, done=True))
        self.statusBar().showMessage(f"已添加佐证材料：{'、'.join(names)}（保存在 {self.session.evidence_dir()}）", 10000)
        return names

    def finish(self) -> FinishResult | None:
        from app.ui.liaison_finish import finish

        self.commit_contact()
        return finish(self)

    def _open_folder(self, folder: Path) -> None:
        from app.ui.liaison_finish import open_folder

        open_folder(folder)

    # ----- settings and closing ------------------------------------------------------------------
    def _restore_settings(self) -> None:
        store = config.settings()
        geometry = store.value("liaison/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        splitter = store.value("liaison/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)

    def save_settings(self) -> None:
        store = config.settings()
        store.setValue("liaison/geometry", self.saveGeometry())
        store.setValue("liaison/splitter", self.splitter.saveState())
        store.sync()

    def closeEvent(self, event) -> None:
        if not self.commit_pending():
            event.ignore()
            return
        self.commit_contact()
        self.save_settings()
        _KEPT.discard(self)
        super().closeEvent(event)


def normalized(entry: Entry) -> Entry:
    """An entry as the session will store it (text trimmed, a readable date as YYYY-MM-DD), for telling
    whether a save would change anything."""
    fields = {name: norm_text(getattr(entry, name)) for name in ENTRY_FIELDS}
    for name in ("done_date", "extension_to"):
        fields[name] = parse_done_date(fields[name]) or fields[name]
    return Entry(**fields)


def _with(entry: Entry, name: str, value: str) -> Entry:
    return replace(entry, **{name: value})


def show_package_failure(parent: QWidget | None, path: Path, reason: str) -> None:
    """A package that cannot be opened: the file, why, and what to do (also in the log)."""
    log = log_error(f"无法打开 {path}：{reason}")
    QMessageBox.warning(parent, f"无法打开数据包 — {APP_NAME}",
                        f"无法打开“{path.name}”：\n{reason}\n\n{OPEN_ADVICE}\n\n文件位置：{path}\n日志：{log}")


def open_liaison_window(path: Path, *, parent: QWidget | None = None, today: date | None = None,
                        show: bool = True) -> LiaisonWindow | None:
    """The liaison window on `path` (a window of its own, deleted when closed), or None after one message
    naming the file (over `parent`) when it cannot be used."""
    path = Path(path)
    try:
        session = LiaisonSession.open(path)
    except LedgerError as exc:
        show_package_failure(parent, path, str(exc))
        return None
    window = LiaisonWindow(session, today=today)  # its own window: it outlives (and saves without) its opener
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    _KEPT.add(window)
    if show:
        window.show()
    return window

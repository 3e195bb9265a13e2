"""Editing the outline's structure: insert, delete and move tasks and headings, all undoable.

`install_tree_editing(window)` gives the window's tree a context menu and shortcuts (插入任务
Insert / Ctrl+Ins, 插入标题, 插入下级标题, 删除 Delete, 上移 Ctrl+↑, 下移 Ctrl+↓) and takes the
model's drops (drag a task or a heading to reorder it or move it under another heading). Each is
one facade operation run through `window.run_command`, so it is one undo step; the window
refreshes by its Changes (a change of structure resyncs the outline, renumbering 序号 live while
ids stay). Shortcuts act only while the tree has the focus: Delete in the detail pane deletes text.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QInputDialog, QMenu, QMessageBox, QWidget

from app.core.records import Heading, Task
from app.ui.dialogs import APP_NAME

NEW_HEADING_TITLE = "新的章节"


def ask_heading_title(parent: QWidget, default: str = NEW_HEADING_TITLE) -> str | None:
    """The new heading's title, or None when the clerk cancels (tests replace this)."""
    text, ok = QInputDialog.getText(parent, "插入标题", "标题：", text=default)
    return text.strip() if ok and text.strip() else None


def confirm(parent: QWidget, text: str) -> bool:
    """Ask before deleting; Yes deletes (undo brings it back)."""
    answer = QMessageBox.question(parent, APP_NAME, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def _short(text: str, limit: int = 24) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[:limit] + "…"


def _after(ids: list[str], current: str) -> str | None:
    """The id after `current` in `ids` (to insert after it = before that one), or None (the end)."""
    position = ids.index(current) if current in ids else -1
    return ids[position + 1] if 0 <= position < len(ids) - 1 else None


class TreeEditor:
    """The window's structure edits; kept on the window as `window.tree_editor`."""

    def __init__(self, window) -> None:
        self.window = window
        self.tree = window.tree
        self.model = window.model
        self.actions: dict[str, QAction] = {}
        for key, text, shortcuts, slot in (
            ("insert_task", "插入任务", [QKeySequence(Qt.Key.Key_Insert), QKeySequence("Ctrl+Ins")], self.insert_task),
            ("insert_heading", "插入标题…", [], self.insert_heading),
            ("insert_subheading", "插入下级标题…", [], self.insert_subheading),
            ("delete", "删除…", [QKeySequence(Qt.Key.Key_Delete)], self.delete),
            ("move_up", "上移", [QKeySequence("Ctrl+Up")], lambda: self.move(-1)),
            ("move_down", "下移", [QKeySequence("Ctrl+Down")], lambda: self.move(1)),
        ):
            action = QAction(text, self.tree)
            action.setShortcuts(shortcuts)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.tree.addAction(action)
            self.actions[key] = action
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._menu)
        self.model.move_handler = self.move_to
        self.menu: QMenu | None = None

    # ----- what is selected ---------------------------------------------------------------------
    def _current(self) -> tuple[Task | None, Heading | None]:
        index = self.tree.currentIndex()
        return self.model.task_at(index), self.model.heading_at(index)

    def _menu(self, position: QPoint) -> None:
        index = self.tree.indexAt(position)
        if index.isValid():
            self.tree.setCurrentIndex(index)
        self.menu = self.build_menu()
        self.menu.popup(self.tree.viewport().mapToGlobal(position))

    def build_menu(self) -> QMenu:
        """The context menu for the current row (its entries enabled as they apply)."""
        task, heading = self._current()
        menu = QMenu(self.tree)
        for key in ("insert_task", "insert_heading", "insert_subheading"):
            menu.addAction(self.actions[key])
        menu.addSeparator()
        for key in ("move_up", "move_down", "delete"):
            menu.addAction(self.actions[key])
        has_ledger = self.window.ledger is not None and not self.window.ledger.readonly
        for action in self.actions.values():
            action.setEnabled(has_ledger)
        self.actions["insert_subheading"].setEnabled(has_ledger and heading is not None)
        for key in ("move_up", "move_down", "delete"):
            self.actions[key].setEnabled(has_ledger and (task is not None or heading is not None))
        return menu

    def _run(self, text: str, operation: Callable) -> bool:
        """What the clerk typed in the panes is saved first (its own step): the refresh after a change of
        structure shows the panes anew."""
        if self.window.ledger is None or not self.window.commit_pending():
            return False
        return self.window.run_command(text, operation)

    # ----- inserting ------------------------------------------------------------------------------
    def insert_task(self) -> str | None:
        """A new task below the current one (in its heading), or first in the current heading; then the
        clerk types its content in the detail pane."""
        task, heading = self._current()
        if task is not None:
            heading_id = self.model.heading_of_task(task.id)
            before = _after(self.model.children_of(heading_id)[1], task.id)
        elif heading is not None:
            heading_id = heading.id
            tasks = self.model.children_of(heading.id)[1]
            before = tasks[0] if tasks else None
        else:
            heading_id, before = None, None
        created: list[str] = []
        known = self.model.known_ids()[0]

        def add(ledger):
            changes = ledger.add_task(heading_id, before=before)
            created[:] = sorted(changes.tasks - known)  # renumbered tasks are named too
            return changes

        if not self._run("插入任务", add) or len(created) != 1:
            return None
        self.window.select_task(created[0])
        tabs = getattr(self.window, "tabs", None)
        if tabs is not None:
            tabs.setCurrentWidget(self.window.detail)  # the progress tab may be in front
        self.window.detail.focus_content()
        return created[0]

    def insert_heading(self) -> str | None:
        """A new heading after the current heading (or after the heading of the current task)."""
        task, heading = self._current()
        if heading is None and task is not None:
            owner = self.model.heading_of_task(task.id)
            heading = self.model.heading(owner) if owner else None
        if heading is not None:
            parent_id = heading.parent_id
            before = _after(self.model.children_of(parent_id)[0], heading.id)
        else:
            parent_id, before = None, None
        return self._add_heading(parent_id, before)

    def insert_subheading(self) -> str | None:
        """A new heading at the end of the current heading's sub-headings."""
        _task, heading = self._current()
        return self._add_heading(heading.id, None) if heading is not None else None

    def _add_heading(self, parent_id: str | None, before: str | None) -> str | None:
        title = ask_heading_title(self.tree)
        if title is None:
            return None
        created: list[str] = []
        known = self.model.known_ids()[1]

        def add(ledger):
            changes = ledger.add_heading(parent_id, title, before=before)
            created[:] = sorted(changes.headings - known)  # renumbered headings are named too
            return changes

        if not self._run("插入标题", add):
            return None
        if len(created) == 1:
            self.select_heading(created[0])
            return created[0]
        return None

    def select_heading(self, heading_id: str) -> None:
        index = self.model.index_of_heading(heading_id)
        if index.isValid():
            self.tree.setCurrentIndex(index)
            self.tree.scrollTo(index)

    # ----- deleting -------------------------------------------------------------------------------
    def delete(self) -> bool:
        """Delete the current task or heading (with what is under it), after saying what goes."""
        task, heading = self._current()
        if task is not None:
            entries = sum(1 for _ in self.window.view.marks.get(task.id, ()))
            extra = f"，连同其 {entries} 条进展" if entries else ""
            text = f"删除任务（序号 {task.seq}）“{_short(task.content) or '（无内容）'}”{extra}？\n\n可用“撤销”恢复。"
            if not confirm(self.tree, text):
                return False
            return self._run(f"删除任务 {task.seq}", lambda ledger: ledger.delete_tasks([task.id]))
        if heading is not None:
            headings, tasks = self.model.subtree_counts(heading.id)
            parts = [f"{headings} 个下级标题" if headings else "", f"{tasks} 项任务及其进展" if tasks else ""]
            under = "、".join(p for p in parts if p)
            text = f"删除标题“{heading.label}”{('及其下的' + under) if under else ''}？\n\n可用“撤销”恢复。"
            if not confirm(self.tree, text):
                return False
            return self._run(f"删除标题 {heading.number}", lambda ledger: ledger.delete_heading(heading.id))
        return False

    # ----- moving ---------------------------------------------------------------------------------
    def move(self, step: int) -> bool:
        """上移/下移 among its siblings (tasks within their heading, headings within their parent)."""
        task, heading = self._current()
        if task is not None:
            owner = self.model.heading_of_task(task.id)
            siblings = self.model.children_of(owner)[1]
            before = self._before_after_step(siblings, task.id, step)
            if before is False:
                return False
            done = self._run("移动任务", lambda ledger: ledger.move_tasks([task.id], owner, before=before))
            if done:
                self.window.select_task(task.id)
            return done
        if heading is not None:
            siblings = self.model.children_of(heading.parent_id)[0]
            before = self._before_after_step(siblings, heading.id, step)
            if before is False:
                return False
            done = self._run("移动标题", lambda ledger: ledger.move_heading(heading.id, heading.parent_id, before=before))
            if done:
                self.select_heading(heading.id)
            return done
        return False

    @staticmethod
    def _before_after_step(siblings: list[str], current: str, step: int):
        """The `before` for moving `current` one place up or down; False at the edge (nothing to do)."""
        position = siblings.index(current)
        if step < 0:
            return siblings[position - 1] if position > 0 else False
        if position >= len(siblings) - 1:
            return False
        return siblings[position + 2] if position + 2 < len(siblings) else None

    def move_to(self, tasks: list[str], headings: list[str], target: str | None, before: str | None) -> bool:
        """A drop on the outline: move there as one step, and keep the moved row selected."""
        if tasks:
            done = self._run("移动任务", lambda ledger: ledger.move_tasks(list(tasks), target, before=before))
            if done:
                self.window.select_task(tasks[0])
            return done
        if headings:
            done = self._run("移动标题", lambda ledger: self._move_headings(ledger, headings, target, before))
            if done:
                self.select_heading(headings[0])
            return done
        return False

    @staticmethod
    def _move_headings(ledger, headings: list[str], target: str | None, before: str | None):
        return [ledger.move_heading(h, target, before=before) for h in headings]


def install_tree_editing(window) -> None:
    """Give the window's tree its structure edits (context menu, shortcuts, drag and drop); once per window
    (a second editor would make every shortcut ambiguous)."""
    if getattr(window, "tree_editor", None) is None:
        window.tree_editor = TreeEditor(window)

"""The menus and the main toolbar: the issue's actions, on and off by ledger and job; the features' entry point."""

from __future__ import annotations

import threading
from datetime import date

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QStyle

from app.core.changes import Changes
from app.ui.main_window import MainWindow

# The toolbar: 新建 / 打开 / 最近打开 / 导入要点 / 导出台账 / 生成报送表 / 合并回收表 / 撤销 / 重做 / 查找 / 打印
TOOLBAR_LABELS = ("新建", "打开", "最近打开", "导入要点", "导出台账", "生成报送表", "合并回收表", "撤销", "重做", "查找",
                  "打印")
NEED_LEDGER = ("导出台账", "生成报送表", "合并回收表", "打印")
ALWAYS = ("新建", "打开", "最近打开", "导入要点", "查找")


def toolbar_actions(win: MainWindow) -> dict[str, QAction]:
    return {a.iconText(): a for a in win.main_toolbar.actions() if not a.isSeparator()}


def test_toolbar_has_the_listed_actions_with_icons(open_window) -> None:
    actions = toolbar_actions(open_window)
    for label in TOOLBAR_LABELS:
        assert label in actions, label
        assert not actions[label].icon().isNull(), label
    assert actions["查找"].shortcut().toString() == "Ctrl+F"
    assert [m.title() for m in open_window.menus.values()] == ["文件(&F)", "编辑(&E)", "视图(&V)", "工具(&T)",
                                                             "帮助(&H)"]


def test_nothing_is_cut_off_at_1024x768(open_window, qtbot) -> None:
    open_window.resize(1024, 768)
    qtbot.wait(50)
    bar = open_window.main_toolbar
    for label, action in toolbar_actions(open_window).items():
        button = bar.widgetForAction(action)
        assert button is not None and button.isVisible(), label  # not pushed into the overflow menu
        assert button.geometry().right() <= bar.width(), label
        assert button.width() >= button.fontMetrics().horizontalAdvance(label), label  # the label fits
    assert open_window.filters.count_label.geometry().right() <= open_window.filters.width()


def test_actions_follow_the_ledger_and_a_running_job(qtbot, ledger_path, open_window) -> None:
    empty = MainWindow(as_of=date(2023, 10, 1))
    qtbot.addWidget(empty)
    actions = toolbar_actions(empty)
    assert all(actions[label].isEnabled() for label in ALWAYS)
    assert not any(actions[label].isEnabled() for label in NEED_LEDGER)
    assert not actions["撤销"].isEnabled() and not actions["重做"].isEnabled()
    empty.close()
    actions = toolbar_actions(open_window)
    assert all(actions[label].isEnabled() for label in NEED_LEDGER + ALWAYS)
    task = open_window.doc.tasks[0]
    assert open_window.run_command("修改任务", lambda ledger: ledger.update_task(task.id, content="改过的内容。"))
    assert actions["撤销"].isEnabled()
    release = threading.Event()
    open_window.jobs.start("等待", lambda ctx: release.wait(5), lambda _r: None, lambda _m: None)
    busy = [label for label in TOOLBAR_LABELS if label != "查找" and actions[label].isEnabled()]
    assert busy == []  # nothing that could reach the ledger, nor open another, while a job has it
    release.set()
    qtbot.waitUntil(lambda: not open_window.jobs.busy, timeout=10_000)
    assert all(actions[label].isEnabled() for label in NEED_LEDGER + ALWAYS) and actions["撤销"].isEnabled()


def test_feature_actions_land_in_their_menu_and_follow_the_ledger(qtbot, open_window) -> None:
    called = []
    action = open_window.add_feature_action("工具", "单位名录…", lambda: called.append("units"), shortcut="Ctrl+U",
                                            icon=QStyle.StandardPixmap.SP_DirHomeIcon, toolbar=True)
    assert action in open_window.menus["工具"].actions() and action in open_window.main_toolbar.actions()
    assert action.isEnabled() and action.shortcut().toString() == "Ctrl+U" and not action.icon().isNull()
    action.trigger()
    assert called == ["units"]
    in_file = open_window.add_feature_action("文件", "报送轮次…", lambda: None)
    file_actions = open_window.menus["文件"].actions()
    assert file_actions[-1].text() == "退出" and file_actions.index(in_file) < len(file_actions) - 2
    help_action = open_window.add_feature_action("帮助", "状态图例", lambda: None, needs_ledger=False)
    empty = MainWindow(as_of=date(2023, 10, 1))
    qtbot.addWidget(empty)
    late = empty.add_feature_action("视图", "回收看板", lambda: None)
    assert not late.isEnabled()
    assert help_action.isEnabled()
    empty.close()
    try:
        open_window.add_feature_action("窗口", "x", lambda: None)
    except ValueError as exc:
        assert "窗口" in str(exc)
    else:
        raise AssertionError("an unknown menu must be refused")


def test_refresh_is_observable(open_window) -> None:
    seen: list[Changes] = []
    open_window.refreshed.connect(seen.append)
    task = open_window.doc.tasks[0]
    open_window.edit_task(task.id, {"content": "新的内容。"})
    assert len(seen) == 1 and task.id in seen[0].tasks
    open_window.undo()
    assert len(seen) == 2 and task.id in seen[1].tasks


def test_status_bar_names_the_file_round_and_counts(open_window, tmp_path) -> None:
    assert open_window.file_label.text() == "t.ledger"
    text = open_window.status_label.text()
    assert "本轮：第二次报送" in text and "任务 3 项" in text and "已逾期 1" in text
    empty = MainWindow()
    assert empty.file_label.text() == "" and not empty.actions["print"].isEnabled()
    empty.close()


def test_recent_and_find_from_the_toolbar(open_window, qtbot) -> None:
    actions = toolbar_actions(open_window)
    actions["查找"].trigger()
    assert open_window.search.hasFocus() or open_window.focusWidget() is open_window.search
    assert actions["最近打开"].menu() is open_window.recent_menu
    open_window._fill_recent_menu()
    assert str(open_window.ledger.path.resolve()) in [a.data() for a in open_window.recent_menu.actions()]

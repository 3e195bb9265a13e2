"""Editing the outline as a clerk: insert, delete, move and drag tasks and headings; each one undo step."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from app.core.records import Progress
from app.ui import tree_edit
from app.ui.models.task_tree import COL_DEADLINE, COL_SEQ, COL_STATE, COLUMNS, MIME_TYPE, TaskTreeModel
from app.ui.panes.legend import StateLegend
from app.ui.tree_edit import install_tree_editing
from tests.ui.sample import sample_document


@pytest.fixture
def window(open_window):
    install_tree_editing(open_window)
    return open_window


def seqs(window) -> list[tuple[str, str]]:
    """(shown 序号, id) of every row, headings as their number: what the clerk sees in 序号."""
    model = window.model
    return [(model.index(r, COL_SEQ).data().strip("\u3000▾▸ "), model.shown_ids()[r]) for r in range(model.rowCount())]


def task_id(window, seq: str) -> str:
    return next(t.id for t in window.doc.tasks if t.seq == seq)


def test_insert_task_from_the_context_menu_and_undo(window, qtbot) -> None:
    one, two = window.doc.headings
    first, second, third = (t.id for t in window.doc.tasks)
    before = seqs(window)
    window.select_task(first)
    menu = window.tree_editor.build_menu()
    action = next(a for a in menu.actions() if a.text() == "插入任务")
    assert action.isEnabled()
    action.trigger()
    new = window.current_task_id()
    assert new not in (first, second, third)
    # renumbered live: the new task is 2, the old 2 is 3, and so on; the ids stay
    assert seqs(window) == [("一、", f"h:{one.id}"), ("1", first), ("2", new), ("3", second),
                            ("二、", f"h:{two.id}"), ("4", third)]
    assert window.tabs.currentWidget() is window.detail
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.detail.content)
    assert window.undo_stack.undoText() == "插入任务"
    assert len(window.ledger.document().tasks) == 4
    window.undo()
    assert seqs(window) == before
    assert len(window.ledger.document().tasks) == 3


def test_insert_key_on_a_heading_adds_its_first_task(window, qtbot) -> None:
    _one, two = window.doc.headings
    third = task_id(window, "3")
    window.tree.setCurrentIndex(window.model.index_of_heading(two.id))
    window.tree.setFocus()
    qtbot.waitUntil(window.tree.hasFocus)
    qtbot.keyClick(window.tree, Qt.Key.Key_Insert)
    ids = [i for _s, i in seqs(window)]
    new = window.current_task_id()
    assert new is not None and ids[-3:] == [f"h:{two.id}", new, third]
    assert window.ledger.document().tasks[2].id == new and window.ledger.document().tasks[2].heading_id == two.id


def test_delete_a_heading_with_its_tasks_and_undo_brings_them_back_with_progress(window, dialogs) -> None:
    one, _two = window.doc.headings
    first, second = task_id(window, "1"), task_id(window, "2")
    window.save_progress([Progress(first, "县民政局", "第一次报送", status="进行中", text="已梳理。")])
    before_rows = seqs(window)
    window.tree.setCurrentIndex(window.model.index_of_heading(one.id))
    dialogs.answer = QMessageBox.StandardButton.Yes
    assert window.tree_editor.delete()
    [question] = dialogs.texts("question")
    assert "一、深化重点领域信息公开" in question and "2 项任务" in question
    doc = window.ledger.document()
    assert [t.seq for t in doc.tasks] == ["1"] and doc.progress == [] and len(doc.headings) == 1
    assert f"h:{one.id}" not in window.model.shown_ids() and first not in window.model.shown_ids()
    window.undo()
    doc = window.ledger.document()
    assert {t.id for t in doc.tasks} >= {first, second} and len(doc.headings) == 2
    assert [(p.task_id, p.unit, p.text) for p in doc.progress] == [(first, "县民政局", "已梳理。")]
    assert seqs(window) == before_rows


def test_delete_asks_and_no_keeps_the_task(window, dialogs) -> None:
    second = task_id(window, "2")
    window.select_task(second)
    dialogs.answer = QMessageBox.StandardButton.No
    assert not window.tree_editor.delete()
    assert "推动法治政府建设" in dialogs.texts("question")[0]
    assert len(window.ledger.document().tasks) == 3 and window.undo_stack.count() == 0


def test_delete_key_deletes_the_task_and_undo_restores_its_id(window, dialogs, qtbot) -> None:
    second = task_id(window, "2")
    window.select_task(second)
    window.tree.setFocus()
    qtbot.waitUntil(window.tree.hasFocus)
    dialogs.answer = QMessageBox.StandardButton.Yes
    qtbot.keyClick(window.tree, Qt.Key.Key_Delete)
    assert second not in {t.id for t in window.ledger.document().tasks}
    assert [s for s, _ in seqs(window)] == ["一、", "1", "二、", "2"]  # 3 became 2
    window.undo()
    assert second in {t.id for t in window.ledger.document().tasks}
    assert [s for s, _ in seqs(window)] == ["一、", "1", "2", "二、", "3"]


def test_drag_a_task_onto_another_heading_then_undo(window) -> None:
    one, two = window.doc.headings
    first, second, third = (task_id(window, s) for s in ("1", "2", "3"))
    model = window.model
    data = model.mimeData([model.index_of_task(first)])
    assert data.hasFormat(MIME_TYPE)
    assert model.dropMimeData(data, Qt.DropAction.MoveAction, -1, -1, model.index_of_heading(two.id))
    assert [i for _s, i in seqs(window)] == [f"h:{one.id}", second, f"h:{two.id}", third, first]
    assert [s for s, _ in seqs(window)] == ["一、", "1", "二、", "2", "3"]
    assert next(t for t in window.ledger.document().tasks if t.id == first).heading_id == two.id
    assert window.current_task_id() == first
    window.undo()
    assert [i for _s, i in seqs(window)] == [f"h:{one.id}", first, second, f"h:{two.id}", third]
    assert [s for s, _ in seqs(window)] == ["一、", "1", "2", "二、", "3"]


def test_drop_between_rows_puts_the_task_before_the_row_below(window) -> None:
    one, two = window.doc.headings
    first, second, third = (task_id(window, s) for s in ("1", "2", "3"))
    model = window.model
    row = model.index_of_task(third).row()
    assert model.dropMimeData(model.mimeData([model.index_of_task(second)]), Qt.DropAction.MoveAction, row, 0,
                              QModelIndex())
    assert [i for _s, i in seqs(window)] == [f"h:{one.id}", first, f"h:{two.id}", second, third]
    assert window.undo_stack.count() == 1


def test_ctrl_down_moves_a_task_and_numbers_follow(window, qtbot) -> None:
    first, second = task_id(window, "1"), task_id(window, "2")
    window.select_task(first)
    window.tree.setFocus()
    qtbot.waitUntil(window.tree.hasFocus)
    qtbot.keyClick(window.tree, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    rows = seqs(window)
    assert [i for _s, i in rows][1:3] == [second, first] and [s for s, _ in rows][1:3] == ["1", "2"]
    assert window.current_task_id() == first
    assert not window.tree_editor.move(1)  # already last in its heading: nothing to do, no step
    assert window.undo_stack.count() == 1
    window.undo()
    assert [i for _s, i in seqs(window)][1:3] == [first, second]


def test_insert_heading_renumbers_the_headings_after_it_and_undo(window, monkeypatch) -> None:
    one, two = window.doc.headings
    monkeypatch.setattr(tree_edit, "ask_heading_title", lambda _parent, default="": "加强平台建设")
    window.tree.setCurrentIndex(window.model.index_of_heading(one.id))
    new = window.tree_editor.insert_heading()
    assert new is not None
    headings = [(s, i) for s, i in seqs(window) if i.startswith("h:")]
    assert headings == [("一、", f"h:{one.id}"), ("二、", f"h:{new}"), ("三、", f"h:{two.id}")]
    assert window.model.heading(new).title == "加强平台建设"
    assert window.model.heading_at(window.tree.currentIndex()).id == new
    window.undo()
    assert [(s, i) for s, i in seqs(window) if i.startswith("h:")] == [("一、", f"h:{one.id}"), ("二、", f"h:{two.id}")]


def test_move_a_heading_up_by_dragging_it_and_never_into_itself(window) -> None:
    one, two = window.doc.headings
    model = window.model
    data = model.mimeData([model.index_of_heading(two.id)])
    assert not model.canDropMimeData(model.mimeData([model.index_of_heading(one.id)]), Qt.DropAction.MoveAction,
                                     -1, -1, model.index_of_heading(one.id))
    assert model.dropMimeData(data, Qt.DropAction.MoveAction, model.index_of_heading(one.id).row(), 0, QModelIndex())
    assert [(s, i) for s, i in seqs(window) if i.startswith("h:")] == [("一、", f"h:{two.id}"), ("二、", f"h:{one.id}")]
    window.undo()
    assert [(s, i) for s, i in seqs(window) if i.startswith("h:")] == [("一、", f"h:{one.id}"), ("二、", f"h:{two.id}")]


def test_tree_model_with_drag_and_drop_passes_model_tester(qtmodeltester) -> None:
    doc = sample_document()
    model = TaskTreeModel()
    model.set_document(doc.headings, doc.tasks, {t.id: "on_track" for t in doc.tasks})
    qtmodeltester.check(model)
    calls = []
    model.move_handler = lambda tasks, headings, target, before: calls.append((tasks, headings, target, before)) or True
    index = model.index_of_task(doc.tasks[2].id)
    assert model.flags(index) & Qt.ItemFlag.ItemIsDragEnabled
    assert model.dropMimeData(model.mimeData([index, model.index(index.row(), 1)]), Qt.DropAction.MoveAction, -1, -1,
                              model.index_of_heading(doc.headings[0].id))
    assert calls == [([doc.tasks[2].id], [], doc.headings[0].id, None)]
    qtmodeltester.check(model)


def test_every_cell_has_its_full_text_as_tooltip(window) -> None:
    long = "加密社会救助政策推送，" * 8
    first = task_id(window, "1")
    window.refresh(window.ledger.update_task(first, content=long))
    row = window.model.index_of_task(first).row()
    tips = [window.model.index(row, c).data(Qt.ItemDataRole.ToolTipRole) for c in range(len(COLUMNS))]
    assert tips[1] == long and tips[2] == "县民政局" and tips[3] == "县人民政府办公室"
    assert tips[COL_DEADLINE] == "2023年10月10日\n2023-10-10 · 截止日期"
    assert tips[COL_STATE] == "即将到期" and tips[COL_SEQ] == "1"
    heading_tip = window.model.index(0, COL_STATE).data(Qt.ItemDataRole.ToolTipRole)
    assert heading_tip == "一、深化重点领域信息公开"


def test_state_legend_uses_the_rows_colours(qtbot) -> None:
    legend = StateLegend()
    qtbot.addWidget(legend)
    assert [chip.text() for chip in legend.chips.values()] == ["已完成", "按期推进", "即将到期", "已逾期", "长期坚持", "无时限"]
    assert "#fde2e1" in legend.chips["overdue"].styleSheet() and "#b3261e" in legend.chips["overdue"].styleSheet()
    assert legend.chips["due_soon"].toolTip()


def test_tree_screenshot(window) -> None:
    legend = StateLegend(window)
    window.statusBar().addWidget(legend)
    for width, height in ((1280, 800), (1024, 768)):
        window.resize(width, height)
        QApplication.processEvents()
        window.tree_editor.build_menu()
        assert window.grab().save(f"/tmp/shots/H2_tree_{width}.png")


def test_typed_edits_are_saved_before_a_structure_edit(window) -> None:
    first = task_id(window, "1")
    window.select_task(first)
    window.detail.metric.setPlainText("查看网站")
    window.progress.form.text.setPlainText("已梳理政策清单。")
    window.tree_editor.insert_task()
    doc = window.ledger.document()
    assert next(t for t in doc.tasks if t.id == first).metric == "查看网站"
    assert [(p.task_id, p.text) for p in doc.progress] == [(first, "已梳理政策清单。")]
    assert window.undo_stack.count() == 2  # the edits, then the insert
    window.undo()
    window.undo()
    assert len(window.ledger.document().tasks) == 3 and window.ledger.document().progress == []

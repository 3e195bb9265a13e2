"""Unsaved edits in the detail pane or the progress editor are never thrown away."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QMessageBox


def select(window, seq: str) -> str:
    task = next(t for t in window.doc.tasks if t.seq == seq)
    window.select_task(task.id)
    return task.id


def test_leaving_the_task_saves_the_detail_edits_as_one_step(open_window) -> None:
    window = open_window
    first = select(window, "1")
    window.detail.content.setPlainText("加密社会救助、医疗保险政策推送。")
    window.detail.metric.setPlainText("查看网站")
    select(window, "2")  # no 保存 pressed
    saved = next(t for t in window.ledger.document().tasks if t.id == first)
    assert (saved.content, saved.metric) == ("加密社会救助、医疗保险政策推送。", "查看网站")
    assert window.undo_stack.count() == 1
    assert window.detail.content.toPlainText() == "推动法治政府建设。"  # the pane shows task 2 now
    window.undo()
    restored = next(t for t in window.ledger.document().tasks if t.id == first)
    assert restored.content == "加密社会救助政策推送。"


def test_task_and_progress_edits_are_one_undo_step(open_window) -> None:
    window = open_window
    first = select(window, "1")
    window.detail.key_work.setText("围绕民生持续改善")
    window.progress.round_box.setCurrentText("第一次报送")
    window.progress.status_box(0).setCurrentText("进行中")
    window.progress.table.item(0, 3).setText("已梳理政策清单。")
    select(window, "3")
    doc = window.ledger.document()
    assert next(t for t in doc.tasks if t.id == first).key_work == "围绕民生持续改善"
    assert [(p.unit, p.status, p.text) for p in doc.progress] == [("县民政局", "进行中", "已梳理政策清单。")]
    assert window.undo_stack.count() == 1 and window.undo_stack.undoText() == "修改任务与进展"
    window.undo()
    doc = window.ledger.document()
    assert doc.progress == [] and next(t for t in doc.tasks if t.id == first).key_work == "围绕民生"


def test_an_edit_that_cannot_be_saved_asks_and_going_back_keeps_it(open_window, dialogs) -> None:
    window = open_window
    first = select(window, "1")
    window.detail.lead.setText("县不存在局")
    dialogs.answer = QMessageBox.StandardButton.Cancel  # 返回继续修改
    select(window, "2")
    QApplication.processEvents()  # the selection goes back once the event loop runs
    assert dialogs.texts("question") and "县不存在局" in dialogs.texts("question")[0]
    assert window.current_task_id() == first
    assert window.detail.lead.text() == "县不存在局"  # still there to correct
    dialogs.answer = QMessageBox.StandardButton.Discard  # 放弃
    select(window, "2")
    assert window.current_task_id() != first
    assert window.ledger.document().tasks[0].lead_units == ["县民政局"]


def test_switching_the_round_saves_the_rows_typed(open_window) -> None:
    window = open_window
    select(window, "1")
    pane = window.progress
    pane.round_box.setCurrentText("第一次报送")
    pane.status_box(0).setCurrentText("已完成")
    pane.round_box.setCurrentText("第二次报送")
    [entry] = window.ledger.document().progress
    assert (entry.round, entry.status) == ("第一次报送", "已完成")
    pane.round_box.setCurrentText("第一次报送")
    assert pane.status_box(0).currentText() == "已完成"


def test_closing_the_window_saves_pending_edits(open_window, ledger_path) -> None:
    window = open_window
    select(window, "2")
    window.detail.seq.setText("2-1")
    window.close()
    from app.ledger import Ledger

    with Ledger.open(ledger_path, readonly=True) as ledger:
        assert [t.seq for t in ledger.document().tasks] == ["1", "2-1", "3"]


def test_ctrl_z_with_typed_text_takes_that_text_back_and_redo_returns_it(open_window) -> None:
    window = open_window
    task_id = select(window, "1")
    window.detail.content.setPlainText("新的内容。")
    window.undo()
    assert window.ledger.document().tasks[0].content == "加密社会救助政策推送。"
    assert window.detail.content.toPlainText() == "加密社会救助政策推送。"
    window.redo()
    assert window.ledger.document().tasks[0].content == "新的内容。"
    assert window.current_task_id() == task_id


def test_looking_at_a_task_writes_nothing(open_window) -> None:
    """A stored value the widgets would normalise (a trailing newline) is not an edit."""
    window = open_window
    task = window.doc.tasks[0]
    window.refresh(window.ledger.update_task(task.id, content="带换行的内容。\n", lead_units=["县民政局", "县司法局"]))
    window.select_task(window.doc.tasks[1].id)
    window.select_task(task.id)
    assert not window.has_pending()
    window.select_task(window.doc.tasks[2].id)
    assert window.undo_stack.count() == 0
